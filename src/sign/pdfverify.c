/*
 * vp_pdf_verify: the last signature of a PDF, over the whole file.
 *
 * The signature dictionary is found from the last "/ByteRange" in the file. That is
 * safe with untrusted input because the dictionary found must itself be covered:
 * its ByteRange has to span every byte of the file except exactly its own /Contents
 * string, and the CMS inside must verify over those bytes - anything added or changed
 * afterwards either moves the last /ByteRange or breaks the digest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sign/pdfscan_internal.h"
#include "vaultproof/pdfsign.h"

#define MAX_DICT_TRIES 64 /* "<<" candidates tried backwards from /ByteRange */

/* Past whitespace and comments before br; NULL when a comment runs into br (then br
 * is commented out, not a key). */
static const unsigned char *ws_before(const unsigned char *p, const unsigned char *br)
{
    const unsigned char *q = vps_pdf_skip_ws(p, br);
    for (const unsigned char *c = q; c > p && q == br; c--)
        if (c[-1] == '\n' || c[-1] == '\r')
            break;
        else if (c[-1] == '%')
            return NULL;
    return q;
}

/* Whether the dictionary body starting at p, parsed no further than br, has the
 * /ByteRange at br as one of its own top-level keys (and no /ByteRange key before it). */
static int keys_reach(const unsigned char *p, const unsigned char *br)
{
    for (;;) {
        if (!(p = ws_before(p, br)))
            return 0;
        if (p == br)
            return 1;
        if (*p != '/')
            return 0;
        const unsigned char *ke = vps_pdf_skip_token(p, br);
        if (!ke || (ke - p == 10 && !memcmp(p, "/ByteRange", 10)))
            return 0;
        const unsigned char *v = vps_pdf_skip_ws(ke, br);
        const unsigned char *ve = v < br ? vps_pdf_skip_value(v, br) : NULL;
        if (!ve)
            return 0;
        p = ve;
    }
}

/* The signature dictionary around the last /ByteRange: its body. Linear in the file
 * size: the candidates for its "<<" lie within VP_PDF_SIG_PREFIX_MAX bytes before
 * /ByteRange and each is parsed only up to /ByteRange; what follows /ByteRange is the
 * same for every candidate and is parsed once. (Parsing every candidate to its end cost
 * 64 passes over the file: 47 s of CPU on a hostile bundle.) */
static int find_sig_dict(const unsigned char *pdf, size_t len, vpdf_span *body)
{
    const unsigned char *e = pdf + len, *br = vps_pdf_rfind(pdf, e, "/ByteRange");
    if (!br || vps_pdf_skip_token(br, e) != br + 10)
        return 0;
    const unsigned char *lo = br - pdf > VP_PDF_SIG_PREFIX_MAX ? br - VP_PDF_SIG_PREFIX_MAX : pdf, *q = br;
    const unsigned char *open = NULL;
    for (int i = 0; i < MAX_DICT_TRIES && !open && (q = vps_pdf_rfind(lo, q, "<<")); i++)
        if (keys_reach(q + 2, br))
            open = q;
    if (!open)
        return 0;
    for (const unsigned char *p = br;;) {
        p = vps_pdf_skip_ws(p, e);
        if (e - p >= 2 && p[0] == '>' && p[1] == '>') {
            *body = (vpdf_span){open + 2, p};
            return 1;
        }
        if (p >= e || *p != '/')
            return 0;
        const unsigned char *ke = vps_pdf_skip_token(p, e), *v = ke ? vps_pdf_skip_ws(ke, e) : NULL;
        const unsigned char *ve = v && v < e ? vps_pdf_skip_value(v, e) : NULL;
        if (!ve)
            return 0;
        p = ve;
    }
}

static int hexval(unsigned char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* /Contents hex -> the DER it holds (the zero padding after it dropped). */
static vp_status decode_contents(vpdf_span hex, unsigned char **der, size_t *der_len, vp_error *err)
{
    size_t n = (size_t)(hex.e - hex.b) - 2;
    const unsigned char *h = hex.b + 1;
    unsigned char *d = malloc(n / 2 + 1);
    if (!d)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i += 2) {
        int hi = hexval(h[i]), lo = i + 1 < n ? hexval(h[i + 1]) : -1; /* an odd count fails here */
        if (hi < 0 || lo < 0) {
            free(d);
            return vp_error_set(err, VP_ERR_CHECK, "PDF signature: /Contents is not an even run of hex digits");
        }
        d[i / 2] = (unsigned char)(hi << 4 | lo);
    }
    n /= 2;
    /* DER SEQUENCE header: its length tells where the padding starts */
    size_t total = 0;
    if (n >= 2 && d[0] == 0x30) {
        if (d[1] < 0x80) {
            total = 2 + (size_t)d[1];
        } else if (d[1] >= 0x81 && d[1] <= 0x83 && n >= 2u + (d[1] & 0x7fu)) {
            size_t l = 0, nb = d[1] & 0x7fu;
            for (size_t k = 0; k < nb; k++)
                l = l << 8 | d[2 + k];
            total = 2 + nb + l;
        }
    }
    int padded = total > 0 && total <= n;
    for (size_t k = total; padded && k < n; k++)
        padded = d[k] == 0;
    if (!padded) {
        free(d);
        return vp_error_set(err, VP_ERR_CHECK, "PDF signature: /Contents does not hold one DER CMS followed by zeros");
    }
    *der = d;
    *der_len = total;
    return VP_OK;
}

/* ByteRange [0 a b c] with the gap exactly the /Contents string, b + c == len. */
static vp_status check_ranges(const unsigned char *pdf, size_t len, vpdf_span body, vp_pdf_verdict *v,
                              vpdf_span *contents, vp_error *err)
{
    vpdf_span br, inner;
    if (!vps_pdf_dict_get(body, "/ByteRange", &br) || !vps_pdf_inner(br, "[", &inner))
        return vp_error_set(err, VP_ERR_CHECK, "PDF signature: /ByteRange is not an array");
    const unsigned char *p = inner.b;
    for (int i = 0; i < 4; i++) {
        p = vps_pdf_skip_ws(p, inner.e);
        const unsigned char *q = vps_pdf_skip_token(p, inner.e);
        if (!q || !vps_pdf_uint((vpdf_span){p, q}, &v->byte_range[i]))
            return vp_error_set(err, VP_ERR_CHECK, "PDF signature: /ByteRange: expected four non-negative integers");
        p = q;
    }
    if (vps_pdf_skip_ws(p, inner.e) != inner.e)
        return vp_error_set(err, VP_ERR_CHECK, "PDF signature: /ByteRange: expected four non-negative integers");
    if (!vps_pdf_dict_get(body, "/Contents", contents) || contents->e - contents->b < 2 || *contents->b != '<' ||
        contents->e[-1] != '>')
        return vp_error_set(err, VP_ERR_CHECK, "PDF signature: /Contents is not a hex string");
    long long *r = v->byte_range;
    long long a = contents->b - pdf, b = contents->e - pdf;
    if (r[0] != 0 || r[1] != a || r[2] != b)
        return vp_error_set(err, VP_ERR_CHECK, "PDF signature: /ByteRange [%lld %lld %lld %lld] does not exclude "
                            "exactly the /Contents string (bytes %lld-%lld)", r[0], r[1], r[2], r[3], a, b);
    if (r[2] + r[3] != (long long)len)
        return vp_error_set(err, VP_ERR_CHECK, "PDF signature: not the whole document signed: the signed ranges end "
                            "at byte %lld of %zu (bytes were added or removed after signing)", r[2] + r[3], len);
    v->covers_whole_file = 1;
    return VP_OK;
}

static void copy_text(vpdf_span s, int strip, char *buf, size_t size)
{
    size_t n = (size_t)(s.e - s.b);
    if (strip && n >= 2) { /* "/Name" or "(string)" without delimiters */
        s.b++;
        n -= s.b[-1] == '(' ? 2 : 1;
    }
    if (n >= size)
        n = size - 1;
    for (size_t i = 0; i < n; i++)
        buf[i] = s.b[i] >= 0x20 && s.b[i] < 0x7f ? (char)s.b[i] : '?';
    buf[n] = '\0';
}

static vp_status check_timestamp(const unsigned char *der, size_t der_len, const char *trust, vp_pdf_verdict *v,
                                 vp_error *err)
{
    unsigned char *sigval = NULL, *token = NULL;
    size_t sigval_len = 0, token_len = 0;
    vp_status st = vp_cms_signature_timestamp(der, der_len, &sigval, &sigval_len, &token, &token_len, err);
    if (!st && token) {
        v->has_timestamp = 1;
        st = vp_tsa_verify_token(token, token_len, sigval, sigval_len, trust, &v->timestamp, err);
        if (st)
            vp_error_prefix(err, "PDF signature");
    }
    free(sigval);
    free(token);
    return st == VP_ERR_INPUT && !v->has_timestamp ? vp_error_set(err, VP_ERR_CHECK, "PDF signature: %s", err->message)
                                                   : st;
}

vp_status vp_pdf_verify(const unsigned char *pdf, size_t len, const char *trust_ca_path, const char *tsa_trust_path,
                        vp_pdf_verdict *v, vp_error *err)
{
    vpdf_span body, contents, sf, m;
    unsigned char *der = NULL, *data = NULL;
    size_t der_len = 0;
    memset(v, 0, sizeof *v);
    v->cms.signing_time = -1;
    v->timestamp.gen_time = -1;
    if (!find_sig_dict(pdf, len, &body))
        return vp_error_set(err, VP_ERR_CHECK, "PDF signature: none found (no signature dictionary with /ByteRange)");
    v->found = 1;
    if (vps_pdf_dict_get(body, "/SubFilter", &sf))
        copy_text(sf, 1, v->subfilter, sizeof v->subfilter);
    if (vps_pdf_dict_get(body, "/M", &m) && *m.b == '(')
        copy_text(m, 1, v->claimed_time, sizeof v->claimed_time);
    vp_status st = check_ranges(pdf, len, body, v, &contents, err);
    if (st)
        return st;
    if (strcmp(v->subfilter, "ETSI.CAdES.detached"))
        return vp_error_set(err, VP_ERR_CHECK, "PDF signature: /SubFilter /%s; expected /ETSI.CAdES.detached (PAdES)",
                            v->subfilter);
    if ((st = decode_contents(contents, &der, &der_len, err)))
        return st;
    size_t a = (size_t)v->byte_range[1], b = (size_t)v->byte_range[2], c = (size_t)v->byte_range[3];
    if (!(data = malloc(a + c + 1))) {
        free(der);
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    }
    memcpy(data, pdf, a);
    memcpy(data + a, pdf + b, c);
    st = vp_cms_verify_detached(der, der_len, data, a + c, trust_ca_path, &v->cms, err);
    free(data);
    if (st == VP_ERR_INPUT && v->cms.signer_subject[0] == '\0' && !strstr(err->message, "trust anchors"))
        st = VP_ERR_CHECK; /* an unreadable CMS inside the PDF is a failed check, not bad usage */
    if (st)
        vp_error_prefix(err, "PDF signature");
    else if (v->cms.has_signing_time)
        st = vp_error_set(err, VP_ERR_CHECK, "PDF signature: the CMS has a signing-time attribute, which PAdES "
                          "baseline forbids (the time belongs in /M)");
    else
        st = check_timestamp(der, der_len, tsa_trust_path ? tsa_trust_path : trust_ca_path, v, err);
    free(der);
    return st;
}
