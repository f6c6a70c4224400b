/* Shared between keys.c (loading) and cms.c (signing): the signer's parts. */
#ifndef VP_PACK_SIGN_INTERNAL_H
#define VP_PACK_SIGN_INTERNAL_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "vaultproof/sign.h"

struct vp_signer {
    EVP_PKEY *key;
    X509 *cert;
    STACK_OF(X509) *chain; /* never NULL, may be empty */
    int is_rsa;            /* RSA (PKCS#1 v1.5 or PSS) rather than ECDSA P-256 */
};

/* Appends OpenSSL's first queued reason (if any) to err's message and clears the
 * queue, so a later call never reports a stale reason. Returns err->status. */
vp_status vp_pack_ossl_reason(vp_error *err);

#endif
