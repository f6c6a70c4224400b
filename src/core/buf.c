#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

int vpc_buf_reserve(vpc_buf *b, size_t more)
{
    if (b->nomem)
        return -1;
    if (more > (size_t)-1 - b->len - 1)
        goto nomem;
    if (b->len + more + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + more + 1)
        cap = cap > (size_t)-1 / 2 ? b->len + more + 1 : cap * 2;
    char *p = realloc(b->s, cap);
    if (!p)
        goto nomem;
    if (!b->s)
        p[0] = '\0';
    b->s = p;
    b->cap = cap;
    return 0;
nomem:
    b->nomem = 1;
    return -1;
}

int vpc_buf_add(vpc_buf *b, const void *p, size_t n)
{
    if (vpc_buf_reserve(b, n))
        return -1;
    if (n)
        memcpy(b->s + b->len, p, n);
    b->len += n;
    b->s[b->len] = '\0';
    return 0;
}

int vpc_buf_adds(vpc_buf *b, const char *s)
{
    return vpc_buf_add(b, s, s ? strlen(s) : 0);
}

int vpc_buf_vprintf(vpc_buf *b, const char *fmt, va_list ap)
{
    va_list again;
    size_t room = b->cap > b->len ? b->cap - b->len : 0;
    if (b->nomem)
        return -1;
    va_copy(again, ap);
    /* the common case formats straight into the spare room; a second pass only when it did not fit */
    int n = vsnprintf(room ? b->s + b->len : NULL, room, fmt, ap);
    if (n < 0) {
        va_end(again);
        if (b->s)
            b->s[b->len] = '\0';
        return -1;
    }
    if ((size_t)n >= room) {
        if (vpc_buf_reserve(b, (size_t)n)) {
            va_end(again);
            if (b->s)
                b->s[b->len] = '\0'; /* undo the cut-off first pass */
            return -1;
        }
        vsnprintf(b->s + b->len, (size_t)n + 1, fmt, again);
    }
    va_end(again);
    b->len += (size_t)n;
    return 0;
}

int vpc_buf_printf(vpc_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vpc_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return r;
}

void vpc_buf_clear(vpc_buf *b)
{
    b->len = 0;
    if (b->s)
        b->s[0] = '\0';
}

const char *vpc_buf_str(const vpc_buf *b)
{
    return b->s && !b->nomem ? b->s : "";
}

char *vpc_buf_detach(vpc_buf *b, size_t *len)
{
    char *s = b->nomem ? NULL : b->s;
    if (len)
        *len = s ? b->len : 0;
    if (!s)
        free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
    b->nomem = 0;
    return s;
}

void vpc_buf_free(vpc_buf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
    b->nomem = 0;
}
