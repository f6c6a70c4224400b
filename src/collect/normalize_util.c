#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "collect/internal.h"
#include "vaultproof/clock.h"

void vpo_warn(vp_normalizer *n, const char *code, const char *file, const char *pointer, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    vp_warning *w = VP_VEC_PUSH(n->warnings);
    if (!w)
        return; /* out of memory: losing a warning beats crashing; finish() will fail anyway */
    w->code = code;
    w->file = vpc_arena_strdup(&n->arena, file);
    w->pointer = vpc_arena_strdup(&n->arena, pointer);
    w->message = vpc_arena_strdup(&n->arena, msg);
}

static int in_enum(const char *const *allowed, const char *v)
{
    for (; *allowed; allowed++)
        if (strcasecmp(*allowed, v) == 0)
            return 1;
    return 0;
}

void vpo_read_text(vp_res_ctx *c, const cJSON *obj, const char *base, const char *key,
                  const char *const *allowed, vp_text *out)
{
    vpo_read_text_as(c, obj, base, key, allowed, VP_TEXT_SHARED, out);
}

void vpo_read_text_as(vp_res_ctx *c, const cJSON *obj, const char *base, const char *key,
                     const char *const *allowed, vp_text_kind kind, vp_text *out)
{
    const char *s = NULL;
    memset(out, 0, sizeof *out);
    out->presence = (unsigned char)vp_jr_string(c->r, obj, base, key, &s);
    if (out->presence == VP_PRESENT && !*s) {
        /* The API writes "" where it has nothing to say (policyId of an unprotected item,
         * lastBackupStatus before the first backup): not reported, never a value. */
        out->presence = VP_ABSENT;
        return;
    }
    if (out->presence != VP_PRESENT)
        return;
    out->value = kind == VP_TEXT_SHARED   ? vpo_intern(c->n, s)
                 : kind == VP_TEXT_UNIQUE ? vpc_arena_strdup(&c->n->arena, s)
                                          : s;
    if (allowed && !in_enum(allowed, s)) {
        char ptr[512];
        out->unknown = 1;
        vp_json_pointer_join(ptr, sizeof ptr, base, key);
        vpo_warn(c->n, "unknown-enum", c->file, ptr, "value '%s' is not one the API documents; kept verbatim", s);
    }
}

/* Whether a warning of code was already recorded for file. A body's warnings are
 * recorded while it is read, so they are the last ones: the walk stops at the first
 * warning of another file. */
static int warned_in_file(const vp_normalizer *n, const char *code, const char *file)
{
    for (size_t i = n->warnings.n; i-- > 0;) {
        const vp_warning *w = &n->warnings.v[i];
        if (!w->file || strcmp(w->file, file) != 0)
            return 0;
        if (!strcmp(w->code, code))
            return 1;
    }
    return 0;
}

void vpo_read_time(vp_res_ctx *c, const cJSON *obj, const char *base, const char *key, vp_text *out)
{
    long long epoch;
    char ptr[512];
    vpo_read_text_as(c, obj, base, key, NULL, VP_TEXT_UNIQUE, out);
    if (out->presence != VP_PRESENT || vp_time_parse(out->value, &epoch) == 0 || c->r->status != VP_OK)
        return;
    vp_json_pointer_join(ptr, sizeof ptr, base, key);
    /* Azure writes some times without an offset ("2026-09-29T21:14:05.1234567": a .NET
     * DateTime serialized without its kind); the service keeps them in UTC. Such a time
     * is accepted as UTC and kept with "Z" appended (fraction as given), and the file
     * is warned about once: it is the API's shape, not one bad value. Anything that
     * still does not parse with the "Z" is not a time. */
    const char *utc = vpc_arena_printf(&c->n->arena, "%sZ", out->value);
    if (!utc) {
        c->r->status = vp_error_set(c->r->err, VP_ERR_NOMEM, "out of memory");
        return;
    }
    if (vp_time_parse(utc, &epoch) == 0) {
        if (!warned_in_file(c->n, "time-without-offset", c->file))
            vpo_warn(c->n, "time-without-offset", c->file, ptr,
                     "time '%.64s' has no UTC offset; read as UTC, as is every such time in this file", out->value);
        out->value = utc;
        return;
    }
    c->r->status = vp_error_set(c->r->err, VP_ERR_INPUT, "%s: %s: '%s'; expected an RFC 3339 time", c->file, ptr,
                                out->value);
}

void vpo_read_num(vp_res_ctx *c, const cJSON *obj, const char *base, const char *key, long long min,
                 long long max, vp_num *out)
{
    memset(out, 0, sizeof *out);
    out->presence = (unsigned char)vp_jr_int(c->r, obj, base, key, min, max, &out->value);
}

void vpo_read_flag(vp_res_ctx *c, const cJSON *obj, const char *base, const char *key, vp_flag *out)
{
    memset(out, 0, sizeof *out);
    out->presence = (unsigned char)vp_jr_bool(c->r, obj, base, key, &out->value);
}

const cJSON *vpo_read_object(vp_res_ctx *c, const cJSON *obj, const char *base, const char *key, char *ptr,
                            size_t ptr_size)
{
    const cJSON *o = NULL;
    vp_json_pointer_join(ptr, ptr_size, base, key);
    if (!obj)
        return NULL;
    vp_jr_object(c->r, obj, base, key, &o);
    return o;
}

vp_status vpo_read_tags(vp_res_ctx *c, vp_tags *out)
{
    const cJSON *tags = NULL;
    char ptr[512];
    memset(out, 0, sizeof *out);
    out->presence = (unsigned char)vp_jr_object(c->r, c->res, c->pointer, "tags", &tags);
    if (!tags)
        return c->r->status;
    out->count = (size_t)cJSON_GetArraySize(tags);
    out->items = vpc_arena_alloc(&c->n->arena, (out->count + 1) * sizeof *out->items);
    if (!out->items)
        return vp_error_set(c->r->err, VP_ERR_NOMEM, "out of memory");
    size_t i = 0;
    for (const cJSON *t = tags->child; t; t = t->next, i++) {
        if (!cJSON_IsString(t)) {
            vp_json_pointer_join(ptr, sizeof ptr, c->pointer, "tags");
            vp_json_pointer_join(ptr, sizeof ptr, ptr, t->string);
            return vp_jr_fail(c->r, ptr, "a string tag value", t);
        }
        out->items[i].key = vpo_intern(c->n, t->string);
        out->items[i].value = vpo_intern(c->n, t->valuestring);
    }
    return VP_OK;
}

const char *vpo_intern_n(vp_normalizer *n, const char *s, size_t len)
{
    vp_intern_table *t = &n->strings;
    if (!s)
        return NULL;
    if (t->count * 10 >= t->cap * 7) { /* keep the load under 70% */
        size_t ncap = t->cap ? t->cap * 2 : 4096;
        const char **slots = calloc(ncap, sizeof *slots);
        size_t *hashes = calloc(ncap, sizeof *hashes);
        if (!slots || !hashes) {
            free(slots);
            free(hashes);
            return NULL;
        }
        for (size_t i = 0; i < t->cap; i++) {
            if (!t->slots[i])
                continue;
            size_t j = t->hashes[i] & (ncap - 1);
            while (slots[j])
                j = (j + 1) & (ncap - 1);
            slots[j] = t->slots[i];
            hashes[j] = t->hashes[i];
        }
        free(t->slots);
        free(t->hashes);
        t->slots = slots;
        t->hashes = hashes;
        t->cap = ncap;
    }
    size_t h = vpc_hash(s, len), j = h & (t->cap - 1);
    for (; t->slots[j]; j = (j + 1) & (t->cap - 1))
        if (t->hashes[j] == h && strncmp(t->slots[j], s, len) == 0 && t->slots[j][len] == '\0')
            return t->slots[j];
    const char *copy = vpc_arena_strndup(&n->arena, s, len);
    if (copy) {
        t->slots[j] = copy;
        t->hashes[j] = h;
        t->count++;
    }
    return copy;
}

const char *vpo_intern(vp_normalizer *n, const char *s)
{
    return s ? vpo_intern_n(n, s, strlen(s)) : NULL;
}

/* Finds "/<segment>/" case-insensitively and returns what follows up to the next '/'. */
const char *vpo_armid_segment(vp_normalizer *n, const char *id, const char *segment)
{
    size_t sl = strlen(segment);
    for (const char *p = id; (p = strchr(p, '/')) != NULL; p++) {
        if (strncasecmp(p + 1, segment, sl) == 0 && p[1 + sl] == '/') {
            const char *v = p + 2 + sl, *end = strchr(v, '/');
            size_t len = end ? (size_t)(end - v) : strlen(v);
            return len ? vpo_intern_n(n, v, len) : NULL;
        }
    }
    return NULL;
}

const char *vpo_armid_vault_id(vp_normalizer *n, const char *id)
{
    static const char marker[] = "/providers/microsoft.recoveryservices/vaults/";
    size_t ml = sizeof marker - 1;
    for (const char *p = id; *p; p++) {
        if (strncasecmp(p, marker, ml) == 0) {
            const char *name = p + ml, *end = strchr(name, '/');
            if (end == name || !*name)
                return NULL;
            return vpo_intern_n(n, id, end ? (size_t)(end - id) : strlen(id));
        }
    }
    return NULL;
}

/* The id part of s: a URL spelling ("https://management.azure.com/subscriptions/...", as
 * Microsoft's own list examples and real item lists' properties.vaultId have it) loses
 * scheme and host; anything else is s itself. */
const char *vpo_armid_path(const char *s)
{
    if (s && (!strncasecmp(s, "https://", 8) || !strncasecmp(s, "http://", 7))) {
        const char *path = strchr(strstr(s, "://") + 3, '/');
        return path ? path : "/";
    }
    return s;
}

const char *vpo_keep_unique(vp_normalizer *n, const char *s, const char *const *hosts, size_t nhosts)
{
    size_t len = strlen(s);
    for (size_t i = 0; i < nhosts; i++) {
        size_t hl = hosts[i] ? strlen(hosts[i]) : 0;
        if (hl >= len && memcmp(hosts[i] + hl - len, s, len) == 0)
            return hosts[i] + hl - len;
    }
    return vpc_arena_strdup(&n->arena, s);
}

const char *vpo_armid_normalize(vp_normalizer *n, const char *s)
{
    return vpo_intern(n, vpo_armid_path(s));
}

vp_status vpo_read_identity(vp_res_ctx *c, const char **id, const char **name)
{
    const char *s = NULL, *nm = NULL;
    if (vp_jr_string(c->r, c->res, c->pointer, "id", &s) != VP_PRESENT || !*s) {
        char ptr[512];
        if (c->r->status == VP_OK)
            vp_jr_fail(c->r, vp_json_pointer_join(ptr, sizeof ptr, c->pointer, "id"), "a non-empty ARM resource id",
                       cJSON_GetObjectItemCaseSensitive(c->res, "id"));
        return c->r->status;
    }
    *id = vpc_arena_strdup(&c->n->arena, vpo_armid_path(s)); /* ids are unique: copied, not interned */
    if (vp_jr_string(c->r, c->res, c->pointer, "name", &nm) != VP_PRESENT) {
        const char *slash = strrchr(s, '/');
        nm = slash ? slash + 1 : s;
    }
    *name = *id ? vpo_keep_unique(c->n, nm, id, 1) : NULL; /* an ARM name is its id's last segment */
    if (!*id || !*name)
        return vp_error_set(c->r->err, VP_ERR_NOMEM, "out of memory");
    return c->r->status;
}

vp_source vpo_source_here(const vp_res_ctx *c)
{
    vp_source s = {c->file, vpo_intern(c->n, c->pointer)};
    return s;
}

vp_status vpo_read_vault_child(vp_res_ctx *c, const char **id, const char **name, vp_source *source,
                              const char **vault_id, const char **subscription_id)
{
    if (vpo_read_identity(c, id, name))
        return c->r->status;
    *source = vpo_source_here(c);
    *vault_id = vpo_armid_vault_id(c->n, *id);
    *subscription_id = vpo_armid_segment(c->n, *id, "subscriptions");
    return VP_OK;
}

/* Enumerations as documented in the Recovery Services specs (docs/snapshot-format.md). */
const char *const vpo_enum_immutability[] = {"Disabled", "Unlocked", "Locked", NULL};
const char *const vpo_enum_soft_delete[] = {"Invalid", "Enabled", "Disabled", "AlwaysON", NULL};
const char *const vpo_enum_enhanced_security[] = {"Invalid", "Enabled", "Disabled", "AlwaysON", NULL};
const char *const vpo_enum_mua[] = {"Invalid", "Enabled", "Disabled", NULL};
const char *const vpo_enum_redundancy[] = {"Invalid", "LocallyRedundant", "GeoRedundant", "ZoneRedundant",
                                          "ReadAccessGeoZoneRedundant", NULL};
const char *const vpo_enum_crr[] = {"Enabled", "Disabled", NULL};
const char *const vpo_enum_secure_score[] = {"None", "Minimum", "Adequate", "Maximum", NULL};
const char *const vpo_enum_bcdr[] = {"Poor", "Fair", "Good", "Excellent", NULL};
const char *const vpo_enum_management_type[] = {"Invalid", "AzureIaasVM", "MAB", "DPM", "AzureBackupServer",
                                               "AzureSql", "AzureStorage", "AzureWorkload", "DefaultBackup",
                                               "GenericProtectionPolicy", NULL};
const char *const vpo_enum_protection_state[] = {"Invalid", "IRPending", "Protected", "ProtectionError",
                                                "ProtectionStopped", "ProtectionPaused", "BackupsSuspended", NULL};
const char *const vpo_enum_health[] = {"Passed", "ActionRequired", "ActionSuggested", "Invalid", "Healthy",
                                      "Unhealthy", "NotReachable", "IRPending", NULL};
const char *const vpo_enum_item_type[] = {"Microsoft.Compute/virtualMachines",
                                         "Microsoft.ClassicCompute/virtualMachines",
                                         "AzureIaaSVMProtectedItem",
                                         "AzureVmWorkloadProtectedItem",
                                         "AzureVmWorkloadSQLDatabase",
                                         "AzureVmWorkloadSAPHanaDatabase",
                                         "AzureVmWorkloadSAPHanaDBInstance",
                                         "AzureVmWorkloadSAPAseDatabase",
                                         "AzureFileShareProtectedItem",
                                         "MabFileFolderProtectedItem",
                                         "DPMProtectedItem",
                                         "Microsoft.Sql/servers/databases",
                                         "GenericProtectedItem",
                                         NULL};
const char *const vpo_enum_policy_type[] = {"Invalid", "V1", "V2", NULL};
const char *const vpo_enum_sub_policy_type[] = {"Invalid", "Full", "Differential", "Log", "CopyOnlyFull",
                                               "Incremental", "SnapshotFull", "SnapshotCopyOnlyFull", NULL};
const char *const vpo_enum_workload_type[] = {"Invalid", "VM", "FileFolder", "AzureSqlDb", "SQLDB", "Exchange",
                                             "Sharepoint", "VMwareVM", "SystemState", "Client",
                                             "GenericDataSource", "SQLDataBase", "AzureFileShare",
                                             "SAPHanaDatabase", "SAPAseDatabase", "SAPHanaDBInstance", NULL};
