/* Shared by keys.c, cms.c, keygen.c, tsa.c and remote.c: the signer's parts, and OpenSSL's reasons in messages. */
#ifndef VP_SIGN_INTERNAL_H
#define VP_SIGN_INTERNAL_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "vaultproof/keys.h"

struct vp_signer {
    EVP_PKEY *key;
    X509 *cert;
    STACK_OF(X509) *chain; /* never NULL, may be empty */
    int is_rsa;            /* RSA (PKCS#1 v1.5 or PSS) rather than ECDSA P-256 */
    char kind[16];         /* vp_signer_key_kind: "file", "pkcs11", "key-vault" */
    char key_ref[512];     /* vp_signer_key_ref; never a PIN, token or path */
    /* A key held elsewhere keeps its backend (an ENGINE, a Key Vault client) here;
     * release(ctx) runs after the key is freed, since the key may still call into it. */
    void (*release)(void *ctx);
    void *ctx;
};

/* Makes a signer of a key held outside a file (PKCS#11 token, Key Vault): reads the
 * certificate (cert_path, PEM, required) and the optional chain, checks the key type
 * (as for file keys) and that key matches the certificate. label names the key in
 * messages. kind and key_ref are recorded (vp_signer_key_kind / _ref). Ownership of key
 * and of ctx (released with release, may be NULL) passes to this call on success and on
 * failure alike. Errors: VP_ERR_USAGE without cert_path; VP_ERR_INPUT for an unreadable
 * certificate or chain, an unsupported key or a key that does not match; VP_ERR_NOMEM. */
vp_status vps_signer_assemble(EVP_PKEY *key, const char *label, const char *cert_path, const char *chain_path,
                              const char *kind, const char *key_ref, void (*release)(void *ctx), void *ctx,
                              vp_signer **out, vp_error *err);

/* Reads a PEM certificate (a regular file). Errors: VP_ERR_INPUT naming the file. */
vp_status vps_load_cert(const char *path, X509 **cert, vp_error *err);

/* Remote keys (remote.c). An ECDSA signature as r||s (two equal halves, as Key Vault and
 * JWS return it) to a DER Ecdsa-Sig-Value (*der malloc'd), and back (coord bytes each for
 * r and s: 32 on P-256). Errors: VP_ERR_CRYPTO for a malformed signature; VP_ERR_NOMEM. */
vp_status vps_ecdsa_rs_to_der(const unsigned char *rs, size_t rs_len, unsigned char **der, size_t *der_len,
                              vp_error *err);
vp_status vps_ecdsa_der_to_rs(const unsigned char *der, size_t der_len, size_t coord, unsigned char *rs,
                              vp_error *err);
/* 1 when s is a remote RSA key, which signs PKCS#1 v1.5 digests only (no RSA-PSS: the
 * PSS encoding happens before the private operation, which a remote key does not have). */
int vps_signer_pkcs1_only(const vp_signer *s);

/* Appends OpenSSL's first queued reason (if any; a remote key's refusal, queued by
 * remote.c as ERR_LIB_USER with its text, is appended as that text) to err's message and clears the
 * queue, so a later call never reports a stale reason. Returns err->status. */
vp_status vps_ossl_reason(vp_error *err);

#endif
