/*
 * index_cli.h: what the parts of jobdex-index share: its options, the
 * state of a run, and the parallel workers (workers.c).
 */
#ifndef JD_INDEX_CLI_H
#define JD_INDEX_CLI_H

#include "jobdex.h"

#include <signal.h>

struct options {
    const char *db;
    jd_input_format format;
    const char *jurisdiction;
    bool onet_tasks_only;
    bool no_model;     /* --no-model: do not train the class model */
    bool follow_links; /* --follow-links: follow links out of the PATHs */
    bool dump;
    int progress; /* -1 auto, 0 off, 1 on */
    bool quiet;
    size_t batch_bytes;
    unsigned jobs; /* worker processes (-j) */
};

struct file_list {
    char **path;
    char **folder;
    size_t n, cap;
};

struct run {
    struct options opt;
    jd_db *db;
    struct file_list files;
    size_t lo, hi;  /* the files this process reads */
    size_t current; /* the file being read */
    size_t records, rejected, failed_files;
    jd_buf json;
    bool show_progress;
    size_t done_files;
    /* Called after each file (a worker reports its progress). */
    void (*on_file_done)(struct run *r);
    int report_fd; /* a worker's pipe to the parent, else -1 */
};

extern const char *prog;
/* The signal that asked the run to stop, else 0. */
extern volatile sig_atomic_t stop_signal;

/* Read and index R->files[R->lo .. R->hi); non-zero on a failure that
 * stops the run (already reported). */
int read_inputs(struct run *r);
void progress(struct run *r, bool final);

/* Index R->files with R->opt.jobs worker processes, each into a shard of
 * R->db, then merge the shards. Totals land in R; non-zero on a failure
 * (already reported), the index then as it was. */
int run_workers(struct run *r);

#endif
