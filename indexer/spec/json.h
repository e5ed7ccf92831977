/*
 * spec_json.h: the record as JSON (jansson), for --dump, --format jsonl,
 * the stored document data and the query tools' JSON output.
 */
#ifndef JD_SPEC_JSON_H
#define JD_SPEC_JSON_H

#include "jobdex.h"

#include <jansson.h>

/* The record as a new JSON object (json_decref it), NULL when out of
 * memory. */
json_t *spec_json_object(const jd_spec *s);

/* Append O to OUT as compact JSON, without an intermediate copy. */
jd_status spec_json_append(const json_t *o, jd_buf *out);

/* LINE (LEN bytes, one line of JSON lines) as a new JSON object, by the
 * rules of jd_json_line_check(); NULL with the reason in MSG when it
 * breaks one (or memory ran out). */
json_t *spec_json_line(const char *line, size_t len, char *msg, size_t msglen);

/* jd_spec_from_json() with a jurisdiction for records that name none. */
jd_status spec_from_json(const char *json, size_t len, const char *source,
                         const char *default_jurisdiction, jd_spec **out,
                         char *msg, size_t msglen);

#endif
