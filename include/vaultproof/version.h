/* vaultproof/version.h - what this build is. */
#ifndef VAULTPROOF_VERSION_H
#define VAULTPROOF_VERSION_H

/* Semantic version, e.g. "0.1.0". Static string. */
const char *vp_version(void);
/* The git commit the binary was built from (12 hex digits, "-dirty" when the tree had
 * uncommitted changes, "unknown" outside a checkout). Static string. */
const char *vp_commit(void);

#endif
