/*
 * model.h: the class model -- which words tell each class from the
 * others, learnt when indexing from the classes' own text.
 *
 * BM25 weighs a word by how rare it is among all classes; it cannot know
 * that "dietary" separates dietitians from cooks while "food" does not,
 * or that "captain" means a ship's master in one title and a fire
 * officer in another. A softmax regression over the classes can: one
 * weight per word and class, fitted by stochastic gradient descent on
 * examples made from each class's title, each alternate title, each duty
 * and its summary, labelled with the class. Matching
 * (query/match/score.c) adds the model's probability of a candidate,
 * relative to the most probable class, to its score
 * (bench/results/ranking.md has what it gave).
 *
 * Training costs time in words x classes, so an index of more than
 * MODEL_MAX_CLASSES classes gets none (its searches rank as before).
 *
 * The model has a second part, its concept space (concepts.h): a point
 * for each class and a loading for each word, which matching compares
 * as a cosine.
 * Stored in the metadata of the classes database, in one commit after
 * the records' last batch (floats as IEEE-754 single, little-endian; a
 * "quantised vector" of K is a float scale and K signed bytes, value =
 * scale * byte):
 *   MODEL_HEADER           "<version> <batch> <classes> <terms> <K>",
 *                          K the dimensions of the concept space (0:
 *                          none)
 *   MODEL_CLASSES          the class ids in row order, '\n' after each
 *   MODEL_BIAS             one float per class
 *   MODEL_CONCEPTS         each class's point, a quantised vector of K
 *   MODEL_TERM_PREFIX stem idf (float), scale (float), the word's
 *                          loading (a quantised vector of K), then for
 *                          each class whose weight rounds to
 *                          MODEL_MIN_WEIGHT or more either way: its row
 *                          (2 bytes, little-endian) and a signed byte,
 *                          weight = scale * byte; other weights are 0
 * <batch> is the META_BATCH the model was trained at. A later run that
 * changes the records retrains it, or removes it when the index has
 * outgrown the limit; a model whose batch is not the index's (a run
 * killed between its last batch and the model), or of another
 * MODEL_VERSION, is stale and not used.
 */
#ifndef JD_MODEL_H
#define JD_MODEL_H

#include "indexer/store/db.h"
#include "indexer/util/termmap.h"

#define MODEL_VERSION     3
#define MODEL_HEADER      "jobdex:model"
#define MODEL_CLASSES     "jobdex:model:classes"
#define MODEL_BIAS        "jobdex:model:bias"
#define MODEL_CONCEPTS    "jobdex:model:concepts"
#define MODEL_TERM_PREFIX "jobdex:model:t:"

/* Weights under this many 127ths of a word's largest are not stored. */
#define MODEL_MIN_WEIGHT 2

/* Above this many classes no model is trained (and no more than 65,536
 * fit a row's 2-byte class numbers). */
#define MODEL_MAX_CLASSES 5000
/* Nor above this many weights (words x classes, 4 bytes each while
 * training). */
#define MODEL_MAX_WEIGHTS ((size_t)48 << 20)

/* Train the model of DB (open for writing, its last batch committed) and
 * commit it, or remove the model when the index has too few or too many
 * classes. What was done goes to *OUT. */
jd_status model_train(jd_db *db, const volatile sig_atomic_t *stop,
                      struct jd_model_stats *out);

/* What an index's model is: STATE "none", "current" or "stale". */
struct model_info {
    const char *state;
    size_t classes, terms, concepts;
};
jd_status model_info(jd_db *db, struct model_info *out);

/* A model as the query side reads it. */
struct class_model;

/* The model of DB, or *OUT NULL when it has none or a stale one.
 * JD_ERR_CORRUPT (DB->msg says why) for a model that cannot be read. */
jd_status model_load(jd_db *db, struct class_model **out);
void model_free(struct class_model *m);

/*
 * Score every class for a query of stems QTF (stem -> count): afterwards
 * model_class_score() gives each class's probability relative to the
 * most probable one's, in (0, 1]. Words the model does not know are left
 * out; with none known every class scores 0.
 */
jd_status model_score(jd_db *db, struct class_model *m,
                      const struct termmap *qtf);
double model_class_score(const struct class_model *m, const char *id,
                         size_t len);
/* After model_score(): the cosine of the query and class ID in the
 * concept space, relative to the best class's (at most 1; 0 without a
 * concept space, or when no class is at a positive cosine). */
double model_class_concept(const struct class_model *m, const char *id,
                           size_t len);

/* Dimensions of M's concept space (0: it has none). */
size_t model_concepts(const struct class_model *m);

/* Read the whole current model of DB (check.c): PROBLEM hears a model
 * that does not load, each word row that model_score() would refuse and
 * a count of rows that is not the header's. A stale model is not read. */
jd_status model_check(jd_db *db, jd_problem_fn problem, void *ctx);

/* Floats in metadata, little-endian whatever the host. */
void model_put_f32(unsigned char *out, float v);
float model_get_f32(const unsigned char *in);

#endif
