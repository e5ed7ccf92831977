/*
 * results.c: the jd_results object.
 */
#include "query/core/results.h"

#include "indexer/util/arena.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

jd_status
results_new(jd_results **out)
{
    jd_results *r = calloc(1, sizeof(*r));
    if (!r || !(r->mem = arena_new())) {
        free(r);
        *out = NULL;
        return JD_ERR_NOMEM;
    }
    *out = r;
    return JD_OK;
}

void
jd_results_free(jd_results *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        jd_spec_free(r->specs[i]);
    free(r->specs);
    free(r->hits);
    arena_free(r->mem);
    free(r);
}

jd_status
results_add(jd_results *r, jd_spec *spec, double score, struct jd_hit **out)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        struct jd_hit *h = realloc(r->hits, cap * sizeof(*h));
        if (h)
            r->hits = h;
        jd_spec **s = realloc(r->specs, cap * sizeof(jd_spec *));
        if (s)
            r->specs = s;
        if (!h || !s) {
            jd_spec_free(spec);
            return JD_ERR_NOMEM;
        }
        r->cap = cap;
    }
    struct jd_hit *h = &r->hits[r->n];
    memset(h, 0, sizeof(*h));
    h->spec = spec;
    h->score = score;
    h->model = -1;
    h->concepts = -1;
    r->specs[r->n++] = spec;
    if (out)
        *out = h;
    return JD_OK;
}

void *
results_alloc(jd_results *r, size_t size)
{
    void *p = arena_alloc(r->mem, size ? size : 1);
    if (p)
        memset(p, 0, size);
    return p;
}

const char *
results_strdup(jd_results *r, const char *s, size_t len)
{
    return arena_strndup(r->mem, s, len);
}

void
results_finish(jd_results *r)
{
    double top = r->n ? r->hits[0].score : 0;
    for (size_t i = 0; i < r->n; i++) {
        r->hits[i].rank = (unsigned)i + 1;
        double p = top > 0 ? 100.0 * r->hits[i].score / top : 0;
        r->hits[i].percent = (unsigned)lround(p < 0 ? 0 : p > 100 ? 100 : p);
    }
    if (r->total < r->n)
        r->total = r->n;
}

size_t
jd_results_count(const jd_results *r)
{
    return r->n;
}

const struct jd_hit *
jd_results_get(const jd_results *r, size_t i)
{
    return i < r->n ? &r->hits[i] : NULL;
}

size_t
jd_results_total(const jd_results *r)
{
    return r->total;
}

size_t
jd_results_parts(const jd_results *r)
{
    return r->parts;
}
