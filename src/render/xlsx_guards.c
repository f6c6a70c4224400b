/* The estate beside the protected items: Backup Engines (DPM servers and Azure Backup
 * Servers registered to the vaults), Resource Guards (one row per vault and proxy, with
 * the guard it names: status, isolation from the vault, exclusions, auto approvals) and
 * Deleted Vaults (soft-deleted vaults). Values are the snapshot's, verbatim; an empty
 * cell is a value the API did not report. */
#include <string.h>

#include "render/estate.h"
#include "render/xlsx_internal.h"

static void join(vpc_buf *b, const char *const *values, size_t n)
{
    vpc_buf_clear(b);
    for (size_t i = 0; i < n; i++) {
        vpr_xlsx_sep(b, "; ");
        vpc_buf_adds(b, values[i]);
    }
}

enum {
    E_VAULT, E_FRIENDLY, E_NAME, E_MANAGEMENT, E_TYPE, E_REGISTRATION, E_STATE, E_HEALTH, E_DPM, E_AGENT,
    E_SERVERS, E_ITEMS, E_REFRESHED, E_UNKNOWN, E_VAULT_LISTED, E_SUB, E_ID, E_FILE, E_POINTER, E_NCOLS
};

static const xlsx_col engine_cols[E_NCOLS] = {
    [E_VAULT] = {"Vault", XC_TEXT, 0},
    [E_FRIENDLY] = {"Engine", XC_TEXT, 0},
    [E_NAME] = {"Name", XC_ID, 0},
    [E_MANAGEMENT] = {"Backup management type", XC_TEXT, 0},
    [E_TYPE] = {"Engine type", XC_TEXT, 0},
    [E_REGISTRATION] = {"Registration status", XC_TEXT, 0},
    [E_STATE] = {"Engine state", XC_TEXT, 0},
    [E_HEALTH] = {"Health status", XC_TEXT, XP_PROTECTION},
    [E_DPM] = {"DPM version", XC_ID, 0},
    [E_AGENT] = {"Agent version", XC_ID, 0},
    [E_SERVERS] = {"Protected servers", XC_NUM, 0},
    [E_ITEMS] = {"Protected items", XC_NUM, 0},
    [E_REFRESHED] = {"Last reported (UTC)", XC_TIME, 0},
    [E_UNKNOWN] = {"Values outside the documented enum", XC_TEXT, 0},
    [E_VAULT_LISTED] = {"Vault listed", XC_BOOL, 0},
    [E_SUB] = {"Subscription", XC_ID, 0},
    [E_ID] = {"Id", XC_ID, 0},
    [E_FILE] = {"Source file", XC_ID, 0},
    [E_POINTER] = {"Source pointer", XC_ID, 0},
};

static void engine_row(xlsx_ctx *x, xlsx_pop *p, const vp_backup_engine *e)
{
    static const char *const names[] = {"backup_management_type", "engine_type", "registration_status",
                                        "engine_state", "health_status"};
    const vp_text *fields[] = {&e->management_type, &e->engine_type, &e->registration_status, &e->engine_state,
                               &e->health_status};
    if (vpr_xlsx_pop_row(p))
        return;
    vpr_xlsx_text(p, E_VAULT, vpr_xlsx_vault_name(x->in->snapshot, e->vault_id));
    vpr_xlsx_vtext(p, E_FRIENDLY, &e->friendly_name);
    vpr_xlsx_text(p, E_NAME, e->name);
    vpr_xlsx_vtext(p, E_MANAGEMENT, &e->management_type);
    vpr_xlsx_vtext(p, E_TYPE, &e->engine_type);
    vpr_xlsx_vtext(p, E_REGISTRATION, &e->registration_status);
    vpr_xlsx_vtext(p, E_STATE, &e->engine_state);
    vpr_xlsx_vtext(p, E_HEALTH, &e->health_status);
    vpr_xlsx_vtext(p, E_DPM, &e->dpm_version);
    vpr_xlsx_vtext(p, E_AGENT, &e->agent_version);
    vpr_xlsx_vnum(p, E_SERVERS, &e->protected_servers_count);
    vpr_xlsx_vnum(p, E_ITEMS, &e->protected_items_count);
    if (e->refreshed_at.presence == VP_PRESENT)
        vpr_xlsx_time(p, E_REFRESHED, e->refreshed_at.value);
    vpc_buf_clear(&x->buf);
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (fields[i]->presence == VP_PRESENT && fields[i]->unknown) {
            vpr_xlsx_sep(&x->buf, "; ");
            vpc_buf_adds(&x->buf, names[i]);
        }
    vpr_xlsx_text(p, E_UNKNOWN, vpc_buf_str(&x->buf));
    vpr_xlsx_bool(p, E_VAULT_LISTED, e->vault_listed);
    vpr_xlsx_text(p, E_SUB, e->subscription_id);
    vpr_xlsx_text(p, E_ID, e->id);
    vpr_xlsx_text(p, E_FILE, e->source.file);
    vpr_xlsx_text(p, E_POINTER, e->source.pointer);
}

void vpr_xlsx_write_engines(xlsx_ctx *x)
{
    const vp_snapshot *s = x->in->snapshot;
    xlsx_pop p;
    if (vpr_xlsx_pop_begin(&p, x, "Backup Engines", engine_cols, NULL, E_NCOLS, s->engine_count))
        return;
    for (size_t i = 0; i < s->engine_count && !x->status; i++)
        engine_row(x, &p, &s->engines[i]);
    vpr_xlsx_pop_end(&p);
}

enum {
    G_VAULT, G_NAME, G_STATUS, G_DETAIL, G_ISOLATION, G_SUB, G_RG, G_LOCATION, G_PROVISIONING, G_EXCLUSIONS,
    G_OPERATIONS, G_AUTO, G_PROXY_UPDATED, G_PROXY_ID, G_VAULT_ID, G_ID, G_FILE, G_POINTER, G_NCOLS
};

static const xlsx_col guard_cols[G_NCOLS] = {
    [G_VAULT] = {"Vault", XC_TEXT, 0},
    [G_NAME] = {"Resource guard", XC_TEXT, 0},
    [G_STATUS] = {"Status", XC_TEXT, 0},
    [G_DETAIL] = {"Detail", XC_TEXT, 0},
    [G_ISOLATION] = {"Isolation", XC_TEXT, 0},
    [G_SUB] = {"Guard subscription", XC_ID, 0},
    [G_RG] = {"Guard resource group", XC_TEXT, 0},
    [G_LOCATION] = {"Location", XC_TEXT, 0},
    [G_PROVISIONING] = {"Provisioning state", XC_TEXT, 0},
    [G_EXCLUSIONS] = {"Excluded operations", XC_TEXT, 0},
    [G_OPERATIONS] = {"Protected operations", XC_TEXT, 0},
    [G_AUTO] = {"Auto approvals allowed", XC_BOOL, 0},
    [G_PROXY_UPDATED] = {"Proxy last updated (UTC)", XC_TIME, 0},
    [G_PROXY_ID] = {"Proxy id", XC_ID, 0},
    [G_VAULT_ID] = {"Vault id", XC_ID, 0},
    [G_ID] = {"Guard id", XC_ID, 0},
    [G_FILE] = {"Source file", XC_ID, 0},
    [G_POINTER] = {"Source pointer", XC_ID, 0},
};

static void guard_row(xlsx_ctx *x, xlsx_pop *p, const vp_vault *v, const vp_guard_proxy *proxy)
{
    const vp_snapshot *s = x->in->snapshot;
    const vp_resource_guard *g = vpr_proxy_guard(s, proxy);
    const char *id = g ? g->id : proxy->resource_guard_id;
    if (vpr_xlsx_pop_row(p))
        return;
    vpr_xlsx_text(p, G_VAULT, v->name);
    vpr_xlsx_text(p, G_ISOLATION, vpr_guard_isolation(s, v, g, id));
    vpr_xlsx_time(p, G_PROXY_UPDATED, proxy->last_updated);
    vpr_xlsx_text(p, G_PROXY_ID, proxy->id);
    vpr_xlsx_text(p, G_VAULT_ID, v->id);
    vpr_xlsx_text(p, G_ID, id);
    if (!g) { /* a snapshot of format 1 records no guard entity */
        vpr_xlsx_text(p, G_STATUS, "not in the snapshot");
        vpr_xlsx_text(p, G_FILE, proxy->source.file);
        vpr_xlsx_text(p, G_POINTER, proxy->source.pointer);
        return;
    }
    vpr_xlsx_text(p, G_NAME, g->name);
    vpr_xlsx_text(p, G_STATUS, g->status);
    vpr_xlsx_text(p, G_DETAIL, g->detail);
    vpr_xlsx_text(p, G_SUB, g->subscription_id);
    vpr_xlsx_text(p, G_RG, g->resource_group);
    if (g->location.presence == VP_PRESENT) {
        char region[256];
        vpr_xlsx_text(p, G_LOCATION, vpr_location_label(x->in->snapshot, x->worm, g->location.value, region, sizeof region));
    } else {
        vpr_xlsx_vtext(p, G_LOCATION, &g->location);
    }
    vpr_xlsx_vtext(p, G_PROVISIONING, &g->provisioning_state);
    if (g->exclusions_presence == VP_PRESENT) { /* an empty list is "none"; an empty cell, not reported */
        join(&x->buf, g->exclusions, g->exclusion_count);
        vpr_xlsx_text(p, G_EXCLUSIONS, g->exclusion_count ? vpc_buf_str(&x->buf) : "none");
    }
    join(&x->buf, g->operations, g->operation_count);
    vpr_xlsx_text(p, G_OPERATIONS, vpc_buf_str(&x->buf));
    if (g->allow_auto_approvals.presence == VP_PRESENT)
        vpr_xlsx_bool(p, G_AUTO, g->allow_auto_approvals.value);
    vpr_xlsx_text(p, G_FILE, g->source.file);
    vpr_xlsx_text(p, G_POINTER, g->source.pointer);
}

/* One row per vault and proxy: a guard's isolation is relative to each vault it guards. */
void vpr_xlsx_write_guards(xlsx_ctx *x)
{
    const vp_snapshot *s = x->in->snapshot;
    size_t rows = 0;
    xlsx_pop p;
    for (size_t v = 0; v < s->vault_count; v++)
        rows += s->vaults[v].guard_count;
    if (vpr_xlsx_pop_begin(&p, x, "Resource Guards", guard_cols, NULL, G_NCOLS, rows))
        return;
    for (size_t v = 0; v < s->vault_count && !x->status; v++)
        for (size_t k = 0; k < s->vaults[v].guard_count && !x->status; k++)
            guard_row(x, &p, &s->vaults[v], &s->vaults[v].guards[k]);
    vpr_xlsx_pop_end(&p);
}

enum { D_NAME, D_VAULT_ID, D_SUB, D_LOCATION, D_DELETED, D_PURGE, D_ID, D_FILE, D_POINTER, D_NCOLS };

static const xlsx_col deleted_cols[D_NCOLS] = {
    [D_NAME] = {"Vault", XC_TEXT, 0},
    [D_VAULT_ID] = {"Vault id", XC_ID, 0},
    [D_SUB] = {"Subscription", XC_ID, 0},
    [D_LOCATION] = {"Location", XC_TEXT, 0},
    [D_DELETED] = {"Deleted (UTC)", XC_TIME, 0},
    [D_PURGE] = {"Purge at (UTC)", XC_TIME, 0},
    [D_ID] = {"Id", XC_ID, 0},
    [D_FILE] = {"Source file", XC_ID, 0},
    [D_POINTER] = {"Source pointer", XC_ID, 0},
};

void vpr_xlsx_write_deleted_vaults(xlsx_ctx *x)
{
    const vp_snapshot *s = x->in->snapshot;
    xlsx_pop p;
    if (vpr_xlsx_pop_begin(&p, x, "Deleted Vaults", deleted_cols, NULL, D_NCOLS, s->deleted_vault_count))
        return;
    for (size_t i = 0; i < s->deleted_vault_count && !vpr_xlsx_pop_row(&p); i++) {
        const vp_deleted_vault *d = &s->deleted_vaults[i];
        vpr_xlsx_text(&p, D_NAME, d->name);
        vpr_xlsx_vtext(&p, D_VAULT_ID, &d->vault_id);
        vpr_xlsx_text(&p, D_SUB, d->subscription_id);
        char region[256];
        vpr_xlsx_text(&p, D_LOCATION, vpr_location_label(s, x->worm, d->location, region, sizeof region));
        if (d->deletion_time.presence == VP_PRESENT)
            vpr_xlsx_time(&p, D_DELETED, d->deletion_time.value);
        if (d->purge_at.presence == VP_PRESENT)
            vpr_xlsx_time(&p, D_PURGE, d->purge_at.value);
        vpr_xlsx_text(&p, D_ID, d->id);
        vpr_xlsx_text(&p, D_FILE, d->source.file);
        vpr_xlsx_text(&p, D_POINTER, d->source.pointer);
    }
    vpr_xlsx_pop_end(&p);
}
