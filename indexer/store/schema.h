/*
 * schema.h: the on-disk format of a jobdex index. Change anything here
 * and INDEX_FORMAT_VERSION (JD_INDEX_FORMAT_VERSION) goes up.
 *
 * An index is a directory holding two Xapian glass databases:
 *
 *   BASE/classes/  one document per classification, for ranking classes;
 *   BASE/items/    one document per title, duty or qualification item,
 *                  for title matching, evidence and overlap.
 *
 * BASE is DIR itself until a parallel run (jobdex-index -j) merges its
 * shards: that builds generation N in DIR/gN.tmp holding the mark file
 * "uncommitted", renames it DIR/gN, writes N to DIR/generation (write,
 * fsync, rename: the one atomic step) and then removes the mark, after
 * which BASE is DIR/gN. Readers read DIR/generation first; a missing or
 * damaged one while an unmarked DIR/gM exists is refused, never read as
 * an empty index (generation.c has every case). The generation before
 * the current one stays until the next writer, for readers that opened
 * it just before the swap; older ones, DIR/gN.tmp, marked generations
 * newer than the pointer and the shards of a run that died (DIR/.shards)
 * are removed by the next writer. DIR/lock is flock()ed by the one
 * writer for the whole run, across generations (Xapian's own lock is per
 * database). No name here is ever a symbolic link (generation.c).
 *
 * They are separate so that the many short item documents do not distort
 * the collection statistics (document count, average length, term
 * frequencies) that BM25 uses to rank whole classes, and vice versa.
 *
 * classes/ documents
 *   Q<id>          unique id (boolean)
 *   XJ<slug>       jurisdiction, XD<slug> department, XF<slug> FLSA,
 *   XS<slug>       series, XC<slug> class code (boolean filters)
 *   T<stem>        title and alternate titles           positional
 *   S<stem>        summary, distinguishing characteristics positional
 *   D<stem>        duties                                 positional
 *   K<stem>        qualifications (knowledge, skills, abilities,
 *                  education and experience, licences)    positional
 *   O<stem>        other text (supervision, working conditions, other
 *                  sections, tools)                       positional
 *   Positions run on within one item or field; each new item or field
 *   starts POSITION_GAP further on, so a phrase never spans two items.
 *   Stop words take a position but make no term, so "duties as required"
 *   still matches as a phrase (see xapian_shim.cc).
 *   values: SLOT_GRADE_MIN, SLOT_GRADE_MAX (sortable numbers), SLOT_ID,
 *   SLOT_TITLE, SLOT_STUB (the record's identifying fields as JSON: id,
 *   code, title, jurisdiction, department, series, pay_grade, flsa, so a
 *   result list need not parse whole records)
 *   data: the record as JSON (jd_spec_to_json)
 *
 * items/ documents (lean: an index holds some thirty per class, and
 * Xapian's cost is per document, so they carry no data of their own)
 *   XP<id>         the parent class
 *   XL<list>       "titles" (the title, then each alternate title),
 *                  "duties", "knowledge", "skills", "abilities",
 *                  "education", "licenses", "other"
 *   XJ, XD         as the parent
 *   <stem>         unprefixed, no positions; the terms the class
 *                  document holds for the same text
 *   T<stem>        instead, for titles: a search among titles then walks
 *                  posting lists of titles only
 *   values: SLOT_ITEM_PARENT (parent id; the collapse key for "best item
 *   per class"), SLOT_ITEM_INDEX (0-based index in the list, decimal)
 *   The item's text, kind, number and line are in the parent's record
 *   (spec_item_at()); its parent's names in the parent's SLOT_STUB.
 *   A record whose id is new is only added; a known one (in the index
 *   or earlier in the same batch) is replaced, its old items deleted.
 *
 * metadata (classes/): META_FORMAT, META_BATCH (the last committed
 * batch), META_PENDING (ids that batch touched, one per line), and the
 * class model's keys (jobdex:model*, see model.h);
 * (items/): META_BATCH. A writer commits classes/ first, then items/; if
 * it dies between the two, the next writer sees items/ one batch behind
 * and rebuilds the pending ids' items from their stored records.
 */
#ifndef JD_SCHEMA_H
#define JD_SCHEMA_H

#include "jobdex.h"

#define INDEX_FORMAT_VERSION JD_INDEX_FORMAT_VERSION

#define CLASSES_DIR "classes"
#define ITEMS_DIR   "items"

#define PREFIX_ID           "Q"
#define PREFIX_JURISDICTION "XJ"
#define PREFIX_DEPARTMENT   "XD"
#define PREFIX_FLSA         "XF"
#define PREFIX_SERIES       "XS"
#define PREFIX_CODE         "XC"
#define PREFIX_TITLE        "T"
#define PREFIX_SUMMARY      "S"
#define PREFIX_DUTY         "D"
#define PREFIX_QUAL         "K"
#define PREFIX_OTHER        "O"
#define PREFIX_PARENT       "XP"
#define PREFIX_LIST         "XL"

enum {
    SLOT_GRADE_MIN = 0,
    SLOT_GRADE_MAX = 1,
    SLOT_ID = 2,
    SLOT_TITLE = 3,
    SLOT_STUB = 4,
};

enum {
    SLOT_ITEM_PARENT = 0,
    SLOT_ITEM_INDEX = 1,
};

#define POSITION_GAP 100

#define META_FORMAT  "jobdex:format"
#define META_BATCH   "jobdex:batch"
#define META_PENDING "jobdex:pending"

/* Filter terms are capped so prefix + slug stays well under Xapian's
 * 245-byte term limit. */
#define SLUG_MAX 160

#endif
