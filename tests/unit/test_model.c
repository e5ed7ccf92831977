/*
 * test_model.c: the class model (indexer/model.h): what it learns from a
 * handful of hand-written classes, that it is the same every time, that
 * it goes stale when the records change, and that a damaged one is
 * reported rather than used.
 */
#include "jobdex.h"

#include "indexer/model/model.h"
#include "indexer/store/db.h"
#include "indexer/store/xapian_shim.h"
#include "indexer/text/analyze.h"
#include "testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Five classes; some words are shared (equipment, inspect, patients,
 * captain), others tell one class from the rest. */
static const char records[] =
    "{\"id\": \"t/dietitian\", \"title\": \"Dietitian\", \"alt_titles\": "
    "[\"Nutritionist\", \"Clinical Dietitian\"], \"summary\": \"Plans "
    "therapeutic diets and counsels patients on nutrition.\", \"duties\": "
    "[{\"text\": \"Develop nutrition care plans for patients with dietary "
    "restrictions.\"}, {\"text\": \"Assess the nutritional needs of "
    "patients.\"}, {\"text\": \"Counsel patients on diet and "
    "nutrition.\"}]}\n"
    "{\"id\": \"t/cook\", \"title\": \"Cook\", \"alt_titles\": [\"Line "
    "Cook\", \"Prep Cook\"], \"duties\": [{\"text\": \"Prepare food "
    "according to recipes.\"}, {\"text\": \"Clean kitchen equipment and "
    "food preparation areas.\"}, {\"text\": \"Cook meals in large "
    "quantities for patients and staff.\"}]}\n"
    "{\"id\": \"t/fire-captain\", \"title\": \"Fire Captain\", \"duties\": "
    "[{\"text\": \"Supervise firefighters at fire scenes.\"}, {\"text\": "
    "\"Direct fire suppression and rescue operations.\"}, {\"text\": "
    "\"Inspect fire apparatus and equipment.\"}]}\n"
    "{\"id\": \"t/ship-captain\", \"title\": \"Ship Captain\", "
    "\"alt_titles\": [\"Master Mariner\", \"Vessel Captain\"], \"duties\": "
    "[{\"text\": \"Command the vessel and direct the crew at sea.\"}, "
    "{\"text\": \"Navigate the ship using charts and radar.\"}, {\"text\": "
    "\"Inspect the vessel and its equipment.\"}]}\n"
    "{\"id\": \"t/clerk\", \"title\": \"Office Clerk\", \"duties\": "
    "[{\"text\": \"File records and answer telephones.\"}, {\"text\": "
    "\"Prepare correspondence.\"}, {\"text\": \"Maintain office "
    "equipment.\"}]}\n";

/* Titles, alternate titles, duties and summaries above. */
enum { EXAMPLES = 5 + 6 + 15 + 1 };

struct fixture {
    struct tu_fixture tmp; /* tmp.db: the index the records are in */
    jd_db *h;
    struct analyzer *an;
};

static void
add_records(jd_db *db, const char *dir, const char *text)
{
    char *path = tu_write(dir, "records.jsonl", text, strlen(text));
    struct jd_parse_sink sink = {tu_db_add, NULL, db};
    struct jd_parse_opts o = {.format = JD_FORMAT_JSONL};
    char why[256];
    assert_int_equal(jd_parse_file(path, &o, &sink, why, sizeof(why)), JD_OK);
    assert_int_equal(jd_db_commit(db), JD_OK);
    free(path);
}

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    tu_fixture_init(&f->tmp);
    assert_int_equal(jd_db_new(&f->h), JD_OK);
    assert_int_equal(
        jd_db_open(f->h, f->tmp.db, JD_OPEN_WRITE | JD_OPEN_CREATE), JD_OK);
    add_records(f->h, f->tmp.dir, records);
    assert_int_equal(analyzer_new(&f->an), JD_OK);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    analyzer_free(f->an);
    jd_db_free(f->h);
    tu_fixture_fini(&f->tmp);
    free(f);
    return 0;
}

/* The metadata KEY of the fixture's index into OUT (empty when unset). */
static void
read_key(struct fixture *f, const char *key, jd_buf *out)
{
    assert_int_equal(
        xs_get_metadata(f->h->classes, key, out, f->h->msg, sizeof(f->h->msg)),
        JD_OK);
}

/* Where a term row's class entries begin: after idf, scale and the
 * word's loading in the concept space (a scale and a byte each). */
static size_t
entries_at(struct fixture *f)
{
    struct model_info mi;
    assert_int_equal(model_info(f->h, &mi), JD_OK);
    return 12 + mi.concepts;
}

static jd_status
count_stem(void *ctx, const char *term, size_t len, size_t pos, size_t start,
           size_t end)
{
    (void)pos, (void)start, (void)end;
    struct termmap_entry *e = termmap_get(ctx, term, len);
    assert_non_null(e);
    e->value += 1;
    return JD_OK;
}

/* Score TEXT with M; the class ids' scores into OUT (in IDS order). */
static void
score(struct fixture *f, struct class_model *m, const char *text,
      const char *const *ids, size_t n, double *out)
{
    struct termmap qtf = {NULL, 0, 0};
    size_t pos = 0;
    assert_int_equal(
        analyze_text(f->an, text, strlen(text), &pos, count_stem, &qtf), JD_OK);
    assert_int_equal(model_score(f->h, m, &qtf), JD_OK);
    for (size_t i = 0; i < n; i++)
        out[i] = model_class_score(m, ids[i], strlen(ids[i]));
    termmap_free(&qtf);
}

static const char *const ids[] = {"t/dietitian", "t/cook", "t/fire-captain",
                                  "t/ship-captain", "t/clerk"};
enum { NIDS = 5 };

/* The one class S[WANT] scores 1 (the most probable) and every other
 * class well under it. */
static void
assert_best(const double *s, size_t want)
{
    for (size_t i = 0; i < NIDS; i++) {
        if (i == want)
            assert_true(s[i] > 0.999);
        else
            assert_true(s[i] < 0.5);
    }
}

static void
test_model_learns_the_words_that_tell_classes_apart(void **state)
{
    struct fixture *f = *state;
    struct jd_model_stats ms;
    assert_int_equal(jd_db_train_model(f->h, NULL, &ms), JD_OK);
    assert_true(ms.trained);
    assert_int_equal(ms.classes, 5);
    assert_int_equal(ms.examples, EXAMPLES);
    assert_true(ms.terms > 30);

    struct class_model *m;
    assert_int_equal(model_load(f->h, &m), JD_OK);
    assert_non_null(m);
    double s[NIDS];
    /* A word of one class only. */
    score(f, m, "mariner", ids, NIDS, s);
    assert_best(s, 3);
    /* "captain" is in two titles; "fire" tells which. */
    score(f, m, "fire captain", ids, NIDS, s);
    assert_best(s, 2);
    /* "patients" is in two classes; "counsel" and "diet" in one. */
    score(f, m, "counsel patients on their diet", ids, NIDS, s);
    assert_best(s, 0);
    /* Stemmed like the index: "cooking" is "cook". */
    score(f, m, "cooking", ids, NIDS, s);
    assert_best(s, 1);
    /* Words the model never saw score nothing. */
    score(f, m, "quantum chromodynamics", ids, NIDS, s);
    for (size_t i = 0; i < NIDS; i++)
        assert_true(s[i] == 0);
    /* Nor does a class the model does not know. */
    assert_true(model_class_score(m, "t/nobody", 8) == 0);
    model_free(m);
}

/* Concepts of TEXT for the classes IDS into OUT. */
static void
concepts_of(struct fixture *f, struct class_model *m, const char *text,
            double *out)
{
    double unused[NIDS];
    score(f, m, text, ids, NIDS, unused);
    for (size_t i = 0; i < NIDS; i++)
        out[i] = model_class_concept(m, ids[i], strlen(ids[i]));
}

static void
test_model_places_queries_in_its_concept_space(void **state)
{
    struct fixture *f = *state;
    struct jd_model_stats ms;
    assert_int_equal(jd_db_train_model(f->h, NULL, &ms), JD_OK);
    /* As many dimensions as the five classes' text has, less one. */
    assert_int_equal(ms.concepts, 4);
    struct model_info mi;
    assert_int_equal(model_info(f->h, &mi), JD_OK);
    assert_int_equal(mi.concepts, 4);

    struct class_model *m;
    assert_int_equal(model_load(f->h, &m), JD_OK);
    assert_non_null(m);
    double c[NIDS];
    /* Words of one class: that class is the nearest, at 1; the other
     * captain, whose text shares "captain", "inspect" and "equipment",
     * is near it; classes with nothing in common are far. */
    concepts_of(f, m, "navigate by radar", c);
    assert_true(c[3] > 0.999);
    assert_true(c[2] > 0.5 && c[2] < c[3]);
    assert_true(c[0] < 0.5 && c[1] < 0.5 && c[4] < 0.5);
    /* "patients" is in the dietitian's text thrice and the cook's once:
     * the dietitian is the nearest, the cook nearer than the rest. */
    concepts_of(f, m, "patients", c);
    assert_true(c[0] > 0.999);
    assert_true(c[1] > 0.25 && c[1] < 0.999);
    assert_true(c[2] < 0.1 && c[3] < 0.1 && c[4] < 0.1);
    /* Words the model never saw place the query nowhere. */
    concepts_of(f, m, "quantum chromodynamics", c);
    for (size_t i = 0; i < NIDS; i++)
        assert_true(c[i] == 0);
    model_free(m);

    /* Damaged class points are reported when the model is read. */
    assert_int_equal(xs_set_metadata(f->h->classes, MODEL_CONCEPTS, "abc",
                                     f->h->msg, sizeof(f->h->msg)),
                     JD_OK);
    assert_int_equal(xs_commit(f->h->classes, f->h->msg, sizeof(f->h->msg)),
                     JD_OK);
    assert_int_equal(model_load(f->h, &m), JD_ERR_CORRUPT);
    assert_non_null(strstr(jd_db_errmsg(f->h), "concepts are damaged"));
}

static void
test_model_is_the_same_every_time(void **state)
{
    struct fixture *f = *state;
    struct jd_model_stats ms;
    jd_buf first = {NULL, 0, 0}, second = {NULL, 0, 0};
    assert_int_equal(jd_db_train_model(f->h, NULL, &ms), JD_OK);
    read_key(f, MODEL_TERM_PREFIX "vessel", &first);
    assert_int_equal(jd_db_train_model(f->h, NULL, &ms), JD_OK);
    read_key(f, MODEL_TERM_PREFIX "vessel", &second);
    /* idf, scale, loading and 3 bytes per class it weighs. */
    size_t at = entries_at(f);
    assert_true(first.len > at && (first.len - at) % 3 == 0);
    assert_int_equal(second.len, first.len);
    assert_memory_equal(first.data, second.data, first.len);
    jd_buf_free(&first);
    jd_buf_free(&second);
}

static void
test_model_goes_stale_when_records_change_and_is_retrained(void **state)
{
    struct fixture *f = *state;
    struct jd_model_stats ms;
    assert_int_equal(jd_db_train_model(f->h, NULL, &ms), JD_OK);
    struct model_info mi;
    assert_int_equal(model_info(f->h, &mi), JD_OK);
    assert_string_equal(mi.state, "current");

    add_records(f->h, f->tmp.dir,
                "{\"id\": \"t/welder\", \"title\": \"Welder\", \"duties\": "
                "[{\"text\": \"Weld steel parts.\"}]}\n");
    assert_int_equal(model_info(f->h, &mi), JD_OK);
    assert_string_equal(mi.state, "stale");
    struct class_model *m = NULL;
    assert_int_equal(model_load(f->h, &m), JD_OK);
    assert_null(m); /* a stale model is never used */

    assert_int_equal(jd_db_train_model(f->h, NULL, &ms), JD_OK);
    assert_int_equal(ms.classes, 6);
    assert_int_equal(model_info(f->h, &mi), JD_OK);
    assert_string_equal(mi.state, "current");
    assert_int_equal(mi.classes, 6);
}

static void
test_model_drops_the_words_of_removed_classes(void **state)
{
    struct fixture *f = *state;
    struct jd_model_stats ms;
    jd_buf row = {NULL, 0, 0};
    assert_int_equal(jd_db_train_model(f->h, NULL, &ms), JD_OK);
    read_key(f, MODEL_TERM_PREFIX "marin", &row);
    assert_true(row.len > entries_at(f));

    assert_int_equal(jd_db_delete(f->h, "t/ship-captain"), JD_OK);
    assert_int_equal(jd_db_commit(f->h), JD_OK);
    assert_int_equal(jd_db_train_model(f->h, NULL, &ms), JD_OK);
    assert_int_equal(ms.classes, 4);
    read_key(f, MODEL_TERM_PREFIX "marin", &row);
    assert_int_equal(row.len, 0);
    /* A word the remaining classes share keeps its row, whose class
     * numbers are those of the four. */
    read_key(f, MODEL_TERM_PREFIX "equip", &row);
    size_t from = entries_at(f);
    assert_true(row.len > from && (row.len - from) % 3 == 0);
    for (size_t at = from; at < row.len; at += 3)
        assert_true((unsigned char)row.data[at] < 4 && row.data[at + 1] == 0);
    jd_buf_free(&row);
}

static void
test_model_that_is_damaged_is_reported_not_used(void **state)
{
    struct fixture *f = *state;
    struct jd_model_stats ms;
    assert_int_equal(jd_db_train_model(f->h, NULL, &ms), JD_OK);
    assert_int_equal(xs_set_metadata(f->h->classes, MODEL_BIAS, "abc",
                                     f->h->msg, sizeof(f->h->msg)),
                     JD_OK);
    assert_int_equal(xs_commit(f->h->classes, f->h->msg, sizeof(f->h->msg)),
                     JD_OK);
    struct class_model *m = NULL;
    assert_int_equal(model_load(f->h, &m), JD_ERR_CORRUPT);
    assert_null(m);
    assert_non_null(strstr(jd_db_errmsg(f->h), "class model"));

    /* A damaged row is found when a query needs it. */
    assert_int_equal(jd_db_train_model(f->h, NULL, &ms), JD_OK);
    assert_int_equal(xs_set_metadata(f->h->classes, MODEL_TERM_PREFIX "vessel",
                                     "short", f->h->msg, sizeof(f->h->msg)),
                     JD_OK);
    assert_int_equal(xs_commit(f->h->classes, f->h->msg, sizeof(f->h->msg)),
                     JD_OK);
    assert_int_equal(model_load(f->h, &m), JD_OK);
    assert_non_null(m);
    struct termmap qtf = {NULL, 0, 0};
    termmap_get(&qtf, "vessel", 6)->value = 1;
    assert_int_equal(model_score(f->h, m, &qtf), JD_ERR_CORRUPT);
    assert_non_null(strstr(jd_db_errmsg(f->h), "'vessel' is damaged"));
    termmap_free(&qtf);
    model_free(m);
}

static void
test_model_needs_two_classes(void **state)
{
    struct fixture *f = *state;
    struct jd_model_stats ms;
    assert_int_equal(jd_db_train_model(f->h, NULL, &ms), JD_OK);
    for (size_t i = 1; i < NIDS; i++)
        assert_int_equal(jd_db_delete(f->h, ids[i]), JD_OK);
    assert_int_equal(jd_db_commit(f->h), JD_OK);
    assert_int_equal(jd_db_train_model(f->h, NULL, &ms), JD_OK);
    assert_false(ms.trained);
    assert_int_equal(ms.classes, 1);
    assert_non_null(strstr(ms.why_not, "fewer than 2 classes"));
    /* The old model is gone, not left stale. */
    struct model_info mi;
    assert_int_equal(model_info(f->h, &mi), JD_OK);
    assert_string_equal(mi.state, "none");
    jd_buf row = {NULL, 0, 0};
    read_key(f, MODEL_TERM_PREFIX "vessel", &row);
    assert_int_equal(row.len, 0);
    jd_buf_free(&row);
}

/* An index that outgrows the limit loses its model rather than keep a
 * stale one, and says why. */
static void
test_model_is_not_trained_over_the_class_limit(void **state)
{
    struct fixture *f = *state;
    struct jd_model_stats ms;
    assert_int_equal(jd_db_train_model(f->h, NULL, &ms), JD_OK);
    assert_true(ms.trained);
    for (unsigned i = 0; i < MODEL_MAX_CLASSES; i++) {
        char json[160], why[128];
        snprintf(json, sizeof(json),
                 "{\"id\": \"t/c%u\", \"title\": \"Class %u\", "
                 "\"duties\": [\"Duty of class %u.\"]}",
                 i, i, i);
        jd_spec *s;
        assert_int_equal(
            jd_spec_from_json(json, strlen(json), NULL, &s, why, sizeof(why)),
            JD_OK);
        assert_int_equal(jd_db_add(f->h, s), JD_OK);
        jd_spec_free(s);
    }
    assert_int_equal(jd_db_commit(f->h), JD_OK);
    assert_int_equal(jd_db_train_model(f->h, NULL, &ms), JD_OK);
    assert_false(ms.trained);
    assert_int_equal(ms.classes, MODEL_MAX_CLASSES + 5);
    assert_non_null(strstr(ms.why_not, "classes is over the 5000"));
    struct model_info mi;
    assert_int_equal(model_info(f->h, &mi), JD_OK);
    assert_string_equal(mi.state, "none");
}

/* A stop request (a signal handler's flag) ends training early and
 * leaves the model as it was. */
static void
test_model_training_stops_when_asked(void **state)
{
    struct fixture *f = *state;
    struct jd_model_stats ms;
    volatile sig_atomic_t stop = 1;
    assert_int_equal(jd_db_train_model(f->h, &stop, &ms), JD_ERR_INTERRUPTED);
    assert_false(ms.trained);
    struct model_info mi;
    assert_int_equal(model_info(f->h, &mi), JD_OK);
    assert_string_equal(mi.state, "none");

    stop = 0;
    assert_int_equal(jd_db_train_model(f->h, &stop, &ms), JD_OK);
    jd_buf before = {NULL, 0, 0}, after = {NULL, 0, 0};
    read_key(f, MODEL_HEADER, &before);
    add_records(f->h, f->tmp.dir,
                "{\"id\": \"t/welder\", \"title\": \"Welder\", \"duties\": "
                "[{\"text\": \"Weld steel parts.\"}]}\n");
    stop = 1;
    assert_int_equal(jd_db_train_model(f->h, &stop, &ms), JD_ERR_INTERRUPTED);
    read_key(f, MODEL_HEADER, &after);
    assert_int_equal(after.len, before.len);
    assert_memory_equal(after.data, before.data, before.len);
    assert_int_equal(model_info(f->h, &mi), JD_OK);
    assert_string_equal(mi.state, "stale");
    jd_buf_free(&before);
    jd_buf_free(&after);
}

static void
test_model_is_refused_on_a_read_only_handle(void **state)
{
    struct fixture *f = *state;
    jd_db *ro;
    assert_int_equal(jd_db_new(&ro), JD_OK);
    assert_int_equal(jd_db_open(ro, f->tmp.db, JD_OPEN_READ), JD_OK);
    struct jd_model_stats ms;
    assert_int_equal(jd_db_train_model(ro, NULL, &ms), JD_ERR_INVALID_ARG);
    assert_non_null(strstr(jd_db_errmsg(ro), "read-only"));
    jd_db_free(ro);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_model_learns_the_words_that_tell_classes_apart, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_model_places_queries_in_its_concept_space, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_is_the_same_every_time,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_model_goes_stale_when_records_change_and_is_retrained, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_model_drops_the_words_of_removed_classes, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_model_that_is_damaged_is_reported_not_used, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_needs_two_classes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_model_is_not_trained_over_the_class_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_training_stops_when_asked,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_model_is_refused_on_a_read_only_handle, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
