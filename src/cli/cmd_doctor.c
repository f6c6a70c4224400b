/* vaultproof doctor: every check an unattended pack depends on, one line each. */
#include <stdio.h>

#include "cli/cli.h"
#include "vaultproof/doctor.h"

static const char synopsis[] =
    "usage: vaultproof doctor --config FILE [--out ARCHIVE_DIR] [--subscription ID ...]\n"
    "                         [--tsa URL] [--ca-bundle FILE] [--now TIME] [live options]\n"
    "\n"
    "Checks, without collecting anything, what a scheduled `vaultproof pack` with the same\n"
    "config and options needs, so a quarterly run does not fail at night for a reason this\n"
    "command shows now. One line per check, as it ends:\n"
    "  ok|warn|FAIL  CHECK  DETAIL\n"
    "  config        the configuration loads\n"
    "  credential    a token for ARM is obtained with the credential chain of live\n"
    "                collection (docs/live-collection.md) and ARM accepts it\n"
    "  subscription  each subscription in scope (--subscription, else scope.subscriptions,\n"
    "                else every one the principal lists) is readable\n"
    "  vaults        its Recovery Services vaults list, and how many are in scope\n"
    "  vault         each vault in scope: its backup configuration is readable (the\n"
    "                Recovery Services read permission a collection needs)\n"
    "  signer        the config's signer loads and its key signs a test message that\n"
    "                verifies with its certificate (file, PKCS#11 or Key Vault key)\n"
    "  certificate   valid now (--now); a warning when it expires within 30 days\n"
    "  ca            signer/ca issued the signer (a warning when none is named)\n"
    "  tsa           the time-stamping authority grants a time-stamp for a test digest\n"
    "  archive       ARCHIVE_DIR is writable (or can be created)\n"
    "  archive-url   the Blob archive (--archive-url or archive.url): one name listed with the\n"
    "                credential or SAS pack uploads with (writing is not probed: a probe\n"
    "                blob in a locked container could never be deleted)\n"
    "  archive-policy  its immutability policy, read through ARM as pack reads it: a Locked\n"
    "                time-based policy is ok, anything else a warning (FAIL with\n"
    "                archive.require_worm)\n"
    "Every check runs even after one failed, except when the config does not load.\n"
    "Nothing secret is printed: Azure errors show their status, code and message.\n"
    "\n";

static const vp_opt_spec specs[] = {
    {"config", "FILE", 0, "vaultproof.json (required), as pack reads it"},
    {"out", "ARCHIVE_DIR", 0, "the archive pack writes to (pack's --out)"},
    {"subscription", "ID", VP_OPT_REPEATABLE, "scope: only this subscription (repeatable; overrides config)"},
    {"tsa", "URL", 0, "RFC 3161 TSA to check (default: the config's signer/tsa)"},
    {"archive-url", "URL", 0, "the Blob archive pack uploads to (pack's --archive-url)"},
    {"ca-bundle", "FILE", 0, "PEM CA certificates for every https connection (ARM, Entra ID,\n"
                             "TSA; default: system CAs); verification is always on"},
    {"token-file", "FILE", VP_OPT_LIVE, "use this token (`az account get-access-token` JSON)"},
    {"arm-endpoint", "URL", VP_OPT_LIVE, "ARM endpoint (default: the config's cloud)"},
    {"authority-host", "URL", VP_OPT_LIVE, "Entra ID authority (default: AZURE_AUTHORITY_HOST)"},
    {"now", "TIME", 0, "judge certificate validity at this time (RFC 3339 UTC or @EPOCH)"},
    {"help", NULL, VP_OPT_HIDDEN, NULL},
};

static const char epilogue[] =
    "\n"
    "Exit status: 0 nothing failed (warnings allowed); otherwise the first that applies:\n"
    "3 the config does not load (nothing else is checked); 4 a credential, endpoint or\n"
    "permission check failed; 5 a signer, certificate, CA or TSA check failed (a key that\n"
    "others can read, which pack refuses with 3, is reported here as a key problem: 5);\n"
    "6 the archive directory is not writable; 2 usage.\n"
    "\n"
    "Example (the service's own check, docs/install.md):\n"
    "  vaultproof doctor --config /etc/vaultproof/vaultproof.json --out /var/lib/vaultproof/archive\n";

const vp_cli_help vp_help_doctor = {"doctor", synopsis, specs, sizeof specs / sizeof specs[0], epilogue};

static void print_check(void *ctx, vp_doctor_level level, vp_doctor_area area, const char *check, const char *detail)
{
    (void)ctx;
    (void)area;
    static const char *const names[] = {"ok", "warn", "FAIL"};
    printf("%-4s  %-12s  %s\n", names[level], check, detail);
    fflush(stdout); /* each line as its check ends: a slow TSA shows where it waits */
}

static vp_status run(const vp_opts *o, int *code, vp_error *err)
{
    vp_doctor_options opt = {0};
    vp_doctor_result res;
    opt.config_path = vp_opts_get(o, "config");
    if (!opt.config_path)
        return vp_error_set(err, VP_ERR_USAGE, "doctor: --config is required; see 'vaultproof help doctor'");
    opt.subscriptions = vp_opts_all(o, "subscription", &opt.subscription_count);
    opt.token_file = vp_opts_get(o, "token-file");
    opt.arm_endpoint = vp_opts_get(o, "arm-endpoint");
    opt.authority_host = vp_opts_get(o, "authority-host");
    opt.ca_bundle = vp_opts_get(o, "ca-bundle");
    opt.tsa_url = vp_opts_get(o, "tsa");
    opt.archive_dir = vp_opts_get(o, "out");
    opt.archive_url = vp_opts_get(o, "archive-url");
    opt.report = print_check;
    vp_status st = vp_cli_clock(o, &opt.clock, err);
    if (st || (st = vp_doctor_run(&opt, &res, err)))
        return st;
    printf("doctor: %zu ok, %zu warning%s, %zu failed\n", res.ok, res.warn, res.warn == 1 ? "" : "s", res.fail);
    *code = vp_doctor_exit_code(&res);
    return VP_OK;
}

int vp_cmd_doctor(int argc, char **argv)
{
    return vp_cli_main(argc, argv, &vp_help_doctor, run);
}
