/* The table of ARM operations (vaultproof/arm.h) and what derives from it. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "collect/internal.h"
#include "vaultproof/arm.h"
#include "vp_test.h"

#define VAULT "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v1"

START_TEST(every_operation_round_trips)
{
    for (vp_arm_op op = 0; op < VP_ARM_OP_COUNT; op++) {
        const vp_arm_operation *a = vp_arm_get(op);
        ck_assert_ptr_nonnull(a);
        ck_assert_int_eq(a->op, op);
        ck_assert_ptr_eq(vp_arm_find(a->name), a);
        ck_assert_ptr_nonnull(a->path);
        ck_assert_ptr_nonnull(vp_arm_api_default(a->api));
        ck_assert_int_lt(a->kind, VP_ARM_KIND_COUNT);
        for (const char *const *t = a->types; *t; t++) {
            ck_assert_ptr_eq(vp_arm_find_type(*t), a);
            char upper[256];
            size_t i = 0;
            for (; (*t)[i] && i + 1 < sizeof upper; i++)
                upper[i] = (char)((*t)[i] >= 'a' && (*t)[i] <= 'z' ? (*t)[i] - 32 : (*t)[i]);
            upper[i] = '\0';
            ck_assert_ptr_eq(vp_arm_find_type(upper), a); /* ARM compares types ignoring case */
        }
        /* a per-vault call sets exactly one vault status; the others set none, nor does a
         * call made for only some vaults (CRR: its status is in collection.lists alone) */
        if (a->parent == VP_ARM_PARENT_VAULT && !a->crr_only) {
            ck_assert_int_ne(a->list, VP_ARM_LIST_NONE);
            ck_assert_ptr_eq(vp_arm_for_list(a->list), a);
        } else {
            ck_assert_int_eq(a->list, VP_ARM_LIST_NONE);
        }
    }
    ck_assert_ptr_null(vp_arm_get(VP_ARM_OP_COUNT));
    ck_assert_ptr_null(vp_arm_find("backupProtectableItems")); /* not read */
    ck_assert_int_eq(vp_arm_find("backupJobs")->period, 1);
    ck_assert_int_eq(vp_arm_find("backupPolicies")->period, 0);
    ck_assert_ptr_null(vp_arm_find("BACKUPCONFIG")); /* sidecars spell names exactly */
    ck_assert_ptr_null(vp_arm_find(NULL));
    ck_assert_ptr_null(vp_arm_find_type("Microsoft.Storage/storageAccounts"));
    ck_assert_ptr_null(vp_arm_for_list(VP_ARM_LIST_NONE));
    ck_assert_ptr_eq(vp_arm_find("backupstorageconfig"), vp_arm_get(VP_ARM_BACKUP_STORAGE_CONFIG));
}
END_TEST

START_TEST(lists_and_kinds_are_covered)
{
    for (vp_arm_list l = 0; l < VP_ARM_LIST_COUNT; l++)
        ck_assert_ptr_nonnull(vp_arm_for_list(l));
    for (vp_arm_kind k = 0; k < VP_ARM_KIND_COUNT; k++) {
        int used = 0;
        for (vp_arm_op op = 0; op < VP_ARM_OP_COUNT; op++)
            used |= vp_arm_get(op)->kind == k;
        ck_assert_msg(used, "kind %d is read by no operation", (int)k);
        ck_assert_msg(vpo_normalizer_for(k) != NULL, "kind %d has no normalizer", (int)k);
    }
    for (vp_arm_api a = 0; a < VP_ARM_API_COUNT; a++)
        ck_assert_ptr_nonnull(vp_arm_api_default(a));
    for (vp_arm_op x = 0; x < VP_ARM_OP_COUNT; x++)
        for (vp_arm_op y = x + 1; y < VP_ARM_OP_COUNT; y++)
            ck_assert_str_ne(vp_arm_get(x)->name, vp_arm_get(y)->name);
}
END_TEST

START_TEST(paths_build_for_a_vault)
{
    char out[512];
    vp_arm_path(vp_arm_get(VP_ARM_BACKUP_STORAGE_CONFIG), VAULT, out, sizeof out);
    ck_assert_str_eq(out, VAULT "/backupstorageconfig/vaultstorageconfig");
    vp_arm_path(vp_arm_get(VP_ARM_BACKUP_CONFIG), VAULT, out, sizeof out);
    ck_assert_str_eq(out, VAULT "/backupconfig/vaultconfig");
    vp_arm_path(vp_arm_get(VP_ARM_BACKUP_PROTECTED_ITEMS), VAULT, out, sizeof out);
    ck_assert_str_eq(out, VAULT "/backupProtectedItems");
    vp_arm_path(vp_arm_get(VP_ARM_VAULTS), "/subscriptions/s1", out, sizeof out);
    ck_assert_str_eq(out, "/subscriptions/s1/providers/Microsoft.RecoveryServices/vaults");
    vp_arm_path(vp_arm_get(VP_ARM_VIRTUAL_MACHINES), "/subscriptions/s1", out, sizeof out);
    ck_assert_str_eq(out, "/subscriptions/s1/providers/Microsoft.Compute/virtualMachines");
    vp_arm_path(vp_arm_get(VP_ARM_SUBSCRIPTIONS), "", out, sizeof out);
    ck_assert_str_eq(out, "/subscriptions");
    /* cut like snprintf: the full length is returned, the output stays terminated */
    size_t need = vp_arm_path(vp_arm_get(VP_ARM_BACKUP_POLICIES), VAULT, out, 8);
    ck_assert_uint_eq(need, strlen(VAULT "/backupPolicies"));
    ck_assert_str_eq(out, "/subscr");
}
END_TEST

START_TEST(names_join_in_table_order)
{
    char out[512], small[12];
    size_t n = vp_arm_names(out, sizeof out, ", ");
    ck_assert_str_eq(out, "subscriptions, vaults, virtualMachines, backupPolicies, backupProtectedItems, "
                          "backupResourceGuardProxies, backupconfig, backupstorageconfig, backupEngines, "
                          "deletedVaults, resourceGuards, roleAssignments, roleDefinitions, backupJobs, backupJobDetails, "
                          "backupCrrJobs, activityLog, activityLog-dataprotection");
    ck_assert_uint_eq(n, strlen(out));
    ck_assert_uint_eq(vp_arm_names(small, sizeof small, ", "), n);
    ck_assert_str_eq(small, "subscriptio");
}
END_TEST

START_TEST(capture_error_lists_every_operation)
{
    static const char vaults[] = "{\"value\":[]}";
    static const char badop[] = "{\"format\":\"vaultproof-capture/1\",\"url\":\"u\",\"status\":200,"
                                "\"requested_at\":\"2026-01-01T00:00:00Z\",\"received_at\":\"2026-01-01T00:00:00Z\","
                                "\"retries\":0,\"call\":{\"operation\":\"backupProtectableItems\",\"scope\":\"/\",\"page\":1,"
                                "\"complete\":true}}";
    vp_test_body b[] = {{"v.json", vaults, badop}};
    vp_snapshot *s = NULL;
    vp_error e = {0};
    ck_assert_int_eq(vp_test_normalize(b, 1, &s, &e), VP_ERR_INPUT);
    ck_assert_ptr_null(s);
    ck_assert_ptr_nonnull(strstr(e.message, "v.json.meta: /call/operation: 'backupProtectableItems'; expected one of "));
    const char *list = strstr(e.message, "expected one of ") + strlen("expected one of ");
    for (vp_arm_op op = 0; op < VP_ARM_OP_COUNT; op++)
        ck_assert_msg(strstr(list, vp_arm_get(op)->name) != NULL, "%s missing from: %s", vp_arm_get(op)->name,
                      e.message);
}
END_TEST

/* The snapshot's per-vault "completeness" object is keyed by the table's names, in
 * vp_arm_list order (the format). */
START_TEST(snapshot_completeness_keys_follow_the_lists)
{
    static const char vaults[] = "{\"value\":[{\"id\":\"" VAULT "\",\"type\":\"Microsoft.RecoveryServices/vaults\","
                                 "\"location\":\"eastus\"}]}";
    vp_test_body b[] = {{"v.json", vaults, NULL}};
    vp_snapshot *s = NULL;
    vp_error e = {0};
    ck_assert_int_eq(vp_test_normalize(b, 1, &s, &e), VP_OK);
    char *json = vp_test_snapshot_json(s);
    ck_assert_ptr_nonnull(strstr(json, "\"completeness\":{\"backupPolicies\":\"missing\",\"backupProtectedItems\":"
                                       "\"missing\",\"backupconfig\":\"missing\",\"backupstorageconfig\":\"missing\","
                                       "\"backupResourceGuardProxies\":\"missing\",\"backupEngines\":\"missing\"}"));
    free(json);
    vp_snapshot_free(s);
}
END_TEST


/* Backup jobs are period evidence: expected per vault, and listed in the vault's
 * completeness, only when the collection has a period; Microsoft's example is read. */
START_TEST(jobs_are_expected_only_over_a_period)
{
    static const char vaults[] =
        "{\"value\":[{\"id\":\"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/SwaggerTestRg/"
        "providers/Microsoft.RecoveryServices/vaults/NetSDKTestRsVault\",\"type\":\"Microsoft.RecoveryServices/vaults\","
        "\"location\":\"eastus\"}]}";
    static const char sidecar[] = "{\"format\":\"vaultproof-capture/1\",\"url\":\"u\",\"status\":200,"
                                  "\"requested_at\":\"2026-01-01T00:00:00Z\",\"received_at\":\"2026-01-01T00:00:00Z\","
                                  "\"retries\":0,\"call\":{\"operation\":\"vaults\",\"scope\":"
                                  "\"/subscriptions/00000000-0000-0000-0000-000000000000\",\"page\":1,\"complete\":true}}";
    char *jobs = vp_test_data("azure", "ListJobs.json");
    vp_test_body b[] = {{"v.json", vaults, sidecar}, {"jobs.json", jobs, NULL}};
    vp_period q3;
    vp_snapshot *s = NULL;
    vp_error e = {0};
    ck_assert_int_eq(vp_period_quarter("2026-Q3", "test", &q3, &e), VP_OK);

    ck_assert_int_eq(vp_test_normalize_period(b, 2, NULL, &s, &e), VP_OK);
    char *json = vp_test_snapshot_json(s);
    ck_assert_ptr_null(strstr(json, "\"backupJobs\""));
    for (size_t i = 0; i < s->collection.list_count; i++)
        ck_assert_str_ne(s->collection.lists[i].operation, "backupJobs");
    free(json);
    vp_snapshot_free(s);

    ck_assert_int_eq(vp_test_normalize_period(b, 2, &q3, &s, &e), VP_OK);
    json = vp_test_snapshot_json(s);
    ck_assert_ptr_nonnull(strstr(json, "\"backupEngines\":\"missing\",\"backupJobs\":\"unverified\"}"));
    size_t expected = 0;
    for (size_t i = 0; i < s->collection.list_count; i++)
        expected += !strcmp(s->collection.lists[i].operation, "backupJobs");
    ck_assert_uint_eq(expected, 1);
    ck_assert_int_eq(s->vaults[0].lists[VP_ARM_LIST_JOBS], VP_LIST_UNVERIFIED); /* an export without sidecars */
    free(json);
    vp_snapshot_free(s);

    /* a job without its kind is refused, naming where */
    char *p = strstr(jobs, "\"jobType\"");
    ck_assert_ptr_nonnull(p);
    memcpy(p, "\"jobTypo\"", 9);
    ck_assert_int_eq(vp_test_normalize_period(b, 2, &q3, &s, &e), VP_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(e.message, "/value/0/properties/jobType"));
    free(jobs);
}
END_TEST

Suite *arm_suite(void)
{
    Suite *s = suite_create("arm");
    TCase *tc = tcase_create("table");
    tcase_add_test(tc, every_operation_round_trips);
    tcase_add_test(tc, lists_and_kinds_are_covered);
    tcase_add_test(tc, paths_build_for_a_vault);
    tcase_add_test(tc, names_join_in_table_order);
    tcase_add_test(tc, capture_error_lists_every_operation);
    tcase_add_test(tc, snapshot_completeness_keys_follow_the_lists);
    tcase_add_test(tc, jobs_are_expected_only_over_a_period);
    suite_add_tcase(s, tc);
    return s;
}
