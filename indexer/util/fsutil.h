/*
 * fsutil.h: the few file-system steps the index layout needs: removing
 * a tree, replacing a small file atomically, reading one back, making
 * files and directories that are never reached through a symbolic link.
 *
 * Inside an index directory jobdex follows no symbolic link: what it
 * creates is created with O_EXCL or O_NOFOLLOW (or checked with lstat),
 * so a link planted at one of its names fails with ELOOP instead of
 * sending a write elsewhere; what it removes is removed as a link.
 */
#ifndef JD_FSUTIL_H
#define JD_FSUTIL_H

#include "jobdex.h"

/* Remove PATH and everything below it (symbolic links are removed, not
 * followed, PATH itself included). A missing PATH is not an error. */
jd_status fs_remove_tree(const char *path);

/* Replace DIR/NAME with TEXT so that a crash leaves the old or the new
 * contents, never a mix: write DIR/NAME.tmp (fs_create), fsync, rename,
 * fsync DIR. On failure errno says why (ELOOP: DIR/NAME.tmp is a link). */
jd_status fs_write_atomic(const char *dir, const char *name, const char *text);

/* The first line of PATH (up to LEN - 1 bytes, newline dropped) into OUT.
 * JD_ERR_NOT_FOUND when PATH does not exist; JD_ERR_IO with errno ELOOP
 * when it is a symbolic link. */
jd_status fs_read_line(const char *path, char *out, size_t len);

/* fsync the directory PATH, so that renames in it are durable. */
jd_status fs_sync_dir(const char *path);

/* Create PATH as a new file open for writing (mode 0666 less the umask):
 * a file left there is replaced, a symbolic link (dangling or not) is
 * refused with errno ELOOP. The descriptor, or -1 with errno set. */
int fs_create(const char *path);

/* Make PATH a directory, or accept the real directory already there; a
 * symbolic link is refused (JD_ERR_IO, errno ELOOP). */
jd_status fs_mkdir(const char *path);

/* Make PATH a new, empty directory: one left there is removed first, a
 * symbolic link is refused (JD_ERR_IO, errno ELOOP). */
jd_status fs_mkdir_fresh(const char *path);

/* "cannot WHAT 'PATH': reason" for errno ERR into OUT, where a link
 * refused (ELOOP) reads "'PATH' is a symbolic link: ..." instead. */
void fs_describe(char *out, size_t len, const char *what, const char *path,
                 int err);

#endif
