/* The PDF report (vp_render_pdf), internal to src/render/pdf*.c.
 *
 * Layout is streaming: rows are measured, drawn and forgotten; nothing is stored per
 * finding or per item beyond small per-vault tallies. libharu keeps every page's content
 * until the document is saved, which is what lets footers ("page N of M"), the contents
 * page and the outline be written after the last page is known, and lets sections that
 * need the findings pass (summary, per-vault tallies, exemption register) be laid out
 * after it and inserted before the exceptions (HPDF_InsertPage).
 *
 * Pages belong to a phase; the document order is the phase order, whatever the order in
 * which the phases were laid out (front, then findings, then body, then back). */
#ifndef VP_RENDER_PDF_INTERNAL_H
#define VP_RENDER_PDF_INTERNAL_H

#include <hpdf.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/vec.h"
#include "render/pdf_hold.h"
#include "render/texts.h"
#include "vaultproof/json.h"
#include "vaultproof/render.h"
#include "vaultproof/tally.h"
#include "vaultproof/worm.h"

/* A4 portrait, in points. */
#define PDF_PAGE_W 595.276f
#define PDF_PAGE_H 841.89f
#define PDF_LEFT 48.0f
#define PDF_RIGHT (PDF_PAGE_W - 48.0f)
#define PDF_WIDTH (PDF_RIGHT - PDF_LEFT)
#define PDF_TOP (PDF_PAGE_H - 64.0f)   /* content starts below the running header */
#define PDF_BOTTOM 54.0f               /* and ends above the footer */

#define PDF_BODY_SIZE 8.5f
#define PDF_TABLE_SIZE 7.0f
#define PDF_MAX_PARTS 6
#define PDF_MAX_COLS 12

enum { PF_SANS, PF_BOLD, PF_MONO, PF_COUNT };
enum { PA_LEFT, PA_RIGHT, PA_CENTER };
/* Document order of the phases. */
enum { PH_FRONT, PH_BODY, PH_FINDINGS, PH_BACK, PH_COUNT };

typedef struct {
    float r, g, b;
} pdf_rgb;

extern const pdf_rgb vpr_pdf_ink, vpr_pdf_muted, vpr_pdf_accent, vpr_pdf_rule, vpr_pdf_head_fill, vpr_pdf_zebra, vpr_pdf_white;

/* The PDF's scratch text buffers are core's buffer; vpr_pdf_buf_add/_reserve record running
 * out of memory as the renderer's error. */
typedef vpc_buf pdf_buf;

typedef struct {
    size_t off, len;         /* into the buffer the text was sanitized into */
    unsigned char ellipsis;  /* the text continues: draw "…" after the line */
} pdf_line;

typedef VP_VEC(pdf_line) pdf_lines;

typedef struct {
    HPDF_Font uni, ansi; /* the same font program: UTF-8 (2 bytes per glyph) and WinAnsi (1 byte) */
    HPDF_FontDef def;
    short *adv;          /* per BMP code point: advance in 1/1000 em; -1 unknown, -2 no glyph */
    unsigned replacement;
} pdf_font;

/* A bookmark, and an entry of the contents page when toc is set. */
typedef struct {
    const char *title;
    int level, phase, toc;
    size_t seq;
    HPDF_Page page;
    float y;
} pdf_mark;

/* A column. Its values are never cut: a value wider than the column wraps (at a space or
 * an id's separator, else anywhere) and the row grows (pdf_table.c). */
typedef struct {
    const char *title; /* NULL: no header row */
    float width;
    int font, align;
} pdf_col;

typedef struct {
    const pdf_col *cols;
    size_t ncols;
    float size;
    size_t rows;
    int no_rules;      /* no hairline under each row */
} pdf_table;

/* One paragraph of a cell: a finding's cell holds rule, resource, id, ... */
typedef struct {
    const char *text;
    int font;          /* -1: the column's */
    int status;        /* >= 0: a status marker (vp_finding_status) before the text */
    const pdf_rgb *color;
    float size;        /* 0: the table's */
} pdf_part;

typedef struct {
    pdf_part parts[PDF_MAX_PARTS];
    size_t nparts;
} pdf_cell;

/* An exemption as listed by exemption.valid findings (the register in force). */
typedef struct {
    const char *id, *name, *status, *observed, *note;
} pdf_exemption;

typedef struct pdf_ctx {
    HPDF_Doc doc;
    const vp_render_input *in;
    const vp_snapshot *snap;
    vp_findings_file *ff;
    const vp_findings_header *hdr;
    const char *label;
    vp_error *err;
    vp_status status;                  /* first error: layout stops once set */
    HPDF_STATUS hpdf_status, hpdf_detail;
    pdf_font font[PF_COUNT];
    HPDF_Encoder utf8;
    vpr_texts *texts;                  /* templates/report/report.json */
    vp_worm_catalog *worm;             /* built-in: the display name of every location (render/estate.h) */
    vp_arena arena;
    size_t population_limit;
    char now[32], as_of[40], period[160];
    const char *title, *header_left;
    float period_width;

    vpr_pdf_hold *hold;                /* page contents held deflated until saved (pdf_hold.h) */
    HPDF_Dict resources, page_fonts;   /* the one /Resources every page points to, and its /Font
                                          (vpr_pdf_shared_resources) */
    VP_VEC(HPDF_Page) pages[PH_COUNT];
    HPDF_Page *order;                  /* every page in document order (after layout) */
    size_t page_total;
    int phase;
    HPDF_Page page, insert_before;
    float y;
    HPDF_Font cur_font;                /* per-page caches of what was last set */
    float cur_size;
    int fill_set;
    pdf_rgb fill;
    const pdf_table *table;            /* table in progress: its header repeats on new pages */

    VP_VEC(pdf_mark) marks;
    size_t mark_seq;

    pdf_buf fmt, row, draw, tmp, text;
    pdf_lines lines;
    size_t replaced;                   /* characters drawn as the replacement glyph */
    unsigned missing[8];
    size_t missing_count;

    vp_tally tally;                       /* every count printed (vaultproof/tally.h) */
    /* from the findings pass */
    VP_VEC(pdf_exemption) exemptions;
    size_t exceptions;                    /* fail + warn + incomplete: the Exceptions list */
    int compact;                          /* the list being laid out is in compact rows */
    /* snapshot indexes: items and policies grouped by vault (counting sort) */
    size_t *item_order, *item_start, *policy_order, *policy_start;
} pdf_ctx;

/* pdf.c */
int vpr_pdf_failed(pdf_ctx *c);
vp_status vpr_pdf_fail(pdf_ctx *c, vp_status status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void vpr_pdf_nomem(pdf_ctx *c);
char *vpr_pdf_strdup(pdf_ctx *c, const char *s);
char *vpr_pdf_printf(pdf_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *vpr_pdf_nz(const char *s);
const char *vpr_pdf_count(pdf_ctx *c, size_t n); /* "12,345" */
const char *vpr_pdf_status_label(int status);    /* "PASS" ... */
int vpr_pdf_result_status(const char *result);   /* "pass with warnings" -> VP_WARN; -1 unknown */
int vpr_pdf_buf_reserve(pdf_ctx *c, pdf_buf *b, size_t more);
void vpr_pdf_buf_add(pdf_ctx *c, pdf_buf *b, const char *s, size_t n);

/* pdf_text.c: glyph coverage, measuring, wrapping and drawing one line */
vp_status vpr_pdf_fonts_load(pdf_ctx *c);
size_t vpr_pdf_sanitize(pdf_ctx *c, int font, const char *text, pdf_buf *out, int keep_newlines);
float vpr_pdf_width(pdf_ctx *c, int font, float size, const char *s, size_t len);
size_t vpr_pdf_wrap(pdf_ctx *c, int font, float size, const pdf_buf *b, size_t off, size_t len, float width,
                size_t max_lines, pdf_lines *out);
void vpr_pdf_draw(pdf_ctx *c, int font, float size, float x, float y, const char *s, size_t len, int ellipsis);
void vpr_pdf_text(pdf_ctx *c, int font, float size, float x, float y, const char *text, const pdf_rgb *color);
void vpr_pdf_text_wrap(pdf_ctx *c, int font, float size, float x, float y, float width, size_t max_lines, const char *text);
void vpr_pdf_text_fit(pdf_ctx *c, int font, float size, float x, float y, float width, int align, const char *text);

/* pdf_layout.c: pages, running header, headings and bookmarks, paragraphs, markers */
void vpr_pdf_use_page(pdf_ctx *c, HPDF_Page page);
void vpr_pdf_new_page(pdf_ctx *c);
/* One /Resources object for every page, naming every font once, in a fixed order, and one
 * /MediaBox on the root of the page tree: libharu gives each page its own (a /ProcSet of
 * five names, a /Font dictionary naming fonts in the order the page first uses them, a
 * box of four numbers), about 2.5 KB of objects per page held until the save, 250 MB at
 * a million items. After the fonts are loaded, before the first page. */
vp_status vpr_pdf_shared_resources(pdf_ctx *c);
int vpr_pdf_need(pdf_ctx *c, float height);
void vpr_pdf_fill(pdf_ctx *c, const pdf_rgb *rgb);
void vpr_pdf_stroke(pdf_ctx *c, const pdf_rgb *rgb, float width);
void vpr_pdf_rect(pdf_ctx *c, float x, float y, float w, float h, const pdf_rgb *fill);
void vpr_pdf_hline(pdf_ctx *c, float x0, float x1, float y, const pdf_rgb *rgb, float width);
void vpr_pdf_mark_add(pdf_ctx *c, int level, const char *title, int toc);
void vpr_pdf_section(pdf_ctx *c, const char *title);
void vpr_pdf_heading(pdf_ctx *c, int level, const char *title, int toc);
void vpr_pdf_para(pdf_ctx *c, int font, float size, const pdf_rgb *color, const char *text);
void vpr_pdf_gap(pdf_ctx *c, float points);
void vpr_pdf_marker(pdf_ctx *c, int status, float x, float y, float size);
const pdf_rgb *vpr_pdf_status_color(int status);
void vpr_pdf_finish_pages(pdf_ctx *c);

/* pdf_table.c */
void vpr_pdf_table_begin(pdf_ctx *c, pdf_table *t, const pdf_col *cols, size_t ncols, float size);
void vpr_pdf_table_row(pdf_ctx *c, pdf_table *t, const pdf_cell *cells);
void vpr_pdf_table_strings(pdf_ctx *c, pdf_table *t, const char *const *cells);
void vpr_pdf_table_end(pdf_ctx *c, pdf_table *t);
void vpr_pdf_kv(pdf_ctx *c, pdf_table *t, const char *key, const char *value, int value_font);
void vpr_pdf_kv_begin(pdf_ctx *c, pdf_table *t, pdf_col cols[2], float key_width);
pdf_cell vpr_pdf_cell_text(const char *text);

/* pdf.c: the report's texts (render/texts.h), by JSON pointer. A missing text is a bug in
 * the template, reported once as an internal error naming the pointer. vpr_pdf_tf fills
 * "{name}" placeholders from vars (name, value, ..., NULL) into c->fmt: valid until the
 * next call. */
const char *vpr_pdf_t(pdf_ctx *c, const char *pointer);
const char *vpr_pdf_tf(pdf_ctx *c, const char *pointer, const char *const *vars);
/* pdf_back.c: what the report says of the workbook's SHA-256 (it renders alongside the
 * workbook, so it never knows it): where a bundle records it, or that it is not here. */
const char *vpr_pdf_workbook_sha256(pdf_ctx *c);

/* pdf_charts.c */
void vpr_pdf_chart_stacked(pdf_ctx *c, const char *const *labels, const size_t (*counts)[VP_STATUS_COUNT], size_t n);
void vpr_pdf_chart_bars(pdf_ctx *c, const char *const *labels, const size_t *values, size_t n, const char *unit);
void vpr_pdf_legend(pdf_ctx *c);

/* sections */
void vpr_pdf_cover(pdf_ctx *c);
void vpr_pdf_contents_reserve(pdf_ctx *c);
void vpr_pdf_contents_fill(pdf_ctx *c);
void vpr_pdf_scope(pdf_ctx *c);
void vpr_pdf_summary(pdf_ctx *c);
void vpr_pdf_period(pdf_ctx *c); /* pdf_period.c: with render --jobs */
void vpr_pdf_controls(pdf_ctx *c);
vp_status vpr_pdf_index_snapshot(pdf_ctx *c);
void vpr_pdf_vaults(pdf_ctx *c);
void vpr_pdf_exceptions(pdf_ctx *c);
void vpr_pdf_population(pdf_ctx *c);
/* pdf_estate.c: backup engines, resource guards and soft-deleted vaults, after the items */
void vpr_pdf_population_estate(pdf_ctx *c);
/* pdf_back.c: "2026-09-29\n22:01:07" of an RFC 3339 time (a table cell: date above time,
 * to the second); a dash for NULL */
const char *vpr_pdf_time(pdf_ctx *c, const char *rfc3339);
void vpr_pdf_appendix(pdf_ctx *c);
void vpr_pdf_changes(pdf_ctx *c); /* pdf_changes.c: with a period only */

#endif
