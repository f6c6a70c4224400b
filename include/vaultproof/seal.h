/*
 * vaultproof/seal.h - the seal of a live recording (docs/replay-format.md, "Seal").
 *
 * When a live collection ends, the recording is sealed: a JSON document
 * ("vaultproof-recording-seal/1") lists every response file of the recording with its
 * size and SHA-256, the capture window, who collected and when it was sealed, and a
 * detached CMS signature (vaultproof/cms.h) over the document's bytes makes it
 * tamper-evident (optionally with an RFC 3161 signature-time-stamp and a .tsr over the
 * signature, as manifest.json.p7s). Integrity of the responses then starts at capture,
 * not when a bundle is packed from them later.
 *
 * Layout: a recording keeps its seal in DIR/.vaultproof-seal/ (hidden, so neither the
 * replay reader nor pack's copy of raw/ takes it for a response); a bundle carries it in
 * seal/. Paths in the document are relative to the recording's root (a bundle's raw/).
 *
 * Nothing secret is in a seal: the collector's client id and credential kind only.
 */
#ifndef VAULTPROOF_SEAL_H
#define VAULTPROOF_SEAL_H

#include <stddef.h>

#include "vaultproof/clock.h"
#include "vaultproof/cms.h"
#include "vaultproof/error.h"
#include "vaultproof/keys.h"

#define VP_SEAL_FORMAT "vaultproof-recording-seal/1"
#define VP_SEAL_DIR ".vaultproof-seal"          /* below a recording */
#define VP_SEAL_DOC "recording-seal.json"
#define VP_SEAL_SIG "recording-seal.json.p7s"   /* detached CMS (DER) over VP_SEAL_DOC */
#define VP_SEAL_TSR "recording-seal.json.tsr"   /* with a TSA: TimeStampResp over VP_SEAL_SIG */
#define VP_SEAL_MAX_DOC (64ULL << 20)           /* what a reader holds at most (~100k files) */
#define VP_SEAL_MAX_SIG (1ULL << 20)

/* Whether rel (a '/'-separated path below a recording) is a response file: what the
 * replay reader reads and what a bundle's raw/ holds - a name ending in ".json" with no
 * hidden component (none starting with '.'). The one definition the seal, pack's copy
 * of raw/ and the seal checks use. */
int vp_seal_response_file(const char *rel);

/* How the collection that is sealed went (vp_live_result and the run's clock). */
typedef struct {
    const char *principal;    /* client id of the collector ("" or NULL: unknown) */
    const char *credential;   /* credential kind ("secret", "certificate", ...) or NULL */
    const char *arm_endpoint; /* ARM endpoint collected from, or NULL */
    long long requests;       /* HTTP attempts sent (retries included) */
    size_t failed_calls;      /* list calls recorded as incomplete */
    const char *failure;      /* why the collector stopped early (no secrets), or NULL */
    vp_clock clock;           /* sealed_at and the signing time; pinned or not is recorded */
} vp_seal_capture;

/* Seals the recording in record_dir: every response file (vp_seal_response_file) is
 * hashed and fsynced, its directories synced, then the document, its signature (signing
 * time cap->clock) and, with tsa_url, the time-stamps are written durably into seal_dir
 * (NULL: record_dir/.vaultproof-seal; made when missing). The document records the
 * collection as complete only when cap->failure is NULL and no call failed.
 * *sealed_files (may be NULL) receives the number of files listed; a recording with no
 * response file is not sealed (0, nothing written). ca_bundle: CAs for an https TSA.
 * Errors: VP_ERR_INPUT (a symlink or special file in the recording), VP_ERR_CRYPTO
 * (signing, any time-stamp failure), VP_ERR_IO, VP_ERR_NOMEM. */
vp_status vp_seal_write(const char *record_dir, const char *seal_dir, const vp_seal_capture *cap,
                        const vp_signer *signer, const char *tsa_url, const char *ca_bundle, size_t *sealed_files,
                        vp_error *err);

/* One file a seal lists. */
typedef struct {
    const char *path; /* relative to the recording's root, '/'-separated */
    long long size;
    const char *sha256; /* 64 lowercase hex digits */
} vp_seal_file;

/* A parsed seal document; strings point into it (NULL when the document has null). */
typedef struct vp_seal {
    void *root;                               /* the parsed tree (private) */
    const char *tool_version, *tool_commit;
    const char *principal, *credential, *arm_endpoint;
    const char *captured_from, *captured_to;  /* as the snapshot of the recording records them */
    const char *first_date, *last_date;       /* the responses' earliest and latest Date header */
    const char *sealed_at, *clock_source;
    int clock_pinned;
    int complete;
    long long requests, failed_calls;
    vp_seal_file *files;                      /* sorted by path, bytewise, no duplicates */
    size_t file_count;
} vp_seal;

/* Parses and checks a seal document (strict JSON; label names it in messages): the
 * format, every member's type, and every file's path (relative, no "." or ".."
 * component, a response file), size and hash; paths strictly ascending. *out
 * (vp_seal_free) is set only on success. Errors: VP_ERR_INPUT naming the JSON pointer
 * and what was expected; VP_ERR_NOMEM. */
vp_status vp_seal_parse(const char *label, const char *data, size_t len, vp_seal **out, vp_error *err);
void vp_seal_free(vp_seal *s); /* NULL is allowed */

/* The file the seal lists at path, or NULL. */
const vp_seal_file *vp_seal_find(const vp_seal *s, const char *path);

/* Checks a seal signature: the detached CMS sig over doc verifies, its
 * signing-certificate-v2 names the certificate embedded in it, and (trust_ca not NULL)
 * that certificate chains to trust_ca. *verdict is always filled as far as it got.
 * Errors: VP_ERR_CHECK naming what failed; VP_ERR_INPUT (not a CMS SignedData,
 * unreadable anchors); VP_ERR_NOMEM. */
vp_status vp_seal_verify_signature(const char *doc, size_t doc_len, const unsigned char *sig, size_t sig_len,
                                   const char *trust_ca, vp_cms_verdict *verdict, vp_error *err);

/* A recording's seal as read from disk by vp_seal_check_recording: the bytes checked
 * (to be carried on unchanged, never read again), the parsed document and its signer. */
typedef struct {
    char *doc, *sig, *tsr; /* tsr NULL when the recording has none */
    size_t doc_len, sig_len, tsr_len;
    vp_seal *seal;
    char signer_subject[512];
} vp_seal_loaded;

/* Checks the recording in dir against its seal (dir/.vaultproof-seal/): the signature
 * (as vp_seal_verify_signature, without a trust anchor: the auditor's verify checks the
 * chain), any .tsr over the signature (imprint and TSA signature), and every response
 * file: each one the seal lists present with its size and SHA-256, none it does not
 * list. *present is 0 (and *out zeroed) when dir has no seal. On success *out holds what
 * was checked (vp_seal_loaded_free). Errors: VP_ERR_CHECK naming the first file (in path
 * order) that differs, or the seal file that does not verify, and saying "the recording
 * was changed after it was sealed"; VP_ERR_INPUT (a malformed seal, a symlink in dir);
 * VP_ERR_IO; VP_ERR_NOMEM. */
vp_status vp_seal_check_recording(const char *dir, vp_seal_loaded *out, int *present, vp_error *err);
void vp_seal_loaded_free(vp_seal_loaded *l);

#endif
