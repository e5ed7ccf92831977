/*
 * score.c: scoring the candidates of a query, and rank_run.
 *
 * A class's score is the sum of four parts, each relative to the query's
 * best value, so the mix does not depend on query length:
 *   - BM25 (BM25+ where delta > 0) over the class document, each query
 *     word searched in every field with the field's weight (a title hit
 *     counts more than a hit in working conditions), with adjacent word
 *     pairs and keyword phrases as phrases (xquery.c);
 *   - times title_weight, the score of its best title among its title
 *     and alternate titles in the items database (a title query that
 *     matches one alternate title says more than the same words spread
 *     over a class with hundreds);
 *   - times model_weight and concept_weight, the class model's
 *     probability and concept-space cosine (indexer/model/model.h).
 * The weights are those of the query's length (weights.c), and only its
 * most informative words are searched (terms.c), which bounds the cost
 * of long texts. A text of several parts (a résumé's title line and list
 * items) is also ranked part by part, each with the weights of its own
 * length, and the parts' scores are added to the whole text's
 * (add_parts).
 */
#include "query/match/rank_internal.h"

#include "indexer/store/db.h"
#include "indexer/store/schema.h"
#include "query/core/filter.h"
#include "query/core/results.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A class found by the class or the title search, with its parts'
 * scores. */
struct cand {
    char *id;
    double cls, title, model, concept, score;
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
    x->cls = x->title = x->model = x->concept = x->score = 0;
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

/* Where score_cands looks, and with what: the weights, the filter, a
 * class left out, and the classes (as class and as item filters) a part
 * is confined to. */
struct scope {
    const struct rank_weights *weights;
    const struct jd_filter *f;
    const char *exclude_id;
    struct xs_query *pool_classes, *pool_items; /* NULL: anywhere */
};

/* Each candidate's best title (title or alternate title item), as a
 * share of the query's best title, into its TITLE; the search collapses
 * a class's titles to its best, and looks at WANT classes. */
static jd_status
best_titles(jd_db *db, const struct rank_params *p, const struct chosen *terms,
            size_t nterms, const struct scope *in, size_t want,
            struct cands *cands)
{
    struct xs_query *q = NULL;
    struct xs_mset *m = NULL;
    /* Title words are in title items only (their own prefix), so no
     * filter by list is needed. */
    jd_status st = rank_title_query(terms, nterms, &q);
    if (st == JD_OK)
        st = filter_apply(&q, in->f, true);
    if (st == JD_OK)
        st = rank_exclude(&q, PREFIX_PARENT, in->exclude_id);
    if (st == JD_OK)
        st = rank_restrict_to(&q, in->pool_items);
    struct xs_search s = {.query = q,
                          .limit = want,
                          .k1 = p->k1,
                          .b = p->b,
                          .delta = p->delta,
                          .collapse_slot = SLOT_ITEM_PARENT,
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
        c->title += top > 0 ? xs_mset_weight(m, i) / top : 0;
    }
    /* Relative to the best class's. */
    double best = 0;
    for (size_t i = 0; i < cands->n; i++)
        if (cands->v[i].title > best)
            best = cands->v[i].title;
    for (size_t i = 0; best > 0 && i < cands->n; i++)
        cands->v[i].title /= best;
    xs_mset_free(m);
    xs_query_free(q);
    return st;
}

/* The class model's score of each candidate; *USED: the model, or NULL
 * when the index has none or a stale one (then every score is 0). */
static jd_status
model_scores(jd_db *db, const struct rank_query *q, struct cands *cands,
             struct class_model **used)
{
    *used = NULL;
    struct class_model *model;
    jd_status st = rank_cache_model(db, &model);
    if (st != JD_OK || !model)
        return st;
    st = model_score(db, model, &q->qtf);
    if (st == JD_OK)
        *used = model;
    for (size_t i = 0; i < cands->n && st == JD_OK; i++) {
        size_t len = strlen(cands->v[i].id);
        cands->v[i].model = model_class_score(model, cands->v[i].id, len);
        cands->v[i].concept = model_class_concept(model, cands->v[i].id, len);
    }
    return st;
}

/* Record the chosen TERMS in USED, each with its weight qtf x idf. */
static jd_status
note_used(const struct chosen *terms, size_t nterms, struct termmap *used)
{
    for (size_t i = 0; i < nterms; i++) {
        struct termmap_entry *e =
            termmap_get(used, terms[i].stem, terms[i].len);
        if (!e)
            return JD_ERR_NOMEM;
        e->value = terms[i].qtf * terms[i].idf;
    }
    return JD_OK;
}

/* The class search for TERMS: its matches in *CM, each a candidate of
 * CANDS with its share of the best match's score; WANT at most. */
static jd_status
class_scores(jd_db *db, const struct rank_query *q, const struct rank_params *p,
             const struct chosen *terms, size_t nterms, const struct scope *in,
             size_t want, struct cands *cands, struct xs_mset **cm)
{
    struct xs_query *cq = NULL;
    jd_status st;
    if ((st = rank_class_query(terms, nterms, q, p, &cq)) != JD_OK ||
        (st = filter_apply(&cq, in->f, false)) != JD_OK ||
        (st = rank_exclude(&cq, PREFIX_ID, in->exclude_id)) != JD_OK ||
        (st = rank_restrict_to(&cq, in->pool_classes)) != JD_OK)
        goto out;
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
    double top = xs_mset_size(*cm) ? xs_mset_weight(*cm, 0) : 0;
    for (size_t i = 0; i < xs_mset_size(*cm); i++) {
        if ((st = xs_mset_value(*cm, i, SLOT_ID, &db->scratch, db->msg,
                                sizeof(db->msg))) != JD_OK)
            goto out;
        struct cand *c = cand_get(cands, db->scratch.data, db->scratch.len);
        if (!c) {
            st = JD_ERR_NOMEM;
            goto out;
        }
        c->cls = top > 0 ? xs_mset_weight(*cm, i) / top : 0;
        c->hit = (long)i;
    }
out:
    xs_query_free(cq);
    return st;
}

/* The scores of Q's candidates: CANDS, with the class search's matches
 * in *CM (for their records) and its estimate of all matches in *TOTAL.
 * The query terms used, with their weights, go to USED; the class model
 * that scored them (or NULL) to *MODEL. */
static jd_status
score_cands(jd_db *db, const struct rank_query *q, const struct scope *in,
            size_t limit, struct termmap *used, struct cands *cands,
            struct xs_mset **cm, size_t *total, struct class_model **model)
{
    const struct rank_params pw = rank_params_at(in->weights, q->qtf.n);
    const struct rank_params *p = &pw;
    struct chosen *terms = NULL;
    size_t nterms = 0;
    *model = NULL;
    jd_status st = rank_choose_terms(db, q, p, &terms, &nterms);
    if (st != JD_OK || nterms == 0)
        goto out;
    if ((st = note_used(terms, nterms, used)) != JD_OK)
        goto out;
    size_t cands_wanted = (size_t)(p->candidates + 0.5);
    size_t want = limit > cands_wanted ? limit : cands_wanted;
    if ((st = class_scores(db, q, p, terms, nterms, in, want, cands, cm)) !=
        JD_OK)
        goto out;
    *total = xs_mset_estimated(*cm);
    if (p->title_weight > 0 &&
        (st = best_titles(db, p, terms, nterms, in, want, cands)) != JD_OK)
        goto out;
    if ((p->model_weight > 0 || p->concept_weight > 0) &&
        (st = model_scores(db, q, cands, model)) != JD_OK)
        goto out;
    for (size_t i = 0; i < cands->n; i++) {
        struct cand *c = &cands->v[i];
        c->score = c->cls + p->title_weight * c->title +
                   p->model_weight * c->model + p->concept_weight * c->concept;
    }
out:
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
        struct class_model *model;
        st = score_cands(db, &q->parts[i], &part_in, limit, &used, &pc, &pm,
                         &total, &model);
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

jd_status
rank_run(jd_db *db, const struct rank_query *q, const struct rank_weights *w,
         const struct jd_filter *f, const char *exclude_id, size_t limit,
         bool full, jd_results *r, struct termmap *used)
{
    struct xs_mset *cm = NULL;
    struct cands cands = {NULL, 0, 0, {NULL, 0, 0}};
    struct scope in = {w, f, exclude_id, NULL, NULL};
    size_t total = 0;
    struct class_model *model = NULL;
    jd_status st =
        score_cands(db, q, &in, limit, used, &cands, &cm, &total, &model);
    bool parted = st == JD_OK && q->nparts > 0 && cands.n > 0;
    if (parted)
        st = add_parts(db, q, &in, limit,
                       rank_params_at(w, q->qtf.n).whole_weight, &cands);
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
        if (model) {
            h->model = cands.v[i].model;
            if (model_concepts(model) > 0)
            h->concepts = cands.v[i].concept;
        }
        /* Found by its title only: rank_describe reads its record. */
        if (cands.v[i].hit >= 0)
            st = rank_hit_terms(db, cm, (size_t)cands.v[i].hit, r, h, used);
    }
    if (r->total < cands.n)
        r->total = cands.n;
out:
    cands_free(&cands);
    xs_mset_free(cm);
    return st;
}
