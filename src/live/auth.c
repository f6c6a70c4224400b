/* Credentials: the chain of docs/live-collection.md, first configured one wins:
 *   1. --token-file (a pre-obtained token, e.g. `az account get-access-token`)
 *   2. service principal with secret       AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET
 *   3. service principal with certificate  AZURE_CLIENT_CERTIFICATE_PATH [+ _PASSWORD]
 *   4. workload identity                   AZURE_FEDERATED_TOKEN_FILE (re-read at every exchange)
 *   5. App Service / Functions identity    IDENTITY_ENDPOINT, IDENTITY_HEADER
 *   6. IMDS managed identity               (VAULTPROOF_IMDS_ENDPOINT / AZURE_POD_IDENTITY_AUTHORITY_HOST
 *                                           override the address, for tests)
 * A half-configured set (a secret without a tenant, say) is an error rather than a
 * silent fall-through to the next credential. Secrets are copied only where needed and
 * wiped when freed; they never appear in a message. */
#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "live/internal.h"
#include "vaultproof/fileio.h"
#include "vaultproof/json.h"

typedef enum { K_TOKEN_FILE, K_SECRET, K_CERT, K_WORKLOAD, K_APPSERVICE, K_IMDS } kind;
static const char *const kind_names[] = {"token-file", "secret", "certificate", "workload-identity",
                                         "app-service-identity", "managed-identity"};

struct vl_auth {
    vl_auth_config cfg;
    kind kind;
    char tenant[128], client_id[160], principal[160];
    vl_identity identity;  /* claims of the current token */
    char *secret;          /* client secret or IDENTITY_HEADER; wiped on free */
    char federated[1024];  /* token file path */
    char endpoint[1024];   /* IDENTITY_ENDPOINT or IMDS base */
    vp_signer *signer;
    char *token;           /* wiped on free */
    long long expires, margin;
    unsigned generation;
    long long exchanges;
    unsigned long long rng;
};

static char *dup_secret(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void wipe_free(char *s)
{
    if (s) {
        OPENSSL_cleanse(s, strlen(s));
        free(s);
    }
}

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

static void copy(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

static vp_status need_env(const char *what, const char *name, vp_error *err)
{
    if (env(name))
        return VP_OK;
    return vp_error_set(err, VP_ERR_USAGE, "%s is set but %s is not; the %s credential needs both "
                        "(docs/live-collection.md)", what, name, what);
}

vp_status vpv_auth_new(const vl_auth_config *cfg, vl_auth **out, vp_error *err)
{
    vp_status st = VP_OK;
    vl_auth *a = calloc(1, sizeof *a);
    *out = NULL;
    if (!a)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    a->cfg = *cfg;
    a->rng = (unsigned long long)vpv_wall_ms() * 2654435761u | 1;
    copy(a->tenant, sizeof a->tenant, env("AZURE_TENANT_ID"));
    copy(a->client_id, sizeof a->client_id, env("AZURE_CLIENT_ID"));
    if (cfg->token_file) {
        a->kind = K_TOKEN_FILE;
    } else if (env("AZURE_CLIENT_SECRET")) {
        a->kind = K_SECRET;
        if (!(st = need_env("AZURE_CLIENT_SECRET", "AZURE_TENANT_ID", err)) &&
            !(st = need_env("AZURE_CLIENT_SECRET", "AZURE_CLIENT_ID", err)) &&
            !(a->secret = dup_secret(env("AZURE_CLIENT_SECRET"))))
            st = vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    } else if (env("AZURE_CLIENT_CERTIFICATE_PATH")) {
        a->kind = K_CERT;
        if (!(st = need_env("AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_TENANT_ID", err)) &&
            !(st = need_env("AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_CLIENT_ID", err)))
            st = vpv_load_certificate(env("AZURE_CLIENT_CERTIFICATE_PATH"), env("AZURE_CLIENT_CERTIFICATE_PASSWORD"),
                                     &a->signer, err);
    } else if (env("AZURE_FEDERATED_TOKEN_FILE")) {
        a->kind = K_WORKLOAD;
        copy(a->federated, sizeof a->federated, env("AZURE_FEDERATED_TOKEN_FILE"));
        if (!(st = need_env("AZURE_FEDERATED_TOKEN_FILE", "AZURE_TENANT_ID", err)))
            st = need_env("AZURE_FEDERATED_TOKEN_FILE", "AZURE_CLIENT_ID", err);
    } else if (env("IDENTITY_ENDPOINT")) {
        a->kind = K_APPSERVICE;
        copy(a->endpoint, sizeof a->endpoint, env("IDENTITY_ENDPOINT"));
        if (!(st = need_env("IDENTITY_ENDPOINT", "IDENTITY_HEADER", err)) &&
            !(a->secret = dup_secret(env("IDENTITY_HEADER"))))
            st = vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    } else {
        a->kind = K_IMDS;
        const char *host = env("VAULTPROOF_IMDS_ENDPOINT");
        if (!host)
            host = env("AZURE_POD_IDENTITY_AUTHORITY_HOST");
        copy(a->endpoint, sizeof a->endpoint, host ? host : "http://169.254.169.254");
        size_t n = strlen(a->endpoint);
        while (n && a->endpoint[n - 1] == '/')
            a->endpoint[--n] = '\0';
    }
    /* managed identities: a user-assigned one is chosen by AZURE_CLIENT_ID, else the
     * token response names the system-assigned one */
    if (a->kind != K_TOKEN_FILE)
        copy(a->principal, sizeof a->principal, a->client_id);
    if (st) {
        vpv_auth_free(a);
        return st;
    }
    *out = a;
    return VP_OK;
}

void vpv_auth_free(vl_auth *a)
{
    if (!a)
        return;
    wipe_free(a->secret);
    wipe_free(a->token);
    vp_signer_free(a->signer);
    free(a);
}

const char *vpv_auth_principal(const vl_auth *a)
{
    return a->principal;
}

const vl_identity *vpv_auth_identity(const vl_auth *a)
{
    return &a->identity;
}

const char *vpv_auth_kind(const vl_auth *a)
{
    return kind_names[a->kind];
}

long long vpv_auth_exchanges(const vl_auth *a)
{
    return a->exchanges;
}

/* Appends key=percent-encoded(value) to a form body. */
static int form_add(vl_buf *b, const char *key, const char *value)
{
    static const char hex[] = "0123456789ABCDEF";
    if ((b->len && vpv_buf_add(b, "&", 1)) || vpv_buf_add(b, key, strlen(key)) || vpv_buf_add(b, "=", 1))
        return -1;
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        char enc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
        int plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                    *p == '-' || *p == '.' || *p == '_' || *p == '~';
        if (vpv_buf_add(b, plain ? (const char *)p : enc, plain ? 1 : 3))
            return -1;
    }
    return 0;
}

static void wipe_buf(vl_buf *b)
{
    if (b->data)
        OPENSSL_cleanse(b->data, b->cap);
    vpv_buf_free(b);
}

static vp_status take_token(vl_auth *a, const char *token, long long expires, const char *where, vp_error *err)
{
    long long now = time(NULL);
    if (!token || !*token)
        return vp_error_set(err, VP_ERR_COLLECT, "%s: the response has no access token", where);
    if (expires <= now)
        return vp_error_set(err, VP_ERR_COLLECT, "%s: the access token has already expired", where);
    char *copy_tok = strdup(token);
    if (!copy_tok)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    wipe_free(a->token);
    a->token = copy_tok;
    a->expires = expires;
    /* who ARM will see: the object id names the principal's role assignments */
    vpv_jwt_identity(copy_tok, &a->identity);
    if (a->principal[0] == '\0')
        copy(a->principal, sizeof a->principal, a->identity.client_id);
    /* refresh 5 minutes early (the Azure SDKs' offset), or halfway for short tokens */
    long long life = expires - now;
    a->margin = life / 2 < 300 ? life / 2 : 300;
    a->generation++;
    a->exchanges++;
    return VP_OK;
}

static vp_status from_token_file(vl_auth *a, int force, vp_error *err)
{
    char *token = NULL;
    long long exp = 0;
    vp_status st = vpv_token_file_read(a->cfg.token_file, &token, &exp, a->principal, sizeof a->principal, err);
    if (st)
        return st;
    if (a->token && !strcmp(a->token, token) && !force && exp > (long long)time(NULL)) {
        a->margin = 0; /* the same token, still valid: use it to the end */
    } else if (a->token && !strcmp(a->token, token)) {
        st = vp_error_set(err, VP_ERR_COLLECT, "%s: the token was rejected or has expired and the file holds no "
                          "newer one; obtain a fresh token", a->cfg.token_file);
    } else if ((st = take_token(a, token, exp, a->cfg.token_file, err)) == VP_ERR_COLLECT) {
        vp_error_prefix(err, "token file");
    }
    wipe_free(token);
    return st;
}

/* Reads a token response (AAD or managed identity) out of resp. */
static vp_status parse_token_response(vl_auth *a, const vl_response *resp, const char *where, int managed,
                                      vp_error *err)
{
    cJSON *root = vpv_json_parse(resp->body.data, resp->body.len);
    vp_status st;
    if (resp->status != 200) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "error");
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(root, "error_description");
        if (cJSON_IsObject(e)) { /* some endpoints use the ARM shape */
            d = cJSON_GetObjectItemCaseSensitive(e, "message");
            e = cJSON_GetObjectItemCaseSensitive(e, "code");
        }
        st = vp_error_set(err, VP_ERR_COLLECT, "%s: HTTP %ld%s%s%s%.200s; expected an access token", where,
                          resp->status, cJSON_IsString(e) ? " " : "", cJSON_IsString(e) ? e->valuestring : "",
                          cJSON_IsString(d) ? ": " : "", cJSON_IsString(d) ? d->valuestring : "");
        cJSON_Delete(root);
        return st;
    }
    const cJSON *tok = cJSON_GetObjectItemCaseSensitive(root, "access_token");
    long long now = time(NULL);
    long long exp = vpv_json_epoch(cJSON_GetObjectItemCaseSensitive(root, "expires_on"));
    long long in = vpv_json_epoch(cJSON_GetObjectItemCaseSensitive(root, "expires_in"));
    if (exp < 0 && in >= 0)
        exp = now + in;
    if (managed && a->principal[0] == '\0') {
        const cJSON *cid = cJSON_GetObjectItemCaseSensitive(root, "client_id");
        if (cJSON_IsString(cid))
            copy(a->principal, sizeof a->principal, cid->valuestring);
    }
    st = take_token(a, cJSON_IsString(tok) ? tok->valuestring : NULL, exp < 0 ? now + 300 : exp, where, err);
    if (cJSON_IsString(tok))
        OPENSSL_cleanse(tok->valuestring, strlen(tok->valuestring)); /* only a->token keeps it */
    cJSON_Delete(root);
    return st;
}

static int transient(const vl_response *r)
{
    return r->code != CURLE_OK ? vpv_retry_reason(r) != NULL : r->status == 429 || r->status >= 500;
}

/* One exchange with up to three attempts on transient failures (IMDS and AAD both
 * throttle and have bad moments). */
static vp_status exchange(vl_auth *a, const char *url, struct curl_slist *headers, const char *body,
                          const char *where, int managed, vp_error *err)
{
    vl_response resp;
    vp_status st = VP_OK;
    memset(&resp, 0, sizeof resp);
    for (int attempt = 1; attempt <= 3; attempt++) {
        st = vpv_http_fetch(&a->cfg.http, url, headers, body, &resp, err);
        if ((st && !transient(&resp)) || (!st && !transient(&resp)) || attempt == 3)
            break;
        /* no answer at all from a managed-identity endpoint means there is none here:
         * retrying only makes a host without IMDS wait three connect timeouts */
        if (managed && resp.code != CURLE_OK)
            break;
        long long ms = vpv_retry_after_ms(resp.retry_after, time(NULL));
        if (ms < 0)
            ms = vpv_backoff_ms(attempt, 300, 5000, &a->rng);
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
        nanosleep(&ts, NULL);
    }
    if (!st)
        st = parse_token_response(a, &resp, where, managed, err); /* the message names the URL already */
    if (resp.body.data)
        OPENSSL_cleanse(resp.body.data, resp.body.cap);
    vpv_response_reset(&resp);
    return st;
}

static vp_status from_aad(vl_auth *a, vp_error *err)
{
    char url[1024], shown[1024], where[1100], jti[40];
    vl_buf form = {0};
    char *assertion = NULL, *federated = NULL;
    size_t flen = 0;
    vp_status st = VP_OK;
    snprintf(url, sizeof url, "%s/%s/oauth2/v2.0/token", a->cfg.authority, a->tenant);
    vpv_url_scrub(url, shown, sizeof shown); /* messages never show a query's secrets */
    snprintf(where, sizeof where, "token endpoint %s", shown);
    if (a->kind == K_CERT) {
        snprintf(jti, sizeof jti, "%08x-%04x-4%03x-a%03x-%08x%04x", vpv_rand(&a->rng), vpv_rand(&a->rng) & 0xffff,
                 vpv_rand(&a->rng) & 0xfff, vpv_rand(&a->rng) & 0xfff, vpv_rand(&a->rng), vpv_rand(&a->rng) & 0xffff);
        st = vpv_jwt_assertion(a->signer, a->client_id, url, time(NULL), jti, &assertion, err);
    } else if (a->kind == K_WORKLOAD) {
        /* re-read every time: the kubelet rotates the projected token */
        if (!(st = vp_read_file(a->federated, &federated, &flen, err))) {
            while (flen && (federated[flen - 1] == '\n' || federated[flen - 1] == '\r' || federated[flen - 1] == ' '))
                federated[--flen] = '\0';
            if (!flen)
                st = vp_error_set(err, VP_ERR_INPUT, "AZURE_FEDERATED_TOKEN_FILE %s: empty; expected a token",
                                  a->federated);
        }
    }
    if (st)
        goto done;
    if (form_add(&form, "grant_type", "client_credentials") || form_add(&form, "client_id", a->client_id) ||
        form_add(&form, "scope", a->cfg.scope) ||
        (a->kind == K_SECRET && form_add(&form, "client_secret", a->secret)) ||
        ((assertion || federated) &&
         (form_add(&form, "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer") ||
          form_add(&form, "client_assertion", assertion ? assertion : federated)))) {
        st = vp_error_set(err, VP_ERR_NOMEM, "out of memory");
        goto done;
    }
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/x-www-form-urlencoded");
    st = exchange(a, url, h, form.data, where, 0, err);
    vpv_headers_free(h);
done:
    wipe_buf(&form);
    wipe_free(assertion);
    wipe_free(federated);
    return st;
}

static vp_status from_managed(vl_auth *a, vp_error *err)
{
    char url[2048], hdr[1100];
    vl_buf q = {0};
    vp_status st;
    if (form_add(&q, "api-version", a->kind == K_IMDS ? "2018-02-01" : "2019-08-01") ||
        form_add(&q, "resource", a->cfg.resource) || (a->client_id[0] && form_add(&q, "client_id", a->client_id))) {
        vpv_buf_free(&q);
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    }
    if (a->kind == K_IMDS)
        snprintf(url, sizeof url, "%s/metadata/identity/oauth2/token?%s", a->endpoint, q.data);
    else
        snprintf(url, sizeof url, "%s%s%s", a->endpoint, strchr(a->endpoint, '?') ? "&" : "?", q.data);
    vpv_buf_free(&q);
    if (a->kind == K_IMDS)
        snprintf(hdr, sizeof hdr, "Metadata: true");
    else
        snprintf(hdr, sizeof hdr, "X-IDENTITY-HEADER: %s", a->secret);
    struct curl_slist *h = curl_slist_append(NULL, hdr);
    OPENSSL_cleanse(hdr, sizeof hdr);
    char where[128];
    snprintf(where, sizeof where, "%s", a->kind == K_IMDS ? "managed identity (IMDS)" : "managed identity (IDENTITY_ENDPOINT)");
    st = exchange(a, url, h, NULL, where, 1, err);
    vpv_headers_free(h);
    return st;
}

vp_status vpv_auth_token(vl_auth *a, int force, const char **token, unsigned *generation, vp_error *err)
{
    vp_status st = VP_OK;
    long long now = time(NULL);
    if (force || !a->token || now >= a->expires - a->margin) {
        switch (a->kind) {
        case K_TOKEN_FILE: st = from_token_file(a, force, err); break;
        case K_SECRET:
        case K_CERT:
        case K_WORKLOAD: st = from_aad(a, err); break;
        case K_APPSERVICE:
        case K_IMDS: st = from_managed(a, err); break;
        }
        if (st)
            return st;
    }
    *token = a->token;
    *generation = a->generation;
    return VP_OK;
}
