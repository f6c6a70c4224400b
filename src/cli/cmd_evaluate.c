/* vaultproof evaluate: findings from a snapshot, the control catalog and the config. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "vaultproof/catalog.h"
#include "vaultproof/config.h"
#include "vaultproof/evaluate.h"
#include "vaultproof/pipeline.h"

static const char synopsis[] =
    "usage: vaultproof evaluate --snapshot FILE --config FILE [--baseline FILE]...\n"
    "                           [--jobs FILE] [--out FINDINGS] [--oscal FILE] [--fail-on SEVERITY] [options]\n"
    "\n"
    "Applies the control catalog ('vaultproof controls') to a snapshot made by 'collect'\n"
    "and writes findings.json (docs/findings-format.md): one finding per rule and in-scope\n"
    "resource, passes included, with observed and expected values, the evidence pointer\n"
    "into the snapshot and the raw response, and HIPAA / SOX roll-ups per citation.\n"
    "Anything resting on data that was not fully collected is 'incomplete', never 'pass'.\n"
    "\n";

static const vp_opt_spec specs[] = {
    {"snapshot", "FILE", 0, "the snapshot to evaluate (required)"},
    {"config", "FILE", 0, "vaultproof.json: classes, retention minimums, RPO, exemptions,\n"
                          "decommissioned servers, rule parameters (required; docs/config.md)"},
    {"baseline", "FILE", VP_OPT_REPEATABLE, "an earlier snapshot of the period (repeatable): adds drift findings\n"
                                            "and 'operated effectively on N of M snapshots' per control"},
    {"jobs", "FILE", 0, "the snapshot's jobs stream (collect --period ... --jobs-out FILE): backup.ran\n"
                        "and restore.tested judge the period from it; its SHA-256 must be the\n"
                        "snapshot's collection.jobs.sha256 (else exit 3)"},
    {"out", "FILE", 0, "findings.json path (default findings.json; - = stdout)"},
    {"oscal", "FILE", 0, "also write NIST OSCAL 1.1.2 assessment-results JSON"},
    {"fail-on", "SEVERITY", 0, "exit 1 when a finding of at least this severity (low, medium,\n"
                               "high, critical) is 'fail' or 'incomplete'"},
    {"now", "TIME", 0, "pin the clock (RFC 3339 UTC or @EPOCH); SOURCE_DATE_EPOCH too"},
    {"quiet", NULL, 0, "no summary on stderr"},
    {"help", NULL, VP_OPT_HIDDEN, NULL},
};

static const char epilogue[] =
    "\n"
    "Exit status: 0 findings written; 1 --fail-on threshold met (findings still written);\n"
    "2 usage; 3 invalid input (snapshot, config, a jobs stream not the snapshot's: file and\n"
    "JSON path or both hashes named); 6 I/O.\n"
    "\n"
    "Example:\n"
    "  vaultproof evaluate --snapshot snapshot.json --config vaultproof.json \\\n"
    "      --out findings.json --oscal assessment-results.json --fail-on high\n";

const vp_cli_help vp_help_evaluate = {"evaluate", synopsis, specs, sizeof specs / sizeof specs[0], epilogue};

static void summary(const vp_findings *f, const vp_catalog *cat)
{
    size_t counts[VP_STATUS_COUNT], n;
    const vp_rule *rules = vp_catalog_rules(cat, &n);
    vp_findings_count(f, NULL, counts);
    fprintf(stderr, "findings: %zu pass, %zu warn, %zu fail, %zu incomplete, %zu exempt, %zu not-applicable\n",
            counts[VP_PASS], counts[VP_WARN], counts[VP_FAIL], counts[VP_INCOMPLETE], counts[VP_EXEMPT],
            counts[VP_NOT_APPLICABLE]);
    for (size_t r = 0; r < n; r++) {
        vp_findings_count(f, &rules[r], counts);
        if (counts[VP_FAIL] || counts[VP_INCOMPLETE])
            fprintf(stderr, "  %-36s %-8s %zu fail, %zu incomplete\n", rules[r].id, vp_severity_name(rules[r].severity),
                    counts[VP_FAIL], counts[VP_INCOMPLETE]);
    }
}

static vp_status run(const vp_opts *o, int *code, vp_error *err)
{
    const char *snap_path = vp_opts_get(o, "snapshot"), *cfg_path = vp_opts_get(o, "config");
    const char *out_path = vp_opts_get(o, "out"), *oscal = vp_opts_get(o, "oscal"), *fail_on = vp_opts_get(o, "fail-on");
    size_t nbase = 0, nrefs = 0;
    const char *const *base_paths = vp_opts_all(o, "baseline", &nbase);
    vp_severity threshold = VP_SEV_LOW;
    vp_config *cfg = NULL;
    vp_catalog *cat = NULL;
    vp_snapshot *snap = NULL;
    vp_pipeline_baselines *bases = NULL;
    vp_findings *f = NULL;
    vp_pipeline_evaluate_options eo = {0};
    char sha[65];
    vp_status st;

    if (!snap_path || !cfg_path)
        return vp_error_set(err, VP_ERR_USAGE, "evaluate: --snapshot FILE and --config FILE are required; see "
                            "'vaultproof help evaluate'");
    if (fail_on && vp_severity_parse(fail_on, &threshold))
        return vp_error_set(err, VP_ERR_USAGE, "evaluate: --fail-on '%s': expected low, medium, high or critical", fail_on);
    if (!out_path)
        out_path = "findings.json";
    if ((st = vp_pipeline_check_distinct(oscal, "oscal", out_path, "out", "evaluate", err)))
        return st;
    if ((st = vp_cli_clock(o, &eo.clock, err)) || (st = vp_config_load(cfg_path, &cfg, err)) ||
        (st = vp_catalog_builtin(&cat, err)) || (st = vp_pipeline_snapshot_load(snap_path, &snap, sha, err)) ||
        (st = vp_pipeline_baselines_load(base_paths, NULL, nbase, &bases, err)))
        goto done;
    eo.config = cfg;
    eo.config_label = cfg_path;
    eo.catalog = cat;
    eo.snapshot = (vp_snapshot_ref){snap_path, sha, snap};
    eo.baselines = vp_pipeline_baselines_refs(bases, &nrefs);
    eo.baseline_count = nrefs;
    eo.findings_path = out_path;
    eo.oscal_path = oscal;
    eo.jobs_path = vp_opts_get(o, "jobs");
    if ((st = vp_pipeline_evaluate(&eo, &f, NULL, err)))
        goto done;
    if (!vp_opts_has(o, "quiet"))
        summary(f, cat);
    *code = fail_on && vp_findings_any_failing(f, threshold) ? vp_exit_code(VP_ERR_CHECK) : 0;
    if (*code && !vp_opts_has(o, "quiet"))
        fprintf(stderr, "vaultproof: evaluate: a finding of severity %s or higher failed or is incomplete "
                        "(--fail-on)\n", vp_severity_name(threshold));
done:
    vp_findings_free(f);
    vp_pipeline_baselines_free(bases);
    vp_snapshot_free(snap);
    vp_catalog_free(cat);
    vp_config_free(cfg);
    return st;
}

int vp_cmd_evaluate(int argc, char **argv)
{
    return vp_cli_main(argc, argv, &vp_help_evaluate, run);
}
