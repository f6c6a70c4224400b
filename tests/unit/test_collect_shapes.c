/* The collector on the payload shapes Azure really returns (issue 13): ids spelled as
 * URLs, empty strings, the "never" time sentinel, times without an offset, Azure Files
 * snapshot retention, workload schedules, V2 policies without policyType, and a vault
 * list that identifies nothing. Fixtures: tests/data/azure/ (SOURCES.md names each). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vaultproof/fileio.h"
#include "vaultproof/clock.h"
#include "vp_test.h"

static char *azure(const char *name)
{
    return vp_test_data("azure", name);
}

static vp_snapshot *normalize(const vp_test_body *b, size_t n)
{
    vp_snapshot *s = NULL;
    vp_error e = {0};
    ck_assert_msg(vp_test_normalize(b, n, &s, &e) == VP_OK, "%s", e.message);
    return s;
}

static size_t count_warnings(const vp_snapshot *s, const char *code, const char *file)
{
    size_t n = 0;
    for (size_t i = 0; i < s->collection.warning_count; i++) {
        const vp_warning *w = &s->collection.warnings[i];
        n += !strcmp(w->code, code) && (!file || (w->file && !strcmp(w->file, file)));
    }
    return n;
}

static const vp_warning *warning(const vp_snapshot *s, const char *code)
{
    for (size_t i = 0; i < s->collection.warning_count; i++)
        if (!strcmp(s->collection.warnings[i].code, code))
            return &s->collection.warnings[i];
    return NULL;
}

static const vp_list_call *list_call(const vp_snapshot *s, const char *op, const char *scope)
{
    for (size_t i = 0; i < s->collection.list_count; i++)
        if (!strcmp(s->collection.lists[i].operation, op) && !strcasecmp(s->collection.lists[i].scope, scope))
            return &s->collection.lists[i];
    return NULL;
}

static const vp_policy *policy_named(const vp_snapshot *s, const char *name)
{
    for (size_t i = 0; i < s->policy_count; i++)
        if (!strcmp(s->policies[i].name, name))
            return &s->policies[i];
    return NULL;
}

static const vp_item *item_named(const vp_snapshot *s, const char *name)
{
    for (size_t i = 0; i < s->item_count; i++)
        if (!strcmp(s->items[i].name, name))
            return &s->items[i];
    return NULL;
}

#define AFS_SUB "/subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e"
#define AFS_VAULT AFS_SUB "/resourceGroups/myResourceGroup/providers/Microsoft.RecoveryServices/vaults/afsbugbashvault"

/* The Learn estate: vault listed with a URL id, its vaulted Azure Files policy, and the
 * protected share whose vaultId is a URL. Everything links, nothing reads "missing". */
START_TEST(url_spelled_vault_links)
{
    char *vaults = azure("ListBySubscriptionIds.json"), *items = azure("quick-backup-azure-files-vault-tier-cli.json"),
         *pol = azure("ProtectionPolicies_CreateOrUpdate_Hardened.json");
    vp_test_body b[] = {{"vaults.json", vaults, NULL}, {"policies.json", pol, NULL}, {"items.json", items, NULL}};
    vp_snapshot *s = normalize(b, 3);

    ck_assert_int_eq(s->vault_count, 1);
    const vp_vault *v = &s->vaults[0];
    ck_assert_str_eq(v->id, AFS_VAULT); /* scheme and host gone */
    ck_assert_str_eq(v->subscription_id, "aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e");
    ck_assert_str_eq(v->resource_group, "myResourceGroup");
    ck_assert_str_eq(v->source.file, "vaults.json"); /* the raw spelling stays there */
    ck_assert_str_eq(v->source.pointer, "/value/0");
    ck_assert_int_eq(v->policy_count, 1);
    ck_assert_int_eq(v->item_count, 1);
    ck_assert_int_eq(v->lists[VP_ARM_LIST_POLICIES], VP_LIST_UNVERIFIED);
    ck_assert_int_eq(v->lists[VP_ARM_LIST_ITEMS], VP_LIST_UNVERIFIED);
    ck_assert_int_eq(s->subscription_count, 1);
    ck_assert_str_eq(s->subscriptions[0].id, AFS_SUB);
    const vp_list_call *l = list_call(s, "vaults", AFS_SUB);
    ck_assert_ptr_nonnull(l);
    ck_assert_int_eq(l->status, VP_LIST_UNVERIFIED);

    const vp_item *it = &s->items[0];
    ck_assert_int_eq(it->vault_listed, 1);
    ck_assert_str_eq(it->policy_link, "resolved");
    ck_assert_int_eq(it->policy_name.presence, VP_NULL); /* the name is not there; the link is */
    ck_assert_str_eq(it->last_backup_time.value, "2025-01-16T23:02:10.801858+00:00");
    ck_assert_int_eq(it->last_recovery_point.presence, VP_NULL);
    ck_assert_str_eq(it->kind, "azure_file_share");
    ck_assert_uint_eq(count_warnings(s, "duplicate-resource", NULL), 0);
    vp_snapshot_free(s);
    free(vaults);
    free(items);
    free(pol);
}
END_TEST

/* The same vault in both spellings (a URL-spelled list, a plain GET) is one vault and
 * a duplicate warning, not two vaults with duplicate findings. */
START_TEST(both_spellings_are_one_vault)
{
    char *vaults = azure("ListBySubscriptionIds.json");
    const char *plain = "{\"id\":\"/Subscriptions/aaaa0a0a-bb1b-cc2c-dd3d-eeeeee4e4e4e/resourceGroups/myResourceGroup/providers/"
                        "Microsoft.RecoveryServices/vaults/AFSBUGBASHVAULT\",\"name\":\"afsbugbashvault\","
                        "\"type\":\"Microsoft.RecoveryServices/vaults\",\"location\":\"westus\",\"properties\":{}}";
    vp_test_body b[] = {{"a-vaults.json", vaults, NULL}, {"b-vault.json", plain, NULL}};
    vp_snapshot *s = normalize(b, 2);
    ck_assert_int_eq(s->vault_count, 1);
    ck_assert_str_eq(s->vaults[0].source.file, "a-vaults.json"); /* the first read is kept */
    ck_assert_int_eq(s->region_count, 1);
    ck_assert_int_eq(s->regions[0].vault_count, 1);
    const vp_warning *w = warning(s, "duplicate-resource");
    ck_assert_ptr_nonnull(w);
    ck_assert_str_eq(w->file, "b-vault.json");
    vp_snapshot_free(s);
    free(vaults);
}
END_TEST

#define NET_VAULT "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/SwaggerTestRg/providers/Microsoft.RecoveryServices/vaults/NetSDKTestRsVault"
#define ITEM_ID(name) NET_VAULT "/backupFabrics/Azure/protectionContainers/IaasVMContainer;iaasvmcontainer;rg;" name "/protectedItems/VM;iaasvmcontainer;rg;" name
/* One IaaS VM item of BackupProtectedItems_List's shape (RSB/stable/2026-02-01/examples/
 * AzureIaasVm/BackupProtectedItems_List.json) with the properties given. */
#define VM_ITEM(name, props)                                                                                 \
    "{\"name\":\"" name "\",\"id\":\"" ITEM_ID(name) "\",\"type\":\"Microsoft.RecoveryServices/vaults/backupFabrics/" \
    "protectionContainers/protectedItems\",\"properties\":{\"backupManagementType\":\"AzureIaasVM\","          \
    "\"protectedItemType\":\"Microsoft.Compute/virtualMachines\",\"friendlyName\":\"" name "\"," props "}}"

/* A policy id as a URL still resolves; a URL-spelled policy list still evidences its
 * vault's call (the id is normalized before the call is inferred from it). */
START_TEST(url_spelled_references_link)
{
    const char *vault = "{\"id\":\"" NET_VAULT "\",\"type\":\"Microsoft.RecoveryServices/vaults\",\"location\":\"westus\"}";
    const char *pol = "{\"value\":[{\"id\":\"https://management.azure.com" NET_VAULT "/backupPolicies/DefaultPolicy\","
                      "\"name\":\"DefaultPolicy\",\"type\":\"Microsoft.RecoveryServices/vaults/backupPolicies\","
                      "\"properties\":{\"backupManagementType\":\"AzureIaasVM\"}}]}";
    const char *items = "{\"value\":[" VM_ITEM("vm1", "\"policyId\":\"https://management.azure.com" NET_VAULT "/backupPolicies/DefaultPolicy\","
                                                      "\"sourceResourceId\":\"https://management.azure.com/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1\","
                                                      "\"virtualMachineId\":\"HTTPS://management.azure.com/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1\"") "]}";
    const char *vms = "[{\"id\":\"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1\","
                      "\"name\":\"vm1\",\"type\":\"Microsoft.Compute/virtualMachines\",\"location\":\"westus\"}]";
    vp_test_body b[] = {{"v.json", vault, NULL}, {"p.json", pol, NULL}, {"i.json", items, NULL}, {"vm.json", vms, NULL}};
    vp_snapshot *s = normalize(b, 4);
    ck_assert_int_eq(s->vaults[0].policy_count, 1);
    ck_assert_int_eq(s->vaults[0].lists[VP_ARM_LIST_POLICIES], VP_LIST_UNVERIFIED);
    const vp_item *it = item_named(s, "vm1");
    ck_assert_str_eq(it->policy_link, "resolved");
    ck_assert_str_eq(it->policy_id.value, NET_VAULT "/backupPolicies/DefaultPolicy");
    ck_assert_str_eq(it->source_resource_id.value,
                     "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1");
    ck_assert_str_eq(it->vm_id.value, it->source_resource_id.value);
    ck_assert_int_eq(s->vms[0].protected_count, 1);
    vp_snapshot_free(s);
}
END_TEST

/* An item whose id names no vault is attributed by its vaultId (normalized). */
START_TEST(vault_id_stands_in_for_the_id)
{
    const char *vault = "{\"id\":\"" NET_VAULT "\",\"type\":\"Microsoft.RecoveryServices/vaults\",\"location\":\"westus\"}";
    const char *items = "[{\"id\":\"/backupmanagement/resources/NetSDKTestRsVault/protectedItems/x1\",\"name\":\"x1\","
                        "\"type\":\"Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems\","
                        "\"properties\":{\"vaultId\":\"https://management.azure.com" NET_VAULT "\"}}]";
    vp_test_body b[] = {{"v.json", vault, NULL}, {"i.json", items, NULL}};
    vp_snapshot *s = normalize(b, 2);
    ck_assert_int_eq(s->item_count, 1);
    ck_assert_str_eq(s->items[0].vault_id, NET_VAULT);
    ck_assert_str_eq(s->items[0].subscription_id, "00000000-0000-0000-0000-000000000000");
    ck_assert_int_eq(s->items[0].vault_listed, 1);
    ck_assert_int_eq(s->vaults[0].item_count, 1);
    vp_snapshot_free(s);
}
END_TEST

/* "" is the API saying nothing: not reported, not a value, not an unknown enum. */
START_TEST(empty_strings_are_absent)
{
    const char *items = "{\"value\":[" VM_ITEM("vm1", "\"policyId\":\"\",\"policyName\":\"\",\"lastBackupStatus\":\"\","
                                                      "\"protectionState\":\"\",\"healthStatus\":\"\",\"lastBackupTime\":\"\"") "]}";
    vp_test_body b[] = {{"i.json", items, NULL}};
    vp_snapshot *s = normalize(b, 1);
    const vp_item *it = item_named(s, "vm1");
    ck_assert_int_eq(it->policy_id.presence, VP_ABSENT);
    ck_assert_ptr_null(it->policy_id.value);
    ck_assert_int_eq(it->policy_name.presence, VP_ABSENT);
    ck_assert_int_eq(it->last_backup_status.presence, VP_ABSENT);
    ck_assert_int_eq(it->protection_state.presence, VP_ABSENT);
    ck_assert_int_eq(it->health_status.presence, VP_ABSENT);
    ck_assert_int_eq(it->last_backup_time.presence, VP_ABSENT); /* not an RFC 3339 error either */
    ck_assert_str_eq(it->policy_link, "none");
    ck_assert_uint_eq(count_warnings(s, "unknown-enum", NULL), 0);
    vp_snapshot_free(s);
}
END_TEST

/* The API's "never" is 2001-01-01T00:00:00Z in any spelling: kept verbatim (it is what
 * the API said) and recognized as "no backup yet" by vp_time_is_never, the one test the
 * evaluator and the renderers use. A real time is not a placeholder. */
START_TEST(never_sentinel_is_kept_and_recognized)
{
    const char *items =
        "{\"value\":["
        VM_ITEM("n1", "\"protectionState\":\"IRPending\",\"lastBackupTime\":\"2001-01-01T00:00:00Z\",\"lastRecoveryPoint\":\"2001-01-01T00:00:00.0000000Z\","
                      "\"extendedInfo\":{\"oldestRecoveryPoint\":\"2001-01-01T00:00:00+00:00\",\"recoveryPointCount\":0}") ","
        VM_ITEM("real", "\"lastBackupTime\":\"2026-09-29T21:14:05Z\",\"extendedInfo\":{\"oldestRecoveryPoint\":\"2026-09-01T22:00:00Z\"}")
        "]}";
    vp_test_body b[] = {{"i.json", items, NULL}};
    vp_snapshot *s = normalize(b, 1);
    const vp_item *n1 = item_named(s, "n1"), *real = item_named(s, "real");
    ck_assert_str_eq(n1->last_backup_time.value, "2001-01-01T00:00:00Z");
    ck_assert_str_eq(n1->last_recovery_point.value, "2001-01-01T00:00:00.0000000Z");
    ck_assert_str_eq(n1->oldest_recovery_point.value, "2001-01-01T00:00:00+00:00");
    ck_assert(vp_time_is_never(n1->last_backup_time.value));
    ck_assert(vp_time_is_never(n1->last_recovery_point.value));
    ck_assert(vp_time_is_never(n1->oldest_recovery_point.value));
    ck_assert(!vp_time_is_never(real->last_backup_time.value));
    ck_assert(!vp_time_is_never("2010-01-01T00:00:00Z"));
    ck_assert(vp_time_is_never("2009-12-31T23:59:59Z"));
    ck_assert(!vp_time_is_never(NULL));
    ck_assert(!vp_time_is_never("not a time"));
    vp_snapshot_free(s);
}
END_TEST

/* A time without an offset is UTC: kept with "Z" (fraction as given), one warning per
 * file naming the first such field, not one per value, and no failed collect. */
START_TEST(offsetless_times_are_utc)
{
    const char *one = "{\"value\":[" VM_ITEM("a", "\"lastBackupTime\":\"2026-09-29T21:14:05.1234567\"") ","
                      VM_ITEM("b", "\"lastBackupTime\":\"2026-09-29T21:14:05\",\"lastRecoveryPoint\":\"2026-09-29T21:10:00.5\"") "]}";
    const char *two = "[" VM_ITEM("c", "\"extendedInfo\":{\"oldestRecoveryPoint\":\"2026-01-01T00:00:00\"}") "]";
    const char *fine = "[" VM_ITEM("d", "\"lastBackupTime\":\"2026-09-29T21:14:05+02:00\"") "]";
    vp_test_body b[] = {{"one.json", one, NULL}, {"two.json", two, NULL}, {"fine.json", fine, NULL}};
    vp_snapshot *s = normalize(b, 3);
    ck_assert_str_eq(item_named(s, "a")->last_backup_time.value, "2026-09-29T21:14:05.1234567Z");
    ck_assert_str_eq(item_named(s, "b")->last_backup_time.value, "2026-09-29T21:14:05Z");
    ck_assert_str_eq(item_named(s, "b")->last_recovery_point.value, "2026-09-29T21:10:00.5Z");
    ck_assert_str_eq(item_named(s, "c")->oldest_recovery_point.value, "2026-01-01T00:00:00Z");
    ck_assert_str_eq(item_named(s, "d")->last_backup_time.value, "2026-09-29T21:14:05+02:00");
    ck_assert_uint_eq(count_warnings(s, "time-without-offset", "one.json"), 1);
    ck_assert_uint_eq(count_warnings(s, "time-without-offset", "two.json"), 1);
    ck_assert_uint_eq(count_warnings(s, "time-without-offset", NULL), 2);
    const vp_warning *w = warning(s, "time-without-offset");
    ck_assert_str_eq(w->file, "one.json");
    ck_assert_str_eq(w->pointer, "/value/0/properties/lastBackupTime");
    ck_assert_ptr_nonnull(strstr(w->message, "2026-09-29T21:14:05.1234567"));
    vp_snapshot_free(s);

    /* an offset that is malformed is still an error, not a UTC time */
    const char *bad = "[" VM_ITEM("e", "\"lastBackupTime\":\"2026-09-29T21:14:05+2\"") "]";
    vp_test_body bb = {"bad.json", bad, NULL};
    vp_error e = {0};
    ck_assert_int_eq(vp_test_normalize(&bb, 1, &s, &e), VP_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(e.message, "expected an RFC 3339 time"));
}
END_TEST

static int has_tier(const vp_policy *p, const char *tier)
{
    for (size_t i = 0; i < p->tier_count; i++)
        if (!strcmp(p->tiers[i].tier, tier))
            return 1;
    return 0;
}

START_TEST(azure_files_snapshot_retention_never_counts)
{
    char *hardened = azure("ProtectionPolicies_CreateOrUpdate_Hardened.json");
    /* The snapshot-only Azure Files policy: its whole retentionPolicy is share-snapshot
     * retention (the shape of the AzureStorage policy examples before vault tiering). */
    const char *snap_only =
        "{\"id\":\"" AFS_VAULT "/backupPolicies/snappol\",\"name\":\"snappol\",\"type\":\"Microsoft.RecoveryServices/vaults/backupPolicies\","
        "\"properties\":{\"backupManagementType\":\"AzureStorage\",\"workLoadType\":\"AzureFileShare\","
        "\"schedulePolicy\":{\"schedulePolicyType\":\"SimpleSchedulePolicy\",\"scheduleRunFrequency\":\"Daily\"},"
        "\"retentionPolicy\":{\"retentionPolicyType\":\"LongTermRetentionPolicy\","
        "\"dailySchedule\":{\"retentionDuration\":{\"count\":30,\"durationType\":\"Days\"}},"
        "\"weeklySchedule\":{\"retentionDuration\":{\"count\":12,\"durationType\":\"Weeks\"}},"
        "\"monthlySchedule\":{\"retentionDuration\":{\"count\":60,\"durationType\":\"Months\"}},"
        "\"yearlySchedule\":{\"retentionDuration\":{\"count\":10,\"durationType\":\"Years\"}}},\"timeZone\":\"UTC\"}}";
    vp_test_body b[] = {{"hardened.json", hardened, NULL}, {"snap.json", snap_only, NULL}};
    vp_snapshot *s = normalize(b, 2);

    const vp_policy *p = policy_named(s, "snappol");
    ck_assert_int_eq(p->tier_count, 4);
    ck_assert_str_eq(p->tiers[0].tier, "snapshot-daily");
    ck_assert_str_eq(p->tiers[3].tier, "snapshot-yearly");
    ck_assert_int_eq(p->tiers[3].days, 3652); /* kept and converted, but ... */
    ck_assert_str_eq(p->tiers[3].pointer, "/properties/retentionPolicy/yearlySchedule/retentionDuration");
    ck_assert_int_eq(p->long_term_days, -1); /* ... no vault tier: not a vault backup */
    ck_assert_int_eq(p->unknown_retention, 0);
    ck_assert_str_eq(p->schedule_frequency.value, "Daily");

    p = policy_named(s, "vaultpol");
    ck_assert_int_eq(p->long_term_days, 3652); /* vault tier: 10 years */
    ck_assert(has_tier(p, "yearly"));
    ck_assert(has_tier(p, "snapshot")); /* snapshotRetentionInDays */
    ck_assert(!has_tier(p, "snapshot-daily"));
    ck_assert_int_eq(p->tier_count, 5);
    vp_snapshot_free(s);
    free(hardened);
}
END_TEST

START_TEST(workload_schedule_and_v2_inferred)
{
    char *wl = azure("AzureWorkload_BackupPolicies_List.json"), *v2 = azure("v2-List-Policies.json");
    /* a HANA policy whose Log sub-policy comes first: the Full one still decides */
    const char *hana = "[{\"id\":\"" NET_VAULT "/backupPolicies/hana\",\"name\":\"hana\",\"type\":\"Microsoft.RecoveryServices/vaults/backupPolicies\","
                       "\"properties\":{\"backupManagementType\":\"AzureWorkload\",\"workLoadType\":\"SAPHanaDatabase\",\"subProtectionPolicy\":["
                       "{\"policyType\":\"Log\",\"schedulePolicy\":{\"schedulePolicyType\":\"LogSchedulePolicy\",\"scheduleFrequencyInMins\":15},"
                       "\"retentionPolicy\":{\"retentionPolicyType\":\"SimpleRetentionPolicy\",\"retentionDuration\":{\"count\":15,\"durationType\":\"Days\"}}},"
                       "{\"policyType\":\"Differential\",\"schedulePolicy\":{\"schedulePolicyType\":\"SimpleSchedulePolicy\",\"scheduleRunFrequency\":\"Weekly\"},"
                       "\"retentionPolicy\":{\"retentionPolicyType\":\"SimpleRetentionPolicy\",\"retentionDuration\":{\"count\":30,\"durationType\":\"Days\"}}},"
                       "{\"policyType\":\"Full\",\"schedulePolicy\":{\"schedulePolicyType\":\"SimpleSchedulePolicy\",\"scheduleRunFrequency\":\"Daily\"},"
                       "\"retentionPolicy\":{\"retentionPolicyType\":\"LongTermRetentionPolicy\",\"dailySchedule\":{\"retentionDuration\":{\"count\":35,\"durationType\":\"Days\"}}}}]}}]";
    vp_test_body b[] = {{"wl.json", wl, NULL}, {"v2.json", v2, NULL}, {"hana.json", hana, NULL}};
    vp_snapshot *s = normalize(b, 3);

    const vp_policy *p = policy_named(s, "HourlyLogBackup");
    ck_assert_int_eq(p->schedule_frequency.presence, VP_PRESENT);
    ck_assert_str_eq(p->schedule_frequency.value, "Daily");
    ck_assert_int_eq(p->long_term_days, 30);
    ck_assert_int_eq(p->log_days, 30);
    ck_assert_str_eq(p->time_zone.value, "UTC");
    ck_assert_str_eq(policy_named(s, "hana")->schedule_frequency.value, "Daily");

    p = policy_named(s, "v2-daily-policy");
    ck_assert_int_eq(p->policy_type.presence, VP_PRESENT);
    ck_assert_str_eq(p->policy_type.value, "V2"); /* told by SimpleSchedulePolicyV2 */
    ck_assert_str_eq(p->schedule_frequency.value, "Daily");
    p = policy_named(s, "DefaultPolicy");
    ck_assert_int_eq(p->policy_type.presence, VP_ABSENT); /* a V1 schedule does not prove V1 */
    vp_snapshot_free(s);
    free(wl);
    free(v2);
}
END_TEST

#define MAXSUB "BE761359-6FE5-4793-AC0B-144B40374EC5"

/* The MaximumSet vault list names nothing vaultproof reads (id "dkzll", an odd type)
 * and has a nextLink nobody answered. Its resource is counted and warned as ignored;
 * stored where the recommended layout puts a subscription's vault list, it makes that
 * call incomplete instead of leaving no trace. */
START_TEST(maximum_set_vault_list)
{
    char *body = azure("Vaults_ListBySubscriptionId_MaximumSet_Gen.json");
    const char *subs = "{\"value\":[{\"id\":\"/subscriptions/" MAXSUB "\",\"subscriptionId\":\"" MAXSUB "\","
                       "\"displayName\":\"max\",\"state\":\"Enabled\"}]}";
    vp_test_body b[] = {{"subscriptions.json", subs, NULL}, {"subscriptions/" MAXSUB "/vaults.json", body, NULL}};
    vp_snapshot *s = normalize(b, 2);
    ck_assert_int_eq(s->vault_count, 0);
    ck_assert_int_eq(s->collection.ignored_resources, 1);
    ck_assert_uint_eq(count_warnings(s, "ignored-resource", NULL), 1);
    ck_assert_uint_eq(count_warnings(s, "unanswered-next-link", NULL), 0);
    const vp_list_call *l = list_call(s, "vaults", "/subscriptions/" MAXSUB);
    ck_assert_ptr_nonnull(l);
    ck_assert_int_eq(l->status, VP_LIST_INCOMPLETE);
    ck_assert_ptr_nonnull(strstr(l->detail, "subscriptions/" MAXSUB "/vaults.json"));
    vp_snapshot_free(s);

    /* a later page of the list is told the same way */
    b[1].path = "subscriptions/" MAXSUB "/vaults.page-0002.json";
    s = normalize(b, 2);
    ck_assert_int_eq(list_call(s, "vaults", "/subscriptions/" MAXSUB)->status, VP_LIST_INCOMPLETE);
    vp_snapshot_free(s);

    /* under any other name nothing identifies the call: warned, as before */
    b[1].path = "export/max.json";
    s = normalize(b, 2);
    ck_assert_uint_eq(count_warnings(s, "unanswered-next-link", "export/max.json"), 1);
    ck_assert_int_eq(list_call(s, "vaults", "/subscriptions/" MAXSUB)->status, VP_LIST_MISSING);
    vp_snapshot_free(s);

    /* a per-vault path names no resource group: it cannot give the vault's id */
    b[1].path = "subscriptions/" MAXSUB "/vaults/hs/backupPolicies.json";
    s = normalize(b, 2);
    ck_assert_uint_eq(count_warnings(s, "unanswered-next-link", NULL), 1);
    vp_snapshot_free(s);
    free(body);
}
END_TEST

Suite *collect_shapes_suite(void)
{
    Suite *s = suite_create("collect_shapes");
    TCase *tc = tcase_create("azure");
    tcase_add_test(tc, url_spelled_vault_links);
    tcase_add_test(tc, both_spellings_are_one_vault);
    tcase_add_test(tc, url_spelled_references_link);
    tcase_add_test(tc, vault_id_stands_in_for_the_id);
    tcase_add_test(tc, empty_strings_are_absent);
    tcase_add_test(tc, never_sentinel_is_kept_and_recognized);
    tcase_add_test(tc, offsetless_times_are_utc);
    tcase_add_test(tc, azure_files_snapshot_retention_never_counts);
    tcase_add_test(tc, workload_schedule_and_v2_inferred);
    tcase_add_test(tc, maximum_set_vault_list);
    suite_add_tcase(s, tc);
    return s;
}
