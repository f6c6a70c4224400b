/* The keyed draw (docs/sampling.md): each member's SHA-256 draw value, the smallest N
 * kept per stratum in a bounded max-heap, and the largest-remainder allocation. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/vec.h"
#include "sample/internal.h"

void vpz_digest(const char *seed, const char *key, unsigned char out[32])
{
    static const unsigned char sep = 0;
    unsigned int len = 0;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    /* a failed allocation leaves an all-0xff value: never kept ahead of a real one, and
     * the heap's order stays total */
    if (!c || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1 || EVP_DigestUpdate(c, seed, strlen(seed)) != 1 ||
        EVP_DigestUpdate(c, &sep, 1) != 1 || EVP_DigestUpdate(c, key, strlen(key)) != 1 ||
        EVP_DigestFinal_ex(c, out, &len) != 1)
        memset(out, 0xff, 32);
    EVP_MD_CTX_free(c);
}

char *vpz_vault_of(const char *id, char *out, size_t size)
{
    static const char marker[] = "/providers/microsoft.recoveryservices/vaults/";
    size_t n = 0, m = sizeof marker - 1;
    out[0] = '\0';
    if (!id || id[0] != '/' || size == 0) /* an ARM id, not a list call's "backupconfig /subscriptions/..." */
        return out;
    for (const char *p = id; *p; p++) {
        if (strncasecmp(p, marker, m) != 0)
            continue;
        const char *name = p + m, *end = strchr(name, '/');
        size_t len = end ? (size_t)(end - id) : strlen(id);
        if (end == name || !*name)
            break;
        for (n = 0; n < len && n + 1 < size; n++)
            out[n] = (char)tolower((unsigned char)id[n]);
        out[n] = '\0';
        break;
    }
    return out;
}

/* Exact integer arithmetic: quota_i = n * w_i / W, remainder n * w_i mod W, so the
 * Python re-draw (tests/tools/redraw_sample.py) gets the same allocation. */
vp_status vpz_allocate(const size_t *pop, size_t h, size_t n, size_t *alloc, vp_error *err)
{
    size_t base = n >= h ? 1 : 0, rest = n - base * h, weight = 0, given = 0;
    unsigned long long *rem = calloc(h ? h : 1, sizeof *rem);
    if (!rem)
        return vp_error_set(err, VP_ERR_NOMEM, "sample: out of memory");
    for (size_t i = 0; i < h; i++)
        weight += pop[i] - base;
    for (size_t i = 0; i < h; i++) {
        unsigned long long q = weight ? (unsigned long long)rest * (pop[i] - base) : 0;
        alloc[i] = base + (size_t)(weight ? q / weight : 0);
        rem[i] = weight ? q % weight : 0;
        given += alloc[i];
    }
    while (given < n) { /* the leftover draws, one each, to the largest remainders */
        size_t best = h;
        for (size_t i = 0; i < h; i++)
            if (alloc[i] < pop[i] && (best == h || rem[i] > rem[best]))
                best = i;
        if (best == h)
            break;
        alloc[best]++;
        rem[best] = 0;
        given++;
    }
    free(rem);
    return VP_OK;
}

typedef struct {
    unsigned char digest[32];
    size_t ordinal;
    char *key, *stratum;
    char **cols;
} heap_entry;

typedef struct {
    const char *stratum; /* the drawer's copy */
    heap_entry *v;
    size_t n, cap, alloc; /* kept, at most kept, allocated */
} pool;

struct vpz_drawer {
    char *seed;
    pool *pools;
    size_t pool_count;
    int stratified;
    size_t ncols; /* of the entries kept (the first offer's) */
};

/* The heap's order: draw value, then position (only a repeated key ties). */
static int before(const heap_entry *a, const heap_entry *b)
{
    int c = memcmp(a->digest, b->digest, 32);
    return c < 0 || (c == 0 && a->ordinal < b->ordinal);
}

static void entry_free(heap_entry *e, size_t ncols)
{
    free(e->key);
    free(e->stratum);
    if (e->cols)
        for (size_t i = 0; i < ncols; i++)
            free(e->cols[i]);
    free(e->cols);
    memset(e, 0, sizeof *e);
}

/* A max-heap: the root is the member that leaves first. */
static void sift_up(heap_entry *h, size_t i)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!before(&h[p], &h[i]))
            break;
        heap_entry t = h[p];
        h[p] = h[i];
        h[i] = t;
        i = p;
    }
}

static void sift_down(heap_entry *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && before(&h[m], &h[l]))
            m = l;
        if (r < n && before(&h[m], &h[r]))
            m = r;
        if (m == i)
            return;
        heap_entry t = h[m];
        h[m] = h[i];
        h[i] = t;
        i = m;
    }
}

void vpz_drawer_free(vpz_drawer *d)
{
    if (!d)
        return;
    for (size_t p = 0; p < d->pool_count; p++) {
        for (size_t i = 0; i < d->pools[p].n; i++)
            entry_free(&d->pools[p].v[i], d->ncols);
        free(d->pools[p].v);
    }
    free(d->pools);
    free(d->seed);
    free(d);
}

vp_status vpz_drawer_new(const char *seed, const char *const *strata, const size_t *cap, size_t h, size_t cap0,
                         vpz_drawer **out, vp_error *err)
{
    vpz_drawer *d = calloc(1, sizeof *d);
    size_t count = h ? h : 1;
    if (!d || !(d->seed = strdup(seed)) || !(d->pools = calloc(count, sizeof *d->pools))) {
        vpz_drawer_free(d);
        return vp_error_set(err, VP_ERR_NOMEM, "sample: out of memory");
    }
    d->pool_count = count;
    d->stratified = h > 0;
    for (size_t i = 0; i < count; i++) {
        d->pools[i].stratum = h ? strata[i] : "";
        d->pools[i].cap = h ? cap[i] : cap0;
    }
    *out = d;
    return VP_OK;
}

static int stratum_cmp(const void *key, const void *elem)
{
    return strcmp((const char *)key, ((const pool *)elem)->stratum);
}

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

vp_status vpz_drawer_offer(vpz_drawer *d, size_t ordinal, const char *key, const char *stratum,
                           const char *const *cols, size_t ncols, vp_error *err)
{
    pool *p = d->pools;
    if (d->stratified && !(p = vp_search(stratum, d->pools, d->pool_count, sizeof *d->pools, stratum_cmp)))
        return vp_error_set(err, VP_ERR_INTERNAL, "sample: member %zu is in stratum '%s', which was not counted "
                            "(the population changed between the two passes?)", ordinal, stratum);
    if (p->cap == 0)
        return VP_OK;
    heap_entry e = {.ordinal = ordinal};
    vpz_digest(d->seed, key, e.digest);
    if (p->n == p->cap && !before(&e, &p->v[0]))
        return VP_OK; /* not among the smallest: nothing copied */
    d->ncols = ncols;
    int nomem = !(e.key = strdup(key)) || !(e.stratum = dup_or_empty(d->stratified ? stratum : ""));
    if (!nomem && ncols && !(e.cols = calloc(ncols, sizeof *e.cols)))
        nomem = 1;
    for (size_t i = 0; !nomem && i < ncols; i++)
        nomem = !(e.cols[i] = dup_or_empty(cols[i]));
    if (!nomem && p->n < p->cap && p->n == p->alloc) {
        /* grown by doubling up to cap: a large N over a small population stays small */
        size_t want = p->alloc ? (p->alloc * 2 < p->cap ? p->alloc * 2 : p->cap) : (p->cap < 64 ? p->cap : 64);
        heap_entry *v = realloc(p->v, want * sizeof *v);
        if (v) {
            p->v = v;
            p->alloc = want;
        } else {
            nomem = 1;
        }
    }
    if (nomem) {
        entry_free(&e, ncols);
        return vp_error_set(err, VP_ERR_NOMEM, "sample: out of memory");
    }
    if (p->n < p->cap) {
        p->v[p->n] = e;
        sift_up(p->v, p->n++);
    } else {
        entry_free(&p->v[0], ncols);
        p->v[0] = e;
        sift_down(p->v, p->n, 0);
    }
    return VP_OK;
}

static int by_ordinal(const void *a, const void *b)
{
    size_t x = ((const vp_sample_member *)a)->ordinal, y = ((const vp_sample_member *)b)->ordinal;
    return x < y ? -1 : x > y;
}

void vpz_members_free(vp_sample_member *m, size_t count, size_t ncols)
{
    for (size_t i = 0; m && i < count; i++) {
        free((char *)m[i].key);
        free((char *)m[i].stratum);
        if (m[i].cols)
            for (size_t c = 0; c < ncols; c++)
                free((char *)m[i].cols[c]);
        free(m[i].cols);
    }
    free(m);
}

vp_status vpz_drawer_finish(vpz_drawer *d, vp_sample_member **members, size_t *count, vp_error *err)
{
    static const char hex[] = "0123456789abcdef";
    size_t total = 0, k = 0;
    for (size_t p = 0; p < d->pool_count; p++)
        total += d->pools[p].n;
    vp_sample_member *m = calloc(total ? total : 1, sizeof *m);
    if (!m) {
        vpz_drawer_free(d);
        return vp_error_set(err, VP_ERR_NOMEM, "sample: out of memory");
    }
    for (size_t p = 0; p < d->pool_count; p++)
        for (size_t i = 0; i < d->pools[p].n; i++, k++) {
            heap_entry *e = &d->pools[p].v[i];
            m[k].ordinal = e->ordinal;
            m[k].key = e->key;
            m[k].stratum = e->stratum;
            m[k].cols = (const char **)e->cols;
            for (size_t b = 0; b < 32; b++) {
                m[k].sha256[2 * b] = hex[e->digest[b] >> 4];
                m[k].sha256[2 * b + 1] = hex[e->digest[b] & 15];
            }
            m[k].sha256[64] = '\0';
            memset(e, 0, sizeof *e); /* moved */
        }
    vp_sort(m, total, sizeof *m, by_ordinal);
    vpz_drawer_free(d);
    *members = m;
    *count = total;
    return VP_OK;
}
