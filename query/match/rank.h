/*
 * rank.h: ranking classes against a bag of query words, the face match.c
 * uses (for match: résumés, job texts, keywords; for similar: a class's
 * own text). The pieces, one job each, share rank_internal.h:
 *   weights.c     the weight table and its overrides (jd_match_opts)
 *   query_text.c  the rank_query of a text or keyword list, and its parts
 *   terms.c       the query words kept, and the per-handle cache
 *   xquery.c      the Xapian queries of those words
 *   score.c       the candidates' scores, and rank_run
 *   describe.c    each hit's matched terms and confidence
 */
#ifndef JD_RANK_H
#define JD_RANK_H

#include "indexer/util/termmap.h"
#include "jobdex.h"
#include "query/match/tfidf.h"

/* What to rank with: stem counts, and phrases (from keywords). */
struct rank_phrase {
    char **stems;
    size_t n;
    unsigned window; /* words spanned, stop words included */
};

struct rank_query {
    struct termmap qtf; /* stem -> count in the query text */
    char *head;         /* the last content word's stem, or NULL */
    struct rank_phrase *phrases;
    size_t nphrases;
    struct rank_phrase seq;   /* free text: its stems in order, for word
                                 pairs (window unused) */
    size_t *seq_pos;          /* each stem's position in the text */
    size_t words;             /* words in the query text, stop words included */
    size_t terms;             /* its searchable words: stop words not counted */
    struct rank_query *parts; /* a résumé's paragraphs and list items,
                                 each ranked on its own (parts.h) */
    size_t nparts;
};

/* Fill Q from TEXT; KEYWORDS: a comma-separated list whose multi-word
 * entries are also phrases. */
jd_status rank_query_build(struct rank_query *q, struct analyzer *a,
                           const char *text, size_t len, bool keywords);
void rank_query_free(struct rank_query *q);

/* Give Q the parts of TEXT (parts.h), when it has two or more with
 * searchable words: rank_run then adds each part's scores to the whole
 * text's. */
jd_status rank_query_add_parts(struct rank_query *q, struct analyzer *a,
                               const char *text, size_t len);

/* The weights of the ranking for one query length (README, "How it
 * works"). Every knob is a double: weights.c interpolates them one by
 * one. */
struct rank_params {
    double w_title, w_summary, w_duty, w_qual, w_other; /* field weights */
    double phrase_boost;   /* weight of a keyword phrase over its words */
    double pair_weight;    /* weight of two adjacent query words found
                              next to each other, in order, in a field */
    double title_weight;   /* share of the best title's score */
    double model_weight;   /* weight of the class model's probability,
                              relative to the best class's (model.h) */
    double concept_weight; /* weight of the class's cosine with the query
                              in the model's concept space, relative to
                              the best class's (concepts.h) */
    double whole_weight;   /* weight of the whole text's scores when its
                              parts are ranked too (rank_query_add_parts) */
    double k1, b;          /* BM25 */
    double delta;          /* BM25+ lower bound; 0: plain BM25 */
    double head_boost;     /* weight of the last word (a title's head noun) */
    double oov_prefix;     /* weight of a stand-in for a word no class has:
                              the longest word it starts with; 0: none */
    double max_terms;      /* most informative query words kept */
    double candidates;     /* classes (and titles) scored in full */
};

/* Weights at three query lengths, the anchors; a query between two gets
 * weights interpolated in log(length). */
struct rank_weights {
    double words[3]; /* query lengths of the three anchors */
    struct rank_params at[3];
};

/* The shipped weights (weights.c). */
extern const struct rank_weights rank_shipped;

/*
 * *OUT: the shipped weights with the overrides of SPEC, for ranking
 * experiments: "s.w_title=4,m.k1=2" (ANCHOR.KNOB=NUMBER, s, m, l the
 * short, medium and long anchors); NULL or "": none. JD_ERR_INVALID_ARG
 * for an unknown anchor or knob or a bad number, with WHY (SIZE bytes)
 * naming it.
 */
jd_status rank_weights_read(const char *spec, struct rank_weights *out,
                            char *why, size_t size);

/* Rank classes for Q with weights W; add the best LIMIT to R (score
 * order, ties by id), skipping EXCLUDE_ID, with whole records when FULL
 * (else the identifying fields only). The query terms actually used,
 * with their weights, are left in USED (stem -> qtf * idf). */
jd_status rank_run(jd_db *db, const struct rank_query *q,
                   const struct rank_weights *w, const struct jd_filter *f,
                   const char *exclude_id, size_t limit, bool full,
                   jd_results *r, struct termmap *used);

/* Set each hit's terms (the query terms its class holds, by weight),
 * coverage and confidence ("high", "medium", "review"). */
jd_status rank_describe(jd_db *db, jd_results *r, const struct termmap *used,
                        const struct surface *words);

#endif
