/* Remote keys (src/sign/remote.c): r||s <-> DER, and a signer whose private operation is
 * a callback - here a local key standing in for Key Vault - signing CMS that the openssl
 * CLI verifies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "sign/internal.h"
#include "vaultproof/cms.h"
#include "vaultproof/keys.h"
#include "vp_test.h"

static const char DATA[] = "manifest.json 0123456789abcdef\n";

static void make_tmp(char dir[256])
{
    const char *base = getenv("TMPDIR");
    snprintf(dir, 256, "%s/vp_remote_XXXXXX", base && *base ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* dir/NAME.key + dir/NAME.pem, self-signed; newkey is "rsa:2048" or "ec -pkeyopt ec_paramgen_curve:P-256". */
static void make_key(const char *dir, const char *name, const char *newkey)
{
    ck_assert_int_eq(vp_test_sh("cd '%s' && openssl req -x509 -newkey %s -nodes -keyout %s.key -out %s.pem -days 2 "
                        "-subj '/CN=remote %s' -addext extendedKeyUsage=emailProtection 2>/dev/null",
                        dir, newkey, name, name, name),
                     0);
}

/* The stand-in for the remote service: signs with a private key it holds. */
typedef struct {
    EVP_PKEY *priv;
    int calls, fail_from; /* fail_from > 0: the call with this number and later ones fail */
    vp_remote_alg last_alg;
} fake_service;

static vp_status fake_sign(void *ctx, vp_remote_alg alg, const unsigned char *digest, size_t digest_len,
                           unsigned char **sig, size_t *sig_len, vp_error *err)
{
    fake_service *f = ctx;
    *sig = NULL;
    f->calls++;
    f->last_alg = alg;
    if (f->fail_from && f->calls >= f->fail_from)
        return vp_error_set(err, VP_ERR_CRYPTO, "Key Vault said: Operation sign is not permitted (fake)");
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(f->priv, NULL);
    size_t n = 0;
    ck_assert_ptr_nonnull(pc);
    ck_assert_int_eq(EVP_PKEY_sign_init(pc), 1);
    ck_assert_int_gt(EVP_PKEY_CTX_set_signature_md(pc, EVP_sha256()), 0);
    if (alg == VP_REMOTE_PS256) {
        ck_assert_int_gt(EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING), 0);
        ck_assert_int_gt(EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, RSA_PSS_SALTLEN_DIGEST), 0);
    }
    ck_assert_int_eq(EVP_PKEY_sign(pc, NULL, &n, digest, digest_len), 1);
    unsigned char *out = malloc(n);
    ck_assert_int_eq(EVP_PKEY_sign(pc, out, &n, digest, digest_len), 1);
    EVP_PKEY_CTX_free(pc);
    if (alg == VP_REMOTE_ES256) { /* Key Vault answers r||s, not DER */
        unsigned char *rs = malloc(64);
        ck_assert_int_eq(vps_ecdsa_der_to_rs(out, n, 32, rs, err), VP_OK);
        free(out);
        out = rs;
        n = 64;
    }
    *sig = out;
    *sig_len = n;
    return VP_OK;
}

static int released;
static void fake_release(void *ctx)
{
    fake_service *f = ctx;
    EVP_PKEY_free(f->priv);
    f->priv = NULL;
    released++;
}

static void load_priv(fake_service *f, const char *dir, const char *name)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s.key", dir, name);
    FILE *fp = fopen(p, "r");
    ck_assert_ptr_nonnull(fp);
    f->priv = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
    fclose(fp);
    ck_assert_ptr_nonnull(f->priv);
}

static vp_status load_remote(fake_service *f, const char *dir, const char *cert, vp_signer **s, vp_error *e)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s.pem", dir, cert);
    return vp_signer_load_remote("test key", p, NULL, fake_sign, f, fake_release, "key-vault",
                                 "https://kv.example/keys/k/v1", s, e);
}

/* Signs DATA with s, checks it with openssl cms against dir/CERT.pem as the trust anchor. */
static void cms_round_trip(const vp_signer *s, const char *dir, const char *cert, unsigned flags)
{
    unsigned char *der = NULL;
    size_t len = 0;
    vp_error e = {0};
    char p[512];
    ck_assert_msg(vp_cms_sign_detached(s, DATA, strlen(DATA), flags ? -1 : 1790000000, flags, &der, &len, &e) ==
                      VP_OK,
                  "%s", e.message);
    snprintf(p, sizeof p, "%s/sig.der", dir);
    FILE *fp = fopen(p, "wb");
    fwrite(der, 1, len, fp);
    fclose(fp);
    snprintf(p, sizeof p, "%s/data", dir);
    fp = fopen(p, "wb");
    fwrite(DATA, 1, strlen(DATA), fp);
    fclose(fp);
    free(der);
    ck_assert_int_eq(vp_test_sh("cd '%s' && openssl cms -verify -binary -inform DER -in sig.der -content data -CAfile %s.pem "
                        "-purpose any -out /dev/null 2>/dev/null",
                        dir, cert),
                     0);
}

START_TEST(ecdsa_rs_der_round_trip)
{
    vp_error e = {0};
    unsigned char rs[64], back[64], *der = NULL;
    size_t len = 0;
    /* r with its top bit set (DER adds a 0x00), s with leading zero bytes (DER drops them) */
    for (int i = 0; i < 32; i++)
        rs[i] = (unsigned char)(0x80 + i), rs[32 + i] = (unsigned char)(i < 3 ? 0 : i);
    ck_assert_int_eq(vps_ecdsa_rs_to_der(rs, 64, &der, &len, &e), VP_OK);
    ck_assert_uint_eq(der[0], 0x30);
    ck_assert_uint_eq(der[2], 0x02);
    ck_assert_uint_eq(der[3], 33); /* r: 32 bytes + the sign byte */
    ck_assert_uint_eq(der[4], 0x00);
    ck_assert_uint_eq(der[4 + 33 + 1], 29); /* s: three leading zero bytes dropped */
    ck_assert_int_eq(vps_ecdsa_der_to_rs(der, len, 32, back, &e), VP_OK);
    ck_assert_mem_eq(back, rs, 64);

    /* trailing garbage, truncation, an odd r||s, r wider than the curve */
    unsigned char *bad = malloc(len + 1);
    memcpy(bad, der, len);
    bad[len] = 0;
    ck_assert_int_eq(vps_ecdsa_der_to_rs(bad, len + 1, 32, back, &e), VP_ERR_CRYPTO);
    ck_assert_int_eq(vps_ecdsa_der_to_rs(bad, len - 1, 32, back, &e), VP_ERR_CRYPTO);
    ck_assert_int_eq(vps_ecdsa_der_to_rs(der, len, 16, back, &e), VP_ERR_CRYPTO);
    unsigned char *d2 = NULL;
    ck_assert_int_eq(vps_ecdsa_rs_to_der(rs, 63, &d2, &len, &e), VP_ERR_CRYPTO);
    ck_assert_ptr_null(d2);
    ck_assert_int_eq(vps_ecdsa_rs_to_der(rs, 0, &d2, &len, &e), VP_ERR_CRYPTO);
    free(bad);
    free(der);
}
END_TEST

START_TEST(remote_rsa_and_ec_sign_cms)
{
    char dir[256];
    make_tmp(dir);
    make_key(dir, "rsa", "rsa:2048");
    make_key(dir, "ec", "ec -pkeyopt ec_paramgen_curve:P-256");
    const char *names[] = {"rsa", "ec"};
    for (int i = 0; i < 2; i++) {
        fake_service f = {0};
        vp_signer *s = NULL;
        vp_error e = {0};
        released = 0;
        load_priv(&f, dir, names[i]);
        ck_assert_msg(load_remote(&f, dir, names[i], &s, &e) == VP_OK, "%s", e.message);
        ck_assert_int_eq(f.calls, 1); /* the test signature */
        ck_assert_int_eq(f.last_alg, i == 0 ? VP_REMOTE_RS256 : VP_REMOTE_ES256);
        ck_assert_str_eq(vp_signer_key_kind(s), "key-vault");
        ck_assert_str_eq(vp_signer_key_ref(s), "https://kv.example/keys/k/v1");
        cms_round_trip(s, dir, names[i], 0);           /* CAdES with a signing time */
        cms_round_trip(s, dir, names[i], VP_CMS_PADES); /* re-signed without it */
        ck_assert_int_ge(f.calls, 4);
        /* a plain signature (a JWT assertion) verifies with the certificate's key */
        unsigned char *sig = NULL;
        size_t n = 0;
        ck_assert_int_eq(vp_signer_sign(s, DATA, strlen(DATA), &sig, &n, &e), VP_OK);
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        ck_assert_int_eq(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, f.priv), 1);
        ck_assert_int_eq(EVP_DigestVerify(md, sig, n, (const unsigned char *)DATA, strlen(DATA)), 1);
        EVP_MD_CTX_free(md);
        free(sig);
        /* RSA-PSS is refused for a remote key: its encoding precedes the private operation */
        if (i == 0) {
            unsigned char *der = NULL;
            size_t len = 0;
            ck_assert_int_eq(vp_cms_sign_detached(s, DATA, strlen(DATA), -1, VP_CMS_RSA_PSS, &der, &len, &e),
                             VP_ERR_USAGE);
            ck_assert_ptr_nonnull(strstr(e.message, "https://kv.example/keys/k/v1"));
        }
        /* the service failing mid-run: its words reach the caller */
        f.fail_from = f.calls + 1;
        unsigned char *der = NULL;
        size_t len = 0;
        ck_assert_int_eq(vp_cms_sign_detached(s, DATA, strlen(DATA), 1790000000, 0, &der, &len, &e), VP_ERR_CRYPTO);
        ck_assert_msg(strstr(e.message, "Operation sign is not permitted (fake)") != NULL, "%s", e.message);
        ck_assert_int_eq(released, 0);
        vp_signer_free(s);
        ck_assert_int_eq(released, 1);
    }
    vp_test_sh("rm -rf '%s'", dir);
}
END_TEST

START_TEST(remote_refuses_wrong_certificate_and_failing_service)
{
    char dir[256];
    make_tmp(dir);
    make_key(dir, "ec", "ec -pkeyopt ec_paramgen_curve:P-256");
    make_key(dir, "other", "ec -pkeyopt ec_paramgen_curve:P-256");
    make_key(dir, "small", "rsa:1024");
    fake_service f = {0};
    vp_signer *s = NULL;
    vp_error e = {0};

    /* a certificate issued for another key: the test signature does not verify */
    released = 0;
    load_priv(&f, dir, "ec");
    ck_assert_int_eq(load_remote(&f, dir, "other", &s, &e), VP_ERR_CRYPTO);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(released, 1);
    ck_assert_msg(strstr(e.message, "https://kv.example/keys/k/v1") && strstr(e.message, "CN=remote other"), "%s",
                  e.message);

    /* the service refuses: its message, not OpenSSL's summary */
    fake_service g = {.fail_from = 1};
    load_priv(&g, dir, "ec");
    ck_assert_int_eq(load_remote(&g, dir, "ec", &s, &e), VP_ERR_CRYPTO);
    ck_assert_msg(strstr(e.message, "Operation sign is not permitted (fake)") != NULL, "%s", e.message);
    ck_assert_int_eq(released, 2);

    /* key checks as for a file: RSA below 2048 bits */
    fake_service h = {0};
    load_priv(&h, dir, "small");
    ck_assert_int_eq(load_remote(&h, dir, "small", &s, &e), VP_ERR_INPUT);
    ck_assert_int_eq(h.calls, 0);
    ck_assert_int_eq(released, 3);

    /* no certificate */
    fake_service k = {0};
    ck_assert_int_eq(vp_signer_load_remote("test key", NULL, NULL, fake_sign, &k, fake_release, "key-vault", "x", &s,
                                           &e),
                     VP_ERR_USAGE);
    ck_assert_int_eq(released, 4);
    vp_test_sh("rm -rf '%s'", dir);
}
END_TEST

Suite *remote_suite(void)
{
    Suite *s = suite_create("remote");
    TCase *tc = tcase_create("remote");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, ecdsa_rs_der_round_trip);
    tcase_add_test(tc, remote_rsa_and_ec_sign_cms);
    tcase_add_test(tc, remote_refuses_wrong_certificate_and_failing_service);
    suite_add_tcase(s, tc);
    return s;
}
