/* Shared by ledger.c (the chain) and ledger_sig.c (each line's signature). */
#ifndef VP_LEDGER_INTERNAL_H
#define VP_LEDGER_INTERNAL_H

#include <stddef.h>

#include "vaultproof/error.h"
#include "vaultproof/keys.h"

/* Signs the exact bytes of ledger line seq (newline included) and writes the detached
 * CMS to its signature file atomically (temp file, fsync, rename, directory fsync),
 * creating the signature directory when needed. Called before the line itself is
 * published, so a line never exists without its signature; a signature left by an
 * append that died before publishing is simply overwritten by the next append. */
vp_status vpl_sign_line(const char *ledger, long long seq, long long time, const char *line, size_t len,
                          const vp_signer *signer, vp_error *err);

#endif
