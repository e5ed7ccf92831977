/*
 * spec_onet.c: the O*NET importer. Each file is read once, row by row;
 * occupations are kept in an array sorted by code (about a thousand) and
 * found by binary search, so the whole import takes well under a second.
 * Columns are found by their header names, not positions, so the
 * importer survives O*NET adding or reordering columns.
 */
#include "indexer/spec/from_onet.h"

#include "indexer/spec/record.h"
#include "indexer/text/analyze.h"
#include "indexer/util/buf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { ONET_MAX_COLS = 32 };

/* Knowledge and skills at or above this importance (1-5) become
 * qualifications: "important" and up on O*NET's scale. */
#define ONET_MIN_IMPORTANCE 3.0

struct occ {
    char code[16];
    jd_spec *spec;
    bool has_tasks;
};

struct onet {
    const char *dir;
    struct occ *occ;
    size_t n, cap;
    char *msg;
    size_t msglen;
    jd_buf norm;
    /* Element ID -> description, for knowledge and skill items. */
    char **elem_id, **elem_desc;
    size_t nelem, elem_cap;
};

struct row {
    char *col[ONET_MAX_COLS];
    size_t n;
};

typedef jd_status (*row_fn)(struct onet *o, const int *cols,
                            const struct row *r);

static int
cmp_occ(const void *a, const void *b)
{
    return strcmp(((const struct occ *)a)->code, ((const struct occ *)b)->code);
}

static struct occ *
find_occ(struct onet *o, const char *code)
{
    struct occ key;
    memset(&key, 0, sizeof(key));
    snprintf(key.code, sizeof(key.code), "%s", code);
    return bsearch(&key, o->occ, o->n, sizeof(*o->occ), cmp_occ);
}

static void
split_row(char *line, struct row *r)
{
    r->n = 0;
    size_t len = strlen(line);
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        line[--len] = '\0';
    char *p = line;
    while (r->n < ONET_MAX_COLS) {
        r->col[r->n++] = p;
        char *tab = strchr(p, '\t');
        if (!tab)
            break;
        *tab = '\0';
        p = tab + 1;
    }
}

/*
 * Read DIR/NAME (".txt" or ".tsv"), find the columns WANT[0..NWANT) in its
 * header and call FN for each row with their indexes in COLS. A missing
 * optional file is skipped.
 */
static jd_status
read_table(struct onet *o, const char *name, bool required,
           const char *const *want, size_t nwant, row_fn fn)
{
    char path[4096];
    FILE *f = NULL;
    static const char *const exts[] = {".txt", ".tsv"};
    for (size_t e = 0; e < 2 && !f; e++) {
        snprintf(path, sizeof(path), "%s/%s%s", o->dir, name, exts[e]);
        f = fopen(path, "r");
    }
    if (!f) {
        if (!required)
            return JD_OK;
        snprintf(o->msg, o->msglen, "missing '%s.txt' (or .tsv)", name);
        return JD_ERR_INVALID_ARG;
    }
    char *line = NULL;
    size_t cap = 0;
    jd_status st = JD_OK;
    int cols[ONET_MAX_COLS];
    struct row r;
    if (getline(&line, &cap, f) < 0) {
        snprintf(o->msg, o->msglen, "'%s': empty file", path);
        st = JD_ERR_INVALID_ARG;
    } else {
        split_row(line, &r);
        for (size_t w = 0; w < nwant; w++) {
            cols[w] = -1;
            for (size_t c = 0; c < r.n; c++)
                if (strcmp(r.col[c], want[w]) == 0)
                    cols[w] = (int)c;
            if (cols[w] < 0) {
                snprintf(o->msg, o->msglen, "'%s': no column '%s'", path,
                         want[w]);
                st = JD_ERR_INVALID_ARG;
            }
        }
    }
    unsigned no = 1;
    while (st == JD_OK && getline(&line, &cap, f) >= 0) {
        no++;
        split_row(line, &r);
        bool ok = true;
        for (size_t w = 0; w < nwant; w++)
            ok &= (size_t)cols[w] < r.n;
        if (!ok)
            continue; /* a short row: nothing to take from it */
        if (analyze_utf8_invalid_at(line, strlen(line)) < strlen(line))
            continue;
        st = fn(o, cols, &r);
        if (st == JD_ERR_INVALID_ARG)
            snprintf(o->msg, o->msglen, "'%s' line %u: bad row", path, no);
    }
    if (st == JD_OK && ferror(f)) {
        snprintf(o->msg, o->msglen, "'%s': %s", path, strerror(errno));
        st = JD_ERR_IO;
    }
    free(line);
    fclose(f);
    return st;
}

/* Text through the same normalisation as every other input. */
static const char *
norm(struct onet *o, const char *text)
{
    buf_clear(&o->norm);
    if (analyze_normalize(text, strlen(text), &o->norm) != JD_OK)
        return NULL;
    return o->norm.data ? o->norm.data : "";
}

static jd_status
on_occupation(struct onet *o, const int *c, const struct row *r)
{
    if (o->n == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 1024;
        struct occ *v = realloc(o->occ, cap * sizeof(*v));
        if (!v)
            return JD_ERR_NOMEM;
        o->occ = v;
        o->cap = cap;
    }
    struct occ *x = &o->occ[o->n];
    memset(x, 0, sizeof(*x));
    snprintf(x->code, sizeof(x->code), "%s", r->col[c[0]]);
    jd_status st = spec_new(&x->spec);
    if (st != JD_OK)
        return st;
    o->n++;
    jd_spec *s = x->spec;
    char id[64];
    snprintf(id, sizeof(id), "onet/%s", x->code);
    const char *t;
    if ((st = spec_set(s, &s->id, id, strlen(id))) != JD_OK ||
        (st = spec_set(s, &s->code, x->code, strlen(x->code))) != JD_OK ||
        (st = spec_set(s, &s->jurisdiction, "O*NET", 5)) != JD_OK)
        return st;
    if (!(t = norm(o, r->col[c[1]])) ||
        (st = spec_set(s, &s->title, t, strlen(t))) != JD_OK)
        return st ? st : JD_ERR_NOMEM;
    if (!(t = norm(o, r->col[c[2]])) ||
        (st = spec_set(s, &s->summary, t, strlen(t))) != JD_OK)
        return st ? st : JD_ERR_NOMEM;
    return JD_OK;
}

static jd_status
on_task(struct onet *o, const int *c, const struct row *r)
{
    struct occ *x = find_occ(o, r->col[c[0]]);
    if (!x)
        return JD_OK;
    const char *type = r->col[c[2]];
    const char *kind =
        strcmp(type, "Supplemental") == 0 ? "supplemental" : "core";
    const char *t = norm(o, r->col[c[1]]);
    if (!t)
        return JD_ERR_NOMEM;
    x->has_tasks = true;
    return spec_add_item(x->spec, &x->spec->duties,
                         (unsigned)x->spec->duties.len + 1, kind, t, strlen(t),
                         0);
}

static jd_status
on_alt_title(struct onet *o, const int *c, const struct row *r)
{
    struct occ *x = find_occ(o, r->col[c[0]]);
    if (!x)
        return JD_OK;
    const char *t = norm(o, r->col[c[1]]);
    if (!t)
        return JD_ERR_NOMEM;
    return spec_add_str(x->spec, &x->spec->alt_titles, t, strlen(t));
}

static jd_status
on_element(struct onet *o, const int *c, const struct row *r)
{
    if (o->nelem == o->elem_cap) {
        size_t cap = o->elem_cap ? o->elem_cap * 2 : 256;
        char **ids = realloc(o->elem_id, cap * sizeof(*ids));
        if (!ids)
            return JD_ERR_NOMEM;
        o->elem_id = ids;
        char **descs = realloc(o->elem_desc, cap * sizeof(*descs));
        if (!descs)
            return JD_ERR_NOMEM;
        o->elem_desc = descs;
        o->elem_cap = cap;
    }
    o->elem_id[o->nelem] = strdup(r->col[c[0]]);
    o->elem_desc[o->nelem] = strdup(r->col[c[1]]);
    if (!o->elem_id[o->nelem] || !o->elem_desc[o->nelem]) {
        free(o->elem_id[o->nelem]);
        free(o->elem_desc[o->nelem]);
        return JD_ERR_NOMEM;
    }
    o->nelem++;
    return JD_OK;
}

static const char *
element_desc(const struct onet *o, const char *id)
{
    for (size_t i = 0; i < o->nelem; i++)
        if (strcmp(o->elem_id[i], id) == 0)
            return o->elem_desc[i];
    return NULL;
}

/* A knowledge or skill row: "Administration and Management: Knowledge of
 * business and management principles ...". */
static jd_status
add_rated(struct onet *o, const int *c, const struct row *r, bool knowledge)
{
    if (strcmp(r->col[c[2]], "IM") != 0)
        return JD_OK;
    if (strtod(r->col[c[3]], NULL) < ONET_MIN_IMPORTANCE)
        return JD_OK;
    struct occ *x = find_occ(o, r->col[c[0]]);
    if (!x)
        return JD_OK;
    char text[1024];
    const char *desc = element_desc(o, r->col[c[4]]);
    if (desc)
        snprintf(text, sizeof(text), "%s: %s", r->col[c[1]], desc);
    else
        snprintf(text, sizeof(text), "%s", r->col[c[1]]);
    const char *t = norm(o, text);
    if (!t)
        return JD_ERR_NOMEM;
    struct jd_item_list *list =
        knowledge ? &x->spec->knowledge : &x->spec->skills;
    return spec_add_item(x->spec, list, (unsigned)list->len + 1,
                         knowledge ? "knowledge" : "skill", t, strlen(t), 0);
}

static jd_status
on_knowledge(struct onet *o, const int *c, const struct row *r)
{
    return add_rated(o, c, r, true);
}

static jd_status
on_skill(struct onet *o, const int *c, const struct row *r)
{
    return add_rated(o, c, r, false);
}

static jd_status
on_job_zone(struct onet *o, const int *c, const struct row *r)
{
    struct occ *x = find_occ(o, r->col[c[0]]);
    if (!x)
        return JD_OK;
    return spec_set_grade(x->spec, r->col[c[1]], strlen(r->col[c[1]]));
}

static jd_status
on_technology(struct onet *o, const int *c, const struct row *r)
{
    if (strcmp(r->col[c[2]], "Y") != 0)
        return JD_OK;
    struct occ *x = find_occ(o, r->col[c[0]]);
    if (!x)
        return JD_OK;
    const char *t = norm(o, r->col[c[1]]);
    if (!t)
        return JD_ERR_NOMEM;
    return spec_add_str(x->spec, &x->spec->tools, t, strlen(t));
}

/* SOC major groups ("11-0000" -> "Management Occupations") as the
 * department of each occupation. */
static jd_status
read_soc_majors(struct onet *o)
{
    char path[4096];
    FILE *f = NULL;
    const char *const up[] = {"", "/.."};
    for (size_t i = 0; i < 2 && !f; i++) {
        snprintf(path, sizeof(path), "%s%s/soc_structure_2018.tsv", o->dir,
                 up[i]);
        f = fopen(path, "r");
    }
    if (!f)
        return JD_OK; /* departments are a nicety, not a requirement */
    char *line = NULL;
    size_t cap = 0;
    jd_status st = JD_OK;
    while (st == JD_OK && getline(&line, &cap, f) >= 0) {
        struct row r;
        split_row(line, &r);
        /* "11-0000<TAB><TAB><TAB><TAB>Management Occupations" */
        if (r.n < 5 || strlen(r.col[0]) != 7 ||
            strcmp(r.col[0] + 2, "-0000") != 0)
            continue;
        const char *title = r.col[r.n - 1][0] ? r.col[r.n - 1] : r.col[4];
        for (size_t i = 0; i < o->n && st == JD_OK; i++)
            if (strncmp(o->occ[i].code, r.col[0], 2) == 0)
                st = spec_set(o->occ[i].spec, &o->occ[i].spec->department,
                              title, strlen(title));
    }
    free(line);
    fclose(f);
    return st;
}

bool
spec_onet_is_dir(const char *dir)
{
    char path[4096];
    struct stat sb;
    snprintf(path, sizeof(path), "%s/Occupation Data.txt", dir);
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

static void
onet_free(struct onet *o)
{
    for (size_t i = 0; i < o->n; i++)
        jd_spec_free(o->occ[i].spec);
    free(o->occ);
    for (size_t i = 0; i < o->nelem; i++) {
        free(o->elem_id[i]);
        free(o->elem_desc[i]);
    }
    free(o->elem_id);
    free(o->elem_desc);
    jd_buf_free(&o->norm);
}

jd_status
spec_onet_import(const char *dir, const struct jd_parse_opts *opts,
                 const struct jd_parse_sink *sink, char *msg, size_t msglen)
{
    struct onet o;
    memset(&o, 0, sizeof(o));
    o.dir = dir;
    o.msg = msg;
    o.msglen = msglen;

    static const char *const occ_cols[] = {"O*NET-SOC Code", "Title",
                                           "Description"};
    static const char *const task_cols[] = {"O*NET-SOC Code", "Task",
                                            "Task Type"};
    static const char *const alt_cols[] = {"O*NET-SOC Code", "Alternate Title"};
    static const char *const elem_cols[] = {"Element ID", "Description"};
    static const char *const rated_cols[] = {"O*NET-SOC Code", "Element Name",
                                             "Scale ID", "Data Value",
                                             "Element ID"};
    static const char *const zone_cols[] = {"O*NET-SOC Code", "Job Zone"};
    static const char *const tech_cols[] = {"O*NET-SOC Code", "Example",
                                            "Hot Technology"};

    jd_status st =
        read_table(&o, "Occupation Data", true, occ_cols, 3, on_occupation);
    if (st == JD_OK && o.n > 1)
        qsort(o.occ, o.n, sizeof(*o.occ), cmp_occ);
    if (st == JD_OK)
        st = read_table(&o, "Task Statements", true, task_cols, 3, on_task);
    if (st == JD_OK)
        st = read_table(&o, "Alternate Titles", false, alt_cols, 2,
                        on_alt_title);
    if (st == JD_OK)
        st = read_table(&o, "Content Model Reference", false, elem_cols, 2,
                        on_element);
    if (st == JD_OK)
        st = read_table(&o, "Knowledge", false, rated_cols, 5, on_knowledge);
    if (st == JD_OK)
        st = read_table(&o, "Skills", false, rated_cols, 5, on_skill);
    if (st == JD_OK)
        st = read_table(&o, "Job Zones", false, zone_cols, 2, on_job_zone);
    if (st == JD_OK)
        st = read_table(&o, "Technology Skills", false, tech_cols, 3,
                        on_technology);
    if (st == JD_OK)
        st = read_soc_majors(&o);

    /*
     * An occupation without task statements is still a code job titles
     * are coded to: O*NET's "All Other" residual classes and the military
     * ones hold some 10% of its alternate titles (5,613 in 29.3, 1,897 of
     * them "Production Workers, All Other"). It is imported when it has
     * alternate titles, with its title, description and qualifications,
     * unless the user asked for task-described occupations only.
     */
    for (size_t i = 0; i < o.n && st == JD_OK; i++) {
        struct occ *x = &o.occ[i];
        bool titled = x->spec->alt_titles.len > 0;
        if (!x->has_tasks && (!titled || (opts && opts->onet_tasks_only)))
            continue;
        char source[4096];
        snprintf(source, sizeof(source), "%s/%s", dir,
                 x->has_tasks ? "Task Statements.txt" : "Occupation Data.txt");
        if ((st = spec_set(x->spec, &x->spec->source_file, source,
                           strlen(source))) != JD_OK)
            break;
        jd_spec *s = x->spec;
        x->spec = NULL; /* the sink owns it now */
        st = spec_emit(sink, s, source, 0);
    }
    if (st == JD_ERR_NOMEM)
        snprintf(msg, msglen, "out of memory");
    onet_free(&o);
    return st;
}
