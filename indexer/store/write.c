/*
 * index.c: the write side: a record -> one class document and one
 * document per item, batched and committed as schema.h describes.
 */
#include "indexer/store/db.h"

#include "indexer/spec/json.h"
#include "indexer/spec/record.h"
#include "indexer/store/schema.h"
#include "indexer/util/buf.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Term vectors                                                        */
/* ------------------------------------------------------------------ */

void
termvec_clear(struct termvec *tv)
{
    buf_clear(&tv->bytes);
    tv->n = 0;
}

void
termvec_free(struct termvec *tv)
{
    jd_buf_free(&tv->bytes);
    free(tv->v);
    tv->v = NULL;
    tv->n = tv->cap = 0;
}

static jd_status
tv_push(void *ctx, const char *term, size_t len, size_t pos, size_t start,
        size_t end)
{
    (void)start;
    (void)end;
    struct termvec *tv = ctx;
    if (tv->n == tv->cap) {
        size_t cap = tv->cap ? tv->cap * 2 : 256;
        struct term_ref *v = realloc(tv->v, cap * sizeof(*v));
        if (!v)
            return JD_ERR_NOMEM;
        tv->v = v;
        tv->cap = cap;
    }
    tv->v[tv->n++] = (struct term_ref){(uint32_t)tv->bytes.len, (uint32_t)len,
                                       (uint32_t)pos};
    return buf_append(&tv->bytes, term, len);
}

jd_status
termvec_analyze(struct termvec *tv, struct analyzer *a, const char *text,
                size_t len, size_t *pos)
{
    termvec_clear(tv);
    return analyze_text(a, text, len, pos, tv_push, tv);
}

/* ------------------------------------------------------------------ */
/* Documents                                                           */
/* ------------------------------------------------------------------ */

/* Add PREFIX + slug(TEXT) as a boolean term. */
static jd_status
add_filter(struct xs_doc *doc, const char *prefix, const char *text,
           bool jurisdiction)
{
    if (!text)
        return JD_OK;
    char term[SLUG_MAX + 8];
    size_t pl = strlen(prefix);
    memcpy(term, prefix, pl); /* NOLINT(bugprone-not-null-terminated-result):
                                 terms go with their length */
    if (jurisdiction)
        jd_jurisdiction_slug(text, term + pl, SLUG_MAX);
    else
        jd_slug(text, term + pl, SLUG_MAX);
    if (term[pl] == '\0')
        return JD_OK;
    return xs_doc_add_boolean(doc, term, strlen(term));
}

/* Add the terms of DB->tv to DOC under PREFIX, with their positions. */
static jd_status
add_positional(jd_db *db, struct xs_doc *doc, const char *prefix)
{
    char term[TERM_MAX + 8];
    size_t pl = strlen(prefix);
    memcpy(term, prefix, pl); /* NOLINT(bugprone-not-null-terminated-result):
                                 terms go with their length */
    jd_status st = JD_OK;
    for (size_t i = 0; i < db->tv.n && st == JD_OK; i++) {
        const struct term_ref *r = &db->tv.v[i];
        memcpy(term + pl, db->tv.bytes.data + r->off, r->len);
        st = xs_doc_add_posting(doc, term, pl + r->len, r->pos + 1);
    }
    return st;
}

/* Analyse TEXT into DB->tv at positions from *POS, add its terms to the
 * class document under PREFIX, and leave a gap so phrases stay inside
 * one text. */
static jd_status
add_field(jd_db *db, const char *prefix, const char *text, size_t *pos)
{
    if (!text || !*text)
        return JD_OK;
    jd_status st = termvec_analyze(&db->tv, db->an, text, strlen(text), pos);
    if (st == JD_OK)
        st = add_positional(db, db->doc, prefix);
    *pos += POSITION_GAP;
    return st;
}

static const char *
list_prefix(const char *name)
{
    if (strcmp(name, "duties") == 0)
        return PREFIX_DUTY;
    if (strcmp(name, "titles") == 0)
        return PREFIX_TITLE;
    return spec_list_is_qualification(name) ? PREFIX_QUAL : PREFIX_OTHER;
}

/* Add the boolean term PREFIX + TEXT. */
static jd_status
add_boolean(struct xs_doc *doc, const char *prefix, const char *text)
{
    char term[1200];
    int n = snprintf(term, sizeof(term), "%s%s", prefix, text);
    if (n < 0 || (size_t)n >= sizeof(term))
        return JD_ERR_INVALID_ARG;
    return xs_doc_add_boolean(doc, term, (size_t)n);
}

/* The item document for item I of LIST, from the terms of its text
 * already in DB->tv (analysed once for the class and the item). Its text
 * stays in the parent's record: spec_item_at() finds it. */
static jd_status
put_item(jd_db *db, const jd_spec *s, const char *list, size_t i)
{
    struct xs_doc *doc = db->item_doc;
    xs_doc_clear(doc);
    jd_status st;
    if ((st = add_boolean(doc, PREFIX_PARENT, s->id)) != JD_OK ||
        (st = add_boolean(doc, PREFIX_LIST, list)) != JD_OK ||
        (st = add_filter(doc, PREFIX_JURISDICTION, s->jurisdiction, true)) !=
            JD_OK ||
        (st = add_filter(doc, PREFIX_DEPARTMENT, s->department, false)) !=
            JD_OK)
        return st;
    /* Titles' words carry the title prefix, so a search among titles
     * walks posting lists of titles only. */
    const char *prefix = strcmp(list, "titles") == 0 ? PREFIX_TITLE : "";
    size_t pl = strlen(prefix);
    char term[TERM_MAX + 8];
    memcpy(term, prefix, pl); /* NOLINT(bugprone-not-null-terminated-result):
                                 terms go with their length */
    for (size_t k = 0; k < db->tv.n && st == JD_OK; k++) {
        const struct term_ref *r = &db->tv.v[k];
        memcpy(term + pl, db->tv.bytes.data + r->off, r->len);
        st = xs_doc_add_term(doc, term, pl + r->len, 1);
    }
    char index[24];
    int len = snprintf(index, sizeof(index), "%zu", i);
    if (st != JD_OK ||
        (st = xs_doc_set_value(doc, SLOT_ITEM_PARENT, s->id, strlen(s->id))) !=
            JD_OK ||
        (st = xs_doc_set_value(doc, SLOT_ITEM_INDEX, index, (size_t)len)) !=
            JD_OK)
        return st;
    /* Old items of a replaced record went first (write_record), so every
     * item is new. */
    return xs_add(db->items, doc, db->msg, sizeof(db->msg));
}

struct class_ctx {
    jd_db *db;
    const jd_spec *s;
    size_t pos;
};

/* Each item of a list: analysed once, its terms go into the class
 * document (positional, under the list's field prefix) and into its own
 * item document. */
static jd_status
add_list(struct class_ctx *c, const char *name, const struct jd_item *v,
         size_t n)
{
    jd_db *db = c->db;
    const char *prefix = list_prefix(name);
    jd_status st = JD_OK;
    for (size_t i = 0; i < n && st == JD_OK; i++) {
        const char *text = v[i].text;
        if (!text)
            continue;
        st = termvec_analyze(&db->tv, db->an, text, strlen(text), &c->pos);
        if (st == JD_OK)
            st = add_positional(db, db->doc, prefix);
        if (st == JD_OK)
            st = put_item(db, c->s, name, i);
        c->pos += POSITION_GAP;
    }
    return st;
}

static jd_status
add_clist(void *ctx, const char *name, const struct jd_item_list *list)
{
    return add_list(ctx, name, list->v, list->len);
}

/* The title and each alternate title are items too (list "titles"), so
 * a job title can be matched against titles one at a time. */
static jd_status
add_titles(struct class_ctx *c)
{
    size_t n = (c->s->title ? 1 : 0) + c->s->alt_titles.len;
    struct jd_item *v = n ? malloc(n * sizeof(*v)) : NULL;
    if (n && !v)
        return JD_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        spec_item_at(c->s, "titles", i, &v[i]);
    jd_status st = add_list(c, "titles", v, n);
    free(v);
    return st;
}

static jd_status
count_items(void *ctx, const char *name, const struct jd_item_list *list)
{
    (void)name;
    size_t *n = ctx;
    for (size_t i = 0; i < list->len; i++)
        *n += list->v[i].text != NULL;
    return JD_OK;
}

size_t
index_item_count(const jd_spec *s)
{
    /* As add_titles() and add_list() write them: items with a text. */
    size_t n = 0, titles = (s->title ? 1 : 0) + s->alt_titles.len;
    struct jd_item it;
    for (size_t i = 0; i < titles; i++)
        n += spec_item_at(s, "titles", i, &it) && it.text;
    spec_each_clist(s, count_items, &n);
    return n;
}

static jd_status
set_stub(struct xs_doc *doc, const jd_spec *s, jd_buf *out)
{
    json_t *stub =
        json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}", "id",
                  s->id, "code", s->code, "title", s->title, "jurisdiction",
                  s->jurisdiction, "department", s->department, "series",
                  s->series, "pay_grade", s->pay_grade, "flsa", s->flsa);
    if (!stub)
        return JD_ERR_NOMEM;
    buf_clear(out);
    jd_status st = spec_json_append(stub, out);
    if (st == JD_OK)
        st = xs_doc_set_value(doc, SLOT_STUB, out->data, out->len);
    json_decref(stub);
    return st;
}

/* The class document of S in DB->doc, and its item documents added to
 * the items database as a side effect. */
static jd_status
build_class_doc(jd_db *db, const jd_spec *s)
{
    struct xs_doc *doc = db->doc;
    xs_doc_clear(doc);
    jd_status st;
    if ((st = add_boolean(doc, PREFIX_ID, s->id)) != JD_OK ||
        (st = add_filter(doc, PREFIX_JURISDICTION, s->jurisdiction, true)) !=
            JD_OK ||
        (st = add_filter(doc, PREFIX_DEPARTMENT, s->department, false)) !=
            JD_OK ||
        (st = add_filter(doc, PREFIX_FLSA, s->flsa, false)) != JD_OK ||
        (st = add_filter(doc, PREFIX_SERIES, s->series, false)) != JD_OK ||
        (st = add_filter(doc, PREFIX_CODE, s->code, false)) != JD_OK)
        return st;

    struct class_ctx c = {db, s, 0};
    if ((st = add_titles(&c)) != JD_OK ||
        (st = add_field(db, PREFIX_SUMMARY, s->summary, &c.pos)) != JD_OK ||
        (st = add_field(db, PREFIX_SUMMARY, s->distinguishing, &c.pos)) !=
            JD_OK ||
        (st = spec_each_clist(s, add_clist, &c)) != JD_OK ||
        (st = add_field(db, PREFIX_OTHER, s->supervision, &c.pos)) != JD_OK ||
        (st = add_field(db, PREFIX_OTHER, s->working_conditions, &c.pos)) !=
            JD_OK)
        return st;
    for (size_t i = 0; i < s->tools.len && st == JD_OK; i++)
        st = add_field(db, PREFIX_OTHER, s->tools.v[i], &c.pos);
    if (st != JD_OK)
        return st;

    if (s->has_grade &&
        ((st = xs_doc_set_number(doc, SLOT_GRADE_MIN, s->grade_min)) != JD_OK ||
         (st = xs_doc_set_number(doc, SLOT_GRADE_MAX, s->grade_max)) != JD_OK))
        return st;
    if ((st = xs_doc_set_value(doc, SLOT_ID, s->id, strlen(s->id))) != JD_OK)
        return st;
    if (s->title && (st = xs_doc_set_value(doc, SLOT_TITLE, s->title,
                                           strlen(s->title))) != JD_OK)
        return st;
    if ((st = set_stub(doc, s, &db->json)) != JD_OK)
        return st;
    buf_clear(&db->json);
    if ((st = jd_spec_to_json(s, &db->json)) != JD_OK)
        return st;
    return xs_doc_set_data(doc, db->json.data, db->json.len);
}

/* Write SPEC: its class document and its items. A record already in the
 * index (or earlier in this batch) is replaced, old items first; a new
 * one is only added, which spares Xapian a lookup per document. */
static jd_status
write_record(jd_db *db, const jd_spec *s)
{
    char idterm[1024];
    int n = snprintf(idterm, sizeof(idterm), PREFIX_ID "%s", s->id);
    size_t seen = 0;
    jd_status st = xs_termfreq(db->classes, idterm, (size_t)n, &seen, db->msg,
                               sizeof(db->msg));
    if (st == JD_OK && seen > 0)
        st = index_delete_items(db, s->id);
    if (st == JD_OK)
        st = build_class_doc(db, s);
    if (st != JD_OK)
        return st;
    return seen > 0 ? xs_replace(db->classes, idterm, db->doc, db->msg,
                                 sizeof(db->msg))
                    : xs_add(db->classes, db->doc, db->msg, sizeof(db->msg));
}

jd_status
index_delete_items(jd_db *db, const char *id)
{
    char term[1024];
    snprintf(term, sizeof(term), PREFIX_PARENT "%s", id);
    return xs_delete_term(db->items, term, db->msg, sizeof(db->msg));
}

/* Rebuild the items of SPEC (recovery): the class document is built and
 * dropped, its items are what counts. */
jd_status
index_put_items(jd_db *db, const jd_spec *spec)
{
    jd_status st = index_delete_items(db, spec->id);
    return st == JD_OK ? build_class_doc(db, spec) : st;
}

/* ------------------------------------------------------------------ */
/* Batches                                                             */
/* ------------------------------------------------------------------ */

static jd_status
note_pending(jd_db *db, const char *id)
{
    jd_status st = buf_puts(&db->pending, id);
    if (st == JD_OK)
        st = buf_putc(&db->pending, '\n');
    return st;
}

jd_status
jd_db_add(jd_db *db, const jd_spec *spec)
{
    if (!db->writable)
        return db_fail(db, JD_ERR_INVALID_ARG, "index is open read-only");
    char why[160];
    if (jd_spec_check(spec, why, sizeof(why)) != JD_OK)
        return db_fail(db, JD_ERR_INVALID_ARG, "%s", why);
    jd_status st = write_record(db, spec);
    if (st == JD_ERR_NOMEM || st == JD_ERR_INVALID_ARG)
        return db_fail(db, st, "cannot build document for '%s': %s", spec->id,
                       jd_status_str(st));
    if (st != JD_OK)
        return st;
    if ((st = note_pending(db, spec->id)) != JD_OK)
        return db_fail(db, st, "out of memory");
    db->batch_docs++;
    db->batch_bytes += spec_text_bytes(spec) + 256;
    if (db->batch_bytes >= db->batch_limit)
        return jd_db_commit(db);
    return JD_OK;
}

jd_status
jd_db_delete(jd_db *db, const char *id)
{
    char term[1024];
    jd_spec *old;
    jd_status st = db_load(db, id, &old);
    if (st != JD_OK)
        return st;
    jd_spec_free(old);
    snprintf(term, sizeof(term), PREFIX_ID "%s", id);
    if ((st = xs_delete_term(db->classes, term, db->msg, sizeof(db->msg))) !=
        JD_OK)
        return st;
    if ((st = index_delete_items(db, id)) != JD_OK)
        return st;
    if ((st = note_pending(db, id)) != JD_OK)
        return db_fail(db, st, "out of memory");
    db->batch_docs++;
    return JD_OK;
}

jd_status
jd_db_commit(jd_db *db)
{
    if (!db->writable)
        return JD_OK;
    char num[32];
    snprintf(num, sizeof(num), "%lu", db->batch + 1);
    jd_status st =
        xs_set_metadata(db->classes, META_BATCH, num, db->msg, sizeof(db->msg));
    if (st == JD_OK)
        st = xs_set_metadata(db->classes, META_PENDING,
                             db->pending.data ? db->pending.data : "", db->msg,
                             sizeof(db->msg));
    /* Classes first: items can be rebuilt from them, not the reverse. */
    if (st == JD_OK)
        st = xs_commit(db->classes, db->msg, sizeof(db->msg));
    if (st == JD_OK)
        st = xs_set_metadata(db->items, META_BATCH, num, db->msg,
                             sizeof(db->msg));
    if (st == JD_OK)
        st = xs_commit(db->items, db->msg, sizeof(db->msg));
    if (st != JD_OK)
        return st;
    db->batch++;
    db->committed += db->batch_docs;
    db->batch_docs = 0;
    db->batch_bytes = 0;
    buf_clear(&db->pending);
    return JD_OK;
}

void
jd_db_set_batch_bytes(jd_db *db, size_t bytes)
{
    db->batch_limit = bytes ? bytes : 1;
}

size_t
jd_db_committed(const jd_db *db)
{
    return db->committed;
}
