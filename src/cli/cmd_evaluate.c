/* vaultproof evaluate: findings from a snapshot, the control catalog and the config. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "vaultproof/catalog.h"
#include "vaultproof/config.h"
#include "vaultproof/evaluate.h"
#include "vaultproof/fileio.h"

static const char synopsis[] =
    "usage: vaultproof evaluate --snapshot FILE --config FILE [--baseline FILE]...\n"
    "                           [--out FINDINGS] [--oscal FILE] [--fail-on SEVERITY] [options]\n"
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
    "2 usage; 3 invalid input (snapshot, config: file and JSON path named); 6 I/O.\n"
    "\n"
    "Example:\n"
    "  vaultproof evaluate --snapshot snapshot.json --config vaultproof.json \\\n"
    "      --out findings.json --oscal assessment-results.json --fail-on high\n";

const vp_cli_help vp_help_evaluate = {"evaluate", synopsis, specs, sizeof specs / sizeof specs[0], epilogue};

/* Loads a snapshot and the SHA-256 of its bytes. */
static vp_status load_snapshot(const char *path, vp_snapshot **snap, char sha[65], vp_error *err)
{
    vp_status st = vp_sha256_file(path, sha, err);
    return st ? st : vp_snapshot_read_json(path, snap, err);
}

static vp_status write_output(const char *path, const vp_findings *f, const char *findings_sha, int oscal, vp_error *err)
{
    vp_output *out = NULL;
    vp_status st = vp_output_open(path, &out, err);
    if (st)
        return st;
    st = oscal ? vp_findings_write_oscal(f, findings_sha, vp_output_stream(out), path, err)
               : vp_findings_write_json(f, vp_output_stream(out), path, err);
    if (st) {
        vp_output_abort(out);
        return st;
    }
    return vp_output_commit(out, err);
}

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
    size_t nbase = 0;
    const char *const *base_paths = vp_opts_all(o, "baseline", &nbase);
    vp_severity threshold = VP_SEV_LOW;
    vp_config *cfg = NULL;
    vp_catalog *cat = NULL;
    vp_snapshot *snap = NULL;
    vp_snapshot_ref current = {0}, *bases = NULL;
    vp_findings *f = NULL;
    vp_evaluate_options opt = {0};
    char sha[65], findings_sha[65], (*base_sha)[65] = NULL;
    vp_status st;

    if (!snap_path || !cfg_path)
        return vp_error_set(err, VP_ERR_USAGE, "evaluate: --snapshot FILE and --config FILE are required; see "
                            "'vaultproof help evaluate'");
    if (fail_on && vp_severity_parse(fail_on, &threshold))
        return vp_error_set(err, VP_ERR_USAGE, "evaluate: --fail-on '%s': expected low, medium, high or critical", fail_on);
    if (!out_path)
        out_path = "findings.json";
    if (oscal && !strcmp(oscal, out_path))
        return vp_error_set(err, VP_ERR_USAGE, "evaluate: --oscal and --out name the same file");
    if ((st = vp_cli_clock(o, &opt.clock, err)) || (st = vp_config_load(cfg_path, &cfg, err)) ||
        (st = vp_catalog_builtin(&cat, err)) || (st = load_snapshot(snap_path, &snap, sha, err)))
        goto done;
    current = (vp_snapshot_ref){snap_path, sha, snap};
    bases = calloc(nbase + 1, sizeof *bases);
    base_sha = calloc(nbase + 1, sizeof *base_sha);
    if (!bases || !base_sha) {
        st = vp_error_set(err, VP_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t b = 0; b < nbase && !st; b++) {
        vp_snapshot *bs = NULL;
        st = load_snapshot(base_paths[b], &bs, base_sha[b], err);
        bases[b] = (vp_snapshot_ref){base_paths[b], base_sha[b], bs};
    }
    if (!st) {
        opt.baselines = bases;
        opt.baseline_count = nbase;
        opt.config_label = cfg_path;
        st = vp_evaluate(&current, cat, cfg, &opt, &f, err);
    }
    if (!st)
        st = write_output(out_path, f, NULL, 0, err);
    if (!st && oscal) {
        findings_sha[0] = '\0';
        if (strcmp(out_path, "-") && (st = vp_sha256_file(out_path, findings_sha, err)))
            goto done;
        st = write_output(oscal, f, findings_sha[0] ? findings_sha : NULL, 1, err);
    }
    if (!st) {
        if (!vp_opts_has(o, "quiet"))
            summary(f, cat);
        *code = fail_on && vp_findings_any_failing(f, threshold) ? vp_exit_code(VP_ERR_CHECK) : 0;
        if (*code && !vp_opts_has(o, "quiet"))
            fprintf(stderr, "vaultproof: evaluate: a finding of severity %s or higher failed or is incomplete "
                            "(--fail-on)\n", vp_severity_name(threshold));
    }
done:
    for (size_t b = 0; bases && b < nbase; b++)
        vp_snapshot_free((vp_snapshot *)bases[b].snapshot);
    free(base_sha);
    vp_findings_free(f);
    free(bases);
    vp_snapshot_free(snap);
    vp_catalog_free(cat);
    vp_config_free(cfg);
    return st;
}

int vp_cmd_evaluate(int argc, char **argv)
{
    return vp_cli_main(argc, argv, &vp_help_evaluate, run);
}
