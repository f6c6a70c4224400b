/* Completeness from capture sidecars (docs/replay-format.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vp_test.h"

#define SUB "/subscriptions/s1"
#define VAULT SUB "/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v1"
#define ITEMS_URL "https://management.azure.com" VAULT "/backupProtectedItems?api-version=2024-04-01"

static const char vault_list[] =
    "{\"value\":[{\"id\":\"" VAULT "\",\"type\":\"Microsoft.RecoveryServices/vaults\",\"location\":\"eastus\"}],\"nextLink\":null}";

static char *item_page(int first, int count, const char *next)
{
    char *buf = malloc(8192);
    size_t n = (size_t)sprintf(buf, "{\"value\":[");
    for (int i = 0; i < count; i++)
        n += (size_t)sprintf(buf + n, "%s{\"id\":\"" VAULT "/backupFabrics/Azure/protectionContainers/c/protectedItems/VM;c;vm%d\","
                                      "\"type\":\"Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems\","
                                      "\"properties\":{\"protectionState\":\"Protected\"}}",
                             i ? "," : "", first + i);
    if (next)
        sprintf(buf + n, "],\"nextLink\":\"%s\"}", next);
    else
        sprintf(buf + n, "]}");
    return buf;
}

static char *sidecar(const char *op, const char *scope, int page, int status, int complete, const char *next,
                     const char *error)
{
    char *buf = malloc(4096);
    sprintf(buf,
            "{\"format\":\"vaultproof-capture/1\",\"method\":\"GET\",\"url\":\"https://management.azure.com%s/%s?api-version=2024-04-01\","
            "\"status\":%d,\"requested_at\":\"2026-09-30T02:00:0%dZ\",\"received_at\":\"2026-09-30T02:00:0%d.5Z\",\"retries\":%d,"
            "\"headers\":{\"x-ms-request-id\":\"r\",\"x-ms-correlation-request-id\":\"c\",\"date\":null},"
            "\"call\":{\"operation\":\"%s\",\"scope\":\"%s\",\"page\":%d,\"next_link\":%s%s%s,\"complete\":%s,\"error\":%s%s%s}}",
            scope, op, status, page, page + 1, page == 2, op, scope, page, next ? "\"" : "", next ? next : "null",
            next ? "\"" : "", complete ? "true" : "false", error ? "\"" : "", error ? error : "null", error ? "\"" : "");
    return buf;
}

static const vp_list_call *find_list(const vp_snapshot *s, const char *op)
{
    for (size_t i = 0; i < s->collection.list_count; i++)
        if (!strcmp(s->collection.lists[i].operation, op))
            return &s->collection.lists[i];
    return NULL;
}

START_TEST(two_pages_complete)
{
    char *p1 = item_page(0, 3, ITEMS_URL "&$skipToken=3"), *p2 = item_page(3, 2, NULL);
    char *s0 = sidecar("vaults", SUB, 1, 200, 1, NULL, NULL);
    char *s1 = sidecar("backupProtectedItems", VAULT, 1, 200, 0, ITEMS_URL "&$skipToken=3", NULL);
    char *s2 = sidecar("backupProtectedItems", VAULT, 2, 200, 1, NULL, NULL);
    vp_test_body b[] = {{"v.json", vault_list, s0}, {"i1.json", p1, s1}, {"i2.json", p2, s2}};
    vp_snapshot *s = NULL;
    vp_error e = {0};
    ck_assert_msg(vp_test_normalize(b, 3, &s, &e) == VP_OK, "%s", e.message);
    ck_assert_int_eq(s->item_count, 5);
    const vp_list_call *l = find_list(s, "backupProtectedItems");
    ck_assert_int_eq(l->status, VP_LIST_COMPLETE);
    ck_assert_int_eq(l->pages, 2);
    ck_assert_int_eq(s->vaults[0].lists[VP_ARM_LIST_ITEMS], VP_LIST_COMPLETE);
    ck_assert_int_eq(find_list(s, "vaults")->status, VP_LIST_COMPLETE);
    ck_assert_int_eq(find_list(s, "backupPolicies")->status, VP_LIST_MISSING); /* recorded run, call absent */
    ck_assert_int_eq(s->collection.verified, 1);
    ck_assert_int_eq(s->collection.complete, 0);
    ck_assert_int_eq(s->collection.request_count, 3);
    ck_assert_int_eq(s->collection.retry_count, 1);
    ck_assert_str_eq(s->collection.captured_from, "2026-09-30T02:00:01Z");
    ck_assert_str_eq(s->collection.captured_to, "2026-09-30T02:00:03.5Z");
    ck_assert_int_eq(s->collection.endpoint_count, 1);
    ck_assert_str_eq(s->collection.endpoints[0], "https://management.azure.com");
    ck_assert_int_eq(s->collection.api_version_count, 2);
    ck_assert_str_eq(s->collection.api_versions[0], "backupProtectedItems=2024-04-01");
    vp_snapshot_free(s);
    free(p1), free(p2), free(s0), free(s1), free(s2);
}
END_TEST

START_TEST(stopped_early_is_incomplete)
{
    char *p1 = item_page(0, 3, ITEMS_URL "&$skipToken=3");
    char *s1 = sidecar("backupProtectedItems", VAULT, 1, 200, 0, ITEMS_URL "&$skipToken=3", "HTTP 503 after 5 retries");
    vp_test_body b[] = {{"v.json", vault_list, NULL}, {"i1.json", p1, s1}};
    vp_snapshot *s = NULL;
    vp_error e = {0};
    ck_assert_int_eq(vp_test_normalize(b, 2, &s, &e), VP_OK);
    const vp_list_call *l = find_list(s, "backupProtectedItems");
    ck_assert_int_eq(l->status, VP_LIST_INCOMPLETE);
    ck_assert_ptr_nonnull(strstr(l->detail, "HTTP 503 after 5 retries"));
    ck_assert_int_eq(s->vaults[0].lists[VP_ARM_LIST_ITEMS], VP_LIST_INCOMPLETE);
    vp_snapshot_free(s);
    free(p1), free(s1);
}
END_TEST

START_TEST(page_gap_and_error_status)
{
    char *p2 = item_page(3, 2, NULL);
    char *s2 = sidecar("backupProtectedItems", VAULT, 2, 200, 1, NULL, NULL);
    const char *err_body = "{\"error\":{\"code\":\"AuthorizationFailed\",\"message\":\"no access\"}}";
    char *se = sidecar("backupPolicies", VAULT, 1, 403, 1, NULL, "AuthorizationFailed");
    vp_test_body b[] = {{"v.json", vault_list, NULL}, {"i2.json", p2, s2}, {"p.json", err_body, se}};
    vp_snapshot *s = NULL;
    vp_error e = {0};
    ck_assert_int_eq(vp_test_normalize(b, 3, &s, &e), VP_OK);
    const vp_list_call *l = find_list(s, "backupProtectedItems");
    ck_assert_int_eq(l->status, VP_LIST_INCOMPLETE);
    ck_assert_ptr_nonnull(strstr(l->detail, "page 1 missing"));
    l = find_list(s, "backupPolicies");
    ck_assert_int_eq(l->status, VP_LIST_INCOMPLETE);
    ck_assert_ptr_nonnull(strstr(l->detail, "HTTP 403"));
    vp_snapshot_free(s);
    free(p2), free(s2), free(se);
}
END_TEST

START_TEST(offline_export_unverified_or_dangling)
{
    char *p1 = item_page(0, 2, NULL);
    vp_test_body b[] = {{"v.json", vault_list, NULL}, {"i.json", p1, NULL}};
    vp_snapshot *s = NULL;
    vp_error e = {0};
    ck_assert_int_eq(vp_test_normalize(b, 2, &s, &e), VP_OK);
    ck_assert_int_eq(find_list(s, "backupProtectedItems")->status, VP_LIST_UNVERIFIED);
    ck_assert_int_eq(find_list(s, "vaults")->status, VP_LIST_UNVERIFIED);
    ck_assert_int_eq(find_list(s, "backupconfig")->status, VP_LIST_MISSING);
    ck_assert_int_eq(s->collection.verified, 0);
    ck_assert_int_eq(s->collection.complete, 0);
    vp_snapshot_free(s);
    free(p1);

    p1 = item_page(0, 2, ITEMS_URL "&$skipToken=2");
    vp_test_body b2[] = {{"v.json", vault_list, NULL}, {"i.json", p1, NULL}};
    ck_assert_int_eq(vp_test_normalize(b2, 2, &s, &e), VP_OK);
    const vp_list_call *l = find_list(s, "backupProtectedItems");
    ck_assert_int_eq(l->status, VP_LIST_INCOMPLETE);
    ck_assert_ptr_nonnull(strstr(l->detail, "i.json has a nextLink"));
    vp_snapshot_free(s);
    free(p1);
}
END_TEST

START_TEST(bad_sidecar_is_invalid_input)
{
    const char *bad = "{\"format\":\"vaultproof-capture/1\",\"url\":\"u\",\"status\":200,\"requested_at\":\"now\"}";
    vp_test_body b[] = {{"v.json", vault_list, bad}};
    vp_snapshot *s = NULL;
    vp_error e = {0};
    ck_assert_int_eq(vp_test_normalize(b, 1, &s, &e), VP_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(e.message, "v.json.meta: /requested_at: 'now'; expected an RFC 3339 time"));
    const char *badop = "{\"format\":\"vaultproof-capture/1\",\"url\":\"u\",\"status\":200,\"requested_at\":\"2026-01-01T00:00:00Z\","
                        "\"received_at\":\"2026-01-01T00:00:00Z\",\"retries\":0,\"call\":{\"operation\":\"jobs\",\"scope\":\"/\",\"page\":1,\"complete\":true}}";
    b[0].sidecar = badop;
    ck_assert_int_eq(vp_test_normalize(b, 1, &s, &e), VP_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(e.message, "/call/operation: 'jobs'"));
}
END_TEST

TCase *collect_extras_tcase(void); /* tests/unit/test_collect_extras.c */

Suite *completeness_suite(void)
{
    Suite *s = suite_create("completeness");
    TCase *tc = tcase_create("sidecars");
    tcase_add_test(tc, two_pages_complete);
    tcase_add_test(tc, stopped_early_is_incomplete);
    tcase_add_test(tc, page_gap_and_error_status);
    tcase_add_test(tc, offline_export_unverified_or_dangling);
    tcase_add_test(tc, bad_sidecar_is_invalid_input);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, collect_extras_tcase());
    return s;
}
