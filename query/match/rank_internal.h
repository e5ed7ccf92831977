/*
 * rank_internal.h: what the pieces of the ranking (rank.h) share and
 * match.c does not see: the fields and their weights (weights.c), the
 * query words kept and the per-handle cache (terms.c), the Xapian queries
 * of them (xquery.c) and a hit's matched terms (describe.c).
 */
#ifndef JD_RANK_INTERNAL_H
#define JD_RANK_INTERNAL_H

#include "indexer/model/model.h"
#include "indexer/store/xapian_shim.h"
#include "query/match/rank.h"

/* ---- weights.c ---- */

/* The weights for a query of WORDS distinct content words. */
struct rank_params rank_params_at(const struct rank_weights *w, size_t words);

/* The class fields a query word is searched in, in the order of their
 * weights in rank_params (w_title ... w_other). */
enum { NFIELDS = 5 };
extern const char *const rank_field_prefix[NFIELDS];

/* The weight of field F (an index into rank_field_prefix). */
double rank_field_weight(const struct rank_params *p, size_t f);

/* ---- terms.c ---- */

/* A query word kept for the ranking. */
struct chosen {
    const char *stem;
    size_t len; /* of the stem searched (a stand-in's is shorter) */
    double qtf, idf;
    double boost;       /* head_boost, oov_prefix; else 1 */
    size_t df[NFIELDS]; /* classes holding it, per field */
};

/* The most informative words of Q (qtf x idf, at most P's max_terms), in
 * that order, into *OUT (malloc'd) and *N; words no class has are left
 * out. Fills the handle's cache of document frequencies. */
jd_status rank_choose_terms(jd_db *db, const struct rank_query *q,
                            const struct rank_params *p, struct chosen **out,
                            size_t *n);

/* The class model of DB's index into *OUT, read once per handle: NULL
 * when the index has none, or a stale one (model.h). */
jd_status rank_cache_model(jd_db *db, struct class_model **out);

/* ---- xquery.c ---- */

/* The class search: every term in every field of non-zero weight that
 * holds it, adjacent word pairs and keyword phrases. */
jd_status rank_class_query(const struct chosen *terms, size_t nterms,
                           const struct rank_query *q,
                           const struct rank_params *p, struct xs_query **out);

/* The title search over the items database: the terms any class has in
 * its title field, under the title prefix of title items (schema.h). */
jd_status rank_title_query(const struct chosen *terms, size_t nterms,
                           struct xs_query **out);

/* *Q without the documents of term PREFIX + ID (ID NULL: unchanged). */
jd_status rank_exclude(struct xs_query **q, const char *prefix, const char *id);

/* *Q kept to the documents POOL matches (POOL NULL: unchanged). */
jd_status rank_restrict_to(struct xs_query **q, struct xs_query *pool);

/* ---- describe.c ---- */

/* Hit H's terms, from the match list of hit I of M: the USED terms its
 * class holds, by share of weight, and their coverage. */
jd_status rank_hit_terms(jd_db *db, struct xs_mset *m, size_t i, jd_results *r,
                         struct jd_hit *h, const struct termmap *used);

#endif
