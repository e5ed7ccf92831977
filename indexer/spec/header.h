/*
 * spec_header.h: the parts of a spec that say which class it is: the
 * employer's banner, "Label: value" fields, the title (in capitals in
 * many PDFs, so it needs title-casing) and, in series specs, the table
 * of class codes and titles.
 */
#ifndef JD_SPEC_HEADER_H
#define JD_SPEC_HEADER_H

#include "indexer/spec/lines.h"
#include "indexer/spec/vocab.h"

#include <stdbool.h>
#include <stddef.h>

struct slice {
    const char *s;
    size_t len;
};

/* The employer named by a banner line ("CITY OF ST. LOUIS CLASSIFICATION
 * SPECIFICATION" -> "City of St. Louis", "## California State Personnel
 * Board Specification" -> "State of California"), written to OUT. */
bool header_jurisdiction(const char *s, size_t len, char *out, size_t size);

struct field_hit {
    enum field field;
    struct slice value; /* trimmed; may be empty */
};

/* The "Label: value" fields of a line that starts with a known field
 * label; several may share a line ("Department: IST Grade Number: 31
 * FLSA: Exempt"). Returns how many (0: not a field line). */
size_t header_fields(const char *s, size_t len, struct field_hit *out,
                     size_t max);

/* Words in capitals that a document also uses inside mixed-case text
 * (IST, FLSA, GIS): title-casing keeps them. */
struct acronyms {
    struct slice v[256];
    size_t n;
};
void acronyms_collect(struct acronyms *a, const struct sline *lines, size_t n);

/* Title case for a title printed in capitals: "INFORMATION SYSTEMS
 * TECHNOLOGY (IST) DIRECTOR" -> "Information Systems Technology (IST)
 * Director". Text with lower-case letters is copied as it is. */
void header_title_case(const char *s, size_t len, const struct acronyms *a,
                       char *out, size_t size);

enum { MAX_CLASSES = 256 };

/* One class of a series spec's table of class codes. */
struct klass {
    struct slice code;
    struct slice title; /* without "(Abolished ...)" remarks */
    struct slice adopted, revised;
    char key[192]; /* title folded for matching headings */
    unsigned line;
};

/* Find the table of class codes (piped "| Schem Code | Class Code | Class
 * |" or one cell per line) and the class history table; fill OUT and
 * mark their lines as furniture so they are not read as text. Returns
 * the number of classes. */
size_t header_class_tables(struct sline *lines, size_t n, struct klass *out,
                           size_t max);

/* Fold a title for matching: lower case words, no punctuation, remarks
 * such as "(abolished 06/04/2015)" dropped. */
void header_title_key(const char *s, size_t len, char *out, size_t size);

/* The class code in a CalHR source address (".../Pages/0175.aspx"). */
bool header_url_code(const char *s, size_t len, struct slice *code);

#endif
