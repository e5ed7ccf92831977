/*
 * test_cli_query.c: jobdex-query as a user runs it, over an index of
 * corpus/ built once for the whole program: the acceptance queries of
 * the query tool, every output format, exit statuses, batch matching.
 */
#include "jobdex.h"

#include "indexer/text/analyze.h"
#include "indexer/util/buf.h"
#include "indexer/util/termmap.h"
#include "testutil.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* An index of corpus/, built once for the whole program. */
static struct tu_fixture corpus;
static const char *const db = corpus.db;

static const char *resume = "tests/fixtures/resumes/web-content-manager.txt";

static int
build_index(void **state)
{
    (void)state;
    tu_fixture_init(&corpus);
    return tu_index(db, "corpus", NULL) == 0 ? 0 : -1;
}

static int
remove_index(void **state)
{
    (void)state;
    tu_fixture_fini(&corpus);
    return 0;
}

/* Run jobdex-query -d DB ARGS... */
static void
query(struct tu_run *r, const char *stdin_text, ...)
{
    const char *argv[32] = {"jobdex-query", "-d", db};
    size_t n = 3;
    va_list ap;
    va_start(ap, stdin_text);
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL && n < 31)
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    tu_run(argv, stdin_text, r);
}

static json_t *
parse_json(const char *text)
{
    json_error_t err;
    json_t *j = json_loads(text, 0, &err);
    if (!j)
        fprintf(stderr, "not JSON (%s): %.300s\n", err.text, text);
    assert_non_null(j);
    return j;
}

static const char *
result_id(json_t *j, size_t i)
{
    json_t *r = json_array_get(json_object_get(j, "results"), i);
    return json_string_value(json_object_get(r, "id"));
}

/* ---- search ---- */

static void
test_query_search_title_and_word_ranks_web_services_first(void **state)
{
    (void)state;
    struct tu_run r;
    query(&r, NULL, "--format", "json", "search",
          "title:coordinator AND website", (char *)NULL);
    assert_int_equal(r.status, 0);
    json_t *j = parse_json(r.out);
    assert_string_equal(result_id(j, 0), "milwaukie/web-services-coordinator");
    json_decref(j);
    tu_run_free(&r);
}

static void
test_query_search_phrase_with_filter_marks_the_phrase(void **state)
{
    (void)state;
    struct tu_run r;
    query(&r, NULL, "search", "\"public relations\"", "--jurisdiction",
          "milwaukie", (char *)NULL);
    assert_int_equal(r.status, 0);
    /* Not a terminal: matches in brackets, the phrase as one mark. */
    assert_non_null(strstr(r.out, "2 of 2 classes match"));
    assert_non_null(strstr(r.out, "Community Engagement Coordinator"));
    assert_non_null(strstr(r.out, "Information Systems Technology (IST) "
                                  "Director"));
    assert_int_equal(tu_count_lines(r.out, "duty 10"), 2);
    assert_int_equal(tu_count_lines(r.out, "Maintains positive [public "
                                           "relations] with"),
                     2);
    /* "related" shares a stem with "relations" but is not the phrase. */
    assert_null(strstr(r.out, "[related]"));
    tu_run_free(&r);
}

static void
test_query_search_grade_range_keeps_only_classes_in_range(void **state)
{
    (void)state;
    struct tu_run r;
    query(&r, NULL, "-f", "json", "search", "duty:budget", "--grade", "30..40",
          (char *)NULL);
    assert_int_equal(r.status, 0);
    json_t *j = parse_json(r.out);
    json_t *res = json_object_get(j, "results");
    assert_int_equal(json_array_size(res), 1);
    assert_string_equal(
        result_id(j, 0),
        "milwaukie/information-systems-technology-ist-director");
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(res, 0), "pay_grade")),
        "31");
    json_decref(j);
    tu_run_free(&r);
    /* "city" is in every spec; the range keeps grade 31 only (grades
     * 56, 60 and 66 lie outside, St. Louis has none). */
    query(&r, NULL, "-f", "json", "search", "city", (char *)NULL);
    j = parse_json(r.out);
    assert_int_equal(json_array_size(json_object_get(j, "results")), 5);
    json_decref(j);
    tu_run_free(&r);
    query(&r, NULL, "-f", "json", "search", "city", "--grade", "30..40",
          (char *)NULL);
    j = parse_json(r.out);
    assert_int_equal(json_array_size(json_object_get(j, "results")), 1);
    json_decref(j);
    tu_run_free(&r);
    query(&r, NULL, "-f", "json", "search", "city", "--grade", "55..",
          (char *)NULL);
    j = parse_json(r.out);
    assert_int_equal(json_array_size(json_object_get(j, "results")), 3);
    json_decref(j);
    tu_run_free(&r);
}

static void
test_query_search_exit_statuses(void **state)
{
    (void)state;
    struct tu_run r;
    query(&r, NULL, "search", "zebra", (char *)NULL);
    assert_int_equal(r.status, 1);
    tu_run_free(&r);
    query(&r, NULL, "search", "budget AND", (char *)NULL);
    assert_int_equal(r.status, 2);
    assert_true(
        strncmp(r.err, "jobdex-query: invalid query 'budget AND': ", 42) == 0);
    tu_run_free(&r);
    query(&r, NULL, "search", "the", (char *)NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "only stop words"));
    tu_run_free(&r);
    query(&r, NULL, "frobnicate", (char *)NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "unknown command 'frobnicate'"));
    tu_run_free(&r);
    const char *missing[] = {"jobdex-query", "-d", "/nonexistent/x.db", "stats",
                             NULL};
    tu_run(missing, NULL, &r);
    assert_int_equal(r.status, 3);
    assert_string_equal(r.err, "jobdex-query: cannot open index "
                               "'/nonexistent/x.db': no such index\n");
    tu_run_free(&r);
}

/* The corpus's classes (tu_corpus_ids), as a bit each in the masks
 * below. */
enum { N_CORPUS = TU_CORPUS_RECORDS, ALL_CLASSES = (1 << N_CORPUS) - 1 };

/* The classes search QUERY finds (with --jurisdiction J when not NULL),
 * as a mask over corpus_ids. */
static unsigned
found_by(const char *q, const char *j)
{
    struct tu_run r;
    if (j)
        query(&r, NULL, "-f", "json", "-n", "100", "--jurisdiction", j,
              "search", "--", q, (char *)NULL);
    else
        query(&r, NULL, "-f", "json", "-n", "100", "search", "--", q,
              (char *)NULL);
    if (r.status > 1)
        fprintf(stderr, "search '%s': status %d: %s", q, r.status, r.err);
    assert_true(r.status <= 1);
    json_t *js = parse_json(r.out);
    json_t *res = json_object_get(js, "results");
    unsigned mask = 0;
    for (size_t i = 0; i < json_array_size(res); i++) {
        size_t k = 0;
        while (k < N_CORPUS && strcmp(tu_corpus_ids[k], result_id(js, i)) != 0)
            k++;
        assert_true(k < N_CORPUS);
        mask |= 1u << k;
    }
    /* The count said is the count listed. */
    assert_int_equal(json_integer_value(json_object_get(js, "total")),
                     json_array_size(res));
    json_decref(js);
    tu_run_free(&r);
    return mask;
}

/*
 * A group of excluded terms alone ("-web", "-a -b", "(-a)") means every
 * class but theirs, as NOT does, for every kind of term: a word, a
 * phrase, a field, a filter, a wildcard, a bracket; combined with other
 * groups and with filters. QueryParser refused such a group and the
 * query was silently parsed again without operators: "-web" found the
 * classes that have "web".
 */
static void
test_query_search_of_only_excluded_terms_matches_everything_else(void **state)
{
    (void)state;
    static const char *const terms[] = {
        "web",
        "\"public relations\"",
        "title:coordinator",
        "duty:budget",
        "jurisdiction:milwaukie",
        "internet*",
        "(internet OR budget)",
    };
    enum { N_TERMS = sizeof(terms) / sizeof(terms[0]) };
    unsigned has[N_TERMS];
    unsigned milwaukie = found_by("jurisdiction:milwaukie", NULL);
    assert_int_equal(milwaukie, 7); /* the first three */
    char q[512];
    for (size_t i = 0; i < N_TERMS; i++) {
        has[i] = found_by(terms[i], NULL);
        /* Each term tells classes apart: some have it, some not. */
        assert_true(has[i] != 0 && has[i] != ALL_CLASSES);
        unsigned others = ALL_CLASSES & ~has[i];
        snprintf(q, sizeof(q), "-%s", terms[i]);
        assert_int_equal(found_by(q, NULL), others);
        snprintf(q, sizeof(q), "NOT %s", terms[i]);
        assert_int_equal(found_by(q, NULL), others);
        snprintf(q, sizeof(q), "(-%s)", terms[i]);
        assert_int_equal(found_by(q, NULL), others);
        /* "city" is in every class: a group with a term of its own. */
        snprintf(q, sizeof(q), "city -%s", terms[i]);
        assert_int_equal(found_by(q, NULL), others);
        snprintf(q, sizeof(q), "-%s", terms[i]);
        assert_int_equal(found_by(q, "milwaukie"), milwaukie & others);
    }
    for (size_t i = 0; i < N_TERMS; i++)
        for (size_t k = i + 1; k < N_TERMS; k++) {
            snprintf(q, sizeof(q), "-%s -%s", terms[i], terms[k]);
            assert_int_equal(found_by(q, NULL),
                             ALL_CLASSES & ~(has[i] | has[k]));
            snprintf(q, sizeof(q), "-%s OR -%s", terms[i], terms[k]);
            assert_int_equal(found_by(q, NULL),
                             ALL_CLASSES & ~(has[i] & has[k]));
            snprintf(q, sizeof(q), "-%s AND -%s", terms[i], terms[k]);
            assert_int_equal(found_by(q, NULL),
                             ALL_CLASSES & ~(has[i] | has[k]));
            snprintf(q, sizeof(q), "%s -%s", terms[i], terms[k]);
            assert_int_equal(found_by(q, NULL), has[i] & ~has[k]);
        }
    /* Excluding only stop words leaves nothing to search for. */
    struct tu_run r;
    static const char *const nothing[] = {"-the", "NOT the", "-(of the)"};
    for (size_t i = 0; i < 3; i++) {
        query(&r, NULL, "search", "--", nothing[i], (char *)NULL);
        assert_int_equal(r.status, 2);
        assert_non_null(strstr(r.err, "only stop words"));
        tu_run_free(&r);
    }
    /* A keyword list is words, not a query: "-web" is the word web. */
    struct tu_run a, b;
    query(&a, NULL, "-f", "json", "match", "--keywords", "-web, budget",
          (char *)NULL);
    query(&b, NULL, "-f", "json", "match", "--keywords", "web, budget",
          (char *)NULL);
    assert_int_equal(a.status, 0);
    json_t *ja = parse_json(a.out), *jb = parse_json(b.out);
    assert_true(json_equal(json_object_get(ja, "results"),
                           json_object_get(jb, "results")));
    json_decref(ja);
    json_decref(jb);
    tu_run_free(&a);
    tu_run_free(&b);
}

/* ---- the term limit ---- */

static jd_status
keep_path(void *ctx, const char *path, const char *folder)
{
    (void)folder;
    jd_buf *paths = ctx;
    return buf_puts(paths, path) == JD_OK ? buf_putc(paths, '\n')
                                          : JD_ERR_NOMEM;
}

/* N distinct words of corpus/'s specs (four letters or more, no stop
 * word), in the order first met: words the index has. The N pointers
 * and the words are malloc'd. */
static char **
corpus_words(size_t n)
{
    jd_buf paths = {NULL, 0, 0};
    const char *root = "corpus";
    struct jd_walk_sink sink = {keep_path, NULL, &paths};
    assert_int_equal(jd_walk(&root, 1, 0, &sink), JD_OK);
    char **words = calloc(n, sizeof(char *));
    struct termmap seen = {NULL, 0, 0};
    size_t k = 0;
    char *save;
    for (char *path = strtok_r(paths.data, "\n", &save); path && k < n;
         path = strtok_r(NULL, "\n", &save)) {
        char *text = tu_read(path, NULL);
        assert_non_null(text);
        for (const char *p = text; *p && k < n;) {
            char w[64];
            size_t len = 0;
            while (((*p | 32) >= 'a' && (*p | 32) <= 'z') && len < 63)
                w[len++] = (char)(*p++ | 32);
            w[len] = '\0';
            if (len == 0)
                p++;
            if (len >= 4 && !analyze_is_stopword(w, len) &&
                termmap_get(&seen, w, len)->value++ == 0)
                words[k++] = strdup(w);
        }
        free(text);
    }
    termmap_free(&seen);
    jd_buf_free(&paths);
    assert_int_equal(k, n); /* the corpus has that many */
    return words;
}

static void
free_words(char **words, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(words[i]);
    free(words);
}

enum shape {
    AND_WORDS,
    OR_WORDS,
    OR_PHRASES,
    FIELD_WORDS,
    WITH_STOPWORDS,
    KEYWORDS,
    N_SHAPES
};

/* A query of the first N words in SHAPE (malloc'd). */
static char *
query_of(char **words, size_t n, enum shape shape)
{
    jd_buf b = {NULL, 0, 0};
    for (size_t i = 0; i < n; i++) {
        static const char *const sep[N_SHAPES][2] = {
            [AND_WORDS] = {" ", " "},
            [OR_WORDS] = {" OR ", " OR "},
            [OR_PHRASES] = {" ", "\" OR \""},
            [FIELD_WORDS] = {" duty:", " title:"},
            [WITH_STOPWORDS] = {" of the ", " and "},
            [KEYWORDS] = {" ", ", "}};
        if (i == 0 && shape == OR_PHRASES)
            assert_int_equal(buf_putc(&b, '"'), JD_OK);
        if (i == 0 && shape == FIELD_WORDS)
            assert_int_equal(buf_puts(&b, "title:"), JD_OK);
        if (i > 0)
            assert_int_equal(buf_puts(&b, sep[shape][i % 2 == 0]), JD_OK);
        assert_int_equal(buf_puts(&b, words[i]), JD_OK);
    }
    if (shape == OR_PHRASES)
        assert_int_equal(buf_putc(&b, '"'), JD_OK);
    return b.data;
}

/* Run search QUERY, or match --keywords QUERY for KEYWORDS. */
static void
run_shape(struct tu_run *r, const char *q, enum shape shape)
{
    if (shape == KEYWORDS)
        query(r, NULL, "match", "--keywords", q, (char *)NULL);
    else
        query(r, NULL, "search", "--", q, (char *)NULL);
}

/*
 * A query of JD_QUERY_MAX_TERMS terms runs; one more is refused, before
 * any search, with one line naming the count and the limit, status 2
 * (bad input), in every shape a query comes in: words, ORed words,
 * phrases, field words, words among stop words (which do not count),
 * a keyword list.
 */
static void
test_query_over_the_term_limit_is_refused_with_status_2(void **state)
{
    (void)state;
    size_t max = JD_QUERY_MAX_TERMS;
    char **words = corpus_words(max + 1);
    char want[128];
    snprintf(want, sizeof(want),
             "jobdex-query: query has %zu terms, over the %zu-term limit\n",
             max + 1, max);
    for (int shape = 0; shape < N_SHAPES; shape++) {
        struct tu_run r;
        char *at = query_of(words, max, (enum shape)shape);
        run_shape(&r, at, (enum shape)shape);
        if (r.status > 1)
            fprintf(stderr, "shape %d at the limit: %s", shape, r.err);
        assert_true(r.status <= 1);
        assert_string_equal(r.err, "");
        tu_run_free(&r);
        free(at);
        char *over = query_of(words, max + 1, (enum shape)shape);
        run_shape(&r, over, (enum shape)shape);
        if (r.status != 2 || strcmp(r.err, want) != 0)
            fprintf(stderr, "shape %d over the limit: status %d: %s", shape,
                    r.status, r.err);
        assert_int_equal(r.status, 2);
        assert_string_equal(r.err, want);
        assert_int_equal(r.out_len, 0);
        tu_run_free(&r);
        free(over);
    }
    /* --help says so. */
    struct tu_run h;
    const char *help[] = {"jobdex-query", "--help", NULL};
    tu_run(help, NULL, &h);
    snprintf(want, sizeof(want), "%zu terms at most", max);
    assert_non_null(strstr(h.out, want));
    tu_run_free(&h);
    /* A résumé has no such limit: its most informative words are kept. */
    char *text = query_of(words, max + 1, AND_WORDS);
    struct tu_run r;
    query(&r, text, "match", "-", (char *)NULL);
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    free(text);
    free_words(words, max + 1);
}

/* The instructions jobdex-query -d DB ARGS... executes. */
static unsigned long long
instructions_of(const char *const *args)
{
    const char *argv[16] = {"jobdex-query", "-d", db};
    size_t n = 3;
    for (size_t i = 0; args[i] && n < 15; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    return tu_instructions(argv);
}

/*
 * Below the limit a query costs about linearly in its terms: four times
 * the terms, less than six times the instructions (the square would be
 * sixteen). Counted, not timed. Before the limit a 1,024-word OR cost
 * 8.2 times a 256-word one here: Xapian's matcher re-weighs its whole
 * tree of OR branches each time one runs out.
 */
static void
test_query_cost_grows_linearly_up_to_the_term_limit(void **state)
{
    (void)state;
    const char *why = tu_instructions_unavailable();
    if (why) {
        fprintf(stderr, "skipped: %s\n", why);
        skip();
    }
    size_t max = JD_QUERY_MAX_TERMS;
    char **words = corpus_words(max);
    static const enum shape shapes[] = {OR_WORDS, OR_PHRASES, KEYWORDS};
    for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
        unsigned long long cost[2];
        for (int k = 0; k < 2; k++) {
            char *q = query_of(words, k ? max : max / 4, shapes[i]);
            const char *search[] = {"search", "--", q, NULL};
            const char *keywords[] = {"match", "--keywords", q, NULL};
            cost[k] =
                instructions_of(shapes[i] == KEYWORDS ? keywords : search);
            free(q);
        }
        double ratio = (double)cost[1] / (double)cost[0];
        fprintf(stderr,
                "shape %d: %zu terms %llu, %zu terms %llu "
                "instructions: %.1fx\n",
                (int)shapes[i], max / 4, cost[0], max, cost[1], ratio);
        assert_true(ratio < 6.0);
    }
    free_words(words, max);
}

/* ---- match ---- */

/* The résumé's line N, trimmed, or NULL. */
static char *
resume_line(unsigned n)
{
    char *text = tu_read(resume, NULL);
    char *line = text;
    for (unsigned i = 1; line && i < n; i++) {
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    char *out = NULL;
    if (line) {
        char *end = strchr(line, '\n');
        out = strndup(line, end ? (size_t)(end - line) : strlen(line));
    }
    free(text);
    return out;
}

static void
test_query_match_resume_explains_with_real_duties_and_lines(void **state)
{
    (void)state;
    struct tu_run r;
    query(&r, NULL, "-f", "json", "match", "--explain", resume, (char *)NULL);
    assert_int_equal(r.status, 0);
    json_t *j = parse_json(r.out);
    assert_string_equal(result_id(j, 0), "milwaukie/web-services-coordinator");
    json_t *top = json_array_get(json_object_get(j, "results"), 0);
    assert_int_equal(json_integer_value(json_object_get(top, "percent")), 100);
    assert_string_equal(json_string_value(json_object_get(top, "confidence")),
                        "high");

    /* The evidence names duties of the spec by their numbers, and the
     * résumé lines by theirs. */
    jd_db *d;
    jd_spec *spec;
    assert_int_equal(jd_db_new(&d), JD_OK);
    assert_int_equal(jd_db_open(d, db, JD_OPEN_READ), JD_OK);
    assert_int_equal(jd_db_get(d, "milwaukie/web-services-coordinator", &spec),
                     JD_OK);
    json_t *ev = json_object_get(top, "evidence");
    assert_true(json_array_size(ev) >= 5);
    size_t duties = 0;
    for (size_t i = 0; i < json_array_size(ev); i++) {
        json_t *e = json_array_get(ev, i);
        const char *list = json_string_value(json_object_get(e, "list"));
        unsigned n = (unsigned)json_integer_value(json_object_get(e, "n"));
        const char *item = json_string_value(json_object_get(e, "item_text"));
        if (strcmp(list, "duties") == 0) {
            duties++;
            assert_true(n >= 1 && n <= spec->duties.len);
            assert_string_equal(item, spec->duties.v[n - 1].text);
            assert_int_equal(
                json_integer_value(json_object_get(e, "item_line")),
                spec->duties.v[n - 1].line);
        }
        unsigned qline =
            (unsigned)json_integer_value(json_object_get(e, "query_line"));
        char *want = resume_line(qline);
        assert_non_null(want);
        assert_non_null(
            strstr(want, json_string_value(json_object_get(e, "query_text"))));
        free(want);
    }
    assert_true(duties >= 4);
    /* The best evidence: duty 2, first point of contact for the site. */
    json_t *best = json_array_get(ev, 0);
    assert_int_equal(json_integer_value(json_object_get(best, "n")), 2);

    /* Gaps are qualifications of the spec that the résumé lacks. */
    json_t *gaps = json_object_get(top, "gaps");
    assert_true(json_array_size(gaps) >= 1);
    bool relationships = false;
    for (size_t i = 0; i < json_array_size(gaps); i++) {
        const char *t =
            json_string_value(json_object_get(json_array_get(gaps, i), "text"));
        relationships |= strcmp(t, "Establish and maintain effective working "
                                   "relationships.") == 0;
    }
    assert_true(relationships);
    jd_spec_free(spec);
    jd_db_free(d);
    json_decref(j);
    tu_run_free(&r);
}

static void
test_query_match_keywords_rank_community_engagement_first(void **state)
{
    (void)state;
    struct tu_run r;
    query(&r, NULL, "-f", "json", "match", "--keywords",
          "grant programs, neighborhood associations, public outreach",
          (char *)NULL);
    assert_int_equal(r.status, 0);
    json_t *j = parse_json(r.out);
    assert_string_equal(result_id(j, 0),
                        "milwaukie/community-engagement-coordinator");
    json_decref(j);
    tu_run_free(&r);
}

static void
test_query_match_reads_standard_input_and_is_deterministic(void **state)
{
    (void)state;
    char *text = tu_read(resume, NULL);
    struct tu_run a, b;
    query(&a, text, "match", "--explain", "-", (char *)NULL);
    query(&b, text, "match", "--explain", "-", (char *)NULL);
    assert_int_equal(a.status, 0);
    assert_string_equal(a.out, b.out);
    assert_non_null(strstr(a.out, "1. Web Services Coordinator"));
    assert_non_null(strstr(a.out, "evidence:"));
    assert_non_null(strstr(a.out, "not covered by your text:"));
    tu_run_free(&a);
    tu_run_free(&b);
    free(text);
}

static void
test_query_match_batch_answers_each_line_in_order(void **state)
{
    (void)state;
    const char *in =
        "{\"id\": \"a\", \"text\": \"neighborhood grant program outreach\"}\n"
        "not json\n"
        "{\"id\": 7, \"text\": \"website content management system\"}\n"
        "{\"id\": \"c\", \"text\": \"the of and\"}\n";
    struct tu_run r;
    query(&r, in, "-f", "json", "-n", "2", "match", "--batch", "-",
          (char *)NULL);
    assert_int_equal(r.status, 1); /* two lines could not be answered */
    assert_int_equal(tu_count_lines(r.out, "{\"query\""), 4);
    char *save, *copy = strdup(r.out);
    const char *want[] = {"a", NULL, "7", "c"};
    size_t i = 0;
    for (char *l = strtok_r(copy, "\n", &save); l;
         l = strtok_r(NULL, "\n", &save), i++) {
        json_t *j = parse_json(l);
        json_t *q = json_object_get(j, "query");
        if (want[i])
            assert_string_equal(json_string_value(q), want[i]);
        else
            assert_true(json_is_null(q));
        if (i == 0)
            assert_string_equal(result_id(j, 0),
                                "milwaukie/community-engagement-coordinator");
        if (i == 1 || i == 3)
            assert_non_null(json_object_get(j, "error"));
        json_decref(j);
    }
    assert_int_equal(i, 4);
    free(copy);
    assert_non_null(strstr(r.err, "line 2: invalid JSON"));
    tu_run_free(&r);
}

/* Forty-odd lines, some that cannot be answered, for -j. */
static char *
mixed_batch(void)
{
    static const char *const texts[] = {
        "neighborhood grant program outreach",
        "website content management system",
        "budget preparation and network security",
        "public relations and safe work habits",
        "information systems strategic planning",
    };
    jd_buf b = {NULL, 0, 0};
    for (int i = 0; i < 45; i++) {
        char line[256];
        if (i % 9 == 4)
            snprintf(line, sizeof(line), "not json %d\n", i);
        else if (i % 11 == 7)
            snprintf(line, sizeof(line), "{\"id\": %d}\n", i);
        else if (i % 13 == 5)
            snprintf(line, sizeof(line), "{\"id\": %d, \"text\": \"the of\"}\n",
                     i);
        else
            snprintf(line, sizeof(line),
                     "{\"id\": \"q%d\", \"text\": \"%s\"}\n", i, texts[i % 5]);
        assert_int_equal(buf_puts(&b, line), JD_OK);
        if (i % 10 == 3)
            assert_int_equal(buf_puts(&b, "\n"), JD_OK); /* a blank line */
    }
    return b.data;
}

/* -j N writes byte for byte what one process writes, in every format,
 * from a file or standard input, with the same exit status. */
static void
test_query_match_batch_in_workers_writes_what_one_process_writes(void **state)
{
    (void)state;
    char *in = mixed_batch();
    char *path = tu_write(corpus.dir, "mixed.jsonl", in, strlen(in));
    static const char *const formats[] = {"text", "json", "csv"};
    for (size_t f = 0; f < 3; f++) {
        struct tu_run one, two, three, piped;
        query(&one, NULL, "-f", formats[f], "match", "--batch", path,
              (char *)NULL);
        query(&two, NULL, "-f", formats[f], "match", "--batch", path, "-j", "2",
              (char *)NULL);
        query(&three, NULL, "-f", formats[f], "--jobs", "3", "match", "--batch",
              path, (char *)NULL);
        query(&piped, in, "-f", formats[f], "match", "--batch", "-", "-j", "2",
              (char *)NULL);
        assert_int_equal(one.status, 1); /* some lines rejected */
        assert_true(one.out_len > 1000);
        assert_int_equal(two.status, one.status);
        assert_int_equal(three.status, one.status);
        assert_int_equal(piped.status, one.status);
        assert_string_equal(two.out, one.out);
        assert_string_equal(three.out, one.out);
        assert_string_equal(piped.out, one.out);
        /* The same rejections, whichever worker reported them. */
        assert_int_equal(tu_count_lines(two.err, "rejected"),
                         tu_count_lines(one.err, "rejected"));
        assert_true(tu_count_lines(one.err, "rejected") >= 8);
        tu_run_free(&one);
        tu_run_free(&two);
        tu_run_free(&three);
        tu_run_free(&piped);
    }
    struct tu_run r;
    query(&r, NULL, "-f", "csv", "match", "--batch", path, "-j", "2",
          (char *)NULL);
    assert_int_equal(tu_count_lines(r.out, "query,rank,id"), 1);
    tu_run_free(&r);
    query(&r, NULL, "match", "--keywords", "budget", "-j", "2", (char *)NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "--jobs goes with match --batch"));
    tu_run_free(&r);
    free(path);
    free(in);
}

/* Start jobdex-query -d DB ARGS... with standard input from IN,
 * standard output into the file OUT, and $TMPDIR set to TMP. */
static pid_t
spawn_query(const char *const *args, int in, const char *out, const char *tmp)
{
    const char *argv[32] = {"jobdex-query", "-d", db};
    size_t n = 3;
    for (size_t i = 0; args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    char prog[4096];
    snprintf(prog, sizeof(prog), "%s/jobdex-query", tu_bindir());
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int null = open("/dev/null", O_WRONLY);
        if (o < 0 || null < 0 || dup2(in, 0) < 0 || dup2(o, 1) < 0 ||
            dup2(null, 2) < 0 || setenv("TMPDIR", tmp, 1) != 0)
            _exit(99);
        execv(prog, (char *const *)argv);
        _exit(99);
    }
    return pid;
}

/* Entries in directory DIR, "." and ".." aside. */
static size_t
dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

/* Lines in the file PATH so far. */
static size_t
lines_in(const char *path)
{
    char *text = tu_read(path, NULL);
    size_t n = 0;
    for (const char *p = text; p && *p; p++)
        n += *p == '\n';
    free(text);
    return n;
}

/* Write LEN bytes of TEXT to FD, blocking. */
static void
write_fully(int fd, const char *text, size_t len)
{
    while (len > 0) {
        ssize_t k = write(fd, text, len);
        if (k < 0 && errno == EINTR)
            continue;
        assert_true(k > 0);
        text += k;
        len -= (size_t)k;
    }
}

/*
 * match --batch - -j N copies standard input (applicants' résumés) to a
 * temporary file for its workers. Stopped by SIGINT or SIGTERM while it
 * copies or while the workers answer, it dies of the signal and leaves
 * nothing in $TMPDIR.
 */
static void
test_query_match_batch_from_stdin_leaves_no_copy_when_stopped(void **state)
{
    (void)state;
    jd_buf batch = {NULL, 0, 0};
    for (int i = 0; i < 3000; i++) {
        char line[256];
        snprintf(line, sizeof(line),
                 "{\"id\": %d, \"text\": \"website content management "
                 "system, budget preparation and network security\"}\n",
                 i);
        assert_int_equal(buf_puts(&batch, line), JD_OK);
    }
    /* More than a pipe holds: once written, the copy has begun. */
    assert_true(batch.len > (size_t)256 << 10);
    const char *args[] = {"-f", "json", "match", "--batch",
                          "-",  "-j",   "2",     NULL};
    const int sigs[] = {SIGINT, SIGTERM};
    char out[4400];
    snprintf(out, sizeof(out), "%s/stopped.out", corpus.dir);
    for (size_t k = 0; k < 2; k++) {
        for (int answering = 0; answering <= 1; answering++) {
            char *tmp = tu_mkdtemp();
            int p[2];
            assert_int_equal(pipe(p), 0);
            /* Only this process may hold the writing end. */
            assert_int_equal(fcntl(p[1], F_SETFD, FD_CLOEXEC), 0);
            pid_t pid = spawn_query(args, p[0], out, tmp);
            close(p[0]);
            if (!answering) {
                /* Stopped while it copies: half the input is in, the
                 * pipe stays open. */
                write_fully(p[1], batch.data, batch.len / 2);
            } else {
                /* Stopped while the workers answer. */
                write_fully(p[1], batch.data, batch.len);
                close(p[1]);
                long long until = tu_now_us() + 60 * 1000000LL;
                int early = -1;
                while (lines_in(out) == 0 && tu_now_us() < until &&
                       (early = tu_wait(pid, true)) == -1)
                    nanosleep(&(struct timespec){0, 10000000}, NULL);
                if (early != -1)
                    fprintf(stderr, "jobdex-query ended early: %d\n", early);
                assert_int_equal(early, -1);
                assert_true(lines_in(out) > 0);
                assert_true(lines_in(out) < 3000); /* not done yet */
            }
            assert_int_equal(kill(pid, sigs[k]), 0);
            int status = tu_wait(pid, false);
            if (!answering)
                close(p[1]);
            assert_int_equal(status, 128 + sigs[k]);
            if (dir_entries(tmp) != 0)
                fprintf(stderr, "signal %d while %s: left in $TMPDIR:\n",
                        sigs[k], answering ? "answering" : "copying");
            assert_int_equal(dir_entries(tmp), 0);
            tu_rmtree(tmp);
            free(tmp);
        }
    }
    jd_buf_free(&batch);
}

/* ---- bad input ---- */

/*
 * Every kind of bad input jobdex-query meets, with its one line on
 * stderr and the status README's table gives it: 2 for bad input (a
 * text or query over a limit, not UTF-8, with a NUL byte, malformed,
 * without a searchable word), 1 when nothing is found (no record of
 * that id; in a batch, a line rejected and the rest answered), 3 when
 * a file or the index cannot be read.
 */
static void
test_query_bad_input_gets_the_status_of_readmes_table(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN); /* a refused standard input may go unread */
    size_t max = JD_SPEC_MAX_BYTES;
    char *big = malloc(max + 2);
    for (size_t i = 0; i <= max; i++)
        big[i] = i % 40 == 39 ? '\n' : "web content "[i % 12];
    big[max + 1] = '\0';
    char *dir = tu_mkdtemp();
    char *big_file = tu_write(dir, "big.txt", big, max + 1);
    char *nul_file = tu_write(dir, "nul.txt", "web\0content\n", 12);
    char *latin1 = tu_write(dir, "latin1.txt", "Caf\xe9 manager\n", 13);
    char *empty = tu_write(dir, "empty.txt", "", 0);
    char *stops = tu_write(dir, "stops.txt", "the of and\n", 11);
    /* A batch whose first line holds more than a JSON line may. */
    jd_buf batch = {NULL, 0, 0};
    char *words = malloc(max + 1);
    memset(words, 'w', max + 1);
    assert_int_equal(buf_puts(&batch, "{\"id\": \"big\", \"text\": \""), JD_OK);
    assert_int_equal(buf_append(&batch, words, max + 1), JD_OK);
    assert_int_equal(buf_puts(&batch, "\"}\n{\"id\": \"ok\", \"text\": "
                                      "\"web\"}\n"),
                     JD_OK);
    char *big_batch = tu_write(dir, "big.jsonl", batch.data, batch.len);
    jd_buf_free(&batch);
    free(words);
    char missing[4200], no_index[4200];
    snprintf(missing, sizeof(missing), "%s/missing.txt", dir);
    snprintf(no_index, sizeof(no_index), "%s/no.db", dir);

    char limit[64];
    snprintf(limit, sizeof(limit), "over the %zu-byte limit", max);
    const struct {
        const char *args[6];
        const char *in; /* standard input */
        int status;
        const char *subject; /* what the message names, as "@" */
        const char *err;     /* stderr after "jobdex-query: "; "#": the
                                size limit */
    } table[] = {
        {{"match", big_file}, NULL, 2, big_file, "cannot read '@': #"},
        {{"match", "-"}, big, 2, "-", "cannot read '@': #"},
        {{"match", latin1},
         NULL,
         2,
         latin1,
         "cannot match '@': text is not valid UTF-8"},
        {{"match", "-"},
         "Caf\xe9\n",
         2,
         "-",
         "cannot match '@': text is not valid UTF-8"},
        {{"search", "web \xc0\xaf"},
         NULL,
         2,
         "web \xc0\xaf",
         "invalid query '@': query is not valid UTF-8"},
        {{"match", "--keywords", "web, \xed\xa0\x80"},
         NULL,
         2,
         "web, \xed\xa0\x80",
         "cannot match '@': text is not valid UTF-8"},
        {{"match", nul_file},
         NULL,
         2,
         nul_file,
         "cannot match '@': binary file (NUL byte at offset 3)"},
        {{"match", "-"},
         NULL,
         2,
         "-",
         "cannot match '@': no searchable words (only stop words or "
         "punctuation)"},
        {{"search", "budget AND"},
         NULL,
         2,
         "budget AND",
         "invalid query '@': Syntax: <expression> AND <expression>"},
        {{"search", "the of"},
         NULL,
         2,
         "the of",
         "invalid query '@': no searchable words (only stop words)"},
        {{"match", empty},
         NULL,
         2,
         empty,
         "cannot match '@': no searchable words (only stop words or "
         "punctuation)"},
        {{"match", stops},
         NULL,
         2,
         stops,
         "cannot match '@': no searchable words (only stop words or "
         "punctuation)"},
        {{"match", "--keywords", ", ;"},
         NULL,
         2,
         ", ;",
         "cannot match '@': no searchable words (only stop words or "
         "punctuation)"},
        {{"-n", "0", "stats"},
         NULL,
         2,
         "0",
         "invalid limit '@'\nTry 'jobdex-query --help' for more "
         "information."},
        {{"show", "nowhere/1"},
         NULL,
         1,
         "nowhere/1",
         "cannot show '@': no record '@'"},
        {{"similar", "nowhere/1"},
         NULL,
         1,
         "nowhere/1",
         "cannot compare '@': no record '@'"},
        {{"match", "--batch", big_batch},
         NULL,
         1,
         big_batch,
         "rejected '@' line 1: line is over the 8388608-byte limit"},
        {{"match", missing},
         NULL,
         3,
         missing,
         "cannot read '@': No such file or directory"},
        {{"match", "--batch", missing},
         NULL,
         3,
         missing,
         "cannot read '@': No such file or directory"},
        {{"match", dir}, NULL, 3, dir, "cannot read '@': Is a directory"},
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        const char *argv[12] = {"jobdex-query", "-d", db};
        size_t n = 3;
        for (size_t k = 0; k < 6 && table[i].args[k]; k++)
            argv[n++] = table[i].args[k];
        argv[n] = NULL;
        char want[8192] = "jobdex-query: ";
        for (const char *t = table[i].err; *t; t++) {
            size_t wl = strlen(want);
            if (*t == '@' || *t == '#')
                snprintf(want + wl, sizeof(want) - wl, "%s",
                         *t == '@' ? table[i].subject : limit);
            else if (wl + 1 < sizeof(want))
                want[wl] = *t, want[wl + 1] = '\0';
        }
        strcat(want, "\n");
        struct tu_run r;
        tu_run(argv, table[i].in, &r);
        /* A batch answers its good lines: only stderr is compared. */
        if (r.status != table[i].status || strcmp(r.err, want) != 0)
            fprintf(stderr,
                    "case %zu (%s %s): status %d, wanted %d:\n%s"
                    "---- wanted:\n%s",
                    i, table[i].args[0], table[i].args[1], r.status,
                    table[i].status, r.err, want);
        assert_int_equal(r.status, table[i].status);
        assert_string_equal(r.err, want);
        tu_run_free(&r);
    }
    struct tu_run r;
    const char *gone[] = {"jobdex-query", "-d", no_index, "stats", NULL};
    tu_run(gone, NULL, &r);
    assert_int_equal(r.status, 3);
    char want[4400];
    snprintf(want, sizeof(want),
             "jobdex-query: cannot open index '%s': no such index\n", no_index);
    assert_string_equal(r.err, want);
    tu_run_free(&r);
    free(big);
    free(big_file);
    free(nul_file);
    free(latin1);
    free(empty);
    free(stops);
    free(big_batch);
    tu_rmtree(dir);
    free(dir);
}

/* ---- similar, show, stats ---- */

static void
test_query_similar_excludes_itself_and_shows_shared_duties(void **state)
{
    (void)state;
    struct tu_run r;
    query(&r, NULL, "-f", "json", "similar",
          "milwaukie/community-engagement-coordinator", (char *)NULL);
    assert_int_equal(r.status, 0);
    json_t *j = parse_json(r.out);
    json_t *res = json_object_get(j, "results");
    assert_int_equal(json_array_size(res), 4);
    for (size_t i = 0; i < json_array_size(res); i++)
        assert_string_not_equal(result_id(j, i),
                                "milwaukie/community-engagement-coordinator");
    /* Some other class shares the public relations duty (duty 10). */
    bool shared = false;
    for (size_t i = 0; i < json_array_size(res); i++) {
        json_t *ev = json_object_get(json_array_get(res, i), "evidence");
        for (size_t k = 0; k < json_array_size(ev); k++)
            shared |= json_integer_value(json_object_get(json_array_get(ev, k),
                                                         "query_line")) == 10;
    }
    assert_true(shared);
    json_decref(j);
    tu_run_free(&r);
    query(&r, NULL, "similar", "nowhere/1", (char *)NULL);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "no record 'nowhere/1'"));
    tu_run_free(&r);
}

static void
test_query_show_prints_the_record_in_every_format(void **state)
{
    (void)state;
    struct tu_run r;
    query(&r, NULL, "show", "portland/30003028", (char *)NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "title              Coordinator II"));
    assert_non_null(strstr(r.out, "DUTIES"));
    tu_run_free(&r);
    query(&r, NULL, "-f", "json", "show", "portland/30003028", (char *)NULL);
    json_t *j = parse_json(r.out);
    assert_int_equal(json_array_size(json_object_get(j, "duties")), 23);
    json_decref(j);
    tu_run_free(&r);
    query(&r, NULL, "-f", "csv", "show", "portland/30003028", (char *)NULL);
    assert_true(strncmp(r.out, "field,n,kind,line,value\r\n", 25) == 0);
    size_t rows = 0;
    for (const char *p = r.out; (p = strstr(p, "\r\nduties,")) != NULL; p++)
        rows++;
    assert_int_equal(rows, 23);
    tu_run_free(&r);
}

static void
test_query_stats_counts_by_jurisdiction(void **state)
{
    (void)state;
    struct tu_run r;
    query(&r, NULL, "-f", "json", "stats", (char *)NULL);
    assert_int_equal(r.status, 0);
    json_t *j = parse_json(r.out);
    assert_int_equal(json_integer_value(json_object_get(j, "classes")), 5);
    assert_int_equal(json_integer_value(json_object_get(j, "format")),
                     JD_INDEX_FORMAT_VERSION);
    json_t *jur = json_object_get(j, "jurisdictions");
    json_t *first = json_array_get(jur, 0);
    assert_string_equal(json_string_value(json_object_get(first, "name")),
                        "milwaukie");
    assert_int_equal(json_integer_value(json_object_get(first, "count")), 3);
    assert_true(json_integer_value(json_object_get(j, "bytes")) > 0);
    json_decref(j);
    tu_run_free(&r);
}

static void
test_query_every_command_has_json_and_csv_with_header(void **state)
{
    (void)state;
    const char *cmds[][3] = {
        {"search", "website", NULL},
        {"match", "--keywords", "budget, network security"},
        {"similar", "st-louis/1368", NULL},
        {"show", "st-louis/1368", NULL},
        {"stats", NULL, NULL},
        {"overlap", NULL, NULL},
    };
    for (size_t c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++) {
        struct tu_run r;
        query(&r, NULL, "-f", "json", cmds[c][0], cmds[c][1], cmds[c][2],
              (char *)NULL);
        assert_int_equal(r.status, 0);
        json_decref(parse_json(r.out));
        tu_run_free(&r);
        query(&r, NULL, "-f", "csv", cmds[c][0], cmds[c][1], cmds[c][2],
              (char *)NULL);
        assert_int_equal(r.status, 0);
        const char *nl = strstr(r.out, "\r\n");
        assert_non_null(nl);
        /* The first row names columns: no digits in it. */
        assert_true(strcspn(r.out, "0123456789") >= (size_t)(nl - r.out));
        tu_run_free(&r);
    }
}

/* ---- overlap ---- */

/* The JSON group holding item N of class ID, or NULL. */
static json_t *
group_with(json_t *groups, const char *id, long n)
{
    for (size_t g = 0; g < json_array_size(groups); g++) {
        json_t *m = json_object_get(json_array_get(groups, g), "members");
        for (size_t i = 0; i < json_array_size(m); i++) {
            json_t *x = json_array_get(m, i);
            if (strcmp(json_string_value(json_object_get(x, "id")), id) == 0 &&
                json_integer_value(json_object_get(x, "n")) == n)
                return json_array_get(groups, g);
        }
    }
    return NULL;
}

static void
test_query_overlap_groups_shared_duties_and_sets_boilerplate_apart(void **state)
{
    (void)state;
    struct tu_run r;
    query(&r, NULL, "-f", "json", "overlap", (char *)NULL);
    assert_int_equal(r.status, 0);
    json_t *j = parse_json(r.out);
    json_t *groups = json_object_get(j, "groups");
    const char *ist = "milwaukie/information-systems-technology-ist-director";
    const char *cec = "milwaukie/community-engagement-coordinator";
    /* Duty 10 (public relations) and duty 11 (safe work habits). */
    for (long n = 10; n <= 11; n++) {
        json_t *g = group_with(groups, ist, n);
        assert_non_null(g);
        assert_ptr_equal(g, group_with(groups, cec, n));
        assert_true(json_integer_value(json_object_get(g, "departments")) >= 2);
    }
    /* "Performs other duties as required" is boilerplate, not a group. */
    assert_null(group_with(groups, ist, 12));
    json_t *boiler = json_object_get(j, "boilerplate");
    assert_non_null(group_with(boiler, ist, 12));
    json_t *first = json_array_get(
        json_object_get(json_array_get(boiler, 0), "members"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "text")),
                        "Performs other duties as required.");
    json_decref(j);
    tu_run_free(&r);
}

static void
test_query_overlap_across_jurisdictions_groups_web_duties(void **state)
{
    (void)state;
    struct tu_run r;
    /* README's threshold for related (not identical) work. */
    query(&r, NULL, "-f", "json", "overlap", "--across", "jurisdiction",
          "--min-similarity", "0.3", (char *)NULL);
    assert_int_equal(r.status, 0);
    json_t *j = parse_json(r.out);
    json_t *groups = json_object_get(j, "groups");
    const char *web[] = {"st-louis/1368", "milwaukie/web-services-coordinator",
                         "portland/30003028"};
    bool found = false;
    for (size_t g = 0; g < json_array_size(groups); g++) {
        json_t *m = json_object_get(json_array_get(groups, g), "members");
        size_t classes = 0;
        bool web_word = false;
        for (size_t w = 0; w < 3; w++) {
            bool in = false;
            for (size_t i = 0; i < json_array_size(m); i++) {
                json_t *x = json_array_get(m, i);
                const char *t = json_string_value(json_object_get(x, "text"));
                if (strcmp(json_string_value(json_object_get(x, "id")),
                           web[w]) == 0 &&
                    (strstr(t, "web site") || strstr(t, "website"))) {
                    in = true;
                    web_word = true;
                }
            }
            classes += in;
        }
        found |= classes >= 2 && web_word;
    }
    assert_true(found);
    json_decref(j);
    tu_run_free(&r);
    /* The matrix in CSV: a header, then pairs of jurisdictions. */
    query(&r, NULL, "-f", "csv", "overlap", "--across", "jurisdiction",
          "--min-similarity", "0.3", "--matrix", (char *)NULL);
    assert_int_equal(r.status, 0);
    assert_true(strncmp(r.out, "a,b,count\r\n", 11) == 0);
    assert_non_null(strstr(r.out, "City of Milwaukie"));
    tu_run_free(&r);
    query(&r, NULL, "overlap", "--across", "nowhere", (char *)NULL);
    assert_int_equal(r.status, 2);
    tu_run_free(&r);
}

/* Nouns a count may come before in text output, plural first. */
static const char *const counted[][2] = {
    {"items", "item"},
    {"classes", "class"},
    {"departments", "department"},
    {"jurisdictions", "jurisdiction"},
    {"groups", "group"},
    {"pairs", "pair"},
    {"parts", "part"},
};

/* Occurrences in TEXT of the count 1 followed by the plural NOUN ("1
 * classes", not "21 classes"). */
static size_t
one_with_plural(const char *text, const char *noun)
{
    size_t n = 0, len = strlen(noun);
    for (const char *p = text; (p = strstr(p, "1 ")) != NULL; p++) {
        bool whole = p == text || !(p[-1] >= '0' && p[-1] <= '9');
        const char *w = p + 2;
        if (whole && strncmp(w, noun, len) == 0 &&
            !(w[len] >= 'a' && w[len] <= 'z'))
            n++;
    }
    return n;
}

/* Every count in TEXT agrees with its noun: "1 class", "2 classes". */
static void
assert_counts_agree(const char *what, const char *text)
{
    for (size_t i = 0; i < sizeof(counted) / sizeof(counted[0]); i++) {
        size_t bad = one_with_plural(text, counted[i][0]);
        if (bad)
            fprintf(stderr, "%s: \"1 %s\" in:\n%s", what, counted[i][0], text);
        assert_int_equal(bad, 0);
    }
}

/* overlap's header names its --across rule in the plural ("across
 * classes"), and every count in text output agrees with its noun. */
static void
test_query_text_output_counts_agree_with_their_nouns(void **state)
{
    (void)state;
    static const char *const rules[][2] = {{"department", "departments"},
                                           {"jurisdiction", "jurisdictions"},
                                           {"class", "classes"}};
    for (size_t i = 0; i < 3; i++) {
        struct tu_run r, j;
        query(&r, NULL, "overlap", "--across", rules[i][0], (char *)NULL);
        query(&j, NULL, "-f", "json", "overlap", "--across", rules[i][0],
              (char *)NULL);
        assert_int_equal(r.status, 0);
        json_t *o = parse_json(j.out);
        size_t groups = json_array_size(json_object_get(o, "groups"));
        char want[256];
        snprintf(want, sizeof(want),
                 "%zu %s of similar items across %s (similarity >= 0.50; ",
                 groups, groups == 1 ? "group" : "groups", rules[i][1]);
        if (strncmp(r.out, want, strlen(want)) != 0)
            fprintf(stderr, "wanted \"%s...\", got:\n%s", want, r.out);
        assert_true(strncmp(r.out, want, strlen(want)) == 0);
        assert_counts_agree(rules[i][0], r.out);
        json_decref(o);
        tu_run_free(&r);
        tu_run_free(&j);
    }
    /* The corpus has groups within one jurisdiction and one boilerplate
     * item: the singular is written, not only plurals avoided. */
    struct tu_run r;
    query(&r, NULL, "overlap", (char *)NULL);
    assert_non_null(strstr(r.out, " departments, 1 jurisdiction\n"));
    assert_non_null(strstr(r.out, "\n1 boilerplate item, left out"));
    tu_run_free(&r);
    /* One result in the other commands' headers. */
    query(&r, NULL, "search", "NOT web", (char *)NULL);
    assert_int_equal(r.status, 0);
    assert_true(strncmp(r.out, "1 of 1 class matches NOT web\n", 29) == 0);
    tu_run_free(&r);
    query(&r, NULL, "-n", "1", "similar", "st-louis/1368", (char *)NULL);
    assert_int_equal(r.status, 0);
    assert_true(strncmp(r.out, "1 class most like st-louis/1368\n", 32) == 0);
    tu_run_free(&r);
    query(&r, NULL, "-n", "1", "match", resume, (char *)NULL);
    assert_int_equal(r.status, 0);
    assert_counts_agree("match", r.out);
    tu_run_free(&r);
}

static void
test_query_help_and_usage_errors(void **state)
{
    (void)state;
    struct tu_run r;
    const char *help[] = {"jobdex-query", "--help", NULL};
    tu_run(help, NULL, &r);
    assert_int_equal(r.status, 0);
    assert_true(strncmp(r.out, "Usage: jobdex-query", 19) == 0);
    assert_non_null(strstr(r.out, "Exit status"));
    tu_run_free(&r);
    query(&r, NULL, "search", "x", "--grade", "40..30", (char *)NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "MIN is over MAX"));
    tu_run_free(&r);
    query(&r, NULL, "match", (char *)NULL);
    assert_int_equal(r.status, 2);
    tu_run_free(&r);
    query(&r, NULL, "-n", "0", "stats", (char *)NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "invalid limit '0'"));
    tu_run_free(&r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            test_query_search_title_and_word_ranks_web_services_first),
        cmocka_unit_test(test_query_search_phrase_with_filter_marks_the_phrase),
        cmocka_unit_test(
            test_query_search_grade_range_keeps_only_classes_in_range),
        cmocka_unit_test(test_query_search_exit_statuses),
        cmocka_unit_test(
            test_query_search_of_only_excluded_terms_matches_everything_else),
        cmocka_unit_test(
            test_query_over_the_term_limit_is_refused_with_status_2),
        cmocka_unit_test(test_query_cost_grows_linearly_up_to_the_term_limit),
        cmocka_unit_test(
            test_query_match_resume_explains_with_real_duties_and_lines),
        cmocka_unit_test(
            test_query_match_keywords_rank_community_engagement_first),
        cmocka_unit_test(
            test_query_match_reads_standard_input_and_is_deterministic),
        cmocka_unit_test(test_query_match_batch_answers_each_line_in_order),
        cmocka_unit_test(
            test_query_match_batch_in_workers_writes_what_one_process_writes),
        cmocka_unit_test(
            test_query_match_batch_from_stdin_leaves_no_copy_when_stopped),
        cmocka_unit_test(test_query_bad_input_gets_the_status_of_readmes_table),
        cmocka_unit_test(
            test_query_similar_excludes_itself_and_shows_shared_duties),
        cmocka_unit_test(test_query_show_prints_the_record_in_every_format),
        cmocka_unit_test(test_query_stats_counts_by_jurisdiction),
        cmocka_unit_test(test_query_every_command_has_json_and_csv_with_header),
        cmocka_unit_test(
            test_query_overlap_groups_shared_duties_and_sets_boilerplate_apart),
        cmocka_unit_test(
            test_query_overlap_across_jurisdictions_groups_web_duties),
        cmocka_unit_test(test_query_text_output_counts_agree_with_their_nouns),
        cmocka_unit_test(test_query_help_and_usage_errors),
    };
    return cmocka_run_group_tests(tests, build_index, remove_index);
}
