/* The evaluation driver: validates config against the catalog, runs every rule on the
 * current snapshot (recording findings) and on each baseline (tallying only, for the
 * "operated effectively on N of M snapshots" figure), and applies the two cross-cutting
 * rules: fail closed on incomplete data, and exemptions. */
#define _GNU_SOURCE 1 /* FNM_CASEFOLD */
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "evaluate/internal.h"

static const struct {
    const char *id;
    void (*run)(vp_eval_ctx *c);
    int drift; /* compares snapshots, or judges the period: not re-run on baselines */
} implementations[] = {
    {"evidence.complete", vpe_rule_evidence_complete, 0},
    {"immutability.locked", vpe_rule_immutability_locked, 0},
    {"immutability.duration-covers-retention", vpe_rule_immutability_duration, 0},
    {"immutability.critical-items-locked", vpe_rule_critical_items_locked, 0},
    {"worm.region-available", vpe_rule_worm_region, 0},
    {"soft-delete.always-on", vpe_rule_soft_delete, 0},
    {"mua.resource-guard", vpe_rule_mua, 0},
    {"retention.minimum", vpe_rule_retention_minimum, 0},
    {"protection.state", vpe_rule_protection_state, 0},
    {"backup.rpo", vpe_rule_rpo, 0},
    {"engine.reporting", vpe_rule_engine_reporting, 0},
    {"coverage.critical-vms", vpe_rule_coverage, 0},
    {"decommission.no-active-backup", vpe_rule_decommission, 0},
    {"dr.redundancy", vpe_rule_redundancy, 0},
    {"exemption.valid", vpe_rule_exemption_valid, 0},
    {"drift.immutability-not-downgraded", vpe_rule_drift_immutability, 1},
    {"drift.retention-not-reduced", vpe_rule_drift_retention, 1},
    {"drift.item-policy-not-weakened", vpe_rule_drift_item_policy, 1},
    {"drift.item-left-locked-vault", vpe_rule_drift_left_locked, 1},
    {"drift.vault-not-deleted", vpe_rule_drift_vault_not_deleted, 1},
    {"backup.ran", vpe_rule_backup_ran, 1},
    {"restore.tested", vpe_rule_restore_tested, 1},
    {"change.authorized", vpe_rule_change_authorized, 0},
};

const char *vp_finding_status_name(vp_finding_status s)
{
    static const char *const names[] = {"pass", "warn", "fail", "not-applicable", "exempt", "incomplete"};
    return s < VP_STATUS_COUNT ? names[s] : "unknown";
}

const char *vp_result_of(const size_t counts[VP_STATUS_COUNT])
{
    if (counts[VP_FAIL])
        return "fail";
    if (counts[VP_INCOMPLETE])
        return "incomplete";
    if (counts[VP_WARN])
        return "pass with warnings";
    if (counts[VP_PASS] || counts[VP_EXEMPT])
        return counts[VP_EXEMPT] ? "pass with exemptions" : "pass";
    return "not-applicable";
}

int vpe_framework_enabled(const vp_findings *f, const char *id)
{
    return (!strcmp(id, "hipaa") && f->settings->hipaa) || (!strcmp(id, "sox") && f->settings->sox);
}

long long vpe_epoch_of(const char *t)
{
    long long e;
    return t && vp_time_parse(t, &e) == 0 ? e : -1;
}

const char *vpe_fmt(vp_eval_ctx *c, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    if (!c->record)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return vpc_arena_strdup(c->arena, buf);
}

const char *vpe_raw(vp_eval_ctx *c, const vp_source *src, const char *suffix)
{
    if (!src->file)
        return NULL;
    return vpe_fmt(c, "%s#%s%s", src->file, src->pointer ? src->pointer : "", suffix ? suffix : "");
}

void vpe_operated_days(vp_eval_ctx *c, size_t ok_days, size_t of_days)
{
    if (!c->days)
        return;
    *c->days = (struct vpe_days){ok_days < of_days ? ok_days : of_days, of_days, 1};
}

/* ---- parameters ---- */

static const vp_param_override *override_for(vp_eval_ctx *c, const char *name)
{
    const vp_eval_settings *e = c->f->settings;
    for (size_t i = 0; e && i < e->override_count; i++)
        if (!strcmp(e->overrides[i].rule, c->rule->id) && !strcmp(e->overrides[i].name, name))
            return &e->overrides[i];
    return NULL;
}

int vpe_param_bool(vp_eval_ctx *c, const char *name)
{
    const vp_param_override *o = override_for(c, name);
    const vp_param *p = vp_rule_param(c->rule, name);
    return o ? o->bool_value : p ? p->bool_value : 0;
}

long long vpe_param_int(vp_eval_ctx *c, const char *name)
{
    const vp_param_override *o = override_for(c, name);
    const vp_param *p = vp_rule_param(c->rule, name);
    return o ? o->int_value : p ? p->int_value : 0;
}

const char *vpe_param_string(vp_eval_ctx *c, const char *name)
{
    const vp_param_override *o = override_for(c, name);
    const vp_param *p = vp_rule_param(c->rule, name);
    return o ? o->string_value : p ? p->string_value : NULL;
}

vp_finding_status vpe_param_status(vp_eval_ctx *c, const char *name)
{
    const char *s = vpe_param_string(c, name);
    return s && !strcmp(s, "fail") ? VP_FAIL : s && !strcmp(s, "pass") ? VP_PASS : VP_WARN;
}

/* Overrides must name a rule, a parameter and a value of its type (choices too). */
static vp_status check_overrides(const vp_catalog *cat, const vp_eval_settings *e, const char *label, vp_error *err)
{
    for (size_t i = 0; i < e->override_count; i++) {
        const vp_param_override *o = &e->overrides[i];
        const vp_rule *rule = vp_catalog_find_rule(cat, o->rule);
        const vp_param *p = rule ? vp_rule_param(rule, o->name) : NULL;
        if (!rule)
            return vp_error_set(err, VP_ERR_INPUT, "%s: /rule_parameters/%s: no such rule in control catalog %s", label,
                                o->rule, vp_catalog_version(cat));
        if (!p)
            return vp_error_set(err, VP_ERR_INPUT, "%s: /rule_parameters/%s/%s: rule %s has no parameter '%s'", label,
                                o->rule, o->name, o->rule, o->name);
        int ok = p->type == VP_PARAM_BOOL ? o->is_bool : p->type == VP_PARAM_STRING ? o->is_string
                                                                                      : !o->is_bool && !o->is_string;
        if (ok && p->type == VP_PARAM_STRING && p->choice_count) {
            ok = 0;
            for (size_t k = 0; k < p->choice_count; k++)
                ok |= !strcmp(p->choices[k], o->string_value);
        }
        if (!ok)
            return vp_error_set(err, VP_ERR_INPUT, "%s: /rule_parameters/%s/%s: expected %s", label, o->rule, o->name,
                                p->type == VP_PARAM_BOOL ? "a boolean" : p->type == VP_PARAM_INT ? "an integer"
                                : p->choice_count ? "one of the values listed by 'vaultproof controls'" : "a string");
    }
    for (size_t i = 0; i < e->exemption_count; i++) {
        const char *rule = e->exemptions[i].rule;
        int found = strpbrk(rule, "*?[") != NULL; /* a glob may match several rules */
        size_t n;
        const vp_rule *rules = vp_catalog_rules(cat, &n);
        for (size_t k = 0; k < n && !found; k++)
            found = !strcmp(rules[k].id, rule);
        if (!found)
            return vp_error_set(err, VP_ERR_INPUT, "%s: /exemptions/%zu/rule: '%s' is not a rule of control catalog %s "
                                "(see 'vaultproof controls')", label, i, rule, vp_catalog_version(cat));
    }
    return VP_OK;
}

/* ---- completeness ---- */

vp_list_status vpe_list_min(vp_list_status a, vp_list_status b)
{
    return a == VP_LIST_COMPLETE ? b : b == VP_LIST_COMPLETE ? a : (a < b ? a : b);
}

/* Lists are sorted by scope (ignoring case), then operation. */
static int cmp_list(const void *key, const void *elem)
{
    const vp_list_call *k = key, *l = elem;
    int c = strcasecmp(k->scope, l->scope);
    return c ? c : strcmp(k->operation, l->operation);
}

vp_list_status vpe_list_of(const vp_snapshot *s, const char *operation, const char *scope)
{
    const vp_list_call probe = {.scope = scope, .operation = operation};
    const vp_list_call *l = vp_search(&probe, s->collection.lists, s->collection.list_count, sizeof probe, cmp_list);
    return l ? l->status : VP_LIST_MISSING;
}

vp_list_status vpe_vault_list_status(const vp_snapshot *s, const vp_vault *v)
{
    char scope[256];
    snprintf(scope, sizeof scope, "/subscriptions/%s", v->subscription_id ? v->subscription_id : "");
    return vpe_list_of(s, "vaults", scope);
}

vp_list_status vpe_all_item_lists(const vp_snapshot *s)
{
    vp_list_status st = VP_LIST_COMPLETE;
    for (size_t i = 0; i < s->collection.list_count; i++)
        if (!strcmp(s->collection.lists[i].operation, "backupProtectedItems"))
            st = vpe_list_min(st, s->collection.lists[i].status);
    return st;
}

/* ---- selection ---- */

const vp_vm *vpe_item_vm(const vp_snapshot *s, const vp_item *it)
{
    const vp_vm *vm = NULL;
    if (it->source_resource_id.presence == VP_PRESENT)
        vm = vp_snapshot_find_vm(s, it->source_resource_id.value);
    if (!vm && it->vm_id.presence == VP_PRESENT)
        vm = vp_snapshot_find_vm(s, it->vm_id.value);
    return vm;
}

static int glob_any(const char *const *globs, size_t n, const char *name)
{
    for (size_t i = 0; name && i < n; i++)
        if (fnmatch(globs[i], name, FNM_CASEFOLD) == 0)
            return 1;
    return 0;
}

static int tags_match(const vp_selector *sel, const vp_tags *tags)
{
    for (size_t i = 0; i < sel->tag_count; i++)
        for (size_t t = 0; t < tags->count; t++)
            if (!strcasecmp(tags->items[t].key, sel->tags[i].key))
                for (size_t v = 0; v < sel->tags[i].value_count; v++)
                    if (!strcasecmp(tags->items[t].value, sel->tags[i].values[v]))
                        return 1;
    return 0;
}

int vpe_selector_matches_vm(const vp_selector *sel, const vp_vm *vm)
{
    return vm && (tags_match(sel, &vm->tags) || glob_any(sel->names, sel->name_count, vm->name));
}

int vpe_selector_matches_item(const vp_selector *sel, const vp_vm *vm, const vp_item *it)
{
    if (vm && vpe_selector_matches_vm(sel, vm))
        return 1;
    return glob_any(sel->names, sel->name_count, it->friendly_name.value) ||
           glob_any(sel->names, sel->name_count, it->server.value);
}

int vpe_vm_is_critical(const vp_eval_settings *e, const vp_vm *vm)
{
    if (vpe_selector_matches_vm(&e->critical, vm))
        return 1;
    for (size_t i = 0; i < e->class_count; i++)
        if (vpe_selector_matches_vm(&e->classes[i].select, vm))
            return 1;
    return 0;
}

/* ---- emission ---- */

static const vp_exemption *exemption_for(vp_eval_ctx *c, const vp_draft *d)
{
    const vp_eval_settings *e = c->f->settings;
    for (size_t i = 0; e && i < e->exemption_count; i++) {
        const vp_exemption *x = &e->exemptions[i];
        if (x->expires_epoch < c->as_of || fnmatch(x->rule, c->rule->id, 0) != 0)
            continue;
        int hit = (d->resource_name && !fnmatch(x->resource, d->resource_name, FNM_CASEFOLD)) ||
                  (d->resource_id && !fnmatch(x->resource, d->resource_id, FNM_CASEFOLD));
        for (const char *const *m = d->match_names; m && *m && !hit; m++)
            hit = !fnmatch(x->resource, *m, FNM_CASEFOLD);
        if (hit)
            return x;
    }
    return NULL;
}

void vpe_emit(vp_eval_ctx *c, vp_draft *d, vp_list_status depends_on)
{
    const vp_exemption *x = NULL;
    if (d->status == VP_PASS && depends_on != VP_LIST_COMPLETE) {
        d->status = VP_INCOMPLETE;
        d->note = vpe_fmt(c, "would pass, but rests on a list call that is %s: not fully collected evidence "
                            "cannot pass", vp_list_status_name(depends_on));
    }
    if ((d->status == VP_FAIL || d->status == VP_WARN) && (x = exemption_for(c, d)) != NULL) {
        d->note = vpe_fmt(c, "exempt until %s (approved by %s): %s; without it: %s", x->expires, x->approver, x->reason,
                         vp_finding_status_name(d->status));
        d->status = VP_EXEMPT;
    }
    if (d->status == VP_FAIL || d->status == VP_INCOMPLETE)
        c->failing = 1;
    if (!c->record || c->sink->st)
        return;
    vp_finding f = {.rule = c->rule, .status = d->status, .resource_type = d->resource_type,
                    .resource_id = d->resource_id, .resource_name = d->resource_name, .observed = d->observed,
                    .expected = d->expected, .note = d->note, .snapshot_pointer = d->snapshot_pointer,
                    .raw_evidence = d->raw_evidence, .exemption = x};
    c->sink->st = c->sink->fn(c->sink->ctx, &f, c->sink->err);
}

/* ---- driver ---- */

static int cmp_ref(const void *a, const void *b)
{
    const vp_snapshot_ref *x = *(const vp_snapshot_ref *const *)a, *y = *(const vp_snapshot_ref *const *)b;
    int c = strcmp(x->snapshot->collection.generated_at, y->snapshot->collection.generated_at);
    return c ? c : strcmp(x->label ? x->label : "", y->label ? y->label : "");
}

/* Item to VM and class membership, once per snapshot instead of once per rule. */
static vp_item_info *item_infos(const vp_eval_settings *e, const vp_snapshot *s)
{
    vp_item_info *info = calloc(s->item_count + 1, sizeof *info);
    for (size_t i = 0; info && i < s->item_count; i++) {
        const vp_item *it = &s->items[i];
        info[i].vm = vpe_item_vm(s, it);
        info[i].vault = vp_snapshot_find_vault(s, it->vault_id);
        if (it->policy_id.presence == VP_PRESENT && *it->policy_id.value)
            info[i].policy = vp_snapshot_find_policy(s, it->policy_id.value);
        for (size_t k = 0; k < e->class_count && k < 8 * sizeof info[i].classes; k++)
            if (vpe_selector_matches_item(&e->classes[k].select, info[i].vm, it))
                info[i].classes |= 1UL << k;
        info[i].critical = info[i].classes != 0 || vpe_selector_matches_item(&e->critical, info[i].vm, it);
    }
    return info;
}

static vp_status count_finding(void *ctx, const vp_finding *x, vp_error *err);

static long long snapshot_time(const vp_snapshot *s)
{
    long long t = vpe_epoch_of(s->collection.captured_to);
    return t >= 0 ? t : vpe_epoch_of(s->collection.generated_at);
}

/* Takes the timeline over on failure too, as the options promise. */
static vp_status drop_timeline(const vp_evaluate_options *opt, vp_status st)
{
    if (opt && opt->take_timeline)
        vp_timeline_free((vp_timeline *)opt->timeline);
    return st;
}

vp_status vp_evaluate(const vp_snapshot_ref *current, const vp_catalog *catalog, const vp_config *config,
                      const vp_evaluate_options *opt, vp_findings **out, vp_error *err)
{
    size_t rule_count;
    const vp_rule *rules = vp_catalog_rules(catalog, &rule_count);
    const vp_eval_settings *settings = vp_config_eval(config);
    vp_status st;
    for (size_t b = 0; b <= (opt ? opt->baseline_count : 0); b++) {
        const vp_snapshot *s = b ? opt->baselines[b - 1].snapshot : current->snapshot;
        if (s && s->lazy_source)
            return drop_timeline(opt, vp_error_set(err, VP_ERR_INTERNAL, "evaluate: %s was read lazily; "
                                                   "evaluation needs it whole", s->lazy_source));
    }
    *out = NULL;
    if ((st = check_overrides(catalog, settings, opt->config_label ? opt->config_label : vp_config_name(config), err)))
        return drop_timeline(opt, st);
    vp_findings *f = calloc(1, sizeof *f);
    if (!f)
        return drop_timeline(opt, vp_error_set(err, VP_ERR_NOMEM, "out of memory"));
    f->catalog = catalog;
    f->settings = settings;
    f->config = config;
    f->current = *current;
    f->clock = opt->clock;
    f->rule_count = rule_count;
    f->baseline_count = opt->baseline_count;
    f->snapshot_count = opt->baseline_count + 1;
    f->timeline = opt->timeline;
    if (opt->take_timeline)
        f->owned_timeline = (vp_timeline *)opt->timeline;
    f->baselines = calloc(opt->baseline_count + 1, sizeof *f->baselines);
    f->ok = calloc(f->snapshot_count * (rule_count + 1), 1);
    f->days = calloc(rule_count + 1, sizeof *f->days);
    f->impl = calloc(rule_count + 1, 1);
    f->rule_counts = calloc(rule_count * VP_STATUS_COUNT + 1, sizeof *f->rule_counts);
    if (!f->baselines || !f->ok || !f->days || !f->impl || !f->rule_counts) {
        vp_findings_free(f);
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    }
    for (size_t b = 0; b < opt->baseline_count; b++)
        f->baselines[b] = &opt->baselines[b];
    vp_sort(f->baselines, f->baseline_count, sizeof *f->baselines, cmp_ref);
    f->as_of = snapshot_time(current->snapshot);
    f->as_of_text = current->snapshot->collection.captured_to ? current->snapshot->collection.captured_to
                                                              : current->snapshot->collection.generated_at;

    vp_item_info **infos = calloc(f->snapshot_count, sizeof *infos);
    for (size_t snap = 0; infos && snap < f->snapshot_count; snap++)
        if (!(infos[snap] = item_infos(settings, snap == f->baseline_count ? current->snapshot
                                                                          : f->baselines[snap]->snapshot)))
            break;
    if (!infos || !infos[0] || !infos[f->snapshot_count - 1]) {
        st = vp_error_set(err, VP_ERR_NOMEM, "out of memory");
        goto out;
    }
    vp_arena arena = {0};
    vpe_sink count = {count_finding, f, err, VP_OK};
    for (size_t r = 0; r < rule_count; r++) {
        size_t k = 0, n_impl = sizeof implementations / sizeof implementations[0];
        while (k < n_impl && strcmp(implementations[k].id, rules[r].id) != 0)
            k++;
        if (k == n_impl) {
            st = vp_error_set(err, VP_ERR_INTERNAL, "control catalog rule '%s' has no implementation in this build",
                              rules[r].id);
            goto out;
        }
        f->impl[r] = (unsigned char)k;
        for (size_t snap = 0; snap < f->snapshot_count; snap++) {
            int is_current = snap == f->baseline_count;
            if (!is_current && implementations[k].drift)
                continue;
            const vp_snapshot *s = is_current ? current->snapshot : f->baselines[snap]->snapshot;
            /* the current snapshot's findings are made in full (an exemption may match a
             * formatted name) and counted; they are made again when read */
            vp_eval_ctx c = {.f = f, .s = s, .rule = &rules[r], .rule_index = r, .snapshot_index = snap,
                             .record = is_current, .arena = &arena, .sink = &count,
                             .days = is_current ? &f->days[r] : NULL, .as_of = snapshot_time(s),
                             .info = infos[snap]};
            implementations[k].run(&c);
            vpc_arena_reset(&arena);
            f->ok[snap * rule_count + r] = !c.failing;
        }
        for (size_t snap = 0; implementations[k].drift && snap < f->baseline_count; snap++)
            f->ok[snap * rule_count + r] = f->ok[f->baseline_count * rule_count + r]; /* judged once, over all */
    }
    vpc_arena_free(&arena);
    f->current_info = infos[f->baseline_count];
    infos[f->baseline_count] = NULL; /* kept for the replays */
out:
    for (size_t snap = 0; infos && snap < f->snapshot_count; snap++)
        free(infos[snap]);
    free(infos);
    if (st) {
        vp_findings_free(f);
        return st;
    }
    *out = f;
    return VP_OK;
}

/* The first pass's sink: per-rule counts by status. */
static vp_status count_finding(void *ctx, const vp_finding *x, vp_error *err)
{
    vp_findings *f = ctx;
    (void)err;
    f->rule_counts[(size_t)(x->rule - vp_catalog_rules(f->catalog, &(size_t){0})) * VP_STATUS_COUNT + x->status]++;
    f->total++;
    return VP_OK;
}

/* Counts what a replay delivers, to check it against the first pass. */
typedef struct {
    vp_status (*fn)(void *ctx, const vp_finding *x, vp_error *err);
    void *ctx;
    size_t n;
} replay_count;

static vp_status replay_one(void *ctx, const vp_finding *x, vp_error *err)
{
    replay_count *rc = ctx;
    rc->n++;
    return rc->fn(rc->ctx, x, err);
}

vp_status vp_findings_each(const vp_findings *f, vp_status (*fn)(void *ctx, const vp_finding *x, vp_error *err),
                           void *ctx, vp_error *err)
{
    size_t nrules;
    const vp_rule *rules = vp_catalog_rules(f->catalog, &nrules);
    const vp_snapshot *s = f->current.snapshot;
    replay_count rc = {fn, ctx, 0};
    vpe_sink sink = {replay_one, &rc, err, VP_OK};
    vp_arena arena = {0};
    for (size_t r = 0; r < nrules && !sink.st; r++) {
        /* the rules only read f here: vpe_operated_days records on the first pass only */
        vp_eval_ctx c = {.f = (vp_findings *)f, .s = s, .rule = &rules[r], .rule_index = r,
                         .snapshot_index = f->baseline_count, .record = 1, .arena = &arena, .sink = &sink,
                         .as_of = snapshot_time(s), .info = f->current_info};
        implementations[f->impl[r]].run(&c);
        vpc_arena_reset(&arena);
    }
    vpc_arena_free(&arena);
    if (sink.st)
        return sink.st;
    if (rc.n != f->total)
        return vp_error_set(err, VP_ERR_INTERNAL, "evaluate: the findings made again number %zu, not the %zu counted",
                            rc.n, f->total);
    return VP_OK;
}

size_t vp_findings_total(const vp_findings *f)
{
    return f->total;
}

static vp_status keep_finding(void *ctx, const vp_finding *x, vp_error *err)
{
    vp_findings *f = ctx;
    vp_finding *k = VP_VEC_PUSH(f->list);
    const char **s[] = {&k->resource_id, &k->resource_name, &k->observed, &k->expected, &k->note,
                        &k->snapshot_pointer, &k->raw_evidence};
    if (!k)
        return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    *k = *x;
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
        if (*s[i] && !(*s[i] = vpc_arena_strdup(&f->list_arena, *s[i])))
            return vp_error_set(err, VP_ERR_NOMEM, "out of memory");
    return VP_OK;
}

const vp_finding *vp_findings_list(const vp_findings *f, size_t *count)
{
    /* the list is a cache of what vp_findings_each gives: filling it changes no answer */
    vp_findings *cache = (vp_findings *)f;
    vp_error e;
    if (f->list.n != f->total && (f->list.n || vp_findings_each(f, keep_finding, cache, &e))) {
        *count = 0;
        return NULL;
    }
    *count = f->list.n;
    return f->list.v;
}

const vp_timeline *vp_findings_timeline(const vp_findings *f)
{
    return f ? f->timeline : NULL;
}

void vp_findings_free(vp_findings *f)
{
    if (!f)
        return;
    free(f->list.v);
    vpc_arena_free(&f->list_arena);
    free(f->impl);
    free(f->current_info);
    vp_timeline_free(f->owned_timeline);
    free(f->baselines);
    free(f->ok);
    free(f->days);
    free(f->rule_counts);
    free(f);
}


void vp_findings_count(const vp_findings *f, const vp_rule *rule, size_t counts[VP_STATUS_COUNT])
{
    size_t n;
    const vp_rule *rules = vp_catalog_rules(f->catalog, &n);
    memset(counts, 0, VP_STATUS_COUNT * sizeof *counts);
    for (size_t r = 0; r < n; r++)
        if (!rule || &rules[r] == rule)
            for (int s = 0; s < VP_STATUS_COUNT; s++)
                counts[s] += f->rule_counts[r * VP_STATUS_COUNT + (size_t)s];
}

void vp_findings_operated(const vp_findings *f, const vp_rule *rule, size_t *ok, size_t *total, int *days)
{
    size_t r = (size_t)(rule - vp_catalog_rules(f->catalog, &(size_t){0}));
    if (days)
        *days = f->days[r].set;
    if (f->days[r].set) {
        *ok = f->days[r].ok;
        *total = f->days[r].of;
        return;
    }
    *ok = 0;
    *total = f->snapshot_count;
    for (size_t s = 0; s < f->snapshot_count; s++)
        *ok += f->ok[s * f->rule_count + r];
}

void vp_findings_operated_control(const vp_findings *f, const vp_citation *cit, size_t *ok, size_t *total, int *days)
{
    size_t nrules, failed_days = 0, of_days = 0;
    const vp_rule *rules = vp_catalog_rules(f->catalog, &nrules);
    int any_days = 0;
    *ok = 0;
    for (size_t snap = 0; snap < f->snapshot_count; snap++) {
        int all = 1;
        for (size_t r = 0; r < nrules; r++)
            for (size_t k = 0; k < rules[r].citation_count; k++)
                if (rules[r].citations[k] == cit)
                    all &= f->ok[snap * f->rule_count + r];
        *ok += (size_t)all;
    }
    *total = f->snapshot_count;
    for (size_t r = 0; r < nrules; r++)
        for (size_t k = 0; k < rules[r].citation_count; k++)
            if (rules[r].citations[k] == cit && f->days[r].set) {
                any_days = 1;
                of_days = f->days[r].of > of_days ? f->days[r].of : of_days;
                failed_days += f->days[r].of - f->days[r].ok;
            }
    if (any_days) {
        *ok = failed_days < of_days ? of_days - failed_days : 0;
        *total = of_days;
    }
    if (days)
        *days = any_days;
}

int vp_findings_has_period(const vp_findings *f)
{
    return f->current.snapshot->collection.has_period;
}

int vp_findings_any_failing(const vp_findings *f, vp_severity at_least)
{
    size_t n;
    const vp_rule *rules = vp_catalog_rules(f->catalog, &n);
    for (size_t r = 0; r < n; r++)
        if (rules[r].severity >= at_least &&
            (f->rule_counts[r * VP_STATUS_COUNT + VP_FAIL] || f->rule_counts[r * VP_STATUS_COUNT + VP_INCOMPLETE]))
            return 1;
    return 0;
}
