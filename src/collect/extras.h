/* Internal to the collector: what the files for format 2's resources (norm_extras.c,
 * finish_extras.c, completeness.c, finish.c) share beyond collect/internal.h. */
#ifndef VP_COLLECT_EXTRAS_H
#define VP_COLLECT_EXTRAS_H

#include "collect/internal.h"

/* The scope of a deletedVaults call: "/subscriptions/{sub}/providers/
 * Microsoft.RecoveryServices/locations/{location}" (location in ARM form). Arena copy,
 * NULL when out of memory or sub/location is NULL. */
const char *vpo_location_scope(vp_normalizer *n, const char *sub, const char *location);

/* Gives every resource guard proxy read without a vault (its id is no ARM path and its
 * body had no sidecar) the vault its file's path names ("subscriptions/<sub>/vaults/
 * <vault>/..." against the listed vaults, by subscription and name ignoring case),
 * noting the seen-call; a proxy still without a vault is warned (orphan-resource) and
 * counted in collection.ignored_resources. Before merge_vault_documents. */
void vpo_attribute_proxies(vp_normalizer *n);

#endif
