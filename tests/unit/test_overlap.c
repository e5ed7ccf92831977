/*
 * test_overlap.c: duty overlap on small hand-written classes with known
 * answers: the similarity measure, grouping, boilerplate and the
 * --across rules.
 */
#include "jobdex.h"

#include "testutil.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Four classes of two towns. Mowing is shared across departments and
 * towns; "other duties" is everywhere; Alpha Parks has two near-copies of
 * one budget duty, which as one class's items must never pair. */
static const char records[] =
    "{\"id\":\"alpha/parks\",\"title\":\"Park Worker\",\"jurisdiction\":"
    "\"Town of Alpha\",\"department\":\"Parks\",\"duties\":["
    "\"Mows lawns and trims hedges in city parks.\","
    "\"Performs other duties as assigned.\","
    "\"Prepares the annual parks budget.\","
    "\"Prepares the yearly parks budget.\"]}\n"
    "{\"id\":\"alpha/roads\",\"title\":\"Road Worker\",\"jurisdiction\":"
    "\"Town of Alpha\",\"department\":\"Public Works\",\"duties\":["
    "\"Mows lawns and trims hedges along city roads.\","
    "\"Performs other duties as assigned.\","
    "\"Repairs potholes and street signs.\"]}\n"
    "{\"id\":\"beta/parks\",\"title\":\"Groundskeeper\",\"jurisdiction\":"
    "\"Town of Beta\",\"department\":\"Parks\",\"duties\":["
    "\"Mows lawns and trims hedges in city parks.\","
    "\"Performs other duties as assigned.\","
    "\"Schedules seasonal park staff for summer programs.\"]}\n"
    "{\"id\":\"beta/finance\",\"title\":\"Budget Analyst\",\"jurisdiction\":"
    "\"Town of Beta\",\"department\":\"Finance\",\"duties\":["
    "\"Reconciles bank statements with the general ledger.\","
    "\"Audits vendor invoices before payment.\"]}\n";

static char *dir;
static jd_db *db;

static int
setup(void **state)
{
    (void)state;
    dir = tu_mkdtemp();
    char *path = tu_write(dir, "classes.jsonl", records, strlen(records));
    char idx[4200], why[256];
    snprintf(idx, sizeof(idx), "%s/idx", dir);
    jd_db *w;
    if (jd_db_new(&w) != JD_OK ||
        jd_db_open(w, idx, JD_OPEN_WRITE | JD_OPEN_CREATE) != JD_OK)
        return -1;
    struct jd_parse_sink sink = {tu_db_add, NULL, w};
    jd_status st = jd_parse_file(path, NULL, &sink, why, sizeof(why));
    if (st == JD_OK)
        st = jd_db_commit(w);
    jd_db_free(w);
    free(path);
    if (st != JD_OK || jd_db_new(&db) != JD_OK ||
        jd_db_open(db, idx, JD_OPEN_READ) != JD_OK)
        return -1;
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    jd_db_free(db);
    tu_rmtree(dir);
    free(dir);
    return 0;
}

static struct jd_overlap_opts
opts(double min, enum jd_across across)
{
    struct jd_overlap_opts o;
    memset(&o, 0, sizeof(o));
    o.min_similarity = min;
    o.across = across;
    o.boilerplate_share = JD_BOILERPLATE_SHARE;
    o.boilerplate_min = JD_BOILERPLATE_MIN;
    return o;
}

/* The group (or NULL) that holds item N of class ID. */
static const struct jd_overlap_group *
group_of(const jd_overlap *ov, const char *id, unsigned n)
{
    for (size_t g = 0; g < ov->ngroups; g++)
        for (size_t m = 0; m < ov->groups[g].n; m++)
            if (strcmp(ov->groups[g].members[m].id, id) == 0 &&
                ov->groups[g].members[m].n == n)
                return &ov->groups[g];
    return NULL;
}

static void
test_overlap_identical_duties_have_similarity_one(void **state)
{
    (void)state;
    struct jd_overlap_opts o = opts(0.5, JD_ACROSS_CLASS);
    jd_overlap *ov;
    assert_int_equal(jd_overlap_find(db, &o, &ov), JD_OK);
    const struct jd_overlap_group *g = group_of(ov, "alpha/parks", 1);
    assert_non_null(g);
    assert_ptr_equal(g, group_of(ov, "beta/parks", 1));
    for (size_t m = 0; m < g->n; m++) {
        const struct jd_overlap_member *x = &g->members[m];
        /* Word for word the same as the other park's: cosine 1. */
        if (strcmp(x->id, "beta/parks") == 0 ||
            strcmp(x->id, "alpha/parks") == 0)
            assert_true(fabs(x->similarity - 1.0) < 1e-6);
        assert_true(x->similarity >= 0.5 && x->similarity <= 1.0);
    }
    assert_int_equal(ov->items, 12);
    assert_int_equal(ov->classes, 4);
    jd_overlap_free(ov);
}

static void
test_overlap_boilerplate_is_reported_apart(void **state)
{
    (void)state;
    struct jd_overlap_opts o = opts(0.5, JD_ACROSS_CLASS);
    jd_overlap *ov;
    assert_int_equal(jd_overlap_find(db, &o, &ov), JD_OK);
    assert_int_equal(ov->nboilerplate, 1);
    const struct jd_overlap_group *b = &ov->boilerplate[0];
    assert_int_equal(b->classes, 3);
    assert_true(fabs(b->share - 0.75) < 1e-9);
    assert_string_equal(b->members[0].text,
                        "Performs other duties as assigned.");
    /* ... and never inside a group. */
    assert_null(group_of(ov, "alpha/parks", 2));
    assert_null(group_of(ov, "beta/parks", 2));
    jd_overlap_free(ov);

    /* Needing four classes, it is an ordinary overlap again. */
    o.boilerplate_min = 4;
    assert_int_equal(jd_overlap_find(db, &o, &ov), JD_OK);
    assert_int_equal(ov->nboilerplate, 0);
    assert_non_null(group_of(ov, "alpha/parks", 2));
    jd_overlap_free(ov);
}

static void
test_overlap_never_pairs_items_of_one_class(void **state)
{
    (void)state;
    struct jd_overlap_opts o = opts(0.3, JD_ACROSS_CLASS);
    jd_overlap *ov;
    assert_int_equal(jd_overlap_find(db, &o, &ov), JD_OK);
    /* The two budget duties of alpha/parks are near-copies of each
     * other and like nothing else: no group. */
    assert_null(group_of(ov, "alpha/parks", 3));
    assert_null(group_of(ov, "alpha/parks", 4));
    for (size_t g = 0; g < ov->ngroups; g++)
        assert_true(ov->groups[g].classes >= 2);
    jd_overlap_free(ov);
}

static void
test_overlap_across_department_links_only_other_departments(void **state)
{
    (void)state;
    struct jd_overlap_opts o = opts(0.5, JD_ACROSS_DEPARTMENT);
    jd_overlap *ov;
    assert_int_equal(jd_overlap_find(db, &o, &ov), JD_OK);
    const struct jd_overlap_group *g = group_of(ov, "alpha/roads", 1);
    assert_non_null(g);
    /* Every member is linked to the centre, of another department. */
    for (size_t m = 1; m < g->n; m++)
        assert_string_not_equal(g->members[m].department,
                                g->members[0].department);
    assert_true(g->departments >= 2);
    /* The matrix counts the Parks / Public Works sharing. */
    bool found = false;
    for (size_t i = 0; i < ov->nmatrix; i++)
        found |= strcmp(ov->matrix[i].a, "Parks") == 0 &&
                 strcmp(ov->matrix[i].b, "Public Works") == 0 &&
                 ov->matrix[i].count == 1;
    assert_true(found);
    jd_overlap_free(ov);
}

static void
test_overlap_across_jurisdiction_needs_two_towns(void **state)
{
    (void)state;
    struct jd_overlap_opts o = opts(0.5, JD_ACROSS_JURISDICTION);
    jd_overlap *ov;
    assert_int_equal(jd_overlap_find(db, &o, &ov), JD_OK);
    assert_true(ov->ngroups >= 1);
    for (size_t g = 0; g < ov->ngroups; g++) {
        const struct jd_overlap_group *x = &ov->groups[g];
        assert_true(x->jurisdictions >= 2);
        for (size_t m = 1; m < x->n; m++)
            assert_string_not_equal(x->members[m].jurisdiction,
                                    x->members[0].jurisdiction);
    }
    jd_overlap_free(ov);
}

static void
test_overlap_threshold_one_keeps_only_identical_wording(void **state)
{
    (void)state;
    struct jd_overlap_opts o = opts(0.999, JD_ACROSS_CLASS);
    jd_overlap *ov;
    assert_int_equal(jd_overlap_find(db, &o, &ov), JD_OK);
    assert_int_equal(ov->ngroups, 1);
    assert_int_equal(ov->groups[0].n, 2); /* the two "in city parks" */
    assert_null(group_of(ov, "alpha/roads", 1));
    jd_overlap_free(ov);
}

static void
test_overlap_filter_limits_the_items_compared(void **state)
{
    (void)state;
    struct jd_overlap_opts o = opts(0.5, JD_ACROSS_CLASS);
    o.filter.jurisdiction = "beta";
    jd_overlap *ov;
    assert_int_equal(jd_overlap_find(db, &o, &ov), JD_OK);
    assert_int_equal(ov->classes, 2);
    assert_int_equal(ov->items, 5);
    jd_overlap_free(ov);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_overlap_identical_duties_have_similarity_one),
        cmocka_unit_test(test_overlap_boilerplate_is_reported_apart),
        cmocka_unit_test(test_overlap_never_pairs_items_of_one_class),
        cmocka_unit_test(
            test_overlap_across_department_links_only_other_departments),
        cmocka_unit_test(test_overlap_across_jurisdiction_needs_two_towns),
        cmocka_unit_test(
            test_overlap_threshold_one_keeps_only_identical_wording),
        cmocka_unit_test(test_overlap_filter_limits_the_items_compared),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
