/*
 * arena.h: bump allocation for memory that lives exactly as long as one
 * owner (a parsed record and all its strings). Freed all at once.
 */
#ifndef JD_ARENA_H
#define JD_ARENA_H

#include <stddef.h>

struct arena;

/* NULL when out of memory. */
struct arena *arena_new(void);
/* Accepts NULL. */
void arena_free(struct arena *a);
/* SIZE bytes aligned for any object, or NULL when out of memory. */
void *arena_alloc(struct arena *a, size_t size);
/* A NUL-terminated copy of the first N bytes of S, or NULL. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* Total bytes handed out, for batch accounting. */
size_t arena_used(const struct arena *a);

#endif
