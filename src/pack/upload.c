/* pack --archive-url: the container's immutability policy, read before the manifest is
 * signed, and the upload after the local commit (docs/archive-storage.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pack/pack_internal.h"
#include "vaultproof/azclient.h"
#include "vaultproof/blob.h"
#include "vaultproof/config.h"
#include "vaultproof/fileio.h"
#include "vaultproof/ledger.h"

#define STORAGE_RESOURCE "https://storage.azure.com"

int vpk_archive_wanted(const vp_pack_options *opt, const vp_config *cfg)
{
    return opt->archive_url || vp_config_archive(cfg)->url;
}

/* The client options every archive request shares: the live collector's cloud,
 * authority and CA bundle. */
static vp_az_client_options client_options(const vp_pack_options *opt, const vp_config *cfg)
{
    vp_az_client_options o = {0};
    o.cloud = vp_config_live(cfg)->cloud;
    o.authority_host = opt->authority_host;
    o.ca_bundle = opt->ca_bundle;
    return o;
}

static void policy_words(const vp_blob_immutability *p, char *out, size_t size)
{
    if (!p->has_policy)
        snprintf(out, size, "no time-based retention policy");
    else
        snprintf(out, size, "%s time-based retention policy of %lld days", p->state[0] ? p->state : "unknown-state",
                 p->days);
}

vp_status vpk_archive_check(const vp_pack_options *opt, const vp_config *cfg, vpk_archive_record *rec,
                            vp_error *err)
{
    const vp_archive_settings *a = vp_config_archive(cfg);
    const char *url = opt->archive_url ? opt->archive_url : a->url;
    const char *account_id = opt->archive_account_id ? opt->archive_account_id : a->storage_account_id;
    vp_az_client_options o = client_options(opt, cfg);
    vp_az_client *arm = NULL;
    memset(rec, 0, sizeof *rec);
    rec->sas_env = opt->archive_sas_env ? opt->archive_sas_env : a->sas_env;
    rec->token_file = opt->archive_token_file;
    if (rec->sas_env && rec->token_file)
        return vp_error_set(err, VP_ERR_USAGE, "pack: a SAS (--archive-sas-env, archive.sas_env) and "
                            "--archive-token-file are two ways to authenticate to the container: give one");
    rec->checked_at = opt->clock.epoch;
    rec->block_size = opt->archive_block_size;
    vp_status st = vp_blob_url_parse(url, &rec->url, err);
    if (st)
        return vp_error_prefix(err, "pack");
    vp_blob_url_label(&rec->url, rec->label, sizeof rec->label);
    const char *arm_endpoint = opt->arm_endpoint ? opt->arm_endpoint : vp_az_cloud_arm(o.cloud);
    if (!arm_endpoint)
        return vp_error_set(err, VP_ERR_USAGE, "pack: no ARM endpoint for cloud '%s'", o.cloud ? o.cloud : "");
    o.token_file = opt->token_file; /* --token-file is an ARM token (as for live collection) */
    if ((st = vp_az_client_new(&o, &arm, err)))
        return vp_error_prefix(err, "pack: reading the archive container's immutability policy through ARM");
    size_t n = opt->subscription_count;
    const char *const *subs = n ? opt->subscriptions : vp_config_subscriptions(cfg, &n);
    st = vp_blob_archive_policy(arm, arm_endpoint, &rec->url, account_id, subs, n, rec->account_id,
                                sizeof rec->account_id, &rec->policy, err);
    vp_az_client_free(arm);
    if (st)
        return vp_error_prefix(err, "pack: archive %s", rec->label);
    if (vp_blob_immutability_locked(&rec->policy))
        return VP_OK;
    char words[128];
    policy_words(&rec->policy, words, sizeof words);
    snprintf(rec->warning, sizeof rec->warning, "container '%s' has %s: the evidence uploaded there can be deleted or "
             "replaced; lock a time-based retention policy on it (docs/archive-storage.md)", rec->url.container, words);
    if (opt->require_worm_archive || a->require_worm)
        return vp_error_set(err, VP_ERR_CHECK, "pack: archive %s: %s; refused by %s, before anything was written",
                            rec->label, rec->warning,
                            opt->require_worm_archive ? "--require-worm-archive" : "archive.require_worm");
    return VP_OK;
}

static vp_status upload_one(vp_az_client *c, const vpk_archive_record *rec, const char *name, const char *path,
                            size_t *uploaded, size_t *present, vp_error *err)
{
    vp_blob_outcome out = VP_BLOB_UPLOADED;
    vp_status st = vp_blob_upload_file(c, &rec->url, name, path, rec->block_size, &out, err);
    if (!st)
        (*(out == VP_BLOB_PRESENT ? present : uploaded))++;
    return st;
}

/* Bundles first, then the line signatures, then the ledger that names them: a reader of
 * the container never sees a ledger line whose bundle or signature is not there yet. */
vp_status vpk_archive_upload(const vp_pack_options *opt, const vp_config *cfg, const vpk_archive_record *rec,
                             const char *ledger, size_t *uploaded, size_t *present, vp_error *err)
{
    vp_az_client_options o = client_options(opt, cfg);
    vp_az_client *c = NULL;
    vp_ledger_entry *v = NULL;
    size_t n = 0;
    char dir[4096], path[4400], name[400];
    struct stat sb;
    *uploaded = *present = 0;
    o.resource = STORAGE_RESOURCE;
    o.sas_env = rec->sas_env;
    o.token_file = rec->token_file;
    vp_path_dir(ledger, dir, sizeof dir);
    vp_status st = vp_ledger_entries(ledger, &v, &n, err);
    if (!st)
        st = vp_az_client_new(&o, &c, err);
    for (size_t i = 0; i < n && !st; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, v[i].bundle);
        if (lstat(path, &sb) && errno == ENOENT)
            continue; /* moved elsewhere: the remote audit notes it, as the local one does */
        st = upload_one(c, rec, v[i].bundle, path, uploaded, present, err);
    }
    for (size_t i = 0; i < n && !st; i++) {
        snprintf(name, sizeof name, VP_BLOB_SIG_DIR "/%06lld.p7s", v[i].seq);
        if (!(st = vp_ledger_signature_path(ledger, v[i].seq, path, sizeof path, err)))
            st = upload_one(c, rec, name, path, uploaded, present, err);
    }
    if (!st && n) {
        snprintf(name, sizeof name, VP_BLOB_LEDGER_DIR "/ledger.%06lld.jsonl", v[n - 1].seq);
        st = upload_one(c, rec, name, ledger, uploaded, present, err);
    }
    vp_az_client_free(c);
    free(v);
    return st;
}
