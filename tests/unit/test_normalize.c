/* The normalizer on every resource type and policy shape (tests/data/unit/). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vaultproof/fileio.h"
#include "vp_test.h"

static char *fixture(const char *name)
{
    return vp_test_data("unit", name);
}

static vp_snapshot *snap;
static char *bodies[6];

static void setup(void)
{
    static const char *const names[] = {"subscriptions.json", "vaults.json", "vault-configs.json",
                                        "policies.json",      "items.json",  "vms.json"};
    vp_test_body b[6];
    vp_error e = {0};
    for (int i = 0; i < 6; i++) {
        bodies[i] = fixture(names[i]);
        b[i] = (vp_test_body){names[i], bodies[i], NULL};
    }
    ck_assert_msg(vp_test_normalize(b, 6, &snap, &e) == VP_OK, "%s", e.message);
}

static void teardown(void)
{
    vp_snapshot_free(snap);
    for (int i = 0; i < 6; i++)
        free(bodies[i]);
}

#define VAULT(n) vp_snapshot_find_vault(snap, "/subscriptions/" n)
#define ITEM_IN(vault, name)                                                                                 \
    vp_snapshot_find_item(snap, "/subscriptions/sub-a/resourcegroups/rg-a/providers/microsoft.recoveryservices/vaults/" vault name)

static const vp_item *item_named(const char *friendly)
{
    for (size_t i = 0; i < snap->item_count; i++)
        if (snap->items[i].friendly_name.presence == VP_PRESENT && !strcmp(snap->items[i].friendly_name.value, friendly))
            return &snap->items[i];
    return NULL;
}

static const vp_policy *policy_named(const char *name)
{
    for (size_t i = 0; i < snap->policy_count; i++)
        if (!strcmp(snap->policies[i].name, name))
            return &snap->policies[i];
    return NULL;
}

static int has_warning(const char *code, const char *pointer_part)
{
    for (size_t i = 0; i < snap->collection.warning_count; i++) {
        const vp_warning *w = &snap->collection.warnings[i];
        if (!strcmp(w->code, code) && w->pointer && strstr(w->pointer, pointer_part))
            return 1;
    }
    return 0;
}

START_TEST(vault_fields_and_sources)
{
    ck_assert_int_eq(snap->vault_count, 4); /* the storage account is ignored */
    ck_assert_int_eq(snap->collection.ignored_resources, 1);
    const vp_vault *v = VAULT("sub-a/resourceGroups/rg-a/providers/Microsoft.RecoveryServices/vaults/vault-locked");
    ck_assert_ptr_nonnull(v);
    ck_assert_str_eq(v->immutability.value, "Locked");
    ck_assert_str_eq(v->soft_delete.value, "AlwaysON");
    ck_assert_int_eq(v->soft_delete_days.value, 14);
    /* the vault's own securitySettings win over a disagreeing backupconfig */
    ck_assert_int_eq(v->soft_delete.origin, VP_ORIGIN_SELF);
    ck_assert_str_eq(v->mua.value, "Enabled");
    ck_assert_str_eq(v->storage_redundancy.value, "GeoRedundant");
    ck_assert_str_eq(v->cross_region_restore.value, "Enabled");
    ck_assert_str_eq(v->sku.value, "RS0");
    ck_assert_int_eq(v->tags.count, 2);
    ck_assert_str_eq(v->tags.items[0].value, "Zürich");
    ck_assert_int_eq(v->guard_count, 1);
    ck_assert_int_eq(v->guards[0].operation_count, 2);
    ck_assert_str_eq(v->source.file, "vaults.json");
    ck_assert_str_eq(v->source.pointer, "/value/0");
    ck_assert_int_eq(v->item_count, 14);
    ck_assert_int_eq(v->policy_count, 8);
}
END_TEST

START_TEST(absent_is_not_disabled)
{
    const vp_vault *v = VAULT("sub-a/resourceGroups/rg-a/providers/Microsoft.RecoveryServices/vaults/vault-fresh");
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(v->immutability.presence, VP_ABSENT);
    ck_assert_ptr_null(v->immutability.value);
    ck_assert_int_eq(v->mua.presence, VP_ABSENT);
    ck_assert_int_eq(v->tags.presence, VP_NULL);
    /* soft delete falls back to backupconfig, and says so */
    ck_assert_str_eq(v->soft_delete.value, "AlwaysON");
    ck_assert_int_eq(v->soft_delete.origin, VP_ORIGIN_VAULTCONFIG);
    ck_assert_int_eq(v->soft_delete_days.value, 30);
    ck_assert_str_eq(v->enhanced_security.value, "Enabled");
    ck_assert_str_eq(v->storage_redundancy.value, "LocallyRedundant");
    ck_assert_int_eq(v->storage_redundancy.origin, VP_ORIGIN_STORAGECONFIG);
    ck_assert_str_eq(v->cross_region_restore.value, "Disabled");
    ck_assert_str_eq(v->vaultconfig_source.file, "vault-configs.json");
    ck_assert_str_eq(v->vaultconfig_source.pointer, "/0");

    const vp_vault *odd = VAULT("sub-b/resourceGroups/rg-b/providers/Microsoft.RecoveryServices/vaults/vault-odd");
    ck_assert_int_eq(odd->soft_delete.presence, VP_ABSENT); /* softDeleteSettings: null */
    ck_assert_int_eq(odd->mua.presence, VP_NULL);
}
END_TEST

START_TEST(unknown_enums_kept_and_flagged)
{
    const vp_vault *odd = VAULT("sub-b/resourceGroups/rg-b/providers/Microsoft.RecoveryServices/vaults/vault-odd");
    ck_assert_ptr_nonnull(odd); /* found although its type was lowercase */
    ck_assert_str_eq(odd->immutability.value, "Frozen");
    ck_assert_int_eq(odd->immutability.unknown, 1);
    ck_assert_str_eq(odd->secure_score.value, "Superior");
    ck_assert_int_eq(odd->secure_score.unknown, 1);
    ck_assert(has_warning("unknown-enum", "/value/2/properties/securitySettings/immutabilitySettings/state"));
    const vp_item *x = item_named("x1");
    ck_assert_str_eq(x->kind, "unknown");
    ck_assert_str_eq(x->protection_state.value, "Teleported");
    ck_assert_int_eq(x->protection_state.unknown, 1);
    ck_assert_int_eq(x->health_status.unknown, 1);
    ck_assert_int_eq(x->item_type.unknown, 1);
}
END_TEST

START_TEST(item_kinds)
{
    static const char *const expect[][2] = {
        {"epic-db01", "azure_vm"},        {"classic01", "azure_vm"},     {"EPICDB", "sql_in_vm"},
        {"SYSTEMDB", "sap_hana_in_vm"},   {"H01", "sap_hana_in_vm"},     {"db1", "sap_ase_in_vm"},
        {"Kraków-Archiv", "dpm"},         {"finance-share", "azure_backup_server"},
        {"C:\\Daten\\Zürich\\", "mars"},  {"share1", "azure_file_share"}, {"g1", "generic"},
    };
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
        const vp_item *it = item_named(expect[i][0]);
        ck_assert_msg(it != NULL, "item %s", expect[i][0]);
        ck_assert_msg(!strcmp(it->kind, expect[i][1]), "%s: kind %s, expected %s", expect[i][0], it->kind, expect[i][1]);
    }
    ck_assert_int_eq(snap->item_count, 15);
}
END_TEST

START_TEST(item_fields)
{
    const vp_item *vm = item_named("epic-db01");
    ck_assert_str_eq(vm->protection_state.value, "Protected");
    ck_assert_str_eq(vm->health_status.value, "Passed");
    ck_assert_str_eq(vm->last_backup_time.value, "2026-09-29T22:31:07.4572193Z");
    ck_assert_str_eq(vm->oldest_recovery_point.value, "2019-10-01T22:00:00Z");
    ck_assert_int_eq(vm->recovery_point_count.value, 412);
    ck_assert_int_eq(vm->archive_enabled.value, 1);
    ck_assert_int_eq(vm->deferred_delete.presence, VP_PRESENT);
    ck_assert_int_eq(vm->deferred_delete.value, 0);
    ck_assert_str_eq(vm->source.pointer, "/value/0");

    const vp_item *sql = item_named("EPICDB");
    ck_assert_str_eq(sql->server.value, "epic-sql01.contoso.local");
    ck_assert_str_eq(sql->health_status.value, "Healthy"); /* protectedItemHealthStatus */
    ck_assert_str_eq(sql->policy_state.value, "Consistent");
    ck_assert_str_eq(item_named("Kraków-Archiv")->server.value, "dpm01.contoso.pl");
    ck_assert_str_eq(item_named("Kraków-Archiv")->last_backup_status.value, "OK"); /* from extendedInfo */
    ck_assert_str_eq(item_named("C:\\Daten\\Zürich\\")->server.value, "ZRH-FS01.contoso.ch");
    const vp_item *share = item_named("share1");
    ck_assert_int_eq(share->deferred_delete.value, 1);
    ck_assert_str_eq(share->deferred_delete_time.value, "2026-09-20T00:00:00Z");
}
END_TEST

START_TEST(links_are_case_insensitive)
{
    const vp_item *vm = item_named("epic-db01");
    ck_assert_str_eq(vm->policy_link, "resolved"); /* /subscriptions/ + upper-case name vs /Subscriptions/ */
    ck_assert_int_eq(vm->vault_listed, 1);
    ck_assert_str_eq(item_named("x1")->policy_link, "missing");
    ck_assert_str_eq(item_named("classic01")->policy_link, "none"); /* empty policyId */
    const vp_item *ghost = item_named("ghost01");
    ck_assert_int_eq(ghost->vault_listed, 0);
    /* coverage: the VM id differs in case from sourceResourceId */
    const vp_vm *db = vp_snapshot_find_vm(snap, "/SUBSCRIPTIONS/sub-a/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/epic-db01");
    ck_assert_ptr_nonnull(db);
    ck_assert_int_eq(db->protected_count, 1);
    ck_assert_str_eq(db->protected_by[0], vm->id);
    const vp_vm *web = vp_snapshot_find_vm(snap, "/subscriptions/sub-a/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/epic-web07");
    ck_assert_int_eq(web->protected_count, 0);
    ck_assert_str_eq(web->tags.items[0].value, "ePHI");
}
END_TEST

START_TEST(nulls_anywhere)
{
    const vp_item *n = NULL;
    for (size_t i = 0; i < snap->item_count; i++)
        if (strstr(snap->items[i].id, "nulls01"))
            n = &snap->items[i];
    ck_assert_ptr_nonnull(n);
    ck_assert_int_eq(n->friendly_name.presence, VP_NULL);
    ck_assert_int_eq(n->protection_state.presence, VP_NULL);
    ck_assert_int_eq(n->management_type.presence, VP_NULL);
    ck_assert_int_eq(n->recovery_point_count.presence, VP_ABSENT);
    ck_assert_str_eq(n->policy_link, "none");
}
END_TEST

START_TEST(policy_shapes)
{
    const vp_policy *p = policy_named("vm-v1-daily");
    ck_assert_int_eq(p->tier_count, 2); /* daily + instant; null tiers skipped */
    ck_assert_str_eq(p->tiers[0].tier, "daily");
    ck_assert_int_eq(p->tiers[0].days, 30);
    ck_assert_str_eq(p->tiers[0].pointer, "/properties/retentionPolicy/dailySchedule/retentionDuration");
    ck_assert_int_eq(p->long_term_days, 30);
    ck_assert_str_eq(p->time_zone.value, "UTC");
    ck_assert_int_eq(p->protected_items_count.value, 3);

    p = policy_named("vm-v2-hourly");
    ck_assert_str_eq(p->policy_type.value, "V2");
    ck_assert_str_eq(p->schedule_frequency.value, "Hourly");
    ck_assert_int_eq(p->tier_count, 5);
    ck_assert_int_eq(p->long_term_days, 3652); /* 10 years */

    p = policy_named("sql-full-diff-log");
    ck_assert_int_eq(p->tier_count, 5);
    ck_assert_str_eq(p->tiers[3].sub_policy, "Differential");
    ck_assert_str_eq(p->tiers[3].tier, "simple");
    ck_assert_str_eq(p->tiers[4].pointer, "/properties/subProtectionPolicy/2/retentionPolicy/retentionDuration");
    ck_assert_int_eq(p->long_term_days, 2556); /* Full yearly 7 years */
    ck_assert_int_eq(p->log_days, 7);
    ck_assert_str_eq(p->time_zone.value, "Pacific Standard Time"); /* from settings */

    p = policy_named("hana-full-incr-log");
    ck_assert_int_eq(p->long_term_days, 3652);
    ck_assert_int_eq(p->log_days, 15);
    ck_assert_str_eq(p->workload_type.value, "SAPHanaDatabase");

    ck_assert_int_eq(policy_named("mars-ltr")->long_term_days, 2556); /* 84 months */
    p = policy_named("files-hardened");
    ck_assert_int_eq(p->long_term_days, 1095); /* vault tier 3 years beats snapshot 30 days */
    ck_assert_int_eq(policy_named("ase-simple")->long_term_days, 400);
    ck_assert_int_eq(policy_named("generic-sub")->long_term_days, 14);
}
END_TEST

START_TEST(policy_unknown_retention)
{
    const vp_policy *p = policy_named("odd-units");
    ck_assert_int_eq(p->unknown_retention, 1);
    ck_assert_int_eq(p->tiers[0].days, -1);
    ck_assert_str_eq(p->tiers[0].unit, "Invalid");
    ck_assert_int_eq(p->long_term_days, 35); /* the known weekly tier still counts */
    p = policy_named("future-shape");
    ck_assert_int_eq(p->unknown_retention, 1);
    ck_assert_int_eq(p->tier_count, 0);
    ck_assert_int_eq(p->long_term_days, -1);
    ck_assert_int_eq(p->management_type.unknown, 1);
}
END_TEST

START_TEST(regions_and_subscriptions)
{
    ck_assert_int_eq(snap->region_count, 4);
    ck_assert_str_eq(snap->regions[0].location, "eastus2");
    ck_assert_str_eq(snap->regions[0].worm, "pending-automatic-transition");
    ck_assert_str_eq(snap->regions[1].location, "southindia");
    ck_assert_str_eq(snap->regions[1].worm, "ga");
    ck_assert_str_eq(snap->regions[2].location, "switzerlandwest");
    ck_assert_int_eq(snap->regions[2].source_count, 3); /* both Microsoft revisions and the strategy document */
    ck_assert_str_eq(snap->regions[3].location, "westus3"); /* "West US 3" normalized */
    ck_assert_int_eq(snap->subscription_count, 3);
    ck_assert_int_eq(snap->subscriptions[0].listed, 1);
    ck_assert_str_eq(snap->subscriptions[0].display_name, "Epic Production");
    ck_assert_int_eq(snap->subscriptions[1].listed, 0); /* sub-b only referenced by vault ids */
    /* sub-g only referenced by a resource guard proxy's guard id: counted and named too */
    ck_assert_str_eq(snap->subscriptions[2].subscription_id, "sub-g");
    ck_assert_int_eq(snap->subscriptions[2].listed, 0);
}
END_TEST

/* An item's strings that repeat its id's tail (name, friendlyName, containerName) or its
 * sourceResourceId (virtualMachineId) are kept once, inside the string they repeat; the
 * values read the same either way, and one that repeats nothing is a copy of its own. */
static int within(const char *s, const char *host)
{
    return s >= host && s < host + strlen(host);
}

START_TEST(item_strings_kept_once)
{
#define SUB_ "/subscriptions/s1/resourceGroups/rg/providers/"
#define VAULT_ SUB_ "Microsoft.RecoveryServices/vaults/v1/backupFabrics/Azure/protectionContainers/"
    static const char body[] =
        "{\"value\":[{\"id\":\"" VAULT_ "IaasVMContainer;iaasvmcontainerv2;rg;web01/protectedItems/"
        "VM;iaasvmcontainerv2;rg;web01\",\"name\":\"VM;iaasvmcontainerv2;rg;web01\",\"properties\":{"
        "\"friendlyName\":\"web01\",\"containerName\":\"iaasvmcontainerv2;rg;web01\","
        "\"protectedItemType\":\"Microsoft.Compute/virtualMachines\","
        "\"sourceResourceId\":\"" SUB_ "Microsoft.Compute/virtualMachines/web01\","
        "\"virtualMachineId\":\"https://management.azure.com" SUB_ "Microsoft.Compute/virtualMachines/web01\"}},"
        "{\"id\":\"" VAULT_ "VMAppContainer;compute;rg;sql01/protectedItems/SQLDataBase;mssqlserver;epicdb\","
        "\"name\":\"SQLDataBase;mssqlserver;epicdb\",\"properties\":{\"friendlyName\":\"EPICDB\","
        "\"containerName\":\"VMAppContainer;Compute;rg;sql01\",\"protectedItemType\":\"AzureVmWorkloadSQLDatabase\","
        "\"sourceResourceId\":\"" SUB_ "Microsoft.Compute/virtualMachines/sql01\","
        "\"virtualMachineId\":\"" SUB_ "Microsoft.Compute/virtualMachines/sql01-old\"}}]}";
    vp_test_body b = {"subscriptions/s1/vaults/v1/backupProtectedItems.json", body, NULL};
    vp_snapshot *s = NULL;
    vp_error e = {0};
    ck_assert_msg(vp_test_normalize(&b, 1, &s, &e) == VP_OK, "%s", e.message);
    ck_assert_int_eq(s->item_count, 2);
    const vp_item *web = strstr(s->items[0].id, "web01") ? &s->items[0] : &s->items[1];
    const vp_item *sql = web == &s->items[0] ? &s->items[1] : &s->items[0];

    ck_assert_str_eq(web->name, "VM;iaasvmcontainerv2;rg;web01");
    ck_assert_str_eq(web->friendly_name.value, "web01");
    ck_assert_str_eq(web->container.value, "iaasvmcontainerv2;rg;web01");
    ck_assert_str_eq(web->source_resource_id.value, SUB_ "Microsoft.Compute/virtualMachines/web01");
    ck_assert_str_eq(web->vm_id.value, SUB_ "Microsoft.Compute/virtualMachines/web01"); /* URL spelling: the id */
    ck_assert(within(web->name, web->id));
    ck_assert(within(web->friendly_name.value, web->id));
    ck_assert(within(web->container.value, web->id));
    ck_assert_ptr_eq(web->vm_id.value, web->source_resource_id.value);

    ck_assert_str_eq(sql->friendly_name.value, "EPICDB"); /* the id has it in lower case: a copy */
    ck_assert(!within(sql->friendly_name.value, sql->id));
    ck_assert_str_eq(sql->container.value, "VMAppContainer;Compute;rg;sql01");
    ck_assert(!within(sql->container.value, sql->id));
    ck_assert_str_eq(sql->vm_id.value, SUB_ "Microsoft.Compute/virtualMachines/sql01-old");
    ck_assert(within(sql->name, sql->id));
    vp_snapshot_free(s);
#undef VAULT_
#undef SUB_
}
END_TEST

START_TEST(sorted_and_deterministic)
{
    for (size_t i = 1; i < snap->item_count; i++)
        ck_assert_int_lt(strcasecmp(snap->items[i - 1].id, snap->items[i].id), 0);
    char *a = vp_test_snapshot_json(snap);
    /* feed the same bodies in reverse order: the snapshot must not change */
    static const char *const names[] = {"vms.json", "items.json", "policies.json", "vault-configs.json", "vaults.json",
                                        "subscriptions.json"};
    vp_test_body b[6];
    vp_snapshot *again = NULL;
    vp_error e = {0};
    for (int i = 0; i < 6; i++)
        b[i] = (vp_test_body){names[i], bodies[5 - i], NULL};
    ck_assert_int_eq(vp_test_normalize(b, 6, &again, &e), VP_OK);
    char *c = vp_test_snapshot_json(again);
    ck_assert_str_eq(a, c);
    free(a);
    free(c);
    vp_snapshot_free(again);
}
END_TEST

START_TEST(duplicates_keep_first)
{
    const char *one = "{\"id\":\"/subscriptions/s/resourceGroups/r/providers/Microsoft.RecoveryServices/vaults/v\",\"type\":\"Microsoft.RecoveryServices/vaults\",\"location\":\"eastus\",\"properties\":{\"securitySettings\":{\"immutabilitySettings\":{\"state\":\"Locked\"}}}}";
    const char *two = "[{\"id\":\"/SUBSCRIPTIONS/s/resourceGroups/r/providers/Microsoft.RecoveryServices/vaults/V\",\"type\":\"Microsoft.RecoveryServices/vaults\",\"location\":\"eastus\",\"properties\":{\"securitySettings\":{\"immutabilitySettings\":{\"state\":\"Disabled\"}}}}]";
    vp_test_body b[] = {{"a.json", one, NULL}, {"b.json", two, NULL}};
    vp_snapshot *s = NULL;
    vp_error e = {0};
    ck_assert_int_eq(vp_test_normalize(b, 2, &s, &e), VP_OK);
    ck_assert_int_eq(s->vault_count, 1);
    ck_assert_str_eq(s->vaults[0].immutability.value, "Locked");
    ck_assert_str_eq(s->collection.warnings[0].code, "duplicate-resource");
    ck_assert_str_eq(s->collection.warnings[0].file, "b.json");
    vp_snapshot_free(s);
}
END_TEST

START_TEST(type_errors_name_file_and_pointer)
{
    static const struct {
        const char *body, *message;
    } cases[] = {
        {"{\"value\": {\"id\": 1}}", "x.json: /value: expected an array, found an object"},
        {"{\"value\": [7]}", "x.json: /value/0: expected a resource object, found a number"},
        {"[{\"type\": \"Microsoft.RecoveryServices/vaults\", \"id\": 5}]", "x.json: /0/id: expected a string, found a number"},
        {"[{\"type\": \"Microsoft.RecoveryServices/vaults\", \"id\": \"/subscriptions/s/resourceGroups/r/providers/Microsoft.RecoveryServices/vaults/v\", \"properties\": []}]",
         "x.json: /0/properties: expected an object, found an array"},
        {"{\"value\": [{\"type\": \"Microsoft.RecoveryServices/vaults/backupPolicies\", \"id\": \"/subscriptions/s/resourceGroups/r/providers/Microsoft.RecoveryServices/vaults/v/backupPolicies/p\", "
         "\"properties\": {\"retentionPolicy\": {\"retentionPolicyType\": \"SimpleRetentionPolicy\", \"retentionDuration\": {\"count\": \"30\", \"durationType\": \"Days\"}}}}]}",
         "x.json: /value/0/properties/retentionPolicy/retentionDuration/count: expected an integer, found a string"},
        {"{\"value\": [{\"type\": \"Microsoft.RecoveryServices/vaults/backupPolicies\", \"id\": \"/subscriptions/s/resourceGroups/r/providers/Microsoft.RecoveryServices/vaults/v/backupPolicies/p\", "
         "\"properties\": {\"retentionPolicy\": {\"retentionPolicyType\": \"SimpleRetentionPolicy\", \"retentionDuration\": {\"count\": 1e300, \"durationType\": \"Days\"}}}}]}",
         "retentionDuration/count: expected an integer from 0 to 2147483647, found 1e+300"},
        {"[{\"type\": \"Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems\", \"id\": \"/subscriptions/s/resourceGroups/r/providers/Microsoft.RecoveryServices/vaults/v/backupFabrics/Azure/protectionContainers/c/protectedItems/i\", "
         "\"properties\": {\"lastBackupTime\": \"yesterday\"}}]",
         "x.json: /0/properties/lastBackupTime: 'yesterday'; expected an RFC 3339 time"},
        {"[{\"type\": \"Microsoft.Compute/virtualMachines\", \"id\": \"/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/virtualMachines/vm\", \"tags\": {\"a\": 1}}]",
         "x.json: /0/tags/a: expected a string tag value, found a number"},
        {"\"just a string\"", "x.json: (document root): expected an ARM list"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vp_test_body b = {"x.json", cases[i].body, NULL};
        vp_snapshot *s = NULL;
        vp_error e = {0};
        ck_assert_int_eq(vp_test_normalize(&b, 1, &s, &e), VP_ERR_INPUT);
        ck_assert_ptr_null(s);
        ck_assert_msg(strstr(e.message, cases[i].message), "case %zu: '%s' lacks '%s'", i, e.message, cases[i].message);
    }
}
END_TEST

Suite *normalize_suite(void)
{
    Suite *s = suite_create("normalize");
    TCase *tc = tcase_create("fixtures");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, vault_fields_and_sources);
    tcase_add_test(tc, absent_is_not_disabled);
    tcase_add_test(tc, unknown_enums_kept_and_flagged);
    tcase_add_test(tc, item_kinds);
    tcase_add_test(tc, item_fields);
    tcase_add_test(tc, item_strings_kept_once);
    tcase_add_test(tc, links_are_case_insensitive);
    tcase_add_test(tc, nulls_anywhere);
    tcase_add_test(tc, policy_shapes);
    tcase_add_test(tc, policy_unknown_retention);
    tcase_add_test(tc, regions_and_subscriptions);
    tcase_add_test(tc, sorted_and_deterministic);
    suite_add_tcase(s, tc);
    TCase *t2 = tcase_create("inline");
    tcase_add_test(t2, duplicates_keep_first);
    tcase_add_test(t2, type_errors_name_file_and_pointer);
    suite_add_tcase(s, t2);
    return s;
}
