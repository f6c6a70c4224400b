/*
 * vaultproof/cms.h - detached CMS signatures (CAdES-BES) and their signature-time-stamps.
 *
 * A vp_signer (vaultproof/keys.h) signs bytes into a detached CMS SignedData (DER,
 * SHA-256) carrying the content-type, message-digest and ESS signing-certificate-v2
 * signed attributes, the signer certificate and the chain. Anyone can check the result
 * without vaultproof:
 *
 *   openssl cms -verify -binary -inform DER -in sig.der -content data -CAfile ca.pem -purpose any
 */
#ifndef VAULTPROOF_CMS_H
#define VAULTPROOF_CMS_H

#include <stddef.h>

#include "vaultproof/error.h"
#include "vaultproof/keys.h"

/* Attribute and algorithm choices for vp_cms_sign_detached. 0 is CAdES-BES: signed
 * attributes content-type, message-digest, signing-certificate-v2 and, only when a
 * signing time is given, signing-time. */
#define VP_CMS_DEFAULT 0u
/* PAdES baseline (ETSI.CAdES.detached inside a PDF): the claimed time belongs in the
 * PDF signature dictionary (/M), and EN 319 142-1 forbids the signing-time attribute,
 * so a signing time is refused (VP_ERR_USAGE). */
#define VP_CMS_PADES 0x1u
/* RSA keys: sign with RSASSA-PSS (SHA-256, MGF1-SHA-256, 32-byte salt) instead of
 * PKCS#1 v1.5. Refused (VP_ERR_USAGE) for other keys. */
#define VP_CMS_RSA_PSS 0x2u

/* Signs len bytes at data into a detached CMS SignedData, DER-encoded, SHA-256.
 *
 * signing_time: seconds since the epoch to put in a signing-time attribute, or -1 for
 *   none. (OpenSSL 3.0 always adds the current time; vaultproof either supplies the
 *   caller's time or removes the attribute and re-signs, so the output depends only on
 *   the inputs, the key and, for ECDSA/PSS, the signature's randomness.)
 * flags: VP_CMS_* above.
 *
 * The signer certificate and chain are included. The signature is verified in memory
 * before it is returned. On success *der (free with free()) and *der_len are set.
 * Errors: VP_ERR_USAGE for bad flags; VP_ERR_CRYPTO when OpenSSL fails (the message
 * includes OpenSSL's reason); VP_ERR_NOMEM. */
vp_status vp_cms_sign_detached(const vp_signer *s, const void *data, size_t len, long long signing_time,
                               unsigned flags, unsigned char **der, size_t *der_len, vp_error *err);

/* A piece of the signed content: len bytes at data (data may be NULL when len is 0). */
typedef struct {
    const void *data;
    size_t len;
} vp_cms_piece;

/* As vp_cms_sign_detached, over the concatenation of the count pieces, which is never
 * assembled in memory: a PDF signature covers the whole file but the gap left for it
 * (pdfsign.h), and at a million items that file is 306 MB. The same pieces in one
 * buffer give the same signature (up to ECDSA's and PSS's randomness). */
vp_status vp_cms_sign_detached_pieces(const vp_signer *s, const vp_cms_piece *pieces, size_t count,
                                      long long signing_time, unsigned flags, unsigned char **der, size_t *der_len,
                                      vp_error *err);

/* What vp_cms_verify_detached found. Every field is set whatever the outcome; strings
 * are empty when unknown. */
typedef struct {
    int signature_valid;      /* message digest matches the data and the signature verifies */
    int chain_checked;        /* a trust anchor was given and the chain was checked */
    int chain_trusted;        /* the signer certificate chains to the anchor, valid now */
    char chain_error[256];    /* why the chain did not verify (OpenSSL's reason) */
    int signing_cert_v2;      /* the ESS signing-certificate-v2 attribute is present */
    int signing_cert_v2_match; /* ... and its hash and issuer/serial name the signer cert */
    int has_signing_time;     /* a signing-time attribute is present */
    long long signing_time;   /* seconds since the epoch, or -1 */
    char signer_subject[512]; /* RFC 2253 */
    char signer_issuer[512];  /* RFC 2253 */
    char signer_serial[80];   /* hex, as openssl x509 -serial prints it */
} vp_cms_verdict;

/* Verifies a detached CMS signature (DER) over len bytes at data.
 *
 * trust_ca_path: a PEM file of trusted anchor certificates, or NULL to check the
 *   signature only (the verdict then says chain_checked = 0: the signer is untrusted).
 *   The chain is built from the certificates in the signature, with any purpose
 *   (as `openssl cms -verify -purpose any`), at the current time.
 *
 * Exactly one signer is accepted. *out is always filled as far as the checks got.
 * Returns VP_OK only when the signature is valid, its signatureAlgorithm identifier fits
 * the signer's key type (it is not covered by the signature), signing-certificate-v2 is present and
 * matches, and (with an anchor) the chain is trusted; VP_ERR_CHECK when one of those
 * fails (the message says which); VP_ERR_INPUT when der is not a detached CMS
 * SignedData or the anchor file cannot be read; VP_ERR_NOMEM. */
vp_status vp_cms_verify_detached(const unsigned char *der, size_t der_len, const void *data, size_t len,
                                 const char *trust_ca_path, vp_cms_verdict *out, vp_error *err);

/* Supplies an RFC 3161 TimeStampToken (a DER ContentInfo holding SignedData over a
 * TSTInfo) for len bytes at data; the token's message imprint is over those bytes.
 * On success *token (free with free()) and *token_len are set. vaultproof/tsa.h has
 * one that asks a time-stamping authority over HTTP (vp_tsa_token_fn). */
typedef vp_status (*vp_timestamp_fn)(void *ctx, const unsigned char *data, size_t len, unsigned char **token,
                                     size_t *token_len, vp_error *err);

/* Adds a signature-time-stamp (unsigned attribute id-aa-signatureTimeStampToken,
 * RFC 3161 appendix A / CAdES-T / PAdES B-T) to the one signer of a DER CMS
 * SignedData: fn is called once with the SignerInfo's signature value, and its token
 * is attached. The signed part does not change; the signer is verified again before
 * the result is returned. On success *out (free with free()) and *out_len are set.
 * Errors: VP_ERR_INPUT when der is not a SignedData with one signer; whatever fn
 * returns; VP_ERR_CRYPTO; VP_ERR_NOMEM. */
vp_status vp_cms_add_signature_timestamp(const unsigned char *der, size_t der_len, vp_timestamp_fn fn, void *ctx,
                                         unsigned char **out, size_t *out_len, vp_error *err);

/* The one signer's signature value (always) and its signature-time-stamp token (when
 * present; else *token is NULL and *token_len 0), copied out (free both with free()),
 * so the token can be checked with vaultproof/tsa.h over the signature value.
 * Errors: VP_ERR_INPUT when der is not a SignedData with one signer or the attribute
 * is malformed; VP_ERR_NOMEM. */
vp_status vp_cms_signature_timestamp(const unsigned char *der, size_t der_len, unsigned char **sigval,
                                     size_t *sigval_len, unsigned char **token, size_t *token_len, vp_error *err);

#endif
