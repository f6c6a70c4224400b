/* vaultproof collect: snapshot the estate from a replay directory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "vaultproof/collect.h"
#include "vaultproof/config.h"
#include "vaultproof/fileio.h"

const char vp_help_collect[] =
    "usage: vaultproof collect --replay DIR [--config FILE] [--out SNAPSHOT] [options]\n"
    "\n"
    "Builds a normalized snapshot (docs/snapshot-format.md) of Recovery Services vaults,\n"
    "backup policies, protected items, virtual machines and regions from Azure Resource\n"
    "Manager responses stored in DIR (docs/replay-format.md): a recording made by\n"
    "vaultproof, the raw/ folder of an evidence bundle, or exports made with `az rest`,\n"
    "`az backup vault list`, `az backup item list` or `az vm list`.\n"
    "\n"
    "  --replay DIR          read ARM responses from DIR (required in this version)\n"
    "  --config FILE         vaultproof.json: scope (subscriptions, vault globs) and\n"
    "                        WORM catalog override (docs/config.md)\n"
    "  --subscription ID     keep only this subscription (repeatable; overrides config)\n"
    "  --worm-catalog FILE   use this WORM region catalog instead of the built-in one\n"
    "  --out FILE            where to write the snapshot (default snapshot.json; - = stdout)\n"
    "  --now TIME            pin the clock (RFC 3339 UTC or @EPOCH); SOURCE_DATE_EPOCH\n"
    "                        does the same; pinned runs are byte-reproducible\n"
    "  --quiet               no progress or summary on stderr\n"
    "\n"
    "Live collection from Azure (--config without --replay, --record DIR) is not part of\n"
    "this version yet.\n"
    "\n"
    "Exit status: 0 snapshot written and complete or unverified (offline export);\n"
    "4 snapshot written but a list call is incomplete, or missing from a recording;\n"
    "2 usage; 3 invalid input (file and JSON path named); 6 I/O. No snapshot file is\n"
    "left behind on 2, 3 or 6.\n"
    "\n"
    "Example:\n"
    "  vaultproof collect --replay samples/contoso-health/raw \\\n"
    "      --config samples/contoso-health/vaultproof.json --out snapshot.json\n";

static const vp_opt_spec specs[] = {
    {"replay", 1, 0}, {"config", 1, 0}, {"subscription", 1, 1}, {"worm-catalog", 1, 0}, {"out", 1, 0},
    {"now", 1, 0},    {"quiet", 0, 0},  {"record", 1, 0},       {"help", 0, 0},
};

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
        fprintf(to, "  %-28s %-24s %-13s %-10s %-10s %zu\n", v->name, region, text_or_not(&v->immutability),
                text_or_not(&v->soft_delete), text_or_not(&v->mua), v->item_count);
    }
}

static int collection_failed(const vp_snapshot *s)
{
    for (size_t i = 0; i < s->collection.list_count; i++) {
        vp_list_status st = s->collection.lists[i].status;
        if (st == VP_LIST_INCOMPLETE || (st == VP_LIST_MISSING && s->collection.verified))
            return 1;
    }
    return 0;
}

static vp_status run(const vp_opts *o, int *exit_code, vp_error *err)
{
    vp_config *cfg = NULL;
    vp_worm_catalog *worm = NULL;
    vp_snapshot *snap = NULL;
    vp_output *out = NULL;
    vp_collect_options opt = {0};
    const char *replay = vp_opts_get(o, "replay"), *config = vp_opts_get(o, "config");
    const char *worm_path = vp_opts_get(o, "worm-catalog"), *out_path = vp_opts_get(o, "out");
    vp_status st;

    if (vp_opts_has(o, "record"))
        return vp_error_set(err, VP_ERR_USAGE, "collect: --record is for live collection, which this version does "
                            "not include yet; use --replay DIR");
    if (!replay)
        return vp_error_set(err, VP_ERR_USAGE, config ? "collect: live collection from Azure is not part of this "
                            "version yet; give --replay DIR (docs/replay-format.md)"
                            : "collect: --replay DIR is required; see 'vaultproof help collect'");
    if (!out_path)
        out_path = "snapshot.json";
    if ((st = vp_cli_clock(o, &opt.clock, err)))
        return st;
    if (config && (st = vp_config_load(config, &cfg, err)))
        return st;
    if (worm_path) {
        char *data;
        size_t len;
        if (!(st = vp_read_file(worm_path, &data, &len, err))) {
            st = vp_worm_catalog_parse(worm_path, data, len, &worm, err);
            free(data);
        }
    } else if (cfg) {
        st = vp_config_worm_catalog(cfg, &worm, err);
    } else {
        st = vp_worm_catalog_builtin(&worm, err);
    }
    if (st)
        goto done;

    opt.source_kind = "replay";
    opt.input = replay;
    opt.worm = worm;
    opt.subscriptions = vp_opts_all(o, "subscription", &opt.subscription_count);
    if (opt.subscription_count == 0 && cfg)
        opt.subscriptions = vp_config_subscriptions(cfg, &opt.subscription_count);
    if (cfg) {
        opt.vault_include = vp_config_vault_include(cfg, &opt.vault_include_count);
        opt.vault_exclude = vp_config_vault_exclude(cfg, &opt.vault_exclude_count);
    }
    if (vp_cli_show_progress(o))
        opt.progress = progress;
    if ((st = vp_collect_replay(replay, &opt, &snap, err)))
        goto done;
    if ((st = vp_output_open(out_path, &out, err)))
        goto done;
    if ((st = vp_snapshot_write_json(snap, vp_output_stream(out), out_path, err))) {
        vp_output_abort(out);
        goto done;
    }
    if ((st = vp_output_commit(out, err)))
        goto done;
    if (!vp_opts_has(o, "quiet"))
        summary(strcmp(out_path, "-") ? stdout : stderr, snap, out_path);
    *exit_code = collection_failed(snap) ? vp_exit_code(VP_ERR_COLLECT) : 0;
    if (*exit_code)
        fprintf(stderr, "vaultproof: collect: the snapshot records incomplete collection (see collection.lists)\n");
done:
    vp_snapshot_free(snap);
    vp_worm_catalog_free(worm);
    vp_config_free(cfg);
    return st;
}

int vp_cmd_collect(int argc, char **argv)
{
    return vp_cli_main(argc, argv, specs, sizeof specs / sizeof specs[0], "collect", vp_help_collect, run);
}
