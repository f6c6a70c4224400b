/*
 * A signer whose private key is held by a remote service (Azure Key Vault, Managed HSM)
 * that signs a SHA-256 digest on request.
 *
 * The EVP_PKEY handed to the rest of the sign module carries the certificate's public
 * key and a key method whose private operation calls the caller's sign function: an
 * RSA_METHOD with rsa_sign set (OpenSSL's PKCS#1 v1.5 path, RSA_sign, hands it exactly
 * the digest and its NID) and an EC_KEY_METHOD with sign/sign_sig set. OpenSSL 3.0 keeps
 * keys with a non-default method on its legacy code path ("foreign" keys: p_lib.c
 * detect_foreign_key), so CMS_sign/CMS_final, EVP_DigestSign and thus every signing path
 * of vaultproof (manifest CMS, SHA256SUMS CMS, PAdES, ledger lines, JWT assertions) use
 * the remote key unchanged.
 *
 * RSA_METHOD and EC_KEY_METHOD are deprecated in OpenSSL 3.0, and the replacement (a
 * provider) would be a whole provider with its own key management for one operation;
 * the 3.0 API still supports them, so the deprecation warnings are silenced in this file
 * alone.
 *
 * No global state: each signer has its own methods, and its sign function and context
 * travel in the key's ex_data slot 0 (the "app data" slot every OpenSSL class reserves,
 * so no process-wide index has to be allocated). The methods are freed with the signer,
 * after the key (vps_signer_assemble's release hook).
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "sign/internal.h"

#define P256_COORD 32 /* bytes of r and of s in an ES256 signature */

typedef struct {
    vp_remote_sign_fn fn;
    void *ctx;
    void (*release)(void *ctx);
    RSA_METHOD *rsa_meth;
    EC_KEY_METHOD *ec_meth;
    char key_ref[512];
    /* what the last remote call said when it failed: OpenSSL's callbacks can only
     * return 0, so the message is kept here and put on OpenSSL's error queue too */
    vp_error last;
} remote_key;

static void remote_release(void *p)
{
    remote_key *r = p;
    if (!r)
        return;
    if (r->rsa_meth)
        RSA_meth_free(r->rsa_meth);
    if (r->ec_meth) /* 3.0's EC_KEY_METHOD_free does not take NULL */
        EC_KEY_METHOD_free(r->ec_meth);
    if (r->release)
        r->release(r->ctx);
    free(r);
}

/* Calls the remote signer; on failure records its message where OpenSSL's caller will
 * find it (vps_ossl_reason prints the data of the first queued error). */
static int remote_call(remote_key *r, vp_remote_alg alg, const unsigned char *digest, size_t dlen,
                       unsigned char **sig, size_t *sig_len)
{
    vp_error e = {0};
    if (r->fn(r->ctx, alg, digest, dlen, sig, sig_len, &e) == VP_OK && *sig)
        return 1;
    free(*sig);
    *sig = NULL;
    if (!e.status)
        vp_error_set(&e, VP_ERR_CRYPTO, "remote key %s: no signature returned", r->key_ref);
    r->last = e;
    ERR_raise_data(ERR_LIB_USER, ERR_R_OPERATION_FAIL, "%s", e.message);
    return 0;
}

/* Records why the private operation refuses ("remote key <ref>: why") and returns 0. */
static int fail_with(remote_key *r, const char *why)
{
    vp_error_set(&r->last, VP_ERR_CRYPTO, "remote key %s: %s", r->key_ref, why);
    ERR_raise_data(ERR_LIB_USER, ERR_R_OPERATION_FAIL, "%s", r->last.message);
    return 0;
}

/* ---- RSA: RSA_sign hands us the digest and its NID ---------------------------------- */

static int rsa_remote_sign(int type, const unsigned char *m, unsigned int m_length, unsigned char *sigret,
                           unsigned int *siglen, const RSA *rsa)
{
    remote_key *r = RSA_get_app_data(rsa);
    unsigned char *sig = NULL;
    size_t n = 0;
    if (!r)
        return 0;
    /* Key Vault signs RS256 digests only; anything else would be signed as the wrong
     * algorithm, so refuse rather than let the verifier find out */
    if (type != NID_sha256 || m_length != 32)
        return fail_with(r, "asked to sign a digest other than SHA-256; expected SHA-256 (RS256)");
    if (!remote_call(r, VP_REMOTE_RS256, m, m_length, &sig, &n))
        return 0;
    if (n != (size_t)RSA_size(rsa)) {
        free(sig);
        return fail_with(r, "the RSA signature returned is not as long as the modulus; expected RS256 over this key");
    }
    memcpy(sigret, sig, n);
    *siglen = (unsigned)n;
    free(sig);
    return 1;
}

/* The raw private operations: a remote key has none (Key Vault signs digests, it does
 * not exponentiate), so RSA-PSS or raw RSA requests end here with a clear reason. */
static int rsa_remote_priv(int flen, const unsigned char *from, unsigned char *to, RSA *rsa, int padding)
{
    (void)flen, (void)from, (void)to, (void)padding;
    remote_key *r = RSA_get_app_data(rsa);
    if (r)
        fail_with(r, "a raw RSA private operation (RSA-PSS or decryption) was asked for; a remote key signs "
                     "PKCS#1 v1.5 SHA-256 digests only");
    return -1;
}

/* ---- ECDSA: r||s from the service, ECDSA_SIG / DER for OpenSSL ---------------------- */

vp_status vps_ecdsa_rs_to_der(const unsigned char *rs, size_t rs_len, unsigned char **der, size_t *der_len,
                              vp_error *err)
{
    *der = NULL;
    *der_len = 0;
    if (rs_len == 0 || rs_len % 2 || rs_len > 132)
        return vp_error_set(err, VP_ERR_CRYPTO, "ECDSA signature of %zu bytes; expected r||s of two equal halves",
                            rs_len);
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *br = BN_bin2bn(rs, (int)(rs_len / 2), NULL), *bs = BN_bin2bn(rs + rs_len / 2, (int)(rs_len / 2), NULL);
    unsigned char *buf = NULL;
    int n = -1;
    if (sig && br && bs && ECDSA_SIG_set0(sig, br, bs)) {
        br = bs = NULL; /* owned by sig now */
        n = i2d_ECDSA_SIG(sig, &buf);
    }
    BN_free(br);
    BN_free(bs);
    ECDSA_SIG_free(sig);
    if (n <= 0) {
        ERR_clear_error();
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory (ECDSA signature)");
    }
    if (!(*der = malloc((size_t)n))) {
        OPENSSL_free(buf);
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    }
    memcpy(*der, buf, (size_t)n);
    *der_len = (size_t)n;
    OPENSSL_free(buf);
    return VP_OK;
}

vp_status vps_ecdsa_der_to_rs(const unsigned char *der, size_t der_len, size_t coord, unsigned char *rs,
                              vp_error *err)
{
    const unsigned char *p = der;
    ECDSA_SIG *sig = der_len <= 0x7fffffff ? d2i_ECDSA_SIG(NULL, &p, (long)der_len) : NULL;
    vp_status st = VP_OK;
    if (!sig || p != der + der_len)
        st = vp_error_set(err, VP_ERR_CRYPTO, "ECDSA signature: expected a DER Ecdsa-Sig-Value");
    else if (BN_bn2binpad(ECDSA_SIG_get0_r(sig), rs, (int)coord) < 0 ||
             BN_bn2binpad(ECDSA_SIG_get0_s(sig), rs + coord, (int)coord) < 0)
        st = vp_error_set(err, VP_ERR_CRYPTO, "ECDSA signature: r or s is longer than %zu bytes", coord);
    ECDSA_SIG_free(sig);
    ERR_clear_error();
    return st;
}

static ECDSA_SIG *ec_remote_sign_sig(const unsigned char *dgst, int dgst_len, const BIGNUM *in_kinv,
                                     const BIGNUM *in_r, EC_KEY *eckey)
{
    (void)in_kinv, (void)in_r; /* the service picks its own nonce */
    remote_key *r = EC_KEY_get_ex_data(eckey, 0);
    unsigned char *sig = NULL;
    size_t n = 0;
    if (!r)
        return NULL;
    if (dgst_len != 32) {
        fail_with(r, "asked to sign a digest that is not 32 bytes; expected SHA-256 (ES256)");
        return NULL;
    }
    if (!remote_call(r, VP_REMOTE_ES256, dgst, (size_t)dgst_len, &sig, &n))
        return NULL;
    ECDSA_SIG *out = NULL;
    if (n == 2 * P256_COORD && (out = ECDSA_SIG_new())) {
        BIGNUM *br = BN_bin2bn(sig, P256_COORD, NULL), *bs = BN_bin2bn(sig + P256_COORD, P256_COORD, NULL);
        if (!br || !bs || !ECDSA_SIG_set0(out, br, bs)) {
            BN_free(br);
            BN_free(bs);
            ECDSA_SIG_free(out);
            out = NULL;
        }
    } else if (n != 2 * P256_COORD) {
        fail_with(r, "the ES256 signature returned is not 64 bytes; expected r||s");
    }
    free(sig);
    return out;
}

static int ec_remote_sign(int type, const unsigned char *dgst, int dlen, unsigned char *sig, unsigned int *siglen,
                          const BIGNUM *kinv, const BIGNUM *rr, EC_KEY *eckey)
{
    (void)type;
    ECDSA_SIG *s = ec_remote_sign_sig(dgst, dlen, kinv, rr, eckey);
    if (!s)
        return 0;
    unsigned char *p = sig;
    int n = i2d_ECDSA_SIG(s, &p); /* sig has ECDSA_size() bytes: the caller checked */
    ECDSA_SIG_free(s);
    if (n <= 0)
        return 0;
    *siglen = (unsigned)n;
    return 1;
}

int vps_signer_pkcs1_only(const vp_signer *s)
{
    const RSA *rsa = s->is_rsa ? EVP_PKEY_get0_RSA(s->key) : NULL;
    ERR_clear_error();
    return rsa && RSA_meth_get_sign(RSA_get_method(rsa)) == rsa_remote_sign;
}

/* ---- the key ------------------------------------------------------------------------- */

/* An EVP_PKEY with pub's public key whose private operation is r's sign function. */
static EVP_PKEY *remote_pkey(EVP_PKEY *pub, remote_key *r, vp_error *err)
{
    EVP_PKEY *key = EVP_PKEY_new();
    if (!key) {
        vp_error_set(err, VP_ERR_NOMEM, "out of memory");
        return NULL;
    }
    int id = EVP_PKEY_get_base_id(pub);
    if (id == EVP_PKEY_RSA) {
        const RSA *src = EVP_PKEY_get0_RSA(pub);
        RSA *rsa = src ? RSAPublicKey_dup(src) : NULL;
        if (!(r->rsa_meth = RSA_meth_dup(RSA_PKCS1_OpenSSL())) || !rsa ||
            !RSA_meth_set1_name(r->rsa_meth, "vaultproof remote key") ||
            !RSA_meth_set_sign(r->rsa_meth, rsa_remote_sign) ||
            !RSA_meth_set_priv_enc(r->rsa_meth, rsa_remote_priv) ||
            !RSA_meth_set_priv_dec(r->rsa_meth, rsa_remote_priv) || !RSA_set_method(rsa, r->rsa_meth) ||
            !RSA_set_app_data(rsa, r) || !EVP_PKEY_assign_RSA(key, rsa)) {
            RSA_free(rsa);
            goto fail;
        }
        return key;
    }
    if (id == EVP_PKEY_EC) {
        const EC_KEY *src = EVP_PKEY_get0_EC_KEY(pub);
        EC_KEY *ec = src ? EC_KEY_dup(src) : NULL;
        int (*sign_setup)(EC_KEY *, BN_CTX *, BIGNUM **, BIGNUM **) = NULL;
        EC_KEY_METHOD_get_sign(EC_KEY_OpenSSL(), NULL, &sign_setup, NULL);
        if (!(r->ec_meth = EC_KEY_METHOD_new(EC_KEY_OpenSSL())) || !ec) {
            EC_KEY_free(ec);
            goto fail;
        }
        EC_KEY_METHOD_set_sign(r->ec_meth, ec_remote_sign, sign_setup, ec_remote_sign_sig);
        if (!EC_KEY_set_method(ec, r->ec_meth) || !EC_KEY_set_ex_data(ec, 0, r) || !EVP_PKEY_assign_EC_KEY(key, ec)) {
            EC_KEY_free(ec);
            goto fail;
        }
        return key;
    }
    EVP_PKEY_free(key);
    vp_error_set(err, VP_ERR_INPUT, "remote key %s: the certificate holds a %s key; expected RSA or ECDSA P-256",
                 r->key_ref, OBJ_nid2sn(id) ? OBJ_nid2sn(id) : "unknown");
    return NULL;
fail:
    EVP_PKEY_free(key);
    vp_error_set(err, VP_ERR_CRYPTO, "remote key %s: cannot make the OpenSSL key", r->key_ref);
    vps_ossl_reason(err);
    return NULL;
}

/* Signs 32 random bytes through the whole OpenSSL path (EVP_DigestSign -> the remote
 * service) and verifies the signature with the certificate's public key: a certificate
 * issued for another key is refused before anything is signed with it. */
static vp_status self_check(const vp_signer *s, remote_key *r, const char *cert_path, vp_error *err)
{
    unsigned char probe[32], *sig = NULL;
    size_t sig_len = 0;
    vp_status st;
    if (RAND_bytes(probe, sizeof probe) != 1) {
        vp_error_set(err, VP_ERR_CRYPTO, "remote key %s: no random bytes for the test signature", r->key_ref);
        return vps_ossl_reason(err);
    }
    vp_error_clear(&r->last);
    if ((st = vp_signer_sign(s, probe, sizeof probe, &sig, &sig_len, err))) {
        ERR_clear_error();
        if (r->last.status) /* the service's own words, not OpenSSL's summary */
            *err = r->last;
        return vp_error_prefix(err, "test signature with the remote key");
    }
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, X509_get0_pubkey(s->cert)) == 1 &&
             EVP_DigestVerify(md, sig, sig_len, probe, sizeof probe) == 1;
    EVP_MD_CTX_free(md);
    free(sig);
    ERR_clear_error();
    if (!ok) {
        char subject[512];
        return vp_error_set(err, VP_ERR_CRYPTO,
                            "remote key %s does not match the certificate %s (subject %s): a test signature by the "
                            "key does not verify with the certificate's public key; expected the certificate issued "
                            "for this key",
                            r->key_ref, cert_path, vp_signer_subject(s, subject, sizeof subject));
    }
    return VP_OK;
}

vp_status vp_signer_load_remote(const char *label, const char *cert_path, const char *chain_path,
                                vp_remote_sign_fn fn, void *ctx, void (*release)(void *ctx), const char *kind,
                                const char *key_ref, vp_signer **out, vp_error *err)
{
    X509 *cert = NULL;
    EVP_PKEY *key = NULL;
    vp_status st;
    *out = NULL;
    remote_key *r = calloc(1, sizeof *r);
    if (!r) {
        if (release)
            release(ctx);
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    }
    r->fn = fn;
    r->ctx = ctx;
    r->release = release;
    snprintf(r->key_ref, sizeof r->key_ref, "%s", key_ref && *key_ref ? key_ref : label);
    if (!cert_path) {
        remote_release(r);
        return vp_error_set(err, VP_ERR_USAGE, "signer key %s: expected a signer certificate (PEM) with it", label);
    }
    if ((st = vps_load_cert(cert_path, &cert, err))) {
        remote_release(r);
        return st;
    }
    key = remote_pkey(X509_get0_pubkey(cert), r, err);
    X509_free(cert);
    if (!key) {
        remote_release(r);
        return err->status;
    }
    /* from here the signer owns key and r (freed with it, r after the key) */
    vp_signer *s = NULL;
    if ((st = vps_signer_assemble(key, label, cert_path, chain_path, kind, key_ref, remote_release, r, &s, err)))
        return st;
    if ((st = self_check(s, r, cert_path, err))) {
        vp_signer_free(s);
        return st;
    }
    *out = s;
    return VP_OK;
}
