/*
 * match.c: jd_match() and jd_similar(): ranking classes against a text
 * (rank.h) and explaining the hits (evidence.c).
 */
#include "jobdex.h"

#include "indexer/store/db.h"
#include "indexer/util/buf.h"
#include "query/core/results.h"
#include "query/match/evidence.h"
#include "query/match/rank.h"

#include <stdlib.h>
#include <string.h>

/* Rank for Q and describe the hits; with LINES, add their evidence. */
static jd_status
run(jd_db *db, const struct rank_query *q, const struct rank_weights *w,
    const struct jd_filter *f, const char *exclude_id, size_t limit,
    struct qlines *lines, bool gaps, const struct surface *words,
    jd_results **out)
{
    struct idf idf;
    struct termmap used = {NULL, 0, 0};
    jd_results *r = NULL;
    jd_status st = idf_init(&idf, db);
    if (st == JD_OK)
        st = results_new(&r);
    if (st == JD_OK)
        st = rank_run(db, q, w, f, exclude_id, limit, lines != NULL, r, &used);
    if (st == JD_OK) {
        results_finish(r);
        st = rank_describe(db, r, &used, words);
    }
    for (size_t i = 0; st == JD_OK && lines && i < r->n; i++)
        st = evidence_add(r, &r->hits[i], db->an, &idf, lines, gaps, words);
    termmap_free(&used);
    idf_free(&idf);
    if (st != JD_OK) {
        jd_results_free(r);
        return st;
    }
    *out = r;
    return JD_OK;
}

static jd_status
match_once(jd_db *db, const char *text, size_t len,
           const struct jd_match_opts *opts, const struct rank_weights *w,
           jd_results **out)
{
    *out = NULL;
    jd_buf norm = {NULL, 0, 0};
    struct rank_query q;
    memset(&q, 0, sizeof(q));
    struct qlines lines;
    memset(&lines, 0, sizeof(lines));
    struct idf idf = {NULL, 0, {NULL, 0, 0}};
    struct surface words;
    memset(&words, 0, sizeof(words));
    jd_status st = analyze_normalize(text, len, &norm);
    if (st == JD_ERR_INVALID_ARG) {
        st = db_fail(db, st, "text is not valid UTF-8");
        goto out;
    }
    if (st != JD_OK)
        goto out;
    const char *t = norm.data ? norm.data : "";
    if ((st = rank_query_build(&q, db->an, t, norm.len, opts->keywords)) !=
        JD_OK)
        goto out;
    if (q.qtf.n == 0) {
        st = db_fail(db, JD_ERR_INVALID_ARG,
                     "no searchable words (only stop words or punctuation)");
        goto out;
    }
    /* Every keyword phrase is searched as a whole: their number is not
     * bounded by the words kept (see JD_QUERY_MAX_TERMS). */
    if (opts->keywords && q.terms > JD_QUERY_MAX_TERMS) {
        st = db_fail(db, JD_ERR_TOO_BIG,
                     "query has %zu terms, over the %d-term limit", q.terms,
                     JD_QUERY_MAX_TERMS);
        goto out;
    }
    /* A résumé's title line and duty lines are ranked one by one too. */
    if (!opts->keywords && !opts->whole &&
        (st = rank_query_add_parts(&q, db->an, t, norm.len)) != JD_OK)
        goto out;
    if ((st = surface_init(&words, db->an, t, norm.len)) != JD_OK)
        goto out;
    if (opts->explain) {
        /* Keywords are evidence one by one: "line" N is keyword N. */
        if (opts->keywords && norm.data)
            for (size_t i = 0; i < norm.len; i++)
                if (norm.data[i] == ',' || norm.data[i] == ';')
                    norm.data[i] = '\n';
        if ((st = idf_init(&idf, db)) != JD_OK ||
            (st = qlines_from_text(&lines, db->an, &idf, t, norm.len)) != JD_OK)
            goto out;
    }
    st = run(db, &q, w, &opts->filter, NULL, opts->limit,
             opts->explain ? &lines : NULL, true, &words, out);
out:
    surface_free(&words);
    qlines_free(&lines);
    idf_free(&idf);
    rank_query_free(&q);
    jd_buf_free(&norm);
    return st;
}

/* The text a class is compared by: its duties and qualifications. */
static jd_status
class_text(const jd_spec *s, jd_buf *out)
{
    const struct jd_item_list *lists[] = {&s->duties,    &s->knowledge,
                                          &s->skills,    &s->abilities,
                                          &s->education, &s->licenses};
    jd_status st = JD_OK;
    if (s->title)
        st = buf_puts(out, s->title);
    for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++)
        for (size_t i = 0; i < lists[l]->len && st == JD_OK; i++) {
            st = buf_putc(out, '\n');
            if (st == JD_OK)
                st = buf_puts(out, lists[l]->v[i].text);
        }
    if (st == JD_OK && out->len == 0 && s->summary)
        st = buf_puts(out, s->summary);
    return st;
}

static jd_status
similar_once(jd_db *db, const char *id, const struct jd_filter *f, size_t limit,
             const struct rank_weights *w, jd_results **out)
{
    *out = NULL;
    jd_spec *s = NULL;
    jd_buf text = {NULL, 0, 0};
    struct rank_query q;
    memset(&q, 0, sizeof(q));
    struct qlines lines;
    memset(&lines, 0, sizeof(lines));
    struct idf idf = {NULL, 0, {NULL, 0, 0}};
    struct surface words;
    memset(&words, 0, sizeof(words));
    jd_status st = db_load(db, id, &s);
    if (st != JD_OK)
        goto out;
    if ((st = class_text(s, &text)) != JD_OK ||
        (st = rank_query_build(&q, db->an, text.data ? text.data : "", text.len,
                               false)) != JD_OK ||
        (st = surface_init(&words, db->an, text.data ? text.data : "",
                           text.len)) != JD_OK)
        goto out;
    /* The evidence is the duties both classes share. */
    if ((st = idf_init(&idf, db)) != JD_OK ||
        (st = qlines_from_items(&lines, db->an, &idf, &s->duties)) != JD_OK)
        goto out;
    st = run(db, &q, w, f, s->id, limit, &lines, false, &words, out);
out:
    surface_free(&words);
    qlines_free(&lines);
    idf_free(&idf);
    rank_query_free(&q);
    jd_buf_free(&text);
    jd_spec_free(s);
    return st;
}

struct match_call {
    const char *text, *id; /* match: TEXT of LEN; similar: ID */
    size_t len;
    const struct jd_match_opts *opts;
    struct rank_weights weights; /* match: the shipped, or opts->weights */
    const struct jd_filter *f;
    size_t limit;
    jd_results **out;
};

static jd_status
match_read(jd_db *db, void *ctx)
{
    struct match_call *c = ctx;
    return match_once(db, c->text, c->len, c->opts, &c->weights, c->out);
}

jd_status
jd_match(jd_db *db, const char *text, size_t len,
         const struct jd_match_opts *opts, jd_results **out)
{
    struct match_call c = {.text = text, .len = len, .opts = opts, .out = out};
    /* Read per call into C: a handle's calls may differ in weights, and
     * handles may be used by threads of their own. */
    char why[768];
    *out = NULL;
    if (rank_weights_read(opts->weights, &c.weights, why, sizeof(why)) != JD_OK)
        return db_fail(db, JD_ERR_INVALID_ARG, "invalid weights: %s", why);
    return db_read(db, match_read, &c);
}

static jd_status
similar_read(jd_db *db, void *ctx)
{
    struct match_call *c = ctx;
    /* Classes compare by the shipped weights only. */
    return similar_once(db, c->id, c->f, c->limit, &rank_shipped, c->out);
}

jd_status
jd_similar(jd_db *db, const char *id, const struct jd_filter *f, size_t limit,
           jd_results **out)
{
    struct match_call c = {.id = id, .f = f, .limit = limit, .out = out};
    return db_read(db, similar_read, &c);
}
