/* The normalizer's back half: dedupe and sort by id, apply scope, merge per-vault
 * documents, link items to vaults, policies and VMs, judge completeness, and resolve
 * regions against the WORM catalog. Everything ends sorted by lowercase id so the
 * snapshot does not depend on file order. */
#define _GNU_SOURCE 1 /* FNM_CASEFOLD: vault globs match as Azure names do, ignoring case */
#include <fnmatch.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "collect/extras.h"
#include "vaultproof/clock.h"
#include "vaultproof/version.h"

typedef struct {
    const char *key;
    size_t idx;
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    int c = strcasecmp(x->key ? x->key : "", y->key ? y->key : "");
    return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

/* Sorts an array of structs by the id at key_off (ignoring case), keeping the first of equal keys
 * (file order) and warning about the rest. Returns the new count. */
static size_t sort_unique(vp_normalizer *n, void *arr, size_t count, size_t elem, size_t key_off, size_t src_off,
                          const char *what, vp_error *err, vp_status *st)
{
    if (count < 2)
        return count;
    keyed *k = malloc(count * sizeof *k);
    char *copy = malloc(count * elem);
    if (!k || !copy) {
        free(k);
        free(copy);
        *st = vp_error_set(err, VP_ERR_NOMEM, "out of memory sorting %s", what);
        return count;
    }
    for (size_t i = 0; i < count; i++) {
        k[i].key = *(const char **)((char *)arr + i * elem + key_off);
        k[i].idx = i;
    }
    vp_sort(k, count, sizeof *k, cmp_keyed);
    memcpy(copy, arr, count * elem);
    size_t out = 0;
    for (size_t i = 0; i < count; i++) {
        const char *el = copy + k[i].idx * elem;
        if (out > 0 && strcasecmp(k[i].key, k[i - 1].key) == 0) {
            const vp_source *s = (const vp_source *)(el + src_off);
            vpo_warn(n, "duplicate-resource", s->file, s->pointer, "%s %s already read from an earlier file; this copy is ignored",
                    what, k[i].key);
            continue;
        }
        memcpy((char *)arr + out++ * elem, el, elem);
    }
    free(k);
    free(copy);
    return out;
}

#define SORT_UNIQUE(vec, T, what)                                                                            \
    ((vec).n = sort_unique(n, (vec).v, (vec).n, sizeof(T), offsetof(T, id), offsetof(T, source), what, err, &st))

void *vpo_find_by_id(void *arr, size_t count, size_t elem, size_t key_off, const char *key)
{
    size_t lo = 0, hi = count;
    if (!key)
        return NULL;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        char *el = (char *)arr + mid * elem;
        int c = strcasecmp(*(const char **)(el + key_off), key);
        if (c == 0)
            return el;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}


/* ---- scope ---- */

int vpo_subscription_in_scope(const vp_collect_options *o, const char *sub)
{
    if (o->subscription_count == 0)
        return 1;
    for (size_t i = 0; sub && i < o->subscription_count; i++)
        if (strcasecmp(o->subscriptions[i], sub) == 0)
            return 1;
    return 0;
}

int vpo_subscription_configured(const vp_collect_options *o, const char *sub)
{
    return o->subscription_count > 0 && vpo_subscription_in_scope(o, sub);
}

static int vault_name_in_scope(const vp_collect_options *o, const char *name)
{
    int in = o->vault_include_count == 0;
    for (size_t i = 0; name && i < o->vault_include_count; i++)
        in |= fnmatch(o->vault_include[i], name, FNM_CASEFOLD) == 0;
    for (size_t i = 0; name && in && i < o->vault_exclude_count; i++)
        in &= fnmatch(o->vault_exclude[i], name, FNM_CASEFOLD) != 0;
    return in;
}

/* Scope of anything under a vault, judged from the vault's id. */
int vpo_vault_in_scope(vp_normalizer *n, const char *vault_id)
{
    if (!vault_id)
        return n->opt.subscription_count == 0 && n->opt.vault_include_count == 0;
    const char *sub = vpo_armid_segment(n, vault_id, "subscriptions");
    const char *name = strrchr(vault_id, '/');
    return vpo_subscription_in_scope(&n->opt, sub) && vault_name_in_scope(&n->opt, name ? name + 1 : NULL);
}

#define FILTER(vec, T, cond)                                                                                 \
    do {                                                                                                     \
        size_t kept_ = 0;                                                                                    \
        for (size_t i_ = 0; i_ < (vec).n; i_++) {                                                            \
            T *e = &(vec).v[i_];                                                                             \
            if (cond)                                                                                        \
                (vec).v[kept_++] = *e;                                                                       \
            else                                                                                             \
                out_of_scope++;                                                                              \
        }                                                                                                    \
        (vec).n = kept_;                                                                                     \
    } while (0)

/* ---- per-vault documents ---- */

/* Left out of the snapshot for want of its vault: never silently (warned and counted in
 * collection.ignored_resources), unless the vault is outside the scope anyway. */
static void orphan(vp_normalizer *n, const char *vault_id, const vp_source *src, const char *what)
{
    if (vault_id && !vpo_vault_in_scope(n, vault_id))
        return;
    n->ignored++;
    if (vault_id)
        vpo_warn(n, "orphan-resource", src->file, src->pointer, "%s of a vault that was not listed (%s); left out", what,
                 vault_id);
    else
        vpo_warn(n, "orphan-resource", src->file, src->pointer,
                 "%s whose vault nothing names (its id is no vault's, and neither a capture sidecar nor the "
                 "file's path says which vault returned it); left out", what);
}

static int is_invalid(const vp_text *t)
{
    return t->presence == VP_PRESENT && !strcasecmp(t->value, "Invalid");
}

static void merge_vault_documents(vp_normalizer *n)
{
    for (size_t i = 0; i < n->vaultconfigs.n; i++) {
        vp_pending_vaultconfig *vc = &n->vaultconfigs.v[i];
        vp_vault *v = FIND(n->vaults, vp_vault, vc->vault_id);
        if (!v) {
            orphan(n, vc->vault_id, &vc->source, "backup config");
            continue;
        }
        if (v->vaultconfig_source.file)
            continue;
        v->vaultconfig_source = vc->source;
        if (v->soft_delete.presence != VP_PRESENT)
            v->soft_delete = vc->soft_delete;
        if (v->soft_delete_days.presence != VP_PRESENT)
            v->soft_delete_days = vc->soft_delete_days;
        if (v->enhanced_security.presence != VP_PRESENT)
            v->enhanced_security = vc->enhanced_security;
    }
    for (size_t i = 0; i < n->storageconfigs.n; i++) {
        vp_pending_storageconfig *sc = &n->storageconfigs.v[i];
        vp_vault *v = FIND(n->vaults, vp_vault, sc->vault_id);
        if (!v) {
            orphan(n, sc->vault_id, &sc->source, "backup storage config");
            continue;
        }
        if (v->storageconfig_source.file)
            continue;
        v->storageconfig_source = sc->source;
        /* A real vault body says standardTierStorageRedundancy "Invalid" while its
         * backupstorageconfig says GeoRedundant: "Invalid" is no redundancy, so it
         * counts as absent here and the storage config's value (origin says so) wins. */
        if (v->storage_redundancy.presence != VP_PRESENT) {
            v->storage_redundancy = sc->storage_type;
        } else if (is_invalid(&v->storage_redundancy) && sc->storage_type.presence == VP_PRESENT &&
                   !is_invalid(&sc->storage_type)) {
            vpo_warn(n, "invalid-redundancy", v->source.file,
                     vpc_arena_printf(&n->arena, "%s/properties/redundancySettings/standardTierStorageRedundancy",
                                      v->source.pointer),
                     "the vault reports storage redundancy 'Invalid'; %s from its backup storage config (%s) is used",
                     sc->storage_type.value, sc->source.file);
            v->storage_redundancy = sc->storage_type;
        }
        if (v->cross_region_restore.presence != VP_PRESENT)
            v->cross_region_restore = sc->cross_region_restore;
    }
    /* guards: count per vault, then fill (they arrive sorted by id below) */
    for (size_t i = 0; i < n->guards.n; i++) {
        vp_vault *v = FIND(n->vaults, vp_vault, n->guards.v[i].vault_id);
        if (v)
            v->guard_count++;
        else
            orphan(n, n->guards.v[i].vault_id, &n->guards.v[i].proxy.source, "resource guard proxy");
    }
    for (size_t i = 0; i < n->vaults.n; i++) {
        vp_vault *v = &n->vaults.v[i];
        v->guards = v->guard_count ? vpc_arena_alloc(&n->arena, v->guard_count * sizeof *v->guards) : NULL;
        v->guard_count = 0;
    }
    for (size_t i = 0; i < n->guards.n; i++) {
        vp_vault *v = FIND(n->vaults, vp_vault, n->guards.v[i].vault_id);
        if (v && v->guards)
            v->guards[v->guard_count++] = n->guards.v[i].proxy;
    }
}

static int cmp_guard(const void *a, const void *b)
{
    return strcasecmp(((const vp_pending_guard *)a)->proxy.id, ((const vp_pending_guard *)b)->proxy.id);
}

/* ---- links ---- */

static vp_status link_items(vp_normalizer *n, vp_error *err)
{
    for (size_t i = 0; i < n->policies.n; i++) {
        vp_policy *p = &n->policies.v[i];
        vp_vault *v = FIND(n->vaults, vp_vault, p->vault_id);
        p->vault_listed = v != NULL;
        if (v)
            v->policy_count++;
    }
    /* VM coverage: two passes so each VM's list is one exact allocation, in item order */
    vp_vm **covered = calloc(n->items.n + 1, sizeof *covered);
    if (!covered)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n->items.n; i++) {
        vp_item *it = &n->items.v[i];
        vp_vault *v = FIND(n->vaults, vp_vault, it->vault_id);
        it->vault_listed = v != NULL;
        if (v)
            v->item_count++;
        if (it->policy_id.presence != VP_PRESENT || !*it->policy_id.value)
            it->policy_link = "none";
        else
            it->policy_link = FIND(n->policies, vp_policy, it->policy_id.value) ? "resolved" : "missing";
        const vp_text *ref = it->source_resource_id.presence == VP_PRESENT ? &it->source_resource_id : &it->vm_id;
        if (ref->presence == VP_PRESENT && (covered[i] = FIND(n->vms, vp_vm, ref->value)) != NULL)
            covered[i]->protected_count++;
    }
    for (size_t i = 0; i < n->vms.n; i++) {
        vp_vm *vm = &n->vms.v[i];
        vm->protected_by = vm->protected_count ? vpc_arena_alloc(&n->arena, vm->protected_count * sizeof(char *)) : NULL;
        vm->protected_count = 0;
    }
    for (size_t i = 0; i < n->items.n; i++)
        if (covered[i] && covered[i]->protected_by)
            covered[i]->protected_by[covered[i]->protected_count++] = n->items.v[i].id;
    free(covered);
    return VP_OK;
}

/* Subscriptions referenced by vaults, VMs and resource guards but not listed become
 * entries too (listed 0): the report counts and names them, and the evaluator says what
 * rests on each - a guard's subscription also when it is outside the scope (the guard is
 * then reported out-of-scope, and the vaults' multi-user authorization rests on it all
 * the same). Completeness expects nothing of a subscription only a guard names. */
static vp_status add_referenced_subscriptions(vp_normalizer *n, vp_error *err)
{
    const char *last = NULL;
    for (size_t pass = 0; pass < 3; pass++) {
        size_t count = pass == 0 ? n->vaults.n : pass == 1 ? n->vms.n : n->vaults.n;
        for (size_t i = 0; i < count; i++) {
            const char *subs[64];
            size_t nsubs = 0;
            if (pass == 0)
                subs[nsubs++] = n->vaults.v[i].subscription_id;
            else if (pass == 1)
                subs[nsubs++] = n->vms.v[i].subscription_id;
            else
                for (size_t k = 0; k < n->vaults.v[i].guard_count && nsubs < sizeof subs / sizeof subs[0]; k++) {
                    const char *g = n->vaults.v[i].guards[k].resource_guard_id;
                    const char *gs = g ? vpo_armid_segment(n, g, "subscriptions") : NULL;
                    if (gs)
                        subs[nsubs++] = gs;
                }
            for (size_t k = 0; k < nsubs; k++) {
                const char *sub = subs[k];
                if (!sub || sub == last) /* interned: equal pointers, equal strings */
                    continue;
                last = sub;
                int found = 0;
                for (size_t j = 0; j < n->subs.n && !found; j++)
                    found = n->subs.v[j].subscription_id ? !strcasecmp(n->subs.v[j].subscription_id, sub)
                                                         : !strcasecmp(n->subs.v[j].id + 15, sub);
                if (found)
                    continue;
                vp_subscription *s = VP_VEC_PUSH(n->subs);
                if (!s)
                    return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
                /* a guard's subscription the list returned, outside the scope: its entry as
                 * listed (name, tenant for the guard's isolation), nothing of it collected */
                const vp_subscription *listed = pass == 2 ? vpo_listed_subscription(n, sub) : NULL;
                if (listed) {
                    *s = *listed;
                    continue;
                }
                memset(s, 0, sizeof *s);
                s->id = vpc_arena_printf(&n->arena, "/subscriptions/%s", sub);
                s->subscription_id = sub;
                s->listed = 0;
            }
        }
    }
    return VP_OK;
}

/* ---- completeness ---- */

/* ---- regions ---- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static vp_status resolve_regions(vp_normalizer *n, vp_snapshot *snap, vp_error *err)
{
    char norm[128];
    const char **locs = calloc(n->vaults.n + 1, sizeof *locs);
    size_t count = 0;
    if (!locs)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n->vaults.n; i++)
        if (n->vaults.v[i].location)
            locs[count++] = vpc_arena_strdup(&n->arena, vp_location_normalize(n->vaults.v[i].location, norm, sizeof norm));
    vp_sort(locs, count, sizeof *locs, cmp_str);
    snap->regions = calloc(count + 1, sizeof *snap->regions);
    if (!snap->regions) {
        free(locs);
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < count; i++) {
        if (snap->region_count && !strcmp(snap->regions[snap->region_count - 1].location, locs[i])) {
            snap->regions[snap->region_count - 1].vault_count++;
            continue;
        }
        vp_region *r = &snap->regions[snap->region_count++];
        const vp_worm_region *w = vp_worm_catalog_find(n->opt.worm, locs[i]);
        /* a WORM region keeps its sources' spelling ("India South"); any other location
         * the catalog's ARM location table knows gets its displayName ("East US 2") */
        const char *display = w ? w->display_name : vp_worm_catalog_display_name(n->opt.worm, locs[i]);
        r->location = vpc_arena_strdup(&n->arena, w ? w->location : locs[i]);
        r->display_name = vpc_arena_strdup(&n->arena, display);
        r->worm = w ? "ga" : "pending-automatic-transition";
        r->vault_count = 1;
        if (w) {
            r->source_count = w->source_count;
            r->sources = vpc_arena_alloc(&n->arena, w->source_count * sizeof *r->sources);
            for (size_t s = 0; r->sources && s < w->source_count; s++)
                r->sources[s] = vpc_arena_strdup(&n->arena, w->sources[s]);
        }
    }
    free(locs);
    size_t ns;
    const vp_worm_source *src = vp_worm_catalog_sources(n->opt.worm, &ns);
    snap->worm_sources = vpc_arena_alloc(&n->arena, (ns + 1) * sizeof *snap->worm_sources);
    if (!snap->worm_sources)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < ns; i++) {
        vp_worm_source *d = &snap->worm_sources[i];
        *d = (vp_worm_source){0}; /* arena memory: members not copied below must not be garbage */
        d->id = vpc_arena_strdup(&n->arena, src[i].id);
        d->title = vpc_arena_strdup(&n->arena, src[i].title);
        d->url = vpc_arena_strdup(&n->arena, src[i].url);
        d->as_of = vpc_arena_strdup(&n->arena, src[i].as_of);
        d->recorded = vpc_arena_strdup(&n->arena, src[i].recorded);
        d->retrieved = vpc_arena_strdup(&n->arena, src[i].retrieved);
        d->sha256 = vpc_arena_strdup(&n->arena, src[i].sha256);
        d->quote = vpc_arena_strdup(&n->arena, src[i].quote);
        d->supersedes = vpc_arena_strdup(&n->arena, src[i].supersedes);
    }
    snap->worm_source_count = ns;
    return VP_OK;
}

/* ---- collection metadata ---- */

static const char *const *unique_sorted(vp_normalizer *n, const char **v, size_t count, size_t *out_count)
{
    size_t k = 0;
    vp_sort(v, count, sizeof *v, cmp_str);
    for (size_t i = 0; i < count; i++)
        if (k == 0 || strcmp(v[k - 1], v[i]))
            v[k++] = v[i];
    *out_count = k;
    (void)n;
    return v;
}

static vp_status collection_metadata(vp_normalizer *n, vp_snapshot *snap, vp_error *err)
{
    vp_collection *col = &snap->collection;
    char buf[32];
    long long lo = 0, hi = 0, t;
    const char **eps = vpc_arena_alloc(&n->arena, (n->captures.n + 1) * sizeof *eps);
    const char **apis = vpc_arena_alloc(&n->arena, (n->captures.n + 1) * sizeof *apis);
    size_t ne = 0, na = 0;
    if (!eps || !apis)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");

    col->tool_version = vp_version();
    col->tool_commit = vp_commit();
    col->source_kind = n->opt.source_kind ? n->opt.source_kind : "replay";
    col->input = vpc_arena_strdup(&n->arena, n->opt.input);
    col->principal = n->opt.principal && n->opt.principal[0] ? vpc_arena_strdup(&n->arena, n->opt.principal) : NULL;
    col->generated_at = vpc_arena_strdup(&n->arena, vp_time_format(n->opt.clock.epoch, buf, sizeof buf));
    col->clock_pinned = n->opt.clock.pinned;
    if (n->opt.period) {
        col->has_period = 1;
        col->period = *n->opt.period;
        col->job_count = n->jobs_seen;
        col->jobs_outside_period = n->jobs_clipped;
        col->jobs_duplicates = n->jobs_duplicates;
        vp_status st = vpo_job_vaults_finish(n, col, err);
        if (st)
            return st;
    }
    for (size_t i = 0; i < n->captures.n; i++) {
        vp_capture *c = &n->captures.v[i];
        col->request_count++;
        col->retry_count += c->retries;
        if (vp_time_parse(c->requested_at, &t) == 0 && (!col->captured_from || t < lo)) {
            lo = t;
            col->captured_from = c->requested_at;
        }
        if (vp_time_parse(c->received_at, &t) == 0 && (!col->captured_to || t > hi)) {
            hi = t;
            col->captured_to = c->received_at;
        }
        const char *u = c->url, *host = strstr(u, "://");
        if (host) {
            const char *end = strchr(host + 3, '/');
            eps[ne++] = vpc_arena_strndup(&n->arena, u, end ? (size_t)(end - u) : strlen(u));
        }
        const char *api = strstr(u, "api-version=");
        if (api) {
            api += 12;
            size_t len = strcspn(api, "&#");
            apis[na++] = vpc_arena_printf(&n->arena, "%s=%.*s", c->operation, (int)len, api);
        }
    }
    col->endpoints = (const char **)unique_sorted(n, eps, ne, &col->endpoint_count);
    col->api_versions = (const char **)unique_sorted(n, apis, na, &col->api_version_count);
    col->ignored_resources = n->ignored;
    col->worm_catalog_version = vp_worm_catalog_version(n->opt.worm);
    col->worm_catalog_sha256 = vpc_arena_strdup(&n->arena, vp_worm_catalog_sha256(n->opt.worm));
    col->worm_catalog_origin = vpc_arena_strdup(&n->arena, vp_worm_catalog_origin(n->opt.worm));
    col->worm_catalog_version = vpc_arena_strdup(&n->arena, col->worm_catalog_version);
    return VP_OK;
}

static int cmp_warning(const void *a, const void *b)
{
    const vp_warning *x = a, *y = b;
    int c = strcmp(x->file ? x->file : "", y->file ? y->file : "");
    if (!c)
        c = strcmp(x->pointer ? x->pointer : "", y->pointer ? y->pointer : "");
    if (!c)
        c = strcmp(x->code, y->code);
    return c ? c : strcmp(x->message, y->message);
}

static int cmp_file(const void *a, const void *b)
{
    return strcmp(((const vp_input_file *)a)->path, ((const vp_input_file *)b)->path);
}

vp_status vpo_finish_snapshot(vp_normalizer *n, vp_snapshot *snap, vp_error *err)
{
    vp_status st = VP_OK;
    long long out_of_scope = 0;

    SORT_UNIQUE(n->subs, vp_subscription, "subscription");
    SORT_UNIQUE(n->vaults, vp_vault, "vault");
    SORT_UNIQUE(n->policies, vp_policy, "policy");
    SORT_UNIQUE(n->items, vp_item, "protected item");
    SORT_UNIQUE(n->vms, vp_vm, "virtual machine");
    SORT_UNIQUE(n->engines, vp_backup_engine, "backup engine");
    SORT_UNIQUE(n->deleted_vaults, vp_deleted_vault, "deleted vault");
    SORT_UNIQUE(n->resource_guards, vp_resource_guard, "resource guard");
    if (st)
        return st;
    vpo_attribute_proxies(n); /* before the scope filter: any vault read may be the one */
    vp_sort(n->guards.v, n->guards.n, sizeof *n->guards.v, cmp_guard);
    vpo_access_note_visible(n); /* what the principal could see, before the scope leaves some out */

    FILTER(n->subs, vp_subscription, vpo_subscription_in_scope(&n->opt, e->subscription_id ? e->subscription_id : vpo_armid_segment(n, e->id, "subscriptions")));
    FILTER(n->vaults, vp_vault, vpo_vault_in_scope(n, e->id));
    FILTER(n->policies, vp_policy, vpo_vault_in_scope(n, e->vault_id));
    FILTER(n->items, vp_item, vpo_vault_in_scope(n, e->vault_id));
    FILTER(n->vms, vp_vm, vpo_subscription_in_scope(&n->opt, e->subscription_id));
    FILTER(n->engines, vp_backup_engine, vpo_vault_in_scope(n, e->vault_id));
    FILTER(n->deleted_vaults, vp_deleted_vault, vpo_subscription_in_scope(&n->opt, e->subscription_id));
    FILTER(n->resource_guards, vp_resource_guard, vpo_subscription_in_scope(&n->opt, e->subscription_id));

    merge_vault_documents(n);
    if ((st = link_items(n, err)) || (st = add_referenced_subscriptions(n, err)))
        return st;
    SORT_UNIQUE(n->subs, vp_subscription, "subscription");
    if (st || (st = vpo_judge_completeness(n, snap, err)) || (st = vpo_finish_extras(n, snap, err)) ||
        (st = resolve_regions(n, snap, err)) || (st = collection_metadata(n, snap, err)) ||
        (st = vpo_access_finish(n, snap, err)) || (st = vpo_finish_changes(n, snap, err)))
        return st;
    if (out_of_scope)
        vpo_warn(n, "out-of-scope", NULL, NULL, "%lld resource(s) outside the configured scope were left out", out_of_scope);

    vp_sort(n->warnings.v, n->warnings.n, sizeof *n->warnings.v, cmp_warning);
    vp_sort(n->files.v, n->files.n, sizeof *n->files.v, cmp_file);

    /* hand over: the snapshot owns the arrays and the arena from here on, the arrays
     * without the slack doubling left (a quarter of the items' on average; nothing
     * points into them yet) */
    vp_arena *arena = malloc(sizeof *arena);
    if (!arena)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    *arena = n->arena;
    n->arena.head = NULL;
    snap->internal = arena;
#define TAKE(dst, cnt, vec) (VP_VEC_FIT(vec), snap->dst = (vec).v, snap->cnt = (vec).n, (vec).v = NULL, (vec).n = 0)
    TAKE(subscriptions, subscription_count, n->subs);
    TAKE(vaults, vault_count, n->vaults);
    TAKE(policies, policy_count, n->policies);
    TAKE(items, item_count, n->items);
    TAKE(vms, vm_count, n->vms);
    TAKE(collection.warnings, collection.warning_count, n->warnings);
    TAKE(collection.files, collection.file_count, n->files);
#undef TAKE
    return VP_OK;
}
