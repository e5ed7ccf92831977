/*
 * xapian_shim.h: the C face of the only C++ in the tree. Thin: it opens
 * databases, builds documents and queries, runs Enquire and walks term and
 * posting lists; what to index and how to rank lives in C.
 *
 * Every function is noexcept: each Xapian and std exception is caught
 * inside and mapped to a jd_status with its message copied into MSG:
 * DatabaseLockError -> JD_ERR_LOCKED when the database is "already
 * locked" (else JD_ERR_IO: the lock file could not be opened or locked),
 * DatabaseNotFoundError and
 * DatabaseOpeningError -> JD_ERR_NOT_FOUND, DatabaseCorruptError ->
 * JD_ERR_CORRUPT (so is a plain DatabaseError without an errno: Xapian
 * found its stored bytes bad; the message then names the database and
 * says to run jobdex-query check), DatabaseVersionError -> JD_ERR_VERSION,
 * QueryParserError -> JD_ERR_QUERY_SYNTAX, other Xapian::Error ->
 * JD_ERR_BACKEND, std::bad_alloc -> JD_ERR_NOMEM, anything else ->
 * JD_ERR_INTERNAL, and DatabaseModifiedError (a writer recycled the
 * revision a reader opened) -> JD_ERR_MODIFIED, which db_read() (store/db.h)
 * answers by reopening and running the whole read again.
 *
 * Strings cross as UTF-8 (pointer, length), borrowed for the call.
 */
#ifndef JD_XAPIAN_SHIM_H
#define JD_XAPIAN_SHIM_H

#include "jobdex.h"

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
#define XS_NOEXCEPT noexcept
extern "C" {
#else
#define XS_NOEXCEPT
#endif

struct analyzer;
struct xs_db;
struct xs_doc;
struct xs_query;
struct xs_mset;

/* ---- databases ---- */

enum xs_mode {
    XS_READ,
    XS_WRITE,  /* open an existing database for writing */
    XS_CREATE, /* open for writing, creating it if missing */
};

/* With XS_WRITE/XS_CREATE changes are made inside a transaction that
 * xs_commit() commits; closing without a commit discards them. */
jd_status xs_open(const char *path, enum xs_mode mode, struct xs_db **out,
                  char *msg, size_t msglen) XS_NOEXCEPT;
void xs_close(struct xs_db *db) XS_NOEXCEPT;
jd_status xs_commit(struct xs_db *db, char *msg, size_t msglen) XS_NOEXCEPT;

jd_status xs_doccount(struct xs_db *db, size_t *out, char *msg,
                      size_t msglen) XS_NOEXCEPT;
/* Average document length in terms (wdf sum). */
jd_status xs_avlength(struct xs_db *db, double *out, char *msg,
                      size_t msglen) XS_NOEXCEPT;
/* Number of documents TERM occurs in. */
jd_status xs_termfreq(struct xs_db *db, const char *term, size_t len,
                      size_t *out, char *msg, size_t msglen) XS_NOEXCEPT;

/* Metadata: an empty value means "not set". */
jd_status xs_get_metadata(struct xs_db *db, const char *key, jd_buf *out,
                          char *msg, size_t msglen) XS_NOEXCEPT;
jd_status xs_set_metadata(struct xs_db *db, const char *key, const char *value,
                          char *msg, size_t msglen) XS_NOEXCEPT;
/* The same for a value of LEN bytes that may hold NUL bytes. */
jd_status xs_set_metadata_n(struct xs_db *db, const char *key,
                            const void *value, size_t len, char *msg,
                            size_t msglen) XS_NOEXCEPT;
/* FN(ctx, key, len, 0) for each metadata key starting with PREFIX, in
 * byte order, until it returns non-zero. */
jd_status xs_metadata_keys(struct xs_db *db, const char *prefix,
                           int (*fn)(void *ctx, const char *key, size_t len,
                                     size_t unused),
                           void *ctx, char *msg, size_t msglen) XS_NOEXCEPT;

/* Replace the document indexed by the unique term IDTERM (add it if none). */
jd_status xs_replace(struct xs_db *db, const char *idterm,
                     const struct xs_doc *doc, char *msg,
                     size_t msglen) XS_NOEXCEPT;
/* Delete every document indexed by TERM. */
jd_status xs_add(struct xs_db *db, const struct xs_doc *doc, char *msg,
                 size_t msglen) XS_NOEXCEPT;
jd_status xs_delete_term(struct xs_db *db, const char *term, char *msg,
                         size_t msglen) XS_NOEXCEPT;

/* The data of the first document indexed by TERM; JD_ERR_NOT_FOUND if none. */
jd_status xs_data_by_term(struct xs_db *db, const char *term, jd_buf *out,
                          char *msg, size_t msglen) XS_NOEXCEPT;
/* The data of document DOCID. */
jd_status xs_data_by_docid(struct xs_db *db, unsigned docid, jd_buf *out,
                           char *msg, size_t msglen) XS_NOEXCEPT;
/* A term and its frequency (termfreq or wdf, as the caller says);
 * non-zero stops the walk. */
typedef int (*xs_term_fn)(void *ctx, const char *term, size_t len, size_t freq);
/* Document DOCID in one read: its values in SLOTS[0..NSLOTS) into
 * VALUES[...], then each of its terms to FN (when not NULL). */
jd_status xs_doc_read(struct xs_db *db, unsigned docid, const unsigned *slots,
                      jd_buf *values, size_t nslots, xs_term_fn fn, void *ctx,
                      char *msg, size_t msglen) XS_NOEXCEPT;
/* Value SLOT of the first document indexed by TERM; JD_ERR_NOT_FOUND
 * when there is none. */
jd_status xs_value_by_term(struct xs_db *db, const char *term, unsigned slot,
                           jd_buf *out, char *msg, size_t msglen) XS_NOEXCEPT;

/* Calls FN for each term starting with PREFIX, in byte order, with its
 * document frequency. A non-zero return stops the walk. */
jd_status xs_allterms(struct xs_db *db, const char *prefix, xs_term_fn fn,
                      void *ctx, char *msg, size_t msglen) XS_NOEXCEPT;

/* Calls FN for each term of document DOCID with its wdf (as FREQ). */
jd_status xs_doc_terms(struct xs_db *db, unsigned docid, xs_term_fn fn,
                       void *ctx, char *msg, size_t msglen) XS_NOEXCEPT;

/* Calls FN for each document TERM indexes, in docid order. */
typedef int (*xs_posting_fn)(void *ctx, unsigned docid);
jd_status xs_postings(struct xs_db *db, const char *term, xs_posting_fn fn,
                      void *ctx, char *msg, size_t msglen) XS_NOEXCEPT;

/* Merge the databases SOURCES[0..N) into a new database at DEST. */
jd_status xs_compact(const char *const *sources, size_t n, const char *dest,
                     char *msg, size_t msglen) XS_NOEXCEPT;

/* Xapian's own consistency check (xapian-check) of the database at
 * PATH: *ERRORS the number of errors it counted, and REPORT the lines
 * it wrote about them ("postlist: No last chunk for term 'Dsafeti'"),
 * joined by "; ". Damage the check cannot get past fails with
 * JD_ERR_CORRUPT and the reason in MSG; a missing database with
 * JD_ERR_NOT_FOUND. Damage can also crash the library or keep it busy
 * forever: run it in a process of its own (check.c does). */
jd_status xs_check(const char *path, size_t *errors, jd_buf *report, char *msg,
                   size_t msglen) XS_NOEXCEPT;

/* ---- documents ---- */

jd_status xs_doc_new(struct xs_doc **out) XS_NOEXCEPT;
void xs_doc_free(struct xs_doc *doc) XS_NOEXCEPT;
/* Forget everything added, to build the next document. */
void xs_doc_clear(struct xs_doc *doc) XS_NOEXCEPT;
/* A free-text term at word position POS (1-based). */
jd_status xs_doc_add_posting(struct xs_doc *doc, const char *term, size_t len,
                             unsigned pos) XS_NOEXCEPT;
/* A free-text term without position, adding WDF to its within-doc count. */
jd_status xs_doc_add_term(struct xs_doc *doc, const char *term, size_t len,
                          unsigned wdf) XS_NOEXCEPT;
/* A filter term: no position, no weight. */
jd_status xs_doc_add_boolean(struct xs_doc *doc, const char *term,
                             size_t len) XS_NOEXCEPT;
jd_status xs_doc_set_value(struct xs_doc *doc, unsigned slot, const char *data,
                           size_t len) XS_NOEXCEPT;
/* Value holding a number so that ranges and sorting compare numerically. */
jd_status xs_doc_set_number(struct xs_doc *doc, unsigned slot,
                            double value) XS_NOEXCEPT;
jd_status xs_doc_set_data(struct xs_doc *doc, const char *data,
                          size_t len) XS_NOEXCEPT;

/* ---- queries ---- */

enum xs_op {
    XS_OP_AND,
    XS_OP_OR,
    XS_OP_AND_NOT,
    XS_OP_AND_MAYBE,
    XS_OP_FILTER,
    XS_OP_SYNONYM,
    XS_OP_PHRASE, /* PARAM: window */
    XS_OP_NEAR,   /* PARAM: window */
    XS_OP_MAX,
};

void xs_query_free(struct xs_query *q) XS_NOEXCEPT;
jd_status xs_query_term(const char *term, size_t len, unsigned wqf,
                        struct xs_query **out) XS_NOEXCEPT;
/* Combine SUBS[0..N) (borrowed; NULL entries skipped) with OP. */
jd_status xs_query_combine(enum xs_op op, struct xs_query *const *subs,
                           size_t n, unsigned param,
                           struct xs_query **out) XS_NOEXCEPT;
jd_status xs_query_scale(const struct xs_query *q, double factor,
                         struct xs_query **out) XS_NOEXCEPT;
/* Documents whose number in SLOT lies in [LO, HI]. */
jd_status xs_query_number_range(unsigned slot, double lo, double hi,
                                struct xs_query **out) XS_NOEXCEPT;
/* True for a query that can match nothing (e.g. combined from nothing). */
bool xs_query_is_empty(const struct xs_query *q) XS_NOEXCEPT;

/* A field name the query parser knows ("title" -> "T"). FIELD "" gives
 * the prefixes used for words without a field; BOOLEAN fields filter. */
struct xs_field {
    const char *field;
    const char *prefix;
    bool boolean;
};

struct xs_parse {
    const struct xs_field *fields;
    size_t nfields;
    bool plain;       /* words and "phrases" only: no operators, no wildcards */
    bool default_or;  /* words without an operator are ORed (default AND) */
    size_t max_terms; /* most terms (xs_query_size); 0: no limit */
};

/*
 * Parse TEXT with Xapian's QueryParser: words, "phrases", AND OR NOT
 * XOR NEAR ( ), +/-, trailing * wildcards (expanded against DB, which may
 * be NULL when there are none), the fields of OPTS. Words are folded and
 * stemmed by A, exactly as the indexer did; stop words are dropped (a
 * phrase keeps its window so "duties as required" still matches). A
 * group of terms that are all excluded ("-web", "(-a -b)") matches every
 * document but theirs, as "NOT web" does.
 * JD_ERR_QUERY_SYNTAX with the reason in MSG for a malformed query or one
 * with no searchable word; JD_ERR_TOO_BIG ("query has N terms, over the
 * M-term limit") for one of more than OPTS->max_terms terms (counted
 * as xs_query_size does, after parsing: parsing is linear in the text,
 * matching a big OR is not).
 */
jd_status xs_query_parse(struct xs_db *db, struct analyzer *a, const char *text,
                         size_t len, const struct xs_parse *opts,
                         struct xs_query **out, char *msg,
                         size_t msglen) XS_NOEXCEPT;

/* The terms of the parsed query Q: each word (in or out of a phrase),
 * each filter and each wildcard once; stop words, operators and field
 * names are not terms. */
size_t xs_query_size(const struct xs_query *q) XS_NOEXCEPT;

/* Calls FN once for each distinct term of Q, in byte order (FREQ is 0). */
jd_status xs_query_terms(const struct xs_query *q, xs_term_fn fn,
                         void *ctx) XS_NOEXCEPT;
/* Walk Q's leaves: TERM hears every term with IN_PHRASE set when it sits
 * under a PHRASE or NEAR, and every wildcard's pattern (prefixed, without
 * the '*') with WILDCARD set; PHRASE hears each phrase's terms in order,
 * with its window. Either callback may be NULL; a non-zero return stops. */
typedef int (*xs_phrase_fn)(void *ctx, const char *const *terms,
                            const size_t *lens, size_t n, unsigned window);
typedef int (*xs_leaf_fn)(void *ctx, const char *term, size_t len,
                          bool in_phrase, bool wildcard);
jd_status xs_query_walk(const struct xs_query *q, xs_phrase_fn phrase,
                        xs_leaf_fn term, void *ctx) XS_NOEXCEPT;

/* Xapian's description of Q, for debugging and tests. */
jd_status xs_query_describe(const struct xs_query *q, jd_buf *out) XS_NOEXCEPT;

/* ---- searching ---- */

struct xs_search {
    const struct xs_query *query;
    size_t offset, limit;
    double k1, b;      /* BM25 parameters; k1 = 0 means Xapian's default */
    double delta;      /* > 0: BM25+ (a matching term is worth at least
                          about DELTA times its idf, however long the
                          document) */
    bool boolean;      /* weight nothing: results in docid order */
    int collapse_slot; /* keep the best document per value; -1: off */
    int sort_slot;     /* order by this value instead; -1: by relevance */
    bool sort_reverse;
};

/* Run S against DB. On success *OUT holds the results (xs_mset_free). */
jd_status xs_enquire(struct xs_db *db, const struct xs_search *s,
                     struct xs_mset **out, char *msg,
                     size_t msglen) XS_NOEXCEPT;
void xs_mset_free(struct xs_mset *m) XS_NOEXCEPT;
size_t xs_mset_size(const struct xs_mset *m) XS_NOEXCEPT;
/* Xapian's estimate of all matching documents. */
size_t xs_mset_estimated(const struct xs_mset *m) XS_NOEXCEPT;
unsigned xs_mset_docid(const struct xs_mset *m, size_t i) XS_NOEXCEPT;
double xs_mset_weight(const struct xs_mset *m, size_t i) XS_NOEXCEPT;
/* The data of hit I into OUT. */
jd_status xs_mset_data(struct xs_mset *m, size_t i, jd_buf *out, char *msg,
                       size_t msglen) XS_NOEXCEPT;
/* Value SLOT of hit I into OUT (empty when unset). */
jd_status xs_mset_value(struct xs_mset *m, size_t i, unsigned slot, jd_buf *out,
                        char *msg, size_t msglen) XS_NOEXCEPT;
/* Calls FN for each query term that hit I matched. */
jd_status xs_mset_matching_terms(struct xs_mset *m, size_t i, xs_term_fn fn,
                                 void *ctx, char *msg,
                                 size_t msglen) XS_NOEXCEPT;

#ifdef __cplusplus
}
#endif

#endif
