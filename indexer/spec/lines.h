/*
 * spec_lines.h: a class spec as lines, and tests on one line or one
 * piece of text (list markers, capitals, sentence ends) that the parser
 * builds its decisions from.
 */
#ifndef JD_SPEC_LINES_H
#define JD_SPEC_LINES_H

#include "jobdex.h"

#include <stdbool.h>
#include <stddef.h>

struct sline {
    const char *s;   /* text after the indentation */
    size_t len;      /* bytes, trailing white space trimmed */
    unsigned no;     /* 1-based line number in the file */
    unsigned indent; /* columns of leading white space (tab = 4) */
    unsigned md;     /* markdown heading level ("## x" = 2), else 0 */
    bool blank;
    bool furniture; /* page header, footer or number: never content */
};

/* Split TEXT (writable: control characters are blanked in place) into
 * lines. A form feed ends a line too. *OUT is malloc'd. */
jd_status lines_split(char *text, size_t len, struct sline **out, size_t *n);

enum marker_type { MK_NONE, MK_BULLET, MK_NUMBER, MK_ALPHA, MK_ROMAN };

struct marker {
    enum marker_type type;
    bool maybe_roman; /* an ALPHA marker i, v, x, l or c */
    bool maybe_alpha; /* a ROMAN marker of one letter */
    bool bullet;      /* a bullet came first ("- 1.") */
    unsigned number;  /* 1-based value of a NUMBER/ALPHA/ROMAN marker */
    unsigned roman;   /* value of an ALPHA marker read as roman (v = 5) */
    size_t len;       /* bytes of the marker and the blanks after it */
};

/* Recognise a list marker at the start of S: "-", "*", "•", "1.", "1)",
 * "(1)", "a)", "(b)", "iv)", "- 1." ... followed by a blank. */
bool line_marker(const char *s, size_t len, struct marker *m);

/* At least two letters and no lower-case letter outside parentheses. */
bool text_is_caps(const char *s, size_t len);
size_t text_words(const char *s, size_t len);
/* Ends with . ! ? (maybe before a closing quote or parenthesis). */
bool text_ends_sentence(const char *s, size_t len);
bool text_starts_lower(const char *s, size_t len);
bool text_starts_upper(const char *s, size_t len);
/* Ends with a word or sign that cannot end a statement (",", "and",
 * "the", "of", "-"), so the next line continues it. */
bool text_ends_open(const char *s, size_t len);
/* "Page 3 of 3", "- 2 -", "2 of 5", "12". */
bool text_is_page_number(const char *s, size_t len);
/* Equal ignoring case and everything but letters and digits. */
bool text_eq_loose(const char *a, size_t alen, const char *b, size_t blen);
/* Case-insensitive search of NEEDLE (NUL-terminated) in S. */
const char *text_find_ci(const char *s, size_t len, const char *needle);
/* Trim blanks at both ends of [*S, *S + *LEN). */
void text_trim(const char **s, size_t *len);

#endif
