/*
 * test_cli_scaling.c: how the work of each stage grows with its input.
 *
 * A stage (parsing and --dump, indexing, show, search, match and match
 * --explain, similar, overlap) runs under valgrind's callgrind on one
 * shape of input at sizes n, 2n and 4n, and the instructions it executes,
 * C(n), C(2n) and C(4n), are compared. The differences D1 = C(2n) - C(n)
 * and D2 = C(4n) - C(2n) cancel the work that does not grow (start-up,
 * opening the index), so D2 / D1 is 2 for linear work, about 2.2 for
 * n log n and 4 for quadratic work. The tests want it under GROWTH_MAX
 * (2.5), which a quadratic term fails as soon as it costs a ninth of the
 * linear work at n.
 *
 * Instructions, not time: the count is the same on a loaded machine, and
 * it counts every instruction of the process, whichever library or loop
 * it is in, so an accidental quadratic loop anywhere in a stage shows.
 * valgrind cannot run the sanitizer build (the Makefile sets JOBDEX_SAN=1
 * for it) and may be missing; the tests then skip, saying why.
 */
#include "jobdex.h"

#include "indexer/util/buf.h"
#include "testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define GROWTH_MAX 2.5

/* Skip (with the reason on stderr) when instructions cannot be
 * counted. */
#define NEED_VALGRIND()                                                        \
    do {                                                                       \
        const char *why = tu_instructions_unavailable();                       \
        if (why) {                                                             \
            fprintf(stderr, "skipped: %s\n", why);                             \
            skip();                                                            \
        }                                                                      \
    } while (0)

/* The work of WHAT at sizes N[0..3) (n, 2n, 4n) is C[0..3): it grows no
 * faster than n log n (see the top of the file). */
static void
assert_linear(const char *what, const size_t n[3],
              const unsigned long long c[3])
{
    double d1 = (double)c[1] - (double)c[0];
    double d2 = (double)c[2] - (double)c[1];
    double growth = d1 > 0 ? d2 / d1 : 99;
    fprintf(stderr,
            "  %-34s n = %zu, %zu, %zu: %llu, %llu, %llu instructions; "
            "growth %.2f\n",
            what, n[0], n[1], n[2], c[0], c[1], c[2], growth);
    if (growth >= GROWTH_MAX)
        fail_msg("%s grows %.2f times from 2n to 4n as from n to 2n "
                 "(linear: 2, quadratic: 4)",
                 what, growth);
}

/* ---- inputs ---- */

enum shape {
    BULLETS,   /* n unnumbered duties, "- Enters record batch I ..." */
    QUALS,     /* n qualifications, one a line, sorted by their words */
    PARAGRAPH, /* one duty wrapped over n lines */
    CLAUSES,   /* one line of n clauses parted by semicolons */
    HEADINGS,  /* n sections of their own, one item each */
};

static const char spec_header[] =
    "CITY OF T\n\nDATA CLERK\n\nCLASS CODE: 7\n\n";

/* A class spec of SHAPE and size N as DIR/NAME; the path, malloc'd. */
static char *
write_spec(const char *dir, const char *name, enum shape shape, size_t n)
{
    jd_buf b = {NULL, 0, 0};
    char line[256];
    assert_int_equal(buf_puts(&b, spec_header), JD_OK);
    switch (shape) {
    case BULLETS:
        buf_puts(&b, "ESSENTIAL FUNCTIONS\n\n");
        for (size_t i = 1; i <= n; i++) {
            snprintf(line, sizeof(line),
                     "- Enters record batch %zu and files it.\n", i);
            buf_puts(&b, line);
        }
        break;
    case QUALS:
        buf_puts(&b, "DEFINITION\n\nDoes data work.\n\n"
                     "MINIMUM QUALIFICATIONS\n\n");
        for (size_t i = 1; i <= n; i++) {
            snprintf(line, sizeof(line), "Knowledge of record batch %zu.\n", i);
            buf_puts(&b, line);
        }
        break;
    case PARAGRAPH:
        buf_puts(&b, "ESSENTIAL FUNCTIONS\n\n");
        for (size_t i = 1; i <= n; i++) {
            snprintf(line, sizeof(line),
                     "enters record batch %zu and files it and\n", i);
            buf_puts(&b, line);
        }
        buf_puts(&b, "ends the day.\n");
        break;
    case CLAUSES:
        buf_puts(&b, "ESSENTIAL FUNCTIONS\n\nPerforms: ");
        for (size_t i = 1; i <= n; i++) {
            snprintf(line, sizeof(line), "enters record batch %zu; ", i);
            buf_puts(&b, line);
        }
        buf_puts(&b, "and ends.\n");
        break;
    case HEADINGS:
        buf_puts(&b, "ESSENTIAL FUNCTIONS\n\n- Enters records.\n");
        for (size_t i = 1; i <= n; i++) {
            snprintf(line, sizeof(line),
                     "\nZONE %zu ASSIGNMENT\n\nEnters record batch %zu.\n", i,
                     i);
            buf_puts(&b, line);
        }
        break;
    }
    char *path = tu_write(dir, name, b.data, b.len);
    jd_buf_free(&b);
    return path;
}

/* Words of the classes and résumés the queries run on: few, so that
 * every line shares words with every item and comparing all pairs would
 * show. */
static const char *const words[] = {"enters",  "records", "files",
                                    "reports", "reviews", "budgets"};

/* Line I: four of the words, picked by I, and a word of its own. */
static void
word_line(size_t i, char *out, size_t size)
{
    uint64_t x = i * 0x9e3779b97f4a7c15ull + 1;
    size_t o = 0;
    for (int k = 0; k < 4; k++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        o += (size_t)snprintf(out + o, size - o, "%s ", words[x % 6]);
    }
    snprintf(out + o, size - o, "batch%zu", i);
}

/* A class of N duties of WORDS in the City of CITY with class code CODE
 * (its id: "t/7" for T and 7), the words picked by SALT too; the path,
 * malloc'd. */
static char *
write_word_class(const char *dir, const char *name, const char *city,
                 const char *code, size_t n, size_t salt)
{
    jd_buf b = {NULL, 0, 0};
    char line[256];
    snprintf(line, sizeof(line),
             "CITY OF %s\n\nDATA CLERK\n\nCLASS CODE: %s\n\n"
             "ESSENTIAL FUNCTIONS\n\n",
             city, code);
    buf_puts(&b, line);
    for (size_t i = 1; i <= n; i++) {
        char w[200];
        word_line(i * 7 + salt, w, sizeof(w));
        w[0] = (char)(w[0] - 'a' + 'A');
        snprintf(line, sizeof(line), "- %s.\n", w);
        buf_puts(&b, line);
    }
    char *path = tu_write(dir, name, b.data, b.len);
    jd_buf_free(&b);
    return path;
}

/* A résumé of N lines of WORDS. */
static char *
write_resume(const char *dir, const char *name, size_t n)
{
    jd_buf b = {NULL, 0, 0};
    for (size_t i = 1; i <= n; i++) {
        char w[200];
        word_line(i * 11 + 3, w, sizeof(w));
        buf_puts(&b, w);
        buf_puts(&b, ".\n");
    }
    char *path = tu_write(dir, name, b.data, b.len);
    jd_buf_free(&b);
    return path;
}

static void
index_quietly(const char *db, const char *const *inputs)
{
    const char *argv[16] = {"jobdex-index",  "-q", "--no-model",
                            "--no-progress", "-d", db};
    size_t n = 6;
    for (size_t i = 0; inputs[i]; i++)
        argv[n++] = inputs[i];
    argv[n] = NULL;
    struct tu_run r;
    tu_run(argv, NULL, &r);
    if (r.status != 0)
        fprintf(stderr, "jobdex-index: %s", r.err);
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
}

/* ---- parsing ---- */

static void
parse_grows_linearly(struct tu_fixture *f, enum shape shape, const char *what,
                     size_t n0)
{
    size_t n[3] = {n0, 2 * n0, 4 * n0};
    unsigned long long c[3];
    for (int k = 0; k < 3; k++) {
        char name[64];
        snprintf(name, sizeof(name), "%s-%zu.txt", what, n[k]);
        char *path = write_spec(f->dir, name, shape, n[k]);
        const char *argv[] = {"jobdex-index", "--dump", path, NULL};
        c[k] = tu_instructions(argv);
        free(path);
    }
    assert_linear(what, n, c);
}

/* Numbering unnumbered items once walked the list for every item. */
static void
test_scaling_parsing_grows_linearly_with_items(void **state)
{
    NEED_VALGRIND();
    struct tu_fixture *f = *state;
    parse_grows_linearly(f, BULLETS, "--dump, unnumbered duties", 500);
    parse_grows_linearly(f, QUALS, "--dump, qualifications", 500);
}

static void
test_scaling_parsing_grows_linearly_with_lines_and_headings(void **state)
{
    NEED_VALGRIND();
    struct tu_fixture *f = *state;
    parse_grows_linearly(f, PARAGRAPH, "--dump, one paragraph of n lines", 250);
    parse_grows_linearly(f, CLAUSES, "--dump, one line of n clauses", 250);
    parse_grows_linearly(f, HEADINGS, "--dump, n headings", 250);
}

/* N JSON lines of a record each, and one line of a record of N
 * duties. */
static void
test_scaling_json_lines_grow_linearly(void **state)
{
    NEED_VALGRIND();
    struct tu_fixture *f = *state;
    size_t n[3] = {250, 500, 1000};
    unsigned long long c[3];
    for (int k = 0; k < 3; k++) {
        jd_buf b = {NULL, 0, 0};
        char line[256];
        for (size_t i = 1; i <= n[k]; i++) {
            snprintf(line, sizeof(line),
                     "{\"id\": \"t/%zu\", \"title\": \"Clerk\", \"duties\": "
                     "[\"Enters record batch %zu.\"]}\n",
                     i, i);
            buf_puts(&b, line);
        }
        buf_puts(&b, "{\"id\": \"t/big\", \"title\": \"Clerk\", \"duties\": [");
        for (size_t i = 1; i <= n[k]; i++) {
            snprintf(line, sizeof(line), "%s\"Files record batch %zu.\"",
                     i > 1 ? ", " : "", i);
            buf_puts(&b, line);
        }
        buf_puts(&b, "]}\n");
        char name[64];
        snprintf(name, sizeof(name), "lines-%zu.jsonl", n[k]);
        char *path = tu_write(f->dir, name, b.data, b.len);
        jd_buf_free(&b);
        const char *argv[] = {"jobdex-index", "--dump", path, NULL};
        c[k] = tu_instructions(argv);
        free(path);
    }
    assert_linear("--dump, JSON lines", n, c);
}

/* ---- indexing ---- */

static void
test_scaling_indexing_grows_linearly_with_items(void **state)
{
    NEED_VALGRIND();
    struct tu_fixture *f = *state;
    size_t n[3] = {125, 250, 500};
    unsigned long long c[3];
    for (int k = 0; k < 3; k++) {
        char name[64], db[4300];
        snprintf(name, sizeof(name), "index-%zu.txt", n[k]);
        char *path = write_spec(f->dir, name, BULLETS, n[k]);
        snprintf(db, sizeof(db), "%s/index-%zu.db", f->dir, n[k]);
        const char *argv[] = {
            "jobdex-index", "-q", "--no-model", "--no-progress",
            "-d",           db,   path,         NULL};
        c[k] = tu_instructions(argv);
        free(path);
    }
    assert_linear("index a class of n duties", n, c);
}

/* ---- queries ---- */

/* Indexes of two classes of N duties each ("t/7" and "u/8") and a
 * résumé of N lines, at sizes N[0..3). */
struct word_indexes {
    char db[3][4300];
    char *resume[3];
};

static void
make_word_indexes(struct tu_fixture *f, const size_t n[3], bool two,
                  struct word_indexes *w)
{
    for (int k = 0; k < 3; k++) {
        char name[64];
        snprintf(name, sizeof(name), "t-%zu.txt", n[k]);
        char *t = write_word_class(f->dir, name, "T", "7", n[k], 0);
        snprintf(name, sizeof(name), "u-%zu.txt", n[k]);
        char *u = write_word_class(f->dir, name, "U", "8", n[k], 5);
        snprintf(name, sizeof(name), "resume-%zu.txt", n[k]);
        w->resume[k] = write_resume(f->dir, name, n[k]);
        snprintf(w->db[k], sizeof(w->db[k]), "%s/words-%d-%zu.db", f->dir, two,
                 n[k]);
        const char *inputs[] = {t, two ? u : NULL, NULL};
        index_quietly(w->db[k], inputs);
        free(t);
        free(u);
    }
}

static void
free_word_indexes(struct word_indexes *w)
{
    for (int k = 0; k < 3; k++)
        free(w->resume[k]);
}

/* jobdex-query -d DB[k] ARGS... (RESUME_AT: the argument that is the
 * résumé, replaced by the résumé of size k; -1 none) at each size. */
static void
query_grows_linearly(const struct word_indexes *w, const size_t n[3],
                     const char *what, int resume_at, const char *const *args)
{
    unsigned long long c[3];
    for (int k = 0; k < 3; k++) {
        const char *argv[24] = {"jobdex-query", "-d", w->db[k]};
        size_t m = 3;
        for (int i = 0; args[i] && m + 1 < 24; i++)
            argv[m++] = i == resume_at ? w->resume[k] : args[i];
        argv[m] = NULL;
        c[k] = tu_instructions(argv);
    }
    assert_linear(what, n, c);
}

/* show, search, match and similar on classes of n duties, matched
 * against a résumé of n lines that shares words with every duty:
 * comparing every line with every duty (match --explain, similar once
 * did) is quadratic. */
static void
test_scaling_queries_grow_linearly(void **state)
{
    NEED_VALGRIND();
    struct tu_fixture *f = *state;
    size_t n[3] = {125, 250, 500};
    struct word_indexes w;
    make_word_indexes(f, n, true, &w);
    const char *show[] = {"show", "t/7", NULL};
    query_grows_linearly(&w, n, "show", -1, show);
    const char *json[] = {"-f", "json", "show", "t/7", NULL};
    query_grows_linearly(&w, n, "show -f json", -1, json);
    const char *search[] = {"search", "records", NULL};
    query_grows_linearly(&w, n, "search (snippets)", -1, search);
    const char *match[] = {"match", "RESUME", NULL};
    query_grows_linearly(&w, n, "match, a resume of n lines", 1, match);
    const char *explain[] = {"match", "--explain", "RESUME", NULL};
    query_grows_linearly(&w, n, "match --explain", 2, explain);
    const char *similar[] = {"similar", "t/7", NULL};
    query_grows_linearly(&w, n, "similar", -1, similar);
    free_word_indexes(&w);
}

/* overlap on a class of n duties that share their words: the join once
 * scored every pair of them, to drop each for being of one class. */
static void
test_scaling_overlap_grows_linearly_with_a_class(void **state)
{
    NEED_VALGRIND();
    struct tu_fixture *f = *state;
    size_t n[3] = {500, 1000, 2000};
    struct word_indexes w;
    make_word_indexes(f, n, false, &w);
    const char *overlap[] = {"overlap", "--across", "class", NULL};
    query_grows_linearly(&w, n, "overlap", -1, overlap);
    free_word_indexes(&w);
}

int
main(void)
{
#define T(fn)                                                                  \
    cmocka_unit_test_setup_teardown(fn, tu_fixture_setup, tu_fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_scaling_parsing_grows_linearly_with_items),
        T(test_scaling_parsing_grows_linearly_with_lines_and_headings),
        T(test_scaling_json_lines_grow_linearly),
        T(test_scaling_indexing_grows_linearly_with_items),
        T(test_scaling_queries_grow_linearly),
        T(test_scaling_overlap_grows_linearly_with_a_class),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
