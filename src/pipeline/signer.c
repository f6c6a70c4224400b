/* The signer a run signs with, from the command line or the config: one loader for pack
 * (the bundle) and collect (the recording's seal). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
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

/* A key in a PKCS#11 token: the PIN from the environment variable pin_env (default
 * VP_PKCS11_PIN_ENV), or from the first line of pin_file (what systemd's LoadCredential=
 * provides), read here and passed on, never printed. where names what chose the variable
 * in messages ("--pin-env", "<config>: /signer/pin_env"). */
static vp_status load_pkcs11(const char *uri, const char *module, const char *pin_env, const char *pin_file,
                             const char *where, const char *cert, const char *chain, vp_signer **out, vp_error *err)
{
    char ref[512];
    vp_status st = vp_pkcs11_key_ref(uri, ref, sizeof ref, err);
    if (st)
        return st;
    if (pin_file) {
        char *pin = NULL;
        if ((st = vp_passphrase_from_file(pin_file, &pin, err)))
            return vp_error_prefix(err, "signer key pkcs11:%s: pin_file", ref);
        st = vp_signer_load_pkcs11(uri, module, pin, cert, chain, out, err);
        vp_passphrase_free(pin);
        if (st == VP_ERR_CRYPTO) {
            vp_error copy = *err;
            vp_error_set(err, st, "%s (the PIN was read from %s)", copy.message, pin_file);
        }
        return st;
    }
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
        return load_pkcs11(o->key_path, o->pkcs11_module, o->pin_env, NULL, "--pin-env", o->cert_path, o->chain_path,
                           out, err);
    }
    if (o->key_path && (o->pin_env || o->pkcs11_module))
        return vp_error_set(err, VP_ERR_USAGE, "%s: --pin-env and --pkcs11-module go with --key pkcs11:...; "
                            "expected a PKCS#11 URI after --key", command);
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
    if (cs->pkcs11_uri && (cs->passphrase_env || cs->passphrase_file))
        return vp_error_set(err, VP_ERR_INPUT, "%s: /signer: passphrase_env and passphrase_file are for a key file; "
                            "a token's PIN comes from pin_env", config_label);
    if (cs->pkcs11_uri) {
        char where[600];
        snprintf(where, sizeof where, "%s: /signer/pin_env", config_label);
        if ((st = load_pkcs11(cs->pkcs11_uri, cs->pkcs11_module, cs->pin_env, cs->pin_file, where, cs->cert,
                              cs->chain, out, err)))
            return vp_error_prefix(err, "%s: /signer", config_label);
        return VP_OK;
    }
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
    st = vp_signer_load(cs->key, cs->cert, cs->chain, pass, out, err);
    vp_passphrase_free(pass);
    return st;
}
