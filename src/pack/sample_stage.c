/* pack --sample-size N --sample-seed S: the audit sample (vaultproof/sample.h) drawn from
 * a population file of the bundle and staged as data/sample.csv and data/sample.json, so
 * the record names the population by its bundle-relative path and SHA-256 and an auditor
 * re-draws it from the bundle alone (docs/sampling.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pack/pack_internal.h"
#include "vaultproof/pack.h"
#include "vaultproof/sample.h"

/* Where each population sits in a bundle (one fact, one place). */
static const char *const bundle_file[VP_SAMPLE_POPULATION_COUNT] = {
    [VP_SAMPLE_JOBS] = VP_BUNDLE_JOBS, [VP_SAMPLE_ITEMS] = "data/snapshot.json",
    [VP_SAMPLE_VMS] = "data/snapshot.json", [VP_SAMPLE_FINDINGS] = "data/findings.json"};

vp_status vpk_sample_check(const vp_pack_options *opt, vp_error *err)
{
    if (!opt->sample_size && !opt->sample_seed && !opt->sample_population && !opt->sample_strata)
        return VP_OK;
    if (!opt->sample_size || !opt->sample_seed)
        return vp_error_set(err, VP_ERR_USAGE, "pack: a sample needs both --sample-size N (at least 1) and "
                            "--sample-seed S");
    if (opt->sample_population && vp_sample_population_parse(opt->sample_population) < 0)
        return vp_error_set(err, VP_ERR_USAGE, "pack: --sample-population %s: expected jobs, items, vms or findings",
                            opt->sample_population);
    if (opt->sample_strata && vp_sample_strata_parse(opt->sample_strata) < 0)
        return vp_error_set(err, VP_ERR_USAGE, "pack: --sample-strata %s: expected vault", opt->sample_strata);
    return vp_sample_check_seed(opt->sample_seed, err);
}

/* Without --sample-population: the period's jobs when the bundle holds them (a pack over
 * a period whose collection kept its jobs), else the protected items. */
static vp_status population(const vpk_staging *stg, const vp_pack_options *opt, const vp_snapshot *snap,
                            vp_sample_population *out, vp_error *err)
{
    int have_jobs = vpk_staged_lookup(stg, VP_BUNDLE_JOBS) != NULL;
    if (!opt->sample_population) {
        *out = snap->collection.has_period && have_jobs ? VP_SAMPLE_JOBS : VP_SAMPLE_ITEMS;
        return VP_OK;
    }
    *out = (vp_sample_population)vp_sample_population_parse(opt->sample_population);
    if (*out == VP_SAMPLE_JOBS && !have_jobs)
        return vp_error_set(err, VP_ERR_USAGE, "pack: --sample-population jobs: this bundle holds no %s (only a "
                            "pack over a period whose collection kept its jobs does)", VP_BUNDLE_JOBS);
    return VP_OK;
}

static vp_status stage_text(vpk_staging *stg, const vp_sample *s, const char *rel, int record, vp_error *err)
{
    char *data = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&data, &len);
    if (!fp)
        return vp_error_set(err, VP_ERR_NOMEM, "%s: out of memory", rel);
    vp_status st = record ? vp_sample_write_json(s, fp, rel, err) : vp_sample_write_csv(s, fp, rel, err);
    if (fclose(fp) && !st)
        st = vp_error_set(err, VP_ERR_NOMEM, "%s: out of memory", rel);
    if (!st)
        st = vpk_staged_write(stg, rel, data, len, err);
    free(data);
    return st;
}

vp_status vpk_stage_sample(vpk_staging *stg, const vp_pack_options *opt, const vp_snapshot *snap, vp_sample **out,
                           vp_error *err)
{
    char path[4096];
    vp_sample_options so = {0};
    *out = NULL;
    if (!opt->sample_size)
        return VP_OK;
    vp_status st = population(stg, opt, snap, &so.population, err);
    if (st)
        return st;
    /* read through the staging descriptor (stg->root is /proc/self/fd/N): the bytes the
     * bundle holds, already recorded */
    snprintf(path, sizeof path, "%s/%s", stg->root, bundle_file[so.population]);
    so.path = path;
    so.label = bundle_file[so.population];
    so.seed = opt->sample_seed;
    so.size = opt->sample_size;
    so.strata = opt->sample_strata ? VP_SAMPLE_STRATA_VAULT : VP_SAMPLE_STRATA_NONE;
    if ((st = vp_sample_draw(&so, out, err)) || (st = stage_text(stg, *out, VP_BUNDLE_SAMPLE_CSV, 0, err)) ||
        (st = stage_text(stg, *out, VP_BUNDLE_SAMPLE_RECORD, 1, err))) {
        vp_sample_free(*out);
        *out = NULL;
    }
    return st;
}

void vpk_readme_sample(FILE *fp, const vp_sample *s)
{
    vp_sample_view v;
    vp_sample_get(s, &v);
    fprintf(fp, "\nThe audit sample\n----------------\n"
                "%s holds %zu of the %zu %s of %s\n"
                "(SHA-256 %s),\n"
                "drawn with seed %s%s by the method %s: each member's draw value is\n"
                "SHA-256(seed, 0x00, key) and the smallest are drawn (docs/sampling.md in\n"
                "vaultproof's sources). %s records the method, the seed, the population\n"
                "file and its SHA-256, and every drawn key with its draw value. Re-draw it from this\n"
                "folder with the stdlib-only script tests/tools/redraw_sample.py of vaultproof's sources:\n"
                "  python3 redraw_sample.py --check %s %s\n"
                "  -> SAME: %zu of %zu %s (seed %s) re-drawn from %s\n"
                "or check one member by hand: printf '%%s\\0%%s' SEED KEY | sha256sum\n",
            VP_BUNDLE_SAMPLE_CSV, v.member_count, v.population_size, vp_sample_population_name(v.population),
            v.population_file, v.population_sha256, v.seed, v.strata ? ", per vault," : "", VP_SAMPLE_METHOD,
            VP_BUNDLE_SAMPLE_RECORD, VP_BUNDLE_SAMPLE_RECORD, v.population_file, v.member_count, v.population_size,
            vp_sample_population_name(v.population), v.seed, v.population_file);
}
