/* vaultproof/version.h - what this build is. */
#ifndef VAULTPROOF_VERSION_H
#define VAULTPROOF_VERSION_H

#include "vaultproof/jsonw.h"

/* Semantic version, e.g. "0.1.0". Static string. */
const char *vp_version(void);
/* The git commit the binary was built from (12 hex digits, "-dirty" when the tree had
 * uncommitted changes, "unknown" outside a checkout). Static string. */
const char *vp_commit(void);

/* Writes the key "tool" and the object {"name":"vaultproof","version":...,"commit":...}
 * that heads every document vaultproof emits (snapshot, findings, manifest). version and
 * commit are passed in rather than read here because a snapshot or manifest records the
 * build that produced it, which a re-render must carry through unchanged. */
void vp_jw_tool(vp_jsonw *w, vp_jw_style style, const char *version, const char *commit);

#endif
