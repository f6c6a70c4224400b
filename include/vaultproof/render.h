/*
 * vaultproof/render.h - presenting a snapshot and its findings: the PDF report and the
 * XLSX workbook. Renderers compute nothing about compliance; they lay out what
 * evaluate decided. Outputs are deterministic for the same inputs and pinned clock.
 */
#ifndef VAULTPROOF_RENDER_H
#define VAULTPROOF_RENDER_H

#include <stddef.h>
#include <stdio.h>

#include "vaultproof/catalog.h"
#include "vaultproof/clock.h"
#include "vaultproof/error.h"
#include "vaultproof/findings_read.h"
#include "vaultproof/history.h"
#include "vaultproof/sample.h"
#include "vaultproof/snapshot.h"
#include "vaultproof/timeline.h"

#define VP_PDF_POPULATION_LIMIT 2000

/* Whether the responses a bundle's snapshot rests on were sealed when they were captured
 * (vaultproof/seal.h). Outside a bundle it is not known, and nothing is said. */
typedef enum { VP_RECORDING_UNKNOWN = 0, VP_RECORDING_UNSEALED, VP_RECORDING_SEALED } vp_recording_state;

typedef struct {
    vp_recording_state state;
    const char *sealed_by, *sealed_at; /* SEALED: the seal's signer (RFC 2253) and time */
} vp_render_recording;

typedef struct {
    const vp_snapshot *snapshot;
    const char *snapshot_label, *snapshot_sha256;
    vp_findings_file *findings;        /* read (and rewound) as needed by the renderer */
    const char *findings_label, *findings_sha256;
    vp_clock clock;                    /* generation time shown and stored in metadata */
    const char *period;                /* "2026-Q3", or NULL */
    const char *request_id;            /* auditor request reference, or NULL */
    size_t population_limit;           /* PDF: items listed in full up to this (0: default 2000) */
    /* PDF: lists (exceptions and exemptions) of more rows than this get a two-level page
     * tree, which libharu needs past 32,767 pages (0: default 400,000; tests set it low) */
    size_t deep_page_tree_rows;
    const char *font_dir;              /* directory with DejaVuSans.ttf etc., or NULL for the default search */
    /* the workbook's file name, referenced from the PDF, or NULL; never its hash: the two
     * render at the same time (a bundle's manifest.json and SHA256SUMS record it) */
    const char *xlsx_name;
    /* The how-to-verify texts (PDF appendix, workbook README sheet): rendered inside a
     * bundle, they name it (bundle_name: the .tar.gz's name without ".tar.gz", which is
     * also its top folder) and the expected SHA-256 fingerprint of the CA to trust
     * ("AB:CD:...", vaultproof/keys.h vp_trust_anchor), and are runnable as printed.
     * NULL: "BUNDLE" stands for the bundle and the texts say they are a template. */
    const char *bundle_name;
    const char *ca_fingerprint;
    int timestamped;                   /* the bundle is time-stamped: its steps include the .tsr's */
    void (*warn)(void *ctx, const char *message); /* optional: non-fatal problems (missing glyphs) */
    void *warn_ctx;
    /* What the exceptions add for a failing finding (vaultproof/history.h), each optional:
     * the remediation of its rule (catalog), since when it fails (history; NULL: not
     * known, no ledger was read) and its owner (owners). */
    const vp_catalog *catalog;
    const vp_history *history;
    const vp_owners *owners;
    vp_render_recording recording;     /* the cover's and README's "Recording" line (pack) */
    const vp_sample *sample;           /* the workbook's Sample sheet (pack --sample-size), or NULL */
    /* The evidence period (render --jobs): the timeline of the snapshot's jobs stream and
     * the stream itself (read again for the workbook's Jobs sheet, its hash checked);
     * NULL: no period sheets or sections. jobs_label names it in messages. */
    const vp_timeline *timeline;
    const char *jobs_path, *jobs_label;
    /* Optional (pack): the findings per vault and status as the evaluation counted them
     * writing findings (vp_findings_write_json_counted). The report takes its counts from
     * them instead of parsing every finding again; the workbook, which parses them all,
     * fails with VP_ERR_INTERNAL unless its count is the same. NULL: both count. */
    const vp_vault_counts *vault_counts;
    /* Where the workbook makes its private temporary directory (its rows and
     * libxlsxwriter's parts, about the workbook's size): pack gives its staging
     * directory, which the next pack discards if this one is killed. NULL: $TMPDIR, else
     * /tmp. */
    const char *scratch_dir;
} vp_render_input;

/* Writes the PDF report to fp (label names it in messages). Errors: VP_ERR_INPUT (fonts
 * not found, inconsistent inputs), VP_ERR_IO, VP_ERR_NOMEM. */
vp_status vp_render_pdf(const vp_render_input *in, FILE *fp, const char *label, vp_error *err);

/* Writes the XLSX workbook to fp. Errors as vp_render_pdf. */
vp_status vp_render_xlsx(const vp_render_input *in, FILE *fp, const char *label, vp_error *err);

/* Writes a workbook holding only the Sample sheet of s (vaultproof sample --out-xlsx) to
 * fp: the record's facts (method, seed, population, its file, SHA-256 and size, strata,
 * allocation) in the first rows, then one row per drawn member under a header row with
 * an autofilter. clock dates the document properties (a pinned clock keeps the bytes
 * reproducible). Errors: VP_ERR_INPUT (more members than a sheet holds), VP_ERR_IO,
 * VP_ERR_NOMEM. */
vp_status vp_render_sample_xlsx(const vp_sample *s, const vp_clock *clock, FILE *fp, const char *label,
                                vp_error *err);

/* Writes the how-to-verify steps as plain text (the bundle's README.txt): the same list
 * the report's appendix and the workbook's README sheet print, every command one "$ "
 * line and every expected output a "  -> " line, named as in vp_render_input
 * (bundle_name, ca_fingerprint, timestamped). Errors: VP_ERR_INTERNAL (a template text
 * missing), VP_ERR_NOMEM. fp's write errors are the caller's to check. */
vp_status vp_render_verify_text(FILE *fp, const char *bundle_name, const char *ca_fingerprint, int timestamped,
                                vp_error *err);

/* The column names of the jobs population as the CSV writes them (and the workbook's
 * Jobs sheet heads them), NULL-terminated. */
extern const char *const vp_jobs_csv_columns[];

/* Writes the jobs population (the jobs stream, vaultproof/timeline.h) as CSV to out_path
 * (published atomically; "-" is standard output): RFC 4180 - UTF-8, CRLF line ends, a
 * header row, fields quoted when they hold '"', ',', CR or LF (quotes doubled) - one row
 * per job line, detail lines giving the error_message column of their job: vault (the
 * snapshot's vault name, else the vault id), item (entity), kind, management_type,
 * operation, status, start, end, duration (verbatim), error_codes (joined with ";"),
 * error_message (the first error message of the job's detail line), crr ("true" or ""),
 * job_id, source_file, source_pointer. The stream is read twice (details come after the
 * jobs), never held whole. snap (may be NULL: no check, vault ids as given): the
 * stream's SHA-256 must be its collection.jobs.sha256.
 * Errors: as vp_jobs_read, VP_ERR_INPUT (another stream: both hashes named), VP_ERR_IO. */
vp_status vp_render_jobs_csv(const char *jobs_path, const vp_snapshot *snap, const char *out_path, vp_error *err);

#endif
