/* The signer a run signs with, from the command line or the config: one loader for pack
 * (the bundle) and collect (the recording's seal). */
#include <stddef.h>

#include <string.h>

#include "vaultproof/keys.h"
#include "vaultproof/keyvault.h"
#include "vaultproof/pipeline.h"

/* A Key Vault key (key_id with version) and its certificate. The token comes from the
 * credential chain for the vault's resource: pack's --token-file holds an ARM token,
 * which Key Vault would refuse, so it is not passed on. */
static vp_status keyvault_signer(const vp_pipeline_signer_options *o, const vp_config *cfg, const char *key_id,
                                 const char *cert, const char *chain, vp_signer **out, vp_error *err)
{
    const vp_live_settings *live = cfg ? vp_config_live(cfg) : NULL;
    vp_keyvault_options ko = {.key_id = key_id,
                              .cloud = live ? live->cloud : NULL,
                              .authority_host = o->authority_host,
                              .ca_bundle = o->ca_bundle};
    return vp_keyvault_signer(&ko, cert, chain, out, err);
}

static int is_https(const char *s)
{
    return s && strncmp(s, "https://", 8) == 0;
}

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
    if (is_https(o->key_path)) {
        if (o->passphrase)
            return vp_error_set(err, VP_ERR_USAGE, "%s: --key %s is a Key Vault key: it has no passphrase", command,
                                o->key_path);
        if ((st = keyvault_signer(o, cfg, o->key_path, o->cert_path, o->chain_path, out, err)) == VP_ERR_INPUT)
            err->status = st = VP_ERR_USAGE; /* a malformed --key URL is a command-line mistake */
        if (st)
            vp_error_prefix(err, "%s: --key", command);
        return st;
    }
    if (o->key_path)
        return vp_signer_load(o->key_path, o->cert_path, o->chain_path, o->passphrase, out, err);
    int configured = cs->key || cs->pkcs11_uri || cs->key_vault_key;
    if (!configured && !required)
        return VP_OK;
    if (!configured)
        return vp_error_set(err, VP_ERR_USAGE, "%s: no signer: give --key FILE --cert FILE, or a \"signer\" object "
                            "in %s (docs/config.md)", command, config_label ? config_label : "the config");
    if (cs->key_vault_key) {
        /* a passphrase read and then ignored would hide a mistaken config */
        if (cs->passphrase_env || cs->passphrase_file)
            return vp_error_set(err, VP_ERR_INPUT, "%s: /signer: passphrase_env and passphrase_file go with key; a "
                                "Key Vault key (key_vault_key) has none", config_label);
        if ((st = keyvault_signer(o, cfg, cs->key_vault_key, cs->cert, cs->chain, out, err)))
            vp_error_prefix(err, "%s: /signer/key_vault_key", config_label);
        return st;
    }
    if (cs->passphrase_env && (st = vp_passphrase_from_env(cs->passphrase_env, &pass, err)))
        return vp_error_prefix(err, "%s: /signer/passphrase_env", config_label);
    if (cs->passphrase_file && (st = vp_passphrase_from_file(cs->passphrase_file, &pass, err)))
        return vp_error_prefix(err, "%s: /signer/passphrase_file", config_label);
    if (cs->pkcs11_uri) /* TODO(A): the PKCS#11 signer */
        return vp_error_set(err, VP_ERR_USAGE, "%s: /signer/pkcs11_uri: not built yet", config_label);
    st = vp_signer_load(cs->key, cs->cert, cs->chain, pass, out, err);
    vp_passphrase_free(pass);
    return st;
}
