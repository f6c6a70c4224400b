/* The executive summary (statuses, charts per framework and per vault, immutability and
 * retention across the estate) and the control matrices (HIPAA and SOX citations, then
 * every rule). Numbers come from the findings header and from vp_tally (the counts the
 * workbook prints too, vaultproof/tally.h); nothing is judged or counted anew here. */
#include <stdlib.h>
#include <string.h>

#include "render/pdf_internal.h"

#define TOP_VAULTS 15

static void statuses(pdf_ctx *c)
{
    static const pdf_col cols[] = {{"Status", 80, PF_BOLD, PA_LEFT}, {"Findings", 55, PF_SANS, PA_RIGHT},
                                   {"Meaning", PDF_WIDTH - 135, PF_SANS, PA_LEFT}};
    static const int order[] = {VP_FAIL, VP_INCOMPLETE, VP_WARN, VP_EXEMPT, VP_PASS, VP_NOT_APPLICABLE};
    pdf_table t;
    vpr_pdf_heading(c, 2, vpr_pdf_t(c, "/sections/summary/statuses/title"), 0);
    vpr_pdf_table_begin(c, &t, cols, 3, PDF_TABLE_SIZE);
    for (size_t i = 0; i < sizeof order / sizeof *order && !c->status; i++) {
        const char *name = vp_finding_status_name((vp_finding_status)order[i]);
        pdf_cell cells[3] = {vpr_pdf_cell_text(vpr_pdf_status_label(order[i])), vpr_pdf_cell_text(vpr_pdf_count(c, c->hdr->counts[order[i]])),
                             vpr_pdf_cell_text(vpr_pdf_t(c, vpr_pdf_printf(c, "/status/%s", name)))};
        cells[0].parts[0].status = order[i];
        vpr_pdf_table_row(c, &t, cells);
    }
    vpr_pdf_table_end(c, &t);
}

static void frameworks(pdf_ctx *c)
{
    static const char *const names[2] = {"HIPAA Security Rule", "SOX"};
    static const char *const ids[2] = {"hipaa", "sox"};
    static const pdf_col cols[] = {{"Controls by result", 100, PF_BOLD, PA_LEFT}, {"Controls", 45, PF_SANS, PA_RIGHT},
                                   {"Fail", 40, PF_SANS, PA_RIGHT},       {"Incomplete", 52, PF_SANS, PA_RIGHT},
                                   {"With warnings", 70, PF_SANS, PA_RIGHT}, {"With exemptions", 78, PF_SANS, PA_RIGHT},
                                   {"Pass", 40, PF_SANS, PA_RIGHT},       {"N/A", PDF_WIDTH - 425, PF_SANS, PA_RIGHT}};
    const char *labels[2];
    size_t counts[2][VP_STATUS_COUNT], n = 0, ncontrols;
    const vp_control_record *ctl = vp_findings_file_controls(c->ff, &ncontrols);
    int enabled[2] = {c->hdr->hipaa, c->hdr->sox};
    for (int f = 0; f < 2; f++)
        if (enabled[f]) {
            labels[n] = names[f];
            memcpy(counts[n++], c->tally.by_framework[f], sizeof counts[0]);
        }
    if (!n)
        return;
    vpr_pdf_need(c, 150);
    vpr_pdf_heading(c, 2, vpr_pdf_t(c, "/sections/summary/frameworks/title"), 0);
    vpr_pdf_para(c, PF_SANS, 7.5f, &vpr_pdf_muted, vpr_pdf_t(c, "/sections/summary/frameworks/caption"));
    vpr_pdf_chart_stacked(c, labels, (const size_t(*)[VP_STATUS_COUNT])counts, n);
    pdf_table t;
    vpr_pdf_table_begin(c, &t, cols, 8, PDF_TABLE_SIZE);
    for (int f = 0; f < 2 && !c->status; f++) {
        size_t by[VP_STATUS_COUNT] = {0}, total = 0;
        if (!enabled[f])
            continue;
        for (size_t i = 0; i < ncontrols; i++) {
            int st = ctl[i].framework && !strcmp(ctl[i].framework, ids[f]) ? vpr_pdf_result_status(ctl[i].result) : -1;
            if (st >= 0)
                by[st]++, total++;
        }
        const char *row[] = {names[f],
                             vpr_pdf_count(c, total),
                             vpr_pdf_count(c, by[VP_FAIL]),
                             vpr_pdf_count(c, by[VP_INCOMPLETE]),
                             vpr_pdf_count(c, by[VP_WARN]),
                             vpr_pdf_count(c, by[VP_EXEMPT]),
                             vpr_pdf_count(c, by[VP_PASS]),
                             vpr_pdf_count(c, by[VP_NOT_APPLICABLE])};
        vpr_pdf_table_strings(c, &t, row);
    }
    vpr_pdf_table_end(c, &t);
}

typedef struct {
    size_t index, open;
    const char *name;
} vault_rank;

static int rank_cmp(const void *a, const void *b)
{
    const vault_rank *x = a, *y = b;
    if (x->open != y->open)
        return x->open > y->open ? -1 : 1;
    int n = strcmp(x->name, y->name);
    return n ? n : (x->index > y->index) - (x->index < y->index);
}

static size_t open_count(const size_t *counts)
{
    return counts[VP_FAIL] + counts[VP_WARN] + counts[VP_INCOMPLETE] + counts[VP_EXEMPT];
}

static void vaults(pdf_ctx *c)
{
    size_t nv = c->snap->vault_count, shown = nv < TOP_VAULTS ? nv : TOP_VAULTS, n = 0;
    vault_rank *rank = malloc((nv ? nv : 1) * sizeof *rank);
    const char *labels[TOP_VAULTS + 1];
    size_t counts[TOP_VAULTS + 1][VP_STATUS_COUNT];
    if (!rank) {
        vpr_pdf_nomem(c);
        return;
    }
    for (size_t i = 0; i < nv; i++)
        rank[i] = (vault_rank){i, open_count(c->tally.by_vault[i]), vpr_pdf_nz(c->snap->vaults[i].name)};
    vp_sort(rank, nv, sizeof *rank, rank_cmp);
    for (; n < shown; n++) {
        labels[n] = rank[n].name;
        memcpy(counts[n], c->tally.by_vault[rank[n].index], sizeof counts[0]);
    }
    free(rank);
    const size_t *outside = c->tally.by_vault[nv];
    if (open_count(outside) || outside[VP_PASS] || outside[VP_NOT_APPLICABLE]) {
        labels[n] = "outside vaults";
        memcpy(counts[n++], outside, sizeof counts[0]);
    }
    const char *vars[] = {"shown", vpr_pdf_count(c, shown), "total", vpr_pdf_count(c, nv), NULL};
    vpr_pdf_need(c, 70 + 14 * (float)n);
    vpr_pdf_heading(c, 2, vpr_pdf_t(c, "/sections/summary/vaults/title"), 0);
    vpr_pdf_para(c, PF_SANS, 7.5f, &vpr_pdf_muted, vpr_pdf_tf(c, "/sections/summary/vaults/caption", vars));
    vpr_pdf_chart_stacked(c, labels, (const size_t(*)[VP_STATUS_COUNT])counts, n);
}

static void immutability(pdf_ctx *c)
{
    static const char *const labels[] = {"Locked", "Unlocked", "Disabled", "not reported", "other value"};
    size_t values[5] = {0};
    for (size_t i = 0; i < c->snap->vault_count; i++) {
        const vp_text *t = &c->snap->vaults[i].immutability;
        size_t k = 3;
        if (t->presence == VP_PRESENT && t->value)
            k = !strcmp(t->value, "Locked") ? 0 : !strcmp(t->value, "Unlocked") ? 1 : !strcmp(t->value, "Disabled") ? 2 : 4;
        values[k]++;
    }
    vpr_pdf_need(c, 60 + 14 * 5);
    vpr_pdf_heading(c, 2, vpr_pdf_t(c, "/sections/summary/immutability/title"), 0);
    vpr_pdf_para(c, PF_SANS, 7.5f, &vpr_pdf_muted, vpr_pdf_t(c, "/sections/summary/immutability/caption"));
    vpr_pdf_chart_bars(c, labels, values, 5, "vaults");
}

static void retention(pdf_ctx *c)
{
    static const char *const labels[] = {"without policy", "policy not found", "retention not understood",
                                         "under 30 days", "30 to 89 days", "90 days to under 1 year",
                                         "1 to under 3 years", "3 to under 6 years", "6 to under 7 years",
                                         "7 years or more"};
    static const long long bounds[] = {30, 90, 365, 1095, 2191, 2556};
    enum { NBARS = sizeof labels / sizeof *labels };
    size_t values[NBARS] = {0};
    values[0] = c->tally.without_policy_total;
    for (size_t i = 0; i < c->snap->item_count; i++) {
        const vp_item *it = &c->snap->items[i];
        if (vp_item_without_policy(it))
            continue;
        const vp_policy *p = it->policy_id.value ? vp_snapshot_find_policy(c->snap, it->policy_id.value) : NULL;
        size_t k = 1;
        if (p && p->long_term_days < 0)
            k = 2;
        else if (p)
            for (k = 3; k - 3 < sizeof bounds / sizeof *bounds && p->long_term_days >= bounds[k - 3]; k++)
                ;
        values[k]++;
    }
    vpr_pdf_need(c, 60 + 14 * NBARS);
    vpr_pdf_heading(c, 2, vpr_pdf_t(c, "/sections/summary/retention/title"), 0);
    vpr_pdf_para(c, PF_SANS, 7.5f, &vpr_pdf_muted, vpr_pdf_t(c, "/sections/summary/retention/caption"));
    vpr_pdf_chart_bars(c, labels, values, NBARS, "items");
}

void vpr_pdf_summary(pdf_ctx *c)
{
    vpr_pdf_section(c, vpr_pdf_t(c, "/sections/summary/title"));
    vpr_pdf_para(c, PF_SANS, PDF_BODY_SIZE, NULL, vpr_pdf_t(c, "/sections/summary/intro"));
    statuses(c);
    frameworks(c);
    vaults(c);
    immutability(c);
    retention(c);
}

/* ---- control matrices ---- */

static pdf_cell result_cell(pdf_ctx *c, const char *result, const size_t *counts, size_t ok, size_t of, int days)
{
    char buf[64];
    pdf_cell cell = vpr_pdf_cell_text(result);
    cell.parts[0].status = vpr_pdf_result_status(result);
    cell.nparts = 2;
    cell.parts[1] = (pdf_part){vpr_pdf_printf(c, "%s", vp_tally_operated(counts, ok, of, days, buf, sizeof buf)), PF_SANS, -1,
                               &vpr_pdf_muted, 6};
    return cell;
}

static void count_cells(pdf_ctx *c, pdf_cell *cells, const size_t *counts)
{
    static const int order[] = {VP_PASS, VP_WARN, VP_FAIL, VP_EXEMPT, VP_INCOMPLETE, VP_NOT_APPLICABLE};
    for (size_t i = 0; i < 6; i++)
        cells[i] = vpr_pdf_cell_text(vpr_pdf_count(c, counts[order[i]]));
}

static const pdf_col count_cols[] = {{"Pass", 30, PF_SANS, PA_RIGHT},   {"Warn", 26, PF_SANS, PA_RIGHT},
                                     {"Fail", 26, PF_SANS, PA_RIGHT},   {"Exempt", 34, PF_SANS, PA_RIGHT},
                                     {"Incompl.", 38, PF_SANS, PA_RIGHT}, {"N/A", 24, PF_SANS, PA_RIGHT}};

static void matrix(pdf_ctx *c, const char *framework, const char *title)
{
    size_t n;
    const vp_control_record *ctl = vp_findings_file_controls(c->ff, &n);
    pdf_col cols[10] = {{"Citation", 86, PF_BOLD, PA_LEFT}, {"Title", 80, PF_SANS, PA_LEFT},
                        {"Rules", 90, PF_MONO, PA_LEFT}};
    memcpy(cols + 3, count_cols, sizeof count_cols);
    cols[9] = (pdf_col){"Result", PDF_WIDTH - 434, PF_SANS, PA_LEFT};
    vpr_pdf_heading(c, 1, title, 1);
    pdf_table t;
    vpr_pdf_table_begin(c, &t, cols, 10, 6.5f);
    for (size_t i = 0; i < n && !c->status; i++) {
        if (!ctl[i].framework || strcmp(ctl[i].framework, framework))
            continue;
        pdf_cell cells[10];
        pdf_buf rules = {0};
        for (size_t r = 0; r < ctl[i].rule_count; r++) {
            vpr_pdf_buf_add(c, &rules, ctl[i].rules[r], strlen(ctl[i].rules[r]));
            vpr_pdf_buf_add(c, &rules, "\n", r + 1 < ctl[i].rule_count);
        }
        cells[0] = vpr_pdf_cell_text(ctl[i].citation);
        cells[1] = vpr_pdf_cell_text(ctl[i].title);
        cells[2] = vpr_pdf_cell_text(rules.s ? rules.s : "none: not machine-checkable");
        cells[2].parts[0].size = 5.8f;
        count_cells(c, cells + 3, ctl[i].counts);
        cells[9] = result_cell(c, ctl[i].result, ctl[i].counts, ctl[i].operated_ok, ctl[i].operated_of, ctl[i].operated_days);
        vpr_pdf_table_row(c, &t, cells);
        free(rules.s);
    }
    vpr_pdf_table_end(c, &t);
}

static void rules(pdf_ctx *c)
{
    size_t n;
    const vp_rule_record *r = vp_findings_file_rules(c->ff, &n);
    pdf_col cols[10] = {{"Rule", 110, PF_MONO, PA_LEFT}, {"Title", 112, PF_SANS, PA_LEFT},
                        {"Severity", 40, PF_SANS, PA_LEFT}};
    memcpy(cols + 3, count_cols, sizeof count_cols);
    cols[9] = (pdf_col){"Result", PDF_WIDTH - 440, PF_SANS, PA_LEFT};
    vpr_pdf_heading(c, 1, vpr_pdf_t(c, "/sections/controls/rules/title"), 1);
    vpr_pdf_para(c, PF_SANS, PDF_BODY_SIZE, NULL, vpr_pdf_t(c, "/sections/controls/rules/intro"));
    pdf_table t;
    vpr_pdf_table_begin(c, &t, cols, 10, 6.5f);
    for (size_t i = 0; i < n && !c->status; i++) {
        pdf_cell cells[10];
        cells[0] = vpr_pdf_cell_text(r[i].id);
        cells[0].parts[0].size = 6;
        cells[1] = vpr_pdf_cell_text(r[i].title);
        cells[2] = vpr_pdf_cell_text(r[i].severity);
        count_cells(c, cells + 3, r[i].counts);
        cells[9] = result_cell(c, r[i].result, r[i].counts, r[i].operated_ok, r[i].operated_of, r[i].operated_days);
        vpr_pdf_table_row(c, &t, cells);
    }
    vpr_pdf_table_end(c, &t);
}

void vpr_pdf_controls(pdf_ctx *c)
{
    vpr_pdf_section(c, vpr_pdf_t(c, "/sections/controls/title"));
    vpr_pdf_para(c, PF_SANS, PDF_BODY_SIZE, NULL, vpr_pdf_t(c, "/sections/controls/intro"));
    if (c->hdr->hipaa)
        matrix(c, "hipaa", vpr_pdf_t(c, "/sections/controls/hipaa/title"));
    if (c->hdr->sox)
        matrix(c, "sox", vpr_pdf_t(c, "/sections/controls/sox/title"));
    rules(c);
}
