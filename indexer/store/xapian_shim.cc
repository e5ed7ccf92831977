/*
 * xapian_shim.cc: the only C++ in the tree; see xapian_shim.h.
 *
 * Rules kept here: every entry point is noexcept and wraps its whole body
 * in try/catch(...) -> status_from_exception(); C++ objects live in
 * structs made with new(std::nothrow) and deleted only by the matching
 * _free/_close; nothing is committed by a destructor (writers work inside
 * a transaction that xs_commit() commits and xs_close() cancels).
 */
#include "indexer/store/xapian_shim.h"

extern "C" {
#include "indexer/text/analyze.h"
#include "indexer/util/buf.h"
}

#include <xapian.h>

#include <cstdio>
#include <cstring>
#include <new>
#include <sstream>
#include <string>
#include <vector>

namespace
{

/* Marks a stop word in the stemmer's output so the parsed query can be
 * pruned of it afterwards (see strip_stopwords). Never in indexed terms:
 * the indexer drops stop words before they become terms. */
const char STOP_MARK = '\x01';

/* A boolean field of our own whose every value matches every document:
 * what a group of excluded terms alone is taken from (see
 * everything_before_exclusions). Not a word anyone types. */
const char EVERYTHING_FIELD[] = "jobdexeverything";
const char EVERYTHING[] = "jobdexeverything:all ";

void
copy_msg(char *msg, size_t msglen, const std::string &text)
{
    if (msg && msglen)
        snprintf(msg, msglen, "%s", text.c_str());
}

/* Rethrow the exception in flight and map it to a status, most specific
 * type first. Call only from inside a catch block. */
jd_status
map_exception(char *msg, size_t msglen) noexcept
{
    try {
        throw;
    } catch (const Xapian::DatabaseLockError &e) {
        /* Only "already locked" is another writer; the lock file may
         * also be impossible to open or lock (permissions, the file
         * system), which the message says. */
        copy_msg(msg, msglen, e.get_msg());
        return e.get_msg().find(": already locked") != std::string::npos
                   ? JD_ERR_LOCKED
                   : JD_ERR_IO;
    } catch (const Xapian::DatabaseNotFoundError &e) {
        copy_msg(msg, msglen, e.get_msg());
        return JD_ERR_NOT_FOUND;
    } catch (const Xapian::DatabaseCorruptError &e) {
        copy_msg(msg, msglen, e.get_msg());
        return JD_ERR_CORRUPT;
    } catch (const Xapian::DatabaseVersionError &e) {
        copy_msg(msg, msglen, e.get_msg());
        return JD_ERR_VERSION;
    } catch (const Xapian::DatabaseOpeningError &e) {
        copy_msg(msg, msglen, e.get_msg());
        return JD_ERR_NOT_FOUND;
    } catch (const Xapian::QueryParserError &e) {
        copy_msg(msg, msglen, e.get_msg());
        return JD_ERR_QUERY_SYNTAX;
    } catch (const Xapian::DatabaseModifiedError &e) {
        copy_msg(msg, msglen, e.get_description());
        return JD_ERR_MODIFIED; /* db_read() reopens and runs it again */
    } catch (const Xapian::DatabaseError &e) {
        /* A plain DatabaseError without an errno is Xapian finding the
         * stored bytes bad ("inflate failed", "Block 3 item 44: item
         * ends outside block"); with one the system failed (I/O, a full
         * disk), and its subclasses (closed, create) are no damage. */
        copy_msg(msg, msglen, e.get_description());
        return !e.get_error_string() &&
                       std::strcmp(e.get_type(), "DatabaseError") == 0
                   ? JD_ERR_CORRUPT
                   : JD_ERR_BACKEND;
    } catch (const Xapian::Error &e) {
        copy_msg(msg, msglen, e.get_description());
        return JD_ERR_BACKEND;
    } catch (const std::bad_alloc &) {
        copy_msg(msg, msglen, "out of memory");
        return JD_ERR_NOMEM;
    } catch (const std::exception &e) {
        copy_msg(msg, msglen, e.what());
        return JD_ERR_INTERNAL;
    } catch (...) {
        copy_msg(msg, msglen, "unknown exception");
        return JD_ERR_INTERNAL;
    }
}

/* map_exception(), naming the database at WHERE (when known) when it
 * turned out to be damaged. */
jd_status
status_from_exception(char *msg, size_t msglen,
                      const std::string *where = nullptr) noexcept
{
    jd_status st = map_exception(msg, msglen);
    if (st == JD_ERR_CORRUPT && where && msg && msglen) {
        char why[512];
        snprintf(why, sizeof(why), "%s", msg);
        snprintf(msg, msglen, "'%s' is damaged (%s); run jobdex-query check",
                 where->c_str(), why);
    }
    return st;
}

/* Xapian::Stem that folds and stems with the indexer's analyzer. */
class AnalyzerStem : public Xapian::StemImplementation
{
    struct analyzer *a;

  public:
    explicit AnalyzerStem(struct analyzer *a_) : a(a_)
    {
    }

    std::string operator()(const std::string &word) override
    {
        const char *term;
        size_t len;
        if (analyze_word(a, word.data(), word.size(), &term, &len) != JD_OK)
            throw std::bad_alloc();
        if (!term)
            return std::string(1, STOP_MARK) + word;
        return std::string(term, len);
    }

    std::string get_description() const override
    {
        return "jobdex analyzer";
    }
};

/* Every value of EVERYTHING_FIELD: all documents. */
class EverythingField : public Xapian::FieldProcessor
{
  public:
    Xapian::Query operator()(const std::string &) override
    {
        return Xapian::Query::MatchAll;
    }
};

bool
is_space(unsigned char c)
{
    return c <= ' ';
}

/*
 * QueryParser refuses a group of terms that are all excluded ("-web",
 * "-a -b", "(-a)", "-a AND -b": a '-' term takes its documents away from
 * those of the other terms of its group, and there are none); its
 * parse_query() then silently parses the whole query again with every
 * operator off, so that "-web" searched for "web". Excluding from a group
 * of nothing should exclude from everything, as "NOT web" does: so each
 * '-' is given EVERYTHING before it, a filter that matches every document
 * and weighs nothing. In a group with terms of its own it changes
 * nothing (it filters by all); in one without, it is what the '-' terms
 * are taken from. A '-' is QueryParser's exclusion where QueryParser
 * makes it one: outside quotes, after a space or '(' (or at the start),
 * before a character that is none of space, '+' and '-'.
 */
std::string
everything_before_exclusions(const std::string &q)
{
    std::string out;
    out.reserve(q.size());
    bool quoted = false;
    for (size_t i = 0; i < q.size(); i++) {
        unsigned char c = static_cast<unsigned char>(q[i]);
        if (c == '"')
            quoted = !quoted;
        if (c == '-' && !quoted &&
            (i == 0 || is_space(q[i - 1]) || q[i - 1] == '(')) {
            unsigned char next =
                i + 1 < q.size() ? static_cast<unsigned char>(q[i + 1]) : ' ';
            if (!is_space(next) && next != '+' && next != '-')
                out += EVERYTHING;
        }
        out += q[i];
    }
    return out;
}

/* True when Q has a leaf that is more than "all documents": stop words
 * stripped, "NOT the" and "-the" are left with nothing to search for. */
/* NOLINTBEGIN(misc-no-recursion): as deep as the query's nesting. */
bool
has_searchable_leaf(const Xapian::Query &q)
{
    switch (q.get_type()) {
    case Xapian::Query::LEAF_MATCH_ALL:
    case Xapian::Query::LEAF_MATCH_NOTHING:
        return false;
    default:
        break;
    }
    size_t n = q.get_num_subqueries();
    if (n == 0)
        return true;
    for (size_t i = 0; i < n; i++)
        if (has_searchable_leaf(q.get_subquery(i)))
            return true;
    return false;
}

/* A term without its field prefix (upper-case letters, schema.h). */
std::string
unprefixed(const std::string &term)
{
    size_t i = 0;
    while (i < term.size() && term[i] >= 'A' && term[i] <= 'Z')
        i++;
    return term.substr(i);
}

/* The wildcards of Q (not expanded yet, so not among its terms). */
size_t
wildcards(const Xapian::Query &q)
{
    if (q.get_type() == Xapian::Query::OP_WILDCARD)
        return 1;
    size_t sum = 0;
    for (size_t i = 0; i < q.get_num_subqueries(); i++)
        sum += wildcards(q.get_subquery(i));
    return sum;
}

/* The terms of Q as the user wrote them: each word (once, however many
 * fields it is looked up in), phrase word, filter and wildcard; "all
 * documents" none. Q's terms come in query position order, the same
 * word in several fields side by side. */
size_t
leaf_count(const Xapian::Query &q)
{
    size_t n = wildcards(q);
    std::string last;
    for (auto t = q.get_terms_begin(); t != q.get_terms_end(); ++t) {
        std::string w = unprefixed(*t);
        n += w != last;
        last = w;
    }
    return n;
}
/* NOLINTEND(misc-no-recursion) */

bool
is_stop_leaf(const Xapian::Query &q)
{
    if (q.get_type() != Xapian::Query::LEAF_TERM)
        return false;
    Xapian::TermIterator t = q.get_terms_begin();
    return t != q.get_terms_end() && (*t).find(STOP_MARK) != std::string::npos;
}

/* The window of a PHRASE or NEAR node. Xapian 1.4 has no accessor for it,
 * but its description always reads "(a@1 PHRASE 3 b@2 ...)". */
Xapian::termcount
positional_window(const Xapian::Query &q, const char *opname)
{
    std::string d = q.get_description();
    std::string key = std::string(" ") + opname + " ";
    size_t at = d.find(key);
    if (at == std::string::npos)
        return static_cast<Xapian::termcount>(q.get_num_subqueries());
    return static_cast<Xapian::termcount>(
        std::strtoul(d.c_str() + at + key.size(), nullptr, 10));
}

/*
 * Rebuild Q without stop-word leaves. Only nodes with a stop word below
 * them are rebuilt; the rest (wildcards, value ranges) are kept as they
 * are. A phrase keeps its original window, so "duties as required" still
 * matches the indexed gap where "as" was. Sets CHANGED when anything went.
 */
/* NOLINTBEGIN(misc-no-recursion): as deep as the query's own nesting,
 * which Xapian itself walks recursively. */
Xapian::Query
strip_stopwords(const Xapian::Query &q, bool &changed)
{
    if (is_stop_leaf(q)) {
        changed = true;
        return Xapian::Query();
    }
    size_t n = q.get_num_subqueries();
    if (n == 0)
        return q;
    std::vector<Xapian::Query> subs;
    subs.reserve(n);
    bool any = false;
    for (size_t i = 0; i < n; i++)
        subs.push_back(strip_stopwords(q.get_subquery(i), any));
    if (!any)
        return q;
    changed = true;

    Xapian::Query::op op = q.get_type();
    std::vector<Xapian::Query> kept;
    for (const auto &s : subs)
        if (!s.empty())
            kept.push_back(s);
    if (kept.empty())
        return Xapian::Query();

    switch (op) {
    case Xapian::Query::OP_PHRASE:
    case Xapian::Query::OP_NEAR: {
        if (kept.size() == 1)
            return kept[0];
        Xapian::termcount w = positional_window(
            q, op == Xapian::Query::OP_PHRASE ? "PHRASE" : "NEAR");
        return Xapian::Query(op, kept.begin(), kept.end(), w);
    }
    case Xapian::Query::OP_AND_NOT:
    case Xapian::Query::OP_AND_MAYBE:
    case Xapian::Query::OP_FILTER:
        /* The left side decides what matches; without it, nothing. */
        if (subs[0].empty())
            return Xapian::Query();
        if (kept.size() == 1)
            return kept[0];
        return Xapian::Query(op, kept.begin(), kept.end());
    default:
        if (kept.size() == 1)
            return kept[0];
        return Xapian::Query(op, kept.begin(), kept.end());
    }
}
/* NOLINTEND(misc-no-recursion) */

Xapian::Query::op
xapian_op(enum xs_op op)
{
    switch (op) {
    case XS_OP_AND:
        return Xapian::Query::OP_AND;
    case XS_OP_OR:
        return Xapian::Query::OP_OR;
    case XS_OP_AND_NOT:
        return Xapian::Query::OP_AND_NOT;
    case XS_OP_AND_MAYBE:
        return Xapian::Query::OP_AND_MAYBE;
    case XS_OP_FILTER:
        return Xapian::Query::OP_FILTER;
    case XS_OP_SYNONYM:
        return Xapian::Query::OP_SYNONYM;
    case XS_OP_PHRASE:
        return Xapian::Query::OP_PHRASE;
    case XS_OP_NEAR:
        return Xapian::Query::OP_NEAR;
    case XS_OP_MAX:
        return Xapian::Query::OP_MAX;
    }
    return Xapian::Query::OP_OR;
}

} // namespace

struct xs_db {
    std::string path;           /* for messages */
    Xapian::Database db;        /* the reader view (also of a writer) */
    Xapian::WritableDatabase w; /* valid when writable */
    bool writable = false;
    bool in_txn = false;
};

struct xs_doc {
    Xapian::Document doc;
};

struct xs_query {
    Xapian::Query q;
};

/* NOLINTBEGIN(misc-non-private-member-variables-in-classes): the
 * contents of an opaque C handle, used only in this file. */
struct xs_mset {
    std::string path; /* of the database, for messages */
    Xapian::Database db;
    Xapian::Enquire enq;
    Xapian::MSet mset;
    explicit xs_mset(const Xapian::Database &d) : db(d), enq(d)
    {
    }
};
/* NOLINTEND(misc-non-private-member-variables-in-classes) */

/* ------------------------------------------------------------------ */
/* Databases                                                           */
/* ------------------------------------------------------------------ */

extern "C" jd_status
xs_open(const char *path, enum xs_mode mode, struct xs_db **out, char *msg,
        size_t msglen) noexcept
{
    *out = nullptr;
    xs_db *d = new (std::nothrow) xs_db;
    if (!d)
        return JD_ERR_NOMEM;
    try {
        d->path = path;
        if (mode == XS_READ) {
            d->db = Xapian::Database(path);
        } else {
            int action =
                mode == XS_CREATE ? Xapian::DB_CREATE_OR_OPEN : Xapian::DB_OPEN;
            d->w = Xapian::WritableDatabase(path, action);
            d->db = d->w;
            d->writable = true;
            d->w.begin_transaction(true);
            d->in_txn = true;
        }
        *out = d;
        return JD_OK;
    } catch (...) {
        jd_status st = status_from_exception(msg, msglen, &d->path);
        delete d;
        return st;
    }
}

extern "C" void
xs_close(struct xs_db *d) noexcept
{
    if (!d)
        return;
    try {
        if (d->writable) {
            if (d->in_txn)
                d->w.cancel_transaction();
            d->w.close();
        }
    } catch (...) {
        /* Nothing uncommitted may survive; errors here change nothing. */
    }
    delete d;
}

extern "C" jd_status
xs_commit(struct xs_db *d, char *msg, size_t msglen) noexcept
{
    try {
        if (!d->writable)
            return JD_OK;
        if (d->in_txn) {
            d->in_txn = false;
            d->w.commit_transaction();
        } else {
            d->w.commit();
        }
        d->w.begin_transaction(true);
        d->in_txn = true;
        return JD_OK;
    } catch (...) {
        return status_from_exception(msg, msglen, &d->path);
    }
}

/* Run BODY, mapping every exception to a status: DatabaseModifiedError
 * (a writer recycled the revision this reader opened) to JD_ERR_MODIFIED,
 * which the store's db_read() answers by reopening and running the whole
 * read again; retrying one call here could mix two revisions. */
template <typename Body>
static jd_status
guarded(struct xs_db *d, char *msg, size_t msglen, Body body) noexcept
{
    try {
        body();
        return JD_OK;
    } catch (...) {
        return status_from_exception(msg, msglen, &d->path);
    }
}

extern "C" jd_status
xs_doccount(struct xs_db *d, size_t *out, char *msg, size_t msglen) noexcept
{
    *out = 0;
    return guarded(d, msg, msglen, [&] { *out = d->db.get_doccount(); });
}

extern "C" jd_status
xs_avlength(struct xs_db *d, double *out, char *msg, size_t msglen) noexcept
{
    *out = 0;
    return guarded(d, msg, msglen, [&] { *out = d->db.get_avlength(); });
}

extern "C" jd_status
xs_termfreq(struct xs_db *d, const char *term, size_t len, size_t *out,
            char *msg, size_t msglen) noexcept
{
    *out = 0;
    return guarded(d, msg, msglen,
                   [&] { *out = d->db.get_termfreq(std::string(term, len)); });
}

extern "C" jd_status
xs_get_metadata(struct xs_db *d, const char *key, jd_buf *out, char *msg,
                size_t msglen) noexcept
{
    return guarded(d, msg, msglen, [&] {
        std::string v = d->db.get_metadata(key);
        buf_clear(out);
        if (buf_append(out, v.data(), v.size()) != JD_OK)
            throw std::bad_alloc();
    });
}

extern "C" jd_status
xs_set_metadata(struct xs_db *d, const char *key, const char *value, char *msg,
                size_t msglen) noexcept
{
    try {
        d->w.set_metadata(key, value);
        return JD_OK;
    } catch (...) {
        return status_from_exception(msg, msglen, &d->path);
    }
}

extern "C" jd_status
xs_set_metadata_n(struct xs_db *d, const char *key, const void *value,
                  size_t len, char *msg, size_t msglen) noexcept
{
    try {
        d->w.set_metadata(key,
                          std::string(static_cast<const char *>(value), len));
        return JD_OK;
    } catch (...) {
        return status_from_exception(msg, msglen, &d->path);
    }
}

extern "C" jd_status
xs_metadata_keys(struct xs_db *d, const char *prefix,
                 int (*fn)(void *ctx, const char *key, size_t len,
                           size_t unused),
                 void *ctx, char *msg, size_t msglen) noexcept
{
    return guarded(d, msg, msglen, [&] {
        for (Xapian::TermIterator t = d->db.metadata_keys_begin(prefix);
             t != d->db.metadata_keys_end(prefix); ++t) {
            const std::string &key = *t;
            if (fn(ctx, key.data(), key.size(), 0) != 0)
                break;
        }
    });
}

extern "C" jd_status
xs_replace(struct xs_db *d, const char *idterm, const struct xs_doc *doc,
           char *msg, size_t msglen) noexcept
{
    try {
        d->w.replace_document(idterm, doc->doc);
        return JD_OK;
    } catch (...) {
        return status_from_exception(msg, msglen, &d->path);
    }
}

extern "C" jd_status
xs_add(struct xs_db *d, const struct xs_doc *doc, char *msg,
       size_t msglen) noexcept
{
    try {
        d->w.add_document(doc->doc);
        return JD_OK;
    } catch (...) {
        return status_from_exception(msg, msglen, &d->path);
    }
}

extern "C" jd_status
xs_delete_term(struct xs_db *d, const char *term, char *msg,
               size_t msglen) noexcept
{
    try {
        d->w.delete_document(term);
        return JD_OK;
    } catch (...) {
        return status_from_exception(msg, msglen, &d->path);
    }
}

extern "C" jd_status
xs_data_by_term(struct xs_db *d, const char *term, jd_buf *out, char *msg,
                size_t msglen) noexcept
{
    bool found = false;
    jd_status st = guarded(d, msg, msglen, [&] {
        Xapian::PostingIterator p = d->db.postlist_begin(term);
        found = p != d->db.postlist_end(term);
        if (!found)
            return;
        std::string data = d->db.get_document(*p).get_data();
        buf_clear(out);
        if (buf_append(out, data.data(), data.size()) != JD_OK)
            throw std::bad_alloc();
    });
    if (st == JD_OK && !found) {
        copy_msg(msg, msglen, "no such record");
        return JD_ERR_NOT_FOUND;
    }
    return st;
}

extern "C" jd_status
xs_data_by_docid(struct xs_db *d, unsigned docid, jd_buf *out, char *msg,
                 size_t msglen) noexcept
{
    return guarded(d, msg, msglen, [&] {
        std::string data = d->db.get_document(docid).get_data();
        buf_clear(out);
        if (buf_append(out, data.data(), data.size()) != JD_OK)
            throw std::bad_alloc();
    });
}

extern "C" jd_status
xs_doc_read(struct xs_db *d, unsigned docid, const unsigned *slots,
            jd_buf *values, size_t nslots, xs_term_fn fn, void *ctx, char *msg,
            size_t msglen) noexcept
{
    return guarded(d, msg, msglen, [&] {
        Xapian::Document doc = d->db.get_document(docid);
        for (size_t i = 0; i < nslots; i++) {
            std::string v = doc.get_value(slots[i]);
            buf_clear(&values[i]);
            if (buf_append(&values[i], v.data(), v.size()) != JD_OK)
                throw std::bad_alloc();
        }
        if (!fn)
            return;
        for (Xapian::TermIterator t = doc.termlist_begin();
             t != doc.termlist_end(); ++t) {
            const std::string &term = *t;
            if (fn(ctx, term.data(), term.size(), t.get_wdf()) != 0)
                break;
        }
    });
}

extern "C" jd_status
xs_value_by_term(struct xs_db *d, const char *term, unsigned slot, jd_buf *out,
                 char *msg, size_t msglen) noexcept
{
    bool found = false;
    jd_status st = guarded(d, msg, msglen, [&] {
        Xapian::PostingIterator p = d->db.postlist_begin(term);
        found = p != d->db.postlist_end(term);
        if (!found)
            return;
        std::string v = d->db.get_document(*p).get_value(slot);
        buf_clear(out);
        if (buf_append(out, v.data(), v.size()) != JD_OK)
            throw std::bad_alloc();
    });
    return st == JD_OK && !found ? JD_ERR_NOT_FOUND : st;
}

extern "C" jd_status
xs_allterms(struct xs_db *d, const char *prefix, xs_term_fn fn, void *ctx,
            char *msg, size_t msglen) noexcept
{
    return guarded(d, msg, msglen, [&] {
        for (Xapian::TermIterator t = d->db.allterms_begin(prefix);
             t != d->db.allterms_end(prefix); ++t) {
            const std::string &term = *t;
            if (fn(ctx, term.data(), term.size(), t.get_termfreq()) != 0)
                break;
        }
    });
}

extern "C" jd_status
xs_doc_terms(struct xs_db *d, unsigned docid, xs_term_fn fn, void *ctx,
             char *msg, size_t msglen) noexcept
{
    return guarded(d, msg, msglen, [&] {
        for (Xapian::TermIterator t = d->db.termlist_begin(docid);
             t != d->db.termlist_end(docid); ++t) {
            const std::string &term = *t;
            if (fn(ctx, term.data(), term.size(), t.get_wdf()) != 0)
                break;
        }
    });
}

extern "C" jd_status
xs_postings(struct xs_db *d, const char *term, xs_posting_fn fn, void *ctx,
            char *msg, size_t msglen) noexcept
{
    return guarded(d, msg, msglen, [&] {
        for (Xapian::PostingIterator p = d->db.postlist_begin(term);
             p != d->db.postlist_end(term); ++p)
            if (fn(ctx, *p) != 0)
                break;
    });
}

extern "C" jd_status
xs_compact(const char *const *sources, size_t n, const char *dest, char *msg,
           size_t msglen) noexcept
{
    try {
        Xapian::Database all;
        for (size_t i = 0; i < n; i++)
            all.add_database(Xapian::Database(sources[i]));
        all.compact(dest, Xapian::DBCOMPACT_MULTIPASS);
        return JD_OK;
    } catch (...) {
        return status_from_exception(msg, msglen);
    }
}

/* Whether LINE of Xapian's check output says nothing is wrong. */
static bool
check_line_is_news(const std::string &line)
{
    return !line.empty() && line.back() != ':' &&
           line.find("checked OK") == std::string::npos &&
           line.find("Lazily created") == std::string::npos &&
           line.find("errors found") == std::string::npos;
}

extern "C" jd_status
xs_check(const char *path, size_t *errors, jd_buf *report, char *msg,
         size_t msglen) noexcept
{
    *errors = 0;
    try {
        std::ostringstream out;
        *errors = Xapian::Database::check(path, 0, &out);
        /* "table:" heads each table's lines; keep the others, each
         * after its table's name. */
        std::istringstream in(out.str());
        std::string line, table;
        buf_clear(report);
        while (std::getline(in, line)) {
            if (!line.empty() && line.back() == ':')
                table = line.substr(0, line.size() - 1);
            if (!check_line_is_news(line) || report->len > 400)
                continue;
            std::string item = report->len ? "; " : "";
            item += table;
            item += ": ";
            item += line;
            if (buf_append(report, item.data(), item.size()) != JD_OK)
                throw std::bad_alloc();
        }
        return JD_OK;
    } catch (const Xapian::DatabaseOpeningError &) {
        return status_from_exception(msg, msglen);
    } catch (const std::bad_alloc &) {
        return status_from_exception(msg, msglen);
    } catch (...) {
        /* Whatever else stops the check (DatabaseError "Block 4 item
         * 115: item ends outside block", std::length_error from a
         * damaged length) is damage. */
        status_from_exception(msg, msglen);
        return JD_ERR_CORRUPT;
    }
}

/* ------------------------------------------------------------------ */
/* Documents                                                           */
/* ------------------------------------------------------------------ */

extern "C" jd_status
xs_doc_new(struct xs_doc **out) noexcept
{
    *out = nullptr;
    try {
        /* Xapian::Document() allocates: its bad_alloc must not escape. */
        *out = new xs_doc;
        return JD_OK;
    } catch (...) {
        return status_from_exception(nullptr, 0);
    }
}

extern "C" void
xs_doc_free(struct xs_doc *doc) noexcept
{
    delete doc;
}

extern "C" void
xs_doc_clear(struct xs_doc *doc) noexcept
{
    try {
        doc->doc = Xapian::Document();
    } catch (...) {
        /* Document() only allocates; on failure the old one stays and
         * the next add reports the memory problem. */
    }
}

extern "C" jd_status
xs_doc_add_posting(struct xs_doc *doc, const char *term, size_t len,
                   unsigned pos) noexcept
{
    try {
        doc->doc.add_posting(std::string(term, len), pos);
        return JD_OK;
    } catch (...) {
        return status_from_exception(nullptr, 0);
    }
}

extern "C" jd_status
xs_doc_add_term(struct xs_doc *doc, const char *term, size_t len,
                unsigned wdf) noexcept
{
    try {
        doc->doc.add_term(std::string(term, len), wdf);
        return JD_OK;
    } catch (...) {
        return status_from_exception(nullptr, 0);
    }
}

extern "C" jd_status
xs_doc_add_boolean(struct xs_doc *doc, const char *term, size_t len) noexcept
{
    try {
        doc->doc.add_boolean_term(std::string(term, len));
        return JD_OK;
    } catch (...) {
        return status_from_exception(nullptr, 0);
    }
}

extern "C" jd_status
xs_doc_set_value(struct xs_doc *doc, unsigned slot, const char *data,
                 size_t len) noexcept
{
    try {
        doc->doc.add_value(slot, std::string(data, len));
        return JD_OK;
    } catch (...) {
        return status_from_exception(nullptr, 0);
    }
}

extern "C" jd_status
xs_doc_set_number(struct xs_doc *doc, unsigned slot, double value) noexcept
{
    try {
        doc->doc.add_value(slot, Xapian::sortable_serialise(value));
        return JD_OK;
    } catch (...) {
        return status_from_exception(nullptr, 0);
    }
}

extern "C" jd_status
xs_doc_set_data(struct xs_doc *doc, const char *data, size_t len) noexcept
{
    try {
        doc->doc.set_data(std::string(data, len));
        return JD_OK;
    } catch (...) {
        return status_from_exception(nullptr, 0);
    }
}

/* ------------------------------------------------------------------ */
/* Queries                                                             */
/* ------------------------------------------------------------------ */

extern "C" void
xs_query_free(struct xs_query *q) noexcept
{
    delete q;
}

static jd_status
wrap_query(const Xapian::Query &q, struct xs_query **out)
{
    *out = new (std::nothrow) xs_query;
    if (!*out)
        return JD_ERR_NOMEM;
    (*out)->q = q;
    return JD_OK;
}

extern "C" jd_status
xs_query_term(const char *term, size_t len, unsigned wqf,
              struct xs_query **out) noexcept
{
    *out = nullptr;
    try {
        return wrap_query(Xapian::Query(std::string(term, len), wqf), out);
    } catch (...) {
        return status_from_exception(nullptr, 0);
    }
}

extern "C" jd_status
xs_query_combine(enum xs_op op, struct xs_query *const *subs, size_t n,
                 unsigned param, struct xs_query **out) noexcept
{
    *out = nullptr;
    try {
        std::vector<Xapian::Query> v;
        v.reserve(n);
        for (size_t i = 0; i < n; i++)
            if (subs[i])
                v.push_back(subs[i]->q);
        Xapian::Query::op xop = xapian_op(op);
        if (v.empty())
            return wrap_query(Xapian::Query(), out);
        if (xop == Xapian::Query::OP_PHRASE || xop == Xapian::Query::OP_NEAR)
            return wrap_query(Xapian::Query(xop, v.begin(), v.end(), param),
                              out);
        return wrap_query(Xapian::Query(xop, v.begin(), v.end()), out);
    } catch (...) {
        return status_from_exception(nullptr, 0);
    }
}

extern "C" jd_status
xs_query_scale(const struct xs_query *q, double factor,
               struct xs_query **out) noexcept
{
    *out = nullptr;
    try {
        return wrap_query(
            Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q->q, factor), out);
    } catch (...) {
        return status_from_exception(nullptr, 0);
    }
}

extern "C" jd_status
xs_query_number_range(unsigned slot, double lo, double hi,
                      struct xs_query **out) noexcept
{
    *out = nullptr;
    try {
        return wrap_query(Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot,
                                        Xapian::sortable_serialise(lo),
                                        Xapian::sortable_serialise(hi)),
                          out);
    } catch (...) {
        return status_from_exception(nullptr, 0);
    }
}

extern "C" bool
xs_query_is_empty(const struct xs_query *q) noexcept
{
    return q->q.empty();
}

extern "C" jd_status
xs_query_parse(struct xs_db *d, struct analyzer *a, const char *text,
               size_t len, const struct xs_parse *opts, struct xs_query **out,
               char *msg, size_t msglen) noexcept
{
    *out = nullptr;
    jd_buf norm = {nullptr, 0, 0};
    try {
        jd_status st = analyze_normalize(text, len, &norm);
        if (st == JD_ERR_INVALID_ARG) {
            copy_msg(msg, msglen, "query is not valid UTF-8");
            return JD_ERR_QUERY_SYNTAX;
        }
        if (st != JD_OK) {
            jd_buf_free(&norm);
            return st;
        }
        std::string qs(norm.data ? norm.data : "", norm.len);
        jd_buf_free(&norm);

        Xapian::QueryParser qp;
        qp.set_stemmer(Xapian::Stem(new AnalyzerStem(a)));
        qp.set_stemming_strategy(Xapian::QueryParser::STEM_ALL);
        qp.set_default_op(opts->default_or ? Xapian::Query::OP_OR
                                           : Xapian::Query::OP_AND);
        qp.set_max_expansion(500, Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT,
                             Xapian::QueryParser::FLAG_WILDCARD |
                                 Xapian::QueryParser::FLAG_PARTIAL);
        if (d)
            qp.set_database(d->db);
        for (size_t i = 0; i < opts->nfields; i++) {
            const struct xs_field *f = &opts->fields[i];
            if (f->boolean)
                qp.add_boolean_prefix(f->field, f->prefix);
            else
                qp.add_prefix(f->field, f->prefix);
        }
        unsigned flags = Xapian::QueryParser::FLAG_PHRASE;
        if (!opts->plain) {
            flags |= Xapian::QueryParser::FLAG_BOOLEAN |
                     Xapian::QueryParser::FLAG_LOVEHATE |
                     Xapian::QueryParser::FLAG_PURE_NOT;
            if (d)
                flags |= Xapian::QueryParser::FLAG_WILDCARD;
            qp.add_boolean_prefix(EVERYTHING_FIELD,
                                  (new EverythingField)->release());
            qs = everything_before_exclusions(qs);
        }
        Xapian::Query q = qp.parse_query(qs, flags);
        bool changed = false;
        q = strip_stopwords(q, changed);
        if (!has_searchable_leaf(q)) {
            copy_msg(msg, msglen, "no searchable words (only stop words)");
            return JD_ERR_QUERY_SYNTAX;
        }
        /* Parsing is linear in the text; matching an OR of many terms
         * is not (Xapian's OR tree), so the cap is on the parsed query. */
        size_t terms = leaf_count(q);
        if (opts->max_terms > 0 && terms > opts->max_terms) {
            char why[128];
            snprintf(why, sizeof(why),
                     "query has %zu terms, over the %zu-term limit", terms,
                     opts->max_terms);
            copy_msg(msg, msglen, why);
            return JD_ERR_TOO_BIG;
        }
        return wrap_query(q, out);
    } catch (...) {
        jd_buf_free(&norm);
        return status_from_exception(msg, msglen, d ? &d->path : nullptr);
    }
}

extern "C" size_t
xs_query_size(const struct xs_query *q) noexcept
{
    return leaf_count(q->q);
}

extern "C" jd_status
xs_query_terms(const struct xs_query *q, xs_term_fn fn, void *ctx) noexcept
{
    try {
        for (Xapian::TermIterator t = q->q.get_unique_terms_begin();
             t != q->q.get_unique_terms_end(); ++t) {
            const std::string &term = *t;
            if (fn(ctx, term.data(), term.size(), 0) != 0)
                break;
        }
        return JD_OK;
    } catch (...) {
        return status_from_exception(nullptr, 0);
    }
}

namespace
{

struct walker {
    /* NOLINTBEGIN(misc-non-private-member-variables-in-classes): a local
     * helper, set up by aggregate initialisation in xs_query_walk(). */
    xs_phrase_fn phrase;
    xs_leaf_fn term;
    void *ctx;
    bool stop = false;
    /* NOLINTEND(misc-non-private-member-variables-in-classes) */

    void leaf(const Xapian::Query &q, bool in_phrase)
    {
        Xapian::TermIterator t = q.get_terms_begin();
        if (t == q.get_terms_end() || !term || stop)
            return;
        const std::string &s = *t;
        stop = term(ctx, s.data(), s.size(), in_phrase, false) != 0;
    }

    /* Xapian 1.4 has no accessor for a wildcard's pattern; its
     * description is always "Query(WILDCARD <OP> <pattern>)". */
    void wildcard(const Xapian::Query &q, bool in_phrase)
    {
        if (!term || stop)
            return;
        std::string d = q.get_description();
        size_t end = d.rfind(')');
        size_t sp = d.rfind(' ', end);
        if (end == std::string::npos || sp == std::string::npos || sp >= end)
            return;
        std::string pat = d.substr(sp + 1, end - sp - 1);
        stop = term(ctx, pat.data(), pat.size(), in_phrase, true) != 0;
    }

    /* NOLINTBEGIN(misc-no-recursion): as deep as the query's nesting. */
    void walk(const Xapian::Query &q, bool in_phrase)
    {
        if (stop)
            return;
        Xapian::Query::op op = q.get_type();
        if (op == Xapian::Query::LEAF_TERM) {
            leaf(q, in_phrase);
            return;
        }
        if (op == Xapian::Query::OP_WILDCARD) {
            wildcard(q, in_phrase);
            return;
        }
        size_t n = q.get_num_subqueries();
        if (op == Xapian::Query::OP_PHRASE || op == Xapian::Query::OP_NEAR) {
            std::vector<std::string> terms;
            for (size_t i = 0; i < n; i++) {
                Xapian::Query sub = q.get_subquery(i);
                if (sub.get_type() == Xapian::Query::LEAF_TERM &&
                    sub.get_terms_begin() != sub.get_terms_end())
                    terms.push_back(*sub.get_terms_begin());
                walk(sub, true);
            }
            if (phrase && !stop && !terms.empty()) {
                std::vector<const char *> ptrs;
                std::vector<size_t> lens;
                for (const auto &t : terms) {
                    ptrs.push_back(t.data());
                    lens.push_back(t.size());
                }
                unsigned w = positional_window(
                    q, op == Xapian::Query::OP_PHRASE ? "PHRASE" : "NEAR");
                stop =
                    phrase(ctx, ptrs.data(), lens.data(), terms.size(), w) != 0;
            }
            return;
        }
        for (size_t i = 0; i < n; i++)
            walk(q.get_subquery(i), in_phrase);
    }
    /* NOLINTEND(misc-no-recursion) */
};

} // namespace

extern "C" jd_status
xs_query_walk(const struct xs_query *q, xs_phrase_fn phrase, xs_leaf_fn term,
              void *ctx) noexcept
{
    try {
        walker w{phrase, term, ctx};
        w.walk(q->q, false);
        return JD_OK;
    } catch (...) {
        return status_from_exception(nullptr, 0);
    }
}

extern "C" jd_status
xs_query_describe(const struct xs_query *q, jd_buf *out) noexcept
{
    try {
        std::string d = q->q.get_description();
        return buf_append(out, d.data(), d.size());
    } catch (...) {
        return status_from_exception(nullptr, 0);
    }
}

/* ------------------------------------------------------------------ */
/* Searching                                                           */
/* ------------------------------------------------------------------ */

extern "C" jd_status
xs_enquire(struct xs_db *d, const struct xs_search *s, struct xs_mset **out,
           char *msg, size_t msglen) noexcept
{
    *out = nullptr;
    xs_mset *m = nullptr;
    jd_status st = guarded(d, msg, msglen, [&] {
        delete m;
        m = nullptr;
        /* guarded() maps bad_alloc to JD_ERR_NOMEM. */
        /* NOLINTNEXTLINE(bugprone-unhandled-exception-at-new) */
        m = new xs_mset(d->db);
        m->path = d->path;
        m->enq.set_query(s->query->q);
        if (s->boolean) {
            m->enq.set_weighting_scheme(Xapian::BoolWeight());
        } else {
            double k1 = s->k1 > 0 ? s->k1 : 1.2;
            double b = s->k1 > 0 ? s->b : 0.75;
            if (s->delta > 0)
                m->enq.set_weighting_scheme(
                    Xapian::BM25PlusWeight(k1, 0.0, 1.0, b, 0.5, s->delta));
            else
                m->enq.set_weighting_scheme(
                    Xapian::BM25Weight(k1, 0.0, 1.0, b, 0.5));
        }
        m->enq.set_docid_order(Xapian::Enquire::ASCENDING);
        if (s->collapse_slot >= 0)
            m->enq.set_collapse_key(
                static_cast<Xapian::valueno>(s->collapse_slot));
        if (s->sort_slot >= 0)
            m->enq.set_sort_by_value_then_relevance(
                static_cast<Xapian::valueno>(s->sort_slot), s->sort_reverse);
        m->mset = m->enq.get_mset(static_cast<Xapian::doccount>(s->offset),
                                  static_cast<Xapian::doccount>(s->limit));
    });
    if (st != JD_OK) {
        delete m;
        return st;
    }
    *out = m;
    return JD_OK;
}

extern "C" void
xs_mset_free(struct xs_mset *m) noexcept
{
    delete m;
}

extern "C" size_t
xs_mset_size(const struct xs_mset *m) noexcept
{
    return m->mset.size();
}

extern "C" size_t
xs_mset_estimated(const struct xs_mset *m) noexcept
{
    return m->mset.get_matches_estimated();
}

extern "C" unsigned
xs_mset_docid(const struct xs_mset *m, size_t i) noexcept
{
    try {
        return *(m->mset[static_cast<Xapian::doccount>(i)]);
    } catch (...) {
        return 0;
    }
}

extern "C" double
xs_mset_weight(const struct xs_mset *m, size_t i) noexcept
{
    try {
        return m->mset[static_cast<Xapian::doccount>(i)].get_weight();
    } catch (...) {
        return 0.0;
    }
}

extern "C" jd_status
xs_mset_data(struct xs_mset *m, size_t i, jd_buf *out, char *msg,
             size_t msglen) noexcept
{
    try {
        std::string data =
            m->mset[static_cast<Xapian::doccount>(i)].get_document().get_data();
        buf_clear(out);
        return buf_append(out, data.data(), data.size());
    } catch (...) {
        return status_from_exception(msg, msglen, &m->path);
    }
}

extern "C" jd_status
xs_mset_value(struct xs_mset *m, size_t i, unsigned slot, jd_buf *out,
              char *msg, size_t msglen) noexcept
{
    try {
        std::string v =
            m->mset[static_cast<Xapian::doccount>(i)].get_document().get_value(
                slot);
        buf_clear(out);
        return buf_append(out, v.data(), v.size());
    } catch (...) {
        return status_from_exception(msg, msglen, &m->path);
    }
}

extern "C" jd_status
xs_mset_matching_terms(struct xs_mset *m, size_t i, xs_term_fn fn, void *ctx,
                       char *msg, size_t msglen) noexcept
{
    try {
        Xapian::MSetIterator it = m->mset[static_cast<Xapian::doccount>(i)];
        for (Xapian::TermIterator t = m->enq.get_matching_terms_begin(it);
             t != m->enq.get_matching_terms_end(it); ++t) {
            const std::string &term = *t;
            if (fn(ctx, term.data(), term.size(), 0) != 0)
                break;
        }
        return JD_OK;
    } catch (...) {
        return status_from_exception(msg, msglen, &m->path);
    }
}
