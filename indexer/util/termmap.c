/*
 * termmap.c: open addressing with linear probing, FNV-1a hashes. Tables
 * stay at most half full.
 */
#include "indexer/util/termmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t
hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

static struct termmap_entry *
probe(struct termmap_entry *slots, size_t cap, const char *key, size_t len)
{
    size_t i = (size_t)hash(key, len) & (cap - 1);
    while (slots[i].key &&
           !(slots[i].len == len && memcmp(slots[i].key, key, len) == 0))
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static int
grow(struct termmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    struct termmap_entry *s = calloc(cap, sizeof(*s));
    if (!s)
        return -1;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key)
            *probe(s, cap, m->slots[i].key, m->slots[i].len) = m->slots[i];
    free(m->slots);
    m->slots = s;
    m->cap = cap;
    return 0;
}

struct termmap_entry *
termmap_get(struct termmap *m, const char *key, size_t len)
{
    if ((m->n + 1) * 2 > m->cap && grow(m) != 0)
        return NULL;
    struct termmap_entry *e = probe(m->slots, m->cap, key, len);
    if (!e->key) {
        e->key = malloc(len + 1);
        if (!e->key)
            return NULL;
        memcpy(e->key, key, len);
        e->key[len] = '\0';
        e->len = len;
        e->value = 0;
        m->n++;
    }
    return e;
}

const struct termmap_entry *
termmap_find(const struct termmap *m, const char *key, size_t len)
{
    if (m->cap == 0)
        return NULL;
    const struct termmap_entry *e = probe(m->slots, m->cap, key, len);
    return e->key ? e : NULL;
}

void
termmap_clear(struct termmap *m)
{
    for (size_t i = 0; i < m->cap; i++) {
        free(m->slots[i].key);
        m->slots[i].key = NULL;
    }
    m->n = 0;
}

void
termmap_free(struct termmap *m)
{
    termmap_clear(m);
    free(m->slots);
    m->slots = NULL;
    m->cap = 0;
}

const struct termmap_entry *
termmap_next(const struct termmap *m, size_t *i)
{
    while (*i < m->cap) {
        const struct termmap_entry *e = &m->slots[(*i)++];
        if (e->key)
            return e;
    }
    return NULL;
}
