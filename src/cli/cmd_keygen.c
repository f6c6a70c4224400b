/* vaultproof keygen: demo signing keys (NOT FOR PRODUCTION) for trying pack and verify. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "vaultproof/keygen.h"

static const char synopsis[] =
    "usage: vaultproof keygen --out DIR [--now TIME]\n"
    "\n"
    "Writes a throw-away signing identity for demos and tests into DIR (created if needed):\n"
    "  ca.pem       a self-signed test CA certificate (its key is not kept)\n"
    "  signer.pem   a document-signing certificate issued by that CA\n"
    "  signer.key   its ECDSA P-256 private key, mode 0600\n"
    "Both subjects say NOT FOR PRODUCTION. An existing signer.key is never overwritten.\n"
    "For real evidence use keys from your PKI (PEM, optionally encrypted, or PKCS#12).\n"
    "\n";

static const vp_opt_spec specs[] = {
    {"out", "DIR", 0, "where to write (required)"},
    {"now", "TIME", 0, "validity starts here (RFC 3339 UTC or @EPOCH); SOURCE_DATE_EPOCH too"},
    {"help", NULL, VP_OPT_HIDDEN, NULL},
};

static const char epilogue[] =
    "\n"
    "Exit status: 0 written; 2 usage; 5 key generation failed; 6 signer.key exists or a file\n"
    "cannot be written.\n"
    "\n"
    "Check the result with standard tools:\n"
    "  openssl verify -CAfile DIR/ca.pem DIR/signer.pem\n";

const vp_cli_help vp_help_keygen = {"keygen", synopsis, specs, sizeof specs / sizeof specs[0], epilogue};

static vp_status run(const vp_opts *o, int *code, vp_error *err)
{
    vp_clock clock;
    const char *out = vp_opts_get(o, "out");
    vp_status st;
    if (!out)
        return vp_error_set(err, VP_ERR_USAGE, "keygen: --out DIR is required; see 'vaultproof help keygen'");
    if ((st = vp_cli_clock(o, &clock, err)))
        return st;
    if (mkdir(out, 0700) != 0 && errno != EEXIST)
        return vp_error_set(err, VP_ERR_IO, "keygen: %s: cannot create directory: %s", out, strerror(errno));
    if ((st = vp_keygen(out, clock.epoch, err)))
        return st;
    printf("keygen: wrote %s/ca.pem, %s/signer.pem and %s/signer.key (0600): demo keys, NOT FOR PRODUCTION\n", out, out,
           out);
    *code = 0;
    return VP_OK;
}

int vp_cmd_keygen(int argc, char **argv)
{
    return vp_cli_main(argc, argv, &vp_help_keygen, run);
}
