/*
 * Loading a signer: private key (PEM or PKCS#12), certificate, chain; passphrases.
 *
 * Every check fails loudly and stops: a key that is too open, of an unsupported type
 * or not matching its certificate is never used.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>

#include "sign/internal.h"
#include "vaultproof/fileio.h"

vp_status vps_ossl_reason(vp_error *err)
{
    const char *data = NULL;
    int flags = 0;
    unsigned long e = ERR_peek_error_data(&data, &flags);
    if (err && e) {
        char reason[256];
        ERR_error_string_n(e, reason, sizeof reason);
        /* the message is copied first: it cannot be both source and destination */
        vp_error copy = *err;
        if (ERR_GET_LIB(e) == ERR_LIB_USER && (flags & ERR_TXT_STRING) && data && *data)
            vp_error_set(err, copy.status, "%s (%s)", copy.message, data); /* a remote key's own words */
        else
            vp_error_set(err, copy.status, "%s (OpenSSL: %s)", copy.message, reason);
    }
    ERR_clear_error();
    return err ? err->status : VP_ERR_INTERNAL;
}

/* PEM passphrase callback. Without it OpenSSL would prompt on the terminal for an
 * encrypted key; with no passphrase given we fail instead. */
static int pem_pass_cb(char *buf, int size, int rwflag, void *u)
{
    (void)rwflag;
    const char *pass = u;
    if (!pass)
        return -1;
    size_t n = strlen(pass);
    if (n > (size_t)size)
        return -1;
    memcpy(buf, pass, n);
    return (int)n;
}

static int ends_with_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* The key file must be a regular file only its owner can read or write: a key others
 * can read is no longer only the signer's, so refuse before even opening it. */
static vp_status check_key_mode(const char *path, vp_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return vp_error_set(err, errno == ENOENT ? VP_ERR_INPUT : VP_ERR_IO, "signer key %s: cannot open: %s", path,
                            strerror(errno));
    if (!S_ISREG(st.st_mode))
        return vp_error_set(err, VP_ERR_INPUT, "signer key %s: not a regular file; expected a key file", path);
    if (st.st_mode & 077)
        return vp_error_set(err, VP_ERR_INPUT,
                            "signer key %s: mode %04o lets group or others access it; expected mode 0600 "
                            "(run: chmod 600 %s)",
                            path, (unsigned)(st.st_mode & 07777), path);
    return VP_OK;
}

/* A BIO on path only if it is a regular file: a FIFO must not block the open. */
static BIO *bio_open_regular(const char *path, const char *what, vp_error *err)
{
    int fd = -1;
    if (vp_open_regular(path, &fd, err)) {
        vp_error_prefix(err, "%s", what);
        return NULL;
    }
    BIO *bio = BIO_new_fd(fd, BIO_CLOSE);
    if (!bio) {
        close(fd);
        vp_error_set(err, VP_ERR_NOMEM, "%s %s: out of memory", what, path);
    }
    return bio;
}

static vp_status load_pem_key(const char *path, const char *pass, EVP_PKEY **key, vp_error *err)
{
    BIO *bio = bio_open_regular(path, "signer key", err);
    if (!bio)
        return err->status;
    *key = PEM_read_bio_PrivateKey(bio, NULL, pem_pass_cb, (void *)pass);
    BIO_free(bio);
    if (!*key) {
        if (pass)
            vp_error_set(err, VP_ERR_INPUT,
                         "signer key %s: cannot read the private key; expected a PEM private key and the "
                         "right passphrase",
                         path);
        else
            vp_error_set(err, VP_ERR_INPUT,
                         "signer key %s: cannot read the private key; expected an unencrypted PEM private key "
                         "(an encrypted key needs its passphrase)",
                         path);
        return vps_ossl_reason(err);
    }
    return VP_OK;
}

static vp_status load_p12(const char *path, const char *pass, EVP_PKEY **key, X509 **cert, STACK_OF(X509) **ca,
                          vp_error *err)
{
    BIO *bio = bio_open_regular(path, "signer key", err);
    if (!bio)
        return err->status;
    PKCS12 *p12 = d2i_PKCS12_bio(bio, NULL);
    BIO_free(bio);
    if (!p12) {
        vp_error_set(err, VP_ERR_INPUT, "signer key %s: not a PKCS#12 file", path);
        return vps_ossl_reason(err);
    }
    /* Check the MAC first: it tells a wrong passphrase apart from a damaged file. */
    const char *pw = pass ? pass : "";
    if (PKCS12_mac_present(p12) && !PKCS12_verify_mac(p12, pw, -1)) {
        PKCS12_free(p12);
        ERR_clear_error();
        return vp_error_set(err, VP_ERR_INPUT, "signer key %s: wrong passphrase for the PKCS#12 file%s", path,
                            pass ? "" : " (none was given)");
    }
    int ok = PKCS12_parse(p12, pw, key, cert, ca);
    PKCS12_free(p12);
    if (!ok) {
        vp_error_set(err, VP_ERR_INPUT, "signer key %s: cannot read the PKCS#12 contents", path);
        return vps_ossl_reason(err);
    }
    if (!*key || !*cert)
        return vp_error_set(err, VP_ERR_INPUT, "signer key %s: expected a private key and its certificate in the "
                                               "PKCS#12 file",
                            path);
    return VP_OK;
}

vp_status vps_load_cert(const char *path, X509 **cert, vp_error *err)
{
    BIO *bio = bio_open_regular(path, "signer certificate", err);
    if (!bio)
        return err->status;
    *cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (!*cert) {
        vp_error_set(err, VP_ERR_INPUT, "signer certificate %s: expected a PEM certificate", path);
        return vps_ossl_reason(err);
    }
    return VP_OK;
}

/* Appends every certificate of a PEM file to chain; at least one is expected. */
static vp_status load_chain(const char *path, STACK_OF(X509) *chain, vp_error *err)
{
    BIO *bio = bio_open_regular(path, "certificate chain", err);
    if (!bio)
        return err->status;
    STACK_OF(X509_INFO) *infos = PEM_X509_INFO_read_bio(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (!infos) {
        vp_error_set(err, VP_ERR_INPUT, "certificate chain %s: expected PEM certificates", path);
        return vps_ossl_reason(err);
    }
    vp_status st = VP_OK;
    int added = 0;
    for (int i = 0; i < sk_X509_INFO_num(infos) && !st; i++) {
        X509_INFO *info = sk_X509_INFO_value(infos, i);
        if (!info->x509)
            continue;
        if (!sk_X509_push(chain, info->x509)) {
            st = vp_error_set(err, VP_ERR_NOMEM, "out of memory");
            break;
        }
        info->x509 = NULL; /* now owned by chain */
        added++;
    }
    sk_X509_INFO_pop_free(infos, X509_INFO_free);
    if (!st && added == 0)
        st = vp_error_set(err, VP_ERR_INPUT, "certificate chain %s: no certificate found; expected PEM certificates",
                          path);
    return st;
}

/* RSA >= 2048 bits or ECDSA P-256: what CAdES/PAdES validators accept everywhere. */
static vp_status check_key_type(const char *path, EVP_PKEY *key, int *is_rsa, vp_error *err)
{
    int id = EVP_PKEY_get_base_id(key);
    if (id == EVP_PKEY_RSA) {
        if (EVP_PKEY_get_bits(key) < 2048)
            return vp_error_set(err, VP_ERR_INPUT, "signer key %s: RSA key of %d bits; expected at least 2048", path,
                                EVP_PKEY_get_bits(key));
        *is_rsa = 1;
        return VP_OK;
    }
    if (id == EVP_PKEY_EC) {
        char group[64] = "";
        size_t glen = 0;
        if (!EVP_PKEY_get_group_name(key, group, sizeof group, &glen) || strcmp(group, "prime256v1") != 0) {
            ERR_clear_error();
            return vp_error_set(err, VP_ERR_INPUT, "signer key %s: EC key on curve '%s'; expected P-256 (prime256v1)",
                                path, group[0] ? group : "unknown");
        }
        *is_rsa = 0;
        return VP_OK;
    }
    return vp_error_set(err, VP_ERR_INPUT, "signer key %s: %s key; expected RSA (2048 bits or more) or ECDSA P-256",
                        path, OBJ_nid2sn(id) ? OBJ_nid2sn(id) : "unknown");
}

vp_status vp_signer_load(const char *key_path, const char *cert_path, const char *chain_path,
                         const char *passphrase, vp_signer **out, vp_error *err)
{
    vp_status st;
    STACK_OF(X509) *p12_ca = NULL;
    vp_signer *s;

    *out = NULL;
    if (!key_path)
        return vp_error_set(err, VP_ERR_USAGE, "no signer key given");
    int p12 = ends_with_ci(key_path, ".p12") || ends_with_ci(key_path, ".pfx");
    if (p12 && cert_path)
        return vp_error_set(err, VP_ERR_USAGE,
                            "signer key %s is PKCS#12, which holds the certificate; expected no separate certificate",
                            key_path);
    if (!p12 && !cert_path)
        return vp_error_set(err, VP_ERR_USAGE, "signer key %s: expected a signer certificate (PEM) with it",
                            key_path);
    if ((st = check_key_mode(key_path, err)))
        return st;
    if (!(s = calloc(1, sizeof *s)) || !(s->chain = sk_X509_new_null())) {
        free(s);
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    }
    if (p12)
        st = load_p12(key_path, passphrase, &s->key, &s->cert, &p12_ca, err);
    else if (!(st = load_pem_key(key_path, passphrase, &s->key, err)))
        st = vps_load_cert(cert_path, &s->cert, err);
    if (st)
        goto fail;
    while (p12_ca && sk_X509_num(p12_ca) > 0) {
        X509 *c = sk_X509_shift(p12_ca);
        if (!sk_X509_push(s->chain, c)) {
            X509_free(c);
            st = vp_error_set(err, VP_ERR_NOMEM, "out of memory");
            goto fail;
        }
    }
    if (chain_path && (st = load_chain(chain_path, s->chain, err)))
        goto fail;
    if ((st = check_key_type(key_path, s->key, &s->is_rsa, err)))
        goto fail;
    if (X509_check_private_key(s->cert, s->key) != 1) {
        ERR_clear_error();
        st = vp_error_set(err, VP_ERR_INPUT, "signer key %s does not match the certificate %s; expected the key the "
                                             "certificate was issued for",
                          key_path, cert_path ? cert_path : "in the PKCS#12 file");
        goto fail;
    }
    sk_X509_pop_free(p12_ca, X509_free);
    snprintf(s->kind, sizeof s->kind, "file");
    *out = s;
    return VP_OK;
fail:
    sk_X509_pop_free(p12_ca, X509_free);
    vp_signer_free(s);
    return st;
}

vp_status vps_signer_assemble(EVP_PKEY *key, const char *label, const char *cert_path, const char *chain_path,
                              const char *kind, const char *key_ref, void (*release)(void *ctx), void *ctx,
                              vp_signer **out, vp_error *err)
{
    vp_status st;
    vp_signer *s = calloc(1, sizeof *s);
    *out = NULL;
    if (!s || !(s->chain = sk_X509_new_null())) {
        free(s);
        EVP_PKEY_free(key);
        if (release)
            release(ctx);
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    }
    s->key = key;
    s->release = release;
    s->ctx = ctx;
    snprintf(s->kind, sizeof s->kind, "%s", kind);
    snprintf(s->key_ref, sizeof s->key_ref, "%s", key_ref ? key_ref : "");
    if (!cert_path) {
        st = vp_error_set(err, VP_ERR_USAGE, "signer key %s: expected a signer certificate (PEM) with it", label);
        goto fail;
    }
    if ((st = vps_load_cert(cert_path, &s->cert, err)) || (chain_path && (st = load_chain(chain_path, s->chain, err))) ||
        (st = check_key_type(label, s->key, &s->is_rsa, err)))
        goto fail;
    if (X509_check_private_key(s->cert, s->key) != 1) {
        ERR_clear_error();
        st = vp_error_set(err, VP_ERR_INPUT, "signer key %s does not match the certificate %s; expected the key the "
                                             "certificate was issued for",
                          label, cert_path);
        goto fail;
    }
    *out = s;
    return VP_OK;
fail:
    vp_signer_free(s);
    return st;
}

void vp_signer_free(vp_signer *s)
{
    if (!s)
        return;
    EVP_PKEY_free(s->key);
    X509_free(s->cert);
    sk_X509_pop_free(s->chain, X509_free);
    if (s->release)
        s->release(s->ctx);
    free(s);
}

const char *vp_signer_key_kind(const vp_signer *s)
{
    return s->kind[0] ? s->kind : "file";
}

const char *vp_signer_key_ref(const vp_signer *s)
{
    return s->key_ref;
}

const char *vp_signer_subject(const vp_signer *s, char *buf, size_t size)
{
    if (size == 0)
        return buf;
    buf[0] = '\0';
    BIO *mem = BIO_new(BIO_s_mem());
    if (mem && X509_NAME_print_ex(mem, X509_get_subject_name(s->cert), 0, XN_FLAG_RFC2253) >= 0) {
        int n = BIO_read(mem, buf, (int)(size - 1 > 0x7fffffff ? 0x7fffffff : size - 1));
        buf[n > 0 ? n : 0] = '\0';
    }
    BIO_free(mem);
    ERR_clear_error();
    return buf;
}

#define VP_PASSPHRASE_FILE_MAX 4096

vp_key_type vp_signer_key_type(const vp_signer *s)
{
    return s->is_rsa ? VP_KEY_RSA : VP_KEY_EC_P256;
}

vp_status vp_signer_cert_der(const vp_signer *s, unsigned char **der, size_t *der_len, vp_error *err)
{
    *der = NULL;
    *der_len = 0;
    int n = i2d_X509(s->cert, NULL);
    if (n <= 0) {
        vp_error_set(err, VP_ERR_CRYPTO, "signer certificate: cannot encode it (DER)");
        return vps_ossl_reason(err);
    }
    unsigned char *buf = malloc((size_t)n), *p = buf;
    if (!buf)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    if (i2d_X509(s->cert, &p) != n) {
        free(buf);
        vp_error_set(err, VP_ERR_CRYPTO, "signer certificate: cannot encode it (DER)");
        return vps_ossl_reason(err);
    }
    *der = buf;
    *der_len = (size_t)n;
    return VP_OK;
}

vp_status vp_signer_sign(const vp_signer *s, const void *data, size_t len, unsigned char **sig, size_t *sig_len,
                         vp_error *err)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char *out = NULL;
    size_t n = 0;
    *sig = NULL;
    *sig_len = 0;
    if (!md)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, s->key) != 1 ||
        EVP_DigestSign(md, NULL, &n, data, len) != 1 || !(out = malloc(n)) ||
        EVP_DigestSign(md, out, &n, data, len) != 1) {
        int nomem = n && !out;
        EVP_MD_CTX_free(md);
        free(out);
        if (nomem) {
            ERR_clear_error();
            return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
        }
        vp_error_set(err, VP_ERR_CRYPTO, "signing with the signer key failed");
        return vps_ossl_reason(err);
    }
    EVP_MD_CTX_free(md);
    *sig = out;
    *sig_len = n;
    return VP_OK;
}

vp_status vp_passphrase_from_file(const char *path, char **out, vp_error *err)
{
    char buf[VP_PASSPHRASE_FILE_MAX + 1];
    size_t got = 0;

    *out = NULL;
    int fd = -1;
    if (vp_open_regular(path, &fd, err))
        return vp_error_prefix(err, "passphrase file");
    for (;;) {
        ssize_t n = read(fd, buf + got, sizeof buf - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            OPENSSL_cleanse(buf, sizeof buf);
            return vp_error_set(err, VP_ERR_IO, "passphrase file %s: cannot read: %s", path, strerror(e));
        }
        if (n == 0)
            break;
        got += (size_t)n;
        if (got == sizeof buf)
            break;
    }
    close(fd);
    if (got > VP_PASSPHRASE_FILE_MAX) {
        OPENSSL_cleanse(buf, sizeof buf);
        return vp_error_set(err, VP_ERR_INPUT, "passphrase file %s: larger than %d bytes; expected one line", path,
                            VP_PASSPHRASE_FILE_MAX);
    }
    size_t len = 0;
    while (len < got && buf[len] != '\n' && buf[len] != '\r' && buf[len] != '\0')
        len++;
    vp_status st = VP_OK;
    if (len == 0)
        st = vp_error_set(err, VP_ERR_INPUT, "passphrase file %s: first line is empty; expected the passphrase", path);
    else if (!(*out = malloc(len + 1)))
        st = vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    else {
        memcpy(*out, buf, len);
        (*out)[len] = '\0';
    }
    OPENSSL_cleanse(buf, sizeof buf);
    return st;
}

vp_status vp_passphrase_from_env(const char *name, char **out, vp_error *err)
{
    *out = NULL;
    const char *v = getenv(name);
    if (!v || !*v)
        return vp_error_set(err, VP_ERR_INPUT, "environment variable %s is %s; expected the key passphrase", name,
                            v ? "empty" : "not set");
    if (!(*out = strdup(v)))
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    return VP_OK;
}

void vp_passphrase_free(char *pass)
{
    if (!pass)
        return;
    OPENSSL_cleanse(pass, strlen(pass));
    free(pass);
}
