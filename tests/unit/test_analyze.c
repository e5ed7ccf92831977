/*
 * test_analyze.c: the analyzer: cutting words as QueryParser does,
 * folding, stop words, stemming, positions and limits.
 */
#include "indexer/text/analyze.h"

#include "indexer/util/buf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

struct collect {
    char out[4096];
    size_t n;
};

static jd_status
collect_term(void *ctx, const char *term, size_t len, size_t pos, size_t start,
             size_t end)
{
    struct collect *c = ctx;
    (void)start;
    (void)end;
    int w = snprintf(c->out + c->n, sizeof(c->out) - c->n, "%s%.*s@%zu",
                     c->n ? " " : "", (int)len, term, pos);
    if (w > 0)
        c->n += (size_t)w;
    return JD_OK;
}

/* "term@pos term@pos ..." for TEXT, positions from 0. */
static const char *
terms_of(struct analyzer *a, const char *text, struct collect *c)
{
    memset(c, 0, sizeof(*c));
    size_t pos = 0;
    assert_int_equal(analyze_text(a, text, strlen(text), &pos, collect_term, c),
                     JD_OK);
    return c->out;
}

static int
setup(void **state)
{
    struct analyzer *a;
    if (analyzer_new(&a) != JD_OK)
        return -1;
    *state = a;
    return 0;
}

static int
teardown(void **state)
{
    analyzer_free(*state);
    return 0;
}

static void
test_analyze_folds_case_and_stems(void **state)
{
    struct collect c;
    assert_string_equal(terms_of(*state, "Coordinates WEBSITE Projects", &c),
                        "coordin@0 websit@1 project@2");
}

static void
test_analyze_drops_stop_words_but_counts_their_positions(void **state)
{
    struct collect c;
    assert_string_equal(
        terms_of(*state, "Performs other duties as required", &c),
        "perform@0 duti@2 requir@4");
}

static void
test_analyze_keeps_it_and_us_as_acronyms(void **state)
{
    struct collect c;
    /* "IT" (information technology) and "U.S." are not stop words here. */
    assert_string_equal(terms_of(*state, "IT staff in the U.S. Army", &c),
                        "it@0 staff@1 us@4 armi@5");
}

static void
test_analyze_acronyms_gis_voip_and_initials(void **state)
{
    struct collect c;
    assert_string_equal(terms_of(*state, "GIS and VoIP; P.T.O. rules", &c),
                        "gis@0 voip@2 pto@3 rule@4");
}

static void
test_analyze_unicode_apostrophe_is_an_apostrophe(void **state)
{
    struct collect c1, c2;
    const char *curly =
        terms_of(*state, "City\xe2\x80\x99s Manager\xe2\x80\x99s", &c1);
    const char *plain = terms_of(*state, "City's Manager's", &c2);
    assert_string_equal(curly, plain);
    assert_string_equal(plain, "citi@0 manag@1");
}

static void
test_analyze_dashes_and_bullets_split_words(void **state)
{
    struct collect c;
    /* en dash, bullet and hyphen all separate words */
    assert_string_equal(
        terms_of(*state, "\xe2\x80\xa2 co-workers \xe2\x80\x93 e-government",
                 &c),
        "co@0 worker@1 e@2 govern@3");
}

static void
test_analyze_numbers_and_programming_languages(void **state)
{
    struct collect c;
    assert_string_equal(terms_of(*state, "$1,000.50 in C++ and C# 2019", &c),
                        "1,000.50@0 c++@2 c#@4 2019@5");
}

static void
test_analyze_skips_zero_width_characters_inside_words(void **state)
{
    struct collect c;
    assert_string_equal(terms_of(*state, "super\xe2\x80\x8bvisor", &c),
                        "supervisor@0");
}

static void
test_analyze_folds_unicode_case_and_compatibility_forms(void **state)
{
    struct collect c;
    /* Fullwidth letters, the "fi" ligature, German sharp s. */
    assert_string_equal(
        terms_of(*state,
                 "\xef\xbc\xa7\xef\xbc\xa9\xef\xbc\xb3 \xef\xac\x81le "
                 "Stra\xc3\x9f"
                 "e",
                 &c),
        "gis@0 file@1 strass@2");
}

static void
test_analyze_truncates_long_words(void **state)
{
    char text[300];
    memset(text, 'x', 200);
    text[200] = '\0';
    struct collect c;
    const char *t = terms_of(*state, text, &c);
    /* TERM_MAX bytes of x, then "@0" */
    assert_int_equal(strlen(t), TERM_MAX + 2);
}

static void
test_analyze_continues_positions_across_calls(void **state)
{
    struct collect c;
    memset(&c, 0, sizeof(c));
    size_t pos = 10;
    assert_int_equal(analyze_text(*state, "budget", 6, &pos, collect_term, &c),
                     JD_OK);
    assert_int_equal(
        analyze_text(*state, "planning", 8, &pos, collect_term, &c), JD_OK);
    assert_string_equal(c.out, "budget@10 plan@11");
    assert_int_equal(pos, 12);
}

static void
test_analyze_word_matches_text_analysis(void **state)
{
    const char *term;
    size_t len;
    assert_int_equal(analyze_word(*state, "Responsibilities", 16, &term, &len),
                     JD_OK);
    assert_non_null(term);
    assert_int_equal(len, strlen("respons"));
    assert_memory_equal(term, "respons", len);
    assert_int_equal(analyze_word(*state, "The", 3, &term, &len), JD_OK);
    assert_null(term);
}

static void
test_analyze_stop_list_is_sorted_for_lookup(void **state)
{
    (void)state;
    /* bsearch over an unsorted list would miss some of these. */
    const char *words[] = {"a",     "about", "yourselves", "ourselves", "out",
                           "other", "the",   "with",       "yourself"};
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        assert_true(analyze_is_stopword(words[i], strlen(words[i])));
    assert_false(analyze_is_stopword("budget", 6));
    assert_false(analyze_is_stopword("it", 2));
}

static void
test_analyze_normalize_folds_quotes_and_rejects_bad_utf8(void **state)
{
    (void)state;
    jd_buf b = {NULL, 0, 0};
    /* Apostrophes and dashes become ASCII; curly double quotes stay (the
     * query parser reads them as quotes), NBSP and soft hyphen go. */
    const char *in = "\xe2\x80\x98web\xe2\x80\x99 \xe2\x80\x93 "
                     "Fred\xe2\x80\x99s\xc2\xa0"
                     "co\xc2\xad"
                     "ordinate";
    assert_int_equal(analyze_normalize(in, strlen(in), &b), JD_OK);
    assert_string_equal(b.data, "'web' - Fred's coordinate");
    buf_clear(&b);
    assert_int_equal(analyze_normalize("ab\xff", 3, &b), JD_ERR_INVALID_ARG);
    jd_buf_free(&b);
    /* Only non-ASCII runs are normalised: a combining accent still
     * composes with the ASCII letter before it, ligatures and full-width
     * forms still fold, at the start, middle and end of the text. */
    const char *marks = "Cafe\xcc\x81 re\xcc\x81sume\xcc\x81 "
                        "\xef\xac\x81le \xef\xbc\xa1\xef\xbc\xa2";
    assert_int_equal(analyze_normalize(marks, strlen(marks), &b), JD_OK);
    assert_string_equal(b.data, "Caf\xc3\xa9 r\xc3\xa9sum\xc3\xa9 file AB");
    buf_clear(&b);
    assert_int_equal(analyze_normalize("\xcc\x81x", 3, &b), JD_OK);
    assert_string_equal(b.data, "\xcc\x81x");
    buf_clear(&b);
    assert_int_equal(analyze_utf8_invalid_at("ab\xc3", 3), 2);
    assert_int_equal(analyze_utf8_invalid_at("ab\xc3\xa9", 4), 4);
    jd_buf_free(&b);
}

static void
test_analyze_survives_invalid_utf8(void **state)
{
    struct collect c;
    /* Not reachable through the parsers (they reject it), but the analyzer
     * must still not read past the end or stop early. */
    assert_string_equal(terms_of(*state, "bad\xff\xfeword", &c),
                        "bad@0 word@1");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_analyze_folds_case_and_stems),
        cmocka_unit_test(
            test_analyze_drops_stop_words_but_counts_their_positions),
        cmocka_unit_test(test_analyze_keeps_it_and_us_as_acronyms),
        cmocka_unit_test(test_analyze_acronyms_gis_voip_and_initials),
        cmocka_unit_test(test_analyze_unicode_apostrophe_is_an_apostrophe),
        cmocka_unit_test(test_analyze_dashes_and_bullets_split_words),
        cmocka_unit_test(test_analyze_numbers_and_programming_languages),
        cmocka_unit_test(test_analyze_skips_zero_width_characters_inside_words),
        cmocka_unit_test(
            test_analyze_folds_unicode_case_and_compatibility_forms),
        cmocka_unit_test(test_analyze_truncates_long_words),
        cmocka_unit_test(test_analyze_continues_positions_across_calls),
        cmocka_unit_test(test_analyze_word_matches_text_analysis),
        cmocka_unit_test(test_analyze_stop_list_is_sorted_for_lookup),
        cmocka_unit_test(
            test_analyze_normalize_folds_quotes_and_rejects_bad_utf8),
        cmocka_unit_test(test_analyze_survives_invalid_utf8),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
