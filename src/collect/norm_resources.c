/* Normalizers for vaults, their backup/storage config, resource guard proxies,
 * subscriptions and virtual machines. Field paths are documented in
 * docs/snapshot-format.md; keep both in step. */
#include <string.h>
#include <strings.h>

#include "collect/internal.h"

const vp_arm_operation *vpo_classify(const cJSON *res, const char *type)
{
    if (type)
        return vp_arm_find_type(type);
    /* subscriptions carry no type: told by an id of one segment and a subscriptionId */
    const cJSON *sid = cJSON_GetObjectItemCaseSensitive(res, "subscriptionId");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(res, "id");
    if (cJSON_IsString(sid) && cJSON_IsString(id) && strncasecmp(id->valuestring, "/subscriptions/", 15) == 0 &&
        !strchr(id->valuestring + 15, '/'))
        return vp_arm_get(VP_ARM_SUBSCRIPTIONS);
    return NULL;
}

static vp_source here(const vp_res_ctx *c)
{
    vp_source s = {c->file, vpc_arena_strdup(&c->n->arena, c->pointer)};
    return s;
}

vp_status vpo_norm_subscription(vp_res_ctx *c)
{
    vp_subscription *s = VP_VEC_PUSH(c->n->subs);
    const char *v = NULL, *name = NULL;
    if (!s)
        return vp_error_set(c->r->err, VP_ERR_NOMEM, "out of memory");
    if (vpo_read_identity(c, &s->id, &name))
        return c->r->status;
    s->listed = 1;
    s->source = here(c);
    if (vp_jr_string(c->r, c->res, c->pointer, "subscriptionId", &v) == VP_PRESENT)
        s->subscription_id = vpc_arena_strdup(&c->n->arena, v);
    v = NULL;
    if (vp_jr_string(c->r, c->res, c->pointer, "displayName", &v) == VP_PRESENT)
        s->display_name = vpc_arena_strdup(&c->n->arena, v);
    v = NULL;
    if (vp_jr_string(c->r, c->res, c->pointer, "state", &v) == VP_PRESENT)
        s->state = vpc_arena_strdup(&c->n->arena, v);
    v = NULL;
    if (vp_jr_string(c->r, c->res, c->pointer, "tenantId", &v) == VP_PRESENT)
        s->tenant_id = vpc_arena_strdup(&c->n->arena, v);
    return c->r->status;
}

vp_status vpo_norm_vault(vp_res_ctx *c)
{
    char props_p[512], sec_p[512], imm_p[512], sd_p[512], red_p[512], sku_p[512];
    const char *loc = NULL;
    vp_vault *v = VP_VEC_PUSH(c->n->vaults);
    if (!v)
        return vp_error_set(c->r->err, VP_ERR_NOMEM, "out of memory");
    if (vpo_read_identity(c, &v->id, &v->name))
        return c->r->status;
    v->source = here(c);
    v->resource_group = vpo_armid_segment(c->n, v->id, "resourceGroups");
    v->subscription_id = vpo_armid_segment(c->n, v->id, "subscriptions");
    if (vp_jr_string(c->r, c->res, c->pointer, "location", &loc) == VP_PRESENT)
        v->location = vpo_intern(c->n, loc);
    if (vpo_read_tags(c, &v->tags))
        return c->r->status;
    const cJSON *sku = vpo_read_object(c, c->res, c->pointer, "sku", sku_p, sizeof sku_p);
    vpo_read_text(c, sku, sku_p, "name", NULL, &v->sku);

    const cJSON *props = vpo_read_object(c, c->res, c->pointer, "properties", props_p, sizeof props_p);
    const cJSON *sec = vpo_read_object(c, props, props_p, "securitySettings", sec_p, sizeof sec_p);
    const cJSON *imm = vpo_read_object(c, sec, sec_p, "immutabilitySettings", imm_p, sizeof imm_p);
    vpo_read_text(c, imm, imm_p, "state", vpo_enum_immutability, &v->immutability);
    const cJSON *sd = vpo_read_object(c, sec, sec_p, "softDeleteSettings", sd_p, sizeof sd_p);
    vpo_read_text(c, sd, sd_p, "softDeleteState", vpo_enum_soft_delete, &v->soft_delete);
    vpo_read_num(c, sd, sd_p, "softDeleteRetentionPeriodInDays", 0, 36500, &v->soft_delete_days);
    vpo_read_text(c, sd, sd_p, "enhancedSecurityState", vpo_enum_enhanced_security, &v->enhanced_security);
    vpo_read_text(c, sec, sec_p, "multiUserAuthorization", vpo_enum_mua, &v->mua);
    const cJSON *red = vpo_read_object(c, props, props_p, "redundancySettings", red_p, sizeof red_p);
    vpo_read_text(c, red, red_p, "standardTierStorageRedundancy", vpo_enum_redundancy, &v->storage_redundancy);
    vpo_read_text(c, red, red_p, "crossRegionRestore", vpo_enum_crr, &v->cross_region_restore);
    vpo_read_text(c, props, props_p, "secureScore", vpo_enum_secure_score, &v->secure_score);
    vpo_read_text(c, props, props_p, "bcdrSecurityLevel", vpo_enum_bcdr, &v->bcdr_security_level);
    vpo_read_text(c, props, props_p, "provisioningState", NULL, &v->provisioning_state);
    vpo_read_text(c, props, props_p, "publicNetworkAccess", NULL, &v->public_network_access);
    return c->r->status;
}

vp_status vpo_norm_vaultconfig(vp_res_ctx *c)
{
    char props_p[512];
    const char *id = NULL, *name = NULL;
    vp_pending_vaultconfig *vc = VP_VEC_PUSH(c->n->vaultconfigs);
    if (!vc)
        return vp_error_set(c->r->err, VP_ERR_NOMEM, "out of memory");
    if (vpo_read_identity(c, &id, &name))
        return c->r->status;
    vc->vault_id = vpo_armid_vault_id(c->n, id);
    vc->source = here(c);
    const cJSON *props = vpo_read_object(c, c->res, c->pointer, "properties", props_p, sizeof props_p);
    vpo_read_text(c, props, props_p, "softDeleteFeatureState", vpo_enum_soft_delete, &vc->soft_delete);
    vpo_read_num(c, props, props_p, "softDeleteRetentionPeriodInDays", 0, 36500, &vc->soft_delete_days);
    vpo_read_text(c, props, props_p, "enhancedSecurityState", vpo_enum_enhanced_security, &vc->enhanced_security);
    vc->soft_delete.origin = vc->soft_delete_days.origin = vc->enhanced_security.origin = VP_ORIGIN_VAULTCONFIG;
    return c->r->status;
}

vp_status vpo_norm_storageconfig(vp_res_ctx *c)
{
    char props_p[512];
    const char *id = NULL, *name = NULL;
    vp_flag crr;
    vp_pending_storageconfig *sc = VP_VEC_PUSH(c->n->storageconfigs);
    if (!sc)
        return vp_error_set(c->r->err, VP_ERR_NOMEM, "out of memory");
    if (vpo_read_identity(c, &id, &name))
        return c->r->status;
    sc->vault_id = vpo_armid_vault_id(c->n, id);
    sc->source = here(c);
    const cJSON *props = vpo_read_object(c, c->res, c->pointer, "properties", props_p, sizeof props_p);
    vpo_read_text(c, props, props_p, "storageType", vpo_enum_redundancy, &sc->storage_type);
    vpo_read_flag(c, props, props_p, "crossRegionRestoreFlag", &crr);
    sc->cross_region_restore.presence = crr.presence;
    if (crr.presence == VP_PRESENT)
        sc->cross_region_restore.value = crr.value ? "Enabled" : "Disabled";
    sc->storage_type.origin = sc->cross_region_restore.origin = VP_ORIGIN_STORAGECONFIG;
    return c->r->status;
}

vp_status vpo_norm_guard(vp_res_ctx *c)
{
    char props_p[512];
    const char *name = NULL, *s = NULL;
    const cJSON *ops = NULL;
    vp_pending_guard *g = VP_VEC_PUSH(c->n->guards);
    if (!g)
        return vp_error_set(c->r->err, VP_ERR_NOMEM, "out of memory");
    if (vpo_read_identity(c, &g->proxy.id, &name))
        return c->r->status;
    g->vault_id = vpo_armid_vault_id(c->n, g->proxy.id);
    g->proxy.source = here(c);
    const cJSON *props = vpo_read_object(c, c->res, c->pointer, "properties", props_p, sizeof props_p);
    if (vp_jr_string(c->r, props, props_p, "resourceGuardResourceId", &s) == VP_PRESENT)
        g->proxy.resource_guard_id = vpc_arena_strdup(&c->n->arena, s);
    s = NULL;
    if (vp_jr_string(c->r, props, props_p, "lastUpdatedTime", &s) == VP_PRESENT)
        g->proxy.last_updated = vpc_arena_strdup(&c->n->arena, s);
    if (vp_jr_array(c->r, props, props_p, "resourceGuardOperationDetails", &ops) == VP_PRESENT)
        g->proxy.operation_count = cJSON_GetArraySize(ops);
    return c->r->status;
}

vp_status vpo_norm_vm(vp_res_ctx *c)
{
    char props_p[512], hw_p[512], st_p[512], os_p[512];
    const char *s = NULL;
    vp_vm *vm = VP_VEC_PUSH(c->n->vms);
    if (!vm)
        return vp_error_set(c->r->err, VP_ERR_NOMEM, "out of memory");
    if (vpo_read_identity(c, &vm->id, &vm->name))
        return c->r->status;
    vm->source = here(c);
    vm->resource_group = vpo_armid_segment(c->n, vm->id, "resourceGroups");
    vm->subscription_id = vpo_armid_segment(c->n, vm->id, "subscriptions");
    if (vp_jr_string(c->r, c->res, c->pointer, "location", &s) == VP_PRESENT)
        vm->location = vpo_intern(c->n, s);
    s = NULL;
    if (vp_jr_string(c->r, c->res, c->pointer, "type", &s) == VP_PRESENT)
        vm->type = vpo_intern(c->n, s);
    if (vpo_read_tags(c, &vm->tags))
        return c->r->status;
    const cJSON *props = vpo_read_object(c, c->res, c->pointer, "properties", props_p, sizeof props_p);
    vpo_read_text_as(c, props, props_p, "vmId", NULL, VP_TEXT_UNIQUE, &vm->vm_uuid);
    vpo_read_time(c, props, props_p, "timeCreated", &vm->time_created);
    const cJSON *hw = vpo_read_object(c, props, props_p, "hardwareProfile", hw_p, sizeof hw_p);
    vpo_read_text(c, hw, hw_p, "vmSize", NULL, &vm->size);
    const cJSON *st = vpo_read_object(c, props, props_p, "storageProfile", st_p, sizeof st_p);
    const cJSON *os = vpo_read_object(c, st, st_p, "osDisk", os_p, sizeof os_p);
    vpo_read_text(c, os, os_p, "osType", NULL, &vm->os_type);
    return c->r->status;
}
