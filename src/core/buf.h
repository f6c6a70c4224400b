/* Growable NUL-terminated byte buffer, shared by the engine's modules (git's strbuf is
 * the model). Internal to the engine: a low-level primitive that uses only the C library.
 *
 * A zeroed vpc_buf (VPC_BUF_INIT) is an empty buffer. Running out of memory is sticky:
 * the failing call returns -1, sets b->nomem, and every later append is a no-op that
 * returns -1, so a writer can append many pieces and check b->nomem once. */
#ifndef VP_CORE_BUF_H
#define VP_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct {
    char *s;          /* NULL until the first append; then always NUL-terminated */
    size_t len, cap;  /* len excludes the terminating NUL */
    int nomem;        /* an allocation failed; the contents are incomplete */
} vpc_buf;

#define VPC_BUF_INIT {NULL, 0, 0, 0}

/* Makes room for more bytes plus the NUL. 0, or -1 when out of memory. */
int vpc_buf_reserve(vpc_buf *b, size_t more);
/* Appends n bytes of p (which may hold NULs) / the string s (NULL appends nothing). */
int vpc_buf_add(vpc_buf *b, const void *p, size_t n);
int vpc_buf_adds(vpc_buf *b, const char *s);
/* Appends printf-formatted text. */
int vpc_buf_printf(vpc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int vpc_buf_vprintf(vpc_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Empties the buffer but keeps its memory (and a recorded nomem). */
void vpc_buf_clear(vpc_buf *b);
/* The contents as a string: "" for a buffer that never grew or that ran out of memory
 * (incomplete contents are never handed out). Valid until the next append. */
const char *vpc_buf_str(const vpc_buf *b);
/* Hands the contents to the caller, who frees them with free(); *len (optional) gets the
 * length. Returns NULL for a buffer that never grew or after nomem (the partial contents
 * are released). The buffer is empty again afterwards. */
char *vpc_buf_detach(vpc_buf *b, size_t *len);
/* Releases the memory and resets b to VPC_BUF_INIT. */
void vpc_buf_free(vpc_buf *b);

#endif
