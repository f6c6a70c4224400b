/* vp_render_xlsx: the evidence workbook auditors test completeness and accuracy with
 * and draw samples from.
 *
 * libxlsxwriter writes to a file name, so the workbook is built in a private temporary
 * directory (which also holds the sheets' row files); its zip is then written to the
 * caller's stream with the population sheets' rows spliced in (xlsx_splice.c), and the
 * directory is removed whatever happens. Same inputs and pinned clock, same bytes: the
 * document's creation time is the run's clock, and zip entries carry libxlsxwriter's
 * fixed 1980 date. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "render/xlsx_internal.h"
#include "vaultproof/version.h"

static void make_formats(xlsx_ctx *x)
{
    static const struct {
        lxw_color_t bg, fg;
    } styles[XS_STYLES] = {
        [XS_GOOD] = {0xC6EFCE, 0x006100}, [XS_WARN] = {0xFFEB9C, 0x9C5700}, [XS_BAD] = {0xFFC7CE, 0x9C0006},
        [XS_ORANGE] = {0xFCE4D6, 0x833C0B}, [XS_INFO] = {0xDDEBF7, 0x1F4E78}, [XS_GREY] = {0xEDEDED, 0x595959},
    };
    xlsx_formats *f = &x->f;
    f->header = workbook_add_format(x->wb);
    format_set_bold(f->header);
    format_set_bg_color(f->header, 0xD9E1F2);
    format_set_bottom(f->header, LXW_BORDER_THIN);
    f->title = workbook_add_format(x->wb);
    format_set_bold(f->title);
    format_set_font_size(f->title, 16);
    f->heading = workbook_add_format(x->wb);
    format_set_bold(f->heading);
    format_set_font_size(f->heading, 12);
    f->label = workbook_add_format(x->wb);
    format_set_bold(f->label);
    format_set_align(f->label, LXW_ALIGN_VERTICAL_TOP);
    f->wrap = workbook_add_format(x->wb);
    format_set_text_wrap(f->wrap);
    format_set_align(f->wrap, LXW_ALIGN_VERTICAL_TOP);
    f->date = workbook_add_format(x->wb);
    format_set_num_format(f->date, "yyyy-mm-dd");
    format_set_align(f->date, LXW_ALIGN_LEFT);
    f->time = workbook_add_format(x->wb);
    format_set_num_format(f->time, "yyyy-mm-dd hh:mm:ss");
    format_set_align(f->time, LXW_ALIGN_LEFT);
    /* a time the API gave with a fraction of a second keeps it, to Excel's millisecond */
    f->time_ms = workbook_add_format(x->wb);
    format_set_num_format(f->time_ms, "yyyy-mm-dd hh:mm:ss.000");
    format_set_align(f->time_ms, LXW_ALIGN_LEFT);
    for (int s = 0; s < XS_STYLES; s++) {
        f->status[s] = workbook_add_format(x->wb);
        format_set_bg_color(f->status[s], styles[s].bg);
        format_set_font_color(f->status[s], styles[s].fg);
    }
    /* libxlsxwriter numbers a format in a workbook-wide table the first time a cell or a
     * conditional format uses it. Numbering them all now, in this fixed order, makes that
     * table read-only while two threads write sheets, and keeps the bytes the same. */
    lxw_format *cell_formats[] = {f->header, f->title, f->heading, f->label, f->wrap, f->date, f->time, f->time_ms};
    for (size_t i = 0; i < sizeof cell_formats / sizeof cell_formats[0]; i++)
        lxw_format_get_xf_index(cell_formats[i]);
    for (int s = 0; s < XS_STYLES; s++)
        lxw_format_get_dxf_index(f->status[s]);
}

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

/* Title, subject, author, company and creation time: the creation time is the pinned
 * clock, so the document properties never make two renders differ. */
static void set_properties(xlsx_ctx *x)
{
    const vp_render_input *in = x->in;
    char author[64], subject[512], comments[512];
    lxw_doc_properties props = {0};
    snprintf(author, sizeof author, "vaultproof %s", vp_version());
    snprintf(subject, sizeof subject, "%s%s%s", vpr_xlsx_t(x, "/subject"), in->period ? ", " : "",
             or_empty(in->period));
    snprintf(comments, sizeof comments, "snapshot SHA-256 %s; findings SHA-256 %s",
             or_empty(in->snapshot_sha256 ? in->snapshot_sha256 : x->hdr->snapshot_sha256),
             or_empty(in->findings_sha256));
    props.title = (char *)(x->hdr->report_title ? x->hdr->report_title : vpr_xlsx_t(x, "/title"));
    props.subject = subject;
    props.author = author;
    props.company = (char *)x->hdr->organization;
    props.keywords = (char *)vpr_xlsx_t(x, "/keywords");
    props.comments = comments;
    /* 0 would mean "now" to libxlsxwriter */
    props.created = (time_t)(in->clock.epoch > 0 ? in->clock.epoch : 1);
    vpr_xlsx_check(x, workbook_set_properties(x->wb, &props), "document properties");
    if (in->snapshot_sha256)
        workbook_set_custom_property_string(x->wb, "Snapshot SHA-256", (char *)in->snapshot_sha256);
    if (in->findings_sha256)
        workbook_set_custom_property_string(x->wb, "Findings SHA-256", (char *)in->findings_sha256);
    if (in->request_id)
        workbook_set_custom_property_string(x->wb, "Request", (char *)in->request_id);
}

/* The findings must describe this snapshot: a workbook mixing two estates would be
 * evidence of nothing. */
static vp_status check_inputs(const vp_render_input *in, unsigned long max_rows, vp_error *err)
{
    if (!in || !in->snapshot || !in->findings)
        return vp_error_set(err, VP_ERR_INTERNAL, "XLSX: snapshot and findings are required");
    if (max_rows < 2 || max_rows > XLSX_MAX_ROWS)
        return vp_error_set(err, VP_ERR_INTERNAL, "XLSX: row limit %lu out of range", max_rows);
    const vp_findings_header *h = vp_findings_file_header(in->findings);
    if (in->snapshot_sha256 && h->snapshot_sha256 && strcmp(in->snapshot_sha256, h->snapshot_sha256) != 0)
        return vp_error_set(err, VP_ERR_INPUT,
                            "%s: the findings were evaluated from snapshot SHA-256 %s, but %s has SHA-256 %s",
                            or_empty(in->findings_label), h->snapshot_sha256, or_empty(in->snapshot_label),
                            in->snapshot_sha256);
    if (h->exemption_count < 0 || h->exemption_count > 1000000)
        return vp_error_set(err, VP_ERR_INPUT, "%s: /parameters/exemptions: %lld is not a plausible count",
                            or_empty(in->findings_label), h->exemption_count);
    return VP_OK;
}

/* The Findings rows on a second thread: their own scratch buffers, status and error. */
typedef struct {
    xlsx_ctx wx;
    xlsx_pop p;
    vp_error err;
} findings_job;

static void *findings_thread(void *arg)
{
    findings_job *j = arg;
    vpr_xlsx_findings_rows(&j->wx, &j->p);
    return NULL;
}

/* The Findings sheet (the largest, read from the findings stream) and the estate sheets
 * (read from the snapshot model) share nothing but the workbook, so on a machine with a
 * second core the findings rows are written alongside the estate sheets. Sheets are
 * created in workbook order by this thread, all parts of a population split at the row
 * limit included (xlsx_sheet.c), so findings beyond one sheet's rows take the same path. */
static void write_populations(xlsx_ctx *x)
{
    pthread_t tid;
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    findings_job *j = NULL;
    if (sysconf(_SC_NPROCESSORS_ONLN) > 1)
        j = calloc(1, sizeof *j);
    if (!j || vpr_xlsx_findings_begin(x, &j->p)) {
        if (j) {
            free(j);
            return; /* x->status says why */
        }
        vpr_xlsx_write_findings(x);
        vpr_xlsx_write_vaults(x);
        vpr_xlsx_write_policies(x);
        vpr_xlsx_write_items(x);
        vpr_xlsx_write_vms(x);
        return;
    }
    x->wb_lock = &lock;
    j->wx = *x;
    memset(&j->wx.buf, 0, sizeof j->wx.buf);
    memset(&j->wx.guard, 0, sizeof j->wx.guard);
    j->wx.err = &j->err;
    j->p.x = &j->wx;
    int threaded = pthread_create(&tid, NULL, findings_thread, j) == 0;
    if (!threaded)
        findings_thread(j);
    vpr_xlsx_write_vaults(x);
    vpr_xlsx_write_policies(x);
    vpr_xlsx_write_items(x);
    vpr_xlsx_write_vms(x);
    if (threaded)
        pthread_join(tid, NULL);
    x->wb_lock = NULL;
    for (int k = 0; k < j->p.parts; k++) /* what the thread recorded of each part */
        x->sheets[j->p.first_info + (size_t)k] = j->wx.sheets[j->p.first_info + (size_t)k];
    x->findings_rows = j->wx.findings_rows;
    if (j->wx.status && !x->status) {
        x->status = j->wx.status;
        *x->err = j->err;
    }
    vpc_buf_free(&j->wx.buf);
    vpc_buf_free(&j->wx.guard);
    free(j);
}

static void write_sheets(xlsx_ctx *x)
{
    x->readme = vpr_xlsx_add_report_sheet(x, "README");
    x->summary = vpr_xlsx_add_report_sheet(x, "Summary");
    vpr_xlsx_write_controls(x);
    vpr_xlsx_write_rules(x);
    /* findings also count per vault and exemption, for the Summary and Exemptions */
    write_populations(x);
    if (!x->status && x->in->vault_counts)
        x->status = vp_tally_check(&x->tally, x->in->snapshot, x->in->vault_counts,
                                   x->in->findings_label ? x->in->findings_label : "findings", x->err);
    vpr_xlsx_write_engines(x);
    vpr_xlsx_write_guards(x);
    vpr_xlsx_write_deleted_vaults(x);
    vpr_xlsx_write_regions(x);
    vpr_xlsx_write_exceptions(x);
    vpr_xlsx_write_remediation(x);
    vpr_xlsx_write_exemptions(x);
    vpr_xlsx_write_exempted(x);
    vpr_xlsx_write_collection(x);
    vpr_xlsx_write_access(x);
    vpr_xlsx_write_period(x);
    vpr_xlsx_write_changes(x);
    vpr_xlsx_write_sample(x);
    vpr_xlsx_write_summary(x);
    vpr_xlsx_write_readme(x);
    if (x->readme)
        worksheet_activate(x->readme);
}

vp_status vpr_xlsx_copy_out(const char *path, FILE *fp, const char *label, vp_error *err)
{
    char chunk[1 << 16];
    size_t n;
    FILE *in = fopen(path, "rb");
    if (!in)
        return vp_error_set(err, VP_ERR_IO, "%s: cannot read the workbook back: %s", path, strerror(errno));
    while ((n = fread(chunk, 1, sizeof chunk, in)) > 0)
        if (fwrite(chunk, 1, n, fp) != n)
            break;
    int bad_in = ferror(in), bad_out = ferror(fp) || fflush(fp) != 0;
    int saved = errno;
    fclose(in);
    if (bad_in)
        return vp_error_set(err, VP_ERR_IO, "%s: read error", path);
    if (bad_out)
        return vp_error_set(err, VP_ERR_IO, "%s: write failed: %s", or_empty(label), strerror(saved));
    return VP_OK;
}

/* The zip libxlsxwriter wrote, to fp, with every population sheet's rows spliced in. */
static vp_status assemble(xlsx_ctx *x, const char *path, FILE *fp, const char *label, int force64)
{
    xlsx_splice sp[XLSX_MAX_SHEETS];
    size_t n = 0;
    for (size_t i = 0; i < x->sheet_count; i++)
        if (x->sheets[i].stream)
            sp[n++] = (xlsx_splice){x->sheets[i].part_index, x->sheets[i].stream};
    if (n == 0 && !force64)
        return vpr_xlsx_copy_out(path, fp, label, x->err);
    return vpr_xlsx_splice(path, sp, n, force64, fp, label, x->err);
}

static vp_status build(xlsx_ctx *x, const char *path, const char *dir)
{
    /* libxlsxwriter's zip holds the header rows and the report sheets only: no ZIP64 */
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = (char *)dir};
    x->wb = workbook_new_opt(path, &opt);
    if (!x->wb)
        return vpr_xlsx_fail(x, VP_ERR_NOMEM, "XLSX: cannot start a workbook");
    make_formats(x);
    set_properties(x);
    write_sheets(x);
    lxw_error e = workbook_close(x->wb); /* always: it also frees the workbook */
    x->wb = NULL;
    if (e != LXW_NO_ERROR && !x->status)
        vpr_xlsx_fail(x, VP_ERR_IO, "XLSX: writing the workbook in %s failed: %s", dir, lxw_strerror(e));
    return x->status;
}

static void free_ctx(xlsx_ctx *x)
{
    for (size_t i = 0; i < x->exemption_count; i++) {
        xlsx_exemption *e = &x->exemptions[i];
        free(e->label);
        free(e->observed);
        free(e->note);
        free(e->evidence);
        free(e->rule);
        free(e->resource);
        free(e->reason);
        free(e->approver);
        free(e->expires);
    }
    free(x->exemptions);
    for (size_t i = 0; i < x->sheet_count; i++)
        vpr_rows_free(x->sheets[i].stream);
    vp_tally_free(&x->tally);
    vpr_xlsx_digest_free(x);
    vpc_buf_free(&x->buf);
    vpc_buf_free(&x->guard);
}

vp_status vpr_xlsx_render_opts(const vp_render_input *in, FILE *fp, const char *label, const xlsx_render_opts *o,
                               vp_error *err)
{
    unsigned long max_rows = o->max_rows;
    xlsx_ctx x = {0};
    vpr_texts *texts = NULL;
    vp_worm_catalog *worm = NULL;
    char dir[4096], path[4200];
    const char *tmp = getenv("TMPDIR");
    vp_status st = check_inputs(in, max_rows, err);
    if (st || (st = vpr_texts_load(VPR_TEXTS_WORKBOOK, &texts, err)))
        return st;
    if ((st = vp_worm_catalog_builtin(&worm, err)) != VP_OK) {
        vpr_texts_free(texts);
        return st;
    }
    x.in = in;
    x.hdr = vp_findings_file_header(in->findings);
    x.texts = texts;
    x.worm = worm;
    x.max_rows = max_rows;
    x.rows_via_lxw = o->rows_via_lxw;
    /* zlib level 5 rather than libxlsxwriter's 6: about 25% less deflate time for a
     * workbook about 3% larger (bench/README.md, 2026-12-05) */
    x.rows_level = 5;
    x.err = err;
    x.exemption_count = (size_t)x.hdr->exemption_count;
    x.exemptions = calloc(x.exemption_count ? x.exemption_count : 1, sizeof *x.exemptions);
    if (in->scratch_dir)
        tmp = in->scratch_dir;
    snprintf(dir, sizeof dir, "%s/vaultproof-xlsx.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!x.exemptions) {
        st = vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    } else if ((st = vp_tally_build_uncounted(&x.tally, in->snapshot, in->findings, err)) != VP_OK) {
        /* err says why; the Findings rows count the findings per vault as they go
         * (xlsx_findings.c), one parse of every finding fewer */
    } else if (!mkdtemp(dir)) {
        st = vp_error_set(err, VP_ERR_IO, "%s: cannot create a temporary directory: %s", dir, strerror(errno));
    } else {
        snprintf(path, sizeof path, "%s/workbook.xlsx", dir);
        x.tmpdir = dir;
        st = build(&x, path, dir);
        if (!st)
            st = assemble(&x, path, fp, label, o->force_zip64);
        unlink(path);
        rmdir(dir);
    }
    free_ctx(&x);
    vpr_texts_free(texts);
    vp_worm_catalog_free(worm);
    return st;
}

vp_status vpr_xlsx_render_limit(const vp_render_input *in, FILE *fp, const char *label, unsigned long max_rows,
                               vp_error *err)
{
    xlsx_render_opts o = {.max_rows = max_rows};
    return vpr_xlsx_render_opts(in, fp, label, &o, err);
}

vp_status vp_render_xlsx(const vp_render_input *in, FILE *fp, const char *label, vp_error *err)
{
    return vpr_xlsx_render_limit(in, fp, label, XLSX_MAX_ROWS, err);
}
