/* The render stage: the findings must have been made from this snapshot; the workbook
 * first, so the report can cite its hash. */
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

static vp_status write_xlsx(const vp_pipeline_render_options *opt, vp_render_input *in, char xlsx_sha[65],
                            vp_error *err)
{
    render_ctx c = {in, in->snapshot->lazy_source ? render_xlsx_streamed : vp_render_xlsx};
    int staged = opt->mode == VP_PIPELINE_STAGED;
    /* a bundle must cite the hash of what it holds (read back through the descriptor
     * written); a published workbook that cannot be read back is still complete, and
     * the report then cites none */
    vp_status st = vpp_write(opt->xlsx_path, opt->xlsx_label, opt->mode, opt->dir_fd, write_rendered, &c,
                             staged ? xlsx_sha : NULL, err);
    if (st)
        return st;
    in->xlsx_name = opt->xlsx_name ? opt->xlsx_name : opt->xlsx_path;
    if (staged || (strcmp(opt->xlsx_path, "-") && !vp_sha256_file(opt->xlsx_path, xlsx_sha, err)))
        in->xlsx_sha256 = xlsx_sha;
    return VP_OK;
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
    char snap_sha[65], findings_sha[65], xlsx_sha[65];
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
        ((st = vp_timeline_build(opt->jobs_path, opt->jobs_label, opt->snapshot ? opt->snapshot : loaded, &timeline,
                                 err)) ||
         (opt->jobs_csv_path &&
          (st = vp_render_jobs_csv(opt->jobs_path, opt->snapshot ? opt->snapshot : loaded, opt->jobs_csv_path, err)))))
        goto done;
    in.timeline = timeline;
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
    if (opt->xlsx_path) {
        if ((st = write_xlsx(opt, &in, xlsx_sha, err)))
            goto done;
        vp_findings_file_rewind(findings);
    }
    if (opt->pdf_path) {
        render_ctx c = {&in, vp_render_pdf};
        st = vpp_write(opt->pdf_path, opt->pdf_label, opt->mode, opt->dir_fd, write_rendered, &c, NULL, err);
    }
done:
    vp_timeline_free(timeline);
    vp_owners_free(owners);
    vp_history_free(history);
    vp_catalog_free(catalog);
    vp_findings_file_close(findings);
    vp_snapshot_free(loaded);
    return st;
}
