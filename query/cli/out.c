/*
 * cli_out.c: dispatch each command's output to the chosen format.
 */
#include "query/cli/cli.h"

const char *
cli_plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

void
cli_search(struct cli_out *o, const char *query, const jd_results *r)
{
    switch (o->format) {
    case OUT_TEXT:
        text_search(o, query, r);
        break;
    case OUT_JSON:
        json_search(o, query, r);
        break;
    case OUT_CSV:
        csv_search(o, query, r);
        break;
    }
}

void
cli_match(struct cli_out *o, const char *query, const jd_results *r)
{
    switch (o->format) {
    case OUT_TEXT:
        text_match(o, query, r, false);
        break;
    case OUT_JSON:
        json_match(o, query, r);
        break;
    case OUT_CSV:
        csv_match(o, query, r);
        break;
    }
}

void
cli_similar(struct cli_out *o, const char *id, const jd_results *r)
{
    switch (o->format) {
    case OUT_TEXT:
        text_match(o, id, r, true);
        break;
    case OUT_JSON:
        json_match(o, id, r);
        break;
    case OUT_CSV:
        csv_match(o, id, r);
        break;
    }
}

void
cli_match_error(struct cli_out *o, const char *query, const char *why)
{
    switch (o->format) {
    case OUT_TEXT:
        fprintf(o->f, "query %s: %s\n\n", query ? query : "(no id)", why);
        break;
    case OUT_JSON:
        json_match_error(o, query, why);
        break;
    case OUT_CSV:
        break; /* a query without results has no rows */
    }
}

void
cli_show(struct cli_out *o, const jd_spec *s)
{
    switch (o->format) {
    case OUT_TEXT:
        text_show(o, s);
        break;
    case OUT_JSON:
        json_show(o, s);
        break;
    case OUT_CSV:
        csv_show(o, s);
        break;
    }
}

void
cli_stats(struct cli_out *o, const char *path, const jd_stats *s)
{
    switch (o->format) {
    case OUT_TEXT:
        text_stats(o, path, s);
        break;
    case OUT_JSON:
        json_stats(o, path, s);
        break;
    case OUT_CSV:
        csv_stats(o, path, s);
        break;
    }
}
