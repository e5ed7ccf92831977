/*
 * buf.h: appending to a jd_buf. Every append keeps data NUL-terminated.
 */
#ifndef JD_BUF_H
#define JD_BUF_H

#include "jobdex.h"

#include <stdarg.h>

jd_status buf_append(jd_buf *b, const char *s, size_t n);
jd_status buf_puts(jd_buf *b, const char *s);
jd_status buf_putc(jd_buf *b, char c);
jd_status buf_printf(jd_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Make room for N more bytes (plus the NUL). */
jd_status buf_reserve(jd_buf *b, size_t n);
/* Forget the contents, keep the memory. */
void buf_clear(jd_buf *b);

#endif
