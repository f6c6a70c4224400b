/* vaultproof collect: snapshot the estate, live from Azure Resource Manager or from a
 * replay directory. Live collection records into a directory (--record DIR, or a
 * private temporary one) and the snapshot is then built from that recording exactly
 * as --replay would: one path, so a recording replays byte-identically. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "vaultproof/collect.h"
#include "vaultproof/config.h"
#include "vaultproof/fileio.h"
#include "vaultproof/keys.h"
#include "vaultproof/live.h"
#include "vaultproof/pack.h"
#include "vaultproof/period.h"
#include "vaultproof/pipeline.h"
#include "vaultproof/seal.h"

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
                                   "empty); `collect --replay DIR` then gives the same snapshot;\n"
                                   "with a signer, sealed when the collection ends\n"
                                   "(DIR/.vaultproof-seal/; docs/replay-format.md)"},
    {"key", "FILE", VP_OPT_LIVE, "seal the --record DIR with this signer key (PEM, mode\n"
                                 "0600, or .p12 without --cert, an https:// Key Vault key, or\n"
                                 "a token key pkcs11:URI);\n"
                                 "without --key, the config's \"signer\" object if it has one\n"
                                 "(docs/config.md)"},
    {"cert", "FILE", VP_OPT_LIVE, "the signer's certificate (PEM), with --key"},
    {"chain", "FILE", VP_OPT_LIVE, "intermediate certificates for the seal's signature"},
    {"passphrase-file", "FILE", VP_OPT_LIVE, "key passphrase from the first line of FILE"},
    {"passphrase-env", "NAME", VP_OPT_LIVE, "key passphrase from environment variable NAME"},
    {"pin-env", "NAME", VP_OPT_LIVE, "with --key pkcs11:...: the token's PIN from environment\n"
                                     "variable NAME (default VAULTPROOF_PKCS11_PIN)"},
    {"pkcs11-module", "FILE", VP_OPT_LIVE, "with --key pkcs11:...: the PKCS#11 module (.so);\n"
                                           "default: p11-kit-proxy"},
    {"tsa", "URL", VP_OPT_LIVE, "RFC 3161 TSA that time-stamps the seal (default: the\n"
                                "config's signer/tsa); a time-stamp failure fails (exit 5)"},
    {"reproducible", NULL, VP_OPT_LIVE, "allow a pinned clock (--now) with a signer that is not\n"
                                        "a demo signer: the seal then claims the pinned time"},
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
    {"period", "YYYY-Qn", 0, "the evidence period: the quarter's first day 00:00:00Z up to\n"
                             "the next quarter's (recorded as collection.period);\n"
                             "\"last-quarter\": the last one that ended before the clock"},
    {"from", "TIME", 0, "the period's start (RFC 3339 UTC, with --to; instead of --period)"},
    {"to", "TIME", 0, "the period's end, excluded (RFC 3339 UTC, with --from)"},
    {"jobs-out", "FILE", 0, "with a period: write the backup jobs of the period here, one\n"
                            "JSON line each (docs/period-evidence.md); the snapshot\n"
                            "records its name and SHA-256"},
    {"import-jobs", "FILE", 0, "with --jobs-out: a Log Analytics export of AddonAzureBackupJobs\n"
                               "(query API JSON or CSV) filling the part of the period\n"
                               "Azure no longer holds (docs/period-evidence.md)"},
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
    "and JSON path named); 5 sealing the recording failed (signing, time-stamp); 6 I/O.\n"
    "No snapshot file is left behind on 2, 3, 5 or 6.\n"
    "\n"
    "Examples:\n"
    "  vaultproof collect --config vaultproof.json --record raw --out snapshot.json\n"
    "      --key keys/signer.key --cert keys/signer.pem\n"
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
    struct stat sb;
    /* the size, so that a large estate's snapshot is never written without a word (the
     * next stages read it whatever its size: docs/user-guide.md, "Limits") */
    if (strcmp(out, "-") && stat(out, &sb) == 0)
        fprintf(to, "snapshot: %s (%.1f MB)\n", out, (double)sb.st_size / 1e6);
    else
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

/* The signer that seals --record DIR: --key and the rest, else the config's "signer"
 * (vp_pipeline_signer, as pack); none leaves the recording unsealed. Loaded before
 * anything is collected, so a bad key records nothing. */
static vp_status load_sealer(const vp_opts *o, const vp_config *cfg, const vp_clock *clock, vp_signer **signer,
                             const char **tsa, vp_error *err)
{
    vp_pipeline_signer_options so = {vp_opts_get(o, "key"),           vp_opts_get(o, "cert"),
                                     vp_opts_get(o, "chain"),         NULL,
                                     vp_opts_get(o, "tsa"),           vp_opts_get(o, "ca-bundle"),
                                     vp_opts_get(o, "authority-host"), vp_opts_get(o, "pin-env"),
                                     vp_opts_get(o, "pkcs11-module")};
    char *pass = NULL, subject[512];
    if (!so.key_path && (so.cert_path || so.chain_path || vp_opts_has(o, "passphrase-file") ||
                         vp_opts_has(o, "passphrase-env") || so.pin_env || so.pkcs11_module))
        return vp_error_set(err, VP_ERR_USAGE, "collect: --cert, --chain, --passphrase-*, --pin-env and "
                            "--pkcs11-module go with --key; without "
                            "--key the config's \"signer\" object names all of them");
    if (!vp_opts_has(o, "record")) {
        if (so.key_path || so.tsa_url || vp_opts_has(o, "reproducible"))
            return vp_error_set(err, VP_ERR_USAGE, "collect: --key, --tsa and --reproducible seal a recording; give "
                                "--record DIR");
        return VP_OK; /* a private recording is removed at the end: nothing to seal */
    }
    vp_status st = vp_cli_passphrase(o, "collect", &pass, err);
    if (st)
        return st;
    so.passphrase = pass;
    st = vp_pipeline_signer(&so, cfg, vp_opts_get(o, "config"), "collect", 0, signer, tsa, err);
    vp_passphrase_free(pass);
    if (!st && !*signer && (so.tsa_url || vp_opts_has(o, "reproducible")))
        st = vp_error_set(err, VP_ERR_USAGE, "collect: --tsa and --reproducible are for the seal, and there is no "
                          "signer: give --key FILE --cert FILE or a \"signer\" object in the config");
    /* as pack: a pinned clock makes the seal claim a time it was not made at */
    if (!st && *signer && clock->pinned && !vp_opts_has(o, "reproducible") &&
        !vp_pack_demo_signer(vp_signer_subject(*signer, subject, sizeof subject)))
        st = vp_error_set(err, VP_ERR_USAGE, "collect: the clock is pinned (%s) and the signer (%s) is not a demo "
                          "signer: the seal would claim a time it was not made at; give --reproducible to seal at a "
                          "pinned clock anyway (recorded in the seal), or unpin the clock",
                          clock->from ? clock->from : "--now", subject);
    return st;
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
    if (is_live && live->sealed_files)
        fprintf(to, "  sealed: %zu response files, seal in %s/" VP_SEAL_DIR "/\n", live->sealed_files,
                vp_opts_get(o, "record"));
}

static vp_status run(const vp_opts *o, int *exit_code, vp_error *err)
{
    vp_config *cfg = NULL;
    vp_worm_catalog *worm = NULL;
    vp_snapshot *snap = NULL;
    vp_signer *sealer = NULL;
    vp_pipeline_collect_options co = {0};
    vp_live_result live = {0};
    char dir[4096], quarter[8];
    const char *period_arg = NULL;
    int made_tmp = 0, has_period = 0;
    vp_period period;
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
    if ((st = vp_cli_period(o, "collect", &co.clock, quarter, &period_arg, err)))
        return st;
    if ((st = vp_period_options(period_arg, vp_opts_get(o, "from"), vp_opts_get(o, "to"), "collect",
                                &period, &has_period, err)))
        return st;
    co.period = has_period ? &period : NULL;
    co.jobs_path = vp_opts_get(o, "jobs-out");
    if (co.jobs_path && !has_period)
        return vp_error_set(err, VP_ERR_USAGE, "collect: --jobs-out needs a period (--period or --from/--to)");
    if (co.jobs_path && (st = vp_pipeline_check_distinct(co.jobs_path, "jobs-out", out_path, "out", "collect", err)))
        return st;
    co.import_jobs_path = vp_opts_get(o, "import-jobs");
    if (co.import_jobs_path && !co.jobs_path)
        return vp_error_set(err, VP_ERR_USAGE, "collect: --import-jobs needs --jobs-out (the stream it fills)");
    if (config && (st = vp_config_load(config, &cfg, err)))
        return st;
    if ((st = vp_pipeline_worm_catalog(vp_opts_get(o, "worm-catalog"), cfg, &worm, err)) ||
        (is_live && (st = load_sealer(o, cfg, &co.clock, &sealer, &co.seal_tsa_url, err))))
        goto done;
    co.seal_signer = sealer;
    co.config = cfg;
    co.worm = worm;
    co.subscriptions = vp_opts_all(o, "subscription", &co.subscription_count);
    co.replay_dir = replay;
    if (vp_cli_show_progress(o))
        co.progress = progress;
    if ((is_live && (st = map_live(o, &co, dir, sizeof dir, &made_tmp, err))) ||
        (st = vp_pipeline_collect(&co, &snap, &live, err)))
        goto done;
    if (is_live && !made_tmp && !sealer) /* one line: pack --replay will label it too */
        fprintf(stderr, "vaultproof: collect: %s is not sealed (no signer: --key FILE --cert FILE or the config's "
                "\"signer\"); a pack of it is labelled an unsealed replay\n", dir);
    int incomplete = is_live && (live.failed_calls || !snap->collection.complete);
    if ((incomplete && (st = check_complete(o, snap, &live, err))) ||
        (st = vp_pipeline_write_snapshot(snap, out_path, out_path, VP_PIPELINE_PUBLISH, NULL, err)))
        goto done;
    print_summary(o, snap, &live, is_live, out_path);
    *exit_code = collection_failed(snap) || incomplete ? vp_exit_code(VP_ERR_COLLECT) : 0;
    if (*exit_code)
        fprintf(stderr, "vaultproof: collect: the snapshot records incomplete collection (see collection.lists)\n");
done:
    if (st && snap && snap->collection.jobs_file[0]) /* no snapshot written: no stream either */
        unlink(co.jobs_path);
    if (made_tmp) {
        vp_error rm = {0};
        if (vp_remove_tree(dir, &rm))
            fprintf(stderr, "vaultproof: warning: %s\n", rm.message);
    }
    vp_snapshot_free(snap);
    vp_signer_free(sealer);
    vp_worm_catalog_free(worm);
    vp_config_free(cfg);
    return st;
}

int vp_cmd_collect(int argc, char **argv)
{
    return vp_cli_main(argc, argv, &vp_help_collect, run);
}
