/* Shared by src/pack/pack.c, manifest.c and verify.c: file trees and the manifest. */
#ifndef VP_PACK_INTERNAL_H
#define VP_PACK_INTERNAL_H

#include <stddef.h>

#include "vaultproof/error.h"

/* Every regular file below root as relative '/'-separated paths, sorted bytewise.
 * Symlinks and other non-regular files are refused (VP_ERR_INPUT naming them). */
vp_status vpk_list_files(const char *root, char ***paths, size_t *count, vp_error *err);
void vpk_free_list(char **paths, size_t count);

/* out = a "/" b; VP_ERR_INPUT naming both when it does not fit. */
vp_status vpk_join(char *out, size_t size, const char *a, const char *b, vp_error *err);
/* Creates every missing parent directory of root/rel (mode 0755). */
vp_status vpk_make_parents(const char *root, const char *rel, vp_error *err);
vp_status vpk_copy_file(const char *src, const char *dst, vp_error *err);
vp_status vpk_write_bytes(const char *path, const void *data, size_t len, vp_error *err);
/* Removes a directory tree without following symlinks. Best effort. */
void vpk_remove_tree(const char *dir);

/* staging/README.txt: how to verify the bundle by hand, step by step. */
vp_status vpk_write_readme(const char *staging, vp_error *err);

/* What manifest.json says besides the file list. NULL strings are written as null. */
typedef struct {
    const char *organization, *period, *request_id, *generated_at;
    const char *tool_version, *tool_commit, *catalog_version, *config_sha256;
    const char *captured_from, *captured_to;
    int complete, verified;
    const char *result, *previous_bundle_sha256, *signer_subject;
} vpk_manifest_meta;

/* Writes staging/manifest.json over every file then in staging, and staging/SHA256SUMS
 * over every file including manifest.json. */
vp_status vpk_write_manifest(const char *staging, const vpk_manifest_meta *meta, vp_error *err);
vp_status vpk_write_sums(const char *staging, vp_error *err);

#define VPK_MANIFEST "manifest.json"
#define VPK_SIGNATURE "manifest.json.p7s"
#define VPK_SUMS "SHA256SUMS"

#endif
