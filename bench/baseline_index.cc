/*
 * baseline_index.cc: the Xapian TermGenerator baseline of the indexing
 * benchmark -- what a Xapian user would write to index the same files.
 *
 *   baseline_index DBDIR PATH...
 *
 * One process, one WritableDatabase, one document per *.txt file under
 * each PATH (directories walked in name order, names starting with '.'
 * skipped, as jobdex does): the whole text goes through TermGenerator
 * with the English stemmer and STEM_ALL (one stemmed term per word, with
 * its position, no unstemmed copy: how jobdex stores its terms), jobdex's
 * stop words dropped (so both indexes hold the same number of postings;
 * TermGenerator closes up the gaps a stop word leaves, which jobdex keeps,
 * and has no switch to keep them), a unique "Q" id term, and
 * replace_document() on it as a re-indexing user would. Xapian flushes
 * every XAPIAN_FLUSH_THRESHOLD documents (its default 10,000) and we
 * commit once at the end. Prints one line on stdout:
 *
 *   docs N bytes B seconds S docs_per_s R xapian VERSION flush F
 *
 * It leaves out everything jobdex adds: fields, per-duty documents,
 * filter terms, values and parsing, so the ratio to it is the price of
 * those.
 */
#include <xapian.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace fs = std::filesystem;

static const char usage_text[] =
    "Usage: baseline_index DBDIR PATH...\n"
    "Index every *.txt file under PATH into a new Xapian database DBDIR\n"
    "with TermGenerator (English stemmer, STEM_ALL, positions).\n"
    "XAPIAN_FLUSH_THRESHOLD sets Xapian's auto-flush interval.\n"
    "\n"
    "Exit status: 0 success, 2 usage error, 3 any other failure.\n"
    "\n"
    "Example:\n"
    "  XAPIAN_FLUSH_THRESHOLD=1000 baseline_index build/bench/tg.db corpus\n";

/* jobdex's stop list, so that both indexes hold the same words. */
static const char *const stopwords[] = {
#include "indexer/text/stopwords.inc"
};

static bool
is_txt(const fs::path &p)
{
    return p.extension() == ".txt";
}

static bool
is_hidden(const fs::path &p)
{
    std::string name = p.filename().string();
    return !name.empty() && name[0] == '.';
}

/* The *.txt files under PATH, in name order. */
static void
walk(const fs::path &path, std::vector<std::string> &out)
{
    if (!fs::is_directory(path)) {
        out.push_back(path.string());
        return;
    }
    std::vector<fs::path> children;
    for (const auto &e : fs::directory_iterator(path))
        if (!is_hidden(e.path()))
            children.push_back(e.path());
    std::sort(children.begin(), children.end());
    for (const auto &c : children)
        if (fs::is_directory(c) || is_txt(c))
            walk(c, out);
}

static std::string
read_file(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot open '" + path + "'");
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

static int
run(const char *dbdir, int npaths, char **paths)
{
    auto t0 = std::chrono::steady_clock::now();
    std::vector<std::string> files;
    for (int i = 0; i < npaths; i++)
        walk(paths[i], files);

    Xapian::WritableDatabase db(dbdir, Xapian::DB_CREATE_OR_OVERWRITE);
    Xapian::TermGenerator tg;
    tg.set_stemmer(Xapian::Stem("english"));
    tg.set_stemming_strategy(Xapian::TermGenerator::STEM_ALL);
    Xapian::SimpleStopper stopper(std::begin(stopwords), std::end(stopwords));
    tg.set_stopper(&stopper);
    tg.set_stopper_strategy(Xapian::TermGenerator::STOP_ALL);

    unsigned long long bytes = 0;
    for (const auto &path : files) {
        std::string text = read_file(path);
        bytes += text.size();
        Xapian::Document doc;
        doc.set_data(path);
        tg.set_document(doc);
        tg.index_text(text);
        std::string id = "Q" + path;
        doc.add_boolean_term(id);
        db.replace_document(id, doc);
    }
    db.commit();
    db.close();

    double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
            .count();
    const char *flush = std::getenv("XAPIAN_FLUSH_THRESHOLD");
    std::printf("docs %zu bytes %llu seconds %.2f docs_per_s %.1f xapian %s "
                "flush %s\n",
                files.size(), bytes, secs,
                secs > 0 ? (double)files.size() / secs : 0.0,
                Xapian::version_string(), flush ? flush : "default");
    return std::fflush(stdout) == 0 && !std::ferror(stdout) ? 0 : 3;
}

int
main(int argc, char **argv)
{
    if (argc >= 2 && std::strcmp(argv[1], "--help") == 0) {
        std::fputs(usage_text, stdout);
        return std::fflush(stdout) == 0 ? 0 : 3;
    }
    if (argc < 3) {
        std::fputs("baseline_index: need a DBDIR and at least one PATH\n"
                   "Try 'baseline_index --help' for more information.\n",
                   stderr);
        return 2;
    }
    try {
        return run(argv[1], argc - 2, argv + 2);
    } catch (const Xapian::Error &e) {
        std::fprintf(stderr, "baseline_index: cannot index into '%s': %s\n",
                     argv[1], e.get_description().c_str());
    } catch (const std::exception &e) {
        std::fprintf(stderr, "baseline_index: cannot index into '%s': %s\n",
                     argv[1], e.what());
    }
    return 3;
}
