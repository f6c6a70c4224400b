/* The XLSX evidence workbook: shared state of the files src/render/xlsx*.c.
 *
 * The workbook is written with libxlsxwriter in constant-memory mode: every sheet
 * streams its rows, in order, to its own temporary file, so memory does not grow with
 * the populations. Sheets are independent streams, so one sheet can be filled while
 * another is half written (the Summary is completed after the findings were counted).
 * Every population sheet goes through the writer below (xlsx_sheet.c), which owns the
 * rules of the workbook: typed cells, formula-injection guard, header, frozen pane,
 * autofilter, fitted widths, status colours, a defined name per population and the
 * continuation of a population on further sheets at the row limit. */
#ifndef VP_RENDER_XLSX_INTERNAL_H
#define VP_RENDER_XLSX_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <xlsxwriter.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/vec.h"
#include "render/texts.h"
#include "vaultproof/render.h"
#include "vaultproof/tally.h"
#include "vaultproof/worm.h"

#define XLSX_MAX_ROWS LXW_ROW_MAX /* Excel's limit, header row included */
#define XLSX_MAX_SHEETS 64

/* Columns of the Findings sheet the Summary's formulas count over. */
#define XLSX_FINDINGS_RULE_COL 0
#define XLSX_FINDINGS_STATUS_COL 1

/* Renders with a row limit per sheet (header included, at least 2): the entry point
 * vp_render_xlsx() passes Excel's; tests pass a small one to exercise continuation. */
vp_status vpr_xlsx_render_limit(const vp_render_input *in, FILE *fp, const char *label, unsigned long max_rows,
                               vp_error *err);

/* What tests may change about a render (vp_render_xlsx: Excel's row limit, the rest 0). */
typedef struct {
    unsigned long max_rows; /* per sheet, header included, at least 2 */
    int rows_via_lxw;       /* the data rows through libxlsxwriter, as before xlsx_rows.c: the reference the
                               unit tests compare the rows' XML with */
    int force_zip64;        /* ZIP64 fields on every zip entry, as a part past 4 GB gets them */
} xlsx_render_opts;
vp_status vpr_xlsx_render_opts(const vp_render_input *in, FILE *fp, const char *label, const xlsx_render_opts *o,
                               vp_error *err);

/* Joined values ("k=v; k=v") are built in core's buffer (core/buf.h). */
void vpr_xlsx_sep(vpc_buf *b, const char *sep); /* adds sep unless the buffer is empty */

/* How a column's cells are typed and coloured. */
typedef enum {
    XC_TEXT = 0, /* free text (guarded against formula injection) */
    XC_ID,       /* identifiers: text, never numbers */
    XC_NUM,      /* counts and days: numbers */
    XC_DATE,     /* yyyy-mm-dd */
    XC_TIME,     /* yyyy-mm-dd hh:mm:ss, UTC */
    XC_BOOL
} xlsx_kind;

/* Colour palettes for status columns (conditional formatting). */
typedef enum {
    XP_NONE = 0,
    XP_FINDING,    /* pass, warn, fail, not-applicable, exempt, incomplete and results */
    XP_LIST,       /* complete, incomplete, unverified, missing */
    XP_IMMUTABLE,  /* Locked, Unlocked, Disabled */
    XP_SOFTDELETE, /* AlwaysON, Enabled, Disabled */
    XP_ENABLED,    /* Enabled good, Disabled bad (MUA) */
    XP_WORM,       /* ga, pending-automatic-transition */
    XP_PROTECTION, /* protection state, last backup status, health */
    XP_COUNT
} xlsx_palette;

typedef struct {
    const char *header;
    unsigned char kind;    /* xlsx_kind */
    unsigned char palette; /* xlsx_palette */
} xlsx_col;

typedef enum { XS_GOOD = 0, XS_WARN, XS_BAD, XS_ORANGE, XS_INFO, XS_GREY, XS_STYLES } xlsx_style;

typedef struct {
    lxw_format *header, *title, *heading, *label, *wrap, *date, *time, *time_ms, *status[XS_STYLES];
} xlsx_formats;

/* One sheet as listed in the README's directory. */
typedef struct {
    char name[LXW_SHEETNAME_MAX + 1];
    char defined_name[64];  /* "" for report sheets */
    size_t rows;            /* data rows (population sheets) */
    size_t first, last;     /* 1-based positions of its rows in the whole population */
    int part, parts;        /* continuation: part of parts (1 of 1 when whole) */
    const char *base;       /* population name: the key of its description */
    lxw_worksheet *ws;      /* population sheets: created with the population's first part */
    struct xlsx_rows *stream; /* population sheets: the data rows (below), spliced in at close */
    unsigned part_index;      /* its part is xl/worksheets/sheet<part_index+1>.xml (ws is gone by then) */
} xlsx_sheet_info;

/* Per vault: findings by status, for the Summary (index vault_count: no vault). */

/* An exemption from the config, as the findings show it. */
typedef struct {
    int seen;                   /* its exemption.valid finding was read */
    vp_finding_status validity; /* that finding's status */
    char *label, *observed, *note, *evidence, *rule, *resource, *reason, *approver, *expires;
    size_t exempted;            /* findings it exempted */
} xlsx_exemption;

/* ---- The data rows of a population sheet (xlsx_rows.c) ----
 * libxlsxwriter writes the sheet around them (header row, filter, widths, colours); the
 * rows are formatted as libxlsxwriter would, deflated on the writing thread into an
 * unlinked temporary file, and spliced into the sheet's part when the zip is assembled
 * (xlsx_splice.c). One stream per sheet, used by one thread at a time. */
typedef struct xlsx_rows xlsx_rows;

typedef struct {
    uint32_t crc;                  /* CRC-32 of the rows' XML */
    uint64_t xml_size, deflated_size;
    unsigned long last_row;        /* 1-based number of the last row with a cell; 0: none */
    size_t min_col, max_col;       /* 0-based lowest column with a cell, and 1 + the highest */
} xlsx_rows_info;

/* A stream for a sheet of ncols columns, deflated at zlib level `level`, its temporary
 * file in dir. Free with vpr_rows_free. Errors: VP_ERR_NOMEM, VP_ERR_IO. */
vp_status vpr_rows_new(xlsx_rows **out, const char *dir, size_t ncols, int level, vp_error *err);
/* Ends the current row (if any) and starts row number `row` (1-based, increasing). The
 * functions below return 0, or -1 once anything failed (vpr_rows_why says what). */
int vpr_rows_start(xlsx_rows *r, unsigned long row);
/* Cells of the current row; xf is the format's index (lxw_format_get_xf_index), 0: none.
 * A cell written twice keeps the last value. s is written as given (guard it first). */
int vpr_rows_text(xlsx_rows *r, size_t col, const char *s, int xf);
int vpr_rows_number(xlsx_rows *r, size_t col, double v, int xf);
int vpr_rows_bool(xlsx_rows *r, size_t col, int v, int xf);
/* Ends the last row and the deflate stream (on a byte boundary, no final block) and
 * rewinds the file for reading. */
int vpr_rows_finish(xlsx_rows *r);
/* 0, or the errno of the first failure: ENOMEM, EINVAL (a misuse: a bug), or the file's. */
int vpr_rows_failed(const xlsx_rows *r);
const char *vpr_rows_why(const xlsx_rows *r);
/* After vpr_rows_finish: the sizes and CRC, and the file positioned at the deflate data. */
const xlsx_rows_info *vpr_rows_info(const xlsx_rows *r);
FILE *vpr_rows_file(xlsx_rows *r);
void vpr_rows_free(xlsx_rows *r); /* NULL is allowed */

/* The sheet whose part is xl/worksheets/sheet<index+1>.xml, and its finished rows. */
typedef struct {
    unsigned index;
    xlsx_rows *rows;
} xlsx_splice;

/* Writes to out the zip libxlsxwriter wrote at path, with each sheet's rows spliced in
 * before its </sheetData> and its dimension widened to them (xlsx_splice.c). force64
 * gives every entry ZIP64 fields (tests; otherwise only sizes or offsets past 4 GB get
 * them). Errors: VP_ERR_IO (out; label names it), VP_ERR_NOMEM, VP_ERR_INTERNAL (the zip
 * or a sheet is not as libxlsxwriter writes them). */
vp_status vpr_xlsx_splice(const char *path, const xlsx_splice *sp, size_t n, int force64, FILE *out,
                          const char *label, vp_error *err);

typedef struct {
    lxw_workbook *wb;
    const vp_render_input *in;
    const char *tmpdir;                /* the render's private temporary directory */
    int rows_level;                    /* zlib level of the rows' deflate */
    int rows_via_lxw;                  /* tests: rows through libxlsxwriter, the reference */
    const vp_findings_header *hdr;
    const vpr_texts *texts;            /* templates/report/workbook.json */
    const vp_worm_catalog *worm;       /* built-in: the display name of every location (render/estate.h) */
    unsigned long max_rows;
    xlsx_formats f;
    vp_status status; /* first error; every later write is skipped */
    vp_error *err;
    xlsx_sheet_info sheets[XLSX_MAX_SHEETS];
    size_t sheet_count;
    lxw_worksheet *readme, *summary;
    vp_tally tally;                    /* every count printed (vaultproof/tally.h) */
    xlsx_exemption *exemptions;        /* hdr->exemption_count */
    size_t exemption_count;
    size_t findings_rows;              /* findings written */
    const vp_rule_record *last_rule;   /* the rule of the last finding written (findings come by rule) */
    /* When the snapshot's items are streamed (lazy_source), what the VM sheet's coverage
     * columns need of each item, kept while the item sheet goes by (sorted by id). */
    VP_VEC(struct xlsx_item_digest) digest;
    vp_arena *digest_strings;
    size_t vm_tag_keys, vm_tag_columns; /* distinct VM tag keys, and how many got a column */
    vpc_buf buf;                      /* scratch for joined values */
    vpc_buf guard;                    /* scratch of the cell writer */
    pthread_mutex_t *wb_lock;          /* while two threads write sheets: guards workbook-wide calls */
} xlsx_ctx;

/* Records the first error (later ones are dropped); returns x->status. */
vp_status vpr_xlsx_fail(xlsx_ctx *x, vp_status st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Checks a libxlsxwriter result: a failure is recorded as a bug (VP_ERR_INTERNAL) unless
 * it is a file error. Returns nonzero on error. */
int vpr_xlsx_check(xlsx_ctx *x, lxw_error e, const char *what);
/* Copies the finished workbook at path to fp (label names fp). Errors: VP_ERR_IO. */
vp_status vpr_xlsx_copy_out(const char *path, FILE *fp, const char *label, vp_error *err);

/* A population written over one or more sheets (xlsx_sheet.c). */
typedef struct {
    xlsx_ctx *x;
    const char *name;       /* sheet name of the first part, e.g. "Protected Items" */
    const char *const *headers; /* column headers (from cols, or given) */
    const xlsx_col *cols;
    size_t ncols;
    size_t expected;        /* population size: decides the parts */
    lxw_worksheet *ws;
    size_t first_info;      /* index into x->sheets of the first part (all parts follow it) */
    size_t info;            /* index into x->sheets of the current part */
    lxw_row_t row;          /* current row of the current part */
    size_t written;         /* data rows so far */
    int part, parts;
    double *width;          /* per column: widest content, in characters */
} xlsx_pop;

/* Starts a population of `expected` rows (the whole count must be known, so that every
 * part says where it belongs). headers may be NULL (the cols' headers are used). */
int vpr_xlsx_pop_begin(xlsx_pop *p, xlsx_ctx *x, const char *name, const xlsx_col *cols, const char *const *headers,
                   size_t ncols, size_t expected);
/* Moves to the next data row, starting the next part at the row limit. */
int vpr_xlsx_pop_row(xlsx_pop *p);
/* Cells of the current row; NULL text/time leaves the cell empty ("not reported"). */
void vpr_xlsx_text(xlsx_pop *p, size_t col, const char *s);
void vpr_xlsx_num(xlsx_pop *p, size_t col, double v);
void vpr_xlsx_bool(xlsx_pop *p, size_t col, int v);
void vpr_xlsx_time(xlsx_pop *p, size_t col, const char *rfc3339); /* or a plain yyyy-mm-dd */
void vpr_xlsx_vtext(xlsx_pop *p, size_t col, const vp_text *t);
void vpr_xlsx_vnum(xlsx_pop *p, size_t col, const vp_num *n);
/* Finishes the last part (filter, panes, widths, colours, defined name). */
int vpr_xlsx_pop_end(xlsx_pop *p);

/* Writes s as a text cell of any sheet, guarded; with the width tracked in w when not NULL. */
void vpr_xlsx_cell_text(xlsx_ctx *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *s, lxw_format *fmt,
                    double *w);
/* Excel serial date of an RFC 3339 time or yyyy-mm-dd, in UTC, with the time's fraction
 * of a second; -1 when not a time. */
double vpr_xlsx_serial(const char *s);
/* The number format that shows such a value: a date, a time to the second, or - when the
 * text has a fraction of a second - to the millisecond. */
lxw_format *vpr_xlsx_time_format(const xlsx_ctx *x, const char *s);
/* Counts of the characters s would show, for column widths. */
size_t vpr_xlsx_chars(const char *s);
/* Applies the palette's colours to rows first..last of a column. */
void vpr_xlsx_palette_apply(xlsx_ctx *x, lxw_worksheet *ws, lxw_row_t first, lxw_row_t last, lxw_col_t col,
                        xlsx_palette pal);
/* Sheet name quoted for formulas: 'Protected Items (2)'. */
void vpr_xlsx_sheet_ref(char *out, size_t size, const char *sheet);
/* Records a report sheet (no population) in the directory. */
lxw_worksheet *vpr_xlsx_add_report_sheet(xlsx_ctx *x, const char *name);

/* The workbook's texts (render/texts.h), by JSON pointer ("/title", "/sheets/Findings").
 * A missing text fails the render (VP_ERR_INTERNAL) and gives "", never a silently empty
 * cell. vpr_xlsx_t_fill fills "{name}" placeholders from vars (name, value, ..., NULL); the
 * result lives in x->buf. */
const char *vpr_xlsx_t(xlsx_ctx *x, const char *pointer);
int vpr_xlsx_t_exists(xlsx_ctx *x, const char *pointer);
const char *vpr_xlsx_t_fill(xlsx_ctx *x, const char *pointer, const char *const *vars);

/* The sheets (xlsx_findings.c, xlsx_estate.c, xlsx_collection.c, xlsx_summary.c, xlsx_readme.c). */
void vpr_xlsx_write_controls(xlsx_ctx *x);
/* The Rules sheet: each rule's title, severity and citations, looked up by the Findings
 * sheet's Rule column (a finding's citations are its rule's). */
void vpr_xlsx_write_rules(xlsx_ctx *x);
/* The Sample sheet, when in->sample is set (xlsx_sample.c). */
void vpr_xlsx_write_sample(xlsx_ctx *x);
void vpr_xlsx_write_findings(xlsx_ctx *x);
/* The Findings sheet in two steps, so that its rows can be written on a second thread
 * while the estate sheets are (xlsx.c): begin creates the sheet (call it where the
 * sheet belongs in the workbook), rows writes every row and ends the population. */
int vpr_xlsx_findings_begin(xlsx_ctx *x, xlsx_pop *p);
void vpr_xlsx_findings_rows(xlsx_ctx *x, xlsx_pop *p);
void vpr_xlsx_write_exemptions(xlsx_ctx *x);
void vpr_xlsx_write_exempted(xlsx_ctx *x);
/* Exceptions (every failing finding with owner and first seen) and Remediation (once
 * per rule with failing findings): xlsx_findings.c. */
void vpr_xlsx_write_exceptions(xlsx_ctx *x);
void vpr_xlsx_write_remediation(xlsx_ctx *x);
void vpr_xlsx_write_vaults(xlsx_ctx *x);
void vpr_xlsx_write_policies(xlsx_ctx *x);
void vpr_xlsx_write_items(xlsx_ctx *x);
void vpr_xlsx_write_vms(xlsx_ctx *x); /* xlsx_vms.c */
void vpr_xlsx_write_engines(xlsx_ctx *x);        /* xlsx_guards.c */
void vpr_xlsx_write_guards(xlsx_ctx *x);         /* xlsx_guards.c */
void vpr_xlsx_write_deleted_vaults(xlsx_ctx *x); /* xlsx_guards.c */
void vpr_xlsx_write_regions(xlsx_ctx *x);
void vpr_xlsx_write_changes(xlsx_ctx *x); /* xlsx_changes.c: with a period only */
void vpr_xlsx_write_collection(xlsx_ctx *x);
void vpr_xlsx_write_access(xlsx_ctx *x); /* xlsx_access.c */
void vpr_xlsx_write_period(xlsx_ctx *x); /* xlsx_period.c: Jobs, Failures, Restore Tests (with in->timeline) */
void vpr_xlsx_write_summary(xlsx_ctx *x);
void vpr_xlsx_write_readme(xlsx_ctx *x);

/* The name of a vault by id, or the id itself when it is not in the snapshot. */
const char *vpr_xlsx_vault_name(const vp_snapshot *s, const char *vault_id);

/* An item as the VM sheet's coverage columns see it (xlsx_estate.c). */
typedef struct xlsx_item_digest {
    const char *id, *vault_name;
    const char *policy_name;      /* as the item's row shows it (render/estate.h), never NULL */
    const char *protection_state; /* NULL: absent */
} xlsx_item_digest;
/* Records it (only when the snapshot's items are streamed); returns nonzero on failure. */
int vpr_xlsx_digest_add(xlsx_ctx *x, const vp_item *it);
/* The digest of the item with this id (ignoring case), or NULL. */
const xlsx_item_digest *vpr_xlsx_digest_find(const xlsx_ctx *x, const char *id);
void vpr_xlsx_digest_free(xlsx_ctx *x);
/* The roll-up of docs/findings-format.md ("fail", "incomplete", "pass with warnings", ...). */
const char *vpr_xlsx_result_of(const size_t counts[VP_STATUS_COUNT]);

#endif
