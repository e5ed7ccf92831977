/*
 * test_cli_limits.c: limits and bad input, as a user meets them. Each
 * bad input gets one clear line on stderr naming the file and the
 * reason, and the documented exit status; whatever the index held
 * before is still there, record for record.
 *
 * Unreadable files: the tests run as root, for whom chmod 000 changes
 * nothing, so unreadable inputs are made honestly: a FIFO (which would
 * block a reader forever), /proc/self/mem (never read: it is on a pseudo
 * filesystem; test_cli_walk.c has the rest of those), and, where the
 * process may drop privileges, a child running as "nobody" meets a
 * chmod 000 file and directory. A full disk is a small tmpfs mounted in
 * a private mount namespace where the machine allows it, and always a
 * file-size limit (RLIMIT_FSIZE, as `ulimit -f`).
 */
#define _GNU_SOURCE
#include "jobdex.h"

#include "indexer/store/schema.h"
#include "indexer/store/xapian_shim.h"
#include "indexer/util/buf.h"
#include "testutil.h"

#include <errno.h>
#include <ftw.h>
#include <grp.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

enum { N_CORPUS = TU_CORPUS_RECORDS };

/* The corpus records as an index of corpus/ stores them. */
static char *corpus_json[N_CORPUS];

static char *
record_json(jd_db *db, const char *id)
{
    jd_spec *s = NULL;
    if (jd_db_get(db, id, &s) != JD_OK)
        return NULL;
    jd_buf b = {NULL, 0, 0};
    assert_int_equal(jd_spec_to_json(s, &b), JD_OK);
    jd_spec_free(s);
    return b.data;
}

static void
run_ok(const char *const *argv)
{
    struct tu_run r;
    tu_run(argv, NULL, &r);
    if (r.status != 0)
        fprintf(stderr, "%s: status %d: %s", argv[0], r.status, r.err);
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
}

/* An index of corpus/ at DB. */
static void
index_corpus(const char *db)
{
    assert_int_equal(tu_index(db, "corpus", NULL), 0);
}

/* DB opens and still holds the corpus records exactly as stored;
 * returns its record count. */
static size_t
assert_corpus_intact(const char *db)
{
    jd_db *d = tu_open_index(db);
    size_t n = 0;
    assert_int_equal(jd_db_count(d, &n), JD_OK);
    assert_true(n >= N_CORPUS);
    for (size_t i = 0; i < N_CORPUS; i++) {
        char *got = record_json(d, tu_corpus_ids[i]);
        assert_non_null(got);
        assert_string_equal(got, corpus_json[i]);
        free(got);
    }
    jd_db_free(d);
    return n;
}

static int
setup_group(void **state)
{
    (void)state;
    struct tu_fixture tmp;
    tu_fixture_init(&tmp);
    int rc = tu_index(tmp.db, "corpus", NULL) == 0 ? 0 : -1;
    jd_db *d;
    if (rc == 0 && jd_db_new(&d) == JD_OK) {
        if (jd_db_open(d, tmp.db, JD_OPEN_READ) == JD_OK)
            for (size_t i = 0; i < N_CORPUS; i++)
                if (!(corpus_json[i] = record_json(d, tu_corpus_ids[i])))
                    rc = -1;
        jd_db_free(d);
    }
    tu_fixture_fini(&tmp);
    return rc;
}

static int
teardown_group(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_CORPUS; i++)
        free(corpus_json[i]);
    return 0;
}

/* A test's own directory (tu_fixture) with an index of corpus/. */
static int
setup(void **state)
{
    if (tu_fixture_setup(state) != 0)
        return -1;
    struct tu_fixture *f = *state;
    index_corpus(f->db);
    return 0;
}

/* A valid spec, the Riverton accountant, as a base for bad variants. */
static char *
good_spec(size_t *len)
{
    char *s = tu_read("tests/fixtures/specs/riverton/accountant-ii.txt", len);
    assert_non_null(s);
    return s;
}

/* Run jobdex-index -d DB on ARGS..., expecting STATUS and exactly the
 * stderr WANT (with every %s in it replaced by the input folder). */
static void
index_expect(struct tu_fixture *f, int status, const char *want, ...)
{
    const char *argv[32] = {"jobdex-index", "--no-progress", "-d", f->db};
    size_t n = 4;
    va_list ap;
    va_start(ap, want);
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL && n < 31)
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    struct tu_run r;
    tu_run(argv, NULL, &r);
    /* The summary line carries a time ("into 'DB' in 2.0 s, 0
     * rejected"): drop " in 2.0 s". */
    for (char *cut = r.err; (cut = strstr(cut, "' in ")) != NULL; cut++) {
        char *end = cut + 5;
        while ((*end >= '0' && *end <= '9') || *end == '.')
            end++;
        if (end > cut + 5 && strncmp(end, " s, ", 4) == 0) {
            memmove(cut + 1, end + 2, strlen(end + 2) + 1);
            break;
        }
    }
    if (r.status != status || strcmp(r.err, want) != 0)
        fprintf(stderr, "status %d, stderr:\n%s---- wanted %d:\n%s", r.status,
                r.err, status, want);
    assert_int_equal(r.status, status);
    assert_string_equal(r.err, want);
    tu_run_free(&r);
}

/* ---- size limits ---- */

static void
test_limits_spec_of_exactly_the_limit_is_read_one_byte_more_is_not(void **state)
{
    struct tu_fixture *f = *state;
    size_t len;
    char *seed = good_spec(&len);
    size_t max = JD_SPEC_MAX_BYTES;
    char *big = malloc(max + 1);
    memcpy(big, seed, len);
    /* Pad with short lines of words: a real, if long, working conditions
     * section. */
    for (size_t i = len; i < max + 1; i++)
        big[i] = (i - len) % 40 == 39 ? '\n' : "work safely "[(i - len) % 12];
    big[max - 1] = '\n';
    free(tu_write(f->in, "limit.txt", big, max));
    big[max] = '\n';
    free(tu_write(f->in, "over.txt", big, max + 1));
    free(big);
    free(seed);
    char want[32768];
    snprintf(want, sizeof(want),
             "jobdex-index: rejected '%s/over.txt': file is %zu bytes, over "
             "the %zu-byte limit\n"
             "jobdex-index: indexed 1 record from 2 files into '%s', 1 "
             "rejected\n",
             f->in, max + 1, max, f->db);
    index_expect(f, 1, want, f->in, (const char *)NULL);
    assert_int_equal(assert_corpus_intact(f->db), N_CORPUS + 1);
}

static void
test_limits_ten_mb_line_rejects_only_what_holds_it(void **state)
{
    struct tu_fixture *f = *state;
    size_t ten = 10u << 20;
    char *line = malloc(ten + 256);
    /* JSON lines: the long line is rejected by number, its neighbours
     * are indexed. */
    char *p = line;
    p += sprintf(p, "{\"title\": \"Clerk\", \"code\": \"2\", \"summary\": \"");
    memset(p, 'a', ten);
    p += ten;
    p += sprintf(p, "\"}\n");
    const char *a = "{\"title\": \"Clerk\", \"code\": \"1\", \"jurisdiction\": "
                    "\"Town of Ten\"}\n";
    const char *c = "{\"title\": \"Clerk\", \"code\": \"3\", \"jurisdiction\": "
                    "\"Town of Ten\"}\n";
    size_t blen = (size_t)(p - line);
    char *jsonl = malloc(blen + strlen(a) + strlen(c));
    memcpy(jsonl, a, strlen(a));
    memcpy(jsonl + strlen(a), line, blen);
    memcpy(jsonl + strlen(a) + blen, c, strlen(c));
    free(tu_write(f->in, "long.jsonl", jsonl, blen + strlen(a) + strlen(c)));
    free(jsonl);
    /* A spec that is one 10 MB line is over the file limit. */
    memset(line, 'w', ten);
    free(tu_write(f->in, "long.txt", line, ten));
    char want[32768];
    snprintf(want, sizeof(want),
             "jobdex-index: rejected '%s/long.jsonl' line 2: line is over the "
             "%zu-byte JSON-lines limit\n"
             "jobdex-index: rejected '%s/long.txt': file is %zu bytes, over "
             "the %zu-byte limit\n"
             "jobdex-index: indexed 2 records from 2 files into '%s', 2 "
             "rejected\n",
             f->in, JD_JSONL_MAX_LINE, f->in, ten, JD_SPEC_MAX_BYTES, f->db);
    index_expect(f, 1, want, f->in, (const char *)NULL);
    assert_int_equal(assert_corpus_intact(f->db), N_CORPUS + 2);

    /* The same 10 MB line as a résumé, and as a line of a batch. */
    char *resume = tu_write(f->in, "resume.txt", line, ten);
    struct tu_run r;
    const char *q[] = {"jobdex-query", "-d", f->db, "match", resume, NULL};
    tu_run(q, NULL, &r);
    snprintf(want, sizeof(want),
             "jobdex-query: cannot read '%s': over the %zu-byte limit\n",
             resume, JD_SPEC_MAX_BYTES);
    assert_int_equal(r.status, 2); /* bad input, as README's table says */
    assert_string_equal(r.err, want);
    tu_run_free(&r);
    free(resume);

    p = line;
    p += sprintf(p, "{\"id\": \"long\", \"text\": \"");
    memset(p, 'w', ten);
    p += ten;
    p += sprintf(p, "\"}\n{\"id\": \"short\", \"text\": \"web content\"}\n");
    char *batch = tu_write(f->in, "batch.jsonl", line, (size_t)(p - line));
    const char *qb[] = {"jobdex-query", "-d",      f->db, "--format", "json",
                        "match",        "--batch", batch, NULL};
    tu_run(qb, NULL, &r);
    snprintf(want, sizeof(want),
             "jobdex-query: rejected '%s' line 1: line is over the %zu-byte "
             "limit\n",
             batch, JD_JSONL_MAX_LINE);
    assert_int_equal(r.status, 1);
    assert_string_equal(r.err, want);
    assert_int_equal(tu_count_lines(r.out, "\"error\""), 1);
    assert_int_equal(tu_count_lines(r.out, "\"query\":\"short\""), 1);
    tu_run_free(&r);
    free(batch);
    free(line);
}

/* Blank lines in a batch are skipped (a first line that is empty
 * too), a bad line gets an error line of its own, the rest answers. */
static void
test_limits_batch_blank_and_bad_lines(void **state)
{
    struct tu_fixture *f = *state;
    const char *text = "\n\n{\"id\": \"bad\", \"text\": \n   \r\n"
                       "{\"id\": \"ok\", \"text\": \"web content\"}\n\n";
    char *batch = tu_write(f->in, "blank.jsonl", text, strlen(text));
    struct tu_run r;
    const char *q[] = {"jobdex-query", "-d",      f->db, "--format", "json",
                       "match",        "--batch", batch, NULL};
    tu_run(q, NULL, &r);
    assert_int_equal(r.status, 1);
    assert_int_equal(tu_count_lines(r.err, "jobdex-query: rejected '"), 1);
    assert_int_equal(tu_count_lines(r.err, "' line 3: invalid JSON"), 1);
    assert_int_equal(tu_count_lines(r.out, "\"error\""), 1);
    assert_int_equal(tu_count_lines(r.out, "\"query\":\"ok\""), 1);
    tu_run_free(&r);
    free(batch);
}

/* Drop "PROG: " from the start of every line of TEXT, in place. */
static void
drop_prog(char *text, const char *prog)
{
    size_t pl = strlen(prog);
    char *o = text;
    for (const char *l = text; *l;) {
        if (strncmp(l, prog, pl) == 0)
            l += pl;
        while (*l && *l != '\n')
            *o++ = *l++;
        if (*l)
            *o++ = *l++;
    }
    *o = '\0';
}

/* match --batch reads a line by the rules jobdex-index reads one by:
 * a key twice, a NUL byte, invalid UTF-8 or a line that is no object get
 * the indexer's very words, and the other lines are answered. */
static void
test_limits_batch_lines_obey_the_indexers_rules(void **state)
{
    struct tu_fixture *f = *state;
    static const char text[] =
        "{\"id\": \"q1\", \"text\": \"web content\"}\n"
        "{\"id\": \"q2\", \"text\": \"web content\", \"id\": \"q2b\"}\n"
        "{\"id\": \"q3\", \"text\": \"web\", \"text\": \"content\"}\n"
        "{\"id\": \"q4\", \"text\": \"web\0content\"}\n"
        "{\"id\": \"q5\", \"text\": \"caf\xff\"}\n"
        "[\"web content\"]\n"
        "{\"id\": \"q7\", \"text\": \"web content\"}\n";
    char *path = tu_write(f->in, "batch.jsonl", text, sizeof(text) - 1);
    struct tu_run q, d;
    const char *qa[] = {"jobdex-query", "-d",      f->db, "-f", "json",
                        "match",        "--batch", path,  NULL};
    tu_run(qa, NULL, &q);
    const char *da[] = {"jobdex-index", "--dump", path, NULL};
    tu_run(da, NULL, &d);
    char want[4096];
    snprintf(want, sizeof(want),
             "rejected '%s' line 2: invalid JSON at column 40: duplicate "
             "object key near '\"id\"'\n"
             "rejected '%s' line 3: invalid JSON at column 34: duplicate "
             "object key near '\"text\"'\n"
             "rejected '%s' line 4: NUL byte at column 26\n"
             "rejected '%s' line 5: invalid UTF-8 at column 26\n"
             "rejected '%s' line 6: expected a JSON object\n",
             path, path, path, path, path);
    drop_prog(q.err, "jobdex-query: ");
    drop_prog(d.err, "jobdex-index: ");
    assert_string_equal(d.err, want);
    assert_string_equal(q.err, want);
    assert_int_equal(q.status, 1);
    assert_int_equal(tu_count_lines(q.out, "\"error\":"), 5);
    assert_int_equal(tu_count_lines(q.out, "\"query\":\"q1\",\"total\""), 1);
    assert_int_equal(tu_count_lines(q.out, "\"query\":\"q7\",\"total\""), 1);
    tu_run_free(&q);
    tu_run_free(&d);
    free(path);
}

/* A 6 MB line inside a spec (under the limit) is indexed, not choked
 * on. */
static void
test_limits_long_line_under_the_limit_is_indexed(void **state)
{
    struct tu_fixture *f = *state;
    size_t len;
    char *seed = good_spec(&len);
    size_t six = 6u << 20;
    char *text = malloc(len + six + 1);
    memcpy(text, seed, len);
    for (size_t i = 0; i < six; i++)
        text[len + i] = "overtime "[i % 9];
    text[len + six] = '\n';
    free(tu_write(f->in, "wide.txt", text, len + six + 1));
    free(text);
    free(seed);
    char want[32768];
    snprintf(want, sizeof(want),
             "jobdex-index: indexed 1 record from 1 file into '%s', 0 "
             "rejected\n",
             f->db);
    index_expect(f, 0, want, f->in, (const char *)NULL);
    assert_int_equal(assert_corpus_intact(f->db), N_CORPUS + 1);
}

/* ---- records the index cannot take ---- */

/* Ids of JSON lines at and around JD_ID_MAX_BYTES: "t/" and then BODY
 * times COUNT; WANT is the reason when the line is rejected. */
static const struct {
    const char *body;
    size_t count;
    const char *want;
} id_cases[] = {
    {"x", 197, NULL},
    {"x", 198, NULL},
    {"x", 199, "id is 201 bytes, over the 200-byte limit"},
    {"x", 298, "id is 300 bytes, over the 200-byte limit"},
    {"x", 4998, "id is 5000 bytes, over the 200-byte limit"},
    {"\xce\xb1", 99, NULL}, /* Greek alpha: 2 + 198 bytes */
    {"\xce\xb1", 100, "id is 202 bytes, over the 200-byte limit"},
    {"\xe2\x82\xac", 66, NULL}, /* euro sign: 2 + 198 bytes */
    {"\xe2\x82\xac", 67, "id is 203 bytes, over the 200-byte limit"},
    {"a\\u0001b", 1, "id has a control character (0x01) at byte 4"},
    {"a\\nb", 1, "id has a control character (0x0a) at byte 4"},
};
enum { N_ID_CASES = sizeof(id_cases) / sizeof(id_cases[0]) };

static char *
id_of_case(size_t k)
{
    size_t bl = strlen(id_cases[k].body);
    char *id = malloc(2 + bl * id_cases[k].count + 1);
    memcpy(id, "t/", 2);
    for (size_t i = 0; i < id_cases[k].count; i++)
        memcpy(id + 2 + i * bl, id_cases[k].body, bl);
    id[2 + bl * id_cases[k].count] = '\0';
    return id;
}

/* IN/a-ids.jsonl: a good line, then each case followed by a good line
 * ("ok/K"); IN/b-long.txt: a spec whose title makes an id over the
 * limit. The stderr a run gives (after "jobdex-index: ") into WANT. */
static void
write_id_inputs(const char *in, char *want, size_t size)
{
    jd_buf b = {NULL, 0, 0};
    buf_puts(&b, "{\"id\": \"ok/first\", \"title\": \"First\"}\n");
    size_t o = 0;
    for (size_t k = 0; k < N_ID_CASES; k++) {
        char *id = id_of_case(k);
        char line[16000];
        snprintf(line, sizeof(line),
                 "{\"id\": \"%s\", \"title\": \"Clerk\"}\n"
                 "{\"id\": \"ok/%zu\", \"title\": \"Typist\"}\n",
                 id, k);
        buf_puts(&b, line);
        free(id);
        if (id_cases[k].want)
            o += (size_t)snprintf(want + o, size - o,
                                  "jobdex-index: rejected '%s/a-ids.jsonl' "
                                  "line %zu: %s\n",
                                  in, 2 + 2 * k, id_cases[k].want);
    }
    free(tu_write(in, "a-ids.jsonl", b.data, b.len));
    jd_buf_free(&b);
    buf_puts(&b, "# ");
    for (int i = 0; i < 20; i++)
        buf_puts(&b, "Senior Environmental Compliance Coordinator ");
    buf_puts(&b, "\n\nCity of Riverton\n\n## Essential functions\n\n"
                 "1. Coordinates compliance programs.\n");
    free(tu_write(in, "b-long.txt", b.data, b.len));
    jd_buf_free(&b);
}

/* The id --dump gives the record read from a file named NAME. */
static char *
dumped_id(const char *out, const char *name)
{
    for (const char *l = out; *l;) {
        const char *end = strchr(l, '\n');
        size_t len = end ? (size_t)(end - l) : strlen(l);
        char *line = strndup(l, len);
        if (strstr(line, name)) {
            jd_spec *s;
            assert_int_equal(jd_spec_from_json(line, len, "x", &s, NULL, 0),
                             JD_OK);
            char *id = strdup(s->id);
            jd_spec_free(s);
            free(line);
            return id;
        }
        free(line);
        l += len + (end != NULL);
    }
    fail_msg("no record from '%s'", name);
    return NULL;
}

static void
assert_shown(const char *db, const char *id)
{
    const char *argv[] = {"jobdex-query", "-d",   db, "-f",
                          "json",         "show", id, NULL};
    struct tu_run r;
    tu_run(argv, NULL, &r);
    if (r.status != 0)
        fprintf(stderr, "show '%s': %s", id, r.err);
    assert_int_equal(r.status, 0);
    char want[300];
    snprintf(want, sizeof(want), "{\"id\":\"%s\"", id);
    assert_non_null(strstr(r.out, want));
    tu_run_free(&r);
}

/* A record the index cannot take costs its own line, with the reason and
 * the limit, not the rest of its file: with one process and -j 2, and
 * --dump rejects the same lines and prints the records that index. A
 * text spec whose title would make too long an id gets one that fits. */
static void
test_limits_ids_over_the_limit_cost_their_line_not_the_file(void **state)
{
    struct tu_fixture *f = *state;
    char want[32768], rejects[16384] = "";
    write_id_inputs(f->in, rejects, sizeof(rejects));
    size_t good = 1, bad = 0;
    for (size_t k = 0; k < N_ID_CASES; k++) {
        good += 1 + (id_cases[k].want == NULL);
        bad += id_cases[k].want != NULL;
    }
    good++; /* b-long.txt */

    /* --dump: the same rejections, and what it prints is what indexes. */
    const char *dump[] = {"jobdex-index", "--dump", f->in, NULL};
    struct tu_run d;
    tu_run(dump, NULL, &d);
    assert_int_equal(d.status, 1);
    assert_string_equal(d.err, rejects);
    assert_int_equal(tu_count_lines(d.out, "{\"id\":"), good);
    char *long_id = dumped_id(d.out, "b-long.txt");
    assert_true(strlen(long_id) <= JD_ID_MAX_BYTES);
    assert_non_null(strstr(long_id, "riverton/senior-environmental-"));

    char dbs[2][sizeof(f->db)];
    memcpy(dbs[0], f->db, sizeof(f->db));
    snprintf(dbs[1], sizeof(dbs[1]), "%s/j2.db", f->dir);
    for (int j = 0; j < 2; j++) {
        memcpy(f->db, dbs[j], sizeof(f->db));
        snprintf(want, sizeof(want),
                 "%sjobdex-index: indexed %zu records from 2 files into '%s', "
                 "%zu rejected\n",
                 rejects, good, f->db, bad);
        if (j == 0)
            index_expect(f, 1, want, f->in, (const char *)NULL);
        else
            index_expect(f, 1, want, "-j", "2", f->in, (const char *)NULL);
        assert_shown(f->db, "ok/first");
        for (size_t k = 0; k < N_ID_CASES; k++) {
            char ok[32];
            snprintf(ok, sizeof(ok), "ok/%zu", k);
            assert_shown(f->db, ok);
            if (!id_cases[k].want) {
                char *id = id_of_case(k);
                assert_shown(f->db, id);
                free(id);
            }
        }
        assert_shown(f->db, long_id);
    }
    memcpy(f->db, dbs[0], sizeof(f->db));
    assert_int_equal(assert_corpus_intact(f->db), N_CORPUS + good);
    free(long_id);
    tu_run_free(&d);
}

/* ---- NUL bytes and UTF-8 ---- */

static void
test_limits_nul_bytes_are_reported_with_their_offset(void **state)
{
    struct tu_fixture *f = *state;
    size_t len;
    char *seed = good_spec(&len);
    seed[100] = '\0';
    free(tu_write(f->in, "nul.txt", seed, len));
    const char *jsonl = "{\"title\": \"Clerk\", \"code\": \"1\"}\n"
                        "{\"title\": \"Cl\0rk\", \"code\": \"2\"}\n";
    free(tu_write(f->in, "nul.jsonl", jsonl, 64));
    char want[32768];
    snprintf(want, sizeof(want),
             "jobdex-index: rejected '%s/nul.jsonl' line 2: NUL byte at "
             "column 14\n"
             "jobdex-index: rejected '%s/nul.txt': binary file (NUL byte at "
             "offset 100)\n"
             "jobdex-index: indexed 1 record from 2 files into '%s', 2 "
             "rejected\n",
             f->in, f->in, f->db);
    index_expect(f, 1, want, f->in, (const char *)NULL);
    assert_int_equal(assert_corpus_intact(f->db), N_CORPUS + 1);

    /* A résumé with a NUL byte is refused too, not cut short. */
    char *resume = tu_write(f->in, "resume.bin", "web content\0manager\n", 20);
    struct tu_run r;
    const char *q[] = {"jobdex-query", "-d", f->db, "match", resume, NULL};
    tu_run(q, NULL, &r);
    snprintf(want, sizeof(want),
             "jobdex-query: cannot match '%s': binary file (NUL byte at "
             "offset 11)\n",
             resume);
    assert_int_equal(r.status, 2);
    assert_string_equal(r.err, want);
    assert_int_equal(r.out_len, 0);
    tu_run_free(&r);
    free(resume);
    free(seed);
}

static void
test_limits_invalid_and_overlong_utf8_are_reported_with_their_offset(
    void **state)
{
    struct tu_fixture *f = *state;
    static const struct {
        const char *name, *bytes;
    } bad[] = {
        {"a-overlong-2.txt", "\xc0\xaf"},         /* '/' in two bytes */
        {"b-overlong-3.txt", "\xe0\x80\xaf"},     /* '/' in three bytes */
        {"c-overlong-4.txt", "\xf0\x80\x80\xaf"}, /* '/' in four bytes */
        {"d-surrogate.txt", "\xed\xa0\x80"},      /* U+D800 */
        {"e-too-high.txt", "\xf4\x90\x80\x80"},   /* U+110000 */
        {"f-five-bytes.txt", "\xf8\x88\x80\x80\x80"},
        {"g-lone-continuation.txt", "\x80"},
        {"h-latin1.txt", "Caf\xe9"},
        {"i-truncated.txt", "\xe2\x82"},
        {"j-fe.txt", "\xfe"},
    };
    size_t len;
    char *seed = good_spec(&len);
    /* The bad bytes go on line 2, at byte 17 of the file. */
    const char *nl = strchr(seed, '\n');
    size_t head = (size_t)(nl - seed) + 1; /* "CITY OF RIVERTON\n" */
    assert_int_equal(head, 17);
    char want[32768] = "";
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        size_t bl = strlen(bad[i].bytes);
        char *text = malloc(len + bl);
        memcpy(text, seed, head);
        memcpy(text + head, bad[i].bytes, bl);
        memcpy(text + head + bl, seed + head, len - head);
        free(tu_write(f->in, bad[i].name, text, len + bl));
        free(text);
        /* Latin-1 "Café": the bad byte is the fourth. */
        size_t at = head + (bad[i].bytes[0] == 'C' ? 3 : 0);
        size_t wl = strlen(want);
        snprintf(want + wl, sizeof(want) - wl,
                 "jobdex-index: rejected '%s/%s': invalid UTF-8 at line 2 "
                 "(byte offset %zu)\n",
                 f->in, bad[i].name, at);
    }
    /* JSON lines: each bad line is rejected by number. */
    const char *jsonl = "{\"title\": \"Clerk\", \"code\": \"1\"}\n"
                        "{\"title\": \"Cl\xc0\xafrk\", \"code\": \"2\"}\n"
                        "{\"title\": \"Clerk\", \"code\": \"3\", \"summary\": "
                        "\"\\ud800\"}\n";
    free(tu_write(f->in, "k-bad.jsonl", jsonl, strlen(jsonl)));
    size_t wl = strlen(want);
    snprintf(want + wl, sizeof(want) - wl,
             "jobdex-index: rejected '%s/k-bad.jsonl' line 2: invalid UTF-8 "
             "at column 14\n"
             "jobdex-index: rejected '%s/k-bad.jsonl' line 3: invalid JSON at "
             "column 51: invalid Unicode '\\uD800' near '\"\\ud800\"'\n"
             "jobdex-index: indexed 1 record from 11 files into '%s', 12 "
             "rejected\n",
             f->in, f->in, f->db);
    index_expect(f, 1, want, f->in, (const char *)NULL);
    assert_int_equal(assert_corpus_intact(f->db), N_CORPUS + 1);
    free(seed);

    /* Queries: a search, a keyword list and a résumé. */
    struct tu_run r;
    const char *s[] = {"jobdex-query", "-d",           f->db,
                       "search",       "web \xc0\xaf", NULL};
    tu_run(s, NULL, &r);
    assert_int_equal(r.status, 2);
    assert_string_equal(r.err, "jobdex-query: invalid query 'web \xc0\xaf': "
                               "query is not valid UTF-8\n");
    tu_run_free(&r);
    const char *k[] = {"jobdex-query",      "-d", f->db, "match", "--keywords",
                       "web, \xed\xa0\x80", NULL};
    tu_run(k, NULL, &r);
    assert_int_equal(r.status, 2);
    assert_string_equal(r.err, "jobdex-query: cannot match 'web, \xed\xa0\x80'"
                               ": text is not valid UTF-8\n");
    tu_run_free(&r);
    char *resume = tu_write(f->in, "resume.txt", "web \xf4\x90\x80\x80\n", 9);
    const char *m[] = {"jobdex-query", "-d", f->db, "match", resume, NULL};
    tu_run(m, NULL, &r);
    char w[4400];
    snprintf(w, sizeof(w),
             "jobdex-query: cannot match '%s': text is not valid UTF-8\n",
             resume);
    assert_int_equal(r.status, 2);
    assert_string_equal(r.err, w);
    tu_run_free(&r);
    free(resume);
}

/* ---- files that cannot be read ---- */

static void
test_limits_symlink_loops_are_reported_not_followed(void **state)
{
    struct tu_fixture *f = *state;
    size_t len;
    char *seed = good_spec(&len);
    free(tu_write(f->in, "sub/good.txt", seed, len));
    free(seed);
    char p[4400], q[4400];
    snprintf(p, sizeof(p), "%s/sub/up", f->in);
    assert_int_equal(symlink("..", p), 0); /* a directory loop */
    snprintf(p, sizeof(p), "%s/a.txt", f->in);
    snprintf(q, sizeof(q), "%s/b.txt", f->in);
    assert_int_equal(symlink("b.txt", p), 0); /* a file loop */
    assert_int_equal(symlink("a.txt", q), 0);
    snprintf(p, sizeof(p), "%s/gone.txt", f->in);
    assert_int_equal(symlink("nowhere.txt", p), 0); /* dangling */
    char want[32768];
    snprintf(want, sizeof(want),
             "jobdex-index: cannot read '%s/a.txt': symbolic link loop\n"
             "jobdex-index: cannot read '%s/b.txt': symbolic link loop\n"
             "jobdex-index: cannot read '%s/gone.txt': No such file or "
             "directory\n"
             "jobdex-index: cannot read '%s/sub/up': symbolic link loop "
             "(directory already being read)\n"
             "jobdex-index: indexed 1 record from 1 file into '%s', 4 "
             "rejected\n",
             f->in, f->in, f->in, f->in, f->db);
    index_expect(f, 1, want, f->in, (const char *)NULL);
    assert_int_equal(assert_corpus_intact(f->db), N_CORPUS + 1);
}

static void
test_limits_fifo_and_proc_file_are_reported_never_read(void **state)
{
    struct tu_fixture *f = *state;
    size_t len;
    char *seed = good_spec(&len);
    free(tu_write(f->in, "good.txt", seed, len));
    free(seed);
    char fifo[4400], fifo2[4400];
    snprintf(fifo, sizeof(fifo), "%s/pipe.txt", f->in);
    assert_int_equal(mkfifo(fifo, 0666), 0);
    snprintf(fifo2, sizeof(fifo2), "%s/other-pipe.txt", f->dir);
    assert_int_equal(mkfifo(fifo2, 0666), 0);
    /* /proc/self/mem (whose read would fail with EIO) is refused unread,
     * in the walk, before the FIFO named is. */
    char want[32768];
    snprintf(want, sizeof(want),
             "jobdex-index: cannot read '%s/pipe.txt': not a regular file (a "
             "FIFO)\n"
             "jobdex-index: cannot read '/proc/self/mem': on a special "
             "filesystem (proc), never read\n"
             "jobdex-index: rejected '%s': not a regular file\n"
             "jobdex-index: indexed 1 record from 2 files into '%s', 3 "
             "rejected\n",
             f->in, fifo2, f->db);
    index_expect(f, 1, want, f->in, fifo2, "/proc/self/mem",
                 (const char *)NULL);
    assert_int_equal(assert_corpus_intact(f->db), N_CORPUS + 1);
}

static void
test_limits_permission_denied_is_reported(void **state)
{
    struct tu_fixture *f = *state;
    size_t len;
    char *seed = good_spec(&len);
    char *good = tu_write(f->in, "good.txt", seed, len);
    char *secret = tu_write(f->in, "secret.txt", seed, len);
    char *hidden = tu_write(f->in, "locked/inner.txt", seed, len);
    free(seed);
    char locked[4400];
    snprintf(locked, sizeof(locked), "%s/locked", f->in);
    assert_int_equal(chmod(secret, 0), 0);
    assert_int_equal(chmod(locked, 0), 0);
    assert_int_equal(chmod(f->dir, 0755), 0);
    assert_int_equal(chmod(f->in, 0755), 0);
    assert_int_equal(chmod(good, 0644), 0);
    /* --dump: nobody cannot write the index; reading is the point. */
    const char *argv[] = {"jobdex-index", "--dump", f->in, NULL};
    struct tu_run r;
    char errfile[4400];
    snprintf(errfile, sizeof(errfile), "%s/nobody.err", f->dir);
    bool dropped = tu_run_as_nobody(argv, &r, errfile);
    char want[32768];
    snprintf(want, sizeof(want),
             "jobdex-index: cannot read '%s': Permission denied\n"
             "jobdex-index: rejected '%s': Permission denied\n",
             locked, secret);
    if (dropped && (r.status != 1 || strcmp(r.err, want) != 0))
        fprintf(stderr, "as nobody: status %d:\n%s", r.status, r.err);
    bool ok = !dropped || (r.status == 1 && strcmp(r.err, want) == 0);
    tu_run_free(&r);
    chmod(locked, 0755);
    free(good);
    free(secret);
    free(hidden);
    if (!dropped) {
        fprintf(stderr, "cannot become nobody here: skipped\n");
        skip();
    }
    assert_true(ok);
    assert_int_equal(assert_corpus_intact(f->db), N_CORPUS);
}

/* ---- indexes that cannot be used ---- */

static void
test_limits_missing_index_is_reported_with_status_3(void **state)
{
    struct tu_fixture *f = *state;
    char missing[4400], noparent[4400], file[4400], want[9000];
    snprintf(missing, sizeof(missing), "%s/missing.db", f->dir);
    snprintf(noparent, sizeof(noparent), "%s/no/such/dir.db", f->dir);
    snprintf(file, sizeof(file), "%s/plain-file", f->dir);
    free(tu_write(f->dir, "plain-file", "x", 1));
    struct tu_run r;

    const char *q[] = {"jobdex-query", "-d", missing, "stats", NULL};
    tu_run(q, NULL, &r);
    snprintf(want, sizeof(want),
             "jobdex-query: cannot open index '%s': no such index\n", missing);
    assert_int_equal(r.status, 3);
    assert_string_equal(r.err, want);
    tu_run_free(&r);

    const char *qf[] = {"jobdex-query", "-d", file, "search", "web", NULL};
    tu_run(qf, NULL, &r);
    snprintf(want, sizeof(want),
             "jobdex-query: cannot open index '%s': not an index directory\n",
             file);
    assert_int_equal(r.status, 3);
    assert_string_equal(r.err, want);
    tu_run_free(&r);

    const char *i[] = {"jobdex-index", "-d", noparent, "corpus", NULL};
    tu_run(i, NULL, &r);
    snprintf(want, sizeof(want),
             "jobdex-index: cannot open index '%s': cannot create directory "
             "'%s': No such file or directory\n",
             noparent, noparent);
    assert_int_equal(r.status, 3);
    assert_string_equal(r.err, want);
    tu_run_free(&r);

    const char *ifile[] = {"jobdex-index", "-d", file, "corpus", NULL};
    tu_run(ifile, NULL, &r);
    snprintf(want, sizeof(want),
             "jobdex-index: cannot open index '%s': not an index directory\n",
             file);
    assert_int_equal(r.status, 3);
    assert_string_equal(r.err, want);
    tu_run_free(&r);
    assert_int_equal(assert_corpus_intact(f->db), N_CORPUS);
}

static void
test_limits_older_format_is_refused_and_left_alone(void **state)
{
    struct tu_fixture *f = *state;
    char classes[4400], why[512], old[16];
    snprintf(classes, sizeof(classes), "%s/" CLASSES_DIR, f->db);
    snprintf(old, sizeof(old), "%d", JD_INDEX_FORMAT_VERSION - 1);
    struct xs_db *x;
    assert_int_equal(xs_open(classes, XS_WRITE, &x, why, sizeof(why)), JD_OK);
    assert_int_equal(xs_set_metadata(x, META_FORMAT, old, why, sizeof(why)),
                     JD_OK);
    assert_int_equal(xs_commit(x, why, sizeof(why)), JD_OK);
    xs_close(x);

    char want[32768];
    struct tu_run r;
    const char *q[] = {"jobdex-query", "-d", f->db, "search", "web", NULL};
    tu_run(q, NULL, &r);
    snprintf(want, sizeof(want),
             "jobdex-query: cannot open index '%s': index format %s, this "
             "jobdex reads format %d; re-index with this version\n",
             f->db, old, JD_INDEX_FORMAT_VERSION);
    assert_int_equal(r.status, 3);
    assert_string_equal(r.err, want);
    tu_run_free(&r);

    const char *i[] = {"jobdex-index", "-d", f->db, "tests/fixtures/specs",
                       NULL};
    tu_run(i, NULL, &r);
    snprintf(want, sizeof(want),
             "jobdex-index: cannot open index '%s': index format %s, this "
             "jobdex reads format %d; re-index with this version\n",
             f->db, old, JD_INDEX_FORMAT_VERSION);
    assert_int_equal(r.status, 3);
    assert_string_equal(r.err, want);
    tu_run_free(&r);

    /* Left as it was: the old format mark and the five records. */
    jd_buf v = {NULL, 0, 0};
    size_t n = 0;
    assert_int_equal(xs_open(classes, XS_READ, &x, why, sizeof(why)), JD_OK);
    assert_int_equal(xs_get_metadata(x, META_FORMAT, &v, why, sizeof(why)),
                     JD_OK);
    assert_string_equal(v.data, old);
    assert_int_equal(xs_doccount(x, &n, why, sizeof(why)), JD_OK);
    assert_int_equal(n, N_CORPUS);
    xs_close(x);
    jd_buf_free(&v);
}

/* ---- a full disk ---- */

enum { N_GEN = 400 }; /* generated specs indexed onto the full disk */

/* Bytes of the files under PATH: the largest one, or all of them as
 * allocated on disk. */
static unsigned long long du_total, du_largest;

static int
du_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)path;
    (void)ftw;
    if (flag == FTW_F) {
        du_total += (unsigned long long)sb->st_blocks * 512;
        if ((unsigned long long)sb->st_size > du_largest)
            du_largest = (unsigned long long)sb->st_size;
    }
    return 0;
}

static void
du(const char *path, unsigned long long *total, unsigned long long *largest)
{
    du_total = du_largest = 0;
    assert_int_equal(nftw(path, du_one, 16, FTW_PHYS), 0);
    *total = du_total;
    *largest = du_largest;
}

/* How a device fills up: LIMIT(true, CTX, BYTES) leaves BYTES of room
 * (as a file size or as space on the device), LIMIT(false, ...) lifts
 * it. */
typedef void limit_fn(bool on, void *ctx, unsigned long long bytes);

/*
 * Index corpus/ into DB, then 400 generated specs with room for about
 * half of what they need, as measured on a scratch index: exit 3 and one
 * line naming the input file being indexed (or the index, when the last
 * commit failed) and WHY. Then the corpus is intact and the batches that
 * were committed are whole; with the room back, the same command
 * completes.
 */
static void
fill_up(struct tu_fixture *f, const char *db, const char *why, limit_fn *limit,
        void *ctx, bool largest_file)
{
    char gen[4400], scratch[4400];
    snprintf(gen, sizeof(gen), "%s/gen", f->dir);
    snprintf(scratch, sizeof(scratch), "%s/measure.db", f->dir);
    tu_gen_specs(gen, 0, N_GEN, 5);
    unsigned long long base_total, base_largest, full_total, full_largest;
    index_corpus(scratch);
    du(scratch, &base_total, &base_largest);
    const char *measure[] = {"jobdex-index", "-q",    "--batch-mb", "1",
                             "-d",           scratch, gen,          NULL};
    run_ok(measure);
    du(scratch, &full_total, &full_largest);
    unsigned long long room =
        largest_file ? base_largest + (full_largest - base_largest) / 2
                     : (full_total - base_total) / 2;

    index_corpus(db);
    const char *argv[] = {"jobdex-index",
                          "-q",
                          "--no-progress",
                          "--batch-mb",
                          "1",
                          "-d",
                          db,
                          gen,
                          NULL};
    struct tu_run r;
    limit(true, ctx, room);
    tu_run(argv, NULL, &r);
    limit(false, ctx, 0);
    if (r.status != 3 || tu_count_lines(r.err, why) != 1)
        fprintf(stderr, "status %d:\n%s", r.status, r.err);
    assert_int_equal(r.status, 3);
    assert_int_equal(tu_count_lines(r.err, "jobdex-index: "), 1);
    assert_int_equal(tu_count_lines(r.err, why), 1);
    char index_file[4500], commit[4500];
    snprintf(index_file, sizeof(index_file), "jobdex-index: cannot index '%s/",
             gen);
    snprintf(commit, sizeof(commit),
             "jobdex-index: cannot commit to '%s': ", db);
    assert_true(strncmp(r.err, index_file, strlen(index_file)) == 0 ||
                strncmp(r.err, commit, strlen(commit)) == 0);
    tu_run_free(&r);
    size_t n = assert_corpus_intact(db);
    fprintf(stderr, "full disk (%s): %zu of %d records were committed\n", why,
            n - N_CORPUS, N_GEN);
    /* Those committed are whole: as the scratch index holds them. */
    jd_db *got, *want;
    size_t seen = 0;
    assert_int_equal(jd_db_new(&got), JD_OK);
    assert_int_equal(jd_db_new(&want), JD_OK);
    assert_int_equal(jd_db_open(got, db, JD_OPEN_READ), JD_OK);
    assert_int_equal(jd_db_open(want, scratch, JD_OPEN_READ), JD_OK);
    for (unsigned i = 0; i < N_GEN; i++) {
        char id[64];
        tu_gen_id(i, id, sizeof(id));
        char *a = record_json(got, id), *b = record_json(want, id);
        assert_non_null(b);
        if (a) {
            assert_string_equal(a, b);
            seen++;
        }
        free(a);
        free(b);
    }
    assert_int_equal(seen, n - N_CORPUS);
    jd_db_free(got);
    jd_db_free(want);

    tu_run(argv, NULL, &r);
    if (r.status != 0)
        fprintf(stderr, "after making room: %s", r.err);
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    assert_int_equal(assert_corpus_intact(db), N_CORPUS + N_GEN);
}

static void
fsize_limit(bool on, void *ctx, unsigned long long bytes)
{
    (void)ctx;
    static struct rlimit saved;
    if (on) {
        getrlimit(RLIMIT_FSIZE, &saved);
        struct rlimit lim = saved;
        lim.rlim_cur = (rlim_t)bytes;
        signal(SIGXFSZ, SIG_IGN); /* write() fails with EFBIG instead */
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    } else {
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
        signal(SIGXFSZ, SIG_DFL);
    }
}

static void
test_limits_file_size_limit_loses_nothing_committed(void **state)
{
    struct tu_fixture *f = *state;
    char db[4400];
    snprintf(db, sizeof(db), "%s/fsize.db", f->dir);
    fill_up(f, db, "File too large", fsize_limit, NULL, true);
}

static void
tmpfs_size(bool on, void *ctx, unsigned long long bytes)
{
    const char *mnt = ctx;
    char opts[64] = "size=256m";
    if (on) {
        struct statvfs sv;
        assert_int_equal(statvfs(mnt, &sv), 0);
        unsigned long long used =
            (unsigned long long)(sv.f_blocks - sv.f_bfree) * sv.f_frsize;
        snprintf(opts, sizeof(opts), "size=%lluk", (used + bytes) / 1024);
    }
    assert_int_equal(mount("jobdex-test", mnt, "tmpfs", MS_REMOUNT, opts), 0);
}

static void
test_limits_full_disk_loses_nothing_committed(void **state)
{
    struct tu_fixture *f = *state;
    char mnt[4400], db[4500];
    snprintf(mnt, sizeof(mnt), "%s/disk", f->dir);
    mkdir(mnt, 0777);
    /* A private mount namespace: the tmpfs is seen by this process and
     * its children only, and goes when they do. */
    if (unshare(CLONE_NEWNS) != 0 ||
        mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
        mount("jobdex-test", mnt, "tmpfs", 0, "size=256m") != 0) {
        fprintf(stderr,
                "no tmpfs here (%s): the file-size limit test "
                "stands in\n",
                strerror(errno));
        skip();
    }
    snprintf(db, sizeof(db), "%s/full.db", mnt);
    fill_up(f, db, "No space left on device", tmpfs_size, mnt, false);
    umount2(mnt, MNT_DETACH);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, tu_fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_limits_spec_of_exactly_the_limit_is_read_one_byte_more_is_not),
        T(test_limits_ten_mb_line_rejects_only_what_holds_it),
        T(test_limits_batch_blank_and_bad_lines),
        T(test_limits_batch_lines_obey_the_indexers_rules),
        T(test_limits_long_line_under_the_limit_is_indexed),
        T(test_limits_ids_over_the_limit_cost_their_line_not_the_file),
        T(test_limits_nul_bytes_are_reported_with_their_offset),
        T(test_limits_invalid_and_overlong_utf8_are_reported_with_their_offset),
        T(test_limits_symlink_loops_are_reported_not_followed),
        T(test_limits_fifo_and_proc_file_are_reported_never_read),
        T(test_limits_permission_denied_is_reported),
        T(test_limits_missing_index_is_reported_with_status_3),
        T(test_limits_older_format_is_refused_and_left_alone),
        T(test_limits_file_size_limit_loses_nothing_committed),
        T(test_limits_full_disk_loses_nothing_committed),
    };
#undef T
    return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
