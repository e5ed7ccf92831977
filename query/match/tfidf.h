/*
 * tfidf.h: tf-idf vectors of stems, for comparing a line of a résumé with
 * a duty, or two duties. Document frequencies come from the items
 * database, where each duty or qualification is one document.
 */
#ifndef JD_TFIDF_H
#define JD_TFIDF_H

#include "indexer/text/analyze.h"
#include "indexer/util/termmap.h"
#include "jobdex.h"

struct jd_db;

struct idf {
    struct jd_db *db;
    double n_docs;
    struct termmap cache;
};

jd_status idf_init(struct idf *d, struct jd_db *db);
/* ln((N + 1) / (df + 0.5)): rare terms weigh more; a term the index has
 * never seen weighs most. */
jd_status idf_get(struct idf *d, const char *term, size_t len, double *out);
void idf_free(struct idf *d);

struct tvec {
    struct termmap w; /* stem -> (1 + ln tf) * idf */
    double norm;
};

/* V = the vector of TEXT (cleared first). */
jd_status tvec_from_text(struct tvec *v, struct analyzer *a, struct idf *idf,
                         const char *text, size_t len);
double tvec_cosine(const struct tvec *a, const struct tvec *b);
void tvec_free(struct tvec *v);

/* How a stem was spelled in a text, for showing terms to people: the
 * first word in TEXT that gave each stem. */
struct surface {
    const char *text;
    struct termmap start, len; /* stem -> byte offset, byte length */
};

jd_status surface_init(struct surface *s, struct analyzer *a, const char *text,
                       size_t len);
/* The word for STEM in lower case (copied into BUF), or STEM itself. */
const char *surface_word(const struct surface *s, const char *stem, char *buf,
                         size_t size);
void surface_free(struct surface *s);

#endif
