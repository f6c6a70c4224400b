/*
 * vaultproof/keyvault.h - signing with a key held in Azure Key Vault or Managed HSM.
 *
 * The key never leaves the vault: vaultproof reads its public attributes (GET
 * /keys/<name>/<version>) and asks the vault to sign SHA-256 digests (POST
 * .../sign, RS256 / PS256 / ES256), authenticated with the same credential chain as live
 * collection (vaultproof/azclient.h) for the vault's resource. A signer made here works
 * with every signing path (vaultproof/cms.h, pdfsign.h, ledger lines) like a file key;
 * docs/signing.md "Keys in Azure Key Vault" says what the principal needs.
 *
 * Every Key Vault failure is VP_ERR_CRYPTO (exit 5) with the vault's error code and
 * message and the key URL (never a token or secret); a malformed key id is VP_ERR_INPUT.
 */
#ifndef VAULTPROOF_KEYVAULT_H
#define VAULTPROOF_KEYVAULT_H

#include <stddef.h>

#include "vaultproof/error.h"
#include "vaultproof/keys.h"

/* The data-plane API version asked for. */
#define VP_KEYVAULT_API_VERSION "7.4"

/* A parsed key identifier https://<vault>.vault.azure.net/keys/<name>/<version> (or
 * <hsm>.managedhsm.azure.net, the other clouds' vault domains, or - for tests and private
 * endpoints - any https host[:port] with that path). */
typedef struct {
    char vault[300];      /* "https://host[:port]", the host in lower case */
    char name[128];       /* 1-127 of [0-9A-Za-z-] */
    char version[64];     /* 1-63 of [0-9A-Za-z] (Key Vault's are 32 hex digits) */
    int managed_hsm;      /* the host is a Managed HSM's */
    const char *resource; /* the token's resource: "https://vault.azure.net",
                             "https://managedhsm.azure.net" or another cloud's */
} vp_keyvault_key_id;

/* Parses url. The version is required: the manifest names exactly which key version
 * signed. Errors: VP_ERR_INPUT saying what is wrong and what was expected (no query,
 * fragment or user info; https only; path /keys/<name>/<version>). */
vp_status vp_keyvault_parse_id(const char *url, vp_keyvault_key_id *out, vp_error *err);

typedef struct {
    const char *key_id;         /* the key URL with its version (required) */
    const char *cloud;          /* as vp_az_client_options: NULL = AzureCloud */
    const char *authority_host; /* NULL: AZURE_AUTHORITY_HOST, else the cloud's */
    const char *ca_bundle;      /* PEM CAs for the vault's TLS; NULL: the system store */
    const char *token_file;     /* a token for the vault's resource; NULL: the chain */
} vp_keyvault_options;

typedef struct vp_keyvault_key vp_keyvault_key;

/* Connects to the key: makes the client and reads the key (GET). The key must be RSA
 * (RSA, RSA-HSM) or EC on P-256 (EC, EC-HSM), enabled, allow "sign", and its "kid" must
 * be the configured identifier. *out (vp_keyvault_close) is set only on success.
 * Errors: VP_ERR_INPUT (bad key id), VP_ERR_CRYPTO (no credential, the vault unreachable,
 * 401/403 with the vault's error code and message, 404 naming the key, an unusable key),
 * VP_ERR_NOMEM. */
vp_status vp_keyvault_open(const vp_keyvault_options *o, vp_keyvault_key **out, vp_error *err);

/* NULL is allowed. */
void vp_keyvault_close(vp_keyvault_key *k);

/* The key identifier with version, as the vault spells it ("kid"). */
const char *vp_keyvault_kid(const vp_keyvault_key *k);

/* 1 when the key is RSA (then RS256 and PS256 sign with it), 0 for EC P-256 (ES256). */
int vp_keyvault_is_rsa(const vp_keyvault_key *k);

/* Signs a SHA-256 digest (32 bytes) with the key: POST .../sign. The signature is as
 * Key Vault returns it: the modulus length for RS256/PS256, r||s (64 bytes) for ES256.
 * *sig (free()) is set only on success. A vp_remote_sign_fn with k as its context.
 * Errors: VP_ERR_USAGE (a digest that is not 32 bytes, an algorithm the key cannot do),
 * VP_ERR_CRYPTO (the vault refused or failed, with its code and message), VP_ERR_NOMEM. */
vp_status vp_keyvault_sign(void *k, vp_remote_alg alg, const unsigned char *digest, size_t digest_len,
                           unsigned char **sig, size_t *sig_len, vp_error *err);

/* A signer of the Key Vault key o->key_id with the certificate (PEM) at cert_path and the
 * optional chain: vp_keyvault_open, then vp_signer_load_remote (kind "key-vault", key_ref
 * the key's kid), which signs a test digest in the vault and verifies it with the
 * certificate. Errors: as vp_keyvault_open and vp_signer_load_remote. */
vp_status vp_keyvault_signer(const vp_keyvault_options *o, const char *cert_path, const char *chain_path,
                             vp_signer **out, vp_error *err);

#endif
