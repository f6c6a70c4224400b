/* The back half for engines, soft-deleted vaults and resource guards (internal.h,
 * vpo_finish_extras), and the attribution of proxies whose id names no vault
 * (vpo_attribute_proxies). finish.c has already sorted them by id, dropped the
 * duplicates and applied the scope. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "collect/extras.h"

/* The value of "<segment>/" in a relative path, at its start or after a '/', up to the
 * next '/'; its length in *len. NULL when absent. */
static const char *path_segment(const char *path, const char *segment, size_t *len)
{
    size_t sl = strlen(segment);
    for (const char *p = path; p; p = strchr(p, '/')) {
        if (*p == '/')
            p++;
        if (strncasecmp(p, segment, sl) == 0 && p[sl] == '/') {
            const char *v = p + sl + 1;
            *len = strcspn(v, "/");
            return *len && v[*len] == '/' ? v : NULL;
        }
    }
    return NULL;
}

static int has_capture(const vp_normalizer *n, const char *file)
{
    for (size_t i = 0; i < n->captures.n; i++)
        if (n->captures.v[i].file && !strcmp(n->captures.v[i].file, file))
            return 1;
    return 0;
}

void vpo_attribute_proxies(vp_normalizer *n)
{
    for (size_t i = 0; i < n->guards.n; i++) {
        vp_pending_guard *g = &n->guards.v[i];
        size_t sl = 0, vl = 0;
        const char *file = g->proxy.source.file;
        if (g->vault_id || !file)
            continue;
        /* the recommended layout: subscriptions/<sub>/vaults/<vault-name>/... */
        const char *sub = path_segment(file, "subscriptions", &sl);
        const char *name = sub ? path_segment(sub + sl, "vaults", &vl) : NULL;
        if (!name || name != sub + sl + 8)
            continue; /* finish warns it as an orphan */
        for (size_t k = 0; k < n->vaults.n; k++) {
            const vp_vault *v = &n->vaults.v[k];
            if (v->subscription_id && strlen(v->subscription_id) == sl && !strncasecmp(v->subscription_id, sub, sl) &&
                v->name && strlen(v->name) == vl && !strncasecmp(v->name, name, vl)) {
                g->vault_id = v->id;
                break;
            }
        }
        if (g->vault_id && !has_capture(n, file))
            vpo_push_seen(n, vp_arm_get(VP_ARM_BACKUP_RESOURCE_GUARD_PROXIES)->name, g->vault_id, file, 0, 0);
    }
}

static int cmp_str_case(const void *a, const void *b)
{
    return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

static const vp_list_call *find_call(const vp_snapshot *snap, const char *op, const char *scope)
{
    for (size_t i = 0; i < snap->collection.list_count; i++) {
        const vp_list_call *l = &snap->collection.lists[i];
        if (!strcmp(l->operation, op) && !strcasecmp(l->scope, scope))
            return l;
    }
    return NULL;
}

/* One vp_resource_guard per distinct guard id the proxies of the snapshot's vaults name:
 * the one read, else why it was not (status and detail, vaultproof/snapshot.h). A guard
 * read but named by none of them is left out, warned and counted. */
static vp_status build_resource_guards(vp_normalizer *n, vp_snapshot *snap, vp_error *err)
{
    size_t count = 0, out = 0;
    for (size_t i = 0; i < n->vaults.n; i++)
        count += n->vaults.v[i].guard_count;
    const char **ids = malloc((count + 1) * sizeof *ids);
    vp_resource_guard *rg = calloc(count + 1, sizeof *rg);
    if (!ids || !rg) {
        free(ids);
        free(rg);
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    }
    count = 0;
    for (size_t i = 0; i < n->vaults.n; i++)
        for (size_t k = 0; k < n->vaults.v[i].guard_count; k++)
            if (n->vaults.v[i].guards[k].resource_guard_id)
                ids[count++] = n->vaults.v[i].guards[k].resource_guard_id;
    vp_sort(ids, count, sizeof *ids, cmp_str_case);
    const char *op = vp_arm_get(VP_ARM_RESOURCE_GUARDS)->name;
    for (size_t i = 0; i < count; i++) {
        if (out && !strcasecmp(rg[out - 1].id, ids[i]))
            continue;
        vp_resource_guard *g = &rg[out++];
        const vp_resource_guard *read = FIND(n->resource_guards, vp_resource_guard, ids[i]);
        if (read) {
            *g = *read;
            g->id = ids[i]; /* as the proxy names it */
            continue;
        }
        const char *slash = strrchr(ids[i], '/');
        g->id = ids[i];
        g->name = slash ? slash + 1 : ids[i];
        g->resource_group = vpo_armid_segment(n, ids[i], "resourceGroups");
        g->subscription_id = vpo_armid_segment(n, ids[i], "subscriptions");
        if (!vpo_subscription_in_scope(&n->opt, g->subscription_id)) {
            g->status = "out-of-scope";
            g->detail = vpc_arena_printf(&n->arena, "its subscription %s is outside the collection's --subscription "
                                         "scope: not asked for",
                                         g->subscription_id ? g->subscription_id : "(none in its id)");
            continue;
        }
        const vp_list_call *l = find_call(snap, op, ids[i]);
        g->status = l && l->status == VP_LIST_INCOMPLETE ? "unreadable" : "missing";
        if (!l || l->status == VP_LIST_MISSING)
            g->detail = "no response found for this call";
        else if (l->status == VP_LIST_INCOMPLETE)
            g->detail = l->detail;
        else /* answered, but what came back was no resource guard */
            g->detail = "its GET was answered but returned no resource guard";
    }
    /* read, but no vault of the snapshot names it */
    for (size_t i = 0; i < n->resource_guards.n; i++) {
        const vp_resource_guard *r = &n->resource_guards.v[i];
        const char *key = r->id;
        if (vp_search(&key, ids, count, sizeof *ids, cmp_str_case))
            continue;
        n->ignored++;
        vpo_warn(n, "orphan-resource", r->source.file, r->source.pointer,
                 "resource guard %s is named by no resource guard proxy of a vault in the snapshot; left out", r->id);
    }
    free(ids);
    free(n->resource_guards.v);
    n->resource_guards.v = rg;
    n->resource_guards.n = out;
    return VP_OK;
}

vp_status vpo_finish_extras(vp_normalizer *n, vp_snapshot *snap, vp_error *err)
{
    vp_status st;
    for (size_t i = 0; i < n->engines.n; i++) {
        vp_backup_engine *e = &n->engines.v[i];
        vp_vault *v = FIND(n->vaults, vp_vault, e->vault_id);
        e->vault_listed = v != NULL;
        if (v)
            v->engine_count++;
    }
    if ((st = build_resource_guards(n, snap, err)))
        return st;
#define TAKE(dst, cnt, vec) (snap->dst = (vec).v, snap->cnt = (vec).n, (vec).v = NULL, (vec).n = 0)
    TAKE(resource_guards, resource_guard_count, n->resource_guards);
    TAKE(engines, engine_count, n->engines);
    TAKE(deleted_vaults, deleted_vault_count, n->deleted_vaults);
#undef TAKE
    return VP_OK;
}
