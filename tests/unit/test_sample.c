/* The sample module (docs/sampling.md). The known answers - draw values, drawn keys,
 * allocations - were computed by tests/tools/redraw_sample.py (the method's independent
 * Python implementation) over tests/data/sample/jobs-kat.jsonl, not by this code:
 *   redraw_sample.py --population jobs --size 4 --seed KAT-2026 jobs-kat.jsonl
 *   redraw_sample.py --population jobs --size 5 --seed KAT-2026 --strata vault jobs-kat.jsonl
 * That file is vaultproof's own jobs stream (Contract 2 of issue 15): 12 job lines over
 * vaults vA (6), vB (4) and vC (2), and one detail line (of job-03), which is no member. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "sample/internal.h"
#include "vaultproof/sample.h"

static char kat_path[1024];

static const char *kat(void)
{
    const char *root = getenv("VP_TEST_DATA");
    snprintf(kat_path, sizeof kat_path, "%s/sample/jobs-kat.jsonl", root ? root : "tests/data");
    return kat_path;
}

static vp_sample *draw(const char *seed, size_t n, vp_sample_strata strata)
{
    vp_sample *s = NULL;
    vp_error err = {0};
    vp_sample_options o = {.population = VP_SAMPLE_JOBS, .path = kat(), .seed = seed, .size = n, .strata = strata};
    ck_assert_msg(vp_sample_draw(&o, &s, &err) == VP_OK, "%s", err.message);
    return s;
}

/* The drawn keys joined with spaces, in the listing's (population) order. */
static void keys(const vp_sample *s, char *out, size_t size)
{
    vp_sample_view v;
    vp_sample_get(s, &v);
    out[0] = '\0';
    for (size_t i = 0; i < v.member_count; i++)
        snprintf(out + strlen(out), size - strlen(out), "%s%s", i ? " " : "", v.members[i].key);
}

START_TEST(known_draw_value)
{
    unsigned char d[32];
    char hex[65];
    vpz_digest("KAT-2026", "job-01", d);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    /* python3 -c "import hashlib; print(hashlib.sha256(b'KAT-2026\x00job-01').hexdigest())" */
    ck_assert_str_eq(hex, "df263ba654a03d186d5b8740bc06d4357925682db0fd25aa1963fa21bfacd503");
}
END_TEST

/* Draws from the known-answer file and checks the drawn keys; the caller frees. */
static vp_sample *draw_expecting(const char *seed, size_t n, vp_sample_strata strata, const char *want,
                                 vp_sample_view *v)
{
    char k[512];
    vp_sample *s = draw(seed, n, strata);
    vp_sample_get(s, v);
    keys(s, k, sizeof k);
    ck_assert_str_eq(k, want);
    ck_assert_uint_eq(v->population_size, 12); /* the detail line is no member */
    return s;
}

START_TEST(known_sample)
{
    vp_sample_view v;
    vp_sample *s = draw_expecting("KAT-2026", 4, VP_SAMPLE_STRATA_NONE, "job-02 job-08 job-09 job-12", &v);
    ck_assert_uint_eq(v.members[0].ordinal, 2);
    ck_assert_uint_eq(v.members[3].ordinal, 12);
    ck_assert_str_eq(v.members[0].sha256, "3c58658f6ddbf7e158fa7a441b772b255fef2c3295a978c5978b248ce384c698");
    ck_assert_uint_eq(v.stratum_count, 0);
    vp_sample_free(s);
}
END_TEST

START_TEST(known_stratified_sample)
{
    vp_sample_view v;
    vp_sample *s = draw_expecting("KAT-2026", 5, VP_SAMPLE_STRATA_VAULT, "job-02 job-06 job-08 job-09 job-12", &v);
    ck_assert_uint_eq(v.stratum_count, 3);
    const size_t pop[] = {6, 4, 2}, drawn[] = {2, 2, 1};
    for (size_t i = 0; i < 3; i++) {
        ck_assert_uint_eq(v.strata_list[i].population, pop[i]);
        ck_assert_uint_eq(v.strata_list[i].drawn, drawn[i]);
    }
    ck_assert_str_eq(v.strata_list[2].stratum,
                     "/subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups/rg/providers/"
                     "microsoft.recoveryservices/vaults/vc");
    ck_assert_str_eq(v.members[4].stratum, v.strata_list[2].stratum); /* job-12 is vC's */
    vp_sample_free(s);
    /* N below the number of strata: vC gets none */
    vp_sample_free(draw_expecting("KAT-2026", 2, VP_SAMPLE_STRATA_VAULT, "job-02 job-08", &v));
}
END_TEST

START_TEST(same_seed_same_sample_other_seed_other)
{
    vp_sample_view v;
    /* the same seed twice, then another seed (redraw_sample.py --seed KAT-2027) */
    vp_sample_free(draw_expecting("KAT-2026", 4, VP_SAMPLE_STRATA_NONE, "job-02 job-08 job-09 job-12", &v));
    vp_sample_free(draw_expecting("KAT-2026", 4, VP_SAMPLE_STRATA_NONE, "job-02 job-08 job-09 job-12", &v));
    vp_sample_free(draw_expecting("KAT-2027", 4, VP_SAMPLE_STRATA_NONE, "job-03 job-06 job-07 job-10", &v));
}
END_TEST

START_TEST(size_at_least_population_draws_everyone)
{
    for (int strata = 0; strata < 2; strata++) {
        vp_sample_view v;
        vp_sample *s = draw("x", 12 + (size_t)strata * 1000, (vp_sample_strata)strata);
        vp_sample_get(s, &v);
        ck_assert_uint_eq(v.member_count, 12);
        for (size_t i = 0; i < 12; i++)
            ck_assert_uint_eq(v.members[i].ordinal, i + 1);
        vp_sample_free(s);
    }
}
END_TEST

START_TEST(bad_requests)
{
    vp_sample *s = NULL;
    vp_error err = {0};
    vp_sample_options o = {.population = VP_SAMPLE_JOBS, .path = kat(), .seed = "1", .size = 0};
    ck_assert_int_eq(vp_sample_draw(&o, &s, &err), VP_ERR_USAGE);
    ck_assert_ptr_null(s);
    o.size = 3;
    o.seed = "two words";
    ck_assert_int_eq(vp_sample_draw(&o, &s, &err), VP_ERR_USAGE);
    o.seed = "";
    ck_assert_int_eq(vp_sample_draw(&o, &s, &err), VP_ERR_USAGE);
    o.seed = "ok";
    o.population = VP_SAMPLE_ITEMS; /* a jobs stream is no snapshot */
    ck_assert_int_eq(vp_sample_draw(&o, &s, &err), VP_ERR_INPUT);
    ck_assert_ptr_null(s);
}
END_TEST

/* The keyed method keeps the same keys whatever order the members come in. */
START_TEST(order_independent)
{
    static const char *const k[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n"};
    size_t n = sizeof k / sizeof k[0];
    char first[128] = "", second[128] = "";
    for (int pass = 0; pass < 2; pass++) {
        vpz_drawer *d = NULL;
        vp_sample_member *m = NULL;
        size_t count = 0;
        vp_error err = {0};
        ck_assert_int_eq(vpz_drawer_new("seed", NULL, NULL, 0, 5, &d, &err), VP_OK);
        for (size_t i = 0; i < n; i++) {
            size_t at = pass ? n - 1 - i : i; /* forwards, then backwards */
            ck_assert_int_eq(vpz_drawer_offer(d, i + 1, k[at], "", NULL, 0, &err), VP_OK);
        }
        ck_assert_int_eq(vpz_drawer_finish(d, &m, &count, &err), VP_OK);
        ck_assert_uint_eq(count, 5);
        /* compare as sets: sort the kept keys */
        char got[5][4];
        for (size_t i = 0; i < count; i++)
            snprintf(got[i], sizeof got[i], "%s", m[i].key);
        qsort(got, count, sizeof got[0], (int (*)(const void *, const void *))strcmp);
        char *out = pass ? second : first;
        for (size_t i = 0; i < count; i++)
            strcat(out, got[i]);
        vpz_members_free(m, count, 0);
    }
    ck_assert_str_eq(first, second);
}
END_TEST

START_TEST(allocation)
{
    /* expected values: redraw_sample.allocate (tests/tools/redraw_sample.py) */
    static const struct {
        size_t pop[3], h, n, want[3];
    } cases[] = {
        {{6, 4, 2}, 3, 5, {2, 2, 1}},   {{6, 4, 2}, 3, 2, {1, 1, 0}},      {{1, 1, 100}, 3, 3, {1, 1, 1}},
        {{50, 50, 0}, 2, 1, {1, 0, 0}}, {{6, 4, 2}, 3, 11, {5, 4, 2}},     {{10, 10, 10}, 3, 7, {3, 2, 2}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        size_t alloc[3] = {0}, sum = 0;
        vp_error err = {0};
        ck_assert_int_eq(vpz_allocate(cases[c].pop, cases[c].h, cases[c].n, alloc, &err), VP_OK);
        for (size_t i = 0; i < cases[c].h; i++) {
            ck_assert_msg(alloc[i] == cases[c].want[i], "case %zu stratum %zu: %zu, expected %zu", c, i, alloc[i],
                          cases[c].want[i]);
            ck_assert_uint_le(alloc[i], cases[c].pop[i]);
            sum += alloc[i];
        }
        ck_assert_uint_eq(sum, cases[c].n);
    }
}
END_TEST

START_TEST(vault_of_ids)
{
    char v[256];
    ck_assert_str_eq(vpz_vault_of("/Subscriptions/S/resourceGroups/RG/providers/Microsoft.RecoveryServices/vaults/"
                                  "V1/backupFabrics/Azure/protectionContainers/c/protectedItems/i",
                                  v, sizeof v),
                     "/subscriptions/s/resourcegroups/rg/providers/microsoft.recoveryservices/vaults/v1");
    ck_assert_str_eq(vpz_vault_of("/subscriptions/s/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v2",
                                  v, sizeof v),
                     "/subscriptions/s/resourcegroups/rg/providers/microsoft.recoveryservices/vaults/v2");
    ck_assert_str_eq(vpz_vault_of("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/m", v,
                                  sizeof v),
                     "");
    ck_assert_str_eq(vpz_vault_of("backupconfig /subscriptions/s/resourceGroups/rg/providers/"
                                  "Microsoft.RecoveryServices/vaults/v3",
                                  v, sizeof v),
                     "");
    ck_assert_str_eq(vpz_vault_of(NULL, v, sizeof v), "");
}
END_TEST

START_TEST(record_path)
{
    char p[64];
    vp_error err = {0};
    ck_assert_int_eq(vp_sample_record_path("out/sample.csv", p, sizeof p, &err), VP_OK);
    ck_assert_str_eq(p, "out/sample.json");
    ck_assert_int_eq(vp_sample_record_path("sample.txt", p, sizeof p, &err), VP_OK);
    ck_assert_str_eq(p, "sample.txt.json");
    ck_assert_int_eq(vp_sample_record_path("a-very-long-name-that-does-not-fit.csv", p, 16, &err), VP_ERR_USAGE);
}
END_TEST

Suite *sample_suite(void); /* registered in main.c */
Suite *sample_suite(void)
{
    Suite *s = suite_create("sample");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, known_draw_value);
    tcase_add_test(tc, known_sample);
    tcase_add_test(tc, known_stratified_sample);
    tcase_add_test(tc, same_seed_same_sample_other_seed_other);
    tcase_add_test(tc, size_at_least_population_draws_everyone);
    tcase_add_test(tc, bad_requests);
    tcase_add_test(tc, order_independent);
    tcase_add_test(tc, allocation);
    tcase_add_test(tc, vault_of_ids);
    tcase_add_test(tc, record_path);
    suite_add_tcase(s, tc);
    return s;
}
