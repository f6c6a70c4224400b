/* Protected-item rules: critical items in Locked vaults, retention minimums,
 * protection state, the recovery point objective and, over the evidence period, backups
 * ran (backup.ran: the largest gap between successful backups). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "evaluate/internal.h"
#include "vaultproof/clock.h"
#include "vaultproof/retention.h"

#define DAY 86400LL

static int is(const vp_text *t, const char *value)
{
    return t->presence == VP_PRESENT && !strcasecmp(t->value, value);
}

static const char *day_of(long long epoch, char *buf, size_t size)
{
    vp_time_format(epoch, buf, size);
    buf[10 < size ? 10 : size - 1] = '\0';
    return buf;
}

static vp_draft item_draft(vp_eval_ctx *c, size_t i, const char *field, const char *raw_suffix, const char **names)
{
    const vp_item *it = &c->s->items[i];
    const vp_vm *vm = vp_info(c, it)->vm;
    vp_draft d = {.resource_type = "protected_item", .resource_id = it->id};
    d.resource_name = it->friendly_name.presence == VP_PRESENT ? it->friendly_name.value : it->name;
    d.snapshot_pointer = vpe_fmt(c, "/protected_items/%zu/%s", i, field);
    d.raw_evidence = raw_suffix ? vpe_raw(c, &it->source, raw_suffix) : NULL;
    size_t k = 0; /* other names an exemption's resource pattern may use */
    if (it->server.value)
        names[k++] = it->server.value;
    if (vm)
        names[k++] = vm->name;
    names[k++] = it->name;
    names[k] = NULL;
    d.match_names = names;
    return d;
}

static vp_list_status item_list(const vp_eval_ctx *c, const vp_item *it)
{
    const vp_vault *v = vp_info(c, it)->vault;
    return v ? v->lists[VP_ARM_LIST_ITEMS] : vpe_list_of(c->s, "backupProtectedItems", it->vault_id);
}

void vpe_rule_critical_items_locked(vp_eval_ctx *c)
{
    const vp_eval_settings *e = c->f->settings;
    char day[32];
    vp_arena_mark texts = vpe_turns_begin(c);
    for (size_t i = 0; i < c->s->item_count; i++) {
        vpe_turn(c, texts);
        const vp_item *it = &c->s->items[i];
        const char *names[4];
        if (!vp_info(c, it)->critical)
            continue;
        const vp_vault *v = vp_info(c, it)->vault;
        vp_draft d = item_draft(c, i, "vault_id", NULL, names);
        d.expected = "in a vault with immutability Locked";
        vp_list_status dep = item_list(c, it);
        if (!v) {
            d.status = VP_INCOMPLETE;
            d.observed = vpe_fmt(c, "vault %s was not in the vault list", it->vault_id);
            vpe_emit(c, &d, dep);
            continue;
        }
        d.raw_evidence = vpe_raw(c, &v->source, "/properties/securitySettings/immutabilitySettings/state");
        dep = vpe_list_min(dep, vpe_vault_list_status(c->s, v));
        int never = vp_vault_immutability_never_configured(v); /* as Disabled: the API says it was never set */
        d.observed = vpe_fmt(c, "vault %s, immutability %s", v->name,
                            v->immutability.presence == VP_PRESENT ? v->immutability.value
                            : never                                ? "never configured"
                                                                   : "not reported");
        if (is(&v->immutability, "Locked")) {
            d.status = VP_PASS;
        } else if (!never && (v->immutability.presence != VP_PRESENT || v->immutability.unknown)) {
            d.status = VP_INCOMPLETE;
            d.note = "the vault's immutability cannot be assessed from what the API returned";
        } else {
            const vp_vm *vm = vp_info(c, it)->vm;
            long long built = vm ? vpe_epoch_of(vm->time_created.value) : -1;
            long long until = built + e->hyper_care_days * DAY;
            if (built >= 0 && c->as_of < until) {
                d.status = VP_EXEMPT;
                d.note = vpe_fmt(c, "hyper-care: VM built %s, to move to the immutable vault by %s",
                                day_of(built, day, sizeof day), day_of(until, (char[32]){0}, 32));
            } else {
                d.status = VP_FAIL;
                if (built >= 0)
                    d.note = vpe_fmt(c, "VM built %s; hyper-care (%lld days) ended %s", day_of(built, day, sizeof day),
                                    e->hyper_care_days, day_of(until, (char[32]){0}, 32));
            }
        }
        vpe_emit(c, &d, dep);
    }
}

int vp_item_without_policy(const vp_item *item)
{
    return !item->policy_link || !strcmp(item->policy_link, "none");
}

/* ---- retention ---- */

static int granularity(const char *tier)
{
    if (!strcmp(tier, "daily") || !strcmp(tier, "simple"))
        return 0;
    if (!strcmp(tier, "weekly"))
        return 1;
    if (!strcmp(tier, "monthly"))
        return 2;
    if (!strcmp(tier, "yearly"))
        return 3;
    return -1; /* instant and snapshot copies are not long-term retention */
}

/* Tiers that keep full recovery points: Full sub-policies when the policy has them. */
static int primary(const vp_policy *p, const vp_retention_tier *t)
{
    int has_full = 0;
    for (size_t i = 0; i < p->tier_count; i++)
        has_full |= p->tiers[i].sub_policy && !strcasecmp(p->tiers[i].sub_policy, "Full");
    if (has_full)
        return t->sub_policy && !strcasecmp(t->sub_policy, "Full");
    return !t->sub_policy || strcasecmp(t->sub_policy, "Log") != 0;
}

/* The strictest minimum of every retention rule that applies to the item. */
static vp_retention_minimum required_for(const vp_eval_settings *e, const vp_item_info *info, const vp_item *it,
                                         char *classes, size_t size)
{
    vp_retention_minimum m = {-1, -1, -1, -1};
    size_t n = 0;
    classes[0] = '\0';
    for (size_t r = 0; r < e->retention_count; r++) {
        const vp_retention_rule *rule = &e->retention[r];
        int applies = !strcmp(rule->class_name, "default");
        for (size_t k = 0; k < e->class_count && !applies; k++)
            applies = !strcmp(e->classes[k].name, rule->class_name) && (info->classes >> k & 1);
        if (!applies || (rule->kind && strcmp(rule->kind, it->kind) != 0))
            continue;
        if (!strstr(classes, rule->class_name))
            n += (size_t)snprintf(classes + n, n < size ? size - n : 0, "%s%s", n ? "+" : "", rule->class_name);
        const long long *src[] = {&rule->minimum.daily_days, &rule->minimum.weekly_weeks, &rule->minimum.monthly_months,
                                  &rule->minimum.yearly_years};
        long long *dst[] = {&m.daily_days, &m.weekly_weeks, &m.monthly_months, &m.yearly_years};
        for (int k = 0; k < 4; k++)
            if (*src[k] > *dst[k])
                *dst[k] = *src[k];
    }
    return m;
}

long long vpe_required_days(vp_eval_ctx *c, const vp_item *it, char *classes, size_t size)
{
    static const char *const units[] = {"Days", "Weeks", "Months", "Years"};
    vp_retention_minimum m = required_for(c->f->settings, vp_info(c, it), it, classes, size);
    long long req[4] = {m.daily_days, m.weekly_weeks, m.monthly_months, m.yearly_years}, longest = -1, days;
    for (int g = 0; g < 4; g++)
        if (req[g] >= 0 && vp_retention_days(req[g], units[g], &days) == 0 && days > longest)
            longest = days;
    return longest;
}

static void describe_tiers(const vp_policy *p, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < p->tier_count && n < size; i++) {
        const vp_retention_tier *t = &p->tiers[i];
        if (granularity(t->tier) < 0 || !primary(p, t))
            continue;
        n += (size_t)snprintf(buf + n, size - n, "%s%s %lld %s", n ? ", " : "", t->tier, t->count,
                              t->unit ? t->unit : "?");
    }
    if (!n)
        snprintf(buf, size, "no long-term tier");
}

void vpe_rule_retention_minimum(vp_eval_ctx *c)
{
    static const char *const names[] = {"daily", "weekly", "monthly", "yearly"};
    static const char *const units[] = {"Days", "Weeks", "Months", "Years"};
    const vp_eval_settings *e = c->f->settings;
    char classes[256], tiers[512], want[512];
    vp_arena_mark texts = vpe_turns_begin(c);
    for (size_t i = 0; i < c->s->item_count; i++) {
        vpe_turn(c, texts);
        const vp_item *it = &c->s->items[i];
        const char *mnames[4];
        vp_retention_minimum m = required_for(e, vp_info(c, it), it, classes, sizeof classes);
        long long req[4] = {m.daily_days, m.weekly_weeks, m.monthly_months, m.yearly_years}, req_days[4];
        size_t n = 0;
        want[0] = '\0';
        for (int g = 0; g < 4; g++) {
            req_days[g] = -1;
            if (req[g] < 0)
                continue;
            vp_retention_days(req[g], units[g], &req_days[g]);
            n += (size_t)snprintf(want + n, n < sizeof want ? sizeof want - n : 0, "%s%s >= %lld %s (%lld d)",
                                  n ? ", " : "", names[g], req[g], units[g], req_days[g]);
        }
        vp_draft d = item_draft(c, i, "policy", "/properties/policyId", mnames);
        d.expected = vpe_fmt(c, "%s: %s", classes[0] ? classes : "no class", n ? want : "no minimum configured");
        vp_list_status dep = item_list(c, it);
        const vp_vault *v = vp_info(c, it)->vault;
        if (v)
            dep = vpe_list_min(dep, v->lists[VP_ARM_LIST_POLICIES]);
        if (!n) {
            d.status = VP_NOT_APPLICABLE;
            d.observed = "no retention minimum applies";
            vpe_emit(c, &d, VP_LIST_COMPLETE);
            continue;
        }
        if (vp_item_without_policy(it)) {
            d.status = VP_NOT_APPLICABLE;
            d.observed = "no backup policy";
            d.note = !strcmp(it->kind, "dpm") || !strcmp(it->kind, "azure_backup_server")
                         ? "DPM and Azure Backup Server keep retention on the server, outside Azure's policies: "
                           "verify it there"
                         : "no policy is assigned (protection stopped or not configured): see protection.state";
            vpe_emit(c, &d, VP_LIST_COMPLETE);
            continue;
        }
        const vp_policy *p = vp_info(c, it)->policy;
        if (!p) {
            d.status = VP_INCOMPLETE;
            d.observed = vpe_fmt(c, "policy %s is not in the snapshot", it->policy_id.value);
            d.note = "the item names a policy its vault's policy list does not contain: its retention is unknown";
            vpe_emit(c, &d, dep);
            continue;
        }
        describe_tiers(p, tiers, sizeof tiers);
        d.observed = vpe_fmt(c, "%s: %s", p->name, tiers);
        d.raw_evidence = vpe_raw(c, &p->source, "/properties");
        d.status = VP_PASS;
        char shortfalls[512];
        size_t sn = 0;
        shortfalls[0] = '\0';
        for (int g = 0; g < 4; g++) { /* every tier short of its minimum is named, not only the first */
            if (req_days[g] < 0)
                continue;
            int met = req_days[g] == 0; /* a finer tier kept as long also keeps a point per coarser period */
            for (size_t t = 0; t < p->tier_count && !met; t++) {
                const vp_retention_tier *tier = &p->tiers[t];
                int gr = granularity(tier->tier);
                met = gr >= 0 && gr <= g && primary(p, tier) && tier->days >= req_days[g];
            }
            if (!met)
                sn += (size_t)snprintf(shortfalls + sn, sn < sizeof shortfalls ? sizeof shortfalls - sn : 0,
                                       "%s%s retention of %lld %s", sn ? ", " : "", names[g], req[g], units[g]);
        }
        if (sn) {
            d.status = p->unknown_retention ? VP_INCOMPLETE : VP_FAIL;
            d.note = vpe_fmt(c, "%s not met%s", shortfalls,
                            p->unknown_retention ? "; the policy has a tier vaultproof could not convert" : "");
        }
        vpe_emit(c, &d, dep);
    }
}

/* ---- protection state and RPO ---- */

static int active_state(const vp_item *it)
{
    return it->protection_state.presence == VP_PRESENT && !it->protection_state.unknown &&
           !is(&it->protection_state, "ProtectionStopped") && !(it->deferred_delete.presence == VP_PRESENT &&
                                                                 it->deferred_delete.value);
}

/* How long deleted backup data stays recoverable after it expires, and where that figure
 * comes from: the item's vault (softDeleteRetentionPeriodInDays; 0 when soft delete is
 * Disabled), else the rule's soft_delete_tail_days. */
static long long soft_delete_tail(vp_eval_ctx *c, const vp_item *it, const char **from)
{
    const vp_vault *v = vp_info(c, it)->vault;
    if (v && is(&v->soft_delete, "Disabled")) {
        *from = vpe_fmt(c, "vault %s has soft delete Disabled", v->name);
        return 0;
    }
    if (v && v->soft_delete_days.presence == VP_PRESENT) {
        *from = vpe_fmt(c, "vault %s's soft-delete retention", v->name);
        return v->soft_delete_days.value;
    }
    *from = v ? vpe_fmt(c, "vault %s does not report its soft-delete retention: rule default", v->name)
              : "its vault was not listed: rule default";
    return vpe_param_int(c, "soft_delete_tail_days");
}

/* The item's health (healthStatus, or protectedItemHealthStatus for workload items):
 * Passed/Healthy pass, ActionSuggested warns, ActionRequired/Unhealthy/NotReachable fail,
 * Invalid or an undocumented value cannot be assessed. Item kinds whose API reports no
 * health (DPM, Azure Backup Server, MARS) are judged on their protection state alone, and
 * the finding says so. */
static vp_finding_status health(const vp_item *it)
{
    const vp_text *h = &it->health_status;
    if (h->presence != VP_PRESENT || is(h, "Passed") || is(h, "Healthy"))
        return VP_PASS;
    if (is(h, "ActionSuggested"))
        return VP_WARN;
    if (is(h, "ActionRequired") || is(h, "Unhealthy") || is(h, "NotReachable"))
        return VP_FAIL;
    return VP_INCOMPLETE; /* Invalid, IRPending, or a value the API does not document */
}

void vpe_rule_protection_state(vp_eval_ctx *c)
{
    char day[32];
    vp_arena_mark texts = vpe_turns_begin(c);
    for (size_t i = 0; i < c->s->item_count; i++) {
        vpe_turn(c, texts);
        const vp_item *it = &c->s->items[i];
        const char *names[4];
        vp_draft d = item_draft(c, i, "protection_state", "/properties/protectionState", names);
        d.expected = "Protected, health Passed or Healthy";
        vp_list_status dep = item_list(c, it);
        const vp_text *st = &it->protection_state;
        if (st->presence != VP_PRESENT || st->unknown) {
            d.status = VP_INCOMPLETE;
            d.observed = st->presence == VP_PRESENT ? vpe_fmt(c, "%s (a value the API does not document)", st->value)
                                                    : "not reported by the API";
            vpe_emit(c, &d, dep);
            continue;
        }
        const char *h = it->health_status.presence == VP_PRESENT ? it->health_status.value : "not reported";
        d.observed = vpe_fmt(c, "%s, health %s", st->value, h);
        if (it->deferred_delete.presence == VP_PRESENT && it->deferred_delete.value) {
            const char *from;
            long long tail = soft_delete_tail(c, it, &from);
            d.status = VP_WARN;
            d.observed = vpe_fmt(c, "%s, soft-deleted", st->value);
            d.note = vpe_fmt(c, "backup data deleted %s; recoverable until purged %lld days later (%s)",
                            it->deferred_delete_time.value ? it->deferred_delete_time.value : "(time not reported)",
                            tail, from);
        } else if (is(st, "Protected")) {
            d.status = health(it);
            if (d.status != VP_PASS) {
                d.raw_evidence = vpe_raw(c, &it->source, "/properties/healthStatus");
                d.note = d.status == VP_INCOMPLETE
                             ? vpe_fmt(c, "health %s: whether backups are healthy cannot be assessed", h)
                             : vpe_fmt(c, "health %s: Azure Backup reports %s on this item (healthDetails, when the "
                                              "API gives them, are in the raw response)", h,
                                           d.status == VP_WARN ? "a suggested action" : "an action required");
            } else if (it->health_status.presence != VP_PRESENT) {
                d.note = "the API reports no health for this item kind: judged on its protection state";
            }
        } else if (is(st, "IRPending")) {
            d.status = VP_WARN;
            d.note = "initial backup pending";
        } else if (is(st, "ProtectionStopped")) {
            int retained = it->last_recovery_point.presence == VP_PRESENT ||
                           (it->recovery_point_count.presence == VP_PRESENT && it->recovery_point_count.value > 0);
            const vp_policy *p = vp_info(c, it)->policy;
            long long last = vpe_epoch_of(it->last_recovery_point.value);
            const char *from;
            long long tail = soft_delete_tail(c, it, &from);
            d.status = retained ? VP_WARN : VP_NOT_APPLICABLE;
            if (!retained)
                d.note = "protection stopped, no retained data reported";
            else if (p && p->long_term_days >= 0 && last >= 0)
                d.note = vpe_fmt(c, "protection stopped, data retained: last recovery point %s expires about %s, then "
                                   "%lld days of soft delete (%s; until about %s)", it->last_recovery_point.value,
                                day_of(last + p->long_term_days * DAY, day, sizeof day), tail, from,
                                day_of(last + (p->long_term_days + tail) * DAY, (char[32]){0}, 32));
            else
                d.note = vpe_fmt(c, "protection stopped, data retained (last recovery point %s); its expiry depends on "
                                   "the retention it was taken with, which the API no longer reports, plus %lld days "
                                   "of soft delete (%s)",
                                it->last_recovery_point.value ? it->last_recovery_point.value : "not reported", tail,
                                from);
        } else {
            d.status = VP_FAIL; /* ProtectionError, ProtectionPaused, BackupsSuspended, Invalid */
        }
        vpe_emit(c, &d, dep);
    }
}

/* Whether lastBackupStatus says the last backup succeeded: "Completed", "Succeeded" or
 * "CompletedWithWarnings" (IaaS VM, file share, MARS jobs' spelling) or "Healthy"
 * (SQL/SAP HANA workload items' LastBackupStatus enum). */
static int backup_succeeded(const vp_item *it)
{
    return is(&it->last_backup_status, "Completed") || is(&it->last_backup_status, "Succeeded") ||
           is(&it->last_backup_status, "CompletedWithWarnings") || is(&it->last_backup_status, "Healthy");
}

/* The RPO is measured on the last successful backup, the same way for every item kind:
 * the later of the last recovery point (what can be restored; the only time DPM and
 * Azure Backup Server items report) and the last backup time when - and only when - its
 * status is a success. A failed backup's time says nothing about what can be restored. */
void vpe_rule_rpo(vp_eval_ctx *c)
{
    long long rpo = c->f->settings->rpo_hours;
    vp_arena_mark texts = vpe_turns_begin(c);
    for (size_t i = 0; i < c->s->item_count; i++) {
        vpe_turn(c, texts);
        const vp_item *it = &c->s->items[i];
        const char *names[4];
        if (!active_state(it))
            continue; /* stopped, soft-deleted or unassessable items: protection.state reports them */
        const vp_text *rp = &it->last_recovery_point, *bt = &it->last_backup_time;
        long long rp_at = vp_time_is_never(rp->value) ? -1 : vpe_epoch_of(rp->value);
        long long bt_at = backup_succeeded(it) && !vp_time_is_never(bt->value) ? vpe_epoch_of(bt->value) : -1;
        int from_rp = bt_at < 0 || (rp_at >= 0 && rp_at > bt_at);
        const vp_text *t = from_rp ? rp : bt;
        long long when = from_rp ? rp_at : bt_at;
        vp_draft d = item_draft(c, i, from_rp ? "last_recovery_point" : "last_backup_time",
                                from_rp ? "/properties/lastRecoveryPoint" : "/properties/lastBackupTime", names);
        d.expected = vpe_fmt(c, "a successful backup (recovery point) within %lld h before %s", rpo, c->f->as_of_text);
        /* the last attempt, when it is not the success measured: an auditor sees why it is older */
        const char *attempt =
            bt->presence == VP_PRESENT && !backup_succeeded(it) && !vp_time_is_never(bt->value)
                ? vpe_fmt(c, "; last backup attempt %s, status %s", bt->value,
                          it->last_backup_status.presence == VP_PRESENT && *it->last_backup_status.value
                              ? it->last_backup_status.value : "not reported")
                : "";
        if (when >= 0) {
            long long age = c->as_of - when;
            d.observed = vpe_fmt(c, "%s (%lld.%lld h before capture), %s%s", t->value, age / 3600,
                                 (age % 3600) * 10 / 3600, from_rp ? "last recovery point" : "last successful backup",
                                 attempt);
            d.status = age <= rpo * 3600 ? VP_PASS : VP_FAIL;
        } else if (vp_time_is_never(rp->value) || (rp->presence != VP_PRESENT && vp_time_is_never(bt->value))) {
            d.status = is(&it->protection_state, "IRPending") ? VP_WARN : VP_FAIL;
            d.observed = vpe_fmt(c, "no backup yet (%s)", rp->presence == VP_PRESENT ? rp->value : bt->value);
        } else {
            d.status = VP_INCOMPLETE;
            d.observed = vpe_fmt(c, "no successful backup time reported (last recovery point %s%s)",
                                 rp->presence == VP_PRESENT ? rp->value : "not reported", attempt);
            d.note = "the age of the last restorable backup cannot be assessed from what the API returned";
        }
        vpe_emit(c, &d, item_list(c, it));
    }
}

/* ---- over the evidence period: backups ran ---- */

/* "49.0 h": hours with one decimal, as backup.rpo prints ages. */
static const char *hours(vp_eval_ctx *c, long long seconds)
{
    return vpe_fmt(c, "%lld.%lld h", seconds / 3600, (seconds % 3600) * 10 / 3600);
}

/* The failed backups of the item, each with its error and when the next success came. */
static const char *failure_list(vp_eval_ctx *c, const vp_tl_item *ti)
{
    char buf[1536], t1[32];
    size_t n = 0, shown = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < ti->failed_count && n < sizeof buf - 200; k++, shown++) {
        const vp_tl_job *j = &ti->failed[k];
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s %s (%s%s%s)", k ? "; " : "", vp_time_format(j->start, t1, sizeof t1),
                              j->status ? j->status : "?", *j->error_codes ? "error " : "no error code",
                              j->error_codes, j->error_message ? vpe_fmt(c, ": %s", j->error_message) : "");
        if (n < sizeof buf)
            n += (size_t)snprintf(buf + n, sizeof buf - n, j->next_success >= 0 ? ", resolved after %s" : ", unresolved",
                                  j->next_success >= 0 ? hours(c, j->next_success - j->start) : "");
    }
    if (shown < ti->failed_count && n < sizeof buf)
        snprintf(buf + n, sizeof buf - n, "; and %zu more (the workbook's Failures sheet lists them all)",
                 ti->failed_count - shown);
    return vpe_fmt(c, "%s", buf);
}

/* Why a snapshot over a period has no timeline: not kept, or not given. */
static const char *no_jobs_note(const vp_eval_ctx *c)
{
    return c->s->collection.jobs_sha256[0] ? "the jobs stream was not given: evaluate --jobs FILE (the file the "
                                             "snapshot's collection.jobs names)"
                                           : "jobs were counted, not kept: collect with --jobs-out";
}

void vpe_rule_backup_ran(vp_eval_ctx *c)
{
    const vp_snapshot *s = c->s;
    const vp_timeline *t = c->f->timeline;
    /* a job's end wanders by its run time: recovery points of a daily schedule are 24 h
     * apart by design and 24 h plus some minutes apart by their jobs' ends */
    long long slack = vpe_param_int(c, "slack_minutes") * 60;
    long long rpo = c->f->settings->rpo_hours * 3600 + slack;
    char t1[32], t2[32];
    if (!s->collection.has_period)
        return; /* no period, no finding: findings without one keep their bytes */
    size_t window = t ? vp_timeline_window_days(t) : 0, failed_days = 0;
    unsigned char *days = t ? calloc(vp_timeline_day_count(t) + 1, 1) : NULL;
    vp_arena_mark texts = vpe_turns_begin(c);
    for (size_t i = 0; i < s->item_count; i++) {
        vpe_turn(c, texts);
        const vp_item *it = &s->items[i];
        const vp_vault *v = vp_info(c, it)->vault;
        const char *names[4];
        if (!active_state(it))
            continue; /* stopped, soft-deleted or unassessable items: protection.state reports them */
        vp_draft d = item_draft(c, i, "friendly_name", NULL, names);
        d.expected = vpe_fmt(c, "a successful backup at least every %lld h (+ %lld min for the jobs' run time) over %s "
                             "to %s (largest gap within the RPO)",
                             c->f->settings->rpo_hours, slack / 60, vp_time_format(s->collection.period.from, t1, sizeof t1),
                             vp_time_format(t ? vp_timeline_window_end(t) : s->collection.period.to, t2, sizeof t2));
        vp_list_status dep = vpe_list_min(item_list(c, it), v ? v->lists[VP_ARM_LIST_JOBS] : VP_LIST_MISSING);
        if (!t || !days) {
            d.status = VP_INCOMPLETE;
            d.observed = "no jobs stream";
            d.note = no_jobs_note(c);
            vpe_emit(c, &d, dep);
            continue;
        }
        const vp_tl_item facts = vp_timeline_item(t, i), *ti = &facts;
        failed_days += vp_timeline_breach_days(t, i, rpo, days);
        if (ti->failed_count)
            d.raw_evidence = vpe_fmt(c, "%s#%s", ti->failed[0].source_file ? ti->failed[0].source_file : "",
                                     ti->failed[0].source_pointer ? ti->failed[0].source_pointer : "");
        if (ti->backups == 0 && ti->ambiguous) {
            d.status = VP_INCOMPLETE; /* its jobs may be among them: never guessed, never failed on a guess */
            d.observed = vpe_fmt(c, "no backup job matched; %zu job%s of the vault name another item alike", ti->ambiguous,
                                 ti->ambiguous == 1 ? "" : "s");
            d.note = "jobs are matched to an item by vault and name; a name several items share (a database on two "
                     "servers) cannot be matched unless the job names the server (\"<name> (<server>)\")";
        } else if (ti->backups == 0) {
            d.status = dep == VP_LIST_COMPLETE ? VP_FAIL : VP_INCOMPLETE;
            d.observed = "no backup job in the period";
            if (d.status == VP_INCOMPLETE)
                d.note = vpe_fmt(c, "the vault's job list is %s: the jobs may exist but were not collected",
                                 vp_list_status_name(dep));
        } else {
            d.observed = vpe_fmt(c, "largest gap %s (%s to %s); %zu of %zu backups succeeded (%.1f%%)%s%s",
                                 hours(c, ti->gap), vp_time_format(ti->gap_from, t1, sizeof t1),
                                 vp_time_format(ti->gap_to, t2, sizeof t2), ti->successes, ti->backups,
                                 100.0 * (double)ti->successes / (double)ti->backups,
                                 ti->failed_count ? "; failed: " : "", ti->failed_count ? failure_list(c, ti) : "");
            d.status = ti->gap <= rpo ? VP_PASS : VP_FAIL;
        }
        if (v && vp_timeline_aged_out(t, (size_t)(v - s->vaults)) && d.status != VP_PASS) {
            d.status = VP_INCOMPLETE;
            d.note = vpe_fmt(c, "Azure no longer holds the start of the period for vault %s (its first job starts %s, "
                             "more than 48 h after the period's start): the earlier evidence bundles of the ledger, or "
                             "collect --import-jobs with a Log Analytics export, "
                             "hold the jobs before it", v->name,
                             vp_time_format(vp_timeline_vault(t, (size_t)(v - s->vaults))->earliest_start, t1, sizeof t1));
        }
        vpe_emit(c, &d, dep);
    }
    vpe_operated_days(c, window - (failed_days < window ? failed_days : window), window);
    free(days);
}
