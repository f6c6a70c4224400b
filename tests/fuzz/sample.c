/* The sample module's jobs reader and draw (vp_sample_draw, --population jobs) on arbitrary
 * bytes as a jobs.jsonl. Oracle, when the file reads: drawing everyone (N far above the
 * population) lists ordinals 1..P in order; a sample of 3 holds the 3 smallest draw values
 * of everyone's (the keyed method's definition); a sample of 3 per vault draws min(3, P)
 * with no stratum over its size. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "vaultproof/sample.h"

static vp_sample *draw(const char *path, size_t n, vp_sample_strata strata, vp_status *st)
{
    vp_sample *s = NULL;
    vp_error err = {0};
    vp_sample_options o = {.population = VP_SAMPLE_JOBS, .path = path, .seed = "fuzz", .size = n, .strata = strata};
    *st = vp_sample_draw(&o, &s, &err);
    return s;
}

static int by_value(const void *a, const void *b)
{
    return strcmp(((const vp_sample_member *)a)->sha256, ((const vp_sample_member *)b)->sha256);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = vp_fuzz_file("jobs.jsonl", data, size);
    vp_status st;
    vp_sample *all = draw(path, (size_t)1 << 30, VP_SAMPLE_STRATA_NONE, &st);
    if (!all)
        return 0;
    vp_sample_view va, v3, vs;
    vp_sample_get(all, &va);
    for (size_t i = 0; i < va.member_count; i++)
        if (va.members[i].ordinal != i + 1)
            vp_fuzz_fail("sample", "everyone: member %zu has ordinal %zu", i, va.members[i].ordinal);
    if (va.member_count != va.population_size)
        vp_fuzz_fail("sample", "everyone: %zu drawn of %zu", va.member_count, va.population_size);
    vp_sample *three = draw(path, 3, VP_SAMPLE_STRATA_NONE, &st), *strat = draw(path, 3, VP_SAMPLE_STRATA_VAULT, &st);
    if (three && va.member_count) {
        vp_sample_member *sorted = malloc(va.member_count * sizeof *sorted), *mine = malloc(3 * sizeof *mine);
        vp_sample_get(three, &v3);
        if (sorted && mine && v3.member_count <= 3) {
            memcpy(sorted, va.members, va.member_count * sizeof *sorted);
            memcpy(mine, v3.members, v3.member_count * sizeof *mine);
            qsort(sorted, va.member_count, sizeof *sorted, by_value);
            qsort(mine, v3.member_count, sizeof *mine, by_value);
            size_t want = va.member_count < 3 ? va.member_count : 3;
            if (v3.member_count != want)
                vp_fuzz_fail("sample", "3 of %zu: %zu drawn", va.member_count, v3.member_count);
            for (size_t i = 0; i < want; i++)
                if (strcmp(sorted[i].sha256, mine[i].sha256) != 0)
                    vp_fuzz_fail("sample", "3 of %zu: draw value %zu is %s, the %zu-th smallest is %s",
                                 va.member_count, i, mine[i].sha256, i, sorted[i].sha256);
        }
        free(sorted);
        free(mine);
    }
    if (strat) {
        size_t sum = 0;
        vp_sample_get(strat, &vs);
        for (size_t i = 0; i < vs.stratum_count; i++) {
            if (vs.strata_list[i].drawn > vs.strata_list[i].population)
                vp_fuzz_fail("sample", "stratum %zu: %zu drawn of %zu", i, vs.strata_list[i].drawn,
                             vs.strata_list[i].population);
            sum += vs.strata_list[i].drawn;
        }
        if (sum != vs.member_count || sum != (va.member_count < 3 ? va.member_count : 3))
            vp_fuzz_fail("sample", "per vault: allocation %zu, %zu drawn, population %zu", sum, vs.member_count,
                         va.member_count);
    }
    vp_sample_free(three);
    vp_sample_free(strat);
    vp_sample_free(all);
    return 0;
}
