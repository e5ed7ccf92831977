/*
 * spec_header.c: banner, fields, title casing and class tables.
 */
#include "indexer/spec/header.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------ */
/* The employer                                                        */
/* ------------------------------------------------------------------ */

/* Words that end an employer's name on a banner line. */
static bool
is_banner_stop(const char *w, size_t n)
{
    static const char *const stops[] = {
        "classification",
        "class",
        "specification",
        "specifications",
        "job",
        "position",
        "description",
        "human",
        "personnel",
        "department",
        "civil",
        "service",
        "employment",
        "salary",
        "title",
        "is",
    };
    for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++)
        if (strlen(stops[i]) == n && strncasecmp(w, stops[i], n) == 0)
            return true;
    return false;
}

/* Copy NAME in title case ("ST. LOUIS" -> "St. Louis") after PREFIX. */
static void
name_case(const char *prefix, const char *name, size_t len, char *out,
          size_t size)
{
    size_t o = (size_t)snprintf(out, size, "%s", prefix);
    bool word_start = true;
    for (size_t i = 0; i < len && o + 1 < size; i++) {
        unsigned char c = (unsigned char)name[i];
        out[o++] = (char)(word_start ? toupper(c) : tolower(c));
        word_start = !isalpha(c) && c != '\'';
    }
    if (o >= size)
        o = size - 1;
    out[o] = '\0';
}

bool
header_jurisdiction(const char *s, size_t len, char *out, size_t size)
{
    static const struct {
        const char *lead, *display;
    } kinds[] = {
        {"city and county of ", "City and County of "},
        {"city of ", "City of "},
        {"county of ", "County of "},
        {"state of ", "State of "},
        {"town of ", "Town of "},
        {"village of ", "Village of "},
        {"commonwealth of ", "Commonwealth of "},
        {"borough of ", "Borough of "},
        {"township of ", "Township of "},
    };
    while (len > 0 && (*s == '#' || *s == ' ')) {
        s++;
        len--;
    }
    const char *board = text_find_ci(s, len, " state personnel board");
    if (board && board > s) {
        name_case("State of ", s, (size_t)(board - s), out, size);
        return true;
    }
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        size_t ll = strlen(kinds[k].lead);
        if (len <= ll || strncasecmp(s, kinds[k].lead, ll) != 0)
            continue;
        const char *p = s + ll, *end = s + len, *name_end = p;
        while (p < end) {
            while (p < end && *p == ' ')
                p++;
            const char *w = p;
            while (p < end && *p != ' ' && *p != ',' && *p != '|')
                p++;
            if (p == w || is_banner_stop(w, (size_t)(p - w)))
                break;
            name_end = p;
            if (p < end && (*p == ',' || *p == '|'))
                break;
        }
        if (name_end == s + ll)
            return false;
        name_case(kinds[k].display, s + ll, (size_t)(name_end - (s + ll)), out,
                  size);
        return true;
    }
    /* "KING COUNTY ..." */
    const char *county = text_find_ci(s, len, " county");
    if (county && county > s && text_words(s, (size_t)(county - s)) <= 3 &&
        text_is_caps(s, len)) {
        name_case("", s, (size_t)(county - s) + 7, out, size);
        return true;
    }
    return false;
}

/* ------------------------------------------------------------------ */
/* Fields                                                              */
/* ------------------------------------------------------------------ */

static bool
is_label_char(char c)
{
    return isalpha((unsigned char)c) || c == '/' || c == '.' || c == '-' ||
           c == '\'';
}

/* Does a known field label end just before the colon at COLON? Sets
 * *START to where the label begins (longest label first). */
static enum field
label_before(const char *s, size_t colon, size_t *start)
{
    size_t word_starts[VOCAB_FIELD_MAX_WORDS];
    size_t nw = 0, i = colon;
    while (i > 0 && s[i - 1] == ' ')
        i--;
    while (nw < VOCAB_FIELD_MAX_WORDS && i > 0) {
        size_t e = i;
        while (i > 0 && is_label_char(s[i - 1]))
            i--;
        if (i == e)
            break;
        word_starts[nw++] = i;
        if (i == 0 || s[i - 1] != ' ')
            break;
        while (i > 0 && s[i - 1] == ' ')
            i--;
    }
    for (size_t k = nw; k-- > 0;) {
        enum field f = vocab_field(s + word_starts[k], colon - word_starts[k]);
        if (f != F_NONE) {
            *start = word_starts[k];
            return f;
        }
    }
    return F_NONE;
}

/* "Class No. ", "Class Number ", "Job Code ", "Class # " followed by a
 * code without a colon: the label's length, or 0. */
static size_t
code_label_len(const char *s, size_t len)
{
    static const char *const labels[] = {
        "class no. ", "class no ", "class number ", "class code ",
        "job code ",  "job no. ",  "class # ",      "job number "};
    for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
        size_t n = strlen(labels[i]);
        if (len <= n || strncasecmp(s, labels[i], n) != 0)
            continue;
        size_t k = n;
        while (k < len && s[k] == ' ')
            k++;
        size_t c = k;
        while (c < len && (isalnum((unsigned char)s[c]) || s[c] == '-'))
            c++;
        bool digit = false;
        for (size_t d = k; d < c; d++)
            digit |= isdigit((unsigned char)s[d]) != 0;
        if (c > k && digit && (c == len || s[c] == ' '))
            return n;
    }
    return 0;
}

size_t
header_fields(const char *s, size_t len, struct field_hit *out, size_t max)
{
    /* Markdown list dash before a field: "- Class Code: 5178". */
    size_t base = 0;
    if (len > 2 && s[0] == '-' && s[1] == ' ')
        base = 2;
    size_t count = 0, value_start, start;
    enum field cur;
    size_t code_label = code_label_len(s + base, len - base);
    if (code_label) {
        /* "Class No. 7120" without a colon. */
        cur = F_CODE;
        value_start = base + code_label;
    } else {
        const char *colon = memchr(s + base, ':', len - base);
        if (!colon)
            return 0;
        enum field f = label_before(s, (size_t)(colon - s), &start);
        if (f == F_NONE || start != base)
            return 0;
        value_start = (size_t)(colon - s) + 1;
        cur = f;
    }
    for (size_t i = value_start; i <= len; i++) {
        size_t next_start = len;
        enum field nf = F_NONE;
        if (i < len) {
            if (s[i] != ':')
                continue;
            /* "10:30", "http://": not a label. */
            if (i > 0 && !isalpha((unsigned char)s[i - 1]))
                continue;
            if (i + 1 < len && s[i + 1] == '/')
                continue;
            nf = label_before(s, i, &next_start);
            if (nf == F_NONE || next_start <= value_start)
                continue;
        }
        struct slice v = {s + value_start, next_start - value_start};
        text_trim(&v.s, &v.len);
        if (count < max)
            out[count++] = (struct field_hit){cur, v};
        if (i == len)
            break;
        cur = nf;
        value_start = i + 1;
    }
    return count;
}

/* ------------------------------------------------------------------ */
/* Title case                                                          */
/* ------------------------------------------------------------------ */

static bool
is_upper_word(const char *w, size_t n)
{
    size_t letters = 0;
    for (size_t i = 0; i < n; i++) {
        if (islower((unsigned char)w[i]))
            return false;
        if (isupper((unsigned char)w[i]))
            letters++;
    }
    return letters >= 2;
}

void
acronyms_collect(struct acronyms *a, const struct sline *lines, size_t n)
{
    a->n = 0;
    for (size_t i = 0; i < n && a->n < 256; i++) {
        const struct sline *l = &lines[i];
        size_t lower = 0, upper = 0;
        for (size_t k = 0; k < l->len; k++) {
            lower += islower((unsigned char)l->s[k]) != 0;
            upper += isupper((unsigned char)l->s[k]) != 0;
        }
        if (lower < upper * 2 || lower < 8)
            continue; /* not running text */
        size_t k = 0;
        while (k < l->len && a->n < 256) {
            while (k < l->len && !isalnum((unsigned char)l->s[k]))
                k++;
            size_t w = k;
            while (k < l->len && isalnum((unsigned char)l->s[k]))
                k++;
            if (k - w >= 2 && k - w <= 8 && is_upper_word(l->s + w, k - w)) {
                bool dup = false;
                for (size_t j = 0; j < a->n && !dup; j++)
                    dup = a->v[j].len == k - w &&
                          memcmp(a->v[j].s, l->s + w, k - w) == 0;
                if (!dup)
                    a->v[a->n++] = (struct slice){l->s + w, k - w};
            }
        }
    }
}

static bool
is_acronym(const struct acronyms *a, const char *w, size_t n)
{
    for (size_t j = 0; a && j < a->n; j++)
        if (a->v[j].len == n && memcmp(a->v[j].s, w, n) == 0)
            return true;
    return false;
}

static bool
is_roman(const char *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strchr("IVXL", w[i]))
            return false;
    return n > 0 && n <= 4;
}

static bool
is_small_word(const char *w, size_t n)
{
    static const char *const small[] = {"a",  "an",  "and", "as",   "at",
                                        "by", "for", "in",  "of",   "on",
                                        "or", "the", "to",  "with", "from"};
    for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++)
        if (strlen(small[i]) == n && strncasecmp(w, small[i], n) == 0)
            return true;
    return false;
}

void
header_title_case(const char *s, size_t len, const struct acronyms *a,
                  char *out, size_t size)
{
    if (size == 0)
        return;
    size_t o = 0;
    if (!text_is_caps(s, len)) {
        o = len < size - 1 ? len : size - 1;
        memcpy(out, s, o);
        out[o] = '\0';
        return;
    }
    size_t i = 0;
    bool first = true;
    int paren = 0;
    while (i < len && o + 1 < size) {
        if (!isalnum((unsigned char)s[i])) {
            if (s[i] == '(')
                paren++;
            else if (s[i] == ')' && paren > 0)
                paren--;
            out[o++] = s[i++];
            continue;
        }
        size_t w = i;
        while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '\''))
            i++;
        size_t n = i - w;
        bool keep =
            is_acronym(a, s + w, n) || is_roman(s + w, n) || (paren && n <= 5);
        for (size_t k = 0; k < n && o + 1 < size; k++) {
            unsigned char c = (unsigned char)s[w + k];
            if (keep)
                out[o++] = (char)c;
            else if (k == 0 && !(is_small_word(s + w, n) && !first))
                out[o++] = (char)toupper(c);
            else
                out[o++] = (char)tolower(c);
        }
        first = false;
    }
    out[o] = '\0';
}

/* ------------------------------------------------------------------ */
/* Class tables                                                        */
/* ------------------------------------------------------------------ */

void
header_title_key(const char *s, size_t len, char *out, size_t size)
{
    /* Words only, parenthesised ones included ("Veterinarian (General)"
     * and "Veterinarian (Meat Inspection)" are different classes), but
     * remarks such as "(Abolished 4/11/06)" dropped. */
    size_t o = 0;
    bool space = false;
    if (size == 0)
        return;
    while (len > 0 && (*s == '#' || *s == ' ')) {
        s++;
        len--;
    }
    for (size_t i = 0; i < len && o + 2 < size;) {
        if (s[i] == '(' &&
            (text_find_ci(s + i, len - i, "(abolished") == s + i ||
             text_find_ci(s + i, len - i, "(established") == s + i)) {
            while (i < len && s[i] != ')')
                i++;
            i++;
            continue;
        }
        unsigned char c = (unsigned char)s[i++];
        if (c == '\'')
            continue;
        if (isalnum(c)) {
            out[o++] = (char)tolower(c);
            space = false;
        } else if (c == '&') {
            if (o > 0 && !space)
                out[o++] = ' ';
            if (o + 5 < size) {
                memcpy(out + o, "and ", 4);
                o += 4;
            }
            space = true;
        } else if (!space && o > 0) {
            out[o++] = ' ';
            space = true;
        }
    }
    while (o > 0 && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
}

static bool
is_code_cell(const char *s, size_t len)
{
    if (len < 3 || len > 8)
        return false;
    size_t digits = 0;
    for (size_t i = 0; i < len; i++) {
        if (!isalnum((unsigned char)s[i]))
            return false;
        digits += isdigit((unsigned char)s[i]) != 0;
    }
    return digits >= 3;
}

/* Split a "| a | b | c |" row into trimmed cells. */
static size_t
table_cells(const struct sline *l, struct slice *cells, size_t max)
{
    if (l->len < 2 || l->s[0] != '|')
        return 0;
    size_t n = 0, i = 1;
    while (i < l->len && n < max) {
        size_t start = i;
        while (i < l->len && l->s[i] != '|')
            i++;
        if (i >= l->len)
            break;
        struct slice c = {l->s + start, i - start};
        text_trim(&c.s, &c.len);
        cells[n++] = c;
        i++;
    }
    return n;
}

static void
set_title(struct klass *k, struct slice title)
{
    /* The remark stays out of the title: "Electrician Apprentice
     * (Abolished 01/07/2016 per Pay Letter 16-05)". */
    const char *ab = text_find_ci(title.s, title.len, "(abolished");
    if (ab) {
        title.len = (size_t)(ab - title.s);
        text_trim(&title.s, &title.len);
    }
    k->title = title;
    header_title_key(title.s, title.len, k->key, sizeof(k->key));
}

/* "... Series Specification - Class Titles and Codes" above a table. */
static void
mark_caption(struct sline *lines, size_t table)
{
    size_t k = table;
    while (k > 0 && lines[k - 1].blank)
        k--;
    if (k == 0)
        return;
    struct sline *c = &lines[k - 1];
    if (!c->md && text_find_ci(c->s, c->len, "codes") &&
        text_find_ci(c->s, c->len, "title"))
        c->furniture = true;
}

static size_t
piped_classes(struct sline *lines, size_t n, size_t i, struct klass *out,
              size_t count, size_t max)
{
    struct slice cells[8];
    size_t nc = table_cells(&lines[i], cells, 8);
    int code_col = -1, title_col = -1;
    for (size_t c = 0; c < nc; c++) {
        char key[32];
        vocab_normalize(cells[c].s, cells[c].len, key, sizeof(key));
        if (strcmp(key, "class code") == 0)
            code_col = (int)c;
        else if (strcmp(key, "class") == 0 || strcmp(key, "class title") == 0)
            title_col = (int)c;
    }
    if (code_col < 0 || title_col < 0)
        return count;
    lines[i].furniture = true;
    mark_caption(lines, i);
    for (size_t j = i + 1; j < n && count < max; j++) {
        size_t k = table_cells(&lines[j], cells, 8);
        if (k == 0)
            break;
        lines[j].furniture = true;
        if ((size_t)code_col >= k || (size_t)title_col >= k ||
            !is_code_cell(cells[code_col].s, cells[code_col].len))
            continue;
        struct klass *kl = &out[count++];
        memset(kl, 0, sizeof(*kl));
        kl->code = cells[code_col];
        kl->line = lines[j].no;
        set_title(kl, cells[title_col]);
    }
    return count;
}

/* "Schem Code" / "Class Code" / "Class" on lines of their own, then
 * schematic code, class code and title, one per line. */
static size_t
stacked_classes(struct sline *lines, size_t n, size_t i, struct klass *out,
                size_t count, size_t max)
{
    if (i + 2 >= n ||
        !text_eq_loose(lines[i].s, lines[i].len, "Schem Code", 10) ||
        !text_eq_loose(lines[i + 1].s, lines[i + 1].len, "Class Code", 10) ||
        !text_eq_loose(lines[i + 2].s, lines[i + 2].len, "Class", 5))
        return count;
    for (size_t k = i; k < i + 3; k++)
        lines[k].furniture = true;
    mark_caption(lines, i);
    size_t j = i + 3;
    while (j + 2 < n && count < max) {
        const struct sline *code = &lines[j + 1], *title = &lines[j + 2];
        if (lines[j].md || lines[j].blank || lines[j].len > 6 ||
            !is_code_cell(code->s, code->len) || title->blank || title->md)
            break;
        struct klass *kl = &out[count++];
        memset(kl, 0, sizeof(*kl));
        kl->code = (struct slice){code->s, code->len};
        kl->line = code->no;
        set_title(kl, (struct slice){title->s, title->len});
        for (size_t k = j; k < j + 3; k++)
            lines[k].furniture = true;
        j += 3;
    }
    return count;
}

/* "| Class | Date Established | Date Revised | Title Changed |" */
static void
history_table(struct sline *lines, size_t n, size_t i, struct klass *cls,
              size_t ncls)
{
    struct slice cells[8];
    size_t nc = table_cells(&lines[i], cells, 8);
    int title_col = -1, est_col = -1, rev_col = -1;
    for (size_t c = 0; c < nc; c++) {
        char key[48];
        vocab_normalize(cells[c].s, cells[c].len, key, sizeof(key));
        if (strcmp(key, "class") == 0)
            title_col = (int)c;
        else if (strcmp(key, "date established") == 0)
            est_col = (int)c;
        else if (strcmp(key, "date revised") == 0)
            rev_col = (int)c;
    }
    if (title_col < 0 || (est_col < 0 && rev_col < 0))
        return;
    lines[i].furniture = true;
    for (size_t j = i + 1; j < n; j++) {
        size_t k = table_cells(&lines[j], cells, 8);
        if (k == 0)
            break;
        lines[j].furniture = true;
        if ((size_t)title_col >= k)
            continue;
        char key[192];
        header_title_key(cells[title_col].s, cells[title_col].len, key,
                         sizeof(key));
        for (size_t c = 0; c < ncls; c++) {
            if (strcmp(cls[c].key, key) != 0)
                continue;
            if (est_col >= 0 && (size_t)est_col < k)
                cls[c].adopted = cells[est_col];
            if (rev_col >= 0 && (size_t)rev_col < k)
                cls[c].revised = cells[rev_col];
        }
    }
}

size_t
header_class_tables(struct sline *lines, size_t n, struct klass *out,
                    size_t max)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        if (lines[i].furniture)
            continue;
        if (lines[i].len > 0 && lines[i].s[0] == '|')
            count = piped_classes(lines, n, i, out, count, max);
        else if (count == 0)
            count = stacked_classes(lines, n, i, out, count, max);
    }
    for (size_t i = 0; i < n && count > 0; i++)
        if (!lines[i].furniture && lines[i].len > 0 && lines[i].s[0] == '|')
            history_table(lines, n, i, out, count);
    return count;
}

bool
header_url_code(const char *s, size_t len, struct slice *code)
{
    const char *aspx = text_find_ci(s, len, ".aspx");
    if (!aspx)
        return false;
    const char *p = aspx;
    while (p > s && p[-1] != '/')
        p--;
    if (!is_code_cell(p, (size_t)(aspx - p)))
        return false;
    code->s = p;
    code->len = (size_t)(aspx - p);
    return true;
}
