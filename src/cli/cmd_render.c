/* vaultproof render: the PDF report and the XLSX workbook from a snapshot and its findings. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "vaultproof/fileio.h"
#include "vaultproof/findings_read.h"
#include "vaultproof/render.h"

static const char synopsis[] =
    "usage: vaultproof render --snapshot FILE --findings FILE [--pdf FILE] [--xlsx FILE] [options]\n"
    "\n"
    "Lays out a snapshot and the findings 'evaluate' made from it, computing nothing new:\n"
    "the evidence report (--pdf), the workbook (--xlsx), or both. At least one of the two\n"
    "is required. The findings must have been made from this snapshot (their record names\n"
    "its SHA-256).\n"
    "\n";

static const vp_opt_spec specs[] = {
    {"snapshot", "FILE", 0, "the snapshot (required)"},
    {"findings", "FILE", 0, "the findings 'evaluate' made from it (required)"},
    {"pdf", "FILE", 0, "the evidence report: cover, scope and method, executive summary\n"
                       "with charts, HIPAA and SOX control matrices, per-vault sections,\n"
                       "every exception in full, the population, appendix with hashes and\n"
                       "how to verify"},
    {"xlsx", "FILE", 0, "the workbook auditors filter and sample: full populations, one\n"
                        "sheet per entity, typed cells, frozen headers, autofilters"},
    {"period", "YYYY-Qn", 0, "reporting period shown on every page (else point in time)"},
    {"request-id", "ID", 0, "auditor request reference shown on every page"},
    {"population-limit", "N", 0, "PDF: list at most N protected items in full (default 2000);\n"
                                 "beyond that a summary points to the workbook"},
    {"font-dir", "DIR", 0, "where DejaVuSans.ttf and DejaVuSansMono.ttf are (default:\n"
                           "$VAULTPROOF_FONT_DIR, then /usr/share/fonts/truetype/dejavu)"},
    {"now", "TIME", 0, "pin the clock (RFC 3339 UTC or @EPOCH); SOURCE_DATE_EPOCH too;\n"
                       "pinned runs are byte-reproducible"},
    {"quiet", NULL, 0, "no warnings or summary on stderr"},
    {"help", NULL, VP_OPT_HIDDEN, NULL},
};

static const char epilogue[] =
    "\n"
    "Exit status: 0 written; 2 usage; 3 invalid input (snapshot, findings, fonts: the file\n"
    "is named); 6 I/O. Outputs appear only when complete.\n"
    "\n"
    "Example:\n"
    "  vaultproof render --snapshot snapshot.json --findings findings.json \\\n"
    "      --pdf report.pdf --xlsx workbook.xlsx --period 2026-Q3\n";

const vp_cli_help vp_help_render = {"render", synopsis, specs, sizeof specs / sizeof specs[0], epilogue};

static void warn(void *ctx, const char *message)
{
    if (!*(const int *)ctx)
        fprintf(stderr, "vaultproof: warning: %s\n", message);
}

static int valid_period(const char *p)
{
    return strlen(p) == 7 && isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) &&
           isdigit((unsigned char)p[2]) && isdigit((unsigned char)p[3]) && p[4] == '-' && p[5] == 'Q' &&
           p[6] >= '1' && p[6] <= '4';
}

typedef vp_status (*render_fn)(const vp_render_input *in, FILE *fp, const char *label, vp_error *err);

static vp_status write_one(const char *path, render_fn fn, const vp_render_input *in, vp_error *err)
{
    vp_output *out = NULL;
    vp_status st = vp_output_open(path, &out, err);
    if (st)
        return st;
    if ((st = fn(in, vp_output_stream(out), path, err))) {
        vp_output_abort(out);
        return st;
    }
    return vp_output_commit(out, err);
}

static vp_status check_options(const vp_opts *o, vp_render_input *in, vp_error *err)
{
    const char *limit = vp_opts_get(o, "population-limit");
    if (!vp_opts_get(o, "snapshot") || !vp_opts_get(o, "findings"))
        return vp_error_set(err, VP_ERR_USAGE, "render: --snapshot FILE and --findings FILE are required; see "
                            "'vaultproof help render'");
    if (!vp_opts_get(o, "pdf") && !vp_opts_get(o, "xlsx"))
        return vp_error_set(err, VP_ERR_USAGE, "render: nothing to write; give --pdf FILE and/or --xlsx FILE");
    in->period = vp_opts_get(o, "period");
    if (in->period && !valid_period(in->period))
        return vp_error_set(err, VP_ERR_USAGE, "render: --period '%s': expected YYYY-Qn, e.g. 2026-Q3", in->period);
    in->request_id = vp_opts_get(o, "request-id");
    if (limit) {
        char *end;
        errno = 0;
        unsigned long long n = strtoull(limit, &end, 10);
        if (errno || *end || !isdigit((unsigned char)limit[0]) || n > 10000000ULL)
            return vp_error_set(err, VP_ERR_USAGE, "render: --population-limit '%s': expected a number of rows from "
                                "0 to 10000000", limit);
        in->population_limit = (size_t)n;
    } else {
        in->population_limit = VP_PDF_POPULATION_LIMIT;
    }
    in->font_dir = vp_opts_get(o, "font-dir");
    return vp_cli_clock(o, &in->clock, err);
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
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

static vp_status run(const vp_opts *o, int *code, vp_error *err)
{
    vp_render_input in = {0};
    vp_snapshot *snap = NULL;
    vp_findings_file *findings = NULL;
    char snap_sha[65], findings_sha[65], xlsx_sha[65];
    int quiet = vp_opts_has(o, "quiet");
    const char *snap_path = vp_opts_get(o, "snapshot"), *findings_path = vp_opts_get(o, "findings");
    const char *pdf = vp_opts_get(o, "pdf"), *xlsx = vp_opts_get(o, "xlsx");
    vp_status st = check_options(o, &in, err);

    if (!st && pdf && xlsx && !strcmp(pdf, xlsx))
        st = vp_error_set(err, VP_ERR_USAGE, "render: --pdf and --xlsx name the same file");
    if (st || (st = vp_sha256_file(snap_path, snap_sha, err)) || (st = vp_sha256_file(findings_path, findings_sha, err)) ||
        (st = vp_findings_file_open(findings_path, &findings, err)))
        goto done;
    /* the workbook alone streams the big populations; the report needs them in memory */
    if ((st = pdf ? vp_snapshot_read_json(snap_path, &snap, err) : vp_snapshot_read_json_lazy(snap_path, &snap, err)))
        goto done;
    const char *made_from = vp_findings_file_header(findings)->snapshot_sha256;
    if (made_from && strcmp(made_from, snap_sha) != 0) {
        st = vp_error_set(err, VP_ERR_INPUT, "%s: /snapshot/sha256: the findings were made from a snapshot with SHA-256 "
                          "%.16s..., not from %s (%.16s...); evaluate this snapshot first", findings_path, made_from,
                          snap_path, snap_sha);
        goto done;
    }
    in.snapshot = snap;
    in.snapshot_label = base_name(snap_path);
    in.snapshot_sha256 = snap_sha;
    in.findings = findings;
    in.findings_label = base_name(findings_path);
    in.findings_sha256 = findings_sha;
    in.warn = warn;
    in.warn_ctx = &quiet;
    if (xlsx) { /* first, so the report can cite the workbook's hash */
        if ((st = write_one(xlsx, snap->lazy_source ? render_xlsx_streamed : vp_render_xlsx, &in, err)))
            goto done;
        in.xlsx_name = base_name(xlsx);
        if (strcmp(xlsx, "-") && !vp_sha256_file(xlsx, xlsx_sha, err))
            in.xlsx_sha256 = xlsx_sha;
        vp_findings_file_rewind(findings);
    }
    if (pdf && (st = write_one(pdf, vp_render_pdf, &in, err)))
        goto done;
    if (!quiet)
        fprintf(stderr, "render: %s%s%s%s\n", pdf ? "report " : "", pdf ? pdf : "", pdf && xlsx ? ", workbook " : xlsx ? "workbook " : "",
                xlsx ? xlsx : "");
    *code = 0;
done:
    vp_findings_file_close(findings);
    vp_snapshot_free(snap);
    return st;
}

int vp_cmd_render(int argc, char **argv)
{
    return vp_cli_main(argc, argv, &vp_help_render, run);
}
