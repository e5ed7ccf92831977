/*
 * test_layout.c: the dependency direction of the folders (README,
 * "Architecture") holds, and its check (tests/layout/check-includes.sh)
 * fails on a planted include against it.
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

static const char check[] = "tests/layout/check-includes.sh";

static void
run_check(const char *root, struct tu_run *r)
{
    const char *argv[] = {"/bin/sh", check, root, NULL};
    tu_run(argv, NULL, r);
}

/* The tree as it is has no include against the direction. */
static void
test_layout_tree_follows_the_direction(void **state)
{
    (void)state;
    struct tu_run r;
    run_check(".", &r);
    if (r.status != 0)
        fprintf(stderr, "%s", r.out);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "");
    tu_run_free(&r);
}

/* A copy of indexer/ and query/ with FILE holding LINE (appended, or a
 * new file), checked: the check must fail with WANT in its output. */
static void
expect_violation(const char *file, const char *line, const char *want)
{
    char *dir = tu_mkdtemp();
    char cmd[8192];
    snprintf(cmd, sizeof(cmd),
             "cp -r indexer query '%s'/ && printf '%%s\\n' '%s' >> '%s/%s'",
             dir, line, dir, file);
    assert_int_equal(system(cmd), 0);
    struct tu_run r;
    run_check(dir, &r);
    if (!strstr(r.out, want))
        fprintf(stderr, "wanted '%s' in:\n%s", want, r.out);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.out, want));
    tu_run_free(&r);
    tu_rmtree(dir);
    free(dir);
}

static void
test_layout_check_fails_on_planted_violations(void **state)
{
    (void)state;
    /* A lower layer including a higher one. */
    expect_violation("indexer/util/buf.c", "#include \"indexer/model/model.h\"",
                     "indexer/util/buf.c:");
    expect_violation("indexer/store/db.c", "#include \"indexer/check/check.h\"",
                     "indexer/store/db.c:");
    /* indexer/ on query/. */
    expect_violation("indexer/model/score.c",
                     "#include \"query/core/results.h\"",
                     "indexer/ never depends on query/");
    /* Siblings, and the shared layer on one of its users. */
    expect_violation("query/search/search.c", "#include \"query/match/rank.h\"",
                     "query/search/search.c:");
    expect_violation("query/core/filter.c",
                     "#include \"query/overlap/simjoin.h\"",
                     "query/core/filter.c:");
    /* A program on the library's insides. */
    expect_violation("query/cli/main.c", "#include \"indexer/store/db.h\"",
                     "query/cli is a program");
    expect_violation("indexer/cli/main.c", "#include \"indexer/spec/record.h\"",
                     "indexer/cli is a program");
    /* A source file outside every folder. */
    expect_violation("query/stray.c", "int stray;",
                     "query/stray.c: a source file directly in query/");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout_tree_follows_the_direction),
        cmocka_unit_test(test_layout_check_fails_on_planted_violations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
