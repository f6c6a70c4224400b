/* The vaultproof.json reader (vp_config_load) on arbitrary text, then every accessor a
 * command uses and the WORM catalog the config selects. Oracle: no crash, leak or
 * sanitizer report; a loaded config answers every accessor (non-NULL settings). */
#include <string.h>

#include "fuzz.h"
#include "vaultproof/config.h"
#include "vaultproof/worm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vp_config *cfg = NULL;
    vp_worm_catalog *worm = NULL;
    vp_error err = {0};
    size_t n;

    const char *path = vp_fuzz_file("vaultproof.json", data, size);
    if (vp_config_load(path, &cfg, &err))
        return 0;
    const vp_eval_settings *ev = vp_config_eval(cfg);
    if (!ev || !vp_config_live(cfg) || !vp_config_signer(cfg) || !vp_config_sha256(cfg))
        vp_fuzz_fail("config", "a loaded config lacks settings");
    vp_config_organization(cfg);
    vp_config_report_title(cfg);
    const char *const *subs = vp_config_subscriptions(cfg, &n);
    for (size_t i = 0; i < n; i++)
        (void)strlen(subs[i]);
    vp_config_vault_include(cfg, &n);
    vp_config_vault_exclude(cfg, &n);
    for (size_t i = 0; i < ev->class_count; i++)
        (void)strlen(ev->classes[i].name);
    for (size_t i = 0; i < ev->exemption_count; i++)
        (void)strlen(ev->exemptions[i].resource);
    if (vp_config_worm_catalog(cfg, &worm, &err) == VP_OK)
        vp_worm_catalog_free(worm);
    vp_config_free(cfg);
    return 0;
}
