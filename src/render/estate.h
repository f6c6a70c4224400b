/* How both renderers show a few derived facts of the snapshot, so that the PDF and the
 * workbook never say different things about the same entity: an item's policy, a
 * backup time the API reported as "never", a region's name and a resource guard's
 * isolation from the vault it protects. Internal to render. */
#ifndef VP_RENDER_ESTATE_H
#define VP_RENDER_ESTATE_H

#include <stddef.h>

#include "vaultproof/snapshot.h"
#include "vaultproof/worm.h"

/* An item's policy as shown: policy_link "resolved" -> the resolved policy's name (the
 * snapshot's policy, even when the item itself carried no policyName); "missing" -> the
 * last segment of policyId followed by " (not found)"; otherwise "none". Written into
 * buf when it has to be composed; the result is buf or a string of the snapshot. */
const char *vpr_item_policy(const vp_snapshot *s, const vp_item *it, char *buf, size_t size);

/* 1 when an item's backup time is the API's "no backup yet" placeholder
 * (2001-01-01T00:00:00Z, kept verbatim in the snapshot: vp_time_is_never). A time that
 * was not reported is not "never": it is shown as not reported. */
int vpr_time_never(const vp_text *t);
/* What the renderers print for such a time. */
#define VPR_NEVER "never"

/* The snapshot's spelling of a vp_presence: "absent", "null" or "present"
 * (docs/snapshot-format.md, vault immutability_settings / security_settings). */
const char *vpr_presence_name(unsigned char presence);

/* "East US 2 (eastus2)"; just the ARM name when the display name is unknown (or the
 * same text), so that no region is printed as " (eastus2)". */
const char *vpr_region_label(const char *location, const char *display_name, char *buf, size_t size);

/* The display name of any location a renderer prints (a vault's, a VM's, a deleted
 * vault's, a resource guard's): ARM's displayName from the location table of cat (the
 * built-in WORM catalog: vp_worm_catalog_display_name, which knows every Azure location,
 * "South India" also for a source's "India South"), else the snapshot's region entry (a
 * location the built-in table does not know but the collection's catalog did). NULL when
 * neither knows it; cat may be NULL. The string lives as long as s and cat. */
const char *vpr_location_display(const vp_snapshot *s, const vp_worm_catalog *cat, const char *location);
/* vpr_region_label of that display name: "East US 2 (eastus2)". */
const char *vpr_location_label(const vp_snapshot *s, const vp_worm_catalog *cat, const char *location, char *buf,
                               size_t size);

/* The name an item is shown by, in the population pages, the exception list and the
 * workbook. An in-VM database (sql_in_vm, sap_hana_in_vm, sap_ase_in_vm: Azure's
 * AzureVmWorkload*DatabaseProtectedItem) is titled by its database alone ("master" on
 * every SQL server), so it also names its server (serverName, the snapshot's server) and
 * its instance: "master (server epicclarity-prd-01, instance mssqlserver)". The instance
 * is the middle field of the item's name, which Azure forms as
 * "<workload>;<instance>;<database>" ("SQLDataBase;mssqlserver;master"; for SAP HANA the
 * instance is the system id: "SAPHanaDatabase;s4p;systemdb"); it is the snapshot's own
 * record of what Azure's parentName says, so the snapshot needs no new member. Other items:
 * the friendly name, else the name. Written into buf when composed. */
const char *vpr_item_display_name(const vp_item *it, char *buf, size_t size);

/* 1 for the kinds whose backups a server on premises makes (DPM, Azure Backup Server,
 * the MARS agent): their lastBackupTime is often not reported, so the renderers show
 * their last recovery point beside it. */
int vpr_item_on_premises(const vp_item *it);

/* Where a resource guard lives relative to the vault whose proxy names it, from the
 * subscription ids and the subscriptions' tenant ids in the snapshot: "same
 * subscription", "other subscription" (same tenant), "other tenant", or "other
 * subscription (tenant not known)"; NULL when the guard's subscription is not known
 * (vp_snapshot_guard_isolation). guard may be NULL (not read): guard_id is used. */
const char *vpr_guard_isolation(const vp_snapshot *s, const vp_vault *v, const vp_resource_guard *guard,
                                const char *guard_id);

/* The resource guard entity a proxy names (by its normalized id, ignoring case), or NULL
 * (a format 1 snapshot, or a proxy without a guard id). */
const vp_resource_guard *vpr_proxy_guard(const vp_snapshot *s, const vp_guard_proxy *proxy);

#endif
