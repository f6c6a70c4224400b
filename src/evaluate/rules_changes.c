/* change.authorized: the period's changes that reduced backup protection, against the
 * config's change register (docs/changes.md). Only a snapshot with a period has changes:
 * without one the rule emits nothing (not applicable), so older findings keep their
 * findings. */
#include <string.h>
#include <strings.h>

#include "evaluate/internal.h"
#include "vaultproof/arm.h"
#include "vaultproof/clock.h"

/* Azure keeps the Activity Log 90 days (Microsoft Learn, "Azure Monitor activity log":
 * events are retained 90 days); older events cannot be collected any more. */
#define ACTIVITY_LOG_DAYS 90

/* The worst status of the snapshot's Activity Log calls; VP_LIST_MISSING when it has none. */
static vp_list_status activity_log_status(const vp_snapshot *s, size_t *calls)
{
    vp_list_status worst = VP_LIST_COMPLETE;
    *calls = 0;
    for (size_t i = 0; i < s->collection.list_count; i++) {
        const vp_list_call *l = &s->collection.lists[i];
        const vp_arm_operation *op = vp_arm_find(l->operation);
        if (op && op->kind == VP_ARM_KIND_EVENT) {
            (*calls)++;
            worst = vpe_list_min(worst, l->status);
        }
    }
    return *calls ? worst : VP_LIST_MISSING;
}

/* The UTC day of an RFC 3339 time ("2026-08-14"), into buf; "" when not a time. */
static const char *day_of(const char *t, char *buf, size_t size)
{
    long long e;
    buf[0] = '\0';
    if (t && vp_time_parse(t, &e) == 0 && vp_time_format(e, buf, size) && strlen(buf) >= 10)
        buf[10] = '\0';
    return buf;
}

/* The register entry that lists ch, or NULL. */
static const vp_change_entry *registered(const vp_eval_settings *e, const vp_change *ch)
{
    char day[32];
    day_of(ch->time, day, sizeof day);
    for (size_t i = 0; i < e->change_register_count; i++) {
        const vp_change_entry *r = &e->change_register[i];
        if (r->correlation_id ? ch->correlation_id && !strcasecmp(r->correlation_id, ch->correlation_id)
                              : ch->resource_id && !strcasecmp(r->resource_id, ch->resource_id) &&
                                    !strcasecmp(r->operation, ch->operation) && !strcmp(r->on_day, day))
            return r;
    }
    return NULL;
}

/* The latest baseline taken at or before the period's start: the "before" a reduction is
 * measured against when the period holds no earlier change of the same setting. */
static const vp_snapshot *baseline_before(vp_eval_ctx *c)
{
    const vp_snapshot *best = NULL;
    for (size_t b = 0; b < c->f->baseline_count; b++) { /* sorted oldest first */
        const vp_snapshot *s = c->f->baselines[b]->snapshot;
        long long t = vpe_epoch_of(s->collection.generated_at);
        if (t >= 0 && t <= c->s->collection.period.from)
            best = s;
    }
    return best;
}

static vp_draft change_draft(vp_eval_ctx *c, size_t i, const vp_change_class *k)
{
    const vp_change *ch = &c->s->changes[i];
    /* the kind as the resource name: the Changes sheet reads it from findings.json */
    vp_draft d = {.resource_type = "change", .resource_id = ch->id, .resource_name = vp_change_kind_name(k->kind)};
    d.observed = vpe_fmt(c, "%s: %s %s by %s at %s (correlation %s)", vp_change_kind_name(k->kind), ch->operation,
                         ch->status, ch->caller ? ch->caller : "an unknown caller", ch->time,
                         ch->correlation_id ? ch->correlation_id : "none");
    d.expected = "a protection-reducing change listed in the change register (ticket, approver, date)";
    d.snapshot_pointer = vpe_fmt(c, "/changes/%zu", i);
    d.raw_evidence = vpe_raw(c, &ch->source, NULL);
    return d;
}

void vpe_rule_change_authorized(vp_eval_ctx *c)
{
    const vp_snapshot *s = c->s;
    const vp_eval_settings *e = c->f->settings;
    size_t calls = 0;
    if (!s->collection.has_period)
        return; /* no period, no changes: not applicable */
    vp_list_status dep = activity_log_status(s, &calls);
    /* Azure keeps 90 days: what started before (collection - 90 days) can no longer be
     * read, and an empty log there is not evidence of no change (fail closed) */
    long long held_from = c->as_of - (long long)ACTIVITY_LOG_DAYS * 86400;
    if (c->as_of > 0 && s->collection.period.from < held_from) {
        char from[32], upto[32], asof[32];
        long long end = held_from < s->collection.period.to ? held_from : s->collection.period.to;
        vp_draft d = {.status = VP_INCOMPLETE, .resource_type = "period", .resource_id = "activity-log-aged-out",
                      .resource_name = "Activity Log"};
        d.observed = vpe_fmt(c, "the Activity Log of %s up to %s had aged out when collected (%s; Azure keeps %d days)",
                             vp_time_format(s->collection.period.from, from, sizeof from),
                             vp_time_format(end, upto, sizeof upto), vp_time_format(c->as_of, asof, sizeof asof),
                             ACTIVITY_LOG_DAYS);
        d.expected = "the whole period's Activity Log";
        d.note = "the uncovered part is in the bundles packed earlier in the period (see the ledger); collect within "
                 "90 days of the period's start";
        vpe_emit(c, &d, VP_LIST_INCOMPLETE);
    }
    const vp_snapshot *baseline = baseline_before(c);
    vp_change_index *ix = vp_change_index_new(s);
    if (!ix) {
        vp_draft d = {.status = VP_INCOMPLETE, .resource_type = "period", .resource_id = "activity-log",
                      .resource_name = "Activity Log", .observed = "out of memory classifying the changes"};
        vpe_emit(c, &d, VP_LIST_MISSING);
        return;
    }
    size_t of_days = (size_t)((s->collection.period.to - s->collection.period.from + 86399) / 86400);
    char failing_days[400] = {0}; /* a day of the period (index) with an unauthorized change; at most a year */
    size_t reducing = 0, registered_count = 0, blocked = 0;
    for (size_t i = 0; i < s->change_count; i++) {
        const vp_change *ch = &s->changes[i];
        vp_change_class k;
        vp_change_classify(ix, baseline, i, &k);
        if (!k.reduces && !k.blocked)
            continue; /* not a reduction (the Changes sheet lists every change) */
        vp_draft d = change_draft(c, i, &k);
        const vp_change_entry *r = k.reduces ? registered(e, ch) : NULL;
        reducing += k.reduces ? 1 : 0;
        registered_count += r ? 1 : 0;
        blocked += k.blocked ? 1 : 0;
        if (k.blocked) {
            d.status = VP_PASS;
            d.note = vpe_fmt(c, "blocked: the vault refused the attempt (%s%s%s) - the control operated; %s",
                             ch->error_code ? ch->error_code : "no error code",
                             ch->error_message ? ": " : "", ch->error_message ? ch->error_message : "", k.why);
        } else if (r) {
            d.status = VP_PASS;
            d.note = vpe_fmt(c, "registered: ticket %s approved by %s on %s (change_register/%zu); %s", r->ticket,
                             r->approver, r->date, r->index, k.why);
        } else {
            d.status = VP_FAIL;
            d.note = vpe_fmt(c, "not in the change register; %s", k.why);
            long long t = vpe_epoch_of(ch->time);
            size_t day = t >= s->collection.period.from ? (size_t)((t - s->collection.period.from) / 86400) : 0;
            if (day < sizeof failing_days)
                failing_days[day] = 1;
        }
        vpe_emit(c, &d, dep);
    }
    /* the period as a whole: what the log held, resting on every Activity Log call */
    vp_draft d = {.status = VP_PASS, .resource_type = "period", .resource_id = "activity-log",
                  .resource_name = "Activity Log",
                  .expected = "the period's Activity Log (Microsoft.RecoveryServices, Microsoft.DataProtection) "
                              "collected completely; every protection-reducing change registered"};
    if (!calls) {
        d.status = VP_INCOMPLETE;
        d.observed = "the snapshot has a period but no Activity Log call";
        d.note = "collect over the period with a vaultproof that reads the Activity Log";
    } else {
        d.observed = vpe_fmt(c, "%zu change(s) in the period: %zu reduced protection (%zu registered, %zu not), "
                                "%zu blocked attempt(s)", s->change_count, reducing, registered_count,
                             reducing - registered_count, blocked);
        d.status = reducing > registered_count ? VP_FAIL : VP_PASS;
    }
    vpe_emit(c, &d, dep);
    vp_change_index_free(ix);
    size_t ok_days = of_days;
    for (size_t i = 0; i < of_days && i < sizeof failing_days; i++)
        ok_days -= failing_days[i] ? 1 : 0;
    /* the control operated on the period's days without an unauthorized reduction */
    vpe_operated_days(c, ok_days, of_days);
}
