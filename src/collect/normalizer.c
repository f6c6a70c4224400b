/* The normalizer's front half: one response body at a time, classified by type. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "collect/extras.h"
#include "collect/internal.h"
#include "vaultproof/fileio.h"

vp_status vp_normalizer_new(const vp_collect_options *opt, vp_normalizer **out, vp_error *err)
{
    *out = NULL;
    if (!opt || !opt->worm)
        return vp_error_set(err, VP_ERR_INTERNAL, "vp_normalizer_new: a WORM catalog is required");
    vp_normalizer *n = calloc(1, sizeof *n);
    if (!n)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    n->opt = *opt;
    if (opt->jobs_out && !(n->job_writer = malloc(sizeof *n->job_writer))) {
        free(n);
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    }
    *out = n;
    return VP_OK;
}

void vp_normalizer_free(vp_normalizer *n)
{
    if (!n)
        return;
    free(n->subs.v);
    free(n->vaults.v);
    free(n->policies.v);
    free(n->items.v);
    free(n->vms.v);
    free(n->vaultconfigs.v);
    free(n->storageconfigs.v);
    free(n->guards.v);
    free(n->resource_guards.v);
    free(n->engines.v);
    free(n->deleted_vaults.v);
    free(n->warnings.v);
    free(n->files.v);
    free(n->captures.v);
    free(n->seen.v);
    free(n->role_assignments.v);
    free(n->role_definitions.v);
    free(n->visible.v);
    free(n->listed_all.v);
    free(n->job_unknown_kinds.v);
    free(n->job_detail_ids.v);
    free(n->job_vaults.v);
    free(n->job_keys.keys);
    free(n->job_writer);
    free(n->changes.v);
    free(n->begun.v);
    free(n->begun_requests.v);
    free(n->strings.slots);
    free(n->strings.hashes);
    vpc_arena_free(&n->arena);
    free(n);
}

static vp_status record_file(vp_normalizer *n, const char *path, const char *sha256, size_t len, const char *role,
                             vp_error *err)
{
    vp_input_file *f = VP_VEC_PUSH(n->files);
    if (!f)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    f->path = vpc_arena_strdup(&n->arena, path);
    f->sha256 = vpc_arena_strdup(&n->arena, sha256);
    f->role = role;
    f->bytes = (long long)len;
    return f->path && f->sha256 ? VP_OK : vp_error_set(err, VP_ERR_NOMEM, "out of memory");
}

void vpo_push_seen(vp_normalizer *n, const char *op, const char *scope, const char *file, size_t first_seen,
                   int dangling)
{
    if (!scope)
        return;
    for (size_t i = first_seen; i < n->seen.n; i++) /* once per body (file: its one arena copy) and call */
        if (n->seen.v[i].file == file && !strcmp(n->seen.v[i].operation, op) && !strcasecmp(n->seen.v[i].scope, scope))
            return;
    vp_seen_call *s = VP_VEC_PUSH(n->seen);
    if (!s)
        return;
    s->operation = op;
    s->scope = scope;
    s->scope_key = vpc_arena_strlower(&n->arena, scope);
    s->file = file;
    s->dangling_next = dangling;
}

/* The list call a resource returned by arm came from, inferred from its id, for offline
 * exports that have no sidecar to say so. The id is normalized first (a URL-spelled id
 * evidences the same call as the path). */
static void note_seen(vp_normalizer *n, const vp_arm_operation *arm, const cJSON *res, const char *file,
                      size_t first_seen)
{
    const cJSON *idj = cJSON_GetObjectItemCaseSensitive(res, "id");
    const char *scope = NULL;
    if (!cJSON_IsString(idj))
        return;
    const char *id = vpo_armid_normalize(n, idj->valuestring);
    const char *sub = id ? vpo_armid_segment(n, id, "subscriptions") : NULL;
    switch (arm->parent) {
    case VP_ARM_PARENT_TENANT:
        scope = "/";
        break;
    case VP_ARM_PARENT_SUBSCRIPTION:
        scope = sub ? vpc_arena_printf(&n->arena, "/subscriptions/%s", sub) : NULL;
        break;
    case VP_ARM_PARENT_LOCATION: {
        scope = vpo_location_scope(n, sub, id ? vpo_armid_segment(n, id, "locations") : NULL);
        break;
    }
    case VP_ARM_PARENT_RESOURCE:
        scope = id; /* a GET of the resource itself */
        break;
    case VP_ARM_PARENT_VAULT:
        scope = id ? vpo_armid_vault_id(n, id) : NULL;
        break;
    }
    if (scope)
        vpo_push_seen(n, arm->name, scope, file, first_seen, 0);
}

/* The call a body answered, told by its path in the recommended layout
 * (docs/replay-format.md): subscriptions/<sub>/<operation>[.page-NNNN].json for a
 * subscription's lists, subscriptions/<sub>/locations/<location>/<operation>[...].json
 * for a location's. Used only when nothing in the body identifies its call and the body
 * has a nextLink nobody answered: the call is then incomplete instead of unrecorded
 * (fail closed). Per-vault paths name the vault but not its resource group, so they
 * cannot give the vault's id. Returns the operation (and *scope), or NULL. */
static const vp_arm_operation *call_from_path(vp_normalizer *n, const char *file, const char **scope)
{
    static const char prefix[] = "subscriptions/";
    const char *p = file, *slash;
    char name[64];
    if (strncmp(p, prefix, sizeof prefix - 1) != 0)
        return NULL;
    p += sizeof prefix - 1;
    if (!(slash = strchr(p, '/')) || slash == p)
        return NULL;
    const char *sub = vpo_intern_n(n, p, (size_t)(slash - p)), *loc = NULL;
    p = slash + 1;
    if (!strncmp(p, "locations/", 10)) {
        p += 10;
        if (!(slash = strchr(p, '/')) || slash == p)
            return NULL;
        loc = vpo_intern_n(n, p, (size_t)(slash - p));
        p = slash + 1;
    }
    size_t len = strcspn(p, ".");
    if (strchr(p, '/') || len == 0 || len >= sizeof name)
        return NULL;
    const char *rest = p + len;
    if (!strncmp(rest, ".page-", 6))
        rest += 6 + strspn(rest + 6, "0123456789");
    if (strcmp(rest, ".json") != 0)
        return NULL;
    memcpy(name, p, len);
    name[len] = '\0';
    const vp_arm_operation *op = vp_arm_find(name);
    if (!op || !sub || op->parent != (loc ? VP_ARM_PARENT_LOCATION : VP_ARM_PARENT_SUBSCRIPTION))
        return NULL;
    *scope = loc ? vpc_arena_printf(&n->arena, "/subscriptions/%s/providers/Microsoft.RecoveryServices/locations/%s", sub, loc)
                 : vpc_arena_printf(&n->arena, "/subscriptions/%s", sub);
    return *scope ? op : NULL;
}

/* One normalizer per kind the table names (vaultproof/arm.h). */
static const col_normalize_fn normalizers[] = {
    [VP_ARM_KIND_SUBSCRIPTION] = vpo_norm_subscription,
    [VP_ARM_KIND_VAULT] = vpo_norm_vault,
    [VP_ARM_KIND_VM] = vpo_norm_vm,
    [VP_ARM_KIND_POLICY] = vpo_norm_policy,
    [VP_ARM_KIND_ITEM] = vpo_norm_item,
    [VP_ARM_KIND_GUARD] = vpo_norm_guard,
    [VP_ARM_KIND_VAULTCONFIG] = vpo_norm_vaultconfig,
    [VP_ARM_KIND_STORAGECONFIG] = vpo_norm_storageconfig,
    [VP_ARM_KIND_ENGINE] = vpo_norm_engine,
    [VP_ARM_KIND_DELETED_VAULT] = vpo_norm_deleted_vault,
    [VP_ARM_KIND_RESOURCE_GUARD] = vpo_norm_resource_guard,
    [VP_ARM_KIND_ROLE_ASSIGNMENT] = vpo_norm_role_assignment,
    [VP_ARM_KIND_ROLE_DEFINITION] = vpo_norm_role_definition,
    [VP_ARM_KIND_JOB] = vpo_norm_job,
    [VP_ARM_KIND_EVENT] = vpo_norm_event,
};
_Static_assert(sizeof normalizers / sizeof normalizers[0] == VP_ARM_KIND_COUNT,
               "every vp_arm_kind needs a normalizer in this array");

col_normalize_fn vpo_normalizer_for(vp_arm_kind kind)
{
    return (unsigned)kind < VP_ARM_KIND_COUNT ? normalizers[kind] : NULL;
}

/* The api-version a capture's URL asked for (interned), or NULL. */
static const char *capture_api_version(vp_normalizer *n, const vp_capture *cap)
{
    const char *q = cap && cap->url ? strchr(cap->url, '?') : NULL;
    for (const char *p = q; p; p = strchr(p + 1, '&'))
        if (!strncmp(p + 1, "api-version=", 12))
            return vpo_intern_n(n, p + 13, strcspn(p + 13, "&#"));
    return NULL;
}

static vp_status normalize_body(vp_normalizer *n, const char *file, const cJSON *root, const vp_capture *cap,
                                vp_error *err)
{
    vp_jreader r = {.file = file, .err = err, .status = VP_OK};
    const cJSON *list = root, *errobj = NULL;
    const char *base = "", *next = NULL;
    long long ignored = 0;
    size_t first_seen = n->seen.n;
    const char *api_version = capture_api_version(n, cap);
    char ptr[64];

    if (cJSON_IsObject(root) && cJSON_GetObjectItemCaseSensitive(root, "value")) {
        if (vp_jr_array(&r, root, "", "value", &list) != VP_PRESENT)
            return r.status ? r.status : vp_jr_fail(&r, "/value", "an array of resources", NULL);
        base = "/value";
        vp_jr_string(&r, root, "", "nextLink", &next);
        if (r.status)
            return r.status;
    } else if (cJSON_IsObject(root) && !cJSON_GetObjectItemCaseSensitive(root, "id") &&
               vp_jr_object(&r, root, "", "error", &errobj) == VP_PRESENT) {
        const char *code = NULL;
        vp_jr_string(&r, errobj, "/error", "code", &code);
        if (!cap || cap->status < 400) {
            n->ignored++;
            vpo_warn(n, "error-response", file, "/error", "an ARM error body (%s) %s", code ? code : "no code",
                    cap ? "with a successful status in its sidecar" : "with no sidecar: the call it answers is unknown");
        }
        return r.status;
    } else if (!cJSON_IsObject(root) && !cJSON_IsArray(root)) {
        return vp_jr_fail(&r, "", "an ARM list ({\"value\": [...]}), an array of resources or one resource", root);
    }

    int single = cJSON_IsObject(list), i = 0;
    for (const cJSON *res = single ? list : list->child; res; res = single ? NULL : res->next, i++) {
        const char *type = NULL;
        if (single)
            ptr[0] = '\0';
        else
            vp_json_pointer_index(ptr, sizeof ptr, base, i);
        if (!cJSON_IsObject(res))
            return vp_jr_fail(&r, ptr, "a resource object", res);
        vp_jr_string(&r, res, ptr, "type", &type);
        if (r.status)
            return r.status;
        const vp_arm_operation *arm = vpo_classify(res, type);
        if (!arm) {
            ignored++;
            continue;
        }
        if (arm->kind == VP_ARM_KIND_JOB) /* one type, several calls */
            arm = vpo_job_operation(cap, res, single);
        vp_res_ctx c = {n, &r, file, ptr, res, cap, api_version, arm};
        if (normalizers[arm->kind](&c))
            return r.status ? r.status : err->status;
        if (!cap)
            note_seen(n, arm, res, file, first_seen);
    }
    if (ignored) {
        n->ignored += ignored;
        vpo_warn(n, "ignored-resource", file, base, "%lld resource(s) of types vaultproof does not read were ignored",
                ignored);
    }
    if (next && !cap) {
        const vp_arm_operation *op;
        const char *scope = NULL;
        for (size_t s = first_seen; s < n->seen.n; s++)
            n->seen.v[s].dangling_next = 1;
        if (first_seen == n->seen.n) { /* no resource named the call */
            if ((op = call_from_path(n, file, &scope)) != NULL)
                vpo_push_seen(n, op->name, scope, file, first_seen, 1);
            else
                vpo_warn(n, "unanswered-next-link", file, "/nextLink",
                        "the list has more pages but nothing identifies the call it belongs to");
        }
    }
    if (cap && (next != NULL) != (cap->has_next != 0))
        vpo_warn(n, "sidecar-mismatch", file, "/nextLink", "the body's nextLink and its sidecar's call.next_link disagree");
    return VP_OK;
}

void vpo_prepare_body(vp_prepared_body *b)
{
    vp_sha256_hex(b->body, b->len, b->sha256);
    if (b->sidecar)
        vp_sha256_hex(b->sidecar, b->sidecar_len, b->sidecar_sha256);
    b->root = NULL;
    b->status = b->pool ? vp_json_parse_pooled(b->path, b->body, b->len, b->pool, &b->root, &b->error)
                        : vp_json_parse(b->path, b->body, b->len, &b->root, &b->error);
}

vp_status vpo_normalizer_add_prepared(vp_normalizer *n, const vp_prepared_body *b, vp_error *err)
{
    vp_capture cap, *capp = NULL;
    vp_status st;
    const char *file = vpc_arena_strdup(&n->arena, b->path);

    if (!file)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    if (b->sidecar && (st = vpo_capture_parse(n, b->sidecar_path, b->sidecar, b->sidecar_len, &cap, err)))
        return st;
    /* Period evidence (the ARM table's period column) recorded beside a point-in-time capture
     * is not what a snapshot without a period rests on: left out entirely - not listed, not
     * counted, not in the capture window - so such a replay keeps its bytes whether or not
     * the recording also holds a quarter of jobs (docs/period-evidence.md). An offline export
     * (no sidecar) names no operation and is read as before. */
    if (b->sidecar && !n->opt.period && vp_arm_find(cap.operation)->period)
        return VP_OK;
    if ((st = record_file(n, b->path, b->sha256, b->len, "body", err)))
        return st;
    if (b->sidecar) {
        if ((st = record_file(n, b->sidecar_path, b->sidecar_sha256, b->sidecar_len, "sidecar", err)))
            return st;
        vp_capture *slot = VP_VEC_PUSH(n->captures);
        if (!slot)
            return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
        cap.file = file;
        *slot = cap;
        capp = &cap;
    }
    if (b->status) {
        *err = b->error;
        return b->status;
    }
    return normalize_body(n, file, b->root, capp, err);
}

vp_status vp_normalizer_add(vp_normalizer *n, const char *path, const char *body, size_t len,
                            const char *sidecar_path, const char *sidecar, size_t sidecar_len, vp_error *err)
{
    vp_prepared_body b = {.path = path, .body = body, .len = len, .sidecar_path = sidecar_path,
                          .sidecar = sidecar, .sidecar_len = sidecar_len};
    vpo_prepare_body(&b);
    vp_status st = vpo_normalizer_add_prepared(n, &b, err);
    cJSON_Delete(b.root);
    return st;
}

vp_status vp_normalizer_finish(vp_normalizer *n, vp_snapshot **out, vp_error *err)
{
    *out = NULL;
    vp_snapshot *snap = calloc(1, sizeof *snap);
    if (!snap) {
        vp_normalizer_free(n);
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    }
    vp_status st = vpo_finish_snapshot(n, snap, err);
    vp_normalizer_free(n); /* finish took what the snapshot keeps */
    if (st) {
        vp_snapshot_free(snap);
        return st;
    }
    *out = snap;
    return VP_OK;
}
