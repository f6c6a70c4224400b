/* Bump allocator for strings and small objects whose lifetime is one snapshot.
 * Internal to the engine. Everything allocated is released by vpc_arena_free(). */
#ifndef VP_CORE_ARENA_H
#define VP_CORE_ARENA_H

#include <stddef.h>

typedef struct vp_arena_block vp_arena_block;
typedef struct {
    vp_arena_block *head;
    vp_arena_block *spare; /* one ordinary block kept by vpc_arena_release for the next */
} vp_arena;

/* A point in an arena to come back to with vpc_arena_release. */
typedef struct {
    vp_arena_block *block;
    size_t used;
} vp_arena_mark;

/* Returns size bytes aligned for any type, or NULL when out of memory. */
void *vpc_arena_alloc(vp_arena *a, size_t size);
/* Copies s (NUL-terminated) / the first n bytes of s into the arena; NULL in, NULL out. */
char *vpc_arena_strdup(vp_arena *a, const char *s);
char *vpc_arena_strndup(vp_arena *a, const char *s, size_t n);
/* Lowercased (ASCII only) copy: the comparison key for ARM ids and types. */
char *vpc_arena_strlower(vp_arena *a, const char *s);
/* printf into the arena. */
char *vpc_arena_printf(vp_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Where the arena is now. */
vp_arena_mark vpc_arena_mark(const vp_arena *a);
/* Forgets everything allocated since m was taken, keeping a block for reuse. m must come
 * from this arena with no reset, and no release to an earlier mark, since. Under
 * AddressSanitizer what is forgotten is poisoned, so a text used after its release is
 * reported, not silently overwritten. */
void vpc_arena_release(vp_arena *a, vp_arena_mark m);
/* Forgets everything allocated but keeps one ordinary block for reuse. */
void vpc_arena_reset(vp_arena *a);
void vpc_arena_free(vp_arena *a);

#endif
