/*
 * cli_json.c: jobdex-query's JSON output (jansson), one object per
 * command or, in batch matching, per query line. Keys are always
 * present; absent values are null. Byte offsets are into the UTF-8 text.
 */
#include "query/cli/cli.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static json_t *
str(const char *s)
{
    return s ? json_string(s) : json_null();
}

static void
emit(struct cli_out *o, json_t *v)
{
    if (!v) {
        fputs("{\"error\":\"out of memory\"}\n", o->f);
        return;
    }
    char *text = json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(8));
    json_decref(v);
    if (!text) {
        fputs("{\"error\":\"out of memory\"}\n", o->f);
        return;
    }
    fputs(text, o->f);
    fputc('\n', o->f);
    free(text);
}

static json_t *
hit_base(const struct jd_hit *h)
{
    const jd_spec *s = h->spec;
    return json_pack("{s:i, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:f}", "rank",
                     (json_int_t)h->rank, "id", s->id, "code", str(s->code),
                     "title", str(s->title), "jurisdiction",
                     str(s->jurisdiction), "department", str(s->department),
                     "pay_grade", str(s->pay_grade), "flsa", str(s->flsa),
                     "score", h->score);
}

static json_t *
snippet(const struct jd_snippet *sn)
{
    json_t *spans = json_array(), *words = json_array();
    for (size_t i = 0; i < sn->nspans; i++) {
        json_array_append_new(spans, json_pack("[i, i]",
                                               (json_int_t)sn->spans[i].start,
                                               (json_int_t)sn->spans[i].end));
        json_array_append_new(
            words, json_stringn(sn->text + sn->spans[i].start,
                                sn->spans[i].end - sn->spans[i].start));
    }
    return json_pack("{s:s, s:i, s:o, s:i, s:s, s:o, s:o}", "list", sn->list,
                     "n", (json_int_t)sn->n, "kind", str(sn->kind), "line",
                     (json_int_t)sn->line, "text", sn->text, "matches", spans,
                     "matched", words);
}

void
json_search(struct cli_out *o, const char *query, const jd_results *r)
{
    json_t *results = json_array();
    for (size_t i = 0; i < jd_results_count(r); i++) {
        const struct jd_hit *h = jd_results_get(r, i);
        json_t *hit = hit_base(h);
        json_t *snips = json_array();
        for (size_t k = 0; k < h->nsnippets; k++)
            json_array_append_new(snips, snippet(&h->snippets[k]));
        json_object_set_new(hit, "snippets", snips);
        json_array_append_new(results, hit);
    }
    emit(o, json_pack("{s:s, s:i, s:o}", "query", query, "total",
                      (json_int_t)jd_results_total(r), "results", results));
}

static json_t *
match_hit(const struct jd_hit *h)
{
    json_t *hit = hit_base(h);
    json_object_set_new(hit, "percent", json_integer(h->percent));
    json_object_set_new(hit, "confidence", str(h->confidence));
    json_object_set_new(hit, "model",
                        h->model >= 0 ? json_real(h->model) : json_null());
    json_object_set_new(hit, "concepts",
                        h->concepts > -1 ? json_real(h->concepts)
                                         : json_null());
    json_t *terms = json_array();
    for (size_t t = 0; t < h->nterms; t++)
        json_array_append_new(terms,
                              json_pack("{s:s, s:f}", "term", h->terms[t].term,
                                        "weight", h->terms[t].weight));
    json_object_set_new(hit, "terms", terms);
    json_t *ev = json_array();
    for (size_t e = 0; e < h->nevidence; e++) {
        const struct jd_evidence *x = &h->evidence[e];
        json_t *shared = json_array();
        for (size_t t = 0; t < x->nterms; t++)
            json_array_append_new(shared, json_string(x->terms[t]));
        json_array_append_new(
            ev,
            json_pack("{s:s, s:i, s:o, s:i, s:s, s:i, s:s, s:f, s:o}", "list",
                      x->list, "n", (json_int_t)x->n, "kind", str(x->kind),
                      "item_line", (json_int_t)x->item_line, "item_text",
                      x->item_text, "query_line", (json_int_t)x->query_line,
                      "query_text", x->query_text, "similarity", x->similarity,
                      "shared", shared));
    }
    json_object_set_new(hit, "evidence", ev);
    json_t *gaps = json_array();
    for (size_t g = 0; g < h->ngaps; g++) {
        const struct jd_gap *x = &h->gaps[g];
        json_array_append_new(
            gaps, json_pack("{s:s, s:i, s:o, s:i, s:s}", "list", x->list, "n",
                            (json_int_t)x->n, "kind", str(x->kind), "line",
                            (json_int_t)x->line, "text", x->text));
    }
    json_object_set_new(hit, "gaps", gaps);
    return hit;
}

void
json_match(struct cli_out *o, const char *query, const jd_results *r)
{
    json_t *results = json_array();
    for (size_t i = 0; i < jd_results_count(r); i++)
        json_array_append_new(results, match_hit(jd_results_get(r, i)));
    emit(o, json_pack("{s:s, s:i, s:i, s:o}", "query", query, "total",
                      (json_int_t)jd_results_total(r), "parts",
                      (json_int_t)jd_results_parts(r), "results", results));
}

void
json_match_error(struct cli_out *o, const char *query, const char *why)
{
    emit(o, json_pack("{s:o, s:s, s:[]}", "query", str(query), "error", why,
                      "results"));
}

void
json_show(struct cli_out *o, const jd_spec *s)
{
    jd_buf b = {NULL, 0, 0};
    if (jd_spec_to_json(s, &b) == JD_OK) {
        fputs(b.data, o->f);
        fputc('\n', o->f);
    } else {
        fputs("{\"error\":\"out of memory\"}\n", o->f);
    }
    jd_buf_free(&b);
}

static json_t *
count_array(const struct jd_count *c, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:s, s:i}", "name", c[i].name,
                                           "count", (json_int_t)c[i].count));
    return a;
}

void
json_stats(struct cli_out *o, const char *path, const jd_stats *s)
{
    emit(o,
         json_pack("{s:s, s:i, s:i, s:i, s:I, s:o, s:o, s:o, "
                   "s:{s:s, s:I, s:I, s:I}}",
                   "index", path, "format", (json_int_t)s->format_version,
                   "classes", (json_int_t)s->classes, "items",
                   (json_int_t)s->items, "bytes", (json_int_t)s->bytes,
                   "jurisdictions",
                   count_array(s->jurisdictions, s->njurisdictions),
                   "departments", count_array(s->departments, s->ndepartments),
                   "kinds", count_array(s->kinds, s->nkinds), "model", "state",
                   s->model, "classes", (json_int_t)s->model_classes, "words",
                   (json_int_t)s->model_words, "concepts",
                   (json_int_t)s->model_concepts));
}
