/*
 * overlap.c: jd_overlap_find(): near-duplicate duties across departments,
 * jurisdictions or classes.
 *
 * Every duty item (and with qualifications, every qualification item) is
 * loaded from the items database and turned into a unit tf-idf vector of
 * stems, (1 + ln tf) * ln(N / df) with N and df counted over the items
 * compared. One similarity join (simjoin.c) finds every pair of items of
 * different classes whose cosine reaches the lower of the two thresholds
 * in play; items of one class are never paired, and the join passes over
 * them (they come in runs) without looking. Items whose near-identical
 * copies (cosine >= 0.8) span a large share of the classes are
 * boilerplate and reported apart; the rest are
 * grouped by single linkage over the pairs that meet the --across rule,
 * and each group is shown around its centre, the member most similar to
 * all the others.
 */
#include "jobdex.h"

#include "indexer/spec/record.h"
#include "indexer/store/db.h"
#include "indexer/store/schema.h"
#include "indexer/util/arena.h"
#include "indexer/util/termmap.h"
#include "query/overlap/simjoin.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct oitem {
    size_t cls;
    const char *id, *title, *jurisdiction, *dept, *list, *kind, *text;
    size_t idx; /* in the parent's list */
    unsigned n, line;
    uint32_t *t; /* term ids, ascending */
    float *w;
    uint32_t nt;
    bool boiler;
};

struct pair {
    uint32_t i, j;
    float sim;
};

struct ov {
    jd_db *db;
    const struct jd_overlap_opts *o;
    struct arena *mem;
    struct oitem *items;
    size_t n, cap;
    struct termmap classes; /* parent id -> index + 1 */
    size_t *class_dept, *class_jur, ncls, capcls;
    struct termmap keys; /* department or jurisdiction name -> index + 1 */
    const char **key_names;
    size_t nkeys, capkeys;
    struct termmap vocab; /* stem -> term id + 1 */
    uint32_t *df;
    size_t nterms, capterms;
    struct pair *pairs;
    size_t npairs, cappairs;
    struct termmap parents; /* parent id -> index in pinfo + 1 */
    struct pinfo *pinfo;
    size_t npinfo, cappinfo;
    jd_buf scratch, value;
};

/* The names of a parent class, read once from its stub. */
struct pinfo {
    const char *title, *jurisdiction, *dept;
};

/* ---- loading ---- */

static const char *
dup(struct ov *v, const char *s)
{
    return s ? arena_strndup(v->mem, s, strlen(s)) : NULL;
}

static size_t
intern_key(struct ov *v, const char *name)
{
    const char *k = name ? name : "";
    struct termmap_entry *e = termmap_get(&v->keys, k, strlen(k));
    if (!e)
        return SIZE_MAX;
    if (e->value == 0) {
        if (v->nkeys == v->capkeys) {
            size_t cap = v->capkeys ? v->capkeys * 2 : 64;
            const char **names = realloc(v->key_names, cap * sizeof(*names));
            if (!names)
                return SIZE_MAX;
            v->key_names = names;
            v->capkeys = cap;
        }
        v->key_names[v->nkeys++] = dup(v, k);
        e->value = (double)v->nkeys;
    }
    return (size_t)e->value - 1;
}

static size_t
intern_class(struct ov *v, const char *id, const char *dept, const char *jur)
{
    struct termmap_entry *e = termmap_get(&v->classes, id, strlen(id));
    if (!e)
        return SIZE_MAX;
    if (e->value == 0) {
        if (v->ncls == v->capcls) {
            size_t cap = v->capcls ? v->capcls * 2 : 256;
            size_t *d = realloc(v->class_dept, cap * sizeof(*d));
            if (d)
                v->class_dept = d;
            size_t *j = realloc(v->class_jur, cap * sizeof(*j));
            if (j)
                v->class_jur = j;
            if (!d || !j)
                return SIZE_MAX;
            v->capcls = cap;
        }
        size_t dk = intern_key(v, dept), jk = intern_key(v, jur);
        if (dk == SIZE_MAX || jk == SIZE_MAX)
            return SIZE_MAX;
        v->class_dept[v->ncls] = dk;
        v->class_jur[v->ncls] = jk;
        v->ncls++;
        e->value = (double)v->ncls;
    }
    return (size_t)e->value - 1;
}

static bool
slug_equal(const char *value, const char *filter, bool jurisdiction)
{
    char a[256], b[256];
    if (jurisdiction) {
        jd_jurisdiction_slug(value ? value : "", a, sizeof(a));
        jd_jurisdiction_slug(filter, b, sizeof(b));
    } else {
        jd_slug(value ? value : "", a, sizeof(a));
        jd_slug(filter, b, sizeof(b));
    }
    return strcmp(a, b) == 0;
}

/* A term of an item's termlist: its stems (unprefixed) with their
 * counts; the boolean terms (upper-case prefixes) are skipped. */
static int
count_stem(void *ctx, const char *term, size_t len, size_t wdf)
{
    if (len == 0 || (term[0] >= 'A' && term[0] <= 'Z'))
        return 0;
    struct termmap_entry *e = termmap_get(ctx, term, len);
    if (!e)
        return 1;
    e->value += (double)wdf;
    return 0;
}

struct tw {
    uint32_t t;
    float w;
};

static int
cmp_tw(const void *a, const void *b)
{
    uint32_t x = ((const struct tw *)a)->t, y = ((const struct tw *)b)->t;
    return (x > y) - (x < y);
}

/* Term ids and raw counts TF, stored in the item (weights later). */
static jd_status
item_terms(struct ov *v, struct oitem *it, const struct termmap *tf)
{
    it->nt = (uint32_t)tf->n;
    it->t = arena_alloc(v->mem, (tf->n ? tf->n : 1) * sizeof(*it->t));
    it->w = arena_alloc(v->mem, (tf->n ? tf->n : 1) * sizeof(*it->w));
    if (!it->t || !it->w)
        return JD_ERR_NOMEM;
    size_t i = 0, k = 0;
    const struct termmap_entry *e;
    while ((e = termmap_next(tf, &i)) != NULL) {
        struct termmap_entry *ve = termmap_get(&v->vocab, e->key, e->len);
        if (!ve)
            return JD_ERR_NOMEM;
        if (ve->value == 0) {
            if (v->nterms == v->capterms) {
                size_t cap = v->capterms ? v->capterms * 2 : 4096;
                uint32_t *df = realloc(v->df, cap * sizeof(*df));
                if (!df)
                    return JD_ERR_NOMEM;
                v->df = df;
                v->capterms = cap;
            }
            v->df[v->nterms++] = 0;
            ve->value = (double)v->nterms;
        }
        uint32_t id = (uint32_t)ve->value - 1;
        v->df[id]++;
        it->t[k] = id;
        it->w[k] = (float)e->value; /* the count, for now */
        k++;
    }
    /* Sort by term id (the join and cosine() walk ids in order). */
    struct tw *pairs = malloc((k ? k : 1) * sizeof(*pairs));
    if (!pairs)
        return JD_ERR_NOMEM;
    for (size_t a = 0; a < k; a++)
        pairs[a] = (struct tw){it->t[a], it->w[a]};
    qsort(pairs, k, sizeof(*pairs), cmp_tw);
    for (size_t a = 0; a < k; a++) {
        it->t[a] = pairs[a].t;
        it->w[a] = pairs[a].w;
    }
    free(pairs);
    return JD_OK;
}

/* The names of parent class ID (title, jurisdiction, department or else
 * series), from its stub in the classes database; NULL when out of
 * memory or the class is gone (set in *ST). */
static const struct pinfo *
parent_info(struct ov *v, const char *id, jd_status *st)
{
    *st = JD_OK;
    struct termmap_entry *e = termmap_get(&v->parents, id, strlen(id));
    if (!e) {
        *st = JD_ERR_NOMEM;
        return NULL;
    }
    if (e->value > 0)
        return &v->pinfo[(size_t)e->value - 1];
    char term[1024];
    snprintf(term, sizeof(term), PREFIX_ID "%s", id);
    *st = xs_value_by_term(v->db->classes, term, SLOT_STUB, &v->value,
                           v->db->msg, sizeof(v->db->msg));
    if (*st == JD_ERR_NOT_FOUND)
        *st = db_fail(v->db, JD_ERR_CORRUPT, "item of missing class '%s'", id);
    if (*st != JD_OK)
        return NULL;
    json_t *o = json_loadb(v->value.data, v->value.len, 0, NULL);
    if (!o) {
        *st = db_fail(v->db, JD_ERR_CORRUPT, "class '%s': damaged stub", id);
        return NULL;
    }
    if (v->npinfo == v->cappinfo) {
        size_t cap = v->cappinfo ? v->cappinfo * 2 : 256;
        struct pinfo *p = realloc(v->pinfo, cap * sizeof(*p));
        if (!p) {
            json_decref(o);
            *st = JD_ERR_NOMEM;
            return NULL;
        }
        v->pinfo = p;
        v->cappinfo = cap;
    }
    const char *dept = json_string_value(json_object_get(o, "department"));
    if (!dept)
        dept = json_string_value(json_object_get(o, "series"));
    struct pinfo *p = &v->pinfo[v->npinfo];
    p->title = dup(v, json_string_value(json_object_get(o, "title")));
    p->jurisdiction =
        dup(v, json_string_value(json_object_get(o, "jurisdiction")));
    p->dept = dup(v, dept);
    json_decref(o);
    e->value = (double)++v->npinfo;
    *st = JD_OK;
    return p;
}

/* Item IDX of list LIST of class PARENT, with stem counts TF. */
static jd_status
add_item(struct ov *v, const char *parent, const char *list, size_t idx,
         const struct termmap *tf)
{
    if (!*parent)
        return db_fail(v->db, JD_ERR_CORRUPT, "item without parent");
    jd_status st;
    const struct pinfo *p = parent_info(v, parent, &st);
    if (!p)
        return st;
    const struct jd_filter *f = &v->o->filter;
    if ((f->jurisdiction && *f->jurisdiction &&
         !slug_equal(p->jurisdiction, f->jurisdiction, true)) ||
        (f->department && *f->department &&
         !slug_equal(p->dept, f->department, false)))
        return JD_OK;
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 1024;
        struct oitem *it = realloc(v->items, cap * sizeof(*it));
        if (!it)
            return JD_ERR_NOMEM;
        v->items = it;
        v->cap = cap;
    }
    struct oitem *it = &v->items[v->n];
    memset(it, 0, sizeof(*it));
    it->id = dup(v, parent);
    it->title = p->title;
    it->jurisdiction = p->jurisdiction;
    it->dept = p->dept;
    it->list = list;
    it->idx = idx;
    /* A class without department or series is its own department. */
    it->cls =
        intern_class(v, parent, p->dept ? p->dept : it->title, p->jurisdiction);
    if (!it->id || it->cls == SIZE_MAX)
        return JD_ERR_NOMEM;
    st = item_terms(v, it, tf);
    if (st == JD_OK)
        v->n++;
    return st;
}

struct load_ctx {
    unsigned *docids;
    size_t n, cap;
};

static int
note_docid(void *ctx, unsigned docid)
{
    struct load_ctx *c = ctx;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 4096;
        unsigned *d = realloc(c->docids, cap * sizeof(*d));
        if (!d)
            return 1;
        c->docids = d;
        c->cap = cap;
    }
    c->docids[c->n++] = docid;
    return 0;
}

/* Every item of list LIST (a static name) with its stem counts. */
static jd_status
load_list(struct ov *v, const char *list)
{
    struct load_ctx c = {NULL, 0, 0};
    char term[32];
    snprintf(term, sizeof(term), PREFIX_LIST "%s", list);
    jd_status st = xs_postings(v->db->items, term, note_docid, &c, v->db->msg,
                               sizeof(v->db->msg));
    struct termmap tf = {NULL, 0, 0};
    static const unsigned slots[2] = {SLOT_ITEM_PARENT, SLOT_ITEM_INDEX};
    jd_buf vals[2] = {{0}, {0}};
    for (size_t i = 0; i < c.n && st == JD_OK; i++) {
        termmap_clear(&tf);
        st = xs_doc_read(v->db->items, c.docids[i], slots, vals, 2, count_stem,
                         &tf, v->db->msg, sizeof(v->db->msg));
        if (st == JD_OK)
            st = add_item(v, vals[0].data ? vals[0].data : "", list,
                          strtoul(vals[1].data ? vals[1].data : "0", NULL, 10),
                          &tf);
    }
    jd_buf_free(&vals[0]);
    jd_buf_free(&vals[1]);
    termmap_free(&tf);
    free(c.docids);
    return st;
}

/* Duties, and with qualifications every qualification list. */
static jd_status
load_items(struct ov *v)
{
    static const char *const quals[] = {"knowledge", "skills", "abilities",
                                        "education", "licenses"};
    jd_status st = load_list(v, "duties");
    for (size_t i = 0; st == JD_OK && v->o->qualifications &&
                       i < sizeof(quals) / sizeof(quals[0]);
         i++)
        st = load_list(v, quals[i]);
    return st;
}

/* Counts -> unit tf-idf weights; terms in every item (idf 0) go. */
static void
weigh(struct ov *v)
{
    double n = (double)v->n;
    for (size_t i = 0; i < v->n; i++) {
        struct oitem *it = &v->items[i];
        double norm = 0;
        uint32_t k = 0;
        for (uint32_t m = 0; m < it->nt; m++) {
            double idf = log(n / v->df[it->t[m]]);
            double w = (1.0 + log((double)it->w[m])) * idf;
            if (w <= 0)
                continue;
            it->t[k] = it->t[m];
            it->w[k] = (float)w;
            norm += w * w;
            k++;
        }
        it->nt = k;
        norm = sqrt(norm);
        for (uint32_t m = 0; m < k; m++)
            it->w[m] = (float)(it->w[m] / norm);
    }
}

/* ---- pairs and groups ---- */

static int
keep_pair(void *ctx, size_t i, size_t j, double sim)
{
    struct ov *v = ctx;
    if (v->items[i].cls == v->items[j].cls)
        return 0; /* one class never overlaps itself */
    if (v->npairs == v->cappairs) {
        size_t cap = v->cappairs ? v->cappairs * 2 : 4096;
        struct pair *p = realloc(v->pairs, cap * sizeof(*p));
        if (!p)
            return 1;
        v->pairs = p;
        v->cappairs = cap;
    }
    v->pairs[v->npairs++] = (struct pair){(uint32_t)i, (uint32_t)j, (float)sim};
    return 0;
}

static size_t
find(size_t *up, size_t x)
{
    while (up[x] != x) {
        up[x] = up[up[x]];
        x = up[x];
    }
    return x;
}

static void
unite(size_t *up, size_t a, size_t b)
{
    a = find(up, a);
    b = find(up, b);
    if (a != b)
        up[a < b ? b : a] = a < b ? a : b;
}

static double
cosine(const struct oitem *a, const struct oitem *b)
{
    double dot = 0;
    uint32_t i = 0, j = 0;
    while (i < a->nt && j < b->nt) {
        if (a->t[i] < b->t[j])
            i++;
        else if (a->t[i] > b->t[j])
            j++;
        else
            dot += (double)a->w[i++] * b->w[j++];
    }
    return dot > 1 ? 1 : dot;
}

static bool
across_ok(const struct ov *v, size_t i, size_t j)
{
    const struct oitem *a = &v->items[i], *b = &v->items[j];
    switch (v->o->across) {
    case JD_ACROSS_DEPARTMENT:
        return v->class_dept[a->cls] != v->class_dept[b->cls];
    case JD_ACROSS_JURISDICTION:
        return v->class_jur[a->cls] != v->class_jur[b->cls];
    case JD_ACROSS_CLASS:
        return a->cls != b->cls;
    }
    return false;
}

/* Components of UP as lists of item indexes (only those of size >= 2
 * among items with WANT(i) true). */
struct comp {
    size_t *m;
    size_t n;
};

static int
cmp_size_t(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* Count distinct values of KEY[cls(member)] over a component. */
static size_t
distinct(const struct ov *v, const struct comp *c, const size_t *key)
{
    size_t *tmp = malloc((c->n ? c->n : 1) * sizeof(*tmp));
    if (!tmp)
        return 0;
    for (size_t i = 0; i < c->n; i++)
        tmp[i] = key ? key[v->items[c->m[i]].cls] : v->items[c->m[i]].cls;
    qsort(tmp, c->n, sizeof(*tmp), cmp_size_t);
    size_t d = 0;
    for (size_t i = 0; i < c->n; i++)
        d += i == 0 || tmp[i] != tmp[i - 1];
    free(tmp);
    return d;
}

static jd_status
components(struct ov *v, size_t *up, const bool *want, struct comp **out,
           size_t *nout)
{
    size_t *count = calloc(v->n ? v->n : 1, sizeof(*count));
    if (!count)
        return JD_ERR_NOMEM;
    for (size_t i = 0; i < v->n; i++)
        if (want[i])
            count[find(up, i)]++;
    size_t ncomp = 0;
    for (size_t i = 0; i < v->n; i++)
        ncomp += count[i] >= 2;
    struct comp *c = calloc(ncomp ? ncomp : 1, sizeof(*c));
    size_t *slot = malloc((v->n ? v->n : 1) * sizeof(*slot));
    if (!c || !slot) {
        free(count);
        free(c);
        free(slot);
        return JD_ERR_NOMEM;
    }
    size_t k = 0;
    for (size_t i = 0; i < v->n; i++) {
        slot[i] = SIZE_MAX;
        if (count[i] >= 2) {
            slot[i] = k;
            c[k].m = malloc(count[i] * sizeof(size_t));
            if (!c[k].m) {
                for (size_t z = 0; z < k; z++)
                    free(c[z].m);
                free(c);
                free(count);
                free(slot);
                return JD_ERR_NOMEM;
            }
            k++;
        }
    }
    for (size_t i = 0; i < v->n; i++) {
        if (!want[i])
            continue;
        size_t r = find(up, i);
        if (slot[r] != SIZE_MAX)
            c[slot[r]].m[c[slot[r]].n++] = i;
    }
    free(count);
    free(slot);
    *out = c;
    *nout = ncomp;
    return JD_OK;
}

static void
free_comps(struct comp *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(c[i].m);
    free(c);
}

/*
 * Star clustering: the item with the most similar neighbours (pairs that
 * meet the threshold and the --across rule) becomes a centre and takes
 * all its neighbours not yet placed; then the next, and so on. Every
 * member is then similar to its centre itself, which single linkage (a
 * chain of pairs) does not promise. The centre is listed first.
 */
struct adj {
    size_t *start; /* CSR offsets into nb, n + 1 of them */
    uint32_t *nb;
    double *degree; /* sum of similarities */
};

struct ranked_item {
    double degree;
    size_t i;
};

static int
cmp_degree(const void *x, const void *y)
{
    const struct ranked_item *a = x, *b = y;
    if (a->degree != b->degree)
        return a->degree > b->degree ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

static jd_status
stars(struct ov *v, const bool *want, struct comp **out, size_t *nout)
{
    const struct jd_overlap_opts *o = v->o;
    struct adj a = {calloc(v->n + 1, sizeof(size_t)), NULL,
                    calloc(v->n ? v->n : 1, sizeof(double))};
    size_t *fill = calloc(v->n ? v->n : 1, sizeof(*fill));
    struct ranked_item *order = malloc((v->n ? v->n : 1) * sizeof(*order));
    bool *placed = calloc(v->n ? v->n : 1, sizeof(*placed));
    struct comp *c = NULL;
    size_t nc = 0, capc = 0;
    jd_status st = JD_OK;
    if (!a.start || !a.degree || !fill || !order || !placed) {
        st = JD_ERR_NOMEM;
        goto out;
    }
    for (size_t p = 0; p < v->npairs; p++) {
        const struct pair *pr = &v->pairs[p];
        if (pr->sim < o->min_similarity || !want[pr->i] || !want[pr->j] ||
            !across_ok(v, pr->i, pr->j))
            continue;
        a.start[pr->i + 1]++;
        a.start[pr->j + 1]++;
        a.degree[pr->i] += pr->sim;
        a.degree[pr->j] += pr->sim;
    }
    for (size_t i = 0; i < v->n; i++)
        a.start[i + 1] += a.start[i];
    a.nb = malloc((a.start[v->n] ? a.start[v->n] : 1) * sizeof(*a.nb));
    if (!a.nb) {
        st = JD_ERR_NOMEM;
        goto out;
    }
    for (size_t p = 0; p < v->npairs; p++) {
        const struct pair *pr = &v->pairs[p];
        if (pr->sim < o->min_similarity || !want[pr->i] || !want[pr->j] ||
            !across_ok(v, pr->i, pr->j))
            continue;
        a.nb[a.start[pr->i] + fill[pr->i]++] = pr->j;
        a.nb[a.start[pr->j] + fill[pr->j]++] = pr->i;
    }
    for (size_t i = 0; i < v->n; i++)
        order[i] = (struct ranked_item){a.degree[i], i};
    if (v->n > 1)
        qsort(order, v->n, sizeof(*order), cmp_degree);
    for (size_t k = 0; k < v->n; k++) {
        size_t centre = order[k].i;
        if (placed[centre] || a.start[centre + 1] == a.start[centre])
            continue;
        size_t free_nb = 0;
        for (size_t e = a.start[centre]; e < a.start[centre + 1]; e++)
            free_nb += !placed[a.nb[e]];
        if (free_nb == 0)
            continue;
        if (nc == capc) {
            capc = capc ? capc * 2 : 64;
            struct comp *nc2 = realloc(c, capc * sizeof(*c));
            if (!nc2) {
                st = JD_ERR_NOMEM;
                goto out;
            }
            c = nc2;
        }
        struct comp *g = &c[nc];
        g->m = malloc((free_nb + 1) * sizeof(size_t));
        if (!g->m) {
            st = JD_ERR_NOMEM;
            goto out;
        }
        nc++;
        g->n = 0;
        g->m[g->n++] = centre;
        placed[centre] = true;
        for (size_t e = a.start[centre]; e < a.start[centre + 1]; e++)
            if (!placed[a.nb[e]]) {
                placed[a.nb[e]] = true;
                g->m[g->n++] = a.nb[e];
            }
    }
out:
    free(a.start);
    free(a.nb);
    free(a.degree);
    free(fill);
    free(order);
    free(placed);
    if (st != JD_OK) {
        free_comps(c, nc);
        return st;
    }
    *out = c;
    *nout = nc;
    return JD_OK;
}

struct need {
    size_t cls, item;
};

static int
by_cls(const void *x, const void *y)
{
    const struct need *a = x, *b = y;
    if (a->cls != b->cls)
        return (a->cls > b->cls) - (a->cls < b->cls);
    return (a->item > b->item) - (a->item < b->item);
}

/* Text, kind, number and line of the members of C[0..NC) (the groups to
 * report), from their parents' records, each record read once. */
static jd_status
fill_details(struct ov *v, const struct comp *c, size_t nc)
{
    size_t total = 0;
    for (size_t g = 0; g < nc; g++)
        total += c[g].n;
    struct need *nd = malloc((total ? total : 1) * sizeof(*nd));
    if (!nd)
        return JD_ERR_NOMEM;
    size_t k = 0;
    for (size_t g = 0; g < nc; g++)
        for (size_t i = 0; i < c[g].n; i++)
            if (!v->items[c[g].m[i]].text)
                nd[k++] = (struct need){v->items[c[g].m[i]].cls, c[g].m[i]};
    qsort(nd, k, sizeof(*nd), by_cls);
    jd_status st = JD_OK;
    jd_spec *rec = NULL;
    for (size_t a = 0; a < k && st == JD_OK; a++) {
        struct oitem *it = &v->items[nd[a].item];
        if (a == 0 || nd[a].cls != nd[a - 1].cls) {
            jd_spec_free(rec);
            rec = NULL;
            if ((st = db_load(v->db, it->id, &rec)) != JD_OK)
                break;
        }
        struct jd_item item;
        if (!spec_item_at(rec, it->list, it->idx, &item) || !item.text) {
            st = db_fail(v->db, JD_ERR_CORRUPT,
                         "item %s.%zu of '%s' is not in its record", it->list,
                         it->idx, it->id);
            break;
        }
        it->text = dup(v, item.text);
        it->kind = dup(v, item.kind);
        it->n = item.n;
        it->line = item.line;
        if (!it->text)
            st = JD_ERR_NOMEM;
    }
    jd_spec_free(rec);
    free(nd);
    return st;
}

struct placed_member {
    struct jd_overlap_member m;
    size_t pos;
};

static int
by_similarity_then_id(const void *x, const void *y)
{
    const struct placed_member *a = x, *b = y;
    if (a->m.similarity != b->m.similarity)
        return a->m.similarity > b->m.similarity ? -1 : 1;
    int c = strcmp(a->m.id, b->m.id);
    return c ? c : (a->pos > b->pos) - (a->pos < b->pos);
}

/* Sort M[0..N) by similarity (highest first), then by class id, members
 * that tie keeping their order: a stable sort in n log n (a group may
 * have thousands of members). */
static jd_status
sort_members(struct jd_overlap_member *m, size_t n)
{
    if (n < 2)
        return JD_OK;
    struct placed_member *p = malloc(n * sizeof(*p));
    if (!p)
        return JD_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        p[i] = (struct placed_member){m[i], i};
    qsort(p, n, sizeof(*p), by_similarity_then_id);
    for (size_t i = 0; i < n; i++)
        m[i] = p[i].m;
    free(p);
    return JD_OK;
}

/* Build the public group for component C around its centre: the first
 * member when CENTRE_FIRST, else the member most similar to the rest. */
static jd_status
make_group(struct ov *v, const struct comp *c, bool centre_first,
           struct jd_overlap_group *g)
{
    size_t best = 0;
    double best_sum = -1;
    /* Big groups: the centre among the first 200 members is good enough
     * and keeps this quadratic step bounded. */
    size_t limit = centre_first ? 0 : c->n < 200 ? c->n : 200;
    for (size_t a = 0; a < limit; a++) {
        double sum = 0;
        for (size_t b = 0; b < limit; b++)
            if (a != b)
                sum += cosine(&v->items[c->m[a]], &v->items[c->m[b]]);
        if (sum > best_sum) {
            best_sum = sum;
            best = a;
        }
    }
    struct jd_overlap_member *m = arena_alloc(v->mem, c->n * sizeof(*m));
    if (!m)
        return JD_ERR_NOMEM;
    const struct oitem *centre = &v->items[c->m[best]];
    for (size_t a = 0; a < c->n; a++) {
        const struct oitem *it = &v->items[c->m[a]];
        m[a] = (struct jd_overlap_member){
            it->id,           it->title,
            it->jurisdiction, it->dept,
            it->list,         it->kind,
            it->text,         it->n,
            it->line,         a == best ? 1.0 : cosine(it, centre)};
    }
    /* Centre first, then by similarity, then by class id. */
    struct jd_overlap_member tmp = m[0];
    m[0] = m[best];
    m[best] = tmp;
    jd_status st = sort_members(m + 1, c->n - 1);
    if (st != JD_OK)
        return st;
    g->members = m;
    g->n = c->n;
    g->classes = distinct(v, c, NULL);
    g->departments = distinct(v, c, v->class_dept);
    g->jurisdictions = distinct(v, c, v->class_jur);
    g->share = v->ncls ? (double)g->classes / (double)v->ncls : 0;
    return JD_OK;
}

/* A group with the spread it is sorted by (departments or
 * jurisdictions, as the rule asks). */
struct ranked {
    struct jd_overlap_group g;
    size_t spread;
};

static int
by_size_and_spread(const void *x, const void *y)
{
    const struct ranked *a = x, *b = y;
    if (a->g.n != b->g.n)
        return a->g.n > b->g.n ? -1 : 1;
    if (a->spread != b->spread)
        return a->spread > b->spread ? -1 : 1;
    if (a->g.classes != b->g.classes)
        return a->g.classes > b->g.classes ? -1 : 1;
    int c = strcmp(a->g.members[0].id, b->g.members[0].id);
    return c ? c
             : (a->g.members[0].n > b->g.members[0].n) -
                   (a->g.members[0].n < b->g.members[0].n);
}

static int
by_classes(const void *x, const void *y)
{
    const struct jd_overlap_group *a = x, *b = y;
    if (a->classes != b->classes)
        return a->classes > b->classes ? -1 : 1;
    return strcmp(a->members[0].text, b->members[0].text);
}

static int
by_count(const void *x, const void *y)
{
    const struct jd_overlap_cell *a = x, *b = y;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    int c = strcmp(a->a, b->a);
    return c ? c : strcmp(a->b, b->b);
}

/* Department (or jurisdiction) pairs with the groups both share. */
static jd_status
matrix(struct ov *v, const struct comp *c, size_t nc, jd_overlap *out)
{
    const size_t *key =
        v->o->across == JD_ACROSS_JURISDICTION ? v->class_jur : v->class_dept;
    struct termmap cells = {NULL, 0, 0};
    jd_status st = JD_OK;
    size_t *ks = NULL;
    for (size_t g = 0; g < nc && st == JD_OK; g++) {
        free(ks);
        ks = malloc(c[g].n * sizeof(*ks));
        if (!ks) {
            st = JD_ERR_NOMEM;
            break;
        }
        for (size_t i = 0; i < c[g].n; i++)
            ks[i] = key[v->items[c[g].m[i]].cls];
        qsort(ks, c[g].n, sizeof(*ks), cmp_size_t);
        size_t nd = 0;
        for (size_t i = 0; i < c[g].n; i++)
            if (i == 0 || ks[i] != ks[i - 1])
                ks[nd++] = ks[i];
        for (size_t a = 0; a < nd && st == JD_OK; a++)
            for (size_t b = a + 1; b < nd; b++) {
                size_t pair[2] = {ks[a], ks[b]};
                struct termmap_entry *e =
                    termmap_get(&cells, (const char *)pair, sizeof(pair));
                if (!e) {
                    st = JD_ERR_NOMEM;
                    break;
                }
                e->value += 1;
            }
    }
    free(ks);
    struct jd_overlap_cell *m =
        st == JD_OK ? arena_alloc(v->mem, (cells.n ? cells.n : 1) * sizeof(*m))
                    : NULL;
    if (st == JD_OK && !m)
        st = JD_ERR_NOMEM;
    size_t n = 0, i = 0;
    const struct termmap_entry *e;
    while (st == JD_OK && (e = termmap_next(&cells, &i)) != NULL) {
        size_t pair[2];
        memcpy(pair, e->key, sizeof(pair));
        const char *a = v->key_names[pair[0]], *b = v->key_names[pair[1]];
        if (strcmp(a, b) > 0) {
            const char *t = a;
            a = b;
            b = t;
        }
        m[n++] = (struct jd_overlap_cell){a, b, (size_t)e->value};
    }
    termmap_free(&cells);
    if (st != JD_OK)
        return st;
    if (n > 1)
        qsort(m, n, sizeof(*m), by_count);
    out->matrix = m;
    out->nmatrix = n;
    return JD_OK;
}

struct overlap_impl {
    jd_overlap pub;
    struct arena *mem;
};

static jd_status
build(struct ov *v, jd_overlap *out)
{
    const struct jd_overlap_opts *o = v->o;
    size_t *near = malloc((v->n ? v->n : 1) * sizeof(*near));
    size_t *up = malloc((v->n ? v->n : 1) * sizeof(*up));
    bool *want = malloc((v->n ? v->n : 1) * sizeof(*want));
    struct comp *bc = NULL, *gc = NULL;
    size_t nbc = 0, ngc = 0;
    jd_status st = JD_OK;
    if (!near || !up || !want) {
        st = JD_ERR_NOMEM;
        goto out;
    }

    /* Boilerplate: near-identical copies over enough of the classes. */
    for (size_t i = 0; i < v->n; i++) {
        near[i] = i;
        want[i] = true;
    }
    for (size_t p = 0; p < v->npairs; p++)
        if (v->pairs[p].sim >= JD_OVERLAP_IDENTICAL)
            unite(near, v->pairs[p].i, v->pairs[p].j);
    size_t need = (size_t)ceil(o->boilerplate_share * (double)v->ncls);
    if (need < o->boilerplate_min)
        need = o->boilerplate_min;
    if ((st = components(v, near, want, &bc, &nbc)) != JD_OK)
        goto out;
    size_t nboiler = 0;
    for (size_t g = 0; g < nbc; g++) {
        if (distinct(v, &bc[g], NULL) < need) {
            bc[g].n = 0; /* not boilerplate */
            continue;
        }
        nboiler++;
        for (size_t i = 0; i < bc[g].n; i++)
            v->items[bc[g].m[i]].boiler = true;
    }

    /* Groups: stars around centres (below). */
    for (size_t i = 0; i < v->n; i++)
        want[i] = !v->items[i].boiler;
    if ((st = stars(v, want, &gc, &ngc)) != JD_OK)
        goto out;

    struct jd_overlap_group *groups =
        arena_alloc(v->mem, (ngc ? ngc : 1) * sizeof(*groups));
    struct jd_overlap_group *boiler =
        arena_alloc(v->mem, (nboiler ? nboiler : 1) * sizeof(*boiler));
    if (!groups || !boiler) {
        st = JD_ERR_NOMEM;
        goto out;
    }
    if ((st = fill_details(v, gc, ngc)) != JD_OK ||
        (st = fill_details(v, bc, nbc)) != JD_OK)
        goto out;
    for (size_t g = 0; g < ngc && st == JD_OK; g++)
        st = make_group(v, &gc[g], true, &groups[g]);
    size_t k = 0;
    for (size_t g = 0; g < nbc && st == JD_OK; g++)
        if (bc[g].n > 0)
            st = make_group(v, &bc[g], false, &boiler[k++]);
    if (st != JD_OK)
        goto out;
    if (ngc > 1) {
        struct ranked *r = malloc(ngc * sizeof(*r));
        if (!r) {
            st = JD_ERR_NOMEM;
            goto out;
        }
        for (size_t g = 0; g < ngc; g++)
            r[g] =
                (struct ranked){groups[g], o->across == JD_ACROSS_JURISDICTION
                                               ? groups[g].jurisdictions
                                               : groups[g].departments};
        qsort(r, ngc, sizeof(*r), by_size_and_spread);
        for (size_t g = 0; g < ngc; g++)
            groups[g] = r[g].g;
        free(r);
    }
    if (k > 1)
        qsort(boiler, k, sizeof(*boiler), by_classes);
    out->groups = groups;
    out->ngroups = ngc;
    out->boilerplate = boiler;
    out->nboilerplate = k;
    st = matrix(v, gc, ngc, out);
out:
    free_comps(bc, nbc);
    free_comps(gc, ngc);
    free(near);
    free(up);
    free(want);
    return st;
}

struct overlap_call {
    const struct jd_overlap_opts *o;
    jd_overlap **out;
};

static jd_status
overlap_read(jd_db *db, void *ctx)
{
    struct overlap_call *c = ctx;
    const struct jd_overlap_opts *o = c->o;
    jd_overlap **out = c->out;
    *out = NULL;
    struct overlap_impl *impl = calloc(1, sizeof(*impl));
    if (!impl || !(impl->mem = arena_new())) {
        free(impl);
        return JD_ERR_NOMEM;
    }
    struct ov v;
    memset(&v, 0, sizeof(v));
    v.db = db;
    v.o = o;
    v.mem = impl->mem;
    jd_status st = load_items(&v);
    struct sparse *vec = NULL;
    size_t *cls = NULL;
    if (st == JD_OK) {
        weigh(&v);
        vec = malloc((v.n ? v.n : 1) * sizeof(*vec));
        cls = malloc((v.n ? v.n : 1) * sizeof(*cls));
        if (!vec || !cls)
            st = JD_ERR_NOMEM;
    }
    for (size_t i = 0; st == JD_OK && i < v.n; i++) {
        vec[i] = (struct sparse){v.items[i].t, v.items[i].w, v.items[i].nt};
        cls[i] = v.items[i].cls;
    }
    double tau = o->min_similarity < JD_OVERLAP_IDENTICAL
                     ? o->min_similarity
                     : JD_OVERLAP_IDENTICAL;
    if (st == JD_OK)
        st = simjoin(vec, v.n, v.nterms, tau, cls, keep_pair, &v);
    if (st == JD_ERR_INTERRUPTED)
        st = JD_ERR_NOMEM;
    if (st == JD_OK)
        st = build(&v, &impl->pub);
    impl->pub.items = v.n;
    impl->pub.classes = v.ncls;
    impl->pub.pairs = v.npairs;
    free(vec);
    free(cls);
    free(v.items);
    free(v.class_dept);
    free(v.class_jur);
    free(v.key_names);
    free(v.df);
    free(v.pairs);
    termmap_free(&v.classes);
    termmap_free(&v.keys);
    termmap_free(&v.vocab);
    jd_buf_free(&v.scratch);
    jd_buf_free(&v.value);
    termmap_free(&v.parents);
    free(v.pinfo);
    if (st != JD_OK) {
        jd_overlap_free(&impl->pub);
        return st;
    }
    *out = &impl->pub;
    return JD_OK;
}

jd_status
jd_overlap_find(jd_db *db, const struct jd_overlap_opts *o, jd_overlap **out)
{
    struct overlap_call c = {o, out};
    return db_read(db, overlap_read, &c);
}

void
jd_overlap_free(jd_overlap *o)
{
    if (!o)
        return;
    struct overlap_impl *impl = (struct overlap_impl *)o;
    arena_free(impl->mem);
    free(impl);
}
