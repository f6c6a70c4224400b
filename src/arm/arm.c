/* The table of ARM operations (vaultproof/arm.h). Paths and api-versions follow the
 * Azure REST reference: Subscriptions_List, Vaults_ListBySubscriptionId,
 * VirtualMachines_ListAll, BackupPolicies_List, BackupProtectedItems_List,
 * ResourceGuardProxies_Get, BackupResourceVaultConfigs_Get,
 * BackupResourceStorageConfigsNonCRR_Get, BackupEngines_List,
 * DeletedVaults_ListBySubscriptionId (Microsoft.RecoveryServices), ResourceGuards_Get
 * (Microsoft.DataProtection), RoleAssignments_ListForSubscription and RoleDefinitions_GetById
 * (Microsoft.Authorization 2022-04-01), BackupJobs_List (Microsoft.RecoveryServices),
 * ActivityLogs_List (Microsoft.Insights 2015-04-01). */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "vaultproof/arm.h"
#include "vaultproof/clock.h"

#define RS "Microsoft.RecoveryServices/vaults"

static const char *const no_types[] = {NULL};
static const char *const vault_types[] = {RS, NULL};
static const char *const vm_types[] = {"Microsoft.Compute/virtualMachines", "Microsoft.ClassicCompute/virtualMachines",
                                       NULL};
static const char *const policy_types[] = {RS "/backupPolicies", NULL};
static const char *const item_types[] = {RS "/backupFabrics/protectionContainers/protectedItems", NULL};
static const char *const guard_types[] = {RS "/backupResourceGuardProxies", NULL};
static const char *const vaultconfig_types[] = {RS "/backupconfig", NULL};
static const char *const storageconfig_types[] = {RS "/backupstorageconfig", NULL};
static const char *const engine_types[] = {RS "/backupEngines", NULL};
static const char *const deleted_vault_types[] = {"Microsoft.RecoveryServices/locations/deletedVaults", NULL};
static const char *const resource_guard_types[] = {"Microsoft.DataProtection/resourceGuards", NULL};
static const char *const role_assignment_types[] = {"Microsoft.Authorization/roleAssignments", NULL};
static const char *const role_definition_types[] = {"Microsoft.Authorization/roleDefinitions", NULL};
static const char *const job_types[] = {RS "/backupJobs", NULL};
/* EventData carries no type: events are told by shape (collect's vpo_classify) */
static const char *const event_types[] = {NULL};
#define ACTIVITY_LOG_PATH "providers/Microsoft.Insights/eventtypes/management/values"

static const vp_arm_operation table[] = {
    [VP_ARM_SUBSCRIPTIONS] = {VP_ARM_SUBSCRIPTIONS, "subscriptions", no_types, "subscriptions",
                              VP_ARM_API_SUBSCRIPTIONS, VP_ARM_PARENT_TENANT, 1, VP_ARM_KIND_SUBSCRIPTION,
                              VP_ARM_LIST_NONE},
    [VP_ARM_VAULTS] = {VP_ARM_VAULTS, "vaults", vault_types, "providers/" RS, VP_ARM_API_VAULTS,
                       VP_ARM_PARENT_SUBSCRIPTION, 1, VP_ARM_KIND_VAULT, VP_ARM_LIST_NONE},
    [VP_ARM_VIRTUAL_MACHINES] = {VP_ARM_VIRTUAL_MACHINES, "virtualMachines", vm_types,
                                 "providers/Microsoft.Compute/virtualMachines", VP_ARM_API_COMPUTE,
                                 VP_ARM_PARENT_SUBSCRIPTION, 1, VP_ARM_KIND_VM, VP_ARM_LIST_NONE},
    [VP_ARM_BACKUP_POLICIES] = {VP_ARM_BACKUP_POLICIES, "backupPolicies", policy_types, "backupPolicies",
                                VP_ARM_API_BACKUP, VP_ARM_PARENT_VAULT, 1, VP_ARM_KIND_POLICY,
                                VP_ARM_LIST_POLICIES},
    [VP_ARM_BACKUP_PROTECTED_ITEMS] = {VP_ARM_BACKUP_PROTECTED_ITEMS, "backupProtectedItems", item_types,
                                       "backupProtectedItems", VP_ARM_API_BACKUP, VP_ARM_PARENT_VAULT, 1,
                                       VP_ARM_KIND_ITEM, VP_ARM_LIST_ITEMS},
    [VP_ARM_BACKUP_RESOURCE_GUARD_PROXIES] = {VP_ARM_BACKUP_RESOURCE_GUARD_PROXIES, "backupResourceGuardProxies",
                                              guard_types, "backupResourceGuardProxies", VP_ARM_API_BACKUP,
                                              VP_ARM_PARENT_VAULT, 1, VP_ARM_KIND_GUARD, VP_ARM_LIST_GUARDS},
    [VP_ARM_BACKUP_CONFIG] = {VP_ARM_BACKUP_CONFIG, "backupconfig", vaultconfig_types, "backupconfig/vaultconfig",
                              VP_ARM_API_BACKUP, VP_ARM_PARENT_VAULT, 0, VP_ARM_KIND_VAULTCONFIG,
                              VP_ARM_LIST_VAULTCONFIG},
    [VP_ARM_BACKUP_STORAGE_CONFIG] = {VP_ARM_BACKUP_STORAGE_CONFIG, "backupstorageconfig", storageconfig_types,
                                      "backupstorageconfig/vaultstorageconfig", VP_ARM_API_BACKUP,
                                      VP_ARM_PARENT_VAULT, 0, VP_ARM_KIND_STORAGECONFIG,
                                      VP_ARM_LIST_STORAGECONFIG},
    [VP_ARM_BACKUP_ENGINES] = {VP_ARM_BACKUP_ENGINES, "backupEngines", engine_types, "backupEngines",
                               VP_ARM_API_BACKUP, VP_ARM_PARENT_VAULT, 1, VP_ARM_KIND_ENGINE, VP_ARM_LIST_ENGINES},
    [VP_ARM_DELETED_VAULTS] = {VP_ARM_DELETED_VAULTS, "deletedVaults", deleted_vault_types, "deletedVaults",
                               VP_ARM_API_VAULTS, VP_ARM_PARENT_LOCATION, 1, VP_ARM_KIND_DELETED_VAULT,
                               VP_ARM_LIST_NONE},
    [VP_ARM_RESOURCE_GUARDS] = {VP_ARM_RESOURCE_GUARDS, "resourceGuards", resource_guard_types, "",
                                VP_ARM_API_DATAPROTECTION, VP_ARM_PARENT_RESOURCE, 0, VP_ARM_KIND_RESOURCE_GUARD,
                                VP_ARM_LIST_NONE},
    /* assignedTo(): the principal's assignments at, above and below the subscription,
     * those it holds through groups included (RoleAssignments_ListForSubscription) */
    [VP_ARM_ROLE_ASSIGNMENTS] = {VP_ARM_ROLE_ASSIGNMENTS, "roleAssignments", role_assignment_types,
                                 "providers/Microsoft.Authorization/roleAssignments", VP_ARM_API_AUTHORIZATION,
                                 VP_ARM_PARENT_SUBSCRIPTION, 1, VP_ARM_KIND_ROLE_ASSIGNMENT, VP_ARM_LIST_NONE, 1,
                                 "$filter=assignedTo('{object_id}')"},
    /* one GET per role definition an assignment names (RoleDefinitions_GetById): its
     * roleName and permissions, built-in or custom, for only the few roles held - the
     * subscription's whole list is hundreds of built-in roles per subscription */
    [VP_ARM_ROLE_DEFINITIONS] = {VP_ARM_ROLE_DEFINITIONS, "roleDefinitions", role_definition_types, "",
                                 VP_ARM_API_AUTHORIZATION, VP_ARM_PARENT_RESOURCE, 0, VP_ARM_KIND_ROLE_DEFINITION,
                                 VP_ARM_LIST_NONE, 1, NULL},
    /* BackupJobs_List over the period: every job whose start falls in the filter's
     * window, paged with a nextLink whose $skiptoken is followed as given */
    [VP_ARM_BACKUP_JOBS] = {VP_ARM_BACKUP_JOBS, "backupJobs", job_types, "backupJobs", VP_ARM_API_BACKUP,
                            VP_ARM_PARENT_VAULT, 1, VP_ARM_KIND_JOB, VP_ARM_LIST_JOBS, 0, "$filter={period_filter}", 1,
                            VP_ARM_PAGES_UNLIMITED},
    /* JobDetails_Get (examples/Common/GetJobDetails.json): one GET per job a job list
     * returned as Failed or CompletedWithWarnings (vp_arm_job_needs_details), like
     * roleDefinitions per role - the list's entries carry no errorString or
     * recommendations in every workload; recorded as backupJobs/<job name>.json under
     * the vault's directory. Its body is of backupJobs' type: classified as that row,
     * then told apart by the call (vpo_job_operation), so it lists no type of its own */
    [VP_ARM_BACKUP_JOB_DETAILS] = {VP_ARM_BACKUP_JOB_DETAILS, "backupJobDetails", no_types, "", VP_ARM_API_BACKUP,
                                   VP_ARM_PARENT_RESOURCE, 0, VP_ARM_KIND_JOB, VP_ARM_LIST_NONE, 0, NULL, 1},
    /* BackupCrrJobs_List (examples/AzureIaasVm/ListCrrJobs_Post.json, passivestamp
     * 2024-11-15): POST .../locations/{secondary region}/backupCrrJobs with the vault's id,
     * the same $filter as backupJobs; the jobs' ids name the location, not the vault */
    [VP_ARM_BACKUP_CRR_JOBS] = {VP_ARM_BACKUP_CRR_JOBS, "backupCrrJobs", no_types, "backupCrrJobs",
                                VP_ARM_API_BACKUP_CRR, VP_ARM_PARENT_VAULT, 1, VP_ARM_KIND_JOB, VP_ARM_LIST_NONE, 0,
                                "$filter={period_filter}", 1, VP_ARM_PAGES_UNLIMITED, "POST",
                                "{\"resourceId\":\"{vault_id}\"}", 1},
    /* ActivityLogs_List over the period, once per resource provider the issue names;
     * paged with nextLink (its $skiptoken followed as given). Recorded as
     * subscriptions/<sub>/activityLog.json and activityLog-dataprotection.json. */
    [VP_ARM_ACTIVITY_LOG] = {VP_ARM_ACTIVITY_LOG, "activityLog", event_types, ACTIVITY_LOG_PATH, VP_ARM_API_INSIGHTS,
                             VP_ARM_PARENT_SUBSCRIPTION, 1, VP_ARM_KIND_EVENT, VP_ARM_LIST_NONE, 0,
                             "$filter={event_filter}", 1, VP_ARM_PAGES_UNLIMITED, NULL, NULL, 0,
                             "Microsoft.RecoveryServices"},
    [VP_ARM_ACTIVITY_LOG_DP] = {VP_ARM_ACTIVITY_LOG_DP, "activityLog-dataprotection", event_types, ACTIVITY_LOG_PATH,
                                VP_ARM_API_INSIGHTS, VP_ARM_PARENT_SUBSCRIPTION, 1, VP_ARM_KIND_EVENT,
                                VP_ARM_LIST_NONE, 0, "$filter={event_filter}", 1, VP_ARM_PAGES_UNLIMITED, NULL,
                                NULL, 0, "Microsoft.DataProtection"},
};
_Static_assert(sizeof table / sizeof table[0] == VP_ARM_OP_COUNT, "one row per vp_arm_op");

/* Pinned so that a collection is reproducible; docs/live-collection.md names them and
 * what each adds. The newest stable versions in azure-rest-api-specs: Recovery Services
 * 2026-08-01 (immutabilitySettings.configuration, deletedVaults with vaultId),
 * Recovery Services backup 2026-02-01, Compute 2025-04-01, DataProtection 2025-09-01
 * (resource guards), Authorization 2022-04-01 (the newest stable one with assignedTo()
 * on role assignments' list). */
static const char *const api_defaults[] = {
    [VP_ARM_API_SUBSCRIPTIONS] = "2022-12-01",
    [VP_ARM_API_VAULTS] = "2026-08-01",
    [VP_ARM_API_BACKUP] = "2026-02-01",
    [VP_ARM_API_COMPUTE] = "2025-04-01",
    [VP_ARM_API_DATAPROTECTION] = "2025-09-01",
    [VP_ARM_API_AUTHORIZATION] = "2022-04-01",
    [VP_ARM_API_BACKUP_CRR] = "2024-11-15",
    [VP_ARM_API_INSIGHTS] = "2015-04-01", /* the Activity Log's only stable version */
};
_Static_assert(sizeof api_defaults / sizeof api_defaults[0] == VP_ARM_API_COUNT, "one default per family");

const vp_arm_operation *vp_arm_get(vp_arm_op op)
{
    return (unsigned)op < VP_ARM_OP_COUNT ? &table[op] : NULL;
}

const vp_arm_operation *vp_arm_find(const char *name)
{
    for (size_t i = 0; name && i < VP_ARM_OP_COUNT; i++)
        if (strcmp(table[i].name, name) == 0)
            return &table[i];
    return NULL;
}

const vp_arm_operation *vp_arm_find_type(const char *type)
{
    for (size_t i = 0; type && i < VP_ARM_OP_COUNT; i++)
        for (const char *const *t = table[i].types; *t; t++)
            if (strcasecmp(*t, type) == 0)
                return &table[i];
    return NULL;
}

const vp_arm_operation *vp_arm_for_list(vp_arm_list list)
{
    for (size_t i = 0; list != VP_ARM_LIST_NONE && i < VP_ARM_OP_COUNT; i++)
        if (table[i].list == list)
            return &table[i];
    return NULL;
}

int vp_arm_refusal_is_evidence(const vp_arm_operation *op, int http_status)
{
    if (op && op->access)
        return http_status == 401 || http_status == 403 || (op->parent == VP_ARM_PARENT_RESOURCE && http_status == 404);
    /* period evidence is never excused: a job's details refused leave the period incomplete */
    return op && op->parent == VP_ARM_PARENT_RESOURCE && !op->period &&
           (http_status == 401 || http_status == 403 || http_status == 404);
}

int vp_arm_page_cap(const vp_arm_operation *op, int configured)
{
    if (op && op->page_limit == VP_ARM_PAGES_UNLIMITED)
        return 0;
    if (op && op->page_limit > 0)
        return op->page_limit;
    return configured > 0 ? configured : 1000;
}

/* (location, its secondary): Microsoft's list of region pairs, each pair both ways but
 * for the one-way entries the list marks (cross-region-replication-azure.md). */
static const char *const region_pairs[][2] = {
    {"eastasia", "southeastasia"}, {"southeastasia", "eastasia"},
    {"australiaeast", "australiasoutheast"}, {"australiasoutheast", "australiaeast"},
    {"australiacentral", "australiacentral2"}, {"australiacentral2", "australiacentral"},
    {"brazilsouth", "southcentralus"}, {"brazilsoutheast", "brazilsouth"},
    {"canadacentral", "canadaeast"}, {"canadaeast", "canadacentral"},
    {"chinanorth", "chinaeast"}, {"chinaeast", "chinanorth"},
    {"chinanorth2", "chinaeast2"}, {"chinaeast2", "chinanorth2"},
    {"chinanorth3", "chinaeast3"}, {"chinaeast3", "chinanorth3"},
    {"northeurope", "westeurope"}, {"westeurope", "northeurope"},
    {"francecentral", "francesouth"}, {"francesouth", "francecentral"},
    {"germanywestcentral", "germanynorth"}, {"germanynorth", "germanywestcentral"},
    {"centralindia", "southindia"}, {"southindia", "centralindia"}, {"westindia", "southindia"},
    {"japaneast", "japanwest"}, {"japanwest", "japaneast"},
    {"koreacentral", "koreasouth"}, {"koreasouth", "koreacentral"},
    {"norwayeast", "norwaywest"}, {"norwaywest", "norwayeast"},
    {"southafricanorth", "southafricawest"}, {"southafricawest", "southafricanorth"},
    {"swedencentral", "swedensouth"}, {"swedensouth", "swedencentral"},
    {"switzerlandnorth", "switzerlandwest"}, {"switzerlandwest", "switzerlandnorth"},
    {"ukwest", "uksouth"}, {"uksouth", "ukwest"},
    {"eastus", "westus"}, {"westus", "eastus"}, {"westus3", "eastus"},
    {"eastus2", "centralus"}, {"centralus", "eastus2"},
    {"northcentralus", "southcentralus"}, {"southcentralus", "northcentralus"},
    {"westus2", "westcentralus"}, {"westcentralus", "westus2"},
    {"uaenorth", "uaecentral"}, {"uaecentral", "uaenorth"},
    {"usdodeast", "usdodcentral"}, {"usdodcentral", "usdodeast"},
    {"usgovarizona", "usgovtexas"}, {"usgovvirginia", "usgovtexas"}, {"usgovtexas", "usgovvirginia"},
};

const char *vp_arm_paired_region(const char *location)
{
    for (size_t i = 0; location && i < sizeof region_pairs / sizeof region_pairs[0]; i++)
        if (!strcasecmp(region_pairs[i][0], location))
            return region_pairs[i][1];
    return NULL;
}

int vp_arm_job_needs_details(const char *status)
{
    static const char *const needs[] = {"Failed", "CompletedWithWarnings", NULL};
    for (const char *const *s = needs; status && *s; s++)
        if (!strcasecmp(*s, status))
            return 1;
    return 0;
}

const char *vp_arm_api_default(vp_arm_api api)
{
    return (unsigned)api < VP_ARM_API_COUNT ? api_defaults[api] : NULL;
}

size_t vp_arm_names(char *out, size_t size, const char *sep)
{
    size_t len = 0;
    if (size)
        out[0] = '\0';
    for (size_t i = 0; i < VP_ARM_OP_COUNT; i++) {
        int n = snprintf(len < size ? out + len : NULL, len < size ? size - len : 0, "%s%s", i ? sep : "",
                         table[i].name);
        len += n > 0 ? (size_t)n : 0;
    }
    return len;
}

size_t vp_arm_path(const vp_arm_operation *op, const char *parent_scope, char *out, size_t size)
{
    int n = snprintf(out, size, "%s%s%s", parent_scope ? parent_scope : "", op->path[0] ? "/" : "", op->path);
    return n > 0 ? (size_t)n : 0;
}

char *vp_arm_job_filter_time(long long epoch, char *buf, size_t size)
{
    time_t t = (time_t)epoch;
    struct tm tm;
    if (size)
        buf[0] = '\0';
    if (size < 23 || !gmtime_r(&t, &tm))
        return buf;
    /* hh is the 12-hour clock: 0h is 12 AM, 12h is 12 PM */
    int h12 = tm.tm_hour % 12 ? tm.tm_hour % 12 : 12;
    /* formatted with room for any int, then copied: the compiler cannot know the fields' ranges */
    char full[96];
    snprintf(full, sizeof full, "%04d-%02d-%02d %02d:%02d:%02d %s", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             h12, tm.tm_min, tm.tm_sec, tm.tm_hour < 12 ? "AM" : "PM");
    if (strlen(full) < size)
        memcpy(buf, full, strlen(full) + 1);
    return buf;
}

size_t vp_arm_job_filter(long long from, long long to, char *out, size_t size)
{
    char f[32], t[32];
    int n = snprintf(out, size, "startTime eq '%s' and endTime eq '%s'", vp_arm_job_filter_time(from, f, sizeof f),
                     vp_arm_job_filter_time(to, t, sizeof t));
    return n > 0 ? (size_t)n : 0;
}

size_t vp_arm_event_filter(long long from, long long to, const char *provider, char *out, size_t size)
{
    char f[32], t[32];
    int n = snprintf(out, size, "eventTimestamp ge '%s' and eventTimestamp le '%s' and resourceProvider eq '%s'",
                     vp_time_format(from, f, sizeof f), vp_time_format(to, t, sizeof t), provider ? provider : "");
    return n > 0 ? (size_t)n : 0;
}
