/*
 * test_index.c: the index: create, add, replace by id, delete, batches,
 * the writer lock, the format check and repair after an interrupted run.
 */
#include "jobdex.h"

#include "indexer/store/db.h"
#include "indexer/store/schema.h"
#include "indexer/store/xapian_shim.h"
#include "testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static char why[512];

static const char *const seeds[] = {
    "corpus/milwaukie/web-services-coordinator.txt",
    "corpus/milwaukie/information-systems-technology-director.txt",
    "corpus/milwaukie/community-engagement-coordinator.txt",
    "corpus/st-louis/internet-services-manager.txt",
    "corpus/portland/coordinator-ii.txt",
};

static void
add_seeds(jd_db *db)
{
    struct jd_parse_sink sink = {tu_db_add, NULL, db};
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        struct jd_parse_opts o = {.format = JD_FORMAT_AUTO,
                                  .folder_jurisdiction =
                                      i == 4 ? "portland" : NULL};
        assert_int_equal(jd_parse_file(seeds[i], &o, &sink, why, sizeof(why)),
                         JD_OK);
    }
}

static jd_db *
open_db(const char *path, unsigned flags)
{
    jd_db *db;
    assert_int_equal(jd_db_new(&db), JD_OK);
    jd_status st = jd_db_open(db, path, flags);
    if (st != JD_OK)
        fprintf(stderr, "open: %s\n", jd_db_errmsg(db));
    assert_int_equal(st, JD_OK);
    return db;
}

static size_t
count(jd_db *db)
{
    size_t n;
    assert_int_equal(jd_db_count(db, &n), JD_OK);
    return n;
}

static void
test_db_open_missing_is_not_found(void **state)
{
    struct tu_fixture *f = *state;
    jd_db *db;
    assert_int_equal(jd_db_new(&db), JD_OK);
    assert_int_equal(jd_db_open(db, f->db, JD_OPEN_READ), JD_ERR_NOT_FOUND);
    assert_string_equal(jd_db_errmsg(db), "no such index");
    /* Writing without CREATE does not make one either. */
    assert_int_equal(jd_db_open(db, f->db, JD_OPEN_WRITE), JD_ERR_NOT_FOUND);
    jd_db_free(db);
}

static void
test_db_add_commit_and_read_back(void **state)
{
    struct tu_fixture *f = *state;
    jd_db *w = open_db(f->db, JD_OPEN_WRITE | JD_OPEN_CREATE);
    add_seeds(w);
    assert_int_equal(jd_db_commit(w), JD_OK);
    assert_int_equal(jd_db_committed(w), 5);
    jd_db_free(w);

    jd_db *r = open_db(f->db, JD_OPEN_READ);
    assert_int_equal(count(r), 5);
    jd_spec *s;
    assert_int_equal(jd_db_get(r, "st-louis/1368", &s), JD_OK);
    assert_string_equal(s->title, "Internet Services Manager");
    assert_int_equal(s->duties.len, 17);
    jd_spec_free(s);
    assert_int_equal(jd_db_get(r, "nowhere/0", &s), JD_ERR_NOT_FOUND);
    assert_null(s);
    /* One item document per duty and qualification. */
    size_t items;
    assert_int_equal(xs_doccount(r->items, &items, why, sizeof(why)), JD_OK);
    assert_true(items > 5 * 12);
    jd_db_free(r);
}

/* A record the index cannot take is refused as bad input, with the
 * reason; nothing of it is added and the handle goes on. */
static void
test_db_add_refuses_ids_the_index_cannot_take_and_goes_on(void **state)
{
    struct tu_fixture *f = *state;
    jd_db *w = open_db(f->db, JD_OPEN_WRITE | JD_OPEN_CREATE);
    static const struct {
        size_t len;
        char fill;
        const char *want; /* NULL: taken */
    } cases[] = {
        {200, 'x', NULL},
        {201, 'x', "id is 201 bytes, over the 200-byte limit"},
        {5000, 'x', "id is 5000 bytes, over the 200-byte limit"},
        {0, 'x', "record has no id"},
        {12, '\n', "id has a control character (0x0a) at byte 3"},
    };
    char id[5001];
    size_t taken = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memset(id, cases[i].fill, cases[i].len);
        if (cases[i].len >= 2)
            memcpy(id, "t/", 2);
        id[cases[i].len] = '\0';
        jd_spec *s;
        const char *json = "{\"title\": \"Clerk\", \"duties\": [\"Files.\"]}";
        assert_int_equal(
            jd_spec_from_json(json, strlen(json), "x", &s, why, sizeof(why)),
            JD_OK);
        s->id = id;
        jd_status st = jd_db_add(w, s);
        jd_spec_free(s);
        if (cases[i].want) {
            assert_int_equal(st, JD_ERR_INVALID_ARG);
            assert_string_equal(jd_db_errmsg(w), cases[i].want);
        } else {
            assert_int_equal(st, JD_OK);
            taken++;
        }
    }
    add_seeds(w);
    assert_int_equal(jd_db_commit(w), JD_OK);
    jd_db_free(w);
    jd_db *r = open_db(f->db, JD_OPEN_READ);
    assert_int_equal(count(r), taken + 5);
    /* No item of a refused record (it would have no class). */
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (!cases[i].want || cases[i].len < 2 || cases[i].len > 201)
            continue;
        char term[300] = PREFIX_PARENT;
        memset(term + 2, cases[i].fill, cases[i].len);
        memcpy(term + 2, "t/", 2);
        size_t orphans = 1;
        assert_int_equal(xs_termfreq(r->items, term, 2 + cases[i].len, &orphans,
                                     why, sizeof(why)),
                         JD_OK);
        assert_int_equal(orphans, 0);
    }
    jd_db_free(r);
}

static void
test_db_reindexing_replaces_by_id(void **state)
{
    struct tu_fixture *f = *state;
    jd_db *w = open_db(f->db, JD_OPEN_WRITE | JD_OPEN_CREATE);
    add_seeds(w);
    assert_int_equal(jd_db_commit(w), JD_OK);
    size_t items_before;
    assert_int_equal(xs_doccount(w->items, &items_before, why, sizeof(why)),
                     JD_OK);
    add_seeds(w);
    assert_int_equal(jd_db_commit(w), JD_OK);
    assert_int_equal(count(w), 5);
    size_t items_after;
    assert_int_equal(xs_doccount(w->items, &items_after, why, sizeof(why)),
                     JD_OK);
    assert_int_equal(items_after, items_before);
    assert_int_equal(jd_db_delete(w, "portland/30003028"), JD_OK);
    assert_int_equal(jd_db_delete(w, "portland/30003028"), JD_ERR_NOT_FOUND);
    assert_int_equal(jd_db_commit(w), JD_OK);
    assert_int_equal(count(w), 4);
    jd_db_free(w);
}

/* A new id is only added (no lookup of old documents), so the same id
 * twice before a commit must still be seen and replaced. */
static void
test_db_same_id_twice_in_one_batch_is_one_record(void **state)
{
    struct tu_fixture *f = *state;
    jd_db *w = open_db(f->db, JD_OPEN_WRITE | JD_OPEN_CREATE);
    add_seeds(w);
    size_t items_once;
    assert_int_equal(xs_doccount(w->items, &items_once, why, sizeof(why)),
                     JD_OK);
    add_seeds(w); /* same batch: nothing committed yet */
    assert_int_equal(jd_db_commit(w), JD_OK);
    assert_int_equal(count(w), 5);
    size_t items_twice;
    assert_int_equal(xs_doccount(w->items, &items_twice, why, sizeof(why)),
                     JD_OK);
    assert_int_equal(items_twice, items_once);
    jd_db_free(w);
}

static void
test_db_uncommitted_batch_is_discarded(void **state)
{
    struct tu_fixture *f = *state;
    jd_db *w = open_db(f->db, JD_OPEN_WRITE | JD_OPEN_CREATE);
    add_seeds(w);
    jd_db_free(w); /* no commit */
    jd_db *r = open_db(f->db, JD_OPEN_READ);
    assert_int_equal(count(r), 0);
    jd_db_free(r);
}

static void
test_db_commits_by_batch_size(void **state)
{
    struct tu_fixture *f = *state;
    jd_db *w = open_db(f->db, JD_OPEN_WRITE | JD_OPEN_CREATE);
    jd_db_set_batch_bytes(w, 1); /* every record is a batch */
    add_seeds(w);
    assert_int_equal(jd_db_committed(w), 5);
    jd_db_free(w);
    jd_db *r = open_db(f->db, JD_OPEN_READ);
    assert_int_equal(count(r), 5);
    jd_db_free(r);
}

static void
test_db_second_writer_is_locked(void **state)
{
    struct tu_fixture *f = *state;
    jd_db *w = open_db(f->db, JD_OPEN_WRITE | JD_OPEN_CREATE);
    jd_db *w2;
    assert_int_equal(jd_db_new(&w2), JD_OK);
    assert_int_equal(jd_db_open(w2, f->db, JD_OPEN_WRITE), JD_ERR_LOCKED);
    assert_string_equal(jd_db_errmsg(w2), "index is locked by another writer");
    jd_db_free(w2);
    /* A reader is not blocked. */
    assert_int_equal(jd_db_commit(w), JD_OK);
    jd_db *r = open_db(f->db, JD_OPEN_READ);
    jd_db_free(r);
    jd_db_free(w);
}

static void
test_db_other_format_version_is_refused(void **state)
{
    struct tu_fixture *f = *state;
    jd_db *w = open_db(f->db, JD_OPEN_WRITE | JD_OPEN_CREATE);
    add_seeds(w);
    assert_int_equal(jd_db_commit(w), JD_OK);
    jd_db_free(w);
    /* Pretend a later jobdex wrote it. */
    char classes[4300];
    snprintf(classes, sizeof(classes), "%s/" CLASSES_DIR, f->db);
    struct xs_db *x;
    assert_int_equal(xs_open(classes, XS_WRITE, &x, why, sizeof(why)), JD_OK);
    assert_int_equal(xs_set_metadata(x, META_FORMAT, "99", why, sizeof(why)),
                     JD_OK);
    assert_int_equal(xs_commit(x, why, sizeof(why)), JD_OK);
    xs_close(x);
    jd_db *r;
    assert_int_equal(jd_db_new(&r), JD_OK);
    assert_int_equal(jd_db_open(r, f->db, JD_OPEN_READ), JD_ERR_VERSION);
    assert_non_null(strstr(jd_db_errmsg(r), "format 99"));
    jd_db_free(r);
}

static void
test_db_repairs_items_after_a_run_died_between_commits(void **state)
{
    struct tu_fixture *f = *state;
    jd_db *w = open_db(f->db, JD_OPEN_WRITE | JD_OPEN_CREATE);
    add_seeds(w);
    assert_int_equal(jd_db_commit(w), JD_OK);
    size_t items;
    assert_int_equal(xs_doccount(w->items, &items, why, sizeof(why)), JD_OK);
    jd_db_free(w);

    /* Make items/ one batch behind, as a kill between the two commits
     * leaves it: the last batch's items are gone. */
    char ipath[4300];
    snprintf(ipath, sizeof(ipath), "%s/" ITEMS_DIR, f->db);
    struct xs_db *x;
    assert_int_equal(xs_open(ipath, XS_WRITE, &x, why, sizeof(why)), JD_OK);
    assert_int_equal(
        xs_delete_term(x, PREFIX_PARENT "st-louis/1368", why, sizeof(why)),
        JD_OK);
    assert_int_equal(xs_set_metadata(x, META_BATCH, "0", why, sizeof(why)),
                     JD_OK);
    assert_int_equal(xs_commit(x, why, sizeof(why)), JD_OK);
    xs_close(x);

    w = open_db(f->db, JD_OPEN_WRITE);
    assert_int_equal(jd_db_recovered(w), 5);
    size_t repaired;
    assert_int_equal(xs_doccount(w->items, &repaired, why, sizeof(why)), JD_OK);
    assert_int_equal(repaired, items);
    jd_db_free(w);
    /* Clean now: nothing to repair on the next open. */
    w = open_db(f->db, JD_OPEN_WRITE);
    assert_int_equal(jd_db_recovered(w), 0);
    jd_db_free(w);
}

int
main(void)
{
#define T(fn)                                                                  \
    cmocka_unit_test_setup_teardown(fn, tu_fixture_setup, tu_fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_db_open_missing_is_not_found),
        T(test_db_add_commit_and_read_back),
        T(test_db_add_refuses_ids_the_index_cannot_take_and_goes_on),
        T(test_db_reindexing_replaces_by_id),
        T(test_db_same_id_twice_in_one_batch_is_one_record),
        T(test_db_uncommitted_batch_is_discarded),
        T(test_db_commits_by_batch_size),
        T(test_db_second_writer_is_locked),
        T(test_db_other_format_version_is_refused),
        T(test_db_repairs_items_after_a_run_died_between_commits),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
