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

void vpe_rule_immutability_locked(vp_eval_ctx *c)
{
    for (size_t i = 0; i < c->s->vault_count; i++) {
        const vp_vault *v = &c->s->vaults[i];
        if (skip_empty_vault(c, i, "immutability"))
            continue;
        vp_list_status dep = vpe_list_min(vpe_vault_list_status(c->s, v), v->lists[VP_ARM_LIST_ITEMS]);
        vp_draft d = vault_draft(c, i, "immutability", "/properties/securitySettings/immutabilitySettings/state");
        d.expected = vpe_param_bool(c, "accept_unlocked") ? "Locked (Unlocked accepted with a warning)" : "Locked";
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
            d.observed = vpe_fmt(c, "immutability %s", shown(&v->immutability));
            d.note = "WORM storage backs locked immutable vaults only; see immutability.locked";
            vpe_emit(c, &d, VP_LIST_COMPLETE);
            continue;
        }
        vp_location_normalize(v->location, loc, sizeof loc);
        const vp_region *reg = vp_snapshot_find_region(c->s, loc);
        if (reg && !strcmp(reg->worm, "ga")) {
            char src[512] = "";
            for (size_t k = 0; k < reg->source_count; k++)
                for (size_t w = 0; w < c->s->worm_source_count; w++)
                    if (!strcmp(c->s->worm_sources[w].id, reg->sources[k])) {
                        size_t n = strlen(src);
                        snprintf(src + n, sizeof src - n, "%s%s (%s%s)", n ? "; " : "", c->s->worm_sources[w].title,
                                 c->s->worm_sources[w].as_of ? "as of " : "undated",
                                 c->s->worm_sources[w].as_of ? c->s->worm_sources[w].as_of : "");
                    }
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

void vpe_rule_mua(vp_eval_ctx *c)
{
    for (size_t i = 0; i < c->s->vault_count; i++) {
        const vp_vault *v = &c->s->vaults[i];
        if (skip_empty_vault(c, i, "multi_user_authorization"))
            continue;
        vp_draft d = vault_draft(c, i, "multi_user_authorization", "/properties/securitySettings/multiUserAuthorization");
        d.expected = "multi-user authorization Enabled through a Resource Guard";
        vp_list_status dep = vpe_list_min(vpe_vault_list_status(c->s, v), v->lists[VP_ARM_LIST_GUARDS]);
        if (v->guard_count > 0 || is(&v->mua, "Enabled")) {
            d.status = VP_PASS;
            d.observed = v->guard_count ? vpe_fmt(c, "%s; resource guard %s", shown(&v->mua), v->guards[0].resource_guard_id
                                                                                        ? v->guards[0].resource_guard_id : "(id not reported)")
                                        : vpe_fmt(c, "%s", v->mua.value);
        } else if (v->mua.presence == VP_PRESENT && !v->mua.unknown) {
            d.status = VP_FAIL;
            d.observed = vpe_fmt(c, "%s; no resource guard proxy", v->mua.value);
        } else if (v->lists[VP_ARM_LIST_GUARDS] == VP_LIST_COMPLETE && v->mua.presence != VP_PRESENT) {
            d.status = VP_FAIL;
            d.observed = "not reported; no resource guard proxy";
        } else {
            if (unassessable(c, &d, &v->mua, dep))
                continue;
            d.status = VP_INCOMPLETE;
            d.observed = "resource guard proxies not collected";
        }
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
