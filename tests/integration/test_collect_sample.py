"""collect on the bundled Contoso Health recording: every value the snapshot reports is
checked against the raw ARM responses, read here independently of vaultproof."""
import copy
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from vptest import PINNED, SAMPLE, TempDirTest, load, main, raw_resources, run  # noqa: E402

RAW = os.path.join(SAMPLE, "raw")
CONFIG = os.path.join(SAMPLE, "vaultproof.json")

VAULT_T = "microsoft.recoveryservices/vaults"
ITEM_T = "microsoft.recoveryservices/vaults/backupfabrics/protectioncontainers/protecteditems"
POLICY_T = "microsoft.recoveryservices/vaults/backuppolicies"
VM_T = "microsoft.compute/virtualmachines"


def by_type(resources, t):
    return [r for r in resources if r.get("type", "").lower() == t]


def resolve(raw_dir, file, pointer):
    """Follows an RFC 6901 pointer into a raw file."""
    node = load(os.path.join(raw_dir, file))
    for part in pointer.split("/")[1:] if pointer else []:
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def dig(obj, *path):
    for p in path:
        if not isinstance(obj, dict) or p not in obj:
            return None
        obj = obj[p]
    return obj


class Snapshot(TempDirTest):
    @classmethod
    def setUpClass(cls):
        import tempfile
        cls.dir = tempfile.mkdtemp(prefix="vp-sample-")
        cls.out = os.path.join(cls.dir, "snapshot.json")
        rc, _, err = run(["collect", "--replay", RAW, "--config", CONFIG, "--out", cls.out, "--now", PINNED])
        assert rc == 0, err
        cls.snap = load(cls.out)
        cls.raw = raw_resources(RAW)

    @classmethod
    def tearDownClass(cls):
        import shutil
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_populations_match_raw(self):
        s = self.snap
        self.assertEqual(len(s["vaults"]), len(by_type(self.raw, VAULT_T)))
        self.assertEqual(len(s["protected_items"]), len(by_type(self.raw, ITEM_T)))
        self.assertEqual(len(s["policies"]), len(by_type(self.raw, POLICY_T)))
        self.assertEqual(len(s["virtual_machines"]), len(by_type(self.raw, VM_T)))
        self.assertGreaterEqual(len(s["protected_items"]), 150)
        self.assertGreaterEqual(len(s["vaults"]), 6)
        self.assertGreaterEqual(len(s["subscriptions"]), 3)
        self.assertEqual(s["collection"]["counts"]["protected_items"], len(s["protected_items"]))

    def test_every_item_points_at_its_raw_resource(self):
        for it in self.snap["protected_items"]:
            raw = resolve(RAW, it["source"]["file"], it["source"]["pointer"])
            self.assertEqual(raw["id"], it["id"])
            props = raw["properties"]
            self.assertEqual(it["protection_state"], props.get("protectionState"), it["id"])
            self.assertEqual(it["item_type"], props.get("protectedItemType"))
            # issue 13: "" is not reported; the API's "never" placeholder (2001-01-01,
            # epicweb-prd-12) is kept verbatim like every value
            raw_time = props.get("lastBackupTime") or None
            self.assertEqual(it["last_backup_time"], raw_time, it["id"])

    def test_vault_states_match_raw_and_absent_is_null(self):
        for v in self.snap["vaults"]:
            raw = resolve(RAW, v["source"]["file"], v["source"]["pointer"])
            self.assertEqual(v["immutability"], dig(raw, "properties", "securitySettings", "immutabilitySettings", "state"))
            self.assertEqual(v["multi_user_authorization"], dig(raw, "properties", "securitySettings", "multiUserAuthorization"))
            sd = dig(raw, "properties", "securitySettings", "softDeleteSettings", "softDeleteState")
            if sd is not None:
                self.assertEqual(v["soft_delete"]["state"], sd)
                self.assertNotIn("soft_delete.state", v["derived_from"])
        states = {v["immutability"] for v in self.snap["vaults"]}
        self.assertTrue({"Locked", "Unlocked", "Disabled", None} <= states, states)

    def test_fresh_vault_falls_back_to_backupconfig(self):
        fresh = [v for v in self.snap["vaults"] if v["immutability"] is None]
        self.assertEqual(len(fresh), 1)
        v = fresh[0]
        self.assertEqual(v["derived_from"].get("soft_delete.state"), "backupconfig")
        cfg = resolve(RAW, v["backupconfig_source"]["file"], v["backupconfig_source"]["pointer"])
        self.assertEqual(v["soft_delete"]["state"], cfg["properties"]["softDeleteFeatureState"])
        self.assertEqual(v["derived_from"].get("storage_redundancy"), "backupstorageconfig")

    def test_unknown_enum_kept_and_flagged(self):
        odd = [v for v in self.snap["vaults"] if "secure_score" in v["unknown_enums"]]
        self.assertEqual(len(odd), 1)
        self.assertEqual(odd[0]["secure_score"], "Superior")
        codes = [w for w in self.snap["collection"]["warnings"] if w["code"] == "unknown-enum"]
        self.assertTrue(any(w["pointer"].endswith("/properties/secureScore") for w in codes))

    def test_retention_tiers_follow_their_pointers(self):
        units = {"Days": 1, "Weeks": 7}
        for p in self.snap["policies"]:
            self.assertTrue(p["retention_understood"], p["name"])
            for t in p["retention"]:
                raw = resolve(RAW, p["source"]["file"], p["source"]["pointer"] + t["pointer"])
                if isinstance(raw, dict):
                    self.assertEqual((t["count"], t["unit"]), (raw["count"], raw["durationType"]))
                else:  # a plain day count (instant / snapshot tiers)
                    self.assertEqual((t["count"], t["unit"]), (raw, "Days"))
                if t["unit"] in units:
                    self.assertEqual(t["days"], t["count"] * units[t["unit"]])
                elif t["unit"] == "Years":
                    self.assertEqual(t["days"], t["count"] * 36525 // 100)
                elif t["unit"] == "Months":
                    self.assertEqual(t["days"], t["count"] * 36525 // 1200)

    def test_regions_and_worm_sources(self):
        regions = {r["location"]: r for r in self.snap["regions"]}
        self.assertEqual(regions["westus3"]["worm"], "pending-automatic-transition")
        self.assertEqual(regions["eastus2"]["worm"], "pending-automatic-transition")
        self.assertEqual(regions["switzerlandwest"]["worm"], "ga")
        # both revisions of Microsoft's page list Switzerland West; Poland Central is new in r2
        self.assertEqual(regions["switzerlandwest"]["sources"],
                         ["microsoft-learn-2025-06-19-r1", "microsoft-learn-2025-06-19-r2", "organization-strategy"])
        self.assertEqual(regions["polandcentral"]["sources"], ["microsoft-learn-2025-06-19-r2", "organization-strategy"])
        ga = [r for r in regions.values() if r["worm"] == "ga"]
        self.assertGreaterEqual(len(ga), 2)
        self.assertGreaterEqual(len(regions) - len(ga), 2)
        src = {s["id"]: s for s in self.snap["worm_sources"]}
        self.assertEqual(src["microsoft-learn-2025-06-19-r1"]["as_of"], "2025-06-19")
        self.assertEqual(src["microsoft-learn-2025-06-19-r2"]["as_of"], "2025-06-19")

    def test_recording_is_complete_and_dated(self):
        c = self.snap["collection"]
        self.assertTrue(c["verified"])
        self.assertTrue(c["complete"])
        self.assertTrue(all(l["status"] == "complete" for l in c["lists"]))
        self.assertTrue(c["captured_from"].startswith("2026-09-30T02:00"))
        self.assertEqual(c["generated_at"], PINNED)
        self.assertIn("https://management.azure.com", c["endpoints"])
        self.assertTrue(any(a.startswith("backupProtectedItems=") for a in c["api_versions"]))
        multi = [l for l in c["lists"] if l["operation"] == "backupProtectedItems" and l["pages"] > 1]
        self.assertTrue(multi, "the sample has a paged item list")
        hashes = {f["path"]: f["sha256"] for f in c["files"]}
        import hashlib
        with open(os.path.join(RAW, "subscriptions.json"), "rb") as f:
            self.assertEqual(hashes["subscriptions.json"], hashlib.sha256(f.read()).hexdigest())

    def test_coverage_and_links(self):
        vms = {v["name"]: v for v in self.snap["virtual_machines"]}
        self.assertEqual(vms["epicic-prd-04"]["protected_by"], [])
        self.assertEqual(vms["epicic-prd-04"]["tags"].get("Criticality"), "Tier0")
        protected = [v for v in vms.values() if v["protected_by"]]
        self.assertGreater(len(protected), 200)
        links = {it["policy"]["link"] for it in self.snap["protected_items"]}
        self.assertEqual(links, {"resolved", "missing", "none"})

    def test_kinds_and_non_ascii(self):
        kinds = {it["kind"] for it in self.snap["protected_items"]}
        self.assertTrue({"azure_vm", "sql_in_vm", "sap_hana_in_vm", "azure_backup_server", "mars", "dpm"} <= kinds, kinds)
        names = json.dumps([it["friendly_name"] for it in self.snap["protected_items"]], ensure_ascii=False)
        self.assertIn("Zürich", names)
        self.assertIn("Kraków", names)
        with open(self.out, encoding="utf-8") as f:
            self.assertIn("Kraków", f.read())  # written as UTF-8, not \\u escapes

    def test_reproducible_bytes(self):
        out2 = self.path("again.json")
        rc, _, _ = run(["collect", "--replay", RAW, "--config", CONFIG, "--out", out2],
                       env={"SOURCE_DATE_EPOCH": "1790748000"})  # == PINNED
        self.assertEqual(rc, 0)
        with open(self.out, "rb") as a, open(out2, "rb") as b:
            self.assertEqual(a.read(), b.read())

    def test_scope_from_config(self):
        fin = [s for s in self.snap["subscriptions"] if "Finance" in (s["display_name"] or "")][0]
        cfg = load(CONFIG)
        cfg["scope"] = {"subscriptions": [fin["subscription_id"]], "vaults": {"include": ["*"], "exclude": ["*-sin"]}}
        path = self.path("cfg.json")
        with open(path, "w") as f:
            json.dump(cfg, f)
        rc, _, err = run(["collect", "--replay", RAW, "--config", path, "--out", self.path("s.json"), "--now", PINNED])
        self.assertEqual(rc, 0, err)
        s = load(self.path("s.json"))
        self.assertEqual([v["name"] for v in s["vaults"]], ["rsv-fin-sox-plc"])
        self.assertEqual({it["vault_id"] for it in s["protected_items"]}, {s["vaults"][0]["id"]})
        self.assertTrue(all(v["subscription_id"] == fin["subscription_id"] for v in s["virtual_machines"]))
        self.assertTrue(any(w["code"] == "out-of-scope" for w in s["collection"]["warnings"]))


class AzCliExport(TempDirTest):
    """The same estate as `az backup vault list` / `az backup item list` / `az vm list`
    would print it: JSON arrays with a resourceGroup member, no sidecars."""

    def test_offline_export_gives_same_entities_unverified(self):
        export = self.path("export")
        for root, _dirs, files in os.walk(RAW):
            for name in files:
                if name.endswith(".meta.json"):
                    continue
                doc = load(os.path.join(root, name))
                items = doc["value"] if isinstance(doc, dict) and "value" in doc else doc
                if isinstance(items, list):
                    items = [dict(copy.deepcopy(r), resourceGroup=r["id"].split("/")[4]) if "resourceGroups" in r.get("id", "") else r
                             for r in items]
                rel = os.path.relpath(os.path.join(root, name), RAW).replace("/", "__")
                os.makedirs(export, exist_ok=True)
                with open(os.path.join(export, rel), "w", encoding="utf-8") as f:
                    json.dump(items, f, ensure_ascii=False)
        out = self.path("s.json")
        rc, stdout, err = run(["collect", "--replay", export, "--out", out, "--now", PINNED])
        self.assertEqual(rc, 0, err)
        s = load(out)
        raw = raw_resources(RAW)
        self.assertEqual(len(s["protected_items"]), len(by_type(raw, ITEM_T)))
        self.assertEqual(len(s["vaults"]), len(by_type(raw, VAULT_T)))
        self.assertFalse(s["collection"]["verified"])
        self.assertFalse(s["collection"]["complete"])
        self.assertIn("offline export", stdout)
        statuses = {l["status"] for l in s["collection"]["lists"]}
        self.assertIn("unverified", statuses)
        self.assertNotIn("complete", statuses)


if __name__ == "__main__":
    main()
