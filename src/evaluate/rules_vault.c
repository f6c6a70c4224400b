/* Vault-level rules: immutability, WORM region, soft delete, multi-user
 * authorization, redundancy. Each applies to vaults that hold protected items. */
#include <string.h>
#include <strings.h>

#include "evaluate/internal.h"
#include "vaultproof/worm.h"

static const char *shown(const vp_text *t)
{
    return t->presence == VP_PRESENT ? t->value : "not reported";
}

static int is(const vp_text *t, const char *value)
{
    return t->presence == VP_PRESENT && !strcasecmp(t->value, value);
}

/* A draft about vault i; field is the snapshot member the finding is about. */
static vp_draft vault_draft(vp_eval_ctx *c, size_t i, const char *field, const char *raw_suffix)
{
    const vp_vault *v = &c->s->vaults[i];
    vp_draft d = {.resource_type = "vault", .resource_id = v->id, .resource_name = v->name};
    d.snapshot_pointer = vpe_fmt(c, "/vaults/%zu/%s", i, field);
    d.raw_evidence = raw_suffix ? vpe_raw(c, &v->source, raw_suffix) : NULL;
    return d;
}

/* Vaults with no protected items hold nothing to protect: not applicable, said so. */
static int skip_empty_vault(vp_eval_ctx *c, size_t i, const char *field)
{
    const vp_vault *v = &c->s->vaults[i];
    if (v->item_count > 0 || v->lists[VP_ARM_LIST_ITEMS] != VP_LIST_COMPLETE)
        return 0;
    vp_draft d = vault_draft(c, i, field, NULL);
    d.status = VP_NOT_APPLICABLE;
    d.observed = "no protected items";
    d.expected = "applies to vaults holding backups";
    vpe_emit(c, &d, VP_LIST_COMPLETE);
    return 1;
}

/* Not reported or outside the documented values: cannot be assessed. */
static int unassessable(vp_eval_ctx *c, vp_draft *d, const vp_text *t, vp_list_status dep)
{
    if (t->presence == VP_PRESENT && !t->unknown)
        return 0;
    d->status = VP_INCOMPLETE;
    d->observed = t->presence == VP_PRESENT ? vpe_fmt(c, "%s (a value the API does not document)", t->value)
                                            : "not reported by the API";
    d->note = "cannot be assessed from what the API returned";
    vpe_emit(c, d, dep);
    return 1;
}

static const char *origin_path(const vp_text *t, const char *own, const char *fallback)
{
    return t->origin ? fallback : own;
}

static const vp_source *origin_source(const vp_vault *v, const vp_text *t)
{
    return t->origin == VP_ORIGIN_VAULTCONFIG ? &v->vaultconfig_source
           : t->origin == VP_ORIGIN_STORAGECONFIG ? &v->storageconfig_source : &v->source;
}

const char *vpe_never_configured_note(vp_eval_ctx *c, const vp_vault *v)
{
    if (v->api_version && strcmp(v->api_version, VP_IMMUTABILITY_ABSENT_MEANS_NEVER) >= 0)
        return vpe_fmt(c, "the API returned no immutability settings (never configured): api-version %s omits "
                          "immutabilitySettings when immutability was never configured", v->api_version);
    return "the API returned no immutability settings (never configured): the vault reports securitySettings "
           "without immutabilitySettings";
}

void vpe_rule_immutability_locked(vp_eval_ctx *c)
{
    for (size_t i = 0; i < c->s->vault_count; i++) {
        const vp_vault *v = &c->s->vaults[i];
        if (skip_empty_vault(c, i, "immutability"))
            continue;
        vp_list_status dep = vpe_list_min(vpe_vault_list_status(c->s, v), v->lists[VP_ARM_LIST_ITEMS]);
        vp_draft d = vault_draft(c, i, "immutability", "/properties/securitySettings/immutabilitySettings/state");
        d.expected = vpe_param_bool(c, "accept_unlocked") ? "Locked (Unlocked accepted with a warning)" : "Locked";
        if (vp_vault_immutability_never_configured(v)) {
            d.status = VP_FAIL;
            d.observed = "not configured (the API returned no immutability settings)";
            d.note = vpe_never_configured_note(c, v);
            d.raw_evidence = vpe_raw(c, &v->source, "/properties/securitySettings");
            vpe_emit(c, &d, dep);
            continue;
        }
        if (unassessable(c, &d, &v->immutability, dep))
            continue;
        d.observed = v->immutability.value;
        if (is(&v->immutability, "Locked"))
            d.status = VP_PASS;
        else if (is(&v->immutability, "Unlocked"))
            d.status = vpe_param_bool(c, "accept_unlocked") ? VP_WARN : VP_FAIL;
        else
            d.status = VP_FAIL;
        if (d.status != VP_PASS)
            d.note = "an Unlocked or Disabled vault lets an administrator delete recovery points or shorten retention";
        vpe_emit(c, &d, dep);
    }
}

static const vp_worm_source *worm_source(const vp_snapshot *s, const char *id)
{
    for (size_t w = 0; id && w < s->worm_source_count; w++)
        if (!strcmp(s->worm_sources[w].id, id))
            return &s->worm_sources[w];
    return NULL;
}

static int region_lists(const vp_region *reg, const char *source_id)
{
    for (size_t k = 0; source_id && k < reg->source_count; k++)
        if (!strcmp(reg->sources[k], source_id))
            return 1;
    return 0;
}

/* The source revisions a GA finding rests on: each revision by id, retrieval date and
 * the first 12 hex digits of its quote's SHA-256 (the same page under the same ms.date
 * has said different things), and, along the supersedes chain, since which revision the
 * region is listed when an earlier revision did not list it. */
static void worm_revisions(const vp_snapshot *s, const vp_region *reg, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < reg->source_count && n < size; k++) {
        const vp_worm_source *w = worm_source(s, reg->sources[k]);
        if (!w)
            continue;
        n += (size_t)snprintf(buf + n, size - n, "%s%s (revision %s, %s%s%s%s%s%.12s)", n ? "; " : "", w->title, w->id,
                              w->as_of ? "as of " : "undated", w->as_of ? w->as_of : "",
                              w->retrieved ? ", retrieved " : "", w->retrieved ? w->retrieved : "",
                              w->sha256 ? ", sha256 " : "", w->sha256 ? w->sha256 : "");
        /* walk back while earlier revisions list the region too: "since" is the first that does */
        const vp_worm_source *first = w;
        for (int guard = 0; guard < 32 && first->supersedes && region_lists(reg, first->supersedes); guard++) {
            const vp_worm_source *prev = worm_source(s, first->supersedes);
            if (!prev)
                break;
            first = prev;
        }
        if (first->supersedes && !region_lists(reg, first->supersedes) && n < size) {
            const vp_worm_source *prev = worm_source(s, first->supersedes);
            n += (size_t)snprintf(buf + n, size - n, "; listed since revision %s retrieved %s; the earlier revision %s%s%s%s did not list it",
                                  first->id, first->retrieved ? first->retrieved : "(date not recorded)", first->supersedes,
                                  prev && prev->retrieved ? " (retrieved " : "", prev && prev->retrieved ? prev->retrieved : "",
                                  prev && prev->retrieved ? ")" : "");
        }
    }
}

void vpe_rule_worm_region(vp_eval_ctx *c)
{
    for (size_t i = 0; i < c->s->vault_count; i++) {
        const vp_vault *v = &c->s->vaults[i];
        char loc[128];
        if (skip_empty_vault(c, i, "location"))
            continue;
        vp_draft d = vault_draft(c, i, "location", "/location");
        d.expected = "WORM storage generally available in the vault's region";
        if (!v->location) {
            d.status = VP_INCOMPLETE;
            d.observed = "location not reported";
            vpe_emit(c, &d, VP_LIST_COMPLETE);
            continue;
        }
        if (!is(&v->immutability, "Locked")) {
            d.status = VP_NOT_APPLICABLE;
            d.observed = vpe_fmt(c, "immutability %s",
                                 vp_vault_immutability_never_configured(v) ? "never configured" : shown(&v->immutability));
            d.note = "WORM storage backs locked immutable vaults only; see immutability.locked";
            vpe_emit(c, &d, VP_LIST_COMPLETE);
            continue;
        }
        vp_location_normalize(v->location, loc, sizeof loc);
        const vp_region *reg = vp_snapshot_find_region(c->s, loc);
        if (reg && !strcmp(reg->worm, "ga")) {
            char src[1536];
            worm_revisions(c->s, reg, src, sizeof src);
            d.status = VP_PASS;
            d.observed = vpe_fmt(c, "%s: WORM GA per %s", loc, src);
        } else {
            d.status = vpe_param_status(c, "pending_status");
            d.observed = vpe_fmt(c, "%s: pending automatic transition", loc);
            d.note = "no source in the WORM catalog lists this region as GA; Microsoft states locked vaults move to "
                     "WORM storage automatically when it becomes available there";
        }
        vpe_emit(c, &d, vpe_vault_list_status(c->s, v));
    }
}

void vpe_rule_soft_delete(vp_eval_ctx *c)
{
    long long min_days = vpe_param_int(c, "min_retention_days");
    for (size_t i = 0; i < c->s->vault_count; i++) {
        const vp_vault *v = &c->s->vaults[i];
        if (skip_empty_vault(c, i, "soft_delete"))
            continue;
        vp_list_status dep = vpe_vault_list_status(c->s, v);
        if (v->soft_delete.origin)
            dep = vpe_list_min(dep, v->lists[VP_ARM_LIST_VAULTCONFIG]);
        vp_draft d = vault_draft(c, i, "soft_delete", NULL);
        d.raw_evidence = vpe_raw(c, origin_source(v, &v->soft_delete),
                                origin_path(&v->soft_delete, "/properties/securitySettings/softDeleteSettings",
                                            "/properties/softDeleteFeatureState"));
        d.expected = vpe_fmt(c, "AlwaysON, retained at least %lld days", min_days);
        if (unassessable(c, &d, &v->soft_delete, dep))
            continue;
        const char *days = v->soft_delete_days.presence == VP_PRESENT ? vpe_fmt(c, "%lld days", v->soft_delete_days.value)
                                                                      : "retention not reported";
        d.observed = vpe_fmt(c, "%s, %s%s", v->soft_delete.value, days ? days : "",
                            v->soft_delete.origin ? " (from backupconfig)" : "");
        if (is(&v->soft_delete, "AlwaysON"))
            d.status = VP_PASS;
        else if (is(&v->soft_delete, "Enabled"))
            d.status = vpe_param_status(c, "enabled_status");
        else
            d.status = VP_FAIL;
        if (d.status == VP_PASS || d.status == VP_WARN) {
            if (v->soft_delete_days.presence != VP_PRESENT) {
                d.status = VP_INCOMPLETE;
                d.note = "soft-delete retention not reported";
            } else if (v->soft_delete_days.value < min_days) {
                d.status = VP_FAIL;
                d.note = "soft-delete retention shorter than required";
            }
        }
        vpe_emit(c, &d, dep);
    }
}

/* Vault critical operations whose exclusion from a Resource Guard lets one administrator
 * reduce protection without a second approval (the strings are vaultCriticalOperation
 * values, as in Microsoft's GetResourceGuard example and azure-cli's dataprotection
 * critical-operation map). An exclusion not in this table is reported as a warning. */
static const struct {
    const char *operation, *meaning;
} reducing_operations[] = {
    {"Microsoft.RecoveryServices/vaults/backupconfig/write", "disable soft delete or security features"},
    {"Microsoft.RecoveryServices/vaults/backupResourceGuardProxies/delete", "disable multi-user authorization"},
    {"Microsoft.RecoveryServices/vaults/backupPolicies/write", "modify a policy (reduce retention)"},
    {"Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/write",
     "modify protection (move an item to a lower-retention policy)"},
    {"Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/delete",
     "stop protection and delete backup data"},
};

static const char *reducing_meaning(const char *operation)
{
    for (size_t i = 0; i < sizeof reducing_operations / sizeof reducing_operations[0]; i++)
        if (!strcasecmp(reducing_operations[i].operation, operation))
            return reducing_operations[i].meaning;
    return NULL;
}

/* The worse of two statuses for one finding: fail > incomplete > warn > pass. */
static vp_finding_status worse(vp_finding_status a, vp_finding_status b)
{
    static const int weight[VP_STATUS_COUNT] = {[VP_PASS] = 0, [VP_WARN] = 1, [VP_INCOMPLETE] = 2, [VP_FAIL] = 3};
    return weight[b] > weight[a] ? b : a;
}

/* How far the guard is from the vault: Microsoft ranks another subscription, and above
 * it another tenant, as stronger isolation; the same subscription warns. */
static const char *isolation(vp_eval_ctx *c, const vp_vault *v, const vp_resource_guard *g, vp_finding_status *st)
{
    const char *gt, *vt;
    switch (vp_snapshot_guard_isolation(c->s, v, g, g->id, &gt, &vt)) {
    case VP_GUARD_ISOLATION_UNKNOWN:
        return "isolation not known (subscription not reported)";
    case VP_GUARD_ISOLATION_SAME_SUBSCRIPTION:
        *st = worse(*st, VP_WARN);
        return "same subscription as the vault: weaker isolation (Microsoft recommends another subscription or tenant)";
    case VP_GUARD_ISOLATION_OTHER_SUBSCRIPTION_TENANT_UNKNOWN:
        return "guard in another subscription (tenant not known)";
    case VP_GUARD_ISOLATION_OTHER_SUBSCRIPTION:
        return vpe_fmt(c, "guard in another subscription (tenant %s)", gt);
    case VP_GUARD_ISOLATION_OTHER_TENANT:
        break;
    }
    return vpe_fmt(c, "guard in another tenant (%s; the vault's is %s)", gt, vt);
}

/* Judges one guard named by a proxy of v: appends to buf, raises *st. */
static void judge_guard(vp_eval_ctx *c, const vp_vault *v, const char *guard_id, char *buf, size_t size,
                        vp_finding_status *st)
{
    size_t n = strlen(buf);
#define ADD(...) (n += (size_t)snprintf(buf + n, n < size ? size - n : 0, __VA_ARGS__), n = n < size ? n : size - 1)
    ADD("%s", n ? "; " : "");
    if (!guard_id) {
        *st = worse(*st, VP_INCOMPLETE);
        ADD("a resource guard proxy names no resource guard");
        return;
    }
    const vp_resource_guard *g = vp_snapshot_find_resource_guard(c->s, guard_id);
    if (!g || !g->status) {
        *st = worse(*st, VP_INCOMPLETE);
        ADD("resource guard %s was not collected", guard_id);
        return;
    }
    if (strcmp(g->status, "read") != 0) {
        *st = worse(*st, VP_INCOMPLETE);
        ADD("resource guard %s %s%s%s", g->name ? g->name : guard_id,
            !strcmp(g->status, "out-of-scope") ? "is out of scope (its subscription was not collected)"
            : !strcmp(g->status, "unreadable") ? "could not be read"
                                               : "was not found among the responses",
            g->detail ? ": " : "", g->detail ? g->detail : "");
        return;
    }
    const char *iso = isolation(c, v, g, st);
    ADD("resource guard %s, %s", g->name ? g->name : guard_id, iso ? iso : "");
    if (g->exclusions_presence != VP_PRESENT) {
        *st = worse(*st, VP_INCOMPLETE);
        ADD("; its vaultCriticalOperationExclusionList was not reported");
    }
    for (size_t k = 0; k < g->exclusion_count; k++) {
        const char *meaning = reducing_meaning(g->exclusions[k]);
        *st = worse(*st, meaning ? VP_FAIL : VP_WARN);
        ADD("; excludes %s (%s)", g->exclusions[k], meaning ? meaning : "not protection-reducing, but unguarded");
    }
    if (g->allow_auto_approvals.presence == VP_PRESENT && g->allow_auto_approvals.value) {
        *st = worse(*st, VP_WARN);
        ADD("; allowAutoApprovals true: critical operations are approved without a second party");
    }
#undef ADD
}

void vpe_rule_mua(vp_eval_ctx *c)
{
    for (size_t i = 0; i < c->s->vault_count; i++) {
        const vp_vault *v = &c->s->vaults[i];
        if (skip_empty_vault(c, i, "multi_user_authorization"))
            continue;
        vp_draft d = vault_draft(c, i, "multi_user_authorization", "/properties/securitySettings/multiUserAuthorization");
        d.expected = "a resource guard proxy whose guard is readable, excludes no protection-reducing operation, "
                     "needs approvals and lives in another subscription or tenant";
        vp_list_status dep = vpe_list_min(vpe_vault_list_status(c->s, v), v->lists[VP_ARM_LIST_GUARDS]);
        if (v->guard_count == 0) {
            if (v->lists[VP_ARM_LIST_GUARDS] == VP_LIST_COMPLETE) {
                d.status = VP_FAIL;
                d.observed = vpe_fmt(c, "%s; no resource guard proxy", shown(&v->mua));
                d.note = is(&v->mua, "Enabled") ? "the vault reports MUA Enabled, but no proxy names a guard to check"
                                                : NULL;
            } else if (v->mua.presence == VP_PRESENT && !v->mua.unknown && !is(&v->mua, "Enabled")) {
                d.status = VP_FAIL; /* the vault itself says MUA is off */
                d.observed = vpe_fmt(c, "%s; resource guard proxies not collected", v->mua.value);
            } else {
                d.status = VP_INCOMPLETE;
                d.observed = vpe_fmt(c, "%s; resource guard proxies not collected", shown(&v->mua));
                d.note = "the guard cannot be checked without its proxy";
            }
            vpe_emit(c, &d, dep);
            continue;
        }
        char buf[1800] = "";
        vp_finding_status st = VP_PASS;
        for (size_t k = 0; k < v->guard_count; k++)
            judge_guard(c, v, v->guards[k].resource_guard_id, buf, sizeof buf, &st);
        d.status = st;
        d.observed = vpe_fmt(c, "MUA %s; %s", shown(&v->mua), buf);
        if (st == VP_FAIL)
            d.note = "an excluded critical operation needs no approval: one administrator can reduce protection";
        else if (st == VP_INCOMPLETE)
            d.note = "the resource guard's settings cannot be assessed from what was collected";
        vpe_emit(c, &d, dep);
    }
}

void vpe_rule_redundancy(vp_eval_ctx *c)
{
    int require_crr = vpe_param_bool(c, "require_cross_region_restore");
    for (size_t i = 0; i < c->s->vault_count; i++) {
        const vp_vault *v = &c->s->vaults[i];
        if (skip_empty_vault(c, i, "storage_redundancy"))
            continue;
        vp_list_status dep = vpe_vault_list_status(c->s, v);
        if (v->storage_redundancy.origin)
            dep = vpe_list_min(dep, v->lists[VP_ARM_LIST_STORAGECONFIG]);
        vp_draft d = vault_draft(c, i, "storage_redundancy", NULL);
        d.raw_evidence = vpe_raw(c, origin_source(v, &v->storage_redundancy),
                                origin_path(&v->storage_redundancy, "/properties/redundancySettings",
                                            "/properties/storageType"));
        d.expected = require_crr ? "GeoRedundant with cross-region restore" : "GeoRedundant (cross-region restore advised)";
        if (unassessable(c, &d, &v->storage_redundancy, dep))
            continue;
        d.observed = vpe_fmt(c, "%s, cross-region restore %s", v->storage_redundancy.value, shown(&v->cross_region_restore));
        int geo = is(&v->storage_redundancy, "GeoRedundant") || is(&v->storage_redundancy, "ReadAccessGeoZoneRedundant");
        if (!geo)
            d.status = VP_FAIL;
        else if (is(&v->cross_region_restore, "Enabled"))
            d.status = VP_PASS;
        else
            d.status = require_crr ? VP_FAIL : VP_WARN;
        vpe_emit(c, &d, dep);
    }
}

/* A TimeBased immutability configuration keeps a recovery point immutable for
 * durationInDays only; past that it can be deleted although the retention minimum of
 * its data class still runs. AsPerPolicy keeps each point immutable for its policy's
 * retention, which retention.minimum judges. */
void vpe_rule_immutability_duration(vp_eval_ctx *c)
{
    char classes[256], longest_classes[256] = "";
    for (size_t i = 0; i < c->s->vault_count; i++) {
        const vp_vault *v = &c->s->vaults[i];
        if (skip_empty_vault(c, i, "immutability_configuration"))
            continue;
        vp_list_status dep = vpe_list_min(vpe_vault_list_status(c->s, v), v->lists[VP_ARM_LIST_ITEMS]);
        vp_draft d = vault_draft(c, i, "immutability_configuration",
                                 "/properties/securitySettings/immutabilitySettings/configuration");
        d.expected = "AsPerPolicy, or a TimeBased duration at least the longest retention minimum of the vault's items";
        const vp_text *type = &v->immutability_type;
        if (type->presence != VP_PRESENT) {
            d.status = VP_NOT_APPLICABLE;
            d.observed = vpe_fmt(c, "no immutability configuration reported (immutability %s)",
                                 v->immutability.presence == VP_PRESENT ? v->immutability.value
                                 : vp_vault_immutability_never_configured(v) ? "never configured"
                                                                        : "not reported");
            d.note = "only a TimeBased configuration can end immutability before retention does; "
                     "see immutability.locked for the state";
            vpe_emit(c, &d, VP_LIST_COMPLETE);
            continue;
        }
        if (unassessable(c, &d, type, dep))
            continue;
        if (is(type, "AsPerPolicy")) {
            d.status = VP_PASS;
            d.observed = "AsPerPolicy: each recovery point is immutable for as long as its policy retains it";
            vpe_emit(c, &d, dep);
            continue;
        }
        if (v->immutability_days.presence != VP_PRESENT) {
            d.status = VP_INCOMPLETE;
            d.observed = "TimeBased, durationInDays not reported";
            d.note = "the immutable period cannot be compared with the retention minimums";
            vpe_emit(c, &d, dep);
            continue;
        }
        /* the strictest minimum over the vault's items: every point must stay immutable that long */
        long long longest = -1;
        for (size_t k = 0; k < c->s->item_count; k++) {
            const vp_item *it = &c->s->items[k];
            if (vp_info(c, it)->vault != v)
                continue;
            long long need = vpe_required_days(c, it, classes, sizeof classes);
            if (need > longest) {
                longest = need;
                snprintf(longest_classes, sizeof longest_classes, "%s", classes);
            }
        }
        long long days = v->immutability_days.value;
        if (longest < 0) {
            d.status = VP_NOT_APPLICABLE;
            d.observed = vpe_fmt(c, "TimeBased, %lld days; no retention minimum applies to the vault's items", days);
        } else {
            d.status = days >= longest ? VP_PASS : VP_FAIL;
            d.observed = vpe_fmt(c, "TimeBased, %lld days; the longest retention minimum of its items is %lld days (%s)",
                                 days, longest, longest_classes);
            if (d.status == VP_FAIL)
                d.note = vpe_fmt(c, "recovery points can be deleted after %lld days although they must be retained "
                                    "%lld days", days, longest);
        }
        vpe_emit(c, &d, dep);
    }
}
