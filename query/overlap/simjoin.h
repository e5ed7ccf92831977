/*
 * simjoin.h: all pairs of sparse unit vectors whose cosine reaches a
 * threshold, found through an inverted index: only pairs that share a
 * term are ever scored, and each exactly.
 */
#ifndef JD_SIMJOIN_H
#define JD_SIMJOIN_H

#include "jobdex.h"

#include <stddef.h>
#include <stdint.h>

/* A unit-length vector: N (term id, weight) pairs. */
struct sparse {
    const uint32_t *t;
    const float *w;
    uint32_t n;
};

/* Called once per pair I < J with cosine SIM >= the threshold. A
 * non-zero return stops the join. */
typedef int (*simjoin_fn)(void *ctx, size_t i, size_t j, double sim);

/* Join V[0..N) (term ids below NTERMS) at threshold TAU. When GROUP is
 * not NULL, two vectors of one group (GROUP[I] == GROUP[J]) are never
 * paired, and a run of consecutive vectors of one group is passed over
 * in one step, not looked at vector by vector: the items of one class
 * come in such runs, so a class of 200,000 duties costs what 200,000
 * classes of one duty cost. JD_OK, JD_ERR_NOMEM, or JD_ERR_INTERRUPTED
 * when FN stopped it. */
jd_status simjoin(const struct sparse *v, size_t n, size_t nterms, double tau,
                  const size_t *group, simjoin_fn fn, void *ctx);

#endif
