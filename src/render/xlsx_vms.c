/* Virtual Machines: coverage (which VM is backed up, by which items, vaults and
 * policies) with its tags. Tags decide criticality and data class, so each tag key also
 * gets its own column to filter on; the Tags column keeps every tag whatever happens. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/vec.h"
#include "render/estate.h"
#include "render/xlsx_internal.h"

#define MAX_TAG_COLUMNS 40 /* the most used keys beyond this stay in the Tags column only */

enum {
    M_NAME, M_SUB, M_RG, M_LOCATION, M_SIZE, M_OS, M_CREATED, M_PROTECTED, M_ITEMS, M_VAULTS, M_POLICIES, M_STATES,
    M_TAGS, M_UUID, M_TYPE, M_ID, M_FILE, M_POINTER, M_FIXED
};

static const xlsx_col vm_cols[M_FIXED] = {
    [M_NAME] = {"Virtual machine", XC_TEXT, 0},
    [M_SUB] = {"Subscription", XC_ID, 0},
    [M_RG] = {"Resource group", XC_TEXT, 0},
    [M_LOCATION] = {"Location", XC_TEXT, 0},
    [M_SIZE] = {"Size", XC_TEXT, 0},
    [M_OS] = {"OS", XC_TEXT, 0},
    [M_CREATED] = {"Created (UTC)", XC_TIME, 0},
    [M_PROTECTED] = {"Backed up", XC_BOOL, 0},
    [M_ITEMS] = {"Protected items", XC_NUM, 0},
    [M_VAULTS] = {"Vaults", XC_TEXT, 0},
    [M_POLICIES] = {"Policies", XC_TEXT, 0},
    [M_STATES] = {"Protection states", XC_TEXT, 0},
    [M_TAGS] = {"Tags", XC_TEXT, 0},
    [M_UUID] = {"VM id", XC_ID, 0},
    [M_TYPE] = {"Type", XC_TEXT, 0},
    [M_ID] = {"Id", XC_ID, 0},
    [M_FILE] = {"Source file", XC_ID, 0},
    [M_POINTER] = {"Source pointer", XC_ID, 0},
};

typedef struct {
    const char *key;
    size_t uses;
} tag_key;

/* ARM tag keys ignore case; the exact spelling breaks ties so the order is total. */
static int cmp_name(const char *a, const char *b)
{
    int c = strcasecmp(a, b);
    return c ? c : strcmp(a, b);
}

static int by_key(const void *a, const void *b)
{
    return cmp_name(((const tag_key *)a)->key, ((const tag_key *)b)->key);
}

static int by_uses(const void *a, const void *b)
{
    const tag_key *x = a, *y = b;
    return x->uses != y->uses ? (x->uses > y->uses ? -1 : 1) : by_key(a, b);
}

static int find_key(const void *key, const void *elem)
{
    return strcasecmp(key, ((const tag_key *)elem)->key);
}

/* Distinct tag keys (ignoring case) as the VMs go by, kept sorted. Each key is a copy:
 * a streamed VM's strings do not outlive it. The spelling kept is the one that sorts
 * first (cmp_name), as if every occurrence had been sorted and grouped. */
typedef struct {
    VP_VEC(tag_key);
    int nomem;
} key_set;

static void key_seen(key_set *ks, const char *key)
{
    size_t at = vpc_lower_bound(key, ks->v, ks->n, sizeof *ks->v, find_key);
    tag_key *k = at < ks->n && strcasecmp(key, ks->v[at].key) == 0 ? &ks->v[at] : NULL;
    if (k) {
        k->uses++;
        if (strcmp(key, k->key) < 0) {
            char *copy = strdup(key);
            if (!copy) {
                ks->nomem = 1;
                return;
            }
            free((char *)k->key);
            k->key = copy;
        }
        return;
    }
    char *copy = strdup(key);
    if (!copy || !VP_VEC_PUSH(*ks)) {
        free(copy);
        ks->nomem = 1;
        return;
    }
    memmove(ks->v + at + 1, ks->v + at, (ks->n - 1 - at) * sizeof *ks->v);
    ks->v[at] = (tag_key){copy, 1};
}

static vp_status collect_keys(void *ctx, const vp_vm *vm, vp_error *err)
{
    key_set *ks = ctx;
    for (size_t t = 0; t < vm->tags.count && !ks->nomem; t++)
        key_seen(ks, vm->tags.items[t].key);
    return ks->nomem ? vp_error_set(err, VP_ERR_NOMEM, "out of memory") : VP_OK;
}

static void free_keys(tag_key *keys, size_t n)
{
    for (size_t i = 0; keys && i < n; i++)
        free((char *)keys[i].key);
    free(keys);
}

/* The tag keys that get a column: every distinct key (ignoring case), or the most used
 * ones when there are too many; sorted by name. The caller frees with free_keys(keys, n
 * as set in x->vm_tag_keys). */
static tag_key *tag_columns(xlsx_ctx *x, size_t *count)
{
    key_set ks = {0};
    vp_status st = vp_snapshot_each_vm(x->in->snapshot, collect_keys, &ks, x->err);
    *count = 0;
    if (st) {
        free_keys(ks.v, ks.n);
        x->status = st; /* the message (file, line, pointer) is in x->err */
        return NULL;
    }
    if (!ks.v && !(ks.v = malloc(sizeof *ks.v))) {
        vpr_xlsx_fail(x, VP_ERR_NOMEM, "out of memory");
        return NULL;
    }
    size_t n = ks.n;
    x->vm_tag_keys = n;
    if (n > MAX_TAG_COLUMNS) {
        qsort(ks.v, n, sizeof *ks.v, by_uses); /* the keys past the limit are freed with the rest */
        qsort(ks.v, MAX_TAG_COLUMNS, sizeof *ks.v, by_key);
        n = MAX_TAG_COLUMNS;
    }
    x->vm_tag_columns = n;
    *count = n;
    return ks.v;
}

/* Adds s to the "; "-joined buffer unless it is already there. */
static void add_unique(vpc_buf *b, const char *s)
{
    if (!s || !*s)
        return;
    for (const char *at = vpc_buf_str(b); (at = strstr(at, s)) != NULL; at++) {
        size_t n = strlen(s);
        int starts = at == vpc_buf_str(b) || (at >= vpc_buf_str(b) + 2 && at[-2] == ';' && at[-1] == ' ');
        if (starts && (at[n] == '\0' || at[n] == ';'))
            return;
    }
    vpr_xlsx_sep(b, "; ");
    vpc_buf_adds(b, s);
}

/* Vaults, policies or protection states of the items backing the VM up. */
static const char *coverage(xlsx_ctx *x, const vp_vm *vm, int what)
{
    const vp_snapshot *s = x->in->snapshot;
    char policy[512]; /* as the item's own row shows it (render/estate.h) */
    vpc_buf_clear(&x->buf);
    for (size_t k = 0; k < vm->protected_count; k++) {
        if (s->lazy_source) { /* items were streamed: their digests were kept */
            const xlsx_item_digest *d = vpr_xlsx_digest_find(x, vm->protected_by[k]);
            if (d)
                add_unique(&x->buf, what == M_VAULTS ? d->vault_name : what == M_POLICIES ? d->policy_name
                                                                                          : d->protection_state);
            continue;
        }
        const vp_item *it = vp_snapshot_find_item(s, vm->protected_by[k]);
        if (!it)
            continue;
        if (what == M_VAULTS)
            add_unique(&x->buf, vpr_xlsx_vault_name(s, it->vault_id));
        else if (what == M_POLICIES)
            add_unique(&x->buf, vpr_item_policy(s, it, policy, sizeof policy));
        else
            add_unique(&x->buf, it->protection_state.value);
    }
    return vpc_buf_str(&x->buf);
}

/* The last location's label: VMs come in runs of the same location, and the catalog
 * lookup normalizes every spelling of every location it knows (at 100k VMs a quarter
 * of a second). */
typedef struct {
    char location[128], label[256];
    int known;
} location_memo;

static const char *location_label(xlsx_ctx *x, location_memo *m, const char *location, char *buf, size_t size)
{
    if (!location || strlen(location) >= sizeof m->location)
        return vpr_location_label(x->in->snapshot, x->worm, location, buf, size);
    if (!m->known || strcmp(m->location, location)) {
        const char *label = vpr_location_label(x->in->snapshot, x->worm, location, buf, size);
        m->known = strlen(label) < sizeof m->label; /* a longer one is never cut: not kept */
        if (!m->known)
            return label;
        snprintf(m->label, sizeof m->label, "%s", label);
        snprintf(m->location, sizeof m->location, "%s", location);
    }
    return m->label;
}

static void vm_row(xlsx_ctx *x, xlsx_pop *p, location_memo *memo, const vp_vm *vm, const tag_key *keys,
                   size_t nkeys)
{
    if (vpr_xlsx_pop_row(p))
        return;
    vpr_xlsx_text(p, M_NAME, vm->name);
    vpr_xlsx_text(p, M_SUB, vm->subscription_id);
    vpr_xlsx_text(p, M_RG, vm->resource_group);
    char region[256];
    vpr_xlsx_text(p, M_LOCATION, location_label(x, memo, vm->location, region, sizeof region));
    vpr_xlsx_vtext(p, M_SIZE, &vm->size);
    vpr_xlsx_vtext(p, M_OS, &vm->os_type);
    vpr_xlsx_time(p, M_CREATED, vm->time_created.value);
    vpr_xlsx_bool(p, M_PROTECTED, vm->protected_count > 0);
    vpr_xlsx_num(p, M_ITEMS, (double)vm->protected_count);
    for (int what = M_VAULTS; what <= M_STATES; what++)
        vpr_xlsx_text(p, (size_t)what, coverage(x, vm, what));
    vpc_buf_clear(&x->buf);
    for (size_t t = 0; t < vm->tags.count; t++) {
        const vp_tag *tag = &vm->tags.items[t];
        const tag_key *col = vp_search(tag->key, keys, nkeys, sizeof *keys, find_key);
        if (col)
            vpr_xlsx_text(p, M_FIXED + (size_t)(col - keys), tag->value);
        vpr_xlsx_sep(&x->buf, "; ");
        vpc_buf_adds(&x->buf, tag->key);
        vpc_buf_adds(&x->buf, "=");
        vpc_buf_adds(&x->buf, tag->value);
    }
    vpr_xlsx_text(p, M_TAGS, vpc_buf_str(&x->buf));
    vpr_xlsx_vtext(p, M_UUID, &vm->vm_uuid);
    vpr_xlsx_text(p, M_TYPE, vm->type);
    vpr_xlsx_text(p, M_ID, vm->id);
    vpr_xlsx_text(p, M_FILE, vm->source.file);
    vpr_xlsx_text(p, M_POINTER, vm->source.pointer);
}

typedef struct {
    xlsx_ctx *x;
    xlsx_pop *p;
    const tag_key *keys;
    size_t nkeys;
    location_memo memo;
} vm_rows;

static vp_status vm_row_of(void *ctx, const vp_vm *vm, vp_error *err)
{
    vm_rows *r = ctx;
    (void)err;
    vm_row(r->x, r->p, &r->memo, vm, r->keys, r->nkeys);
    return r->x->status; /* a failed row is already recorded in x */
}

void vpr_xlsx_write_vms(xlsx_ctx *x)
{
    const vp_snapshot *s = x->in->snapshot;
    size_t nkeys = 0, ncols;
    tag_key *keys = tag_columns(x, &nkeys);
    xlsx_col *cols = NULL;
    char **owned = NULL;
    const char **headers = NULL;
    xlsx_pop p;
    if (!keys)
        return;
    ncols = M_FIXED + nkeys;
    cols = calloc(ncols, sizeof *cols);
    headers = calloc(ncols, sizeof *headers);
    owned = calloc(nkeys + 1, sizeof *owned);
    if (!cols || !headers || !owned) {
        vpr_xlsx_fail(x, VP_ERR_NOMEM, "out of memory");
        goto done;
    }
    memcpy(cols, vm_cols, sizeof vm_cols);
    for (size_t c = 0; c < M_FIXED; c++)
        headers[c] = vm_cols[c].header;
    for (size_t k = 0; k < nkeys; k++) {
        size_t len = strlen(keys[k].key) + 6;
        if (!(owned[k] = malloc(len))) {
            vpr_xlsx_fail(x, VP_ERR_NOMEM, "out of memory");
            goto done;
        }
        snprintf(owned[k], len, "Tag: %s", keys[k].key);
        headers[M_FIXED + k] = owned[k];
        cols[M_FIXED + k].kind = XC_TEXT;
    }
    if (vpr_xlsx_pop_begin(&p, x, "Virtual Machines", cols, headers, ncols, s->vm_count))
        goto done;
    vm_rows rows = {x, &p, keys, nkeys, {{0}, {0}, 0}};
    vp_status st = vp_snapshot_each_vm(s, vm_row_of, &rows, x->err);
    if (st && !x->status)
        x->status = st;
    vpr_xlsx_pop_end(&p);
done:
    for (size_t k = 0; owned && k < nkeys; k++)
        free(owned[k]);
    free(owned);
    free(headers);
    free(cols);
    free_keys(keys, x->vm_tag_keys);
}
