/*
 * filter.h: a jd_filter as a Xapian query over the boolean filter terms
 * and grade values of schema.h.
 */
#ifndef JD_FILTER_H
#define JD_FILTER_H

#include "indexer/store/xapian_shim.h"
#include "jobdex.h"

/* *OUT = the filter as a query, or NULL when F filters nothing. ITEMS:
 * for the items database, which has no grades. */
jd_status filter_query(const struct jd_filter *f, bool items,
                       struct xs_query **out);

/* *Q = FILTER(*Q, F), freeing the old *Q. Nothing happens without F. */
jd_status filter_apply(struct xs_query **q, const struct jd_filter *f,
                       bool items);

/* True when F restricts anything. */
bool filter_is_set(const struct jd_filter *f);

#endif
