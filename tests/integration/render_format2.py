"""A hand-made `vaultproof-snapshot/2` for the renderer tests (test_render_pdf.py,
test_render_xlsx.py): the Contoso Health sample collected as usual, then extended with
what format 2 adds (docs/snapshot-format.md) - one backup engine, the resource guard the
sample's proxies name, a soft-deleted vault, a TimeBased immutability configuration,
source scan, a vault whose API returned no immutabilitySettings - and items showing the
issue-13 cases: policyId without policyName, a policy that is not there, no last backup
time, the API's "never" placeholder, a time with milliseconds. Regions: one with its
display name, one still without. Written in a non-canonical layout (one line): the
reader takes any layout. Then evaluated, so that the findings name its SHA-256."""
import json
import os

from vptest import PINNED, SAMPLE, run

SUB = "74dd82d1-2c42-4ca6-80c5-ffbd52be5231"
GUARD_SUB = "6c3f01ad-7ded-49a0-ab3b-1a895ad0d714"
GUARD_ID = ("/subscriptions/%s/resourceGroups/rg-sec-resourceguards/providers/Microsoft.DataProtection/"
            "resourceGuards/rguard-contoso-backup" % GUARD_SUB)
EUS2 = "/subscriptions/%s/resourceGroups/rg-backup-prd-eus2/providers/Microsoft.RecoveryServices/vaults/" \
       "rsv-epic-standard-eus2" % SUB
ENGINE = {
    "id": EUS2 + "/backupEngines/dpm-sql-01",
    "name": "dpm-sql-01",
    "vault_id": EUS2,
    "vault_listed": True,
    "subscription_id": SUB,
    "friendly_name": "dpm-sql-01.contoso.local",
    "backup_management_type": "AzureBackupServer",
    "engine_type": "AzureBackupServerEngine",
    "registration_status": "Registered",
    "engine_state": "Active",
    "health_status": "Healthy",
    "dpm_version": "14.0.30.0",
    "agent_version": "2.0.9262.0",
    "protected_items_count": 12,
    "protected_servers_count": 3,
    "refreshed_at": "2026-09-29T23:10:00.25Z",
    "unknown_enums": [],
    "source": {"file": "subscriptions/%s/vaults/rsv-epic-standard-eus2/backupEngines.json" % SUB,
               "pointer": "/value/0"},
}
GUARD = {
    "id": GUARD_ID,
    "name": "rguard-contoso-backup",
    "resource_group": "rg-sec-resourceguards",
    "subscription_id": GUARD_SUB,
    "status": "read",
    "detail": None,
    "location": "westus3",
    "provisioning_state": "Succeeded",
    "operations": ["Microsoft.RecoveryServices/vaults/backupconfig/write",
                   "Microsoft.RecoveryServices/vaults/backupResourceGuardProxies/delete"],
    "exclusions": ["Microsoft.RecoveryServices/vaults/backupconfig/write"],
    "allow_auto_approvals": False,
    "source": {"file": "resourceGuards/%s/rg-sec-resourceguards/rguard-contoso-backup.json" % GUARD_SUB,
               "pointer": ""},
}
FIN_SUB = "ee5069bf-cd72-4c61-bacb-150ed73a18e5"
GUARD2_ID = ("/subscriptions/%s/resourceGroups/rg-fin-sox-security/providers/Microsoft.DataProtection/"
             "resourceGuards/rguard-fin-sox" % FIN_SUB)
GUARD2 = {  # in the vault's own subscription, and the principal could not read it
    "id": GUARD2_ID,
    "name": "rguard-fin-sox",
    "resource_group": "rg-fin-sox-security",
    "subscription_id": FIN_SUB,
    "status": "unreadable",
    "detail": "HTTP 403 AuthorizationFailed",
    "location": None,
    "provisioning_state": None,
    "operations": [],
    "exclusions": None,
    "allow_auto_approvals": None,
    "source": None,  # not read
}
DELETED = {
    "id": "/subscriptions/%s/providers/Microsoft.RecoveryServices/locations/eastus2/deletedVaults/rsv-old-eus2" % SUB,
    "name": "rsv-old-eus2",
    "subscription_id": SUB,
    "location": "eastus2",
    "vault_id": "/subscriptions/%s/resourceGroups/rg-old/providers/Microsoft.RecoveryServices/vaults/rsv-old-eus2" % SUB,
    "deletion_time": "2026-09-01T10:00:00Z",
    "purge_at": "2026-09-15T10:00:00Z",
    "source": {"file": "subscriptions/%s/locations/eastus2/deletedVaults.json" % SUB, "pointer": "/value/0"},
}
GONE_POLICY = "/subscriptions/%s/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v/backupPolicies/" \
              "pol-gone-away" % SUB
FRACTION = "2026-09-29T21:47:26.472Z"


def insert_after(obj, after, key, value):
    """obj with key set, placed after member `after` when it is new (the writer's order)."""
    if key in obj:
        obj[key] = value
        return obj
    out = {}
    for k, v in obj.items():
        out[k] = v
        if k == after:
            out[key] = value
    if key not in out:
        out[key] = value
    return out


def add_sorted(snap, member, entity):
    items = [e for e in snap.get(member) or [] if e["id"].lower() != entity["id"].lower()] + [entity]
    snap[member] = sorted(items, key=lambda e: e["id"].lower())


def make(directory):
    """Writes the snapshot and its findings into directory; returns (snapshot, findings, facts)."""
    config = os.path.join(SAMPLE, "vaultproof.json")
    collected = os.path.join(directory, "collected.json")
    rc, _, err = run(["collect", "--replay", os.path.join(SAMPLE, "raw"), "--config", config, "--out", collected,
                      "--now", PINNED, "--quiet"])
    assert rc in (0, 4), err  # 4: incomplete collection, still a snapshot
    with open(collected, encoding="utf-8") as f:
        snap = json.load(f)
    assert snap["format"] == "vaultproof-snapshot/2", snap["format"]

    for i, v in enumerate(snap["vaults"]):
        v = insert_after(v, "tags", "api_version", v.get("api_version"))
        v = insert_after(v, "immutability", "immutability_settings",
                         v.get("immutability_settings") or ("present" if v["immutability"] else "absent"))
        v = insert_after(v, "immutability_settings", "security_settings", v.get("security_settings") or "present")
        v = insert_after(v, "security_settings", "immutability_configuration",
                         v.get("immutability_configuration") or {"type": None, "duration_days": None})
        v = insert_after(v, "multi_user_authorization", "source_scan", v.get("source_scan"))
        v["counts"].setdefault("backup_engines", 0)
        v["completeness"].setdefault("backupEngines", "complete")
        snap["vaults"][i] = v
    by_name = {v["name"]: v for v in snap["vaults"]}
    timebased = by_name["rsv-epic-standard-eus2"]
    timebased.update(api_version="2026-08-01", immutability_settings="present", security_settings="present",
                     immutability_configuration={"type": "TimeBased", "duration_days": 30}, source_scan="Enabled")
    timebased["immutability"] = timebased["immutability"] or "Unlocked"
    timebased["counts"]["backup_engines"] = 1
    timebased["completeness"]["backupEngines"] = "complete"
    never = by_name["rsv-shared-mars-sin"]  # immutability not reported in the sample
    assert never["immutability"] is None
    never.update(api_version="2026-08-01", immutability_settings="absent", security_settings="present")

    add_sorted(snap, "backup_engines", ENGINE)
    # the two vaults with a proxy name these guards (whatever the sample's proxies name):
    # one in a subscription outside the snapshot, one in the vault's own subscription
    for name, guard in (("rsv-epic-immutable-wus3", GUARD_ID), ("rsv-fin-sox-plc", GUARD2_ID)):
        proxies = by_name[name]["resource_guard_proxies"]
        assert proxies, name
        for p in proxies:
            p["resource_guard_id"] = guard
    snap["resource_guards"] = sorted([GUARD, GUARD2], key=lambda e: e["id"].lower())
    add_sorted(snap, "deleted_vaults", DELETED)
    for w in snap["worm_sources"]:
        for k in ("retrieved", "sha256", "supersedes"):
            w.setdefault(k, None)
    for r in snap["regions"]:
        if r["location"] == "eastus2":
            r["display_name"] = "East US 2"
        if r["location"] == "westus3":
            r["display_name"] = None  # a region the catalog cannot name: the ARM name alone

    items = snap["protected_items"]
    resolved = [it for it in items if it["policy"]["link"] == "resolved" and it["last_backup_time"]
                and it["last_backup_time"] > "2020" and it["kind"] == "azure_vm"]
    a, b, c, d, e = resolved[:5]
    a["policy"]["name"] = None  # policyId, no policyName: the snapshot resolved it
    a["friendly_name"] = "item-a-no-policy-name"
    b["policy"] = {"id": GONE_POLICY, "name": None, "link": "missing"}
    b["friendly_name"] = "item-b-policy-gone"
    c["last_backup_time"] = None
    c["friendly_name"] = "item-c-no-backup-time"
    d["last_backup_time"] = "2001-01-01T00:00:00Z"  # the API's "never", kept by a snapshot from before
    d["friendly_name"] = "item-d-placeholder"
    e["last_backup_time"] = FRACTION
    e["friendly_name"] = "item-e-milliseconds"
    policy_name = {p["id"].lower(): p["name"] for p in snap["policies"]}[a["policy"]["id"].lower()]

    counts = snap["collection"]["counts"]
    counts["resource_guards"] = len(snap["resource_guards"])
    counts["backup_engines"] = len(snap["backup_engines"])
    counts["deleted_vaults"] = len(snap["deleted_vaults"])

    snapshot = os.path.join(directory, "format2-snapshot.json")
    with open(snapshot, "w", encoding="utf-8") as f:
        json.dump(snap, f, ensure_ascii=False)
    findings = os.path.join(directory, "format2-findings.json")
    rc, _, err = run(["evaluate", "--snapshot", snapshot, "--config", config, "--out", findings, "--now", PINNED,
                      "--quiet"])
    assert rc == 0, err
    facts = {"a": a, "b": b, "c": c, "d": d, "e": e, "a_policy": policy_name}
    return snapshot, findings, facts
