/*
 * fts5_load.c: the SQLite FTS5 baseline of the indexing benchmark.
 *
 *   fts5_load DBFILE PATH...
 *
 * Loads every *.txt file under each PATH (directories are walked in name
 * order, names starting with '.' skipped, as jobdex does) into a fresh
 * FTS5 table, one row per file, the way an SQLite user would: the porter
 * tokenizer, one prepared INSERT, one transaction. FTS5 keeps positions
 * by default, as jobdex does. Prints one line on stdout:
 *
 *   docs N bytes B seconds S docs_per_s R sqlite VERSION
 *
 * The table has the text only: no per-duty rows, fields or filters, so
 * it does less work than jobdex and is a lower bound on the cost of a
 * full-text index of the same bytes.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#define PROG "fts5_load"

static const char usage_text[] =
    "Usage: fts5_load DBFILE PATH...\n"
    "Load every *.txt file under PATH into a new SQLite FTS5 table\n"
    "(tokenize='porter', one transaction) in DBFILE, replacing it.\n"
    "\n"
    "Exit status: 0 success, 2 usage error, 3 any other failure.\n"
    "\n"
    "Example:\n"
    "  fts5_load build/bench/fts5.db build/bench/corpus-10000\n";

struct paths {
    char **v;
    size_t n, cap;
};

static void
die(const char *what, const char *subject, const char *why)
{
    fprintf(stderr, PROG ": %s '%s': %s\n", what, subject, why);
    exit(3);
}

static void
paths_push(struct paths *p, const char *s)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 1024;
        p->v = realloc(p->v, p->cap * sizeof(*p->v));
        if (!p->v)
            die("cannot list", s, strerror(ENOMEM));
    }
    p->v[p->n] = strdup(s);
    if (!p->v[p->n])
        die("cannot list", s, strerror(ENOMEM));
    p->n++;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
is_txt(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && strcmp(name + n - 4, ".txt") == 0;
}

/* Append the *.txt files under PATH to OUT, in name order. */
static void
walk(const char *path, struct paths *out)
{
    struct stat st;
    if (stat(path, &st) != 0)
        die("cannot read", path, strerror(errno));
    if (!S_ISDIR(st.st_mode)) {
        paths_push(out, path);
        return;
    }
    DIR *d = opendir(path);
    if (!d)
        die("cannot open", path, strerror(errno));
    struct paths names = {0};
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            paths_push(&names, e->d_name);
    closedir(d);
    qsort(names.v, names.n, sizeof(*names.v), cmp_str);
    for (size_t i = 0; i < names.n; i++) {
        char child[8192];
        if (snprintf(child, sizeof(child), "%s/%s", path, names.v[i]) >=
            (int)sizeof(child))
            die("cannot read", path, "path too long");
        if (stat(child, &st) != 0)
            die("cannot read", child, strerror(errno));
        if (S_ISDIR(st.st_mode) || is_txt(names.v[i]))
            walk(child, out);
        free(names.v[i]);
    }
    free(names.v);
}

/* Read PATH into *BUF (grown as needed); its length in *LEN. */
static void
read_into(const char *path, char **buf, size_t *cap, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die("cannot open", path, strerror(errno));
    *len = 0;
    for (;;) {
        if (*cap - *len < 65536) {
            *cap = *cap ? *cap * 2 : 1 << 20;
            *buf = realloc(*buf, *cap);
            if (!*buf)
                die("cannot read", path, strerror(ENOMEM));
        }
        size_t n = fread(*buf + *len, 1, *cap - *len, f);
        *len += n;
        if (n == 0)
            break;
    }
    if (ferror(f))
        die("cannot read", path, strerror(errno));
    fclose(f);
}

static double
now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
exec_sql(sqlite3 *db, const char *sql, const char *dbfile)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        die("cannot update", dbfile, err ? err : sqlite3_errmsg(db));
}

/* Start afresh: a leftover database would be appended to. */
static void
remove_db(const char *dbfile)
{
    static const char *const suffixes[] = {"", "-journal", "-wal", "-shm"};
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        char p[8192];
        snprintf(p, sizeof(p), "%s%s", dbfile, suffixes[i]);
        if (unlink(p) != 0 && errno != ENOENT)
            die("cannot remove", p, strerror(errno));
    }
}

int
main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
        fputs(usage_text, stdout);
        return fflush(stdout) == 0 ? 0 : 3;
    }
    if (argc < 3) {
        fputs(PROG ": need a DBFILE and at least one PATH\n"
                   "Try '" PROG " --help' for more information.\n",
              stderr);
        return 2;
    }
    const char *dbfile = argv[1];
    double t0 = now_seconds();
    struct paths files = {0};
    for (int i = 2; i < argc; i++)
        walk(argv[i], &files);

    remove_db(dbfile);
    sqlite3 *db;
    if (sqlite3_open(dbfile, &db) != SQLITE_OK)
        die("cannot open", dbfile, sqlite3_errmsg(db));
    exec_sql(db,
             "CREATE VIRTUAL TABLE docs USING fts5(body, tokenize='porter')",
             dbfile);
    exec_sql(db, "BEGIN", dbfile);
    sqlite3_stmt *ins;
    if (sqlite3_prepare_v2(db, "INSERT INTO docs(body) VALUES (?)", -1, &ins,
                           NULL) != SQLITE_OK)
        die("cannot prepare insert into", dbfile, sqlite3_errmsg(db));
    char *buf = NULL;
    size_t cap = 0, len;
    unsigned long long bytes = 0;
    for (size_t i = 0; i < files.n; i++) {
        read_into(files.v[i], &buf, &cap, &len);
        bytes += len;
        sqlite3_bind_text(ins, 1, buf ? buf : "", (int)len, SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE)
            die("cannot insert", files.v[i], sqlite3_errmsg(db));
        sqlite3_reset(ins);
        free(files.v[i]);
    }
    sqlite3_finalize(ins);
    exec_sql(db, "COMMIT", dbfile);
    if (sqlite3_close(db) != SQLITE_OK)
        die("cannot close", dbfile, "database busy");
    double secs = now_seconds() - t0;
    printf("docs %zu bytes %llu seconds %.2f docs_per_s %.1f sqlite %s\n",
           files.n, bytes, secs, secs > 0 ? (double)files.n / secs : 0.0,
           sqlite3_libversion());
    free(buf);
    free(files.v);
    return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 3;
}
