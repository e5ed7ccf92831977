/*
 * batch.h: `jobdex-query match --batch`: one query per JSON line, one
 * answer per line in input order, in one process or in worker processes.
 */
#ifndef JD_BATCH_H
#define JD_BATCH_H

#include "query/cli/cli.h"

#include <stdbool.h>
#include <stddef.h>

/*
 * Match TEXT (LEN bytes) for the query named NAME and write its answer
 * to the output. Returns 0 when it was answered (*FOUND set if it had
 * results), 2 when the text is bad input, such as one with no searchable
 * word (*WHY says so, nothing written), or 3 after a failure it has
 * reported on stderr.
 */
typedef int (*batch_match_fn)(void *ctx, const char *name, const char *text,
                              size_t len, bool *found, const char **why);

struct batch {
    const char *path; /* JSON lines; "-": standard input */
    unsigned jobs;    /* worker processes; 1: this process */
    struct cli_out *out;
    batch_match_fn match;
    void *ctx;
    /* Called in each worker process before it exits, with CTX: release
     * what the caller holds (its index handle); may be NULL. */
    void (*release)(void *ctx);
    const char *prog; /* for messages */
};

/* Run the batch. Returns match's exit status: 0 every line answered and
 * something found, 1 some line rejected or nothing found, 3 a failure. */
int batch_run(const struct batch *b);

#endif
