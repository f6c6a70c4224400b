#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "core/vec.h"
#include "vaultproof/snapshot.h"
#include "vaultproof/worm.h" /* vp_location_normalize: the one spelling of a location */

const char *vp_list_status_name(vp_list_status s)
{
    switch (s) {
    case VP_LIST_MISSING: return "missing";
    case VP_LIST_UNVERIFIED: return "unverified";
    case VP_LIST_INCOMPLETE: return "incomplete";
    case VP_LIST_COMPLETE: return "complete";
    }
    return "missing";
}

vp_access_verdict vp_access_judge(const vp_access_scope *sc)
{
    int reads = 0, unknown = 0, writes = 0;
    if (!sc || !sc->status || !strcmp(sc->status, "not-recorded"))
        return VP_ACCESS_NOT_RECORDED;
    if (strcmp(sc->status, "read") != 0)
        return VP_ACCESS_UNKNOWN;
    for (size_t i = 0; i < sc->assignment_count; i++) {
        const vp_role_assignment *r = &sc->assignments[i];
        /* a role held in one resource group reads that group only: the subscription's
         * population rests on a role at the subscription or above */
        if (r->covers_subscription) {
            reads |= r->reads_vaults == 1;
            unknown |= r->reads_vaults < 0;
        }
        writes |= r->writes == 1; /* write access anywhere in scope is more than a collector needs */
    }
    if (reads)
        return writes ? VP_ACCESS_READS_WRITES : VP_ACCESS_READS;
    return unknown ? VP_ACCESS_UNKNOWN : VP_ACCESS_NO_READ;
}

const char *vp_access_verdict_name(vp_access_verdict v)
{
    switch (v) {
    case VP_ACCESS_NOT_RECORDED: return "not-recorded";
    case VP_ACCESS_UNKNOWN: return "unknown";
    case VP_ACCESS_NO_READ: return "no-read";
    case VP_ACCESS_READS: return "reads";
    case VP_ACCESS_READS_WRITES: return "reads-writes";
    }
    return "unknown";
}

const vp_subscription *vp_snapshot_find_subscription(const vp_snapshot *snap, const char *sub)
{
    for (size_t i = 0; sub && i < snap->subscription_count; i++) {
        const vp_subscription *x = &snap->subscriptions[i];
        if (!strcasecmp(x->subscription_id ? x->subscription_id : x->id + strlen("/subscriptions/"), sub))
            return x;
    }
    return NULL;
}

const vp_access_scope *vp_access_find_scope(const vp_access *a, const char *sub)
{
    for (size_t i = 0; a && sub && i < a->scope_count; i++)
        if (a->scopes[i].subscription_id && !strcasecmp(a->scopes[i].subscription_id, sub))
            return &a->scopes[i];
    return NULL;
}

void vp_snapshot_free(vp_snapshot *snap)
{
    if (!snap)
        return;
    free(snap->subscriptions);
    free(snap->vaults);
    free(snap->policies);
    free(snap->items);
    free(snap->vms);
    free(snap->resource_guards);
    free(snap->engines);
    free(snap->deleted_vaults);
    free(snap->changes);
    free(snap->regions);
    free(snap->collection.lists);
    free(snap->collection.files);
    free(snap->collection.warnings);
    if (snap->internal) {
        vpc_arena_free(snap->internal);
        free(snap->internal);
    }
    free(snap);
}

int vp_vault_immutability_never_configured(const vp_vault *v)
{
    if (v->immutability.presence == VP_PRESENT || v->immutability_settings != VP_ABSENT)
        return 0;
    return v->security_settings == VP_PRESENT ||
           (v->api_version && strcmp(v->api_version, VP_IMMUTABILITY_ABSENT_MEANS_NEVER) >= 0);
}

static const char *tenant_of(const vp_snapshot *s, const char *subscription_id)
{
    for (size_t i = 0; subscription_id && i < s->subscription_count; i++)
        if (s->subscriptions[i].subscription_id && !strcasecmp(s->subscriptions[i].subscription_id, subscription_id))
            return s->subscriptions[i].tenant_id;
    return NULL;
}

vp_guard_isolation vp_snapshot_guard_isolation(const vp_snapshot *snap, const vp_vault *v,
                                               const vp_resource_guard *guard, const char *guard_id,
                                               const char **guard_tenant, const char **vault_tenant)
{
    static const char prefix[] = "/subscriptions/";
    char buf[128];
    const char *gsub = guard ? guard->subscription_id : NULL;
    if (guard_tenant)
        *guard_tenant = NULL;
    if (vault_tenant)
        *vault_tenant = NULL;
    if (!gsub && guard_id && !strncasecmp(guard_id, prefix, sizeof prefix - 1)) {
        const char *p = guard_id + sizeof prefix - 1;
        size_t n = strcspn(p, "/");
        if (n && n < sizeof buf) {
            memcpy(buf, p, n);
            buf[n] = '\0';
            gsub = buf;
        }
    }
    if (!gsub || !v->subscription_id)
        return VP_GUARD_ISOLATION_UNKNOWN;
    if (!strcasecmp(gsub, v->subscription_id))
        return VP_GUARD_ISOLATION_SAME_SUBSCRIPTION;
    const char *gt = tenant_of(snap, gsub), *vt = tenant_of(snap, v->subscription_id);
    if (guard_tenant)
        *guard_tenant = gt;
    if (vault_tenant)
        *vault_tenant = vt;
    if (!gt || !vt)
        return VP_GUARD_ISOLATION_OTHER_SUBSCRIPTION_TENANT_UNKNOWN;
    return strcasecmp(gt, vt) ? VP_GUARD_ISOLATION_OTHER_TENANT : VP_GUARD_ISOLATION_OTHER_SUBSCRIPTION;
}

/* Entities are sorted by id compared case-insensitively. */
#define ID_CMP(name, T)                                                                                      \
    static int name(const void *key, const void *elem)                                                       \
    {                                                                                                        \
        return strcasecmp(key, ((const T *)elem)->id);                                                       \
    }
ID_CMP(cmp_vault, vp_vault)
ID_CMP(cmp_item, vp_item)
ID_CMP(cmp_policy, vp_policy)
ID_CMP(cmp_vm, vp_vm)
ID_CMP(cmp_guard, vp_resource_guard)
ID_CMP(cmp_engine, vp_backup_engine)

/* A lazy snapshot has no items or VMs in memory: a NULL array finds nothing. */
#define FIND_BY_ID(arr, count, id, cmp) ((id) && (arr) ? vp_search((id), (arr), (count), sizeof *(arr), (cmp)) : NULL)

const vp_vault *vp_snapshot_find_vault(const vp_snapshot *snap, const char *id)
{
    return FIND_BY_ID(snap->vaults, snap->vault_count, id, cmp_vault);
}

const vp_item *vp_snapshot_find_item(const vp_snapshot *snap, const char *id)
{
    return FIND_BY_ID(snap->items, snap->item_count, id, cmp_item);
}

const vp_policy *vp_snapshot_find_policy(const vp_snapshot *snap, const char *id)
{
    return FIND_BY_ID(snap->policies, snap->policy_count, id, cmp_policy);
}

const vp_vm *vp_snapshot_find_vm(const vp_snapshot *snap, const char *id)
{
    return FIND_BY_ID(snap->vms, snap->vm_count, id, cmp_vm);
}

const vp_resource_guard *vp_snapshot_find_resource_guard(const vp_snapshot *snap, const char *id)
{
    return FIND_BY_ID(snap->resource_guards, snap->resource_guard_count, id, cmp_guard);
}

const vp_backup_engine *vp_snapshot_find_engine(const vp_snapshot *snap, const char *id)
{
    return FIND_BY_ID(snap->engines, snap->engine_count, id, cmp_engine);
}

const vp_deleted_vault *vp_snapshot_find_deleted_vault(const vp_snapshot *snap, const char *vault_id)
{
    for (size_t i = 0; vault_id && i < snap->deleted_vault_count; i++) /* few: soft-deleted vaults */
        if (snap->deleted_vaults[i].vault_id.presence == VP_PRESENT &&
            !strcasecmp(snap->deleted_vaults[i].vault_id.value, vault_id))
            return &snap->deleted_vaults[i];
    return NULL;
}

const vp_region *vp_snapshot_find_region(const vp_snapshot *snap, const char *location)
{
    char want[128], have[128];
    if (!location)
        return NULL;
    vp_location_normalize(location, want, sizeof want);
    for (size_t i = 0; i < snap->region_count; i++) /* a few dozen at most */
        if (!strcmp(vp_location_normalize(snap->regions[i].location, have, sizeof have), want))
            return &snap->regions[i];
    return NULL;
}
