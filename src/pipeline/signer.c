/* The signer a run signs with, from the command line or the config: one loader for pack
 * (the bundle) and collect (the recording's seal). */
#include <stddef.h>

#include "vaultproof/keys.h"
#include "vaultproof/pipeline.h"

vp_status vp_pipeline_signer(const vp_pipeline_signer_options *o, const vp_config *cfg, const char *config_label,
                             const char *command, int required, vp_signer **out, const char **tsa_url,
                             vp_error *err)
{
    static const vp_signer_settings none = {0};
    const vp_signer_settings *cs = cfg ? vp_config_signer(cfg) : &none;
    char *pass = NULL;
    vp_status st;
    *out = NULL;
    if (tsa_url)
        *tsa_url = o->tsa_url ? o->tsa_url : cs->tsa;
    if (o->key_path)
        return vp_signer_load(o->key_path, o->cert_path, o->chain_path, o->passphrase, out, err);
    int configured = cs->key || cs->pkcs11_uri || cs->key_vault_key;
    if (!configured && !required)
        return VP_OK;
    if (!configured)
        return vp_error_set(err, VP_ERR_USAGE, "%s: no signer: give --key FILE --cert FILE, or a \"signer\" object "
                            "in %s (docs/config.md)", command, config_label ? config_label : "the config");
    if (cs->passphrase_env && (st = vp_passphrase_from_env(cs->passphrase_env, &pass, err)))
        return vp_error_prefix(err, "%s: /signer/passphrase_env", config_label);
    if (cs->passphrase_file && (st = vp_passphrase_from_file(cs->passphrase_file, &pass, err)))
        return vp_error_prefix(err, "%s: /signer/passphrase_file", config_label);
    if (cs->pkcs11_uri) /* TODO(A): the PKCS#11 signer */
        return vp_error_set(err, VP_ERR_USAGE, "%s: /signer/pkcs11_uri: not built yet", config_label);
    if (cs->key_vault_key) /* TODO(B): the Key Vault signer */
        return vp_error_set(err, VP_ERR_USAGE, "%s: /signer/key_vault_key: not built yet", config_label);
    st = vp_signer_load(cs->key, cs->cert, cs->chain, pass, out, err);
    vp_passphrase_free(pass);
    return st;
}
