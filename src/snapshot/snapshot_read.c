/* Reading a snapshot back (vp_snapshot_read_json): the file is mapped, read line by
 * line when it is in the canonical layout (snapshot_read_lines.c) and parsed whole
 * otherwise; both build the model with the same per-entity conversions
 * (snapshot_read_entities.c). Entities end sorted as the writer sorts them, and the
 * snapshot takes over the arrays and the arena. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snapshot/snapshot_read_internal.h"
#include "vaultproof/fileio.h"

/* ---- the input ---- */

vp_status vpn_rd_map_input(const char *path, rd_input *in, vp_error *err)
{
    vp_mapped_file m;
    vp_status st = vp_map_file(path, VP_INPUT_OWN, &m, err);
    in->text = m.data ? m.data : "";
    in->len = m.len;
    in->released = 0;
    in->page = (size_t)sysconf(_SC_PAGESIZE);
    return st;
}

void vpn_rd_unmap_input(rd_input *in)
{
    vp_mapped_file m = {in->len ? in->text : NULL, in->len};
    vp_unmap_file(&m);
}

/* ---- the model ---- */

vp_status vpn_rd_ctx_init(rd_ctx *c, const char *path, const rd_input *in, vp_error *err)
{
    memset(c, 0, sizeof *c);
    c->file = path;
    c->text = in->text;
    c->len = in->len;
    c->err = err;
    c->stream_kind = -1;
    c->format = vpn_rd_detect_format(in->text, in->len);
    c->arena = calloc(1, sizeof *c->arena);
    c->snap = calloc(1, sizeof *c->snap);
    if (!c->arena || !c->snap)
        return vpn_rd_nomem(c);
    return VP_OK;
}

void vpn_rd_ctx_free(rd_ctx *c)
{
    for (int k = 0; k < RD_KINDS; k++)
        free(c->vec[k].v);
    vpn_rd_strings_free(&c->strings);
    free(c->stream_prev_id);
    if (c->arena)
        vpc_arena_free(c->arena);
    free(c->arena);
    free(c->snap);
    memset(c, 0, sizeof *c);
}

typedef struct {
    const char *id;
    size_t idx;
} rd_key;

static int cmp_key(const void *a, const void *b)
{
    const rd_key *x = a, *y = b;
    int c = strcasecmp(x->id, y->id);
    return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

/* Puts one kind in the writer's order (by id, ignoring case; stable) and refuses an
 * id that occurs twice, which lookups could not tell apart. Every entity struct
 * starts with its id. */
static vp_status sort_by_id(rd_ctx *c, rd_kind k)
{
    rd_vec *v = &c->vec[k];
    size_t elem = vpn_rd_kind_size(k), i;
#define ID(arr, i) (*(const char *const *)((const char *)(arr) + (i) * elem))
    for (i = 1; i < v->n && strcasecmp(ID(v->v, i - 1), ID(v->v, i)) < 0; i++)
        ;
    if (i >= v->n)
        return VP_OK;
    rd_key *keys = malloc(v->n * sizeof *keys);
    char *sorted = malloc(v->n * elem);
    if (!keys || !sorted) {
        free(keys);
        free(sorted);
        return vpn_rd_nomem(c);
    }
    for (i = 0; i < v->n; i++)
        keys[i] = (rd_key){ID(v->v, i), i};
    qsort(keys, v->n, sizeof *keys, cmp_key);
    for (i = 0; i < v->n; i++)
        memcpy(sorted + i * elem, (char *)v->v + keys[i].idx * elem, elem);
    for (i = 1; i < v->n && !c->status; i++) {
        if (strcasecmp(keys[i - 1].id, keys[i].id) == 0) {
            rd_path arr, at, first_arr, first;
            char where[256];
            vpn_rd_element_path(k, keys[i - 1].idx, &first_arr, &first);
            vpn_rd_pointer(&first, NULL, where, sizeof where);
            vpn_rd_element_path(k, keys[i].idx, &arr, &at);
            vpn_rd_fail(c, &at, "id", "'%s' again (first at %s); expected each id once, compared ignoring case", keys[i].id,
                    where);
        }
    }
#undef ID
    free(keys);
    free(v->v);
    v->v = sorted;
    v->cap = v->n;
    return c->status;
}

static void *take(rd_ctx *c, rd_kind k, size_t *count)
{
    rd_vec *v = &c->vec[k];
    void *p = v->v;
    if (v->n == 0) {
        free(p);
        p = NULL;
    } else if (v->n < v->cap) {
        void *fit = realloc(p, v->n * vpn_rd_kind_size(k));
        p = fit ? fit : p;
    }
    *count = v->n;
    v->v = NULL;
    v->n = v->cap = 0;
    return p;
}

/* Hands the arrays and the arena to the snapshot (vp_snapshot_free releases them). */
static vp_status hand_over(rd_ctx *c, vp_snapshot **out)
{
    vp_snapshot *s = c->snap;
    size_t ns = c->vec[RD_WORM_SOURCES].n;
    /* vp_snapshot_free does not free worm_sources: they live in the arena */
    s->worm_sources = vpc_arena_alloc(c->arena, (ns + 1) * sizeof *s->worm_sources);
    if (!s->worm_sources)
        return vpn_rd_nomem(c);
    if (ns)
        memcpy(s->worm_sources, c->vec[RD_WORM_SOURCES].v, ns * sizeof *s->worm_sources);
    s->worm_source_count = ns;
    s->collection.lists = take(c, RD_LISTS, &s->collection.list_count);
    s->collection.warnings = take(c, RD_WARNINGS, &s->collection.warning_count);
    s->collection.files = take(c, RD_FILES, &s->collection.file_count);
    s->regions = take(c, RD_REGIONS, &s->region_count);
    s->subscriptions = take(c, RD_SUBSCRIPTIONS, &s->subscription_count);
    s->vaults = take(c, RD_VAULTS, &s->vault_count);
    s->policies = take(c, RD_POLICIES, &s->policy_count);
    s->items = take(c, RD_ITEMS, &s->item_count);
    s->vms = take(c, RD_VMS, &s->vm_count);
    s->resource_guards = take(c, RD_GUARDS, &s->resource_guard_count);
    s->engines = take(c, RD_ENGINES, &s->engine_count);
    s->deleted_vaults = take(c, RD_DELETED, &s->deleted_vault_count);
    s->changes = take(c, RD_CHANGES, &s->change_count);
    s->internal = c->arena;
    c->arena = NULL;
    c->snap = NULL;
    *out = s;
    vpn_rd_ctx_free(c);
    return VP_OK;
}

/* Reads the header (or the whole document) from text and finishes the model. */
static vp_status read_tree(rd_ctx *c, const char *text, size_t len, vp_status pending, const vp_error *pending_err)
{
    vp_json_pool *pool = vp_json_pool_new();
    cJSON *root = NULL;
    if (!pool)
        return vpn_rd_nomem(c);
    vp_status st = vp_json_parse_pooled(c->file, text, len, pool, &root, c->err);
    if (!st)
        st = vpn_rd_document(c, root);
    vp_json_pool_free(pool);
    if (!st && pending) {
        if (c->err)
            *c->err = *pending_err;
        return pending;
    }
    if (!st)
        st = vpn_rd_check_counts(c);
    for (rd_kind k = RD_SUBSCRIPTIONS; k < RD_KINDS && !st; k++)
        st = sort_by_id(c, k);
    return st;
}

/* The canonical layout. *other_layout: the file is in another one (nothing read). */
static vp_status read_lines(rd_ctx *c, rd_input *in, int *other_layout)
{
    vp_error pending_err = {0};
    char *skel;
    size_t skel_len;
    vp_status st = vpn_rd_read_lines(c, in, &pending_err, &skel, &skel_len, other_layout);
    vp_status pending = c->status;
    c->status = VP_OK;
    if (!st && !*other_layout && !skel)
        c->lazy_kinds = 0; /* no one-per-line array: the text is read whole, nothing is left to stream */
    if (!st && !*other_layout)
        st = read_tree(c, skel ? skel : in->text, skel ? skel_len : in->len, pending, &pending_err);
    free(skel);
    return st;
}

static vp_status read_json(const char *path, unsigned lazy_kinds, vp_snapshot **out, vp_error *err)
{
    rd_input in;
    rd_ctx c;
    int other_layout = 0;
    size_t lazy_items = 0, lazy_vms = 0;
    *out = NULL;
    vp_status st = vpn_rd_map_input(path, &in, err);
    if (st)
        return st;
    if (!(st = vpn_rd_ctx_init(&c, path, &in, err))) {
        c.lazy_kinds = lazy_kinds;
        st = read_lines(&c, &in, &other_layout);
    }
    if (st && c.format_retry) {
        /* the document is of the other format than its start suggested (not the
         * writer's layout): read again, knowing it */
        int format = c.format_retry;
        vpn_rd_ctx_free(&c);
        if (!(st = vpn_rd_ctx_init(&c, path, &in, err))) {
            c.format = format;
            c.lazy_kinds = lazy_kinds;
            st = read_lines(&c, &in, &other_layout);
        }
    }
    if (!st && other_layout) {
        int format = c.format;
        vpn_rd_ctx_free(&c); /* start again from nothing on the whole document (read whole: not lazy) */
        if (!(st = vpn_rd_ctx_init(&c, path, &in, err))) {
            c.format = format;
            st = read_tree(&c, in.text, in.len, VP_OK, NULL);
        }
    }
    lazy_items = c.lazy_count[RD_ITEMS];
    lazy_vms = c.lazy_count[RD_VMS];
    int lazy = !st && (c.lazy_kinds & ((1u << RD_ITEMS) | (1u << RD_VMS))) != 0;
    const char *source = lazy ? vpc_arena_strdup(c.arena, path) : NULL;
    if (lazy && !source)
        st = vpn_rd_nomem(&c);
    if (!st)
        st = hand_over(&c, out);
    if (st)
        vpn_rd_ctx_free(&c);
    else if (lazy) {
        (*out)->item_count = lazy_items;
        (*out)->vm_count = lazy_vms;
        (*out)->lazy_source = source;
    }
    vpn_rd_unmap_input(&in);
    return st;
}

vp_status vp_snapshot_read_json(const char *path, vp_snapshot **out, vp_error *err)
{
    return read_json(path, 0, out, err);
}

vp_status vp_snapshot_read_json_lazy(const char *path, vp_snapshot **out, vp_error *err)
{
    return read_json(path, (1u << RD_ITEMS) | (1u << RD_VMS), out, err);
}
