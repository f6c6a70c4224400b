/* The "live" object of the config: cloud, api-version overrides, concurrency, extra
 * locations to list soft-deleted vaults in. */
#include <string.h>

#include "config/internal.h"
#include "vaultproof/worm.h"

static const char *const clouds[] = {"AzureCloud", "AzureUSGovernment", "AzureChinaCloud"};
static const char *const api_keys[] = {"vaults", "backup", "compute", "subscriptions", "dataprotection",
                                        "insights"};
#define API_KEY_COUNT (sizeof api_keys / sizeof api_keys[0])
static const char *const live_keys[] = {"cloud", "api_versions", "concurrency", "deleted_vault_locations"};
#define LIVE_KEY_COUNT (sizeof live_keys / sizeof live_keys[0])

/* A location goes into a URL path and a recording path: once in ARM form (spaces
 * removed, lowercase) it must be letters and digits only, as every Azure location is. */
static vp_status check_locations(vp_config *c, vp_jreader *r)
{
    const vp_live_settings *l = &c->live;
    for (size_t i = 0; i < l->deleted_vault_location_count; i++) {
        char arm[128];
        const char *p = vp_location_normalize(l->deleted_vault_locations[i], arm, sizeof arm);
        int ok = strlen(l->deleted_vault_locations[i]) < sizeof arm && *p;
        for (; ok && *p; p++)
            ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9');
        if (!ok)
            return vp_error_set(r->err, VP_ERR_INPUT, "%s: /live/deleted_vault_locations/%zu: '%s'; expected an Azure "
                                "location such as \"westeurope\" or \"West Europe\" (letters and digits once spaces "
                                "are removed)", r->file, i, l->deleted_vault_locations[i]);
    }
    return VP_OK;
}

vp_status vpf_config_parse_live(vp_config *c, vp_jreader *r)
{
    const cJSON *live = NULL, *apis = NULL;
    long long conc = 0;
    vp_live_settings *l = &c->live;
    if (vp_jr_object(r, c->root, "", "live", &live) != VP_PRESENT)
        return r->status;
    for (const cJSON *k = live->child; k; k = k->next) {
        size_t i = 0;
        while (i < LIVE_KEY_COUNT && strcmp(live_keys[i], k->string))
            i++;
        if (i == LIVE_KEY_COUNT)
            return vp_error_set(r->err, VP_ERR_INPUT, "%s: /live/%s: unknown key; expected cloud, api_versions, "
                                "concurrency or deleted_vault_locations", r->file, k->string);
    }
    if (vp_jr_string(r, live, "/live", "cloud", &l->cloud) == VP_PRESENT) {
        size_t i = 0;
        while (i < 3 && strcmp(clouds[i], l->cloud))
            i++;
        if (i == 3)
            return vp_error_set(r->err, VP_ERR_INPUT, "%s: /live/cloud: '%s'; expected AzureCloud, AzureUSGovernment "
                                "or AzureChinaCloud", r->file, l->cloud);
    }
    if (vp_jr_int(r, live, "/live", "concurrency", 1, 64, &conc) == VP_PRESENT)
        l->concurrency = (int)conc;
    if (vp_jr_object(r, live, "/live", "api_versions", &apis) == VP_PRESENT) {
        const char **slots[] = {&l->api_vaults, &l->api_backup, &l->api_compute, &l->api_subscriptions,
                                &l->api_dataprotection, &l->api_insights};
        _Static_assert(sizeof slots / sizeof slots[0] == API_KEY_COUNT, "one slot per api_versions key");
        for (const cJSON *k = apis->child; k; k = k->next) {
            size_t i = 0;
            while (i < API_KEY_COUNT && strcmp(api_keys[i], k->string))
                i++;
            if (i == API_KEY_COUNT)
                return vp_error_set(r->err, VP_ERR_INPUT, "%s: /live/api_versions/%s: unknown key; expected vaults, "
                                    "backup, compute, subscriptions, dataprotection or insights", r->file, k->string);
            if (vp_jr_string(r, apis, "/live/api_versions", k->string, slots[i]) == VP_PRESENT &&
                (!**slots[i] || strpbrk(*slots[i], "&?#/ ")))
                return vp_error_set(r->err, VP_ERR_INPUT, "%s: /live/api_versions/%s: '%s'; expected an api-version "
                                    "such as 2026-08-01", r->file, k->string, *slots[i]);
        }
    }
    vp_status st = r->status;
    if (!st)
        st = vpf_config_string_list(c, r, live, "/live", "deleted_vault_locations", &l->deleted_vault_locations,
                                    &l->deleted_vault_location_count);
    return st ? st : check_locations(c, r);
}

const vp_live_settings *vp_config_live(const vp_config *c)
{
    return &c->live;
}
