/* Growable arrays and empty-safe sort/search/lower bound, shared by the engine's modules. */
#ifndef VP_CORE_VEC_H
#define VP_CORE_VEC_H

#include <stddef.h>
#include <stdlib.h>

/* Growable array of T: v, n, cap. */
#define VP_VEC(T) struct { T *v; size_t n, cap; }
/* Makes room for one more element; returns a pointer to it (zeroed) or NULL. */
#define VP_VEC_PUSH(vec) ((__typeof__((vec).v))vpc_vec_grow((void **)&(vec).v, &(vec).n, &(vec).cap, sizeof *(vec).v))
void *vpc_vec_grow(void **v, size_t *n, size_t *cap, size_t elem);
/* Gives back the room VP_VEC_PUSH made beyond n (up to half the array, since it doubles)
 * once an array is complete; the elements may move. Keeps the array as it is when the
 * allocator cannot shrink it. */
#define VP_VEC_FIT(vec) vpc_vec_fit((void **)&(vec).v, (vec).n, &(vec).cap, sizeof *(vec).v)
void vpc_vec_fit(void **v, size_t n, size_t *cap, size_t elem);

/* FNV-1a over len bytes: the hash of the engine's open-addressing tables (interned
 * strings, names in an archive, files staged). */
static inline size_t vpc_hash(const char *s, size_t len)
{
    size_t h = (size_t)1469598103934665603ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * (size_t)1099511628211ULL;
    return h;
}

/* qsort/bsearch that accept an empty (NULL) array: the C library's may not. */
static inline void vp_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    if (n > 1)
        qsort(base, n, size, cmp);
}

static inline void *vp_search(const void *key, const void *base, size_t n, size_t size,
                              int (*cmp)(const void *, const void *))
{
    return n ? bsearch(key, base, n, size, cmp) : NULL;
}

/* Lower bound: the index of the first of the n elements of base (sorted by cmp) that is
 * not below key, or n when every element is below it. cmp(key, element) has bsearch's
 * contract. Among equal elements it finds the first, which bsearch does not promise. */
size_t vpc_lower_bound(const void *key, const void *base, size_t n, size_t size,
                      int (*cmp)(const void *key, const void *elem));

#endif
