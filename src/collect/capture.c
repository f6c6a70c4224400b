/* Capture sidecars (docs/replay-format.md, "Sidecar"). */
#include <string.h>
#include <strings.h>

#include "collect/internal.h"
#include "vaultproof/arm.h"
#include "vaultproof/clock.h"

static const char *need_time(vp_jreader *r, const cJSON *o, const char *base, const char *key)
{
    long long t;
    char p[256];
    const char *s = vp_jr_req_string(r, o, base, key);
    if (s && vp_time_parse(s, &t) != 0 && r->status == VP_OK)
        r->status = vp_error_set(r->err, VP_ERR_INPUT, "%s: %s: '%s'; expected an RFC 3339 time", r->file,
                                 vp_json_pointer_join(p, sizeof p, base, key), s);
    return s;
}

vp_status vpo_capture_parse(vp_normalizer *n, const char *path, const char *data, size_t len, vp_capture *out,
                           vp_error *err)
{
    cJSON *root = NULL;
    const cJSON *call = NULL;
    vp_jreader r = {.file = path, .err = err, .status = VP_OK};
    long long status = 0, page = 0;
    int complete = 0;
    const char *s = NULL;
    vp_status st = vp_json_parse(path, data, len, &root, err);
    if (st)
        return st;
    memset(out, 0, sizeof *out);
    if (!cJSON_IsObject(root)) {
        st = vp_jr_fail(&r, "", "a capture sidecar object", root);
        goto done;
    }
    const char *format = vp_jr_req_string(&r, root, "", "format");
    if (format && strcmp(format, "vaultproof-capture/1") != 0) {
        st = vp_error_set(err, VP_ERR_INPUT, "%s: /format: '%s'; expected \"vaultproof-capture/1\"", path, format);
        goto done;
    }
    const char *url = vp_jr_req_string(&r, root, "", "url");
    if (vp_jr_int(&r, root, "", "status", 100, 599, &status) != VP_PRESENT && r.status == VP_OK)
        vp_jr_fail(&r, "/status", "an HTTP status code", cJSON_GetObjectItemCaseSensitive(root, "status"));
    const char *requested = need_time(&r, root, "", "requested_at");
    const char *received = need_time(&r, root, "", "received_at");
    vp_jr_int(&r, root, "", "retries", 0, 1000000, &out->retries);
    if (vp_jr_object(&r, root, "", "call", &call) != VP_PRESENT && r.status == VP_OK)
        vp_jr_fail(&r, "/call", "an object", cJSON_GetObjectItemCaseSensitive(root, "call"));
    const char *op = vp_jr_req_string(&r, call, "/call", "operation");
    const char *scope = vp_jr_req_string(&r, call, "/call", "scope");
    if (vp_jr_int(&r, call, "/call", "page", 1, 1000000, &page) != VP_PRESENT && r.status == VP_OK)
        vp_jr_fail(&r, "/call/page", "a page number from 1", cJSON_GetObjectItemCaseSensitive(call, "page"));
    if (vp_jr_bool(&r, call, "/call", "complete", &complete) != VP_PRESENT && r.status == VP_OK)
        vp_jr_fail(&r, "/call/complete", "a boolean", cJSON_GetObjectItemCaseSensitive(call, "complete"));
    out->has_next = vp_jr_string(&r, call, "/call", "next_link", &s) == VP_PRESENT;
    s = NULL;
    if (vp_jr_string(&r, call, "/call", "error", &s) == VP_PRESENT)
        out->error = vpc_arena_strdup(&n->arena, s);
    /* provenance of a live recording: optional, never required of a replay */
    static const char *const ident_keys[] = {"principal", "credential", "principal_object_id", "principal_tenant_id",
                                             "principal_name"};
    const char **ident[] = {&out->principal, &out->credential, &out->object_id, &out->tenant_id, &out->principal_name};
    for (size_t i = 0; i < sizeof ident_keys / sizeof ident_keys[0]; i++) {
        s = NULL;
        if (vp_jr_string(&r, root, "", ident_keys[i], &s) == VP_PRESENT && *s)
            *ident[i] = vpo_intern(n, s);
    }
    if ((st = r.status))
        goto done;
    const vp_arm_operation *arm = vp_arm_find(op);
    if (!arm) {
        char names[512];
        vp_arm_names(names, sizeof names, ", ");
        st = vp_error_set(err, VP_ERR_INPUT, "%s: /call/operation: '%s'; expected one of %s", path, op, names);
        goto done;
    }
    out->operation = arm->name;
    /* a scope is an ARM id like any other: a URL spelling names the same call */
    out->scope = vpo_armid_normalize(n, scope);
    out->scope_key = vpc_arena_strlower(&n->arena, out->scope);
    out->url = vpc_arena_strdup(&n->arena, url);
    out->requested_at = vpc_arena_strdup(&n->arena, requested);
    out->received_at = vpc_arena_strdup(&n->arena, received);
    out->file = vpc_arena_strdup(&n->arena, path);
    out->status = (int)status;
    out->page = (int)page;
    out->complete = complete;
done:
    cJSON_Delete(root);
    return st;
}
