/*
 * spec_vocab.c: heading, label and boilerplate vocabularies. Headings
 * are compared after vocab_normalize(), so "KNOWLEDGE/SKILLS/ABILITIES
 * REQUIRED:" and "Knowledge, Skills and Abilities" meet as
 * "knowledge skills abilities required" and "knowledge skills and
 * abilities". The first entry that matches wins: specific before general.
 */
#include "spec_vocab.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

struct heading_entry {
    const char *words; /* normalised */
    enum section sec;
    const char *kind;
    bool prefix; /* also matches headings that start with these words */
};

static const struct heading_entry headings[] = {
    /* Duties. */
    {"essential duties", SEC_DUTIES, "essential", true},
    {"essential functions", SEC_DUTIES, "essential", true},
    {"essential job functions", SEC_DUTIES, "essential", true},
    {"examples of essential", SEC_DUTIES, "essential", true},
    {"essential responsibilities", SEC_DUTIES, "essential", true},
    {"general duties", SEC_DUTIES, "general", true},
    {"specific duties", SEC_DUTIES, "specific", true},
    {"typical tasks", SEC_DUTIES, "typical", true},
    {"typical duties", SEC_DUTIES, "typical", true},
    {"typical work", SEC_DUTIES, "typical", true},
    {"typical functions", SEC_DUTIES, "typical", true},
    {"examples of work", SEC_DUTIES, "typical", true},
    {"examples of duties", SEC_DUTIES, "typical", true},
    {"example of duties", SEC_DUTIES, "typical", true},
    {"examples of typical", SEC_DUTIES, "typical", true},
    {"illustrative examples", SEC_DUTIES, "typical", true},
    {"illustrative duties", SEC_DUTIES, "typical", true},
    {"representative duties", SEC_DUTIES, "typical", true},
    {"duties and responsibilities", SEC_DUTIES, "duty", true},
    {"duties responsibilities", SEC_DUTIES, "duty", true},
    {"job duties", SEC_DUTIES, "duty", true},
    {"major duties", SEC_DUTIES, "duty", true},
    {"primary duties", SEC_DUTIES, "duty", true},
    {"principal duties", SEC_DUTIES, "duty", true},
    {"duties", SEC_DUTIES, "duty", false},
    {"responsibilities", SEC_DUTIES, "duty", false},
    {"key responsibilities", SEC_DUTIES, "duty", false},
    {"principal responsibilities", SEC_DUTIES, "duty", false},
    {"position responsibilities", SEC_DUTIES, "duty", false},
    {"tasks", SEC_DUTIES, "duty", false},
    {"work performed", SEC_DUTIES, "duty", false},
    {"duties performed", SEC_DUTIES, "duty", false},
    {"job functions", SEC_DUTIES, "duty", false},
    {"accountabilities", SEC_DUTIES, "duty", false},
    {"essential tasks", SEC_DUTIES, "essential", true},

    /* Summary and distinguishing characteristics. */
    {"classification summary", SEC_SUMMARY, NULL, true},
    {"class summary", SEC_SUMMARY, NULL, true},
    {"job summary", SEC_SUMMARY, NULL, true},
    {"position summary", SEC_SUMMARY, NULL, true},
    {"summary", SEC_SUMMARY, NULL, false},
    {"general description", SEC_SUMMARY, NULL, true},
    {"general statement of duties", SEC_SUMMARY, NULL, true},
    {"description", SEC_SUMMARY, NULL, false},
    {"job description", SEC_SUMMARY, NULL, false},
    {"position description", SEC_SUMMARY, NULL, false},
    {"definition of levels", SEC_SUMMARY, "level", true},
    {"definition", SEC_SUMMARY, NULL, true},
    {"class definition", SEC_SUMMARY, NULL, false},
    {"nature of work", SEC_SUMMARY, NULL, true},
    {"nature of the work", SEC_SUMMARY, NULL, true},
    {"purpose", SEC_SUMMARY, NULL, true},
    {"general purpose", SEC_SUMMARY, NULL, true},
    {"position purpose", SEC_SUMMARY, NULL, true},
    {"job purpose", SEC_SUMMARY, NULL, true},
    {"overview", SEC_SUMMARY, NULL, true},
    {"scope", SEC_SUMMARY, NULL, true},
    {"class concept", SEC_SUMMARY, NULL, true},
    {"distinguishing characteristics", SEC_DISTINGUISHING, NULL, true},
    {"distinguishing features", SEC_DISTINGUISHING, NULL, true},
    {"distinguishing characteristic", SEC_DISTINGUISHING, NULL, true},
    {"class characteristics", SEC_DISTINGUISHING, NULL, true},
    {"characteristics of the class", SEC_DISTINGUISHING, NULL, true},
    {"job characteristics", SEC_DISTINGUISHING, NULL, true},
    {"factors affecting position allocation", SEC_DISTINGUISHING, NULL, true},
    {"level distinctions", SEC_DISTINGUISHING, NULL, false},

    /* Knowledge, skills and abilities. */
    {"knowledge skills and abilities", SEC_QUALS, "ability", true},
    {"knowledge skills abilities", SEC_QUALS, "ability", true},
    {"knowledges skills and abilities", SEC_QUALS, "ability", true},
    {"knowledge and abilities", SEC_QUALS, "ability", true},
    {"knowledges and abilities", SEC_QUALS, "ability", true},
    {"knowledge abilities", SEC_QUALS, "ability", true},
    {"knowledge and skills", SEC_QUALS, "ability", true},
    {"knowledge abilities and skills", SEC_QUALS, "ability", true},
    {"necessary knowledge", SEC_QUALS, "ability", true},
    {"required knowledge", SEC_QUALS, "ability", true},
    {"ksas", SEC_QUALS, "ability", false},
    {"ksa", SEC_QUALS, "ability", false},
    {"competencies", SEC_QUALS, "ability", false},
    {"knowledge of", SEC_KNOWLEDGE, "knowledge", false},
    {"knowledge", SEC_KNOWLEDGE, "knowledge", false},
    {"knowledge required", SEC_KNOWLEDGE, "knowledge", false},
    {"working knowledge of", SEC_KNOWLEDGE, "knowledge", false},
    {"skills and abilities", SEC_ABILITIES, "ability", true},
    {"skills abilities", SEC_ABILITIES, "ability", true},
    {"skill and ability", SEC_ABILITIES, "ability", true},
    {"skills", SEC_SKILLS, "skill", false},
    {"skill", SEC_SKILLS, "skill", false},
    {"skill in", SEC_SKILLS, "skill", false},
    {"skills in", SEC_SKILLS, "skill", false},
    {"skill to", SEC_SKILLS, "skill", false},
    {"skills required", SEC_SKILLS, "skill", false},
    {"abilities", SEC_ABILITIES, "ability", false},
    {"ability", SEC_ABILITIES, "ability", false},
    {"ability to", SEC_ABILITIES, "ability", false},
    {"abilities to", SEC_ABILITIES, "ability", false},
    {"abilities required", SEC_ABILITIES, "ability", false},

    /* Qualifications: containers, education and experience, licences. */
    {"minimum qualifications", SEC_QUALS, NULL, true},
    {"minimum qualification", SEC_QUALS, NULL, true},
    {"minimum requirements", SEC_QUALS, NULL, true},
    {"minimum education and experience", SEC_EDUCATION, NULL, true},
    {"qualifications", SEC_QUALS, NULL, false},
    {"required qualifications", SEC_QUALS, NULL, false},
    {"qualification requirements", SEC_QUALS, NULL, false},
    {"requirements", SEC_QUALS, NULL, false},
    {"employment standards", SEC_QUALS, NULL, false},
    {"job specifications", SEC_QUALS, NULL, true},
    {"job requirements", SEC_QUALS, NULL, false},
    {"required education training and experience", SEC_EDUCATION, NULL,
     true},
    {"education training and experience", SEC_EDUCATION, NULL, true},
    {"education and experience", SEC_EDUCATION, NULL, true},
    {"education experience", SEC_EDUCATION, NULL, true},
    {"experience and education", SEC_EDUCATION, NULL, true},
    {"training and experience", SEC_EDUCATION, NULL, true},
    {"experience and training", SEC_EDUCATION, NULL, true},
    {"education and training", SEC_EDUCATION, "education", true},
    {"education training", SEC_EDUCATION, "education", true},
    {"education", SEC_EDUCATION, "education", true},
    {"experience", SEC_EDUCATION, "experience", true},
    {"training", SEC_EDUCATION, "training", true},
    {"job preparation", SEC_EDUCATION, NULL, true},
    {"required education", SEC_EDUCATION, "education", true},
    {"required experience", SEC_EDUCATION, "experience", true},
    {"licensing special requirements", SEC_LICENSES, "license", true},
    {"licenses and certifications", SEC_LICENSES, "license", true},
    {"licenses certifications", SEC_LICENSES, "license", true},
    {"license or certificate", SEC_LICENSES, "license", true},
    {"license and certification", SEC_LICENSES, "license", true},
    {"licenses", SEC_LICENSES, "license", false},
    {"license", SEC_LICENSES, "license", false},
    {"licensing", SEC_LICENSES, "license", true},
    {"licensure", SEC_LICENSES, "license", true},
    {"certifications", SEC_LICENSES, "license", false},
    {"certification", SEC_LICENSES, "license", false},
    {"certificates", SEC_LICENSES, "license", false},
    {"special requirements", SEC_LICENSES, "license", true},
    {"special requirement", SEC_LICENSES, "license", true},
    {"special qualifications", SEC_LICENSES, "license", true},
    {"necessary special requirements", SEC_LICENSES, "license", true},
    {"special licenses", SEC_LICENSES, "license", true},

    /* Supervision, conditions, tools, history. */
    {"supervision", SEC_SUPERVISION, NULL, true},
    {"supervisory responsibilities", SEC_SUPERVISION, NULL, true},
    {"supervisory responsibility", SEC_SUPERVISION, NULL, true},
    {"supervisory relationships", SEC_SUPERVISION, NULL, true},
    {"working conditions", SEC_WORKING, NULL, true},
    {"work conditions", SEC_WORKING, NULL, true},
    {"work environment", SEC_WORKING, NULL, true},
    {"working environment", SEC_WORKING, NULL, true},
    {"physical requirements", SEC_WORKING, NULL, true},
    {"physical demands", SEC_WORKING, NULL, true},
    {"physical and mental requirements", SEC_WORKING, NULL, true},
    {"physical abilities", SEC_WORKING, NULL, true},
    {"environmental factors", SEC_WORKING, NULL, true},
    {"environmental conditions", SEC_WORKING, NULL, true},
    {"sensory requirements", SEC_WORKING, NULL, true},
    {"special physical characteristics", SEC_WORKING, NULL, true},
    {"special physical requirements", SEC_WORKING, NULL, true},
    {"physical characteristics", SEC_WORKING, NULL, true},
    {"tools and equipment", SEC_TOOLS, NULL, true},
    {"equipment used", SEC_TOOLS, NULL, true},
    {"tools used", SEC_TOOLS, NULL, true},
    {"tools", SEC_TOOLS, NULL, false},
    {"equipment", SEC_TOOLS, NULL, false},
    {"classification history", SEC_HISTORY, NULL, true},
    {"class history", SEC_HISTORY, NULL, true},
    {"history", SEC_HISTORY, NULL, true},
    {"revision history", SEC_HISTORY, NULL, true},
    {"revision dates", SEC_HISTORY, NULL, true},

    /* Known sections with no field of their own. */
    {"supplemental information", SEC_OTHER, NULL, true},
    {"additional information", SEC_OTHER, NULL, true},
    {"special personal characteristics", SEC_OTHER, NULL, true},
    {"special personal characteristic", SEC_OTHER, NULL, true},
    {"special personal requirements", SEC_OTHER, NULL, true},
    {"special personal requirement", SEC_OTHER, NULL, true},
    {"additional desirable qualifications", SEC_OTHER, NULL, true},
    {"additional desirable qualification", SEC_OTHER, NULL, true},
    {"additional desirable characteristics", SEC_OTHER, NULL, true},
    {"desirable qualifications", SEC_OTHER, NULL, true},
    {"preferred qualifications", SEC_OTHER, NULL, true},
    {"drug testing requirement", SEC_OTHER, NULL, true},
    {"felony disqualification", SEC_OTHER, NULL, true},
    {"peace officer standards", SEC_OTHER, NULL, true},
    {"citizenship requirement", SEC_OTHER, NULL, true},
    {"age limitation", SEC_OTHER, NULL, true},
    {"age requirement", SEC_OTHER, NULL, true},
    {"minimum age", SEC_OTHER, NULL, true},
    {"background investigation", SEC_OTHER, NULL, true},
    {"special medical requirement", SEC_OTHER, NULL, true},
    {"communications", SEC_OTHER, NULL, true},
    {"cognitive functions", SEC_OTHER, NULL, true},
    {"resource accountability", SEC_OTHER, NULL, true},
    {"general and technical competencies", SEC_OTHER, NULL, true},
    {"leadership competencies", SEC_OTHER, NULL, true},
    {"technical competencies", SEC_OTHER, NULL, true},
    {"entry level", SEC_OTHER, NULL, true},
    {"entry levels", SEC_OTHER, NULL, true},
    {"alternate range criteria", SEC_OTHER, NULL, true},
    {"training requirement", SEC_OTHER, NULL, true},
    {"probationary period", SEC_OTHER, NULL, true},
    {"conditions of employment", SEC_OTHER, NULL, true},
    {"special conditions", SEC_OTHER, NULL, true},

    /* Banners. */
    {"california state personnel board specification", SEC_IGNORE, NULL,
     false},
    {"class specification", SEC_IGNORE, NULL, false},
    {"classification specification", SEC_IGNORE, NULL, false},
    {"classification", SEC_IGNORE, NULL, false},
    {"job specification", SEC_IGNORE, NULL, false},
    {"position specification", SEC_IGNORE, NULL, false},
};

void
vocab_normalize(const char *text, size_t len, char *out, size_t size)
{
    size_t o = 0, i = 0;
    if (size == 0)
        return;
    /* Skip leading markers and markdown: "#", "-", "1.", "a)", "ii)". */
    while (i < len && (text[i] == '#' || text[i] == ' ' || text[i] == '-' ||
                       text[i] == '*'))
        i++;
    size_t j = i;
    while (j < len && j - i < 5 && isalnum((unsigned char)text[j]))
        j++;
    if (j > i && j < len && (text[j] == '.' || text[j] == ')') &&
        j + 1 < len && text[j + 1] == ' ') {
        bool marker = true;
        for (size_t k = i; k < j; k++)
            if (!isdigit((unsigned char)text[k]) &&
                !strchr("ivxlcIVXLC", text[k]) && j - i > 1)
                marker = false;
        if (marker)
            i = j + 2;
    }
    int paren = 0;
    bool space = false;
    for (; i < len && o + 5 < size; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '(') {
            paren++;
            continue;
        }
        if (c == ')') {
            if (paren > 0)
                paren--;
            continue;
        }
        if (paren)
            continue;
        if (c == '&') {
            if (o > 0 && !space)
                out[o++] = ' ';
            memcpy(out + o, "and ", 4);
            o += 4;
            space = true;
            continue;
        }
        if (isalnum(c)) {
            out[o++] = (char)tolower(c);
            space = false;
        } else if (c == '\'') {
            continue; /* "Manager's" -> "managers" */
        } else if (!space && o > 0) {
            out[o++] = ' ';
            space = true;
        }
    }
    while (o > 0 && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
}

/* Phrases that name a section wherever they stand in a heading nothing
 * above matched ("TYPICAL WORKING CONDITIONS", "Summary of Duties"). */
static const struct heading_entry contained[] = {
    {"working conditions", SEC_WORKING, NULL, false},
    {"work environment", SEC_WORKING, NULL, false},
    {"physical demands", SEC_WORKING, NULL, false},
    {"physical requirements", SEC_WORKING, NULL, false},
    {"essential duties", SEC_DUTIES, "essential", false},
    {"essential functions", SEC_DUTIES, "essential", false},
    {"examples of duties", SEC_DUTIES, "typical", false},
    {"duties", SEC_DUTIES, "duty", false},
    {"minimum qualifications", SEC_QUALS, NULL, false},
    {"knowledge skills and abilities", SEC_QUALS, "ability", false},
    {"qualifications", SEC_QUALS, NULL, false},
    {"supervision", SEC_SUPERVISION, NULL, false},
    {"summary", SEC_SUMMARY, NULL, false},
};

static bool
has_phrase(const char *norm, const char *words)
{
    size_t n = strlen(words);
    for (const char *k = norm; (k = strstr(k, words)) != NULL; k++)
        if ((k == norm || k[-1] == ' ') && (k[n] == ' ' || k[n] == '\0'))
            return true;
    return false;
}

bool
vocab_heading(const char *text, size_t len, struct heading_match *out)
{
    char norm[256];
    vocab_normalize(text, len, norm, sizeof(norm));
    size_t n = strlen(norm);
    if (n == 0)
        return false;
    for (size_t i = 0; i < sizeof(headings) / sizeof(headings[0]); i++) {
        const struct heading_entry *h = &headings[i];
        size_t hl = strlen(h->words);
        bool exact = n == hl && memcmp(norm, h->words, n) == 0;
        bool prefix = h->prefix && n > hl && memcmp(norm, h->words, hl) == 0 &&
                      norm[hl] == ' ';
        if (exact || prefix) {
            out->sec = h->sec;
            out->kind = h->kind;
            out->exact = exact;
            return true;
        }
    }
    /* Only short headings: a sentence that mentions "duties" is not one. */
    if (strchr(norm, ' ') && strlen(norm) > 60)
        return false;
    for (size_t i = 0; i < sizeof(contained) / sizeof(contained[0]); i++) {
        if (has_phrase(norm, contained[i].words)) {
            out->sec = contained[i].sec;
            out->kind = contained[i].kind;
            out->exact = false;
            return true;
        }
    }
    return false;
}

struct field_entry {
    const char *words; /* normalised */
    enum field field;
};

static const struct field_entry fields[] = {
    {"classification", F_TITLE},
    {"class title", F_TITLE},
    {"classification title", F_TITLE},
    {"job title", F_TITLE},
    {"position title", F_TITLE},
    {"title", F_TITLE},
    {"class code", F_CODE},
    {"classification code", F_CODE},
    {"job code", F_CODE},
    {"class number", F_CODE},
    {"class no", F_CODE},
    {"job number", F_CODE},
    {"department", F_DEPARTMENT},
    {"dept", F_DEPARTMENT},
    {"agency", F_DEPARTMENT},
    {"bureau", F_DEPARTMENT},
    {"flsa", F_FLSA},
    {"flsa status", F_FLSA},
    {"flsa designation", F_FLSA},
    {"flsa classification", F_FLSA},
    {"pay grade", F_GRADE},
    {"grade", F_GRADE},
    {"grade number", F_GRADE},
    {"salary grade", F_GRADE},
    {"pay range", F_GRADE},
    {"salary range", F_GRADE},
    {"range", F_GRADE},
    {"union representation", F_BARGAINING},
    {"bargaining unit", F_BARGAINING},
    {"union", F_BARGAINING},
    {"representation", F_BARGAINING},
    {"adopted", F_ADOPTED},
    {"established", F_ADOPTED},
    {"effective", F_ADOPTED},
    {"effective date", F_ADOPTED},
    {"date adopted", F_ADOPTED},
    {"created", F_ADOPTED},
    {"revised", F_REVISED},
    {"last revised", F_REVISED},
    {"date revised", F_REVISED},
    {"revision date", F_REVISED},
    {"updated", F_REVISED},
    {"series", F_SERIES},
    {"job family", F_SERIES},
    {"schematic code", F_IGNORED},
    {"location", F_IGNORED},
    {"eeo category", F_IGNORED},
    {"eeo", F_IGNORED},
    {"title changed", F_IGNORED},
    {"drafted", F_IGNORED},
    {"cea established", F_IGNORED},
    {"source url", F_IGNORED},
    {"status", F_IGNORED},
    {"work schedule", F_IGNORED},
};

enum field
vocab_field(const char *label, size_t len)
{
    char norm[128];
    vocab_normalize(label, len, norm, sizeof(norm));
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        if (strcmp(norm, fields[i].words) == 0)
            return fields[i].field;
    return F_NONE;
}

/* Statements that open like these state a qualification, whatever
 * phrase they go on to mention. */
static const char *const qualification_openers[] = {
    "knowledge of", "ability to", "skill in", "skills in",
};

/* Words a disclaimer sentence has besides its phrases: "The job
 * classification description does not constitute an employment agreement
 * ... and is subject to change by the employer as the needs of the
 * employer and requirements of the job change." A sentence much longer
 * than its phrases only mentions one ("All of the above, and ... the
 * supervisor's role as an equal opportunity employer; ...") and is an
 * item. */
#define BOILERPLATE_EXTRA_WORDS 24

static size_t
count_words(const char *s, size_t len)
{
    size_t words = 0;
    bool in = false;
    for (size_t i = 0; i < len; i++) {
        bool w = isalnum((unsigned char)s[i]) != 0;
        words += w && !in;
        in = w;
    }
    return words;
}

static const char *const boilerplate[] = {
    "does not constitute an employment agreement",
    "equal opportunity employer",
    "tasks listed are intended",
    "list of duties is intended",
    "duties listed are intended",
    "examples do not include all",
    "not necessarily descriptive of any one position",
    "depending on the assignment, the incumbent may perform",
    "in addition to the general duties, the incumbent may perform",
    "may perform a combination of some or all of the following",
    "reasonable accommodations may be made",
    "any combination of education and experience",
    "any combination of experience and training",
    "work environment characteristics described here are representative",
    "intended to describe the general nature",
    "not intended to be an exhaustive list",
    "is not an exhaustive list",
    "is subject to change by the employer",
};

bool
vocab_is_boilerplate(const char *text, size_t len)
{
    char low[1024];
    size_t n = len < sizeof(low) - 1 ? len : sizeof(low) - 1;
    /* cppcheck-suppress knownConditionTrueFalse ; n is not 0 when len is not */
    for (size_t i = 0; i < n; i++)
        low[i] = (char)tolower((unsigned char)text[i]);
    low[n] = '\0';
    for (size_t i = 0; i < sizeof(qualification_openers) /
                                sizeof(qualification_openers[0]);
         i++)
        if (strncmp(low, qualification_openers[i],
                    strlen(qualification_openers[i])) == 0)
            return false;
    /* Sentence by sentence: one disclaimer sentence makes the statement
     * boilerplate ("The City is an Equal Opportunity Employer. In
     * compliance with ..."). */
    size_t start = 0;
    /* cppcheck-suppress knownConditionTrueFalse ; n is not 0 when len is not */
    while (start < n) {
        size_t end = start;
        /* cppcheck-suppress knownConditionTrueFalse ; n is not 0 when len is not */
        while (end < n && !((low[end] == '.' || low[end] == '?' ||
                             low[end] == '!') &&
                            (end + 1 == n || low[end + 1] == ' ')))
            end++;
        char saved = low[end];
        low[end] = '\0';
        size_t phrase_words = 0;
        for (size_t i = 0; i < sizeof(boilerplate) / sizeof(boilerplate[0]);
             i++)
            if (strstr(low + start, boilerplate[i]))
                phrase_words +=
                    count_words(boilerplate[i], strlen(boilerplate[i]));
        low[end] = saved;
        if (phrase_words > 0 &&
            count_words(low + start, end - start) <=
                phrase_words + BOILERPLATE_EXTRA_WORDS)
            return true;
        start = end + 1;
    }
    return false;
}
