/*
 * describe.c: what the ranking says about each hit beyond its score:
 * the query terms its class holds (by share of the query's weight, as
 * the query spelled them), the share of the query's weight they make
 * (coverage), and a confidence label.
 */
#include "query/match/rank_internal.h"

#include "indexer/spec/record.h"
#include "indexer/store/db.h"
#include "query/core/results.h"

#include <stdlib.h>
#include <string.h>

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

jd_status
rank_hit_terms(jd_db *db, struct xs_mset *m, size_t i, jd_results *r,
               struct jd_hit *h, const struct termmap *used)
{
    struct termmap stems = {NULL, 0, 0};
    jd_status st = xs_mset_matching_terms(m, i, matched_stem, &stems, db->msg,
                                          sizeof(db->msg));
    if (st == JD_OK)
        st = set_terms(r, h, &stems, used);
    termmap_free(&stems);
    return st;
}

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

/* Hit H's terms as the query spelled them (WORDS), heaviest first,
 * MAX_TERMS at most. */
static jd_status
spell_terms(jd_results *r, struct jd_hit *hit, const struct surface *words)
{
    struct jd_term_weight *tw = (struct jd_term_weight *)hit->terms;
    for (size_t t = 0; t < hit->nterms; t++) {
        char buf[128];
        const char *w = surface_word(words, tw[t].term, buf, sizeof(buf));
        if (w != tw[t].term && !(tw[t].term = results_strdup(r, w, strlen(w))))
            return JD_ERR_NOMEM;
    }
    if (hit->nterms > 1)
        qsort(tw, hit->nterms, sizeof(*tw), by_term_weight);
    if (hit->nterms > MAX_TERMS)
        hit->nterms = MAX_TERMS;
    return JD_OK;
}

jd_status
rank_describe(jd_db *db, jd_results *r, const struct termmap *used,
              const struct surface *words)
{
    double coverage_top = 0;
    for (size_t h = 0; h < r->n; h++) {
        struct jd_hit *hit = &r->hits[h];
        jd_status st = JD_OK;
        if (!hit->terms) {
            /* No Xapian match list (found by its title only): the words
             * of the record itself. */
            struct termmap stems = {NULL, 0, 0};
            st = record_stems(db->an, hit->spec, &stems);
            if (st == JD_OK)
                st = set_terms(r, hit, &stems, used);
            termmap_free(&stems);
        }
        if (st == JD_OK)
            st = spell_terms(r, hit, words);
        if (st != JD_OK)
            return st;
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
