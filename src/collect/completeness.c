/* Completeness of the collection: for every list call the snapshot expects (per
 * subscription and per vault: the calls vaultproof/arm.h lists under each) and every call the
 * capture sidecars evidence, judge complete / incomplete / unverified / missing
 * (docs/replay-format.md, "Completeness"). */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "collect/extras.h"
#include "vaultproof/arm.h"

typedef VP_VEC(vp_list_call) list_vec;

static int cmp_capture(const void *a, const void *b)
{
    const vp_capture *x = a, *y = b;
    int c = strcmp(x->scope_key, y->scope_key);
    if (!c)
        c = strcmp(x->operation, y->operation);
    return c ? c : x->page - y->page;
}

static int cmp_seen(const void *a, const void *b)
{
    const vp_seen_call *x = a, *y = b;
    int c = strcmp(x->scope_key, y->scope_key);
    return c ? c : strcmp(x->operation, y->operation);
}

static int cmp_list(const void *a, const void *b)
{
    const vp_list_call *x = a, *y = b;
    int c = strcasecmp(x->scope, y->scope);
    return c ? c : strcmp(x->operation, y->operation);
}

/* The $filter of a recorded URL, percent-decoded into out ("" when it has none). */
static void url_filter(const char *url, char *out, size_t size)
{
    const char *q = url ? strchr(url, '?') : NULL, *f = NULL;
    size_t k = 0;
    for (const char *p = q; p && !f; p = strchr(p + 1, '&'))
        if (!strncmp(p + 1, "$filter=", 8))
            f = p + 9;
    for (; f && *f && *f != '&' && *f != '#' && k + 1 < size; f++) {
        unsigned hi, lo;
        if (f[0] == '%' && sscanf(f + 1, "%1x%1x", &hi, &lo) == 2) {
            out[k++] = (char)(hi * 16 + lo);
            f += 2;
        } else {
            out[k++] = *f;
        }
    }
    out[k] = '\0';
}

/* Period evidence recorded over another window than the run's (a recording of July
 * replayed over the quarter) answers a different question: the list is incomplete for
 * this period, not complete. A URL without $filter (a hand-made export) is not judged. */
static int other_window(vp_normalizer *n, const vp_capture *first, vp_list_call *out)
{
    const vp_arm_operation *a = vp_arm_find(out->operation);
    char want[512], got[512];
    if (!a || !a->period || !n->opt.period)
        return 0;
    url_filter(first->url, got, sizeof got);
    if (a->provider)
        vp_arm_event_filter(n->opt.period->from, n->opt.period->to, a->provider, want, sizeof want);
    else
        vp_arm_job_filter(n->opt.period->from, n->opt.period->to, want, sizeof want);
    if (!got[0] || !strcmp(got, want))
        return 0;
    out->status = VP_LIST_INCOMPLETE;
    out->detail = vpc_arena_printf(&n->arena, "recorded over another window: $filter \"%s\"; this period's is \"%s\"",
                                   got, want);
    return 1;
}

static void judge_captures(vp_normalizer *n, const vp_capture *first, size_t count, vp_list_call *out)
{
    const vp_capture *last = &first[count - 1];
    out->pages = (int)count;
    out->status = VP_LIST_COMPLETE;
    for (size_t i = 0; i < count; i++) {
        if (first[i].page != (int)i + 1) {
            out->status = VP_LIST_INCOMPLETE;
            out->detail = vpc_arena_printf(&n->arena, "page %d missing or repeated (%s)", (int)i + 1, first[i].file);
            return;
        }
        if (first[i].status != 200) {
            out->status = VP_LIST_INCOMPLETE;
            out->detail = vpc_arena_printf(&n->arena, "HTTP %d on page %d%s%s", first[i].status, first[i].page,
                                          first[i].error ? ": " : "", first[i].error ? first[i].error : "");
            return;
        }
    }
    if (other_window(n, first, out))
        return;
    if (!last->complete || last->has_next) {
        out->status = VP_LIST_INCOMPLETE;
        out->detail = vpc_arena_printf(&n->arena, "stopped after page %d%s%s", last->page, last->error ? ": " : "",
                                      last->error ? last->error : " with more pages to fetch");
    }
}

/* Whether anything of the snapshot but a resource guard lives in sub: a subscription
 * only a guard's id names (Microsoft recommends keeping guards apart) is not one whose
 * estate the collection set out to enumerate. */
static int holds_estate(const vp_normalizer *n, const char *sub)
{
    for (size_t i = 0; i < n->vaults.n; i++)
        if (n->vaults.v[i].subscription_id && !strcasecmp(n->vaults.v[i].subscription_id, sub))
            return 1;
    for (size_t i = 0; i < n->vms.n; i++)
        if (n->vms.v[i].subscription_id && !strcasecmp(n->vms.v[i].subscription_id, sub))
            return 1;
    return 0;
}

/* The subscriptions whose calls are expected: those in the snapshot (listed or named
 * by a vault or VM; not those only a resource guard names, nor a guard's outside the
 * scope that the list returned), and each --subscription one
 * even when nothing of it was read - its vault list is expected all the same.
 * NULL-terminated, with *ids[i] the snapshot id of each (NULL for a configured one not in
 * the snapshot); malloc'd (NULL: no memory). */
static const char **expected_subscriptions(vp_normalizer *n, const char ***ids)
{
    size_t count = 0;
    const char **subs = malloc((n->subs.n + n->opt.subscription_count + 1) * sizeof *subs);
    *ids = malloc((n->subs.n + n->opt.subscription_count + 1) * sizeof **ids);
    if (!subs || !*ids) {
        free(subs);
        free(*ids);
        *ids = NULL;
        return NULL;
    }
    for (size_t i = 0; i < n->subs.n; i++) {
        const vp_subscription *s = &n->subs.v[i];
        const char *sub = s->subscription_id ? s->subscription_id : s->id + 15; /* "/subscriptions/" */
        if ((!s->listed && !holds_estate(n, sub) && !vpo_subscription_configured(&n->opt, sub)) ||
            !vpo_subscription_in_scope(&n->opt, sub)) /* a guard's, outside the scope */
            continue;
        (*ids)[count] = s->id;
        subs[count++] = sub;
    }
    for (size_t i = 0; i < n->opt.subscription_count; i++) {
        size_t k = 0;
        while (k < count && strcasecmp(subs[k], n->opt.subscriptions[i]))
            k++;
        if (k == count) {
            (*ids)[count] = NULL;
            subs[count++] = n->opt.subscriptions[i];
        }
    }
    subs[count] = NULL;
    return subs;
}

static vp_list_call *push_list(list_vec *lists, const char *op, const char *scope)
{
    vp_list_call *l = VP_VEC_PUSH(*lists);
    if (l) {
        l->operation = op;
        l->scope = scope;
        l->status = VP_LIST_MISSING;
    }
    return l;
}

vp_status vpo_judge_completeness(vp_normalizer *n, vp_snapshot *snap, vp_error *err)
{
    list_vec lists = {0};
    vp_sort(n->captures.v, n->captures.n, sizeof *n->captures.v, cmp_capture);
    vp_sort(n->seen.v, n->seen.n, sizeof *n->seen.v, cmp_seen);

    const char **ids = NULL;
    const char **subs = expected_subscriptions(n, &ids);
    if (!subs)
        goto nomem;
    for (vp_arm_op op = 0; op < VP_ARM_OP_COUNT; op++) {
        const vp_arm_operation *a = vp_arm_get(op);
        if (a->access)
            continue; /* judged when recorded, never expected (vaultproof/arm.h) */
        if (a->period && !n->opt.period)
            continue; /* period evidence: expected only over a period */
        if (a->parent == VP_ARM_PARENT_SUBSCRIPTION) {
            for (size_t i = 0; subs[i]; i++)
                if (!push_list(&lists, a->name, ids[i] ? ids[i] : vpc_arena_printf(&n->arena, "/subscriptions/%s", subs[i])))
                    goto nomem;
        } else if (a->parent == VP_ARM_PARENT_VAULT) {
            for (size_t i = 0; i < n->vaults.n; i++) {
                const vp_text *crr = &n->vaults.v[i].cross_region_restore;
                /* a CRR call is made for a vault whose own crossRegionRestore is Enabled */
                if (a->crr_only && !(crr->presence == VP_PRESENT && crr->origin == VP_ORIGIN_SELF && crr->value &&
                                     !strcasecmp(crr->value, "Enabled")))
                    continue;
                if (!push_list(&lists, a->name, n->vaults.v[i].id))
                    goto nomem;
            }
        } else if (a->parent == VP_ARM_PARENT_LOCATION) {
            /* soft-deleted vaults are listed per location: those of the subscription's
             * vaults, and the ones the configuration names (a vault deleted from a
             * location nobody lists cannot be found) */
            for (size_t i = 0; subs[i]; i++) {
                for (size_t k = 0; k < n->vaults.n; k++) {
                    const char *sc = n->vaults.v[k].subscription_id && !strcasecmp(n->vaults.v[k].subscription_id, subs[i])
                                         ? vpo_location_scope(n, subs[i], n->vaults.v[k].location)
                                         : NULL;
                    if (sc && !push_list(&lists, a->name, sc))
                        goto nomem;
                }
                for (size_t k = 0; k < n->opt.deleted_vault_location_count; k++) {
                    const char *sc = vpo_location_scope(n, subs[i], n->opt.deleted_vault_locations[k]);
                    if (sc && !push_list(&lists, a->name, sc))
                        goto nomem;
                }
            }
        } else if (a->op == VP_ARM_BACKUP_JOB_DETAILS) {
            /* a GET of each failed or warned job the vaults' job lists returned */
            for (size_t i = 0; i < n->job_detail_ids.n; i++)
                if (!push_list(&lists, a->name, n->job_detail_ids.v[i]))
                    goto nomem;
        } else if (a->parent == VP_ARM_PARENT_RESOURCE) {
            /* a GET of each guard a proxy of an in-scope vault names, in a subscription
             * in scope (the others are reported out of scope, not asked for) */
            for (size_t i = 0; i < n->vaults.n; i++)
                for (size_t k = 0; k < n->vaults.v[i].guard_count; k++) {
                    const char *g = n->vaults.v[i].guards[k].resource_guard_id;
                    if (g && vpo_subscription_in_scope(&n->opt, vpo_armid_segment(n, g, "subscriptions")) &&
                        !push_list(&lists, a->name, g))
                        goto nomem;
                }
        }
    }
    free(subs);
    free(ids);
    subs = NULL;
    ids = NULL;
    /* one expected call per scope: several vaults share a location, proxies a guard */
    vp_sort(lists.v, lists.n, sizeof *lists.v, cmp_list);
    size_t kept = 0;
    for (size_t i = 0; i < lists.n; i++)
        if (kept == 0 || cmp_list(&lists.v[kept - 1], &lists.v[i]))
            lists.v[kept++] = lists.v[i];
    lists.n = kept;
    /* calls evidenced by sidecars but not expected (e.g. a vault's items whose vault was
     * not listed) are reported too, when in scope */
    size_t expected_count = lists.n;
    for (size_t i = 0; i < n->captures.n; i++) {
        vp_capture *c = &n->captures.v[i];
        if (i > 0 && !strcmp(c->operation, c[-1].operation) && !strcmp(c->scope_key, c[-1].scope_key))
            continue;
        vp_list_call probe = {.operation = c->operation, .scope = c->scope};
        if (vp_search(&probe, lists.v, expected_count, sizeof *lists.v, cmp_list))
            continue;
        const char *vk = vpo_armid_vault_id(n, c->scope);
        const char *sub = vpo_armid_segment(n, c->scope, "subscriptions");
        int in_scope = vk ? vpo_vault_in_scope(n, vk) : (sub ? vpo_subscription_in_scope(&n->opt, sub) : 1);
        if (in_scope && !push_list(&lists, c->operation, c->scope))
            goto nomem;
    }
    int complete = 1;
    for (size_t i = 0; i < lists.n; i++) {
        vp_list_call *l = &lists.v[i];
        const char *key = vpc_arena_strlower(&n->arena, l->scope);
        vp_capture probe_c = {.scope_key = key, .operation = l->operation, .page = 0};
        size_t lo = 0, hi = n->captures.n;
        while (lo < hi) { /* first capture not below (scope, operation, page 0) */
            size_t mid = lo + (hi - lo) / 2;
            if (cmp_capture(&n->captures.v[mid], &probe_c) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        hi = lo;
        while (hi < n->captures.n && !strcmp(n->captures.v[hi].scope_key, key) && !strcmp(n->captures.v[hi].operation, l->operation))
            hi++;
        if (hi > lo) {
            judge_captures(n, &n->captures.v[lo], hi - lo, l);
            complete &= l->status == VP_LIST_COMPLETE ||
                        (hi - lo == 1 && vp_arm_refusal_is_evidence(vp_arm_find(l->operation), n->captures.v[lo].status));
            continue;
        }
        complete = 0;
        vp_seen_call probe = {.operation = l->operation, .scope_key = key};
        vp_seen_call *s = vp_search(&probe, n->seen.v, n->seen.n, sizeof *n->seen.v, cmp_seen);
        if (s) {
            /* several bodies may evidence one call; any dangling nextLink among them counts */
            while (s > n->seen.v && !cmp_seen(s - 1, &probe))
                s--;
            l->status = VP_LIST_UNVERIFIED;
            l->detail = "offline export without capture sidecars: completeness not verified by vaultproof";
            for (; s < n->seen.v + n->seen.n && !cmp_seen(s, &probe); s++) {
                l->pages++;
                if (s->dangling_next) {
                    l->status = VP_LIST_INCOMPLETE;
                    l->detail = vpc_arena_printf(&n->arena, "%s has a nextLink whose page is not in the export", s->file);
                }
            }
        } else {
            l->detail = "no response found for this call";
        }
    }
    vp_sort(lists.v, lists.n, sizeof *lists.v, cmp_list);
    snap->collection.complete = complete;
    for (size_t i = 0; i < lists.n; i++) {
        vp_list_call *l = &lists.v[i];
        const char *vk = vpo_armid_vault_id(n, l->scope);
        vp_vault *v = vk && !strcasecmp(vk, l->scope) ? FIND(n->vaults, vp_vault, vk) : NULL;
        const vp_arm_operation *a = v ? vp_arm_find(l->operation) : NULL;
        if (a && a->list != VP_ARM_LIST_NONE)
            v->lists[a->list] = l->status;
    }
    if (lists.n == 0)
        snap->collection.complete = 0; /* nothing collected proves nothing */
    snap->collection.lists = lists.v;
    snap->collection.list_count = lists.n;
    snap->collection.verified = n->captures.n > 0;
    return VP_OK;
nomem:
    free(subs);
    free(ids);
    free(lists.v);
    return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
}

