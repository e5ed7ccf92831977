/*
 * batch.c: `jobdex-query match --batch [-j N]`.
 *
 * One process reads the lines in order and answers each as soon as it
 * is known (a caller feeding queries through a pipe waits for each).
 *
 * With N workers, the lines are dealt out in chunks of CHUNK_LINES:
 * chunk C goes to worker C mod N. Every worker reads the whole input
 * itself (skipping the other workers' chunks costs little beside a
 * match), answers its chunks into memory and sends each, framed, down a
 * pipe of its own; the parent reads chunk 0 from worker 0, chunk 1 from
 * worker 1 and so on, so the output is byte for byte what one process
 * would write. Workers only ever write and the parent only ever reads,
 * so nobody waits on a cycle. Workers use the index the parent opened
 * (forked readers of a Xapian database share nothing but read-only file
 * descriptors). Standard input is first copied to a temporary file,
 * because every worker must read it from the start; that file never has
 * a name while it holds anything (see spool_stdin).
 */
#include "query/cli/batch.h"

#include "jobdex.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Lines in a worker's chunk: small enough to keep both cores busy to
 * the end of a short batch, large enough that a chunk's framing costs
 * nothing beside sixteen matches. */
#define CHUNK_LINES 16

/* Most worker processes. */
#define BATCH_JOBS_MAX 64

struct tally {
    size_t rejected; /* lines that could not be answered */
    bool found;      /* some line had results */
    int rc;          /* a failure that stops the batch, else 0 */
};

/*
 * The next line of F, without its newline, into *LINE (*LEN bytes; *CAP
 * allocated). A line over MAX bytes is read past, not kept: *TOO_LONG.
 * False at the end of F (ferror tells an error from the end).
 */
static bool
next_line(FILE *f, char **line, size_t *cap, size_t *len, size_t max,
          bool *too_long)
{
    *len = 0;
    *too_long = false;
    if (!*line) {
        if (!(*line = malloc(4096)))
            return false;
        *cap = 4096;
    }
    bool any = false;
    int c;
    while ((c = getc_unlocked(f)) != EOF) {
        any = true;
        if (c == '\n')
            break;
        if (*len >= max) {
            *too_long = true;
            continue;
        }
        if (*len + 1 >= *cap) {
            size_t ncap = *cap ? *cap * 2 : 4096;
            char *nl = realloc(*line, ncap);
            if (!nl) {
                *too_long = true; /* cannot hold it: reject it */
                continue;
            }
            *line = nl;
            *cap = ncap;
        }
        (*line)[(*len)++] = (char)c;
    }
    (*line)[*len] = '\0';
    return any;
}

static void
reject(const struct batch *b, unsigned no, const char *name, const char *why,
       struct tally *t)
{
    fprintf(stderr, "%s: rejected '%s' line %u: %s\n", b->prog, b->path, no,
            why);
    cli_match_error(b->out, name, why);
    t->rejected++;
}

/* Answer line NO (LINE, N bytes; TOO_LONG: it was not kept). */
static void
answer_line(const struct batch *b, const char *line, size_t n, unsigned no,
            bool too_long, struct tally *t)
{
    if (too_long) {
        char why[128];
        snprintf(why, sizeof(why), "line is over the %zu-byte limit",
                 JD_JSONL_MAX_LINE);
        reject(b, no, NULL, why, t);
        return;
    }
    if (strspn(line, " \t\r\n") == n)
        return;
    /* A request line obeys the rules of a record line (jobdex-index):
     * the same check, the same words. */
    char why[256] = "";
    json_t *o = NULL;
    if (jd_json_line_check(line, n, why, sizeof(why)) == JD_OK &&
        !(o = json_loadb(line, n, JSON_REJECT_DUPLICATES, NULL)))
        snprintf(why, sizeof(why), "out of memory");
    json_t *id = o ? json_object_get(o, "id") : NULL;
    json_t *text = o ? json_object_get(o, "text") : NULL;
    char idbuf[64];
    const char *name = NULL;
    if (json_is_string(id)) {
        name = json_string_value(id);
    } else if (json_is_integer(id)) {
        snprintf(idbuf, sizeof(idbuf), "%lld",
                 (long long)json_integer_value(id));
        name = idbuf;
    }
    if (o && !json_is_string(text))
        snprintf(why, sizeof(why), "no \"text\" string");
    if (why[0]) {
        reject(b, no, name, why, t);
    } else {
        char fallback[32];
        if (!name) {
            snprintf(fallback, sizeof(fallback), "line %u", no);
            name = fallback;
        }
        const char *nothing = NULL;
        int rc = b->match(b->ctx, name, json_string_value(text),
                          json_string_length(text), &t->found, &nothing);
        if (rc == 2) {
            /* A text with no searchable word: say so, go on. */
            cli_match_error(b->out, name, nothing ? nothing : "no words");
            t->rejected++;
        } else {
            t->rc = rc;
        }
    }
    json_decref(o);
}

static int
read_failed(const struct batch *b)
{
    fprintf(stderr, "%s: cannot read '%s': %s\n", b->prog, b->path,
            strerror(errno));
    return 3;
}

static int
exit_status(const struct batch *b, const struct tally *t)
{
    (void)b;
    if (t->rc)
        return t->rc;
    return t->rejected || !t->found ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* One process                                                         */
/* ------------------------------------------------------------------ */

static int
run_here(const struct batch *b)
{
    bool std_in = strcmp(b->path, "-") == 0;
    FILE *f = std_in ? stdin : fopen(b->path, "r");
    if (!f)
        return read_failed(b);
    char *line = NULL;
    size_t cap = 0, n;
    unsigned no = 0;
    bool too_long;
    struct tally t = {0, false, 0};
    while (t.rc == 0 &&
           next_line(f, &line, &cap, &n, JD_JSONL_MAX_LINE, &too_long)) {
        answer_line(b, line, n, ++no, too_long, &t);
        /* One answer per line as soon as it is known. */
        fflush(b->out->f);
    }
    free(line);
    if (t.rc == 0 && ferror(f))
        t.rc = read_failed(b);
    if (!std_in)
        fclose(f);
    return exit_status(b, &t);
}

/* ------------------------------------------------------------------ */
/* Worker processes                                                    */
/* ------------------------------------------------------------------ */

/* A chunk's answers as a worker sends them: this, then OUT_LEN bytes. */
struct frame {
    size_t out_len;
    size_t header_len; /* CSV: the header row starts the bytes */
    size_t rejected;
    int rc;
    int found;
};

static bool
write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t k = write(fd, c, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return false;
        c += k;
        n -= (size_t)k;
    }
    return true;
}

/* Read N bytes; 0 at the end before any, -1 on an error or a short
 * read, 1 when read. */
static int
read_all(int fd, void *p, size_t n)
{
    char *c = p;
    size_t got = 0;
    while (got < n) {
        ssize_t k = read(fd, c + got, n - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return -1;
        if (k == 0)
            return got == 0 ? 0 : -1;
        got += (size_t)k;
    }
    return 1;
}

/* A chunk being answered into memory. */
struct chunk {
    FILE *mem;
    char *buf;
    size_t size;
    struct tally t;
    bool header_wanted; /* CSV header not yet written in this chunk */
};

static bool
chunk_open(struct chunk *c, struct cli_out *out)
{
    memset(c, 0, sizeof(*c));
    if (!(c->mem = open_memstream(&c->buf, &c->size)))
        return false;
    out->f = c->mem;
    /* Every chunk writes the CSV header as if it came first; the parent
     * keeps the first and drops the rest. */
    out->csv_header = out->format == OUT_CSV;
    c->header_wanted = out->csv_header;
    return true;
}

/* Send chunk C down FD and free it. */
static bool
chunk_send(struct chunk *c, const struct cli_out *out, int fd)
{
    bool ok = fflush(c->mem) == 0;
    struct frame fr;
    memset(&fr, 0, sizeof(fr)); /* no uninitialised padding in the pipe */
    fr.out_len = c->size;
    if (c->header_wanted && !out->csv_header && c->size > 0) {
        const char *nl = memchr(c->buf, '\n', c->size);
        fr.header_len = nl ? (size_t)(nl - c->buf) + 1 : c->size;
    }
    fr.rejected = c->t.rejected;
    fr.rc = c->t.rc;
    fr.found = c->t.found;
    ok = ok && write_all(fd, &fr, sizeof(fr)) && write_all(fd, c->buf, c->size);
    fclose(c->mem);
    free(c->buf);
    c->mem = NULL;
    c->buf = NULL;
    return ok;
}

/* Worker W of N: answer chunks W, W + N, ... of the input into FD. The
 * input is the descriptor IN when it is not -1 (a spooled copy of
 * standard input), else the file b->path. Returns the process's exit
 * status (0 unless it could not do its part). */
static int
worker(const struct batch *b, int in, unsigned w, unsigned n, int fd)
{
    FILE *f = in >= 0 ? fdopen(in, "r") : fopen(b->path, "r");
    if (!f) {
        read_failed(b);
        return 3;
    }
    char *line = NULL;
    size_t cap = 0, len;
    unsigned no = 0;
    bool too_long, ok = true;
    struct chunk c;
    memset(&c, 0, sizeof(c));
    size_t current = (size_t)-1;
    while (ok &&
           next_line(f, &line, &cap, &len, JD_JSONL_MAX_LINE, &too_long)) {
        size_t k = no++ / CHUNK_LINES;
        if (k % n != w)
            continue;
        if (k != current) {
            if (c.mem && !(ok = chunk_send(&c, b->out, fd)))
                break;
            if (!(ok = chunk_open(&c, b->out)))
                break;
            current = k;
        }
        if (c.t.rc == 0)
            answer_line(b, line, len, no, too_long, &c.t);
        if (c.t.rc != 0)
            break; /* a failure: send what this chunk has, stop */
    }
    if (ok && ferror(f))
        ok = read_failed(b) == 0;
    if (c.mem && !chunk_send(&c, b->out, fd))
        ok = false;
    free(line);
    fclose(f);
    return ok ? 0 : 3;
}

/* Block (or, with SIG_SETMASK and *OLD, restore) the signals that stop
 * a process, so that nothing stops it between two steps. */
static void
hold_stop_signals(sigset_t *old)
{
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGHUP);
    sigaddset(&stop, SIGQUIT);
    sigprocmask(SIG_BLOCK, &stop, old);
}

/* Standard input to its end into FD; false with errno set on failure. */
static bool
copy_stdin(int fd)
{
    char buf[65536];
    size_t k;
    while ((k = fread(buf, 1, sizeof(buf), stdin)) > 0)
        if (!write_all(fd, buf, k))
            return false;
    return !ferror(stdin);
}

/*
 * Copy standard input to a temporary file that no name points to, and
 * set IN[0..N) to descriptors reading it from the start, one per worker
 * (each has an offset of its own). The copy holds applicants' résumés:
 * it is made by mkstemp (mode 0600) in $TMPDIR, opened N times and
 * unlinked at once, with SIGINT, SIGTERM, SIGHUP and SIGQUIT held off
 * meanwhile, before a byte is written. So however the run ends, by a
 * signal at any moment or by a crash, the system frees the copy and
 * leaves nothing in $TMPDIR. False after saying why.
 */
static bool
spool_stdin(const struct batch *b, unsigned n, int *in)
{
    const char *dir = getenv("TMPDIR");
    char name[4096];
    snprintf(name, sizeof(name), "%s/jobdex-batch-XXXXXX",
             dir && *dir ? dir : "/tmp");
    sigset_t old;
    hold_stop_signals(&old);
    int fd = mkstemp(name);
    unsigned opened = 0;
    while (fd >= 0 && opened < n && (in[opened] = open(name, O_RDONLY)) >= 0)
        opened++;
    int err = errno;
    if (fd >= 0)
        unlink(name);
    sigprocmask(SIG_SETMASK, &old, NULL);
    bool ok = fd >= 0 && opened == n;
    if (ok && !(ok = copy_stdin(fd)))
        err = errno;
    if (fd >= 0 && close(fd) != 0 && ok) {
        err = errno;
        ok = false;
    }
    if (!ok) {
        fprintf(stderr, "%s: cannot spool standard input to '%s': %s\n",
                b->prog, name, strerror(err));
        for (unsigned i = 0; i < opened; i++)
            close(in[i]);
    }
    return ok;
}

/* Take chunk frames in order from the workers' pipes FDS and write them
 * out; the batch's tally into *T. False when a worker's pipe broke. */
static bool
collect(const struct batch *b, const int *fds, unsigned n, struct tally *t)
{
    FILE *out = b->out->f;
    char *buf = NULL;
    size_t cap = 0;
    bool ok = true;
    for (size_t k = 0; t->rc == 0; k++) {
        struct frame fr;
        int got = read_all(fds[k % n], &fr, sizeof(fr));
        if (got == 0)
            break; /* no chunk K: the input has ended */
        if (got < 0 || fr.header_len > fr.out_len) {
            ok = false;
            break;
        }
        if (fr.out_len > cap) {
            char *nb = realloc(buf, fr.out_len);
            if (!nb) {
                ok = false;
                break;
            }
            buf = nb;
            cap = fr.out_len;
        }
        if (fr.out_len && read_all(fds[k % n], buf, fr.out_len) != 1) {
            ok = false;
            break;
        }
        size_t skip = 0;
        if (fr.header_len) {
            if (b->out->csv_header)
                b->out->csv_header = false; /* the first: keep it */
            else
                skip = fr.header_len;
        }
        fwrite(buf + skip, 1, fr.out_len - skip, out);
        fflush(out);
        t->rejected += fr.rejected;
        t->found |= fr.found != 0;
        t->rc = fr.rc;
    }
    free(buf);
    return ok;
}

static int
run_workers(const struct batch *b)
{
    unsigned n = b->jobs < BATCH_JOBS_MAX ? b->jobs : BATCH_JOBS_MAX;
    int in[BATCH_JOBS_MAX]; /* the workers' copies of standard input */
    bool spooled = strcmp(b->path, "-") == 0;
    if (spooled && !spool_stdin(b, n, in))
        return 3;
    int fds[BATCH_JOBS_MAX];
    pid_t pids[BATCH_JOBS_MAX];
    unsigned started = 0;
    fflush(stdout);
    fflush(stderr);
    /* cppcheck-suppress knownConditionTrueFalse ; n >= 2: batch_run */
    for (; started < n; started++) {
        int p[2];
        if (pipe(p) != 0)
            break;
        pid_t pid = fork();
        if (pid < 0) {
            close(p[0]);
            close(p[1]);
            break;
        }
        if (pid == 0) {
            close(p[0]);
            for (unsigned i = 0; i < started; i++)
                close(fds[i]);
            int input = spooled ? in[started] : -1;
            int status = worker(b, input, started, n, p[1]);
            if (b->release)
                b->release(b->ctx);
            _exit(status);
        }
        close(p[1]);
        fds[started] = p[0];
        pids[started] = pid;
    }
    /* The workers have their copies of standard input. */
    unsigned copies = spooled ? n : 0;
    for (unsigned i = 0; i < copies; i++)
        close(in[i]);
    struct tally t = {0, false, 0};
    bool ok = started == n;
    if (!ok)
        fprintf(stderr, "%s: cannot start %u batch workers: %s\n", b->prog, n,
                strerror(errno));
    else
        ok = collect(b, fds, n, &t);
    /* Closing the pipes stops workers still writing when the batch ended
     * early (a failure, or a worker that died): they die of SIGPIPE,
     * which is then no fault of theirs. */
    for (unsigned i = 0; i < started; i++)
        close(fds[i]);
    for (unsigned i = 0; i < started; i++) {
        int status = 0;
        while (waitpid(pids[i], &status, 0) < 0 && errno == EINTR)
            ;
        bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        bool collateral = WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE;
        if (!clean && !collateral && t.rc == 0) {
            fprintf(stderr,
                    "%s: batch worker %u failed; answers after the "
                    "last one written are missing\n",
                    b->prog, i + 1);
            ok = false;
        }
    }
    if (!ok && t.rc == 0)
        t.rc = 3;
    return exit_status(b, &t);
}

int
batch_run(const struct batch *b)
{
    return b->jobs > 1 ? run_workers(b) : run_here(b);
}
