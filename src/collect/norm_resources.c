/* Normalizers for vaults, their backup/storage config, resource guard proxies,
 * subscriptions and virtual machines. Field paths are documented in
 * docs/snapshot-format.md; keep both in step. */
#define _GNU_SOURCE 1 /* strcasestr: ARM path segments match ignoring case */
#include <string.h>
#include <strings.h>

#include "collect/internal.h"

/* Whether id names a resource of ARM type (namespace/t1/t2...): after its last
 * "/providers/", the namespace, then each type segment followed by one name, and
 * nothing after. Compared ignoring case, as ARM does. */
static int id_is_type(const char *id, const char *type)
{
    const char *p = NULL;
    for (const char *q = id; (q = strcasestr(q, "/providers/")) != NULL; q++)
        p = q;
    if (!p)
        return 0;
    p += 11;
    const char *t = type;
    size_t ns = strcspn(t, "/");
    if (strncasecmp(p, t, ns) != 0 || p[ns] != '/')
        return 0;
    p += ns + 1;
    t += ns;
    while (*t == '/') { /* one type segment, then one non-empty name */
        t++;
        size_t tl = strcspn(t, "/");
        if (strncasecmp(p, t, tl) != 0 || p[tl] != '/')
            return 0;
        p += tl + 1;
        t += tl;
        size_t nl = strcspn(p, "/");
        if (nl == 0)
            return 0;
        p += nl;
        if (*t == '/' && *p != '/')
            return 0;
        if (*p == '/')
            p++;
        else
            break;
    }
    return *t == '\0' && *p == '\0';
}

const vp_arm_operation *vpo_classify(const cJSON *res, const char *type)
{
    if (type)
        return vp_arm_find_type(type);
    /* Activity Log events (EventData) carry no type either: told by the members every
     * event has (GetActivityLogsFiltered.json); both Activity Log calls read them alike */
    if (cJSON_GetObjectItemCaseSensitive(res, "eventDataId") && cJSON_GetObjectItemCaseSensitive(res, "operationName") &&
        cJSON_GetObjectItemCaseSensitive(res, "eventTimestamp"))
        return vp_arm_get(VP_ARM_ACTIVITY_LOG);
    /* subscriptions carry no type: told by an id of one segment and a subscriptionId */
    const cJSON *sid = cJSON_GetObjectItemCaseSensitive(res, "subscriptionId");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(res, "id");
    if (!cJSON_IsString(id))
        return NULL;
    const char *ids = id->valuestring;
    const char *host = strstr(ids, "://"); /* an id spelled as a URL: its path is the id */
    if (host && (ids = strchr(host + 3, '/')) == NULL)
        return NULL;
    if (cJSON_IsString(sid) && strncasecmp(ids, "/subscriptions/", 15) == 0 && !strchr(ids + 15, '/'))
        return vp_arm_get(VP_ARM_SUBSCRIPTIONS);
    /* Other resources without `type` (Compute's VirtualMachine_ListAll_MinimumSet_Gen
     * example lists VMs as {location, id}): the id's provider path names the type, for
     * the types the ARM table reads - one table, no second list. */
    for (vp_arm_op op = 0; op < VP_ARM_OP_COUNT; op++)
        for (const char *const *t = vp_arm_get(op)->types; *t; t++)
            if (id_is_type(ids, *t))
                return vp_arm_get(op);
    return NULL;
}

/* Enumerations the vault normalizer adds (Recovery Services 2026-08-01); the shared
 * ones are in normalize_util.c. */
static const char *const enum_immutability_type[] = {"AsPerPolicy", "TimeBased", NULL};
static const char *const enum_source_scan[] = {"Invalid", "Enabled", "Disabled", NULL};

/* vp_presence of obj[key]; a NULL obj has nothing (absent). */
static unsigned char member_presence(const cJSON *obj, const char *key)
{
    const cJSON *m = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    return !m ? VP_ABSENT : cJSON_IsNull(m) ? VP_NULL : VP_PRESENT;
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
    s->source = vpo_source_here(c);
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
    char props_p[512], sec_p[512], imm_p[512], conf_p[512], scan_p[512], sd_p[512], red_p[512], sku_p[512];
    const char *loc = NULL;
    vp_vault *v = VP_VEC_PUSH(c->n->vaults);
    if (!v)
        return vp_error_set(c->r->err, VP_ERR_NOMEM, "out of memory");
    if (vpo_read_identity(c, &v->id, &v->name))
        return c->r->status;
    v->source = vpo_source_here(c);
    v->resource_group = vpo_armid_segment(c->n, v->id, "resourceGroups");
    v->subscription_id = vpo_armid_segment(c->n, v->id, "subscriptions");
    if (vp_jr_string(c->r, c->res, c->pointer, "location", &loc) == VP_PRESENT)
        v->location = vpo_intern(c->n, loc);
    if (vpo_read_tags(c, &v->tags))
        return c->r->status;
    const cJSON *sku = vpo_read_object(c, c->res, c->pointer, "sku", sku_p, sizeof sku_p);
    vpo_read_text(c, sku, sku_p, "name", NULL, &v->sku);

    /* What an absent member means depends on the api-version it was read at
     * (docs/snapshot-format.md): keep it with the vault. */
    v->api_version = c->api_version;
    const cJSON *props = vpo_read_object(c, c->res, c->pointer, "properties", props_p, sizeof props_p);
    v->security_settings = member_presence(props, "securitySettings");
    const cJSON *sec = vpo_read_object(c, props, props_p, "securitySettings", sec_p, sizeof sec_p);
    v->immutability_settings = member_presence(sec, "immutabilitySettings");
    const cJSON *imm = vpo_read_object(c, sec, sec_p, "immutabilitySettings", imm_p, sizeof imm_p);
    vpo_read_text(c, imm, imm_p, "state", vpo_enum_immutability, &v->immutability);
    /* Recovery Services 2026-08-01 (PATCHVault_WithImmutabilityConfig.json):
     * configuration {type: AsPerPolicy | TimeBased, durationInDays} */
    const cJSON *conf = vpo_read_object(c, imm, imm_p, "configuration", conf_p, sizeof conf_p);
    vpo_read_text(c, conf, conf_p, "type", enum_immutability_type, &v->immutability_type);
    vpo_read_num(c, conf, conf_p, "durationInDays", 30, 36135, &v->immutability_days);
    /* securitySettings.sourceScanConfiguration.state (PUTVault_WithSourceScanConfiguration.json) */
    const cJSON *scan = vpo_read_object(c, sec, sec_p, "sourceScanConfiguration", scan_p, sizeof scan_p);
    vpo_read_text(c, scan, scan_p, "state", enum_source_scan, &v->source_scan);
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
    vc->source = vpo_source_here(c);
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
    sc->source = vpo_source_here(c);
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
    /* The ResourceGuardProxy examples (recoveryservicesbackup stable/2025-02-01) give the
     * proxy an id that is no ARM path ("/backupmanagement/resources/<vault>/..."): the
     * vault is the one whose call returned it. With a sidecar, that is its scope; an
     * offline body is attributed by its path at finish (vpo_attribute_proxies). */
    if (!g->vault_id && c->cap)
        g->vault_id = vpo_armid_vault_id(c->n, vpo_armid_normalize(c->n, c->cap->scope));
    g->proxy.source = vpo_source_here(c);
    const cJSON *props = vpo_read_object(c, c->res, c->pointer, "properties", props_p, sizeof props_p);
    if (vp_jr_string(c->r, props, props_p, "resourceGuardResourceId", &s) == VP_PRESENT && *s)
        g->proxy.resource_guard_id = vpo_armid_normalize(c->n, s);
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
    vm->source = vpo_source_here(c);
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
