/*
 * arena.c: a chain of blocks; allocation bumps a pointer, freeing drops
 * the chain. Large requests get a block of their own.
 */
#include "indexer/util/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { ARENA_BLOCK = 8192, ARENA_ALIGN = 16 };

struct block {
    struct block *next;
    size_t size; /* usable bytes after the header */
    size_t used;
    max_align_t data[]; /* aligned start of the usable bytes */
};

struct arena {
    struct block *head;
    size_t total;
};

struct arena *
arena_new(void)
{
    return calloc(1, sizeof(struct arena));
}

void
arena_free(struct arena *a)
{
    if (!a)
        return;
    struct block *b = a->head;
    while (b) {
        struct block *next = b->next;
        free(b);
        b = next;
    }
    free(a);
}

void *
arena_alloc(struct arena *a, size_t size)
{
    size_t need = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (need < size)
        return NULL; /* overflow */
    struct block *b = a->head;
    if (!b || b->size - b->used < need) {
        size_t bsize = need > ARENA_BLOCK / 2 ? need : ARENA_BLOCK;
        if (bsize > SIZE_MAX - sizeof(struct block))
            return NULL;
        b = malloc(sizeof(struct block) + bsize);
        if (!b)
            return NULL;
        b->size = bsize;
        b->used = 0;
        if (need > ARENA_BLOCK / 2 && a->head) {
            /* Keep the current block first: it still has room. */
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = (char *)b->data + b->used;
    b->used += need;
    a->total += need;
    return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *p = arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

size_t
arena_used(const struct arena *a)
{
    return a->total;
}
