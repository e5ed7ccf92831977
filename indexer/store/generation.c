/*
 * generation.c: the index directory's own names (schema.h): which
 * generation is current, what a writer may remove, and that none of
 * those names is a symbolic link.
 *
 * DIR/generation (the pointer) names the current generation N, whose
 * databases are in DIR/gN; without a pointer the index is DIR itself
 * (generation 0). A parallel run builds generation N in DIR/gN.tmp
 * holding the file UNCOMMITTED_MARK, renames it DIR/gN, writes the
 * pointer, and only then removes the mark. So a generation without the
 * mark has been current, and one with it never was unless the pointer
 * names it. Readers and writers alike:
 *
 *   pointer missing, no unmarked gM        generation 0 (DIR itself)
 *   pointer missing, an unmarked gM        damaged: without it the index
 *                                          would look empty (and a
 *                                          writer would remove gM)
 *   pointer empty, "abc", "0", a link      damaged
 *   pointer N, no DIR/gN                   damaged
 *   pointer N, an unmarked gM with M > N   damaged (the pointer went back)
 *   pointer N, DIR/gN                      generation N
 *
 * Each damaged case is refused with the file's name and a command that
 * repairs it. A writer (holding DIR/lock, so no other build is under
 * way) then removes only what the pointer proves unused: every gM.tmp,
 * generations older than N - 1 (N - 1 stays for readers that opened it
 * just before the last swap), marked generations newer than N (built by
 * a run that died before writing the pointer) and the shards of a run
 * that died.
 *
 * Links: a symbolic link at any of these names, or inside the current
 * generation's databases, is refused by name, so nothing jobdex writes
 * or removes there reaches outside the directory. DIR itself may be a
 * link to a directory (the user's choice).
 */
#include "indexer/store/db.h"

#include "indexer/store/schema.h"
#include "indexer/util/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Present in DIR/gN from its build until the pointer names it. */
#define UNCOMMITTED_MARK "uncommitted"

/* A name of DIR that is jobdex's. */
struct entry {
    const char *name;
    bool generation;  /* gN or gN.tmp */
    bool tmp;         /* gN.tmp */
    unsigned long n;  /* N of a generation */
    bool uncommitted; /* gN holding UNCOMMITTED_MARK */
};

static bool
own_name(const char *name)
{
    static const char *const names[] = {
        LOCK_FILE,  GENERATION_FILE, GENERATION_TMP_FILE,
        SHARDS_DIR, CLASSES_DIR,     ITEMS_DIR,
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(name, names[i]) == 0)
            return true;
    return false;
}

/* "gN" or "gN.tmp", N as jobdex writes it (no sign, no leading zero). */
static bool
parse_generation_name(const char *name, struct entry *e)
{
    if (name[0] != 'g' || name[1] < '1' || name[1] > '9')
        return false;
    char *end;
    errno = 0;
    unsigned long n = strtoul(name + 1, &end, 10);
    if (errno != 0)
        return false;
    e->tmp = strcmp(end, ".tmp") == 0;
    if (!e->tmp && *end)
        return false;
    e->generation = true;
    e->n = n;
    return true;
}

/* A link at one of jobdex's names: the directory is not as jobdex left
 * it, which is damage as much as a bad pointer is. */
static jd_status
refuse_link(jd_db *db, const char *path)
{
    fs_describe(db->msg, sizeof(db->msg), "", path, ELOOP);
    return JD_ERR_CORRUPT;
}

/* Refuse DIR/NAME (seen as SB) when it is a link, or a generation that
 * is not a directory. */
static jd_status
check_entry(jd_db *db, const struct entry *e, const struct stat *sb)
{
    char path[4400];
    snprintf(path, sizeof(path), "%s/%s", db->path, e->name);
    if (S_ISLNK(sb->st_mode))
        return refuse_link(db, path);
    if (e->generation && !e->tmp && !S_ISDIR(sb->st_mode))
        return db_fail(db, JD_ERR_CORRUPT,
                       "'%s' is not a directory, so not a generation of the "
                       "index (remove it)",
                       path);
    return JD_OK;
}

typedef jd_status (*entry_fn)(jd_db *db, const struct entry *e, void *ctx);

/* FN for each of jobdex's names in DB->path, after refusing links. */
static jd_status
each_entry(jd_db *db, entry_fn fn, void *ctx)
{
    DIR *d = opendir(db->path);
    if (!d)
        return db_fail(db, JD_ERR_IO, "cannot read '%s': %s", db->path,
                       strerror(errno));
    int dfd = dirfd(d);
    jd_status st = JD_OK;
    struct dirent *de;
    while (st == JD_OK && (de = readdir(d)) != NULL) {
        struct entry e = {.name = de->d_name};
        if (!parse_generation_name(e.name, &e) && !own_name(e.name))
            continue;
        struct stat sb;
        if (fstatat(dfd, e.name, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
            if (errno == ENOENT)
                continue; /* removed meanwhile by a writer */
            st = db_fail(db, JD_ERR_IO, "cannot read '%s/%s': %s", db->path,
                         e.name, strerror(errno));
            break;
        }
        if ((st = check_entry(db, &e, &sb)) != JD_OK)
            break;
        if (e.generation && !e.tmp) {
            char mark[300];
            snprintf(mark, sizeof(mark), "%s/" UNCOMMITTED_MARK, e.name);
            e.uncommitted = fstatat(dfd, mark, &sb, AT_SYMLINK_NOFOLLOW) == 0;
        }
        st = fn(db, &e, ctx);
    }
    closedir(d);
    return st;
}

/* The newest generation that has been current (no mark) into *CTX. */
static jd_status
note_newest(jd_db *db, const struct entry *e, void *ctx)
{
    (void)db;
    unsigned long *newest = ctx;
    if (e->generation && !e->tmp && !e->uncommitted && e->n > *newest)
        *newest = e->n;
    return JD_OK;
}

/* Fail with PROBLEM (about DB->path/generation) and the command that
 * repairs it: point at generation NEWEST, or with none, drop the
 * pointer (the index is DIR itself). */
static jd_status
damaged(jd_db *db, jd_status st, unsigned long newest, const char *problem)
{
    if (newest)
        return db_fail(db, st,
                       "%s; to use generation g%lu, the newest that was "
                       "current, repair with: echo %lu > '%s/" GENERATION_FILE
                       "'",
                       problem, newest, newest, db->path);
    return db_fail(
        db, st,
        "%s; the index is '%s' itself: repair with: rm '%s/" GENERATION_FILE
        "'",
        problem, db->path, db->path);
}

/* The pointer's generation into *N: 0 for none (*PRESENT false), or
 * for a file that names none. */
static jd_status
read_pointer(jd_db *db, const char *file, bool *present, unsigned long *n)
{
    char line[64];
    *n = 0;
    *present = true;
    jd_status st = fs_read_line(file, line, sizeof(line));
    if (st == JD_ERR_NOT_FOUND) {
        *present = false;
        return JD_OK;
    }
    if (st != JD_OK && errno == ELOOP)
        return refuse_link(db, file);
    if (st != JD_OK)
        return db_fail(db, st, "cannot read '%s': %s", file, strerror(errno));
    if (line[0] < '1' || line[0] > '9')
        return JD_OK;
    char *end;
    errno = 0;
    unsigned long v = strtoul(line, &end, 10);
    if (errno == 0 && *end == '\0')
        *n = v;
    return JD_OK;
}

/* Refuse links inside the database directory DIR (a link there would
 * have Xapian read or write elsewhere); a missing DIR is for the
 * opening to report. */
static jd_status
check_database(jd_db *db, const char *dir)
{
    struct stat sb;
    if (lstat(dir, &sb) != 0)
        return JD_OK;
    if (S_ISLNK(sb.st_mode))
        return refuse_link(db, dir);
    DIR *d = opendir(dir);
    if (!d)
        return JD_OK;
    jd_status st = JD_OK;
    struct dirent *de;
    while (st == JD_OK && (de = readdir(d)) != NULL)
        if (fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISLNK(sb.st_mode)) {
            char path[4600];
            snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
            st = refuse_link(db, path);
        }
    closedir(d);
    return st;
}

static jd_status
check_databases(jd_db *db)
{
    char dir[4400];
    snprintf(dir, sizeof(dir), "%s/" CLASSES_DIR, db->base);
    jd_status st = check_database(db, dir);
    if (st != JD_OK)
        return st;
    snprintf(dir, sizeof(dir), "%s/" ITEMS_DIR, db->base);
    return check_database(db, dir);
}

/* Whether DB->path/gN is there; a link there is refused. */
static jd_status
generation_exists(jd_db *db, unsigned long n, bool *out)
{
    char path[4400];
    snprintf(path, sizeof(path), "%s/g%lu", db->path, n);
    struct stat sb;
    *out = false;
    if (lstat(path, &sb) != 0)
        return JD_OK;
    if (S_ISLNK(sb.st_mode))
        return refuse_link(db, path);
    *out = S_ISDIR(sb.st_mode);
    return JD_OK;
}

jd_status
db_resolve(jd_db *db)
{
    /* The directory first, then the pointer: a writer removes a new
     * generation's mark only after writing the pointer that names it,
     * and the pointer only moves on, so an unmarked generation seen
     * here is never newer than the pointer read next unless the
     * pointer is damaged. */
    db->gen = 0;
    unsigned long newest = 0;
    jd_status st = each_entry(db, note_newest, &newest);
    if (st != JD_OK)
        return st;
    char file[4200], problem[9000];
    snprintf(file, sizeof(file), "%s/" GENERATION_FILE, db->path);
    bool present;
    unsigned long n;
    if ((st = read_pointer(db, file, &present, &n)) != JD_OK)
        return st;
    if (!present && newest) {
        snprintf(problem, sizeof(problem),
                 "'%s' is missing, but the index has generation '%s/g%lu' "
                 "(without the file it would look empty)",
                 file, db->path, newest);
        return damaged(db, JD_ERR_CORRUPT, newest, problem);
    }
    if (present && n == 0) {
        snprintf(problem, sizeof(problem),
                 "'%s' is damaged (it holds no generation number)", file);
        return damaged(db, JD_ERR_CORRUPT, newest, problem);
    }
    db->gen = n;
    bool exists = true;
    if (n && (st = generation_exists(db, n, &exists)) != JD_OK)
        return st;
    if (!exists) {
        /* JD_ERR_NOT_FOUND: a reader may have lost a race with two
         * swaps and tries again (db_open_current). */
        snprintf(problem, sizeof(problem),
                 "'%s' names generation g%lu, which does not exist", file, n);
        return damaged(db, JD_ERR_NOT_FOUND, newest, problem);
    }
    if (newest > n) {
        snprintf(problem, sizeof(problem),
                 "'%s' names generation g%lu, but g%lu is newer and has been "
                 "current (to go back to g%lu instead, remove '%s/g%lu')",
                 file, n, newest, n, db->path, newest);
        return damaged(db, JD_ERR_CORRUPT, newest, problem);
    }
    if (n)
        snprintf(db->base, sizeof(db->base), "%s/g%lu", db->path, n);
    else
        snprintf(db->base, sizeof(db->base), "%s", db->path);
    return check_databases(db);
}

/* ---- a writer's tidying (the lock held, db_resolve() passed) ---- */

static void
remove_entry(jd_db *db, const char *name)
{
    char path[4400];
    snprintf(path, sizeof(path), "%s/%s", db->path, name);
    fs_remove_tree(path);
}

static jd_status
tidy_entry(jd_db *db, const struct entry *e, void *ctx)
{
    (void)ctx;
    if (!e->generation)
        return JD_OK;
    unsigned long cur = db->gen;
    if (e->tmp || e->n + 1 < cur || (e->n > cur && e->uncommitted)) {
        remove_entry(db, e->name);
    } else if (e->n == cur && e->uncommitted) {
        /* Its run died between writing the pointer and removing the
         * mark: the pointer proves it current. */
        char mark[4400];
        snprintf(mark, sizeof(mark), "%s/%s/" UNCOMMITTED_MARK, db->path,
                 e->name);
        unlink(mark);
    }
    return JD_OK;
}

void
db_tidy(jd_db *db)
{
    remove_entry(db, SHARDS_DIR);
    each_entry(db, tidy_entry, NULL);
    if (db->gen >= 2) {
        remove_entry(db, CLASSES_DIR);
        remove_entry(db, ITEMS_DIR);
    }
}

/* ---- a parallel run's new generation ---- */

jd_status
db_generation_begin(jd_db *db, unsigned long n, char *dir, size_t len)
{
    snprintf(dir, len, "%s/g%lu.tmp", db->path, n);
    char mark[4600];
    snprintf(mark, sizeof(mark), "%s/" UNCOMMITTED_MARK, dir);
    int fd = -1;
    if (fs_mkdir_fresh(dir) != JD_OK || (fd = fs_create(mark)) < 0 ||
        fsync(fd) != 0) {
        int err = errno;
        if (fd >= 0)
            close(fd);
        fs_describe(db->msg, sizeof(db->msg), "create", fd < 0 ? dir : mark,
                    err);
        return JD_ERR_IO;
    }
    close(fd);
    return JD_OK;
}

jd_status
db_generation_publish(jd_db *db, unsigned long n)
{
    char tmp[4400], final[4400], mark[4600];
    snprintf(tmp, sizeof(tmp), "%s/g%lu.tmp", db->path, n);
    snprintf(final, sizeof(final), "%s/g%lu", db->path, n);
    struct stat sb;
    if (lstat(final, &sb) == 0) {
        if (S_ISLNK(sb.st_mode))
            return refuse_link(db, final);
        return db_fail(db, JD_ERR_IO, "cannot rename '%s': '%s' exists", tmp,
                       final);
    }
    if (rename(tmp, final) != 0 || fs_sync_dir(db->path) != JD_OK)
        return db_fail(db, JD_ERR_IO, "cannot rename '%s': %s", tmp,
                       strerror(errno));
    /* The one atomic step. Should it fail, gN keeps its mark and the
     * next writer removes it, or finds the pointer written after all. */
    char num[32];
    snprintf(num, sizeof(num), "%lu\n", n);
    if (fs_write_atomic(db->path, GENERATION_FILE, num) != JD_OK) {
        int err = errno;
        char file[4200];
        snprintf(file, sizeof(file), "%s/" GENERATION_FILE "%s", db->path,
                 err == ELOOP ? ".tmp" : "");
        fs_describe(db->msg, sizeof(db->msg), "write", file, err);
        return JD_ERR_IO;
    }
    snprintf(mark, sizeof(mark), "%s/" UNCOMMITTED_MARK, final);
    if (unlink(mark) == 0)
        fs_sync_dir(final);
    return JD_OK;
}
