/*
 * search.c: jd_search(), ad-hoc queries through Xapian's QueryParser.
 * QueryParser does the syntax (booleans, phrases, wildcards, fields); the
 * shim hands it the indexer's analyzer as its stemmer, so query terms are
 * spelled as indexed.
 */
#include "jobdex.h"

#include "indexer/spec/json.h"
#include "indexer/store/db.h"
#include "indexer/store/schema.h"
#include "indexer/util/termmap.h"
#include "query/core/filter.h"
#include "query/core/results.h"
#include "query/search/snippet.h"

#include <string.h>

/* Snippets shown per hit. */
#define SEARCH_SNIPPETS 3

static const struct xs_field search_fields[] = {
    /* Words without a field look in every free-text field. */
    {"", PREFIX_TITLE, false},
    {"", PREFIX_SUMMARY, false},
    {"", PREFIX_DUTY, false},
    {"", PREFIX_QUAL, false},
    {"", PREFIX_OTHER, false},
    {"title", PREFIX_TITLE, false},
    {"summary", PREFIX_SUMMARY, false},
    {"duty", PREFIX_DUTY, false},
    {"duties", PREFIX_DUTY, false},
    {"qual", PREFIX_QUAL, false},
    {"quals", PREFIX_QUAL, false},
    {"other", PREFIX_OTHER, false},
    {"jurisdiction", PREFIX_JURISDICTION, true},
    {"department", PREFIX_DEPARTMENT, true},
    {"flsa", PREFIX_FLSA, true},
    {"series", PREFIX_SERIES, true},
    {"code", PREFIX_CODE, true},
    {"id", PREFIX_ID, true},
};

static int
add_matching(void *ctx, const char *term, size_t len, size_t freq)
{
    (void)freq;
    return termmap_get(ctx, term, len) == NULL;
}

/* Load hit I of M as a record and add it, with snippets, to R. */
static jd_status
add_hit(jd_db *db, struct xs_mset *m, size_t i, const struct snippet_query *sq,
        jd_results *r)
{
    jd_status st = xs_mset_data(m, i, &db->scratch, db->msg, sizeof(db->msg));
    if (st != JD_OK)
        return st;
    /* The id too, to name a record that does not parse. */
    jd_buf id = {NULL, 0, 0};
    jd_spec *s = NULL;
    st = xs_mset_value(m, i, SLOT_ID, &id, db->msg, sizeof(db->msg));
    if (st == JD_OK)
        st =
            db_parse_record(db, id.data, db->scratch.data, db->scratch.len, &s);
    jd_buf_free(&id);
    if (st != JD_OK)
        return st;
    struct jd_hit *h;
    if ((st = results_add(r, s, xs_mset_weight(m, i), &h)) != JD_OK)
        return st;
    struct termmap terms = {NULL, 0, 0};
    st = xs_mset_matching_terms(m, i, add_matching, &terms, db->msg,
                                sizeof(db->msg));
    if (st == JD_OK)
        st = snippets_add(r, h, db->an, &terms, sq, SEARCH_SNIPPETS);
    termmap_free(&terms);
    return st;
}

static jd_status
search_once(jd_db *db, const char *query, const struct jd_filter *f,
            size_t limit, jd_results **out)
{
    *out = NULL;
    struct xs_parse opts = {search_fields,
                            sizeof(search_fields) / sizeof(search_fields[0]),
                            false, false, JD_QUERY_MAX_TERMS};
    struct xs_query *q = NULL;
    struct xs_mset *m = NULL;
    jd_results *r = NULL;
    struct snippet_query sq;
    memset(&sq, 0, sizeof(sq));
    jd_status st = xs_query_parse(db->classes, db->an, query, strlen(query),
                                  &opts, &q, db->msg, sizeof(db->msg));
    if (st != JD_OK)
        goto out;
    if ((st = snippet_query_init(&sq, q)) != JD_OK)
        goto out;
    if ((st = filter_apply(&q, f, false)) != JD_OK)
        goto out;
    struct xs_search s = {
        .query = q, .limit = limit, .collapse_slot = -1, .sort_slot = -1};
    if ((st = xs_enquire(db->classes, &s, &m, db->msg, sizeof(db->msg))) !=
            JD_OK ||
        (st = results_new(&r)) != JD_OK)
        goto out;
    for (size_t i = 0; i < xs_mset_size(m) && st == JD_OK; i++)
        st = add_hit(db, m, i, &sq, r);
    if (st != JD_OK)
        goto out;
    r->total = xs_mset_estimated(m);
    results_finish(r);
    *out = r;
    r = NULL;
out:
    snippet_query_free(&sq);
    jd_results_free(r);
    xs_mset_free(m);
    xs_query_free(q);
    return st;
}

struct search_call {
    const char *query;
    const struct jd_filter *f;
    size_t limit;
    jd_results **out;
};

static jd_status
search_read(jd_db *db, void *ctx)
{
    struct search_call *c = ctx;
    return search_once(db, c->query, c->f, c->limit, c->out);
}

jd_status
jd_search(jd_db *db, const char *query, const struct jd_filter *f, size_t limit,
          jd_results **out)
{
    struct search_call c = {query, f, limit, out};
    return db_read(db, search_read, &c);
}
