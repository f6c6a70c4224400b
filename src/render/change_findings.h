/* What change.authorized found of each change (findings.json), read once for both
 * renderers: the Changes sheet and the PDF's change log. The kind is the finding's
 * resource name, "blocked" starts its note; a change without a finding reduced nothing. */
#ifndef VP_RENDER_CHANGE_FINDINGS_H
#define VP_RENDER_CHANGE_FINDINGS_H

#include "vaultproof/findings_read.h"

typedef struct {
    char *id, *kind, *note;
    vp_finding_status status;
    int blocked;
} vpr_change_finding;

typedef struct {
    vpr_change_finding *v;
    size_t n;
} vpr_change_findings;

/* Reads the change findings of ff (rewound before and after), sorted by id. */
vp_status vpr_change_findings_read(vp_findings_file *ff, vpr_change_findings *out, vp_error *err);
/* The finding about change id, or NULL. */
const vpr_change_finding *vpr_change_finding_of(const vpr_change_findings *f, const char *id);
void vpr_change_findings_free(vpr_change_findings *f);

#endif
