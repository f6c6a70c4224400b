/* Normalizers for the resources format 2 added: DPM / Azure Backup Server engines,
 * soft-deleted vaults and resource guards. Field paths are documented in
 * docs/snapshot-format.md; the shapes follow Microsoft's examples named at each. */
#include <string.h>
#include <strings.h>

#include "collect/extras.h"
#include "vaultproof/worm.h"

/* backupEngineType (recoveryservicesbackup BackupEngineBase). */
static const char *const enum_engine_type[] = {"Invalid", "DpmBackupEngine", "AzureBackupServerEngine", NULL};

const char *vpo_location_scope(vp_normalizer *n, const char *sub, const char *location)
{
    char norm[128];
    if (!sub || !location)
        return NULL;
    return vpc_arena_printf(&n->arena, "/subscriptions/%s/providers/Microsoft.RecoveryServices/locations/%s", sub,
                            vp_location_normalize(location, norm, sizeof norm));
}

/* One entry of BackupEngines_List (recoveryservicesbackup, examples/Dpm/BackupEngines_List.json). */
vp_status vpo_norm_engine(vp_res_ctx *c)
{
    char props_p[512], ext_p[512];
    vp_backup_engine *e = VP_VEC_PUSH(c->n->engines);
    if (!e)
        return vp_error_set(c->r->err, VP_ERR_NOMEM, "out of memory");
    memset(e, 0, sizeof *e);
    if (vpo_read_vault_child(c, &e->id, &e->name, &e->source, &e->vault_id, &e->subscription_id))
        return c->r->status;
    const cJSON *props = vpo_read_object(c, c->res, c->pointer, "properties", props_p, sizeof props_p);
    vpo_read_text_as(c, props, props_p, "friendlyName", NULL, VP_TEXT_UNIQUE, &e->friendly_name);
    vpo_read_text(c, props, props_p, "backupManagementType", vpo_enum_management_type, &e->management_type);
    vpo_read_text(c, props, props_p, "backupEngineType", enum_engine_type, &e->engine_type);
    /* documented as a free string ("Registered" in the example): kept verbatim */
    vpo_read_text(c, props, props_p, "registrationStatus", NULL, &e->registration_status);
    vpo_read_text(c, props, props_p, "backupEngineState", NULL, &e->engine_state);
    vpo_read_text(c, props, props_p, "healthStatus", vpo_enum_health, &e->health_status);
    vpo_read_text(c, props, props_p, "dpmVersion", NULL, &e->dpm_version);
    vpo_read_text(c, props, props_p, "azureBackupAgentVersion", NULL, &e->agent_version);
    const cJSON *ext = vpo_read_object(c, props, props_p, "extendedInfo", ext_p, sizeof ext_p);
    vpo_read_num(c, ext, ext_p, "protectedItemsCount", 0, 100000000, &e->protected_items_count);
    vpo_read_num(c, ext, ext_p, "protectedServersCount", 0, 100000000, &e->protected_servers_count);
    vpo_read_time(c, ext, ext_p, "refreshedAt", &e->refreshed_at);
    return c->r->status;
}

/* One entry of DeletedVaults_ListBySubscriptionId (Recovery Services 2026-08-01):
 * {id, name, type, properties {vaultId, vaultDeletionTime, purgeAt}}. */
vp_status vpo_norm_deleted_vault(vp_res_ctx *c)
{
    char props_p[512], norm[128];
    const char *s = NULL;
    vp_deleted_vault *d = VP_VEC_PUSH(c->n->deleted_vaults);
    if (!d)
        return vp_error_set(c->r->err, VP_ERR_NOMEM, "out of memory");
    memset(d, 0, sizeof *d);
    if (vpo_read_identity(c, &d->id, &d->name))
        return c->r->status;
    d->source = vpo_source_here(c);
    d->subscription_id = vpo_armid_segment(c->n, d->id, "subscriptions");
    const char *loc = vpo_armid_segment(c->n, d->id, "locations");
    d->location = loc ? vpo_intern(c->n, vp_location_normalize(loc, norm, sizeof norm)) : NULL;
    const cJSON *props = vpo_read_object(c, c->res, c->pointer, "properties", props_p, sizeof props_p);
    d->vault_id.presence = props ? (unsigned char)vp_jr_string(c->r, props, props_p, "vaultId", &s) : VP_ABSENT;
    if (d->vault_id.presence == VP_PRESENT && !*s)
        d->vault_id.presence = VP_ABSENT; /* "" from the API is not reported */
    if (d->vault_id.presence == VP_PRESENT)
        d->vault_id.value = vpo_armid_normalize(c->n, s);
    vpo_read_time(c, props, props_p, "vaultDeletionTime", &d->deletion_time);
    vpo_read_time(c, props, props_p, "purgeAt", &d->purge_at);
    return c->r->status;
}

/* Reads a JSON array of strings (arr[i] or arr[i][member]) into an arena array. */
static vp_status read_strings(vp_res_ctx *c, const cJSON *arr, const char *ptr, const char *member,
                              const char ***out, size_t *count)
{
    char p[512];
    int i = 0;
    *out = NULL;
    *count = 0;
    if (!arr)
        return c->r->status;
    *out = vpc_arena_alloc(&c->n->arena, ((size_t)cJSON_GetArraySize(arr) + 1) * sizeof **out);
    if (!*out)
        return vp_error_set(c->r->err, VP_ERR_NOMEM, "out of memory");
    for (const cJSON *e = arr->child; e; e = e->next, i++) {
        const char *s = NULL;
        vp_json_pointer_index(p, sizeof p, ptr, i);
        if (member) {
            if (!cJSON_IsObject(e))
                return vp_jr_fail(c->r, p, "an object", e);
            if (vp_jr_string(c->r, e, p, member, &s) != VP_PRESENT)
                continue; /* an operation without its name says nothing */
        } else if (cJSON_IsString(e)) {
            s = e->valuestring;
        } else {
            return vp_jr_fail(c->r, p, "a string", e);
        }
        (*out)[(*count)++] = vpo_intern(c->n, s);
    }
    return c->r->status;
}

/* A GET of one resource guard (dataprotection ResourceGuards_Get, GetResourceGuard.json):
 * properties {provisioningState, allowAutoApprovals, resourceGuardOperations[
 * {vaultCriticalOperation, requestResourceType}], vaultCriticalOperationExclusionList[]}. */
vp_status vpo_norm_resource_guard(vp_res_ctx *c)
{
    char props_p[512], p[512];
    const char *s = NULL;
    const cJSON *ops = NULL, *excl = NULL;
    vp_resource_guard *g = VP_VEC_PUSH(c->n->resource_guards);
    if (!g)
        return vp_error_set(c->r->err, VP_ERR_NOMEM, "out of memory");
    memset(g, 0, sizeof *g);
    if (vpo_read_identity(c, &g->id, &g->name))
        return c->r->status;
    g->source = vpo_source_here(c);
    g->status = "read";
    g->resource_group = vpo_armid_segment(c->n, g->id, "resourceGroups");
    g->subscription_id = vpo_armid_segment(c->n, g->id, "subscriptions");
    g->location.presence = (unsigned char)vp_jr_string(c->r, c->res, c->pointer, "location", &s);
    if (g->location.presence == VP_PRESENT)
        g->location.value = vpo_intern(c->n, s);
    const cJSON *props = vpo_read_object(c, c->res, c->pointer, "properties", props_p, sizeof props_p);
    vpo_read_text(c, props, props_p, "provisioningState", NULL, &g->provisioning_state);
    vpo_read_flag(c, props, props_p, "allowAutoApprovals", &g->allow_auto_approvals);
    if (props && vp_jr_array(c->r, props, props_p, "resourceGuardOperations", &ops) == VP_PRESENT &&
        read_strings(c, ops, vp_json_pointer_join(p, sizeof p, props_p, "resourceGuardOperations"),
                     "vaultCriticalOperation", &g->operations, &g->operation_count))
        return c->r->status;
    g->exclusions_presence =
        props ? (unsigned char)vp_jr_array(c->r, props, props_p, "vaultCriticalOperationExclusionList", &excl) : VP_ABSENT;
    if (excl && read_strings(c, excl, vp_json_pointer_join(p, sizeof p, props_p, "vaultCriticalOperationExclusionList"),
                             NULL, &g->exclusions, &g->exclusion_count))
        return c->r->status;
    return c->r->status;
}
