/*
 * testutil.c: see testutil.h.
 */
#define _XOPEN_SOURCE 700
/* setgroups() */
#define _DEFAULT_SOURCE
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

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

void
tu_fixture_init(struct tu_fixture *f)
{
    memset(f, 0, sizeof(*f));
    f->dir = tu_mkdtemp();
    tu_fixture_path(f, "test.db", f->db);
    mkdir(tu_fixture_path(f, "in", f->in), 0777);
    mkdir(tu_fixture_path(f, "out", f->out), 0777);
}

void
tu_fixture_fini(struct tu_fixture *f)
{
    if (!f->dir)
        return;
    chmod(f->dir, 0700); /* tests of refused writes take it away */
    tu_rmtree(f->dir);
    free(f->dir);
    f->dir = NULL;
}

int
tu_fixture_setup(void **state)
{
    struct tu_fixture *f = malloc(sizeof(*f));
    if (!f)
        return -1;
    tu_fixture_init(f);
    *state = f;
    return 0;
}

int
tu_fixture_teardown(void **state)
{
    struct tu_fixture *f = *state;
    tu_fixture_fini(f);
    free(f);
    return 0;
}

char *
tu_fixture_path(const struct tu_fixture *f, const char *name, char *buf)
{
    int n = snprintf(buf, TU_PATH_MAX, "%s/%s", f->dir, name);
    if (n < 0 || n >= TU_PATH_MAX) {
        fprintf(stderr, "tu_fixture_path: '%s/%s' is too long\n", f->dir, name);
        abort();
    }
    return buf;
}

int
tu_index(const char *db, ...)
{
    const char *argv[40] = {"jobdex-index", "-q", "--no-progress", "-d", db};
    size_t n = 5;
    va_list ap;
    va_start(ap, db);
    for (const char *a; (a = va_arg(ap, const char *)) != NULL;) {
        if (n + 1 == sizeof(argv) / sizeof(argv[0])) {
            fprintf(stderr, "tu_index: too many arguments\n");
            abort();
        }
        argv[n++] = a;
    }
    va_end(ap);
    argv[n] = NULL;
    struct tu_run r;
    tu_run(argv, NULL, &r);
    if (r.status != 0)
        fprintf(stderr, "jobdex-index -d %s: status %d: %s", db, r.status,
                r.err);
    int status = r.status;
    tu_run_free(&r);
    return status;
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
            char *nb = realloc(buf, cap + 1);
            if (!nb) {
                perror("tu_read");
                abort();
            }
            buf = nb;
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
tu_run_within(const char *const *argv, const char *stdin_text, unsigned seconds,
              struct tu_run *r)
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
    long long deadline = tu_now_us() + (long long)seconds * 1000000;
    bool kill_due = seconds > 0; /* at DEADLINE */
    while (out_open || err_open) {
        struct pollfd p[3] = {
            {out[0], POLLIN, 0}, {err[0], POLLIN, 0}, {in[1], POLLOUT, 0}};
        if (!out_open)
            p[0].fd = -1;
        if (!err_open)
            p[1].fd = -1;
        int wait_ms = -1;
        if (kill_due) {
            long long left = deadline - tu_now_us();
            if (left <= 0) {
                kill(pid, SIGKILL); /* its pipes close as it goes */
                kill_due = false;
            } else {
                wait_ms = (int)(left / 1000) + 1;
            }
        }
        if (poll(p, 3, wait_ms) < 0 && errno != EINTR)
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
tu_run(const char *const *argv, const char *stdin_text, struct tu_run *r)
{
    tu_run_within(argv, stdin_text, 0, r);
}

bool
tu_run_as_nobody(const char *const *argv, struct tu_run *r, const char *errfile)
{
    bool root = geteuid() == 0;
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        abort();
    }
    if (pid == 0) {
        FILE *e = freopen(errfile, "w", stderr);
        FILE *o = freopen("/dev/null", "w", stdout);
        if (!e || !o ||
            (root && (setgroups(0, NULL) != 0 || setgid(65534) != 0 ||
                      setuid(65534) != 0)))
            _exit(99);
        char prog[4200];
        snprintf(prog, sizeof(prog), "%s/%s", tu_bindir(), argv[0]);
        execv(prog, (char *const *)argv);
        _exit(98);
    }
    int ws;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
        ;
    memset(r, 0, sizeof(*r));
    r->status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
    r->err = tu_read(errfile, &r->err_len);
    if (!r->err)
        r->err = calloc(1, 1);
    r->out = calloc(1, 1);
    return r->status != 99;
}

static int
spawn(const char *const *argv, const char *out, const char *err, bool group)
{
    char prog[4096];
    if (strchr(argv[0], '/'))
        snprintf(prog, sizeof(prog), "%s", argv[0]);
    else
        snprintf(prog, sizeof(prog), "%s/%s", tu_bindir(), argv[0]);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out ? out : "/dev/null",
                                     O_WRONLY | O_CREAT | O_APPEND, 0666);
    posix_spawn_file_actions_addopen(&fa, 2, err ? err : "/dev/null",
                                     O_WRONLY | O_CREAT | O_APPEND, 0666);
    posix_spawnattr_t at;
    posix_spawnattr_init(&at);
    if (group) {
        posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
        posix_spawnattr_setpgroup(&at, 0);
    }
    pid_t pid;
    int rc = posix_spawn(&pid, prog, &fa, &at, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    if (rc != 0) {
        fprintf(stderr, "cannot run %s: %s\n", prog, strerror(rc));
        abort();
    }
    return (int)pid;
}

int
tu_spawn(const char *const *argv, const char *out, const char *err)
{
    return spawn(argv, out, err, false);
}

int
tu_spawn_group(const char *const *argv, const char *out, const char *err)
{
    return spawn(argv, out, err, true);
}

int
tu_wait(int pid, bool nohang)
{
    int ws;
    pid_t got;
    while ((got = waitpid((pid_t)pid, &ws, nohang ? WNOHANG : 0)) < 0 &&
           errno == EINTR)
        ;
    if (got == 0)
        return -1;
    if (got < 0) {
        perror("waitpid");
        abort();
    }
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

void
tu_run_free(struct tu_run *r)
{
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof(*r));
}

const char *const tu_corpus_ids[TU_CORPUS_RECORDS] = {
    "milwaukie/web-services-coordinator",
    "milwaukie/information-systems-technology-ist-director",
    "milwaukie/community-engagement-coordinator",
    "st-louis/1368",
    "portland/30003028",
};

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

/* ---- synthetic class specs ---- */

static unsigned long long
gen_next(unsigned long long *s)
{
    /* splitmix64: the same sequence on every C library. */
    unsigned long long z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

#define PICK(s, v) ((v)[gen_next(s) % (sizeof(v) / sizeof((v)[0]))])

static const char *const gen_employers[] = {"Riverton", "Harbor", "Lakeside",
                                            "Fairview", "Oakdale"};
static const char *const gen_depts[] = {"Finance",
                                        "Public Works",
                                        "Parks and Recreation",
                                        "Information Technology",
                                        "Human Resources",
                                        "Police",
                                        "Planning",
                                        "Water Resources"};
static const char *const gen_levels[] = {"I",      "II",   "III",
                                         "Senior", "Lead", "Principal"};
static const char *const gen_titles[] = {
    "Accountant", "Engineer",  "Analyst",    "Technician", "Coordinator",
    "Inspector",  "Planner",   "Specialist", "Supervisor", "Administrator",
    "Mechanic",   "Librarian", "Dispatcher", "Clerk",      "Manager"};
static const char *const gen_verbs[] = {
    "Prepares",  "Reviews",    "Coordinates", "Maintains",
    "Inspects",  "Analyzes",   "Develops",    "Monitors",
    "Schedules", "Reconciles", "Repairs",     "Trains",
    "Evaluates", "Documents",  "Negotiates",  "Audits"};
static const char *const gen_objects[] = {"monthly financial statements",
                                          "capital improvement projects",
                                          "water distribution systems",
                                          "network servers and workstations",
                                          "building permit applications",
                                          "payroll records",
                                          "grant budgets",
                                          "vehicle maintenance schedules",
                                          "public records requests",
                                          "emergency response plans",
                                          "park facilities",
                                          "contract documents",
                                          "traffic signal equipment",
                                          "website content",
                                          "recruitment files",
                                          "utility billing accounts",
                                          "zoning amendments",
                                          "library collections"};
static const char *const gen_tails[] = {
    "for accuracy and compliance with applicable regulations",
    "and resolves discrepancies with other departments",
    "in coordination with outside agencies and vendors",
    "using spreadsheet and database software",
    "and prepares written reports for management",
    "according to established policies and procedures",
    "and recommends improvements to work methods",
    "under the general supervision of the division manager"};
static const char *const gen_know[] = {
    "Principles and practices of public administration",
    "Governmental accounting standards and fund accounting",
    "Methods of inspection and testing of materials",
    "Applicable federal, state and local laws",
    "Modern office procedures and computer applications",
    "Safety practices related to the work"};
static const char *const gen_abil[] = {
    "Communicate clearly and concisely, orally and in writing",
    "Establish and maintain effective working relationships",
    "Analyze problems and recommend sound solutions",
    "Operate tools and equipment safely", "Prioritize work and meet deadlines"};

void
tu_gen_id(unsigned i, char *buf, size_t size)
{
    char slug[64];
    snprintf(
        slug, sizeof(slug), "%s",
        gen_employers[i % (sizeof(gen_employers) / sizeof(gen_employers[0]))]);
    for (char *p = slug; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    snprintf(buf, size, "%s/%u", slug, 100000 + i);
}

static void
gen_one(FILE *f, unsigned i, unsigned long long seed)
{
    unsigned long long s = seed * 1000003ULL + i;
    gen_next(&s);
    const char *emp =
        gen_employers[i % (sizeof(gen_employers) / sizeof(gen_employers[0]))];
    unsigned grade = 10 + (unsigned)(gen_next(&s) % 60);
    fprintf(f, "CITY OF %s\nJOB DESCRIPTION\n\n", emp);
    fprintf(f, "Title: %s %s %s          Job Code: %u\n", PICK(&s, gen_titles),
            PICK(&s, gen_levels), PICK(&s, gen_titles), 100000 + i);
    fprintf(f, "Department: %s          FLSA: %s\n", PICK(&s, gen_depts),
            gen_next(&s) % 2 ? "Exempt" : "Nonexempt");
    fprintf(f, "Pay Grade: %u\n\n", grade);
    fprintf(f,
            "PURPOSE OF CLASSIFICATION\n%s %s %s. Works under general "
            "supervision.\n\n",
            PICK(&s, gen_verbs), PICK(&s, gen_objects), PICK(&s, gen_tails));
    /* A long paragraph: text that fills batches without adding items. */
    fprintf(f, "DISTINGUISHING CHARACTERISTICS\n");
    for (unsigned k = 0; k < 40; k++)
        fprintf(f, "%s %s %s.%s", PICK(&s, gen_verbs), PICK(&s, gen_objects),
                PICK(&s, gen_tails), k % 4 == 3 ? "\n" : " ");
    fprintf(f, "\n");
    fprintf(f, "ESSENTIAL FUNCTIONS\n");
    unsigned duties = 3 + (unsigned)(gen_next(&s) % 4);
    for (unsigned d = 0; d < duties; d++)
        fprintf(f, "\xe2\x80\xa2  %s %s %s; %s %s.\n", PICK(&s, gen_verbs),
                PICK(&s, gen_objects), PICK(&s, gen_tails), PICK(&s, gen_verbs),
                PICK(&s, gen_objects));
    fprintf(f,
            "\nMINIMUM QUALIFICATIONS\nEducation and Experience:\n"
            "Bachelor's degree and %u years of related experience.\n"
            "Knowledge of:\n",
            1 + (unsigned)(gen_next(&s) % 6));
    for (unsigned k = 0; k < 2; k++)
        fprintf(f, "-  %s.\n", PICK(&s, gen_know));
    fprintf(f, "Ability to:\n");
    for (unsigned k = 0; k < 2; k++)
        fprintf(f, "-  %s.\n", PICK(&s, gen_abil));
    fprintf(f, "\nWORKING CONDITIONS\nWork is performed in an office "
               "environment and in the field.\n");
}

void
tu_gen_specs(const char *dir, unsigned first, unsigned n,
             unsigned long long seed)
{
    char path[4096];
    mkdir(dir, 0777);
    for (size_t e = 0; e < sizeof(gen_employers) / sizeof(gen_employers[0]);
         e++) {
        snprintf(path, sizeof(path), "%s/%s", dir, gen_employers[e]);
        mkdir(path, 0777);
    }
    for (unsigned i = first; i < first + n; i++) {
        snprintf(path, sizeof(path), "%s/%s/%u.txt", dir,
                 gen_employers[i % (sizeof(gen_employers) /
                                    sizeof(gen_employers[0]))],
                 100000 + i);
        FILE *f = fopen(path, "w");
        if (!f) {
            perror(path);
            abort();
        }
        gen_one(f, i, seed);
        if (fclose(f) != 0) {
            perror(path);
            abort();
        }
    }
}

long long
tu_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

jd_status
tu_db_add(void *ctx, jd_spec *s)
{
    jd_status st = jd_db_add(ctx, s);
    jd_spec_free(s);
    return st;
}

jd_status
tu_recs_keep(void *ctx, jd_spec *s)
{
    struct tu_recs *r = ctx;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        jd_spec **v = realloc(r->v, cap * sizeof(*v));
        if (!v) {
            jd_spec_free(s);
            return JD_ERR_NOMEM;
        }
        r->v = v;
        r->cap = cap;
    }
    r->v[r->n++] = s;
    return JD_OK;
}

void
tu_recs_free(struct tu_recs *r)
{
    for (size_t i = 0; i < r->n; i++)
        jd_spec_free(r->v[i]);
    free(r->v);
    memset(r, 0, sizeof(*r));
}

/* valgrind on $PATH, or NULL. */
static const char *
valgrind_path(void)
{
    static char found[4096];
    const char *path = getenv("PATH");
    while (path && *path) {
        size_t len = strcspn(path, ":");
        snprintf(found, sizeof(found), "%.*s/valgrind", (int)len, path);
        if (access(found, X_OK) == 0)
            return found;
        path += len + (path[len] == ':');
    }
    return NULL;
}

const char *
tu_instructions_unavailable(void)
{
    const char *san = getenv("JOBDEX_SAN");
    if (san && strcmp(san, "1") == 0)
        return "valgrind cannot run the sanitizer build; the plain build "
               "counts the work";
    if (!valgrind_path())
        return "valgrind is not installed (make deps installs it)";
    return NULL;
}

unsigned long long
tu_instructions(const char *const *argv)
{
    char prog[4400];
    snprintf(prog, sizeof(prog), "%s%s%s",
             strchr(argv[0], '/') ? "" : tu_bindir(),
             strchr(argv[0], '/') ? "" : "/", argv[0]);
    const char *v[64] = {valgrind_path(), "--tool=callgrind",
                         "--callgrind-out-file=/dev/null", prog};
    size_t n = 4;
    for (size_t i = 1; argv[i] && n + 1 < sizeof(v) / sizeof(v[0]); i++)
        v[n++] = argv[i];
    v[n] = NULL;
    struct tu_run r;
    tu_run(v, NULL, &r);
    const char *c = strstr(r.err, "Collected : ");
    if (r.status > 1 || !c)
        fprintf(stderr, "%s: status %d:\n%s", argv[0], r.status, r.err);
    assert_true(r.status <= 1);
    assert_non_null(c);
    unsigned long long count = strtoull(c + 12, NULL, 10);
    tu_run_free(&r);
    assert_true(count > 0);
    return count;
}

jd_db *
tu_open_index(const char *path)
{
    jd_db *db;
    if (jd_db_new(&db) != JD_OK)
        abort();
    if (jd_db_open(db, path, JD_OPEN_READ) != JD_OK) {
        fprintf(stderr, "cannot open '%s': %s\n", path, jd_db_errmsg(db));
        abort();
    }
    return db;
}

size_t
tu_count_records(const char *path)
{
    jd_db *db = tu_open_index(path);
    size_t n = 0;
    if (jd_db_count(db, &n) != JD_OK) {
        fprintf(stderr, "cannot count '%s': %s\n", path, jd_db_errmsg(db));
        abort();
    }
    jd_db_free(db);
    return n;
}
