/*
 * testutil.h: small helpers shared by the cmocka programs: temporary
 * directories, files, the shared data directory, running the CLIs.
 */
#ifndef JD_TESTUTIL_H
#define JD_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>

/* A new empty directory under $TMPDIR; the path is malloc'd. */
char *tu_mkdtemp(void);
/* Remove PATH and everything below it. */
void tu_rmtree(const char *path);
/* Write LEN bytes of DATA to DIR/NAME; returns the malloc'd path. */
char *tu_write(const char *dir, const char *name, const void *data,
               size_t len);
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
void tu_run(const char *const *argv, const char *stdin_text,
            struct tu_run *r);
void tu_run_free(struct tu_run *r);

/* Count lines in TEXT that contain NEEDLE. */
size_t tu_count_lines(const char *text, const char *needle);

#endif
