/*
 * spec_items.c: grouping a section's lines into whole items.
 *
 * A section is either a marked list (numbers, letters, bullets) or plain
 * paragraphs. In a list the first marker fixes the top level (its indent
 * and kind); a marker further in, or of another kind at the same indent,
 * is a sub-bullet and stays with its parent. An unmarked line continues
 * the current item unless it starts a new statement: the previous line
 * ended a sentence and stopped short of the wrapping width (or a blank
 * line parts them), and this one starts with a capital. Paragraph text follows
 * the same continuation rule, so a sentence wrapped over a page break is joined
 * again.
 */
#include "indexer/spec/items.h"

#include "indexer/spec/vocab.h"
#include "indexer/util/buf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct unit {
    const char *s; /* text after any marker */
    size_t len;
    unsigned no;
    unsigned indent;
    unsigned columns; /* width of the whole physical line */
    bool blank_before;
    bool marked;
    struct marker mk;
};

static jd_status
collect_units(const struct sline *lines, size_t n, size_t off,
              struct unit **out, size_t *count)
{
    struct unit *u = malloc((n ? n : 1) * sizeof(*u));
    if (!u)
        return JD_ERR_NOMEM;
    size_t k = 0;
    bool blank = false;
    for (size_t i = 0; i < n; i++) {
        const struct sline *l = &lines[i];
        if (l->furniture)
            continue;
        if (l->blank) {
            blank = true;
            continue;
        }
        const char *s = l->s;
        size_t len = l->len;
        if (i == 0 && off) {
            size_t o = off < len ? off : len;
            s += o;
            len -= o;
            text_trim(&s, &len);
            if (len == 0)
                continue;
        }
        struct unit *x = &u[k++];
        memset(x, 0, sizeof(*x));
        x->no = l->no;
        x->indent = l->indent;
        x->columns = l->indent + (unsigned)l->len;
        x->blank_before = blank;
        blank = false;
        if (line_marker(s, len, &x->mk)) {
            x->marked = true;
            s += x->mk.len;
            len -= x->mk.len;
        }
        x->s = s;
        x->len = len;
    }
    *out = u;
    *count = k;
    return JD_OK;
}

static bool
is_connector(const char *s, size_t len)
{
    return (len == 3 && strncasecmp(s, "and", 3) == 0) ||
           (len == 2 && strncasecmp(s, "or", 2) == 0);
}

/*
 * Does unit U continue the text in B (rather than start a new item)?
 * PREV_COLUMNS is the width of the last physical line added to B.
 */
static bool
continues(const jd_buf *b, const struct unit *u, unsigned prev_columns,
          const struct item_opts *opts)
{
    if (b->len == 0)
        return false;
    if (is_connector(u->s, u->len) || text_starts_lower(u->s, u->len))
        return true;
    if (text_ends_open(b->data, b->len))
        return true;
    if (text_ends_sentence(b->data, b->len))
        return false;
    char last = b->data[b->len - 1];
    if (last == ';' || last == ':')
        return false;
    /* No full stop: a wrap, unless a blank line separates them and the
     * line before stopped well short of the wrapping width. */
    if (!u->blank_before)
        return true;
    return opts && opts->wrapped && opts->width > 0 &&
           prev_columns * 10 >= opts->width * 6;
}

/*
 * In a marked list of a hard-wrapped document, does unmarked unit U go on
 * with the item whose last physical line was PREV_COLUMNS wide, though
 * that line ended a sentence? It does when no blank line parts them and
 * that line reached near the wrapping width: the wrap, not the writer,
 * broke the line, and the item's next sentence follows ("1. Prepares
 * the budget. / Consults with managers ..."). Not in paragraphs, where
 * one unmarked line may be one whole duty, nor where lines are longer
 * than a page is wide (a paragraph a line, as in markdown).
 */
#define WRAP_MAX_COLUMNS 132
static bool
wrapped_on(const struct unit *u, unsigned prev_columns,
           const struct item_opts *opts)
{
    return !u->blank_before && opts && opts->wrapped && opts->width > 0 &&
           opts->width <= WRAP_MAX_COLUMNS &&
           prev_columns * 10 >= opts->width * 8;
}

static jd_status
join(jd_buf *b, const char *s, size_t len)
{
    if (b->len > 0) {
        char last = b->data[b->len - 1];
        /* "long-" + "term" stays "long-term". */
        bool glue = last == '-' && b->len > 1 &&
                    isalpha((unsigned char)b->data[b->len - 2]);
        if (!glue && last != '\n') {
            jd_status st = buf_putc(b, ' ');
            if (st != JD_OK)
                return st;
        }
    }
    return buf_append(b, s, len);
}

/* A statement that is not an item: a disclaimer, or wholly in
 * parentheses like "(Tasks listed are intended to be descriptive ...)". */
static bool
is_noise(const char *s, size_t len)
{
    text_trim(&s, &len);
    while (len > 0 && (s[len - 1] == '.' || s[len - 1] == ' '))
        len--;
    if (len == 0)
        return true;
    if (s[0] == '(' && s[len - 1] == ')') {
        int depth = 0;
        size_t i;
        for (i = 0; i < len; i++) {
            if (s[i] == '(')
                depth++;
            else if (s[i] == ')' && --depth == 0)
                break;
        }
        if (i == len - 1)
            return true;
    }
    if (vocab_is_boilerplate(s, len))
        return true;
    /* Nothing but punctuation or a lone connector. */
    size_t alnum = 0;
    for (size_t i = 0; i < len; i++)
        if (isalnum((unsigned char)s[i]))
            alnum++;
    return alnum == 0;
}

struct emitter {
    item_fn fn;
    void *ctx;
    const struct item_opts *opts;
    unsigned next_n; /* ordinal for unnumbered items */
};

static size_t
words_in(const char *s, size_t len)
{
    return text_words(s, len);
}

/* Emit one clause of a run-in list after tidying its ends. */
static jd_status
emit_clause(struct emitter *e, const char *s, size_t len, unsigned line)
{
    text_trim(&s, &len);
    while (len > 0 && (s[len - 1] == ';' || s[len - 1] == ','))
        len--;
    if (len > 4 && (strncasecmp(s, "and ", 4) == 0)) {
        s += 4;
        len -= 4;
    } else if (len > 3 && strncasecmp(s, "or ", 3) == 0) {
        s += 3;
        len -= 3;
    }
    text_trim(&s, &len);
    if (is_noise(s, len))
        return JD_OK;
    return e->fn(e->ctx, e->next_n++, false, s, len, line);
}

/* Emit paragraph P, split at top-level semicolons when it is a run-in
 * list long enough for the options. */
static jd_status
emit_paragraph(struct emitter *e, const jd_buf *p, unsigned line)
{
    if (p->len == 0 || is_noise(p->data, p->len))
        return JD_OK;
    unsigned want = e->opts ? e->opts->split_semicolons : 0;
    size_t semis = 0;
    int depth = 0;
    for (size_t i = 0; i < p->len; i++) {
        if (p->data[i] == '(')
            depth++;
        else if (p->data[i] == ')' && depth > 0)
            depth--;
        else if (p->data[i] == ';' && depth == 0)
            semis++;
    }
    if (want == 0 || semis < want)
        return e->fn(e->ctx, e->next_n++, false, p->data, p->len, line);

    /* Split; a clause too short to stand alone ("etc.") stays with the
     * one before it. CUR_* is the clause being grown. */
    size_t min_words =
        e->opts->min_clause_words ? e->opts->min_clause_words : 1;
    size_t cur_start = 0, cur_end = 0, start = 0;
    bool have = false;
    jd_status st;
    depth = 0;
    for (size_t i = 0; i <= p->len; i++) {
        char c = ';'; /* past the end: the last clause closes */
        if (i < p->len)
            c = p->data[i];
        if (c == '(')
            depth++;
        else if (c == ')' && depth > 0)
            depth--;
        if (c != ';' || (depth > 0 && i < p->len))
            continue;
        if (have && words_in(p->data + start, i - start) < min_words) {
            cur_end = i; /* too short to stand alone */
        } else {
            if (have && (st = emit_clause(e, p->data + cur_start,
                                          cur_end - cur_start, line)) != JD_OK)
                return st;
            cur_start = start;
            cur_end = i;
            have = true;
        }
        start = i + 1;
    }
    if (have)
        return emit_clause(e, p->data + cur_start, cur_end - cur_start, line);
    return JD_OK;
}

static jd_status
paragraph_mode(struct emitter *e, const struct unit *u, size_t n)
{
    jd_buf p = {NULL, 0, 0};
    unsigned line = 0, prev_columns = 0;
    jd_status st = JD_OK;
    for (size_t i = 0; i < n && st == JD_OK; i++) {
        if (p.len > 0 && !continues(&p, &u[i], prev_columns, e->opts)) {
            st = emit_paragraph(e, &p, line);
            buf_clear(&p);
        }
        if (st != JD_OK)
            break;
        if (p.len == 0)
            line = u[i].no;
        st = join(&p, u[i].s, u[i].len);
        prev_columns = u[i].columns;
    }
    if (st == JD_OK && p.len > 0)
        st = emit_paragraph(e, &p, line);
    jd_buf_free(&p);
    return st;
}

static bool
same_level(const struct marker *top, const struct marker *m)
{
    /* Dashes and bullets make one list whether numbered ("- 1.") or not. */
    if (top->bullet || m->bullet)
        return top->bullet && m->bullet;
    if (top->type == m->type)
        return true;
    if (top->type == MK_ROMAN && m->type == MK_ALPHA && m->maybe_roman)
        return true;
    return top->type == MK_ALPHA && m->type == MK_ROMAN && m->maybe_alpha;
}

struct current {
    jd_buf text;
    unsigned n;
    bool numbered;
    unsigned line;
    bool open;
    unsigned columns; /* width of the last line added */
};

static jd_status
flush(struct emitter *e, struct current *c)
{
    jd_status st = JD_OK;
    if (c->open && c->text.len > 0 && !is_noise(c->text.data, c->text.len)) {
        const char *s = c->text.data;
        size_t len = c->text.len;
        while (len > 0 && (s[len - 1] == ';' || s[len - 1] == ' '))
            len--;
        st = e->fn(e->ctx, c->n, c->numbered, s, len, c->line);
    }
    buf_clear(&c->text);
    c->open = false;
    return st;
}

static jd_status
marked_mode(struct emitter *e, const struct unit *u, size_t n)
{
    size_t first = 0;
    while (first < n && !u[first].marked)
        first++;
    /* Lead-in text before the first marker: kept only when it is a real
     * statement, not "The following duties are typical:". */
    jd_status st = JD_OK;
    if (first > 0) {
        struct emitter lead = *e;
        st = paragraph_mode(&lead, u, first);
        e->next_n = lead.next_n;
        if (st != JD_OK)
            return st;
    }

    struct marker top = u[first].mk;
    unsigned top_indent = u[first].indent;
    struct current c = {{NULL, 0, 0}, 0, false, 0, false, 0};
    for (size_t i = first; i < n && st == JD_OK; i++) {
        const struct unit *x = &u[i];
        bool top_level =
            x->marked && x->indent <= top_indent && same_level(&top, &x->mk);
        if (x->marked && top_level) {
            if ((st = flush(e, &c)) != JD_OK)
                break;
            c.open = true;
            c.line = x->no;
            if (x->mk.type != MK_BULLET && x->mk.number > 0) {
                /* "v)" in a list that began "i)" is five, not 22. */
                c.n = top.type == MK_ROMAN && x->mk.type == MK_ALPHA &&
                              x->mk.roman
                          ? x->mk.roman
                          : x->mk.number;
                c.numbered = true;
                e->next_n = c.n + 1;
            } else {
                c.n = e->next_n++;
                c.numbered = false;
            }
            st = join(&c.text, x->s, x->len);
        } else if (x->marked) {
            /* Sub-bullet: its own line in the parent's text. */
            if (!c.open) {
                c.open = true;
                c.line = x->no;
                c.n = e->next_n++;
                c.numbered = false;
            } else if ((st = buf_append(&c.text, "\n- ", 3)) != JD_OK) {
                break;
            }
            st = buf_append(&c.text, x->s, x->len);
        } else if (c.open && (continues(&c.text, x, c.columns, e->opts) ||
                              wrapped_on(x, c.columns, e->opts))) {
            st = join(&c.text, x->s, x->len);
        } else {
            /* An unmarked statement between items: an item of its own. */
            if ((st = flush(e, &c)) != JD_OK)
                break;
            c.open = true;
            c.line = x->no;
            c.n = e->next_n++;
            c.numbered = false;
            st = join(&c.text, x->s, x->len);
        }
        c.columns = x->columns;
    }
    if (st == JD_OK)
        st = flush(e, &c);
    jd_buf_free(&c.text);
    return st;
}

jd_status
items_from_lines(const struct sline *lines, size_t n, size_t off,
                 const struct item_opts *opts, item_fn fn, void *ctx)
{
    struct unit *u;
    size_t count;
    jd_status st = collect_units(lines, n, off, &u, &count);
    if (st != JD_OK)
        return st;
    size_t marked = 0;
    for (size_t i = 0; i < count; i++)
        marked += u[i].marked;
    struct emitter e = {fn, ctx, opts, 1};
    if (count == 0)
        st = JD_OK;
    else if (marked >= 2 || (marked == 1 && u[0].marked && count > 1))
        st = marked_mode(&e, u, count);
    else
        st = paragraph_mode(&e, u, count);
    free(u);
    return st;
}

struct para_ctx {
    jd_buf *out;
};

static jd_status
add_paragraph(void *ctx, unsigned n, bool numbered, const char *text,
              size_t len, unsigned line)
{
    (void)n;
    (void)numbered;
    (void)line;
    struct para_ctx *p = ctx;
    jd_status st = JD_OK;
    if (p->out->len > 0)
        st = buf_putc(p->out, '\n');
    if (st == JD_OK)
        st = buf_append(p->out, text, len);
    return st;
}

jd_status
paragraphs_from_lines(const struct sline *lines, size_t n, size_t off,
                      const struct item_opts *opts, jd_buf *out)
{
    struct para_ctx p = {out};
    struct item_opts o = *opts;
    o.split_semicolons = 0;
    return items_from_lines(lines, n, off, &o, add_paragraph, &p);
}

static int
cmp_unsigned(const void *a, const void *b)
{
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
    return (x > y) - (x < y);
}

void
items_measure(const struct sline *lines, size_t n, struct item_opts *opts)
{
    opts->wrapped = false;
    opts->width = 0;
    unsigned *w = malloc((n ? n : 1) * sizeof(*w));
    if (!w)
        return; /* without the measure, blank lines simply end paragraphs */
    size_t k = 0, wraps = 0;
    const struct sline *prev = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct sline *l = &lines[i];
        if (l->blank || l->furniture || l->md)
            continue;
        w[k++] = l->indent + (unsigned)l->len;
        /* A line that stops mid-sentence and goes on in lower case. */
        if (prev && !text_ends_sentence(prev->s, prev->len) &&
            text_starts_lower(l->s, l->len))
            wraps++;
        prev = l;
    }
    if (k > 0) {
        qsort(w, k, sizeof(*w), cmp_unsigned);
        opts->width = w[k * 9 / 10];
    }
    opts->wrapped = wraps >= 2;
    free(w);
}

const char *
items_qual_kind(const char *text, size_t len)
{
    char low[160];
    size_t n = len < sizeof(low) - 1 ? len : sizeof(low) - 1;
    /* cppcheck-suppress knownConditionTrueFalse ; n is not 0 when len is not */
    for (size_t i = 0; i < n; i++)
        low[i] = (char)tolower((unsigned char)text[i]);
    low[n] = '\0';
    /* Look at the first few words only: "Ability to ..." speaks for
     * itself, "... with knowledge of" later on does not. */
    const char *head = low;
    static const char *const lead[] = {
        "may require ",  "requires ",     "require ",   "considerable ",
        "thorough ",     "working ",      "good ",      "general ",
        "some ",         "advanced ",     "basic ",     "extensive ",
        "demonstrated ", "strong ",       "excellent ", "the ",
        "must have ",    "must possess ", "possess ",   "comprehensive ",
    };
    for (int again = 0; again < 3; again++)
        for (size_t i = 0; i < sizeof(lead) / sizeof(lead[0]); i++)
            if (strncmp(head, lead[i], strlen(lead[i])) == 0)
                head += strlen(lead[i]);
    if (strncmp(head, "knowledge", 9) == 0)
        return "knowledge";
    if (strncmp(head, "skill", 5) == 0)
        return "skill";
    if (strncmp(head, "abilit", 6) == 0)
        return "ability";
    if (strstr(low, "license") || strstr(low, "licence") ||
        strstr(low, "certificat") || strstr(low, "registration as") ||
        strstr(low, "admission to practice") || strstr(low, "membership in"))
        return "license";
    if (strstr(low, "degree") || strstr(low, "graduation") ||
        strstr(low, "college") || strstr(low, "course work") ||
        strstr(low, "coursework") || strstr(low, "high school") ||
        strstr(low, "education"))
        return "education";
    if (strstr(low, "experience"))
        return "experience";
    if (strstr(low, "ability to") || strstr(low, "able to"))
        return "ability";
    if (strstr(low, "knowledge of"))
        return "knowledge";
    return NULL;
}
