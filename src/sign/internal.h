/* Shared by keys.c, cms.c, keygen.c and tsa.c: the signer's parts, and OpenSSL's reasons in messages. */
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
};

/* Appends OpenSSL's first queued reason (if any) to err's message and clears the
 * queue, so a later call never reports a stale reason. Returns err->status. */
vp_status vps_ossl_reason(vp_error *err);

#endif
