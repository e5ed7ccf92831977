/*
 * spec_items.h: lines of one section -> whole items (duties,
 * qualifications). Handles numbered and bulleted lists with sub-bullets,
 * lines wrapped mid-sentence (also across blank lines and page breaks),
 * plain paragraphs, and run-in lists separated by semicolons.
 */
#ifndef JD_SPEC_ITEMS_H
#define JD_SPEC_ITEMS_H

#include "indexer/spec/lines.h"
#include "jobdex.h"

struct item_opts {
    /* In paragraphs (not in marked lists), split at semicolons outside
     * parentheses once a paragraph has at least this many; 0: never. */
    unsigned split_semicolons;
    /* A clause shorter than this many words stays with the one before it
     * ("etc."); 1 keeps every clause ("Knowledge of: bacteriology;"). */
    unsigned min_clause_words;
    /* The document's lines are hard-wrapped at about WIDTH columns (a PDF
     * conversion), so a line that reaches near WIDTH and stops without a
     * full stop continues on the next line even across a blank line. */
    bool wrapped;
    unsigned width;
};

/*
 * Called per item: N is its number as written (NUMBERED true) or its
 * ordinal in the run; TEXT (LEN bytes) has wrapped lines joined by one
 * space and sub-bullets on lines of their own starting "- "; LINE is the
 * line it starts on. A non-JD_OK return stops the walk.
 */
typedef jd_status (*item_fn)(void *ctx, unsigned n, bool numbered,
                             const char *text, size_t len, unsigned line);

/*
 * Group LINES[0..N) into items. The first line's content starts OFF bytes
 * into it (after an inline heading such as "Experience:"). Lines marked
 * furniture are skipped as if absent. Disclaimers and notices
 * (vocab_is_boilerplate, wholly parenthesised paragraphs) are dropped.
 */
jd_status items_from_lines(const struct sline *lines, size_t n, size_t off,
                           const struct item_opts *opts, item_fn fn, void *ctx);

/* Paragraphs of LINES[0..N) joined into OUT, one per line, wrapped lines
 * joined; disclaimers dropped. For summaries and other free text. */
jd_status paragraphs_from_lines(const struct sline *lines, size_t n, size_t off,
                                const struct item_opts *opts, jd_buf *out);

/* Fill OPTS->wrapped and OPTS->width from the shape of LINES. */
void items_measure(const struct sline *lines, size_t n, struct item_opts *opts);

/* The kind a qualification statement's own words give it ("Knowledge of
 * ..." -> "knowledge", "Possession of a valid driver license" ->
 * "license"), or NULL. */
const char *items_qual_kind(const char *text, size_t len);

#endif
