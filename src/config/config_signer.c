/* The "signer" object of the config: where pack finds its key, certificate, chain,
 * passphrase and time-stamping authority. Paths are relative to the config file. */
#include <stdio.h>
#include <string.h>

#include "config/internal.h"

static const char *const signer_keys[] = {"key",        "cert", "chain",         "passphrase_env", "passphrase_file",
                                          "tsa",        "ca",   "pkcs11_uri",    "pkcs11_module",  "pin_env",
                                          "key_vault_key", "pin_file"};
#define SIGNER_KEY_COUNT (sizeof signer_keys / sizeof signer_keys[0])

/* vpf_config_beside, copied into the config's arena; NULL when too long or out of memory. */
static const char *beside_config(vp_config *c, vp_jreader *r, const char *path)
{
    char full[8192];
    if (vpf_config_beside(c, path, full, sizeof full))
        return NULL;
    const char *copy = vpc_arena_strdup(&c->arena, full);
    if (!copy)
        vp_error_set(r->err, VP_ERR_NOMEM, "out of memory");
    return copy;
}

vp_status vpf_config_parse_signer(vp_config *c, vp_jreader *r)
{
    const cJSON *sig = NULL;
    vp_signer_settings *s = &c->signer;
    /* in the order of signer_keys: where each value goes, and whether it is a path */
    const char **paths[SIGNER_KEY_COUNT] = {&s->key, &s->cert, &s->chain, NULL, &s->passphrase_file, NULL,
                                            &s->ca,  NULL,     NULL,      NULL, NULL, &s->pin_file};
    const char **slots[SIGNER_KEY_COUNT] = {&s->key,        &s->cert,          &s->chain,   &s->passphrase_env,
                                            &s->passphrase_file, &s->tsa,      &s->ca,      &s->pkcs11_uri,
                                            &s->pkcs11_module,   &s->pin_env,  &s->key_vault_key,
                                            &s->pin_file};
    if (vp_jr_object(r, c->root, "", "signer", &sig) != VP_PRESENT)
        return r->status;
    for (const cJSON *k = sig->child; k; k = k->next) {
        size_t i = 0;
        while (i < SIGNER_KEY_COUNT && strcmp(signer_keys[i], k->string))
            i++;
        if (i == SIGNER_KEY_COUNT)
            return vp_error_set(r->err, VP_ERR_INPUT, "%s: /signer/%s: unknown key; expected key, pkcs11_uri, "
                                "key_vault_key, cert, chain, passphrase_env, passphrase_file, pkcs11_module, "
                                "pin_env, pin_file, tsa or ca", r->file, k->string);
        if (vp_jr_string(r, sig, "/signer", k->string, slots[i]) != VP_PRESENT)
            return r->status ? r->status
                             : vp_error_set(r->err, VP_ERR_INPUT, "%s: /signer/%s: expected a string", r->file,
                                            k->string);
        if (!**slots[i])
            return vp_error_set(r->err, VP_ERR_INPUT, "%s: /signer/%s: empty; expected a value", r->file, k->string);
        if (paths[i] && !(*paths[i] = beside_config(c, r, *slots[i])))
            return r->status ? r->status
                             : vp_error_set(r->err, VP_ERR_INPUT, "%s: /signer/%s: path too long", r->file, k->string);
    }
    int keys = !!s->key + !!s->pkcs11_uri + !!s->key_vault_key;
    if (keys != 1)
        return vp_error_set(r->err, VP_ERR_INPUT, "%s: /signer: expected %s of key (a PEM or .p12 file), pkcs11_uri "
                            "(a token) and key_vault_key (Azure Key Vault)", r->file, keys ? "only one" : "one");
    if (s->pkcs11_uri && strncmp(s->pkcs11_uri, "pkcs11:", 7))
        return vp_error_set(r->err, VP_ERR_INPUT, "%s: /signer/pkcs11_uri: expected an RFC 7512 URI starting with "
                            "\"pkcs11:\"", r->file);
    if (s->key_vault_key && strncmp(s->key_vault_key, "https://", 8))
        return vp_error_set(r->err, VP_ERR_INPUT, "%s: /signer/key_vault_key: expected "
                            "https://<vault>.vault.azure.net/keys/<name>/<version>", r->file);
    if ((s->pkcs11_module || s->pin_env || s->pin_file) && !s->pkcs11_uri)
        return vp_error_set(r->err, VP_ERR_INPUT, "%s: /signer: pkcs11_module, pin_env and pin_file go with "
                            "pkcs11_uri", r->file);
    if (s->pin_env && s->pin_file)
        return vp_error_set(r->err, VP_ERR_INPUT, "%s: /signer: give pin_env or pin_file, not both", r->file);
    if (s->passphrase_env && s->passphrase_file)
        return vp_error_set(r->err, VP_ERR_INPUT, "%s: /signer: give passphrase_env or passphrase_file, not both",
                            r->file);
    if (s->tsa && strncmp(s->tsa, "https://", 8) && strncmp(s->tsa, "http://", 7))
        return vp_error_set(r->err, VP_ERR_INPUT, "%s: /signer/tsa: '%s'; expected an http:// or https:// URL",
                            r->file, s->tsa);
    return r->status;
}

const vp_signer_settings *vp_config_signer(const vp_config *c)
{
    return &c->signer;
}
