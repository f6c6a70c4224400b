/*
 * vaultproof/live.h - live collection from Azure Resource Manager (docs/live-collection.md).
 *
 * The live collector does not build a snapshot itself: it fetches every list call
 * the snapshot needs and records each response body with its capture sidecar in the
 * replay layout (docs/replay-format.md). The snapshot is then built by
 * vp_collect_replay over that directory, so a recording replays byte-identically.
 *
 * Credentials come from the environment (Azure SDK conventions) or a token file, in
 * the documented order; TLS verification is always on. Nothing secret (client secret,
 * assertion, token, passphrase) is ever written to the recording, an error message
 * or the progress line.
 */
#ifndef VAULTPROOF_LIVE_H
#define VAULTPROOF_LIVE_H

#include <stddef.h>

#include "vaultproof/collect.h"
#include "vaultproof/error.h"

/* What to collect and how. Every pointer is borrowed for the duration of the call;
 * NULL / 0 members take the documented defaults. */
typedef struct {
    const char *record_dir;      /* required: an existing, empty directory to record into */
    const char *cloud;           /* "AzureCloud" (default), "AzureUSGovernment", "AzureChinaCloud" */
    const char *arm_endpoint;    /* overrides the cloud's ARM endpoint ("https://host[:port]") */
    const char *authority_host;  /* overrides AZURE_AUTHORITY_HOST and the cloud's authority */
    const char *ca_bundle;       /* PEM file of trusted CAs; NULL: the system store */
    const char *token_file;      /* pre-obtained token JSON (az account get-access-token) */
    const char *const *subscriptions; /* explicit subscriptions; none: GET /subscriptions */
    size_t subscription_count;
    const char *api_recoveryservices; /* api-version overrides; NULL: pinned defaults */
    const char *api_backup;
    const char *api_compute;
    const char *api_subscriptions;
    const char *api_dataprotection;   /* resource guards (Microsoft.DataProtection) */
    const char *api_insights;         /* the Activity Log (Microsoft.Insights) */
    /* Locations (any spelling: "West Europe", "westeurope") whose soft-deleted vaults are
     * listed in every subscription collected, besides the locations of the subscription's
     * own vaults: a vault soft-deleted where no vault of it remains is only found this
     * way. Each must be letters and digits once spaces are removed (VP_ERR_USAGE). */
    const char *const *deleted_vault_locations;
    size_t deleted_vault_location_count;
    /* The evidence period (NULL: none): period operations (vaultproof/arm.h, op->period:
     * backup jobs) are called only with one, filtered to it. Not owned. */
    const vp_period *period;
    int concurrency;             /* requests in flight at most; 0: 8 */
    int max_pages;               /* pages per list call before giving up; 0: 1000 */
    int max_attempts;            /* attempts per request; 0: 6 */
    int progress;                /* 1: draw a progress line on stderr */
    /* Called once per list call recorded as incomplete, with a one-line reason (URL
     * without secrets); NULL: silent (the snapshot records every such call anyway). */
    void (*on_incomplete)(void *ctx, const char *message);
    void *on_incomplete_ctx;
} vp_live_options;

/* What happened, for the command's summary and the snapshot's provenance. */
typedef struct {
    char principal[160];   /* client id of the identity used ("" when unknown, e.g. opaque token file) */
    char credential[32];   /* which credential of the chain was used: "secret", "certificate", ... */
    char arm_endpoint[512];
    long long requests;    /* HTTP attempts sent to ARM, retries included */
    long long retries;
    long long items;       /* resources recorded */
    size_t failed_calls;   /* list calls recorded as incomplete */
    size_t sealed_files;   /* response files the recording's seal lists (vaultproof/seal.h;
                              set by vp_pipeline_collect); 0: not sealed */
} vp_live_result;

/* Collects into opt->record_dir. Returns VP_OK when every call was recorded, even if
 * some are recorded as incomplete (res->failed_calls > 0; the snapshot says which).
 * Errors: VP_ERR_USAGE for contradictory options, VP_ERR_INPUT for a bad token file or
 * certificate (or a key file readable by group/other), VP_ERR_COLLECT when no
 * credential works or authentication/TLS fails, VP_ERR_IO when recording fails. */
vp_status vp_live_collect(const vp_live_options *opt, vp_live_result *res, vp_error *err);

/* Provenance of a live recording, read back from its sidecars. */
typedef struct {
    int is_live;           /* 1: the sidecars were written by vaultproof's live collector */
    char principal[160];   /* their "principal" key ("" when not recorded) */
    char endpoint[256];    /* scheme://host[:port] of the first sidecar's URL */
} vp_live_capture_info;

/* Reads the provenance a live recording carries in its sidecars (the optional
 * "collector" and "principal" keys, docs/live-collection.md) from the first sidecar in
 * sorted path order. A directory without such sidecars gives is_live 0 (not an error).
 * Errors: VP_ERR_IO / VP_ERR_INPUT for an unreadable or malformed sidecar. */
vp_status vp_live_capture_read(const char *dir, vp_live_capture_info *out, vp_error *err);

/* Builds the snapshot of a directory of responses exactly as `collect --replay` does:
 * a recording made by the live collector is described by its sidecars (source "live",
 * input = its ARM endpoint, the principal's client id), anything else as a "replay" of
 * dir. So a live run and a later replay of its recording give the same bytes.
 * opt->source_kind, input and principal are set here (the rest of opt is used as given;
 * a non-NULL opt->input names a non-live directory instead of dir, e.g. the directory a
 * copy was made from).
 * Errors: as vp_live_capture_read and vp_collect_replay. */
vp_status vp_live_snapshot(const char *dir, const vp_collect_options *opt, vp_snapshot **out, vp_error *err);


#endif
