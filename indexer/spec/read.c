/*
 * parse.c: jd_parse_file() and jd_parse_text(): reading an input file
 * safely (size cap, binary and UTF-8 checks), telling its format, and
 * handing it to the text parser, the JSON-lines reader or the O*NET
 * importer. Nothing here interprets a spec's content.
 */
#include "jobdex.h"

#include "indexer/spec/from_onet.h"
#include "indexer/spec/from_text.h"
#include "indexer/spec/json.h"
#include "indexer/spec/record.h"
#include "indexer/text/analyze.h"
#include "indexer/util/buf.h"
#include "indexer/util/pseudofs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* 1-based line of byte OFF in TEXT. */
static unsigned
line_of(const char *text, size_t off)
{
    unsigned line = 1;
    for (size_t i = 0; i < off; i++)
        line += text[i] == '\n';
    return line;
}

static bool
is_blank_text(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (text[i] != ' ' && text[i] != '\t' && text[i] != '\n' &&
            text[i] != '\r' && text[i] != '\f' && text[i] != '\v')
            return false;
    return true;
}

/* Checks every input path shares: emptiness, NUL bytes, UTF-8. */
static jd_status
check_text(const char *text, size_t len, char *msg, size_t msglen)
{
    if (is_blank_text(text, len)) {
        snprintf(msg, msglen, "empty file");
        return JD_ERR_INVALID_ARG;
    }
    const char *nul = memchr(text, '\0', len);
    if (nul) {
        snprintf(msg, msglen, "binary file (NUL byte at offset %zu)",
                 (size_t)(nul - text));
        return JD_ERR_INVALID_ARG;
    }
    size_t bad = analyze_utf8_invalid_at(text, len);
    if (bad < len) {
        snprintf(msg, msglen, "invalid UTF-8 at line %u (byte offset %zu)",
                 line_of(text, bad), bad);
        return JD_ERR_INVALID_ARG;
    }
    return JD_OK;
}

jd_status
jd_parse_text(const char *text, size_t len, const char *source,
              const struct jd_parse_opts *opts,
              const struct jd_parse_sink *sink, char *msg, size_t msglen)
{
    if (len > JD_SPEC_MAX_BYTES) {
        snprintf(msg, msglen, "file is %zu bytes, over the %zu-byte limit", len,
                 JD_SPEC_MAX_BYTES);
        return JD_ERR_TOO_BIG;
    }
    jd_status st = check_text(text, len, msg, msglen);
    if (st != JD_OK)
        return st;
    jd_buf norm = {NULL, 0, 0};
    st = analyze_normalize(text, len, &norm);
    if (st == JD_OK)
        st = spec_text_parse(norm.data, norm.len, source, opts, sink, msg,
                             msglen);
    else if (st == JD_ERR_NOMEM)
        snprintf(msg, msglen, "out of memory");
    jd_buf_free(&norm);
    return st;
}

/* Read all of FD (at most MAX bytes) into OUT. */
static jd_status
read_all(int fd, size_t max, jd_buf *out, char *msg, size_t msglen)
{
    char chunk[65536];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            snprintf(msg, msglen, "%s", strerror(errno));
            return JD_ERR_IO;
        }
        if (n == 0)
            return JD_OK;
        if (out->len + (size_t)n > max) {
            snprintf(msg, msglen, "file is over the %zu-byte limit", max);
            return JD_ERR_TOO_BIG;
        }
        if (buf_append(out, chunk, (size_t)n) != JD_OK) {
            snprintf(msg, msglen, "out of memory");
            return JD_ERR_NOMEM;
        }
    }
}

static bool
has_suffix(const char *path, const char *suffix)
{
    size_t n = strlen(path), k = strlen(suffix);
    return n >= k && strcasecmp(path + n - k, suffix) == 0;
}

/* Guess the format of the file at PATH from its name and first byte. */
static jd_input_format
sniff(const char *path, int fd)
{
    if (has_suffix(path, ".jsonl") || has_suffix(path, ".ndjson") ||
        has_suffix(path, ".json"))
        return JD_FORMAT_JSONL;
    char head[256];
    ssize_t n = pread(fd, head, sizeof(head), 0);
    for (ssize_t i = 0; i < n; i++) {
        if (head[i] == ' ' || head[i] == '\n' || head[i] == '\r' ||
            head[i] == '\t')
            continue;
        return head[i] == '{' ? JD_FORMAT_JSONL : JD_FORMAT_SPEC;
    }
    return JD_FORMAT_SPEC;
}

/* One JSON line (without its newline): a record for the sink or a
 * rejection. */
static jd_status
jsonl_line(const char *line, size_t len, const char *path, unsigned no,
           const struct jd_parse_opts *opts, const struct jd_parse_sink *sink)
{
    char why[256];
    jd_spec *s;
    const char *jur = opts && opts->folder_jurisdiction
                          ? opts->folder_jurisdiction
                          : (opts ? opts->jurisdiction : NULL);
    jd_status st = spec_from_json(line, len, path, jur, &s, why, sizeof(why));
    if (st == JD_ERR_NOMEM)
        return st;
    if (st != JD_OK) {
        if (sink->reject)
            sink->reject(sink->ctx, path, no, why);
        return JD_OK;
    }
    if (s->source_line == 0)
        s->source_line = no;
    return spec_emit(sink, s, path, no);
}

/* The line being gathered by parse_jsonl(). */
struct jsonl_reader {
    const char *path;
    const struct jd_parse_opts *opts;
    const struct jd_parse_sink *sink;
    jd_buf line;   /* bytes of the current line so far, no newline */
    unsigned no;   /* lines finished */
    bool skipping; /* the current line is over the limit */
    bool any;      /* a line that was not blank */
};

/* Add N bytes (no newline among them) to the current line. */
static jd_status
jsonl_feed(struct jsonl_reader *j, const char *p, size_t n)
{
    if (j->skipping)
        return JD_OK;
    if (j->line.len + n > JD_JSONL_MAX_LINE) {
        char why[128];
        snprintf(why, sizeof(why), "line is over the %zu-byte JSON-lines limit",
                 JD_JSONL_MAX_LINE);
        if (j->sink->reject)
            j->sink->reject(j->sink->ctx, j->path, j->no + 1, why);
        j->skipping = true;
        jd_buf_free(&j->line);
        return JD_OK;
    }
    return buf_append(&j->line, p, n);
}

static jd_status
jsonl_end_line(struct jsonl_reader *j)
{
    jd_status st = JD_OK;
    j->no++;
    if (!j->skipping && !is_blank_text(j->line.data, j->line.len)) {
        j->any = true;
        st = jsonl_line(j->line.data, j->line.len, j->path, j->no, j->opts,
                        j->sink);
    }
    j->skipping = false;
    buf_clear(&j->line);
    return st;
}

/* Stream FD one line at a time: a JSON-lines file may hold millions of
 * records, so it is never read whole, and no line is held past
 * JD_JSONL_MAX_LINE. Lines are cut by length, not as C strings, so a NUL
 * byte is reported, not taken for the end of the line. */
static jd_status
parse_jsonl(int fd, const char *path, const struct jd_parse_opts *opts,
            const struct jd_parse_sink *sink, char *msg, size_t msglen)
{
    struct jsonl_reader j = {path, opts, sink, {NULL, 0, 0}, 0, false, false};
    jd_status st = JD_OK;
    char chunk[65536];
    while (st == JD_OK) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(msg, msglen, "%s", strerror(errno));
            st = JD_ERR_IO;
            break;
        }
        if (n == 0)
            break;
        size_t off = 0;
        while (st == JD_OK && off < (size_t)n) {
            const char *nl = memchr(chunk + off, '\n', (size_t)n - off);
            size_t end = nl ? (size_t)(nl - chunk) : (size_t)n;
            st = jsonl_feed(&j, chunk + off, end - off);
            off = end;
            if (nl && st == JD_OK) {
                st = jsonl_end_line(&j);
                off++;
            }
        }
    }
    /* A last line without a newline. */
    if (st == JD_OK && (j.line.len > 0 || j.skipping))
        st = jsonl_end_line(&j);
    jd_buf_free(&j.line);
    if (st == JD_ERR_NOMEM)
        snprintf(msg, msglen, "out of memory");
    if (st == JD_OK && !j.any) {
        snprintf(msg, msglen, "empty file");
        st = JD_ERR_INVALID_ARG;
    }
    return st;
}

jd_status
jd_parse_file(const char *path, const struct jd_parse_opts *opts,
              const struct jd_parse_sink *sink, char *msg, size_t msglen)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        snprintf(msg, msglen, "%s", strerror(errno));
        return JD_ERR_IO;
    }
    jd_input_format fmt = opts ? opts->format : JD_FORMAT_AUTO;
    if (S_ISDIR(sb.st_mode)) {
        if (fmt == JD_FORMAT_ONET || spec_onet_is_dir(path))
            return spec_onet_import(path, opts, sink, msg, msglen);
        snprintf(msg, msglen, "is a directory");
        return JD_ERR_INVALID_ARG;
    }
    if (fmt == JD_FORMAT_ONET) {
        snprintf(msg, msglen, "an O*NET database is a directory");
        return JD_ERR_INVALID_ARG;
    }
    if (!S_ISREG(sb.st_mode)) {
        snprintf(msg, msglen, "not a regular file");
        return JD_ERR_INVALID_ARG;
    }
    /* O_NONBLOCK: should PATH have become a FIFO since the stat above,
     * the open must not wait for a writer; fstat tells. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        snprintf(msg, msglen, "%s", strerror(errno));
        return JD_ERR_IO;
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        snprintf(msg, msglen, "not a regular file");
        close(fd);
        return JD_ERR_INVALID_ARG;
    }
    /* jd_walk() hands on no path on /proc or /sys, but PATH may have
     * been replaced by a link there since: check what was opened. */
    if (pseudofs_fd(fd, msg, msglen)) {
        close(fd);
        return JD_ERR_INVALID_ARG;
    }
    if (fmt == JD_FORMAT_AUTO)
        fmt = sniff(path, fd);
    jd_status st;
    if (fmt == JD_FORMAT_JSONL) {
        st = parse_jsonl(fd, path, opts, sink, msg, msglen);
    } else if ((size_t)sb.st_size > JD_SPEC_MAX_BYTES) {
        snprintf(msg, msglen, "file is %lld bytes, over the %zu-byte limit",
                 (long long)sb.st_size, JD_SPEC_MAX_BYTES);
        st = JD_ERR_TOO_BIG;
    } else {
        jd_buf text = {NULL, 0, 0};
        st = read_all(fd, JD_SPEC_MAX_BYTES, &text, msg, msglen);
        if (st == JD_OK)
            st = jd_parse_text(text.data ? text.data : "", text.len, path, opts,
                               sink, msg, msglen);
        jd_buf_free(&text);
    }
    close(fd);
    return st;
}
