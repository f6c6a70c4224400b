/* Shared by the files of src/pipeline/: writing one output in either mode. */
#ifndef VP_PIPELINE_INTERNAL_H
#define VP_PIPELINE_INTERNAL_H

#include <stdio.h>

#include "vaultproof/pipeline.h"

/* Writes one document: fn(ctx, fp, label) produces the bytes. */
typedef vp_status (*vpp_writer)(const void *ctx, FILE *fp, const char *label, vp_error *err);

/* Writes path with fn in the given mode (vp_pipeline_write_mode); label (NULL: path)
 * names it in fn's messages. Errors: fn's, VP_ERR_IO naming path. */
vp_status vpp_write(const char *path, const char *label, vp_pipeline_write_mode mode, vpp_writer fn, const void *ctx,
                    vp_error *err);

#endif
