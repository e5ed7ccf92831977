/*
 * snippet.c: locating matched words in a hit's items. Items are
 * re-analysed with the indexer's analyzer, so a highlighted word is one
 * that produced a matching term, never a loose string match.
 */
#include "query/search/snippet.h"

#include "indexer/spec/record.h"
#include "indexer/store/schema.h"
#include "indexer/store/xapian_shim.h"
#include "query/core/results.h"

#include <stdlib.h>
#include <string.h>

const char *
snippet_prefix(const char *list)
{
    if (strcmp(list, "duties") == 0)
        return PREFIX_DUTY;
    if (strcmp(list, "title") == 0)
        return PREFIX_TITLE;
    if (strcmp(list, "summary") == 0)
        return PREFIX_SUMMARY;
    if (spec_list_is_qualification(list))
        return PREFIX_QUAL;
    return PREFIX_OTHER;
}

/* ---- the query's shape ---- */

static int
on_phrase(void *ctx, const char *const *terms, const size_t *lens, size_t n,
          unsigned window)
{
    struct snippet_query *sq = ctx;
    struct snippet_phrase *v =
        realloc(sq->phrases, (sq->nphrases + 1) * sizeof(*v));
    if (!v)
        return 1;
    sq->phrases = v;
    struct snippet_phrase *p = &sq->phrases[sq->nphrases];
    memset(p, 0, sizeof(*p));
    p->terms = calloc(n, sizeof(char *));
    if (!p->terms)
        return 1;
    sq->nphrases++;
    p->n = n;
    p->window = window;
    for (size_t i = 0; i < n; i++)
        if (!(p->terms[i] = strndup(terms[i], lens[i])))
            return 1;
    return 0;
}

struct leaf_sets {
    struct termmap in_phrase, loose, *wildcards;
};

static int
on_leaf(void *ctx, const char *term, size_t len, bool in_phrase, bool wildcard)
{
    struct leaf_sets *s = ctx;
    struct termmap *m = wildcard    ? s->wildcards
                        : in_phrase ? &s->in_phrase
                                    : &s->loose;
    return termmap_get(m, term, len) == NULL;
}

jd_status
snippet_query_init(struct snippet_query *sq, const struct xs_query *q)
{
    memset(sq, 0, sizeof(*sq));
    struct leaf_sets sets;
    memset(&sets, 0, sizeof(sets));
    sets.wildcards = &sq->wildcards;
    jd_status st = xs_query_walk(q, on_phrase, NULL, sq);
    if (st == JD_OK)
        st = xs_query_walk(q, NULL, on_leaf, &sets);
    size_t i = 0;
    const struct termmap_entry *e;
    while (st == JD_OK && (e = termmap_next(&sets.in_phrase, &i)) != NULL)
        if (!termmap_find(&sets.loose, e->key, e->len) &&
            !termmap_get(&sq->phrase_only, e->key, e->len))
            st = JD_ERR_NOMEM;
    termmap_free(&sets.in_phrase);
    termmap_free(&sets.loose);
    return st;
}

void
snippet_query_free(struct snippet_query *sq)
{
    for (size_t i = 0; i < sq->nphrases; i++) {
        for (size_t k = 0; k < sq->phrases[i].n; k++)
            free(sq->phrases[i].terms[k]);
        free(sq->phrases[i].terms);
    }
    free(sq->phrases);
    termmap_free(&sq->phrase_only);
    termmap_free(&sq->wildcards);
    memset(sq, 0, sizeof(*sq));
}

/* ---- marking one text ---- */

struct token {
    char term[TERM_MAX + 8]; /* prefixed */
    size_t len, pos, start, end;
    bool mark;
};

struct tokens {
    const char *prefix;
    struct token *v;
    size_t n, cap;
};

static jd_status
on_token(void *ctx, const char *term, size_t len, size_t pos, size_t start,
         size_t end)
{
    struct tokens *t = ctx;
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 32;
        struct token *v = realloc(t->v, cap * sizeof(*v));
        if (!v)
            return JD_ERR_NOMEM;
        t->v = v;
        t->cap = cap;
    }
    struct token *k = &t->v[t->n++];
    size_t pl = strlen(t->prefix);
    memcpy(k->term, t->prefix, pl);
    memcpy(k->term + pl, term, len);
    k->len = pl + len;
    k->pos = pos;
    k->start = start;
    k->end = end;
    k->mark = false;
    return JD_OK;
}

static bool
matches_wildcard(const struct termmap *patterns, const struct token *k)
{
    size_t i = 0;
    const struct termmap_entry *e;
    while ((e = termmap_next(patterns, &i)) != NULL)
        if (e->len <= k->len && memcmp(k->term, e->key, e->len) == 0)
            return true;
    return false;
}

static bool
token_is(const struct token *k, const char *term)
{
    return strlen(term) == k->len && memcmp(k->term, term, k->len) == 0;
}

/* Mark every occurrence of phrase P (its words in order within its
 * window); true if there was one. */
static bool
mark_phrase(struct tokens *t, const struct snippet_phrase *p)
{
    bool found = false;
    for (size_t i = 0; i < t->n; i++) {
        if (!token_is(&t->v[i], p->terms[0]))
            continue;
        size_t at[16];
        size_t k = 1, j = i + 1;
        at[0] = i;
        while (k < p->n && k < 16 && j < t->n &&
               t->v[j].pos < t->v[i].pos + p->window) {
            if (token_is(&t->v[j], p->terms[k]))
                at[k++] = j;
            j++;
        }
        if (k < p->n)
            continue;
        found = true;
        for (size_t m = 0; m < k; m++)
            t->v[at[m]].mark = true;
    }
    return found;
}

jd_status
snippet_spans(jd_results *r, struct analyzer *a, const char *text,
              const char *prefix, const struct termmap *terms,
              const struct snippet_query *sq, struct jd_span **out, size_t *n,
              size_t *distinct)
{
    struct tokens t = {prefix, NULL, 0, 0};
    size_t pos = 0;
    struct termmap seen = {NULL, 0, 0};
    *out = NULL;
    *n = 0;
    *distinct = 0;
    jd_status st = analyze_text(a, text, strlen(text), &pos, on_token, &t);
    /* Words matched on their own, or by a wildcard. */
    for (size_t i = 0; i < t.n && st == JD_OK; i++) {
        struct token *k = &t.v[i];
        bool hit = termmap_find(terms, k->term, k->len) &&
                   !(sq && termmap_find(&sq->phrase_only, k->term, k->len));
        if (!hit && sq && sq->wildcards.n)
            hit = matches_wildcard(&sq->wildcards, k);
        if (!hit)
            continue;
        k->mark = true;
        if (!termmap_get(&seen, k->term, k->len))
            st = JD_ERR_NOMEM;
    }
    *distinct = seen.n;
    /* Phrases, where they occur. */
    for (size_t p = 0; sq && p < sq->nphrases && st == JD_OK; p++)
        if (mark_phrase(&t, &sq->phrases[p]))
            (*distinct)++;
    size_t marked = 0;
    for (size_t i = 0; i < t.n; i++)
        marked += t.v[i].mark;
    if (st == JD_OK && marked > 0) {
        struct jd_span *v = results_alloc(r, marked * sizeof(*v));
        if (!v) {
            st = JD_ERR_NOMEM;
        } else {
            size_t k = 0;
            for (size_t i = 0; i < t.n; i++) {
                if (!t.v[i].mark)
                    continue;
                /* Merge with the previous span across blanks only. */
                if (k > 0) {
                    size_t e = v[k - 1].end;
                    while (e < t.v[i].start && text[e] == ' ')
                        e++;
                    if (e == t.v[i].start) {
                        v[k - 1].end = t.v[i].end;
                        continue;
                    }
                }
                v[k++] = (struct jd_span){t.v[i].start, t.v[i].end};
            }
            *out = v;
            *n = k;
        }
    }
    free(t.v);
    termmap_free(&seen);
    return st;
}

struct candidate {
    struct jd_snippet snip;
    size_t distinct;
    size_t order; /* tie-break: list order, then item order */
};

struct cand_list {
    struct candidate *v;
    size_t n, cap;
};

static jd_status
consider(jd_results *r, struct analyzer *a, const struct termmap *terms,
         const struct snippet_query *sq, struct cand_list *cl, const char *list,
         const struct jd_item *it, const char *text, size_t order)
{
    struct jd_span *spans;
    size_t n, distinct;
    jd_status st = snippet_spans(r, a, text, snippet_prefix(list), terms, sq,
                                 &spans, &n, &distinct);
    if (st != JD_OK || n == 0)
        return st;
    if (cl->n == cl->cap) {
        size_t cap = cl->cap ? cl->cap * 2 : 16;
        struct candidate *v = realloc(cl->v, cap * sizeof(*v));
        if (!v)
            return JD_ERR_NOMEM;
        cl->v = v;
        cl->cap = cap;
    }
    struct candidate *c = &cl->v[cl->n++];
    memset(c, 0, sizeof(*c));
    c->snip.list = list;
    c->snip.n = it ? it->n : 0;
    c->snip.kind = it ? it->kind : NULL;
    c->snip.line = it ? it->line : 0;
    c->snip.text = text;
    c->snip.spans = spans;
    c->snip.nspans = n;
    c->distinct = distinct;
    c->order = order;
    return JD_OK;
}

struct walk_ctx {
    jd_results *r;
    struct analyzer *a;
    const struct termmap *terms;
    const struct snippet_query *sq;
    struct cand_list *cl;
    size_t order;
};

static jd_status
consider_list(void *ctx, const char *name, const struct jd_item_list *list)
{
    struct walk_ctx *w = ctx;
    jd_status st = JD_OK;
    for (size_t i = 0; i < list->len && st == JD_OK; i++)
        st = consider(w->r, w->a, w->terms, w->sq, w->cl, name, &list->v[i],
                      list->v[i].text, w->order++);
    return st;
}

static int
cmp_candidate(const void *x, const void *y)
{
    const struct candidate *a = x, *b = y;
    if (a->distinct != b->distinct)
        return a->distinct > b->distinct ? -1 : 1;
    return (a->order > b->order) - (a->order < b->order);
}

/* Cut a long summary to about 240 bytes around its first match. */
static void
window(jd_results *r, struct jd_snippet *s)
{
    size_t len = strlen(s->text);
    if (len <= 300 || s->nspans == 0)
        return;
    size_t from = s->spans[0].start > 80 ? s->spans[0].start - 80 : 0;
    while (from > 0 && s->text[from - 1] != ' ')
        from--;
    size_t to = from + 240 < len ? from + 240 : len;
    while (to < len && s->text[to] != ' ')
        to++;
    struct jd_span *spans = results_alloc(r, s->nspans * sizeof(*spans));
    const char *text = results_strdup(r, s->text + from, to - from);
    if (!spans || !text)
        return; /* keep the whole text */
    size_t k = 0;
    for (size_t i = 0; i < s->nspans; i++)
        if (s->spans[i].start >= from && s->spans[i].end <= to)
            spans[k++] = (struct jd_span){s->spans[i].start - from,
                                          s->spans[i].end - from};
    s->text = text;
    s->spans = spans;
    s->nspans = k;
}

jd_status
snippets_add(jd_results *r, struct jd_hit *h, struct analyzer *a,
             const struct termmap *terms, const struct snippet_query *sq,
             size_t max)
{
    struct cand_list cl = {NULL, 0, 0};
    struct walk_ctx w = {r, a, terms, sq, &cl, 0};
    const jd_spec *s = h->spec;
    jd_status st = spec_each_clist(s, consider_list, &w);
    if (st == JD_OK && s->summary)
        st = consider(r, a, terms, sq, &cl, "summary", NULL, s->summary,
                      w.order++);
    if (st == JD_OK && s->distinguishing)
        st = consider(r, a, terms, sq, &cl, "summary", NULL, s->distinguishing,
                      w.order++);
    if (st == JD_OK && cl.n > 0) {
        qsort(cl.v, cl.n, sizeof(*cl.v), cmp_candidate);
        size_t k = cl.n < max ? cl.n : max;
        struct jd_snippet *out = results_alloc(r, k * sizeof(*out));
        if (!out) {
            st = JD_ERR_NOMEM;
        } else {
            for (size_t i = 0; i < k; i++) {
                out[i] = cl.v[i].snip;
                if (strcmp(out[i].list, "summary") == 0)
                    window(r, &out[i]);
            }
            h->snippets = out;
            h->nsnippets = k;
        }
    }
    free(cl.v);
    return st;
}
