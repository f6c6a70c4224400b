/* The jobs population as CSV (data/jobs.csv in a bundle, for auditors' own tools):
 * RFC 4180, streamed from the jobs stream in two passes - the first gathers the detail
 * lines' error messages (they follow the jobs they belong to) and checks the stream is
 * the snapshot's, the second writes one row per job. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vaultproof/fileio.h"
#include "vaultproof/render.h"
#include "vaultproof/timeline.h"

const char *const vp_jobs_csv_columns[] = {"vault", "item", "kind", "management_type", "operation", "status",
                                           "start", "end", "duration", "error_codes", "error_message", "crr",
                                           "job_id", "source_file", "source_pointer", NULL};

typedef struct {
    vp_job_details *details;
    const vp_snapshot *snap;
    FILE *fp;
} csv_ctx;

static vp_status gather(void *ctx, const vp_job_line *l, vp_error *err)
{
    return vp_job_details_add(((csv_ctx *)ctx)->details, l, err);
}

static vp_status row(void *ctx, const vp_job_line *l, vp_error *err)
{
    csv_ctx *c = ctx;
    (void)err;
    if (l->detail_of)
        return VP_OK;
    const vp_vault *v = c->snap && l->vault_id ? vp_snapshot_find_vault(c->snap, l->vault_id) : NULL;
    const char *cells[] = {v ? v->name : l->vault_id, l->entity, l->kind, l->management_type, l->operation,
                           l->status, l->start, l->end, l->duration, l->error_codes, vp_job_details_find(c->details, l->id),
                           l->crr ? "true" : "", l->id, l->source_file, l->source_pointer};
    for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++)
        vp_csv_field(c->fp, cells[i], i == 0);
    fputs("\r\n", c->fp);
    return VP_OK;
}

vp_status vp_render_jobs_csv(const char *jobs_path, const vp_snapshot *snap, const char *out_path, vp_error *err)
{
    csv_ctx c = {.snap = snap, .details = vp_job_details_new()};
    char hex[65], again[65];
    vp_output *out = NULL;
    vp_status st = c.details ? vp_jobs_read(jobs_path, NULL, gather, &c, hex, err)
                             : vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    if (!st && snap)
        st = vp_jobs_check(snap, jobs_path, hex, err);
    if (!st) {
        vp_job_details_done(c.details);
        st = vp_output_open(out_path, &out, err);
    }
    if (!st) {
        c.fp = vp_output_stream(out);
        for (size_t i = 0; vp_jobs_csv_columns[i]; i++)
            vp_csv_field(c.fp, vp_jobs_csv_columns[i], i == 0);
        fputs("\r\n", c.fp);
        st = vp_jobs_read(jobs_path, NULL, row, &c, again, err);
        if (!st && strcmp(hex, again))
            st = vp_error_set(err, VP_ERR_INPUT, "%s: changed while it was read (SHA-256 %s, then %s)", jobs_path, hex,
                              again);
        st = st ? (vp_output_abort(out), st) : vp_output_commit(out, err);
    }
    vp_job_details_free(c.details);
    return st;
}
