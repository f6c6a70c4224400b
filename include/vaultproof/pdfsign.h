/*
 * vaultproof/pdfsign.h - an embedded PAdES baseline signature on the PDF report, and its
 * verification.
 *
 * vp_pdf_sign appends one incremental update to a PDF (the original bytes stay
 * untouched): the catalog gains /AcroForm with an invisible signature field, the first
 * page lists the field's widget in /Annots, and a signature dictionary
 *   /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached
 *   /M (D:YYYYMMDDhhmmssZ)  - the claimed signing time (the pinned clock)
 *   /ByteRange [0 a b c]    - everything except the /Contents hex string: the whole file
 *   /Contents <...>         - a detached CMS (CAdES, no signing-time attribute), zero padded
 * plus a new xref section and trailer (/Prev, and /ID, which libharu does not write).
 * pdfsig, `mutool sign -v` and `openssl cms -verify -cades` accept the result.
 *
 * It reads what libharu writes: classic xref tables (a /Prev chain of them is
 * followed), objects found by offset, the catalog's /AcroForm and the first page's
 * /Annots either absent or written inline. Anything else - xref streams (PDF 1.5
 * compressed cross-references), hybrid files, /Encrypt, an indirect /AcroForm or
 * /Annots - is refused with VP_ERR_INPUT naming what was found, never guessed at.
 */
#ifndef VAULTPROOF_PDFSIGN_H
#define VAULTPROOF_PDFSIGN_H

#include <stddef.h>

#include "vaultproof/error.h"
#include "vaultproof/cms.h"
#include "vaultproof/tsa.h"

/* The longest /Reason vp_pdf_sign writes, and the most bytes a signature dictionary may
 * hold before its /ByteRange for vp_pdf_verify to find it: verification looks for the
 * dictionary's start only that far back, which keeps it linear in the file size. */
#define VP_PDF_REASON_MAX 1024
#define VP_PDF_SIG_PREFIX_MAX 4096

typedef struct {
    long long claimed_time;      /* seconds since the epoch, written as /M; required (>= 0) */
    const char *reason;          /* /Reason text (printable ASCII, at most VP_PDF_REASON_MAX), or NULL */
    unsigned cms_flags;          /* 0 or VP_CMS_RSA_PSS; VP_CMS_PADES is implied */
    vp_timestamp_fn timestamp;   /* NULL, or PAdES B-T: a token over the signature value */
    void *timestamp_ctx;         /* passed to timestamp (e.g. a const vp_tsa *) */
} vp_pdf_sign_options;

/* Signs len bytes of PDF at in. On success *out (free with free()) holds in followed by
 * the signing update, *out_len its length. The CMS is sized first and the space for it
 * reserved in /Contents; should it not fit, the update is laid out once more (and, with
 * a timestamp callback, a second token requested).
 * Errors: VP_ERR_USAGE (no claimed time, a reason that is not printable ASCII);
 * VP_ERR_INPUT (not a PDF, or a structure refused above: the message says which and
 * where); whatever vp_cms_sign_detached or the timestamp callback return;
 * VP_ERR_NOMEM. */
vp_status vp_pdf_sign(const vp_signer *s, const unsigned char *in, size_t len, const vp_pdf_sign_options *opt,
                      unsigned char **out, size_t *out_len, vp_error *err);

/* As vp_pdf_sign, but *update (free with free()) holds only the signing update, the
 * bytes to append to the len bytes at in, which are neither copied nor changed: a
 * report of hundreds of megabytes is signed by appending a few kilobytes to its file
 * (what pack does), without a second copy of it in memory. Errors as vp_pdf_sign. */
vp_status vp_pdf_sign_update(const vp_signer *s, const unsigned char *in, size_t len, const vp_pdf_sign_options *opt,
                             unsigned char **update, size_t *update_len, vp_error *err);

/* What vp_pdf_verify found about the last signature of a PDF. */
typedef struct {
    int found;                /* a signature dictionary with /ByteRange and /Contents */
    long long byte_range[4];  /* as written */
    int covers_whole_file;    /* [0 a b c] with b + c == file length and the gap exactly /Contents */
    char subfilter[64];       /* e.g. "ETSI.CAdES.detached" */
    char claimed_time[40];    /* /M as written, e.g. "D:20260930060000Z", or "" */
    vp_cms_verdict cms;       /* the CMS over the byte ranges (trust as vp_cms_verify_detached) */
    int has_timestamp;        /* a signature-time-stamp token is present (PAdES B-T) */
    vp_tsa_verdict timestamp; /* its checks, over the CMS signature value */
} vp_pdf_verdict;

/* Verifies the last signature in the PDF: locates the last /ByteRange (its dictionary
 * starting at most VP_PDF_SIG_PREFIX_MAX bytes before it), requires it to
 * cover the whole file except exactly its /Contents string, requires SubFilter
 * ETSI.CAdES.detached, and checks the CMS over those bytes (signature, ESS
 * signing-certificate-v2, no signing-time attribute, chain to trust_ca_path when given)
 * and any time-stamp token (imprint, signature, TSA chain to tsa_trust_path, or to
 * trust_ca_path when that is NULL).
 * Returns VP_OK when all hold; VP_ERR_CHECK naming the first that does not (no
 * signature, "not the whole file", digest mismatch, untrusted, ...); VP_ERR_INPUT when
 * an anchor file cannot be read; VP_ERR_NOMEM. *out is filled as far as the checks got. */
vp_status vp_pdf_verify(const unsigned char *pdf, size_t len, const char *trust_ca_path, const char *tsa_trust_path,
                        vp_pdf_verdict *out, vp_error *err);

#endif
