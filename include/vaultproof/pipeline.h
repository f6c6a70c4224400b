/*
 * vaultproof/pipeline.h - the library's collect, evaluate and render stages.
 *
 * The one place where a stage is put together from the engine modules (collect, live,
 * evaluate, render) and where the checks that guard it are made: the period format,
 * that findings belong to the snapshot they are rendered with, the live-collection
 * options derived from the config, and the one clock a run uses. The CLI commands
 * (collect, evaluate, render) map their options onto these calls and print; vp_pack
 * calls the same entry points for each stage of a bundle, so a library caller gets
 * exactly the checks the command line gets.
 *
 * Every entry point takes a resolved vp_clock (vp_clock_resolve: --now, then
 * SOURCE_DATE_EPOCH, then the system clock) and hands that same clock to every engine
 * call of the stage; nothing below reads the system time.
 *
 * Strings and objects in the option structs are borrowed for the duration of the call
 * unless said otherwise. Errors are a vp_status with a message in err naming the file
 * or option, what was found and what was expected.
 */
#ifndef VAULTPROOF_PIPELINE_H
#define VAULTPROOF_PIPELINE_H

#include <stddef.h>

#include "vaultproof/catalog.h"
#include "vaultproof/clock.h"
#include "vaultproof/collect.h"
#include "vaultproof/config.h"
#include "vaultproof/error.h"
#include "vaultproof/evaluate.h"
#include "vaultproof/history.h"
#include "vaultproof/keys.h"
#include "vaultproof/live.h"
#include "vaultproof/render.h"
#include "vaultproof/sample.h"
#include "vaultproof/snapshot.h"
#include "vaultproof/worm.h"

/* ---- checks shared by the stages and their callers ---- */

/* A reporting period is exactly "YYYY-Qn": four digits, "-Q", n from 1 to 4. NULL (no
 * period) is accepted. command ("render", "pack") names the caller in the message.
 * Errors: VP_ERR_USAGE "COMMAND: --period 'P': expected YYYY-Qn, e.g. 2026-Q3". */
vp_status vp_pipeline_check_period(const char *period, const char *command, vp_error *err);

/* Two outputs of one stage must not be the same path (the second would replace the
 * first). Either may be NULL (not written). a_option and b_option are the option names
 * without dashes, as the message shows them.
 * Errors: VP_ERR_USAGE "COMMAND: --A and --B name the same file". */
vp_status vp_pipeline_check_distinct(const char *a, const char *a_option, const char *b, const char *b_option,
                                     const char *command, vp_error *err);

/* ---- writing a stage's outputs ---- */

typedef enum {
    /* Published for a user: a temporary file beside the destination, synced and renamed
     * into place when complete (vaultproof/fileio.h); "-" is standard output. */
    VP_PIPELINE_PUBLISH = 0,
    /* A new file in a private staging directory (vp_pack): created exclusively (never
     * through a symlink) relative to a directory descriptor - the options' dir_fd, the
     * _at functions' dir_fd - not synced; the directory is discarded whole on failure.
     * Hashes of staged files are read back through the descriptor they were written
     * with. */
    VP_PIPELINE_STAGED
} vp_pipeline_write_mode;

/* Writes snapshot.json to path (label names it in messages and, for snapshots, nowhere
 * else). sha256 (may be NULL): receives the SHA-256 of the bytes written; not for "-".
 * Errors: VP_ERR_IO naming path; VP_ERR_IO as well when a staged path already exists. */
vp_status vp_pipeline_write_snapshot(const vp_snapshot *snap, const char *path, const char *label,
                                     vp_pipeline_write_mode mode, char sha256[65], vp_error *err);
/* The same with path relative to the directory dir_fd (openat; AT_FDCWD: as above). */
vp_status vp_pipeline_write_snapshot_at(const vp_snapshot *snap, int dir_fd, const char *path, const char *label,
                                        vp_pipeline_write_mode mode, char sha256[65], vp_error *err);

/* Writes the findings as NIST OSCAL assessment results; findings_sha256 (may be NULL)
 * is the hash of the findings.json the document cites. Errors: as vp_findings_write_oscal,
 * VP_ERR_IO naming path. */
vp_status vp_pipeline_write_oscal(const vp_findings *f, const char *findings_sha256, const char *path,
                                  const char *label, vp_pipeline_write_mode mode, vp_error *err);
/* The same with path relative to dir_fd (as vp_pipeline_write_snapshot_at); sha256 (may
 * be NULL) receives the hash of the bytes written. */
vp_status vp_pipeline_write_oscal_at(const vp_findings *f, const char *findings_sha256, int dir_fd, const char *path,
                                     const char *label, vp_pipeline_write_mode mode, char sha256[65], vp_error *err);

/* The same, the findings file's hash asked of hash(hash_ctx) only when the document's
 * back-matter is written (vp_findings_write_oscal_awaiting): pack writes the document
 * on a second thread while it writes findings.json. */
vp_status vp_pipeline_write_oscal_awaiting_at(const vp_findings *f, vp_oscal_findings_hash hash, void *hash_ctx,
                                              int dir_fd, const char *path, const char *label,
                                              vp_pipeline_write_mode mode, char sha256[65], vp_error *err);

/* Writes findings.json (vp_findings_write_json) to path relative to dir_fd, as
 * vp_pipeline_write_snapshot_at. counts (may be NULL) receives the findings per vault
 * and status as written (vp_findings_write_json_counted; vp_vault_counts_free it, also
 * after an error), for vp_pipeline_render_options.vault_counts. Errors: as
 * vp_findings_write_json, VP_ERR_IO naming path, VP_ERR_NOMEM. */
vp_status vp_pipeline_write_findings_at(const vp_findings *f, int dir_fd, const char *path, const char *label,
                                        vp_pipeline_write_mode mode, vp_vault_counts *counts, char sha256[65],
                                        vp_error *err);

/* ---- signer ---- */

/* Who signs: --key/--cert/--chain and their passphrase, which override the config's
 * "signer" object as a whole, else that object (key, cert, chain, passphrase_env or
 * passphrase_file). The TSA: tsa_url, else the config's signer/tsa. A key_path (or the
 * config's key_vault_key) starting with "https://" is an Azure Key Vault key
 * (vaultproof/keyvault.h), reached with ca_bundle and authority_host and the config's
 * live/cloud. */
typedef struct {
    const char *key_path, *cert_path, *chain_path; /* key_path NULL: the config's signer */
    const char *passphrase;                        /* with key_path; never kept or printed */
    const char *tsa_url;                           /* NULL: the config's signer/tsa, if any */
    const char *ca_bundle;                         /* Key Vault: PEM CAs for its TLS; NULL: system */
    const char *authority_host;                    /* Key Vault: Entra ID authority; NULL: default */
    /* with a key_path that is a PKCS#11 URI (vp_pkcs11_is_uri): the environment variable
     * holding the token's PIN (NULL: VP_PKCS11_PIN_ENV) and the module (NULL: libp11's
     * default); both are refused with a key file */
    const char *pin_env, *pkcs11_module;
} vp_pipeline_signer_options;

/* Loads the signer pack and collect sign with. cfg may be NULL (no config); config_label
 * names it in messages; command ("pack") prefixes them. required: no signer given is
 * VP_ERR_USAGE; otherwise *out is then NULL and VP_OK returned. *tsa_url (may be NULL)
 * receives o->tsa_url or the config's (borrowed from cfg), or NULL. *out (vp_signer_free)
 * is set only on success. Errors: as vp_signer_load (VP_ERR_INPUT: key permissions, a
 * wrong passphrase), vp_passphrase_from_env / _file (naming the config member),
 * vp_signer_load_pkcs11 (VP_ERR_CRYPTO: a PIN the token refused); VP_ERR_INPUT when the
 * PIN's environment variable is not set or empty (the message names it). */
vp_status vp_pipeline_signer(const vp_pipeline_signer_options *o, const vp_config *cfg, const char *config_label,
                             const char *command, int required, vp_signer **out, const char **tsa_url,
                             vp_error *err);

/* ---- collect ---- */

/* The WORM region catalog a collection uses: the file at path when given, else the one
 * cfg selects (may be NULL), else the built-in one. *out is owned by the caller
 * (vp_worm_catalog_free). Errors: VP_ERR_INPUT naming the file or config member. */
vp_status vp_pipeline_worm_catalog(const char *path, const vp_config *cfg, vp_worm_catalog **out, vp_error *err);

/* Where a live collection records (dir, size bytes). record (may be NULL): made when
 * missing and then required to be empty, so one recording never mixes two runs. NULL:
 * a private temporary directory below $TMPDIR (else /tmp); *is_temp is then 1 and the
 * caller removes it (vp_remove_tree) when done. Errors: VP_ERR_USAGE when record
 * already holds files, VP_ERR_IO when a directory cannot be made. */
vp_status vp_pipeline_record_dir(const char *record, char *dir, size_t size, int *is_temp, vp_error *err);

typedef struct {
    const vp_config *config;          /* optional: scope (subscriptions, vault globs) and the
                                         "live" settings (cloud, api-versions, concurrency) */
    const vp_worm_catalog *worm;      /* required (vp_pipeline_worm_catalog) */
    vp_clock clock;                   /* the snapshot's generation time */
    /* Scope: these subscriptions instead of the config's (count 0: the config's). */
    const char *const *subscriptions;
    size_t subscription_count;
    /* Source: replay_dir holds stored responses; NULL collects live into record_dir. */
    const char *replay_dir;
    const char *input_label;          /* replay: name the snapshot records instead of
                                         replay_dir (e.g. the directory a copy was made
                                         from); NULL: replay_dir */
    const char *record_dir;           /* live: an existing, empty directory (vp_pipeline_record_dir) */
    /* Live only; NULL / 0 take the config's setting, then vp_live_options' default. */
    const char *token_file, *arm_endpoint, *authority_host, *ca_bundle;
    int concurrency;                  /* 0: the config's, else 8 */
    int live_progress;                /* 1: the live collector draws a progress line on stderr */
    void (*on_incomplete)(void *ctx, const char *message); /* as vp_live_options; may be NULL */
    void *on_incomplete_ctx;
    const vp_period *period;          /* the evidence period (vp_period_options) or NULL */
    /* With a period: the backup jobs stream (one JSON line per job in the period,
     * docs/period-evidence.md) is written to a temporary file beside jobs_path and
     * renamed to it when the snapshot is built; the snapshot records jobs_label (NULL:
     * jobs_path) and the file's SHA-256 (collection.jobs). NULL: counted, not written. */
    const char *jobs_path, *jobs_label;
    /* With jobs_path: an export of Log Analytics' AddonAzureBackupJobs (vp_collect_import_jobs)
     * whose rows fill the part of the period Azure no longer held, appended to the stream
     * after the jobs read from ARM; the snapshot records import_label (NULL:
     * import_jobs_path). NULL: none. */
    const char *import_jobs_path, *import_label;
    vp_progress_fn progress;          /* optional: called as response files are read */
    void *progress_ctx;
    /* Live only: seal the recording when the collection ends (vaultproof/seal.h) - also
     * when it failed or is incomplete (the seal records that), unless nothing was
     * recorded. NULL: the recording is not sealed. */
    const vp_signer *seal_signer;
    const char *seal_dir;             /* where the seal goes; NULL: record_dir/.vaultproof-seal */
    const char *seal_tsa_url;         /* RFC 3161 TSA for the seal (ca_bundle for https), or NULL */
} vp_pipeline_collect_options;

/* Collects a snapshot: live (replay_dir NULL) records every response into record_dir
 * first (and seals it with seal_signer; live->sealed_files says how many files the seal
 * lists); the snapshot is then always built from the directory of responses exactly as a
 * replay (vp_live_snapshot), so a recording replays byte-identically. *out is owned by
 * the caller (vp_snapshot_free). live (may be NULL) receives what the live collector
 * did (zeroed for a replay). An incomplete collection is not an error: the snapshot
 * records it (collection.complete) and live->failed_calls counts the failed calls.
 * Errors: VP_ERR_USAGE (neither or both of replay_dir and record_dir, no worm catalog),
 * as vp_live_collect (VP_ERR_COLLECT: no credential, authentication or TLS failure) and
 * as vp_live_snapshot (VP_ERR_INPUT naming the file, VP_ERR_IO), as vp_seal_write
 * (VP_ERR_CRYPTO: signing or time-stamping the seal; a collection that failed reports its
 * own error, with the seal's appended when that failed too). */
vp_status vp_pipeline_collect(const vp_pipeline_collect_options *opt, vp_snapshot **out, vp_live_result *live,
                              vp_error *err);

/* ---- evaluate ---- */

/* Reads a snapshot file fully into memory and the SHA-256 of its bytes (hashed first, so
 * the hash is of the bytes read). *out is owned by the caller (vp_snapshot_free).
 * Errors: as vp_sha256_file and vp_snapshot_read_json (VP_ERR_INPUT naming the file). */
vp_status vp_pipeline_snapshot_load(const char *path, vp_snapshot **out, char sha256[65], vp_error *err);

/* Earlier snapshots of a period, loaded for drift (vp_evaluate_options.baselines). */
typedef struct vp_pipeline_baselines vp_pipeline_baselines;

/* Loads count snapshot files in the order given, each as vp_pipeline_snapshot_load.
 * labels[i] (labels may be NULL: the paths) is how the findings record baseline i; it is
 * copied. *out (vp_pipeline_baselines_free) is set only on success; on failure nothing
 * is kept. Errors: as vp_pipeline_snapshot_load; VP_ERR_NOMEM. */
vp_status vp_pipeline_baselines_load(const char *const *paths, const char *const *labels, size_t count,
                                     vp_pipeline_baselines **out, vp_error *err);
/* The loaded baselines (valid until vp_pipeline_baselines_free); NULL b gives none. */
const vp_snapshot_ref *vp_pipeline_baselines_refs(const vp_pipeline_baselines *b, size_t *count);
/* Frees the snapshots and the struct. NULL is allowed. */
void vp_pipeline_baselines_free(vp_pipeline_baselines *b);

typedef struct {
    const vp_config *config;          /* required */
    const char *config_label;         /* how the findings record the config (its path) */
    const vp_catalog *catalog;        /* required */
    vp_clock clock;                   /* the findings' generation time */
    vp_snapshot_ref snapshot;         /* required: the snapshot, its label and SHA-256 */
    const vp_snapshot_ref *baselines; /* optional (vp_pipeline_baselines_refs) */
    size_t baseline_count;
    /* Outputs (each optional): findings.json, then the OSCAL document citing its hash
     * (no hash when findings_path is "-"). Labels name them in messages; NULL: the path. */
    const char *findings_path, *findings_label;
    const char *oscal_path, *oscal_label;
    vp_pipeline_write_mode mode;
    int dir_fd;                       /* STAGED only: the directory the output paths are
                                         relative to (ignored when publishing) */
    /* The snapshot's jobs stream (collect --jobs-out; evaluate --jobs), read once into a
     * timeline (vaultproof/timeline.h) for the period rules; its SHA-256 must be the
     * snapshot's collection.jobs.sha256. NULL: with a period those rules are incomplete.
     * jobs_label names it in messages (NULL: jobs_path). A path, not staged: read as given. */
    const char *jobs_path, *jobs_label;
} vp_pipeline_evaluate_options;

/* Evaluates the snapshot and writes the outputs asked for. *out (vp_findings_free) is
 * set only on success. findings_sha256 (may be NULL) receives the hash of the written
 * findings.json ("" when none was written or it went to "-").
 * Errors: VP_ERR_USAGE (findings_path and oscal_path the same, a required member
 * missing), as vp_evaluate (VP_ERR_INPUT naming the config member), as vp_timeline_build
 * (VP_ERR_INPUT: jobs_path is not this snapshot's stream, both hashes named), VP_ERR_IO. */
vp_status vp_pipeline_evaluate(const vp_pipeline_evaluate_options *opt, vp_findings **out, char findings_sha256[65],
                               vp_error *err);

/* ---- render ---- */

typedef struct {
    /* The snapshot: read from snapshot_path unless given in memory (then snapshot_sha256
     * is required). A snapshot read here for the workbook alone is read lazily (its big
     * populations streamed) and checked not to have changed while the workbook was
     * written. snapshot_path names it in messages. */
    const char *snapshot_path;
    const vp_snapshot *snapshot;
    const char *snapshot_sha256;      /* the hash of snapshot_path's bytes; NULL: computed */
    const char *snapshot_label;       /* how the reports name it; NULL: snapshot_path */
    /* The findings (findings.json): always read from findings_path, and refused unless
     * their record names this snapshot's SHA-256. */
    const char *findings_path;
    const char *findings_sha256;      /* NULL: computed */
    const char *findings_label;       /* NULL: findings_path */
    /* Outputs, at least one: the workbook is written first, so the report can cite its
     * name (xlsx_name; NULL: xlsx_path) and hash. Labels name them in messages. */
    const char *pdf_path, *pdf_label;
    const char *xlsx_path, *xlsx_label, *xlsx_name;
    vp_pipeline_write_mode mode;
    int dir_fd;                       /* STAGED only: the directory pdf_path and xlsx_path
                                         are relative to (ignored when publishing) */
    vp_clock clock;                   /* the reports' generation time */
    const char *period;               /* "YYYY-Qn" or NULL (vp_pipeline_check_period) */
    const char *request_id;           /* or NULL */
    size_t population_limit;          /* as vp_render_input */
    const char *font_dir;             /* or NULL: the default search */
    const char *bundle_name;          /* as vp_render_input (pack: the bundle's stem), or NULL */
    const char *ca_fingerprint;       /* as vp_render_input, or NULL */
    int timestamped;                  /* as vp_render_input */
    void (*warn)(void *ctx, const char *message); /* optional: non-fatal problems */
    void *warn_ctx;
    /* The exceptions' first seen: the failing findings of the archive's earlier bundles
     * (vp_history_load; pack passes its archive's). NULL: first seen is not known. Kept
     * out of findings.json, which must be re-performable from raw/ and the config alone. */
    const vp_history *history;
    /* Or the ledger to read it from (vp_history_load, the organization the findings
     * name; left-out bundles go to warn); used only when history is NULL. */
    const char *ledger_path;
    /* The tag naming a failing finding's owner (report.owner_tag); NULL:
     * VP_CONFIG_DEFAULT_OWNER_TAG. */
    const char *owner_tag;
    vp_render_recording recording;    /* as vp_render_input (pack: sealed or unsealed replay) */
    const vp_sample *sample;          /* the workbook's Sample sheet (pack --sample-size), or NULL */
    /* The snapshot's jobs stream (render --jobs): its timeline gives the workbook's Jobs,
     * Failures and Restore Tests sheets and the report's period section; its SHA-256 must
     * be the snapshot's collection.jobs.sha256. The snapshot is then read whole, never
     * lazily (the timeline needs its items). jobs_label names it (NULL: jobs_path). */
    const char *jobs_path, *jobs_label;
    /* With jobs_path: that stream's timeline when the caller has already built it over
     * this snapshot (pack: the evaluation's, vp_findings_timeline), so it is not read and
     * held a second time; NULL: built here from jobs_path. Only read. */
    const vp_timeline *timeline;
    /* With jobs_path: the jobs population as CSV too (vp_render_jobs_csv; published). */
    const char *jobs_csv_path;
    /* The evaluation's count of findings_path per vault and status, when the caller wrote
     * it (vp_pipeline_write_findings_at): as vp_render_input's. NULL: counted from the
     * file. */
    const vp_vault_counts *vault_counts;
    const char *scratch_dir;          /* as vp_render_input (pack: its staging directory), or NULL */
} vp_pipeline_render_options;

/* Renders the workbook and/or the report from a snapshot and its findings; each failing
 * finding is shown with its rule's remediation (the built-in catalog), its first seen
 * (opt->history) and its owner (opt->owner_tag, read from the snapshot).
 * Errors: VP_ERR_USAGE (a bad period, no input or output, pdf_path == xlsx_path),
 * VP_ERR_INPUT (findings made from another snapshot: /snapshot/sha256 and both hashes
 * named; a jobs stream not the snapshot's, both hashes named; the snapshot changed while being streamed; bad snapshot, findings or fonts;
 * ledger_path missing), VP_ERR_CHECK (ledger_path does not verify),
 * VP_ERR_IO, VP_ERR_NOMEM. Outputs already written are left in place on a later failure
 * (published ones are complete files). */
vp_status vp_pipeline_render(const vp_pipeline_render_options *opt, vp_error *err);

#endif
