/*
 * test_parts.c: cutting a résumé into paragraphs and list items
 * (query/parts.h), the parts that match ranks one by one.
 */
#include "jobdex.h"

#include "parts.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* The parts of TEXT (at most MAX), each as a NUL-terminated copy. */
static size_t
parts_of(const char *text, size_t max, char out[][128], size_t room)
{
    struct text_span *spans;
    size_t n;
    assert_int_equal(text_parts(text, strlen(text), max, &spans, &n), JD_OK);
    assert_true(n <= room);
    for (size_t i = 0; i < n; i++) {
        assert_true(spans[i].len < 128);
        memcpy(out[i], text + spans[i].start, spans[i].len);
        out[i][spans[i].len] = '\0';
    }
    free(spans);
    return n;
}

/* A title line, then list items: each item is a part without its marker,
 * and the line before the list is a part of its own. */
static void
test_parts_title_line_and_list_items(void **state)
{
    (void)state;
    char p[8][128];
    size_t n = parts_of("Web Content Manager, City of Lake Oswego\n"
                        "- Manage the city's public website.\n"
                        "* Train department editors.\n"
                        "  3. Review analytics monthly.\n"
                        "\xe2\x80\xa2 Negotiate hosting contracts.\n",
                        0, p, 8);
    assert_int_equal(n, 5);
    assert_string_equal(p[0], "Web Content Manager, City of Lake Oswego");
    assert_string_equal(p[1], "Manage the city's public website.");
    assert_string_equal(p[2], "Train department editors.");
    assert_string_equal(p[3], "Review analytics monthly.");
    assert_string_equal(p[4], "Negotiate hosting contracts.");
}

/* A wrapped paragraph or list item stays whole; blank lines (spaces or a
 * CR only, too) end a part; a heading joins the lines below it. */
static void
test_parts_wrapped_lines_continue_their_part(void **state)
{
    (void)state;
    char p[8][128];
    size_t n = parts_of("PROFILE\nWeb content manager with eight\n"
                        "years of experience.\n \r\n\n"
                        "- Lead the website redesign with an outside\n"
                        "  web developer.\n"
                        "- Report site usage.\n\n\n",
                        0, p, 8);
    assert_int_equal(n, 3);
    assert_string_equal(p[0], "PROFILE\nWeb content manager with eight\n"
                              "years of experience.");
    assert_string_equal(p[1], "Lead the website redesign with an outside\n"
                              "  web developer.");
    assert_string_equal(p[2], "Report site usage.");
}

/* One paragraph is one part; a text of blanks has none; a dash inside a
 * line or a year is no list marker. */
static void
test_parts_single_paragraph_and_empty_text(void **state)
{
    (void)state;
    char p[4][128];
    assert_int_equal(parts_of("Plans diets - and counsels patients.", 0, p, 4),
                     1);
    assert_string_equal(p[0], "Plans diets - and counsels patients.");
    assert_int_equal(parts_of("2019. Started as a clerk\nand stayed.", 0, p, 4),
                     1);
    assert_int_equal(parts_of("", 0, p, 4), 0);
    assert_int_equal(parts_of("\n  \n\t\n", 0, p, 4), 0);
}

/* Beyond MAX parts, neighbours are joined into MAX spans that together
 * cover every part, in order. */
static void
test_parts_beyond_the_most_are_joined(void **state)
{
    (void)state;
    char p[4][128];
    size_t n = parts_of("- a1\n- b2\n- c3\n- d4\n- e5\n", 2, p, 4);
    assert_int_equal(n, 2);
    assert_string_equal(p[0], "a1\n- b2\n- c3");
    assert_string_equal(p[1], "d4\n- e5");
    n = parts_of("- a1\n- b2\n", 2, p, 4);
    assert_int_equal(n, 2);
    assert_string_equal(p[1], "b2");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parts_title_line_and_list_items),
        cmocka_unit_test(test_parts_wrapped_lines_continue_their_part),
        cmocka_unit_test(test_parts_single_paragraph_and_empty_text),
        cmocka_unit_test(test_parts_beyond_the_most_are_joined),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
