#include <string.h>

#include "core/vec.h"

void *vp_vec_grow(void **v, size_t *n, size_t *cap, size_t elem)
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
