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
    size_t len = 0, update_len = 0;
    unsigned char *update = NULL;
    vp_tsa tsa = {tsa_url, ca_bundle, 0};
    vp_pdf_sign_options po = {claimed_time, REPORT_REASON, 0, tsa_url ? vp_tsa_token_fn : NULL, &tsa};
    vp_status st = vpk_staged_read(staging, VP_BUNDLE_REPORT_PDF, &pdf, &len, err);
    if (st)
        return st;
    /* the signature is an incremental update: appended to the staged file, so the
     * report is held once, not once more with the update and again for the digest */
    st = vp_pdf_sign_update(signer, (const unsigned char *)pdf, len, &po, &update, &update_len, err);
    free(pdf);
    /* a bundle whose report verify would refuse must not be published */
    if (!st && len + update_len > VP_BUNDLE_MAX_REPORT_PDF)
        st = vp_error_set(err, VP_ERR_INPUT,
                          "%zu bytes, more than the %llu verify reads: the estate lists too many exceptions for one "
                          "report; pack it in parts (scope in the config)",
                          len + update_len, (unsigned long long)VP_BUNDLE_MAX_REPORT_PDF);
    if (!st)
        st = vpk_staged_append(staging, VP_BUNDLE_REPORT_PDF, update, update_len, err);
    else
        vp_error_prefix(err, "%s", VP_BUNDLE_REPORT_PDF);
    free(update);
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
