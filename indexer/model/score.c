/*
 * model.c: reading the class model (model.h) and scoring a query with it;
 * the float codec of its rows, which model_train.c writes with.
 */
#include "indexer/model/model.h"

#include "indexer/store/schema.h"
#include "indexer/util/buf.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct class_model {
    size_t nclasses;
    struct termmap rows; /* class id -> row + 1 */
    float *bias;
    size_t k;        /* dimensions of the concept space */
    float *point;    /* k x nclasses (dimension-major, so that scoring
                        runs along the classes), each class of unit length */
    float *dot;      /* scratch: the query's dot product per row */
    double *query;   /* k: the query's point */
    double *concept; /* of the last model_score(), per row */
    double *score;   /* of the last model_score(), per row */
    double *sum;     /* scratch: the query's weights per row */
    jd_buf row;      /* scratch: one term row */
};

void
model_put_f32(unsigned char *out, float v)
{
    uint32_t u;
    memcpy(&u, &v, sizeof(u));
    for (int i = 0; i < 4; i++)
        out[i] = (unsigned char)(u >> (8 * i));
}

float
model_get_f32(const unsigned char *in)
{
    uint32_t u = 0;
    for (int i = 0; i < 4; i++)
        u |= (uint32_t)in[i] << (8 * i);
    float v;
    memcpy(&v, &u, sizeof(v));
    return v;
}

void
model_free(struct class_model *m)
{
    if (!m)
        return;
    termmap_free(&m->rows);
    free(m->bias);
    free(m->point);
    free(m->dot);
    free(m->query);
    free(m->concept);
    free(m->score);
    free(m->sum);
    jd_buf_free(&m->row);
    free(m);
}

/* The model's header into *INFO; JD_OK with INFO->state "none" when DB
 * has no model. */
static jd_status
read_header(jd_db *db, struct model_info *info)
{
    *info = (struct model_info){.state = "none"};
    jd_status st = xs_get_metadata(db->classes, MODEL_HEADER, &db->scratch,
                                   db->msg, sizeof(db->msg));
    if (st != JD_OK || db->scratch.len == 0)
        return st;
    char header[96];
    snprintf(header, sizeof(header), "%.*s", (int)db->scratch.len,
             db->scratch.data);
    /* Five numbers: version, batch, classes, words, concepts (version 2
     * had four: read as far as it goes, then it is stale). */
    unsigned long long v[5] = {0};
    const char *p = header;
    size_t n = 0;
    for (; n < 5 && *p; n++) {
        char *end;
        errno = 0;
        v[n] = strtoull(p, &end, 10);
        if (end == p || errno != 0 || (*end != ' ' && *end != '\0'))
            break;
        p = end;
    }
    if (n < 4 || *p != '\0' || v[2] == 0 || v[2] > SIZE_MAX / sizeof(double) ||
        v[4] > 4096)
        return db_fail(db, JD_ERR_CORRUPT,
                       "class model header '%.40s' is damaged", header);
    unsigned long long batch = v[1];
    info->classes = (size_t)v[2];
    info->terms = (size_t)v[3];
    info->concepts = (size_t)v[4];
    st = xs_get_metadata(db->classes, META_BATCH, &db->scratch, db->msg,
                         sizeof(db->msg));
    if (st != JD_OK)
        return st;
    unsigned long long now =
        db->scratch.len ? strtoull(db->scratch.data, NULL, 10) : 0;
    /* Another version's model is as good as none to this one. */
    info->state =
        now == batch && v[0] == MODEL_VERSION && n == 5 ? "current" : "stale";
    return JD_OK;
}

jd_status
model_info(jd_db *db, struct model_info *out)
{
    return read_header(db, out);
}

/* The classes' points in the concept space, each scaled to unit length
 * again (quantising moved them a little). */
static jd_status
read_points(jd_db *db, struct class_model *m)
{
    size_t k = m->k, nc = m->nclasses;
    if (k == 0)
        return JD_OK;
    jd_status st = xs_get_metadata(db->classes, MODEL_CONCEPTS, &db->scratch,
                                   db->msg, sizeof(db->msg));
    if (st == JD_OK && db->scratch.len != nc * (4 + k))
        st = db_fail(db, JD_ERR_CORRUPT, "class model concepts are damaged");
    for (size_t c = 0; c < nc && st == JD_OK; c++) {
        const unsigned char *r =
            (const unsigned char *)db->scratch.data + c * (4 + k);
        float scale = model_get_f32(r);
        double norm = 0;
        for (size_t j = 0; j < k; j++) {
            float v = scale * (float)(signed char)r[4 + j];
            m->point[j * nc + c] = v;
            norm += (double)v * v;
        }
        norm = norm > 0 ? sqrt(norm) : 1;
        for (size_t j = 0; j < k; j++)
            m->point[j * nc + c] = (float)(m->point[j * nc + c] / norm);
    }
    return st;
}

static jd_status
read_rows(jd_db *db, struct class_model *m)
{
    jd_status st = xs_get_metadata(db->classes, MODEL_CLASSES, &db->scratch,
                                   db->msg, sizeof(db->msg));
    const char *p = db->scratch.data, *end = p + db->scratch.len;
    size_t row = 0;
    while (st == JD_OK && p && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break;
        struct termmap_entry *e = termmap_get(&m->rows, p, (size_t)(nl - p));
        if (!e)
            return JD_ERR_NOMEM;
        e->value = (double)++row;
        p = nl + 1;
    }
    if (st == JD_OK && (row != m->nclasses || p != end))
        st = db_fail(db, JD_ERR_CORRUPT,
                     "class model lists %zu classes, its header %zu", row,
                     m->nclasses);
    if (st != JD_OK)
        return st;
    st = xs_get_metadata(db->classes, MODEL_BIAS, &db->scratch, db->msg,
                         sizeof(db->msg));
    if (st == JD_OK && db->scratch.len != 4 * m->nclasses)
        st = db_fail(db, JD_ERR_CORRUPT, "class model biases are damaged");
    for (size_t c = 0; c < m->nclasses && st == JD_OK; c++)
        m->bias[c] =
            model_get_f32((const unsigned char *)db->scratch.data + 4 * c);
    return st == JD_OK ? read_points(db, m) : st;
}

jd_status
model_load(jd_db *db, struct class_model **out)
{
    *out = NULL;
    struct model_info info;
    jd_status st = read_header(db, &info);
    if (st != JD_OK || strcmp(info.state, "current") != 0)
        return st;
    struct class_model *m = calloc(1, sizeof(*m));
    if (!m)
        return JD_ERR_NOMEM;
    m->nclasses = info.classes;
    m->k = info.concepts;
    m->bias = calloc(info.classes, sizeof(*m->bias));
    m->score = calloc(info.classes, sizeof(*m->score));
    m->concept = calloc(info.classes, sizeof(*m->concept));
    m->sum = calloc(info.classes, sizeof(*m->sum));
    m->point = calloc(info.classes * m->k + 1, sizeof(*m->point));
    m->dot = calloc(info.classes, sizeof(*m->dot));
    m->query = calloc(m->k + 1, sizeof(*m->query));
    st = m->bias && m->score && m->concept && m->sum && m->point && m->dot &&
                 m->query
             ? read_rows(db, m)
             : JD_ERR_NOMEM;
    if (st != JD_OK) {
        model_free(m);
        return st;
    }
    *out = m;
    return JD_OK;
}

static jd_status
damaged_row(jd_db *db, const char *stem, size_t len)
{
    return db_fail(db, JD_ERR_CORRUPT, "class model row of '%.*s' is damaged",
                   (int)len, stem);
}

/* Whether the term row R of LEN bytes has the shape model.h gives it:
 * 12 bytes, K of loading, 3 bytes per class weight, classes in range. */
static bool
row_intact(const struct class_model *m, const unsigned char *r, size_t len)
{
    size_t k = m->k;
    if (len < 12 + k || (len - 12 - k) % 3 != 0)
        return false;
    for (size_t at = 12 + k; at < len; at += 3)
        if (((size_t)r[at] | (size_t)r[at + 1] << 8) >= m->nclasses)
            return false;
    return true;
}

/* Each class's cosine with the query's point, relative to the best.
 * The loop along the classes is the cost (k x classes multiply-adds a
 * query): written for the compiler to vectorise, as in model_train.c. */
static void
place_query(struct class_model *m)
{
    size_t k = m->k, nc = m->nclasses;
    float *restrict dot = m->dot;
    double norm = 0, best = 0;
    memset(dot, 0, nc * sizeof(*dot));
    for (size_t j = 0; j < k; j++) {
        float q = (float)m->query[j];
        const float *restrict p = m->point + j * nc;
        norm += m->query[j] * m->query[j];
        for (size_t c = 0; c < nc; c++)
            dot[c] += q * p[c];
    }
    for (size_t c = 0; c < nc; c++)
        best = dot[c] > best ? dot[c] : best;
    /* Cosines relative to the best: the query's own length cancels. */
    for (size_t c = 0; c < nc; c++)
    m->concept[c] = norm > 0 && best > 0 ? dot[c] / best : 0;
}

jd_status
model_score(jd_db *db, struct class_model *m, const struct termmap *qtf)
{
    size_t nc = m->nclasses;
    for (size_t c = 0; c < nc; c++)
        m->score[c] = m->bias[c];
    /* The query as an example: (1 + log tf) * idf, of unit length. */
    char key[sizeof(MODEL_TERM_PREFIX) + TERM_MAX + 8];
    double norm = 0;
    size_t i = 0;
    const struct termmap_entry *t;
    bool any = false;
    double *sum = m->sum;
    memset(sum, 0, nc * sizeof(*sum));
    memset(m->query, 0, m->k * sizeof(*m->query));
    jd_status st = JD_OK;
    while (st == JD_OK && (t = termmap_next(qtf, &i)) != NULL) {
        int n = snprintf(key, sizeof(key), MODEL_TERM_PREFIX "%.*s",
                         (int)t->len, t->key);
        if (n < 0 || (size_t)n >= sizeof(key) || t->value <= 0)
            continue;
        st = xs_get_metadata(db->classes, key, &m->row, db->msg,
                             sizeof(db->msg));
        if (st != JD_OK || m->row.len == 0)
            continue; /* a word the model does not know */
        size_t len = m->row.len, k = m->k;
        const unsigned char *r = (const unsigned char *)m->row.data;
        if (!row_intact(m, r, len)) {
            st = damaged_row(db, t->key, t->len);
            break;
        }
        double tf = 1.0 + log(t->value);
        double cscale = model_get_f32(r + 8) * tf;
        for (size_t j = 0; j < k; j++)
            m->query[j] += cscale * (signed char)r[12 + j];
        double v = tf * model_get_f32(r);
        double scale = model_get_f32(r + 4) * v;
        for (size_t at = 12 + k; at < len; at += 3)
            sum[(size_t)r[at] | (size_t)r[at + 1] << 8] +=
                scale * (signed char)r[at + 2];
        norm += v * v;
        any = true;
    }
    if (st == JD_OK && any) {
        norm = sqrt(norm);
        double max = -HUGE_VAL;
        for (size_t c = 0; c < nc; c++) {
            m->score[c] += sum[c] / norm;
            if (m->score[c] > max)
                max = m->score[c];
        }
        for (size_t c = 0; c < nc; c++)
            m->score[c] = exp(m->score[c] - max);
        place_query(m);
    } else {
        memset(m->score, 0, nc * sizeof(*m->score));
        memset(m->concept, 0, nc * sizeof(*m->concept));
    }
    return st;
}

double
model_class_score(const struct class_model *m, const char *id, size_t len)
{
    const struct termmap_entry *e = termmap_find(&m->rows, id, len);
    return e ? m->score[(size_t)e->value - 1] : 0;
}

double
model_class_concept(const struct class_model *m, const char *id, size_t len)
{
    const struct termmap_entry *e = termmap_find(&m->rows, id, len);
    return e ? m->concept[(size_t)e->value - 1] : 0;
}

size_t
model_concepts(const struct class_model *m)
{
    return m->k;
}

/* model_check(): each term row's key, read and checked. */
struct row_check {
    jd_db *db;
    struct class_model *m;
    jd_problem_fn problem;
    void *ctx;
    size_t rows;
    jd_status st;
};

static int
check_row(void *ctx, const char *key, size_t len, size_t unused)
{
    (void)unused;
    struct row_check *c = ctx;
    char name[sizeof(MODEL_TERM_PREFIX) + TERM_MAX + 8];
    if (len >= sizeof(name))
        return 0; /* not a key model_train.c writes */
    memcpy(name, key, len);
    name[len] = '\0';
    c->st = xs_get_metadata(c->db->classes, name, &c->m->row, c->db->msg,
                            sizeof(c->db->msg));
    if (c->st != JD_OK)
        return 1;
    c->rows++;
    const size_t plen = strlen(MODEL_TERM_PREFIX);
    if (!row_intact(c->m, (const unsigned char *)c->m->row.data,
                    c->m->row.len)) {
        damaged_row(c->db, name + plen, len - plen);
        c->problem(c->ctx, c->db->msg);
    }
    return 0;
}

jd_status
model_check(jd_db *db, jd_problem_fn problem, void *ctx)
{
    struct class_model *m;
    jd_status st = model_load(db, &m);
    if (st == JD_ERR_CORRUPT) {
        problem(ctx, db->msg);
        return JD_OK;
    }
    if (st != JD_OK || !m)
        return st; /* none, or stale: not read, so not checked */
    struct model_info info;
    struct row_check c = {db, m, problem, ctx, 0, JD_OK};
    st = read_header(db, &info);
    if (st == JD_OK)
        st = xs_metadata_keys(db->classes, MODEL_TERM_PREFIX, check_row, &c,
                              db->msg, sizeof(db->msg));
    if (st == JD_OK)
        st = c.st;
    if (st == JD_OK && c.rows != info.terms) {
        db_fail(db, JD_ERR_CORRUPT,
                "class model has %zu word rows, its header says %zu", c.rows,
                info.terms);
        problem(ctx, db->msg);
    }
    model_free(m);
    return st;
}
