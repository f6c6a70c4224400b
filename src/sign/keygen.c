/*
 * Demo keys: a throwaway CA and a signer certificate it issued, for trying vaultproof
 * out and for tests. Clearly labelled NOT FOR PRODUCTION. The CA key lives only in
 * memory: nothing else can ever be issued under this CA.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "sign/internal.h"
#include "vaultproof/fileio.h"
#include "vaultproof/keygen.h"

#define CA_DAYS 3650L
#define SIGNER_DAYS 730L

static vp_status fail(vp_error *err, const char *what)
{
    vp_error_set(err, VP_ERR_CRYPTO, "keygen: %s failed", what);
    return vps_ossl_reason(err);
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    int ok = ext && X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok;
}

/* A certificate for key, signed by issuer_key (issuer NULL: self-signed). A random
 * 127-bit positive serial, as CA/B rules ask, so two demo runs never collide. */
static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key, long long now,
                       long days, int is_ca)
{
    unsigned char rnd[16];
    X509 *cert = X509_new();
    X509_NAME *name = X509_NAME_new();
    BIGNUM *bn = NULL;
    int ok = cert && name && RAND_bytes(rnd, sizeof rnd) == 1;
    if (ok) {
        rnd[0] &= 0x7f;
        rnd[0] |= 0x40; /* positive and never shortened */
        ok = (bn = BN_bin2bn(rnd, sizeof rnd, NULL)) && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) &&
             X509_set_version(cert, X509_VERSION_3) &&
             X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0) &&
             X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)"vaultproof demo", -1, -1,
                                        0) &&
             X509_set_subject_name(cert, name) &&
             X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name) &&
             X509_time_adj_ex(X509_getm_notBefore(cert), 0, 0, &(time_t){(time_t)now}) &&
             X509_time_adj_ex(X509_getm_notAfter(cert), (int)days, 0, &(time_t){(time_t)now}) &&
             X509_set_pubkey(cert, key);
    }
    X509 *iss = issuer ? issuer : cert;
    if (ok && is_ca)
        ok = add_ext(cert, iss, NID_basic_constraints, "critical,CA:TRUE") &&
             add_ext(cert, iss, NID_key_usage, "critical,keyCertSign,cRLSign") &&
             add_ext(cert, iss, NID_subject_key_identifier, "hash");
    if (ok && !is_ca)
        /* emailProtection makes `openssl cms -verify` accept the leaf without
         * -purpose any (its default purpose is S/MIME signing); 1.3.6.1.5.5.7.3.36 is
         * id-kp-documentSigning (RFC 9336), which says what the key is for. */
        ok = add_ext(cert, iss, NID_basic_constraints, "critical,CA:FALSE") &&
             add_ext(cert, iss, NID_key_usage, "critical,digitalSignature,nonRepudiation") &&
             add_ext(cert, iss, NID_ext_key_usage, "emailProtection,1.3.6.1.5.5.7.3.36") &&
             add_ext(cert, iss, NID_subject_key_identifier, "hash") &&
             add_ext(cert, iss, NID_authority_key_identifier, "keyid:always");
    if (ok)
        ok = X509_sign(cert, issuer_key, EVP_sha256()) > 0;
    OPENSSL_cleanse(rnd, sizeof rnd);
    BN_free(bn);
    X509_NAME_free(name);
    if (!ok) {
        X509_free(cert);
        return NULL;
    }
    return cert;
}

static vp_status write_cert(const char *path, X509 *cert, vp_error *err)
{
    vp_output *o;
    vp_status st = vp_output_open(path, &o, err);
    if (st)
        return st;
    if (!PEM_write_X509(vp_output_stream(o), cert)) {
        vp_output_abort(o);
        vp_error_set(err, VP_ERR_IO, "keygen: %s: cannot write the certificate", path);
        return vps_ossl_reason(err);
    }
    return vp_output_commit(o, err);
}

/* Writes the key into fd (created 0600 with O_EXCL by the caller) and closes it. */
static vp_status write_key(int fd, const char *path, EVP_PKEY *key, vp_error *err)
{
    FILE *fp = fdopen(fd, "wb");
    if (!fp) {
        close(fd);
        return vp_error_set(err, VP_ERR_IO, "keygen: %s: %s", path, strerror(errno));
    }
    int ok = PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL, NULL) == 1 && fflush(fp) == 0 &&
             fsync(fileno(fp)) == 0;
    int e = errno;
    if (fclose(fp) != 0 && ok) {
        ok = 0;
        e = errno;
    }
    if (!ok) {
        vp_error_set(err, VP_ERR_IO, "keygen: %s: cannot write the key: %s", path, strerror(e));
        return vps_ossl_reason(err);
    }
    return VP_OK;
}

vp_status vp_keygen(const char *out_dir, long long now, vp_error *err)
{
    char ca_path[4096], cert_path[4096], key_path[4096];
    EVP_PKEY *ca_key = NULL, *key = NULL;
    X509 *ca = NULL, *cert = NULL;
    int fd = -1, wrote_ca = 0, wrote_cert = 0;
    vp_status st = VP_OK;

    ERR_clear_error();
    if (now < 0)
        return vp_error_set(err, VP_ERR_USAGE, "keygen: time %lld; expected seconds since 1970", now);
    if ((size_t)snprintf(ca_path, sizeof ca_path, "%s/ca.pem", out_dir) >= sizeof ca_path ||
        (size_t)snprintf(cert_path, sizeof cert_path, "%s/signer.pem", out_dir) >= sizeof cert_path ||
        (size_t)snprintf(key_path, sizeof key_path, "%s/signer.key", out_dir) >= sizeof key_path)
        return vp_error_set(err, VP_ERR_USAGE, "keygen: directory name too long");

    /* The key file first, exclusively: an existing key is never replaced, and nothing
     * else is written if it exists. 0600 from the start, whatever the umask. */
    fd = open(key_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return vp_error_set(err, VP_ERR_IO,
                                "keygen: %s already exists; refusing to overwrite a key (move it away first)",
                                key_path);
        return vp_error_set(err, VP_ERR_IO, "keygen: %s: cannot create: %s", key_path, strerror(errno));
    }
    if (fchmod(fd, 0600) != 0) {
        st = vp_error_set(err, VP_ERR_IO, "keygen: %s: cannot set mode 0600: %s", key_path, strerror(errno));
        goto fail;
    }
    if (!(ca_key = EVP_EC_gen("P-256")) || !(key = EVP_EC_gen("P-256"))) {
        st = fail(err, "generating P-256 keys");
        goto fail;
    }
    if (!(ca = make_cert(ca_key, "vaultproof demo CA (NOT FOR PRODUCTION)", NULL, ca_key, now, CA_DAYS, 1)) ||
        !(cert = make_cert(key, "vaultproof demo signer (NOT FOR PRODUCTION)", ca, ca_key, now, SIGNER_DAYS, 0))) {
        st = fail(err, "making the certificates");
        goto fail;
    }
    if ((st = write_cert(ca_path, ca, err)))
        goto fail;
    wrote_ca = 1;
    if ((st = write_cert(cert_path, cert, err)))
        goto fail;
    wrote_cert = 1;
    st = write_key(fd, key_path, key, err);
    fd = -1;
    if (st)
        goto fail;
    goto done;
fail:
    if (fd >= 0)
        close(fd);
    unlink(key_path); /* ours: O_EXCL created it */
    if (wrote_ca)
        unlink(ca_path);
    if (wrote_cert)
        unlink(cert_path);
done:
    X509_free(ca);
    X509_free(cert);
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(key);
    ERR_clear_error();
    return st;
}
