/*
 * vp_pdf_sign: a PAdES baseline signature as one incremental update (ISO 32000-1
 * 7.5.6, 12.8; ETSI EN 319 142-1). Layout first with a zero-filled /Contents and a
 * fixed-width /ByteRange, then the ByteRange is patched in place (same width), the CMS
 * computed over everything but the /Contents string, and its hex written into the gap.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sign/pdfscan_internal.h"
#include "vaultproof/fileio.h"
#include "vaultproof/pdfsign.h"

#define BYTERANGE_PLACEHOLDER "[0 0000000000 0000000000 0000000000]"
#define RESERVE_BASE 16384u /* CMS with signer and CA certificates: 1-4 KiB seen */
#define RESERVE_TS 16384u   /* a time-stamp token with the TSA certificate: about 5 KiB */

typedef struct {
    unsigned char *data;
    size_t len, cap;
    size_t base; /* bytes before data in the file: the original document */
    int oom;
} obuf;

/* Where the next byte put lands in the signed file. */
static size_t at(const obuf *o)
{
    return o->base + o->len;
}

static void put(obuf *o, const void *p, size_t n)
{
    if (o->oom || n == 0) /* an empty span may be {NULL, NULL} */
        return;
    if (o->len + n > o->cap) {
        size_t cap = (o->len + n) * 2;
        unsigned char *d = realloc(o->data, cap);
        if (!d) {
            o->oom = 1;
            return;
        }
        o->data = d;
        o->cap = cap;
    }
    memcpy(o->data + o->len, p, n);
    o->len += n;
}

static void __attribute__((format(printf, 2, 3))) putf(obuf *o, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp)
        o->oom = 1; /* never happens: every format here is short */
    else
        put(o, tmp, (size_t)n);
}

static void put_span(obuf *o, vpdf_span s)
{
    put(o, s.b, (size_t)(s.e - s.b));
}

/* What the update rewrites and adds, found in the original file. */
typedef struct {
    vpdf_xref x;
    long root, root_gen, page, page_gen;
    vpdf_span root_body, page_body;
    vpdf_span info, id0;   /* raw trailer /Info value and first /ID element, or empty */
    long long size;        /* trailer /Size: the new objects are size and size + 1 */
} pdf_plan;

/* Catalog -> /Pages -> first /Kids entry, down to the first /Page. */
static vp_status find_first_page(const unsigned char *in, size_t len, pdf_plan *pl, vp_error *err)
{
    vpdf_span v, dict, body, kids;
    long num, gen;
    if (!vps_pdf_dict_get(pl->root_body, "/Pages", &v) || !vps_pdf_ref(v, &num, &gen))
        return vp_error_set(err, VP_ERR_INPUT, "PDF: the catalog (object %ld) has no /Pages reference", pl->root);
    for (int depth = 0; depth < 32; depth++) {
        vp_status st = vps_pdf_object_dict(in, len, &pl->x, num, &dict, err);
        if (st)
            return st;
        vps_pdf_inner(dict, "<<", &body);
        if (!vps_pdf_dict_get(body, "/Type", &v))
            return vp_error_set(err, VP_ERR_INPUT, "PDF: page tree object %ld has no /Type", num);
        if (vps_pdf_is_name(v, "/Page")) {
            pl->page = num;
            pl->page_gen = gen;
            pl->page_body = body;
            return VP_OK;
        }
        if (!vps_pdf_is_name(v, "/Pages") || !vps_pdf_dict_get(body, "/Kids", &v) || !vps_pdf_inner(v, "[", &kids))
            return vp_error_set(err, VP_ERR_INPUT, "PDF: page tree object %ld: expected /Kids [ ... ] inline", num);
        const unsigned char *k = vps_pdf_skip_ws(kids.b, kids.e), *ke = vps_pdf_skip_value(k, kids.e);
        if (!ke || !vps_pdf_ref((vpdf_span){k, ke}, &num, &gen))
            return vp_error_set(err, VP_ERR_INPUT, "PDF: page tree: the first kid is not a reference");
    }
    return vp_error_set(err, VP_ERR_INPUT, "PDF: page tree deeper than 32 levels");
}

static vp_status plan(const unsigned char *in, size_t len, pdf_plan *pl, vp_error *err)
{
    vpdf_span v, dict, ids;
    vp_status st = vps_pdf_read_xref(in, len, &pl->x, err);
    if (st)
        return st;
    if (!vps_pdf_dict_get(pl->x.trailer, "/Root", &v) || !vps_pdf_ref(v, &pl->root, &pl->root_gen))
        return vp_error_set(err, VP_ERR_INPUT, "PDF: the trailer has no /Root reference");
    if (!vps_pdf_dict_get(pl->x.trailer, "/Size", &v) || !vps_pdf_uint(v, &pl->size) || pl->size < 1 ||
        (size_t)pl->size < pl->x.count)
        return vp_error_set(err, VP_ERR_INPUT, "PDF: the trailer's /Size is missing or smaller than the xref");
    if (vps_pdf_dict_get(pl->x.trailer, "/Info", &v))
        pl->info = v;
    if (vps_pdf_dict_get(pl->x.trailer, "/ID", &v)) {
        const unsigned char *a = vps_pdf_inner(v, "[", &ids) ? vps_pdf_skip_ws(ids.b, ids.e) : NULL;
        const unsigned char *ae = a && a < ids.e && (*a == '<' || *a == '(') ? vps_pdf_skip_token(a, ids.e) : NULL;
        if (!ae)
            return vp_error_set(err, VP_ERR_INPUT, "PDF: the trailer's /ID is not an array of two strings");
        pl->id0 = (vpdf_span){a, ae};
    }
    if ((st = vps_pdf_object_dict(in, len, &pl->x, pl->root, &dict, err)))
        return st;
    vps_pdf_inner(dict, "<<", &pl->root_body);
    return find_first_page(in, len, pl, err);
}

/* body without the given key (key and value dropped, everything else kept as is). */
static void put_dict_without(obuf *o, vpdf_span body, const char *key)
{
    const unsigned char *p = body.b;
    size_t kl = strlen(key);
    for (;;) {
        p = vps_pdf_skip_ws(p, body.e);
        if (p >= body.e)
            return;
        const unsigned char *k = p, *ke = vps_pdf_skip_token(p, body.e);
        const unsigned char *ve = ke ? vps_pdf_skip_value(vps_pdf_skip_ws(ke, body.e), body.e) : NULL;
        if (!ve) { /* cannot happen after vps_pdf_dict_get accepted the body; keep the rest verbatim */
            put(o, p, (size_t)(body.e - p));
            return;
        }
        if ((size_t)(ke - k) != kl || memcmp(k, key, kl)) {
            put(o, "\n", 1);
            put(o, k, (size_t)(ve - k));
        }
        p = ve;
    }
}

/* The inside of an inline array value of key in body (empty when absent); refuses
 * indirect values, which would need the referenced object rewritten. */
static vp_status inline_array(vpdf_span body, const char *key, long obj, vpdf_span *inner, vp_error *err)
{
    vpdf_span v;
    *inner = (vpdf_span){body.b, body.b};
    if (!vps_pdf_dict_get(body, key, &v))
        return VP_OK;
    if (!vps_pdf_inner(v, "[", inner))
        return vp_error_set(err, VP_ERR_INPUT, "PDF: object %ld: %s is not an inline array (an indirect %s is not "
                            "supported)", obj, key, key);
    return VP_OK;
}

static vp_status put_catalog(obuf *o, const pdf_plan *pl, long widget, vp_error *err)
{
    vpdf_span form = {0}, form_body = {0}, fields;
    vp_status st;
    if (vps_pdf_dict_get(pl->root_body, "/AcroForm", &form) && !vps_pdf_inner(form, "<<", &form_body))
        return vp_error_set(err, VP_ERR_INPUT, "PDF: the catalog's /AcroForm is not an inline dictionary (an "
                            "indirect /AcroForm is not supported)");
    if ((st = inline_array(form_body, "/Fields", pl->root, &fields, err)))
        return st;
    putf(o, "%ld %ld obj\n<<", pl->root, pl->root_gen);
    put_dict_without(o, pl->root_body, "/AcroForm");
    put(o, "\n/AcroForm <<", 13);
    if (form_body.b) { /* keep the other form keys; /Fields and /SigFlags are rewritten */
        obuf tmp = {0};
        put_dict_without(&tmp, form_body, "/Fields");
        vpdf_span rest = {tmp.data, tmp.data + tmp.len};
        if (!tmp.oom)
            put_dict_without(o, rest, "/SigFlags");
        o->oom |= tmp.oom;
        free(tmp.data);
    }
    put(o, " /Fields [", 10);
    put_span(o, fields);
    putf(o, " %ld 0 R] /SigFlags 3 >>\n>>\nendobj\n", widget); /* SignaturesExist | AppendOnly */
    return VP_OK;
}

static vp_status put_page(obuf *o, const pdf_plan *pl, long widget, vp_error *err)
{
    vpdf_span annots;
    vp_status st = inline_array(pl->page_body, "/Annots", pl->page, &annots, err);
    if (st)
        return st;
    putf(o, "%ld %ld obj\n<<", pl->page, pl->page_gen);
    put_dict_without(o, pl->page_body, "/Annots");
    put(o, "\n/Annots [", 10);
    put_span(o, annots);
    putf(o, " %ld 0 R]\n>>\nendobj\n", widget);
    return VP_OK;
}

static void put_reason(obuf *o, const char *reason)
{
    put(o, " /Reason (", 10);
    for (const char *p = reason; *p; p++) {
        if (*p == '(' || *p == ')' || *p == '\\')
            put(o, "\\", 1);
        put(o, p, 1);
    }
    put(o, ")", 1);
}

/* /ID elements (hex of 16 bytes): the first from the document's own bytes, the second
 * from that and the claimed time; deterministic, so a pinned clock gives the same file. */
static void make_ids(const unsigned char *data, size_t len, const char *when, char id0[33], char id1[33])
{
    char full[65], salted[128];
    vp_sha256_hex(data, len, full);
    snprintf(salted, sizeof salted, "%s %s", full, when);
    memcpy(id0, full, 32);
    id0[32] = '\0';
    vp_sha256_hex(salted, strlen(salted), full);
    memcpy(id1, full, 32);
    id1[32] = '\0';
}

typedef struct {
    size_t byterange_at; /* offset of the ByteRange placeholder */
    size_t contents_at;  /* offset of '<' of /Contents */
    size_t reserve;      /* bytes reserved for the CMS (hex is twice that) */
} sig_layout;

/* Everything after the original bytes, with placeholders. */
static vp_status layout(obuf *o, const unsigned char *in, size_t len, const pdf_plan *pl, const char *when,
                        const vp_pdf_sign_options *opt, sig_layout *lay, vp_error *err)
{
    long widget = (long)pl->size, sig = widget + 1;
    size_t off[4];
    long nums[4] = {pl->root, pl->page, widget, sig}, gens[4] = {pl->root_gen, pl->page_gen, 0, 0};
    vp_status st;
    o->base = len; /* the original bytes stay where they are: only the update is held */
    if (len && in[len - 1] != '\n' && in[len - 1] != '\r')
        put(o, "\n", 1);
    off[0] = at(o);
    if ((st = put_catalog(o, pl, widget, err)))
        return st;
    off[1] = at(o);
    if ((st = put_page(o, pl, widget, err)))
        return st;
    off[2] = at(o);
    putf(o, "%ld 0 obj\n<< /Type /Annot /Subtype /Widget /FT /Sig /T (VaultproofSignature%ld) /V %ld 0 R /F 132 "
         "/Rect [0 0 0 0] /P %ld %ld R >>\nendobj\n", widget, widget, sig, pl->page, pl->page_gen);
    off[3] = at(o);
    putf(o, "%ld 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /M (%s)", sig, when);
    if (opt->reason)
        put_reason(o, opt->reason);
    put(o, " /ByteRange ", 12);
    lay->byterange_at = at(o);
    put(o, BYTERANGE_PLACEHOLDER, sizeof BYTERANGE_PLACEHOLDER - 1);
    put(o, " /Contents ", 11);
    lay->contents_at = at(o);
    put(o, "<", 1);
    for (size_t i = 0; i < 2 * lay->reserve; i += 64)
        put(o, "0000000000000000000000000000000000000000000000000000000000000000",
            2 * lay->reserve - i < 64 ? 2 * lay->reserve - i : 64);
    put(o, "> >>\nendobj\n", 12);

    /* xref: one subsection per run of consecutive object numbers, ascending */
    size_t xref_at = at(o), order[4] = {0, 1, 2, 3};
    for (int i = 1; i < 4; i++)
        for (int j = i; j > 0 && nums[order[j]] < nums[order[j - 1]]; j--) {
            size_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    put(o, "xref\n", 5);
    for (int i = 0; i < 4;) {
        int j = i + 1;
        while (j < 4 && nums[order[j]] == nums[order[j - 1]] + 1)
            j++;
        putf(o, "%ld %d\n", nums[order[i]], j - i);
        for (; i < j; i++)
            putf(o, "%010zu %05ld n\r\n", off[order[i]], gens[order[i]]);
    }
    char id0[33], id1[33];
    make_ids(in, len, when, id0, id1);
    putf(o, "trailer\n<< /Size %ld /Root %ld %ld R", sig + 1, pl->root, pl->root_gen);
    if (pl->info.b) {
        put(o, " /Info ", 7);
        put_span(o, pl->info);
    }
    putf(o, " /Prev %zu /ID [", pl->x.startxref);
    if (pl->id0.b)
        put_span(o, pl->id0); /* the first element identifies the document: kept */
    else
        putf(o, "<%s>", id0);
    putf(o, " <%s>] >>\nstartxref\n%zu\n%%%%EOF\n", id1, xref_at);
    return o->oom ? vp_error_set(err, VP_ERR_NOMEM, "out of memory") : VP_OK;
}

/* Fills the ByteRange, signs the two ranges (the original document and the update but
 * the /Contents gap); *need > reserve when the CMS did not fit. */
static vp_status seal(obuf *o, const unsigned char *in, const vp_signer *s, const vp_pdf_sign_options *opt,
                      const sig_layout *lay, size_t *need, vp_error *err)
{
    size_t a = lay->contents_at, b = a + 2 * lay->reserve + 2, c = at(o) - b;
    char br[64];
    int n = snprintf(br, sizeof br, "[0 %zu %zu %zu]", a, b, c);
    if (n < 0 || (size_t)n > sizeof BYTERANGE_PLACEHOLDER - 1)
        return vp_error_set(err, VP_ERR_INPUT, "PDF: too large to sign (%zu bytes)", at(o));
    unsigned char *range = o->data + (lay->byterange_at - o->base), *gap = o->data + (a - o->base);
    memset(range, ' ', sizeof BYTERANGE_PLACEHOLDER - 1);
    memcpy(range, br, (size_t)n);

    unsigned char *der = NULL, *stamped = NULL;
    size_t der_len = 0, stamped_len = 0;
    const vp_cms_piece signed_bytes[3] = {{in, o->base}, {o->data, a - o->base}, {o->data + (b - o->base), c}};
    vp_status st = vp_cms_sign_detached_pieces(s, signed_bytes, 3, -1, VP_CMS_PADES | opt->cms_flags, &der, &der_len,
                                               err);
    if (!st && opt->timestamp) {
        st = vp_cms_add_signature_timestamp(der, der_len, opt->timestamp, opt->timestamp_ctx, &stamped, &stamped_len,
                                            err);
        free(der);
        der = stamped;
        der_len = stamped_len;
    }
    *need = der_len;
    if (!st && der_len <= lay->reserve) {
        static const char hexd[] = "0123456789ABCDEF";
        for (size_t i = 0; i < der_len; i++) {
            gap[1 + 2 * i] = (unsigned char)hexd[der[i] >> 4];
            gap[2 + 2 * i] = (unsigned char)hexd[der[i] & 15];
        }
    }
    free(der);
    return st;
}

vp_status vp_pdf_sign_update(const vp_signer *s, const unsigned char *in, size_t len, const vp_pdf_sign_options *opt,
                             unsigned char **update, size_t *update_len, vp_error *err)
{
    pdf_plan pl = {0};
    char when[40];
    struct tm tm;
    *update = NULL;
    *update_len = 0;
    if (!opt || opt->claimed_time < 0)
        return vp_error_set(err, VP_ERR_USAGE, "PDF signing: a claimed signing time (seconds since 1970) is required");
    for (const char *p = opt->reason; p && *p; p++)
        if (*p < 0x20 || *p > 0x7e || p - opt->reason >= VP_PDF_REASON_MAX)
            return vp_error_set(err, VP_ERR_USAGE, "PDF signing: the reason must be printable ASCII of at most %d "
                                "characters", VP_PDF_REASON_MAX);
    time_t t = (time_t)opt->claimed_time;
    if (!gmtime_r(&t, &tm) || !strftime(when, sizeof when, "D:%Y%m%d%H%M%SZ", &tm))
        return vp_error_set(err, VP_ERR_USAGE, "PDF signing: claimed time %lld cannot be written", opt->claimed_time);
    vp_status st = plan(in, len, &pl, err);
    sig_layout lay = {0, 0, RESERVE_BASE + (opt->timestamp ? RESERVE_TS : 0)};
    /* at most twice: the second layout reserves what the first signature needed, plus
     * slack for ECDSA's varying length and a token that may grow */
    for (int attempt = 0; !st && attempt < 2; attempt++) {
        obuf o = {0};
        size_t need = 0;
        if (!(st = layout(&o, in, len, &pl, when, opt, &lay, err)) && !(st = seal(&o, in, s, opt, &lay, &need, err)) &&
            need <= lay.reserve) {
            *update = o.data;
            *update_len = o.len;
            break;
        }
        free(o.data);
        if (!st && attempt == 1)
            st = vp_error_set(err, VP_ERR_INTERNAL, "PDF signing: the signature (%zu bytes) does not fit in %zu", need,
                              lay.reserve);
        lay.reserve = need + 4096;
    }
    vps_pdf_xref_free(&pl.x);
    return st;
}

vp_status vp_pdf_sign(const vp_signer *s, const unsigned char *in, size_t len, const vp_pdf_sign_options *opt,
                      unsigned char **out, size_t *out_len, vp_error *err)
{
    unsigned char *update = NULL;
    size_t update_len = 0;
    *out = NULL;
    *out_len = 0;
    vp_status st = vp_pdf_sign_update(s, in, len, opt, &update, &update_len, err);
    if (st)
        return st;
    unsigned char *whole = malloc(len + update_len);
    if (!whole) {
        free(update);
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    }
    if (len)
        memcpy(whole, in, len);
    memcpy(whole + len, update, update_len);
    free(update);
    *out = whole;
    *out_len = len + update_len;
    return VP_OK;
}
