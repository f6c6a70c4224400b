/*
 * vaultproof/tsa.h - RFC 3161 time-stamps: asking a time-stamping authority (TSA) over
 * HTTP(S) and checking the tokens it returns.
 *
 * A request is a DER TimeStampReq (version 1, SHA-256 message imprint, a random 64-bit
 * nonce, certReq TRUE, no policy) POSTed with Content-Type application/timestamp-query.
 * The response is used only when its status is granted, its imprint and nonce are the
 * ones asked for, and the token's signature verifies with the certificate it carries.
 * The TSA's chain is checked later, by whoever verifies, against their own anchor.
 *
 * https:// URLs are always checked (peer and host name, system CAs or ca_bundle);
 * http:// is allowed because a time-stamp is signed: TLS adds no integrity to it.
 * URLs in messages are cut to scheme://host[:port]/path (no user, password or query).
 */
#ifndef VAULTPROOF_TSA_H
#define VAULTPROOF_TSA_H

#include <stddef.h>

#include "vaultproof/error.h"

typedef struct {
    const char *url;       /* http:// or https:// */
    const char *ca_bundle; /* PEM CA certificates for https, or NULL for the system store */
    long timeout_seconds;  /* whole request; 0 means 30 */
} vp_tsa;

/* Time-stamps len bytes at data. On success *resp is the whole DER TimeStampResp (what
 * `openssl ts -verify -in FILE.tsr` reads) and *token the DER TimeStampToken inside it
 * (what a CMS signature-time-stamp attribute holds); free both with free(). Either
 * output pointer may be NULL when not wanted (then its length pointer may be NULL too).
 * Errors, all VP_ERR_CRYPTO (a failed time-stamp fails signing): the TSA cannot be
 * reached or answers other than HTTP 200; the response is not a TimeStampResp, not
 * granted (its status text is quoted), for other data, with another nonce, or its
 * signature does not verify. VP_ERR_USAGE for a URL that is not http(s); VP_ERR_NOMEM. */
vp_status vp_tsa_stamp(const vp_tsa *tsa, const void *data, size_t len, unsigned char **resp, size_t *resp_len,
                       unsigned char **token, size_t *token_len, vp_error *err);

/* A vp_timestamp_fn (vaultproof/cms.h): ctx is a const vp_tsa *; the token of
 * vp_tsa_stamp over data. */
vp_status vp_tsa_token_fn(void *ctx, const unsigned char *data, size_t len, unsigned char **token,
                          size_t *token_len, vp_error *err);

/* What vp_tsa_verify_* found. Every field is set whatever the outcome. */
typedef struct {
    int granted;            /* (responses only) status granted; tokens: 1 */
    int imprint_ok;         /* SHA-256 imprint of the data matches the token */
    int signature_ok;       /* the token's signature verifies with its own certificate */
    int chain_checked;      /* an anchor was given */
    int chain_trusted;      /* the TSA certificate chains to it for time-stamping (EKU) */
    char chain_error[256];  /* why not */
    long long gen_time;     /* seconds since the epoch, or -1 */
    char gen_time_text[32]; /* RFC 3339 UTC, e.g. 2026-09-30T06:00:01Z, or "" */
    char tsa_subject[512];  /* the signing certificate's subject, RFC 2253 */
} vp_tsa_verdict;

/* Checks a DER TimeStampToken over len bytes at data. trust_ca_path: PEM anchors for
 * the TSA chain, or NULL to check imprint and signature only (chain_checked = 0).
 * Returns VP_OK when imprint, signature and (with an anchor) chain hold; VP_ERR_CHECK
 * when one does not (the message says which, with genTime when known); VP_ERR_INPUT
 * when token is not a TimeStampToken or the anchor file is unreadable; VP_ERR_NOMEM. */
vp_status vp_tsa_verify_token(const unsigned char *token, size_t token_len, const void *data, size_t len,
                              const char *trust_ca_path, vp_tsa_verdict *out, vp_error *err);

/* The same for a whole DER TimeStampResp (a .tsr file); its status must be granted. */
vp_status vp_tsa_verify_response(const unsigned char *resp, size_t resp_len, const void *data, size_t len,
                                 const char *trust_ca_path, vp_tsa_verdict *out, vp_error *err);

#endif
