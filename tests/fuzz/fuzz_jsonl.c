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
    fuzz_check_round_trip(s, NULL, &first, &second);
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
    struct jd_parse_opts opts = {.format = JD_FORMAT_JSONL,
                                 .jurisdiction = "Fuzz County"};
    struct jd_parse_sink sink = {on_spec, on_reject, NULL};
    char msg[512] = "";
    jd_status st = jd_parse_file(path, &opts, &sink, msg, sizeof(msg));
    FUZZ_CHECK(st == JD_OK || msg[0] != '\0');
    FUZZ_CHECK(st == JD_OK || st == JD_ERR_INVALID_ARG || st == JD_ERR_TOO_BIG);
    close(fd);
    return 0;
}
