/*
 * fuzz_query.c: query parsing and running. The input is taken as an
 * ad-hoc search (Xapian's QueryParser with the jobdex analyzer as its
 * stemmer, field prefixes, filters, wildcards), as a match text and as a
 * keyword list, against a small index of corpus/ built once at start-up
 * in a temporary directory. Whatever the input, the answer is results
 * or one of the documented refusals with a message (a malformed query,
 * no searchable word, more than JD_QUERY_MAX_TERMS terms).
 */
#define _XOPEN_SOURCE 700
#include "fuzz.h"

#include "jobdex.h"

#include <errno.h>
#include <ftw.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static jd_db *db;
static char dir[4096];

static jd_status
add_spec(void *ctx, jd_spec *s)
{
    jd_status st = jd_db_add(ctx, s);
    jd_spec_free(s);
    return st;
}

static jd_status
add_file(void *ctx, const char *path, const char *folder)
{
    struct jd_parse_opts o = {.format = JD_FORMAT_AUTO,
                              .folder_jurisdiction = folder};
    struct jd_parse_sink sink = {add_spec, NULL, ctx};
    char why[256];
    jd_status st = jd_parse_file(path, &o, &sink, why, sizeof(why));
    return st == JD_ERR_INVALID_ARG ? JD_OK : st;
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void
cleanup(void)
{
    jd_db_free(db);
    db = NULL;
    if (dir[0])
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Index $JOBDEX_FUZZ_CORPUS (default corpus/) into a new directory, then
 * reopen it read-only as the queries see it. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *corpus = getenv("JOBDEX_FUZZ_CORPUS");
    if (!corpus || !*corpus)
        corpus = "corpus";
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof(dir), "%s/jobdex-fuzz-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        abort();
    }
    atexit(cleanup);
    char path[4200];
    snprintf(path, sizeof(path), "%s/q.db", dir);
    FUZZ_CHECK(jd_db_new(&db) == JD_OK);
    FUZZ_CHECK(jd_db_open(db, path, JD_OPEN_WRITE | JD_OPEN_CREATE) == JD_OK);
    struct jd_walk_sink ws = {add_file, NULL, db};
    FUZZ_CHECK(jd_walk(&corpus, 1, 0, &ws) == JD_OK);
    FUZZ_CHECK(jd_db_commit(db) == JD_OK);
    size_t n = 0;
    FUZZ_CHECK(jd_db_count(db, &n) == JD_OK && n > 0);
    jd_db_free(db);
    FUZZ_CHECK(jd_db_new(&db) == JD_OK);
    FUZZ_CHECK(jd_db_open(db, path, JD_OPEN_READ) == JD_OK);
    return 0;
}

static void
check_results(jd_status st, jd_results *res, bool match)
{
    if (st != JD_OK) {
        FUZZ_CHECK(res == NULL);
        FUZZ_CHECK(st == JD_ERR_QUERY_SYNTAX || st == JD_ERR_INVALID_ARG ||
                   st == JD_ERR_TOO_BIG);
        FUZZ_CHECK(strcmp(jd_db_errmsg(db), "no error") != 0);
        return;
    }
    size_t n = jd_results_count(res);
    FUZZ_CHECK(n <= 5 && jd_results_total(res) >= n);
    for (size_t i = 0; i < n; i++) {
        const struct jd_hit *h = jd_results_get(res, i);
        FUZZ_CHECK(h->rank == i + 1 && h->spec && h->spec->id);
        FUZZ_CHECK(h->percent <= 100);
        FUZZ_CHECK(!match || h->confidence);
        for (size_t k = 0; k < h->nsnippets; k++) {
            const struct jd_snippet *sn = &h->snippets[k];
            size_t len = strlen(sn->text);
            for (size_t j = 0; j < sn->nspans; j++)
                FUZZ_CHECK(sn->spans[j].start < sn->spans[j].end &&
                           sn->spans[j].end <= len);
        }
    }
    jd_results_free(res);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A command line cannot carry NUL; the text is cut there. */
    char *text = malloc(size + 1);
    FUZZ_CHECK(text);
    memcpy(text, data, size);
    text[size] = '\0';
    size_t len = strlen(text);

    jd_results *res = NULL;
    jd_status st = jd_search(db, text, NULL, 5, &res);
    check_results(st, res, false);

    struct jd_match_opts mo;
    memset(&mo, 0, sizeof(mo));
    mo.limit = 5;
    mo.explain = true;
    res = NULL;
    st = jd_match(db, text, len, &mo, &res);
    check_results(st, res, true);

    mo.keywords = true;
    mo.explain = false;
    res = NULL;
    st = jd_match(db, text, len, &mo, &res);
    check_results(st, res, true);
    free(text);
    return 0;
}
