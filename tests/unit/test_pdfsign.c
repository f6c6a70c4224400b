/* The PDF signer's scanner and ByteRange logic on small hand-made PDFs: merges, refusals,
 * a /Prev chain, and vp_pdf_verify's whole-file rule. (pdfsig/mutool/openssl cross-checks
 * on real reports are in tests/integration/test_pdfsign.py.) */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "vaultproof/cms.h"
#include "vaultproof/keygen.h"
#include "vaultproof/keys.h"
#include "vaultproof/pdfsign.h"
#include "vp_test.h"

#define T0 1790000000LL

/* A one-page classic-xref PDF like libharu's, with extra text in the catalog, page and
 * trailer dictionaries; offsets computed here. Returns a malloc'd buffer. */
static unsigned char *make_pdf(const char *catalog_extra, const char *page_extra, const char *trailer_extra,
                               size_t *len)
{
    const char *objs[4];
    char cat[512], page[512], buf[4096];
    size_t off[4], n = 0;
    snprintf(cat, sizeof cat, "<<\n/Type /Catalog\n/Pages 2 0 R\n%s>>", catalog_extra);
    snprintf(page, sizeof page, "<<\n/Type /Page\n/Parent 2 0 R\n/MediaBox [ 0 0 595 842 ]\n%s>>", page_extra);
    objs[0] = cat;
    objs[1] = "<<\n/Type /Pages\n/Kids [ 3 0 R ]\n/Count 1\n>>";
    objs[2] = page;
    objs[3] = "<<\n/Producer (Haru Free PDF Library 2.3.0)\n>>";
    n += (size_t)snprintf(buf + n, sizeof buf - n, "%%PDF-1.3\n%%\xb7\xbe\xad\xaa\n");
    for (int i = 0; i < 4; i++) {
        off[i] = n;
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%d 0 obj\n%s\nendobj\n", i + 1, objs[i]);
    }
    size_t xref = n;
    n += (size_t)snprintf(buf + n, sizeof buf - n, "xref\n0 5\n0000000000 65535 f\r\n");
    for (int i = 0; i < 4; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%010zu 00000 n\r\n", off[i]);
    n += (size_t)snprintf(buf + n, sizeof buf - n,
                          "trailer\n<<\n/Root 1 0 R\n/Info 4 0 R\n/Size 5\n%s>>\nstartxref\n%zu\n%%%%EOF\n",
                          trailer_extra, xref);
    ck_assert_uint_lt(n, sizeof buf);
    unsigned char *out = malloc(n);
    ck_assert_ptr_nonnull(out);
    memcpy(out, buf, n);
    *len = n;
    return out;
}

typedef struct {
    char dir[256];
    vp_signer *signer;
} fixture;

static void setup(fixture *f)
{
    char key[512], cert[512];
    vp_error err;
    const char *base = getenv("TMPDIR");
    snprintf(f->dir, sizeof f->dir, "%s/vp_pdfsign_XXXXXX", base && *base ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(f->dir));
    ck_assert_int_eq(vp_keygen(f->dir, T0, &err), VP_OK);
    snprintf(key, sizeof key, "%s/signer.key", f->dir);
    snprintf(cert, sizeof cert, "%s/signer.pem", f->dir);
    ck_assert_int_eq(vp_signer_load(key, cert, NULL, NULL, &f->signer, &err), VP_OK);
}

static void teardown(fixture *f)
{
    char cmd[512];
    vp_signer_free(f->signer);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    ck_assert_int_eq(system(cmd), 0);
}

static vp_status sign(fixture *f, const unsigned char *in, size_t len, unsigned char **out, size_t *out_len,
                      vp_error *err)
{
    vp_pdf_sign_options o = {T0, "unit test", 0, NULL, NULL};
    return vp_pdf_sign(f->signer, in, len, &o, out, out_len, err);
}

static int contains(const unsigned char *hay, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (!memcmp(hay + i, needle, n))
            return 1;
    return 0;
}

START_TEST(sign_then_verify)
{
    fixture f;
    setup(&f);
    char ca[512];
    size_t len, out_len;
    unsigned char *in = make_pdf("", "", "", &len), *out = NULL;
    vp_error err;
    vp_pdf_verdict v;
    snprintf(ca, sizeof ca, "%s/ca.pem", f.dir);
    ck_assert_int_eq(sign(&f, in, len, &out, &out_len, &err), VP_OK);
    ck_assert_mem_eq(out, in, len); /* an incremental update: the original is untouched */
    ck_assert(contains(out, out_len, "/M (D:20260921141320Z)"));
    ck_assert(contains(out, out_len, "/Reason (unit test)"));
    ck_assert(contains(out, out_len, "/AcroForm << /Fields [ 5 0 R] /SigFlags 3 >>"));
    ck_assert(contains(out, out_len, "/Annots [ 5 0 R]"));
    ck_assert(contains(out, out_len, "/Prev "));
    ck_assert_int_eq(vp_pdf_verify(out, out_len, ca, NULL, &v, &err), VP_OK);
    ck_assert(v.found && v.covers_whole_file && v.cms.chain_trusted && !v.cms.has_signing_time);
    ck_assert_str_eq(v.subfilter, "ETSI.CAdES.detached");
    ck_assert_int_eq(v.byte_range[2] + v.byte_range[3], (long long)out_len);

    /* one changed byte in the first range: the digest no longer matches */
    unsigned char *bad = malloc(out_len + 16);
    memcpy(bad, out, out_len);
    bad[20] ^= 1;
    ck_assert_int_eq(vp_pdf_verify(bad, out_len, ca, NULL, &v, &err), VP_ERR_CHECK);
    ck_assert_ptr_nonnull(strstr(err.message, "does not match"));
    /* bytes appended: the signature still verifies but no longer covers the file */
    memcpy(bad, out, out_len);
    memcpy(bad + out_len, "%% more\n", 8);
    ck_assert_int_eq(vp_pdf_verify(bad, out_len + 8, ca, NULL, &v, &err), VP_ERR_CHECK);
    ck_assert_ptr_nonnull(strstr(err.message, "not the whole document signed"));
    ck_assert_int_eq(v.covers_whole_file, 0);
    /* no signature at all */
    ck_assert_int_eq(vp_pdf_verify(in, len, ca, NULL, &v, &err), VP_ERR_CHECK);
    ck_assert_int_eq(v.found, 0);
    free(bad);
    free(out);
    free(in);
    teardown(&f);
}
END_TEST

START_TEST(merges_existing_annots_and_acroform)
{
    fixture f;
    setup(&f);
    size_t len, out_len;
    unsigned char *in = make_pdf("/AcroForm << /Fields [ 9 0 R ] /DA (/Helv 0 Tf 0 g) /SigFlags 1 >>\n",
                                 "/Annots [ 8 0 R ]\n", "/ID [<00112233445566778899aabbccddeeff> <00>]\n", &len);
    unsigned char *out = NULL;
    vp_error err;
    ck_assert_int_eq(sign(&f, in, len, &out, &out_len, &err), VP_OK);
    ck_assert(contains(out + len, out_len - len, "/AcroForm <<\n/DA (/Helv 0 Tf 0 g) /Fields [ 9 0 R  5 0 R] "
                                                 "/SigFlags 3 >>"));
    ck_assert(contains(out + len, out_len - len, "/Annots [ 8 0 R  5 0 R]"));
    ck_assert(!contains(out + len, out_len - len, "/SigFlags 1"));
    /* the document's first /ID element is kept */
    ck_assert(contains(out + len, out_len - len, "/ID [<00112233445566778899aabbccddeeff> <"));
    free(out);
    free(in);
    teardown(&f);
}
END_TEST

START_TEST(signs_twice_following_prev)
{
    fixture f;
    setup(&f);
    char ca[512];
    size_t len, l1, l2;
    unsigned char *in = make_pdf("", "", "", &len), *s1 = NULL, *s2 = NULL;
    vp_error err;
    vp_pdf_verdict v;
    snprintf(ca, sizeof ca, "%s/ca.pem", f.dir);
    ck_assert_int_eq(sign(&f, in, len, &s1, &l1, &err), VP_OK);
    ck_assert_int_eq(sign(&f, s1, l1, &s2, &l2, &err), VP_OK);
    /* the second update found the first one's form and widget through /Prev */
    ck_assert(contains(s2 + l1, l2 - l1, "/Fields [ 5 0 R 7 0 R]"));
    ck_assert(contains(s2 + l1, l2 - l1, "/Annots [ 5 0 R 7 0 R]"));
    ck_assert_int_eq(vp_pdf_verify(s2, l2, ca, NULL, &v, &err), VP_OK);
    ck_assert_int_eq(v.byte_range[2] + v.byte_range[3], (long long)l2);
    free(s2);
    free(s1);
    free(in);
    teardown(&f);
}
END_TEST

/* The SignerInfo's signatureAlgorithm is outside the signature; an altered one must not
 * pass (OpenSSL alone verifies with the key's algorithm whatever it says). */
START_TEST(altered_signature_algorithm_is_refused)
{
    fixture f;
    setup(&f);
    static const unsigned char ecdsa_sha256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
    unsigned char *der = NULL;
    size_t der_len = 0, last = 0;
    vp_error err;
    vp_cms_verdict v;
    ck_assert_int_eq(vp_cms_sign_detached(f.signer, "data", 4, -1, VP_CMS_PADES, &der, &der_len, &err), VP_OK);
    ck_assert_int_eq(vp_cms_verify_detached(der, der_len, "data", 4, NULL, &v, &err), VP_OK);
    for (size_t i = 0; i + sizeof ecdsa_sha256 <= der_len; i++) /* the last one is the SignerInfo's */
        if (!memcmp(der + i, ecdsa_sha256, sizeof ecdsa_sha256))
            last = i;
    ck_assert_uint_gt(last, 0);
    der[last + 4] ^= 0xc0; /* another, unknown OID */
    ck_assert_int_eq(vp_cms_verify_detached(der, der_len, "data", 4, NULL, &v, &err), VP_ERR_CHECK);
    ck_assert_ptr_nonnull(strstr(err.message, "algorithm identifier"));
    free(der);
    teardown(&f);
}
END_TEST

static void expect_refused(fixture *f, const unsigned char *in, size_t len, const char *why)
{
    unsigned char *out = (unsigned char *)"untouched";
    size_t out_len = 1;
    vp_error err;
    ck_assert_int_eq(sign(f, in, len, &out, &out_len, &err), VP_ERR_INPUT);
    ck_assert_ptr_null(out);
    ck_assert_msg(strstr(err.message, why) != NULL, "'%s' does not say '%s'", err.message, why);
}

START_TEST(refuses_what_it_cannot_handle)
{
    fixture f;
    setup(&f);
    size_t len;
    unsigned char *in = make_pdf("", "", "/Encrypt 6 0 R\n", &len);
    expect_refused(&f, in, len, "/Encrypt");
    free(in);
    in = make_pdf("/AcroForm 7 0 R\n", "", "", &len);
    expect_refused(&f, in, len, "indirect /AcroForm");
    free(in);
    in = make_pdf("", "/Annots 7 0 R\n", "", &len);
    expect_refused(&f, in, len, "/Annots is not an inline array");
    free(in);
    in = make_pdf("", "", "/XRefStm 100\n", &len);
    expect_refused(&f, in, len, "/XRefStm");
    free(in);

    /* a PDF 1.5 cross-reference stream where the xref table would be */
    static const char xrefstm[] = "%PDF-1.5\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
                                  "2 0 obj\n<< /Type /XRef /Size 3 /W [1 2 1] /Root 1 0 R /Length 0 >>\nstream\n"
                                  "\nendstream\nendobj\nstartxref\n45\n%%EOF\n";
    expect_refused(&f, (const unsigned char *)xrefstm, sizeof xrefstm - 1, "xref stream");
    static const char notpdf[] = "hello, not a PDF at all\n";
    expect_refused(&f, (const unsigned char *)notpdf, sizeof notpdf - 1, "%PDF-1.x header");
    /* a truncated file: startxref gone */
    in = make_pdf("", "", "", &len);
    expect_refused(&f, in, len - 30, "startxref");
    free(in);
    teardown(&f);
}
END_TEST

/* CPU seconds this process has used. */
static double cpu_seconds(void)
{
    struct rusage ru;
    ck_assert_int_eq(getrusage(RUSAGE_SELF, &ru), 0);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

/* The signature-dictionary search is linear (issue 12, point 5): 70 nested "<<" before
 * the last /ByteRange, followed by an array that never closes, made every one of 64
 * candidates parse to the end of the file (4-5 s of CPU for these 16 MiB, 47 s for a
 * hostile bundle). The generator of tests/fuzz/regressions/pdf/sigdict-quadratic.pdf. */
START_TEST(signature_search_is_linear)
{
    static const char head[] = "%PDF-1.4\n", tail[] = "/ByteRange [";
    size_t fill = 16u << 20, n = 0, nest = 70;
    unsigned char *pdf = malloc(sizeof head + 3 * nest + sizeof tail + fill);
    ck_assert_ptr_nonnull(pdf);
    memcpy(pdf, head, sizeof head - 1);
    n += sizeof head - 1;
    for (size_t i = 0; i < nest; i++, n += 3)
        memcpy(pdf + n, "<< ", 3);
    memcpy(pdf + n, tail, sizeof tail - 1);
    n += sizeof tail - 1;
    for (size_t i = 0; i < fill / 2; i++, n += 2)
        memcpy(pdf + n, "0 ", 2);
    vp_pdf_verdict v;
    vp_error err = {0};
    double t0 = cpu_seconds();
    ck_assert_int_eq(vp_pdf_verify(pdf, n, NULL, NULL, &v, &err), VP_ERR_CHECK);
    double used = cpu_seconds() - t0;
    ck_assert_ptr_nonnull(strstr(err.message, "none found"));
    ck_assert_msg(used < 2.0, "the search took %.2f s of CPU for %zu bytes", used, n);
    free(pdf);
}
END_TEST

/* The search still finds the dictionary past decoys: "<<" inside the /Reason string, a
 * /ByteRange in a comment after the real one (the last occurrence), and refuses a
 * dictionary starting further than VP_PDF_SIG_PREFIX_MAX before its /ByteRange. */
START_TEST(signature_search_skips_decoys)
{
    fixture f;
    setup(&f);
    size_t len, out_len;
    unsigned char *in = make_pdf("", "", "", &len), *out = NULL;
    vp_error err;
    vp_pdf_verdict v;
    vp_pdf_sign_options o = {T0, "a << b >> c (<<)", 0, NULL, NULL};
    ck_assert_int_eq(vp_pdf_sign(f.signer, in, len, &o, &out, &out_len, &err), VP_OK);
    ck_assert_msg(vp_pdf_verify(out, out_len, NULL, NULL, &v, &err) == VP_OK, "%s", err.message);

    /* a commented-out /ByteRange appended: it is the last one, and not a key */
    unsigned char *more = malloc(out_len + 64);
    memcpy(more, out, out_len);
    memcpy(more + out_len, "<< % /ByteRange [0 0 0 0]\n>>\n", 29);
    ck_assert_int_eq(vp_pdf_verify(more, out_len + 29, NULL, NULL, &v, &err), VP_ERR_CHECK);
    ck_assert_int_eq(v.found, 0);
    free(more);

    /* the longest reason fits the search window; a longer one is refused when signing */
    char reason[VP_PDF_REASON_MAX + 2];
    memset(reason, ')', VP_PDF_REASON_MAX); /* each escaped: twice the bytes */
    reason[VP_PDF_REASON_MAX] = '\0';
    o.reason = reason;
    free(out);
    ck_assert_int_eq(vp_pdf_sign(f.signer, in, len, &o, &out, &out_len, &err), VP_OK);
    ck_assert_msg(vp_pdf_verify(out, out_len, NULL, NULL, &v, &err) == VP_OK, "%s", err.message);
    free(out);
    out = NULL;
    strcat(reason, "x");
    ck_assert_int_eq(vp_pdf_sign(f.signer, in, len, &o, &out, &out_len, &err), VP_ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.message, "at most 1024"));
    free(in);
    teardown(&f);
}
END_TEST

/* pack appends vp_pdf_sign_update's bytes to the staged report: they are exactly what
 * vp_pdf_sign adds after the original bytes (the signature's hex aside: ECDSA is
 * randomized), and the file they make verifies. The CMS over pieces is the CMS over
 * their concatenation, whatever the cuts (an empty piece included). */
START_TEST(update_is_what_sign_appends)
{
    fixture f;
    setup(&f);
    size_t len, out_len, up_len;
    unsigned char *in = make_pdf("", "", "", &len), *out = NULL, *up = NULL;
    vp_error err;
    vp_pdf_verdict v;
    vp_pdf_sign_options o = {T0, "unit test", 0, NULL, NULL};
    ck_assert_int_eq(vp_pdf_sign(f.signer, in, len, &o, &out, &out_len, &err), VP_OK);
    ck_assert_int_eq(vp_pdf_sign_update(f.signer, in, len, &o, &up, &up_len, &err), VP_OK);
    ck_assert_uint_eq(out_len, len + up_len);
    ck_assert(!memcmp(out, in, len));
    const unsigned char *gap = (const unsigned char *)strstr((const char *)up, "/Contents <");
    ck_assert_ptr_nonnull(gap);
    size_t a = (size_t)(gap - up) + 11, b = a + (size_t)(strchr((const char *)up + a, '>') - (const char *)up - a);
    ck_assert_uint_gt(b, a + 1000);
    ck_assert(!memcmp(out + len, up, a));                    /* up to the signature's hex */
    ck_assert(!memcmp(out + len + b, up + b, up_len - b));    /* from its end */
    unsigned char *whole = malloc(len + up_len);
    ck_assert_ptr_nonnull(whole);
    memcpy(whole, in, len);
    memcpy(whole + len, up, up_len);
    ck_assert_msg(vp_pdf_verify(whole, len + up_len, NULL, NULL, &v, &err) == VP_OK, "%s", err.message);
    ck_assert(v.covers_whole_file);

    static const char text[] = "the signed bytes, cut anywhere";
    const vp_cms_piece pieces[4] = {{text, 3}, {NULL, 0}, {text + 3, 10}, {text + 13, sizeof text - 14}};
    unsigned char *der = NULL;
    size_t der_len = 0;
    vp_cms_verdict cv;
    ck_assert_int_eq(vp_cms_sign_detached_pieces(f.signer, pieces, 4, -1, VP_CMS_DEFAULT, &der, &der_len, &err), VP_OK);
    ck_assert_int_eq(vp_cms_verify_detached(der, der_len, text, sizeof text - 1, NULL, &cv, &err), VP_OK);
    ck_assert(cv.signature_valid);
    ck_assert_int_ne(vp_cms_verify_detached(der, der_len, text, sizeof text - 2, NULL, &cv, &err), VP_OK);
    ck_assert(!cv.signature_valid);
    free(der), free(whole), free(up), free(out), free(in);
    teardown(&f);
}
END_TEST

Suite *pdfsign_suite(void)
{
    Suite *s = suite_create("pdfsign");
    TCase *tc = tcase_create("pdfsign");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, sign_then_verify);
    tcase_add_test(tc, merges_existing_annots_and_acroform);
    tcase_add_test(tc, signs_twice_following_prev);
    tcase_add_test(tc, refuses_what_it_cannot_handle);
    tcase_add_test(tc, altered_signature_algorithm_is_refused);
    tcase_add_test(tc, signature_search_is_linear);
    tcase_add_test(tc, signature_search_skips_decoys);
    tcase_add_test(tc, update_is_what_sign_appends);
    suite_add_tcase(s, tc);
    return s;
}
