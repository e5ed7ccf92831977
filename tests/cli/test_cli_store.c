/*
 * test_cli_store.c: the index directory as jobdex keeps it.
 *
 * - The generation pointer (DIR/generation) of a parallel-built index,
 *   damaged in every shape, is refused by readers and writers alike with
 *   its name and the command that repairs it, and no writer removes a
 *   generation the pointer does not prove unused.
 * - A symbolic link planted at any name jobdex writes or removes in the
 *   directory (to a file outside, to a directory outside, dangling) is
 *   refused by name, and whatever it points at is left as it was.
 * - A writer that may not open a lock file says so, not "locked".
 * - jobdex-query check finds damage: records and items that disagree,
 *   and every flipped byte that Xapian's own check finds; readers of a
 *   damaged copy answer or fail with a message, never a sanitizer report.
 */
#define _GNU_SOURCE
#include "jobdex.h"

#include "indexer/store/schema.h"
#include "indexer/store/xapian_shim.h"
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

/* corpus/ and tests/fixtures/specs: 9 records. */
enum { N_CORPUS = 5, N_ALL = 9 };

struct fixture {
    struct tu_fixture tmp;      /* tmp.db: the copy each case works on */
    char pristine[TU_PATH_MAX]; /* an index built once per test */
    char victim[TU_PATH_MAX], victim_dir[TU_PATH_MAX], dangling[TU_PATH_MAX];
};

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    tu_fixture_init(&f->tmp);
    tu_fixture_path(&f->tmp, "pristine.db", f->pristine);
    tu_fixture_path(&f->tmp, "victim", f->victim);
    tu_fixture_path(&f->tmp, "victim.d", f->victim_dir);
    tu_fixture_path(&f->tmp, "nowhere/nothing", f->dangling);
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

/* Run ARGV; its status. What it said is in *R (tu_run_free). */
static int
run(const char *const *argv, struct tu_run *r)
{
    tu_run(argv, NULL, r);
    return r->status;
}

/* jobdex-index -q --no-model [-j 2] -d DB SPECS... into DB; status 0. */
static void
index_into(const char *db, bool parallel, bool with_fixtures)
{
    assert_int_equal(
        tu_index(db, "--no-model", "-j", parallel ? "2" : "1", "corpus",
                 with_fixtures ? "tests/fixtures/specs" : NULL, NULL),
        0);
}

/* DST a fresh copy of the tree SRC. */
static void
copy_tree(const char *src, const char *dst)
{
    tu_rmtree(dst);
    const char *argv[] = {"/bin/cp", "-a", src, dst, NULL};
    struct tu_run r;
    assert_int_equal(run(argv, &r), 0);
    tu_run_free(&r);
}

static void
put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

static bool
exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

/* The index at PATH opened for writing. */
static jd_db *
open_writer(const char *path)
{
    jd_db *db;
    assert_int_equal(jd_db_new(&db), JD_OK);
    assert_int_equal(jd_db_open(db, path, JD_OPEN_WRITE), JD_OK);
    return db;
}

/* ARGV fails with status 3 and says WANT (and, when not NULL, WANT2). */
static void
expect_refusal(const char *const *argv, const char *want, const char *want2)
{
    struct tu_run r;
    run(argv, &r);
    if (r.status != 3 || !strstr(r.err, want) ||
        (want2 && !strstr(r.err, want2)))
        fprintf(stderr, "%s: status %d, said:\n%s(wanted '%s'%s%s)\n", argv[0],
                r.status, r.err, want, want2 ? " and " : "",
                want2 ? want2 : "");
    assert_int_equal(r.status, 3);
    assert_non_null(strstr(r.err, want));
    if (want2)
        assert_non_null(strstr(r.err, want2));
    tu_run_free(&r);
}

/* A reader's stats and a writer's run on DB are both refused, saying
 * WANT (and WANT2). */
static void
readers_and_writers_refuse(const char *db, const char *want, const char *want2)
{
    const char *q[] = {"jobdex-query", "-d", db, "stats", NULL};
    expect_refusal(q, want, want2);
    const char *w[] = {
        "jobdex-index", "-q", "--no-progress", "--no-model", "-j", "2",
        "-d",           db,   "corpus",        NULL};
    expect_refusal(w, want, want2);
}

/* ---- the generation pointer ---- */

static void
test_pointer_damaged_in_any_shape_is_refused_and_nothing_lost(void **state)
{
    struct fixture *f = *state;
    index_into(f->pristine, true, true);
    /* NULL: no pointer at all (the issue's `rm DIR/generation`). */
    const char *shapes[] = {NULL,   "",     "abc\n", "0\n", "7\n",
                            "1x\n", "-1\n", " 1\n",  "01\n"};
    char pointer[4400], g1[4400], want[4600], fix[4600];
    snprintf(pointer, sizeof(pointer), "%s/generation", f->tmp.db);
    snprintf(g1, sizeof(g1), "%s/g1", f->tmp.db);
    snprintf(want, sizeof(want), "'%s'", pointer);
    snprintf(fix, sizeof(fix), "repair with: echo 1 > '%s'", pointer);
    for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
        copy_tree(f->pristine, f->tmp.db);
        if (shapes[i])
            put(pointer, shapes[i]);
        else
            assert_int_equal(unlink(pointer), 0);
        readers_and_writers_refuse(f->tmp.db, want, fix);
        /* The writer removed nothing: the repair it names gives all. */
        assert_true(exists(g1));
        put(pointer, "1\n");
        assert_int_equal(tu_count_records(f->tmp.db), N_ALL);
    }
}

static void
test_pointer_behind_a_newer_generation_is_refused(void **state)
{
    struct fixture *f = *state;
    index_into(f->pristine, true, true);
    index_into(f->pristine, true, false); /* g2 */
    copy_tree(f->pristine, f->tmp.db);
    char pointer[4400], g2[4400], fix[4600];
    snprintf(pointer, sizeof(pointer), "%s/generation", f->tmp.db);
    snprintf(g2, sizeof(g2), "%s/g2", f->tmp.db);
    snprintf(fix, sizeof(fix), "repair with: echo 2 > '%s'", pointer);
    put(pointer, "1\n");
    readers_and_writers_refuse(f->tmp.db,
                               "names generation g1, but g2 is newer", fix);
    assert_true(exists(g2));
    put(pointer, "2\n");
    assert_int_equal(tu_count_records(f->tmp.db), N_ALL);
}

/* What a run that died leaves (a generation renamed but never pointed
 * at, a half-built one) is not the index: readers do not see it, the
 * next writer removes it, and the current generation stays. */
static void
test_builds_of_runs_that_died_are_removed(void **state)
{
    struct fixture *f = *state;
    index_into(f->pristine, true, true);
    copy_tree(f->pristine, f->tmp.db);
    char g1[4400], g2[4400], mark[4600], tmp[4400];
    snprintf(g1, sizeof(g1), "%s/g1", f->tmp.db);
    snprintf(g2, sizeof(g2), "%s/g2", f->tmp.db);
    snprintf(tmp, sizeof(tmp), "%s/g3.tmp", f->tmp.db);
    copy_tree(g1, g2);
    snprintf(mark, sizeof(mark), "%s/uncommitted", g2);
    put(mark, "");
    assert_int_equal(mkdir(tmp, 0777), 0);
    assert_int_equal(tu_count_records(f->tmp.db), N_ALL);
    index_into(f->tmp.db, false, false);
    assert_false(exists(g2));
    assert_false(exists(tmp));
    assert_true(exists(g1));
    assert_int_equal(tu_count_records(f->tmp.db), N_ALL);

    /* The first parallel run of an index, dead before its pointer. */
    tu_rmtree(f->tmp.db);
    index_into(f->tmp.db, false, false);
    assert_int_equal(mkdir(g1, 0777), 0);
    snprintf(mark, sizeof(mark), "%s/uncommitted", g1);
    put(mark, "");
    assert_int_equal(tu_count_records(f->tmp.db), N_CORPUS);
    index_into(f->tmp.db, false, false);
    assert_false(exists(g1));
    assert_int_equal(tu_count_records(f->tmp.db), N_CORPUS);
}

/* ---- symbolic links ---- */

/* Whatever the planted links point at is as it was. */
static void
assert_targets_untouched(const struct fixture *f)
{
    char *text = tu_read(f->victim, NULL);
    assert_non_null(text);
    assert_string_equal(text, "precious\n");
    free(text);
    char keep[4400];
    snprintf(keep, sizeof(keep), "%s/keep", f->victim_dir);
    text = tu_read(keep, NULL);
    assert_non_null(text);
    assert_string_equal(text, "kept\n");
    free(text);
    const char *argv[] = {"/bin/ls", "-A", f->victim_dir, NULL};
    struct tu_run r;
    assert_int_equal(run(argv, &r), 0);
    assert_string_equal(r.out, "keep\n");
    tu_run_free(&r);
    char parent[4400];
    snprintf(parent, sizeof(parent), "%s/nowhere", f->tmp.dir);
    assert_false(exists(parent));
}

static void
make_targets(const struct fixture *f)
{
    put(f->victim, "precious\n");
    mkdir(f->victim_dir, 0777);
    char keep[4400];
    snprintf(keep, sizeof(keep), "%s/keep", f->victim_dir);
    put(keep, "kept\n");
}

static void
test_links_planted_at_jobdex_names_are_refused(void **state)
{
    struct fixture *f = *state;
    make_targets(f);
    index_into(f->pristine, true, true);
    /* Every name jobdex writes or removes in the directory, and inside
     * the current generation's databases. */
    const char *names[] = {"lock",
                           "generation",
                           "generation.tmp",
                           ".shards",
                           "classes",
                           "items",
                           "g1",
                           "g2.tmp",
                           "g2",
                           "g1/classes",
                           "g1/items",
                           "g1/classes/postlist.glass",
                           "g1/items/termlist.glass"};
    const char *targets[] = {f->victim, f->victim_dir, f->dangling};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        for (size_t t = 0; t < 3; t++) {
            copy_tree(f->pristine, f->tmp.db);
            char at[4400], want[4600];
            snprintf(at, sizeof(at), "%s/%s", f->tmp.db, names[i]);
            tu_rmtree(at);
            assert_int_equal(symlink(targets[t], at), 0);
            snprintf(want, sizeof(want), "'%s' is a symbolic link", at);
            readers_and_writers_refuse(f->tmp.db, want, NULL);
            assert_targets_untouched(f);
        }
    }
}

/* The shards of a run that died are removed, links in them as links. */
static void
test_links_left_in_shards_are_removed_not_followed(void **state)
{
    struct fixture *f = *state;
    make_targets(f);
    index_into(f->tmp.db, true, true);
    char shards[4400], at[4600];
    snprintf(shards, sizeof(shards), "%s/.shards", f->tmp.db);
    assert_int_equal(mkdir(shards, 0777), 0);
    snprintf(at, sizeof(at), "%s/0", shards);
    assert_int_equal(symlink(f->victim_dir, at), 0);
    snprintf(at, sizeof(at), "%s/readd.jsonl", shards);
    assert_int_equal(symlink(f->victim, at), 0);
    index_into(f->tmp.db, true, false);
    assert_targets_untouched(f);
    assert_int_equal(tu_count_records(f->tmp.db), N_ALL);
}

/* Build shard 0 of DB (open for writing) with a record DB holds, so
 * that merging it sets that record aside to re-add. */
static void
build_shard(jd_db *db)
{
    char path[4400];
    assert_int_equal(jd_db_shard_path(db, 0, path, sizeof(path)), JD_OK);
    jd_db *shard;
    assert_int_equal(jd_db_new(&shard), JD_OK);
    assert_int_equal(jd_db_open(shard, path, JD_OPEN_WRITE | JD_OPEN_CREATE),
                     JD_OK);
    jd_spec *s;
    assert_int_equal(jd_db_get(db, "st-louis/1368", &s), JD_OK);
    assert_int_equal(jd_db_add(shard, s), JD_OK);
    jd_spec_free(s);
    assert_int_equal(jd_db_commit(shard), JD_OK);
    jd_db_free(shard);
}

/* Links planted while a parallel run is under way, at what its merge
 * creates: refused by name when it comes to them. */
static void
test_links_planted_during_a_parallel_run_are_refused(void **state)
{
    struct fixture *f = *state;
    make_targets(f);
    index_into(f->pristine, false, false);
    const char *names[] = {".shards/readd.jsonl", "g1.tmp", "g1",
                           "generation.tmp"};
    const char *targets[] = {f->victim, f->victim_dir, f->dangling};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        for (size_t t = 0; t < 3; t++) {
            copy_tree(f->pristine, f->tmp.db);
            jd_db *db = open_writer(f->tmp.db);
            build_shard(db);
            char at[4400], want[4600];
            snprintf(at, sizeof(at), "%s/%s", f->tmp.db, names[i]);
            assert_int_equal(symlink(targets[t], at), 0);
            struct jd_merge_stats ms;
            jd_status st = jd_db_merge_shards(db, 1, &ms);
            snprintf(want, sizeof(want), "'%s' is a symbolic link", at);
            if (st == JD_OK || !strstr(jd_db_errmsg(db), want))
                fprintf(stderr, "merge with %s: %s\n", names[i],
                        jd_db_errmsg(db));
            assert_int_not_equal(st, JD_OK);
            assert_non_null(strstr(jd_db_errmsg(db), want));
            jd_db_free(db);
            assert_targets_untouched(f);
            /* The index is as it was. */
            unlink(at);
            assert_int_equal(tu_count_records(f->tmp.db), N_CORPUS);
        }
    }
    /* A shard directory, or their parent, planted as a link. */
    const char *shard_names[] = {".shards", ".shards/0"};
    for (size_t i = 0; i < 2; i++) {
        copy_tree(f->pristine, f->tmp.db);
        jd_db *db = open_writer(f->tmp.db);
        char at[4400], want[4600], path[4400];
        snprintf(at, sizeof(at), "%s/.shards", f->tmp.db);
        if (i == 1)
            assert_int_equal(mkdir(at, 0777), 0);
        snprintf(at, sizeof(at), "%s/%s", f->tmp.db, shard_names[i]);
        assert_int_equal(symlink(f->victim_dir, at), 0);
        assert_int_equal(jd_db_shard_path(db, 0, path, sizeof(path)),
                         JD_ERR_IO);
        snprintf(want, sizeof(want), "'%s' is a symbolic link", at);
        assert_non_null(strstr(jd_db_errmsg(db), want));
        jd_db_free(db);
        assert_targets_untouched(f);
    }
}

static void
test_index_directory_may_be_a_link_but_not_a_dangling_one(void **state)
{
    struct fixture *f = *state;
    char real[4400], link[4400], dangling[4400], want[4600];
    snprintf(real, sizeof(real), "%s/real.db", f->tmp.dir);
    snprintf(link, sizeof(link), "%s/link.db", f->tmp.dir);
    snprintf(dangling, sizeof(dangling), "%s/dangling.db", f->tmp.dir);
    assert_int_equal(mkdir(real, 0777), 0);
    assert_int_equal(symlink(real, link), 0);
    index_into(link, true, true);
    assert_int_equal(tu_count_records(link), N_ALL);
    assert_int_equal(tu_count_records(real), N_ALL);

    assert_int_equal(symlink(f->dangling, dangling), 0);
    snprintf(want, sizeof(want), "'%s' is a symbolic link to nothing",
             dangling);
    readers_and_writers_refuse(dangling, want, NULL);
    char parent[4400];
    snprintf(parent, sizeof(parent), "%s/nowhere", f->tmp.dir);
    assert_false(exists(parent));
}

/* ---- locks ---- */

/* jobdex-index -d DB corpus as nobody: it fails with status 3 saying
 * WANT and never that another writer holds the index. False when the
 * test may not switch users. */
static bool
nobody_writer_says(const struct fixture *f, const char *db, const char *want)
{
    char errfile[4400];
    snprintf(errfile, sizeof(errfile), "%s/nobody.err", f->tmp.dir);
    const char *argv[] = {"jobdex-index", "-q", "--no-progress", "--no-model",
                          "-d",           db,   "corpus",        NULL};
    struct tu_run r;
    bool dropped = tu_run_as_nobody(argv, &r, errfile);
    if (dropped &&
        (r.status != 3 || !strstr(r.err, want) || strstr(r.err, "locked")))
        fprintf(stderr, "as nobody: status %d: %s(wanted '%s')\n", r.status,
                r.err, want);
    if (dropped) {
        assert_int_equal(r.status, 3);
        assert_non_null(strstr(r.err, want));
        assert_null(strstr(r.err, "locked by another writer"));
    }
    tu_run_free(&r);
    return dropped;
}

static void
test_writer_without_permission_says_what_failed(void **state)
{
    struct fixture *f = *state;
    index_into(f->tmp.db, false, false);
    assert_int_equal(chmod(f->tmp.dir, 0755), 0);
    char lock[4400], classes[4400], flintlock[4600], fresh[4400], want[4800];
    snprintf(lock, sizeof(lock), "%s/lock", f->tmp.db);
    snprintf(classes, sizeof(classes), "%s/classes", f->tmp.db);
    snprintf(flintlock, sizeof(flintlock), "%s/flintlock", classes);
    snprintf(fresh, sizeof(fresh), "%s/new.db", f->tmp.db);

    /* The writers' lock file. */
    assert_int_equal(chmod(f->tmp.db, 0555), 0);
    assert_int_equal(chmod(lock, 0444), 0);
    snprintf(want, sizeof(want), "cannot open '%s': Permission denied", lock);
    bool dropped = nobody_writer_says(f, f->tmp.db, want);
    /* A new index where the writer may not make it. */
    snprintf(want, sizeof(want),
             "cannot create directory '%s': Permission denied", fresh);
    if (dropped)
        nobody_writer_says(f, fresh, want);
    /* Xapian's lock file in classes/, with jobdex's own lock writable. */
    assert_int_equal(chmod(lock, 0666), 0);
    assert_int_equal(chmod(classes, 0555), 0);
    assert_int_equal(chmod(flintlock, 0444), 0);
    snprintf(want, sizeof(want),
             "%s: Couldn't open lockfile: Permission denied", classes);
    if (dropped)
        nobody_writer_says(f, f->tmp.db, want);
    chmod(classes, 0755);
    chmod(f->tmp.db, 0755);
    if (!dropped) {
        fprintf(stderr, "cannot become nobody here: skipped\n");
        skip();
    }
    assert_int_equal(tu_count_records(f->tmp.db), N_CORPUS);
}

/* Held locks still read "locked by another writer": jobdex's own and
 * Xapian's (a writer that is not jobdex). */
static void
test_held_locks_still_say_locked(void **state)
{
    struct fixture *f = *state;
    index_into(f->tmp.db, false, false);
    const char *argv[] = {"jobdex-index", "-q", "--no-progress",
                          "--no-model",   "-d", f->tmp.db,
                          "corpus",       NULL};
    char lock[4400], classes[4400];
    snprintf(lock, sizeof(lock), "%s/lock", f->tmp.db);
    snprintf(classes, sizeof(classes), "%s/classes", f->tmp.db);
    int fd = open(lock, O_RDWR);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX), 0);
    expect_refusal(argv, "index is locked by another writer", NULL);
    close(fd);
    struct xs_db *x = NULL;
    char msg[512];
    assert_int_equal(xs_open(classes, XS_WRITE, &x, msg, sizeof(msg)), JD_OK);
    expect_refusal(argv, "index is locked by another writer", NULL);
    xs_close(x);
}

/* ---- damage and jobdex-query check ---- */

/* jobdex-query -d DB check: its status; what it wrote in *R. */
static int
check(const char *db, struct tu_run *r)
{
    const char *argv[] = {"jobdex-query", "-d", db, "check", NULL};
    return run(argv, r);
}

static void
test_check_passes_intact_indexes(void **state)
{
    struct fixture *f = *state;
    /* With the class model, and a parallel-built one. */
    assert_int_equal(tu_index(f->tmp.db, "corpus", NULL), 0);
    struct tu_run r;
    index_into(f->pristine, true, true);
    char want[4600];
    assert_int_equal(check(f->tmp.db, &r), 0);
    snprintf(want, sizeof(want),
             "checked '%s' (generation 0): 2 databases, 5 records, ",
             f->tmp.db);
    assert_true(strncmp(r.out, want, strlen(want)) == 0);
    assert_non_null(strstr(r.out, " items: no damage found\n"));
    assert_int_equal(tu_count_lines(r.out, ""), 1);
    tu_run_free(&r);
    if (check(f->pristine, &r) != 0)
        fprintf(stderr, "%s", r.out);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "(generation 1): 2 databases, 9 records"));
    tu_run_free(&r);
}

/* What readers refuse to open, check reports as damage. */
static void
test_check_reports_the_pointer_and_links(void **state)
{
    struct fixture *f = *state;
    make_targets(f);
    index_into(f->pristine, true, true);
    char pointer[4400], classes[4400], want[4600];
    snprintf(pointer, sizeof(pointer), "%s/generation", f->tmp.db);
    snprintf(classes, sizeof(classes), "%s/g1/classes", f->tmp.db);
    struct tu_run r;
    for (int k = 0; k < 3; k++) {
        copy_tree(f->pristine, f->tmp.db);
        if (k == 0) {
            assert_int_equal(unlink(pointer), 0);
            snprintf(want, sizeof(want), "'%s' is missing", pointer);
        } else if (k == 1) {
            put(pointer, "7\n");
            snprintf(want, sizeof(want), "'%s' names generation g7", pointer);
        } else {
            tu_rmtree(classes);
            assert_int_equal(symlink(f->victim_dir, classes), 0);
            snprintf(want, sizeof(want), "'%s' is a symbolic link", classes);
        }
        check(f->tmp.db, &r);
        if (r.status != 4 || !strstr(r.out, want))
            fprintf(stderr, "case %d: status %d:\n%s%s", k, r.status, r.out,
                    r.err);
        assert_int_equal(r.status, 4);
        assert_non_null(strstr(r.out, want));
        assert_non_null(strstr(r.out, ": 1 problem\n"));
        tu_run_free(&r);
    }
    assert_targets_untouched(f);
}

/* One way to damage a copy of the index, through Xapian. */
typedef void (*damage_fn)(struct xs_db *classes, struct xs_db *items);

static const char record_id[] = "st-louis/1368";

/* Replace the class document of RECORD_ID by one holding DATA. */
static void
replace_record(struct xs_db *classes, const char *data)
{
    struct xs_doc *doc;
    char msg[512];
    assert_int_equal(xs_doc_new(&doc), JD_OK);
    char term[64];
    int n = snprintf(term, sizeof(term), PREFIX_ID "%s", record_id);
    assert_int_equal(xs_doc_add_boolean(doc, term, (size_t)n), JD_OK);
    assert_int_equal(
        xs_doc_set_value(doc, SLOT_ID, record_id, strlen(record_id)), JD_OK);
    assert_int_equal(xs_doc_set_data(doc, data, strlen(data)), JD_OK);
    assert_int_equal(xs_replace(classes, term, doc, msg, sizeof(msg)), JD_OK);
    xs_doc_free(doc);
}

static void
damage_json(struct xs_db *classes, struct xs_db *items)
{
    (void)items;
    replace_record(classes, "{\"id\": \"st-louis/1368\", \"title\": ");
}

/* Another record's JSON under RECORD_ID's id. */
static void
damage_swap(struct xs_db *classes, struct xs_db *items)
{
    (void)items;
    jd_buf b = {NULL, 0, 0};
    char msg[512];
    assert_int_equal(
        xs_data_by_term(classes, "Qportland/30003028", &b, msg, sizeof(msg)),
        JD_OK);
    replace_record(classes, b.data);
    jd_buf_free(&b);
}

static void
damage_drop_class(struct xs_db *classes, struct xs_db *items)
{
    (void)items;
    char msg[512];
    assert_int_equal(
        xs_delete_term(classes, "Qst-louis/1368", msg, sizeof(msg)), JD_OK);
}

static void
damage_drop_items(struct xs_db *classes, struct xs_db *items)
{
    (void)classes;
    char msg[512];
    assert_int_equal(xs_delete_term(items, "XPst-louis/1368", msg, sizeof(msg)),
                     JD_OK);
}

static void
damage_stray_item(struct xs_db *classes, struct xs_db *items)
{
    (void)classes;
    struct xs_doc *doc;
    char msg[512];
    assert_int_equal(xs_doc_new(&doc), JD_OK);
    assert_int_equal(xs_doc_add_term(doc, "budget", 6, 1), JD_OK);
    assert_int_equal(xs_add(items, doc, msg, sizeof(msg)), JD_OK);
    xs_doc_free(doc);
}

static int
first_key(void *ctx, const char *key, size_t len, size_t unused)
{
    (void)unused;
    snprintf(ctx, 200, "%.*s", (int)len, key);
    return 1;
}

static void
damage_model_row(struct xs_db *classes, struct xs_db *items)
{
    (void)items;
    char key[200] = "", msg[512];
    assert_int_equal(xs_metadata_keys(classes, "jobdex:model:t:", first_key,
                                      key, msg, sizeof(msg)),
                     JD_OK);
    assert_true(key[0] != '\0');
    assert_int_equal(xs_set_metadata(classes, key, "xx", msg, sizeof(msg)),
                     JD_OK);
}

/* A copy of the corpus index at DB damaged by FN, committed. */
static void
damaged_copy(const struct fixture *f, damage_fn fn)
{
    copy_tree(f->pristine, f->tmp.db);
    char classes[4400], items[4400], msg[512];
    snprintf(classes, sizeof(classes), "%s/classes", f->tmp.db);
    snprintf(items, sizeof(items), "%s/items", f->tmp.db);
    struct xs_db *c, *i;
    assert_int_equal(xs_open(classes, XS_WRITE, &c, msg, sizeof(msg)), JD_OK);
    assert_int_equal(xs_open(items, XS_WRITE, &i, msg, sizeof(msg)), JD_OK);
    fn(c, i);
    assert_int_equal(xs_commit(c, msg, sizeof(msg)), JD_OK);
    assert_int_equal(xs_commit(i, msg, sizeof(msg)), JD_OK);
    xs_close(c);
    xs_close(i);
}

static void
test_check_names_records_and_items_that_disagree(void **state)
{
    struct fixture *f = *state;
    /* With its class model. */
    assert_int_equal(tu_index(f->pristine, "corpus", NULL), 0);
    struct tu_run r;
    char classes[4400], items[4400];
    snprintf(classes, sizeof(classes), "'%s/classes'", f->tmp.db);
    snprintf(items, sizeof(items), "'%s/items'", f->tmp.db);
    const struct {
        damage_fn fn;
        const char *want, *want2;
    } cases[] = {
        {damage_json, "stored record 'st-louis/1368' is corrupt (", NULL},
        {damage_swap,
         "holds record 'portland/30003028' but its id value is "
         "'st-louis/1368'",
         "without its id term alone"},
        {damage_drop_class, "items of class 'st-louis/1368', which", classes},
        {damage_drop_items, "record 'st-louis/1368' has ", items},
        {damage_stray_item, "1 items of ", "belong to no class"},
        {damage_model_row, "class model row of '", "' is damaged"},
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        damaged_copy(f, cases[k].fn);
        check(f->tmp.db, &r);
        if (r.status != 4 || !strstr(r.out, cases[k].want))
            fprintf(stderr, "case %zu: status %d:\n%s%s", k, r.status, r.out,
                    r.err);
        assert_int_equal(r.status, 4);
        assert_non_null(strstr(r.out, cases[k].want));
        if (cases[k].want2)
            assert_non_null(strstr(r.out, cases[k].want2));
        assert_non_null(strstr(r.out, " problem"));
        tu_run_free(&r);
    }
    /* A reader that meets the corrupt record says so. */
    damaged_copy(f, damage_json);
    const char *show[] = {"jobdex-query", "-d",      f->tmp.db,
                          "show",         record_id, NULL};
    expect_refusal(show, "stored record 'st-louis/1368' is corrupt (",
                   "run jobdex-query check");
}

/* Flip the byte at OFF of PATH. */
static void
flip(const char *path, off_t off)
{
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    unsigned char b;
    assert_int_equal(pread(fd, &b, 1, off), 1);
    b ^= 0xff;
    assert_int_equal(pwrite(fd, &b, 1, off), 1);
    close(fd);
}

/* Whether Xapian's own check finds DIR damaged: errors, a failure, or
 * a crash (it is run in a child of its own, for a few CPU seconds). */
static bool
xapian_finds_damage(const char *dir)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* Under ASan the library's own overreads on damaged tables are
         * reported (and end the child): that is a finding, not noise for
         * the log. */
        if (!freopen("/dev/null", "w", stderr))
            _exit(1);
        struct rlimit cpu = {20, 25};
        setrlimit(RLIMIT_CPU, &cpu);
        size_t errors = 0;
        jd_buf report = {NULL, 0, 0};
        char msg[512];
        jd_status st = xs_check(dir, &errors, &report, msg, sizeof(msg));
        _exit(st == JD_OK && errors == 0 ? 0 : 1);
    }
    int ws;
    assert_int_equal(waitpid(pid, &ws, 0), pid);
    return !WIFEXITED(ws) || WEXITSTATUS(ws) != 0;
}

/* A reader of a damaged index answers (0, 1) or fails with a one-line
 * message (3); never a crash or a sanitizer's report. */
static void
assert_reader_fails_cleanly(const char *const *argv)
{
    struct tu_run r;
    run(argv, &r);
    bool clean = r.status <= 1 ||
                 (r.status == 3 && strncmp(r.err, "jobdex-query: ", 14) == 0 &&
                  tu_count_lines(r.err, "") <= 1);
    if (!clean || strstr(r.err, "Sanitizer") || strstr(r.err, "runtime error"))
        fprintf(stderr, "%s %s: status %d:\n%s", argv[3], argv[4], r.status,
                r.err);
    assert_true(clean);
    assert_null(strstr(r.err, "Sanitizer"));
    assert_null(strstr(r.err, "runtime error"));
    tu_run_free(&r);
}

static void
test_check_finds_every_flipped_byte_xapian_finds(void **state)
{
    struct fixture *f = *state;
    index_into(f->pristine, false, false);
    /* Tables of both databases, a byte near the end of blocks 1 to 6
     * (glass blocks are 8 KiB and fill with items from the end; the
     * middle is often free space, the start a header). Readers are
     * run on the postlist and docdata flips only: a flipped termlist
     * byte can crash libxapian itself (README: Reliability). */
    const struct {
        const char *table;
        bool readers;
    } tables[] = {
        {"classes/postlist.glass", true},  {"classes/docdata.glass", true},
        {"classes/termlist.glass", false}, {"classes/position.glass", false},
        {"items/postlist.glass", true},    {"items/termlist.glass", false},
    };
    size_t damaged = 0, copies = 0;
    for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
        char path[4400];
        snprintf(path, sizeof(path), "%s/%s", f->pristine, tables[t].table);
        struct stat sb;
        assert_int_equal(stat(path, &sb), 0);
        off_t blocks = sb.st_size / 8192;
        for (off_t b = 1; b < blocks && b <= 6; b++) {
            off_t off = (b + 1) * 8192 - 40 - 613 * (b % 5);
            copy_tree(f->pristine, f->tmp.db);
            snprintf(path, sizeof(path), "%s/%s", f->tmp.db, tables[t].table);
            flip(path, off);
            char dir[4400], named[4600];
            snprintf(dir, sizeof(dir), "%s/%.*s", f->tmp.db,
                     (int)strcspn(tables[t].table, "/"), tables[t].table);
            snprintf(named, sizeof(named), "'%s'", dir);
            bool xapian = xapian_finds_damage(dir);
            struct tu_run r;
            check(f->tmp.db, &r);
            if (r.status != 0 && r.status != 4)
                fprintf(stderr, "%s at %lld: status %d:\n%s%s", tables[t].table,
                        (long long)off, r.status, r.out, r.err);
            assert_true(r.status == 0 || r.status == 4);
            if (xapian && (r.status != 4 || !strstr(r.out, named)))
                fprintf(stderr, "%s at %lld: Xapian finds damage, check:\n%s",
                        tables[t].table, (long long)off, r.out);
            if (xapian) {
                assert_int_equal(r.status, 4);
                assert_non_null(strstr(r.out, named));
            }
            damaged += r.status == 4;
            copies++;
            tu_run_free(&r);
            if (!tables[t].readers)
                continue;
            const char *search[] = {"jobdex-query", "-d",  f->tmp.db,
                                    "search",       "web", NULL};
            const char *show[] = {"jobdex-query", "-d",      f->tmp.db,
                                  "show",         record_id, NULL};
            assert_reader_fails_cleanly(search);
            assert_reader_fails_cleanly(show);
        }
    }
    /* Not vacuous: most flips are found. */
    fprintf(stderr, "check found damage in %zu of %zu copies\n", damaged,
            copies);
    assert_true(damaged * 2 >= copies);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_pointer_damaged_in_any_shape_is_refused_and_nothing_lost,
            setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_pointer_behind_a_newer_generation_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_builds_of_runs_that_died_are_removed, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_links_planted_at_jobdex_names_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_links_left_in_shards_are_removed_not_followed, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_links_planted_during_a_parallel_run_are_refused, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_index_directory_may_be_a_link_but_not_a_dangling_one, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_writer_without_permission_says_what_failed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_held_locks_still_say_locked, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_check_passes_intact_indexes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_check_reports_the_pointer_and_links, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_check_names_records_and_items_that_disagree, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_check_finds_every_flipped_byte_xapian_finds, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
