/*
 * test_json.c: the record as JSON lines: --dump output reads back to the
 * same record, and bad JSON lines are rejected one at a time.
 */
#include "jobdex.h"

#include "testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static char why[512];

struct collected {
    jd_spec *v[64];
    size_t n;
    char rejects[8][256];
    unsigned reject_lines[8];
    size_t nrejects;
};

static jd_status
keep(void *ctx, jd_spec *s)
{
    struct collected *c = ctx;
    if (c->n == 64) {
        jd_spec_free(s);
        return JD_ERR_INTERNAL;
    }
    c->v[c->n++] = s;
    return JD_OK;
}

static void
reject(void *ctx, const char *source, unsigned line, const char *reason)
{
    (void)source;
    struct collected *c = ctx;
    if (c->nrejects < 8) {
        snprintf(c->rejects[c->nrejects], 256, "%s", reason);
        c->reject_lines[c->nrejects] = line;
    }
    c->nrejects++;
}

static void
collected_free(struct collected *c)
{
    for (size_t i = 0; i < c->n; i++)
        jd_spec_free(c->v[i]);
    memset(c, 0, sizeof(*c));
}

static void
test_json_dump_of_every_seed_round_trips(void **state)
{
    (void)state;
    const char *seeds[] = {
        "corpus/milwaukie/web-services-coordinator.txt",
        "corpus/milwaukie/information-systems-technology-director.txt",
        "corpus/milwaukie/community-engagement-coordinator.txt",
        "corpus/st-louis/internet-services-manager.txt",
        "corpus/portland/coordinator-ii.txt",
    };
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        struct collected c;
        memset(&c, 0, sizeof(c));
        struct jd_parse_sink sink = {keep, reject, &c};
        assert_int_equal(jd_parse_file(seeds[i], NULL, &sink, why, sizeof(why)),
                         JD_OK);
        assert_int_equal(c.n, 1);
        jd_buf first = {NULL, 0, 0}, second = {NULL, 0, 0};
        assert_int_equal(jd_spec_to_json(c.v[0], &first), JD_OK);
        jd_spec *back;
        assert_int_equal(jd_spec_from_json(first.data, first.len, "x", &back,
                                           why, sizeof(why)),
                         JD_OK);
        assert_int_equal(jd_spec_to_json(back, &second), JD_OK);
        assert_string_equal(first.data, second.data);
        assert_int_equal(back->duties.len, c.v[0]->duties.len);
        jd_spec_free(back);
        jd_buf_free(&first);
        jd_buf_free(&second);
        collected_free(&c);
    }
}

static void
test_json_schema_lists_every_field(void **state)
{
    (void)state;
    const char *in = "{\"title\": \"Clerk\", \"jurisdiction\": \"Town of Ely\"}";
    jd_spec *s;
    assert_int_equal(jd_spec_from_json(in, strlen(in), "x", &s, why,
                                       sizeof(why)),
                     JD_OK);
    assert_string_equal(s->id, "ely/clerk");
    jd_buf out = {NULL, 0, 0};
    assert_int_equal(jd_spec_to_json(s, &out), JD_OK);
    const char *keys[] = {"\"id\":",        "\"code\":",
                          "\"title\":",     "\"alt_titles\":",
                          "\"jurisdiction\":", "\"department\":",
                          "\"series\":",    "\"pay_grade\":",
                          "\"grade_min\":", "\"grade_max\":",
                          "\"flsa\":",      "\"bargaining_unit\":",
                          "\"adopted\":",   "\"revised\":",
                          "\"summary\":",   "\"distinguishing\":",
                          "\"duties\":",    "\"knowledge\":",
                          "\"skills\":",    "\"abilities\":",
                          "\"education\":", "\"licenses\":",
                          "\"other\":",     "\"supervision\":",
                          "\"working_conditions\":", "\"tools\":",
                          "\"source\":"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        assert_non_null(strstr(out.data, keys[i]));
    jd_buf_free(&out);
    jd_spec_free(s);
}

static void
test_json_accepts_plain_strings_numbers_and_normalises(void **state)
{
    (void)state;
    const char *in = "{\"title\":\"Analyst\",\"code\":1234,"
                     "\"duties\":[\"Reviews the city\\u2019s budget\","
                     "{\"text\":\"Writes reports\",\"n\":7,\"kind\":\"core\"}],"
                     "\"pay_grade\":\"Range 12 to 14\"}";
    jd_spec *s;
    assert_int_equal(jd_spec_from_json(in, strlen(in), "x", &s, why,
                                       sizeof(why)),
                     JD_OK);
    assert_string_equal(s->code, "1234");
    assert_string_equal(s->id, "unknown/1234");
    assert_int_equal(s->duties.len, 2);
    assert_string_equal(s->duties.v[0].text, "Reviews the city's budget");
    assert_int_equal(s->duties.v[1].n, 7);
    assert_string_equal(s->duties.v[1].kind, "core");
    assert_true(s->has_grade && s->grade_min == 12 && s->grade_max == 14);
    jd_spec_free(s);
}

static void
test_json_rejects_wrong_types_and_missing_title(void **state)
{
    (void)state;
    jd_spec *s = (jd_spec *)1;
    const char *bad_type = "{\"title\": [\"x\"]}";
    assert_int_equal(jd_spec_from_json(bad_type, strlen(bad_type), "x", &s,
                                       why, sizeof(why)),
                     JD_ERR_INVALID_ARG);
    assert_null(s);
    assert_non_null(strstr(why, "'title'"));
    const char *no_title = "{\"summary\": \"text\"}";
    assert_int_equal(jd_spec_from_json(no_title, strlen(no_title), "x", &s,
                                       why, sizeof(why)),
                     JD_ERR_INVALID_ARG);
    const char *not_object = "[1, 2]";
    assert_int_equal(jd_spec_from_json(not_object, strlen(not_object), "x", &s,
                                       why, sizeof(why)),
                     JD_ERR_INVALID_ARG);
    const char *broken = "{\"title\": ";
    assert_int_equal(jd_spec_from_json(broken, strlen(broken), "x", &s, why,
                                       sizeof(why)),
                     JD_ERR_INVALID_ARG);
    assert_non_null(strstr(why, "invalid JSON"));
}

static void
test_json_lines_file_rejects_bad_lines_and_keeps_good_ones(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    const char *text =
        "{\"title\": \"Clerk\", \"jurisdiction\": \"Ely\"}\n"
        "\n"
        "{\"title\": \n"
        "{\"title\": \"Typist\", \"jurisdiction\": \"Ely\"}\n"
        "{\"summary\": \"no title\"}\n"
        "{\"title\": \"Bad \xff byte\"}\n"
        "{\"title\": \"Last\", \"jurisdiction\": \"Ely\"}";
    char *path = tu_write(dir, "in.jsonl", text, strlen(text));
    struct collected c;
    memset(&c, 0, sizeof(c));
    struct jd_parse_sink sink = {keep, reject, &c};
    assert_int_equal(jd_parse_file(path, NULL, &sink, why, sizeof(why)), JD_OK);
    assert_int_equal(c.n, 3);
    assert_string_equal(c.v[2]->title, "Last");
    assert_int_equal(c.v[1]->source_line, 4);
    assert_int_equal(c.nrejects, 3);
    assert_int_equal(c.reject_lines[0], 3);
    assert_int_equal(c.reject_lines[1], 5);
    assert_int_equal(c.reject_lines[2], 6);
    assert_non_null(strstr(c.rejects[2], "UTF-8"));
    collected_free(&c);
    free(path);
    tu_rmtree(dir);
    free(dir);
}

static void
test_json_line_over_the_limit_is_rejected_alone(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    size_t big = JD_JSONL_MAX_LINE + 100;
    size_t total = big + 200;
    char *text = malloc(total);
    size_t n = (size_t)snprintf(text, total, "{\"title\":\"A\"}\n{\"title\":\"");
    memset(text + n, 'x', big);
    n += big;
    n += (size_t)snprintf(text + n, total - n, "\"}\n{\"title\":\"B\"}\n");
    char *path = tu_write(dir, "big.jsonl", text, n);
    struct collected c;
    memset(&c, 0, sizeof(c));
    struct jd_parse_sink sink = {keep, reject, &c};
    assert_int_equal(jd_parse_file(path, NULL, &sink, why, sizeof(why)), JD_OK);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.nrejects, 1);
    assert_int_equal(c.reject_lines[0], 2);
    collected_free(&c);
    free(text);
    free(path);
    tu_rmtree(dir);
    free(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_dump_of_every_seed_round_trips),
        cmocka_unit_test(test_json_schema_lists_every_field),
        cmocka_unit_test(test_json_accepts_plain_strings_numbers_and_normalises),
        cmocka_unit_test(test_json_rejects_wrong_types_and_missing_title),
        cmocka_unit_test(
            test_json_lines_file_rejects_bad_lines_and_keeps_good_ones),
        cmocka_unit_test(test_json_line_over_the_limit_is_rejected_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
