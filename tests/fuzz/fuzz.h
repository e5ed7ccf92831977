/*
 * fuzz.h: what the fuzz targets share with their two drivers: libFuzzer
 * (make fuzz, clang) and replay.c (make check, every saved input in
 * tests/fuzz/regressions/TARGET run once as a cmocka test).
 *
 * A target checks the properties it can state (round trips, bounds) with
 * FUZZ_CHECK, which aborts: libFuzzer then saves the input as a crash.
 */
#ifndef JD_FUZZ_H
#define JD_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobdex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_CHECK(cond)                                                       \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__,        \
                    __LINE__, #cond);                                          \
            abort();                                                           \
        }                                                                      \
    } while (0)

/*
 * The --dump round trip: record S to JSON, back (with SOURCE as its
 * file), and to the same JSON again. FIRST and SECOND are the caller's
 * reusable buffers.
 */
static inline void
fuzz_check_round_trip(const jd_spec *s, const char *source, jd_buf *first,
                      jd_buf *second)
{
    first->len = 0;
    FUZZ_CHECK(jd_spec_to_json(s, first) == JD_OK);
    jd_spec *back = NULL;
    char why[256];
    jd_status st = jd_spec_from_json(first->data, first->len, source, &back,
                                     why, sizeof(why));
    if (st != JD_OK)
        fprintf(stderr, "round trip refused: %s\n%s\n", why, first->data);
    FUZZ_CHECK(st == JD_OK);
    second->len = 0;
    FUZZ_CHECK(jd_spec_to_json(back, second) == JD_OK);
    if (first->len != second->len ||
        memcmp(first->data, second->data, first->len) != 0)
        fprintf(stderr, "round trip changed the record:\n%s\n%s\n", first->data,
                second->data);
    FUZZ_CHECK(first->len == second->len &&
               memcmp(first->data, second->data, first->len) == 0);
    jd_spec_free(back);
}

#endif
