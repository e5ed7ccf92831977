/*
 * walk.c: jd_walk(), finding the input files under the paths a user
 * names. Names are sorted so that every run sees files in the same order
 * (ids are unique, so order only matters for progress and messages).
 * Symbolic links to directories are followed once: a directory already on
 * the current path is a loop and is reported, not entered. A FIFO, socket
 * or device with a spec's name is reported, never opened.
 */
#include "jobdex.h"

#include "buf.h"
#include "spec_onet.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

enum { WALK_MAX_DEPTH = 64 };

struct walker {
    const struct jd_walk_sink *sink;
    struct {
        dev_t dev;
        ino_t ino;
    } stack[WALK_MAX_DEPTH];
    size_t depth;
};

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

/* NOLINTBEGIN(misc-no-recursion): the depth is capped at WALK_MAX_DEPTH. */
static jd_status walk_dir(struct walker *w, const char *path,
                          const char *folder);

static jd_status
walk_entry(struct walker *w, const char *path, const char *folder,
           bool top)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (w->sink->error)
            w->sink->error(w->sink->ctx, path,
                           errno == ELOOP ? "symbolic link loop"
                                          : strerror(errno));
        return JD_OK;
    }
    if (S_ISDIR(sb.st_mode)) {
        if (spec_onet_is_dir(path))
            return w->sink->file(w->sink->ctx, path, folder);
        for (size_t i = 0; i < w->depth; i++) {
            if (w->stack[i].dev == sb.st_dev && w->stack[i].ino == sb.st_ino) {
                if (w->sink->error)
                    w->sink->error(w->sink->ctx, path,
                                   "symbolic link loop (directory already "
                                   "being read)");
                return JD_OK;
            }
        }
        if (w->depth == WALK_MAX_DEPTH) {
            if (w->sink->error)
                w->sink->error(w->sink->ctx, path, "directories nested too deep");
            return JD_OK;
        }
        w->stack[w->depth].dev = sb.st_dev;
        w->stack[w->depth].ino = sb.st_ino;
        w->depth++;
        jd_status st = walk_dir(w, path, folder);
        w->depth--;
        return st;
    }
    if (!top && !wanted_name(path))
        return JD_OK;
    if (!top && !S_ISREG(sb.st_mode)) {
        /* A FIFO would block the reader forever; a device or socket is
         * no spec either. Named like a spec, so say why it is left. */
        if (w->sink->error)
            w->sink->error(w->sink->ctx, path,
                           S_ISFIFO(sb.st_mode) ? "not a regular file (a FIFO)"
                                                : "not a regular file");
        return JD_OK;
    }
    return w->sink->file(w->sink->ctx, path, folder);
}

static jd_status
walk_dir(struct walker *w, const char *path, const char *folder)
{
    DIR *d = opendir(path);
    if (!d) {
        if (w->sink->error)
            w->sink->error(w->sink->ctx, path, strerror(errno));
        return JD_OK;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    jd_status st = JD_OK;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **v = realloc(names, cap * sizeof(*v));
            if (!v) {
                st = JD_ERR_NOMEM;
                break;
            }
            names = v;
        }
        if (!(names[n] = strdup(e->d_name))) {
            st = JD_ERR_NOMEM;
            break;
        }
        n++;
    }
    closedir(d);
    if (st == JD_OK && n > 1)
        qsort(names, n, sizeof(*names), cmp_str);
    jd_buf child = {NULL, 0, 0};
    for (size_t i = 0; i < n && st == JD_OK; i++) {
        buf_clear(&child);
        if (buf_printf(&child, "%s/%s", path, names[i]) != JD_OK) {
            st = JD_ERR_NOMEM;
            break;
        }
        /* The first level below the root names the folder. */
        const char *f = folder;
        struct stat sb;
        if (w->depth == 1 && stat(child.data, &sb) == 0 &&
            S_ISDIR(sb.st_mode))
            f = names[i];
        st = walk_entry(w, child.data, f, false);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    jd_buf_free(&child);
    return st;
}

/* NOLINTEND(misc-no-recursion) */

jd_status
jd_walk(const char *const *paths, size_t n, const struct jd_walk_sink *sink)
{
    struct walker w;
    memset(&w, 0, sizeof(w));
    w.sink = sink;
    jd_status st = JD_OK;
    for (size_t i = 0; i < n && st == JD_OK; i++)
        st = walk_entry(&w, paths[i], NULL, true);
    return st;
}
