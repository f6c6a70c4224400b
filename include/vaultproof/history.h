/*
 * vaultproof/history.h - what an auditor asks next about a failing finding: since when
 * it has been failing and who owns it.
 *
 * Neither is part of findings.json: findings are re-performed from raw/ and the config
 * alone, while "first seen" depends on the archive a bundle was packed into and the
 * owner on how an organization tags its resources. Both are render inputs
 * (vp_pipeline_render_options, vp_render_input).
 *
 * A finding is identified by its rule and its subject's resource id (vp_history_key):
 * every rule makes at most one finding per subject.
 */
#ifndef VAULTPROOF_HISTORY_H
#define VAULTPROOF_HISTORY_H

#include <stddef.h>

#include "vaultproof/error.h"
#include "vaultproof/findings_read.h"
#include "vaultproof/snapshot.h"

/* ---- first seen: the failing findings of the archive's earlier bundles ---- */

typedef struct vp_history vp_history;

/* Called for an earlier bundle that could not be used (missing, its SHA-256 not the one
 * its ledger line records, unreadable, or without a readable data/findings.json): the
 * history is built from the others, and the message names the bundle and why. */
typedef void (*vp_history_note_fn)(void *ctx, const char *message);

/* Reads the ledger at ledger_path (verified whole first, vp_ledger_entries), then every
 * bundle it records, in ledger order, from the ledger's directory: each is hashed through
 * one open descriptor and trusted only when that hash equals its line's bundle_sha256,
 * then read through the same descriptor with the archive module's safe reader
 * (vp_archive_scan, nothing written to disk) keeping only TOP/data/findings.json. A
 * bundle whose findings name another organization than organization (compared exactly;
 * NULL matches a bundle that names none) is skipped. Of each bundle only the keys of its
 * failing findings (status fail) are kept, with the generated_at of the first bundle in
 * ledger order that failed it (ledger order, not time: a pinned clock may say anything).
 * note (may be NULL) hears about every bundle left out; the history keeps the messages
 * too (vp_history_notes). *out (vp_history_free) is set
 * only on success.
 * Errors: as vp_ledger_entries (VP_ERR_INPUT: the ledger missing; VP_ERR_CHECK: it does
 * not verify), VP_ERR_IO, VP_ERR_NOMEM. A bad earlier bundle is a note, never an error. */
vp_status vp_history_load(const char *ledger_path, const char *organization, vp_history_note_fn note, void *note_ctx,
                          vp_history **out, vp_error *err);
/* An empty history (no earlier bundle): every failing finding is first seen now. */
vp_status vp_history_new(vp_history **out, vp_error *err);
/* Records that the finding (rule, resource_id) failed in a bundle generated at
 * generated_at, later in ledger order than every call before: the first call's time is
 * kept. vp_history_load does this for every failing finding of every earlier bundle.
 * Errors: VP_ERR_NOMEM. */
vp_status vp_history_add(vp_history *h, const char *rule, const char *resource_id, const char *generated_at,
                         vp_error *err);
/* generated_at of the first earlier bundle (ledger order) in which (rule, resource_id) failed;
 * NULL when none did (the finding is first seen in this bundle). Borrowed from h. */
const char *vp_history_first_seen(const vp_history *h, const char *rule, const char *resource_id);
/* What the history rests on: earlier bundles read, left out (noted), and of another
 * organization. */
void vp_history_counts(const vp_history *h, size_t *read, size_t *left_out, size_t *other_org);
/* The notes of the bundles left out, as note heard them (the reports name them).
 * Borrowed from h; NULL h gives none. */
const char *const *vp_history_notes(const vp_history *h, size_t *count);
/* NULL is allowed. */
void vp_history_free(vp_history *h);

/* ---- owner: a tag on the failing finding's subject ---- */

typedef struct vp_owners vp_owners;

/* Where an owner was read: the tag on the item's VM (its source resource), on the
 * subject's vault (an item whose VM has no such tag, a vault, a policy or an engine),
 * on the VM itself (a VM finding), or nowhere ("unassigned"). */
typedef enum { VP_OWNER_NONE = 0, VP_OWNER_VM, VP_OWNER_VAULT } vp_owner_source;

/* The owners of the subjects of findings' failing findings (status fail), by the tag
 * tag (compared case-insensitively, as Azure compares tag names): an item's owner is
 * the tag's value on its source VM (sourceResourceId, else virtualMachineId), else on
 * its vault; a VM's and a vault's their own; a policy's and an engine's their vault's.
 * Only failing subjects are indexed. snap may be read lazily (its items and VMs are
 * then streamed, vp_snapshot_each_item / _each_vm). findings is read from its first
 * finding and rewound afterwards. *out (vp_owners_free) is set only on success.
 * Errors: as vp_findings_file_next and vp_snapshot_each_item, VP_ERR_USAGE for an empty
 * tag, VP_ERR_NOMEM. */
vp_status vp_owners_build(const vp_snapshot *snap, vp_findings_file *findings, const char *tag, vp_owners **out,
                          vp_error *err);
/* The owner of resource_id (the tag's value) and where it was read; NULL (source
 * VP_OWNER_NONE) when unassigned or not a failing subject. Borrowed: valid while both o
 * and the snapshot it was built from live. */
const char *vp_owners_get(const vp_owners *o, const char *resource_id, vp_owner_source *source);
/* The tag the owners were read from. */
const char *vp_owners_tag(const vp_owners *o);
/* NULL is allowed. */
void vp_owners_free(vp_owners *o);

/* "unassigned": what the reports print for a failing finding without an owner. */
#define VP_OWNER_UNASSIGNED "unassigned"

#endif
