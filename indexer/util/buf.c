/*
 * buf.c: jd_buf, a growable NUL-terminated byte string.
 */
#include "indexer/util/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
jd_buf_free(jd_buf *b)
{
    if (!b)
        return;
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void
buf_clear(jd_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

jd_status
buf_reserve(jd_buf *b, size_t n)
{
    if (n > SIZE_MAX - b->len - 1)
        return JD_ERR_NOMEM;
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return JD_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = realloc(b->data, cap);
    if (!p)
        return JD_ERR_NOMEM;
    b->data = p;
    b->cap = cap;
    return JD_OK;
}

jd_status
buf_append(jd_buf *b, const char *s, size_t n)
{
    jd_status st = buf_reserve(b, n);
    if (st != JD_OK)
        return st;
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return JD_OK;
}

jd_status
buf_puts(jd_buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

jd_status
buf_putc(jd_buf *b, char c)
{
    return buf_append(b, &c, 1);
}

jd_status
buf_printf(jd_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return JD_ERR_INTERNAL;
    jd_status st = buf_reserve(b, (size_t)n);
    if (st != JD_OK)
        return st;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return JD_OK;
}
