/* Bump allocator for strings and small objects whose lifetime is one snapshot.
 * Internal to the engine. Everything allocated is released by vpc_arena_free(). */
#ifndef VP_CORE_ARENA_H
#define VP_CORE_ARENA_H

#include <stddef.h>

typedef struct vp_arena_block vp_arena_block;
typedef struct {
    vp_arena_block *head;
} vp_arena;

/* Returns size bytes aligned for any type, or NULL when out of memory. */
void *vpc_arena_alloc(vp_arena *a, size_t size);
/* Copies s (NUL-terminated) / the first n bytes of s into the arena; NULL in, NULL out. */
char *vpc_arena_strdup(vp_arena *a, const char *s);
char *vpc_arena_strndup(vp_arena *a, const char *s, size_t n);
/* Lowercased (ASCII only) copy: the comparison key for ARM ids and types. */
char *vpc_arena_strlower(vp_arena *a, const char *s);
/* printf into the arena. */
char *vpc_arena_printf(vp_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Forgets everything allocated but keeps one ordinary block for reuse. */
void vpc_arena_reset(vp_arena *a);
void vpc_arena_free(vp_arena *a);

#endif
