/*
 * spec_onet.h: import an O*NET database directory (O*NET 29.x, tab-
 * separated text) as one record per occupation that has task statements.
 */
#ifndef JD_SPEC_ONET_H
#define JD_SPEC_ONET_H

#include "jobdex.h"

#include <stdbool.h>

/* True when DIR holds "Occupation Data.txt". */
bool spec_onet_is_dir(const char *dir);

/*
 * Read the O*NET database in DIR and hand SINK one record per occupation
 * with tasks, in code order: id "onet/CODE", title, alternate titles,
 * description as summary, tasks as duties (kind "core"/"supplemental"),
 * knowledge and skills of importance >= 3 as qualifications, job zone as
 * grade, SOC major group as department (from soc_structure_2018.tsv in DIR
 * or its parent), hot technologies as tools.
 */
jd_status spec_onet_import(const char *dir, const struct jd_parse_opts *opts,
                           const struct jd_parse_sink *sink, char *msg,
                           size_t msglen);

#endif
