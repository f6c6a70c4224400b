/* The period's changes: the Activity Log normalizer (src/collect/norm_event.c) from
 * Microsoft's GetActivityLogsFiltered.json and events of its shape, the snapshot's
 * "changes" round trip, and the classification (src/evaluate/changes.c). */
#define _GNU_SOURCE 1 /* asprintf */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vaultproof/arm.h"
#include "vaultproof/catalog.h"
#include "vaultproof/config.h"
#include "vaultproof/evaluate.h"
#include "vaultproof/period.h"
#include "vp_test.h"

#define SUB "/subscriptions/11111111-2222-3333-4444-555555555555"
#define VAULT SUB "/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/rsv1"
#define POLICY VAULT "/backupPolicies/daily"
#define ITEM VAULT "/backupFabrics/Azure/protectionContainers/c1/protectedItems/vm;one"

/* One EventData in the shape of GetActivityLogsFiltered.json; extra: members appended
 * to "properties" (already JSON-escaped strings). */
static char *event(const char *id, const char *op, const char *status, const char *when, const char *corr,
                   const char *resource, const char *extra)
{
    char *out = NULL;
    int n = asprintf(&out,
                     "{\"authorization\":{\"action\":\"%s\",\"scope\":\"%s\"},\"caller\":\"admin@contoso.com\","
                     "\"correlationId\":\"%s\",\"eventDataId\":\"%s\",\"id\":\"%s/events/%s/ticks/1\","
                     "\"level\":\"Informational\",\"operationName\":{\"value\":\"%s\",\"localizedValue\":\"x\"},"
                     "\"properties\":{\"statusCode\":\"OK\"%s%s},\"status\":{\"value\":\"%s\",\"localizedValue\":\"x\"},"
                     "\"subStatus\":{\"value\":\"OK\",\"localizedValue\":\"x\"},\"eventTimestamp\":\"%s\","
                     "\"subscriptionId\":\"11111111-2222-3333-4444-555555555555\"}",
                     op, resource, corr, id, resource, id, op, extra ? "," : "", extra ? extra : "", status, when);
    ck_assert_int_gt(n, 0);
    return out;
}

static vp_snapshot *normalize(const char *body, int with_period)
{
    vp_period p;
    vp_error e = {0};
    vp_snapshot *s = NULL;
    ck_assert_int_eq(vp_period_quarter("2026-Q3", "test", &p, &e), VP_OK);
    vp_test_body b[] = {{"subscriptions/x/activityLog.json", body, NULL}};
    ck_assert_msg(vp_test_normalize_period(b, 1, with_period ? &p : NULL, &s, &e) == VP_OK, "%s", e.message);
    return s;
}

START_TEST(microsoft_example_is_read_and_left_out)
{
    char *body = vp_test_data("azure", "GetActivityLogsFiltered.json");
    vp_snapshot *s = normalize(body, 1);
    /* told by shape (no type), not a backup resource's change: nothing kept, nothing ignored */
    ck_assert_uint_eq(s->change_count, 0);
    ck_assert_int_eq(s->collection.ignored_resources, 0);
    char *json = vp_test_snapshot_json(s);
    ck_assert_ptr_nonnull(strstr(json, "\"changes\": [\n  ]") ? json : strstr(json, "\"changes\""));
    free(json);
    vp_snapshot_free(s);
    s = normalize(body, 0);
    json = vp_test_snapshot_json(s);
    ck_assert_ptr_null(strstr(json, "\"changes\"")); /* no period: no member at all */
    free(json);
    vp_snapshot_free(s);
    free(body);
    /* the two period rows: recorded names, provider, path, api family and its pin */
    const vp_arm_operation *rs = vp_arm_find("activityLog"), *dp = vp_arm_find("activityLog-dataprotection");
    ck_assert_ptr_nonnull(rs);
    ck_assert_ptr_nonnull(dp);
    ck_assert_int_eq(rs->period && dp->period && rs->pages, 1);
    ck_assert_int_eq(rs->kind, VP_ARM_KIND_EVENT);
    ck_assert_int_eq(rs->parent, VP_ARM_PARENT_SUBSCRIPTION);
    ck_assert_str_eq(rs->provider, "Microsoft.RecoveryServices");
    ck_assert_str_eq(dp->provider, "Microsoft.DataProtection");
    ck_assert_str_eq(vp_arm_api_default(rs->api), "2015-04-01");
    char path[256];
    vp_arm_path(rs, "/subscriptions/s1", path, sizeof path);
    ck_assert_str_eq(path, "/subscriptions/s1/providers/Microsoft.Insights/eventtypes/management/values");
    char f[256];
    ck_assert_uint_lt(vp_arm_event_filter(1782864000LL, 1790812800LL, "Microsoft.RecoveryServices", f, sizeof f),
                      sizeof f);
    ck_assert_str_eq(f, "eventTimestamp ge '2026-07-01T00:00:00Z' and eventTimestamp le '2026-10-01T00:00:00Z' and "
                        "resourceProvider eq 'Microsoft.RecoveryServices'");
}
END_TEST

START_TEST(terminal_events_kept_started_counted)
{
    char *e1 = event("e1", "Microsoft.RecoveryServices/vaults/write", "Started", "2026-08-14T10:00:00Z", "c-1", VAULT,
                     NULL);
    char *e2 = event("e2", "Microsoft.RecoveryServices/vaults/write", "Succeeded", "2026-08-14T10:00:05.5Z", "c-1",
                     VAULT,
                     "\"requestbody\":\"{\\\"properties\\\":{\\\"securitySettings\\\":{\\\"immutabilitySettings\\\":"
                     "{\\\"state\\\":\\\"Unlocked\\\"},\\\"softDeleteSettings\\\":{\\\"softDeleteState\\\":"
                     "\\\"Enabled\\\",\\\"softDeleteRetentionPeriodInDays\\\":14}}}}\"");
    char *e3 = event("e3", "Microsoft.RecoveryServices/vaults/backupPolicies/write", "Failed", "2026-09-01T00:00:00Z",
                     "c-2", POLICY,
                     "\"statusMessage\":\"{\\\"status\\\":\\\"Failed\\\",\\\"error\\\":{\\\"code\\\":\\\"SomeCode\\\","
                     "\\\"message\\\":\\\"refused\\\"}}\"");
    char *e4 = event("e4", "Microsoft.RecoveryServices/vaults/write", "Succeeded", "2026-10-01T00:00:00Z", "c-3",
                     VAULT, NULL); /* at the period's end: outside (half-open) */
    char *e5 = event("e5", "Microsoft.RecoveryServices/vaults/backupJobs/read", "Succeeded", "2026-08-01T00:00:00Z",
                     "c-4", VAULT, NULL); /* not a change */
    char *body = NULL;
    ck_assert_int_gt(asprintf(&body, "{\"value\":[%s,%s,%s,%s,%s]}", e1, e2, e3, e4, e5), 0);
    vp_snapshot *s = normalize(body, 1);
    ck_assert_uint_eq(s->change_count, 2);
    const vp_change *a = &s->changes[1], *b = &s->changes[0]; /* sorted by id: the policy's first */
    ck_assert_str_eq(a->operation, "Microsoft.RecoveryServices/vaults/write");
    ck_assert_str_eq(a->status, "Succeeded");
    ck_assert_str_eq(a->time, "2026-08-14T10:00:05.5Z");
    ck_assert_str_eq(a->caller, "admin@contoso.com");
    ck_assert_str_eq(a->correlation_id, "c-1");
    ck_assert_str_eq(a->vault_id, VAULT);
    ck_assert_int_eq(a->begun, 1);
    ck_assert_str_eq(a->request.immutability.value, "Unlocked");
    ck_assert_str_eq(a->request.soft_delete.value, "Enabled");
    ck_assert_int_eq(a->request.soft_delete_days.value, 14);
    ck_assert_int_eq(a->request.policy_id.presence, VP_ABSENT);
    ck_assert_str_eq(a->source.pointer, "/value/1");
    ck_assert_str_eq(b->error_code, "SomeCode");
    ck_assert_str_eq(b->error_message, "refused");
    ck_assert_int_eq(b->begun, 0);
    ck_assert_str_eq(b->resource_id, POLICY);

    /* the snapshot's "changes" round trip: written, read back, written again = same bytes */
    char *json = vp_test_snapshot_json(s), path[] = "/tmp/vp-changes-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, json, strlen(json)), (ssize_t)strlen(json));
    close(fd);
    vp_snapshot *back = NULL;
    vp_error err = {0};
    ck_assert_msg(vp_snapshot_read_json(path, &back, &err) == VP_OK, "%s", err.message);
    ck_assert_uint_eq(back->change_count, 2);
    char *again = vp_test_snapshot_json(back);
    ck_assert_str_eq(again, json);
    unlink(path);
    free(again);
    free(json);
    vp_snapshot_free(back);
    vp_snapshot_free(s);
    free(body);
    free(e1);
    free(e2);
    free(e3);
    free(e4);
    free(e5);
}
END_TEST

/* ---- classification over hand-made snapshots ---- */

static vp_change mk(const char *id, const char *op, const char *status, const char *time, const char *res)
{
    vp_change c = {.id = id, .time = time, .operation = op, .status = status, .resource_id = res, .vault_id = VAULT};
    c.source.file = "x.json";
    c.source.pointer = "/value/0";
    return c;
}

static void set_text(vp_text *t, const char *v)
{
    t->value = v;
    t->presence = VP_PRESENT;
}

static void set_num(vp_num *n, long long v)
{
    n->value = v;
    n->presence = VP_PRESENT;
}

static vp_change_class classify(vp_change *v, size_t n, size_t i, vp_vault *vault, const vp_snapshot *baseline)
{
    vp_snapshot s = {0};
    vp_change_class k;
    s.changes = v;
    s.change_count = n;
    s.vaults = vault;
    s.vault_count = vault ? 1 : 0;
    vp_change_index *ix = vp_change_index_new(&s);
    ck_assert_ptr_nonnull(ix);
    vp_change_classify(ix, baseline, i, &k);
    vp_change_index_free(ix);
    return k;
}

START_TEST(every_kind)
{
    vp_vault locked = {.id = VAULT};
    set_text(&locked.immutability, "Locked");
    vp_change v[8];
    vp_change_class k;

    /* immutability: Locked -> Unlocked within the period lowers; to Locked never does */
    v[0] = mk("a", "Microsoft.RecoveryServices/vaults/write", "Succeeded", "2026-07-02T00:00:00Z", VAULT);
    set_text(&v[0].request.immutability, "Locked");
    v[1] = mk("b", "Microsoft.RecoveryServices/vaults/write", "Succeeded", "2026-07-03T00:00:00Z", VAULT);
    set_text(&v[1].request.immutability, "Unlocked");
    k = classify(v, 2, 1, NULL, NULL);
    ck_assert_int_eq(k.kind, VP_CHANGE_IMMUTABILITY);
    ck_assert_int_eq(k.reduces, 1);
    k = classify(v, 2, 0, NULL, NULL);
    ck_assert_int_eq(k.kind, VP_CHANGE_OTHER);
    /* Disabled -> Unlocked raises; with no earlier value Unlocked is fail closed */
    set_text(&v[0].request.immutability, "Disabled");
    ck_assert_int_eq(classify(v, 2, 1, NULL, NULL).reduces, 0);
    k = classify(&v[1], 1, 0, NULL, NULL);
    ck_assert_int_eq(k.kind, VP_CHANGE_IMMUTABILITY);
    ck_assert_ptr_nonnull(strstr(k.why, "fail closed"));

    /* soft delete: AlwaysON in the baseline, Enabled requested */
    vp_vault base_vault = {.id = VAULT};
    set_text(&base_vault.soft_delete, "AlwaysON");
    set_num(&base_vault.soft_delete_days, 14);
    vp_snapshot baseline = {.vaults = &base_vault, .vault_count = 1};
    v[2] = mk("c", "Microsoft.RecoveryServices/vaults/backupconfig/write", "Succeeded", "2026-07-05T00:00:00Z",
              VAULT "/backupconfig/vaultconfig");
    set_text(&v[2].request.soft_delete, "Enabled");
    ck_assert_int_eq(classify(&v[2], 1, 0, NULL, &baseline).kind, VP_CHANGE_SOFT_DELETE);
    set_text(&v[2].request.soft_delete, "AlwaysON");
    set_num(&v[2].request.soft_delete_days, 20);
    ck_assert_int_eq(classify(&v[2], 1, 0, NULL, &baseline).kind, VP_CHANGE_OTHER);
    set_num(&v[2].request.soft_delete_days, 7); /* fewer days weakens it */
    ck_assert_int_eq(classify(&v[2], 1, 0, NULL, &baseline).kind, VP_CHANGE_SOFT_DELETE);

    /* MUA: a guard proxy deleted; stop protection with delete data */
    v[3] = mk("d", "Microsoft.RecoveryServices/vaults/backupResourceGuardProxies/delete", "Succeeded",
              "2026-07-06T00:00:00Z", VAULT "/backupResourceGuardProxies/VaultProxy");
    ck_assert_int_eq(classify(&v[3], 1, 0, NULL, NULL).kind, VP_CHANGE_MUA);
    v[4] = mk("e", "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/delete",
              "Succeeded", "2026-07-07T00:00:00Z", ITEM);
    ck_assert_int_eq(classify(&v[4], 1, 0, NULL, NULL).kind, VP_CHANGE_DELETE_DATA);

    /* retention: 30 -> 7 days in the period reduces; 30 -> 60 does not; no earlier value: fail closed */
    v[5] = mk("f", "Microsoft.RecoveryServices/vaults/backupPolicies/write", "Succeeded", "2026-07-08T00:00:00Z",
              POLICY);
    set_num(&v[5].request.retention_days, 30);
    v[6] = mk("g", "Microsoft.RecoveryServices/vaults/backupPolicies/write", "Succeeded", "2026-07-09T00:00:00Z",
              POLICY);
    set_num(&v[6].request.retention_days, 7);
    ck_assert_int_eq(classify(&v[5], 2, 1, NULL, NULL).kind, VP_CHANGE_RETENTION);
    set_num(&v[6].request.retention_days, 60);
    ck_assert_int_eq(classify(&v[5], 2, 1, NULL, NULL).kind, VP_CHANGE_OTHER);
    k = classify(&v[5], 1, 0, NULL, NULL);
    ck_assert_int_eq(k.kind, VP_CHANGE_RETENTION);
    ck_assert_ptr_nonnull(strstr(k.why, "not known"));

    /* blocked: the same reduction Failed on a Locked vault; on an unprotected vault it is only a failed attempt */
    v[7] = mk("h", "Microsoft.RecoveryServices/vaults/backupPolicies/write", "Failed", "2026-07-10T00:00:00Z", POLICY);
    set_num(&v[7].request.retention_days, 1);
    vp_change pair[2] = {v[5], v[7]};
    k = classify(pair, 2, 1, &locked, NULL);
    ck_assert_int_eq(k.kind, VP_CHANGE_RETENTION);
    ck_assert_int_eq(k.reduces, 0);
    ck_assert_int_eq(k.blocked, 1);
    k = classify(pair, 2, 1, NULL, NULL);
    ck_assert_int_eq(k.blocked, 0);
    ck_assert_int_eq(k.reduces, 0);
    ck_assert_str_eq(vp_change_kind_name(VP_CHANGE_DELETE_DATA), "stop-protection-delete-data");
}
END_TEST

START_TEST(policy_swap)
{
    vp_policy pol[2] = {{.id = POLICY}, {.id = VAULT "/backupPolicies/weekly"}};
    pol[0].long_term_days = 30;
    pol[1].long_term_days = 7;
    vp_item item = {.id = ITEM};
    set_text(&item.policy_id, POLICY);
    vp_snapshot baseline = {.policies = pol, .policy_count = 2, .items = &item, .item_count = 1};
    vp_change c = mk("a", "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/write",
                     "Succeeded", "2026-07-02T00:00:00Z", ITEM);
    set_text(&c.request.policy_id, VAULT "/backupPolicies/weekly");
    ck_assert_int_eq(classify(&c, 1, 0, NULL, &baseline).kind, VP_CHANGE_POLICY_SWAP);
    set_text(&c.request.policy_id, POLICY); /* the same policy */
    ck_assert_int_eq(classify(&c, 1, 0, NULL, &baseline).kind, VP_CHANGE_OTHER);
    pol[1].long_term_days = 90; /* a longer one */
    set_text(&c.request.policy_id, VAULT "/backupPolicies/weekly");
    ck_assert_int_eq(classify(&c, 1, 0, NULL, &baseline).kind, VP_CHANGE_OTHER);
    ck_assert_int_eq(classify(&c, 1, 0, NULL, NULL).kind, VP_CHANGE_OTHER); /* no earlier policy: configured */
}
END_TEST


/* The change register through vp_evaluate: by correlation id, by resource + operation +
 * the change's UTC day, and an entry of another day that matches nothing. */
START_TEST(register_matching)
{
#define SIDECAR(op)                                                                                          \
    "{\"format\":\"vaultproof-capture/1\",\"url\":\"https://management.azure.com" SUB "/x\",\"status\":200,"  \
    "\"requested_at\":\"2026-09-30T02:00:00Z\",\"received_at\":\"2026-09-30T02:00:00Z\",\"retries\":0,"      \
    "\"call\":{\"operation\":\"" op "\",\"scope\":\"" SUB "\",\"page\":1,\"next_link\":null,\"complete\":true}}"
    char *e1 = event("e1", "Microsoft.RecoveryServices/vaults/backupPolicies/write", "Succeeded",
                     "2026-08-03T09:00:00Z", "c-1", POLICY, NULL);
    char *e2 = event("e2", "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/delete",
                     "Succeeded", "2026-08-10T23:59:59Z", "c-2", ITEM, NULL);
    char *e3 = event("e3", "Microsoft.RecoveryServices/vaults/backupResourceGuardProxies/delete", "Succeeded",
                     "2026-08-11T00:00:00Z", "c-3", VAULT "/backupResourceGuardProxies/VaultProxy", NULL);
    char *body = NULL, cfg_path[] = "/tmp/vp-changes-cfg-XXXXXX";
    ck_assert_int_gt(asprintf(&body, "{\"value\":[%s,%s,%s]}", e1, e2, e3), 0);
    vp_test_body b[] = {{"subscriptions/s/activityLog.json", body, SIDECAR("activityLog")},
                        {"subscriptions/s/activityLog-dataprotection.json", "{\"value\":[]}",
                         SIDECAR("activityLog-dataprotection")}};
    vp_period p;
    vp_error e = {0};
    vp_snapshot *s = NULL;
    ck_assert_int_eq(vp_period_range("2026-07-15T00:00:00Z", "2026-09-30T00:00:00Z", "test", &p, &e), VP_OK);
    ck_assert_msg(vp_test_normalize_period(b, 2, &p, &s, &e) == VP_OK, "%s", e.message);
    int fd = mkstemp(cfg_path);
    static const char cfg[] =
        "{\"change_register\":[{\"ticket\":\"CHG-1\",\"approver\":\"cab\",\"date\":\"2026-08-01\",\"match\":"
        "{\"correlation_id\":\"C-1\"}},{\"ticket\":\"CHG-2\",\"approver\":\"cab\",\"date\":\"2026-08-01\",\"match\":"
        "{\"resource_id\":\"" ITEM "\",\"operation\":\"microsoft.recoveryservices/vaults/backupfabrics/"
        "protectioncontainers/protecteditems/delete\",\"date\":\"2026-08-10\"}},{\"ticket\":\"CHG-3\",\"approver\":"
        "\"cab\",\"date\":\"2026-08-01\",\"match\":{\"resource_id\":\"" VAULT "/backupResourceGuardProxies/VaultProxy\","
        "\"operation\":\"Microsoft.RecoveryServices/vaults/backupResourceGuardProxies/delete\",\"date\":\"2026-08-10\"}}]}";
    ck_assert_int_eq(write(fd, cfg, strlen(cfg)), (ssize_t)strlen(cfg));
    close(fd);
    vp_config *config = NULL;
    vp_catalog *cat = NULL;
    ck_assert_msg(vp_config_load(cfg_path, &config, &e) == VP_OK, "%s", e.message);
    unlink(cfg_path);
    ck_assert_int_eq(vp_catalog_builtin(&cat, &e), VP_OK);
    vp_snapshot_ref ref = {"snap.json", NULL, s};
    vp_evaluate_options opt = {.clock = {.epoch = 1790748000, .pinned = 1}};
    vp_findings *f = NULL;
    ck_assert_msg(vp_evaluate(&ref, cat, config, &opt, &f, &e) == VP_OK, "%s", e.message);
    size_t n, seen = 0;
    const vp_finding *list = vp_findings_list(f, &n);
    for (size_t i = 0; i < n; i++) {
        const vp_finding *x = &list[i];
        if (strcmp(x->rule->id, "change.authorized") || strcmp(x->resource_type, "change"))
            continue;
        seen++;
        if (strstr(x->resource_id, "/events/e1/")) {
            ck_assert_int_eq(x->status, VP_PASS);
            ck_assert_ptr_nonnull(strstr(x->note, "ticket CHG-1"));
        } else if (strstr(x->resource_id, "/events/e2/")) {
            ck_assert_int_eq(x->status, VP_PASS); /* 23:59:59 is still the 10th */
            ck_assert_ptr_nonnull(strstr(x->note, "ticket CHG-2"));
        } else {
            ck_assert_int_eq(x->status, VP_FAIL); /* the 11th: CHG-3 names the 10th */
            ck_assert_str_eq(x->resource_name, "mua-removed");
        }
    }
    ck_assert_uint_eq(seen, 3);
    vp_findings_free(f);
    vp_catalog_free(cat);
    vp_config_free(config);
    vp_snapshot_free(s);
    free(body);
    free(e1);
    free(e2);
    free(e3);
#undef SIDECAR
}
END_TEST

Suite *changes_suite(void); /* registered in main.c */
Suite *changes_suite(void)
{
    Suite *s = suite_create("changes");
    TCase *tc = tcase_create("changes");
    tcase_add_test(tc, microsoft_example_is_read_and_left_out);
    tcase_add_test(tc, terminal_events_kept_started_counted);
    tcase_add_test(tc, every_kind);
    tcase_add_test(tc, policy_swap);
    tcase_add_test(tc, register_matching);
    suite_add_tcase(s, tc);
    return s;
}
