/*
 * main.c: jobdex-query: search, match, similar, show and stats over a
 * jobdex index. Parse the arguments, open the index, run the command,
 * write the results, close. Uses only jobdex.h (and cli.h for output).
 */
#include "jobdex.h"

#include "query/cli/batch.h"
#include "query/cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
    "Usage: jobdex-query [OPTION]... COMMAND [ARG]...\n"
    "Search and match job classification specs in a jobdex index.\n"
    "\n"
    "Commands:\n"
    "  search QUERY...         ad-hoc search: words (all must match), "
    "\"phrases\",\n"
    "                          AND OR NOT ( ), -word, trailing * wildcards,\n"
    "                          fields title: duty: qual: summary: other:,\n"
    "                          filters jurisdiction: department: flsa: code:\n"
    "                          (slugs); -web alone: the classes without web;\n"
    "                          256 terms at most (words, phrase words)\n"
    "  match FILE|-            rank classes against a resume or job text\n"
    "  match --keywords LIST   rank classes against 'budget, network "
    "security'\n"
    "                          (words, not query syntax; 256 terms at most)\n"
    "  match --batch FILE      one query per line {\"id\": ..., \"text\": "
    "...};\n"
    "                          one result per line, in input order\n"
    "  similar ID              classes most like class ID, shared duties "
    "shown\n"
    "  overlap                 groups of near-duplicate duties across\n"
    "                          departments (or jurisdictions, classes), with\n"
    "                          boilerplate apart and a matrix of who shares\n"
    "  show ID                 the parsed record of class ID\n"
    "  stats                   counts by jurisdiction, department and kind;\n"
    "                          index size and format; the class\n"
    "                          model (none, current or stale; its words\n"
    "                          and concept dimensions)\n"
    "  check                   read the whole index for damage: Xapian's own\n"
    "                          check of each database, then every record\n"
    "                          (parses, its id terms name it, its items are\n"
    "                          there, no item without its class) and the\n"
    "                          class model; one line per problem, then a\n"
    "                          summary; exit 0 clean, 4 damaged (text only)\n";

/* The help in parts: ISO C caps a string literal at 4095 bytes. */
static const char usage_options[] =
    "\n"
    "Options (before or after the command; use -- before a query that\n"
    "starts with '-'):\n"
    "  -d, --db DIR            index directory (default: $JOBDEX_DB, else\n"
    "                          ./jobdex.db)\n"
    "  -n, --limit N           at most N results (default 10)\n"
    "  -f, --format FORMAT     text (default), json or csv\n"
    "      --color WHEN        mark matches in bold: auto (on a terminal,\n"
    "                          default), always, never; else [brackets]\n"
    "  -J, --jurisdiction NAME only classes of this employer\n"
    "  -D, --department NAME   only classes of this department\n"
    "      --flsa STATUS       only classes with this FLSA status\n"
    "  -g, --grade MIN..MAX    only classes whose pay grade range meets\n"
    "                          MIN..MAX (either end may be left out)\n"
    "  -e, --explain           match: which duties and qualifications matched\n"
    "                          which lines, the terms that scored, the gaps\n"
    "  -k, --keywords LIST     match a comma-separated keyword list\n"
    "      --whole             match: rank the text as one query only; by\n"
    "                          default a text of several paragraphs or list\n"
    "                          items (a resume) also ranks each of them (8 at\n"
    "                          most) and adds their scores: better, slower\n"
    "      --weights SPEC      match: rank with other weights, for ranking\n"
    "                          experiments (bench/results/ranking.md): SPEC\n"
    "                          is ANCHOR.KNOB=NUMBER,... "
    "('s.w_title=4,m.k1=2';\n"
    "                          anchors s, m, l: 2, 10, 50 content words); the\n"
    "                          shipped weights are the table in\n"
    "                          query/match/weights.c\n"
    "  -b, --batch FILE        match every line of a JSON-lines file ('-': "
    "stdin)\n"
    "  -j, --jobs N            match --batch: answer in N worker processes\n"
    "                          (default 1; output the same, in input order;\n"
    "                          standard input is read to its end first, into\n"
    "                          a temporary file in $TMPDIR that has no name)\n"
    "  -m, --min-similarity X  overlap: group items at least this similar\n"
    "                          (tf-idf cosine 0..1; default 0.5, 0.8 for\n"
    "                          near-identical wording, 0.3 for related work)\n"
    "  -a, --across RULE       overlap: department (default), jurisdiction or\n"
    "                          class: whose items may be grouped\n"
    "      --qualifications    overlap: compare qualifications too\n"
    "      --boilerplate-share S  overlap: an item in this share of all\n"
    "                          classes (and 3 at least) is boilerplate (0.05)\n"
    "      --matrix            overlap: only the table of shared duties\n"
    "  -h, --help              show this help and exit\n";

static const char usage_status[] =
    "\n"
    "Exit status: 0 results found; 1 no result, no class of that ID, or\n"
    "some batch lines rejected; 2 usage error or bad input (a malformed\n"
    "query, over 256 terms, a text over 8 MiB, not UTF-8, with a NUL byte\n"
    "or no searchable word); 3 any other failure (no index, a file that\n"
    "cannot be read, a damaged index); 4 check found damage. A signal\n"
    "stops it at once (status 130, 143).\n"
    "\n"
    "Examples:\n"
    "  jobdex-query search 'title:coordinator AND website'\n"
    "  jobdex-query search '\"public relations\"' --jurisdiction milwaukie\n"
    "  jobdex-query search -- -web              (classes without web)\n"
    "  jobdex-query match --explain resume.txt\n"
    "  jobdex-query match --keywords 'grant programs, public outreach'\n"
    "  jobdex-query match --whole resume.txt   (one query: faster)\n"
    "  jobdex-query match --weights 'm.pair_weight=0' resume.txt   (an "
    "experiment)\n"
    "  jobdex-query -f json match --batch queries.jsonl -j 2\n"
    "  jobdex-query --format json similar milwaukie/web-services-coordinator\n"
    "  jobdex-query overlap --across jurisdiction --min-similarity 0.3\n"
    "  jobdex-query -d specs.db check\n";

static const char *prog = "jobdex-query";

enum command {
    CMD_SEARCH,
    CMD_MATCH,
    CMD_SIMILAR,
    CMD_SHOW,
    CMD_STATS,
    CMD_OVERLAP,
    CMD_CHECK,
};

struct options {
    const char *db;
    size_t limit;
    enum cli_format format;
    int color; /* -1 auto, 0 never, 1 always */
    struct jd_filter filter;
    bool explain;
    bool whole;          /* match: no part-by-part ranking */
    const char *weights; /* match: overrides of the shipped weights */
    const char *keywords;
    const char *batch;
    unsigned jobs; /* match --batch: worker processes */
    struct jd_overlap_opts overlap;
    const char *across;
    bool overlap_opt; /* an overlap-only option was given */
    bool matrix;
    enum command cmd;
    char **args;
    int nargs;
};

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

static bool
parse_number(const char *s, size_t len, double *out)
{
    char buf[64];
    if (len == 0 || len >= sizeof(buf))
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    *out = strtod(buf, &end);
    return *end == '\0';
}

/* "30..40", "30..", "..40" */
static void
parse_grade(const char *arg, struct jd_filter *f)
{
    const char *dots = strstr(arg, "..");
    f->grade_min = -1e300;
    f->grade_max = 1e300;
    if (!dots) {
        if (!parse_number(arg, strlen(arg), &f->grade_min))
            usage_error("invalid grade range '%s' (want MIN..MAX)", arg);
        f->grade_max = f->grade_min;
    } else {
        size_t a = (size_t)(dots - arg), b = strlen(dots + 2);
        if ((a && !parse_number(arg, a, &f->grade_min)) ||
            (b && !parse_number(dots + 2, b, &f->grade_max)) || (!a && !b))
            usage_error("invalid grade range '%s' (want MIN..MAX)", arg);
    }
    if (f->grade_min > f->grade_max)
        usage_error("invalid grade range '%s': MIN is over MAX", arg);
    f->has_grade = true;
}

static void
parse_args(int argc, char **argv, struct options *o)
{
    enum {
        OPT_COLOR = 256,
        OPT_FLSA,
        OPT_QUALIFICATIONS,
        OPT_BOILERPLATE,
        OPT_MATRIX,
        OPT_WHOLE,
        OPT_WEIGHTS
    };
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"limit", required_argument, NULL, 'n'},
        {"format", required_argument, NULL, 'f'},
        {"color", required_argument, NULL, OPT_COLOR},
        {"jurisdiction", required_argument, NULL, 'J'},
        {"department", required_argument, NULL, 'D'},
        {"flsa", required_argument, NULL, OPT_FLSA},
        {"grade", required_argument, NULL, 'g'},
        {"explain", no_argument, NULL, 'e'},
        {"keywords", required_argument, NULL, 'k'},
        {"whole", no_argument, NULL, OPT_WHOLE},
        {"weights", required_argument, NULL, OPT_WEIGHTS},
        {"batch", required_argument, NULL, 'b'},
        {"jobs", required_argument, NULL, 'j'},
        {"min-similarity", required_argument, NULL, 'm'},
        {"across", required_argument, NULL, 'a'},
        {"qualifications", no_argument, NULL, OPT_QUALIFICATIONS},
        {"boilerplate-share", required_argument, NULL, OPT_BOILERPLATE},
        {"matrix", no_argument, NULL, OPT_MATRIX},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof(*o));
    o->db = getenv("JOBDEX_DB");
    if (!o->db || !*o->db)
        o->db = "jobdex.db";
    o->limit = 10;
    o->jobs = 1;
    o->color = -1;
    o->overlap.min_similarity = JD_OVERLAP_DEFAULT;
    o->overlap.across = JD_ACROSS_DEPARTMENT;
    o->overlap.boilerplate_share = JD_BOILERPLATE_SHARE;
    o->overlap.boilerplate_min = JD_BOILERPLATE_MIN;
    o->across = "department";
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":d:n:f:J:D:g:ek:b:j:m:a:h", longopts,
                            NULL)) != -1) {
        switch (c) {
        case 'd':
            o->db = optarg;
            break;
        case 'n': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 100000)
                usage_error("invalid limit '%s'", optarg);
            o->limit = (size_t)n;
            break;
        }
        case 'f':
            if (strcmp(optarg, "text") == 0)
                o->format = OUT_TEXT;
            else if (strcmp(optarg, "json") == 0)
                o->format = OUT_JSON;
            else if (strcmp(optarg, "csv") == 0)
                o->format = OUT_CSV;
            else
                usage_error("invalid format '%s' (text, json or csv)", optarg);
            break;
        case OPT_COLOR:
            if (strcmp(optarg, "auto") == 0)
                o->color = -1;
            else if (strcmp(optarg, "always") == 0)
                o->color = 1;
            else if (strcmp(optarg, "never") == 0)
                o->color = 0;
            else
                usage_error("invalid --color '%s' (auto, always or never)",
                            optarg);
            break;
        case 'J':
            o->filter.jurisdiction = optarg;
            break;
        case 'D':
            o->filter.department = optarg;
            break;
        case OPT_FLSA:
            o->filter.flsa = optarg;
            break;
        case 'g':
            parse_grade(optarg, &o->filter);
            break;
        case 'e':
            o->explain = true;
            break;
        case 'k':
            o->keywords = optarg;
            break;
        case OPT_WHOLE:
            o->whole = true;
            break;
        case OPT_WEIGHTS:
            o->weights = optarg;
            break;
        case 'b':
            o->batch = optarg;
            break;
        case 'j': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 64)
                usage_error("invalid number of jobs '%s' (1 to 64)", optarg);
            o->jobs = (unsigned)n;
            break;
        }
        case 'm': {
            char *end;
            double v = strtod(optarg, &end);
            if (*end || !(v > 0 && v <= 1))
                usage_error("invalid similarity '%s' (want a number in "
                            "(0, 1])",
                            optarg);
            o->overlap.min_similarity = v;
            o->overlap_opt = true;
            break;
        }
        case 'a':
            if (strcmp(optarg, "department") == 0)
                o->overlap.across = JD_ACROSS_DEPARTMENT;
            else if (strcmp(optarg, "jurisdiction") == 0)
                o->overlap.across = JD_ACROSS_JURISDICTION;
            else if (strcmp(optarg, "class") == 0)
                o->overlap.across = JD_ACROSS_CLASS;
            else
                usage_error("invalid --across '%s' (department, jurisdiction "
                            "or class)",
                            optarg);
            o->across = optarg;
            o->overlap_opt = true;
            break;
        case OPT_QUALIFICATIONS:
            o->overlap.qualifications = true;
            o->overlap_opt = true;
            break;
        case OPT_BOILERPLATE: {
            char *end;
            double v = strtod(optarg, &end);
            if (*end || !(v > 0 && v <= 1))
                usage_error("invalid boilerplate share '%s' (want (0, 1])",
                            optarg);
            o->overlap.boilerplate_share = v;
            o->overlap_opt = true;
            break;
        }
        case OPT_MATRIX:
            o->matrix = true;
            o->overlap_opt = true;
            break;
        case 'h':
            fputs(usage_text, stdout);
            fputs(usage_options, stdout);
            fputs(usage_status, stdout);
            exit(fflush(stdout) == 0 && !ferror(stdout) ? 0 : 3);
        case ':':
            usage_error("option '%s' needs a value", argv[optind - 1]);
        default:
            usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        usage_error("no command given");
    const char *cmd = argv[optind++];
    static const struct {
        const char *name;
        enum command cmd;
    } cmds[] = {{"search", CMD_SEARCH},   {"match", CMD_MATCH},
                {"similar", CMD_SIMILAR}, {"show", CMD_SHOW},
                {"stats", CMD_STATS},     {"overlap", CMD_OVERLAP},
                {"check", CMD_CHECK}};
    size_t k;
    for (k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++)
        if (strcmp(cmd, cmds[k].name) == 0)
            break;
    if (k == sizeof(cmds) / sizeof(cmds[0]))
        usage_error("unknown command '%s'", cmd);
    o->cmd = cmds[k].cmd;
    o->args = argv + optind;
    o->nargs = argc - optind;

    switch (o->cmd) {
    case CMD_SEARCH:
        if (o->nargs < 1)
            usage_error("search needs a QUERY");
        break;
    case CMD_MATCH: {
        int sources =
            (o->keywords != NULL) + (o->batch != NULL) + (o->nargs > 0);
        if (sources != 1 || o->nargs > 1)
            usage_error("match needs one of FILE, -, --keywords LIST or "
                        "--batch FILE");
        break;
    }
    case CMD_SIMILAR:
    case CMD_SHOW:
        if (o->nargs != 1)
            usage_error("%s needs one class ID", cmd);
        break;
    case CMD_STATS:
    case CMD_OVERLAP:
    case CMD_CHECK:
        if (o->nargs != 0)
            usage_error("%s takes no arguments", cmd);
        break;
    }
    if (o->cmd == CMD_CHECK && o->format != OUT_TEXT)
        usage_error("check writes text only");
    if ((o->keywords || o->batch) && o->cmd != CMD_MATCH)
        usage_error("--keywords and --batch go with match");
    if (o->whole && o->cmd != CMD_MATCH)
        usage_error("--whole goes with match");
    if (o->weights && o->cmd != CMD_MATCH)
        usage_error("--weights goes with match");
    if (o->jobs > 1 && !o->batch)
        usage_error("--jobs goes with match --batch");
    if (o->overlap_opt && o->cmd != CMD_OVERLAP)
        usage_error("--min-similarity, --across, --qualifications, "
                    "--boilerplate-share and --matrix go with overlap");
    o->overlap.filter = o->filter;
}

/* ---- input ---- */

/*
 * All of PATH ("-": standard input) into *TEXT (malloc'd, NUL-terminated)
 * and *LEN. Returns 0, or the exit status after saying why: 2 for a text
 * over JD_SPEC_MAX_BYTES (bad input), 3 when it cannot be read.
 */
static int
read_text(const char *path, char **text, size_t *len)
{
    *text = NULL;
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: cannot read '%s': %s\n", prog, path,
                strerror(errno));
        return 3;
    }
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap + 1);
    size_t k;
    int rc = 0;
    while (buf && (k = fread(buf + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n > JD_SPEC_MAX_BYTES) {
            fprintf(stderr, "%s: cannot read '%s': over the %zu-byte limit\n",
                    prog, path, JD_SPEC_MAX_BYTES);
            rc = 2;
            break;
        }
        if (n == cap) {
            cap *= 2;
            char *nb = realloc(buf, cap + 1);
            if (!nb)
                free(buf);
            buf = nb;
        }
    }
    if (!buf) {
        fprintf(stderr, "%s: cannot read '%s': out of memory\n", prog, path);
        rc = 3;
    } else if (rc == 0 && ferror(f)) {
        fprintf(stderr, "%s: cannot read '%s': %s\n", prog, path,
                strerror(errno));
        rc = 3;
    }
    if (f != stdin)
        fclose(f);
    if (rc != 0) {
        free(buf);
        return rc;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
}

/* ---- commands ---- */

struct run {
    struct options o;
    jd_db *db;
    struct cli_out out;
};

/* The exit status for a library call's failure ST (README's table): bad
 * input (malformed, over a limit) 2, no such record 1, the rest 3. */
static int
status_for(jd_status st)
{
    switch (st) {
    case JD_ERR_QUERY_SYNTAX:
    case JD_ERR_INVALID_ARG:
    case JD_ERR_TOO_BIG:
        return 2;
    case JD_ERR_NOT_FOUND:
        return 1;
    default:
        return 3;
    }
}

/* Report a failed library call; returns the exit status for it. A query
 * over JD_QUERY_MAX_TERMS is not echoed: the message says what it is. */
static int
failed(struct run *r, jd_status st, const char *what, const char *subject)
{
    if (st == JD_ERR_TOO_BIG)
        fprintf(stderr, "%s: %s\n", prog, jd_db_errmsg(r->db));
    else
        fprintf(stderr, "%s: %s '%s': %s\n", prog, what, subject,
                jd_db_errmsg(r->db));
    return status_for(st);
}

static char *
join_args(char **args, int n)
{
    size_t len = 1;
    for (int i = 0; i < n; i++)
        len += strlen(args[i]) + 1;
    char *q = malloc(len);
    if (!q)
        return NULL;
    size_t off = 0;
    for (int i = 0; i < n; i++) {
        if (i)
            q[off++] = ' ';
        size_t k = strlen(args[i]);
        memcpy(q + off, args[i], k);
        off += k;
    }
    q[off] = '\0';
    return q;
}

static int
cmd_search(struct run *r)
{
    char *query = join_args(r->o.args, r->o.nargs);
    if (!query)
        return 3;
    jd_results *res;
    jd_status st = jd_search(r->db, query, &r->o.filter, r->o.limit, &res);
    int rc;
    if (st != JD_OK) {
        rc = failed(r, st,
                    st == JD_ERR_QUERY_SYNTAX ? "invalid query"
                                              : "cannot search",
                    query);
    } else {
        cli_search(&r->out, query, res);
        rc = jd_results_count(res) ? 0 : 1;
        jd_results_free(res);
    }
    free(query);
    return rc;
}

static int
match_one(struct run *r, const char *name, const char *text, size_t len,
          bool keywords, bool *found)
{
    struct jd_match_opts mo = {r->o.filter,  r->o.limit, keywords,
                               r->o.explain, r->o.whole, r->o.weights};
    jd_results *res;
    jd_status st = jd_match(r->db, text, len, &mo, &res);
    if (st != JD_OK)
        return failed(r, st, "cannot match", name);
    cli_match(&r->out, name, res);
    *found |= jd_results_count(res) > 0;
    jd_results_free(res);
    return 0;
}

/* A batch line's text (batch.h's batch_match_fn). */
static int
batch_match(void *ctx, const char *name, const char *text, size_t len,
            bool *found, const char **why)
{
    struct run *r = ctx;
    int rc = match_one(r, name, text, len, false, found);
    if (rc == 2)
        *why = jd_db_errmsg(r->db);
    return rc;
}

/* A batch worker's index handle, closed before the worker exits. */
static void
batch_release(void *ctx)
{
    struct run *r = ctx;
    jd_db_free(r->db);
    r->db = NULL;
}

/* One query per JSON line; every line gets one result line. */
static int
match_batch(struct run *r)
{
    struct batch b = {.path = r->o.batch,
                      .jobs = r->o.jobs,
                      .out = &r->out,
                      .match = batch_match,
                      .ctx = r,
                      .release = batch_release,
                      .prog = prog};
    return batch_run(&b);
}

static int
cmd_match(struct run *r)
{
    if (r->o.batch)
        return match_batch(r);
    bool found = false;
    int rc;
    if (r->o.keywords) {
        rc = match_one(r, r->o.keywords, r->o.keywords, strlen(r->o.keywords),
                       true, &found);
    } else {
        size_t len;
        char *text;
        if ((rc = read_text(r->o.args[0], &text, &len)) != 0)
            return rc;
        const char *nul = memchr(text, '\0', len);
        if (nul) {
            fprintf(stderr,
                    "%s: cannot match '%s': binary file (NUL byte at offset "
                    "%zu)\n",
                    prog, r->o.args[0], (size_t)(nul - text));
            free(text);
            return 2;
        }
        rc = match_one(r, r->o.args[0], text, len, false, &found);
        free(text);
    }
    return rc ? rc : found ? 0 : 1;
}

static int
cmd_similar(struct run *r)
{
    jd_results *res;
    jd_status st =
        jd_similar(r->db, r->o.args[0], &r->o.filter, r->o.limit, &res);
    if (st != JD_OK)
        return failed(r, st, "cannot compare", r->o.args[0]);
    cli_similar(&r->out, r->o.args[0], res);
    int rc = jd_results_count(res) ? 0 : 1;
    jd_results_free(res);
    return rc;
}

static int
cmd_show(struct run *r)
{
    jd_spec *s;
    jd_status st = jd_db_get(r->db, r->o.args[0], &s);
    if (st != JD_OK)
        return failed(r, st, "cannot show", r->o.args[0]);
    cli_show(&r->out, s);
    jd_spec_free(s);
    return 0;
}

static int
cmd_stats(struct run *r)
{
    jd_stats *s;
    jd_status st = jd_stats_get(r->db, &s);
    if (st != JD_OK)
        return failed(r, st, "cannot read index", r->o.db);
    cli_stats(&r->out, r->o.db, s);
    jd_stats_free(s);
    return 0;
}

static int
cmd_overlap(struct run *r)
{
    jd_overlap *ov;
    jd_status st = jd_overlap_find(r->db, &r->o.overlap, &ov);
    if (st != JD_OK)
        return failed(r, st, "cannot compare the duties of", r->o.db);
    cli_overlap(&r->out, ov, r->o.across, r->o.overlap.min_similarity,
                r->o.matrix);
    int rc = ov->ngroups || ov->nboilerplate ? 0 : 1;
    jd_overlap_free(ov);
    return rc;
}

static void
print_problem(void *ctx, const char *problem)
{
    (void)ctx;
    printf("%s\n", problem);
}

/* The whole index read for damage: 0 clean, 4 damaged, 3 not checked. */
static int
cmd_check(struct run *r)
{
    struct jd_check_stats cs;
    jd_status st = jd_db_check(r->db, r->o.db, print_problem, NULL, &cs);
    if (st != JD_OK) {
        fprintf(stderr, "%s: cannot check index '%s': %s\n", prog, r->o.db,
                jd_db_errmsg(r->db));
        return 3;
    }
    printf("checked '%s' (generation %lu): %zu databases, %zu records, %zu "
           "items: ",
           r->o.db, cs.generation, cs.databases, cs.records, cs.items);
    if (cs.problems == 0)
        printf("no damage found\n");
    else
        printf("%zu problem%s\n", cs.problems, cs.problems == 1 ? "" : "s");
    return cs.problems ? 4 : 0;
}

int
main(int argc, char **argv)
{
    struct run r;
    memset(&r, 0, sizeof(r));
    parse_args(argc, argv, &r.o);
    r.out.f = stdout;
    r.out.format = r.o.format;
    r.out.explain = r.o.explain;
    r.out.csv_header = true;
    const char *term = getenv("TERM");
    r.out.bold = r.o.color == 1 || (r.o.color == -1 && isatty(STDOUT_FILENO) &&
                                    term && strcmp(term, "dumb") != 0);

    if (jd_db_new(&r.db) != JD_OK) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return 3;
    }
    /* check reads what an open would refuse. */
    jd_status st =
        r.o.cmd == CMD_CHECK ? JD_OK : jd_db_open(r.db, r.o.db, JD_OPEN_READ);
    if (st != JD_OK) {
        fprintf(stderr, "%s: cannot open index '%s': %s\n", prog, r.o.db,
                jd_db_errmsg(r.db));
        jd_db_free(r.db);
        return 3;
    }
    int rc = 3;
    switch (r.o.cmd) {
    case CMD_SEARCH:
        rc = cmd_search(&r);
        break;
    case CMD_MATCH:
        rc = cmd_match(&r);
        break;
    case CMD_SIMILAR:
        rc = cmd_similar(&r);
        break;
    case CMD_SHOW:
        rc = cmd_show(&r);
        break;
    case CMD_STATS:
        rc = cmd_stats(&r);
        break;
    case CMD_OVERLAP:
        rc = cmd_overlap(&r);
        break;
    case CMD_CHECK:
        rc = cmd_check(&r);
        break;
    }
    jd_db_free(r.db);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "%s: write error on standard output: %s\n", prog,
                strerror(errno));
        return 3;
    }
    return rc;
}
