/*
 * vaultproof/pack.h - the evidence bundle and how it is packed: collect, evaluate,
 * render, sign, archive, ledger. vaultproof/verify.h checks a bundle.
 *
 * A bundle is a deterministic .tar.gz (vaultproof/archive.h) with one top folder:
 *   raw/                          every *.json of the replay directory, same relative paths
 *   config/vaultproof.json        the configuration collected and evaluated with, without the
 *                                 signer (vp_config_bundle); [config/worm-catalog.json] the
 *                                 WORM catalog file it names, if any
 *   data/snapshot.json            the snapshot
 *   data/findings.json            the findings
 *   data/assessment-results.json  the findings as NIST OSCAL assessment results
 *   [data/sample.csv, data/sample.json]  with --sample-size: the audit sample and its
 *                                 record (vaultproof/sample.h, docs/sampling.md)
 *   report/report.pdf, report/workbook.xlsx
 *   certs/signer.pem [certs/chain.pem]
 *   seal/recording-seal.json[.p7s, .tsr]  only when the responses were sealed at capture
 *                                 (vaultproof/seal.h): live, or --replay of a sealed
 *                                 recording; manifest.json "recording" says which
 *   README.txt                    how to verify by hand (every command a "$ " line)
 *   manifest.json                 "vaultproof-manifest/1": pack metadata and every other
 *                                 file (except manifest.json.p7s, manifest.json.tsr,
 *                                 SHA256SUMS and SHA256SUMS.p7s, written after it) with
 *                                 size and SHA-256, sorted by path
 *   manifest.json.p7s             detached CMS (DER) over manifest.json; with a TSA it
 *                                 carries a signature-time-stamp (CAdES-T)
 *   manifest.json.tsr             only with a TSA: an RFC 3161 TimeStampResp over the
 *                                 bytes of manifest.json.p7s (`openssl ts -verify`)
 *   SHA256SUMS                    written last but one: `sha256sum -c` list of every file
 *                                 except itself and SHA256SUMS.p7s (so manifest.json and
 *                                 its signature are included)
 *   SHA256SUMS.p7s                detached CMS (DER) over SHA256SUMS by the same signer
 *                                 (CAdES-T with a TSA): with it, `openssl cms -verify` and
 *                                 `sha256sum -c` alone check every file
 *
 * report/report.pdf also carries its own embedded PAdES signature (vaultproof/pdfsign.h),
 * made before the manifest hashes it; with a TSA, PAdES B-T (a token in the CMS).
 */
#ifndef VAULTPROOF_PACK_H
#define VAULTPROOF_PACK_H

#include <stddef.h>

#include "vaultproof/clock.h"
#include "vaultproof/error.h"

#define VP_MANIFEST_FORMAT "vaultproof-manifest/1"

/* Where the files of the layout above sit, relative to the bundle's top folder. */
#define VP_BUNDLE_MANIFEST "manifest.json"
#define VP_BUNDLE_SIGNATURE "manifest.json.p7s"
#define VP_BUNDLE_SUMS "SHA256SUMS"
#define VP_BUNDLE_TSR "manifest.json.tsr"
#define VP_BUNDLE_SUMS_SIGNATURE "SHA256SUMS.p7s"
#define VP_BUNDLE_REPORT_PDF "report/report.pdf"
/* The largest report a bundle may hold: verify holds it whole to check its signature
 * (VP_VERIFY_MAX_PDF), so pack refuses to publish a larger one. A 1,000,000-item report
 * is about 306 MB. */
#define VP_BUNDLE_MAX_REPORT_PDF (1ULL << 30)
/* pack --sample-size (docs/sampling.md): the sample and its record; the jobs stream a
 * sample of jobs is drawn from (staged by a pack over a period that kept its jobs) */
#define VP_BUNDLE_SAMPLE_CSV "data/sample.csv"
#define VP_BUNDLE_SAMPLE_RECORD "data/sample.json"
#define VP_BUNDLE_JOBS "data/jobs.jsonl"   /* the period's jobs stream (pack --period) */
#define VP_BUNDLE_JOBS_CSV "data/jobs.csv" /* the same population as RFC 4180 CSV */

typedef struct {
    const char *config_path;   /* vaultproof.json (required) */
    const char *replay_dir;    /* replay directory, or NULL to collect live from ARM */
    const char *period;        /* "YYYY-Qn", e.g. "2026-Q3" (vp_pipeline_check_period), or NULL */
    const char *request_id;    /* auditor request id or NULL; one of period/request_id required */
    const char *archive_dir;   /* created when missing (its parent must exist); see vp_pack */
    const char *key_path, *cert_path, *chain_path; /* as vp_signer_load; key_path NULL: the config's
                                                      "signer" object (key, cert, chain, passphrase, tsa) */
    const char *passphrase;    /* NULL when the key is not encrypted; never kept or printed */
    const char *pin_env, *pkcs11_module; /* key_path a PKCS#11 URI: vp_pipeline_signer_options */
    vp_clock clock;            /* the run's clock: archive mtime, signing time, bundle name; whether
                                  it was pinned is recorded in manifest.json ("clock") */
    int reproducible;          /* allow a pinned clock (clock.pinned) with a signer that is not a
                                  demo signer (vp_pack_demo_signer): the signatures then claim the
                                  pinned time, not the time they were made at. Without it such a
                                  pack is refused (VP_ERR_USAGE) */
    const char *ca_path;       /* the CA (PEM) auditors should trust, named in README.txt and
                                  manifest.json ("trust_anchor") by subject and SHA-256
                                  fingerprint; it must have issued the signer (VP_ERR_CRYPTO
                                  otherwise). NULL: the config's signer/ca when the signer comes
                                  from the config, else the chain's last certificate when it is
                                  self-signed, else unknown (vp_pack_result.trust_anchor_known) */
    const char *tsa_url;       /* RFC 3161 time-stamping authority (http/https); NULL: the config's
                                  signer/tsa, if any */
    const char *ca_bundle;     /* PEM CAs for every https connection (ARM, Entra ID, TSA), or NULL
                                  for the system store */
    /* Live collection (replay_dir NULL): as vp_live_options; the config's "live" settings
     * and scope apply, these override. Responses are recorded straight into raw/. */
    const char *token_file, *arm_endpoint, *authority_host;
    int concurrency;           /* 0: the config's, else 8 */
    const char *const *subscriptions; /* scope: these subscriptions instead of the config's */
    size_t subscription_count;
    /* An audit sample in the bundle (docs/sampling.md): sample_size 0 draws none; else
     * sample_seed is required (vp_sample_check_seed). sample_population "jobs", "items",
     * "vms" or "findings"; NULL: jobs when the bundle holds the period's jobs
     * (VP_BUNDLE_JOBS), else items. sample_strata NULL or "vault". */
    size_t sample_size;
    const char *sample_seed, *sample_population, *sample_strata;
    /* The archive in Azure Blob Storage (vaultproof/blob.h, docs/archive-storage.md). Each
     * NULL / 0 falls back to the config's "archive" member. With a URL, the container's
     * immutability policy is read through ARM (token_file, arm_endpoint, authority_host,
     * ca_bundle as for live collection, also with replay_dir) before anything is written
     * and recorded in manifest.json ("archive_container"); after the local commit the
     * bundles the ledger records, the line signatures and the ledger go up. */
    const char *archive_url;
    const char *archive_sas_env;    /* env var holding a SAS; NULL: an Entra token for Storage */
    const char *archive_token_file; /* a token for https://storage.azure.com (`az account
                                       get-access-token --resource https://storage.azure.com`);
                                       NULL: the credential chain */
    const char *archive_account_id; /* the storage account's ARM id; NULL: looked up by name in
                                       the scope's subscriptions */
    int require_worm_archive;       /* a container without a Locked time-based policy fails the
                                       pack (VP_ERR_CHECK) before anything is written */
    size_t archive_block_size;      /* files larger than this go up in blocks of it; 0: 4 MiB */
    int upload_only;                /* pack nothing: upload what ARCHIVE_DIR's ledger records
                                       (the retry after a failed upload); needs the archive URL */
} vp_pack_options;

/* The stages of vp_pack, for the wall-time figures in vp_pack_result. */
typedef enum {
    VP_PACK_COLLECT = 0, /* replay collection and data/snapshot.json */
    VP_PACK_EVALUATE,    /* baselines, evaluation and data/findings.json */
    VP_PACK_RENDER,      /* workbook, report, and (alongside) the OSCAL document */
    VP_PACK_SIGN,        /* PDF signature, manifest, its signature, SHA256SUMS, its signature,
                            time-stamps */
    VP_PACK_ARCHIVE,     /* the tar.gz */
    VP_PACK_PUBLISH,     /* baseline, ledger line, rename */
    VP_PACK_UPLOAD,      /* the archive URL's container (0 without one) */
    VP_PACK_STAGE_COUNT
} vp_pack_stage;

/* "collect", "evaluate", "render", "sign", "archive", "publish", "upload". */
const char *vp_pack_stage_name(vp_pack_stage s);

typedef struct {
    char bundle_path[4096];    /* ARCHIVE_DIR/<slug>-<period|request>-<YYYYMMDDThhmmssZ>.tar.gz */
    char bundle_sha256[65];
    long long bundle_bytes;
    char manifest_sha256[65];
    char result[64];           /* overall result, as vp_result_of */
    size_t failing_findings;   /* findings with status fail (manifest.json "failing_findings") */
    int complete, verified;    /* collection completeness, as recorded in the manifest */
    size_t baseline_count;     /* earlier snapshots of the period used as baselines */
    long long ledger_seq;      /* the ledger entry appended */
    int trust_anchor_known;    /* README.txt names the CA to trust (else it tells the auditor to
                                  obtain it from the signer's organization) */
    double stage_seconds[VP_PACK_STAGE_COUNT]; /* wall time per stage (monotonic clock; never in the bundle) */
    /* With an archive URL: where it went (no query), the policy found, and what was sent */
    char archive_label[1700];
    char archive_policy[96];   /* "Locked, 2555 days", "Unlocked, 7 days", "none" */
    char archive_warning[512]; /* "" when the container has a locked time-based policy */
    size_t uploaded, already_there; /* blobs written now / found there with the same content */
} vp_pack_result;

/* The evidence result as pack and verify print it: "FAIL (65 failing findings)" for
 * result "fail" with 65 failing findings, the result in capitals alone ("PASS",
 * "INCOMPLETE") when none fails or the count is unknown (failing < 0: a manifest written
 * before it was recorded). Writes into buf and returns it. */
char *vp_pack_evidence_result(const char *result, long long failing, char *buf, size_t size);

/* Whether a signer's certificate subject marks it as a demo signer: it contains
 * "NOT FOR PRODUCTION", as both subjects `vaultproof keygen` writes do (vaultproof/keygen.h).
 * The one rule pack uses to let a demo signer sign at a pinned clock without --reproducible. */
int vp_pack_demo_signer(const char *subject);

/* Builds, signs and publishes one bundle, keeps data/snapshot.json as
 * ARCHIVE_DIR/snapshots/<period>/<bundle stem>.json (a baseline for later packs of the
 * period) and appends a signed line to ARCHIVE_DIR/ledger.jsonl. Holds ARCHIVE_DIR/.pack.lock
 * for the whole run and first recovers what an interrupted pack left (see
 * docs/ledger-format.md). ARCHIVE_DIR is refused (VP_ERR_IO, before anything is written)
 * when group or others can write to it, unless it is sticky and owned by the effective
 * user; a symlink is not followed. Everything is staged in ARCHIVE_DIR/.staging-XXXXXX,
 * used only through a directory descriptor and removed whatever happens; the bundle holds
 * exactly the bytes pack wrote (checked after archiving: VP_ERR_IO otherwise) and is
 * written as a hidden .pending- file that gets its name only after the ledger records it. An incomplete collection is not an error: it is recorded
 * (out->complete, the manifest). Errors also: VP_ERR_IO when another pack holds the lock.
 * Errors: VP_ERR_USAGE (options; a pinned clock with a signer that is not a demo signer,
 * unless opt->reproducible), VP_ERR_INPUT (config, replay data, key permissions:
 * "chmod 600"), VP_ERR_CHECK (the existing ledger does not verify; --replay of a sealed
 * recording changed after it was sealed, checked before anything is written, naming the
 * first file that differs), VP_ERR_CRYPTO (also
 * any failed RFC 3161 time-stamp when tsa_url is set: unreachable, refused, mismatched;
 * a CA (ca_path) that did not issue the signer), VP_ERR_IO, VP_ERR_NOMEM. The key and the
 * CA are loaded first, so a bad key or CA writes nothing. */
vp_status vp_pack(const vp_pack_options *opt, vp_pack_result *out, vp_error *err);

#endif
