/* Shared by the files of src/pipeline/: writing one output in either mode. */
#ifndef VP_PIPELINE_INTERNAL_H
#define VP_PIPELINE_INTERNAL_H

#include <stdio.h>

#include "vaultproof/pipeline.h"

/* Writes one document: fn(ctx, fp, label) produces the bytes. */
typedef vp_status (*vpp_writer)(const void *ctx, FILE *fp, const char *label, vp_error *err);

/* Writes path with fn in the given mode (vp_pipeline_write_mode; STAGED: path is
 * relative to dir_fd); label (NULL: path) names it in fn's messages. sha256 (may be
 * NULL) receives the hash of the bytes written ("" for "-"): STAGED, read back through
 * the descriptor written; PUBLISH, read from path once published.
 * Errors: fn's, VP_ERR_IO naming path. */
vp_status vpp_write(const char *path, const char *label, vp_pipeline_write_mode mode, int dir_fd, vpp_writer fn,
                    const void *ctx, char sha256[65], vp_error *err);

#endif
