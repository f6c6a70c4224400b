/* What the live collector fetches (the calls are the rows of vaultproof/arm.h) and what
 * each page leads to: the subscription list discovers subscriptions; a vault list
 * discovers the per-vault calls and the soft-deleted vault list of each of its vaults'
 * locations; a resource guard proxy list discovers the GET of each guard it names (once
 * per guard, in-scope subscriptions only); a nextLink is followed verbatim, with loop
 * detection and a page cap.
 * Every page is recorded with its sidecar, failures included, so completeness is
 * judged from the recording alone. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "live/engine.h"
#include "vaultproof/worm.h"

static int safe_id(const char *s);

static char *dupe(vl_engine *e, const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d && !e->fatal)
        e->fatal = vp_error_set(e->err, VP_ERR_NOMEM, "out of memory");
    return d;
}

void vpv_call_free(vl_call *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->seen_count; i++)
        free(c->seen[i]);
    free(c->seen);
    free(c->seen_hash);
    free(c->scope);
    free(c->sub);
    free(c->base);
    free(c->url);
    free(c->body);
    free(c);
}

void vpv_call_requeue(vl_engine *e, vl_call *c)
{
    c->next = e->head;
    e->head = c;
    if (!e->tail)
        e->tail = c;
}

void vpv_call_add(vl_engine *e, const vp_arm_operation *op, const char *scope, const char *sub, const char *base, const char *url,
                 int front)
{
    vl_call *c = calloc(1, sizeof *c);
    if (!c || !(c->scope = dupe(e, scope)) || !(c->sub = dupe(e, sub)) || !(c->base = dupe(e, base)) ||
        !(c->url = dupe(e, url))) {
        vpv_call_free(c);
        if (!e->fatal)
            e->fatal = vp_error_set(e->err, VP_ERR_NOMEM, "out of memory");
        return;
    }
    c->op = op;
    c->page = 1;
    if (front) {
        vpv_call_requeue(e, c);
    } else {
        if (e->tail)
            e->tail->next = c;
        else
            e->head = c;
        e->tail = c;
    }
}

/* "&" + op->query with its period placeholder replaced, percent-encoded (its quotes
 * and spaces are not URL characters): "{period_filter}" by the period's job filter
 * (vp_arm_job_filter), "{event_filter}" by the Activity Log's filter over the period
 * and the operation's provider (vp_arm_event_filter). */
static void query_period(const vl_engine *e, const vp_arm_operation *op, char *out, size_t size)
{
    static const char hex[] = "0123456789ABCDEF";
    static const char *const marks[] = {"{period_filter}", "{event_filter}"};
    char filter[256], enc[768];
    const char *mark = NULL, *name = NULL;
    size_t k = 0;
    for (size_t i = 0; i < sizeof marks / sizeof marks[0] && !mark; i++)
        if ((mark = strstr(op->query, marks[i])) != NULL)
            name = marks[i];
    if (op->provider)
        vp_arm_event_filter(e->opt->period->from, e->opt->period->to, op->provider, filter, sizeof filter);
    else
        vp_arm_job_filter(e->opt->period->from, e->opt->period->to, filter, sizeof filter);
    for (const unsigned char *p = (const unsigned char *)filter; *p && k + 4 < sizeof enc; p++) {
        int plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
                    *p == '.' || *p == '_' || *p == '~';
        if (plain) {
            enc[k++] = (char)*p;
        } else {
            enc[k++] = '%';
            enc[k++] = hex[*p >> 4];
            enc[k++] = hex[*p & 15];
        }
    }
    enc[k] = '\0';
    if (mark)
        snprintf(out, size, "&%.*s%s%s", (int)(mark - op->query), op->query, enc, mark + strlen(name));
    else
        snprintf(out, size, "&%s", op->query);
}

/* Queues op listing under parent_scope ("" for the tenant); scope is what the
 * recording names as the call's scope. An operation with a query (vaultproof/arm.h)
 * gets it after api-version, "{object_id}" being the principal's object id; without a
 * usable object id (an opaque token names none) the call is not made, and the snapshot
 * says the access was not recorded. */
static vl_call *add_call(vl_engine *e, const vp_arm_operation *op, const char *parent_scope, const char *scope,
                         const char *sub, const char *base)
{
    char url[4096], query[1024] = "";
    if (op->period && !e->opt->period)
        return NULL; /* period evidence: only over a period */
    if (op->period && op->query) {
        query_period(e, op, query, sizeof query);
    } else if (op->query) {
        const char *oid = vpv_auth_identity(e->auth)->object_id, *mark = strstr(op->query, "{object_id}");
        if (mark && !safe_id(oid))
            return NULL;
        if (mark)
            snprintf(query, sizeof query, "&%.*s%s%s", (int)(mark - op->query), op->query, oid,
                     mark + strlen("{object_id}"));
        else
            snprintf(query, sizeof query, "&%s", op->query);
    }
    size_t n = (size_t)snprintf(url, sizeof url, "%s", e->ep.arm);
    if (n < sizeof url)
        n += vp_arm_path(op, parent_scope, url + n, sizeof url - n);
    if (n < sizeof url)
        snprintf(url + n, sizeof url - n, "?api-version=%s%s", e->ep.api[op->api], query);
    vpv_call_add(e, op, scope, sub, base, url, 0);
    return e->fatal ? NULL : e->tail; /* queued last */
}

/* A vault's cross-region-restore jobs (BackupCrrJobs_List): only for a vault whose vault
 * list entry says redundancySettings.crossRegionRestore Enabled, posted to its location's
 * paired region with the vault's id in the body, recorded under the vault like its other
 * calls. A location without a known pair gets no call: completeness then reports the
 * vault's backupCrrJobs missing (fail closed). */
static void add_crr_call(vl_engine *e, const vp_arm_operation *op, const cJSON *vault, const char *vid,
                         const char *sub, const char *base)
{
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(vault, "properties");
    const cJSON *red = cJSON_GetObjectItemCaseSensitive(props, "redundancySettings");
    const cJSON *crr = cJSON_GetObjectItemCaseSensitive(red, "crossRegionRestore");
    const cJSON *location = cJSON_GetObjectItemCaseSensitive(vault, "location");
    char loc[128], scope[512], body[1200];
    const char *mark = strstr(op->body, "{vault_id}"), *secondary;
    if (!cJSON_IsString(crr) || strcasecmp(crr->valuestring, "Enabled") || !cJSON_IsString(location) ||
        !vpv_location_arm(location->valuestring, loc, sizeof loc) || !(secondary = vp_arm_paired_region(loc)) ||
        !mark || strlen(vid) >= 1000)
        return;
    snprintf(scope, sizeof scope, "/subscriptions/%s/providers/Microsoft.RecoveryServices/locations/%s", sub,
             secondary);
    snprintf(body, sizeof body, "%.*s%s%s", (int)(mark - op->body), op->body, vid, mark + strlen("{vault_id}"));
    vl_call *c = add_call(e, op, scope, vid, sub, base);
    if (c && !(c->body = strdup(body)) && !e->fatal)
        e->fatal = vp_error_set(e->err, VP_ERR_NOMEM, "out of memory");
}

int vpv_location_arm(const char *given, char *out, size_t size)
{
    if (!given || strlen(given) >= size)
        return 0;
    const char *p = vp_location_normalize(given, out, size);
    if (!*p)
        return 0;
    for (; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
            return 0;
    return 1;
}

static unsigned long long key_hash(const char *key)
{
    unsigned long long h = 1469598103934665603ull; /* FNV-1a over the lowercase key */
    for (; *key; key++)
        h = (h ^ (unsigned char)tolower((unsigned char)*key)) * 1099511628211ull;
    return h;
}

/* 1 the first time key (compared ignoring case, as ARM compares ids) is offered, which
 * remembers it; 0 after that, or when memory ran out (e->fatal set). A call several
 * pages can lead to (the soft-deleted vaults of a location, a guard named by many
 * proxies, a vault listed twice) is queued once. An open-addressing set: a tenant may
 * have thousands of vaults. */
static int first_time(vl_engine *e, const char *key)
{
    if (2 * (e->queued_count + 1) > e->queued_cap) {
        size_t cap = e->queued_cap ? e->queued_cap * 2 : 64;
        char **q = calloc(cap, sizeof *q);
        if (!q) {
            if (!e->fatal)
                e->fatal = vp_error_set(e->err, VP_ERR_NOMEM, "out of memory");
            return 0;
        }
        for (size_t i = 0; i < e->queued_cap; i++) {
            if (!e->queued[i])
                continue;
            size_t j = (size_t)key_hash(e->queued[i]) & (cap - 1);
            while (q[j])
                j = (j + 1) & (cap - 1);
            q[j] = e->queued[i];
        }
        free(e->queued);
        e->queued = q;
        e->queued_cap = cap;
    }
    size_t j = (size_t)key_hash(key) & (e->queued_cap - 1);
    for (; e->queued[j]; j = (j + 1) & (e->queued_cap - 1))
        if (!strcasecmp(e->queued[j], key))
            return 0;
    if (!(e->queued[j] = dupe(e, key)))
        return 0;
    e->queued_count++;
    return 1;
}

/* The soft-deleted vaults of sub in location (any spelling; skipped when it is not an
 * Azure location), once per subscription and location. */
static void add_deleted_vaults_call(vl_engine *e, const char *sub, const char *location)
{
    const vp_arm_operation *op = vp_arm_get(VP_ARM_DELETED_VAULTS);
    char loc[128], key[256], scope[512], base[512];
    if (!vpv_location_arm(location, loc, sizeof loc))
        return;
    snprintf(key, sizeof key, "%s %s %s", op->name, sub, loc);
    if (!first_time(e, key))
        return;
    snprintf(scope, sizeof scope, "/subscriptions/%s/providers/Microsoft.RecoveryServices/locations/%s", sub, loc);
    snprintf(base, sizeof base, "subscriptions/%s/locations/%s/%s", sub, loc, op->name);
    add_call(e, op, scope, scope, sub, base);
}

static void add_subscription_calls(vl_engine *e, const char *sub)
{
    char base[512], scope[256];
    snprintf(scope, sizeof scope, "/subscriptions/%s", sub);
    for (vp_arm_op o = 0; o < VP_ARM_OP_COUNT; o++) {
        const vp_arm_operation *op = vp_arm_get(o);
        if (op->parent != VP_ARM_PARENT_SUBSCRIPTION)
            continue;
        snprintf(base, sizeof base, "subscriptions/%s/%s", sub, op->name);
        add_call(e, op, scope, scope, sub, base);
    }
    /* locations the configuration names, for vaults soft-deleted where none remains */
    for (size_t i = 0; i < e->opt->deleted_vault_location_count; i++)
        add_deleted_vaults_call(e, sub, e->opt->deleted_vault_locations[i]);
}

/* The subscription list is always read, a configured scope or not: what the principal
 * could see is reconciled with the scope (collection.access). With a scope, only its
 * subscriptions are collected - each even when the list does not return it, so a
 * subscription the principal cannot see fails where it should. */
void vpv_calls_start(vl_engine *e)
{
    const vp_arm_operation *op = vp_arm_get(VP_ARM_SUBSCRIPTIONS);
    add_call(e, op, "", "/", "", op->name);
    for (size_t i = 0; i < e->opt->subscription_count; i++)
        add_subscription_calls(e, e->opt->subscriptions[i]);
}

/* A subscription id safe to use in a path and a URL (a GUID, in practice). */
static int safe_id(const char *s)
{
    if (!s || !*s || strlen(s) > 63)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-'))
            return 0;
    return 1;
}

/* The ARM path an id names, pointing into id: the id itself when it is a path; for an
 * id spelled as a URL (Microsoft's list examples: "https://management.azure.com/
 * subscriptions/..."), the path after this run's ARM endpoint or the cloud's (what ids
 * say when the endpoint is overridden). NULL for another host (not a resource of this
 * ARM: nothing is asked about it) or a path unusable in a request. */
static const char *arm_path(const vl_engine *e, const char *id)
{
    if (id[0] != '/') {
        const char *bases[] = {e->ep.arm, e->ep.cloud_arm}, *path = NULL;
        for (size_t i = 0; i < sizeof bases / sizeof bases[0] && !path; i++) {
            size_t n = bases[i] ? strlen(bases[i]) : 0;
            if (n && !strncasecmp(id, bases[i], n) && id[n] == '/')
                path = id + n;
        }
        if (!path)
            return NULL;
        id = path;
    }
    return strpbrk(id, "?#% \"\\") ? NULL : id;
}

/* Whether sub is collected: every subscription when none was named. */
static int sub_in_scope(const vl_engine *e, const char *sub)
{
    for (size_t i = 0; i < e->opt->subscription_count; i++)
        if (!strcasecmp(e->opt->subscriptions[i], sub))
            return 1;
    return e->opt->subscription_count == 0;
}

/* The GET of the resource guard a proxy names (resourceGuardResourceId), once per guard
 * id ignoring case, when the id is a guard's
 * (/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.DataProtection/resourceGuards/{name})
 * and its subscription is in scope: a guard outside the scope is never asked for (the
 * snapshot reports it out-of-scope). Recorded as resourceGuards/{s}/{rg}/{name}, lowercase
 * (then named like vault directories). */
static void add_guard_call(vl_engine *e, const char *given)
{
    static const char *const shape[] = {"", "subscriptions", NULL, "resourceGroups", NULL, "providers",
                                        "Microsoft.DataProtection", "resourceGuards", NULL};
    enum { SEGS = sizeof shape / sizeof shape[0] };
    const vp_arm_operation *op = vp_arm_get(VP_ARM_RESOURCE_GUARDS);
    const char *id = arm_path(e, given);
    char seg[SEGS][256], key[1200], base[1024], rg[80], name[80];
    size_t n = 0;
    if (!id || strlen(id) >= 1000)
        return;
    for (const char *p = id; n < SEGS; n++) {
        size_t len = strcspn(p, "/");
        if (len >= sizeof seg[n])
            return;
        memcpy(seg[n], p, len);
        seg[n][len] = '\0';
        if ((shape[n] ? strcasecmp(seg[n], shape[n]) != 0 : !len) || (n + 1 < SEGS) != (p[len] == '/'))
            return; /* not a resource guard's id */
        p += len + 1;
    }
    if (!safe_id(seg[2]) || !sub_in_scope(e, seg[2]))
        return;
    snprintf(key, sizeof key, "%s %s", op->name, id);
    if (!first_time(e, key))
        return;
    /* ids are case-insensitive and proxies may spell one guard differently: whichever
     * spelling arrives first is asked for, but the recording path must not depend on it */
    for (size_t i = 2; i < SEGS; i++)
        for (char *p = seg[i]; *p; p++)
            *p = (char)tolower((unsigned char)*p);
    vpv_vault_dirname(seg[4], rg, sizeof rg);
    vpv_vault_dirname(seg[8], name, sizeof name);
    snprintf(base, sizeof base, "%s/%s/%s/%s", op->name, seg[2], rg, name);
    add_call(e, op, id, id, seg[2], base); /* paced with the guard's subscription */
}

/* The GET of the role definition a role assignment names (roleDefinitionId), once per
 * definition: ARM spells one with and without a /subscriptions/{s} prefix, and its last
 * segment (a GUID) is the same. Recorded as roleDefinitions/{guid}, lowercase. */
static void add_role_definition_call(vl_engine *e, const vl_call *c, const char *given)
{
    static const char tail[] = "/providers/Microsoft.Authorization/roleDefinitions/";
    const vp_arm_operation *op = vp_arm_get(VP_ARM_ROLE_DEFINITIONS);
    const char *id = arm_path(e, given), *last = id ? strrchr(id, '/') : NULL;
    char key[256], base[256], guid[80];
    size_t tl = sizeof tail - 1;
    if (!last || strlen(id) >= 1000 || (size_t)(last + 1 - id) < tl || strncasecmp(last + 1 - tl, tail, tl) ||
        !safe_id(last + 1) || strlen(last + 1) >= sizeof guid)
        return;
    const char *t = last + 1 - tl;
    if (t != id) { /* "/subscriptions/{s}" before it, nothing else */
        size_t n = strlen("/subscriptions/");
        char sub[80];
        if (strncasecmp(id, "/subscriptions/", n) || (size_t)(t - id) - n >= sizeof sub)
            return;
        snprintf(sub, sizeof sub, "%.*s", (int)((size_t)(t - id) - n), id + n);
        if (!safe_id(sub))
            return;
    }
    snprintf(guid, sizeof guid, "%s", t + sizeof tail - 1);
    for (char *p = guid; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    snprintf(key, sizeof key, "%s %s", op->name, guid);
    if (!first_time(e, key))
        return;
    snprintf(base, sizeof base, "%s/%s", op->name, guid);
    add_call(e, op, id, id, c->sub, base);
}

/* The GET of a failed or warned job a vault's job list returned (JobDetails_Get), once
 * per job id ignoring case (ListJobs.json shows one id listed twice). Recorded beside the
 * list as <vault dir>/backupJobs/<job name>.json; a job id whose last segment is not a
 * plain name (a GUID, in practice) is not asked for, and completeness then says so. */
static void add_job_details_call(vl_engine *e, const vl_call *c, const char *given)
{
    const vp_arm_operation *op = vp_arm_get(VP_ARM_BACKUP_JOB_DETAILS);
    const char *id = arm_path(e, given), *name = id ? strrchr(id, '/') : NULL;
    char key[1200], base[1200];
    if (!name || strlen(id) >= 1000 || !safe_id(name + 1))
        return;
    snprintf(key, sizeof key, "%s %s", op->name, id);
    if (!first_time(e, key))
        return;
    snprintf(base, sizeof base, "%s/%s", c->base, name + 1);
    add_call(e, op, id, id, c->sub, base);
}

static void discover(vl_engine *e, const vl_call *c, const cJSON *root)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "value"), *r;
    cJSON_ArrayForEach(r, list) {
        if (c->op->op == VP_ARM_SUBSCRIPTIONS) {
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(r, "subscriptionId");
            /* with a scope, its subscriptions were queued at the start: the list is only
             * what the principal could see */
            if (cJSON_IsString(id) && safe_id(id->valuestring) && e->opt->subscription_count == 0)
                add_subscription_calls(e, id->valuestring);
        } else if (c->op->op == VP_ARM_ROLE_ASSIGNMENTS) {
            const cJSON *props = cJSON_GetObjectItemCaseSensitive(r, "properties");
            const cJSON *def = cJSON_GetObjectItemCaseSensitive(props, "roleDefinitionId");
            if (cJSON_IsString(def))
                add_role_definition_call(e, c, def->valuestring);
        } else if (c->op->op == VP_ARM_VAULTS) {
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(r, "id");
            const cJSON *name = cJSON_GetObjectItemCaseSensitive(r, "name");
            const cJSON *location = cJSON_GetObjectItemCaseSensitive(r, "location");
            if (cJSON_IsString(location))
                add_deleted_vaults_call(e, c->sub, location->valuestring);
            const char *vid = cJSON_IsString(id) ? arm_path(e, id->valuestring) : NULL;
            if (!vid || !cJSON_IsString(name))
                continue; /* not a vault we can address; the snapshot reports what it holds */
            char dir[80], base[1024];
            /* listed twice (both spellings of its id): its calls once, into one directory */
            snprintf(base, sizeof base, "vault %s", vid);
            if (!first_time(e, base))
                continue;
            vpv_vault_dirname(name->valuestring, dir, sizeof dir);
            for (vp_arm_op o = 0; o < VP_ARM_OP_COUNT; o++) {
                const vp_arm_operation *op = vp_arm_get(o);
                if (op->parent != VP_ARM_PARENT_VAULT)
                    continue;
                snprintf(base, sizeof base, "subscriptions/%s/vaults/%s/%s", c->sub, dir, op->name);
                if (op->crr_only)
                    add_crr_call(e, op, r, vid, c->sub, base);
                else
                    add_call(e, op, vid, vid, c->sub, base);
            }
        } else if (c->op->op == VP_ARM_BACKUP_JOBS) {
            const cJSON *props = cJSON_GetObjectItemCaseSensitive(r, "properties");
            const cJSON *status = cJSON_GetObjectItemCaseSensitive(props, "status");
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(r, "id");
            if (cJSON_IsString(status) && vp_arm_job_needs_details(status->valuestring) && cJSON_IsString(id))
                add_job_details_call(e, c, id->valuestring);
        } else if (c->op->op == VP_ARM_BACKUP_RESOURCE_GUARD_PROXIES) {
            const cJSON *props = cJSON_GetObjectItemCaseSensitive(r, "properties");
            const cJSON *guard = cJSON_GetObjectItemCaseSensitive(props, "resourceGuardResourceId");
            if (cJSON_IsString(guard))
                add_guard_call(e, guard->valuestring);
        }
    }
}

static long long count_items(const cJSON *root)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "value");
    if (cJSON_IsArray(list))
        return cJSON_GetArraySize(list);
    return cJSON_IsObject(root) && cJSON_GetObjectItemCaseSensitive(root, "id") ? 1 : 0;
}

static void record(vl_engine *e, vl_call *c, const vl_response *r, const char *body, size_t len,
                   const char *next, int complete, const char *error)
{
    char body_rel[4096], side_rel[4096], url[4096];
    vpv_page_paths(c->base, c->page, body_rel, side_rel, sizeof body_rel);
    vpv_url_scrub(c->url, url, sizeof url);
    vl_sidecar s = {
        .method = c->body ? "POST" : "GET", .request_body = c->body,
        .operation = c->op->name, .scope = c->scope, .url = url, .next_link = next, .error = error,
        .request_id = r->request_id, .correlation_id = r->correlation_id, .date = r->date,
        .principal = vpv_auth_principal(e->auth), .credential = vpv_auth_kind(e->auth),
        .object_id = vpv_auth_identity(e->auth)->object_id, .tenant_id = vpv_auth_identity(e->auth)->tenant_id,
        .principal_name = vpv_auth_identity(e->auth)->name,
        .status = r->status ? r->status : 599, .page = c->page, .complete = complete, .retries = c->retries,
        .requested_ms = c->requested_ms, .received_ms = vpv_wall_ms(),
    };
    vp_status st = vpv_write_body(e->opt->record_dir, body_rel, body, len, e->err);
    if (!st)
        st = vpv_write_sidecar(e->opt->record_dir, side_rel, &s, e->err);
    if (st && !e->fatal)
        e->fatal = st;
}

/* Records a page that ends the call unsuccessfully. The body is ARM's own when it is
 * JSON (an ARM error body, typically); otherwise (no response, truncated, HTML) a
 * body made by vaultproof, marked as such, so the failure is evidenced in place. */
/* The library does not write to stderr: the caller decides (collect prints, pack is quiet;
 * the snapshot records every incomplete call either way). */
__attribute__((format(printf, 2, 3))) static void tell_incomplete(vl_engine *e, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    if (!e->opt->on_incomplete)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    e->opt->on_incomplete(e->opt->on_incomplete_ctx, msg);
}

static void record_failure(vl_engine *e, vl_call *c, const vl_response *r, int body_is_json, const char *why)
{
    char detail[700];
    snprintf(detail, sizeof detail, "%s", why);
    if (body_is_json) {
        record(e, c, r, r->body.data, r->body.len, NULL, 0, detail);
    } else {
        cJSON *o = cJSON_CreateObject(), *eo = cJSON_AddObjectToObject(o, "error");
        cJSON_AddStringToObject(eo, "code", "VaultproofNoUsableResponse");
        cJSON_AddStringToObject(eo, "message", detail);
        char *text = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        if (!text) {
            if (!e->fatal)
                e->fatal = vp_error_set(e->err, VP_ERR_NOMEM, "out of memory");
            return;
        }
        record(e, c, r, text, strlen(text), NULL, 0, detail);
        free(text);
    }
    char url[1024];
    vpv_url_scrub(c->url, url, sizeof url);
    if (vp_arm_refusal_is_evidence(c->op, (int)r->status)) { /* recorded: the refusal is the evidence */
        tell_incomplete(e, "%s %s: %s (%s); recorded, the finding that rests on it says so", c->op->name, c->scope,
                        why, url);
        return;
    }
    e->failed_calls++;
    tell_incomplete(e, "%s %s: %s (%s); recorded as incomplete", c->op->name, c->scope, why, url);
}

void vpv_call_page_done(vl_engine *e, vl_call *c, const vl_response *r, const char *failure)
{
    cJSON *root = r->body.len ? vpv_json_parse(r->body.data, r->body.len) : NULL;
    char why[640];
    if (failure || r->status != 200 || !root) {
        if (failure)
            snprintf(why, sizeof why, "%s", failure);
        else if (r->status != 200) {
            const cJSON *eo = cJSON_GetObjectItemCaseSensitive(root, "error");
            const cJSON *code = cJSON_GetObjectItemCaseSensitive(eo, "code");
            snprintf(why, sizeof why, "HTTP %ld%s%s", r->status, cJSON_IsString(code) ? " " : "",
                     cJSON_IsString(code) ? code->valuestring : "");
        } else
            snprintf(why, sizeof why, "the response body is not JSON");
        record_failure(e, c, r, root != NULL, why);
        cJSON_Delete(root);
        vpv_call_free(c);
        return;
    }
    const cJSON *nl = cJSON_GetObjectItemCaseSensitive(root, "nextLink");
    const char *next = cJSON_IsString(nl) && nl->valuestring[0] ? nl->valuestring : NULL;
    const char *stop = NULL;
    e->items += count_items(root);
    discover(e, c, root);
    if (next) {
        /* hashes first: an uncapped job list may run to thousands of pages whose URLs
         * share a long prefix, and each new one is checked against all before it */
        unsigned long long nh = key_hash(next);
        int loop = !strcmp(c->url, next);
        for (size_t i = 0; i < c->seen_count && !loop; i++)
            loop = c->seen_hash[i] == nh && !strcmp(c->seen[i], next);
        if (loop)
                stop = "nextLink loop: the next page's link repeats a page already fetched";
        int cap = vp_arm_page_cap(c->op, e->max_pages); /* 0: none (a period's job list) */
        if (!stop && cap && c->page >= cap)
            stop = "page cap reached with more pages to fetch";
        size_t al = strlen(e->ep.arm);
        if (!stop && (strncasecmp(next, e->ep.arm, al) != 0 || (next[al] != '/' && next[al] != '?')))
            stop = "nextLink points outside the ARM endpoint; not followed (the bearer token stays with ARM)";
    }
    record(e, c, r, r->body.data, r->body.len, next, next == NULL, stop);
    if (stop) {
        e->failed_calls++;
        tell_incomplete(e, "%s %s: %s after page %d; recorded as incomplete", c->op->name, c->scope, stop,
                        c->page);
    }
    if (!next || stop) {
        cJSON_Delete(root);
        vpv_call_free(c);
        return;
    }
    char **seen = realloc(c->seen, (c->seen_count + 1) * sizeof *seen);
    if (seen)
        c->seen = seen;
    unsigned long long *hashes = seen ? realloc(c->seen_hash, (c->seen_count + 1) * sizeof *hashes) : NULL;
    if (hashes)
        c->seen_hash = hashes;
    char *nu = strdup(next);
    cJSON_Delete(root);
    if (!seen || !hashes || !nu) {
        free(nu);
        if (!e->fatal)
            e->fatal = vp_error_set(e->err, VP_ERR_NOMEM, "out of memory");
        vpv_call_free(c);
        return;
    }
    c->seen_hash[c->seen_count] = key_hash(c->url);
    c->seen[c->seen_count++] = c->url; /* the page just fetched */
    c->url = nu;
    c->page++;
    c->attempt = 0;
    c->reauthed = 0;
    c->retries = 0;
    c->ready_at = 0;
    vpv_call_requeue(e, c); /* finish a started call before opening new ones */
}
