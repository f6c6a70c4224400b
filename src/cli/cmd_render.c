/* vaultproof render: the PDF report and the XLSX workbook from a snapshot and its findings. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "vaultproof/pipeline.h"
#include "vaultproof/render.h"

static const char synopsis[] =
    "usage: vaultproof render --snapshot FILE --findings FILE [--pdf FILE] [--xlsx FILE]\n"
    "                         [--jobs FILE [--jobs-csv FILE]] [options]\n"
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
    {"jobs", "FILE", 0, "the snapshot's jobs stream (collect --period ... --jobs-out FILE):\n"
                        "the workbook's Jobs, Failures and Restore Tests sheets and the\n"
                        "report's period section per vault (its SHA-256 must be the\n"
                        "snapshot's collection.jobs.sha256, else exit 3)"},
    {"jobs-csv", "FILE", 0, "with --jobs: the job population as CSV too (RFC 4180, UTF-8,\n"
                            "CRLF; one row per job)"},
    {"period", "YYYY-Qn", 0, "reporting period shown on every page (else point in time)"},
    {"request-id", "ID", 0, "auditor request reference shown on every page"},
    {"population-limit", "N", 0, "PDF: list at most N protected items in full (default 2000);\n"
                                 "beyond that a summary points to the workbook"},
    {"font-dir", "DIR", 0, "where DejaVuSans.ttf and DejaVuSansMono.ttf are (default:\n"
                           "$VAULTPROOF_FONT_DIR, then /usr/share/fonts/truetype/dejavu)"},
    {"ledger", "FILE", 0, "an archive's ledger.jsonl: each failing finding's first seen is\n"
                          "the earliest of its bundles (same organization) failing it too"},
    {"owner-tag", "TAG", 0, "the tag naming a failing finding's owner (default Owner)"},
    {"now", "TIME", 0, "pin the clock (RFC 3339 UTC or @EPOCH); SOURCE_DATE_EPOCH too;\n"
                       "pinned runs are byte-reproducible"},
    {"quiet", NULL, 0, "no warnings or summary on stderr"},
    {"help", NULL, VP_OPT_HIDDEN, NULL},
};

static const char epilogue[] =
    "\n"
    "Exit status: 0 written; 1 the --ledger does not verify; 2 usage; 3 invalid input\n"
    "(snapshot, findings, fonts, a missing ledger: the file is named); 6 I/O. Outputs appear only when complete.\n"
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

static vp_status check_options(const vp_opts *o, vp_pipeline_render_options *ro, vp_error *err)
{
    const char *limit = vp_opts_get(o, "population-limit");
    if (!vp_opts_get(o, "snapshot") || !vp_opts_get(o, "findings"))
        return vp_error_set(err, VP_ERR_USAGE, "render: --snapshot FILE and --findings FILE are required; see "
                            "'vaultproof help render'");
    if (!vp_opts_get(o, "pdf") && !vp_opts_get(o, "xlsx"))
        return vp_error_set(err, VP_ERR_USAGE, "render: nothing to write; give --pdf FILE and/or --xlsx FILE");
    ro->period = vp_opts_get(o, "period");
    vp_status st = vp_pipeline_check_period(ro->period, "render", err);
    if (st)
        return st;
    ro->request_id = vp_opts_get(o, "request-id");
    if (limit) {
        char *end;
        errno = 0;
        unsigned long long n = strtoull(limit, &end, 10);
        if (errno || *end || !isdigit((unsigned char)limit[0]) || n > 10000000ULL)
            return vp_error_set(err, VP_ERR_USAGE, "render: --population-limit '%s': expected a number of rows from "
                                "0 to 10000000", limit);
        ro->population_limit = (size_t)n;
    } else {
        ro->population_limit = VP_PDF_POPULATION_LIMIT;
    }
    ro->font_dir = vp_opts_get(o, "font-dir");
    ro->ledger_path = vp_opts_get(o, "ledger");
    ro->owner_tag = vp_opts_get(o, "owner-tag");
    if (ro->owner_tag && !ro->owner_tag[0])
        return vp_error_set(err, VP_ERR_USAGE, "render: --owner-tag: expected a tag name");
    return vp_cli_clock(o, &ro->clock, err);
}

static const char *base_name(const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    return slash ? slash + 1 : path;
}

static vp_status run(const vp_opts *o, int *code, vp_error *err)
{
    vp_pipeline_render_options ro = {0};
    int quiet = vp_opts_has(o, "quiet");
    const char *pdf = vp_opts_get(o, "pdf"), *xlsx = vp_opts_get(o, "xlsx");
    vp_status st = check_options(o, &ro, err);
    if (st)
        return st;
    ro.snapshot_path = vp_opts_get(o, "snapshot");
    ro.snapshot_label = base_name(ro.snapshot_path);
    ro.findings_path = vp_opts_get(o, "findings");
    ro.findings_label = base_name(ro.findings_path);
    ro.pdf_path = pdf;
    ro.xlsx_path = xlsx;
    ro.xlsx_name = base_name(xlsx);
    ro.warn = warn;
    ro.warn_ctx = &quiet;
    ro.jobs_path = vp_opts_get(o, "jobs");
    ro.jobs_label = base_name(ro.jobs_path);
    ro.jobs_csv_path = vp_opts_get(o, "jobs-csv");
    if ((st = vp_pipeline_render(&ro, err)))
        return st;
    if (!quiet)
        fprintf(stderr, "render: %s%s%s%s\n", pdf ? "report " : "", pdf ? pdf : "", pdf && xlsx ? ", workbook " : xlsx ? "workbook " : "",
                xlsx ? xlsx : "");
    *code = 0;
    return VP_OK;
}

int vp_cmd_render(int argc, char **argv)
{
    return vp_cli_main(argc, argv, &vp_help_render, run);
}
