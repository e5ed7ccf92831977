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
    fuzz_check_round_trip(s, s->source_file, &first, &second);
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
    struct jd_parse_opts opts = {.format = JD_FORMAT_SPEC,
                                 .folder_jurisdiction = "fuzz-county"};
    struct jd_parse_sink sink = {on_spec, on_reject, NULL};
    char msg[512] = "";
    jd_status st = jd_parse_text((const char *)data, size, "fuzz.txt", &opts,
                                 &sink, msg, sizeof(msg));
    /* A refusal always says why. */
    FUZZ_CHECK(st == JD_OK || msg[0] != '\0');
    FUZZ_CHECK(st == JD_OK || st == JD_ERR_INVALID_ARG || st == JD_ERR_TOO_BIG);
    return 0;
}
