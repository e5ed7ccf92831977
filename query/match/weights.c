/*
 * weights.c: the ranking's weights. Owns the one table of shipped
 * weights (rank_shipped), the overrides a caller may give for ranking
 * experiments (jd_match_opts.weights, read into a copy per call: no
 * state of its own), the weights of a query length between the anchors,
 * and the class fields those weights are for.
 */
#include "query/match/rank_internal.h"

#include "indexer/store/schema.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The weights for three query lengths, in distinct content words: a job
 * title (about 2), a duty statement (about 10) and a paragraph or résumé
 * (about 50). A query between two anchors gets weights interpolated in
 * log(length). Short queries lean on titles; sentences on duties;
 * paragraphs on the whole class. What each lever gave, and the levers
 * tried and dropped, are in bench/results/ranking.md.
 */
const struct rank_weights rank_shipped = {
    .words = {2, 10, 50},
    .at =
        {
            {/* title-like */
             .w_title = 8.0,
             .w_summary = 1.0,
             .w_duty = 0.0,
             .w_qual = 0.2,
             .w_other = 0.0,
             .phrase_boost = 1.0,
             .pair_weight = 0.0,
             .title_weight = 0.5,
             .model_weight = 0.8,
             .concept_weight = 0.3,
             .whole_weight = 0.25,
             .k1 = 3.0,
             .b = 0.75,
             .delta = 1.0,
             .head_boost = 1.5,
             .oov_prefix = 0.6,
             .max_terms = 64,
             .candidates = 100},
            {/* sentence-like */
             .w_title = 0.0,
             .w_summary = 1.0,
             .w_duty = 3.0,
             .w_qual = 0.0,
             .w_other = 0.0,
             .phrase_boost = 1.0,
             .pair_weight = 0.5,
             .title_weight = 0.0,
             .model_weight = 0.3,
             .concept_weight = 1.6,
             .whole_weight = 0.25,
             .k1 = 3.0,
             .b = 0.3,
             .delta = 0.5,
             .head_boost = 1.0,
             .oov_prefix = 0.6,
             .max_terms = 64,
             .candidates = 100},
            {/* paragraph-like */
             .w_title = 5.0,
             .w_summary = 1.0,
             .w_duty = 2.0,
             .w_qual = 0.0,
             .w_other = 0.0,
             .phrase_boost = 1.0,
             .pair_weight = 0.0,
             .title_weight = 1.0,
             .model_weight = 0.5,
             .concept_weight = 0.8,
             .whole_weight = 2.0,
             .k1 = 2.0,
             .b = 0.75,
             .delta = 0.0,
             .head_boost = 1.0,
             .oov_prefix = 0.0,
             .max_terms = 32,
             .candidates = 100},
        },
};

/* The knobs of an anchor, by name (for overrides and interpolation). */
static const struct {
    const char *name;
    size_t offset;
} knobs[] = {
    {"w_title", offsetof(struct rank_params, w_title)},
    {"w_summary", offsetof(struct rank_params, w_summary)},
    {"w_duty", offsetof(struct rank_params, w_duty)},
    {"w_qual", offsetof(struct rank_params, w_qual)},
    {"w_other", offsetof(struct rank_params, w_other)},
    {"phrase_boost", offsetof(struct rank_params, phrase_boost)},
    {"pair_weight", offsetof(struct rank_params, pair_weight)},
    {"title_weight", offsetof(struct rank_params, title_weight)},
    {"model_weight", offsetof(struct rank_params, model_weight)},
    {"concept_weight", offsetof(struct rank_params, concept_weight)},
    {"whole_weight", offsetof(struct rank_params, whole_weight)},
    {"k1", offsetof(struct rank_params, k1)},
    {"b", offsetof(struct rank_params, b)},
    {"delta", offsetof(struct rank_params, delta)},
    {"head_boost", offsetof(struct rank_params, head_boost)},
    {"oov_prefix", offsetof(struct rank_params, oov_prefix)},
    {"max_terms", offsetof(struct rank_params, max_terms)},
    {"candidates", offsetof(struct rank_params, candidates)},
};

#define NKNOBS (sizeof(knobs) / sizeof(knobs[0]))

/* A knob left out of knobs[] would be neither interpolated nor set. */
_Static_assert(sizeof(struct rank_params) == NKNOBS * sizeof(double),
               "every knob of struct rank_params is in knobs[]");

static double *
knob_at(struct rank_params *p, size_t k)
{
    /* cppcheck-suppress invalidPointerCast ; offsetof a double */
    return (double *)((char *)p + knobs[k].offset);
}

/* The index in knobs[] of the knob NAME (LEN bytes), or NKNOBS. */
static size_t
knob_named(const char *name, size_t len)
{
    size_t k = 0;
    while (k < NKNOBS && !(strlen(knobs[k].name) == len &&
                           memcmp(knobs[k].name, name, len) == 0))
        k++;
    return k;
}

/* Largest value an override may give: the counts (max_terms, candidates)
 * become a size_t, and no tuned weight comes near it. */
#define KNOB_MAX 1e6

/* The number of TEXT (LEN bytes, all of them) into *OUT: false unless it
 * is one from 0 to KNOB_MAX. */
static bool
read_number(const char *text, size_t len, double *out)
{
    char num[64];
    if (len == 0 || len >= sizeof(num))
        return false;
    memcpy(num, text, len);
    num[len] = '\0';
    char *end;
    *out = strtod(num, &end);
    return *end == '\0' && *out >= 0 && *out <= KNOB_MAX;
}

/* The knob names, for a message: "w_title, w_summary, ...". */
static void
knob_list(char *buf, size_t size)
{
    size_t off = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < NKNOBS && off < size; k++) {
        int n = snprintf(buf + off, size - off, "%s%s", k ? ", " : "",
                         knobs[k].name);
        if (n < 0)
            break;
        off += (size_t)n;
    }
}

/* Apply the override ENTRY (LEN bytes, "s.w_title=4") to *W. */
static jd_status
override(struct rank_weights *w, const char *entry, size_t len, char *why,
         size_t size)
{
    const char *dot = memchr(entry, '.', len);
    const char *eq = dot ? memchr(dot, '=', len - (size_t)(dot - entry)) : NULL;
    if (!eq) {
        snprintf(why, size, "'%.*s' is not ANCHOR.KNOB=NUMBER (s.k1=2)",
                 (int)len, entry);
        return JD_ERR_INVALID_ARG;
    }
    static const char anchors[] = "sml";
    const char *a = dot - entry == 1 ? strchr(anchors, entry[0]) : NULL;
    if (!a || !*a) {
        snprintf(why, size, "unknown anchor '%.*s' in '%.*s' (s, m or l)",
                 (int)(dot - entry), entry, (int)len, entry);
        return JD_ERR_INVALID_ARG;
    }
    const char *name = dot + 1;
    size_t k = knob_named(name, (size_t)(eq - name));
    if (k == NKNOBS) {
        char list[512];
        knob_list(list, sizeof(list));
        snprintf(why, size, "unknown knob '%.*s' in '%.*s' (knobs: %s)",
                 (int)(eq - name), name, (int)len, entry, list);
        return JD_ERR_INVALID_ARG;
    }
    const char *num = eq + 1;
    size_t nl = len - (size_t)(num - entry);
    double v;
    if (!read_number(num, nl, &v)) {
        snprintf(why, size, "bad number '%.*s' in '%.*s' (0 to %.0f)", (int)nl,
                 num, (int)len, entry, KNOB_MAX);
        return JD_ERR_INVALID_ARG;
    }
    *knob_at(&w->at[a - anchors], k) = v;
    return JD_OK;
}

jd_status
rank_weights_read(const char *spec, struct rank_weights *out, char *why,
                  size_t size)
{
    *out = rank_shipped;
    for (const char *p = spec; p && *p;) {
        size_t len = strcspn(p, ",");
        if (len == 0) {
            snprintf(why, size, "an empty entry in '%s'", spec);
            return JD_ERR_INVALID_ARG;
        }
        jd_status st = override(out, p, len, why, size);
        if (st != JD_OK)
            return st;
        p += len;
        if (*p == ',')
            p++;
    }
    return JD_OK;
}

struct rank_params
rank_params_at(const struct rank_weights *w, size_t words)
{
    double x = log(words > 1 ? (double)words : 1.0);
    size_t lo = 0;
    double t = 0;
    if (x <= log(w->words[0])) {
        lo = 0;
    } else if (x >= log(w->words[2])) {
        lo = 1;
        t = 1;
    } else {
        lo = x < log(w->words[1]) ? 0 : 1;
        t = (x - log(w->words[lo])) /
            (log(w->words[lo + 1]) - log(w->words[lo]));
    }
    struct rank_params p = w->at[lo], hi = w->at[lo + 1];
    for (size_t k = 0; k < NKNOBS; k++) {
        double *a = knob_at(&p, k);
        *a += t * (*knob_at(&hi, k) - *a);
    }
    return p;
}

const char *const rank_field_prefix[NFIELDS] = {
    PREFIX_TITLE, PREFIX_SUMMARY, PREFIX_DUTY, PREFIX_QUAL, PREFIX_OTHER};

double
rank_field_weight(const struct rank_params *p, size_t f)
{
    const double w[NFIELDS] = {p->w_title, p->w_summary, p->w_duty, p->w_qual,
                               p->w_other};
    return w[f];
}
