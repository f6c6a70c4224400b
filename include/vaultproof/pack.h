/*
 * vaultproof/pack.h - the evidence bundle: pack (collect, evaluate, render, sign, archive,
 * ledger) and verify (the same checks an auditor can make by hand, README.txt of a bundle).
 *
 * A bundle is a deterministic .tar.gz (vaultproof/archive.h) with one top folder:
 *   raw/                          every *.json of the replay directory, same relative paths
 *   data/snapshot.json            the snapshot
 *   data/findings.json            the findings
 *   data/assessment-results.json  the findings as NIST OSCAL assessment results
 *   report/report.pdf, report/workbook.xlsx
 *   certs/signer.pem [certs/chain.pem]
 *   README.txt                    how to verify by hand
 *   manifest.json                 "vaultproof-manifest/1": pack metadata and every other
 *                                 file (except SHA256SUMS and manifest.json.p7s) with size
 *                                 and SHA-256, sorted by path
 *   SHA256SUMS                    `sha256sum -c` list of every file except itself and
 *                                 manifest.json.p7s (so manifest.json is included)
 *   manifest.json.p7s             detached CMS (DER) over manifest.json; with a TSA it
 *                                 carries a signature-time-stamp (CAdES-T)
 *   manifest.json.tsr             only with a TSA: an RFC 3161 TimeStampResp over the
 *                                 bytes of manifest.json.p7s (`openssl ts -verify`)
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

typedef struct {
    const char *config_path;   /* vaultproof.json (required) */
    const char *replay_dir;    /* replay directory, or NULL to collect live from ARM */
    const char *period;        /* "YYYY-Qn", e.g. "2026-Q3" (vp_pipeline_check_period), or NULL */
    const char *request_id;    /* auditor request id or NULL; one of period/request_id required */
    const char *archive_dir;   /* created when missing (its parent must exist) */
    const char *key_path, *cert_path, *chain_path; /* as vp_signer_load; key_path NULL: the config's
                                                      "signer" object (key, cert, chain, passphrase, tsa) */
    const char *passphrase;    /* NULL when the key is not encrypted; never kept or printed */
    vp_clock clock;            /* the pinned clock: archive mtime, signing time, bundle name */
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
} vp_pack_options;

/* The stages of vp_pack, for the wall-time figures in vp_pack_result. */
typedef enum {
    VP_PACK_COLLECT = 0, /* replay collection and data/snapshot.json */
    VP_PACK_EVALUATE,    /* baselines, evaluation and data/findings.json */
    VP_PACK_RENDER,      /* workbook, report, and (alongside) the OSCAL document */
    VP_PACK_SIGN,        /* PDF signature, manifest, SHA256SUMS, manifest signature, time-stamps */
    VP_PACK_ARCHIVE,     /* the tar.gz */
    VP_PACK_PUBLISH,     /* baseline, ledger line, rename */
    VP_PACK_STAGE_COUNT
} vp_pack_stage;

/* "collect", "evaluate", "render", "sign", "archive", "publish". */
const char *vp_pack_stage_name(vp_pack_stage s);

typedef struct {
    char bundle_path[4096];    /* ARCHIVE_DIR/<slug>-<period|request>-<YYYYMMDDThhmmssZ>.tar.gz */
    char bundle_sha256[65];
    long long bundle_bytes;
    char manifest_sha256[65];
    char result[64];           /* overall result, as vp_result_of */
    int complete, verified;    /* collection completeness, as recorded in the manifest */
    size_t baseline_count;     /* earlier snapshots of the period used as baselines */
    long long ledger_seq;      /* the ledger entry appended */
    double stage_seconds[VP_PACK_STAGE_COUNT]; /* wall time per stage (monotonic clock; never in the bundle) */
} vp_pack_result;

/* Builds, signs and publishes one bundle, keeps data/snapshot.json as
 * ARCHIVE_DIR/snapshots/<period>/<bundle stem>.json (a baseline for later packs of the
 * period) and appends a signed line to ARCHIVE_DIR/ledger.jsonl. Holds ARCHIVE_DIR/.pack.lock
 * for the whole run and first recovers what an interrupted pack left (see
 * docs/ledger-format.md). Everything is staged in ARCHIVE_DIR/.staging-XXXXXX, removed
 * whatever happens; the bundle is written as a hidden .pending- file and gets its name only
 * after the ledger records it. An incomplete collection is not an error: it is recorded
 * (out->complete, the manifest). Errors also: VP_ERR_IO when another pack holds the lock.
 * Errors: VP_ERR_USAGE (options), VP_ERR_INPUT (config, replay data, key permissions:
 * "chmod 600"), VP_ERR_CHECK (the existing ledger does not verify), VP_ERR_CRYPTO (also
 * any failed RFC 3161 time-stamp when tsa_url is set: unreachable, refused, mismatched),
 * VP_ERR_IO, VP_ERR_NOMEM. The key is loaded first, so a bad key writes nothing. */
vp_status vp_pack(const vp_pack_options *opt, vp_pack_result *out, vp_error *err);

#define VP_VERIFY_MAX_PROBLEMS 64

/* One check of vp_verify_bundle, in the order they are made. */
typedef enum {
    VP_CHECK_ARCHIVE = 0, /* the archive is well formed and safe (no links, '..', absolute names) */
    VP_CHECK_MANIFEST,    /* manifest.json present, strict JSON, right format */
    VP_CHECK_FILES,       /* every listed file present with size and SHA-256, nothing unlisted */
    VP_CHECK_SUMS,        /* SHA256SUMS agrees with the files and lists all of them */
    VP_CHECK_SIGNATURE,   /* CMS signature over manifest.json valid */
    VP_CHECK_TRUST,       /* signer chains to --trust (fails when no anchor was given) */
    VP_CHECK_PDF,         /* report/report.pdf: PAdES signature over the whole file, valid,
                             signer chains to --trust when given */
    VP_CHECK_TIMESTAMP,   /* RFC 3161 tokens (manifest.json.tsr, the .p7s and PDF tokens):
                             imprint, signature, TSA chain; skipped when the bundle has none */
    VP_CHECK_LEDGER,      /* ledger verifies and has an entry for this bundle (only with --ledger) */
    VP_CHECK_COUNT
} vp_verify_check;

/* "archive", "manifest", "files", "sha256sums", "signature", "trust", "pdf-signature",
 * "timestamp", "ledger". */
const char *vp_verify_check_name(vp_verify_check c);

typedef enum { VP_CHECK_SKIPPED = 0, VP_CHECK_PASSED, VP_CHECK_FAILED } vp_check_state;

typedef struct {
    char bundle_sha256[65];
    char manifest_sha256[65];                   /* of the bundle's manifest.json; "" when it has none */
    vp_check_state state[VP_CHECK_COUNT];
    char problems[VP_VERIFY_MAX_PROBLEMS][512]; /* what failed, precisely (file names) */
    size_t problem_count, problems_dropped;
    char signer_subject[512];
    char manifest_result[64], manifest_period[65];
    long long ledger_seq;                       /* the bundle's ledger entry, or 0 */
    int timestamped;                            /* manifest.json says the bundle is time-stamped */
    char pdf_signer_subject[512];               /* the PDF signature's signer */
    char pdf_claimed_time[40];                  /* its /M, e.g. "D:20260930060000Z" */
    char timestamp_gen_time[32];                /* genTime of manifest.json.tsr (RFC 3339), or "" */
    char pdf_timestamp_gen_time[32];            /* genTime of the PDF signature's token, or "" */
} vp_verify_report;

/* Verifies a bundle: reads it once as a stream (vp_archive_scan: every file hashed, the
 * few checked further kept in memory, nothing written to disk), then makes every check
 * above and records each problem.
 * trust_ca (may be NULL): PEM anchors; without it the trust check fails (the signature is
 * still checked and the signer reported as untrusted). tsa_trust (may be NULL): PEM
 * anchors for time-stamping authorities; NULL means trust_ca (one file holding both).
 * ledger (may be NULL): a ledger.jsonl.
 * Returns VP_OK when every check that applies passed, VP_ERR_CHECK when one failed
 * (report says which); VP_ERR_INPUT when the bundle cannot be read at all or the trust
 * file is unreadable; VP_ERR_IO, VP_ERR_NOMEM. */
vp_status vp_verify_bundle(const char *bundle, const char *trust_ca, const char *tsa_trust, const char *ledger,
                           vp_verify_report *report, vp_error *err);

#endif
