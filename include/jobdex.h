/*
 * jobdex.h: the public API of jobdex, a search and matching engine for job
 * classification specifications ("class specs").
 *
 * A class spec is read from text (as it comes out of PDFs and web pages),
 * from JSON lines, or from an O*NET database directory into a typed record,
 * struct jd_spec. Records are stored in an index directory (Xapian
 * databases, see indexer/schema.h) and queried with ad-hoc searches,
 * résumé matching, similarity and duty-overlap reports.
 *
 * Lifecycle of a writer:
 *
 *     jd_db *db;
 *     jd_status st;
 *     if (jd_db_new(&db) != JD_OK)
 *         return JD_ERR_NOMEM;
 *     st = jd_db_open(db, "specs.db", JD_OPEN_WRITE | JD_OPEN_CREATE);
 *     if (st == JD_OK)
 *         st = jd_parse_file("corpus/portland/coordinator-ii.txt", &opts,
 *                            &sink);       // sink.spec calls jd_db_add()
 *     if (st == JD_OK)
 *         st = jd_db_commit(db);
 *     if (st != JD_OK)
 *         fprintf(stderr, "%s\n", jd_db_errmsg(db));
 *     jd_db_free(db);                       // closes; never commits
 *
 * Conventions. Every function that can fail returns a jd_status. Outputs
 * come last and are set to NULL on failure. Every _free accepts NULL.
 * "Borrowed" pointers are valid until the next call on their source or until
 * the source is freed. The library never prints and never exits.
 */
#ifndef JOBDEX_H
#define JOBDEX_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Status                                                              */
/* ------------------------------------------------------------------ */

/* Values are never renumbered; new ones go at the end. */
typedef enum jd_status {
    JD_OK = 0,
    JD_ERR_NOMEM,
    JD_ERR_IO,
    JD_ERR_INVALID_ARG, /* bad input: malformed spec, JSON, option */
    JD_ERR_QUERY_SYNTAX,
    JD_ERR_NOT_FOUND, /* no index at that path, or no such record */
    JD_ERR_LOCKED,    /* another writer holds the index */
    JD_ERR_CORRUPT,
    JD_ERR_VERSION, /* index written by an incompatible version */
    JD_ERR_BACKEND, /* Xapian error with no closer match */
    JD_ERR_INTERNAL,
    JD_ERR_TOO_BIG,     /* input over a documented size limit */
    JD_ERR_INTERRUPTED, /* stopped on request (signal) */
    JD_ERR_MODIFIED,    /* the index changed under this reader; run it again */
} jd_status;

/* A static, lower-case description of ST ("index is locked by another
 * writer"). Never NULL, never fails. */
const char *jd_status_str(jd_status st);

/* ------------------------------------------------------------------ */
/* The record                                                          */
/* ------------------------------------------------------------------ */

/* One duty or qualification statement, whole even when the source wrapped
 * it over lines or pages. Sub-bullets are kept in TEXT, each on its own
 * line starting "- ". */
struct jd_item {
    unsigned n;       /* number as written in the spec, else its ordinal */
    const char *kind; /* "essential", "general", "specific", "typical",
                         "core", "supplemental", "knowledge", "skill",
                         "ability", "education", "experience", "license" */
    const char *text;
    unsigned line; /* 1-based source line of its first line; 0 unknown */
};

struct jd_item_list {
    struct jd_item *v;
    size_t len;
};

struct jd_str_list {
    const char **v;
    size_t len;
};

/* The longest record id an index takes, in bytes: the id is stored as a
 * Xapian term, whose limit is 245 bytes, behind a prefix. An id made
 * from a jurisdiction and a code or title always fits (see
 * jd_spec_check); an id given in JSON that does not is rejected. */
#define JD_ID_MAX_BYTES 200

/*
 * A classification. Every string is UTF-8 (NFKC, typographic punctuation
 * folded to ASCII) and NULL when the spec does not give it. All memory
 * belongs to the record and is released by jd_spec_free().
 */
typedef struct jd_spec {
    const char *id;    /* "JURISDICTION/CODE" slug, unique in an index */
    const char *code;  /* class code as written; O*NET-SOC for O*NET */
    const char *title; /* title case as printed in running text */
    struct jd_str_list alt_titles;
    const char *jurisdiction; /* display name: "City of Milwaukie" */
    const char *department;
    const char *series;
    const char *pay_grade; /* as written */
    bool has_grade;        /* grade_min/grade_max hold numbers */
    double grade_min, grade_max;
    const char *flsa; /* as written: "Exempt", "Nonexempt" */
    const char *bargaining_unit;
    const char *adopted, *revised; /* dates as written */
    const char *summary;
    const char *distinguishing;
    struct jd_item_list duties;
    struct jd_item_list knowledge, skills, abilities;
    struct jd_item_list education; /* education and experience items */
    struct jd_item_list licenses;
    const char *supervision;
    const char *working_conditions;
    /* Sections the record has no field for ("Special Personal
     * Characteristics", "Communications"): KIND is the heading. */
    struct jd_item_list other;
    struct jd_str_list tools;
    const char *source_file;
    unsigned source_line; /* line where the record starts */
    struct arena *mem;    /* private */
} jd_spec;

/* Release SPEC and everything it points to. Accepts NULL. */
void jd_spec_free(jd_spec *spec);

/*
 * Whether an index can take SPEC: its id must be 1 to JD_ID_MAX_BYTES
 * bytes without control characters (the index keeps ids one per line).
 * JD_OK, or JD_ERR_INVALID_ARG with the reason in MSG ("id is 300 bytes,
 * over the 200-byte limit"). The readers check every record they make
 * (a record they reject reaches SINK->reject, not SINK->spec), and
 * jd_db_add() refuses what fails it.
 *
 * Ids the readers make from a jurisdiction and a code or title always
 * pass: one that would be longer than JD_ID_MAX_BYTES is cut at a '-'
 * (both parts: the jurisdiction to at most 64 bytes) and ends in '-' and
 * 8 hex digits of a hash of the whole slug, so it stays the same from run
 * to run and two long titles that differ only near the end still get
 * different ids.
 */
jd_status jd_spec_check(const jd_spec *spec, char *msg, size_t msglen);

/* The slug form used for ids and filters: lower case without accents,
 * apostrophes and '*' dropped ("Manager's" -> "managers", "O*NET" ->
 * "onet"), runs of anything else but letters and digits turned into one
 * '-'. Writes at most SIZE bytes including the NUL into BUF and returns
 * BUF. */
char *jd_slug(const char *text, char *buf, size_t size);

/* The slug of a jurisdiction name, leading "City of", "County of",
 * "State of" ... dropped ("City of St. Louis" -> "st-louis"). */
char *jd_jurisdiction_slug(const char *name, char *buf, size_t size);

/* ------------------------------------------------------------------ */
/* Growable byte buffer, used for JSON and other text results          */
/* ------------------------------------------------------------------ */

typedef struct jd_buf {
    char *data; /* NUL-terminated when len > 0 */
    size_t len; /* bytes, excluding the NUL */
    size_t cap;
} jd_buf;

/* Release the buffer's memory and reset it to empty. */
void jd_buf_free(jd_buf *buf);

/* ------------------------------------------------------------------ */
/* Reading specs                                                       */
/* ------------------------------------------------------------------ */

typedef enum jd_input_format {
    JD_FORMAT_AUTO = 0, /* by content: JSON lines, O*NET dir, else text */
    JD_FORMAT_SPEC,     /* class-spec text */
    JD_FORMAT_JSONL,    /* one record per line, as jd_spec_to_json() */
    JD_FORMAT_ONET,     /* an O*NET database directory */
} jd_input_format;

/* Files larger than this are rejected with JD_ERR_TOO_BIG. Real class
 * specs are a few KB; 8 MiB leaves room for long series specs. */
#define JD_SPEC_MAX_BYTES ((size_t)8 << 20)
/* JSON lines longer than this are rejected one line at a time. */
#define JD_JSONL_MAX_LINE ((size_t)8 << 20)

struct jd_parse_opts {
    jd_input_format format;
    /* Jurisdiction when neither the text nor the folder names one. */
    const char *jurisdiction;
    /* Jurisdiction from the folder the file was found in (the first
     * directory below the root the user named), or NULL. */
    const char *folder_jurisdiction;
    /* O*NET: only occupations with task statements (else also those
     * known by their titles alone, the "All Other" and military ones). */
    bool onet_tasks_only;
};

/*
 * Where parsed records go. SPEC receives each record and owns it from
 * then on (it must call jd_spec_free eventually); a non-JD_OK return stops
 * the parse and is returned by the jd_parse_* call. Every record SPEC
 * gets passes jd_spec_check(). REJECT, if not NULL, hears about each
 * input that yields no record (a JSON line, a class of a series spec, or
 * a whole file): SOURCE is the file, LINE the line (0 for the whole
 * file), WHY a short lower-case reason; the parse goes on.
 */
struct jd_parse_sink {
    jd_status (*spec)(void *ctx, jd_spec *spec);
    void (*reject)(void *ctx, const char *source, unsigned line,
                   const char *why);
    void *ctx;
};

/*
 * Parse the file at PATH in OPTS->format and hand each record to SINK.
 * A text spec yields one record per class (a series spec lists several).
 * Returns JD_OK when the file was read, even if some records were
 * rejected (SINK->reject heard why); JD_ERR_IO (unreadable, missing),
 * JD_ERR_TOO_BIG, JD_ERR_INVALID_ARG (empty, binary, invalid UTF-8, no
 * record found, not a regular file, on a pseudo filesystem such as /proc:
 * never read) with the reason in MSG; or whatever SINK->spec returned.
 */
jd_status jd_parse_file(const char *path, const struct jd_parse_opts *opts,
                        const struct jd_parse_sink *sink, char *msg,
                        size_t msglen);

/* Parse class-spec TEXT of LEN bytes as if read from SOURCE (a name used in
 * records and messages). Returns as jd_parse_file(). */
jd_status jd_parse_text(const char *text, size_t len, const char *source,
                        const struct jd_parse_opts *opts,
                        const struct jd_parse_sink *sink, char *msg,
                        size_t msglen);

/* Append SPEC as one line of JSON (no newline) to OUT. The schema is the
 * one jd_spec_from_json() reads: --dump round-trips. JD_OK or
 * JD_ERR_NOMEM. */
jd_status jd_spec_to_json(const jd_spec *spec, jd_buf *out);

/* Read one record from JSON of LEN bytes. SOURCE names it in messages.
 * On success *OUT owns a record; on failure *OUT is NULL, MSG says why and
 * the status is JD_ERR_INVALID_ARG or JD_ERR_NOMEM. A record without an id
 * gets one made from its jurisdiction and code or title. */
jd_status jd_spec_from_json(const char *json, size_t len, const char *source,
                            jd_spec **out, char *msg, size_t msglen);

/*
 * The rules every reader of JSON lines in jobdex applies to a line
 * (jobdex-index, and match --batch for its requests): no NUL byte, valid
 * UTF-8, valid JSON, an object, no key twice. JD_OK, or
 * JD_ERR_INVALID_ARG with the reason in MSG ("invalid JSON at column 29:
 * duplicate object key near '"id"'").
 */
jd_status jd_json_line_check(const char *line, size_t len, char *msg,
                             size_t msglen);

/*
 * Walk the paths PATHS[0..N) the way jobdex-index reads its arguments: a
 * file is taken as it is; a directory is searched recursively, in byte
 * order of names, for *.txt, *.text, *.jsonl, *.ndjson and *.json files,
 * skipping names that start with '.', and a directory that holds an O*NET
 * database ("Occupation Data.txt") is taken whole. FILE gets each path
 * with FOLDER: the first directory below the root it was found in
 * ("corpus/portland/x.txt" under "corpus" gives "portland"), or NULL.
 *
 * Each file and directory is visited once in the whole walk, known by
 * device and inode: a second route to it (a symbolic or hard link, a path
 * given twice or inside another) is skipped silently, the first route in
 * the order of PATHS and names being the one FILE gets. A symbolic link
 * met in the walk is followed only when its target lies in one of the
 * trees PATHS name (compared as real paths), unless FLAGS has
 * JD_WALK_FOLLOW_LINKS; a path in PATHS is followed wherever it leads.
 * Nothing on a kernel pseudo filesystem (proc, sysfs, cgroup, ...) and no
 * device is ever handed to FILE, wherever a path or link leads.
 *
 * ERROR hears about paths that are not read: missing or unreadable, a
 * symbolic-link loop (a link to a directory still being walked), a link
 * leading out of the trees, a pseudo filesystem, a device, or a FIFO or
 * socket named like a spec. A non-JD_OK return from FILE stops the walk.
 * Returns JD_OK or FILE's status, or JD_ERR_NOMEM.
 */
struct jd_walk_sink {
    jd_status (*file)(void *ctx, const char *path, const char *folder);
    void (*error)(void *ctx, const char *path, const char *why);
    void *ctx;
};
enum {
    JD_WALK_FOLLOW_LINKS = 1u << 0, /* follow symbolic links anywhere */
};
jd_status jd_walk(const char *const *paths, size_t n, unsigned flags,
                  const struct jd_walk_sink *sink);

/* ------------------------------------------------------------------ */
/* The index                                                           */
/* ------------------------------------------------------------------ */

typedef struct jd_db jd_db;

enum {
    JD_OPEN_READ = 0,
    JD_OPEN_WRITE = 1u << 0,  /* take the writer lock */
    JD_OPEN_CREATE = 1u << 1, /* with WRITE: create the index if missing */
};

/* Make an unopened handle. Fails only with JD_ERR_NOMEM. */
jd_status jd_db_new(jd_db **out);

/*
 * Open the index directory PATH. With JD_OPEN_WRITE the handle holds the
 * writer lock until jd_db_free(); a run that was killed before its last
 * batch was fully committed is repaired here (see jd_db_recovered()).
 * Returns JD_OK, JD_ERR_NOT_FOUND (no index there), JD_ERR_LOCKED,
 * JD_ERR_VERSION, JD_ERR_CORRUPT, JD_ERR_IO or JD_ERR_BACKEND; the detail
 * is in jd_db_errmsg().
 */
jd_status jd_db_open(jd_db *db, const char *path, unsigned flags);

/* Close and free. Uncommitted additions are discarded, never half-written.
 * Accepts NULL. */
void jd_db_free(jd_db *db);

/* The detail of the last failure on DB. Borrowed; never NULL. */
const char *jd_db_errmsg(const jd_db *db);

/* How many records jd_db_open() re-synchronised after an interrupted run
 * (0 when the index was clean). */
size_t jd_db_recovered(const jd_db *db);

/*
 * Add SPEC to the current batch, replacing any record with the same id.
 * The batch is committed when its text exceeds the batch size (see
 * jd_db_set_batch_bytes) and by jd_db_commit(). SPEC stays the caller's.
 * Returns JD_OK, JD_ERR_INVALID_ARG (SPEC fails jd_spec_check(); nothing
 * was added and the handle can go on), JD_ERR_NOMEM, JD_ERR_IO,
 * JD_ERR_BACKEND.
 */
jd_status jd_db_add(jd_db *db, const jd_spec *spec);

/* Remove the record ID. JD_ERR_NOT_FOUND when there is none. */
jd_status jd_db_delete(jd_db *db, const char *id);

/* Commit the current batch: after JD_OK it survives any crash. */
jd_status jd_db_commit(jd_db *db);

/* Commit automatically once a batch holds this many bytes of record text
 * (default JD_BATCH_BYTES). */
#define JD_BATCH_BYTES ((size_t)4 << 20)
void jd_db_set_batch_bytes(jd_db *db, size_t bytes);

/* Records committed by this handle so far (added or replaced). */
size_t jd_db_committed(const jd_db *db);

/* Number of records (classes) in the index, as last committed. */
jd_status jd_db_count(jd_db *db, size_t *out);

/*
 * The class model (which words tell each class from the others, and a
 * concept space; see indexer/model.h) of an index open for writing, trained on
 * its committed records and committed. jobdex-index calls it after its last
 * batch. An index of fewer than 2 or more than 5,000 classes gets no model (an
 * old one is removed): then *OUT says why and JD_OK is returned. When
 * STOP is not NULL and becomes non-zero (a signal handler's flag),
 * training gives up within a fraction of a second with
 * JD_ERR_INTERRUPTED, leaving the old model (now stale) in place.
 */
struct jd_model_stats {
    bool trained;
    size_t classes, terms, examples;
    size_t concepts;            /* dimensions of its concept space */
    char why_not[160];          /* when not trained */
    char concepts_why_not[120]; /* when trained without concepts */
};
jd_status jd_db_train_model(jd_db *db, const volatile sig_atomic_t *stop,
                            struct jd_model_stats *out);

/*
 * Parallel indexing. The parent opens the index for writing; worker K
 * (a process of its own) opens the path jd_db_shard_path(parent, K) with
 * JD_OPEN_WRITE | JD_OPEN_CREATE, adds its records, commits and frees
 * it; then the parent calls jd_db_merge_shards(), which folds the N
 * shards into the index in one atomic step (Xapian compaction into a new
 * generation of the index directory, swapped in by renaming a file).
 * Give the workers consecutive runs of the inputs: when an id occurs more
 * than once, a later shard wins over an earlier one, as a later input
 * does with one writer, and shards win over the index. Records that
 * replace ones already in the index are re-added one by one after the
 * swap. Readers are never blocked; those open during the swap keep the
 * old generation until they reopen.
 */
/* The path of shard K, created (with its parent) as a directory; a
 * symbolic link at either is refused (JD_ERR_IO, DB's message says
 * which). */
jd_status jd_db_shard_path(jd_db *db, size_t k, char *out, size_t len);

struct jd_merge_stats {
    size_t added;      /* records new to the index */
    size_t replaced;   /* records that replaced ones in the index */
    size_t superseded; /* shard records dropped for a later shard's */
};
jd_status jd_db_merge_shards(jd_db *db, size_t n, struct jd_merge_stats *out);
/* Remove the shards of a parallel run that will not be merged (a worker
 * failed). A writer's jd_db_open() also removes any left by a crash. */
jd_status jd_db_drop_shards(jd_db *db);

/*
 * Check the index at PATH for damage, reading all of it (jobdex-query
 * check): its generation pointer and names (as jd_db_open() does),
 * Xapian's own consistency check (xapian-check) of each database of the
 * current generation, then every stored record: that it parses, that its
 * id term and id value name it, that the items database holds as many
 * items of it as it has, that no item belongs to a class that is not
 * there; and every row of the class model. PROBLEM hears each problem,
 * one line naming the file, database or record. Each step runs in a
 * child process with a CPU-time limit, so damage that crashes libxapian
 * or has it loop is reported as damage, not suffered. DB is a handle
 * from jd_db_new(), left closed. Returns JD_OK when the check ran (*OUT
 * counts what it read and the problems), else why it could not:
 * JD_ERR_NOT_FOUND (no index there), JD_ERR_IO, JD_ERR_NOMEM.
 */
typedef void (*jd_problem_fn)(void *ctx, const char *problem);
struct jd_check_stats {
    unsigned long generation; /* checked: PATH/gN, or 0 for PATH itself */
    size_t databases, records, items, problems;
};
jd_status jd_db_check(jd_db *db, const char *path, jd_problem_fn problem,
                      void *ctx, struct jd_check_stats *out);

/*
 * Fetch the record ID. On success *OUT owns a record (jd_spec_free).
 * JD_ERR_NOT_FOUND when there is none.
 */
jd_status jd_db_get(jd_db *db, const char *id, jd_spec **out);

/* ------------------------------------------------------------------ */
/* Queries                                                             */
/* ------------------------------------------------------------------ */

/* Restrict results. Strings match the slug of the field ("milwaukie",
 * "City of Milwaukie" and "milwaukie" are the same filter); NULL: any. */
struct jd_filter {
    const char *jurisdiction;
    const char *department;
    const char *flsa;
    bool has_grade; /* keep classes whose grade range meets [min, max] */
    double grade_min, grade_max;
};

/* Byte ranges [start, end) of matched words in a text. */
struct jd_span {
    size_t start, end;
};

/* A duty, qualification or other text of a hit, with the query's words
 * marked. */
struct jd_snippet {
    const char *list; /* "duties", "knowledge", ..., "title", "summary" */
    unsigned n;       /* item number (0 for title and summary) */
    const char *kind;
    unsigned line; /* source line of the item; 0 unknown */
    const char *text;
    const struct jd_span *spans;
    size_t nspans;
};

/* Evidence for a match: item N of LIST in the class matched line
 * QUERY_LINE of the query text. */
struct jd_evidence {
    const char *list;
    unsigned n;
    const char *kind;
    unsigned item_line;
    const char *item_text;
    unsigned query_line; /* 1-based line of the query text */
    const char *query_text;
    double similarity;        /* 0..1, cosine of tf-idf weights of stems */
    const char *const *terms; /* shared words, as stems */
    size_t nterms;
};

/* A duty or qualification of the class that the query text does not
 * cover. */
struct jd_gap {
    const char *list;
    unsigned n;
    const char *kind;
    unsigned line;
    const char *text;
};

struct jd_term_weight {
    const char *term; /* stem */
    double weight;    /* its share of the score, 0..1 */
};

/* A result. Its SPEC is the whole record for search, similar and match
 * with explain; for a plain match only the identifying fields (id, code,
 * title, jurisdiction, department, series, pay_grade, flsa) are filled,
 * which keeps batch matching fast. */
struct jd_hit {
    unsigned rank; /* 1-based */
    const jd_spec *spec;
    double score;
    unsigned percent;       /* 0..100, relative to this query's best hit */
    const char *confidence; /* match: "high", "medium" or "review" */
    const struct jd_snippet *snippets;
    size_t nsnippets;
    const struct jd_evidence *evidence;
    size_t nevidence;
    const struct jd_gap *gaps;
    size_t ngaps;
    const struct jd_term_weight *terms; /* the terms that carried the score */
    size_t nterms;
    double coverage; /* match: share of the query's weight the class holds */
    /* match: the class model's probability of this class relative to the
     * most probable class's, 0..1 (1: the model's first choice); -1 when
     * the index has no current model. */
    double model;
    /* match: the class's cosine with the query in the class model's
     * concept space, relative to the nearest class's (1: the nearest);
     * -1 when the index has no current model or it has no concepts. */
    double concepts;
};

typedef struct jd_results jd_results;

size_t jd_results_count(const jd_results *r);
/* Borrowed: valid until jd_results_free(R). */
const struct jd_hit *jd_results_get(const jd_results *r, size_t i);
/* Matching classes in all, as Xapian estimates them (>= count). */
size_t jd_results_total(const jd_results *r);
/* match: how many parts of the text (paragraphs, list items) were ranked
 * on their own besides the whole text; 0 when it was ranked as one. */
size_t jd_results_parts(const jd_results *r);
/* Accepts NULL. */
void jd_results_free(jd_results *r);

/*
 * The most terms a search query or a match keyword list may have: its
 * searchable words (each word of a phrase counts, a wildcard and a
 * filter count one; stop words, operators and field names do not).
 * Up to here a query costs about linearly in its terms (an OR of 64 and
 * of 256 words over CalHR's 3,267 classes: 0.06 and 0.16 s); beyond it,
 * Xapian's matcher, which re-weighs its whole tree of OR branches each
 * time one runs out, costs with their square (1,024 words: 1.1 s; 4,000:
 * 5 s; 8,000: 38 s), and does so sooner on a small index. No query a
 * person types comes near it; a résumé is a match text, whose 32 most
 * informative words are kept whatever its length.
 */
#define JD_QUERY_MAX_TERMS 256

/*
 * Ad-hoc search: QUERY in Xapian's query syntax (words, "phrases", AND,
 * OR, NOT, +, -, ( ), trailing * wildcards, title: duty: qual: summary:
 * other: fields, jurisdiction: department: flsa: code: filters). Words
 * without an operator must all match; a group of only excluded terms
 * ("-web", "-a -b") matches every class but theirs, as "NOT web" does.
 * Up to LIMIT hits, best first, each with up to three snippets. On
 * success *OUT holds the results (jd_results_free); zero hits is still
 * JD_OK. JD_ERR_QUERY_SYNTAX (jd_db_errmsg says why), JD_ERR_TOO_BIG
 * (over JD_QUERY_MAX_TERMS terms), JD_ERR_NOMEM, JD_ERR_CORRUPT,
 * JD_ERR_BACKEND.
 */
jd_status jd_search(jd_db *db, const char *query, const struct jd_filter *f,
                    size_t limit, jd_results **out);

struct jd_match_opts {
    struct jd_filter filter;
    size_t limit;
    bool keywords; /* TEXT is "a, b c, d": comma-separated keywords */
    bool explain;  /* fill evidence, gaps and terms */
    bool whole;    /* rank TEXT as one query only, not also paragraph by
                      paragraph and list item by list item */
    /* For ranking experiments (bench/results/ranking.md): NULL ranks with
     * the shipped weights, the table in query/match/weights.c; else
     * overrides of it, "s.w_title=4,m.k1=2,l.model_weight=0": each
     * ANCHOR.KNOB=NUMBER, the anchors s, m and l being the weights for
     * queries of 2, 10 and 50 content words. Read anew by every call. */
    const char *weights;
};

/*
 * Rank classes against TEXT: a résumé, a job description, a duty
 * statement, a title, or (opts->keywords) a keyword list. On success *OUT
 * holds up to opts->limit hits. JD_ERR_INVALID_ARG when TEXT has no
 * searchable word, or opts->weights names an unknown anchor or knob or
 * has a bad number (jd_db_errmsg names it); JD_ERR_TOO_BIG for a keyword list
 * of more than JD_QUERY_MAX_TERMS words (a text has no such limit: its most
 * informative words are kept); otherwise as jd_search().
 */
jd_status jd_match(jd_db *db, const char *text, size_t len,
                   const struct jd_match_opts *opts, jd_results **out);

/* Classes most like the class ID (by duties and qualifications), with the
 * shared duties as evidence. JD_ERR_NOT_FOUND when there is no ID. */
jd_status jd_similar(jd_db *db, const char *id, const struct jd_filter *f,
                     size_t limit, jd_results **out);

struct jd_count {
    const char *name; /* slug */
    size_t count;
};

typedef struct jd_stats {
    size_t classes, items;
    unsigned format_version;
    unsigned long long bytes; /* on disk */
    const struct jd_count *jurisdictions, *departments, *kinds;
    size_t njurisdictions, ndepartments, nkinds;
    /* The class model jobdex-index trains: "none", "current", or "stale"
     * (a run changed the records and did not retrain it: not used). */
    const char *model;
    size_t model_classes, model_words, model_concepts;
} jd_stats;

/* Counts by jurisdiction, department and item kind; index size and
 * format. On success *OUT is freed with jd_stats_free(). */
jd_status jd_stats_get(jd_db *db, jd_stats **out);
void jd_stats_free(jd_stats *s);

/* ------------------------------------------------------------------ */
/* Duty overlap                                                        */
/* ------------------------------------------------------------------ */

/* Whose duties may overlap: items of different departments (the
 * department a spec states, else its series, else the class itself), of
 * different jurisdictions, or of different classes. Two items of one class
 * never count. */
enum jd_across {
    JD_ACROSS_DEPARTMENT,
    JD_ACROSS_JURISDICTION,
    JD_ACROSS_CLASS,
};

/* Similarity (tf-idf cosine over stems, 0..1) for near-identical
 * wording, the default threshold, and the one README recommends for
 * related (not identical) work. */
#define JD_OVERLAP_IDENTICAL 0.8
#define JD_OVERLAP_DEFAULT   0.5
#define JD_OVERLAP_RELATED   0.3
/* An item is boilerplate when items near-identical to it (similarity >=
 * JD_OVERLAP_IDENTICAL) appear in at least this share of all classes, and
 * in at least JD_BOILERPLATE_MIN classes. */
#define JD_BOILERPLATE_SHARE 0.05
#define JD_BOILERPLATE_MIN   3

struct jd_overlap_opts {
    double min_similarity; /* pairs at least this similar are grouped */
    enum jd_across across;
    bool qualifications; /* compare qualification items too */
    double boilerplate_share;
    size_t boilerplate_min;
    struct jd_filter filter; /* jurisdiction and department only */
};

struct jd_overlap_member {
    const char *id, *title, *jurisdiction;
    const char *department; /* as grouped: department, else series */
    const char *list, *kind, *text;
    unsigned n, line;
    double similarity; /* to the group's centre; 1 for the centre */
};

struct jd_overlap_group {
    const struct jd_overlap_member *members; /* centre first */
    size_t n;
    size_t classes, departments, jurisdictions; /* distinct */
    double share; /* boilerplate: share of all classes it appears in */
};

/* Number of groups that items of A and of B both belong to. */
struct jd_overlap_cell {
    const char *a, *b; /* departments or jurisdictions, a < b */
    size_t count;
};

typedef struct jd_overlap {
    const struct jd_overlap_group *groups; /* by size, then spread */
    size_t ngroups;
    const struct jd_overlap_group *boilerplate;
    size_t nboilerplate;
    const struct jd_overlap_cell *matrix; /* by count */
    size_t nmatrix;
    size_t items, classes, pairs; /* compared, classes in scope, pairs */
} jd_overlap;

/*
 * Find items (duties, and with opts->qualifications qualifications) that
 * say the same thing in different departments, jurisdictions or classes,
 * grouped; and boilerplate apart. Every item is compared with every item
 * it shares a word with, through an inverted index in memory, never all
 * pairs. On success *OUT is freed with jd_overlap_free().
 */
jd_status jd_overlap_find(jd_db *db, const struct jd_overlap_opts *opts,
                          jd_overlap **out);
void jd_overlap_free(jd_overlap *o);

/* The version of the on-disk format this library reads and writes. */
#define JD_INDEX_FORMAT_VERSION 2

#ifdef __cplusplus
}
#endif

#endif /* JOBDEX_H */
