/*
 * qtime.c: per-query latency of a command, one process per query.
 *
 *   qtime [-e ERRLOG] LIST CMD [ARG]...
 *
 * For each line of LIST, runs CMD with every ARG that is exactly "{}"
 * replaced by the line, waits for it, and records its wall time. Then
 * prints one tab-separated line on stdout:
 *
 *   queries ok nomatch failed p50_ms p95_ms p99_ms mean_ms
 *
 * "ok" counts exit status 0, "nomatch" 1 (jobdex-query's "no result"),
 * "failed" anything else, including death by a signal; failing queries
 * are named on stderr. The time includes process start and exit, as a
 * user running the CLI would see; for in-process throughput see
 * `jobdex-query match --batch`. The child's stdout goes to /dev/null (it
 * still formats every result) and its stderr to ERRLOG.
 *
 * Timing in C rather than with date(1) in the shell keeps the cost of
 * starting date itself out of every sample.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROG "qtime"

extern char **environ;

static const char usage_text[] =
    "Usage: qtime [-e ERRLOG] LIST CMD [ARG]...\n"
    "Run CMD once per line of LIST, with each ARG '{}' replaced by the\n"
    "line; print: queries ok nomatch failed p50_ms p95_ms p99_ms mean_ms.\n"
    "\n"
    "Options:\n"
    "  -e ERRLOG  append the commands' stderr to ERRLOG (default /dev/null)\n"
    "  -h         show this help and exit\n"
    "\n"
    "Exit status: 0 success (failed queries are counted, not fatal),\n"
    "2 usage error, 3 any other failure.\n"
    "\n"
    "Example:\n"
    "  qtime and-queries.txt build/jobdex-query -d idx search {}\n";

static void
die(const char *what, const char *subject)
{
    fprintf(stderr, PROG ": %s '%s': %s\n", what, subject, strerror(errno));
    exit(3);
}

static double
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of the sorted V[0..N). */
static double
percentile(const double *v, size_t n, double p)
{
    size_t rank = (size_t)(p * (double)n + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return v[rank - 1];
}

/* Run ARGV once; its wall time in *MS. Returns the exit status, or -1
 * when it died by a signal. */
static int
run_once(char **argv, const posix_spawn_file_actions_t *fa, double *ms)
{
    pid_t pid;
    double t0 = now_ms();
    int rc = posix_spawnp(&pid, argv[0], fa, NULL, argv, environ);
    if (rc != 0) {
        errno = rc;
        die("cannot run", argv[0]);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            die("cannot wait for", argv[0]);
    *ms = now_ms() - t0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct tally {
    double *ms;
    size_t n, cap, ok, nomatch, failed;
};

static void
tally_add(struct tally *t, double ms, int status, const char *query)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 1024;
        t->ms = realloc(t->ms, t->cap * sizeof(*t->ms));
        if (!t->ms) {
            errno = ENOMEM;
            die("cannot record", query);
        }
    }
    t->ms[t->n++] = ms;
    if (status == 0) {
        t->ok++;
    } else if (status == 1) {
        t->nomatch++;
    } else {
        t->failed++;
        fprintf(stderr, PROG ": query failed (status %d): %s\n", status, query);
    }
}

static void
report(struct tally *t)
{
    if (t->n == 0) {
        fputs(PROG ": no queries in the list\n", stderr);
        exit(3);
    }
    qsort(t->ms, t->n, sizeof(*t->ms), cmp_double);
    double sum = 0;
    for (size_t i = 0; i < t->n; i++)
        sum += t->ms[i];
    printf("%zu\t%zu\t%zu\t%zu\t%.2f\t%.2f\t%.2f\t%.2f\n", t->n, t->ok,
           t->nomatch, t->failed, percentile(t->ms, t->n, 0.50),
           percentile(t->ms, t->n, 0.95), percentile(t->ms, t->n, 0.99),
           sum / (double)t->n);
    if (fflush(stdout) != 0 || ferror(stdout))
        die("cannot write", "stdout");
}

int
main(int argc, char **argv)
{
    const char *errlog = "/dev/null";
    int c;
    while ((c = getopt(argc, argv, "+e:h")) != -1) {
        if (c == 'e') {
            errlog = optarg;
        } else if (c == 'h') {
            fputs(usage_text, stdout);
            return fflush(stdout) == 0 ? 0 : 3;
        } else {
            fputs("Try '" PROG " -h' for more information.\n", stderr);
            return 2;
        }
    }
    if (argc - optind < 2) {
        fputs(PROG ": need a LIST and a CMD\n"
                   "Try '" PROG " -h' for more information.\n",
              stderr);
        return 2;
    }
    const char *list = argv[optind];
    char **cmd = argv + optind + 1;
    int ncmd = argc - optind - 1;
    FILE *f = fopen(list, "r");
    if (!f)
        die("cannot open", list);

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, errlog,
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);

    char **args = calloc((size_t)ncmd + 1, sizeof(*args));
    if (!args)
        die("cannot allocate", "arguments");
    struct tally t = {0};
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) > 0) {
        if (line[len - 1] == '\n')
            line[--len] = '\0';
        if (len == 0)
            continue;
        for (int i = 0; i < ncmd; i++)
            args[i] = strcmp(cmd[i], "{}") == 0 ? line : cmd[i];
        double ms;
        int status = run_once(args, &fa, &ms);
        tally_add(&t, ms, status, line);
    }
    if (ferror(f))
        die("cannot read", list);
    fclose(f);
    report(&t);
    posix_spawn_file_actions_destroy(&fa);
    free(line);
    free(args);
    free(t.ms);
    return 0;
}
