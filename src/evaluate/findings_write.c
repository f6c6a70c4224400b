/* findings.json (docs/findings-format.md): record, parameters, control roll-ups per
 * framework citation, per-rule counts, then every finding on its own line. */
#include <stdlib.h>
#include <string.h>

#include "evaluate/internal.h"
#include "vaultproof/jsonw.h"
#include "vaultproof/tally.h"
#include "vaultproof/version.h"

static void w_counts(vp_jsonw *w, const size_t counts[VP_STATUS_COUNT])
{
    vp_jw_key(w, "counts");
    vp_jw_object(w, VP_JW_COMPACT);
    for (int s = 0; s < VP_STATUS_COUNT; s++)
        vp_jw_kint(w, vp_finding_status_name((vp_finding_status)s), (long long)counts[s]);
    vp_jw_end(w);
}

static void write_record(vp_jsonw *w, const vp_findings *f)
{
    char buf[32];
    const vp_snapshot *s = f->current.snapshot;
    vp_jw_kstring(w, "generated_at", vp_time_format(f->clock.epoch, buf, sizeof buf));
    vp_jw_tool(w, VP_JW_COMPACT, vp_version(), vp_commit());
    vp_jw_key(w, "catalog");
    vp_jw_object(w, VP_JW_COMPACT);
    vp_jw_kstring(w, "version", vp_catalog_version(f->catalog));
    vp_jw_kstring(w, "sha256", vp_catalog_sha256(f->catalog));
    vp_jw_end(w);
    vp_jw_key(w, "config");
    vp_jw_object(w, VP_JW_COMPACT);
    vp_jw_kstring(w, "path", vp_config_name(f->config));
    vp_jw_kstring(w, "sha256", vp_config_sha256(f->config));
    vp_jw_kstring(w, "organization", vp_config_organization(f->config));
    vp_jw_kstring(w, "report_title", vp_config_report_title(f->config));
    vp_jw_end(w);
    vp_jw_key(w, "snapshot");
    vp_jw_object(w, VP_JW_COMPACT);
    vp_jw_kstring(w, "file", f->current.label);
    vp_jw_kstring(w, "sha256", f->current.sha256);
    vp_jw_kstring(w, "generated_at", s->collection.generated_at);
    vp_jw_kstring(w, "captured_to", s->collection.captured_to);
    vp_jw_kstring(w, "as_of", f->as_of_text);
    vp_jw_kbool(w, "complete", s->collection.complete);
    vp_jw_kbool(w, "verified", s->collection.verified);
    vp_jw_end(w);
    vp_jw_key(w, "baselines");
    vp_jw_array(w, VP_JW_PRETTY);
    for (size_t b = 0; b < f->baseline_count; b++) {
        vp_jw_object(w, VP_JW_COMPACT);
        vp_jw_kstring(w, "file", f->baselines[b]->label);
        vp_jw_kstring(w, "sha256", f->baselines[b]->sha256);
        vp_jw_kstring(w, "generated_at", f->baselines[b]->snapshot->collection.generated_at);
        vp_jw_kstring(w, "captured_to", f->baselines[b]->snapshot->collection.captured_to);
        vp_jw_end(w);
    }
    vp_jw_end(w);
}

static void write_selector(vp_jsonw *w, const vp_selector *sel)
{
    vp_jw_object(w, VP_JW_COMPACT);
    vp_jw_key(w, "tags");
    vp_jw_object(w, VP_JW_COMPACT);
    for (size_t i = 0; i < sel->tag_count; i++) {
        vp_jw_key(w, sel->tags[i].key);
        vp_jw_array(w, VP_JW_COMPACT);
        for (size_t v = 0; v < sel->tags[i].value_count; v++)
            vp_jw_string(w, sel->tags[i].values[v]);
        vp_jw_end(w);
    }
    vp_jw_end(w);
    vp_jw_key(w, "names");
    vp_jw_array(w, VP_JW_COMPACT);
    for (size_t i = 0; i < sel->name_count; i++)
        vp_jw_string(w, sel->names[i]);
    vp_jw_end(w);
    vp_jw_end(w);
}

static void write_parameters(vp_jsonw *w, const vp_findings *f)
{
    const vp_eval_settings *e = f->settings;
    vp_jw_key(w, "parameters");
    vp_jw_object(w, VP_JW_PRETTY);
    vp_jw_key(w, "frameworks");
    vp_jw_array(w, VP_JW_COMPACT);
    if (e->hipaa)
        vp_jw_string(w, "hipaa");
    if (e->sox)
        vp_jw_string(w, "sox");
    vp_jw_end(w);
    vp_jw_kint(w, "rpo_hours", e->rpo_hours);
    vp_jw_kint(w, "hyper_care_days", e->hyper_care_days);
    vp_jw_key(w, "critical");
    write_selector(w, &e->critical);
    vp_jw_key(w, "classes");
    vp_jw_object(w, VP_JW_PRETTY);
    for (size_t i = 0; i < e->class_count; i++) {
        vp_jw_key(w, e->classes[i].name);
        write_selector(w, &e->classes[i].select);
    }
    vp_jw_end(w);
    vp_jw_key(w, "retention_minimums");
    vp_jw_array(w, VP_JW_PRETTY);
    for (size_t i = 0; i < e->retention_count; i++) {
        const vp_retention_rule *r = &e->retention[i];
        vp_jw_object(w, VP_JW_COMPACT);
        vp_jw_kstring(w, "class", r->class_name);
        vp_jw_kstring(w, "kind", r->kind);
        const char *keys[] = {"daily_days", "weekly_weeks", "monthly_months", "yearly_years"};
        const long long v[] = {r->minimum.daily_days, r->minimum.weekly_weeks, r->minimum.monthly_months,
                               r->minimum.yearly_years};
        for (int k = 0; k < 4; k++) {
            vp_jw_key(w, keys[k]);
            if (v[k] >= 0)
                vp_jw_int(w, v[k]);
            else
                vp_jw_null(w);
        }
        vp_jw_end(w);
    }
    vp_jw_end(w);
    vp_jw_kint(w, "exemptions", (long long)e->exemption_count);
    vp_jw_kint(w, "decommissioned", (long long)e->decommission_count);
    vp_jw_end(w);
}

/* {"snapshots": N, "of": M}, or with a period {"days"|"snapshots": N, "of": M, "unit": ...}:
 * the unit is written only with a period, so findings without one keep their bytes. */
static void w_operated(vp_jsonw *w, const vp_findings *f, size_t ok, size_t of, int days)
{
    vp_jw_key(w, "operated_effectively");
    vp_jw_object(w, VP_JW_COMPACT);
    vp_jw_kint(w, days ? "days" : "snapshots", (long long)ok);
    vp_jw_kint(w, "of", (long long)of);
    if (vp_findings_has_period(f))
        vp_jw_kstring(w, "unit", days ? "days" : "snapshots");
    vp_jw_end(w);
}

static void write_controls(vp_jsonw *w, const vp_findings *f)
{
    size_t nfw, nrules;
    const vp_framework *fws = vp_catalog_frameworks(f->catalog, &nfw);
    const vp_rule *rules = vp_catalog_rules(f->catalog, &nrules);
    vp_jw_key(w, "controls");
    vp_jw_array(w, VP_JW_PRETTY);
    for (size_t fi = 0; fi < nfw; fi++) {
        if (!vpe_framework_enabled(f, fws[fi].id))
            continue;
        for (size_t ci = 0; ci < fws[fi].citation_count; ci++) {
            const vp_citation *cit = &fws[fi].citations[ci];
            size_t total[VP_STATUS_COUNT] = {0}, counts[VP_STATUS_COUNT], ok_snapshots = 0;
            vp_jw_object(w, VP_JW_COMPACT);
            vp_jw_kstring(w, "framework", fws[fi].id);
            vp_jw_kstring(w, "citation", cit->id);
            vp_jw_kstring(w, "title", cit->title);
            vp_jw_key(w, "rules");
            vp_jw_array(w, VP_JW_COMPACT);
            for (size_t r = 0; r < nrules; r++)
                for (size_t k = 0; k < rules[r].citation_count; k++)
                    if (rules[r].citations[k] == cit) {
                        vp_jw_string(w, rules[r].id);
                        vp_findings_count(f, &rules[r], counts);
                        for (int s = 0; s < VP_STATUS_COUNT; s++)
                            total[s] += counts[s];
                    }
            vp_jw_end(w);
            size_t of;
            int days;
            vp_findings_operated_control(f, cit, &ok_snapshots, &of, &days);
            w_counts(w, total);
            vp_jw_kstring(w, "result", vp_result_of(total));
            w_operated(w, f, ok_snapshots, of, days);
            vp_jw_end(w);
        }
    }
    vp_jw_end(w);
}

static void write_rules(vp_jsonw *w, const vp_findings *f)
{
    size_t nrules, counts[VP_STATUS_COUNT], ok, total;
    const vp_rule *rules = vp_catalog_rules(f->catalog, &nrules);
    vp_jw_key(w, "rules");
    vp_jw_array(w, VP_JW_PRETTY);
    for (size_t r = 0; r < nrules; r++) {
        const vp_rule *rule = &rules[r];
        vp_jw_object(w, VP_JW_COMPACT);
        vp_jw_kstring(w, "id", rule->id);
        vp_jw_kstring(w, "title", rule->title);
        vp_jw_kstring(w, "severity", vp_severity_name(rule->severity));
        vp_jw_key(w, "citations");
        vp_jw_array(w, VP_JW_COMPACT);
        for (size_t k = 0; k < rule->citation_count; k++)
            if (vpe_framework_enabled(f, rule->citations[k]->framework))
                vp_jw_string(w, rule->citations[k]->id);
        vp_jw_end(w);
        vp_jw_key(w, "azure_policy");
        vp_jw_array(w, VP_JW_COMPACT);
        for (size_t k = 0; k < rule->azure_policy_count; k++)
            vp_jw_string(w, rule->azure_policy[k]);
        vp_jw_end(w);
        vp_findings_count(f, rule, counts);
        w_counts(w, counts);
        vp_jw_kstring(w, "result", vp_result_of(counts));
        int days;
        vp_findings_operated(f, rule, &ok, &total, &days);
        w_operated(w, f, ok, total, days);
        vp_jw_end(w);
    }
    vp_jw_end(w);
}

typedef struct {
    vp_jsonw *w;
    const vp_findings *f;
    vp_vault_counts *counts; /* or NULL */
} finding_writer;

static vp_status write_finding(void *ctx, const vp_finding *x, vp_error *err)
{
    vp_jsonw *w = ((finding_writer *)ctx)->w;
    const vp_findings *f = ((finding_writer *)ctx)->f;
    vp_vault_counts *c = ((finding_writer *)ctx)->counts;
    (void)err; /* the writer's errors are reported once, by vp_jw_finish */
    /* the same attribution as vp_tally_build's over the file (tally.c) */
    if (c && (unsigned)x->status < VP_STATUS_COUNT)
        c->by_vault[vp_tally_vault_of(f->current.snapshot, x->resource_id)][x->status]++;
    vp_jw_object(w, VP_JW_COMPACT);
    vp_jw_kstring(w, "rule", x->rule->id);
    vp_jw_kstring(w, "status", vp_finding_status_name(x->status));
    vp_jw_kstring(w, "severity", vp_severity_name(x->rule->severity));
    vp_jw_key(w, "resource");
    vp_jw_object(w, VP_JW_COMPACT);
    vp_jw_kstring(w, "type", x->resource_type);
    vp_jw_kstring(w, "id", x->resource_id);
    vp_jw_kstring(w, "name", x->resource_name);
    vp_jw_end(w);
    vp_jw_kstring(w, "observed", x->observed);
    vp_jw_kstring(w, "expected", x->expected);
    vp_jw_kstring(w, "note", x->note);
    vp_jw_key(w, "evidence");
    vp_jw_object(w, VP_JW_COMPACT);
    vp_jw_kstring(w, "snapshot", x->snapshot_pointer);
    vp_jw_kstring(w, "raw", x->raw_evidence);
    vp_jw_end(w);
    vp_jw_key(w, "exemption");
    if (x->exemption) {
        vp_jw_object(w, VP_JW_COMPACT);
        vp_jw_kint(w, "index", (long long)x->exemption->index);
        vp_jw_kstring(w, "resource", x->exemption->resource);
        vp_jw_kstring(w, "reason", x->exemption->reason);
        vp_jw_kstring(w, "approver", x->exemption->approver);
        vp_jw_kstring(w, "expires", x->exemption->expires);
        vp_jw_end(w);
    } else {
        vp_jw_null(w);
    }
    vp_jw_key(w, "citations");
    vp_jw_array(w, VP_JW_COMPACT);
    for (size_t k = 0; k < x->rule->citation_count; k++)
        if (vpe_framework_enabled(f, x->rule->citations[k]->framework))
            vp_jw_string(w, x->rule->citations[k]->id);
    vp_jw_end(w);
    vp_jw_end(w);
    return VP_OK;
}

static vp_status write_json(const vp_findings *f, FILE *fp, const char *label, vp_vault_counts *vc, vp_error *err)
{
    vp_jsonw w;
    size_t counts[VP_STATUS_COUNT];
    vp_jw_init(&w, fp);
    vp_jw_object(&w, VP_JW_PRETTY);
    vp_jw_kstring(&w, "format", VP_FINDINGS_FORMAT);
    write_record(&w, f);
    write_parameters(&w, f);
    vp_findings_count(f, NULL, counts);
    vp_jw_key(&w, "summary");
    vp_jw_object(&w, VP_JW_COMPACT);
    vp_jw_kint(&w, "findings", (long long)vp_findings_total(f));
    w_counts(&w, counts);
    vp_jw_kstring(&w, "result", vp_result_of(counts));
    vp_jw_end(&w);
    write_controls(&w, f);
    write_rules(&w, f);
    vp_jw_key(&w, "findings");
    vp_jw_array(&w, VP_JW_PRETTY);
    vp_status st = vp_findings_each(f, write_finding, &(finding_writer){&w, f, vc}, err);
    vp_jw_end(&w);
    vp_jw_end(&w);
    vp_error ignored;
    vp_status wst = vp_jw_finish(&w, label, st ? &ignored : err);
    return st ? st : wst;
}

vp_status vp_findings_write_json(const vp_findings *f, FILE *fp, const char *label, vp_error *err)
{
    return write_json(f, fp, label, NULL, err);
}

vp_status vp_findings_write_json_counted(const vp_findings *f, FILE *fp, const char *label, vp_vault_counts *counts,
                                         vp_error *err)
{
    size_t nv = f->current.snapshot->vault_count;
    vp_vault_counts_free(counts); /* a second write counts afresh */
    counts->by_vault = calloc(nv + 1, sizeof *counts->by_vault);
    if (!counts->by_vault)
        return vp_error_set(err, VP_ERR_NOMEM, "evaluate: out of memory counting the findings of %zu vaults", nv);
    counts->vault_count = nv;
    return write_json(f, fp, label, counts, err);
}

void vp_vault_counts_free(vp_vault_counts *counts)
{
    if (!counts)
        return;
    free(counts->by_vault);
    memset(counts, 0, sizeof *counts);
}
