/*
 * xquery.c: the Xapian queries of the ranking, from the words
 * rank_choose_terms kept: the class search (each word in each weighted
 * field, adjacent word pairs, keyword phrases), the title search over
 * title items, and leaving out or keeping to given documents.
 */
#include "query/match/rank_internal.h"

#include "indexer/store/schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The term PREFIX + STEM (LEN bytes), of within-query frequency WQF,
 * weighted by SCALE. */
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

/* OR of the N PARTS when ST is JD_OK; the parts are freed either way. */
static jd_status
or_all(jd_status st, struct xs_query **parts, size_t n, struct xs_query **out)
{
    if (st == JD_OK)
        st = xs_query_combine(XS_OP_OR, parts, n, 0, out);
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

/* A phrase query of the N STEMS within WINDOW positions, in the field
 * with prefix PREFIX, weighted by SCALE. */
static jd_status
phrase_query(const char *prefix, char *const *stems, size_t n, unsigned window,
             double scale, struct xs_query **out)
{
    struct xs_query **words = calloc(n, sizeof(struct xs_query *));
    if (!words)
        return JD_ERR_NOMEM;
    jd_status st = JD_OK;
    for (size_t w = 0; w < n && st == JD_OK; w++)
        st = prefixed(prefix, stems[w], strlen(stems[w]), 1, 1.0, &words[w]);
    struct xs_query *phrase = NULL;
    if (st == JD_OK)
        st = xs_query_combine(XS_OP_PHRASE, words, n, window, &phrase);
    for (size_t w = 0; w < n; w++)
        xs_query_free(words[w]);
    free(words);
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
    size_t top = nterms < PAIR_TERMS ? nterms : PAIR_TERMS; /* by weight */
    struct termmap seen = {NULL, 0, 0};
    jd_status st = JD_OK;
    for (size_t i = 0; i + 1 < q->seq.n && st == JD_OK; i++) {
        char *const pair[2] = {q->seq.stems[i], q->seq.stems[i + 1]};
        const char *a = pair[0], *b = pair[1];
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
        for (size_t f = 0; f < NFIELDS && st == JD_OK; f++) {
            double w = rank_field_weight(p, f);
            if (w <= 0 || (st = parts_room(parts, *n, cap)) != JD_OK)
                continue;
            st = phrase_query(rank_field_prefix[f], pair, 2, (unsigned)gap + 1,
                              w * p->pair_weight, &(*parts)[*n]);
            if (st == JD_OK)
                (*n)++;
        }
    }
    termmap_free(&seen);
    return st;
}

/* Keyword phrases of Q, in every field of non-zero weight. Appended to
 * *PARTS (grown as needed). */
static jd_status
keyword_phrases(const struct rank_query *q, const struct rank_params *p,
                struct xs_query ***parts, size_t *n, size_t *cap)
{
    jd_status st = JD_OK;
    for (size_t k = 0; k < q->nphrases && st == JD_OK; k++) {
        const struct rank_phrase *ph = &q->phrases[k];
        for (size_t f = 0; f < NFIELDS && st == JD_OK; f++) {
            double w = rank_field_weight(p, f);
            if (w <= 0 || (st = parts_room(parts, *n, cap)) != JD_OK)
                continue;
            st = phrase_query(rank_field_prefix[f], ph->stems, ph->n,
                              ph->window, w * p->phrase_boost, &(*parts)[*n]);
            if (st == JD_OK)
                (*n)++;
        }
    }
    return st;
}

jd_status
rank_class_query(const struct chosen *terms, size_t nterms,
                 const struct rank_query *q, const struct rank_params *p,
                 struct xs_query **out)
{
    size_t cap = nterms * NFIELDS + q->nphrases * NFIELDS + 1;
    struct xs_query **parts = calloc(cap, sizeof(struct xs_query *));
    if (!parts)
        return JD_ERR_NOMEM;
    size_t n = 0;
    jd_status st = JD_OK;
    /* A field of zero weight, or one no class has the word in, adds
     * nothing but work. */
    for (size_t i = 0; i < nterms && st == JD_OK; i++)
        for (size_t f = 0; f < NFIELDS && st == JD_OK; f++)
            if (rank_field_weight(p, f) > 0 && terms[i].df[f] > 0)
                st = prefixed(rank_field_prefix[f], terms[i].stem, terms[i].len,
                              (unsigned)terms[i].qtf,
                              rank_field_weight(p, f) * terms[i].boost,
                              &parts[n++]);
    /* Adjacent query words, in order, in the fields where wording is
     * precise. */
    if (st == JD_OK && p->pair_weight > 0)
        st = pair_queries(terms, nterms, q, p, &parts, &n, &cap);
    /* Keyword phrases, likewise. */
    if (st == JD_OK)
        st = keyword_phrases(q, p, &parts, &n, &cap);
    st = or_all(st, parts, n, out);
    free(parts);
    return st;
}

jd_status
rank_title_query(const struct chosen *terms, size_t nterms,
                 struct xs_query **out)
{
    struct xs_query **parts =
        calloc(nterms ? nterms : 1, sizeof(struct xs_query *));
    if (!parts)
        return JD_ERR_NOMEM;
    jd_status st = JD_OK;
    size_t n = 0;
    /* A word no class has in its title cannot match a title item. */
    for (size_t i = 0; i < nterms && st == JD_OK; i++)
        if (terms[i].df[0] > 0)
            st = prefixed(PREFIX_TITLE, terms[i].stem, terms[i].len,
                          (unsigned)terms[i].qtf, terms[i].boost, &parts[n++]);
    st = or_all(st, parts, n, out);
    free(parts);
    return st;
}

jd_status
rank_exclude(struct xs_query **q, const char *prefix, const char *id)
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

jd_status
rank_restrict_to(struct xs_query **q, struct xs_query *pool)
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
