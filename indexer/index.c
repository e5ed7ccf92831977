/*
 * index.c: the write side: a record -> one class document and one
 * document per item, batched and committed as schema.h describes.
 */
#include "db.h"

#include "buf.h"
#include "schema.h"
#include "spec.h"
#include "spec_json.h"

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

static int
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
            return 1;
        tv->v = v;
        tv->cap = cap;
    }
    tv->v[tv->n++] = (struct term_ref){(uint32_t)tv->bytes.len, (uint32_t)len,
                                       (uint32_t)pos};
    return buf_append(&tv->bytes, term, len) != JD_OK;
}

jd_status
termvec_analyze(struct termvec *tv, struct analyzer *a, const char *text,
                size_t len, size_t *pos)
{
    termvec_clear(tv);
    jd_status st = analyze_text(a, text, len, pos, tv_push, tv);
    return st == JD_ERR_INTERRUPTED ? JD_ERR_NOMEM : st;
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
    memcpy(term, prefix, pl);
    if (jurisdiction)
        jd_jurisdiction_slug(text, term + pl, SLUG_MAX);
    else
        jd_slug(text, term + pl, SLUG_MAX);
    if (term[pl] == '\0')
        return JD_OK;
    return xs_doc_add_boolean(doc, term, strlen(term));
}

/* Analyse TEXT and add its terms to DOC under PREFIX at positions from
 * *POS; then leave a gap so phrases stay inside one text. */
static jd_status
add_field(jd_db *db, struct xs_doc *doc, const char *prefix, const char *text,
          size_t *pos)
{
    if (!text || !*text)
        return JD_OK;
    jd_status st = termvec_analyze(&db->tv, db->an, text, strlen(text), pos);
    if (st != JD_OK)
        return st;
    char term[TERM_MAX + 8];
    size_t pl = strlen(prefix);
    memcpy(term, prefix, pl);
    for (size_t i = 0; i < db->tv.n && st == JD_OK; i++) {
        const struct term_ref *r = &db->tv.v[i];
        memcpy(term + pl, db->tv.bytes.data + r->off, r->len);
        st = xs_doc_add_posting(doc, term, pl + r->len, r->pos + 1);
    }
    *pos += POSITION_GAP;
    return st;
}

struct class_ctx {
    jd_db *db;
    size_t pos;
};

static jd_status
add_list_field(void *ctx, const char *name, const struct jd_item_list *list)
{
    struct class_ctx *c = ctx;
    const char *prefix = strcmp(name, "duties") == 0 ? PREFIX_DUTY
                         : spec_list_is_qualification(name) ? PREFIX_QUAL
                                                            : PREFIX_OTHER;
    jd_status st = JD_OK;
    for (size_t i = 0; i < list->len && st == JD_OK; i++)
        st = add_field(c->db, c->db->doc, prefix, list->v[i].text, &c->pos);
    return st;
}

static jd_status
build_class_doc(jd_db *db, const jd_spec *s)
{
    struct xs_doc *doc = db->doc;
    xs_doc_clear(doc);
    jd_status st;
    char idterm[1024];
    snprintf(idterm, sizeof(idterm), PREFIX_ID "%s", s->id);
    if ((st = xs_doc_add_boolean(doc, idterm, strlen(idterm))) != JD_OK ||
        (st = add_filter(doc, PREFIX_JURISDICTION, s->jurisdiction, true)) !=
            JD_OK ||
        (st = add_filter(doc, PREFIX_DEPARTMENT, s->department, false)) !=
            JD_OK ||
        (st = add_filter(doc, PREFIX_FLSA, s->flsa, false)) != JD_OK ||
        (st = add_filter(doc, PREFIX_SERIES, s->series, false)) != JD_OK ||
        (st = add_filter(doc, PREFIX_CODE, s->code, false)) != JD_OK)
        return st;

    struct class_ctx c = {db, 0};
    if ((st = add_field(db, doc, PREFIX_TITLE, s->title, &c.pos)) != JD_OK)
        return st;
    for (size_t i = 0; i < s->alt_titles.len; i++)
        if ((st = add_field(db, doc, PREFIX_TITLE, s->alt_titles.v[i],
                            &c.pos)) != JD_OK)
            return st;
    if ((st = add_field(db, doc, PREFIX_SUMMARY, s->summary, &c.pos)) !=
            JD_OK ||
        (st = add_field(db, doc, PREFIX_SUMMARY, s->distinguishing, &c.pos)) !=
            JD_OK ||
        (st = spec_each_clist(s, add_list_field, &c)) != JD_OK ||
        (st = add_field(db, doc, PREFIX_OTHER, s->supervision, &c.pos)) !=
            JD_OK ||
        (st = add_field(db, doc, PREFIX_OTHER, s->working_conditions,
                        &c.pos)) != JD_OK)
        return st;
    for (size_t i = 0; i < s->tools.len; i++)
        if ((st = add_field(db, doc, PREFIX_OTHER, s->tools.v[i], &c.pos)) !=
            JD_OK)
            return st;

    if (s->has_grade &&
        ((st = xs_doc_set_number(doc, SLOT_GRADE_MIN, s->grade_min)) != JD_OK ||
         (st = xs_doc_set_number(doc, SLOT_GRADE_MAX, s->grade_max)) != JD_OK))
        return st;
    if ((st = xs_doc_set_value(doc, SLOT_ID, s->id, strlen(s->id))) != JD_OK)
        return st;
    if (s->title &&
        (st = xs_doc_set_value(doc, SLOT_TITLE, s->title, strlen(s->title))) !=
            JD_OK)
        return st;
    json_t *stub = json_pack(
        "{s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}", "id", s->id, "code",
        s->code, "title", s->title, "jurisdiction", s->jurisdiction,
        "department", s->department, "series", s->series, "pay_grade",
        s->pay_grade, "flsa", s->flsa);
    char *stub_text = stub ? json_dumps(stub, JSON_COMPACT) : NULL;
    json_decref(stub);
    if (!stub_text)
        return JD_ERR_NOMEM;
    st = xs_doc_set_value(doc, SLOT_STUB, stub_text, strlen(stub_text));
    free(stub_text);
    if (st != JD_OK)
        return st;
    buf_clear(&db->json);
    if ((st = jd_spec_to_json(s, &db->json)) != JD_OK)
        return st;
    return xs_doc_set_data(doc, db->json.data, db->json.len);
}

static const char *
list_group(const char *name)
{
    if (strcmp(name, "duties") == 0)
        return "duty";
    if (strcmp(name, "titles") == 0)
        return "title";
    return spec_list_is_qualification(name) ? "qual" : "other";
}

struct items_ctx {
    jd_db *db;
    const jd_spec *s;
};

static jd_status
put_item(jd_db *db, const jd_spec *s, const char *list, size_t i,
         const struct jd_item *it)
{
    struct xs_doc *doc = db->item_doc;
    xs_doc_clear(doc);
    char term[1200];
    jd_status st;
    snprintf(term, sizeof(term), PREFIX_ID "%s#%s.%zu", s->id, list, i);
    if ((st = xs_doc_add_boolean(doc, term, strlen(term))) != JD_OK)
        return st;
    snprintf(term, sizeof(term), PREFIX_PARENT "%s", s->id);
    if ((st = xs_doc_add_boolean(doc, term, strlen(term))) != JD_OK)
        return st;
    snprintf(term, sizeof(term), PREFIX_LIST "%s", list);
    if ((st = xs_doc_add_boolean(doc, term, strlen(term))) != JD_OK)
        return st;
    snprintf(term, sizeof(term), PREFIX_GROUP "%s", list_group(list));
    if ((st = xs_doc_add_boolean(doc, term, strlen(term))) != JD_OK ||
        (st = add_filter(doc, PREFIX_JURISDICTION, s->jurisdiction, true)) !=
            JD_OK ||
        (st = add_filter(doc, PREFIX_DEPARTMENT, s->department, false)) !=
            JD_OK)
        return st;

    size_t pos = 0;
    if ((st = termvec_analyze(&db->tv, db->an, it->text, strlen(it->text),
                              &pos)) != JD_OK)
        return st;
    for (size_t k = 0; k < db->tv.n && st == JD_OK; k++) {
        const struct term_ref *r = &db->tv.v[k];
        st = xs_doc_add_term(doc, db->tv.bytes.data + r->off, r->len, 1);
    }
    if (st != JD_OK)
        return st;
    if ((st = xs_doc_set_value(doc, SLOT_ITEM_PARENT, s->id, strlen(s->id))) !=
            JD_OK ||
        (st = xs_doc_set_value(doc, SLOT_ITEM_LIST, list, strlen(list))) !=
            JD_OK)
        return st;

    /* The parent's names ride along so that reports over many items
     * (overlap) need not load every parent record. */
    json_t *o = json_pack(
        "{s:s, s:s, s:i, s:i, s:s?, s:s, s:i, s:s?, s:s?, s:s?, s:s?}",
        "parent", s->id, "list", list, "i", (json_int_t)i, "n",
        (json_int_t)it->n, "kind", it->kind, "text", it->text, "line",
        (json_int_t)it->line, "title", s->title, "jurisdiction",
        s->jurisdiction, "department", s->department, "series", s->series);
    if (!o)
        return JD_ERR_NOMEM;
    char *data = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!data)
        return JD_ERR_NOMEM;
    st = xs_doc_set_data(doc, data, strlen(data));
    free(data);
    if (st != JD_OK)
        return st;
    snprintf(term, sizeof(term), PREFIX_ID "%s#%s.%zu", s->id, list, i);
    return xs_replace(db->items, term, doc, db->msg, sizeof(db->msg));
}

static jd_status
put_list(void *ctx, const char *name, const struct jd_item_list *list)
{
    struct items_ctx *c = ctx;
    jd_status st = JD_OK;
    for (size_t i = 0; i < list->len && st == JD_OK; i++)
        st = put_item(c->db, c->s, name, i, &list->v[i]);
    return st;
}

jd_status
index_put_items(jd_db *db, const jd_spec *spec)
{
    char term[1024];
    snprintf(term, sizeof(term), PREFIX_PARENT "%s", spec->id);
    jd_status st = xs_delete_term(db->items, term, db->msg, sizeof(db->msg));
    if (st != JD_OK)
        return st;
    /* The title and each alternate title are items too, so a job title
     * can be matched against titles one at a time. */
    size_t n = 0;
    if (spec->title) {
        struct jd_item it = {1, "title", spec->title, spec->source_line};
        st = put_item(db, spec, "titles", n++, &it);
    }
    for (size_t i = 0; i < spec->alt_titles.len && st == JD_OK; i++) {
        struct jd_item it = {(unsigned)n + 1, "alternate", spec->alt_titles.v[i],
                             0};
        st = put_item(db, spec, "titles", n++, &it);
    }
    if (st != JD_OK)
        return st;
    struct items_ctx c = {db, spec};
    return spec_each_clist(spec, put_list, &c);
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
    if (!spec->id || !*spec->id)
        return db_fail(db, JD_ERR_INVALID_ARG, "record has no id");
    if (strlen(spec->id) > 200)
        return db_fail(db, JD_ERR_INVALID_ARG, "record id is over 200 bytes");
    jd_status st = build_class_doc(db, spec);
    if (st != JD_OK)
        return db_fail(db, st, "cannot build document for '%s': %s", spec->id,
                       jd_status_str(st));
    char idterm[1024];
    snprintf(idterm, sizeof(idterm), PREFIX_ID "%s", spec->id);
    if ((st = xs_replace(db->classes, idterm, db->doc, db->msg,
                         sizeof(db->msg))) != JD_OK ||
        (st = index_put_items(db, spec)) != JD_OK)
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
    snprintf(term, sizeof(term), PREFIX_PARENT "%s", id);
    if ((st = xs_delete_term(db->items, term, db->msg, sizeof(db->msg))) !=
        JD_OK)
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
    jd_status st = xs_set_metadata(db->classes, META_BATCH, num, db->msg,
                                   sizeof(db->msg));
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
