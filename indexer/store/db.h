/*
 * db.h: the jd_db handle, shared by the write side (index.c), the open
 * and read side (db.c) and the query modules. Not part of the public API.
 */
#ifndef JD_DB_H
#define JD_DB_H

#include "jobdex.h"

#include "indexer/store/xapian_shim.h"
#include "indexer/text/analyze.h"

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
    char path[4096];   /* the index directory */
    char base[4200];   /* where classes/ and items/ are: PATH or PATH/gN */
    unsigned long gen; /* N of PATH/gN; 0 for PATH itself */
    int lock_fd;       /* PATH/lock, flock()ed by a writer; else -1 */
    bool writable;
    struct xs_db *classes, *items;
    struct analyzer *an;

    /* Write side. */
    struct xs_doc *doc, *item_doc;
    struct termvec tv;
    jd_buf scratch, json, pending;
    size_t batch_bytes, batch_limit, batch_docs, committed, recovered;
    unsigned long batch;

    /* A cache the query side keeps with the handle (query/match/terms.c:
     * document frequencies, the class model); dropped whenever the
     * databases are closed. */
    void *query_cache;
    void (*query_cache_free)(void *cache);

    char msg[1024];
};

/* Format DB->msg and return ST. */
jd_status db_fail(jd_db *db, jd_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Write the item documents of SPEC (after deleting its old ones). */
jd_status index_put_items(jd_db *db, const jd_spec *spec);
/* The number of item documents index_put_items() writes for SPEC. */
size_t index_item_count(const jd_spec *spec);
/* Delete the item documents of record ID. */
jd_status index_delete_items(jd_db *db, const char *id);

/* Index layout (see schema.h): the generation file, the lock file, the
 * shards of a parallel run. */
#define GENERATION_FILE     "generation"
#define GENERATION_TMP_FILE "generation.tmp"
#define LOCK_FILE           "lock"
#define SHARDS_DIR          ".shards"

/* generation.c: DB->path's current generation into DB->gen and
 * DB->base, after refusing a damaged generation pointer (with the
 * command that repairs it) and symbolic links at jobdex's names. */
jd_status db_resolve(jd_db *db);
/* A writer (the lock held, db_resolve() passed) removes what the
 * pointer proves unused: shards and builds of runs that died, old
 * generations. */
void db_tidy(jd_db *db);
/* Start generation N of a parallel run: DIR/gN.tmp (its path into DIR),
 * new, marked as never current. */
jd_status db_generation_begin(jd_db *db, unsigned long n, char *dir,
                              size_t len);
/* Make generation N, built in DIR/gN.tmp, the current one. */
jd_status db_generation_publish(jd_db *db, unsigned long n);

/* Close the databases of DB but keep its lock. */
void db_close(jd_db *db);

/* (Re)open the databases of the current generation of DB->path (writable
 * unless MODE is XS_READ; the lock is the caller's), check the format and
 * repair an interrupted run. */
jd_status db_open_current(jd_db *db, enum xs_mode mode);

/*
 * Run READ(DB, CTX), one whole read of the index (a search, a match, a
 * record), on a revision that stays whole: when a writer has recycled the
 * revision this reader opened (JD_ERR_MODIFIED from the shim), the index
 * is reopened at its latest revision (and generation) and READ runs
 * again, up to DB_READ_RETRIES times. The one place that retries: every
 * public read goes through it, and READ must leave its outputs empty
 * when it fails. A writer's reads never see JD_ERR_MODIFIED.
 */
#define DB_READ_RETRIES 5
typedef jd_status (*db_read_fn)(jd_db *db, void *ctx);
jd_status db_read(jd_db *db, db_read_fn read, void *ctx);

/* The record stored for ID, from the classes database. */
jd_status db_load(jd_db *db, const char *id, jd_spec **out);
/* The stored record JSON (of class ID, NULL when unknown) into *OUT; one
 * that does not parse is JD_ERR_CORRUPT, "stored record 'ID' is
 * corrupt (why); run jobdex-query check". */
jd_status db_parse_record(jd_db *db, const char *id, const char *json,
                          size_t len, jd_spec **out);
/* PATH, the index directory, and its current generation (db_resolve())
 * into DB, without opening its databases (jd_db_check()). */
jd_status db_locate(jd_db *db, const char *path);

#endif
