/*
 * fuzz_analyze.c: the analyzer. Any bytes go through the UTF-8 check; valid
 * text is normalised and cut into terms, raw and normalised. Terms must
 * lie within the text, be 1 to TERM_MAX bytes of valid UTF-8 without NUL,
 * and their positions must never go backwards. Each
 * whitespace-separated word also goes through analyze_word(), as the
 * query parser sends words. Normalising span by span (ASCII is passed
 * through) must give what utf8proc gives for the whole text, and a
 * refused text must leave the output buffer as it was.
 */
#include "fuzz.h"

#include "indexer/text/analyze.h"
#include "indexer/util/buf.h"
#include "jobdex.h"

#include <string.h>
#include <utf8proc.h>

static struct analyzer *an;

struct check {
    size_t text_len;
    size_t last_pos;
    size_t n;
};

static jd_status
on_term(void *ctx, const char *term, size_t len, size_t pos, size_t start,
        size_t end)
{
    struct check *c = ctx;
    FUZZ_CHECK(len > 0 && len <= TERM_MAX);
    FUZZ_CHECK(analyze_utf8_invalid_at(term, len) == len);
    FUZZ_CHECK(memchr(term, '\0', len) == NULL);
    FUZZ_CHECK(start < end && end <= c->text_len);
    FUZZ_CHECK(c->n == 0 || pos >= c->last_pos);
    c->last_pos = pos;
    c->n++;
    return JD_OK;
}

static void
cut(const char *text, size_t len)
{
    struct check c = {len, 0, 0};
    size_t pos = 7;
    FUZZ_CHECK(analyze_text(an, text, len, &pos, on_term, &c) == JD_OK);
    FUZZ_CHECK(pos >= 7);
}

/* NORM must be utf8proc's NFKC (with LUMP and IGNORE) of all of TEXT. */
static void
same_as_whole(const char *text, size_t len, const jd_buf *norm)
{
    utf8proc_uint8_t *res = NULL;
    utf8proc_ssize_t n = utf8proc_map(
        (const utf8proc_uint8_t *)text, (utf8proc_ssize_t)len, &res,
        UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_LUMP |
            UTF8PROC_IGNORE);
    FUZZ_CHECK(n >= 0);
    bool same = (size_t)n == norm->len &&
                (n == 0 || memcmp(res, norm->data, (size_t)n) == 0);
    if (!same)
        fprintf(stderr, "normalised by spans:\n%.*s\nwhole:\n%.*s\n",
                (int)norm->len, norm->data ? norm->data : "", (int)n,
                (const char *)res);
    free(res);
    FUZZ_CHECK(same);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (analyzer_new(&an) != JD_OK)
        abort();
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    size_t bad = analyze_utf8_invalid_at(text, size);
    FUZZ_CHECK(bad <= size);
    jd_buf norm = {NULL, 0, 0};
    jd_status st = analyze_normalize(text, size, &norm);
    if (bad < size) {
        FUZZ_CHECK(st == JD_ERR_INVALID_ARG);
        /* Refused: the buffer is as it was, empty and unallocated... */
        FUZZ_CHECK(norm.data == NULL && norm.len == 0);
        /* ... or holding what it held. */
        FUZZ_CHECK(buf_append(&norm, "kept", 4) == JD_OK);
        FUZZ_CHECK(analyze_normalize(text, size, &norm) == JD_ERR_INVALID_ARG);
        FUZZ_CHECK(norm.len == 4 && memcmp(norm.data, "kept", 5) == 0);
        jd_buf_free(&norm);
        /* The valid prefix is still text. */
        cut(text, bad);
        return 0;
    }
    FUZZ_CHECK(st == JD_OK);
    FUZZ_CHECK(analyze_utf8_invalid_at(norm.data ? norm.data : "", norm.len) ==
               norm.len);
    same_as_whole(text, size, &norm);
    cut(text, size);
    cut(norm.data ? norm.data : "", norm.len);
    for (size_t i = 0; i < size;) {
        size_t j = i;
        while (j < size && text[j] != ' ' && text[j] != '\n')
            j++;
        if (j > i) {
            const char *term;
            size_t tl;
            FUZZ_CHECK(analyze_word(an, text + i, j - i, &term, &tl) == JD_OK);
            FUZZ_CHECK(!term || (tl > 0 && tl <= TERM_MAX));
        }
        i = j + 1;
    }
    jd_buf_free(&norm);
    return 0;
}
