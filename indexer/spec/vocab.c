/*
 * spec_vocab.c: heading, label and boilerplate vocabularies. Headings
 * are compared after vocab_normalize(), so "KNOWLEDGE/SKILLS/ABILITIES
 * REQUIRED:" and "Knowledge, Skills and Abilities" meet as
 * "knowledge skills abilities required" and "knowledge skills and
 * abilities". The first entry that matches wins: specific before general.
 */
#include "indexer/spec/vocab.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

struct heading_entry {
    const char *words; /* normalised */
    const char *kind;
    enum section sec;
    bool prefix; /* also matches headings that start with these words */
};

static const struct heading_entry headings[] = {
    /* Duties. */
    {"essential duties", "essential", SEC_DUTIES, true},
    {"essential functions", "essential", SEC_DUTIES, true},
    {"essential job functions", "essential", SEC_DUTIES, true},
    {"examples of essential", "essential", SEC_DUTIES, true},
    {"essential responsibilities", "essential", SEC_DUTIES, true},
    {"general duties", "general", SEC_DUTIES, true},
    {"specific duties", "specific", SEC_DUTIES, true},
    {"typical tasks", "typical", SEC_DUTIES, true},
    {"typical duties", "typical", SEC_DUTIES, true},
    {"typical work", "typical", SEC_DUTIES, true},
    {"typical functions", "typical", SEC_DUTIES, true},
    {"examples of work", "typical", SEC_DUTIES, true},
    {"examples of duties", "typical", SEC_DUTIES, true},
    {"example of duties", "typical", SEC_DUTIES, true},
    {"examples of typical", "typical", SEC_DUTIES, true},
    {"illustrative examples", "typical", SEC_DUTIES, true},
    {"illustrative duties", "typical", SEC_DUTIES, true},
    {"representative duties", "typical", SEC_DUTIES, true},
    {"duties and responsibilities", "duty", SEC_DUTIES, true},
    {"duties responsibilities", "duty", SEC_DUTIES, true},
    {"job duties", "duty", SEC_DUTIES, true},
    {"major duties", "duty", SEC_DUTIES, true},
    {"primary duties", "duty", SEC_DUTIES, true},
    {"principal duties", "duty", SEC_DUTIES, true},
    {"duties", "duty", SEC_DUTIES, false},
    {"responsibilities", "duty", SEC_DUTIES, false},
    {"key responsibilities", "duty", SEC_DUTIES, false},
    {"principal responsibilities", "duty", SEC_DUTIES, false},
    {"position responsibilities", "duty", SEC_DUTIES, false},
    {"tasks", "duty", SEC_DUTIES, false},
    {"work performed", "duty", SEC_DUTIES, false},
    {"duties performed", "duty", SEC_DUTIES, false},
    {"job functions", "duty", SEC_DUTIES, false},
    {"accountabilities", "duty", SEC_DUTIES, false},
    {"essential tasks", "essential", SEC_DUTIES, true},

    /* Summary and distinguishing characteristics. */
    {"classification summary", NULL, SEC_SUMMARY, true},
    {"class summary", NULL, SEC_SUMMARY, true},
    {"job summary", NULL, SEC_SUMMARY, true},
    {"position summary", NULL, SEC_SUMMARY, true},
    {"summary", NULL, SEC_SUMMARY, false},
    {"general description", NULL, SEC_SUMMARY, true},
    {"general statement of duties", NULL, SEC_SUMMARY, true},
    {"description", NULL, SEC_SUMMARY, false},
    {"job description", NULL, SEC_SUMMARY, false},
    {"position description", NULL, SEC_SUMMARY, false},
    {"definition of levels", "level", SEC_SUMMARY, true},
    {"definition", NULL, SEC_SUMMARY, true},
    {"class definition", NULL, SEC_SUMMARY, false},
    {"nature of work", NULL, SEC_SUMMARY, true},
    {"nature of the work", NULL, SEC_SUMMARY, true},
    {"purpose", NULL, SEC_SUMMARY, true},
    {"general purpose", NULL, SEC_SUMMARY, true},
    {"position purpose", NULL, SEC_SUMMARY, true},
    {"job purpose", NULL, SEC_SUMMARY, true},
    {"overview", NULL, SEC_SUMMARY, true},
    {"scope", NULL, SEC_SUMMARY, true},
    {"class concept", NULL, SEC_SUMMARY, true},
    {"distinguishing characteristics", NULL, SEC_DISTINGUISHING, true},
    {"distinguishing features", NULL, SEC_DISTINGUISHING, true},
    {"distinguishing characteristic", NULL, SEC_DISTINGUISHING, true},
    {"class characteristics", NULL, SEC_DISTINGUISHING, true},
    {"characteristics of the class", NULL, SEC_DISTINGUISHING, true},
    {"job characteristics", NULL, SEC_DISTINGUISHING, true},
    {"factors affecting position allocation", NULL, SEC_DISTINGUISHING, true},
    {"level distinctions", NULL, SEC_DISTINGUISHING, false},

    /* Knowledge, skills and abilities. */
    {"knowledge skills and abilities", "ability", SEC_QUALS, true},
    {"knowledge skills abilities", "ability", SEC_QUALS, true},
    {"knowledges skills and abilities", "ability", SEC_QUALS, true},
    {"knowledge and abilities", "ability", SEC_QUALS, true},
    {"knowledges and abilities", "ability", SEC_QUALS, true},
    {"knowledge abilities", "ability", SEC_QUALS, true},
    {"knowledge and skills", "ability", SEC_QUALS, true},
    {"knowledge abilities and skills", "ability", SEC_QUALS, true},
    {"necessary knowledge", "ability", SEC_QUALS, true},
    {"required knowledge", "ability", SEC_QUALS, true},
    {"ksas", "ability", SEC_QUALS, false},
    {"ksa", "ability", SEC_QUALS, false},
    {"competencies", "ability", SEC_QUALS, false},
    {"knowledge of", "knowledge", SEC_KNOWLEDGE, false},
    {"knowledge", "knowledge", SEC_KNOWLEDGE, false},
    {"knowledge required", "knowledge", SEC_KNOWLEDGE, false},
    {"working knowledge of", "knowledge", SEC_KNOWLEDGE, false},
    {"skills and abilities", "ability", SEC_ABILITIES, true},
    {"skills abilities", "ability", SEC_ABILITIES, true},
    {"skill and ability", "ability", SEC_ABILITIES, true},
    {"skills", "skill", SEC_SKILLS, false},
    {"skill", "skill", SEC_SKILLS, false},
    {"skill in", "skill", SEC_SKILLS, false},
    {"skills in", "skill", SEC_SKILLS, false},
    {"skill to", "skill", SEC_SKILLS, false},
    {"skills required", "skill", SEC_SKILLS, false},
    {"abilities", "ability", SEC_ABILITIES, false},
    {"ability", "ability", SEC_ABILITIES, false},
    {"ability to", "ability", SEC_ABILITIES, false},
    {"abilities to", "ability", SEC_ABILITIES, false},
    {"abilities required", "ability", SEC_ABILITIES, false},

    /* Qualifications: containers, education and experience, licences. */
    {"minimum qualifications", NULL, SEC_QUALS, true},
    {"minimum qualification", NULL, SEC_QUALS, true},
    {"minimum requirements", NULL, SEC_QUALS, true},
    {"minimum education and experience", NULL, SEC_EDUCATION, true},
    {"qualifications", NULL, SEC_QUALS, false},
    {"required qualifications", NULL, SEC_QUALS, false},
    {"qualification requirements", NULL, SEC_QUALS, false},
    {"requirements", NULL, SEC_QUALS, false},
    {"employment standards", NULL, SEC_QUALS, false},
    {"job specifications", NULL, SEC_QUALS, true},
    {"job requirements", NULL, SEC_QUALS, false},
    {"required education training and experience", NULL, SEC_EDUCATION, true},
    {"education training and experience", NULL, SEC_EDUCATION, true},
    {"education and experience", NULL, SEC_EDUCATION, true},
    {"education experience", NULL, SEC_EDUCATION, true},
    {"experience and education", NULL, SEC_EDUCATION, true},
    {"training and experience", NULL, SEC_EDUCATION, true},
    {"experience and training", NULL, SEC_EDUCATION, true},
    {"education and training", "education", SEC_EDUCATION, true},
    {"education training", "education", SEC_EDUCATION, true},
    {"education", "education", SEC_EDUCATION, true},
    {"experience", "experience", SEC_EDUCATION, true},
    {"training", "training", SEC_EDUCATION, true},
    {"job preparation", NULL, SEC_EDUCATION, true},
    {"required education", "education", SEC_EDUCATION, true},
    {"required experience", "experience", SEC_EDUCATION, true},
    {"licensing special requirements", "license", SEC_LICENSES, true},
    {"licenses and certifications", "license", SEC_LICENSES, true},
    {"licenses certifications", "license", SEC_LICENSES, true},
    {"license or certificate", "license", SEC_LICENSES, true},
    {"license and certification", "license", SEC_LICENSES, true},
    {"licenses", "license", SEC_LICENSES, false},
    {"license", "license", SEC_LICENSES, false},
    {"licensing", "license", SEC_LICENSES, true},
    {"licensure", "license", SEC_LICENSES, true},
    {"certifications", "license", SEC_LICENSES, false},
    {"certification", "license", SEC_LICENSES, false},
    {"certificates", "license", SEC_LICENSES, false},
    {"special requirements", "license", SEC_LICENSES, true},
    {"special requirement", "license", SEC_LICENSES, true},
    {"special qualifications", "license", SEC_LICENSES, true},
    {"necessary special requirements", "license", SEC_LICENSES, true},
    {"special licenses", "license", SEC_LICENSES, true},

    /* Supervision, conditions, tools, history. */
    {"supervision", NULL, SEC_SUPERVISION, true},
    {"supervisory responsibilities", NULL, SEC_SUPERVISION, true},
    {"supervisory responsibility", NULL, SEC_SUPERVISION, true},
    {"supervisory relationships", NULL, SEC_SUPERVISION, true},
    {"working conditions", NULL, SEC_WORKING, true},
    {"work conditions", NULL, SEC_WORKING, true},
    {"work environment", NULL, SEC_WORKING, true},
    {"working environment", NULL, SEC_WORKING, true},
    {"physical requirements", NULL, SEC_WORKING, true},
    {"physical demands", NULL, SEC_WORKING, true},
    {"physical and mental requirements", NULL, SEC_WORKING, true},
    {"physical abilities", NULL, SEC_WORKING, true},
    {"environmental factors", NULL, SEC_WORKING, true},
    {"environmental conditions", NULL, SEC_WORKING, true},
    {"sensory requirements", NULL, SEC_WORKING, true},
    {"special physical characteristics", NULL, SEC_WORKING, true},
    {"special physical requirements", NULL, SEC_WORKING, true},
    {"physical characteristics", NULL, SEC_WORKING, true},
    {"tools and equipment", NULL, SEC_TOOLS, true},
    {"equipment used", NULL, SEC_TOOLS, true},
    {"tools used", NULL, SEC_TOOLS, true},
    {"tools", NULL, SEC_TOOLS, false},
    {"equipment", NULL, SEC_TOOLS, false},
    {"classification history", NULL, SEC_HISTORY, true},
    {"class history", NULL, SEC_HISTORY, true},
    {"history", NULL, SEC_HISTORY, true},
    {"revision history", NULL, SEC_HISTORY, true},
    {"revision dates", NULL, SEC_HISTORY, true},

    /* Known sections with no field of their own. */
    {"supplemental information", NULL, SEC_OTHER, true},
    {"additional information", NULL, SEC_OTHER, true},
    {"special personal characteristics", NULL, SEC_OTHER, true},
    {"special personal characteristic", NULL, SEC_OTHER, true},
    {"special personal requirements", NULL, SEC_OTHER, true},
    {"special personal requirement", NULL, SEC_OTHER, true},
    {"additional desirable qualifications", NULL, SEC_OTHER, true},
    {"additional desirable qualification", NULL, SEC_OTHER, true},
    {"additional desirable characteristics", NULL, SEC_OTHER, true},
    {"desirable qualifications", NULL, SEC_OTHER, true},
    {"preferred qualifications", NULL, SEC_OTHER, true},
    {"drug testing requirement", NULL, SEC_OTHER, true},
    {"felony disqualification", NULL, SEC_OTHER, true},
    {"peace officer standards", NULL, SEC_OTHER, true},
    {"citizenship requirement", NULL, SEC_OTHER, true},
    {"age limitation", NULL, SEC_OTHER, true},
    {"age requirement", NULL, SEC_OTHER, true},
    {"minimum age", NULL, SEC_OTHER, true},
    {"background investigation", NULL, SEC_OTHER, true},
    {"special medical requirement", NULL, SEC_OTHER, true},
    {"communications", NULL, SEC_OTHER, true},
    {"cognitive functions", NULL, SEC_OTHER, true},
    {"resource accountability", NULL, SEC_OTHER, true},
    {"general and technical competencies", NULL, SEC_OTHER, true},
    {"leadership competencies", NULL, SEC_OTHER, true},
    {"technical competencies", NULL, SEC_OTHER, true},
    {"entry level", NULL, SEC_OTHER, true},
    {"entry levels", NULL, SEC_OTHER, true},
    {"alternate range criteria", NULL, SEC_OTHER, true},
    {"training requirement", NULL, SEC_OTHER, true},
    {"probationary period", NULL, SEC_OTHER, true},
    {"conditions of employment", NULL, SEC_OTHER, true},
    {"special conditions", NULL, SEC_OTHER, true},

    /* Banners. */
    {"california state personnel board specification", NULL, SEC_IGNORE, false},
    {"class specification", NULL, SEC_IGNORE, false},
    {"classification specification", NULL, SEC_IGNORE, false},
    {"classification", NULL, SEC_IGNORE, false},
    {"job specification", NULL, SEC_IGNORE, false},
    {"position specification", NULL, SEC_IGNORE, false},
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
    if (j > i && j < len && (text[j] == '.' || text[j] == ')') && j + 1 < len &&
        text[j + 1] == ' ') {
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
    {"working conditions", NULL, SEC_WORKING, false},
    {"work environment", NULL, SEC_WORKING, false},
    {"physical demands", NULL, SEC_WORKING, false},
    {"physical requirements", NULL, SEC_WORKING, false},
    {"essential duties", "essential", SEC_DUTIES, false},
    {"essential functions", "essential", SEC_DUTIES, false},
    {"examples of duties", "typical", SEC_DUTIES, false},
    {"duties", "duty", SEC_DUTIES, false},
    {"minimum qualifications", NULL, SEC_QUALS, false},
    {"knowledge skills and abilities", "ability", SEC_QUALS, false},
    {"qualifications", NULL, SEC_QUALS, false},
    {"supervision", NULL, SEC_SUPERVISION, false},
    {"summary", NULL, SEC_SUMMARY, false},
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
    "knowledge of",
    "ability to",
    "skill in",
    "skills in",
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
    for (size_t i = 0;
         i < sizeof(qualification_openers) / sizeof(qualification_openers[0]);
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
        /* cppcheck-suppress knownConditionTrueFalse ; n is not 0 when len is
         * not */
        while (end < n &&
               !((low[end] == '.' || low[end] == '?' || low[end] == '!') &&
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
        if (phrase_words > 0 && count_words(low + start, end - start) <=
                                    phrase_words + BOILERPLATE_EXTRA_WORDS)
            return true;
        start = end + 1;
    }
    return false;
}
