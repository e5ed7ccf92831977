/*
 * test_cli_walk.c: how jobdex-index (and jd_walk) find their inputs when
 * links are involved. Each file and directory is read once, however many
 * routes lead to it; symbolic links are followed only inside the trees
 * named on the command line, unless --follow-links; nothing on /proc,
 * /sys or a device is ever read.
 *
 * Inputs are JSON-lines files of one record each, so that every record
 * in the --dump output names the one path it was read through
 * ("source":{"file":...}); a file read twice shows up twice. Each run
 * is guarded by tu_run_within(): a walk that does not end fails the test
 * instead of hanging it.
 */
#define _GNU_SOURCE
#include "jobdex.h"

#include "testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cmocka.h>

/* Seconds a run may take before it counts as a hang (a guard, far over
 * what a walk of these trees needs, even under ASan). */
enum { RUN_GUARD_SECONDS = 60 };

/* DIR/NAME: a JSON-lines file holding the one record ID. */
static void
write_record(const char *dir, const char *name, const char *id)
{
    char line[512];
    int n = snprintf(line, sizeof(line),
                     "{\"id\": \"%s\", \"title\": \"Clerk\"}\n", id);
    free(tu_write(dir, name, line, (size_t)n));
}

/* Make the symbolic link PATH (a printf format) to TARGET. */
static void link_to(const char *target, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
link_to(const char *target, const char *fmt, ...)
{
    char path[4400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    if (symlink(target, path) != 0) {
        perror(path);
        fail();
    }
}

/*
 * Run jobdex-index --dump ARGS... (NULL-terminated), expecting STATUS and
 * exactly the stderr WANT; returns its stdout, the records read.
 */
static char *
dump_expect(int status, const char *want, ...)
{
    const char *argv[32] = {"jobdex-index", "--dump"};
    size_t n = 2;
    va_list ap;
    va_start(ap, want);
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL && n < 31)
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    struct tu_run r;
    tu_run_within(argv, NULL, RUN_GUARD_SECONDS, &r);
    if (r.status != status || strcmp(r.err, want) != 0)
        fprintf(stderr,
                "status %d, %zu records, stderr:\n%.4000s---- wanted "
                "%d:\n%s",
                r.status, tu_count_lines(r.out, "\"id\":"), r.err, status,
                want);
    assert_int_equal(r.status, status);
    assert_string_equal(r.err, want);
    char *out = r.out;
    r.out = NULL;
    tu_run_free(&r);
    return out;
}

/* Records in OUT read through the file PATH. */
static size_t
read_through(const char *out, const char *path)
{
    char needle[4500];
    snprintf(needle, sizeof(needle), "\"source\":{\"file\":\"%s\",", path);
    return tu_count_lines(out, needle);
}

/* Records in OUT with the id ID. */
static size_t
records_of(const char *out, const char *id)
{
    char needle[512];
    snprintf(needle, sizeof(needle), "{\"id\":\"%s\",", id);
    return tu_count_lines(out, needle);
}

/* Messages jobdex-index gives for paths it does not read. */
static const char out_of_trees[] =
    "symbolic link leads outside the input trees (use --follow-links)";
static const char loop[] = "symbolic link loop (directory already being read)";
static const char on_proc[] = "on a special filesystem (proc), never read";
static const char device[] = "not a regular file (a device), never read";

/* The size of a buffer of expected stderr. */
enum { WANT_SIZE = 65536 };

/* Add "jobdex-index: cannot read 'PATH': WHY" to the lines in WANT (of
 * WANT_SIZE bytes), PATH a printf format. */
static void want_line(char *want, const char *why, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
want_line(char *want, const char *why, const char *fmt, ...)
{
    char path[4500];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    size_t len = strlen(want);
    snprintf(want + len, WANT_SIZE - len,
             "jobdex-index: cannot read '%s': %s\n", path, why);
}

/* ---- link graphs ---- */

/*
 * The red team's ladder: DIR/d0 .. DIR/dLEVELS, each directory holding a
 * record of its own (id "level-K") and FANOUT links "lJ" to the next one
 * ("../dK+1"): FANOUT^LEVELS routes lead to the last record.
 */
static void
make_ladder(const char *dir, unsigned levels, unsigned fanout)
{
    mkdir(dir, 0777);
    for (unsigned k = 0; k <= levels; k++) {
        char sub[4400], name[64], id[64];
        snprintf(sub, sizeof(sub), "%s/d%u", dir, k);
        snprintf(id, sizeof(id), "level-%u", k);
        snprintf(name, sizeof(name), "rec-%u.jsonl", k);
        write_record(sub, name, id);
        for (unsigned j = 0; k < levels && j < fanout; j++) {
            snprintf(name, sizeof(name), "../d%u", k + 1);
            link_to(name, "%s/l%u", sub, j);
        }
    }
}

/* Every level of the ladder in OUT exactly once. */
static void
assert_each_level_once(const char *out, unsigned levels)
{
    assert_int_equal(tu_count_lines(out, "\"id\":"), levels + 1);
    for (unsigned k = 0; k <= levels; k++) {
        char id[64];
        snprintf(id, sizeof(id), "level-%u", k);
        assert_int_equal(records_of(out, id), 1);
    }
}

static void
test_walk_link_ladders_read_each_file_once(void **state)
{
    struct tu_fixture *f = *state;
    static const struct {
        unsigned levels, fanout;
    } shapes[] = {{1, 2}, {16, 2}, {22, 2}, {12, 3}, {30, 1}};
    for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
        unsigned levels = shapes[i].levels, fanout = shapes[i].fanout;
        char ladder[4400], d0[4500];
        snprintf(ladder, sizeof(ladder), "%s/ladder-%zu", f->in, i);
        snprintf(d0, sizeof(d0), "%s/d0", ladder);
        make_ladder(ladder, levels, fanout);

        /* The whole ladder named: every link leads inside it. */
        char *out = dump_expect(0, "", ladder, (const char *)NULL);
        assert_each_level_once(out, levels);
        free(out);

        /* Only its first rung named: the links lead out of it. */
        char want[WANT_SIZE] = "";
        for (unsigned j = 0; j < fanout; j++)
            want_line(want, out_of_trees, "%s/l%u", d0, j);
        out = dump_expect(1, want, d0, (const char *)NULL);
        assert_each_level_once(out, 0);
        free(out);

        /* ... unless links may be followed anywhere. */
        out = dump_expect(0, "", "--follow-links", d0, (const char *)NULL);
        assert_each_level_once(out, levels);
        free(out);
    }
}

struct walk_count {
    size_t files, errors;
};

static jd_status
count_file(void *ctx, const char *path, const char *folder)
{
    (void)path;
    (void)folder;
    ((struct walk_count *)ctx)->files++;
    return JD_OK;
}

static void
count_error(void *ctx, const char *path, const char *why)
{
    (void)path;
    (void)why;
    ((struct walk_count *)ctx)->errors++;
}

/* jd_walk() itself: one call of FILE per file of a 22-level ladder. */
static void
test_walk_library_visits_each_file_once(void **state)
{
    struct tu_fixture *f = *state;
    char ladder[4400], d0[4500];
    snprintf(ladder, sizeof(ladder), "%s/ladder", f->in);
    snprintf(d0, sizeof(d0), "%s/d0", ladder);
    make_ladder(ladder, 22, 2);
    alarm(RUN_GUARD_SECONDS); /* a walk that never ends kills the test */
    struct walk_count c = {0, 0};
    struct jd_walk_sink sink = {count_file, count_error, &c};
    const char *roots[] = {ladder, ladder, d0};
    assert_int_equal(jd_walk(roots, 3, 0, &sink), JD_OK);
    assert_int_equal(c.files, 23);
    assert_int_equal(c.errors, 0);
    c.files = 0;
    assert_int_equal(jd_walk(roots + 2, 1, JD_WALK_FOLLOW_LINKS, &sink), JD_OK);
    assert_int_equal(c.files, 23);
    assert_int_equal(c.errors, 0);
    alarm(0);
}

/* ---- hard links, paths named twice ---- */

static void
test_walk_hard_links_and_paths_named_twice_are_read_once(void **state)
{
    struct tu_fixture *f = *state;
    char a[4400], b[4400], c[4400], d[4400], sub[4400], alias[4400];
    write_record(f->in, "a.jsonl", "a");
    write_record(f->in, "sub/d.jsonl", "d");
    snprintf(a, sizeof(a), "%s/a.jsonl", f->in);
    snprintf(b, sizeof(b), "%s/b.jsonl", f->in);
    snprintf(c, sizeof(c), "%s/sub/c.jsonl", f->in);
    snprintf(d, sizeof(d), "%s/sub/d.jsonl", f->in);
    snprintf(sub, sizeof(sub), "%s/sub", f->in);
    snprintf(alias, sizeof(alias), "%s/alias", f->dir);
    assert_int_equal(link(a, b), 0); /* one file, three names */
    assert_int_equal(link(a, c), 0);
    link_to(f->in, "%s", alias); /* a second name for the whole tree */

    /* The tree, again, by another name, a folder in it, files in it. */
    char *out =
        dump_expect(0, "", f->in, f->in, alias, sub, d, b, (const char *)NULL);
    assert_int_equal(tu_count_lines(out, "\"id\":"), 2);
    assert_int_equal(read_through(out, a), 1);
    assert_int_equal(read_through(out, d), 1);
    free(out);

    /* The first route in the order named wins: here the folder's. */
    out = dump_expect(0, "", sub, f->in, (const char *)NULL);
    assert_int_equal(tu_count_lines(out, "\"id\":"), 2);
    assert_int_equal(read_through(out, c), 1);
    assert_int_equal(read_through(out, d), 1);
    free(out);

    /* A file named twice. */
    out = dump_expect(0, "", c, b, a, c, (const char *)NULL);
    assert_int_equal(tu_count_lines(out, "\"id\":"), 1);
    assert_int_equal(read_through(out, c), 1);
    free(out);
}

/* ---- links out of the trees named ---- */

/*
 * IN holds two records ("good", "inner") and links of every shape that
 * lead out of it, to OUT (a record "outside-dir", and "secret", mode
 * 0600) or elsewhere (/etc/passwd), relative and absolute, direct and
 * through other links, besides links that stay inside and two that lead
 * back to a directory being read (loops). "in-other" shares IN's name
 * as a prefix, not as a directory.
 */
static void
make_links_tree(const struct tu_fixture *f)
{
    char path[4400];
    write_record(f->in, "good.jsonl", "good");
    write_record(f->in, "sub/inner.jsonl", "inner");
    write_record(f->out, "dir/x.jsonl", "outside-dir");
    write_record(f->out, "secret.jsonl", "secret");
    snprintf(path, sizeof(path), "%s/secret.jsonl", f->out);
    assert_int_equal(chmod(path, 0600), 0);
    snprintf(path, sizeof(path), "%s/in-other", f->dir);
    write_record(path, "y.jsonl", "in-other");

    snprintf(path, sizeof(path), "%s/dir", f->out);
    link_to(path, "%s/abs-dir", f->in);
    link_to("../out/dir", "%s/rel-dir", f->in);
    link_to("../out/secret.jsonl", "%s/secret.jsonl", f->in);
    link_to("/etc/passwd", "%s/passwd.txt", f->in);
    link_to("/etc/passwd", "%s/notes.pdf", f->in); /* no spec's name */
    link_to("chain2.jsonl", "%s/chain.jsonl", f->in);
    link_to("../out/secret.jsonl", "%s/chain2.jsonl", f->in);
    link_to("../in-other", "%s/prefix", f->in);
    link_to("hop.lnk", "%s/in-chain.jsonl", f->in); /* inside, by a chain */
    link_to("sub/inner.jsonl", "%s/hop.lnk", f->in);
    link_to("../rel-dir", "%s/sub/sneaky", f->in);
    link_to("..", "%s/sub/up", f->in);
    link_to(f->in, "%s/sub/top", f->in);
}

static void
test_walk_links_out_of_the_trees_are_reported_not_followed(void **state)
{
    struct tu_fixture *f = *state;
    make_links_tree(f);
    static const char *const leaving[] = {
        "abs-dir", "chain.jsonl", "chain2.jsonl", "passwd.txt",
        "prefix",  "rel-dir",     "secret.jsonl", "sub/sneaky"};
    char want[WANT_SIZE] = "";
    for (size_t i = 0; i < sizeof(leaving) / sizeof(leaving[0]); i++)
        want_line(want, out_of_trees, "%s/%s", f->in, leaving[i]);
    want_line(want, loop, "%s/sub/top", f->in);
    want_line(want, loop, "%s/sub/up", f->in);
    char *out = dump_expect(1, want, f->in, (const char *)NULL);
    assert_int_equal(tu_count_lines(out, "\"id\":"), 2);
    assert_int_equal(records_of(out, "good"), 1);
    /* The link inside the tree is followed; the file is then not read
     * a second time by its own name. */
    char path[4400];
    snprintf(path, sizeof(path), "%s/in-chain.jsonl", f->in);
    assert_int_equal(read_through(out, path), 1);
    assert_int_equal(records_of(out, "secret"), 0);
    assert_int_equal(tu_count_lines(out, "root:"), 0);
    free(out);

    /* Named on the command line, a link is followed: the user chose it. */
    snprintf(path, sizeof(path), "%s/secret.jsonl", f->in);
    out = dump_expect(0, "", path, (const char *)NULL);
    assert_int_equal(records_of(out, "secret"), 1);
    free(out);
}

static void
test_walk_follow_links_follows_them_anywhere_once(void **state)
{
    struct tu_fixture *f = *state;
    make_links_tree(f);
    char want[WANT_SIZE] = "";
    want_line(want, loop, "%s/sub/top", f->in);
    want_line(want, loop, "%s/sub/up", f->in);
    char *out =
        dump_expect(1, want, "--follow-links", f->in, (const char *)NULL);
    /* good, inner, outside-dir, secret, in-other and /etc/passwd: each
     * once, through the first link in name order that leads to it. */
    assert_int_equal(tu_count_lines(out, "\"id\":"), 6);
    char path[4400];
    snprintf(path, sizeof(path), "%s/abs-dir/x.jsonl", f->in);
    assert_int_equal(read_through(out, path), 1);
    snprintf(path, sizeof(path), "%s/chain.jsonl", f->in);
    assert_int_equal(read_through(out, path), 1);
    assert_int_equal(records_of(out, "secret"), 1);
    snprintf(path, sizeof(path), "%s/passwd.txt", f->in);
    assert_int_equal(read_through(out, path), 1);
    snprintf(path, sizeof(path), "%s/prefix/y.jsonl", f->in);
    assert_int_equal(read_through(out, path), 1);
    snprintf(path, sizeof(path), "%s/in-chain.jsonl", f->in);
    assert_int_equal(read_through(out, path), 1);
    assert_int_equal(records_of(out, "good"), 1);
    free(out);
}

/* ---- pseudo filesystems and devices ---- */

static bool
is_sysfs(const char *path)
{
    struct statfs sf;
    return statfs(path, &sf) == 0 && (unsigned long)sf.f_type == 0x62656572;
}

static void
test_walk_proc_sys_and_devices_are_never_read(void **state)
{
    struct tu_fixture *f = *state;
    /* Links in name order, and why each is refused with --follow-links. */
    static const struct {
        const char *name, *target, *why;
    } links[] = {
        {"environ.txt", "/proc/self/environ", on_proc},
        {"proc", "/proc", on_proc},
        {"self", "/proc/self", on_proc},
        {"status.txt", "/proc/self/status", on_proc},
        {"sys", "/sys", "on a special filesystem (sysfs), never read"},
        {"zero.txt", "/dev/zero", device},
    };
    bool sys = is_sysfs("/sys");
    if (!sys)
        fprintf(stderr, "no sysfs on /sys: its link is left out\n");
    write_record(f->in, "good.jsonl", "good");
    char want[WANT_SIZE] = "", want_follow[WANT_SIZE] = "";
    for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
        if (!sys && strcmp(links[i].name, "sys") == 0)
            continue;
        link_to(links[i].target, "%s/%s", f->in, links[i].name);
        want_line(want, out_of_trees, "%s/%s", f->in, links[i].name);
        want_line(want_follow, links[i].why, "%s/%s", f->in, links[i].name);
    }

    /* Without --follow-links, they lead out of the tree. */
    char *out = dump_expect(1, want, f->in, (const char *)NULL);
    assert_int_equal(tu_count_lines(out, "\"id\":"), 1);
    free(out);

    /* With it, they are refused for what they are. */
    out = dump_expect(1, want_follow, "--follow-links", f->in,
                      (const char *)NULL);
    assert_int_equal(tu_count_lines(out, "\"id\":"), 1);
    free(out);

    /* Named on the command line, too. */
    want[0] = '\0';
    want_line(want, on_proc, "/proc/self/status");
    want_line(want, on_proc, "/proc/self/mem");
    want_line(want, on_proc, "/proc");
    want_line(want, on_proc, "/proc/self/fd");
    want_line(want, device, "/dev/null");
    out = dump_expect(1, want, "/proc/self/status", "/proc/self/mem", "/proc",
                      "/proc/self/fd", "/dev/null", (const char *)NULL);
    assert_int_equal(out[0], '\0');
    free(out);
}

/* jd_parse_file() checks what it opened, too: a path the walk found may
 * have become a link to /proc since. */
static void
test_walk_parse_file_refuses_proc(void **state)
{
    (void)state;
    struct tu_recs recs = {NULL, 0, 0};
    struct jd_parse_sink sink = {tu_recs_keep, NULL, &recs};
    struct jd_parse_opts po = {.format = JD_FORMAT_AUTO};
    char why[256] = "";
    assert_int_equal(
        jd_parse_file("/proc/self/status", &po, &sink, why, sizeof(why)),
        JD_ERR_INVALID_ARG);
    assert_string_equal(why, on_proc);
    assert_int_equal(recs.n, 0);
    tu_recs_free(&recs);
}

int
main(void)
{
#define T(fn)                                                                  \
    cmocka_unit_test_setup_teardown(fn, tu_fixture_setup, tu_fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_walk_link_ladders_read_each_file_once),
        T(test_walk_library_visits_each_file_once),
        T(test_walk_hard_links_and_paths_named_twice_are_read_once),
        T(test_walk_links_out_of_the_trees_are_reported_not_followed),
        T(test_walk_follow_links_follows_them_anywhere_once),
        T(test_walk_proc_sys_and_devices_are_never_read),
        T(test_walk_parse_file_refuses_proc),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
