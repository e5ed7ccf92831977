/*
 * test_shim.c: the Xapian wrapper: error mapping, transactions, query
 * parsing with the indexer's analyzer, and the proof that QueryParser
 * produces exactly the terms the indexer writes, over every seed duty and
 * a sample of the CalHR specs.
 */
#include "indexer/store/xapian_shim.h"

#include "indexer/text/analyze.h"
#include "indexer/util/buf.h"
#include "testutil.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static char msg[512];

static void
test_shim_open_missing_is_not_found(void **state)
{
    (void)state;
    struct xs_db *db = NULL;
    assert_int_equal(
        xs_open("/nonexistent/jobdex/db", XS_READ, &db, msg, sizeof(msg)),
        JD_ERR_NOT_FOUND);
    assert_null(db);
    assert_true(strlen(msg) > 0);
}

static void
test_shim_second_writer_is_locked(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    struct xs_db *w1, *w2 = NULL;
    assert_int_equal(xs_open(dir, XS_CREATE, &w1, msg, sizeof(msg)), JD_OK);
    assert_int_equal(xs_open(dir, XS_CREATE, &w2, msg, sizeof(msg)),
                     JD_ERR_LOCKED);
    assert_null(w2);
    /* Readers are never blocked by the writer. */
    struct xs_db *r;
    assert_int_equal(xs_commit(w1, msg, sizeof(msg)), JD_OK);
    assert_int_equal(xs_open(dir, XS_READ, &r, msg, sizeof(msg)), JD_OK);
    xs_close(r);
    xs_close(w1);
    tu_rmtree(dir);
    free(dir);
}

static void
add_doc(struct xs_db *db, const char *id, const char *text, struct analyzer *a)
{
    struct xs_doc *doc;
    assert_int_equal(xs_doc_new(&doc), JD_OK);
    char idterm[64];
    snprintf(idterm, sizeof(idterm), "Q%s", id);
    assert_int_equal(xs_doc_add_boolean(doc, idterm, strlen(idterm)), JD_OK);
    /* Index as jobdex does: analysed terms at their positions. */
    const char *p = text;
    size_t pos = 0;
    jd_buf word = {NULL, 0, 0};
    while (*p) {
        while (*p == ' ')
            p++;
        const char *w = p;
        while (*p && *p != ' ')
            p++;
        if (p > w) {
            const char *term;
            size_t len;
            assert_int_equal(analyze_word(a, w, (size_t)(p - w), &term, &len),
                             JD_OK);
            if (term)
                assert_int_equal(
                    xs_doc_add_posting(doc, term, len, (unsigned)pos + 1),
                    JD_OK);
            pos++;
        }
    }
    jd_buf_free(&word);
    assert_int_equal(xs_doc_set_data(doc, id, strlen(id)), JD_OK);
    assert_int_equal(xs_replace(db, idterm, doc, msg, sizeof(msg)), JD_OK);
    xs_doc_free(doc);
}

static void
test_shim_uncommitted_changes_are_discarded_on_close(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    struct analyzer *a;
    assert_int_equal(analyzer_new(&a), JD_OK);
    struct xs_db *w;
    assert_int_equal(xs_open(dir, XS_CREATE, &w, msg, sizeof(msg)), JD_OK);
    add_doc(w, "one", "budget planning", a);
    assert_int_equal(xs_commit(w, msg, sizeof(msg)), JD_OK);
    add_doc(w, "two", "network security", a);
    xs_close(w); /* no commit: "two" must not survive */

    struct xs_db *r;
    size_t n;
    assert_int_equal(xs_open(dir, XS_READ, &r, msg, sizeof(msg)), JD_OK);
    assert_int_equal(xs_doccount(r, &n, msg, sizeof(msg)), JD_OK);
    assert_int_equal(n, 1);
    xs_close(r);
    analyzer_free(a);
    tu_rmtree(dir);
    free(dir);
}

static void
test_shim_metadata_round_trips(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    struct xs_db *w;
    jd_buf v = {NULL, 0, 0};
    assert_int_equal(xs_open(dir, XS_CREATE, &w, msg, sizeof(msg)), JD_OK);
    assert_int_equal(xs_set_metadata(w, "k", "value", msg, sizeof(msg)), JD_OK);
    assert_int_equal(xs_commit(w, msg, sizeof(msg)), JD_OK);
    assert_int_equal(xs_get_metadata(w, "k", &v, msg, sizeof(msg)), JD_OK);
    assert_string_equal(v.data, "value");
    assert_int_equal(xs_get_metadata(w, "absent", &v, msg, sizeof(msg)), JD_OK);
    assert_int_equal(v.len, 0);
    xs_close(w);
    jd_buf_free(&v);
    tu_rmtree(dir);
    free(dir);
}

static void
test_shim_corrupt_database_is_an_error_not_a_crash(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    struct xs_db *w;
    struct analyzer *a;
    assert_int_equal(analyzer_new(&a), JD_OK);
    assert_int_equal(xs_open(dir, XS_CREATE, &w, msg, sizeof(msg)), JD_OK);
    for (int i = 0; i < 50; i++) {
        char id[16];
        snprintf(id, sizeof(id), "d%d", i);
        add_doc(w, id, "budget planning network security", a);
    }
    assert_int_equal(xs_commit(w, msg, sizeof(msg)), JD_OK);
    xs_close(w);
    /* Scribble over the postings table. */
    char junk[8192];
    memset(junk, 0x5a, sizeof(junk));
    free(tu_write(dir, "postlist.glass", junk, sizeof(junk)));

    struct xs_db *r = NULL;
    jd_status st = xs_open(dir, XS_READ, &r, msg, sizeof(msg));
    if (st == JD_OK) {
        struct xs_query *q;
        struct xs_mset *m = NULL;
        assert_int_equal(xs_query_term("budget", 6, 1, &q), JD_OK);
        struct xs_search s = {
            .query = q, .limit = 10, .collapse_slot = -1, .sort_slot = -1};
        st = xs_enquire(r, &s, &m, msg, sizeof(msg));
        xs_mset_free(m);
        xs_query_free(q);
        xs_close(r);
    }
    assert_int_equal(st, JD_ERR_CORRUPT);
    assert_true(strlen(msg) > 0);
    analyzer_free(a);
    tu_rmtree(dir);
    free(dir);
}

static void
test_shim_unsupported_version_maps_to_version(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    struct xs_db *w;
    assert_int_equal(xs_open(dir, XS_CREATE, &w, msg, sizeof(msg)), JD_OK);
    assert_int_equal(xs_commit(w, msg, sizeof(msg)), JD_OK);
    xs_close(w);
    /* A glass database announces its format in "iamglass". */
    size_t len;
    char path[4200];
    snprintf(path, sizeof(path), "%s/iamglass", dir);
    char *data = tu_read(path, &len);
    assert_non_null(data);
    assert_true(len > 20);
    /* Bytes 14.. hold the format version (after the magic). */
    data[14] ^= 0x7f;
    free(tu_write(dir, "iamglass", data, len));
    free(data);
    struct xs_db *r = NULL;
    jd_status st = xs_open(dir, XS_READ, &r, msg, sizeof(msg));
    assert_true(st == JD_ERR_VERSION || st == JD_ERR_CORRUPT);
    assert_null(r);
    tu_rmtree(dir);
    free(dir);
}

static const struct xs_field default_fields[] = {{"", "", false}};

static jd_status
parse(struct analyzer *a, const char *text, bool plain, jd_buf *desc)
{
    struct xs_parse opts = {default_fields, 1, plain, false, 0};
    struct xs_query *q = NULL;
    jd_status st = xs_query_parse(NULL, a, text, strlen(text), &opts, &q, msg,
                                  sizeof(msg));
    if (st == JD_OK && desc) {
        buf_clear(desc);
        assert_int_equal(xs_query_describe(q, desc), JD_OK);
    }
    xs_query_free(q);
    return st;
}

static void
test_shim_syntax_error_is_query_syntax(void **state)
{
    (void)state;
    struct analyzer *a;
    assert_int_equal(analyzer_new(&a), JD_OK);
    assert_int_equal(parse(a, "budget AND", false, NULL), JD_ERR_QUERY_SYNTAX);
    assert_true(strlen(msg) > 0);
    assert_int_equal(parse(a, "the of and", false, NULL), JD_ERR_QUERY_SYNTAX);
    assert_non_null(strstr(msg, "stop words"));
    analyzer_free(a);
}

static void
test_shim_phrase_drops_stop_words_and_keeps_its_window(void **state)
{
    (void)state;
    struct analyzer *a;
    jd_buf d = {NULL, 0, 0};
    assert_int_equal(analyzer_new(&a), JD_OK);
    assert_int_equal(parse(a, "\"duties as required\"", false, &d), JD_OK);
    /* "as" is gone, the window still spans three words. */
    assert_non_null(strstr(d.data, "duti@1 PHRASE 3 requir@3"));
    assert_null(strchr(d.data, '\x01'));
    /* Curly quotes make a phrase too. */
    assert_int_equal(
        parse(a, "\xe2\x80\x9cpublic relations\xe2\x80\x9d", false, &d), JD_OK);
    assert_non_null(strstr(d.data, "PHRASE 2"));
    jd_buf_free(&d);
    analyzer_free(a);
}

static void
test_shim_phrase_with_stop_word_matches_indexed_text(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    struct analyzer *a;
    assert_int_equal(analyzer_new(&a), JD_OK);
    struct xs_db *w;
    assert_int_equal(xs_open(dir, XS_CREATE, &w, msg, sizeof(msg)), JD_OK);
    add_doc(w, "yes", "Performs other duties as required", a);
    add_doc(w, "no", "required duties are listed", a);
    assert_int_equal(xs_commit(w, msg, sizeof(msg)), JD_OK);

    struct xs_parse opts = {default_fields, 1, false, false, 0};
    struct xs_query *q;
    const char *text = "\"duties as required\"";
    assert_int_equal(
        xs_query_parse(w, a, text, strlen(text), &opts, &q, msg, sizeof(msg)),
        JD_OK);
    struct xs_search s = {
        .query = q, .limit = 10, .collapse_slot = -1, .sort_slot = -1};
    struct xs_mset *m;
    assert_int_equal(xs_enquire(w, &s, &m, msg, sizeof(msg)), JD_OK);
    assert_int_equal(xs_mset_size(m), 1);
    jd_buf data = {NULL, 0, 0};
    assert_int_equal(xs_mset_data(m, 0, &data, msg, sizeof(msg)), JD_OK);
    assert_string_equal(data.data, "yes");
    jd_buf_free(&data);
    xs_mset_free(m);
    xs_query_free(q);
    xs_close(w);
    analyzer_free(a);
    tu_rmtree(dir);
    free(dir);
}

/* The fields of a search: words without a field, a text field and a
 * filter. */
static const struct xs_field search_like[] = {{"", "D", false},
                                              {"", "T", false},
                                              {"title", "T", false},
                                              {"jurisdiction", "XJ", true}};

static size_t
terms_of(struct analyzer *a, const char *text, bool plain)
{
    struct xs_parse opts = {search_like, 4, plain, false, 0};
    struct xs_query *q = NULL;
    assert_int_equal(xs_query_parse(NULL, a, text, strlen(text), &opts, &q, msg,
                                    sizeof(msg)),
                     JD_OK);
    size_t n = xs_query_size(q);
    xs_query_free(q);
    return n;
}

/* A query's terms are its searchable words, each word of a phrase and
 * each wildcard one, a filter one; not its stop words, operators and
 * field names. Over the limit the parse is refused. */
static void
test_shim_query_terms_are_its_searchable_words(void **state)
{
    (void)state;
    struct analyzer *a;
    assert_int_equal(analyzer_new(&a), JD_OK);
    assert_int_equal(terms_of(a, "web content", false), 2);
    assert_int_equal(terms_of(a, "the web of content", false), 2);
    assert_int_equal(terms_of(a, "web OR content AND site", false), 3);
    assert_int_equal(terms_of(a, "web XOR site NEAR/3 page", false), 3);
    assert_int_equal(
        terms_of(a, "web XOR (site NEAR/3 page) OR (content ADJ/2 x)", false),
        5);
    /* A chain QueryParser cannot read is read again as plain words, and
     * then every word of it is a term ("ADJ", "2" too). */
    assert_int_equal(terms_of(a, "web XOR site NEAR/3 page ADJ/2 x", false), 9);
    assert_int_equal(terms_of(a, "\"public relations\" OR manag*", false), 3);
    assert_int_equal(terms_of(a, "title:coordinator -title:(web site)", false),
                     3);
    assert_int_equal(terms_of(a, "jurisdiction:st-louis web", false), 2);
    assert_int_equal(terms_of(a, "jurisdiction:\"st louis\" web", false), 2);
    /* Lower case "near" and an unknown field are words. */
    assert_int_equal(terms_of(a, "near field:web", false), 3);
    /* Without operators, NEAR is a word. */
    assert_int_equal(terms_of(a, "web NEAR site", true), 3);

    struct xs_parse opts = {search_like, 4, false, false, 3};
    struct xs_query *q = NULL;
    const char *at = "title:web OR content AND \"site of pages\"";
    assert_int_equal(
        xs_query_parse(NULL, a, at, strlen(at), &opts, &q, msg, sizeof(msg)),
        JD_ERR_TOO_BIG);
    assert_null(q);
    assert_string_equal(msg, "query has 4 terms, over the 3-term limit");
    opts.max_terms = 4;
    assert_int_equal(
        xs_query_parse(NULL, a, at, strlen(at), &opts, &q, msg, sizeof(msg)),
        JD_OK);
    xs_query_free(q);
    analyzer_free(a);
}

/* A group of excluded terms alone is taken from all documents, not
 * parsed again without operators (which made "-web" search for web). */
static void
test_shim_only_excluded_terms_are_taken_from_everything(void **state)
{
    (void)state;
    struct analyzer *a;
    jd_buf d = {NULL, 0, 0};
    assert_int_equal(analyzer_new(&a), JD_OK);
    static const char *const only[] = {"-web", "-web -site", "(-web)",
                                       "-web AND -site", "-\"web site\""};
    for (size_t i = 0; i < sizeof(only) / sizeof(only[0]); i++) {
        assert_int_equal(parse(a, only[i], false, &d), JD_OK);
        assert_non_null(strstr(d.data, "<alldocuments>"));
        assert_non_null(strstr(d.data, "AND_NOT"));
    }
    /* In a phrase, or after a letter, '-' excludes nothing. */
    assert_int_equal(parse(a, "\"web -site\" e-mail", false, &d), JD_OK);
    assert_null(strstr(d.data, "AND_NOT"));
    assert_null(strstr(d.data, "<alldocuments>"));
    /* Nothing but stop words to exclude: nothing to search for. */
    assert_int_equal(parse(a, "-the", false, NULL), JD_ERR_QUERY_SYNTAX);
    assert_non_null(strstr(msg, "stop words"));
    assert_int_equal(parse(a, "NOT the", false, NULL), JD_ERR_QUERY_SYNTAX);
    jd_buf_free(&d);
    analyzer_free(a);
}

/* ---- agreement between QueryParser and the indexer ---- */

struct termset {
    char **v;
    size_t n, cap;
};

static void
set_add(struct termset *s, const char *t, size_t len)
{
    for (size_t i = 0; i < s->n; i++)
        if (strlen(s->v[i]) == len && memcmp(s->v[i], t, len) == 0)
            return;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->v = realloc(s->v, s->cap * sizeof(*s->v));
    }
    s->v[s->n++] = strndup(t, len);
}

static int
cmp_strp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
set_free(struct termset *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof(*s));
}

static jd_status
index_term(void *ctx, const char *term, size_t len, size_t pos, size_t start,
           size_t end)
{
    (void)pos;
    (void)start;
    (void)end;
    set_add(ctx, term, len);
    return JD_OK;
}

static int
query_term(void *ctx, const char *term, size_t len, size_t freq)
{
    (void)freq;
    set_add(ctx, term, len);
    return 0;
}

/* Do the parsed terms of TEXT equal its indexed terms? Prints the first
 * difference. */
static bool
agree(struct analyzer *a, const char *text, size_t len)
{
    jd_buf norm = {NULL, 0, 0};
    assert_int_equal(analyze_normalize(text, len, &norm), JD_OK);
    struct termset idx = {0}, qry = {0};
    size_t pos = 0;
    assert_int_equal(analyze_text(a, norm.data ? norm.data : "", norm.len, &pos,
                                  index_term, &idx),
                     JD_OK);
    struct xs_parse opts = {default_fields, 1, true, true, 0};
    struct xs_query *q = NULL;
    jd_status st =
        xs_query_parse(NULL, a, text, len, &opts, &q, msg, sizeof(msg));
    if (st == JD_OK)
        assert_int_equal(xs_query_terms(q, query_term, &qry), JD_OK);
    else
        assert_int_equal(idx.n, 0); /* only stop words: nothing indexed */
    xs_query_free(q);
    if (idx.n)
        qsort(idx.v, idx.n, sizeof(*idx.v), cmp_strp);
    if (qry.n)
        qsort(qry.v, qry.n, sizeof(*qry.v), cmp_strp);
    bool same = idx.n == qry.n;
    for (size_t i = 0; same && i < idx.n; i++)
        same = strcmp(idx.v[i], qry.v[i]) == 0;
    if (!same) {
        fprintf(stderr, "disagree on: %.*s\n  index:", (int)len, text);
        for (size_t i = 0; i < idx.n; i++)
            fprintf(stderr, " %s", idx.v[i]);
        fprintf(stderr, "\n  query:");
        for (size_t i = 0; i < qry.n; i++)
            fprintf(stderr, " %s", qry.v[i]);
        fprintf(stderr, "\n");
    }
    set_free(&idx);
    set_free(&qry);
    jd_buf_free(&norm);
    return same;
}

struct agree_ctx {
    struct analyzer *a;
    size_t items, bad;
};

static jd_status
check_spec(void *ctx, jd_spec *s)
{
    struct agree_ctx *c = ctx;
    const struct jd_item_list *lists[] = {&s->duties,    &s->knowledge,
                                          &s->skills,    &s->abilities,
                                          &s->education, &s->licenses};
    for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++)
        for (size_t i = 0; i < lists[l]->len; i++) {
            const char *t = lists[l]->v[i].text;
            c->items++;
            if (!agree(c->a, t, strlen(t)))
                c->bad++;
        }
    if (s->title) {
        c->items++;
        c->bad += !agree(c->a, s->title, strlen(s->title));
    }
    jd_spec_free(s);
    return JD_OK;
}

static void
check_file(struct agree_ctx *c, const char *path)
{
    struct jd_parse_sink sink = {check_spec, NULL, c};
    char why[256];
    assert_int_equal(jd_parse_file(path, NULL, &sink, why, sizeof(why)), JD_OK);
}

static void
test_shim_query_terms_equal_indexed_terms_on_seed_duties(void **state)
{
    (void)state;
    struct agree_ctx c = {NULL, 0, 0};
    assert_int_equal(analyzer_new(&c.a), JD_OK);
    const char *seeds[] = {
        "corpus/milwaukie/web-services-coordinator.txt",
        "corpus/milwaukie/information-systems-technology-director.txt",
        "corpus/milwaukie/community-engagement-coordinator.txt",
        "corpus/st-louis/internet-services-manager.txt",
        "corpus/portland/coordinator-ii.txt",
    };
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
        check_file(&c, seeds[i]);
    /* Hard cases, written for this test. */
    const char *hard[] = {
        "IT staff use GIS, VoIP and C++ at the U.S. office; C# too.",
        "City\xe2\x80\x99s co-workers earn $1,000.50 \xe2\x80\x93 or more",
        "AT&T and M&S; e-mail/web; 3.5 inch; x86_64; caf\xc3\xa9 na\xc3\xafve",
        "\xef\xbc\xa7\xef\xbc\xa9\xef\xbc\xb3 \xef\xac\x81le STRASSE "
        "Stra\xc3\x9f"
        "e",
        "super\xe2\x80\x8bvisor O'Brien's rock'n'roll ISO-9001 A.B.C.D.",
    };
    for (size_t i = 0; i < sizeof(hard) / sizeof(hard[0]); i++) {
        c.items++;
        c.bad += !agree(c.a, hard[i], strlen(hard[i]));
    }
    fprintf(stderr, "agreement: %zu of %zu seed texts\n", c.items - c.bad,
            c.items);
    assert_int_equal(c.bad, 0);
    assert_true(c.items > 150);
    analyzer_free(c.a);
}

static void
test_shim_query_terms_equal_indexed_terms_on_calhr_sample(void **state)
{
    (void)state;
    const char *shared = tu_shared("data/calhr-class-specs/specs");
    if (!shared) {
        print_message("skipped: ../shared/data/calhr-class-specs not found\n");
        skip();
    }
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/data/calhr-class-specs/specs", shared);
    DIR *d = opendir(dir);
    assert_non_null(d);
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.') {
            char **grown = realloc(names, (n + 1) * sizeof(*names));
            assert_non_null(grown);
            names = grown;
            names[n++] = strdup(e->d_name);
        }
    closedir(d);
    qsort(names, n, sizeof(*names), cmp_strp);
    struct agree_ctx c = {NULL, 0, 0};
    assert_int_equal(analyzer_new(&c.a), JD_OK);
    /* Every 10th spec: 176 specs, several thousand items. */
    for (size_t i = 0; i < n; i += 10) {
        char path[4400];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        struct jd_parse_sink sink = {check_spec, NULL, &c};
        char why[256];
        jd_parse_file(path, NULL, &sink, why, sizeof(why));
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    fprintf(stderr, "agreement: %zu of %zu CalHR texts\n", c.items - c.bad,
            c.items);
    assert_int_equal(c.bad, 0);
    assert_true(c.items > 1000);
    analyzer_free(c.a);
}

/* Weight of document ID (the only hit of "budget") with DELTA. */
static double
budget_weight(struct xs_db *r, double delta, const char *id)
{
    struct xs_query *q;
    struct xs_mset *m = NULL;
    assert_int_equal(xs_query_term("budget", 6, 1, &q), JD_OK);
    struct xs_search s = {.query = q,
                          .limit = 10,
                          .k1 = 1.2,
                          .b = 0.75,
                          .delta = delta,
                          .collapse_slot = -1,
                          .sort_slot = -1};
    assert_int_equal(xs_enquire(r, &s, &m, msg, sizeof(msg)), JD_OK);
    double w = -1;
    for (size_t i = 0; i < xs_mset_size(m); i++) {
        jd_buf v = {NULL, 0, 0};
        assert_int_equal(xs_mset_data(m, i, &v, msg, sizeof(msg)), JD_OK);
        if (v.len == strlen(id) && memcmp(v.data, id, v.len) == 0)
            w = xs_mset_weight(m, i);
        jd_buf_free(&v);
    }
    xs_mset_free(m);
    xs_query_free(q);
    assert_true(w > 0);
    return w;
}

/* BM25+ (delta > 0) gives a matching word in a very long document a
 * floor that plain BM25 does not: the long document gains, and gains
 * more than the short one. */
static void
test_shim_bm25_plus_lifts_long_documents(void **state)
{
    (void)state;
    struct analyzer *a;
    assert_int_equal(analyzer_new(&a), JD_OK);
    char *dir = tu_mkdtemp();
    struct xs_db *w;
    assert_int_equal(xs_open(dir, XS_CREATE, &w, msg, sizeof(msg)), JD_OK);
    jd_buf text = {NULL, 0, 0};
    assert_int_equal(buf_puts(&text, "budget"), JD_OK);
    for (int i = 0; i < 400; i++)
        assert_int_equal(buf_puts(&text, " inventory"), JD_OK);
    add_doc(w, "long", text.data, a);
    add_doc(w, "short", "budget planning", a);
    for (int i = 0; i < 8; i++) {
        char id[32];
        snprintf(id, sizeof(id), "other%d", i);
        add_doc(w, id, "network security", a);
    }
    assert_int_equal(xs_commit(w, msg, sizeof(msg)), JD_OK);
    xs_close(w);
    struct xs_db *r;
    assert_int_equal(xs_open(dir, XS_READ, &r, msg, sizeof(msg)), JD_OK);
    double long0 = budget_weight(r, 0, "long"),
           long1 = budget_weight(r, 1, "long"),
           short0 = budget_weight(r, 0, "short"),
           short1 = budget_weight(r, 1, "short");
    assert_true(long1 > long0);
    assert_true(long1 / long0 > short1 / short0);
    xs_close(r);
    jd_buf_free(&text);
    analyzer_free(a);
    tu_rmtree(dir);
    free(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shim_open_missing_is_not_found),
        cmocka_unit_test(test_shim_bm25_plus_lifts_long_documents),
        cmocka_unit_test(test_shim_second_writer_is_locked),
        cmocka_unit_test(test_shim_uncommitted_changes_are_discarded_on_close),
        cmocka_unit_test(test_shim_metadata_round_trips),
        cmocka_unit_test(test_shim_corrupt_database_is_an_error_not_a_crash),
        cmocka_unit_test(test_shim_unsupported_version_maps_to_version),
        cmocka_unit_test(test_shim_syntax_error_is_query_syntax),
        cmocka_unit_test(
            test_shim_phrase_drops_stop_words_and_keeps_its_window),
        cmocka_unit_test(test_shim_phrase_with_stop_word_matches_indexed_text),
        cmocka_unit_test(test_shim_query_terms_are_its_searchable_words),
        cmocka_unit_test(
            test_shim_only_excluded_terms_are_taken_from_everything),
        cmocka_unit_test(
            test_shim_query_terms_equal_indexed_terms_on_seed_duties),
        cmocka_unit_test(
            test_shim_query_terms_equal_indexed_terms_on_calhr_sample),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
