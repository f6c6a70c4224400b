"""Issue 13, "What Azure really returns": one test per observed point, each over a replay
directory of the real payload shape in tests/data/azure/ (tests/data/azure/SOURCES.md
names the Microsoft example every body follows and what was changed).

Each test runs the built binary (`collect --replay DIR`, and `evaluate` where the point
is about a finding) and checks the snapshot / findings JSON (format 2 member names,
COMMON13 "Snapshot"). The fixtures are minimal: calls a point does not need are left
out, so collect may exit 4 (a verified recording with missing calls); that is accepted
everywhere except where the point is about the exit status itself.
"""
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(__file__))
from vptest import SAMPLE, SOURCE, TempDirTest, load, main, run  # noqa: E402

AZURE = os.path.join(SOURCE, "tests", "data", "azure")
NOW = "2026-10-01T00:00:00Z"
S = "77777777-b0c6-47a2-b37c-d8e65a629c18"
RG = "Default-RecoveryServices-ResourceGroup"
VID = "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.RecoveryServices/vaults/swaggerExample" % (S, RG)
GUARD_IN = "/subscriptions/%s/resourceGroups/vaultguardRGNew/providers/Microsoft.DataProtection/resourceGuards/VaultGuardTestNew" % S
GUARD_OUT = GUARD_IN.replace(S, "c999d45b-944f-418c-a0d8-c3fcfd1802c8")
SENTINEL_PREFIX = "2001-01-01"


def warnings(snap, code):
    return [w for w in snap["collection"]["warnings"] if w["code"] == code]


def same_id(a, b):
    return a is not None and b is not None and a.lower() == b.lower()


class AzureShapes(TempDirTest):
    def fixture(self, name):
        path = os.path.join(AZURE, name)
        self.assertTrue(os.path.isdir(path), "fixture %s is missing" % name)
        return path

    def collect(self, name, point, *extra, raw=None, config=None):
        """collect --replay over fixture `name`; returns the snapshot. `point` names the
        issue point for the failure message."""
        out = self.path(name + ".snapshot.json")
        args = ["collect", "--replay", raw or self.fixture(name), "--out", out, "--now", NOW, "--quiet"]
        if config:
            args += ["--config", config]
        rc, _, err = run(args + list(extra))
        self.assertIn(rc, (0, 4), "issue 13 [%s]: collect --replay %s exited %d:\n%s" % (point, name, rc, err))
        snap = load(out)
        self.assertEqual(snap["format"], "vaultproof-snapshot/2", "issue 13 [%s]: snapshot format" % point)
        return snap

    def config(self):
        """The sample's configuration, scoped to the examples' subscription; the default
        retention minimum is 35 days of daily backups."""
        cfg = load(os.path.join(SAMPLE, "vaultproof.json"))
        cfg["scope"]["subscriptions"] = [S]
        cfg["exemptions"] = []
        cfg["decommissioned"] = []
        cfg["retention_minimums"]["default"]["daily_days"] = 35
        path = self.path("vaultproof.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(cfg, f)
        return path

    def evaluate(self, name, point, *collect_extra, raw=None):
        cfg = self.config()
        snap = self.collect(name, point, *collect_extra, raw=raw, config=cfg)
        out = self.path(name + ".findings.json")
        rc, _, err = run(["evaluate", "--snapshot", self.path(name + ".snapshot.json"), "--config", cfg,
                          "--now", NOW, "--out", out])
        self.assertEqual(rc, 0, "issue 13 [%s]: evaluate exited %d:\n%s" % (point, rc, err))
        return snap, load(out)["findings"]

    def finding(self, findings, rule, resource_id, point):
        got = [f for f in findings if f["rule"] == rule and same_id(f["resource"]["id"], resource_id)]
        self.assertEqual(len(got), 1, "issue 13 [%s]: one %s finding for %s, got %r"
                         % (point, rule, resource_id, [(f["rule"], f["resource"]["id"]) for f in findings]))
        return got[0]

    def vault(self, snap, name, point):
        got = [v for v in snap["vaults"] if v["name"] == name]
        self.assertEqual(len(got), 1, "issue 13 [%s]: vault %s in the snapshot: %r"
                         % (point, name, [v["id"] for v in snap["vaults"]]))
        return got[0]

    # --- Lost links and silent drops ---------------------------------------------------

    def test_url_spelled_vault_ids_link(self):
        point = "URL-spelled vault ids link"
        s = self.collect("url-vault-ids", point)
        v = self.vault(s, "swaggerExample", point)
        self.assertEqual(v["id"].lower(), VID.lower(), "issue 13 [%s]: the id loses scheme and host" % point)
        self.assertEqual((v["counts"]["policies"], v["counts"]["protected_items"]), (1, 1),
                         "issue 13 [%s]: policies/items link to the URL-spelled vault" % point)
        for op in ("backupPolicies", "backupProtectedItems", "backupconfig", "backupstorageconfig",
                   "backupResourceGuardProxies", "backupEngines"):
            self.assertEqual(v["completeness"].get(op), "complete",
                             "issue 13 [%s]: per-vault call %s is there" % (point, op))
        it = s["protected_items"][0]
        self.assertTrue(it["vault_listed"], point)
        self.assertEqual(it["policy"]["link"], "resolved",
                         "issue 13 [%s]: a URL-spelled policyId resolves" % point)
        # the evidence pointer keeps the raw spelling
        raw = load(os.path.join(self.fixture("url-vault-ids"), v["source"]["file"]))
        self.assertTrue(raw["value"][0]["id"].startswith("https://management.azure.com/"))

    def test_url_and_arm_spelling_of_one_vault_is_one_vault(self):
        point = "URL-spelled vault ids: both spellings"
        s = self.collect("url-vault-ids-both", point)
        self.assertEqual(len(s["vaults"]), 1, "issue 13 [%s]: one vault, not two: %r"
                         % (point, [v["id"] for v in s["vaults"]]))
        self.assertTrue(warnings(s, "duplicate-resource"),
                        "issue 13 [%s]: the second spelling is reported as a duplicate" % point)
        self.assertEqual(len({r["location"] for r in s["regions"]}), 1, point)

    def test_non_arm_proxy_id_attributed_by_sidecar(self):
        point = "non-ARM resource guard proxy id, sidecar"
        s = self.collect("proxy-non-arm-id", point)
        v = self.vault(s, "swaggerExample", point)
        self.assertEqual(len(v["resource_guard_proxies"]), 1,
                         "issue 13 [%s]: the proxy belongs to the vault whose call returned it" % point)
        self.assertEqual(v["completeness"]["backupResourceGuardProxies"], "complete", point)

    def test_non_arm_proxy_id_by_layout_path_or_warned(self):
        point = "non-ARM resource guard proxy id, no sidecar"
        s = self.collect("proxy-non-arm-id-layout", point)
        v = self.vault(s, "swaggerExample", point)
        if v["resource_guard_proxies"]:
            self.assertNotEqual(v["completeness"]["backupResourceGuardProxies"], "missing",
                                "issue 13 [%s]: attributed by the layout path, so the call is not missing" % point)
        else:
            self.assertTrue([w for w in warnings(s, "orphan-resource") if "backupResourceGuardProxies" in w["file"]],
                            "issue 13 [%s]: neither attributed nor warned" % point)
            self.assertGreaterEqual(s["collection"]["ignored_resources"], 1, point)

    def test_non_arm_proxy_id_nowhere_is_warned_and_counted(self):
        point = "non-ARM resource guard proxy id, no vault"
        s = self.collect("proxy-non-arm-id-orphan", point)
        v = self.vault(s, "swaggerExample", point)
        self.assertEqual(v["resource_guard_proxies"], [], point)
        w = [w for w in s["collection"]["warnings"] if w["file"] == "resource-guard-proxies.json"]
        self.assertTrue(w, "issue 13 [%s]: nothing read is dropped without a warning" % point)
        self.assertGreaterEqual(s["collection"]["ignored_resources"], 1,
                                "issue 13 [%s]: ... and a count" % point)

    def test_orphan_backupstorageconfig_warns(self):
        point = "orphan backupstorageconfig"
        s = self.collect("orphan-storageconfig", point)
        w = [w for w in warnings(s, "orphan-resource") if w["file"].endswith("otherVault/backupstorageconfig.json")]
        self.assertTrue(w, "issue 13 [%s]: warns like an orphan backupconfig: %r" % (point, s["collection"]["warnings"]))

    def test_vms_without_type_are_vms(self):
        point = "VM list without type"
        s = self.collect("vm-without-type", point)
        self.assertEqual(sorted(v["name"] for v in s["virtual_machines"]), ["vm-min-1", "vm-min-2"],
                         "issue 13 [%s]: classified by the id's provider path" % point)
        self.assertEqual(s["collection"]["ignored_resources"], 0, point)

    def test_maximumset_vault_list_records_its_call(self):
        point = "MaximumSet vault list"
        sub = "BE761359-6FE5-4793-AC0B-144B40374EC5"
        s = self.collect("vaults-maximumset", point, "--subscription", sub)
        calls = [c for c in s["collection"]["lists"]
                 if c["operation"] == "vaults" and same_id(c["scope"], "/subscriptions/" + sub)]
        self.assertEqual(len(calls), 1, "issue 13 [%s]: a vault list call for the subscription: %r"
                         % (point, s["collection"]["lists"]))
        self.assertNotEqual(calls[0]["status"], "complete",
                            "issue 13 [%s]: a dangling nextLink cannot be complete" % point)
        # the odd resource is not silently dropped
        seen = len(s["vaults"]) + s["collection"]["ignored_resources"]
        self.assertGreaterEqual(seen, 1, "issue 13 [%s]: the resource is read or counted" % point)
        if not s["vaults"]:
            self.assertTrue(warnings(s, "ignored-resource") or warnings(s, "unknown-type"), point)

    # --- Wrong or misleading values ----------------------------------------------------

    def test_immutability_never_configured_fails(self):
        point = "immutabilitySettings absent at api-version 2026-07-01"
        s, findings = self.evaluate("immutability-never-configured", point)
        for name, security in (("vault-security-no-immutability", "present"), ("vault-no-security-settings", "absent")):
            v = self.vault(s, name, point)
            self.assertEqual(v.get("api_version"), "2026-07-01", point)
            self.assertEqual(v.get("immutability_settings"), "absent", "issue 13 [%s]: %s" % (point, name))
            self.assertEqual(v.get("security_settings"), security, "issue 13 [%s]: %s" % (point, name))
            f = self.finding(findings, "immutability.locked", v["id"], point)
            self.assertEqual(f["status"], "fail", "issue 13 [%s]: %s is %s" % (point, name, f["status"]))
            text = ((f["observed"] or "") + " " + (f["note"] or "")).lower()
            self.assertIn("no immutability settings", text, "issue 13 [%s]: the note says why" % point)

    def test_immutability_absent_on_an_old_api_version_stays_not_reported(self):
        point = "immutabilitySettings absent at api-version 2024-04-01"
        raw = self.path("old-api")
        shutil.copytree(self.fixture("immutability-never-configured"), raw)
        meta = os.path.join(raw, "subscriptions", S, "vaults.meta.json")
        doc = load(meta)
        doc["url"] = doc["url"].replace("api-version=2026-07-01", "api-version=2024-04-01")
        with open(meta, "w", encoding="utf-8") as f:
            json.dump(doc, f)
        s, findings = self.evaluate("immutability-never-configured", point, raw=raw)
        # securitySettings present without immutabilitySettings: never configured on any version
        v = self.vault(s, "vault-security-no-immutability", point)
        self.assertEqual(self.finding(findings, "immutability.locked", v["id"], point)["status"], "fail", point)
        # no securitySettings at all on an older api-version: not reported
        v = self.vault(s, "vault-no-security-settings", point)
        self.assertEqual(self.finding(findings, "immutability.locked", v["id"], point)["status"], "incomplete", point)

    def test_invalid_redundancy_falls_back_to_storageconfig(self):
        point = "standardTierStorageRedundancy Invalid"
        s = self.collect("redundancy-invalid", point)
        v = self.vault(s, "vault-invalid-with-storageconfig", point)
        self.assertEqual(v["storage_redundancy"], "GeoRedundant",
                         "issue 13 [%s]: Invalid counts as absent for the fallback" % point)
        self.assertEqual(v["derived_from"].get("storage_redundancy"), "backupstorageconfig",
                         "issue 13 [%s]: says which source gave the value" % point)
        w = [w for w in warnings(s, "invalid-redundancy") if w["pointer"].endswith("standardTierStorageRedundancy")]
        self.assertEqual(len(w), 1, "issue 13 [%s]: one invalid-redundancy warning naming the vault field: %r"
                         % (point, s["collection"]["warnings"]))
        v = self.vault(s, "vault-invalid-only", point)
        self.assertEqual(v["storage_redundancy"], "Invalid",
                         "issue 13 [%s]: without backupstorageconfig the verbatim value stays" % point)

    def test_item_with_policy_id_and_no_policy_name(self):
        point = "policyId without policyName"
        s = self.collect("item-policyid-no-policyname", point)
        it = s["protected_items"][0]
        self.assertEqual(it["policy"]["link"], "resolved", point)
        self.assertIsNone(it["policy"]["name"],
                          "issue 13 [%s]: the snapshot keeps what the API said (no policyName); the PDF and "
                          "workbook show the resolved policy's name (test_render_pdf/xlsx Format2*)" % point)
        pol = [p for p in s["policies"] if same_id(p["id"], it["policy"]["id"])]
        self.assertEqual([p["name"] for p in pol], ["DefaultPolicy"], point)

    def test_azure_files_snapshot_retention_never_counts(self):
        point = "Azure Files snapshot policy"
        s = self.collect("afs-snapshot-policy", point)
        pol = {p["name"]: p for p in s["policies"]}
        old = pol["afs-snapshot-only"]
        self.assertIsNone(old["long_term_days"],
                          "issue 13 [%s]: share-snapshot retention is not vault retention" % point)
        self.assertTrue(old["retention"], point)
        self.assertTrue(all(t["tier"].startswith("snapshot") for t in old["retention"]),
                        "issue 13 [%s]: every tier of a top-level retentionPolicy is a snapshot tier: %r"
                        % (point, [t["tier"] for t in old["retention"]]))
        vaulted = pol["newPolicyV2"]
        self.assertEqual(vaulted["long_term_days"], 10 * 36525 // 100,
                         "issue 13 [%s]: vault-tier retention counts (10 years)" % point)
        snap_tiers = [t for t in vaulted["retention"] if t["tier"] == "snapshot"]
        self.assertEqual([(t["count"], t["days"]) for t in snap_tiers], [(5, 5)], point)

    def test_workload_policy_schedule_frequency(self):
        point = "workload policy schedule_frequency"
        s = self.collect("workload-policy-schedule", point)
        self.assertEqual(s["policies"][0]["schedule_frequency"], "Daily",
                         "issue 13 [%s]: from the Full sub-policy's schedule" % point)

    def test_iaas_v2_inferred_without_policy_type(self):
        point = "IaaS V2 without policyType"
        s = self.collect("iaas-v2-no-policytype", point)
        self.assertEqual(s["policies"][0]["policy_type"], "V2",
                         "issue 13 [%s]: inferred from SimpleSchedulePolicyV2" % point)

    def test_empty_strings_are_absent(self):
        point = 'empty strings ("") from the API'
        s = self.collect("empty-strings", point)
        it = s["protected_items"][0]
        self.assertIsNone(it["policy"]["id"], "issue 13 [%s]: policyId \"\" is no policy" % point)
        self.assertEqual(it["policy"]["link"], "none", point)
        self.assertIsNone(it["last_backup_status"], "issue 13 [%s]: lastBackupStatus \"\"" % point)

    def test_never_sentinel_is_kept_and_judged_never(self):
        point = "2001-01-01 never sentinel"
        s, findings = self.evaluate("never-sentinel", point)
        it = s["protected_items"][0]
        # verbatim, like every value: it is what the API said; "never" is how it is read
        self.assertTrue(it["last_backup_time"].startswith(SENTINEL_PREFIX),
                        "issue 13 [%s]: the snapshot keeps the API's value: %r" % (point, it["last_backup_time"]))
        f = self.finding(findings, "backup.rpo", it["id"], point)
        self.assertTrue(f["observed"].startswith("no backup yet"),
                        "issue 13 [%s]: the placeholder is not a backup time: %r" % (point, f["observed"]))
        self.assertEqual(f["status"], "warn", point)  # IRPending: the initial backup is pending

    def test_time_without_offset_accepted_once_warned(self):
        point = "time without UTC offset"
        s = self.collect("time-without-offset", point)
        times = sorted(it["last_backup_time"] for it in s["protected_items"])
        self.assertEqual(times, ["2026-09-29T21:14:05.1234567Z", "2026-09-29T22:01:44.52Z"],
                         "issue 13 [%s]: accepted as UTC, Z appended, fraction kept" % point)
        w = warnings(s, "time-without-offset")
        self.assertEqual(len(w), 1, "issue 13 [%s]: one warning per file: %r" % (point, w))
        self.assertTrue(w[0]["file"].endswith("backupProtectedItems.json"), point)

    # --- What the API offers -----------------------------------------------------------

    def test_timebased_immutability_configuration(self):
        point = "TimeBased immutability configuration"
        s, findings = self.evaluate("timebased-immutability", point)
        v = self.vault(s, "swaggerExample", point)
        self.assertEqual(v.get("immutability_configuration"), {"type": "TimeBased", "duration_days": 30},
                         "issue 13 [%s]: configuration read" % point)
        self.assertEqual(v.get("immutability_settings"), "present", point)
        mine = [f for f in findings if same_id(f["resource"]["id"], v["id"]) and f["rule"].startswith("immutability.")]
        self.assertEqual(self.finding(findings, "immutability.locked", v["id"], point)["status"], "pass", point)
        short = [f for f in mine if f["rule"] != "immutability.locked" and f["status"] == "fail"]
        self.assertTrue(short, "issue 13 [%s]: 30 days is shorter than the 35-day minimum: %r"
                        % (point, [(f["rule"], f["status"]) for f in mine]))

    def guard_case(self, name, point, *extra):
        s, findings = self.evaluate(name, point, *extra)
        v = self.vault(s, "swaggerExample", point)
        guards = s.get("resource_guards", [])
        self.assertEqual(len(guards), 1, "issue 13 [%s]: one guard named by the proxy: %r" % (point, guards))
        return v, guards[0], self.finding(findings, "mua.resource-guard", v["id"], point)

    def test_resource_guard_excluding_protection_reducing_operation_fails(self):
        point = "resource guard excludes a protection-reducing operation"
        v, g, f = self.guard_case("resource-guard-excluded", point)
        self.assertEqual(g["status"], "read", point)
        self.assertTrue(same_id(g["id"], GUARD_IN), point)
        self.assertEqual(g["exclusions"], ["Microsoft.RecoveryServices/vaults/backupconfig/write"], point)
        self.assertEqual(g["allow_auto_approvals"], False, point)
        self.assertEqual(len(g["operations"]), 2, point)
        self.assertEqual(f["status"], "fail", "issue 13 [%s]: disable soft delete needs no approval" % point)

    def test_resource_guard_excluding_nothing_does_not_fail(self):
        point = "resource guard excludes nothing (control for the test above)"
        raw = self.path("nothing-excluded")
        shutil.copytree(self.fixture("resource-guard-excluded"), raw)
        gpath = os.path.join(raw, "resourceGuards", S, "vaultguardRGNew", "VaultGuardTestNew.json")
        doc = load(gpath)
        doc["properties"]["vaultCriticalOperationExclusionList"] = []
        with open(gpath, "w", encoding="utf-8") as fh:
            json.dump(doc, fh)
        s, findings = self.evaluate("resource-guard-excluded", point, raw=raw)
        v = self.vault(s, "swaggerExample", point)
        f = self.finding(findings, "mua.resource-guard", v["id"], point)
        # same subscription as the vault: weaker isolation, which may warn, never fail
        self.assertIn(f["status"], ("pass", "warn"), point)

    def test_resource_guard_out_of_scope_is_incomplete(self):
        point = "resource guard outside the scope"
        v, g, f = self.guard_case("resource-guard-out-of-scope", point, "--subscription", S)
        self.assertTrue(same_id(g["id"], GUARD_OUT), point)
        self.assertEqual(g["status"], "out-of-scope", point)
        self.assertEqual(f["status"], "incomplete", "issue 13 [%s]: not read, cannot pass" % point)

    def test_resource_guard_unreadable_is_incomplete(self):
        point = "resource guard the principal cannot read"
        v, g, f = self.guard_case("resource-guard-unreadable", point)
        self.assertEqual(g["status"], "unreadable", point)
        self.assertIn("403", g["detail"] or "", "issue 13 [%s]: detail has the HTTP status" % point)
        self.assertEqual(f["status"], "incomplete", point)

    def test_backup_engines_recorded(self):
        point = "DPM / Azure Backup Server engines"
        s = self.collect("backup-engines", point)
        engines = s.get("backup_engines", [])
        self.assertEqual([e["name"] for e in engines], ["testServer1", "testServer5"],
                         "issue 13 [%s]: no longer 'resources ignored'" % point)
        e = engines[0]
        self.assertEqual((e["dpm_version"], e["agent_version"], e["registration_status"]),
                         ("5.1.348.0", "2.0.9532.0", "Registered"), point)
        self.assertEqual((e["protected_items_count"], e["protected_servers_count"]), (35, 21), point)
        self.assertEqual(e["engine_type"], "DpmBackupEngine", point)
        self.assertTrue(e["vault_listed"], point)
        self.assertEqual(s["collection"]["ignored_resources"], 0, point)
        v = self.vault(s, "swaggerExample", point)
        self.assertEqual(v["counts"].get("backup_engines"), 2, point)
        self.assertEqual(v["completeness"]["backupEngines"], "complete", point)

    def test_deleted_vaults_read(self):
        point = "soft-deleted vaults"
        s = self.collect("deleted-vaults", point)
        dv = s.get("deleted_vaults", [])
        self.assertEqual([d["name"] for d in dv], ["swaggerExample1", "swaggerExample2"], point)
        self.assertEqual(dv[0]["location"], "westus", point)
        self.assertTrue(same_id(dv[0]["vault_id"], VID.rsplit("/", 1)[0] + "/swaggerExample1"), point)
        self.assertEqual((dv[0]["deletion_time"], dv[0]["purge_at"]),
                         ("2024-09-20T09:49:46Z", "2024-10-20T09:49:46Z"), point)
        calls = [c for c in s["collection"]["lists"] if c["operation"] == "deletedVaults"]
        self.assertEqual([(c["scope"].lower(), c["status"]) for c in calls],
                         [(("/subscriptions/%s/providers/Microsoft.RecoveryServices/locations/westus" % S).lower(),
                           "complete")], point)


class SampleEstate(TempDirTest):
    """Issue 13, "How it is judged": the sample estate has one resource of each new kind."""

    def test_sample_has_each_new_kind(self):
        out = self.path("s.json")
        rc, _, err = run(["collect", "--replay", os.path.join(SAMPLE, "raw"), "--config",
                          os.path.join(SAMPLE, "vaultproof.json"), "--out", out, "--now", NOW, "--quiet"])
        self.assertEqual(rc, 0, err)
        s = load(out)
        self.assertEqual(s["format"], "vaultproof-snapshot/2")
        self.assertEqual(sorted((g["name"], g["status"]) for g in s.get("resource_guards", [])),
                         [("rguard-contoso-backup", "read"), ("rguard-fin-sox", "read")])
        self.assertEqual(sorted(e["name"] for e in s.get("backup_engines", [])),
                         ["KRA-DPM01.contoso.pl", "LDZ-MABS01.contoso.pl"])
        self.assertEqual([d["name"] for d in s.get("deleted_vaults", [])], ["rsv-epic-nonprod-old-eus2"])
        chw = [v for v in s["vaults"] if v["name"] == "rsv-epic-dr-chw"][0]
        self.assertEqual(chw.get("immutability_configuration"), {"type": "TimeBased", "duration_days": 30})
        self.assertTrue(all(v.get("api_version") == "2026-08-01" for v in s["vaults"]))
        self.assertTrue(all(c["status"] == "complete" for c in s["collection"]["lists"]))


if __name__ == "__main__":
    main()
