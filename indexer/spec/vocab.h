/*
 * spec_vocab.h: the words public employers use for the parts of a class
 * spec: section headings, field labels, doc-type banners and boilerplate.
 * Data only; spec_text.c decides where a line stands.
 */
#ifndef JD_SPEC_VOCAB_H
#define JD_SPEC_VOCAB_H

#include <stdbool.h>
#include <stddef.h>

enum section {
    SEC_NONE = 0,
    SEC_SUMMARY,
    SEC_DISTINGUISHING,
    SEC_DUTIES,
    SEC_QUALS, /* a container: items sorted by their own words */
    SEC_KNOWLEDGE,
    SEC_SKILLS,
    SEC_ABILITIES,
    SEC_EDUCATION,
    SEC_LICENSES,
    SEC_SUPERVISION,
    SEC_WORKING,
    SEC_TOOLS,
    SEC_HISTORY,
    SEC_OTHER,  /* known or unknown, kept as "other" items */
    SEC_IGNORE, /* banners such as "CLASS SPECIFICATION" */
};

struct heading_match {
    enum section sec;
    const char *kind; /* item kind the heading implies, or NULL */
    bool exact;       /* matched the whole heading, not a prefix */
};

/*
 * Look up heading TEXT (any case, with or without a trailing colon,
 * parenthetical remarks and list markers). True when it names a section;
 * OUT says which.
 */
bool vocab_heading(const char *text, size_t len, struct heading_match *out);

enum field {
    F_NONE = 0,
    F_TITLE,
    F_CODE,
    F_DEPARTMENT,
    F_FLSA,
    F_GRADE,
    F_BARGAINING,
    F_ADOPTED,
    F_REVISED,
    F_SERIES,
    F_IGNORED, /* a known label whose value we do not keep */
};

/* The field a label ("Pay Grade", "FLSA Status") names, or F_NONE. */
enum field vocab_field(const char *label, size_t len);

/* Longest field label, in words. */
#define VOCAB_FIELD_MAX_WORDS 4

/* True for disclaimers and notices that are never duties or
 * qualifications ("does not constitute an employment agreement"). */
bool vocab_is_boilerplate(const char *text, size_t len);

/* Lower-case ASCII copy of TEXT without list marker, parenthetical
 * remarks, trailing colon and punctuation, '&' as "and", runs of
 * non-alphanumerics as one space. Writes at most SIZE bytes. */
void vocab_normalize(const char *text, size_t len, char *out, size_t size);

#endif
