/* vaultproof collect: snapshot the estate, live from Azure Resource Manager or from a
 * replay directory. Live collection records into a directory (--record DIR, or a
 * private temporary one) and the snapshot is then built from that recording exactly
 * as --replay would: one path, so a recording replays byte-identically. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "vaultproof/collect.h"
#include "vaultproof/config.h"
#include "vaultproof/fileio.h"
#include "vaultproof/live.h"
#include "vaultproof/pipeline.h"

static const char synopsis[] =
    "usage: vaultproof collect --config FILE | --subscription ID | --record DIR [options]\n"
    "       vaultproof collect --replay DIR [--config FILE] [--out SNAPSHOT] [options]\n"
    "\n"
    "Builds a normalized snapshot (docs/snapshot-format.md) of Recovery Services vaults,\n"
    "backup policies, protected items, virtual machines, regions, the resource guards\n"
    "the vaults' proxies name, DPM / Azure Backup Server engines and soft-deleted\n"
    "vaults, live from Azure Resource Manager (docs/live-collection.md) or from ARM\n"
    "responses stored in DIR (docs/replay-format.md): a recording made by vaultproof,\n"
    "the raw/ folder of an evidence bundle, or exports made with `az rest`,\n"
    "`az backup vault list`, `az backup item list` or `az vm list`.\n"
    "\n";

static const vp_opt_spec specs[] = {
    {"replay", "DIR", 0, "read ARM responses from DIR instead of calling Azure"},
    {"record", "DIR", VP_OPT_LIVE, "keep every response and its sidecar in DIR (new or\n"
                                   "empty); `collect --replay DIR` then gives the same snapshot"},
    {"token-file", "FILE", VP_OPT_LIVE, "use this token (`az account get-access-token` JSON)\n"
                                        "instead of the credential chain (AZURE_* variables, managed\n"
                                        "identity; docs/live-collection.md)"},
    {"arm-endpoint", "URL", VP_OPT_LIVE, "ARM endpoint (default: the config's cloud)"},
    {"authority-host", "URL", VP_OPT_LIVE, "Entra ID authority (default: AZURE_AUTHORITY_HOST or\n"
                                           "the cloud's)"},
    {"ca-bundle", "FILE", VP_OPT_LIVE, "trust these CAs (a TLS-inspecting proxy, tests);\n"
                                       "verification is always on"},
    {"concurrency", "N", VP_OPT_LIVE, "requests in flight at most (default 8)"},
    {"allow-incomplete", NULL, VP_OPT_LIVE, "write the snapshot even when a list call could not\n"
                                            "be completed (it records which); exit status stays 4"},
    {"config", "FILE", 0, "vaultproof.json: scope (subscriptions, vault globs), WORM\n"
                          "catalog override and live settings (docs/config.md)"},
    {"subscription", "ID", VP_OPT_REPEATABLE, "only this subscription (repeatable; overrides config)"},
    {"worm-catalog", "FILE", 0, "use this WORM region catalog instead of the built-in one"},
    {"out", "FILE", 0, "where to write the snapshot (default snapshot.json; - = stdout)"},
    {"now", "TIME", 0, "pin the clock (RFC 3339 UTC or @EPOCH); SOURCE_DATE_EPOCH\n"
                       "does the same; pinned runs are byte-reproducible"},
    {"quiet", NULL, 0, "no progress or summary on stderr"},
    {"help", NULL, VP_OPT_HIDDEN, NULL},
};

static const char epilogue[] =
    "\n"
    "Exit status: 0 snapshot written and complete or unverified (offline export);\n"
    "4 replay: snapshot written but a list call is incomplete, or missing from a\n"
    "recording; live: a list call could not be completed (nothing written unless\n"
    "--allow-incomplete), authentication or TLS failed; 2 usage; 3 invalid input (file\n"
    "and JSON path named); 6 I/O. No snapshot file is left behind on 2, 3 or 6.\n"
    "\n"
    "Examples:\n"
    "  vaultproof collect --config vaultproof.json --record raw --out snapshot.json\n"
    "  vaultproof collect --replay samples/contoso-health/raw \\\n"
    "      --config samples/contoso-health/vaultproof.json --out snapshot.json\n";

const vp_cli_help vp_help_collect = {"collect", synopsis, specs, sizeof specs / sizeof specs[0], epilogue};

static void progress(void *ctx, size_t done, size_t total)
{
    (void)ctx;
    if (done == total || done % 50 == 0)
        fprintf(stderr, "\rcollect: read %zu of %zu response files%s", done, total, done == total ? "\n" : "");
}

static const char *text_or_not(const vp_text *t)
{
    return t->presence == VP_PRESENT ? t->value : "(not rep.)";
}

static void summary(FILE *to, const vp_snapshot *s, const char *out)
{
    size_t incomplete = 0, missing = 0, unverified = 0, unknown = 0, locked = 0;
    for (size_t i = 0; i < s->collection.list_count; i++) {
        vp_list_status st = s->collection.lists[i].status;
        incomplete += st == VP_LIST_INCOMPLETE;
        missing += st == VP_LIST_MISSING;
        unverified += st == VP_LIST_UNVERIFIED;
    }
    for (size_t i = 0; i < s->collection.warning_count; i++)
        unknown += strcmp(s->collection.warnings[i].code, "unknown-enum") == 0;
    for (size_t i = 0; i < s->vault_count; i++)
        locked += s->vaults[i].immutability.presence == VP_PRESENT &&
                  strcmp(s->vaults[i].immutability.value, "Locked") == 0;
    fprintf(to, "snapshot: %s\n", strcmp(out, "-") ? out : "(stdout)");
    fprintf(to, "  subscriptions %zu, vaults %zu (%zu immutability Locked), policies %zu, protected items %zu, "
                "virtual machines %zu, regions %zu\n",
            s->subscription_count, s->vault_count, locked, s->policy_count, s->item_count, s->vm_count,
            s->region_count);
    fprintf(to, "  list calls %zu: %zu incomplete, %zu missing, %zu unverified%s\n", s->collection.list_count,
            incomplete, missing, unverified, s->collection.verified ? "" : " (offline export: no capture sidecars)");
    fprintf(to, "  warnings %zu (%zu unknown enum values kept verbatim)\n", s->collection.warning_count, unknown);
    if (s->vault_count > 20)
        return;
    fprintf(to, "  %-28s %-24s %-13s %-10s %-10s %s\n", "vault", "region (WORM)", "immutability", "soft del.", "MUA",
            "items");
    for (size_t i = 0; i < s->vault_count; i++) {
        const vp_vault *v = &s->vaults[i];
        const char *worm = "?";
        char loc[128], region[64];
        vp_location_normalize(v->location, loc, sizeof loc);
        for (size_t r = 0; r < s->region_count; r++)
            if (!strcmp(s->regions[r].location, loc))
                worm = strcmp(s->regions[r].worm, "ga") ? "pending" : "GA";
        snprintf(region, sizeof region, "%s (%s)", v->location ? v->location : "?", worm);
        fprintf(to, "  %-28s %-24s %-13s %-10s %-10s %zu\n", v->name, region, vp_vault_immutability_never_configured(v) ? "never conf." : text_or_not(&v->immutability),
                text_or_not(&v->soft_delete), text_or_not(&v->mua), v->item_count);
    }
}

static int collection_failed(const vp_snapshot *s)
{
    if (s->collection.complete) /* a refused guard GET may be listed incomplete (vp_arm_refusal_is_evidence) */
        return 0;
    for (size_t i = 0; i < s->collection.list_count; i++) {
        vp_list_status st = s->collection.lists[i].status;
        if (st == VP_LIST_INCOMPLETE || (st == VP_LIST_MISSING && s->collection.verified))
            return 1;
    }
    return 0;
}

static void say_incomplete(void *ctx, const char *message)
{
    (void)ctx;
    fprintf(stderr, "vaultproof: collect: %s\n", message);
}

static void list_incomplete(const vp_snapshot *s)
{
    size_t shown = 0;
    for (size_t i = 0; i < s->collection.list_count; i++) {
        const vp_list_call *l = &s->collection.lists[i];
        if (l->status == VP_LIST_COMPLETE)
            continue;
        if (shown++ < 10)
            fprintf(stderr, "vaultproof: collect: %s %s: %s%s%s\n", l->operation, l->scope,
                    l->status == VP_LIST_MISSING ? "missing" : l->status == VP_LIST_INCOMPLETE ? "incomplete"
                                                                                               : "unverified",
                    l->detail ? ": " : "", l->detail ? l->detail : "");
    }
    if (shown > 10)
        fprintf(stderr, "vaultproof: collect: ... and %zu more (see collection.lists)\n", shown - 10);
}

/* Live collection is asked for by any of these; none of them goes with --replay. */
static vp_status check_source(const vp_opts *o, const char *replay, vp_error *err)
{
    /* the specs mark the live-only options, so this list cannot drift from --help */
    const char *live_opt = vp_opts_live_given(o);
    int live_asked = live_opt || vp_opts_has(o, "config") || vp_opts_has(o, "subscription");
    if (replay && live_opt)
        return vp_error_set(err, VP_ERR_USAGE, "collect: --%s is for live collection; it cannot be combined with "
                            "--replay", live_opt);
    /* a bare `collect` never reaches out to Azure: live collection is asked for */
    if (!replay && !live_asked)
        return vp_error_set(err, VP_ERR_USAGE, "collect: --replay DIR is required to read stored responses; for live "
                            "collection from Azure give --config FILE, --subscription ID or --record DIR "
                            "(docs/live-collection.md)");
    return VP_OK;
}

/* Live: --concurrency, the recording directory (dir, made or checked here; *made_tmp
 * tells the caller to remove it) and the connection options. */
static vp_status map_live(const vp_opts *o, vp_pipeline_collect_options *co, char *dir, size_t size, int *made_tmp,
                          vp_error *err)
{
    vp_status st = vp_opts_int(o, "collect", "concurrency", 1, 64, &co->concurrency, err);
    if (st || (st = vp_pipeline_record_dir(vp_opts_get(o, "record"), dir, size, made_tmp, err)))
        return st;
    co->record_dir = dir;
    co->token_file = vp_opts_get(o, "token-file");
    co->arm_endpoint = vp_opts_get(o, "arm-endpoint");
    co->authority_host = vp_opts_get(o, "authority-host");
    co->ca_bundle = vp_opts_get(o, "ca-bundle");
    co->live_progress = vp_cli_show_progress(o);
    co->on_incomplete = say_incomplete;
    return VP_OK;
}

/* A live collection with failed calls writes nothing unless --allow-incomplete. */
static vp_status check_complete(const vp_opts *o, const vp_snapshot *snap, const vp_live_result *live, vp_error *err)
{
    list_incomplete(snap);
    if (vp_opts_has(o, "allow-incomplete"))
        return VP_OK;
    return vp_error_set(err, VP_ERR_COLLECT, "collect: the collection is incomplete (%zu list call(s) failed); "
                        "no snapshot written (--allow-incomplete writes one that records what is missing)",
                        live->failed_calls);
}

static void print_summary(const vp_opts *o, const vp_snapshot *snap, const vp_live_result *live, int is_live,
                          const char *out_path)
{
    FILE *to = strcmp(out_path, "-") ? stdout : stderr;
    if (vp_opts_has(o, "quiet"))
        return;
    summary(to, snap, out_path);
    if (is_live)
        fprintf(to, "  live: %s as %s (%s), %lld requests, %lld retried\n", live->arm_endpoint,
                live->principal[0] ? live->principal : "unknown principal", live->credential, live->requests,
                live->retries);
}

static vp_status run(const vp_opts *o, int *exit_code, vp_error *err)
{
    vp_config *cfg = NULL;
    vp_worm_catalog *worm = NULL;
    vp_snapshot *snap = NULL;
    vp_pipeline_collect_options co = {0};
    vp_live_result live = {0};
    char dir[4096];
    int made_tmp = 0;
    const char *replay = vp_opts_get(o, "replay"), *config = vp_opts_get(o, "config");
    const char *out_path = vp_opts_get(o, "out");
    int is_live = !replay;
    vp_status st = check_source(o, replay, err);

    if (st)
        return st;
    if (!out_path)
        out_path = "snapshot.json";
    if ((st = vp_cli_clock(o, &co.clock, err)))
        return st;
    if (config && (st = vp_config_load(config, &cfg, err)))
        return st;
    if ((st = vp_pipeline_worm_catalog(vp_opts_get(o, "worm-catalog"), cfg, &worm, err)))
        goto done;
    co.config = cfg;
    co.worm = worm;
    co.subscriptions = vp_opts_all(o, "subscription", &co.subscription_count);
    co.replay_dir = replay;
    if (vp_cli_show_progress(o))
        co.progress = progress;
    if ((is_live && (st = map_live(o, &co, dir, sizeof dir, &made_tmp, err))) ||
        (st = vp_pipeline_collect(&co, &snap, &live, err)))
        goto done;
    int incomplete = is_live && (live.failed_calls || !snap->collection.complete);
    if ((incomplete && (st = check_complete(o, snap, &live, err))) ||
        (st = vp_pipeline_write_snapshot(snap, out_path, out_path, VP_PIPELINE_PUBLISH, NULL, err)))
        goto done;
    print_summary(o, snap, &live, is_live, out_path);
    *exit_code = collection_failed(snap) || incomplete ? vp_exit_code(VP_ERR_COLLECT) : 0;
    if (*exit_code)
        fprintf(stderr, "vaultproof: collect: the snapshot records incomplete collection (see collection.lists)\n");
done:
    if (made_tmp) {
        vp_error rm = {0};
        if (vp_remove_tree(dir, &rm))
            fprintf(stderr, "vaultproof: warning: %s\n", rm.message);
    }
    vp_snapshot_free(snap);
    vp_worm_catalog_free(worm);
    vp_config_free(cfg);
    return st;
}

int vp_cmd_collect(int argc, char **argv)
{
    return vp_cli_main(argc, argv, &vp_help_collect, run);
}
