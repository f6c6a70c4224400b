/* The collect stage: the WORM catalog, where a live run records, the live collector's
 * options (from the config and the caller's overrides), and the snapshot built from the
 * directory of responses. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vaultproof/fileio.h"
#include "vaultproof/pipeline.h"
#include "vaultproof/seal.h"

vp_status vp_pipeline_worm_catalog(const char *path, const vp_config *cfg, vp_worm_catalog **out, vp_error *err)
{
    if (path) {
        char *data;
        size_t len;
        vp_status st = vp_read_file(path, &data, &len, err);
        if (!st) {
            st = vp_worm_catalog_parse(path, data, len, out, err);
            free(data);
        }
        return st;
    }
    return cfg ? vp_config_worm_catalog(cfg, out, err) : vp_worm_catalog_builtin(out, err);
}

vp_status vp_pipeline_record_dir(const char *record, char *dir, size_t size, int *is_temp, vp_error *err)
{
    *is_temp = 0;
    if (record) {
        if (mkdir(record, 0755) != 0 && errno != EEXIST)
            return vp_error_set(err, VP_ERR_IO, "%s: cannot create the recording directory: %s", record,
                                strerror(errno));
        snprintf(dir, size, "%s", record);
        /* never mix two runs in one recording: the snapshot would describe neither */
        DIR *d = opendir(dir);
        struct dirent *entry = NULL;
        while (d && (entry = readdir(d)) != NULL && (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, "..")))
            ;
        if (d)
            closedir(d);
        if (!d || entry)
            return vp_error_set(err, VP_ERR_USAGE, "collect: --record %s already holds a recording; expected a new "
                                "or empty directory", record);
        return VP_OK;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, size, "%s/vaultproof-live-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        return vp_error_set(err, VP_ERR_IO, "%s: cannot create a temporary directory: %s", dir, strerror(errno));
    *is_temp = 1;
    return VP_OK;
}

/* --subscription (or the library caller's list) overrides the config's scope. */
static const char *const *scope_subscriptions(const vp_pipeline_collect_options *opt, size_t *count)
{
    *count = opt->subscription_count;
    if (opt->subscription_count || !opt->config)
        return opt->subscriptions;
    return vp_config_subscriptions(opt->config, count);
}

/* The live collector's options: the config's "live" settings, then the caller's
 * overrides (an explicit concurrency wins over the config's). */
static void live_options(const vp_pipeline_collect_options *opt, vp_live_options *lo)
{
    memset(lo, 0, sizeof *lo);
    lo->concurrency = opt->concurrency;
    if (opt->config) {
        const vp_live_settings *ls = vp_config_live(opt->config);
        lo->cloud = ls->cloud;
        lo->api_recoveryservices = ls->api_vaults;
        lo->api_backup = ls->api_backup;
        lo->api_compute = ls->api_compute;
        lo->api_subscriptions = ls->api_subscriptions;
        lo->api_dataprotection = ls->api_dataprotection;
        lo->api_insights = ls->api_insights;
        lo->deleted_vault_locations = ls->deleted_vault_locations;
        lo->deleted_vault_location_count = ls->deleted_vault_location_count;
        if (!lo->concurrency)
            lo->concurrency = ls->concurrency;
    }
    lo->period = opt->period;
    lo->record_dir = opt->record_dir;
    lo->token_file = opt->token_file;
    lo->arm_endpoint = opt->arm_endpoint;
    lo->authority_host = opt->authority_host;
    lo->ca_bundle = opt->ca_bundle;
    lo->subscriptions = scope_subscriptions(opt, &lo->subscription_count);
    lo->progress = opt->live_progress;
    lo->on_incomplete = opt->on_incomplete;
    lo->on_incomplete_ctx = opt->on_incomplete_ctx;
}

/* The recording is sealed when the collector ends, whatever its outcome (the seal says
 * whether it completed): a failed collection's responses are evidence too. Its own
 * error stays the one reported. */
static vp_status seal(const vp_pipeline_collect_options *opt, vp_live_result *live, vp_status collected,
                      vp_error *err)
{
    vp_error serr = {0};
    vp_seal_capture cap = {live->principal, live->credential, live->arm_endpoint, live->requests, live->failed_calls,
                           collected ? err->message : NULL, opt->clock};
    vp_status st = vp_seal_write(opt->record_dir, opt->seal_dir, &cap, opt->seal_signer, opt->seal_tsa_url,
                                 opt->ca_bundle, &live->sealed_files, &serr);
    if (st && collected) {
        size_t n = strlen(err->message);
        snprintf(err->message + n, sizeof err->message - n, " (and sealing the recording failed: %s)", serr.message);
        return collected;
    }
    if (st) {
        *err = serr;
        return vp_error_prefix(err, "sealing the recording");
    }
    return collected;
}

/* The snapshot, with the jobs stream written to a temporary file beside jobs_path as the
 * responses are read, renamed into place only once the snapshot is built: a failed run
 * leaves no half stream. */
static vp_status snapshot_with_jobs(const vp_pipeline_collect_options *opt, const char *dir, vp_collect_options *co,
                                    vp_snapshot **out, vp_error *err)
{
    const char *label = opt->jobs_label ? opt->jobs_label : opt->jobs_path;
    char tmp[4096];
    if (strlen(label) >= sizeof (*out)->collection.jobs_file ||
        snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", opt->jobs_path) >= (int)sizeof tmp)
        return vp_error_set(err, VP_ERR_USAGE, "collect: the jobs file name '%s' is too long", opt->jobs_path);
    int fd = mkstemp(tmp);
    FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!fp) {
        int e = errno;
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        return vp_error_set(err, VP_ERR_IO, "%s: cannot create the jobs file beside it: %s", opt->jobs_path,
                            strerror(e));
    }
    co->jobs_out = fp;
    vp_status st = vp_live_snapshot(dir, co, out, err);
    if (!st && opt->import_jobs_path) /* after ARM's jobs: it fills only what ARM no longer held */
        st = vp_collect_import_jobs(opt->import_jobs_path, opt->import_label ? opt->import_label : opt->import_jobs_path,
                                    *out, fp, err);
    int bad = ferror(fp) | fflush(fp) | fsync(fileno(fp));
    bad |= fclose(fp);
    if (!st && bad)
        st = vp_error_set(err, VP_ERR_IO, "%s: writing the jobs stream failed: %s", opt->jobs_path, strerror(errno));
    if (!st && rename(tmp, opt->jobs_path))
        st = vp_error_set(err, VP_ERR_IO, "%s: %s", opt->jobs_path, strerror(errno));
    if (st) {
        unlink(tmp);
    } else if (!(st = vp_sha256_file(opt->jobs_path, (*out)->collection.jobs_sha256, err))) {
        memcpy((*out)->collection.jobs_file, label, strlen(label) + 1);
    }
    if (st) {
        vp_snapshot_free(*out);
        *out = NULL;
    }
    return st;
}

vp_status vp_pipeline_collect(const vp_pipeline_collect_options *opt, vp_snapshot **out, vp_live_result *live,
                              vp_error *err)
{
    vp_collect_options co = {0};
    vp_live_result ignored;
    vp_status st;
    const char *dir = opt->replay_dir;
    *out = NULL;
    if (!live)
        live = &ignored;
    memset(live, 0, sizeof *live);
    if (!opt->worm)
        return vp_error_set(err, VP_ERR_USAGE, "collect: no WORM region catalog given (vp_pipeline_worm_catalog)");
    if (!opt->replay_dir == !opt->record_dir)
        return vp_error_set(err, VP_ERR_USAGE, "collect: give a replay directory or a directory to record into, "
                            "not %s", opt->replay_dir ? "both" : "neither");
    if (!dir) {
        vp_live_options lo;
        live_options(opt, &lo);
        /* calls that failed after retries are recorded as incomplete: the snapshot says
         * which, as it does for a replay */
        st = vp_live_collect(&lo, live, err);
        if (opt->seal_signer)
            st = seal(opt, live, st, err);
        if (st)
            return st;
        dir = opt->record_dir;
    }
    co.clock = opt->clock;
    co.worm = opt->worm;
    co.subscriptions = scope_subscriptions(opt, &co.subscription_count);
    if (opt->config) {
        co.vault_include = vp_config_vault_include(opt->config, &co.vault_include_count);
        co.vault_exclude = vp_config_vault_exclude(opt->config, &co.vault_exclude_count);
        /* the calls live collection makes for these are expected calls: completeness
         * must judge them whether the snapshot is built live or from the recording */
        const vp_live_settings *ls = vp_config_live(opt->config);
        co.deleted_vault_locations = ls->deleted_vault_locations;
        co.deleted_vault_location_count = ls->deleted_vault_location_count;
    }
    co.input = opt->replay_dir ? opt->input_label : NULL;
    co.period = opt->period;
    co.progress = opt->progress;
    co.progress_ctx = opt->progress_ctx;
    /* the snapshot describes the recording, whichever way it is read */
    if (!opt->period || !opt->jobs_path)
        return vp_live_snapshot(dir, &co, out, err);
    return snapshot_with_jobs(opt, dir, &co, out, err);
}
