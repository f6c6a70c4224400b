"""collect on estates written by the seeded generator: populations, paging and
completeness at a size well beyond the sample (the 100k benchmark lives in bench/)."""
import glob
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from vptest import PINNED, TempDirTest, generate, load, main, raw_resources, run  # noqa: E402

ITEM_T = "microsoft.recoveryservices/vaults/backupfabrics/protectioncontainers/protecteditems"
VM_T = "microsoft.compute/virtualmachines"


class Generated(TempDirTest):
    def setUp(self):
        super().setUp()
        self.raw = self.path("raw")
        generate(self.raw, "scale", "--items", "4000", "--vaults", "12", "--subscriptions", "3", "--seed", "7",
                 "--vm-page-size", "500")

    def collect(self, raw, *extra):
        out = self.path("snap.json")
        rc, stdout, err = run(["collect", "--replay", raw, "--out", out, "--now", PINNED] + list(extra))
        return rc, (load(out) if os.path.exists(out) else None), stdout + err

    def test_counts_and_completeness(self):
        rc, s, log = self.collect(self.raw)
        self.assertEqual(rc, 0, log)
        raw = raw_resources(self.raw)
        self.assertEqual(len(s["protected_items"]), 4000)
        self.assertEqual(len(s["protected_items"]), sum(1 for r in raw if r.get("type", "").lower() == ITEM_T))
        self.assertEqual(len(s["virtual_machines"]), sum(1 for r in raw if r.get("type", "").lower() == VM_T))
        self.assertEqual(len(s["vaults"]), 12)
        self.assertTrue(s["collection"]["complete"])
        paged = [l for l in s["collection"]["lists"] if l["pages"] > 1]
        self.assertTrue(any(l["operation"] == "virtualMachines" for l in paged))
        self.assertTrue(any(l["operation"] == "backupProtectedItems" for l in paged))
        self.assertEqual(sum(v["counts"]["protected_items"] for v in s["vaults"]), 4000)

    def test_missing_page_is_incomplete_exit_4(self):
        page2 = sorted(glob.glob(os.path.join(self.raw, "subscriptions", "*", "vaults", "*",
                                              "backupProtectedItems.page-0002.json")))[0]
        vault_dir = os.path.dirname(page2)
        os.remove(page2)
        os.remove(page2[:-len(".json")] + ".meta.json")
        rc, s, log = self.collect(self.raw)
        self.assertEqual(rc, 4, log)
        self.assertIn("incomplete collection", log)
        self.assertFalse(s["collection"]["complete"])
        name = os.path.basename(vault_dir)
        vault = [v for v in s["vaults"] if v["name"] == name][0]
        self.assertEqual(vault["completeness"]["backupProtectedItems"], "incomplete")
        lst = [l for l in s["collection"]["lists"]
               if l["operation"] == "backupProtectedItems" and l["scope"].lower() == vault["id"].lower()][0]
        self.assertRegex(lst["detail"], r"page 2 missing|stopped after page 1")
        others = [v for v in s["vaults"] if v["name"] != name]
        self.assertTrue(all(v["completeness"]["backupProtectedItems"] == "complete" for v in others))

    def test_failed_call_recorded_in_sidecar(self):
        side = sorted(glob.glob(os.path.join(self.raw, "subscriptions", "*", "vaults", "*", "backupPolicies.meta.json")))[0]
        meta = load(side)
        meta["status"] = 429
        meta["call"]["error"] = "throttled after 6 attempts"
        with open(side, "w") as f:
            import json
            json.dump(meta, f)
        rc, s, log = self.collect(self.raw)
        self.assertEqual(rc, 4, log)
        bad = [l for l in s["collection"]["lists"] if l["status"] != "complete"]
        self.assertEqual(len(bad), 1)
        self.assertIn("HTTP 429", bad[0]["detail"])
        self.assertIn("throttled after 6 attempts", bad[0]["detail"])

    def test_generator_and_collect_are_deterministic(self):
        again = self.path("raw2")
        generate(again, "scale", "--items", "4000", "--vaults", "12", "--subscriptions", "3", "--seed", "7",
                 "--vm-page-size", "500")
        rc1, s1, _ = self.collect(self.raw)
        with open(self.path("snap.json"), "rb") as f:
            first = f.read()
        rc2, _, _ = self.collect(again)
        with open(self.path("snap.json"), "rb") as f:
            second = f.read()
        self.assertEqual((rc1, rc2), (0, 0))
        # the snapshot names its input directory; everything else must be identical
        self.assertEqual(first.replace(self.raw.encode(), b"RAW"), second.replace(again.encode(), b"RAW"))

    def test_offline_export_without_sidecars(self):
        bare = self.path("bare")
        generate(bare, "scale", "--items", "1500", "--vaults", "6", "--subscriptions", "2", "--seed", "3",
                 "--no-sidecars", "--vm-page-size", "100000")
        rc, s, log = self.collect(bare)
        self.assertFalse(s["collection"]["verified"])
        self.assertEqual(len(s["protected_items"]), 1500)
        statuses = {l["status"] for l in s["collection"]["lists"]}
        self.assertNotIn("complete", statuses)
        # paged item lists carry a nextLink no sidecar answers: incomplete, exit 4
        paged = any(os.path.basename(p).startswith("backupProtectedItems.page-")
                    for p in glob.glob(os.path.join(bare, "subscriptions", "*", "vaults", "*", "*.json")))
        self.assertEqual(rc, 4 if paged else 0, log)


class GeneratedJobs(TempDirTest):
    """gen_estate.py --jobs-period: a quarter of nightly jobs per item, paged; collected
    over the same period they are complete and streamed, without a period ignored."""

    def test_a_quarter_of_jobs(self):
        raw = self.path("raw")
        generate(raw, "scale", "--items", "30", "--vaults", "3", "--seed", "5", "--jobs-period", "2026-Q3",
                 "--jobs-page-size", "400")
        out, jobs = self.path("s.json"), self.path("jobs.jsonl")
        rc, _, err = run(["collect", "--replay", raw, "--out", out, "--now", PINNED, "--quiet", "--period", "2026-Q3",
                          "--jobs-out", jobs])
        self.assertEqual(rc, 0, err)
        s = load(out)
        self.assertTrue(s["collection"]["complete"])
        # one nightly job per VM or database item still protected (MAB/DPM items have none),
        # plus a restore per 200 VMs (none at 30 items)
        nightly = [i for i in s["protected_items"] if i["kind"] in ("azure_vm", "sql_in_vm", "sap_hana_in_vm", "sap_ase_in_vm")
                   and i["protection_state"] != "ProtectionStopped"]
        crr_vaults = {v["id"].lower() for v in s["vaults"] if v["cross_region_restore"] == "Enabled"}
        self.assertEqual(s["collection"]["jobs"]["count"], len(nightly) * 92 + len(crr_vaults))
        self.assertEqual(s["collection"]["jobs"]["outside_period"], 0)
        self.assertEqual(s["collection"]["jobs"]["duplicates"], 0)
        lists = [l for l in s["collection"]["lists"] if l["operation"] == "backupJobs"]
        self.assertEqual(len(lists), 3)
        self.assertTrue(all(l["status"] == "complete" for l in lists))
        self.assertTrue(any(l["pages"] > 1 for l in lists))
        with open(jobs, encoding="utf-8") as f:
            everything = [json.loads(l) for l in f.read().splitlines()]
        crr = [l for l in everything if l.get("crr")]
        lines = [l for l in everything if "detail_of" not in l and not l.get("crr")]
        self.assertEqual(len(lines), len(nightly) * 92)
        # a cross-region restore per CRR-enabled vault (one per 500 VMs, at least one)
        self.assertEqual(sorted(l["vault_id"].lower() for l in crr), sorted(crr_vaults))
        self.assertEqual({l["operation"] for l in crr}, {"CrossRegionRestore"} if crr else set())
        # jobs are named after their items: every entity is one item's friendly name in its vault
        names = {(i["vault_id"].lower(), i["friendly_name"]) for i in nightly}
        self.assertEqual({(l["vault_id"].lower(), l["entity"]) for l in lines}, names)
        self.assertEqual({l["kind"] for l in lines}, {"AzureIaaSVMJob", "AzureWorkloadJob"})
        # failure streaks: each failed job has its details (recorded, expected, complete), and
        # the next night of that item is a success again
        failed = [l for l in lines if l["status"] == "Failed"]
        self.assertTrue(failed)
        self.assertEqual(sorted(l["detail_of"] for l in everything if "detail_of" in l), sorted(l["id"] for l in failed))
        details = [l for l in s["collection"]["lists"] if l["operation"] == "backupJobDetails"]
        self.assertEqual(len(details), len(failed))
        self.assertTrue(all(l["status"] == "complete" for l in details))
        for key in {(l["vault_id"], l["entity"]) for l in failed}:
            runs = sorted((l["start"], l["status"]) for l in lines if (l["vault_id"], l["entity"]) == key)
            self.assertEqual(runs[-1][1], "Completed", key)  # recovered by the quarter's end
        meta = load(glob.glob(os.path.join(raw, "subscriptions", "*", "vaults", "*", "backupJobs.meta.json"))[0])
        self.assertIn("%272026-07-01%2012%3A00%3A00%20AM%27", meta["url"])
        # the same recording without a period: the jobs are neither expected nor counted
        rc, _, err = run(["collect", "--replay", raw, "--out", out, "--now", PINNED, "--quiet"])
        self.assertEqual(rc, 0, err)
        self.assertNotIn("jobs", load(out)["collection"])


if __name__ == "__main__":
    main()
