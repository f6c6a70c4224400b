/* collection.access: what the collecting principal could see and read, so the
 * population's completeness can be tested (PCAOB AS 1105: information produced by the
 * entity). Two parts:
 *  - the reconciliation of the scope with the subscriptions list the principal got:
 *    in scope and visible, in scope but not visible (a gap in the population), visible
 *    but out of scope (what was excluded, by name);
 *  - per in-scope subscription, the principal's role assignments (assignedTo()) with
 *    the role names and what their definitions allow.
 * Built after completeness was judged: a role assignment list's status is its list
 * call's. Everything lives in the normalizer's arena, which the snapshot takes over. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "collect/internal.h"

static const char *sub_of(const vp_subscription *s)
{
    return s->subscription_id ? s->subscription_id : s->id + strlen("/subscriptions/");
}

void vpo_access_note_visible(vp_normalizer *n)
{
    for (size_t i = 0; i < n->subs.n; i++) {
        const vp_subscription *s = &n->subs.v[i];
        if (!s->listed)
            continue;
        vp_access_subscription *v = VP_VEC_PUSH(n->visible);
        vp_subscription *e = v ? VP_VEC_PUSH(n->listed_all) : NULL;
        if (!e)
            return; /* out of memory: vpo_access_finish reports it */
        *v = (vp_access_subscription){sub_of(s), s->display_name, s->state, NULL, s->source};
        *e = *s;
    }
}

static int cmp_access_sub(const void *a, const void *b)
{
    return strcasecmp(((const vp_access_subscription *)a)->subscription_id,
                      ((const vp_access_subscription *)b)->subscription_id);
}

static int cmp_str_ci(const void *a, const void *b)
{
    return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_pending_ra(const void *a, const void *b)
{
    const vp_pending_role_assignment *x = a, *y = b;
    int c = strcasecmp(x->subscription_id, y->subscription_id);
    return c ? c : strcasecmp(x->ra.id, y->ra.id);
}

static const vp_access_subscription *find_visible(const vp_normalizer *n, const char *sub)
{
    for (size_t i = 0; i < n->visible.n; i++)
        if (!strcasecmp(n->visible.v[i].subscription_id, sub))
            return &n->visible.v[i];
    return NULL;
}

/* The role definition an assignment names: by its last segment (a GUID), because ARM
 * spells the same definition with and without a /subscriptions/{s} prefix. */
static const vp_pending_role_definition *find_definition(const vp_normalizer *n, const char *def_id)
{
    const char *g = def_id ? strrchr(def_id, '/') : NULL;
    for (size_t i = 0; g && i < n->role_definitions.n; i++) {
        const char *h = strrchr(n->role_definitions.v[i].id, '/');
        if (h && !strcasecmp(g, h))
            return &n->role_definitions.v[i];
    }
    return NULL;
}

/* Whether an assignment made at scope applies to the whole of subscription sub: made at
 * it, or above it (the tenant root, a management group). */
static int covers(const char *scope, const char *sub)
{
    static const char mg[] = "/providers/Microsoft.Management/managementGroups/";
    if (!scope)
        return 0;
    if (!strcmp(scope, "/") || !strncasecmp(scope, mg, sizeof mg - 1))
        return 1;
    size_t n = strlen("/subscriptions/"), k = strlen(sub);
    return !strncasecmp(scope, "/subscriptions/", n) && !strncasecmp(scope + n, sub, k) &&
           (scope[n + k] == '\0' || (scope[n + k] == '/' && scope[n + k + 1] == '\0'));
}

/* The role assignment list call of sub, judged by completeness; NULL when not recorded. */
static const vp_list_call *assignment_call(const vp_snapshot *snap, const char *sub)
{
    const vp_collection *col = &snap->collection;
    size_t n = strlen("/subscriptions/");
    for (size_t i = 0; i < col->list_count; i++) {
        const vp_list_call *l = &col->lists[i];
        if (!strcmp(l->operation, vp_arm_get(VP_ARM_ROLE_ASSIGNMENTS)->name) &&
            !strncasecmp(l->scope, "/subscriptions/", n) && !strcasecmp(l->scope + n, sub))
            return l;
    }
    return NULL;
}

static int refused(const vp_normalizer *n, const char *sub)
{
    for (size_t i = 0; i < n->captures.n; i++) {
        const vp_capture *c = &n->captures.v[i];
        const char *s = c->operation == vp_arm_get(VP_ARM_ROLE_ASSIGNMENTS)->name
                            ? vpo_armid_segment((vp_normalizer *)n, c->scope, "subscriptions")
                            : NULL;
        if (s && !strcasecmp(s, sub) && (c->status == 401 || c->status == 403))
            return 1;
    }
    return 0;
}

static vp_status fill_scope(vp_normalizer *n, const vp_snapshot *snap, const char *sub, vp_access_scope *sc,
                            vp_error *err)
{
    const vp_list_call *l = assignment_call(snap, sub);
    sc->subscription_id = sub;
    if (!l || l->status == VP_LIST_MISSING) {
        sc->status = "not-recorded";
        sc->detail = "the recording has no role assignment list for this subscription";
        return VP_OK;
    }
    if (l->status == VP_LIST_COMPLETE) {
        sc->status = "read";
    } else {
        sc->status = refused(n, sub) ? "refused" : "incomplete";
        sc->detail = l->detail;
    }
    size_t first = 0, count = 0;
    while (first < n->role_assignments.n && strcasecmp(n->role_assignments.v[first].subscription_id, sub) < 0)
        first++;
    while (first + count < n->role_assignments.n &&
           !strcasecmp(n->role_assignments.v[first + count].subscription_id, sub))
        count++;
    if (!count)
        return VP_OK;
    sc->assignments = vpc_arena_alloc(&n->arena, count * sizeof *sc->assignments);
    if (!sc->assignments)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < count; i++) {
        const vp_pending_role_assignment *p = &n->role_assignments.v[first + i];
        if (sc->assignment_count && !strcasecmp(sc->assignments[sc->assignment_count - 1].id, p->ra.id))
            continue; /* listed on two pages or in two files */
        vp_role_assignment *r = &sc->assignments[sc->assignment_count++];
        *r = p->ra;
        const vp_pending_role_definition *d = find_definition(n, r->role_definition_id);
        r->covers_subscription = covers(r->scope, sub);
        r->role_name = d ? d->role_name : NULL;
        r->reads_vaults = d ? d->reads_vaults : -1;
        r->writes = d ? d->writes : -1;
    }
    return VP_OK;
}

const vp_subscription *vpo_listed_subscription(const vp_normalizer *n, const char *sub)
{
    for (size_t i = 0; sub && i < n->listed_all.n; i++)
        if (!strcasecmp(sub_of(&n->listed_all.v[i]), sub))
            return &n->listed_all.v[i];
    return NULL;
}

vp_status vpo_access_finish(vp_normalizer *n, vp_snapshot *snap, vp_error *err)
{
    if (n->visible.n != n->listed_all.n)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    vp_access *a = &snap->collection.access;
    a->recorded = 1;
    for (size_t i = 0; i < n->captures.n; i++) { /* captures are sorted: the same choice every run */
        const vp_capture *c = &n->captures.v[i];
        a->client_id = a->client_id ? a->client_id : c->principal;
        a->credential = a->credential ? a->credential : c->credential;
        a->object_id = a->object_id ? a->object_id : c->object_id;
        a->tenant_id = a->tenant_id ? a->tenant_id : c->tenant_id;
        a->display_name = a->display_name ? a->display_name : c->principal_name;
        a->subscriptions_listed |= c->operation == vp_arm_get(VP_ARM_SUBSCRIPTIONS)->name;
    }
    for (size_t i = 0; i < n->seen.n; i++)
        a->subscriptions_listed |= !strcmp(n->seen.v[i].operation, vp_arm_get(VP_ARM_SUBSCRIPTIONS)->name);
    a->subscriptions_listed |= n->visible.n > 0;

    /* the in-scope subscriptions: those of the snapshot (listed in scope, or holding its
     * resources) and every configured one, once each */
    size_t cap = n->subs.n + n->opt.subscription_count, ns = 0;
    const char **in = calloc(cap + 1, sizeof *in);
    if (!in)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n->subs.n; i++)
        if (vpo_subscription_in_scope(&n->opt, sub_of(&n->subs.v[i]))) /* not a guard's outside it */
            in[ns++] = sub_of(&n->subs.v[i]);
    for (size_t i = 0; i < n->opt.subscription_count; i++)
        if (!(in[ns++] = vpo_intern(n, n->opt.subscriptions[i]))) {
            free(in);
            return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
        }
    vp_sort(in, ns, sizeof *in, cmp_str_ci);
    size_t k = 0;
    for (size_t i = 0; i < ns; i++)
        if (k == 0 || strcasecmp(in[k - 1], in[i]))
            in[k++] = in[i];
    ns = k;

    if (a->subscriptions_listed) {
        size_t total = n->visible.n + ns;
        a->subscriptions = vpc_arena_alloc(&n->arena, (total + 1) * sizeof *a->subscriptions);
        if (!a->subscriptions) {
            free(in);
            return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
        }
        vp_sort(n->visible.v, n->visible.n, sizeof *n->visible.v, cmp_access_sub);
        for (size_t i = 0; i < n->visible.n; i++) {
            const vp_access_subscription *v = &n->visible.v[i];
            if (i && !strcasecmp(v[-1].subscription_id, v->subscription_id))
                continue;
            vp_access_subscription *x = &a->subscriptions[a->subscription_count++];
            *x = *v;
            x->status = vpo_subscription_in_scope(&n->opt, v->subscription_id) ? "in-scope" : "out-of-scope";
        }
        for (size_t i = 0; i < ns; i++)
            if (!find_visible(n, in[i]))
                a->subscriptions[a->subscription_count++] = (vp_access_subscription){in[i], NULL, NULL, "not-visible",
                                                                                      {NULL, NULL}};
        vp_sort(a->subscriptions, a->subscription_count, sizeof *a->subscriptions, cmp_access_sub);
    }

    vp_sort(n->role_assignments.v, n->role_assignments.n, sizeof *n->role_assignments.v, cmp_pending_ra);
    a->scopes = ns ? vpc_arena_alloc(&n->arena, ns * sizeof *a->scopes) : NULL;
    vp_status st = ns && !a->scopes ? vp_error_set(err, VP_ERR_NOMEM, "out of memory") : VP_OK;
    for (size_t i = 0; !st && i < ns; i++) {
        a->scopes[i] = (vp_access_scope){0};
        st = fill_scope(n, snap, in[i], &a->scopes[i], err);
        a->scope_count = i + 1;
    }
    free(in);
    return st;
}
