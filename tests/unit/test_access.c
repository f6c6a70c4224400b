/* The collecting principal's access (collection.access): Microsoft's role assignment and
 * role definition examples normalized as they are (tests/data/azure/SOURCES.md), the
 * permission judgement on built-in roles' real permissions, the verdict, and a snapshot
 * written before access was recorded read as "not recorded" and written back unchanged. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vaultproof/snapshot.h"
#include "vp_test.h"

#define SUB "a925f2f7-5c63-4b7b-8799-25a5f97bc3b2"

static char *side(const char *op, const char *scope, int status)
{
    char *buf = malloc(2048);
    snprintf(buf, 2048,
             "{\"format\":\"vaultproof-capture/1\",\"method\":\"GET\",\"url\":\"https://management.azure.com%s?api-version=2022-04-01\","
             "\"status\":%d,\"requested_at\":\"2026-09-30T02:00:00Z\",\"received_at\":\"2026-09-30T02:00:01Z\",\"retries\":0,"
             "\"headers\":{},\"call\":{\"operation\":\"%s\",\"scope\":\"%s\",\"page\":1,\"next_link\":null,"
             "\"complete\":%s,\"error\":null},\"principal\":\"app-1\",\"credential\":\"secret\","
             "\"principal_object_id\":\"ce2ce14e-85d7-4629-bdbc-454d0519d987\",\"principal_tenant_id\":\"t-1\"}",
             scope, status, op, scope, status == 200 ? "true" : "false");
    return buf;
}

static const char subscriptions[] = "{\"value\":[{\"id\":\"/subscriptions/" SUB "\",\"subscriptionId\":\"" SUB
                                    "\",\"displayName\":\"Example\",\"state\":\"Enabled\"}]}";

START_TEST(microsoft_examples_as_published)
{
    char *ra = vp_test_data("azure", "RoleAssignments_ListForScope.json");
    char *rd = vp_test_data("azure", "GetRoleDefinitionById.json");
    char *s1 = side("roleAssignments", "/subscriptions/" SUB, 200);
    char *s2 = side("roleDefinitions", "/subscriptions/subID/providers/Microsoft.Authorization/roleDefinitions/roleDefinitionId", 200);
    vp_test_body b[] = {{"subscriptions.json", subscriptions, NULL},
                        {"subscriptions/" SUB "/roleAssignments.json", ra, s1},
                        {"roleDefinitions/roledefinitionid.json", rd, s2}};
    vp_snapshot *snap = NULL;
    vp_error e = {0};
    ck_assert_msg(vp_test_normalize(b, 3, &snap, &e) == VP_OK, "%s", e.message);
    const vp_access *a = &snap->collection.access;
    ck_assert_int_eq(a->recorded, 1);
    ck_assert_str_eq(a->client_id, "app-1");
    ck_assert_str_eq(a->object_id, "ce2ce14e-85d7-4629-bdbc-454d0519d987");
    ck_assert_str_eq(a->credential, "secret");
    ck_assert_ptr_null(a->display_name);
    ck_assert_int_eq(a->subscriptions_listed, 1);
    ck_assert_uint_eq(a->subscription_count, 1);
    ck_assert_str_eq(a->subscriptions[0].status, "in-scope");
    ck_assert_str_eq(a->subscriptions[0].display_name, "Example");
    ck_assert_uint_eq(a->scope_count, 1);
    const vp_access_scope *sc = vp_access_find_scope(a, SUB);
    ck_assert_ptr_nonnull(sc);
    ck_assert_str_eq(sc->status, "read");
    ck_assert_uint_eq(sc->assignment_count, 1);
    const vp_role_assignment *r = &sc->assignments[0];
    ck_assert_str_eq(r->principal_type, "User");
    ck_assert_str_eq(r->scope, "/subscriptions/" SUB);
    ck_assert_int_eq(r->covers_subscription, 1);
    /* the example's definition is another one ("roleDefinitionId"): the role is not known */
    ck_assert_ptr_null(r->role_name);
    ck_assert_int_eq(r->reads_vaults, -1);
    ck_assert_int_eq(vp_access_judge(sc), VP_ACCESS_UNKNOWN);
    /* access reads are judged when recorded, never expected; the collection stays complete
     * as far as they go (the subscription's own vault and VM lists are missing here) */
    for (size_t i = 0; i < snap->collection.list_count; i++)
        if (!strcmp(snap->collection.lists[i].operation, "roleAssignments"))
            ck_assert_int_eq(snap->collection.lists[i].status, VP_LIST_COMPLETE);
    vp_snapshot_free(snap);
    free(ra);
    free(rd);
    free(s1);
    free(s2);
}
END_TEST

/* A role definition of one permission block, and one assignment of it at scope. */
static vp_access_verdict judge_role(const char *actions, const char *not_actions, const char *scope, int *reads,
                                    int *writes)
{
    char ra[2048], rd[2048];
    snprintf(ra, sizeof ra,
             "{\"value\":[{\"properties\":{\"roleDefinitionId\":\"/providers/Microsoft.Authorization/roleDefinitions/"
             "11111111-2222-3333-4444-555555555555\",\"principalId\":\"p\",\"principalType\":\"ServicePrincipal\","
             "\"scope\":\"%s\"},\"id\":\"%s/providers/Microsoft.Authorization/roleAssignments/a1\","
             "\"type\":\"Microsoft.Authorization/roleAssignments\",\"name\":\"a1\"}]}",
             scope, scope);
    snprintf(rd, sizeof rd,
             "{\"properties\":{\"roleName\":\"R\",\"permissions\":[{\"actions\":[%s],\"notActions\":[%s]}]},"
             "\"id\":\"/subscriptions/" SUB "/providers/Microsoft.Authorization/roleDefinitions/11111111-2222-3333-4444-555555555555\","
             "\"type\":\"Microsoft.Authorization/roleDefinitions\",\"name\":\"11111111-2222-3333-4444-555555555555\"}",
             actions, not_actions);
    char *s1 = side("roleAssignments", "/subscriptions/" SUB, 200);
    vp_test_body b[] = {{"subscriptions.json", subscriptions, NULL},
                        {"subscriptions/" SUB "/roleAssignments.json", ra, s1},
                        {"roleDefinitions/r.json", rd, NULL}};
    vp_snapshot *snap = NULL;
    vp_error e = {0};
    ck_assert_msg(vp_test_normalize(b, 3, &snap, &e) == VP_OK, "%s", e.message);
    const vp_access_scope *sc = vp_access_find_scope(&snap->collection.access, SUB);
    ck_assert_ptr_nonnull(sc);
    *reads = sc->assignments[0].reads_vaults;
    *writes = sc->assignments[0].writes;
    vp_access_verdict v = vp_access_judge(sc);
    vp_snapshot_free(snap);
    free(s1);
    return v;
}

START_TEST(permissions_decide_not_names)
{
    int reads, writes;
    const char *sub = "/subscriptions/" SUB;
    /* Reader */
    ck_assert_int_eq(judge_role("\"*/read\"", "", sub, &reads, &writes), VP_ACCESS_READS);
    ck_assert_int_eq(reads, 1);
    ck_assert_int_eq(writes, 0);
    /* Owner, at the root */
    ck_assert_int_eq(judge_role("\"*\"", "", "/", &reads, &writes), VP_ACCESS_READS_WRITES);
    /* Contributor: "*" minus Authorization writes still writes vaults */
    ck_assert_int_eq(judge_role("\"*\"", "\"Microsoft.Authorization/*/Write\",\"Microsoft.Authorization/*/Delete\"", sub,
                                &reads, &writes),
                     VP_ACCESS_READS_WRITES);
    /* Backup Reader's monitoring writes are not writes to the evidence (case differs too) */
    ck_assert_int_eq(judge_role("\"Microsoft.RecoveryServices/Vaults/read\",\"Microsoft.RecoveryServices/Vaults/"
                                "backupProtectedItems/read\",\"Microsoft.RecoveryServices/Vaults/monitoringConfigurations/*\","
                                "\"Microsoft.RecoveryServices/Vaults/monitoringAlerts/write\"",
                                "", sub, &reads, &writes),
                     VP_ACCESS_READS);
    /* Backup Contributor's protected items wildcard */
    ck_assert_int_eq(judge_role("\"Microsoft.RecoveryServices/Vaults/read\",\"Microsoft.RecoveryServices/Vaults/"
                                "backupProtectedItems/read\",\"Microsoft.RecoveryServices/Vaults/backupFabrics/"
                                "protectionContainers/protectedItems/*\"",
                                "", sub, &reads, &writes),
                     VP_ACCESS_READS_WRITES);
    /* vaults but not their items: does not read the population */
    ck_assert_int_eq(judge_role("\"Microsoft.RecoveryServices/vaults/read\"", "", sub, &reads, &writes), VP_ACCESS_NO_READ);
    ck_assert_int_eq(reads, 0);
    /* a reader taken away by notActions */
    ck_assert_int_eq(judge_role("\"*/read\"", "\"Microsoft.RecoveryServices/*\"", sub, &reads, &writes), VP_ACCESS_NO_READ);
    /* Reader in one resource group only: the subscription's population is not covered */
    ck_assert_int_eq(judge_role("\"*/read\"", "", "/subscriptions/" SUB "/resourceGroups/rg", &reads, &writes),
                     VP_ACCESS_NO_READ);
    /* from a management group above */
    ck_assert_int_eq(judge_role("\"*/read\"", "", "/providers/Microsoft.Management/managementGroups/mg", &reads, &writes),
                     VP_ACCESS_READS);
}
END_TEST

START_TEST(refused_and_not_recorded)
{
    vp_access_scope sc = {.subscription_id = SUB, .status = "refused", .detail = "HTTP 403 on page 1"};
    ck_assert_int_eq(vp_access_judge(&sc), VP_ACCESS_UNKNOWN);
    sc.status = "not-recorded";
    ck_assert_int_eq(vp_access_judge(&sc), VP_ACCESS_NOT_RECORDED);
    ck_assert_int_eq(vp_access_judge(NULL), VP_ACCESS_NOT_RECORDED);
    ck_assert_str_eq(vp_access_verdict_name(VP_ACCESS_READS_WRITES), "reads-writes");
}
END_TEST

/* Writes text to a temporary file; returns its path (static buffer). */
static const char *temp_file(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/vp-access-XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *fp = fdopen(fd, "w");
    fputs(text, fp);
    fclose(fp);
    return path;
}

START_TEST(snapshot_without_access_round_trips)
{
    char *sub_s = side("roleAssignments", "/subscriptions/" SUB, 403);
    vp_test_body b[] = {{"subscriptions.json", subscriptions, NULL},
                        {"subscriptions/" SUB "/roleAssignments.json",
                         "{\"error\":{\"code\":\"AuthorizationFailed\",\"message\":\"no\"}}", sub_s}};
    vp_snapshot *snap = NULL, *back = NULL;
    vp_error e = {0};
    ck_assert_msg(vp_test_normalize(b, 2, &snap, &e) == VP_OK, "%s", e.message);
    ck_assert_str_eq(snap->collection.access.scopes[0].status, "refused");
    char *json = vp_test_snapshot_json(snap);
    /* with access: read back and written again, the same bytes */
    const char *path = temp_file(json);
    ck_assert_msg(vp_snapshot_read_json(path, &back, &e) == VP_OK, "%s", e.message);
    char *again = vp_test_snapshot_json(back);
    ck_assert_str_eq(again, json);
    vp_snapshot_free(back);
    free(again);
    unlink(path);
    /* a snapshot written before access existed: no member, read as not recorded, written back without it */
    char *start = strstr(json, "    \"access\": "), *end = start ? strchr(start, '\n') : NULL;
    ck_assert_ptr_nonnull(end);
    memmove(start, end + 1, strlen(end + 1) + 1);
    path = temp_file(json);
    ck_assert_msg(vp_snapshot_read_json(path, &back, &e) == VP_OK, "%s", e.message);
    ck_assert_int_eq(back->collection.access.recorded, 0);
    again = vp_test_snapshot_json(back);
    ck_assert_str_eq(again, json);
    vp_snapshot_free(back);
    free(again);
    unlink(path);
    /* an edited assignment verdict is refused: it is derived */
    free(json);
    json = vp_test_snapshot_json(snap);
    char *v = strstr(json, "\"verdict\":\"unknown\"");
    ck_assert_ptr_nonnull(v);
    memcpy(v, "\"verdict\":\"reads\",  ", 20);
    path = temp_file(json);
    ck_assert_int_eq(vp_snapshot_read_json(path, &back, &e), VP_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(e.message, "verdict"));
    unlink(path);
    free(json);
    free(sub_s);
    vp_snapshot_free(snap);
}
END_TEST

Suite *access_suite(void); /* registered in main.c */
Suite *access_suite(void)
{
    Suite *s = suite_create("access");
    TCase *t = tcase_create("access");
    tcase_add_test(t, microsoft_examples_as_published);
    tcase_add_test(t, permissions_decide_not_names);
    tcase_add_test(t, refused_and_not_recorded);
    tcase_add_test(t, snapshot_without_access_round_trips);
    suite_add_tcase(s, t);
    return s;
}
