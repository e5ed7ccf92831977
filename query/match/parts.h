/*
 * parts.h: a résumé or job text cut into the parts it was written in
 * (paragraphs and list items), so that match can score each duty line
 * as a duty and a job-title line as a title, then add the scores up.
 */
#ifndef JD_PARTS_H
#define JD_PARTS_H

#include "jobdex.h"

#include <stddef.h>

struct text_span {
    size_t start, len; /* bytes of the text */
};

/*
 * The parts of TEXT: a part ends at a blank line, and a line that starts
 * with a list marker ("-", "*", "•", "1.", "a)") starts one; other lines
 * continue the part before them, as a wrapped paragraph or list item
 * does. With more than MAX parts, neighbouring parts are joined into MAX
 * spans of about equal counts. *OUT is malloc'd (NULL when *N is 0).
 */
jd_status text_parts(const char *text, size_t len, size_t max,
                     struct text_span **out, size_t *n);

#endif
