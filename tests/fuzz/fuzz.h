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

#endif
