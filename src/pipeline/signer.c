/* The signer a run signs with, from the command line or the config: one loader for pack
 * (the bundle) and collect (the recording's seal). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "vaultproof/keys.h"
#include "vaultproof/pipeline.h"

/* A key in a PKCS#11 token: the PIN from the environment variable pin_env (default
 * VP_PKCS11_PIN_ENV), read here and passed on, never copied or printed. where names what
 * chose the variable in messages ("--pin-env", "<config>: /signer/pin_env"). */
static vp_status load_pkcs11(const char *uri, const char *module, const char *pin_env, const char *where,
                             const char *cert, const char *chain, vp_signer **out, vp_error *err)
{
    char ref[512];
    vp_status st = vp_pkcs11_key_ref(uri, ref, sizeof ref, err);
    if (st)
        return st;
    const char *name = pin_env ? pin_env : VP_PKCS11_PIN_ENV;
    const char *pin = getenv(name);
    if (!pin || !*pin)
        return vp_error_set(err, VP_ERR_INPUT, "signer key pkcs11:%s: environment variable %s is %s; expected the "
                            "token's PIN in it (%s)", ref, name, pin ? "empty" : "not set",
                            pin_env ? where : "the default; another variable: pin_env or --pin-env");
    st = vp_signer_load_pkcs11(uri, module, pin, cert, chain, out, err);
    if (st == VP_ERR_CRYPTO) { /* say where the PIN came from (never what it is) */
        vp_error copy = *err;
        vp_error_set(err, st, "%s (the PIN was read from environment variable %s)", copy.message, name);
    }
    return st;
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
    if (o->key_path && vp_pkcs11_is_uri(o->key_path)) {
        if (o->passphrase)
            return vp_error_set(err, VP_ERR_USAGE, "%s: --passphrase-* is for a key file; a token's PIN comes from "
                                "--pin-env NAME (default %s)", command, VP_PKCS11_PIN_ENV);
        return load_pkcs11(o->key_path, o->pkcs11_module, o->pin_env, "--pin-env", o->cert_path, o->chain_path, out,
                           err);
    }
    if (o->key_path && (o->pin_env || o->pkcs11_module))
        return vp_error_set(err, VP_ERR_USAGE, "%s: --pin-env and --pkcs11-module go with --key pkcs11:...; "
                            "expected a PKCS#11 URI after --key", command);
    if (o->key_path)
        return vp_signer_load(o->key_path, o->cert_path, o->chain_path, o->passphrase, out, err);
    int configured = cs->key || cs->pkcs11_uri || cs->key_vault_key;
    if (!configured && !required)
        return VP_OK;
    if (!configured)
        return vp_error_set(err, VP_ERR_USAGE, "%s: no signer: give --key FILE --cert FILE, or a \"signer\" object "
                            "in %s (docs/config.md)", command, config_label ? config_label : "the config");
    if (cs->pkcs11_uri && (cs->passphrase_env || cs->passphrase_file))
        return vp_error_set(err, VP_ERR_INPUT, "%s: /signer: passphrase_env and passphrase_file are for a key file; "
                            "a token's PIN comes from pin_env", config_label);
    if (cs->pkcs11_uri) {
        char where[600];
        snprintf(where, sizeof where, "%s: /signer/pin_env", config_label);
        if ((st = load_pkcs11(cs->pkcs11_uri, cs->pkcs11_module, cs->pin_env, where, cs->cert, cs->chain, out, err)))
            return vp_error_prefix(err, "%s: /signer", config_label);
        return VP_OK;
    }
    if (cs->passphrase_env && (st = vp_passphrase_from_env(cs->passphrase_env, &pass, err)))
        return vp_error_prefix(err, "%s: /signer/passphrase_env", config_label);
    if (cs->passphrase_file && (st = vp_passphrase_from_file(cs->passphrase_file, &pass, err)))
        return vp_error_prefix(err, "%s: /signer/passphrase_file", config_label);
    if (cs->key_vault_key) /* TODO(B): the Key Vault signer */
        return vp_error_set(err, VP_ERR_USAGE, "%s: /signer/key_vault_key: not built yet", config_label);
    st = vp_signer_load(cs->key, cs->cert, cs->chain, pass, out, err);
    vp_passphrase_free(pass);
    return st;
}
