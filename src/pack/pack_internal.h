/* Shared by src/pack/pack.c, manifest.c, seal.c and recover.c: file trees, the manifest,
 * sealing and crash recovery. */
#ifndef VP_PACK_INTERNAL_H
#define VP_PACK_INTERNAL_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "vaultproof/blob.h"
#include "vaultproof/error.h"
#include "vaultproof/keys.h"
#include "vaultproof/pack.h"
#include "vaultproof/period.h"
#include "vaultproof/sample.h"
#include "vaultproof/snapshot.h"

/* out = a "/" b; VP_ERR_INPUT naming both when it does not fit. */
vp_status vpk_join(char *out, size_t size, const char *a, const char *b, vp_error *err);
/* Creates every missing parent directory of root/rel (mode 0755). */
vp_status vpk_make_parents(const char *root, const char *rel, vp_error *err);

/* ---- staging.c: the archive and staging directories, reached through descriptors ---- */

/* Opens ARCHIVE_DIR (made when missing) as a directory, not following a symlink, and
 * refuses it (VP_ERR_IO naming it, its mode and why) when group or others can write to
 * it, unless it has the sticky bit and is owned by the effective user. docs/security.md 2. */
vp_status vpk_archive_open(const char *archive_dir, int *fd, vp_error *err);

typedef struct {
    char *rel;
    char sha256[65]; /* of the bytes written */
    long long size;
} vpk_staged_file;

/* A staging directory: made with mkdirat in the archive directory and from then on used
 * only through fd (and root, which resolves through fd). Every file written is recorded. */
typedef struct {
    int archive_fd;       /* borrowed */
    int fd;               /* the staging directory; -1 when none */
    char name[16];        /* .staging-XXXXXX, its name in the archive directory */
    char root[40];        /* "/proc/self/fd/N": for stages that take paths */
    char shown[4096];     /* ARCHIVE/.staging-XXXXXX, for messages only */
    dev_t dev;
    ino_t ino;
    vpk_staged_file *files;
    size_t count, cap;
    size_t *index;        /* open addressing over files by rel: i + 1, 0 empty (a bundle of a
                             million items stages ~90,000 raw/ files, looked up as recorded) */
    size_t index_cap;     /* a power of two, at least twice count */
} vpk_staging;

/* Makes and opens a new private staging directory; *s is initialised even on failure, so
 * vpk_staging_close may always be called. Errors: VP_ERR_IO (also without /proc). */
vp_status vpk_staging_open(vpk_staging *s, int archive_fd, const char *archive_dir, vp_error *err);
/* Empties the staging directory through its descriptor and removes its name only if
 * the name still leads to it; frees the record. */
void vpk_staging_close(vpk_staging *s);

/* rel: a '/'-separated path below the staging directory; every component is opened
 * without following links. */
vp_status vpk_staged_mkdirs(const vpk_staging *s, const char *rel, vp_error *err); /* rel's parents */
/* Creates rel (parents made) exclusively, O_RDWR; the caller writes, records, closes. */
vp_status vpk_staged_create(const vpk_staging *s, const char *rel, int *fd, vp_error *err);
/* Creates rel with these bytes and records their hash. */
vp_status vpk_staged_write(vpk_staging *s, const char *rel, const void *data, size_t len, vp_error *err);
/* Creates rel with these bytes and gives their hash in sha256, without recording it:
 * touches only the file system below s, so threads may each put files (and record them
 * afterwards, on one thread, with vpk_staged_record). */
vp_status vpk_staged_put(const vpk_staging *s, const char *rel, const void *data, size_t len, char sha256[65],
                         vp_error *err);
/* Appends these bytes to rel, which exists, and records the whole file's hash. */
vp_status vpk_staged_append(vpk_staging *s, const char *rel, const void *data, size_t len, vp_error *err);
vp_status vpk_staged_read(const vpk_staging *s, const char *rel, char **data, size_t *len, vp_error *err);
vp_status vpk_staged_unlink(const vpk_staging *s, const char *rel, vp_error *err);
/* Records (or replaces the record of) rel as written with these bytes' hash and size. */
vp_status vpk_staged_record(vpk_staging *s, const char *rel, const char sha256[65], long long size, vp_error *err);
/* The record of rel, or NULL. */
const vpk_staged_file *vpk_staged_lookup(const vpk_staging *s, const char *rel);
/* The recorded hash and size of rel; a file no record names (written by a stage that
 * takes paths) is hashed through the descriptor now and recorded. */
vp_status vpk_staged_hash(vpk_staging *s, const char *rel, char sha256[65], long long *size, vp_error *err);
/* Every regular file below the staging directory, sorted bytewise (as vp_list_files). */
vp_status vpk_staged_list(const vpk_staging *s, char ***paths, size_t *count, vp_error *err);
/* Writes the bundle's .tar.gz of the staging directory to out (vp_archive_write, below
 * top/, every time mtime) holding exactly the recorded files with the recorded hashes:
 * each file is hashed as it is streamed into the archive. archive_sha256 receives the
 * hash of the compressed bytes written, for the caller to compare with the file it
 * publishes. Errors: VP_ERR_IO naming the first file that differs, is not recorded or is
 * missing; as vp_archive_write_checked. */
vp_status vpk_staged_archive(vpk_staging *s, const char *top, long long mtime, FILE *out, char archive_sha256[65],
                             vp_error *err);

/* Stages a copy of the file at src (read by path: it is an input) as rel. */
vp_status vpk_staged_copy(vpk_staging *staging, const char *src, const char *rel, vp_error *err);
/* What README.txt names: the bundle (its stem is the .tar.gz's name without the
 * extension and the top folder), the CA to trust, and whether it is time-stamped. */
typedef struct {
    const char *stem;
    const vp_trust_anchor *anchor; /* anchor->known 0: the auditor must obtain it */
    int timestamped;
    const vp_sample *sample;       /* the bundle's audit sample: how to re-draw it; NULL: none */
} vpk_readme_facts;

/* staging/README.txt: how to verify the bundle by hand, step by step, every command one
 * "$ " line run from the directory holding the .tar.gz and ca.pem, every expected output
 * a "  -> " line (tests/integration/test_literal_steps.py runs them). */
vp_status vpk_write_readme(vpk_staging *staging, const vpk_readme_facts *facts, vp_error *err);

/* What manifest.json says besides the file list. NULL strings are written as null. */
typedef struct {
    const char *organization, *period, *request_id, *generated_at;
    const char *tool_version, *tool_commit, *catalog_version;
    const char *config_sha256;  /* of config_file's bytes */
    const char *captured_from, *captured_to;
    int complete, verified;
    const char *result, *previous_bundle_sha256, *signer_subject;
    int timestamped; /* manifest.json.tsr and time-stamp tokens are part of the bundle */
    int clock_pinned;           /* generated_at and the signing times are a pinned clock's */
    const char *clock_source;   /* vp_clock.from: "--now", "SOURCE_DATE_EPOCH", "system clock" */
    long long failing_findings; /* findings with status fail */
    /* "recording": whether raw/ was sealed at capture (seal/, vaultproof/seal.h); when
     * sealed, the seal's signer, time and capture window */
    int sealed;
    const char *sealed_by, *sealed_at, *sealed_from, *sealed_to;
    const char *config_file;    /* the bundled configuration (VP_BUNDLE_CONFIG) config_sha256 is of */
    const vp_trust_anchor *anchor; /* "trust_anchor"; null when not known */
    /* "period_window" {from, to}: the window the collection was made over (--period);
     * NULL: written not at all, as in every bundle packed without a period and before
     * packs collected over one (reperform then re-derives without a period) */
    const vp_period *period_window;
    /* "signer_key" {kind, ref}: which kind of key signed (vp_signer_key_kind) and what
     * names it (vp_signer_key_ref; "" for a file key is written as null) */
    const char *signer_key_kind, *signer_key_ref;
    /* "archive_container": the container pack uploads to and its immutability policy as
     * read before signing; NULL: not written (no archive URL) */
    const struct vpk_archive_record *archive;
} vpk_manifest_meta;

/* Writes staging/manifest.json over every file then in staging with the hashes recorded
 * when they were written (vpk_staged_hash), and returns its bytes in *data (caller frees).
 * Once manifest.json.p7s (and .tsr) are written, vpk_write_sums writes staging/SHA256SUMS
 * over every file then in staging, from the same record, returning its bytes the same way,
 * and vpk_sign_sums signs those bytes into staging/SHA256SUMS.p7s. */
vp_status vpk_write_manifest(vpk_staging *staging, const vpk_manifest_meta *meta, char **data, size_t *len,
                             vp_error *err);
vp_status vpk_write_sums(vpk_staging *staging, char **data, size_t *len, vp_error *err);
/* Detached CMS as the manifest's (claimed time: signing_time), with a signature
 * time-stamp when tsa_url is set (VP_ERR_CRYPTO on any TSA failure). */
vp_status vpk_sign_sums(vpk_staging *staging, const struct vp_signer *signer, const char *data, size_t len,
                        long long signing_time, const char *tsa_url, const char *ca_bundle, vp_error *err);

/* seal.c: replaces staging/report/report.pdf by the same PDF with its PAdES signature
 * (claimed time: the pinned clock; B-T when opt->tsa_url is set). */
struct vp_signer;
vp_status vpk_sign_report(vpk_staging *staging, const struct vp_signer *signer, const char *tsa_url,
                          const char *ca_bundle, long long claimed_time, vp_error *err);

/* seal.c, with a TSA only: adds a signature-time-stamp to the manifest signature *der
 * (replaced; the old buffer is freed) and writes staging/manifest.json.tsr, a second
 * time-stamp over the final signature bytes. Every TSA failure is VP_ERR_CRYPTO. */
vp_status vpk_timestamp_manifest(vpk_staging *staging, const char *tsa_url, const char *ca_bundle, unsigned char **der,
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


/* sample_stage.c: pack --sample-size. The sample options are consistent (both size and
 * seed, a known population and strata, a valid seed). Errors: VP_ERR_USAGE. */
vp_status vpk_sample_check(const vp_pack_options *opt, vp_error *err);
/* Draws the sample from the staged population file (opt->sample_population, else the
 * period's jobs when staged, else the protected items of data/snapshot.json) and stages
 * VP_BUNDLE_SAMPLE_CSV and VP_BUNDLE_SAMPLE_RECORD; *out (vp_sample_free) is the sample
 * for the workbook and README.txt, NULL when opt->sample_size is 0. Errors: VP_ERR_USAGE
 * (jobs asked for, none staged), as vp_sample_draw, vpk_staged_write. */
vp_status vpk_stage_sample(vpk_staging *stg, const vp_pack_options *opt, const vp_snapshot *snap, vp_sample **out,
                           vp_error *err);
/* README.txt's section on the sample: what it holds and how to re-draw it. */
void vpk_readme_sample(FILE *fp, const vp_sample *s);

/* upload.c: the archive in Blob Storage (vaultproof/blob.h). */
struct vp_config;

typedef struct vpk_archive_record {
    vp_blob_url url;
    char label[1700];        /* the URL without query */
    char account_id[1024];   /* the storage account's ARM id, as given or looked up */
    vp_blob_immutability policy;
    long long checked_at;    /* the run's clock */
    char warning[512];       /* "" when the policy is locked */
    const char *sas_env;     /* NULL: an Entra token for Storage */
    const char *token_file;  /* a Storage token; NULL: the credential chain */
    size_t block_size;       /* 0: VP_BLOB_BLOCK_SIZE */
} vpk_archive_record;

/* Whether the pack has an archive URL (opt->archive_url, else the config's). */
int vpk_archive_wanted(const vp_pack_options *opt, const struct vp_config *cfg);

/* Parses the archive URL and reads the container's policy through ARM (the live options
 * of opt); without a locked time-based policy: rec->warning, or VP_ERR_CHECK with
 * require_worm (opt's or the config's). Errors: VP_ERR_USAGE (URL, options),
 * VP_ERR_COLLECT (ARM unreachable or refusing), VP_ERR_CHECK, VP_ERR_NOMEM. */
vp_status vpk_archive_check(const vp_pack_options *opt, const struct vp_config *cfg, vpk_archive_record *rec,
                            vp_error *err);

/* Uploads every bundle ledger (in archive_dir) records and is in archive_dir, every line
 * signature, then the ledger as ledger/ledger.NNNNNN.jsonl; counts what was sent and
 * what was already there. Errors: VP_ERR_COLLECT (with how to retry), VP_ERR_IO, VP_ERR_NOMEM. */
vp_status vpk_archive_upload(const vp_pack_options *opt, const struct vp_config *cfg, const vpk_archive_record *rec,
                             const char *ledger, size_t *uploaded, size_t *present, vp_error *err);

#endif
