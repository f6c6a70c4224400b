#!/usr/bin/env python3
"""The sample estate's quarter (issue 15): samples/contoso-health/raw holds 2026-Q3's backup
jobs as gen_estate.py `contoso --period 2026-Q3` writes them, a replay without a period is
byte-identical to the point-in-time capture (the quarter is left out), and a replay over the
quarter is complete and carries the curated situations of samples/contoso-health/README.md
("Period evidence"), checked from the jobs stream and, independently, from raw/."""
import glob
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from vptest import (GENERATOR, PINNED, SAMPLE, TempDirTest, copy_point_in_time,  # noqa: E402
                    is_period_evidence, load, main, run, runs_no_vaultproof)

RAW = os.path.join(SAMPLE, "raw")
CONFIG = os.path.join(SAMPLE, "vaultproof.json")


def period_files(root):
    """{relative path: bytes} of every period-evidence file below root."""
    out = {}
    for d, _dirs, files in os.walk(root):
        for name in files:
            if is_period_evidence(name, os.path.basename(d)):
                p = os.path.join(d, name)
                with open(p, "rb") as f:
                    out[os.path.relpath(p, root)] = f.read()
    return out


class SampleQuarter(TempDirTest):
    def collect(self, raw, *extra):
        rc, _out, err = run(["collect", "--replay", raw, "--config", CONFIG, "--now", PINNED, "--quiet"]
                            + list(extra))
        return rc, err

    @runs_no_vaultproof
    def test_generated_by_the_generator(self):
        """The committed quarter is exactly what the generator writes into the sample (job
        lists, job details, CRR jobs and the Activity Log: --period-files all, the default)."""
        shutil.copytree(RAW, self.path("raw"))
        subprocess.run([sys.executable, GENERATOR, "contoso", "--out", self.path("raw"), "--period", "2026-Q3",
                        "--period-only"], check=True, capture_output=True)
        mine, committed = period_files(self.path("raw")), period_files(RAW)
        self.assertEqual(sorted(mine), sorted(committed))
        for rel in mine:
            self.assertEqual(mine[rel], committed[rel], rel)
        # and it left every other file as it was
        self.assertEqual(len(list(glob.glob(self.path("raw", "**", "*.json"), recursive=True))),
                         len(list(glob.glob(os.path.join(RAW, "**", "*.json"), recursive=True))))

    @runs_no_vaultproof
    def test_all_period_files(self):
        """--period-files jobs writes exactly the committed job lists; the committed quarter
        (--period-files all) adds one detail body per failed job, the CRR jobs of the CRR
        vault (a POST) and the Activity Log events."""
        shutil.copytree(RAW, self.path("raw"))
        subprocess.run([sys.executable, GENERATOR, "contoso", "--out", self.path("raw"), "--period", "2026-Q3",
                        "--period-only", "--period-files", "jobs"], check=True, capture_output=True)
        jobs_only, mine = period_files(self.path("raw")), period_files(RAW)
        for rel in jobs_only:
            self.assertEqual(jobs_only[rel], mine[rel], rel)
        committed = jobs_only
        extra = sorted(set(mine) - set(committed))
        details = [r for r in extra if os.sep + "backupJobs" + os.sep in r and not r.endswith(".meta.json")]
        failed = []
        for rel, data in committed.items():
            if os.path.basename(rel).startswith("backupJobs.") and not rel.endswith(".meta.json"):
                failed += [j["name"] for j in json.loads(data)["value"] if j["properties"]["status"] == "Failed"]
        self.assertEqual(sorted(os.path.basename(r)[:-5] for r in details), sorted(failed))
        d = json.loads(mine[details[0]])
        self.assertIn("tasksList", d["properties"]["extendedInfo"])
        crr = [r for r in extra if os.path.basename(r) == "backupCrrJobs.json"]
        self.assertEqual([os.path.basename(os.path.dirname(r)) for r in crr], ["rsv-epic-immutable-wus3"])
        (job,) = json.loads(mine[crr[0]])["value"]
        self.assertEqual((job["properties"]["operation"], job["properties"]["entityFriendlyName"]),
                         ("CrossRegionRestore", "epicodb-prd-02"))
        meta = json.loads(mine[crr[0][:-5] + ".meta.json"])
        self.assertEqual(meta["method"], "POST")
        self.assertIn("/locations/eastus/backupCrrJobs?", meta["url"])
        events = []
        for rel in extra:
            if os.path.basename(rel) in ("activityLog.json", "activityLog-dataprotection.json"):
                events += json.loads(mine[rel])["value"]
        ends = {(e["operationName"]["value"].rsplit("/", 2)[-2], e["status"]["value"]) for e in events
                if e["eventName"]["value"] == "EndRequest"}
        self.assertEqual(ends, {("backupPolicies", "Succeeded"), ("backupPolicies", "Failed"),
                                ("vaults", "Succeeded"), ("protectedItems", "Succeeded")})
        self.assertEqual(len(events), 8)  # each operation as BeginRequest and EndRequest
        self.assertEqual(len({e["correlationId"] for e in events}), 4)

    def test_every_kind_paged_and_linked(self):
        """Job lists page at 200 with nextLink (an opaque $skiptoken) on all but the last page,
        each page's sidecar URL being the previous nextLink; every kind of job is present."""
        kinds, ops = set(), set()
        for first in glob.glob(os.path.join(RAW, "subscriptions", "*", "vaults", "*", "backupJobs.json")):
            stem, url, page = first[:-len(".json")], None, 1
            path = first
            while True:
                body, meta = load(path), load(path[:-len(".json")] + ".meta.json")
                if url is not None:
                    self.assertEqual(meta["url"], url)
                self.assertEqual(meta["call"]["page"], page)
                for j in body["value"]:
                    kinds.add(j["properties"]["jobType"])
                    ops.add(j["properties"]["operation"])
                url = body.get("nextLink")
                if url is None:
                    self.assertTrue(meta["call"]["complete"])
                    break
                self.assertEqual(len(body["value"]), 200)
                self.assertIn("$skiptoken=", url)
                page += 1
                path = "%s.page-%04d.json" % (stem, page)
        self.assertEqual(kinds, {"AzureIaaSVMJob", "AzureWorkloadJob", "MabJob", "DpmJob"})
        for op in ("Backup", "Backup (Full)", "Backup (Differential)", "Backup (Incremental)", "Backup (Log)",
                   "ConfigureBackup", "Restore", "DisableBackup", "DeleteBackupData"):
            self.assertIn(op, ops)

    def test_replay_without_period_is_the_point_in_time_snapshot(self):
        copy_point_in_time(RAW, self.path("pit"))
        rc, err = self.collect(self.path("pit"), "--out", self.path("a.json"))
        self.assertEqual(rc, 0, err)
        rc, err = self.collect(RAW, "--out", self.path("b.json"))
        self.assertEqual(rc, 0, err)
        a, b = load(self.path("a.json")), load(self.path("b.json"))
        self.assertEqual(a["collection"]["input"], self.path("pit"))
        a["collection"]["input"] = b["collection"]["input"]  # the directory given, nothing else differs
        self.assertEqual(a, b)

    def test_quarter_complete_with_its_situations(self):
        rc, err = self.collect(RAW, "--period", "2026-Q3", "--out", self.path("q.json"),
                               "--jobs-out", self.path("jobs.jsonl"))
        self.assertEqual(rc, 0, err)
        snap = load(self.path("q.json"))
        self.assertTrue(snap["collection"]["complete"])
        with open(self.path("jobs.jsonl"), encoding="utf-8") as f:
            lines = [json.loads(line) for line in f]
        jobs = [j for j in lines if "detail_of" not in j]
        self.assertEqual(snap["collection"]["jobs"]["count"], len(jobs))
        # every job of raw/ is in the stream, read independently (the lists and the CRR list)
        raw_jobs = 0
        for p in glob.glob(os.path.join(RAW, "subscriptions", "*", "vaults", "*", "back*Jobs*.json")):
            if not p.endswith(".meta.json"):
                raw_jobs += len(load(p)["value"])
        self.assertEqual(len(jobs), raw_jobs)

        def of(entity, op=None):
            return sorted((j for j in jobs if j["entity"] == entity and (op is None or j["operation"] == op)),
                          key=lambda j: j["start"])

        # a VM that failed three nights and recovered
        mc = of("epicmychart-prd-02", "Backup")
        failed = [j["start"][:10] for j in mc if j["status"] == "Failed"]
        self.assertEqual(failed, ["2026-08-11", "2026-08-12", "2026-08-13"])
        after = [j for j in mc if j["start"] > "2026-08-14"]
        self.assertEqual(after[0]["status"], "Completed")
        self.assertTrue(all(j["error_codes"] == ["400064"] for j in mc if j["status"] == "Failed"))
        # one still failing at the end: every run after its last recovery point failed
        ic = of("epicic-prd-03", "Backup")
        tail = [j for j in ic if j["start"] > "2026-09-27T00:21:45"]
        self.assertGreaterEqual(len(tail), 10)
        self.assertTrue(all(j["status"] == "Failed" for j in tail))
        self.assertEqual(ic[-1]["start"][:16], "2026-09-29T23:39")  # the item's lastBackupTime
        # the paused SQL log chain: ClarityStage's logs stop at the pause, its sibling's go on
        stage = of("ClarityStage", "Backup (Log)")
        clarity = [j for j in of("Clarity", "Backup (Log)") if "immutable-wus3" in j["vault_id"]]
        self.assertLessEqual(stage[-1]["start"], "2026-09-27T20:04:12")
        self.assertGreater(clarity[-1]["start"], "2026-09-30T01:00")
        # restore tests: ePHI and Internal restored, nothing of the SOX/Financial class
        restores = [j for j in jobs if j["operation"] == "Restore"]
        self.assertEqual(sorted(j["entity"] for j in restores), ["ad-dc-wus3-01", "epicodb-prd-01"])
        self.assertFalse([j for j in restores if "fin-sox" in j["vault_id"] or "mars-sin" in j["vault_id"]])
        # stop protection: retained (epicprt-old01) and with delete data (epicbca-prd-02)
        self.assertEqual([j["status"] for j in of("epicprt-old01", "DisableBackup")], ["Completed"])
        self.assertEqual(of("epicbca-prd-02", "DeleteBackupData")[0]["start"][:19], "2026-09-26T14:03:22")
        # the DPM datasource in ProtectionError fails from its last recovery point on
        kard = of("D:\\Kraków-Archiv\\Kardiologia")
        self.assertEqual(kard[-1]["status"], "Failed")
        self.assertEqual(kard[-1]["kind"], "DpmJob")
        # nothing starts after the capture (2026-09-30T02:00Z) or before the quarter
        self.assertTrue(all("2026-07-01" <= j["start"] < "2026-09-30T02:00" for j in jobs))


if __name__ == "__main__":
    main()
