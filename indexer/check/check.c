/*
 * check.c: jd_db_check(), reading a whole index for damage.
 *
 * A damaged Xapian table can crash libxapian or keep it busy forever (a
 * flipped byte in a termlist does either, in Xapian's own check too), so
 * each step runs in a child process under a CPU-time limit. The child
 * writes what it finds to a pipe, one line each ("P" a problem, "R" the
 * counts, "E" a failure that is not damage); a child killed by a signal
 * is itself a finding about the database it was reading.
 */
#include "indexer/store/db.h"

#include "indexer/model/model.h"
#include "indexer/store/schema.h"
#include "indexer/util/buf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* CPU seconds a step may take: a base, and one more per this many bytes
 * of database (Xapian's check reads some 100 MB a second). */
#define CHECK_CPU_BASE             60
#define CHECK_CPU_BYTES_PER_SECOND ((off_t)8 << 20)

/* ---- in the child ---- */

/* One line of KIND and TEXT (newlines made spaces) to FD. */
static void
send_line(int fd, char kind, const char *text)
{
    size_t len = strlen(text);
    char *line = malloc(len + 2);
    if (!line)
        return;
    line[0] = kind;
    for (size_t i = 0; i < len; i++)
        line[1 + i] = (char)(text[i] == '\n' ? ' ' : text[i]);
    line[len + 1] = '\n';
    for (size_t off = 0; off < len + 2;) {
        ssize_t n = write(fd, line + off, len + 2 - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    free(line);
}

static void
send_problem(void *ctx, const char *problem)
{
    send_line(*(int *)ctx, 'P', problem);
}

/* Xapian's check of the database DIR. */
static void
xapian_check(int fd, const char *dir)
{
    size_t errors = 0;
    jd_buf details = {NULL, 0, 0};
    char msg[1024] = "", line[2048];
    jd_status st = xs_check(dir, &errors, &details, msg, sizeof(msg));
    if (st == JD_OK && errors > 0)
        snprintf(line, sizeof(line),
                 "'%s' is damaged: Xapian's check found %zu error%s (%s)", dir,
                 errors, errors == 1 ? "" : "s",
                 details.data ? details.data : "");
    else if (st == JD_ERR_NOMEM)
        send_line(fd, 'E', "out of memory");
    else if (st != JD_OK)
        snprintf(line, sizeof(line), "'%s' is damaged: %s", dir, msg);
    if (st != JD_ERR_NOMEM && (st != JD_OK || errors > 0))
        send_line(fd, 'P', line);
    jd_buf_free(&details);
}

/* The record checks' state. */
struct records {
    jd_db *db;
    int fd;
    unsigned *docids;
    size_t n, cap;
    jd_buf idterm; /* the Q terms of one document, '\n' after each */
    size_t records, expected_items, parented_items;
    char classes[4400], items[4400];
};

static void found(struct records *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
found(struct records *r, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    send_line(r->fd, 'P', line);
}

static int
collect_docid(void *ctx, unsigned docid)
{
    struct records *r = ctx;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 1024;
        unsigned *v = realloc(r->docids, cap * sizeof(*v));
        if (!v)
            return 1;
        r->docids = v;
        r->cap = cap;
    }
    r->docids[r->n++] = docid;
    return 0;
}

static int
collect_idterm(void *ctx, const char *term, size_t len, size_t wdf)
{
    (void)wdf;
    struct records *r = ctx;
    if (len == 0 || term[0] != PREFIX_ID[0])
        return 0;
    return buf_append(&r->idterm, term, len) != JD_OK ||
           buf_putc(&r->idterm, '\n') != JD_OK;
}

/* Document DOCID of classes/: its record parses, its id term and id
 * value name it, and items/ holds as many of its items as it has. */
static jd_status
check_record(struct records *r, unsigned docid)
{
    jd_db *db = r->db;
    jd_buf value = {NULL, 0, 0};
    const unsigned slot = SLOT_ID;
    buf_clear(&r->idterm);
    jd_status st = xs_doc_read(db->classes, docid, &slot, &value, 1,
                               collect_idterm, r, db->msg, sizeof(db->msg));
    if (st == JD_OK)
        st = xs_data_by_docid(db->classes, docid, &db->scratch, db->msg,
                              sizeof(db->msg));
    jd_spec *s = NULL;
    const char *id = value.len ? value.data : NULL;
    if (st == JD_OK)
        st = db_parse_record(db, id, db->scratch.data, db->scratch.len, &s);
    if (st == JD_ERR_CORRUPT) {
        send_line(r->fd, 'P', db->msg);
        st = JD_OK;
    }
    if (st != JD_OK || !s) {
        jd_buf_free(&value);
        return st;
    }
    r->records++;
    char want[1100];
    snprintf(want, sizeof(want), PREFIX_ID "%s\n", s->id);
    if (!id || strcmp(id, s->id) != 0)
        found(r,
              "document %u of '%s' holds record '%s' but its id value "
              "is '%s'",
              docid, r->classes, s->id, id ? id : "");
    if (!r->idterm.data || strcmp(r->idterm.data, want) != 0)
        found(r,
              "document %u of '%s' holds record '%s' without its id "
              "term alone (it has: %.200s)",
              docid, r->classes, s->id,
              r->idterm.data ? r->idterm.data : "none");
    size_t expected = index_item_count(s), held = 0;
    char term[1100];
    int n = snprintf(term, sizeof(term), PREFIX_PARENT "%s", s->id);
    st = xs_termfreq(db->items, term, (size_t)n, &held, db->msg,
                     sizeof(db->msg));
    if (st == JD_OK && held != expected)
        found(r, "record '%s' has %zu items, but '%s' holds %zu of them", s->id,
              expected, r->items, held);
    r->expected_items += expected;
    jd_spec_free(s);
    jd_buf_free(&value);
    return st;
}

/* Each parent term XP<id> of items/ names a class that is there. */
static int
check_parent(void *ctx, const char *term, size_t len, size_t freq)
{
    struct records *r = ctx;
    jd_db *db = r->db;
    size_t plen = strlen(PREFIX_PARENT), known = 0;
    char idterm[1100];
    int n = snprintf(idterm, sizeof(idterm), PREFIX_ID "%.*s",
                     (int)(len - plen), term + plen);
    if (xs_termfreq(db->classes, idterm, (size_t)n, &known, db->msg,
                    sizeof(db->msg)) != JD_OK)
        return 1;
    if (known == 0)
        found(r,
              "'%s' holds %zu items of class '%.*s', which '%s' does "
              "not have",
              r->items, freq, (int)(len - plen), term + plen, r->classes);
    r->parented_items += freq;
    return 0;
}

static jd_status
check_records(struct records *r)
{
    jd_db *db = r->db;
    jd_status st = xs_postings(db->classes, "", collect_docid, r, db->msg,
                               sizeof(db->msg));
    for (size_t i = 0; i < r->n && st == JD_OK; i++)
        st = check_record(r, r->docids[i]);
    if (st == JD_OK)
        st = xs_allterms(db->items, PREFIX_PARENT, check_parent, r, db->msg,
                         sizeof(db->msg));
    size_t items = 0;
    if (st == JD_OK)
        st = xs_doccount(db->items, &items, db->msg, sizeof(db->msg));
    if (st == JD_OK && items > r->parented_items)
        found(r, "%zu items of '%s' belong to no class",
              items - r->parented_items, r->items);
    if (st == JD_OK)
        st = model_check(db, send_problem, &r->fd);
    char counts[64];
    snprintf(counts, sizeof(counts), "%zu %zu", r->records, items);
    send_line(r->fd, 'R', counts);
    return st;
}

/* Open PATH as a reader would and read every record. */
static void
records_check(int fd, const char *path)
{
    struct records r = {.fd = fd};
    jd_status st = jd_db_new(&r.db);
    if (st != JD_OK) {
        send_line(fd, 'E', "out of memory");
        return;
    }
    st = jd_db_open(r.db, path, JD_OPEN_READ);
    if (st == JD_OK) {
        snprintf(r.classes, sizeof(r.classes), "%s/" CLASSES_DIR, r.db->base);
        snprintf(r.items, sizeof(r.items), "%s/" ITEMS_DIR, r.db->base);
        st = check_records(&r);
    }
    if (st == JD_ERR_NOMEM)
        send_line(fd, 'E', "out of memory");
    else if (st != JD_OK)
        found(&r, "cannot read '%s': %s", path, jd_db_errmsg(r.db));
    free(r.docids);
    jd_buf_free(&r.idterm);
    jd_db_free(r.db);
}

/* ---- in the parent ---- */

struct run {
    jd_db *db;
    jd_problem_fn problem;
    void *ctx;
    struct jd_check_stats *out;
    rlim_t cpu_limit;
    jd_status failed; /* an "E" line: not damage, the check itself */
};

static void
report(struct run *run, const char *line)
{
    run->out->problems++;
    run->problem(run->ctx, line);
}

/* The lines a child sent. */
static void
take_lines(struct run *run, char *text)
{
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == 'P') {
            report(run, line + 1);
        } else if (line[0] == 'R') {
            char *end;
            run->out->records = strtoul(line + 1, &end, 10);
            run->out->items = strtoul(end, NULL, 10);
        } else if (line[0] == 'E') {
            run->failed = JD_ERR_NOMEM;
            db_fail(run->db, JD_ERR_NOMEM, "%s", line + 1);
        }
    }
}

/* How a child reading WHAT ended, when not well. */
static void
take_end(struct run *run, const char *what, int ws)
{
    char line[4600];
    if (WIFSIGNALED(ws) && WTERMSIG(ws) == SIGXCPU)
        snprintf(line, sizeof(line),
                 "%s did not finish within %lu s of CPU time: damaged "
                 "(libxapian loops on it)",
                 what, (unsigned long)run->cpu_limit);
    else if (WIFSIGNALED(ws))
        snprintf(line, sizeof(line), "%s crashed libxapian (%s): damaged", what,
                 strsignal(WTERMSIG(ws)));
    else if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
        snprintf(line, sizeof(line), "%s stopped with status %d", what,
                 WIFEXITED(ws) ? WEXITSTATUS(ws) : -1);
    else
        return;
    report(run, line);
}

typedef void (*step_fn)(int fd, const char *arg);

/* Run STEP(ARG) in a child and take what it says; WHAT names it in a
 * report of its crash ("reading 'DIR/g1/classes'"). */
static jd_status
run_step(struct run *run, step_fn step, const char *arg, const char *what)
{
    int p[2];
    if (pipe(p) != 0)
        return db_fail(run->db, JD_ERR_IO, "cannot check: %s", strerror(errno));
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return db_fail(run->db, JD_ERR_IO, "cannot check: %s", strerror(errno));
    }
    if (pid == 0) {
        close(p[0]);
        struct rlimit cpu = {run->cpu_limit, run->cpu_limit + 5};
        setrlimit(RLIMIT_CPU, &cpu);
        step(p[1], arg);
        _exit(0); /* the parent's buffers and handles are its own */
    }
    close(p[1]);
    jd_buf text = {NULL, 0, 0};
    char chunk[4096];
    ssize_t n;
    while ((n = read(p[0], chunk, sizeof(chunk))) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || buf_append(&text, chunk, (size_t)n) != JD_OK)
            break;
    }
    close(p[0]);
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
        ;
    if (text.data)
        take_lines(run, text.data);
    jd_buf_free(&text);
    take_end(run, what, ws);
    return run->failed;
}

/* Bytes of the regular files in DIR. */
static off_t
dir_bytes(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    off_t total = 0;
    struct dirent *e;
    struct stat sb;
    while ((e = readdir(d)) != NULL)
        if (fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISREG(sb.st_mode))
            total += sb.st_size;
    closedir(d);
    return total;
}

jd_status
jd_db_check(jd_db *db, const char *path, jd_problem_fn problem, void *ctx,
            struct jd_check_stats *out)
{
    memset(out, 0, sizeof(*out));
    struct run run = {db, problem, ctx, out, CHECK_CPU_BASE, JD_OK};
    jd_status st = db_locate(db, path);
    if (st == JD_ERR_CORRUPT) {
        report(&run, db->msg); /* the pointer, a link: nothing to read */
        return JD_OK;
    }
    if (st != JD_OK)
        return st;
    out->generation = db->gen;
    char dirs[2][4400];
    snprintf(dirs[0], sizeof(dirs[0]), "%s/" CLASSES_DIR, db->base);
    snprintf(dirs[1], sizeof(dirs[1]), "%s/" ITEMS_DIR, db->base);
    struct stat sb;
    if (stat(dirs[0], &sb) != 0 && stat(dirs[1], &sb) != 0)
        return db_fail(db, JD_ERR_NOT_FOUND, "no index");
    off_t bytes = dir_bytes(dirs[0]) + dir_bytes(dirs[1]);
    run.cpu_limit += (rlim_t)(bytes / CHECK_CPU_BYTES_PER_SECOND);
    char what[9000];
    for (int i = 0; i < 2 && st == JD_OK; i++) {
        snprintf(what, sizeof(what), "Xapian's check of '%s'", dirs[i]);
        st = run_step(&run, xapian_check, dirs[i], what);
        out->databases++;
    }
    snprintf(what, sizeof(what), "reading the records of '%s'", db->base);
    if (st == JD_OK)
        st = run_step(&run, records_check, path, what);
    return st;
}
