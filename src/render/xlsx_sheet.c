/* The population writer: every data sheet of the workbook is written through here, so
 * the rules an auditor relies on hold everywhere:
 *  - text from the data is always a text cell, and one that would begin with = + - @
 *    (or a tab or carriage return, which some tools strip before evaluating) starts
 *    with an apostrophe: a tag value is data, never a formula, even after the cell is
 *    edited or the sheet exported to CSV;
 *  - numbers are numbers, times are Excel dates in UTC, ids are text;
 *  - row 1 is the header, frozen, with an autofilter; widths follow the content;
 *  - each population has a defined name over its header and rows;
 *  - at the row limit the population continues on "Name (2)", never truncated.
 * libxlsxwriter writes each sheet's header row and everything around the rows; the data
 * rows go through xlsx_rows.c (formatted and deflated on the writing thread). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/xlsx_internal.h"
#include "vaultproof/clock.h"

#define WIDTH_MIN 6.0
#define WIDTH_MAX 60.0
#define CELL_MAX 32767 /* Excel's limit for one cell, counted here in bytes (conservative) */
#define CUT_MARK " [cut here: longer than an Excel cell holds; the full value is in the snapshot]"

vp_status vpr_xlsx_fail(xlsx_ctx *x, vp_status st, const char *fmt, ...)
{
    char msg[VP_ERROR_MSG_MAX];
    va_list ap;
    if (x->status)
        return x->status;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    x->status = vp_error_set(x->err, st, "%s", msg);
    return x->status;
}

int vpr_xlsx_check(xlsx_ctx *x, lxw_error e, const char *what)
{
    if (e == LXW_NO_ERROR)
        return 0;
    vpr_xlsx_fail(x, VP_ERR_INTERNAL, "XLSX: %s: %s", what, lxw_strerror(e));
    return 1;
}

size_t vpr_xlsx_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static void track(double *w, size_t chars)
{
    double c = (double)chars;
    if (w && c > *w)
        *w = c;
}

/* Whether a spreadsheet would read s as the start of a formula. */
static int dangerous(const char *s)
{
    return s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r';
}

/* The text to store: s itself, or an apostrophe-guarded and/or shortened copy. */
static const char *cell_value(xlsx_ctx *x, const char *s)
{
    size_t n = strlen(s), room = CELL_MAX;
    int guard = dangerous(s);
    if (!guard && n <= CELL_MAX)
        return s;
    vpc_buf_clear(&x->guard);
    if (guard) {
        vpc_buf_adds(&x->guard, "'");
        room--;
    }
    if (n <= room) {
        vpc_buf_adds(&x->guard, s);
    } else {
        size_t keep = room - strlen(CUT_MARK);
        while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80)
            keep--; /* never split a UTF-8 sequence */
        char *copy = strndup(s, keep);
        if (!copy) {
            x->guard.nomem = 1;
        } else {
            vpc_buf_adds(&x->guard, copy);
            free(copy);
        }
        vpc_buf_adds(&x->guard, CUT_MARK);
    }
    if (x->guard.nomem) {
        vpr_xlsx_fail(x, VP_ERR_NOMEM, "XLSX: out of memory");
        return NULL;
    }
    return vpc_buf_str(&x->guard);
}

void vpr_xlsx_cell_text(xlsx_ctx *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *s, lxw_format *fmt,
                    double *w)
{
    if (!s || !*s || x->status) /* an empty cell: nothing reported, nothing to list */
        return;
    const char *v = cell_value(x, s);
    if (!v)
        return;
    /* a string cell holds text as given; only worksheet_write_formula*() make formulas */
    if (vpr_xlsx_check(x, worksheet_write_string(ws, row, col, v, fmt), "writing a text cell"))
        return;
    track(w, vpr_xlsx_chars(v));
}

static int plain_date(const char *s, long long *days)
{
    unsigned y, m, d;
    char tail;
    if (strlen(s) != 10 || sscanf(s, "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3 || s[4] != '-' || s[7] != '-')
        return -1;
    if (m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    *days = vp_days_from_civil(y, m, d);
    return 0;
}

/* The fraction of a second of an RFC 3339 time ("...:07.123Z" -> 0.123), 0 without one.
 * vp_time_parse reads whole seconds (what evaluation measures); the workbook shows the
 * value as the API gave it. */
static double fraction_of(const char *s)
{
    const char *dot = strlen(s) > 19 && s[19] == '.' ? s + 20 : NULL;
    double f = 0, scale = 0.1;
    for (; dot && *dot >= '0' && *dot <= '9'; dot++, scale /= 10)
        f += (*dot - '0') * scale;
    return f;
}

/* Excel's serial: days since 1899-12-30, so 1970-01-01 is 25569. Times before 1900-03-01
 * (where Excel's calendar is off) are not dates. */
double vpr_xlsx_serial(const char *s)
{
    long long days, epoch;
    double fraction = 0;
    if (plain_date(s, &days) == 0)
        epoch = days * 86400;
    else if (vp_time_parse(s, &epoch) != 0)
        return -1;
    else
        fraction = fraction_of(s);
    if (epoch < -2203891200LL) /* 1900-03-01T00:00:00Z */
        return -1;
    return 25569.0 + ((double)epoch + fraction) / 86400.0;
}

lxw_format *vpr_xlsx_time_format(const xlsx_ctx *x, const char *s)
{
    if (strlen(s) == 10)
        return x->f.date;
    return fraction_of(s) > 0 ? x->f.time_ms : x->f.time;
}

static const char *header_of(const xlsx_pop *p, size_t i)
{
    return p->headers ? p->headers[i] : p->cols[i].header;
}

/* A population split over sheets says so where it is read: a note on the header's
 * first cell naming the rows this part holds and the sheet it continues on. */
static void part_note(xlsx_pop *p, const xlsx_sheet_info *info)
{
    xlsx_ctx *x = p->x;
    char part[16], parts[16], first[24], last[24], next[LXW_SHEETNAME_MAX + 8], note[1024];
    size_t per_part = x->max_rows - 1, end = info->first - 1 + per_part;
    const char *const vars[] = {"part", part, "parts", parts, "first", first, "last", last, "next", next, NULL};
    snprintf(part, sizeof part, "%d", p->part);
    snprintf(parts, sizeof parts, "%d", p->parts);
    snprintf(first, sizeof first, "%zu", info->first);
    snprintf(last, sizeof last, "%zu", end < p->expected ? end : p->expected);
    snprintf(next, sizeof next, "%s (%d)", p->name, p->part + 1);
    snprintf(note, sizeof note, "%s", vpr_xlsx_t_fill(x, "/notes/part", vars));
    if (p->part < p->parts) {
        size_t len = strlen(note);
        snprintf(note + len, sizeof note - len, " %s", vpr_xlsx_t_fill(x, "/notes/next", vars));
    }
    worksheet_set_comments_author(p->ws, "vaultproof");
    vpr_xlsx_check(x, worksheet_write_comment(p->ws, 0, 0, note), "continuation note");
}

/* Creates the sheets of every part at once, in order, when the population begins: the
 * same workbook order as creating each at its row limit (a population is written whole
 * before the next begins), and no workbook-wide call is left for the row writer, so a
 * population split over several sheets can be written on a second thread too. */
static int parts_create(xlsx_pop *p)
{
    xlsx_ctx *x = p->x;
    if ((size_t)p->parts > XLSX_MAX_SHEETS - x->sheet_count)
        return vpr_xlsx_fail(x, VP_ERR_INPUT, "XLSX: %s needs more than %d sheets", p->name, XLSX_MAX_SHEETS);
    p->first_info = x->sheet_count;
    for (int k = 1; k <= p->parts; k++) {
        xlsx_sheet_info *info = &x->sheets[x->sheet_count];
        memset(info, 0, sizeof *info);
        if (k == 1)
            snprintf(info->name, sizeof info->name, "%s", p->name);
        else
            snprintf(info->name, sizeof info->name, "%s (%d)", p->name, k);
        snprintf(info->defined_name, sizeof info->defined_name, "Data_%s", p->name);
        for (char *c = info->defined_name; *c; c++)
            if (*c == ' ')
                *c = '_';
        if (k > 1) {
            size_t len = strlen(info->defined_name);
            snprintf(info->defined_name + len, sizeof info->defined_name - len, "_%d", k);
        }
        info->part = k;
        info->parts = p->parts;
        info->base = p->name;
        info->ws = workbook_add_worksheet(x->wb, info->name);
        if (!info->ws)
            return vpr_xlsx_fail(x, VP_ERR_INTERNAL, "XLSX: cannot add sheet %s", info->name);
        info->part_index = info->ws->index;
        x->sheet_count++;
    }
    return 0;
}

static int part_begin(xlsx_pop *p)
{
    xlsx_ctx *x = p->x;
    p->part++;
    p->info = p->first_info + (size_t)p->part - 1;
    xlsx_sheet_info *info = &x->sheets[p->info];
    info->first = p->written + 1;
    p->ws = info->ws;
    p->row = 0;
    for (size_t c = 0; c < p->ncols; c++) {
        p->width[c] = 0;
        vpr_xlsx_cell_text(x, p->ws, 0, (lxw_col_t)c, header_of(p, c), x->f.header, &p->width[c]);
        p->width[c] += 2; /* bold, and room for the filter button */
    }
    if (p->parts > 1)
        part_note(p, info);
    if (!x->status && !x->rows_via_lxw)
        x->status = vpr_rows_new(&info->stream, x->tmpdir, p->ncols, x->rows_level, x->err);
    return x->status;
}

/* The sheet's row stream, or NULL when the rows go through libxlsxwriter (tests). */
static xlsx_rows *rows_of(const xlsx_pop *p)
{
    return p->x->sheets[p->info].stream;
}

static int rows_check(xlsx_pop *p, int rc)
{
    if (rc == 0)
        return 0;
    int e = vpr_rows_failed(rows_of(p));
    vpr_xlsx_fail(p->x, e == ENOMEM ? VP_ERR_NOMEM : e == EINVAL ? VP_ERR_INTERNAL : VP_ERR_IO,
                  "XLSX: %s: writing the rows: %s", p->x->sheets[p->info].name, vpr_rows_why(rows_of(p)));
    return -1;
}

static void set_widths(xlsx_pop *p)
{
    for (size_t c = 0; c < p->ncols; c++) {
        double w = p->width[c];
        if (p->cols[c].kind == XC_TIME && w < 19)
            w = 19;
        if (p->cols[c].kind == XC_DATE && w < 10)
            w = 10;
        w = w < WIDTH_MIN ? WIDTH_MIN : w > WIDTH_MAX ? WIDTH_MAX : w + 1;
        worksheet_set_column(p->ws, (lxw_col_t)c, (lxw_col_t)c, w, NULL);
    }
}

static void part_end(xlsx_pop *p)
{
    xlsx_ctx *x = p->x;
    xlsx_sheet_info *info = &x->sheets[p->info];
    char ref[80], formula[LXW_DEFINED_NAME_LENGTH], first[16], last[16];
    lxw_col_t lastcol = (lxw_col_t)(p->ncols - 1);
    if (x->status || (info->stream && rows_check(p, vpr_rows_finish(info->stream))))
        return;
    info->rows = p->row;
    info->last = info->first + p->row - 1;
    worksheet_freeze_panes(p->ws, 1, 0);
    vpr_xlsx_check(x, worksheet_autofilter(p->ws, 0, 0, p->row, lastcol), "autofilter");
    set_widths(p);
    for (size_t c = 0; c < p->ncols && p->row > 0; c++)
        if (p->cols[c].palette)
            vpr_xlsx_palette_apply(x, p->ws, 1, p->row, (lxw_col_t)c, (xlsx_palette)p->cols[c].palette);
    vpr_xlsx_sheet_ref(ref, sizeof ref, info->name);
    lxw_rowcol_to_cell_abs(first, 0, 0, 1, 1);
    lxw_rowcol_to_cell_abs(last, p->row, lastcol, 1, 1);
    snprintf(formula, sizeof formula, "=%s!%s:%s", ref, first, last);
    /* defined names are one workbook-wide list (kept sorted by libxlsxwriter, so the
     * order of two threads' calls does not change the bytes) */
    if (x->wb_lock)
        pthread_mutex_lock(x->wb_lock);
    vpr_xlsx_check(x, workbook_define_name(x->wb, info->defined_name, formula), "defining a name");
    if (x->wb_lock)
        pthread_mutex_unlock(x->wb_lock);
}

int vpr_xlsx_pop_begin(xlsx_pop *p, xlsx_ctx *x, const char *name, const xlsx_col *cols, const char *const *headers,
                   size_t ncols, size_t expected)
{
    size_t per_part = x->max_rows - 1;
    memset(p, 0, sizeof *p);
    p->x = x;
    p->name = name;
    p->cols = cols;
    p->headers = headers;
    p->ncols = ncols;
    p->expected = expected;
    p->parts = expected == 0 ? 1 : (int)((expected + per_part - 1) / per_part);
    if (x->status)
        return x->status;
    p->width = calloc(ncols, sizeof *p->width);
    if (!p->width)
        return vpr_xlsx_fail(x, VP_ERR_NOMEM, "XLSX: out of memory");
    if (parts_create(p) || part_begin(p)) {
        free(p->width);
        p->width = NULL;
    }
    return x->status;
}

int vpr_xlsx_pop_row(xlsx_pop *p)
{
    if (p->x->status)
        return p->x->status;
    if (p->row + 1 >= p->x->max_rows) {
        part_end(p);
        if (part_begin(p))
            return p->x->status;
    }
    p->row++;
    p->written++;
    return rows_of(p) ? rows_check(p, vpr_rows_start(rows_of(p), (unsigned long)p->row + 1)) : 0;
}

int vpr_xlsx_pop_end(xlsx_pop *p)
{
    if (p->ws && !p->x->status) {
        part_end(p);
        if (p->written != p->expected)
            vpr_xlsx_fail(p->x, VP_ERR_INTERNAL, "XLSX: %s: %zu rows written, %zu expected", p->name, p->written,
                      p->expected);
    }
    free(p->width);
    p->width = NULL;
    return p->x->status;
}

void vpr_xlsx_text(xlsx_pop *p, size_t col, const char *s)
{
    xlsx_rows *rows = rows_of(p);
    if (!rows) {
        vpr_xlsx_cell_text(p->x, p->ws, p->row, (lxw_col_t)col, s, NULL, &p->width[col]);
        return;
    }
    if (!s || !*s || p->x->status)
        return;
    const char *v = cell_value(p->x, s);
    if (v && !rows_check(p, vpr_rows_text(rows, col, v, 0)))
        track(&p->width[col], vpr_xlsx_chars(v));
}

/* A number cell, with the index of its format (0: none). */
static int number_cell(xlsx_pop *p, size_t col, double v, lxw_format *fmt)
{
    xlsx_rows *rows = rows_of(p);
    if (rows)
        return rows_check(p, vpr_rows_number(rows, col, v, fmt ? lxw_format_get_xf_index(fmt) : 0));
    return vpr_xlsx_check(p->x, worksheet_write_number(p->ws, p->row, (lxw_col_t)col, v, fmt), "writing a number");
}

void vpr_xlsx_num(xlsx_pop *p, size_t col, double v)
{
    char digits[32];
    if (p->x->status || number_cell(p, col, v, NULL))
        return;
    track(&p->width[col], (size_t)snprintf(digits, sizeof digits, "%.15g", v));
}

void vpr_xlsx_bool(xlsx_pop *p, size_t col, int v)
{
    xlsx_rows *rows = rows_of(p);
    if (p->x->status)
        return;
    if (rows ? rows_check(p, vpr_rows_bool(rows, col, v != 0, 0))
             : vpr_xlsx_check(p->x, worksheet_write_boolean(p->ws, p->row, (lxw_col_t)col, v != 0, NULL),
                              "writing a boolean"))
        return;
    track(&p->width[col], 5);
}

void vpr_xlsx_time(xlsx_pop *p, size_t col, const char *s)
{
    if (!s || p->x->status)
        return;
    double serial = vpr_xlsx_serial(s);
    if (serial < 0) { /* not a time we can place on Excel's calendar: keep it, as text */
        vpr_xlsx_text(p, col, s);
        return;
    }
    lxw_format *fmt = vpr_xlsx_time_format(p->x, s);
    if (number_cell(p, col, serial, fmt))
        return;
    if (fmt == p->x->f.time_ms)
        track(&p->width[col], 23); /* "yyyy-mm-dd hh:mm:ss.000" */
}

void vpr_xlsx_vtext(xlsx_pop *p, size_t col, const vp_text *t)
{
    if (t->presence == VP_PRESENT)
        vpr_xlsx_text(p, col, t->value);
}

void vpr_xlsx_vnum(xlsx_pop *p, size_t col, const vp_num *n)
{
    if (n->presence == VP_PRESENT)
        vpr_xlsx_num(p, col, (double)n->value);
}

void vpr_xlsx_sheet_ref(char *out, size_t size, const char *sheet)
{
    size_t o = 0;
    if (size < 3)
        return;
    out[o++] = '\'';
    for (const char *s = sheet; *s && o + 3 < size; s++) {
        if (*s == '\'')
            out[o++] = '\''; /* a quote inside a quoted sheet name is doubled */
        out[o++] = *s;
    }
    out[o++] = '\'';
    out[o] = '\0';
}

lxw_worksheet *vpr_xlsx_add_report_sheet(xlsx_ctx *x, const char *name)
{
    if (x->status)
        return NULL;
    if (x->sheet_count == XLSX_MAX_SHEETS) {
        vpr_xlsx_fail(x, VP_ERR_INTERNAL, "XLSX: too many sheets");
        return NULL;
    }
    xlsx_sheet_info *info = &x->sheets[x->sheet_count++];
    memset(info, 0, sizeof *info);
    snprintf(info->name, sizeof info->name, "%s", name);
    info->base = info->name;
    info->part = info->parts = 1;
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, name);
    if (!ws)
        vpr_xlsx_fail(x, VP_ERR_INTERNAL, "XLSX: cannot add sheet %s", name);
    return ws;
}
