/*
 * fsutil.h: the few file-system steps the index layout needs: removing
 * a tree, replacing a small file atomically, reading one back.
 */
#ifndef JD_FSUTIL_H
#define JD_FSUTIL_H

#include "jobdex.h"

/* Remove PATH and everything below it (symbolic links are removed, not
 * followed). A missing PATH is not an error. */
jd_status fs_remove_tree(const char *path);

/* Replace DIR/NAME with TEXT so that a crash leaves the old or the new
 * contents, never a mix: write DIR/NAME.tmp, fsync, rename, fsync DIR. */
jd_status fs_write_atomic(const char *dir, const char *name, const char *text);

/* The first line of PATH (up to LEN - 1 bytes, newline dropped) into OUT.
 * JD_ERR_NOT_FOUND when PATH does not exist. */
jd_status fs_read_line(const char *path, char *out, size_t len);

/* fsync the directory PATH, so that renames in it are durable. */
jd_status fs_sync_dir(const char *path);

#endif
