/*
 * fsutil.c: see fsutil.h.
 */
/* nftw() is X/Open, beyond the POSIX level the Makefile asks for. */
#define _XOPEN_SOURCE 700 /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
remove_entry(const char *path, const struct stat *sb, int type,
             struct FTW *ftw)
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
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0)
        return JD_ERR_IO;
    size_t len = strlen(text);
    ssize_t n = write(fd, text, len);
    int ok = n == (ssize_t)len && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, final) != 0) {
        unlink(tmp);
        return JD_ERR_IO;
    }
    return fs_sync_dir(dir);
}

jd_status
fs_read_line(const char *path, char *out, size_t len)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return errno == ENOENT ? JD_ERR_NOT_FOUND : JD_ERR_IO;
    if (!fgets(out, (int)len, f))
        out[0] = '\0';
    int err = ferror(f);
    fclose(f);
    out[strcspn(out, "\r\n")] = '\0';
    return err ? JD_ERR_IO : JD_OK;
}
