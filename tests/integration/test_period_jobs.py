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


# index in STARTS -> status: a failed job inside the period, a warned one, and a failed one
# the service returns at the filter's end (2026-10-01T00:00:00Z) that the period leaves out;
# the error entry is Microsoft Learn's (tests/data/azure/manage-azure-sql-vm-rest-backup-job.json)
STATUS = {2: "Failed", 6: "CompletedWithWarnings", 4: "Failed"}
ERROR = {"errorCode": 510008, "errorTitle": "OperationCancelledBecauseConflictingOperationRunningUserError",
         "errorString": "Operation cancelled as a conflicting operation was already running on the same database.",
         "recommendations": ["Please try again after sometime."]}


def job(vault_id, n, start, status="Completed"):
    j = {"id": "%s/backupJobs/%08d-0000-0000-0000-000000000000" % (vault_id, n),
         "name": "%08d-0000-0000-0000-000000000000" % n,
         "type": "Microsoft.RecoveryServices/vaults/backupJobs",
         "properties": {"jobType": "AzureIaaSVMJob", "backupManagementType": "AzureIaasVM",
                        "entityFriendlyName": "vm%d" % n, "operation": "Backup", "status": status,
                        "startTime": start, "endTime": start.replace("Z", ".5Z"), "duration": "PT0.5S",
                        "activityId": "00000000-0000-0000-0000-%012d" % n}}
    if status != "Completed":
        j["properties"]["errorDetails"] = [ERROR]
    return j


def crr_job(n, start):
    """A cross-region-restore job in the vault's secondary region (ListCrrJobs_Post.json's shape)."""
    return {"id": "/subscriptions/%s/providers/microsoft.recoveryservices/locations/eastus/backupJobs/"
                  "%08d-0000-0000-0000-00000000c0cc" % ("0" * 8 + "-0000-0000-0000-" + "0" * 12, n),
            "name": "%08d-0000-0000-0000-00000000c0cc" % n, "type": "Microsoft.RecoveryServices/vaults/backupJobs",
            "properties": {"jobType": "AzureIaaSVMJob", "virtualMachineVersion": "Compute",
                           "entityFriendlyName": "vm%d" % n, "backupManagementType": "AzureIaasVM",
                           "operation": "CrossRegionRestore", "status": "Completed", "startTime": start,
                           "endTime": start.replace("Z", ".5Z"), "activityId": "c0cc-%d" % n}}


def estate_with_jobs(dest):
    """The sample estate as captured (without its quarter of jobs) plus, per vault, jobs
    starting at STARTS (ListJobs.json's shape), and for the one vault whose
    crossRegionRestore is Enabled (rsv-epic-immutable-wus3, westus3, paired with eastus) two
    CRR jobs - one in the period, one before it."""
    copy_point_in_time(os.path.join(SAMPLE, "raw"), dest)
    vaults = []
    for path in glob.glob(os.path.join(dest, "subscriptions", "*", "vaults.json")):
        vaults += [v["id"] for v in load(path)["value"]]
        for v in load(path)["value"]:
            if (v["properties"].get("redundancySettings") or {}).get("crossRegionRestore") == "Enabled":
                with open(os.path.join(os.path.dirname(path), "vaults", v["name"], "backupCrrJobs.json"), "w") as f:
                    json.dump({"value": [crr_job(1, "2026-08-15T09:00:00Z"), crr_job(2, "2026-05-01T09:00:00Z")]}, f)
    for i, vid in enumerate(sorted(vaults)):
        with open(os.path.join(dest, "jobs-%02d.json" % i), "w") as f:
            json.dump({"value": [job(vid, i * 100 + k, s, STATUS.get(k, "Completed")) for k, s in enumerate(STARTS)]},
                      f)
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
        jobs = snap["collection"]["jobs"]
        # (+1: the CRR-enabled vault's cross-region restore in the period; the filter left out the other)
        self.assertEqual((jobs["count"], jobs["outside_period"]),
                         (len(in_period) * len(self.vaults) + 1, len(self.vaults)))
        # per vault: what its list returned and the earliest start read (the period's start
        # is held when that is not after collection.period.from)
        self.assertEqual([v["vault_id"].lower() for v in jobs["vaults"]], sorted(v.lower() for v in self.vaults))
        for v in jobs["vaults"]:
            self.assertEqual((v["jobs_read"], v["earliest_start"]), (len(IN_FILTER), "2026-07-01T00:00:00Z"))
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
        everything = [json.loads(l) for l in data.splitlines()]
        lines = [l for l in everything if "detail_of" not in l]
        details = [l for l in everything if "detail_of" in l]
        import hashlib
        self.assertEqual(snap["collection"]["jobs"]["file"], "jobs.jsonl")
        self.assertEqual(snap["collection"]["jobs"]["sha256"], hashlib.sha256(data).hexdigest())
        self.assertEqual(len(lines), snap["collection"]["jobs"]["count"])
        self.assertTrue(all("2026-07-01T00:00:00Z" <= l["start"] < "2026-10-01T00:00:00Z" for l in lines))
        self.assertEqual({l["vault_id"].lower() for l in lines}, {v.lower() for v in self.vaults})
        self.assertEqual({l["kind"] for l in lines}, {"AzureIaaSVMJob"})
        self.assertEqual({l["management_type"] for l in lines}, {"AzureIaasVM"})
        # one detail line per failed or warned job of the period (the one at the filter's end
        # was asked for and recorded, but is Q4's), after the job lines of its vault
        failed = {l["id"] for l in lines if l["status"] in ("Failed", "CompletedWithWarnings")}
        self.assertEqual(len(failed), 2 * len(self.vaults))
        self.assertEqual(sorted(d["detail_of"] for d in details), sorted(failed))
        for d in details:
            self.assertEqual(d["errors"], [{"code": "510008", "message": ERROR["errorString"],
                                            "recommendations": ERROR["recommendations"]}])
            self.assertEqual(d["source"]["pointer"], "")
            self.assertTrue(d["source"]["file"].endswith("/backupJobs/%s.json" % d["detail_of"].rsplit("/", 1)[1]))
        recorded = glob.glob(self.path("rec", "subscriptions", "*", "vaults", "*", "backupJobs", "*.json"))
        self.assertEqual(len([p for p in recorded if not p.endswith(".meta.json")]), 3 * len(self.vaults))
        done = [l for l in snap["collection"]["lists"] if l["operation"] == "backupJobDetails"]
        self.assertEqual(len(done), 3 * len(self.vaults))
        self.assertTrue(all(l["status"] == "complete" for l in done))
        self.assertEqual(sorted(os.listdir(self.path("live"))), ["jobs.jsonl", "snapshot.json"])  # no temp left
        # cross-region restore: asked of the CRR-enabled vault's paired region by POST with
        # its id, recorded under the vault, its job streamed with "crr": true and that vault
        crr = [l for l in lines if l.get("crr")]
        self.assertEqual([(l["entity"], l["operation"]) for l in crr], [("vm1", "CrossRegionRestore")])
        self.assertTrue(crr[0]["vault_id"].endswith("/vaults/rsv-epic-immutable-wus3"), crr[0])
        self.assertTrue(all("crr" not in l for l in lines if l is not crr[0]))
        side = glob.glob(self.path("rec", "subscriptions", "*", "vaults", "rsv-epic-immutable-wus3",
                                   "backupCrrJobs.meta.json"))
        self.assertEqual(len(side), 1)
        meta = load(side[0])
        self.assertEqual(meta["method"], "POST")
        self.assertEqual(json.loads(meta["request_body"]), {"resourceId": crr[0]["vault_id"]})
        url = urllib.parse.urlsplit(meta["url"])
        self.assertTrue(url.path.endswith("/providers/Microsoft.RecoveryServices/locations/eastus/backupCrrJobs"), url)
        query = urllib.parse.parse_qs(url.query)
        self.assertEqual((query["api-version"], query["$filter"]), (["2024-11-15"], [FILTER]))
        self.assertEqual(meta["call"]["scope"], crr[0]["vault_id"])
        # only that vault: CRR is not asked of the others
        self.assertEqual(len(glob.glob(self.path("rec", "subscriptions", "*", "vaults", "*", "backupCrrJobs*.json"))), 2)
        done = [l for l in snap["collection"]["lists"] if l["operation"] == "backupCrrJobs"]
        self.assertEqual([(l["scope"], l["status"]) for l in done], [(crr[0]["vault_id"], "complete")])

    def test_import_jobs_only_where_azure_no_longer_holds(self):
        """--import-jobs: a Log Analytics export (CSV) replayed with the recording; every
        vault's list starts at the period's start, so Azure held all of it and no row is
        taken - the rows are counted, the export named and hashed. Without --jobs-out: exit 2."""
        rec = self.path("rec")
        rc, _, log = live(self.emu, self.path("live.json"), "--record", rec, "--period", "2026-Q3")
        self.assertEqual(rc, 0, log)
        vault = self.vaults[0]
        with open(self.path("la.csv"), "w", encoding="utf-8", newline="") as f:
            f.write("JobUniqueId,_ResourceId,BackupItemFriendlyName,JobOperation,JobStatus,JobStartDateTime\r\n")
            f.write("a,%s,vm1,Backup,Completed,2026-07-01T00:00:00Z\r\n" % vault.lower())
            f.write("b,%s,vm1,Backup,Completed,2026-06-30T00:00:00Z\r\n" % vault.lower())
        rc, _, err = run(["collect", "--replay", rec, "--now", PINNED, "--period", "2026-Q3", "--quiet",
                          "--out", self.path("s.json"), "--jobs-out", self.path("j.jsonl"),
                          "--import-jobs", self.path("la.csv")])
        self.assertEqual(rc, 0, err)
        imported = load(self.path("s.json"))["collection"]["jobs"]["imported"]
        import hashlib
        with open(self.path("la.csv"), "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        self.assertEqual(imported, {"file": self.path("la.csv"), "sha256": digest, "rows": 2, "jobs": 0})
        with open(self.path("j.jsonl"), encoding="utf-8") as f:
            self.assertNotIn(self.path("la.csv"), f.read())
        rc, _, err = run(["collect", "--replay", rec, "--now", PINNED, "--period", "2026-Q3", "--quiet",
                          "--out", self.path("s2.json"), "--import-jobs", self.path("la.csv")])
        self.assertEqual(rc, 2, err)
        self.assertIn("--import-jobs needs --jobs-out", err)

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

    def test_refused_job_details_fail_closed(self):
        """A job's details answered 403 are not excused like a resource guard's: the
        collection is incomplete (exit 4) and says which job."""
        self.emu.set_faults([{"operation": "backupJobDetails", "kind": "403", "times": -1}])
        try:
            rc, snap, log = live(self.emu, self.path("live.json"), "--period", "2026-Q3", "--record", self.path("rec"))
        finally:
            self.emu.set_faults([])
        self.assertEqual(rc, 4, log)
        self.assertIsNone(snap)  # a live run that is incomplete writes no snapshot
        self.assertIn("backupJobDetails", log)
        # its recording, replayed, says which calls failed and why
        rc, _, err = run(["collect", "--replay", self.path("rec"), "--now", PINNED, "--period", "2026-Q3", "--quiet",
                          "--out", self.path("replay.json")])
        self.assertEqual(rc, 4, err)
        snap = load(self.path("replay.json"))
        bad = [l for l in snap["collection"]["lists"] if l["operation"] == "backupJobDetails"]
        self.assertEqual(len(bad), 3 * len(self.vaults))
        self.assertTrue(all(l["status"] == "incomplete" and "403" in l["detail"] for l in bad), bad[:1])

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
