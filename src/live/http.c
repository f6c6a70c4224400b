/* HTTP transport over libcurl: the options every request shares and a synchronous
 * fetch for token endpoints. The concurrent ARM traffic runs on a curl multi handle
 * in enumerate.c, with easy handles set up here. TLS verification is never turned
 * off: there is deliberately no option for it. */
#include <ctype.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "live/internal.h"

void vpv_headers_free(struct curl_slist *h)
{
    for (struct curl_slist *p = h; p; p = p->next)
        OPENSSL_cleanse(p->data, strlen(p->data)); /* bearer tokens, IDENTITY_HEADER */
    curl_slist_free_all(h);
}

void vpv_response_reset(vl_response *r)
{
    vpv_buf_free(&r->body);
    memset(r, 0, sizeof *r);
    r->ratelimit_remaining = -1;
}

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
    vl_response *r = ctx;
    /* a runaway body (no ARM list page is near this) is cut off as an error */
    if (r->body.len + size * n > ((size_t)256 << 20) || vpv_buf_add(&r->body, p, size * n))
        return 0;
    return size * n;
}

void vpv_copy_trimmed(char *dst, size_t size, const char *v, size_t len)
{
    while (len && isspace((unsigned char)*v))
        v++, len--;
    while (len && isspace((unsigned char)v[len - 1]))
        len--;
    if (len >= size)
        len = size - 1;
    memcpy(dst, v, len);
    dst[len] = '\0';
}

static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
    vl_response *r = ctx;
    size_t len = size * n;
    const char *colon = memchr(p, ':', len);
    if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
        /* a new response (after a redirect or 100-continue): forget earlier headers */
        r->content_type[0] = r->request_id[0] = r->correlation_id[0] = r->date[0] = r->retry_after[0] = '\0';
        return len;
    }
    if (!colon)
        return len;
    size_t klen = (size_t)(colon - p);
    const char *v = colon + 1;
    size_t vlen = len - klen - 1;
#define IS(name) (klen == sizeof(name) - 1 && strncasecmp(p, name, klen) == 0)
    if (IS("content-type"))
        vpv_copy_trimmed(r->content_type, sizeof r->content_type, v, vlen);
    else if (IS("x-ms-request-id"))
        vpv_copy_trimmed(r->request_id, sizeof r->request_id, v, vlen);
    else if (IS("x-ms-correlation-request-id"))
        vpv_copy_trimmed(r->correlation_id, sizeof r->correlation_id, v, vlen);
    else if (IS("date"))
        vpv_copy_trimmed(r->date, sizeof r->date, v, vlen);
    else if (IS("retry-after"))
        vpv_copy_trimmed(r->retry_after, sizeof r->retry_after, v, vlen);
    else if (klen > 26 && strncasecmp(p, "x-ms-ratelimit-remaining-", 25) == 0) {
        /* every remaining-budget header counts: the lowest one is what throttles us */
        char num[32];
        vpv_copy_trimmed(num, sizeof num, v, vlen);
        char *end;
        long long rem = strtoll(num, &end, 10);
        if (end != num && *end == '\0' && rem >= 0 && (r->ratelimit_remaining < 0 || rem < r->ratelimit_remaining))
            r->ratelimit_remaining = rem;
    }
#undef IS
    return len;
}

void vpv_http_setup(CURL *e, const vl_http_config *cfg, const char *url, struct curl_slist *headers,
                   vl_response *resp)
{
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https,http");
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    if (cfg->ca_bundle)
        curl_easy_setopt(e, CURLOPT_CAINFO, cfg->ca_bundle);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, cfg->connect_timeout_s > 0 ? cfg->connect_timeout_s : 20L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, cfg->transfer_timeout_s > 0 ? cfg->transfer_timeout_s : 120L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L); /* a redirect could carry the bearer token elsewhere */
    curl_easy_setopt(e, CURLOPT_USERAGENT, "vaultproof");
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, resp);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, resp);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, resp->error);
    resp->error[0] = '\0';
}

vp_status vpv_http_fetch(const vl_http_config *cfg, const char *url, struct curl_slist *headers, const char *body,
                        vl_response *resp, vp_error *err)
{
    char shown[512];
    CURL *e = curl_easy_init();
    vpv_response_reset(resp);
    if (!e)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory (curl)");
    vpv_http_setup(e, cfg, url, headers, resp);
    if (body) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    resp->code = curl_easy_perform(e);
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &resp->status);
    curl_easy_cleanup(e);
    if (resp->code != CURLE_OK) {
        vpv_url_scrub(url, shown, sizeof shown);
        if (vpv_tls_failure(resp->code))
            return vp_error_set(err, VP_ERR_COLLECT, "%s: TLS verification failed: %s; expected a certificate "
                                "trusted by the system store or by --ca-bundle FILE", shown,
                                resp->error[0] ? resp->error : curl_easy_strerror(resp->code));
        return vp_error_set(err, VP_ERR_COLLECT, "%s: %s%s%s", shown, curl_easy_strerror(resp->code),
                            resp->error[0] ? ": " : "", resp->error);
    }
    return VP_OK;
}
