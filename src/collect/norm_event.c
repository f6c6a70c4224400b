/* Activity Log events (ActivityLogs_List, Microsoft.Insights 2015-04-01; EventData as
 * in GetActivityLogsFiltered.json): the period's changes to backup resources, kept in
 * the snapshot's top-level "changes" array (only with a period: without one, a recording
 * that holds events is read as before and the snapshot keeps its bytes).
 *
 * Kept: a write, delete or action on a vault, its backupconfig / backupstorageconfig, a
 * policy, a protected item (backup instance) or a resource guard proxy, of Recovery
 * Services or Data Protection, stamped in the period [from, to), in a terminal status
 * (Succeeded, Failed, Canceled). The Started / Accepted events of the same operation are
 * counted into its change (`begun`), not kept: one change per operation, as an auditor
 * reads it. Of the request (properties.requestbody, a JSON string) only what
 * change.authorized reads is stored (vp_change_request). */
#include <math.h>
#include <string.h>
#include <strings.h>

#include "collect/internal.h"
#include "vaultproof/clock.h"

/* The resource types whose changes are evidence (lowercase compare). An operation is
 * "<type>/write", "<type>/delete" or "<type>/<name>/action". */
static const char *const change_types[] = {
    "Microsoft.RecoveryServices/vaults",
    "Microsoft.RecoveryServices/vaults/backupconfig",
    "Microsoft.RecoveryServices/vaults/backupstorageconfig",
    "Microsoft.RecoveryServices/vaults/backupPolicies",
    "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems",
    "Microsoft.RecoveryServices/vaults/backupResourceGuardProxies",
    "Microsoft.DataProtection/backupVaults",
    "Microsoft.DataProtection/backupVaults/backupPolicies",
    "Microsoft.DataProtection/backupVaults/backupInstances",
    "Microsoft.DataProtection/backupVaults/backupResourceGuardProxies",
    NULL,
};

static const char *const terminal_statuses[] = {"Succeeded", "Failed", "Canceled", NULL};
static const char *const begun_statuses[] = {"Started", "Accepted", NULL};

static int in_list(const char *const *list, const char *s)
{
    for (; s && *list; list++)
        if (!strcasecmp(*list, s))
            return 1;
    return 0;
}

/* Whether operation changes one of change_types. */
static int is_change(const char *op)
{
    for (const char *const *t = change_types; *t; t++) {
        size_t n = strlen(*t);
        if (strncasecmp(op, *t, n) != 0 || op[n] != '/')
            continue;
        const char *verb = op + n + 1;
        if (!strcasecmp(verb, "write") || !strcasecmp(verb, "delete"))
            return 1;
        const char *slash = strchr(verb, '/');
        if (slash && slash > verb && !strcasecmp(slash + 1, "action"))
            return 1;
    }
    return 0;
}

static const char *str_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A {value, localizedValue} member's value (operationName, status, subStatus). */
static const char *value_of(const cJSON *o, const char *key)
{
    return str_of(cJSON_GetObjectItemCaseSensitive(o, key), "value");
}

static const cJSON *path_of(const cJSON *o, const char *const *keys)
{
    for (; o && *keys; keys++)
        o = cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, *keys) : NULL;
    return o;
}

static void take_text(vp_normalizer *n, const cJSON *v, vp_text *out)
{
    if (cJSON_IsString(v)) {
        out->value = vpo_intern(n, v->valuestring);
        out->presence = VP_PRESENT;
    }
}

static void take_days(const cJSON *v, vp_num *out)
{
    if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 1e9 && v->valuedouble == floor(v->valuedouble)) {
        out->value = (long long)v->valuedouble;
        out->presence = VP_PRESENT;
    }
}

/* The vault a resource belongs to: the id up to its Recovery Services vault or Backup
 * vault segment, or NULL. */
static const char *vault_of(vp_normalizer *n, const char *id)
{
    static const char *const markers[] = {"/providers/microsoft.recoveryservices/vaults/",
                                          "/providers/microsoft.dataprotection/backupvaults/", NULL};
    for (const char *const *m = markers; id && *m; m++) {
        size_t ml = strlen(*m);
        for (const char *p = id; *p; p++)
            if (!strncasecmp(p, *m, ml)) {
                const char *end = strchr(p + ml, '/');
                return p[ml] && end != p + ml ? vpo_intern_n(n, id, end ? (size_t)(end - id) : strlen(id)) : NULL;
            }
    }
    return NULL;
}

/* A JSON document carried as a string (statusMessage, requestbody): parsed strictly;
 * one that is not JSON is warned about and read as absent (the event is still kept). */
static cJSON *embedded_json(vp_res_ctx *c, const cJSON *props, const char *key)
{
    const char *text = str_of(props, key);
    char ptr[512], where[600];
    cJSON *root = NULL;
    vp_error e = {0};
    if (!text || !*text)
        return NULL;
    vp_json_pointer_join(ptr, sizeof ptr, c->pointer, "properties");
    vp_json_pointer_join(ptr, sizeof ptr, ptr, key);
    snprintf(where, sizeof where, "%s#%s", c->file, ptr);
    if (vp_json_parse(where, text, strlen(text), &root, &e) != VP_OK) {
        vpo_warn(c->n, "embedded-json", c->file, ptr, "not a JSON document (%s); read as absent", e.message);
        return NULL;
    }
    return root;
}

/* statusMessage: {"error": {"code", "message"}} (ARM's error body), or code/message at
 * its top level. */
static void read_status_message(vp_res_ctx *c, const cJSON *props, vp_change *ch)
{
    cJSON *m = embedded_json(c, props, "statusMessage");
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(m, "error");
    const cJSON *src = cJSON_IsObject(e) ? e : m;
    const char *code = str_of(src, "code"), *msg = str_of(src, "message");
    ch->error_code = code ? vpo_intern(c->n, code) : NULL;
    ch->error_message = msg ? vpc_arena_strdup(&c->n->arena, msg) : NULL;
    cJSON_Delete(m);
}

/* What the request set, by what the operation changes (docs/snapshot-format.md). */
static vp_status read_request(vp_res_ctx *c, const cJSON *props, vp_change *ch)
{
    static const char *const immut[] = {"properties", "securitySettings", "immutabilitySettings", "state", NULL};
    static const char *const rs_sd[] = {"properties", "securitySettings", "softDeleteSettings", "softDeleteState", NULL};
    static const char *const rs_sd_days[] = {"properties", "securitySettings", "softDeleteSettings",
                                             "softDeleteRetentionPeriodInDays", NULL};
    static const char *const dp_sd[] = {"properties", "securitySettings", "softDeleteSettings", "state", NULL};
    static const char *const dp_sd_days[] = {"properties", "securitySettings", "softDeleteSettings",
                                             "retentionDurationInDays", NULL};
    static const char *const cfg_sd[] = {"properties", "softDeleteFeatureState", NULL};
    static const char *const cfg_sd_days[] = {"properties", "softDeleteRetentionPeriodInDays", NULL};
    static const char *const item_policy[] = {"properties", "policyId", NULL};
    static const char *const instance_policy[] = {"properties", "policyInfo", "policyId", NULL};
    vp_change_request *q = &ch->request;
    vp_normalizer *n = c->n;
    cJSON *body = embedded_json(c, props, "requestbody");
    const char *op = ch->operation;
    vp_status st = VP_OK;
    if (!cJSON_IsObject(body)) {
        cJSON_Delete(body);
        return VP_OK;
    }
    take_text(n, path_of(body, immut), &q->immutability);
    take_text(n, path_of(body, rs_sd), &q->soft_delete);
    if (q->soft_delete.presence != VP_PRESENT)
        take_text(n, path_of(body, dp_sd), &q->soft_delete);
    if (q->soft_delete.presence != VP_PRESENT)
        take_text(n, path_of(body, cfg_sd), &q->soft_delete);
    take_days(path_of(body, rs_sd_days), &q->soft_delete_days);
    if (q->soft_delete_days.presence != VP_PRESENT)
        take_days(path_of(body, dp_sd_days), &q->soft_delete_days);
    if (q->soft_delete_days.presence != VP_PRESENT)
        take_days(path_of(body, cfg_sd_days), &q->soft_delete_days);
    take_text(n, path_of(body, item_policy), &q->policy_id);
    if (q->policy_id.presence != VP_PRESENT)
        take_text(n, path_of(body, instance_policy), &q->policy_id);
    if (q->policy_id.presence == VP_PRESENT)
        q->policy_id.value = vpo_armid_normalize(n, q->policy_id.value);
    /* a Recovery Services policy's retention, read as the policy list is read */
    if (!strncasecmp(op, "Microsoft.RecoveryServices/vaults/backupPolicies/", 49) &&
        cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(body, "properties"))) {
        char ptr[512];
        vp_policy p = {0};
        vp_json_pointer_join(ptr, sizeof ptr, c->pointer, "properties");
        vp_json_pointer_join(ptr, sizeof ptr, ptr, "requestbody");
        vp_res_ctx rc = {n, c->r, c->file, ptr, body, c->cap, c->api_version, c->op};
        st = vpo_policy_read(&rc, &p);
        if (!st && p.long_term_days >= 0 && !p.unknown_retention) {
            q->retention_days.value = p.long_term_days;
            q->retention_days.presence = VP_PRESENT;
        }
    }
    cJSON_Delete(body);
    return st;
}

vp_status vpo_norm_event(vp_res_ctx *c)
{
    vp_normalizer *n = c->n;
    const cJSON *res = c->res;
    char ptr[512];
    long long t = 0;
    if (!n->opt.period)
        return VP_OK; /* period evidence: read only over a period (the file is recorded all the same) */
    const char *id = str_of(res, "id"), *op = value_of(res, "operationName"), *when = str_of(res, "eventTimestamp");
    const char *status = value_of(res, "status");
    if (!id || !*id)
        return vp_jr_fail(c->r, vp_json_pointer_join(ptr, sizeof ptr, c->pointer, "id"), "the event's id (a string)",
                          cJSON_GetObjectItemCaseSensitive(res, "id"));
    if (!op)
        return vp_jr_fail(c->r, vp_json_pointer_join(ptr, sizeof ptr, c->pointer, "operationName"),
                          "an object with a string value (the operation)",
                          cJSON_GetObjectItemCaseSensitive(res, "operationName"));
    if (!when || vp_time_parse(when, &t) != 0)
        return vp_jr_fail(c->r, vp_json_pointer_join(ptr, sizeof ptr, c->pointer, "eventTimestamp"),
                          "an RFC 3339 time", cJSON_GetObjectItemCaseSensitive(res, "eventTimestamp"));
    if (!status)
        return vp_jr_fail(c->r, vp_json_pointer_join(ptr, sizeof ptr, c->pointer, "status"),
                          "an object with a string value (the event's status)",
                          cJSON_GetObjectItemCaseSensitive(res, "status"));
    if (!is_change(op)) {
        n->events_other++;
        return VP_OK;
    }
    if (!vp_period_contains(n->opt.period, t)) {
        n->events_outside++; /* the service's `le` includes the period's end; the period does not */
        return VP_OK;
    }
    const char *corr = str_of(res, "correlationId");
    if (in_list(begun_statuses, status)) {
        const char **slot = corr ? VP_VEC_PUSH(n->begun) : NULL;
        if (corr && !slot)
            return vp_error_set(c->r->err, VP_ERR_NOMEM, "out of memory");
        if (slot)
            *slot = vpo_intern(n, corr);
        /* the service writes the request body on the operation's Started event: kept by
         * correlation id for the terminal event, which carries only the outcome */
        const cJSON *bprops = cJSON_GetObjectItemCaseSensitive(res, "properties");
        if (corr && cJSON_IsObject(bprops) && cJSON_GetObjectItemCaseSensitive(bprops, "requestbody")) {
            vp_change tmp;
            memset(&tmp, 0, sizeof tmp);
            tmp.operation = op; /* read_request reads a policy's retention by the operation */
            vp_status st = read_request(c, bprops, &tmp);
            vpo_begun_request *b = st ? NULL : VP_VEC_PUSH(n->begun_requests);
            if (st)
                return st;
            if (!b)
                return vp_error_set(c->r->err, VP_ERR_NOMEM, "out of memory");
            b->correlation_id = *slot;
            b->request = tmp.request;
        }
        return VP_OK;
    }
    if (!in_list(terminal_statuses, status)) {
        n->events_other++;
        return VP_OK;
    }
    vp_change *ch = VP_VEC_PUSH(n->changes);
    if (!ch)
        return vp_error_set(c->r->err, VP_ERR_NOMEM, "out of memory");
    memset(ch, 0, sizeof *ch);
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(res, "properties");
    const char *rid = str_of(res, "resourceId");
    if (!rid)
        rid = str_of(cJSON_GetObjectItemCaseSensitive(res, "authorization"), "scope");
    ch->id = vpo_keep_unique(n, vpo_armid_path(id), NULL, 0);
    ch->time = vpc_arena_strdup(&n->arena, when);
    ch->operation = vpo_intern(n, op);
    ch->status = vpo_intern(n, status);
    ch->sub_status = vpo_intern(n, value_of(res, "subStatus"));
    ch->caller = vpo_intern(n, str_of(res, "caller"));
    ch->correlation_id = corr ? vpc_arena_strdup(&n->arena, corr) : NULL;
    ch->resource_id = rid ? vpo_armid_normalize(n, rid) : NULL;
    ch->vault_id = vault_of(n, ch->resource_id);
    ch->source = vpo_source_here(c);
    if (!ch->id || !ch->time || !ch->source.pointer)
        return vp_error_set(c->r->err, VP_ERR_NOMEM, "out of memory");
    if (cJSON_IsObject(props)) {
        read_status_message(c, props, ch);
        return read_request(c, props, ch);
    }
    return VP_OK;
}

static int request_present(const vp_change_request *r)
{
    return r->immutability.presence == VP_PRESENT || r->soft_delete.presence == VP_PRESENT ||
           r->soft_delete_days.presence == VP_PRESENT || r->policy_id.presence == VP_PRESENT ||
           r->retention_days.presence == VP_PRESENT;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_change(const void *a, const void *b)
{
    return strcasecmp(((const vp_change *)a)->id, ((const vp_change *)b)->id);
}

vp_status vpo_finish_changes(vp_normalizer *n, vp_snapshot *snap, vp_error *err)
{
    (void)err;
    /* the scope: a change to a subscription outside it is left out, like its vaults */
    size_t kept = 0;
    for (size_t i = 0; i < n->changes.n; i++) {
        const vp_change *ch = &n->changes.v[i];
        const char *sub = ch->resource_id ? vpo_armid_segment(n, ch->resource_id, "subscriptions") : NULL;
        if (vpo_subscription_in_scope(&n->opt, sub))
            n->changes.v[kept++] = *ch;
    }
    n->changes.n = kept;
    vp_sort(n->begun.v, n->begun.n, sizeof *n->begun.v, cmp_str);
    vp_sort(n->changes.v, n->changes.n, sizeof *n->changes.v, cmp_change);
    /* one event can be on two pages (paging under inserts): kept once */
    kept = 0;
    for (size_t i = 0; i < n->changes.n; i++)
        if (!kept || strcasecmp(n->changes.v[kept - 1].id, n->changes.v[i].id))
            n->changes.v[kept++] = n->changes.v[i];
    n->changes.n = kept;
    for (size_t i = 0; i < n->changes.n; i++) {
        vp_change *ch = &n->changes.v[i];
        const char *corr = ch->correlation_id ? vpo_intern(n, ch->correlation_id) : NULL;
        size_t lo = 0, hi = n->begun.n;
        while (corr && lo < hi) { /* first entry >= corr */
            size_t mid = lo + (hi - lo) / 2;
            if (strcmp(n->begun.v[mid], corr) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (ch->begun = 0; corr && lo < n->begun.n && !strcmp(n->begun.v[lo], corr); lo++)
            ch->begun++;
        /* a terminal event without a request takes its Started event's (few per period:
         * a linear search) */
        if (corr && !request_present(&ch->request))
            for (size_t b = 0; b < n->begun_requests.n; b++)
                if (n->begun_requests.v[b].correlation_id == corr) {
                    ch->request = n->begun_requests.v[b].request;
                    break;
                }
    }
    snap->changes = n->changes.v;
    snap->change_count = n->changes.n;
    n->changes.v = NULL;
    n->changes.n = 0;
    return VP_OK;
}
