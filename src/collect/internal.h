/* Internal to the collector: the normalizer's working state, shared by its files. */
#ifndef VP_COLLECT_INTERNAL_H
#define VP_COLLECT_INTERNAL_H

#include <stddef.h>
#include <stdlib.h>

#include "core/arena.h"
#include "core/vec.h"
#include "vaultproof/arm.h"
#include "vaultproof/collect.h"
#include "vaultproof/json.h"
#include "vaultproof/jsonw.h"

typedef struct {
    const char *vault_id;
    vp_source source;
    vp_text soft_delete, enhanced_security;
    vp_num soft_delete_days;
} vp_pending_vaultconfig;

typedef struct {
    const char *vault_id;
    vp_source source;
    vp_text storage_type, cross_region_restore;
} vp_pending_storageconfig;

typedef struct {
    const char *vault_id;
    vp_guard_proxy proxy;
} vp_pending_guard;

/* What one vault's job list returned (norm_job.c), until finish makes a vp_job_vault. */
typedef struct {
    const char *vault_id;       /* interned, as the job ids spell it */
    long long read, earliest;   /* jobs returned; the earliest start (epoch s) */
    const char *earliest_text;  /* that start verbatim (arena), NULL before the first */
} vp_pending_job_vault;

/* The jobs of the list being read, by 128-bit key (norm_job.c, repeats). */
typedef struct {
    unsigned long long *keys; /* 2 per slot; a slot of two zeros is free */
    size_t cap, count;
    const char *vault_id;     /* interned: the list the set holds */
    const vp_arm_operation *op;
} vp_job_keys;

/* One recorded response (sidecar), reduced to what completeness needs. */
typedef struct {
    const char *operation, *scope, *scope_key, *file, *error;
    const char *requested_at, *received_at, *url;
    int page, status, complete, has_next;
    long long retries;
    /* the collector identity a live recording's sidecar names (optional keys "principal",
     * "credential", "principal_object_id", "principal_tenant_id", "principal_name"); NULL
     * when absent */
    const char *principal, *credential, *object_id, *tenant_id, *principal_name;
} vp_capture;

/* A role assignment of the collecting principal, until finish sorts it into its scope. */
typedef struct {
    const char *subscription_id; /* of the list call that returned it */
    vp_role_assignment ra;       /* role_name, reads_vaults, writes filled at finish */
} vp_pending_role_assignment;

/* A role definition read by GET, reduced to what the access judgement needs. */
typedef struct {
    const char *id, *role_name;
    int reads_vaults, writes;
    vp_source source;
} vp_pending_role_definition;

/* A list call evidenced only by resources found in an offline export. */
typedef struct {
    const char *operation, *scope, *scope_key, *file;
    int dangling_next; /* the body had a nextLink nobody answered */
} vp_seen_call;

/* Interned strings: one copy of each distinct value (states, types, vault and policy
 * ids repeat across 100k items). Open addressing, FNV-1a. */
typedef struct {
    const char **slots;
    size_t *hashes;
    size_t cap, count;
} vp_intern_table;

/* A Started event's request (norm_event.c), joined to its terminal event by correlation id */
typedef struct {
    const char *correlation_id; /* interned */
    vp_change_request request;
} vpo_begun_request;

struct vp_normalizer {
    vp_collect_options opt;
    vp_intern_table strings;
    vp_arena arena; /* handed to the snapshot at finish */
    VP_VEC(vp_subscription) subs;
    VP_VEC(vp_vault) vaults;
    VP_VEC(vp_policy) policies;
    VP_VEC(vp_item) items;
    VP_VEC(vp_vm) vms;
    VP_VEC(vp_pending_vaultconfig) vaultconfigs;
    VP_VEC(vp_pending_storageconfig) storageconfigs;
    VP_VEC(vp_pending_guard) guards;
    VP_VEC(vp_resource_guard) resource_guards; /* read by GET; finish adds the unread ones */
    VP_VEC(vp_backup_engine) engines;
    VP_VEC(vp_deleted_vault) deleted_vaults;
    VP_VEC(vp_warning) warnings;
    VP_VEC(vp_input_file) files;
    VP_VEC(vp_capture) captures;
    VP_VEC(vp_seen_call) seen;
    VP_VEC(vp_pending_role_assignment) role_assignments;
    VP_VEC(vp_pending_role_definition) role_definitions;
    VP_VEC(vp_access_subscription) visible; /* the subscriptions list's entries, before scope */
    VP_VEC(vp_subscription) listed_all;     /* the same entries as entities (a guard's subscription
                                               outside the scope is one of them) */
    long long ignored;
    /* backup jobs (norm_job.c): streamed, never kept; only these stay */
    long long jobs_seen, jobs_clipped;    /* in the period (written when streamed) / outside it */
    VP_VEC(const char *) job_unknown_kinds; /* interned; warned once each */
    vp_jsonw *job_writer;                 /* heap (its 64 KiB buffer), with opt.jobs_out */
    /* ids (arena copies, ARM path form) of the listed jobs vp_arm_job_needs_details names:
     * the job-details GETs completeness expects - per-job memory for failed and warned
     * jobs only (a few per cent of a period's jobs) */
    VP_VEC(const char *) job_detail_ids;
    /* per vault whose backupJobs list was read: jobs returned and the earliest start
     * (collection.jobs.vaults); a vault's jobs are contiguous, so the last one is cached */
    VP_VEC(vp_pending_job_vault) job_vaults;
    size_t job_vault_last;
    /* repeats of one job within one vault's list (norm_job.c): 128-bit keys of (id, start,
     * operation) of the list being read, an open-addressing set emptied when the next
     * vault's (or operation's) list begins - memory bounded by the largest vault's list */
    vp_job_keys job_keys;
    long long jobs_duplicates;
    /* Activity Log events (norm_event.c), only with a period */
    VP_VEC(vp_change) changes;            /* terminal events kept */
    VP_VEC(const char *) begun;           /* correlation ids of Started / Accepted events (interned) */
    /* what a Started event's requestbody set, by its correlation id (interned): the
     * service writes the request on the operation's first event, not on its terminal one */
    VP_VEC(vpo_begun_request) begun_requests;
    long long events_outside, events_other; /* outside the period / not a backup resource change */
};

/* Context for normalizing one resource object. */
typedef struct {
    vp_normalizer *n;
    vp_jreader *r;
    const char *file;    /* arena copy */
    const char *pointer; /* of the resource, e.g. "/value/3" */
    const cJSON *res;
    const vp_capture *cap;   /* the body's capture sidecar, or NULL (offline export) */
    const char *api_version; /* api-version of cap's URL (interned), or NULL */
    /* the call the resource answered: its type's row, refined for backup jobs (a list
     * page, a job's details) by vpo_job_operation */
    const vp_arm_operation *op;
} vp_res_ctx;


/* One response made ready off the normalizer's thread: hashed and parsed. Only the
 * fields of this struct are touched, so several can be prepared concurrently. */
typedef struct {
    const char *path, *body, *sidecar_path, *sidecar; /* inputs, not owned */
    size_t len, sidecar_len;
    vp_json_pool *pool; /* optional: parse into this pool instead of the heap */
    char sha256[65], sidecar_sha256[65];
    cJSON *root;        /* NULL when parsing failed; owned unless in a pool */
    vp_status status;   /* of hashing and parsing */
    vp_error error;
} vp_prepared_body;

void vpo_prepare_body(vp_prepared_body *b);
/* Normalizes a prepared body; reports b's parse error (after any sidecar error, as
 * vp_normalizer_add does). Does not free b->root. */
vp_status vpo_normalizer_add_prepared(vp_normalizer *n, const vp_prepared_body *b, vp_error *err);

/* The operation whose resources res is (by its type, else by its shape), or NULL for
 * a resource vaultproof does not read. */
const vp_arm_operation *vpo_classify(const cJSON *res, const char *type);

/* The normalizers, one per vp_arm_kind: each reads one resource into the working state. */
typedef vp_status (*col_normalize_fn)(vp_res_ctx *c);
/* The normalizer of kind (normalizer.c), NULL out of range: for tests that every kind has one. */
col_normalize_fn vpo_normalizer_for(vp_arm_kind kind);
vp_status vpo_norm_subscription(vp_res_ctx *c);
vp_status vpo_norm_vault(vp_res_ctx *c);
vp_status vpo_norm_vaultconfig(vp_res_ctx *c);
vp_status vpo_norm_storageconfig(vp_res_ctx *c);
vp_status vpo_norm_guard(vp_res_ctx *c);
vp_status vpo_norm_vm(vp_res_ctx *c);
vp_status vpo_norm_policy(vp_res_ctx *c);
vp_status vpo_norm_item(vp_res_ctx *c);
vp_status vpo_norm_engine(vp_res_ctx *c);
vp_status vpo_norm_deleted_vault(vp_res_ctx *c);
vp_status vpo_norm_resource_guard(vp_res_ctx *c);
vp_status vpo_norm_role_assignment(vp_res_ctx *c);
vp_status vpo_norm_role_definition(vp_res_ctx *c);
vp_status vpo_norm_job(vp_res_ctx *c); /* norm_job.c */
/* Which job call a resource of backupJobs' type answered (norm_job.c): the sidecar's
 * operation when cap names a job row; without one, a body that is the resource itself
 * (single: not a list) is a job's details, a job whose id names a location rather than a
 * vault (ListCrrJobs_Post.json) a CRR job, anything else a job list page. */
const vp_arm_operation *vpo_job_operation(const vp_capture *cap, const cJSON *res, int single);
/* collection.jobs.vaults (norm_job.c): one entry per in-scope vault, those whose job list
 * returned nothing included, sorted by vault id ignoring case. With a period only. */
vp_status vpo_job_vaults_finish(vp_normalizer *n, vp_collection *col, vp_error *err);
vp_status vpo_norm_event(vp_res_ctx *c); /* norm_event.c */
/* A policy's properties (c->res: a policy resource or a policy write's request body)
 * into p: tiers, frequency, long_term_days (norm_policy.c). */
vp_status vpo_policy_read(vp_res_ctx *c, vp_policy *p);
/* The changes kept so far and the correlation ids of the Started / Accepted events
 * (norm_event.c); vpo_finish_changes counts the latter into the former, sorts and hands
 * them to snap (only with a period). */
vp_status vpo_finish_changes(vp_normalizer *n, vp_snapshot *snap, vp_error *err);

/* collection.access (access.c): the reconciliation of the scope with the subscriptions
 * list and the principal's role assignments per in-scope subscription. Remembers the
 * listed subscriptions before the scope filter (vpo_access_note_visible), then builds
 * the access after completeness was judged (vpo_access_finish). */
void vpo_access_note_visible(vp_normalizer *n);
/* The subscriptions list's entry for sub (ignoring case), scope or not; NULL when the list
 * did not return it. Valid after vpo_access_note_visible. */
const vp_subscription *vpo_listed_subscription(const vp_normalizer *n, const char *sub);
vp_status vpo_access_finish(vp_normalizer *n, vp_snapshot *snap, vp_error *err);

/* After vaults, items and proxies are sorted and linked (finish.c): sorts and links
 * engines and deleted vaults, and makes one vp_resource_guard per guard id the proxies
 * name (status from the resourceGuards list calls), into snap (finish_extras.c). */
vp_status vpo_finish_extras(vp_normalizer *n, vp_snapshot *snap, vp_error *err);

/* Parses a sidecar into a capture. */
vp_status vpo_capture_parse(vp_normalizer *n, const char *path, const char *data, size_t len, vp_capture *out,
                           vp_error *err);

/* Records that an offline body (no sidecar) evidences the call op made under scope (NULL:
 * nothing), once per body and call among the seen-calls from index first_seen on (0: all);
 * file is the body's one arena copy. dangling: the body had a nextLink nobody answered. */
void vpo_push_seen(vp_normalizer *n, const char *op, const char *scope, const char *file, size_t first_seen,
                   int dangling);

vp_status vpo_finish_snapshot(vp_normalizer *n, vp_snapshot *snap, vp_error *err);

/* Shared by finish.c and completeness.c. Entity arrays are sorted by id, ignoring case. */
void *vpo_find_by_id(void *arr, size_t count, size_t elem, size_t id_off, const char *id);
#define FIND(vec, T, k) ((T *)vpo_find_by_id((vec).v, (vec).n, sizeof(T), offsetof(T, id), (k)))
int vpo_subscription_in_scope(const vp_collect_options *o, const char *sub);
/* Whether sub is one the configured scope names (0 when no scope is configured). */
int vpo_subscription_configured(const vp_collect_options *o, const char *sub);
int vpo_vault_in_scope(vp_normalizer *n, const char *vault_id);
/* Judges every list call and records the vaults' completeness (completeness.c). */
vp_status vpo_judge_completeness(vp_normalizer *n, vp_snapshot *snap, vp_error *err);

/* --- helpers shared by the normalizers (normalize_util.c) --- */

/* Records a warning; strings are copied. */
void vpo_warn(vp_normalizer *n, const char *code, const char *file, const char *pointer, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Whether a text value is worth interning: SHARED for enums and references that repeat
 * across resources, UNIQUE for names and times that rarely do. BORROWED points into the
 * body being read: the caller stores a copy (vpo_keep_unique) before the body is freed. */
typedef enum { VP_TEXT_SHARED, VP_TEXT_UNIQUE, VP_TEXT_BORROWED } vp_text_kind;
void vpo_read_text_as(vp_res_ctx *c, const cJSON *obj, const char *base, const char *key,
                     const char *const *allowed, vp_text_kind kind, vp_text *out);

/* Reads a string member into a vp_text (interned). If allowed (NULL-terminated list) is given and
 * the value is not in it (ignoring case), the value is kept, flagged unknown and warned. */
void vpo_read_text(vp_res_ctx *c, const cJSON *obj, const char *base, const char *key,
                  const char *const *allowed, vp_text *out);
/* As vpo_read_text, but the value must be an RFC 3339 time. */
void vpo_read_time(vp_res_ctx *c, const cJSON *obj, const char *base, const char *key, vp_text *out);
void vpo_read_num(vp_res_ctx *c, const cJSON *obj, const char *base, const char *key, long long min,
                 long long max, vp_num *out);
void vpo_read_flag(vp_res_ctx *c, const cJSON *obj, const char *base, const char *key, vp_flag *out);
/* Nested object (absent/null gives NULL). ptr receives base + "/" + key. */
const cJSON *vpo_read_object(vp_res_ctx *c, const cJSON *obj, const char *base, const char *key, char *ptr,
                            size_t ptr_size);
vp_status vpo_read_tags(vp_res_ctx *c, vp_tags *out);
/* Where the resource being read is: its file and pointer. Pointers ("/value/17") repeat
 * in every page of every list, so they are interned. */
vp_source vpo_source_here(const vp_res_ctx *c);
/* The resource's id (required) and name (the last id segment when absent). */
vp_status vpo_read_identity(vp_res_ctx *c, const char **id, const char **name);
/* For resources under a vault: identity plus source, parent vault and subscription. */
vp_status vpo_read_vault_child(vp_res_ctx *c, const char **id, const char **name, vp_source *source,
                              const char **vault_id, const char **subscription_id);

/* A string unique to one resource, kept once: the tail of one of the hosts (strings
 * the model already holds; NULL entries skipped) that ends with s, else an arena copy.
 * An item repeats its own id's tail (name, friendlyName, containerName) and its
 * virtualMachineId is its sourceResourceId: a million items hold about 200 MB less.
 * Safe because the model's strings are never written or freed one by one. NULL when out
 * of memory. */
const char *vpo_keep_unique(vp_normalizer *n, const char *s, const char *const *hosts, size_t nhosts);

/* The one stored copy of s (or of its first len bytes); NULL in, NULL out; NULL when
 * out of memory. */
const char *vpo_intern(vp_normalizer *n, const char *s);
const char *vpo_intern_n(vp_normalizer *n, const char *s, size_t len);

/* ARM id helpers; segment names match case-insensitively. Interned strings or NULL. */
/* The ARM id s names: an id spelled as a URL ("https://management.azure.com/subscriptions/...")
 * loses its scheme and host; anything else is kept as spelled (ids are compared ignoring
 * case, so "/Subscriptions/" needs no rewriting). Every id read or referenced goes through
 * this before linking; the raw spelling stays in the file the entity's source points at. */
const char *vpo_armid_normalize(vp_normalizer *n, const char *s);
/* The id part of s without copying: a URL spelling loses scheme and host (a pointer into
 * s), anything else is s. For ids written out at once and never kept (backup jobs). */
const char *vpo_armid_path(const char *s);
const char *vpo_armid_segment(vp_normalizer *n, const char *id, const char *segment); /* value after /segment/ */
const char *vpo_armid_vault_id(vp_normalizer *n, const char *id); /* id of the parent vault, as spelled in id */

/* Enum tables (NULL-terminated). */
extern const char *const vpo_enum_immutability[];
extern const char *const vpo_enum_soft_delete[];
extern const char *const vpo_enum_enhanced_security[];
extern const char *const vpo_enum_mua[];
extern const char *const vpo_enum_redundancy[];
extern const char *const vpo_enum_crr[];
extern const char *const vpo_enum_secure_score[];
extern const char *const vpo_enum_bcdr[];
extern const char *const vpo_enum_management_type[];
extern const char *const vpo_enum_protection_state[];
extern const char *const vpo_enum_health[];
extern const char *const vpo_enum_item_type[];
extern const char *const vpo_enum_policy_type[];
extern const char *const vpo_enum_sub_policy_type[];
extern const char *const vpo_enum_workload_type[];

#endif
