/* One section per vault: security settings as reported, the region's WORM status with
 * its source and date, every policy with every retention tier, and a summary of the
 * vault's protected items. Items and policies are grouped by vault once (a counting
 * sort over the snapshot), so the sections cost linear time in the estate. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "render/estate.h"
#include "render/pdf_internal.h"

#define NO_VAULT ((size_t)-1)

/* ---- grouping ---- */

static size_t vault_index(const vp_snapshot *s, const char *id)
{
    const vp_vault *v = id ? vp_snapshot_find_vault(s, id) : NULL;
    return v ? (size_t)(v - s->vaults) : NO_VAULT;
}

/* order[start[v] .. start[v+1]) are the entities of vault v; the last bucket holds those
 * whose vault is not in the snapshot. */
static int group(pdf_ctx *c, size_t n, const char *(*vault_of)(const vp_snapshot *, size_t), size_t **order,
                 size_t **start)
{
    size_t nv = c->snap->vault_count, *bucket = malloc((n ? n : 1) * sizeof *bucket);
    *order = malloc((n ? n : 1) * sizeof **order);
    *start = calloc(nv + 2, sizeof **start);
    if (!bucket || !*order || !*start) {
        free(bucket);
        vpr_pdf_nomem(c);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        size_t v = vault_index(c->snap, vault_of(c->snap, i));
        bucket[i] = v == NO_VAULT ? nv : v;
        (*start)[bucket[i] + 1]++;
    }
    for (size_t v = 0; v <= nv; v++)
        (*start)[v + 1] += (*start)[v];
    size_t *fill = calloc(nv + 1, sizeof *fill);
    if (!fill) {
        free(bucket);
        vpr_pdf_nomem(c);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        (*order)[(*start)[bucket[i]] + fill[bucket[i]]++] = i;
    free(fill);
    free(bucket);
    return 0;
}

static const char *item_vault(const vp_snapshot *s, size_t i)
{
    return s->items[i].vault_id;
}

static const char *policy_vault(const vp_snapshot *s, size_t i)
{
    return s->policies[i].vault_id;
}

vp_status vpr_pdf_index_snapshot(pdf_ctx *c)
{
    /* pack hands over the evaluation's count: one parse of every finding fewer on the
     * thread that finishes last (the workbook checks it against the file) */
    c->status = c->in->vault_counts ? vp_tally_build_counted(&c->tally, c->snap, c->ff, c->in->vault_counts, c->err)
                                    : vp_tally_build(&c->tally, c->snap, c->ff, c->err);
    if (c->status != VP_OK)
        return c->status;
    if (group(c, c->snap->item_count, item_vault, &c->item_order, &c->item_start) ||
        group(c, c->snap->policy_count, policy_vault, &c->policy_order, &c->policy_start))
        return c->status;
    return VP_OK;
}

/* ---- one vault ---- */

static const char *reported(const vp_text *t)
{
    if (t->presence != VP_PRESENT || !t->value)
        return "not reported";
    return t->value;
}

static const char *flagged(pdf_ctx *c, const vp_text *t)
{
    return t->unknown ? vpr_pdf_printf(c, "%s (value not documented by Azure: kept verbatim)", reported(t)) : reported(t);
}

/* The state, the configuration format 2 added (type, and days for TimeBased), and - when
 * the state is not reported - whether the API returned no immutability settings at all,
 * which on current api-versions means never configured (docs/snapshot-format.md). */
static const char *immutability(pdf_ctx *c, const vp_vault *v)
{
    const char *text = flagged(c, &v->immutability);
    if (v->immutability_type.presence == VP_PRESENT)
        text = vpr_pdf_printf(c, "%s; configuration %s%s", text, flagged(c, &v->immutability_type),
                              v->immutability_days.presence == VP_PRESENT
                                  ? vpr_pdf_printf(c, ", %lld days", v->immutability_days.value) : "");
    if (vp_vault_immutability_never_configured(v))
        text = vpr_pdf_printf(c, "%s (the API returned no immutability settings%s%s)", text,
                              v->api_version ? " at api-version " : "", vpr_pdf_nz(v->api_version));
    return text;
}

static const char *worm_status(pdf_ctx *c, const vp_vault *v)
{
    const vp_snapshot *s = c->snap;
    const vp_region *r = vp_snapshot_find_region(s, vpr_pdf_nz(v->location));
    char label[256];
    if (!r)
        return vpr_pdf_printf(c, "%s: not in the WORM region catalog",
                              vpr_location_label(s, c->worm, vpr_pdf_nz(v->location), label, sizeof label));
    const char *name = vpr_location_label(s, c->worm, r->location, label, sizeof label);
    if (!r->worm || strcmp(r->worm, "ga"))
        return vpr_pdf_printf(c, "%s: pending automatic transition to WORM storage; not listed as generally available",
                              name);
    const char *text = vpr_pdf_printf(c, "%s: WORM storage generally available", name);
    for (size_t i = 0; i < r->source_count; i++)
        for (size_t k = 0; k < s->worm_source_count; k++) {
            const vp_worm_source *w = &s->worm_sources[k];
            if (!w->id || !r->sources[i] || strcmp(w->id, r->sources[i]))
                continue;
            /* a source without a date (an undated internal document) says so in its title:
             * "as of" is printed only with its date, never dangling */
            text = vpr_pdf_printf(c, "%s\nsource: %s%s%s%s%s (recorded %s; %s)", text, vpr_pdf_nz(w->title),
                                  w->as_of ? ", as of " : "", vpr_pdf_nz(w->as_of), w->retrieved ? ", retrieved " : "",
                                  vpr_pdf_nz(w->retrieved), vpr_pdf_nz(w->recorded), w->id);
        }
    return text;
}

static const char *tally(pdf_ctx *c, const size_t *counts)
{
    static const int order[] = {VP_FAIL, VP_INCOMPLETE, VP_WARN, VP_EXEMPT, VP_PASS, VP_NOT_APPLICABLE};
    const char *text = "";
    size_t total = 0;
    for (size_t i = 0; i < sizeof order / sizeof *order; i++)
        if (counts[order[i]]) {
            total += counts[order[i]];
            text = vpr_pdf_printf(c, "%s%s%s %s", text, *text ? ", " : "", vpr_pdf_count(c, counts[order[i]]),
                                  vp_finding_status_name((vp_finding_status)order[i]));
        }
    return *text ? vpr_pdf_printf(c, "%s (%s findings)", text, vpr_pdf_count(c, total)) : "none";
}

static void settings(pdf_ctx *c, size_t vi)
{
    const vp_vault *v = &c->snap->vaults[vi];
    pdf_table t;
    pdf_col cols[2];
    vpr_pdf_kv_begin(c, &t, cols, 118);
    vpr_pdf_kv(c, &t, "Resource id", v->id, PF_MONO);
    vpr_pdf_kv(c, &t, "Subscription, group", vpr_pdf_printf(c, "%s \xC2\xB7 %s", vpr_pdf_nz(v->subscription_id), vpr_pdf_nz(v->resource_group)),
           PF_SANS);
    vpr_pdf_kv(c, &t, "Immutability", immutability(c, v), PF_BOLD);
    vpr_pdf_kv(c, &t, "Soft delete",
           vpr_pdf_printf(c, "%s; retention %s; enhanced security %s", flagged(c, &v->soft_delete),
                      v->soft_delete_days.presence == VP_PRESENT ? vpr_pdf_printf(c, "%lld days", v->soft_delete_days.value)
                                                                  : "not reported",
                      flagged(c, &v->enhanced_security)),
           PF_SANS);
    const char *mua = vpr_pdf_printf(c, "%s; %zu resource guard prox%s", flagged(c, &v->mua), v->guard_count,
                                 v->guard_count == 1 ? "y" : "ies");
    for (size_t g = 0; g < v->guard_count; g++) {
        const vp_resource_guard *guard = vpr_proxy_guard(c->snap, &v->guards[g]);
        const char *id = guard ? guard->id : v->guards[g].resource_guard_id;
        const char *iso = vpr_guard_isolation(c->snap, v, guard, id);
        mua = vpr_pdf_printf(c, "%s\nguard %s (%s; %s)", mua, vpr_pdf_nz(id), guard ? vpr_pdf_nz(guard->status) : "not in the snapshot",
                             iso ? iso : "isolation not known");
    }
    vpr_pdf_kv(c, &t, "Multi-user authorization", mua, PF_SANS);
    vpr_pdf_kv(c, &t, "Redundancy", vpr_pdf_printf(c, "%s; cross-region restore %s", flagged(c, &v->storage_redundancy),
                                           flagged(c, &v->cross_region_restore)), PF_SANS);
    vpr_pdf_kv(c, &t, "Region WORM status", worm_status(c, v), PF_SANS);
    vpr_pdf_kv(c, &t, "Source scan", flagged(c, &v->source_scan), PF_SANS);
    if (v->engine_count)
        vpr_pdf_kv(c, &t, "Backup engines",
                   vpr_pdf_printf(c, "%s DPM / Azure Backup Server engine%s registered (listed under Population)",
                                  vpr_pdf_count(c, v->engine_count), v->engine_count == 1 ? "" : "s"), PF_SANS);
    vpr_pdf_kv(c, &t, "Other settings", vpr_pdf_printf(c, "SKU %s; secure score %s; BCDR security level %s; public network access %s; "
                                                          "read at api-version %s",
                                               reported(&v->sku), reported(&v->secure_score),
                                               reported(&v->bcdr_security_level), reported(&v->public_network_access),
                                               v->api_version ? v->api_version : "not known"),
           PF_SANS);
    vpr_pdf_kv(c, &t, "List calls", vpr_pdf_printf(c, "policies %s, items %s, backup config %s, storage config %s, guards %s, engines %s",
                                           vp_list_status_name(v->lists[VP_ARM_LIST_POLICIES]), vp_list_status_name(v->lists[VP_ARM_LIST_ITEMS]),
                                           vp_list_status_name(v->lists[VP_ARM_LIST_VAULTCONFIG]),
                                           vp_list_status_name(v->lists[VP_ARM_LIST_STORAGECONFIG]),
                                           vp_list_status_name(v->lists[VP_ARM_LIST_GUARDS]),
                                           vp_list_status_name(v->lists[VP_ARM_LIST_ENGINES])), PF_SANS);
    vpr_pdf_kv(c, &t, "Findings", tally(c, c->tally.by_vault[vi]), PF_SANS);
    vpr_pdf_kv(c, &t, "Source", vpr_pdf_printf(c, "%s#%s", vpr_pdf_nz(v->source.file), vpr_pdf_nz(v->source.pointer)), PF_MONO);
    vpr_pdf_table_end(c, &t);
}

/* Every tier on its own line: "[sub-policy] tier count unit (days)". */
static const char *tiers(pdf_ctx *c, const vp_policy *p)
{
    c->text.len = 0;
    for (size_t i = 0; i < p->tier_count; i++) {
        const vp_retention_tier *r = &p->tiers[i];
        char days[48], one[320];
        if (r->days >= 0)
            snprintf(days, sizeof days, "%lld d", r->days);
        else
            snprintf(days, sizeof days, "unit not understood");
        int n = snprintf(one, sizeof one, "%s%s%s%s %lld %s (%s)", i ? "\n" : "", vpr_pdf_nz(r->sub_policy),
                         r->sub_policy ? " " : "", vpr_pdf_nz(r->tier), r->count, vpr_pdf_nz(r->unit), days);
        if (n > 0)
            vpr_pdf_buf_add(c, &c->text, one, (size_t)n < sizeof one ? (size_t)n : sizeof one - 1);
    }
    return vpr_pdf_strdup(c, c->text.s ? c->text.s : "");
}

static void policies(pdf_ctx *c, size_t vi)
{
    static const pdf_col cols[] = {{"Policy", 120, PF_BOLD, PA_LEFT}, {"Type", 110, PF_SANS, PA_LEFT},
                                   {"Items", 40, PF_SANS, PA_RIGHT},   {"Retention tiers (as configured, in days)", PDF_WIDTH - 270, PF_SANS, PA_LEFT}};
    size_t from = c->policy_start[vi], to = c->policy_start[vi + 1];
    if (from == to)
        return;
    pdf_table t;
    vpr_pdf_table_begin(c, &t, cols, 4, PDF_TABLE_SIZE);
    for (size_t k = from; k < to && !c->status; k++) {
        const vp_policy *p = &c->snap->policies[c->policy_order[k]];
        const char *type = vpr_pdf_printf(c, "%s%s%s%s", reported(&p->management_type),
                                      p->workload_type.value ? " \xC2\xB7 " : "", vpr_pdf_nz(p->workload_type.value),
                                      p->policy_type.value ? vpr_pdf_printf(c, " \xC2\xB7 %s", p->policy_type.value) : "");
        const char *row[] = {vpr_pdf_nz(p->name), type,
                             p->protected_items_count.presence == VP_PRESENT
                                 ? vpr_pdf_count(c, (size_t)p->protected_items_count.value) : "\xE2\x80\x94",
                             p->tier_count ? tiers(c, p) : "no retention reported"};
        vpr_pdf_table_strings(c, &t, row);
    }
    vpr_pdf_table_end(c, &t);
}

/* ---- the vault's protected items, summarized ---- */

#define MAX_KINDS 16
#define MAX_STATES 10

typedef struct {
    const char *kind;
    size_t items, no_policy, nstates;
    const char *state[MAX_STATES];
    size_t per_state[MAX_STATES];
} kind_tally;

static void count_item(kind_tally *k, size_t *nk, const vp_item *it)
{
    const char *kind = vpr_pdf_nz(it->kind), *state = reported(&it->protection_state);
    size_t i = 0, j = 0;
    while (i < *nk && strcmp(k[i].kind, kind))
        i++;
    if (i == *nk) {
        if (*nk == MAX_KINDS)
            i = MAX_KINDS - 1, k[i].kind = "other kinds";
        else
            memset(&k[i], 0, sizeof k[i]), k[i].kind = kind, (*nk)++;
    }
    k[i].items++;
    k[i].no_policy += (size_t)vp_item_without_policy(it);
    while (j < k[i].nstates && strcmp(k[i].state[j], state))
        j++;
    if (j == k[i].nstates) {
        if (k[i].nstates == MAX_STATES)
            j = MAX_STATES - 1, k[i].state[j] = "other states";
        else
            k[i].state[k[i].nstates++] = state;
    }
    k[i].per_state[j]++;
}

static void items(pdf_ctx *c, size_t vi)
{
    static const pdf_col cols[] = {{"Item kind", 110, PF_MONO, PA_LEFT}, {"Items", 50, PF_SANS, PA_RIGHT},
                                   {"Protection states", PDF_WIDTH - 230, PF_SANS, PA_LEFT},
                                   {"Without policy", 70, PF_SANS, PA_RIGHT}};
    kind_tally k[MAX_KINDS];
    size_t nk = 0, from = c->item_start[vi], to = c->item_start[vi + 1];
    for (size_t i = from; i < to; i++)
        count_item(k, &nk, &c->snap->items[c->item_order[i]]);
    if (!nk) {
        vpr_pdf_para(c, PF_SANS, 7.5f, &vpr_pdf_muted, "No protected items in this vault.");
        return;
    }
    pdf_table t;
    vpr_pdf_table_begin(c, &t, cols, 4, PDF_TABLE_SIZE);
    for (size_t i = 0; i < nk && !c->status; i++) {
        const char *states = "";
        for (size_t j = 0; j < k[i].nstates; j++)
            states = vpr_pdf_printf(c, "%s%s%s %s", states, j ? ", " : "", k[i].state[j], vpr_pdf_count(c, k[i].per_state[j]));
        const char *row[] = {k[i].kind, vpr_pdf_count(c, k[i].items), states, vpr_pdf_count(c, k[i].no_policy)};
        vpr_pdf_table_strings(c, &t, row);
    }
    vpr_pdf_table_end(c, &t);
}

void vpr_pdf_vaults(pdf_ctx *c)
{
    vpr_pdf_section(c, vpr_pdf_t(c, "/sections/vaults/title"));
    vpr_pdf_para(c, PF_SANS, PDF_BODY_SIZE, NULL, vpr_pdf_t(c, "/sections/vaults/intro"));
    for (size_t v = 0; v < c->snap->vault_count && !c->status; v++) {
        vpr_pdf_need(c, 260);
        vpr_pdf_heading(c, 1, vpr_pdf_nz(c->snap->vaults[v].name), 0);
        settings(c, v);
        policies(c, v);
        items(c, v);
        c->y -= 6;
    }
}
