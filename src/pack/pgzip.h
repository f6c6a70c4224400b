/* Parallel, deterministic gzip writer (pgzip.c) used by the archive writer. */
#ifndef VP_PACK_PGZIP_H
#define VP_PACK_PGZIP_H

#include <stdio.h>

#include "vaultproof/error.h"

typedef struct vpk_pgz vpk_pgz;

/* Starts one gzip member written to fp (header: mtime 0, no name, OS 3) at the zlib
 * level given. Uses up to one thread per online CPU (at most 8); the output does not
 * depend on the number. Free with vpk_pgz_free. Errors: VP_ERR_NOMEM. */
vp_status vpk_pgz_new(FILE *fp, int level, vpk_pgz **out, vp_error *err);

/* As vpk_pgz_new with a given number of threads (clamped to 1..8); for tests that show
 * the output does not depend on it. */
vp_status vpk_pgz_new_threads(FILE *fp, int level, int threads, vpk_pgz **out, vp_error *err);

/* Compresses len bytes (buffered in 1 MiB blocks). Errors: VP_ERR_IO, VP_ERR_INTERNAL. */
vp_status vpk_pgz_write(vpk_pgz *z, const void *data, size_t len, vp_error *err);

/* Compresses what is buffered and writes the final block and the gzip trailer. */
vp_status vpk_pgz_finish(vpk_pgz *z, vp_error *err);

/* NULL is allowed. */
void vpk_pgz_free(vpk_pgz *z);

#endif
