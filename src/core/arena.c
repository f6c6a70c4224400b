#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"

#define ARENA_BLOCK_MIN (256u * 1024u)

struct vp_arena_block {
    vp_arena_block *next;
    size_t used, size;
    max_align_t data[];
};

void *vpc_arena_alloc(vp_arena *a, size_t size)
{
    const size_t align = _Alignof(max_align_t);
    vp_arena_block *b = a->head;
    size = (size + align - 1) & ~(align - 1);
    if (!b || b->size - b->used < size) {
        size_t cap = size > ARENA_BLOCK_MIN ? size : ARENA_BLOCK_MIN;
        b = malloc(sizeof *b + cap);
        if (!b)
            return NULL;
        b->next = a->head;
        b->used = 0;
        b->size = cap;
        a->head = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += size;
    return p;
}

char *vpc_arena_strndup(vp_arena *a, const char *s, size_t n)
{
    if (!s)
        return NULL;
    char *p = vpc_arena_alloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

char *vpc_arena_strdup(vp_arena *a, const char *s)
{
    return s ? vpc_arena_strndup(a, s, strlen(s)) : NULL;
}

char *vpc_arena_strlower(vp_arena *a, const char *s)
{
    char *p = vpc_arena_strdup(a, s);
    for (char *c = p; c && *c; c++)
        *c = (char)tolower((unsigned char)*c);
    return p;
}

char *vpc_arena_printf(vp_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = vpc_arena_alloc(a, (size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void vpc_arena_reset(vp_arena *a)
{
    vp_arena_block *keep = a->head;
    if (!keep)
        return;
    a->head = keep->next;
    keep->next = NULL;
    vpc_arena_free(a);
    if (keep->size > ARENA_BLOCK_MIN) { /* an outsized block: do not hold on to it */
        free(keep);
        return;
    }
    keep->used = 0;
    a->head = keep;
}

void vpc_arena_free(vp_arena *a)
{
    vp_arena_block *b = a->head;
    while (b) {
        vp_arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
}
