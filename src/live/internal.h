/* Internal interfaces of the live collector (src/live/). */
#ifndef VP_LIVE_INTERNAL_H
#define VP_LIVE_INTERNAL_H

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <stddef.h>
#include <time.h>

#include "vaultproof/arm.h"
#include "vaultproof/error.h"
#include "vaultproof/keys.h"
#include "vaultproof/live.h"

/* ---- clocks (util.c) ---- */
long long vpv_now_ms(void);          /* monotonic milliseconds */
long long vpv_wall_ms(void);         /* Unix epoch milliseconds */
char *vpv_rfc3339_ms(long long wall_ms, char buf[32]); /* "2026-09-30T02:00:01.120Z" */
unsigned vpv_rand(unsigned long long *state); /* xorshift; state must be non-zero */

/* ---- national clouds (util.c) ---- */
typedef struct {
    const char *name;      /* "AzureCloud", "AzureUSGovernment", "AzureChinaCloud" */
    const char *arm;       /* ARM endpoint, no trailing slash */
    const char *authority; /* Entra ID authority host */
    const char *resource;  /* ARM's token resource (trailing slash, as managed identity wants it) */
} vpv_cloud;
/* The cloud called name, or NULL when there is none. */
const vpv_cloud *vpv_cloud_find(const char *name);

/* ---- growable byte buffer (util.c) ---- */
typedef struct {
    char *data;
    size_t len, cap;
} vl_buf;
int vpv_buf_add(vl_buf *b, const void *p, size_t n); /* 0 ok, -1 out of memory; keeps a NUL after data */
void vpv_buf_free(vl_buf *b);

/* ---- URL scrubbing (util.c) ---- */
/* Copies url into out keeping only the query parameters api-version, $filter,
 * $skipToken and $top (docs/replay-format.md) and dropping any user:password@. The
 * result is what sidecars and messages may show. Truncates to size. */
void vpv_url_scrub(const char *url, char *out, size_t size);
/* Parses a response body (or token claims) with the project's strict JSON layer, so live
 * collection never acts on text that replay would refuse (`\u0000`, leading zeros, ...).
 * Returns the tree (cJSON_Delete it) or NULL when data is not strict JSON or memory ran
 * out; the reason is not kept: callers report "not JSON" in their own terms. */
cJSON *vpv_json_parse(const char *data, size_t len);

/* ---- HTTP transport (http.c) ---- */
typedef struct {
    long status;             /* HTTP status; 0 when no response */
    CURLcode code;           /* CURLE_OK or the transport error */
    char error[CURL_ERROR_SIZE];
    vl_buf body;
    char content_type[128];
    char request_id[128], correlation_id[128], date[64];
    char retry_after[64];
    long long ratelimit_remaining; /* lowest x-ms-ratelimit-remaining-* seen; -1 none */
} vl_response;

void vpv_response_reset(vl_response *r); /* frees the body, clears everything */
/* Copies the len bytes at v into dst without leading and trailing white space, cut to
 * size and NUL-terminated: a header value as it arrives. */
void vpv_copy_trimmed(char *dst, size_t size, const char *v, size_t len);
void vpv_headers_free(struct curl_slist *h); /* wipes each header (they carry secrets), then frees */

typedef struct {
    const char *ca_bundle;
    long connect_timeout_s, transfer_timeout_s;
} vl_http_config;

/* Applies the options every request shares: TLS verification on, CA bundle,
 * timeouts, compression, HTTP/2 where offered, header and body capture into resp. */
void vpv_http_setup(CURL *e, const vl_http_config *cfg, const char *url, struct curl_slist *headers,
                   vl_response *resp);

/* One synchronous request (token endpoints). body NULL: GET, else POST form. */
vp_status vpv_http_fetch(const vl_http_config *cfg, const char *url, struct curl_slist *headers, const char *body,
                        vl_response *resp, vp_error *err);

/* ---- retry policy (retry.c) ---- */
/* Delay in ms asked for by a Retry-After value (delta seconds or HTTP-date, relative
 * to now_epoch); -1 when absent or malformed. Capped at 300 s. */
long long vpv_retry_after_ms(const char *value, long long now_epoch);
/* Exponential backoff with jitter for the attempt-th retry (1-based): a random
 * value in [d/2, d] where d = min(base_ms * 2^(attempt-1), cap_ms). */
long long vpv_backoff_ms(int attempt, long long base_ms, long long cap_ms, unsigned long long *rng);
/* Spacing in ms to keep between requests to a subscription whose lowest remaining
 * ARM read budget is `remaining` (-1 unknown): 0 while plentiful, growing as it runs
 * low so ARM's bucket (refilled ~25/s) never empties. */
long long vpv_pace_ms(long long remaining);
/* Why a response should be retried, or NULL when it should not. */
const char *vpv_retry_reason(const vl_response *r);
/* Whether a transport error is a TLS verification failure (never retried). */
int vpv_tls_failure(CURLcode code);

/* ---- JWT client assertion (jwt.c) ---- */
/* base64url without padding; returns a malloc'd string or NULL. */
char *vpv_base64url(const unsigned char *data, size_t len);
/* Builds an RS256 client assertion signed by signer (an RSA key; VP_ERR_INPUT for
 * another): header {alg, typ, x5t#S256}, claims aud, iss, sub, jti, nbf, iat, exp
 * (now + 10 min). *out is malloc'd and secret (never log it). */
vp_status vpv_jwt_assertion(const vp_signer *signer, const char *client_id, const char *audience, long long now_epoch,
                           const char *jti, char **out, vp_error *err);
/* Loads the client certificate principal's key and certificate: PEM holding both, or
 * PKCS#12 (.p12/.pfx; password may be NULL). Refuses key files readable by group or
 * other. *out is freed with vp_signer_free. */
vp_status vpv_load_certificate(const char *path, const char *password, vp_signer **out, vp_error *err);

/* Decodes base64url (padding optional); returns a malloc'd, NUL-terminated buffer
 * (*len bytes) or NULL when s is not base64url. */
unsigned char *vpv_base64url_decode(const char *s, size_t n, size_t *len);

/* ---- token file (token_file.c) ---- */
/* Who a JWT access token names - none of it secret: the claims ARM authorizes by. */
typedef struct {
    char client_id[160];  /* appid (v1) or azp (v2) */
    char object_id[64];   /* oid: the principal role assignments name */
    char tenant_id[64];   /* tid */
    char name[160];       /* name (a user) or app_displayname, when the token has one */
} vl_identity;
/* Reads the identity claims of token; all "" for an opaque (non-JWT) token. */
void vpv_jwt_identity(const char *token, vl_identity *out);
/* A number, or a string holding one (IMDS sends "3599"); -1 when neither. */
long long vpv_json_epoch(const cJSON *v);
/* Reads the JSON `az account get-access-token` prints: *token (malloc'd, secret),
 * *expires (epoch seconds, from expires_on or the local-time expiresOn) and, when the
 * token is a JWT, its appid/azp claim into principal ("" otherwise). Errors:
 * VP_ERR_INPUT naming the file and the member; VP_ERR_IO. */
vp_status vpv_token_file_read(const char *path, char **token, long long *expires, char *principal, size_t size,
                             vp_error *err);

/* ---- credentials (auth.c) ---- */
typedef struct vl_auth vl_auth;
typedef struct {
    const char *token_file;
    const char *authority;   /* "https://login.microsoftonline.com" (no trailing slash) */
    const char *scope;       /* "https://management.azure.com/.default" */
    const char *resource;    /* "https://management.azure.com/" for managed identity */
    vl_http_config http;
} vl_auth_config;

/* Picks the first configured credential of the chain (docs/live-collection.md). */
vp_status vpv_auth_new(const vl_auth_config *cfg, vl_auth **out, vp_error *err);
void vpv_auth_free(vl_auth *a);
/* A valid bearer token (refreshed when it expires within the refresh margin, or
 * always when force). *token stays owned by a; *generation changes with each new token. */
vp_status vpv_auth_token(vl_auth *a, int force, const char **token, unsigned *generation, vp_error *err);
const char *vpv_auth_principal(const vl_auth *a); /* client id, "" unknown */
/* The current token's oid, tid and name claims ("" when unknown, e.g. an opaque token). */
const vl_identity *vpv_auth_identity(const vl_auth *a);
const char *vpv_auth_kind(const vl_auth *a);      /* "secret", "certificate", ... */
long long vpv_auth_exchanges(const vl_auth *a);   /* tokens obtained so far */

/* ---- recording (record.c) ---- */
typedef struct {
    const char *method;       /* "GET" or "POST" */
    const char *request_body; /* a POST's body, written as "request_body" (a string); NULL: none */
    const char *operation, *scope, *url, *next_link, *error;
    const char *request_id, *correlation_id, *date;
    const char *principal, *credential;
    const char *object_id, *tenant_id, *principal_name; /* token claims; NULL or "": not written */
    long status;
    int page, complete;
    long long retries, requested_ms, received_ms;
} vl_sidecar;

/* The directory a vault's calls are recorded under: the name verbatim when it only
 * has letters, digits, '-', '_' and '.', else the lowercase hex SHA-256 of the name. */
void vpv_vault_dirname(const char *name, char *out, size_t size);
/* Relative body path of page `page` of the call recorded as base ("x/y/backupPolicies"):
 * base.json, base.page-0002.json, ... and its sidecar (.meta.json). */
void vpv_page_paths(const char *base, int page, char *body, char *sidecar, size_t size);
/* Writes body (verbatim) at dir/rel, creating parent directories. */
vp_status vpv_write_body(const char *dir, const char *rel, const char *data, size_t len, vp_error *err);
vp_status vpv_write_sidecar(const char *dir, const char *rel, const vl_sidecar *s, vp_error *err);

/* ---- enumeration (enumerate.c) ---- */
typedef struct {
    const char *arm;          /* ARM endpoint without trailing slash */
    const char *cloud_arm;    /* the cloud's own ARM endpoint, which ids spelled as URLs name
                               * even when arm is overridden (a proxy, the emulator) */
    const char *api[VP_ARM_API_COUNT]; /* api-version per family */
} vl_endpoints;

#endif
