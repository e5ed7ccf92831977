/*
 * test_cli_golden.c: what every command writes, byte for byte. Each case
 * of tests/golden/cases (one command line) runs over an index of corpus/
 * and tests/fixtures/specs built once, and its standard output, standard
 * error and exit status must be the ones stored in tests/golden/expected/.
 * With JOBDEX_GOLDEN=update (`make golden`) it stores what they are
 * instead, so that a change of behaviour shows as a diff to review.
 *
 * Only what must vary between runs is rewritten before the comparison:
 * the paths of the temporary directories (as $DB and $TMP, the names the
 * cases use) and the seconds of jobdex-index's summary line. The format
 * of the cases and of expected/ is in tests/golden/README.md.
 */
#include "jobdex.h"

#include "testutil.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#define GOLDEN_DIR   "tests/golden"
#define CASES_FILE   GOLDEN_DIR "/cases"
#define EXPECTED_DIR GOLDEN_DIR "/expected"
#define STATUS_FILE  EXPECTED_DIR "/status"

/* A guard against a hang, far over what any case takes under ASan; never
 * a measure of speed. */
enum { CASE_GUARD_SECONDS = 300 };

enum { CASE_MAX_WORDS = 48, CASE_NAME_MAX = 96 };

/* One command line of the cases file, $FORMAT already put in. */
struct golden_case {
    char name[CASE_NAME_MAX];
    char *words[CASE_MAX_WORDS + 1]; /* NULL-terminated; $DB, $TMP kept */
    char *stdin_path;                /* "< FILE", or NULL */
    int status;                      /* the exit status it had */
};

static struct {
    struct golden_case *cases;
    size_t n;
    bool update;           /* JOBDEX_GOLDEN=update: store, not compare */
    struct tu_fixture dir; /* dir.db: the index the cases read */
    char tmp[TU_PATH_MAX]; /* each case's $TMP, emptied before it runs */
    char *statuses;        /* STATUS_FILE as read */
} golden;

/* ---- reading the cases ---- */

/* The next word of *P (sh-like: spaces part words, '...' and "..." quote
 * without escapes) into a malloc'd string; NULL at the end of the line,
 * or on an unterminated quote (then *BAD is set). */
static char *
next_word(const char **p, bool *bad)
{
    const char *s = *p + strspn(*p, " \t");
    if (!*s)
        return NULL;
    size_t cap = strlen(s) + 1, n = 0;
    char *w = malloc(cap);
    while (*s && *s != ' ' && *s != '\t') {
        if (*s == '\'' || *s == '"') {
            const char *end = strchr(s + 1, *s);
            if (!end) {
                *bad = true;
                free(w);
                return NULL;
            }
            memcpy(w + n, s + 1, (size_t)(end - s - 1));
            n += (size_t)(end - s - 1);
            s = end + 1;
        } else {
            w[n++] = *s++;
        }
    }
    w[n] = '\0';
    *p = s;
    return w;
}

/* S with every FROM replaced by TO (malloc'd). */
static char *
replace_all(const char *s, const char *from, const char *to)
{
    size_t nf = strlen(from), nt = strlen(to), count = 0;
    for (const char *q = s; (q = strstr(q, from)) != NULL; q += nf)
        count++;
    char *out = malloc(strlen(s) + count * nt + 1), *o = out;
    for (const char *q; (q = strstr(s, from)) != NULL; s = q + nf) {
        memcpy(o, s, (size_t)(q - s));
        o += q - s;
        memcpy(o, to, nt);
        o += nt;
    }
    strcpy(o, s);
    return out;
}

static void
case_free(struct golden_case *c)
{
    for (size_t i = 0; c->words[i]; i++)
        free(c->words[i]);
    free(c->stdin_path);
}

/* A case named NAME from the words of LINE (after its name), with
 * FORMAT for $FORMAT (NULL: the line may not use it). Says what is wrong
 * into WHY, or returns true. */
static bool
case_from_line(struct golden_case *c, const char *name, const char *line,
               const char *format, char *why, size_t size)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->name, sizeof(c->name), "%s", name);
    size_t n = 0;
    bool bad = false;
    for (char *w; (w = next_word(&line, &bad)) != NULL;) {
        if (strcmp(w, "<") == 0) {
            free(w);
            if (c->stdin_path || !(c->stdin_path = next_word(&line, &bad))) {
                snprintf(why, size, "'<' wants one FILE");
                return false;
            }
            continue;
        }
        if (strstr(w, "$FORMAT")) {
            if (!format) {
                free(w);
                snprintf(why, size, "$FORMAT, but NAME does not end in .*");
                return false;
            }
            char *f = replace_all(w, "$FORMAT", format);
            free(w);
            w = f;
        }
        if (n == CASE_MAX_WORDS) {
            free(w);
            snprintf(why, size, "over %d words", CASE_MAX_WORDS);
            return false;
        }
        c->words[n++] = w;
    }
    if (bad)
        snprintf(why, size, "a quote is not closed");
    else if (n == 0)
        snprintf(why, size, "no command");
    else if (strcmp(c->words[0], "jobdex-index") != 0 &&
             strcmp(c->words[0], "jobdex-query") != 0)
        snprintf(why, size, "runs '%s', not jobdex-index or jobdex-query",
                 c->words[0]);
    else
        return true;
    return false;
}

/* Add the case(s) of one line of the cases file; a NAME ending in ".*"
 * is one case for each output format. */
static bool
add_cases(const char *line, char *why, size_t size)
{
    static const char *const formats[] = {"text", "json", "csv"};
    size_t len = strcspn(line, " \t");
    if (len == 0 || len + 8 > CASE_NAME_MAX) {
        snprintf(why, size, "a case starts with its NAME (at most %d bytes)",
                 CASE_NAME_MAX - 8);
        return false;
    }
    for (size_t i = 0; i < len; i++)
        if (!islower((unsigned char)line[i]) &&
            !isdigit((unsigned char)line[i]) && !strchr(".-*", line[i])) {
            snprintf(why, size, "NAME '%.*s': a-z, 0-9, '.' and '-' only",
                     (int)len, line);
            return false;
        }
    bool each_format = len > 2 && memcmp(line + len - 2, ".*", 2) == 0;
    if (memchr(line, '*', len - each_format)) {
        snprintf(why, size, "NAME '%.*s': '*' only in a last '.*'", (int)len,
                 line);
        return false;
    }
    size_t nformats = each_format ? 3 : 1;
    golden.cases =
        realloc(golden.cases, (golden.n + nformats) * sizeof(*golden.cases));
    for (size_t f = 0; f < nformats; f++) {
        char name[CASE_NAME_MAX];
        snprintf(name, sizeof(name), "%.*s%s",
                 (int)(each_format ? len - 1 : len), line,
                 each_format ? formats[f] : "");
        for (size_t k = 0; k < golden.n; k++)
            if (strcmp(golden.cases[k].name, name) == 0) {
                snprintf(why, size, "a second case named %s", name);
                return false;
            }
        struct golden_case *c = &golden.cases[golden.n];
        if (!case_from_line(c, name, line + len,
                            each_format ? formats[f] : NULL, why, size)) {
            case_free(c);
            return false;
        }
        golden.n++;
    }
    return true;
}

/* Read CASES_FILE into golden.cases; false after saying what is wrong. */
static bool
read_cases(void)
{
    char *text = tu_read(CASES_FILE, NULL);
    if (!text) {
        fprintf(stderr, "%s: %s (run from the top of the tree)\n", CASES_FILE,
                strerror(errno));
        return false;
    }
    unsigned no = 0;
    bool ok = true;
    for (char *line = text, *next; ok && line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        no++;
        char why[256];
        if (*line && *line != '#' && !(ok = add_cases(line, why, sizeof(why))))
            fprintf(stderr, "%s:%u: %s\n", CASES_FILE, no, why);
    }
    free(text);
    return ok;
}

/* ---- running one ---- */

/* WORD with $DB and $TMP put in (malloc'd). */
static char *
expand(const char *word)
{
    char *a = replace_all(word, "$DB", golden.dir.db);
    char *b = replace_all(a, "$TMP", golden.tmp);
    free(a);
    return b;
}

/* "in 0.3 s" (jobdex-index's summary line) as "in #.# s", in place. */
static void
mask_seconds(char *s)
{
    for (char *p = s; (p = strstr(p, " in ")) != NULL;) {
        p += 4;
        size_t whole = strspn(p, "0123456789");
        size_t frac = p[whole] == '.' ? strspn(p + whole + 1, "0123456789") : 0;
        char *end = p + whole + 1 + frac;
        if (whole == 0 || frac == 0 || strncmp(end, " s", 2) != 0)
            continue;
        memcpy(p, "#.#", 3);
        memmove(p + 3, end, strlen(end) + 1);
    }
}

/* What a run wrote, as the expected files hold it (malloc'd): the paths
 * of this run's directories by their names in the cases, the seconds
 * masked. */
static char *
normalise(const char *text)
{
    char *a = replace_all(text, golden.tmp, "$TMP");
    char *b = replace_all(a, golden.dir.db, "$DB");
    free(a);
    mask_seconds(b);
    return b;
}

/* EXPECTED_DIR/NAME[SUFFIX] into BUF. */
static const char *
expected_path(char *buf, size_t size, const char *name, const char *suffix)
{
    snprintf(buf, size, "%s/%s%s", EXPECTED_DIR, name, suffix);
    return buf;
}

static void
write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    size_t len = strlen(text);
    if (!f || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
        abort();
    }
}

/* Say where WANT (the file PATH) and GOT first differ, by line. */
static void
say_difference(const char *path, const char *want, const char *got)
{
    unsigned line = 1;
    size_t i = 0, start = 0;
    for (; want[i] && want[i] == got[i]; i++)
        if (want[i] == '\n') {
            line++;
            start = i + 1;
        }
    int wl = (int)strcspn(want + start, "\n");
    int gl = (int)strcspn(got + start, "\n");
    fprintf(stderr,
            "%s differs at line %u:\n  expected: %.*s%s\n  actual:   %.*s%s\n"
            "(make golden rewrites it; git diff shows every change)\n",
            path, line, wl, want + start, want[start] ? "" : "(the end)", gl,
            got + start, got[start] ? "" : "(the end)");
}

/* The bytes of the file PATH are TEXT; an absent file is no bytes when
 * ABSENT_IS_EMPTY. */
static bool
same_as_file(const char *path, const char *text, bool absent_is_empty)
{
    char *want = tu_read(path, NULL);
    if (!want && !absent_is_empty) {
        fprintf(stderr, "%s is missing (make golden writes it)\n", path);
        return false;
    }
    bool same = strcmp(want ? want : "", text) == 0;
    if (!same)
        say_difference(path, want ? want : "", text);
    free(want);
    return same;
}

/* The status STATUS_FILE holds for NAME, or -1. */
static int
expected_status(const char *name)
{
    size_t len = strlen(name);
    for (const char *l = golden.statuses; l && *l; l = strchr(l, '\n')) {
        l += *l == '\n';
        if (strncmp(l, name, len) == 0 && l[len] == ' ')
            return atoi(l + len + 1);
    }
    return -1;
}

/* Run the case *STATE and compare (or store) what it wrote. */
static void
test_golden_case(void **state)
{
    struct golden_case *c = *state;
    tu_rmtree(golden.tmp);
    assert_int_equal(mkdir(golden.tmp, 0700), 0);
    const char *argv[CASE_MAX_WORDS + 1];
    size_t n = 0;
    for (; c->words[n]; n++)
        argv[n] = expand(c->words[n]);
    argv[n] = NULL;
    char *input = NULL;
    if (c->stdin_path && !(input = tu_read(c->stdin_path, NULL)))
        fail_msg("%s: cannot read '%s'", c->name, c->stdin_path);
    struct tu_run r;
    tu_run_within(argv, input, CASE_GUARD_SECONDS, &r);
    for (size_t i = 0; i < n; i++)
        free((char *)argv[i]);
    free(input);
    tu_rmtree(golden.tmp);
    c->status = r.status;
    char *out = normalise(r.out), *err = normalise(r.err);
    tu_run_free(&r);

    char out_path[TU_PATH_MAX], err_path[TU_PATH_MAX];
    expected_path(out_path, sizeof(out_path), c->name, "");
    expected_path(err_path, sizeof(err_path), c->name, ".err");
    bool same_out = true, same_err = true;
    int want = c->status;
    if (golden.update) {
        write_file(out_path, out);
        if (*err)
            write_file(err_path, err);
        else
            unlink(err_path);
    } else {
        same_out = same_as_file(out_path, out, false);
        same_err = same_as_file(err_path, err, true);
        want = expected_status(c->name);
        if (want != c->status)
            fprintf(stderr, "%s: exit status %d, expected %d (%s)\n", c->name,
                    c->status, want, STATUS_FILE);
    }
    free(out);
    free(err);
    assert_true(same_out);
    assert_true(same_err);
    assert_int_equal(c->status, want);
}

/* ---- the group ---- */

static int
build_index(void **state)
{
    (void)state;
    tu_fixture_init(&golden.dir);
    tu_fixture_path(&golden.dir, "tmp", golden.tmp);
    return tu_index(golden.dir.db, "corpus", "tests/fixtures/specs", NULL) == 0
               ? 0
               : -1;
}

static int
remove_index(void **state)
{
    (void)state;
    tu_fixture_fini(&golden.dir);
    return 0;
}

/* After `make golden`: STATUS_FILE for every case, in order, and no file
 * in EXPECTED_DIR that no case wrote. */
static void
finish_update(void)
{
    FILE *f = fopen(STATUS_FILE, "w");
    if (!f) {
        perror(STATUS_FILE);
        abort();
    }
    for (size_t i = 0; i < golden.n; i++)
        fprintf(f, "%s %d\n", golden.cases[i].name, golden.cases[i].status);
    if (fclose(f) != 0) {
        perror(STATUS_FILE);
        abort();
    }
    DIR *d = opendir(EXPECTED_DIR);
    for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "status") == 0)
            continue;
        size_t len = strlen(e->d_name);
        if (len > 4 && strcmp(e->d_name + len - 4, ".err") == 0)
            len -= 4;
        bool known = false;
        for (size_t i = 0; i < golden.n && !known; i++)
            known = strlen(golden.cases[i].name) == len &&
                    strncmp(golden.cases[i].name, e->d_name, len) == 0;
        if (!known) {
            char path[TU_PATH_MAX];
            expected_path(path, sizeof(path), e->d_name, "");
            fprintf(stderr, "removed %s: no case writes it\n", path);
            unlink(path);
        }
    }
    if (d)
        closedir(d);
}

int
main(void)
{
    /* What the cases must not depend on. */
    unsetenv("JOBDEX_DB");
    unsetenv("JOBDEX_RANK");
    const char *mode = getenv("JOBDEX_GOLDEN");
    golden.update = mode && strcmp(mode, "update") == 0;
    if (!read_cases())
        return 1;
    golden.statuses = tu_read(STATUS_FILE, NULL);
    struct CMUnitTest *tests = calloc(golden.n, sizeof(*tests));
    for (size_t i = 0; i < golden.n; i++)
        tests[i] = (struct CMUnitTest){.name = golden.cases[i].name,
                                       .test_func = test_golden_case,
                                       .initial_state = &golden.cases[i]};
    if (golden.update)
        mkdir(EXPECTED_DIR, 0777);
    int rc = _cmocka_run_group_tests("golden", tests, golden.n, build_index,
                                     remove_index);
    if (golden.update && rc == 0)
        finish_update();
    for (size_t i = 0; i < golden.n; i++)
        case_free(&golden.cases[i]);
    free(golden.cases);
    free(golden.statuses);
    free(tests);
    return rc;
}
