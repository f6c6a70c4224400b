/*
 * vaultproof/azclient.h - one authenticated HTTPS request to an Azure endpoint other
 * than the collector's list calls: Key Vault (remote signing), Blob Storage (the bundle
 * archive), single ARM reads (a container's immutability policy) and `doctor`'s probes.
 *
 * It shares the live collector's credential chain (docs/live-collection.md: token file,
 * client secret, client certificate, workload identity, managed identity), TLS rules
 * (verification always on, --ca-bundle) and retry policy (429, 5xx and transport errors
 * retried with Retry-After and exponential backoff; one token refresh after a 401).
 * The token is asked for the resource the client was made for (Key Vault, Storage, ARM).
 * Nothing secret (token, SAS, client secret) ever appears in an error message or in
 * vp_az_url_label's output.
 */
#ifndef VAULTPROOF_AZCLIENT_H
#define VAULTPROOF_AZCLIENT_H

#include <stddef.h>

#include "vaultproof/error.h"

typedef struct vp_az_client vp_az_client;

typedef struct {
    const char *cloud;          /* "AzureCloud" (default), "AzureUSGovernment", "AzureChinaCloud" */
    const char *authority_host; /* NULL: AZURE_AUTHORITY_HOST, else the cloud's */
    const char *ca_bundle;      /* PEM CAs for every https connection; NULL: the system store */
    const char *token_file;     /* a token obtained for this resource (`az account
                                   get-access-token --resource R`); NULL: the chain */
    /* The resource the token is for, without trailing slash: "https://vault.azure.net"
     * (Key Vault), "https://managedhsm.azure.net", "https://storage.azure.com", or NULL for
     * the cloud's ARM resource. The scope asked for is resource + "/.default". */
    const char *resource;
    /* NULL, or the name of an environment variable holding a shared access signature
     * (the query string, with or without a leading '?'): requests then carry it in
     * their query instead of a bearer token, and no credential is looked for. Blob
     * Storage only. The SAS is never shown. */
    const char *sas_env;
    int max_attempts;           /* attempts per request; 0: 6 */
    long timeout_s;             /* transfer timeout per attempt; 0: 120 */
} vp_az_client_options;

/* Makes a client. Credentials are resolved here (the first configured credential of
 * the chain, or the SAS variable), but no token is asked for until the first request.
 * *out is freed with vp_az_client_free.
 * Errors: VP_ERR_USAGE (unknown cloud, a non-https authority, sas_env unset or empty: the
 * message names the variable), VP_ERR_INPUT (a bad token file or certificate),
 * VP_ERR_COLLECT (no credential configured), VP_ERR_NOMEM. */
vp_status vp_az_client_new(const vp_az_client_options *opt, vp_az_client **out, vp_error *err);

/* NULL is allowed. Clears the token and SAS from memory. */
void vp_az_client_free(vp_az_client *c);

/* Which credential the client uses: "sas", "token-file", "secret", "certificate",
 * "workload-identity", "managed-identity"; its client id ("" when unknown). */
const char *vp_az_client_credential(const vp_az_client *c);
const char *vp_az_client_principal(const vp_az_client *c);

/* A request header, "Name" and "value". */
typedef struct {
    const char *name, *value;
} vp_az_header;

#define VP_AZ_MAX_HEADERS 32

/* A final response. Strings are NUL-terminated and cut to size. */
typedef struct {
    long status;                 /* HTTP status */
    unsigned char *body;         /* owned (vp_az_response_free); a NUL follows body_len bytes */
    size_t body_len;
    char request_id[128];        /* x-ms-request-id, or "" */
    /* Azure's error, when the body has one: JSON {"error": {"code", "message"}} (ARM, Key
     * Vault) or Storage's XML <Error><Code/><Message/></Error>; "" otherwise. */
    char error_code[128];
    char error_message[512];
    size_t header_count;         /* response headers of the final attempt */
    struct {
        char name[64];
        char value[256];
    } headers[VP_AZ_MAX_HEADERS];
} vp_az_response;

/* The value of response header name (case-insensitive), or NULL. */
const char *vp_az_response_header(const vp_az_response *r, const char *name);

/* Frees the body and clears r. NULL is allowed. */
void vp_az_response_free(vp_az_response *r);

/* Sends one request and waits for its final response.
 *
 * method: "GET", "PUT", "POST", "HEAD", "DELETE". url: https:// (TLS always verified);
 * with a SAS client the SAS is appended to its query. headers (n of them) are sent as
 * given, plus "Authorization: Bearer ..." (not with a SAS) and, when body is not NULL,
 * Content-Length. body may be NULL (no body); it is sent again on each attempt.
 *
 * 429, 500, 502, 503, 504 and transport errors are retried (Retry-After honoured, else
 * backoff) up to max_attempts; a 401 gets one token refresh and one more attempt. TLS
 * verification failures are never retried.
 *
 * Returns VP_OK whenever a final HTTP response arrived, whatever its status (the caller
 * decides what a 403 or 404 means, with resp->error_code and error_message); *resp must
 * then be freed. Errors: VP_ERR_COLLECT when no response came (transport or TLS error
 * after the last attempt, or no token could be obtained: the message names the URL
 * without its query and the reason), VP_ERR_NOMEM. */
vp_status vp_az_request(vp_az_client *c, const char *method, const char *url, const vp_az_header *headers, size_t n,
                        const void *body, size_t body_len, vp_az_response *resp, vp_error *err);

/* The ARM endpoint of a national cloud ("AzureCloud" when cloud is NULL):
 * "https://management.azure.com", no trailing slash; NULL for an unknown cloud. The one
 * table of clouds is the live collector's. */
const char *vp_az_cloud_arm(const char *cloud);

/* What a URL may be shown as in messages and records: scheme://host[:port]/path, without
 * user info, query or fragment (where a SAS or signature would be). Cut to size. */
void vp_az_url_label(const char *url, char *out, size_t size);

#endif
