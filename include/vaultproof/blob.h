/*
 * vaultproof/blob.h - the bundle archive in Azure Blob Storage (docs/archive-storage.md).
 *
 * An archive URL names a container and a prefix inside it:
 *   https://<account>.blob.<cloud suffix>/<container>[/<prefix>]   (Azure, any cloud)
 *   https://<ip or localhost>[:port]/<account>/<container>[/<prefix>]  (path style: Azurite)
 * Only https: TLS is always verified (vaultproof/azclient.h, --ca-bundle).
 *
 * Layout under <prefix>/ (what `pack --archive-url` uploads, what `verify --ledger URL`
 * reads back):
 *   <bundle>.tar.gz                       each bundle the local ledger records
 *   ledger.jsonl.sig/NNNNNN.p7s           each ledger line's signature
 *   ledger/ledger.NNNNNN.jsonl            the whole ledger.jsonl as of line NNNNNN: a new
 *                                         name per line, because an immutable container
 *                                         never lets one blob be rewritten
 * Every blob is written once (If-None-Match: *); an upload that finds the blob already
 * there with the same length and MD5 skips it, one with other content fails.
 *
 * Requests go through a vp_az_client: for the data plane one made for the resource
 * "https://storage.azure.com" or with a SAS (sas_env); for the container's immutability
 * policy one made for ARM (resource NULL). Nothing secret is ever in a message: URLs are
 * shown through vp_az_url_label.
 */
#ifndef VAULTPROOF_BLOB_H
#define VAULTPROOF_BLOB_H

#include <stddef.h>

#include "vaultproof/azclient.h"
#include "vaultproof/error.h"

/* x-ms-version sent with every data-plane request (Azurite 3.35 serves up to 2025-11-05) */
#define VP_BLOB_API_VERSION "2021-08-06"
/* ARM api-version of the Storage resource provider (BlobContainers_Get, StorageAccounts_List) */
#define VP_BLOB_ARM_API_VERSION "2023-05-01"
/* files up to this size go up in one Put Blob; larger ones in blocks of this size */
#define VP_BLOB_BLOCK_SIZE (4u * 1024u * 1024u)

/* The remote names of the layout above */
#define VP_BLOB_SIG_DIR "ledger.jsonl.sig"
#define VP_BLOB_LEDGER_DIR "ledger"

typedef struct {
    char base[512];      /* scheme://host[:port] plus "/<account>" when path style */
    char account[64];    /* storage account name (3-24 lowercase letters and digits) */
    char container[64];  /* container name (3-63: lowercase letters, digits, single dashes) */
    char prefix[1024];   /* "" or "a/b" (no leading or trailing '/') */
    int path_style;      /* the account is the first path segment (IP literal or localhost host) */
} vp_blob_url;

/* Parses an archive URL (forms above). A query or fragment is refused (a SAS goes in an
 * environment variable, never on the command line or in a config), as are user info,
 * a non-https scheme, an empty or "."/".." prefix segment, and names Azure refuses.
 * Errors: VP_ERR_USAGE, the message naming what is wrong and what was expected. */
vp_status vp_blob_url_parse(const char *url, vp_blob_url *out, vp_error *err);

/* The URL of blob `name` (relative to the prefix; '/'-separated) into out, each path
 * segment percent-encoded. name "" is the container's URL. Errors: VP_ERR_USAGE (too long). */
vp_status vp_blob_url_of(const vp_blob_url *u, const char *name, char *out, size_t size, vp_error *err);

/* What the archive's records may show of u: its URL without any query. */
void vp_blob_url_label(const vp_blob_url *u, char *out, size_t size);

/* Whether a name from a listing (relative to the prefix) may be written below a local
 * directory: not empty, not absolute, no backslash, no control character, no empty,
 * "." or ".." segment. VP_OK or VP_ERR_CHECK naming the blob. */
vp_status vp_blob_check_name(const char *name, vp_error *err);

/* A blob's properties (Get Blob Properties). */
typedef struct {
    int exists;            /* 0: 404 */
    long long length;      /* Content-Length */
    char content_md5[32];  /* Content-MD5 (base64), "" when the blob has none */
} vp_blob_props;

/* HEAD of blob name. Errors: VP_ERR_COLLECT (no response, or a status other than 200 or
 * 404: the message names the blob, the status and Azure's error code), VP_ERR_NOMEM. */
vp_status vp_blob_properties(vp_az_client *c, const vp_blob_url *u, const char *name, vp_blob_props *out,
                             vp_error *err);

typedef enum {
    VP_BLOB_UPLOADED = 0, /* written now */
    VP_BLOB_PRESENT       /* already there with the same length and MD5: nothing sent */
} vp_blob_outcome;

/* Uploads the local file path as block blob name, once: a blob already there with the
 * same length and MD5 is left as it is (*outcome VP_BLOB_PRESENT); with other content
 * the upload fails and nothing is overwritten. Files up to block_size bytes (0:
 * VP_BLOB_BLOCK_SIZE) go in one Put Blob, larger ones as Put Block (block_size each) +
 * Put Block List (at most 50000 blocks); every request carries Content-MD5
 * (and an echoed Content-MD5 must match), the blob gets x-ms-blob-content-md5, the final
 * write has If-None-Match: * and a Get Blob Properties afterwards must show the file's
 * length and MD5. Errors: VP_ERR_IO (reading path), VP_ERR_COLLECT (any refusal, a
 * different blob at the name, a mismatch: the message names the blob by label), VP_ERR_NOMEM. */
vp_status vp_blob_upload_file(vp_az_client *c, const vp_blob_url *u, const char *name, const char *path,
                              size_t block_size, vp_blob_outcome *outcome, vp_error *err);

/* Get Blob name into the new file path (mode 0600, not replacing anything: O_EXCL), its
 * Content-MD5 checked when the blob has one. Errors: VP_ERR_COLLECT, VP_ERR_IO, VP_ERR_NOMEM. */
vp_status vp_blob_download(vp_az_client *c, const vp_blob_url *u, const char *name, const char *path,
                           vp_error *err);

/* List Blobs under the prefix, every page (NextMarker; page_size 1..5000 names per page,
 * 0: the service's default of 5000): *names (free with vp_blob_list_free) holds each
 * blob's name relative to the prefix, as listed (not checked: vp_blob_check_name).
 * Errors: VP_ERR_COLLECT (no response, a refusal, a malformed listing), VP_ERR_NOMEM. */
vp_status vp_blob_list(vp_az_client *c, const vp_blob_url *u, unsigned page_size, char ***names, size_t *count,
                       vp_error *err);
void vp_blob_list_free(char **names, size_t count);

/* Lists the archive at u and downloads what `verify --ledger` reads into dir (an empty
 * directory the caller made private): every top-level *.tar.gz, every
 * ledger.jsonl.sig/NNNNNN.p7s, and the newest ledger/ledger.NNNNNN.jsonl as dir/ledger.jsonl.
 * Every listed name is checked first (vp_blob_check_name): one that could leave dir fails
 * the whole fetch before anything is downloaded. Other names are ignored; *ignored counts
 * them. *ledger_seq is the NNNNNN of the ledger snapshot fetched. Errors: VP_ERR_CHECK (an unsafe name; no ledger in the listing), VP_ERR_COLLECT,
 * VP_ERR_IO, VP_ERR_NOMEM. */
vp_status vp_blob_fetch_archive(vp_az_client *c, const vp_blob_url *u, const char *dir, size_t *ignored,
                                long long *ledger_seq, vp_error *err);

/* The container's time-based retention policy, as ARM reports it (BlobContainers_Get). */
typedef struct {
    int has_policy;                     /* properties.hasImmutabilityPolicy */
    char state[16];                     /* "Locked", "Unlocked", or "" without a policy */
    long long days;                     /* immutabilityPeriodSinceCreationInDays; 0 without */
    int allow_protected_append_writes;  /* allowProtectedAppendWrites or ...All */
    int version_level;                  /* properties.immutableStorageWithVersioning.enabled */
} vp_blob_immutability;

/* Whether p is a locked time-based retention policy with a period of at least one day:
 * the only state in which nobody, the account's owner included, can delete the evidence. */
int vp_blob_immutability_locked(const vp_blob_immutability *p);

/* GET {arm_endpoint}{account_id}/blobServices/default/containers/{container}. account_id is
 * the storage account's ARM id ("/subscriptions/.../storageAccounts/NAME").
 * Errors: VP_ERR_USAGE (a malformed account_id), VP_ERR_COLLECT (no response, a refusal:
 * the message names the container and Azure's error), VP_ERR_NOMEM. */
vp_status vp_blob_container_policy(vp_az_client *arm, const char *arm_endpoint, const char *account_id,
                                   const char *container, vp_blob_immutability *out, vp_error *err);

/* The ARM id of the storage account named `account` among the subscriptions' accounts
 * (StorageAccounts_List, every page), into id. Errors: VP_ERR_USAGE (no subscription
 * given), VP_ERR_COLLECT (not found in any of them, or a refusal), VP_ERR_NOMEM. */
vp_status vp_blob_find_account(vp_az_client *arm, const char *arm_endpoint, const char *const *subscriptions,
                               size_t count, const char *account, char *id, size_t size, vp_error *err);

/* The immutability policy of the container an archive URL names, as pack records it and
 * doctor checks it: the storage account's ARM id is account_id when given, else looked up
 * by the URL's account name among subscriptions (vp_blob_find_account); then
 * vp_blob_container_policy. The id used goes to id_out (id_size bytes).
 * Errors: as those two calls. */
vp_status vp_blob_archive_policy(vp_az_client *arm, const char *arm_endpoint, const vp_blob_url *u,
                                 const char *account_id, const char *const *subscriptions, size_t count, char *id_out,
                                 size_t id_size, vp_blob_immutability *out, vp_error *err);

#endif
