/* The report's period section (render --jobs): per vault, the success rate, the largest
 * gaps between successful backups, a strip of the period's days per item (drawn with
 * libharu rectangles so a gap shows at a glance), the failures with their resolution and
 * the restore tests. Facts come from the timeline (vaultproof/timeline.h); the page
 * budget is kept by drawing at most PERIOD_ITEMS items per vault - those with the
 * largest gaps - and pointing to the workbook for the rest. */
#include <stdlib.h>
#include <string.h>

#include "core/vec.h"
#include "render/pdf_internal.h"
#include "vaultproof/clock.h"
#include "vaultproof/timeline.h"

#define PERIOD_ITEMS 40      /* strips per vault at most: the worst items */
#define PERIOD_FAILURES 15   /* failures listed per vault at most */
#define STRIP_ROW 6.0f       /* points per item row: 92 days stay legible at A4 width */
#define STRIP_COMPACT 4.0f   /* and for vaults of more than COMPACT_FROM items: the page budget */
#define COMPACT_FROM 20
#define NAME_W 150.0f
#define GAP_W 48.0f

static const pdf_rgb day_colors[] = {
    [VP_DAY_NONE] = {0.80f, 0.81f, 0.83f},    /* grey: no backup ran */
    [VP_DAY_SUCCESS] = {0.18f, 0.55f, 0.34f}, /* green */
    [VP_DAY_FAILED] = {0.78f, 0.16f, 0.16f},  /* red */
    [VP_DAY_RUNNING] = {0.93f, 0.68f, 0.18f}, /* amber: only jobs in progress */
    [VP_DAY_OUTSIDE] = {1.0f, 1.0f, 1.0f},    /* white, hatched: not covered */
};

static const char *hours(pdf_ctx *c, long long seconds)
{
    return vpr_pdf_printf(c, "%lld.%lld h", seconds / 3600, (seconds % 3600) * 10 / 3600);
}

static void day_cell(pdf_ctx *c, vp_day_state st, float x, float y, float w, float h)
{
    vpr_pdf_rect(c, x, y, w, h, &day_colors[st]);
    if (st != VP_DAY_OUTSIDE)
        return;
    vpr_pdf_stroke(c, &vpr_pdf_rule, 0.3f); /* hatched: outlined, one diagonal per day */
    HPDF_Page_Rectangle(c->page, x, y, w, h);
    HPDF_Page_MoveTo(c->page, x, y);
    HPDF_Page_LineTo(c->page, x + w, y + h);
    HPDF_Page_Stroke(c->page);
}

static void legend(pdf_ctx *c)
{
    static const char *const names[] = {
        [VP_DAY_SUCCESS] = "a backup succeeded", [VP_DAY_FAILED] = "backups ran and failed",
        [VP_DAY_RUNNING] = "only jobs in progress", [VP_DAY_NONE] = "no backup job",
        [VP_DAY_OUTSIDE] = "outside the evidence"};
    static const vp_day_state order[] = {VP_DAY_SUCCESS, VP_DAY_FAILED, VP_DAY_RUNNING, VP_DAY_NONE, VP_DAY_OUTSIDE};
    float x = PDF_LEFT;
    vpr_pdf_need(c, 14);
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        day_cell(c, order[i], x, c->y - 6, 6, 6);
        vpr_pdf_text(c, PF_SANS, 6.5f, x + 9, c->y - 5.5f, names[order[i]], &vpr_pdf_muted);
        x += 12 + vpr_pdf_width(c, PF_SANS, 6.5f, names[order[i]], strlen(names[order[i]])) + 10;
    }
    c->y -= 14;
}

/* An item's place in its vault's list, worst first: the largest gap, then the most
 * failures, then by name, then as listed. */
typedef struct {
    long long gap;
    size_t failures, pos, item;
    const char *name;
} worst_key;

static int cmp_worst(const void *a, const void *b)
{
    const worst_key *x = a, *y = b;
    if (x->gap != y->gap)
        return x->gap > y->gap ? -1 : 1;
    if (x->failures != y->failures)
        return x->failures > y->failures ? -1 : 1;
    int c = strcmp(x->name, y->name);
    return c ? c : x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Each item's facts are computed once (vp_timeline_item walks its successes), not once
 * per comparison. */
static void sort_items(const vp_timeline *t, const vp_snapshot *s, size_t *idx, size_t n, worst_key *keys)
{
    for (size_t k = 0; k < n; k++) {
        vp_tl_item ti = vp_timeline_item(t, idx[k]);
        keys[k] = (worst_key){.gap = ti.gap, .failures = ti.failures, .pos = k, .item = idx[k],
                              .name = vpr_pdf_nz(s->items[idx[k]].friendly_name.value)};
    }
    vp_sort(keys, n, sizeof *keys, cmp_worst);
    for (size_t k = 0; k < n; k++)
        idx[k] = keys[k].item;
}

static void strips(pdf_ctx *c, const vp_timeline *t, const size_t *idx, size_t n, float row)
{
    size_t days = vp_timeline_day_count(t);
    float text = row > STRIP_COMPACT ? 5.5f : 3.8f;
    float w = (PDF_WIDTH - NAME_W - GAP_W) / (float)(days ? days : 1);
    for (size_t k = 0; k < n && !c->status; k++) {
        const vp_item *it = &c->snap->items[idx[k]];
        const vp_tl_item facts = vp_timeline_item(t, idx[k]), *ti = &facts;
        vpr_pdf_need(c, row + 1);
        float y = c->y - row;
        vpr_pdf_fill(c, &vpr_pdf_ink); /* the text's colour, after the last day's */
        vpr_pdf_text_fit(c, PF_SANS, text, PDF_LEFT, y + 0.6f, NAME_W - 4, PA_LEFT,
                         vpr_pdf_nz(it->friendly_name.value ? it->friendly_name.value : it->name));
        for (size_t d = 0; d < days; d++)
            day_cell(c, vp_timeline_day(t, idx[k], d), PDF_LEFT + NAME_W + (float)d * w, y + 0.4f, w - 0.4f,
                     row - 0.8f);
        vpr_pdf_fill(c, &vpr_pdf_ink);
        vpr_pdf_text_fit(c, PF_SANS, text, PDF_RIGHT - GAP_W + 4, y + 0.6f, GAP_W - 4, PA_RIGHT, hours(c, ti->gap));
        c->y -= row;
    }
    c->y -= 4;
}

static void failures(pdf_ctx *c, const vp_timeline *t, const size_t *idx, size_t n)
{
    static const pdf_col cols[] = {{"Protected item", 130, PF_SANS, PA_LEFT}, {"First seen (UTC)", 100, PF_MONO, PA_LEFT},
                                   {"Error", PDF_WIDTH - 320, PF_SANS, PA_LEFT},
                                   {"Resolution", 90, PF_SANS, PA_LEFT}};
    size_t shown = 0, total = 0;
    pdf_table tb;
    char when[32];
    for (size_t k = 0; k < n; k++)
        total += vp_timeline_item(t, idx[k]).failed_count;
    if (!total)
        return;
    vpr_pdf_table_begin(c, &tb, cols, 4, PDF_TABLE_SIZE);
    for (size_t k = 0; k < n && shown < PERIOD_FAILURES; k++) {
        const vp_tl_item facts = vp_timeline_item(t, idx[k]), *ti = &facts;
        for (size_t f = 0; f < ti->failed_count && shown < PERIOD_FAILURES; f++, shown++) {
            const vp_tl_job *j = &ti->failed[f];
            const char *cells[] = {vpr_pdf_nz(j->entity), vp_time_format(j->start, when, sizeof when),
                                   vpr_pdf_printf(c, "%s%s%s", *j->error_codes ? j->error_codes : "no error code",
                                                  j->error_message ? ": " : "", vpr_pdf_nz(j->error_message)),
                                   j->next_success >= 0 ? vpr_pdf_printf(c, "resolved after %s",
                                                                         hours(c, j->next_success - j->start))
                                                        : "unresolved"};
            vpr_pdf_table_strings(c, &tb, cells);
        }
    }
    vpr_pdf_table_end(c, &tb);
    if (shown < total)
        vpr_pdf_para(c, PF_SANS, 7, &vpr_pdf_muted,
                     vpr_pdf_printf(c, "%zu more failures of the items with the largest gaps first: the workbook's "
                                       "Failures sheet lists all %zu.", total - shown, total));
}

static void restores(pdf_ctx *c, const vp_timeline *t, const size_t *idx, size_t n)
{
    static const pdf_col cols[] = {{"Protected item", 150, PF_SANS, PA_LEFT}, {"Start (UTC)", 90, PF_MONO, PA_LEFT},
                                   {"Operation", 110, PF_SANS, PA_LEFT}, {"Status", PDF_WIDTH - 350, PF_SANS, PA_LEFT}};
    pdf_table tb;
    char when[32];
    int begun = 0;
    for (size_t k = 0; k < n; k++) {
        const vp_tl_item facts = vp_timeline_item(t, idx[k]), *ti = &facts;
        for (size_t r = 0; r < ti->restore_count; r++) {
            const vp_tl_job *j = &ti->restores[r];
            if (!begun++)
                vpr_pdf_table_begin(c, &tb, cols, 4, PDF_TABLE_SIZE);
            const char *cells[] = {vpr_pdf_nz(j->entity), vp_time_format(j->start, when, sizeof when),
                                   vpr_pdf_printf(c, "%s%s", vpr_pdf_nz(j->operation), j->crr ? " (cross-region)" : ""),
                                   vpr_pdf_nz(j->status)};
            vpr_pdf_table_strings(c, &tb, cells);
        }
    }
    if (begun)
        vpr_pdf_table_end(c, &tb);
    else
        vpr_pdf_para(c, PF_SANS, 7, &vpr_pdf_muted, "No restore job of this vault's items in the period.");
}

static void vault(pdf_ctx *c, const vp_timeline *t, size_t v, size_t *idx, worst_key *keys)
{
    const vp_tl_vault *tv = vp_timeline_vault(t, v);
    size_t n = 0, from = c->item_start[v], to = c->item_start[v + 1];
    for (size_t i = from; i < to; i++)
        idx[n++] = c->item_order[i];
    sort_items(t, c->snap, idx, n, keys);
    vpr_pdf_need(c, 120);
    vpr_pdf_heading(c, 1, vpr_pdf_nz(c->snap->vaults[v].name), 0);
    vpr_pdf_para(c, PF_SANS, PDF_BODY_SIZE, NULL,
                 vpr_pdf_printf(c, "%s backup jobs, %s succeeded (%.1f%%), %s failed; %s restore jobs; %s jobs matched "
                                   "no protected item%s%s%s.",
                                vpr_pdf_count(c, tv->backups), vpr_pdf_count(c, tv->successes),
                                tv->backups ? 100.0 * (double)tv->successes / (double)tv->backups : 0.0,
                                vpr_pdf_count(c, tv->failures), vpr_pdf_count(c, tv->restores),
                                vpr_pdf_count(c, tv->unmatched), n ? "; largest gap " : "",
                                n ? hours(c, keys[0].gap) : "", /* keys[0] is idx[0]'s, the worst */
                                n ? vpr_pdf_printf(c, " (%s)", vpr_pdf_nz(c->snap->items[idx[0]].friendly_name.value))
                                      : ""));
    if (vp_timeline_aged_out(t, v))
        vpr_pdf_para(c, PF_SANS, 7.5f, &vpr_pdf_muted,
                     "Azure no longer holds the start of the period for this vault (its first job starts more than 48 h "
                     "after it): the earlier evidence bundles of the ledger hold those days.");
    if (!n)
        return;
    strips(c, t, idx, n < PERIOD_ITEMS ? n : PERIOD_ITEMS, n > COMPACT_FROM ? STRIP_COMPACT : STRIP_ROW);
    if (n > PERIOD_ITEMS)
        vpr_pdf_para(c, PF_SANS, 7, &vpr_pdf_muted,
                     vpr_pdf_printf(c, "The %d items with the largest gaps of %zu; the workbook's Jobs and Failures "
                                       "sheets hold every item.", PERIOD_ITEMS, n));
    failures(c, t, idx, n);
    restores(c, t, idx, n);
    c->y -= 6;
}

void vpr_pdf_period(pdf_ctx *c)
{
    const vp_timeline *t = c->in->timeline;
    if (!t || c->status)
        return; /* rendered without --jobs */
    const vp_period *p = &c->snap->collection.period;
    char from[32], to[32], end[32];
    size_t most = 0; /* the largest vault's items: the lists are per vault */
    for (size_t v = 0; v < c->snap->vault_count; v++)
        if (c->item_start[v + 1] - c->item_start[v] > most)
            most = c->item_start[v + 1] - c->item_start[v];
    size_t *idx = calloc(most + 1, sizeof *idx);
    worst_key *keys = calloc(most + 1, sizeof *keys);
    if (!idx || !keys) {
        free(idx);
        free(keys);
        vpr_pdf_nomem(c);
        return;
    }
    vp_time_format(p->from, from, sizeof from);
    vp_time_format(p->to, to, sizeof to);
    vp_time_format(vp_timeline_window_end(t), end, sizeof end);
    const char *vars[] = {"from", from, "to", to, "end", end, NULL};
    vpr_pdf_section(c, vpr_pdf_t(c, "/sections/period/title"));
    vpr_pdf_para(c, PF_SANS, PDF_BODY_SIZE, NULL, vpr_pdf_tf(c, "/sections/period/intro", vars));
    legend(c);
    for (size_t v = 0; v < c->snap->vault_count && !c->status; v++)
        vault(c, t, v, idx, keys);
    free(idx);
    free(keys);
}
