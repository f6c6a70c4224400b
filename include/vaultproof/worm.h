/*
 * vaultproof/worm.h - the WORM region catalog (templates/regions/worm.json).
 *
 * No Azure API says whether a region's immutable vaults sit on WORM storage, so the
 * catalog is documentary evidence: regions listed as generally available with the
 * sources that list them and their dates. The built-in catalog is compiled from
 * templates/regions/worm.json; a user may supply their own (config "worm_catalog").
 */
#ifndef VAULTPROOF_WORM_H
#define VAULTPROOF_WORM_H

#include <stddef.h>

#include "vaultproof/error.h"

typedef struct vp_worm_catalog vp_worm_catalog;

/* A source the catalog cites; a snapshot copies the ones it used. One revision of a
 * document is one source: the same page under the same ms.date can say different things,
 * so a revision is told by when it was retrieved and the SHA-256 of the text quoted from it. */
typedef struct {
    const char *id, *title, *url;
    const char *as_of;      /* the source's own date (ms.date), or NULL */
    const char *retrieved;  /* when this revision was read (YYYY-MM-DD), or NULL */
    const char *sha256;     /* of quote's UTF-8 bytes, lowercase hex; NULL when there is no quote */
    const char *quote;      /* the text the regions were taken from, or NULL */
    const char *supersedes; /* id of the earlier revision of the same document, or NULL */
    const char *recorded;   /* when the catalog recorded it */
} vp_worm_source;

typedef struct {
    const char *location;     /* ARM location name, lowercase: "southindia" */
    const char *display_name; /* "India South" */
    const char *status;       /* "ga" */
    const char **sources;     /* source ids */
    size_t source_count;
} vp_worm_region;

/* Parses and validates a catalog (format "vaultproof-worm-catalog/1"). label names the
 * origin in messages and in the snapshot ("built-in" or a file path). Errors:
 * VP_ERR_INPUT with the JSON pointer of the offending member. */
vp_status vp_worm_catalog_parse(const char *label, const char *json, size_t len, vp_worm_catalog **out,
                                vp_error *err);
/* The catalog compiled into this binary. */
vp_status vp_worm_catalog_builtin(vp_worm_catalog **out, vp_error *err);
void vp_worm_catalog_free(vp_worm_catalog *cat);

const char *vp_worm_catalog_version(const vp_worm_catalog *cat);
const char *vp_worm_catalog_sha256(const vp_worm_catalog *cat); /* of the catalog's bytes */
const char *vp_worm_catalog_origin(const vp_worm_catalog *cat); /* label given at parse */
const vp_worm_source *vp_worm_catalog_sources(const vp_worm_catalog *cat, size_t *count);
const vp_worm_region *vp_worm_catalog_regions(const vp_worm_catalog *cat, size_t *count);

/* Finds a region by ARM location name or by display name, ignoring case and spaces
 * ("India South", "southindia", "SouthIndia"); NULL when the catalog does not list it. */
const vp_worm_region *vp_worm_catalog_find(const vp_worm_catalog *cat, const char *location);

/* The display name of any Azure location, by ARM name or display name ("eastus2" ->
 * "East US 2"), from the catalog's table of locations (the ARM locations list); NULL for
 * a location the catalog does not know. */
const char *vp_worm_catalog_display_name(const vp_worm_catalog *cat, const char *location);

/* Canonical ARM form of a location: lowercase with spaces removed. Writes into buf. */
char *vp_location_normalize(const char *location, char *buf, size_t size);

#endif
