/*
 * testutil.c: see testutil.h.
 */
#define _XOPEN_SOURCE 700
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

char *
tu_mkdtemp(void)
{
    const char *tmp = getenv("TMPDIR");
    char *path = malloc(4096);
    snprintf(path, 4096, "%s/jobdex-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(path)) {
        perror("mkdtemp");
        abort();
    }
    return path;
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    if (flag == FTW_DP)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

void
tu_rmtree(const char *path)
{
    if (path)
        nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *
tu_write(const char *dir, const char *name, const void *data, size_t len)
{
    char *path = malloc(4096);
    mkdir(dir, 0777);
    snprintf(path, 4096, "%s/%s", dir, name);
    /* Make parent directories of NAME. */
    for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        mkdir(path, 0777);
        *p = '/';
    }
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        abort();
    }
    return path;
}

char *
tu_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap + 1);
    size_t k;
    while ((k = fread(buf + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
        }
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

const char *
tu_shared(const char *sub)
{
    static char path[4096];
    const char *base = getenv("JOBDEX_SHARED");
    if (!base || !*base)
        base = "../shared";
    snprintf(path, sizeof(path), "%s/%s", base, sub);
    struct stat sb;
    if (stat(path, &sb) != 0)
        return NULL;
    snprintf(path, sizeof(path), "%s", base);
    return path;
}

const char *
tu_bindir(void)
{
    const char *b = getenv("JOBDEX_BIN");
    return b && *b ? b : "build";
}

/* Read whatever is ready on FD into *BUF. Returns false at end of file. */
static bool
drain(int fd, char **buf, size_t *len, size_t *cap)
{
    if (*len + 65536 > *cap) {
        *cap = (*len + 65536) * 2;
        *buf = realloc(*buf, *cap + 1);
    }
    ssize_t n = read(fd, *buf + *len, 65536);
    if (n <= 0)
        return n < 0 && errno == EINTR;
    *len += (size_t)n;
    return true;
}

void
tu_run(const char *const *argv, const char *stdin_text, struct tu_run *r)
{
    memset(r, 0, sizeof(*r));
    char prog[4096];
    if (strchr(argv[0], '/'))
        snprintf(prog, sizeof(prog), "%s", argv[0]);
    else
        snprintf(prog, sizeof(prog), "%s/%s", tu_bindir(), argv[0]);
    int in[2], out[2], err[2];
    if (pipe(in) || pipe(out) || pipe(err)) {
        perror("pipe");
        abort();
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    posix_spawn_file_actions_addclose(&fa, in[1]);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    posix_spawn_file_actions_addclose(&fa, err[0]);
    pid_t pid;
    int rc = posix_spawn(&pid, prog, &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    close(out[1]);
    close(err[1]);
    if (rc != 0) {
        fprintf(stderr, "cannot run %s: %s\n", prog, strerror(rc));
        abort();
    }
    /* Feed stdin and read both outputs without deadlocking. */
    size_t in_off = 0, in_len = stdin_text ? strlen(stdin_text) : 0;
    if (in_len == 0) {
        close(in[1]);
        in[1] = -1;
    } else {
        fcntl(in[1], F_SETFL, O_NONBLOCK);
    }
    size_t out_cap = 0, err_cap = 0;
    bool out_open = true, err_open = true;
    while (out_open || err_open) {
        struct pollfd p[3] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0},
                              {in[1], POLLOUT, 0}};
        if (!out_open)
            p[0].fd = -1;
        if (!err_open)
            p[1].fd = -1;
        if (poll(p, 3, -1) < 0 && errno != EINTR)
            break;
        if (p[0].revents)
            out_open = drain(out[0], &r->out, &r->out_len, &out_cap);
        if (p[1].revents)
            err_open = drain(err[0], &r->err, &r->err_len, &err_cap);
        if (in[1] >= 0 && p[2].revents) {
            ssize_t n = write(in[1], stdin_text + in_off, in_len - in_off);
            if (n > 0)
                in_off += (size_t)n;
            if (n < 0 || in_off == in_len) {
                close(in[1]);
                in[1] = -1;
            }
        }
    }
    if (in[1] >= 0)
        close(in[1]);
    close(out[0]);
    close(err[0]);
    int ws;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
        ;
    r->status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
    if (!r->out)
        r->out = calloc(1, 1);
    if (!r->err)
        r->err = calloc(1, 1);
    r->out[r->out_len] = '\0';
    r->err[r->err_len] = '\0';
}

void
tu_run_free(struct tu_run *r)
{
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof(*r));
}

size_t
tu_count_lines(const char *text, const char *needle)
{
    size_t n = 0;
    const char *line = text;
    while (line && *line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char *copy = strndup(line, len);
        if (strstr(copy, needle))
            n++;
        free(copy);
        line = end ? end + 1 : NULL;
    }
    return n;
}
