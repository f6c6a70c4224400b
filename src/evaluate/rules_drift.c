/* Drift across the period: the current snapshot against every baseline, oldest first. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "evaluate/internal.h"

static int no_baselines(vp_eval_ctx *c)
{
    if (c->f->baseline_count)
        return 0;
    vp_draft d = {.status = VP_NOT_APPLICABLE, .resource_type = "period", .resource_id = "baselines",
                  .resource_name = "period", .observed = "no baseline snapshots given",
                  .expected = "snapshots from earlier in the period (--baseline)"};
    vpe_emit(c, &d, VP_LIST_COMPLETE);
    return 1;
}

static int rank(const vp_text *t)
{
    if (t->presence != VP_PRESENT || t->unknown)
        return -1;
    return !strcasecmp(t->value, "Locked") ? 2 : !strcasecmp(t->value, "Unlocked") ? 1 : 0;
}

/* A vault whose immutability was never configured ranks as Disabled: Locked -> never
 * configured is a downgrade, not an unknown. */
static int vault_rank(const vp_vault *v)
{
    return vp_vault_immutability_never_configured(v) ? 0 : rank(&v->immutability);
}

static const char *vault_state(const vp_vault *v)
{
    return v->immutability.presence == VP_PRESENT ? v->immutability.value
           : vp_vault_immutability_never_configured(v) ? "never configured"
                                                  : "not reported";
}

static const char *when(const vp_snapshot *s)
{
    return s->collection.captured_to ? s->collection.captured_to : s->collection.generated_at;
}

void vpe_rule_drift_immutability(vp_eval_ctx *c)
{
    if (no_baselines(c))
        return;
    for (size_t i = 0; i < c->s->vault_count; i++) {
        const vp_vault *v = &c->s->vaults[i];
        char trail[1024];
        size_t n = 0, seen = 0;
        int best = -1, down = 0;
        vp_draft d = {.resource_type = "vault", .resource_id = v->id, .resource_name = v->name,
                      .expected = "immutability never lower than earlier in the period (Disabled < Unlocked < Locked)"};
        d.snapshot_pointer = vpe_fmt(c, "/vaults/%zu/immutability", i);
        trail[0] = '\0';
        for (size_t b = 0; b <= c->f->baseline_count; b++) {
            const vp_snapshot *s = b < c->f->baseline_count ? c->f->baselines[b]->snapshot : c->s;
            const vp_vault *bv = b < c->f->baseline_count ? vp_snapshot_find_vault(s, v->id) : v;
            if (!bv)
                continue;
            int r = vault_rank(bv);
            seen++;
            n += (size_t)snprintf(trail + n, n < sizeof trail ? sizeof trail - n : 0, "%s%s %s", n ? " -> " : "",
                                  when(s), vault_state(bv));
            if (r >= 0 && best >= 0 && r < best)
                down = 1;
            if (r > best)
                best = r;
        }
        d.observed = vpe_fmt(c, "%s", trail);
        d.status = seen < 2 ? VP_NOT_APPLICABLE : down ? VP_FAIL : VP_PASS;
        if (seen < 2)
            d.note = "not in any baseline: new in the period";
        vpe_emit(c, &d, vpe_vault_list_status(c->s, v));
    }
}

/* The tier of p that matches t (same sub-policy and tier), or NULL. */
static const vp_retention_tier *same_tier(const vp_policy *p, const vp_retention_tier *t)
{
    for (size_t i = 0; i < p->tier_count; i++) {
        const vp_retention_tier *x = &p->tiers[i];
        int same_sub = (!x->sub_policy && !t->sub_policy) || (x->sub_policy && t->sub_policy && !strcasecmp(x->sub_policy, t->sub_policy));
        if (same_sub && !strcmp(x->tier, t->tier))
            return x;
    }
    return NULL;
}

void vpe_rule_drift_retention(vp_eval_ctx *c)
{
    if (no_baselines(c))
        return;
    for (size_t i = 0; i < c->s->policy_count; i++) {
        const vp_policy *p = &c->s->policies[i];
        const char *reduced = NULL;
        size_t compared = 0;
        for (size_t b = 0; b < c->f->baseline_count && !reduced; b++) {
            const vp_snapshot *bs = c->f->baselines[b]->snapshot;
            const vp_policy *old = vp_snapshot_find_policy(bs, p->id);
            if (!old)
                continue;
            compared++;
            for (size_t t = 0; t < old->tier_count && !reduced; t++) {
                const vp_retention_tier *was = &old->tiers[t], *now = same_tier(p, was);
                if (was->days < 0)
                    continue;
                if (!now)
                    reduced = vpe_fmt(c, "%s%s%s tier of %lld %s (%s) removed", was->sub_policy ? was->sub_policy : "",
                                     was->sub_policy ? " " : "", was->tier, was->count, was->unit, when(bs));
                else if (now->days >= 0 && now->days < was->days)
                    reduced = vpe_fmt(c, "%s%s%s: %lld %s (%s) -> %lld %s", was->sub_policy ? was->sub_policy : "",
                                     was->sub_policy ? " " : "", was->tier, was->count, was->unit, when(bs), now->count,
                                     now->unit);
            }
        }
        vp_draft d = {.resource_type = "backup_policy", .resource_id = p->id, .resource_name = p->name,
                      .expected = "every retention tier kept at least as long as earlier in the period"};
        d.snapshot_pointer = vpe_fmt(c, "/policies/%zu/retention", i);
        d.raw_evidence = vpe_raw(c, &p->source, "/properties");
        if (!compared) {
            d.status = VP_NOT_APPLICABLE;
            d.observed = "not in any baseline: new in the period";
        } else if (reduced) {
            d.status = VP_FAIL;
            d.observed = reduced;
        } else {
            d.status = VP_PASS;
            d.observed = vpe_fmt(c, "unchanged or longer across %zu earlier snapshot(s)", compared);
        }
        const vp_vault *v = vp_snapshot_find_vault(c->s, p->vault_id);
        vpe_emit(c, &d, v ? v->lists[VP_ARM_LIST_POLICIES] : VP_LIST_MISSING);
    }
}

static long long long_term_of(const vp_snapshot *s, const vp_item *it)
{
    const vp_policy *p = it->policy_id.presence == VP_PRESENT ? vp_snapshot_find_policy(s, it->policy_id.value) : NULL;
    return p ? p->long_term_days : -1;
}

void vpe_rule_drift_item_policy(vp_eval_ctx *c)
{
    if (no_baselines(c))
        return;
    for (size_t i = 0; i < c->s->item_count; i++) {
        const vp_item *it = &c->s->items[i];
        long long now = long_term_of(c->s, it);
        const char *weaker = NULL;
        size_t compared = 0;
        for (size_t b = 0; b < c->f->baseline_count && !weaker; b++) {
            const vp_snapshot *bs = c->f->baselines[b]->snapshot;
            const vp_item *old = vp_snapshot_find_item(bs, it->id);
            long long was = old ? long_term_of(bs, old) : -1;
            if (!old || was < 0)
                continue;
            compared++;
            if (now < was)
                weaker = vpe_fmt(c, "%s (%lld d, %s) -> %s (%s)", old->policy_name.value ? old->policy_name.value : "?", was,
                                when(bs), it->policy_name.value ? it->policy_name.value : "no policy",
                                now >= 0 ? vpe_fmt(c, "%lld d", now) : "no long-term retention");
        }
        if (!compared)
            continue; /* new item or never on a policy: nothing to compare, nothing to report */
        vp_draft d = {.resource_type = "protected_item", .resource_id = it->id,
                      .resource_name = it->friendly_name.value ? it->friendly_name.value : it->name,
                      .expected = "long-term retention not lower than earlier in the period"};
        d.snapshot_pointer = vpe_fmt(c, "/protected_items/%zu/policy", i);
        d.raw_evidence = vpe_raw(c, &it->source, "/properties/policyId");
        d.status = weaker ? VP_FAIL : VP_PASS;
        d.observed = weaker ? weaker : vpe_fmt(c, "policy %s kept or strengthened", it->policy_name.value ? it->policy_name.value : "?");
        const vp_vault *v = vp_info(c, it)->vault;
        vpe_emit(c, &d, v ? v->lists[VP_ARM_LIST_ITEMS] : VP_LIST_MISSING);
    }
}

/* What identifies a workload across vaults: its source resource, else server + name. */
static const char *workload_key(const vp_item *it, char *buf, size_t size)
{
    if (it->source_resource_id.presence == VP_PRESENT)
        snprintf(buf, size, "%s|%s", it->source_resource_id.value, it->friendly_name.value ? it->friendly_name.value : "");
    else
        snprintf(buf, size, "%s|%s", it->server.value ? it->server.value : "", it->friendly_name.value ? it->friendly_name.value : it->name);
    return buf;
}

static int in_locked_vault(const vp_snapshot *s, const vp_item *it)
{
    const vp_vault *v = vp_snapshot_find_vault(s, it->vault_id);
    return v && vault_rank(v) == 2;
}

void vpe_rule_drift_left_locked(vp_eval_ctx *c)
{
    if (no_baselines(c))
        return;
    const vp_snapshot *latest = c->f->baselines[c->f->baseline_count - 1]->snapshot;
    /* judged against the latest baseline: an item locked then must be locked now */
    for (size_t i = 0; i < latest->item_count; i++) {
        const vp_item *old = &latest->items[i];
        char key[2048], other[2048];
        if (!in_locked_vault(latest, old))
            continue;
        workload_key(old, key, sizeof key);
        const vp_item *now = vp_snapshot_find_item(c->s, old->id);
        for (size_t k = 0; !now && k < c->s->item_count; k++)
            if (!strcasecmp(workload_key(&c->s->items[k], other, sizeof other), key))
                now = &c->s->items[k];
        vp_draft d = {.resource_type = "protected_item", .resource_id = old->id,
                      .resource_name = old->friendly_name.value ? old->friendly_name.value : old->name,
                      .expected = "still backed up to a Locked vault (or decommissioned)"};
        const vp_vault *was = vp_snapshot_find_vault(latest, old->vault_id);
        if (now && in_locked_vault(c->s, now)) {
            d.status = VP_PASS;
            d.observed = "still in a Locked vault";
        } else if (now) {
            const vp_vault *v = vp_snapshot_find_vault(c->s, now->vault_id);
            d.status = VP_FAIL;
            d.observed = vpe_fmt(c, "moved from %s (Locked, %s) to %s (%s)", was ? was->name : "?", when(latest),
                                v ? v->name : now->vault_id,
                                v && v->immutability.value ? v->immutability.value : "immutability not reported");
        } else {
            int gone = 0;
            for (size_t k = 0; k < c->f->settings->decommission_count && !gone; k++)
                gone = !strcasecmp(c->f->settings->decommissioned[k].server, d.resource_name) ||
                       (old->server.value && !strncasecmp(old->server.value, c->f->settings->decommissioned[k].server,
                                                          strlen(c->f->settings->decommissioned[k].server)));
            d.status = gone ? VP_PASS : VP_WARN;
            d.observed = gone ? "no longer backed up: decommissioned" : "no longer backed up";
        }
        if (now)
            d.snapshot_pointer = vpe_fmt(c, "/protected_items/%zu", (size_t)(now - c->s->items));
        vpe_emit(c, &d, vpe_all_item_lists(c->s));
    }
}

/* Whether vault id is in a baseline newer than b (then that baseline reports it). */
static int in_later_baseline(const vp_eval_ctx *c, size_t b, const char *id)
{
    for (size_t k = b + 1; k < c->f->baseline_count; k++)
        if (vp_snapshot_find_vault(c->f->baselines[k]->snapshot, id))
            return 1;
    return 0;
}

/* A vault of a baseline that the current snapshot lacks: soft-deleted (found among the
 * deleted vaults of its location), gone (that list was complete and does not hold it) or
 * unknown (the list was not made, or the current vault list itself is not complete). */
static void judge_missing_vault(vp_eval_ctx *c, const vp_snapshot *bs, const vp_vault *bv)
{
    char loc[128] = "", scope[512];
    int held = bv->item_count > 0;
    vp_draft d = {.resource_type = "vault", .resource_id = bv->id, .resource_name = bv->name,
                  .expected = "every vault of the period still present (or its deletion accounted for)"};
    const vp_deleted_vault *dv = vp_snapshot_find_deleted_vault(c->s, bv->id);
    const char *held_text = vpe_fmt(c, "%zu protected item(s) at %s", bv->item_count, when(bs));
    if (dv) {
        d.status = held ? VP_FAIL : VP_WARN;
        d.observed = vpe_fmt(c, "soft-deleted at %s, purged at %s", dv->deletion_time.value ? dv->deletion_time.value
                                                                                          : "(time not reported)",
                             dv->purge_at.value ? dv->purge_at.value : "(time not reported)");
        d.note = held ? vpe_fmt(c, "it held %s: a vault holding backups was deleted", held_text)
                      : "it held no protected items at the baseline";
        d.snapshot_pointer = vpe_fmt(c, "/deleted_vaults/%zu", (size_t)(dv - c->s->deleted_vaults));
        d.raw_evidence = vpe_raw(c, &dv->source, "/properties");
        vpe_emit(c, &d, VP_LIST_COMPLETE);
        return;
    }
    vp_list_status vaults = vpe_vault_list_status(c->s, bv);
    if (bv->location)
        vp_location_normalize(bv->location, loc, sizeof loc);
    snprintf(scope, sizeof scope, "/subscriptions/%s/providers/Microsoft.RecoveryServices/locations/%s",
             bv->subscription_id ? bv->subscription_id : "", loc);
    vp_list_status deleted = loc[0] ? vpe_list_of(c->s, "deletedVaults", scope) : VP_LIST_MISSING;
    if (vaults == VP_LIST_COMPLETE && deleted == VP_LIST_COMPLETE) {
        d.status = held ? VP_FAIL : VP_WARN;
        d.observed = "gone: not listed and not among soft-deleted vaults (purged, moved or out of scope)";
        d.note = held ? vpe_fmt(c, "it held %s", held_text) : "it held no protected items at the baseline";
    } else if (vaults != VP_LIST_COMPLETE) {
        d.status = VP_INCOMPLETE;
        d.observed = vpe_fmt(c, "not in this snapshot, whose vault list of subscription %s is %s",
                             bv->subscription_id ? bv->subscription_id : "(not reported)", vp_list_status_name(vaults));
        d.note = "whether the vault still exists cannot be told";
    } else {
        d.status = VP_INCOMPLETE;
        d.observed = loc[0] ? vpe_fmt(c, "not listed; the soft-deleted vaults of %s in subscription %s were not listed (%s)",
                                      loc, bv->subscription_id ? bv->subscription_id : "?", vp_list_status_name(deleted))
                            : "not listed; its location is not reported, so its soft-deleted vaults cannot be listed";
        d.note = loc[0] ? vpe_fmt(c, "a soft-deleted vault can only be found where its location's deleted vaults are "
                                     "listed: add \"%s\" to live.deleted_vault_locations in the config and collect again",
                                  loc)
                        : NULL;
    }
    vpe_emit(c, &d, VP_LIST_COMPLETE);
}

void vpe_rule_drift_vault_not_deleted(vp_eval_ctx *c)
{
    if (no_baselines(c))
        return;
    for (size_t i = 0; i < c->s->vault_count; i++) {
        const vp_vault *v = &c->s->vaults[i];
        size_t seen = 0;
        for (size_t b = 0; b < c->f->baseline_count; b++)
            seen += vp_snapshot_find_vault(c->f->baselines[b]->snapshot, v->id) != NULL;
        if (!seen)
            continue; /* new in the period: nothing could have been deleted */
        vp_draft d = {.resource_type = "vault", .resource_id = v->id, .resource_name = v->name, .status = VP_PASS,
                      .expected = "every vault of the period still present (or its deletion accounted for)"};
        d.snapshot_pointer = vpe_fmt(c, "/vaults/%zu", i);
        d.observed = vpe_fmt(c, "still present (in %zu earlier snapshot(s))", seen);
        vpe_emit(c, &d, vpe_vault_list_status(c->s, v));
    }
    /* each missing vault once, judged at the latest baseline that has it */
    for (size_t b = c->f->baseline_count; b-- > 0;) {
        const vp_snapshot *bs = c->f->baselines[b]->snapshot;
        for (size_t i = 0; i < bs->vault_count; i++) {
            const vp_vault *bv = &bs->vaults[i];
            if (vp_snapshot_find_vault(c->s, bv->id) || in_later_baseline(c, b, bv->id))
                continue;
            judge_missing_vault(c, bs, bv);
        }
    }
}
