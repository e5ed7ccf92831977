/*
 * test_cli_rank.c: ranking behaviours of `jobdex-query match`, each on a
 * tiny corpus of JSON-lines records written here so that only the
 * behaviour under test can separate the classes.
 */
#include "jobdex.h"

#include "indexer/util/buf.h"
#include "testutil.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Index the records RECORDS (JSON lines) into a new index under DIR. */
static void
index_records(const char *dir, const char *records, char *db, size_t size)
{
    char *path = tu_write(dir, "records.jsonl", records, strlen(records));
    snprintf(db, size, "%s/rank.db", dir);
    const char *argv[] = {"jobdex-index", "-q", "-d", db, path, NULL};
    struct tu_run r;
    tu_run(argv, NULL, &r);
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    free(path);
}

/* The ids of the results of `match -` given TEXT, in order, into IDS
 * (N at most). */
static size_t
match_ids(const char *db, const char *text, char ids[][64], size_t n)
{
    const char *argv[] = {"jobdex-query", "-d",    db,  "-f",
                          "json",         "match", "-", NULL};
    struct tu_run r;
    tu_run(argv, text, &r);
    assert_int_equal(r.status, 0);
    json_error_t err;
    json_t *j = json_loads(r.out, 0, &err);
    assert_non_null(j);
    json_t *results = json_object_get(j, "results");
    size_t k = 0;
    for (; k < n && k < json_array_size(results); k++)
        snprintf(ids[k], 64, "%s",
                 json_string_value(
                     json_object_get(json_array_get(results, k), "id")));
    json_decref(j);
    tu_run_free(&r);
    return k;
}

/*
 * Two classes with the same words, equally often, in texts of the same
 * length: only word order tells them apart. The one whose duty has
 * "water meter" side by side, as the query does, ranks first, although
 * its id sorts second (the order of a tie).
 */
static void
test_rank_adjacent_query_words_beat_scattered_ones(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp(), db[4200], ids[2][64];
    index_records(
        dir,
        "{\"id\": \"t/a-scattered\", \"title\": \"Pump Station Operator\", "
        "\"duties\": [{\"text\": \"Inspect the water supply lines.\"}, "
        "{\"text\": \"Read each meter and log pressure readings for the "
        "station.\"}]}\n"
        "{\"id\": \"t/b-adjacent\", \"title\": \"Pump Station Operator\", "
        "\"duties\": [{\"text\": \"Inspect the supply lines.\"}, "
        "{\"text\": \"Read each water meter and log pressure readings for "
        "the station.\"}]}\n",
        db, sizeof(db));
    assert_int_equal(match_ids(db,
                               "Read the water meter at each pump station "
                               "and log pressure readings for supply lines",
                               ids, 2),
                     2);
    assert_string_equal(ids[0], "t/b-adjacent");
    assert_string_equal(ids[1], "t/a-scattered");
    tu_rmtree(dir);
    free(dir);
}

/*
 * A residual class known only by its hundreds of titles (O*NET's "All
 * Other") is found by one of them, ahead of a class that merely does
 * related work: its length does not bury the title that matches.
 */
static void
test_rank_title_of_a_class_with_many_titles_is_found(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp(), db[4200], ids[2][64];
    jd_buf rec = {NULL, 0, 0};
    assert_int_equal(buf_puts(&rec, "{\"id\": \"t/all-other\", \"title\": "
                                    "\"Production Workers, All Other\", "
                                    "\"alt_titles\": [\"Shank Tapper\""),
                     JD_OK);
    static const char *const words[] = {"Bench", "Kiln", "Press", "Lathe",
                                        "Loom",  "Vat",  "Mold",  "Dye"};
    static const char *const jobs[] = {"Hand", "Feeder", "Tender", "Helper",
                                       "Sorter"};
    for (size_t i = 0; i < 8; i++)
        for (size_t k = 0; k < 5; k++)
            for (int n = 1; n <= 5; n++) {
                char t[64];
                snprintf(t, sizeof(t), ", \"%s %s %d\"", words[i], jobs[k], n);
                assert_int_equal(buf_puts(&rec, t), JD_OK);
            }
    assert_int_equal(
        buf_puts(&rec, "], \"summary\": \"All production workers not listed "
                       "separately.\"}\n"
                       "{\"id\": \"t/tapping\", \"title\": \"Tapping Machine "
                       "Operators\", \"summary\": \"Tap threads in the shanks "
                       "of bolts.\", \"duties\": [{\"text\": \"Set up tapping "
                       "machines to cut threads in shanks.\"}]}\n"),
        JD_OK);
    index_records(dir, rec.data, db, sizeof(db));
    assert_true(match_ids(db, "Shank Tapper", ids, 2) >= 1);
    assert_string_equal(ids[0], "t/all-other");
    jd_buf_free(&rec);
    tu_rmtree(dir);
    free(dir);
}

/*
 * A title word no class has ("Oysterman") stands for the longest word it
 * starts with that a class has ("oyster"), so the query is not lost.
 */
static void
test_rank_unknown_word_stands_in_by_its_known_start(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp(), db[4200], ids[2][64];
    index_records(dir,
                  "{\"id\": \"t/crab\", \"title\": \"Crab Pickers\", "
                  "\"duties\": [{\"text\": \"Pick crab meat from shells."
                  "\"}]}\n"
                  "{\"id\": \"t/oyster\", \"title\": \"Oyster Shuckers\", "
                  "\"duties\": [{\"text\": \"Open oysters and grade them by "
                  "size.\"}]}\n",
                  db, sizeof(db));
    assert_int_equal(match_ids(db, "Oysterman", ids, 2), 1);
    assert_string_equal(ids[0], "t/oyster");
    tu_rmtree(dir);
    free(dir);
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
    (void)state;
    char *dir = tu_mkdtemp(), db[4200];
    index_records(dir, captains, db, sizeof(db));
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
    char *more = tu_write(dir, "more.jsonl", pilot, strlen(pilot));
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
    tu_rmtree(dir);
    free(dir);
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
    (void)state;
    char *dir = tu_mkdtemp(), db[4200];
    index_records(
        dir,
        "{\"id\": \"t/web\", \"title\": \"Web Developer\", \"duties\": "
        "[{\"text\": \"Build and maintain websites, web applications and "
        "databases with modern frameworks, testing tools and version "
        "control.\"}]}\n"
        "{\"id\": \"t/payroll\", \"title\": \"Payroll Clerk\", "
        "\"duties\": [{\"text\": \"Process payroll and timesheets.\"}]}\n"
        "{\"id\": \"t/records\", \"title\": \"Records Clerk\", "
        "\"duties\": [{\"text\": \"File and retrieve records.\"}]}\n",
        db, sizeof(db));
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
    tu_rmtree(dir);
    free(dir);
}

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
    (void)state;
    char *dir = tu_mkdtemp(), db[4200];
    index_records(dir, captains, db, sizeof(db));
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
    tu_rmtree(dir);
    free(dir);
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
    (void)state;
    char *dir = tu_mkdtemp(), db[4200];
    index_records(dir, captains, db, sizeof(db));
    jd_db *d;
    assert_int_equal(jd_db_new(&d), JD_OK);
    assert_int_equal(jd_db_open(d, db, JD_OPEN_READ), JD_OK);
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
    tu_rmtree(dir);
    free(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rank_adjacent_query_words_beat_scattered_ones),
        cmocka_unit_test(test_rank_title_of_a_class_with_many_titles_is_found),
        cmocka_unit_test(test_rank_unknown_word_stands_in_by_its_known_start),
        cmocka_unit_test(test_rank_class_model_is_used_only_while_current),
        cmocka_unit_test(test_rank_each_resume_line_counts),
        cmocka_unit_test(test_rank_bad_weights_are_refused),
        cmocka_unit_test(test_rank_weights_are_read_per_call),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
