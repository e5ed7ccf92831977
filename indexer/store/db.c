/*
 * db.c: opening and closing an index, its format check, recovery after
 * an interrupted writer, and reading records back.
 */
#include "indexer/store/db.h"

#include "indexer/spec/json.h"
#include "indexer/store/schema.h"
#include "indexer/util/buf.h"
#include "indexer/util/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

jd_status
db_fail(jd_db *db, jd_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(db->msg, sizeof(db->msg), fmt, ap);
    va_end(ap);
    return st;
}

jd_status
jd_db_new(jd_db **out)
{
    *out = calloc(1, sizeof(jd_db));
    if (!*out)
        return JD_ERR_NOMEM;
    (*out)->batch_limit = JD_BATCH_BYTES;
    (*out)->lock_fd = -1;
    return JD_OK;
}

void
db_close(jd_db *db)
{
    if (db->query_cache_free)
        db->query_cache_free(db->query_cache);
    db->query_cache = NULL;
    db->query_cache_free = NULL;
    xs_close(db->classes);
    xs_close(db->items);
    xs_doc_free(db->doc);
    xs_doc_free(db->item_doc);
    analyzer_free(db->an);
    db->classes = db->items = NULL;
    db->doc = db->item_doc = NULL;
    db->an = NULL;
}

void
jd_db_free(jd_db *db)
{
    if (!db)
        return;
    db_close(db);
    if (db->lock_fd >= 0)
        close(db->lock_fd); /* releases the flock */
    termvec_free(&db->tv);
    jd_buf_free(&db->scratch);
    jd_buf_free(&db->json);
    jd_buf_free(&db->pending);
    free(db);
}

const char *
jd_db_errmsg(const jd_db *db)
{
    return db->msg[0] ? db->msg : "no error";
}

size_t
jd_db_recovered(const jd_db *db)
{
    return db->recovered;
}

static unsigned long
meta_number(jd_db *db, struct xs_db *x, const char *key, jd_status *st)
{
    *st = xs_get_metadata(x, key, &db->scratch, db->msg, sizeof(db->msg));
    if (*st != JD_OK || db->scratch.len == 0)
        return 0;
    return strtoul(db->scratch.data, NULL, 10);
}

/* The index format: written on first commit, checked on every open. */
static jd_status
check_format(jd_db *db)
{
    jd_status st = xs_get_metadata(db->classes, META_FORMAT, &db->scratch,
                                   db->msg, sizeof(db->msg));
    if (st != JD_OK)
        return st;
    size_t count = 0;
    if (db->scratch.len == 0) {
        if ((st = xs_doccount(db->classes, &count, db->msg, sizeof(db->msg))) !=
            JD_OK)
            return st;
        if (count > 0)
            return db_fail(db, JD_ERR_VERSION,
                           "not a jobdex index (no format version)");
        if (!db->writable)
            return JD_OK; /* a new, empty index */
        char v[16];
        snprintf(v, sizeof(v), "%d", INDEX_FORMAT_VERSION);
        return xs_set_metadata(db->classes, META_FORMAT, v, db->msg,
                               sizeof(db->msg));
    }
    long v = strtol(db->scratch.data, NULL, 10);
    if (v != INDEX_FORMAT_VERSION)
        return db_fail(db, JD_ERR_VERSION,
                       "index format %ld, this jobdex reads format %d; "
                       "re-index with this version",
                       v, INDEX_FORMAT_VERSION);
    return JD_OK;
}

/*
 * A writer that died between committing classes/ and items/ leaves items/
 * one batch behind. The ids that batch touched are in META_PENDING; their
 * items are rebuilt from the stored records (or removed when the record is
 * gone) and committed, which brings both databases to the same batch.
 */
static jd_status
recover(jd_db *db)
{
    jd_status st;
    unsigned long cb = meta_number(db, db->classes, META_BATCH, &st);
    if (st != JD_OK)
        return st;
    unsigned long ib = meta_number(db, db->items, META_BATCH, &st);
    if (st != JD_OK)
        return st;
    db->batch = cb;
    if (ib == cb)
        return JD_OK;
    if (ib > cb || cb - ib > 1)
        return db_fail(db, JD_ERR_CORRUPT,
                       "items are at batch %lu but classes at batch %lu", ib,
                       cb);
    if ((st = xs_get_metadata(db->classes, META_PENDING, &db->pending, db->msg,
                              sizeof(db->msg))) != JD_OK)
        return st;
    char *ids = db->pending.data ? strdup(db->pending.data) : NULL;
    buf_clear(&db->pending);
    char *save = NULL;
    for (char *id = ids ? strtok_r(ids, "\n", &save) : NULL; id && st == JD_OK;
         id = strtok_r(NULL, "\n", &save)) {
        jd_spec *s = NULL;
        st = db_load(db, id, &s);
        if (st == JD_OK) {
            st = index_put_items(db, s);
            jd_spec_free(s);
        } else if (st == JD_ERR_NOT_FOUND) {
            char term[1024];
            snprintf(term, sizeof(term), PREFIX_PARENT "%s", id);
            st = xs_delete_term(db->items, term, db->msg, sizeof(db->msg));
        }
        db->recovered++;
    }
    free(ids);
    if (st != JD_OK)
        return st;
    char num[32];
    snprintf(num, sizeof(num), "%lu", cb);
    if ((st = xs_set_metadata(db->items, META_BATCH, num, db->msg,
                              sizeof(db->msg))) != JD_OK)
        return st;
    return xs_commit(db->items, db->msg, sizeof(db->msg));
}

static jd_status
open_part(jd_db *db, const char *name, enum xs_mode mode, struct xs_db **out)
{
    char path[4400];
    snprintf(path, sizeof(path), "%s/%s", db->base, name);
    char detail[512] = "";
    jd_status st = xs_open(path, mode, out, detail, sizeof(detail));
    switch (st) {
    case JD_OK:
        return JD_OK;
    case JD_ERR_LOCKED:
        return db_fail(db, st, "index is locked by another writer");
    case JD_ERR_NOT_FOUND:
        if (db->gen)
            return db_fail(db, st,
                           "'%s' is missing: generation g%lu is damaged; run "
                           "jobdex-query check",
                           path, db->gen);
        return db_fail(db, st, "no index");
    case JD_ERR_VERSION:
        return db_fail(db, st, "database version not supported: %s", detail);
    default:
        return db_fail(db, st, "%s", detail);
    }
}

/* The writers' lock: held from the first writable open until
 * jd_db_free(), over every database of every generation (Xapian's own
 * lock is per database, and a parallel run swaps databases). */
static jd_status
take_lock(jd_db *db)
{
    if (db->lock_fd >= 0)
        return JD_OK;
    char file[4200];
    snprintf(file, sizeof(file), "%s/" LOCK_FILE, db->path);
    /* Never through a link: the lock is made, and kept, in PATH. */
    int fd = open(file, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0) {
        fs_describe(db->msg, sizeof(db->msg), "open", file, errno);
        return JD_ERR_IO;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int err = errno;
        close(fd);
        if (err == EWOULDBLOCK)
            return db_fail(db, JD_ERR_LOCKED,
                           "index is locked by another writer");
        return db_fail(db, JD_ERR_IO, "cannot lock '%s': %s", file,
                       strerror(err));
    }
    db->lock_fd = fd;
    return JD_OK;
}

static jd_status
open_parts(jd_db *db, enum xs_mode mode)
{
    /* The classes database holds Xapian's writer lock for the pair. */
    jd_status st;
    if ((st = open_part(db, CLASSES_DIR, mode, &db->classes)) != JD_OK ||
        (st = open_part(db, ITEMS_DIR, mode, &db->items)) != JD_OK)
        db_close(db);
    return st;
}

/* PATH, the index directory, made when FLAGS say so. PATH may be a
 * link to a directory (the user's choice), but not a dangling one:
 * jobdex makes no directory where a link points. */
static jd_status
open_directory(jd_db *db, const char *path, unsigned flags)
{
    struct stat sb;
    if (stat(path, &sb) == 0)
        return S_ISDIR(sb.st_mode)
                   ? JD_OK
                   : db_fail(db, JD_ERR_NOT_FOUND, "not an index directory");
    if (errno != ENOENT)
        return db_fail(db, JD_ERR_IO, "%s", strerror(errno));
    if (lstat(path, &sb) == 0)
        return db_fail(db, JD_ERR_NOT_FOUND,
                       "'%s' is a symbolic link to nothing; create the "
                       "directory it names, or remove it",
                       path);
    if (!(db->writable && (flags & JD_OPEN_CREATE)))
        return db_fail(db, JD_ERR_NOT_FOUND, "no such index");
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
        return db_fail(db, JD_ERR_IO, "cannot create directory '%s': %s", path,
                       strerror(errno));
    return JD_OK;
}

/* A generation the pointer names that cannot be found, whatever the
 * retries, is damage (JD_ERR_CORRUPT), not a missing index. */
static jd_status
not_found_is_damage(jd_db *db, jd_status st)
{
    return st == JD_ERR_NOT_FOUND && db->gen ? JD_ERR_CORRUPT : st;
}

jd_status
db_locate(jd_db *db, const char *path)
{
    db_close(db);
    db->msg[0] = '\0';
    snprintf(db->path, sizeof(db->path), "%s", path);
    db->writable = false;
    jd_status st = open_directory(db, path, 0);
    return st == JD_OK ? not_found_is_damage(db, db_resolve(db)) : st;
}

jd_status
jd_db_open(jd_db *db, const char *path, unsigned flags)
{
    db_close(db);
    db->msg[0] = '\0';
    if (db->lock_fd >= 0 && strcmp(db->path, path) != 0) {
        close(db->lock_fd);
        db->lock_fd = -1;
    }
    snprintf(db->path, sizeof(db->path), "%s", path);
    db->writable = (flags & JD_OPEN_WRITE) != 0;
    jd_status st = open_directory(db, path, flags);
    if (st != JD_OK)
        return st;

    enum xs_mode mode = !db->writable              ? XS_READ
                        : (flags & JD_OPEN_CREATE) ? XS_CREATE
                                                   : XS_WRITE;
    if (db->writable) {
        if ((st = take_lock(db)) != JD_OK || (st = db_resolve(db)) != JD_OK)
            return not_found_is_damage(db, st);
        db_tidy(db);
    }
    return db_open_current(db, mode);
}

jd_status
db_open_current(jd_db *db, enum xs_mode mode)
{
    db_close(db);
    jd_status st = analyzer_new(&db->an);
    if (st != JD_OK)
        return db_fail(db, st, "out of memory");
    if (mode != XS_READ) {
        if ((st = db_resolve(db)) == JD_OK)
            st = open_parts(db, mode);
    } else {
        /* A parallel run may swap generations between reading the
         * generation file and opening its databases: read it again. */
        db->gen = 0;
        for (int tries = 0; tries < 5; tries++) {
            unsigned long before = db->gen;
            if ((st = db_resolve(db)) == JD_OK)
                st = open_parts(db, mode);
            if (st != JD_ERR_NOT_FOUND || (tries > 0 && db->gen == before))
                break;
        }
    }
    st = not_found_is_damage(db, st);
    if (st != JD_OK || (st = check_format(db)) != JD_OK)
        goto fail;
    if (mode != XS_READ) {
        if ((st = xs_doc_new(&db->doc)) != JD_OK ||
            (st = xs_doc_new(&db->item_doc)) != JD_OK ||
            (st = recover(db)) != JD_OK)
            goto fail;
    }
    return JD_OK;
fail:
    db_close(db);
    return st;
}

jd_status
db_read(jd_db *db, db_read_fn read, void *ctx)
{
    jd_status st = read(db, ctx);
    for (int i = 0;
         !db->writable && i < DB_READ_RETRIES && st == JD_ERR_MODIFIED; i++) {
        jd_status reopened = db_open_current(db, XS_READ);
        if (reopened != JD_OK)
            return reopened;
        st = read(db, ctx);
    }
    return st;
}

static jd_status
count_read(jd_db *db, void *out)
{
    return xs_doccount(db->classes, out, db->msg, sizeof(db->msg));
}

jd_status
jd_db_count(jd_db *db, size_t *out)
{
    return db_read(db, count_read, out);
}

jd_status
db_load(jd_db *db, const char *id, jd_spec **out)
{
    *out = NULL;
    char term[1024];
    snprintf(term, sizeof(term), PREFIX_ID "%s", id);
    jd_status st = xs_data_by_term(db->classes, term, &db->scratch, db->msg,
                                   sizeof(db->msg));
    if (st == JD_ERR_NOT_FOUND)
        return db_fail(db, st, "no record '%s'", id);
    if (st != JD_OK)
        return st;
    return db_parse_record(db, id, db->scratch.data, db->scratch.len, out);
}

jd_status
db_parse_record(jd_db *db, const char *id, const char *json, size_t len,
                jd_spec **out)
{
    char why[256];
    jd_status st = jd_spec_from_json(json, len, NULL, out, why, sizeof(why));
    if (st == JD_ERR_INVALID_ARG)
        return db_fail(db, JD_ERR_CORRUPT,
                       "stored record '%s' is corrupt (%s); run jobdex-query "
                       "check",
                       id ? id : "?", why);
    return st;
}

struct get_call {
    const char *id;
    jd_spec **out;
};

static jd_status
get_read(jd_db *db, void *ctx)
{
    struct get_call *c = ctx;
    return db_load(db, c->id, c->out);
}

jd_status
jd_db_get(jd_db *db, const char *id, jd_spec **out)
{
    struct get_call c = {id, out};
    return db_read(db, get_read, &c);
}
