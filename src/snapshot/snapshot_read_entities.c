/* The conversions of vaults, policies, protected items, VMs, resource guards, backup
 * engines and soft-deleted vaults, from a cJSON object to the model. The line reader
 * and the whole-document reader both call these (via vpn_rd_element), so both build
 * the same snapshot. Members are read in the writer's order (snapshot_write.c), which
 * is the format; what format 2 added is asked for only in a format-2 document.
 *
 * Strings that repeat across entities (ids referenced by other entities, states,
 * types, source files) are interned; strings unique to an entity are copied. */
#include <limits.h>
#include <string.h>

#include "snapshot/snapshot_read_internal.h"
#include "vaultproof/arm.h"

typedef struct {
    const char *name;
    vp_text *text;
} rd_named;

static const char *const item_kinds[] = {"azure_vm", "sql_in_vm", "sap_hana_in_vm", "sap_ase_in_vm",
                                         "azure_backup_server", "dpm", "mars", "azure_file_share",
                                         "azure_sql", "generic", "unknown", NULL};
static const char *const policy_links[] = {"resolved", "missing", "none", NULL};
static const char *const presences[] = {"absent", "null", "present", NULL}; /* vp_presence */
static const char *const guard_statuses[] = {"read", "unreadable", "out-of-scope", "missing", NULL};

/* ---- shared parts ---- */

void vpn_rd_read_source(rd_obj *o, const char *key, vp_source *out)
{
    rd_path p;
    rd_obj s;
    if (!vpn_rd_object(o, key, 1, &p, &s))
        return;
    vpn_rd_str_req(&s, "file", RD_INTERN, &out->file);
    vpn_rd_str(&s, "pointer", RD_INTERN, &out->pointer);
    vpn_rd_close(&s);
}

/* Tags keep the writer's (the API's) member order. */
static void read_tags(rd_obj *o, vp_tags *out)
{
    rd_path p;
    rd_obj t;
    size_t i = 0;
    out->presence = VP_NULL;
    if (!vpn_rd_object(o, "tags", 1, &p, &t))
        return;
    out->presence = VP_PRESENT;
    out->count = (size_t)cJSON_GetArraySize(t.obj);
    out->items = vpc_arena_alloc(o->c->arena, (out->count + 1) * sizeof *out->items);
    if (!out->items) {
        vpn_rd_nomem(o->c);
        return;
    }
    for (const cJSON *m = t.obj->child; m; m = m->next, i++) {
        if (!cJSON_IsString(m)) {
            vpn_rd_fail(o->c, &p, m->string, "expected a string (tag value), found %s", vp_json_type_name(m));
            return;
        }
        out->items[i].key = vpn_rd_intern(o->c, m->string);
        out->items[i].value = vpn_rd_intern(o->c, m->valuestring);
    }
}

/* Sets `unknown` on the fields named in unknown_enums. The writer names only fields
 * with a value, so naming a null one could not be written back. */
static void read_unknown(rd_obj *o, const rd_named *fields, size_t n)
{
    rd_path p;
    const cJSON *arr = vpn_rd_array(o, "unknown_enums", &p);
    size_t i = 0;
    for (const cJSON *e = arr ? arr->child : NULL; e && !o->c->status; e = e->next, i++) {
        rd_path at = {&p, NULL, i};
        size_t j = 0;
        if (!cJSON_IsString(e)) {
            vpn_rd_fail(o->c, &at, NULL, "expected a string, found %s", vp_json_type_name(e));
            return;
        }
        while (j < n && strcmp(fields[j].name, e->valuestring) != 0)
            j++;
        if (j == n)
            vpn_rd_fail(o->c, &at, NULL, "'%s'; expected the name of an enumerated field of this entity", e->valuestring);
        else if (fields[j].text->presence != VP_PRESENT)
            vpn_rd_fail(o->c, &at, NULL, "'%s' is null in this entity; expected only fields with a value", e->valuestring);
        else
            fields[j].text->unknown = 1;
    }
}

/* Reads the objects of an array member of an entity into an arena array. */
static void *read_parts(rd_obj *o, const char *key, size_t elem, rd_part_fn fn, size_t *count)
{
    rd_path p;
    const cJSON *arr = vpn_rd_array(o, key, &p);
    size_t n = arr ? (size_t)cJSON_GetArraySize(arr) : 0, i = 0;
    *count = 0;
    if (!arr)
        return NULL;
    char *v = vpc_arena_alloc(o->c->arena, (n + 1) * elem);
    if (!v) {
        vpn_rd_nomem(o->c);
        return NULL;
    }
    memset(v, 0, (n + 1) * elem);
    for (const cJSON *e = arr->child; e && !o->c->status; e = e->next, i++) {
        rd_path at = {&p, NULL, i};
        rd_obj part;
        if (!cJSON_IsObject(e)) {
            vpn_rd_fail(o->c, &at, NULL, "expected an object, found %s", vp_json_type_name(e));
            return NULL;
        }
        vpn_rd_open(&part, o->c, e, &at);
        fn(&part, v + i * elem);
        vpn_rd_close(&part);
    }
    *count = n;
    return v;
}

/* ---- vaults ---- */

static void read_guard(rd_obj *o, void *out)
{
    vp_guard_proxy *g = out;
    long long ops = 0;
    vpn_rd_str(o, "id", RD_COPY, &g->id);
    vpn_rd_str(o, "resource_guard_id", RD_INTERN, &g->resource_guard_id);
    vpn_rd_int(o, "operations", INT_MIN, INT_MAX, 0, &ops);
    g->operation_count = (int)ops;
    vpn_rd_str(o, "last_updated", RD_COPY, &g->last_updated);
    vpn_rd_read_source(o, "source", &g->source);
}

static void read_soft_delete(rd_obj *o, vp_vault *v)
{
    rd_path p;
    rd_obj s;
    if (!vpn_rd_object(o, "soft_delete", 0, &p, &s))
        return;
    vpn_rd_text(&s, "state", RD_INTERN, &v->soft_delete);
    vpn_rd_num(&s, "retention_days", &v->soft_delete_days);
    vpn_rd_text(&s, "enhanced_security", RD_INTERN, &v->enhanced_security);
    vpn_rd_close(&s);
}

static void read_vault_counts(rd_obj *o, vp_vault *v)
{
    rd_path p;
    rd_obj s;
    long long policies = 0, items = 0, engines = 0;
    if (!vpn_rd_object(o, "counts", 0, &p, &s))
        return;
    vpn_rd_int(&s, "policies", 0, LLONG_MAX, 0, &policies);
    vpn_rd_int(&s, "protected_items", 0, LLONG_MAX, 0, &items);
    if (o->c->format >= 2)
        vpn_rd_int(&s, "backup_engines", 0, LLONG_MAX, 0, &engines);
    v->policy_count = (size_t)policies;
    v->item_count = (size_t)items;
    v->engine_count = (size_t)engines;
    vpn_rd_close(&s);
}

static vp_list_status read_status(rd_obj *o, const char *key)
{
    int s = vpn_rd_enum(o, key, vpn_rd_list_statuses, 0);
    return s >= 0 ? (vp_list_status)s : VP_LIST_MISSING;
}

static void read_completeness(rd_obj *o, vp_vault *v)
{
    rd_path p;
    rd_obj s;
    if (!vpn_rd_object(o, "completeness", 0, &p, &s))
        return;
    /* format 1 did not list engines: not asked is not complete (missing) */
    for (vp_arm_list l = 0; l < VP_ARM_LIST_COUNT; l++) {
        const char *name = vp_arm_for_list(l)->name;
        /* period evidence is listed only in a snapshot with a period (vaultproof/arm.h);
         * the vault lines may be read before the collection header, so its absence is
         * allowed here and means "not asked" */
        if (vp_arm_for_list(l)->period && !cJSON_GetObjectItemCaseSensitive(s.obj, name)) {
            vpn_rd_member(&s, name);
            v->lists[l] = VP_LIST_MISSING;
            continue;
        }
        v->lists[l] = o->c->format >= 2 || l != VP_ARM_LIST_ENGINES ? read_status(&s, name) : VP_LIST_MISSING;
    }
    vpn_rd_close(&s);
}

/* derived_from maps a field to the document it was read from; fields is the writer's
 * list plus soft_delete.retention_days, the one number that can be derived. */
static void read_derived(rd_obj *o, const rd_named *fields, size_t n, vp_num *days)
{
    const char *const origins[] = {vp_arm_get(VP_ARM_BACKUP_CONFIG)->name,
                                   vp_arm_get(VP_ARM_BACKUP_STORAGE_CONFIG)->name, NULL}; /* vp_origin - 1 */
    rd_path p;
    rd_obj d;
    if (!vpn_rd_object(o, "derived_from", 0, &p, &d))
        return;
    for (const cJSON *m = d.obj->child; m && !o->c->status; m = m->next) {
        int is_days = strcmp(m->string, "soft_delete.retention_days") == 0;
        size_t j = 0;
        while (!is_days && j < n && strcmp(fields[j].name, m->string) != 0)
            j++;
        if (!is_days && j == n) {
            vpn_rd_fail(o->c, &p, m->string, "unknown member; expected the name of a field read from another document");
            return;
        }
        int origin = vpn_rd_enum(&d, m->string, origins, 0) + 1;
        if (o->c->status)
            return;
        if ((is_days ? days->presence : fields[j].text->presence) != VP_PRESENT) {
            vpn_rd_fail(o->c, &p, m->string, "names a field that is null; expected only fields with a value");
            return;
        }
        if (is_days)
            days->origin = (unsigned char)origin;
        else
            fields[j].text->origin = (unsigned char)origin;
    }
}

/* Whether securitySettings and immutabilitySettings were in the response (absence
 * means "never configured" on current api-versions: docs/snapshot-format.md), and the
 * immutability configuration. Their agreement with the state is the collector's to
 * keep; the reader takes what the writer wrote. */
static void read_immutability_members(rd_obj *o, vp_vault *v)
{
    rd_path p;
    rd_obj s;
    int imm = vpn_rd_enum(o, "immutability_settings", presences, 0);
    int sec = vpn_rd_enum(o, "security_settings", presences, 0);
    if (o->c->status)
        return;
    v->immutability_settings = (unsigned char)imm;
    v->security_settings = (unsigned char)sec;
    if (!vpn_rd_object(o, "immutability_configuration", 0, &p, &s))
        return;
    vpn_rd_text(&s, "type", RD_INTERN, &v->immutability_type);
    vpn_rd_num(&s, "duration_days", &v->immutability_days);
    vpn_rd_close(&s);
}

void vpn_rd_read_vault(rd_obj *o, void *out)
{
    vp_vault *v = out;
    const rd_named texts[] = {
        {"immutability", &v->immutability},
        {"immutability_configuration.type", &v->immutability_type},
        {"soft_delete.state", &v->soft_delete},
        {"soft_delete.enhanced_security", &v->enhanced_security},
        {"multi_user_authorization", &v->mua},
        {"source_scan", &v->source_scan},
        {"storage_redundancy", &v->storage_redundancy},
        {"cross_region_restore", &v->cross_region_restore},
        {"secure_score", &v->secure_score},
        {"bcdr_security_level", &v->bcdr_security_level},
    };
    vpn_rd_str_req(o, "id", RD_INTERN, &v->id);
    vpn_rd_str(o, "name", RD_COPY, &v->name);
    vpn_rd_str(o, "resource_group", RD_INTERN, &v->resource_group);
    vpn_rd_str(o, "subscription_id", RD_INTERN, &v->subscription_id);
    vpn_rd_str(o, "location", RD_INTERN, &v->location);
    vpn_rd_text(o, "sku", RD_INTERN, &v->sku);
    read_tags(o, &v->tags);
    if (o->c->format >= 2)
        vpn_rd_str(o, "api_version", RD_INTERN, &v->api_version);
    vpn_rd_text(o, "immutability", RD_INTERN, &v->immutability);
    if (o->c->format >= 2)
        read_immutability_members(o, v);
    else /* format 1 kept only the state, which can only have come from inside both */
        v->security_settings = v->immutability_settings = v->immutability.presence == VP_PRESENT ? VP_PRESENT : VP_NULL;
    read_soft_delete(o, v);
    vpn_rd_text(o, "multi_user_authorization", RD_INTERN, &v->mua);
    if (o->c->format >= 2)
        vpn_rd_text(o, "source_scan", RD_INTERN, &v->source_scan);
    v->guards = read_parts(o, "resource_guard_proxies", sizeof *v->guards, read_guard, &v->guard_count);
    vpn_rd_text(o, "storage_redundancy", RD_INTERN, &v->storage_redundancy);
    vpn_rd_text(o, "cross_region_restore", RD_INTERN, &v->cross_region_restore);
    vpn_rd_text(o, "secure_score", RD_INTERN, &v->secure_score);
    vpn_rd_text(o, "bcdr_security_level", RD_INTERN, &v->bcdr_security_level);
    vpn_rd_text(o, "provisioning_state", RD_INTERN, &v->provisioning_state);
    vpn_rd_text(o, "public_network_access", RD_INTERN, &v->public_network_access);
    read_vault_counts(o, v);
    read_completeness(o, v);
    read_derived(o, texts, sizeof texts / sizeof texts[0], &v->soft_delete_days);
    read_unknown(o, texts, sizeof texts / sizeof texts[0]);
    vpn_rd_read_source(o, "source", &v->source);
    vpn_rd_read_source(o, "backupconfig_source", &v->vaultconfig_source);
    vpn_rd_read_source(o, "backupstorageconfig_source", &v->storageconfig_source);
}

/* ---- policies ---- */

static void read_tier(rd_obj *o, void *out)
{
    vp_retention_tier *t = out;
    vpn_rd_str(o, "sub_policy", RD_INTERN, &t->sub_policy);
    vpn_rd_str(o, "tier", RD_INTERN, &t->tier);
    t->count = vpn_rd_days(o, "count");
    vpn_rd_str(o, "unit", RD_INTERN, &t->unit);
    t->days = vpn_rd_days(o, "days");
    vpn_rd_str(o, "pointer", RD_INTERN, &t->pointer);
}

void vpn_rd_read_policy(rd_obj *o, void *out)
{
    vp_policy *p = out;
    const rd_named texts[] = {{"backup_management_type", &p->management_type},
                              {"workload_type", &p->workload_type},
                              {"policy_type", &p->policy_type}};
    int understood = 1;
    vpn_rd_str_req(o, "id", RD_INTERN, &p->id); /* items name their policy by this id */
    vpn_rd_str(o, "name", RD_INTERN, &p->name);
    vpn_rd_str(o, "vault_id", RD_INTERN, &p->vault_id);
    vpn_rd_bool(o, "vault_listed", &p->vault_listed);
    vpn_rd_str(o, "subscription_id", RD_INTERN, &p->subscription_id);
    vpn_rd_text(o, "backup_management_type", RD_INTERN, &p->management_type);
    vpn_rd_text(o, "workload_type", RD_INTERN, &p->workload_type);
    vpn_rd_text(o, "policy_type", RD_INTERN, &p->policy_type);
    vpn_rd_text(o, "schedule_frequency", RD_INTERN, &p->schedule_frequency);
    vpn_rd_text(o, "time_zone", RD_INTERN, &p->time_zone);
    vpn_rd_num(o, "protected_items_count", &p->protected_items_count);
    p->tiers = read_parts(o, "retention", sizeof *p->tiers, read_tier, &p->tier_count);
    p->long_term_days = vpn_rd_days(o, "long_term_days");
    p->log_days = vpn_rd_days(o, "log_days");
    vpn_rd_bool(o, "retention_understood", &understood);
    p->unknown_retention = !understood;
    read_unknown(o, texts, sizeof texts / sizeof texts[0]);
    vpn_rd_read_source(o, "source", &p->source);
}

/* ---- protected items and VMs ---- */

static void read_item_policy(rd_obj *o, vp_item *it)
{
    rd_path p;
    rd_obj s;
    if (!vpn_rd_object(o, "policy", 0, &p, &s))
        return;
    vpn_rd_text(&s, "id", RD_INTERN, &it->policy_id);
    vpn_rd_text(&s, "name", RD_INTERN, &it->policy_name);
    int link = vpn_rd_enum(&s, "link", policy_links, 0);
    it->policy_link = link >= 0 ? policy_links[link] : NULL;
    vpn_rd_close(&s);
}

static void read_deferred_delete(rd_obj *o, vp_item *it)
{
    rd_path p;
    rd_obj s;
    if (!vpn_rd_object(o, "deferred_delete", 0, &p, &s))
        return;
    vpn_rd_flag(&s, "scheduled", &it->deferred_delete);
    vpn_rd_text(&s, "time", RD_COPY, &it->deferred_delete_time);
    vpn_rd_close(&s);
}

void vpn_rd_read_item(rd_obj *o, void *out)
{
    vp_item *it = out;
    const rd_named texts[] = {{"item_type", &it->item_type},
                              {"backup_management_type", &it->management_type},
                              {"workload_type", &it->workload_type},
                              {"protection_state", &it->protection_state},
                              {"health_status", &it->health_status}};
    vpn_rd_str_req(o, "id", RD_INTERN, &it->id); /* VMs list the items protecting them by id */
    vpn_rd_str(o, "name", RD_COPY, &it->name);
    vpn_rd_str(o, "vault_id", RD_INTERN, &it->vault_id);
    vpn_rd_bool(o, "vault_listed", &it->vault_listed);
    vpn_rd_str(o, "subscription_id", RD_INTERN, &it->subscription_id);
    int kind = vpn_rd_enum(o, "kind", item_kinds, 1);
    it->kind = kind >= 0 ? item_kinds[kind] : NULL;
    vpn_rd_text(o, "item_type", RD_INTERN, &it->item_type);
    vpn_rd_text(o, "backup_management_type", RD_INTERN, &it->management_type);
    vpn_rd_text(o, "workload_type", RD_INTERN, &it->workload_type);
    vpn_rd_text(o, "friendly_name", RD_COPY, &it->friendly_name);
    vpn_rd_text(o, "server", RD_INTERN, &it->server);
    vpn_rd_text(o, "container", RD_COPY, &it->container);
    vpn_rd_text(o, "source_resource_id", RD_INTERN, &it->source_resource_id); /* a VM's id */
    vpn_rd_text(o, "virtual_machine_id", RD_INTERN, &it->vm_id);
    read_item_policy(o, it);
    vpn_rd_text(o, "protection_state", RD_INTERN, &it->protection_state);
    vpn_rd_text(o, "protection_status", RD_INTERN, &it->protection_status);
    vpn_rd_text(o, "health_status", RD_INTERN, &it->health_status);
    vpn_rd_text(o, "last_backup_status", RD_INTERN, &it->last_backup_status);
    vpn_rd_text(o, "last_backup_time", RD_COPY, &it->last_backup_time);
    vpn_rd_text(o, "last_recovery_point", RD_COPY, &it->last_recovery_point);
    vpn_rd_text(o, "oldest_recovery_point", RD_COPY, &it->oldest_recovery_point);
    vpn_rd_num(o, "recovery_point_count", &it->recovery_point_count);
    read_deferred_delete(o, it);
    vpn_rd_flag(o, "archive_enabled", &it->archive_enabled);
    vpn_rd_text(o, "policy_state", RD_INTERN, &it->policy_state);
    read_unknown(o, texts, sizeof texts / sizeof texts[0]);
    vpn_rd_read_source(o, "source", &it->source);
}

void vpn_rd_read_vm(rd_obj *o, void *out)
{
    vp_vm *vm = out;
    vpn_rd_str_req(o, "id", RD_INTERN, &vm->id);
    vpn_rd_str(o, "name", RD_COPY, &vm->name);
    vpn_rd_str(o, "resource_group", RD_INTERN, &vm->resource_group);
    vpn_rd_str(o, "subscription_id", RD_INTERN, &vm->subscription_id);
    vpn_rd_str(o, "location", RD_INTERN, &vm->location);
    vpn_rd_str(o, "type", RD_INTERN, &vm->type);
    vpn_rd_text(o, "vm_id", RD_COPY, &vm->vm_uuid);
    vpn_rd_text(o, "size", RD_INTERN, &vm->size);
    vpn_rd_text(o, "os_type", RD_INTERN, &vm->os_type);
    vpn_rd_text(o, "time_created", RD_COPY, &vm->time_created);
    read_tags(o, &vm->tags);
    vm->protected_by = vpn_rd_string_array(o, "protected_by", RD_INTERN, &vm->protected_count);
    vpn_rd_read_source(o, "source", &vm->source);
}

/* ---- resource guards, backup engines, soft-deleted vaults (format 2) ---- */

void vpn_rd_read_resource_guard(rd_obj *o, void *out)
{
    vp_resource_guard *g = out;
    vpn_rd_str_req(o, "id", RD_INTERN, &g->id); /* vaults' proxies name the guard by this id */
    vpn_rd_str(o, "name", RD_COPY, &g->name);
    vpn_rd_str(o, "resource_group", RD_INTERN, &g->resource_group);
    vpn_rd_str(o, "subscription_id", RD_INTERN, &g->subscription_id);
    int st = vpn_rd_enum(o, "status", guard_statuses, 0);
    g->status = st >= 0 ? guard_statuses[st] : NULL;
    vpn_rd_str(o, "detail", RD_COPY, &g->detail);
    vpn_rd_text(o, "location", RD_INTERN, &g->location);
    vpn_rd_text(o, "provisioning_state", RD_INTERN, &g->provisioning_state);
    g->operations = vpn_rd_string_array(o, "operations", RD_INTERN, &g->operation_count);
    /* null: the list was not reported (exclusions_presence VP_NULL); [] excludes nothing */
    g->exclusions = vpn_rd_string_array_nullable(o, "exclusions", RD_INTERN, &g->exclusion_count,
                                                 &g->exclusions_presence);
    vpn_rd_flag(o, "allow_auto_approvals", &g->allow_auto_approvals);
    vpn_rd_read_source(o, "source", &g->source);
}

void vpn_rd_read_engine(rd_obj *o, void *out)
{
    vp_backup_engine *e = out;
    const rd_named texts[] = {{"backup_management_type", &e->management_type},
                              {"engine_type", &e->engine_type},
                              {"registration_status", &e->registration_status},
                              {"health_status", &e->health_status}};
    vpn_rd_str_req(o, "id", RD_INTERN, &e->id);
    vpn_rd_str(o, "name", RD_COPY, &e->name);
    vpn_rd_str(o, "vault_id", RD_INTERN, &e->vault_id);
    vpn_rd_bool(o, "vault_listed", &e->vault_listed);
    vpn_rd_str(o, "subscription_id", RD_INTERN, &e->subscription_id);
    vpn_rd_text(o, "friendly_name", RD_COPY, &e->friendly_name);
    vpn_rd_text(o, "backup_management_type", RD_INTERN, &e->management_type);
    vpn_rd_text(o, "engine_type", RD_INTERN, &e->engine_type);
    vpn_rd_text(o, "registration_status", RD_INTERN, &e->registration_status);
    vpn_rd_text(o, "engine_state", RD_INTERN, &e->engine_state);
    vpn_rd_text(o, "health_status", RD_INTERN, &e->health_status);
    vpn_rd_text(o, "dpm_version", RD_INTERN, &e->dpm_version);
    vpn_rd_text(o, "agent_version", RD_INTERN, &e->agent_version);
    vpn_rd_num(o, "protected_items_count", &e->protected_items_count);
    vpn_rd_num(o, "protected_servers_count", &e->protected_servers_count);
    vpn_rd_text(o, "refreshed_at", RD_COPY, &e->refreshed_at);
    read_unknown(o, texts, sizeof texts / sizeof texts[0]);
    vpn_rd_read_source(o, "source", &e->source);
}

void vpn_rd_read_deleted_vault(rd_obj *o, void *out)
{
    vp_deleted_vault *d = out;
    vpn_rd_str_req(o, "id", RD_INTERN, &d->id);
    vpn_rd_str(o, "name", RD_COPY, &d->name);
    vpn_rd_str(o, "subscription_id", RD_INTERN, &d->subscription_id);
    vpn_rd_str(o, "location", RD_INTERN, &d->location);
    vpn_rd_text(o, "vault_id", RD_INTERN, &d->vault_id);
    vpn_rd_text(o, "deletion_time", RD_COPY, &d->deletion_time);
    vpn_rd_text(o, "purge_at", RD_COPY, &d->purge_at);
    vpn_rd_read_source(o, "source", &d->source);
}

static void read_change_request(rd_obj *o, vp_change_request *q)
{
    rd_path p;
    rd_obj r;
    if (!vpn_rd_object(o, "request", 0, &p, &r))
        return;
    vpn_rd_text(&r, "immutability", RD_INTERN, &q->immutability);
    vpn_rd_text(&r, "soft_delete", RD_INTERN, &q->soft_delete);
    vpn_rd_num(&r, "soft_delete_days", &q->soft_delete_days);
    vpn_rd_text(&r, "policy_id", RD_INTERN, &q->policy_id);
    vpn_rd_num(&r, "retention_days", &q->retention_days);
    vpn_rd_close(&r);
}

void vpn_rd_read_change(rd_obj *o, void *out)
{
    vp_change *ch = out;
    vpn_rd_str_req(o, "id", RD_COPY, &ch->id);
    vpn_rd_str_req(o, "time", RD_COPY, &ch->time);
    vpn_rd_str_req(o, "operation", RD_INTERN, &ch->operation);
    vpn_rd_str_req(o, "status", RD_INTERN, &ch->status);
    vpn_rd_str(o, "sub_status", RD_INTERN, &ch->sub_status);
    vpn_rd_str(o, "caller", RD_INTERN, &ch->caller);
    vpn_rd_str(o, "correlation_id", RD_COPY, &ch->correlation_id);
    vpn_rd_str(o, "resource_id", RD_INTERN, &ch->resource_id);
    vpn_rd_str(o, "vault_id", RD_INTERN, &ch->vault_id);
    vpn_rd_str(o, "error_code", RD_INTERN, &ch->error_code);
    vpn_rd_str(o, "error_message", RD_COPY, &ch->error_message);
    vpn_rd_int(o, "begun", 0, LLONG_MAX, 0, &ch->begun);
    read_change_request(o, &ch->request);
    vpn_rd_read_source(o, "source", &ch->source);
}
