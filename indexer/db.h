/*
 * db.h: the jd_db handle, shared by the write side (index.c), the open
 * and read side (db.c) and the query modules. Not part of the public API.
 */
#ifndef JD_DB_H
#define JD_DB_H

#include "jobdex.h"

#include "analyze.h"
#include "xapian_shim.h"

#include <stdint.h>

/* Terms of one analysed text, with their positions. */
struct term_ref {
    uint32_t off; /* into bytes */
    uint32_t len;
    uint32_t pos;
};

struct termvec {
    jd_buf bytes;
    struct term_ref *v;
    size_t n, cap;
};

void termvec_clear(struct termvec *tv);
void termvec_free(struct termvec *tv);
/* Analyse TEXT into TV (cleared first), positions from *POS on. */
jd_status termvec_analyze(struct termvec *tv, struct analyzer *a,
                          const char *text, size_t len, size_t *pos);

struct jd_db {
    char path[4096];
    bool writable;
    struct xs_db *classes, *items;
    struct analyzer *an;

    /* Write side. */
    struct xs_doc *doc, *item_doc;
    struct termvec tv;
    jd_buf scratch, json, pending;
    size_t batch_bytes, batch_limit, batch_docs, committed, recovered;
    unsigned long batch;

    char msg[1024];
};

/* Format DB->msg and return ST. */
jd_status db_fail(jd_db *db, jd_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Write the item documents of SPEC (after deleting its old ones). */
jd_status index_put_items(jd_db *db, const jd_spec *spec);

/* The record stored for ID, from the classes database. */
jd_status db_load(jd_db *db, const char *id, jd_spec **out);

#endif
