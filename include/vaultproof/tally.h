/*
 * vaultproof/tally.h - every count the reports print, computed once.
 *
 * The PDF and the workbook print the same numbers: findings per vault and status
 * (findings that concern no vault in their own row), per framework and status, and the
 * items without a backup policy per vault. Both renderers take them from one vp_tally,
 * so that the two documents and findings.json cannot disagree. Definitions (also in the
 * report's method text, templates/report/report.json and docs/user-guide.md):
 *  - every finding is counted, whatever its status; not-applicable is a column of its own;
 *  - a finding belongs to a vault when its resource id names the vault's id
 *    ("/subscriptions/.../vaults/NAME", ignoring case, anywhere in the id, so that an
 *    evidence.complete finding "items /subscriptions/.../vaults/NAME" is the vault's);
 *  - a framework's counts add up the findings of every rule citing one of its controls;
 *  - an item is without policy when its policy link is "none" (vp_item_without_policy, vaultproof/evaluate.h);
 *  - a control or rule is "not tested" when none of its findings is pass, warn, fail,
 *    exempt or incomplete (nothing, or only not-applicable findings, evidences it);
 *  - the population counts (vp_population) are the snapshot's entities; a subscription
 *    "only referenced by resource ids" is one the subscriptions list did not return but a
 *    vault, VM or resource guard of the snapshot lives in; the reconciliation counts are
 *    collection.access's (not recorded in snapshots written before it).
 */
#ifndef VAULTPROOF_TALLY_H
#define VAULTPROOF_TALLY_H

#include <stddef.h>

#include "vaultproof/error.h"
#include "vaultproof/evaluate.h"
#include "vaultproof/findings_read.h"
#include "vaultproof/snapshot.h"

#define VP_TALLY_HIPAA 0
#define VP_TALLY_SOX 1
#define VP_TALLY_FRAMEWORKS 2

/* The population counts both reports print, in this order (labels: vp_tally_population_label). */
typedef enum {
    VP_POP_VAULTS,
    VP_POP_POLICIES,
    VP_POP_ITEMS,
    VP_POP_VMS,
    VP_POP_ENGINES,
    VP_POP_GUARDS,            /* resource guards named by the vaults' proxies */
    VP_POP_DELETED_VAULTS,
    VP_POP_SUBS_LISTED,       /* in the snapshot, returned by the subscriptions list */
    VP_POP_SUBS_REFERENCED,   /* not returned by it, only referenced by resource ids */
    VP_POP_SUBS_IN_SCOPE,     /* reconciliation: in scope and visible to the principal */
    VP_POP_SUBS_NOT_VISIBLE,  /* in scope, not visible */
    VP_POP_SUBS_OUT_OF_SCOPE, /* visible, outside the configured scope */
    VP_POP_COUNT
} vp_population;
#define VP_POP_FIRST_RECONCILED VP_POP_SUBS_IN_SCOPE

typedef struct {
    size_t vault_count;                       /* the snapshot's */
    size_t (*by_vault)[VP_STATUS_COUNT];      /* vault_count + 1 rows: the last one is outside every vault */
    size_t by_framework[VP_TALLY_FRAMEWORKS][VP_STATUS_COUNT]; /* indexed by VP_TALLY_HIPAA / _SOX */
    size_t *without_policy;                   /* vault_count + 1: the last one is items of no known vault */
    size_t without_policy_total;
    size_t population[VP_POP_COUNT];
    int reconciled;                           /* 0: the reconciliation counts were not recorded */
    const char **referenced;                  /* the subscription ids only referenced by resource ids,
                                                 population[VP_POP_SUBS_REFERENCED] of them, sorted;
                                                 the snapshot's strings */
} vp_tally;

/* "vaults", "backup policies", ...: the label both reports print for p; NULL out of range. */
const char *vp_tally_population_label(vp_population p);

/* What rests on subscription sub (one of t->referenced): "resource guard rguard-x;
 * 2 vault(s); 1 VM(s)", written into buf. */
const char *vp_tally_referenced_detail(const vp_snapshot *s, const char *sub, char *buf, size_t size);

/* Reads every finding of ff once (from the first; ff is rewound before and after) and
 * the snapshot's items once (vp_snapshot_each_item: a lazy snapshot too). Errors: VP_ERR_NOMEM; VP_ERR_INPUT from a malformed finding
 * (with its line), and those of vp_snapshot_each_item. On error *t holds nothing to free. */
vp_status vp_tally_build(vp_tally *t, const vp_snapshot *s, vp_findings_file *ff, vp_error *err);

/* As vp_tally_build without reading a finding: by_vault is left at zero for the caller,
 * who adds every finding of ff with vp_tally_add on a pass it makes anyway (the
 * workbook's Findings rows), so that the findings are not parsed once more only to be
 * counted. Until then by_vault is incomplete. Errors: as vp_tally_build. */
vp_status vp_tally_build_uncounted(vp_tally *t, const vp_snapshot *s, vp_findings_file *ff, vp_error *err);
/* As vp_tally_build, by_vault copied from counts (the evaluation's, written with the
 * findings file ff: vp_findings_write_json_counted) instead of parsing every finding of
 * ff again. Errors: as vp_tally_build; VP_ERR_INTERNAL when counts are not of s's vaults. */
vp_status vp_tally_build_counted(vp_tally *t, const vp_snapshot *s, vp_findings_file *ff,
                                 const vp_vault_counts *counts, vp_error *err);
/* VP_OK when t->by_vault (counted from the findings file named label) equals counts;
 * else VP_ERR_INTERNAL naming the first vault and status that differ and both counts:
 * the file read back is not what the evaluation wrote. */
vp_status vp_tally_check(const vp_tally *t, const vp_snapshot *s, const vp_vault_counts *counts, const char *label,
                         vp_error *err);
/* Counts finding f in by_vault (vault_index: vp_tally_vault_of of its resource id). */
void vp_tally_add(vp_tally *t, size_t vault_index, vp_finding_status status);
void vp_tally_free(vp_tally *t);

/* The index of the vault a resource id belongs to, or s->vault_count for none. */
size_t vp_tally_vault_of(const vp_snapshot *s, const char *resource_id);

/* VP_TALLY_HIPAA / VP_TALLY_SOX for "hipaa" / "sox"; -1 otherwise. */
int vp_tally_framework_index(const char *framework);

/* 1 when counts hold evidence: a pass, warn, fail, exempt or incomplete finding. */
int vp_tally_tested(const size_t counts[VP_STATUS_COUNT]);

/* Whether an "operated" figure has evidence behind it: vp_tally_tested, and of > 0 (a
 * rule over the period with no evidence in it counts 0 days). */
int vp_tally_has_evidence(const size_t counts[VP_STATUS_COUNT], size_t of);
/* What a control or rule's "operated" column says: "not tested" without evidence
 * (vp_tally_has_evidence), else "operated OK of OF" - "operated OK of OF days" when days
 * (the figure is in the period's days) - written into buf. */
const char *vp_tally_operated(const size_t counts[VP_STATUS_COUNT], size_t ok, size_t of, int days, char *buf,
                              size_t size);

#endif
