/*
 * vaultproof/arm.h - the ARM operations vaultproof reads, in one table.
 *
 * Every list call vaultproof makes (live) or accepts (replay) is one row here: the
 * name it is recorded under (sidecar call.operation, the snapshot's completeness
 * keys, the recording's file name), the resource types it returns, where it lives in
 * ARM, its api-version, its parent, whether it pages, which normalizer reads it and
 * which per-vault completeness status it sets. Capture validation, completeness,
 * classification by type, live call construction and the snapshot's per-vault lists
 * all derive from this table (docs/replay-format.md, docs/snapshot-format.md).
 *
 * The table is static: nothing here allocates or fails, and every returned pointer
 * has static storage duration.
 */
#ifndef VAULTPROOF_ARM_H
#define VAULTPROOF_ARM_H

#include <stddef.h>

/* The operations, in the order of the replay format's list (and of live discovery:
 * per parent, calls are queued in this order). */
typedef enum {
    VP_ARM_SUBSCRIPTIONS,
    VP_ARM_VAULTS,
    VP_ARM_VIRTUAL_MACHINES,
    VP_ARM_BACKUP_POLICIES,
    VP_ARM_BACKUP_PROTECTED_ITEMS,
    VP_ARM_BACKUP_RESOURCE_GUARD_PROXIES,
    VP_ARM_BACKUP_CONFIG,
    VP_ARM_BACKUP_STORAGE_CONFIG,
    VP_ARM_BACKUP_ENGINES,  /* DPM / Azure Backup Server engines registered to a vault */
    VP_ARM_DELETED_VAULTS,  /* soft-deleted vaults of one subscription and location */
    VP_ARM_RESOURCE_GUARDS, /* GET of one resource guard a vault's proxy names */
    VP_ARM_ROLE_ASSIGNMENTS, /* the collecting principal's role assignments at a subscription (access) */
    VP_ARM_ROLE_DEFINITIONS, /* GET of one role definition such an assignment names (access) */
    VP_ARM_BACKUP_JOBS,      /* a vault's backup jobs over the period (period: only with one) */
    VP_ARM_BACKUP_JOB_DETAILS, /* GET of one failed or warned job a job list named (period) */
    VP_ARM_BACKUP_CRR_JOBS,  /* a CRR-enabled vault's jobs in its secondary region (period) */
    VP_ARM_ACTIVITY_LOG,     /* a subscription's Activity Log, Microsoft.RecoveryServices (period) */
    VP_ARM_ACTIVITY_LOG_DP,  /* the same for Microsoft.DataProtection (period) */
    VP_ARM_OP_COUNT
} vp_arm_op;

/* What an operation lists under; its scope is "/" (tenant), the subscription id
 * ("/subscriptions/{id}"), the vault id, a location of a subscription
 * ("/subscriptions/{id}/providers/Microsoft.RecoveryServices/locations/{location}",
 * location in ARM form: lowercase, no spaces) or, for a GET of one resource named by
 * another (a resource guard named by a vault's proxy), that resource's own id. */
typedef enum {
    VP_ARM_PARENT_TENANT,
    VP_ARM_PARENT_SUBSCRIPTION,
    VP_ARM_PARENT_VAULT,
    VP_ARM_PARENT_LOCATION,
    VP_ARM_PARENT_RESOURCE
} vp_arm_parent;

/* api-version families: one pinned default each, overridable per family by the
 * live options (config "live.api_versions": subscriptions, vaults, backup, compute,
 * dataprotection). */
typedef enum {
    VP_ARM_API_SUBSCRIPTIONS,
    VP_ARM_API_VAULTS,
    VP_ARM_API_BACKUP,
    VP_ARM_API_COMPUTE,
    VP_ARM_API_DATAPROTECTION,
    VP_ARM_API_AUTHORIZATION, /* Microsoft.Authorization: role assignments and definitions */
    VP_ARM_API_BACKUP_CRR,    /* Recovery Services backup's cross-region-restore calls ("passivestamp") */
    VP_ARM_API_INSIGHTS,      /* Microsoft.Insights: the Activity Log (config key "insights") */
    VP_ARM_API_COUNT
} vp_arm_api;

/* Which normalizer reads the resources an operation returns. The collector keeps one
 * normalizer per kind, in an array indexed by this enum. */
typedef enum {
    VP_ARM_KIND_SUBSCRIPTION,
    VP_ARM_KIND_VAULT,
    VP_ARM_KIND_VM,
    VP_ARM_KIND_POLICY,
    VP_ARM_KIND_ITEM,
    VP_ARM_KIND_GUARD,
    VP_ARM_KIND_VAULTCONFIG,
    VP_ARM_KIND_STORAGECONFIG,
    VP_ARM_KIND_ENGINE,
    VP_ARM_KIND_DELETED_VAULT,
    VP_ARM_KIND_RESOURCE_GUARD,
    VP_ARM_KIND_ROLE_ASSIGNMENT,
    VP_ARM_KIND_ROLE_DEFINITION,
    VP_ARM_KIND_JOB,
    VP_ARM_KIND_EVENT, /* Activity Log events (EventData: no type, told by shape) */
    VP_ARM_KIND_COUNT
} vp_arm_kind;

/* The per-vault completeness statuses a snapshot records (vp_vault.lists), in the
 * order the snapshot writes them (its "completeness" object): the format, so new
 * ones go at the end. */
typedef enum {
    VP_ARM_LIST_NONE = -1, /* not a per-vault call */
    VP_ARM_LIST_POLICIES,
    VP_ARM_LIST_ITEMS,
    VP_ARM_LIST_VAULTCONFIG,
    VP_ARM_LIST_STORAGECONFIG,
    VP_ARM_LIST_GUARDS,
    VP_ARM_LIST_ENGINES,
    VP_ARM_LIST_JOBS, /* written only when the snapshot has a period (op->period) */
    VP_ARM_LIST_COUNT
} vp_arm_list;

typedef struct {
    vp_arm_op op;
    const char *name;          /* as recorded: "backupstorageconfig" */
    const char *const *types;  /* ARM resource types it returns, NULL-terminated; empty for
                                * subscriptions, which carry no type (told by shape) */
    const char *path;          /* appended to the parent's scope after a '/':
                                * "backupstorageconfig/vaultstorageconfig"; "" for a GET
                                * of the scope itself (VP_ARM_PARENT_RESOURCE) */
    vp_arm_api api;
    vp_arm_parent parent;
    int pages;                 /* 1: a list ARM may page with nextLink; 0: one resource */
    vp_arm_kind kind;
    vp_arm_list list;          /* the per-vault status it sets, or VP_ARM_LIST_NONE */
    /* 1: a read of the collecting principal's own access (its role assignments and the
     * role definitions they name), not of the estate. Such calls are judged like any
     * other when recorded, but completeness never expects them: a recording made before
     * they existed stays complete, and its snapshot says the access was "not recorded"
     * (docs/snapshot-format.md, collection.access). */
    int access;
    /* A query parameter the live call adds after api-version, or NULL. "{object_id}"
     * stands for the collecting principal's object id (the token's oid claim); without
     * a known object id the call is not made. */
    const char *query;
    /* 1: period evidence. The call is made (live) and expected (completeness) only when
     * the collection has a period, and a snapshot without one writes no per-vault status
     * for it: recordings and runs without a period stay complete and byte-identical.
     * "{period_filter}" in query stands for vp_arm_job_filter over the period,
     * URL-encoded; "{event_filter}" for vp_arm_event_filter over the period and
     * provider, URL-encoded. */
    int period;
    /* How many pages live follows before it gives up on the list: 0, the collector's
     * setting (vp_live_options.max_pages, default 1000); VP_ARM_PAGES_UNLIMITED, every
     * page (loop detection still applies). See vp_arm_page_cap. */
    int page_limit;
    /* NULL: a GET. "POST": the call posts body, "{vault_id}" in it standing for the vault
     * the call is made for (BackupCrrJobs_List takes {"resourceId": <vault id>}). */
    const char *method, *body;
    /* 1: made (live) and expected (completeness) only for vaults whose own
     * redundancySettings.crossRegionRestore is Enabled (the vault list's, not the storage
     * config's: live decides from the vault list before any storage config is read), and
     * sent to the vault location's paired region (vp_arm_paired_region): parent_scope of
     * its URL is that location's scope, while it is recorded under the vault. */
    int crr_only;
    /* The resource provider an Activity Log call filters on ("Microsoft.RecoveryServices"),
     * or NULL for the other operations. */
    const char *provider;
} vp_arm_operation;

/* page_limit of a list that must never be cut: a period's job list is as long as the
 * period and the vault make it (vp_arm_page_cap). */
#define VP_ARM_PAGES_UNLIMITED (-1)

/* The row of op. op must be below VP_ARM_OP_COUNT (anything else is a bug: NULL). */
const vp_arm_operation *vp_arm_get(vp_arm_op op);

/* The row recorded as name (exact, case-sensitive, as sidecars spell it), or NULL. */
const vp_arm_operation *vp_arm_find(const char *name);

/* The row returning resources of ARM type (compared ignoring case, as ARM does), or
 * NULL for a type vaultproof does not read. Subscriptions are not found by type. */
const vp_arm_operation *vp_arm_find_type(const char *type);

/* The per-vault row that sets list, or NULL for VP_ARM_LIST_NONE / out of range. */
const vp_arm_operation *vp_arm_for_list(vp_arm_list list);

/* Whether ARM refusing op with http_status is itself the evidence rather than a failed
 * collection: a GET of a resource another resource names (VP_ARM_PARENT_RESOURCE: the
 * resource guard a vault's proxy names) answered 401, 403 or 404. Microsoft recommends
 * keeping a guard in another subscription or tenant, where the collecting principal
 * often cannot read it; the call is recorded and listed as incomplete with its status,
 * the finding that rests on it says so, but the collection is not failed for it.
 * Likewise an access read (op->access) answered 401 or 403: a principal allowed to
 * read vaults but not its own role assignments is what the snapshot then records. */
int vp_arm_refusal_is_evidence(const vp_arm_operation *op, int http_status);

/* The page cap live applies to op: configured (the collector's max_pages; <= 0 means its
 * default of 1000) for an operation without its own limit, 0 (no cap) for one marked
 * VP_ARM_PAGES_UNLIMITED. A period's job list may not be cut by a cap meant to stop a
 * runaway list: 1000 pages of 200 jobs is one vault of 2,200 nightly items over a quarter,
 * and a cut list is an incomplete period, not a shorter one (docs/period-evidence.md). */
int vp_arm_page_cap(const vp_arm_operation *op, int configured);

/* Whether a job of status (BackupJobs_List's properties.status) gets a job-details GET:
 * Failed and CompletedWithWarnings, whose details carry the error codes and
 * recommendations (errorDetails). Live asks for exactly these, completeness expects
 * exactly these: one list in one place. */
int vp_arm_job_needs_details(const char *status);

/* The secondary region of an Azure location (ARM form: lowercase, no spaces), the one
 * geo-redundant vault storage and cross-region restore use: Microsoft's list of region
 * pairs (MicrosoftDocs azure-docs, articles/reliability/cross-region-replication-azure.md;
 * one-way pairs as listed there: westus3 -> eastus, westindia -> southindia, brazilsouth
 * -> southcentralus). NULL for a nonpaired region (polandcentral, spaincentral, ...) or
 * one not in the list. */
const char *vp_arm_paired_region(const char *location);

/* The pinned default api-version of a family ("2026-08-01"); NULL out of range. */
const char *vp_arm_api_default(vp_arm_api api);

/* Writes every operation name, in table order, separated by sep, into out (always
 * NUL-terminated when size > 0). Returns the length the full text needs, like
 * snprintf: a result >= size means it was cut. */
size_t vp_arm_names(char *out, size_t size, const char *sep);

/* Writes the ARM path of op under parent_scope into out: parent_scope + "/" + path,
 * where parent_scope is "" for the tenant, "/subscriptions/{id}", a vault id or a
 * location scope (no trailing '/'); for an empty path (a GET of the resource at
 * parent_scope) the scope itself. Returns the length needed, like snprintf (>= size:
 * cut). */
size_t vp_arm_path(const vp_arm_operation *op, const char *parent_scope, char *out, size_t size);

/* Azure Backup's job list filter takes its dates as "yyyy-MM-dd hh:mm:ss AM/PM" strings
 * (a 12-hour clock, UTC), not RFC 3339: 2026-07-01T00:00:00Z is "2026-07-01 12:00:00 AM"
 * and noon "2026-07-01 12:00:00 PM" (azure-cli's get_filter_string, '%Y-%m-%d %I:%M:%S
 * %p'; tests/data/azure/SOURCES.md). Writes that form of epoch into buf (at least 23
 * bytes; shorter or a time gmtime cannot represent: "" ) and returns buf. */
char *vp_arm_job_filter_time(long long epoch, char *buf, size_t size);

/* Writes the $filter value of a job list over [from, to) into out:
 * "startTime eq '<from>' and endTime eq '<to>'" (unescaped: the caller URL-encodes it).
 * Returns the length needed, like snprintf (>= size: cut). */
size_t vp_arm_job_filter(long long from, long long to, char *out, size_t size);

/* The Activity Log's $filter over [from, to) for one resource provider (Microsoft's
 * Activity Logs - List, api-version 2015-04-01; GetActivityLogsFiltered.json):
 * "eventTimestamp ge '<from>' and eventTimestamp le '<to>' and resourceProvider eq
 * '<provider>'", both bounds RFC 3339 UTC ("2026-07-01T00:00:00Z"). The service's `le`
 * includes an event stamped exactly at the period's end; the normalizer keeps the period
 * half-open. Unescaped: the caller URL-encodes it. Returns the length needed, like
 * snprintf (>= size: cut). */
size_t vp_arm_event_filter(long long from, long long to, const char *provider, char *out, size_t size);

#endif
