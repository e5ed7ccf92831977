/*
 * stats.c: jd_stats_get(): what an index holds, from the document counts
 * of its filter terms (no document is read).
 */
#include "jobdex.h"

#include "indexer/model/model.h"
#include "indexer/store/db.h"
#include "indexer/store/schema.h"
#include "indexer/util/arena.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct stats_impl {
    jd_stats pub;
    struct arena *mem;
};

struct count_list {
    struct jd_count *v;
    size_t n, cap;
    struct arena *mem;
    size_t prefix_len;
};

static int
add_count(void *ctx, const char *term, size_t len, size_t freq)
{
    struct count_list *c = ctx;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 32;
        struct jd_count *v = realloc(c->v, cap * sizeof(*v));
        if (!v)
            return 1;
        c->v = v;
        c->cap = cap;
    }
    const char *name =
        arena_strndup(c->mem, term + c->prefix_len, len - c->prefix_len);
    if (!name)
        return 1;
    c->v[c->n++] = (struct jd_count){name, freq};
    return 0;
}

static int
by_count(const void *x, const void *y)
{
    const struct jd_count *a = x, *b = y;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return strcmp(a->name, b->name);
}

static jd_status
counts(jd_db *db, struct xs_db *x, const char *prefix, struct arena *mem,
       const struct jd_count **out, size_t *n)
{
    struct count_list c = {NULL, 0, 0, mem, strlen(prefix)};
    jd_status st =
        xs_allterms(x, prefix, add_count, &c, db->msg, sizeof(db->msg));
    if (st == JD_OK && c.n > 1)
        qsort(c.v, c.n, sizeof(*c.v), by_count);
    struct jd_count *v = NULL;
    if (st == JD_OK && c.n > 0) {
        v = arena_alloc(mem, c.n * sizeof(*v));
        if (v)
            memcpy(v, c.v, c.n * sizeof(*v));
        else
            st = JD_ERR_NOMEM;
    }
    free(c.v);
    *out = v;
    *n = st == JD_OK ? c.n : 0;
    return st;
}

/* Bytes of the files directly in DIR and its subdirectories. */
/* NOLINTBEGIN(misc-no-recursion): DEPTH < 2 stops it two levels down. */
static unsigned long long
dir_bytes(const char *dir, int depth)
{
    unsigned long long total = 0;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char path[4400];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        struct stat sb;
        if (lstat(path, &sb) != 0)
            continue;
        if (S_ISDIR(sb.st_mode) && depth < 2)
            total += dir_bytes(path, depth + 1);
        else if (S_ISREG(sb.st_mode))
            total += (unsigned long long)sb.st_size;
    }
    closedir(d);
    return total;
}
/* NOLINTEND(misc-no-recursion) */

static jd_status
stats_read(jd_db *db, void *ctx)
{
    jd_stats **out = ctx;
    *out = NULL;
    struct stats_impl *s = calloc(1, sizeof(*s));
    if (!s || !(s->mem = arena_new())) {
        free(s);
        return JD_ERR_NOMEM;
    }
    jd_stats *p = &s->pub;
    jd_status st =
        xs_doccount(db->classes, &p->classes, db->msg, sizeof(db->msg));
    if (st == JD_OK)
        st = xs_doccount(db->items, &p->items, db->msg, sizeof(db->msg));
    if (st == JD_OK)
        st = counts(db, db->classes, PREFIX_JURISDICTION, s->mem,
                    &p->jurisdictions, &p->njurisdictions);
    if (st == JD_OK)
        st = counts(db, db->classes, PREFIX_DEPARTMENT, s->mem, &p->departments,
                    &p->ndepartments);
    if (st == JD_OK)
        st = counts(db, db->items, PREFIX_LIST, s->mem, &p->kinds, &p->nkinds);
    struct model_info mi = {.state = "none"};
    if (st == JD_OK)
        st = model_info(db, &mi);
    p->model = mi.state;
    p->model_classes = mi.classes;
    p->model_words = mi.terms;
    p->model_concepts = mi.concepts;
    p->format_version = JD_INDEX_FORMAT_VERSION;
    p->bytes = dir_bytes(db->base, 0);
    if (st != JD_OK) {
        jd_stats_free(p);
        return st;
    }
    *out = p;
    return JD_OK;
}

jd_status
jd_stats_get(jd_db *db, jd_stats **out)
{
    return db_read(db, stats_read, out);
}

void
jd_stats_free(jd_stats *s)
{
    if (!s)
        return;
    struct stats_impl *impl = (struct stats_impl *)s;
    arena_free(impl->mem);
    free(impl);
}
