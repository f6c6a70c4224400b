/* The evaluate stage: snapshots with their hashes, the evaluation, findings.json and
 * the OSCAL document that cites it. */
#include <stdlib.h>
#include <string.h>

#include "pipeline/internal.h"
#include "vaultproof/fileio.h"

struct vp_pipeline_baselines {
    vp_snapshot_ref *refs;
    char (*sha)[65];
    char **labels;
    size_t count;
};

vp_status vp_pipeline_snapshot_load(const char *path, vp_snapshot **out, char sha256[65], vp_error *err)
{
    *out = NULL;
    vp_status st = vp_sha256_file(path, sha256, err);
    return st ? st : vp_snapshot_read_json(path, out, err);
}

void vp_pipeline_baselines_free(vp_pipeline_baselines *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->count; i++) {
        vp_snapshot_free((vp_snapshot *)b->refs[i].snapshot);
        free(b->labels[i]);
    }
    free(b->refs);
    free(b->sha);
    free(b->labels);
    free(b);
}

vp_status vp_pipeline_baselines_load(const char *const *paths, const char *const *labels, size_t count,
                                     vp_pipeline_baselines **out, vp_error *err)
{
    vp_pipeline_baselines *b = calloc(1, sizeof *b);
    vp_status st = VP_OK;
    *out = NULL;
    if (b) {
        b->refs = calloc(count + 1, sizeof *b->refs);
        b->sha = calloc(count + 1, sizeof *b->sha);
        b->labels = calloc(count + 1, sizeof *b->labels);
    }
    if (!b || !b->refs || !b->sha || !b->labels) {
        vp_pipeline_baselines_free(b);
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < count && !st; i++) {
        vp_snapshot *snap = NULL;
        if ((st = vp_pipeline_snapshot_load(paths[i], &snap, b->sha[i], err)))
            break;
        if (!(b->labels[i] = strdup(labels ? labels[i] : paths[i]))) {
            vp_snapshot_free(snap);
            st = vp_error_set(err, VP_ERR_NOMEM, "out of memory");
            break;
        }
        b->refs[i] = (vp_snapshot_ref){b->labels[i], b->sha[i], snap};
        b->count++;
    }
    if (st) {
        vp_pipeline_baselines_free(b);
        return st;
    }
    *out = b;
    return VP_OK;
}

const vp_snapshot_ref *vp_pipeline_baselines_refs(const vp_pipeline_baselines *b, size_t *count)
{
    *count = b ? b->count : 0;
    return b ? b->refs : NULL;
}

/* findings.json, then the OSCAL document citing its hash: a document on stdout has
 * none to cite. */
static vp_status write_outputs(const vp_pipeline_evaluate_options *opt, const vp_findings *f, int want_sha,
                               char sha[65], vp_error *err)
{
    vp_status st;
    sha[0] = '\0';
    if (!opt->findings_path)
        return opt->oscal_path ? vp_pipeline_write_oscal_at(f, NULL, opt->dir_fd, opt->oscal_path, opt->oscal_label,
                                                            opt->mode, NULL, err)
                               : VP_OK;
    /* hashed only when someone cites it: findings.json of a large estate is big */
    if ((st = vp_pipeline_write_findings_at(f, opt->dir_fd, opt->findings_path, opt->findings_label, opt->mode, NULL,
                                            want_sha || opt->oscal_path ? sha : NULL, err)))
        return st;
    if (!opt->oscal_path)
        return VP_OK;
    return vp_pipeline_write_oscal_at(f, sha[0] ? sha : NULL, opt->dir_fd, opt->oscal_path, opt->oscal_label,
                                      opt->mode, NULL, err);
}

vp_status vp_pipeline_evaluate(const vp_pipeline_evaluate_options *opt, vp_findings **out, char findings_sha256[65],
                               vp_error *err)
{
    vp_evaluate_options eo = {0};
    vp_findings *f = NULL;
    char sha[65];
    *out = NULL;
    if (findings_sha256)
        findings_sha256[0] = '\0';
    vp_status st = vp_pipeline_check_distinct(opt->oscal_path, "oscal", opt->findings_path, "out", "evaluate", err);
    if (st)
        return st;
    if (!opt->config || !opt->catalog || !opt->snapshot.snapshot)
        return vp_error_set(err, VP_ERR_USAGE, "evaluate: a snapshot, a config and the control catalog are required");
    eo.clock = opt->clock;
    eo.baselines = opt->baselines;
    eo.baseline_count = opt->baseline_count;
    eo.config_label = opt->config_label;
    vp_timeline *tl = NULL;
    if (opt->jobs_path && (st = vp_timeline_build(opt->jobs_path, opt->jobs_label, opt->snapshot.snapshot, &tl, err)))
        return st;
    eo.timeline = tl;
    eo.take_timeline = 1; /* read again each time the findings are written */
    st = vp_evaluate(&opt->snapshot, opt->catalog, opt->config, &eo, &f, err);
    if (st || (st = write_outputs(opt, f, findings_sha256 != NULL, sha, err))) {
        vp_findings_free(f);
        return st;
    }
    if (findings_sha256)
        memcpy(findings_sha256, sha, sizeof sha);
    *out = f;
    return VP_OK;
}
