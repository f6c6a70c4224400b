/* vaultproof pack: one signed, reproducible evidence bundle per period or request. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "vaultproof/pack.h"
#include "vaultproof/keys.h"

static const char synopsis[] =
    "usage: vaultproof pack --config FILE [--replay DIR] (--period YYYY-Qn | --request-id ID)\n"
    "                       --out ARCHIVE_DIR [--key FILE --cert FILE [--chain FILE]\n"
    "                       [--passphrase-file F | --passphrase-env NAME]] [--ca FILE]\n"
    "                       [--key pkcs11:URI --cert FILE [--pin-env NAME] [--pkcs11-module SO]]\n"
    "                       [--now TIME [--reproducible]]\n"
    "                       [--tsa URL] [--ca-bundle FILE] [--subscription ID ...] [live options]\n"
    "\n"
    "Collects live from Azure Resource Manager (recording every response into the bundle's\n"
    "raw/; credentials as for `vaultproof collect`, docs/live-collection.md) or from the\n"
    "--replay directory, evaluates it, renders the report and workbook, and publishes\n"
    "everything as one signed bundle in ARCHIVE_DIR:\n"
    "  <organization>-<period or request id>-<YYYYMMDDThhmmssZ>.tar.gz\n"
    "holding raw/ (the responses), data/ (snapshot, findings, OSCAL; with --period the\n"
    "quarter's backup jobs, jobs.jsonl, collected over it), report/ (PDF, XLSX),\n"
    "certs/, seal/ (when the responses were sealed at capture: a live pack seals raw/;\n"
    "--replay of a sealed recording checks it first and refuses an altered one, exit 1),\n"
    "README.txt (how to verify by hand, naming the CA to trust by fingerprint),\n"
    "manifest.json (every file's size and SHA-256 and what was packed), manifest.json.p7s\n"
    "(detached CMS over manifest.json), SHA256SUMS (every other file) and SHA256SUMS.p7s\n"
    "(detached CMS over SHA256SUMS). The bundle is appended to ARCHIVE_DIR/ledger.jsonl, and its snapshot\n"
    "kept in ARCHIVE_DIR/snapshots/<period>/ as a baseline for later packs of the period.\n"
    "With a pinned clock (--now, SOURCE_DATE_EPOCH) the bundle is byte-reproducible for\n"
    "RSA keys; ECDSA signatures are randomized, so then only manifest.json.p7s differs.\n"
    "A pinned clock is refused with a signer that is not a demo signer unless --reproducible\n"
    "is given; manifest.json records whether the clock was pinned (\"clock\").\n"
    "\n"
    "report/report.pdf also carries its own embedded PAdES signature (ETSI.CAdES.detached,\n"
    "covering the whole file, claimed time in /M), made before the manifest is written.\n"
    "With --tsa, an RFC 3161 time-stamping authority stamps the PDF signature (PAdES B-T)\n"
    "and the manifest signature (a token inside manifest.json.p7s, and manifest.json.tsr\n"
    "over the bytes of manifest.json.p7s); any time-stamp failure fails the pack (exit 5).\n"
    "\n";

static const vp_opt_spec specs[] = {
    {"config", "FILE", 0, "vaultproof.json (required)"},
    {"replay", "DIR", 0, "ARM responses to collect from instead of calling Azure"},
    {"period", "YYYY-Qn", 0, "reporting period: collected over (its backup jobs kept as\n"
                             "data/jobs.jsonl) and enables baselines; \"last-quarter\": the\n"
                             "last quarter that ended before the run's clock (--now), as\n"
                             "the systemd timer runs it; and/or"},
    {"request-id", "ID", 0, "the auditor's request reference"},
    {"out", "ARCHIVE_DIR", 0, "where bundles, ledger.jsonl and snapshots/ live (required)"},
    {"key", "FILE", 0, "signer key (PEM, mode 0600, or .p12 without --cert), an Azure Key\n"
                       "Vault key https://VAULT.vault.azure.net/keys/NAME/VERSION, or a key\n"
                       "in a token: pkcs11:token=LABEL;object=LABEL (PIN: --pin-env);\n"
                       "without --key, the config's \"signer\" object (key, pkcs11_uri or\n"
                       "key_vault_key, cert, chain, passphrase_env or passphrase_file,\n"
                       "pin_env, tsa; docs/config.md)"},
    {"cert", "FILE", 0, "the signer's certificate (PEM), with --key"},
    {"chain", "FILE", 0, "intermediate certificates to embed and ship in certs/"},
    {"ca", "FILE", 0, "the CA certificate (PEM) auditors should trust: README.txt prints its\n"
                      "subject and SHA-256 fingerprint; it must have issued the signer (exit 5\n"
                      "otherwise). Default: the config's signer/ca, else the self-signed last\n"
                      "certificate of --chain; without one, a warning"},
    {"passphrase-file", "FILE", 0, "key passphrase from the first line of FILE"},
    {"passphrase-env", "NAME", 0, "key passphrase from environment variable NAME"},
    {"pin-env", "NAME", 0, "with --key pkcs11:...: the token's PIN from environment variable\n"
                           "NAME (default VAULTPROOF_PKCS11_PIN); never on the command line"},
    {"pkcs11-module", "FILE", 0, "with --key pkcs11:...: the PKCS#11 module (.so); default:\n"
                                 "p11-kit-proxy, which loads every module p11-kit registers"},
    {"now", "TIME", 0, "pin the clock (RFC 3339 UTC or @EPOCH); with a signer that is not a\n"
                       "demo signer (subject without \"NOT FOR PRODUCTION\") only with --reproducible"},
    {"reproducible", NULL, 0, "allow a pinned clock (--now, SOURCE_DATE_EPOCH) with any signer: the\n"
                              "signatures then claim the pinned time, not the time they were made at;\n"
                              "manifest.json records that the clock was pinned and verify warns\n"
                              "unless an RFC 3161 time-stamp backs the bundle"},
    {"tsa", "URL", 0, "RFC 3161 TSA (http:// or https://; https is always verified);\n"
                      "default: the config's signer/tsa"},
    {"subscription", "ID", VP_OPT_REPEATABLE, "scope: only this subscription (repeatable; overrides config)"},
    {"ca-bundle", "FILE", 0, "PEM CA certificates for every https connection (ARM, Entra ID,\n"
                             "TSA; default: system CAs); verification is always on"},
    {"token-file", "FILE", VP_OPT_LIVE, "use this token (`az account get-access-token` JSON)"},
    {"arm-endpoint", "URL", VP_OPT_LIVE, "ARM endpoint (default: the config's cloud)"},
    {"authority-host", "URL", VP_OPT_LIVE, "Entra ID authority (default: AZURE_AUTHORITY_HOST)"},
    {"concurrency", "N", VP_OPT_LIVE, "requests in flight at most (default: config, else 8)"},
    {"sample-size", "N", 0, "draw an audit sample of N into data/sample.csv and data/sample.json\n"
                            "and the workbook's Sample sheet (docs/sampling.md)"},
    {"sample-seed", "S", 0, "the sample's seed (required with --sample-size): 1 to 128\n"
                            "printable characters without spaces, used as its bytes"},
    {"sample-population", "NAME", 0, "jobs, items, vms or findings (default: the period's jobs when\n"
                                     "the bundle holds them, else items)"},
    {"sample-strata", "vault", 0, "draw the sample per vault (largest-remainder allocation)"},
    {"archive-url", "URL", 0, "after the local commit, upload the bundles, line signatures and\n"
                              "ledger to https://<account>.blob.core.windows.net/<container>/<prefix>\n"
                              "(default: the config's archive.url; docs/archive-storage.md)"},
    {"archive-sas-env", "NAME", 0, "a SAS for the container from environment variable NAME (default:\n"
                                   "archive.sas_env; else an Entra token for Storage)"},
    {"archive-token-file", "FILE", 0, "a token for https://storage.azure.com (`az account get-access-token\n"
                                      "--resource https://storage.azure.com` JSON) instead of the chain"},
    {"archive-account-id", "ID", 0, "the storage account's ARM id, to read the container's immutability\n"
                                    "policy (default: archive.storage_account_id; else looked up by\n"
                                    "name in the scope's subscriptions)"},
    {"require-worm-archive", NULL, 0, "fail (exit 1, before anything is written) when the container has\n"
                                      "no Locked time-based retention policy (or archive.require_worm)"},
    {"archive-block-size", "BYTES", 0, "files larger than this go up in blocks of this size (Put Block,\n"
                                       "Put Block List); 65536 to 104857600, default 4194304"},
    {"upload-only", NULL, 0, "pack nothing: upload what ARCHIVE_DIR's ledger records (the retry\n"
                             "after a failed upload; safe to repeat)"},
    {"quiet", NULL, 0, "print only the bundle path"},
    {"help", NULL, VP_OPT_HIDDEN, NULL},
};

static const char epilogue[] =
    "\n"
    "Exit status: 0 bundle written (also when the collection was incomplete: that is\n"
    "recorded in manifest.json and printed); 1 the existing ledger does not verify, or\n"
    "the --replay recording was changed after it was sealed;\n"
    "4 live collection could not start (no credential, authentication or TLS failure);\n"
    "2 usage; 3 invalid input (config, replay data, a key others can read: chmod 600);\n"
    "5 signing or time-stamp error (also: a token refused the PIN); 6 I/O. Nothing is published on failure.\n"
    "With an archive URL: 1 also when --require-worm-archive finds no Locked policy (nothing\n"
    "written); 4 when the container's policy cannot be read (nothing written) or the upload\n"
    "fails (the bundle is committed locally; retry with --upload-only).\n"
    "\n"
    "Example:\n"
    "  vaultproof keygen --out keys\n"
    "  vaultproof pack --config vaultproof.json --replay raw --period 2026-Q3 \\\n"
    "      --out archive --key keys/signer.key --cert keys/signer.pem --ca keys/ca.pem\n";

const vp_cli_help vp_help_pack = {"pack", synopsis, specs, sizeof specs / sizeof specs[0], epilogue};

static vp_status run(const vp_opts *o, int *code, vp_error *err)
{
    vp_pack_options opt = {0};
    vp_pack_result res;
    char *pass = NULL, quarter[8];
    struct timespec t0, t1;
    opt.config_path = vp_opts_get(o, "config");
    opt.replay_dir = vp_opts_get(o, "replay");
    opt.request_id = vp_opts_get(o, "request-id");
    opt.archive_dir = vp_opts_get(o, "out");
    opt.key_path = vp_opts_get(o, "key");
    opt.cert_path = vp_opts_get(o, "cert");
    opt.chain_path = vp_opts_get(o, "chain");
    opt.pin_env = vp_opts_get(o, "pin-env");
    opt.pkcs11_module = vp_opts_get(o, "pkcs11-module");
    opt.ca_path = vp_opts_get(o, "ca");
    opt.tsa_url = vp_opts_get(o, "tsa");
    opt.ca_bundle = vp_opts_get(o, "ca-bundle");
    opt.reproducible = vp_opts_has(o, "reproducible");
    opt.token_file = vp_opts_get(o, "token-file");
    opt.arm_endpoint = vp_opts_get(o, "arm-endpoint");
    opt.authority_host = vp_opts_get(o, "authority-host");
    vp_status cst = vp_opts_int(o, "pack", "concurrency", 1, 64, &opt.concurrency, err);
    if (cst)
        return cst;
    opt.subscriptions = vp_opts_all(o, "subscription", &opt.subscription_count);
    int sample_size = 0;
    if ((cst = vp_opts_int(o, "pack", "sample-size", 1, INT_MAX, &sample_size, err)))
        return cst;
    opt.sample_size = (size_t)sample_size;
    opt.sample_seed = vp_opts_get(o, "sample-seed");
    opt.sample_population = vp_opts_get(o, "sample-population");
    opt.sample_strata = vp_opts_get(o, "sample-strata");
    opt.archive_url = vp_opts_get(o, "archive-url");
    opt.archive_sas_env = vp_opts_get(o, "archive-sas-env");
    opt.archive_token_file = vp_opts_get(o, "archive-token-file");
    opt.archive_account_id = vp_opts_get(o, "archive-account-id");
    opt.require_worm_archive = vp_opts_has(o, "require-worm-archive");
    opt.upload_only = vp_opts_has(o, "upload-only");
    int block_size = 0;
    if ((cst = vp_opts_int(o, "pack", "archive-block-size", 65536, 104857600, &block_size, err)))
        return cst;
    opt.archive_block_size = (size_t)block_size;
    if (!opt.config_path || !opt.archive_dir)
        return vp_error_set(err, VP_ERR_USAGE, "pack: --config and --out are required; see 'vaultproof help pack'");
    if (!opt.key_path && (vp_opts_has(o, "cert") || vp_opts_has(o, "chain") || vp_opts_has(o, "passphrase-file") ||
                          vp_opts_has(o, "passphrase-env") || opt.pin_env || opt.pkcs11_module))
        return vp_error_set(err, VP_ERR_USAGE, "pack: --cert, --chain, --passphrase-*, --pin-env and --pkcs11-module "
                            "go with --key; without "
                            "--key the config's \"signer\" object names all of them");
    vp_status st = vp_cli_clock(o, &opt.clock, err);
    if (st || (st = vp_cli_period(o, "pack", &opt.clock, quarter, &opt.period, err)) ||
        (st = vp_cli_passphrase(o, "pack", &pass, err)))
        return st;
    opt.passphrase = pass;
    clock_gettime(CLOCK_MONOTONIC, &t0); /* elapsed time for the operator only; not in the bundle */
    st = vp_pack(&opt, &res, err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    vp_passphrase_free(pass);
    if (res.archive_warning[0]) /* printed whatever happened next: it is about the container */
        fprintf(stderr, "pack: warning: archive: %s\n", res.archive_warning);
    if (st)
        return st;
    if (opt.upload_only) {
        printf("archive: %s (%s): %zu blob(s) uploaded, %zu already there\n", res.archive_label,
               res.archive_policy, res.uploaded, res.already_there);
        *code = 0;
        return VP_OK;
    }
    if (!res.trust_anchor_known)
        fprintf(stderr, "pack: warning: no CA given (--ca, signer/ca, or a self-signed end of --chain): README.txt "
                "tells the auditor to obtain the CA's fingerprint from your organization\n");
    printf("%s\n", res.bundle_path);
    if (!vp_opts_has(o, "quiet")) {
        char shown[96];
        printf("sha256: %s\nevidence result: %s\n", res.bundle_sha256,
               vp_pack_evidence_result(res.result, (long long)res.failing_findings, shown, sizeof shown));
        if (res.archive_label[0])
            printf("archive: %s (%s): %zu blob(s) uploaded, %zu already there\n", res.archive_label,
                   res.archive_policy, res.uploaded, res.already_there);
        printf("collection: %s%s; baselines: %zu; ledger entry %lld\n", res.complete ? "complete" : "INCOMPLETE",
               res.verified ? "" : " (not verified: no capture sidecars)", res.baseline_count, res.ledger_seq);
        fprintf(stderr, "pack: %lld bytes in %.2fs (", res.bundle_bytes,
                (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
        for (int i = 0; i < VP_PACK_STAGE_COUNT; i++)
            fprintf(stderr, "%s%s %.2fs", i ? ", " : "", vp_pack_stage_name((vp_pack_stage)i), res.stage_seconds[i]);
        fprintf(stderr, ")\n");
    }
    *code = 0;
    return VP_OK;
}

int vp_cmd_pack(int argc, char **argv)
{
    return vp_cli_main(argc, argv, &vp_help_pack, run);
}
