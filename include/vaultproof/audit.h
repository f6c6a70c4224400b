/*
 * vaultproof/audit.h - checking a whole archive from its ledger.
 *
 * `vaultproof verify --ledger ARCHIVE/ledger.jsonl --trust CA.pem` (no bundle) asks:
 * does the chain hold, is every line signed by a trusted signer, does every bundle the
 * ledger records still verify and match its line, and does the archive hold any bundle
 * the ledger does not record? Bundles are looked for beside the ledger.
 */
#ifndef VAULTPROOF_AUDIT_H
#define VAULTPROOF_AUDIT_H

#include <stddef.h>

#include "vaultproof/azclient.h"
#include "vaultproof/error.h"

#define VP_AUDIT_MAX_LINES 256 /* problems and notes kept; the rest are counted */

typedef struct {
    long long entries;           /* ledger lines (0 when the chain itself fails) */
    int chain_ok;                /* chain and every line signature verified */
    size_t bundles_verified;     /* recorded bundles found and fully verified */
    size_t bundles_failed;       /* recorded bundles found that failed a check */
    size_t bundles_missing;      /* recorded bundles not found beside the ledger */
    size_t bundles_unrecorded;   /* *.tar.gz beside the ledger that no line records */
    char problems[VP_AUDIT_MAX_LINES][512]; /* each failure, naming line and file */
    size_t problem_count, problems_dropped;
    char notes[VP_AUDIT_MAX_LINES][512];    /* not failures: bundles not found */
    size_t note_count, notes_dropped;
} vp_ledger_audit;

/* Audits the archive of ledger (see above). trust_ca: PEM anchors for the line
 * signatures and every bundle's signer; required. A recorded bundle that is not found
 * is a note (archives move old bundles to other storage), not a failure; a bundle found
 * that fails any vp_verify_bundle check, or that is not the one its line records, is a
 * failure, and so is an unrecorded bundle (a complete bundle is always recorded before
 * it gets its name: see docs/ledger-format.md).
 * *out is heap-sized (about 260 KB): allocate it, don't put it on a small stack.
 * Returns VP_OK when everything checked passed, VP_ERR_CHECK when something failed
 * (out says what), VP_ERR_USAGE without trust_ca, VP_ERR_INPUT when the ledger cannot
 * be read, VP_ERR_IO, VP_ERR_NOMEM. */
vp_status vp_verify_ledger(const char *ledger, const char *trust_ca, vp_ledger_audit *out, vp_error *err);

/* The same audit of an archive in Azure Blob Storage (an archive URL, vaultproof/blob.h):
 * its blobs are listed and downloaded into a new private directory (mkdtemp, 0700, under
 * $TMPDIR or /tmp) - only the layout's names, each checked first so none can write
 * outside it ("..", absolute names and backslashes are refused: VP_ERR_CHECK) - then
 * audited as vp_verify_ledger does, and the directory is removed whatever happens.
 * az: how to reach the storage account (its resource is set here; sas_env may be set).
 * Errors: as vp_verify_ledger; VP_ERR_USAGE (the URL), VP_ERR_COLLECT (listing or
 * download failed), VP_ERR_CHECK (an unsafe name, no ledger under the prefix). */
vp_status vp_verify_ledger_url(const char *url, const vp_az_client_options *az, const char *trust_ca,
                               vp_ledger_audit *out, vp_error *err);

#endif
