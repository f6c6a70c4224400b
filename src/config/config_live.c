/* The "live" object of the config: cloud, api-version overrides, concurrency. */
#include <string.h>

#include "config/internal.h"

static const char *const clouds[] = {"AzureCloud", "AzureUSGovernment", "AzureChinaCloud"};
static const char *const api_keys[] = {"vaults", "backup", "compute", "subscriptions"};

vp_status vpf_config_parse_live(vp_config *c, vp_jreader *r)
{
    const cJSON *live = NULL, *apis = NULL;
    long long conc = 0;
    vp_live_settings *l = &c->live;
    if (vp_jr_object(r, c->root, "", "live", &live) != VP_PRESENT)
        return r->status;
    for (const cJSON *k = live->child; k; k = k->next)
        if (strcmp(k->string, "cloud") && strcmp(k->string, "api_versions") && strcmp(k->string, "concurrency"))
            return vp_error_set(r->err, VP_ERR_INPUT, "%s: /live/%s: unknown key; expected cloud, api_versions or "
                                "concurrency", r->file, k->string);
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
        const char **slots[] = {&l->api_vaults, &l->api_backup, &l->api_compute, &l->api_subscriptions};
        for (const cJSON *k = apis->child; k; k = k->next) {
            size_t i = 0;
            while (i < 4 && strcmp(api_keys[i], k->string))
                i++;
            if (i == 4)
                return vp_error_set(r->err, VP_ERR_INPUT, "%s: /live/api_versions/%s: unknown key; expected vaults, "
                                    "backup, compute or subscriptions", r->file, k->string);
            if (vp_jr_string(r, apis, "/live/api_versions", k->string, slots[i]) == VP_PRESENT &&
                (!**slots[i] || strpbrk(*slots[i], "&?#/ ")))
                return vp_error_set(r->err, VP_ERR_INPUT, "%s: /live/api_versions/%s: '%s'; expected an api-version "
                                    "such as 2024-04-01", r->file, k->string, *slots[i]);
        }
    }
    return r->status;
}

const vp_live_settings *vp_config_live(const vp_config *c)
{
    return &c->live;
}
