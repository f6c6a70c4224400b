/* The stages' outputs, published for a user or staged for a bundle. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pipeline/internal.h"
#include "vaultproof/fileio.h"

vp_status vpp_write(const char *path, const char *label, vp_pipeline_write_mode mode, vpp_writer fn, const void *ctx,
                    vp_error *err)
{
    if (!label)
        label = path;
    if (mode == VP_PIPELINE_STAGED) {
        /* a staging directory is discarded whole on failure and synced once as the
         * bundle: neither a temporary name nor an fsync per file is needed */
        FILE *fp = fopen(path, "wbx");
        if (!fp)
            return vp_error_set(err, VP_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
        vp_status st = fn(ctx, fp, label, err);
        if (fclose(fp) && !st)
            st = vp_error_set(err, VP_ERR_IO, "%s: write failed", path);
        return st;
    }
    vp_output *out = NULL;
    vp_status st = vp_output_open(path, &out, err);
    if (st)
        return st;
    if ((st = fn(ctx, vp_output_stream(out), label, err))) {
        vp_output_abort(out);
        return st;
    }
    return vp_output_commit(out, err);
}

static vp_status write_snapshot(const void *ctx, FILE *fp, const char *label, vp_error *err)
{
    return vp_snapshot_write_json(ctx, fp, label, err);
}

vp_status vp_pipeline_write_snapshot(const vp_snapshot *snap, const char *path, const char *label,
                                     vp_pipeline_write_mode mode, char sha256[65], vp_error *err)
{
    vp_status st = vpp_write(path, label, mode, write_snapshot, snap, err);
    return st || !sha256 ? st : vp_sha256_file(path, sha256, err);
}

typedef struct {
    const vp_findings *f;
    const char *findings_sha256;
} oscal_ctx;

static vp_status write_oscal(const void *ctx, FILE *fp, const char *label, vp_error *err)
{
    const oscal_ctx *c = ctx;
    return vp_findings_write_oscal(c->f, c->findings_sha256, fp, label, err);
}

vp_status vp_pipeline_write_oscal(const vp_findings *f, const char *findings_sha256, const char *path,
                                  const char *label, vp_pipeline_write_mode mode, vp_error *err)
{
    oscal_ctx c = {f, findings_sha256};
    return vpp_write(path, label, mode, write_oscal, &c, err);
}
