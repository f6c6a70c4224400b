/* Shared by ledger.c (the chain) and ledger_sig.c (each line's signature). */
#ifndef VP_PACK_LEDGER_INTERNAL_H
#define VP_PACK_LEDGER_INTERNAL_H

#include <stddef.h>

#include "vaultproof/error.h"
#include "vaultproof/ledger.h"
#include "vaultproof/sign.h"

/* Signs the exact bytes of ledger line seq (newline included) and writes the detached
 * CMS to its signature file atomically (temp file, fsync, rename, directory fsync),
 * creating the signature directory when needed. Called before the line itself is
 * published, so a line never exists without its signature; a signature left by an
 * append that died before publishing is simply overwritten by the next append. */
vp_status vpk_ledger_sign_line(const char *ledger, long long seq, long long time, const char *line, size_t len,
                               const vp_signer *signer, vp_error *err);

/* The directory part of path ("." when none, "/" for the root), into dir. */
void vpk_dir_of(const char *path, char *dir, size_t size);

/* The entry among v[0..n) whose bundle is named bundle, or NULL. */
const vp_ledger_entry *vpk_ledger_by_bundle(const vp_ledger_entry *v, size_t n, const char *bundle);

#endif
