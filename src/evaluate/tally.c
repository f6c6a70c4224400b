/* Every count the reports print, computed once (vaultproof/tally.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vaultproof/tally.h"

static const char vault_marker[] = "/providers/microsoft.recoveryservices/vaults/";

/* strcasestr is a GNU extension; ids are ASCII. */
static const char *find_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (!strncasecmp(hay, needle, n))
            return hay;
    return NULL;
}

size_t vp_tally_vault_of(const vp_snapshot *s, const char *id)
{
    const char *start, *at, *end;
    char key[2048];
    if (!id || !(start = find_nocase(id, "/subscriptions/")) || !(at = find_nocase(start, vault_marker)))
        return s->vault_count;
    end = at + sizeof vault_marker - 1;
    end += strcspn(end, "/ ");
    if ((size_t)(end - start) >= sizeof key)
        return s->vault_count;
    memcpy(key, start, (size_t)(end - start));
    key[end - start] = 0;
    const vp_vault *v = vp_snapshot_find_vault(s, key);
    return v ? (size_t)(v - s->vaults) : s->vault_count;
}

int vp_tally_framework_index(const char *framework)
{
    if (!framework)
        return -1;
    return !strcmp(framework, "hipaa") ? VP_TALLY_HIPAA : !strcmp(framework, "sox") ? VP_TALLY_SOX : -1;
}

int vp_tally_tested(const size_t counts[VP_STATUS_COUNT])
{
    return counts[VP_PASS] + counts[VP_WARN] + counts[VP_FAIL] + counts[VP_EXEMPT] + counts[VP_INCOMPLETE] > 0;
}

int vp_tally_has_evidence(const size_t counts[VP_STATUS_COUNT], size_t of)
{
    return vp_tally_tested(counts) && of > 0;
}

const char *vp_tally_operated(const size_t counts[VP_STATUS_COUNT], size_t ok, size_t of, int days, char *buf,
                              size_t size)
{
    if (!vp_tally_has_evidence(counts, of))
        return "not tested"; /* never "operated 0 of 0": no evidence in the period */
    snprintf(buf, size, "operated %zu of %zu%s", ok, of, days ? " days" : "");
    return buf;
}

/* Per rule: bit VP_TALLY_HIPAA / VP_TALLY_SOX when one of its citations is a control of
 * that framework. */
static unsigned rule_frameworks(const vp_rule_record *r, const vp_control_record *ctl, size_t nctl)
{
    unsigned mask = 0;
    for (size_t k = 0; k < r->citation_count; k++)
        for (size_t i = 0; i < nctl; i++) {
            int fw = vp_tally_framework_index(ctl[i].framework);
            if (fw >= 0 && ctl[i].citation && !strcmp(ctl[i].citation, r->citations[k]))
                mask |= 1u << fw;
        }
    return mask;
}

struct item_pass {
    vp_tally *t;
    const vp_snapshot *s;
};

static vp_status count_item(void *ctx, const vp_item *it, vp_error *err)
{
    struct item_pass *ip = ctx;
    (void)err;
    if (!vp_item_without_policy(it))
        return VP_OK;
    const vp_vault *v = it->vault_id ? vp_snapshot_find_vault(ip->s, it->vault_id) : NULL;
    ip->t->without_policy[v ? (size_t)(v - ip->s->vaults) : ip->s->vault_count]++;
    ip->t->without_policy_total++;
    return VP_OK;
}

static const char *const population_labels[VP_POP_COUNT] = {
    [VP_POP_VAULTS] = "vaults",
    [VP_POP_POLICIES] = "backup policies",
    [VP_POP_ITEMS] = "protected items",
    [VP_POP_VMS] = "virtual machines",
    [VP_POP_ENGINES] = "backup engines",
    [VP_POP_GUARDS] = "resource guards",
    [VP_POP_DELETED_VAULTS] = "soft-deleted vaults",
    [VP_POP_SUBS_LISTED] = "subscriptions listed",
    [VP_POP_SUBS_REFERENCED] = "subscriptions only referenced by resource ids",
    [VP_POP_SUBS_IN_SCOPE] = "subscriptions in scope and visible",
    [VP_POP_SUBS_NOT_VISIBLE] = "subscriptions in scope but not visible",
    [VP_POP_SUBS_OUT_OF_SCOPE] = "subscriptions visible but out of scope",
};

const char *vp_tally_population_label(vp_population p)
{
    return (unsigned)p < VP_POP_COUNT ? population_labels[p] : NULL;
}

static int listed_sub(const vp_snapshot *s, const char *sub)
{
    const vp_subscription *x = vp_snapshot_find_subscription(s, sub);
    return x && x->listed;
}

static int cmp_ci(const void *a, const void *b)
{
    return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

/* Subscriptions only referenced by resource ids: entities not listed, and - for a
 * snapshot written before the collector added them - the subscriptions of vaults, VMs and
 * resource guards that no listed entry names. */
static vp_status referenced_subscriptions(vp_tally *t, const vp_snapshot *s, vp_error *err)
{
    size_t cap = s->subscription_count + s->vault_count + s->resource_guard_count + (s->vms ? s->vm_count : 0), n = 0;
    const char **v = calloc(cap + 1, sizeof *v);
    if (!v)
        return vp_error_set(err, VP_ERR_NOMEM, "tally: out of memory");
    for (size_t i = 0; i < s->subscription_count; i++)
        if (!s->subscriptions[i].listed)
            v[n++] = s->subscriptions[i].subscription_id ? s->subscriptions[i].subscription_id
                                                         : s->subscriptions[i].id + strlen("/subscriptions/");
    for (size_t i = 0; i < s->vault_count; i++)
        if (s->vaults[i].subscription_id && !listed_sub(s, s->vaults[i].subscription_id))
            v[n++] = s->vaults[i].subscription_id;
    for (size_t i = 0; s->vms && i < s->vm_count; i++)
        if (s->vms[i].subscription_id && !listed_sub(s, s->vms[i].subscription_id))
            v[n++] = s->vms[i].subscription_id;
    for (size_t i = 0; i < s->resource_guard_count; i++) {
        const vp_resource_guard *g = &s->resource_guards[i];
        if (g->subscription_id && !listed_sub(s, g->subscription_id))
            v[n++] = g->subscription_id;
    }
    qsort(v, n, sizeof *v, cmp_ci);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!k || strcasecmp(v[k - 1], v[i]))
            v[k++] = v[i];
    t->referenced = v;
    t->population[VP_POP_SUBS_REFERENCED] = k;
    return VP_OK;
}

const char *vp_tally_referenced_detail(const vp_snapshot *s, const char *sub, char *buf, size_t size)
{
    size_t n = 0, vaults = 0, vms = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < s->resource_guard_count && n < size; i++) {
        const vp_resource_guard *g = &s->resource_guards[i];
        if (g->subscription_id && !strcasecmp(g->subscription_id, sub))
            n += (size_t)snprintf(buf + n, size - n, "%sresource guard %s (%s)", n ? "; " : "",
                                  g->name ? g->name : g->id, g->status ? g->status : "not read");
    }
    for (size_t i = 0; i < s->vault_count; i++)
        vaults += s->vaults[i].subscription_id && !strcasecmp(s->vaults[i].subscription_id, sub);
    for (size_t i = 0; s->vms && i < s->vm_count; i++)
        vms += s->vms[i].subscription_id && !strcasecmp(s->vms[i].subscription_id, sub);
    if (vaults && n < size)
        n += (size_t)snprintf(buf + n, size - n, "%s%zu vault(s)", n ? "; " : "", vaults);
    if (vms && n < size)
        n += (size_t)snprintf(buf + n, size - n, "%s%zu VM(s)", n ? "; " : "", vms);
    if (!n)
        snprintf(buf, size, "nothing read");
    return buf;
}

static vp_status population(vp_tally *t, const vp_snapshot *s, vp_error *err)
{
    size_t *p = t->population;
    p[VP_POP_VAULTS] = s->vault_count;
    p[VP_POP_POLICIES] = s->policy_count;
    p[VP_POP_ITEMS] = s->item_count;
    p[VP_POP_VMS] = s->vm_count;
    p[VP_POP_ENGINES] = s->engine_count;
    p[VP_POP_GUARDS] = s->resource_guard_count;
    p[VP_POP_DELETED_VAULTS] = s->deleted_vault_count;
    for (size_t i = 0; i < s->subscription_count; i++)
        p[VP_POP_SUBS_LISTED] += s->subscriptions[i].listed != 0;
    const vp_access *a = &s->collection.access;
    t->reconciled = a->recorded && a->subscriptions_listed;
    for (size_t i = 0; t->reconciled && i < a->subscription_count; i++) {
        const char *st = a->subscriptions[i].status;
        p[VP_POP_SUBS_IN_SCOPE] += !strcmp(st, "in-scope");
        p[VP_POP_SUBS_NOT_VISIBLE] += !strcmp(st, "not-visible");
        p[VP_POP_SUBS_OUT_OF_SCOPE] += !strcmp(st, "out-of-scope");
    }
    return referenced_subscriptions(t, s, err);
}

void vp_tally_free(vp_tally *t)
{
    free(t->by_vault);
    free(t->without_policy);
    free(t->referenced);
    memset(t, 0, sizeof *t);
}

/* The tally; by_vault counted from ff only when count_findings. */
static vp_status build(vp_tally *t, const vp_snapshot *s, vp_findings_file *ff, int count_findings, vp_error *err)
{
    size_t nctl, nrules;
    const vp_control_record *ctl = vp_findings_file_controls(ff, &nctl);
    const vp_rule_record *rules = vp_findings_file_rules(ff, &nrules);
    memset(t, 0, sizeof *t);
    t->vault_count = s->vault_count;
    t->by_vault = calloc(s->vault_count + 1, sizeof *t->by_vault);
    t->without_policy = calloc(s->vault_count + 1, sizeof *t->without_policy);
    if (!t->by_vault || !t->without_policy) {
        vp_tally_free(t);
        return vp_error_set(err, VP_ERR_NOMEM, "tally: out of memory for %zu vaults", s->vault_count);
    }
    vp_status pst = population(t, s, err);
    if (pst) {
        vp_tally_free(t);
        return pst;
    }
    for (size_t r = 0; r < nrules; r++) {
        unsigned mask = rule_frameworks(&rules[r], ctl, nctl);
        for (int fw = 0; fw < VP_TALLY_FRAMEWORKS; fw++)
            for (int st = 0; mask & (1u << fw) && st < VP_STATUS_COUNT; st++)
                t->by_framework[fw][st] += rules[r].counts[st];
    }
    vp_findings_file_rewind(ff);
    while (count_findings) {
        const vp_finding_record *f;
        vp_status rc = vp_findings_file_next(ff, &f, err);
        if (rc != VP_OK) {
            vp_tally_free(t);
            vp_findings_file_rewind(ff);
            return rc;
        }
        if (!f)
            break;
        vp_tally_add(t, vp_tally_vault_of(s, f->resource_id), f->status);
    }
    vp_findings_file_rewind(ff);
    struct item_pass ip = {t, s};
    vp_status rc = vp_snapshot_each_item(s, count_item, &ip, err);
    if (rc != VP_OK)
        vp_tally_free(t);
    return rc;
}

vp_status vp_tally_build(vp_tally *t, const vp_snapshot *s, vp_findings_file *ff, vp_error *err)
{
    return build(t, s, ff, 1, err);
}

vp_status vp_tally_build_uncounted(vp_tally *t, const vp_snapshot *s, vp_findings_file *ff, vp_error *err)
{
    return build(t, s, ff, 0, err);
}

vp_status vp_tally_build_counted(vp_tally *t, const vp_snapshot *s, vp_findings_file *ff,
                                 const vp_vault_counts *counts, vp_error *err)
{
    if (!counts->by_vault || counts->vault_count != s->vault_count)
        return vp_error_set(err, VP_ERR_INTERNAL, "tally: findings counted over %zu vaults, the snapshot has %zu",
                            counts->vault_count, s->vault_count);
    vp_status st = build(t, s, ff, 0, err);
    if (!st)
        memcpy(t->by_vault, counts->by_vault, (s->vault_count + 1) * sizeof *t->by_vault);
    return st;
}

vp_status vp_tally_check(const vp_tally *t, const vp_snapshot *s, const vp_vault_counts *counts, const char *label,
                         vp_error *err)
{
    if (!counts->by_vault || counts->vault_count != t->vault_count)
        return vp_error_set(err, VP_ERR_INTERNAL, "tally: findings counted over %zu vaults, %s over %zu",
                            counts->vault_count, label, t->vault_count);
    for (size_t v = 0; v <= t->vault_count; v++)
        for (int st = 0; st < VP_STATUS_COUNT; st++)
            if (t->by_vault[v][st] != counts->by_vault[v][st])
                return vp_error_set(err, VP_ERR_INTERNAL,
                                    "%s: %zu %s findings of %s read back, but the evaluation wrote %zu", label,
                                    t->by_vault[v][st], vp_finding_status_name((vp_finding_status)st),
                                    v < s->vault_count && s->vaults[v].name ? s->vaults[v].name : "no vault",
                                    counts->by_vault[v][st]);
    return VP_OK;
}

void vp_tally_add(vp_tally *t, size_t vault_index, vp_finding_status status)
{
    if (vault_index <= t->vault_count && (unsigned)status < VP_STATUS_COUNT)
        t->by_vault[vault_index][status]++;
}
