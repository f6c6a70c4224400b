/* What both renderers print beside a failing finding: its rule's remediation, since
 * when it fails and who owns it (vaultproof/history.h). One wording for both. */
#ifndef VP_RENDER_EXCEPTIONS_H
#define VP_RENDER_EXCEPTIONS_H

#include "vaultproof/render.h"

/* What the reports print when no earlier bundle failed the finding. */
#define VPR_FIRST_SEEN_NOW "this bundle"
/* And when no ledger was read (standalone render without --ledger). */
#define VPR_FIRST_SEEN_UNKNOWN "not known (no ledger read)"

/* The generation time of the earliest earlier bundle failing (rule, resource_id),
 * VPR_FIRST_SEEN_NOW or VPR_FIRST_SEEN_UNKNOWN. Never NULL; borrowed. */
const char *vpr_first_seen(const vp_render_input *in, const char *rule, const char *resource_id);
/* The owner of resource_id, or VP_OWNER_UNASSIGNED; *from (may be NULL) receives where
 * it was read: "VM" or "vault", NULL when unassigned. Never NULL; borrowed. */
const char *vpr_owner(const vp_render_input *in, const char *resource_id, const char **from);
/* The owner tag's name (VP_CONFIG_DEFAULT_OWNER_TAG when no owners were given). */
const char *vpr_owner_tag(const vp_render_input *in);
/* The rule's remediation from the catalog, or NULL when the catalog has no such rule. */
const char *vpr_remediation(const vp_render_input *in, const char *rule);

#endif
