/* The data rows of a population sheet, written as SpreadsheetML straight into a raw
 * deflate stream, on the thread that writes the sheet.
 *
 * libxlsxwriter's constant-memory mode prints every cell with fprintf into a temporary
 * file, reads that file back when the workbook closes and deflates every sheet there, on
 * one thread, after all of them are written: at 100k items that was over half of the
 * workbook's time (bench/README.md). Here the cells are formatted into memory and
 * deflated as they come, so two sheets written on two threads are also compressed on two
 * threads, and nothing uncompressed touches the disk. libxlsxwriter still writes each
 * sheet's header row and everything around the rows (xlsx_splice.c joins them).
 *
 * The XML is libxlsxwriter's own, byte for byte (the unit test xlsx_rows compares the
 * two on the same cells), so the workbook's parts read exactly as before:
 *  - <row r="N"> (no spans, as in constant-memory mode), cells in column order, the last
 *    value written to a cell kept, a row without cells not written;
 *  - text as an inline string: control characters other than tab and newline as
 *    _xHHHH_, then & < > escaped, and xml:space="preserve" when the text begins or ends
 *    with white space;
 *  - numbers printed with "%.16G", booleans as t="b". */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "render/xlsx_internal.h"

#define PENDING_MAX (256u << 10) /* XML gathered before it is handed to deflate */

typedef struct {
    size_t off, len; /* where the column's cell is in the row's cell XML; len 0: empty */
} cell_at;

struct xlsx_rows {
    FILE *fp; /* the deflated rows: a temporary file, unlinked once created */
    z_stream z;
    int z_live;
    vpc_buf pending;         /* finished rows not yet deflated */
    vpc_buf cells;           /* the current row's cells, in the order written */
    vpc_buf text;            /* scratch: a text with its control characters escaped */
    cell_at *at;             /* per column */
    char (*col_name)[LXW_MAX_COL_NAME_LENGTH]; /* per column: "A" ... "XFD" */
    size_t ncols;
    unsigned long row;       /* 1-based number of the current row; 0: none yet */
    char row_digits[16];     /* its number as text */
    size_t row_len;
    xlsx_rows_info info;
    int failed;              /* errno of the first failure (ENOMEM, or the file's) */
    unsigned char out[1 << 16];
};

static int fail(xlsx_rows *r, int e)
{
    if (!r->failed)
        r->failed = e ? e : EIO;
    return -1;
}

vp_status vpr_rows_new(xlsx_rows **out, const char *dir, size_t ncols, int level, vp_error *err)
{
    char path[4200];
    *out = NULL;
    if (ncols == 0 || ncols > LXW_COL_MAX || !dir)
        return vp_error_set(err, VP_ERR_INTERNAL, "XLSX: a row stream of %zu columns%s", ncols,
                            dir ? "" : " without a temporary directory");
    xlsx_rows *r = calloc(1, sizeof *r);
    if (r) {
        r->at = calloc(ncols, sizeof *r->at);
        r->col_name = calloc(ncols, sizeof *r->col_name);
    }
    if (!r || !r->at || !r->col_name) {
        vpr_rows_free(r);
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    }
    r->ncols = ncols;
    for (size_t c = 0; c < ncols; c++)
        lxw_col_to_name(r->col_name[c], (lxw_col_t)c, 0);
    r->info.crc = (uint32_t)crc32(0L, Z_NULL, 0);
    if (deflateInit2(&r->z, level, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        vpr_rows_free(r);
        return vp_error_set(err, VP_ERR_NOMEM, "XLSX: cannot start a deflate stream");
    }
    r->z_live = 1;
    snprintf(path, sizeof path, "%s/rows.XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd < 0 || unlink(path) != 0 || !(r->fp = fdopen(fd, "w+b"))) {
        int e = errno;
        if (fd >= 0 && !r->fp)
            close(fd);
        vpr_rows_free(r);
        return vp_error_set(err, VP_ERR_IO, "%s: cannot create a temporary file: %s", path, strerror(e));
    }
    *out = r;
    return VP_OK;
}

/* Hands XML to deflate; flush is Z_NO_FLUSH, or Z_SYNC_FLUSH to end on a byte boundary
 * without a final block (xlsx_splice.c appends the rest of the part after it). */
static int deflate_out(xlsx_rows *r, const char *xml, size_t len, int flush)
{
    r->info.crc = (uint32_t)crc32_z(r->info.crc, (const Bytef *)xml, len);
    r->info.xml_size += len;
    r->z.next_in = (Bytef *)xml;
    r->z.avail_in = (uInt)len;
    do {
        r->z.next_out = r->out;
        r->z.avail_out = sizeof r->out;
        if (deflate(&r->z, flush) == Z_STREAM_ERROR)
            return fail(r, EINVAL);
        size_t have = sizeof r->out - r->z.avail_out;
        if (have && fwrite(r->out, 1, have, r->fp) != have)
            return fail(r, errno);
        r->info.deflated_size += have;
    } while (r->z.avail_out == 0);
    return 0;
}

static int drain(xlsx_rows *r, int flush)
{
    int rc = deflate_out(r, r->pending.s ? r->pending.s : "", r->pending.len, flush);
    vpc_buf_clear(&r->pending);
    return rc;
}

/* The current row, its cells in column order, onto the pending XML. */
static int end_row(xlsx_rows *r)
{
    size_t first = 0, last = 0, any = 0;
    if (!r->row)
        return 0;
    for (size_t c = 0; c < r->ncols; c++)
        if (r->at[c].len) {
            if (!any)
                first = c;
            any = 1;
            last = c;
        }
    if (any) {
        vpc_buf *p = &r->pending;
        vpc_buf_add(p, "<row r=\"", 8);
        vpc_buf_add(p, r->row_digits, r->row_len);
        vpc_buf_add(p, "\">", 2);
        for (size_t c = first; c <= last; c++)
            if (r->at[c].len)
                vpc_buf_add(p, r->cells.s + r->at[c].off, r->at[c].len);
        vpc_buf_add(p, "</row>", 6);
        if (p->nomem)
            return fail(r, ENOMEM);
        if (!r->info.last_row || first < r->info.min_col)
            r->info.min_col = first;
        r->info.last_row = r->row;
        if (last + 1 > r->info.max_col)
            r->info.max_col = last + 1;
        memset(r->at, 0, r->ncols * sizeof *r->at);
    }
    vpc_buf_clear(&r->cells);
    r->row = 0;
    return r->pending.len >= PENDING_MAX ? drain(r, Z_NO_FLUSH) : 0;
}

int vpr_rows_start(xlsx_rows *r, unsigned long row)
{
    if (r->failed || end_row(r))
        return -1;
    r->row = row;
    r->row_len = (size_t)snprintf(r->row_digits, sizeof r->row_digits, "%lu", row);
    return 0;
}

/* Opens a cell of the current row: <c r="B7" s="3" (the caller adds the rest). */
static vpc_buf *cell_open(xlsx_rows *r, size_t col, int xf, size_t *off)
{
    vpc_buf *b = &r->cells;
    char s[24];
    if (r->failed || !r->row || col >= r->ncols) {
        fail(r, EINVAL);
        return NULL;
    }
    *off = b->len;
    vpc_buf_add(b, "<c r=\"", 6);
    vpc_buf_adds(b, r->col_name[col]);
    vpc_buf_add(b, r->row_digits, r->row_len);
    vpc_buf_add(b, "\"", 1);
    if (xf > 0) {
        int n = snprintf(s, sizeof s, " s=\"%d\"", xf);
        vpc_buf_add(b, s, (size_t)n);
    }
    return b;
}

static int cell_close(xlsx_rows *r, size_t col, size_t off)
{
    if (r->cells.nomem)
        return fail(r, ENOMEM);
    r->at[col].off = off;
    r->at[col].len = r->cells.len - off;
    return 0;
}

static int control(unsigned char c)
{
    return c < 0x20 && c != '\t' && c != '\n';
}

/* s with its control characters as _xHHHH_ (libxlsxwriter's lxw_escape_control_characters),
 * in r->text; s itself when it has none. */
static const char *escape_controls(xlsx_rows *r, const char *s)
{
    const char *p = s;
    while (*p && !control((unsigned char)*p))
        p++;
    if (!*p)
        return s;
    vpc_buf_clear(&r->text);
    for (p = s; *p; p++) {
        if (control((unsigned char)*p))
            vpc_buf_printf(&r->text, "_x%04X_", (unsigned char)*p);
        else
            vpc_buf_add(&r->text, p, 1);
    }
    return r->text.nomem ? NULL : vpc_buf_str(&r->text);
}

static void add_escaped(vpc_buf *b, const char *s)
{
    const char *run = s;
    for (; *s; s++) {
        const char *rep = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : NULL;
        if (!rep)
            continue;
        vpc_buf_add(b, run, (size_t)(s - run));
        vpc_buf_adds(b, rep);
        run = s + 1;
    }
    vpc_buf_add(b, run, (size_t)(s - run));
}

int vpr_rows_text(xlsx_rows *r, size_t col, const char *s, int xf)
{
    size_t off;
    const char *v = escape_controls(r, s);
    if (!v)
        return fail(r, ENOMEM);
    vpc_buf *b = cell_open(r, col, xf, &off);
    if (!b)
        return -1;
    size_t n = strlen(v);
    int preserve = n && (isspace((unsigned char)v[0]) || isspace((unsigned char)v[n - 1]));
    vpc_buf_adds(b, preserve ? " t=\"inlineStr\"><is><t xml:space=\"preserve\">" : " t=\"inlineStr\"><is><t>");
    add_escaped(b, v);
    vpc_buf_add(b, "</t></is></c>", 13);
    return cell_close(r, col, off);
}

int vpr_rows_number(xlsx_rows *r, size_t col, double v, int xf)
{
    size_t off;
    char digits[40];
    vpc_buf *b = cell_open(r, col, xf, &off);
    if (!b)
        return -1;
    int n = snprintf(digits, sizeof digits, "%.16G", v);
    vpc_buf_add(b, "><v>", 4);
    vpc_buf_add(b, digits, (size_t)n);
    vpc_buf_add(b, "</v></c>", 8);
    return cell_close(r, col, off);
}

int vpr_rows_bool(xlsx_rows *r, size_t col, int v, int xf)
{
    size_t off;
    vpc_buf *b = cell_open(r, col, xf, &off);
    if (!b)
        return -1;
    vpc_buf_adds(b, v ? " t=\"b\"><v>1</v></c>" : " t=\"b\"><v>0</v></c>");
    return cell_close(r, col, off);
}

int vpr_rows_finish(xlsx_rows *r)
{
    if (r->failed || end_row(r) || drain(r, Z_SYNC_FLUSH))
        return -1;
    if (fflush(r->fp) != 0 || fseeko(r->fp, 0, SEEK_SET) != 0)
        return fail(r, errno);
    deflateEnd(&r->z);
    r->z_live = 0;
    vpc_buf_free(&r->pending);
    vpc_buf_free(&r->cells);
    vpc_buf_free(&r->text);
    return 0;
}

const xlsx_rows_info *vpr_rows_info(const xlsx_rows *r)
{
    return &r->info;
}

FILE *vpr_rows_file(xlsx_rows *r)
{
    return r->fp;
}

const char *vpr_rows_why(const xlsx_rows *r)
{
    return r->failed == ENOMEM ? "out of memory" : strerror(r->failed);
}

int vpr_rows_failed(const xlsx_rows *r)
{
    return r->failed;
}

void vpr_rows_free(xlsx_rows *r)
{
    if (!r)
        return;
    if (r->z_live)
        deflateEnd(&r->z);
    if (r->fp)
        fclose(r->fp);
    vpc_buf_free(&r->pending);
    vpc_buf_free(&r->cells);
    vpc_buf_free(&r->text);
    free(r->at);
    free(r->col_name);
    free(r);
}
