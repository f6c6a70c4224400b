/* The Sample sheet: an audit sample (vaultproof/sample.h) with the facts needed to
 * re-draw it in its first rows, then one row per drawn member. In the pack's workbook
 * when a sample was drawn, and alone in `vaultproof sample --out-xlsx`'s workbook. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "render/xlsx_internal.h"
#include "vaultproof/render.h"
#include "vaultproof/sample.h"

#define SAMPLE_SHEET "Sample"

static void fact(xlsx_ctx *x, lxw_worksheet *ws, lxw_row_t *row, const char *label, const char *value)
{
    vpr_xlsx_cell_text(x, ws, *row, 0, label, x->f.label, NULL);
    vpr_xlsx_cell_text(x, ws, *row, 1, value, NULL, NULL);
    (*row)++;
}

static void write_sheet(xlsx_ctx *x, lxw_worksheet *ws, const vp_sample *s)
{
    vp_sample_view v;
    size_t ncols;
    char num[96];
    vp_sample_get(s, &v);
    const char *const *cols = vp_sample_columns(v.population, &ncols);
    lxw_row_t row = 0;
    /* the facts rows, the blank row and the header row come before the members */
    if ((unsigned long)v.member_count + 11 + v.stratum_count > x->max_rows) {
        vpr_xlsx_fail(x, VP_ERR_INPUT, "XLSX: the sample has %zu members, more than the Sample sheet holds; use its "
                      "CSV", v.member_count);
        return;
    }
    fact(x, ws, &row, "Method", VP_SAMPLE_METHOD ": SHA-256 of the seed, one 0x00 byte and each member's key; the "
                                "members with the smallest values (docs/sampling.md)");
    fact(x, ws, &row, "Seed", v.seed);
    fact(x, ws, &row, "Population", vp_sample_population_name(v.population));
    fact(x, ws, &row, "Population file", v.population_file);
    fact(x, ws, &row, "Population SHA-256", v.population_sha256);
    snprintf(num, sizeof num, "%zu", v.population_size);
    fact(x, ws, &row, "Population size", num);
    fact(x, ws, &row, "Strata", v.strata == VP_SAMPLE_STRATA_VAULT ? "vault" : "none");
    snprintf(num, sizeof num, "%zu drawn (%zu requested)", v.member_count, v.size_requested);
    fact(x, ws, &row, "Sample size", num);
    for (size_t i = 0; i < v.stratum_count; i++) {
        snprintf(num, sizeof num, "%zu of %zu", v.strata_list[i].drawn, v.strata_list[i].population);
        vpr_xlsx_cell_text(x, ws, row, 0, i == 0 ? "Allocation" : "", x->f.label, NULL);
        vpr_xlsx_cell_text(x, ws, row, 1, v.strata_list[i].stratum[0] ? v.strata_list[i].stratum : "(no vault)",
                           NULL, NULL);
        vpr_xlsx_cell_text(x, ws, row, 2, num, NULL, NULL);
        row++;
    }
    row++;
    lxw_row_t header = row;
    static const char *const fixed[] = {"ordinal", "stratum", "key", "sha256"};
    for (lxw_col_t c = 0; c < 4; c++)
        vpr_xlsx_cell_text(x, ws, row, c, fixed[c], x->f.header, NULL);
    for (size_t c = 0; c < ncols; c++)
        vpr_xlsx_cell_text(x, ws, row, (lxw_col_t)(4 + c), cols[c], x->f.header, NULL);
    for (size_t i = 0; i < v.member_count && !x->status; i++) {
        const vp_sample_member *m = &v.members[i];
        row++;
        vpr_xlsx_check(x, worksheet_write_number(ws, row, 0, (double)m->ordinal, NULL), SAMPLE_SHEET);
        vpr_xlsx_cell_text(x, ws, row, 1, m->stratum, NULL, NULL);
        vpr_xlsx_cell_text(x, ws, row, 2, m->key, NULL, NULL);
        vpr_xlsx_cell_text(x, ws, row, 3, m->sha256, NULL, NULL);
        for (size_t c = 0; c < ncols; c++)
            vpr_xlsx_cell_text(x, ws, row, (lxw_col_t)(4 + c), m->cols[c], NULL, NULL);
    }
    if (x->status)
        return;
    worksheet_freeze_panes(ws, header + 1, 0);
    vpr_xlsx_check(x, worksheet_autofilter(ws, header, 0, row, (lxw_col_t)(3 + ncols)), SAMPLE_SHEET);
    worksheet_set_column(ws, 0, 0, 20, NULL);
    worksheet_set_column(ws, 1, 2, 60, NULL);
    worksheet_set_column(ws, 3, 3, 66, NULL);
    worksheet_set_column(ws, 4, (lxw_col_t)(3 + ncols), 24, NULL);
}

void vpr_xlsx_write_sample(xlsx_ctx *x)
{
    if (!x->in->sample)
        return;
    lxw_worksheet *ws = vpr_xlsx_add_report_sheet(x, SAMPLE_SHEET);
    if (ws)
        write_sheet(x, ws, x->in->sample);
}

vp_status vp_render_sample_xlsx(const vp_sample *s, const vp_clock *clock, FILE *fp, const char *label, vp_error *err)
{
    xlsx_ctx x = {.err = err, .max_rows = XLSX_MAX_ROWS};
    char dir[4096], path[4200];
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/vaultproof-xlsx.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        return vp_error_set(err, VP_ERR_IO, "%s: cannot create a temporary directory: %s", dir, strerror(errno));
    snprintf(path, sizeof path, "%s/sample.xlsx", dir);
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = dir};
    if (!(x.wb = workbook_new_opt(path, &opt))) {
        rmdir(dir);
        return vp_error_set(err, VP_ERR_NOMEM, "XLSX: cannot start a workbook");
    }
    x.f.header = workbook_add_format(x.wb);
    format_set_bold(x.f.header);
    format_set_bg_color(x.f.header, 0xD9E1F2);
    format_set_bottom(x.f.header, LXW_BORDER_THIN);
    x.f.label = workbook_add_format(x.wb);
    format_set_bold(x.f.label);
    /* 0 would mean "now" to libxlsxwriter: the pinned clock keeps the file reproducible */
    lxw_doc_properties props = {.title = "Audit sample", .created = (time_t)(clock->epoch > 0 ? clock->epoch : 1)};
    vpr_xlsx_check(&x, workbook_set_properties(x.wb, &props), "document properties");
    lxw_worksheet *ws = workbook_add_worksheet(x.wb, SAMPLE_SHEET);
    if (!ws)
        vpr_xlsx_fail(&x, VP_ERR_INTERNAL, "XLSX: cannot add sheet %s", SAMPLE_SHEET);
    else
        write_sheet(&x, ws, s);
    lxw_error e = workbook_close(x.wb); /* always: it also frees the workbook */
    if (e != LXW_NO_ERROR && !x.status)
        vpr_xlsx_fail(&x, VP_ERR_IO, "XLSX: writing the workbook in %s failed: %s", dir, lxw_strerror(e));
    vp_status st = x.status ? x.status : vpr_xlsx_copy_out(path, fp, label, err);
    unlink(path);
    rmdir(dir);
    vpc_buf_free(&x.buf);
    vpc_buf_free(&x.guard);
    return st;
}
