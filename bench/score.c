/*
 * score: ranking quality of one results file against one query set, for
 * bench/eval.sh.
 *
 *   score SET.jsonl RESULTS.jsonl
 *       prints "top1=0.xxxx top5=0.xxxx mrr10=0.xxxx n=NNN"
 *   score --queries SET.jsonl
 *       prints each query as {"id", "text"} only, so the systems under
 *       test never see the answers or other keys of the set
 *   score --compose-resumes TASKS.jsonl TITLES.jsonl
 *       prints a set of short résumés built from two sets: per answer
 *       code of TASKS, in order, the first title of TITLES with that code
 *       among its answers, then that code's task statements as "- " list
 *       items, one a line; a code with one part only (a task and no
 *       title) is left out. Both sets' texts are withheld from the index,
 *       so the résumés are too.
 *   score --compose-self RECORDS.jsonl EVERY
 *       prints a set of whole spec files as queries: RECORDS is
 *       `jobdex-index --dump` output; of the files its records came from
 *       (in order), every EVERY-th, from the first, becomes a query whose
 *       text is the file and whose answers are the codes of the classes
 *       parsed from it. A spec given as the query should find itself.
 *
 * SET lines are {"id", "text", "answers": [codes], ...}; RESULTS lines are
 * {"query": id, "results": [{"code", ...}, ...]} best first, one per SET
 * line in the same order (what `jobdex-query match --batch` and
 * baseline_bm25 write). A result is correct when its "code" is one of the
 * answers. A line with "error" has no results, so it counts as a miss
 * rather than being dropped, which would flatter the system.
 *
 * Exit status: 0 ok, 2 usage error, 3 bad input (mismatched ids or line
 * counts, malformed JSON): a wrong pairing must never yield a score.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#define PROG "score"

struct file {
    const char *path;
    FILE *fp;
    size_t lineno; /* of the line last read, 1-based */
    char *line;    /* getline() buffer */
    size_t cap;    /* bytes allocated for line */
};

static void
fail(const struct file *f, const char *why)
{
    fprintf(stderr, PROG ": '%s' line %zu: %s\n", f->path, f->lineno, why);
    exit(3);
}

static void
file_open(struct file *f, const char *path)
{
    f->path = path;
    f->lineno = 0;
    f->line = NULL;
    f->cap = 0;
    f->fp = fopen(path, "r");
    if (f->fp == NULL) {
        fprintf(stderr, PROG ": cannot open '%s': %s\n", path, strerror(errno));
        exit(3);
    }
}

static void
file_close(struct file *f)
{
    fclose(f->fp);
    free(f->line);
}

/*
 * The next non-blank line of F parsed as a JSON object, or NULL at end of
 * file. Blank lines are skipped in both files alike, so pairing by order
 * still holds.
 */
static json_t *
next_object(struct file *f)
{
    ssize_t len;

    while ((len = getline(&f->line, &f->cap, f->fp)) != -1) {
        f->lineno++;
        if (strspn(f->line, " \t\r\n") == (size_t)len)
            continue;
        json_error_t err;
        json_t *obj = json_loadb(f->line, (size_t)len, 0, &err);
        if (!json_is_object(obj))
            fail(f, obj ? "not a JSON object" : err.text);
        return obj;
    }
    if (ferror(f->fp))
        fail(f, "read error");
    return NULL;
}

static bool
is_answer(const json_t *answers, const char *code)
{
    size_t i;
    const json_t *a;

    json_array_foreach(answers, i, a)
    {
        if (json_is_string(a) && strcmp(json_string_value(a), code) == 0)
            return true;
    }
    return false;
}

/* Rank (1-based) of the first correct result, or 0 when none is. */
static size_t
first_correct(const struct file *rf, const json_t *results,
              const json_t *answers)
{
    size_t i;
    const json_t *r;

    json_array_foreach(results, i, r)
    {
        const char *code = json_string_value(json_object_get(r, "code"));
        if (code == NULL)
            fail(rf, "result without a \"code\"");
        if (is_answer(answers, code))
            return i + 1;
    }
    return 0;
}

static int
score(const char *set_path, const char *results_path)
{
    struct file sf, rf;
    size_t n = 0, top1 = 0, top5 = 0, errors = 0;
    double rr = 0.0; /* sum of reciprocal ranks within the top 10 */
    json_t *q;

    file_open(&sf, set_path);
    file_open(&rf, results_path);
    while ((q = next_object(&sf)) != NULL) {
        json_t *r = next_object(&rf);
        if (r == NULL)
            fail(&rf, "ends before the query set does");
        if (!json_equal(json_object_get(q, "id"), json_object_get(r, "query")))
            fail(&rf, "\"query\" does not match the set's \"id\" on the "
                      "same line: files are not in the same order");
        const json_t *answers = json_object_get(q, "answers");
        const json_t *results = json_object_get(r, "results");
        if (!json_is_array(answers))
            fail(&sf, "query without \"answers\"");
        if (json_object_get(r, "error") != NULL)
            errors++;
        else if (!json_is_array(results))
            fail(&rf, "line without \"results\" or \"error\"");

        size_t rank = first_correct(&rf, results, answers);
        top1 += rank == 1;
        top5 += rank >= 1 && rank <= 5;
        if (rank >= 1 && rank <= 10)
            rr += 1.0 / (double)rank;
        n++;
        json_decref(q);
        json_decref(r);
    }
    q = next_object(&rf);
    if (q != NULL)
        fail(&rf, "has more lines than the query set");
    file_close(&sf);
    file_close(&rf);
    if (n == 0) {
        fprintf(stderr, PROG ": '%s': no queries\n", set_path);
        return 3;
    }
    if (errors > 0)
        fprintf(stderr, PROG ": '%s': %zu of %zu lines are errors (misses)\n",
                results_path, errors, n);
    double dn = (double)n;
    printf("top1=%.4f top5=%.4f mrr10=%.4f n=%zu\n", (double)top1 / dn,
           (double)top5 / dn, rr / dn, n);
    return 0;
}

static int
print_queries(const char *set_path)
{
    struct file sf;
    json_t *q;

    file_open(&sf, set_path);
    while ((q = next_object(&sf)) != NULL) {
        json_t *id = json_object_get(q, "id");
        json_t *text = json_object_get(q, "text");
        if (id == NULL || !json_is_string(text))
            fail(&sf, "query without \"id\" or \"text\"");
        json_t *out = json_pack("{s:O,s:O}", "id", id, "text", text);
        if (out == NULL || json_dumpf(out, stdout, JSON_COMPACT) != 0)
            fail(&sf, "cannot write the query");
        putchar('\n');
        json_decref(out);
        json_decref(q);
    }
    file_close(&sf);
    return 0;
}

/* The "answers" of query Q: an array of strings, else fail. */
static json_t *
answers_of(const struct file *f, json_t *q)
{
    json_t *answers = json_object_get(q, "answers");
    if (!json_is_array(answers) || json_array_size(answers) == 0)
        fail(f, "query without \"answers\"");
    for (size_t i = 0; i < json_array_size(answers); i++)
        if (!json_is_string(json_array_get(answers, i)))
            fail(f, "an answer is not a string");
    return answers;
}

/* Append VALUE to GROUPS[KEY], an array made on first use; KEYS lists
 * the keys in that order. */
static void
group_add(json_t *groups, json_t *keys, const char *key, json_t *value)
{
    json_t *list = json_object_get(groups, key);
    if (!list) {
        list = json_array();
        json_object_set_new(groups, key, list);
        json_array_append_new(keys, json_string(key));
    }
    json_array_append(list, value);
}

static int
compose_resumes(const char *tasks_path, const char *titles_path)
{
    struct file tf, sf;
    json_t *q;
    json_t *title_of = json_object(); /* code -> first title */
    json_t *tasks_of = json_object(); /* code -> [task texts] */
    json_t *codes = json_array();     /* in order of first task */
    if (!title_of || !tasks_of || !codes) {
        fprintf(stderr, PROG ": out of memory\n");
        return 3;
    }

    file_open(&sf, titles_path);
    while ((q = next_object(&sf)) != NULL) {
        json_t *text = json_object_get(q, "text");
        json_t *answers = answers_of(&sf, q);
        if (!json_is_string(text))
            fail(&sf, "query without \"text\"");
        for (size_t i = 0; i < json_array_size(answers); i++) {
            const char *code = json_string_value(json_array_get(answers, i));
            if (!json_object_get(title_of, code))
                json_object_set(title_of, code, text);
        }
        json_decref(q);
    }
    file_close(&sf);

    file_open(&tf, tasks_path);
    while ((q = next_object(&tf)) != NULL) {
        json_t *text = json_object_get(q, "text");
        if (!json_is_string(text))
            fail(&tf, "query without \"text\"");
        const char *code =
            json_string_value(json_array_get(answers_of(&tf, q), 0));
        group_add(tasks_of, codes, code, text);
        json_decref(q);
    }
    file_close(&tf);

    for (size_t i = 0; i < json_array_size(codes); i++) {
        const char *code = json_string_value(json_array_get(codes, i));
        json_t *title = json_object_get(title_of, code);
        json_t *list = json_object_get(tasks_of, code);
        if (!title && json_array_size(list) < 2)
            continue;
        size_t len = title ? json_string_length(title) : 0;
        for (size_t k = 0; k < json_array_size(list); k++)
            len += 3 + json_string_length(json_array_get(list, k));
        char *text = malloc(len + 1), *p = text;
        if (!text) {
            fprintf(stderr, PROG ": out of memory\n");
            return 3;
        }
        if (title)
            p += sprintf(p, "%s", json_string_value(title));
        for (size_t k = 0; k < json_array_size(list); k++)
            p += sprintf(p, "%s- %s", p == text ? "" : "\n",
                         json_string_value(json_array_get(list, k)));
        json_t *out = json_pack("{s:s+,s:s,s:[s]}", "id", "resume-", code,
                                "text", text, "answers", code);
        free(text);
        if (out == NULL || json_dumpf(out, stdout, JSON_COMPACT) != 0) {
            fprintf(stderr, PROG ": cannot write a résumé\n");
            return 3;
        }
        putchar('\n');
        json_decref(out);
    }
    json_decref(codes);
    json_decref(tasks_of);
    json_decref(title_of);
    return 0;
}

/* The contents of PATH, NUL-terminated, or NULL (with a message). */
static char *
slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        fprintf(stderr, PROG ": cannot open '%s': %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 65536, n = 0, got;
    char *buf = malloc(cap + 1);
    while (buf && (got = fread(buf + n, 1, cap - n, fp)) > 0) {
        n += got;
        if (n == cap) {
            char *more = realloc(buf, cap * 2 + 1);
            if (!more) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = more;
            cap *= 2;
        }
    }
    fclose(fp);
    if (buf) {
        buf[n] = '\0';
        *len = n;
    }
    return buf;
}

static int
compose_self(const char *records_path, const char *every_arg)
{
    char *end;
    long every = strtol(every_arg, &end, 10);
    if (*end || every < 1) {
        fprintf(stderr, PROG ": EVERY must be a whole number >= 1\n");
        return 2;
    }
    struct file rf;
    json_t *r;
    json_t *codes_of = json_object(); /* file -> [codes] */
    json_t *files = json_array();     /* in order of first record */
    if (!codes_of || !files) {
        fprintf(stderr, PROG ": out of memory\n");
        return 3;
    }
    file_open(&rf, records_path);
    while ((r = next_object(&rf)) != NULL) {
        json_t *code = json_object_get(r, "code");
        const char *file = json_string_value(
            json_object_get(json_object_get(r, "source"), "file"));
        if (!json_is_string(code) || !file)
            fail(&rf, "record without \"code\" or \"source\".\"file\"");
        group_add(codes_of, files, file, code);
        json_decref(r);
    }
    file_close(&rf);

    int rc = 0;
    for (size_t i = 0; i < json_array_size(files); i += (size_t)every) {
        const char *file = json_string_value(json_array_get(files, i));
        size_t len;
        char *text = slurp(file, &len);
        if (!text) {
            rc = 3;
            break;
        }
        const char *base = strrchr(file, '/');
        json_t *out = json_pack("{s:s+,s:s%,s:O}", "id", "self-",
                                base ? base + 1 : file, "text", text, len,
                                "answers", json_object_get(codes_of, file));
        free(text);
        if (out == NULL) { /* not UTF-8: jobdex-index would not read it */
            fprintf(stderr, PROG ": '%s' left out: not UTF-8 text\n", file);
            continue;
        }
        if (json_dumpf(out, stdout, JSON_COMPACT) != 0) {
            fprintf(stderr, PROG ": cannot write a query\n");
            rc = 3;
            break;
        }
        putchar('\n');
        json_decref(out);
    }
    json_decref(files);
    json_decref(codes_of);
    return rc;
}

int
main(int argc, char **argv)
{
    int rc;

    if (argc == 3 && strcmp(argv[1], "--queries") == 0)
        rc = print_queries(argv[2]);
    else if (argc == 4 && strcmp(argv[1], "--compose-resumes") == 0)
        rc = compose_resumes(argv[2], argv[3]);
    else if (argc == 4 && strcmp(argv[1], "--compose-self") == 0)
        rc = compose_self(argv[2], argv[3]);
    else if (argc == 3 && argv[1][0] != '-')
        rc = score(argv[1], argv[2]);
    else {
        fprintf(stderr, "usage: " PROG " SET.jsonl RESULTS.jsonl\n"
                        "       " PROG " --queries SET.jsonl\n"
                        "       " PROG " --compose-resumes TASKS.jsonl "
                        "TITLES.jsonl\n"
                        "       " PROG " --compose-self RECORDS.jsonl "
                        "EVERY\n");
        return 2;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, PROG ": cannot write output\n");
        return 3;
    }
    return rc;
}
