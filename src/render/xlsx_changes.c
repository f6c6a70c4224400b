/* The Changes sheet (a snapshot with a period only): every change the period's Activity
 * Log kept, one row each in the snapshot's order, with what change.authorized found of
 * it. The kind, whether it reduced protection or was blocked and the register's ticket
 * are read from findings.json (the rule's finding per reducing or blocked change: its
 * resource name is the kind, its note names the ticket or says "blocked"), never worked
 * out again here: the workbook says what evaluate found. A change with no finding
 * reduced nothing. */
#include "render/change_findings.h"
#include "render/xlsx_internal.h"

enum {
    G_TIME, G_VAULT, G_RESOURCE, G_OPERATION, G_STATUS, G_KIND, G_REDUCES, G_BLOCKED, G_FINDING, G_NOTE, G_CALLER,
    G_CORRELATION, G_ERROR_CODE, G_ERROR_MESSAGE, G_FILE, G_POINTER, G_NCOLS
};

static const xlsx_col change_cols[G_NCOLS] = {
    [G_TIME] = {"Time (UTC)", XC_TEXT, 0},
    [G_VAULT] = {"Vault", XC_ID, 0},
    [G_RESOURCE] = {"Resource", XC_ID, 0},
    [G_OPERATION] = {"Operation", XC_ID, 0},
    [G_STATUS] = {"Status", XC_TEXT, 0},
    [G_KIND] = {"Kind", XC_TEXT, 0},
    [G_REDUCES] = {"Reduces protection", XC_TEXT, 0},
    [G_BLOCKED] = {"Blocked", XC_TEXT, 0},
    [G_FINDING] = {"Finding", XC_TEXT, 0},
    [G_NOTE] = {"Register / why", XC_TEXT, 0},
    [G_CALLER] = {"Caller", XC_TEXT, 0},
    [G_CORRELATION] = {"Correlation id", XC_ID, 0},
    [G_ERROR_CODE] = {"Error code", XC_TEXT, 0},
    [G_ERROR_MESSAGE] = {"Error message", XC_TEXT, 0},
    [G_FILE] = {"Source file", XC_ID, 0},
    [G_POINTER] = {"Source pointer", XC_ID, 0},
};

void vpr_xlsx_write_changes(xlsx_ctx *x)
{
    const vp_snapshot *s = x->in->snapshot;
    vpr_change_findings found;
    xlsx_pop p;
    if (!s->collection.has_period || x->status)
        return; /* period evidence only: a workbook without a period keeps its sheets */
    if ((x->status = vpr_change_findings_read(x->in->findings, &found, x->err)))
        return;
    if (!vpr_xlsx_pop_begin(&p, x, "Changes", change_cols, NULL, G_NCOLS, s->change_count)) {
        for (size_t i = 0; i < s->change_count && !vpr_xlsx_pop_row(&p); i++) {
            const vp_change *ch = &s->changes[i];
            const vpr_change_finding *f = vpr_change_finding_of(&found, ch->id);
            int blocked = f && f->blocked;
            vpr_xlsx_text(&p, G_TIME, ch->time);
            vpr_xlsx_text(&p, G_VAULT, ch->vault_id);
            vpr_xlsx_text(&p, G_RESOURCE, ch->resource_id);
            vpr_xlsx_text(&p, G_OPERATION, ch->operation);
            vpr_xlsx_text(&p, G_STATUS, ch->status);
            vpr_xlsx_text(&p, G_KIND, f ? f->kind : "no reduction");
            vpr_xlsx_text(&p, G_REDUCES, f && !blocked ? "yes" : "no");
            vpr_xlsx_text(&p, G_BLOCKED, blocked ? "yes" : "no");
            vpr_xlsx_text(&p, G_FINDING, f ? vp_finding_status_name(f->status) : NULL);
            vpr_xlsx_text(&p, G_NOTE, f ? f->note : NULL);
            vpr_xlsx_text(&p, G_CALLER, ch->caller);
            vpr_xlsx_text(&p, G_CORRELATION, ch->correlation_id);
            vpr_xlsx_text(&p, G_ERROR_CODE, ch->error_code);
            vpr_xlsx_text(&p, G_ERROR_MESSAGE, ch->error_message);
            vpr_xlsx_text(&p, G_FILE, ch->source.file);
            vpr_xlsx_text(&p, G_POINTER, ch->source.pointer);
        }
        vpr_xlsx_pop_end(&p);
    }
    vpr_change_findings_free(&found);
}
