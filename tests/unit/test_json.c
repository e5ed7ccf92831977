/*
 * test_json.c: the record as JSON lines: --dump output reads back to the
 * same record, and bad JSON lines are rejected one at a time.
 */
#include "jobdex.h"

#include "indexer/text/analyze.h"
#include "indexer/util/buf.h"
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
    const char *in =
        "{\"title\": \"Clerk\", \"jurisdiction\": \"Town of Ely\"}";
    jd_spec *s;
    assert_int_equal(
        jd_spec_from_json(in, strlen(in), "x", &s, why, sizeof(why)), JD_OK);
    assert_string_equal(s->id, "ely/clerk");
    jd_buf out = {NULL, 0, 0};
    assert_int_equal(jd_spec_to_json(s, &out), JD_OK);
    const char *keys[] = {"\"id\":",
                          "\"code\":",
                          "\"title\":",
                          "\"alt_titles\":",
                          "\"jurisdiction\":",
                          "\"department\":",
                          "\"series\":",
                          "\"pay_grade\":",
                          "\"grade_min\":",
                          "\"grade_max\":",
                          "\"flsa\":",
                          "\"bargaining_unit\":",
                          "\"adopted\":",
                          "\"revised\":",
                          "\"summary\":",
                          "\"distinguishing\":",
                          "\"duties\":",
                          "\"knowledge\":",
                          "\"skills\":",
                          "\"abilities\":",
                          "\"education\":",
                          "\"licenses\":",
                          "\"other\":",
                          "\"supervision\":",
                          "\"working_conditions\":",
                          "\"tools\":",
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
    assert_int_equal(
        jd_spec_from_json(in, strlen(in), "x", &s, why, sizeof(why)), JD_OK);
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
    assert_int_equal(jd_spec_from_json(bad_type, strlen(bad_type), "x", &s, why,
                                       sizeof(why)),
                     JD_ERR_INVALID_ARG);
    assert_null(s);
    assert_non_null(strstr(why, "'title'"));
    const char *no_title = "{\"summary\": \"text\"}";
    assert_int_equal(jd_spec_from_json(no_title, strlen(no_title), "x", &s, why,
                                       sizeof(why)),
                     JD_ERR_INVALID_ARG);
    const char *not_object = "[1, 2]";
    assert_int_equal(jd_spec_from_json(not_object, strlen(not_object), "x", &s,
                                       why, sizeof(why)),
                     JD_ERR_INVALID_ARG);
    const char *broken = "{\"title\": ";
    assert_int_equal(
        jd_spec_from_json(broken, strlen(broken), "x", &s, why, sizeof(why)),
        JD_ERR_INVALID_ARG);
    assert_non_null(strstr(why, "invalid JSON"));
}

static void
test_json_lines_file_rejects_bad_lines_and_keeps_good_ones(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    const char *text = "{\"title\": \"Clerk\", \"jurisdiction\": \"Ely\"}\n"
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
    size_t n =
        (size_t)snprintf(text, total, "{\"title\":\"A\"}\n{\"title\":\"");
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

/* A title of N copies of UNIT ("a", "word ", "\u03b1"), as a JSON string
 * (UNIT is JSON-safe); malloc'd. */
static char *
repeat(const char *unit, size_t n)
{
    size_t ul = strlen(unit);
    char *t = malloc(ul * n + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(t + i * ul, unit, ul);
    t[ul * n] = '\0';
    return t;
}

/* The record of {"title": TITLE, "jurisdiction": "Town of Ely"}. */
static jd_spec *
titled(const char *title)
{
    size_t len = strlen(title) + 64;
    char *json = malloc(len);
    snprintf(json, len,
             "{\"title\": \"%s\", \"jurisdiction\": \"Town of Ely\"}", title);
    jd_spec *s = NULL;
    assert_int_equal(
        jd_spec_from_json(json, strlen(json), "x", &s, why, sizeof(why)),
        JD_OK);
    free(json);
    return s;
}

static bool
is_hash_tail(const char *s)
{
    if (s[0] != '-' || strlen(s) != 9)
        return false;
    for (size_t i = 1; i < 9; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

/* An id made from a title fits the index whatever the title's length:
 * whole up to JD_ID_MAX_BYTES, beyond it cut (at a '-' when there is
 * one, never inside a character) with a hash of the whole slug, the
 * same from run to run, different for titles that differ at the end. */
static void
test_json_made_ids_fit_the_index_at_every_length(void **state)
{
    (void)state;
    static const struct {
        const char *unit; /* slugs to itself, or to "word-" */
        size_t unit_bytes;
        const char *other; /* a last unit that slugs differently */
    } shapes[] = {
        {"a", 1, "b"},
        {"word ", 5, "ward "},
        {"\\u03b1", 2, "\\u03b2"}, /* Greek letters, two bytes */
        {"\\u20ac", 3, "\\u00a3"}, /* three-byte symbols, kept in slugs */
    };
    /* Whole ids of 199, 200, 201, 300 and 5000 bytes ("ely/" + slug). */
    static const size_t lengths[] = {199, 200, 201, 300, 5000};
    for (size_t k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++) {
        for (size_t l = 0; l < sizeof(lengths) / sizeof(lengths[0]); l++) {
            size_t n = (lengths[l] - 4 + shapes[k].unit_bytes - 1) /
                       shapes[k].unit_bytes;
            char *title = repeat(shapes[k].unit, n);
            jd_spec *s = titled(title), *again = titled(title);
            char full[20000];
            snprintf(full, sizeof(full), "ely/");
            jd_slug(s->title, full + 4, sizeof(full) - 4);
            size_t len = strlen(s->id);
            assert_int_equal(jd_spec_check(s, why, sizeof(why)), JD_OK);
            assert_true(len <= JD_ID_MAX_BYTES);
            assert_int_equal(analyze_utf8_invalid_at(s->id, len), len);
            assert_string_equal(s->id, again->id);
            if (strlen(full) <= JD_ID_MAX_BYTES) {
                assert_string_equal(s->id, full);
            } else {
                /* A prefix of the whole id, cut where a word or a
                 * character ends, then the hash. */
                assert_true(len >= JD_ID_MAX_BYTES - 12);
                assert_true(is_hash_tail(s->id + len - 9));
                assert_memory_equal(s->id, full, len - 9);
                char next = full[len - 9];
                assert_true(next == '-' ||
                            ((unsigned char)next & 0xc0) != 0x80);
                if (shapes[k].unit_bytes == 5)
                    assert_int_equal(next, '-');
                /* The same title but for its last unit. */
                size_t tl = strlen(title), ul = strlen(shapes[k].unit);
                char *other = malloc(tl + 16);
                memcpy(other, title, tl - ul);
                strcpy(other + tl - ul, shapes[k].other);
                jd_spec *o = titled(other);
                assert_string_not_equal(o->id, s->id);
                assert_memory_equal(o->id, s->id, len - 8);
                jd_spec_free(o);
                free(other);
            }
            jd_spec_free(s);
            jd_spec_free(again);
            free(title);
        }
    }
}

/* jd_spec_check: the id's length against JD_ID_MAX_BYTES, counted in
 * bytes, and no control character (ids are kept one per line). */
static void
test_json_spec_check_names_the_limit_and_the_byte(void **state)
{
    (void)state;
    static const struct {
        const char *id;
        size_t repeat; /* the id is "t/" + this many copies of ID */
        const char *want;
    } cases[] = {
        {"a", 197, NULL},
        {"a", 198, NULL},
        {"a", 199, "id is 201 bytes, over the 200-byte limit"},
        {"a", 298, "id is 300 bytes, over the 200-byte limit"},
        {"a", 4998, "id is 5000 bytes, over the 200-byte limit"},
        {"\xc3\xa9", 99, NULL},     /* 200 */
        {"\xe2\x82\xac", 66, NULL}, /* 200 */
        {"\xe2\x82\xac", 67, "id is 203 bytes, over the 200-byte limit"},
        {"a\nb", 1, "id has a control character (0x0a) at byte 4"},
        {"\x01", 1, "id has a control character (0x01) at byte 3"},
        {"\x7f", 1, "id has a control character (0x7f) at byte 3"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *body = repeat(cases[i].id, cases[i].repeat);
        char id[16000];
        snprintf(id, sizeof(id), "t/%s", body);
        jd_spec s;
        memset(&s, 0, sizeof(s));
        s.id = id;
        why[0] = '\0';
        jd_status st = jd_spec_check(&s, why, sizeof(why));
        if (cases[i].want) {
            assert_int_equal(st, JD_ERR_INVALID_ARG);
            assert_string_equal(why, cases[i].want);
        } else {
            assert_int_equal(st, JD_OK);
        }
        free(body);
    }
    jd_spec none;
    memset(&none, 0, sizeof(none));
    assert_int_equal(jd_spec_check(&none, why, sizeof(why)),
                     JD_ERR_INVALID_ARG);
    assert_string_equal(why, "record has no id");
}

/* A JSON line whose id the index cannot take is rejected by its line,
 * with the reason and the limit, and every line around it is read. */
static void
test_json_lines_with_ids_over_the_limit_are_rejected_alone(void **state)
{
    (void)state;
    static const size_t lengths[] = {199, 200, 201, 300, 5000};
    char *dir = tu_mkdtemp();
    jd_buf text = {NULL, 0, 0};
    for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
        char *id = repeat("x", lengths[i] - 2);
        char line[6000];
        snprintf(line, sizeof(line),
                 "{\"id\": \"t/%s\", \"title\": \"Clerk\"}\n"
                 "{\"id\": \"ok/%zu\", \"title\": \"Typist\"}\n",
                 id, i);
        assert_int_equal(buf_puts(&text, line), JD_OK);
        free(id);
    }
    char *path = tu_write(dir, "ids.jsonl", text.data, text.len);
    struct collected c;
    memset(&c, 0, sizeof(c));
    struct jd_parse_sink sink = {keep, reject, &c};
    assert_int_equal(jd_parse_file(path, NULL, &sink, why, sizeof(why)), JD_OK);
    /* 199 and 200 bytes and the five "ok/" lines. */
    assert_int_equal(c.n, 7);
    assert_int_equal(strlen(c.v[0]->id), 199);
    assert_int_equal(strlen(c.v[2]->id), 200);
    for (size_t i = 0; i < 5; i++) {
        char want[16];
        snprintf(want, sizeof(want), "ok/%zu", i);
        assert_string_equal(c.v[i < 2 ? 2 * i + 1 : i + 2]->id, want);
    }
    assert_int_equal(c.nrejects, 3);
    assert_int_equal(c.reject_lines[0], 5);
    assert_int_equal(c.reject_lines[1], 7);
    assert_int_equal(c.reject_lines[2], 9);
    assert_string_equal(c.rejects[0],
                        "id is 201 bytes, over the 200-byte limit");
    assert_string_equal(c.rejects[1],
                        "id is 300 bytes, over the 200-byte limit");
    assert_string_equal(c.rejects[2],
                        "id is 5000 bytes, over the 200-byte limit");
    collected_free(&c);
    jd_buf_free(&text);
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
        cmocka_unit_test(
            test_json_accepts_plain_strings_numbers_and_normalises),
        cmocka_unit_test(test_json_rejects_wrong_types_and_missing_title),
        cmocka_unit_test(
            test_json_lines_file_rejects_bad_lines_and_keeps_good_ones),
        cmocka_unit_test(test_json_line_over_the_limit_is_rejected_alone),
        cmocka_unit_test(test_json_made_ids_fit_the_index_at_every_length),
        cmocka_unit_test(test_json_spec_check_names_the_limit_and_the_byte),
        cmocka_unit_test(
            test_json_lines_with_ids_over_the_limit_are_rejected_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
