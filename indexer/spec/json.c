/*
 * spec_json.c: a jd_spec as one line of JSON and back, with jansson.
 *
 * The schema (README "Record format") lists every field, null when the
 * spec does not give it, so scripts can rely on the keys. Reading is
 * lenient about what is missing and strict about types; unknown keys are
 * ignored so newer files still load. Text read back is normalised the way
 * the text parser normalises (NFKC, ASCII punctuation), which keeps
 * "index text is normalised" true for every input path.
 */
#include "indexer/spec/json.h"

#include "indexer/spec/record.h"
#include "indexer/text/analyze.h"
#include "indexer/util/buf.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Writing                                                             */
/* ------------------------------------------------------------------ */

static json_t *
str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *
items_json(const struct jd_item_list *list)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < list->len; i++) {
        const struct jd_item *it = &list->v[i];
        json_t *o = json_object();
        if (!o || json_object_set_new(o, "n", json_integer(it->n)) ||
            json_object_set_new(o, "kind", str_or_null(it->kind)) ||
            json_object_set_new(o, "text", json_string(it->text)) ||
            json_object_set_new(o, "line", json_integer(it->line)) ||
            json_array_append_new(a, o)) {
            json_decref(o);
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

static json_t *
strs_json(const struct jd_str_list *list)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < list->len; i++) {
        if (json_array_append_new(a, json_string(list->v[i]))) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

struct list_ctx {
    json_t *obj;
};

static jd_status
add_list(void *ctx, const char *name, const struct jd_item_list *list)
{
    struct list_ctx *c = ctx;
    return json_object_set_new(c->obj, name, items_json(list)) ? JD_ERR_NOMEM
                                                               : JD_OK;
}

json_t *
spec_json_object(const jd_spec *s)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_t *source = json_object();
    int bad = !source;
    bad |= json_object_set_new(o, "id", str_or_null(s->id));
    bad |= json_object_set_new(o, "code", str_or_null(s->code));
    bad |= json_object_set_new(o, "title", str_or_null(s->title));
    bad |= json_object_set_new(o, "alt_titles", strs_json(&s->alt_titles));
    bad |= json_object_set_new(o, "jurisdiction", str_or_null(s->jurisdiction));
    bad |= json_object_set_new(o, "department", str_or_null(s->department));
    bad |= json_object_set_new(o, "series", str_or_null(s->series));
    bad |= json_object_set_new(o, "pay_grade", str_or_null(s->pay_grade));
    bad |= json_object_set_new(
        o, "grade_min", s->has_grade ? json_real(s->grade_min) : json_null());
    bad |= json_object_set_new(
        o, "grade_max", s->has_grade ? json_real(s->grade_max) : json_null());
    bad |= json_object_set_new(o, "flsa", str_or_null(s->flsa));
    bad |= json_object_set_new(o, "bargaining_unit",
                               str_or_null(s->bargaining_unit));
    bad |= json_object_set_new(o, "adopted", str_or_null(s->adopted));
    bad |= json_object_set_new(o, "revised", str_or_null(s->revised));
    bad |= json_object_set_new(o, "summary", str_or_null(s->summary));
    bad |= json_object_set_new(o, "distinguishing",
                               str_or_null(s->distinguishing));
    if (!bad) {
        struct list_ctx c = {o};
        bad |= spec_each_clist(s, add_list, &c) != JD_OK;
    }
    bad |= json_object_set_new(o, "supervision", str_or_null(s->supervision));
    bad |= json_object_set_new(o, "working_conditions",
                               str_or_null(s->working_conditions));
    bad |= json_object_set_new(o, "tools", strs_json(&s->tools));
    if (source) {
        bad |= json_object_set_new(source, "file", str_or_null(s->source_file));
        bad |=
            json_object_set_new(source, "line", json_integer(s->source_line));
        bad |= json_object_set_new(o, "source", source);
    }
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static int
append_chunk(const char *chunk, size_t size, void *out)
{
    return buf_append(out, chunk, size) == JD_OK ? 0 : -1;
}

jd_status
spec_json_append(const json_t *o, jd_buf *out)
{
    return json_dump_callback(o, append_chunk, out,
                              JSON_COMPACT | JSON_REAL_PRECISION(12)) == 0
               ? JD_OK
               : JD_ERR_NOMEM;
}

jd_status
jd_spec_to_json(const jd_spec *spec, jd_buf *out)
{
    json_t *o = spec_json_object(spec);
    if (!o)
        return JD_ERR_NOMEM;
    jd_status st = spec_json_append(o, out);
    json_decref(o);
    return st;
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */
/* ------------------------------------------------------------------ */

struct reader {
    jd_spec *s;
    jd_buf norm;
    char *msg;
    size_t msglen;
    const char *source;
};

static jd_status
fail(struct reader *r, const char *key, const char *what)
{
    snprintf(r->msg, r->msglen, "field '%s': %s", key, what);
    return JD_ERR_INVALID_ARG;
}

/* Normalised copy of a JSON string into the record's arena. */
static jd_status
norm_text(struct reader *r, const char *text, size_t len, const char **out)
{
    buf_clear(&r->norm);
    jd_status st = analyze_normalize(text, len, &r->norm);
    if (st != JD_OK)
        return st;
    char *v = spec_strdup(r->s, r->norm.data ? r->norm.data : "", r->norm.len);
    if (!v)
        return JD_ERR_NOMEM;
    *out = v[0] ? v : NULL;
    return JD_OK;
}

static jd_status
read_str(struct reader *r, json_t *o, const char *key, const char **field)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return JD_OK;
    if (json_is_integer(v) || json_is_real(v)) {
        /* Codes and grades are often written as numbers. */
        char num[64];
        if (json_is_integer(v))
            snprintf(num, sizeof(num), "%lld",
                     (long long)json_integer_value(v));
        else
            snprintf(num, sizeof(num), "%g", json_real_value(v));
        return norm_text(r, num, strlen(num), field);
    }
    if (!json_is_string(v))
        return fail(r, key, "expected a string");
    return norm_text(r, json_string_value(v), json_string_length(v), field);
}

static jd_status
read_strs(struct reader *r, json_t *o, const char *key,
          struct jd_str_list *list)
{
    json_t *a = json_object_get(o, key);
    if (!a || json_is_null(a))
        return JD_OK;
    if (!json_is_array(a))
        return fail(r, key, "expected an array of strings");
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v)
    {
        if (!json_is_string(v))
            return fail(r, key, "expected an array of strings");
        const char *t;
        jd_status st =
            norm_text(r, json_string_value(v), json_string_length(v), &t);
        if (st == JD_OK && t)
            st = spec_add_str(r->s, list, t, strlen(t));
        if (st != JD_OK)
            return st;
    }
    return JD_OK;
}

static jd_status
read_item_array(struct reader *r, json_t *obj, const char *key,
                struct jd_item_list *list)
{
    json_t *a = json_object_get(obj, key);
    if (!a || json_is_null(a))
        return JD_OK;
    if (!json_is_array(a))
        return fail(r, key, "expected an array of items");
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v)
    {
        unsigned n = (unsigned)i + 1, line = 0;
        const char *kind = NULL, *text = NULL;
        jd_status st;
        if (json_is_string(v)) {
            st = norm_text(r, json_string_value(v), json_string_length(v),
                           &text);
        } else if (json_is_object(v)) {
            json_t *t = json_object_get(v, "text");
            json_t *jn = json_object_get(v, "n");
            json_t *jl = json_object_get(v, "line");
            if (!json_is_string(t))
                return fail(r, key, "item without a \"text\" string");
            if (json_is_integer(jn) && json_integer_value(jn) > 0)
                n = (unsigned)json_integer_value(jn);
            if (json_is_integer(jl) && json_integer_value(jl) > 0)
                line = (unsigned)json_integer_value(jl);
            st = read_str(r, v, "kind", &kind);
            if (st == JD_OK)
                st = norm_text(r, json_string_value(t), json_string_length(t),
                               &text);
        } else {
            return fail(r, key, "expected an array of items");
        }
        if (st == JD_OK && text)
            st = spec_add_item(r->s, list, n, kind, text, strlen(text), line);
        if (st != JD_OK)
            return st;
    }
    return JD_OK;
}

struct items_ctx {
    struct reader *r;
    json_t *obj;
};

static jd_status
read_list(void *ctx, const char *name, struct jd_item_list *list)
{
    struct items_ctx *c = ctx;
    return read_item_array(c->r, c->obj, name, list);
}

static jd_status
read_number(struct reader *r, json_t *o, const char *key, double *out,
            bool *present)
{
    json_t *v = json_object_get(o, key);
    *present = false;
    if (!v || json_is_null(v))
        return JD_OK;
    if (!json_is_number(v))
        return fail(r, key, "expected a number");
    *out = json_number_value(v);
    *present = isfinite(*out);
    return JD_OK;
}

static jd_status
read_record(struct reader *r, json_t *o, const char *default_jurisdiction)
{
    jd_spec *s = r->s;
    jd_status st;
    const char *grade = NULL;
#define STR(key, field)                                                        \
    if ((st = read_str(r, o, key, &s->field)) != JD_OK)                        \
        return st;
    STR("id", id)
    STR("code", code)
    STR("title", title)
    STR("jurisdiction", jurisdiction)
    STR("department", department)
    STR("series", series)
    STR("flsa", flsa)
    STR("bargaining_unit", bargaining_unit)
    STR("adopted", adopted)
    STR("revised", revised)
    STR("summary", summary)
    STR("distinguishing", distinguishing)
    STR("supervision", supervision)
    STR("working_conditions", working_conditions)
#undef STR
    if ((st = read_str(r, o, "pay_grade", &grade)) != JD_OK)
        return st;
    if (grade && (st = spec_set_grade(s, grade, strlen(grade))) != JD_OK)
        return st;
    double lo = 0, hi = 0;
    bool has_lo, has_hi;
    if ((st = read_number(r, o, "grade_min", &lo, &has_lo)) != JD_OK ||
        (st = read_number(r, o, "grade_max", &hi, &has_hi)) != JD_OK)
        return st;
    if (has_lo || has_hi) {
        s->has_grade = true;
        s->grade_min = has_lo ? lo : hi;
        s->grade_max = has_hi ? hi : lo;
    }
    if ((st = read_strs(r, o, "alt_titles", &s->alt_titles)) != JD_OK ||
        (st = read_strs(r, o, "tools", &s->tools)) != JD_OK)
        return st;
    struct items_ctx ic = {r, o};
    if ((st = spec_each_list(s, read_list, &ic)) != JD_OK)
        return st;

    json_t *src = json_object_get(o, "source");
    if (json_is_object(src)) {
        if ((st = read_str(r, src, "file", &s->source_file)) != JD_OK)
            return st;
        json_t *l = json_object_get(src, "line");
        if (json_is_integer(l) && json_integer_value(l) > 0)
            s->source_line = (unsigned)json_integer_value(l);
    }
    if (!s->source_file && r->source &&
        (st = spec_set(s, &s->source_file, r->source, strlen(r->source))) !=
            JD_OK)
        return st;

    if (!s->title && !s->code && !s->id)
        return fail(r, "title", "a record needs a title, a code or an id");
    if (!s->jurisdiction && default_jurisdiction &&
        (st = spec_set(s, &s->jurisdiction, default_jurisdiction,
                       strlen(default_jurisdiction))) != JD_OK)
        return st;
    if (!s->id && spec_make_id(s) != JD_OK)
        return fail(r, "id", "cannot make an id from the code or title");
    return JD_OK;
}

json_t *
spec_json_line(const char *line, size_t len, char *msg, size_t msglen)
{
    const char *nul = memchr(line, '\0', len);
    if (nul) {
        snprintf(msg, msglen, "NUL byte at column %zu",
                 (size_t)(nul - line) + 1);
        return NULL;
    }
    size_t bad = analyze_utf8_invalid_at(line, len);
    if (bad < len) {
        snprintf(msg, msglen, "invalid UTF-8 at column %zu", bad + 1);
        return NULL;
    }
    json_error_t err;
    json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &err);
    if (!o) {
        snprintf(msg, msglen, "invalid JSON at column %d: %s", err.column,
                 err.text);
        return NULL;
    }
    if (!json_is_object(o)) {
        json_decref(o);
        snprintf(msg, msglen, "expected a JSON object");
        return NULL;
    }
    return o;
}

jd_status
jd_json_line_check(const char *line, size_t len, char *msg, size_t msglen)
{
    json_t *o = spec_json_line(line, len, msg, msglen);
    json_decref(o);
    return o ? JD_OK : JD_ERR_INVALID_ARG;
}

jd_status
spec_from_json(const char *json, size_t len, const char *source,
               const char *default_jurisdiction, jd_spec **out, char *msg,
               size_t msglen)
{
    *out = NULL;
    json_t *o = spec_json_line(json, len, msg, msglen);
    if (!o)
        return JD_ERR_INVALID_ARG;
    struct reader r = {NULL, {NULL, 0, 0}, msg, msglen, source};
    jd_status st = spec_new(&r.s);
    if (st == JD_OK)
        st = read_record(&r, o, default_jurisdiction);
    json_decref(o);
    jd_buf_free(&r.norm);
    if (st != JD_OK) {
        if (st == JD_ERR_NOMEM)
            snprintf(msg, msglen, "out of memory");
        jd_spec_free(r.s);
        return st;
    }
    *out = r.s;
    return JD_OK;
}

jd_status
jd_spec_from_json(const char *json, size_t len, const char *source,
                  jd_spec **out, char *msg, size_t msglen)
{
    return spec_from_json(json, len, source, NULL, out, msg, msglen);
}
