/* Parallel, deterministic gzip writer (pgzip.c) used by the archive writer. */
#ifndef VP_ARCHIVE_PGZIP_H
#define VP_ARCHIVE_PGZIP_H

#include <stdio.h>

#include "vaultproof/error.h"

typedef struct vpa_pgz vpa_pgz;

/* The 10 header bytes every member starts with: the reader compares them. */
extern const unsigned char vpa_gzip_header[10];

/* Where compressed bytes go (the archive file, or the reader's comparison with one). */
typedef vp_status (*vpa_pgz_sink)(void *ctx, const void *data, size_t len, vp_error *err);

/* Starts one gzip member written to fp (header: mtime 0, no name, OS 3) at the zlib
 * level given, deflated on up to `threads` threads (clamped to 1..8; callers pass the
 * online CPUs, tests several counts): the output does not depend on the number. Free
 * with vpa_pgz_free. Errors: VP_ERR_NOMEM. */
vp_status vpa_pgz_new_threads(FILE *fp, int level, int threads, vpa_pgz **out, vp_error *err);

/* As vpa_pgz_new_threads, writing through sink. */
vp_status vpa_pgz_new_sink(vpa_pgz_sink sink, void *ctx, int level, int threads, vpa_pgz **out, vp_error *err);

/* Compresses len bytes (buffered in 1 MiB blocks). Errors: VP_ERR_IO, VP_ERR_INTERNAL. */
vp_status vpa_pgz_write(vpa_pgz *z, const void *data, size_t len, vp_error *err);

/* Compresses what is buffered and writes the final block and the gzip trailer. */
vp_status vpa_pgz_finish(vpa_pgz *z, vp_error *err);

/* NULL is allowed. */
void vpa_pgz_free(vpa_pgz *z);

#endif
