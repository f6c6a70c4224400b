/* Summary: findings by framework, control and rule, and the status of every vault.
 *
 * Each count appears twice: as the value evaluate wrote (columns G-M) and as a formula
 * over the Findings sheet (columns N-T) that Excel recalculates, so an auditor can see
 * the workbook re-perform the count. A formula's cached result is the true count (never
 * libxlsxwriter's default 0), so viewers that do not recalculate show the same number.
 * Rules are counted with COUNTIFS over the Findings sheet; controls and frameworks add up
 * the rule rows they map to (each finding belongs to exactly one rule). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/estate.h"
#include "render/xlsx_internal.h"

#define COL_TOTAL 6                       /* G: findings, then H-M by status */
#define COL_FORMULA (COL_TOTAL + 1 + VP_STATUS_COUNT) /* N: the same as formulas */
#define NCOLS (COL_FORMULA + 1 + VP_STATUS_COUNT)

typedef struct {
    xlsx_ctx *x;
    lxw_worksheet *ws;
    lxw_row_t row;
    double width[NCOLS];
    const vp_control_record *controls;
    const vp_rule_record *rules;
    size_t ncontrols, nrules;
    lxw_row_t rule_row0; /* row of the first rule in the "by rule" block */
} summary;

static const char *const status_headers[VP_STATUS_COUNT] = {"Pass", "Warn", "Fail", "Not applicable", "Exempt",
                                                            "Incomplete"};

static void label(summary *s, lxw_col_t col, const char *text, lxw_format *fmt)
{
    vpr_xlsx_cell_text(s->x, s->ws, s->row, col, text, fmt, col < NCOLS ? &s->width[col] : NULL);
}

static void number(summary *s, lxw_col_t col, double v)
{
    if (!s->x->status)
        vpr_xlsx_check(s->x, worksheet_write_number(s->ws, s->row, col, v, NULL), "Summary");
}

/* Columns E-F: the snapshots it operated in, or "not tested" (vp_tally_has_evidence). */
static void operated(summary *s, const size_t *counts, size_t ok, size_t of)
{
    if (!vp_tally_has_evidence(counts, of)) {
        label(s, 4, "not tested", NULL);
        return;
    }
    number(s, 4, (double)ok);
    number(s, 5, (double)of);
}

static void formula(summary *s, lxw_col_t col, const char *f, double cached)
{
    if (!s->x->status)
        vpr_xlsx_check(s->x, worksheet_write_formula_num(s->ws, s->row, col, f, NULL, cached), "Summary formula");
}

/* A COUNTIFS criterion matching text exactly: "=" and the text with Excel's wildcards
 * (* ? ~) escaped by ~ and quotes doubled. */
static void criterion(vpc_buf *b, const char *text)
{
    char one[2] = {0, 0};
    vpc_buf_adds(b, "\"=");
    for (const char *c = text; *c; c++) {
        if (*c == '*' || *c == '?' || *c == '~')
            vpc_buf_adds(b, "~");
        if (*c == '"')
            vpc_buf_adds(b, "\"");
        one[0] = *c;
        vpc_buf_adds(b, one);
    }
    vpc_buf_adds(b, "\"");
}

/* COUNTIFS over every part of the Findings sheet; rule NULL counts every rule. */
static void count_formula(summary *s, vpc_buf *b, const char *rule, vp_finding_status st)
{
    char ref[80], rules[32], statuses[32];
    vpc_buf_clear(b);
    vpc_buf_adds(b, "=");
    for (size_t i = 0; i < s->x->sheet_count; i++) {
        const xlsx_sheet_info *info = &s->x->sheets[i];
        if (strcmp(info->base, "Findings") != 0 || !info->defined_name[0])
            continue;
        lxw_row_t last = (lxw_row_t)(info->rows ? info->rows : 1);
        vpr_xlsx_sheet_ref(ref, sizeof ref, info->name);
        lxw_rowcol_to_range_abs(rules, 1, XLSX_FINDINGS_RULE_COL, last, XLSX_FINDINGS_RULE_COL);
        lxw_rowcol_to_range_abs(statuses, 1, XLSX_FINDINGS_STATUS_COL, last, XLSX_FINDINGS_STATUS_COL);
        if (b->len > 1)
            vpc_buf_adds(b, "+");
        vpc_buf_adds(b, "COUNTIFS(");
        if (rule) {
            vpc_buf_printf(b, "%s!%s,", ref, rules);
            criterion(b, rule);
            vpc_buf_adds(b, ",");
        }
        vpc_buf_printf(b, "%s!%s,", ref, statuses);
        criterion(b, vp_finding_status_name(st));
        vpc_buf_adds(b, ")");
    }
    if (b->len == 1)
        vpc_buf_adds(b, "0");
}

/* The sum of the given Summary rows' cells in one column: "=N40+N43". */
static void sum_rows(vpc_buf *b, const int *rows, size_t n, lxw_col_t col)
{
    char cell[16];
    vpc_buf_clear(b);
    vpc_buf_adds(b, "=");
    for (size_t k = 0; k < n; k++) {
        lxw_rowcol_to_cell(cell, (lxw_row_t)rows[k], col);
        if (k)
            vpc_buf_adds(b, "+");
        vpc_buf_adds(b, cell);
    }
    if (!n)
        vpc_buf_adds(b, "0");
}

/* Values in G-M and formulas in N-T. The status formulas either count the Findings
 * sheet (rule_rows NULL: for one rule, or every rule when rule is NULL) or add up the
 * given rule rows; the totals are the sum of the row's counts. */
static void count_cells(summary *s, const size_t counts[VP_STATUS_COUNT], const char *rule, const int *rule_rows,
                        size_t nrule_rows)
{
    vpc_buf *b = &s->x->buf;
    char a[16], z[16], sum[48];
    size_t total = 0;
    for (int st = 0; st < VP_STATUS_COUNT; st++) {
        lxw_col_t col = (lxw_col_t)(COL_FORMULA + 1 + st);
        total += counts[st];
        number(s, (lxw_col_t)(COL_TOTAL + 1 + st), (double)counts[st]);
        if (rule_rows)
            sum_rows(b, rule_rows, nrule_rows, col);
        else
            count_formula(s, b, rule, (vp_finding_status)st);
        if (b->nomem)
            vpr_xlsx_fail(s->x, VP_ERR_NOMEM, "out of memory");
        formula(s, col, vpc_buf_str(b), (double)counts[st]);
    }
    number(s, COL_TOTAL, (double)total);
    lxw_rowcol_to_cell(a, s->row, COL_FORMULA + 1);
    lxw_rowcol_to_cell(z, s->row, COL_FORMULA + VP_STATUS_COUNT);
    snprintf(sum, sizeof sum, "=SUM(%s:%s)", a, z);
    formula(s, COL_FORMULA, sum, (double)total);
}

static void count_headers(summary *s, const char *const *first, size_t nfirst)
{
    char title[48];
    for (size_t c = 0; c < nfirst; c++)
        label(s, (lxw_col_t)c, first[c], s->x->f.header);
    label(s, COL_TOTAL, "Findings", s->x->f.header);
    label(s, COL_FORMULA, "Findings (formula)", s->x->f.header);
    for (int st = 0; st < VP_STATUS_COUNT; st++) {
        label(s, (lxw_col_t)(COL_TOTAL + 1 + st), status_headers[st], s->x->f.header);
        snprintf(title, sizeof title, "%s (formula)", status_headers[st]);
        label(s, (lxw_col_t)(COL_FORMULA + 1 + st), title, s->x->f.header);
    }
    s->row++;
}

static size_t rule_index(const summary *s, const char *id)
{
    for (size_t i = 0; i < s->nrules; i++)
        if (strcmp(s->rules[i].id, id) == 0)
            return i;
    return s->nrules;
}

/* Whether a rule cites any citation of a framework (citations are unique per control). */
static int rule_in_framework(const summary *s, const vp_rule_record *r, const char *framework)
{
    for (size_t k = 0; k < r->citation_count; k++)
        for (size_t c = 0; c < s->ncontrols; c++)
            if (!strcmp(s->controls[c].framework, framework) && !strcmp(s->controls[c].citation, r->citations[k]))
                return 1;
    return 0;
}

static void framework_row(summary *s, const char *framework, int *rows)
{
    size_t counts[VP_STATUS_COUNT] = {0}, n = 0;
    for (size_t i = 0; i < s->nrules; i++) {
        if (!rule_in_framework(s, &s->rules[i], framework))
            continue;
        rows[n++] = (int)(s->rule_row0 + i);
        for (int st = 0; st < VP_STATUS_COUNT; st++)
            counts[st] += s->rules[i].counts[st];
    }
    label(s, 0, framework, NULL);
    label(s, 1, vpr_xlsx_result_of(counts), NULL);
    count_cells(s, counts, NULL, rows, n);
    s->row++;
}

static void frameworks_block(summary *s, int *rows)
{
    static const char *const first[] = {"Framework", "Result"};
    lxw_row_t top;
    label(s, 0, "Findings by framework", s->x->f.heading);
    s->row++;
    count_headers(s, first, 2);
    top = s->row;
    label(s, 0, vpr_xlsx_t(s->x, "/summary/all"), NULL);
    label(s, 1, s->x->hdr->result, NULL);
    count_cells(s, s->x->hdr->counts, NULL, NULL, 0);
    s->row++;
    for (size_t c = 0; c < s->ncontrols; c++) /* each framework once, in the controls' order */
        if (c == 0 || strcmp(s->controls[c].framework, s->controls[c - 1].framework) != 0)
            framework_row(s, s->controls[c].framework, rows);
    vpr_xlsx_palette_apply(s->x, s->ws, top, s->row - 1, 1, XP_FINDING);
}

static void controls_block(summary *s, int *rows)
{
    static const char *const first[] = {"Framework", "Citation", "Control", "Result", "Operated effectively",
                                        "Of snapshots"};
    lxw_row_t top;
    s->row++;
    label(s, 0, "Findings by control", s->x->f.heading);
    s->row++;
    count_headers(s, first, 6);
    top = s->row;
    for (size_t c = 0; c < s->ncontrols; c++, s->row++) {
        const vp_control_record *cr = &s->controls[c];
        size_t n = 0;
        for (size_t k = 0; k < cr->rule_count; k++) {
            size_t r = rule_index(s, cr->rules[k]);
            if (r < s->nrules)
                rows[n++] = (int)(s->rule_row0 + r);
        }
        label(s, 0, cr->framework, NULL);
        label(s, 1, cr->citation, NULL);
        label(s, 2, cr->title, s->x->f.wrap);
        label(s, 3, cr->result, NULL);
        operated(s, cr->counts, cr->operated_ok, cr->operated_of);
        count_cells(s, cr->counts, NULL, rows, n);
    }
    if (s->ncontrols)
        vpr_xlsx_palette_apply(s->x, s->ws, top, s->row - 1, 3, XP_FINDING);
}

static void rules_block(summary *s)
{
    static const char *const first[] = {"Rule", "Title", "Severity", "Result", "Operated effectively",
                                        "Of snapshots"};
    s->row++;
    label(s, 0, "Findings by rule", s->x->f.heading);
    s->row++;
    count_headers(s, first, 6);
    if (s->row != s->rule_row0)
        vpr_xlsx_fail(s->x, VP_ERR_INTERNAL, "XLSX: Summary layout: rule rows at %u, expected %u", (unsigned)s->row,
                  (unsigned)s->rule_row0);
    for (size_t i = 0; i < s->nrules; i++, s->row++) {
        const vp_rule_record *r = &s->rules[i];
        label(s, 0, r->id, NULL);
        label(s, 1, r->title, NULL);
        label(s, 2, r->severity, NULL);
        label(s, 3, r->result, NULL);
        operated(s, r->counts, r->operated_ok, r->operated_of);
        count_cells(s, r->counts, r->id, NULL, 0);
    }
    if (s->nrules)
        vpr_xlsx_palette_apply(s->x, s->ws, s->rule_row0, s->row - 1, 3, XP_FINDING);
}

/* Per vault: its security settings and its findings by status (values only), then the
 * findings that concern no vault (virtual machines, subscriptions, exemptions). */
static void vault_row(summary *s, const char *name, const vp_vault *v, const size_t counts[VP_STATUS_COUNT])
{
    const vp_snapshot *snap = s->x->in->snapshot;
    size_t total = 0;
    label(s, 0, name, v ? NULL : s->x->f.label);
    if (v) {
        char region[256];
        label(s, 1, vpr_location_label(snap, s->x->worm, v->location, region, sizeof region), NULL);
        label(s, 2, v->immutability.value, NULL);
        label(s, 3, v->soft_delete.value, NULL);
        label(s, 4, v->mua.value, NULL);
        number(s, COL_FORMULA, (double)v->item_count);
        for (size_t r = 0; r < snap->region_count; r++)
            if (v->location && !strcmp(snap->regions[r].location, v->location))
                label(s, COL_FORMULA + 1, snap->regions[r].worm, NULL);
        label(s, COL_FORMULA + 2, v->subscription_id, NULL);
    }
    label(s, 5, vpr_xlsx_result_of(counts), NULL);
    for (int st = 0; st < VP_STATUS_COUNT; st++) {
        number(s, (lxw_col_t)(COL_TOTAL + 1 + st), (double)counts[st]);
        total += counts[st];
    }
    number(s, COL_TOTAL, (double)total);
    s->row++;
}

static void vaults_block(summary *s)
{
    static const char *const first[] = {"Vault", "Location", "Immutability", "Soft delete",
                                        "Multi-user authorization", "Result"};
    const vp_snapshot *snap = s->x->in->snapshot;
    lxw_row_t top;
    s->row++;
    label(s, 0, "Vaults", s->x->f.heading);
    s->row++;
    for (size_t c = 0; c < 6; c++)
        label(s, (lxw_col_t)c, first[c], s->x->f.header);
    label(s, COL_TOTAL, "Findings", s->x->f.header);
    for (int st = 0; st < VP_STATUS_COUNT; st++)
        label(s, (lxw_col_t)(COL_TOTAL + 1 + st), status_headers[st], s->x->f.header);
    label(s, COL_FORMULA, "Protected items", s->x->f.header);
    label(s, COL_FORMULA + 1, "Region WORM", s->x->f.header);
    label(s, COL_FORMULA + 2, "Subscription", s->x->f.header);
    s->row++;
    top = s->row;
    for (size_t v = 0; v < snap->vault_count && s->row + 1 < LXW_ROW_MAX; v++)
        vault_row(s, snap->vaults[v].name, &snap->vaults[v], s->x->tally.by_vault[v]);
    vault_row(s, vpr_xlsx_t(s->x, "/summary/no_vault"), NULL, s->x->tally.by_vault[snap->vault_count]);
    vpr_xlsx_palette_apply(s->x, s->ws, top, s->row - 1, 2, XP_IMMUTABLE);
    vpr_xlsx_palette_apply(s->x, s->ws, top, s->row - 1, 3, XP_SOFTDELETE);
    vpr_xlsx_palette_apply(s->x, s->ws, top, s->row - 1, 4, XP_ENABLED);
    vpr_xlsx_palette_apply(s->x, s->ws, top, s->row - 1, 5, XP_FINDING);
}

void vpr_xlsx_write_summary(xlsx_ctx *x)
{
    summary s = {.x = x, .ws = x->summary};
    const vp_findings_header *h = x->hdr;
    int *rows;
    if (!s.ws || x->status)
        return;
    s.controls = vp_findings_file_controls(x->in->findings, &s.ncontrols);
    s.rules = vp_findings_file_rules(x->in->findings, &s.nrules);
    rows = calloc(s.nrules + 1, sizeof *rows);
    if (!rows) {
        vpr_xlsx_fail(x, VP_ERR_NOMEM, "out of memory");
        return;
    }
    /* rows fixed above the rule block: title 3, framework block 4 + frameworks, control
     * block 3 + controls, then the rule block's blank, heading and header */
    size_t nfw = 0;
    for (size_t c = 0; c < s.ncontrols; c++)
        nfw += c == 0 || strcmp(s.controls[c].framework, s.controls[c - 1].framework) != 0;
    s.rule_row0 = (lxw_row_t)(4 + 3 + nfw + 3 + s.ncontrols + 3);
    label(&s, 0, vpr_xlsx_t(x, "/summary/title"), x->f.title);
    s.row++;
    label(&s, 0, "Overall result", x->f.label);
    label(&s, 1, h->result, NULL);
    vpr_xlsx_palette_apply(x, s.ws, s.row, s.row, 1, XP_FINDING);
    s.row++;
    label(&s, 0, "Measured as of (UTC)", x->f.label);
    if (h->as_of && vpr_xlsx_serial(h->as_of) >= 0 && !x->status)
        vpr_xlsx_check(x, worksheet_write_number(s.ws, s.row, 1, vpr_xlsx_serial(h->as_of), vpr_xlsx_time_format(x, h->as_of)), "Summary");
    s.row += 2;
    frameworks_block(&s, rows);
    controls_block(&s, rows);
    rules_block(&s);
    vaults_block(&s);
    free(rows);
    for (lxw_col_t c = 0; c < NCOLS; c++) {
        double w = s.width[c] < 10 ? 10 : s.width[c] > 50 ? 50 : s.width[c] + 1;
        worksheet_set_column(s.ws, c, c, c == 2 ? 50 : w, NULL);
    }
}
