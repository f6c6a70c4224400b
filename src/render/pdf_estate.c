/* The estate beside the protected items, at the end of the population section: DPM and
 * Azure Backup Server engines registered to the vaults, the resource guards the vaults'
 * proxies name (status, isolation from the vault, exclusions, auto approvals) and the
 * soft-deleted vaults. These are few (a handful per vault), so they are always listed in
 * full, whatever the population limit. */
#include <string.h>

#include "render/estate.h"
#include "render/pdf_internal.h"

#define DASH "\xE2\x80\x94"

static const char *reported(const vp_text *t)
{
    return t->presence == VP_PRESENT && t->value ? t->value : "not reported";
}

static const char *num(pdf_ctx *c, const vp_num *n)
{
    return n->presence == VP_PRESENT && n->value >= 0 ? vpr_pdf_count(c, (size_t)n->value) : DASH;
}

static const char *vault_name(const vp_snapshot *s, const char *vault_id)
{
    const vp_vault *v = vault_id ? vp_snapshot_find_vault(s, vault_id) : NULL;
    return v ? vpr_pdf_nz(v->name) : vpr_pdf_nz(vault_id);
}

/* A heading, and the table's intro or the sentence saying there is nothing. */
static int part(pdf_ctx *c, const char *key, size_t count)
{
    vpr_pdf_heading(c, 1, vpr_pdf_t(c, vpr_pdf_printf(c, "/sections/population/%s/title", key)), 1);
    const char *vars[] = {"count", vpr_pdf_count(c, count), NULL};
    vpr_pdf_para(c, PF_SANS, PDF_BODY_SIZE, NULL,
                 vpr_pdf_tf(c, vpr_pdf_printf(c, "/sections/population/%s/%s", key, count ? "intro" : "none"), vars));
    return count > 0;
}

static void engines(pdf_ctx *c)
{
    /* versions: DPM above the Azure Backup agent; counts: protected servers / items */
    /* Type fits "AzureBackupServer" on one line */
    static const pdf_col cols[] = {{"Vault", 66, PF_SANS, PA_LEFT},        {"Engine", 84, PF_SANS, PA_LEFT},
                                   {"Type", 70, PF_SANS, PA_LEFT},         {"Registration", 52, PF_SANS, PA_LEFT},
                                   {"Health", 42, PF_SANS, PA_LEFT},       {"Versions", 56, PF_MONO, PA_LEFT},
                                   {"Servers / items", 50, PF_SANS, PA_RIGHT},
                                   {"Last reported (UTC)", PDF_WIDTH - 420, PF_SANS, PA_LEFT}};
    const vp_snapshot *s = c->snap;
    if (!part(c, "engines", s->engine_count))
        return;
    pdf_table t;
    vpr_pdf_table_begin(c, &t, cols, sizeof cols / sizeof *cols, 6.2f);
    for (size_t i = 0; i < s->engine_count && !c->status; i++) {
        const vp_backup_engine *e = &s->engines[i];
        pdf_cell cells[8];
        cells[0] = vpr_pdf_cell_text(vault_name(s, e->vault_id));
        cells[1] = vpr_pdf_cell_text(e->friendly_name.presence == VP_PRESENT ? e->friendly_name.value : vpr_pdf_nz(e->name));
        cells[1].nparts = 2;
        cells[1].parts[1] = (pdf_part){vpr_pdf_nz(e->name), PF_MONO, -1, &vpr_pdf_muted, 5.2f};
        cells[2] = vpr_pdf_cell_text(reported(&e->management_type));
        cells[3] = vpr_pdf_cell_text(reported(&e->registration_status));
        cells[4] = vpr_pdf_cell_text(reported(&e->health_status));
        cells[5] = vpr_pdf_cell_text(vpr_pdf_printf(c, "%s\n%s", reported(&e->dpm_version), reported(&e->agent_version)));
        cells[6] = vpr_pdf_cell_text(vpr_pdf_printf(c, "%s / %s", num(c, &e->protected_servers_count),
                                                    num(c, &e->protected_items_count)));
        cells[7] = vpr_pdf_cell_text(e->refreshed_at.presence == VP_PRESENT ? vpr_pdf_time(c, e->refreshed_at.value)
                                                                            : "not reported");
        vpr_pdf_table_row(c, &t, cells);
    }
    vpr_pdf_table_end(c, &t);
}

static const char *guard_status(pdf_ctx *c, const vp_resource_guard *g)
{
    if (!g)
        return "not in the snapshot";
    return g->detail ? vpr_pdf_printf(c, "%s: %s", vpr_pdf_nz(g->status), g->detail) : vpr_pdf_nz(g->status);
}

static const char *exclusions(pdf_ctx *c, const vp_resource_guard *g)
{
    if (!g || !g->status || strcmp(g->status, "read"))
        return DASH;
    if (g->exclusions_presence != VP_PRESENT)
        return "not reported";
    if (!g->exclusion_count)
        return "none";
    const char *text = "";
    for (size_t i = 0; i < g->exclusion_count; i++)
        text = vpr_pdf_printf(c, "%s%s%s", text, i ? "\n" : "", vpr_pdf_nz(g->exclusions[i]));
    return text;
}

static const char *auto_approvals(const vp_resource_guard *g)
{
    if (!g || !g->status || strcmp(g->status, "read"))
        return DASH;
    if (g->allow_auto_approvals.presence != VP_PRESENT)
        return "not reported";
    return g->allow_auto_approvals.value ? "allowed" : "not allowed";
}

/* One row per vault and proxy: the same guard protecting two vaults is listed twice,
 * since its isolation is relative to each vault. */
static void guards(pdf_ctx *c)
{
    static const pdf_col cols[] = {{"Vault", 66, PF_SANS, PA_LEFT},      {"Resource guard", 124, PF_SANS, PA_LEFT},
                                   {"Status", 66, PF_SANS, PA_LEFT},     {"Isolation", 66, PF_SANS, PA_LEFT},
                                   {"Excluded operations", PDF_WIDTH - 382, PF_MONO, PA_LEFT},
                                   {"Auto approvals", 60, PF_SANS, PA_LEFT}};
    const vp_snapshot *s = c->snap;
    size_t proxies = 0;
    for (size_t v = 0; v < s->vault_count; v++)
        proxies += s->vaults[v].guard_count;
    if (!part(c, "guards", proxies))
        return;
    pdf_table t;
    vpr_pdf_table_begin(c, &t, cols, sizeof cols / sizeof *cols, 6.2f);
    for (size_t v = 0; v < s->vault_count && !c->status; v++) {
        const vp_vault *vault = &s->vaults[v];
        for (size_t k = 0; k < vault->guard_count && !c->status; k++) {
            const vp_guard_proxy *proxy = &vault->guards[k];
            const vp_resource_guard *g = vpr_proxy_guard(s, proxy);
            const char *id = g ? g->id : proxy->resource_guard_id;
            const char *iso = vpr_guard_isolation(s, vault, g, id);
            pdf_cell cells[6];
            cells[0] = vpr_pdf_cell_text(vpr_pdf_nz(vault->name));
            const char *slash = id ? strrchr(id, '/') : NULL;
            cells[1] = vpr_pdf_cell_text(g && g->name ? g->name : slash ? slash + 1 : "");
            cells[1].nparts = 2;
            cells[1].parts[1] = (pdf_part){id ? id : "no guard id in the proxy", PF_MONO, -1, &vpr_pdf_muted, 5.2f};
            cells[2] = vpr_pdf_cell_text(guard_status(c, g));
            cells[3] = vpr_pdf_cell_text(iso ? iso : "not known");
            cells[4] = vpr_pdf_cell_text(exclusions(c, g));
            cells[4].parts[0].size = 5.2f;
            cells[5] = vpr_pdf_cell_text(auto_approvals(g));
            vpr_pdf_table_row(c, &t, cells);
        }
    }
    vpr_pdf_table_end(c, &t);
}

static void deleted_vaults(pdf_ctx *c)
{
    static const pdf_col cols[] = {{"Soft-deleted vault", 170, PF_SANS, PA_LEFT}, {"Location", 90, PF_SANS, PA_LEFT},
                                   {"Subscription", 95, PF_MONO, PA_LEFT},        {"Deleted (UTC)", 70, PF_SANS, PA_LEFT},
                                   {"Purge at (UTC)", PDF_WIDTH - 425, PF_SANS, PA_LEFT}};
    const vp_snapshot *s = c->snap;
    if (!part(c, "deleted", s->deleted_vault_count))
        return;
    pdf_table t;
    vpr_pdf_table_begin(c, &t, cols, sizeof cols / sizeof *cols, 6.2f);
    for (size_t i = 0; i < s->deleted_vault_count && !c->status; i++) {
        const vp_deleted_vault *d = &s->deleted_vaults[i];
        pdf_cell cells[5];
        cells[0] = vpr_pdf_cell_text(vpr_pdf_nz(d->name));
        cells[0].nparts = 2;
        cells[0].parts[1] = (pdf_part){d->vault_id.presence == VP_PRESENT ? d->vault_id.value : vpr_pdf_nz(d->id), PF_MONO,
                                       -1, &vpr_pdf_muted, 5.2f};
        char region[256];
        cells[1] = vpr_pdf_cell_text(vpr_pdf_strdup(c, vpr_location_label(c->snap, c->worm, vpr_pdf_nz(d->location), region,
                                                                           sizeof region)));
        cells[2] = vpr_pdf_cell_text(vpr_pdf_nz(d->subscription_id));
        cells[3] = vpr_pdf_cell_text(d->deletion_time.presence == VP_PRESENT ? vpr_pdf_time(c, d->deletion_time.value)
                                                                             : "not reported");
        cells[4] = vpr_pdf_cell_text(d->purge_at.presence == VP_PRESENT ? vpr_pdf_time(c, d->purge_at.value)
                                                                        : "not reported");
        vpr_pdf_table_row(c, &t, cells);
    }
    vpr_pdf_table_end(c, &t);
}

void vpr_pdf_population_estate(pdf_ctx *c)
{
    engines(c);
    guards(c);
    deleted_vaults(c);
}
