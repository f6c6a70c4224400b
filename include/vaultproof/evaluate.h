/*
 * vaultproof/evaluate.h - findings from a snapshot, the control catalog and the config.
 *
 * One finding per rule and in-scope resource, passes as well as failures, each with
 * observed and expected values and a pointer to the evidence (into the snapshot and
 * into the raw response). Evaluation never passes what was not fully collected: such
 * findings are `incomplete`. Findings are computed, never rendered here.
 */
#ifndef VAULTPROOF_EVALUATE_H
#define VAULTPROOF_EVALUATE_H

#include <stddef.h>
#include <stdio.h>

#include "vaultproof/catalog.h"
#include "vaultproof/clock.h"
#include "vaultproof/config.h"
#include "vaultproof/error.h"
#include "vaultproof/snapshot.h"
#include "vaultproof/timeline.h"

#define VP_FINDINGS_FORMAT "vaultproof-findings/1"

typedef enum {
    VP_PASS = 0,
    VP_WARN,
    VP_FAIL,
    VP_NOT_APPLICABLE,
    VP_EXEMPT,
    VP_INCOMPLETE,
    VP_STATUS_COUNT
} vp_finding_status;

/* "pass", "warn", "fail", "not-applicable", "exempt", "incomplete". */
const char *vp_finding_status_name(vp_finding_status s);

/* The roll-up of a set of findings given its counts by status: fail > incomplete >
 * warn ("pass with warnings") > pass ("pass with exemptions" when some are exempt) >
 * not-applicable. Static string. */
const char *vp_result_of(const size_t counts[VP_STATUS_COUNT]);

/* Whether the item has no backup policy: the one definition every count of items
 * "without policy" uses (findings, PDF, workbook). True when the snapshot's policy_link
 * is "none" - policyId absent, null or "" (collection normalizes "" to none) - or not
 * set. An item naming a policy its vault does not list ("missing") has a policy that
 * could not be read: that is not "without policy". */
int vp_item_without_policy(const vp_item *item);

typedef struct {
    const vp_rule *rule;
    vp_finding_status status;
    const char *resource_type; /* vault, protected_item, virtual_machine, backup_policy, backup_engine, list_call,
                                  exemption, decommissioned_server, period, collection, subscription,
                                  data_class_group */
    const char *resource_id, *resource_name;
    const char *observed, *expected;
    const char *note;          /* why, when the status needs explaining (exemption, incomplete, expiry) */
    const char *snapshot_pointer; /* JSON pointer into the snapshot, e.g. "/vaults/3/immutability" */
    const char *raw_evidence;     /* "file#pointer" into the raw responses, or NULL */
    const vp_exemption *exemption; /* applied exemption, or NULL */
} vp_finding;

/* One snapshot's identity, for the record and for drift. */
typedef struct {
    const char *label;   /* file name as given */
    const char *sha256;  /* of the snapshot file, or NULL for an in-memory snapshot */
    const vp_snapshot *snapshot;
} vp_snapshot_ref;

typedef struct {
    vp_clock clock;                  /* generation time of the findings */
    const vp_snapshot_ref *baselines; /* earlier snapshots of the period, any order */
    size_t baseline_count;
    const char *config_label;        /* for the record */
    /* The period's jobs (vp_timeline_build over the current snapshot's jobs stream), or
     * NULL: with a period the rules that read jobs are then incomplete. Borrowed, and read
     * again whenever the findings are (vp_findings_each): it must outlive the findings,
     * unless take_timeline hands it over (vp_findings_free then frees it; a failed
     * vp_evaluate frees it too). */
    const vp_timeline *timeline;
    int take_timeline;
} vp_evaluate_options;

typedef struct vp_findings vp_findings;

/* Evaluates current against the catalog and settings. Rule parameters given in the
 * config are checked against the catalog here (unknown rule or parameter, wrong type:
 * VP_ERR_INPUT naming /rule_parameters/...), as are exemption rule ids.
 * The findings object holds the counts and roll-ups, not the findings themselves: those
 * are made again, in the same order, each time they are read (vp_findings_each), so
 * memory does not grow with the number of findings. Everything evaluated (snapshots,
 * catalog, config, timeline) must therefore outlive the findings object. */
vp_status vp_evaluate(const vp_snapshot_ref *current, const vp_catalog *catalog, const vp_config *config,
                      const vp_evaluate_options *opt, vp_findings **out, vp_error *err);
void vp_findings_free(vp_findings *f);

/* The number of findings (of the current snapshot). */
size_t vp_findings_total(const vp_findings *f);
/* The period's jobs timeline f was evaluated with (vp_evaluate_options.timeline), or NULL
 * without one; valid while f lives (and, when not taken over, while the caller keeps it).
 * Read-only: threads may read it at the same time. */
const vp_timeline *vp_findings_timeline(const vp_findings *f);
/* Calls fn with each finding in order (the order of findings.json); a finding and its
 * strings are valid during the call only. Stops at the first error fn returns. Reads
 * only what was evaluated, so two threads may each walk the same findings. Errors: fn's,
 * VP_ERR_NOMEM, VP_ERR_INTERNAL when the walk does not give the counted findings. */
vp_status vp_findings_each(const vp_findings *f, vp_status (*fn)(void *ctx, const vp_finding *x, vp_error *err),
                           void *ctx, vp_error *err);
/* Every finding at once, made on the first call and kept in f until vp_findings_free
 * (for tests and small estates: it costs memory per finding; NULL with *count 0 when
 * out of memory). Not to be called while another thread reads f. */
const vp_finding *vp_findings_list(const vp_findings *f, size_t *count);
/* Counts of findings by status for one rule (or every rule when rule is NULL). */
void vp_findings_count(const vp_findings *f, const vp_rule *rule, size_t counts[VP_STATUS_COUNT]);
/* For each rule: on how many of the snapshots (baselines + current) it had no failing
 * or incomplete finding - or, for a rule over the evidence period (backup.ran), on how
 * many of the period's days it had no failing subject; *days (may be NULL) says which:
 * 1 for days. A period rule without evidence in the period has *total 0 ("not tested"). */
void vp_findings_operated(const vp_findings *f, const vp_rule *rule, size_t *ok, size_t *total, int *days);
/* The same for a control (citation): over the snapshots, as the AND of its rules; when
 * one of its rules reports days, in days - the period's days minus every day on which any
 * of its day rules failed (a conservative bound: a day two rules failed counts twice). */
void vp_findings_operated_control(const vp_findings *f, const vp_citation *cit, size_t *ok, size_t *total, int *days);
/* Whether the evaluated snapshot has an evidence period (findings.json then names the
 * unit of every operated_effectively). */
int vp_findings_has_period(const vp_findings *f);
/* Whether any fail or incomplete finding has at least this severity (--fail-on). */
int vp_findings_any_failing(const vp_findings *f, vp_severity at_least);

/* Writes findings.json (docs/findings-format.md). Errors: VP_ERR_IO. */
vp_status vp_findings_write_json(const vp_findings *f, FILE *fp, const char *label, vp_error *err);

/* Findings per vault and status, counted while findings.json is written, for renderers
 * in the same process (pack): the report then need not parse every finding of the file
 * again only to count them, and the workbook, which parses them all for its Findings
 * rows anyway, checks that its count from the file is this one (vaultproof/tally.h). */
typedef struct {
    size_t vault_count;                  /* the evaluated snapshot's */
    size_t (*by_vault)[VP_STATUS_COUNT]; /* vault_count + 1 rows: the last one is outside
                                            every vault (vp_tally_vault_of) */
} vp_vault_counts;

/* As vp_findings_write_json, also counting every finding written into *counts, which
 * it allocates, freeing what *counts held ({0} or an earlier count; free with
 * vp_vault_counts_free, also after an error). Errors: as vp_findings_write_json,
 * VP_ERR_NOMEM. */
vp_status vp_findings_write_json_counted(const vp_findings *f, FILE *fp, const char *label, vp_vault_counts *counts,
                                         vp_error *err);
/* Frees what counts holds and zeroes it; NULL is allowed. */
void vp_vault_counts_free(vp_vault_counts *counts);
/* Writes NIST OSCAL 1.1.2 assessment-results JSON: an observation per rule with the
 * resources it tested as subjects (each with its result), a finding
 * per control objective, back-matter with the SHA-256 of the snapshot, the findings file
 * (findings_sha256, may be NULL when it went to stdout), catalog and config.
 * Errors: VP_ERR_IO, VP_ERR_CRYPTO (UUID derivation), VP_ERR_NOMEM. */
vp_status vp_findings_write_oscal(const vp_findings *f, const char *findings_sha256, FILE *fp, const char *label,
                                  vp_error *err);
/* How vp_findings_write_oscal_awaiting gets the findings file's SHA-256: called once,
 * from the writing thread, when the back-matter (the document's last part, the only one
 * citing it) is written; it may wait for findings.json to be written meanwhile. *sha256
 * NULL: not hashed (stdout), as vp_findings_write_oscal's NULL. An error it returns
 * stops the document and is returned. */
typedef vp_status (*vp_oscal_findings_hash)(void *ctx, const char **sha256, vp_error *err);
/* As vp_findings_write_oscal, the hash asked of hash(hash_ctx) when it is needed, so
 * that the document can be written while findings.json still is (pack). The same bytes
 * for the same hash. Errors: as vp_findings_write_oscal, and hash's. */
vp_status vp_findings_write_oscal_awaiting(const vp_findings *f, vp_oscal_findings_hash hash, void *hash_ctx, FILE *fp,
                                           const char *label, vp_error *err);

/* ---- changes (the Activity Log's changes of the period; docs/changes.md) ---- */

/* What a change did to protection. Everything but VP_CHANGE_OTHER can reduce it. */
typedef enum {
    VP_CHANGE_OTHER = 0,          /* no protection-reducing kind: a schedule, a new item, a raise */
    VP_CHANGE_IMMUTABILITY,       /* immutability set lower (Locked > Unlocked > Disabled) */
    VP_CHANGE_SOFT_DELETE,        /* soft delete weakened (state or days) */
    VP_CHANGE_MUA,                /* a resource guard proxy deleted: multi-user authorization off */
    VP_CHANGE_RETENTION,          /* a policy's retention reduced */
    VP_CHANGE_POLICY_SWAP,        /* a protected item moved to a policy with shorter retention */
    VP_CHANGE_DELETE_DATA,        /* stop protection with delete data (protected item delete) */
    VP_CHANGE_KIND_COUNT
} vp_change_kind;

typedef struct {
    vp_change_kind kind;
    int reduces;     /* 1: reduces protection, or may (direction unknown: fail closed) */
    int blocked;     /* 1: a Failed attempt of a reducing kind on a vault immutability or MUA protects */
    const char *why; /* static text: how kind and direction were told */
} vp_change_class;

/* "other", "immutability-lowered", "soft-delete-weakened", "mua-removed",
 * "retention-reduced", "policy-swapped", "stop-protection-delete-data". */
const char *vp_change_kind_name(vp_change_kind k);

/* The period's changes indexed for classification (by resource and time), built once per
 * snapshot; NULL when out of memory. The snapshot must outlive it. */
typedef struct vp_change_index vp_change_index;
vp_change_index *vp_change_index_new(const vp_snapshot *snap);
void vp_change_index_free(vp_change_index *ix); /* NULL is allowed */

/* Classifies the indexed snapshot's changes[index] (index < change_count) with the one
 * table of operations (src/evaluate/changes.c). The previous value a reduction is measured against
 * is, in order: the last successful change of the same setting on the same resource
 * earlier in the period, else baseline (the snapshot before the period, may be NULL),
 * else the current snapshot is not used (it is after the change) and the direction is
 * unknown - treated as reducing (fail closed), and why says so. */
void vp_change_classify(const vp_change_index *ix, const vp_snapshot *baseline, size_t index, vp_change_class *out);

#endif
