/* The RFC 3161 parser and checks (src/sign/tsa.c) on arbitrary bytes: the input as a
 * whole TimeStampResp (a .tsr) and as a bare TimeStampToken, over fixed data, without and
 * with the fuzz run's trust anchor. Oracle: a response or token that checks has its
 * imprint and signature verified and a genTime. */
#include "fuzz.h"
#include "vaultproof/tsa.h"

static const char stamped[] = "vaultproof fuzz: the bytes the time-stamp is over";

static void check(const char *what, vp_status st, const vp_tsa_verdict *v)
{
    if (st == VP_OK && (!v->imprint_ok || !v->signature_ok || v->gen_time < 0))
        vp_fuzz_fail("tsa", "%s accepted with imprint_ok=%d signature_ok=%d gen_time=%lld", what, v->imprint_ok,
                     v->signature_ok, v->gen_time);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vp_tsa_verdict v;
    vp_error err = {0};
    const char *trust = vp_fuzz_trust();

    check("response", vp_tsa_verify_response(data, size, stamped, sizeof stamped - 1, NULL, &v, &err), &v);
    check("token", vp_tsa_verify_token(data, size, stamped, sizeof stamped - 1, NULL, &v, &err), &v);
    if (trust)
        check("response (anchored)",
              vp_tsa_verify_response(data, size, stamped, sizeof stamped - 1, trust, &v, &err), &v);
    return 0;
}
