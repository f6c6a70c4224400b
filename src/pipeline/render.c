/* The render stage: the findings must have been made from this snapshot. The report and
 * the workbook render at the same time (the report names the workbook, never its hash:
 * a bundle's manifest.json and SHA256SUMS record that), each with its own findings reader. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "pipeline/internal.h"
#include "vaultproof/catalog.h"
#include "vaultproof/config.h"
#include "vaultproof/fileio.h"
#include "vaultproof/findings_read.h"
#include "vaultproof/render.h"

typedef vp_status (*render_fn)(const vp_render_input *in, FILE *fp, const char *label, vp_error *err);

typedef struct {
    const vp_render_input *in;
    render_fn fn;
} render_ctx;

static vp_status write_rendered(const void *ctx, FILE *fp, const char *label, vp_error *err)
{
    const render_ctx *c = ctx;
    return c->fn(c->in, fp, label, err);
}

/* A snapshot read lazily is read again while the workbook is written (its protected
 * items and VMs are streamed): the file must still be the one whose hash was taken. */
static vp_status render_xlsx_streamed(const vp_render_input *in, FILE *fp, const char *label, vp_error *err)
{
    char now[65];
    vp_status st = vp_render_xlsx(in, fp, label, err);
    if (!st && !(st = vp_sha256_file(in->snapshot->lazy_source, now, err)) && strcmp(now, in->snapshot_sha256))
        st = vp_error_set(err, VP_ERR_INPUT, "%s: changed while the workbook was being written (SHA-256 %.16s... "
                          "before, %.16s... now); expected it to stay the same", in->snapshot->lazy_source,
                          in->snapshot_sha256, now);
    return st;
}

static vp_status check_options(const vp_pipeline_render_options *opt, vp_error *err)
{
    vp_status st = vp_pipeline_check_period(opt->period, "render", err);
    if (st)
        return st;
    if ((!opt->snapshot_path && !opt->snapshot) || !opt->findings_path ||
        (opt->snapshot && !opt->snapshot_sha256))
        return vp_error_set(err, VP_ERR_USAGE, "render: a snapshot (with its SHA-256 when given in memory) and a "
                            "findings file are required");
    if (!opt->pdf_path && !opt->xlsx_path)
        return vp_error_set(err, VP_ERR_USAGE, "render: nothing to write; expected a PDF and/or a workbook path");
    if (opt->timeline && !opt->jobs_path)
        return vp_error_set(err, VP_ERR_USAGE, "render: a jobs timeline was given without its jobs stream");
    if (opt->jobs_csv_path && !opt->jobs_path)
        return vp_error_set(err, VP_ERR_USAGE, "render: --jobs-csv needs --jobs FILE (the stream it is written from)");
    return vp_pipeline_check_distinct(opt->pdf_path, "pdf", opt->xlsx_path, "xlsx", "render", err);
}

/* The findings record the SHA-256 of the snapshot they were made from: rendering them
 * with another one would present one estate's findings against another's data. */
static vp_status check_belongs(const vp_pipeline_render_options *opt, const vp_findings_file *f,
                               const char *snap_sha, vp_error *err)
{
    const char *made_from = vp_findings_file_header(f)->snapshot_sha256;
    if (made_from && strcmp(made_from, snap_sha) != 0)
        return vp_error_set(err, VP_ERR_INPUT, "%s: /snapshot/sha256: the findings were made from a snapshot with "
                            "SHA-256 %.16s..., not from %s (%.16s...); evaluate this snapshot first",
                            opt->findings_path, made_from, opt->snapshot_path ? opt->snapshot_path : "the snapshot given",
                            snap_sha);
    return VP_OK;
}

static vp_status write_xlsx(const vp_pipeline_render_options *opt, const vp_render_input *in, vp_error *err)
{
    render_ctx c = {in, in->snapshot->lazy_source ? render_xlsx_streamed : vp_render_xlsx};
    return vpp_write(opt->xlsx_path, opt->xlsx_label, opt->mode, opt->dir_fd, write_rendered, &c, NULL, err);
}

/* The report, on a thread of its own while the workbook is written on the caller's. */
typedef struct {
    const vp_pipeline_render_options *opt;
    vp_render_input in; /* the caller's, with the report's own findings reader */
    vp_status st;
    vp_error err;
} pdf_job;

static void *write_pdf(void *arg)
{
    pdf_job *j = arg;
    render_ctx c = {&j->in, vp_render_pdf};
    j->st = vpp_write(j->opt->pdf_path, j->opt->pdf_label, j->opt->mode, j->opt->dir_fd, write_rendered, &c, NULL,
                      &j->err);
    return NULL;
}

/* The report's reader opens the file again: it must be the findings the first one read. */
static vp_status open_again(const vp_pipeline_render_options *opt, const vp_findings_file *first,
                            vp_findings_file **out, vp_error *err)
{
    vp_status st = vp_findings_file_open(opt->findings_path, out, err);
    if (st)
        return st;
    const vp_findings_header *a = vp_findings_file_header(first), *b = vp_findings_file_header(*out);
    if (a->finding_count != b->finding_count || !a->generated_at != !b->generated_at ||
        (a->generated_at && strcmp(a->generated_at, b->generated_at)) || !a->snapshot_sha256 != !b->snapshot_sha256 ||
        (a->snapshot_sha256 && strcmp(a->snapshot_sha256, b->snapshot_sha256))) {
        vp_findings_file_close(*out);
        *out = NULL;
        return vp_error_set(err, VP_ERR_INPUT, "%s: changed while it was being rendered (read twice, for the "
                            "workbook and the report); expected it to stay the same", opt->findings_path);
    }
    /* where the lines are, as the owners' pass learnt it: first outlives *out */
    vp_findings_file_share_index(*out, first);
    return VP_OK;
}

/* Both outputs, the report alongside the workbook when both are asked for. A reader
 * holds a read position, so the report gets a second one of the same file. The
 * workbook's failure is the one reported when both fail. */
static vp_status write_outputs(const vp_pipeline_render_options *opt, const vp_render_input *in, vp_error *err)
{
    pdf_job j = {opt, *in, VP_OK, {0}};
    vp_findings_file *own = NULL;
    pthread_t tid;
    if (!opt->pdf_path)
        return write_xlsx(opt, in, err);
    if (opt->xlsx_path) {
        vp_status st = open_again(opt, in->findings, &own, err);
        if (st)
            return st;
        j.in.findings = own;
        int threaded = pthread_create(&tid, NULL, write_pdf, &j) == 0;
        st = write_xlsx(opt, in, err);
        if (threaded)
            pthread_join(tid, NULL);
        else if (!st)
            write_pdf(&j); /* no thread to be had: one after the other */
        vp_findings_file_close(own);
        if (st)
            return st;
    } else {
        write_pdf(&j);
    }
    if (j.st)
        *err = j.err;
    return j.st;
}

vp_status vp_pipeline_render(const vp_pipeline_render_options *opt, vp_error *err)
{
    vp_render_input in = {0};
    vp_snapshot *loaded = NULL;
    vp_findings_file *findings = NULL;
    vp_catalog *catalog = NULL;
    vp_owners *owners = NULL;
    vp_history *history = NULL;
    vp_timeline *timeline = NULL;
    char snap_sha[65], findings_sha[65];
    const char *snap_hash = opt->snapshot_sha256, *findings_hash = opt->findings_sha256;
    vp_status st = check_options(opt, err);

    if (!st && !snap_hash && !(st = vp_sha256_file(opt->snapshot_path, snap_sha, err)))
        snap_hash = snap_sha;
    if (!st && !findings_hash && !(st = vp_sha256_file(opt->findings_path, findings_sha, err)))
        findings_hash = findings_sha;
    if (st || (st = vp_findings_file_open(opt->findings_path, &findings, err)))
        goto done;
    /* the workbook alone streams the big populations; the report and the timeline need
     * them in memory */
    if (!opt->snapshot && (st = opt->pdf_path || opt->jobs_path
                                    ? vp_snapshot_read_json(opt->snapshot_path, &loaded, err)
                                    : vp_snapshot_read_json_lazy(opt->snapshot_path, &loaded, err)))
        goto done;
    if ((st = check_belongs(opt, findings, snap_hash, err)))
        goto done;
    if (opt->jobs_path &&
        ((!opt->timeline && (st = vp_timeline_build(opt->jobs_path, opt->jobs_label,
                                                    opt->snapshot ? opt->snapshot : loaded, &timeline, err))) ||
         (opt->jobs_csv_path &&
          (st = vp_render_jobs_csv(opt->jobs_path, opt->snapshot ? opt->snapshot : loaded, opt->jobs_csv_path, err)))))
        goto done;
    in.timeline = opt->timeline ? opt->timeline : timeline;
    in.jobs_path = opt->jobs_path;
    in.jobs_label = opt->jobs_label ? opt->jobs_label : opt->jobs_path;
    in.snapshot = opt->snapshot ? opt->snapshot : loaded;
    in.snapshot_label = opt->snapshot_label ? opt->snapshot_label : opt->snapshot_path;
    in.snapshot_sha256 = snap_hash;
    in.findings = findings;
    in.findings_label = opt->findings_label ? opt->findings_label : opt->findings_path;
    in.findings_sha256 = findings_hash;
    in.clock = opt->clock;
    in.period = opt->period;
    in.request_id = opt->request_id;
    in.population_limit = opt->population_limit;
    in.font_dir = opt->font_dir;
    in.bundle_name = opt->bundle_name;
    in.ca_fingerprint = opt->ca_fingerprint;
    in.timestamped = opt->timestamped;
    in.warn = opt->warn;
    in.warn_ctx = opt->warn_ctx;
    /* the exceptions' remediation, first seen and owner: presentation, not findings */
    if ((st = vp_catalog_builtin(&catalog, err)) ||
        (st = vp_owners_build(in.snapshot, findings, opt->owner_tag ? opt->owner_tag : VP_CONFIG_DEFAULT_OWNER_TAG,
                              &owners, err)))
        goto done;
    if (!opt->history && opt->ledger_path &&
        (st = vp_history_load(opt->ledger_path, vp_findings_file_header(findings)->organization, opt->warn,
                              opt->warn_ctx, &history, err)))
        goto done;
    in.catalog = catalog;
    in.history = opt->history ? opt->history : history;
    in.owners = owners;
    in.recording = opt->recording;
    in.sample = opt->sample;
    in.vault_counts = opt->vault_counts;
    in.scratch_dir = opt->scratch_dir;
    in.xlsx_name = opt->xlsx_path ? (opt->xlsx_name ? opt->xlsx_name : opt->xlsx_path) : NULL;
    st = write_outputs(opt, &in, err);
done:
    vp_timeline_free(timeline);
    vp_owners_free(owners);
    vp_history_free(history);
    vp_catalog_free(catalog);
    vp_findings_file_close(findings);
    vp_snapshot_free(loaded);
    return st;
}
