/*
 * fuzz_jsonl.c: the JSON-lines reader, through jd_parse_file() as
 * jobdex-index --format jsonl reads a file: line splitting, the length
 * cap, UTF-8 checks, jansson and the record reader. The input is put in
 * an in-memory file (memfd). Every record must survive the round trip to
 * JSON and back unchanged, and every rejected line must be named.
 */
#define _GNU_SOURCE
#include "fuzz.h"

#include "jobdex.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static jd_buf first, second;
static size_t lines_seen;

static jd_status
on_spec(void *ctx, jd_spec *s)
{
    (void)ctx;
    FUZZ_CHECK(s->id && *s->id);
    FUZZ_CHECK(s->source_line >= 1);
    first.len = 0;
    FUZZ_CHECK(jd_spec_to_json(s, &first) == JD_OK);
    jd_spec *back = NULL;
    char why[256];
    jd_status st =
        jd_spec_from_json(first.data, first.len, NULL, &back, why, sizeof(why));
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
    FUZZ_CHECK(source && why && *why);
    FUZZ_CHECK(line >= 1 && line <= lines_seen + 1);
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
    int fd = memfd_create("fuzz.jsonl", MFD_CLOEXEC);
    FUZZ_CHECK(fd >= 0);
    size_t off = 0;
    while (off < size) {
        ssize_t n = write(fd, data + off, size - off);
        FUZZ_CHECK(n > 0);
        off += (size_t)n;
    }
    lines_seen = 0;
    for (size_t i = 0; i < size; i++)
        lines_seen += data[i] == '\n';
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    struct jd_parse_opts opts = {JD_FORMAT_JSONL, "Fuzz County", NULL};
    struct jd_parse_sink sink = {on_spec, on_reject, NULL};
    char msg[512] = "";
    jd_status st = jd_parse_file(path, &opts, &sink, msg, sizeof(msg));
    FUZZ_CHECK(st == JD_OK || msg[0] != '\0');
    FUZZ_CHECK(st == JD_OK || st == JD_ERR_INVALID_ARG || st == JD_ERR_TOO_BIG);
    close(fd);
    return 0;
}
