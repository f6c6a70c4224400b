/*
 * vaultproof/keys.h - signers (a private key, its certificate and an optional chain)
 * and the passphrases that unlock them.
 *
 * Secrets (passphrases, key bytes) never appear in error messages. Passphrases are
 * given by the caller, who reads them from an environment variable or a file with the
 * helpers below - never from the command line, where other users can see them.
 * A signer signs evidence with vaultproof/cms.h (detached CMS) and vaultproof/pdfsign.h
 * (PAdES), ledger lines with vaultproof/ledger.h, and a live collector's client
 * assertion with vp_signer_sign.
 */
#ifndef VAULTPROOF_KEYS_H
#define VAULTPROOF_KEYS_H

#include <stddef.h>

#include "vaultproof/error.h"

typedef struct vp_signer vp_signer;

/* Loads a signer.
 *
 * key_path: a PEM private key (PKCS#8 or traditional, optionally encrypted), or a
 *   PKCS#12 file when the name ends in ".p12" or ".pfx" (case-insensitive); then
 *   cert_path must be NULL and the certificate (and any CA certificates) come from the
 *   PKCS#12. The key file must not be readable or writable by group or others
 *   (mode & 077 == 0): otherwise VP_ERR_INPUT, naming the file and saying to chmod 600.
 * cert_path: the signer certificate (PEM); required for a PEM key.
 * chain_path: NULL, or a PEM file of intermediate/CA certificates to embed in
 *   signatures (appended after any from a PKCS#12).
 * passphrase: NULL when the key is not encrypted (a PKCS#12 then uses the empty
 *   password). Never echoed in messages. Not kept after the call.
 *
 * Supported keys: RSA of at least 2048 bits (PKCS#1 v1.5, or PSS with VP_CMS_RSA_PSS)
 * and ECDSA on P-256. Other key types, curves and RSA-PSS-only keys are refused.
 * The key must match the certificate.
 *
 * On success *out is a new signer (free with vp_signer_free); on failure *out is NULL.
 * Errors: VP_ERR_USAGE for a missing key path, a PEM key without cert_path or a
 * PKCS#12 with one; VP_ERR_INPUT for a missing or unreadable file, wrong permissions,
 * a wrong or missing passphrase (never a terminal prompt), an unsupported key or a key
 * that does not match the certificate; VP_ERR_IO when stat() fails otherwise;
 * VP_ERR_NOMEM. */
vp_status vp_signer_load(const char *key_path, const char *cert_path, const char *chain_path,
                         const char *passphrase, vp_signer **out, vp_error *err);

/* Which kind of key signs: "file" (vp_signer_load: a PEM or PKCS#12 file), "pkcs11"
 * (a token, through OpenSSL's pkcs11 engine), "key-vault" (Azure Key Vault or Managed
 * HSM, signing remotely). Recorded in the manifest and printed by verify. Never NULL. */
const char *vp_signer_key_kind(const vp_signer *s);

/* What names the key, for the manifest: "" for a file key (a local path means nothing to
 * an auditor), "token=<label>;object=<label>" for PKCS#11 (never the PIN), the key
 * identifier with its version for Key Vault. Never NULL. */
const char *vp_signer_key_ref(const vp_signer *s);

/* Frees a signer (the key is freed by OpenSSL, which clears it). NULL is allowed. */
void vp_signer_free(vp_signer *s);

/* The signer certificate's subject, one line (RFC 2253), into buf (always
 * NUL-terminated, cut to size). Returns buf. */
const char *vp_signer_subject(const vp_signer *s, char *buf, size_t size);

/* Passphrase from the first line of a file (the line end is not part of it). The
 * file is read whole (at most 4 KiB) and the copy in memory is cleared. On success
 * *out is a NUL-terminated string the caller releases with vp_passphrase_free.
 * Errors: VP_ERR_INPUT for a missing, empty or oversized file; VP_ERR_IO. */
vp_status vp_passphrase_from_file(const char *path, char **out, vp_error *err);

/* Passphrase from the environment variable name (e.g. "VAULTPROOF_KEY_PASSPHRASE").
 * On success *out is a copy to release with vp_passphrase_free. Errors: VP_ERR_INPUT
 * when the variable is unset or empty (the message names the variable); VP_ERR_NOMEM. */
vp_status vp_passphrase_from_env(const char *name, char **out, vp_error *err);

/* Clears and frees a passphrase. NULL is allowed. */
void vp_passphrase_free(char *pass);

/* The kind of key a signer holds (vp_signer_load accepts only these). */
typedef enum { VP_KEY_RSA = 1, VP_KEY_EC_P256 = 2 } vp_key_type;

/* Which kind of key s holds. */
vp_key_type vp_signer_key_type(const vp_signer *s);

/* The signer certificate, DER-encoded (for a thumbprint such as a JWS "x5t#S256"). On
 * success *der (free with free()) and *der_len are set; on failure *der is NULL.
 * Errors: VP_ERR_CRYPTO when OpenSSL cannot encode it; VP_ERR_NOMEM. */
vp_status vp_signer_cert_der(const vp_signer *s, unsigned char **der, size_t *der_len, vp_error *err);

/* A plain signature (no CMS around it) over len bytes at data with the signer's key,
 * SHA-256: RSASSA-PKCS1-v1_5 for an RSA key (what JWS calls RS256), an ECDSA
 * Ecdsa-Sig-Value (DER) for P-256. This is what a JWT client assertion needs; evidence
 * is signed with vaultproof/cms.h instead. On success *sig (free with free()) and
 * *sig_len are set; on failure *sig is NULL. Errors: VP_ERR_CRYPTO (the message includes
 * OpenSSL's reason); VP_ERR_NOMEM. */
vp_status vp_signer_sign(const vp_signer *s, const void *data, size_t len, unsigned char **sig, size_t *sig_len,
                         vp_error *err);

/* The CA an auditor should trust for a signer's signatures, as the bundle's README.txt
 * names it. */
#define VP_FINGERPRINT_MAX 96 /* 32 bytes as "AB:CD:...:EF" and the NUL */
typedef struct {
    int known;                                 /* 0: no CA was given or found */
    char subject[512];                         /* RFC 2253, one line */
    char sha256_fingerprint[VP_FINGERPRINT_MAX]; /* upper-case hex pairs joined by ':', as
                                                  `openssl x509 -noout -fingerprint -sha256`
                                                  prints after "sha256 Fingerprint=" */
} vp_trust_anchor;

/* Names the trust anchor of s: the first certificate of the PEM file ca_path, or, when
 * ca_path is NULL, the last certificate of the signer's chain if it is self-signed
 * (otherwise out->known is 0 and VP_OK is returned). The CA must have issued the signer
 * (directly or through the signer's chain; validity times are not checked here).
 * Errors: VP_ERR_INPUT (ca_path unreadable or not a PEM certificate), VP_ERR_CRYPTO (the
 * CA did not issue the signer: the message names both subjects and OpenSSL's reason),
 * VP_ERR_NOMEM. */
vp_status vp_signer_trust_anchor(const vp_signer *s, const char *ca_path, vp_trust_anchor *out, vp_error *err);


/* ---- a key held by a remote signing service (Azure Key Vault, Managed HSM) ---- */

/* What the remote service is asked to compute over a SHA-256 digest (JWS names). */
typedef enum { VP_REMOTE_RS256 = 1, VP_REMOTE_PS256, VP_REMOTE_ES256 } vp_remote_alg;

/* Signs a SHA-256 digest remotely. RSA: the modulus-length signature; ES256: r||s (64
 * bytes), as Key Vault returns it. On success *sig (free with free()) and *sig_len are
 * set; on failure *sig is NULL and err says why (the service's error text, never a
 * token). */
typedef vp_status (*vp_remote_sign_fn)(void *ctx, vp_remote_alg alg, const unsigned char *digest, size_t digest_len,
                                       unsigned char **sig, size_t *sig_len, vp_error *err);

/* Makes a signer of a remote key: the certificate's public key, with every private
 * operation sent to fn(ctx, ...). RSA keys sign PKCS#1 v1.5 (RS256), P-256 keys ES256;
 * RSA-PSS CMS (VP_CMS_RSA_PSS) is refused with VP_ERR_USAGE, since PSS encodes the digest
 * before the private operation, which a remote key does not offer. label names the key in
 * messages; kind and key_ref are recorded (vp_signer_key_kind / _ref). release(ctx) (may be
 * NULL) runs when the signer is freed, or at once on failure: ctx belongs to this call.
 *
 * Before returning, a random digest is signed through fn and verified with the
 * certificate's public key, so a certificate that is not the remote key's is refused.
 * Errors: VP_ERR_USAGE without cert_path; VP_ERR_INPUT for an unreadable certificate or
 * chain or an unsupported key type (RSA < 2048 bits, a curve other than P-256);
 * VP_ERR_CRYPTO when the test signature fails (fn's message) or does not verify (naming
 * key_ref and the certificate's subject); VP_ERR_NOMEM. */
vp_status vp_signer_load_remote(const char *label, const char *cert_path, const char *chain_path,
                                vp_remote_sign_fn fn, void *ctx, void (*release)(void *ctx), const char *kind,
                                const char *key_ref, vp_signer **out, vp_error *err);

#endif
