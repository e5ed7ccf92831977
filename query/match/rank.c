/*
 * rank.c: ranking classes for a bag of query words.
 *
 * A class's score has two parts:
 *   - BM25 over the class document, each query word searched in every
 *     field with the field's weight (a title hit counts more than a hit in
 *     working conditions) and, for keyword phrases, the phrase as a whole;
 *   - the score of its best single duty or qualification in the items
 *     database (a résumé line that matches one duty closely says more than
 *     the same words scattered over a whole spec).
 * Both are normalised by the query's best value before they are added, so
 * the mix does not depend on query length. Only the most informative
 * query words (qtf x idf) are kept, which bounds the cost of long texts.
 * A text of several parts (a résumé's title line and list items) is also
 * ranked part by part, each with the weights of its own length, and the
 * parts' scores are added to the whole text's (add_parts).
 */
#include "query/match/rank.h"

#include "indexer/model/model.h"
#include "indexer/spec/record.h"
#include "indexer/store/db.h"
#include "indexer/store/schema.h"
#include "query/core/filter.h"
#include "query/core/results.h"
#include "query/match/parts.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The weights for three query lengths, in distinct content words: a job
 * title (about 2), a duty statement (about 10) and a paragraph or résumé
 * (about 50). A query between two anchors gets weights interpolated in
 * log(length). Short queries lean on titles; sentences on duties, one
 * item at a time; paragraphs on the whole class.
 */
const struct rank_model rank_model = {
    .words = {2, 10, 50},
    .at =
        {
            {/* title-like */
             .w_title = 8.0,
             .w_summary = 1.0,
             .w_duty = 0.0,
             .w_qual = 0.2,
             .w_other = 0.0,
             .phrase_boost = 1.0,
             .pair_weight = 0.0,
             .item_weight = 0.0,
             .title_weight = 0.5,
             .model_weight = 0.8,
             .concept_weight = 0.3,
             .whole_weight = 0.25,
             .k1 = 3.0,
             .b = 0.75,
             .delta = 1.0,
             .item_knn = 0,
             .title_knn = 0,
             .gamma = 1,
             .head_boost = 1.5,
             .oov_prefix = 0.6,
             .max_df = 1,
             .max_terms = 64,
             .candidates = 100},
            {/* sentence-like */
             .w_title = 0.0,
             .w_summary = 1.0,
             .w_duty = 3.0,
             .w_qual = 0.0,
             .w_other = 0.0,
             .phrase_boost = 1.0,
             .pair_weight = 0.5,
             .item_weight = 0.0,
             .title_weight = 0.0,
             .model_weight = 0.3,
             .concept_weight = 1.6,
             .whole_weight = 0.25,
             .k1 = 3.0,
             .b = 0.3,
             .delta = 0.5,
             .item_knn = 0,
             .title_knn = 0,
             .gamma = 1,
             .head_boost = 1,
             .oov_prefix = 0.6,
             .max_df = 1,
             .max_terms = 64,
             .candidates = 100},
            {/* paragraph-like */
             .w_title = 5.0,
             .w_summary = 1.0,
             .w_duty = 2.0,
             .w_qual = 0.0,
             .w_other = 0.0,
             .phrase_boost = 1.0,
             .pair_weight = 0.0,
             .item_weight = 0.0,
             .title_weight = 1.0,
             .model_weight = 0.5,
             .concept_weight = 0.8,
             .whole_weight = 2.0,
             .k1 = 2.0,
             .b = 0.75,
             .delta = 0.0,
             .item_knn = 0,
             .title_knn = 0,
             .gamma = 1,
             .head_boost = 1,
             .max_df = 1,
             .max_terms = 32,
             .candidates = 100},
        },
};

/* The knobs of an anchor, by name (for $JOBDEX_RANK and interpolation). */
static const struct {
    const char *name;
    size_t offset;
} knobs[] = {
    {"w_title", offsetof(struct rank_params, w_title)},
    {"w_summary", offsetof(struct rank_params, w_summary)},
    {"w_duty", offsetof(struct rank_params, w_duty)},
    {"w_qual", offsetof(struct rank_params, w_qual)},
    {"w_other", offsetof(struct rank_params, w_other)},
    {"phrase_boost", offsetof(struct rank_params, phrase_boost)},
    {"pair_weight", offsetof(struct rank_params, pair_weight)},
    {"item_weight", offsetof(struct rank_params, item_weight)},
    {"title_weight", offsetof(struct rank_params, title_weight)},
    {"model_weight", offsetof(struct rank_params, model_weight)},
    {"concept_weight", offsetof(struct rank_params, concept_weight)},
    {"whole_weight", offsetof(struct rank_params, whole_weight)},
    {"k1", offsetof(struct rank_params, k1)},
    {"b", offsetof(struct rank_params, b)},
    {"delta", offsetof(struct rank_params, delta)},
    {"item_knn", offsetof(struct rank_params, item_knn)},
    {"title_knn", offsetof(struct rank_params, title_knn)},
    {"gamma", offsetof(struct rank_params, gamma)},
    {"head_boost", offsetof(struct rank_params, head_boost)},
    {"idf_power", offsetof(struct rank_params, idf_power)},
    {"oov_prefix", offsetof(struct rank_params, oov_prefix)},
    {"max_df", offsetof(struct rank_params, max_df)},
    {"max_terms", offsetof(struct rank_params, max_terms)},
    {"candidates", offsetof(struct rank_params, candidates)},
};

static double *
knob(struct rank_params *p, const char *name)
{
    for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++)
        if (strcmp(name, knobs[i].name) == 0)
            /* cppcheck-suppress invalidPointerCast ; offsetof a double */
            return (double *)((char *)p + knobs[i].offset);
    return NULL;
}

/*
 * The model in force: rank_model, or for tuning experiments with the
 * overrides of $JOBDEX_RANK ("s.w_title=4,m.k1=2": s, m, l for the short,
 * medium and long anchors). Read once per process.
 */
static const struct rank_model *
model(void)
{
    static struct rank_model m;
    static bool ready;
    if (ready)
        return &m;
    m = rank_model;
    const char *env = getenv("JOBDEX_RANK");
    while (env && *env) {
        char anchor, key[32];
        int used = 0;
        if (sscanf(env, "%c.%31[a-z_0-9]=%n", &anchor, key, &used) != 2 ||
            used == 0)
            break;
        char *end;
        double v = strtod(env + used, &end);
        if (end == env + used)
            break;
        int a = anchor == 's' ? 0 : anchor == 'm' ? 1 : anchor == 'l' ? 2 : -1;
        double *f = a >= 0 ? knob(&m.at[a], key) : NULL;
        if (f)
            *f = v;
        env = end;
        if (*env == ',')
            env++;
    }
    ready = true;
    return &m;
}

/* The weights for a query of WORDS distinct content words. */
static struct rank_params
params_for(size_t words)
{
    const struct rank_model *m = model();
    double x = log(words > 1 ? (double)words : 1.0);
    size_t lo = 0;
    double t = 0;
    if (x <= log(m->words[0])) {
        lo = 0;
    } else if (x >= log(m->words[2])) {
        lo = 1;
        t = 1;
    } else {
        lo = x < log(m->words[1]) ? 0 : 1;
        t = (x - log(m->words[lo])) /
            (log(m->words[lo + 1]) - log(m->words[lo]));
    }
    struct rank_params p = m->at[lo], hi = m->at[lo + 1];
    for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
        /* cppcheck-suppress invalidPointerCast ; offsetof a double */
        double *a = (double *)((char *)&p + knobs[i].offset);
        /* cppcheck-suppress invalidPointerCast ; offsetof a double */
        double b = *(double *)((char *)&hi + knobs[i].offset);
        *a += t * (b - *a);
    }
    p.item_knn = floor(p.item_knn + 0.5);
    p.title_knn = floor(p.title_knn + 0.5);
    return p;
}

static const char *const field_prefix[] = {
    PREFIX_TITLE, PREFIX_SUMMARY, PREFIX_DUTY, PREFIX_QUAL, PREFIX_OTHER};

static double
field_weight(const struct rank_params *p, size_t f)
{
    const double w[] = {p->w_title, p->w_summary, p->w_duty, p->w_qual,
                        p->w_other};
    return w[f];
}

/* ------------------------------------------------------------------ */
/* The query                                                           */
/* ------------------------------------------------------------------ */

struct collect {
    struct termmap *qtf;
    char last[TERM_MAX + 1]; /* the last stem seen */
    char **stems;
    size_t *pos;
    size_t n, cap;
};

static jd_status
collect_term(void *ctx, const char *term, size_t len, size_t pos, size_t start,
             size_t end)
{
    (void)start;
    (void)end;
    struct collect *c = ctx;
    struct termmap_entry *e = termmap_get(c->qtf, term, len);
    if (!e) {
        return JD_ERR_NOMEM;
    }
    e->value += 1;
    memcpy(c->last, term, len);
    c->last[len] = '\0';
    if (c->stems) {
        if (c->n == c->cap) {
            size_t cap = c->cap ? c->cap * 2 : 8;
            char **s = realloc(c->stems, cap * sizeof(*s));
            size_t *p = s ? realloc(c->pos, cap * sizeof(*p)) : NULL;
            if (s)
                c->stems = s;
            if (!s || !p)
                return JD_ERR_NOMEM;
            c->pos = p;
            c->cap = cap;
        }
        c->stems[c->n] = strndup(term, len);
        c->pos[c->n] = pos;
        if (!c->stems[c->n])
            return JD_ERR_NOMEM;
        c->n++;
    }
    return JD_OK;
}

static jd_status
add_phrase(struct rank_query *q, struct collect *c)
{
    if (c->n < 2) {
        for (size_t i = 0; i < c->n; i++)
            free(c->stems[i]);
        return JD_OK;
    }
    struct rank_phrase *v = realloc(q->phrases, (q->nphrases + 1) * sizeof(*v));
    if (!v)
        return JD_ERR_NOMEM;
    q->phrases = v;
    struct rank_phrase *ph = &q->phrases[q->nphrases++];
    ph->stems = malloc(c->n * sizeof(char *));
    if (!ph->stems)
        return JD_ERR_NOMEM;
    memcpy(ph->stems, c->stems, c->n * sizeof(char *));
    ph->n = c->n;
    ph->window = (unsigned)(c->pos[c->n - 1] - c->pos[0] + 1);
    return JD_OK;
}

jd_status
rank_query_build(struct rank_query *q, struct analyzer *a, const char *text,
                 size_t len, bool keywords)
{
    memset(q, 0, sizeof(*q));
    jd_status st = JD_OK;
    if (!keywords) {
        struct collect c = {&q->qtf, "", NULL, NULL, 0, 0};
        c.stems = malloc(8 * sizeof(char *));
        c.pos = malloc(8 * sizeof(size_t));
        c.cap = 8;
        if (!c.stems || !c.pos) {
            free(c.stems);
            free(c.pos);
            return JD_ERR_NOMEM;
        }
        /* A title's head noun comes before any parenthesis: "IS Tech
         * (Information Systems Technician)". */
        const char *paren = memchr(text, '(', len);
        size_t head_len = paren && paren > text ? (size_t)(paren - text) : len;
        size_t pos = 0;
        st = analyze_text(a, text, head_len, &pos, collect_term, &c);
        if (st == JD_OK && c.last[0] && !(q->head = strdup(c.last)))
            st = JD_ERR_NOMEM;
        if (st == JD_OK && head_len < len)
            st = analyze_text(a, text + head_len, len - head_len, &pos,
                              collect_term, &c);
        q->words = pos;
        q->terms = c.n;
        q->seq.stems = c.stems; /* rank_query_free frees them */
        q->seq.n = c.n;
        q->seq_pos = c.pos;
        return st;
    }
    size_t start = 0;
    for (size_t i = 0; i <= len && st == JD_OK; i++) {
        if (i < len && text[i] != ',' && text[i] != ';' && text[i] != '\n')
            continue;
        struct collect c = {&q->qtf, "", NULL, NULL, 0, 0};
        c.stems = malloc(8 * sizeof(char *));
        c.pos = malloc(8 * sizeof(size_t));
        c.cap = 8;
        size_t pos = 0;
        if (!c.stems || !c.pos)
            st = JD_ERR_NOMEM;
        else
            st = analyze_text(a, text + start, i - start, &pos, collect_term,
                              &c);
        q->terms += c.n;
        if (st == JD_OK)
            st = add_phrase(q, &c);
        else
            for (size_t k = 0; k < c.n; k++)
                free(c.stems[k]);
        q->words += pos;
        free(c.stems);
        free(c.pos);
        start = i + 1;
    }
    return st;
}

/* Free what Q holds but its parts (a part has no parts of its own). */
static void
query_fields_free(struct rank_query *q)
{
    termmap_free(&q->qtf);
    free(q->head);
    for (size_t i = 0; i < q->nphrases; i++) {
        for (size_t k = 0; k < q->phrases[i].n; k++)
            free(q->phrases[i].stems[k]);
        free(q->phrases[i].stems);
    }
    free(q->phrases);
    for (size_t k = 0; k < q->seq.n; k++)
        free(q->seq.stems[k]);
    free(q->seq.stems);
    free(q->seq_pos);
    memset(q, 0, sizeof(*q));
}

void
rank_query_free(struct rank_query *q)
{
    for (size_t i = 0; i < q->nparts; i++)
        query_fields_free(&q->parts[i]);
    free(q->parts);
    query_fields_free(q);
}

/* Parts ranked on their own, at most: a longer text's neighbouring parts
 * are joined, which bounds a résumé's cost at MAX_PARTS + 1 rankings. */
#define MAX_PARTS 8

jd_status
rank_query_add_parts(struct rank_query *q, struct analyzer *a, const char *text,
                     size_t len)
{
    struct text_span *spans = NULL;
    size_t n = 0;
    jd_status st = text_parts(text, len, MAX_PARTS, &spans, &n);
    if (st != JD_OK || n < 2) {
        free(spans);
        return st;
    }
    q->parts = calloc(n, sizeof(*q->parts));
    if (!q->parts) {
        free(spans);
        return JD_ERR_NOMEM;
    }
    for (size_t i = 0; i < n && st == JD_OK; i++) {
        struct rank_query *part = &q->parts[q->nparts];
        st = rank_query_build(part, a, text + spans[i].start, spans[i].len,
                              false);
        if (st == JD_OK && part->qtf.n > 0)
            q->nparts++;
        else
            query_fields_free(part);
    }
    free(spans);
    if (st == JD_OK && q->nparts >= 2)
        return JD_OK;
    for (size_t i = 0; i < q->nparts; i++)
        query_fields_free(&q->parts[i]);
    free(q->parts);
    q->parts = NULL;
    q->nparts = 0;
    return st;
}

/* ------------------------------------------------------------------ */
/* Choosing terms                                                      */
/* ------------------------------------------------------------------ */

enum { NFIELDS = 5 };

struct chosen {
    const char *stem;
    size_t len;
    double qtf, idf;
    double boost;       /* head_boost for a title's head noun, else 1 */
    size_t df[NFIELDS]; /* classes holding it, per field */
};

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
            size_t pl = strlen(field_prefix[f]);
            memcpy(term, field_prefix[f], pl);
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

/* Shortest stand-in for a word no class has (see choose_terms). */
#define OOV_PREFIX_MIN 5

static jd_status
choose_terms(jd_db *db, const struct rank_query *q, const struct rank_params *p,
             struct chosen **out, size_t *n)
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
    size_t common = 0;
    struct df_cache *cache = df_cache_for(db, classes);
    while ((e = termmap_next(&q->qtf, &i)) != NULL) {
        struct chosen *c = &v[k];
        size_t df;
        if ((st = class_df(db, cache, e->key, e->len, c->df, &df)) != JD_OK) {
            free(v);
            return st;
        }
        size_t len = e->len;
        double stand_in = 1.0;
        if (df == 0 && p->oov_prefix > 0) {
            /* A word no class has ("oysterman", "shanker") may stand for
             * the longest word it starts with that one has ("oyster",
             * "shank"), at a discount. */
            for (len = e->len - 1; len >= OOV_PREFIX_MIN && df == 0; len--)
                if ((st = class_df(db, cache, e->key, len, c->df, &df)) !=
                    JD_OK) {
                    free(v);
                    return st;
                }
            len++;
            stand_in = p->oov_prefix;
        }
        if (df == 0)
            continue; /* no class has it: it cannot change the ranking */
        double idf = log(((double)classes + 1.0) / ((double)df + 0.5));
        double boost =
            q->head && strcmp(q->head, e->key) == 0 ? p->head_boost : 1.0;
        boost *= stand_in;
        if (p->idf_power != 0 && idf > 0)
            boost *= pow(idf, p->idf_power);
        c->stem = e->key;
        c->len = len;
        c->qtf = e->value;
        c->idf = idf > 0 ? idf : 0;
        c->boost = boost;
        common += (double)df > p->max_df * (double)classes;
        k++;
    }
    if (k > 1)
        qsort(v, k, sizeof(*v), by_weight);
    /* Words in more than MAX_DF of the classes say little and cost much
     * (long posting lists); a long query drops them, keeping the rest. */
    if (common > 0 && common < k)
        k -= common; /* they sort last: lowest idf */
    size_t max_terms = (size_t)(p->max_terms + 0.5);
    if (k > max_terms)
        k = max_terms > 0 ? max_terms : 1;
    *out = v;
    *n = k;
    return JD_OK;
}

/* ------------------------------------------------------------------ */
/* Queries                                                             */
/* ------------------------------------------------------------------ */

static jd_status
prefixed(const char *prefix, const char *stem, size_t len, unsigned wqf,
         double scale, struct xs_query **out)
{
    char term[TERM_MAX + 8];
    size_t pl = strlen(prefix);
    /* NOLINTNEXTLINE(bugprone-not-null-terminated-result): passed by length */
    memcpy(term, prefix, pl);
    memcpy(term + pl, stem, len);
    struct xs_query *t;
    jd_status st = xs_query_term(term, pl + len, wqf, &t);
    if (st != JD_OK || scale == 1.0) {
        *out = st == JD_OK ? t : NULL;
        return st;
    }
    st = xs_query_scale(t, scale, out);
    xs_query_free(t);
    return st;
}

/* OR of all parts; the parts are freed. */
static jd_status
or_all(struct xs_query **parts, size_t n, struct xs_query **out)
{
    jd_status st = xs_query_combine(XS_OP_OR, parts, n, 0, out);
    for (size_t i = 0; i < n; i++)
        xs_query_free(parts[i]);
    return st;
}

static bool
chosen_has(const struct chosen *terms, size_t nterms, const char *stem)
{
    size_t len = strlen(stem);
    for (size_t i = 0; i < nterms; i++)
        if (len == terms[i].len && memcmp(stem, terms[i].stem, len) == 0)
            return true;
    return false;
}

/* Grow *PARTS (of *CAP) to hold one more. */
static jd_status
parts_room(struct xs_query ***parts, size_t n, size_t *cap)
{
    if (n < *cap)
        return JD_OK;
    struct xs_query **v = realloc(*parts, *cap * 2 * sizeof(struct xs_query *));
    if (!v)
        return JD_ERR_NOMEM;
    *parts = v;
    *cap *= 2;
    return JD_OK;
}

/* A phrase query for the words A and B, GAP positions apart, in the
 * field with prefix PREFIX, weighted by SCALE. */
static jd_status
pair_query(const char *prefix, const char *a, const char *b, size_t gap,
           double scale, struct xs_query **out)
{
    struct xs_query *w[2] = {NULL, NULL}, *phrase = NULL;
    jd_status st = prefixed(prefix, a, strlen(a), 1, 1.0, &w[0]);
    if (st == JD_OK)
        st = prefixed(prefix, b, strlen(b), 1, 1.0, &w[1]);
    if (st == JD_OK)
        st = xs_query_combine(XS_OP_PHRASE, w, 2, (unsigned)gap + 1, &phrase);
    xs_query_free(w[0]);
    xs_query_free(w[1]);
    if (st == JD_OK)
        st = xs_query_scale(phrase, scale, out);
    xs_query_free(phrase);
    return st;
}

/* Word pairs are taken among this many of the most informative query
 * words: a duty statement has fewer, and in a paragraph every pair costs
 * a phrase check per field (12 instead of all: ESCO 21% faster, MRR
 * unchanged). */
#define PAIR_TERMS 12

/* Phrase queries for each distinct pair of chosen query words that
 * stand next to each other in the text (a stop word between them
 * allowed), in every field of non-zero weight: "nurse practitioner"
 * is not "practical nurse". Appended to *PARTS (grown as needed). */
static jd_status
pair_queries(const struct chosen *terms, size_t nterms,
             const struct rank_query *q, const struct rank_params *p,
             struct xs_query ***parts, size_t *n, size_t *cap)
{
    size_t nf = sizeof(field_prefix) / sizeof(field_prefix[0]);
    size_t top = nterms < PAIR_TERMS ? nterms : PAIR_TERMS; /* by weight */
    struct termmap seen = {NULL, 0, 0};
    jd_status st = JD_OK;
    for (size_t i = 0; i + 1 < q->seq.n && st == JD_OK; i++) {
        const char *a = q->seq.stems[i], *b = q->seq.stems[i + 1];
        size_t gap = q->seq_pos[i + 1] - q->seq_pos[i];
        if (gap > 2 || strcmp(a, b) == 0 || !chosen_has(terms, top, a) ||
            !chosen_has(terms, top, b))
            continue;
        char key[2 * TERM_MAX + 2];
        int kl = snprintf(key, sizeof(key), "%s %s", a, b);
        struct termmap_entry *e = termmap_get(&seen, key, (size_t)kl);
        if (!e) {
            st = JD_ERR_NOMEM;
            break;
        }
        if (e->value++ > 0)
            continue; /* the same pair again */
        for (size_t f = 0; f < nf && st == JD_OK; f++) {
            if (field_weight(p, f) <= 0 ||
                (st = parts_room(parts, *n, cap)) != JD_OK)
                continue;
            st = pair_query(field_prefix[f], a, b, gap,
                            field_weight(p, f) * p->pair_weight, &(*parts)[*n]);
            if (st == JD_OK)
                (*n)++;
        }
    }
    termmap_free(&seen);
    return st;
}

static jd_status
class_query(const struct chosen *terms, size_t nterms,
            const struct rank_query *q, const struct rank_params *p,
            struct xs_query **out)
{
    size_t nf = sizeof(field_prefix) / sizeof(field_prefix[0]);
    size_t cap = nterms * nf + q->nphrases * nf + 1;
    struct xs_query **parts = calloc(cap, sizeof(struct xs_query *));
    if (!parts)
        return JD_ERR_NOMEM;
    size_t n = 0;
    jd_status st = JD_OK;
    /* A field of zero weight, or one no class has the word in, adds
     * nothing but work. */
    for (size_t i = 0; i < nterms && st == JD_OK; i++)
        for (size_t f = 0; f < nf && st == JD_OK; f++)
            if (field_weight(p, f) > 0 && terms[i].df[f] > 0)
                st = prefixed(field_prefix[f], terms[i].stem, terms[i].len,
                              (unsigned)terms[i].qtf,
                              field_weight(p, f) * terms[i].boost, &parts[n++]);
    /* Adjacent query words, in order, in the fields where wording is
     * precise. */
    if (st == JD_OK && p->pair_weight > 0)
        st = pair_queries(terms, nterms, q, p, &parts, &n, &cap);
    /* Keyword phrases, in the fields where wording is precise. */
    for (size_t k = 0; k < q->nphrases && st == JD_OK; k++) {
        const struct rank_phrase *ph = &q->phrases[k];
        for (size_t f = 0; f < nf && st == JD_OK; f++) {
            if (field_weight(p, f) <= 0)
                continue;
            struct xs_query **words = calloc(ph->n, sizeof(struct xs_query *));
            if (!words) {
                st = JD_ERR_NOMEM;
                break;
            }
            for (size_t w = 0; w < ph->n && st == JD_OK; w++)
                st = prefixed(field_prefix[f], ph->stems[w],
                              strlen(ph->stems[w]), 1, 1.0, &words[w]);
            struct xs_query *phrase = NULL;
            if (st == JD_OK)
                st = xs_query_combine(XS_OP_PHRASE, words, ph->n, ph->window,
                                      &phrase);
            for (size_t w = 0; w < ph->n; w++)
                xs_query_free(words[w]);
            free(words);
            if (st == JD_OK) {
                st = xs_query_scale(
                    phrase, field_weight(p, f) * p->phrase_boost, &parts[n++]);
                xs_query_free(phrase);
            }
        }
    }
    if (st == JD_OK) {
        st = or_all(parts, n, out);
    } else {
        for (size_t i = 0; i < n; i++)
            xs_query_free(parts[i]);
    }
    free(parts);
    return st;
}

/* The terms as an OR over item documents of the class field FIELD: a
 * word no class has in that field cannot match one of its items. Title
 * items hold their words under the title prefix (schema.h). */
static jd_status
item_query(const struct chosen *terms, size_t nterms, size_t field,
           struct xs_query **out)
{
    const char *prefix = field == 0 ? PREFIX_TITLE : "";
    struct xs_query **parts =
        calloc(nterms ? nterms : 1, sizeof(struct xs_query *));
    if (!parts)
        return JD_ERR_NOMEM;
    jd_status st = JD_OK;
    size_t n = 0;
    for (size_t i = 0; i < nterms && st == JD_OK; i++)
        if (terms[i].df[field] > 0)
            st = prefixed(prefix, terms[i].stem, terms[i].len,
                          (unsigned)terms[i].qtf, terms[i].boost, &parts[n++]);
    if (st == JD_OK)
        st = or_all(parts, n, out);
    else
        for (size_t i = 0; i < n; i++)
            xs_query_free(parts[i]);
    free(parts);
    return st;
}

static jd_status
exclude(struct xs_query **q, const char *prefix, const char *id)
{
    if (!id)
        return JD_OK;
    char term[1024];
    snprintf(term, sizeof(term), "%s%s", prefix, id);
    struct xs_query *nq;
    jd_status st = xs_query_term(term, strlen(term), 1, &nq);
    if (st != JD_OK)
        return st;
    struct xs_query *both[2] = {*q, nq};
    struct xs_query *res;
    st = xs_query_combine(XS_OP_AND_NOT, both, 2, 0, &res);
    xs_query_free(nq);
    if (st == JD_OK) {
        xs_query_free(*q);
        *q = res;
    }
    return st;
}

/* Keep *Q to the documents POOL matches (NULL: all). */
static jd_status
restrict_to(struct xs_query **q, struct xs_query *pool)
{
    if (!pool)
        return JD_OK;
    struct xs_query *both[2] = {*q, pool};
    struct xs_query *res;
    jd_status st = xs_query_combine(XS_OP_FILTER, both, 2, 0, &res);
    if (st == JD_OK) {
        xs_query_free(*q);
        *q = res;
    }
    return st;
}

/* ------------------------------------------------------------------ */
/* Merging class and item scores                                       */
/* ------------------------------------------------------------------ */

struct cand {
    char *id;
    double cls, item, title, model, concept, score;
    long hit; /* index in the class results, or -1 */
};

struct cands {
    struct cand *v;
    size_t n, cap;
    struct termmap index; /* id -> position + 1 */
};

static struct cand *
cand_get(struct cands *c, const char *id, size_t len)
{
    struct termmap_entry *e = termmap_get(&c->index, id, len);
    if (!e)
        return NULL;
    if (e->value > 0)
        return &c->v[(size_t)e->value - 1];
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        struct cand *v = realloc(c->v, cap * sizeof(*v));
        if (!v)
            return NULL;
        c->v = v;
        c->cap = cap;
    }
    struct cand *x = &c->v[c->n++];
    x->id = strndup(id, len);
    if (!x->id) {
        c->n--;
        return NULL;
    }
    x->cls = x->item = x->title = x->model = x->concept = x->score = 0;
    x->hit = -1;
    e->value = (double)c->n;
    return x;
}

static void
cands_free(struct cands *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->v[i].id);
    free(c->v);
    termmap_free(&c->index);
}

static int
by_value_desc(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a > b ? -1 : a < b ? 1 : 0;
}

/* The MOST best-scored classes of CANDS (ties kept) as a filter: their
 * PREFIX + id terms, ORed. */
static jd_status
pool_query(const struct cands *cands, size_t most, const char *prefix,
           struct xs_query **out)
{
    *out = NULL;
    double cut = -HUGE_VAL;
    if (cands->n > most && most > 0) {
        double *scores = malloc(cands->n * sizeof(*scores));
        if (!scores)
            return JD_ERR_NOMEM;
        for (size_t i = 0; i < cands->n; i++)
            scores[i] = cands->v[i].score;
        qsort(scores, cands->n, sizeof(*scores), by_value_desc);
        cut = scores[most - 1];
        free(scores);
    }
    struct xs_query **ids =
        calloc(cands->n ? cands->n : 1, sizeof(struct xs_query *));
    if (!ids)
        return JD_ERR_NOMEM;
    jd_status st = JD_OK;
    char term[1024];
    for (size_t i = 0; i < cands->n && st == JD_OK; i++) {
        if (cands->v[i].score < cut)
            continue;
        int len = snprintf(term, sizeof(term), "%s%s", prefix, cands->v[i].id);
        if (len > 0 && (size_t)len < sizeof(term))
            st = xs_query_term(term, (size_t)len, 1, &ids[i]);
    }
    if (st == JD_OK)
        st = xs_query_combine(XS_OP_OR, ids, cands->n, 0, out);
    for (size_t i = 0; i < cands->n; i++)
        xs_query_free(ids[i]);
    free(ids);
    return st;
}

/*
 * The best item of list LIST ("duties", "titles") per class, as a share of the
 * query's best such item, stored at byte offset FIELD of each candidate.
 */
static jd_status
best_items(jd_db *db, const struct rank_params *p, const struct chosen *terms,
           size_t nterms, const struct jd_filter *f, const char *exclude_id,
           struct xs_query *pool, const char *list, size_t want,
           struct cands *cands, size_t field)
{
    struct xs_query *q = NULL, *g = NULL;
    struct xs_mset *m = NULL;
    char gterm[32];
    snprintf(gterm, sizeof(gterm), PREFIX_LIST "%s", list);
    bool titles = strcmp(list, "titles") == 0;
    jd_status st = item_query(terms, nterms, titles ? 0 : 2, &q);
    /* Title words are in title items only (their own prefix), so only
     * other lists need the filter; it costs a walk of every title. */
    if (st == JD_OK && !titles)
        st = xs_query_term(gterm, strlen(gterm), 1, &g);
    if (st == JD_OK && !titles) {
        struct xs_query *both[2] = {q, g};
        struct xs_query *fq;
        st = xs_query_combine(XS_OP_FILTER, both, 2, 0, &fq);
        if (st == JD_OK) {
            xs_query_free(q);
            q = fq;
        }
    }
    if (st == JD_OK)
        st = filter_apply(&q, f, true);
    if (st == JD_OK)
        st = exclude(&q, PREFIX_PARENT, exclude_id);
    if (st == JD_OK)
        st = restrict_to(&q, pool);
    /* The K nearest items vote for their classes, each by its score
     * relative to the best item raised to the power GAMMA. */
    size_t k = (size_t)(titles ? p->title_knn : p->item_knn);
    struct xs_search s = {.query = q,
                          .limit = k ? k : want,
                          .k1 = p->k1,
                          .b = p->b,
                          .delta = p->delta,
                          .collapse_slot = k ? -1 : SLOT_ITEM_PARENT,
                          .sort_slot = -1};
    if (st == JD_OK)
        st = xs_enquire(db->items, &s, &m, db->msg, sizeof(db->msg));
    double top = st == JD_OK && xs_mset_size(m) ? xs_mset_weight(m, 0) : 0;
    for (size_t i = 0; st == JD_OK && i < xs_mset_size(m); i++) {
        st = xs_mset_value(m, i, SLOT_ITEM_PARENT, &db->scratch, db->msg,
                           sizeof(db->msg));
        if (st != JD_OK)
            break;
        struct cand *c = cand_get(cands, db->scratch.data, db->scratch.len);
        if (!c) {
            st = JD_ERR_NOMEM;
            break;
        }
        double rel = top > 0 ? xs_mset_weight(m, i) / top : 0;
        /* cppcheck-suppress invalidPointerCast ; offsetof a double */
        *(double *)((char *)c + field) += k ? pow(rel, p->gamma) : rel;
    }
    /* Normalise the votes by the best class's. */
    double best = 0;
    for (size_t i = 0; i < cands->n; i++) {
        /* cppcheck-suppress invalidPointerCast ; offsetof a double */
        double v = *(double *)((char *)&cands->v[i] + field);
        if (v > best)
            best = v;
    }
    for (size_t i = 0; best > 0 && i < cands->n; i++)
        /* cppcheck-suppress invalidPointerCast ; offsetof a double */
        *(double *)((char *)&cands->v[i] + field) /= best;
    xs_mset_free(m);
    xs_query_free(g);
    xs_query_free(q);
    return st;
}

/* The class model's score of each candidate (0 when the index has no
 * model, or a stale one: then *USED is false). */
static jd_status
model_scores(jd_db *db, const struct rank_query *q, struct cands *cands,
             bool *used)
{
    *used = false;
    struct df_cache *cache = db->query_cache; /* choose_terms made it */
    if (!cache)
        return JD_OK;
    if (!cache->model_read) {
        jd_status st = model_load(db, &cache->model);
        if (st != JD_OK)
            return st;
        cache->model_read = true;
    }
    if (!cache->model)
        return JD_OK;
    jd_status st = model_score(db, cache->model, &q->qtf);
    *used = st == JD_OK;
    for (size_t i = 0; i < cands->n && st == JD_OK; i++) {
        size_t len = strlen(cands->v[i].id);
        cands->v[i].model =
            model_class_score(cache->model, cands->v[i].id, len);
        cands->v[i].concept =
            model_class_concept(cache->model, cands->v[i].id, len);
    }
    return st;
}

static int
by_score(const void *x, const void *y)
{
    const struct cand *a = x, *b = y;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return strcmp(a->id, b->id);
}

/* The record of candidate C: whole when FULL, else its stub. */
static jd_status
load_record(jd_db *db, struct xs_mset *m, const struct cand *c, bool full,
            jd_spec **out)
{
    jd_status st;
    if (c->hit >= 0 && !full) {
        st = xs_mset_value(m, (size_t)c->hit, SLOT_STUB, &db->scratch, db->msg,
                           sizeof(db->msg));
    } else if (c->hit >= 0) {
        st = xs_mset_data(m, (size_t)c->hit, &db->scratch, db->msg,
                          sizeof(db->msg));
    } else {
        char term[1024];
        snprintf(term, sizeof(term), PREFIX_ID "%s", c->id);
        st = xs_data_by_term(db->classes, term, &db->scratch, db->msg,
                             sizeof(db->msg));
    }
    if (st != JD_OK)
        return st;
    return db_parse_record(db, c->id, db->scratch.data, db->scratch.len, out);
}

/* Collect the stems (prefixes dropped) of the query terms a hit matched. */
static int
matched_stem(void *ctx, const char *term, size_t len, size_t freq)
{
    (void)freq;
    size_t skip = 0;
    while (skip < len && term[skip] >= 'A' && term[skip] <= 'Z')
        skip++;
    return termmap_get(ctx, term + skip, len - skip) == NULL;
}

/* Terms of hit H: the USED terms its class holds, by share of weight. */
static jd_status
set_terms(jd_results *r, struct jd_hit *h, const struct termmap *stems,
          const struct termmap *used)
{
    double total = 0;
    size_t i = 0;
    const struct termmap_entry *e;
    while ((e = termmap_next(used, &i)) != NULL)
        total += e->value;
    struct jd_term_weight *tw =
        results_alloc(r, (used->n ? used->n : 1) * sizeof(*tw));
    if (!tw)
        return JD_ERR_NOMEM;
    size_t n = 0;
    double matched = 0;
    i = 0;
    while ((e = termmap_next(used, &i)) != NULL) {
        if (!termmap_find(stems, e->key, e->len))
            continue;
        matched += e->value;
        tw[n].term = results_strdup(r, e->key, e->len);
        tw[n].weight = total > 0 ? e->value / total : 0;
        if (!tw[n].term)
            return JD_ERR_NOMEM;
        n++;
    }
    h->terms = tw;
    h->nterms = n;
    h->coverage = total > 0 ? matched / total : 0;
    return JD_OK;
}

/* Where score_cands may look: the filter, a class left out, and the
 * classes (as class and as item filters) a part is confined to. */
struct scope {
    const struct jd_filter *f;
    const char *exclude_id;
    struct xs_query *pool_classes, *pool_items; /* NULL: anywhere */
};

/* The scores of Q's candidates: CANDS, with the class search's matches
 * in *CM (for their records) and its estimate of all matches in *TOTAL.
 * The query terms used, with their weights, go to USED. */
static jd_status
score_cands(jd_db *db, const struct rank_query *q, const struct scope *in,
            size_t limit, struct termmap *used, struct cands *cands,
            struct xs_mset **cm, size_t *total, bool *model_used)
{
    const struct jd_filter *f = in->f;
    const char *exclude_id = in->exclude_id;
    struct rank_params pw = params_for(q->qtf.n);
    const struct rank_params *p = &pw;
    struct chosen *terms = NULL;
    size_t nterms = 0;
    struct xs_query *cq = NULL;
    *model_used = false;
    jd_status st = choose_terms(db, q, p, &terms, &nterms);
    if (st != JD_OK || nterms == 0)
        goto out;
    for (size_t i = 0; i < nterms; i++) {
        struct termmap_entry *e =
            termmap_get(used, terms[i].stem, terms[i].len);
        if (!e) {
            st = JD_ERR_NOMEM;
            goto out;
        }
        e->value = terms[i].qtf * terms[i].idf;
    }

    if ((st = class_query(terms, nterms, q, p, &cq)) != JD_OK ||
        (st = filter_apply(&cq, f, false)) != JD_OK ||
        (st = exclude(&cq, PREFIX_ID, exclude_id)) != JD_OK ||
        (st = restrict_to(&cq, in->pool_classes)) != JD_OK)
        goto out;
    size_t cands_wanted = (size_t)(p->candidates + 0.5);
    size_t want = limit > cands_wanted ? limit : cands_wanted;
    struct xs_search s = {.query = cq,
                          .limit = want,
                          .k1 = p->k1,
                          .b = p->b,
                          .delta = p->delta,
                          .collapse_slot = -1,
                          .sort_slot = -1};
    if ((st = xs_enquire(db->classes, &s, cm, db->msg, sizeof(db->msg))) !=
        JD_OK)
        goto out;
    *total = xs_mset_estimated(*cm);
    double top_cls = xs_mset_size(*cm) ? xs_mset_weight(*cm, 0) : 0;
    for (size_t i = 0; i < xs_mset_size(*cm); i++) {
        if ((st = xs_mset_value(*cm, i, SLOT_ID, &db->scratch, db->msg,
                                sizeof(db->msg))) != JD_OK)
            goto out;
        struct cand *c = cand_get(cands, db->scratch.data, db->scratch.len);
        if (!c) {
            st = JD_ERR_NOMEM;
            goto out;
        }
        c->cls = top_cls > 0 ? xs_mset_weight(*cm, i) / top_cls : 0;
        c->hit = (long)i;
    }

    if (p->item_weight > 0 &&
        (st = best_items(db, p, terms, nterms, f, exclude_id, in->pool_items,
                         "duties", want, cands, offsetof(struct cand, item))) !=
            JD_OK)
        goto out;
    if (p->title_weight > 0 &&
        (st = best_items(db, p, terms, nterms, f, exclude_id, in->pool_items,
                         "titles", want, cands,
                         offsetof(struct cand, title))) != JD_OK)
        goto out;

    if ((p->model_weight > 0 || p->concept_weight > 0) &&
        (st = model_scores(db, q, cands, model_used)) != JD_OK)
        goto out;

    for (size_t i = 0; i < cands->n; i++)
    cands->v[i].score = cands->v[i].cls + p->item_weight * cands->v[i].item +
                        p->title_weight * cands->v[i].title +
                        p->model_weight * cands->v[i].model +
                        p->concept_weight * cands->v[i].concept;
out:
    xs_query_free(cq);
    free(terms);
    return st;
}

/*
 * Add each part's scores to the whole text's: a candidate's score becomes
 * WHOLE times its own plus what each part of Q gives it. WHOLE grows with
 * the text (0.25 for a short résumé, 2 from 50 content words): a long
 * text's one ranking knows more, and a class spec given as the query
 * then still finds itself. The parts are
 * ranked among the whole text's PART_POOL best candidates only: that
 * bounds their cost whatever the index's size, keeps each hit's model and
 * concept values the whole text's, and ranked better than letting each
 * part bring its own candidates (bench/results/ranking.md).
 */
#define PART_POOL 50

static jd_status
add_parts(jd_db *db, const struct rank_query *q, const struct scope *in,
          size_t limit, double whole, struct cands *cands)
{
    struct scope part_in = *in;
    jd_status st =
        pool_query(cands, PART_POOL, PREFIX_ID, &part_in.pool_classes);
    if (st == JD_OK)
        st = pool_query(cands, PART_POOL, PREFIX_PARENT, &part_in.pool_items);
    for (size_t i = 0; i < cands->n; i++)
        cands->v[i].score *= whole;
    for (size_t i = 0; i < q->nparts && st == JD_OK; i++) {
        struct cands pc = {NULL, 0, 0, {NULL, 0, 0}};
        struct termmap used = {NULL, 0, 0};
        struct xs_mset *pm = NULL;
        size_t total = 0;
        bool model_used;
        st = score_cands(db, &q->parts[i], &part_in, limit, &used, &pc, &pm,
                         &total, &model_used);
        for (size_t k = 0; k < pc.n && st == JD_OK; k++) {
            const struct termmap_entry *e =
                termmap_find(&cands->index, pc.v[k].id, strlen(pc.v[k].id));
            if (e && e->value > 0)
                cands->v[(size_t)e->value - 1].score += pc.v[k].score;
        }
        cands_free(&pc);
        termmap_free(&used);
        xs_mset_free(pm);
    }
    xs_query_free(part_in.pool_classes);
    xs_query_free(part_in.pool_items);
    return st;
}

jd_status
rank_run(jd_db *db, const struct rank_query *q, const struct jd_filter *f,
         const char *exclude_id, size_t limit, bool full, jd_results *r,
         struct termmap *used)
{
    struct xs_mset *cm = NULL;
    struct cands cands = {NULL, 0, 0, {NULL, 0, 0}};
    struct scope in = {f, exclude_id, NULL, NULL};
    size_t total = 0;
    bool model_used = false;
    jd_status st =
        score_cands(db, q, &in, limit, used, &cands, &cm, &total, &model_used);
    bool parted = st == JD_OK && q->nparts > 0 && cands.n > 0;
    if (parted)
        st = add_parts(db, q, &in, limit, params_for(q->qtf.n).whole_weight,
                       &cands);
    if (st != JD_OK)
        goto out;
    r->total = total;
    r->parts = parted ? q->nparts : 0;
    if (cands.n > 1)
        qsort(cands.v, cands.n, sizeof(*cands.v), by_score);
    for (size_t i = 0; i < cands.n && i < limit && st == JD_OK; i++) {
        jd_spec *spec;
        struct jd_hit *h;
        if ((st = load_record(db, cm, &cands.v[i], full, &spec)) != JD_OK ||
            (st = results_add(r, spec, cands.v[i].score, &h)) != JD_OK)
            break;
        if (model_used) {
            h->model = cands.v[i].model;
            const struct df_cache *cache = db->query_cache;
            if (model_concepts(cache->model) > 0)
            h->concepts = cands.v[i].concept;
        }
        if (cands.v[i].hit < 0)
            continue; /* found by its items only: rank_describe reads it */
        struct termmap stems = {NULL, 0, 0};
        st = xs_mset_matching_terms(cm, (size_t)cands.v[i].hit, matched_stem,
                                    &stems, db->msg, sizeof(db->msg));
        if (st == JD_OK)
            st = set_terms(r, h, &stems, used);
        termmap_free(&stems);
    }
    if (r->total < cands.n)
        r->total = cands.n;
out:
    cands_free(&cands);
    xs_mset_free(cm);
    return st;
}

/* ------------------------------------------------------------------ */
/* Terms and confidence                                                */
/* ------------------------------------------------------------------ */

static jd_status
add_stem(void *ctx, const char *term, size_t len, size_t pos, size_t start,
         size_t end)
{
    (void)pos;
    (void)start;
    (void)end;
    return termmap_get(ctx, term, len) ? JD_OK : JD_ERR_NOMEM;
}

static jd_status
stems_of_list(void *ctx, const char *name, const struct jd_item_list *list)
{
    (void)name;
    void **c = ctx;
    jd_status st = JD_OK;
    for (size_t i = 0; i < list->len && st == JD_OK; i++) {
        size_t pos = 0;
        st = analyze_text(c[0], list->v[i].text, strlen(list->v[i].text), &pos,
                          add_stem, c[1]);
    }
    return st;
}

/* Every stem of the record's text. */
static jd_status
record_stems(struct analyzer *a, const jd_spec *s, struct termmap *out)
{
    const char *texts[] = {s->title, s->summary, s->distinguishing,
                           s->supervision, s->working_conditions};
    jd_status st = JD_OK;
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]) && st == JD_OK;
         i++) {
        size_t pos = 0;
        if (texts[i])
            st = analyze_text(a, texts[i], strlen(texts[i]), &pos, add_stem,
                              out);
    }
    for (size_t i = 0; i < s->alt_titles.len && st == JD_OK; i++) {
        size_t pos = 0;
        st = analyze_text(a, s->alt_titles.v[i], strlen(s->alt_titles.v[i]),
                          &pos, add_stem, out);
    }
    if (st == JD_OK) {
        void *ctx[2] = {a, out};
        st = spec_each_clist(s, stems_of_list, ctx);
    }
    return st;
}

static int
by_term_weight(const void *x, const void *y)
{
    const struct jd_term_weight *a = x, *b = y;
    if (a->weight != b->weight)
        return a->weight > b->weight ? -1 : 1;
    return strcmp(a->term, b->term);
}

/* Terms named per hit, at most. */
#define MAX_TERMS 10

jd_status
rank_describe(jd_db *db, jd_results *r, const struct termmap *used,
              const struct surface *words)
{
    double coverage_top = 0;
    for (size_t h = 0; h < r->n; h++) {
        struct jd_hit *hit = &r->hits[h];
        jd_status st = JD_OK;
        if (!hit->terms) {
            /* No Xapian match list (found by its items only): the words
             * of the record itself. */
            struct termmap stems = {NULL, 0, 0};
            st = record_stems(db->an, hit->spec, &stems);
            if (st == JD_OK)
                st = set_terms(r, hit, &stems, used);
            termmap_free(&stems);
        }
        if (st != JD_OK)
            return st;
        /* Show the words as the query spelled them, heaviest first. */
        struct jd_term_weight *tw = (struct jd_term_weight *)hit->terms;
        for (size_t t = 0; t < hit->nterms; t++) {
            char buf[128];
            const char *w = surface_word(words, tw[t].term, buf, sizeof(buf));
            if (w != tw[t].term &&
                !(tw[t].term = results_strdup(r, w, strlen(w))))
                return JD_ERR_NOMEM;
        }
        if (hit->nterms > 1)
            qsort(tw, hit->nterms, sizeof(*tw), by_term_weight);
        if (hit->nterms > MAX_TERMS)
            hit->nterms = MAX_TERMS;
        double coverage = hit->coverage;
        if (h == 0) {
            coverage_top = coverage;
            double next = r->n > 1 ? r->hits[1].score : 0;
            double lead = hit->score > 0 ? (hit->score - next) / hit->score : 0;
            hit->confidence = coverage >= 0.5 && lead >= 0.10   ? "high"
                              : coverage >= 0.3 && lead >= 0.03 ? "medium"
                                                                : "review";
        } else {
            hit->confidence =
                hit->percent >= 90 && coverage >= 0.3 && coverage_top >= 0.3
                    ? "medium"
                    : "review";
        }
    }
    return JD_OK;
}
