/*
 * terms.c: which query words the ranking keeps (rank_choose_terms):
 * each word's document frequency in every class field, a stand-in for a
 * word no class has, the head noun's boost, and the most informative
 * words by qtf x idf. Owns the cache kept with the index handle: the
 * document frequencies it reads, and the class model (rank_cache_model).
 */
#include "query/match/rank_internal.h"

#include "indexer/store/db.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int
by_weight(const void *x, const void *y)
{
    const struct chosen *a = x, *b = y;
    double wa = a->qtf * a->idf, wb = b->qtf * b->idf;
    if (wa != wb)
        return wa > wb ? -1 : 1;
    return strcmp(a->stem, b->stem);
}

/*
 * Per-field document frequencies by stem, kept with the handle: a batch
 * of résumés asks for the same words again and again, five B-tree
 * lookups each. Valid while the class count it was filled at holds (a
 * writer's commit changes it; then it starts again).
 */
struct df_cache {
    struct termmap index; /* stem -> position in df + 1 */
    size_t (*df)[NFIELDS];
    size_t n, cap, classes;
    struct class_model *model; /* read at the first query that wants it */
    bool model_read;
};

static void
df_cache_free(void *p)
{
    struct df_cache *c = p;
    if (!c)
        return;
    termmap_free(&c->index);
    free(c->df);
    model_free(c->model);
    free(c);
}

static struct df_cache *
df_cache_for(jd_db *db, size_t classes)
{
    struct df_cache *c = db->query_cache;
    if (c && c->classes != classes) {
        termmap_clear(&c->index);
        c->n = 0;
        c->classes = classes;
        model_free(c->model);
        c->model = NULL;
        c->model_read = false;
    }
    if (!c && (c = calloc(1, sizeof(*c))) != NULL) {
        c->classes = classes;
        db->query_cache = c;
        db->query_cache_free = df_cache_free;
    }
    return c;
}

/* Remember DF for the stem of E (out of memory: it is only a cache). */
static void
df_cache_put(struct df_cache *c, struct termmap_entry *e, const size_t *df)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 1024;
        size_t(*v)[NFIELDS] = realloc(c->df, cap * sizeof(*v));
        if (!v)
            return;
        c->df = v;
        c->cap = cap;
    }
    memcpy(c->df[c->n], df, NFIELDS * sizeof(*df));
    e->value = (double)++c->n;
}

jd_status
rank_cache_model(jd_db *db, struct class_model **out)
{
    *out = NULL;
    struct df_cache *cache = db->query_cache; /* choose_terms made it */
    if (!cache)
        return JD_OK;
    if (!cache->model_read) {
        jd_status st = model_load(db, &cache->model);
        if (st != JD_OK)
            return st;
        cache->model_read = true;
    }
    *out = cache->model;
    return JD_OK;
}

/* Document frequency of STEM among classes in each field (DF) and in
 * the field where it is most common (the return in *MAX). */
static jd_status
class_df(jd_db *db, struct df_cache *cache, const char *stem, size_t len,
         size_t *df, size_t *max)
{
    struct termmap_entry *e =
        cache ? termmap_get(&cache->index, stem, len) : NULL;
    if (e && e->value > 0) {
        memcpy(df, cache->df[(size_t)e->value - 1], NFIELDS * sizeof(*df));
    } else {
        char term[TERM_MAX + 8];
        for (size_t f = 0; f < NFIELDS; f++) {
            size_t pl = strlen(rank_field_prefix[f]);
            memcpy(term, rank_field_prefix[f], pl);
            memcpy(term + pl, stem, len);
            jd_status st = xs_termfreq(db->classes, term, pl + len, &df[f],
                                       db->msg, sizeof(db->msg));
            if (st != JD_OK)
                return st;
        }
        if (e)
            df_cache_put(cache, e, df);
    }
    *max = 0;
    for (size_t f = 0; f < NFIELDS; f++)
        if (df[f] > *max)
            *max = df[f];
    return JD_OK;
}

/* Shortest stand-in for a word no class has (see stand_in). */
#define OOV_PREFIX_MIN 5

/*
 * A word no class has ("oysterman", "shanker") may stand for the longest
 * word it starts with that one has ("oyster", "shank"), at a discount:
 * C's df and *LEN become the stand-in's, *DF its most common field's
 * (0: none).
 */
static jd_status
stand_in(jd_db *db, struct df_cache *cache, const struct termmap_entry *e,
         struct chosen *c, size_t *len, size_t *df)
{
    for (*len = e->len - 1; *len >= OOV_PREFIX_MIN && *df == 0; (*len)--) {
        jd_status st = class_df(db, cache, e->key, *len, c->df, df);
        if (st != JD_OK)
            return st;
    }
    (*len)++;
    return JD_OK;
}

jd_status
rank_choose_terms(jd_db *db, const struct rank_query *q,
                  const struct rank_params *p, struct chosen **out, size_t *n)
{
    size_t classes;
    jd_status st = xs_doccount(db->classes, &classes, db->msg, sizeof(db->msg));
    if (st != JD_OK)
        return st;
    struct chosen *v = malloc((q->qtf.n ? q->qtf.n : 1) * sizeof(*v));
    if (!v)
        return JD_ERR_NOMEM;
    size_t k = 0, i = 0;
    const struct termmap_entry *e;
    struct df_cache *cache = df_cache_for(db, classes);
    while ((e = termmap_next(&q->qtf, &i)) != NULL) {
        struct chosen *c = &v[k];
        size_t df, len = e->len;
        double boost = 1.0;
        st = class_df(db, cache, e->key, e->len, c->df, &df);
        if (st == JD_OK && df == 0 && p->oov_prefix > 0) {
            st = stand_in(db, cache, e, c, &len, &df);
            boost = p->oov_prefix;
        }
        if (st != JD_OK) {
            free(v);
            return st;
        }
        if (df == 0)
            continue; /* no class has it: it cannot change the ranking */
        double idf = log(((double)classes + 1.0) / ((double)df + 0.5));
        if (q->head && strcmp(q->head, e->key) == 0)
            boost = p->head_boost * boost;
        c->stem = e->key;
        c->len = len;
        c->qtf = e->value;
        c->idf = idf > 0 ? idf : 0;
        c->boost = boost;
        k++;
    }
    if (k > 1)
        qsort(v, k, sizeof(*v), by_weight);
    size_t max_terms = (size_t)(p->max_terms + 0.5);
    if (k > max_terms)
        k = max_terms > 0 ? max_terms : 1;
    *out = v;
    *n = k;
    return JD_OK;
}
