/*
 * vaultproof/snapshot.h - the normalized, point-in-time model of an Azure Backup estate.
 *
 * The snapshot is the data contract between collection and evaluation; it is written
 * as canonical JSON (docs/snapshot-format.md). It is read-only once built: every
 * string belongs to the snapshot and lives until vp_snapshot_free(). Entity arrays are
 * sorted by id compared case-insensitively (ARM ids differ in case between providers).
 *
 * Evidence rules the model encodes:
 *  - a vp_text/vp_num/vp_flag whose presence is not VP_PRESENT was not reported by the
 *    API (absent or null): it is never the same as "Disabled" or 0;
 *  - a value outside the documented enum is kept verbatim with `unknown` set;
 *  - every entity records its source (raw file + JSON pointer); a field read from a
 *    different document than its entity records that in `origin`.
 */
#ifndef VAULTPROOF_SNAPSHOT_H
#define VAULTPROOF_SNAPSHOT_H

#include <stddef.h>
#include <stdio.h>

#include "vaultproof/arm.h"
#include "vaultproof/error.h"
#include "vaultproof/period.h"
#include "vaultproof/presence.h"
#include "vaultproof/worm.h"

#define VP_SNAPSHOT_FORMAT "vaultproof-snapshot/2"
/* Still read (baselines written before format 2); the members format 2 added read as
 * not reported. Written back, such a snapshot is format 2. */
#define VP_SNAPSHOT_FORMAT_1 "vaultproof-snapshot/1"

typedef struct {
    const char *file;    /* path relative to the replay directory, e.g. "subscriptions/x/vaults.json" */
    const char *pointer; /* RFC 6901 pointer of the resource in that file, e.g. "/value/3" */
} vp_source;

typedef enum { VP_ORIGIN_SELF = 0, VP_ORIGIN_VAULTCONFIG, VP_ORIGIN_STORAGECONFIG } vp_origin;

typedef struct {
    const char *value;      /* NULL unless presence == VP_PRESENT */
    unsigned char presence; /* vp_presence */
    unsigned char unknown;  /* value not in the documented enum */
    unsigned char origin;   /* vp_origin */
} vp_text;

typedef struct {
    long long value;
    unsigned char presence;
    unsigned char origin;
} vp_num;

typedef struct {
    int value;
    unsigned char presence;
} vp_flag;

typedef struct {
    const char *key, *value;
} vp_tag;

typedef struct {
    vp_tag *items;
    size_t count;
    unsigned char presence; /* tags absent / null / present (possibly empty) */
} vp_tags;

/* Outcome of one expected list call (docs/replay-format.md, "Completeness"). */
typedef enum {
    VP_LIST_MISSING = 0,
    VP_LIST_UNVERIFIED,
    VP_LIST_INCOMPLETE,
    VP_LIST_COMPLETE
} vp_list_status;
const char *vp_list_status_name(vp_list_status s);

typedef struct {
    const char *operation; /* "vaults", "backupProtectedItems", ... */
    const char *scope;     /* ARM id the call lists under */
    vp_list_status status;
    int pages;             /* bodies seen for this call */
    const char *detail;    /* why it is not complete, or NULL */
} vp_list_call;

typedef struct {
    const char *id, *subscription_id, *display_name, *state, *tenant_id;
    int listed;            /* 1 when seen in a subscriptions list, 0 when only referenced */
    vp_source source;
} vp_subscription;

typedef struct {
    const char *id, *resource_guard_id, *last_updated;
    int operation_count;
    vp_source source;
} vp_guard_proxy;

typedef struct {
    const char *id, *name, *resource_group, *subscription_id, *location;
    vp_source source;
    vp_tags tags;
    const char *api_version;      /* api-version the vault was read at (its capture sidecar's URL);
                                     NULL when unknown (offline export). What an absent member
                                     means depends on it: docs/snapshot-format.md */
    unsigned char security_settings;     /* vp_presence of properties.securitySettings */
    unsigned char immutability_settings; /* vp_presence of securitySettings.immutabilitySettings:
                                            absent = never configured on current api-versions */
    vp_text immutability;         /* Disabled | Unlocked | Locked */
    vp_text immutability_type;    /* immutabilitySettings.configuration.type: AsPerPolicy | TimeBased */
    vp_num immutability_days;     /* immutabilitySettings.configuration.durationInDays (TimeBased) */
    vp_text source_scan;          /* securitySettings.sourceScanConfiguration.state: Enabled | Disabled | Invalid */
    vp_text soft_delete;          /* AlwaysON | Enabled | Disabled | Invalid */
    vp_num soft_delete_days;
    vp_text enhanced_security;    /* AlwaysON | Enabled | Disabled | Invalid */
    vp_text mua;                  /* multiUserAuthorization: Enabled | Disabled | Invalid */
    vp_text storage_redundancy;   /* LocallyRedundant | GeoRedundant | ZoneRedundant | ... */
    vp_text cross_region_restore; /* Enabled | Disabled */
    vp_text secure_score, bcdr_security_level, sku, provisioning_state, public_network_access;
    vp_source vaultconfig_source, storageconfig_source; /* file NULL when not found */
    vp_guard_proxy *guards;
    size_t guard_count;
    vp_list_status lists[VP_ARM_LIST_COUNT]; /* per-vault calls' completeness, by vaultproof/arm.h */
    size_t policy_count, item_count, engine_count;
} vp_vault;

/* A Resource Guard (Microsoft.DataProtection/resourceGuards) named by a vault's proxy.
 * One entity per distinct guard id referenced by a proxy of a vault in the snapshot,
 * whether or not it could be read. */
typedef struct {
    const char *id;               /* ARM id as the proxy names it (normalized) */
    const char *name, *resource_group, *subscription_id;
    const char *status;           /* "read": the GET answered 200;
                                     "unreadable": the GET failed (detail: HTTP status and code);
                                     "out-of-scope": its subscription is outside the collection's
                                     --subscription scope, so it was not asked for;
                                     "missing": in scope, but no response was found */
    const char *detail;           /* why it is not "read"; NULL when read */
    vp_text location, provisioning_state;
    const char **operations;      /* resourceGuardOperations[].vaultCriticalOperation, as listed */
    size_t operation_count;
    const char **exclusions;      /* vaultCriticalOperationExclusionList[] verbatim (absent: 0) */
    size_t exclusion_count;
    unsigned char exclusions_presence; /* vp_presence of vaultCriticalOperationExclusionList */
    vp_flag allow_auto_approvals;
    vp_source source;             /* file NULL when not read */
} vp_resource_guard;

/* A DPM server or Azure Backup Server registered to a vault (backupEngines). */
typedef struct {
    const char *id, *name, *vault_id, *subscription_id;
    vp_source source;
    int vault_listed;
    vp_text friendly_name;
    vp_text management_type;      /* backupManagementType: DPM | AzureBackupServer | ... */
    vp_text engine_type;          /* backupEngineType: DpmBackupEngine | AzureBackupServerEngine */
    vp_text registration_status, engine_state, health_status;
    vp_text dpm_version, agent_version; /* dpmVersion, azureBackupAgentVersion */
    vp_num protected_items_count, protected_servers_count; /* extendedInfo */
    vp_text refreshed_at;         /* extendedInfo.refreshedAt: when the engine last reported (RFC 3339) */
} vp_backup_engine;

/* A soft-deleted vault (locations/{location}/deletedVaults). */
typedef struct {
    const char *id, *name, *subscription_id;
    const char *location;         /* ARM form, from the id's locations segment */
    vp_source source;
    vp_text vault_id;             /* properties.vaultId (normalized): the vault it was */
    vp_text deletion_time, purge_at; /* vaultDeletionTime, purgeAt (RFC 3339) */
} vp_deleted_vault;

/* What a change's request set (the Activity Log event's properties.requestbody, a JSON
 * string), reduced to what change.authorized reads; each member absent when the request
 * did not carry it (docs/snapshot-format.md, "changes"). */
typedef struct {
    vp_text immutability;    /* securitySettings.immutabilitySettings.state (vault write) */
    vp_text soft_delete;     /* softDeleteFeatureState (backupconfig) or securitySettings.softDeleteSettings
                              * .softDeleteState / .state (Recovery Services / Backup vault) - verbatim */
    vp_num soft_delete_days; /* softDeleteRetentionPeriodInDays / retentionDurationInDays */
    vp_text policy_id;       /* policyId (protected item write) */
    vp_num retention_days;   /* a policy write's long-term retention, computed as vp_policy.long_term_days */
} vp_change_request;

/* One terminal Activity Log event (Succeeded, Failed, Canceled) of a write, delete or
 * action on a backup resource in the period: the top-level "changes" array, written
 * only when the snapshot has a period. */
typedef struct {
    const char *id;             /* the event's id (".../events/{eventDataId}/ticks/{ticks}"), the sort key */
    const char *time;           /* eventTimestamp, verbatim */
    const char *operation;      /* operationName.value */
    const char *status, *sub_status; /* status.value, subStatus.value (NULL when absent) */
    const char *caller, *correlation_id;
    const char *resource_id;    /* resourceId, else authorization.scope */
    const char *vault_id;       /* the vault the resource belongs to (Recovery Services or Backup vault), or NULL */
    const char *error_code, *error_message; /* properties.statusMessage's error (a JSON string), NULL when none */
    long long begun;            /* Started / Accepted events of the same correlation id: counted, not kept */
    vp_change_request request;
    vp_source source;
} vp_change;

typedef struct {
    const char *sub_policy; /* Full, Differential, Log, Incremental, ... or NULL */
    const char *tier;       /* daily, weekly, monthly, yearly, simple, instant, snapshot */
    long long count;
    const char *unit;       /* verbatim durationType: Days, Weeks, Months, Years, ... */
    long long days;         /* normalized (vp_retention_days), -1 when the unit is unknown */
    const char *pointer;    /* JSON pointer relative to the policy resource */
} vp_retention_tier;

typedef struct {
    const char *id, *name, *vault_id, *subscription_id;
    vp_source source;
    int vault_listed;
    vp_text management_type;  /* backupManagementType */
    vp_text workload_type;    /* workLoadType (workloads, file shares) */
    vp_text policy_type;      /* IaaS V1 / V2 */
    vp_text schedule_frequency;
    vp_text time_zone;
    vp_num protected_items_count;
    vp_retention_tier *tiers;
    size_t tier_count;
    long long long_term_days; /* max normalized days of the primary tiers; -1 unknown */
    long long log_days;       /* workload Log sub-policy retention; -1 none */
    int unknown_retention;    /* a retention shape or unit was not understood */
} vp_policy;

typedef struct {
    const char *id, *name, *vault_id, *subscription_id;
    vp_source source;
    int vault_listed;
    const char *kind;         /* azure_vm, sql_in_vm, sap_hana_in_vm, sap_ase_in_vm, azure_backup_server,
                                 dpm, mars, azure_file_share, azure_sql, generic, unknown */
    vp_text item_type;        /* protectedItemType */
    vp_text management_type;  /* backupManagementType */
    vp_text workload_type;
    vp_text friendly_name, server, container, source_resource_id, vm_id;
    vp_text policy_id, policy_name;
    const char *policy_link;  /* "resolved", "missing", "none" */
    vp_text protection_state, protection_status, health_status, last_backup_status;
    vp_text last_backup_time, last_recovery_point, oldest_recovery_point;
    vp_num recovery_point_count;
    vp_flag deferred_delete;
    vp_text deferred_delete_time;
    vp_flag archive_enabled;
    vp_text policy_state;     /* extendedInfo.policyState / policyInconsistent */
} vp_item;

typedef struct {
    const char *id, *name, *resource_group, *subscription_id, *location, *type;
    vp_source source;
    vp_tags tags;
    vp_text vm_uuid, size, os_type;
    vp_text time_created;      /* properties.timeCreated: hyper-care starts here */
    const char **protected_by; /* ids of protected items whose source resource is this VM */
    size_t protected_count;
} vp_vm;

typedef struct {
    const char *location, *display_name;
    const char *worm;          /* "ga" or "pending-automatic-transition" */
    const char **sources;      /* ids of vp_worm_source listing this region as GA */
    size_t source_count;
    size_t vault_count;
} vp_region;

typedef struct {
    const char *code;    /* e.g. "unknown-enum", "ignored-resource", "duplicate-resource" */
    const char *file, *pointer, *message;
} vp_warning;

typedef struct {
    const char *path, *sha256, *role; /* role: "body", "sidecar" */
    long long bytes;
} vp_input_file;

/* What the collecting principal could see and read (collection.access): population
 * completeness an auditor can test (PCAOB AS 1105 on information produced by the
 * entity). Recorded since this member exists; a snapshot written before it reads with
 * recorded == 0 ("not recorded"), never as "saw nothing". */

/* One subscription of the reconciliation of the scope with the subscriptions list. */
typedef struct {
    const char *subscription_id, *display_name, *state; /* names: from the list; NULL when not listed */
    const char *status;   /* "in-scope": in scope and returned by the list;
                             "not-visible": in scope (configured, or holding resources of the
                             snapshot) but not returned: the principal could not see it;
                             "out-of-scope": returned by the list, outside the configured scope */
    vp_source source;     /* its entry in the subscriptions list; file NULL when not listed */
} vp_access_subscription;

/* One role assignment of the collecting principal, as the roleAssignments list returned it. */
typedef struct {
    const char *id;                 /* the assignment's ARM id */
    const char *scope;              /* properties.scope: where it applies */
    const char *role_definition_id; /* properties.roleDefinitionId */
    const char *role_name;          /* the definition's roleName; NULL when it was not read */
    const char *principal_type;     /* properties.principalType (ServicePrincipal, Group, ...); NULL absent */
    int covers_subscription;        /* 1: scope is the subscription or above it (a management group,
                                       the root); 0: a resource group or resource inside it */
    int reads_vaults;               /* the role's actions allow Microsoft.RecoveryServices/vaults/read;
                                       -1: not known (its definition was not read) */
    int writes;                     /* the role's actions allow a write or delete (Owner, Contributor,
                                       Backup Contributor, ...); -1: not known */
    vp_source source;
} vp_role_assignment;

/* The principal's role assignments at one in-scope subscription. */
typedef struct {
    const char *subscription_id;
    const char *status;  /* "read": every page answered 200; "refused": ARM answered 401/403;
                            "incomplete": another failure or a list cut short;
                            "not-recorded": the recording has no such call (older recordings,
                            or an object id the collector did not know) */
    const char *detail;  /* why it is not "read"; NULL when read */
    vp_role_assignment *assignments;
    size_t assignment_count;
} vp_access_scope;

typedef struct {
    int recorded;                /* 0: written before collection.access existed: nothing below is known */
    /* the collector identity, from the recording's sidecars (NULL: not recorded) */
    const char *client_id;       /* appid / azp claim, or the configured client id */
    const char *object_id;       /* oid claim: the principal role assignments name */
    const char *tenant_id;       /* tid claim */
    const char *credential;      /* which credential: "secret", "certificate", "managed-identity", ... */
    const char *display_name;    /* name / app_displayname claim when the token carries one */
    int subscriptions_listed;    /* the subscriptions list was recorded: the reconciliation is evidence */
    vp_access_subscription *subscriptions; /* sorted by subscription id, ignoring case */
    size_t subscription_count;
    vp_access_scope *scopes;     /* one per in-scope subscription, sorted by subscription id */
    size_t scope_count;
} vp_access;

/* What the principal's role assignments say about one subscription. */
typedef enum {
    VP_ACCESS_NOT_RECORDED,  /* no role assignments recorded for it */
    VP_ACCESS_UNKNOWN,       /* refused, incomplete, or a role whose definition was not read */
    VP_ACCESS_NO_READ,       /* read: no role at the subscription or above allows reading vaults */
    VP_ACCESS_READS,         /* a role at the subscription or above reads vaults, none writes */
    VP_ACCESS_READS_WRITES   /* reads vaults, and a role held can write (least privilege) */
} vp_access_verdict;

/* The verdict for sc (NULL: not recorded): the one judgement the evaluator and both
 * renderers use. */
vp_access_verdict vp_access_judge(const vp_access_scope *sc);
const char *vp_access_verdict_name(vp_access_verdict v); /* "reads", "no-read", ... */

/* The access scope of subscription sub (ignoring case), or NULL. */
const vp_access_scope *vp_access_find_scope(const vp_access *a, const char *sub);

/* collection.jobs.vaults[] (with a period only): per vault, what its backupJobs list
 * returned - the fact that tells whether Azure still held the start of the period. */
typedef struct {
    const char *vault_id;
    long long jobs_read;        /* jobs the list returned, in the period or not */
    const char *earliest_start; /* the earliest startTime among them, verbatim; NULL: none */
} vp_job_vault;

typedef struct {
    const char *tool_version, *tool_commit;
    const char *source_kind;        /* "replay" (offline) or "live" */
    const char *input;              /* the replay directory as given */
    const char *generated_at;       /* the run's clock, RFC 3339 */
    int clock_pinned;
    /* collection.period: the window the period evidence covers; has_period 0 when the
     * run was given none (the member is then absent, as in every older snapshot) */
    int has_period;
    vp_period period;
    /* collection.jobs, with a period only: backup jobs read that start in the period
     * (the jobs stream's lines) and those the service returned outside it */
    long long job_count, jobs_outside_period;
    long long jobs_duplicates; /* repeats of a job (id, start, operation) within one vault's list, dropped */
    char jobs_file[256];   /* the jobs stream as the run named it ("" when not written) */
    char jobs_sha256[65];  /* its SHA-256, lowercase hex ("" when not written) */
    vp_job_vault *job_vaults; /* every in-scope vault, sorted by vault id ignoring case */
    size_t job_vault_count;
    /* collection.jobs.imported (collect --import-jobs): the Log Analytics export as named,
     * its SHA-256, its rows and the job lines taken from it ("" / 0: none) */
    char jobs_import_file[256];
    char jobs_import_sha256[65];
    long long jobs_import_rows, jobs_imported;
    const char *captured_from, *captured_to; /* from sidecars; NULL when unknown */
    const char **endpoints;         /* scheme://host seen in sidecar URLs, sorted */
    size_t endpoint_count;
    const char **api_versions;      /* "provider=version" pairs seen, sorted */
    size_t api_version_count;
    const char *principal;          /* client id of the identity used; NULL offline */
    long long request_count, retry_count;
    int verified;                   /* sidecars present: completeness checked */
    int complete;                   /* every expected list call complete */
    vp_list_call *lists;
    size_t list_count;
    vp_input_file *files;
    size_t file_count;
    vp_warning *warnings;
    size_t warning_count;
    long long ignored_resources;
    const char *worm_catalog_version, *worm_catalog_sha256, *worm_catalog_origin;
    vp_access access;               /* what the collecting principal could see and read */
} vp_collection;

typedef struct vp_snapshot {
    vp_collection collection;
    vp_worm_source *worm_sources;
    size_t worm_source_count;
    vp_subscription *subscriptions;
    size_t subscription_count;
    vp_region *regions;
    size_t region_count;
    vp_vault *vaults;
    size_t vault_count;
    vp_policy *policies;
    size_t policy_count;
    vp_item *items;
    size_t item_count;
    vp_vm *vms;
    size_t vm_count;
    vp_resource_guard *resource_guards;
    size_t resource_guard_count;
    vp_backup_engine *engines;
    size_t engine_count;
    vp_deleted_vault *deleted_vaults;
    size_t deleted_vault_count;
    vp_change *changes;        /* only with a period (collection.has_period), sorted by id */
    size_t change_count;
    /* Non-NULL after vp_snapshot_read_json_lazy: the file whose protected items and VMs
     * were counted (item_count, vm_count) but not loaded (items and vms are NULL); read
     * them with vp_snapshot_each_item / vp_snapshot_each_vm. */
    const char *lazy_source;
    void *internal; /* storage owner; do not touch */
} vp_snapshot;

/* Releases the snapshot and every string in it. NULL is allowed. */
void vp_snapshot_free(vp_snapshot *snap);

/* Writes the snapshot as canonical JSON (docs/snapshot-format.md) to fp; label names the
 * destination in messages. Errors: VP_ERR_IO. */
vp_status vp_snapshot_write_json(const vp_snapshot *snap, FILE *fp, const char *label, vp_error *err);

/* Reads a snapshot written by vp_snapshot_write_json (any valid JSON layout of the
 * format; the canonical one-entity-per-line layout is read line by line, so memory
 * follows the model, not the file). Writing the result again gives the same bytes.
 * Errors: VP_ERR_INPUT naming the file, line and JSON pointer and what was expected;
 * VP_ERR_IO. *out is owned by the caller (vp_snapshot_free). */
vp_status vp_snapshot_read_json(const char *path, vp_snapshot **out, vp_error *err);

/* As vp_snapshot_read_json, but the two big populations - protected items and VMs -
 * are only counted, not kept, when the file is in the canonical layout (any other layout
 * is read whole, and lazy_source stays NULL). For consumers that go through them once,
 * in order, with vp_snapshot_each_*: the workbook at 100k items needs about a third of
 * the memory. Such a snapshot cannot be written back, evaluated or rendered as a PDF
 * (those refuse it with VP_ERR_INTERNAL). Errors: as vp_snapshot_read_json. */
vp_status vp_snapshot_read_json_lazy(const char *path, vp_snapshot **out, vp_error *err);

/* Called once per entity, in the snapshot's order; the entity (and its strings) is
 * borrowed for the call only. A non-VP_OK return stops the walk and is returned (fill
 * err to explain it). */
typedef vp_status (*vp_item_fn)(void *ctx, const vp_item *item, vp_error *err);
typedef vp_status (*vp_vm_fn)(void *ctx, const vp_vm *vm, vp_error *err);

/* Every protected item / VM of snap, in order: from memory, or - for a lazy snapshot -
 * read again from lazy_source one batch at a time, with the checks of a full read
 * (strict JSON, every member, the writer's order, no id twice, the counts). A file that
 * changed since it was read is refused. Errors: VP_ERR_INPUT (the file, line and
 * pointer), VP_ERR_IO, VP_ERR_NOMEM, or what fn returned. */
vp_status vp_snapshot_each_item(const vp_snapshot *snap, vp_item_fn fn, void *ctx, vp_error *err);
vp_status vp_snapshot_each_vm(const vp_snapshot *snap, vp_vm_fn fn, void *ctx, vp_error *err);

/* Recovery Services api-versions from this one on omit immutabilitySettings when
 * immutability was never configured (docs/snapshot-format.md, "What an absent member
 * means, per api-version"). */
#define VP_IMMUTABILITY_ABSENT_MEANS_NEVER "2026-07-01"

/* 1 when the API said, by omission, that the vault's immutability was never configured:
 * no state and no immutabilitySettings, while securitySettings was reported or the vault
 * was read at VP_IMMUTABILITY_ABSENT_MEANS_NEVER or later. 0 otherwise (reported, or
 * simply not reported - an older api-version, or a format 1 snapshot). The one test the
 * evaluator, the renderers and the command line use. */
int vp_vault_immutability_never_configured(const vp_vault *v);

/* Where a resource guard lives relative to a vault whose proxy names it. Microsoft ranks
 * another subscription, and above it another tenant, as stronger isolation. */
typedef enum {
    VP_GUARD_ISOLATION_UNKNOWN,        /* the guard's or the vault's subscription is not known */
    VP_GUARD_ISOLATION_SAME_SUBSCRIPTION,
    VP_GUARD_ISOLATION_OTHER_SUBSCRIPTION_TENANT_UNKNOWN, /* a tenant id is not in the snapshot */
    VP_GUARD_ISOLATION_OTHER_SUBSCRIPTION,                /* same tenant */
    VP_GUARD_ISOLATION_OTHER_TENANT
} vp_guard_isolation;

/* The isolation of the guard guard_id (its entity's subscription_id when guard is given,
 * else the id's /subscriptions/ segment) from vault v, judged from the subscriptions'
 * tenant ids in snap. *guard_tenant and *vault_tenant (either may be NULL) receive the
 * tenant ids when known, else NULL; they are the snapshot's strings. */
vp_guard_isolation vp_snapshot_guard_isolation(const vp_snapshot *snap, const vp_vault *v,
                                               const vp_resource_guard *guard, const char *guard_id,
                                               const char **guard_tenant, const char **vault_tenant);

/* Lookups by ARM id, compared case-insensitively; NULL when not present. */
const vp_vault *vp_snapshot_find_vault(const vp_snapshot *snap, const char *id);
const vp_item *vp_snapshot_find_item(const vp_snapshot *snap, const char *id);
const vp_policy *vp_snapshot_find_policy(const vp_snapshot *snap, const char *id);
const vp_vm *vp_snapshot_find_vm(const vp_snapshot *snap, const char *id);
/* The subscription entity of subscription id sub (no /subscriptions/ prefix). */
const vp_subscription *vp_snapshot_find_subscription(const vp_snapshot *snap, const char *sub);
const vp_resource_guard *vp_snapshot_find_resource_guard(const vp_snapshot *snap, const char *id);
const vp_backup_engine *vp_snapshot_find_engine(const vp_snapshot *snap, const char *id);
/* The soft-deleted vault whose properties.vaultId is vault_id (not its own id), or NULL. */
const vp_deleted_vault *vp_snapshot_find_deleted_vault(const vp_snapshot *snap, const char *vault_id);
/* The region of a location ("West Europe" and "westeurope" are the same region, see
 * vp_location_normalize); NULL for a NULL location or one not in the snapshot. */
const vp_region *vp_snapshot_find_region(const vp_snapshot *snap, const char *location);

#endif
