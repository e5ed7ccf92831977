/*
 * analyze.h: text -> terms, the one analyzer for index and query text.
 *
 * Index text goes through analyze_text(); query words that Xapian's
 * QueryParser has cut out go through analyze_word(). Both fold and stem
 * with the same code, and analyze_text() cuts words exactly where
 * QueryParser does, so a query term is spelled as it was indexed (a test
 * proves this over all seed duties and a CalHR sample).
 *
 * Not here: field prefixes and positions gaps between items (index.c),
 * query syntax (Xapian's QueryParser, see xapian_shim.cc).
 */
#ifndef JD_ANALYZE_H
#define JD_ANALYZE_H

#include "jobdex.h"

#include <stdbool.h>
#include <stddef.h>

/* Words longer than this many bytes (after folding) are truncated at a
 * character boundary; Xapian's own limit on a term is 245 bytes. */
#define TERM_MAX 64

struct analyzer;

/* One analyzer per thread: it owns a Snowball stemmer, a word->stem cache
 * and scratch buffers. JD_OK or JD_ERR_NOMEM. */
jd_status analyzer_new(struct analyzer **out);
void analyzer_free(struct analyzer *a);

/*
 * Called for each indexable term of the text: TERM (LEN bytes, not
 * NUL-terminated, borrowed until the callback returns) at word position
 * POS, taken from bytes [START, END) of the text. It returns JD_OK to go
 * on; any other status stops analyze_text(), which returns that status
 * unchanged (as FTS5's xToken does), so a callback out of memory makes
 * analyze_text() say JD_ERR_NOMEM.
 */
typedef jd_status (*analyze_emit_fn)(void *ctx, const char *term, size_t len,
                                     size_t pos, size_t start, size_t end);

/*
 * Cut TEXT (LEN bytes of NFKC UTF-8, as spec records and normalised
 * queries are) into words, fold case, drop stop words and stem. Positions
 * count every word, stop words included, from *POS on; *POS is advanced
 * past the last word, so consecutive calls continue the numbering.
 * Returns JD_OK, JD_ERR_NOMEM, or the status EMIT stopped it with.
 */
jd_status analyze_text(struct analyzer *a, const char *text, size_t len,
                       size_t *pos, analyze_emit_fn emit, void *ctx);

/*
 * Fold and stem one WORD of LEN bytes as QueryParser cut it. Sets *TERM
 * (borrowed until the next call on A) and *TERM_LEN, or *TERM to NULL
 * when WORD is a stop word. JD_OK or JD_ERR_NOMEM.
 */
jd_status analyze_word(struct analyzer *a, const char *word, size_t len,
                       const char **term, size_t *term_len);

/* True when the folded WORD is on the stop list. */
bool analyze_is_stopword(const char *word, size_t len);

/*
 * Normalise LEN bytes of TEXT for analysis: NFKC, typographic quotes,
 * apostrophes and dashes folded to ASCII (utf8proc's LUMP), so that
 * “phrases” and Fred’s parse as their ASCII forms, and invisible
 * characters (zero-width spaces, soft hyphens) removed. Appends to OUT.
 * TEXT must be valid UTF-8: JD_ERR_INVALID_ARG otherwise, and OUT is left
 * as it was (freed if it was empty), as on any failure.
 */
jd_status analyze_normalize(const char *text, size_t len, jd_buf *out);

/* Byte offset of the first invalid UTF-8 sequence in TEXT, or LEN when
 * all of it is valid. */
size_t analyze_utf8_invalid_at(const char *text, size_t len);

#endif
