/*
 * evidence.c: line-to-item similarity for explanations. Every duty and
 * qualification of a hit is compared with every query line (tf-idf
 * cosine over stems); an item's best line is its evidence when similar
 * enough, and an item no line comes near is a gap.
 */
#include "query/match/evidence.h"

#include "indexer/spec/record.h"
#include "query/core/results.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Evidence and gaps listed per hit, at most. */
#define MAX_EVIDENCE 12
#define MAX_GAPS     12
/* Shared words named per piece of evidence, at most. */
#define MAX_SHARED 6
/* Lines longer than this are cut into sentences. */
#define LONG_LINE 320

static jd_status
push_line(struct qlines *q, struct analyzer *a, struct idf *idf, unsigned line,
          const char *text, size_t len)
{
    while (len > 0 && (text[0] == ' ' || text[0] == '\t')) {
        text++;
        len--;
    }
    while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t' ||
                       text[len - 1] == '\r'))
        len--;
    if (len == 0)
        return JD_OK;
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 32;
        struct qline *v = realloc(q->v, cap * sizeof(*v));
        if (!v)
            return JD_ERR_NOMEM;
        q->v = v;
        q->cap = cap;
    }
    struct qline *l = &q->v[q->n];
    memset(l, 0, sizeof(*l));
    l->line = line;
    l->text = text;
    l->len = len;
    jd_status st = tvec_from_text(&l->v, a, idf, text, len);
    if (st != JD_OK) {
        tvec_free(&l->v);
        return st;
    }
    if (l->v.w.n < 2) {
        tvec_free(&l->v); /* a heading, or only stop words */
        return JD_OK;
    }
    q->n++;
    return JD_OK;
}

/* Q->stems and the lines of each (see evidence.h), by a counting sort:
 * the lines of stem K are counted into START[K + 2], the counts summed so
 * that START[K + 1] is where they go, and each placed line moves it on,
 * which leaves START[K] .. START[K + 1] the lines of K. */
static jd_status
index_lines(struct qlines *q)
{
    size_t nstems = 0, total = 0;
    const struct termmap_entry *e;
    for (size_t k = 0; k < q->n; k++)
        for (size_t i = 0; (e = termmap_next(&q->v[k].v.w, &i)) != NULL;) {
            struct termmap_entry *s = termmap_get(&q->stems, e->key, e->len);
            if (!s)
                return JD_ERR_NOMEM;
            if (s->value == 0)
                s->value = (double)++nstems;
            total++;
        }
    q->start = calloc(nstems + 2, sizeof(*q->start));
    q->line_of = malloc((total ? total : 1) * sizeof(*q->line_of));
    if (!q->start || !q->line_of)
        return JD_ERR_NOMEM;
    for (size_t k = 0; k < q->n; k++)
        for (size_t i = 0; (e = termmap_next(&q->v[k].v.w, &i)) != NULL;)
            q->start[(size_t)termmap_find(&q->stems, e->key, e->len)->value +
                     1]++;
    for (size_t s = 2; s < nstems + 2; s++)
        q->start[s] += q->start[s - 1];
    for (size_t k = 0; k < q->n; k++)
        for (size_t i = 0; (e = termmap_next(&q->v[k].v.w, &i)) != NULL;) {
            size_t s = (size_t)termmap_find(&q->stems, e->key, e->len)->value;
            q->line_of[q->start[s]++] = (uint32_t)k;
        }
    return JD_OK;
}

jd_status
qlines_from_text(struct qlines *q, struct analyzer *a, struct idf *idf,
                 const char *text, size_t len)
{
    unsigned line = 1;
    size_t start = 0;
    jd_status st = JD_OK;
    for (size_t i = 0; i <= len && st == JD_OK; i++) {
        if (i < len && text[i] != '\n')
            continue;
        const char *s = text + start;
        size_t l = i - start;
        /* A paragraph on one line: cut it into sentences. */
        while (l > LONG_LINE && st == JD_OK) {
            size_t cut = 0;
            for (size_t k = 80; k + 1 < l; k++)
                if ((s[k] == '.' || s[k] == ';') && s[k + 1] == ' ') {
                    cut = k + 1;
                    if (k > LONG_LINE / 2)
                        break;
                }
            if (cut == 0)
                break;
            st = push_line(q, a, idf, line, s, cut);
            s += cut;
            l -= cut;
        }
        if (st == JD_OK)
            st = push_line(q, a, idf, line, s, l);
        line++;
        start = i + 1;
    }
    return st == JD_OK ? index_lines(q) : st;
}

jd_status
qlines_from_items(struct qlines *q, struct analyzer *a, struct idf *idf,
                  const struct jd_item_list *list)
{
    jd_status st = JD_OK;
    for (size_t i = 0; i < list->len && st == JD_OK; i++)
        if (!evidence_is_boilerplate(list->v[i].text))
            st = push_line(q, a, idf, list->v[i].n, list->v[i].text,
                           strlen(list->v[i].text));
    return st == JD_OK ? index_lines(q) : st;
}

void
qlines_free(struct qlines *q)
{
    for (size_t i = 0; i < q->n; i++)
        tvec_free(&q->v[i].v);
    free(q->v);
    termmap_free(&q->stems);
    free(q->start);
    free(q->line_of);
    memset(q, 0, sizeof(*q));
}

bool
evidence_is_boilerplate(const char *text)
{
    static const char *const phrases[] = {
        "other duties as",    "other related duties", "related duties as",
        "other job-related",  "other job related",    "performs related work",
        "does other related", "to do other related",  "essential functions of",
    };
    for (size_t i = 0; i < sizeof(phrases) / sizeof(phrases[0]); i++) {
        size_t n = strlen(phrases[i]);
        for (const char *p = text; *p; p++)
            if (strncasecmp(p, phrases[i], n) == 0)
                return true;
    }
    return false;
}

/* tvec_cosine(ITEM, LINE) (the same sum in the same order) and, in the
 * same pass, how many stems they share into *SHARED. ITEM_STEMS holds
 * ITEM's entries in the order termmap_next() gives them, so the pass
 * over the item does not walk its table's empty slots. */
static double
cosine_shared(const struct tvec *item,
              const struct termmap_entry *const *item_stems,
              const struct tvec *line, size_t *shared)
{
    *shared = 0;
    if (item->norm == 0 || line->norm == 0)
        return 0;
    double dot = 0;
    if (item->w.n <= line->w.n) {
        for (size_t k = 0; k < item->w.n; k++) {
            const struct termmap_entry *e = item_stems[k];
            const struct termmap_entry *f =
                termmap_find(&line->w, e->key, e->len);
            if (f) {
                dot += e->value * f->value;
                ++*shared;
            }
        }
    } else {
        size_t i = 0;
        const struct termmap_entry *e;
        while ((e = termmap_next(&line->w, &i)) != NULL) {
            const struct termmap_entry *f =
                termmap_find(&item->w, e->key, e->len);
            if (f) {
                dot += e->value * f->value;
                ++*shared;
            }
        }
    }
    return dot / (item->norm * line->norm);
}

struct scored {
    const char *list;
    const struct jd_item *item;
    const struct qline *best;
    double sim;
    size_t order;
};

struct scored_list {
    struct scored *v;
    size_t n, cap;
};

/* The lines of one stem of an item: Q->line_of[lo .. hi). */
struct span {
    size_t lo, hi;
};

struct eval_ctx {
    struct analyzer *a;
    struct idf *idf;
    const struct qlines *q;
    struct scored_list *out;
    struct tvec tmp;
    size_t order;
    size_t per_item;    /* lines of stems walked per item, at most */
    size_t item;        /* items compared so far */
    size_t *seen;       /* per line: the item that last took it, + 1 */
    uint32_t *cand;     /* the lines the current item is compared with */
    struct span *spans; /* per stem of the current item */
    const struct termmap_entry **stems;
    size_t stems_cap;
};

static int
by_length(const void *x, const void *y)
{
    const struct span *a = x, *b = y;
    size_t la = a->hi - a->lo, lb = b->hi - b->lo;
    if (la != lb)
        return la < lb ? -1 : 1;
    return (a->lo > b->lo) - (a->lo < b->lo);
}

/* The lines that share a stem with C->tmp into C->cand (*N of them): the
 * lines of its rarest stems first, C->per_item lines of stems walked at
 * most (evidence.h). A line that shares no stem can have no similarity,
 * so when nothing is cut short these are all the lines that matter. */
static jd_status
candidates(struct eval_ctx *c, size_t *n)
{
    const struct qlines *q = c->q;
    if (c->tmp.w.n > c->stems_cap) {
        struct span *v = realloc(c->spans, c->tmp.w.n * sizeof(*v));
        if (v)
            c->spans = v;
        const struct termmap_entry **t = realloc(
            c->stems, c->tmp.w.n * sizeof(const struct termmap_entry *));
        if (t)
            c->stems = t;
        if (!v || !t)
            return JD_ERR_NOMEM;
        c->stems_cap = c->tmp.w.n;
    }
    size_t ns = 0, nt = 0, i = 0;
    const struct termmap_entry *e;
    while ((e = termmap_next(&c->tmp.w, &i)) != NULL) {
        c->stems[nt++] = e;
        const struct termmap_entry *s = termmap_find(&q->stems, e->key, e->len);
        if (s) {
            size_t k = (size_t)s->value - 1;
            c->spans[ns++] = (struct span){q->start[k], q->start[k + 1]};
        }
    }
    if (ns > 1)
        qsort(c->spans, ns, sizeof(*c->spans), by_length);
    c->item++;
    size_t m = 0, walked = 0;
    for (size_t s = 0; s < ns && walked < c->per_item; s++)
        for (size_t p = c->spans[s].lo;
             p < c->spans[s].hi && walked < c->per_item; p++, walked++) {
            uint32_t line = q->line_of[p];
            if (c->seen[line] != c->item) {
                c->seen[line] = c->item;
                c->cand[m++] = line;
            }
        }
    *n = m;
    return JD_OK;
}

static jd_status
score_list(void *ctx, const char *name, const struct jd_item_list *list)
{
    struct eval_ctx *c = ctx;
    if (strcmp(name, "other") == 0)
        return JD_OK; /* evidence is about duties and qualifications */
    for (size_t i = 0; i < list->len; i++) {
        const struct jd_item *it = &list->v[i];
        jd_status st =
            tvec_from_text(&c->tmp, c->a, c->idf, it->text, strlen(it->text));
        size_t ncand = 0;
        if (st == JD_OK)
            st = candidates(c, &ncand);
        if (st != JD_OK)
            return st;
        /* The most similar line, the first of them on a tie. */
        const struct qline *best = NULL;
        double sim = 0;
        for (size_t k = 0; k < ncand; k++) {
            const struct qline *l = &c->q->v[c->cand[k]];
            size_t shared;
            double s = cosine_shared(&c->tmp, c->stems, &l->v, &shared);
            if (shared >= EVIDENCE_SHARED &&
                (s > sim || (s == sim && best && l < best))) {
                sim = s;
                best = l;
            }
        }
        /* Without enough shared words the item is not covered at all. */
        struct scored_list *o = c->out;
        if (o->n == o->cap) {
            size_t cap = o->cap ? o->cap * 2 : 32;
            struct scored *v = realloc(o->v, cap * sizeof(*v));
            if (!v)
                return JD_ERR_NOMEM;
            o->v = v;
            o->cap = cap;
        }
        o->v[o->n++] = (struct scored){name, it, best, sim, c->order++};
    }
    return JD_OK;
}

/* Items score_list() compares: all but the "other" list's. */
static jd_status
count_items(void *ctx, const char *name, const struct jd_item_list *list)
{
    if (strcmp(name, "other") != 0)
        *(size_t *)ctx += list->len;
    return JD_OK;
}

static int
by_similarity(const void *x, const void *y)
{
    const struct scored *a = x, *b = y;
    if (a->sim != b->sim)
        return a->sim > b->sim ? -1 : 1;
    return (a->order > b->order) - (a->order < b->order);
}

struct shared {
    const char *term;
    double w;
};

static int
by_weight(const void *x, const void *y)
{
    const struct shared *a = x, *b = y;
    if (a->w != b->w)
        return a->w > b->w ? -1 : 1;
    return strcmp(a->term, b->term);
}

/* The words an item and a line share, heaviest first, as the query text
 * spells them. */
static jd_status
shared_terms(jd_results *r, const struct tvec *item, const struct tvec *line,
             const struct surface *words, struct jd_evidence *e)
{
    struct shared tmp[64];
    size_t n = 0, i = 0;
    const struct termmap_entry *t;
    while ((t = termmap_next(&item->w, &i)) != NULL && n < 64) {
        const struct termmap_entry *u = termmap_find(&line->w, t->key, t->len);
        if (u)
            tmp[n++] = (struct shared){t->key, t->value * u->value};
    }
    if (n > 1)
        qsort(tmp, n, sizeof(tmp[0]), by_weight);
    if (n > MAX_SHARED)
        n = MAX_SHARED;
    const char **terms = results_alloc(r, (n ? n : 1) * sizeof(*terms));
    if (!terms)
        return JD_ERR_NOMEM;
    for (size_t k = 0; k < n; k++) {
        char buf[128];
        const char *w = surface_word(words, tmp[k].term, buf, sizeof(buf));
        if (!(terms[k] = results_strdup(r, w, strlen(w))))
            return JD_ERR_NOMEM;
    }
    e->terms = terms;
    e->nterms = n;
    return JD_OK;
}

jd_status
evidence_add(jd_results *r, struct jd_hit *h, struct analyzer *a,
             struct idf *idf, const struct qlines *q, bool gaps,
             const struct surface *words)
{
    struct scored_list all = {NULL, 0, 0};
    struct eval_ctx c;
    memset(&c, 0, sizeof(c));
    c.a = a;
    c.idf = idf;
    c.q = q;
    c.out = &all;
    size_t items = 0;
    spec_each_clist(h->spec, count_items, &items);
    c.per_item = EVIDENCE_HIT_LINES / (items ? items : 1);
    if (c.per_item < EVIDENCE_ITEM_LINES)
        c.per_item = EVIDENCE_ITEM_LINES;
    c.seen = calloc(q->n ? q->n : 1, sizeof(*c.seen));
    c.cand = malloc((q->n ? q->n : 1) * sizeof(*c.cand));
    jd_status st = c.seen && c.cand ? spec_each_clist(h->spec, score_list, &c)
                                    : JD_ERR_NOMEM;
    struct jd_evidence *ev = NULL;
    struct jd_gap *gp = NULL;
    size_t nev = 0, ngap = 0;
    if (st != JD_OK)
        goto out;

    /* Gaps, in the spec's own order. */
    if (gaps) {
        gp = results_alloc(r, MAX_GAPS * sizeof(*gp));
        if (!gp) {
            st = JD_ERR_NOMEM;
            goto out;
        }
        for (size_t i = 0; i < all.n && ngap < MAX_GAPS; i++) {
            const struct scored *s = &all.v[i];
            if (s->sim >= GAP_MAX || evidence_is_boilerplate(s->item->text))
                continue;
            gp[ngap++] = (struct jd_gap){s->list, s->item->n, s->item->kind,
                                         s->item->line, s->item->text};
        }
    }

    if (all.n > 1)
        qsort(all.v, all.n, sizeof(*all.v), by_similarity);
    ev = results_alloc(r, MAX_EVIDENCE * sizeof(*ev));
    if (!ev) {
        st = JD_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < all.n && nev < MAX_EVIDENCE && st == JD_OK; i++) {
        const struct scored *s = &all.v[i];
        if (s->sim < EVIDENCE_MIN || !s->best)
            break;
        if (evidence_is_boilerplate(s->item->text))
            continue;
        struct jd_evidence *e = &ev[nev++];
        e->list = s->list;
        e->n = s->item->n;
        e->kind = s->item->kind;
        e->item_line = s->item->line;
        e->item_text = s->item->text;
        e->query_line = s->best->line;
        e->query_text = results_strdup(r, s->best->text, s->best->len);
        e->similarity = s->sim;
        if (!e->query_text) {
            st = JD_ERR_NOMEM;
            break;
        }
        if ((st = tvec_from_text(&c.tmp, a, idf, s->item->text,
                                 strlen(s->item->text))) == JD_OK)
            st = shared_terms(r, &c.tmp, &s->best->v, words, e);
    }
out:
    if (st == JD_OK) {
        h->evidence = ev;
        h->nevidence = nev;
        h->gaps = gp;
        h->ngaps = ngap;
    }
    tvec_free(&c.tmp);
    free(c.seen);
    free(c.cand);
    free(c.spans);
    free(c.stems);
    free(all.v);
    return st;
}
