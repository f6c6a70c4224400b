/* Rules over the evidence issue 13 added (immutability never configured, TimeBased
 * immutability, resource guards, backup engines, soft-deleted vaults, WORM source
 * revisions). The snapshots are built here in memory, member by member, as the
 * collector fills them: the rules are judged on the model, not on a collector. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "vaultproof/catalog.h"
#include "vaultproof/config.h"
#include "vaultproof/evaluate.h"
#include "vp_test.h"

#define S1 "/subscriptions/s1"
#define S2 "/subscriptions/s2"
#define S3 "/subscriptions/s3"
#define VAULT(sub, name) sub "/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/" name
#define GUARD(sub, name) sub "/resourceGroups/sec/providers/Microsoft.DataProtection/resourceGuards/" name
#define DELETED_SCOPE(sub, loc) sub "/providers/Microsoft.RecoveryServices/locations/" loc
#define CAPTURED "2026-09-30T02:00:00Z"

#define N 12 /* room for each entity kind */

/* One in-memory snapshot; the arrays are sorted by fix() as vp_snapshot requires. */
typedef struct {
    vp_snapshot s;
    vp_vault vaults[N];
    vp_item items[N];
    vp_list_call lists[4 * N];
    vp_subscription subs[N];
    vp_resource_guard guards[N];
    vp_guard_proxy proxies[N];
    vp_backup_engine engines[N];
    vp_deleted_vault deleted[N];
    vp_region regions[N];
    vp_worm_source worm[N];
    const char *region_sources[N];
} model;

static vp_text text(const char *v)
{
    return (vp_text){.value = v, .presence = VP_PRESENT};
}

static void model_init(model *m)
{
    memset(m, 0, sizeof *m);
    m->s.collection.generated_at = CAPTURED;
    m->s.collection.captured_to = CAPTURED;
    m->s.collection.input = "memory";
    m->s.collection.verified = 1;
    m->s.vaults = m->vaults;
    m->s.items = m->items;
    m->s.collection.lists = m->lists;
    m->s.subscriptions = m->subs;
    m->s.resource_guards = m->guards;
    m->s.engines = m->engines;
    m->s.deleted_vaults = m->deleted;
    m->s.regions = m->regions;
    m->s.worm_sources = m->worm;
}

static void list(model *m, const char *op, const char *scope, vp_list_status st)
{
    ck_assert_int_lt(m->s.collection.list_count, 4 * N);
    m->lists[m->s.collection.list_count++] = (vp_list_call){.operation = op, .scope = scope, .status = st, .pages = 1};
}

static void sub(model *m, const char *id, const char *tenant)
{
    m->subs[m->s.subscription_count++] = (vp_subscription){.id = id, .subscription_id = id + 15, .tenant_id = tenant,
                                                           .listed = 1};
    list(m, "vaults", id, VP_LIST_COMPLETE);
}

/* A vault with every per-vault call complete, Locked, soft delete AlwaysON, one item. */
static vp_vault *vault(model *m, const char *id, const char *sub_id, int items)
{
    vp_vault *v = &m->vaults[m->s.vault_count++];
    v->id = id;
    v->name = strrchr(id, '/') + 1;
    v->subscription_id = sub_id;
    v->location = "switzerlandwest";
    v->api_version = "2026-08-01";
    v->security_settings = VP_PRESENT;
    v->immutability_settings = VP_PRESENT;
    v->immutability = text("Locked");
    v->soft_delete = text("AlwaysON");
    v->soft_delete_days = (vp_num){14, VP_PRESENT, 0};
    v->source = (vp_source){"vaults.json", "/value/0"};
    for (int l = 0; l < VP_ARM_LIST_COUNT; l++)
        v->lists[l] = VP_LIST_COMPLETE;
    for (int k = 0; k < items; k++) {
        vp_item *it = &m->items[m->s.item_count++];
        char buf[512];
        snprintf(buf, sizeof buf, "%s/backupFabrics/Azure/protectionContainers/c/protectedItems/VM;%s-%d", id,
                 v->name, k);
        it->id = strdup(buf); /* freed by model_free */
        it->name = strrchr(it->id, '/') + 1;
        it->vault_id = id;
        it->kind = "azure_vm";
        it->policy_link = "none";
        it->protection_state = text("Protected");
        v->item_count++;
    }
    return v;
}

static void proxy(model *m, vp_vault *v, const char *guard_id)
{
    vp_guard_proxy *p = &m->proxies[v - m->vaults];
    p->id = "proxy";
    p->resource_guard_id = guard_id;
    v->guards = p;
    v->guard_count = 1;
    v->mua = text("Enabled");
}

static vp_resource_guard *guard(model *m, const char *id, const char *sub_id, const char *status)
{
    vp_resource_guard *g = &m->guards[m->s.resource_guard_count++];
    g->id = id;
    g->name = strrchr(id, '/') + 1;
    g->subscription_id = sub_id;
    g->status = status;
    g->exclusions_presence = strcmp(status, "read") ? VP_ABSENT : VP_PRESENT;
    g->allow_auto_approvals = (vp_flag){0, strcmp(status, "read") ? VP_ABSENT : VP_PRESENT};
    return g;
}

static int cmp_id(const char *a, const char *b)
{
    return strcasecmp(a, b);
}
#define SORTER(name, T)                                                                                      \
    static int name(const void *a, const void *b)                                                            \
    {                                                                                                        \
        return cmp_id(((const T *)a)->id, ((const T *)b)->id);                                               \
    }
SORTER(by_vault, vp_vault)
SORTER(by_item, vp_item)
SORTER(by_guard, vp_resource_guard)
SORTER(by_engine, vp_backup_engine)

static int by_list(const void *a, const void *b)
{
    const vp_list_call *x = a, *y = b;
    int c = strcasecmp(x->scope, y->scope);
    return c ? c : strcmp(x->operation, y->operation);
}

/* Sorts what the lookups search; proxies follow their vault. */
static void fix(model *m)
{
    for (size_t i = 0; i < m->s.vault_count; i++)
        if (m->vaults[i].guards)
            m->vaults[i].guards = &m->proxies[i];
    vp_vault copy[N];
    memcpy(copy, m->vaults, sizeof copy);
    vp_guard_proxy pcopy[N];
    memcpy(pcopy, m->proxies, sizeof pcopy);
    qsort(m->vaults, m->s.vault_count, sizeof *m->vaults, by_vault);
    for (size_t i = 0; i < m->s.vault_count; i++)
        for (size_t k = 0; k < m->s.vault_count; k++)
            if (copy[k].id == m->vaults[i].id && copy[k].guards) {
                m->proxies[i] = pcopy[k];
                m->vaults[i].guards = &m->proxies[i];
            }
    qsort(m->items, m->s.item_count, sizeof *m->items, by_item);
    qsort(m->guards, m->s.resource_guard_count, sizeof *m->guards, by_guard);
    qsort(m->engines, m->s.engine_count, sizeof *m->engines, by_engine);
    qsort(m->lists, m->s.collection.list_count, sizeof *m->lists, by_list);
}

static void model_free(model *m)
{
    for (size_t i = 0; i < m->s.item_count; i++)
        free((char *)m->items[i].id);
}

typedef struct {
    vp_config *cfg;
    vp_catalog *cat;
    vp_findings *f;
} result;

static result evaluate(model *cur, model *base, const char *config_json)
{
    result r = {0};
    vp_error err = {0};
    char dir[] = "/tmp/vp-evm-XXXXXX", path[64];
    fix(cur);
    if (base)
        fix(base);
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/c.json", dir);
    FILE *fp = fopen(path, "w");
    fputs(config_json, fp);
    fclose(fp);
    ck_assert_msg(vp_config_load(path, &r.cfg, &err) == VP_OK, "%s", err.message);
    unlink(path);
    rmdir(dir);
    ck_assert_int_eq(vp_catalog_builtin(&r.cat, &err), VP_OK);
    vp_snapshot_ref ref = {"now.json", NULL, &cur->s}, bref = {"before.json", NULL, base ? &base->s : NULL};
    vp_evaluate_options opt = {.clock = {.epoch = 1790748000, .pinned = 1}, .baselines = base ? &bref : NULL,
                               .baseline_count = base ? 1 : 0};
    ck_assert_msg(vp_evaluate(&ref, r.cat, r.cfg, &opt, &r.f, &err) == VP_OK, "%s", err.message);
    return r;
}

static void result_free(result *r)
{
    vp_findings_free(r->f);
    vp_catalog_free(r->cat);
    vp_config_free(r->cfg);
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

/* The finding of rule about name has status and (when given) says what it must say. */
static const vp_finding *expect(const vp_findings *f, const char *rule, const char *name, vp_finding_status st,
                                const char *says)
{
    const vp_finding *x = find(f, rule, name);
    ck_assert_msg(x != NULL, "no %s finding for %s", rule, name);
    ck_assert_msg(x->status == st, "%s %s: %s (observed %s; note %s), expected %s", rule, name,
                  vp_finding_status_name(x->status), x->observed ? x->observed : "-", x->note ? x->note : "-",
                  vp_finding_status_name(st));
    if (says) {
        char all[4096];
        snprintf(all, sizeof all, "%s | %s", x->observed ? x->observed : "", x->note ? x->note : "");
        ck_assert_msg(strstr(all, says) != NULL, "%s %s: '%s' does not say '%s'", rule, name, all, says);
    }
    return x;
}

static const char config[] = "{\"rpo_hours\": 24, \"retention_minimums\": {\"default\": {\"yearly_years\": 7}}}";

START_TEST(immutability_never_configured)
{
    model m, b;
    model_init(&m);
    model_init(&b);
    sub(&m, S1, "t1");
    sub(&b, S1, "t1");
    /* api-version 2026-08-01: securitySettings without immutabilitySettings */
    vp_vault *v = vault(&m, VAULT(S1, "v-current"), "s1", 1);
    v->immutability = (vp_text){0};
    v->immutability_settings = VP_ABSENT;
    /* no api-version known (offline export), but securitySettings reported without it */
    v = vault(&m, VAULT(S1, "v-offline"), "s1", 1);
    v->immutability = (vp_text){0};
    v->immutability_settings = VP_ABSENT;
    v->api_version = NULL;
    /* api-version 2026-07-01 omits securitySettings altogether: still never configured */
    v = vault(&m, VAULT(S1, "v-bare"), "s1", 1);
    v->immutability = (vp_text){0};
    v->immutability_settings = VP_ABSENT;
    v->security_settings = VP_ABSENT;
    v->api_version = "2026-07-01";
    /* an older api-version without securitySettings: not reported, not "never" */
    v = vault(&m, VAULT(S1, "v-old"), "s1", 1);
    v->immutability = (vp_text){0};
    v->immutability_settings = VP_ABSENT;
    v->security_settings = VP_ABSENT;
    v->api_version = "2024-04-01";
    /* immutabilitySettings present without a state: unknown, not "never" */
    v = vault(&m, VAULT(S1, "v-stateless"), "s1", 1);
    v->immutability = (vp_text){0};
    /* a baseline in which v-current was Locked */
    vault(&b, VAULT(S1, "v-current"), "s1", 1);
    result r = evaluate(&m, &b, config);
    const vp_finding *x = expect(r.f, "immutability.locked", "v-current", VP_FAIL,
                                 "api-version 2026-08-01 omits immutabilitySettings when immutability was never configured");
    ck_assert_str_eq(x->observed, "not configured (the API returned no immutability settings)");
    expect(r.f, "immutability.locked", "v-offline", VP_FAIL, "securitySettings without immutabilitySettings");
    expect(r.f, "immutability.locked", "v-bare", VP_FAIL, "api-version 2026-07-01");
    expect(r.f, "immutability.locked", "v-old", VP_INCOMPLETE, "not reported");
    expect(r.f, "immutability.locked", "v-stateless", VP_INCOMPLETE, NULL);
    /* Locked -> never configured is a downgrade (never configured ranks as Disabled) */
    expect(r.f, "drift.immutability-not-downgraded", "v-current", VP_FAIL, "never configured");
    result_free(&r);
    model_free(&m);
    model_free(&b);
}
END_TEST

START_TEST(time_based_immutability_against_retention)
{
    model m;
    model_init(&m);
    sub(&m, S1, "t1");
    vp_vault *v = vault(&m, VAULT(S1, "v-short"), "s1", 1);
    v->immutability_type = text("TimeBased");
    v->immutability_days = (vp_num){365, VP_PRESENT, 0};
    v = vault(&m, VAULT(S1, "v-long"), "s1", 1);
    v->immutability_type = text("TimeBased");
    v->immutability_days = (vp_num){2557, VP_PRESENT, 0}; /* 7 Julian years are 2556 days */
    v = vault(&m, VAULT(S1, "v-edge"), "s1", 1);
    v->immutability_type = text("TimeBased");
    v->immutability_days = (vp_num){2555, VP_PRESENT, 0};
    v = vault(&m, VAULT(S1, "v-policy"), "s1", 1);
    v->immutability_type = text("AsPerPolicy");
    v = vault(&m, VAULT(S1, "v-nodays"), "s1", 1);
    v->immutability_type = text("TimeBased");
    vault(&m, VAULT(S1, "v-unset"), "s1", 1);
    vault(&m, VAULT(S1, "v-empty"), "s1", 0);
    result r = evaluate(&m, NULL, config);
    const char *rule = "immutability.duration-covers-retention";
    expect(r.f, rule, "v-short", VP_FAIL, "TimeBased, 365 days; the longest retention minimum of its items is 2556 days");
    expect(r.f, rule, "v-long", VP_PASS, NULL);
    expect(r.f, rule, "v-edge", VP_FAIL, "2556");
    expect(r.f, rule, "v-policy", VP_PASS, "AsPerPolicy");
    expect(r.f, rule, "v-nodays", VP_INCOMPLETE, "durationInDays not reported");
    expect(r.f, rule, "v-unset", VP_NOT_APPLICABLE, "no immutability configuration reported");
    expect(r.f, rule, "v-empty", VP_NOT_APPLICABLE, "no protected items");
    result_free(&r);

    /* without a retention minimum nothing is required of the period */
    r = evaluate(&m, NULL, "{\"rpo_hours\": 24}");
    expect(r.f, rule, "v-short", VP_NOT_APPLICABLE, "no retention minimum applies");
    result_free(&r);
    model_free(&m);
}
END_TEST

START_TEST(resource_guard_contents_and_isolation)
{
    model m;
    model_init(&m);
    sub(&m, S1, "t1");
    sub(&m, S2, "t1");
    sub(&m, S3, "t9");
    proxy(&m, vault(&m, VAULT(S1, "v-good"), "s1", 1), GUARD(S2, "g-good"));
    guard(&m, GUARD(S2, "g-good"), "s2", "read");
    proxy(&m, vault(&m, VAULT(S1, "v-tenant"), "s1", 1), GUARD(S3, "g-tenant"));
    guard(&m, GUARD(S3, "g-tenant"), "s3", "read");
    proxy(&m, vault(&m, VAULT(S1, "v-reduce"), "s1", 1), GUARD(S2, "g-reduce"));
    static const char *reduce[] = {"microsoft.recoveryservices/vaults/BACKUPCONFIG/write"}; /* any case */
    vp_resource_guard *g = guard(&m, GUARD(S2, "g-reduce"), "s2", "read");
    g->exclusions = reduce;
    g->exclusion_count = 1;
    proxy(&m, vault(&m, VAULT(S1, "v-pin"), "s1", 1), GUARD(S2, "g-pin"));
    static const char *pin[] = {"Microsoft.RecoveryServices/vaults/backupSecurityPIN/action"};
    g = guard(&m, GUARD(S2, "g-pin"), "s2", "read");
    g->exclusions = pin;
    g->exclusion_count = 1;
    proxy(&m, vault(&m, VAULT(S1, "v-same"), "s1", 1), GUARD(S1, "g-same"));
    guard(&m, GUARD(S1, "g-same"), "s1", "read");
    proxy(&m, vault(&m, VAULT(S1, "v-auto"), "s1", 1), GUARD(S2, "g-auto"));
    g = guard(&m, GUARD(S2, "g-auto"), "s2", "read");
    g->allow_auto_approvals.value = 1;
    proxy(&m, vault(&m, VAULT(S1, "v-oos"), "s1", 1), GUARD("/subscriptions/s7", "g-oos"));
    g = guard(&m, GUARD("/subscriptions/s7", "g-oos"), "s7", "out-of-scope");
    g->detail = "subscription s7 is outside --subscription";
    proxy(&m, vault(&m, VAULT(S1, "v-denied"), "s1", 1), GUARD(S2, "g-denied"));
    g = guard(&m, GUARD(S2, "g-denied"), "s2", "unreadable");
    g->detail = "HTTP 403 AuthorizationFailed";
    proxy(&m, vault(&m, VAULT(S1, "v-lost"), "s1", 1), GUARD(S2, "g-lost"));
    vault(&m, VAULT(S1, "v-none"), "s1", 1)->mua = text("Enabled"); /* says Enabled, but no proxy */
    vault(&m, VAULT(S1, "v-uncollected"), "s1", 1)->lists[VP_ARM_LIST_GUARDS] = VP_LIST_MISSING;
    result r = evaluate(&m, NULL, config);
    const char *rule = "mua.resource-guard";
    expect(r.f, rule, "v-good", VP_PASS, "guard in another subscription (tenant t1)");
    expect(r.f, rule, "v-tenant", VP_PASS, "guard in another tenant (t9; the vault's is t1)");
    expect(r.f, rule, "v-reduce", VP_FAIL, "(disable soft delete or security features)");
    expect(r.f, rule, "v-pin", VP_WARN, "excludes Microsoft.RecoveryServices/vaults/backupSecurityPIN/action");
    expect(r.f, rule, "v-same", VP_WARN, "same subscription as the vault: weaker isolation");
    expect(r.f, rule, "v-auto", VP_WARN, "allowAutoApprovals true");
    expect(r.f, rule, "v-oos", VP_INCOMPLETE, "out of scope (its subscription was not collected): subscription s7");
    expect(r.f, rule, "v-denied", VP_INCOMPLETE, "HTTP 403 AuthorizationFailed");
    expect(r.f, rule, "v-lost", VP_INCOMPLETE, "was not collected");
    expect(r.f, rule, "v-none", VP_FAIL, "no resource guard proxy");
    expect(r.f, rule, "v-uncollected", VP_INCOMPLETE, "resource guard proxies not collected");
    result_free(&r);

    /* each protection-reducing operation fails, with what it would allow */
    static struct { /* not const: exclusions is an array of const char * */
        const char *op, *meaning;
    } table[] = {
        {"Microsoft.RecoveryServices/vaults/backupResourceGuardProxies/delete", "disable multi-user authorization"},
        {"Microsoft.RecoveryServices/vaults/backupPolicies/write", "reduce retention"},
        {"Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/write", "lower-retention"},
        {"Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/delete", "delete backup data"},
    };
    for (size_t t = 0; t < sizeof table / sizeof table[0]; t++) {
        model one;
        model_init(&one);
        sub(&one, S1, "t1");
        sub(&one, S2, "t1");
        proxy(&one, vault(&one, VAULT(S1, "v"), "s1", 1), GUARD(S2, "g"));
        g = guard(&one, GUARD(S2, "g"), "s2", "read");
        g->exclusions = &table[t].op;
        g->exclusion_count = 1;
        r = evaluate(&one, NULL, config);
        expect(r.f, rule, "v", VP_FAIL, table[t].meaning);
        result_free(&r);
        model_free(&one);
    }
    model_free(&m);
}
END_TEST

START_TEST(backup_engines_reporting)
{
    model m;
    model_init(&m);
    sub(&m, S1, "t1");
    vp_vault *v = vault(&m, VAULT(S1, "v"), "s1", 1);
    static const struct {
        const char *name, *registration, *refreshed;
    } e[] = {
        {"dpm-ok", "Registered", "2026-09-30T00:00:00Z"},      /* 2 h before capture */
        {"dpm-silent", "Registered", "2026-09-28T02:00:00Z"},  /* 48 h: longer than the 24 h RPO */
        {"mabs-unknown", "Registered", NULL},
        {"mabs-unregistered", "NotRegistered", "2026-09-30T01:00:00Z"},
    };
    for (size_t i = 0; i < sizeof e / sizeof e[0]; i++) {
        vp_backup_engine *x = &m.engines[m.s.engine_count++];
        char id[256];
        snprintf(id, sizeof id, "%s/backupEngines/%s", v->id, e[i].name);
        x->id = strdup(id);
        x->name = e[i].name;
        x->vault_id = v->id;
        x->vault_listed = 1;
        x->management_type = text("DPM");
        x->registration_status = text(e[i].registration);
        x->dpm_version = text("5.1.378.0");
        x->agent_version = text("2.0.9262.0");
        x->protected_servers_count = (vp_num){3, VP_PRESENT, 0};
        x->protected_items_count = (vp_num){12, VP_PRESENT, 0};
        if (e[i].refreshed)
            x->refreshed_at = text(e[i].refreshed);
    }
    v->engine_count = m.s.engine_count;
    result r = evaluate(&m, NULL, config);
    const vp_finding *x = expect(r.f, "engine.reporting", "dpm-ok", VP_PASS, "DPM 5.1.378.0, agent 2.0.9262.0, 3 server(s), 12 item(s)");
    ck_assert_str_eq(x->resource_type, "backup_engine");
    expect(r.f, "engine.reporting", "dpm-silent", VP_WARN, "longer than the RPO (24 h)");
    expect(r.f, "engine.reporting", "mabs-unknown", VP_INCOMPLETE, "last report time not reported");
    expect(r.f, "engine.reporting", "mabs-unregistered", VP_WARN, "registration NotRegistered");
    result_free(&r);

    /* the RPO is backup.rpo's: 72 h makes the silent engine pass */
    r = evaluate(&m, NULL, "{\"rpo_hours\": 72}");
    expect(r.f, "engine.reporting", "dpm-silent", VP_PASS, NULL);
    result_free(&r);

    /* an engine list not collected: the engine cannot pass, the vault's other rules still can */
    m.vaults[0].lists[VP_ARM_LIST_ENGINES] = VP_LIST_MISSING;
    list(&m, "backupEngines", VAULT(S1, "v"), VP_LIST_MISSING);
    list(&m, "deletedVaults", DELETED_SCOPE(S1, "switzerlandwest"), VP_LIST_MISSING);
    r = evaluate(&m, NULL, config);
    expect(r.f, "engine.reporting", "dpm-ok", VP_INCOMPLETE, "missing");
    expect(r.f, "immutability.locked", "v", VP_PASS, NULL);
    expect(r.f, "soft-delete.always-on", "v", VP_PASS, NULL);
    expect(r.f, "immutability.duration-covers-retention", "v", VP_NOT_APPLICABLE, NULL);
    expect(r.f, "evidence.complete", "backupEngines", VP_INCOMPLETE, NULL);
    result_free(&r);
    for (size_t i = 0; i < m.s.engine_count; i++)
        free((char *)m.engines[i].id);
    model_free(&m);
}
END_TEST

START_TEST(vaults_missing_since_the_baseline)
{
    model m, b;
    model_init(&m);
    model_init(&b);
    sub(&m, S1, "t1");
    sub(&b, S1, "t1");
    /* v-kept and v-gone as a format-1 baseline reads them: the members format 2 added not reported */
    vp_vault *old = vault(&b, VAULT(S1, "v-kept"), "s1", 1);
    old->api_version = NULL;
    old->security_settings = old->immutability_settings = VP_ABSENT;
    vault(&b, VAULT(S1, "v-softdel"), "s1", 2);
    vault(&b, VAULT(S1, "v-softdel-empty"), "s1", 0);
    old = vault(&b, VAULT(S1, "v-gone"), "s1", 1);
    old->api_version = NULL;
    old->security_settings = old->immutability_settings = VP_ABSENT;
    vault(&b, VAULT(S1, "v-unlisted"), "s1", 1)->location = "West Europe"; /* display form in the baseline */
    vault(&m, VAULT(S1, "v-kept"), "s1", 1);
    vault(&m, VAULT(S1, "v-new"), "s1", 1);
    m.deleted[0] = (vp_deleted_vault){.id = DELETED_SCOPE(S1, "switzerlandwest") "/deletedVaults/d1", .name = "d1",
                                      .subscription_id = "s1", .location = "switzerlandwest",
                                      .source = {"deletedVaults.json", "/value/0"},
                                      .vault_id = text(VAULT(S1, "V-SOFTDEL")), /* ids compare ignoring case */
                                      .deletion_time = text("2026-09-01T10:00:00Z"),
                                      .purge_at = text("2026-09-15T10:00:00Z")};
    m.deleted[1] = m.deleted[0];
    m.deleted[1].vault_id = text(VAULT(S1, "v-softdel-empty"));
    m.s.deleted_vault_count = 2;
    list(&m, "deletedVaults", DELETED_SCOPE(S1, "switzerlandwest"), VP_LIST_COMPLETE);
    list(&m, "deletedVaults", DELETED_SCOPE(S1, "westeurope"), VP_LIST_MISSING);
    result r = evaluate(&m, &b, config);
    const char *rule = "drift.vault-not-deleted";
    expect(r.f, rule, "v-kept", VP_PASS, "still present");
    /* Locked in the format-1 baseline and now: no downgrade read into the absent members */
    expect(r.f, "drift.immutability-not-downgraded", "v-kept", VP_PASS, NULL);
    ck_assert_ptr_null(find(r.f, rule, "v-new")); /* new in the period: nothing to have lost */
    const vp_finding *x = expect(r.f, rule, "v-softdel", VP_FAIL,
                                 "soft-deleted at 2026-09-01T10:00:00Z, purged at 2026-09-15T10:00:00Z");
    ck_assert_str_eq(x->snapshot_pointer, "/deleted_vaults/0");
    expect(r.f, rule, "v-softdel-empty", VP_WARN, "no protected items");
    expect(r.f, rule, "v-gone", VP_FAIL, "gone: not listed and not among soft-deleted vaults");
    expect(r.f, rule, "v-unlisted", VP_INCOMPLETE, "add \"westeurope\" to live.deleted_vault_locations");
    result_free(&r);

    /* the current vault list not complete: absence proves nothing */
    for (size_t i = 0; i < m.s.collection.list_count; i++)
        if (!strcmp(m.lists[i].operation, "vaults"))
            m.lists[i].status = VP_LIST_INCOMPLETE;
    r = evaluate(&m, &b, config);
    expect(r.f, rule, "v-gone", VP_INCOMPLETE, "vault list of subscription s1 is incomplete");
    result_free(&r);

    /* without a baseline the rule has nothing to compare */
    r = evaluate(&m, NULL, config);
    expect(r.f, rule, "period", VP_NOT_APPLICABLE, NULL);
    result_free(&r);
    model_free(&m);
    model_free(&b);
}
END_TEST

/* Issue 14: a subscription resources live in but the subscriptions list did not return
 * is named with what rests on it, not counted as "0 only referenced". */
START_TEST(unlisted_subscription_named_with_what_rests_on_it)
{
    model m;
    model_init(&m);
    sub(&m, S1, "t1");
    list(&m, "subscriptions", "/", VP_LIST_COMPLETE);
    proxy(&m, vault(&m, VAULT(S1, "v-a"), "s1", 1), GUARD("/subscriptions/s7", "g-a"));
    proxy(&m, vault(&m, VAULT(S1, "v-b"), "s1", 1), GUARD("/subscriptions/s7", "g-b"));
    guard(&m, GUARD("/subscriptions/s7", "g-a"), "s7", "read");
    guard(&m, GUARD("/subscriptions/s7", "g-b"), "s7", "read");
    result r = evaluate(&m, NULL, config);
    const vp_finding *x = expect(r.f, "evidence.complete", "subscription s7", VP_WARN, "2 resource guard(s)");
    ck_assert_msg(strstr(x->note, "resource guard g-a (read), the multi-user authorization of v-a") &&
                      strstr(x->note, "resource guard g-b (read), the multi-user authorization of v-b"),
                  "%s", x->note);
    ck_assert_ptr_null(find(r.f, "evidence.complete", "subscription s1")); /* listed: no finding */
    result_free(&r);
    model_free(&m);

    /* a guard in it that could not be read, and a vault in a subscription only referenced */
    model_init(&m);
    sub(&m, S1, "t1");
    list(&m, "subscriptions", "/", VP_LIST_COMPLETE);
    m.subs[m.s.subscription_count++] = (vp_subscription){.id = S2, .subscription_id = "s2", .listed = 0};
    proxy(&m, vault(&m, VAULT(S1, "v-a"), "s1", 1), GUARD("/subscriptions/s7", "g-a"));
    guard(&m, GUARD("/subscriptions/s7", "g-a"), "s7", "unreadable");
    vault(&m, VAULT(S2, "v-ref"), "s2", 1);
    r = evaluate(&m, NULL, config);
    expect(r.f, "evidence.complete", "subscription s7", VP_INCOMPLETE, "resource guard g-a (unreadable)");
    expect(r.f, "evidence.complete", "subscription s2", VP_INCOMPLETE, "1 vault(s)");
    result_free(&r);
    model_free(&m);

    /* without a subscriptions list nothing is "listed": no such finding */
    model_init(&m);
    sub(&m, S1, "t1");
    proxy(&m, vault(&m, VAULT(S1, "v-a"), "s1", 1), GUARD("/subscriptions/s7", "g-a"));
    guard(&m, GUARD("/subscriptions/s7", "g-a"), "s7", "read");
    r = evaluate(&m, NULL, config);
    ck_assert_ptr_null(find(r.f, "evidence.complete", "subscription s7"));
    result_free(&r);
    model_free(&m);
}
END_TEST

START_TEST(worm_finding_names_the_source_revision)
{
    model m;
    model_init(&m);
    sub(&m, S1, "t1");
    vault(&m, VAULT(S1, "v-chw"), "s1", 1);
    vault(&m, VAULT(S1, "v-gwc"), "s1", 1)->location = "germanywestcentral";
    m.worm[0] = (vp_worm_source){.id = "learn-immutable-vault-2025-06-19-r1", .title = "Immutable vault (Learn)",
                                 .as_of = "2025-06-19", .retrieved = "2025-07-02",
                                 .sha256 = "1111111111112222222222223333333333334444444444445555555555556666"};
    m.worm[1] = (vp_worm_source){.id = "learn-immutable-vault-2025-06-19-r2", .title = "Immutable vault (Learn)",
                                 .as_of = "2025-06-19", .retrieved = "2026-11-20",
                                 .sha256 = "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789",
                                 .supersedes = "learn-immutable-vault-2025-06-19-r1"};
    m.s.worm_source_count = 2;
    /* switzerlandwest: only the later revision lists it; germanywestcentral: both */
    m.region_sources[0] = m.worm[1].id;
    m.region_sources[1] = m.worm[0].id;
    m.region_sources[2] = m.worm[1].id;
    m.regions[0] = (vp_region){.location = "germanywestcentral", .display_name = "Germany West Central", .worm = "ga",
                               .sources = &m.region_sources[1], .source_count = 2, .vault_count = 1};
    m.regions[1] = (vp_region){.location = "switzerlandwest", .display_name = "Switzerland West", .worm = "ga",
                               .sources = &m.region_sources[0], .source_count = 1, .vault_count = 1};
    m.s.region_count = 2;
    result r = evaluate(&m, NULL, config);
    expect(r.f, "worm.region-available", "v-chw", VP_PASS,
           "(revision learn-immutable-vault-2025-06-19-r2, as of 2025-06-19, retrieved 2026-11-20, sha256 abcdef012345)");
    expect(r.f, "worm.region-available", "v-chw", VP_PASS,
           "listed since revision learn-immutable-vault-2025-06-19-r2 retrieved 2026-11-20; the earlier revision "
           "learn-immutable-vault-2025-06-19-r1 (retrieved 2025-07-02) did not list it");
    const vp_finding *x = expect(r.f, "worm.region-available", "v-gwc", VP_PASS, "sha256 111111111111)");
    ck_assert_ptr_null(strstr(x->observed, "did not list it")); /* listed by every revision */
    result_free(&r);
    model_free(&m);
}
END_TEST

void evaluate_model_tests(TCase *tc);
void evaluate_model_tests(TCase *tc)
{
    tcase_add_test(tc, immutability_never_configured);
    tcase_add_test(tc, time_based_immutability_against_retention);
    tcase_add_test(tc, resource_guard_contents_and_isolation);
    tcase_add_test(tc, backup_engines_reporting);
    tcase_add_test(tc, vaults_missing_since_the_baseline);
    tcase_add_test(tc, worm_finding_names_the_source_revision);
    tcase_add_test(tc, unlisted_subscription_named_with_what_rests_on_it);
}
