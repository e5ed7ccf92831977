/*
 * spec.h: building jd_spec records (for the parsers and importers).
 * All strings and lists live in the record's arena; nothing here frees.
 */
#ifndef JD_SPEC_H
#define JD_SPEC_H

#include "jobdex.h"

/* A new empty record with its arena. JD_OK or JD_ERR_NOMEM. */
jd_status spec_new(jd_spec **out);

/* A copy of TEXT[0..LEN) in S's arena with surrounding white space
 * trimmed and inner runs of white space (except newlines) collapsed to
 * one space. NULL when out of memory. */
char *spec_strdup(jd_spec *s, const char *text, size_t len);

/* *FIELD = cleaned copy of TEXT, or NULL when TEXT is blank. */
jd_status spec_set(jd_spec *s, const char **field, const char *text,
                   size_t len);

jd_status spec_add_item(jd_spec *s, struct jd_item_list *list, unsigned n,
                        const char *kind, const char *text, size_t len,
                        unsigned line);

jd_status spec_add_str(jd_spec *s, struct jd_str_list *list, const char *text,
                       size_t len);

/* Set the pay grade text and, when it holds one or two numbers, the
 * numeric range ("60", "31", "$52,000 - $68,000", "Range 12 to 14"). */
jd_status spec_set_grade(jd_spec *s, const char *text, size_t len);

/* Give S an id from its jurisdiction and its code (or title when there is
 * no code): "st-louis/1368", "milwaukie/web-services-coordinator".
 * JURISDICTION "unknown" when absent. JD_ERR_INVALID_ARG when there is
 * neither a code nor a title. */
jd_status spec_make_id(jd_spec *s);

/* Hand record S, read from SOURCE at LINE, to SINK->spec when an index
 * can take it (jd_spec_check); else free it and tell SINK->reject why.
 * Every reader hands its records over through this. Returns what
 * SINK->spec returned, or JD_OK. */
jd_status spec_emit(const struct jd_parse_sink *sink, jd_spec *s,
                    const char *source, unsigned line);

/* Bytes of text the record holds (for batch accounting). */
size_t spec_text_bytes(const jd_spec *s);

/* Calls FN for each item list of S with the name used in JSON
 * ("duties", "knowledge", ...). Keeps one list of the lists. */
typedef jd_status (*spec_list_fn)(void *ctx, const char *name,
                                  struct jd_item_list *list);
jd_status spec_each_list(jd_spec *s, spec_list_fn fn, void *ctx);

/* The same, read-only. */
typedef jd_status (*spec_clist_fn)(void *ctx, const char *name,
                                   const struct jd_item_list *list);
jd_status spec_each_clist(const jd_spec *s, spec_clist_fn fn, void *ctx);

/* Item I of list NAME of S into *OUT; "titles" is the title then the
 * alternate titles, numbered from 1 (the items index.c writes). False
 * when there is no such item. */
bool spec_item_at(const jd_spec *s, const char *name, size_t i,
                  struct jd_item *out);

/* True for the lists that hold qualifications (knowledge, skills,
 * abilities, education, licenses). */
bool spec_list_is_qualification(const char *name);

#endif
