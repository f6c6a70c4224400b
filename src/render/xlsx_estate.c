/* The snapshot's populations: Vaults, Policies (one row per retention tier), Protected
 * Items (every item, one row each) and Regions. Values are the snapshot's, verbatim;
 * an empty cell is a value the API did not report, never "Disabled" or 0. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/vec.h"
#include "render/estate.h"
#include "render/xlsx_internal.h"

/* The snapshot's field names of the vp_text fields flagged as outside their enum. */
static void unknown_list(vpc_buf *b, const vp_text *const *fields, const char *const *names, size_t n)
{
    vpc_buf_clear(b);
    for (size_t i = 0; i < n; i++)
        if (fields[i]->presence == VP_PRESENT && fields[i]->unknown) {
            vpr_xlsx_sep(b, "; ");
            vpc_buf_adds(b, names[i]);
        }
}

static void tags_text(vpc_buf *b, const vp_tags *t)
{
    vpc_buf_clear(b);
    for (size_t i = 0; i < t->count; i++) {
        vpr_xlsx_sep(b, "; ");
        vpc_buf_adds(b, t->items[i].key);
        vpc_buf_adds(b, "=");
        vpc_buf_adds(b, t->items[i].value);
    }
}

enum {
    V_NAME, V_SUB, V_RG, V_LOCATION, V_WORM, V_SKU, V_IMMUTABILITY, V_IMM_SETTINGS, V_IMM_TYPE, V_IMM_DAYS,
    V_SECURITY_SETTINGS, V_SOFT_DELETE, V_SOFT_DAYS, V_ENHANCED, V_MUA, V_GUARDS, V_GUARD_IDS, V_SOURCE_SCAN,
    V_REDUNDANCY, V_CRR, V_SCORE, V_BCDR, V_PROVISIONING, V_PUBLIC, V_POLICIES, V_ITEMS, V_ENGINES, V_L_POLICIES,
    V_L_ITEMS, V_L_CONFIG, V_L_STORAGE, V_L_GUARDS, V_L_ENGINES, V_UNKNOWN, V_API, V_TAGS, V_ID, V_FILE, V_POINTER,
    V_NCOLS
};

static const xlsx_col vault_cols[V_NCOLS] = {
    [V_NAME] = {"Vault", XC_TEXT, 0},
    [V_SUB] = {"Subscription", XC_ID, 0},
    [V_RG] = {"Resource group", XC_TEXT, 0},
    [V_LOCATION] = {"Location", XC_TEXT, 0},
    [V_WORM] = {"Region WORM", XC_TEXT, XP_WORM},
    [V_SKU] = {"SKU", XC_TEXT, 0},
    [V_IMMUTABILITY] = {"Immutability", XC_TEXT, XP_IMMUTABLE},
    [V_IMM_SETTINGS] = {"Immutability settings", XC_TEXT, 0},
    [V_IMM_TYPE] = {"Immutability type", XC_TEXT, 0},
    [V_IMM_DAYS] = {"Immutability duration (days)", XC_NUM, 0},
    [V_SECURITY_SETTINGS] = {"Security settings", XC_TEXT, 0},
    [V_SOFT_DELETE] = {"Soft delete", XC_TEXT, XP_SOFTDELETE},
    [V_SOFT_DAYS] = {"Soft delete retention (days)", XC_NUM, 0},
    [V_ENHANCED] = {"Enhanced security", XC_TEXT, XP_SOFTDELETE},
    [V_MUA] = {"Multi-user authorization", XC_TEXT, XP_ENABLED},
    [V_GUARDS] = {"Resource guard proxies", XC_NUM, 0},
    [V_GUARD_IDS] = {"Resource guards", XC_ID, 0},
    [V_SOURCE_SCAN] = {"Source scan", XC_TEXT, XP_ENABLED},
    [V_REDUNDANCY] = {"Storage redundancy", XC_TEXT, 0},
    [V_CRR] = {"Cross-region restore", XC_TEXT, 0},
    [V_SCORE] = {"Secure score", XC_TEXT, 0},
    [V_BCDR] = {"BCDR security level", XC_TEXT, 0},
    [V_PROVISIONING] = {"Provisioning state", XC_TEXT, 0},
    [V_PUBLIC] = {"Public network access", XC_TEXT, 0},
    [V_POLICIES] = {"Policies", XC_NUM, 0},
    [V_ITEMS] = {"Protected items", XC_NUM, 0},
    [V_ENGINES] = {"Backup engines", XC_NUM, 0},
    [V_L_POLICIES] = {"List: backupPolicies", XC_TEXT, XP_LIST},
    [V_L_ITEMS] = {"List: backupProtectedItems", XC_TEXT, XP_LIST},
    [V_L_CONFIG] = {"List: backupconfig", XC_TEXT, XP_LIST},
    [V_L_STORAGE] = {"List: backupstorageconfig", XC_TEXT, XP_LIST},
    [V_L_GUARDS] = {"List: backupResourceGuardProxies", XC_TEXT, XP_LIST},
    [V_L_ENGINES] = {"List: backupEngines", XC_TEXT, XP_LIST},
    [V_UNKNOWN] = {"Values outside the documented enum", XC_TEXT, 0},
    [V_API] = {"API version", XC_ID, 0},
    [V_TAGS] = {"Tags", XC_TEXT, 0},
    [V_ID] = {"Id", XC_ID, 0},
    [V_FILE] = {"Source file", XC_ID, 0},
    [V_POINTER] = {"Source pointer", XC_ID, 0},
};

static void vault_row(xlsx_ctx *x, xlsx_pop *p, const vp_vault *v)
{
    static const char *const names[] = {"immutability", "immutability_configuration.type", "soft_delete.state",
                                        "soft_delete.enhanced_security", "multi_user_authorization", "source_scan",
                                        "storage_redundancy", "cross_region_restore", "secure_score",
                                        "bcdr_security_level", "provisioning_state", "public_network_access", "sku"};
    const vp_text *fields[] = {&v->immutability, &v->immutability_type, &v->soft_delete, &v->enhanced_security,
                               &v->mua, &v->source_scan, &v->storage_redundancy, &v->cross_region_restore,
                               &v->secure_score, &v->bcdr_security_level, &v->provisioning_state,
                               &v->public_network_access, &v->sku};
    const vp_region *region = vp_snapshot_find_region(x->in->snapshot, v->location);
    if (vpr_xlsx_pop_row(p))
        return;
    vpr_xlsx_text(p, V_NAME, v->name);
    vpr_xlsx_text(p, V_SUB, v->subscription_id);
    vpr_xlsx_text(p, V_RG, v->resource_group);
    char label[256];
    vpr_xlsx_text(p, V_LOCATION, vpr_location_label(x->in->snapshot, x->worm, v->location, label, sizeof label));
    vpr_xlsx_text(p, V_WORM, region ? region->worm : NULL);
    vpr_xlsx_vtext(p, V_SKU, &v->sku);
    vpr_xlsx_vtext(p, V_IMMUTABILITY, &v->immutability);
    /* absent settings on a current api-version mean "never configured" (docs/snapshot-format.md) */
    vpr_xlsx_text(p, V_IMM_SETTINGS, vpr_presence_name(v->immutability_settings));
    vpr_xlsx_vtext(p, V_IMM_TYPE, &v->immutability_type);
    vpr_xlsx_vnum(p, V_IMM_DAYS, &v->immutability_days);
    vpr_xlsx_text(p, V_SECURITY_SETTINGS, vpr_presence_name(v->security_settings));
    vpr_xlsx_vtext(p, V_SOFT_DELETE, &v->soft_delete);
    vpr_xlsx_vnum(p, V_SOFT_DAYS, &v->soft_delete_days);
    vpr_xlsx_vtext(p, V_ENHANCED, &v->enhanced_security);
    vpr_xlsx_vtext(p, V_MUA, &v->mua);
    vpr_xlsx_num(p, V_GUARDS, (double)v->guard_count);
    vpc_buf_clear(&x->buf);
    for (size_t g = 0; g < v->guard_count; g++) {
        vpr_xlsx_sep(&x->buf, "; ");
        vpc_buf_adds(&x->buf, v->guards[g].resource_guard_id);
    }
    vpr_xlsx_text(p, V_GUARD_IDS, vpc_buf_str(&x->buf));
    vpr_xlsx_vtext(p, V_SOURCE_SCAN, &v->source_scan);
    vpr_xlsx_vtext(p, V_REDUNDANCY, &v->storage_redundancy);
    vpr_xlsx_vtext(p, V_CRR, &v->cross_region_restore);
    vpr_xlsx_vtext(p, V_SCORE, &v->secure_score);
    vpr_xlsx_vtext(p, V_BCDR, &v->bcdr_security_level);
    vpr_xlsx_vtext(p, V_PROVISIONING, &v->provisioning_state);
    vpr_xlsx_vtext(p, V_PUBLIC, &v->public_network_access);
    vpr_xlsx_num(p, V_POLICIES, (double)v->policy_count);
    vpr_xlsx_num(p, V_ITEMS, (double)v->item_count);
    vpr_xlsx_num(p, V_ENGINES, (double)v->engine_count);
    vpr_xlsx_text(p, V_L_POLICIES, vp_list_status_name(v->lists[VP_ARM_LIST_POLICIES]));
    vpr_xlsx_text(p, V_L_ITEMS, vp_list_status_name(v->lists[VP_ARM_LIST_ITEMS]));
    vpr_xlsx_text(p, V_L_CONFIG, vp_list_status_name(v->lists[VP_ARM_LIST_VAULTCONFIG]));
    vpr_xlsx_text(p, V_L_STORAGE, vp_list_status_name(v->lists[VP_ARM_LIST_STORAGECONFIG]));
    vpr_xlsx_text(p, V_L_GUARDS, vp_list_status_name(v->lists[VP_ARM_LIST_GUARDS]));
    vpr_xlsx_text(p, V_L_ENGINES, vp_list_status_name(v->lists[VP_ARM_LIST_ENGINES]));
    unknown_list(&x->buf, fields, names, sizeof names / sizeof names[0]);
    vpr_xlsx_text(p, V_UNKNOWN, vpc_buf_str(&x->buf));
    vpr_xlsx_text(p, V_API, v->api_version);
    tags_text(&x->buf, &v->tags);
    vpr_xlsx_text(p, V_TAGS, vpc_buf_str(&x->buf));
    vpr_xlsx_text(p, V_ID, v->id);
    vpr_xlsx_text(p, V_FILE, v->source.file);
    vpr_xlsx_text(p, V_POINTER, v->source.pointer);
}

void vpr_xlsx_write_vaults(xlsx_ctx *x)
{
    const vp_snapshot *s = x->in->snapshot;
    xlsx_pop p;
    if (vpr_xlsx_pop_begin(&p, x, "Vaults", vault_cols, NULL, V_NCOLS, s->vault_count))
        return;
    for (size_t i = 0; i < s->vault_count && !x->status; i++)
        vault_row(x, &p, &s->vaults[i]);
    vpr_xlsx_pop_end(&p);
}

enum {
    P_NAME, P_VAULT, P_SUB, P_MANAGEMENT, P_WORKLOAD, P_TYPE, P_FREQUENCY, P_TIME_ZONE, P_ITEMS, P_SUB_POLICY,
    P_TIER, P_COUNT, P_UNIT, P_DAYS, P_LONG_TERM, P_LOG, P_UNDERSTOOD, P_VAULT_LISTED, P_ID, P_FILE, P_POINTER,
    P_NCOLS
};

static const xlsx_col policy_cols[P_NCOLS] = {
    [P_NAME] = {"Policy", XC_TEXT, 0},
    [P_VAULT] = {"Vault", XC_TEXT, 0},
    [P_SUB] = {"Subscription", XC_ID, 0},
    [P_MANAGEMENT] = {"Backup management type", XC_TEXT, 0},
    [P_WORKLOAD] = {"Workload type", XC_TEXT, 0},
    [P_TYPE] = {"Policy type", XC_TEXT, 0},
    [P_FREQUENCY] = {"Schedule frequency", XC_TEXT, 0},
    [P_TIME_ZONE] = {"Time zone", XC_TEXT, 0},
    [P_ITEMS] = {"Protected items (reported)", XC_NUM, 0},
    [P_SUB_POLICY] = {"Sub-policy", XC_TEXT, 0},
    [P_TIER] = {"Retention tier", XC_TEXT, 0},
    [P_COUNT] = {"Retention count", XC_NUM, 0},
    [P_UNIT] = {"Retention unit", XC_TEXT, 0},
    [P_DAYS] = {"Retention (days)", XC_NUM, 0},
    [P_LONG_TERM] = {"Policy long-term retention (days)", XC_NUM, 0},
    [P_LOG] = {"Policy log retention (days)", XC_NUM, 0},
    [P_UNDERSTOOD] = {"Retention understood", XC_BOOL, 0},
    [P_VAULT_LISTED] = {"Vault listed", XC_BOOL, 0},
    [P_ID] = {"Policy id", XC_ID, 0},
    [P_FILE] = {"Source file", XC_ID, 0},
    [P_POINTER] = {"Source pointer", XC_ID, 0},
};

static void policy_row(xlsx_ctx *x, xlsx_pop *p, const vp_policy *pol, const vp_retention_tier *t)
{
    if (vpr_xlsx_pop_row(p))
        return;
    vpr_xlsx_text(p, P_NAME, pol->name);
    vpr_xlsx_text(p, P_VAULT, vpr_xlsx_vault_name(x->in->snapshot, pol->vault_id));
    vpr_xlsx_text(p, P_SUB, pol->subscription_id);
    vpr_xlsx_vtext(p, P_MANAGEMENT, &pol->management_type);
    vpr_xlsx_vtext(p, P_WORKLOAD, &pol->workload_type);
    vpr_xlsx_vtext(p, P_TYPE, &pol->policy_type);
    vpr_xlsx_vtext(p, P_FREQUENCY, &pol->schedule_frequency);
    vpr_xlsx_vtext(p, P_TIME_ZONE, &pol->time_zone);
    vpr_xlsx_vnum(p, P_ITEMS, &pol->protected_items_count);
    if (pol->long_term_days >= 0)
        vpr_xlsx_num(p, P_LONG_TERM, (double)pol->long_term_days);
    if (pol->log_days >= 0)
        vpr_xlsx_num(p, P_LOG, (double)pol->log_days);
    vpr_xlsx_bool(p, P_UNDERSTOOD, !pol->unknown_retention);
    vpr_xlsx_bool(p, P_VAULT_LISTED, pol->vault_listed);
    vpr_xlsx_text(p, P_ID, pol->id);
    vpr_xlsx_text(p, P_FILE, pol->source.file);
    if (!t) {
        vpr_xlsx_text(p, P_POINTER, pol->source.pointer);
        return;
    }
    vpr_xlsx_text(p, P_SUB_POLICY, t->sub_policy);
    vpr_xlsx_text(p, P_TIER, t->tier);
    vpr_xlsx_num(p, P_COUNT, (double)t->count);
    vpr_xlsx_text(p, P_UNIT, t->unit);
    if (t->days >= 0)
        vpr_xlsx_num(p, P_DAYS, (double)t->days);
    vpc_buf_clear(&x->buf);
    vpc_buf_adds(&x->buf, pol->source.pointer);
    vpc_buf_adds(&x->buf, t->pointer); /* tier pointers are relative to the policy */
    vpr_xlsx_text(p, P_POINTER, vpc_buf_str(&x->buf));
}

/* One row per retention tier and sub-policy; a policy without tiers keeps one row. */
void vpr_xlsx_write_policies(xlsx_ctx *x)
{
    const vp_snapshot *s = x->in->snapshot;
    size_t rows = 0;
    xlsx_pop p;
    for (size_t i = 0; i < s->policy_count; i++)
        rows += s->policies[i].tier_count ? s->policies[i].tier_count : 1;
    if (vpr_xlsx_pop_begin(&p, x, "Policies", policy_cols, NULL, P_NCOLS, rows))
        return;
    for (size_t i = 0; i < s->policy_count && !x->status; i++) {
        const vp_policy *pol = &s->policies[i];
        if (!pol->tier_count)
            policy_row(x, &p, pol, NULL);
        for (size_t t = 0; t < pol->tier_count; t++)
            policy_row(x, &p, pol, &pol->tiers[t]);
    }
    vpr_xlsx_pop_end(&p);
}

enum {
    I_FRIENDLY, I_KIND, I_VAULT, I_SUB, I_POLICY, I_POLICY_LINK, I_STATE, I_STATUS, I_HEALTH, I_LAST_STATUS,
    I_LAST_BACKUP, I_LAST_RP, I_OLDEST_RP, I_RP_COUNT, I_DEFERRED, I_DEFERRED_TIME, I_ARCHIVE, I_POLICY_STATE,
    I_TYPE, I_MANAGEMENT, I_WORKLOAD, I_SERVER, I_CONTAINER, I_SOURCE_RESOURCE, I_VM_ID, I_UNKNOWN, I_VAULT_LISTED,
    I_NAME, I_ID, I_POLICY_ID, I_FILE, I_POINTER, I_NCOLS
};

static const xlsx_col item_cols[I_NCOLS] = {
    [I_FRIENDLY] = {"Item", XC_TEXT, 0},
    [I_KIND] = {"Kind", XC_TEXT, 0},
    [I_VAULT] = {"Vault", XC_TEXT, 0},
    [I_SUB] = {"Subscription", XC_ID, 0},
    [I_POLICY] = {"Policy", XC_TEXT, 0},
    [I_POLICY_LINK] = {"Policy link", XC_TEXT, 0},
    [I_STATE] = {"Protection state", XC_TEXT, XP_PROTECTION},
    [I_STATUS] = {"Protection status", XC_TEXT, XP_PROTECTION},
    [I_HEALTH] = {"Health status", XC_TEXT, XP_PROTECTION},
    [I_LAST_STATUS] = {"Last backup status", XC_TEXT, XP_PROTECTION},
    [I_LAST_BACKUP] = {"Last backup (UTC)", XC_TIME, 0},
    [I_LAST_RP] = {"Last recovery point (UTC)", XC_TIME, 0},
    [I_OLDEST_RP] = {"Oldest recovery point (UTC)", XC_TIME, 0},
    [I_RP_COUNT] = {"Recovery points", XC_NUM, 0},
    [I_DEFERRED] = {"Deferred delete", XC_BOOL, 0},
    [I_DEFERRED_TIME] = {"Deferred delete time (UTC)", XC_TIME, 0},
    [I_ARCHIVE] = {"Archive enabled", XC_BOOL, 0},
    [I_POLICY_STATE] = {"Policy state", XC_TEXT, 0},
    [I_TYPE] = {"Protected item type", XC_TEXT, 0},
    [I_MANAGEMENT] = {"Backup management type", XC_TEXT, 0},
    [I_WORKLOAD] = {"Workload type", XC_TEXT, 0},
    [I_SERVER] = {"Server", XC_TEXT, 0},
    [I_CONTAINER] = {"Container", XC_ID, 0},
    [I_SOURCE_RESOURCE] = {"Source resource id", XC_ID, 0},
    [I_VM_ID] = {"Virtual machine id", XC_ID, 0},
    [I_UNKNOWN] = {"Values outside the documented enum", XC_TEXT, 0},
    [I_VAULT_LISTED] = {"Vault listed", XC_BOOL, 0},
    [I_NAME] = {"Name", XC_ID, 0},
    [I_ID] = {"Id", XC_ID, 0},
    [I_POLICY_ID] = {"Policy id", XC_ID, 0},
    [I_FILE] = {"Source file", XC_ID, 0},
    [I_POINTER] = {"Source pointer", XC_ID, 0},
};

static void item_row(xlsx_ctx *x, xlsx_pop *p, const vp_item *it)
{
    static const char *const names[] = {"item_type", "backup_management_type", "workload_type", "protection_state",
                                        "protection_status", "health_status", "last_backup_status", "policy_state"};
    const vp_text *fields[] = {&it->item_type, &it->management_type, &it->workload_type, &it->protection_state,
                               &it->protection_status, &it->health_status, &it->last_backup_status,
                               &it->policy_state};
    if (vpr_xlsx_pop_row(p))
        return;
    char name[512];
    /* the name the PDF's population gives it: a database also names its server and instance */
    vpr_xlsx_text(p, I_FRIENDLY, vpr_item_display_name(it, name, sizeof name));
    vpr_xlsx_text(p, I_KIND, it->kind);
    vpr_xlsx_text(p, I_VAULT, vpr_xlsx_vault_name(x->in->snapshot, it->vault_id));
    vpr_xlsx_text(p, I_SUB, it->subscription_id);
    char policy[512];
    vpr_xlsx_text(p, I_POLICY, vpr_item_policy(x->in->snapshot, it, policy, sizeof policy));
    vpr_xlsx_text(p, I_POLICY_LINK, it->policy_link);
    vpr_xlsx_vtext(p, I_STATE, &it->protection_state);
    vpr_xlsx_vtext(p, I_STATUS, &it->protection_status);
    vpr_xlsx_vtext(p, I_HEALTH, &it->health_status);
    vpr_xlsx_vtext(p, I_LAST_STATUS, &it->last_backup_status);
    /* the API's 2001-01-01 placeholder is "never", as findings say "no backup yet" */
    if (vpr_time_never(&it->last_backup_time))
        vpr_xlsx_text(p, I_LAST_BACKUP, VPR_NEVER);
    else
        vpr_xlsx_time(p, I_LAST_BACKUP, it->last_backup_time.value);
    vpr_xlsx_time(p, I_LAST_RP, it->last_recovery_point.value);
    vpr_xlsx_time(p, I_OLDEST_RP, it->oldest_recovery_point.value);
    vpr_xlsx_vnum(p, I_RP_COUNT, &it->recovery_point_count);
    if (it->deferred_delete.presence == VP_PRESENT)
        vpr_xlsx_bool(p, I_DEFERRED, it->deferred_delete.value);
    vpr_xlsx_time(p, I_DEFERRED_TIME, it->deferred_delete_time.value);
    if (it->archive_enabled.presence == VP_PRESENT)
        vpr_xlsx_bool(p, I_ARCHIVE, it->archive_enabled.value);
    vpr_xlsx_vtext(p, I_POLICY_STATE, &it->policy_state);
    vpr_xlsx_vtext(p, I_TYPE, &it->item_type);
    vpr_xlsx_vtext(p, I_MANAGEMENT, &it->management_type);
    vpr_xlsx_vtext(p, I_WORKLOAD, &it->workload_type);
    vpr_xlsx_vtext(p, I_SERVER, &it->server);
    vpr_xlsx_vtext(p, I_CONTAINER, &it->container);
    vpr_xlsx_vtext(p, I_SOURCE_RESOURCE, &it->source_resource_id);
    vpr_xlsx_vtext(p, I_VM_ID, &it->vm_id);
    unknown_list(&x->buf, fields, names, sizeof names / sizeof names[0]);
    vpr_xlsx_text(p, I_UNKNOWN, vpc_buf_str(&x->buf));
    vpr_xlsx_bool(p, I_VAULT_LISTED, it->vault_listed);
    vpr_xlsx_text(p, I_NAME, it->name);
    vpr_xlsx_text(p, I_ID, it->id);
    vpr_xlsx_vtext(p, I_POLICY_ID, &it->policy_id);
    vpr_xlsx_text(p, I_FILE, it->source.file);
    vpr_xlsx_text(p, I_POINTER, it->source.pointer);
}

static const char *digest_copy(xlsx_ctx *x, const char *s)
{
    return s ? vpc_arena_strdup(x->digest_strings, s) : NULL;
}

int vpr_xlsx_digest_add(xlsx_ctx *x, const vp_item *it)
{
    if (!x->digest_strings && !(x->digest_strings = calloc(1, sizeof *x->digest_strings)))
        return vpr_xlsx_fail(x, VP_ERR_NOMEM, "out of memory");
    /* vault names live in the snapshot's vaults, which stay in memory */
    char policy[512];
    xlsx_item_digest d = {digest_copy(x, it->id), vpr_xlsx_vault_name(x->in->snapshot, it->vault_id),
                          digest_copy(x, vpr_item_policy(x->in->snapshot, it, policy, sizeof policy)),
                          it->protection_state.presence == VP_PRESENT ? digest_copy(x, it->protection_state.value)
                                                                      : NULL};
    if (d.vault_name == it->vault_id)
        d.vault_name = digest_copy(x, it->vault_id); /* no such vault: the id itself, copied */
    if (!d.id || (it->vault_id && !d.vault_name) || !d.policy_name ||
        (it->protection_state.presence == VP_PRESENT && !d.protection_state))
        return vpr_xlsx_fail(x, VP_ERR_NOMEM, "out of memory");
    xlsx_item_digest *slot = VP_VEC_PUSH(x->digest);
    if (!slot)
        return vpr_xlsx_fail(x, VP_ERR_NOMEM, "out of memory");
    *slot = d; /* items stream in id order, so the array is sorted */
    return 0;
}

static int cmp_digest(const void *id, const void *elem)
{
    return strcasecmp(id, ((const xlsx_item_digest *)elem)->id);
}

const xlsx_item_digest *vpr_xlsx_digest_find(const xlsx_ctx *x, const char *id)
{
    return id ? vp_search(id, x->digest.v, x->digest.n, sizeof *x->digest.v, cmp_digest) : NULL;
}

void vpr_xlsx_digest_free(xlsx_ctx *x)
{
    free(x->digest.v);
    x->digest.v = NULL;
    x->digest.n = x->digest.cap = 0;
    if (x->digest_strings) {
        vpc_arena_free(x->digest_strings);
        free(x->digest_strings);
        x->digest_strings = NULL;
    }
}

typedef struct {
    xlsx_ctx *x;
    xlsx_pop *p;
} item_rows;

static vp_status item_row_of(void *ctx, const vp_item *it, vp_error *err)
{
    item_rows *r = ctx;
    (void)err;
    item_row(r->x, r->p, it);
    if (!r->x->status && r->x->in->snapshot->lazy_source)
        vpr_xlsx_digest_add(r->x, it); /* the VM sheet's coverage columns need it later */
    return r->x->status; /* a failed row is already recorded in x */
}

/* Streamed from the snapshot file when it was read lazily (render --xlsx alone). */
void vpr_xlsx_write_items(xlsx_ctx *x)
{
    const vp_snapshot *s = x->in->snapshot;
    xlsx_pop p;
    if (vpr_xlsx_pop_begin(&p, x, "Protected Items", item_cols, NULL, I_NCOLS, s->item_count))
        return;
    item_rows rows = {x, &p};
    vp_status st = vp_snapshot_each_item(s, item_row_of, &rows, x->err);
    if (st && !x->status)
        x->status = st;
    vpr_xlsx_pop_end(&p);
}

enum { R_LOCATION, R_NAME, R_WORM, R_VAULTS, R_SOURCES, R_TITLES, R_URLS, R_AS_OF, R_RECORDED, R_NCOLS };

static const xlsx_col region_cols[R_NCOLS] = {
    [R_LOCATION] = {"Location", XC_TEXT, 0},
    [R_NAME] = {"Region", XC_TEXT, 0},
    [R_WORM] = {"WORM status", XC_TEXT, XP_WORM},
    [R_VAULTS] = {"Vaults", XC_NUM, 0},
    [R_SOURCES] = {"Sources", XC_ID, 0},
    [R_TITLES] = {"Source titles", XC_TEXT, 0},
    [R_URLS] = {"Source URLs", XC_TEXT, 0},
    [R_AS_OF] = {"Source date (latest)", XC_DATE, 0},
    [R_RECORDED] = {"Recorded in the catalog", XC_DATE, 0},
};

static const vp_worm_source *worm_source(const vp_snapshot *s, const char *id)
{
    for (size_t i = 0; i < s->worm_source_count; i++)
        if (strcmp(s->worm_sources[i].id, id) == 0)
            return &s->worm_sources[i];
    return NULL;
}

/* Joins one member of the region's sources; returns the latest of another (dates as
 * yyyy-mm-dd compare as strings). */
static void join_sources(xlsx_ctx *x, const vp_region *r, int what, const char **latest_as_of,
                         const char **latest_recorded)
{
    const vp_snapshot *s = x->in->snapshot;
    vpc_buf_clear(&x->buf);
    for (size_t k = 0; k < r->source_count; k++) {
        const vp_worm_source *src = worm_source(s, r->sources[k]);
        const char *v = what == 0 ? r->sources[k] : !src ? NULL : what == 1 ? src->title : src->url;
        if (v) {
            vpr_xlsx_sep(&x->buf, "; ");
            vpc_buf_adds(&x->buf, v);
        }
        if (src && src->as_of && (!*latest_as_of || strcmp(src->as_of, *latest_as_of) > 0))
            *latest_as_of = src->as_of;
        if (src && src->recorded && (!*latest_recorded || strcmp(src->recorded, *latest_recorded) > 0))
            *latest_recorded = src->recorded;
    }
}

void vpr_xlsx_write_regions(xlsx_ctx *x)
{
    const vp_snapshot *s = x->in->snapshot;
    xlsx_pop p;
    if (vpr_xlsx_pop_begin(&p, x, "Regions", region_cols, NULL, R_NCOLS, s->region_count))
        return;
    for (size_t i = 0; i < s->region_count && !vpr_xlsx_pop_row(&p); i++) {
        const vp_region *r = &s->regions[i];
        const char *as_of = NULL, *recorded = NULL;
        vpr_xlsx_text(&p, R_LOCATION, r->location);
        vpr_xlsx_text(&p, R_NAME, r->display_name);
        vpr_xlsx_text(&p, R_WORM, r->worm);
        vpr_xlsx_num(&p, R_VAULTS, (double)r->vault_count);
        for (int what = 0; what < 3; what++) {
            join_sources(x, r, what, &as_of, &recorded);
            vpr_xlsx_text(&p, R_SOURCES + (size_t)what, vpc_buf_str(&x->buf));
        }
        vpr_xlsx_time(&p, R_AS_OF, as_of);
        vpr_xlsx_time(&p, R_RECORDED, recorded);
    }
    vpr_xlsx_pop_end(&p);
}
