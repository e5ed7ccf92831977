/*
 * cli_csv.c: jobdex-query's CSV output (RFC 4180: a header row, fields
 * with commas, quotes or line breaks quoted, quotes doubled).
 */
#include "query/cli/cli.h"

#include <string.h>

void
csv_field(FILE *f, const char *s, bool last)
{
    if (!s)
        s = "";
    if (strpbrk(s, ",\"\n\r")) {
        fputc('"', f);
        for (const char *p = s; *p; p++) {
            if (*p == '"')
                fputc('"', f);
            fputc(*p, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
    fputs(last ? "\r\n" : ",", f);
}

static void
integer(FILE *f, unsigned long long v, bool last)
{
    char b[32];
    snprintf(b, sizeof(b), "%llu", v);
    csv_field(f, b, last);
}

static void
real(FILE *f, double v, bool last)
{
    char b[64];
    snprintf(b, sizeof(b), "%.6f", v);
    csv_field(f, b, last);
}

static void
header(struct cli_out *o, const char *const *cols, size_t n)
{
    if (!o->csv_header)
        return;
    for (size_t i = 0; i < n; i++)
        csv_field(o->f, cols[i], i + 1 == n);
    o->csv_header = false;
}

static void
hit_fields(FILE *f, const struct jd_hit *h)
{
    const jd_spec *s = h->spec;
    integer(f, h->rank, false);
    csv_field(f, s->id, false);
    csv_field(f, s->code, false);
    csv_field(f, s->title, false);
    csv_field(f, s->jurisdiction, false);
    csv_field(f, s->department, false);
    real(f, h->score, false);
}

void
csv_search(struct cli_out *o, const char *query, const jd_results *r)
{
    static const char *const cols[] = {
        "query",      "rank",  "id",   "code", "title",  "jurisdiction",
        "department", "score", "list", "n",    "snippet"};
    header(o, cols, sizeof(cols) / sizeof(cols[0]));
    for (size_t i = 0; i < jd_results_count(r); i++) {
        const struct jd_hit *h = jd_results_get(r, i);
        const struct jd_snippet *sn = h->nsnippets ? &h->snippets[0] : NULL;
        csv_field(o->f, query, false);
        hit_fields(o->f, h);
        csv_field(o->f, sn ? sn->list : "", false);
        integer(o->f, sn ? sn->n : 0, false);
        csv_field(o->f, sn ? sn->text : "", true);
    }
}

void
csv_match(struct cli_out *o, const char *query, const jd_results *r)
{
    static const char *const cols[] = {
        "query",        "rank",       "id",    "code",    "title",
        "jurisdiction", "department", "score", "percent", "confidence",
        "evidence",     "gaps",       "model", "concepts"};
    header(o, cols, sizeof(cols) / sizeof(cols[0]));
    for (size_t i = 0; i < jd_results_count(r); i++) {
        const struct jd_hit *h = jd_results_get(r, i);
        csv_field(o->f, query, false);
        hit_fields(o->f, h);
        integer(o->f, h->percent, false);
        csv_field(o->f, h->confidence, false);
        integer(o->f, h->nevidence, false);
        integer(o->f, h->ngaps, false);
        if (h->model >= 0)
            real(o->f, h->model, false);
        else
            csv_field(o->f, "", false);
        if (h->concepts > -1)
            real(o->f, h->concepts, true);
        else
            csv_field(o->f, "", true);
    }
}

static void
row(FILE *f, const char *field, unsigned n, const char *kind, unsigned line,
    const char *value)
{
    if (!value)
        return;
    csv_field(f, field, false);
    integer(f, n, false);
    csv_field(f, kind, false);
    integer(f, line, false);
    csv_field(f, value, true);
}

static void
list_rows(FILE *f, const char *name, const struct jd_item_list *l)
{
    for (size_t i = 0; i < l->len; i++)
        row(f, name, l->v[i].n, l->v[i].kind, l->v[i].line, l->v[i].text);
}

void
csv_show(struct cli_out *o, const jd_spec *s)
{
    static const char *const cols[] = {"field", "n", "kind", "line", "value"};
    header(o, cols, sizeof(cols) / sizeof(cols[0]));
    FILE *f = o->f;
    row(f, "id", 0, NULL, 0, s->id);
    row(f, "code", 0, NULL, 0, s->code);
    row(f, "title", 0, NULL, s->source_line, s->title);
    for (size_t i = 0; i < s->alt_titles.len; i++)
        row(f, "alt_title", (unsigned)i + 1, NULL, 0, s->alt_titles.v[i]);
    row(f, "jurisdiction", 0, NULL, 0, s->jurisdiction);
    row(f, "department", 0, NULL, 0, s->department);
    row(f, "series", 0, NULL, 0, s->series);
    row(f, "pay_grade", 0, NULL, 0, s->pay_grade);
    row(f, "flsa", 0, NULL, 0, s->flsa);
    row(f, "bargaining_unit", 0, NULL, 0, s->bargaining_unit);
    row(f, "adopted", 0, NULL, 0, s->adopted);
    row(f, "revised", 0, NULL, 0, s->revised);
    row(f, "summary", 0, NULL, 0, s->summary);
    row(f, "distinguishing", 0, NULL, 0, s->distinguishing);
    list_rows(f, "duties", &s->duties);
    list_rows(f, "knowledge", &s->knowledge);
    list_rows(f, "skills", &s->skills);
    list_rows(f, "abilities", &s->abilities);
    list_rows(f, "education", &s->education);
    list_rows(f, "licenses", &s->licenses);
    row(f, "supervision", 0, NULL, 0, s->supervision);
    row(f, "working_conditions", 0, NULL, 0, s->working_conditions);
    list_rows(f, "other", &s->other);
    for (size_t i = 0; i < s->tools.len; i++)
        row(f, "tool", (unsigned)i + 1, NULL, 0, s->tools.v[i]);
    row(f, "source_file", 0, NULL, s->source_line, s->source_file);
}

static void
counts(FILE *f, const char *section, const struct jd_count *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        csv_field(f, section, false);
        csv_field(f, c[i].name, false);
        integer(f, c[i].count, true);
    }
}

void
csv_stats(struct cli_out *o, const char *path, const jd_stats *s)
{
    static const char *const cols[] = {"section", "name", "count"};
    header(o, cols, sizeof(cols) / sizeof(cols[0]));
    FILE *f = o->f;
    (void)path;
    csv_field(f, "index", false);
    csv_field(f, "classes", false);
    integer(f, s->classes, true);
    csv_field(f, "index", false);
    csv_field(f, "items", false);
    integer(f, s->items, true);
    csv_field(f, "index", false);
    csv_field(f, "bytes", false);
    integer(f, s->bytes, true);
    csv_field(f, "index", false);
    csv_field(f, "format", false);
    integer(f, s->format_version, true);
    csv_field(f, "model", false);
    csv_field(f, s->model, false);
    integer(f, s->model_classes, true);
    counts(f, "jurisdiction", s->jurisdictions, s->njurisdictions);
    counts(f, "department", s->departments, s->ndepartments);
    counts(f, "kind", s->kinds, s->nkinds);
}
