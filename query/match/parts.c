/*
 * parts.c: cutting a text into paragraphs and list items (parts.h). The
 * list markers are the spec parser's (spec_lines.h), so a résumé's
 * bullets are read as a class spec's are.
 */
#include "query/match/parts.h"

#include "indexer/spec/lines.h"

#include <stdlib.h>
#include <string.h>

/* Append [START, END) to V as a part. */
static jd_status
push(struct text_span **v, size_t *n, size_t *cap, size_t start, size_t end)
{
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        struct text_span *nv = realloc(*v, ncap * sizeof(*nv));
        if (!nv)
            return JD_ERR_NOMEM;
        *v = nv;
        *cap = ncap;
    }
    (*v)[(*n)++] = (struct text_span){start, end - start};
    return JD_OK;
}

/* Join V's N parts into MAX spans of about N / MAX parts each (N > MAX):
 * part I goes to span I * MAX / N, which never runs ahead of I. */
static size_t
join_to(struct text_span *v, size_t n, size_t max)
{
    size_t spans = 0, start = 0;
    for (size_t i = 0; i < n; i++) {
        if (i * max / n == spans) { /* part I starts a new span */
            start = v[i].start;
            spans++;
        }
        v[spans - 1] = (struct text_span){start, v[i].start + v[i].len - start};
    }
    return spans;
}

static bool
blank_line(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

jd_status
text_parts(const char *text, size_t len, size_t max, struct text_span **out,
           size_t *n)
{
    struct text_span *v = NULL;
    size_t count = 0, cap = 0;
    bool open = false; /* a part is under way */
    size_t part_start = 0, part_end = 0;
    jd_status st = JD_OK;
    for (size_t i = 0; i < len && st == JD_OK;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) : len;
        size_t s = i;
        while (s < end && (text[s] == ' ' || text[s] == '\t'))
            s++;
        struct marker m;
        if (blank_line(text + s, end - s)) {
            if (open)
                st = push(&v, &count, &cap, part_start, part_end);
            open = false;
        } else if (line_marker(text + s, end - s, &m)) {
            if (open)
                st = push(&v, &count, &cap, part_start, part_end);
            open = true;
            part_start = s + m.len; /* the marker is not text */
            part_end = end;
        } else if (open) {
            part_end = end;
        } else {
            open = true;
            part_start = s;
            part_end = end;
        }
        i = end + 1;
    }
    if (st == JD_OK && open)
        st = push(&v, &count, &cap, part_start, part_end);
    if (st != JD_OK) {
        free(v);
        return st;
    }
    if (max > 0 && count > max)
        count = join_to(v, count, max);
    *out = v;
    *n = count;
    return JD_OK;
}
