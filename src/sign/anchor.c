/* The trust anchor an auditor is told to trust: which CA, and that it issued the signer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "sign/internal.h"
#include "vaultproof/fileio.h"

static void name_text(const X509_NAME *n, char *buf, size_t size)
{
    BIO *mem = BIO_new(BIO_s_mem());
    buf[0] = '\0';
    if (mem && X509_NAME_print_ex(mem, n, 0, XN_FLAG_RFC2253) >= 0) {
        int got = BIO_read(mem, buf, (int)(size - 1));
        buf[got > 0 ? got : 0] = '\0';
    }
    BIO_free(mem);
}

/* "AB:CD:...", the form `openssl x509 -noout -fingerprint -sha256` prints after "=". */
static int fingerprint(X509 *cert, char out[VP_FINGERPRINT_MAX])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (!X509_digest(cert, EVP_sha256(), md, &n) || n != 32)
        return -1;
    for (unsigned int i = 0; i < n; i++)
        snprintf(out + 3 * i, 4, "%02X%s", md[i], i + 1 < n ? ":" : "");
    return 0;
}

static int self_signed(X509 *c)
{
    return X509_check_issued(c, c) == X509_V_OK;
}

/* The first certificate of a PEM file. */
static vp_status read_ca(const char *path, X509 **out, vp_error *err)
{
    char *data = NULL;
    size_t len = 0;
    vp_status st = vp_read_file(path, &data, &len, err);
    if (st)
        return st;
    BIO *b = BIO_new_mem_buf(data, (int)len);
    *out = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    free(data);
    if (!*out) {
        ERR_clear_error();
        return vp_error_set(err, VP_ERR_INPUT, "%s: expected a PEM certificate (the CA the auditor should trust)", path);
    }
    return VP_OK;
}

/* Whether ca issued cert, possibly through the signer's chain. Times are not checked:
 * this is about who issued whom; validity at signing time is verify's concern. */
static int issued_by(const vp_signer *s, X509 *ca, char *why, size_t size)
{
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    int ok = 0;
    if (store && ctx && X509_STORE_add_cert(store, ca) && X509_STORE_CTX_init(ctx, store, s->cert, s->chain)) {
        /* an intermediate CA given as the anchor is enough; purpose as `-purpose any` */
        X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_NO_CHECK_TIME);
        ok = X509_verify_cert(ctx) == 1;
        if (!ok)
            snprintf(why, size, "%s", X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
    } else {
        snprintf(why, size, "out of memory");
    }
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    ERR_clear_error();
    return ok;
}

vp_status vp_signer_trust_anchor(const vp_signer *s, const char *ca_path, vp_trust_anchor *out, vp_error *err)
{
    X509 *ca = NULL;
    memset(out, 0, sizeof *out);
    if (ca_path) {
        vp_status st = read_ca(ca_path, &ca, err);
        if (st)
            return st;
    } else {
        int n = sk_X509_num(s->chain);
        X509 *last = n > 0 ? sk_X509_value(s->chain, n - 1) : NULL;
        if (!last || !self_signed(last))
            return VP_OK; /* not known: out->known stays 0 */
        if (!X509_up_ref(last))
            return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
        ca = last;
    }
    char why[256] = "", signer[512];
    name_text(X509_get_subject_name(ca), out->subject, sizeof out->subject);
    if (!issued_by(s, ca, why, sizeof why)) {
        name_text(X509_get_subject_name(s->cert), signer, sizeof signer);
        X509_free(ca);
        return vp_error_set(err, VP_ERR_CRYPTO, "%s: the CA (%s) did not issue the signer (%s): %s",
                            ca_path ? ca_path : "the last certificate of the chain", out->subject, signer, why);
    }
    int fp = fingerprint(ca, out->sha256_fingerprint);
    X509_free(ca);
    ERR_clear_error();
    if (fp)
        return vp_error_set(err, VP_ERR_CRYPTO, "%s: cannot compute the CA certificate's SHA-256 fingerprint",
                            ca_path ? ca_path : "chain");
    out->known = 1;
    return VP_OK;
}
