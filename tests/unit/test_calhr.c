/*
 * test_calhr.c: the parser over all 1,757 CalHR class specs in
 * ../shared/data/calhr-class-specs/specs. For each file the expected code
 * is its name and the expected title its "# " heading, or for a series
 * spec the title its table of class codes gives that code; those are read
 * here independently of the parser. Prints the rates (JOBDEX_REPORT=1
 * also lists the misses) and checks them against the acceptance bar.
 * Skips when the data is absent.
 */
#include "jobdex.h"

#include "indexer/text/analyze.h"
#include "testutil.h"

#include <ctype.h>
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Letters and digits only, lower case: "Manager's (IST)" ~ "managers ist". */
static void
loose(const char *s, char *out, size_t size)
{
    size_t o = 0;
    for (; *s && o + 1 < size; s++)
        if (isalnum((unsigned char)*s))
            out[o++] = (char)tolower((unsigned char)*s);
    out[o] = '\0';
}

static void
strip_remark(char *title)
{
    char *ab = strstr(title, "(Abolished");
    if (!ab)
        ab = strstr(title, "(abolished");
    if (ab)
        *ab = '\0';
}

/* The title the file gives CODE: its table row, else its "# " heading. */
static bool
expected_title(const char *text, const char *code, char *out, size_t size)
{
    bool found = false;
    const char *h = strstr(text, "\n# ");
    if (h) {
        const char *e = strchr(h + 3, '\n');
        snprintf(out, size, "%.*s", (int)(e ? e - h - 3 : (long)strlen(h + 3)),
                 h + 3);
        found = true;
    }
    /* Piped rows "| SCHEM | CODE | Title |" or stacked lines. */
    char *copy = strdup(text);
    char *save = NULL;
    char *prev2 = NULL, *prev1 = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '|') {
            char *cells[8];
            size_t n = 0;
            for (char *c = strtok(line + 1, "|"); c && n < 8;
                 c = strtok(NULL, "|"))
                cells[n++] = c;
            for (size_t i = 0; i + 1 < n; i++) {
                char key[64];
                loose(cells[i], key, sizeof(key));
                if (strcmp(key, code) == 0) {
                    snprintf(out, size, "%s", cells[i + 1]);
                    strip_remark(out);
                    found = true;
                    free(copy);
                    return found;
                }
            }
        } else if (prev1 && prev2 && strlen(prev2) <= 5 &&
                   strcmp(prev1, code) == 0) {
            snprintf(out, size, "%s", line);
            strip_remark(out);
            free(copy);
            return true;
        }
        prev2 = prev1;
        prev1 = line;
    }
    free(copy);
    return found;
}

static void
test_calhr_parse_rates_meet_the_bar(void **state)
{
    (void)state;
    const char *shared = tu_shared("data/calhr-class-specs/specs");
    if (!shared) {
        print_message("skipped: ../shared/data/calhr-class-specs not found\n");
        skip();
    }
    bool report = getenv("JOBDEX_REPORT") != NULL;
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/data/calhr-class-specs/specs", shared);
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t files = 0, id_ok = 0, tasks = 0, tasks_ok = 0, ka = 0, ka_ok = 0;
    size_t records = 0, rejected = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t nl = strlen(e->d_name);
        if (nl < 5 || strcmp(e->d_name + nl - 4, ".txt") != 0)
            continue;
        files++;
        char path[4400], code[64];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        snprintf(code, sizeof(code), "%.*s", (int)(nl - 4), e->d_name);
        char *text = tu_read(path, NULL);
        assert_non_null(text);
        jd_buf norm = {NULL, 0, 0};
        assert_int_equal(analyze_normalize(text, strlen(text), &norm), JD_OK);

        struct tu_recs r = {NULL, 0, 0};
        struct jd_parse_sink sink = {tu_recs_keep, NULL, &r};
        char why[256];
        if (jd_parse_file(path, NULL, &sink, why, sizeof(why)) != JD_OK)
            rejected++;
        records += r.n;
        const jd_spec *s = NULL;
        for (size_t i = 0; i < r.n && !s; i++)
            if (r.v[i]->code && strcmp(r.v[i]->code, code) == 0)
                s = r.v[i];

        char want[512], a[512], b[512];
        bool has_title = expected_title(norm.data, code, want, sizeof(want));
        loose(want, a, sizeof(a));
        loose(s && s->title ? s->title : "", b, sizeof(b));
        if (s && has_title && strcmp(a, b) == 0)
            id_ok++;
        else if (report)
            printf("miss: %s: want code %s title '%s', got '%s'\n", e->d_name,
                   code, has_title ? want : "?",
                   s && s->title ? s->title : "(no record with that code)");
        if (strstr(text, "\n## Typical Tasks")) {
            tasks++;
            if (s && s->duties.len > 0)
                tasks_ok++;
            else if (report)
                printf("miss: %s: Typical Tasks gave no duty\n", e->d_name);
        }
        if (strstr(text, "\n## Knowledge and Abilities") ||
            strstr(text, "\n## Knowledges and Abilities")) {
            ka++;
            if (s && s->knowledge.len + s->skills.len + s->abilities.len > 0)
                ka_ok++;
            else if (report)
                printf("miss: %s: Knowledge and Abilities gave no item\n",
                       e->d_name);
        }
        tu_recs_free(&r);
        jd_buf_free(&norm);
        free(text);
    }
    closedir(d);
    double id_rate = (double)id_ok / (double)files;
    double task_rate = (double)tasks_ok / (double)tasks;
    double ka_rate = (double)ka_ok / (double)ka;
    printf("CalHR parse report: %zu files, %zu records, %zu files rejected\n",
           files, records, rejected);
    printf("  code = file name and title = heading/table: %zu/%zu = %.2f%%\n",
           id_ok, files, 100 * id_rate);
    printf("  'Typical Tasks' files with >= 1 duty:        %zu/%zu = %.2f%%\n",
           tasks_ok, tasks, 100 * task_rate);
    printf("  'Knowledge and Abilities' with >= 1 item:    %zu/%zu = %.2f%%\n",
           ka_ok, ka, 100 * ka_rate);
    assert_true(files >= 1700);
    assert_true(id_rate >= 0.99);
    assert_true(task_rate >= 0.95);
    assert_true(ka_rate >= 0.95);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calhr_parse_rates_meet_the_bar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
