/*
 * vaultproof/collect.h - building a snapshot from ARM responses.
 *
 * One normalizer serves both sources: replay (response bodies on disk, read by
 * vp_collect_replay) and, later, live collection, which feeds each response it
 * receives into the same vp_normalizer. Bodies are classified by resource `type`,
 * never by file name (docs/replay-format.md).
 */
#ifndef VAULTPROOF_COLLECT_H
#define VAULTPROOF_COLLECT_H

#include <stddef.h>
#include <stdio.h>

#include "vaultproof/clock.h"
#include "vaultproof/error.h"
#include "vaultproof/snapshot.h"
#include "vaultproof/worm.h"

typedef void (*vp_progress_fn)(void *ctx, size_t done, size_t total);

typedef struct {
    const char *source_kind;     /* "replay" or "live" */
    const char *input;           /* the replay directory or endpoint, as given by the user */
    const char *principal;       /* client id of the identity that collected (live); NULL: none */
    vp_clock clock;
    const vp_worm_catalog *worm; /* required; not owned */
    /* Scope (optional): subscription ids to keep (case-insensitive) and shell globs on
     * vault names to include / exclude (case-insensitive). Empty lists keep everything. */
    const char *const *subscriptions;
    size_t subscription_count;
    const char *const *vault_include;
    size_t vault_include_count;
    const char *const *vault_exclude;
    size_t vault_exclude_count;
    /* Locations (any spelling: "West Europe" or "westeurope") whose soft-deleted vaults
     * are expected to be listed in every in-scope subscription, besides the locations
     * of its vaults (config live.deleted_vault_locations; default none). A vault
     * soft-deleted in a location nobody lists cannot be found. Not owned. */
    const char *const *deleted_vault_locations;
    size_t deleted_vault_location_count;
    /* The evidence period (NULL: none): recorded as collection.period. Not owned. */
    const vp_period *period;
    /* Where backup jobs go, one normalized JSON line each, as they are read (recording
     * order; jobs starting outside the period left out): docs/period-evidence.md. NULL:
     * jobs are checked, not written. Not owned; the caller closes it. */
    FILE *jobs_out;
    vp_progress_fn progress;     /* optional; called as files are read */
    void *progress_ctx;
} vp_collect_options;

typedef struct vp_normalizer vp_normalizer;

/* collect --import-jobs (docs/period-evidence.md): appends to jobs_out one job line per row
 * of path - an export of Log Analytics' AddonAzureBackupJobs table, the query API's JSON
 * ({"tables": [{"columns", "rows"}]}) or CSV with a header row - whose vault (_ResourceId,
 * else ResourceId, ignoring case) is one of snap's collection.jobs.vaults and whose
 * JobStartDateTime lies in [period.from, that vault's earliest_start) (the whole period when
 * its list returned none): the part of the period Azure no longer held. Lines have
 * "kind": null (the table has no jobType), "end": null, the duration as "PT<secs>S",
 * JobFailureCode as the one error code, and source {file: label, pointer:
 * "/tables/<t>/rows/<r>" or "/<data row from 1>"}. Records label, the file's SHA-256, the
 * rows read and the lines written in snap's collection (jobs.imported). snap must have a
 * period. Errors: VP_ERR_INPUT naming the file, row and what was expected (a missing
 * column, a start that is not RFC 3339); VP_ERR_IO writing. */
vp_status vp_collect_import_jobs(const char *path, const char *label, vp_snapshot *snap, FILE *jobs_out, vp_error *err);

/* Creates a normalizer. opt is copied (the strings it points to must outlive it). */
vp_status vp_normalizer_new(const vp_collect_options *opt, vp_normalizer **out, vp_error *err);

/* Adds one response body, named by path (relative, as it will appear in the snapshot).
 * sidecar/sidecar_path describe the capture (NULL for an offline export). The bytes are
 * hashed, parsed strictly and normalized; they are not retained. Errors: VP_ERR_INPUT
 * naming path, line/column or JSON pointer and what was expected. */
vp_status vp_normalizer_add(vp_normalizer *n, const char *path, const char *body, size_t len,
                            const char *sidecar_path, const char *sidecar, size_t sidecar_len, vp_error *err);

/* Links, sorts, checks completeness and produces the snapshot. Whether or not it
 * succeeds, n is consumed. *out is owned by the caller (vp_snapshot_free). */
vp_status vp_normalizer_finish(vp_normalizer *n, vp_snapshot **out, vp_error *err);

/* Releases a normalizer that will not be finished. NULL is allowed. */
void vp_normalizer_free(vp_normalizer *n);

/* Refuses a replay path that is not a directory (VP_ERR_INPUT, naming it), the check
 * vp_collect_replay makes first, for callers that read the recording before it (pack's
 * seal check). */
vp_status vp_collect_replay_dir_check(const char *dir, vp_error *err);

/* Reads every *.json body below dir (with its *.meta.json sidecar when present) in
 * sorted order and normalizes them. Errors: VP_ERR_INPUT for a missing directory or
 * bad data, VP_ERR_IO for read failures. An incomplete collection is not an error
 * here: it is recorded in the snapshot (collection.complete == 0). */
vp_status vp_collect_replay(const char *dir, const vp_collect_options *opt, vp_snapshot **out, vp_error *err);

#endif
