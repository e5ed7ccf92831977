/*
 * gen.c: deterministic generator of synthetic class specs (and of the
 * queries run against them) for the indexing and query benchmarks.
 *
 *   gen --seed S --count N --out DIR [--source DATA]
 *   gen --queries N --seed S --out DIR [--source DATA]
 *   gen --fingerprint --seed S [--source DATA]
 *
 * All text is real: titles, duty sentences, knowledge and ability items,
 * education lines and summaries are drawn from the CalHR class specs and
 * the O*NET database under DATA (default ../shared/data). What is made up
 * is the arrangement: each document takes most of its duties from one
 * occupation, so its vocabulary hangs together the way a real spec's
 * does, and is written in one of four layouts that jobdex's parser reads
 * (a Milwaukie-style city spec, a CalHR markdown spec, a Riverton-style
 * county job description and a St. Louis-style specification).
 *
 * Document I depends only on (seed, I) and the source data, so the 10k
 * corpus is a prefix of the 100k one. Every document gets a class code
 * unique within the run: jobdex derives a record's id from jurisdiction
 * and code, and a repeated id would replace an earlier record.
 *
 * The queries mode writes resumes.jsonl (lines {"id","text"} of about 300
 * words each, for match --batch), resumes/NNNNNN.txt (the same texts, one
 * file each, for one-process-per-query timing), resume-files.txt (their
 * paths) and and-queries.txt (3-term AND searches over common duty
 * words, drawn from one duty sentence so that most have hits).
 *
 * It leaves out anything jobdex would reject (the point is to time
 * indexing, not error paths) and randomness from rand(), whose sequence
 * differs between C libraries.
 */
#include <assert.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PROG "gen"

/* Bumped whenever the output for a given (seed, N) changes, so that
 * bench.sh regenerates a corpus written by an older generator. */
#define GEN_FORMAT 1

/* Per-document item caps; the draws below stay under them. */
#define MAX_DUTIES 24
#define MAX_QUALS  12
#define MAX_EDU    4
#define MAX_EXTRA  40

/* ------------------------------------------------------------------ */
/* Errors and memory                                                   */
/* ------------------------------------------------------------------ */

static void
die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs(PROG ": ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(3);
}

static void *
xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        die("out of memory");
    return q;
}

static char *
xstrndup(const char *s, size_t n)
{
    char *d = xrealloc(NULL, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* ------------------------------------------------------------------ */
/* Random numbers: splitmix64, the same on every platform              */
/* ------------------------------------------------------------------ */

static uint64_t
rng_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A uniform value in [0, n); the bias of the multiply-shift is far
 * below anything a benchmark could notice. */
static size_t
rng_below(uint64_t *state, size_t n)
{
    if (n == 0)
        return 0;
    return (size_t)(((rng_next(state) >> 32) * (uint64_t)n) >> 32);
}

static size_t
rng_range(uint64_t *state, size_t lo, size_t hi)
{
    return lo + rng_below(state, hi - lo + 1);
}

static bool
rng_percent(uint64_t *state, unsigned percent)
{
    return rng_below(state, 100) < percent;
}

/* Independent streams per document: mixing (seed, stream, i) through one
 * splitmix step decorrelates neighbouring documents. */
static uint64_t
rng_for(uint64_t seed, uint64_t stream, uint64_t i)
{
    uint64_t s = seed ^ (stream * 0xd1b54a32d192ed03ULL);
    s += i * 0x9e3779b97f4a7c15ULL;
    (void)rng_next(&s);
    return s;
}

/* ------------------------------------------------------------------ */
/* Growable byte buffer                                                */
/* ------------------------------------------------------------------ */

struct buf {
    char *p;
    size_t len; /* bytes, excluding the NUL kept after them */
    size_t cap;
};

static void
buf_grow(struct buf *b, size_t more)
{
    if (b->len + more + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more + 1)
        cap *= 2;
    b->p = xrealloc(b->p, cap);
    b->cap = cap;
}

static void
buf_putn(struct buf *b, const char *s, size_t n)
{
    buf_grow(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void
buf_puts(struct buf *b, const char *s)
{
    buf_putn(b, s, strlen(s));
}

static void
buf_putc(struct buf *b, char c)
{
    buf_putn(b, &c, 1);
}

static void
buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        die("cannot format output");
    buf_grow(b, (size_t)n);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    b->len += (size_t)n;
}

/* ------------------------------------------------------------------ */
/* Source text                                                         */
/* ------------------------------------------------------------------ */

struct strvec {
    char **v;
    size_t n, cap;
};

static void
strvec_push(struct strvec *sv, char *s)
{
    if (sv->n == sv->cap) {
        sv->cap = sv->cap ? sv->cap * 2 : 256;
        sv->v = xrealloc(sv->v, sv->cap * sizeof(*sv->v));
    }
    sv->v[sv->n++] = s;
}

/* One occupation or class: a coherent set of titles, duties and
 * qualifications. Ranges are [lo, hi) into the global pools. */
struct group {
    char code[16]; /* O*NET-SOC code, for joining the O*NET files */
    const char *summary;
    size_t t0, t1, d0, d1, k0, k1, a0, a1;
};

struct source {
    struct strvec titles, duties, knowledge, abilities, education, summaries,
        conditions, paragraphs;
    struct group *groups;
    size_t ngroups, capgroups;
    /* The O*NET groups sit after the CalHR ones, sorted by code as the
     * O*NET files are, so they can be found with bsearch(). */
    size_t onet_first;
};

static struct group *
group_new(struct source *src)
{
    if (src->ngroups == src->capgroups) {
        src->capgroups = src->capgroups ? src->capgroups * 2 : 1024;
        src->groups =
            xrealloc(src->groups, src->capgroups * sizeof(*src->groups));
    }
    struct group *g = &src->groups[src->ngroups++];
    memset(g, 0, sizeof(*g));
    g->t0 = g->t1 = src->titles.n;
    g->d0 = g->d1 = src->duties.n;
    g->k0 = g->k1 = src->knowledge.n;
    g->a0 = g->a1 = src->abilities.n;
    return g;
}

static char *
read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die("cannot open '%s': %s", path, strerror(errno));
    struct buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_putn(&b, chunk, n);
    if (ferror(f))
        die("cannot read '%s': %s", path, strerror(errno));
    fclose(f);
    if (!b.p) {
        buf_grow(&b, 0); /* an empty file is still a string */
        b.p[0] = '\0';
    }
    *len = b.len;
    return b.p;
}

static bool
starts_with(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(s, prefix, n) == 0;
}

static bool
ends_with(const char *s, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

/* The first NEEDLE within S[0..LEN), or NULL: lines are not strings. */
static const char *
find_in(const char *s, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(s + i, needle, n) == 0)
            return s + i;
    return NULL;
}

/* Trim an item the way it would be printed in a list: no surrounding
 * blanks, no leading "and"/"or" left by a ';' split, no final full stop
 * (the layouts add their own punctuation), first letter capitalised.
 * Returns NULL when what is left is too short or too long to be a
 * plausible item. */
/* A blank at either end of an item: ASCII white space or U+00A0, which
 * the CalHR pages use between words now and then. */
static size_t
lead_blank(const char *s, size_t len)
{
    if (len >= 1 && isspace((unsigned char)s[0]))
        return 1;
    if (len >= 2 && (unsigned char)s[0] == 0xc2 && (unsigned char)s[1] == 0xa0)
        return 2;
    return 0;
}

static size_t
trail_blank(const char *s, size_t len)
{
    if (len >= 1 && (isspace((unsigned char)s[len - 1]) || s[len - 1] == '.' ||
                     s[len - 1] == ';'))
        return 1;
    if (len >= 2 && (unsigned char)s[len - 2] == 0xc2 &&
        (unsigned char)s[len - 1] == 0xa0)
        return 2;
    return 0;
}

static char *
clean_item(const char *s, size_t len, size_t min, size_t max)
{
    size_t k;
    while ((k = lead_blank(s, len)) > 0)
        s += k, len -= k;
    while ((k = trail_blank(s, len)) > 0)
        len -= k;
    static const char *const leads[] = {"and/or ", "and ", "or ", "e.g. "};
    for (size_t i = 0; i < sizeof(leads) / sizeof(leads[0]); i++) {
        if (starts_with(s, len, leads[i])) {
            s += strlen(leads[i]);
            len -= strlen(leads[i]);
            break;
        }
    }
    static const char *const tails[] = {" and", " or", " andExperience"};
    for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
        if (ends_with(s, len, tails[i])) {
            len -= strlen(tails[i]);
            break;
        }
    }
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == ','))
        len--;
    if (len < min || len > max)
        return NULL;
    char *d = xstrndup(s, len);
    d[0] = (char)toupper((unsigned char)d[0]);
    return d;
}

/* Split S at ';' and push each plausible piece onto SV. */
static void
push_split(struct strvec *sv, const char *s, size_t len, size_t min, size_t max)
{
    const char *end = s + len;
    while (s < end) {
        const char *semi = memchr(s, ';', (size_t)(end - s));
        const char *stop = semi ? semi : end;
        char *item = clean_item(s, (size_t)(stop - s), min, max);
        if (item && !strstr(item, "ll of the above"))
            strvec_push(sv, item);
        else
            free(item);
        s = semi ? semi + 1 : end;
    }
}

/* A few CalHR pages carry qualification text or enumerations in their
 * task paragraph: "Experience: Five years ...", "(2) uniform education
 * ...". Such pieces are not duties, so they stay out of the pool. */
static bool
is_duty_like(const char *item)
{
    const char *colon = strchr(item, ':');
    return item[0] != '(' && (!colon || colon - item > 25);
}

static void
push_duties(struct source *src, const char *s, size_t len)
{
    size_t first = src->duties.n;
    push_split(&src->duties, s, len, 20, 400);
    size_t o = first;
    for (size_t i = first; i < src->duties.n; i++) {
        if (is_duty_like(src->duties.v[i]))
            src->duties.v[o++] = src->duties.v[i];
        else
            free(src->duties.v[i]);
    }
    src->duties.n = o;
}

enum calhr_sec { CS_OTHER, CS_DEFINITION, CS_TASKS, CS_MINQUALS, CS_PERSONAL };

static enum calhr_sec
calhr_section(const char *h, size_t len)
{
    if (starts_with(h, len, "Definition") && !find_in(h, len, "Levels"))
        return CS_DEFINITION;
    if (starts_with(h, len, "Typical Tasks"))
        return CS_TASKS;
    if (starts_with(h, len, "Minimum Qualifications"))
        return CS_MINQUALS;
    if (starts_with(h, len, "Special Personal") ||
        starts_with(h, len, "Special Physical"))
        return CS_PERSONAL;
    return CS_OTHER;
}

/* One line of a CalHR spec, given the section it sits in. */
static void
calhr_line(struct source *src, struct group *g, enum calhr_sec sec,
           const char *s, size_t len)
{
    if (starts_with(s, len, "Knowledge of:")) {
        /* Some pages run "Ability to:" on in the same line. */
        const char *ab = find_in(s, len, "Ability to:");
        size_t klen = ab ? (size_t)(ab - s) : len;
        push_split(&src->knowledge, s + 13, klen - 13, 12, 300);
        if (klen < len)
            push_split(&src->abilities, ab + 11, len - klen - 11, 12, 300);
        return;
    }
    if (starts_with(s, len, "Ability to:")) {
        push_split(&src->abilities, s + 11, len - 11, 12, 300);
        return;
    }
    char *item;
    switch (sec) {
    case CS_DEFINITION:
        if (!g->summary && (item = clean_item(s, len, 60, 1500))) {
            strvec_push(&src->summaries, item);
            g->summary = item;
        }
        break;
    case CS_TASKS:
        push_duties(src, s, len);
        break;
    case CS_MINQUALS:
        if (s[0] != '(' && (item = clean_item(s, len, 40, 500)))
            strvec_push(&src->education, item);
        break;
    case CS_PERSONAL:
        if ((item = clean_item(s, len, 20, 400)))
            strvec_push(&src->conditions, item);
        break;
    case CS_OTHER:
        /* Scope, job characteristics, level definitions: the long
         * explanatory text that makes some specs several times the
         * median size. */
        if (s[0] != '(' && (item = clean_item(s, len, 200, 3000)))
            strvec_push(&src->paragraphs, item);
        break;
    }
}

/* A CalHR spec becomes one group. A series spec's "# ... Series"
 * heading is not a class title, so such a group borrows a random one. */
static void
load_calhr_file(struct source *src, const char *path)
{
    size_t len;
    char *text = read_file(path, &len);
    struct group *g = group_new(src);
    enum calhr_sec sec = CS_OTHER;
    bool have_title = false;
    for (char *line = text, *next; line < text + len; line = next) {
        char *nl = memchr(line, '\n', (size_t)(text + len - line));
        next = nl ? nl + 1 : text + len;
        size_t n = (size_t)((nl ? nl : text + len) - line);
        while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' '))
            n--;
        if (n == 0)
            continue;
        if (starts_with(line, n, "# ") && !have_title) {
            have_title = true;
            char *t = clean_item(line + 2, n - 2, 3, 80);
            if (t && !strstr(t, "Series"))
                strvec_push(&src->titles, t);
            else
                free(t);
        } else if (starts_with(line, n, "## ")) {
            sec = calhr_section(line + 3, n - 3);
        } else if (line[0] != '#' && line[0] != '|') {
            calhr_line(src, g, sec, line, n);
        }
    }
    g->t1 = src->titles.n;
    g->d1 = src->duties.n;
    g->k1 = src->knowledge.n;
    g->a1 = src->abilities.n;
    free(text);
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read the CalHR specs in name order: readdir's order depends on the
 * file system, and the output must not. */
static void
load_calhr(struct source *src, const char *data)
{
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/calhr-class-specs/specs", data);
    DIR *d = opendir(dir);
    if (!d)
        die("cannot open '%s': %s", dir, strerror(errno));
    struct strvec names = {0};
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (e->d_name[0] != '.' && ends_with(e->d_name, n, ".txt"))
            strvec_push(&names, xstrndup(e->d_name, n));
    }
    closedir(d);
    if (names.n == 0)
        die("no *.txt specs in '%s'", dir);
    qsort(names.v, names.n, sizeof(*names.v), cmp_str);
    for (size_t i = 0; i < names.n; i++) {
        char path[8192];
        snprintf(path, sizeof(path), "%s/%s", dir, names.v[i]);
        load_calhr_file(src, path);
        free(names.v[i]);
    }
    free(names.v);
}

/* Tab-separated O*NET file: the index of column NAME in the header. */
static int
tsv_column(const char *header, size_t len, const char *name, const char *path)
{
    int col = 0;
    const char *s = header, *end = header + len;
    while (s <= end) {
        const char *tab = memchr(s, '\t', (size_t)(end - s));
        const char *stop = tab ? tab : end;
        if ((size_t)(stop - s) == strlen(name) &&
            memcmp(s, name, (size_t)(stop - s)) == 0)
            return col;
        col++;
        if (!tab)
            break;
        s = tab + 1;
    }
    die("'%s': no column '%s'", path, name);
    return -1;
}

/* Field COL of a tab-separated LINE as (ptr, len); false if missing. */
static bool
tsv_field(const char *line, size_t len, int col, const char **out,
          size_t *outlen)
{
    const char *s = line, *end = line + len;
    for (int i = 0; i < col; i++) {
        const char *tab = memchr(s, '\t', (size_t)(end - s));
        if (!tab)
            return false;
        s = tab + 1;
    }
    const char *tab = memchr(s, '\t', (size_t)(end - s));
    *out = s;
    *outlen = (size_t)((tab ? tab : end) - s);
    return true;
}

typedef void (*row_fn)(struct source *src, const char **f, const size_t *fl);

/* Call FN for each data row of an O*NET file with the fields NAMES. */
static void
each_onet_row(struct source *src, const char *data, const char *file,
              const char *const *names, size_t nnames, row_fn fn)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/onet-29.3/%s", data, file);
    size_t len;
    char *text = read_file(path, &len);
    int cols[4];
    const char *f[4];
    size_t fl[4];
    bool header = true;
    assert(nnames <= sizeof(cols) / sizeof(cols[0]));
    for (char *line = text, *next; line < text + len; line = next) {
        char *nl = memchr(line, '\n', (size_t)(text + len - line));
        next = nl ? nl + 1 : text + len;
        size_t n = (size_t)((nl ? nl : text + len) - line);
        if (n > 0 && line[n - 1] == '\r')
            n--;
        if (header) {
            for (size_t i = 0; i < nnames; i++)
                cols[i] = tsv_column(line, n, names[i], path);
            header = false;
            continue;
        }
        bool ok = true;
        for (size_t i = 0; i < nnames && ok; i++)
            ok = tsv_field(line, n, cols[i], &f[i], &fl[i]);
        if (ok)
            fn(src, f, fl);
    }
    free(text);
}

static int
cmp_group_code(const void *key, const void *elem)
{
    return strcmp((const char *)key, ((const struct group *)elem)->code);
}

static struct group *
onet_group(struct source *src, const char *code, size_t len)
{
    char key[16];
    if (len >= sizeof(key))
        return NULL;
    memcpy(key, code, len);
    key[len] = '\0';
    return bsearch(key, src->groups + src->onet_first,
                   src->ngroups - src->onet_first, sizeof(struct group),
                   cmp_group_code);
}

static void
occupation_row(struct source *src, const char **f, const size_t *fl)
{
    struct group *g = group_new(src);
    if (fl[0] >= sizeof(g->code))
        return;
    memcpy(g->code, f[0], fl[0]);
    g->code[fl[0]] = '\0';
    /* Some descriptions are one short sentence: "Operate machines to
     * build tires." */
    char *summary = clean_item(f[1], fl[1], 20, 2000);
    if (summary) {
        strvec_push(&src->summaries, summary);
        g->summary = summary;
    }
}

/* Rows of one code are contiguous in the file, so each group's items
 * are a contiguous run of the pool; a row that would break the run
 * (the files are sorted, so none should) is left out of the group. */
static void
task_row(struct source *src, const char **f, const size_t *fl)
{
    struct group *g = onet_group(src, f[0], fl[0]);
    char *task = clean_item(f[1], fl[1], 20, 400);
    if (!task)
        return;
    if (g && g->d0 == g->d1)
        g->d0 = g->d1 = src->duties.n;
    strvec_push(&src->duties, task);
    if (g && g->d1 == src->duties.n - 1)
        g->d1 = src->duties.n;
}

static void
alt_title_row(struct source *src, const char **f, const size_t *fl)
{
    struct group *g = onet_group(src, f[0], fl[0]);
    char *title = clean_item(f[1], fl[1], 3, 60);
    if (!title)
        return;
    if (g && g->t0 == g->t1)
        g->t0 = g->t1 = src->titles.n;
    strvec_push(&src->titles, title);
    if (g && g->t1 == src->titles.n - 1)
        g->t1 = src->titles.n;
}

static void
load_onet(struct source *src, const char *data)
{
    static const char *const occ[] = {"O*NET-SOC Code", "Description"};
    static const char *const task[] = {"O*NET-SOC Code", "Task"};
    static const char *const alt[] = {"O*NET-SOC Code", "Alternate Title"};
    src->onet_first = src->ngroups;
    each_onet_row(src, data, "Occupation Data.txt", occ, 2, occupation_row);
    each_onet_row(src, data, "Task Statements.txt", task, 2, task_row);
    each_onet_row(src, data, "Alternate Titles.tsv", alt, 2, alt_title_row);
}

/* Groups with too few duties to carry a document are dropped, so that
 * drawing a group never needs a retry loop. */
static void
drop_thin_groups(struct source *src)
{
    size_t o = 0;
    for (size_t i = 0; i < src->ngroups; i++)
        if (src->groups[i].d1 - src->groups[i].d0 >= 4)
            src->groups[o++] = src->groups[i];
    src->ngroups = o;
}

static void
load_source(struct source *src, const char *data)
{
    load_calhr(src, data);
    load_onet(src, data);
    drop_thin_groups(src);
    struct {
        const char *what;
        size_t n, min;
    } need[] = {
        {"titles", src->titles.n, 50},
        {"duty sentences", src->duties.n, 500},
        {"knowledge items", src->knowledge.n, 100},
        {"ability items", src->abilities.n, 100},
        {"education lines", src->education.n, 20},
        {"summaries", src->summaries.n, 50},
        {"conditions", src->conditions.n, 10},
        {"paragraphs", src->paragraphs.n, 50},
        {"occupations", src->ngroups, 50},
    };
    for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
        if (need[i].n < need[i].min)
            die("'%s': only %zu %s, expected at least %zu", data, need[i].n,
                need[i].what, need[i].min);
}

/* ------------------------------------------------------------------ */
/* Made-up employers and fields                                        */
/* ------------------------------------------------------------------ */

static const char *const places[] = {
    "Riverton",     "Harbor Point",  "Cedar Falls",   "Maple Grove",
    "Oakdale",      "Fairhaven",     "Brookside",     "Pine Bluff",
    "Elmwood",      "Stonebridge",   "Clearwater",    "Millbrook",
    "Westfield",    "Silver Lake",   "Ashford",       "Bellmont",
    "Granite City", "Lakeview",      "Northgate",     "Red Rock",
    "Springvale",   "Willow Creek",  "Kingsport",     "Fox Hollow",
    "Hillcrest",    "Bayshore",      "Copper Ridge",  "Eastlake",
    "Glenwood",     "Iron Mountain", "Juniper",       "Larkspur",
    "Meadowbrook",  "New Salem",     "Port Aldridge", "Quarry Hill",
    "Sandpoint",    "Tamarack",      "Union Gap",     "Vista Verde",
};

static const char *const states[] = {
    "Cascadia", "Lakeland", "Jefferson", "Superior",
    "Sequoyah", "Franklin", "Deseret",   "Westmoreland",
};

static const char *const departments[] = {
    "City Manager's Office",
    "Finance",
    "Public Works",
    "Human Resources",
    "Information Technology",
    "Parks and Recreation",
    "Police",
    "Fire",
    "Community Development",
    "Library",
    "Utilities",
    "Planning",
    "Transportation",
    "Public Health",
    "Water Resources",
    "Administrative Services",
    "Housing",
    "Economic Development",
    "Emergency Management",
    "Facilities",
};

static const char *const unions[] = {
    "AFSCME", "Non-represented", "Teamsters Local 117", "IAFF", "SEIU",
};

static const char *const levels[] = {
    " I",    " II",          " III",       " IV",        "Senior ",
    "Lead ", "Supervising ", "Assistant ", "Principal ",
};

/* ------------------------------------------------------------------ */
/* One document                                                        */
/* ------------------------------------------------------------------ */

enum layout { L_CITY, L_CALHR, L_COUNTY, L_STLOUIS, L_COUNT };

struct doc {
    enum layout layout;
    bool pdf; /* PDF-extraction spacing: " \n\n" after wrapped lines */
    char title[128];
    char code[16];
    const char *place, *state, *dept, *union_name, *flsa, *boss;
    unsigned grade, adopted_m, adopted_y, revised_m, revised_y;
    const char *summary;
    const char *extra[MAX_EXTRA]; /* explanatory paragraphs */
    size_t nextra;
    const char *duties[MAX_DUTIES];
    size_t nduties;
    const char *know[MAX_QUALS], *abil[MAX_QUALS], *edu[MAX_EDU];
    size_t nknow, nabil, nedu;
    const char *condition;
};

static const char *
pick(uint64_t *r, const struct strvec *sv)
{
    return sv->v[rng_below(r, sv->n)];
}

/* Fill OUT with K items: most from [lo, hi) of SV in random order, the
 * rest (and any shortfall) from all of SV. */
static size_t
pick_items(uint64_t *r, const struct strvec *sv, size_t lo, size_t hi, size_t k,
           unsigned own_percent, const char **out)
{
    size_t m = hi - lo, own = k * own_percent / 100, n = 0;
    size_t idx[256];
    if (m > sizeof(idx) / sizeof(idx[0]))
        m = sizeof(idx) / sizeof(idx[0]);
    for (size_t i = 0; i < m; i++)
        idx[i] = lo + i;
    for (size_t i = 0; i < m && n < own; i++) {
        size_t j = i + rng_below(r, m - i);
        size_t t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
        out[n++] = sv->v[idx[i]];
    }
    while (n < k)
        out[n++] = pick(r, sv);
    return n;
}

/* Duties count: most specs list 8 to 14, a few list up to 20. */
static size_t
duty_count(uint64_t *r)
{
    size_t n = 6 + rng_below(r, 6) + rng_below(r, 6);
    if (rng_percent(r, 15))
        n += rng_below(r, 5);
    return n > 20 ? 20 : n;
}

static void
doc_title(uint64_t *r, const struct source *src, const struct group *g,
          struct doc *d)
{
    const char *base = g->t1 > g->t0
                           ? src->titles.v[g->t0 + rng_below(r, g->t1 - g->t0)]
                           : pick(r, &src->titles);
    const char *lv =
        rng_percent(r, 40)
            ? levels[rng_below(r, sizeof(levels) / sizeof(levels[0]))]
            : "";
    if (lv[0] == ' ')
        snprintf(d->title, sizeof(d->title), "%s%s", base, lv);
    else
        snprintf(d->title, sizeof(d->title), "%s%s", lv, base);
}

/* A class code unique for I < 9,000,000: an affine bijection of I, so
 * that codes do not simply count up with the file names. */
static void
doc_code(uint64_t seed, size_t i, struct doc *d)
{
    uint64_t m = 9000000, a = 7368787; /* a is coprime to m */
    uint64_t c = 1000000 + ((uint64_t)i * a + seed % m) % m;
    snprintf(d->code, sizeof(d->code), "%llu", (unsigned long long)c);
}

static void
doc_make(const struct source *src, uint64_t seed, size_t i, struct doc *d)
{
    uint64_t r = rng_for(seed, 1, i);
    memset(d, 0, sizeof(*d));
    unsigned lay = (unsigned)rng_below(&r, 100);
    d->layout = lay < 35   ? L_CITY
                : lay < 65 ? L_CALHR
                : lay < 85 ? L_COUNTY
                           : L_STLOUIS;
    d->pdf = rng_percent(&r, 50);
    const struct group *g = &src->groups[rng_below(&r, src->ngroups)];
    doc_title(&r, src, g, d);
    doc_code(seed, i, d);
    d->place = places[rng_below(&r, sizeof(places) / sizeof(places[0]))];
    d->state = states[rng_below(&r, sizeof(states) / sizeof(states[0]))];
    d->dept = departments[rng_below(&r, sizeof(departments) /
                                            sizeof(departments[0]))];
    d->union_name = unions[rng_below(&r, sizeof(unions) / sizeof(unions[0]))];
    d->flsa = rng_percent(&r, 45) ? "Exempt" : "Nonexempt";
    d->boss = pick(&r, &src->titles);
    d->grade = (unsigned)rng_range(&r, 10, 90);
    d->adopted_m = (unsigned)rng_range(&r, 1, 12);
    d->adopted_y = (unsigned)rng_range(&r, 1975, 2015);
    d->revised_m = (unsigned)rng_range(&r, 1, 12);
    d->revised_y = (unsigned)rng_range(&r, d->adopted_y, 2024);
    d->summary = g->summary ? g->summary : pick(&r, &src->summaries);
    d->nduties = pick_items(&r, &src->duties, g->d0, g->d1, duty_count(&r), 75,
                            d->duties);
    d->nknow = pick_items(&r, &src->knowledge, g->k0, g->k1,
                          rng_range(&r, 3, 10), 80, d->know);
    d->nabil = pick_items(&r, &src->abilities, g->a0, g->a1,
                          rng_range(&r, 4, 10), 80, d->abil);
    d->nedu = rng_range(&r, 1, 3);
    for (size_t k = 0; k < d->nedu; k++)
        d->edu[k] = pick(&r, &src->education);
    d->condition = pick(&r, &src->conditions);
}

/* ------------------------------------------------------------------ */
/* Writing text                                                        */
/* ------------------------------------------------------------------ */

/* End a line: a PDF extraction leaves a trailing blank and an empty
 * line after each printed line; a clean text file does not. */
static void
eol(struct buf *b, bool pdf)
{
    buf_puts(b, pdf ? " \n\n" : "\n");
}

/* Write TEXT (plus SUFFIX) wrapped at WIDTH columns, the first line
 * after FIRST and the others after CONT. Column counts are bytes, which
 * is close enough for text that is almost all ASCII. */
static void
put_wrapped(struct buf *b, const char *first, const char *cont,
            const char *text, const char *suffix, size_t width, bool pdf)
{
    size_t col = strlen(first);
    buf_puts(b, first);
    bool line_empty = true;
    const char *s = text;
    while (*s) {
        const char *w = s;
        while (*s && *s != ' ')
            s++;
        size_t wl = (size_t)(s - w);
        if (!line_empty && col + 1 + wl > width) {
            eol(b, pdf);
            buf_puts(b, cont);
            col = strlen(cont);
            line_empty = true;
        }
        if (!line_empty) {
            buf_putc(b, ' ');
            col++;
        }
        buf_putn(b, w, wl);
        col += wl;
        line_empty = false;
        while (*s == ' ')
            s++;
    }
    buf_puts(b, suffix);
    eol(b, pdf);
}

static void
put_upper(struct buf *b, const char *s)
{
    for (; *s; s++)
        buf_putc(b, (char)toupper((unsigned char)*s));
}

/* "a; b; and c." as CalHR writes lists inside one paragraph. */
static void
put_semicolon_list(struct buf *b, const char *const *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *s = items[i];
        if (i > 0) {
            buf_puts(b, i + 1 == n ? "; and " : "; ");
            /* Lower-case the first letter unless it starts an acronym. */
            if (isupper((unsigned char)s[0]) && !isupper((unsigned char)s[1])) {
                buf_putc(b, (char)tolower((unsigned char)s[0]));
                s++;
            }
        }
        buf_puts(b, s);
    }
    buf_puts(b, ".\n");
}

static void
write_city(const struct doc *d, struct buf *b)
{
    bool p = d->pdf;
    buf_puts(b, "\n");
    buf_puts(b, "CITY OF ");
    put_upper(b, d->place);
    eol(b, p);
    buf_puts(b, "CLASSIFICATION:  ");
    put_upper(b, d->title);
    eol(b, p);
    buf_printf(b, "Department: %s", d->dept);
    eol(b, p);
    buf_printf(b, "Class Code: %s", d->code);
    eol(b, p);
    buf_printf(b, "FLSA Status:  %s", d->flsa);
    eol(b, p);
    buf_printf(b, "Pay Grade: %u", d->grade);
    eol(b, p);
    buf_printf(b, "Union Representation: %s", d->union_name);
    eol(b, p);
    buf_puts(b, " \n");
    buf_puts(b, "CLASSIFICATION SUMMARY:");
    eol(b, p);
    put_wrapped(b, "", "", d->summary, ".", 100, p);
    for (size_t k = 0; k < d->nextra; k++)
        put_wrapped(b, "", "", d->extra[k], ".", 100, p);
    buf_puts(b, " \n");
    buf_puts(b, "ESSENTIAL DUTIES AND RESPONSIBILITIES:");
    eol(b, p);
    put_wrapped(b, "", "",
                "(Tasks listed are intended to be descriptive and not "
                "restrictive. An employee in this classification may perform "
                "any of the tasks listed; however, these examples do not "
                "include all the tasks which an employee may be expected to "
                "perform.)",
                "", 100, p);
    buf_puts(b, " \n");
    for (size_t k = 0; k < d->nduties; k++) {
        char num[16];
        snprintf(num, sizeof(num), k < 9 ? "%zu.  " : "%zu. ", k + 1);
        put_wrapped(b, num, "", d->duties[k], ".", 90, p);
    }
    buf_printf(b, "%zu. Performs other duties as required.", d->nduties + 1);
    eol(b, p);
    buf_puts(b, " MINIMUM QUALIFICATIONS:");
    eol(b, p);
    buf_puts(b, " \n");
    buf_puts(b, "Knowledge of:");
    eol(b, p);
    for (size_t k = 0; k < d->nknow; k++)
        put_wrapped(b, "\u2022 ", "", d->know[k], "", 100, p);
    buf_puts(b, " \n");
    buf_puts(b, "Skills and Abilities to:");
    eol(b, p);
    for (size_t k = 0; k < d->nabil; k++)
        put_wrapped(b, "\u2022 ", "", d->abil[k], ".", 100, p);
    buf_puts(b, " \n");
    buf_puts(b, "Required Education, Training and Experience");
    eol(b, p);
    put_wrapped(b, "", "",
                "(Any combination of education and experience that has "
                "provided the knowledge, skills and abilities to perform the "
                "essential duties of this position. Other equivalent "
                "combinations of education, training and experience will be "
                "considered.)",
                "", 100, p);
    for (size_t k = 0; k < d->nedu; k++)
        put_wrapped(b, "\u2022  ", "", d->edu[k], ".", 100, p);
    buf_puts(b, " \n");
    buf_puts(b, "SUPPLEMENTAL INFORMATION:");
    eol(b, p);
    buf_puts(b, "Supervision:");
    eol(b, p);
    buf_printf(b,
               "\u2022 Operates under the general direction and supervision "
               "of the %s.",
               d->boss);
    eol(b, p);
    buf_puts(b, "Working Conditions:");
    eol(b, p);
    put_wrapped(b, "\u2022 ", "", d->condition, ".", 100, p);
    buf_puts(b, " \n");
    buf_puts(b, "Classification History:");
    eol(b, p);
    buf_printf(b, "Adopted:  %u/%u", d->adopted_m, d->adopted_y);
    eol(b, p);
    buf_printf(b, "Revised:  %u/%u", d->revised_m, d->revised_y);
    eol(b, p);
}

static void
write_calhr(const struct doc *d, struct buf *b)
{
    if (d->pdf)
        buf_printf(b,
                   "Source-URL: http://example.invalid/state-hr/Pages/%s.aspx"
                   "\n\n",
                   d->code);
    buf_printf(b, "# %s\n", d->title);
    buf_printf(b, "## %s State Personnel Board Specification\n", d->state);
    buf_printf(b, "Schematic Code: %c%c%02u\n", 'A' + (int)(d->grade % 26),
               'A' + (int)(d->grade * 7 % 26), d->grade);
    buf_printf(b, "Class Code: %s\n", d->code);
    buf_printf(b, "Established: %02u/01/%u\n", d->adopted_m, d->adopted_y);
    buf_printf(b, "Revised: %02u/15/%u\n", d->revised_m, d->revised_y);
    buf_puts(b, "Title Changed: --\n");
    buf_puts(b, "## Definition\n");
    buf_printf(b, "%s.\n", d->summary);
    if (d->nextra > 0) {
        buf_puts(b, "## Distinguishing Characteristics\n");
        for (size_t k = 0; k < d->nextra; k++)
            buf_printf(b, "%s.\n", d->extra[k]);
    }
    buf_puts(b, "## Typical Tasks\n");
    put_semicolon_list(b, d->duties, d->nduties);
    buf_puts(b, "## Minimum Qualifications\n");
    for (size_t k = 0; k < d->nedu; k++)
        buf_printf(b, "%s.\n", d->edu[k]);
    buf_puts(b, "## Knowledge and Abilities\n");
    buf_puts(b, "Knowledge of: ");
    put_semicolon_list(b, d->know, d->nknow);
    buf_puts(b, "Ability to: ");
    put_semicolon_list(b, d->abil, d->nabil);
    buf_puts(b, "## Special Personal Characteristics\n");
    buf_printf(b, "%s.\n", d->condition);
}

/* A running footer as PDF text extraction leaves it between pages. */
static void
county_footer(const struct doc *d, struct buf *b, unsigned page)
{
    char left[256];
    snprintf(left, sizeof(left), "%s - %s", d->place, d->title);
    buf_printf(b, "%-66s Page %u of 2\n\n", left, page);
}

static void
write_county(const struct doc *d, struct buf *b)
{
    buf_puts(b, "COUNTY OF ");
    put_upper(b, d->place);
    buf_puts(b, "\nJOB DESCRIPTION\n\n");
    char left[256];
    snprintf(left, sizeof(left), "Title: %s", d->title);
    buf_printf(b, "%-45s Job Code: %s\n", left, d->code);
    snprintf(left, sizeof(left), "Department: %s", d->dept);
    buf_printf(b, "%-45s FLSA: %s\n", left, d->flsa);
    unsigned lo = 30000 + d->grade * 1000;
    buf_printf(b, "Salary Range: $%u,%03u - $%u,%03u\n\n", lo / 1000, lo % 1000,
               (lo * 13 / 10) / 1000, (lo * 13 / 10) % 1000);
    buf_puts(b, "PURPOSE OF CLASSIFICATION\n");
    put_wrapped(b, "", "", d->summary, ".", 78, false);
    for (size_t k = 0; k < d->nextra; k++)
        put_wrapped(b, "", "", d->extra[k], ".", 78, false);
    buf_puts(b, "\nESSENTIAL FUNCTIONS\n");
    buf_puts(b, "(The following functions are typical; the list is not "
                "intended to be an exhaustive list.)\n");
    for (size_t k = 0; k < d->nduties; k++) {
        put_wrapped(b, "\u2022  ", "   ", d->duties[k], ".", 76, false);
        if (k + 1 == d->nduties / 2)
            county_footer(d, b, 1);
    }
    buf_puts(b, "\u2022  Performs other duties as assigned.\n\n");
    buf_puts(b, "MINIMUM QUALIFICATIONS\nEducation and Experience:\n");
    for (size_t k = 0; k < d->nedu; k++)
        put_wrapped(b, "", "", d->edu[k], ".", 78, false);
    if (d->grade % 3 == 0)
        buf_puts(b, "Licenses and Certifications:\n"
                    "Possession of a valid driver's license.\n");
    buf_puts(b, "Knowledge of:\n");
    for (size_t k = 0; k < d->nknow; k++)
        put_wrapped(b, "-  ", "   ", d->know[k], ".", 78, false);
    buf_puts(b, "Ability to:\n");
    for (size_t k = 0; k < d->nabil; k++)
        put_wrapped(b, "-  ", "   ", d->abil[k], ".", 78, false);
    buf_puts(b, "\nWORKING CONDITIONS\n");
    put_wrapped(b, "", "", d->condition, ".", 78, false);
    county_footer(d, b, 2);
}

static void
write_stlouis(const struct doc *d, struct buf *b)
{
    buf_puts(b, "\n\nCITY OF ");
    put_upper(b, d->place);
    buf_puts(b, " CLASSIFICATION SPECIFICATION\n\nCLASSIFICATION\n\n");
    buf_printf(b, "TITLE: %s\n\nCLASS CODE: %s\n\n", d->title, d->code);
    buf_printf(b, "GENERAL DESCRIPTION OF DUTIES:\n\n%s.\n\n", d->summary);
    if (d->nextra > 0) {
        buf_puts(b, "DISTINGUISHING CHARACTERISTICS:\n\n");
        for (size_t k = 0; k < d->nextra; k++)
            buf_printf(b, "%s.\n\n", d->extra[k]);
    }
    buf_puts(b, "EXAMPLES OF WORK (illustrative Only):\n\n");
    buf_puts(b, "(The list of duties is intended to be representative of the "
                "duties performed in positions within this classification. It "
                "does not include all the duties that may be assigned to a "
                "position.)\n\n");
    for (size_t k = 0; k < d->nduties; k++)
        buf_printf(b, "%s.\n\n", d->duties[k]);
    buf_puts(b, "Performs other related duties incidental to the work "
                "described herein.\n\n");
    buf_puts(b, "KNOWLEDGE, SKILLS AND ABILITIES:\n\n");
    buf_puts(b, "Knowledge of: ");
    put_semicolon_list(b, d->know, d->nknow);
    buf_puts(b, "\nAbility to: ");
    put_semicolon_list(b, d->abil, d->nabil);
    buf_puts(b, "\nMINIMUM EXPERIENCE AND TRAINING REQUIREMENTS:\n\n");
    for (size_t k = 0; k < d->nedu; k++)
        buf_printf(b, "%s.\n\n", d->edu[k]);
    buf_puts(b, "WORKING CONDITIONS:\n\n");
    buf_printf(b, "%s.\n", d->condition);
}

static void
write_doc(const struct doc *d, struct buf *b)
{
    switch (d->layout) {
    case L_CITY:
        write_city(d, b);
        break;
    case L_CALHR:
        write_calhr(d, b);
        break;
    case L_COUNTY:
        write_county(d, b);
        break;
    case L_STLOUIS:
    case L_COUNT:
        write_stlouis(d, b);
        break;
    }
}

/* ------------------------------------------------------------------ */
/* Files                                                               */
/* ------------------------------------------------------------------ */

static void
make_dir(const char *path)
{
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
        die("cannot create directory '%s': %s", path, strerror(errno));
}

/* mkdir -p: the output usually goes under build/bench/. */
static void
make_dirs(const char *path)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
        die("path too long '%s'", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            make_dir(tmp);
            *p = '/';
        }
    }
    make_dir(tmp);
}

static void
write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        die("cannot create '%s': %s", path, strerror(errno));
    if (fwrite(data, 1, len, f) != len || fclose(f) != 0)
        die("cannot write '%s': %s", path, strerror(errno));
}

/* Digits needed for the largest index, at least 6: "000123.txt". */
static int
name_width(size_t count)
{
    int w = 1;
    for (size_t n = count > 0 ? count - 1 : 0; n >= 10; n /= 10)
        w++;
    return w < 6 ? 6 : w;
}

static double
now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The size a document should reach, in bytes: log-normal, median
 * SIZE_MEDIAN, spread SIZE_SIGMA, so that with the list items every
 * document has anyway the corpus comes out near the CalHR specs
 * (median 4.7 KB, 10% under 2.6 KB, 10% over 12.8 KB). */
#define SIZE_MEDIAN 3600.0
#define SIZE_SIGMA  1.0

static size_t
size_target(uint64_t *r)
{
    /* Box-Muller; the +1 keeps log() away from zero. */
    double u1 = ((double)(rng_next(r) >> 11) + 1.0) / 9007199254740993.0;
    double u2 = (double)(rng_next(r) >> 11) / 9007199254740992.0;
    double z = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
    double t = SIZE_MEDIAN * exp(SIZE_SIGMA * z);
    return t > 60000.0 ? 60000 : (size_t)t;
}

/* Write document I into B, adding explanatory paragraphs (distinguishing
 * characteristics, scope, levels) until it reaches its size target: the
 * long tail of real sizes comes from specs that explain the class at
 * length, not from ones with fifty duties. */
static void
render_doc(const struct source *src, uint64_t seed, size_t i, struct doc *d,
           struct buf *b)
{
    doc_make(src, seed, i, d);
    uint64_t r = rng_for(seed, 4, i);
    size_t target = size_target(&r);
    for (;;) {
        b->len = 0;
        write_doc(d, b);
        if (b->len >= target || d->nextra == MAX_EXTRA)
            break;
        d->extra[d->nextra++] = pick(&r, &src->paragraphs);
    }
}

static uint64_t fingerprint(const struct source *src, uint64_t seed);

static int
cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* Write the corpus and OUT/.gen-stamp, which bench.sh reads for the
 * byte count and size distribution and to decide whether a corpus can
 * be reused. Files that start with '.' are not indexed by jobdex, and
 * the baselines skip them too. */
static void
gen_corpus(const struct source *src, uint64_t seed, size_t count,
           const char *out)
{
    double t0 = now_seconds();
    make_dirs(out);
    /* No stamp until the corpus is whole: an interrupted run is redone. */
    char stamp[8192];
    snprintf(stamp, sizeof(stamp), "%s/.gen-stamp", out);
    if (unlink(stamp) != 0 && errno != ENOENT)
        die("cannot remove '%s': %s", stamp, strerror(errno));
    int w = name_width(count);
    struct buf b = {0};
    char path[8192];
    uint64_t total = 0;
    size_t *sizes = xrealloc(NULL, (count ? count : 1) * sizeof(*sizes));
    struct doc d;
    for (size_t i = 0; i < count; i++) {
        if (i % 1000 == 0) {
            if (snprintf(path, sizeof(path), "%s/%0*zu", out, w - 3,
                         i / 1000) >= (int)sizeof(path))
                die("path too long '%s'", out);
            make_dir(path);
        }
        render_doc(src, seed, i, &d, &b);
        if (snprintf(path, sizeof(path), "%s/%0*zu/%0*zu.txt", out, w - 3,
                     i / 1000, w, i) >= (int)sizeof(path))
            die("path too long '%s'", out);
        write_file(path, b.p, b.len);
        total += b.len;
        sizes[i] = b.len;
    }
    free(b.p);
    qsort(sizes, count, sizeof(*sizes), cmp_size);
    size_t p10 = count ? sizes[count / 10] : 0;
    size_t median = count ? sizes[count / 2] : 0;
    size_t p90 = count ? sizes[count * 9 / 10] : 0;
    size_t max = count ? sizes[count - 1] : 0;
    free(sizes);
    double secs = now_seconds() - t0;
    char line[512];
    int n = snprintf(line, sizeof(line),
                     "format=%d seed=%llu count=%zu bytes=%llu seconds=%.1f "
                     "p10=%zu median=%zu p90=%zu max=%zu fingerprint=%016llx\n",
                     GEN_FORMAT, (unsigned long long)seed, count,
                     (unsigned long long)total, secs, p10, median, p90, max,
                     (unsigned long long)fingerprint(src, seed));
    write_file(stamp, line, (size_t)n);
    fprintf(stderr, PROG ": wrote %zu specs, %llu bytes, to '%s' in %.1f s\n",
            count, (unsigned long long)total, out, secs);
}

/* ------------------------------------------------------------------ */
/* Queries                                                             */
/* ------------------------------------------------------------------ */

static void
put_json_string(struct buf *b, const char *s)
{
    buf_putc(b, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            buf_putc(b, '\\');
            buf_putc(b, (char)c);
        } else if (c == '\n') {
            buf_puts(b, "\\n");
        } else if (c < 0x20) {
            buf_printf(b, "\\u%04x", c);
        } else {
            buf_putc(b, (char)c);
        }
    }
    buf_putc(b, '"');
}

static size_t
count_words(const char *s)
{
    size_t n = 0;
    bool in = false;
    for (; *s; s++) {
        bool sp = isspace((unsigned char)*s);
        if (!sp && !in)
            n++;
        in = !sp;
    }
    return n;
}

/* A résumé of about 300 words: a headline, a summary, two jobs'
 * worth of duty sentences (mostly from one occupation, as a career
 * usually is) and a skills line. */
static void
make_resume(const struct source *src, uint64_t seed, size_t q, struct buf *b)
{
    uint64_t r = rng_for(seed, 2, q);
    const struct group *g = &src->groups[rng_below(&r, src->ngroups)];
    const char *title =
        g->t1 > g->t0 ? src->titles.v[g->t0 + rng_below(&r, g->t1 - g->t0)]
                      : pick(&r, &src->titles);
    /* One draw per statement: the order in which a call's arguments are
     * evaluated is unspecified, and the output must not depend on it. */
    size_t years = rng_range(&r, 2, 25);
    const char *summary = g->summary ? g->summary : pick(&r, &src->summaries);
    b->len = 0;
    buf_printf(b, "%s with %zu years of experience\n\nSUMMARY\n%s.\n\n", title,
               years, summary);
    buf_puts(b, "EXPERIENCE\n");
    const char *lines[48];
    size_t n = pick_items(&r, &src->duties, g->d0, g->d1, 48, 70, lines);
    size_t job = 0;
    for (size_t k = 0; k < n && count_words(b->p) < 270; k++) {
        if (k % 6 == 0) {
            const char *dept = departments[rng_below(
                &r, sizeof(departments) / sizeof(departments[0]))];
            const char *place =
                places[rng_below(&r, sizeof(places) / sizeof(places[0]))];
            buf_printf(b, "%s%s, %s, %s (%u-%u)\n", job ? "\n" : "", title,
                       dept, place, 2000u + (unsigned)job * 8,
                       2008u + (unsigned)job * 8);
            job++;
        }
        buf_printf(b, "- %s.\n", lines[k]);
    }
    const char *skills[6];
    size_t ns = pick_items(&r, &src->knowledge, g->k0, g->k1, 6, 80, skills);
    buf_puts(b, "\nSKILLS\n");
    for (size_t k = 0; k < ns && count_words(b->p) < 300; k++)
        buf_printf(b, "%s%s", k ? "; " : "", skills[k]);
    buf_puts(b, "\n");
}

/* Word counts over the duty pool, for choosing "common duty words". */
struct word {
    char *w;
    size_t count;
};

struct wordtab {
    struct word *slots;
    size_t cap, n;
};

static uint64_t
hash_word(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

static struct word *
wordtab_find(struct wordtab *t, const char *s, size_t n, bool add)
{
    if (add && t->n * 2 >= t->cap) {
        struct wordtab bigger = {0};
        bigger.cap = t->cap ? t->cap * 2 : 4096;
        bigger.slots = xrealloc(NULL, bigger.cap * sizeof(struct word));
        memset(bigger.slots, 0, bigger.cap * sizeof(struct word));
        for (size_t i = 0; i < t->cap; i++) {
            if (!t->slots[i].w)
                continue;
            size_t j = hash_word(t->slots[i].w, strlen(t->slots[i].w)) &
                       (bigger.cap - 1);
            while (bigger.slots[j].w)
                j = (j + 1) & (bigger.cap - 1);
            bigger.slots[j] = t->slots[i];
        }
        bigger.n = t->n;
        free(t->slots);
        *t = bigger;
    }
    if (t->cap == 0)
        return NULL;
    size_t j = hash_word(s, n) & (t->cap - 1);
    while (t->slots[j].w) {
        if (strlen(t->slots[j].w) == n && memcmp(t->slots[j].w, s, n) == 0)
            return &t->slots[j];
        j = (j + 1) & (t->cap - 1);
    }
    if (!add)
        return NULL;
    t->slots[j].w = xstrndup(s, n);
    t->n++;
    return &t->slots[j];
}

static void
wordtab_free(struct wordtab *t)
{
    for (size_t i = 0; i < t->cap; i++)
        free(t->slots[i].w);
    free(t->slots);
}

/* Words that carry no subject: a query of them would say nothing about
 * the index. Words under four letters are dropped separately. */
static bool
is_dull(const char *s, size_t n)
{
    static const char *const dull[] = {
        "also",      "based",       "each",  "from",      "have",    "into",
        "other",     "such",        "that",  "their",     "them",    "they",
        "this",      "those",       "using", "which",     "with",    "within",
        "when",      "where",       "will",  "including", "related", "various",
        "necessary", "appropriate",
    };
    for (size_t i = 0; i < sizeof(dull) / sizeof(dull[0]); i++)
        if (strlen(dull[i]) == n && memcmp(dull[i], s, n) == 0)
            return true;
    return false;
}

/* Call FN on each lower-cased word of 4+ letters in S that is not dull. */
static void
each_word(const char *s, void (*fn)(void *ctx, const char *w, size_t n),
          void *ctx)
{
    char w[64];
    while (*s) {
        size_t n = 0;
        while (*s && !isalpha((unsigned char)*s))
            s++;
        while (isalpha((unsigned char)*s)) {
            if (n < sizeof(w))
                w[n++] = (char)tolower((unsigned char)*s);
            s++;
        }
        if (n >= 4 && n < sizeof(w) && !is_dull(w, n))
            fn(ctx, w, n);
    }
}

static void
count_word(void *ctx, const char *w, size_t n)
{
    wordtab_find(ctx, w, n, true)->count++;
}

static int
cmp_word_desc(const void *a, const void *b)
{
    const struct word *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return strcmp(x->w, y->w);
}

/* The COMMON most frequent duty words, marked by count = 1 in the
 * returned table (everything else 0). */
static struct wordtab
common_words(const struct source *src, size_t common)
{
    struct wordtab t = {0};
    for (size_t i = 0; i < src->duties.n; i++)
        each_word(src->duties.v[i], count_word, &t);
    struct word *all = xrealloc(NULL, t.n * sizeof(*all));
    size_t n = 0;
    for (size_t i = 0; i < t.cap; i++)
        if (t.slots[i].w)
            all[n++] = t.slots[i];
    qsort(all, n, sizeof(*all), cmp_word_desc);
    for (size_t i = 0; i < t.cap; i++)
        t.slots[i].count = 0;
    for (size_t i = 0; i < n && i < common; i++)
        wordtab_find(&t, all[i].w, strlen(all[i].w), false)->count = 1;
    free(all);
    return t;
}

struct sentence_words {
    struct wordtab *common;
    const char *w[64];
    size_t n;
};

static void
collect_common(void *ctx, const char *w, size_t n)
{
    struct sentence_words *sw = ctx;
    struct word *e = wordtab_find(sw->common, w, n, false);
    if (!e || e->count == 0 || sw->n == sizeof(sw->w) / sizeof(sw->w[0]))
        return;
    for (size_t i = 0; i < sw->n; i++)
        if (sw->w[i] == e->w)
            return;
    sw->w[sw->n++] = e->w;
}

/* Three distinct common words from one duty sentence, "a AND b AND c",
 * and not a query already in SEEN: a repeated query would mostly time
 * the cache. */
static void
make_and_query(const struct source *src, struct wordtab *common,
               struct wordtab *seen, uint64_t seed, size_t q, struct buf *b)
{
    uint64_t r = rng_for(seed, 3, q);
    char query[256];
    for (unsigned tries = 0;; tries++) {
        struct sentence_words sw = {.common = common};
        each_word(pick(&r, &src->duties), collect_common, &sw);
        if (sw.n < 3)
            continue;
        for (size_t i = 0; i < 3; i++) {
            size_t j = i + rng_below(&r, sw.n - i);
            const char *t = sw.w[i];
            sw.w[i] = sw.w[j];
            sw.w[j] = t;
        }
        int n = snprintf(query, sizeof(query), "%s AND %s AND %s", sw.w[0],
                         sw.w[1], sw.w[2]);
        if (n < 0 || (size_t)n >= sizeof(query))
            continue;
        /* Give up on uniqueness rather than loop forever. */
        if (!wordtab_find(seen, query, (size_t)n, false) || tries > 1000) {
            wordtab_find(seen, query, (size_t)n, true);
            break;
        }
    }
    buf_printf(b, "%s\n", query);
}

static uint64_t
hash_more(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

/* A hash of what this generator writes for SEED: the first documents,
 * resumes and AND queries. bench.sh reuses a corpus whose stamp has the
 * same fingerprint, so rebuilding gen without changing its output (or
 * changing it and forgetting GEN_FORMAT) does what it should, and so
 * does a change in the source data. */
static uint64_t
fingerprint(const struct source *src, uint64_t seed)
{
    uint64_t h = 1469598103934665603ULL;
    char fmt[32];
    int n = snprintf(fmt, sizeof(fmt), "%d", GEN_FORMAT);
    h = hash_more(h, fmt, (size_t)n);
    struct buf b = {0};
    struct doc d;
    for (size_t i = 0; i < 256; i++) {
        render_doc(src, seed, i, &d, &b);
        h = hash_more(h, b.p, b.len);
    }
    for (size_t q = 0; q < 32; q++) {
        make_resume(src, seed, q, &b);
        h = hash_more(h, b.p, b.len);
    }
    struct wordtab common = common_words(src, 400), seen = {0};
    b.len = 0;
    for (size_t q = 0; q < 32; q++)
        make_and_query(src, &common, &seen, seed, q, &b);
    h = hash_more(h, b.p, b.len);
    wordtab_free(&common);
    wordtab_free(&seen);
    free(b.p);
    return h;
}

static void
gen_queries(const struct source *src, uint64_t seed, size_t count,
            const char *out)
{
    char path[8192];
    snprintf(path, sizeof(path), "%s/resumes", out);
    make_dirs(path);
    snprintf(path, sizeof(path), "%s/.gen-stamp", out);
    if (unlink(path) != 0 && errno != ENOENT)
        die("cannot remove '%s': %s", path, strerror(errno));
    struct buf jsonl = {0}, list = {0}, text = {0}, andq = {0};
    for (size_t q = 0; q < count; q++) {
        make_resume(src, seed, q, &text);
        buf_printf(&jsonl, "{\"id\":\"r%06zu\",\"text\":", q);
        put_json_string(&jsonl, text.p);
        buf_puts(&jsonl, "}\n");
        snprintf(path, sizeof(path), "%s/resumes/%06zu.txt", out, q);
        write_file(path, text.p, text.len);
        buf_printf(&list, "%s\n", path);
    }
    struct wordtab common = common_words(src, 400), seen = {0};
    for (size_t q = 0; q < count; q++)
        make_and_query(src, &common, &seen, seed, q, &andq);
    snprintf(path, sizeof(path), "%s/resumes.jsonl", out);
    write_file(path, jsonl.p, jsonl.len);
    snprintf(path, sizeof(path), "%s/resume-files.txt", out);
    write_file(path, list.p, list.len);
    snprintf(path, sizeof(path), "%s/and-queries.txt", out);
    write_file(path, andq.p, andq.len);
    char line[256];
    int n = snprintf(line, sizeof(line),
                     "format=%d seed=%llu queries=%zu fingerprint=%016llx\n",
                     GEN_FORMAT, (unsigned long long)seed, count,
                     (unsigned long long)fingerprint(src, seed));
    snprintf(path, sizeof(path), "%s/.gen-stamp", out);
    write_file(path, line, (size_t)n);
    wordtab_free(&common);
    wordtab_free(&seen);
    free(jsonl.p);
    free(list.p);
    free(text.p);
    free(andq.p);
    fprintf(stderr, PROG ": wrote %zu resumes and %zu AND queries to '%s'\n",
            count, count, out);
}

/* ------------------------------------------------------------------ */
/* Command line                                                        */
/* ------------------------------------------------------------------ */

static const char usage_text[] =
    "Usage: gen --seed S --count N --out DIR [--source DATA]\n"
    "       gen --queries N --seed S --out DIR [--source DATA]\n"
    "       gen --fingerprint --seed S [--source DATA]\n"
    "Write N synthetic class specs (DIR/NNN/NNNNNN.txt, 1000 per folder)\n"
    "or N resumes and 3-term AND queries, deterministic for (S, N), from\n"
    "the real text under DATA (default ../shared/data).\n"
    "\n"
    "Options:\n"
    "  -s, --seed S       random seed (default 1)\n"
    "  -n, --count N      number of specs to write\n"
    "  -q, --queries N    write N resumes and N AND queries instead\n"
    "      --fingerprint  print a hash of what this gen writes for S (it is\n"
    "                     also in DIR/.gen-stamp), to tell if DIR is current\n"
    "  -o, --out DIR      output directory (created if missing)\n"
    "      --source DATA  folder holding calhr-class-specs/ and onet-29.3/\n"
    "  -h, --help         show this help and exit\n"
    "\n"
    "Exit status: 0 success, 2 usage error, 3 any other failure.\n"
    "\n"
    "Example:\n"
    "  gen --seed 1 --count 10000 --out build/bench/corpus-10000\n";

static void
usage_error(const char *what, const char *arg)
{
    if (arg)
        fprintf(stderr, PROG ": %s '%s'\n", what, arg);
    else
        fprintf(stderr, PROG ": %s\n", what);
    fputs("Try '" PROG " --help' for more information.\n", stderr);
    exit(2);
}

static size_t
parse_count(const char *s, const char *what)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v > 9000000ULL)
        usage_error(what, s);
    return (size_t)v;
}

struct opts {
    uint64_t seed;
    size_t count, queries;
    bool have_count, have_queries, fingerprint;
    const char *out, *source;
};

static void
parse_args(int argc, char **argv, struct opts *o)
{
    static const struct option longopts[] = {
        {"seed", required_argument, NULL, 's'},
        {"count", required_argument, NULL, 'n'},
        {"queries", required_argument, NULL, 'q'},
        {"out", required_argument, NULL, 'o'},
        {"source", required_argument, NULL, 'S'},
        {"fingerprint", no_argument, NULL, 'F'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    *o = (struct opts){.seed = 1, .source = "../shared/data"};
    int c;
    while ((c = getopt_long(argc, argv, "s:n:q:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            o->seed = parse_count(optarg, "invalid seed");
            break;
        case 'n':
            o->count = parse_count(optarg, "invalid count");
            o->have_count = true;
            break;
        case 'q':
            o->queries = parse_count(optarg, "invalid query count");
            o->have_queries = true;
            break;
        case 'o':
            o->out = optarg;
            break;
        case 'S':
            o->source = optarg;
            break;
        case 'F':
            o->fingerprint = true;
            break;
        case 'h':
            fputs(usage_text, stdout);
            exit(fflush(stdout) == 0 && !ferror(stdout) ? 0 : 3);
        default:
            fputs("Try '" PROG " --help' for more information.\n", stderr);
            exit(2);
        }
    }
    if (optind < argc)
        usage_error("unexpected argument", argv[optind]);
    if ((int)o->have_count + (int)o->have_queries + (int)o->fingerprint != 1)
        usage_error("give exactly one of --count, --queries and --fingerprint",
                    NULL);
    if (!o->out && !o->fingerprint)
        usage_error("missing --out DIR", NULL);
}

int
main(int argc, char **argv)
{
    struct opts o;
    parse_args(argc, argv, &o);
    struct source src = {0};
    load_source(&src, o.source);
    if (o.have_count) {
        gen_corpus(&src, o.seed, o.count, o.out);
    } else if (o.have_queries) {
        gen_queries(&src, o.seed, o.queries, o.out);
    } else {
        printf("%016llx\n", (unsigned long long)fingerprint(&src, o.seed));
        if (fflush(stdout) != 0 || ferror(stdout))
            die("cannot write to stdout");
    }
    /* The pools live until exit; freeing 100k strings only costs time. */
    return 0;
}
