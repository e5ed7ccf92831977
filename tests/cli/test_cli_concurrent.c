/*
 * test_cli_concurrent.c: one writer and many readers on one index.
 * Readers (search, match, match --batch, stats) run in a loop while a
 * writer re-indexes the same records, committing often: no reader may
 * fail or see a half-written record, and a second writer is turned away
 * at once with "locked", exit 3. A reader handle whose revision the
 * writer has since recycled (Xapian's DatabaseModifiedError) must reopen
 * and retry, never fail.
 */
#include "jobdex.h"

#include "testutil.h"

#include <poll.h>
#include <setjmp.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

extern char **environ;

enum {
    N_SPECS = 400,      /* generated specs besides corpus/ */
    N_BATCH = 60,       /* queries in the long-lived match --batch reader */
    MIN_OVERLAP = 6,    /* reads that must finish while the writer runs */
    MAX_WRITER_RUNS = 8 /* re-index at most this often to get them */
};

/* The program's own directory: the index DB of corpus/ and SPECS, and a
 * BATCH of queries. */
static struct tu_fixture shared;
static const char *const db = shared.db;
static char specs[TU_PATH_MAX], batch[TU_PATH_MAX];

/* Generated specs, an index of them and corpus/, and a batch of match
 * queries made of duty sentences. */
static int
setup_group(void **state)
{
    (void)state;
    tu_fixture_init(&shared);
    tu_fixture_path(&shared, "specs", specs);
    tu_fixture_path(&shared, "batch.jsonl", batch);
    tu_gen_specs(specs, 0, N_SPECS, 3);
    FILE *f = fopen(batch, "w");
    if (!f)
        return -1;
    static const char *const texts[] = {
        "Prepared monthly financial statements and reconciled payroll "
        "records for the finance department.",
        "Maintained network servers and workstations; updated website "
        "content and analytics.",
        "Inspected building permit applications and zoning amendments.",
        "Coordinated emergency response plans with outside agencies.",
    };
    for (int i = 0; i < N_BATCH; i++)
        fprintf(f, "{\"id\": %d, \"text\": \"%s\"}\n", i, texts[i % 4]);
    if (fclose(f) != 0)
        return -1;
    return tu_index(db, "corpus", specs, NULL) == 0 ? 0 : -1;
}

static int
teardown_group(void **state)
{
    (void)state;
    tu_fixture_fini(&shared);
    return 0;
}

struct proc {
    int pid;
    int status;
    bool done;
};

static bool
running(struct proc *p)
{
    if (!p->done) {
        int st = tu_wait(p->pid, true);
        if (st >= 0) {
            p->done = true;
            p->status = st;
        }
    }
    return !p->done;
}

/* One read through the CLI: it must succeed with results and say
 * nothing on stderr. */
static void
read_once(unsigned i)
{
    static const char *const searches[] = {
        "budget OR website", "\"financial statements\"",
        "title:accountant OR title:engineer", "payroll AND records"};
    struct tu_run r;
    if (i % 3 == 0) {
        const char *argv[] = {"jobdex-query",      "-d", db, "search",
                              searches[i / 3 % 4], NULL};
        tu_run(argv, NULL, &r);
    } else if (i % 3 == 1) {
        const char *argv[] = {"jobdex-query",
                              "-d",
                              db,
                              "match",
                              "--explain",
                              "tests/fixtures/resumes/web-content-manager.txt",
                              NULL};
        tu_run(argv, NULL, &r);
    } else {
        const char *argv[] = {"jobdex-query",
                              "-d",
                              db,
                              "match",
                              "--keywords",
                              "financial statements, payroll records",
                              NULL};
        tu_run(argv, NULL, &r);
    }
    if (r.status != 0 || r.err_len != 0)
        fprintf(stderr, "reader %u: status %d: %s\n", i, r.status, r.err);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.err_len, 0);
    tu_run_free(&r);

    if (i % 7 == 0) {
        const char *argv[] = {"jobdex-query", "-d", db, "stats", NULL};
        tu_run(argv, NULL, &r);
        assert_int_equal(r.status, 0);
        assert_int_equal(r.err_len, 0);
        tu_run_free(&r);
    }
}

static void
test_concurrent_readers_never_fail_while_a_writer_reindexes(void **state)
{
    (void)state;
    size_t before = tu_count_records(db);
    char werr[4300], bout[4300], berr[4300];
    snprintf(werr, sizeof(werr), "%s/writer.err", shared.dir);
    snprintf(bout, sizeof(bout), "%s/batch.out", shared.dir);
    snprintf(berr, sizeof(berr), "%s/batch.err", shared.dir);
    const char *writer[] = {"jobdex-index", "-q",  "--batch-mb", "1", "-d", db,
                            "corpus",       specs, NULL};
    const char *reader[] = {"jobdex-query", "-d",   db,
                            "--format",     "json", "match",
                            "--batch",      batch,  NULL};

    /* A long-lived reader: one handle for all its queries, so the
     * writer's commits move the index on under it. */
    int batch_pid = tu_spawn(reader, bout, berr);
    unsigned reads = 0, overlapped = 0, runs = 0;
    bool tried_second_writer = false;
    while (runs < MAX_WRITER_RUNS &&
           (overlapped < MIN_OVERLAP || !tried_second_writer)) {
        struct proc w = {tu_spawn(writer, NULL, werr), 0, false};
        runs++;
        while (running(&w)) {
            read_once(reads++);
            /* Started before the read and still running after it. */
            if (!running(&w))
                break;
            overlapped++;
            if (tried_second_writer)
                continue;
            struct tu_run r;
            tu_run(writer, NULL, &r);
            if (running(&w)) {
                /* The lock was held all along: refused at once, not
                 * queued. */
                char want[4400];
                snprintf(want, sizeof(want),
                         "jobdex-index: cannot open index '%s': index is "
                         "locked by another writer\n",
                         db);
                assert_int_equal(r.status, 3);
                assert_string_equal(r.err, want);
                tried_second_writer = true;
            }
            tu_run_free(&r);
        }
        char *err = tu_read(werr, NULL);
        if (w.status != 0 || (err && *err))
            fprintf(stderr, "writer: status %d: %s", w.status, err);
        assert_int_equal(w.status, 0);
        assert_true(err == NULL || *err == '\0');
        free(err);
    }
    fprintf(stderr,
            "concurrent: %u reads, %u while the writer ran, %u "
            "writer runs\n",
            reads, overlapped, runs);
    assert_true(overlapped >= MIN_OVERLAP);
    assert_true(tried_second_writer);

    int bst = tu_wait(batch_pid, false);
    char *out = tu_read(bout, NULL), *err = tu_read(berr, NULL);
    if (bst != 0 || (err && *err))
        fprintf(stderr, "batch reader: status %d: %s\n", bst, err);
    assert_int_equal(bst, 0);
    assert_string_equal(err, "");
    assert_int_equal(tu_count_lines(out, "\"query\""), N_BATCH);
    assert_int_equal(tu_count_lines(out, "\"error\""), 0);
    free(out);
    free(err);
    assert_int_equal(tu_count_records(db), before);
}

/* Re-index the specs of GEN into PATH TIMES times, committing every
 * megabyte: Xapian recycles the blocks of revisions no writer needs (two
 * runs are enough), so a reader handle opened before is left on a
 * discarded revision. */
static void
reindex(const char *path, const char *gen, int times)
{
    for (int i = 0; i < times; i++) {
        struct tu_run r;
        const char *argv[] = {"jobdex-index", "-q", "--batch-mb", "1",
                              "-d",           path, gen,          NULL};
        tu_run(argv, NULL, &r);
        assert_int_equal(r.status, 0);
        tu_run_free(&r);
    }
}

/* A reader handle on an index of 100 generated specs, then left stale
 * by three more runs of the writer. */
static jd_db *
stale_reader(const char *name)
{
    char path[4300], gen[4300];
    snprintf(path, sizeof(path), "%s/%s.db", shared.dir, name);
    snprintf(gen, sizeof(gen), "%s/%s-specs", shared.dir, name);
    tu_gen_specs(gen, 0, 100, 11);
    reindex(path, gen, 1);
    jd_db *rd;
    assert_int_equal(jd_db_new(&rd), JD_OK);
    assert_int_equal(jd_db_open(rd, path, JD_OPEN_READ), JD_OK);
    reindex(path, gen, 3);
    return rd;
}

static void
test_concurrent_stale_handle_search_reopens_and_retries(void **state)
{
    (void)state;
    jd_db *rd = stale_reader("search");
    jd_results *res = NULL;
    jd_status st = jd_search(rd, "financial OR website", NULL, 5, &res);
    if (st != JD_OK)
        fprintf(stderr, "search: %s\n", jd_db_errmsg(rd));
    assert_int_equal(st, JD_OK);
    assert_int_equal(jd_results_count(res), 5);
    jd_results_free(res);
    jd_db_free(rd);
}

static void
test_concurrent_stale_handle_get_stats_similar_still_work(void **state)
{
    (void)state;
    jd_db *rd = stale_reader("get");
    char id[64];
    tu_gen_id(17, id, sizeof(id));
    jd_spec *s = NULL;
    jd_status st = jd_db_get(rd, id, &s);
    if (st != JD_OK)
        fprintf(stderr, "get: %s\n", jd_db_errmsg(rd));
    assert_int_equal(st, JD_OK);
    assert_string_equal(s->id, id);
    jd_spec_free(s);

    jd_stats *stats = NULL;
    st = jd_stats_get(rd, &stats);
    if (st != JD_OK)
        fprintf(stderr, "stats: %s\n", jd_db_errmsg(rd));
    assert_int_equal(st, JD_OK);
    assert_int_equal(stats->classes, 100);
    jd_stats_free(stats);

    jd_results *res = NULL;
    st = jd_similar(rd, id, NULL, 3, &res);
    if (st != JD_OK)
        fprintf(stderr, "similar: %s\n", jd_db_errmsg(rd));
    assert_int_equal(st, JD_OK);
    jd_results_free(res);
    jd_db_free(rd);
}

/* jd_match() on a stale handle: the revision is discarded while it
 * reads the documents of a match set made on it (JD_ERR_MODIFIED from
 * the shim), and db_read() runs the whole match again on the index
 * reopened. */
static void
test_concurrent_stale_handle_match_reopens_and_retries(void **state)
{
    (void)state;
    jd_db *rd = stale_reader("match");
    struct jd_match_opts mo;
    memset(&mo, 0, sizeof(mo));
    mo.limit = 5;
    mo.explain = true;
    const char *text = "Prepared monthly financial statements.\nReconciled "
                       "payroll records and grant budgets.\n";
    jd_results *res = NULL;
    jd_status st = jd_match(rd, text, strlen(text), &mo, &res);
    if (st != JD_OK)
        fprintf(stderr, "match: %s\n", jd_db_errmsg(rd));
    assert_int_equal(st, JD_OK);
    assert_true(jd_results_count(res) > 0);
    jd_results_free(res);
    jd_db_free(rd);
}

/* Read one line of at most SIZE - 1 bytes from FD. A reader that never
 * answers fails the test after minutes instead of hanging it. */
static void
read_line(int fd, char *buf, size_t size)
{
    size_t n = 0;
    while (n + 1 < size) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 300 * 1000) == 0) {
            fprintf(stderr, "no answer from the reader\n");
            fail();
        }
        ssize_t k = read(fd, buf + n, 1);
        if (k <= 0 || buf[n] == '\n') {
            n += k > 0;
            break;
        }
        n++;
    }
    buf[n] = '\0';
}

/* jobdex-query match --batch keeps one handle for all its lines: between
 * its first and second line the writer commits many times, and the
 * second line is still answered (the CLI reopens and retries). */
static void
test_concurrent_batch_reader_survives_commits_between_lines(void **state)
{
    (void)state;
    char path[4300], gen[4300];
    snprintf(path, sizeof(path), "%s/batch.db", shared.dir);
    snprintf(gen, sizeof(gen), "%s/batch-specs", shared.dir);
    tu_gen_specs(gen, 0, 100, 11);
    reindex(path, gen, 1);

    int in[2], out[2];
    assert_int_equal(pipe(in), 0);
    assert_int_equal(pipe(out), 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addclose(&fa, in[1]);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    char prog[4200];
    snprintf(prog, sizeof(prog), "%s/jobdex-query", tu_bindir());
    const char *argv[] = {prog,    "-d",      path, "--format", "json",
                          "match", "--batch", "-",  NULL};
    pid_t pid;
    assert_int_equal(
        posix_spawn(&pid, prog, &fa, NULL, (char *const *)argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    close(out[1]);

    const char *q1 = "{\"id\": 1, \"text\": \"Prepared monthly financial "
                     "statements and payroll records.\"}\n";
    const char *q2 = "{\"id\": 2, \"text\": \"Reconciled grant budgets and "
                     "utility billing accounts.\"}\n";
    static char line[1 << 20];
    assert_int_equal(write(in[1], q1, strlen(q1)), (ssize_t)strlen(q1));
    read_line(out[0], line, sizeof(line));
    assert_non_null(strstr(line, "\"query\":\"1\""));
    assert_null(strstr(line, "\"error\""));

    reindex(path, gen, 3);
    assert_int_equal(write(in[1], q2, strlen(q2)), (ssize_t)strlen(q2));
    close(in[1]);
    read_line(out[0], line, sizeof(line));
    if (!strstr(line, "\"query\":\"2\"") || strstr(line, "\"error\""))
        fprintf(stderr, "second line: %.300s\n", line);
    assert_non_null(strstr(line, "\"query\":\"2\""));
    assert_null(strstr(line, "\"error\""));
    assert_non_null(strstr(line, "\"rank\":1"));
    close(out[0]);
    assert_int_equal(tu_wait((int)pid, false), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            test_concurrent_readers_never_fail_while_a_writer_reindexes),
        cmocka_unit_test(
            test_concurrent_batch_reader_survives_commits_between_lines),
        cmocka_unit_test(
            test_concurrent_stale_handle_search_reopens_and_retries),
        cmocka_unit_test(
            test_concurrent_stale_handle_get_stats_similar_still_work),
        cmocka_unit_test(
            test_concurrent_stale_handle_match_reopens_and_retries),
    };
    return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
