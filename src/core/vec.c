#include <string.h>

#include "core/vec.h"

void *vpc_vec_grow(void **v, size_t *n, size_t *cap, size_t elem)
{
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        void *p = realloc(*v, ncap * elem);
        if (!p)
            return NULL;
        *v = p;
        *cap = ncap;
    }
    char *slot = (char *)*v + (*n)++ * elem;
    memset(slot, 0, elem);
    return slot;
}

void vpc_vec_fit(void **v, size_t n, size_t *cap, size_t elem)
{
    if (!n || n == *cap)
        return;
    void *p = realloc(*v, n * elem);
    if (p) {
        *v = p;
        *cap = n;
    }
}

size_t vpc_lower_bound(const void *key, const void *base, size_t n, size_t size,
                      int (*cmp)(const void *key, const void *elem))
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp(key, (const char *)base + mid * size) > 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}
