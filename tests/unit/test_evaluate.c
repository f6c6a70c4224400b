/* Evaluation rules on passing, failing and edge inputs. Each case builds a small
 * estate as ARM responses (with capture sidecars, so lists are complete unless the
 * case says otherwise), normalizes it, and evaluates it with a config written here. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vaultproof/catalog.h"
#include "vaultproof/config.h"
#include "vaultproof/evaluate.h"
#include "vaultproof/fileio.h"
#include "vaultproof/findings_read.h"
#include "vaultproof/period.h"
#include "vaultproof/timeline.h"
#include "vp_test.h"

#define SUB "/subscriptions/s1"
#define RG SUB "/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/"
#define VMS SUB "/resourceGroups/app/providers/Microsoft.Compute/virtualMachines/"
#define CAPTURED "2026-09-30T02:00:00Z"

typedef struct {
    char *bodies[64], *sidecars[64], *owned_paths[64];
    const char *paths[64];
    size_t n;
} estate;

static void add(estate *e, const char *path, const char *op, const char *scope, const char *fmt, ...)
{
    char *body = malloc(65536), *side = malloc(2048);
    va_list ap;
    ck_assert_int_lt(e->n, 64);
    va_start(ap, fmt);
    vsnprintf(body, 65536, fmt, ap);
    va_end(ap);
    snprintf(side, 2048,
             "{\"format\":\"vaultproof-capture/1\",\"method\":\"GET\",\"url\":\"https://management.azure.com%s/%s?api-version=2024-04-01\","
             "\"status\":200,\"requested_at\":\"" CAPTURED "\",\"received_at\":\"" CAPTURED "\",\"retries\":0,\"headers\":{},"
             "\"call\":{\"operation\":\"%s\",\"scope\":\"%s\",\"page\":1,\"next_link\":null,\"complete\":true,\"error\":null}}",
             scope, op, op, scope);
    e->paths[e->n] = path;
    e->bodies[e->n] = body;
    e->sidecars[e->n] = op ? side : NULL;
    if (!op)
        free(side);
    e->n++;
}

static void estate_free(estate *e)
{
    for (size_t i = 0; i < e->n; i++) {
        free(e->bodies[i]);
        free(e->sidecars[i]);
        free(e->owned_paths[i]);
    }
}

/* add() with a path built here and owned by the estate. */
#define ADD_OWNED(e, path, ...)                                                                              \
    do {                                                                                                     \
        char *p_ = strdup(path);                                                                             \
        (e)->owned_paths[(e)->n] = p_;                                                                       \
        add((e), p_, __VA_ARGS__);                                                                           \
    } while (0)

/* A vault with the given immutability and soft-delete JSON fragments, all five
 * per-vault calls answered, and its items (a JSON array body). */
static void vault(estate *e, const char *name, const char *security, const char *items, const char *policies)
{
    char scope[256], path[64];
    snprintf(scope, sizeof scope, RG "%s", name);
    snprintf(path, sizeof path, "%s-vault.json", name);
    ADD_OWNED(e, path, NULL, NULL,
        "{\"id\":\"%s\",\"name\":\"%s\",\"type\":\"Microsoft.RecoveryServices/vaults\",\"location\":\"switzerlandwest\","
        "\"properties\":{%s}}", scope, name, security);
    snprintf(path, sizeof path, "%s-items.json", name);
    ADD_OWNED(e, path, "backupProtectedItems", scope, "{\"value\":%s}", items);
    snprintf(path, sizeof path, "%s-policies.json", name);
    ADD_OWNED(e, path, "backupPolicies", scope, "{\"value\":%s}", policies ? policies : "[]");
    snprintf(path, sizeof path, "%s-guards.json", name);
    ADD_OWNED(e, path, "backupResourceGuardProxies", scope, "{\"value\":[]}");
    snprintf(path, sizeof path, "%s-config.json", name);
    ADD_OWNED(e, path, "backupconfig", scope,
        "{\"id\":\"%s/backupconfig/vaultconfig\",\"type\":\"Microsoft.RecoveryServices/vaults/backupconfig\",\"properties\":{}}", scope);
    snprintf(path, sizeof path, "%s-storage.json", name);
    ADD_OWNED(e, path, "backupstorageconfig", scope,
        "{\"id\":\"%s/backupstorageconfig/vaultstorageconfig\",\"type\":\"Microsoft.RecoveryServices/vaults/backupstorageconfig\","
        "\"properties\":{\"storageType\":\"GeoRedundant\",\"crossRegionRestoreFlag\":true}}", scope);
}

static char item_buf[2048];

/* One VM item in vault, on policy (may be NULL), with extra properties. */
static const char *vm_item(const char *vault_name, const char *vm, const char *policy, const char *extra)
{
    char pol[512] = "";
    if (policy)
        snprintf(pol, sizeof pol, ",\"policyId\":\"" RG "%s/backupPolicies/%s\"", vault_name, policy);
    snprintf(item_buf, sizeof item_buf,
             "{\"id\":\"" RG "%s/backupFabrics/Azure/protectionContainers/c;%s/protectedItems/VM;%s\","
             "\"type\":\"Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems\","
             "\"properties\":{\"protectedItemType\":\"Microsoft.Compute/virtualMachines\",\"backupManagementType\":\"AzureIaasVM\","
             "\"friendlyName\":\"%s\",\"sourceResourceId\":\"" VMS "%s\"%s%s%s}}",
             vault_name, vm, vm, vm, vm, pol, extra && *extra ? "," : "", extra ? extra : "");
    return item_buf;
}

static const char *policy(const char *vault_name, const char *name, const char *retention)
{
    static char buf[2048];
    snprintf(buf, sizeof buf,
             "{\"id\":\"" RG "%s/backupPolicies/%s\",\"name\":\"%s\",\"type\":\"Microsoft.RecoveryServices/vaults/backupPolicies\","
             "\"properties\":{\"backupManagementType\":\"AzureIaasVM\",\"retentionPolicy\":{\"retentionPolicyType\":\"LongTermRetentionPolicy\",%s}}}",
             vault_name, name, name, retention);
    return buf;
}

static void vms(estate *e, const char *list)
{
    add(e, "vms.json", "virtualMachines", SUB, "{\"value\":[%s]}", list);
    add(e, "vaults-list.meta-only.json", "vaults", SUB, "{\"value\":[]}");
}

/* The evidence period of the period cases: 2026-Q3, with the jobs stream text to build
 * the timeline from (NULL: jobs counted, not kept). */
typedef struct {
    const char *jobs;
    vp_timeline *timeline; /* out */
} period_run;

static vp_findings *evaluate_over(estate *e, const char *config_json, period_run *pr, vp_snapshot **snap_out,
                                  vp_config **cfg_out, vp_catalog **cat_out);

static vp_findings *evaluate(estate *e, const char *config_json, vp_snapshot **snap_out, vp_config **cfg_out,
                             vp_catalog **cat_out)
{
    return evaluate_over(e, config_json, NULL, snap_out, cfg_out, cat_out);
}

/* Writes the stream to a file, records its hash in the snapshot as collect --jobs-out
 * does, and builds the timeline from it. */
static vp_timeline *timeline_of(vp_snapshot *snap, const char *jobs, vp_error *err, vp_status *st)
{
    char path[] = "/tmp/vp-jobs-XXXXXX";
    int fd = mkstemp(path);
    vp_timeline *t = NULL;
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, jobs, strlen(jobs)), (ssize_t)strlen(jobs));
    close(fd);
    if (!snap->collection.jobs_sha256[0])
        ck_assert_int_eq(vp_sha256_file(path, snap->collection.jobs_sha256, err), VP_OK);
    *st = vp_timeline_build(path, "jobs.jsonl", snap, &t, err);
    unlink(path);
    return t;
}

static vp_findings *evaluate_over(estate *e, const char *config_json, period_run *pr, vp_snapshot **snap_out,
                                  vp_config **cfg_out, vp_catalog **cat_out)
{
    vp_test_body b[64];
    vp_error err = {0};
    vp_period q3;
    char dir[] = "/tmp/vp-eval-XXXXXX", path[64];
    for (size_t i = 0; i < e->n; i++)
        b[i] = (vp_test_body){e->paths[i], e->bodies[i], e->sidecars[i]};
    ck_assert_int_eq(vp_period_quarter("2026-Q3", "test", &q3, &err), VP_OK);
    ck_assert_msg(vp_test_normalize_period(b, e->n, pr ? &q3 : NULL, snap_out, &err) == VP_OK, "%s", err.message);
    if (pr && pr->jobs) {
        vp_status st;
        pr->timeline = timeline_of(*snap_out, pr->jobs, &err, &st);
        ck_assert_msg(st == VP_OK, "%s", err.message);
    }
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/c.json", dir);
    FILE *fp = fopen(path, "w");
    fputs(config_json, fp);
    fclose(fp);
    ck_assert_msg(vp_config_load(path, cfg_out, &err) == VP_OK, "%s", err.message);
    unlink(path);
    rmdir(dir);
    ck_assert_int_eq(vp_catalog_builtin(cat_out, &err), VP_OK);
    vp_snapshot_ref ref = {"snap.json", NULL, *snap_out};
    vp_evaluate_options opt = {.clock = {.epoch = 1790748000, .pinned = 1}, .timeline = pr ? pr->timeline : NULL};
    vp_findings *f = NULL;
    ck_assert_msg(vp_evaluate(&ref, *cat_out, *cfg_out, &opt, &f, &err) == VP_OK, "%s", err.message);
    return f;
}

static const vp_finding *find(const vp_findings *f, const char *rule, const char *name)
{
    size_t n;
    const vp_finding *list = vp_findings_list(f, &n);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i].rule->id, rule) && list[i].resource_name && !strcmp(list[i].resource_name, name))
            return &list[i];
    return NULL;
}

#define EXPECT(f, rule, name, status_)                                                                       \
    do {                                                                                                     \
        const vp_finding *x_ = find(f, rule, name);                                                          \
        ck_assert_msg(x_ != NULL, "no %s finding for %s", rule, name);                                       \
        ck_assert_msg(x_->status == (status_), "%s %s: %s (observed %s; note %s), expected %s", rule, name,  \
                      vp_finding_status_name(x_->status), x_->observed, x_->note ? x_->note : "-",           \
                      vp_finding_status_name(status_));                                                      \
    } while (0)

typedef struct {
    estate e;
    vp_snapshot *snap;
    vp_config *cfg;
    vp_catalog *cat;
    vp_findings *f;
} run_t;

static void run_free(run_t *r)
{
    vp_findings_free(r->f);
    vp_catalog_free(r->cat);
    vp_config_free(r->cfg);
    vp_snapshot_free(r->snap);
    estate_free(&r->e);
}

#define SEC(imm, sd, days) "\"securitySettings\":{\"immutabilitySettings\":{\"state\":\"" imm "\"},\"softDeleteSettings\":{\"softDeleteState\":\"" sd "\",\"softDeleteRetentionPeriodInDays\":" days "},\"multiUserAuthorization\":\"Enabled\"}"

static const char base_config[] = "{\"rpo_hours\": 24}";

START_TEST(immutability_states)
{
    run_t r = {0};
    char items[4][4096];
    snprintf(items[0], sizeof items[0], "[%s]", vm_item("v-locked", "a1", NULL, "\"protectionState\":\"Protected\""));
    snprintf(items[1], sizeof items[1], "[%s]", vm_item("v-unlocked", "a2", NULL, "\"protectionState\":\"Protected\""));
    snprintf(items[2], sizeof items[2], "[%s]", vm_item("v-disabled", "a3", NULL, "\"protectionState\":\"Protected\""));
    snprintf(items[3], sizeof items[3], "[%s]", vm_item("v-frozen", "a4", NULL, "\"protectionState\":\"Protected\""));
    vault(&r.e, "v-locked", SEC("Locked", "AlwaysON", "14"), items[0], NULL);
    vault(&r.e, "v-unlocked", SEC("Unlocked", "AlwaysON", "14"), items[1], NULL);
    vault(&r.e, "v-disabled", SEC("Disabled", "AlwaysON", "14"), items[2], NULL);
    vault(&r.e, "v-frozen", SEC("Frozen", "AlwaysON", "14"), items[3], NULL);
    vault(&r.e, "v-fresh", "\"provisioningState\":\"Succeeded\"", "[]", NULL);
    vms(&r.e, "");
    r.f = evaluate(&r.e, base_config, &r.snap, &r.cfg, &r.cat);
    EXPECT(r.f, "immutability.locked", "v-locked", VP_PASS);
    EXPECT(r.f, "immutability.locked", "v-unlocked", VP_FAIL);
    EXPECT(r.f, "immutability.locked", "v-disabled", VP_FAIL);
    EXPECT(r.f, "immutability.locked", "v-frozen", VP_INCOMPLETE);
    EXPECT(r.f, "immutability.locked", "v-fresh", VP_NOT_APPLICABLE); /* holds no items */
    EXPECT(r.f, "worm.region-available", "v-locked", VP_PASS);         /* switzerlandwest is WORM GA */
    EXPECT(r.f, "worm.region-available", "v-unlocked", VP_NOT_APPLICABLE);
    run_free(&r);

    /* the parameter turns Unlocked into a warning */
    run_t r2 = {0};
    snprintf(items[1], sizeof items[1], "[%s]", vm_item("v-unlocked", "a2", NULL, "\"protectionState\":\"Protected\""));
    vault(&r2.e, "v-unlocked", SEC("Unlocked", "AlwaysON", "14"), items[1], NULL);
    vms(&r2.e, "");
    r2.f = evaluate(&r2.e, "{\"rule_parameters\":{\"immutability.locked\":{\"accept_unlocked\":true}}}", &r2.snap, &r2.cfg,
                    &r2.cat);
    EXPECT(r2.f, "immutability.locked", "v-unlocked", VP_WARN);
    run_free(&r2);
}
END_TEST

START_TEST(fail_closed_without_capture_records)
{
    run_t r = {0};
    char items[4096];
    snprintf(items, sizeof items, "[%s]", vm_item("v-locked", "a1", NULL, "\"protectionState\":\"Protected\""));
    vault(&r.e, "v-locked", SEC("Locked", "AlwaysON", "14"), items, NULL);
    for (size_t i = 0; i < r.e.n; i++) { /* an offline export: same bodies, no sidecars */
        free(r.e.sidecars[i]);
        r.e.sidecars[i] = NULL;
    }
    r.f = evaluate(&r.e, base_config, &r.snap, &r.cfg, &r.cat);
    EXPECT(r.f, "immutability.locked", "v-locked", VP_INCOMPLETE);
    EXPECT(r.f, "protection.state", "a1", VP_INCOMPLETE);
    size_t counts[VP_STATUS_COUNT];
    vp_findings_count(r.f, NULL, counts);
    ck_assert_int_eq(counts[VP_PASS], 0); /* nothing passes on unverified data */
    ck_assert(vp_findings_any_failing(r.f, VP_SEV_HIGH));
    run_free(&r);
}
END_TEST

START_TEST(soft_delete_levels)
{
    run_t r = {0};
    char it[4][4096];
    const char *names[] = {"sd-always", "sd-short", "sd-enabled", "sd-off"};
    for (int i = 0; i < 4; i++)
        snprintf(it[i], sizeof it[i], "[%s]", vm_item(names[i], names[i], NULL, "\"protectionState\":\"Protected\""));
    vault(&r.e, "sd-always", SEC("Locked", "AlwaysON", "14"), it[0], NULL);
    vault(&r.e, "sd-short", SEC("Locked", "AlwaysON", "7"), it[1], NULL);
    vault(&r.e, "sd-enabled", SEC("Locked", "Enabled", "30"), it[2], NULL);
    vault(&r.e, "sd-off", SEC("Locked", "Disabled", "14"), it[3], NULL);
    vms(&r.e, "");
    r.f = evaluate(&r.e, base_config, &r.snap, &r.cfg, &r.cat);
    EXPECT(r.f, "soft-delete.always-on", "sd-always", VP_PASS);
    EXPECT(r.f, "soft-delete.always-on", "sd-short", VP_FAIL);
    EXPECT(r.f, "soft-delete.always-on", "sd-enabled", VP_WARN);
    EXPECT(r.f, "soft-delete.always-on", "sd-off", VP_FAIL);
    EXPECT(r.f, "dr.redundancy", "sd-always", VP_PASS); /* GRS + CRR from backupstorageconfig */
    run_free(&r);
}
END_TEST

START_TEST(retention_boundaries_and_units)
{
    run_t r = {0};
    char items[8192], pols[8192];
    const struct {
        const char *vm, *policy, *retention;
        vp_finding_status want;
    } cases[] = {
        {"m12", "p-m12", "\"monthlySchedule\":{\"retentionDuration\":{\"count\":12,\"durationType\":\"Months\"}}", VP_PASS},
        {"y1", "p-y1", "\"yearlySchedule\":{\"retentionDuration\":{\"count\":1,\"durationType\":\"Years\"}}", VP_PASS},
        {"d364", "p-d364", "\"dailySchedule\":{\"retentionDuration\":{\"count\":364,\"durationType\":\"Days\"}}", VP_FAIL},
        {"d365", "p-d365", "\"dailySchedule\":{\"retentionDuration\":{\"count\":365,\"durationType\":\"Days\"}}", VP_PASS},
        {"w52", "p-w52", "\"weeklySchedule\":{\"retentionDuration\":{\"count\":52,\"durationType\":\"Weeks\"}}", VP_FAIL},
        {"inv", "p-inv", "\"yearlySchedule\":{\"retentionDuration\":{\"count\":1,\"durationType\":\"Invalid\"}}", VP_INCOMPLETE},
    };
    size_t ni = 0, np = 0;
    items[ni++] = '[';
    pols[np++] = '[';
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ni += (size_t)snprintf(items + ni, sizeof items - ni, "%s%s", i ? "," : "",
                               vm_item("v", cases[i].vm, cases[i].policy, "\"protectionState\":\"Protected\""));
        np += (size_t)snprintf(pols + np, sizeof pols - np, "%s%s", i ? "," : "", policy("v", cases[i].policy, cases[i].retention));
    }
    snprintf(items + ni, sizeof items - ni, ",%s]", vm_item("v", "nopol", NULL, "\"protectionState\":\"Protected\""));
    snprintf(pols + np, sizeof pols - np, "]");
    vault(&r.e, "v", SEC("Locked", "AlwaysON", "14"), items, pols);
    vms(&r.e, "");
    r.f = evaluate(&r.e, "{\"retention_minimums\":{\"default\":{\"yearly_years\":1}}}", &r.snap, &r.cfg, &r.cat);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        EXPECT(r.f, "retention.minimum", cases[i].vm, cases[i].want);
    EXPECT(r.f, "retention.minimum", "nopol", VP_NOT_APPLICABLE);
    run_free(&r);
}
END_TEST

START_TEST(retention_by_class_and_workload_full)
{
    run_t r = {0};
    char items[8192], pols[8192], vmlist[2048];
    const char *sql_full7 =
        "{\"id\":\"" RG "v/backupPolicies/sql7\",\"name\":\"sql7\",\"type\":\"Microsoft.RecoveryServices/vaults/backupPolicies\","
        "\"properties\":{\"backupManagementType\":\"AzureWorkload\",\"workLoadType\":\"SQLDataBase\",\"subProtectionPolicy\":["
        "{\"policyType\":\"Full\",\"retentionPolicy\":{\"retentionPolicyType\":\"LongTermRetentionPolicy\",\"yearlySchedule\":{\"retentionDuration\":{\"count\":7,\"durationType\":\"Years\"}}}},"
        "{\"policyType\":\"Log\",\"retentionPolicy\":{\"retentionPolicyType\":\"SimpleRetentionPolicy\",\"retentionDuration\":{\"count\":9999,\"durationType\":\"Days\"}}}]}}";
    const char *sql_log_only =
        "{\"id\":\"" RG "v/backupPolicies/sqllog\",\"name\":\"sqllog\",\"type\":\"Microsoft.RecoveryServices/vaults/backupPolicies\","
        "\"properties\":{\"backupManagementType\":\"AzureWorkload\",\"workLoadType\":\"SQLDataBase\",\"subProtectionPolicy\":["
        "{\"policyType\":\"Full\",\"retentionPolicy\":{\"retentionPolicyType\":\"SimpleRetentionPolicy\",\"retentionDuration\":{\"count\":30,\"durationType\":\"Days\"}}},"
        "{\"policyType\":\"Log\",\"retentionPolicy\":{\"retentionPolicyType\":\"SimpleRetentionPolicy\",\"retentionDuration\":{\"count\":9999,\"durationType\":\"Days\"}}}]}}";
    snprintf(pols, sizeof pols, "[%s,%s,%s,%s]", sql_full7, sql_log_only,
             policy("v", "y6", "\"yearlySchedule\":{\"retentionDuration\":{\"count\":6,\"durationType\":\"Years\"}}"),
             "{\"id\":\"" RG "v/backupPolicies/m84\",\"name\":\"m84\",\"type\":\"Microsoft.RecoveryServices/vaults/backupPolicies\","
             "\"properties\":{\"backupManagementType\":\"AzureIaasVM\",\"retentionPolicy\":{\"retentionPolicyType\":\"LongTermRetentionPolicy\","
             "\"monthlySchedule\":{\"retentionDuration\":{\"count\":84,\"durationType\":\"Months\"}}}}}");
    int n = snprintf(items, sizeof items, "[%s", vm_item("v", "fin-app1", "y6", "\"protectionState\":\"Protected\""));
    n += snprintf(items + n, sizeof items - (size_t)n, ",%s", vm_item("v", "fin-app2", "m84", "\"protectionState\":\"Protected\""));
    n += snprintf(items + n, sizeof items - (size_t)n, ",%s", vm_item("v", "web1", "y6", "\"protectionState\":\"Protected\""));
    /* workload items: SQL databases on fin-sql */
    n += snprintf(items + n, sizeof items - (size_t)n,
                  ",{\"id\":\"" RG "v/backupFabrics/Azure/protectionContainers/VMAppContainer;fin-sql/protectedItems/SQLDataBase;db1\","
                  "\"type\":\"Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems\",\"properties\":{"
                  "\"protectedItemType\":\"AzureVmWorkloadSQLDatabase\",\"friendlyName\":\"db1\",\"sourceResourceId\":\"" VMS "fin-sql\","
                  "\"policyId\":\"" RG "v/backupPolicies/sql7\",\"protectionState\":\"Protected\"}}"
                  ",{\"id\":\"" RG "v/backupFabrics/Azure/protectionContainers/VMAppContainer;fin-sql/protectedItems/SQLDataBase;db2\","
                  "\"type\":\"Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems\",\"properties\":{"
                  "\"protectedItemType\":\"AzureVmWorkloadSQLDatabase\",\"friendlyName\":\"db2\",\"sourceResourceId\":\"" VMS "fin-sql\","
                  "\"policyId\":\"" RG "v/backupPolicies/sqllog\",\"protectionState\":\"Protected\"}}]");
    vault(&r.e, "v", SEC("Locked", "AlwaysON", "14"), items, pols);
    snprintf(vmlist, sizeof vmlist,
             "{\"id\":\"" VMS "fin-app1\",\"name\":\"fin-app1\",\"type\":\"Microsoft.Compute/virtualMachines\",\"tags\":{\"SOX\":\"true\"}},"
             "{\"id\":\"" VMS "fin-app2\",\"name\":\"fin-app2\",\"type\":\"Microsoft.Compute/virtualMachines\",\"tags\":{\"SOX\":\"true\"}},"
             "{\"id\":\"" VMS "fin-sql\",\"name\":\"fin-sql\",\"type\":\"Microsoft.Compute/virtualMachines\",\"tags\":{\"sox\":\"TRUE\"}},"
             "{\"id\":\"" VMS "web1\",\"name\":\"web1\",\"type\":\"Microsoft.Compute/virtualMachines\",\"tags\":{}}");
    vms(&r.e, vmlist);
    r.f = evaluate(&r.e,
                   "{\"classes\":{\"sox\":{\"tags\":{\"SOX\":[\"true\"]}}},"
                   "\"retention_minimums\":{\"default\":{\"daily_days\":0},\"sox\":{\"yearly_years\":7}}}",
                   &r.snap, &r.cfg, &r.cat);
    EXPECT(r.f, "retention.minimum", "fin-app1", VP_FAIL); /* 6 years < 7 */
    EXPECT(r.f, "retention.minimum", "fin-app2", VP_PASS); /* 84 months = 7 years */
    EXPECT(r.f, "retention.minimum", "web1", VP_PASS);     /* not SOX: only the default applies */
    EXPECT(r.f, "retention.minimum", "db1", VP_PASS);      /* Full yearly 7 years */
    EXPECT(r.f, "retention.minimum", "db2", VP_FAIL);      /* a long Log chain is not long-term retention */
    EXPECT(r.f, "coverage.critical-vms", "fin-sql", VP_PASS);
    ck_assert_ptr_null(find(r.f, "coverage.critical-vms", "web1")); /* not critical: not in scope */
    run_free(&r);
}
END_TEST

START_TEST(protection_rpo_and_coverage)
{
    run_t r = {0};
    char items[8192], vmlist[4096];
    int n = snprintf(items, sizeof items, "[%s", vm_item("v", "ok", NULL, "\"protectionState\":\"Protected\",\"lastBackupStatus\":\"Completed\",\"lastBackupTime\":\"2026-09-29T03:00:00Z\""));
    n += snprintf(items + n, sizeof items - (size_t)n, ",%s", vm_item("v", "stale", NULL, "\"protectionState\":\"Protected\",\"lastBackupStatus\":\"Completed\",\"lastBackupTime\":\"2026-09-29T01:00:00Z\""));
    n += snprintf(items + n, sizeof items - (size_t)n, ",%s", vm_item("v", "pending", NULL, "\"protectionState\":\"IRPending\",\"lastBackupTime\":\"2001-01-01T00:00:00Z\""));
    n += snprintf(items + n, sizeof items - (size_t)n, ",%s", vm_item("v", "broken", NULL, "\"protectionState\":\"ProtectionError\",\"lastBackupTime\":\"2026-09-29T20:00:00Z\""));
    n += snprintf(items + n, sizeof items - (size_t)n, ",%s", vm_item("v", "paused", NULL, "\"protectionState\":\"ProtectionPaused\""));
    n += snprintf(items + n, sizeof items - (size_t)n, ",%s", vm_item("v", "stopped", NULL, "\"protectionState\":\"ProtectionStopped\",\"lastRecoveryPoint\":\"2026-08-01T00:00:00Z\""));
    n += snprintf(items + n, sizeof items - (size_t)n, ",%s", vm_item("v", "weird", NULL, "\"protectionState\":\"Teleported\""));
    snprintf(items + n, sizeof items - (size_t)n, "]");
    vault(&r.e, "v", SEC("Locked", "AlwaysON", "14"), items, NULL);
    snprintf(vmlist, sizeof vmlist,
             "{\"id\":\"" VMS "ok\",\"name\":\"ok\",\"type\":\"Microsoft.Compute/virtualMachines\",\"tags\":{\"Criticality\":\"Tier0\"}},"
             "{\"id\":\"" VMS "orphan\",\"name\":\"orphan\",\"type\":\"Microsoft.Compute/virtualMachines\",\"tags\":{\"Criticality\":\"Tier0\"}},"
             "{\"id\":\"" VMS "old01\",\"name\":\"old01\",\"type\":\"Microsoft.Compute/virtualMachines\",\"tags\":{\"Criticality\":\"Tier0\"}}");
    vms(&r.e, vmlist);
    r.f = evaluate(&r.e, "{\"critical\":{\"tags\":{\"Criticality\":[\"Tier0\"]}},\"rpo_hours\":24,"
                         "\"decommissioned\":[{\"server\":\"old01\"},{\"server\":\"stopped\"},{\"server\":\"broken\"}]}",
                   &r.snap, &r.cfg, &r.cat);
    EXPECT(r.f, "protection.state", "ok", VP_PASS);
    EXPECT(r.f, "protection.state", "pending", VP_WARN);
    EXPECT(r.f, "protection.state", "broken", VP_FAIL);
    EXPECT(r.f, "protection.state", "paused", VP_FAIL);
    EXPECT(r.f, "protection.state", "stopped", VP_WARN); /* retained data, listed with its expiry */
    EXPECT(r.f, "protection.state", "weird", VP_INCOMPLETE);
    EXPECT(r.f, "backup.rpo", "ok", VP_PASS);     /* 23 h */
    EXPECT(r.f, "backup.rpo", "stale", VP_FAIL);  /* 25 h */
    EXPECT(r.f, "backup.rpo", "pending", VP_WARN);
    /* a recent backup time without a success status says nothing about what can be restored */
    EXPECT(r.f, "backup.rpo", "broken", VP_INCOMPLETE);
    ck_assert_ptr_null(find(r.f, "backup.rpo", "stopped"));
    EXPECT(r.f, "coverage.critical-vms", "ok", VP_PASS);
    EXPECT(r.f, "coverage.critical-vms", "orphan", VP_FAIL);
    EXPECT(r.f, "coverage.critical-vms", "old01", VP_NOT_APPLICABLE);
    EXPECT(r.f, "decommission.no-active-backup", "old01", VP_PASS);
    EXPECT(r.f, "decommission.no-active-backup", "stopped", VP_PASS);
    EXPECT(r.f, "decommission.no-active-backup", "broken", VP_FAIL);
    run_free(&r);

    run_t r48 = {0};
    snprintf(items, sizeof items, "[%s]", vm_item("v", "stale", NULL, "\"protectionState\":\"Protected\",\"lastBackupStatus\":\"Completed\",\"lastBackupTime\":\"2026-09-29T01:00:00Z\""));
    vault(&r48.e, "v", SEC("Locked", "AlwaysON", "14"), items, NULL);
    vms(&r48.e, "");
    r48.f = evaluate(&r48.e, "{\"rpo_hours\":48}", &r48.snap, &r48.cfg, &r48.cat);
    EXPECT(r48.f, "backup.rpo", "stale", VP_PASS);
    run_free(&r48);
}
END_TEST

/* Issue 14: the RPO is measured on the last successful backup for every item kind, health
 * is evaluated, a stopped item's soft-delete tail is its vault's, and a retention note
 * names every shortfall. */
START_TEST(rpo_on_success_health_and_shortfalls)
{
    run_t r = {0};
    char items[16384], pols[4096];
    int n = snprintf(items, sizeof items, "[%s",
                     vm_item("v", "failedlast", NULL, "\"protectionState\":\"ProtectionError\",\"lastBackupStatus\":\"Failed\","
                             "\"lastBackupTime\":\"2026-09-29T23:40:00Z\",\"lastRecoveryPoint\":\"2026-09-27T00:20:00Z\""));
    /* the same, Protected: the failed attempt 2 h ago must not pass the RPO either */
    n += snprintf(items + n, sizeof items - (size_t)n, ",%s",
                  vm_item("v", "failedprot", NULL, "\"protectionState\":\"Protected\",\"lastBackupStatus\":\"Failed\","
                          "\"lastBackupTime\":\"2026-09-29T23:40:00Z\",\"lastRecoveryPoint\":\"2026-09-27T00:20:00Z\""));
    n += snprintf(items + n, sizeof items - (size_t)n, ",%s",
                  vm_item("v", "rponly", NULL, "\"protectionState\":\"Protected\",\"lastRecoveryPoint\":\"2026-09-29T22:00:00Z\""));
    n += snprintf(items + n, sizeof items - (size_t)n, ",%s",
                  vm_item("v", "wlhealthy", NULL, "\"protectionState\":\"Protected\",\"lastBackupStatus\":\"Healthy\","
                          "\"lastBackupTime\":\"2026-09-29T23:00:00Z\""));
    n += snprintf(items + n, sizeof items - (size_t)n, ",%s",
                  vm_item("v", "warnings", NULL, "\"protectionState\":\"Protected\",\"lastBackupStatus\":\"CompletedWithWarnings\","
                          "\"lastBackupTime\":\"2026-09-29T23:00:00Z\",\"lastRecoveryPoint\":\"2026-09-20T00:00:00Z\""));
    n += snprintf(items + n, sizeof items - (size_t)n, ",%s",
                  vm_item("v", "suggest", NULL, "\"protectionState\":\"Protected\",\"healthStatus\":\"ActionSuggested\""));
    n += snprintf(items + n, sizeof items - (size_t)n, ",%s",
                  vm_item("v", "required", NULL, "\"protectionState\":\"Protected\",\"healthStatus\":\"ActionRequired\""));
    n += snprintf(items + n, sizeof items - (size_t)n, ",%s",
                  vm_item("v", "invalidh", NULL, "\"protectionState\":\"Protected\",\"healthStatus\":\"Invalid\""));
    n += snprintf(items + n, sizeof items - (size_t)n, ",%s",
                  vm_item("v", "nohealth", NULL, "\"protectionState\":\"Protected\""));
    n += snprintf(items + n, sizeof items - (size_t)n, ",%s",
                  vm_item("v", "stopped30", NULL, "\"protectionState\":\"ProtectionStopped\",\"policyId\":\"\","
                          "\"lastRecoveryPoint\":\"2026-08-14T22:45:00Z\""));
    n += snprintf(items + n, sizeof items - (size_t)n, ",%s", vm_item("v", "short2", "p-short", "\"protectionState\":\"Protected\""));
    snprintf(items + n, sizeof items - (size_t)n, ",%s]", vm_item("v", "lost", "p-gone", "\"protectionState\":\"Protected\""));
    snprintf(pols, sizeof pols, "[%s]",
             policy("v", "p-short", "\"dailySchedule\":{\"retentionDuration\":{\"count\":30,\"durationType\":\"Days\"}},"
                    "\"monthlySchedule\":{\"retentionDuration\":{\"count\":12,\"durationType\":\"Months\"}},"
                    "\"yearlySchedule\":{\"retentionDuration\":{\"count\":1,\"durationType\":\"Years\"}}"));
    vault(&r.e, "v", SEC("Locked", "AlwaysON", "30"), items, pols);
    vms(&r.e, "");
    r.f = evaluate(&r.e, "{\"rpo_hours\":24,\"retention_minimums\":{\"default\":{\"daily_days\":35,\"monthly_months\":12,"
                         "\"yearly_years\":6}}}", &r.snap, &r.cfg, &r.cat);
    EXPECT(r.f, "backup.rpo", "failedlast", VP_FAIL); /* ProtectionError is an active state: RPO is measured */
    EXPECT(r.f, "backup.rpo", "failedprot", VP_FAIL);
    ck_assert_ptr_nonnull(strstr(find(r.f, "backup.rpo", "failedprot")->observed, "2026-09-27T00:20:00Z"));
    ck_assert_ptr_nonnull(strstr(find(r.f, "backup.rpo", "failedprot")->observed, "status Failed"));
    EXPECT(r.f, "backup.rpo", "rponly", VP_PASS);   /* DPM-style: only a recovery point */
    EXPECT(r.f, "backup.rpo", "wlhealthy", VP_PASS); /* workload items spell success "Healthy" */
    EXPECT(r.f, "backup.rpo", "warnings", VP_PASS);  /* CompletedWithWarnings is a success */
    EXPECT(r.f, "protection.state", "failedlast", VP_FAIL);
    EXPECT(r.f, "protection.state", "suggest", VP_WARN);
    EXPECT(r.f, "protection.state", "required", VP_FAIL);
    EXPECT(r.f, "protection.state", "invalidh", VP_INCOMPLETE);
    EXPECT(r.f, "protection.state", "nohealth", VP_PASS);
    ck_assert_ptr_nonnull(strstr(find(r.f, "protection.state", "nohealth")->note, "reports no health"));
    EXPECT(r.f, "protection.state", "stopped30", VP_WARN);
    const char *note = find(r.f, "protection.state", "stopped30")->note;
    ck_assert_msg(strstr(note, "30 days of soft delete") && !strstr(note, "14 days"), "%s", note);
    EXPECT(r.f, "retention.minimum", "short2", VP_FAIL);
    note = find(r.f, "retention.minimum", "short2")->note;
    ck_assert_msg(strstr(note, "daily retention of 35 Days") && strstr(note, "yearly retention of 6 Years") &&
                      !strstr(note, "monthly"), "%s", note);
    /* one definition of "without policy": "" and absent are; a policy that cannot be found is not */
    ck_assert_int_eq(vp_item_without_policy(vp_snapshot_find_item(r.snap, find(r.f, "protection.state", "stopped30")->resource_id)), 1);
    ck_assert_int_eq(vp_item_without_policy(vp_snapshot_find_item(r.snap, find(r.f, "protection.state", "nohealth")->resource_id)), 1);
    ck_assert_int_eq(vp_item_without_policy(vp_snapshot_find_item(r.snap, find(r.f, "protection.state", "lost")->resource_id)), 0);
    ck_assert_int_eq(vp_item_without_policy(vp_snapshot_find_item(r.snap, find(r.f, "protection.state", "short2")->resource_id)), 0);
    EXPECT(r.f, "retention.minimum", "stopped30", VP_NOT_APPLICABLE);
    EXPECT(r.f, "retention.minimum", "lost", VP_INCOMPLETE);
    run_free(&r);
}
END_TEST

START_TEST(exemptions_and_hyper_care)
{
    run_t r = {0};
    char items[8192], vmlist[4096];
    int n = snprintf(items, sizeof items, "[%s", vm_item("std", "newbuild", NULL, "\"protectionState\":\"Protected\""));
    n += snprintf(items + n, sizeof items - (size_t)n, ",%s", vm_item("std", "oldbuild", NULL, "\"protectionState\":\"Protected\""));
    snprintf(items + n, sizeof items - (size_t)n, "]");
    vault(&r.e, "std", SEC("Disabled", "Enabled", "14"), items, NULL);
    snprintf(vmlist, sizeof vmlist,
             "{\"id\":\"" VMS "newbuild\",\"name\":\"newbuild\",\"type\":\"Microsoft.Compute/virtualMachines\",\"tags\":{\"DataClass\":\"ePHI\"},\"properties\":{\"timeCreated\":\"2026-09-20T00:00:00Z\"}},"
             "{\"id\":\"" VMS "oldbuild\",\"name\":\"oldbuild\",\"type\":\"Microsoft.Compute/virtualMachines\",\"tags\":{\"DataClass\":\"ePHI\"},\"properties\":{\"timeCreated\":\"2026-08-01T00:00:00Z\"}}");
    vms(&r.e, vmlist);
    r.f = evaluate(&r.e,
                   "{\"critical\":{\"tags\":{\"DataClass\":[\"ePHI\"]}},\"hyper_care_days\":30,\"exemptions\":["
                   "{\"resource\":\"std\",\"rule\":\"immutability.locked\",\"reason\":\"r\",\"approver\":\"CISO\",\"expires\":\"2026-12-31\"},"
                   "{\"resource\":\"st*\",\"rule\":\"soft-delete.always-on\",\"reason\":\"old\",\"approver\":\"CISO\",\"expires\":\"2026-06-30\"}]}",
                   &r.snap, &r.cfg, &r.cat);
    EXPECT(r.f, "immutability.critical-items-locked", "newbuild", VP_EXEMPT); /* 10 days into hyper-care */
    EXPECT(r.f, "immutability.critical-items-locked", "oldbuild", VP_FAIL);
    const vp_finding *x = find(r.f, "immutability.locked", "std");
    ck_assert_int_eq(x->status, VP_EXEMPT);
    ck_assert_ptr_nonnull(x->exemption);
    ck_assert_str_eq(x->exemption->approver, "CISO");
    EXPECT(r.f, "soft-delete.always-on", "std", VP_WARN); /* the exemption expired: it applies no more */
    EXPECT(r.f, "exemption.valid", "soft-delete.always-on / st*", VP_FAIL);
    EXPECT(r.f, "exemption.valid", "immutability.locked / std", VP_PASS);
    run_free(&r);
}
END_TEST

START_TEST(drift_against_baseline)
{
    run_t before = {0}, now = {0};
    char items[4096], pols[4096];
    const char *y10 = "\"yearlySchedule\":{\"retentionDuration\":{\"count\":10,\"durationType\":\"Years\"}}";
    const char *y7 = "\"yearlySchedule\":{\"retentionDuration\":{\"count\":7,\"durationType\":\"Years\"}}";
    snprintf(items, sizeof items, "[%s]", vm_item("v", "a1", "p", "\"protectionState\":\"Protected\""));
    snprintf(pols, sizeof pols, "[%s]", policy("v", "p", y10));
    vault(&before.e, "v", SEC("Locked", "AlwaysON", "14"), items, pols);
    vms(&before.e, "");
    before.f = evaluate(&before.e, base_config, &before.snap, &before.cfg, &before.cat);
    snprintf(pols, sizeof pols, "[%s]", policy("v", "p", y7));
    vault(&now.e, "v", SEC("Unlocked", "AlwaysON", "14"), items, pols);
    vms(&now.e, "");
    now.f = evaluate(&now.e, base_config, &now.snap, &now.cfg, &now.cat);
    EXPECT(now.f, "drift.immutability-not-downgraded", "period", VP_NOT_APPLICABLE); /* no baseline given yet */

    vp_snapshot_ref cur = {"now.json", NULL, now.snap}, base = {"before.json", NULL, before.snap};
    vp_evaluate_options opt = {.clock = {.epoch = 1790748000, .pinned = 1}, .baselines = &base, .baseline_count = 1};
    vp_findings *f = NULL;
    vp_error err = {0};
    ck_assert_int_eq(vp_evaluate(&cur, now.cat, now.cfg, &opt, &f, &err), VP_OK);
    EXPECT(f, "drift.immutability-not-downgraded", "v", VP_FAIL);
    EXPECT(f, "drift.retention-not-reduced", "p", VP_FAIL);
    EXPECT(f, "drift.item-left-locked-vault", "a1", VP_FAIL); /* its vault is no longer Locked */
    size_t ok, total;
    vp_findings_operated(f, vp_catalog_find_rule(now.cat, "immutability.locked"), &ok, &total, NULL);
    ck_assert_int_eq(total, 2);
    ck_assert_int_eq(ok, 1); /* locked in the baseline, not now */
    vp_findings_free(f);
    run_free(&before);
    run_free(&now);
}
END_TEST

START_TEST(config_checked_against_catalog)
{
    run_t r = {0};
    vp_error err = {0};
    vault(&r.e, "v", SEC("Locked", "AlwaysON", "14"), "[]", NULL);
    vp_test_body b[64];
    for (size_t i = 0; i < r.e.n; i++)
        b[i] = (vp_test_body){r.e.paths[i], r.e.bodies[i], r.e.sidecars[i]};
    ck_assert_int_eq(vp_test_normalize(b, r.e.n, &r.snap, &err), VP_OK);
    ck_assert_int_eq(vp_catalog_builtin(&r.cat, &err), VP_OK);
    const char *bad[][2] = {
        {"{\"rule_parameters\":{\"no.such\":{\"x\":1}}}", "/rule_parameters/no.such: no such rule"},
        {"{\"rule_parameters\":{\"immutability.locked\":{\"accept_locked\":true}}}", "has no parameter 'accept_locked'"},
        {"{\"rule_parameters\":{\"immutability.locked\":{\"accept_unlocked\":\"yes\"}}}", "expected a boolean"},
        {"{\"rule_parameters\":{\"worm.region-available\":{\"pending_status\":\"ignore\"}}}", "one of the values"},
        {"{\"exemptions\":[{\"resource\":\"x\",\"rule\":\"immutability.lock\",\"reason\":\"r\",\"approver\":\"a\",\"expires\":\"2027-01-01\"}]}",
         "/exemptions/0/rule: 'immutability.lock' is not a rule"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char dir[] = "/tmp/vp-evcfg-XXXXXX", path[64];
        ck_assert_ptr_nonnull(mkdtemp(dir));
        snprintf(path, sizeof path, "%s/c.json", dir);
        FILE *fp = fopen(path, "w");
        fputs(bad[i][0], fp);
        fclose(fp);
        vp_config *cfg = NULL;
        ck_assert_int_eq(vp_config_load(path, &cfg, &err), VP_OK);
        vp_snapshot_ref ref = {"s", NULL, r.snap};
        vp_evaluate_options opt = {.clock = {.epoch = 1790748000}};
        vp_findings *f = NULL;
        ck_assert_int_eq(vp_evaluate(&ref, r.cat, cfg, &opt, &f, &err), VP_ERR_INPUT);
        ck_assert_msg(strstr(err.message, bad[i][1]), "'%s' lacks '%s'", err.message, bad[i][1]);
        vp_config_free(cfg);
        unlink(path);
        rmdir(dir);
    }
    run_free(&r);
}
END_TEST

START_TEST(findings_are_deterministic)
{
    run_t a = {0}, b = {0};
    char items[4096];
    snprintf(items, sizeof items, "[%s]", vm_item("v", "a1", NULL, "\"protectionState\":\"Protected\""));
    vault(&a.e, "v", SEC("Unlocked", "Enabled", "14"), items, NULL);
    vms(&a.e, "");
    vault(&b.e, "v", SEC("Unlocked", "Enabled", "14"), items, NULL);
    vms(&b.e, "");
    a.f = evaluate(&a.e, base_config, &a.snap, &a.cfg, &a.cat);
    b.f = evaluate(&b.e, base_config, &b.snap, &b.cfg, &b.cat);
    char *x = NULL, *y = NULL;
    size_t lx, ly;
    vp_error err = {0};
    FILE *fx = open_memstream(&x, &lx), *fy = open_memstream(&y, &ly);
    ck_assert_int_eq(vp_findings_write_json(a.f, fx, "a", &err), VP_OK);
    ck_assert_int_eq(vp_findings_write_json(b.f, fy, "b", &err), VP_OK);
    fclose(fx);
    fclose(fy);
    /* the two configs live in different temporary directories: compare around that line */
    const char *cx = strstr(x, "\"config\":"), *cy = strstr(y, "\"config\":");
    ck_assert(cx && cy && cx - x == cy - y && !strncmp(x, y, (size_t)(cx - x)));
    ck_assert_str_eq(strchr(cx, '\n'), strchr(cy, '\n'));
    ck_assert_ptr_nonnull(strstr(x, "\"format\": \"vaultproof-findings/1\""));
    free(x);
    free(y);
    run_free(&a);
    run_free(&b);
}
END_TEST


/* What a sink sees of one rule's findings: how many, at how many distinct text addresses,
 * and whether each text was right when delivered. */
typedef struct {
    const char *seen[8];
    size_t distinct, n, wrong;
} texts_seen;

static vp_status see_texts(void *ctx, const vp_finding *x, vp_error *err)
{
    texts_seen *t = ctx;
    char want[64];
    size_t k = 0;
    (void)err;
    if (strcmp(x->rule->id, "protection.state"))
        return VP_OK;
    snprintf(want, sizeof want, "/protected_items/%zu/protection_state", t->n++);
    if (strcmp(x->observed, "Protected, health Healthy") || strcmp(x->snapshot_pointer, want))
        t->wrong++;
    while (k < t->distinct && k < 8 && t->seen[k] != x->snapshot_pointer)
        k++;
    if (k == t->distinct) {
        if (k < 8)
            t->seen[k] = x->snapshot_pointer;
        t->distinct++;
    }
    return VP_OK;
}

/* The findings are made one at a time and written as they come (nothing holds them all),
 * and a rule's loop releases one item's texts before it makes the next item's
 * (vpe_turn): otherwise a rule over a million items held all its texts until its end,
 * in every walk over the findings. Seen from a sink, the texts of 100 findings come at
 * one or two addresses (a block may end between two items), each right when delivered;
 * held to the rule's end they came at 100. */
START_TEST(findings_texts_released_per_item)
{
    run_t a = {0};
    enum { N = 100 };
    size_t cap = 60000, len = 0;
    char *items = malloc(cap);
    items[len++] = '[';
    for (int i = 0; i < N; i++) {
        char name[32];
        snprintf(name, sizeof name, "vm-%03d", i);
        len += (size_t)snprintf(items + len, cap - len, "%s%s", i ? "," : "",
                                vm_item("v", name, NULL, "\"protectionState\":\"Protected\",\"healthStatus\":\"Healthy\""));
        ck_assert_uint_lt(len, cap - 2);
    }
    items[len++] = ']';
    items[len] = '\0';
    vault(&a.e, "v", SEC("Locked", "AlwaysON", "14"), items, NULL);
    vms(&a.e, "");
    a.f = evaluate(&a.e, base_config, &a.snap, &a.cfg, &a.cat);
    texts_seen t = {0};
    vp_error err = {0};
    ck_assert_int_eq(vp_findings_each(a.f, see_texts, &t, &err), VP_OK);
    ck_assert_uint_eq(t.n, N);
    ck_assert_uint_eq(t.wrong, 0);
    ck_assert_uint_le(t.distinct, 2);
    ck_assert_uint_ge(t.distinct, 1);
    free(items);
    run_free(&a);
}
END_TEST

static const char *write_temp(const char *dir, const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "w");
    fputs(text, fp);
    fclose(fp);
    return path;
}

/* Vault "v" holding items (a JSON array), evaluated with config_json into a, and the
 * findings written as text (malloc'd). */
static char *findings_text(run_t *a, const char *items, const char *config_json)
{
    char *text = NULL;
    size_t len;
    vp_error err = {0};
    vault(&a->e, "v", SEC("Unlocked", "Enabled", "14"), items, NULL);
    vms(&a->e, "");
    a->f = evaluate(&a->e, config_json, &a->snap, &a->cfg, &a->cat);
    FILE *fp = open_memstream(&text, &len);
    ck_assert_int_eq(vp_findings_write_json(a->f, fp, "m", &err), VP_OK);
    fclose(fp);
    return text;
}

START_TEST(findings_read_back)
{
    run_t a = {0};
    char items[4096], dir[] = "/tmp/vp-fr-XXXXXX";
    vp_error err = {0};
    snprintf(items, sizeof items, "[%s]", vm_item("v", "a1", NULL, "\"protectionState\":\"Protected\""));
    char *text = findings_text(&a, items, "{\"organization\":\"Zürich Health\",\"exemptions\":[{\"resource\":\"v\","
                                          "\"rule\":\"soft-delete.always-on\",\"reason\":\"r\",\"approver\":\"CISO\","
                                          "\"expires\":\"2027-01-01\"}]}");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    const char *path = write_temp(dir, "f.json", text);

    vp_findings_file *ff = NULL;
    ck_assert_msg(vp_findings_file_open(path, &ff, &err) == VP_OK, "%s", err.message);
    const vp_findings_header *h = vp_findings_file_header(ff);
    size_t n, nrules, ncontrols;
    const vp_finding *list = vp_findings_list(a.f, &n);
    ck_assert_str_eq(h->organization, "Zürich Health");
    ck_assert_int_eq(h->finding_count, n);
    ck_assert_int_eq(h->hipaa && h->sox, 1);
    vp_findings_file_rules(ff, &nrules);
    vp_findings_file_controls(ff, &ncontrols);
    size_t catalog_rules;
    vp_catalog_rules(a.cat, &catalog_rules);
    ck_assert_int_eq(nrules, catalog_rules); /* every rule of the catalog, whether or not it found anything */
    ck_assert_int_ge(nrules, 20);
    ck_assert_int_eq(ncontrols, 12);
    for (int pass = 0; pass < 2; pass++) { /* and again after a rewind */
        const vp_finding_record *r;
        size_t i = 0, exempted = 0;
        while (vp_findings_file_next(ff, &r, &err) == VP_OK && r) {
            ck_assert_str_eq(r->rule, list[i].rule->id);
            ck_assert_int_eq(r->status, list[i].status);
            ck_assert_str_eq(r->resource_id, list[i].resource_id);
            exempted += (size_t)r->exempted;
            if (r->exempted)
                ck_assert_str_eq(r->exemption_approver, "CISO");
            i++;
        }
        ck_assert_int_eq(i, n);
        ck_assert_int_eq(exempted, 1);
        vp_findings_file_rewind(ff);
    }
    vp_findings_file_close(ff);

    /* a layout other than one finding per line is read whole, to the same records */
    char *flat = strdup(text);
    for (char *c = flat; *c; c++)
        if (*c == '\n')
            *c = ' ';
    path = write_temp(dir, "flat.json", flat);
    ck_assert_int_eq(vp_findings_file_open(path, &ff, &err), VP_OK);
    const vp_finding_record *r;
    size_t count = 0;
    while (vp_findings_file_next(ff, &r, &err) == VP_OK && r)
        count++;
    ck_assert_int_eq(count, n);
    vp_findings_file_close(ff);

    /* errors name the file, line and pointer */
    char *bad = strdup(text), *st = strstr(bad, "\"status\":\"");
    memcpy(st + 10, "xxxx", 4); /* overwrite the first finding's status */
    path = write_temp(dir, "bad.json", bad);
    ck_assert_int_eq(vp_findings_file_open(path, &ff, &err), VP_OK);
    ck_assert_int_eq(vp_findings_file_next(ff, &r, &err), VP_ERR_INPUT);
    ck_assert_msg(strstr(err.message, "bad.json: /findings/0"), "%s", err.message);
    vp_findings_file_close(ff);
    path = write_temp(dir, "fmt.json", "{\"format\": \"vaultproof-findings/9\"}");
    ck_assert_int_eq(vp_findings_file_open(path, &ff, &err), VP_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.message, "/format: 'vaultproof-findings/9'"));
    unlink(path);
    unlink(write_temp(dir, "bad.json", ""));
    unlink(write_temp(dir, "flat.json", ""));
    unlink(write_temp(dir, "f.json", ""));
    rmdir(dir);
    free(text);
    free(flat);
    free(bad);
    run_free(&a);
}
END_TEST

/* One pass of ff after vp_findings_file_rewind_only(mask, rule) (or a plain rewind when
 * both are empty): "rule status resource" per finding returned, one per line. */
static char *pass_of(vp_findings_file *ff, unsigned mask, const char *rule)
{
    char *out = NULL;
    size_t len = 0;
    vp_error err = {0};
    const vp_finding_record *r;
    FILE *fp = open_memstream(&out, &len);
    if (mask || rule)
        vp_findings_file_rewind_only(ff, mask, rule);
    else
        vp_findings_file_rewind(ff);
    while (vp_findings_file_next(ff, &r, &err) == VP_OK && r)
        fprintf(fp, "%s %s %s\n", r->rule, vp_finding_status_name(r->status), r->resource_id);
    ck_assert_msg(!err.message[0], "%s", err.message);
    fclose(fp);
    return out;
}

/* What a pass filtered by hand from the whole list returns. */
static char *expected_of(const char *all, unsigned mask, const char *rule)
{
    char *out = NULL, *copy = strdup(all), *save = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&out, &len);
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char r[128], st[32];
        ck_assert_int_eq(sscanf(line, "%127s %31s", r, st), 2);
        if ((mask >> vp_finding_status_parse(st) & 1u) || (rule && !strcmp(rule, r)))
            fprintf(fp, "%s\n", line);
    }
    fclose(fp);
    free(copy);
    return out;
}

/* The findings of two VM items (one protected, one stopped) and an exemption, written as
 * dir/f.json, and again as dir/escaped.json with the first failing finding's rule spelled
 * with an escape: that line is not in the writer's layout, so readers parse it to learn
 * its rule and status. *text and *edited are the two files' texts; *escaped_rule the
 * rule so spelled (all three the caller's to free). */
typedef struct {
    char dir[32], plain_path[256], escaped_path[256];
    char *text, *edited, *escaped_rule;
} two_files;

static void write_two_files(run_t *a, two_files *t)
{
    char items[8192], first[4096];
    snprintf(t->dir, sizeof t->dir, "/tmp/vp-fro-XXXXXX");
    /* vm_item's buffer is reused: the first item is copied before the second is made */
    snprintf(first, sizeof first, "%s", vm_item("v", "a1", NULL, "\"protectionState\":\"Protected\""));
    snprintf(items, sizeof items, "[%s,%s]", first, vm_item("v", "a2", NULL, "\"protectionState\":\"ProtectionStopped\""));
    t->text = findings_text(a, items, "{\"exemptions\":[{\"resource\":\"v\",\"rule\":\"soft-delete.always-on\","
                                      "\"reason\":\"r\",\"approver\":\"CISO\",\"expires\":\"2027-01-01\"}]}");
    ck_assert_ptr_nonnull(mkdtemp(t->dir));
    char *at = strstr(t->text, "\",\"status\":\"fail\""), *start = at;
    ck_assert_ptr_nonnull(at);
    while (start > t->text && start[-1] != '\n')
        start--;
    start = strstr(start, "{\"rule\":\"") + 9;
    size_t head = (size_t)(start - t->text);
    t->edited = malloc(strlen(t->text) + 8);
    memcpy(t->edited, t->text, head);
    sprintf(t->edited + head, "\\u%04x%s", (unsigned char)*start, start + 1);
    t->escaped_rule = strndup(start, (size_t)(at - start));
    snprintf(t->plain_path, sizeof t->plain_path, "%s", write_temp(t->dir, "f.json", t->text));
    snprintf(t->escaped_path, sizeof t->escaped_path, "%s", write_temp(t->dir, "escaped.json", t->edited));
}

static void remove_two_files(two_files *t)
{
    unlink(t->plain_path);
    unlink(t->escaped_path);
    rmdir(t->dir);
    free(t->escaped_rule);
    free(t->edited);
    free(t->text);
}

START_TEST(findings_read_only_what_is_asked)
{
    run_t a = {0};
    two_files t;
    vp_error err = {0};
    write_two_files(&a, &t);
    const char *text = t.text, *escaped_rule = t.escaped_rule, *dir = t.dir, *plain_path = t.plain_path,
               *escaped_path = t.escaped_path;
    const char *files[] = {plain_path, escaped_path};
    for (int k = 0; k < 2; k++) {
        vp_findings_file *ff = NULL;
        ck_assert_msg(vp_findings_file_open(files[k], &ff, &err) == VP_OK, "%s", err.message);
        char *all = pass_of(ff, 0, NULL);
        ck_assert_ptr_nonnull(strstr(all, " fail "));
        ck_assert_ptr_nonnull(strstr(all, " exempt "));
        ck_assert_ptr_nonnull(strstr(all, " pass "));
        struct {
            unsigned mask;
            const char *rule;
        } asks[] = {{1u << VP_FAIL, NULL}, {1u << VP_EXEMPT, NULL}, {0, escaped_rule},
                    {1u << VP_WARN | 1u << VP_FAIL | 1u << VP_INCOMPLETE, "exemption.valid"}, {1u << VP_PASS, NULL}};
        for (size_t i = 0; i < sizeof asks / sizeof asks[0]; i++) {
            char *got = pass_of(ff, asks[i].mask, asks[i].rule), *want = expected_of(all, asks[i].mask, asks[i].rule);
            ck_assert_msg(strlen(want) > 0, "ask %zu finds nothing to compare", i);
            ck_assert_str_eq(got, want);
            free(got);
            free(want);
        }
        char *again = pass_of(ff, 0, NULL); /* a plain rewind asks for everything again */
        ck_assert_str_eq(again, all);
        free(again);
        free(all);
        vp_findings_file_close(ff);
    }
    /* the last failing finding made malformed: a pass for failures parses it after
     * skipping others, and names its own pointer */
    char *bad = strdup(text), *last = NULL;
    for (char *q = bad; (q = strstr(q, "\",\"status\":\"fail\",\"severity\":\"")) != NULL; q++)
        last = q;
    ck_assert_ptr_nonnull(last);
    char *value = strstr(last, "\"severity\":\"") + 11; /* "high" -> 777777: a number, not text */
    for (char *q = value, *close = strchr(value + 1, '"'); q <= close; q++)
        *q = '7';
    size_t index = 0;
    for (const char *q = strstr(bad, "\"findings\": [\n") + 15; q < last; q++)
        index += *q == '\n';
    char bad_path[256], want[320];
    snprintf(bad_path, sizeof bad_path, "%s", write_temp(dir, "bad.json", bad));
    vp_findings_file *ff = NULL;
    const vp_finding_record *r;
    ck_assert_int_eq(vp_findings_file_open(bad_path, &ff, &err), VP_OK);
    vp_findings_file_rewind_only(ff, 1u << VP_FAIL, NULL);
    vp_status st;
    while ((st = vp_findings_file_next(ff, &r, &err)) == VP_OK && r)
        ;
    ck_assert_int_eq(st, VP_ERR_INPUT);
    snprintf(want, sizeof want, "bad.json: /findings/%zu/severity", index);
    ck_assert_msg(strstr(err.message, want), "%s (expected %s)", err.message, want);
    vp_findings_file_close(ff);
    unlink(bad_path);
    free(bad);
    remove_two_files(&t);
    run_free(&a);
}
END_TEST

static size_t lines_in(const char *text)
{
    size_t n = 0;
    for (; *text; text++)
        n += *text == '\n';
    return n;
}

/* The first filtered pass of a handle learns where the lines are; later ones, and those of
 * a second handle it is shared with, read only the lines they return (and the closing
 * bracket), with the same results. A line not in the writer's layout is always read. */
START_TEST(findings_index_skips_what_it_knows)
{
    run_t a = {0};
    two_files t;
    vp_error err = {0};
    write_two_files(&a, &t);
    const char *path = t.plain_path, *escaped_path = t.escaped_path;
    vp_findings_file *ff = NULL, *second = NULL, *other = NULL, *fresh = NULL;
    ck_assert_msg(vp_findings_file_open(path, &ff, &err) == VP_OK, "%s", err.message);
    char *all = pass_of(ff, 0, NULL);
    size_t n = lines_in(all);
    ck_assert_uint_gt(n, 4);
    ck_assert_uint_eq(vp_findings_file_lines_read(ff), n + 1); /* a plain pass reads every line */
    ck_assert_uint_eq(vp_findings_file_share_index(ff, ff), 0);
    /* the first filtered pass reads every line and learns them */
    char *got = pass_of(ff, 1u << VP_FAIL, NULL), *want = expected_of(all, 1u << VP_FAIL, NULL);
    ck_assert_str_eq(got, want);
    ck_assert_uint_eq(vp_findings_file_lines_read(ff), n + 1);
    free(got);
    free(want);
    struct {
        unsigned mask;
        const char *rule;
    } asks[] = {{1u << VP_EXEMPT, NULL}, {1u << VP_FAIL, NULL}, {0, "soft-delete.always-on"},
                {1u << VP_WARN | 1u << VP_INCOMPLETE, "exemption.valid"}, {1u << VP_PASS, NULL}};
    ck_assert_msg(vp_findings_file_open(path, &second, &err) == VP_OK, "%s", err.message);
    ck_assert_msg(vp_findings_file_open(path, &fresh, &err) == VP_OK, "%s", err.message);
    ck_assert_uint_eq(vp_findings_file_share_index(second, fresh), 0); /* fresh has learnt nothing */
    ck_assert_uint_eq(vp_findings_file_share_index(second, ff), 1);
    for (size_t i = 0; i < sizeof asks / sizeof asks[0]; i++) {
        want = expected_of(all, asks[i].mask, asks[i].rule);
        ck_assert_msg(lines_in(want) > 0 && lines_in(want) < n, "ask %zu: %zu of %zu", i, lines_in(want), n);
        vp_findings_file *hs[] = {ff, second};
        for (int h = 0; h < 2; h++) {
            got = pass_of(hs[h], asks[i].mask, asks[i].rule);
            ck_assert_str_eq(got, want);
            ck_assert_msg(vp_findings_file_lines_read(hs[h]) == lines_in(want) + 1, "ask %zu, handle %d: read %zu lines for %zu",
                          i, h, vp_findings_file_lines_read(hs[h]), lines_in(want));
            free(got);
        }
        free(want);
    }
    /* a file of another size does not take it; its own index knows the escaped line
     * only as one to read */
    ck_assert_msg(vp_findings_file_open(escaped_path, &other, &err) == VP_OK, "%s", err.message);
    ck_assert_uint_eq(vp_findings_file_share_index(other, ff), 0);
    free(pass_of(other, 1u << VP_FAIL, NULL));
    ck_assert_uint_eq(vp_findings_file_lines_read(other), n + 1);
    got = pass_of(other, 1u << VP_EXEMPT, NULL);
    want = expected_of(all, 1u << VP_EXEMPT, NULL);
    ck_assert_str_eq(got, want);
    ck_assert_uint_eq(vp_findings_file_lines_read(other), lines_in(want) + 2);
    free(got);
    free(want);
    vp_findings_file_close(other);
    vp_findings_file_close(fresh);
    vp_findings_file_close(second);
    vp_findings_file_close(ff);
    free(all);
    remove_two_files(&t);
    run_free(&a);
}
END_TEST

/* ---- over the evidence period (issue 15): the timeline and backup.ran / restore.tested ---- */

#define VAULT_ID(name) RG name

/* The vault's job list, answered and complete (the stream itself is written by the case). */
static void jobs_list(estate *e, const char *name)
{
    char scope[256], path[64];
    snprintf(scope, sizeof scope, RG "%s", name);
    snprintf(path, sizeof path, "%s-jobs.json", name);
    ADD_OWNED(e, path, "backupJobs", scope, "{\"value\":[]}");
}

/* Vault "v", locked, holding items (a JSON array), its job list answered, no VMs. */
static void locked_vault_v(estate *e, const char *items)
{
    vault(e, "v", SEC("Locked", "AlwaysON", "14"), items, NULL);
    jobs_list(e, "v");
    vms(e, "");
}

typedef struct {
    char *text;
    size_t len, cap;
    int n;
} stream_buf;

/* Appends one job line (Contract 2 of issue 15: unknown members such as management_type are
 * written as collection writes them, so the reader is shown to ignore them). */
static void job(stream_buf *b, const char *vault, const char *entity, const char *op, const char *status,
                const char *start, const char *end, const char *extra)
{
    char line[1024];
    int n = snprintf(line, sizeof line,
                     "{\"id\":\"" RG "%s/backupJobs/j%d\",\"vault_id\":\"" RG "%s\",\"kind\":\"AzureIaaSVMJob\","
                     "\"management_type\":\"AzureIaasVM\",\"entity\":\"%s\",\"operation\":\"%s\",\"status\":\"%s\","
                     "\"start\":\"%s\",\"end\":%s%s%s,\"duration\":\"PT30M\",\"error_codes\":[%s]%s,"
                     "\"source\":{\"file\":\"subscriptions/s1/vaults/%s/backupJobs.json\",\"pointer\":\"/value/%d\"}}\n",
                     vault, b->n, vault, entity, op, status, start, end ? "\"" : "", end ? end : "null", end ? "\"" : "",
                     strcmp(status, "Failed") ? "" : "\"UserErrorVmNotFound\"", extra ? extra : "", vault, b->n);
    b->n++;
    if (b->len + (size_t)n + 1 > b->cap) {
        b->cap = (b->cap + (size_t)n + 1) * 2;
        b->text = realloc(b->text, b->cap);
    }
    memcpy(b->text + b->len, line, (size_t)n + 1);
    b->len += (size_t)n;
}

/* A nightly backup at 01:00 taking 30 min, for each day of Q3 [first, last] (day 0 = 1 July),
 * with status Failed on the days in [fail_from, fail_to]. */
static void nightly(stream_buf *b, const char *vault, const char *entity, int first, int last, int fail_from,
                    int fail_to)
{
    char start[32], end[32];
    for (int d = first; d <= last; d++) {
        long long t = 1782864000LL + d * 86400LL + 3600; /* 2026-07-01T00:00:00Z + d days + 1 h */
        int failed = d >= fail_from && d <= fail_to;
        vp_time_format(t, start, sizeof start);
        vp_time_format(t + 1800, end, sizeof end);
        job(b, vault, entity, "Backup", failed ? "Failed" : "Completed", start, end, NULL);
    }
}

static vp_tl_item tl_item(const vp_timeline *t, const vp_snapshot *s, const char *name)
{
    for (size_t i = 0; i < s->item_count; i++)
        if (!strcmp(s->items[i].friendly_name.value, name))
            return vp_timeline_item(t, i);
    ck_abort_msg("no item %s", name);
    return (vp_tl_item){0};
}

static size_t item_index(const vp_snapshot *s, const char *name)
{
    for (size_t i = 0; i < s->item_count; i++)
        if (!strcmp(s->items[i].friendly_name.value, name))
            return i;
    ck_abort_msg("no item %s", name);
    return 0;
}

#define P "\"protectionState\":\"Protected\""
#define PERIOD_CONFIG "{\"rpo_hours\":24,\"classes\":{\"ephi\":{\"tags\":{\"Criticality\":[\"Tier0\"]}}," \
                      "\"sox\":{\"names\":[\"nosuch*\"]}},\"restore_tests\":{\"ephi\":{\"group_by\":\"Application\"}}}"

/* The estate of the period cases: vault v (ok, flaky, failing, silent, edge, ghost-free)
 * and vault w whose first job comes 4 days into the quarter (the start aged out). */
static void period_estate(estate *e)
{
    char items[8192], vmlist[2048];
    int n = snprintf(items, sizeof items, "[%s", vm_item("v", "ok", NULL, P));
    const char *more[] = {"flaky", "failing", "silent", "edge"};
    for (size_t i = 0; i < 4; i++)
        n += snprintf(items + n, sizeof items - (size_t)n, ",%s", vm_item("v", more[i], NULL, P));
    snprintf(items + n, sizeof items - (size_t)n, "]");
    vault(e, "v", SEC("Locked", "AlwaysON", "14"), items, NULL);
    jobs_list(e, "v");
    snprintf(items, sizeof items, "[%s]", vm_item("w", "late", NULL, P));
    vault(e, "w", SEC("Locked", "AlwaysON", "14"), items, NULL);
    jobs_list(e, "w");
    snprintf(vmlist, sizeof vmlist,
             "{\"id\":\"" VMS "ok\",\"name\":\"ok\",\"type\":\"Microsoft.Compute/virtualMachines\",\"tags\":{\"Criticality\":\"Tier0\",\"Application\":\"EHR\"}},"
             "{\"id\":\"" VMS "flaky\",\"name\":\"flaky\",\"type\":\"Microsoft.Compute/virtualMachines\",\"tags\":{\"Criticality\":\"Tier0\",\"Application\":\"Lab\"}}");
    vms(e, vmlist);
}

static char *period_stream(void)
{
    stream_buf b = {0};
    /* edge, written first and out of order: unsorted per item; the same success three
     * times (duplicate times); a job spanning midnight; a start with an offset; a job
     * starting exactly at the period's end; one still running */
    job(&b, "v", "edge", "Backup", "Completed", "2026-08-01T01:00:00+02:00", "2026-08-01T01:30:00+02:00", NULL);
    job(&b, "v", "EDGE", "Backup", "Completed", "2026-08-01T01:00:00+02:00", "2026-08-01T01:30:00+02:00", NULL);
    job(&b, "v", "edge", "Backup", "Completed", "2026-07-31T23:00:00Z", "2026-07-31T23:30:00Z", NULL);
    job(&b, "v", "edge", "Backup", "Completed", "2026-07-15T23:50:00Z", "2026-07-16T00:20:00Z", NULL);
    job(&b, "v", "edge", "Backup", "Failed", "2026-10-01T00:00:00Z", "2026-10-01T00:10:00Z", NULL);
    job(&b, "v", "edge", "Backup", "InProgress", "2026-09-29T22:00:00Z", NULL, NULL);
    nightly(&b, "v", "ok", 0, 91, -1, -1);
    nightly(&b, "v", "flaky", 0, 91, 40, 42);   /* 10-12 August failed, 13 August recovered */
    nightly(&b, "v", "failing", 0, 91, 89, 91); /* 28-30 September failed: unresolved */
    nightly(&b, "w", "late", 4, 91, -1, -1);    /* nothing before 5 July: aged out */
    job(&b, "v", "ok", "Restore", "Completed", "2026-08-20T10:00:00Z", "2026-08-20T11:00:00Z", NULL);
    job(&b, "v", "flaky", "CrossRegionRestore", "Failed", "2026-08-21T10:00:00Z", "2026-08-21T10:05:00Z",
        ",\"crr\":true");
    job(&b, "v", "ghost", "Backup", "Completed", "2026-08-21T01:00:00Z", "2026-08-21T01:30:00Z", NULL);
    /* job details of flaky's first failure (Contract 2: after the lists) */
    char detail[512];
    snprintf(detail, sizeof detail,
             "{\"detail_of\":\"" RG "v/backupJobs/j%d\",\"vault_id\":\"" RG "v\",\"errors\":[{\"code\":\"UserErrorVmNotFound\","
             "\"message\":\"The VM was not found\",\"recommendations\":[\"Check the VM\"]}],\"source\":{\"file\":\"x\",\"pointer\":\"\"}}\n",
             6 + 92 + 40);
    size_t n = strlen(detail);
    b.text = realloc(b.text, b.len + n + 1);
    memcpy(b.text + b.len, detail, n + 1);
    return b.text;
}

START_TEST(timeline_per_item)
{
    run_t r = {0};
    char *jobs = period_stream();
    period_run pr = {.jobs = jobs};
    char t1[32];
    period_estate(&r.e);
    r.f = evaluate_over(&r.e, PERIOD_CONFIG, &pr, &r.snap, &r.cfg, &r.cat);
    const vp_timeline *t = pr.timeline;
    ck_assert_uint_eq(vp_timeline_day_count(t), 92);
    ck_assert_uint_eq(vp_timeline_window_days(t), 92); /* captured 30 September 02:00 */
    ck_assert_str_eq(vp_time_format(vp_timeline_window_end(t), t1, sizeof t1), CAPTURED);
    /* nightly: the largest gap is one day, end to end (successes count at their end) */
    const vp_tl_item ok_facts = tl_item(t, r.snap, "ok"), *ok = &ok_facts;
    ck_assert_uint_eq(ok->backups, 92);
    ck_assert_uint_eq(ok->successes, 92);
    ck_assert_int_eq(ok->gap, 86400);
    ck_assert_uint_eq(ok->restore_count, 1);
    ck_assert_int_eq(vp_job_succeeded(ok->restores[0].status), 1);
    /* three failed nights then a success: each failure resolved by the 13 August success */
    const vp_tl_item fl_facts = tl_item(t, r.snap, "flaky"), *fl = &fl_facts;
    ck_assert_uint_eq(fl->failures, 3);
    ck_assert_uint_eq(fl->failed_count, 3);
    ck_assert_str_eq(vp_time_format(fl->failed[0].start, t1, sizeof t1), "2026-08-10T01:00:00Z");
    ck_assert_str_eq(vp_time_format(fl->failed[0].next_success, t1, sizeof t1), "2026-08-13T01:30:00Z");
    ck_assert_int_eq(fl->failed[0].next_success - fl->failed[0].start, 72 * 3600 + 1800);
    ck_assert_str_eq(fl->failed[0].error_codes, "UserErrorVmNotFound");
    ck_assert_str_eq(fl->failed[0].error_message, "The VM was not found");
    ck_assert_ptr_null(fl->failed[1].error_message);
    ck_assert_int_eq(fl->gap, 4 * 86400); /* 9 August 01:30 to 13 August 01:30 */
    ck_assert_str_eq(vp_time_format(fl->gap_from, t1, sizeof t1), "2026-08-09T01:30:00Z");
    ck_assert_uint_eq(fl->restore_count, 1);
    ck_assert_int_eq(fl->restores[0].crr, 1);
    size_t fi = item_index(r.snap, "flaky");
    ck_assert_int_eq(vp_timeline_day(t, fi, 39), VP_DAY_SUCCESS);
    ck_assert_int_eq(vp_timeline_day(t, fi, 40), VP_DAY_FAILED);
    ck_assert_int_eq(vp_timeline_day(t, fi, 43), VP_DAY_SUCCESS);
    /* still failing at the end: unresolved; the gap runs to the collection time */
    const vp_tl_item fa_facts = tl_item(t, r.snap, "failing"), *fa = &fa_facts;
    ck_assert_int_eq(fa->failed[2].next_success, -1);
    ck_assert_str_eq(vp_time_format(fa->gap_to, t1, sizeof t1), CAPTURED);
    ck_assert_int_eq(fa->gap, 3 * 86400 + 1800);
    /* no jobs: the whole window is the gap */
    const vp_tl_item si_facts = tl_item(t, r.snap, "silent"), *si = &si_facts;
    ck_assert_uint_eq(si->jobs, 0);
    ck_assert_int_eq(si->gap, vp_timeline_window_end(t) - 1782864000LL);
    ck_assert_int_eq(vp_timeline_day(t, item_index(r.snap, "silent"), 10), VP_DAY_NONE);
    /* edge: unsorted and duplicate successes, midnight, offsets, the period's end */
    size_t ei = item_index(r.snap, "edge");
    const vp_tl_item ed_facts = tl_item(t, r.snap, "edge"), *ed = &ed_facts;
    ck_assert_uint_eq(ed->backups, 5);      /* the job starting at 1 October 00:00 is Q4's */
    ck_assert_uint_eq(ed->failures, 0);
    ck_assert_uint_eq(ed->successes, 4);
    ck_assert_uint_eq(ed->in_progress, 1);
    ck_assert_str_eq(vp_time_format(ed->first_success, t1, sizeof t1), "2026-07-16T00:20:00Z");
    ck_assert_int_eq(vp_timeline_day(t, ei, 14), VP_DAY_SUCCESS); /* started 15 July 23:50 */
    ck_assert_int_eq(vp_timeline_day(t, ei, 15), VP_DAY_NONE);    /* ended 16 July: not that day's */
    ck_assert_int_eq(vp_timeline_day(t, ei, 30), VP_DAY_SUCCESS); /* 1 August 01:00+02:00 is 31 July */
    ck_assert_int_eq(vp_timeline_day(t, ei, 31), VP_DAY_NONE);
    ck_assert_int_eq(vp_timeline_day(t, ei, 90), VP_DAY_RUNNING);
    /* aged out: the days before vault w's first job are outside coverage */
    size_t li = item_index(r.snap, "late");
    ck_assert_int_eq(vp_timeline_aged_out(t, 1), 1);
    ck_assert_int_eq(vp_timeline_aged_out(t, 0), 0);
    ck_assert_int_eq(vp_timeline_day(t, li, 0), VP_DAY_OUTSIDE);
    ck_assert_int_eq(vp_timeline_day(t, li, 4), VP_DAY_SUCCESS);
    /* a job no item answers to is unmatched, never guessed */
    size_t kept, total;
    const vp_tl_job *um = vp_timeline_unmatched(t, &kept, &total);
    ck_assert_uint_eq(total, 1);
    ck_assert_str_eq(um[0].entity, "ghost");
    ck_assert_uint_eq(vp_timeline_vault(t, 0)->unmatched, 1);
    ck_assert_uint_eq(vp_timeline_job_count(t), 6 + 92 * 3 + 88 + 3);
    vp_timeline_free(pr.timeline);
    free(jobs);
    run_free(&r);
}
END_TEST

START_TEST(backup_ran_and_restore_tested)
{
    run_t r = {0};
    char *jobs = period_stream();
    period_run pr = {.jobs = jobs};
    period_estate(&r.e);
    r.f = evaluate_over(&r.e, PERIOD_CONFIG, &pr, &r.snap, &r.cfg, &r.cat);
    EXPECT(r.f, "backup.ran", "ok", VP_PASS);
    EXPECT(r.f, "backup.ran", "flaky", VP_FAIL);
    ck_assert_ptr_nonnull(strstr(find(r.f, "backup.ran", "flaky")->observed, "largest gap 96.0 h (2026-08-09T01:30:00Z"));
    ck_assert_ptr_nonnull(strstr(find(r.f, "backup.ran", "flaky")->observed, "89 of 92 backups succeeded"));
    ck_assert_ptr_nonnull(strstr(find(r.f, "backup.ran", "flaky")->observed,
                                 "2026-08-10T01:00:00Z Failed (error UserErrorVmNotFound: The VM was not found), "
                                 "resolved after 72.5 h"));
    EXPECT(r.f, "backup.ran", "failing", VP_FAIL);
    ck_assert_ptr_nonnull(strstr(find(r.f, "backup.ran", "failing")->observed, "unresolved"));
    EXPECT(r.f, "backup.ran", "silent", VP_FAIL);
    ck_assert_str_eq(find(r.f, "backup.ran", "silent")->observed, "no backup job in the period");
    EXPECT(r.f, "backup.ran", "late", VP_INCOMPLETE); /* aged out: fail closed */
    ck_assert_ptr_nonnull(strstr(find(r.f, "backup.ran", "late")->note, "earlier evidence bundles"));
    /* restores: EHR restored, Lab's only restore failed, class sox has no test configured */
    EXPECT(r.f, "restore.tested", "ephi: Application=EHR", VP_PASS);
    EXPECT(r.f, "restore.tested", "ephi: Application=Lab", VP_FAIL);
    ck_assert_ptr_nonnull(strstr(find(r.f, "restore.tested", "ephi: Application=Lab")->observed, "not tested"));
    EXPECT(r.f, "restore.tested", "sox", VP_FAIL);
    /* operated in days: a day fails when any item was beyond the RPO during it */
    size_t okd, of;
    int days;
    vp_findings_operated(r.f, vp_catalog_find_rule(r.cat, "backup.ran"), &okd, &of, &days);
    ck_assert_int_eq(days, 1);
    ck_assert_uint_eq(of, 92);
    ck_assert_uint_lt(okd, of);
    vp_timeline_free(pr.timeline);
    free(jobs);
    run_free(&r);

    /* over a period without the jobs kept: incomplete, and "not tested" in days */
    run_t nk = {0};
    period_run none = {0};
    period_estate(&nk.e);
    nk.f = evaluate_over(&nk.e, PERIOD_CONFIG, &none, &nk.snap, &nk.cfg, &nk.cat);
    EXPECT(nk.f, "backup.ran", "ok", VP_INCOMPLETE);
    ck_assert_str_eq(find(nk.f, "backup.ran", "ok")->note, "jobs were counted, not kept: collect with --jobs-out");
    EXPECT(nk.f, "restore.tested", "ephi: Application=EHR", VP_INCOMPLETE);
    vp_findings_operated(nk.f, vp_catalog_find_rule(nk.cat, "backup.ran"), &okd, &of, &days);
    ck_assert_uint_eq(of, 0);
    run_free(&nk);

    /* without a period: no finding at all (older findings keep their bytes) */
    run_t np = {0};
    period_estate(&np.e);
    np.f = evaluate(&np.e, PERIOD_CONFIG, &np.snap, &np.cfg, &np.cat);
    ck_assert_ptr_null(find(np.f, "backup.ran", "ok"));
    ck_assert_ptr_null(find(np.f, "restore.tested", "sox"));
    run_free(&np);
}
END_TEST

/* Matching (Contract 2): a name two items share is matched to neither - each item knows
 * it was named - unless the job names the server ("<db> (<server>)"). */
#define DB_ITEM \
        "{\"id\":\"" RG "v/backupFabrics/Azure/protectionContainers/VMAppContainer;%s/protectedItems/SQLDataBase;%s;msdb\"," \
        "\"type\":\"Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems\"," \
        "\"properties\":{\"backupManagementType\":\"AzureWorkload\",\"workloadType\":\"SQLDataBase\"," \
        "\"protectedItemType\":\"AzureVmWorkloadSQLDatabase\",\"friendlyName\":\"msdb\",\"serverName\":\"%s\"," \
        "\"protectionState\":\"Protected\"}}"

START_TEST(timeline_never_guesses_a_shared_name)
{
    run_t r = {0};
    char items[4096];
    int n = snprintf(items, sizeof items, "[");
    n += snprintf(items + n, sizeof items - (size_t)n, DB_ITEM, "sql-a", "sql-a", "sql-a");
    n += snprintf(items + n, sizeof items - (size_t)n, ",");
    n += snprintf(items + n, sizeof items - (size_t)n, DB_ITEM, "sql-b", "sql-b", "sql-b");
    snprintf(items + n, sizeof items - (size_t)n, "]");
    locked_vault_v(&r.e, items);
    stream_buf b = {0};
    job(&b, "v", "msdb", "Backup", "Completed", "2026-08-01T01:00:00Z", "2026-08-01T01:10:00Z", NULL);
    job(&b, "v", "msdb (SQL-B)", "Backup", "Completed", "2026-08-02T01:00:00Z", "2026-08-02T01:10:00Z", NULL);
    period_run pr = {.jobs = b.text};
    r.f = evaluate_over(&r.e, PERIOD_CONFIG, &pr, &r.snap, &r.cfg, &r.cat);
    size_t a = r.snap->items[0].server.value[4] == 'a' ? 0 : 1;
    const vp_tl_item ta_facts = vp_timeline_item(pr.timeline, a), *ta = &ta_facts;
    const vp_tl_item tb_facts = vp_timeline_item(pr.timeline, 1 - a), *tb = &tb_facts;
    ck_assert_uint_eq(ta->ambiguous, 1);
    ck_assert_uint_eq(ta->backups, 0);
    ck_assert_uint_eq(tb->ambiguous, 1);
    ck_assert_uint_eq(tb->backups, 1); /* named with its server */
    size_t kept, total;
    vp_timeline_unmatched(pr.timeline, &kept, &total);
    ck_assert_uint_eq(total, 1);
    /* sql-a's msdb: its job may be the ambiguous one - incomplete, never failed on a guess */
    size_t nf;
    const vp_finding *list = vp_findings_list(r.f, &nf);
    int incomplete = 0;
    for (size_t i = 0; i < nf; i++)
        if (!strcmp(list[i].rule->id, "backup.ran") && !strcmp(list[i].resource_id, r.snap->items[a].id))
            incomplete = list[i].status == VP_INCOMPLETE;
    ck_assert_int_eq(incomplete, 1);
    vp_timeline_free(pr.timeline);
    free(b.text);
    run_free(&r);
}
END_TEST

/* An item whose protection was configured in the period, before any backup succeeded, is
 * measured from then; a failed ConfigureBackup, or a later one (a policy change makes
 * one), moves nothing. */
START_TEST(timeline_measures_from_configuration)
{
    run_t r = {0};
    char items[4096];
    int n = snprintf(items, sizeof items, "[%s", vm_item("v", "fresh", NULL, P));
    n += snprintf(items + n, sizeof items - (size_t)n, ",%s", vm_item("v", "refused", NULL, P));
    snprintf(items + n, sizeof items - (size_t)n, ",%s]", vm_item("v", "changed", NULL, P));
    locked_vault_v(&r.e, items);
    stream_buf b = {0};
    job(&b, "v", "fresh", "ConfigureBackup", "Completed", "2026-07-21T00:00:00Z", "2026-07-21T00:01:00Z", NULL);
    job(&b, "v", "fresh", "ConfigureBackup", "Completed", "2026-07-25T00:00:00Z", "2026-07-25T00:01:00Z", NULL);
    nightly(&b, "v", "fresh", 20, 91, -1, -1);
    job(&b, "v", "refused", "ConfigureBackup", "Failed", "2026-07-21T00:00:00Z", "2026-07-21T00:01:00Z", NULL);
    nightly(&b, "v", "refused", 20, 91, -1, -1);
    nightly(&b, "v", "changed", 0, 91, -1, -1);
    job(&b, "v", "changed", "ConfigureBackup", "Completed", "2026-08-20T12:00:00Z", "2026-08-20T12:01:00Z", NULL);
    period_run pr = {.jobs = b.text};
    char t1[32];
    r.f = evaluate_over(&r.e, PERIOD_CONFIG, &pr, &r.snap, &r.cfg, &r.cat);
    const vp_timeline *t = pr.timeline;
    const vp_tl_item fresh_facts = tl_item(t, r.snap, "fresh"), *fresh = &fresh_facts;
    ck_assert_str_eq(vp_time_format(fresh->protected_from, t1, sizeof t1), "2026-07-21T00:00:00Z");
    ck_assert_int_eq(fresh->gap, 86400); /* not the 20 days before it was configured */
    ck_assert_uint_eq(fresh->jobs, 2 + 72);
    ck_assert_uint_eq(fresh->backups, 72);
    const vp_tl_item refused_facts = tl_item(t, r.snap, "refused"), *refused = &refused_facts;
    ck_assert_int_eq(refused->protected_from, 1782864000LL);
    ck_assert_int_eq(refused->gap, 20 * 86400 + 5400); /* 1 July to 21 July 01:30 */
    ck_assert_str_eq(vp_time_format(refused->gap_to, t1, sizeof t1), "2026-07-21T01:30:00Z");
    const vp_tl_item changed_facts = tl_item(t, r.snap, "changed"), *changed = &changed_facts;
    ck_assert_int_eq(changed->protected_from, 1782864000LL);
    ck_assert_int_eq(changed->gap, 86400);
    vp_timeline_free(pr.timeline);
    free(b.text);
    run_free(&r);
}
END_TEST

START_TEST(timeline_refuses_another_stream)
{
    run_t r = {0};
    period_run pr = {0};
    vp_error err = {0};
    vp_status st;
    period_estate(&r.e);
    r.f = evaluate_over(&r.e, PERIOD_CONFIG, &pr, &r.snap, &r.cfg, &r.cat);
    memset(r.snap->collection.jobs_sha256, 'a', 64);
    ck_assert_ptr_null(timeline_of(r.snap, "", &err, &st));
    ck_assert_int_eq(st, VP_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.message, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    ck_assert_ptr_nonnull(strstr(err.message, "aaaaaaaa"));
    ck_assert_ptr_null(timeline_of(r.snap, "{\"x\":1}\n", &err, &st));
    ck_assert_int_eq(st, VP_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.message, "jobs.jsonl line 1"));
    run_free(&r);
}
END_TEST

START_TEST(durations_both_forms)
{
    double d;
    ck_assert_int_eq(vp_duration_seconds("PT12.4272909S", &d), 0);
    ck_assert_double_eq_tol(d, 12.4272909, 1e-9);
    ck_assert_int_eq(vp_duration_seconds("P1DT2H3M4S", &d), 0);
    ck_assert_double_eq_tol(d, 93784, 1e-9);
    ck_assert_int_eq(vp_duration_seconds("00:03:13.6439467", &d), 0);
    ck_assert_double_eq_tol(d, 193.6439467, 1e-9);
    ck_assert_int_eq(vp_duration_seconds("1.02:03:04", &d), 0);
    ck_assert_double_eq_tol(d, 93784, 1e-9);
    ck_assert_int_eq(vp_duration_seconds("PT", &d), -1);
    ck_assert_int_eq(vp_duration_seconds("P1H", &d), -1);
    ck_assert_int_eq(vp_duration_seconds("00:61:00", &d), -1);
    ck_assert_int_eq(vp_duration_seconds("", &d), -1);
    ck_assert_int_eq(vp_duration_seconds(NULL, &d), -1);
}
END_TEST

void evaluate_model_tests(TCase *tc); /* tests/unit/test_evaluate_model.c */

Suite *evaluate_suite(void)
{
    Suite *s = suite_create("evaluate");
    TCase *tc = tcase_create("rules");
    tcase_add_test(tc, immutability_states);
    tcase_add_test(tc, fail_closed_without_capture_records);
    tcase_add_test(tc, soft_delete_levels);
    tcase_add_test(tc, retention_boundaries_and_units);
    tcase_add_test(tc, retention_by_class_and_workload_full);
    tcase_add_test(tc, protection_rpo_and_coverage);
    tcase_add_test(tc, rpo_on_success_health_and_shortfalls);
    tcase_add_test(tc, exemptions_and_hyper_care);
    tcase_add_test(tc, drift_against_baseline);
    tcase_add_test(tc, config_checked_against_catalog);
    tcase_add_test(tc, findings_are_deterministic);
    tcase_add_test(tc, findings_texts_released_per_item);
    tcase_add_test(tc, findings_read_back);
    tcase_add_test(tc, findings_read_only_what_is_asked);
    tcase_add_test(tc, findings_index_skips_what_it_knows);
    tcase_add_test(tc, timeline_per_item);
    tcase_add_test(tc, backup_ran_and_restore_tested);
    tcase_add_test(tc, timeline_refuses_another_stream);
    tcase_add_test(tc, timeline_measures_from_configuration);
    tcase_add_test(tc, timeline_never_guesses_a_shared_name);
    tcase_add_test(tc, durations_both_forms);
    evaluate_model_tests(tc);
    suite_add_tcase(s, tc);
    return s;
}
