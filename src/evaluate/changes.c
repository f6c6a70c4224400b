/* The one classification of the period's changes (vaultproof/evaluate.h,
 * vp_change_classify): which operation can reduce protection and how, the order of the
 * settings' values, and when a failed attempt counts as refused by the vault.
 *
 * No error code the service returns when immutability or multi-user authorization refuses
 * an operation was found in Microsoft's published examples or docs (tests/data/azure/
 * SOURCES.md, "Activity Log"): a refusal is told by the failed operation itself - a
 * Failed event of a reducing kind on a vault whose immutability is enabled (Unlocked or
 * Locked) or which has a resource guard proxy. Its error code and message are kept
 * verbatim in the snapshot for the auditor to read. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "evaluate/internal.h"
#include "vaultproof/clock.h"

/* What an operation can change; the kind follows from it and the request. */
typedef enum { OP_VAULT, OP_VAULTCONFIG, OP_GUARD_DELETE, OP_POLICY_WRITE, OP_ITEM_WRITE, OP_ITEM_DELETE } op_family;

static const struct {
    const char *operation;
    op_family family;
} operations[] = {
    {"Microsoft.RecoveryServices/vaults/write", OP_VAULT},
    {"Microsoft.RecoveryServices/vaults/backupconfig/write", OP_VAULTCONFIG},
    {"Microsoft.RecoveryServices/vaults/backupResourceGuardProxies/delete", OP_GUARD_DELETE},
    {"Microsoft.RecoveryServices/vaults/backupPolicies/write", OP_POLICY_WRITE},
    {"Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/write", OP_ITEM_WRITE},
    {"Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/delete", OP_ITEM_DELETE},
    {"Microsoft.DataProtection/backupVaults/write", OP_VAULT},
    {"Microsoft.DataProtection/backupVaults/backupResourceGuardProxies/delete", OP_GUARD_DELETE},
    {"Microsoft.DataProtection/backupVaults/backupPolicies/write", OP_POLICY_WRITE},
    {"Microsoft.DataProtection/backupVaults/backupInstances/write", OP_ITEM_WRITE},
    {"Microsoft.DataProtection/backupVaults/backupInstances/delete", OP_ITEM_DELETE},
};

static const char *const kind_names[] = {
    [VP_CHANGE_OTHER] = "other",
    [VP_CHANGE_IMMUTABILITY] = "immutability-lowered",
    [VP_CHANGE_SOFT_DELETE] = "soft-delete-weakened",
    [VP_CHANGE_MUA] = "mua-removed",
    [VP_CHANGE_RETENTION] = "retention-reduced",
    [VP_CHANGE_POLICY_SWAP] = "policy-swapped",
    [VP_CHANGE_DELETE_DATA] = "stop-protection-delete-data",
};
_Static_assert(sizeof kind_names / sizeof kind_names[0] == VP_CHANGE_KIND_COUNT, "one name per kind");

/* Orders of the settings' values, weakest first (ignoring case). Soft delete is spelled
 * Disabled/Enabled/AlwaysON by Recovery Services and Off/On/AlwaysOn by Data Protection. */
static const char *const immutability_order[] = {"Disabled", "Unlocked", "Locked", NULL};
static const struct {
    const char *value;
    int rank;
} soft_delete_order[] = {{"Disabled", 0}, {"Off", 0}, {"Enabled", 1}, {"On", 1}, {"AlwaysON", 2}};

const char *vp_change_kind_name(vp_change_kind k)
{
    return (unsigned)k < VP_CHANGE_KIND_COUNT ? kind_names[k] : "unknown";
}

static int rank_immutability(const vp_text *t)
{
    for (int i = 0; t->presence == VP_PRESENT && immutability_order[i]; i++)
        if (!strcasecmp(immutability_order[i], t->value))
            return i;
    return -1;
}

static int rank_soft_delete(const vp_text *t)
{
    for (size_t i = 0; t->presence == VP_PRESENT && i < sizeof soft_delete_order / sizeof soft_delete_order[0]; i++)
        if (!strcasecmp(soft_delete_order[i].value, t->value))
            return soft_delete_order[i].rank;
    return -1;
}

static int family_of(const char *op, op_family *out)
{
    for (size_t i = 0; op && i < sizeof operations / sizeof operations[0]; i++)
        if (!strcasecmp(operations[i].operation, op)) {
            *out = operations[i].family;
            return 1;
        }
    return 0;
}

static long long epoch_of(const char *t)
{
    long long e;
    return t && vp_time_parse(t, &e) == 0 ? e : -1;
}

/* Which member of a request a setting is. */
typedef enum { SET_IMMUTABILITY, SET_SOFT_DELETE, SET_SOFT_DELETE_DAYS, SET_POLICY, SET_RETENTION } setting;

static int carries(const vp_change *ch, setting s)
{
    const vp_change_request *q = &ch->request;
    switch (s) {
    case SET_IMMUTABILITY: return q->immutability.presence == VP_PRESENT;
    case SET_SOFT_DELETE: return q->soft_delete.presence == VP_PRESENT;
    case SET_SOFT_DELETE_DAYS: return q->soft_delete_days.presence == VP_PRESENT;
    case SET_POLICY: return q->policy_id.presence == VP_PRESENT;
    case SET_RETENTION: return q->retention_days.presence == VP_PRESENT;
    }
    return 0;
}

/* The changes in (resource, time, id) order, so that "the last successful change of a
 * setting on the same resource before this one" is a binary search and a short walk back,
 * not a scan of the period (a quarter can hold tens of thousands of changes). */
typedef struct {
    const char *resource, *id; /* resource_id ("" when none), the event id */
    long long t;               /* its time, -1 when not a time */
    size_t index;              /* in snap->changes */
} change_key;

struct vp_change_index {
    const vp_snapshot *snap;
    change_key *keys; /* sorted by (resource ignoring case, time, id) */
};

static int cmp_key(const void *a, const void *b)
{
    const change_key *x = a, *y = b;
    int c = strcasecmp(x->resource, y->resource);
    if (c)
        return c;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return strcmp(x->id, y->id);
}

vp_change_index *vp_change_index_new(const vp_snapshot *snap)
{
    vp_change_index *ix = calloc(1, sizeof *ix);
    size_t n = snap->change_count;
    if (!ix || !(ix->keys = malloc((n + 1) * sizeof *ix->keys))) {
        free(ix);
        return NULL;
    }
    ix->snap = snap;
    for (size_t i = 0; i < n; i++) {
        const vp_change *c = &snap->changes[i];
        ix->keys[i] = (change_key){c->resource_id ? c->resource_id : "", c->id, epoch_of(c->time), i};
    }
    qsort(ix->keys, n, sizeof *ix->keys, cmp_key);
    return ix;
}

void vp_change_index_free(vp_change_index *ix)
{
    if (ix)
        free(ix->keys);
    free(ix);
}

/* The last successful change before k (same resource, earlier time or the same time and
 * a smaller id) in the period that set s on that resource, or NULL. */
static const vp_change *previous_at(const vp_change_index *ix, const change_key *k, setting s)
{
    size_t lo = 0, hi = ix->snap->change_count;
    while (lo < hi) { /* the first key not before k */
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_key(k, &ix->keys[mid]) > 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    while (lo-- > 0) {
        const change_key *o = &ix->keys[lo];
        const vp_change *c = &ix->snap->changes[o->index];
        if (strcasecmp(o->resource, k->resource))
            break;
        if (o->t >= 0 && !strcasecmp(c->status, "Succeeded") && carries(c, s))
            return c;
    }
    return NULL;
}

static const vp_change *previous(const vp_change_index *ix, const vp_change *ch, setting s)
{
    change_key k = {ch->resource_id, ch->id, epoch_of(ch->time), 0};
    return ch->resource_id ? previous_at(ix, &k, s) : NULL;
}

/* The retention of a policy before the change: in the period, else the baseline's. */
static long long retention_before(const vp_change_index *ix, const vp_snapshot *baseline, const vp_change *ch,
                                  const char *policy_id)
{
    change_key k = {policy_id, ch->id, epoch_of(ch->time), 0};
    const vp_change *p = policy_id ? previous_at(ix, &k, SET_RETENTION) : NULL;
    if (p)
        return p->request.retention_days.value;
    const vp_policy *bp = baseline && policy_id ? vp_snapshot_find_policy(baseline, policy_id) : NULL;
    return bp && !bp->unknown_retention ? bp->long_term_days : -1;
}

/* The retention the policy a change moves an item to has: written in the period before
 * the change, else the current snapshot's (the policy is read after the period), else
 * the baseline's. */
static long long retention_of(const vp_change_index *ix, const vp_snapshot *baseline, const vp_change *ch,
                              const char *policy_id)
{
    const vp_snapshot *snap = ix->snap;
    long long days = retention_before(ix, baseline, ch, policy_id);
    const vp_policy *p = days < 0 && policy_id ? vp_snapshot_find_policy(snap, policy_id) : NULL;
    return p && !p->unknown_retention ? p->long_term_days : days;
}

/* Immutability enabled or a guard proxy on the change's vault: the controls that refuse
 * reducing operations. */
static int vault_protected(const vp_snapshot *snap, const vp_change *ch)
{
    const vp_vault *v = ch->vault_id ? vp_snapshot_find_vault(snap, ch->vault_id) : NULL;
    return v && (rank_immutability(&v->immutability) > 0 || v->guard_count > 0 ||
                 (v->mua.presence == VP_PRESENT && !strcasecmp(v->mua.value, "Enabled")));
}

static void classify_vault(const vp_change_index *ix, const vp_snapshot *baseline, const vp_change *ch, op_family fam,
                           vp_change_class *out)
{
    const vp_vault *bv = baseline && ch->vault_id ? vp_snapshot_find_vault(baseline, ch->vault_id) : NULL;
    const vp_change_request *q = &ch->request;
    if (fam == OP_VAULT && carries(ch, SET_IMMUTABILITY)) {
        const vp_change *p = previous(ix, ch, SET_IMMUTABILITY);
        int to = rank_immutability(&q->immutability);
        int from = p ? rank_immutability(&p->request.immutability) : bv ? rank_immutability(&bv->immutability) : -1;
        if (to < 2 && (from < 0 || to < 0 || to < from)) {
            out->kind = VP_CHANGE_IMMUTABILITY;
            out->reduces = 1;
            out->why = from < 0 || to < 0 ? "immutability set below Locked and its previous state is not known: "
                                            "treated as lowered (fail closed)"
                                          : "immutability set to a lower state than before";
            return;
        }
    }
    if (carries(ch, SET_SOFT_DELETE) || carries(ch, SET_SOFT_DELETE_DAYS)) {
        const vp_change *ps = previous(ix, ch, SET_SOFT_DELETE), *pd = previous(ix, ch, SET_SOFT_DELETE_DAYS);
        int to = rank_soft_delete(&q->soft_delete);
        int from = ps ? rank_soft_delete(&ps->request.soft_delete) : bv ? rank_soft_delete(&bv->soft_delete) : -1;
        long long dto = q->soft_delete_days.presence == VP_PRESENT ? q->soft_delete_days.value : -1;
        long long dfrom = pd ? pd->request.soft_delete_days.value
                          : bv && bv->soft_delete_days.presence == VP_PRESENT ? bv->soft_delete_days.value
                                                                              : -1;
        int state_down = carries(ch, SET_SOFT_DELETE) && to < 2 && (to < 0 || from < 0 || to < from);
        int days_down = dto >= 0 && (dfrom < 0 || dto < dfrom);
        if (state_down || days_down) {
            out->kind = VP_CHANGE_SOFT_DELETE;
            out->reduces = 1;
            out->why = (state_down && (to < 0 || from < 0)) || (days_down && dfrom < 0)
                           ? "soft delete set below always-on (or its days set) and the previous value is not known: "
                             "treated as weakened (fail closed)"
                           : "soft delete state or retention days set lower than before";
            return;
        }
    }
    out->why = "the request lowers neither immutability nor soft delete";
}

void vp_change_classify(const vp_change_index *ix, const vp_snapshot *baseline, size_t index, vp_change_class *out)
{
    const vp_snapshot *snap = ix->snap;
    const vp_change *ch = &snap->changes[index];
    op_family fam;
    *out = (vp_change_class){VP_CHANGE_OTHER, 0, 0, "not an operation that can reduce protection"};
    if (!family_of(ch->operation, &fam))
        return;
    switch (fam) {
    case OP_VAULT:
    case OP_VAULTCONFIG:
        classify_vault(ix, baseline, ch, fam, out);
        break;
    case OP_GUARD_DELETE:
        *out = (vp_change_class){VP_CHANGE_MUA, 1, 0, "a resource guard proxy deleted: multi-user authorization off"};
        break;
    case OP_ITEM_DELETE:
        *out = (vp_change_class){VP_CHANGE_DELETE_DATA, 1, 0, "protection stopped and its backup data deleted"};
        break;
    case OP_POLICY_WRITE: {
        long long to = carries(ch, SET_RETENTION) ? ch->request.retention_days.value : -1;
        long long from = retention_before(ix, baseline, ch, ch->resource_id);
        if (to >= 0 && from >= 0 && to >= from) {
            out->why = "retention kept or raised";
            break;
        }
        *out = (vp_change_class){VP_CHANGE_RETENTION, 1, 0,
                                 to < 0     ? "the request's retention was not recorded: treated as reduced (fail closed)"
                                 : from < 0 ? "the policy's previous retention is not known: treated as reduced (fail closed)"
                                            : "retention set shorter than before"};
        break;
    }
    case OP_ITEM_WRITE: {
        if (!carries(ch, SET_POLICY)) {
            out->why = "the request names no policy";
            break;
        }
        const vp_change *p = previous(ix, ch, SET_POLICY);
        const vp_item *bi = baseline && ch->resource_id ? vp_snapshot_find_item(baseline, ch->resource_id) : NULL;
        const char *old = p ? p->request.policy_id.value
                          : bi && bi->policy_id.presence == VP_PRESENT ? bi->policy_id.value
                                                                       : NULL;
        const char *new_id = ch->request.policy_id.value;
        if (old && !strcasecmp(old, new_id)) {
            out->why = "the same policy";
            break;
        }
        if (!old) {
            out->why = "protection configured (no earlier policy)";
            break;
        }
        long long before = retention_of(ix, baseline, ch, old), after = retention_of(ix, baseline, ch, new_id);
        if (before >= 0 && after >= 0 && after >= before) {
            out->why = "moved to a policy with the same or longer retention";
            break;
        }
        *out = (vp_change_class){VP_CHANGE_POLICY_SWAP, 1, 0,
                                 before < 0 || after < 0
                                     ? "moved to another policy whose retention is not known: treated as shorter "
                                       "(fail closed)"
                                     : "moved to a policy with shorter retention"};
        break;
    }
    }
    /* a failed attempt reduced nothing; on a protected vault it is the control at work */
    if (out->reduces && strcasecmp(ch->status, "Succeeded") != 0) {
        out->blocked = !strcasecmp(ch->status, "Failed") && vault_protected(snap, ch);
        out->reduces = 0;
    }
}
