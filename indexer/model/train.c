/*
 * model_train.c: fitting the class model (model.h) to an index's records.
 *
 * Examples: each class's title, each alternate title, each duty and its
 * summary, labelled with the class; their words as the analyser stems
 * them, weighted (1 + log tf) * idf and scaled to unit length (idf over
 * the examples). A softmax regression is fitted by stochastic gradient
 * descent, examples in a fixed pseudo-random order per epoch (the same
 * index always gives the same model), step LEARNING_RATE / (1 + epoch).
 * These settings were chosen on the 60/40 split of the O*NET dev sets
 * (bench/results/ranking.md). The concept space (concepts.h) is fitted
 * to the same words, summed per class, before the regression.
 */
#include "indexer/model/model.h"

#include "indexer/model/concepts.h"
#include "indexer/spec/json.h"
#include "indexer/store/schema.h"
#include "indexer/util/buf.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { EPOCHS = 10 };
static const float LEARNING_RATE = 2.0f;
static const float L2 = 1e-7f;

struct feature {
    uint32_t term;
    float value;
};

/* A growing array of strings. */
struct strings {
    char **v;
    size_t n, cap;
};

/* Append a copy of the LEN bytes at S; false when out of memory. */
static bool
strings_push(struct strings *a, const char *s, size_t len)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 256;
        char **v = realloc(a->v, cap * sizeof(*v));
        if (!v)
            return false;
        a->v = v;
        a->cap = cap;
    }
    if (!(a->v[a->n] = strndup(s, len)))
        return false;
    a->n++;
    return true;
}

static void
strings_free(struct strings *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->v[i]);
    free(a->v);
}

struct examples {
    struct termmap vocab; /* stem -> term number + 1 */
    size_t nterms;
    struct strings class_ids; /* row order */
    size_t *start;            /* example k: features [start[k], start[k + 1]) */
    uint32_t *label;
    size_t n, cap;
    struct feature *f;
    size_t nf, capf;
    struct analyzer *an;
    size_t cls; /* class of the examples being added */
};

static void
examples_free(struct examples *e)
{
    termmap_free(&e->vocab);
    strings_free(&e->class_ids);
    free(e->start);
    free(e->label);
    free(e->f);
}

static jd_status
push_term(void *ctx, const char *term, size_t len, size_t pos, size_t start,
          size_t end)
{
    (void)pos, (void)start, (void)end;
    struct examples *e = ctx;
    struct termmap_entry *t = termmap_get(&e->vocab, term, len);
    if (!t)
        return JD_ERR_NOMEM;
    if (t->value == 0)
        t->value = (double)++e->nterms;
    if (e->nf == e->capf) {
        size_t cap = e->capf ? e->capf * 2 : 4096;
        struct feature *v = realloc(e->f, cap * sizeof(*v));
        if (!v)
            return JD_ERR_NOMEM;
        e->f = v;
        e->capf = cap;
    }
    e->f[e->nf++] = (struct feature){(uint32_t)(t->value - 1), 1.0f};
    return JD_OK;
}

static int
by_term(const void *x, const void *y)
{
    const struct feature *a = x, *b = y;
    return a->term < b->term ? -1 : a->term > b->term;
}

/* One example from TEXT, for the current class: its words, each once
 * with its count in VALUE. */
static jd_status
add_example(struct examples *e, const char *text)
{
    if (!text || !*text)
        return JD_OK;
    if (e->n + 1 >= e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 1024;
        size_t *s = realloc(e->start, (cap + 1) * sizeof(*s));
        if (!s)
            return JD_ERR_NOMEM;
        e->start = s;
        uint32_t *l = realloc(e->label, cap * sizeof(*l));
        if (!l)
            return JD_ERR_NOMEM;
        e->label = l;
        e->cap = cap;
    }
    size_t from = e->nf, pos = 0;
    jd_status st = analyze_text(e->an, text, strlen(text), &pos, push_term, e);
    if (st != JD_OK)
        return st;
    if (e->nf == from)
        return JD_OK; /* stop words only */
    qsort(e->f + from, e->nf - from, sizeof(*e->f), by_term);
    size_t to = from;
    for (size_t i = from; i < e->nf; i++) {
        if (to > from && e->f[to - 1].term == e->f[i].term)
            e->f[to - 1].value += 1.0f;
        else
            e->f[to++] = e->f[i];
    }
    e->nf = to;
    e->start[e->n] = from;
    e->label[e->n++] = (uint32_t)e->cls;
    e->start[e->n] = e->nf;
    return JD_OK;
}

static jd_status
add_record(struct examples *e, const jd_spec *s)
{
    jd_status st = add_example(e, s->title);
    for (size_t i = 0; i < s->alt_titles.len && st == JD_OK; i++)
        st = add_example(e, s->alt_titles.v[i]);
    for (size_t i = 0; i < s->duties.len && st == JD_OK; i++)
        st = add_example(e, s->duties.v[i].text);
    if (st == JD_OK)
        st = add_example(e, s->summary);
    return st;
}

/* Class ids, in term order (the order of MODEL_CLASSES rows). */
static int
collect_id(void *ctx, const char *term, size_t len, size_t freq)
{
    (void)freq;
    struct examples *e = ctx;
    size_t pl = strlen(PREFIX_ID);
    return strings_push(&e->class_ids, term + pl, len - pl) ? 0 : 1;
}

/* The examples of every class of DB into E; *CLASSES is the number of
 * classes, and E stays empty when it is over the limit. */
static jd_status
read_examples(jd_db *db, struct examples *e, size_t *classes)
{
    jd_status st = xs_doccount(db->classes, classes, db->msg, sizeof(db->msg));
    if (st != JD_OK || *classes > MODEL_MAX_CLASSES)
        return st;
    st = xs_allterms(db->classes, PREFIX_ID, collect_id, e, db->msg,
                     sizeof(db->msg));
    if (st != JD_OK || e->class_ids.n == 0)
        return st;
    char term[1100];
    for (size_t c = 0; c < e->class_ids.n && st == JD_OK; c++) {
        snprintf(term, sizeof(term), PREFIX_ID "%s", e->class_ids.v[c]);
        st = xs_data_by_term(db->classes, term, &db->scratch, db->msg,
                             sizeof(db->msg));
        jd_spec *s = NULL;
        if (st == JD_OK)
            st = db_parse_record(db, e->class_ids.v[c], db->scratch.data,
                                 db->scratch.len, &s);
        if (st == JD_ERR_CORRUPT)
            return st;
        e->cls = c;
        if (st == JD_OK)
            st = add_record(e, s);
        jd_spec_free(s);
    }
    return st;
}

/* The class-by-word counts of E's examples (concepts.h), before
 * weigh_features() turns counts into weights. Examples come class by
 * class, as read_examples() adds them. */
struct counts {
    size_t *start;
    uint32_t *term;
    float *tf;
};

static void
counts_free(struct counts *k)
{
    free(k->start);
    free(k->term);
    free(k->tf);
}

static jd_status
count_class_terms(const struct examples *e, struct counts *k,
                  struct class_terms *x)
{
    size_t nc = e->class_ids.n;
    float *acc = calloc(e->nterms ? e->nterms : 1, sizeof(*acc));
    k->start = calloc(nc + 1, sizeof(*k->start));
    k->term = malloc((e->nf ? e->nf : 1) * sizeof(*k->term));
    k->tf = malloc((e->nf ? e->nf : 1) * sizeof(*k->tf));
    if (!acc || !k->start || !k->term || !k->tf) {
        free(acc);
        return JD_ERR_NOMEM;
    }
    size_t n = 0, ex = 0;
    for (size_t c = 0; c < nc; c++) {
        for (; ex < e->n && e->label[ex] == c; ex++)
            for (size_t i = e->start[ex]; i < e->start[ex + 1]; i++) {
                if (acc[e->f[i].term] == 0)
                    k->term[n++] = e->f[i].term; /* words, once each */
                acc[e->f[i].term] += e->f[i].value;
            }
        for (size_t i = k->start[c]; i < n; i++) {
            k->tf[i] = acc[k->term[i]];
            acc[k->term[i]] = 0;
        }
        k->start[c + 1] = n;
    }
    free(acc);
    *x = (struct class_terms){nc, e->nterms, k->start, k->term, k->tf};
    return JD_OK;
}

/* Feature values: (1 + log tf) * idf, each example of unit length. */
static jd_status
weigh_features(struct examples *e, float **idf_out)
{
    float *idf = calloc(e->nterms ? e->nterms : 1, sizeof(*idf));
    if (!idf)
        return JD_ERR_NOMEM;
    for (size_t i = 0; i < e->nf; i++)
        idf[e->f[i].term] += 1.0f; /* document frequency first */
    for (size_t t = 0; t < e->nterms; t++)
        idf[t] = logf((1.0f + (float)e->n) / (1.0f + idf[t])) + 1.0f;
    for (size_t k = 0; k < e->n; k++) {
        float norm = 0;
        for (size_t i = e->start[k]; i < e->start[k + 1]; i++) {
            struct feature *f = &e->f[i];
            f->value = (1.0f + logf(f->value)) * idf[f->term];
            norm += f->value * f->value;
        }
        norm = sqrtf(norm);
        for (size_t i = e->start[k]; i < e->start[k + 1]; i++)
            e->f[i].value /= norm;
    }
    *idf_out = idf;
    return JD_OK;
}

static uint64_t
next_random(uint64_t *state)
{
    /* xorshift64*: enough to shuffle, and the same on every machine. */
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return *state * 0x2545F4914F6CDD1DULL;
}

/* One step on example K: W and BIAS move against the gradient of the
 * log-loss of its label. SCORE is scratch for NCLASSES floats. The loops
 * over classes are the whole cost of training: they are written for the
 * compiler to vectorise (restrict, and -fvect-cost-model=dynamic in the
 * Makefile). */
static void
sgd_step(const struct examples *e, size_t k, float *restrict w,
         float *restrict bias, float *restrict score, float eta)
{
    size_t nc = e->class_ids.n;
    memcpy(score, bias, nc * sizeof(*score));
    for (size_t i = e->start[k]; i < e->start[k + 1]; i++) {
        const float *restrict row = w + (size_t)e->f[i].term * nc;
        float v = e->f[i].value;
        for (size_t c = 0; c < nc; c++)
            score[c] += v * row[c];
    }
    float max = score[0];
    for (size_t c = 1; c < nc; c++)
        max = score[c] > max ? score[c] : max;
    float sum = 0;
    for (size_t c = 0; c < nc; c++) {
        score[c] = expf(score[c] - max);
        sum += score[c];
    }
    /* SCORE becomes the gradient: probability minus the label's 1. */
    float inv = 1.0f / sum;
    for (size_t c = 0; c < nc; c++)
        score[c] *= inv;
    score[e->label[k]] -= 1.0f;
    float decay = 1.0f - eta * L2;
    for (size_t i = e->start[k]; i < e->start[k + 1]; i++) {
        float *restrict row = w + (size_t)e->f[i].term * nc;
        float step = eta * e->f[i].value;
        for (size_t c = 0; c < nc; c++)
            row[c] = row[c] * decay - step * score[c];
    }
    for (size_t c = 0; c < nc; c++)
        bias[c] -= eta * score[c];
}

/* Every this many steps, fit() looks at its STOP flag. */
enum { STOP_CHECK_STEPS = 1024 };

static jd_status
fit(const struct examples *e, float *w, float *bias,
    const volatile sig_atomic_t *stop)
{
    size_t *order = malloc((e->n ? e->n : 1) * sizeof(*order));
    float *score = malloc(e->class_ids.n * sizeof(*score));
    if (!order || !score) {
        free(order);
        free(score);
        return JD_ERR_NOMEM;
    }
    for (size_t k = 0; k < e->n; k++)
        order[k] = k;
    uint64_t state = 0x9E3779B97F4A7C15ULL;
    for (int epoch = 0; epoch < EPOCHS; epoch++) {
        for (size_t k = e->n; k > 1; k--) {
            size_t j = (size_t)(next_random(&state) % k);
            size_t t = order[k - 1];
            order[k - 1] = order[j];
            order[j] = t;
        }
        float eta = LEARNING_RATE / (float)(1 + epoch);
        for (size_t k = 0; k < e->n; k++) {
            if (stop && k % STOP_CHECK_STEPS == 0 && *stop) {
                free(order);
                free(score);
                return JD_ERR_INTERRUPTED;
            }
            sgd_step(e, order[k], w, bias, score, eta);
        }
    }
    free(order);
    free(score);
    return JD_OK;
}

/* Old term rows: those the new vocabulary lacks are removed. */
struct sweep {
    const struct termmap *vocab;
    struct strings stale;
};

static int
note_stale(void *ctx, const char *key, size_t len, size_t unused)
{
    (void)unused;
    struct sweep *s = ctx;
    size_t pl = strlen(MODEL_TERM_PREFIX);
    if (s->vocab && termmap_find(s->vocab, key + pl, len - pl))
        return 0;
    return strings_push(&s->stale, key, len) ? 0 : 1;
}

/* Remove the model's keys (all of them when VOCAB is NULL, else the term
 * rows of words VOCAB lacks); the caller commits. */
static jd_status
remove_keys(jd_db *db, const struct termmap *vocab)
{
    struct sweep s = {vocab, {NULL, 0, 0}};
    jd_status st = xs_metadata_keys(db->classes, MODEL_TERM_PREFIX, note_stale,
                                    &s, db->msg, sizeof(db->msg));
    for (size_t i = 0; i < s.stale.n && st == JD_OK; i++)
        st = xs_set_metadata(db->classes, s.stale.v[i], "", db->msg,
                             sizeof(db->msg));
    strings_free(&s.stale);
    if (st == JD_OK && !vocab) {
        const char *keys[] = {MODEL_HEADER, MODEL_CLASSES, MODEL_BIAS,
                              MODEL_CONCEPTS};
        for (size_t i = 0; i < 4 && st == JD_OK; i++)
            st = xs_set_metadata(db->classes, keys[i], "", db->msg,
                                 sizeof(db->msg));
    }
    return st;
}

/* The K floats at V as a scale and K signed bytes (v = scale * byte) at
 * OUT. */
static void
put_quantised(unsigned char *out, const float *v, size_t k)
{
    float max = 0;
    for (size_t j = 0; j < k; j++)
        if (fabsf(v[j]) > max)
            max = fabsf(v[j]);
    float scale = max > 0 ? max / 127.0f : 1.0f;
    model_put_f32(out, scale);
    for (size_t j = 0; j < k; j++)
        out[4 + j] = (unsigned char)(signed char)lrintf(v[j] / scale);
}

/* Each class's point in the concept space, quantised (MODEL_CONCEPTS). */
static jd_status
write_points(jd_db *db, const struct concepts *cs, size_t nc)
{
    size_t k = cs->k;
    unsigned char *b = malloc(nc * (4 + k) + 1);
    if (!b)
        return JD_ERR_NOMEM;
    for (size_t c = 0; c < nc; c++)
        put_quantised(b + c * (4 + k), cs->point + c * k, k);
    jd_status st =
        xs_set_metadata_n(db->classes, MODEL_CONCEPTS, (const char *)b,
                          k ? nc * (4 + k) : 0, db->msg, sizeof(db->msg));
    free(b);
    return st;
}

/* Write the fitted model: each term row quantised to a byte per class,
 * keeping only the classes whose byte is 2 or more either way (about
 * one in fifteen: ranking is the same on the dev sets, the model five
 * times smaller). */
static jd_status
write_model(jd_db *db, const struct examples *e, const float *w,
            const float *bias, const float *idf, const struct concepts *cs)
{
    size_t nc = e->class_ids.n, k = cs->k;
    unsigned char *row = malloc(12 + k + 3 * nc);
    char key[sizeof(MODEL_TERM_PREFIX) + TERM_MAX + 8];
    if (!row)
        return JD_ERR_NOMEM;
    jd_status st = remove_keys(db, &e->vocab);
    size_t i = 0;
    const struct termmap_entry *t;
    while (st == JD_OK && (t = termmap_next(&e->vocab, &i)) != NULL) {
        size_t term = (size_t)t->value - 1;
        const float *wr = w + term * nc;
        float max = 0;
        for (size_t c = 0; c < nc; c++)
            if (fabsf(wr[c]) > max)
                max = fabsf(wr[c]);
        float scale = max > 0 ? max / 127.0f : 1.0f;
        model_put_f32(row, idf[term]);
        model_put_f32(row + 4, scale);
        put_quantised(row + 8, k ? cs->loading + term * k : NULL, k);
        size_t len = 12 + k;
        for (size_t c = 0; c < nc; c++) {
            long q = lrintf(wr[c] / scale);
            if (q > -MODEL_MIN_WEIGHT && q < MODEL_MIN_WEIGHT)
                continue;
            row[len++] = (unsigned char)(c & 0xff);
            row[len++] = (unsigned char)(c >> 8);
            row[len++] = (unsigned char)(signed char)q;
        }
        int n = snprintf(key, sizeof(key), MODEL_TERM_PREFIX "%.*s",
                         (int)t->len, t->key);
        if (n < 0 || (size_t)n >= sizeof(key))
            continue; /* cannot happen: stems are at most TERM_MAX */
        st = xs_set_metadata_n(db->classes, key, row, len, db->msg,
                               sizeof(db->msg));
    }
    free(row);
    jd_buf b = {0};
    for (size_t c = 0; c < nc && st == JD_OK; c++)
        if ((st = buf_puts(&b, e->class_ids.v[c])) == JD_OK)
            st = buf_putc(&b, '\n');
    if (st == JD_OK)
        st = xs_set_metadata_n(db->classes, MODEL_CLASSES, b.data, b.len,
                               db->msg, sizeof(db->msg));
    buf_clear(&b);
    for (size_t c = 0; c < nc && st == JD_OK; c++) {
        unsigned char f[4];
        model_put_f32(f, bias[c]);
        st = buf_append(&b, (const char *)f, sizeof(f));
    }
    if (st == JD_OK)
        st = xs_set_metadata_n(db->classes, MODEL_BIAS, b.data, b.len, db->msg,
                               sizeof(db->msg));
    jd_buf_free(&b);
    if (st == JD_OK)
        st = write_points(db, cs, nc);
    char header[96];
    snprintf(header, sizeof(header), "%d %lu %zu %zu %zu", MODEL_VERSION,
             db->batch, nc, e->nterms, k);
    if (st == JD_OK)
        st = xs_set_metadata(db->classes, MODEL_HEADER, header, db->msg,
                             sizeof(db->msg));
    return st;
}

static jd_status
skip(jd_db *db, struct jd_model_stats *out, const char *why)
{
    snprintf(out->why_not, sizeof(out->why_not), "%s", why);
    jd_status st = remove_keys(db, NULL);
    return st == JD_OK ? xs_commit(db->classes, db->msg, sizeof(db->msg)) : st;
}

jd_status
model_train(jd_db *db, const volatile sig_atomic_t *stop,
            struct jd_model_stats *out)
{
    *out = (struct jd_model_stats){0};
    struct examples e = {.an = db->an};
    struct counts counts = {0};
    struct concepts cs = {0};
    float *w = NULL, *bias = NULL, *idf = NULL;
    char why[160];
    size_t classes = 0;
    jd_status st = read_examples(db, &e, &classes);
    out->classes = classes;
    out->terms = e.nterms;
    out->examples = e.n;
    if (st != JD_OK)
        goto done;
    if (classes > MODEL_MAX_CLASSES) {
        snprintf(why, sizeof(why),
                 "%zu classes is over the %d a model is trained for", classes,
                 MODEL_MAX_CLASSES);
        st = skip(db, out, why);
        goto done;
    }
    if (e.class_ids.n < 2 || e.n == 0) {
        st = skip(db, out, "fewer than 2 classes with text");
        goto done;
    }
    if (e.nterms > MODEL_MAX_WEIGHTS / e.class_ids.n) {
        snprintf(why, sizeof(why),
                 "%zu words x %zu classes is over %zu weights", e.nterms,
                 e.class_ids.n, MODEL_MAX_WEIGHTS);
        st = skip(db, out, why);
        goto done;
    }
    struct class_terms x;
    if ((st = count_class_terms(&e, &counts, &x)) != JD_OK ||
        (st = concepts_fit(&x, stop, &cs)) != JD_OK)
        goto done;
    out->concepts = cs.k;
    snprintf(out->concepts_why_not, sizeof(out->concepts_why_not), "%s",
             cs.why_not);
    w = calloc(e.nterms * e.class_ids.n, sizeof(*w));
    bias = calloc(e.class_ids.n, sizeof(*bias));
    if (!w || !bias || (st = weigh_features(&e, &idf)) != JD_OK) {
        st = st != JD_OK ? st : JD_ERR_NOMEM;
        goto done;
    }
    if ((st = fit(&e, w, bias, stop)) != JD_OK ||
        (st = write_model(db, &e, w, bias, idf, &cs)) != JD_OK ||
        (st = xs_commit(db->classes, db->msg, sizeof(db->msg))) != JD_OK)
        goto done;
    out->trained = true;
done:
    if (st == JD_ERR_NOMEM && !db->msg[0])
        db_fail(db, st, "out of memory training the class model");
    free(w);
    free(bias);
    free(idf);
    concepts_free(&cs);
    counts_free(&counts);
    examples_free(&e);
    return st;
}

jd_status
jd_db_train_model(jd_db *db, const volatile sig_atomic_t *stop,
                  struct jd_model_stats *out)
{
    if (!db->writable)
        return db_fail(db, JD_ERR_INVALID_ARG, "index is open read-only");
    return model_train(db, stop, out);
}
