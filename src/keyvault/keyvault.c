/*
 * Azure Key Vault / Managed HSM keys: parse the key identifier, read the key, sign
 * digests remotely (REST API 7.4: GET /keys/{name}/{version}, POST .../sign), and make a
 * vaultproof signer of it (sign/remote.c does the OpenSSL side).
 *
 * All HTTP goes through vaultproof/azclient.h (credential chain, TLS verification, retries
 * of 429/5xx, one token refresh after 401): this file only decides what a final answer
 * means. Messages carry the key URL without query (vp_az_url_label) and Key Vault's error
 * code and message; the client never puts a token in them.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "vaultproof/azclient.h"
#include "vaultproof/json.h"
#include "vaultproof/keyvault.h"

struct vp_keyvault_key {
    vp_az_client *client;
    vp_keyvault_key_id id;
    char url[512];   /* vault + /keys/name/version, no query */
    char label[512]; /* url as shown in messages (vp_az_url_label) */
    char kid[512];   /* as the vault spells it */
    int is_rsa;
};

/* ---- key identifier -------------------------------------------------------------------- */

/* Vault host suffixes and the token resource each cloud's data plane expects. */
static const struct {
    const char *suffix, *resource;
    int hsm;
} VAULT_DOMAINS[] = {
    {".vault.azure.net", "https://vault.azure.net", 0},
    {".managedhsm.azure.net", "https://managedhsm.azure.net", 1},
    {".vault.usgovcloudapi.net", "https://vault.usgovcloudapi.net", 0},
    {".managedhsm.usgovcloudapi.net", "https://managedhsm.usgovcloudapi.net", 1},
    {".vault.azure.cn", "https://vault.azure.cn", 0},
    {".managedhsm.azure.cn", "https://managedhsm.azure.cn", 1},
};

static int ends_with_ci(const char *s, size_t n, const char *suffix)
{
    size_t m = strlen(suffix);
    return n > m && strncasecmp(s + n - m, suffix, m) == 0;
}

/* Copies the path segment at *p (up to '/' or the end) into out if every character
 * passes ok() and its length is 1..size-1; advances *p past it. */
static int segment(const char **p, char *out, size_t size, int (*ok)(int))
{
    size_t n = 0;
    while ((*p)[n] && (*p)[n] != '/') {
        if (!ok((unsigned char)(*p)[n]) || n + 1 >= size)
            return 0;
        out[n] = (*p)[n];
        n++;
    }
    out[n] = '\0';
    *p += n;
    return n > 0;
}

static int name_char(int c)
{
    return isalnum(c) || c == '-';
}

static int version_char(int c)
{
    return isalnum(c);
}

vp_status vp_keyvault_parse_id(const char *url, vp_keyvault_key_id *out, vp_error *err)
{
    static const char expect[] = "expected https://<vault>.vault.azure.net/keys/<name>/<version>";
    char shown[512];
    memset(out, 0, sizeof *out);
    vp_az_url_label(url ? url : "", shown, sizeof shown);
    if (!url || strncmp(url, "https://", 8) != 0)
        return vp_error_set(err, VP_ERR_INPUT, "Key Vault key '%s': not an https URL; %s", shown, expect);
    if (strpbrk(url, "?#"))
        return vp_error_set(err, VP_ERR_INPUT, "Key Vault key %s: has a query or fragment; %s", shown, expect);
    const char *host = url + 8, *path = strchr(host, '/');
    size_t hlen = path ? (size_t)(path - host) : strlen(host);
    if (hlen == 0 || memchr(host, '@', hlen) || hlen + 8 >= sizeof out->vault)
        return vp_error_set(err, VP_ERR_INPUT, "Key Vault key %s: no usable host; %s", shown, expect);
    for (size_t i = 0; i < hlen; i++)
        if (!isalnum((unsigned char)host[i]) && !strchr("-.:[]", host[i]))
            return vp_error_set(err, VP_ERR_INPUT, "Key Vault key %s: the host has a character '%c' hosts do not "
                                "have; %s", shown, host[i], expect);
    memcpy(out->vault, "https://", 8);
    for (size_t i = 0; i < hlen; i++)
        out->vault[8 + i] = (char)tolower((unsigned char)host[i]);
    out->vault[8 + hlen] = '\0';

    const char *p = path;
    if (!p || strncasecmp(p, "/keys/", 6) != 0)
        return vp_error_set(err, VP_ERR_INPUT, "Key Vault key %s: the path is not /keys/<name>/<version>; %s", shown,
                            expect);
    p += 6;
    if (!segment(&p, out->name, sizeof out->name, name_char))
        return vp_error_set(err, VP_ERR_INPUT, "Key Vault key %s: the key name must be 1-127 letters, digits and "
                            "dashes; %s", shown, expect);
    if (*p != '/' || p[1] == '\0')
        return vp_error_set(err, VP_ERR_INPUT, "Key Vault key %s: no key version; expected the version too "
                            "(https://<vault>.vault.azure.net/keys/%s/<version>: the manifest must name exactly "
                            "which key version signed; `az keyvault key show --id ...` prints it as kid)",
                            shown, out->name);
    p++;
    if (!segment(&p, out->version, sizeof out->version, version_char) || (*p && strcmp(p, "/") != 0))
        return vp_error_set(err, VP_ERR_INPUT, "Key Vault key %s: the version must be 1-63 letters and digits and "
                            "end the path; %s", shown, expect);

    /* the host without its port decides the cloud and the token's resource */
    char *colon = strrchr(out->vault + 8, ':');
    size_t bare = colon && !strchr(colon, ']') ? (size_t)(colon - (out->vault + 8)) : hlen;
    out->resource = VAULT_DOMAINS[0].resource; /* any other host (tests, private DNS): public Key Vault */
    for (size_t i = 0; i < sizeof VAULT_DOMAINS / sizeof VAULT_DOMAINS[0]; i++)
        if (ends_with_ci(out->vault + 8, bare, VAULT_DOMAINS[i].suffix)) {
            out->resource = VAULT_DOMAINS[i].resource;
            out->managed_hsm = VAULT_DOMAINS[i].hsm;
        }
    return VP_OK;
}

/* Two key ids name the same key version: same vault host (":443" is the default port)
 * and, ignoring case as Key Vault does, the same name and version. */
static int same_key(const vp_keyvault_key_id *a, const char *kid)
{
    vp_keyvault_key_id b;
    vp_error ignored = {0};
    if (vp_keyvault_parse_id(kid, &b, &ignored))
        return 0;
    char va[300], vb[300];
    snprintf(va, sizeof va, "%s", a->vault);
    snprintf(vb, sizeof vb, "%s", b.vault);
    size_t la = strlen(va), lb = strlen(vb);
    if (la > 4 && strcmp(va + la - 4, ":443") == 0)
        va[la - 4] = '\0';
    if (lb > 4 && strcmp(vb + lb - 4, ":443") == 0)
        vb[lb - 4] = '\0';
    return strcmp(va, vb) == 0 && strcasecmp(a->name, b.name) == 0 && strcasecmp(a->version, b.version) == 0;
}

/* ---- base64url (JWS/Key Vault encoding of digests and signatures) ----------------------- */

/* base64url for Key Vault's JSON values. live has its own in a private header, which the
 * module order keeps from this module; two short codecs are cheaper than a public API. */
static char *b64url_encode(const unsigned char *data, size_t len)
{
    char *out = malloc(4 * ((len + 2) / 3) + 1);
    if (!out)
        return NULL;
    int n = EVP_EncodeBlock((unsigned char *)out, data, (int)len);
    while (n > 0 && out[n - 1] == '=')
        n--;
    out[n] = '\0';
    for (char *c = out; *c; c++)
        *c = *c == '+' ? '-' : *c == '/' ? '_' : *c;
    return out;
}

static unsigned char *b64url_decode(const char *s, size_t *len)
{
    size_t n = strlen(s);
    if (n % 4 == 1)
        return NULL;
    size_t padded = n + (4 - n % 4) % 4;
    char *tmp = malloc(padded + 1);
    unsigned char *out = malloc(padded / 4 * 3 + 1);
    if (!tmp || !out)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '+' || c == '/' || c == '=')
            goto fail; /* base64url only */
        tmp[i] = c == '-' ? '+' : c == '_' ? '/' : c;
    }
    memset(tmp + n, '=', padded - n);
    tmp[padded] = '\0';
    int got = EVP_DecodeBlock(out, (const unsigned char *)tmp, (int)padded);
    if (got < 0)
        goto fail;
    *len = (size_t)got - (padded - n); /* EVP_DecodeBlock counts padding as zero bytes */
    free(tmp);
    return out;
fail:
    free(tmp);
    free(out);
    return NULL;
}

/* ---- answers --------------------------------------------------------------------------- */

/* Key Vault's message with line breaks folded (its RBAC text is several lines). */
static void one_line(const char *in, char *out, size_t size)
{
    size_t o = 0;
    for (; *in && o + 1 < size; in++) {
        char c = (unsigned char)*in < 0x20 ? ' ' : *in;
        if (c == ' ' && (o == 0 || out[o - 1] == ' '))
            continue;
        out[o++] = c;
    }
    while (o > 0 && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
}

/* The error for a final answer other than 200. */
static vp_status answer_error(const vp_keyvault_key *k, const char *what, const vp_az_response *r, vp_error *err)
{
    char msg[512];
    one_line(r->error_message, msg, sizeof msg);
    const char *code = r->error_code[0] ? r->error_code : "no error code";
    const char *hint = "";
    if (r->status == 401 || r->status == 403)
        hint = k->id.managed_hsm ? "; expected the principal to hold Managed HSM Crypto User on the key or the HSM "
                                   "(docs/signing.md)"
                                 : "; expected the principal to hold Key Vault Crypto User on the key or the vault "
                                   "(docs/signing.md)";
    else if (r->status == 404)
        hint = "; expected an existing key and version (az keyvault key show --id URL)";
    return vp_error_set(err, VP_ERR_CRYPTO, "Key Vault key %s: %s answered HTTP %ld (%s: %s)%s%s%s", k->label, what,
                        r->status, code, msg[0] ? msg : "no message", r->request_id[0] ? " x-ms-request-id " : "",
                        r->request_id, hint);
}

static vp_status parse_body(const vp_keyvault_key *k, const char *what, const vp_az_response *r, cJSON **doc,
                            vp_error *err)
{
    char label[600];
    snprintf(label, sizeof label, "%s (%s)", k->label, what);
    if (vp_json_parse(label, (const char *)r->body, r->body_len, doc, err))
        return vp_error_set(err, VP_ERR_CRYPTO, "Key Vault key %s: %s: the answer is not JSON; expected Key Vault's "
                            "%s", k->label, what, strcmp(what, "sign") == 0 ? "KeyOperationResult" : "KeyBundle");
    return VP_OK;
}

/* Reads the KeyBundle of GET /keys/{name}/{version} (GetKey-example.json's shape). */
static vp_status read_key(vp_keyvault_key *k, const vp_az_response *r, vp_error *err)
{
    cJSON *doc = NULL;
    vp_status st;
    if ((st = parse_body(k, "GET", r, &doc, err)))
        return st;
    char file[600];
    snprintf(file, sizeof file, "Key Vault key %s (GET)", k->label);
    vp_jreader jr = {.file = file, .err = err, .status = VP_OK};
    const cJSON *key = vp_jr_req_object(&jr, doc, "", "key");
    const char *kid = vp_jr_req_nonempty(&jr, key, "/key", "kid");
    const char *kty = vp_jr_req_nonempty(&jr, key, "/key", "kty");
    const cJSON *ops = vp_jr_req_array(&jr, key, "/key", "key_ops");
    const char *crv = NULL;
    const cJSON *attrs = NULL;
    int enabled = 1;
    vp_jr_string(&jr, key, "/key", "crv", &crv);
    if (vp_jr_object(&jr, doc, "", "attributes", &attrs) == VP_PRESENT)
        vp_jr_bool(&jr, attrs, "/attributes", "enabled", &enabled);
    if (jr.status) {
        cJSON_Delete(doc);
        /* an answer we cannot use is the vault's failure, not the user's input */
        return err->status = VP_ERR_CRYPTO;
    }
    st = VP_ERR_CRYPTO;
    int can_sign = 0;
    const cJSON *op;
    cJSON_ArrayForEach(op, ops) if (cJSON_IsString(op) && strcmp(op->valuestring, "sign") == 0) can_sign = 1;
    if (!same_key(&k->id, kid))
        vp_error_set(err, st, "Key Vault key %s: the vault answered for key %.300s; expected the configured key and "
                     "version", k->label, kid);
    else if (strcmp(kty, "RSA") != 0 && strcmp(kty, "RSA-HSM") != 0 && strcmp(kty, "EC") != 0 &&
             strcmp(kty, "EC-HSM") != 0)
        vp_error_set(err, st, "Key Vault key %s: key type %.64s; expected RSA, RSA-HSM, EC or EC-HSM", k->label, kty);
    else if (kty[0] == 'E' && (!crv || strcmp(crv, "P-256") != 0))
        vp_error_set(err, st, "Key Vault key %s: EC key on curve %.32s; expected P-256", k->label, crv ? crv : "none");
    else if (!can_sign)
        vp_error_set(err, st, "Key Vault key %s: key_ops does not include \"sign\"; expected a key allowed to sign "
                     "(az keyvault key set-attributes --ops sign verify ...)", k->label);
    else if (!enabled)
        vp_error_set(err, st, "Key Vault key %s: the key version is disabled (attributes.enabled false); expected an "
                     "enabled key", k->label);
    else {
        snprintf(k->kid, sizeof k->kid, "%s", kid);
        k->is_rsa = kty[0] == 'R';
        st = VP_OK;
    }
    cJSON_Delete(doc);
    return st;
}

vp_status vp_keyvault_open(const vp_keyvault_options *o, vp_keyvault_key **out, vp_error *err)
{
    vp_status st;
    *out = NULL;
    vp_keyvault_key *k = calloc(1, sizeof *k);
    if (!k)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    if ((st = vp_keyvault_parse_id(o->key_id, &k->id, err))) {
        free(k);
        return st;
    }
    snprintf(k->url, sizeof k->url, "%s/keys/%s/%s", k->id.vault, k->id.name, k->id.version);
    vp_az_url_label(k->url, k->label, sizeof k->label);
    vp_az_client_options co = {.cloud = o->cloud,
                               .authority_host = o->authority_host,
                               .ca_bundle = o->ca_bundle,
                               .token_file = o->token_file,
                               .resource = k->id.resource};
    if ((st = vp_az_client_new(&co, &k->client, err))) {
        if (st == VP_ERR_COLLECT) /* no credential: nothing can be signed */
            err->status = st = VP_ERR_CRYPTO;
        vp_error_prefix(err, "Key Vault key %s", k->label);
        vp_keyvault_close(k);
        return st;
    }
    char url[600];
    snprintf(url, sizeof url, "%s?api-version=%s", k->url, VP_KEYVAULT_API_VERSION);
    const vp_az_header h[] = {{"Accept", "application/json"}};
    vp_az_response r = {0};
    if ((st = vp_az_request(k->client, "GET", url, h, 1, NULL, 0, &r, err))) {
        if (st == VP_ERR_COLLECT)
            err->status = st = VP_ERR_CRYPTO;
        vp_error_prefix(err, "Key Vault key %s: reading the key", k->label);
        vp_keyvault_close(k);
        return st;
    }
    st = r.status == 200 ? read_key(k, &r, err) : answer_error(k, "GET", &r, err);
    vp_az_response_free(&r);
    if (st) {
        vp_keyvault_close(k);
        return st;
    }
    *out = k;
    return VP_OK;
}

void vp_keyvault_close(vp_keyvault_key *k)
{
    if (!k)
        return;
    vp_az_client_free(k->client);
    free(k);
}

const char *vp_keyvault_kid(const vp_keyvault_key *k)
{
    return k->kid;
}

int vp_keyvault_is_rsa(const vp_keyvault_key *k)
{
    return k->is_rsa;
}

vp_status vp_keyvault_sign(void *ctx, vp_remote_alg alg, const unsigned char *digest, size_t digest_len,
                           unsigned char **sig, size_t *sig_len, vp_error *err)
{
    vp_keyvault_key *k = ctx;
    static const char *names[] = {[VP_REMOTE_RS256] = "RS256", [VP_REMOTE_PS256] = "PS256",
                                  [VP_REMOTE_ES256] = "ES256"};
    *sig = NULL;
    *sig_len = 0;
    if (digest_len != 32)
        return vp_error_set(err, VP_ERR_USAGE, "Key Vault key %s: a digest of %zu bytes; expected SHA-256 (32)",
                            k->label, digest_len);
    if (alg != VP_REMOTE_RS256 && alg != VP_REMOTE_PS256 && alg != VP_REMOTE_ES256)
        return vp_error_set(err, VP_ERR_USAGE, "Key Vault key %s: unknown signing algorithm %d", k->label, (int)alg);
    if ((alg == VP_REMOTE_ES256) == k->is_rsa)
        return vp_error_set(err, VP_ERR_CRYPTO, "Key Vault key %s is %s, but %s was asked for (a signer certificate "
                            "with %s key is not this key's); expected the certificate issued for this Key Vault key",
                            k->label, k->is_rsa ? "RSA" : "EC P-256", names[alg], k->is_rsa ? "an EC" : "an RSA");
    char *value = b64url_encode(digest, digest_len), *body = NULL;
    if (!value || !(body = malloc(strlen(value) + 64))) {
        free(value);
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    }
    int blen = sprintf(body, "{\"alg\":\"%s\",\"value\":\"%s\"}", names[alg], value);
    free(value);
    char url[600];
    snprintf(url, sizeof url, "%s/sign?api-version=%s", k->url, VP_KEYVAULT_API_VERSION);
    const vp_az_header h[] = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
    vp_az_response r = {0};
    vp_status st = vp_az_request(k->client, "POST", url, h, 2, body, (size_t)blen, &r, err);
    free(body);
    if (st) {
        if (st == VP_ERR_COLLECT)
            err->status = st = VP_ERR_CRYPTO;
        return vp_error_prefix(err, "Key Vault key %s: signing", k->label);
    }
    cJSON *doc = NULL;
    if (r.status != 200)
        st = answer_error(k, "sign", &r, err);
    else if (!(st = parse_body(k, "sign", &r, &doc, err))) {
        const cJSON *kid = cJSON_GetObjectItemCaseSensitive(doc, "kid");
        const cJSON *val = cJSON_GetObjectItemCaseSensitive(doc, "value");
        if (!cJSON_IsString(kid) || !same_key(&k->id, kid->valuestring))
            st = vp_error_set(err, VP_ERR_CRYPTO, "Key Vault key %s: sign: /kid is not this key; expected %s",
                              k->label, k->kid);
        else if (!cJSON_IsString(val) || !(*sig = b64url_decode(val->valuestring, sig_len)) || *sig_len == 0) {
            free(*sig);
            *sig = NULL;
            st = vp_error_set(err, VP_ERR_CRYPTO, "Key Vault key %s: sign: /value is not a base64url signature; "
                              "expected Key Vault's KeyOperationResult", k->label);
        }
    }
    cJSON_Delete(doc);
    vp_az_response_free(&r);
    return st;
}

static void close_ctx(void *k)
{
    vp_keyvault_close(k);
}

vp_status vp_keyvault_signer(const vp_keyvault_options *o, const char *cert_path, const char *chain_path,
                             vp_signer **out, vp_error *err)
{
    vp_keyvault_key *k = NULL;
    vp_status st;
    *out = NULL;
    if (!cert_path) {
        char shown[512];
        vp_az_url_label(o->key_id ? o->key_id : "", shown, sizeof shown);
        return vp_error_set(err, VP_ERR_USAGE, "Key Vault key %s: expected a signer certificate (PEM) with it "
                            "(docs/signing.md: az keyvault certificate download, or your CA's)", shown);
    }
    if ((st = vp_keyvault_open(o, &k, err)))
        return st;
    /* k belongs to the signer from here, on failure too */
    return vp_signer_load_remote(k->label, cert_path, chain_path, vp_keyvault_sign, k, close_ctx, "key-vault", k->kid,
                                 out, err);
}
