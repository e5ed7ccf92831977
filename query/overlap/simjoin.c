/*
 * simjoin.c: an all-pairs similarity join. The postings of every term
 * are built once; then each vector, in turn, walks the postings of its
 * own terms and accumulates dot products with the vectors after it of
 * other groups. The cost is the number of pairs of vectors of different
 * groups that share a term (plus a binary search per run of one group
 * passed over), not the square of the number of vectors, and no score is
 * approximate.
 */
#include "query/overlap/simjoin.h"

#include <stdlib.h>
#include <string.h>

struct posting {
    uint32_t item;
    float w;
};

/* The first of the postings [LO, HI) (in item order) of an item at or
 * after FIRST. */
static size_t
first_at(const struct posting *post, size_t lo, size_t hi, size_t first)
{
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (post[mid].item < first)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

jd_status
simjoin(const struct sparse *v, size_t n, size_t nterms, double tau,
        const size_t *group, simjoin_fn fn, void *ctx)
{
    jd_status st = JD_OK;
    size_t *start = calloc(nterms + 1, sizeof(*start));
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += v[i].n;
    /* calloc, though every slot is filled below: the analyzer cannot
     * see that the fill matches the counts. */
    struct posting *post = calloc(total ? total : 1, sizeof(*post));
    double *acc = calloc(n ? n : 1, sizeof(*acc));
    uint32_t *touched = malloc((n ? n : 1) * sizeof(*touched));
    size_t *fill = calloc(nterms + 1, sizeof(*fill));
    size_t *run_end = group ? malloc((n ? n : 1) * sizeof(*run_end)) : NULL;
    if (!start || !post || !acc || !touched || !fill || (group && !run_end)) {
        st = JD_ERR_NOMEM;
        goto out;
    }
    /* RUN_END[J]: the first vector after J's run of its group. */
    for (size_t i = n; group && i-- > 0;)
        run_end[i] =
            i + 1 < n && group[i + 1] == group[i] ? run_end[i + 1] : i + 1;
    /* Postings in item order, so "items after I" is a suffix. */
    for (size_t i = 0; i < n; i++)
        for (uint32_t k = 0; k < v[i].n; k++)
            start[v[i].t[k] + 1]++;
    for (size_t t = 0; t < nterms; t++)
        start[t + 1] += start[t];
    for (size_t i = 0; i < n; i++)
        for (uint32_t k = 0; k < v[i].n; k++) {
            uint32_t t = v[i].t[k];
            post[start[t] + fill[t]++] =
                (struct posting){(uint32_t)i, v[i].w[k]};
        }

    for (size_t i = 0; i < n && st == JD_OK; i++) {
        size_t ntouched = 0;
        for (uint32_t k = 0; k < v[i].n; k++) {
            uint32_t t = v[i].t[k];
            float wi = v[i].w[k];
            size_t hi = start[t + 1];
            for (size_t p = first_at(post, start[t], hi, i + 1); p < hi; p++) {
                uint32_t j = post[p].item;
                if (group && group[j] == group[i]) {
                    /* J's run is I's group: pass over it. */
                    p = first_at(post, p, hi, run_end[j]) - 1;
                    continue;
                }
                if (acc[j] == 0)
                    touched[ntouched++] = j;
                acc[j] += (double)wi * post[p].w;
            }
        }
        for (size_t k = 0; k < ntouched; k++) {
            uint32_t j = touched[k];
            double sim = acc[j];
            acc[j] = 0;
            if (sim >= tau && st == JD_OK && fn(ctx, i, j, sim > 1 ? 1 : sim))
                st = JD_ERR_INTERRUPTED;
        }
    }
out:
    free(start);
    free(post);
    free(acc);
    free(touched);
    free(fill);
    free(run_end);
    return st;
}
