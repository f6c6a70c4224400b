/*
 * vaultproof/config.h - the user's configuration file (vaultproof.json, docs/config.md).
 *
 * Unknown top-level keys and wrong types are rejected with the key path (VP_ERR_INPUT),
 * so a typo never silently changes what is evaluated.
 */
#ifndef VAULTPROOF_CONFIG_H
#define VAULTPROOF_CONFIG_H

#include <stddef.h>

#include "vaultproof/error.h"
#include "vaultproof/worm.h"

typedef struct vp_config vp_config;

/* Loads and validates path. *out is owned by the caller (vp_config_free). */
vp_status vp_config_load(const char *path, vp_config **out, vp_error *err);
void vp_config_free(vp_config *cfg);

/* Organization name, report title (NULL when not set). */
const char *vp_config_organization(const vp_config *cfg);
const char *vp_config_report_title(const vp_config *cfg);

/* Scope lists; the arrays stay valid while cfg lives. */
const char *const *vp_config_subscriptions(const vp_config *cfg, size_t *count);
const char *const *vp_config_vault_include(const vp_config *cfg, size_t *count);
const char *const *vp_config_vault_exclude(const vp_config *cfg, size_t *count);

/* The WORM catalog the config selects: its own ("worm_catalog": path relative to the
 * config file, or an inline object) or, when unset or null, the built-in one. */
vp_status vp_config_worm_catalog(const vp_config *cfg, vp_worm_catalog **out, vp_error *err);

#endif
