/*
 * spec_lines.c: splitting into lines and the small tests on text that
 * the spec parser is built from. Text here is NFKC with ASCII punctuation
 * (analyze_normalize), so only a few non-ASCII bullets remain to know.
 */
#include "indexer/spec/lines.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

jd_status
lines_split(char *text, size_t len, struct sline **out, size_t *n)
{
    size_t cap = 64, count = 0;
    struct sline *v = malloc(cap * sizeof(*v));
    if (!v)
        return JD_ERR_NOMEM;
    unsigned no = 1;
    size_t i = 0;
    while (i <= len) {
        size_t start = i;
        while (i < len && text[i] != '\n' && text[i] != '\f')
            i++;
        size_t end = i;
        bool newline = i < len && text[i] == '\n';
        /* Blank out control characters; tabs and CR count as blanks. */
        for (size_t k = start; k < end; k++) {
            unsigned char c = (unsigned char)text[k];
            if (c < 0x20 || c == 0x7f)
                text[k] = c == '\t' ? '\t' : ' ';
        }
        unsigned indent = 0;
        size_t s = start;
        while (s < end && (text[s] == ' ' || text[s] == '\t')) {
            indent += text[s] == '\t' ? 4 : 1;
            s++;
        }
        while (end > s && (text[end - 1] == ' ' || text[end - 1] == '\t'))
            end--;
        if (count == cap) {
            cap *= 2;
            struct sline *nv = realloc(v, cap * sizeof(*v));
            if (!nv) {
                free(v);
                return JD_ERR_NOMEM;
            }
            v = nv;
        }
        struct sline *l = &v[count++];
        memset(l, 0, sizeof(*l));
        l->s = text + s;
        l->len = end - s;
        l->no = no;
        l->indent = indent;
        l->blank = l->len == 0;
        unsigned hashes = 0;
        while (hashes < l->len && l->s[hashes] == '#')
            hashes++;
        if (hashes > 0 && hashes <= 6 && hashes < l->len && l->s[hashes] == ' ')
            l->md = hashes;
        if (newline)
            no++;
        i++; /* past the '\n' or '\f', or past the end */
    }
    /* The text's final newline does not start a line of its own. */
    while (count > 0 && v[count - 1].blank)
        count--;
    *out = v;
    *n = count;
    return JD_OK;
}

/* A bullet at S: its byte length, or 0. */
static size_t
bullet_len(const char *s, size_t len)
{
    static const char *const bullets[] = {
        "\xe2\x80\xa2", /* • */
        "\xe2\x80\xa3", /* ‣ */
        "\xc2\xb7",     /* · */
        "\xe2\x96\xaa", /* ▪ */
        "\xe2\x96\xa0", /* ■ */
        "\xe2\x96\xba", /* ► */
        "\xe2\x97\xa6", /* ◦ */
        "\xe2\x97\x8f", /* ● */
        "\xe2\x9c\x93", /* ✓ */
        "\xef\x82\xb7", /* Symbol-font bullet from Word PDFs */
        "\xef\x82\xa7", "\xef\x83\x98", "\xef\x82\xa8",
    };
    if (len == 0)
        return 0;
    if (s[0] == '-' || s[0] == '*' || s[0] == '+')
        return 1;
    for (size_t i = 0; i < sizeof(bullets) / sizeof(bullets[0]); i++) {
        size_t n = strlen(bullets[i]);
        if (len >= n && memcmp(s, bullets[i], n) == 0)
            return n;
    }
    /* "o" used as a bullet by PDF converters, always with a wide gap. */
    if (s[0] == 'o' && len > 3 &&
        (s[1] == '\t' || (s[1] == ' ' && s[2] == ' ')))
        return 1;
    return 0;
}

static unsigned
roman_value(const char *s, size_t n)
{
    unsigned total = 0, prev = 0;
    for (size_t i = n; i-- > 0;) {
        unsigned v;
        switch (tolower((unsigned char)s[i])) {
        case 'i':
            v = 1;
            break;
        case 'v':
            v = 5;
            break;
        case 'x':
            v = 10;
            break;
        case 'l':
            v = 50;
            break;
        case 'c':
            v = 100;
            break;
        default:
            return 0;
        }
        if (v < prev)
            total -= v;
        else
            total += v;
        prev = v;
    }
    return total;
}

static bool
is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* A numbered or lettered marker at S: "1.", "1)", "(1)", "a)", "iv.". */
static bool
enumerator(const char *s, size_t len, struct marker *m)
{
    size_t i = 0;
    bool open = false;
    if (i < len && s[i] == '(') {
        open = true;
        i++;
    }
    size_t start = i;
    while (i < len && i - start < 6 && isalnum((unsigned char)s[i]))
        i++;
    size_t n = i - start;
    if (n == 0 || i >= len)
        return false;
    char close = s[i];
    if (open ? close != ')' : (close != '.' && close != ')'))
        return false;
    i++;
    /* A blank must follow, and then some text. */
    if (i >= len || !is_blank(s[i]))
        return false;
    while (i < len && is_blank(s[i]))
        i++;
    if (i >= len)
        return false;

    const char *w = s + start;
    bool digits = true, roman = true;
    for (size_t k = 0; k < n; k++) {
        if (!isdigit((unsigned char)w[k]))
            digits = false;
        if (!strchr("ivxlcIVXLC", w[k]))
            roman = false;
    }
    memset(m, 0, sizeof(*m));
    if (digits) {
        if (n > 3)
            return false; /* a year or an amount, not a list number */
        m->type = MK_NUMBER;
        /* W[N] is the '.' or ')' after the digits, so strtoul stops. */
        m->number = (unsigned)strtoul(w, NULL, 10);
        if (m->number == 0)
            return false;
    } else if (roman && roman_value(w, n) > 0 &&
               (n > 1 || tolower((unsigned char)w[0]) == 'i')) {
        /* Roman letters must be all one case. */
        bool lower = islower((unsigned char)w[0]);
        for (size_t k = 1; k < n; k++)
            if ((bool)islower((unsigned char)w[k]) != lower)
                return false;
        m->type = MK_ROMAN;
        m->number = roman_value(w, n);
        m->maybe_alpha = n == 1;
    } else if (n == 1 && isalpha((unsigned char)w[0])) {
        m->type = MK_ALPHA;
        m->number = (unsigned)(tolower((unsigned char)w[0]) - 'a' + 1);
        m->maybe_roman = strchr("ivxlc", tolower((unsigned char)w[0])) != NULL;
        if (m->maybe_roman)
            m->roman = roman_value(w, 1);
    } else {
        return false;
    }
    m->len = i;
    return true;
}

bool
line_marker(const char *s, size_t len, struct marker *m)
{
    memset(m, 0, sizeof(*m));
    if (enumerator(s, len, m))
        return true;
    size_t b = bullet_len(s, len);
    if (b == 0 || b >= len || !is_blank(s[b]))
        return false;
    size_t i = b;
    while (i < len && is_blank(s[i]))
        i++;
    if (i >= len)
        return false;
    struct marker inner;
    if (enumerator(s + i, len - i, &inner)) {
        *m = inner;
        m->bullet = true;
        m->len += i;
        return true;
    }
    m->type = MK_BULLET;
    m->bullet = true;
    m->len = i;
    return true;
}

bool
text_is_caps(const char *s, size_t len)
{
    size_t upper = 0;
    int paren = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '(')
            paren++;
        else if (c == ')' && paren > 0)
            paren--;
        else if (paren == 0 && islower(c))
            return false;
        else if (paren == 0 && isupper(c))
            upper++;
    }
    return upper >= 2;
}

size_t
text_words(const char *s, size_t len)
{
    size_t n = 0;
    bool in = false;
    for (size_t i = 0; i < len; i++) {
        bool sp = s[i] == ' ' || s[i] == '\t';
        if (!sp && !in)
            n++;
        in = !sp;
    }
    return n;
}

bool
text_ends_sentence(const char *s, size_t len)
{
    while (len > 0 && (s[len - 1] == ')' || s[len - 1] == '"' ||
                       s[len - 1] == '\'' || s[len - 1] == ' '))
        len--;
    return len > 0 && strchr(".!?", s[len - 1]) != NULL;
}

bool
text_starts_lower(const char *s, size_t len)
{
    while (len > 0 && (*s == '(' || *s == '"' || *s == '\'')) {
        s++;
        len--;
    }
    return len > 0 && islower((unsigned char)*s);
}

bool
text_starts_upper(const char *s, size_t len)
{
    while (len > 0 && (*s == '(' || *s == '"' || *s == '\'')) {
        s++;
        len--;
    }
    return len > 0 &&
           (isupper((unsigned char)*s) || isdigit((unsigned char)*s));
}

bool
text_ends_open(const char *s, size_t len)
{
    static const char *const open_words[] = {
        "a",         "an",    "and",  "or",     "the",  "of",    "to",
        "for",       "with",  "in",   "on",     "by",   "as",    "at",
        "from",      "into",  "its",  "their",  "that", "which", "such",
        "including", "nor",   "is",   "are",    "be",   "both",  "either",
        "this",      "these", "than", "city's",
    };
    while (len > 0 && s[len - 1] == ' ')
        len--;
    if (len == 0)
        return false;
    if (strchr(",-/&(:+", s[len - 1]))
        return true;
    size_t w = len;
    while (w > 0 && s[w - 1] != ' ')
        w--;
    size_t wl = len - w;
    for (size_t i = 0; i < sizeof(open_words) / sizeof(open_words[0]); i++)
        if (strlen(open_words[i]) == wl &&
            strncasecmp(s + w, open_words[i], wl) == 0)
            return true;
    return false;
}

/* A running footer such as "Riverton - Accountant II    Page 1 of 2":
 * ending with "Page N of M" (a long class title and department may come
 * first, so up to FOOTER_MAX_WORDS words), or short and starting with it
 * (then FOOTER_LEAD_MAX_WORDS, since text may follow). */
#define FOOTER_MAX_WORDS      40
#define FOOTER_LEAD_MAX_WORDS 14
static bool
has_page_of(const char *s, size_t len)
{
    size_t words = text_words(s, len);
    if (words > FOOTER_MAX_WORDS)
        return false;
    for (const char *p = s;
         (p = text_find_ci(p, len - (size_t)(p - s), "page ")) != NULL; p++) {
        if (p > s && p[-1] != ' ')
            continue;
        const char *q = p + 5;
        const char *end = s + len;
        if (q >= end || !isdigit((unsigned char)*q))
            continue;
        while (q < end && isdigit((unsigned char)*q))
            q++;
        if (q + 4 > end || strncasecmp(q, " of ", 4) != 0)
            continue;
        q += 4;
        if (q >= end || !isdigit((unsigned char)*q))
            continue;
        while (q < end && isdigit((unsigned char)*q))
            q++;
        while (q < end && *q == ' ')
            q++;
        if (q == end || (p == s && words <= FOOTER_LEAD_MAX_WORDS))
            return true;
    }
    return false;
}

bool
text_is_page_number(const char *s, size_t len)
{
    if (has_page_of(s, len))
        return true;
    /* Zeroed only for the analyzer, which cannot see that a strncmp
     * match below leaves P inside the string. */
    char low[64] = {0};
    size_t n = 0;
    for (size_t i = 0; i < len && n + 1 < sizeof(low); i++)
        if (s[i] != ' ')
            low[n++] = (char)tolower((unsigned char)s[i]);
    low[n] = '\0';
    if (n == 0 || len >= sizeof(low))
        return false;
    const char *p = low;
    if (strncmp(p, "page", 4) == 0)
        p += 4;
    while (*p == '-')
        p++;
    if (!isdigit((unsigned char)*p))
        return false;
    while (isdigit((unsigned char)*p))
        p++;
    if (strncmp(p, "of", 2) == 0 || *p == '/') {
        p += *p == '/' ? 1 : 2;
        if (!isdigit((unsigned char)*p))
            return false;
        while (isdigit((unsigned char)*p))
            p++;
    }
    while (*p == '-')
        p++;
    /* A bare number is a page number only when short ("12", not "2019"). */
    if (*p == '\0' && p == low + strspn(low, "0123456789"))
        return n <= 3;
    return *p == '\0';
}

bool
text_eq_loose(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t i = 0, j = 0;
    for (;;) {
        while (i < alen && !isalnum((unsigned char)a[i]))
            i++;
        while (j < blen && !isalnum((unsigned char)b[j]))
            j++;
        if (i == alen || j == blen)
            return i == alen && j == blen;
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[j]))
            return false;
        i++;
        j++;
    }
}

const char *
text_find_ci(const char *s, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0 || n > len)
        return NULL;
    for (size_t i = 0; i + n <= len; i++)
        if (strncasecmp(s + i, needle, n) == 0)
            return s + i;
    return NULL;
}

void
text_trim(const char **s, size_t *len)
{
    while (*len > 0 && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
        (*len)--;
}
