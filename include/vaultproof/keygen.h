/*
 * vaultproof/keygen.h - demo signing keys, made by `vaultproof keygen`.
 */
#ifndef VAULTPROOF_KEYGEN_H
#define VAULTPROOF_KEYGEN_H

#include "vaultproof/error.h"

/* Writes demo keys into the existing directory out_dir, for trying vaultproof out:
 *
 *   ca.pem      a self-signed test CA (CA:TRUE, keyCertSign + cRLSign), 10 years
 *   signer.pem  issued by that CA (digitalSignature + nonRepudiation; extended key
 *               usage emailProtection, so plain `openssl cms -verify` accepts it, and
 *               id-kp-documentSigning, RFC 9336), 2 years
 *   signer.key  the signer's ECDSA P-256 key, PKCS#8 PEM, unencrypted, mode 0600
 *
 * Both subjects say "NOT FOR PRODUCTION". Validity starts at now (seconds since the
 * epoch). The CA key is not written anywhere: the CA can issue nothing else, which is
 * all a demo needs. signer.key is created first, with O_EXCL, so an existing key is
 * never overwritten: VP_ERR_IO naming the file, and nothing is written then. ca.pem
 * and signer.pem are written atomically (replacing stale ones only when signer.key
 * did not exist). On any failure the files written so far are removed.
 * Errors: VP_ERR_USAGE (now < 0, path too long), VP_ERR_IO, VP_ERR_CRYPTO,
 * VP_ERR_NOMEM. */
vp_status vp_keygen(const char *out_dir, long long now, vp_error *err);

#endif
