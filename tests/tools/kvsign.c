/* kvsign - one Key Vault sign operation through vaultproof/keyvault.h, for
 * tests/integration/test_keyvault.py (PS256, which no bundle signature uses).
 *
 *   kvsign KEY_URL ALG DIGEST_HEX OUT_FILE [--ca FILE] [--authority URL]
 *
 * ALG is RS256, PS256 or ES256. Writes the signature as Key Vault returned it to OUT_FILE;
 * on failure the message on stderr and vp_exit_code's exit status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vaultproof/keyvault.h"

int main(int argc, char **argv)
{
    vp_keyvault_options o = {0};
    unsigned char digest[32];
    if (argc < 5 || strlen(argv[3]) != 64)
        return fprintf(stderr, "usage: kvsign KEY_URL RS256|PS256|ES256 DIGEST_HEX(64) OUT [--ca F] [--authority U]\n"),
               2;
    for (int i = 5; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--ca"))
            o.ca_bundle = argv[i + 1];
        else if (!strcmp(argv[i], "--authority"))
            o.authority_host = argv[i + 1];
        else
            return fprintf(stderr, "kvsign: unknown option %s\n", argv[i]), 2;
    }
    for (int i = 0; i < 32; i++)
        if (sscanf(argv[3] + 2 * i, "%2hhx", &digest[i]) != 1)
            return fprintf(stderr, "kvsign: DIGEST_HEX is not hex\n"), 2;
    vp_remote_alg alg = !strcmp(argv[2], "RS256")   ? VP_REMOTE_RS256
                        : !strcmp(argv[2], "PS256") ? VP_REMOTE_PS256
                        : !strcmp(argv[2], "ES256") ? VP_REMOTE_ES256
                                                    : 0;
    o.key_id = argv[1];
    vp_error err = {0};
    vp_keyvault_key *k = NULL;
    unsigned char *sig = NULL;
    size_t n = 0;
    vp_status st = vp_keyvault_open(&o, &k, &err);
    if (!st)
        st = vp_keyvault_sign(k, alg, digest, sizeof digest, &sig, &n, &err);
    if (!st) {
        FILE *fp = fopen(argv[4], "wb");
        if (!fp || fwrite(sig, 1, n, fp) != n || fclose(fp) != 0)
            st = vp_error_set(&err, VP_ERR_IO, "%s: cannot write", argv[4]);
    }
    free(sig);
    vp_keyvault_close(k);
    if (st)
        fprintf(stderr, "kvsign: %s\n", err.message);
    return vp_exit_code(st);
}
