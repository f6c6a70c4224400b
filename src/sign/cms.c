/*
 * Detached CMS signatures (CAdES-BES) with OpenSSL 3.0, and their verification.
 *
 * OpenSSL 3.0's CMS_SignerInfo_sign() always adds a signing-time attribute with the
 * current time (openssl/openssl#15777; CMS_NO_SIGNING_TIME only exists from 3.2). We
 * control it instead: when the caller wants a signing time we add the caller's time
 * ourselves before CMS_final (OpenSSL then keeps it); when not, we delete the one
 * OpenSSL added, DER-encode the remaining signed attributes as a SET OF, sign that
 * again with the key and replace the signature value. The result is checked with
 * CMS_SignerInfo_verify() before it is returned: a signature we cannot verify is never
 * handed out.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "sign/internal.h"
#include "vaultproof/cms.h"

static vp_status crypto_fail(vp_error *err, const char *what)
{
    vp_error_set(err, VP_ERR_CRYPTO, "signing: %s failed", what);
    return vps_ossl_reason(err);
}

/* RSASSA-PSS parameters, the same at CMS signing and at re-signing, so the
 * AlgorithmIdentifier OpenSSL wrote stays true. */
static int set_pss(EVP_PKEY_CTX *pctx)
{
    return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) > 0 &&
           EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) > 0;
}

typedef struct {
    unsigned char *der;
    int len;
} der_item;

/* DER orders the elements of a SET OF by their encodings, as octet strings with the
 * shorter padded by zeros (X.690 11.6). Attributes never end in a zero byte prefix of
 * another, so "memcmp, then shorter first" is that order. */
static int der_cmp(const void *a, const void *b)
{
    const der_item *x = a, *y = b;
    int n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->der, y->der, (size_t)n);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* The signed attributes as the DER SET OF the signature covers (RFC 5652 5.4: the
 * EXPLICIT SET OF tag 0x31, not the [0] IMPLICIT tag they carry inside SignerInfo). */
static vp_status encode_signed_attrs(CMS_SignerInfo *si, unsigned char **out, size_t *out_len, vp_error *err)
{
    int n = CMS_signed_get_attr_count(si);
    if (n <= 0)
        return vp_error_set(err, VP_ERR_INTERNAL, "signing: no signed attributes to re-sign");
    der_item *items = calloc((size_t)n, sizeof *items);
    if (!items)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    vp_status st = VP_OK;
    size_t total = 0;
    for (int i = 0; i < n && !st; i++) {
        items[i].len = i2d_X509_ATTRIBUTE(CMS_signed_get_attr(si, i), &items[i].der);
        if (items[i].len <= 0)
            st = crypto_fail(err, "encoding a signed attribute");
        else
            total += (size_t)items[i].len;
    }
    if (!st) {
        qsort(items, (size_t)n, sizeof *items, der_cmp);
        unsigned char hdr[6];
        size_t h = 0;
        hdr[h++] = 0x31;
        if (total < 0x80) {
            hdr[h++] = (unsigned char)total;
        } else {
            size_t nb = total > 0xffffff ? 4 : total > 0xffff ? 3 : total > 0xff ? 2 : 1;
            hdr[h++] = (unsigned char)(0x80 | nb);
            for (size_t k = nb; k > 0; k--)
                hdr[h++] = (unsigned char)(total >> (8 * (k - 1)));
        }
        unsigned char *buf = malloc(h + total);
        if (!buf) {
            st = vp_error_set(err, VP_ERR_NOMEM, "out of memory");
        } else {
            memcpy(buf, hdr, h);
            size_t off = h;
            for (int i = 0; i < n; i++) {
                memcpy(buf + off, items[i].der, (size_t)items[i].len);
                off += (size_t)items[i].len;
            }
            *out = buf;
            *out_len = off;
        }
    }
    for (int i = 0; i < n; i++)
        OPENSSL_free(items[i].der);
    free(items);
    return st;
}

/* Signs the current signed attributes again and replaces the signature value. */
static vp_status resign(CMS_SignerInfo *si, EVP_PKEY *key, int pss, vp_error *err)
{
    unsigned char *tbs = NULL, *sig = NULL;
    size_t tbs_len = 0, sig_len = 0;
    EVP_PKEY_CTX *pctx = NULL;
    vp_status st;

    if ((st = encode_signed_attrs(si, &tbs, &tbs_len, err)))
        return st;
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    if (!mctx) {
        st = vp_error_set(err, VP_ERR_NOMEM, "out of memory");
        goto done;
    }
    if (EVP_DigestSignInit(mctx, &pctx, EVP_sha256(), NULL, key) <= 0 || (pss && !set_pss(pctx)) ||
        EVP_DigestSign(mctx, NULL, &sig_len, tbs, tbs_len) <= 0) {
        st = crypto_fail(err, "re-signing the signed attributes");
        goto done;
    }
    if (!(sig = malloc(sig_len))) {
        st = vp_error_set(err, VP_ERR_NOMEM, "out of memory");
        goto done;
    }
    if (EVP_DigestSign(mctx, sig, &sig_len, tbs, tbs_len) <= 0 || sig_len > INT_MAX ||
        !ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), sig, (int)sig_len)) {
        st = crypto_fail(err, "re-signing the signed attributes");
        goto done;
    }
done:
    EVP_MD_CTX_free(mctx);
    free(tbs);
    free(sig);
    return st;
}

/* Adds signing-time = t (UTCTime until 2049, as RFC 5652 11.3 requires). */
static vp_status add_signing_time(CMS_SignerInfo *si, long long t, vp_error *err)
{
    ASN1_TIME *at = ASN1_TIME_set(NULL, (time_t)t);
    if (!at)
        return crypto_fail(err, "encoding the signing time");
    int ok = CMS_signed_add1_attr_by_NID(si, NID_pkcs9_signingTime, ASN1_STRING_type(at), at, -1);
    ASN1_TIME_free(at);
    return ok ? VP_OK : crypto_fail(err, "adding the signing-time attribute");
}

/* What CMS_final does with a BIO of the content (its digest BIO chain from
 * CMS_dataInit, the content written through, CMS_dataFinal), fed piece by piece. */
static int digest_pieces(CMS_ContentInfo *cms, const vp_cms_piece *pieces, size_t count)
{
    BIO *chain = CMS_dataInit(cms, NULL);
    int ok = chain != NULL;
    for (size_t i = 0; ok && i < count; i++)
        for (size_t done = 0; ok && done < pieces[i].len;) {
            size_t left = pieces[i].len - done;
            int n = BIO_write(chain, (const unsigned char *)pieces[i].data + done, left > (1u << 30) ? 1 << 30 : (int)left);
            ok = n > 0;
            done += ok ? (size_t)n : 0;
        }
    if (ok)
        (void)BIO_flush(chain); /* as CMS_final: a digest chain ends in a null sink */
    ok = ok && CMS_dataFinal(cms, chain);
    BIO_free_all(chain);
    return ok;
}

vp_status vp_cms_sign_detached(const vp_signer *s, const void *data, size_t len, long long signing_time,
                               unsigned flags, unsigned char **der, size_t *der_len, vp_error *err)
{
    vp_cms_piece whole = {data, len};
    return vp_cms_sign_detached_pieces(s, &whole, 1, signing_time, flags, der, der_len, err);
}

vp_status vp_cms_sign_detached_pieces(const vp_signer *s, const vp_cms_piece *pieces, size_t count,
                                      long long signing_time, unsigned flags, unsigned char **der, size_t *der_len,
                                      vp_error *err)
{
    CMS_ContentInfo *cms = NULL;
    unsigned char *enc = NULL;
    vp_status st = VP_OK;
    size_t len = 0;
    for (size_t i = 0; i < count; i++)
        len += pieces[i].len;

    *der = NULL;
    *der_len = 0;
    ERR_clear_error();
    if (flags & ~(VP_CMS_PADES | VP_CMS_RSA_PSS))
        return vp_error_set(err, VP_ERR_USAGE, "signing: unknown flags 0x%x", flags & ~(VP_CMS_PADES | VP_CMS_RSA_PSS));
    if (signing_time < -1)
        return vp_error_set(err, VP_ERR_USAGE, "signing: signing time %lld; expected seconds since 1970 or -1",
                            signing_time);
    if ((flags & VP_CMS_PADES) && signing_time != -1)
        return vp_error_set(err, VP_ERR_USAGE,
                            "signing: a PAdES signature carries no signing-time attribute (the time goes in /M)");
    int pss = (flags & VP_CMS_RSA_PSS) != 0;
    if (pss && !s->is_rsa)
        return vp_error_set(err, VP_ERR_USAGE, "signing: RSA-PSS requested for a key that is not RSA");
    if (pss && vps_signer_pkcs1_only(s))
        return vp_error_set(err, VP_ERR_USAGE, "signing: RSA-PSS requested for a remote key (%s), which signs "
                            "PKCS#1 v1.5 only; sign without RSA-PSS (docs/signing.md)", s->key_ref);
    if (len > INT_MAX)
        return vp_error_set(err, VP_ERR_INPUT, "signing: %zu bytes; expected at most %d (sign a manifest instead)",
                            len, INT_MAX);

    /* CMS_CADES adds ESS signing-certificate-v2 (SHA-256 of the signer cert);
     * NOSMIMECAP keeps the attribute set to what CAdES needs; PARTIAL lets us add the
     * signing time before the signature is computed. */
    unsigned cflags = CMS_DETACHED | CMS_BINARY | CMS_NOSMIMECAP | CMS_PARTIAL | CMS_CADES;
    if (!(cms = CMS_sign(NULL, NULL, s->chain, NULL, cflags))) {
        st = crypto_fail(err, "CMS_sign");
        goto done;
    }
    CMS_SignerInfo *si = CMS_add1_signer(cms, s->cert, s->key, EVP_sha256(), cflags | (pss ? CMS_KEY_PARAM : 0));
    if (!si) {
        st = crypto_fail(err, "CMS_add1_signer");
        goto done;
    }
    if (pss && !set_pss(CMS_SignerInfo_get0_pkey_ctx(si))) {
        st = crypto_fail(err, "setting RSA-PSS parameters");
        goto done;
    }
    if (signing_time >= 0 && (st = add_signing_time(si, signing_time, err)))
        goto done;
    if (!digest_pieces(cms, pieces, count)) {
        st = crypto_fail(err, "CMS_final");
        goto done;
    }
    if (signing_time < 0) {
        int loc = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
        if (loc >= 0) {
            X509_ATTRIBUTE_free(CMS_signed_delete_attr(si, loc));
            if ((st = resign(si, s->key, pss, err)))
                goto done;
        }
        if (CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1) >= 0) {
            st = vp_error_set(err, VP_ERR_INTERNAL, "signing: a signing-time attribute remained");
            goto done;
        }
    }
    /* Never hand out a signature we cannot verify ourselves. */
    if (CMS_SignerInfo_verify(si) != 1) {
        vp_error_set(err, VP_ERR_CRYPTO, "signing: the new signature does not verify");
        st = vps_ossl_reason(err);
        goto done;
    }
    int n = i2d_CMS_ContentInfo(cms, &enc);
    if (n <= 0) {
        st = crypto_fail(err, "encoding the signature (DER)");
        goto done;
    }
    if (!(*der = malloc((size_t)n))) {
        st = vp_error_set(err, VP_ERR_NOMEM, "out of memory");
        goto done;
    }
    memcpy(*der, enc, (size_t)n);
    *der_len = (size_t)n;
done:
    OPENSSL_free(enc);
    CMS_ContentInfo_free(cms);
    ERR_clear_error();
    return st;
}

static void name_line(const X509_NAME *name, char *buf, size_t size)
{
    buf[0] = '\0';
    BIO *mem = BIO_new(BIO_s_mem());
    if (mem && X509_NAME_print_ex(mem, name, 0, XN_FLAG_RFC2253) >= 0) {
        int n = BIO_read(mem, buf, (int)size - 1);
        buf[n > 0 ? n : 0] = '\0';
    }
    BIO_free(mem);
}

static void serial_hex(const X509 *cert, char *buf, size_t size)
{
    buf[0] = '\0';
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
    char *hex = bn ? BN_bn2hex(bn) : NULL;
    if (hex)
        snprintf(buf, size, "%s", hex);
    OPENSSL_free(hex);
    BN_free(bn);
}

/* The ESS signing-certificate-v2 attribute binds the signature to the signer
 * certificate by hash (so a certificate with the same key cannot be substituted). */
static void check_ess(CMS_SignerInfo *si, X509 *signer, STACK_OF(X509) *certs, vp_cms_verdict *v)
{
    ASN1_STRING *seq =
        CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_id_smime_aa_signingCertificateV2), -3, V_ASN1_SEQUENCE);
    if (!seq)
        return;
    v->signing_cert_v2 = 1;
    const unsigned char *p = ASN1_STRING_get0_data(seq);
    ESS_SIGNING_CERT_V2 *ss = d2i_ESS_SIGNING_CERT_V2(NULL, &p, ASN1_STRING_length(seq));
    STACK_OF(X509) *chain = sk_X509_new_null();
    /* OSSL_ESS_check_signing_certs wants the signer first: the first ID must name it */
    if (ss && chain && sk_X509_push(chain, signer)) {
        int ok = 1;
        for (int i = 0; i < sk_X509_num(certs) && ok; i++)
            if (X509_cmp(sk_X509_value(certs, i), signer) != 0)
                ok = sk_X509_push(chain, sk_X509_value(certs, i)) > 0;
        v->signing_cert_v2_match = ok && OSSL_ESS_check_signing_certs(NULL, ss, chain, 1) == 1;
    }
    sk_X509_free(chain); /* the certificates belong to certs and the CMS */
    ESS_SIGNING_CERT_V2_free(ss);
}

static void read_signing_time(CMS_SignerInfo *si, vp_cms_verdict *v)
{
    int loc = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
    if (loc < 0)
        return;
    v->has_signing_time = 1;
    ASN1_TYPE *t = X509_ATTRIBUTE_get0_type(CMS_signed_get_attr(si, loc), 0);
    struct tm tm;
    if (t && (t->type == V_ASN1_UTCTIME || t->type == V_ASN1_GENERALIZEDTIME) &&
        ASN1_TIME_to_tm(t->value.utctime, &tm) == 1)
        v->signing_time = (long long)timegm(&tm);
}

static vp_status check_chain(X509 *signer, STACK_OF(X509) *certs, const char *ca_path, vp_cms_verdict *v,
                             vp_error *err)
{
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    vp_status st = VP_OK;

    if (!store || !ctx) {
        st = vp_error_set(err, VP_ERR_NOMEM, "out of memory");
        goto done;
    }
    if (X509_STORE_load_file(store, ca_path) != 1) {
        vp_error_set(err, VP_ERR_INPUT, "trust anchors %s: cannot read; expected PEM certificates", ca_path);
        st = vps_ossl_reason(err);
        goto done;
    }
    if (!X509_STORE_CTX_init(ctx, store, signer, certs) || !X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_ANY)) {
        vp_error_set(err, VP_ERR_CRYPTO, "verifying: cannot set up the chain check");
        st = vps_ossl_reason(err);
        goto done;
    }
    v->chain_checked = 1;
    if (X509_verify_cert(ctx) == 1)
        v->chain_trusted = 1;
    else
        snprintf(v->chain_error, sizeof v->chain_error, "%s",
                 X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
done:
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    ERR_clear_error();
    return st;
}

/* OpenSSL verifies with the key's own algorithm and does not look at the SignerInfo's
 * signatureAlgorithm (outside the signature), so an altered identifier would still
 * "verify": require one that fits the key. */
static int signature_alg_matches(CMS_SignerInfo *si, X509 *signer)
{
    X509_ALGOR *alg = NULL;
    const ASN1_OBJECT *obj = NULL;
    EVP_PKEY *pk = X509_get0_pubkey(signer);
    CMS_SignerInfo_get0_algs(si, NULL, NULL, NULL, &alg);
    if (alg)
        X509_ALGOR_get0(&obj, NULL, NULL, alg);
    int nid = obj ? OBJ_obj2nid(obj) : NID_undef;
    if (pk && EVP_PKEY_is_a(pk, "EC"))
        return nid == NID_ecdsa_with_SHA256 || nid == NID_ecdsa_with_SHA384 || nid == NID_ecdsa_with_SHA512 ||
               nid == NID_X9_62_id_ecPublicKey;
    if (pk && EVP_PKEY_is_a(pk, "RSA"))
        return nid == NID_rsaEncryption || nid == NID_sha256WithRSAEncryption || nid == NID_sha384WithRSAEncryption ||
               nid == NID_sha512WithRSAEncryption || nid == NID_rsassaPss;
    return 0;
}

/* ---- the canonical form (RFC 5652 5.1, 5.3, 11.1) ----
 * vaultproof's signatures are deterministic in everything outside the signature value,
 * so verification requires exactly what it writes: bytes changed outside the signed
 * attributes (the SignedData version, eContentType, digestAlgorithms, a non-DER length)
 * would otherwise still verify. Checked before CMS_verify, which leaks memory on a
 * digestAlgorithms entry that is no digest (OpenSSL 3.0). */

/* SignedData version 1: issuerAndSerialNumber, id-data, no attribute certificates. */
static const unsigned char SD_VERSION[] = {0x02, 0x01, 0x01};
/* digestAlgorithms: SET OF exactly one AlgorithmIdentifier, SHA-256 without parameters. */
static const unsigned char SD_DIGESTS[] = {0x31, 0x0d, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86,
                                           0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01};
/* encapContentInfo: eContentType id-data and no eContent (detached). */
static const unsigned char SD_ENCAP[] = {0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01};

typedef struct {
    const unsigned char *p, *end; /* the whole element, tag to end of content */
    const unsigned char *c;       /* its content */
} der_elem;

/* The element at *at (before end) with the given tag, definite length; *at moves past it. */
static int der_next(const unsigned char **at, const unsigned char *end, unsigned char tag, der_elem *el)
{
    const unsigned char *p = *at;
    size_t len = 0, nb;
    if (end - p < 2 || p[0] != tag)
        return 0;
    if (p[1] < 0x80) {
        len = p[1];
        nb = 0;
    } else {
        nb = p[1] & 0x7fu;
        if (nb == 0 || nb > 4 || (size_t)(end - p) < 2 + nb)
            return 0;
        for (size_t i = 0; i < nb; i++)
            len = len << 8 | p[2 + i];
    }
    if ((size_t)(end - p) - 2 - nb < len)
        return 0;
    el->p = p;
    el->c = p + 2 + nb;
    el->end = el->c + len;
    *at = el->end;
    return 1;
}

static int der_is(const der_elem *el, const unsigned char *want, size_t n)
{
    return (size_t)(el->end - el->p) == n && !memcmp(el->p, want, n);
}

static vp_status not_canonical(vp_error *err, const char *field, const char *expected)
{
    return vp_error_set(err, VP_ERR_INPUT, "verifying: CMS SignedData %s; expected %s, as vaultproof writes it "
                        "(RFC 5652)", field, expected);
}

static vp_status check_canonical(const unsigned char *der, size_t der_len, CMS_ContentInfo *cms, CMS_SignerInfo *si,
                                 vp_error *err)
{
    const unsigned char *end = der + der_len, *at = der, *in;
    der_elem ci, type, wrap, sd, el, sis, info, ver;
    char oid[80];

    if (!der_next(&at, end, 0x30, &ci) || !(in = ci.c, der_next(&in, ci.end, 0x06, &type)) ||
        !der_next(&in, ci.end, 0xa0, &wrap) || !(in = wrap.c, der_next(&in, wrap.end, 0x30, &sd)))
        return not_canonical(err, "is not a definite-length ContentInfo", "DER");
    in = sd.c;
    if (!der_next(&in, sd.end, 0x02, &el) || !der_is(&el, SD_VERSION, sizeof SD_VERSION))
        return not_canonical(err, "version is not 1", "version 1");
    if (!der_next(&in, sd.end, 0x31, &el) || !der_is(&el, SD_DIGESTS, sizeof SD_DIGESTS))
        return not_canonical(err, "digestAlgorithms is not exactly {SHA-256}", "only the SHA-256 digest");
    if (!der_next(&in, sd.end, 0x30, &el) || !der_is(&el, SD_ENCAP, sizeof SD_ENCAP)) {
        const ASN1_OBJECT *t = CMS_get0_eContentType(cms);
        if (!t || OBJ_obj2txt(oid, sizeof oid, t, 1) <= 0)
            snprintf(oid, sizeof oid, "?");
        vp_error_set(err, VP_ERR_INPUT, "verifying: CMS SignedData encapContentInfo eContentType %s; expected "
                     "id-data (1.2.840.113549.1.7.1) without content, as vaultproof writes it (RFC 5652)", oid);
        return VP_ERR_INPUT;
    }
    while (in < sd.end && (*in == 0xa0 || *in == 0xa1)) /* certificates, crls */
        if (!der_next(&in, sd.end, *in, &el))
            return not_canonical(err, "certificates or crls are malformed", "DER");
    if (!der_next(&in, sd.end, 0x31, &sis) || in != sd.end)
        return not_canonical(err, "signerInfos is malformed", "DER");
    in = sis.c;
    if (!der_next(&in, sis.end, 0x30, &info) || in != sis.end)
        return not_canonical(err, "signerInfos does not hold exactly one SignerInfo", "one signer");
    in = info.c;
    if (!der_next(&in, info.end, 0x02, &ver) || !der_is(&ver, SD_VERSION, sizeof SD_VERSION))
        return not_canonical(err, "SignerInfo version is not 1", "version 1 (issuerAndSerialNumber)");

    X509_ALGOR *dig = NULL;
    const ASN1_OBJECT *dig_obj = NULL;
    CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, NULL);
    if (dig)
        X509_ALGOR_get0(&dig_obj, NULL, NULL, dig);
    if (!dig_obj || OBJ_obj2nid(dig_obj) != NID_sha256)
        return not_canonical(err, "SignerInfo digestAlgorithm is not SHA-256", "SHA-256");
    /* RFC 5652 11.1: the signed content-type attribute must equal eContentType */
    const ASN1_OBJECT *ct = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_contentType), -3, V_ASN1_OBJECT);
    if (!ct || OBJ_obj2nid(ct) != NID_pkcs7_data)
        return not_canonical(err, "signed content-type attribute is missing, repeated or not id-data",
                             "one content-type attribute equal to eContentType id-data (RFC 5652 11.1)");

    /* last, so the messages above name the field: anything else not as i2d writes it */
    unsigned char *enc = NULL;
    int n = i2d_CMS_ContentInfo(cms, &enc);
    int same = n > 0 && (size_t)n == der_len && !memcmp(enc, der, der_len);
    OPENSSL_free(enc);
    ERR_clear_error();
    if (!same)
        return not_canonical(err, "is not in canonical DER (re-encoding it gives other bytes)", "DER");
    return VP_OK;
}

vp_status vp_cms_verify_detached(const unsigned char *der, size_t der_len, const void *data, size_t len,
                                 const char *trust_ca_path, vp_cms_verdict *out, vp_error *err)
{
    CMS_ContentInfo *cms = NULL;
    STACK_OF(X509) *certs = NULL;
    BIO *in = NULL;
    X509 *signer = NULL;
    vp_status st = VP_OK;

    memset(out, 0, sizeof *out);
    out->signing_time = -1;
    ERR_clear_error();
    if (!der || der_len == 0)
        return vp_error_set(err, VP_ERR_INPUT, "verifying: empty signature; expected DER-encoded CMS");
    if (der_len > LONG_MAX || len > INT_MAX)
        return vp_error_set(err, VP_ERR_INPUT, "verifying: signature or data too large");
    const unsigned char *p = der;
    cms = d2i_CMS_ContentInfo(NULL, &p, (long)der_len);
    if (!cms || p != der + der_len) {
        st = vp_error_set(err, VP_ERR_INPUT, "verifying: not a DER-encoded CMS signature%s",
                          cms ? " (trailing bytes)" : "");
        goto done;
    }
    if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed || !CMS_is_detached(cms)) {
        st = vp_error_set(err, VP_ERR_INPUT, "verifying: expected a detached CMS SignedData");
        goto done;
    }
    STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
    if (sk_CMS_SignerInfo_num(sis) != 1) {
        st = vp_error_set(err, VP_ERR_INPUT, "verifying: %d signers; expected exactly one",
                          sk_CMS_SignerInfo_num(sis));
        goto done;
    }
    CMS_SignerInfo *si = sk_CMS_SignerInfo_value(sis, 0);
    if ((st = check_canonical(der, der_len, cms, si, err)))
        goto done;
    certs = CMS_get1_certs(cms);
    if (CMS_set1_signers_certs(cms, NULL, 0) < 0) {
        vp_error_set(err, VP_ERR_CRYPTO, "verifying: cannot match the signer to its certificate");
        st = vps_ossl_reason(err);
        goto done;
    }
    CMS_SignerInfo_get0_algs(si, NULL, &signer, NULL, NULL);
    if (!signer) {
        st = vp_error_set(err, VP_ERR_CHECK, "verifying: the signer certificate is not in the signature");
        goto done;
    }
    name_line(X509_get_subject_name(signer), out->signer_subject, sizeof out->signer_subject);
    name_line(X509_get_issuer_name(signer), out->signer_issuer, sizeof out->signer_issuer);
    serial_hex(signer, out->signer_serial, sizeof out->signer_serial);
    read_signing_time(si, out);
    check_ess(si, signer, certs, out);
    ERR_clear_error();

    /* Message digest over the data, then the signature over the signed attributes;
     * the chain is checked separately so the verdict can tell the two apart. */
    if (!(in = BIO_new_mem_buf(len ? data : "", (int)len))) {
        st = vp_error_set(err, VP_ERR_NOMEM, "out of memory");
        goto done;
    }
    out->signature_valid = CMS_verify(cms, NULL, NULL, in, NULL, CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) == 1;
    ERR_clear_error();
    int alg_ok = signature_alg_matches(si, signer);
    if (trust_ca_path && (st = check_chain(signer, certs, trust_ca_path, out, err)))
        goto done;

    if (!out->signature_valid)
        st = vp_error_set(err, VP_ERR_CHECK,
                          "verifying: the signature does not match the data (the data changed, or it was not "
                          "signed with this certificate's key)");
    else if (!alg_ok)
        st = vp_error_set(err, VP_ERR_CHECK, "verifying: the signature algorithm identifier does not fit the "
                          "signer's key (the signature was altered)");
    else if (!out->signing_cert_v2)
        st = vp_error_set(err, VP_ERR_CHECK, "verifying: no signing-certificate-v2 attribute; expected CAdES");
    else if (!out->signing_cert_v2_match)
        st = vp_error_set(err, VP_ERR_CHECK,
                          "verifying: the signing-certificate-v2 attribute does not name the signer certificate");
    else if (out->chain_checked && !out->chain_trusted)
        st = vp_error_set(err, VP_ERR_CHECK, "verifying: signer '%s' is not trusted by %s: %s", out->signer_subject,
                          trust_ca_path, out->chain_error);
done:
    BIO_free(in);
    sk_X509_pop_free(certs, X509_free);
    CMS_ContentInfo_free(cms);
    ERR_clear_error();
    return st;
}

/* Decodes a DER CMS SignedData with exactly one signer. */
static vp_status decode_one_signer(const unsigned char *der, size_t der_len, CMS_ContentInfo **cms,
                                   CMS_SignerInfo **si, vp_error *err)
{
    const unsigned char *p = der;
    *cms = NULL;
    if (!der || der_len == 0 || der_len > LONG_MAX)
        return vp_error_set(err, VP_ERR_INPUT, "CMS: empty or oversized signature");
    *cms = d2i_CMS_ContentInfo(NULL, &p, (long)der_len);
    if (!*cms || p != der + der_len || OBJ_obj2nid(CMS_get0_type(*cms)) != NID_pkcs7_signed ||
        sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(*cms)) != 1) {
        CMS_ContentInfo_free(*cms);
        *cms = NULL;
        ERR_clear_error();
        return vp_error_set(err, VP_ERR_INPUT, "CMS: expected a DER SignedData with exactly one signer");
    }
    *si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(*cms), 0);
    return VP_OK;
}

static vp_status dup_bytes(const unsigned char *src, size_t len, unsigned char **out, size_t *out_len, vp_error *err)
{
    if (!(*out = malloc(len ? len : 1)))
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    memcpy(*out, src, len);
    *out_len = len;
    return VP_OK;
}

vp_status vp_cms_add_signature_timestamp(const unsigned char *der, size_t der_len, vp_timestamp_fn fn, void *ctx,
                                         unsigned char **out, size_t *out_len, vp_error *err)
{
    CMS_ContentInfo *cms = NULL;
    CMS_SignerInfo *si = NULL;
    unsigned char *token = NULL, *enc = NULL;
    size_t token_len = 0;
    *out = NULL;
    *out_len = 0;
    ERR_clear_error();
    vp_status st = decode_one_signer(der, der_len, &cms, &si, err);
    if (st)
        return st;
    /* RFC 5126 / EN 319 122: the signature-time-stamp covers the signature value. */
    const ASN1_OCTET_STRING *sig = CMS_SignerInfo_get0_signature(si);
    if ((st = fn(ctx, ASN1_STRING_get0_data(sig), (size_t)ASN1_STRING_length(sig), &token, &token_len, err)))
        goto done;
    if (token_len > INT_MAX ||
        !CMS_unsigned_add1_attr_by_NID(si, NID_id_smime_aa_timeStampToken, V_ASN1_SEQUENCE, token, (int)token_len)) {
        st = crypto_fail(err, "adding the signature-time-stamp attribute");
        goto done;
    }
    /* unsigned attributes are outside the signature, but re-check the decoded
     * signer: a signature we cannot verify is never handed out */
    if (CMS_set1_signers_certs(cms, NULL, 0) < 0 || CMS_SignerInfo_verify(si) != 1) {
        st = crypto_fail(err, "re-verifying the timestamped signature");
        goto done;
    }
    int n = i2d_CMS_ContentInfo(cms, &enc);
    if (n <= 0) {
        st = crypto_fail(err, "encoding the timestamped signature (DER)");
        goto done;
    }
    st = dup_bytes(enc, (size_t)n, out, out_len, err);
done:
    OPENSSL_free(enc);
    free(token);
    CMS_ContentInfo_free(cms);
    ERR_clear_error();
    return st;
}

vp_status vp_cms_signature_timestamp(const unsigned char *der, size_t der_len, unsigned char **sigval,
                                     size_t *sigval_len, unsigned char **token, size_t *token_len, vp_error *err)
{
    CMS_ContentInfo *cms = NULL;
    CMS_SignerInfo *si = NULL;
    *sigval = *token = NULL;
    *sigval_len = *token_len = 0;
    ERR_clear_error();
    vp_status st = decode_one_signer(der, der_len, &cms, &si, err);
    if (st)
        return st;
    const ASN1_OCTET_STRING *sig = CMS_SignerInfo_get0_signature(si);
    ASN1_STRING *seq = CMS_unsigned_get0_data_by_OBJ(si, OBJ_nid2obj(NID_id_smime_aa_timeStampToken), -3,
                                                     V_ASN1_SEQUENCE);
    if (CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, -1) >= 0 && !seq)
        st = vp_error_set(err, VP_ERR_INPUT, "CMS: the signature-time-stamp attribute is malformed (expected one "
                          "TimeStampToken)");
    if (!st)
        st = dup_bytes(ASN1_STRING_get0_data(sig), (size_t)ASN1_STRING_length(sig), sigval, sigval_len, err);
    if (!st && seq && (st = dup_bytes(ASN1_STRING_get0_data(seq), (size_t)ASN1_STRING_length(seq), token, token_len,
                                      err))) {
        free(*sigval);
        *sigval = NULL;
    }
    CMS_ContentInfo_free(cms);
    ERR_clear_error();
    return st;
}
