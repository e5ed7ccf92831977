/*
 * fuzz_spec.c: the class-spec text parser (jd_parse_text: size, NUL and
 * UTF-8 checks, normalisation, headings, items, series tables). Every
 * record it makes must survive the --dump round trip: to JSON, back, and
 * to the same JSON again.
 */
#include "fuzz.h"

#include "jobdex.h"

#include <string.h>

static jd_buf first, second;

static jd_status
on_spec(void *ctx, jd_spec *s)
{
    (void)ctx;
    FUZZ_CHECK(s->id && *s->id);
    first.len = 0;
    FUZZ_CHECK(jd_spec_to_json(s, &first) == JD_OK);
    jd_spec *back = NULL;
    char why[256];
    jd_status st = jd_spec_from_json(first.data, first.len, s->source_file,
                                     &back, why, sizeof(why));
    if (st != JD_OK)
        fprintf(stderr, "round trip refused: %s\n%s\n", why, first.data);
    FUZZ_CHECK(st == JD_OK);
    second.len = 0;
    FUZZ_CHECK(jd_spec_to_json(back, &second) == JD_OK);
    if (first.len != second.len || memcmp(first.data, second.data, first.len))
        fprintf(stderr, "round trip changed the record:\n%s\n%s\n", first.data,
                second.data);
    FUZZ_CHECK(first.len == second.len &&
               memcmp(first.data, second.data, first.len) == 0);
    jd_spec_free(back);
    jd_spec_free(s);
    return JD_OK;
}

static void
on_reject(void *ctx, const char *source, unsigned line, const char *why)
{
    (void)ctx;
    (void)line;
    FUZZ_CHECK(source && why && *why);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct jd_parse_opts opts = {JD_FORMAT_SPEC, NULL, "fuzz-county"};
    struct jd_parse_sink sink = {on_spec, on_reject, NULL};
    char msg[512] = "";
    jd_status st = jd_parse_text((const char *)data, size, "fuzz.txt", &opts,
                                 &sink, msg, sizeof(msg));
    /* A refusal always says why. */
    FUZZ_CHECK(st == JD_OK || msg[0] != '\0');
    FUZZ_CHECK(st == JD_OK || st == JD_ERR_INVALID_ARG || st == JD_ERR_TOO_BIG);
    return 0;
}
