/* The evidence period's sheets (render --jobs): Jobs (the whole job population of the
 * period, one row per job, streamed from the jobs stream and continued on further sheets
 * at the row limit), Failures (every failed backup with its next success and time to
 * resolve) and Restore Tests (every restore job). Facts come from the timeline
 * (vaultproof/timeline.h); nothing is judged here. */
#include <string.h>

#include "render/xlsx_internal.h"
#include "vaultproof/clock.h"
#include "vaultproof/timeline.h"

enum {
    J_VAULT, J_ITEM, J_KIND, J_MANAGEMENT, J_OPERATION, J_STATUS, J_START, J_END, J_SECONDS, J_DURATION, J_CODES,
    J_MESSAGE, J_CRR, J_ID, J_FILE, J_POINTER, J_NCOLS
};

static const xlsx_col job_cols[J_NCOLS] = {
    [J_VAULT] = {"Vault", XC_TEXT, 0},
    [J_ITEM] = {"Item (entity)", XC_TEXT, 0},
    [J_KIND] = {"Job kind", XC_TEXT, 0},
    [J_MANAGEMENT] = {"Backup management type", XC_TEXT, 0},
    [J_OPERATION] = {"Operation", XC_TEXT, 0},
    [J_STATUS] = {"Status", XC_TEXT, XP_PROTECTION},
    [J_START] = {"Start (UTC)", XC_TIME, 0},
    [J_END] = {"End (UTC)", XC_TIME, 0},
    [J_SECONDS] = {"Duration (s)", XC_NUM, 0},
    [J_DURATION] = {"Duration (as reported)", XC_ID, 0},
    [J_CODES] = {"Error codes", XC_ID, 0},
    [J_MESSAGE] = {"Error message", XC_TEXT, 0},
    [J_CRR] = {"Cross-region", XC_BOOL, 0},
    [J_ID] = {"Job id", XC_ID, 0},
    [J_FILE] = {"Source file", XC_ID, 0},
    [J_POINTER] = {"Source pointer", XC_ID, 0},
};

typedef struct {
    xlsx_ctx *x;
    xlsx_pop *p;
} jobs_ctx;

/* A job time as UTC (a start written with an offset is the same instant). */
static void utc_time(xlsx_pop *p, size_t col, const char *s)
{
    long long e;
    char buf[32];
    if (s && vp_time_parse(s, &e) == 0 && !strchr(s + 19, '.'))
        vpr_xlsx_time(p, col, vp_time_format(e, buf, sizeof buf));
    else
        vpr_xlsx_time(p, col, s); /* a fraction of a second is kept: the cell shows milliseconds */
}

static vp_status job_row(void *ctx, const vp_job_line *l, vp_error *err)
{
    jobs_ctx *c = ctx;
    xlsx_pop *p = c->p;
    double seconds;
    (void)err;
    if (l->detail_of || c->x->status || vpr_xlsx_pop_row(p))
        return c->x->status;
    vpr_xlsx_text(p, J_VAULT, l->vault_id ? vpr_xlsx_vault_name(c->x->in->snapshot, l->vault_id) : NULL);
    vpr_xlsx_text(p, J_ITEM, l->entity);
    vpr_xlsx_text(p, J_KIND, l->kind);
    vpr_xlsx_text(p, J_MANAGEMENT, l->management_type);
    vpr_xlsx_text(p, J_OPERATION, l->operation);
    vpr_xlsx_text(p, J_STATUS, l->status);
    utc_time(p, J_START, l->start);
    utc_time(p, J_END, l->end);
    if (vp_duration_seconds(l->duration, &seconds) == 0)
        vpr_xlsx_num(p, J_SECONDS, seconds);
    vpr_xlsx_text(p, J_DURATION, l->duration);
    vpr_xlsx_text(p, J_CODES, l->error_codes);
    vpr_xlsx_text(p, J_MESSAGE, vp_timeline_detail_message(c->x->in->timeline, l->id));
    vpr_xlsx_bool(p, J_CRR, l->crr);
    vpr_xlsx_text(p, J_ID, l->id);
    vpr_xlsx_text(p, J_FILE, l->source_file);
    vpr_xlsx_text(p, J_POINTER, l->source_pointer);
    return c->x->status;
}

static void write_jobs(xlsx_ctx *x)
{
    xlsx_pop p;
    jobs_ctx c = {x, &p};
    char sha[65];
    const vp_render_input *in = x->in;
    if (vpr_xlsx_pop_begin(&p, x, "Jobs", job_cols, NULL, J_NCOLS, vp_timeline_job_count(in->timeline)))
        return;
    vp_status st = vp_jobs_read(in->jobs_path, in->jobs_label, job_row, &c, sha, x->err);
    if (st && !x->status)
        x->status = st;
    else if (!st && strcmp(sha, in->snapshot->collection.jobs_sha256))
        vpr_xlsx_fail(x, VP_ERR_INPUT, "%s: changed while the workbook was being written (SHA-256 %s, expected %s)",
                      in->jobs_label ? in->jobs_label : in->jobs_path, sha, in->snapshot->collection.jobs_sha256);
    vpr_xlsx_pop_end(&p);
}

enum {
    F_VAULT, F_ITEM, F_OPERATION, F_STATUS, F_START, F_END, F_CODES, F_MESSAGE, F_NEXT, F_HOURS, F_RESOLVED, F_ID,
    F_FILE, F_POINTER, F_NCOLS
};

static const xlsx_col failure_cols[F_NCOLS] = {
    [F_VAULT] = {"Vault", XC_TEXT, 0},
    [F_ITEM] = {"Protected item", XC_TEXT, 0},
    [F_OPERATION] = {"Operation", XC_TEXT, 0},
    [F_STATUS] = {"Status", XC_TEXT, XP_PROTECTION},
    [F_START] = {"First seen (job start, UTC)", XC_TIME, 0},
    [F_END] = {"Job end (UTC)", XC_TIME, 0},
    [F_CODES] = {"Error codes", XC_ID, 0},
    [F_MESSAGE] = {"Error message", XC_TEXT, 0},
    [F_NEXT] = {"Next successful backup (UTC)", XC_TIME, 0},
    [F_HOURS] = {"Time to resolve (h)", XC_NUM, 0},
    [F_RESOLVED] = {"Resolution", XC_TEXT, 0},
    [F_ID] = {"Job id", XC_ID, 0},
    [F_FILE] = {"Source file", XC_ID, 0},
    [F_POINTER] = {"Source pointer", XC_ID, 0},
};

static void time_cell(xlsx_pop *p, size_t col, long long t)
{
    char buf[32];
    if (t >= 0)
        vpr_xlsx_time(p, col, vp_time_format(t, buf, sizeof buf));
}

static void failure_row(xlsx_pop *p, const vp_snapshot *s, size_t item, const vp_tl_job *j)
{
    vpr_xlsx_text(p, F_VAULT, vpr_xlsx_vault_name(s, s->items[item].vault_id));
    vpr_xlsx_text(p, F_ITEM, j->entity);
    vpr_xlsx_text(p, F_OPERATION, j->operation);
    vpr_xlsx_text(p, F_STATUS, j->status);
    time_cell(p, F_START, j->start);
    time_cell(p, F_END, j->end);
    vpr_xlsx_text(p, F_CODES, j->error_codes);
    vpr_xlsx_text(p, F_MESSAGE, j->error_message);
    time_cell(p, F_NEXT, j->next_success);
    if (j->next_success >= 0)
        vpr_xlsx_num(p, F_HOURS, (double)(j->next_success - j->start) / 3600.0);
    vpr_xlsx_text(p, F_RESOLVED, j->next_success >= 0 ? "resolved" : "unresolved");
    vpr_xlsx_text(p, F_ID, j->job_id);
    vpr_xlsx_text(p, F_FILE, j->source_file);
    vpr_xlsx_text(p, F_POINTER, j->source_pointer);
}

enum { R_VAULT, R_ITEM, R_OPERATION, R_STATUS, R_OK, R_CRR, R_START, R_END, R_ID, R_FILE, R_POINTER, R_NCOLS };

static const xlsx_col restore_cols[R_NCOLS] = {
    [R_VAULT] = {"Vault", XC_TEXT, 0},
    [R_ITEM] = {"Protected item", XC_TEXT, 0},
    [R_OPERATION] = {"Operation", XC_TEXT, 0},
    [R_STATUS] = {"Status", XC_TEXT, XP_PROTECTION},
    [R_OK] = {"Succeeded", XC_BOOL, 0},
    [R_CRR] = {"Cross-region", XC_BOOL, 0},
    [R_START] = {"Start (UTC)", XC_TIME, 0},
    [R_END] = {"End (UTC)", XC_TIME, 0},
    [R_ID] = {"Job id", XC_ID, 0},
    [R_FILE] = {"Source file", XC_ID, 0},
    [R_POINTER] = {"Source pointer", XC_ID, 0},
};

static void restore_row(xlsx_pop *p, const vp_snapshot *s, size_t item, const vp_tl_job *j)
{
    vpr_xlsx_text(p, R_VAULT, vpr_xlsx_vault_name(s, s->items[item].vault_id));
    vpr_xlsx_text(p, R_ITEM, j->entity);
    vpr_xlsx_text(p, R_OPERATION, j->operation);
    vpr_xlsx_text(p, R_STATUS, j->status);
    vpr_xlsx_bool(p, R_OK, vp_job_succeeded(j->status));
    vpr_xlsx_bool(p, R_CRR, j->crr);
    time_cell(p, R_START, j->start);
    time_cell(p, R_END, j->end);
    vpr_xlsx_text(p, R_ID, j->job_id);
    vpr_xlsx_text(p, R_FILE, j->source_file);
    vpr_xlsx_text(p, R_POINTER, j->source_pointer);
}

/* One row per failed backup (restores 0) or per restore job (restores 1) of every item. */
static void item_jobs_sheet(xlsx_ctx *x, const char *name, const xlsx_col *cols, size_t ncols, int restores,
                            void (*row)(xlsx_pop *p, const vp_snapshot *s, size_t item, const vp_tl_job *j))
{
    const vp_snapshot *s = x->in->snapshot;
    const vp_timeline *t = x->in->timeline;
    size_t total = 0;
    xlsx_pop p;
    for (size_t i = 0; i < s->item_count; i++)
        total += restores ? vp_timeline_item(t, i).restore_count : vp_timeline_item(t, i).failed_count;
    if (vpr_xlsx_pop_begin(&p, x, name, cols, NULL, ncols, total))
        return;
    for (size_t i = 0; i < s->item_count && !x->status; i++) {
        const vp_tl_item facts = vp_timeline_item(t, i), *ti = &facts;
        const vp_tl_job *jobs = restores ? ti->restores : ti->failed;
        size_t n = restores ? ti->restore_count : ti->failed_count;
        for (size_t k = 0; k < n && !vpr_xlsx_pop_row(&p); k++)
            row(&p, s, i, &jobs[k]);
    }
    vpr_xlsx_pop_end(&p);
}

void vpr_xlsx_write_period(xlsx_ctx *x)
{
    if (!x->in->timeline || x->status)
        return; /* rendered without --jobs: no period sheets */
    write_jobs(x);
    item_jobs_sheet(x, "Failures", failure_cols, F_NCOLS, 0, failure_row);
    item_jobs_sheet(x, "Restore Tests", restore_cols, R_NCOLS, 1, restore_row);
}
