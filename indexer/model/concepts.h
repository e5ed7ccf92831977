/*
 * concepts.h: the concept space of the class model -- latent semantic
 * analysis (Deerwester et al. 1990) of the class-by-word matrix.
 *
 * The softmax part of the model (model.h) learns which words tell one
 * class from the others; it knows nothing of words that mean the same.
 * A class's text, all of it, is one row of X: (1 + log tf) * idf per
 * word, of unit length (idf over the classes). The K largest singular
 * triplets of X = U S V' (ARPACK's Lanczos iteration on X X', so the
 * work grows with classes, not words) give each class a point U S in K
 * dimensions, and each word its loading idf * V / S, so that a query of
 * words w lands at sum (1 + log tf_w) * loading_w. Words that occur in
 * the same classes land near each other: a duty worded unlike any in
 * the index still lands near the classes whose text is about the same.
 * Matching (query/match/score.c) adds a candidate's cosine with the
 * query, relative to the best class's, to its score
 * (bench/results/ranking.md has what it gave).
 */
#ifndef JD_CONCEPTS_H
#define JD_CONCEPTS_H

#include "jobdex.h"

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/* Dimensions of the space, at most (fewer for fewer classes). */
#define CONCEPTS_MAX 200

/* The class-by-word counts: class c's words are term[start[c]] ..
 * term[start[c + 1] - 1], each once, with its count in tf. */
struct class_terms {
    size_t nclasses, nterms;
    const size_t *start;
    const uint32_t *term;
    const float *tf;
};

struct concepts {
    size_t k;          /* dimensions; 0 when there are none */
    float *loading;    /* nterms x k: where one occurrence of a word lands */
    float *point;      /* nclasses x k: each class, of unit length */
    char why_not[120]; /* when k is 0 */
};

/* Fit the concept space of X into *OUT (free it with concepts_free).
 * JD_ERR_INTERRUPTED when *STOP became set; JD_ERR_NOMEM. When ARPACK
 * fails, JD_OK with OUT->k 0 and OUT->why_not saying why. */
jd_status concepts_fit(const struct class_terms *x,
                       const volatile sig_atomic_t *stop, struct concepts *out);
void concepts_free(struct concepts *c);

#endif
