/*
 * test_onet.c: the O*NET importer (jobdex-index --format onet).
 *
 * A small O*NET directory written here, in O*NET's own layout (tab-
 * separated, headers named as in 29.3, some files .txt and some .tsv),
 * checks every field the importer fills and the choice of occupations;
 * then, when ../shared holds it, the real O*NET 29.3 database checks the
 * counts. Every value below is made up for the test.
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

static jd_status
import(const char *dir, bool tasks_only, struct tu_recs *r, char *why,
       size_t whylen)
{
    struct jd_parse_opts o = {.format = JD_FORMAT_ONET,
                              .onet_tasks_only = tasks_only};
    struct jd_parse_sink sink = {tu_recs_keep, NULL, r};
    return jd_parse_file(dir, &o, &sink, why, whylen);
}

static const jd_spec *
by_id(const struct tu_recs *r, const char *id)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->v[i]->id, id) == 0)
            return r->v[i];
    return NULL;
}

/* ------------------------------------------------------------------ */
/* A hand-made O*NET directory                                         */
/* ------------------------------------------------------------------ */

static const char occupations[] =
    "O*NET-SOC Code\tTitle\tDescription\n"
    "11-9041.00\tArchitectural and Engineering Managers\tPlan, direct, or "
    "coordinate activities in such fields as architecture and "
    "engineering.\n"
    "51-9199.00\tProduction Workers, All Other\tAll production workers not "
    "listed separately.\n"
    "99-9999.00\tUnlisted Occupation\tNo tasks and no other titles.\n";

static const char tasks[] =
    "O*NET-SOC Code\tTask ID\tTask\tTask Type\tIncumbents Responding\n"
    "11-9041.00\t1\tDirect engineering of water control structures.\tCore\t"
    "n/a\n"
    "11-9041.00\t2\tPresent and explain proposals to civic groups.\t"
    "Supplemental\tn/a\n"
    "11-9041.00\t3\tEstablish scientific and technical goals.\t\tn/a\n";

static const char alt_titles[] =
    "O*NET-SOC Code\tTitle\tAlternate Title\tShort Title\tSource(s)\n"
    "11-9041.00\tArchitectural and Engineering Managers\tChief Engineer\t\t"
    "08\n"
    "51-9199.00\tProduction Workers, All Other\tBox Lidder\t\t08\n"
    "51-9199.00\tProduction Workers, All Other\tShank Tapper\t\t08\n";

static const char elements[] =
    "Element ID\tElement Name\tDescription\n"
    "2.C.3.a\tEngineering and Technology\tKnowledge of the design of "
    "structures.\n"
    "2.C.1.e\tCustomer and Personal Service\tKnowledge of serving "
    "customers.\n"
    "2.A.1.a\tReading Comprehension\tUnderstanding written sentences.\n";

static const char knowledge[] =
    "O*NET-SOC Code\tElement ID\tElement Name\tScale ID\tData Value\n"
    "11-9041.00\t2.C.3.a\tEngineering and Technology\tIM\t4.50\n"
    "11-9041.00\t2.C.3.a\tEngineering and Technology\tLV\t6.00\n"
    "11-9041.00\t2.C.1.e\tCustomer and Personal Service\tIM\t2.10\n"
    "51-9199.00\t2.C.3.a\tEngineering and Technology\tIM\t3.00\n";

static const char skills[] =
    "O*NET-SOC Code\tElement ID\tElement Name\tScale ID\tData Value\n"
    "11-9041.00\t2.A.1.a\tReading Comprehension\tIM\t3.75\n";

static const char zones[] = "O*NET-SOC Code\tTitle\tJob Zone\n"
                            "11-9041.00\tArchitectural and Engineering "
                            "Managers\t5\n";

static const char technology[] =
    "O*NET-SOC Code\tExample\tCommodity Title\tHot Technology\n"
    "11-9041.00\tAutodesk AutoCAD\tCAD software\tY\n"
    "11-9041.00\tNotepad\tText editors\tN\n";

static const char soc[] = "Major Group\tMinor Group\tBroad Group\tDetailed "
                          "Occupation\tSOC Title\n"
                          "11-0000\t\t\t\tManagement Occupations\n"
                          "51-0000\t\t\t\tProduction Occupations\n";

static char *
mini_onet(void)
{
    char *dir = tu_mkdtemp();
    const struct {
        const char *name, *text;
    } files[] = {
        {"Occupation Data.txt", occupations},
        {"Task Statements.txt", tasks},
        {"Alternate Titles.tsv", alt_titles},
        {"Content Model Reference.txt", elements},
        {"Knowledge.tsv", knowledge},
        {"Skills.tsv", skills},
        {"Job Zones.txt", zones},
        {"Technology Skills.txt", technology},
        {"soc_structure_2018.tsv", soc},
    };
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        free(
            tu_write(dir, files[i].name, files[i].text, strlen(files[i].text)));
    return dir;
}

static void
test_onet_occupation_with_tasks_has_every_field(void **state)
{
    (void)state;
    char *dir = mini_onet(), why[512] = "";
    struct tu_recs r = {NULL, 0, 0};
    assert_int_equal(import(dir, false, &r, why, sizeof(why)), JD_OK);
    const jd_spec *s = by_id(&r, "onet/11-9041.00");
    assert_non_null(s);
    assert_string_equal(s->code, "11-9041.00");
    assert_string_equal(s->title, "Architectural and Engineering Managers");
    assert_string_equal(s->jurisdiction, "O*NET");
    assert_string_equal(s->department, "Management Occupations");
    assert_non_null(strstr(s->summary, "architecture and engineering"));
    assert_int_equal(s->alt_titles.len, 1);
    assert_string_equal(s->alt_titles.v[0], "Chief Engineer");
    /* Tasks in file order, numbered, typed; an untyped task is core. */
    assert_int_equal(s->duties.len, 3);
    assert_string_equal(s->duties.v[0].kind, "core");
    assert_string_equal(s->duties.v[1].kind, "supplemental");
    assert_string_equal(s->duties.v[2].kind, "core");
    assert_int_equal(s->duties.v[1].n, 2);
    assert_non_null(strstr(s->duties.v[1].text, "civic groups"));
    /* Importance (IM) >= 3 only, named and described. */
    assert_int_equal(s->knowledge.len, 1);
    assert_string_equal(s->knowledge.v[0].text,
                        "Engineering and Technology: Knowledge of the "
                        "design of structures.");
    assert_int_equal(s->skills.len, 1);
    assert_non_null(strstr(s->skills.v[0].text, "Reading Comprehension"));
    /* Job zone as grade; hot technologies only as tools. */
    assert_string_equal(s->pay_grade, "5");
    assert_true(s->has_grade);
    assert_true(s->grade_min == 5.0 && s->grade_max == 5.0);
    assert_int_equal(s->tools.len, 1);
    assert_string_equal(s->tools.v[0], "Autodesk AutoCAD");
    tu_recs_free(&r);
    tu_rmtree(dir);
    free(dir);
}

static void
test_onet_title_only_occupations_are_kept_unless_asked(void **state)
{
    (void)state;
    char *dir = mini_onet(), why[512] = "";
    struct tu_recs r = {NULL, 0, 0};
    assert_int_equal(import(dir, false, &r, why, sizeof(why)), JD_OK);
    /* "All Other" has alternate titles but no tasks: a code titles are
     * coded to. An occupation with neither is left out. */
    assert_int_equal(r.n, 2);
    const jd_spec *other = by_id(&r, "onet/51-9199.00");
    assert_non_null(other);
    assert_int_equal(other->duties.len, 0);
    assert_int_equal(other->alt_titles.len, 2);
    assert_string_equal(other->alt_titles.v[1], "Shank Tapper");
    assert_int_equal(other->knowledge.len, 1);
    assert_string_equal(other->department, "Production Occupations");
    assert_non_null(strstr(other->source_file, "Occupation Data.txt"));
    assert_null(by_id(&r, "onet/99-9999.00"));
    tu_recs_free(&r);

    assert_int_equal(import(dir, true, &r, why, sizeof(why)), JD_OK);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.v[0]->id, "onet/11-9041.00");
    assert_non_null(strstr(r.v[0]->source_file, "Task Statements.txt"));
    tu_recs_free(&r);
    tu_rmtree(dir);
    free(dir);
}

static void
test_onet_missing_required_file_is_named(void **state)
{
    (void)state;
    char *dir = mini_onet(), why[512] = "";
    char path[4096];
    snprintf(path, sizeof(path), "%s/Task Statements.txt", dir);
    assert_int_equal(remove(path), 0);
    struct tu_recs r = {NULL, 0, 0};
    assert_int_equal(import(dir, false, &r, why, sizeof(why)),
                     JD_ERR_INVALID_ARG);
    assert_non_null(strstr(why, "Task Statements"));
    assert_int_equal(r.n, 0);
    tu_rmtree(dir);
    free(dir);
}

/* The command line: --format onet and --onet-tasks-only reach the
 * importer. */
static void
test_onet_cli_dump_and_tasks_only(void **state)
{
    (void)state;
    char *dir = mini_onet();
    const char *all[] = {"jobdex-index", "--format", "onet",
                         "--dump",       dir,        NULL};
    struct tu_run r;
    tu_run(all, NULL, &r);
    assert_int_equal(r.status, 0);
    assert_int_equal(tu_count_lines(r.out, "\"id\":\"onet/"), 2);
    assert_int_equal(tu_count_lines(r.out, "\"onet/51-9199.00\""), 1);
    tu_run_free(&r);
    const char *tasks_only[] = {"jobdex-index", "--onet-tasks-only", "--dump",
                                dir, NULL};
    tu_run(tasks_only, NULL, &r);
    assert_int_equal(r.status, 0);
    assert_int_equal(tu_count_lines(r.out, "\"id\":\"onet/"), 1);
    assert_int_equal(tu_count_lines(r.out, "\"onet/11-9041.00\""), 1);
    tu_run_free(&r);
    tu_rmtree(dir);
    free(dir);
}

/* ------------------------------------------------------------------ */
/* The real database                                                   */
/* ------------------------------------------------------------------ */

static void
test_onet_29_3_counts(void **state)
{
    (void)state;
    const char *shared = tu_shared("data/onet-29.3/Occupation Data.txt");
    if (!shared) {
        print_message("skipped: no ../shared/data/onet-29.3 (set "
                      "JOBDEX_SHARED=DIR)\n");
        skip();
    }
    char dir[4096], why[512] = "";
    snprintf(dir, sizeof(dir), "%s/data/onet-29.3", shared);
    struct tu_recs r = {NULL, 0, 0};
    assert_int_equal(import(dir, true, &r, why, sizeof(why)), JD_OK);
    /* The 923: every occupation with task statements. */
    assert_int_equal(r.n, 923);
    size_t duties = 0;
    for (size_t i = 0; i < r.n; i++) {
        assert_true(r.v[i]->duties.len > 0);
        duties += r.v[i]->duties.len;
    }
    tu_recs_free(&r);
    /* Plus the 93 known by title alone ("All Other", military). */
    assert_int_equal(import(dir, false, &r, why, sizeof(why)), JD_OK);
    assert_int_equal(r.n, 1016);
    size_t titles = 0, all_duties = 0;
    for (size_t i = 0; i < r.n; i++) {
        titles += r.v[i]->alt_titles.len;
        all_duties += r.v[i]->duties.len;
    }
    assert_int_equal(all_duties, duties);
    const jd_spec *other = by_id(&r, "onet/51-9199.00");
    assert_non_null(other);
    assert_true(other->alt_titles.len > 1000);
    print_message("O*NET 29.3: 923 occupations with %zu tasks, 1016 with "
                  "%zu alternate titles\n",
                  duties, titles);
    tu_recs_free(&r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_onet_occupation_with_tasks_has_every_field),
        cmocka_unit_test(
            test_onet_title_only_occupations_are_kept_unless_asked),
        cmocka_unit_test(test_onet_missing_required_file_is_named),
        cmocka_unit_test(test_onet_cli_dump_and_tasks_only),
        cmocka_unit_test(test_onet_29_3_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
