/* The detached CMS verifier (src/sign/cms.c) on arbitrary bytes. Input: two bytes of
 * big-endian length L, L bytes of signed content, then the DER signature (a seed is a
 * ledger line and its .p7s). Checked with vp_cms_verify_detached without and with the
 * fuzz run's trust anchor, and vp_cms_signature_timestamp.
 * Oracle: a signature that verifies has signature_valid set and a matching
 * signing-certificate-v2; with an anchor, a trusted chain. */
#include <stdlib.h>

#include "fuzz.h"
#include "vaultproof/cms.h"

static void check(const char *what, vp_status st, const vp_cms_verdict *v, int anchored)
{
    if (st == VP_OK && (!v->signature_valid || !v->signing_cert_v2 || !v->signing_cert_v2_match ||
                        (anchored && (!v->chain_checked || !v->chain_trusted))))
        vp_fuzz_fail("cms", "%s accepted with signature_valid=%d signing_cert_v2=%d/%d chain=%d/%d", what,
                     v->signature_valid, v->signing_cert_v2, v->signing_cert_v2_match, v->chain_checked,
                     v->chain_trusted);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t clen = (size_t)data[0] << 8 | data[1];
    if (clen > size - 2)
        clen = size - 2;
    const uint8_t *content = data + 2, *der = data + 2 + clen;
    size_t der_len = size - 2 - clen;
    vp_cms_verdict v;
    vp_error err = {0};
    const char *trust = vp_fuzz_trust();

    check("signature", vp_cms_verify_detached(der, der_len, content, clen, NULL, &v, &err), &v, 0);
    if (trust)
        check("signature (anchored)", vp_cms_verify_detached(der, der_len, content, clen, trust, &v, &err), &v, 1);
    unsigned char *sigval = NULL, *token = NULL;
    size_t sigval_len = 0, token_len = 0;
    if (vp_cms_signature_timestamp(der, der_len, &sigval, &sigval_len, &token, &token_len, &err) == VP_OK) {
        free(sigval);
        free(token);
    }
    return 0;
}
