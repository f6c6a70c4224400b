/* The PDF's change log and blocked attempts (a snapshot with a period only): the period's
 * changes that reduced protection or were refused by the vault, with what
 * change.authorized found of each (render/change_findings.h: read from findings.json,
 * never classified again). Every other change is counted and left to the workbook. */
#include <stdlib.h>

#include "render/change_findings.h"
#include "render/pdf_internal.h"
#include "vaultproof/clock.h"

static const pdf_col log_cols[] = {
    {"Time (UTC)", 62, PF_SANS, PA_LEFT},       {"Kind", 78, PF_SANS, PA_LEFT},
    {"Operation and resource", 170, PF_MONO, PA_LEFT}, {"Caller", 70, PF_SANS, PA_LEFT},
    {"Finding", PDF_WIDTH - 380, PF_SANS, PA_LEFT},
};

static void change_row(pdf_ctx *c, pdf_table *t, const vp_change *ch, const vpr_change_finding *f)
{
    pdf_cell cells[5];
    cells[0] = vpr_pdf_cell_text(vpr_pdf_time(c, ch->time));
    cells[1] = vpr_pdf_cell_text(vpr_pdf_nz(f->kind));
    cells[2] = vpr_pdf_cell_text(vpr_pdf_nz(ch->operation));
    cells[2].nparts = 2;
    cells[2].parts[1] = (pdf_part){vpr_pdf_nz(ch->resource_id), PF_MONO, -1, &vpr_pdf_muted, 5.2f};
    cells[3] = vpr_pdf_cell_text(vpr_pdf_nz(ch->caller));
    cells[4] = vpr_pdf_cell_text(vpr_pdf_nz(f->note));
    cells[4].parts[0].status = (int)f->status;
    vpr_pdf_table_row(c, t, cells);
}

typedef struct {
    long long t; /* the change's time (-1 when not a time: first) */
    size_t index;
} by_time;

static int cmp_time(const void *a, const void *b)
{
    const by_time *x = a, *y = b;
    return x->t != y->t ? (x->t < y->t ? -1 : 1) : (x->index > y->index) - (x->index < y->index);
}

/* blocked: 0 the change log (reductions), 1 the blocked attempts; in time order, as a
 * log is read. */
static void change_table(pdf_ctx *c, const vpr_change_findings *found, int blocked)
{
    const vp_snapshot *s = c->snap;
    size_t rows = 0;
    for (size_t i = 0; i < s->change_count; i++) {
        const vpr_change_finding *f = vpr_change_finding_of(found, s->changes[i].id);
        rows += f && f->blocked == blocked;
    }
    vpr_pdf_heading(c, 2, vpr_pdf_t(c, blocked ? "/sections/changes/blocked" : "/sections/changes/log"), 0);
    if (blocked && rows)
        vpr_pdf_para(c, PF_SANS, PDF_BODY_SIZE, NULL, vpr_pdf_t(c, "/sections/changes/blocked_intro"));
    if (!rows) {
        vpr_pdf_para(c, PF_SANS, PDF_BODY_SIZE, NULL,
                     vpr_pdf_t(c, blocked ? "/sections/changes/blocked_none" : "/sections/changes/log_none"));
        return;
    }
    by_time *order = malloc(rows * sizeof *order);
    if (!order) {
        vpr_pdf_nomem(c);
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < s->change_count; i++) {
        const vpr_change_finding *f = vpr_change_finding_of(found, s->changes[i].id);
        long long t;
        if (f && f->blocked == blocked)
            order[n++] = (by_time){vp_time_parse(s->changes[i].time, &t) == 0 ? t : -1, i};
    }
    qsort(order, n, sizeof *order, cmp_time);
    pdf_table t;
    vpr_pdf_table_begin(c, &t, log_cols, sizeof log_cols / sizeof *log_cols, 6.2f);
    for (size_t k = 0; k < n && !c->status; k++) {
        const vp_change *ch = &s->changes[order[k].index];
        change_row(c, &t, ch, vpr_change_finding_of(found, ch->id));
    }
    free(order);
    vpr_pdf_table_end(c, &t);
}

void vpr_pdf_changes(pdf_ctx *c)
{
    const vp_snapshot *s = c->snap;
    vpr_change_findings found;
    if (!s->collection.has_period || c->status)
        return; /* period evidence: a report without a period keeps its pages */
    if ((c->status = vpr_change_findings_read(c->ff, &found, c->err)) != VP_OK)
        return;
    const char *vars[] = {"period", c->period, "count", vpr_pdf_count(c, s->change_count), "others",
                          vpr_pdf_count(c, s->change_count - found.n), NULL};
    vpr_pdf_section(c, vpr_pdf_t(c, "/sections/changes/title"));
    vpr_pdf_para(c, PF_SANS, PDF_BODY_SIZE, NULL, vpr_pdf_tf(c, "/sections/changes/intro", vars));
    change_table(c, &found, 0);
    change_table(c, &found, 1);
    vpr_change_findings_free(&found);
}
