/*
 * testutil.h: small helpers shared by the cmocka programs: temporary
 * directories, files, the shared data directory, running the CLIs.
 */
#ifndef JD_TESTUTIL_H
#define JD_TESTUTIL_H

#include "jobdex.h"

#include <stdbool.h>
#include <stddef.h>

/* A new empty directory under $TMPDIR; the path is malloc'd. */
char *tu_mkdtemp(void);
/* Remove PATH and everything below it. */
void tu_rmtree(const char *path);
/* Write LEN bytes of DATA to DIR/NAME; returns the malloc'd path. */
char *tu_write(const char *dir, const char *name, const void *data, size_t len);
/* The whole file at PATH, NUL-terminated and malloc'd, or NULL. */
char *tu_read(const char *path, size_t *len);

/* ../shared (or $JOBDEX_SHARED) when it holds SUB, else NULL. */
const char *tu_shared(const char *sub);
/* The directory holding the built binaries ($JOBDEX_BIN, else "build"). */
const char *tu_bindir(void);

struct tu_run {
    int status; /* exit status, or 128 + signal */
    char *out;  /* stdout, NUL-terminated */
    size_t out_len;
    char *err; /* stderr */
    size_t err_len;
};

/* Run ARGV (argv[0] is a program in tu_bindir() when it has no '/'),
 * with STDIN_TEXT on standard input when not NULL, and capture
 * everything. No shell, no quoting. */
void tu_run(const char *const *argv, const char *stdin_text, struct tu_run *r);
/* As tu_run, but the program is killed (status 128 + SIGKILL) once it
 * has run SECONDS (0: never): a guard that makes a hang fail a test
 * instead of blocking it, never a measure of speed. */
void tu_run_within(const char *const *argv, const char *stdin_text,
                   unsigned seconds, struct tu_run *r);
void tu_run_free(struct tu_run *r);

/* Run ARGV (a program in tu_bindir()) as user nobody when this process
 * is root, as itself otherwise (for whom chmod already denies), with
 * standard output to /dev/null and standard error to ERRFILE, read back
 * into R->err. False when root may not change its user here (then skip
 * the test). */
bool tu_run_as_nobody(const char *const *argv, struct tu_run *r,
                      const char *errfile);

/* Start ARGV (as tu_run finds it) in the background, standard input
 * from /dev/null, standard output and error appended to the files OUT
 * and ERR (NULL: /dev/null). Returns its process id. */
int tu_spawn(const char *const *argv, const char *out, const char *err);
/* The same in a process group of its own (its id is the pid), so that
 * kill(-pid, sig) reaches its children too. */
int tu_spawn_group(const char *const *argv, const char *out, const char *err);
/* Wait for process PID: its exit status, or 128 + signal. With NOHANG,
 * -1 while it is still running. */
int tu_wait(int pid, bool nohang);

/*
 * Work counted, not timed: valgrind's callgrind counts the instructions a
 * process executes, the same for the same work whatever else the machine
 * does. tu_instructions_unavailable() says why they cannot be counted
 * here (the sanitizer build, JOBDEX_SAN=1, which valgrind cannot run; no
 * valgrind on $PATH), or NULL. tu_instructions() runs ARGV as tu_run
 * does under callgrind; the program must exit 0 or 1.
 */
const char *tu_instructions_unavailable(void);
unsigned long long tu_instructions(const char *const *argv);

/* Room for a path in a test: a tu_mkdtemp directory and a few names. */
#define TU_PATH_MAX 4200

/*
 * A test's own directory, the fixture most tests share: DIR is new and
 * empty, DB names DIR/test.db (not created), IN and OUT are two empty
 * directories in it (DIR/in, DIR/out) for what a test writes and what it
 * must leave alone. tu_fixture_setup and tu_fixture_teardown are cmocka's
 * setup and teardown for it (*STATE is the struct tu_fixture); a test file
 * whose fixture holds more embeds one and calls tu_fixture_init and
 * tu_fixture_fini. Teardown removes DIR and everything below it, even
 * after a test has taken away its permissions.
 */
struct tu_fixture {
    char *dir;
    char db[TU_PATH_MAX];
    char in[TU_PATH_MAX];
    char out[TU_PATH_MAX];
};
void tu_fixture_init(struct tu_fixture *f);
void tu_fixture_fini(struct tu_fixture *f);
int tu_fixture_setup(void **state);
int tu_fixture_teardown(void **state);
/* DIR/NAME into BUF (TU_PATH_MAX bytes); returns BUF. */
char *tu_fixture_path(const struct tu_fixture *f, const char *name, char *buf);

/*
 * Run `jobdex-index -q --no-progress -d DB ARG...` (the ARGs, options
 * and paths, end with NULL): an index of corpus/ is
 * tu_index(db, "corpus", NULL). Returns its exit status, and when that
 * is not 0 says on stderr what jobdex-index said.
 */
int tu_index(const char *db, ...) __attribute__((sentinel));

/* The ids of the records an index of corpus/ holds. */
#define TU_CORPUS_RECORDS 5
extern const char *const tu_corpus_ids[TU_CORPUS_RECORDS];

/* Count lines in TEXT that contain NEEDLE. */
size_t tu_count_lines(const char *text, const char *needle);

/*
 * Write N synthetic class specs (specs FIRST .. FIRST+N-1) under DIR, in
 * one folder per employer (DIR/<employer>/<code>.txt), each about 6 KB in
 * the layout of tests/fixtures/specs/riverton: a title, a unique class
 * code, department, FLSA, a summary, a long paragraph of distinguishing
 * characteristics, 3 to 6 duties and qualifications.
 * Spec I depends only on SEED and I, so a corpus of N is a prefix of
 * one of N + 1. Every spec parses to one record whose id is unique;
 * the id of spec I is tu_gen_id(I).
 */
void tu_gen_specs(const char *dir, unsigned first, unsigned n,
                  unsigned long long seed);
/* The record id of generated spec I ("riverton/100042"). */
void tu_gen_id(unsigned i, char *buf, size_t size);

/* The records a parse collects: tu_recs_keep is the sink's SPEC
 * callback, a zeroed struct tu_recs its context. */
struct tu_recs {
    jd_spec **v;
    size_t n, cap;
};
jd_status tu_recs_keep(void *ctx, jd_spec *s);
/* Free the records; R is empty (and zeroed) again. */
void tu_recs_free(struct tu_recs *r);

/* The index at PATH opened for reading; aborts, saying why, when it
 * does not open. */
jd_db *tu_open_index(const char *path);
/* The records in the index at PATH. */
size_t tu_count_records(const char *path);

/* A parse sink's SPEC callback that adds each record to the jd_db CTX
 * (jd_db_add) and frees it. */
jd_status tu_db_add(void *ctx, jd_spec *s);

/* Microseconds on the monotonic clock (for pacing, never for asserts). */
long long tu_now_us(void);

#endif
