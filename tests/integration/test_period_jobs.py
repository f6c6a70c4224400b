"""Backup jobs over a period, live against the ARM emulator and replayed: the job list is
asked for only with a period, filtered with Azure's 'yyyy-MM-dd hh:mm:ss AM/PM' dates,
paged by following each nextLink (an opaque $skipToken) as given, and a replay of the
recording gives the same snapshot bytes. (The jobs stream, jobs.jsonl, is the next slice:
docs/period-evidence.md.)"""
import glob
import json
import os
import shutil
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from vptest import PINNED, SAMPLE, SOURCE, TempDirTest, load, main, run  # noqa: E402

sys.path.insert(0, os.path.join(SOURCE, "tests", "emulator"))
from arm_emulator import Emulator  # noqa: E402
from test_live_collect import live  # noqa: E402

PAGE = 7
FILTER = "startTime eq '2026-07-01 12:00:00 AM' and endTime eq '2026-10-01 12:00:00 AM'"
# start times around Q3's bounds and across the quarter; the emulator reads the filter's
# ends as included (vaultproof clips to its half-open period when it streams the jobs)
STARTS = ["2026-06-30T23:59:59Z", "2026-07-01T00:00:00Z", "2026-07-01T12:00:00Z", "2026-09-30T23:59:59Z",
          "2026-10-01T00:00:00Z", "2026-10-01T00:00:01Z"] + ["2026-08-%02dT22:00:00Z" % d for d in range(1, 20)]
IN_FILTER = [s for s in STARTS if "2026-07-01T00:00:00Z" <= s <= "2026-10-01T00:00:00Z"]


def job(vault_id, n, start):
    return {"id": "%s/backupJobs/%08d-0000-0000-0000-000000000000" % (vault_id, n),
            "name": "%08d-0000-0000-0000-000000000000" % n,
            "type": "Microsoft.RecoveryServices/vaults/backupJobs",
            "properties": {"jobType": "AzureIaaSVMJob", "backupManagementType": "AzureIaasVM",
                           "entityFriendlyName": "vm%d" % n, "operation": "Backup", "status": "Completed",
                           "startTime": start, "endTime": start.replace("Z", ".5Z"), "duration": "PT0.5S",
                           "activityId": "00000000-0000-0000-0000-%012d" % n}}


def estate_with_jobs(dest):
    """The sample estate plus, per vault, jobs starting at STARTS (ListJobs.json's shape)."""
    shutil.copytree(os.path.join(SAMPLE, "raw"), dest)
    vaults = []
    for path in glob.glob(os.path.join(dest, "subscriptions", "*", "vaults.json")):
        vaults += [v["id"] for v in load(path)["value"]]
    for i, vid in enumerate(sorted(vaults)):
        with open(os.path.join(dest, "jobs-%02d.json" % i), "w") as f:
            json.dump({"value": [job(vid, i * 100 + k, s) for k, s in enumerate(STARTS)]}, f)
    return vaults


class JobsOverAPeriod(TempDirTest):
    @classmethod
    def setUpClass(cls):
        import tempfile
        cls._root = tempfile.mkdtemp(prefix="vp-it-jobs-")
        cls.vaults = estate_with_jobs(os.path.join(cls._root, "raw"))
        cls.emu = Emulator(os.path.join(cls._root, "raw"), page_size=PAGE).start()

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()
        shutil.rmtree(cls._root, ignore_errors=True)

    def test_live_with_period_pages_jobs_and_replays_identically(self):
        rec = self.path("rec")
        rc, snap, log = live(self.emu, self.path("live.json"), "--record", rec, "--period", "2026-Q3")
        self.assertEqual(rc, 0, log)
        self.assertTrue(snap["collection"]["complete"])
        lists = {l["scope"].lower(): l for l in snap["collection"]["lists"] if l["operation"] == "backupJobs"}
        self.assertEqual(sorted(lists), sorted(v.lower() for v in self.vaults))
        pages = -(-len(IN_FILTER) // PAGE)
        for l in lists.values():
            self.assertEqual((l["status"], l["pages"]), ("complete", pages))
        for v in snap["vaults"]:
            self.assertEqual(v["completeness"]["backupJobs"], "complete")
        # the service's filter included 2026-10-01T00:00:00Z; the period [from, to) does not
        in_period = [t for t in IN_FILTER if t < "2026-10-01T00:00:00Z"]
        self.assertEqual(snap["collection"]["jobs"], {"count": len(in_period) * len(self.vaults),
                                                      "outside_period": len(self.vaults)})
        # the recorded calls: the filter on Azure's 12-hour clock, every page's nextLink followed
        sidecars = sorted(glob.glob(os.path.join(rec, "subscriptions", "*", "vaults", "*", "backupJobs*.meta.json")))
        self.assertEqual(len(sidecars), pages * len(self.vaults))
        starts = []
        for path in sidecars:
            meta = load(path)
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(meta["url"]).query)
            self.assertEqual(query["$filter"], [FILTER], meta["url"])
            if meta["call"]["page"] > 1:
                self.assertIn("$skipToken", query)
            starts += [j["properties"]["startTime"] for j in load(path.replace(".meta.json", ".json"))["value"]]
        self.assertEqual(sorted(starts), sorted(IN_FILTER * len(self.vaults)))
        # replay of the recording over the same period: the same bytes
        rc, _, err = run(["collect", "--replay", rec, "--now", PINNED, "--period", "2026-Q3", "--quiet",
                          "--out", self.path("replay.json")])
        self.assertEqual(rc, 0, err)
        with open(self.path("live.json"), "rb") as a, open(self.path("replay.json"), "rb") as b:
            self.assertEqual(a.read(), b.read())

    def test_live_without_period_asks_for_no_jobs(self):
        rec = self.path("rec")
        rc, snap, log = live(self.emu, self.path("live.json"), "--record", rec)
        self.assertEqual(rc, 0, log)
        self.assertEqual(glob.glob(os.path.join(rec, "**", "backupJobs*"), recursive=True), [])
        self.assertNotIn("period", snap["collection"])
        self.assertNotIn("jobs", snap["collection"])
        self.assertTrue(all("backupJobs" not in v["completeness"] for v in snap["vaults"]))


if __name__ == "__main__":
    main()
