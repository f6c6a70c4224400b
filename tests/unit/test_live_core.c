/* Live collector arithmetic and encodings: Retry-After, backoff, pacing, retry
 * decisions, URL scrubbing, vault directory names, location names, and the RS256 client assertion
 * (decoded and its signature verified with OpenSSL). */
#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "live/engine.h"
#include "live/internal.h"
#include "vp_test.h"

START_TEST(retry_after_parsing)
{
    long long now = 1790733600LL; /* Wed, 30 Sep 2026 02:00:00 GMT */
    ck_assert_int_eq(vpv_retry_after_ms("1", now), 1000);
    ck_assert_int_eq(vpv_retry_after_ms("0", now), 0);
    ck_assert_int_eq(vpv_retry_after_ms("17", now), 17000);
    ck_assert_int_eq(vpv_retry_after_ms("100000", now), 300000); /* capped */
    ck_assert_int_eq(vpv_retry_after_ms("Wed, 30 Sep 2026 02:00:05 GMT", now), 5000);
    ck_assert_int_eq(vpv_retry_after_ms("Wed, 30 Sep 2026 01:59:00 GMT", now), 0); /* already past */
    ck_assert_int_eq(vpv_retry_after_ms("Thu, 01 Oct 2026 02:00:00 GMT", now), 300000);
    ck_assert_int_eq(vpv_retry_after_ms("", now), -1);
    ck_assert_int_eq(vpv_retry_after_ms(NULL, now), -1);
    ck_assert_int_eq(vpv_retry_after_ms("1.5", now), -1);
    ck_assert_int_eq(vpv_retry_after_ms("soon", now), -1);
    ck_assert_int_eq(vpv_retry_after_ms("Wed, 30 Foo 2026 02:00:05 GMT", now), -1);
}
END_TEST

START_TEST(backoff_grows_with_jitter_and_cap)
{
    unsigned long long rng = 12345;
    for (int round = 0; round < 200; round++) {
        long long d1 = vpv_backoff_ms(1, 250, 30000, &rng);
        long long d3 = vpv_backoff_ms(3, 250, 30000, &rng);
        long long d20 = vpv_backoff_ms(20, 250, 30000, &rng);
        ck_assert(d1 >= 125 && d1 <= 250);
        ck_assert(d3 >= 500 && d3 <= 1000);
        ck_assert(d20 >= 15000 && d20 <= 30000);
    }
    /* jitter: not every draw is the same */
    long long a = vpv_backoff_ms(4, 250, 30000, &rng), differs = 0;
    for (int i = 0; i < 20; i++)
        differs |= vpv_backoff_ms(4, 250, 30000, &rng) != a;
    ck_assert(differs);
}
END_TEST

START_TEST(pacing_slows_down_before_throttling)
{
    ck_assert_int_eq(vpv_pace_ms(-1), 0);
    ck_assert_int_eq(vpv_pace_ms(11999), 0);
    ck_assert(vpv_pace_ms(150) > 0);
    ck_assert(vpv_pace_ms(50) > vpv_pace_ms(150));
    ck_assert(vpv_pace_ms(3) > vpv_pace_ms(50));
}
END_TEST

START_TEST(retry_decisions)
{
    vl_response r;
    memset(&r, 0, sizeof r);
    r.status = 200;
    strcpy(r.content_type, "application/json; charset=utf-8");
    ck_assert_ptr_null(vpv_retry_reason(&r));
    strcpy(r.content_type, "text/html");
    ck_assert_ptr_nonnull(vpv_retry_reason(&r));
    r.status = 429;
    ck_assert_ptr_nonnull(vpv_retry_reason(&r));
    r.status = 503;
    ck_assert_ptr_nonnull(vpv_retry_reason(&r));
    r.status = 404;
    strcpy(r.content_type, "application/json");
    ck_assert_ptr_null(vpv_retry_reason(&r));
    r.status = 403; /* a resource guard the principal may not read: recorded, not retried */
    ck_assert_ptr_null(vpv_retry_reason(&r));
    r.code = CURLE_PARTIAL_FILE;
    ck_assert_ptr_nonnull(vpv_retry_reason(&r));
    r.code = CURLE_PEER_FAILED_VERIFICATION;
    ck_assert_ptr_null(vpv_retry_reason(&r)); /* TLS failures are never retried */
    ck_assert(vpv_tls_failure(CURLE_PEER_FAILED_VERIFICATION));
}
END_TEST

START_TEST(location_names)
{
    char out[32];
    ck_assert(vpv_location_arm("West Europe", out, sizeof out));
    ck_assert_str_eq(out, "westeurope");
    ck_assert(vpv_location_arm("australiacentral2", out, sizeof out));
    ck_assert_str_eq(out, "australiacentral2");
    /* it goes into a URL path and a recording path: nothing else gets through */
    ck_assert(!vpv_location_arm("west/europe", out, sizeof out));
    ck_assert(!vpv_location_arm("..", out, sizeof out));
    ck_assert(!vpv_location_arm("east-us", out, sizeof out));
    ck_assert(!vpv_location_arm("   ", out, sizeof out));
    ck_assert(!vpv_location_arm("", out, sizeof out));
    ck_assert(!vpv_location_arm(NULL, out, sizeof out));
    ck_assert(!vpv_location_arm("averyveryveryverylonglocationname", out, sizeof out)); /* would be cut */
}
END_TEST

START_TEST(url_scrubbing)
{
    char out[512];
    vpv_url_scrub("https://management.azure.com/subscriptions/s/providers/X/vaults?api-version=2024-04-01", out,
                 sizeof out);
    ck_assert_str_eq(out, "https://management.azure.com/subscriptions/s/providers/X/vaults?api-version=2024-04-01");
    vpv_url_scrub("https://h/p?sig=SECRET&api-version=1&$skipToken=abc&code=SECRET2&$top=5", out, sizeof out);
    ck_assert_str_eq(out, "https://h/p?api-version=1&$skipToken=abc&$top=5");
    vpv_url_scrub("https://user:pa55@h:8443/p?client_secret=x", out, sizeof out);
    ck_assert_str_eq(out, "https://h:8443/p");
    vpv_url_scrub("https://h/p?token=abc#frag", out, sizeof out);
    ck_assert_str_eq(out, "https://h/p");
    vpv_url_scrub("https://h/p?%24skipToken=a%3D&x=1", out, sizeof out);
    ck_assert_str_eq(out, "https://h/p?%24skipToken=a%3D");
    vpv_url_scrub("https://h/a-very-long-path", out, 10);
    ck_assert_str_eq(out, "https://h");
}
END_TEST

START_TEST(vault_dirname_rule)
{
    char d[80];
    vpv_vault_dirname("rsv-epic_01.prod", d, sizeof d);
    ck_assert_str_eq(d, "rsv-epic_01.prod");
    vpv_vault_dirname("..", d, sizeof d);
    ck_assert_int_eq(strlen(d), 64);
    vpv_vault_dirname("a/b", d, sizeof d);
    /* sha256("a/b") */
    ck_assert_str_eq(d, "c14cddc033f64b9dea80ea675cf280a015e672516090a5626781153dc68fea11");
}
END_TEST

static void make_cert(EVP_PKEY **key, X509 **cert)
{
    *key = EVP_RSA_gen(2048);
    ck_assert_ptr_nonnull(*key);
    *cert = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(*cert), 7);
    X509_gmtime_adj(X509_getm_notBefore(*cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(*cert), 3600);
    X509_set_pubkey(*cert, *key);
    X509_NAME *name = X509_get_subject_name(*cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"vaultproof test", -1, -1, 0);
    X509_set_issuer_name(*cert, name);
    ck_assert_int_gt(X509_sign(*cert, *key, EVP_sha256()), 0);
}

START_TEST(jwt_client_assertion)
{
    EVP_PKEY *key;
    X509 *cert;
    vp_signer *signer = NULL;
    char *jwt = NULL;
    vp_error err = {0};
    make_cert(&key, &cert);
    /* a principal's PEM holds key and certificate, mode 0600, loaded as auth.c does */
    char pem[] = "/tmp/vp-jwt-XXXXXX";
    int fd = mkstemp(pem);
    ck_assert_int_ge(fd, 0);
    FILE *fp = fdopen(fd, "w");
    ck_assert_ptr_nonnull(fp);
    ck_assert_int_eq(PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL, NULL), 1);
    ck_assert_int_eq(PEM_write_X509(fp, cert), 1);
    fclose(fp);
    ck_assert_msg(vpv_load_certificate(pem, NULL, &signer, &err) == VP_OK, "%s", err.message);
    unlink(pem);
    const char *aud = "https://login.example/tenant-1/oauth2/v2.0/token";
    ck_assert_int_eq(vpv_jwt_assertion(signer, "client-1", aud, 1790733600LL, "jti-1", &jwt, &err), VP_OK);
    char *dot1 = strchr(jwt, '.'), *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    ck_assert_ptr_nonnull(dot2);
    ck_assert_ptr_null(strchr(dot2 + 1, '.'));
    ck_assert_ptr_null(strchr(jwt, '=')); /* no padding */

    size_t hl, cl, sl;
    unsigned char *h = vpv_base64url_decode(jwt, (size_t)(dot1 - jwt), &hl);
    unsigned char *c = vpv_base64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), &cl);
    unsigned char *sig = vpv_base64url_decode(dot2 + 1, strlen(dot2 + 1), &sl);
    cJSON *hdr = cJSON_Parse((char *)h), *claims = cJSON_Parse((char *)c);
    ck_assert_ptr_nonnull(hdr);
    ck_assert_ptr_nonnull(claims);
    ck_assert_str_eq(cJSON_GetObjectItem(hdr, "alg")->valuestring, "RS256");
    ck_assert_str_eq(cJSON_GetObjectItem(hdr, "typ")->valuestring, "JWT");
    unsigned char *der = NULL, digest[32];
    int derlen = i2d_X509(cert, &der);
    EVP_Digest(der, (size_t)derlen, digest, NULL, EVP_sha256(), NULL);
    char *x5t = vpv_base64url(digest, sizeof digest);
    ck_assert_str_eq(cJSON_GetObjectItem(hdr, "x5t#S256")->valuestring, x5t);
    ck_assert_str_eq(cJSON_GetObjectItem(claims, "aud")->valuestring, aud);
    ck_assert_str_eq(cJSON_GetObjectItem(claims, "iss")->valuestring, "client-1");
    ck_assert_str_eq(cJSON_GetObjectItem(claims, "sub")->valuestring, "client-1");
    ck_assert_str_eq(cJSON_GetObjectItem(claims, "jti")->valuestring, "jti-1");
    double exp = cJSON_GetObjectItem(claims, "exp")->valuedouble, nbf = cJSON_GetObjectItem(claims, "nbf")->valuedouble;
    ck_assert(exp > 1790733600.0 && exp <= 1790733600.0 + 3600);
    ck_assert(nbf <= 1790733600.0);

    /* the signature verifies over "header.claims" with the certificate's key */
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    ck_assert_int_eq(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, X509_get0_pubkey(cert)), 1);
    ck_assert_int_eq(EVP_DigestVerify(md, sig, sl, (unsigned char *)jwt, (size_t)(dot2 - jwt)), 1);
    EVP_MD_CTX_free(md);
    /* and not over anything else */
    md = EVP_MD_CTX_new();
    ck_assert_int_eq(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, X509_get0_pubkey(cert)), 1);
    ck_assert_int_ne(EVP_DigestVerify(md, sig, sl, (unsigned char *)jwt, (size_t)(dot2 - jwt) - 1), 1);
    EVP_MD_CTX_free(md);

    OPENSSL_free(der);
    free(x5t);
    cJSON_Delete(hdr);
    cJSON_Delete(claims);
    free(h);
    free(c);
    free(sig);
    free(jwt);
    vp_signer_free(signer);
    X509_free(cert);
    EVP_PKEY_free(key);
}
END_TEST

START_TEST(base64url_lengths)
{
    const unsigned char data[] = {0xfb, 0xff, 0xfe};
    char *a = vpv_base64url(data, 1), *b = vpv_base64url(data, 2), *c = vpv_base64url(data, 3);
    ck_assert_str_eq(a, "-w");
    ck_assert_str_eq(b, "-_8");
    ck_assert_str_eq(c, "-__-");
    size_t n = 0;
    unsigned char *d = vpv_base64url_decode("-__-", 4, &n);
    ck_assert_int_eq(n, 3);
    ck_assert_mem_eq(d, data, 3);
    free(d);
    d = vpv_base64url_decode("-_8=", 4, &n); /* padding tolerated */
    ck_assert_int_eq(n, 2);
    ck_assert_mem_eq(d, data, 2);
    free(d);
    ck_assert_ptr_null(vpv_base64url_decode("a+b/", 4, &n)); /* standard base64 is not base64url */
    free(a);
    free(b);
    free(c);
}
END_TEST

static const char *write_temp(const char *text, char *path, size_t size)
{
    snprintf(path, size, "/tmp/vp-live-unit-XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

START_TEST(token_file)
{
    char path[64], principal[64], *token = NULL;
    long long exp = 0;
    vp_error err = {0};
    /* a JWT whose claims are {"appid":"app-7"}: the principal comes from it */
    char *claims = vpv_base64url((const unsigned char *)"{\"appid\":\"app-7\"}", 17), jwt[256], json[512];
    snprintf(jwt, sizeof jwt, "eyJhbGciOiJub25lIn0.%s.c2ln", claims);
    free(claims);
    snprintf(json, sizeof json, "{\"accessToken\": \"%s\", \"expires_on\": 1790737200, \"tokenType\": \"Bearer\"}", jwt);
    write_temp(json, path, sizeof path);
    ck_assert_int_eq(vpv_token_file_read(path, &token, &exp, principal, sizeof principal, &err), VP_OK);
    ck_assert_str_eq(token, jwt);
    ck_assert_int_eq(exp, 1790737200LL);
    ck_assert_str_eq(principal, "app-7");
    free(token);
    unlink(path);
    /* expiresOn only, in local time; an opaque token names no principal */
    write_temp("{\"accessToken\": \"opaque\", \"expiresOn\": \"2026-09-30 03:00:00.000000\"}", path, sizeof path);
    ck_assert_int_eq(vpv_token_file_read(path, &token, &exp, principal, sizeof principal, &err), VP_OK);
    struct tm tm = {.tm_year = 126, .tm_mon = 8, .tm_mday = 30, .tm_hour = 3, .tm_isdst = -1};
    ck_assert_int_eq(exp, (long long)mktime(&tm));
    ck_assert_str_eq(principal, "");
    free(token);
    unlink(path);
    /* IMDS-style numbers as strings */
    cJSON *v = cJSON_CreateString("3599");
    ck_assert_int_eq(vpv_json_epoch(v), 3599);
    cJSON_Delete(v);
    /* no token: named, exit 3 */
    write_temp("{\"expires_on\": 1}", path, sizeof path);
    ck_assert_int_eq(vpv_token_file_read(path, &token, &exp, principal, sizeof principal, &err), VP_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.message, "/accessToken"));
    ck_assert_ptr_null(token);
    unlink(path);
}
END_TEST

Suite *live_suite(void)
{
    Suite *s = suite_create("live");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, retry_after_parsing);
    tcase_add_test(tc, backoff_grows_with_jitter_and_cap);
    tcase_add_test(tc, pacing_slows_down_before_throttling);
    tcase_add_test(tc, retry_decisions);
    tcase_add_test(tc, url_scrubbing);
    tcase_add_test(tc, location_names);
    tcase_add_test(tc, vault_dirname_rule);
    tcase_add_test(tc, jwt_client_assertion);
    tcase_add_test(tc, base64url_lengths);
    tcase_add_test(tc, token_file);
    suite_add_tcase(s, tc);
    return s;
}
