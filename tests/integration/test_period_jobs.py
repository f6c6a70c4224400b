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
from vptest import PINNED, SAMPLE, SOURCE, TempDirTest, copy_point_in_time, load, main, run  # noqa: E402

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
    """The sample estate as captured (without its quarter of jobs) plus, per vault, jobs
    starting at STARTS (ListJobs.json's shape)."""
    copy_point_in_time(os.path.join(SAMPLE, "raw"), dest)
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

    def test_jobs_stream_live_and_replayed_byte_identical(self):
        info = self.emu.info
        env = {k: "" for k in ("AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_FEDERATED_TOKEN_FILE", "IDENTITY_ENDPOINT",
                               "IDENTITY_HEADER", "VAULTPROOF_IMDS_ENDPOINT", "AZURE_AUTHORITY_HOST")}
        env.update(AZURE_TENANT_ID=info["tenant"], AZURE_CLIENT_ID=info["client_id"],
                   AZURE_CLIENT_SECRET=info["client_secret"])
        os.makedirs(self.path("live"))
        os.makedirs(self.path("replay"))
        rc, _, err = run(["collect", "--arm-endpoint", info["arm"], "--authority-host", info["authority"],
                          "--ca-bundle", info["ca"], "--now", PINNED, "--quiet", "--period", "2026-Q3",
                          "--record", self.path("rec"), "--out", "snapshot.json", "--jobs-out", "jobs.jsonl"],
                         env=env, cwd=self.path("live"))
        self.assertEqual(rc, 0, err)
        rc, _, err = run(["collect", "--replay", self.path("rec"), "--now", PINNED, "--quiet", "--period", "2026-Q3",
                          "--out", "snapshot.json", "--jobs-out", "jobs.jsonl"], cwd=self.path("replay"))
        self.assertEqual(rc, 0, err)
        for name in ("snapshot.json", "jobs.jsonl"):
            with open(self.path("live", name), "rb") as a, open(self.path("replay", name), "rb") as b:
                self.assertEqual(a.read(), b.read(), name)
        snap = load(self.path("live", "snapshot.json"))
        with open(self.path("live", "jobs.jsonl"), "rb") as f:
            data = f.read()
        lines = [json.loads(l) for l in data.splitlines()]
        import hashlib
        self.assertEqual(snap["collection"]["jobs"]["file"], "jobs.jsonl")
        self.assertEqual(snap["collection"]["jobs"]["sha256"], hashlib.sha256(data).hexdigest())
        self.assertEqual(len(lines), snap["collection"]["jobs"]["count"])
        self.assertTrue(all("2026-07-01T00:00:00Z" <= l["start"] < "2026-10-01T00:00:00Z" for l in lines))
        self.assertEqual({l["vault_id"].lower() for l in lines}, {v.lower() for v in self.vaults})
        self.assertEqual({l["kind"] for l in lines}, {"AzureIaaSVMJob"})
        self.assertEqual(sorted(os.listdir(self.path("live"))), ["jobs.jsonl", "snapshot.json"])  # no temp left

    def test_jobs_out_needs_a_period(self):
        rc, _, err = run(["collect", "--replay", os.path.join(SAMPLE, "raw"), "--out", self.path("s.json"),
                          "--jobs-out", self.path("j.jsonl")])
        self.assertEqual(rc, 2, err)
        self.assertIn("--jobs-out needs a period", err)
        self.assertFalse(os.path.exists(self.path("j.jsonl")))

    def test_incomplete_replay_writes_both(self):
        # a recording without jobs: over a period a replay is incomplete (exit 4) and, as a
        # replay does, writes the snapshot - and the stream beside it, empty
        copy_point_in_time(os.path.join(SAMPLE, "raw"), self.path("raw"))
        rc, _, err = run(["collect", "--replay", self.path("raw"), "--period", "2026-Q3", "--quiet",
                          "--now", PINNED, "--out", self.path("s.json"), "--jobs-out", self.path("j.jsonl")])
        self.assertEqual(rc, 4, err)
        with open(self.path("j.jsonl"), "rb") as f:
            self.assertEqual(f.read(), b"")
        self.assertEqual(load(self.path("s.json"))["collection"]["jobs"]["count"], 0)

    def test_failed_live_job_list_leaves_neither_file(self):
        self.emu.set_faults([{"operation": "backupJobs", "kind": "403", "times": -1}])
        try:
            rc, snap, log = live(self.emu, self.path("s.json"), "--period", "2026-Q3", "--jobs-out",
                                 self.path("j.jsonl"))
        finally:
            self.emu.set_faults([])
        self.assertEqual(rc, 4, log)
        self.assertIsNone(snap)
        self.assertEqual(sorted(os.listdir(self.tmp)), [])

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
