/* Internal to the evaluator: the findings object and the per-rule context. */
#ifndef VP_EVALUATE_INTERNAL_H
#define VP_EVALUATE_INTERNAL_H

#include "core/arena.h"
#include "core/vec.h"
#include "vaultproof/evaluate.h"

/* What every item rule asks about an item, worked out once per snapshot. */
typedef struct {
    const vp_vm *vm;        /* the VM it backs up, or NULL */
    const vp_vault *vault;  /* its vault, or NULL when not listed */
    const vp_policy *policy; /* its policy, or NULL (none or not found) */
    unsigned long classes;  /* bit k: matches settings->classes[k] */
    int critical;           /* critical selector or any class */
} vp_item_info;

/* Where the current snapshot's findings go as they are made: counted on the first pass,
 * then written (vp_findings_each). Nothing holds all of them: a million-item estate has
 * millions of findings. */
typedef struct {
    vp_status (*fn)(void *ctx, const vp_finding *x, vp_error *err);
    void *ctx;
    vp_error *err;
    vp_status st; /* the first failure of fn; later findings are not delivered */
} vpe_sink;

struct vp_findings {
    VP_VEC(vp_finding) list; /* only when vp_findings_list() asked for it (tests, small estates) */
    vp_arena list_arena;     /* the strings of list */
    size_t total;            /* findings of the current snapshot */
    unsigned char *impl;     /* per rule: its index in the implementations table */
    vp_item_info *current_info; /* the current snapshot's item facts, for each replay */
    vp_timeline *owned_timeline; /* taken over (vp_evaluate_options.take_timeline) */
    const vp_catalog *catalog;
    const vp_eval_settings *settings;
    const vp_config *config;
    vp_snapshot_ref current;
    const vp_snapshot_ref **baselines; /* sorted oldest first */
    size_t baseline_count;
    vp_clock clock;
    long long as_of;                   /* the current snapshot's capture time */
    const char *as_of_text;
    unsigned char *ok;                 /* ok[snapshot * rule_count + rule]: no fail/incomplete */
    size_t *rule_counts;               /* [rule * VP_STATUS_COUNT + status], filled after evaluation */
    size_t rule_count, snapshot_count;
    const vp_timeline *timeline;       /* the period's jobs, or NULL */
    struct vpe_days { size_t ok, of; int set; } *days; /* per rule: vpe_operated_days */
};

/* Evaluation of one rule over one snapshot. */
typedef struct {
    vp_findings *f;
    const vp_snapshot *s;               /* the snapshot being evaluated */
    const vp_rule *rule;
    size_t rule_index, snapshot_index;
    int record;                         /* 0: baseline pass, only tally (no strings made) */
    vp_arena *arena;                    /* the strings of the findings being made (record) */
    vpe_sink *sink;                     /* receives each finding (record) */
    struct vpe_days *days;              /* where vpe_operated_days records, or NULL (replays) */
    int failing;                        /* a fail or incomplete was emitted */
    const vp_item_info *info;           /* per item of s */
    long long as_of;
} vp_eval_ctx;

/* A finding under construction; vpe_emit() completes it. */
typedef struct {
    vp_finding_status status;
    const char *resource_type, *resource_id, *resource_name;
    const char *observed, *expected, *note, *snapshot_pointer, *raw_evidence;
    const char *const *match_names; /* extra names exemptions may match (item server, VM name), NULL-ended */
} vp_draft;

/* Records a finding: a pass that rests on data not fully collected becomes incomplete
 * (fail closed); a fail or warn covered by an active exemption becomes exempt. */
void vpe_emit(vp_eval_ctx *c, vp_draft *d, vp_list_status depends_on);

/* A rule over the evidence period says on how many of the period's days it operated
 * (no failing subject that day) of how many days with evidence; of_days 0: not tested.
 * findings.json then gives the rule's operated_effectively in days. */
void vpe_operated_days(vp_eval_ctx *c, size_t ok_days, size_t of_days);

/* A rule's loop over its subjects (items, VMs): a finding's texts are needed only until
 * it is emitted, as the sinks write it and keep none of it. So the loop takes a mark
 * before it starts (vpe_turns_begin) and each turn begins by releasing what the last
 * turn made (vpe_turn), a `continue` included. Held until the rule's end instead, every
 * walk over the findings kept its rule's texts for all items at once: pack's peak at a
 * million items was 80 MB higher (bench/README.md, 2026-12-05 noon).
 * Texts made before the loop, and any a turn must pass to the next, are not in a turn. */
static inline vp_arena_mark vpe_turns_begin(vp_eval_ctx *c)
{
    return vpc_arena_mark(c->arena);
}
static inline void vpe_turn(vp_eval_ctx *c, vp_arena_mark texts)
{
    vpc_arena_release(c->arena, texts);
}

/* printf into the pass's arena (NULL on a tally-only pass: nothing is kept); the text
 * lives until the rule is done, or in a loop of turns until the next turn. */
const char *vpe_fmt(vp_eval_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "file#pointer" + suffix for an entity's raw evidence. */
const char *vpe_raw(vp_eval_ctx *c, const vp_source *src, const char *suffix);

/* Parameter values: the config's rule_parameters, else the catalog default. */
int vpe_param_bool(vp_eval_ctx *c, const char *name);
long long vpe_param_int(vp_eval_ctx *c, const char *name);
const char *vpe_param_string(vp_eval_ctx *c, const char *name);
/* "warn" / "fail" / "pass" parameter as a status. */
vp_finding_status vpe_param_status(vp_eval_ctx *c, const char *name);

/* Completeness of a list call (VP_LIST_MISSING when the snapshot does not list it). */
vp_list_status vpe_list_of(const vp_snapshot *s, const char *operation, const char *scope);
vp_list_status vpe_list_min(vp_list_status a, vp_list_status b);
/* The status of the vault list covering this vault. */
vp_list_status vpe_vault_list_status(const vp_snapshot *s, const vp_vault *v);
/* COMPLETE only when every protected-item list in the snapshot is complete. */
vp_list_status vpe_all_item_lists(const vp_snapshot *s);

/* Selection of critical / class resources. */
const vp_vm *vpe_item_vm(const vp_snapshot *s, const vp_item *it);
/* vm: the item's VM (vpe_item_vm, or vp_info's), NULL when none: looked up once per item,
 * not once per selector (a binary search over every VM's id each time). */
int vpe_selector_matches_item(const vp_selector *sel, const vp_vm *vm, const vp_item *it);
int vpe_selector_matches_vm(const vp_selector *sel, const vp_vm *vm);
int vpe_vm_is_critical(const vp_eval_settings *e, const vp_vm *vm);

/* Whether the config enables the framework ("hipaa", "sox"). */
int vpe_framework_enabled(const vp_findings *f, const char *id);

/* The cached facts about item it of the snapshot being evaluated. */
static inline const vp_item_info *vp_info(const vp_eval_ctx *c, const vp_item *it)
{
    return &c->info[it - c->s->items];
}

/* Why: names the api-version that omits immutabilitySettings, or the securitySettings seen. */
const char *vpe_never_configured_note(vp_eval_ctx *c, const vp_vault *v);

/* The longest retention (days) any retention minimum requires of item it; -1 when none
 * applies. classes receives the names of the classes that apply ("default+sox"). */
long long vpe_required_days(vp_eval_ctx *c, const vp_item *it, char *classes, size_t size);

/* RFC 3339 text to epoch, or -1. */
long long vpe_epoch_of(const char *t);

/* The rules, by catalog id. Each emits one finding per in-scope resource. */
void vpe_rule_evidence_complete(vp_eval_ctx *c);
void vpe_rule_immutability_locked(vp_eval_ctx *c);
void vpe_rule_immutability_duration(vp_eval_ctx *c);
void vpe_rule_critical_items_locked(vp_eval_ctx *c);
void vpe_rule_worm_region(vp_eval_ctx *c);
void vpe_rule_soft_delete(vp_eval_ctx *c);
void vpe_rule_mua(vp_eval_ctx *c);
void vpe_rule_engine_reporting(vp_eval_ctx *c);
void vpe_rule_retention_minimum(vp_eval_ctx *c);
void vpe_rule_protection_state(vp_eval_ctx *c);
void vpe_rule_rpo(vp_eval_ctx *c);
void vpe_rule_coverage(vp_eval_ctx *c);
void vpe_rule_decommission(vp_eval_ctx *c);
void vpe_rule_redundancy(vp_eval_ctx *c);
void vpe_rule_exemption_valid(vp_eval_ctx *c);
void vpe_rule_drift_immutability(vp_eval_ctx *c);
void vpe_rule_drift_retention(vp_eval_ctx *c);
void vpe_rule_drift_item_policy(vp_eval_ctx *c);
void vpe_rule_drift_left_locked(vp_eval_ctx *c);
void vpe_rule_drift_vault_not_deleted(vp_eval_ctx *c);
void vpe_rule_backup_ran(vp_eval_ctx *c);
void vpe_rule_restore_tested(vp_eval_ctx *c);
void vpe_rule_change_authorized(vp_eval_ctx *c); /* rules_changes.c */

#endif
