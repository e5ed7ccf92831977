/*
 * test_cli_rank.c: ranking behaviours of `jobdex-query match`, each on a
 * tiny corpus of JSON-lines records so that only the behaviour under test
 * can separate the classes.
 *
 * Most are data: each tests/ranking/NAME.case is a test of its own (the
 * format is in tests/ranking/README.md), read by case_setup and run by
 * test_rank_case. What is not a list of ids in order (scores compared
 * with and without the class model, or one text read two ways) is
 * written out below them.
 */
#include "jobdex.h"

#include "testutil.h"

#include <dirent.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define CASE_DIR "tests/ranking"

/* Index the RECORDS (JSON lines) into F's index. */
static void
index_records(const struct tu_fixture *f, const char *records)
{
    char *path = tu_write(f->in, "records.jsonl", records, strlen(records));
    assert_int_equal(tu_index(f->db, path, NULL), 0);
    free(path);
}

/* ---- the cases in tests/ranking ---- */

enum { CASE_MAX_ARGS = 16, CASE_MAX_IDS = 64 };

/* A .case file read: what to index, what to match, what must come out. */
struct rank_case {
    char *records;  /* "== records": JSON lines */
    char *match;    /* "== match": the text given to `match -`, or */
    char *keywords; /* "== keywords": the LIST of `match --keywords` */
    char *options[CASE_MAX_ARGS]; /* "== options": more arguments */
    size_t noptions;
    char *expect[CASE_MAX_IDS]; /* "== expect": the ids, in order */
    size_t nexpect;
    bool more; /* the ids end with "...": more results may follow */
};

static void
rank_case_free(struct rank_case *c)
{
    free(c->records);
    free(c->match);
    free(c->keywords);
    for (size_t i = 0; i < c->noptions; i++)
        free(c->options[i]);
    for (size_t i = 0; i < c->nexpect; i++)
        free(c->expect[i]);
    memset(c, 0, sizeof(*c));
}

/* Add the words of the LEN bytes at LINE to V (*N of them, MAX at most). */
static bool
add_words(const char *line, size_t len, char **v, size_t *n, size_t max)
{
    for (size_t i = 0; i < len;) {
        size_t k = strcspn(line + i, " \t");
        if (k > len - i)
            k = len - i;
        if (k > 0) {
            if (*n == max)
                return false;
            v[(*n)++] = strndup(line + i, k);
        }
        i += k + 1;
    }
    return true;
}

/*
 * One section of a case: NAME is the word after "== ", BODY its LEN
 * bytes up to the next section (every line ending in a newline). Says
 * what is wrong with it into WHY, or returns true.
 */
static bool
case_section(struct rank_case *c, const char *name, const char *body,
             size_t len, char *why, size_t size)
{
    if (strcmp(name, "records") == 0) {
        c->records = strndup(body, len);
        return true;
    }
    if (strcmp(name, "match") == 0) {
        c->match = strndup(body, len);
        return true;
    }
    bool options = strcmp(name, "options") == 0;
    bool keywords = strcmp(name, "keywords") == 0;
    if (!options && !keywords && strcmp(name, "expect") != 0) {
        snprintf(why, size, "unknown section '== %s'", name);
        return false;
    }
    for (const char *line = body; line < body + len;) {
        size_t n = strcspn(line, "\n");
        if (keywords) {
            if (c->keywords) {
                snprintf(why, size, "'== keywords' takes one line");
                return false;
            }
            c->keywords = strndup(line, n);
        } else if (options) {
            if (!add_words(line, n, c->options, &c->noptions, CASE_MAX_ARGS)) {
                snprintf(why, size, "over %d options", CASE_MAX_ARGS);
                return false;
            }
        } else if (c->more) {
            snprintf(why, size, "an id after '...'");
            return false;
        } else if (n == 3 && memcmp(line, "...", 3) == 0) {
            c->more = true;
        } else if (n > 0) {
            if (c->nexpect == CASE_MAX_IDS) {
                snprintf(why, size, "over %d ids", CASE_MAX_IDS);
                return false;
            }
            c->expect[c->nexpect++] = strndup(line, n);
        }
        line += n + 1;
    }
    return true;
}

/* Read the case at PATH into C; says what is wrong into WHY, or returns
 * true. Lines before the first section are comments. */
static bool
rank_case_read(const char *path, struct rank_case *c, char *why, size_t size)
{
    memset(c, 0, sizeof(*c));
    size_t len;
    char *text = tu_read(path, &len);
    if (!text) {
        snprintf(why, size, "cannot read it");
        return false;
    }
    if (len > 0 && text[len - 1] != '\n') {
        snprintf(why, size, "its last line has no newline");
        free(text);
        return false;
    }
    bool ok = true;
    char name[32] = "";
    const char *body = NULL;
    for (char *line = text; ok && line < text + len;) {
        char *end = strchr(line, '\n');
        if (strncmp(line, "== ", 3) == 0) {
            if (body)
                ok = case_section(c, name, body, (size_t)(line - body), why,
                                  size);
            snprintf(name, sizeof(name), "%.*s", (int)(end - line - 3),
                     line + 3);
            body = end + 1;
        }
        line = end + 1;
    }
    if (ok && body)
        ok =
            case_section(c, name, body, (size_t)(text + len - body), why, size);
    free(text);
    if (ok && (!c->records || c->nexpect == 0 || !c->match == !c->keywords)) {
        snprintf(why, size,
                 "a case needs '== records', '== expect' and one "
                 "of '== match' or '== keywords'");
        ok = false;
    }
    return ok;
}

/* The ids of the results in the JSON output TEXT of match, into IDS (MAX
 * at most); returns how many results there were. */
static size_t
result_ids(const char *text, char ids[][256], size_t max)
{
    json_error_t err;
    json_t *j = json_loads(text, 0, &err);
    if (!j)
        fprintf(stderr, "not JSON (%s): %.300s\n", err.text, text);
    assert_non_null(j);
    json_t *results = json_object_get(j, "results");
    assert_true(json_is_array(results));
    size_t n = json_array_size(results);
    for (size_t k = 0; k < n && k < max; k++)
        snprintf(ids[k], 256, "%s",
                 json_string_value(
                     json_object_get(json_array_get(results, k), "id")));
    json_decref(j);
    return n;
}

/* True when the GOT results IDS are the ones C expects. */
static bool
as_expected(const struct rank_case *c, char ids[][256], size_t got)
{
    if (c->more ? got < c->nexpect : got != c->nexpect)
        return false;
    for (size_t i = 0; i < c->nexpect; i++)
        if (strcmp(ids[i], c->expect[i]) != 0)
            return false;
    return true;
}

/* A case being run: its file, what the file says, the directory it runs
 * in and what match wrote; case_teardown releases it, failed or not. */
struct case_run {
    const char *path;
    struct rank_case c;
    struct tu_fixture dir;
    struct tu_run r;
};

/* Read the case in the file *STATE names; *STATE becomes its run. */
static int
case_setup(void **state)
{
    struct case_run *run = calloc(1, sizeof(*run));
    if (!run)
        return -1;
    run->path = *state;
    char why[256];
    if (!rank_case_read(run->path, &run->c, why, sizeof(why))) {
        fprintf(stderr, "%s: %s\n", run->path, why);
        rank_case_free(&run->c);
        free(run);
        return -1;
    }
    tu_fixture_init(&run->dir);
    *state = run;
    return 0;
}

static int
case_teardown(void **state)
{
    struct case_run *run = *state;
    tu_run_free(&run->r);
    tu_fixture_fini(&run->dir);
    rank_case_free(&run->c);
    free(run);
    return 0;
}

/* Index the case's records, match, and find the expected ids in order
 * (and nothing else unless they end in ...). */
static void
test_rank_case(void **state)
{
    struct case_run *run = *state;
    const struct rank_case *c = &run->c;
    index_records(&run->dir, c->records);
    const char *argv[8 + CASE_MAX_ARGS] = {"jobdex-query", "-d",   run->dir.db,
                                           "-f",           "json", "match"};
    size_t n = 6;
    for (size_t i = 0; i < c->noptions; i++)
        argv[n++] = c->options[i];
    if (c->keywords) {
        argv[n++] = "--keywords";
        argv[n++] = c->keywords;
    } else {
        argv[n++] = "-";
    }
    argv[n] = NULL;
    tu_run(argv, c->match, &run->r);
    if (run->r.status != 0)
        fprintf(stderr, "%s: match: status %d: %s", run->path, run->r.status,
                run->r.err);
    assert_int_equal(run->r.status, 0);
    char ids[CASE_MAX_IDS][256];
    size_t got = result_ids(run->r.out, ids, CASE_MAX_IDS);
    if (!as_expected(c, ids, got)) {
        fprintf(stderr, "%s: the results were:\n", run->path);
        for (size_t i = 0; i < got && i < CASE_MAX_IDS; i++)
            fprintf(stderr, "  %s\n", ids[i]);
    }
    if (c->more)
        assert_true(got >= c->nexpect);
    else
        assert_int_equal(got, c->nexpect);
    for (size_t i = 0; i < c->nexpect; i++)
        assert_string_equal(ids[i], c->expect[i]);
}

static int
by_string(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The paths of the .case files in CASE_DIR, sorted, into *PATHS; how
 * many. */
static size_t
case_paths(char ***paths)
{
    *paths = NULL;
    DIR *d = opendir(CASE_DIR);
    if (!d)
        return 0;
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (len <= 5 || strcmp(e->d_name + len - 5, ".case") != 0)
            continue;
        *paths = realloc(*paths, (n + 1) * sizeof(**paths));
        (*paths)[n] = malloc(sizeof(CASE_DIR) + len + 1);
        sprintf((*paths)[n], "%s/%s", CASE_DIR, e->d_name);
        n++;
    }
    closedir(d);
    qsort(*paths, n, sizeof(**paths), by_string);
    return n;
}

/* --weights settings that leave out the whole class model, its softmax
 * part, or its concept space. */
#define NO_MODEL                                                               \
    "s.model_weight=0,m.model_weight=0,l.model_weight=0,"                      \
    "s.concept_weight=0,m.concept_weight=0,l.concept_weight=0"
#define NO_SOFTMAX  "s.model_weight=0,m.model_weight=0,l.model_weight=0"
#define NO_CONCEPTS "s.concept_weight=0,m.concept_weight=0,l.concept_weight=0"

/* `match [--weights WEIGHTS] [FLAG] -` given TEXT, into R (the caller
 * frees it); WEIGHTS and FLAG may be NULL. */
static void
match_run(const char *db, const char *text, const char *weights,
          const char *flag, struct tu_run *r)
{
    const char *argv[11] = {"jobdex-query", "-d", db, "-f", "json", "match"};
    size_t n = 6;
    if (weights) {
        argv[n++] = "--weights";
        argv[n++] = weights;
    }
    if (flag)
        argv[n++] = flag;
    argv[n++] = "-";
    argv[n] = NULL;
    tu_run(argv, text, r);
}

/* The JSON of `match [FLAG] -` given TEXT (the caller frees it), ranked
 * with --weights WEIGHTS unless it is NULL. */
static char *
match_json_flag(const char *db, const char *text, const char *weights,
                const char *flag)
{
    struct tu_run r;
    match_run(db, text, weights, flag, &r);
    assert_int_equal(r.status, 0);
    char *out = strdup(r.out);
    tu_run_free(&r);
    return out;
}

static char *
match_json(const char *db, const char *text, const char *weights)
{
    return match_json_flag(db, text, weights, NULL);
}

/* FIELD ("model" or "concepts") of the first result in the JSON TEXT;
 * -1 when it is null. */
static double
top_field(const char *text, const char *field)
{
    json_error_t err;
    json_t *j = json_loads(text, 0, &err);
    assert_non_null(j);
    json_t *m = json_object_get(
        json_array_get(json_object_get(j, "results"), 0), field);
    assert_non_null(m);
    double v = json_is_null(m) ? -1 : json_real_value(m);
    json_decref(j);
    return v;
}

/* `jobdex-index -q [EXTRA] -d DB PATH` succeeds. */
static void
index_more(const char *db, const char *path, const char *extra)
{
    const char *argv[] = {
        "jobdex-index",      "-q", "-d", db, extra ? extra : path,
        extra ? path : NULL, NULL};
    struct tu_run r;
    tu_run(argv, NULL, &r);
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
}

/* True when `stats` says LINE about the class model. */
static bool
stats_say(const char *db, const char *line)
{
    const char *argv[] = {"jobdex-query", "-d", db, "stats", NULL};
    struct tu_run r;
    tu_run(argv, NULL, &r);
    assert_int_equal(r.status, 0);
    bool found = strstr(r.out, line) != NULL;
    if (!found)
        fprintf(stderr, "stats:\n%s", r.out);
    tu_run_free(&r);
    return found;
}

/* The three classes of the class model tests, and a query the model
 * changes the scores of. */
static const char captains[] =
    "{\"id\": \"t/fire\", \"title\": \"Fire Captain\", "
    "\"duties\": [{\"text\": \"Direct fire suppression and "
    "rescue crews.\"}]}\n"
    "{\"id\": \"t/ship\", \"title\": \"Ship Captain\", "
    "\"duties\": [{\"text\": \"Command the vessel and its crew "
    "at sea.\"}]}\n"
    "{\"id\": \"t/clerk\", \"title\": \"Office Clerk\", "
    "\"duties\": [{\"text\": \"File records.\"}]}\n";
static const char captain_query[] = "captain of a vessel crew";

/*
 * jobdex-index trains the class model, and matching uses it: scores
 * differ from a ranking with its weight at 0. A run with --no-model
 * leaves it stale, and a stale model is not used at all: matching is then
 * exactly the ranking without it. The next ordinary run trains it again.
 */
static void
test_rank_class_model_is_used_only_while_current(void **state)
{
    const struct tu_fixture *f = *state;
    const char *db = f->db;
    index_records(f, captains);
    assert_true(stats_say(db, "class model    3 classes"));
    const char *query = captain_query;
    char *with = match_json(db, query, NULL);
    char *without = match_json(db, query, NO_MODEL);
    assert_string_not_equal(with, without);
    /* Each part of the model changes the scores on its own. */
    char *part = match_json(db, query, NO_SOFTMAX);
    assert_string_not_equal(part, without);
    assert_string_not_equal(part, with);
    free(part);
    part = match_json(db, query, NO_CONCEPTS);
    assert_string_not_equal(part, without);
    assert_string_not_equal(part, with);
    free(part);
    /* Each result says what the model made of it: the first is the
     * model's own first choice here ("vessel" is the ship's word). */
    assert_true(top_field(with, "model") > 0.999);
    assert_true(top_field(without, "model") == -1);
    /* And how near it is in the concept space: the first result is
     * near the nearest class ("captain" and "crew" are in both captains'
     * text), and nothing is said when the model is left out. */
    double near = top_field(with, "concepts");
    assert_true(near > 0.5 && near <= 1.0);
    assert_true(top_field(without, "concepts") == -1);
    free(with);
    free(without);

    static const char pilot[] =
        "{\"id\": \"t/pilot\", \"title\": \"Harbor Pilot\", \"duties\": "
        "[{\"text\": \"Guide vessels into the harbor.\"}]}\n";
    char *more = tu_write(f->in, "more.jsonl", pilot, strlen(pilot));
    index_more(db, more, "--no-model");
    assert_true(stats_say(db, "class model    stale"));
    with = match_json(db, query, NULL);
    without = match_json(db, query, NO_MODEL);
    assert_string_equal(with, without);
    assert_true(top_field(with, "model") == -1);
    assert_true(top_field(with, "concepts") == -1);
    free(with);
    free(without);

    index_more(db, more, NULL);
    assert_true(stats_say(db, "class model    4 classes"));
    with = match_json(db, query, NULL);
    without = match_json(db, query, NO_MODEL);
    assert_string_not_equal(with, without);
    free(with);
    free(without);
    free(more);
}

/* The "percent" (of the first result's score) of class ID in the JSON
 * TEXT; -1 when ID is not among the results. */
static double
percent_of(const char *text, const char *id)
{
    json_error_t err;
    json_t *j = json_loads(text, 0, &err);
    assert_non_null(j);
    json_t *results = json_object_get(j, "results");
    double v = -1;
    for (size_t i = 0; i < json_array_size(results); i++) {
        json_t *h = json_array_get(results, i);
        if (strcmp(json_string_value(json_object_get(h, "id")), id) == 0)
            v = json_number_value(json_object_get(h, "percent"));
    }
    json_decref(j);
    return v;
}

/* The top-level "parts" of the JSON TEXT. */
static long
parts_in(const char *text)
{
    json_error_t err;
    json_t *j = json_loads(text, 0, &err);
    assert_non_null(j);
    json_t *parts = json_object_get(j, "parts");
    assert_true(json_is_integer(parts));
    long v = (long)json_integer_value(parts);
    json_decref(j);
    return v;
}

/*
 * A résumé's list items are ranked one by one and their scores added, so
 * a short line counts as much as a long one: "Process payroll" lifts the
 * payroll clerk far nearer the web developer, whose duty the long line
 * repeats, than the words as one query do. With --whole the text is one
 * query, exactly as the same words on one line. JSON "parts" says which.
 */
static void
test_rank_each_resume_line_counts(void **state)
{
    const struct tu_fixture *f = *state;
    const char *db = f->db;
    index_records(
        f, "{\"id\": \"t/web\", \"title\": \"Web Developer\", \"duties\": "
           "[{\"text\": \"Build and maintain websites, web applications and "
           "databases with modern frameworks, testing tools and version "
           "control.\"}]}\n"
           "{\"id\": \"t/payroll\", \"title\": \"Payroll Clerk\", "
           "\"duties\": [{\"text\": \"Process payroll and timesheets.\"}]}\n"
           "{\"id\": \"t/records\", \"title\": \"Records Clerk\", "
           "\"duties\": [{\"text\": \"File and retrieve records.\"}]}\n");
    static const char resume[] =
        "- Build and maintain websites, web applications and databases "
        "with modern frameworks, testing tools and version control\n"
        "- Process payroll\n";
    char *parts = match_json(db, resume, NULL);
    char *whole = match_json_flag(db, resume, NULL, "--whole");
    char *line = match_json(db,
                            "Build and maintain websites, web applications "
                            "and databases with modern frameworks, testing "
                            "tools and version control Process payroll",
                            NULL);
    assert_true(percent_of(parts, "t/web") == 100);
    assert_true(percent_of(whole, "t/web") == 100);
    double by_parts = percent_of(parts, "t/payroll");
    double by_whole = percent_of(whole, "t/payroll");
    assert_true(by_whole >= 0);
    assert_true(by_parts > by_whole + 10);
    assert_string_equal(whole, line);
    assert_string_not_equal(parts, line);
    /* The output says how the text was read. */
    assert_int_equal(parts_in(parts), 2);
    assert_int_equal(parts_in(whole), 0);
    free(parts);
    free(whole);
    free(line);
}

/* The file name of PATH without its folder and ".case": the test's name. */
/*
 * --weights that name no anchor or knob of the table, or give a bad
 * number, are refused before anything is ranked: status 2, nothing on
 * standard output, a message naming what is wrong. A lever dropped from
 * the library (the item weight) is an unknown knob like any other. In a
 * batch every line is rejected with the message; a trailing comma is
 * allowed; other commands take no weights.
 */
static void
test_rank_bad_weights_are_refused(void **state)
{
    const struct tu_fixture *f = *state;
    const char *db = f->db;
    index_records(f, captains);
    static const struct {
        const char *weights, *says;
    } bad[] = {
        {"x.k1=2", "invalid weights: unknown anchor 'x' in 'x.k1=2'"},
        {"s.k1=2,m.item_weight=1",
         "invalid weights: unknown knob 'item_weight' in 'm.item_weight=1' "
         "(knobs: w_title, "},
        {"l.k1=two", "invalid weights: bad number 'two' in 'l.k1=two'"},
        {"m.b=-1", "invalid weights: bad number '-1' in 'm.b=-1'"},
        {"s.k1", "invalid weights: 's.k1' is not ANCHOR.KNOB=NUMBER"},
        {"s.k1=2,,m.b=1", "invalid weights: an empty entry in "
                          "'s.k1=2,,m.b=1'"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct tu_run r;
        match_run(db, captain_query, bad[i].weights, NULL, &r);
        if (!strstr(r.err, bad[i].says))
            fprintf(stderr, "--weights %s: %s", bad[i].weights, r.err);
        assert_int_equal(r.status, 2);
        assert_int_equal(r.out_len, 0);
        assert_non_null(strstr(r.err, "jobdex-query: cannot match '-': "));
        assert_non_null(strstr(r.err, bad[i].says));
        tu_run_free(&r);
    }

    const char *argv[] = {"jobdex-query", "-d",     db,        "-f",
                          "json",         "match",  "--batch", "-",
                          "--weights",    "x.k1=2", NULL};
    struct tu_run r;
    tu_run(argv, "{\"id\": \"q1\", \"text\": \"ship captain\"}\n", &r);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.out, "invalid weights: unknown anchor 'x'"));
    tu_run_free(&r);

    match_run(db, captain_query, "s.k1=2,", NULL, &r);
    assert_int_equal(r.status, 0);
    tu_run_free(&r);

    /* Only match takes weights: similar compares by the shipped ones. */
    const char *similar[] = {"jobdex-query", "-d",        db,       "similar",
                             "t/fire",       "--weights", "s.k1=2", NULL};
    tu_run(similar, NULL, &r);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "--weights goes with match"));
    tu_run_free(&r);
}

/* Hit I of R: its id and score, as "id score". */
static void
hit_line(const jd_results *r, size_t i, char *buf, size_t size)
{
    const struct jd_hit *h = jd_results_get(r, i);
    snprintf(buf, size, "%s %.17g", h->spec->id, h->score);
}

/*
 * Weights are read by each call, not once per process: on one handle, a
 * match with the class model left out, then one with the shipped
 * weights, then the first again each answer as they would alone.
 */
static void
test_rank_weights_are_read_per_call(void **state)
{
    const struct tu_fixture *f = *state;
    index_records(f, captains);
    jd_db *d;
    assert_int_equal(jd_db_new(&d), JD_OK);
    assert_int_equal(jd_db_open(d, f->db, JD_OPEN_READ), JD_OK);
    struct jd_match_opts mo;
    memset(&mo, 0, sizeof(mo));
    mo.limit = 3;
    const char *settings[] = {NO_MODEL, NULL, NO_MODEL, NULL};
    char first[4][128];
    double model[4];
    for (size_t i = 0; i < 4; i++) {
        jd_results *r;
        mo.weights = settings[i];
        assert_int_equal(
            jd_match(d, captain_query, strlen(captain_query), &mo, &r), JD_OK);
        assert_true(jd_results_count(r) > 0);
        hit_line(r, 0, first[i], sizeof(first[i]));
        model[i] = jd_results_get(r, 0)->model;
        jd_results_free(r);
    }
    assert_string_not_equal(first[0], first[1]);
    assert_string_equal(first[0], first[2]);
    assert_string_equal(first[1], first[3]);
    assert_true(model[0] == -1 && model[2] == -1);
    assert_true(model[1] > 0.999 && model[3] > 0.999);

    /* A bad setting fails that call only. */
    jd_results *r = NULL;
    mo.weights = "s.nothing=1";
    assert_int_equal(jd_match(d, captain_query, strlen(captain_query), &mo, &r),
                     JD_ERR_INVALID_ARG);
    assert_null(r);
    assert_non_null(strstr(jd_db_errmsg(d), "unknown knob 'nothing'"));
    jd_db_free(d);
}

static char *
case_name(const char *path)
{
    const char *base = strrchr(path, '/') + 1;
    return strndup(base, strlen(base) - strlen(".case"));
}

int
main(void)
{
    static const struct CMUnitTest written[] = {
        cmocka_unit_test_setup_teardown(
            test_rank_class_model_is_used_only_while_current, tu_fixture_setup,
            tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_rank_each_resume_line_counts,
                                        tu_fixture_setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_rank_bad_weights_are_refused,
                                        tu_fixture_setup, tu_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_rank_weights_are_read_per_call,
                                        tu_fixture_setup, tu_fixture_teardown),
    };
    enum { N_WRITTEN = sizeof(written) / sizeof(written[0]) };
    char **paths;
    size_t n = case_paths(&paths);
    if (n == 0) {
        fprintf(stderr,
                "no ranking cases in %s (run from the top of the "
                "tree)\n",
                CASE_DIR);
        return 1;
    }
    struct CMUnitTest *tests = calloc(n + N_WRITTEN, sizeof(*tests));
    for (size_t i = 0; i < n; i++)
        tests[i] = (struct CMUnitTest){.name = case_name(paths[i]),
                                       .test_func = test_rank_case,
                                       .setup_func = case_setup,
                                       .teardown_func = case_teardown,
                                       .initial_state = paths[i]};
    memcpy(tests + n, written, sizeof(written));
    int rc =
        _cmocka_run_group_tests("ranking", tests, n + N_WRITTEN, NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        free((char *)tests[i].name);
        free(paths[i]);
    }
    free(paths);
    free(tests);
    return rc;
}
