/*
 * spec_text.c: class-spec text -> records.
 *
 * The text is read in passes over its lines:
 *   1. class tables (series specs) and page furniture are set aside;
 *   2. the preamble, up to the first section heading, gives the employer,
 *      title, code and fields;
 *   3. the body is cut into blocks: runs of lines under one heading, each
 *      tagged with its section (duties, knowledge, ...), item kind, label
 *      ("Either I") and scope (the classes of a series it applies to);
 *   4. each class gets a record built from the blocks in its scope, with
 *      items grouped by spec_items.c.
 * Headings are recognised by shape (markdown "##", capitals, a short line
 * ending in ':', "Label: text") and named by spec_vocab.c, so layouts
 * not seen before still parse when their words are known.
 */
#include "indexer/spec/from_text.h"

#include "indexer/spec/header.h"
#include "indexer/spec/items.h"
#include "indexer/spec/lines.h"
#include "indexer/spec/record.h"
#include "indexer/spec/vocab.h"
#include "indexer/util/buf.h"
#include "indexer/util/termmap.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------ */
/* Scopes: which classes of a series a block applies to                */
/* ------------------------------------------------------------------ */

struct scope {
    uint64_t w[MAX_CLASSES / 64];
};

static struct scope
scope_all(void)
{
    struct scope s;
    memset(&s, 0xff, sizeof(s));
    return s;
}

static bool
scope_has(const struct scope *s, size_t k)
{
    return (s->w[k / 64] >> (k % 64)) & 1u;
}

static void
scope_add(struct scope *s, size_t k)
{
    s->w[k / 64] |= (uint64_t)1 << (k % 64);
}

static bool
scope_is_all(const struct scope *s)
{
    for (size_t i = 0; i < MAX_CLASSES / 64; i++)
        if (s->w[i] != UINT64_MAX)
            return false;
    return true;
}

static bool
scope_empty(const struct scope *s)
{
    for (size_t i = 0; i < MAX_CLASSES / 64; i++)
        if (s->w[i])
            return false;
    return true;
}

/* ------------------------------------------------------------------ */
/* Parser state                                                        */
/* ------------------------------------------------------------------ */

struct block {
    enum section sec;
    const char *kind;     /* static item kind, or NULL */
    struct slice heading; /* the heading text (kind of "other" items) */
    struct slice label;   /* sub-heading such as "Either I" */
    struct scope scope;
    size_t first, last; /* lines [first, last) */
    size_t off;         /* content starts this many bytes into FIRST */
};

struct parser {
    const char *source;
    const struct jd_parse_opts *opts;
    struct sline *lines;
    size_t n;
    bool markdown;
    size_t body; /* first line after the preamble */

    struct slice title, md_title, code, url_code, department, grade, flsa,
        bargaining, adopted, revised, series;
    unsigned title_line;
    char jurisdiction[128];
    struct acronyms acr;

    struct klass classes[MAX_CLASSES];
    size_t nclasses;

    struct block *blocks;
    size_t nblocks, cap;
    struct item_opts shape; /* wrapping of the document's lines */

    /* Walking state. */
    struct scope scope;
    bool scope_fresh;    /* a scope heading with no content after it yet */
    char level_key[192]; /* level heading that class headings refine */
};

static bool
is_dash_value(struct slice v)
{
    return v.len == 0 || (v.len <= 3 && strspn(v.s, "-") == v.len) ||
           (v.len == 3 && strncasecmp(v.s, "n/a", 3) == 0);
}

static void
set_field(struct parser *p, const struct field_hit *f)
{
    if (is_dash_value(f->value))
        return;
    struct slice *dst = NULL;
    switch (f->field) {
    case F_TITLE:
        dst = &p->title;
        break;
    case F_CODE:
        dst = &p->code;
        break;
    case F_DEPARTMENT:
        dst = &p->department;
        break;
    case F_FLSA:
        dst = &p->flsa;
        break;
    case F_GRADE:
        dst = &p->grade;
        break;
    case F_BARGAINING:
        dst = &p->bargaining;
        break;
    case F_ADOPTED:
        dst = &p->adopted;
        break;
    case F_REVISED:
        /* The last revision given wins. */
        p->revised = f->value;
        return;
    case F_SERIES:
        dst = &p->series;
        break;
    case F_NONE:
    case F_IGNORED:
        return;
    }
    if (dst && dst->len == 0)
        *dst = f->value;
}

/* Try LINE as a field line; true when it was one (and is consumed). */
static bool
take_fields(struct parser *p, struct sline *l)
{
    struct field_hit hits[8];
    size_t k = header_fields(l->s, l->len, hits, 8);
    if (k == 0)
        return false;
    for (size_t i = 0; i < k; i++) {
        if (hits[i].field == F_TITLE && p->title.len == 0 &&
            hits[i].value.len > 0)
            p->title_line = l->no;
        set_field(p, &hits[i]);
    }
    l->furniture = true;
    return true;
}

/* ------------------------------------------------------------------ */
/* Headings                                                            */
/* ------------------------------------------------------------------ */

enum hkind {
    H_NONE,
    H_SECTION, /* named by the vocabulary */
    H_SUB,     /* a short "Label:" line not in the vocabulary */
    H_CAPS,    /* an unknown line in capitals */
};

struct heading {
    enum hkind kind;
    struct heading_match m;
    struct slice text; /* without marker, markdown and colon */
    size_t inline_off; /* > 0: content follows on the same line */
};

static struct slice
strip_heading(const char *s, size_t len)
{
    struct slice t = {s, len};
    while (t.len > 0 && (*t.s == '#' || *t.s == ' ')) {
        t.s++;
        t.len--;
    }
    struct marker mk;
    if (line_marker(t.s, t.len, &mk) && mk.type != MK_BULLET) {
        t.s += mk.len;
        t.len -= mk.len;
    }
    /* Markdown emphasis: "**footnotes**". */
    while (t.len > 0 && (*t.s == '*' || *t.s == '_')) {
        t.s++;
        t.len--;
    }
    while (t.len > 0 && (t.s[t.len - 1] == ':' || t.s[t.len - 1] == ' ' ||
                         t.s[t.len - 1] == '*' || t.s[t.len - 1] == '_'))
        t.len--;
    return t;
}

static bool
is_connector(const struct sline *l)
{
    return (l->len == 3 && strncasecmp(l->s, "and", 3) == 0) ||
           (l->len == 2 && strncasecmp(l->s, "or", 2) == 0);
}

/* Is line L a heading, and which? */
static bool
line_heading(const struct sline *l, struct heading *h)
{
    memset(h, 0, sizeof(*h));
    if (l->blank || l->furniture || is_connector(l))
        return false;
    const char *s = l->s;
    size_t len = l->len;
    struct marker mk;
    bool marked = line_marker(s, len, &mk);
    const char *body = marked ? s + mk.len : s;
    size_t blen = marked ? len - mk.len : len;
    bool colon_end = blen > 0 && body[blen - 1] == ':';
    size_t words = text_words(body, blen);

    h->text = strip_heading(s, len);
    if (h->text.len == 0)
        return false;

    /* "Label: text" with a known label. */
    const char *colon = memchr(body, ':', blen);
    if (colon && !colon_end && colon > body &&
        text_words(body, (size_t)(colon - body)) <= 6 &&
        text_starts_upper(body, blen) &&
        vocab_heading(body, (size_t)(colon - body), &h->m) && h->m.exact &&
        h->m.sec != SEC_IGNORE) {
        h->kind = H_SECTION;
        h->text = (struct slice){body, (size_t)(colon - body)};
        h->inline_off = (size_t)(colon - s) + 1;
        return true;
    }
    if (words == 0 || words > 12 || blen > 120)
        return false;
    if (marked && !colon_end)
        return false; /* a list item, not a heading */
    bool caps = text_is_caps(body, blen) && !text_ends_sentence(body, blen);
    bool known = vocab_heading(h->text.s, h->text.len, &h->m);
    if (caps) {
        h->kind = known ? H_SECTION : H_CAPS;
        return true;
    }
    if (colon_end && words <= 8 && text_starts_upper(body, blen)) {
        h->kind = known ? H_SECTION : H_SUB;
        return true;
    }
    /* A title-case line that is exactly a known heading
     * ("Required Education, Training and Experience"). */
    if (known && h->m.exact && words <= 8 && text_starts_upper(body, blen) &&
        !text_ends_sentence(body, blen)) {
        h->kind = H_SECTION;
        return true;
    }
    return false;
}

/* ------------------------------------------------------------------ */
/* Pass 2: the preamble                                                */
/* ------------------------------------------------------------------ */

static bool
is_section_start(const struct sline *l)
{
    if (l->md >= 2) {
        struct heading_match m;
        struct slice t = strip_heading(l->s, l->len);
        return !(vocab_heading(t.s, t.len, &m) && m.sec == SEC_IGNORE);
    }
    struct heading h;
    if (!line_heading(l, &h))
        return false;
    return h.kind == H_SECTION && h.m.sec != SEC_IGNORE;
}

static void
scan_preamble(struct parser *p)
{
    size_t i = 0;
    for (; i < p->n; i++) {
        struct sline *l = &p->lines[i];
        if (l->blank || l->furniture)
            continue;
        struct slice code;
        if (l->len > 11 && strncasecmp(l->s, "Source-URL:", 11) == 0) {
            if (header_url_code(l->s, l->len, &code))
                p->url_code = code;
            l->furniture = true;
            continue;
        }
        if (l->md == 1) {
            if (p->md_title.len == 0) {
                p->md_title = strip_heading(l->s, l->len);
                p->title_line = l->no;
            }
            l->furniture = true;
            continue;
        }
        char jur[128];
        if (!p->jurisdiction[0] &&
            header_jurisdiction(l->s, l->len, jur, sizeof(jur))) {
            snprintf(p->jurisdiction, sizeof(p->jurisdiction), "%s", jur);
            l->furniture = true;
            continue;
        }
        if (take_fields(p, l))
            continue;
        if (is_section_start(l))
            break;
        /* "Series established July 28, 1976" */
        const char *est = text_find_ci(l->s, l->len, "established ");
        if (est && text_find_ci(l->s, l->len, "series") == l->s) {
            size_t off = (size_t)(est - l->s) + 12;
            p->adopted = (struct slice){l->s + off, l->len - off};
            l->furniture = true;
            continue;
        }
        struct heading h;
        if (line_heading(l, &h)) {
            if (h.kind == H_SECTION && h.m.sec == SEC_IGNORE) {
                l->furniture = true; /* "CLASS SPECIFICATION" */
                continue;
            }
            if (h.kind == H_CAPS && p->title.len == 0 && p->md_title.len == 0) {
                p->title = (struct slice){l->s, l->len};
                p->title_line = l->no;
                l->furniture = true;
                continue;
            }
            if (h.kind == H_CAPS) {
                l->furniture = true;
                continue;
            }
        }
        /* Running text before any heading: the body starts here. */
        if (l->md == 0 && text_words(l->s, l->len) > 8)
            break;
        if (l->md == 0 && p->title.len == 0 && p->md_title.len == 0 &&
            text_words(l->s, l->len) <= 8 &&
            !text_ends_sentence(l->s, l->len)) {
            /* A title in mixed case on a line of its own. */
            p->title = (struct slice){l->s, l->len};
            p->title_line = l->no;
            l->furniture = true;
            continue;
        }
        if (l->md == 0)
            l->furniture = true; /* stray banner text */
    }
    p->body = i;
}

/* ------------------------------------------------------------------ */
/* Pass 1b: page furniture                                             */
/* ------------------------------------------------------------------ */

struct line_ref {
    const struct sline *l;
    size_t i;
};

static int
cmp_line(const void *a, const void *b)
{
    const struct sline *x = ((const struct line_ref *)a)->l;
    const struct sline *y = ((const struct line_ref *)b)->l;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    int c = memcmp(x->s, y->s, x->len);
    if (c)
        return c;
    size_t xi = ((const struct line_ref *)a)->i,
           yi = ((const struct line_ref *)b)->i;
    return (xi > yi) - (xi < yi);
}

/* Could L be a running page header or footer? */
static bool
header_like(const struct sline *l)
{
    if (l->blank || l->md || l->len > 80 || l->s[0] == '|')
        return false;
    char last = l->s[l->len - 1];
    if (strchr(".;,:", last))
        return false;
    struct marker mk;
    if (line_marker(l->s, l->len, &mk))
        return false;
    struct heading_match m;
    if (vocab_heading(l->s, l->len, &m))
        return false;
    return text_is_caps(l->s, l->len) || text_words(l->s, l->len) <= 8;
}

static jd_status
mark_furniture(struct parser *p)
{
    for (size_t i = 0; i < p->n; i++)
        if (!p->lines[i].blank &&
            text_is_page_number(p->lines[i].s, p->lines[i].len))
            p->lines[i].furniture = true;

    /* Lines that repeat the title or the employer after the preamble are
     * running headers ("COMMUNITY ENGAGEMENT COORDINATOR",
     * "City of St. Louis"). */
    struct slice title = p->title.len ? p->title : p->md_title;
    size_t jlen = strlen(p->jurisdiction);
    for (size_t i = p->body; i < p->n; i++) {
        struct sline *l = &p->lines[i];
        if (l->blank || l->md)
            continue;
        if ((title.len && text_eq_loose(l->s, l->len, title.s, title.len)) ||
            (jlen && text_eq_loose(l->s, l->len, p->jurisdiction, jlen)))
            l->furniture = true;
    }

    /* Short lines that recur verbatim in a PDF's text are page headers.
     * Markdown sources have no pages, and repeat real lines in series. */
    if (p->markdown || p->n - p->body < 2)
        return JD_OK;
    struct line_ref *refs = malloc((p->n - p->body) * sizeof(*refs));
    if (!refs)
        return JD_ERR_NOMEM;
    size_t k = 0;
    for (size_t i = p->body; i < p->n; i++)
        if (!p->lines[i].furniture && header_like(&p->lines[i]))
            refs[k++] = (struct line_ref){&p->lines[i], i};
    qsort(refs, k, sizeof(*refs), cmp_line);
    for (size_t a = 0; a < k;) {
        size_t b = a + 1;
        while (b < k && refs[b].l->len == refs[a].l->len &&
               memcmp(refs[b].l->s, refs[a].l->s, refs[a].l->len) == 0)
            b++;
        if (b - a >= 2)
            for (size_t c = a; c < b; c++)
                p->lines[refs[c].i].furniture = true;
        a = b;
    }
    free(refs);
    return JD_OK;
}

/* ------------------------------------------------------------------ */
/* Pass 3: blocks                                                      */
/* ------------------------------------------------------------------ */

static jd_status
open_block(struct parser *p, size_t at, enum section sec, const char *kind,
           struct slice heading, struct slice label, size_t first, size_t off)
{
    if (p->nblocks > 0)
        p->blocks[p->nblocks - 1].last = at;
    if (p->nblocks == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 32;
        struct block *nb = realloc(p->blocks, cap * sizeof(*nb));
        if (!nb)
            return JD_ERR_NOMEM;
        p->blocks = nb;
        p->cap = cap;
    }
    struct block *b = &p->blocks[p->nblocks++];
    b->sec = sec;
    b->kind = kind;
    b->heading = heading;
    b->label = label;
    b->scope = p->scope;
    b->first = first;
    b->last = p->n;
    b->off = off;
    return JD_OK;
}

static const struct block *
cur_block(const struct parser *p)
{
    return p->nblocks ? &p->blocks[p->nblocks - 1] : NULL;
}

/* "All Levels:", "Both Classes:", "All Therapists:" */
static bool
is_all_scope(struct slice t)
{
    char key[64];
    vocab_normalize(t.s, t.len, key, sizeof(key));
    const char *sp = strchr(key, ' ');
    if (!sp || strchr(sp + 1, ' '))
        return false;
    size_t wl = (size_t)(sp - key);
    bool all = (wl == 3 && strncmp(key, "all", 3) == 0) ||
               (wl == 4 && strncmp(key, "both", 4) == 0) ||
               (wl == 4 && strncmp(key, "each", 4) == 0);
    size_t rest = strlen(sp + 1);
    return all && rest > 1 && sp[rest] == 's';
}

static bool
key_starts(const char *key, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(key, prefix, n) == 0 && (key[n] == ' ' || key[n] == '\0');
}

static bool
key_has_word_run(const char *key, const char *words)
{
    size_t n = strlen(words);
    for (const char *k = key; (k = strstr(k, words)) != NULL; k++)
        if ((k == key || k[-1] == ' ') && (k[n] == ' ' || k[n] == '\0'))
            return true;
    return false;
}

/* Is T exactly the title of one or more classes of the series? */
static bool
class_exact(struct parser *p, struct slice t, struct scope *s)
{
    if (p->nclasses < 2)
        return false;
    char key[192];
    header_title_key(t.s, t.len, key, sizeof(key));
    memset(s, 0, sizeof(*s));
    for (size_t c = 0; key[0] && c < p->nclasses; c++)
        if (strcmp(p->classes[c].key, key) == 0)
            scope_add(s, c);
    if (scope_empty(s))
        return false;
    p->level_key[0] = '\0';
    return true;
}

/*
 * Does heading T name classes of the series? Exact titles first, then a
 * level shared by several titles ("Research Analyst I"), then a
 * specialty within the current level ("Economics"). Sets *S.
 */
static bool
class_heading(struct parser *p, struct slice t, struct scope *s, bool *refines)
{
    if (p->nclasses < 2)
        return false;
    char key[192];
    header_title_key(t.s, t.len, key, sizeof(key));
    if (!key[0])
        return false;
    *refines = false;
    if (class_exact(p, t, s))
        return true;
    for (size_t c = 0; c < p->nclasses; c++)
        if (key_starts(p->classes[c].key, key))
            scope_add(s, c);
    if (!scope_empty(s)) {
        snprintf(p->level_key, sizeof(p->level_key), "%s", key);
        return true;
    }
    for (size_t c = 0; c < p->nclasses; c++)
        if (key_has_word_run(p->classes[c].key, key) &&
            (!p->level_key[0] || key_starts(p->classes[c].key, p->level_key)))
            scope_add(s, c);
    *refines = p->level_key[0] != '\0';
    return !scope_empty(s);
}

static jd_status
md_heading(struct parser *p, size_t i)
{
    struct sline *l = &p->lines[i];
    struct slice t = strip_heading(l->s, l->len);
    const struct block *cb = cur_block(p);
    enum section sec = cb ? cb->sec : SEC_OTHER;
    const char *kind = cb ? cb->kind : NULL;
    struct slice heading = cb ? cb->heading : t;
    struct slice none = {NULL, 0};
    l->furniture = true;

    struct scope s;
    bool refines = false;
    bool is_class = false;
    if (i + 1 < p->n && p->lines[i + 1].md == l->md) {
        /* A class title wrapped over two headings: "## Audiologist I,
         * Departments of Mental Health and Developmental" + "## Services". */
        struct slice t2 = strip_heading(p->lines[i + 1].s, p->lines[i + 1].len);
        char joined[512];
        int jl = snprintf(joined, sizeof(joined), "%.*s %.*s", (int)t.len, t.s,
                          (int)t2.len, t2.s);
        if (jl > 0 && (size_t)jl < sizeof(joined) &&
            class_exact(p, (struct slice){joined, (size_t)jl}, &s)) {
            is_class = true;
            p->lines[++i].furniture = true;
            /* "## Research Analyst II" + "## General": the first part is
             * the level that later specialty headings refine. */
            char key[192];
            header_title_key(t.s, t.len, key, sizeof(key));
            for (size_t c = 0; c < p->nclasses; c++)
                if (key_starts(p->classes[c].key, key) &&
                    strcmp(p->classes[c].key, key) != 0)
                    snprintf(p->level_key, sizeof(p->level_key), "%s", key);
        }
    }
    if (!is_class)
        is_class = class_heading(p, t, &s, &refines);
    if (is_class) {
        if (p->scope_fresh && !refines) {
            for (size_t w = 0; w < MAX_CLASSES / 64; w++)
                p->scope.w[w] |= s.w[w];
        } else {
            p->scope = s;
        }
        p->scope_fresh = true;
        return open_block(p, i, sec, kind, heading, none, i + 1, 0);
    }
    if (is_all_scope(t)) {
        p->scope = scope_all();
        p->scope_fresh = true;
        p->level_key[0] = '\0';
        return open_block(p, i, sec, kind, heading, none, i + 1, 0);
    }
    struct heading_match m;
    if (vocab_heading(t.s, t.len, &m) && (l->md <= 2 || m.exact)) {
        if (m.sec == SEC_IGNORE)
            return open_block(p, i, SEC_IGNORE, NULL, t, none, i + 1, 0);
        p->scope = scope_all();
        p->scope_fresh = false;
        p->level_key[0] = '\0';
        return open_block(p, i, m.sec, m.kind, t, none, i + 1, 0);
    }
    /* "### Either I", "## Agriculture": a label within the section. */
    bool rule = t.len == 0 || strspn(t.s, "_-=*") == t.len;
    if (rule || text_find_ci(t.s, t.len, "footnote"))
        return open_block(p, i, SEC_IGNORE, NULL, t, none, i + 1, 0);
    if (!cb || cb->sec == SEC_IGNORE || cb->sec == SEC_NONE)
        return open_block(p, i, SEC_OTHER, NULL, t, none, i + 1, 0);
    return open_block(p, i, sec, kind, heading, t, i + 1, 0);
}

static jd_status
text_heading(struct parser *p, size_t i, const struct heading *h)
{
    struct sline *l = &p->lines[i];
    const struct block *cb = cur_block(p);
    struct slice none = {NULL, 0};
    size_t first = h->inline_off ? i : i + 1;
    l->furniture = h->inline_off == 0;

    if (h->kind == H_SECTION) {
        if (h->m.sec == SEC_IGNORE)
            return open_block(p, i, SEC_IGNORE, NULL, h->text, none, first,
                              h->inline_off);
        /* A sub-heading such as "Experience:" keeps the label and scope
         * of the block it belongs to. */
        bool sub = h->inline_off || (cb && h->m.sec == cb->sec);
        struct slice label = sub && cb ? cb->label : none;
        if (!sub && !p->markdown) {
            p->scope = scope_all();
            p->scope_fresh = false;
        }
        return open_block(p, i, h->m.sec, h->m.kind, h->text, label, first,
                          h->inline_off);
    }
    if (h->kind == H_SUB && cb) {
        /* "Data Utilization:", "General:" */
        return open_block(p, i, cb->sec, cb->kind, cb->heading, h->text, first,
                          0);
    }
    /* An unknown heading in capitals: a section we have no name for. */
    return open_block(p, i, SEC_OTHER, NULL, h->text, none, first, 0);
}

static jd_status
walk_body(struct parser *p)
{
    p->scope = scope_all();
    jd_status st = JD_OK;
    /* Text before any heading is the summary. */
    struct slice none = {NULL, 0};
    st = open_block(p, p->body, SEC_SUMMARY, NULL, none, none, p->body, 0);
    for (size_t i = p->body; i < p->n && st == JD_OK; i++) {
        struct sline *l = &p->lines[i];
        if (l->blank || l->furniture)
            continue;
        if (l->md) {
            st = md_heading(p, i);
            continue;
        }
        if (take_fields(p, l))
            continue;
        struct heading h;
        if (line_heading(l, &h)) {
            st = text_heading(p, i, &h);
            if (h.inline_off)
                p->scope_fresh = false;
            continue;
        }
        p->scope_fresh = false;
    }
    if (st == JD_OK && p->nblocks > 0)
        p->blocks[p->nblocks - 1].last = p->n;
    return st;
}

/* ------------------------------------------------------------------ */
/* Pass 4: records                                                     */
/* ------------------------------------------------------------------ */

struct builder {
    struct parser *p;
    jd_spec *s;
    const struct block *b;
    struct jd_item_list *list; /* NULL: choose per item */
    const char *kind;
    jd_buf text;
    char other_kind[96]; /* heading of an "other" section */
    /* Items so far per list and kind (key: ordinal_key()), the ordinal
     * of the next unnumbered one less one. */
    struct termmap ordinals;
    jd_buf key;
};

static struct jd_item_list *
list_for_kind(jd_spec *s, const char *kind)
{
    if (!kind)
        return &s->education;
    if (strcmp(kind, "knowledge") == 0)
        return &s->knowledge;
    if (strcmp(kind, "skill") == 0)
        return &s->skills;
    if (strcmp(kind, "ability") == 0)
        return &s->abilities;
    if (strcmp(kind, "license") == 0)
        return &s->licenses;
    return &s->education;
}

/* The key of LIST and KIND in BD->ordinals: the list's address, then
 * the kind ('-' for none, so no kind and "" differ). */
static jd_status
ordinal_key(struct builder *bd, const struct jd_item_list *list,
            const char *kind)
{
    buf_clear(&bd->key);
    uintptr_t at = (uintptr_t)list;
    jd_status st = buf_append(&bd->key, (const char *)&at, sizeof(at));
    if (st == JD_OK)
        st = kind ? buf_putc(&bd->key, '+') : buf_putc(&bd->key, '-');
    if (st == JD_OK && kind)
        st = buf_puts(&bd->key, kind);
    return st;
}

/* Add item TEXT to LIST. An unnumbered item gets the next ordinal of its
 * kind in LIST, counted in a map rather than by walking the list, which
 * would make a list of n items cost n * n / 2 comparisons. */
static jd_status
add_to_list(struct builder *bd, struct jd_item_list *list, unsigned n,
            bool numbered, const char *kind, const char *text, size_t len,
            unsigned line)
{
    jd_status st = ordinal_key(bd, list, kind);
    struct termmap_entry *count =
        st == JD_OK ? termmap_get(&bd->ordinals, bd->key.data, bd->key.len)
                    : NULL;
    if (!count)
        return JD_ERR_NOMEM;
    if (!numbered)
        n = (unsigned)count->value + 1;
    size_t before = list->len;
    st = spec_add_item(bd->s, list, n, kind, text, len, line);
    if (st == JD_OK && list->len > before)
        count->value++;
    return st;
}

static jd_status
add_item(void *ctx, unsigned n, bool numbered, const char *text, size_t len,
         unsigned line)
{
    struct builder *bd = ctx;
    const char *kind = bd->kind;
    struct jd_item_list *list = bd->list;
    if (!list) {
        /* A qualification sorts itself by its own words. */
        const char *own = items_qual_kind(text, len);
        if (bd->b->sec == SEC_QUALS || bd->b->sec == SEC_EDUCATION)
            kind = own ? own : (kind ? kind : "education");
        else
            kind = kind ? kind : own;
        list = list_for_kind(bd->s, kind);
    }
    const struct block *b = bd->b;
    if (b->label.len) {
        /* "Either I: One year of experience ..." */
        buf_clear(&bd->text);
        jd_status st = buf_append(&bd->text, b->label.s, b->label.len);
        if (st == JD_OK)
            st = buf_append(&bd->text, ": ", 2);
        if (st == JD_OK)
            st = buf_append(&bd->text, text, len);
        if (st != JD_OK)
            return st;
        text = bd->text.data;
        len = bd->text.len;
    }
    return add_to_list(bd, list, n, numbered, kind, text, len, line);
}

/* Append the block's paragraphs to the text field *FIELD. */
static jd_status
add_text(struct builder *bd, const char **field)
{
    const struct block *b = bd->b;
    buf_clear(&bd->text);
    if (*field && (buf_puts(&bd->text, *field) != JD_OK ||
                   buf_putc(&bd->text, '\n') != JD_OK))
        return JD_ERR_NOMEM;
    size_t before = bd->text.len;
    if (b->label.len) {
        if (buf_append(&bd->text, b->label.s, b->label.len) != JD_OK ||
            buf_append(&bd->text, ": ", 2) != JD_OK)
            return JD_ERR_NOMEM;
    }
    size_t with_label = bd->text.len;
    jd_buf para = {NULL, 0, 0};
    jd_status st =
        paragraphs_from_lines(bd->p->lines + b->first, b->last - b->first,
                              b->off, &bd->p->shape, &para);
    if (st == JD_OK && para.len)
        st = buf_append(&bd->text, para.data, para.len);
    jd_buf_free(&para);
    if (st != JD_OK)
        return st;
    if (bd->text.len == with_label) {
        bd->text.len = before ? before - 1 : 0; /* nothing added */
        if (bd->text.data)
            bd->text.data[bd->text.len] = '\0';
    }
    return spec_set(bd->s, field, bd->text.data ? bd->text.data : "",
                    bd->text.len);
}

static jd_status
add_block(struct builder *bd)
{
    const struct block *b = bd->b;
    jd_spec *s = bd->s;
    struct item_opts opts = bd->p->shape;
    const struct sline *lines = bd->p->lines + b->first;
    size_t n = b->last - b->first;
    bd->list = NULL;
    bd->kind = b->kind;
    switch (b->sec) {
    case SEC_SUMMARY:
        return add_text(bd, &s->summary);
    case SEC_DISTINGUISHING:
        return add_text(bd, &s->distinguishing);
    case SEC_SUPERVISION:
        return add_text(bd, &s->supervision);
    case SEC_WORKING:
        return add_text(bd, &s->working_conditions);
    case SEC_DUTIES:
        bd->list = &s->duties;
        bd->kind = b->kind ? b->kind : "duty";
        opts.split_semicolons = 3;
        opts.min_clause_words = 2;
        break;
    case SEC_KNOWLEDGE:
    case SEC_SKILLS:
    case SEC_ABILITIES:
        bd->list = list_for_kind(s, b->kind);
        opts.split_semicolons = 1;
        opts.min_clause_words = 1;
        break;
    case SEC_QUALS:
    case SEC_EDUCATION:
        break;
    case SEC_LICENSES:
        bd->list = &s->licenses;
        bd->kind = "license";
        break;
    case SEC_OTHER: {
        bd->list = &s->other;
        size_t kl = b->heading.len < sizeof(bd->other_kind) - 1
                        ? b->heading.len
                        : sizeof(bd->other_kind) - 1;
        if (kl)
            memcpy(bd->other_kind, b->heading.s, kl);
        bd->other_kind[kl] = '\0';
        bd->kind = kl ? bd->other_kind : "other";
        break;
    }
    case SEC_TOOLS: {
        jd_buf para = {NULL, 0, 0};
        jd_status st = paragraphs_from_lines(lines, n, b->off, &opts, &para);
        for (size_t i = 0, start = 0; st == JD_OK && i <= para.len; i++) {
            if (i == para.len || para.data[i] == '\n') {
                const char *t = para.data + start;
                size_t tl = i - start;
                if (tl > 2 && (t[0] == '-' || (unsigned char)t[0] >= 0x80)) {
                    /* Drop a bullet left at the start. */
                    while (tl > 0 && *t != ' ') {
                        t++;
                        tl--;
                    }
                }
                st = spec_add_str(s, &s->tools, t, tl);
                start = i + 1;
            }
        }
        jd_buf_free(&para);
        return st;
    }
    case SEC_HISTORY:
    case SEC_IGNORE:
    case SEC_NONE:
        return JD_OK;
    }
    return items_from_lines(lines, n, b->off, &opts, add_item, bd);
}

static jd_status
set_slice(jd_spec *s, const char **field, struct slice v)
{
    if (v.len == 0)
        return JD_OK;
    return spec_set(s, field, v.s, v.len);
}

static jd_status
folder_jurisdiction(jd_spec *s, const char *folder)
{
    /* "st-louis" -> "St Louis" */
    char name[128];
    size_t o = 0;
    bool start = true;
    for (const char *c = folder; *c && o + 1 < sizeof(name); c++) {
        char ch = *c;
        if (ch == '-' || ch == '_')
            ch = ' ';
        else if (start)
            ch = (char)toupper((unsigned char)ch);
        name[o++] = ch;
        start = ch == ' ';
    }
    name[o] = '\0';
    return spec_set(s, &s->jurisdiction, name, o);
}

static jd_status
build_record(struct parser *p, size_t k, bool series, jd_spec **out)
{
    jd_spec *s;
    jd_status st = spec_new(&s);
    if (st != JD_OK)
        return st;
    struct builder bd = {
        p, s, NULL, NULL, NULL, {NULL, 0, 0}, "", {NULL, 0, 0}, {NULL, 0, 0}};
    char buf[512];

    /* Who and what. */
    struct slice title = p->title.len ? p->title : p->md_title;
    struct slice code = p->code.len ? p->code : p->url_code;
    struct slice adopted = p->adopted, revised = p->revised;
    unsigned line = p->title_line ? p->title_line : 1;
    if (series) {
        const struct klass *c = &p->classes[k];
        title = c->title;
        code = c->code;
        line = c->line;
        if (c->adopted.len && !is_dash_value(c->adopted))
            adopted = c->adopted;
        if (c->revised.len && !is_dash_value(c->revised))
            revised = c->revised;
    }
    header_title_case(title.s, title.len, &p->acr, buf, sizeof(buf));
    st = spec_set(s, &s->title, buf, strlen(buf));
    if (st == JD_OK)
        st = set_slice(s, &s->code, code);
    if (st == JD_OK)
        st = set_slice(s, &s->department, p->department);
    if (st == JD_OK && p->grade.len)
        st = spec_set_grade(s, p->grade.s, p->grade.len);
    if (st == JD_OK)
        st = set_slice(s, &s->flsa, p->flsa);
    if (st == JD_OK)
        st = set_slice(s, &s->bargaining_unit, p->bargaining);
    if (st == JD_OK)
        st = set_slice(s, &s->adopted, adopted);
    if (st == JD_OK)
        st = set_slice(s, &s->revised, revised);
    if (st == JD_OK) {
        struct slice series_name = p->series;
        if (!series_name.len && series)
            series_name = p->md_title;
        st = set_slice(s, &s->series, series_name);
    }

    /* Content in this class's scope. */
    for (size_t b = 0; b < p->nblocks && st == JD_OK; b++) {
        bd.b = &p->blocks[b];
        if (bd.b->first >= bd.b->last && bd.b->off == 0)
            continue;
        if (!scope_has(&bd.b->scope, series ? k : 0))
            continue;
        st = add_block(&bd);
    }
    /* A class of a series often has no task list of its own; its level
     * definition ("incumbents supervise ...; prepare and monitor program
     * budget; ...") is then the best statement of its duties. Kind
     * "level" says where they came from. */
    for (size_t b = 0;
         series && s->duties.len == 0 && b < p->nblocks && st == JD_OK; b++) {
        const struct block *blk = &p->blocks[b];
        if (blk->sec != SEC_SUMMARY || !scope_has(&blk->scope, k) ||
            scope_is_all(&blk->scope))
            continue;
        struct item_opts opts = p->shape;
        opts.split_semicolons = 2;
        opts.min_clause_words = 2;
        bd.b = blk;
        bd.list = &s->duties;
        bd.kind = "level";
        st = items_from_lines(p->lines + blk->first, blk->last - blk->first,
                              blk->off, &opts, add_item, &bd);
    }

    /* Where it belongs. */
    if (st == JD_OK) {
        if (p->jurisdiction[0])
            st = spec_set(s, &s->jurisdiction, p->jurisdiction,
                          strlen(p->jurisdiction));
        else if (p->opts && p->opts->folder_jurisdiction &&
                 p->opts->folder_jurisdiction[0])
            st = folder_jurisdiction(s, p->opts->folder_jurisdiction);
        else if (p->opts && p->opts->jurisdiction)
            st = spec_set(s, &s->jurisdiction, p->opts->jurisdiction,
                          strlen(p->opts->jurisdiction));
    }
    if (st == JD_OK)
        st = spec_set(s, &s->source_file, p->source, strlen(p->source));
    s->source_line = line;
    if (st == JD_OK && (st = spec_make_id(s)) == JD_ERR_INVALID_ARG)
        st = JD_ERR_INVALID_ARG;
    jd_buf_free(&bd.text);
    jd_buf_free(&bd.key);
    termmap_free(&bd.ordinals);
    if (st != JD_OK) {
        jd_spec_free(s);
        return st;
    }
    *out = s;
    return JD_OK;
}

jd_status
spec_text_parse(char *text, size_t len, const char *source,
                const struct jd_parse_opts *opts,
                const struct jd_parse_sink *sink, char *msg, size_t msglen)
{
    struct parser *p = calloc(1, sizeof(*p));
    if (!p)
        return JD_ERR_NOMEM;
    p->source = source;
    p->opts = opts;
    jd_status st = lines_split(text, len, &p->lines, &p->n);
    if (st != JD_OK)
        goto out;
    for (size_t i = 0; i < p->n && !p->markdown; i++)
        p->markdown = p->lines[i].md >= 2;

    p->nclasses = header_class_tables(p->lines, p->n, p->classes, MAX_CLASSES);
    scan_preamble(p);
    acronyms_collect(&p->acr, p->lines, p->n);
    if ((st = mark_furniture(p)) != JD_OK)
        goto out;
    items_measure(p->lines, p->n, &p->shape);
    if ((st = walk_body(p)) != JD_OK)
        goto out;

    if (p->title.len == 0 && p->md_title.len == 0 && p->nclasses < 2) {
        snprintf(msg, msglen, "no class title found");
        st = JD_ERR_INVALID_ARG;
        goto out;
    }
    bool series = p->nclasses >= 2 ||
                  (p->nclasses == 1 && p->title.len == 0 && p->code.len == 0);
    size_t records = series ? p->nclasses : 1;
    for (size_t k = 0; k < records && st == JD_OK; k++) {
        jd_spec *s;
        st = build_record(p, k, series, &s);
        if (st == JD_ERR_INVALID_ARG) {
            snprintf(msg, msglen, "no class title or code found");
            break;
        }
        if (st == JD_OK)
            st = spec_emit(sink, s, source, s->source_line);
    }
out:
    free(p->lines);
    free(p->blocks);
    free(p);
    return st;
}
