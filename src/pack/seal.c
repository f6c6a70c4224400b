/* The pack steps that seal the report and time-stamp the manifest signature. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pack/pack_internal.h"
#include "vaultproof/cms.h"
#include "vaultproof/fileio.h"
#include "vaultproof/pack.h"
#include "vaultproof/pdfsign.h"
#include "vaultproof/tsa.h"

#define REPORT_REASON "Evidence report sealed by vaultproof"

vp_status vpk_sign_report(vpk_staging *staging, const vp_signer *signer, const char *tsa_url, const char *ca_bundle,
                          long long claimed_time, vp_error *err)
{
    char *pdf = NULL;
    size_t len = 0, out_len = 0;
    unsigned char *out = NULL;
    vp_tsa tsa = {tsa_url, ca_bundle, 0};
    vp_pdf_sign_options po = {claimed_time, REPORT_REASON, 0, tsa_url ? vp_tsa_token_fn : NULL, &tsa};
    vp_status st = vpk_staged_read(staging, VP_BUNDLE_REPORT_PDF, &pdf, &len, err);
    if (st)
        return st;
    st = vp_pdf_sign(signer, (const unsigned char *)pdf, len, &po, &out, &out_len, err);
    free(pdf);
    /* a bundle whose report verify would refuse must not be published */
    if (!st && out_len > VP_BUNDLE_MAX_REPORT_PDF)
        st = vp_error_set(err, VP_ERR_INPUT,
                          "%zu bytes, more than the %llu verify reads: the estate lists too many exceptions for one "
                          "report; pack it in parts (scope in the config)",
                          out_len, (unsigned long long)VP_BUNDLE_MAX_REPORT_PDF);
    /* the staged file was created exclusively; replace it the same way */
    if (!st && !(st = vpk_staged_unlink(staging, VP_BUNDLE_REPORT_PDF, err)))
        st = vpk_staged_write(staging, VP_BUNDLE_REPORT_PDF, out, out_len, err);
    else if (st)
        vp_error_prefix(err, "%s", VP_BUNDLE_REPORT_PDF);
    free(out);
    return st;
}

vp_status vpk_timestamp_manifest(vpk_staging *staging, const char *tsa_url, const char *ca_bundle, unsigned char **der,
                                 size_t *der_len, vp_error *err)
{
    unsigned char *stamped = NULL, *resp = NULL;
    size_t stamped_len = 0, resp_len = 0;
    vp_tsa tsa = {tsa_url, ca_bundle, 0};
    vp_status st = vp_cms_add_signature_timestamp(*der, *der_len, vp_tsa_token_fn, &tsa, &stamped, &stamped_len, err);
    if (st)
        return vp_error_prefix(err, "%s", VP_BUNDLE_SIGNATURE);
    free(*der);
    *der = stamped;
    *der_len = stamped_len;
    /* the .tsr stamps the final signature file, so `openssl ts -verify -data
     * manifest.json.p7s` needs nothing but the bundle */
    if ((st = vp_tsa_stamp(&tsa, stamped, stamped_len, &resp, &resp_len, NULL, NULL, err)))
        return vp_error_prefix(err, "%s", VP_BUNDLE_TSR);
    st = vpk_staged_write(staging, VP_BUNDLE_TSR, resp, resp_len, err);
    free(resp);
    return st;
}
