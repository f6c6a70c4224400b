/* The PDF scanner (src/sign/pdfscan.c) and the PAdES verifier (src/sign/pdfverify.c) on
 * arbitrary bytes: vp_pdf_verify with the fuzz run's trust anchor (see verify.c), then the
 * scanner alone - the xref chain, and every listed object read as a dictionary with a
 * few keys looked up, as the signer does when it updates a PDF.
 * Oracle: no crash, leak, hang or sanitizer report; a PDF that verifies has a signature
 * whose byte range covers the whole file and a valid CMS. */
#include <stdlib.h>

#include "fuzz.h"
#include "sign/pdfscan_internal.h"
#include "vaultproof/pdfsign.h"

static void scan(const unsigned char *pdf, size_t len)
{
    vpdf_xref x = {0};
    vp_error err = {0};
    static const char *const keys[] = {"/Root", "/Type", "/Pages", "/AcroForm", "/Fields", "/V", "/ByteRange",
                                       "/Contents", "/Kids", "/Annots"};

    if (vps_pdf_read_xref(pdf, len, &x, &err))
        return;
    vpdf_span val, inner;
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        vps_pdf_dict_get(x.trailer, keys[k], &val);
    /* the scanner's cost per object is what is under test, not a loop over 10^9 slots */
    for (size_t i = 0; i < x.count && i < 4096; i++) {
        vpdf_span dict;
        if (x.state[i] != 1 || vps_pdf_object_dict(pdf, len, &x, (long)i, &dict, &err))
            continue;
        if (!vps_pdf_inner(dict, "<<", &inner))
            continue;
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            long num, gen;
            long long n;
            if (vps_pdf_dict_get(inner, keys[k], &val)) {
                vps_pdf_ref(val, &num, &gen);
                vps_pdf_uint(val, &n);
                vps_pdf_is_name(val, "/Sig");
                vpdf_span arr;
                vps_pdf_inner(val, "[", &arr);
            }
        }
    }
    vps_pdf_xref_free(&x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *trust = vp_fuzz_trust();

    vp_pdf_verdict *v = calloc(1, sizeof *v);
    vp_error err = {0};
    if (!v)
        return 0;
    vp_status st = vp_pdf_verify(data, size, trust, NULL, v, &err);
    if (st == VP_OK) {
        if (!v->found || !v->covers_whole_file || !v->cms.signature_valid)
            vp_fuzz_fail("pdf", "verified, but found=%d covers_whole_file=%d signature_valid=%d", v->found,
                         v->covers_whole_file, v->cms.signature_valid);
        if (v->byte_range[0] != 0 || v->byte_range[2] + v->byte_range[3] != (long long)size)
            vp_fuzz_fail("pdf", "verified, but /ByteRange [%lld %lld %lld %lld] does not end at %zu",
                         v->byte_range[0], v->byte_range[1], v->byte_range[2], v->byte_range[3], size);
    }
    free(v);
    scan(data, size);
    return 0;
}
