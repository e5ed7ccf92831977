/*
 * fsutil.c: see fsutil.h.
 */
/* nftw() is X/Open, beyond the POSIX level the Makefile asks for. */
/* NOLINTNEXTLINE(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#define _XOPEN_SOURCE 700
#include "indexer/util/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    int rc = type == FTW_DP ? rmdir(path) : unlink(path);
    return rc != 0 && errno != ENOENT ? -1 : 0;
}

jd_status
fs_remove_tree(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return errno == ENOENT ? JD_OK : JD_ERR_IO;
    if (!S_ISDIR(sb.st_mode))
        return unlink(path) == 0 || errno == ENOENT ? JD_OK : JD_ERR_IO;
    return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0 ? JD_OK
                                                                   : JD_ERR_IO;
}

jd_status
fs_sync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return JD_ERR_IO;
    int rc = fsync(fd);
    close(fd);
    return rc == 0 ? JD_OK : JD_ERR_IO;
}

jd_status
fs_write_atomic(const char *dir, const char *name, const char *text)
{
    char tmp[4200], final[4200];
    snprintf(tmp, sizeof(tmp), "%s/%s.tmp", dir, name);
    snprintf(final, sizeof(final), "%s/%s", dir, name);
    int fd = fs_create(tmp);
    if (fd < 0)
        return JD_ERR_IO;
    size_t len = strlen(text);
    ssize_t n = write(fd, text, len);
    int ok = n == (ssize_t)len && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    /* rename() replaces NAME itself, never what a link there names. */
    if (!ok || rename(tmp, final) != 0) {
        int err = errno;
        unlink(tmp);
        errno = err;
        return JD_ERR_IO;
    }
    return fs_sync_dir(dir);
}

jd_status
fs_read_line(const char *path, char *out, size_t len)
{
    out[0] = '\0';
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? JD_ERR_NOT_FOUND : JD_ERR_IO;
    FILE *f = fdopen(fd, "r");
    if (!f) {
        close(fd);
        return JD_ERR_IO;
    }
    if (!fgets(out, (int)len, f))
        out[0] = '\0';
    int err = ferror(f);
    fclose(f);
    out[strcspn(out, "\r\n")] = '\0';
    return err ? JD_ERR_IO : JD_OK;
}

static bool
is_link(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode);
}

int
fs_create(const char *path)
{
    for (int tries = 0; tries < 2; tries++) {
        /* O_EXCL fails on any link, dangling or not, without following
         * it; O_NOFOLLOW says so again. */
        int fd = open(
            path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST)
            return fd;
        if (is_link(path)) {
            errno = ELOOP;
            return -1;
        }
        if (unlink(path) != 0 && errno != ENOENT)
            return -1;
    }
    errno = EEXIST;
    return -1;
}

jd_status
fs_mkdir(const char *path)
{
    if (mkdir(path, 0777) == 0)
        return JD_OK;
    if (errno != EEXIST)
        return JD_ERR_IO;
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return JD_ERR_IO;
    if (S_ISDIR(sb.st_mode))
        return JD_OK;
    errno = S_ISLNK(sb.st_mode) ? ELOOP : EEXIST;
    return JD_ERR_IO;
}

jd_status
fs_mkdir_fresh(const char *path)
{
    if (is_link(path)) {
        errno = ELOOP;
        return JD_ERR_IO;
    }
    if (fs_remove_tree(path) != JD_OK)
        return JD_ERR_IO;
    return mkdir(path, 0777) == 0 ? JD_OK : JD_ERR_IO;
}

void
fs_describe(char *out, size_t len, const char *what, const char *path, int err)
{
    if (err == ELOOP)
        snprintf(out, len,
                 "'%s' is a symbolic link; jobdex follows no link inside an "
                 "index directory (remove it)",
                 path);
    else
        snprintf(out, len, "cannot %s '%s': %s", what, path, strerror(err));
}
