/*
 * spec_text.h: class-spec text (normalised) -> records.
 */
#ifndef JD_SPEC_TEXT_H
#define JD_SPEC_TEXT_H

#include "jobdex.h"

/*
 * Parse TEXT (LEN bytes of normalised UTF-8; control characters are
 * blanked in place) read from SOURCE, and hand each record to SINK.
 * JD_ERR_INVALID_ARG with the reason in MSG when no record can be made.
 */
jd_status spec_text_parse(char *text, size_t len, const char *source,
                          const struct jd_parse_opts *opts,
                          const struct jd_parse_sink *sink, char *msg,
                          size_t msglen);

#endif
