/*
 * vaultproof/reperform.h - re-performing an evidence bundle from the bundle alone.
 *
 * A bundle (vaultproof/pack.h) carries the responses its snapshot was built from (raw/)
 * and the configuration its findings were evaluated with (config/vaultproof.json). Re-
 * performance replays raw/ with that configuration at the bundle's own clock
 * (manifest.json "generated_at", pinned or not as "clock" says), evaluates with the
 * built-in control catalog, writes the OSCAL document, and compares the bytes with
 * data/snapshot.json, data/findings.json and data/assessment-results.json. The same steps
 * by hand are in docs/user-guide.md ("Re-performing a bundle by hand").
 *
 * Drift rules compare with earlier snapshots of the period (findings.json "baselines",
 * each named with its SHA-256): each was an earlier bundle's data/snapshot.json, found
 * by that hash among the bundles a ledger records (beside the ledger). A baseline that
 * cannot be found stops re-performance (VP_ERR_CHECK naming it): the findings are never
 * re-derived without it.
 */
#ifndef VAULTPROOF_REPERFORM_H
#define VAULTPROOF_REPERFORM_H

#include <stddef.h>

#include "vaultproof/error.h"

/* The files re-derived and compared, in this order (relative to the bundle's top folder).
 * The last, data/jobs.jsonl (the period's backup jobs, docs/period-evidence.md), only in a
 * bundle whose manifest.json has a "period_window": raw/ is then replayed over that window
 * and the stream compared too; a bundle without one (packed without a period, or before
 * packs collected over it) is re-performed without a period and has no such file. */
#define VP_REPERFORM_FILE_COUNT 4
extern const char *const vp_reperform_files[VP_REPERFORM_FILE_COUNT];

#define VP_REPERFORM_MAX_NOTES 8

typedef struct {
    const char *bundle;   /* the .tar.gz, or its extracted top folder (required) */
    const char *trust_ca; /* PEM anchors, or NULL: when given, the .tar.gz is verified first
                             (vp_verify_bundle) and nothing is re-performed unless it verifies;
                             a folder cannot be verified (VP_ERR_USAGE) */
    const char *ledger;   /* an archive's ledger.jsonl, or NULL: where baseline snapshots are
                             looked for (the bundles it records, in its directory) */
    const char *keep_dir; /* NULL: the work (the extracted bundle, the re-derived files) is
                             done in a private temporary directory below $TMPDIR (else /tmp)
                             and removed; else this directory (made when missing, else it
                             must be empty) keeps it: bundle/ (extraction), baselines/N/,
                             derived/data/ (the re-derived files) */
} vp_reperform_options;

typedef struct {
    int absent;              /* not part of this bundle (data/jobs.jsonl without a period
                                window): neither re-derived nor compared; identical is 1 */
    int identical;
    long long offset;        /* the first byte at which the files differ; -1 when identical */
    long long recorded_size, derived_size;
    char pointer[512];       /* the JSON pointer of the value the recorded file holds at offset
                                ("/collection/input"); "" when at the top level */
} vp_reperform_file;

typedef struct {
    int compared;            /* the files were re-derived and compared (files[] is filled) */
    vp_reperform_file files[VP_REPERFORM_FILE_COUNT];
    int identical;           /* compared and every file identical */
    char notes[VP_REPERFORM_MAX_NOTES][512]; /* what the reader must know that is no difference:
                                                another tool or catalog version than recorded,
                                                the baselines found and where */
    size_t note_count;
} vp_reperform_report;

/* Re-performs a bundle (above) and fills report.
 * Returns VP_OK when every file is byte-identical; VP_ERR_CHECK when one differs
 * (report->compared set, report->files say where) or when re-performance could not be
 * done and that is the bundle's fault (report->compared 0, err says why): it does not
 * verify against trust_ca, or a baseline snapshot cannot be found ("cannot re-perform
 * without the baseline snapshot FILE (SHA-256 ...)").
 * Errors: VP_ERR_USAGE (--trust with a folder, keep_dir not empty), VP_ERR_INPUT (not a
 * bundle: no config/vaultproof.json - packed before bundles carried it -, no raw/, a file
 * of data/ or manifest.json missing or malformed, an unsafe archive), as
 * vp_pipeline_collect and vp_pipeline_evaluate, VP_ERR_IO, VP_ERR_NOMEM. The temporary
 * directory is removed whatever happened (unless keep_dir). */
vp_status vp_reperform(const vp_reperform_options *opt, vp_reperform_report *report, vp_error *err);

#endif
