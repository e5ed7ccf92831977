/*
 * main.c: jobdex-index, the command that reads class specs into an index
 * (or, with --dump, prints the parsed records). Uses only jobdex.h.
 */
#include "jobdex.h"

#include "indexer/cli/run.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char usage_text[] =
    "Usage: jobdex-index [OPTION]... PATH...\n"
    "Read class specifications into a jobdex index.\n"
    "\n"
    "Each PATH is a file or a directory; directories are searched\n"
    "recursively for *.txt, *.text, *.jsonl, *.ndjson and *.json files (names\n"
    "starting with '.' are skipped). A directory holding an O*NET database\n"
    "('Occupation Data.txt') is imported whole. A record whose id is already\n"
    "in the index replaces it.\n"
    "\n"
    "Each file and directory is read once, however many routes lead to it\n"
    "(links, hard links, a PATH named twice or inside another). A symbolic\n"
    "link found in a directory is followed only when it leads inside one of\n"
    "the PATHs (see --follow-links); others are reported and skipped, and a\n"
    "link back to a directory being read is a loop: reported, not followed.\n"
    "Nothing on /proc, /sys or another kernel pseudo filesystem, and no\n"
    "device, is ever read, even when named as PATH.\n"
    "\n"
    "Options:\n"
    "  -d, --db DIR          index directory (default: $JOBDEX_DB, else\n"
    "                        ./jobdex.db); created if missing\n"
    "  -f, --format FORMAT   auto (default), spec (class-spec text), jsonl\n"
    "                        (one JSON record per line, as --dump prints) or\n"
    "                        onet (an O*NET database directory)\n"
    "      --onet-tasks-only O*NET: import only the occupations that have\n"
    "                        task statements (923 in O*NET 29.3), not also\n"
    "                        the ones known by title alone (\"All Other\",\n"
    "                        military: 93)\n"
    "      --follow-links    follow symbolic links wherever they lead (still\n"
    "                        reading each file once, never /proc or /sys)\n"
    "  -J, --jurisdiction NAME  employer for specs whose text does not name\n"
    "                        one and that are not in a folder below PATH\n"
    "                        (the folder's name is used then: "
    "corpus/portland)\n"
    "      --dump            print the parsed records as JSON lines on stdout\n"
    "                        instead of indexing\n"
    "      --batch-mb N      commit after N MB of record text (default 4)\n"
    "  -j, --jobs N          index with N worker processes (default 1); each\n"
    "                        writes a shard of its share of the inputs, and\n"
    "                        the shards are merged into the index at the end\n"
    "                        in one step (records already in the index are\n"
    "                        then replaced one at a time)\n"
    "      --no-model        do not (re)train the class model at the end\n"
    "                        (see README, \"How matching ranks\"); matching\n"
    "                        then ranks without it until a run trains it\n"
    "  -p, --progress        show progress on stderr (default on a terminal)\n"
    "      --no-progress     never show progress\n"
    "  -q, --quiet           no summary line\n"
    "  -h, --help            show this help and exit\n"
    "\n"
    "Inputs that cannot be used (empty, binary, not UTF-8, over 8 MiB, no\n"
    "class title, unreadable) are reported one line each on stderr and\n"
    "skipped; everything else is indexed. So is a record whose id is over\n"
    "200 bytes or has a control character, by its file and line (ids made\n"
    "from a long title are cut to fit). SIGINT or SIGTERM stop after\n"
    "committing what was read so far.\n"
    "\n"
    "DIR may be a symbolic link to a directory; inside it, a link at any\n"
    "name jobdex uses is refused by name, never followed. After a -j run the\n"
    "index lives in DIR/gN, named by DIR/generation: if that file is\n"
    "missing or damaged the index is refused, with the repair to run\n"
    "(echo N > DIR/generation, N the newest generation); jobdex-query\n"
    "check reads a whole index for damage.\n"
    "\n"
    "Exit status: 0 all inputs indexed, 1 some inputs rejected, 2 usage\n"
    "error, 3 any other failure (e.g. the index is locked by another\n"
    "writer).\n"
    "\n"
    "Example:\n"
    "  jobdex-index -d specs.db corpus/\n"
    "  jobdex-index -j 2 -d specs.db ../shared/data/calhr-class-specs/specs\n"
    "  jobdex-index --dump corpus/milwaukie/web-services-coordinator.txt\n"
    "  jobdex-index --follow-links -d specs.db specs-with-links/\n";

const char *prog = "jobdex-index";

volatile sig_atomic_t stop_signal = 0;

static void
on_signal(int sig)
{
    stop_signal = sig;
}

static void usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

static void
usage_error(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry '%s --help' for more information.\n", prog);
    exit(2);
}

static void
parse_args(int argc, char **argv, struct options *o)
{
    enum {
        OPT_DUMP = 256,
        OPT_NO_PROGRESS,
        OPT_BATCH_MB,
        OPT_ONET_TASKS,
        OPT_NO_MODEL,
        OPT_FOLLOW_LINKS
    };
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"format", required_argument, NULL, 'f'},
        {"jurisdiction", required_argument, NULL, 'J'},
        {"dump", no_argument, NULL, OPT_DUMP},
        {"batch-mb", required_argument, NULL, OPT_BATCH_MB},
        {"onet-tasks-only", no_argument, NULL, OPT_ONET_TASKS},
        {"no-model", no_argument, NULL, OPT_NO_MODEL},
        {"follow-links", no_argument, NULL, OPT_FOLLOW_LINKS},
        {"jobs", required_argument, NULL, 'j'},
        {"progress", no_argument, NULL, 'p'},
        {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof(*o));
    o->db = getenv("JOBDEX_DB");
    if (!o->db || !*o->db)
        o->db = "jobdex.db";
    o->progress = -1;
    o->batch_bytes = JD_BATCH_BYTES;
    o->jobs = 1;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":d:f:J:j:pqh", longopts, NULL)) !=
           -1) {
        switch (c) {
        case 'd':
            o->db = optarg;
            break;
        case 'f':
            if (strcmp(optarg, "auto") == 0)
                o->format = JD_FORMAT_AUTO;
            else if (strcmp(optarg, "spec") == 0)
                o->format = JD_FORMAT_SPEC;
            else if (strcmp(optarg, "jsonl") == 0)
                o->format = JD_FORMAT_JSONL;
            else if (strcmp(optarg, "onet") == 0)
                o->format = JD_FORMAT_ONET;
            else
                usage_error("invalid format '%s'", optarg);
            break;
        case 'J':
            o->jurisdiction = optarg;
            break;
        case OPT_DUMP:
            o->dump = true;
            break;
        case OPT_ONET_TASKS:
            o->onet_tasks_only = true;
            break;
        case OPT_NO_MODEL:
            o->no_model = true;
            break;
        case OPT_FOLLOW_LINKS:
            o->follow_links = true;
            break;
        case OPT_BATCH_MB: {
            char *end;
            long mb = strtol(optarg, &end, 10);
            if (*end || mb < 1 || mb > 4096)
                usage_error("invalid batch size '%s'", optarg);
            o->batch_bytes = (size_t)mb << 20;
            break;
        }
        case 'j': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 64)
                usage_error("invalid number of jobs '%s' (1 to 64)", optarg);
            o->jobs = (unsigned)n;
            break;
        }
        case 'p':
            o->progress = 1;
            break;
        case OPT_NO_PROGRESS:
            o->progress = 0;
            break;
        case 'q':
            o->quiet = true;
            break;
        case 'h':
            fputs(usage_text, stdout);
            exit(fflush(stdout) == 0 && !ferror(stdout) ? 0 : 3);
        case ':':
            usage_error("option '%s' needs a value", argv[optind - 1]);
            break;
        default:
            usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        usage_error("%s", "no input PATH given");
}

/* ---- collecting inputs ---- */

static jd_status
on_file(void *ctx, const char *path, const char *folder)
{
    struct file_list *f = ctx;
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 256;
        char **p = realloc(f->path, cap * sizeof(*p));
        if (!p)
            return JD_ERR_NOMEM;
        f->path = p;
        char **d = realloc(f->folder, cap * sizeof(*d));
        if (!d)
            return JD_ERR_NOMEM;
        f->folder = d;
        f->cap = cap;
    }
    f->path[f->n] = strdup(path);
    f->folder[f->n] = folder ? strdup(folder) : NULL;
    if (!f->path[f->n] || (folder && !f->folder[f->n]))
        return JD_ERR_NOMEM;
    f->n++;
    return JD_OK;
}

static size_t walk_errors;

static void
on_walk_error(void *ctx, const char *path, const char *why)
{
    (void)ctx;
    fprintf(stderr, "%s: cannot read '%s': %s\n", prog, path, why);
    walk_errors++;
}

/* ---- per record ---- */

void
progress(struct run *r, bool final)
{
    if (!r->show_progress)
        return;
    fprintf(stderr, "\r%s: %zu/%zu files, %zu records", prog, r->done_files,
            r->files.n, r->records);
    if (final)
        fputc('\n', stderr);
    fflush(stderr);
}

static void on_reject(void *ctx, const char *source, unsigned line,
                      const char *why);

/* A record the index refused as bad input is one rejected input, not the
 * end of the run: it is reported by the file being read and, when the
 * record was read from that file, its line. */
static void
refused(struct run *r, const jd_spec *spec)
{
    const char *file = r->files.path[r->current];
    bool here = spec->source_file && strcmp(spec->source_file, file) == 0;
    on_reject(r, file, here ? spec->source_line : 0, jd_db_errmsg(r->db));
}

static jd_status
on_spec(void *ctx, jd_spec *spec)
{
    struct run *r = ctx;
    jd_status st;
    if (r->opt.dump) {
        r->json.len = 0;
        st = jd_spec_to_json(spec, &r->json);
        if (st == JD_OK) {
            fwrite(r->json.data, 1, r->json.len, stdout);
            fputc('\n', stdout);
        }
    } else {
        st = jd_db_add(r->db, spec);
        if (st == JD_ERR_INVALID_ARG) {
            refused(r, spec);
            jd_spec_free(spec);
            return JD_OK;
        }
    }
    jd_spec_free(spec);
    if (st == JD_OK)
        r->records++;
    return st;
}

static void
on_reject(void *ctx, const char *source, unsigned line, const char *why)
{
    struct run *r = ctx;
    if (r->show_progress)
        fputc('\n', stderr);
    if (line)
        fprintf(stderr, "%s: rejected '%s' line %u: %s\n", prog, source, line,
                why);
    else
        fprintf(stderr, "%s: rejected '%s': %s\n", prog, source, why);
    r->rejected++;
}

/* Read every input; returns non-zero on a failure that stops the run. */
int
read_inputs(struct run *r)
{
    struct jd_parse_sink sink = {on_spec, on_reject, r};
    for (size_t i = r->lo; i < r->hi; i++) {
        if (stop_signal)
            return 0;
        struct jd_parse_opts po = {.format = r->opt.format,
                                   .jurisdiction = r->opt.jurisdiction,
                                   .folder_jurisdiction = r->files.folder[i],
                                   .onet_tasks_only = r->opt.onet_tasks_only};
        char why[512] = "";
        r->current = i;
        jd_status st =
            jd_parse_file(r->files.path[i], &po, &sink, why, sizeof(why));
        r->done_files++;
        if (st == JD_ERR_INVALID_ARG || st == JD_ERR_TOO_BIG ||
            st == JD_ERR_IO) {
            on_reject(r, r->files.path[i], 0, why[0] ? why : jd_status_str(st));
            r->failed_files++;
        } else if (st != JD_OK) {
            if (r->show_progress)
                fputc('\n', stderr);
            if (r->db && jd_db_errmsg(r->db)[0] && st != JD_ERR_NOMEM)
                fprintf(stderr, "%s: cannot index '%s': %s\n", prog,
                        r->files.path[i], jd_db_errmsg(r->db));
            else
                fprintf(stderr, "%s: cannot index '%s': %s\n", prog,
                        r->files.path[i], jd_status_str(st));
            return 1;
        }
        if (i % 16 == 0 || i + 1 == r->hi)
            progress(r, false);
        if (r->on_file_done)
            r->on_file_done(r);
    }
    return 0;
}

static int
open_index(struct run *r)
{
    if (jd_db_new(&r->db) != JD_OK) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return 1;
    }
    jd_status st = jd_db_open(r->db, r->opt.db, JD_OPEN_WRITE | JD_OPEN_CREATE);
    if (st != JD_OK) {
        fprintf(stderr, "%s: cannot open index '%s': %s\n", prog, r->opt.db,
                jd_db_errmsg(r->db));
        return 1;
    }
    jd_db_set_batch_bytes(r->db, r->opt.batch_bytes);
    if (jd_db_recovered(r->db) > 0)
        fprintf(stderr,
                "%s: index '%s' was left by an interrupted run; repaired the "
                "items of %zu records from their last commit\n",
                prog, r->opt.db, jd_db_recovered(r->db));
    return 0;
}

/* Train the class model on the committed records (see indexer/model.h);
 * add the time it took to *SECONDS. Silent unless it cannot be trained
 * for the size of the index (`jobdex-query stats` shows the model). */
static int
train_model(struct run *r, double *seconds)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct jd_model_stats ms;
    jd_status st = jd_db_train_model(r->db, &stop_signal, &ms);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    *seconds += (double)(t1.tv_sec - t0.tv_sec) +
                (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (st == JD_ERR_INTERRUPTED)
        return 0; /* finish() says it was stopped */
    if (st != JD_OK) {
        fprintf(stderr, "%s: cannot train the class model of '%s': %s\n", prog,
                r->opt.db, jd_db_errmsg(r->db));
        return 1;
    }
    if (!ms.trained && ms.classes >= 2 && !r->opt.quiet)
        fprintf(stderr, "%s: no class model: %s\n", prog, ms.why_not);
    else if (ms.trained && ms.concepts == 0 && !r->opt.quiet)
        fprintf(stderr, "%s: class model without concepts: %s\n", prog,
                ms.concepts_why_not);
    return 0;
}

static int
finish(struct run *r, double seconds)
{
    int rc = 0;
    if (r->db) {
        jd_status st = jd_db_commit(r->db);
        if (st != JD_OK) {
            fprintf(stderr, "%s: cannot commit to '%s': %s\n", prog, r->opt.db,
                    jd_db_errmsg(r->db));
            return 3;
        }
    }
    progress(r, true);
    if (r->db && !stop_signal && !r->opt.no_model &&
        train_model(r, &seconds) != 0)
        return 3;
    if (stop_signal) {
        fprintf(stderr,
                "%s: stopped by signal %d after %zu of %zu files; %zu records "
                "committed\n",
                prog, (int)stop_signal, r->done_files, r->files.n, r->records);
        return 3;
    }
    if (!r->opt.quiet && !r->opt.dump)
        fprintf(stderr,
                "%s: indexed %zu record%s from %zu file%s into '%s' in %.1f s, "
                "%zu rejected\n",
                prog, r->records, r->records == 1 ? "" : "s", r->files.n,
                r->files.n == 1 ? "" : "s", r->opt.db, seconds,
                r->rejected + walk_errors);
    if (r->rejected || walk_errors)
        rc = 1;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "%s: write error on standard output: %s\n", prog,
                strerror(errno));
        rc = 3;
    }
    return rc;
}

static void
free_run(struct run *r)
{
    jd_db_free(r->db);
    for (size_t i = 0; i < r->files.n; i++) {
        free(r->files.path[i]);
        free(r->files.folder[i]);
    }
    free(r->files.path);
    free(r->files.folder);
    jd_buf_free(&r->json);
}

int
main(int argc, char **argv)
{
    struct run r;
    memset(&r, 0, sizeof(r));
    parse_args(argc, argv, &r.opt);

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct jd_walk_sink ws = {on_file, on_walk_error, &r.files};
    unsigned walk_flags = r.opt.follow_links ? JD_WALK_FOLLOW_LINKS : 0;
    if (jd_walk((const char *const *)argv + optind, (size_t)(argc - optind),
                walk_flags, &ws) != JD_OK) {
        fprintf(stderr, "%s: out of memory\n", prog);
        free_run(&r);
        return 3;
    }
    r.show_progress =
        r.opt.progress == 1 || (r.opt.progress == -1 && isatty(STDERR_FILENO));
    r.hi = r.files.n;
    r.report_fd = -1;
    bool parallel = !r.opt.dump && r.opt.jobs > 1 && r.files.n > 1;
    bool failed = (!r.opt.dump && open_index(&r) != 0) ||
                  (parallel ? run_workers(&r) : read_inputs(&r)) != 0;
    int rc = failed ? 3 : 0;
    if (rc == 0) {
        clock_gettime(CLOCK_MONOTONIC, &t1);
        rc = finish(&r, (double)(t1.tv_sec - t0.tv_sec) +
                            (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    }
    free_run(&r);
    return rc;
}
