/*
 * cli_text.c: jobdex-query's output for people at a terminal.
 */
#include "query/cli/cli.h"

#include <string.h>

static const char *
list_label(const char *list)
{
    if (strcmp(list, "duties") == 0)
        return "duty";
    if (strcmp(list, "knowledge") == 0)
        return "knowledge";
    if (strcmp(list, "skills") == 0)
        return "skill";
    if (strcmp(list, "abilities") == 0)
        return "ability";
    if (strcmp(list, "education") == 0)
        return "education";
    if (strcmp(list, "licenses") == 0)
        return "license";
    return list;
}

void
cli_marked(struct cli_out *o, const char *text, const struct jd_span *s,
           size_t n)
{
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        fwrite(text + at, 1, s[i].start - at, o->f);
        fputs(o->bold ? "\033[1m" : "[", o->f);
        fwrite(text + s[i].start, 1, s[i].end - s[i].start, o->f);
        fputs(o->bold ? "\033[0m" : "]", o->f);
        at = s[i].end;
    }
    fputs(text + at, o->f);
}

/* Print TEXT on one line, sub-bullets joined with " / ". */
static void
one_line(FILE *f, const char *text)
{
    for (const char *p = text; *p; p++) {
        if (*p == '\n') {
            fputs(" /", f);
            if (p[1] == '-' && p[2] == ' ')
                p += 1;
        } else {
            fputc(*p, f);
        }
    }
}

static void
hit_header(struct cli_out *o, const struct jd_hit *h)
{
    const jd_spec *s = h->spec;
    fprintf(o->f, "%u. %s  [%s]\n", h->rank, s->title ? s->title : "(untitled)",
            s->id);
    fputs("   ", o->f);
    fputs(s->jurisdiction ? s->jurisdiction : "unknown employer", o->f);
    if (s->department)
        fprintf(o->f, " | %s", s->department);
    if (s->code)
        fprintf(o->f, " | code %s", s->code);
    if (s->pay_grade)
        fprintf(o->f, " | grade %s", s->pay_grade);
    if (s->flsa)
        fprintf(o->f, " | %s", s->flsa);
}

void
text_search(struct cli_out *o, const char *query, const jd_results *r)
{
    size_t n = jd_results_count(r);
    size_t total = jd_results_total(r);
    fprintf(o->f, "%zu of %zu %s %s\n\n", n, total,
            cli_plural(total, "class matches", "classes match"), query);
    for (size_t i = 0; i < n; i++) {
        const struct jd_hit *h = jd_results_get(r, i);
        hit_header(o, h);
        fprintf(o->f, " | score %.4f\n", h->score);
        for (size_t k = 0; k < h->nsnippets; k++) {
            const struct jd_snippet *sn = &h->snippets[k];
            if (sn->n)
                fprintf(o->f, "   %s %u", list_label(sn->list), sn->n);
            else
                fprintf(o->f, "   %s", list_label(sn->list));
            if (sn->line)
                fprintf(o->f, " (line %u)", sn->line);
            fputs(": ", o->f);
            /* Marking needs the text as it is; show sub-bullets as lines. */
            cli_marked(o, sn->text, sn->spans, sn->nspans);
            fputc('\n', o->f);
        }
        fputc('\n', o->f);
    }
}

static void
evidence(struct cli_out *o, const struct jd_hit *h, bool similar)
{
    if (h->nterms) {
        fputs("   matched on:", o->f);
        for (size_t t = 0; t < h->nterms; t++)
            fprintf(o->f, "%s %s (%.0f%%)", t ? "," : "", h->terms[t].term,
                    100 * h->terms[t].weight);
        fputc('\n', o->f);
    }
    if (h->nevidence) {
        fputs("   evidence:\n", o->f);
        for (size_t e = 0; e < h->nevidence; e++) {
            const struct jd_evidence *ev = &h->evidence[e];
            fprintf(o->f, "     %s %u", list_label(ev->list), ev->n);
            if (ev->item_line)
                fprintf(o->f, " (spec line %u)", ev->item_line);
            if (similar)
                fprintf(o->f, " <-> duty %u of the class asked about",
                        ev->query_line);
            else
                fprintf(o->f, " <-> your line %u", ev->query_line);
            fprintf(o->f, ", similarity %.2f", ev->similarity);
            if (ev->nterms) {
                fputs(", shared:", o->f);
                for (size_t t = 0; t < ev->nterms; t++)
                    fprintf(o->f, "%s %s", t ? "," : "", ev->terms[t]);
            }
            fputs("\n       spec: ", o->f);
            one_line(o->f, ev->item_text);
            fputs(similar ? "\n       asked: " : "\n       yours: ", o->f);
            one_line(o->f, ev->query_text);
            fputc('\n', o->f);
        }
    }
    if (h->ngaps) {
        fputs("   not covered by your text:\n", o->f);
        for (size_t g = 0; g < h->ngaps; g++) {
            const struct jd_gap *gp = &h->gaps[g];
            fprintf(o->f, "     %s %u", list_label(gp->list), gp->n);
            if (gp->line)
                fprintf(o->f, " (spec line %u)", gp->line);
            fputs(": ", o->f);
            one_line(o->f, gp->text);
            fputc('\n', o->f);
        }
    }
}

void
text_match(struct cli_out *o, const char *query, const jd_results *r,
           bool similar)
{
    size_t n = jd_results_count(r);
    size_t total = jd_results_total(r), parts = jd_results_parts(r);
    const char *classes = cli_plural(total, "class", "classes");
    if (similar)
        fprintf(o->f, "%zu %s most like %s\n\n", n,
                cli_plural(n, "class", "classes"), query);
    else if (parts > 0)
        fprintf(o->f,
                "%zu best of %zu %s for %s (ranked whole and as %zu "
                "%s)\n\n",
                n, total, classes, query, parts,
                cli_plural(parts, "part", "parts"));
    else
        fprintf(o->f, "%zu best of %zu %s for %s\n\n", n, total, classes,
                query);
    for (size_t i = 0; i < n; i++) {
        const struct jd_hit *h = jd_results_get(r, i);
        hit_header(o, h);
        fprintf(o->f, "\n   score %.4f | %u%% | confidence %s", h->score,
                h->percent, h->confidence ? h->confidence : "-");
        if (h->model >= 0)
            fprintf(o->f, " | class model %.2f", h->model);
        if (h->concepts > -1)
            fprintf(o->f, " | concepts %.2f", h->concepts);
        fputc('\n', o->f);
        if (o->explain || similar)
            evidence(o, h, similar);
        fputc('\n', o->f);
    }
}

static void
field(FILE *f, const char *name, const char *value)
{
    if (value)
        fprintf(f, "%-18s %s\n", name, value);
}

static void
items(FILE *f, const char *heading, const struct jd_item_list *l)
{
    if (l->len == 0)
        return;
    fprintf(f, "\n%s\n", heading);
    for (size_t i = 0; i < l->len; i++) {
        const struct jd_item *it = &l->v[i];
        fprintf(f, "  %2u. ", it->n);
        if (it->kind)
            fprintf(f, "(%s) ", it->kind);
        for (const char *p = it->text; *p; p++) {
            fputc(*p, f);
            if (*p == '\n')
                fputs("        ", f);
        }
        if (it->line)
            fprintf(f, "  [line %u]", it->line);
        fputc('\n', f);
    }
}

static void
paragraph(FILE *f, const char *heading, const char *text)
{
    if (text)
        fprintf(f, "\n%s\n%s\n", heading, text);
}

void
text_show(struct cli_out *o, const jd_spec *s)
{
    FILE *f = o->f;
    field(f, "id", s->id);
    field(f, "title", s->title);
    field(f, "code", s->code);
    for (size_t i = 0; i < s->alt_titles.len && i < 20; i++)
        field(f, i ? "" : "also titled", s->alt_titles.v[i]);
    if (s->alt_titles.len > 20)
        fprintf(f, "%-18s (%zu more)\n", "", s->alt_titles.len - 20);
    field(f, "jurisdiction", s->jurisdiction);
    field(f, "department", s->department);
    field(f, "series", s->series);
    field(f, "pay grade", s->pay_grade);
    field(f, "FLSA", s->flsa);
    field(f, "bargaining unit", s->bargaining_unit);
    field(f, "adopted", s->adopted);
    field(f, "revised", s->revised);
    if (s->source_file)
        fprintf(f, "%-18s %s:%u\n", "source", s->source_file, s->source_line);
    paragraph(f, "SUMMARY", s->summary);
    paragraph(f, "DISTINGUISHING CHARACTERISTICS", s->distinguishing);
    items(f, "DUTIES", &s->duties);
    items(f, "KNOWLEDGE", &s->knowledge);
    items(f, "SKILLS", &s->skills);
    items(f, "ABILITIES", &s->abilities);
    items(f, "EDUCATION AND EXPERIENCE", &s->education);
    items(f, "LICENSES AND CERTIFICATES", &s->licenses);
    paragraph(f, "SUPERVISION", s->supervision);
    paragraph(f, "WORKING CONDITIONS", s->working_conditions);
    items(f, "OTHER", &s->other);
    if (s->tools.len) {
        fputs("\nTOOLS\n", f);
        for (size_t i = 0; i < s->tools.len; i++)
            fprintf(f, "  - %s\n", s->tools.v[i]);
    }
}

static void
count_table(FILE *f, const char *heading, const struct jd_count *c, size_t n)
{
    fprintf(f, "\n%s (%zu)\n", heading, n);
    for (size_t i = 0; i < n && i < 50; i++)
        fprintf(f, "  %8zu  %s\n", c[i].count, c[i].name);
    if (n > 50)
        fprintf(f, "  (%zu more; --format csv lists all)\n", n - 50);
}

void
text_stats(struct cli_out *o, const char *path, const jd_stats *s)
{
    fprintf(o->f, "index          %s\n", path);
    fprintf(o->f, "format         %u\n", s->format_version);
    fprintf(o->f, "classes        %zu\n", s->classes);
    fprintf(o->f, "items          %zu (titles, duties, qualifications)\n",
            s->items);
    fprintf(o->f, "size on disk   %.1f MB\n", (double)s->bytes / 1e6);
    if (strcmp(s->model, "current") == 0)
        fprintf(o->f, "class model    %zu classes, %zu words, %zu concepts\n",
                s->model_classes, s->model_words, s->model_concepts);
    else if (strcmp(s->model, "stale") == 0)
        fputs("class model    stale (the records changed since it was "
              "trained): not used until jobdex-index trains it again\n",
              o->f);
    else
        fputs("class model    none\n", o->f);
    count_table(o->f, "by jurisdiction", s->jurisdictions, s->njurisdictions);
    count_table(o->f, "by department", s->departments, s->ndepartments);
    count_table(o->f, "items by kind", s->kinds, s->nkinds);
}
