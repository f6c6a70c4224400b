/* The collector on the payload shapes issue 13 found in Microsoft's examples
 * (tests/data/azure/, SOURCES.md names each): vault security members at current
 * api-versions, "Invalid" redundancy, proxies whose id is no ARM path, resources
 * without `type`, backup engines, soft-deleted vaults, resource guards and the calls
 * completeness expects for them. Registered in completeness_suite. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect/internal.h"
#include "vaultproof/fileio.h"
#include "vaultproof/worm.h"
#include "vp_test.h"

#define SUB7 "77777777-b0c6-47a2-b37c-d8e65a629c18"
#define IMM_VAULT "/subscriptions/" SUB7 "/resourceGroups/HelloWorld/providers/Microsoft.RecoveryServices/vaults/swaggerExample"
#define PROXY_SUB "0b352192-dcac-4cc7-992e-a96190ccc68c"
#define PROXY_VAULT "/subscriptions/" PROXY_SUB "/resourceGroups/SampleResourceGroup/providers/Microsoft.RecoveryServices/vaults/sampleVault"
#define GUARD_SUB "c999d45b-944f-418c-a0d8-c3fcfd1802c8"
#define GUARD "/subscriptions/" GUARD_SUB "/resourceGroups/vaultguardRGNew/providers/Microsoft.DataProtection/resourceGuards/VaultGuardTestNew"
#define ENGINE_VAULT "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/testRG/providers/Microsoft.RecoveryServices/vaults/testVault"

static char *azure(const char *name)
{
    return vp_test_data("azure", name);
}

/* A capture sidecar of one page (docs/replay-format.md). */
static char *sidecar(const char *op, const char *scope, const char *path, const char *api, int status,
                     const char *error)
{
    char *buf = malloc(4096);
    snprintf(buf, 4096,
             "{\"format\":\"vaultproof-capture/1\",\"method\":\"GET\",\"url\":\"https://management.azure.com%s%s?api-version=%s\","
             "\"status\":%d,\"requested_at\":\"2026-09-30T02:00:00Z\",\"received_at\":\"2026-09-30T02:00:01Z\",\"retries\":0,"
             "\"headers\":{\"x-ms-request-id\":\"r\",\"x-ms-correlation-request-id\":\"c\",\"date\":null},"
             "\"call\":{\"operation\":\"%s\",\"scope\":\"%s\",\"page\":1,\"next_link\":null,\"complete\":true,\"error\":%s%s%s}}",
             scope, path, api, status, op, scope, error ? "\"" : "", error ? error : "null", error ? "\"" : "");
    return buf;
}

/* A vault list of one vault (the shape of Vaults_ListBySubscriptionId). */
static char *vault_list(const char *id, const char *location, const char *props)
{
    char *buf = malloc(4096);
    snprintf(buf, 4096, "{\"value\":[{\"id\":\"%s\",\"type\":\"Microsoft.RecoveryServices/vaults\",\"location\":\"%s\"%s%s}]}",
             id, location, props ? ",\"properties\":" : "", props ? props : "");
    return buf;
}

/* vp_test_normalize with a scope and deleted-vault locations. */
static vp_status run(const vp_test_body *bodies, size_t count, const char *const *subs, size_t nsubs,
                     const char *const *locs, size_t nlocs, vp_snapshot **out, vp_error *err)
{
    vp_worm_catalog *worm = NULL;
    vp_normalizer *norm = NULL;
    vp_collect_options opt = {0};
    char sidecar_path[512];
    vp_status st;
    *out = NULL;
    ck_assert_int_eq(vp_worm_catalog_builtin(&worm, err), VP_OK);
    opt.source_kind = "replay";
    opt.input = "test";
    opt.worm = worm;
    opt.clock.epoch = 1790000000;
    opt.clock.pinned = 1;
    opt.subscriptions = subs;
    opt.subscription_count = nsubs;
    opt.deleted_vault_locations = locs;
    opt.deleted_vault_location_count = nlocs;
    ck_assert_int_eq(vp_normalizer_new(&opt, &norm, err), VP_OK);
    for (size_t i = 0; i < count; i++) {
        const vp_test_body *b = &bodies[i];
        snprintf(sidecar_path, sizeof sidecar_path, "%s.meta.json", b->path);
        st = vp_normalizer_add(norm, b->path, b->body, strlen(b->body), b->sidecar ? sidecar_path : NULL, b->sidecar,
                               b->sidecar ? strlen(b->sidecar) : 0, err);
        if (st) {
            vp_normalizer_free(norm);
            vp_worm_catalog_free(worm);
            return st;
        }
    }
    st = vp_normalizer_finish(norm, out, err);
    vp_worm_catalog_free(worm);
    return st;
}

static const vp_list_call *call(const vp_snapshot *s, const char *op, const char *scope)
{
    for (size_t i = 0; i < s->collection.list_count; i++)
        if (!strcmp(s->collection.lists[i].operation, op) && !strcasecmp(s->collection.lists[i].scope, scope))
            return &s->collection.lists[i];
    return NULL;
}

static const vp_warning *warning(const vp_snapshot *s, const char *code, const char *file)
{
    for (size_t i = 0; i < s->collection.warning_count; i++) {
        const vp_warning *w = &s->collection.warnings[i];
        if (!strcmp(w->code, code) && (!file || (w->file && !strcmp(w->file, file))))
            return w;
    }
    return NULL;
}

START_TEST(vault_security_members_by_api_version)
{
    char *imm = azure("PATCHVault_WithImmutabilityConfig.json"), *scan = azure("PUTVault_WithSourceScanConfiguration.json");
    char *sc_imm = sidecar("vaults", "/subscriptions/" SUB7, "/providers/Microsoft.RecoveryServices/vaults", "2026-08-01", 200, NULL);
    vp_test_body b[] = {{"imm.json", imm, sc_imm}};
    vp_snapshot *s = NULL;
    vp_error e = {0};
    ck_assert_msg(run(b, 1, NULL, 0, NULL, 0, &s, &e) == VP_OK, "%s", e.message);
    const vp_vault *v = vp_snapshot_find_vault(s, IMM_VAULT);
    ck_assert_ptr_nonnull(v);
    ck_assert_str_eq(v->api_version, "2026-08-01");
    ck_assert_int_eq(v->security_settings, VP_PRESENT);
    ck_assert_int_eq(v->immutability_settings, VP_PRESENT);
    ck_assert_str_eq(v->immutability.value, "Unlocked");
    ck_assert_str_eq(v->immutability_type.value, "TimeBased");
    ck_assert_int_eq(v->immutability_type.unknown, 0);
    ck_assert_int_eq(v->immutability_days.presence, VP_PRESENT);
    ck_assert_int_eq(v->immutability_days.value, 30);
    ck_assert_int_eq(v->source_scan.presence, VP_ABSENT);
    vp_snapshot_free(s);

    /* securitySettings without immutabilitySettings: never configured; offline: no api-version */
    vp_test_body b2[] = {{"scan.json", scan, NULL}};
    ck_assert_msg(run(b2, 1, NULL, 0, NULL, 0, &s, &e) == VP_OK, "%s", e.message);
    v = &s->vaults[0];
    ck_assert_ptr_null(v->api_version);
    ck_assert_int_eq(v->security_settings, VP_PRESENT);
    ck_assert_int_eq(v->immutability_settings, VP_ABSENT);
    ck_assert_int_eq(v->immutability.presence, VP_ABSENT);
    ck_assert_int_eq(v->immutability_type.presence, VP_ABSENT);
    ck_assert_str_eq(v->source_scan.value, "Enabled");
    vp_snapshot_free(s);

    /* no securitySettings at all, and a null one */
    char *bare = vault_list(IMM_VAULT, "westus", "{\"provisioningState\":\"Succeeded\"}");
    char *nul = vault_list(IMM_VAULT, "westus", "{\"securitySettings\":null}");
    vp_test_body b3[] = {{"bare.json", bare, NULL}};
    ck_assert_msg(run(b3, 1, NULL, 0, NULL, 0, &s, &e) == VP_OK, "%s", e.message);
    ck_assert_int_eq(s->vaults[0].security_settings, VP_ABSENT);
    ck_assert_int_eq(s->vaults[0].immutability_settings, VP_ABSENT);
    vp_snapshot_free(s);
    b3[0].body = nul;
    ck_assert_msg(run(b3, 1, NULL, 0, NULL, 0, &s, &e) == VP_OK, "%s", e.message);
    ck_assert_int_eq(s->vaults[0].security_settings, VP_NULL);
    vp_snapshot_free(s);

    /* a duration outside the documented 30..36135 days is invalid input */
    char *bad = vault_list(IMM_VAULT, "westus",
                           "{\"securitySettings\":{\"immutabilitySettings\":{\"configuration\":{\"type\":\"TimeBased\",\"durationInDays\":7}}}}");
    b3[0].body = bad;
    ck_assert_int_eq(run(b3, 1, NULL, 0, NULL, 0, &s, &e), VP_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(e.message, "/value/0/properties/securitySettings/immutabilitySettings/configuration/durationInDays"));
    free(imm), free(scan), free(sc_imm), free(bare), free(nul), free(bad);
}
END_TEST

START_TEST(invalid_redundancy_falls_back_to_storage_config)
{
    char *vl = vault_list(IMM_VAULT, "westus", "{\"redundancySettings\":{\"standardTierStorageRedundancy\":\"Invalid\","
                                               "\"crossRegionRestore\":\"Disabled\"}}");
    const char *sc = "{\"id\":\"" IMM_VAULT "/backupstorageconfig/vaultstorageconfig\","
                     "\"type\":\"Microsoft.RecoveryServices/vaults/backupstorageconfig\","
                     "\"properties\":{\"storageType\":\"GeoRedundant\",\"storageTypeState\":\"Locked\",\"crossRegionRestoreFlag\":false}}";
    vp_test_body b[] = {{"vaults.json", vl, NULL}, {"storage.json", sc, NULL}};
    vp_snapshot *s = NULL;
    vp_error e = {0};
    ck_assert_msg(run(b, 2, NULL, 0, NULL, 0, &s, &e) == VP_OK, "%s", e.message);
    const vp_vault *v = &s->vaults[0];
    ck_assert_str_eq(v->storage_redundancy.value, "GeoRedundant");
    ck_assert_int_eq(v->storage_redundancy.origin, VP_ORIGIN_STORAGECONFIG);
    ck_assert_str_eq(v->cross_region_restore.value, "Disabled"); /* the vault's own, reported */
    ck_assert_int_eq(v->cross_region_restore.origin, VP_ORIGIN_SELF);
    const vp_warning *w = warning(s, "invalid-redundancy", "vaults.json");
    ck_assert_ptr_nonnull(w);
    ck_assert_str_eq(w->pointer, "/value/0/properties/redundancySettings/standardTierStorageRedundancy");
    vp_snapshot_free(s);

    /* backupstorageconfig says Invalid too: nothing better, the vault's own stays */
    const char *sc_inv = "{\"id\":\"" IMM_VAULT "/backupstorageconfig/vaultstorageconfig\","
                         "\"type\":\"Microsoft.RecoveryServices/vaults/backupstorageconfig\","
                         "\"properties\":{\"storageType\":\"Invalid\"}}";
    vp_test_body b1[] = {{"vaults.json", vl, NULL}, {"storage.json", sc_inv, NULL}};
    ck_assert_msg(run(b1, 2, NULL, 0, NULL, 0, &s, &e) == VP_OK, "%s", e.message);
    ck_assert_int_eq(s->vaults[0].storage_redundancy.origin, VP_ORIGIN_SELF);
    ck_assert_ptr_null(warning(s, "invalid-redundancy", NULL));
    vp_snapshot_free(s);

    /* nothing in backupstorageconfig: the vault's verbatim value stays */
    vp_test_body b2[] = {{"vaults.json", vl, NULL}};
    ck_assert_msg(run(b2, 1, NULL, 0, NULL, 0, &s, &e) == VP_OK, "%s", e.message);
    ck_assert_str_eq(s->vaults[0].storage_redundancy.value, "Invalid");
    ck_assert_int_eq(s->vaults[0].storage_redundancy.origin, VP_ORIGIN_SELF);
    ck_assert_ptr_null(warning(s, "invalid-redundancy", NULL));
    vp_snapshot_free(s);
    free(vl);
}
END_TEST

START_TEST(orphans_warn_and_count)
{
    char *vl = vault_list(IMM_VAULT, "westus", NULL);
    const char *sc = "{\"id\":\"/subscriptions/" SUB7 "/resourceGroups/HelloWorld/providers/Microsoft.RecoveryServices/vaults/gone"
                     "/backupstorageconfig/vaultstorageconfig\",\"type\":\"Microsoft.RecoveryServices/vaults/backupstorageconfig\","
                     "\"properties\":{\"storageType\":\"GeoRedundant\"}}";
    const char *vc = "{\"id\":\"/subscriptions/" SUB7 "/resourceGroups/HelloWorld/providers/Microsoft.RecoveryServices/vaults/gone"
                     "/backupconfig/vaultconfig\",\"type\":\"Microsoft.RecoveryServices/vaults/backupconfig\","
                     "\"properties\":{\"softDeleteFeatureState\":\"Enabled\"}}";
    vp_test_body b[] = {{"vaults.json", vl, NULL}, {"storage.json", sc, NULL}, {"config.json", vc, NULL}};
    vp_snapshot *s = NULL;
    vp_error e = {0};
    ck_assert_msg(run(b, 3, NULL, 0, NULL, 0, &s, &e) == VP_OK, "%s", e.message);
    ck_assert_ptr_nonnull(warning(s, "orphan-resource", "storage.json"));
    ck_assert_ptr_nonnull(warning(s, "orphan-resource", "config.json"));
    ck_assert_int_eq(s->collection.ignored_resources, 2);
    vp_snapshot_free(s);

    /* outside the --subscription scope: left out as out of scope, not as orphans */
    const char *const other[] = {"99999999-0000-0000-0000-000000000000"};
    ck_assert_msg(run(b, 3, other, 1, NULL, 0, &s, &e) == VP_OK, "%s", e.message);
    ck_assert_ptr_null(warning(s, "orphan-resource", NULL));
    ck_assert_int_eq(s->collection.ignored_resources, 0);
    vp_snapshot_free(s);
    free(vl);
}
END_TEST

START_TEST(proxy_without_arm_id_goes_to_the_vault_that_returned_it)
{
    char *vl = vault_list(PROXY_VAULT, "eastus", NULL), *proxies = azure("ListResourceGuardProxy.json");
    char *sc = sidecar("backupResourceGuardProxies", PROXY_VAULT, "/backupResourceGuardProxies", "2026-02-01", 200, NULL);
    vp_snapshot *s = NULL;
    vp_error e = {0};

    /* 1. the sidecar's scope names the vault */
    vp_test_body b[] = {{"vaults.json", vl, NULL}, {"x/proxies.json", proxies, sc}};
    ck_assert_msg(run(b, 2, NULL, 0, NULL, 0, &s, &e) == VP_OK, "%s", e.message);
    ck_assert_int_eq(s->vaults[0].guard_count, 1);
    ck_assert_str_eq(s->vaults[0].guards[0].id, "/backupmanagement/resources/sampleVault/backupResourceGuardProxies/swaggerExample");
    ck_assert_str_eq(s->vaults[0].guards[0].resource_guard_id, GUARD);
    ck_assert_int_eq(s->vaults[0].lists[VP_ARM_LIST_GUARDS], VP_LIST_COMPLETE);
    vp_snapshot_free(s);

    /* 2. offline, in the recommended layout (names compared ignoring case) */
    b[1] = (vp_test_body){"subscriptions/" PROXY_SUB "/vaults/SAMPLEVAULT/backupResourceGuardProxies.json", proxies, NULL};
    ck_assert_msg(run(b, 2, NULL, 0, NULL, 0, &s, &e) == VP_OK, "%s", e.message);
    ck_assert_int_eq(s->vaults[0].guard_count, 1);
    ck_assert_int_eq(s->vaults[0].lists[VP_ARM_LIST_GUARDS], VP_LIST_UNVERIFIED);
    ck_assert_ptr_null(warning(s, "orphan-resource", NULL));
    vp_snapshot_free(s);

    /* two such proxies in one body evidence one call of one page */
    const char *two = "[{\"id\":\"/backupmanagement/resources/sampleVault/backupResourceGuardProxies/a\","
                      "\"type\":\"Microsoft.RecoveryServices/vaults/backupResourceGuardProxies\",\"properties\":{}},"
                      "{\"id\":\"/backupmanagement/resources/sampleVault/backupResourceGuardProxies/b\","
                      "\"type\":\"Microsoft.RecoveryServices/vaults/backupResourceGuardProxies\",\"properties\":{}}]";
    b[1] = (vp_test_body){"subscriptions/" PROXY_SUB "/vaults/sampleVault/backupResourceGuardProxies.json", two, NULL};
    ck_assert_msg(run(b, 2, NULL, 0, NULL, 0, &s, &e) == VP_OK, "%s", e.message);
    ck_assert_int_eq(s->vaults[0].guard_count, 2);
    ck_assert_int_eq(call(s, "backupResourceGuardProxies", PROXY_VAULT)->pages, 1);
    vp_snapshot_free(s);

    /* 3. offline, nothing says which vault: warned and counted, never silently dropped */
    b[1] = (vp_test_body){"export/proxies.json", proxies, NULL};
    ck_assert_msg(run(b, 2, NULL, 0, NULL, 0, &s, &e) == VP_OK, "%s", e.message);
    ck_assert_int_eq(s->vaults[0].guard_count, 0);
    ck_assert_int_eq(s->vaults[0].lists[VP_ARM_LIST_GUARDS], VP_LIST_MISSING);
    const vp_warning *w = warning(s, "orphan-resource", "export/proxies.json");
    ck_assert_ptr_nonnull(w);
    ck_assert_str_eq(w->pointer, "/value/0");
    ck_assert_int_eq(s->collection.ignored_resources, 1);
    vp_snapshot_free(s);
    free(vl), free(proxies), free(sc);
}
END_TEST

START_TEST(classified_by_id_without_type)
{
    char *vms = azure("VirtualMachine_ListAll_MinimumSet_Gen.json");
    vp_test_body b[] = {{"vms.json", vms, NULL}};
    vp_snapshot *s = NULL;
    vp_error e = {0};
    ck_assert_msg(run(b, 1, NULL, 0, NULL, 0, &s, &e) == VP_OK, "%s", e.message);
    ck_assert_int_eq(s->vm_count, 2);
    ck_assert_int_eq(s->collection.ignored_resources, 0);
    ck_assert_str_eq(s->vms[0].name, "vm-min-1");
    ck_assert_ptr_null(s->vms[0].type); /* not reported: the id told the kind, not the API */
    vp_snapshot_free(s);

    /* the rule, on ids: provider path of a type in the ARM table, nothing after */
    static const struct {
        const char *id;
        int op; /* -1: not read */
    } cases[] = {
        {"/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/virtualMachines/vm", VP_ARM_VIRTUAL_MACHINES},
        {"/subscriptions/s/resourceGroups/r/providers/microsoft.compute/VIRTUALMACHINES/vm", VP_ARM_VIRTUAL_MACHINES},
        {"https://management.azure.com/subscriptions/s/resourceGroups/r/providers/Microsoft.RecoveryServices/vaults/v",
         VP_ARM_VAULTS},
        {"/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/virtualMachines/vm/extensions/x", -1},
        {"/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/virtualMachines/", -1},
        {"/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/virtualMachines", -1},
        {"/subscriptions/s/resourceGroups/r/providers/Microsoft.RecoveryServices/vaults/v/backupPolicies/p",
         VP_ARM_BACKUP_POLICIES},
        {"/subscriptions/s/providers/Microsoft.RecoveryServices/locations/westus/deletedVaults/d", VP_ARM_DELETED_VAULTS},
        {"/backupmanagement/resources/v/backupResourceGuardProxies/p", -1},
        {"/subscriptions/s/resourceGroups/r/providers/Microsoft.Storage/storageAccounts/a", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *res = cJSON_CreateObject();
        cJSON_AddStringToObject(res, "id", cases[i].id);
        const vp_arm_operation *a = vpo_classify(res, NULL);
        if (cases[i].op < 0)
            ck_assert_msg(a == NULL, "%s classified as %s", cases[i].id, a ? a->name : "");
        else
            ck_assert_msg(a && a->op == (vp_arm_op)cases[i].op, "%s: %s", cases[i].id, a ? a->name : "nothing");
        cJSON_Delete(res);
    }
    free(vms);
}
END_TEST

START_TEST(subscription_scope_expects_its_calls)
{
    /* --subscription named, nothing of it read (e.g. its vault list was not understood) */
    const char *const subs[] = {SUB7};
    const char *body = "{\"value\":[]}";
    vp_test_body b[] = {{"empty.json", body, NULL}};
    vp_snapshot *s = NULL;
    vp_error e = {0};
    ck_assert_msg(run(b, 1, subs, 1, NULL, 0, &s, &e) == VP_OK, "%s", e.message);
    const vp_list_call *l = call(s, "vaults", "/subscriptions/" SUB7);
    ck_assert_ptr_nonnull(l);
    ck_assert_int_eq(l->status, VP_LIST_MISSING);
    ck_assert_ptr_nonnull(call(s, "virtualMachines", "/subscriptions/" SUB7));
    ck_assert_int_eq(s->collection.complete, 0);
    vp_snapshot_free(s);
}
END_TEST

START_TEST(backup_engines)
{
    char *vl = vault_list(ENGINE_VAULT, "eastus", NULL), *engines = azure("BackupEngines_List.json");
    char *sc = sidecar("backupEngines", ENGINE_VAULT, "/backupEngines", "2026-02-01", 200, NULL);
    vp_test_body b[] = {{"vaults.json", vl, NULL}, {"engines.json", engines, sc}};
    vp_snapshot *s = NULL;
    vp_error e = {0};
    ck_assert_msg(run(b, 2, NULL, 0, NULL, 0, &s, &e) == VP_OK, "%s", e.message);
    ck_assert_int_eq(s->engine_count, 2);
    const vp_backup_engine *g = vp_snapshot_find_engine(s, ENGINE_VAULT "/backupEngines/testServer1");
    ck_assert_ptr_nonnull(g);
    ck_assert_int_eq(g->vault_listed, 1); /* "/Subscriptions/" links all the same */
    ck_assert_str_eq(g->subscription_id, "00000000-0000-0000-0000-000000000000");
    ck_assert_str_eq(g->friendly_name.value, "testServer1");
    ck_assert_str_eq(g->engine_type.value, "DpmBackupEngine");
    ck_assert_str_eq(g->registration_status.value, "Registered");
    ck_assert_str_eq(g->engine_state.value, "Active");
    ck_assert_str_eq(g->dpm_version.value, "5.1.348.0");
    ck_assert_str_eq(g->agent_version.value, "2.0.9532.0");
    ck_assert_int_eq(g->protected_items_count.value, 35);
    ck_assert_int_eq(g->protected_servers_count.value, 21);
    ck_assert_int_eq(g->management_type.presence, VP_ABSENT);
    ck_assert_int_eq(g->refreshed_at.presence, VP_ABSENT);
    ck_assert_str_eq(g->source.file, "engines.json");
    ck_assert_str_eq(g->source.pointer, "/value/0");
    ck_assert_int_eq(s->vaults[0].engine_count, 2);
    ck_assert_int_eq(s->vaults[0].lists[VP_ARM_LIST_ENGINES], VP_LIST_COMPLETE);
    ck_assert_ptr_nonnull(call(s, "backupEngines", ENGINE_VAULT));
    vp_snapshot_free(s);

    /* a sidecar scope spelled as a URL names the same call */
    char *url_sc = malloc(strlen(sc) + 64);
    const char *at = strstr(sc, "\"scope\":\"") + 9;
    sprintf(url_sc, "%.*shttps://management.azure.com%s", (int)(at - sc), sc, at);
    b[1].sidecar = url_sc;
    ck_assert_msg(run(b, 2, NULL, 0, NULL, 0, &s, &e) == VP_OK, "%s", e.message);
    ck_assert_int_eq(s->vaults[0].lists[VP_ARM_LIST_ENGINES], VP_LIST_COMPLETE);
    vp_snapshot_free(s);
    free(url_sc);

    /* an engine type outside the enum is kept and flagged; a vault out of scope drops its engines */
    char *odd = strdup(engines);
    memcpy(strstr(odd, "DpmBackupEngine"), "DpmBackupEngin3", 15);
    b[1] = (vp_test_body){"engines.json", odd, NULL};
    ck_assert_msg(run(b, 2, NULL, 0, NULL, 0, &s, &e) == VP_OK, "%s", e.message);
    ck_assert_int_eq(s->engines[0].engine_type.unknown, 1);
    ck_assert_int_eq(s->vaults[0].lists[VP_ARM_LIST_ENGINES], VP_LIST_UNVERIFIED);
    vp_snapshot_free(s);
    const char *const other[] = {SUB7};
    ck_assert_msg(run(b, 2, other, 1, NULL, 0, &s, &e) == VP_OK, "%s", e.message);
    ck_assert_int_eq(s->engine_count, 0);
    vp_snapshot_free(s);
    free(vl), free(engines), free(sc), free(odd);
}
END_TEST

START_TEST(deleted_vaults_and_their_expected_calls)
{
    char *vl = vault_list(IMM_VAULT, "West US", NULL), *deleted = azure("DeletedVaults_ListBySubscriptionId.json");
    const char *const locs[] = {"West Europe"};
    vp_test_body b[] = {{"vaults.json", vl, NULL}, {"deleted.json", deleted, NULL}};
    vp_snapshot *s = NULL;
    vp_error e = {0};
    ck_assert_msg(run(b, 2, NULL, 0, locs, 1, &s, &e) == VP_OK, "%s", e.message);
    ck_assert_int_eq(s->deleted_vault_count, 2);
    const vp_deleted_vault *d = &s->deleted_vaults[0];
    ck_assert_str_eq(d->name, "swaggerExample1");
    ck_assert_str_eq(d->location, "westus");
    ck_assert_str_eq(d->subscription_id, SUB7);
    ck_assert_str_eq(d->deletion_time.value, "2024-09-20T09:49:46Z");
    ck_assert_str_eq(d->purge_at.value, "2024-10-20T09:49:46Z");
    const char *gone = "/subscriptions/" SUB7 "/resourceGroups/Default-RecoveryServices-ResourceGroup/providers/"
                       "Microsoft.RecoveryServices/vaults/swaggerExample2";
    ck_assert_ptr_eq(vp_snapshot_find_deleted_vault(s, gone), &s->deleted_vaults[1]);
    /* one call per location of the subscription's vaults ("West US" is westus), plus the configured ones */
    const vp_list_call *l = call(s, "deletedVaults", "/subscriptions/" SUB7 "/providers/Microsoft.RecoveryServices/locations/westus");
    ck_assert_ptr_nonnull(l);
    ck_assert_int_eq(l->status, VP_LIST_UNVERIFIED);
    ck_assert_int_eq(l->pages, 1);
    l = call(s, "deletedVaults", "/subscriptions/" SUB7 "/providers/Microsoft.RecoveryServices/locations/westeurope");
    ck_assert_ptr_nonnull(l);
    ck_assert_int_eq(l->status, VP_LIST_MISSING);
    size_t n = 0;
    for (size_t i = 0; i < s->collection.list_count; i++)
        n += !strcmp(s->collection.lists[i].operation, "deletedVaults");
    ck_assert_int_eq(n, 2);
    vp_snapshot_free(s);

    /* URL-spelled vaultId is normalized; out of the subscription scope, left out */
    char *url = malloc(strlen(deleted) + 64);
    const char *p = strstr(deleted, "\"vaultId\": \"") + 12;
    sprintf(url, "%.*shttps://management.azure.com%s", (int)(p - deleted), deleted, p);
    b[1].body = url;
    ck_assert_msg(run(b, 2, NULL, 0, NULL, 0, &s, &e) == VP_OK, "%s", e.message);
    ck_assert_str_eq(s->deleted_vaults[0].vault_id.value, "/subscriptions/" SUB7 "/resourceGroups/Default-RecoveryServices-"
                                                          "ResourceGroup/providers/Microsoft.RecoveryServices/vaults/swaggerExample1");
    vp_snapshot_free(s);
    const char *const other[] = {PROXY_SUB};
    ck_assert_msg(run(b, 2, other, 1, NULL, 0, &s, &e) == VP_OK, "%s", e.message);
    ck_assert_int_eq(s->deleted_vault_count, 0);
    vp_snapshot_free(s);
    free(vl), free(deleted), free(url);
}
END_TEST

START_TEST(resource_guards_read_unreadable_missing_out_of_scope)
{
    char *vl = vault_list(PROXY_VAULT, "eastus", NULL), *proxies = azure("ListResourceGuardProxy.json");
    char *guard = azure("GetResourceGuard.json");
    char *sp = sidecar("backupResourceGuardProxies", PROXY_VAULT, "/backupResourceGuardProxies", "2026-02-01", 200, NULL);
    char *sg = sidecar("resourceGuards", GUARD, "", "2025-09-01", 200, NULL);
    char *s403 = sidecar("resourceGuards", GUARD, "", "2025-09-01", 403, "AuthorizationFailed");
    const char *err403 = "{\"error\":{\"code\":\"AuthorizationFailed\",\"message\":\"no access\"}}";
    vp_snapshot *s = NULL;
    vp_error e = {0};

    /* read */
    vp_test_body b[] = {{"vaults.json", vl, NULL}, {"proxies.json", proxies, sp}, {"guard.json", guard, sg}};
    ck_assert_msg(run(b, 3, NULL, 0, NULL, 0, &s, &e) == VP_OK, "%s", e.message);
    ck_assert_int_eq(s->resource_guard_count, 1);
    const vp_resource_guard *g = vp_snapshot_find_resource_guard(s, GUARD);
    ck_assert_ptr_nonnull(g);
    ck_assert_str_eq(g->status, "read");
    ck_assert_ptr_null(g->detail);
    ck_assert_str_eq(g->name, "ResourceGuardTestNew");
    ck_assert_str_eq(g->subscription_id, GUARD_SUB);
    ck_assert_str_eq(g->resource_group, "vaultguardRGNew");
    ck_assert_str_eq(g->location.value, "eastus");
    ck_assert_str_eq(g->provisioning_state.value, "Succeeded");
    ck_assert_int_eq(g->allow_auto_approvals.presence, VP_PRESENT);
    ck_assert_int_eq(g->allow_auto_approvals.value, 1);
    ck_assert_int_eq(g->operation_count, 2);
    ck_assert_str_eq(g->operations[1], "Microsoft.RecoveryServices/vaults/backupconfig/write");
    ck_assert_int_eq(g->exclusions_presence, VP_PRESENT);
    ck_assert_int_eq(g->exclusion_count, 0);
    ck_assert_str_eq(g->source.file, "guard.json");
    ck_assert_int_eq(call(s, "resourceGuards", GUARD)->status, VP_LIST_COMPLETE);
    vp_snapshot_free(s);

    /* unreadable: the GET answered 403 */
    b[2] = (vp_test_body){"guard.json", err403, s403};
    ck_assert_msg(run(b, 3, NULL, 0, NULL, 0, &s, &e) == VP_OK, "%s", e.message);
    g = vp_snapshot_find_resource_guard(s, GUARD);
    ck_assert_ptr_nonnull(g);
    ck_assert_str_eq(g->status, "unreadable");
    ck_assert_ptr_nonnull(strstr(g->detail, "HTTP 403"));
    ck_assert_ptr_nonnull(strstr(g->detail, "AuthorizationFailed"));
    ck_assert_ptr_null(g->source.file);
    vp_snapshot_free(s);

    /* answered 200 with something that is no guard: missing, and says so */
    b[2] = (vp_test_body){"guard.json", "{\"properties\":{}}", sg};
    ck_assert_msg(run(b, 3, NULL, 0, NULL, 0, &s, &e) == VP_OK, "%s", e.message);
    g = vp_snapshot_find_resource_guard(s, GUARD);
    ck_assert_str_eq(g->status, "missing");
    ck_assert_str_eq(g->detail, "its GET was answered but returned no resource guard");
    vp_snapshot_free(s);

    /* missing: expected, no response */
    ck_assert_msg(run(b, 2, NULL, 0, NULL, 0, &s, &e) == VP_OK, "%s", e.message);
    g = vp_snapshot_find_resource_guard(s, GUARD);
    ck_assert_str_eq(g->status, "missing");
    ck_assert_str_eq(g->detail, "no response found for this call");
    ck_assert_str_eq(g->name, "VaultGuardTestNew");
    ck_assert_int_eq(call(s, "resourceGuards", GUARD)->status, VP_LIST_MISSING);
    vp_snapshot_free(s);

    /* out of scope: the guard's subscription is not one of --subscription; not expected */
    const char *const subs[] = {PROXY_SUB};
    ck_assert_msg(run(b, 2, subs, 1, NULL, 0, &s, &e) == VP_OK, "%s", e.message);
    g = vp_snapshot_find_resource_guard(s, GUARD);
    ck_assert_str_eq(g->status, "out-of-scope");
    ck_assert_ptr_nonnull(strstr(g->detail, GUARD_SUB));
    ck_assert_ptr_null(call(s, "resourceGuards", GUARD));
    vp_snapshot_free(s);

    /* read offline, but no proxy names it: left out, warned and counted */
    vp_test_body b2[] = {{"vaults.json", vl, NULL}, {"guard.json", guard, NULL}};
    ck_assert_msg(run(b2, 2, NULL, 0, NULL, 0, &s, &e) == VP_OK, "%s", e.message);
    ck_assert_int_eq(s->resource_guard_count, 0);
    ck_assert_ptr_nonnull(warning(s, "orphan-resource", "guard.json"));
    ck_assert_int_eq(s->collection.ignored_resources, 1);
    vp_snapshot_free(s);

    /* a proxy naming the guard by URL, offline: normalized, and the GET reads unverified */
    char *urlp = malloc(strlen(proxies) + 64);
    const char *p = strstr(proxies, "\"resourceGuardResourceId\": \"") + 28;
    sprintf(urlp, "%.*shttps://management.azure.com%s", (int)(p - proxies), proxies, p);
    vp_test_body b3[] = {{"vaults.json", vl, NULL}, {"proxies.json", urlp, sp}, {"guard.json", guard, NULL}};
    ck_assert_msg(run(b3, 3, NULL, 0, NULL, 0, &s, &e) == VP_OK, "%s", e.message);
    ck_assert_str_eq(s->vaults[0].guards[0].resource_guard_id, GUARD);
    ck_assert_str_eq(vp_snapshot_find_resource_guard(s, GUARD)->status, "read");
    ck_assert_int_eq(call(s, "resourceGuards", GUARD)->status, VP_LIST_UNVERIFIED);
    vp_snapshot_free(s);
    free(vl), free(proxies), free(guard), free(sp), free(sg), free(s403), free(urlp);
}
END_TEST

TCase *collect_extras_tcase(void); /* added to completeness_suite (test_completeness.c) */

TCase *collect_extras_tcase(void)
{
    TCase *tc = tcase_create("issue13-shapes");
    tcase_add_test(tc, vault_security_members_by_api_version);
    tcase_add_test(tc, invalid_redundancy_falls_back_to_storage_config);
    tcase_add_test(tc, orphans_warn_and_count);
    tcase_add_test(tc, proxy_without_arm_id_goes_to_the_vault_that_returned_it);
    tcase_add_test(tc, classified_by_id_without_type);
    tcase_add_test(tc, subscription_scope_expects_its_calls);
    tcase_add_test(tc, backup_engines);
    tcase_add_test(tc, deleted_vaults_and_their_expected_calls);
    tcase_add_test(tc, resource_guards_read_unreadable_missing_out_of_scope);
    return tc;
}
