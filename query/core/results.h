/*
 * results.h: building a jd_results: hits that own their records, and an
 * arena for everything the hits point to (snippets, evidence, strings).
 */
#ifndef JD_RESULTS_H
#define JD_RESULTS_H

#include "jobdex.h"

struct jd_results {
    struct arena *mem;
    struct jd_hit *hits;
    jd_spec **specs; /* owned, one per hit */
    size_t n, cap;
    size_t total;
    size_t parts; /* match: parts of the text ranked on their own */
};

jd_status results_new(jd_results **out);
/* Append a hit for SPEC (the results take it over, also on failure). */
jd_status results_add(jd_results *r, jd_spec *spec, double score,
                      struct jd_hit **out);
void *results_alloc(jd_results *r, size_t size);
const char *results_strdup(jd_results *r, const char *s, size_t len);
/* Set percent (to the best hit) and rank on every hit. */
void results_finish(jd_results *r);

#endif
