/*
 * merge.c: folding the shards of a parallel run into the index.
 *
 * Each worker of `jobdex-index -j N` writes a shard (a small index of its
 * own under DIR/.shards/K) in its own process. The parent then:
 *
 *   1. settles ids that occur more than once: a later shard wins over an
 *      earlier one (workers take consecutive runs of the inputs, so that
 *      is the later input, as with one worker) and over the index; a
 *      shard's record that replaces one already in the index is set aside
 *      (DIR/.shards/readd.jsonl) and taken out of the shard;
 *   2. compacts the index and the shards (Xapian's compaction, which
 *      merges the posting lists without re-indexing anything) into a new
 *      generation DIR/gN+1.tmp, stamps it, renames it to DIR/gN+1 and
 *      points DIR/generation at it -- the one atomic step; a crash before
 *      it leaves the index as it was, after it the new one;
 *   3. re-adds the set-aside records one by one, replacing their old
 *      selves, and commits.
 */
#include "indexer/store/db.h"

#include "indexer/spec/json.h"
#include "indexer/store/schema.h"
#include "indexer/util/buf.h"
#include "indexer/util/fsutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

jd_status
jd_db_shard_path(jd_db *db, size_t k, char *out, size_t len)
{
    /* Both made here, as real directories: the shard's own open would
     * take a link for the user's choice of index directory. */
    int n = snprintf(out, len, "%s/" SHARDS_DIR, db->path);
    if (n <= 0 || (size_t)n >= len)
        return db_fail(db, JD_ERR_INVALID_ARG, "path too long");
    for (int level = 0; level < 2; level++) {
        if (fs_mkdir(out) != JD_OK) {
            fs_describe(db->msg, sizeof(db->msg), "create", out, errno);
            return JD_ERR_IO;
        }
        n = snprintf(out, len, "%s/" SHARDS_DIR "/%zu", db->path, k);
        if (n <= 0 || (size_t)n >= len)
            return db_fail(db, JD_ERR_INVALID_ARG, "path too long");
    }
    return JD_OK;
}

jd_status
jd_db_drop_shards(jd_db *db)
{
    char path[4400];
    snprintf(path, sizeof(path), "%s/" SHARDS_DIR, db->path);
    return fs_remove_tree(path);
}

/* Ids to take out of one shard, and the file for the set-aside records. */
struct settle {
    jd_db *main;
    jd_db **shards;
    size_t n, k;
    char **drop; /* ids to delete from shard K */
    size_t ndrop, capdrop;
    FILE *readd;
    size_t nreadd, nlater;
    jd_status st;
};

static bool
holds(jd_db *db, const char *term, size_t len, jd_status *st)
{
    size_t tf = 0;
    *st = xs_termfreq(db->classes, term, len, &tf, db->msg, sizeof(db->msg));
    return *st == JD_OK && tf > 0;
}

/* Id term TERM of shard K: keep it, or note it for dropping (a later
 * shard has it) or for setting aside (the index has it). */
static int
settle_id(void *ctx, const char *term, size_t len, size_t freq)
{
    (void)freq;
    struct settle *s = ctx;
    bool later = false;
    for (size_t j = s->k + 1; j < s->n && !later && s->st == JD_OK; j++)
        later = holds(s->shards[j], term, len, &s->st);
    bool known = !later && s->st == JD_OK && s->main->classes &&
                 holds(s->main, term, len, &s->st);
    if (s->st != JD_OK)
        return 1;
    if (!later && !known)
        return 0;
    char *id = strndup(term + strlen(PREFIX_ID), len - strlen(PREFIX_ID));
    if (!id || (s->ndrop == s->capdrop &&
                !(s->capdrop = s->capdrop ? s->capdrop * 2 : 64))) {
        free(id);
        s->st = JD_ERR_NOMEM;
        return 1;
    }
    char **v = realloc(s->drop, s->capdrop * sizeof(*v));
    if (!v) {
        free(id);
        s->st = JD_ERR_NOMEM;
        return 1;
    }
    s->drop = v;
    s->drop[s->ndrop++] = id;
    if (later) {
        s->nlater++;
        return 0;
    }
    /* The shard's record replaces the index's: keep its JSON for later. */
    jd_db *shard = s->shards[s->k];
    char t[1024];
    snprintf(t, sizeof(t), PREFIX_ID "%s", id);
    s->st = xs_data_by_term(shard->classes, t, &shard->scratch, shard->msg,
                            sizeof(shard->msg));
    if (s->st != JD_OK)
        return 1;
    if (fwrite(shard->scratch.data, 1, shard->scratch.len, s->readd) !=
            shard->scratch.len ||
        fputc('\n', s->readd) == EOF) {
        s->st = JD_ERR_IO;
        return 1;
    }
    s->nreadd++;
    return 0;
}

static jd_status
settle_shard(struct settle *s)
{
    jd_db *shard = s->shards[s->k];
    s->ndrop = 0;
    jd_status st = xs_allterms(shard->classes, PREFIX_ID, settle_id, s,
                               shard->msg, sizeof(shard->msg));
    if (st == JD_OK)
        st = s->st;
    if (st != JD_OK && s->st == JD_OK && shard != s->main)
        db_fail(s->main, st, "shard %zu: %s", s->k, jd_db_errmsg(shard));
    for (size_t i = 0; i < s->ndrop; i++) {
        if (st == JD_OK && (st = jd_db_delete(shard, s->drop[i])) != JD_OK)
            db_fail(s->main, st, "shard %zu: %s", s->k, jd_db_errmsg(shard));
        free(s->drop[i]);
    }
    s->ndrop = 0;
    if (st == JD_OK && (st = jd_db_commit(shard)) != JD_OK)
        db_fail(s->main, st, "shard %zu: %s", s->k, jd_db_errmsg(shard));
    return st;
}

static char *
join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* Sources of the new generation's PART: the index and each shard that
 * hold records (COUNTS[0] the index's, COUNTS[1 + k] shard K's). */
static jd_status
sources(jd_db *db, jd_db **shards, size_t n, const size_t *counts,
        const char *part, char ***out, size_t *nout)
{
    char **v = calloc(n + 1, sizeof(*v));
    *out = v;
    *nout = 0;
    if (!v)
        return JD_ERR_NOMEM;
    for (size_t i = 0; i <= n; i++) {
        if (counts[i] == 0)
            continue;
        if (!(v[(*nout)++] =
                  join(i == 0 ? db->base : shards[i - 1]->base, part)))
            return JD_ERR_NOMEM;
    }
    return JD_OK;
}

static void
free_strs(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

/* Format, batch number and an empty pending list on the new databases. */
static jd_status
stamp(jd_db *db, const char *dir, unsigned long batch)
{
    char path[4600], num[32];
    snprintf(num, sizeof(num), "%lu", batch);
    struct xs_db *x = NULL;
    jd_status st = JD_OK;
    for (int part = 0; part < 2 && st == JD_OK; part++) {
        snprintf(path, sizeof(path), "%s/%s", dir,
                 part == 0 ? CLASSES_DIR : ITEMS_DIR);
        st = xs_open(path, XS_WRITE, &x, db->msg, sizeof(db->msg));
        if (st == JD_OK && part == 0) {
            char v[16];
            snprintf(v, sizeof(v), "%d", INDEX_FORMAT_VERSION);
            st = xs_set_metadata(x, META_FORMAT, v, db->msg, sizeof(db->msg));
            if (st == JD_OK)
                st = xs_set_metadata(x, META_PENDING, "", db->msg,
                                     sizeof(db->msg));
        }
        if (st == JD_OK)
            st = xs_set_metadata(x, META_BATCH, num, db->msg, sizeof(db->msg));
        if (st == JD_OK)
            st = xs_commit(x, db->msg, sizeof(db->msg));
        xs_close(x);
        x = NULL;
    }
    return st;
}

/* Build generation GEN from the index and the shards, then make it the
 * current one. */
static jd_status
swap_in(jd_db *db, jd_db **shards, size_t n, const size_t *counts,
        unsigned long gen)
{
    char tmp[4400], dest[4600];
    jd_status st = db_generation_begin(db, gen, tmp, sizeof(tmp));
    if (st != JD_OK)
        return st;
    for (int part = 0; part < 2 && st == JD_OK; part++) {
        const char *name = part == 0 ? CLASSES_DIR : ITEMS_DIR;
        char **src = NULL;
        size_t nsrc = 0;
        st = sources(db, shards, n, counts, name, &src, &nsrc);
        snprintf(dest, sizeof(dest), "%s/%s", tmp, name);
        if (st == JD_OK && nsrc > 0)
            st = xs_compact((const char *const *)src, nsrc, dest, db->msg,
                            sizeof(db->msg));
        else if (st == JD_OK) {
            struct xs_db *x = NULL; /* nothing at all: an empty database */
            st = xs_open(dest, XS_CREATE, &x, db->msg, sizeof(db->msg));
            xs_close(x);
        }
        free_strs(src, nsrc);
    }
    if (st == JD_OK)
        st = stamp(db, tmp, db->batch + 1);
    if (st == JD_OK)
        st = db_generation_publish(db, gen);
    if (st != JD_OK)
        fs_remove_tree(tmp); /* a generation renamed keeps its mark */
    return st;
}

/* Add the records set aside in PATH, replacing their old selves. */
static jd_status
readd(jd_db *db, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return db_fail(db, JD_ERR_IO, "cannot read '%s': %s", path,
                       strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    jd_status st = JD_OK;
    while (st == JD_OK && (len = getline(&line, &cap, f)) > 0) {
        jd_spec *s = NULL;
        char why[256];
        st = jd_spec_from_json(line, (size_t)len, NULL, &s, why, sizeof(why));
        if (st == JD_ERR_INVALID_ARG)
            st = db_fail(db, JD_ERR_CORRUPT, "set-aside record: %s", why);
        if (st == JD_OK)
            st = jd_db_add(db, s);
        jd_spec_free(s);
    }
    free(line);
    if (st == JD_OK && ferror(f))
        st = db_fail(db, JD_ERR_IO, "cannot read '%s'", path);
    fclose(f);
    return st == JD_OK ? jd_db_commit(db) : st;
}

static jd_status
open_shards(jd_db *db, size_t n, jd_db ***out)
{
    jd_db **v = calloc(n ? n : 1, sizeof(jd_db *));
    if (!v)
        return JD_ERR_NOMEM;
    *out = v;
    char path[4400];
    for (size_t k = 0; k < n; k++) {
        jd_status st = jd_db_new(&v[k]);
        if (st == JD_OK)
            st = jd_db_shard_path(db, k, path, sizeof(path));
        if (st == JD_OK)
            st = jd_db_open(v[k], path, JD_OPEN_WRITE | JD_OPEN_CREATE);
        if (st != JD_OK)
            return db_fail(db, st, "shard %zu: %s", k,
                           v[k] ? jd_db_errmsg(v[k]) : "out of memory");
    }
    return JD_OK;
}

jd_status
jd_db_merge_shards(jd_db *db, size_t n, struct jd_merge_stats *out)
{
    memset(out, 0, sizeof(*out));
    if (!db->writable)
        return db_fail(db, JD_ERR_INVALID_ARG, "index is open read-only");
    jd_status st = jd_db_commit(db);
    if (st != JD_OK)
        return st;
    jd_db **shards = NULL;
    size_t *counts = NULL;
    char readd_path[4400];
    snprintf(readd_path, sizeof(readd_path), "%s/" SHARDS_DIR "/readd.jsonl",
             db->path);
    struct settle s = {db, NULL, n, 0, NULL, 0, 0, NULL, 0, 0, JD_OK};
    if ((st = open_shards(db, n, &shards)) != JD_OK)
        goto out;
    s.shards = shards;
    int fd = fs_create(readd_path);
    if (fd < 0 || !(s.readd = fdopen(fd, "w"))) {
        fs_describe(db->msg, sizeof(db->msg), "create", readd_path, errno);
        st = JD_ERR_IO;
        if (fd >= 0)
            close(fd);
        goto out;
    }
    for (s.k = 0; s.k < n && st == JD_OK; s.k++)
        st = settle_shard(&s);
    if (fclose(s.readd) != 0 && st == JD_OK)
        st = db_fail(db, JD_ERR_IO, "cannot write '%s'", readd_path);
    s.readd = NULL;
    size_t total = 0;
    if (st == JD_OK && !(counts = calloc(n + 1, sizeof(*counts))))
        st = JD_ERR_NOMEM;
    if (st == JD_OK)
        st = jd_db_count(db, &counts[0]);
    for (size_t k = 0; k < n && st == JD_OK; k++) {
        st = jd_db_count(shards[k], &counts[k + 1]);
        total += counts[k + 1];
    }
    if (st != JD_OK)
        goto out;
    /* The shards' databases must be closed before compaction reads them
     * whole; their paths stay in the handles. */
    for (size_t k = 0; k < n; k++)
        db_close(shards[k]);
    if ((st = swap_in(db, shards, n, counts, db->gen + 1)) != JD_OK)
        goto out;
    if ((st = db_open_current(db, XS_WRITE)) != JD_OK)
        goto out;
    db->committed += total;
    if (s.nreadd > 0 && (st = readd(db, readd_path)) != JD_OK)
        goto out;
    out->added = total;
    out->replaced = s.nreadd;
    out->superseded = s.nlater;
    jd_db_drop_shards(db);
out:
    if (s.readd)
        fclose(s.readd);
    free(s.drop);
    free(counts);
    for (size_t k = 0; shards && k < n; k++)
        jd_db_free(shards[k]);
    free(shards);
    return st;
}
