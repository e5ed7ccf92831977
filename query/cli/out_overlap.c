/*
 * cli_overlap.c: jobdex-query overlap's output in text, JSON and CSV.
 */
#include "query/cli/cli.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *
label(const char *list)
{
    if (strcmp(list, "duties") == 0)
        return "duty";
    return list;
}

static void
text_member(FILE *f, const struct jd_overlap_member *m, bool centre)
{
    fprintf(f, "  %s %.2f  %s  [%s]  %s %u", centre ? "*" : " ", m->similarity,
            m->title ? m->title : "(untitled)", m->id, label(m->list), m->n);
    if (m->line)
        fprintf(f, " (line %u)", m->line);
    fputc('\n', f);
    fprintf(f, "           %s", m->jurisdiction ? m->jurisdiction : "unknown");
    if (m->department)
        fprintf(f, " | %s", m->department);
    fputs("\n           ", f);
    for (const char *p = m->text; *p; p++)
        fputc(*p == '\n' ? ' ' : *p, f);
    fputc('\n', f);
}

static void
text_group(FILE *f, size_t k, const struct jd_overlap_group *g, bool boiler)
{
    if (boiler)
        fprintf(f, "boilerplate %zu: in %zu %s (%.0f%% of all)\n", k + 1,
                g->classes, cli_plural(g->classes, "class", "classes"),
                100 * g->share);
    else
        fprintf(f, "group %zu: %zu %s, %zu %s, %zu %s, %zu %s\n", k + 1, g->n,
                cli_plural(g->n, "item", "items"), g->classes,
                cli_plural(g->classes, "class", "classes"), g->departments,
                cli_plural(g->departments, "department", "departments"),
                g->jurisdictions,
                cli_plural(g->jurisdictions, "jurisdiction", "jurisdictions"));
    size_t show = boiler && g->n > 5 ? 5 : g->n;
    for (size_t i = 0; i < show; i++)
        text_member(f, &g->members[i], i == 0);
    if (show < g->n)
        fprintf(f, "    (%zu more)\n", g->n - show);
    fputc('\n', f);
}

static void
text_matrix(FILE *f, const jd_overlap *o, const char *what, size_t max)
{
    if (o->nmatrix == 0)
        return;
    fprintf(f, "shared duties by %s pair (groups in which both appear)%s\n",
            what, o->nmatrix > max ? ", the most shared" : "");
    for (size_t i = 0; i < o->nmatrix && i < max; i++)
        fprintf(f, "  %5zu  %s  <->  %s\n", o->matrix[i].count,
                o->matrix[i].a[0] ? o->matrix[i].a : "(none)",
                o->matrix[i].b[0] ? o->matrix[i].b : "(none)");
    if (o->nmatrix > max)
        fprintf(f, "  (%zu more %s; --format csv --matrix lists all)\n",
                o->nmatrix - max,
                cli_plural(o->nmatrix - max, "pair", "pairs"));
}

/* "departments", "jurisdictions" or "classes": the plural of an --across
 * rule's name. */
static const char *
across_plural(const char *across)
{
    static const char *const names[][2] = {{"department", "departments"},
                                           {"jurisdiction", "jurisdictions"},
                                           {"class", "classes"}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(across, names[i][0]) == 0)
            return names[i][1];
    return across;
}

static json_t *
json_group(const struct jd_overlap_group *g)
{
    json_t *members = json_array();
    for (size_t i = 0; i < g->n; i++) {
        const struct jd_overlap_member *m = &g->members[i];
        json_array_append_new(
            members,
            json_pack(
                "{s:s, s:o, s:o, s:o, s:s, s:i, s:o, s:i, s:s, s:f}", "id",
                m->id, "title", m->title ? json_string(m->title) : json_null(),
                "jurisdiction",
                m->jurisdiction ? json_string(m->jurisdiction) : json_null(),
                "department",
                m->department ? json_string(m->department) : json_null(),
                "list", m->list, "n", (json_int_t)m->n, "kind",
                m->kind ? json_string(m->kind) : json_null(), "line",
                (json_int_t)m->line, "text", m->text, "similarity",
                m->similarity));
    }
    return json_pack("{s:i, s:i, s:i, s:i, s:f, s:o}", "size", (json_int_t)g->n,
                     "classes", (json_int_t)g->classes, "departments",
                     (json_int_t)g->departments, "jurisdictions",
                     (json_int_t)g->jurisdictions, "share", g->share, "members",
                     members);
}

static void
csv_members(FILE *f, const char *kind, size_t k,
            const struct jd_overlap_group *g)
{
    char group[32];
    snprintf(group, sizeof(group), "%zu", k + 1);
    for (size_t i = 0; i < g->n; i++) {
        const struct jd_overlap_member *m = &g->members[i];
        char num[64];
        csv_field(f, kind, false);
        csv_field(f, group, false);
        snprintf(num, sizeof(num), "%zu", g->n);
        csv_field(f, num, false);
        snprintf(num, sizeof(num), "%.4f", m->similarity);
        csv_field(f, num, false);
        csv_field(f, m->id, false);
        csv_field(f, m->title, false);
        csv_field(f, m->jurisdiction, false);
        csv_field(f, m->department, false);
        csv_field(f, m->list, false);
        snprintf(num, sizeof(num), "%u", m->n);
        csv_field(f, num, false);
        snprintf(num, sizeof(num), "%u", m->line);
        csv_field(f, num, false);
        csv_field(f, m->text, true);
    }
}

void
cli_overlap(struct cli_out *o, const jd_overlap *ov, const char *across,
            double min_similarity, bool matrix_only)
{
    FILE *f = o->f;
    const char *what =
        strcmp(across, "jurisdiction") == 0 ? "jurisdiction" : "department";
    switch (o->format) {
    case OUT_TEXT:
        if (!matrix_only) {
            fprintf(f,
                    "%zu %s of similar items across %s (similarity >= %.2f; "
                    "%zu %s of %zu %s compared, %zu similar %s)\n\n",
                    ov->ngroups, cli_plural(ov->ngroups, "group", "groups"),
                    across_plural(across), min_similarity, ov->items,
                    cli_plural(ov->items, "item", "items"), ov->classes,
                    cli_plural(ov->classes, "class", "classes"), ov->pairs,
                    cli_plural(ov->pairs, "pair", "pairs"));
            for (size_t g = 0; g < ov->ngroups; g++)
                text_group(f, g, &ov->groups[g], false);
            if (ov->nboilerplate) {
                fprintf(f, "%zu boilerplate %s, left out of the groups:\n\n",
                        ov->nboilerplate,
                        cli_plural(ov->nboilerplate, "item", "items"));
                for (size_t g = 0; g < ov->nboilerplate; g++)
                    text_group(f, g, &ov->boilerplate[g], true);
            }
        }
        text_matrix(f, ov, what, matrix_only ? SIZE_MAX : 20);
        break;
    case OUT_JSON: {
        json_t *groups = json_array(), *boiler = json_array(),
               *cells = json_array();
        for (size_t g = 0; !matrix_only && g < ov->ngroups; g++)
            json_array_append_new(groups, json_group(&ov->groups[g]));
        for (size_t g = 0; !matrix_only && g < ov->nboilerplate; g++)
            json_array_append_new(boiler, json_group(&ov->boilerplate[g]));
        for (size_t i = 0; i < ov->nmatrix; i++)
            json_array_append_new(
                cells, json_pack("{s:s, s:s, s:i}", "a", ov->matrix[i].a, "b",
                                 ov->matrix[i].b, "count",
                                 (json_int_t)ov->matrix[i].count));
        json_t *j = json_pack(
            "{s:s, s:f, s:i, s:i, s:i, s:o, s:o, s:o}", "across", across,
            "min_similarity", min_similarity, "items", (json_int_t)ov->items,
            "classes", (json_int_t)ov->classes, "pairs", (json_int_t)ov->pairs,
            "groups", groups, "boilerplate", boiler, "matrix", cells);
        char *text =
            j ? json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(6)) : NULL;
        fputs(text ? text : "{\"error\":\"out of memory\"}", f);
        fputc('\n', f);
        free(text);
        json_decref(j);
        break;
    }
    case OUT_CSV:
        if (matrix_only) {
            fputs("a,b,count\r\n", f);
            for (size_t i = 0; i < ov->nmatrix; i++) {
                char num[32];
                snprintf(num, sizeof(num), "%zu", ov->matrix[i].count);
                csv_field(f, ov->matrix[i].a, false);
                csv_field(f, ov->matrix[i].b, false);
                csv_field(f, num, true);
            }
            break;
        }
        fputs("kind,group,size,similarity,id,title,jurisdiction,department,"
              "list,n,line,text\r\n",
              f);
        for (size_t g = 0; g < ov->ngroups; g++)
            csv_members(f, "group", g, &ov->groups[g]);
        for (size_t g = 0; g < ov->nboilerplate; g++)
            csv_members(f, "boilerplate", g, &ov->boilerplate[g]);
        break;
    }
}
