/*
 * test_cli.c: the built programs, run as a user runs them (posix_spawn,
 * no shell): exit statuses, messages, and what ends up in the index.
 */
#include "jobdex.h"

#include "testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

static size_t
db_count(const char *path)
{
    jd_db *db;
    size_t n = 0;
    assert_int_equal(jd_db_new(&db), JD_OK);
    assert_int_equal(jd_db_open(db, path, JD_OPEN_READ), JD_OK);
    assert_int_equal(jd_db_count(db, &n), JD_OK);
    jd_db_free(db);
    return n;
}

/* ---- jobdex-index ---- */

static void
test_cli_index_help_goes_to_stdout(void **state)
{
    (void)state;
    struct tu_run r;
    const char *argv[] = {"jobdex-index", "--help", NULL};
    tu_run(argv, NULL, &r);
    assert_int_equal(r.status, 0);
    assert_true(strncmp(r.out, "Usage: jobdex-index", 19) == 0);
    assert_non_null(strstr(r.out, "Exit status"));
    assert_non_null(strstr(r.out, "Example"));
    assert_int_equal(r.err_len, 0);
    tu_run_free(&r);
}

static void
test_cli_index_usage_errors_exit_2(void **state)
{
    (void)state;
    struct tu_run r;
    const char *none[] = {"jobdex-index", NULL};
    tu_run(none, NULL, &r);
    assert_int_equal(r.status, 2);
    assert_string_equal(r.err, "jobdex-index: no input PATH given\n"
                               "Try 'jobdex-index --help' for more "
                               "information.\n");
    tu_run_free(&r);
    const char *bad[] = {"jobdex-index", "--format", "pdf", "x", NULL};
    tu_run(bad, NULL, &r);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "invalid format 'pdf'"));
    tu_run_free(&r);
    const char *unknown[] = {"jobdex-index", "--frobnicate", "x", NULL};
    tu_run(unknown, NULL, &r);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "unknown option '--frobnicate'"));
    tu_run_free(&r);
}

static void
test_cli_index_dump_gives_the_five_seed_records(void **state)
{
    (void)state;
    struct tu_run r;
    const char *argv[] = {"jobdex-index", "--dump", "corpus", NULL};
    tu_run(argv, NULL, &r);
    assert_int_equal(r.status, 0);
    assert_int_equal(tu_count_lines(r.out, "{\"id\":"), 5);
    const char *titles[] = {"\"title\":\"Web Services Coordinator\"",
                            "\"title\":\"Internet Services Manager\"",
                            "\"title\":\"Information Systems Technology (IST) "
                            "Director\"",
                            "\"title\":\"Community Engagement Coordinator\"",
                            "\"title\":\"Coordinator II\""};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(tu_count_lines(r.out, titles[i]), 1);
    assert_int_equal(tu_count_lines(r.out, "\"code\":\"1368\""), 1);
    assert_int_equal(tu_count_lines(r.out, "\"code\":\"30003028\""), 1);
    assert_int_equal(tu_count_lines(r.out, "PAGE 3 OF 3"), 0);
    assert_int_equal(tu_count_lines(r.out, "Tasks listed are intended"), 0);
    tu_run_free(&r);
}

static void
test_cli_index_then_dump_round_trips_through_jsonl(void **state)
{
    struct tu_fixture *f = *state;
    struct tu_run r;
    const char *dump[] = {"jobdex-index", "--dump", "corpus", NULL};
    tu_run(dump, NULL, &r);
    assert_int_equal(r.status, 0);
    char *jsonl = tu_write(f->dir, "corpus.jsonl", r.out, r.out_len);
    char *first = strdup(r.out);
    tu_run_free(&r);

    const char *index[] = {"jobdex-index", "-d",  f->db, "--format",
                           "jsonl",        jsonl, NULL};
    tu_run(index, NULL, &r);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.err, "indexed 5 records from 1 file "));
    tu_run_free(&r);
    assert_int_equal(db_count(f->db), 5);

    /* Dumping the JSON lines again gives the same bytes. */
    const char *again[] = {"jobdex-index", "--dump", jsonl, NULL};
    tu_run(again, NULL, &r);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, first);
    tu_run_free(&r);
    free(first);
    free(jsonl);
}

static void
test_cli_index_reports_each_bad_input_and_indexes_the_rest(void **state)
{
    struct tu_fixture *f = *state;
    const char *in = f->in;
    char *seed = tu_read("corpus/st-louis/internet-services-manager.txt", NULL);
    free(tu_write(in, "good.txt", seed, strlen(seed)));
    free(tu_write(in, "empty.txt", "", 0));
    free(tu_write(in, "binary.txt",
                  "\x7f"
                  "ELF\0\0\0\x02",
                  8));
    free(tu_write(in, "latin1.txt", "TITLE: Caf\xe9 Manager\n", 20));
    size_t big = 50u << 20;
    char *line = malloc(big);
    memset(line, 'w', big);
    free(tu_write(in, "one-line.txt", line, big));
    free(line);
    free(seed);
    /* Unreadable: permissions stop anyone but root; as root, a file whose
     * read fails (/proc/self/mem at offset 0) stands in. */
    char unreadable[4400];
    if (geteuid() != 0) {
        char *p = tu_write(in, "secret.txt", "TITLE: X\n", 9);
        chmod(p, 0);
        snprintf(unreadable, sizeof(unreadable), "%s", p);
        free(p);
    } else {
        snprintf(unreadable, sizeof(unreadable), "/proc/self/mem");
    }
    char missing[4400];
    snprintf(missing, sizeof(missing), "%s/no-such-file.txt", f->dir);

    struct tu_run r;
    const char *argv[] = {"jobdex-index", "-d",       f->db, in,
                          missing,        unreadable, NULL};
    tu_run(argv, NULL, &r);
    assert_int_equal(r.status, 1);
    assert_int_equal(tu_count_lines(r.err, "empty.txt': empty file"), 1);
    assert_int_equal(tu_count_lines(r.err, "binary.txt': binary file"), 1);
    assert_int_equal(tu_count_lines(r.err, "latin1.txt': invalid UTF-8"), 1);
    assert_int_equal(tu_count_lines(r.err, "one-line.txt': file is"), 1);
    assert_int_equal(tu_count_lines(r.err, "no-such-file.txt': No such file"),
                     1);
    assert_int_equal(tu_count_lines(r.err, unreadable), 1);
    /* One line per problem, plus the summary. */
    assert_int_equal(tu_count_lines(r.err, "jobdex-index: "), 7);
    assert_non_null(strstr(r.err, "indexed 1 record "));
    tu_run_free(&r);
    assert_int_equal(db_count(f->db), 1);
}

static void
test_cli_index_second_writer_fails_fast_with_locked(void **state)
{
    struct tu_fixture *f = *state;
    jd_db *w;
    assert_int_equal(jd_db_new(&w), JD_OK);
    assert_int_equal(jd_db_open(w, f->db, JD_OPEN_WRITE | JD_OPEN_CREATE),
                     JD_OK);
    struct tu_run r;
    const char *argv[] = {"jobdex-index", "-d", f->db, "corpus", NULL};
    tu_run(argv, NULL, &r);
    assert_int_equal(r.status, 3);
    char want[4400];
    snprintf(want, sizeof(want),
             "jobdex-index: cannot open index '%s': index is locked by another "
             "writer\n",
             f->db);
    assert_string_equal(r.err, want);
    tu_run_free(&r);
    jd_db_free(w);
}

static void
test_cli_index_reindexing_replaces_records(void **state)
{
    struct tu_fixture *f = *state;
    struct tu_run r;
    const char *argv[] = {"jobdex-index", "-q", "-d", f->db, "corpus", NULL};
    tu_run(argv, NULL, &r);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.err_len, 0);
    tu_run_free(&r);
    tu_run(argv, NULL, &r);
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    assert_int_equal(db_count(f->db), 5);
    /* The folder names Portland's employer. */
    jd_db *db;
    jd_spec *s;
    assert_int_equal(jd_db_new(&db), JD_OK);
    assert_int_equal(jd_db_open(db, f->db, JD_OPEN_READ), JD_OK);
    assert_int_equal(jd_db_get(db, "portland/30003028", &s), JD_OK);
    assert_string_equal(s->jurisdiction, "Portland");
    jd_spec_free(s);
    jd_db_free(db);
}

int
main(void)
{
#define T(fn)                                                                  \
    cmocka_unit_test_setup_teardown(fn, tu_fixture_setup, tu_fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_cli_index_help_goes_to_stdout),
        T(test_cli_index_usage_errors_exit_2),
        T(test_cli_index_dump_gives_the_five_seed_records),
        T(test_cli_index_then_dump_round_trips_through_jsonl),
        T(test_cli_index_reports_each_bad_input_and_indexes_the_rest),
        T(test_cli_index_second_writer_fails_fast_with_locked),
        T(test_cli_index_reindexing_replaces_records),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
