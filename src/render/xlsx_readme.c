/* README: what the workbook is, what it was made from (period, scope, clock, versions,
 * SHA-256 of the snapshot and findings), how its sheets relate, which sheet holds which
 * population (with the continuation of any population split at Excel's row limit) and
 * how to verify it. Labels in column A, values in B; the prose is
 * templates/report/workbook.json, the verification steps the report's (report.json). */
#include <stdio.h>
#include <string.h>

#include "render/verify_steps.h"
#include "render/xlsx_internal.h"
#include "vaultproof/version.h"

typedef struct {
    xlsx_ctx *x;
    lxw_worksheet *ws;
    lxw_row_t row;
} readme;

static void cell(readme *r, lxw_col_t col, const char *text, lxw_format *fmt)
{
    vpr_xlsx_cell_text(r->x, r->ws, r->row, col, text, fmt, NULL);
}

static void heading(readme *r, const char *key)
{
    r->row++;
    cell(r, 0, vpr_xlsx_t(r->x, key), r->x->f.heading);
    r->row++;
}

static void lines(readme *r, const char *key)
{
    const char *line;
    if (!vpr_xlsx_t_exists(r->x, key))
        return;
    for (size_t i = 0; (line = vpr_texts_line(r->x->texts, key, i)) != NULL; i++, r->row++)
        cell(r, 1, line, r->x->f.wrap);
}

static void kv(readme *r, const char *label, const char *value)
{
    if (!value)
        return;
    cell(r, 0, label, r->x->f.label);
    cell(r, 1, value, r->x->f.wrap);
    r->row++;
}

static void kv_num(readme *r, const char *label, double v)
{
    cell(r, 0, label, r->x->f.label);
    if (!r->x->status)
        vpr_xlsx_check(r->x, worksheet_write_number(r->ws, r->row, 1, v, NULL), "README");
    r->row++;
}

/* A time as an Excel date cell (UTC), with the verbatim text beside it. */
static void kv_time(readme *r, const char *label, const char *rfc3339)
{
    double serial = rfc3339 ? vpr_xlsx_serial(rfc3339) : -1;
    if (!rfc3339)
        return;
    cell(r, 0, label, r->x->f.label);
    if (serial < 0)
        cell(r, 1, rfc3339, NULL);
    else if (!r->x->status)
        vpr_xlsx_check(r->x, worksheet_write_number(r->ws, r->row, 1, serial, vpr_xlsx_time_format(r->x, rfc3339)), "README");
    r->row++;
}

/* The cover's "Recording" line (vp_render_recording), in the same words. */
static void recording(readme *r)
{
    const vp_render_recording *rec = &r->x->in->recording;
    char now[32];
    if (rec->state == VP_RECORDING_UNKNOWN)
        return;
    const char *vars[] = {"subject", rec->sealed_by ? rec->sealed_by : "", "time", rec->sealed_at ? rec->sealed_at : "",
                          "generated_at", vp_time_format(r->x->in->clock.epoch, now, sizeof now), NULL};
    kv(r, "Recording", vpr_xlsx_t_fill(r->x, rec->state == VP_RECORDING_SEALED ? "/readme/recording_sealed"
                                                                                 : "/readme/recording_unsealed",
                                       vars));
}

static void record(readme *r)
{
    const vp_render_input *in = r->x->in;
    const vp_findings_header *h = r->x->hdr;
    const vp_collection *c = &in->snapshot->collection;
    char text[512], when[32];
    heading(r, "/readme/record");
    kv(r, "Organization", h->organization);
    kv(r, "Period", in->period);
    kv(r, "Auditor request", in->request_id);
    kv_time(r, "Workbook generated (UTC)", vp_time_format(in->clock.epoch, when, sizeof when));
    kv(r, "Clock", in->clock.pinned ? "pinned (--now or SOURCE_DATE_EPOCH): the same inputs give the same bytes"
                                    : "system clock (not pinned)");
    kv_time(r, "Findings measured as of (UTC)", h->as_of);
    recording(r);
    kv_time(r, "Capture started (UTC)", c->captured_from);
    kv_time(r, "Capture ended (UTC)", c->captured_to);
    kv(r, "Overall result", h->result);
    kv_num(r, "Findings", (double)h->finding_count);
    snprintf(text, sizeof text, "vaultproof %s (commit %s)", vp_version(), vp_commit());
    kv(r, "Workbook written by", text);
    kv(r, "Snapshot file", in->snapshot_label ? in->snapshot_label : h->snapshot_file);
    kv(r, "Snapshot SHA-256", in->snapshot_sha256 ? in->snapshot_sha256 : h->snapshot_sha256);
    kv_time(r, "Snapshot generated (UTC)", c->generated_at);
    snprintf(text, sizeof text, "vaultproof %s (commit %s)", c->tool_version, c->tool_commit);
    kv(r, "Snapshot written by", text);
    kv(r, "Findings file", in->findings_label);
    kv(r, "Findings SHA-256", in->findings_sha256);
    kv_time(r, "Findings generated (UTC)", h->generated_at);
    snprintf(text, sizeof text, "vaultproof %s (commit %s)", h->tool_version, h->tool_commit);
    kv(r, "Findings written by", text);
    snprintf(text, sizeof text, "%s (SHA-256 %s)", h->catalog_version, h->catalog_sha256);
    kv(r, "Control catalog", text);
    snprintf(text, sizeof text, "%s, %s (SHA-256 %s)", c->worm_catalog_version, c->worm_catalog_origin,
             c->worm_catalog_sha256);
    kv(r, "WORM region catalog", text);
    snprintf(text, sizeof text, "%s (SHA-256 %s)", h->config_path, h->config_sha256);
    kv(r, "Configuration", text);
    for (size_t b = 0; b < h->baseline_count; b++) {
        snprintf(text, sizeof text, "%s (SHA-256 %s, generated %s)", h->baselines[b].file, h->baselines[b].sha256,
                 h->baselines[b].generated_at);
        kv(r, b == 0 ? "Baselines (period)" : "", text);
    }
}

static void scope(readme *r)
{
    const vp_snapshot *s = r->x->in->snapshot;
    const vp_collection *c = &s->collection;
    const vp_findings_header *h = r->x->hdr;
    vpc_buf *b = &r->x->buf;
    char text[512];
    heading(r, "/readme/scope");
    snprintf(text, sizeof text, "%s%s%s", h->hipaa ? "HIPAA" : "", h->hipaa && h->sox ? ", " : "",
             h->sox ? "SOX" : "");
    kv(r, "Frameworks evaluated", text);
    snprintf(text, sizeof text,
             "%zu subscriptions, %zu vaults, %zu policies, %zu protected items, %zu virtual machines, %zu regions",
             s->subscription_count, s->vault_count, s->policy_count, s->item_count, s->vm_count, s->region_count);
    kv(r, "Estate", text);
    snprintf(text, sizeof text, "RPO %lld hours; hyper-care %lld days; %lld exemptions; %lld decommissioned servers",
             h->rpo_hours, h->hyper_care_days, h->exemption_count, h->decommission_count);
    kv(r, "Parameters", text);
    snprintf(text, sizeof text, "%s from %s; %lld responses, %lld retries; %s; %s", c->source_kind, c->input,
             c->request_count, c->retry_count,
             c->verified ? "capture records present: completeness verified" : "no capture records: unverified",
             c->complete ? "every list call complete" : "NOT every list call complete (see Collection)");
    kv(r, "Collection", text);
    vpc_buf_clear(b);
    for (size_t i = 0; i < c->endpoint_count; i++) {
        vpr_xlsx_sep(b, ", ");
        vpc_buf_adds(b, c->endpoints[i]);
    }
    kv(r, "Endpoints", vpc_buf_str(b));
    vpc_buf_clear(b);
    for (size_t i = 0; i < c->api_version_count; i++) {
        vpr_xlsx_sep(b, ", ");
        vpc_buf_adds(b, c->api_versions[i]);
    }
    kv(r, "API versions", vpc_buf_str(b));
    kv(r, "Principal", c->principal);
}

static void sheet_row(readme *r, const xlsx_sheet_info *info)
{
    char key[96], part[24], parts[24], first[24], last[24];
    snprintf(key, sizeof key, "/sheets/%s", info->base);
    cell(r, 0, info->name, NULL);
    cell(r, 1, vpr_xlsx_t(r->x, key), r->x->f.wrap);
    if (info->defined_name[0] && !r->x->status) {
        vpr_xlsx_check(r->x, worksheet_write_number(r->ws, r->row, 2, (double)info->rows, NULL), "README");
        cell(r, 3, info->defined_name, NULL);
    }
    if (info->parts > 1) {
        const char *const vars[] = {"part", part, "parts", parts, "first", first, "last", last, NULL};
        snprintf(part, sizeof part, "%d", info->part);
        snprintf(parts, sizeof parts, "%d", info->parts);
        snprintf(first, sizeof first, "%zu", info->first);
        snprintf(last, sizeof last, "%zu", info->last);
        cell(r, 4, vpr_xlsx_t_fill(r->x, "/readme/continued", vars), r->x->f.wrap);
    }
    r->row++;
}

static void sheets(readme *r)
{
    static const char *const headers[] = {"Sheet", "What it holds", "Rows", "Defined name", "Continuation"};
    heading(r, "/readme/sheets");
    for (size_t i = 0; i < r->x->sheet_count; i++)
        if (r->x->sheets[i].parts > 1) {
            cell(r, 1, vpr_xlsx_t(r->x, "/readme/split"), r->x->f.label);
            r->row++;
            break;
        }
    if (r->x->vm_tag_keys > r->x->vm_tag_columns) {
        char a[24], b[24];
        const char *const vars[] = {"keys", a, "columns", b, NULL};
        snprintf(a, sizeof a, "%zu", r->x->vm_tag_keys);
        snprintf(b, sizeof b, "%zu", r->x->vm_tag_columns);
        cell(r, 1, vpr_xlsx_t_fill(r->x, "/readme/tag_columns", vars), r->x->f.wrap);
        r->row++;
    }
    for (lxw_col_t c = 0; c < 5; c++)
        cell(r, c, headers[c], r->x->f.header);
    r->row++;
    for (size_t i = 0; i < r->x->sheet_count; i++)
        sheet_row(r, &r->x->sheets[i]);
}

static void steps_para(void *ctx, const char *text, int emphasis)
{
    readme *r = ctx;
    cell(r, 1, text, emphasis ? r->x->f.label : r->x->f.wrap);
    r->row++;
}

static void steps_step(void *ctx, const char *title, const char *text)
{
    readme *r = ctx;
    cell(r, 0, title, r->x->f.label);
    cell(r, 1, text, r->x->f.wrap);
    r->row++;
}

/* One cell per line, so each reads back as the one line it must be run as. */
static void steps_line(void *ctx, const char *line)
{
    readme *r = ctx;
    cell(r, 1, line, NULL);
    r->row++;
}

/* The report's how-to-verify steps (render/verify_steps.h: one list for the PDF, this
 * sheet and README.txt), named as in the PDF. */
static void verify_steps(readme *r)
{
    const vp_render_input *in = r->x->in;
    const vpr_verify_sink sink = {steps_para, steps_step, steps_line, r};
    const vpr_verify_names names = {in->bundle_name, in->ca_fingerprint, in->timestamped};
    vpr_texts *texts = NULL;
    vp_error err;
    heading(r, "/readme/verify_title");
    if (vpr_texts_load(VPR_TEXTS_REPORT, &texts, &err) || vpr_verify_steps(texts, &names, &sink, &err))
        vpr_xlsx_fail(r->x, err.status, "%s", err.message);
    vpr_texts_free(texts);
    heading(r, "/readme/sampling_title");
    lines(r, "/readme/sampling");
}

void vpr_xlsx_write_readme(xlsx_ctx *x)
{
    readme r = {.x = x, .ws = x->readme};
    const char *title = x->hdr->report_title ? x->hdr->report_title : vpr_xlsx_t(x, "/title");
    if (!r.ws || x->status)
        return;
    cell(&r, 0, title, x->f.title);
    r.row++;
    heading(&r, "/readme/about");
    lines(&r, "/readme/intro");
    record(&r);
    scope(&r);
    sheets(&r);
    heading(&r, "/readme/relations_title");
    lines(&r, "/readme/relations");
    heading(&r, "/readme/conventions_title");
    lines(&r, "/readme/conventions");
    verify_steps(&r);
    worksheet_set_column(r.ws, 0, 0, 34, NULL);
    worksheet_set_column(r.ws, 1, 1, 110, NULL);
    worksheet_set_column(r.ws, 2, 2, 10, NULL);
    worksheet_set_column(r.ws, 3, 3, 28, NULL);
    worksheet_set_column(r.ws, 4, 4, 60, NULL);
}
