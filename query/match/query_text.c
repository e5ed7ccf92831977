/*
 * query_text.c: the rank_query of a text or a keyword list (rank.h):
 * its stem counts, a title's head noun, its stems in order for word
 * pairs, keyword phrases, and the parts of a résumé (parts.h), each a
 * rank_query of its own.
 */
#include "query/match/rank.h"

#include "query/match/parts.h"

#include <stdlib.h>
#include <string.h>

/* The analyzer's words, as they come: counted into QTF and kept in
 * order, with their positions. */
struct collect {
    struct termmap *qtf;
    char last[TERM_MAX + 1]; /* the last stem seen */
    char **stems;
    size_t *pos;
    size_t n, cap;
};

/* Start C, counting into QTF, with room for 8 stems. */
static jd_status
collect_init(struct collect *c, struct termmap *qtf)
{
    memset(c, 0, sizeof(*c));
    c->qtf = qtf;
    c->stems = malloc(8 * sizeof(char *));
    c->pos = malloc(8 * sizeof(size_t));
    c->cap = 8;
    return c->stems && c->pos ? JD_OK : JD_ERR_NOMEM;
}

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
    if (c->n == c->cap) {
        size_t cap = c->cap * 2;
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
    return JD_OK;
}

/* A keyword of two or more words becomes a phrase of Q, taking C's
 * stems; a shorter one's stems are freed. */
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

/* Free text: its stems counted and in order, and its head noun. */
static jd_status
build_text(struct rank_query *q, struct analyzer *a, const char *text,
           size_t len)
{
    struct collect c;
    if (collect_init(&c, &q->qtf) != JD_OK) {
        free(c.stems);
        free(c.pos);
        return JD_ERR_NOMEM;
    }
    /* A title's head noun comes before any parenthesis: "IS Tech
     * (Information Systems Technician)". */
    const char *paren = memchr(text, '(', len);
    size_t head_len = paren && paren > text ? (size_t)(paren - text) : len;
    size_t pos = 0;
    jd_status st = analyze_text(a, text, head_len, &pos, collect_term, &c);
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

/* A keyword list: its stems counted, each keyword of several words a
 * phrase too. */
static jd_status
build_keywords(struct rank_query *q, struct analyzer *a, const char *text,
               size_t len)
{
    jd_status st = JD_OK;
    size_t start = 0;
    for (size_t i = 0; i <= len && st == JD_OK; i++) {
        if (i < len && text[i] != ',' && text[i] != ';' && text[i] != '\n')
            continue;
        struct collect c;
        size_t pos = 0;
        st = collect_init(&c, &q->qtf);
        if (st == JD_OK)
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

jd_status
rank_query_build(struct rank_query *q, struct analyzer *a, const char *text,
                 size_t len, bool keywords)
{
    memset(q, 0, sizeof(*q));
    return keywords ? build_keywords(q, a, text, len)
                    : build_text(q, a, text, len);
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
