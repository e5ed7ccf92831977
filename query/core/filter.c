/*
 * filter.c: filters become boolean terms (exact slugs) and value ranges.
 */
#include "query/core/filter.h"

#include "indexer/store/schema.h"

#include <float.h>
#include <string.h>

bool
filter_is_set(const struct jd_filter *f)
{
    return f && ((f->jurisdiction && *f->jurisdiction) ||
                 (f->department && *f->department) || (f->flsa && *f->flsa) ||
                 f->has_grade);
}

static jd_status
slug_term(const char *prefix, const char *value, bool jurisdiction,
          struct xs_query **out)
{
    char term[SLUG_MAX + 8];
    size_t pl = strlen(prefix);
    /* NOLINTNEXTLINE(bugprone-not-null-terminated-result): jd_slug ends it */
    memcpy(term, prefix, pl);
    if (jurisdiction)
        jd_jurisdiction_slug(value, term + pl, SLUG_MAX);
    else
        jd_slug(value, term + pl, SLUG_MAX);
    return xs_query_term(term, strlen(term), 1, out);
}

jd_status
filter_query(const struct jd_filter *f, bool items, struct xs_query **out)
{
    *out = NULL;
    if (!filter_is_set(f))
        return JD_OK;
    struct xs_query *parts[5] = {NULL};
    size_t n = 0;
    jd_status st = JD_OK;
    if (f->jurisdiction && *f->jurisdiction)
        st = slug_term(PREFIX_JURISDICTION, f->jurisdiction, true, &parts[n++]);
    if (st == JD_OK && f->department && *f->department)
        st = slug_term(PREFIX_DEPARTMENT, f->department, false, &parts[n++]);
    if (st == JD_OK && !items && f->flsa && *f->flsa)
        st = slug_term(PREFIX_FLSA, f->flsa, false, &parts[n++]);
    if (st == JD_OK && !items && f->has_grade) {
        /* The class's range [min, max] meets [grade_min, grade_max]. */
        st = xs_query_number_range(SLOT_GRADE_MIN, -DBL_MAX, f->grade_max,
                                   &parts[n++]);
        if (st == JD_OK)
            st = xs_query_number_range(SLOT_GRADE_MAX, f->grade_min, DBL_MAX,
                                       &parts[n++]);
    }
    if (st == JD_OK && n > 0)
        st = xs_query_combine(XS_OP_AND, parts, n, 0, out);
    for (size_t i = 0; i < n; i++)
        xs_query_free(parts[i]);
    return st;
}

jd_status
filter_apply(struct xs_query **q, const struct jd_filter *f, bool items)
{
    struct xs_query *fq;
    jd_status st = filter_query(f, items, &fq);
    if (st != JD_OK || !fq)
        return st;
    struct xs_query *both[2] = {*q, fq};
    struct xs_query *combined;
    st = xs_query_combine(XS_OP_FILTER, both, 2, 0, &combined);
    xs_query_free(fq);
    if (st != JD_OK)
        return st;
    xs_query_free(*q);
    *q = combined;
    return JD_OK;
}
