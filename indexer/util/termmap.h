/*
 * termmap.h: a small hash map from a term (bytes) to a number, for
 * query term counts, idf caches and tf-idf vectors. Keys are copied.
 */
#ifndef JD_TERMMAP_H
#define JD_TERMMAP_H

#include "jobdex.h"

#include <stddef.h>

struct termmap_entry {
    char *key;
    size_t len;
    double value;
};

struct termmap {
    struct termmap_entry *slots;
    size_t cap; /* power of two, 0 when empty */
    size_t n;
};

/* The entry for KEY, added with VALUE 0 when absent; NULL when out of
 * memory. */
struct termmap_entry *termmap_get(struct termmap *m, const char *key,
                                  size_t len);
/* The entry for KEY or NULL. */
const struct termmap_entry *termmap_find(const struct termmap *m,
                                         const char *key, size_t len);
void termmap_clear(struct termmap *m);
void termmap_free(struct termmap *m);

/* Iterate: for (i = 0; (e = termmap_next(m, &i)); ) */
const struct termmap_entry *termmap_next(const struct termmap *m, size_t *i);

#endif
