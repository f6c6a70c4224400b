/* Protected items of every type (docs/snapshot-format.md lists the paths read). */
#include <string.h>
#include <strings.h>

#include "collect/internal.h"

/* A referenced ARM id (policyId, sourceResourceId, virtualMachineId, vaultId): read as
 * text, then normalized (vpo_armid_normalize) so it links whatever its spelling; the
 * raw spelling stays in the file the item's source points at. SHARED references (a
 * policy, a vault) repeat across items and are interned; UNIQUE ones (the item's own VM)
 * are kept once (vpo_keep_unique: the tail of one of hosts, else a copy). */
static void read_ref(vp_res_ctx *c, const cJSON *obj, const char *base, const char *key, vp_text_kind kind,
                     const char *const *hosts, size_t nhosts, vp_text *out)
{
    vpo_read_text_as(c, obj, base, key, NULL, VP_TEXT_BORROWED, out);
    if (out->presence != VP_PRESENT)
        return;
    const char *path = vpo_armid_path(out->value);
    out->value = kind == VP_TEXT_SHARED ? vpo_intern(c->n, path) : vpo_keep_unique(c->n, path, hosts, nhosts);
    if (!out->value)
        c->r->status = vp_error_set(c->r->err, VP_ERR_NOMEM, "out of memory");
}

/* A name unique to the item (friendlyName, containerName), kept once: most are the
 * tail of the item's id. */
static void read_own_name(vp_res_ctx *c, const cJSON *obj, const char *base, const char *key, const char *id,
                          vp_text *out)
{
    vpo_read_text_as(c, obj, base, key, NULL, VP_TEXT_BORROWED, out);
    if (out->presence == VP_PRESENT && !(out->value = vpo_keep_unique(c->n, out->value, &id, 1)))
        c->r->status = vp_error_set(c->r->err, VP_ERR_NOMEM, "out of memory");
}

/* An item time. Before the first backup the API writes a placeholder
 * (2001-01-01T00:00:00Z) instead of omitting the member; it is kept verbatim, like every
 * value, and read as "never" wherever it is judged or shown (vp_time_is_never). */
static void read_item_time(vp_res_ctx *c, const cJSON *obj, const char *base, const char *key, vp_text *out)
{
    vpo_read_time(c, obj, base, key, out);
}

static const char *item_kind(const vp_text *type, const vp_text *mgmt, const vp_text *workload)
{
    const char *t = type->presence == VP_PRESENT ? type->value : "";
    const char *m = mgmt->presence == VP_PRESENT ? mgmt->value : "";
    const char *w = workload->presence == VP_PRESENT ? workload->value : "";
    if (!strcasecmp(t, "Microsoft.Compute/virtualMachines") || !strcasecmp(t, "Microsoft.ClassicCompute/virtualMachines") ||
        !strcasecmp(t, "AzureIaaSVMProtectedItem"))
        return "azure_vm";
    if (!strcasecmp(t, "AzureVmWorkloadSQLDatabase"))
        return "sql_in_vm";
    if (!strcasecmp(t, "AzureVmWorkloadSAPHanaDatabase") || !strcasecmp(t, "AzureVmWorkloadSAPHanaDBInstance"))
        return "sap_hana_in_vm";
    if (!strcasecmp(t, "AzureVmWorkloadSAPAseDatabase"))
        return "sap_ase_in_vm";
    if (!strcasecmp(t, "AzureVmWorkloadProtectedItem")) {
        if (!strcasecmp(w, "SQLDataBase"))
            return "sql_in_vm";
        if (!strncasecmp(w, "SAPHana", 7))
            return "sap_hana_in_vm";
        if (!strcasecmp(w, "SAPAseDatabase"))
            return "sap_ase_in_vm";
        return "unknown";
    }
    if (!strcasecmp(t, "DPMProtectedItem"))
        return !strcasecmp(m, "AzureBackupServer") ? "azure_backup_server" : "dpm";
    if (!strcasecmp(t, "MabFileFolderProtectedItem"))
        return "mars";
    if (!strcasecmp(t, "AzureFileShareProtectedItem"))
        return "azure_file_share";
    if (!strcasecmp(t, "Microsoft.Sql/servers/databases"))
        return "azure_sql";
    if (!strcasecmp(t, "GenericProtectedItem"))
        return "generic";
    return "unknown";
}

vp_status vpo_norm_item(vp_res_ctx *c)
{
    char pp[512], ext_p[512];
    vp_item *it = VP_VEC_PUSH(c->n->items);
    if (!it)
        return vp_error_set(c->r->err, VP_ERR_NOMEM, "out of memory");
    if (vpo_read_vault_child(c, &it->id, &it->name, &it->source, &it->vault_id, &it->subscription_id))
        return c->r->status;

    const cJSON *p = vpo_read_object(c, c->res, c->pointer, "properties", pp, sizeof pp);
    vpo_read_text(c, p, pp, "protectedItemType", vpo_enum_item_type, &it->item_type);
    vpo_read_text(c, p, pp, "backupManagementType", vpo_enum_management_type, &it->management_type);
    vpo_read_text(c, p, pp, "workloadType", vpo_enum_workload_type, &it->workload_type);
    it->kind = item_kind(&it->item_type, &it->management_type, &it->workload_type);

    read_own_name(c, p, pp, "friendlyName", it->id, &it->friendly_name);
    /* The machine that runs the workload: its name lives in a different member per type. */
    vpo_read_text(c, p, pp, "serverName", NULL, &it->server);
    if (it->server.presence != VP_PRESENT)
        vpo_read_text(c, p, pp, "computerName", NULL, &it->server);
    if (it->server.presence != VP_PRESENT)
        vpo_read_text(c, p, pp, "backupEngineName", NULL, &it->server);
    read_own_name(c, p, pp, "containerName", it->id, &it->container);
    read_ref(c, p, pp, "sourceResourceId", VP_TEXT_UNIQUE, NULL, 0, &it->source_resource_id);
    read_ref(c, p, pp, "virtualMachineId", VP_TEXT_UNIQUE, &it->source_resource_id.value, 1, &it->vm_id);
    read_ref(c, p, pp, "policyId", VP_TEXT_SHARED, NULL, 0, &it->policy_id);
    vpo_read_text(c, p, pp, "policyName", NULL, &it->policy_name);
    vpo_read_text(c, p, pp, "protectionState", vpo_enum_protection_state, &it->protection_state);
    vpo_read_text(c, p, pp, "protectionStatus", NULL, &it->protection_status);
    vpo_read_text(c, p, pp, "healthStatus", vpo_enum_health, &it->health_status);
    if (it->health_status.presence != VP_PRESENT)
        vpo_read_text(c, p, pp, "protectedItemHealthStatus", vpo_enum_health, &it->health_status);
    vpo_read_text(c, p, pp, "lastBackupStatus", NULL, &it->last_backup_status);
    read_item_time(c, p, pp, "lastBackupTime", &it->last_backup_time);
    read_item_time(c, p, pp, "lastRecoveryPoint", &it->last_recovery_point);
    vpo_read_flag(c, p, pp, "isScheduledForDeferredDelete", &it->deferred_delete);
    read_item_time(c, p, pp, "deferredDeleteTimeInUTC", &it->deferred_delete_time);
    vpo_read_flag(c, p, pp, "isArchiveEnabled", &it->archive_enabled);
    /* Azure Files items name their vault in properties.vaultId, often as a URL
     * ("https://management.azure.com/subscriptions/..."). The item's own id decides;
     * vaultId only stands in when the id names no vault. */
    vp_text vault_ref;
    read_ref(c, p, pp, "vaultId", VP_TEXT_SHARED, NULL, 0, &vault_ref);
    if (!it->vault_id && vault_ref.presence == VP_PRESENT) {
        it->vault_id = vpo_armid_vault_id(c->n, vault_ref.value);
        if (!it->subscription_id)
            it->subscription_id = vpo_armid_segment(c->n, vault_ref.value, "subscriptions");
    }

    const cJSON *ext = vpo_read_object(c, p, pp, "extendedInfo", ext_p, sizeof ext_p);
    read_item_time(c, ext, ext_p, "oldestRecoveryPoint", &it->oldest_recovery_point);
    vpo_read_num(c, ext, ext_p, "recoveryPointCount", 0, 1LL << 40, &it->recovery_point_count);
    vpo_read_text(c, ext, ext_p, "policyState", NULL, &it->policy_state);
    if (it->last_backup_status.presence != VP_PRESENT) /* DPM and MABS report it here */
        vpo_read_text(c, ext, ext_p, "lastBackupStatus", NULL, &it->last_backup_status);
    return c->r->status;
}
