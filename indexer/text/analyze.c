/*
 * analyze.c: the analyzer. Word cutting mirrors Xapian 1.4's QueryParser
 * (parse_term in queryparser.lemony): word characters are Unicode letters,
 * marks, numbers and connector punctuation; a single ' & · between word
 * characters joins them (Fred's, AT&T); , . ; between digits join them
 * (1,000.50); zero-width characters inside a word are skipped; initials
 * such as U.S.A. make one word; up to three trailing + or # stay on a word
 * (C++, C#). Folding is utf8proc's NFKC case fold; stemming is Snowball
 * English through libstemmer, with a word->stem cache because the same
 * few thousand words make up most of any corpus.
 */
#include "indexer/text/analyze.h"

#include "indexer/util/buf.h"

#include <libstemmer.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* ------------------------------------------------------------------ */
/* Stop words                                                          */
/* ------------------------------------------------------------------ */

/* Sorted for bsearch. */
static const char *const stopwords[] = {
#include "indexer/text/stopwords.inc"
};

struct word_key {
    const char *s;
    size_t len;
};

static int
cmp_stopword(const void *key, const void *elem)
{
    const struct word_key *k = key;
    const char *w = *(const char *const *)elem;
    size_t wl = strlen(w);
    size_t n = k->len < wl ? k->len : wl;
    int c = memcmp(k->s, w, n);
    if (c)
        return c;
    return (k->len > wl) - (k->len < wl);
}

bool
analyze_is_stopword(const char *word, size_t len)
{
    if (len == 0 || len > 10)
        return false;
    struct word_key k = {word, len};
    return bsearch(&k, stopwords, sizeof(stopwords) / sizeof(stopwords[0]),
                   sizeof(stopwords[0]), cmp_stopword) != NULL;
}

/* ------------------------------------------------------------------ */
/* The word -> stem cache                                              */
/* ------------------------------------------------------------------ */

enum {
    CACHE_SLOTS = 1 << 16,       /* power of two */
    CACHE_MAX = CACHE_SLOTS / 2, /* entries before the cache is reset */
    CACHE_POOL = 4 << 20,        /* bytes of words and stems */
};

struct cache_slot {
    uint32_t hash;
    uint32_t off; /* into pool: word, NUL, stem, NUL; 0 = empty */
    uint8_t wlen, slen;
};

struct analyzer {
    struct sb_stemmer *stemmer;
    struct cache_slot *slots;
    size_t n_entries;
    char *pool;
    size_t pool_used;
    jd_buf word;   /* the word being cut, as QueryParser would build it */
    jd_buf folded; /* its case-folded form */
    char stem[TERM_MAX + 8];
};

jd_status
analyzer_new(struct analyzer **out)
{
    *out = NULL;
    struct analyzer *a = calloc(1, sizeof(*a));
    if (!a)
        return JD_ERR_NOMEM;
    a->stemmer = sb_stemmer_new("english", "UTF_8");
    a->slots = calloc(CACHE_SLOTS, sizeof(a->slots[0]));
    a->pool = malloc(CACHE_POOL);
    if (!a->stemmer || !a->slots || !a->pool) {
        analyzer_free(a);
        return JD_ERR_NOMEM;
    }
    a->pool_used = 1; /* offset 0 means "empty slot" */
    *out = a;
    return JD_OK;
}

void
analyzer_free(struct analyzer *a)
{
    if (!a)
        return;
    sb_stemmer_delete(a->stemmer);
    free(a->slots);
    free(a->pool);
    jd_buf_free(&a->word);
    jd_buf_free(&a->folded);
    free(a);
}

static uint32_t
hash_bytes(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

static void
cache_reset(struct analyzer *a)
{
    memset(a->slots, 0, CACHE_SLOTS * sizeof(a->slots[0]));
    a->n_entries = 0;
    a->pool_used = 1;
}

/* Stem WORD (folded, at most TERM_MAX bytes) through the cache. */
static jd_status
stem_cached(struct analyzer *a, const char *word, size_t len, const char **term,
            size_t *term_len)
{
    uint32_t h = hash_bytes(word, len);
    size_t i = h & (CACHE_SLOTS - 1);
    for (;;) {
        struct cache_slot *s = &a->slots[i];
        if (s->off == 0)
            break;
        if (s->hash == h && s->wlen == len &&
            memcmp(a->pool + s->off, word, len) == 0) {
            *term = a->pool + s->off + len + 1;
            *term_len = s->slen;
            return JD_OK;
        }
        i = (i + 1) & (CACHE_SLOTS - 1);
    }

    const sb_symbol *st =
        sb_stemmer_stem(a->stemmer, (const sb_symbol *)word, (int)len);
    if (!st)
        return JD_ERR_NOMEM;
    size_t sl = (size_t)sb_stemmer_length(a->stemmer);
    if (sl > TERM_MAX)
        sl = TERM_MAX; /* stems never grow; this is only a guard */
    memcpy(a->stem, st, sl);
    a->stem[sl] = '\0';
    *term = a->stem;
    *term_len = sl;

    if (a->n_entries >= CACHE_MAX || a->pool_used + len + sl + 2 > CACHE_POOL) {
        cache_reset(a);
        i = h & (CACHE_SLOTS - 1);
        while (a->slots[i].off)
            i = (i + 1) & (CACHE_SLOTS - 1);
    }
    struct cache_slot *s = &a->slots[i];
    s->hash = h;
    s->off = (uint32_t)a->pool_used;
    s->wlen = (uint8_t)len;
    s->slen = (uint8_t)sl;
    memcpy(a->pool + a->pool_used, word, len);
    a->pool[a->pool_used + len] = '\0';
    memcpy(a->pool + a->pool_used + len + 1, a->stem, sl + 1);
    a->pool_used += len + sl + 2;
    a->n_entries++;
    return JD_OK;
}

/* ------------------------------------------------------------------ */
/* Folding                                                             */
/* ------------------------------------------------------------------ */

static bool
is_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return false;
    return true;
}

/* Length of the longest prefix of S (N bytes) that is at most MAX bytes
 * and ends on a character boundary. */
static size_t
utf8_clip(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

/* Fold WORD into a->folded: NFKC case fold, clipped to TERM_MAX. */
static jd_status
fold_word(struct analyzer *a, const char *word, size_t len)
{
    buf_clear(&a->folded);
    if (is_ascii(word, len)) {
        size_t n = len < TERM_MAX ? len : TERM_MAX;
        jd_status st = buf_reserve(&a->folded, n);
        if (st != JD_OK)
            return st;
        /* cppcheck-suppress knownConditionTrueFalse ; n is not 0 when len is
         * not */
        for (size_t i = 0; i < n; i++) {
            char c = word[i];
            if (c >= 'A' && c <= 'Z')
                c = (char)(c - 'A' + 'a');
            a->folded.data[i] = c;
        }
        a->folded.len = n;
        a->folded.data[n] = '\0';
        return JD_OK;
    }
    utf8proc_uint8_t *out = NULL;
    utf8proc_ssize_t n = utf8proc_map(
        (const utf8proc_uint8_t *)word, (utf8proc_ssize_t)len, &out,
        UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT |
            UTF8PROC_CASEFOLD | UTF8PROC_IGNORE);
    if (n == UTF8PROC_ERROR_NOMEM)
        return JD_ERR_NOMEM;
    if (n < 0) {
        /* Not valid UTF-8: keep the bytes; they still make a stable term. */
        return buf_append(&a->folded, word, utf8_clip(word, len, TERM_MAX));
    }
    jd_status st =
        buf_append(&a->folded, (const char *)out,
                   utf8_clip((const char *)out, (size_t)n, TERM_MAX));
    free(out);
    return st;
}

jd_status
analyze_word(struct analyzer *a, const char *word, size_t len,
             const char **term, size_t *term_len)
{
    *term = NULL;
    *term_len = 0;
    jd_status st = fold_word(a, word, len);
    if (st != JD_OK)
        return st;
    if (a->folded.len == 0 ||
        analyze_is_stopword(a->folded.data, a->folded.len))
        return JD_OK;
    return stem_cached(a, a->folded.data, a->folded.len, term, term_len);
}

/* ------------------------------------------------------------------ */
/* Cutting words                                                       */
/* ------------------------------------------------------------------ */

#define NOT_A_CHAR ((int32_t)-1)

static bool
is_wordchar(int32_t c)
{
    if (c < 0x80) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               (c >= '0' && c <= '9') || c == '_';
    }
    switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
    case UTF8PROC_CATEGORY_PC:
        return true;
    default:
        return false;
    }
}

static bool
is_digit(int32_t c)
{
    if (c < 0x80)
        return c >= '0' && c <= '9';
    return utf8proc_category(c) == UTF8PROC_CATEGORY_ND;
}

static bool
is_ascii_upper(int32_t c)
{
    return c >= 'A' && c <= 'Z';
}

static bool
is_suffix(int32_t c)
{
    return c == '+' || c == '#';
}

enum { INFIX_NONE = 0, INFIX_IGNORE = -2 };

static bool
is_zero_width(int32_t c)
{
    return (c >= 0x200b && c <= 0x200d) || c == 0x2060 || c == 0xfeff;
}

/* A non-word character between two word characters that joins them. */
static int32_t
check_infix(int32_t c)
{
    if (c == '\'' || c == '&' || c == 0xb7 || c == 0x5f4 || c == 0x2027)
        return c;
    if (c == 0x2019 || c == 0x201b)
        return '\'';
    if (is_zero_width(c))
        return INFIX_IGNORE;
    return INFIX_NONE;
}

/* A non-word character between two digits that joins them. */
static int32_t
check_infix_digit(int32_t c)
{
    switch (c) {
    case ',':
    case '.':
    case ';':
    case 0x037e:
    case 0x0589:
    case 0x060d:
    case 0x07f8:
    case 0x2044:
    case 0xfe10:
    case 0xfe13:
    case 0xfe14:
        return c;
    default:
        break;
    }
    if (is_zero_width(c))
        return INFIX_IGNORE;
    return INFIX_NONE;
}

/* Decoding cursor over the text; invalid bytes read as U+FFFD, one byte
 * at a time, so cutting never stops on bad input. */
struct cursor {
    const unsigned char *s;
    size_t len;
};

static int32_t
char_at(const struct cursor *c, size_t i, size_t *next)
{
    if (i >= c->len) {
        *next = c->len;
        return NOT_A_CHAR;
    }
    if (c->s[i] < 0x80) {
        *next = i + 1;
        return c->s[i];
    }
    utf8proc_int32_t cp;
    utf8proc_ssize_t n =
        utf8proc_iterate(c->s + i, (utf8proc_ssize_t)(c->len - i), &cp);
    if (n <= 0) {
        *next = i + 1;
        return 0xfffd;
    }
    *next = i + (size_t)n;
    return cp;
}

static jd_status
append_char(jd_buf *b, int32_t c)
{
    utf8proc_uint8_t tmp[4];
    utf8proc_ssize_t n = utf8proc_encode_char(c, tmp);
    return buf_append(b, (const char *)tmp, (size_t)n);
}

/*
 * Cut the word starting at byte *I into a->word (the characters
 * QueryParser would build, before lower-casing). Leaves *I after it.
 */
static jd_status
cut_word(struct analyzer *a, const struct cursor *cur, size_t *i)
{
    jd_status st;
    size_t next;
    int32_t c = char_at(cur, *i, &next);
    buf_clear(&a->word);

    /* Initials such as P.T.O. make one word (two letters at least, and
     * no letter or digit right after). */
    if (is_ascii_upper(c)) {
        size_t p = *i;
        size_t np;
        int32_t pc = char_at(cur, p, &np);
        for (;;) {
            if ((st = buf_putc(&a->word, (char)pc)) != JD_OK)
                return st;
            p = np;
            if (p >= cur->len || cur->s[p] != '.')
                break;
            p++;
            if (p >= cur->len)
                break;
            pc = char_at(cur, p, &np);
            if (!is_ascii_upper(pc))
                break;
        }
        if (a->word.len > 1) {
            size_t after;
            if (p >= cur->len || !is_wordchar(char_at(cur, p, &after))) {
                *i = p;
                return JD_OK;
            }
        }
        buf_clear(&a->word);
    }

    int32_t prev = c;
    if ((st = append_char(&a->word, c)) != JD_OK)
        return st;
    size_t it = next;
    while (it < cur->len) {
        size_t nx;
        int32_t ch = char_at(cur, it, &nx);
        if (!is_wordchar(ch)) {
            size_t after;
            int32_t nextch = char_at(cur, nx, &after);
            if (nextch == NOT_A_CHAR || !is_wordchar(nextch))
                break;
            ch = (is_digit(prev) && is_digit(nextch)) ? check_infix_digit(ch)
                                                      : check_infix(ch);
            if (ch == INFIX_NONE)
                break;
            if (ch == INFIX_IGNORE) {
                it = nx;
                continue;
            }
        }
        if ((st = append_char(&a->word, ch)) != JD_OK)
            return st;
        prev = ch;
        it = nx;
    }

    /* Keep a trailing + or # (C++, C#), three at most, when no word
     * character follows. */
    if (it < cur->len && is_suffix(cur->s[it])) {
        size_t p = it;
        size_t k = 0;
        while (p < cur->len && is_suffix(cur->s[p]) && k <= 3) {
            p++;
            k++;
        }
        size_t after;
        if (k <= 3 &&
            (p >= cur->len || !is_wordchar(char_at(cur, p, &after)))) {
            if ((st = buf_append(&a->word, (const char *)cur->s + it, k)) !=
                JD_OK)
                return st;
            it = p;
        }
    }
    *i = it;
    return JD_OK;
}

jd_status
analyze_text(struct analyzer *a, const char *text, size_t len, size_t *pos,
             analyze_emit_fn emit, void *ctx)
{
    struct cursor cur = {(const unsigned char *)text, len};
    size_t i = 0;
    jd_status st;
    while (i < len) {
        size_t next;
        int32_t c = char_at(&cur, i, &next);
        if (!is_wordchar(c)) {
            i = next;
            continue;
        }
        size_t start = i;
        if ((st = cut_word(a, &cur, &i)) != JD_OK)
            return st;
        const char *term;
        size_t tlen;
        if ((st = analyze_word(a, a->word.data, a->word.len, &term, &tlen)) !=
            JD_OK)
            return st;
        if (term && (st = emit(ctx, term, tlen, *pos, start, i)) != JD_OK) {
            (*pos)++;
            return st;
        }
        (*pos)++;
    }
    return JD_OK;
}

/* ------------------------------------------------------------------ */
/* Normalisation                                                       */
/* ------------------------------------------------------------------ */

size_t
analyze_utf8_invalid_at(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < len) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t n =
            utf8proc_iterate(s + i, (utf8proc_ssize_t)(len - i), &cp);
        if (n <= 0)
            return i;
        i += (size_t)n;
    }
    return len;
}

/* Append the NFKC form (with LUMP and IGNORE) of TEXT[0..LEN) to OUT. */
static jd_status
normalize_span(const char *text, size_t len, jd_buf *out)
{
    utf8proc_uint8_t *res = NULL;
    utf8proc_ssize_t n = utf8proc_map(
        (const utf8proc_uint8_t *)text, (utf8proc_ssize_t)len, &res,
        UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_LUMP |
            UTF8PROC_IGNORE);
    if (n == UTF8PROC_ERROR_NOMEM)
        return JD_ERR_NOMEM;
    if (n < 0)
        return JD_ERR_INVALID_ARG;
    jd_status st = buf_append(out, (const char *)res, (size_t)n);
    free(res);
    return st;
}

/*
 * ASCII is its own normal form, so only the runs of other characters go
 * through utf8proc, each with the ASCII character before it: that one may
 * be the base a combining mark composes with. (No ASCII character is ever
 * the second of a composing pair, so a run ends at the next ASCII byte.)
 * Specs are mostly ASCII; this keeps normalisation off the profile.
 */
jd_status
analyze_normalize(const char *text, size_t len, jd_buf *out)
{
    size_t i = 0, start = out->len;
    jd_status st = JD_OK;
    while (i < len && st == JD_OK) {
        size_t run = i;
        while (run < len && (unsigned char)text[run] < 0x80)
            run++;
        size_t base = run < len && run > i ? run - 1 : run;
        if ((st = buf_append(out, text + i, base - i)) != JD_OK || run == len)
            break;
        size_t end = run;
        while (end < len && (unsigned char)text[end] >= 0x80)
            end++;
        st = normalize_span(text + base, end - base, out);
        i = end;
    }
    if (st != JD_OK) {
        /* As it was: a caller may drop OUT after a failure without
         * freeing it (xs_query_parse does), and the ASCII before the bad
         * byte is already in it. */
        if (start == 0) {
            jd_buf_free(out);
        } else {
            out->len = start;
            out->data[start] = '\0';
        }
    }
    return st;
}
