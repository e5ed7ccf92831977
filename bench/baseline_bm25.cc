/*
 * baseline_bm25: the ranking a user would get from Xapian out of the box,
 * for bench/eval.sh to compare jobdex's `match` against.
 *
 * Each occupation becomes ONE flat text (every field and item joined),
 * indexed with TermGenerator and searched with QueryParser and the
 * default BM25Weight, all with default settings apart from the English
 * stemmer. There is deliberately no field weighting, no item documents
 * and no query rewriting: those are what jobdex adds, so this is the
 * yardstick for whether they help.
 *
 *   baseline_bm25 index DBDIR RECORDS.jsonl     (jobdex-index --dump lines)
 *   baseline_bm25 query DBDIR QUERIES.jsonl [N] (lines {"id", "text"})
 *
 * Exit status: 0 ok, 2 usage error, 3 any other failure (as jobdex's
 * tools). It is a bench tool, not part of libjobdex, so it talks to
 * Xapian directly instead of through indexer/xapian_shim.cc.
 */
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>

#include <jansson.h>
#include <xapian.h>

namespace
{

const char prog[] = "baseline_bm25";

/* Owns one JSON value so every exit path releases it. */
class Json
{
  public:
    explicit Json(json_t *value) : v(value)
    {
    }
    ~Json()
    {
        json_decref(v);
    }
    Json(const Json &) = delete;
    Json &operator=(const Json &) = delete;
    json_t *get() const
    {
        return v;
    }

  private:
    json_t *v;
};

int
usage_error(const char *msg)
{
    std::fprintf(stderr, "%s: %s\n", prog, msg);
    std::fprintf(stderr,
                 "usage: %s index DBDIR RECORDS.jsonl\n"
                 "       %s query DBDIR QUERIES.jsonl [N]\n",
                 prog, prog);
    return 2;
}

/* Appends a string member of OBJ (skipped when null or absent). */
void
add_string(std::string &text, const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    if (s != nullptr && *s != '\0') {
        text += s;
        text += '\n';
    }
}

/*
 * Appends every item of the array OBJ[KEY]. Items are objects with a
 * "text" (duties, knowledge, ...) or plain strings (alt_titles, and
 * tools as --dump prints them for O*NET), so both are accepted.
 */
void
add_items(std::string &text, const json_t *obj, const char *key)
{
    const json_t *arr = json_object_get(obj, key);
    size_t i;
    const json_t *item;
    json_array_foreach(arr, i, item)
    {
        const json_t *s =
            json_is_object(item) ? json_object_get(item, "text") : item;
        if (json_is_string(s) && json_string_length(s) > 0) {
            text += json_string_value(s);
            text += '\n';
        }
    }
}

std::string
flat_text(const json_t *rec)
{
    static const char *const lists[] = {"duties",    "knowledge", "skills",
                                        "abilities", "education", "licenses",
                                        "other"};
    std::string text;
    add_string(text, rec, "title");
    add_items(text, rec, "alt_titles");
    add_string(text, rec, "summary");
    add_string(text, rec, "distinguishing");
    for (const char *key : lists)
        add_items(text, rec, key);
    add_string(text, rec, "supervision");
    add_string(text, rec, "working_conditions");
    add_items(text, rec, "tools");
    return text;
}

int
cmd_index(const char *dbdir, const char *path)
{
    std::ifstream in(path);
    if (!in) {
        std::fprintf(stderr, "%s: cannot read '%s': %s\n", prog, path,
                     std::strerror(errno));
        return 3;
    }
    try {
        Xapian::WritableDatabase db(dbdir, Xapian::DB_CREATE_OR_OVERWRITE);
        Xapian::TermGenerator tg;
        tg.set_stemmer(Xapian::Stem("english"));
        /*
         * Destroying a WritableDatabase commits what it holds; inside a
         * transaction an early error return discards it instead.
         */
        db.begin_transaction(false);
        std::string line;
        size_t lineno = 0, count = 0;
        while (std::getline(in, line)) {
            lineno++;
            if (line.empty())
                continue;
            json_error_t err;
            Json rec(json_loads(line.c_str(), 0, &err));
            const char *code =
                json_string_value(json_object_get(rec.get(), "code"));
            if (code == nullptr || *code == '\0') {
                std::fprintf(stderr, "%s: '%s' line %zu: %s\n", prog, path,
                             lineno,
                             rec.get() ? "record has no \"code\"" : err.text);
                return 3;
            }
            Xapian::Document doc;
            tg.set_document(doc);
            tg.index_text(flat_text(rec.get()));
            std::string idterm = std::string("Q") + code;
            doc.add_boolean_term(idterm);
            doc.set_data(code);
            db.replace_document(idterm, doc);
            count++;
        }
        if (in.bad()) {
            std::fprintf(stderr, "%s: cannot read '%s'\n", prog, path);
            return 3;
        }
        db.commit_transaction();
        std::fprintf(stderr, "%s: indexed %zu records into '%s'\n", prog, count,
                     dbdir);
        return 0;
    } catch (const Xapian::Error &e) {
        std::fprintf(stderr, "%s: cannot index into '%s': %s\n", prog, dbdir,
                     e.get_description().c_str());
        return 3;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "%s: cannot index into '%s': %s\n", prog, dbdir,
                     e.what());
        return 3;
    }
}

/* The top N codes for TEXT; an empty or unparseable text gives []. */
json_t *
search(Xapian::Enquire &enquire, Xapian::QueryParser &qp, const char *text,
       unsigned n)
{
    json_t *results = json_array();
    Xapian::Query query;
    try {
        query = qp.parse_query(text);
    } catch (const Xapian::QueryParserError &) {
        return results;
    }
    if (query.empty())
        return results;
    enquire.set_query(query);
    Xapian::MSet mset = enquire.get_mset(0, n);
    unsigned rank = 0;
    for (auto it = mset.begin(); it != mset.end(); ++it) {
        const std::string code = it.get_document().get_data();
        json_array_append_new(results,
                              json_pack("{s:I,s:s}", "rank", (json_int_t)++rank,
                                        "code", code.c_str()));
    }
    return results;
}

int
cmd_query(const char *dbdir, const char *path, unsigned n)
{
    std::ifstream in(path);
    if (!in) {
        std::fprintf(stderr, "%s: cannot read '%s': %s\n", prog, path,
                     std::strerror(errno));
        return 3;
    }
    try {
        Xapian::Database db(dbdir);
        Xapian::QueryParser qp;
        qp.set_stemmer(Xapian::Stem("english"));
        qp.set_database(db);
        Xapian::Enquire enquire(db);
        std::string line;
        size_t lineno = 0;
        while (std::getline(in, line)) {
            lineno++;
            if (line.empty())
                continue;
            json_error_t err;
            Json q(json_loads(line.c_str(), 0, &err));
            const json_t *id = json_object_get(q.get(), "id");
            if (id == nullptr) {
                std::fprintf(stderr, "%s: '%s' line %zu: %s\n", prog, path,
                             lineno,
                             q.get() ? "query has no \"id\"" : err.text);
                return 3;
            }
            const char *text =
                json_string_value(json_object_get(q.get(), "text"));
            Json out(json_pack("{s:O,s:o}", "query", id, "results",
                               search(enquire, qp, text ? text : "", n)));
            char *s = json_dumps(out.get(), JSON_COMPACT);
            if (s == nullptr || std::puts(s) == EOF) {
                std::free(s);
                std::fprintf(stderr, "%s: cannot write results\n", prog);
                return 3;
            }
            std::free(s);
        }
        if (in.bad()) {
            std::fprintf(stderr, "%s: cannot read '%s'\n", prog, path);
            return 3;
        }
    } catch (const Xapian::Error &e) {
        std::fprintf(stderr, "%s: cannot search '%s': %s\n", prog, dbdir,
                     e.get_description().c_str());
        return 3;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "%s: cannot search '%s': %s\n", prog, dbdir,
                     e.what());
        return 3;
    }
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
        std::fprintf(stderr, "%s: cannot write results\n", prog);
        return 3;
    }
    return 0;
}

} // namespace

int
main(int argc, char **argv)
{
    if (argc == 4 && std::strcmp(argv[1], "index") == 0)
        return cmd_index(argv[2], argv[3]);
    if ((argc == 4 || argc == 5) && std::strcmp(argv[1], "query") == 0) {
        unsigned n = 10;
        if (argc == 5) {
            char *end;
            unsigned long v = std::strtoul(argv[4], &end, 10);
            if (*end != '\0' || v == 0 || v > 100000)
                return usage_error("invalid N");
            n = (unsigned)v;
        }
        return cmd_query(argv[2], argv[3], n);
    }
    return usage_error("bad arguments");
}
