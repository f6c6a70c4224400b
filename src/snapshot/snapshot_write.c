/* Canonical snapshot JSON (docs/snapshot-format.md). Member order here is the format:
 * change it only together with the document and the format version. */
#include <string.h>

#include "vaultproof/arm.h"
#include "vaultproof/clock.h"
#include "vaultproof/jsonw.h"
#include "vaultproof/snapshot.h"
#include "vaultproof/version.h"

typedef struct {
    const char *name;
    const vp_text *text;
} named_text;

static void w_text(vp_jsonw *w, const char *key, const vp_text *t)
{
    vp_jw_kstring(w, key, t->presence == VP_PRESENT ? t->value : NULL);
}

static void w_num(vp_jsonw *w, const char *key, const vp_num *n)
{
    vp_jw_key(w, key);
    if (n->presence == VP_PRESENT)
        vp_jw_int(w, n->value);
    else
        vp_jw_null(w);
}

static void w_flag(vp_jsonw *w, const char *key, const vp_flag *f)
{
    vp_jw_key(w, key);
    if (f->presence == VP_PRESENT)
        vp_jw_bool(w, f->value);
    else
        vp_jw_null(w);
}

static void w_source(vp_jsonw *w, const char *key, const vp_source *s)
{
    vp_jw_key(w, key);
    if (!s->file) {
        vp_jw_null(w);
        return;
    }
    vp_jw_object(w, VP_JW_COMPACT);
    vp_jw_kstring(w, "file", s->file);
    vp_jw_kstring(w, "pointer", s->pointer);
    vp_jw_end(w);
}

static void w_tags(vp_jsonw *w, const vp_tags *t)
{
    vp_jw_key(w, "tags");
    if (t->presence != VP_PRESENT) {
        vp_jw_null(w);
        return;
    }
    vp_jw_object(w, VP_JW_COMPACT);
    for (size_t i = 0; i < t->count; i++)
        vp_jw_kstring(w, t->items[i].key, t->items[i].value);
    vp_jw_end(w);
}

static void w_strings(vp_jsonw *w, const char *key, const char *const *v, size_t n)
{
    vp_jw_key(w, key);
    vp_jw_array(w, VP_JW_COMPACT);
    for (size_t i = 0; i < n; i++)
        vp_jw_string(w, v[i]);
    vp_jw_end(w);
}

static void w_unknown(vp_jsonw *w, const named_text *fields, size_t n)
{
    vp_jw_key(w, "unknown_enums");
    vp_jw_array(w, VP_JW_COMPACT);
    for (size_t i = 0; i < n; i++)
        if (fields[i].text->presence == VP_PRESENT && fields[i].text->unknown)
            vp_jw_string(w, fields[i].name);
    vp_jw_end(w);
}

/* vp_presence as the format spells it (vault security_settings, immutability_settings). */
static const char *presence_name(unsigned char p)
{
    return p == VP_PRESENT ? "present" : p == VP_NULL ? "null" : "absent";
}

static const char *origin_name(unsigned char o)
{
    return o == VP_ORIGIN_VAULTCONFIG     ? vp_arm_get(VP_ARM_BACKUP_CONFIG)->name
           : o == VP_ORIGIN_STORAGECONFIG ? vp_arm_get(VP_ARM_BACKUP_STORAGE_CONFIG)->name
                                          : NULL;
}

static void w_tristate(vp_jsonw *w, const char *key, int v)
{
    vp_jw_key(w, key);
    if (v < 0)
        vp_jw_null(w);
    else
        vp_jw_bool(w, v);
}

/* collection.access, on one line (the canonical layout keeps one-line elements for the
 * big arrays only; this object is small). Left out when not recorded: a snapshot read
 * from a file written before it existed is written back as it was. */
static void write_access(vp_jsonw *w, const vp_access *a)
{
    if (!a->recorded)
        return;
    vp_jw_key(w, "access");
    vp_jw_object(w, VP_JW_COMPACT);
    vp_jw_key(w, "principal");
    vp_jw_object(w, VP_JW_COMPACT);
    vp_jw_kstring(w, "client_id", a->client_id);
    vp_jw_kstring(w, "object_id", a->object_id);
    vp_jw_kstring(w, "tenant_id", a->tenant_id);
    vp_jw_kstring(w, "credential", a->credential);
    vp_jw_kstring(w, "display_name", a->display_name);
    vp_jw_end(w);
    vp_jw_kbool(w, "subscriptions_listed", a->subscriptions_listed);
    vp_jw_key(w, "subscriptions");
    vp_jw_array(w, VP_JW_COMPACT);
    for (size_t i = 0; i < a->subscription_count; i++) {
        const vp_access_subscription *x = &a->subscriptions[i];
        vp_jw_object(w, VP_JW_COMPACT);
        vp_jw_kstring(w, "subscription_id", x->subscription_id);
        vp_jw_kstring(w, "display_name", x->display_name);
        vp_jw_kstring(w, "state", x->state);
        vp_jw_kstring(w, "status", x->status);
        w_source(w, "source", &x->source);
        vp_jw_end(w);
    }
    vp_jw_end(w);
    vp_jw_key(w, "role_assignments");
    vp_jw_array(w, VP_JW_COMPACT);
    for (size_t i = 0; i < a->scope_count; i++) {
        const vp_access_scope *sc = &a->scopes[i];
        vp_jw_object(w, VP_JW_COMPACT);
        vp_jw_kstring(w, "subscription_id", sc->subscription_id);
        vp_jw_kstring(w, "status", sc->status);
        vp_jw_kstring(w, "detail", sc->detail);
        vp_jw_kstring(w, "verdict", vp_access_verdict_name(vp_access_judge(sc)));
        vp_jw_key(w, "assignments");
        vp_jw_array(w, VP_JW_COMPACT);
        for (size_t k = 0; k < sc->assignment_count; k++) {
            const vp_role_assignment *r = &sc->assignments[k];
            vp_jw_object(w, VP_JW_COMPACT);
            vp_jw_kstring(w, "id", r->id);
            vp_jw_kstring(w, "scope", r->scope);
            vp_jw_kstring(w, "role_definition_id", r->role_definition_id);
            vp_jw_kstring(w, "role_name", r->role_name);
            vp_jw_kstring(w, "principal_type", r->principal_type);
            vp_jw_kbool(w, "covers_subscription", r->covers_subscription);
            w_tristate(w, "reads_vaults", r->reads_vaults);
            w_tristate(w, "writes", r->writes);
            w_source(w, "source", &r->source);
            vp_jw_end(w);
        }
        vp_jw_end(w);
        vp_jw_end(w);
    }
    vp_jw_end(w);
    vp_jw_end(w);
}

static void write_collection(vp_jsonw *w, const vp_snapshot *s)
{
    const vp_collection *c = &s->collection;
    vp_jw_key(w, "collection");
    vp_jw_object(w, VP_JW_PRETTY);
    vp_jw_tool(w, VP_JW_COMPACT, c->tool_version, c->tool_commit);
    vp_jw_kstring(w, "source", c->source_kind);
    vp_jw_kstring(w, "input", c->input);
    vp_jw_kstring(w, "generated_at", c->generated_at);
    vp_jw_kbool(w, "clock_pinned", c->clock_pinned);
    if (c->has_period) { /* absent: no period, so a run without one writes what it always did */
        char from[32], to[32];
        vp_jw_key(w, "period");
        vp_jw_object(w, VP_JW_COMPACT);
        vp_jw_kstring(w, "label", c->period.label[0] ? c->period.label : NULL);
        vp_jw_kstring(w, "from", vp_time_format(c->period.from, from, sizeof from));
        vp_jw_kstring(w, "to", vp_time_format(c->period.to, to, sizeof to));
        vp_jw_end(w);
        vp_jw_key(w, "jobs");
        vp_jw_object(w, VP_JW_COMPACT);
        vp_jw_kint(w, "count", c->job_count);
        vp_jw_kint(w, "outside_period", c->jobs_outside_period);
        if (c->jobs_file[0]) { /* absent: the jobs were counted, not written */
            vp_jw_kstring(w, "file", c->jobs_file);
            vp_jw_kstring(w, "sha256", c->jobs_sha256);
        }
        vp_jw_kint(w, "duplicates", c->jobs_duplicates);
        vp_jw_key(w, "vaults");
        vp_jw_array(w, VP_JW_COMPACT);
        for (size_t i = 0; i < c->job_vault_count; i++) {
            vp_jw_object(w, VP_JW_COMPACT);
            vp_jw_kstring(w, "vault_id", c->job_vaults[i].vault_id);
            vp_jw_kint(w, "jobs_read", c->job_vaults[i].jobs_read);
            vp_jw_kstring(w, "earliest_start", c->job_vaults[i].earliest_start);
            vp_jw_end(w);
        }
        vp_jw_end(w);
        if (c->jobs_import_file[0]) { /* absent: nothing was imported */
            vp_jw_key(w, "imported");
            vp_jw_object(w, VP_JW_COMPACT);
            vp_jw_kstring(w, "file", c->jobs_import_file);
            vp_jw_kstring(w, "sha256", c->jobs_import_sha256);
            vp_jw_kint(w, "rows", c->jobs_import_rows);
            vp_jw_kint(w, "jobs", c->jobs_imported);
            vp_jw_end(w);
        }
        vp_jw_end(w);
    }
    vp_jw_kstring(w, "captured_from", c->captured_from);
    vp_jw_kstring(w, "captured_to", c->captured_to);
    w_strings(w, "endpoints", c->endpoints, c->endpoint_count);
    w_strings(w, "api_versions", c->api_versions, c->api_version_count);
    vp_jw_kstring(w, "principal", c->principal);
    vp_jw_kint(w, "request_count", c->request_count);
    vp_jw_kint(w, "retry_count", c->retry_count);
    vp_jw_kbool(w, "verified", c->verified);
    vp_jw_kbool(w, "complete", c->complete);
    vp_jw_kint(w, "ignored_resources", c->ignored_resources);
    write_access(w, &c->access);
    vp_jw_key(w, "worm_catalog");
    vp_jw_object(w, VP_JW_COMPACT);
    vp_jw_kstring(w, "version", c->worm_catalog_version);
    vp_jw_kstring(w, "origin", c->worm_catalog_origin);
    vp_jw_kstring(w, "sha256", c->worm_catalog_sha256);
    vp_jw_end(w);
    vp_jw_key(w, "counts");
    vp_jw_object(w, VP_JW_COMPACT);
    vp_jw_kint(w, "subscriptions", (long long)s->subscription_count);
    vp_jw_kint(w, "vaults", (long long)s->vault_count);
    vp_jw_kint(w, "policies", (long long)s->policy_count);
    vp_jw_kint(w, "protected_items", (long long)s->item_count);
    vp_jw_kint(w, "virtual_machines", (long long)s->vm_count);
    vp_jw_kint(w, "regions", (long long)s->region_count);
    vp_jw_kint(w, "files", (long long)c->file_count);
    vp_jw_kint(w, "warnings", (long long)c->warning_count);
    vp_jw_kint(w, "resource_guards", (long long)s->resource_guard_count);
    vp_jw_kint(w, "backup_engines", (long long)s->engine_count);
    vp_jw_kint(w, "deleted_vaults", (long long)s->deleted_vault_count);
    vp_jw_end(w);

    vp_jw_key(w, "lists");
    vp_jw_array(w, VP_JW_PRETTY);
    for (size_t i = 0; i < c->list_count; i++) {
        const vp_list_call *l = &c->lists[i];
        vp_jw_object(w, VP_JW_COMPACT);
        vp_jw_kstring(w, "operation", l->operation);
        vp_jw_kstring(w, "scope", l->scope);
        vp_jw_kstring(w, "status", vp_list_status_name(l->status));
        vp_jw_kint(w, "pages", l->pages);
        vp_jw_kstring(w, "detail", l->detail);
        vp_jw_end(w);
    }
    vp_jw_end(w);
    vp_jw_key(w, "warnings");
    vp_jw_array(w, VP_JW_PRETTY);
    for (size_t i = 0; i < c->warning_count; i++) {
        const vp_warning *x = &c->warnings[i];
        vp_jw_object(w, VP_JW_COMPACT);
        vp_jw_kstring(w, "code", x->code);
        vp_jw_kstring(w, "file", x->file);
        vp_jw_kstring(w, "pointer", x->pointer);
        vp_jw_kstring(w, "message", x->message);
        vp_jw_end(w);
    }
    vp_jw_end(w);
    vp_jw_key(w, "files");
    vp_jw_array(w, VP_JW_PRETTY);
    for (size_t i = 0; i < c->file_count; i++) {
        const vp_input_file *f = &c->files[i];
        vp_jw_object(w, VP_JW_COMPACT);
        vp_jw_kstring(w, "path", f->path);
        vp_jw_kstring(w, "role", f->role);
        vp_jw_kint(w, "bytes", f->bytes);
        vp_jw_kstring(w, "sha256", f->sha256);
        vp_jw_end(w);
    }
    vp_jw_end(w);
    vp_jw_end(w);
}

/* Where each field comes from, relative to the entity's source pointer. Alternatives
 * are tried in order; fields listed under "derived_from" of an entity come from the
 * named document instead (paths under "backupconfig" / "backupstorageconfig"). */
static const char *const field_paths[][3] = {
    {"vault", "immutability", "/properties/securitySettings/immutabilitySettings/state"},
    {"vault", "immutability_settings", "/properties/securitySettings/immutabilitySettings"},
    {"vault", "security_settings", "/properties/securitySettings"},
    {"vault", "immutability_configuration.type",
     "/properties/securitySettings/immutabilitySettings/configuration/type"},
    {"vault", "immutability_configuration.duration_days",
     "/properties/securitySettings/immutabilitySettings/configuration/durationInDays"},
    {"vault", "source_scan", "/properties/securitySettings/sourceScanConfiguration/state"},
    {"vault", "soft_delete.state", "/properties/securitySettings/softDeleteSettings/softDeleteState"},
    {"vault", "soft_delete.retention_days", "/properties/securitySettings/softDeleteSettings/softDeleteRetentionPeriodInDays"},
    {"vault", "soft_delete.enhanced_security", "/properties/securitySettings/softDeleteSettings/enhancedSecurityState"},
    {"vault", "multi_user_authorization", "/properties/securitySettings/multiUserAuthorization"},
    {"vault", "storage_redundancy", "/properties/redundancySettings/standardTierStorageRedundancy"},
    {"vault", "cross_region_restore", "/properties/redundancySettings/crossRegionRestore"},
    {"vault", "secure_score", "/properties/secureScore"},
    {"vault", "bcdr_security_level", "/properties/bcdrSecurityLevel"},
    {"vault", "provisioning_state", "/properties/provisioningState"},
    {"vault", "public_network_access", "/properties/publicNetworkAccess"},
    {"vault", "sku", "/sku/name"},
    {"backupconfig", "soft_delete.state", "/properties/softDeleteFeatureState"},
    {"backupconfig", "soft_delete.retention_days", "/properties/softDeleteRetentionPeriodInDays"},
    {"backupconfig", "soft_delete.enhanced_security", "/properties/enhancedSecurityState"},
    {"backupstorageconfig", "storage_redundancy", "/properties/storageType"},
    {"backupstorageconfig", "cross_region_restore", "/properties/crossRegionRestoreFlag (true: Enabled, false: Disabled)"},
    {"policy", "backup_management_type", "/properties/backupManagementType"},
    {"policy", "workload_type", "/properties/workLoadType"},
    {"policy", "policy_type", "/properties/policyType"},
    {"policy", "schedule_frequency", "/properties/schedulePolicy/scheduleRunFrequency"},
    {"policy", "time_zone", "/properties/timeZone | /properties/settings/timeZone"},
    {"policy", "protected_items_count", "/properties/protectedItemsCount"},
    {"policy", "retention[].pointer", "each tier names its own pointer"},
    {"protected_item", "item_type", "/properties/protectedItemType"},
    {"protected_item", "backup_management_type", "/properties/backupManagementType"},
    {"protected_item", "workload_type", "/properties/workloadType"},
    {"protected_item", "friendly_name", "/properties/friendlyName"},
    {"protected_item", "server", "/properties/serverName | /properties/computerName | /properties/backupEngineName"},
    {"protected_item", "container", "/properties/containerName"},
    {"protected_item", "source_resource_id", "/properties/sourceResourceId"},
    {"protected_item", "virtual_machine_id", "/properties/virtualMachineId"},
    {"protected_item", "policy.id", "/properties/policyId"},
    {"protected_item", "policy.name", "/properties/policyName"},
    {"protected_item", "protection_state", "/properties/protectionState"},
    {"protected_item", "protection_status", "/properties/protectionStatus"},
    {"protected_item", "health_status", "/properties/healthStatus | /properties/protectedItemHealthStatus"},
    {"protected_item", "last_backup_status", "/properties/lastBackupStatus | /properties/extendedInfo/lastBackupStatus"},
    {"protected_item", "last_backup_time", "/properties/lastBackupTime"},
    {"protected_item", "last_recovery_point", "/properties/lastRecoveryPoint"},
    {"protected_item", "oldest_recovery_point", "/properties/extendedInfo/oldestRecoveryPoint"},
    {"protected_item", "recovery_point_count", "/properties/extendedInfo/recoveryPointCount"},
    {"protected_item", "deferred_delete.scheduled", "/properties/isScheduledForDeferredDelete"},
    {"protected_item", "deferred_delete.time", "/properties/deferredDeleteTimeInUTC"},
    {"protected_item", "archive_enabled", "/properties/isArchiveEnabled"},
    {"protected_item", "policy_state", "/properties/extendedInfo/policyState"},
    {"virtual_machine", "vm_id", "/properties/vmId"},
    {"virtual_machine", "size", "/properties/hardwareProfile/vmSize"},
    {"virtual_machine", "os_type", "/properties/storageProfile/osDisk/osType"},
    {"virtual_machine", "time_created", "/properties/timeCreated"},
    {"virtual_machine", "tags", "/tags"},
    {"resource_guard", "location", "/location"},
    {"resource_guard", "provisioning_state", "/properties/provisioningState"},
    {"resource_guard", "operations", "/properties/resourceGuardOperations/*/vaultCriticalOperation"},
    {"resource_guard", "exclusions", "/properties/vaultCriticalOperationExclusionList"},
    {"resource_guard", "allow_auto_approvals", "/properties/allowAutoApprovals"},
    {"backup_engine", "friendly_name", "/properties/friendlyName"},
    {"backup_engine", "backup_management_type", "/properties/backupManagementType"},
    {"backup_engine", "engine_type", "/properties/backupEngineType"},
    {"backup_engine", "registration_status", "/properties/registrationStatus"},
    {"backup_engine", "engine_state", "/properties/backupEngineState"},
    {"backup_engine", "health_status", "/properties/healthStatus"},
    {"backup_engine", "dpm_version", "/properties/dpmVersion"},
    {"backup_engine", "agent_version", "/properties/azureBackupAgentVersion"},
    {"backup_engine", "protected_items_count", "/properties/extendedInfo/protectedItemsCount"},
    {"backup_engine", "protected_servers_count", "/properties/extendedInfo/protectedServersCount"},
    {"backup_engine", "refreshed_at", "/properties/extendedInfo/refreshedAt"},
    {"deleted_vault", "vault_id", "/properties/vaultId"},
    {"deleted_vault", "deletion_time", "/properties/vaultDeletionTime"},
    {"deleted_vault", "purge_at", "/properties/purgeAt"},
};

static void write_field_paths(vp_jsonw *w)
{
    const char *current = NULL;
    vp_jw_key(w, "field_paths");
    vp_jw_object(w, VP_JW_PRETTY);
    for (size_t i = 0; i < sizeof field_paths / sizeof field_paths[0]; i++) {
        if (!current || strcmp(current, field_paths[i][0]) != 0) {
            if (current)
                vp_jw_end(w);
            current = field_paths[i][0];
            vp_jw_key(w, current);
            vp_jw_object(w, VP_JW_COMPACT);
        }
        vp_jw_kstring(w, field_paths[i][1], field_paths[i][2]);
    }
    vp_jw_end(w);
    vp_jw_end(w);
}

static void write_worm(vp_jsonw *w, const vp_snapshot *s)
{
    vp_jw_key(w, "worm_sources");
    vp_jw_array(w, VP_JW_PRETTY);
    for (size_t i = 0; i < s->worm_source_count; i++) {
        const vp_worm_source *x = &s->worm_sources[i];
        vp_jw_object(w, VP_JW_COMPACT);
        vp_jw_kstring(w, "id", x->id);
        vp_jw_kstring(w, "title", x->title);
        vp_jw_kstring(w, "url", x->url);
        vp_jw_kstring(w, "as_of", x->as_of);
        vp_jw_kstring(w, "retrieved", x->retrieved);
        vp_jw_kstring(w, "sha256", x->sha256);
        vp_jw_kstring(w, "supersedes", x->supersedes);
        vp_jw_kstring(w, "recorded", x->recorded);
        vp_jw_end(w);
    }
    vp_jw_end(w);
    vp_jw_key(w, "regions");
    vp_jw_array(w, VP_JW_PRETTY);
    for (size_t i = 0; i < s->region_count; i++) {
        const vp_region *r = &s->regions[i];
        vp_jw_object(w, VP_JW_COMPACT);
        vp_jw_kstring(w, "location", r->location);
        vp_jw_kstring(w, "display_name", r->display_name);
        vp_jw_kstring(w, "worm", r->worm);
        w_strings(w, "sources", r->sources, r->source_count);
        vp_jw_kint(w, "vaults", (long long)r->vault_count);
        vp_jw_end(w);
    }
    vp_jw_end(w);
}

static void write_subscriptions(vp_jsonw *w, const vp_snapshot *s)
{
    vp_jw_key(w, "subscriptions");
    vp_jw_array(w, VP_JW_PRETTY);
    for (size_t i = 0; i < s->subscription_count; i++) {
        const vp_subscription *x = &s->subscriptions[i];
        vp_jw_object(w, VP_JW_COMPACT);
        vp_jw_kstring(w, "id", x->id);
        vp_jw_kstring(w, "subscription_id", x->subscription_id);
        vp_jw_kstring(w, "display_name", x->display_name);
        vp_jw_kstring(w, "state", x->state);
        vp_jw_kstring(w, "tenant_id", x->tenant_id);
        vp_jw_kbool(w, "listed", x->listed);
        w_source(w, "source", &x->source);
        vp_jw_end(w);
    }
    vp_jw_end(w);
}

static void write_vault(vp_jsonw *w, const vp_vault *v, int has_period)
{
    const named_text texts[] = {
        {"immutability", &v->immutability},       {"immutability_configuration.type", &v->immutability_type},
        {"soft_delete.state", &v->soft_delete},   {"soft_delete.enhanced_security", &v->enhanced_security},
        {"multi_user_authorization", &v->mua},    {"source_scan", &v->source_scan},
        {"storage_redundancy", &v->storage_redundancy}, {"cross_region_restore", &v->cross_region_restore},
        {"secure_score", &v->secure_score},       {"bcdr_security_level", &v->bcdr_security_level},
    };
    vp_jw_object(w, VP_JW_COMPACT);
    vp_jw_kstring(w, "id", v->id);
    vp_jw_kstring(w, "name", v->name);
    vp_jw_kstring(w, "resource_group", v->resource_group);
    vp_jw_kstring(w, "subscription_id", v->subscription_id);
    vp_jw_kstring(w, "location", v->location);
    w_text(w, "sku", &v->sku);
    w_tags(w, &v->tags);
    vp_jw_kstring(w, "api_version", v->api_version);
    w_text(w, "immutability", &v->immutability);
    vp_jw_kstring(w, "immutability_settings", presence_name(v->immutability_settings));
    vp_jw_kstring(w, "security_settings", presence_name(v->security_settings));
    vp_jw_key(w, "immutability_configuration");
    vp_jw_object(w, VP_JW_COMPACT);
    w_text(w, "type", &v->immutability_type);
    w_num(w, "duration_days", &v->immutability_days);
    vp_jw_end(w);
    vp_jw_key(w, "soft_delete");
    vp_jw_object(w, VP_JW_COMPACT);
    w_text(w, "state", &v->soft_delete);
    w_num(w, "retention_days", &v->soft_delete_days);
    w_text(w, "enhanced_security", &v->enhanced_security);
    vp_jw_end(w);
    w_text(w, "multi_user_authorization", &v->mua);
    w_text(w, "source_scan", &v->source_scan);
    vp_jw_key(w, "resource_guard_proxies");
    vp_jw_array(w, VP_JW_COMPACT);
    for (size_t i = 0; i < v->guard_count; i++) {
        const vp_guard_proxy *g = &v->guards[i];
        vp_jw_object(w, VP_JW_COMPACT);
        vp_jw_kstring(w, "id", g->id);
        vp_jw_kstring(w, "resource_guard_id", g->resource_guard_id);
        vp_jw_kint(w, "operations", g->operation_count);
        vp_jw_kstring(w, "last_updated", g->last_updated);
        w_source(w, "source", &g->source);
        vp_jw_end(w);
    }
    vp_jw_end(w);
    w_text(w, "storage_redundancy", &v->storage_redundancy);
    w_text(w, "cross_region_restore", &v->cross_region_restore);
    w_text(w, "secure_score", &v->secure_score);
    w_text(w, "bcdr_security_level", &v->bcdr_security_level);
    w_text(w, "provisioning_state", &v->provisioning_state);
    w_text(w, "public_network_access", &v->public_network_access);
    vp_jw_key(w, "counts");
    vp_jw_object(w, VP_JW_COMPACT);
    vp_jw_kint(w, "policies", (long long)v->policy_count);
    vp_jw_kint(w, "protected_items", (long long)v->item_count);
    vp_jw_kint(w, "backup_engines", (long long)v->engine_count);
    vp_jw_end(w);
    vp_jw_key(w, "completeness");
    vp_jw_object(w, VP_JW_COMPACT);
    for (vp_arm_list l = 0; l < VP_ARM_LIST_COUNT; l++)
        if (!vp_arm_for_list(l)->period || has_period) /* vaultproof/arm.h: period */
            vp_jw_kstring(w, vp_arm_for_list(l)->name, vp_list_status_name(v->lists[l]));
    vp_jw_end(w);
    vp_jw_key(w, "derived_from");
    vp_jw_object(w, VP_JW_COMPACT);
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (texts[i].text->presence == VP_PRESENT && texts[i].text->origin)
            vp_jw_kstring(w, texts[i].name, origin_name(texts[i].text->origin));
    if (v->soft_delete_days.presence == VP_PRESENT && v->soft_delete_days.origin)
        vp_jw_kstring(w, "soft_delete.retention_days", origin_name(v->soft_delete_days.origin));
    vp_jw_end(w);
    w_unknown(w, texts, sizeof texts / sizeof texts[0]);
    w_source(w, "source", &v->source);
    w_source(w, "backupconfig_source", &v->vaultconfig_source);
    w_source(w, "backupstorageconfig_source", &v->storageconfig_source);
    vp_jw_end(w);
}

/* The parent vault's id as the vault itself spells it, when it was listed. */
static const char *vault_id(const vp_snapshot *s, const char *id)
{
    const vp_vault *v = vp_snapshot_find_vault(s, id);
    return v ? v->id : id;
}

static void write_policy(vp_jsonw *w, const vp_snapshot *s, const vp_policy *p)
{
    const named_text texts[] = {{"backup_management_type", &p->management_type},
                                {"workload_type", &p->workload_type},
                                {"policy_type", &p->policy_type}};
    vp_jw_object(w, VP_JW_COMPACT);
    vp_jw_kstring(w, "id", p->id);
    vp_jw_kstring(w, "name", p->name);
    vp_jw_kstring(w, "vault_id", vault_id(s, p->vault_id));
    vp_jw_kbool(w, "vault_listed", p->vault_listed);
    vp_jw_kstring(w, "subscription_id", p->subscription_id);
    w_text(w, "backup_management_type", &p->management_type);
    w_text(w, "workload_type", &p->workload_type);
    w_text(w, "policy_type", &p->policy_type);
    w_text(w, "schedule_frequency", &p->schedule_frequency);
    w_text(w, "time_zone", &p->time_zone);
    w_num(w, "protected_items_count", &p->protected_items_count);
    vp_jw_key(w, "retention");
    vp_jw_array(w, VP_JW_COMPACT);
    for (size_t i = 0; i < p->tier_count; i++) {
        const vp_retention_tier *t = &p->tiers[i];
        vp_jw_object(w, VP_JW_COMPACT);
        vp_jw_kstring(w, "sub_policy", t->sub_policy);
        vp_jw_kstring(w, "tier", t->tier);
        vp_jw_key(w, "count");
        if (t->count >= 0)
            vp_jw_int(w, t->count);
        else
            vp_jw_null(w);
        vp_jw_kstring(w, "unit", t->unit);
        vp_jw_key(w, "days");
        if (t->days >= 0)
            vp_jw_int(w, t->days);
        else
            vp_jw_null(w);
        vp_jw_kstring(w, "pointer", t->pointer);
        vp_jw_end(w);
    }
    vp_jw_end(w);
    vp_jw_key(w, "long_term_days");
    if (p->long_term_days >= 0)
        vp_jw_int(w, p->long_term_days);
    else
        vp_jw_null(w);
    vp_jw_key(w, "log_days");
    if (p->log_days >= 0)
        vp_jw_int(w, p->log_days);
    else
        vp_jw_null(w);
    vp_jw_kbool(w, "retention_understood", !p->unknown_retention);
    w_unknown(w, texts, sizeof texts / sizeof texts[0]);
    w_source(w, "source", &p->source);
    vp_jw_end(w);
}

static void write_item(vp_jsonw *w, const vp_snapshot *s, const vp_item *it)
{
    const named_text texts[] = {{"item_type", &it->item_type},
                                {"backup_management_type", &it->management_type},
                                {"workload_type", &it->workload_type},
                                {"protection_state", &it->protection_state},
                                {"health_status", &it->health_status}};
    vp_jw_object(w, VP_JW_COMPACT);
    vp_jw_kstring(w, "id", it->id);
    vp_jw_kstring(w, "name", it->name);
    vp_jw_kstring(w, "vault_id", vault_id(s, it->vault_id));
    vp_jw_kbool(w, "vault_listed", it->vault_listed);
    vp_jw_kstring(w, "subscription_id", it->subscription_id);
    vp_jw_kstring(w, "kind", it->kind);
    w_text(w, "item_type", &it->item_type);
    w_text(w, "backup_management_type", &it->management_type);
    w_text(w, "workload_type", &it->workload_type);
    w_text(w, "friendly_name", &it->friendly_name);
    w_text(w, "server", &it->server);
    w_text(w, "container", &it->container);
    w_text(w, "source_resource_id", &it->source_resource_id);
    w_text(w, "virtual_machine_id", &it->vm_id);
    vp_jw_key(w, "policy");
    vp_jw_object(w, VP_JW_COMPACT);
    w_text(w, "id", &it->policy_id);
    w_text(w, "name", &it->policy_name);
    vp_jw_kstring(w, "link", it->policy_link);
    vp_jw_end(w);
    w_text(w, "protection_state", &it->protection_state);
    w_text(w, "protection_status", &it->protection_status);
    w_text(w, "health_status", &it->health_status);
    w_text(w, "last_backup_status", &it->last_backup_status);
    w_text(w, "last_backup_time", &it->last_backup_time);
    w_text(w, "last_recovery_point", &it->last_recovery_point);
    w_text(w, "oldest_recovery_point", &it->oldest_recovery_point);
    w_num(w, "recovery_point_count", &it->recovery_point_count);
    vp_jw_key(w, "deferred_delete");
    vp_jw_object(w, VP_JW_COMPACT);
    w_flag(w, "scheduled", &it->deferred_delete);
    w_text(w, "time", &it->deferred_delete_time);
    vp_jw_end(w);
    w_flag(w, "archive_enabled", &it->archive_enabled);
    w_text(w, "policy_state", &it->policy_state);
    w_unknown(w, texts, sizeof texts / sizeof texts[0]);
    w_source(w, "source", &it->source);
    vp_jw_end(w);
}

static void write_vm(vp_jsonw *w, const vp_vm *vm)
{
    vp_jw_object(w, VP_JW_COMPACT);
    vp_jw_kstring(w, "id", vm->id);
    vp_jw_kstring(w, "name", vm->name);
    vp_jw_kstring(w, "resource_group", vm->resource_group);
    vp_jw_kstring(w, "subscription_id", vm->subscription_id);
    vp_jw_kstring(w, "location", vm->location);
    vp_jw_kstring(w, "type", vm->type);
    w_text(w, "vm_id", &vm->vm_uuid);
    w_text(w, "size", &vm->size);
    w_text(w, "os_type", &vm->os_type);
    w_text(w, "time_created", &vm->time_created);
    w_tags(w, &vm->tags);
    w_strings(w, "protected_by", vm->protected_by, vm->protected_count);
    w_source(w, "source", &vm->source);
    vp_jw_end(w);
}

static void write_resource_guard(vp_jsonw *w, const vp_resource_guard *g)
{
    vp_jw_object(w, VP_JW_COMPACT);
    vp_jw_kstring(w, "id", g->id);
    vp_jw_kstring(w, "name", g->name);
    vp_jw_kstring(w, "resource_group", g->resource_group);
    vp_jw_kstring(w, "subscription_id", g->subscription_id);
    vp_jw_kstring(w, "status", g->status);
    vp_jw_kstring(w, "detail", g->detail);
    w_text(w, "location", &g->location);
    w_text(w, "provisioning_state", &g->provisioning_state);
    w_strings(w, "operations", g->operations, g->operation_count);
    if (g->exclusions_presence == VP_PRESENT) /* an empty list excludes nothing; absent was not reported */
        w_strings(w, "exclusions", g->exclusions, g->exclusion_count);
    else
        vp_jw_kstring(w, "exclusions", NULL);
    w_flag(w, "allow_auto_approvals", &g->allow_auto_approvals);
    w_source(w, "source", &g->source);
    vp_jw_end(w);
}

static void write_engine(vp_jsonw *w, const vp_snapshot *s, const vp_backup_engine *e)
{
    const named_text texts[] = {{"backup_management_type", &e->management_type},
                                {"engine_type", &e->engine_type},
                                {"registration_status", &e->registration_status},
                                {"health_status", &e->health_status}};
    vp_jw_object(w, VP_JW_COMPACT);
    vp_jw_kstring(w, "id", e->id);
    vp_jw_kstring(w, "name", e->name);
    vp_jw_kstring(w, "vault_id", vault_id(s, e->vault_id));
    vp_jw_kbool(w, "vault_listed", e->vault_listed);
    vp_jw_kstring(w, "subscription_id", e->subscription_id);
    w_text(w, "friendly_name", &e->friendly_name);
    w_text(w, "backup_management_type", &e->management_type);
    w_text(w, "engine_type", &e->engine_type);
    w_text(w, "registration_status", &e->registration_status);
    w_text(w, "engine_state", &e->engine_state);
    w_text(w, "health_status", &e->health_status);
    w_text(w, "dpm_version", &e->dpm_version);
    w_text(w, "agent_version", &e->agent_version);
    w_num(w, "protected_items_count", &e->protected_items_count);
    w_num(w, "protected_servers_count", &e->protected_servers_count);
    w_text(w, "refreshed_at", &e->refreshed_at);
    w_unknown(w, texts, sizeof texts / sizeof texts[0]);
    w_source(w, "source", &e->source);
    vp_jw_end(w);
}

static void write_deleted_vault(vp_jsonw *w, const vp_deleted_vault *d)
{
    vp_jw_object(w, VP_JW_COMPACT);
    vp_jw_kstring(w, "id", d->id);
    vp_jw_kstring(w, "name", d->name);
    vp_jw_kstring(w, "subscription_id", d->subscription_id);
    vp_jw_kstring(w, "location", d->location);
    w_text(w, "vault_id", &d->vault_id);
    w_text(w, "deletion_time", &d->deletion_time);
    w_text(w, "purge_at", &d->purge_at);
    w_source(w, "source", &d->source);
    vp_jw_end(w);
}

static void write_change(vp_jsonw *w, const vp_change *ch)
{
    const vp_change_request *q = &ch->request;
    vp_jw_object(w, VP_JW_COMPACT);
    vp_jw_kstring(w, "id", ch->id);
    vp_jw_kstring(w, "time", ch->time);
    vp_jw_kstring(w, "operation", ch->operation);
    vp_jw_kstring(w, "status", ch->status);
    vp_jw_kstring(w, "sub_status", ch->sub_status);
    vp_jw_kstring(w, "caller", ch->caller);
    vp_jw_kstring(w, "correlation_id", ch->correlation_id);
    vp_jw_kstring(w, "resource_id", ch->resource_id);
    vp_jw_kstring(w, "vault_id", ch->vault_id);
    vp_jw_kstring(w, "error_code", ch->error_code);
    vp_jw_kstring(w, "error_message", ch->error_message);
    vp_jw_kint(w, "begun", ch->begun);
    vp_jw_key(w, "request");
    vp_jw_object(w, VP_JW_COMPACT);
    w_text(w, "immutability", &q->immutability);
    w_text(w, "soft_delete", &q->soft_delete);
    w_num(w, "soft_delete_days", &q->soft_delete_days);
    w_text(w, "policy_id", &q->policy_id);
    w_num(w, "retention_days", &q->retention_days);
    vp_jw_end(w);
    w_source(w, "source", &ch->source);
    vp_jw_end(w);
}

vp_status vp_snapshot_write_json(const vp_snapshot *s, FILE *fp, const char *label, vp_error *err)
{
    if (s->lazy_source) /* its items and VMs are not in memory: writing would drop them */
        return vp_error_set(err, VP_ERR_INTERNAL, "%s: %s was read lazily and cannot be written back", label,
                            s->lazy_source);
    vp_jsonw w;
    vp_jw_init(&w, fp);
    vp_jw_object(&w, VP_JW_PRETTY);
    vp_jw_kstring(&w, "format", VP_SNAPSHOT_FORMAT);
    write_collection(&w, s);
    write_field_paths(&w);
    write_worm(&w, s);
    write_subscriptions(&w, s);
    vp_jw_key(&w, "vaults");
    vp_jw_array(&w, VP_JW_PRETTY);
    for (size_t i = 0; i < s->vault_count; i++)
        write_vault(&w, &s->vaults[i], s->collection.has_period);
    vp_jw_end(&w);
    vp_jw_key(&w, "policies");
    vp_jw_array(&w, VP_JW_PRETTY);
    for (size_t i = 0; i < s->policy_count; i++)
        write_policy(&w, s, &s->policies[i]);
    vp_jw_end(&w);
    vp_jw_key(&w, "protected_items");
    vp_jw_array(&w, VP_JW_PRETTY);
    for (size_t i = 0; i < s->item_count; i++)
        write_item(&w, s, &s->items[i]);
    vp_jw_end(&w);
    vp_jw_key(&w, "virtual_machines");
    vp_jw_array(&w, VP_JW_PRETTY);
    for (size_t i = 0; i < s->vm_count; i++)
        write_vm(&w, &s->vms[i]);
    vp_jw_end(&w);
    vp_jw_key(&w, "resource_guards");
    vp_jw_array(&w, VP_JW_PRETTY);
    for (size_t i = 0; i < s->resource_guard_count; i++)
        write_resource_guard(&w, &s->resource_guards[i]);
    vp_jw_end(&w);
    vp_jw_key(&w, "backup_engines");
    vp_jw_array(&w, VP_JW_PRETTY);
    for (size_t i = 0; i < s->engine_count; i++)
        write_engine(&w, s, &s->engines[i]);
    vp_jw_end(&w);
    vp_jw_key(&w, "deleted_vaults");
    vp_jw_array(&w, VP_JW_PRETTY);
    for (size_t i = 0; i < s->deleted_vault_count; i++)
        write_deleted_vault(&w, &s->deleted_vaults[i]);
    vp_jw_end(&w);
    if (s->collection.has_period) { /* period evidence: no member at all without a period */
        vp_jw_key(&w, "changes");
        vp_jw_array(&w, VP_JW_PRETTY);
        for (size_t i = 0; i < s->change_count; i++)
            write_change(&w, &s->changes[i]);
        vp_jw_end(&w);
    }
    vp_jw_end(&w);
    return vp_jw_finish(&w, label, err);
}
