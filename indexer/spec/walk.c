/*
 * walk.c: jd_walk(), finding the input files under the paths a user
 * names. Names are sorted so that every run sees files in the same order
 * (ids are unique, so order only matters for progress and messages).
 *
 * Each directory and file is visited once, known by device and inode, in
 * the whole walk: a second route to one (a symbolic or hard link, a path
 * named twice or inside another) is skipped without a word, since what it
 * leads to is read already, by the first route in argument and name
 * order. Only a link back to a directory still being read, a loop, is
 * reported. So a graph of links costs one visit per directory, however
 * many routes it has.
 *
 * A symbolic link met in the walk is followed only when its target (its
 * real path) lies in one of the trees named, unless JD_WALK_FOLLOW_LINKS;
 * a path named is the user's choice and is followed wherever it leads.
 * Nothing on a pseudo filesystem (/proc, /sys: pseudofs.h) and no device
 * is ever read; a FIFO or socket with a spec's name is reported, never
 * opened. Directories are opened relative to their parent, checked to be
 * the one that was looked at, and listed through that descriptor.
 */
/* realpath() is X/Open, beyond the POSIX level the Makefile asks for. */
/* NOLINTNEXTLINE(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#define _XOPEN_SOURCE 700
#include "jobdex.h"

#include "indexer/spec/from_onet.h"
#include "indexer/util/buf.h"
#include "indexer/util/pseudofs.h"
#include "indexer/util/termmap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* A guard for the stack and the open descriptors (one per level), not
 * the defence against link graphs: the visited set is. */
enum { WALK_MAX_DEPTH = 64 };

/* ---- the directories and files met, by device and inode ---- */

enum seen_state {
    SEEN_NONE, /* not met yet */
    SEEN_OPEN, /* a directory whose entries are being walked */
    SEEN_DONE,
};

/* The key of SB's file in the set of those met: its device and inode. */
static size_t
seen_key(const struct stat *sb, char key[sizeof(dev_t) + sizeof(ino_t)])
{
    memcpy(key, &sb->st_dev, sizeof(dev_t));
    memcpy(key + sizeof(dev_t), &sb->st_ino, sizeof(ino_t));
    return sizeof(dev_t) + sizeof(ino_t);
}

static enum seen_state
seen_get(const struct termmap *seen, const struct stat *sb)
{
    char key[sizeof(dev_t) + sizeof(ino_t)];
    const struct termmap_entry *e = termmap_find(seen, key, seen_key(sb, key));
    return e ? (enum seen_state)e->value : SEEN_NONE;
}

/* Record the file or directory SB describes as STATE. Fails (with
 * JD_ERR_NOMEM) only for one not recorded yet. */
static jd_status
seen_put(struct termmap *seen, const struct stat *sb, enum seen_state state)
{
    char key[sizeof(dev_t) + sizeof(ino_t)];
    struct termmap_entry *e = termmap_get(seen, key, seen_key(sb, key));
    if (!e)
        return JD_ERR_NOMEM;
    e->value = state;
    return JD_OK;
}

/* ---- the walk ---- */

struct walker {
    const struct jd_walk_sink *sink;
    bool follow_links;
    char **trees; /* the real paths of the paths named */
    size_t ntrees;
    struct termmap seen; /* device and inode -> enum seen_state */
    size_t depth;
};

/* A path about to be visited, and what the walk knows of it. */
struct entry {
    const char *path;   /* as messages and FILE get it */
    int dirfd;          /* the directory AT is relative to, or AT_FDCWD */
    const char *at;     /* the name to open it by (no link in the last
                           part, unless TOP) */
    struct stat sb;     /* what it is, symbolic links followed */
    const char *folder; /* FOLDER for FILE */
    bool top;           /* one of the paths named */
    /* The filesystem of the directory it was found in, known not to be
     * a pseudo one; -1 for a path named. */
    dev_t parent_dev;
};

static void
report(const struct walker *w, const char *path, const char *why)
{
    if (w->sink->error)
        w->sink->error(w->sink->ctx, path, why);
}

/* Report the failure ERR of a look at PATH. */
static jd_status
report_errno(const struct walker *w, const char *path, int err)
{
    if (err == ENOMEM)
        return JD_ERR_NOMEM;
    report(w, path, err == ELOOP ? "symbolic link loop" : strerror(err));
    return JD_OK;
}

static bool
wanted_name(const char *name)
{
    static const char *const exts[] = {".txt", ".text", ".jsonl", ".ndjson",
                                       ".json"};
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
        size_t k = strlen(exts[i]);
        if (n > k && strcasecmp(name + n - k, exts[i]) == 0)
            return true;
    }
    return false;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* True when the real path REAL is one of the trees named or below one. */
static bool
in_trees(const struct walker *w, const char *real)
{
    for (size_t i = 0; i < w->ntrees; i++) {
        const char *t = w->trees[i];
        size_t n = strlen(t);
        if (strcmp(t, "/") == 0 ||
            (strncmp(real, t, n) == 0 && (real[n] == '\0' || real[n] == '/')))
            return true;
    }
    return false;
}

/* The entries of the directory open as D, but names starting with '.',
 * sorted; *N of them. NULL with *N == 0 is an empty directory. */
static jd_status
sorted_names(DIR *d, char ***out, size_t *n)
{
    char **names = NULL;
    size_t cap = 0;
    jd_status st = JD_OK;
    struct dirent *e;
    *n = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            char **v = realloc(names, cap * sizeof(*v));
            if (!v) {
                st = JD_ERR_NOMEM;
                break;
            }
            names = v;
        }
        if (!(names[*n] = strdup(e->d_name))) {
            st = JD_ERR_NOMEM;
            break;
        }
        (*n)++;
    }
    if (st == JD_OK && *n > 1)
        qsort(names, *n, sizeof(*names), cmp_str);
    *out = names;
    return st;
}

/* Open the directory E names: the very one E->sb describes (not one
 * swapped in since it was looked at), never one on a pseudo filesystem.
 * Reports why not and returns -1. */
static int
open_dir(const struct walker *w, const struct entry *e)
{
    int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (e->top ? 0 : O_NOFOLLOW);
    int fd = openat(e->dirfd, e->at, flags);
    if (fd < 0) {
        report(w, e->path, strerror(errno));
        return -1;
    }
    struct stat sb;
    char why[128];
    if (fstat(fd, &sb) != 0 || sb.st_dev != e->sb.st_dev ||
        sb.st_ino != e->sb.st_ino)
        snprintf(why, sizeof(why), "changed while being read");
    else if (!pseudofs_fd(fd, why, sizeof(why)))
        return fd;
    report(w, e->path, why);
    close(fd);
    return -1;
}

/* NOLINTBEGIN(misc-no-recursion): the depth is capped at WALK_MAX_DEPTH. */
static jd_status walk_child(struct walker *w, int dirfd, dev_t dev,
                            const char *path, const char *name,
                            const char *folder);

/* Walk the entries of the directory E, open as FD (which this closes). */
static jd_status
walk_dir(struct walker *w, const struct entry *e, int fd)
{
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return report_errno(w, e->path, errno);
    }
    char **names;
    size_t n;
    jd_status st = sorted_names(d, &names, &n);
    jd_buf child = {NULL, 0, 0};
    for (size_t i = 0; i < n && st == JD_OK; i++) {
        buf_clear(&child);
        st = buf_printf(&child, "%s/%s", e->path, names[i]);
        if (st == JD_OK)
            st = walk_child(w, dirfd(d), e->sb.st_dev, child.data, names[i],
                            e->folder);
    }
    closedir(d);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    jd_buf_free(&child);
    return st;
}

static jd_status
visit_dir(struct walker *w, const struct entry *e)
{
    enum seen_state seen = seen_get(&w->seen, &e->sb);
    if (seen == SEEN_OPEN)
        report(w, e->path, "symbolic link loop (directory already being read)");
    if (seen != SEEN_NONE)
        return JD_OK;
    /* Done from here on, so that a second route to a directory that
     * cannot be read is not reported twice. */
    if (seen_put(&w->seen, &e->sb, SEEN_DONE) != JD_OK)
        return JD_ERR_NOMEM;
    int fd = open_dir(w, e);
    if (fd < 0)
        return JD_OK;
    if (spec_onet_is_dir(e->path)) {
        close(fd);
        return w->sink->file(w->sink->ctx, e->path, e->folder);
    }
    if (w->depth == WALK_MAX_DEPTH) {
        close(fd);
        report(w, e->path, "directories nested too deep");
        return JD_OK;
    }
    /* Recorded already: these cannot fail. */
    (void)seen_put(&w->seen, &e->sb, SEEN_OPEN);
    w->depth++;
    jd_status st = walk_dir(w, e, fd);
    w->depth--;
    (void)seen_put(&w->seen, &e->sb, SEEN_DONE);
    return st;
}

static jd_status
visit_file(struct walker *w, const struct entry *e)
{
    mode_t mode = e->sb.st_mode;
    if (!e->top && !wanted_name(e->path))
        return JD_OK;
    char why[128];
    if (S_ISCHR(mode) || S_ISBLK(mode)) {
        report(w, e->path, "not a regular file (a device), never read");
        return JD_OK;
    }
    if (!e->top && !S_ISREG(mode)) {
        /* A FIFO would block the reader forever; a socket is no spec
         * either. Named like a spec, so say why it is left. */
        report(w, e->path,
               S_ISFIFO(mode) ? "not a regular file (a FIFO)"
                              : "not a regular file");
        return JD_OK;
    }
    /* A file on its directory's filesystem needs no second look. */
    if ((e->top || e->sb.st_dev != e->parent_dev) &&
        pseudofs_path(e->path, why, sizeof(why))) {
        report(w, e->path, why);
        return JD_OK;
    }
    if (seen_get(&w->seen, &e->sb) != SEEN_NONE)
        return JD_OK;
    if (seen_put(&w->seen, &e->sb, SEEN_DONE) != JD_OK)
        return JD_ERR_NOMEM;
    return w->sink->file(w->sink->ctx, e->path, e->folder);
}

static jd_status
visit(struct walker *w, const struct entry *e)
{
    return S_ISDIR(e->sb.st_mode) ? visit_dir(w, e) : visit_file(w, e);
}

/* Visit NAME in the directory open as DIRFD (on device DEV), PATH being
 * its path. A symbolic link is resolved and, unless links may be followed
 * anywhere, followed only into the trees named. */
static jd_status
walk_child(struct walker *w, int dirfd, dev_t dev, const char *path,
           const char *name, const char *folder)
{
    struct entry e = {.path = path,
                      .dirfd = dirfd,
                      .at = name,
                      .folder = folder,
                      .parent_dev = dev};
    if (fstatat(dirfd, name, &e.sb, AT_SYMLINK_NOFOLLOW) != 0)
        return report_errno(w, path, errno);
    char *real = NULL;
    if (S_ISLNK(e.sb.st_mode)) {
        real = realpath(path, NULL);
        if (!real || stat(real, &e.sb) != 0) {
            int err = errno;
            free(real);
            return report_errno(w, path, err);
        }
        bool follow = S_ISDIR(e.sb.st_mode) || wanted_name(name);
        if (follow && !w->follow_links && !in_trees(w, real)) {
            report(w, path,
                   "symbolic link leads outside the input trees "
                   "(use --follow-links)");
            follow = false;
        }
        if (!follow) {
            free(real);
            return JD_OK;
        }
        e.dirfd = AT_FDCWD;
        e.at = real;
    }
    /* The first level below the root names the folder. */
    if (w->depth == 1 && S_ISDIR(e.sb.st_mode))
        e.folder = name;
    jd_status st = visit(w, &e);
    free(real);
    return st;
}

/* NOLINTEND(misc-no-recursion) */

static void
walker_free(struct walker *w)
{
    for (size_t i = 0; i < w->ntrees; i++)
        free(w->trees[i]);
    free(w->trees);
    termmap_free(&w->seen);
}

jd_status
jd_walk(const char *const *paths, size_t n, unsigned flags,
        const struct jd_walk_sink *sink)
{
    struct walker w;
    memset(&w, 0, sizeof(w));
    w.sink = sink;
    w.follow_links = flags & JD_WALK_FOLLOW_LINKS;
    /* All the trees first: a link in the first may lead into the last. */
    w.trees = calloc(n ? n : 1, sizeof(*w.trees));
    if (!w.trees)
        return JD_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        errno = 0;
        if ((w.trees[w.ntrees] = realpath(paths[i], NULL)) != NULL)
            w.ntrees++;
        else if (errno == ENOMEM) {
            walker_free(&w);
            return JD_ERR_NOMEM;
        }
    }
    jd_status st = JD_OK;
    for (size_t i = 0; i < n && st == JD_OK; i++) {
        struct entry e = {.path = paths[i],
                          .dirfd = AT_FDCWD,
                          .at = paths[i],
                          .top = true,
                          .parent_dev = (dev_t)-1};
        if (stat(paths[i], &e.sb) != 0)
            st = report_errno(&w, paths[i], errno);
        else
            st = visit(&w, &e);
    }
    walker_free(&w);
    return st;
}
