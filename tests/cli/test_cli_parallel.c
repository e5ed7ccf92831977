/*
 * test_cli_parallel.c: jobdex-index -j N. Workers index shards that are
 * merged into the index at the end; the result must be the index one
 * worker would have built: the same records, the same answers, later
 * inputs winning over earlier ones and over what the index held.
 */
#include "jobdex.h"

#include "testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Specs in SPECS, indexed by one worker into ONE and by several into
 * MANY, all in the test's own directory. */
struct fixture {
    struct tu_fixture tmp;
    char specs[TU_PATH_MAX], one[TU_PATH_MAX], many[TU_PATH_MAX];
};

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    tu_fixture_init(&f->tmp);
    tu_fixture_path(&f->tmp, "specs", f->specs);
    tu_fixture_path(&f->tmp, "one.db", f->one);
    tu_fixture_path(&f->tmp, "many.db", f->many);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    tu_fixture_fini(&f->tmp);
    free(f);
    return 0;
}

static void
counts(const char *path, size_t *classes, size_t *items)
{
    jd_db *db;
    assert_int_equal(jd_db_new(&db), JD_OK);
    assert_int_equal(jd_db_open(db, path, JD_OPEN_READ), JD_OK);
    jd_stats *s;
    assert_int_equal(jd_stats_get(db, &s), JD_OK);
    *classes = s->classes;
    *items = s->items;
    jd_stats_free(s);
    jd_db_free(db);
}

/* The output of jobdex-query -d DB -f json -n 20 ARGS... (exit status
 * 0, or 1 for no match). */
static char *
query(const char *db, const char *first, ...)
{
    const char *argv[16] = {"jobdex-query", "-d", db, "-f", "json", "-n", "20"};
    size_t n = 7;
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a && n < 15; a = va_arg(ap, const char *))
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    struct tu_run r;
    tu_run(argv, NULL, &r);
    if (r.status > 1)
        fprintf(stderr, "jobdex-query %s said: %s\n", first, r.err);
    assert_true(r.status == 0 || r.status == 1);
    char *out = strdup(r.out);
    tu_run_free(&r);
    return out;
}

static void
test_parallel_index_answers_as_one_worker_does(void **state)
{
    struct fixture *f = *state;
    tu_gen_specs(f->specs, 0, 300, 7);
    assert_int_equal(tu_index(f->one, f->specs, NULL), 0);
    assert_int_equal(tu_index(f->many, "-j", "3", f->specs, NULL), 0);
    size_t c1, i1, c3, i3;
    counts(f->one, &c1, &i1);
    counts(f->many, &c3, &i3);
    assert_int_equal(c1, 300);
    assert_int_equal(c3, c1);
    assert_int_equal(i3, i1);
    /* Same statistics, same scores: byte-identical answers. */
    const char *searches[] = {"budget",
                              "title:analyst OR duty:\"prepares reports\"",
                              "report* AND NOT budget"};
    for (size_t k = 0; k < sizeof(searches) / sizeof(searches[0]); k++) {
        char *a = query(f->one, "search", searches[k], (char *)NULL);
        char *b = query(f->many, "search", searches[k], (char *)NULL);
        assert_null(strstr(a, "\"results\":[]"));
        assert_string_equal(a, b);
        free(a);
        free(b);
    }
    const char *kw = "budget, reports, audits, public works";
    char *a = query(f->one, "match", "--keywords", kw, (char *)NULL);
    char *b = query(f->many, "match", "--keywords", kw, (char *)NULL);
    assert_null(strstr(a, "\"results\":[]"));
    assert_string_equal(a, b);
    free(a);
    free(b);
    char id[64];
    tu_gen_id(17, id, sizeof(id));
    a = query(f->one, "similar", id, (char *)NULL);
    b = query(f->many, "similar", id, (char *)NULL);
    assert_string_equal(a, b);
    free(a);
    free(b);
}

static void
test_parallel_reindex_replaces_what_the_index_held(void **state)
{
    struct fixture *f = *state;
    tu_gen_specs(f->specs, 0, 200, 7);
    assert_int_equal(tu_index(f->many, "-j", "2", f->specs, NULL), 0);
    size_t c, i;
    counts(f->many, &c, &i);
    assert_int_equal(c, 200);
    /* 100 new specs and the 200 again: 300 records, no duplicates. */
    tu_gen_specs(f->specs, 200, 100, 7);
    assert_int_equal(tu_index(f->many, "-j", "2", f->specs, NULL), 0);
    assert_int_equal(tu_index(f->one, f->specs, NULL), 0);
    size_t c1, i1;
    counts(f->many, &c, &i);
    counts(f->one, &c1, &i1);
    assert_int_equal(c, 300);
    assert_int_equal(c, c1);
    assert_int_equal(i, i1);
    /* And once more, all known: still 300. */
    assert_int_equal(tu_index(f->many, "-j", "4", f->specs, NULL), 0);
    counts(f->many, &c, &i);
    assert_int_equal(c, 300);
    assert_int_equal(i, i1);
}

static const char spec_text[] = "CITY OF RIVERTON\n"
                                "%s\n"
                                "Class Code: 4242\n"
                                "\n"
                                "DEFINITION\n"
                                "Performs %s work.\n"
                                "\n"
                                "EXAMPLES OF DUTIES\n"
                                "1. Keeps the %s records.\n"
                                "2. Answers questions from the public.\n";

static void
write_spec(const char *dir, const char *name, const char *title,
           const char *word)
{
    char text[1024];
    snprintf(text, sizeof(text), spec_text, title, word, word);
    free(tu_write(dir, name, text, strlen(text)));
}

static void
test_parallel_later_input_wins_across_workers(void **state)
{
    struct fixture *f = *state;
    /* The same class (same employer and code) in the first and the last
     * input: with two workers they land in different shards. */
    write_spec(f->specs, "a-first.txt", "Records Clerk", "filing");
    write_spec(f->specs, "b-other.txt", "Records Clerk", "filing");
    write_spec(f->specs, "z-last.txt", "Records Technician", "archival");
    /* b-other.txt is the same class too; make it another one. */
    char text[1024];
    snprintf(text, sizeof(text),
             "CITY OF RIVERTON\nPermit Clerk\nClass Code: 4243\n\n"
             "DEFINITION\nIssues permits.\n");
    free(tu_write(f->specs, "b-other.txt", text, strlen(text)));
    assert_int_equal(
        tu_index(f->many, "-j", "2", "-J", "riverton", f->specs, NULL), 0);
    size_t c, i;
    counts(f->many, &c, &i);
    assert_int_equal(c, 2);
    jd_db *db;
    assert_int_equal(jd_db_new(&db), JD_OK);
    assert_int_equal(jd_db_open(db, f->many, JD_OPEN_READ), JD_OK);
    jd_spec *s;
    assert_int_equal(jd_db_get(db, "riverton/4242", &s), JD_OK);
    assert_string_equal(s->title, "Records Technician");
    jd_spec_free(s);
    jd_db_free(db);
    /* The earlier version left nothing behind to find. */
    char *out = query(f->many, "search", "filing", (char *)NULL);
    assert_non_null(strstr(out, "\"results\":[]"));
    free(out);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_parallel_index_answers_as_one_worker_does, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_parallel_reindex_replaces_what_the_index_held, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_parallel_later_input_wins_across_workers, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
