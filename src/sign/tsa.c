/*
 * RFC 3161 client (libcurl POST) and token checks (OpenSSL 3.0 <openssl/ts.h>).
 *
 * OpenSSL's TS_RESP_verify_* can check status, imprint and nonce without a trust
 * store, but the token's signature only together with a chain. When packing there is
 * no anchor for the TSA (the auditor brings one), so the signature is checked on its
 * own, as CMS with the certificate the token carries; the chain is checked at verify.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include <openssl/x509.h>

#include "sign/internal.h"
#include "vaultproof/clock.h"
#include "vaultproof/tsa.h"

#define MAX_RESPONSE (1024 * 1024) /* tokens are a few KiB; refuse anything absurd */

/* scheme://host[:port]/path of url: never user, password or query (they may hold secrets). */
static void url_label(const char *url, char *buf, size_t size)
{
    char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
    CURLU *u = curl_url();
    snprintf(buf, size, "(unparsable TSA URL)");
    if (u && !curl_url_set(u, CURLUPART_URL, url, 0) && !curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) &&
        !curl_url_get(u, CURLUPART_HOST, &host, 0)) {
        curl_url_get(u, CURLUPART_PORT, &port, 0);
        curl_url_get(u, CURLUPART_PATH, &path, 0);
        snprintf(buf, size, "%s://%s%s%s%s", scheme, host, port ? ":" : "", port ? port : "", path ? path : "");
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(path);
    curl_url_cleanup(u);
}

typedef struct {
    unsigned char *data;
    size_t len;
    int too_big;
} body_buf;

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    body_buf *b = userdata;
    size_t n = size * nmemb;
    if (n > MAX_RESPONSE - b->len) {
        b->too_big = 1;
        return 0;
    }
    unsigned char *grown = realloc(b->data, b->len + n + 1);
    if (!grown)
        return 0;
    memcpy(grown + b->len, ptr, n);
    b->data = grown;
    b->len += n;
    return n;
}

static vp_status http_post(const vp_tsa *tsa, const char *label, const unsigned char *req, size_t req_len,
                           body_buf *out, vp_error *err)
{
    char ebuf[CURL_ERROR_SIZE] = "";
    long code = 0;
    vp_status st = VP_OK;
    CURL *c = curl_easy_init();
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/timestamp-query");
    struct curl_slist *h2 = hdr ? curl_slist_append(hdr, "Accept: application/timestamp-reply") : NULL;
    if (!c || !h2) {
        curl_slist_free_all(hdr);
        curl_easy_cleanup(c);
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    }
    hdr = h2;
    curl_easy_setopt(c, CURLOPT_URL, tsa->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L); /* the defaults, stated: never switched off */
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    if (tsa->ca_bundle)
        curl_easy_setopt(c, CURLOPT_CAINFO, tsa->ca_bundle);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, tsa->timeout_seconds > 0 ? tsa->timeout_seconds : 30L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, (const char *)req);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req_len);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    if (out->too_big)
        st = vp_error_set(err, VP_ERR_CRYPTO, "time-stamp from %s: response over %d bytes; expected a TimeStampResp",
                          label, MAX_RESPONSE);
    else if (rc != CURLE_OK)
        st = vp_error_set(err, VP_ERR_CRYPTO, "time-stamp from %s: request failed: %s", label,
                          ebuf[0] ? ebuf : curl_easy_strerror(rc));
    else if (code != 200)
        st = vp_error_set(err, VP_ERR_CRYPTO, "time-stamp from %s: HTTP %ld; expected 200 with a TimeStampResp", label,
                          code);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(c);
    return st;
}

/* TimeStampReq: v1, SHA-256 imprint of data, 63-bit random nonce, certReq TRUE. */
static vp_status make_request(const void *data, size_t len, TS_REQ **out, vp_error *err)
{
    unsigned char md[32], rnd[8];
    TS_REQ *req = TS_REQ_new();
    TS_MSG_IMPRINT *mi = TS_MSG_IMPRINT_new();
    X509_ALGOR *alg = X509_ALGOR_new();
    BIGNUM *bn = NULL;
    ASN1_INTEGER *nonce = NULL;
    int ok = req && mi && alg && EVP_Digest(data, len, md, NULL, EVP_sha256(), NULL) && RAND_bytes(rnd, 8) == 1;
    rnd[0] &= 0x7f;
    ok = ok && X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL) && TS_MSG_IMPRINT_set_algo(mi, alg) &&
         TS_MSG_IMPRINT_set_msg(mi, md, 32) && TS_REQ_set_version(req, 1) && TS_REQ_set_msg_imprint(req, mi) &&
         (bn = BN_bin2bn(rnd, 8, NULL)) && (nonce = BN_to_ASN1_INTEGER(bn, NULL)) && TS_REQ_set_nonce(req, nonce) &&
         TS_REQ_set_cert_req(req, 1);
    BN_free(bn);
    ASN1_INTEGER_free(nonce);
    X509_ALGOR_free(alg);
    TS_MSG_IMPRINT_free(mi);
    if (!ok) {
        TS_REQ_free(req);
        vp_error_set(err, VP_ERR_CRYPTO, "time-stamp: cannot build the request");
        return vps_ossl_reason(err);
    }
    *out = req;
    return VP_OK;
}

/* The token's signature with the certificate it carries (no chain): CMS view of the
 * PKCS#7 SignedData. Fills the TSA subject. */
static int token_signature_ok(const unsigned char *der, size_t len, char *subject, size_t size)
{
    const unsigned char *p = der;
    subject[0] = '\0';
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
    int ok = cms && CMS_verify(cms, NULL, NULL, NULL, NULL, CMS_NO_SIGNER_CERT_VERIFY) == 1;
    STACK_OF(X509) *signers = ok ? CMS_get0_signers(cms) : NULL;
    if (signers && sk_X509_num(signers) == 1)
        X509_NAME_oneline(X509_get_subject_name(sk_X509_value(signers, 0)), subject, (int)size);
    else
        ok = 0;
    sk_X509_free(signers);
    CMS_ContentInfo_free(cms);
    ERR_clear_error();
    return ok;
}

/* OpenSSL's first queued reason and its data ("Verify error:..."), then clears. */
static void ossl_reason(char *buf, size_t size)
{
    const char *data = NULL;
    int flags = 0;
    unsigned long e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags);
    if (!e)
        snprintf(buf, size, "unknown reason");
    else if (data && (flags & ERR_TXT_STRING) && data[0])
        snprintf(buf, size, "%s (%s)", ERR_reason_error_string(e) ? ERR_reason_error_string(e) : "error", data);
    else
        snprintf(buf, size, "%s", ERR_reason_error_string(e) ? ERR_reason_error_string(e) : "error");
    ERR_clear_error();
}

vp_status vp_tsa_stamp(const vp_tsa *tsa, const void *data, size_t len, unsigned char **resp, size_t *resp_len,
                       unsigned char **token, size_t *token_len, vp_error *err)
{
    char label[512];
    TS_REQ *req = NULL;
    TS_RESP *rsp = NULL;
    TS_VERIFY_CTX *vctx = NULL;
    unsigned char *req_der = NULL, *tok_der = NULL;
    body_buf body = {0};
    if (resp)
        *resp = NULL;
    if (token)
        *token = NULL;
    ERR_clear_error();
    if (!tsa || !tsa->url || (strncmp(tsa->url, "http://", 7) && strncmp(tsa->url, "https://", 8)))
        return vp_error_set(err, VP_ERR_USAGE, "time-stamp: expected an http:// or https:// TSA URL");
    url_label(tsa->url, label, sizeof label);
    vp_status st = make_request(data, len, &req, err);
    int req_len = st ? 0 : i2d_TS_REQ(req, &req_der);
    if (!st && req_len <= 0)
        st = vp_error_set(err, VP_ERR_CRYPTO, "time-stamp: cannot encode the request");
    if (st || (st = http_post(tsa, label, req_der, (size_t)req_len, &body, err)))
        goto done;
    const unsigned char *p = body.data;
    if (!(rsp = d2i_TS_RESP(NULL, &p, (long)body.len)) || p != body.data + body.len) {
        st = vp_error_set(err, VP_ERR_CRYPTO, "time-stamp from %s: the answer (%zu bytes) is not a DER TimeStampResp",
                          label, body.len);
        goto done;
    }
    /* status granted, version, our imprint and our nonce (no policy was asked for) */
    if (!(vctx = TS_REQ_to_TS_VERIFY_CTX(req, NULL))) {
        st = vp_error_set(err, VP_ERR_NOMEM, "out of memory");
        goto done;
    }
    TS_VERIFY_CTX_set_flags(vctx, TS_VFY_VERSION | TS_VFY_IMPRINT | TS_VFY_NONCE);
    if (TS_RESP_verify_response(vctx, rsp) != 1) {
        char why[300];
        ossl_reason(why, sizeof why);
        st = vp_error_set(err, VP_ERR_CRYPTO, "time-stamp from %s: response refused: %s", label, why);
        goto done;
    }
    char subject[256];
    int tok_len = i2d_PKCS7(TS_RESP_get_token(rsp), &tok_der);
    if (tok_len <= 0 || !token_signature_ok(tok_der, (size_t)tok_len, subject, sizeof subject)) {
        st = vp_error_set(err, VP_ERR_CRYPTO,
                          "time-stamp from %s: the token's signature does not verify with the certificate it carries",
                          label);
        goto done;
    }
    if (token) {
        *token = tok_der;
        *token_len = (size_t)tok_len;
        tok_der = NULL;
    }
    if (resp) {
        *resp = body.data;
        *resp_len = body.len;
        body.data = NULL;
    }
done:
    OPENSSL_free(req_der);
    OPENSSL_free(tok_der);
    free(body.data);
    TS_VERIFY_CTX_free(vctx);
    TS_RESP_free(rsp);
    TS_REQ_free(req);
    ERR_clear_error();
    return st;
}

vp_status vp_tsa_token_fn(void *ctx, const unsigned char *data, size_t len, unsigned char **token, size_t *token_len,
                          vp_error *err)
{
    unsigned char *t = NULL;
    size_t n = 0;
    vp_status st = vp_tsa_stamp(ctx, data, len, NULL, NULL, &t, &n, err);
    if (st)
        return st;
    /* the caller frees with free(), OpenSSL allocated it */
    if (!(*token = malloc(n))) {
        OPENSSL_free(t);
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    }
    memcpy(*token, t, n);
    *token_len = n;
    OPENSSL_free(t);
    return VP_OK;
}

static void read_tst(TS_TST_INFO *tst, const void *data, size_t len, vp_tsa_verdict *v)
{
    struct tm tm;
    const ASN1_GENERALIZEDTIME *gt = TS_TST_INFO_get_time(tst);
    if (gt && ASN1_TIME_to_tm(gt, &tm) == 1) {
        v->gen_time = (long long)timegm(&tm);
        vp_time_format(v->gen_time, v->gen_time_text, sizeof v->gen_time_text);
    }
    TS_MSG_IMPRINT *mi = TS_TST_INFO_get_msg_imprint(tst);
    const ASN1_OBJECT *obj = NULL;
    X509_ALGOR_get0(&obj, NULL, NULL, TS_MSG_IMPRINT_get_algo(mi));
    const EVP_MD *md = obj ? EVP_get_digestbyobj(obj) : NULL;
    unsigned char got[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    ASN1_OCTET_STRING *want = TS_MSG_IMPRINT_get_msg(mi);
    v->imprint_ok = md && EVP_MD_get_size(md) >= 32 && EVP_Digest(data, len, got, &n, md, NULL) && want &&
                    (int)n == ASN1_STRING_length(want) && !memcmp(got, ASN1_STRING_get0_data(want), n);
}

static vp_status check_chain(PKCS7 *tok, const char *trust, vp_tsa_verdict *v, vp_error *err)
{
    TS_VERIFY_CTX *ctx = TS_VERIFY_CTX_new();
    X509_STORE *store = X509_STORE_new();
    if (!ctx || !store) {
        TS_VERIFY_CTX_free(ctx);
        X509_STORE_free(store);
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    }
    if (X509_STORE_load_file(store, trust) != 1) {
        TS_VERIFY_CTX_free(ctx);
        X509_STORE_free(store);
        ERR_clear_error();
        return vp_error_set(err, VP_ERR_INPUT, "TSA trust anchors %s: cannot read; expected PEM certificates", trust);
    }
    TS_VERIFY_CTX_set_store(ctx, store); /* owned by ctx from here */
    TS_VERIFY_CTX_set_flags(ctx, TS_VFY_SIGNATURE);
    v->chain_checked = 1;
    /* purpose timestampsign: the TSA certificate must have the critical timeStamping EKU */
    if (TS_RESP_verify_token(ctx, tok) == 1)
        v->chain_trusted = 1;
    else
        ossl_reason(v->chain_error, sizeof v->chain_error);
    TS_VERIFY_CTX_free(ctx);
    ERR_clear_error();
    return VP_OK;
}

vp_status vp_tsa_verify_token(const unsigned char *token, size_t token_len, const void *data, size_t len,
                              const char *trust_ca_path, vp_tsa_verdict *v, vp_error *err)
{
    memset(v, 0, sizeof *v);
    v->gen_time = -1;
    ERR_clear_error();
    const unsigned char *p = token;
    PKCS7 *tok = token && token_len <= LONG_MAX ? d2i_PKCS7(NULL, &p, (long)token_len) : NULL;
    TS_TST_INFO *tst = tok ? PKCS7_to_TS_TST_INFO(tok) : NULL;
    if (!tst || p != token + token_len) {
        TS_TST_INFO_free(tst);
        PKCS7_free(tok);
        ERR_clear_error();
        return vp_error_set(err, VP_ERR_INPUT, "time-stamp: not a DER RFC 3161 TimeStampToken");
    }
    v->granted = 1;
    read_tst(tst, data, len, v);
    v->signature_ok = token_signature_ok(token, token_len, v->tsa_subject, sizeof v->tsa_subject);
    vp_status st = trust_ca_path ? check_chain(tok, trust_ca_path, v, err) : VP_OK;
    TS_TST_INFO_free(tst);
    PKCS7_free(tok);
    if (st)
        return st;
    if (!v->imprint_ok)
        return vp_error_set(err, VP_ERR_CHECK, "time-stamp of %s: its message imprint is not of the stamped data",
                            v->gen_time_text);
    if (!v->signature_ok)
        return vp_error_set(err, VP_ERR_CHECK, "time-stamp of %s: the token's signature does not verify",
                            v->gen_time_text);
    if (v->chain_checked && !v->chain_trusted)
        return vp_error_set(err, VP_ERR_CHECK, "time-stamp of %s: TSA '%s' is not trusted by %s for time-stamping: %s",
                            v->gen_time_text, v->tsa_subject, trust_ca_path, v->chain_error);
    return VP_OK;
}

vp_status vp_tsa_verify_response(const unsigned char *resp, size_t resp_len, const void *data, size_t len,
                                 const char *trust_ca_path, vp_tsa_verdict *v, vp_error *err)
{
    unsigned char *tok = NULL;
    memset(v, 0, sizeof *v);
    v->gen_time = -1;
    const unsigned char *p = resp;
    TS_RESP *rsp = resp && resp_len <= LONG_MAX ? d2i_TS_RESP(NULL, &p, (long)resp_len) : NULL;
    if (!rsp || p != resp + resp_len) {
        TS_RESP_free(rsp);
        ERR_clear_error();
        return vp_error_set(err, VP_ERR_INPUT, "time-stamp: not a DER RFC 3161 TimeStampResp");
    }
    long status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(rsp)));
    int n = TS_RESP_get_token(rsp) ? i2d_PKCS7(TS_RESP_get_token(rsp), &tok) : 0;
    TS_RESP_free(rsp);
    vp_status st;
    if ((status != 0 && status != 1) || n <= 0)
        st = vp_error_set(err, VP_ERR_CHECK, "time-stamp: the response was not granted (status %ld)", status);
    else
        st = vp_tsa_verify_token(tok, (size_t)n, data, len, trust_ca_path, v, err);
    OPENSSL_free(tok);
    ERR_clear_error();
    return st;
}
