/*
 * tfidf.c: see tfidf.h.
 */
#include "query/match/tfidf.h"

#include "indexer/store/db.h"

#include <math.h>
#include <string.h>

jd_status
idf_init(struct idf *d, struct jd_db *db)
{
    memset(d, 0, sizeof(*d));
    d->db = db;
    size_t n;
    jd_status st = xs_doccount(db->items, &n, db->msg, sizeof(db->msg));
    d->n_docs = (double)n;
    return st;
}

jd_status
idf_get(struct idf *d, const char *term, size_t len, double *out)
{
    const struct termmap_entry *e = termmap_find(&d->cache, term, len);
    if (e) {
        *out = e->value;
        return JD_OK;
    }
    size_t df;
    jd_status st = xs_termfreq(d->db->items, term, len, &df, d->db->msg,
                               sizeof(d->db->msg));
    if (st != JD_OK)
        return st;
    struct termmap_entry *ne = termmap_get(&d->cache, term, len);
    if (!ne)
        return JD_ERR_NOMEM;
    ne->value = log((d->n_docs + 1.0) / ((double)df + 0.5));
    if (ne->value < 0)
        ne->value = 0;
    *out = ne->value;
    return JD_OK;
}

void
idf_free(struct idf *d)
{
    termmap_free(&d->cache);
}

static jd_status
count_term(void *ctx, const char *term, size_t len, size_t pos, size_t start,
           size_t end)
{
    (void)pos;
    (void)start;
    (void)end;
    struct termmap_entry *e = termmap_get(ctx, term, len);
    if (!e)
        return JD_ERR_NOMEM;
    e->value += 1;
    return JD_OK;
}

jd_status
tvec_from_text(struct tvec *v, struct analyzer *a, struct idf *idf,
               const char *text, size_t len)
{
    termmap_clear(&v->w);
    v->norm = 0;
    size_t pos = 0;
    jd_status st = analyze_text(a, text, len, &pos, count_term, &v->w);
    if (st != JD_OK)
        return st;
    double sum = 0;
    for (size_t i = 0; i < v->w.cap; i++) {
        struct termmap_entry *e = &v->w.slots[i];
        if (!e->key)
            continue;
        double w;
        if ((st = idf_get(idf, e->key, e->len, &w)) != JD_OK)
            return st;
        e->value = (1.0 + log(e->value)) * w;
        sum += e->value * e->value;
    }
    v->norm = sqrt(sum);
    return JD_OK;
}

double
tvec_cosine(const struct tvec *a, const struct tvec *b)
{
    if (a->norm == 0 || b->norm == 0)
        return 0;
    const struct tvec *small = a->w.n <= b->w.n ? a : b;
    const struct tvec *big = small == a ? b : a;
    double dot = 0;
    size_t i = 0;
    const struct termmap_entry *e;
    while ((e = termmap_next(&small->w, &i)) != NULL) {
        const struct termmap_entry *f = termmap_find(&big->w, e->key, e->len);
        if (f)
            dot += e->value * f->value;
    }
    return dot / (a->norm * b->norm);
}

void
tvec_free(struct tvec *v)
{
    termmap_free(&v->w);
    v->norm = 0;
}

static jd_status
note_surface(void *ctx, const char *term, size_t len, size_t pos, size_t start,
             size_t end)
{
    (void)pos;
    struct surface *s = ctx;
    if (termmap_find(&s->start, term, len))
        return JD_OK;
    struct termmap_entry *a = termmap_get(&s->start, term, len);
    struct termmap_entry *b = termmap_get(&s->len, term, len);
    if (!a || !b)
        return JD_ERR_NOMEM;
    a->value = (double)start;
    b->value = (double)(end - start);
    return JD_OK;
}

jd_status
surface_init(struct surface *s, struct analyzer *a, const char *text,
             size_t len)
{
    memset(s, 0, sizeof(*s));
    s->text = text;
    size_t pos = 0;
    jd_status st = analyze_text(a, text, len, &pos, note_surface, s);
    return st;
}

const char *
surface_word(const struct surface *s, const char *stem, char *buf, size_t size)
{
    size_t n = strlen(stem);
    const struct termmap_entry *a = s ? termmap_find(&s->start, stem, n) : NULL;
    const struct termmap_entry *b = s ? termmap_find(&s->len, stem, n) : NULL;
    if (!a || !b || size == 0)
        return stem;
    size_t len = (size_t)b->value;
    if (len >= size)
        len = size - 1;
    const char *w = s->text + (size_t)a->value;
    for (size_t i = 0; i < len; i++)
        buf[i] = (char)((w[i] >= 'A' && w[i] <= 'Z') ? w[i] + 32 : w[i]);
    buf[len] = '\0';
    return buf;
}

void
surface_free(struct surface *s)
{
    termmap_free(&s->start);
    termmap_free(&s->len);
}
