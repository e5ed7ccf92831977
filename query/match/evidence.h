/*
 * evidence.h: why a class matched: which of its duties and qualifications
 * match which lines of the query text, and which it has that the text
 * does not cover (gaps).
 */
#ifndef JD_EVIDENCE_H
#define JD_EVIDENCE_H

#include "jobdex.h"
#include "query/match/tfidf.h"

#include <stdint.h>

/* The query side: numbered lines (of a résumé) or items (of a class, for
 * `similar`), each as a tf-idf vector. */
struct qline {
    unsigned line;
    const char *text; /* borrowed from the caller's text */
    size_t len;
    struct tvec v;
};

struct qlines {
    struct qline *v;
    size_t n, cap;
    /* Which lines hold each stem, built once for all the hits: the lines
     * of stem K are line_of[start[K] .. start[K + 1]), in order. */
    struct termmap stems; /* stem -> K + 1 */
    size_t *start;
    uint32_t *line_of;
};

/* Lines of TEXT; a very long line is cut into sentences that keep its
 * line number. TEXT must outlive Q, which starts zeroed. */
jd_status qlines_from_text(struct qlines *q, struct analyzer *a,
                           struct idf *idf, const char *text, size_t len);
/* Items of LIST, numbered by their item numbers. */
jd_status qlines_from_items(struct qlines *q, struct analyzer *a,
                            struct idf *idf, const struct jd_item_list *list);
void qlines_free(struct qlines *q);

/* A duty or qualification as common as "performs other duties as
 * required": never a gap, weak evidence. */
bool evidence_is_boilerplate(const char *text);

/*
 * Fill H's evidence (items of the class that match a query line, best
 * first) and, with GAPS, its gaps (duties and qualifications no query line
 * covers), in R's arena.
 *
 * Each item is compared with the lines that share a stem with it, found
 * through Q's stems, the lines of its rarest stems first, and with at most
 * max(EVIDENCE_ITEM_LINES, EVIDENCE_HIT_LINES / items) of them: every
 * line of a résumé against a class of ordinary size, a bounded number
 * when a text of thousands of lines meets a class of thousands of items,
 * so that the work for a hit grows with the class and the text, never
 * with their product.
 */
jd_status evidence_add(jd_results *r, struct jd_hit *h, struct analyzer *a,
                       struct idf *idf, const struct qlines *q, bool gaps,
                       const struct surface *words);

/* Similarity at which an item counts as evidence, and under which a
 * duty or qualification counts as a gap (tf-idf cosine). Evidence also
 * needs EVIDENCE_SHARED words in common, so a résumé heading such as
 * "EXPERIENCE" never stands for a whole requirement. */
#define EVIDENCE_SHARED 2
#define EVIDENCE_MIN    0.15
#define GAP_MAX         0.10
/* Lines compared with the items of one hit in all, and with one item at
 * least. */
#define EVIDENCE_HIT_LINES  ((size_t)1 << 17)
#define EVIDENCE_ITEM_LINES 64

#endif
