"""The evidence period through the binary (issue 15): the sample estate's recording plus,
per vault, a quarter of backup jobs naming its protected items (ListJobs.json's shape),
collected over 2026-Q3 with --jobs-out, evaluated with --jobs (backup.ran, restore.tested,
'operated N of M days'), rendered with --jobs (the workbook's Jobs sheet holds every job
line; the CSV is RFC 4180 and reads back with Python's csv module)."""
import csv
import glob
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile

sys.path.insert(0, os.path.dirname(__file__))
from vptest import copy_point_in_time, PINNED, SAMPLE, SANITIZED, SOURCE, TempDirTest, load, main, run  # noqa: E402

sys.path.insert(0, os.path.join(SOURCE, "tests", "tools"))
import oscal_check  # noqa: E402

DAY0 = 1782864000  # 2026-07-01T00:00:00Z
FLAKY_DAYS = (40, 41, 42)  # 10-12 August failed, 13 August recovered


def iso(t):
    import time
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def job(vault_id, n, entity, op, status, start, end, duration="PT30M", codes=()):
    props = {"jobType": "AzureIaaSVMJob", "backupManagementType": "AzureIaasVM", "entityFriendlyName": entity,
             "operation": op, "status": status, "startTime": start, "endTime": end, "duration": duration,
             "activityId": "00000000-0000-0000-0000-%012d" % n}
    if codes:
        props["errorDetails"] = [{"errorCode": c, "errorString": "failed", "recommendations": []} for c in codes]
    return {"id": "%s/backupJobs/%08d-0000-0000-0000-000000000000" % (vault_id, n),
            "name": "%08d-0000-0000-0000-000000000000" % n,
            "type": "Microsoft.RecoveryServices/vaults/backupJobs", "properties": props}


def add_jobs(raw):
    """Nightly backups for every protected item of every vault; the first item of the first
    vault fails three nights; one restore of it; and a job no item answers to, whose name
    needs quoting in CSV. Returns (jobs written, the flaky item's name)."""
    total, flaky = 0, None
    for k, items_path in enumerate(sorted(glob.glob(os.path.join(raw, "subscriptions", "*", "vaults", "*",
                                                                  "backupProtectedItems.json")))):
        vdir = os.path.dirname(items_path)
        meta = load(items_path.replace(".json", ".meta.json"))
        vault_id = meta["call"]["scope"]
        names = [i["properties"]["friendlyName"]
                 for page in sorted(glob.glob(os.path.join(vdir, "backupProtectedItems*.json")))
                 if not page.endswith(".meta.json") for i in load(page)["value"]]
        jobs, n = [], k * 100000
        for name in names:
            for d in range(92):
                start = DAY0 + d * 86400 + 3600
                failed = flaky is None and k == 0 and name == names[0] and d in FLAKY_DAYS
                jobs.append(job(vault_id, n, name, "Backup", "Failed" if failed else "Completed", iso(start),
                                iso(start + 1800), codes=("UserErrorVmNotFound",) if failed else ()))
                n += 1
        if k == 0:
            flaky = names[0]
            jobs.append(job(vault_id, n, names[0], "Restore", "Completed", iso(DAY0 + 50 * 86400),
                            iso(DAY0 + 50 * 86400 + 3600), duration="00:59:59.5"))
            jobs.append(job(vault_id, n + 1, 'web,"01"\nZürich', "Backup", "Completed", iso(DAY0 + 86400),
                            iso(DAY0 + 86400 + 60)))
        with open(os.path.join(vdir, "backupJobs.json"), "w") as f:
            json.dump({"value": jobs}, f)
        meta["url"] = meta["url"].replace("/backupProtectedItems?", "/backupJobs?")
        meta["call"]["operation"] = "backupJobs"
        meta["call"].update(next_link=None, complete=True)  # one page (the items list copied may have two)
        with open(os.path.join(vdir, "backupJobs.meta.json"), "w") as f:
            json.dump(meta, f)
        total += len(jobs)
    return total, flaky


class PeriodEvaluation(TempDirTest):
    @classmethod
    def setUpClass(cls):
        import tempfile
        cls._root = tempfile.mkdtemp(prefix="vp-it-period-")
        raw = os.path.join(cls._root, "raw")
        copy_point_in_time(os.path.join(SAMPLE, "raw"), raw)  # this test's own quarter of jobs
        cls.total, cls.flaky = add_jobs(raw)
        cls.snap = os.path.join(cls._root, "snapshot.json")
        cls.jobs = os.path.join(cls._root, "jobs.jsonl")
        cls.rc, _, cls.err = run(["collect", "--replay", raw, "--now", PINNED, "--quiet", "--period", "2026-Q3",
                                  "--out", cls.snap, "--jobs-out", cls.jobs])
        cfg = load(os.path.join(SAMPLE, "vaultproof.json"))
        cfg["restore_tests"] = {"ephi": {}}
        cls.config = os.path.join(cls._root, "vaultproof.json")
        with open(cls.config, "w") as f:
            json.dump(cfg, f)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls._root, ignore_errors=True)

    def evaluate(self, *extra):
        out = self.path("findings.json")
        rc, _, err = run(["evaluate", "--snapshot", self.snap, "--config", self.config, "--now", PINNED, "--quiet",
                          "--out", out] + list(extra))
        return rc, (load(out) if os.path.exists(out) else None), err

    def test_collect_keeps_every_job(self):
        self.assertIn(self.rc, (0, 4), self.err)
        with open(self.jobs, "rb") as f:
            lines = f.read().splitlines()
        self.assertEqual(len(lines), self.total)

    def test_backup_ran_and_operated_days(self):
        rc, f, err = self.evaluate("--jobs", self.jobs)
        self.assertEqual(rc, 0, err)
        ran = [x for x in f["findings"] if x["rule"] == "backup.ran"]
        self.assertTrue(ran)
        flaky = [x for x in ran if x["resource"]["name"] == self.flaky]
        self.assertEqual(len(flaky), 1)
        self.assertEqual(flaky[0]["status"], "fail", flaky[0])
        self.assertIn("largest gap 96.0 h", flaky[0]["observed"])
        self.assertIn("resolved after 72.5 h", flaky[0]["observed"])
        rule = [r for r in f["rules"] if r["id"] == "backup.ran"][0]
        self.assertEqual(rule["operated_effectively"]["unit"], "days")
        self.assertEqual(rule["operated_effectively"]["of"], 92)
        # the three failed nights (and the day the gap began) did not operate
        self.assertLessEqual(rule["operated_effectively"]["days"], 92 - 3)
        other = [r for r in f["rules"] if r["id"] == "backup.rpo"][0]
        self.assertEqual(other["operated_effectively"]["unit"], "snapshots")

    def test_restore_tested(self):
        rc, f, err = self.evaluate("--jobs", self.jobs)
        self.assertEqual(rc, 0, err)
        tested = {x["resource"]["name"]: x["status"] for x in f["findings"] if x["rule"] == "restore.tested"}
        self.assertTrue(tested, f["findings"][-1])
        # classes other than ephi have no restore test configured: failed, never silently passed
        self.assertTrue(any(s == "fail" and ":" not in n for n, s in tested.items()), tested)

    def test_oscal_time_frame_is_the_period(self):
        oscal = self.path("ar.json")
        rc, f, err = self.evaluate("--jobs", self.jobs, "--oscal", oscal)
        self.assertEqual(rc, 0, err)
        doc = load(oscal)
        self.assertEqual(oscal_check.problems(doc), [])
        result = doc["assessment-results"]["results"][0]
        self.assertEqual((result["start"], result["end"]), ("2026-07-01T00:00:00Z", "2026-10-01T00:00:00Z"))
        observed = [o for o in result["observations"]
                    if any(p.get("name") == "rule" and p.get("value") == "backup.ran" for p in o.get("props", []))]
        self.assertEqual(len(observed), 1)  # one observation per rule, each item tested one of its subjects
        self.assertEqual(len(observed[0]["subjects"]), len([x for x in f["findings"] if x["rule"] == "backup.ran"]))
        a = [x for x in result["findings"]
             if any(p["name"] == "citation" and p["value"] == "164.308(a)(7)(ii)(A)" for p in x["props"])][0]
        operated = [p["value"] for p in a["props"] if p["name"] == "operated-effectively"][0]
        self.assertTrue(operated.endswith(" of 92 days"), operated)

    def test_report_period_section(self):
        rc, f, err = self.evaluate("--jobs", self.jobs)
        self.assertEqual(rc, 0, err)
        pdf = self.path("r.pdf")
        rc, _, err = run(["render", "--snapshot", self.snap, "--findings", self.path("findings.json"), "--now",
                          PINNED, "--quiet", "--pdf", pdf, "--jobs", self.jobs])
        self.assertEqual(rc, 0, err)
        if not shutil.which("pdftotext"):
            self.skipTest("pdftotext is not installed")
        text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True).stdout
        self.assertIn("Backups over the period", text)
        self.assertIn("2026-07-01T00:00:00Z to 2026-10-01T00:00:00Z", text.replace("\n", " "))
        self.assertIn("resolved after 72.5 h", text)
        self.assertIn("96.0 h", text)  # the flaky item's largest gap, at its strip
        self.assertRegex(text, r"operated \d+ of 92", "no 'operated N of 92 (days)' in the report")

    def test_without_jobs_incomplete_and_wrong_stream_refused(self):
        rc, f, err = self.evaluate()
        self.assertEqual(rc, 0, err)
        ran = [x for x in f["findings"] if x["rule"] == "backup.ran"]
        self.assertTrue(all(x["status"] == "incomplete" for x in ran))
        self.assertIn("evaluate --jobs FILE", ran[0]["note"])
        other = self.path("other.jsonl")
        with open(self.jobs, "rb") as a, open(other, "wb") as b:
            b.write(a.read()[:-1] + b" \n")
        rc, _, err = self.evaluate("--jobs", other)
        self.assertEqual(rc, 3, err)
        with open(other, "rb") as f2:
            self.assertIn(hashlib.sha256(f2.read()).hexdigest(), err)
        self.assertIn(load(self.snap)["collection"]["jobs"]["sha256"], err)
        # render checks the stream the same way, and --jobs-csv needs --jobs
        rc, _, err = self.evaluate("--jobs", self.jobs)
        self.assertEqual(rc, 0, err)
        base = ["render", "--snapshot", self.snap, "--findings", self.path("findings.json"), "--now", PINNED,
                "--quiet", "--xlsx", self.path("w.xlsx")]
        rc, _, err = run(base + ["--jobs", other])
        self.assertEqual(rc, 3, err)
        rc, _, err = run(base + ["--jobs-csv", self.path("j.csv")])
        self.assertEqual(rc, 2, err)
        self.assertIn("--jobs-csv needs --jobs", err)
        self.assertFalse(os.path.exists(self.path("w.xlsx")))

    def test_render_jobs_sheet_and_csv(self):
        rc, f, err = self.evaluate("--jobs", self.jobs)
        self.assertEqual(rc, 0, err)
        xlsx, csv_path = self.path("w.xlsx"), self.path("jobs.csv")
        rc, _, err = run(["render", "--snapshot", self.snap, "--findings", self.path("findings.json"), "--now",
                          PINNED, "--quiet", "--xlsx", xlsx, "--jobs", self.jobs, "--jobs-csv", csv_path])
        self.assertEqual(rc, 0, err)
        with open(self.jobs, "rb") as fj:
            lines = [json.loads(l) for l in fj.read().splitlines()]
        jobs = [l for l in lines if "detail_of" not in l]
        # CSV: RFC 4180 read back by Python's csv module, one row per job line
        with open(csv_path, "rb") as fc:
            data = fc.read()
        self.assertTrue(data.startswith(b"vault,item,kind,management_type,operation,status,start,end,duration,"
                                        b"error_codes,error_message,crr,job_id,source_file,source_pointer\r\n"))
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
        self.assertEqual(len(rows) - 1, len(jobs))
        self.assertEqual([r[12] for r in rows[1:]], [j["id"] for j in jobs])
        self.assertEqual([r[1] for r in rows[1:]], [j["entity"] for j in jobs])  # quotes, commas, newlines, UTF-8
        self.assertIn('web,"01"\nZürich', [r[1] for r in rows])
        failed = [r for r in rows[1:] if r[5] == "Failed"]
        self.assertEqual(len(failed), 3)
        self.assertEqual({r[9] for r in failed}, {"UserErrorVmNotFound"})
        if SANITIZED:
            return  # what follows is openpyxl reading the workbook, as the first pass did: no C code of ours
        # the workbook: the Jobs sheet holds every job line, typed
        script = ("import openpyxl,sys\n"
                  "wb=openpyxl.load_workbook(sys.argv[1],read_only=True)\n"
                  "ws=wb['Jobs']\n"
                  "rows=list(ws.iter_rows(values_only=True))\n"
                  "print(len(rows)-1)\n"
                  "print(type(rows[1][6]).__name__, type(rows[1][8]).__name__)\n"
                  "print(len(list(wb['Failures'].iter_rows(values_only=True)))-1)\n"
                  "print(len(list(wb['Restore Tests'].iter_rows(values_only=True)))-1)\n")
        out = subprocess.run(["/usr/bin/python3", "-c", script, xlsx], capture_output=True, text=True)
        if out.returncode and "No module named 'openpyxl'" in out.stderr:
            self.skipTest("openpyxl is not installed for /usr/bin/python3")
        self.assertEqual(out.returncode, 0, out.stderr)
        n, types, failures, restores = out.stdout.splitlines()
        self.assertEqual(int(n), len(jobs))
        self.assertIn(types, ("datetime float", "datetime int"))  # 1800 s reads back as an int
        self.assertEqual(int(failures), 3)
        self.assertEqual(int(restores), 1)


    def test_pack_renders_the_period_it_evaluated(self):
        # pack evaluates the staged jobs stream once and renders the report and the workbook
        # from that same timeline: both must show this quarter's jobs, as render --jobs does
        keys, archive = self.path("K"), self.path("archive")
        rc, _, err = run(["keygen", "--out", keys, "--now", PINNED])
        self.assertEqual(rc, 0, err)
        raw = os.path.join(self._root, "raw")
        rc, out, err = run(["pack", "--config", self.config, "--replay", raw, "--out", archive, "--quiet",
                            "--key", os.path.join(keys, "signer.key"), "--cert", os.path.join(keys, "signer.pem"),
                            "--period", "2026-Q3", "--now", PINNED])
        self.assertEqual(rc, 0, err)
        bundle = out.splitlines()[0]
        with tarfile.open(bundle, "r:gz") as tar:
            names = {m.name.split("/", 1)[1]: m for m in tar.getmembers() if "/" in m.name}
            for rel in ("report/report.pdf", "report/workbook.xlsx"):
                with open(self.path(os.path.basename(rel)), "wb") as f:
                    f.write(tar.extractfile(names[rel]).read())
            jobs = [json.loads(l) for l in tar.extractfile(names["data/jobs.jsonl"]).read().splitlines()]
        jobs = [j for j in jobs if "detail_of" not in j]
        self.assertEqual(len(jobs), self.total)
        if shutil.which("pdftotext"):
            text = subprocess.run(["pdftotext", "-layout", self.path("report.pdf"), "-"], capture_output=True,
                                  text=True).stdout
            self.assertIn("Backups over the period", text)
            self.assertIn("resolved after 72.5 h", text)
            self.assertIn("96.0 h", text)
        if SANITIZED:
            return  # what follows is openpyxl reading the workbook, as the first pass did: no C code of ours
        script = ("import openpyxl,sys\n"
                  "wb=openpyxl.load_workbook(sys.argv[1],read_only=True)\n"
                  "print(len(list(wb['Jobs'].iter_rows(values_only=True)))-1)\n"
                  "print(len(list(wb['Failures'].iter_rows(values_only=True)))-1)\n")
        res = subprocess.run(["/usr/bin/python3", "-c", script, self.path("workbook.xlsx")], capture_output=True,
                             text=True)
        if res.returncode and "No module named 'openpyxl'" in res.stderr:
            self.skipTest("openpyxl is not installed for /usr/bin/python3")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(res.stdout.split(), [str(self.total), "3"])


if __name__ == "__main__":
    main()
