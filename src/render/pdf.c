/* vp_render_pdf: the evidence report, laid out with libharu.
 *
 * Order of work (see pdf_internal.h for why): cover and contents page; the exceptions,
 * in one streaming pass over the findings that also tallies what the summary needs;
 * then scope, summary, control matrices and vaults, inserted before the exceptions;
 * then population and appendix at the end; finally page numbers, contents and outline.
 *
 * The file is a clean single revision that a later incremental update can sign: no
 * encryption, no /ID, no annotations; the only clock in it is the run's (CreationDate). */
#include <errno.h>
#include <hpdf_doc.h>
#include <hpdf_streams.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "render/pdf_cmap.h"
#include "render/pdf_internal.h"
#include "vaultproof/version.h"

/* ---- errors and small helpers ---- */

static void on_hpdf_error(HPDF_STATUS code, HPDF_STATUS detail, void *user)
{
    pdf_ctx *c = user;
    if (!c->hpdf_status) { /* the first error is the cause; later ones follow from it */
        c->hpdf_status = code;
        c->hpdf_detail = detail;
    }
}

vp_status vpr_pdf_fail(pdf_ctx *c, vp_status status, const char *fmt, ...)
{
    if (c->status)
        return c->status;
    char msg[VP_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    c->status = status;
    return vp_error_set(c->err, status, "%s", msg);
}

void vpr_pdf_nomem(pdf_ctx *c)
{
    vpr_pdf_fail(c, VP_ERR_NOMEM, "out of memory while laying out %s", c->label);
}

/* Turns a recorded libharu error into ours; returns nonzero when layout must stop. */
int vpr_pdf_failed(pdf_ctx *c)
{
    if (c->hpdf_status && !c->status) {
        if (c->hpdf_status == HPDF_FAILD_TO_ALLOC_MEM)
            vpr_pdf_nomem(c);
        else
            vpr_pdf_fail(c, VP_ERR_INTERNAL, "laying out %s: libharu error 0x%04X (detail %u)", c->label,
                     (unsigned)c->hpdf_status, (unsigned)c->hpdf_detail);
    }
    return c->status != VP_OK;
}

const char *vpr_pdf_nz(const char *s)
{
    return s ? s : "";
}

char *vpr_pdf_strdup(pdf_ctx *c, const char *s)
{
    char *d = vpc_arena_strdup(&c->arena, s ? s : "");
    if (!d)
        vpr_pdf_nomem(c);
    return d ? d : "";
}

char *vpr_pdf_printf(pdf_ctx *c, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return "";
    if ((size_t)n < sizeof small)
        return vpr_pdf_strdup(c, small);
    char *big = vpc_arena_alloc(&c->arena, (size_t)n + 1);
    if (!big) {
        vpr_pdf_nomem(c);
        return "";
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return big;
}

/* 12345 -> "12,345" (in the arena: never called per finding). */
const char *vpr_pdf_count(pdf_ctx *c, size_t n)
{
    char digits[32], out[48];
    int len = snprintf(digits, sizeof digits, "%zu", n), o = 0;
    for (int i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = 0;
    return vpr_pdf_strdup(c, out);
}

const char *vpr_pdf_status_label(int status)
{
    static const char *const labels[VP_STATUS_COUNT] = {"PASS", "WARN", "FAIL", "N/A", "EXEMPT", "INCOMPLETE"};
    return status >= 0 && status < VP_STATUS_COUNT ? labels[status] : "?";
}

int vpr_pdf_result_status(const char *result)
{
    int s = vp_finding_status_parse(result);
    if (s >= 0)
        return s;
    if (result && !strcmp(result, "pass with warnings"))
        return VP_WARN;
    if (result && !strcmp(result, "pass with exemptions"))
        return VP_EXEMPT;
    return -1;
}

int vpr_pdf_buf_reserve(pdf_ctx *c, pdf_buf *b, size_t more)
{
    if (vpc_buf_reserve(b, more) == 0)
        return 0;
    vpr_pdf_nomem(c);
    return -1;
}

void vpr_pdf_buf_add(pdf_ctx *c, pdf_buf *b, const char *s, size_t n)
{
    if (vpc_buf_add(b, s, n))
        vpr_pdf_nomem(c);
}

/* ---- texts ---- */

const char *vpr_pdf_t(pdf_ctx *c, const char *pointer)
{
    const char *s = vpr_texts_string(c->texts, pointer);
    if (s)
        return s;
    if (!c->status)
        vpr_pdf_fail(c, VP_ERR_INTERNAL, "%s: no text at %s", vpr_texts_label(c->texts), pointer);
    return "";
}

const char *vpr_pdf_tf(pdf_ctx *c, const char *pointer, const char *const *vars)
{
    const char *s = vpr_texts_fill(&c->fmt, vpr_pdf_t(c, pointer), vars);
    if (c->fmt.nomem)
        vpr_pdf_nomem(c);
    return s;
}

/* ---- setting up ---- */

static vp_status check_inputs(pdf_ctx *c)
{
    const vp_render_input *in = c->in;
    if (!in->snapshot || !in->findings)
        return vpr_pdf_fail(c, VP_ERR_INTERNAL, "render: a snapshot and findings are both required");
    c->hdr = vp_findings_file_header(in->findings);
    if (in->snapshot_sha256 && c->hdr->snapshot_sha256 && strcasecmp(in->snapshot_sha256, c->hdr->snapshot_sha256))
        return vpr_pdf_fail(c, VP_ERR_INPUT,
                        "%s: the findings were evaluated on a snapshot with SHA-256 %s, but %s has SHA-256 %s: "
                        "expected the snapshot the findings were made from",
                        vpr_pdf_nz(in->findings_label), c->hdr->snapshot_sha256, vpr_pdf_nz(in->snapshot_label),
                        in->snapshot_sha256);
    return VP_OK;
}

static void prepare_strings(pdf_ctx *c)
{
    const vp_render_input *in = c->in;
    const vp_findings_header *h = c->hdr;
    vp_time_format(in->clock.epoch, c->now, sizeof c->now);
    snprintf(c->as_of, sizeof c->as_of, "%s", h->as_of ? h->as_of : vpr_pdf_nz(h->snapshot_generated_at));
    c->title = h->report_title && *h->report_title ? h->report_title : vpr_pdf_t(c, "/document/title");
    c->header_left = h->organization && *h->organization
                         ? vpr_pdf_printf(c, "%s \xE2\x80\x94 %s", h->organization, c->title)
                         : c->title;
    int n = in->period && *in->period ? snprintf(c->period, sizeof c->period, "Period %s", in->period)
                                      : snprintf(c->period, sizeof c->period, "As of %s", c->as_of);
    if (in->request_id && *in->request_id && n > 0 && (size_t)n < sizeof c->period)
        snprintf(c->period + n, sizeof c->period - (size_t)n, " \xC2\xB7 request %s", in->request_id);
    c->population_limit = in->population_limit ? in->population_limit : VP_PDF_POPULATION_LIMIT;
}

/* Measured once the fonts are loaded: the running header gives the rest to the title. */
static void measure_header(pdf_ctx *c)
{
    c->tmp.len = 0;
    size_t off = vpr_pdf_sanitize(c, PF_SANS, c->period, &c->tmp, 0);
    c->period_width = vpr_pdf_width(c, PF_SANS, 7.5f, c->tmp.s + off, c->tmp.len - off);
}

/* Info strings go through the sanitizer too: libharu converts them to UTF-16 and must
 * not see invalid UTF-8. */
static void info(pdf_ctx *c, HPDF_InfoType type, const char *value)
{
    c->tmp.len = 0;
    size_t off = vpr_pdf_sanitize(c, PF_SANS, value, &c->tmp, 0);
    HPDF_SetInfoAttr(c->doc, type, c->tmp.s + off);
}

static void document_info(pdf_ctx *c)
{
    const char *vars[] = {"period", c->period, "organization", vpr_pdf_nz(c->hdr->organization), NULL};
    size_t replaced = c->replaced; /* metadata is not drawn: do not count it */
    info(c, HPDF_INFO_TITLE, c->title);
    info(c, HPDF_INFO_AUTHOR, c->hdr->organization ? c->hdr->organization : "vaultproof");
    info(c, HPDF_INFO_SUBJECT, vpr_pdf_tf(c, "/document/subject", vars));
    info(c, HPDF_INFO_KEYWORDS, vpr_pdf_t(c, "/document/keywords"));
    info(c, HPDF_INFO_CREATOR, vpr_pdf_printf(c, "vaultproof %s", vp_version()));
    c->replaced = replaced;
    time_t t = (time_t)c->in->clock.epoch;
    struct tm tm;
    gmtime_r(&t, &tm);
    HPDF_Date d = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, 'Z', 0, 0};
    HPDF_SetInfoDateAttr(c->doc, HPDF_INFO_CREATION_DATE, d);
    HPDF_SetPageMode(c->doc, HPDF_PAGE_MODE_USE_OUTLINE);
}

static void layout(pdf_ctx *c)
{
    c->phase = PH_FRONT;
    vpr_pdf_cover(c);
    vpr_pdf_contents_reserve(c);
    c->phase = PH_FINDINGS;
    vpr_pdf_exceptions(c);
    c->phase = PH_BODY;
    c->insert_before = c->pages[PH_FINDINGS].n ? c->pages[PH_FINDINGS].v[0] : NULL;
    vpr_pdf_scope(c);
    vpr_pdf_summary(c);
    vpr_pdf_controls(c);
    vpr_pdf_vaults(c);
    vpr_pdf_period(c);
    vpr_pdf_changes(c);
    c->phase = PH_BACK;
    vpr_pdf_population(c);
    vpr_pdf_appendix(c);
    vpr_pdf_failed(c);
    vpr_pdf_finish_pages(c);
    vpr_pdf_failed(c);
}

static void warn_glyphs(pdf_ctx *c)
{
    if (!c->replaced || !c->in->warn)
        return;
    char msg[512];
    int n = snprintf(msg, sizeof msg,
                     "%s: %zu character(s) have no glyph in the embedded fonts and are shown as the replacement "
                     "character",
                     c->label, c->replaced);
    for (size_t i = 0; i < c->missing_count && n > 0 && (size_t)n < sizeof msg; i++)
        n += snprintf(msg + n, sizeof msg - (size_t)n, "%sU+%04X", i ? ", " : " (", c->missing[i]);
    if (c->missing_count && n > 0 && (size_t)n < sizeof msg - 2)
        snprintf(msg + n, sizeof msg - (size_t)n, ")");
    c->in->warn(c->in->warn_ctx, msg);
}

/* The UTF-8 fonts' ToUnicode CMaps as libharu writes them are invalid (pdf_cmap.h);
 * they are replaced in libharu's objects, before it saves, so that it still compresses,
 * numbers and indexes everything itself. Bold may be the regular font: fix each once. */
static vp_status fix_cmaps(pdf_ctx *c)
{
    for (int i = 0; i < PF_COUNT && !c->status; i++) {
        int seen = 0;
        for (int j = 0; j < i; j++)
            seen |= c->font[j].uni == c->font[i].uni;
        if (!seen)
            c->status = vpr_pdf_cmap_fix(c->font[i].uni, c->label, c->err);
    }
    return c->status;
}

/* libharu's public API saves into its own memory stream (the whole report, 306 MB at a
 * million items, held beside every page) or to a path, and our output is a stream.
 * HPDF_SaveToStream saves into whatever stream the document holds and empties only a
 * memory stream first, so a callback writer placed there sends each write straight to
 * fp. Its offsets are libharu's own count of what it wrote, as for a memory stream, so
 * the bytes are the same. */
typedef struct {
    FILE *fp;
    int err; /* errno of the first failed write */
} save_sink;

static HPDF_STATUS save_write(HPDF_Stream stream, const HPDF_BYTE *ptr, HPDF_UINT siz)
{
    save_sink *s = stream->attr;
    if (s->err)
        return HPDF_FILE_IO_ERROR;
    errno = 0;
    if (siz && fwrite(ptr, 1, siz, s->fp) != siz) {
        s->err = errno ? errno : EIO;
        return HPDF_FILE_IO_ERROR;
    }
    return HPDF_OK;
}

static vp_status write_out(pdf_ctx *c, FILE *fp)
{
    if (fix_cmaps(c) != VP_OK || vpr_pdf_failed(c))
        return c->status;
    /* every page parked, and their streams made ahead of libharu's save (pdf_hold.h) */
    if ((c->status = vpr_pdf_hold_save_begin(c->hold, c->err)) != VP_OK)
        return c->status;
    save_sink sink = {fp, 0};
    /* the document is saved once, so it holds no stream of its own yet */
    if (!(c->doc->stream = HPDF_CallbackWriter_New(c->doc->mmgr, save_write, &sink)))
        return vpr_pdf_failed(c) ? c->status : vpr_pdf_fail(c, VP_ERR_NOMEM, "out of memory");
    HPDF_STATUS saved = HPDF_SaveToStream(c->doc);
    vpr_pdf_hold_save_end(c->hold);
    HPDF_Stream_Free(c->doc->stream); /* it points to sink */
    c->doc->stream = NULL;
    if (sink.err) /* before libharu's view: its code says only that a write failed */
        return vpr_pdf_fail(c, VP_ERR_IO, "cannot write %s: %s", c->label, strerror(sink.err));
    if (saved != HPDF_OK && (c->status = vpr_pdf_hold_status(c->hold, c->err)) != VP_OK)
        return c->status; /* what failed while libharu took a page back: more than its code says */
    if (saved != HPDF_OK || vpr_pdf_failed(c))
        return vpr_pdf_failed(c) ? c->status : vpr_pdf_fail(c, VP_ERR_INTERNAL, "%s: libharu could not save", c->label);
    if (fflush(fp) != 0 || ferror(fp))
        return vpr_pdf_fail(c, VP_ERR_IO, "cannot write %s", c->label);
    return VP_OK;
}

static void cleanup(pdf_ctx *c)
{
    vpr_pdf_hold_save_end(c->hold); /* its thread reads the pages */
    if (c->doc)
        HPDF_Free(c->doc);
    vpr_pdf_hold_free(c->hold); /* after the document: its pages' records point to it */
    for (int i = 0; i < PF_COUNT; i++)
        if (i == PF_SANS || c->font[i].adv != c->font[PF_SANS].adv)
            free(c->font[i].adv);
    for (int p = 0; p < PH_COUNT; p++)
        free(c->pages[p].v);
    free(c->order);
    free(c->marks.v);
    vpc_buf_free(&c->fmt);
    vpc_buf_free(&c->row);
    vpc_buf_free(&c->draw);
    vpc_buf_free(&c->tmp);
    vpc_buf_free(&c->text);
    free(c->lines.v);
    vp_tally_free(&c->tally);
    free(c->exemptions.v);
    free(c->item_order);
    free(c->item_start);
    free(c->policy_order);
    free(c->policy_start);
    vpr_texts_free(c->texts);
    vp_worm_catalog_free(c->worm);
    vpc_arena_free(&c->arena);
}

/* libharu puts every page under one page-tree node, whose Kids array it caps at 32,767
 * entries (HPDF_LIMIT_MAX_ARRAY): a report listing the exceptions of about a million
 * items has more pages than that and failed with error 0x1001. Reports whose lists are
 * that long get a two-level tree (nodes of PDF_PAGES_PER_NODE pages); the tree can only
 * be chosen before the first page, so the choice is made from the findings' counts. A
 * report below the threshold (about 15,000 pages at ~26 compact rows a page) keeps the
 * one-node tree, and so the bytes it always had. */
#define PDF_DEEP_TREE_ROWS 400000
#define PDF_PAGES_PER_NODE 4096

static int needs_deep_page_tree(const pdf_ctx *c)
{
    const size_t *n = c->hdr->counts;
    size_t limit = c->in->deep_page_tree_rows ? c->in->deep_page_tree_rows : PDF_DEEP_TREE_ROWS;
    return n[VP_FAIL] + n[VP_WARN] + n[VP_INCOMPLETE] + n[VP_EXEMPT] > limit;
}

vp_status vp_render_pdf(const vp_render_input *in, FILE *fp, const char *label, vp_error *err)
{
    if (in && in->snapshot && in->snapshot->lazy_source)
        return vp_error_set(err, VP_ERR_INTERNAL, "PDF: the report needs the whole snapshot; %s was read lazily",
                            in->snapshot->lazy_source);
    pdf_ctx c;
    memset(&c, 0, sizeof c);
    c.in = in;
    c.snap = in->snapshot;
    c.ff = in->findings;
    c.err = err;
    c.label = label ? label : "the PDF report";
    vp_error_clear(err);
    if (check_inputs(&c) == VP_OK && (c.status = vpr_texts_load(VPR_TEXTS_REPORT, &c.texts, err)) == VP_OK &&
        (c.status = vp_worm_catalog_builtin(&c.worm, err)) == VP_OK) {
        c.doc = HPDF_New(on_hpdf_error, &c);
        if (!c.doc)
            vpr_pdf_nomem(&c);
        else
            c.status = vpr_pdf_hold_new(&c.hold, err);
    }
    if (!c.status) {
        HPDF_SetCompressionMode(c.doc, HPDF_COMP_ALL);
        if (needs_deep_page_tree(&c))
            HPDF_SetPagesConfiguration(c.doc, PDF_PAGES_PER_NODE);
        if (vpr_pdf_fonts_load(&c) == VP_OK && vpr_pdf_shared_resources(&c) == VP_OK) {
            prepare_strings(&c);
            measure_header(&c);
            document_info(&c);
            if (vpr_pdf_index_snapshot(&c) == VP_OK)
                layout(&c);
        }
    }
    if (!c.status)
        warn_glyphs(&c);
    if (!c.status)
        write_out(&c, fp);
    vp_status st = c.status;
    cleanup(&c);
    return st;
}
