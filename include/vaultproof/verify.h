/*
 * vaultproof/verify.h - checking an evidence bundle (vaultproof/pack.h describes its
 * layout): the same checks an auditor can make by hand, following the bundle's
 * README.txt. vaultproof/audit.h checks a whole archive from its ledger.
 */
#ifndef VAULTPROOF_VERIFY_H
#define VAULTPROOF_VERIFY_H

#include <stddef.h>

#include "vaultproof/error.h"
#include "vaultproof/pack.h"

#define VP_VERIFY_MAX_PROBLEMS 64
#define VP_VERIFY_MAX_WARNINGS 8
#define VP_VERIFY_MAX_NOTES 8

/* What verify holds in memory or reads at most, so a small hostile bundle cannot make it
 * use much more memory or time than the bundle's signed manifest declares (the archive
 * reader's own bounds are in vaultproof/archive.h): manifest.json and SHA256SUMS (a
 * 100k-file bundle has about 20 MB of each), manifest.json.p7s and .tsr, and
 * report/report.pdf, whose size the manifest must also declare; and the entries before
 * the manifest and its signature in the archive (README.txt, SHA256SUMS, SHA256SUMS.p7s,
 * certs/, data/). SHA256SUMS.p7s is held like manifest.json.p7s (VP_VERIFY_MAX_SIGNATURE). */
#define VP_VERIFY_MAX_MANIFEST (64ULL << 20)
#define VP_VERIFY_MAX_SIGNATURE (1ULL << 20)
#define VP_VERIFY_MAX_PDF VP_BUNDLE_MAX_REPORT_PDF /* vaultproof/pack.h: pack refuses a larger report */
#define VP_VERIFY_MAX_EARLY 4096

/* One check of vp_verify_bundle, in the order they are made. */
typedef enum {
    VP_CHECK_ARCHIVE = 0, /* the archive is well formed and safe (no links, '..', absolute names) */
    VP_CHECK_MANIFEST,    /* manifest.json present, strict JSON, right format */
    VP_CHECK_FILES,       /* every listed file present with size and SHA-256, nothing unlisted */
    VP_CHECK_SUMS,        /* SHA256SUMS agrees with the files and lists all of them (but
                             itself and SHA256SUMS.p7s; in a bundle older than
                             SHA256SUMS.p7s, also but manifest.json.p7s and .tsr) */
    VP_CHECK_SUMS_SIGNATURE, /* SHA256SUMS.p7s: CMS over exactly SHA256SUMS's bytes, by the
                             manifest's signer, chaining to --trust; skipped, with a note,
                             for a bundle whose manifest names no "sums_signature" (older) */
    VP_CHECK_SIGNATURE,   /* CMS signature over manifest.json valid */
    VP_CHECK_TRUST,       /* signer chains to --trust (fails when no anchor was given) */
    VP_CHECK_PDF,         /* report/report.pdf: PAdES signature over the whole file, valid,
                             signer chains to --trust when given */
    VP_CHECK_TIMESTAMP,   /* RFC 3161 tokens (manifest.json.tsr, the .p7s and PDF tokens):
                             imprint, signature, TSA chain; skipped when the bundle has none */
    VP_CHECK_CLOCK,       /* the times the bundle claims: a warning (never a failure) when
                             manifest.json says the clock was pinned and no RFC 3161
                             time-stamp backs the bundle; skipped when the manifest did not
                             verify or predates the "clock" member */
    VP_CHECK_SEAL,        /* the recording's seal (seal/, vaultproof/seal.h) when manifest.json
                             says raw/ was sealed: its signature, the signer's chain to --trust,
                             its file list equal to raw/ (sizes, SHA-256), its capture window
                             the manifest's; an unsealed replay is a warning (never a failure);
                             skipped for a manifest older than the "recording" member (a note) */
    VP_CHECK_LEDGER,      /* ledger verifies and has an entry for this bundle (only with --ledger) */
    VP_CHECK_COUNT
} vp_verify_check;

/* "archive", "manifest", "files", "sha256sums", "sums-signature", "signature", "trust",
 * "pdf-signature", "timestamp", "clock", "seal", "ledger". */
const char *vp_verify_check_name(vp_verify_check c);

/* VP_CHECK_WARNING: held, but with something the reader must know (report->warnings);
 * not a failure. */
typedef enum { VP_CHECK_SKIPPED = 0, VP_CHECK_PASSED, VP_CHECK_FAILED, VP_CHECK_WARNING } vp_check_state;

typedef struct {
    char bundle_sha256[65];
    char manifest_sha256[65];                   /* of the bundle's manifest.json; "" when it has none */
    vp_check_state state[VP_CHECK_COUNT];
    char problems[VP_VERIFY_MAX_PROBLEMS][512]; /* what failed, precisely (file names) */
    size_t problem_count, problems_dropped;
    char signer_subject[512];                   /* "" unless the manifest signature verified */
    int manifest_verified;                      /* its signature verified and the signer chains to --trust:
                                                   only then are manifest_result/period facts */
    char manifest_result[64], manifest_period[65]; /* "" unless the signature verified */
    long long manifest_failing;                 /* its "failing_findings", or -1 when it has none */
    int clock_pinned;                           /* its "clock"/"pinned": 1, 0, or -1 when it has none */
    char warnings[VP_VERIFY_MAX_WARNINGS][512]; /* what the reader must know that is no failure */
    size_t warning_count;
    char notes[VP_VERIFY_MAX_NOTES][512];       /* facts about the bundle's format (an older
                                                   layout); neither failure nor warning */
    size_t note_count;
    int recording_sealed;                       /* manifest.json "recording"/"sealed": 1, 0, -1 absent */
    char seal_signer_subject[512];              /* the seal's signer, once its signature verified */
    char sealed_at[32];                         /* the seal's sealed_at, once it verified */
    long long ledger_seq;                       /* the bundle's ledger entry, or 0 */
    int timestamped;                            /* the signed manifest.json says the bundle is time-stamped */
    char pdf_signer_subject[512];               /* the PDF signature's signer */
    char pdf_claimed_time[40];                  /* its /M, e.g. "D:20260930060000Z" */
    char timestamp_gen_time[32];                /* genTime of manifest.json.tsr (RFC 3339), or "" */
    char pdf_timestamp_gen_time[32];            /* genTime of the PDF signature's token, or "" */
    /* manifest.json "signer_key": which kind of key signed ("file", "pkcs11", "key-vault";
     * another value is kept as written) and what names it ("" when null); kind is "" when
     * the manifest has no such member (a bundle made before it: noted) */
    char signer_key_kind[32], signer_key_ref[512];
    /* manifest.json "archive_container" (pack --archive-url) as one line: "<url>: Locked,
     * 2555 days (checked at <time>)"; "" when the manifest has none. Its warning, if it
     * recorded one, is in warnings. */
    char archive_container[1024];
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
