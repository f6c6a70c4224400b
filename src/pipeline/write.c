/* The stages' outputs, published for a user or staged for a bundle. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pipeline/internal.h"
#include "vaultproof/fileio.h"

/* A staged file is created relative to the staging directory's descriptor, never by a
 * path through the shared archive directory, and hashed by reading back through the
 * descriptor it was written with (docs/security.md, 2). */
static vp_status write_staged(int dir_fd, const char *path, const char *label, vpp_writer fn, const void *ctx,
                              char sha256[65], vp_error *err)
{
    /* a staging directory is discarded whole on failure and synced once as the bundle:
     * neither a temporary name nor an fsync per file is needed */
    int fd = openat(dir_fd, path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return vp_error_set(err, VP_ERR_IO, "%s: cannot create: %s", label, strerror(errno));
    FILE *fp = fdopen(fd, "wb");
    if (!fp) {
        close(fd);
        return vp_error_set(err, VP_ERR_IO, "%s: cannot open a stream", label);
    }
    vp_status st = fn(ctx, fp, label, err);
    if (fflush(fp) && !st)
        st = vp_error_set(err, VP_ERR_IO, "%s: write failed: %s", label, strerror(errno));
    if (!st && sha256)
        st = vp_sha256_fd(fd, label, sha256, NULL, err);
    if (fclose(fp) && !st)
        st = vp_error_set(err, VP_ERR_IO, "%s: write failed", label);
    return st;
}

vp_status vpp_write(const char *path, const char *label, vp_pipeline_write_mode mode, int dir_fd, vpp_writer fn,
                    const void *ctx, char sha256[65], vp_error *err)
{
    if (!label)
        label = path;
    if (sha256)
        sha256[0] = '\0';
    if (mode == VP_PIPELINE_STAGED)
        return write_staged(dir_fd, path, label, fn, ctx, sha256, err);
    vp_output *out = NULL;
    vp_status st = vp_output_open(path, &out, err);
    if (st)
        return st;
    if ((st = fn(ctx, vp_output_stream(out), label, err))) {
        vp_output_abort(out);
        return st;
    }
    if ((st = vp_output_commit(out, err)) || !sha256 || !strcmp(path, "-"))
        return st;
    return vp_sha256_file(path, sha256, err);
}

static vp_status write_snapshot(const void *ctx, FILE *fp, const char *label, vp_error *err)
{
    return vp_snapshot_write_json(ctx, fp, label, err);
}

vp_status vp_pipeline_write_snapshot(const vp_snapshot *snap, const char *path, const char *label,
                                     vp_pipeline_write_mode mode, char sha256[65], vp_error *err)
{
    return vp_pipeline_write_snapshot_at(snap, AT_FDCWD, path, label, mode, sha256, err);
}

vp_status vp_pipeline_write_snapshot_at(const vp_snapshot *snap, int dir_fd, const char *path, const char *label,
                                        vp_pipeline_write_mode mode, char sha256[65], vp_error *err)
{
    return vpp_write(path, label, mode, dir_fd, write_snapshot, snap, sha256, err);
}

typedef struct {
    const vp_findings *f;
    vp_vault_counts *counts; /* or NULL */
} findings_ctx;

static vp_status write_findings(const void *ctx, FILE *fp, const char *label, vp_error *err)
{
    const findings_ctx *c = ctx;
    return c->counts ? vp_findings_write_json_counted(c->f, fp, label, c->counts, err)
                     : vp_findings_write_json(c->f, fp, label, err);
}

vp_status vp_pipeline_write_findings_at(const vp_findings *f, int dir_fd, const char *path, const char *label,
                                        vp_pipeline_write_mode mode, vp_vault_counts *counts, char sha256[65],
                                        vp_error *err)
{
    return vpp_write(path, label, mode, dir_fd, write_findings, &(findings_ctx){f, counts}, sha256, err);
}

typedef struct {
    const vp_findings *f;
    const char *findings_sha256; /* when hash is NULL */
    vp_oscal_findings_hash hash;
    void *hash_ctx;
} oscal_ctx;

static vp_status write_oscal(const void *ctx, FILE *fp, const char *label, vp_error *err)
{
    const oscal_ctx *c = ctx;
    return c->hash ? vp_findings_write_oscal_awaiting(c->f, c->hash, c->hash_ctx, fp, label, err)
                   : vp_findings_write_oscal(c->f, c->findings_sha256, fp, label, err);
}

vp_status vp_pipeline_write_oscal(const vp_findings *f, const char *findings_sha256, const char *path,
                                  const char *label, vp_pipeline_write_mode mode, vp_error *err)
{
    return vp_pipeline_write_oscal_at(f, findings_sha256, AT_FDCWD, path, label, mode, NULL, err);
}

vp_status vp_pipeline_write_oscal_at(const vp_findings *f, const char *findings_sha256, int dir_fd, const char *path,
                                     const char *label, vp_pipeline_write_mode mode, char sha256[65], vp_error *err)
{
    oscal_ctx c = {f, findings_sha256, NULL, NULL};
    return vpp_write(path, label, mode, dir_fd, write_oscal, &c, sha256, err);
}

vp_status vp_pipeline_write_oscal_awaiting_at(const vp_findings *f, vp_oscal_findings_hash hash, void *hash_ctx,
                                              int dir_fd, const char *path, const char *label,
                                              vp_pipeline_write_mode mode, char sha256[65], vp_error *err)
{
    oscal_ctx c = {f, NULL, hash, hash_ctx};
    return vpp_write(path, label, mode, dir_fd, write_oscal, &c, sha256, err);
}
