/*
 * vaultproof/timeline.h - what the backup jobs of a period say about each protected item.
 *
 * The jobs stream (collect --jobs-out, one JSON line per job, docs/period-evidence.md)
 * is read once, line by line, and folded into per-item facts: jobs matched, successes,
 * failures, the largest gap between successful backups across the period, a state per
 * day of the period (the PDF's strip), every failed job with its error and when the next
 * success came, and the restores. Memory is per item, never per job, except one 4-byte
 * success time per successful backup (sorted per item: the stream is not sorted), one
 * record per failed job and one per restore (docs/period-evidence.md, "Timeline").
 *
 * Definitions (one place; the rules, the workbook and the PDF use them):
 * - a job belongs to the item whose vault id equals the job's vault_id and whose friendly
 *   name equals the job's entity (ASCII case ignored); a workload item also matches an
 *   entity written "<name> (<server>)" with its server. A job matching no item, or more
 *   than one, is unmatched and never guessed;
 * - a backup job is one whose operation begins with "Backup" (Backup, "Backup (Log)");
 *   a restore is operation Restore or CrossRegionRestore, or any job read from the
 *   cross-region-restore list ("crr": true);
 * - success: status Completed or CompletedWithWarnings (a recovery point was made);
 *   failure: Failed or Cancelled (none was made); InProgress / Cancelling: in progress;
 * - a successful backup counts at its END time: the recovery point exists, and can be
 *   restored, only once the job completed; a success without an end counts at its start;
 * - a job counts for the UTC day it STARTED (a job spanning midnight is that day's);
 * - the window is [period.from, min(period.to, collection time)); the largest gap is the
 *   longest of: window start to the first success, success to success, last success to
 *   window end (the whole window when nothing succeeded).
 */
#ifndef VAULTPROOF_TIMELINE_H
#define VAULTPROOF_TIMELINE_H

#include <stddef.h>

#include "vaultproof/error.h"
#include "vaultproof/snapshot.h"

/* The state of one item on one day of the period (the strip). */
typedef enum {
    VP_DAY_NONE = 0,    /* no backup job started that day */
    VP_DAY_SUCCESS,     /* at least one backup succeeded */
    VP_DAY_FAILED,      /* backups ran and all failed */
    VP_DAY_RUNNING,     /* only jobs still in progress */
    VP_DAY_OUTSIDE      /* not covered: after the collection time, or before the vault's
                           earliest job when the start of the period aged out */
} vp_day_state;

/* "success", "failed", "in-progress", "none", "outside". */
const char *vp_day_state_name(vp_day_state s);

/* One job the timeline keeps: a failed backup or a restore (or an unmatched job). */
typedef struct {
    const char *job_id, *entity, *operation, *status;
    const char *error_codes;    /* joined with ";" ("" when none) */
    const char *error_message;  /* the first error message of the job's detail line, or NULL */
    long long start, end;       /* epoch seconds; end -1 when not reported */
    long long next_success;     /* failures: time of the item's next success after start, -1: unresolved */
    int crr;                    /* read from the cross-region-restore list */
    const char *source_file, *source_pointer;
} vp_tl_job;

typedef struct {
    size_t jobs;                /* matched jobs of every operation */
    size_t backups, successes, failures, in_progress;
    long long gap, gap_from, gap_to; /* largest gap (seconds) and its ends (epoch) */
    long long protected_from;   /* where the gaps are measured from: the period's start, or the
                                   item's first successful ConfigureBackup in the period when it
                                   came before any successful backup */
    long long first_success, last_success; /* -1 when none */
    const vp_tl_job *failed;    /* failed backups, by start */
    size_t failed_count;
    const vp_tl_job *restores;  /* by start */
    size_t restore_count;
    size_t ambiguous;           /* jobs naming it and another item alike: matched to neither */
} vp_tl_item;

typedef struct {
    size_t jobs, backups, successes, failures, restores, unmatched;
    long long earliest_start;   /* earliest job start seen in the stream, -1 when none */
} vp_tl_vault;

/* One line of the jobs stream as read (Contract 2 of docs/period-evidence.md): a job, or
 * a job's details (detail_of set: then only vault_id, message and source are). Strings
 * are valid during the callback only; absent members are NULL; error_codes is joined
 * with ";" ("" when none); members this reader does not know are ignored. */
typedef struct {
    size_t line;              /* 1-based */
    const char *detail_of;    /* a detail line: the job's id */
    const char *id, *vault_id, *kind, *management_type, *entity, *operation, *status, *start, *end, *duration;
    const char *error_codes;
    int crr;                  /* "crr": true (read from the cross-region-restore list) */
    const char *message;      /* a detail line: its first error's message */
    const char *source_file, *source_pointer;
} vp_job_line;

/* Reads the jobs stream at path once, line by line (label names it in messages; NULL:
 * path), calling fn for each line; fn returns VP_OK to go on, else that status is
 * returned (its message set by fn). sha256 (may be NULL) receives the SHA-256 of the
 * bytes read. Errors: VP_ERR_INPUT (not JSON, or neither a job - an object with "id" -
 * nor a detail line: file and line named), VP_ERR_IO, VP_ERR_NOMEM, fn's. */
vp_status vp_jobs_read(const char *path, const char *label, vp_status (*fn)(void *ctx, const vp_job_line *line, vp_error *err),
                       void *ctx, char sha256[65], vp_error *err);

/* Whether sha256 (of the stream label, as vp_jobs_read gives it) is snap's
 * collection.jobs.sha256: VP_OK, else VP_ERR_INPUT naming both hashes (the one check
 * every reader of a snapshot's stream makes). */
vp_status vp_jobs_check(const vp_snapshot *snap, const char *label, const char sha256[65], vp_error *err);

/* The detail lines' error messages by job id: the first detail line of a job wins.
 * add ignores lines without detail_of or message; find works once done was called. */
typedef struct vp_job_details vp_job_details;
vp_job_details *vp_job_details_new(void); /* NULL when out of memory */
vp_status vp_job_details_add(vp_job_details *d, const vp_job_line *line, vp_error *err); /* VP_ERR_NOMEM */
void vp_job_details_done(vp_job_details *d);
const char *vp_job_details_find(const vp_job_details *d, const char *job_id); /* ASCII case ignored; or NULL */
void vp_job_details_free(vp_job_details *d); /* NULL is allowed */

typedef struct vp_timeline vp_timeline;

/* Reads the jobs stream at path for snapshot snap (which must have a period and record
 * the stream's SHA-256 in collection.jobs): the file's SHA-256, computed while reading,
 * must equal it. label names the file in messages (NULL: path). Lines with "detail_of"
 * give the first error message of that job; members this reader does not know are
 * ignored. *out (vp_timeline_free) is set only on success.
 * Errors: VP_ERR_INPUT (a line that is not a job, a snapshot without a period or without
 * a recorded stream, the hashes differ: both named), VP_ERR_IO, VP_ERR_NOMEM. */
vp_status vp_timeline_build(const char *path, const char *label, const vp_snapshot *snap, vp_timeline **out,
                            vp_error *err);
void vp_timeline_free(vp_timeline *t);

/* The facts of item i of the snapshot (0 <= i < item_count), computed on each call from
 * what the timeline keeps (the gaps walk the item's successes): keep the value rather
 * than ask again in a loop. Its failed and restores point into t. */
vp_tl_item vp_timeline_item(const vp_timeline *t, size_t i);
/* The totals of vault v of the snapshot (0 <= v < vault_count). */
const vp_tl_vault *vp_timeline_vault(const vp_timeline *t, size_t v);
/* Whether Azure no longer held the start of the period for vault v (jobs age out): the
 * earlier of the snapshot's recorded earliest job (collection.jobs.vaults[]) and the
 * stream's first job starts more than 48 h after the period's start, so the period
 * cannot be judged from this stream alone (docs/period-evidence.md). */
int vp_timeline_aged_out(const vp_timeline *t, size_t v);
/* The period's days: count, and the first day's start (period.from, UTC). */
size_t vp_timeline_day_count(const vp_timeline *t);
long long vp_timeline_window_end(const vp_timeline *t); /* min(period.to, collection time) */
vp_day_state vp_timeline_day(const vp_timeline *t, size_t item, size_t day);
/* Unmatched jobs: the total counted and the first VP_TIMELINE_UNMATCHED_KEPT kept. */
#define VP_TIMELINE_UNMATCHED_KEPT 1000
const vp_tl_job *vp_timeline_unmatched(const vp_timeline *t, size_t *kept, size_t *total);
/* The first error message of the detail line of job_id (ASCII case ignored), or NULL. */
const char *vp_timeline_detail_message(const vp_timeline *t, const char *job_id);
/* Job lines read (detail lines not counted). */
size_t vp_timeline_job_count(const vp_timeline *t);

/* Marks in days[d] (d < vp_timeline_day_count) each day of the window on which item i
 * went longer than limit seconds without a successful backup (counting from the window's
 * start, as the largest gap does); returns how many days it marked that were not marked
 * already. days is the caller's, so one array can collect the days of many items. */
size_t vp_timeline_breach_days(const vp_timeline *t, size_t i, long long limit, unsigned char *days);
/* Days of the window (days that start before its end). */
size_t vp_timeline_window_days(const vp_timeline *t);

/* Whether a job status is a success (Completed, CompletedWithWarnings): the one
 * definition for backups and restores alike. */
int vp_job_succeeded(const char *status);

/* A job duration in seconds: ISO 8601 ("PT12.4272909S", "P1DT2H") or .NET
 * ("00:03:13.6439467", "1.02:03:04"). Returns 0, or -1 when s is neither. */
int vp_duration_seconds(const char *s, double *out);

#endif
