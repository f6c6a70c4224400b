/* Tables: fixed column widths, cells of one or more wrapped paragraphs, a header row that
 * repeats on every page the table runs onto, light zebra rows and hairline rules.
 *
 * A row is measured (every paragraph of every cell sanitized into one reused buffer and
 * wrapped), moved to a new page when it does not fit, drawn and forgotten: memory does
 * not grow with the number of rows.
 *
 * A value is never cut: an auditor must be able to read every id, state and time back
 * from the page text exactly, so a value wider than its column wraps and the row grows.
 * The one limit is the page itself: rows never split across pages, so a cell is capped at
 * MAX_CELL_LINES lines (a page holds more than that many lines of the largest table size)
 * and only a value longer than that - none of the estate's ids, states or times, which
 * are one to four lines - is ellipsized. */
#include <string.h>

#include "render/pdf_internal.h"

#define PAD 2.6f
#define MAX_CELL_LINES 48

static float lead(float size)
{
    return size * 1.3f;
}

static int has_header(const pdf_table *t)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (t->cols[i].title)
            return 1;
    return 0;
}

static float table_width(const pdf_table *t)
{
    float w = 0;
    for (size_t i = 0; i < t->ncols; i++)
        w += t->cols[i].width;
    return w;
}

/* Column titles wrap like values (a narrow column's title takes two lines, never "Ret…").
 * Uses c->tmp and the lines past c->lines.n, so it can run between measuring a row (whose
 * text is in c->row and whose lines are below c->lines.n) and drawing it. */
static void draw_header(pdf_ctx *c, const pdf_table *t)
{
    if (!has_header(t))
        return;
    size_t first = c->lines.n, start[PDF_MAX_COLS + 1], most = 1;
    c->tmp.len = 0;
    for (size_t i = 0; i < t->ncols; i++) {
        size_t off = vpr_pdf_sanitize(c, PF_BOLD, vpr_pdf_nz(t->cols[i].title), &c->tmp, 0);
        start[i] = c->lines.n;
        size_t n = vpr_pdf_wrap(c, PF_BOLD, t->size, &c->tmp, off, c->tmp.len - off, t->cols[i].width - 2 * PAD, 4,
                                &c->lines);
        if (n > most)
            most = n;
    }
    start[t->ncols] = c->lines.n;
    float h = lead(t->size) * (float)most + 2 * PAD, x = PDF_LEFT;
    vpr_pdf_rect(c, PDF_LEFT, c->y - h, table_width(t), h, &vpr_pdf_head_fill);
    vpr_pdf_fill(c, &vpr_pdf_ink);
    for (size_t i = 0; i < t->ncols && !c->status; i++) {
        const pdf_col *col = &t->cols[i];
        float y = c->y - PAD - t->size * 0.95f, width = col->width - 2 * PAD;
        for (size_t k = start[i]; k < start[i + 1]; k++, y -= lead(t->size)) {
            pdf_line l = c->lines.v[k];
            float w = vpr_pdf_width(c, PF_BOLD, t->size, c->tmp.s + l.off, l.len);
            float dx = col->align == PA_RIGHT ? width - w : col->align == PA_CENTER ? (width - w) / 2 : 0;
            vpr_pdf_draw(c, PF_BOLD, t->size, x + PAD + dx, y, c->tmp.s + l.off, l.len, l.ellipsis);
        }
        x += col->width;
    }
    c->lines.n = first;
    vpr_pdf_hline(c, PDF_LEFT, PDF_LEFT + table_width(t), c->y - h, &vpr_pdf_muted, 0.6f);
    c->y -= h;
}

void vpr_pdf_table_begin(pdf_ctx *c, pdf_table *t, const pdf_col *cols, size_t ncols, float size)
{
    t->cols = cols;
    t->ncols = ncols < PDF_MAX_COLS ? ncols : PDF_MAX_COLS;
    t->size = size;
    t->rows = 0;
    t->no_rules = 0;
    vpr_pdf_need(c, 4 * lead(size) + 4 * PAD);
    c->table = t;
    draw_header(c, t);
}

void vpr_pdf_table_end(pdf_ctx *c, pdf_table *t)
{
    (void)t;
    c->table = NULL;
    c->y -= 7;
}

pdf_cell vpr_pdf_cell_text(const char *text)
{
    pdf_cell cell;
    memset(&cell, 0, sizeof cell);
    cell.nparts = 1;
    cell.parts[0].text = text;
    cell.parts[0].font = -1;
    cell.parts[0].status = -1;
    return cell;
}

typedef struct {
    size_t first, count;
    int font;
    float size;
} part_lines;

static float marker_room(float size)
{
    return size * 1.15f;
}

/* Sanitizes and wraps every part of every cell; returns the row height. */
static float measure(pdf_ctx *c, const pdf_table *t, const pdf_cell *cells, part_lines pl[][PDF_MAX_PARTS])
{
    float row = 0;
    for (size_t i = 0; i < t->ncols; i++) {
        const pdf_col *col = &t->cols[i];
        float h = 0;
        size_t budget = MAX_CELL_LINES;
        for (size_t j = 0; j < cells[i].nparts && j < PDF_MAX_PARTS; j++) {
            const pdf_part *p = &cells[i].parts[j];
            part_lines *l = &pl[i][j];
            size_t max = budget;
            l->font = p->font >= 0 ? p->font : col->font;
            l->size = p->size > 0 ? p->size : t->size;
            float width = col->width - 2 * PAD - (p->status >= 0 ? marker_room(l->size) : 0);
            size_t off = vpr_pdf_sanitize(c, l->font, p->text, &c->row, 1);
            l->first = c->lines.n;
            l->count = max ? vpr_pdf_wrap(c, l->font, l->size, &c->row, off, c->row.len - off, width, max, &c->lines) : 0;
            budget -= l->count;
            if (l->count || p->status >= 0)
                h += lead(l->size) * (float)(l->count ? l->count : 1);
        }
        if (h > row)
            row = h;
    }
    return (row > 0 ? row : lead(t->size)) + 2 * PAD;
}

static void draw_cell(pdf_ctx *c, const pdf_col *col, const pdf_cell *cell, const part_lines *pl, float x, float top)
{
    float y = top - PAD;
    for (size_t j = 0; j < cell->nparts && j < PDF_MAX_PARTS; j++) {
        const pdf_part *p = &cell->parts[j];
        const part_lines *l = &pl[j];
        float lx = x + PAD, width = col->width - 2 * PAD;
        if (p->status >= 0) {
            vpr_pdf_marker(c, p->status, lx, y - l->size * 0.95f, l->size);
            lx += marker_room(l->size);
            width -= marker_room(l->size);
        }
        vpr_pdf_fill(c, p->color ? p->color : &vpr_pdf_ink);
        for (size_t k = 0; k < l->count; k++) {
            pdf_line ln = c->lines.v[l->first + k];
            float dx = 0;
            if (col->align != PA_LEFT) {
                float w = vpr_pdf_width(c, l->font, l->size, c->row.s + ln.off, ln.len);
                dx = col->align == PA_RIGHT ? width - w : (width - w) / 2;
            }
            vpr_pdf_draw(c, l->font, l->size, lx + dx, y - l->size * 0.95f, c->row.s + ln.off, ln.len, ln.ellipsis);
            y -= lead(l->size);
        }
        if (!l->count && p->status >= 0)
            y -= lead(l->size);
    }
}

void vpr_pdf_table_row(pdf_ctx *c, pdf_table *t, const pdf_cell *cells)
{
    part_lines pl[PDF_MAX_COLS][PDF_MAX_PARTS];
    size_t first = c->lines.n;
    if (c->status)
        return;
    memset(pl, 0, sizeof pl);
    c->row.len = 0;
    float h = measure(c, t, cells, pl), x = PDF_LEFT;
    if (c->y - h < PDF_BOTTOM) {
        vpr_pdf_new_page(c);
        draw_header(c, t);
    }
    if (t->rows % 2)
        vpr_pdf_rect(c, PDF_LEFT, c->y - h, table_width(t), h, &vpr_pdf_zebra);
    for (size_t i = 0; i < t->ncols && !c->status; i++) {
        draw_cell(c, &t->cols[i], &cells[i], pl[i], x, c->y);
        x += t->cols[i].width;
    }
    if (!t->no_rules)
        vpr_pdf_hline(c, PDF_LEFT, PDF_LEFT + table_width(t), c->y - h, &vpr_pdf_rule, 0.3f);
    c->y -= h;
    t->rows++;
    c->lines.n = first;
}

void vpr_pdf_table_strings(pdf_ctx *c, pdf_table *t, const char *const *texts)
{
    pdf_cell cells[PDF_MAX_COLS];
    for (size_t i = 0; i < t->ncols; i++)
        cells[i] = vpr_pdf_cell_text(texts[i]);
    vpr_pdf_table_row(c, t, cells);
}

/* A two-column table of labels and values, without a header row. */
void vpr_pdf_kv_begin(pdf_ctx *c, pdf_table *t, pdf_col cols[2], float key_width)
{
    cols[0] = (pdf_col){NULL, key_width, PF_BOLD, PA_LEFT};
    cols[1] = (pdf_col){NULL, PDF_WIDTH - key_width, PF_SANS, PA_LEFT};
    vpr_pdf_table_begin(c, t, cols, 2, 7.5f);
}

void vpr_pdf_kv(pdf_ctx *c, pdf_table *t, const char *key, const char *value, int value_font)
{
    pdf_cell cells[2] = {vpr_pdf_cell_text(key), vpr_pdf_cell_text(value && *value ? value : "\xE2\x80\x94")};
    cells[1].parts[0].font = value_font;
    vpr_pdf_table_row(c, t, cells);
}
