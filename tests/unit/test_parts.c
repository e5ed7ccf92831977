/*
 * test_parts.c: cutting a résumé into paragraphs and list items
 * (query/parts.h), the parts that match ranks one by one.
 */
#include "jobdex.h"

#include "query/match/parts.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Assert that TEXT cuts into (at most MAX) exactly the parts WANT, a
 * NULL-terminated list, in order. */
static void
expect_parts(const char *text, size_t max, const char *const *want)
{
    struct text_span *spans;
    size_t n, nwant = 0;
    while (want[nwant])
        nwant++;
    assert_int_equal(text_parts(text, strlen(text), max, &spans, &n), JD_OK);
    assert_int_equal(n, nwant);
    for (size_t i = 0; i < n; i++) {
        char *part = strndup(text + spans[i].start, spans[i].len);
        assert_non_null(part);
        assert_string_equal(part, want[i]);
        free(part);
    }
    free(spans);
}

#define EXPECT_PARTS(text, max, ...)                                           \
    expect_parts((text), (max), (const char *const[]){__VA_ARGS__, NULL})

/* A title line, then list items: each item is a part without its marker,
 * and the line before the list is a part of its own. */
static void
test_parts_title_line_and_list_items(void **state)
{
    (void)state;
    EXPECT_PARTS("Web Content Manager, City of Lake Oswego\n"
                 "- Manage the city's public website.\n"
                 "* Train department editors.\n"
                 "  3. Review analytics monthly.\n"
                 "\xe2\x80\xa2 Negotiate hosting contracts.\n",
                 0, "Web Content Manager, City of Lake Oswego",
                 "Manage the city's public website.",
                 "Train department editors.", "Review analytics monthly.",
                 "Negotiate hosting contracts.");
}

/* A wrapped paragraph or list item stays whole; blank lines (spaces or a
 * CR only, too) end a part; a heading joins the lines below it. */
static void
test_parts_wrapped_lines_continue_their_part(void **state)
{
    (void)state;
    EXPECT_PARTS("PROFILE\nWeb content manager with eight\n"
                 "years of experience.\n \r\n\n"
                 "- Lead the website redesign with an outside\n"
                 "  web developer.\n"
                 "- Report site usage.\n\n\n",
                 0,
                 "PROFILE\nWeb content manager with eight\n"
                 "years of experience.",
                 "Lead the website redesign with an outside\n"
                 "  web developer.",
                 "Report site usage.");
}

/* One paragraph is one part; a text of blanks has none; a dash inside a
 * line or a year is no list marker. */
static void
test_parts_single_paragraph_and_empty_text(void **state)
{
    (void)state;
    EXPECT_PARTS("Plans diets - and counsels patients.", 0,
                 "Plans diets - and counsels patients.");
    EXPECT_PARTS("2019. Started as a clerk\nand stayed.", 0,
                 "2019. Started as a clerk\nand stayed.");
    EXPECT_PARTS("", 0, NULL);
    EXPECT_PARTS("\n  \n\t\n", 0, NULL);
}

/* Beyond MAX parts, neighbours are joined into MAX spans that together
 * cover every part, in order. */
static void
test_parts_beyond_the_most_are_joined(void **state)
{
    (void)state;
    EXPECT_PARTS("- a1\n- b2\n- c3\n- d4\n- e5\n", 2, "a1\n- b2\n- c3",
                 "d4\n- e5");
    EXPECT_PARTS("- a1\n- b2\n", 2, "a1", "b2");
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
