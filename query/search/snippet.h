/*
 * snippet.h: which duties and qualifications of a hit matched, with the
 * matched words located in the item text.
 */
#ifndef JD_SNIPPET_H
#define JD_SNIPPET_H

#include "indexer/text/analyze.h"
#include "indexer/util/termmap.h"
#include "jobdex.h"

/* The field prefix (schema.h) that the text of LIST was indexed under:
 * "duties" -> "D", "knowledge" -> "K", "summary" -> "S" ... */
const char *snippet_prefix(const char *list);

/* The shape of a parsed query, so that a phrase's words are marked only
 * where they stand together. */
struct snippet_phrase {
    char **terms; /* prefixed, in order */
    size_t n;
    unsigned window;
};

struct snippet_query {
    struct termmap phrase_only; /* terms that occur only inside phrases */
    struct termmap wildcards;   /* prefixed patterns of trailing-* words */
    struct snippet_phrase *phrases;
    size_t nphrases;
};

struct xs_query;
jd_status snippet_query_init(struct snippet_query *sq,
                             const struct xs_query *q);
void snippet_query_free(struct snippet_query *sq);

/*
 * Give hit H of R up to MAX snippets: the items of its record whose words
 * include the most distinct terms of TERMS (the query terms the hit
 * matched, prefixed as indexed), with those words' byte ranges. With SQ,
 * a phrase's words count only where the phrase occurs. Summary text is
 * cut to a window around its first match.
 */
jd_status snippets_add(jd_results *r, struct jd_hit *h, struct analyzer *a,
                       const struct termmap *terms,
                       const struct snippet_query *sq, size_t max);

/* The spans of TEXT that match (see snippets_add) under PREFIX; matches
 * separated only by blanks are merged into one span. *N spans are stored
 * in R's arena at *OUT; *DISTINCT counts distinct terms and phrases. */
jd_status snippet_spans(jd_results *r, struct analyzer *a, const char *text,
                        const char *prefix, const struct termmap *terms,
                        const struct snippet_query *sq, struct jd_span **out,
                        size_t *n, size_t *distinct);

#endif
