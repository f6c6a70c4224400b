/* Backup policies: every retention tier kept verbatim (count + unit) and normalized to
 * days (vaultproof/retention.h). The tier pointers are relative to the policy. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "collect/internal.h"
#include "vaultproof/retention.h"

typedef VP_VEC(vp_retention_tier) tier_vec;

typedef struct {
    vp_res_ctx *c;
    vp_policy *p;
    tier_vec tiers;
    int share_snapshot; /* parsing an Azure Files policy's retentionPolicy (share snapshots) */
} policy_build;

/* Pointer relative to the policy resource (strip the resource's own pointer prefix). */
static const char *relative(policy_build *b, const char *abs)
{
    size_t n = strlen(b->c->pointer);
    return vpc_arena_strdup(&b->c->n->arena, strncmp(abs, b->c->pointer, n) == 0 ? abs + n : abs);
}

static vp_status add_tier(policy_build *b, const char *sub, const char *tier, const cJSON *dur, const char *dur_p)
{
    long long count = 0;
    const char *unit = NULL;
    vp_jreader *r = b->c->r;
    vp_presence pc = vp_jr_int(r, dur, dur_p, "count", 0, 2147483647LL, &count);
    vp_presence pu = vp_jr_string(r, dur, dur_p, "durationType", &unit);
    if (r->status)
        return r->status;
    if (pc != VP_PRESENT || pu != VP_PRESENT) {
        b->p->unknown_retention = 1;
        vpo_warn(b->c->n, "retention-not-reported", b->c->file, dur_p,
                "retention duration without %s; tier recorded as unknown", pc != VP_PRESENT ? "count" : "durationType");
    }
    vp_retention_tier *t = VP_VEC_PUSH(b->tiers);
    if (!t)
        return vp_error_set(r->err, VP_ERR_NOMEM, "out of memory");
    t->sub_policy = vpc_arena_strdup(&b->c->n->arena, sub);
    t->tier = b->share_snapshot ? vpc_arena_printf(&b->c->n->arena, "snapshot-%s", tier) : tier;
    if (!t->tier)
        return vp_error_set(r->err, VP_ERR_NOMEM, "out of memory");
    t->count = pc == VP_PRESENT ? count : -1;
    t->unit = vpc_arena_strdup(&b->c->n->arena, unit);
    t->pointer = relative(b, dur_p);
    if (vp_retention_days(count, unit, &t->days) != 0 || pc != VP_PRESENT) {
        t->days = -1;
        b->p->unknown_retention = 1;
        if (pu == VP_PRESENT)
            vpo_warn(b->c->n, "unknown-enum", b->c->file, dur_p,
                    "durationType '%s' is not Days, Weeks, Months or Years; retention not computed", unit);
    }
    return VP_OK;
}

static vp_status parse_retention(policy_build *b, const char *sub, const cJSON *ret, const char *ret_p)
{
    static const char *const sched[] = {"dailySchedule", "weeklySchedule", "monthlySchedule", "yearlySchedule"};
    static const char *const names[] = {"daily", "weekly", "monthly", "yearly"};
    char p[512], dp[512];
    const char *type = NULL;
    vp_res_ctx *c = b->c;

    if (!ret)
        return c->r->status;
    vp_jr_string(c->r, ret, ret_p, "retentionPolicyType", &type);
    if (c->r->status)
        return c->r->status;
    if (type && strcasecmp(type, "SimpleRetentionPolicy") == 0) {
        const cJSON *dur = vpo_read_object(c, ret, ret_p, "retentionDuration", dp, sizeof dp);
        return dur ? add_tier(b, sub, "simple", dur, dp) : c->r->status;
    }
    if (type && strcasecmp(type, "LongTermRetentionPolicy") == 0) {
        for (int i = 0; i < 4; i++) {
            const cJSON *s = vpo_read_object(c, ret, ret_p, sched[i], p, sizeof p);
            if (!s)
                continue;
            const cJSON *dur = vpo_read_object(c, s, p, "retentionDuration", dp, sizeof dp);
            if (dur && add_tier(b, sub, names[i], dur, dp))
                return c->r->status;
        }
        return c->r->status;
    }
    b->p->unknown_retention = 1;
    vpo_warn(c->n, "unknown-enum", c->file, ret_p, "retentionPolicyType '%s' not understood; retention not computed",
            type ? type : "(not reported)");
    return VP_OK;
}

static vp_status add_days_tier(policy_build *b, const char *sub, const char *tier, const cJSON *obj,
                               const char *base, const char *key)
{
    long long days = 0;
    char p[512];
    if (vp_jr_int(b->c->r, obj, base, key, 0, 2147483647LL, &days) != VP_PRESENT)
        return b->c->r->status;
    vp_retention_tier *t = VP_VEC_PUSH(b->tiers);
    if (!t)
        return vp_error_set(b->c->r->err, VP_ERR_NOMEM, "out of memory");
    t->sub_policy = vpc_arena_strdup(&b->c->n->arena, sub);
    t->tier = tier;
    t->count = days;
    t->unit = "Days";
    t->days = days;
    t->pointer = relative(b, vp_json_pointer_join(p, sizeof p, base, key));
    return VP_OK;
}

/* Workload policies (SQL, SAP HANA, SAP ASE) have no top-level schedulePolicy: each
 * sub-policy has its own. The policy's frequency is the Full sub-policy's (a workload's
 * full backups are what retention keeps), else the first sub-policy's that has one;
 * Log sub-policies state minutes (scheduleFrequencyInMins), not a run frequency. */
static vp_status parse_sub_policies(policy_build *b, const cJSON *props, const char *props_p)
{
    const cJSON *subs = NULL;
    char sp[512], rp[512], schp[512];
    int i = 0, from_full = 0;
    vp_res_ctx *c = b->c;
    if (vp_jr_array(c->r, props, props_p, "subProtectionPolicy", &subs) != VP_PRESENT)
        return c->r->status;
    int take_frequency = b->p->schedule_frequency.presence != VP_PRESENT;
    for (const cJSON *s = subs->child; s; s = s->next, i++) {
        vp_text type, freq;
        vp_json_pointer_index(sp, sizeof sp, vp_json_pointer_join(sp, sizeof sp, props_p, "subProtectionPolicy"), i);
        if (!cJSON_IsObject(s))
            return vp_jr_fail(c->r, sp, "a sub-policy object", s);
        vpo_read_text(c, s, sp, "policyType", vpo_enum_sub_policy_type, &type);
        const char *name = type.presence == VP_PRESENT ? type.value : "(not reported)";
        const cJSON *sched = vpo_read_object(c, s, sp, "schedulePolicy", schp, sizeof schp);
        vpo_read_text(c, sched, schp, "scheduleRunFrequency", NULL, &freq);
        int full = type.presence == VP_PRESENT && strcasecmp(type.value, "Full") == 0;
        if (take_frequency && freq.presence == VP_PRESENT && !from_full &&
            (full || b->p->schedule_frequency.presence != VP_PRESENT)) {
            b->p->schedule_frequency = freq;
            from_full = full;
        }
        const cJSON *ret = vpo_read_object(c, s, sp, "retentionPolicy", rp, sizeof rp);
        if (parse_retention(b, name, ret, rp))
            return c->r->status;
        const cJSON *snap = vpo_read_object(c, s, sp, "snapshotBackupAdditionalDetails", schp, sizeof schp);
        if (snap && add_days_tier(b, name, "instant", snap, schp, "instantRpRetentionRangeInDays"))
            return c->r->status;
    }
    return c->r->status;
}

/* Long-term retention: the longest known tier among those that keep full recovery
 * points (workloads: Full sub-policies; instant snapshots never count). */
static void summarize(vp_policy *p)
{
    int has_full = 0;
    p->long_term_days = -1;
    p->log_days = -1;
    for (size_t i = 0; i < p->tier_count; i++)
        if (p->tiers[i].sub_policy && strcasecmp(p->tiers[i].sub_policy, "Full") == 0)
            has_full = 1;
    for (size_t i = 0; i < p->tier_count; i++) {
        const vp_retention_tier *t = &p->tiers[i];
        const char *sub = t->sub_policy;
        if (sub && strcasecmp(sub, "Log") == 0) {
            if (t->days > p->log_days)
                p->log_days = t->days;
            continue;
        }
        if (strcmp(t->tier, "instant") == 0 || strncmp(t->tier, "snapshot", 8) == 0) /* snapshot, snapshot-daily, ... */
            continue;
        if (has_full && (!sub || strcasecmp(sub, "Full") != 0))
            continue;
        if (t->days > p->long_term_days)
            p->long_term_days = t->days;
    }
}

vp_status vpo_norm_policy(vp_res_ctx *c)
{
    vp_policy *p = VP_VEC_PUSH(c->n->policies);
    if (!p)
        return vp_error_set(c->r->err, VP_ERR_NOMEM, "out of memory");
    if (vpo_read_vault_child(c, &p->id, &p->name, &p->source, &p->vault_id, &p->subscription_id))
        return c->r->status;
    return vpo_policy_read(c, p);
}

vp_status vpo_policy_read(vp_res_ctx *c, vp_policy *p)
{
    char props_p[512], rp[512], sp[512], vp[512], set_p[512];
    policy_build b = {c, p, {0}, 0};
    const cJSON *props = vpo_read_object(c, c->res, c->pointer, "properties", props_p, sizeof props_p);
    vpo_read_text(c, props, props_p, "backupManagementType", vpo_enum_management_type, &p->management_type);
    vpo_read_text(c, props, props_p, "workLoadType", vpo_enum_workload_type, &p->workload_type);
    vpo_read_text(c, props, props_p, "policyType", vpo_enum_policy_type, &p->policy_type);
    vpo_read_text(c, props, props_p, "timeZone", NULL, &p->time_zone);
    vpo_read_num(c, props, props_p, "protectedItemsCount", 0, 1LL << 40, &p->protected_items_count);
    const cJSON *sched = vpo_read_object(c, props, props_p, "schedulePolicy", sp, sizeof sp);
    vpo_read_text(c, sched, sp, "scheduleRunFrequency", NULL, &p->schedule_frequency);
    /* An IaaS VM policy listed without its top-level policyType (Microsoft's
     * v2-List-Policies example) is still told by its schedule: SimpleSchedulePolicyV2
     * exists only for Enhanced (V2) policies. Nothing else is inferred: a V1 schedule
     * type does not prove V1, so policy_type stays not reported. */
    if (p->policy_type.presence != VP_PRESENT && p->management_type.presence == VP_PRESENT &&
        !strcasecmp(p->management_type.value, "AzureIaasVM")) {
        vp_text sched_type;
        vpo_read_text(c, sched, sp, "schedulePolicyType", NULL, &sched_type);
        if (sched_type.presence == VP_PRESENT && !strcasecmp(sched_type.value, "SimpleSchedulePolicyV2")) {
            p->policy_type.value = "V2";
            p->policy_type.presence = VP_PRESENT;
            p->policy_type.unknown = 0;
        }
    }
    const cJSON *settings = vpo_read_object(c, props, props_p, "settings", set_p, sizeof set_p);
    if (p->time_zone.presence != VP_PRESENT)
        vpo_read_text(c, settings, set_p, "timeZone", NULL, &p->time_zone);
    if (c->r->status)
        goto out;

    /* An Azure Files (AzureStorage) policy's top-level retentionPolicy keeps share
     * SNAPSHOTS in the storage account, not backups in the vault: its tiers are
     * snapshot-daily, snapshot-weekly, ... and never count as long-term retention. Only
     * the vault tier (vaultRetentionPolicy.vaultRetention, newer api-versions) does;
     * without one, long_term_days stays unknown - not a vault backup. */
    b.share_snapshot = p->management_type.presence == VP_PRESENT && !strcasecmp(p->management_type.value, "AzureStorage");
    const cJSON *ret = vpo_read_object(c, props, props_p, "retentionPolicy", rp, sizeof rp);
    if (parse_retention(&b, NULL, ret, rp))
        goto out;
    b.share_snapshot = 0;
    const cJSON *vret = vpo_read_object(c, props, props_p, "vaultRetentionPolicy", vp, sizeof vp);
    if (vret) {
        char vr[512];
        const cJSON *inner = vpo_read_object(c, vret, vp, "vaultRetention", vr, sizeof vr);
        if (parse_retention(&b, NULL, inner, vr) || add_days_tier(&b, NULL, "snapshot", vret, vp, "snapshotRetentionInDays"))
            goto out;
    }
    if (add_days_tier(&b, NULL, "instant", props, props_p, "instantRpRetentionRangeInDays"))
        goto out;
    if (parse_sub_policies(&b, props, props_p))
        goto out;
    if (b.tiers.n == 0 && props) {
        p->unknown_retention = 1;
        vpo_warn(c->n, "retention-not-reported", c->file, props_p, "policy '%s' reports no retention tier",
                 p->name ? p->name : "(a request body)");
    }
out:
    p->tier_count = b.tiers.n;
    p->tiers = vpc_arena_alloc(&c->n->arena, (b.tiers.n + 1) * sizeof *p->tiers);
    if (p->tiers && b.tiers.n)
        memcpy(p->tiers, b.tiers.v, b.tiers.n * sizeof *p->tiers);
    free(b.tiers.v);
    if (!p->tiers)
        return vp_error_set(c->r->err, VP_ERR_NOMEM, "out of memory");
    summarize(p);
    return c->r->status;
}
