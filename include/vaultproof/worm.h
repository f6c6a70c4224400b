/*
 * vaultproof/worm.h - the WORM region catalog (templates/regions/worm.json).
 *
 * No Azure API says whether a region's immutable vaults sit on WORM storage, so the
 * catalog is documentary evidence: regions listed as generally available with the
 * sources that list them and their dates. The built-in catalog is compiled from
 * templates/regions/worm.json; a user may supply their own (config "worm_catalog").
 * Format and validation rules: docs/worm-catalog.md.
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

/* A region the catalog lists as WORM GA for Recovery Services vaults.
 *
 * sources holds the id of EVERY source that lists the region as GA, each revision of a
 * document separately. Which revisions said so is therefore a set question: the region
 * rests on revision R (vp_worm_region_listed_by(r, R)); the revision R supersedes is
 * vp_worm_catalog_source(cat, R)->supersedes, and vp_worm_region_listed_by(r, that id)
 * tells whether the earlier revision listed it too (0: the region is new in R); a later
 * revision that dropped a region shows as the latest revision (vp_worm_catalog_latest)
 * missing from sources while an earlier one is present. */
typedef struct {
    const char *location;     /* ARM location name, lowercase: "southindia" */
    const char *display_name; /* as the sources spell it: "India South" (an alias of "South India") */
    const char *status;       /* "ga" */
    const char **sources;     /* source ids, in catalog order */
    size_t source_count;
    const char *backup_vaults; /* WORM for Backup vaults: "preview", or NULL (not listed) */
} vp_worm_region;

/* One entry of the catalog's Azure location table, in the shape of ARM's
 * Subscriptions - List Locations (name, displayName, regionalDisplayName), plus the other
 * spellings sources use for the same location (aliases: "India South" for "South India"). */
typedef struct {
    const char *name;                  /* "southindia" */
    const char *display_name;          /* displayName: "South India" */
    const char *regional_display_name; /* regionalDisplayName: "(Asia Pacific) South India", or NULL */
    const char **aliases;
    size_t alias_count;
} vp_worm_location;

/* Parses and validates a catalog (format "vaultproof-worm-catalog/2"; "/1", which has no
 * quotes, revisions or location table, is still read). label names the origin in
 * messages and in the snapshot ("built-in" or a file path). Format 2 is checked: every
 * source has retrieved, quote and sha256, and sha256 is the SHA-256 of quote's bytes;
 * supersedes names a defined source and the chains have no cycle; every region's location
 * is in /locations, its display_name is that location's displayName or an alias, and its
 * name appears in the quote of each source it cites. Errors: VP_ERR_INPUT with the JSON
 * pointer of the offending member. */
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
/* The location table (empty for a format-1 catalog). */
const vp_worm_location *vp_worm_catalog_locations(const vp_worm_catalog *cat, size_t *count);

/* A source by id; NULL when the catalog has none by that name. */
const vp_worm_source *vp_worm_catalog_source(const vp_worm_catalog *cat, const char *id);
/* The newest revision of the document source id belongs to: follows the sources that
 * supersede it (id itself when nothing does; NULL for an unknown id). */
const vp_worm_source *vp_worm_catalog_latest(const vp_worm_catalog *cat, const char *id);
/* 1 when the region cites source id (exact id), else 0. */
int vp_worm_region_listed_by(const vp_worm_region *region, const char *id);

/* Finds a region by ARM location name, displayName or alias, ignoring case and spaces
 * ("India South", "South India", "southindia", "SouthIndia"); NULL when the catalog does
 * not list it. */
const vp_worm_region *vp_worm_catalog_find(const vp_worm_catalog *cat, const char *location);

/* The location entry for an ARM name, displayName or alias (same matching as _find);
 * NULL when the table does not know it. */
const vp_worm_location *vp_worm_catalog_location(const vp_worm_catalog *cat, const char *location);

/* The display name of any Azure location, by ARM name, displayName or alias ("eastus2" ->
 * "East US 2", "India South" -> "South India"), from the catalog's table of locations (the
 * ARM locations list); a format-1 catalog falls back to its regions' display names. NULL
 * for a location the catalog does not know. The string lives as long as cat. */
const char *vp_worm_catalog_display_name(const vp_worm_catalog *cat, const char *location);

/* Canonical ARM form of a location: lowercase with spaces removed. Writes into buf. */
char *vp_location_normalize(const char *location, char *buf, size_t size);

#endif
