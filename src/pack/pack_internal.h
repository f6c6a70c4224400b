/* Shared by src/pack/pack.c, manifest.c, seal.c and recover.c: file trees, the manifest,
 * sealing and crash recovery. */
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

/* staging/README.txt: how to verify the bundle by hand, step by step. */
vp_status vpk_write_readme(const char *staging, vp_error *err);

/* What manifest.json says besides the file list. NULL strings are written as null. */
typedef struct {
    const char *organization, *period, *request_id, *generated_at;
    const char *tool_version, *tool_commit, *catalog_version, *config_sha256;
    const char *captured_from, *captured_to;
    int complete, verified;
    const char *result, *previous_bundle_sha256, *signer_subject;
    int timestamped; /* manifest.json.tsr and time-stamp tokens are part of the bundle */
} vpk_manifest_meta;

/* Every file the manifest lists (sorted relative paths) with its SHA-256. */
typedef struct {
    char **paths;
    char (*sha)[65];
    size_t count;
} vpk_file_hashes;
void vpk_file_hashes_free(vpk_file_hashes *h);

/* Writes staging/manifest.json over every file then in staging, and fills *hashes (free
 * with vpk_file_hashes_free; empty on failure). Then vpk_write_sums writes
 * staging/SHA256SUMS over every file including manifest.json, taking the hashes it
 * already has from known (may be NULL) - the files are not changed in between. */
vp_status vpk_write_manifest(const char *staging, const vpk_manifest_meta *meta, vpk_file_hashes *hashes,
                             vp_error *err);
vp_status vpk_write_sums(const char *staging, const vpk_file_hashes *known, vp_error *err);

/* seal.c: replaces staging/report/report.pdf by the same PDF with its PAdES signature
 * (claimed time: the pinned clock; B-T when opt->tsa_url is set). */
struct vp_signer;
vp_status vpk_sign_report(const char *staging, const struct vp_signer *signer, const char *tsa_url,
                          const char *ca_bundle, long long claimed_time, vp_error *err);

/* seal.c, with a TSA only: adds a signature-time-stamp to the manifest signature *der
 * (replaced; the old buffer is freed) and writes staging/manifest.json.tsr, a second
 * time-stamp over the final signature bytes. Every TSA failure is VP_ERR_CRYPTO. */
vp_status vpk_timestamp_manifest(const char *staging, const char *tsa_url, const char *ca_bundle, unsigned char **der,
                                 size_t *der_len, vp_error *err);

/* Crash safety of an archive (recover.c). A bundle is first written as
 * ARCHIVE/.pending-NAME and renamed to NAME only after the ledger records it. */
#define VPK_PENDING_PREFIX ".pending-"

/* Takes ARCHIVE/.pack.lock exclusively without waiting; *fd holds it until closed (or
 * the process ends). VP_ERR_IO when another pack holds it. */
vp_status vpk_archive_lock(const char *archive_dir, int *fd, vp_error *err);

/* With the lock held: removes staging directories and temporary files an interrupted
 * pack left, renames each pending bundle the ledger records (same SHA-256) into place and
 * removes each one it does not. Errors: VP_ERR_CHECK when the ledger does not verify or
 * a recorded pending bundle does not match its entry; VP_ERR_IO. */
vp_status vpk_archive_recover(const char *archive_dir, const char *ledger, vp_error *err);


#endif
