/*
 * test_spec.c: the class-spec parser on every seed layout, on layouts
 * written for these tests (tests/fixtures/specs) and on bad input.
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

static jd_status
parse_path(const char *path, const char *folder, struct tu_recs *r)
{
    struct jd_parse_opts o = {.format = JD_FORMAT_AUTO,
                              .folder_jurisdiction = folder};
    /* cppcheck-suppress ctuuninitvar ; *r is cleared below */
    struct jd_parse_sink sink = {tu_recs_keep, NULL, r};
    memset(r, 0, sizeof(*r));
    return jd_parse_file(path, &o, &sink, why, sizeof(why));
}

static jd_spec *
parse_one(const char *path, const char *folder, struct tu_recs *r)
{
    assert_int_equal(parse_path(path, folder, r), JD_OK);
    assert_int_equal(r->n, 1);
    return r->v[0];
}

/* TEXT, as the file "lakeview.txt", parses to exactly one record. */
static jd_spec *
parse_one_text(const char *text, struct tu_recs *r)
{
    /* cppcheck-suppress ctuuninitvar ; *r is cleared below */
    struct jd_parse_sink sink = {tu_recs_keep, NULL, r};
    memset(r, 0, sizeof(*r));
    assert_int_equal(jd_parse_text(text, strlen(text), "lakeview.txt", NULL,
                                   &sink, why, sizeof(why)),
                     JD_OK);
    assert_int_equal(r->n, 1);
    return r->v[0];
}

static size_t
count_kind(const struct jd_item_list *l, const char *kind)
{
    size_t n = 0;
    for (size_t i = 0; i < l->len; i++)
        n += l->v[i].kind && strcmp(l->v[i].kind, kind) == 0;
    return n;
}

/* No item of any list contains NEEDLE. */
static void
assert_nowhere(const jd_spec *s, const char *needle)
{
    const struct jd_item_list *lists[] = {
        &s->duties,    &s->knowledge, &s->skills, &s->abilities,
        &s->education, &s->licenses,  &s->other};
    for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++)
        for (size_t i = 0; i < lists[l]->len; i++)
            if (strstr(lists[l]->v[i].text, needle)) {
                fprintf(stderr, "found '%s' in: %s\n", needle,
                        lists[l]->v[i].text);
                fail();
            }
}

/* ---- the seeds ---- */

static void
test_spec_web_services_coordinator(void **state)
{
    (void)state;
    struct tu_recs r;
    jd_spec *s =
        parse_one("corpus/milwaukie/web-services-coordinator.txt", NULL, &r);
    assert_string_equal(s->title, "Web Services Coordinator");
    assert_null(s->code);
    assert_string_equal(s->id, "milwaukie/web-services-coordinator");
    assert_string_equal(s->jurisdiction, "City of Milwaukie");
    assert_string_equal(s->department, "City Manager's Office");
    assert_true(s->has_grade);
    assert_true(s->grade_min == 60 && s->grade_max == 60);
    assert_string_equal(s->flsa, "Nonexempt");
    assert_string_equal(s->bargaining_unit, "AFSCME");
    assert_int_equal(s->duties.len, 12);
    /* Duty 1 was wrapped over three lines with blank lines between. */
    assert_string_equal(s->duties.v[0].text,
                        "Works with the Communication Program Manager and "
                        "Assistant City Manager in design, development, "
                        "implementation, and maintenance of the City's "
                        "external web site.");
    assert_int_equal(s->duties.v[0].n, 1);
    assert_int_equal(s->duties.v[0].line, 40);
    assert_string_equal(s->duties.v[11].text,
                        "Performs other duties as required.");
    assert_int_equal(s->knowledge.len, 3);
    assert_string_equal(s->knowledge.v[0].text,
                        "Website content management systems");
    assert_int_equal(s->abilities.len, 7);
    assert_int_equal(s->education.len, 2);
    assert_nowhere(s, "Tasks listed are intended");
    assert_nowhere(s, "does not constitute");
    assert_string_equal(s->adopted, "1/2019");
    assert_string_equal(s->revised, "12/2021");
    tu_recs_free(&r);
}

static void
test_spec_internet_services_manager(void **state)
{
    (void)state;
    struct tu_recs r;
    jd_spec *s =
        parse_one("corpus/st-louis/internet-services-manager.txt", NULL, &r);
    assert_string_equal(s->title, "Internet Services Manager");
    assert_string_equal(s->code, "1368");
    assert_string_equal(s->id, "st-louis/1368");
    assert_string_equal(s->jurisdiction, "City of St. Louis");
    assert_int_equal(s->duties.len, 17);
    /* The running header "City of St. Louis / Internet Services Manager"
     * between duties 2 and 3 is not part of either. */
    assert_string_equal(s->duties.v[1].text,
                        "Leads and promotes Internet-related projects; "
                        "manages projects including tracking, monitoring, "
                        "troubleshooting and reporting.");
    assert_string_equal(s->duties.v[2].text,
                        "Schedules all web and application development work "
                        "with various web staff.");
    assert_nowhere(s, "Internet Services Manager");
    assert_nowhere(s, "list of duties is intended");
    assert_nowhere(s, "Equal Opportunity Employer");
    assert_non_null(s->distinguishing);
    assert_non_null(strstr(s->working_conditions, "office environment"));
    tu_recs_free(&r);
}

static void
test_spec_ist_director(void **state)
{
    (void)state;
    struct tu_recs r;
    jd_spec *s = parse_one(
        "corpus/milwaukie/information-systems-technology-director.txt", NULL,
        &r);
    assert_string_equal(s->title,
                        "Information Systems Technology (IST) Director");
    assert_string_equal(s->department, "Information Systems Technology (IST)");
    assert_true(s->grade_min == 31);
    assert_string_equal(s->flsa, "Exempt");
    assert_int_equal(s->duties.len, 12);
    assert_nowhere(s, "PAGE 3 OF 3");
    assert_nowhere(s, "INFORMATION SYSTEMS TECHNOLOGY (IST) DIRECTOR");
    assert_nowhere(s, "Tasks listed are intended");
    /* Roman-numbered qualifications: "v)" is five, not the letter v. */
    assert_int_equal(s->knowledge.len, 7);
    assert_int_equal(s->abilities.v[0].n, 5);
    /* A licence requirement wrapped over two lines is one item. */
    bool found = false;
    for (size_t i = 0; i < s->licenses.len; i++)
        found |= strstr(s->licenses.v[i].text,
                        "Oregon or Washington State Driver's License") != NULL;
    assert_true(found);
    assert_non_null(strstr(s->supervision, "City Manager"));
    assert_true(s->other.len > 0);
    tu_recs_free(&r);
}

static void
test_spec_community_engagement_coordinator(void **state)
{
    (void)state;
    struct tu_recs r;
    jd_spec *s = parse_one(
        "corpus/milwaukie/community-engagement-coordinator.txt", NULL, &r);
    assert_string_equal(s->title, "Community Engagement Coordinator");
    assert_true(s->grade_min == 66);
    assert_int_equal(s->duties.len, 12);
    /* Duty 1 keeps its ten sub-bullets. */
    const char *d1 = s->duties.v[0].text;
    assert_non_null(strstr(d1, "Creates and leads the implementation"));
    assert_non_null(strstr(d1, "\n- Generates community and partner input"));
    assert_non_null(strstr(d1, "\n- Works closely with Communications"));
    /* The wrapped sub-bullet is joined. */
    assert_non_null(strstr(d1, "with City staff on how to develop"));
    /* The unnumbered duty after the page header is duty 2. */
    assert_int_equal(s->duties.v[1].n, 2);
    assert_non_null(strstr(s->duties.v[1].text, "Initiates and attends"));
    assert_int_equal(s->duties.v[2].n, 3);
    assert_nowhere(s, "COMMUNITY ENGAGEMENT COORDINATOR");
    assert_string_equal(s->duties.v[9].text,
                        "Maintains positive public relations with customers "
                        "and is responsive to customer needs.");
    tu_recs_free(&r);
}

static void
test_spec_portland_coordinator_ii_uses_folder_jurisdiction(void **state)
{
    (void)state;
    struct tu_recs r;
    jd_spec *s =
        parse_one("corpus/portland/coordinator-ii.txt", "portland", &r);
    assert_string_equal(s->title, "Coordinator II");
    assert_string_equal(s->code, "30003028");
    assert_string_equal(s->id, "portland/30003028");
    assert_string_equal(s->jurisdiction, "Portland");
    assert_true(s->grade_min == 56);
    assert_string_equal(s->flsa, "Exempt");
    assert_string_equal(s->bargaining_unit, "Non-represented");
    assert_int_equal(s->duties.len, 23);
    assert_int_equal(count_kind(&s->duties, "general"), 13);
    assert_int_equal(count_kind(&s->duties, "specific"), 10);
    /* Duty 2 was split by a blank line in mid-sentence. */
    assert_non_null(strstr(s->duties.v[1].text,
                           "evaluating programs or activities, including"));
    assert_nowhere(s, "Depending on the assignment");
    assert_int_equal(s->knowledge.len + s->skills.len + s->abilities.len, 17);
    tu_recs_free(&r);
}

/* ---- layouts written for these tests ---- */

static void
test_spec_bulleted_functions_with_footer_and_salary_range(void **state)
{
    (void)state;
    struct tu_recs r;
    jd_spec *s = parse_one("tests/fixtures/specs/riverton/accountant-ii.txt",
                           "riverton", &r);
    assert_string_equal(s->title, "Accountant II");
    assert_string_equal(s->code, "4410");
    assert_string_equal(s->jurisdiction, "City of Riverton");
    assert_string_equal(s->department, "Finance");
    assert_true(s->grade_min == 52000 && s->grade_max == 68000);
    assert_non_null(s->summary);
    assert_int_equal(s->duties.len, 7);
    assert_nowhere(s, "Page 1 of 2");
    /* "o" bullets indented under a duty are its sub-bullets. */
    assert_non_null(
        strstr(s->duties.v[3].text, "\n- Prepares revenue projections."));
    assert_int_equal(s->knowledge.len, 2);
    assert_int_equal(s->abilities.len, 2);
    assert_int_equal(s->licenses.len, 1);
    assert_null(strstr(s->working_conditions, "Page"));
    tu_recs_free(&r);
}

static void
test_spec_lettered_examples_of_duties(void **state)
{
    (void)state;
    struct tu_recs r;
    jd_spec *s =
        parse_one("tests/fixtures/specs/harbor-county/maintenance-worker-i.txt",
                  "harbor-county", &r);
    assert_string_equal(s->title, "Maintenance Worker I");
    assert_string_equal(s->code, "7120");
    assert_string_equal(s->jurisdiction, "Harbor County");
    assert_true(s->grade_min == 14);
    assert_int_equal(s->duties.len, 4);
    assert_string_equal(s->duties.v[0].kind, "typical");
    assert_string_equal(s->duties.v[0].text,
                        "Patches potholes, cleans culverts and ditches, and "
                        "mows roadside vegetation.");
    assert_non_null(s->working_conditions);
    assert_int_equal(s->education.len, 1);
    assert_int_equal(s->licenses.len, 1);
    tu_recs_free(&r);
}

static void
test_spec_series_gives_one_record_per_class(void **state)
{
    (void)state;
    struct tu_recs r;
    assert_int_equal(parse_path("tests/fixtures/specs/harbor-county/"
                                "series-analyst.txt",
                                NULL, &r),
                     JD_OK);
    assert_int_equal(r.n, 2);
    jd_spec *a = r.v[0], *b = r.v[1];
    assert_string_equal(a->title, "Program Analyst I");
    assert_string_equal(a->code, "9001");
    assert_string_equal(b->title, "Program Analyst II");
    assert_string_equal(a->series, "Program Analyst Series");
    assert_string_equal(a->jurisdiction, "State of California");
    /* Each class has its own level definition... */
    assert_non_null(strstr(a->summary, "collect program data"));
    assert_null(strstr(a->summary, "lead program studies"));
    assert_non_null(strstr(b->summary, "lead program studies"));
    /* ... which stands in for the duties it does not list. */
    assert_int_equal(a->duties.len, 3);
    assert_string_equal(a->duties.v[1].text, "prepare simple reports");
    assert_string_equal(a->duties.v[1].kind, "level");
    /* ... and its own qualifications, Either/Or patterns kept apart. */
    assert_int_equal(a->education.len, 1);
    assert_int_equal(b->education.len, 3);
    assert_non_null(strstr(b->education.v[1].text, "Either I: One year"));
    assert_non_null(strstr(b->education.v[2].text, "Or II: Two years"));
    /* Shared knowledge is split at its semicolons. */
    assert_int_equal(b->knowledge.len, 3);
    assert_string_equal(b->knowledge.v[1].text, "statistics");
    tu_recs_free(&r);
}

static const char wrapped_across_page[] =
    "CITY OF LAKEVIEW\n"
    "CLASSIFICATION: PARKS SUPERVISOR\n"
    "\n"
    "TYPICAL DUTIES:\n"
    "1. Plans and supervises the maintenance of city parks, playgrounds and\n"
    "\f"
    "PARKS SUPERVISOR\n"
    "athletic fields, assigning crews and equipment.\n"
    "2. Prepares the division budget.\n"
    "PARKS SUPERVISOR\n";

static void
test_spec_joins_a_duty_wrapped_over_a_page_break(void **state)
{
    (void)state;
    struct tu_recs r;
    jd_spec *s = parse_one_text(wrapped_across_page, &r);
    assert_string_equal(s->title, "Parks Supervisor");
    assert_int_equal(s->duties.len, 2);
    assert_string_equal(s->duties.v[0].text,
                        "Plans and supervises the maintenance of city parks, "
                        "playgrounds and athletic fields, assigning crews and "
                        "equipment.");
    tu_recs_free(&r);
}

/* A disclaimer sentence is dropped; an item that merely mentions a
 * disclaimer's phrase is kept. */
static const char eeo_mentions[] =
    "CITY OF LAKEVIEW\n"
    "CLASSIFICATION: PERSONNEL SUPERVISOR\n"
    "\n"
    "TYPICAL DUTIES:\n"
    "1. Supervises personnel staff.\n"
    "2. The City of Lakeview is an Equal Opportunity Employer. It will "
    "provide accommodations to qualified individuals with disabilities.\n"
    "\n"
    "KNOWLEDGE:\n"
    "1. Principles and practices of personnel administration, supervision "
    "and training, and the supervisor's role as an equal opportunity "
    "employer, in addition to the knowledge required of the Associate "
    "Personnel Analyst and of the laws and rules that govern state hiring.\n";

static void
test_spec_drops_disclaimers_not_items_that_mention_them(void **state)
{
    (void)state;
    struct tu_recs r;
    jd_spec *s = parse_one_text(eeo_mentions, &r);
    assert_int_equal(s->duties.len, 1);
    assert_string_equal(s->duties.v[0].text, "Supervises personnel staff.");
    assert_int_equal(s->knowledge.len, 1);
    assert_non_null(strstr(s->knowledge.v[0].text, "equal opportunity"));
    tu_recs_free(&r);
}

/* A running footer with a long title and department before "Page N of
 * M" is dropped between two pages of duties, and the duty it interrupts
 * is joined across it. */
static const char long_footer[] =
    "CITY OF LAKEVIEW\n"
    "CLASSIFICATION: SENIOR ENVIRONMENTAL COMPLIANCE INSPECTOR\n"
    "\n"
    "TYPICAL DUTIES:\n"
    "1. Inspects industrial facilities for compliance with storm water\n"
    "City of Lakeview Department of Public Works and Environmental Services "
    "Senior Environmental Compliance Inspector Class Specification   Page 1 of "
    "2\n"
    "permits and prepares enforcement reports.\n"
    "2. Trains staff.\n";

static void
test_spec_drops_a_long_running_footer(void **state)
{
    (void)state;
    struct tu_recs r;
    jd_spec *s = parse_one_text(long_footer, &r);
    assert_nowhere(s, "Page 1 of 2");
    assert_int_equal(s->duties.len, 2);
    assert_string_equal(s->duties.v[0].text,
                        "Inspects industrial facilities for compliance with "
                        "storm water permits and prepares enforcement "
                        "reports.");
    tu_recs_free(&r);
}

/* In a hard-wrapped bulleted list, a line that ends a sentence near the
 * wrapping width does not end the item: the item's next sentence goes on
 * below it. A short line that ends a sentence does end it. */
static const char wrapped_sentences[] =
    "CITY OF LAKEVIEW\n"
    "CLASSIFICATION: PRINTING COORDINATOR\n"
    "\n"
    "ESSENTIAL FUNCTIONS:\n"
    "*  Monitors the schedule status of printing jobs throughout the "
    "production\n"
    "   cycle and takes action as necessary.\n"
    "*  Uses available data processing techniques and tools as appropriate.\n"
    "   Assists in the job layout, design, mark-up and copy preparation on "
    "job\n"
    "   and publication work.\n"
    "*  Confers with production supervision to establish staff availability\n"
    "   and job sequencing.\n"
    "*  Trains staff.\n"
    "Orders paper and supplies.\n";

static void
test_spec_joins_sentences_of_one_wrapped_item(void **state)
{
    (void)state;
    struct tu_recs r;
    jd_spec *s = parse_one_text(wrapped_sentences, &r);
    assert_int_equal(s->duties.len, 5);
    assert_string_equal(s->duties.v[1].text,
                        "Uses available data processing techniques and tools "
                        "as appropriate. Assists in the job layout, design, "
                        "mark-up and copy preparation on job and publication "
                        "work.");
    assert_string_equal(s->duties.v[3].text, "Trains staff.");
    assert_string_equal(s->duties.v[4].text, "Orders paper and supplies.");
    tu_recs_free(&r);
}

/* ---- bad input ---- */

static jd_status
parse_bytes(const char *data, size_t len, struct tu_recs *r)
{
    /* cppcheck-suppress ctuuninitvar ; *r is cleared below */
    struct jd_parse_sink sink = {tu_recs_keep, NULL, r};
    memset(r, 0, sizeof(*r));
    why[0] = '\0';
    return jd_parse_text(data, len, "input.txt", NULL, &sink, why, sizeof(why));
}

static void
test_spec_rejects_empty_binary_and_invalid_utf8(void **state)
{
    (void)state;
    struct tu_recs r;
    assert_int_equal(parse_bytes(" \n\n\t\n", 5, &r), JD_ERR_INVALID_ARG);
    assert_string_equal(why, "empty file");
    assert_int_equal(parse_bytes("TITLE: A\0B", 10, &r), JD_ERR_INVALID_ARG);
    assert_non_null(strstr(why, "binary"));
    assert_int_equal(parse_bytes("TITLE: Caf\xe9\nline two\n", 20, &r),
                     JD_ERR_INVALID_ARG);
    assert_non_null(strstr(why, "invalid UTF-8 at line 1"));
    /* Overlong encoding of '/' is invalid too. */
    assert_int_equal(parse_bytes("TITLE: \xc0\xaf", 9, &r), JD_ERR_INVALID_ARG);
    assert_int_equal(r.n, 0);
}

static void
test_spec_rejects_text_without_a_title(void **state)
{
    (void)state;
    struct tu_recs r;
    const char *t = "this line is just some running text that goes on and on "
                    "without any heading, label or title at all.\n";
    assert_int_equal(parse_bytes(t, strlen(t), &r), JD_ERR_INVALID_ARG);
    assert_non_null(strstr(why, "title"));
}

static void
test_spec_rejects_files_over_the_size_limit(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    size_t len = JD_SPEC_MAX_BYTES + 10;
    char *big = malloc(len);
    memset(big, 'a', len);
    char *path = tu_write(dir, "big.txt", big, len);
    struct tu_recs r;
    assert_int_equal(parse_path(path, NULL, &r), JD_ERR_TOO_BIG);
    assert_non_null(strstr(why, "limit"));
    assert_int_equal(parse_path("/nonexistent/file.txt", NULL, &r), JD_ERR_IO);
    free(big);
    free(path);
    tu_rmtree(dir);
    free(dir);
}

static void
test_spec_title_case_keeps_acronyms_and_numerals(void **state)
{
    (void)state;
    const char *t = "CLASSIFICATION: GIS ANALYST III\n\n"
                    "DUTIES:\n1. Maintains the GIS database for the city.\n";
    struct tu_recs r;
    assert_int_equal(parse_bytes(t, strlen(t), &r), JD_OK);
    assert_string_equal(r.v[0]->title, "GIS Analyst III");
    assert_null(r.v[0]->jurisdiction);
    assert_string_equal(r.v[0]->id, "unknown/gis-analyst-iii");
    tu_recs_free(&r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_web_services_coordinator),
        cmocka_unit_test(test_spec_internet_services_manager),
        cmocka_unit_test(test_spec_ist_director),
        cmocka_unit_test(test_spec_community_engagement_coordinator),
        cmocka_unit_test(
            test_spec_portland_coordinator_ii_uses_folder_jurisdiction),
        cmocka_unit_test(
            test_spec_bulleted_functions_with_footer_and_salary_range),
        cmocka_unit_test(test_spec_lettered_examples_of_duties),
        cmocka_unit_test(test_spec_series_gives_one_record_per_class),
        cmocka_unit_test(test_spec_joins_a_duty_wrapped_over_a_page_break),
        cmocka_unit_test(
            test_spec_drops_disclaimers_not_items_that_mention_them),
        cmocka_unit_test(test_spec_drops_a_long_running_footer),
        cmocka_unit_test(test_spec_joins_sentences_of_one_wrapped_item),
        cmocka_unit_test(test_spec_rejects_empty_binary_and_invalid_utf8),
        cmocka_unit_test(test_spec_rejects_text_without_a_title),
        cmocka_unit_test(test_spec_rejects_files_over_the_size_limit),
        cmocka_unit_test(test_spec_title_case_keeps_acronyms_and_numerals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
