/*
 * cli.h: what the parts of jobdex-query share: the output options and
 * one writer per format and command. Uses only the public API.
 */
#ifndef JD_CLI_H
#define JD_CLI_H

#include "jobdex.h"

#include <stdbool.h>
#include <stdio.h>

enum cli_format { OUT_TEXT, OUT_JSON, OUT_CSV };

struct cli_out {
    FILE *f;
    enum cli_format format;
    bool bold;       /* mark matches with terminal bold, else [brackets] */
    bool explain;    /* match: evidence, gaps and terms in text output */
    bool csv_header; /* CSV: the header row is still to be written */
};

/* QUERY names the query (a search string, a file name, a batch id). */
void cli_search(struct cli_out *o, const char *query, const jd_results *r);
void cli_match(struct cli_out *o, const char *query, const jd_results *r);
void cli_similar(struct cli_out *o, const char *id, const jd_results *r);
/* A batch line that could not be run. */
void cli_match_error(struct cli_out *o, const char *query, const char *why);
void cli_show(struct cli_out *o, const jd_spec *s);
void cli_stats(struct cli_out *o, const char *path, const jd_stats *s);

/* overlap's report; ACROSS names the rule, MATRIX_ONLY prints only the
 * department (or jurisdiction) pairs. */
void cli_overlap(struct cli_out *o, const jd_overlap *ov, const char *across,
                 double min_similarity, bool matrix_only);

/* Text with SPANS marked: **bold** on a terminal, [brackets] otherwise. */
void cli_marked(struct cli_out *o, const char *text, const struct jd_span *s,
                size_t n);

/* Per-format writers (cli_text.c, cli_json.c, cli_csv.c). */
void text_search(struct cli_out *o, const char *query, const jd_results *r);
void text_match(struct cli_out *o, const char *query, const jd_results *r,
                bool similar);
void text_show(struct cli_out *o, const jd_spec *s);
void text_stats(struct cli_out *o, const char *path, const jd_stats *s);

void json_search(struct cli_out *o, const char *query, const jd_results *r);
void json_match(struct cli_out *o, const char *query, const jd_results *r);
void json_match_error(struct cli_out *o, const char *query, const char *why);
void json_show(struct cli_out *o, const jd_spec *s);
void json_stats(struct cli_out *o, const char *path, const jd_stats *s);

void csv_search(struct cli_out *o, const char *query, const jd_results *r);
void csv_match(struct cli_out *o, const char *query, const jd_results *r);
void csv_show(struct cli_out *o, const jd_spec *s);
void csv_stats(struct cli_out *o, const char *path, const jd_stats *s);

/* ONE when N is 1, else MANY: "1 class", "2 classes". */
const char *cli_plural(size_t n, const char *one, const char *many);

/* One CSV field, quoted when it needs to be. */
void csv_field(FILE *f, const char *s, bool last);

#endif
