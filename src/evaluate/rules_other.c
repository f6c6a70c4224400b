/* Rules over the collection itself, VMs, decommissioned servers, exemptions and, over the
 * evidence period, restore tests (restore.tested). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "evaluate/internal.h"

/* Whether sub (a subscription id, no prefix) is one the subscriptions list returned. */
static int listed_subscription(const vp_snapshot *s, const char *sub)
{
    for (size_t i = 0; i < s->subscription_count; i++) {
        const vp_subscription *x = &s->subscriptions[i];
        const char *id = x->subscription_id ? x->subscription_id : x->id + strlen("/subscriptions/");
        if (x->listed && !strcasecmp(id, sub))
            return 1;
    }
    return 0;
}

static void add_unique(const char **subs, size_t *n, const char *sub)
{
    for (size_t k = 0; k < *n; k++)
        if (!strcasecmp(subs[k], sub))
            return;
    subs[(*n)++] = sub;
}

/* The vaults whose resource guard proxies name guard g, as "a, b". */
static const char *guarded_vaults(vp_eval_ctx *c, const vp_resource_guard *g)
{
    char buf[1024];
    size_t n = 0;
    buf[0] = '\0';
    for (size_t v = 0; v < c->s->vault_count && n < sizeof buf; v++)
        for (size_t k = 0; k < c->s->vaults[v].guard_count; k++)
            if (c->s->vaults[v].guards[k].resource_guard_id &&
                !strcasecmp(c->s->vaults[v].guards[k].resource_guard_id, g->id)) {
                n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", n ? ", " : "", c->s->vaults[v].name);
                break;
            }
    return vpe_fmt(c, "%s", n ? buf : "no vault in the snapshot");
}

/* A subscription that resources of the snapshot live in (vaults, VMs, resource guards)
 * but that the subscriptions list did not return: its own population was never
 * enumerated. One finding per such subscription names it and what rests on it. Judged
 * only when the subscriptions list was collected (without it nothing is "listed"). */
static void unlisted_subscriptions(vp_eval_ctx *c)
{
    const vp_snapshot *s = c->s;
    int have_list = 0;
    for (size_t i = 0; i < s->collection.list_count && !have_list; i++)
        have_list = !strcmp(s->collection.lists[i].operation, "subscriptions");
    if (!have_list)
        return;
    size_t cap = s->subscription_count + s->vault_count + s->vm_count + s->resource_guard_count, n = 0;
    const char **subs = cap ? malloc(cap * sizeof *subs) : NULL;
    if (cap && !subs)
        return; /* out of memory: vpe_emit has no error path; the list-call findings stand */
    for (size_t i = 0; i < s->subscription_count; i++)
        if (!s->subscriptions[i].listed)
            add_unique(subs, &n, s->subscriptions[i].subscription_id ? s->subscriptions[i].subscription_id
                                                                    : s->subscriptions[i].id + strlen("/subscriptions/"));
    for (size_t i = 0; i < s->vault_count; i++)
        if (s->vaults[i].subscription_id && !listed_subscription(s, s->vaults[i].subscription_id))
            add_unique(subs, &n, s->vaults[i].subscription_id);
    for (size_t i = 0; s->vms && i < s->vm_count; i++)
        if (s->vms[i].subscription_id && !listed_subscription(s, s->vms[i].subscription_id))
            add_unique(subs, &n, s->vms[i].subscription_id);
    for (size_t i = 0; i < s->resource_guard_count; i++)
        if (s->resource_guards[i].subscription_id && !listed_subscription(s, s->resource_guards[i].subscription_id))
            add_unique(subs, &n, s->resource_guards[i].subscription_id);
    for (size_t k = 0; k < n; k++) {
        size_t vaults = 0, vms = 0, guards = 0, unread = 0;
        char what[2048];
        size_t w = 0;
        what[0] = '\0';
        for (size_t i = 0; i < s->vault_count; i++)
            vaults += s->vaults[i].subscription_id && !strcasecmp(s->vaults[i].subscription_id, subs[k]);
        for (size_t i = 0; s->vms && i < s->vm_count; i++)
            vms += s->vms[i].subscription_id && !strcasecmp(s->vms[i].subscription_id, subs[k]);
        for (size_t i = 0; i < s->resource_guard_count; i++) {
            const vp_resource_guard *g = &s->resource_guards[i];
            if (!g->subscription_id || strcasecmp(g->subscription_id, subs[k]))
                continue;
            guards++;
            unread += !g->status || strcmp(g->status, "read") != 0;
            if (w < sizeof what)
                w += (size_t)snprintf(what + w, sizeof what - w, "%sresource guard %s (%s), the multi-user "
                                      "authorization of %s", w ? "; " : "", g->name ? g->name : g->id,
                                      g->status ? g->status : "not read", guarded_vaults(c, g));
        }
        if (vaults && w < sizeof what)
            w += (size_t)snprintf(what + w, sizeof what - w, "%s%zu vault(s)", w ? "; " : "", vaults);
        if (vms && w < sizeof what)
            w += (size_t)snprintf(what + w, sizeof what - w, "%s%zu virtual machine(s)", w ? "; " : "", vms);
        vp_draft d = {.resource_type = "subscription", .resource_id = vpe_fmt(c, "/subscriptions/%s", subs[k]),
                      .resource_name = vpe_fmt(c, "subscription %s", subs[k]),
                      .expected = "every subscription the estate's resources live in returned by the subscriptions "
                                  "list and collected",
                      .snapshot_pointer = "/subscriptions"};
        d.observed = vpe_fmt(c, "not returned by the subscriptions list; referenced by resource ids: %zu resource "
                                "guard(s), %zu vault(s), %zu VM(s)", guards, vaults, vms);
        d.note = vpe_fmt(c, "what rests on it: %s. Its other resources were never enumerated: whether it holds "
                            "vaults or critical VMs of the estate is unknown", w ? what : "nothing read");
        /* what rests on it was read: a warning; something in it was not read: unknown */
        d.status = unread || !guards ? VP_INCOMPLETE : VP_WARN;
        vpe_emit(c, &d, VP_LIST_COMPLETE);
    }
    free(subs);
}

/* The roles held at a subscription, as "Reader at /subscriptions/x; Backup Reader at
 * .../resourceGroups/rg" (a role whose definition was not read: its definition id). */
static const char *roles_held(vp_eval_ctx *c, const vp_access_scope *sc)
{
    char buf[2048];
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sc->assignment_count && n < sizeof buf; i++) {
        const vp_role_assignment *r = &sc->assignments[i];
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s%s at %s", n ? "; " : "",
                              r->role_name ? r->role_name : r->role_definition_id ? r->role_definition_id : "a role",
                              r->writes == 1 ? " (can write)" : r->role_name ? "" : " (definition not read)",
                              r->scope ? r->scope : "an unknown scope");
    }
    return vpe_fmt(c, "%s", n ? buf : "no role assignment");
}

/* Population completeness an auditor can test (collection.access): each in-scope
 * subscription the principal could not see, and per in-scope subscription whether the
 * principal held a role reading its vaults (incomplete when not, or not known; a warning
 * when a role held can also write: a collector needs Reader or Backup Reader). Nothing
 * is judged of what was not recorded: a recording made before access was recorded keeps
 * its findings (docs/controls.md). */
static void collector_access(vp_eval_ctx *c)
{
    const vp_access *a = &c->s->collection.access;
    if (!a->recorded)
        return;
    for (size_t i = 0; i < a->subscription_count; i++) {
        const vp_access_subscription *x = &a->subscriptions[i];
        if (strcmp(x->status, "not-visible") != 0 || vp_snapshot_find_subscription(c->s, x->subscription_id))
            continue; /* in the snapshot: unlisted_subscriptions names it with what rests on it */
        vp_draft d = {.status = VP_INCOMPLETE, .resource_type = "subscription",
                      .resource_id = vpe_fmt(c, "/subscriptions/%s", x->subscription_id),
                      .resource_name = vpe_fmt(c, "subscription %s", x->subscription_id),
                      .observed = "in the configured scope but not returned by the subscriptions list: the collecting "
                                  "principal could not see it, so nothing of it was enumerated",
                      .expected = "every in-scope subscription visible to the collecting principal",
                      .snapshot_pointer = vpe_fmt(c, "/collection/access/subscriptions/%zu", i)};
        vpe_emit(c, &d, VP_LIST_COMPLETE);
    }
    for (size_t i = 0; i < a->scope_count; i++) {
        const vp_access_scope *sc = &a->scopes[i];
        vp_access_verdict v = vp_access_judge(sc);
        if (v == VP_ACCESS_NOT_RECORDED)
            continue;
        vp_draft d = {.resource_type = "subscription", .resource_id = vpe_fmt(c, "/subscriptions/%s", sc->subscription_id),
                      .resource_name = vpe_fmt(c, "collector access to subscription %s", sc->subscription_id),
                      .expected = "the collecting principal holds a role at the subscription (or above) that reads "
                                  "vaults and their protected items, and none that can write",
                      .snapshot_pointer = vpe_fmt(c, "/collection/access/role_assignments/%zu", i)};
        if (strcmp(sc->status, "read") != 0) {
            d.status = VP_INCOMPLETE;
            d.observed = vpe_fmt(c, "its role assignments were not read (%s%s%s)", sc->status, sc->detail ? ": " : "",
                                 sc->detail ? sc->detail : "");
            d.note = "what the principal could read rests on the list calls alone";
        } else {
            d.observed = vpe_fmt(c, "holds %s", roles_held(c, sc));
            d.status = v == VP_ACCESS_READS ? VP_PASS : v == VP_ACCESS_READS_WRITES ? VP_WARN : VP_INCOMPLETE;
            if (v == VP_ACCESS_NO_READ)
                d.note = "no role held at the subscription or above allows reading vaults and protected items: the "
                         "population collected there may be incomplete";
            else if (v == VP_ACCESS_UNKNOWN)
                d.note = "a role's definition was not read: whether it reads vaults is not known";
            else if (v == VP_ACCESS_READS_WRITES)
                d.note = "least privilege: a collector needs Reader or Backup Reader; a role that can write lets the "
                         "identity that produces the evidence change what it reports on";
        }
        vpe_emit(c, &d, VP_LIST_COMPLETE);
    }
}

void vpe_rule_evidence_complete(vp_eval_ctx *c)
{
    const vp_collection *col = &c->s->collection;
    if (col->list_count == 0) {
        vp_draft d = {.status = VP_INCOMPLETE, .resource_type = "collection", .resource_id = col->input,
                      .resource_name = "collection", .observed = "no list call was collected",
                      .expected = "every list call complete", .snapshot_pointer = "/collection/lists"};
        vpe_emit(c, &d, VP_LIST_COMPLETE);
        return;
    }
    for (size_t i = 0; i < col->list_count; i++) {
        const vp_list_call *l = &col->lists[i];
        const vp_arm_operation *op = vp_arm_find(l->operation);
        if (op && op->access)
            continue; /* the principal's access reads: judged per subscription by collector_access */
        vp_draft d = {.resource_type = "list_call", .resource_id = vpe_fmt(c, "%s %s", l->operation, l->scope),
                      .resource_name = l->operation, .expected = "complete: every page fetched with HTTP 200"};
        d.snapshot_pointer = vpe_fmt(c, "/collection/lists/%zu", i);
        d.observed = vpe_fmt(c, "%s, %d page(s)%s%s", vp_list_status_name(l->status), l->pages, l->detail ? ": " : "",
                            l->detail ? l->detail : "");
        /* never fail for what is merely unknown: unknown is incomplete */
        d.status = l->status == VP_LIST_COMPLETE ? VP_PASS : VP_INCOMPLETE;
        vpe_emit(c, &d, VP_LIST_COMPLETE);
    }
    unlisted_subscriptions(c);
    collector_access(c);
}

static const char *item_names(vp_eval_ctx *c, const vp_vm *vm)
{
    char buf[1024];
    size_t n = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < vm->protected_count && n < sizeof buf; k++) {
        const vp_item *it = vp_snapshot_find_item(c->s, vm->protected_by[k]);
        const char *vault = it && it->vault_id ? strrchr(it->vault_id, '/') : NULL;
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s in %s", n ? "; " : "", it ? it->name : vm->protected_by[k],
                              vault ? vault + 1 : "?");
    }
    return vpe_fmt(c, "protected: %s", buf);
}

static int decommissioned(const vp_eval_settings *e, const char *name)
{
    for (size_t i = 0; name && i < e->decommission_count; i++)
        if (!strcasecmp(e->decommissioned[i].server, name))
            return 1;
    return 0;
}

void vpe_rule_coverage(vp_eval_ctx *c)
{
    const vp_eval_settings *e = c->f->settings;
    vp_list_status items = vpe_all_item_lists(c->s);
    vp_arena_mark texts = vpe_turns_begin(c);
    for (size_t i = 0; i < c->s->vm_count; i++) {
        vpe_turn(c, texts);
        const vp_vm *vm = &c->s->vms[i];
        char scope[256];
        if (!vpe_vm_is_critical(e, vm))
            continue;
        snprintf(scope, sizeof scope, "/subscriptions/%s", vm->subscription_id ? vm->subscription_id : "");
        vp_draft d = {.resource_type = "virtual_machine", .resource_id = vm->id, .resource_name = vm->name,
                      .expected = "at least one protected item backs up this VM"};
        d.snapshot_pointer = vpe_fmt(c, "/virtual_machines/%zu/protected_by", i);
        d.raw_evidence = vpe_raw(c, &vm->source, "/tags");
        vp_list_status dep = vpe_list_of(c->s, "virtualMachines", scope);
        if (vm->protected_count) {
            d.status = VP_PASS;
            d.observed = item_names(c, vm);
        } else if (decommissioned(e, vm->name)) {
            d.status = VP_NOT_APPLICABLE;
            d.observed = "no protected item";
            d.note = "listed as decommissioned: see decommission.no-active-backup";
        } else {
            /* an item list not fully collected might hold its item: unknown, not failed */
            d.status = items == VP_LIST_COMPLETE ? VP_FAIL : VP_INCOMPLETE;
            d.observed = "no protected item found";
            if (d.status == VP_INCOMPLETE)
                d.note = "some protected-item lists were not fully collected";
        }
        vpe_emit(c, &d, dep);
    }
}

/* Whether item it belongs to the server: its friendly name, server (host part) or VM name. */
static int item_of_server(const vp_eval_ctx *c, const vp_item *it, const char *server)
{
    size_t n = strlen(server);
    const vp_vm *vm = vp_info(c, it)->vm;
    if (it->friendly_name.value && !strcasecmp(it->friendly_name.value, server))
        return 1;
    if (it->server.value && !strncasecmp(it->server.value, server, n) &&
        (it->server.value[n] == '\0' || it->server.value[n] == '.'))
        return 1;
    if (vm && !strcasecmp(vm->name, server))
        return 1;
    const char *last = strrchr(it->source_resource_id.value ? it->source_resource_id.value : "", '/');
    return last && !strcasecmp(last + 1, server);
}

void vpe_rule_decommission(vp_eval_ctx *c)
{
    const vp_eval_settings *e = c->f->settings;
    vp_list_status items = vpe_all_item_lists(c->s);
    for (size_t i = 0; i < e->decommission_count; i++) {
        const vp_decommission *dc = &e->decommissioned[i];
        size_t active = 0, retained = 0;
        const char *example = NULL;
        for (size_t k = 0; k < c->s->item_count; k++) {
            const vp_item *it = &c->s->items[k];
            if (!item_of_server(c, it, dc->server))
                continue;
            int stopped = (it->protection_state.presence == VP_PRESENT &&
                           !strcasecmp(it->protection_state.value, "ProtectionStopped")) ||
                          (it->deferred_delete.presence == VP_PRESENT && it->deferred_delete.value);
            if (stopped) {
                retained++;
            } else {
                active++;
                example = it->name;
            }
        }
        vp_draft d = {.resource_type = "decommissioned_server", .resource_id = dc->server, .resource_name = dc->server,
                      .expected = "no active backup item (retained data until expiry is allowed)"};
        d.snapshot_pointer = "/protected_items";
        d.note = vpe_fmt(c, "decommissioned %s%s%s", dc->date ? dc->date : "(date not given)", dc->ticket ? ", " : "",
                        dc->ticket ? dc->ticket : "");
        if (active) {
            d.status = VP_FAIL;
            d.observed = vpe_fmt(c, "%zu item(s) still actively protected (e.g. %s)", active, example);
        } else {
            d.status = VP_PASS;
            d.observed = retained ? vpe_fmt(c, "%zu item(s) with protection stopped, data retained until expiry", retained)
                                  : "no backup item remains";
        }
        vpe_emit(c, &d, items);
    }
}

void vpe_rule_exemption_valid(vp_eval_ctx *c)
{
    const vp_eval_settings *e = c->f->settings;
    for (size_t i = 0; i < e->exemption_count; i++) {
        const vp_exemption *x = &e->exemptions[i];
        vp_draft d = {.resource_type = "exemption", .resource_id = vpe_fmt(c, "exemptions[%zu]", i),
                      .resource_name = vpe_fmt(c, "%s / %s", x->rule, x->resource)};
        d.snapshot_pointer = NULL;
        d.raw_evidence = vpe_fmt(c, "config#/exemptions/%zu", i);
        d.expected = "approved, with a reason, not expired";
        d.observed = vpe_fmt(c, "expires %s, approved by %s: %s", x->expires, x->approver, x->reason);
        d.status = x->expires_epoch >= c->as_of ? VP_PASS : VP_FAIL;
        if (d.status == VP_FAIL)
            d.note = "expired: it no longer exempts anything";
        vpe_emit(c, &d, VP_LIST_COMPLETE);
    }
}

/* DPM and Azure Backup Server engines: their protected items report only the latest
 * recovery point, so the engine's own last report (extendedInfo.refreshedAt) and its
 * registration are the evidence that it is still backing up. Judged against the same
 * RPO as backup.rpo: an engine silent for longer cannot be meeting it. */
void vpe_rule_engine_reporting(vp_eval_ctx *c)
{
    long long rpo = c->f->settings->rpo_hours;
    for (size_t i = 0; i < c->s->engine_count; i++) {
        const vp_backup_engine *e = &c->s->engines[i];
        const vp_vault *v = vp_snapshot_find_vault(c->s, e->vault_id);
        vp_draft d = {.resource_type = "backup_engine", .resource_id = e->id,
                      .resource_name = e->friendly_name.presence == VP_PRESENT ? e->friendly_name.value : e->name};
        d.snapshot_pointer = vpe_fmt(c, "/backup_engines/%zu/refreshed_at", i);
        d.raw_evidence = vpe_raw(c, &e->source, "/properties/extendedInfo/refreshedAt");
        d.expected = vpe_fmt(c, "Registered, last reported within %lld h before %s", rpo, c->f->as_of_text);
        vp_list_status dep = v ? v->lists[VP_ARM_LIST_ENGINES]
                              : e->vault_id ? vpe_list_of(c->s, "backupEngines", e->vault_id) : VP_LIST_MISSING;
        const char *counts = vpe_fmt(c, "%s %s, registration %s, DPM %s, agent %s, %s server(s), %s item(s)",
                                     e->management_type.presence == VP_PRESENT ? e->management_type.value : "engine",
                                     e->engine_state.presence == VP_PRESENT ? e->engine_state.value : "state not reported",
                                     e->registration_status.presence == VP_PRESENT ? e->registration_status.value
                                                                                    : "not reported",
                                     e->dpm_version.presence == VP_PRESENT ? e->dpm_version.value : "not reported",
                                     e->agent_version.presence == VP_PRESENT ? e->agent_version.value : "not reported",
                                     e->protected_servers_count.presence == VP_PRESENT
                                         ? vpe_fmt(c, "%lld", e->protected_servers_count.value) : "?",
                                     e->protected_items_count.presence == VP_PRESENT
                                         ? vpe_fmt(c, "%lld", e->protected_items_count.value) : "?");
        long long when = vpe_epoch_of(e->refreshed_at.value);
        if (when < 0) {
            d.status = VP_INCOMPLETE;
            d.observed = vpe_fmt(c, "%s; last report time not reported", counts);
            d.note = "whether the engine still reports cannot be assessed";
            vpe_emit(c, &d, dep);
            continue;
        }
        long long age = c->as_of - when;
        d.observed = vpe_fmt(c, "%s; last reported %s (%lld.%lld h before capture)", counts, e->refreshed_at.value,
                             age / 3600, (age % 3600) * 10 / 3600);
        d.status = VP_PASS;
        if (age > rpo * 3600) {
            d.status = VP_WARN;
            d.note = vpe_fmt(c, "not reported for longer than the RPO (%lld h): its backups may have stopped", rpo);
        }
        if (e->registration_status.presence != VP_PRESENT) {
            d.status = d.status == VP_PASS ? VP_INCOMPLETE : d.status;
            if (!d.note)
                d.note = "registration status not reported";
        } else if (strcasecmp(e->registration_status.value, "Registered") != 0) {
            d.status = VP_WARN;
            d.note = vpe_fmt(c, "%s%sregistration %s: the server is not registered to the vault", d.note ? d.note : "",
                             d.note ? "; " : "", e->registration_status.value);
        }
        vpe_emit(c, &d, dep);
    }
}

/* ---- over the evidence period: restores tested ---- */

typedef struct {
    const char *group; /* the group_by tag's value, or NULL (untagged / no grouping) */
    size_t item;
} group_member;

static int cmp_member(const void *a, const void *b)
{
    const group_member *x = a, *y = b;
    int c = x->group && y->group ? strcasecmp(x->group, y->group) : (x->group != NULL) - (y->group != NULL);
    return c ? c : (x->item > y->item) - (x->item < y->item);
}

static const char *tag_value(const vp_vm *vm, const char *key)
{
    for (size_t t = 0; vm && key && t < vm->tags.count; t++)
        if (!strcasecmp(vm->tags.items[t].key, key))
            return vm->tags.items[t].value;
    return NULL;
}

static int in_test(vp_eval_ctx *c, const vp_restore_test *rt, size_t i)
{
    const vp_eval_settings *e = c->f->settings;
    const vp_item *it = &c->s->items[i];
    int member = !strcmp(rt->class_name, "default");
    for (size_t k = 0; !member && k < e->class_count && k < 8 * sizeof(unsigned long); k++)
        member = !strcmp(e->classes[k].name, rt->class_name) && (vp_info(c, it)->classes & (1UL << k));
    if (member && (rt->select.tag_count || rt->select.name_count))
        member = vpe_selector_matches_item(&rt->select, vp_info(c, it)->vm, it);
    return member;
}

/* One finding for the group members[0..n): pass with its successful restores as evidence. */
static void restore_group(vp_eval_ctx *c, const vp_restore_test *rt, const group_member *m, size_t n)
{
    const vp_timeline *t = c->f->timeline;
    vp_list_status dep = VP_LIST_COMPLETE;
    size_t ok = 0, tried = 0, len = 0;
    int aged = 0;
    char evidence[1024], when[32];
    evidence[0] = '\0';
    const vp_tl_job *first = NULL;
    for (size_t k = 0; k < n; k++) {
        const vp_item *it = &c->s->items[m[k].item];
        const vp_vault *v = vp_info(c, it)->vault;
        dep = vpe_list_min(dep, v ? v->lists[VP_ARM_LIST_JOBS] : VP_LIST_MISSING);
        aged |= t && v && vp_timeline_aged_out(t, (size_t)(v - c->s->vaults));
        const vp_tl_item ti = t ? vp_timeline_item(t, m[k].item) : (vp_tl_item){0};
        for (size_t r = 0; r < ti.restore_count; r++) {
            const vp_tl_job *j = &ti.restores[r];
            tried++;
            if (!vp_job_succeeded(j->status))
                continue;
            first = first ? first : j;
            if (ok++ < 5 && len < sizeof evidence)
                len += (size_t)snprintf(evidence + len, sizeof evidence - len, "%s%s %s of %s%s", ok > 1 ? "; " : "",
                                        vp_time_format(j->start, when, sizeof when), j->operation ? j->operation : "?",
                                        j->entity ? j->entity : "?", j->crr ? " (cross-region)" : "");
        }
    }
    const char *group = m[0].group ? m[0].group : rt->group_by ? "(untagged)" : "all";
    vp_draft d = {.resource_type = "data_class_group"};
    d.resource_name = vpe_fmt(c, "%s: %s%s%s", rt->class_name, rt->group_by ? rt->group_by : "",
                              rt->group_by ? "=" : "", group);
    d.resource_id = vpe_fmt(c, "%s/%s", rt->pointer, group);
    d.expected = vpe_fmt(c, "at least %lld successful restore%s in the period across the group's %zu item%s",
                         rt->min_successful, rt->min_successful == 1 ? "" : "s", n, n == 1 ? "" : "s");
    if (first)
        d.raw_evidence = vpe_fmt(c, "%s#%s", first->source_file ? first->source_file : "",
                                 first->source_pointer ? first->source_pointer : "");
    if (!t) {
        d.status = VP_INCOMPLETE;
        d.observed = "no jobs stream";
        d.note = c->s->collection.jobs_sha256[0] ? "the jobs stream was not given: evaluate --jobs FILE"
                                                 : "jobs were counted, not kept: collect with --jobs-out";
    } else if ((long long)ok >= rt->min_successful) {
        d.status = VP_PASS;
        d.observed = vpe_fmt(c, "%zu successful restore%s: %s%s", ok, ok == 1 ? "" : "s", evidence,
                             ok > 5 ? "; ..." : "");
    } else {
        d.status = dep != VP_LIST_COMPLETE || aged ? VP_INCOMPLETE : VP_FAIL;
        d.observed = vpe_fmt(c, "not tested: %zu successful restore%s in the period (%zu attempted)%s%s", ok,
                             ok == 1 ? "" : "s", tried, ok ? ": " : "", evidence);
        if (d.status == VP_INCOMPLETE)
            d.note = aged ? "Azure no longer holds the start of the period for a vault of the group: the earlier "
                            "evidence bundles of the ledger hold the jobs before it"
                          : vpe_fmt(c, "a job list of the group's vaults is %s", vp_list_status_name(dep));
    }
    vpe_emit(c, &d, dep);
}

void vpe_rule_restore_tested(vp_eval_ctx *c)
{
    const vp_eval_settings *e = c->f->settings;
    if (!c->s->collection.has_period)
        return; /* no period, no finding: findings without one keep their bytes */
    group_member *m = calloc(c->s->item_count + 1, sizeof *m);
    if (!m)
        return;
    for (size_t r = 0; r < e->restore_test_count; r++) {
        const vp_restore_test *rt = &e->restore_tests[r];
        size_t n = 0;
        for (size_t i = 0; i < c->s->item_count; i++)
            if (in_test(c, rt, i))
                m[n++] = (group_member){rt->group_by ? tag_value(vp_info(c, &c->s->items[i])->vm, rt->group_by) : NULL,
                                        i};
        vp_sort(m, n, sizeof *m, cmp_member);
        for (size_t a = 0, b; a < n; a = b) {
            for (b = a + 1; b < n && !cmp_member(&(group_member){m[a].group, 0}, &(group_member){m[b].group, 0}); b++)
                ;
            restore_group(c, rt, m + a, b - a);
        }
    }
    /* a data class no restore test covers is a failure of testing, never a silent pass */
    for (size_t k = 0; k < e->class_count; k++) {
        int covered = 0;
        for (size_t r = 0; r < e->restore_test_count && !covered; r++)
            covered = !strcmp(e->restore_tests[r].class_name, e->classes[k].name) ||
                      !strcmp(e->restore_tests[r].class_name, "default");
        if (covered)
            continue;
        vp_draft d = {.resource_type = "data_class_group", .status = VP_FAIL};
        d.resource_name = vpe_fmt(c, "%s", e->classes[k].name);
        d.resource_id = vpe_fmt(c, "/classes/%s", e->classes[k].name);
        d.observed = "not tested: no restore test is configured for this data class";
        d.expected = vpe_fmt(c, "restore_tests.%s in the configuration, and its restores in the period",
                             e->classes[k].name);
        vpe_emit(c, &d, VP_LIST_COMPLETE);
    }
    free(m);
}
