#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"

#define ARENA_BLOCK_MIN (256u * 1024u)

/* What the arena has forgotten is poisoned under AddressSanitizer (GCC's macro, clang's
 * feature test), so a read of a released text fails the sanitizer build's tests. */
#if defined(__SANITIZE_ADDRESS__)
#define VP_ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VP_ARENA_ASAN 1
#endif
#endif
#ifdef VP_ARENA_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

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
        if (a->spare && a->spare->size >= size) {
            b = a->spare;
            a->spare = NULL;
        } else {
            size_t cap = size > ARENA_BLOCK_MIN ? size : ARENA_BLOCK_MIN;
            if (!(b = malloc(sizeof *b + cap)))
                return NULL;
            b->size = cap;
            POISON(b->data, cap);
        }
        b->next = a->head;
        b->used = 0;
        a->head = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += size;
    UNPOISON(p, size);
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

vp_arena_mark vpc_arena_mark(const vp_arena *a)
{
    return (vp_arena_mark){a->head, a->head ? a->head->used : 0};
}

void vpc_arena_release(vp_arena *a, vp_arena_mark m)
{
    while (a->head && a->head != m.block) {
        vp_arena_block *b = a->head;
        a->head = b->next;
        /* one ordinary block is kept: a mark near a block's end would otherwise cost a
         * malloc and a free on every release */
        if (!a->spare && b->size == ARENA_BLOCK_MIN) {
            b->next = NULL;
            POISON(b->data, b->size);
            a->spare = b;
        } else {
            free(b);
        }
    }
    if (a->head) {
        POISON((char *)a->head->data + m.used, a->head->used - m.used);
        a->head->used = m.used;
    }
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
    POISON(keep->data, keep->used);
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
    free(a->spare);
    a->spare = NULL;
}
