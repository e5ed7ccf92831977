/*
 * concepts.c: fitting the concept space (concepts.h) with ARPACK.
 */
#include "indexer/model/concepts.h"

#include <arpack/arpack.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Lanczos restarts before ARPACK gives up; far more than it needs. */
enum { MAX_ITERATIONS = 1000 };
/* Relative accuracy of the eigenvalues: far finer than a byte per
 * dimension can store, and coarser than machine precision, which costs
 * ARPACK restarts on matrices of low rank. */
static const double TOLERANCE = 1e-6;
/* Singular values under this are noise (a rank-deficient matrix). */
static const double MIN_SINGULAR = 1e-6;

/* X as weighed for the factorisation: (1 + log tf) * idf, rows of unit
 * length. IDF (nterms) is filled too. */
static double *
weigh(const struct class_terms *x, double *idf)
{
    size_t nnz = x->start[x->nclasses];
    double *v = malloc((nnz ? nnz : 1) * sizeof(*v));
    if (!v)
        return NULL;
    memset(idf, 0, x->nterms * sizeof(*idf));
    for (size_t i = 0; i < nnz; i++)
        idf[x->term[i]] += 1; /* document frequency first */
    for (size_t t = 0; t < x->nterms; t++)
        idf[t] = log((1.0 + (double)x->nclasses) / (1.0 + idf[t])) + 1.0;
    for (size_t c = 0; c < x->nclasses; c++) {
        double norm = 0;
        for (size_t i = x->start[c]; i < x->start[c + 1]; i++) {
            v[i] = (1.0 + log((double)x->tf[i])) * idf[x->term[i]];
            norm += v[i] * v[i];
        }
        norm = norm > 0 ? sqrt(norm) : 1;
        for (size_t i = x->start[c]; i < x->start[c + 1]; i++)
            v[i] /= norm;
    }
    return v;
}

/* OUT = X X' IN, through SCRATCH (nterms). */
static void
gram_times(const struct class_terms *x, const double *val, const double *in,
           double *out, double *scratch)
{
    memset(scratch, 0, x->nterms * sizeof(*scratch));
    for (size_t c = 0; c < x->nclasses; c++)
        for (size_t i = x->start[c]; i < x->start[c + 1]; i++)
            scratch[x->term[i]] += val[i] * in[c];
    for (size_t c = 0; c < x->nclasses; c++) {
        double s = 0;
        for (size_t i = x->start[c]; i < x->start[c + 1]; i++)
            s += val[i] * scratch[x->term[i]];
        out[c] = s;
    }
}

/* ARPACK's workspace for NEV eigenpairs of an N x N operator. */
struct lanczos {
    a_int n, nev, ncv, lworkl;
    double *resid, *v, *workd, *workl, *eigval, *eigvec;
    a_int *select;
};

static void
lanczos_free(struct lanczos *l)
{
    free(l->resid);
    free(l->v);
    free(l->workd);
    free(l->workl);
    free(l->eigval);
    free(l->eigvec);
    free(l->select);
}

static bool
lanczos_alloc(struct lanczos *l, size_t n, size_t nev)
{
    l->n = (a_int)n;
    l->nev = (a_int)nev;
    l->ncv = (a_int)(2 * nev + 1 < n ? 2 * nev + 1 : n);
    l->lworkl = l->ncv * (l->ncv + 8);
    l->resid = malloc(n * sizeof(double));
    l->v = malloc(n * (size_t)l->ncv * sizeof(double));
    l->workd = malloc(3 * n * sizeof(double));
    l->workl = malloc((size_t)l->lworkl * sizeof(double));
    l->eigval = malloc(nev * sizeof(double));
    l->eigvec = malloc(n * nev * sizeof(double));
    l->select = calloc((size_t)l->ncv, sizeof(a_int)); /* read by dseupd_c */
    return l->resid && l->v && l->workd && l->workl && l->eigval && l->eigvec &&
           l->select;
}

/* The largest eigenpairs of X X' into L: JD_OK, or JD_OK with WHY set
 * when ARPACK failed. */
static jd_status
eigen(const struct class_terms *x, const double *val, struct lanczos *l,
      const volatile sig_atomic_t *stop, char *why, size_t whylen)
{
    double *scratch = malloc((x->nterms ? x->nterms : 1) * sizeof(*scratch));
    if (!scratch)
        return JD_ERR_NOMEM;
    /* A fixed start vector: the same index always gives the same space. */
    for (a_int i = 0; i < l->n; i++)
        l->resid[i] = 1.0 + 0.5 * sin((double)i);
    a_int iparam[11] = {0}, ipntr[11] = {0};
    iparam[0] = 1; /* exact shifts */
    iparam[2] = MAX_ITERATIONS;
    iparam[6] = 1;           /* regular mode: A x only */
    a_int ido = 0, info = 1; /* 1: start from resid */
    jd_status st = JD_OK;
    for (;;) {
        dsaupd_c(&ido, "I", l->n, "LA", l->nev, TOLERANCE, l->resid, l->ncv,
                 l->v, l->n, iparam, ipntr, l->workd, l->workl, l->lworkl,
                 &info);
        if (ido != 1 && ido != -1)
            break;
        if (stop && *stop) {
            st = JD_ERR_INTERRUPTED;
            break;
        }
        gram_times(x, val, l->workd + ipntr[0] - 1, l->workd + ipntr[1] - 1,
                   scratch);
    }
    free(scratch);
    if (st != JD_OK)
        return st;
    if (info < 0 || (info != 0 && info != 1)) {
        snprintf(why, whylen, "ARPACK dsaupd failed (info %d)", (int)info);
        return JD_OK;
    }
    dseupd_c(1, "A", l->select, l->eigval, l->eigvec, l->n, 0.0, "I", l->n,
             "LA", l->nev, TOLERANCE, l->resid, l->ncv, l->v, l->n, iparam,
             ipntr, l->workd, l->workl, l->lworkl, &info);
    if (info != 0)
        snprintf(why, whylen, "ARPACK dseupd failed (info %d)", (int)info);
    else if (iparam[4] < l->nev)
        snprintf(why, whylen, "ARPACK found %d of %d dimensions",
                 (int)iparam[4], (int)l->nev);
    return JD_OK;
}

/* From eigenpairs of X X' to class points U S (unit length) and word
 * loadings idf V / S. */
static jd_status
project(const struct class_terms *x, const double *val, const double *idf,
        const struct lanczos *l, struct concepts *out)
{
    size_t k = (size_t)l->nev, nc = x->nclasses;
    out->loading = calloc(x->nterms * k, sizeof(*out->loading));
    out->point = calloc(nc * k, sizeof(*out->point));
    if (!out->loading || !out->point)
        return JD_ERR_NOMEM;
    for (size_t j = 0; j < k; j++) {
        double s2 = l->eigval[j];
        if (!(s2 > MIN_SINGULAR * MIN_SINGULAR))
            continue; /* its dimension stays 0 for every word and class */
        double s = sqrt(s2);
        const double *u = l->eigvec + j * nc;
        for (size_t c = 0; c < nc; c++) {
            out->point[c * k + j] = (float)(u[c] * s);
            for (size_t i = x->start[c]; i < x->start[c + 1]; i++)
                out->loading[(size_t)x->term[i] * k + j] +=
                    (float)(val[i] * u[c] / s);
        }
    }
    for (size_t t = 0; t < x->nterms; t++)
        for (size_t j = 0; j < k; j++)
            out->loading[t * k + j] *= (float)idf[t];
    for (size_t c = 0; c < nc; c++) {
        double norm = 0;
        for (size_t j = 0; j < k; j++)
            norm += (double)out->point[c * k + j] * out->point[c * k + j];
        norm = norm > 0 ? sqrt(norm) : 1;
        for (size_t j = 0; j < k; j++)
            out->point[c * k + j] = (float)(out->point[c * k + j] / norm);
    }
    out->k = k;
    return JD_OK;
}

jd_status
concepts_fit(const struct class_terms *x, const volatile sig_atomic_t *stop,
             struct concepts *out)
{
    *out = (struct concepts){0};
    if (x->nclasses < 2 || x->nterms == 0) {
        snprintf(out->why_not, sizeof(out->why_not), "too few classes");
        return JD_OK;
    }
    /* X's rank is at most min(classes, words): asking ARPACK for more
     * dimensions than that only makes it hunt among zero eigenvalues
     * (an index of 500 classes in 102 words took 5 s instead of 0.1). */
    size_t nev = CONCEPTS_MAX;
    if (nev > x->nclasses - 1)
        nev = x->nclasses - 1;
    if (nev > x->nterms)
        nev = x->nterms;
    double *idf = malloc(x->nterms * sizeof(*idf));
    double *val = idf ? weigh(x, idf) : NULL;
    struct lanczos l = {0};
    jd_status st = JD_ERR_NOMEM;
    if (val && lanczos_alloc(&l, x->nclasses, nev))
        st = eigen(x, val, &l, stop, out->why_not, sizeof(out->why_not));
    if (st == JD_OK && !out->why_not[0])
        st = project(x, val, idf, &l, out);
    if (st != JD_OK || out->k == 0) {
        free(out->loading);
        free(out->point);
        out->loading = out->point = NULL;
        out->k = 0;
    }
    lanczos_free(&l);
    free(val);
    free(idf);
    return st;
}

void
concepts_free(struct concepts *c)
{
    free(c->loading);
    free(c->point);
    *c = (struct concepts){0};
}
