/* One authenticated request to an Azure endpoint (vaultproof/azclient.h): the live
 * collector's credential chain, TLS setup and retry policy, for callers that are not list
 * calls - Key Vault signing, Blob Storage uploads, single ARM reads, doctor's probes.
 * Synchronous on purpose: these are a handful of requests per run, and a signature or a
 * block upload must finish before the next step may start. */
#include <ctype.h>
#include <openssl/crypto.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "live/internal.h"
#include "vaultproof/azclient.h"
#include "vaultproof/fileio.h"

struct vp_az_client {
    vl_http_config http;
    vl_auth *auth;      /* NULL with a SAS */
    char *sas;          /* the SAS query without '?', wiped on free; NULL: bearer tokens */
    char authority[512], scope[600], resource[512];
    int max_attempts;
    unsigned long long rng;
};

void vp_az_url_label(const char *url, char *out, size_t size)
{
    if (!size)
        return;
    vpv_url_scrub(url ? url : "", out, size);
    out[strcspn(out, "?#")] = '\0';
}

const char *vp_az_cloud_arm(const char *cloud)
{
    const vpv_cloud *cl = vpv_cloud_find(cloud ? cloud : "AzureCloud");
    return cl ? cl->arm : NULL;
}

static void trim_slash(char *s)
{
    size_t n = strlen(s);
    while (n && s[n - 1] == '/')
        s[--n] = '\0';
}

vp_status vp_az_client_new(const vp_az_client_options *opt, vp_az_client **out, vp_error *err)
{
    *out = NULL;
    const vpv_cloud *cl = vpv_cloud_find(opt->cloud ? opt->cloud : "AzureCloud");
    if (!cl)
        return vp_error_set(err, VP_ERR_USAGE, "cloud '%s' is not known; expected AzureCloud, AzureUSGovernment or "
                            "AzureChinaCloud", opt->cloud);
    if (opt->ca_bundle) { /* curl would open it blocking: a FIFO must be refused first */
        int fd = -1;
        if (vp_open_regular(opt->ca_bundle, &fd, err))
            return vp_error_prefix(err, "--ca-bundle");
        close(fd);
    }
    vp_az_client *c = calloc(1, sizeof *c);
    if (!c)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    c->http.ca_bundle = opt->ca_bundle;
    c->http.connect_timeout_s = 20;
    c->http.transfer_timeout_s = opt->timeout_s > 0 ? opt->timeout_s : 120;
    c->max_attempts = opt->max_attempts > 0 ? opt->max_attempts : 6;
    c->rng = ((unsigned long long)vpv_wall_ms() << 20) ^ (unsigned long long)getpid() ^ 0x9e3779b97f4a7c15ull;

    if (opt->sas_env) {
        const char *v = getenv(opt->sas_env);
        if (v && *v == '?')
            v++;
        if (!v || !*v) {
            vp_az_client_free(c);
            return vp_error_set(err, VP_ERR_USAGE, "environment variable %s (the shared access signature) is unset "
                                "or empty", opt->sas_env);
        }
        if (strcspn(v, "#") != strlen(v)) {
            vp_az_client_free(c);
            return vp_error_set(err, VP_ERR_USAGE, "environment variable %s: expected a SAS query string (sv=...&"
                                "sig=...); the value is not shown", opt->sas_env);
        }
        if (!(c->sas = strdup(v))) {
            vp_az_client_free(c);
            return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
        }
        *out = c;
        return VP_OK;
    }

    const char *ah = opt->authority_host ? opt->authority_host : getenv("AZURE_AUTHORITY_HOST");
    snprintf(c->authority, sizeof c->authority, "%s", ah && *ah ? ah : cl->authority);
    trim_slash(c->authority);
    char shown[512];
    vp_az_url_label(c->authority, shown, sizeof shown);
    if (strncmp(c->authority, "https://", 8) != 0 || strcspn(c->authority, "?#@") != strlen(c->authority)) {
        vp_az_client_free(c);
        return vp_error_set(err, VP_ERR_USAGE, "authority '%s' (query and user info not shown): expected "
                            "https://host[:port][/path]: TLS is always on", shown);
    }
    /* managed identity wants the resource as given; ARM's carries a trailing slash */
    snprintf(c->resource, sizeof c->resource, "%s", opt->resource ? opt->resource : cl->resource);
    char bare[512];
    snprintf(bare, sizeof bare, "%s", c->resource);
    trim_slash(bare);
    snprintf(c->scope, sizeof c->scope, "%s/.default", bare);
    vl_auth_config ac = {.token_file = opt->token_file, .authority = c->authority, .scope = c->scope,
                         .resource = c->resource, .http = c->http};
    /* the IMDS probe must not hang for minutes on a host without IMDS */
    ac.http.connect_timeout_s = 5;
    ac.http.transfer_timeout_s = 30;
    vp_status st = vpv_auth_new(&ac, &c->auth, err);
    if (st) {
        vp_az_client_free(c);
        return st;
    }
    *out = c;
    return VP_OK;
}

void vp_az_client_free(vp_az_client *c)
{
    if (!c)
        return;
    vpv_auth_free(c->auth);
    if (c->sas) {
        OPENSSL_cleanse(c->sas, strlen(c->sas));
        free(c->sas);
    }
    free(c);
}

const char *vp_az_client_credential(const vp_az_client *c)
{
    return c->sas ? "sas" : vpv_auth_kind(c->auth);
}

const char *vp_az_client_principal(const vp_az_client *c)
{
    return c->sas ? "" : vpv_auth_principal(c->auth);
}

const char *vp_az_response_header(const vp_az_response *r, const char *name)
{
    for (size_t i = 0; i < r->header_count; i++)
        if (!strcasecmp(r->headers[i].name, name))
            return r->headers[i].value;
    return NULL;
}

void vp_az_response_free(vp_az_response *r)
{
    if (!r)
        return;
    free(r->body);
    memset(r, 0, sizeof *r);
}

/* ---- one attempt ---- */

typedef struct {
    vl_response raw;    /* status, body, retry-after, for the shared retry policy */
    vp_az_response *az; /* every header of the final response */
} attempt;

static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
    attempt *a = ctx;
    size_t len = size * n;
    if (len >= 5 && !strncmp(p, "HTTP/", 5)) { /* a new response (100-continue): start over */
        a->az->header_count = 0;
        a->raw.retry_after[0] = a->raw.request_id[0] = a->raw.content_type[0] = '\0';
        return len;
    }
    const char *colon = memchr(p, ':', len);
    if (!colon || a->az->header_count >= VP_AZ_MAX_HEADERS)
        return len;
    size_t k = a->az->header_count;
    vpv_copy_trimmed(a->az->headers[k].name, sizeof a->az->headers[k].name, p, (size_t)(colon - p));
    vpv_copy_trimmed(a->az->headers[k].value, sizeof a->az->headers[k].value, colon + 1,
                     len - (size_t)(colon - p) - 1);
    a->az->header_count++;
    const char *name = a->az->headers[k].name, *value = a->az->headers[k].value;
    if (!strcasecmp(name, "retry-after"))
        vpv_copy_trimmed(a->raw.retry_after, sizeof a->raw.retry_after, value, strlen(value));
    else if (!strcasecmp(name, "x-ms-request-id"))
        vpv_copy_trimmed(a->raw.request_id, sizeof a->raw.request_id, value, strlen(value));
    else if (!strcasecmp(name, "content-type"))
        vpv_copy_trimmed(a->raw.content_type, sizeof a->raw.content_type, value, strlen(value));
    return len;
}

/* The URL with the SAS appended to its query. */
static char *with_sas(const char *url, const char *sas)
{
    size_t n = strlen(url) + strlen(sas) + 2;
    char *u = malloc(n);
    if (u)
        snprintf(u, n, "%s%c%s", url, strchr(url, '?') ? '&' : '?', sas);
    return u;
}

static vp_status build_headers(vp_az_client *c, const vp_az_header *headers, size_t n, int has_body,
                               unsigned *generation, struct curl_slist **out, vp_error *err)
{
    struct curl_slist *h = NULL, *t;
    int has_type = 0;
    char line[8192];
    *out = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!strcasecmp(headers[i].name, "Content-Type"))
            has_type = 1;
        snprintf(line, sizeof line, "%s: %s", headers[i].name, headers[i].value);
        if (!(t = curl_slist_append(h, line)))
            goto oom;
        h = t;
    }
    /* curl would label a body form data, and wait for 100-continue before a large one */
    if (has_body && !has_type) {
        if (!(t = curl_slist_append(h, "Content-Type: application/octet-stream")))
            goto oom;
        h = t;
    }
    if (!(t = curl_slist_append(h, "Expect:")))
        goto oom;
    h = t;
    if (c->auth) {
        const char *token = NULL;
        vp_status st = vpv_auth_token(c->auth, 0, &token, generation, err);
        if (st) {
            vpv_headers_free(h);
            return st;
        }
        size_t len = strlen(token) + 32;
        char *bearer = malloc(len);
        if (!bearer)
            goto oom;
        snprintf(bearer, len, "Authorization: Bearer %s", token);
        t = curl_slist_append(h, bearer);
        OPENSSL_cleanse(bearer, strlen(bearer));
        free(bearer);
        if (!t)
            goto oom;
        h = t;
    }
    *out = h;
    return VP_OK;
oom:
    vpv_headers_free(h);
    return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
}

static vp_status send_once(vp_az_client *c, const char *method, const char *url, struct curl_slist *h,
                           const void *body, size_t body_len, attempt *a, vp_error *err)
{
    CURL *e = curl_easy_init();
    if (!e)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory (curl)");
    vpv_http_setup(e, &c->http, url, h, &a->raw);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, a);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, NULL); /* blob bytes must arrive as stored */
    if (!strcmp(method, "HEAD"))
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    else if (strcmp(method, "GET"))
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, body_len ? body : "");
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    a->raw.code = curl_easy_perform(e);
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &a->raw.status);
    curl_easy_cleanup(e);
    return VP_OK;
}

/* Copies Azure's error code and message out of a JSON or Storage XML error body. */
static void read_error(vp_az_response *r)
{
    if (!r->body_len)
        return;
    cJSON *j = vpv_json_parse((const char *)r->body, r->body_len);
    if (j) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(e, "code");
        const cJSON *msg = cJSON_GetObjectItemCaseSensitive(e, "message");
        if (cJSON_IsString(code))
            snprintf(r->error_code, sizeof r->error_code, "%s", code->valuestring);
        if (cJSON_IsString(msg))
            snprintf(r->error_message, sizeof r->error_message, "%s", msg->valuestring);
        cJSON_Delete(j);
        return;
    }
    static const struct {
        const char *open, *close;
        size_t off;
        size_t size;
    } tags[] = {{"<Code>", "</Code>", offsetof(vp_az_response, error_code), sizeof r->error_code},
                {"<Message>", "</Message>", offsetof(vp_az_response, error_message), sizeof r->error_message}};
    const char *b = (const char *)r->body;
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
        const char *s = strstr(b, tags[i].open), *e;
        if (!s || !(e = strstr(s, tags[i].close)))
            continue;
        s += strlen(tags[i].open);
        size_t len = (size_t)(e - s);
        char *dst = (char *)r + tags[i].off;
        if (len >= tags[i].size)
            len = tags[i].size - 1;
        memcpy(dst, s, len);
        dst[len] = '\0';
        /* the first line is the message; Storage appends RequestId and Time lines */
        dst[strcspn(dst, "\r\n")] = '\0';
    }
}

static const char *retry_reason(const vl_response *r)
{
    if (r->code != CURLE_OK)
        return vpv_retry_reason(r);
    switch (r->status) {
    case 429: return "throttled (HTTP 429)";
    case 500:
    case 502:
    case 503:
    case 504: return "server error";
    default: return NULL;
    }
}

vp_status vp_az_request(vp_az_client *c, const char *method, const char *url, const vp_az_header *headers, size_t n,
                        const void *body, size_t body_len, vp_az_response *resp, vp_error *err)
{
    char shown[512];
    vp_status st = VP_OK;
    int reauthed = 0;
    memset(resp, 0, sizeof *resp);
    vp_az_url_label(url, shown, sizeof shown);
    if (strncmp(url, "https://", 8))
        return vp_error_set(err, VP_ERR_USAGE, "%s: expected an https:// URL: TLS is always on", shown);
    char *full = c->sas ? with_sas(url, c->sas) : strdup(url);
    if (!full)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    for (int attempt_no = 1;; attempt_no++) {
        struct curl_slist *h = NULL;
        unsigned generation = 0;
        attempt a;
        memset(&a, 0, sizeof a);
        a.raw.ratelimit_remaining = -1;
        a.az = resp;
        resp->header_count = 0;
        if ((st = build_headers(c, headers, n, body != NULL, &generation, &h, err))) {
            vp_error_prefix(err, "%s: no token", shown);
            break;
        }
        st = send_once(c, method, full, h, body, body_len, &a, err);
        vpv_headers_free(h);
        if (st) {
            vpv_response_reset(&a.raw);
            break;
        }
        const char *why = retry_reason(&a.raw);
        if (a.raw.code == CURLE_OK && a.raw.status == 401 && c->auth && !reauthed) {
            reauthed = 1; /* a token revoked or expired early: one fresh token, one more try */
            const char *token;
            vpv_response_reset(&a.raw);
            if ((st = vpv_auth_token(c->auth, 1, &token, &generation, err))) {
                vp_error_prefix(err, "%s: HTTP 401, and no new token", shown);
                break;
            }
            attempt_no--;
            continue;
        }
        if (!why || attempt_no >= c->max_attempts) {
            if (a.raw.code != CURLE_OK) {
                if (vpv_tls_failure(a.raw.code))
                    st = vp_error_set(err, VP_ERR_COLLECT, "%s: TLS verification failed: %s; expected a certificate "
                                      "trusted by the system store or by --ca-bundle FILE", shown,
                                      a.raw.error[0] ? a.raw.error : curl_easy_strerror(a.raw.code));
                else
                    st = vp_error_set(err, VP_ERR_COLLECT, "%s: %s%s%s (after %d attempt%s)", shown,
                                      curl_easy_strerror(a.raw.code), a.raw.error[0] ? ": " : "", a.raw.error,
                                      attempt_no, attempt_no == 1 ? "" : "s");
                vpv_response_reset(&a.raw);
                break;
            }
            resp->status = a.raw.status;
            resp->body = (unsigned char *)a.raw.body.data; /* handed over, NUL-terminated */
            resp->body_len = a.raw.body.len;
            if (!resp->body && !(resp->body = calloc(1, 1))) {
                st = vp_error_set(err, VP_ERR_NOMEM, "out of memory");
                break;
            }
            snprintf(resp->request_id, sizeof resp->request_id, "%s", a.raw.request_id);
            if (resp->status >= 400)
                read_error(resp);
            break;
        }
        long long delay = vpv_retry_after_ms(a.raw.retry_after, (long long)time(NULL));
        if (delay < 0)
            delay = vpv_backoff_ms(attempt_no, 500, 30000, &c->rng);
        vpv_response_reset(&a.raw);
        struct timespec ts = {(time_t)(delay / 1000), (long)(delay % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) != 0)
            ;
    }
    if (full) {
        OPENSSL_cleanse(full, strlen(full)); /* it held the SAS */
        free(full);
    }
    if (st)
        vp_az_response_free(resp);
    return st;
}
