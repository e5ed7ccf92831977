/*
 * workers.c: jobdex-index -j N. The inputs are cut into N consecutive
 * runs of about equal size; a worker process per run parses and indexes
 * it into a shard of its own (nothing is shared, so the workers scale
 * with the cores), reporting progress over a pipe; then the parent merges
 * the shards into the index in one step (jd_db_merge_shards). If a worker
 * fails, nothing is merged and the index stays as it was.
 */
#include "indexer/cli/run.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* A worker's message to the parent: fixed size, well under PIPE_BUF, so
 * each write arrives whole. */
struct report {
    size_t files, records, rejected, failed_files;
    unsigned char done;   /* the worker's last message */
    unsigned char failed; /* it could not finish (and said why) */
};

/* Bytes of input I (a directory, e.g. an O*NET import, counts as one
 * byte: it is one input however large). */
static unsigned long long
input_bytes(const struct file_list *files, size_t i)
{
    struct stat sb;
    return stat(files->path[i], &sb) == 0 && S_ISREG(sb.st_mode)
               ? (unsigned long long)sb.st_size
               : 1;
}

/* Cut FILES into N (<= FILES->n) consecutive runs of about equal bytes:
 * run K is [BOUNDS[K], BOUNDS[K + 1]), never empty. */
static void
partition(const struct file_list *files, size_t n, size_t *bounds)
{
    unsigned long long total = 0;
    for (size_t i = 0; i < files->n; i++)
        total += input_bytes(files, i);
    unsigned long long acc = 0;
    size_t i = 0;
    bounds[0] = 0;
    for (size_t k = 1; k < n; k++) {
        unsigned long long target = total / n * k;
        size_t last = files->n - (n - k); /* leave one for each later run */
        while (i < last && (i == bounds[k - 1] || acc < target))
            acc += input_bytes(files, i++);
        bounds[k] = i;
    }
    bounds[n] = files->n;
}

static void
send_report(struct run *r, bool done, bool failed)
{
    /* Zeroed whole: the padding goes down the pipe too. */
    struct report m;
    memset(&m, 0, sizeof(m));
    m.files = r->done_files;
    m.records = r->records;
    m.rejected = r->rejected;
    m.failed_files = r->failed_files;
    m.done = done;
    m.failed = failed;
    const char *p = (const char *)&m;
    size_t left = sizeof(m);
    while (left > 0) {
        ssize_t w = write(r->report_fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return; /* the parent is gone; it will not merge */
        p += w;
        left -= (size_t)w;
    }
}

static void
on_worker_file(struct run *r)
{
    if (r->done_files % 8 == 0)
        send_report(r, false, false);
}

/* Worker K: index files [LO, HI) into shard K; returns the exit status. */
static int
worker(struct run *r, size_t k, size_t lo, size_t hi)
{
    char path[4400];
    jd_db *shard = NULL;
    jd_status st = jd_db_new(&shard);
    const char *why = NULL;
    if (st == JD_OK &&
        (st = jd_db_shard_path(r->db, k, path, sizeof(path))) != JD_OK)
        why = jd_db_errmsg(r->db);
    if (st == JD_OK)
        st = jd_db_open(shard, path, JD_OPEN_WRITE | JD_OPEN_CREATE);
    if (st != JD_OK) {
        if (!why)
            why = shard ? jd_db_errmsg(shard) : jd_status_str(st);
        fprintf(stderr, "%s: worker %zu: cannot open its shard: %s\n", prog, k,
                why);
        send_report(r, true, true);
        jd_db_free(shard);
        return 3;
    }
    jd_db_set_batch_bytes(shard, r->opt.batch_bytes);
    /* The parent's handle is not ours to use or close (closing a
     * writable Xapian database commits); it is put back, still
     * reachable, before the worker exits. */
    jd_db *parent = r->db;
    r->db = shard;
    r->lo = lo;
    r->hi = hi;
    r->show_progress = false;
    r->on_file_done = on_worker_file;
    int rc = read_inputs(r);
    if (rc == 0 && jd_db_commit(shard) != JD_OK) {
        fprintf(stderr, "%s: worker %zu: cannot commit its shard: %s\n", prog,
                k, jd_db_errmsg(shard));
        rc = 1;
    }
    send_report(r, true, rc != 0);
    r->db = parent;
    jd_db_free(shard);
    return rc ? 3 : 0;
}

struct child {
    pid_t pid;
    int fd; /* read end of its pipe; -1 once it closed */
    struct report last;
};

/* Read what the workers sent until every pipe is closed, showing the
 * totals as progress; passes a stop request on to the workers. */
static void
collect(struct run *r, struct child *c, size_t n)
{
    size_t open = n;
    bool forwarded = false;
    while (open > 0) {
        if (stop_signal && !forwarded) {
            for (size_t k = 0; k < n; k++)
                kill(c[k].pid, SIGTERM);
            forwarded = true;
        }
        struct pollfd p[64];
        size_t map[64], np = 0;
        for (size_t k = 0; k < n; k++)
            if (c[k].fd >= 0) {
                p[np] = (struct pollfd){c[k].fd, POLLIN, 0};
                map[np++] = k;
            }
        int ready = poll(p, np, 500);
        if (ready < 0 && errno != EINTR)
            break;
        for (size_t i = 0; ready > 0 && i < np; i++) {
            if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            struct child *ch = &c[map[i]];
            struct report m;
            ssize_t got = read(ch->fd, &m, sizeof(m));
            if (got == (ssize_t)sizeof(m)) {
                ch->last = m;
            } else if (got == 0 || (got < 0 && errno != EINTR)) {
                close(ch->fd);
                ch->fd = -1;
                open--;
            }
        }
        r->done_files = r->records = r->rejected = r->failed_files = 0;
        for (size_t k = 0; k < n; k++) {
            r->done_files += c[k].last.files;
            r->records += c[k].last.records;
            r->rejected += c[k].last.rejected;
            r->failed_files += c[k].last.failed_files;
        }
        progress(r, false);
    }
}

/* Wait for every worker; true when all finished their share. */
static bool
reap(struct child *c, size_t n)
{
    bool ok = true;
    for (size_t k = 0; k < n; k++) {
        int status = 0;
        while (waitpid(c[k].pid, &status, 0) < 0 && errno == EINTR)
            ;
        if (WIFSIGNALED(status)) {
            fprintf(stderr, "%s: worker %zu was killed by signal %d\n", prog, k,
                    WTERMSIG(status));
            ok = false;
        } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
                   !c[k].last.done || c[k].last.failed) {
            ok = false; /* it said why on stderr */
        }
    }
    return ok;
}

int
run_workers(struct run *r)
{
    size_t n = r->opt.jobs < r->files.n ? r->opt.jobs : r->files.n;
    size_t bounds[65];
    struct child c[64];
    memset(c, 0, sizeof(c));
    partition(&r->files, n, bounds);
    fflush(stdout);
    fflush(stderr);
    size_t started = 0;
    for (size_t k = 0; k < n; k++) {
        int p[2];
        if (pipe(p) != 0) {
            fprintf(stderr, "%s: cannot start workers: %s\n", prog,
                    strerror(errno));
            break;
        }
        pid_t pid = fork();
        if (pid < 0) {
            fprintf(stderr, "%s: cannot start workers: %s\n", prog,
                    strerror(errno));
            close(p[0]);
            close(p[1]);
            break;
        }
        if (pid == 0) {
            close(p[0]);
            for (size_t j = 0; j < k; j++)
                close(c[j].fd);
            r->report_fd = p[1];
            int rc = worker(r, k, bounds[k], bounds[k + 1]);
            fflush(stderr);
            _exit(rc); /* no exit handlers: the parent's state is its own */
        }
        close(p[1]);
        c[k] = (struct child){pid, p[0], {0, 0, 0, 0, 0, 0}};
        started++;
    }
    collect(r, c, started);
    bool ok = reap(c, started) && started == n;
    progress(r, true);
    if (!ok) {
        fprintf(stderr, "%s: a worker failed; nothing was added to '%s'\n",
                prog, r->opt.db);
        jd_db_drop_shards(r->db);
        return 1;
    }
    if (r->show_progress)
        fprintf(stderr, "%s: merging %zu shards into '%s'\n", prog, n,
                r->opt.db);
    struct jd_merge_stats ms;
    if (jd_db_merge_shards(r->db, n, &ms) != JD_OK) {
        fprintf(stderr, "%s: cannot merge the shards into '%s': %s\n", prog,
                r->opt.db, jd_db_errmsg(r->db));
        jd_db_drop_shards(r->db);
        return 1;
    }
    return 0;
}
