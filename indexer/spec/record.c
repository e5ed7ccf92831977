/*
 * spec.c: the jd_spec record: allocation in one arena, builders, ids and
 * slugs. Parsing lives in spec_text.c, spec_json.c and spec_onet.c.
 */
#include "indexer/spec/record.h"

#include "indexer/util/arena.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

jd_status
spec_new(jd_spec **out)
{
    *out = NULL;
    jd_spec *s = calloc(1, sizeof(*s));
    if (!s)
        return JD_ERR_NOMEM;
    s->mem = arena_new();
    if (!s->mem) {
        free(s);
        return JD_ERR_NOMEM;
    }
    *out = s;
    return JD_OK;
}

void
jd_spec_free(jd_spec *spec)
{
    if (!spec)
        return;
    arena_free(spec->mem);
    free(spec);
}

static bool
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

char *
spec_strdup(jd_spec *s, const char *text, size_t len)
{
    while (len && (is_space(*text) || *text == '\n')) {
        text++;
        len--;
    }
    while (len && (is_space(text[len - 1]) || text[len - 1] == '\n'))
        len--;
    char *out = arena_alloc(s->mem, len + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (is_space(c)) {
            /* Collapse runs of blanks; none next to a newline. */
            if (o > 0 && out[o - 1] != ' ' && out[o - 1] != '\n')
                out[o++] = ' ';
            continue;
        }
        if (c == '\n' && o > 0 && out[o - 1] == ' ')
            o--;
        out[o++] = c;
    }
    out[o] = '\0';
    return out;
}

jd_status
spec_set(jd_spec *s, const char **field, const char *text, size_t len)
{
    char *v = spec_strdup(s, text, len);
    if (!v)
        return JD_ERR_NOMEM;
    *field = v[0] ? v : NULL;
    return JD_OK;
}

/* Lists grow by doubling inside the arena; capacity is implied by the
 * length (4, then the next power of two), so the public structs need no
 * capacity field. */
static size_t
implied_cap(size_t len)
{
    size_t cap = 4;
    while (cap < len)
        cap *= 2;
    return cap;
}

static void *
grow(jd_spec *s, void *v, size_t len, size_t elem)
{
    if (len != 0 && (len < 4 || implied_cap(len) != len))
        return v; /* room left */
    size_t cap = len == 0 ? 4 : len * 2;
    if (cap > SIZE_MAX / elem)
        return NULL;
    void *nv = arena_alloc(s->mem, cap * elem);
    if (nv && len)
        memcpy(nv, v, len * elem);
    return nv;
}

jd_status
spec_add_item(jd_spec *s, struct jd_item_list *list, unsigned n,
              const char *kind, const char *text, size_t len, unsigned line)
{
    char *t = spec_strdup(s, text, len);
    if (!t)
        return JD_ERR_NOMEM;
    if (!t[0])
        return JD_OK;
    const char *k = NULL;
    if (kind && !(k = spec_strdup(s, kind, strlen(kind))))
        return JD_ERR_NOMEM;
    struct jd_item *v = grow(s, list->v, list->len, sizeof(*v));
    if (!v)
        return JD_ERR_NOMEM;
    list->v = v;
    v[list->len++] = (struct jd_item){n, k, t, line};
    return JD_OK;
}

jd_status
spec_add_str(jd_spec *s, struct jd_str_list *list, const char *text, size_t len)
{
    char *t = spec_strdup(s, text, len);
    if (!t)
        return JD_ERR_NOMEM;
    if (!t[0])
        return JD_OK;
    const char **v = grow(s, (void *)list->v, list->len, sizeof(*v));
    if (!v)
        return JD_ERR_NOMEM;
    list->v = v;
    v[list->len++] = t;
    return JD_OK;
}

/* Read a number at *P ("52,000", "12.5"), skipping '$'. */
static bool
read_number(const char **p, const char *end, double *out)
{
    const char *q = *p;
    while (q < end && (*q == '$' || *q == ' '))
        q++;
    if (q >= end || !isdigit((unsigned char)*q))
        return false;
    char digits[64];
    size_t n = 0;
    while (q < end && n + 1 < sizeof(digits) &&
           (isdigit((unsigned char)*q) || *q == ',' || *q == '.')) {
        if (*q != ',')
            digits[n++] = *q;
        q++;
    }
    while (n > 0 && digits[n - 1] == '.')
        n--;
    digits[n] = '\0';
    char *e;
    *out = strtod(digits, &e);
    *p = q;
    return e != digits;
}

jd_status
spec_set_grade(jd_spec *s, const char *text, size_t len)
{
    jd_status st = spec_set(s, &s->pay_grade, text, len);
    if (st != JD_OK || !s->pay_grade)
        return st;
    const char *p = s->pay_grade, *end = p + strlen(p);
    while (p < end && !isdigit((unsigned char)*p) && *p != '$')
        p++;
    double lo, hi;
    if (!read_number(&p, end, &lo))
        return JD_OK;
    hi = lo;
    const char *q = p;
    while (q < end && (*q == ' ' || *q == '-' || *q == '$'))
        q++;
    if (q + 2 < end && strncmp(q, "to", 2) == 0)
        q += 2;
    if (q > p && read_number(&q, end, &hi) && hi < lo)
        hi = lo;
    s->has_grade = true;
    s->grade_min = lo;
    s->grade_max = hi;
    return JD_OK;
}

/* ------------------------------------------------------------------ */
/* Slugs and ids                                                       */
/* ------------------------------------------------------------------ */

/* TEXT case-folded, accents stripped and compatibility forms composed
 * ("Montréal" -> "montreal"), malloc'd; NULL when utf8proc cannot (then
 * the text is slugged as it is). */
static char *
slug_fold(const char *text)
{
    utf8proc_uint8_t *folded = NULL;
    if (utf8proc_map((const utf8proc_uint8_t *)text, 0, &folded,
                     UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_DECOMPOSE |
                         UTF8PROC_STRIPMARK | UTF8PROC_CASEFOLD |
                         UTF8PROC_COMPAT) < 0)
        return NULL;
    return (char *)folded;
}

/* The slug of the folded text SRC into BUF (SIZE bytes with the NUL, at
 * least 1). Never longer than SRC: every '-' stands for at least one
 * byte dropped. */
static void
slug_write(const char *src, char *buf, size_t size)
{
    size_t o = 0;
    bool dash = false;
    for (const char *p = src; *p && o + 1 < size; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '\'' || c == '*')
            continue; /* "Manager's" -> "managers", "O*NET" -> "onet" */
        if (isalnum(c) || c >= 0x80) {
            if (dash && o > 0 && o + 2 < size)
                buf[o++] = '-';
            dash = false;
            buf[o++] = (char)tolower(c);
        } else {
            dash = true;
        }
    }
    /* Never end inside a UTF-8 sequence when the buffer ran out. */
    size_t valid = 0;
    while (valid < o) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n =
            utf8proc_iterate((utf8proc_uint8_t *)buf + valid,
                             (utf8proc_ssize_t)(o - valid), &cp);
        if (n <= 0)
            break;
        valid += (size_t)n;
    }
    o = valid;
    while (o > 0 && buf[o - 1] == '-')
        o--;
    buf[o] = '\0';
}

char *
jd_slug(const char *text, char *buf, size_t size)
{
    if (size == 0)
        return buf;
    char *folded = slug_fold(text ? text : "");
    slug_write(folded ? folded : (text ? text : ""), buf, size);
    free(folded);
    return buf;
}

/* NAME without a leading "City of", "County of", ... */
static const char *
jurisdiction_name(const char *name)
{
    static const char *const drop[] = {
        "city and county of ", "city of ",    "county of ",
        "state of ",           "town of ",    "village of ",
        "commonwealth of ",    "borough of ", "township of ",
    };
    const char *p = name ? name : "";
    for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++) {
        size_t n = strlen(drop[i]);
        if (strncasecmp(p, drop[i], n) == 0)
            return p + n;
    }
    return p;
}

char *
jd_jurisdiction_slug(const char *name, char *buf, size_t size)
{
    return jd_slug(jurisdiction_name(name), buf, size);
}

/* The whole slug of TEXT, however long, malloc'd; NULL when out of
 * memory. */
static char *
slug_dup(const char *text)
{
    char *folded = slug_fold(text);
    const char *src = folded ? folded : text;
    char *out = malloc(strlen(src) + 1);
    if (out)
        slug_write(src, out, strlen(src) + 1);
    free(folded);
    return out;
}

/* The length of SLUG cut to at most MAX bytes: at its last '-' when that
 * keeps at least half, else at a character boundary. */
static size_t
slug_cut(const char *slug, size_t max)
{
    size_t len = strlen(slug);
    if (len <= max)
        return len;
    size_t cut = max;
    while (cut > 0 && slug[cut] != '-')
        cut--;
    if (cut < max / 2) {
        cut = max;
        while (cut > 0 && ((unsigned char)slug[cut] & 0xc0) == 0x80)
            cut--; /* slug[cut] starts a character */
    }
    while (cut > 0 && slug[cut - 1] == '-')
        cut--;
    return cut;
}

/* Made ids cut their jurisdiction to this many bytes when too long. */
#define ID_JURISDICTION_CUT 64

static uint32_t
fnv1a32(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}

/* "JUR/KEY", or when that is over JD_ID_MAX_BYTES both parts cut and a
 * hash of the whole id appended (jobdex.h, jd_spec_check), into *OUT
 * (malloc'd). */
static jd_status
join_id(const char *jur, const char *key, char **out)
{
    size_t jl = strlen(jur), kl = strlen(key);
    char *id = malloc(jl + kl + 2);
    if (!id)
        return JD_ERR_NOMEM;
    snprintf(id, jl + kl + 2, "%s/%s", jur, key);
    *out = id;
    if (jl + 1 + kl <= JD_ID_MAX_BYTES)
        return JD_OK;
    uint32_t h = fnv1a32(id);
    enum { HASH_TAIL = 9 }; /* "-" and 8 hex digits */
    jl = slug_cut(jur, ID_JURISDICTION_CUT);
    kl = slug_cut(key, JD_ID_MAX_BYTES - jl - 1 - HASH_TAIL);
    snprintf(id, JD_ID_MAX_BYTES + 1, "%.*s/%.*s-%08lx", (int)jl, jur, (int)kl,
             key, (unsigned long)h);
    return JD_OK;
}

jd_status
spec_make_id(jd_spec *s)
{
    const char *what = s->code ? s->code : s->title;
    if (!what)
        return JD_ERR_INVALID_ARG;
    char *jur = slug_dup(jurisdiction_name(s->jurisdiction));
    char *key = slug_dup(what);
    char *id = NULL;
    jd_status st = !jur || !key ? JD_ERR_NOMEM
                   : !key[0]    ? JD_ERR_INVALID_ARG
                                : join_id(jur[0] ? jur : "unknown", key, &id);
    if (st == JD_OK)
        st = spec_set(s, &s->id, id, strlen(id));
    free(jur);
    free(key);
    free(id);
    return st;
}

jd_status
jd_spec_check(const jd_spec *spec, char *msg, size_t msglen)
{
    const char *id = spec->id;
    size_t len = id ? strlen(id) : 0;
    if (len == 0) {
        snprintf(msg, msglen, "record has no id");
        return JD_ERR_INVALID_ARG;
    }
    if (len > JD_ID_MAX_BYTES) {
        snprintf(msg, msglen, "id is %zu bytes, over the %d-byte limit", len,
                 JD_ID_MAX_BYTES);
        return JD_ERR_INVALID_ARG;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)id[i];
        if (c < 0x20 || c == 0x7f) {
            snprintf(msg, msglen,
                     "id has a control character (0x%02x) at byte %zu", c,
                     i + 1);
            return JD_ERR_INVALID_ARG;
        }
    }
    return JD_OK;
}

jd_status
spec_emit(const struct jd_parse_sink *sink, jd_spec *s, const char *source,
          unsigned line)
{
    char why[160];
    if (jd_spec_check(s, why, sizeof(why)) == JD_OK)
        return sink->spec(sink->ctx, s);
    jd_spec_free(s);
    if (sink->reject)
        sink->reject(sink->ctx, source, line, why);
    return JD_OK;
}

/* ------------------------------------------------------------------ */
/* Walking the item lists                                              */
/* ------------------------------------------------------------------ */

#define SPEC_LISTS(X)                                                          \
    X(duties)                                                                  \
    X(knowledge) X(skills) X(abilities) X(education) X(licenses) X(other)

jd_status
spec_each_list(jd_spec *s, spec_list_fn fn, void *ctx)
{
    jd_status st;
#define CALL(name)                                                             \
    if ((st = fn(ctx, #name, &s->name)) != JD_OK)                              \
        return st;
    SPEC_LISTS(CALL)
#undef CALL
    return JD_OK;
}

jd_status
spec_each_clist(const jd_spec *s, spec_clist_fn fn, void *ctx)
{
    jd_status st;
#define CALL(name)                                                             \
    if ((st = fn(ctx, #name, &s->name)) != JD_OK)                              \
        return st;
    SPEC_LISTS(CALL)
#undef CALL
    return JD_OK;
}

bool
spec_item_at(const jd_spec *s, const char *name, size_t i, struct jd_item *out)
{
    if (strcmp(name, "titles") == 0) {
        size_t k = i;
        if (s->title && k == 0) {
            *out = (struct jd_item){1, "title", s->title, s->source_line};
            return true;
        }
        if (s->title)
            k--;
        if (k >= s->alt_titles.len)
            return false;
        *out = (struct jd_item){(unsigned)i + 1, "alternate",
                                s->alt_titles.v[k], 0};
        return true;
    }
    const struct jd_item_list *list = NULL;
#define PICK(n)                                                                \
    if (strcmp(name, #n) == 0)                                                 \
        list = &s->n;
    SPEC_LISTS(PICK)
#undef PICK
    if (!list || i >= list->len)
        return false;
    *out = list->v[i];
    return true;
}

bool
spec_list_is_qualification(const char *name)
{
    return strcmp(name, "knowledge") == 0 || strcmp(name, "skills") == 0 ||
           strcmp(name, "abilities") == 0 || strcmp(name, "education") == 0 ||
           strcmp(name, "licenses") == 0;
}

static size_t
slen(const char *s)
{
    return s ? strlen(s) : 0;
}

static jd_status
count_list(void *ctx, const char *name, const struct jd_item_list *list)
{
    (void)name;
    size_t *n = ctx;
    for (size_t i = 0; i < list->len; i++)
        *n += strlen(list->v[i].text);
    return JD_OK;
}

size_t
spec_text_bytes(const jd_spec *s)
{
    size_t n = slen(s->title) + slen(s->summary) + slen(s->distinguishing) +
               slen(s->supervision) + slen(s->working_conditions);
    for (size_t i = 0; i < s->alt_titles.len; i++)
        n += strlen(s->alt_titles.v[i]);
    spec_each_clist(s, count_list, &n);
    return n;
}
