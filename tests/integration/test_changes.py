"""The period's changes (Activity Log), live against the ARM emulator and replayed, and the
rule change.authorized through the binary: a reduction not in the change register fails,
a registered one passes with its ticket, a refused attempt on a Locked vault passes as
"blocked", the Activity Log's 90 days make the start of a quarter collected at its end
incomplete, and a period without the Activity Log is incomplete."""
import copy
import glob
import json
import os
import shutil
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from vptest import copy_point_in_time, PINNED, SAMPLE, SOURCE, TempDirTest, load, main, run  # noqa: E402

sys.path.insert(0, os.path.join(SOURCE, "tests", "emulator"))
from arm_emulator import Emulator  # noqa: E402
from test_live_collect import live  # noqa: E402

SUB = "74dd82d1-2c42-4ca6-80c5-ffbd52be5231"
STANDARD = "subscriptions/%s/vaults/rsv-epic-standard-eus2" % SUB   # immutability Disabled
LOCKED = "subscriptions/%s/vaults/rsv-epic-immutable-wus3" % SUB    # immutability Locked
WINDOW = ["--from", "2026-07-15T00:00:00Z", "--to", "2026-09-30T00:00:00Z"]  # within the log's 90 days
ANSWERED = "2026-09-30T05:59:00Z"
RS_FILTER = ("eventTimestamp ge '2026-07-15T00:00:00Z' and eventTimestamp le '2026-09-30T00:00:00Z' and "
             "resourceProvider eq 'Microsoft.RecoveryServices'")


def event(n, op, status, when, corr, resource, provider="Microsoft.RecoveryServices", **props):
    """An EventData in the shape of Microsoft's GetActivityLogsFiltered.json."""
    p = {"statusCode": "OK"}
    p.update({k: json.dumps(v) if not isinstance(v, str) else v for k, v in props.items()})
    return {"authorization": {"action": op, "scope": resource}, "caller": "admin%d@contoso.com" % n,
            "correlationId": corr, "eventDataId": "00000000-0000-0000-0000-%012d" % n,
            "eventName": {"value": "EndRequest", "localizedValue": "End request"},
            "id": "%s/events/00000000-0000-0000-0000-%012d/ticks/%d" % (resource, n, 638900000000000000 + n),
            "level": "Informational", "resourceGroupName": resource.split("/")[4], "resourceId": resource,
            "resourceProviderName": {"value": provider, "localizedValue": provider},
            "operationId": corr, "operationName": {"value": op, "localizedValue": op}, "properties": p,
            "status": {"value": status, "localizedValue": status},
            "subStatus": {"value": "", "localizedValue": ""}, "eventTimestamp": when,
            "submissionTimestamp": when, "subscriptionId": SUB}


def shortened(policy, days):
    """A policy write's request: the policy as listed, its daily retention set to days."""
    body = {"properties": copy.deepcopy(policy["properties"])}
    daily = body["properties"].get("retentionPolicy", {}).get("dailySchedule")
    if daily:
        daily["retentionDuration"]["count"] = days
    return body


def estate_with_events(dest):
    # the sample as captured: its own quarter (39k jobs, the README's four changes) would
    # make these events' counts and the emulator's 3-per-page paging the sample's
    copy_point_in_time(os.path.join(SAMPLE, "raw"), dest)
    std_policy = [p for p in load(os.path.join(dest, STANDARD, "backupPolicies.json"))["value"]
                  if p["properties"].get("retentionPolicy", {}).get("dailySchedule")][0]
    lck_policy = [p for p in load(os.path.join(dest, LOCKED, "backupPolicies.json"))["value"]
                  if p["properties"].get("retentionPolicy", {}).get("dailySchedule")][0]
    item = load(os.path.join(dest, STANDARD, "backupProtectedItems.json"))["value"][0]
    locked_vault = [v for v in load(os.path.join(dest, "subscriptions", SUB, "vaults.json"))["value"]
                    if v["name"] == "rsv-epic-immutable-wus3"][0]
    dp_vault = "/subscriptions/%s/resourceGroups/rg-dp/providers/Microsoft.DataProtection/backupVaults/bv1" % SUB
    ev = {
        "unregistered": event(1, "Microsoft.RecoveryServices/vaults/backupPolicies/write", "Succeeded",
                              "2026-08-03T09:00:00Z", "c-unregistered", std_policy["id"],
                              requestbody=shortened(std_policy, 7)),
        "started": event(2, "Microsoft.RecoveryServices/vaults/backupPolicies/write", "Started",
                         "2026-08-03T08:59:58Z", "c-unregistered", std_policy["id"]),
        "registered": event(3, "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/"
                               "delete", "Succeeded", "2026-08-10T10:00:00Z", "c-registered", item["id"]),
        "blocked": event(4, "Microsoft.RecoveryServices/vaults/backupPolicies/write", "Failed",
                         "2026-08-20T11:00:00Z", "c-blocked", lck_policy["id"], requestbody=shortened(lck_policy, 1),
                         statusMessage={"status": "Failed", "error": {"code": "BMSUserErrorExample",
                                                                      "message": "refused by the vault"}}),
        "raise": event(5, "Microsoft.RecoveryServices/vaults/write", "Succeeded", "2026-09-01T12:00:00Z", "c-raise",
                       locked_vault["id"],
                       requestbody={"properties": {"securitySettings": {"immutabilitySettings": {"state": "Locked"}}}}),
        "mua": event(6, "Microsoft.DataProtection/backupVaults/backupResourceGuardProxies/delete", "Succeeded",
                     "2026-09-02T13:00:00Z", "c-mua", dp_vault + "/backupResourceGuardProxies/DppResourceGuardProxy",
                     provider="Microsoft.DataProtection"),
        "before": event(7, "Microsoft.RecoveryServices/vaults/backupPolicies/write", "Succeeded",
                        "2026-07-14T23:59:59Z", "c-before", std_policy["id"]),
    }
    with open(os.path.join(dest, "events.json"), "w") as f:
        json.dump({"value": list(ev.values())}, f)
    return ev


class ChangesOverAPeriod(TempDirTest):
    @classmethod
    def setUpClass(cls):
        import tempfile
        cls._root = tempfile.mkdtemp(prefix="vp-it-changes-")
        cls.events = estate_with_events(os.path.join(cls._root, "raw"))
        cls.emu = Emulator(os.path.join(cls._root, "raw"), page_size=3).start()
        cls.rec = os.path.join(cls._root, "rec")
        cls.live_out = os.path.join(cls._root, "live.json")
        cls.rc, cls.snap, cls.log = live(cls.emu, cls.live_out, "--record", cls.rec, *WINDOW)
        # the rule measures the log's 90 days from when Azure answered (the sidecars'
        # times, today's clock in a live run): a copy answered at a fixed time
        cls.fixed = os.path.join(cls._root, "fixed")
        shutil.copytree(cls.rec, cls.fixed)
        for path in glob.glob(os.path.join(cls.fixed, "**", "*.meta.json"), recursive=True):
            meta = load(path)
            meta["requested_at"] = meta["received_at"] = ANSWERED
            with open(path, "w") as f:
                json.dump(meta, f)
        cls.fixed_out = os.path.join(cls._root, "fixed.json")
        cls.fixed_rc, _, cls.fixed_err = run(["collect", "--replay", cls.fixed, "--now", PINNED, "--quiet", *WINDOW,
                                              "--out", cls.fixed_out])

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()
        shutil.rmtree(cls._root, ignore_errors=True)

    def evaluate(self, snapshot, register):
        cfg = load(os.path.join(SAMPLE, "vaultproof.json"))
        cfg["change_register"] = register
        with open(self.path("cfg.json"), "w") as f:
            json.dump(cfg, f)
        rc, _, err = run(["evaluate", "--snapshot", snapshot, "--config", self.path("cfg.json"), "--now", PINNED,
                          "--quiet", "--out", self.path("findings.json")])
        self.assertEqual(rc, 0, err)
        return [x for x in load(self.path("findings.json"))["findings"] if x["rule"] == "change.authorized"]

    def test_live_pages_filters_and_replays_identically(self):
        self.assertEqual(self.rc, 0, self.log)
        # the recorded names (Contract 1) and the filter, per provider, pages followed
        bodies = sorted(os.path.relpath(p, self.rec) for p in glob.glob(os.path.join(self.rec, "subscriptions", SUB,
                                                                                      "activityLog*.json"))
                        if not p.endswith(".meta.json"))
        self.assertEqual(bodies, ["subscriptions/%s/activityLog-dataprotection.json" % SUB,
                                  "subscriptions/%s/activityLog.json" % SUB,
                                  "subscriptions/%s/activityLog.page-0002.json" % SUB])
        meta = load(os.path.join(self.rec, "subscriptions", SUB, "activityLog.meta.json"))
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(meta["url"]).query)
        self.assertEqual(query["api-version"], ["2015-04-01"])
        self.assertEqual(query["$filter"], [RS_FILTER])
        changes = self.snap["changes"]
        # kept: terminal events of backup resources in the window (not "started", not "before")
        self.assertEqual(sorted(c["correlation_id"] for c in changes),
                         ["c-blocked", "c-mua", "c-raise", "c-registered", "c-unregistered"])
        by = {c["correlation_id"]: c for c in changes}
        self.assertEqual(by["c-unregistered"]["begun"], 1)
        self.assertEqual(by["c-unregistered"]["request"]["retention_days"], 7)
        self.assertEqual(by["c-blocked"]["error_code"], "BMSUserErrorExample")
        self.assertEqual(by["c-raise"]["request"]["immutability"], "Locked")
        self.assertTrue(by["c-mua"]["source"]["file"].endswith("activityLog-dataprotection.json"))
        rc, _, err = run(["collect", "--replay", self.rec, "--now", PINNED, "--quiet", *WINDOW,
                          "--out", self.path("replay.json")])
        self.assertEqual(rc, 0, err)
        with open(self.live_out, "rb") as a, open(self.path("replay.json"), "rb") as b:
            self.assertEqual(a.read(), b.read())

    def test_rule_fail_pass_blocked(self):
        item = self.events["registered"]["resourceId"]
        mua = self.events["mua"]
        register = [{"ticket": "CHG-1", "approver": "cab@contoso.com", "date": "2026-08-09",
                     "match": {"correlation_id": "c-registered"}},
                    {"ticket": "CHG-2", "approver": "cab@contoso.com", "date": "2026-09-01",
                     "match": {"resource_id": mua["resourceId"], "operation": mua["operationName"]["value"],
                               "date": "2026-09-02"}}]
        self.assertEqual(self.fixed_rc, 0, self.fixed_err)
        found = self.evaluate(self.fixed_out, register)
        by = {x["resource"]["id"]: x for x in found}
        ids = {k: v["id"] for k, v in self.events.items()}
        self.assertEqual(by[ids["unregistered"]]["status"], "fail")
        self.assertIn("retention-reduced", by[ids["unregistered"]]["observed"])
        self.assertEqual(by[ids["registered"]]["status"], "pass")
        self.assertIn("CHG-1", by[ids["registered"]]["note"])
        self.assertEqual(by[ids["mua"]]["status"], "pass")
        self.assertIn("CHG-2", by[ids["mua"]]["note"])
        self.assertEqual(by[ids["blocked"]]["status"], "pass")
        self.assertIn("blocked", by[ids["blocked"]]["note"])
        self.assertNotIn(ids["raise"], by)  # raising immutability reduces nothing
        self.assertEqual(by["activity-log"]["status"], "fail")
        self.assertNotIn("activity-log-aged-out", by)
        self.assertTrue(item)
        # without the register the two registered changes fail too
        found = self.evaluate(self.fixed_out, [])
        self.assertEqual(sorted(x["status"] for x in found if x["resource"]["type"] == "change"),
                         ["fail", "fail", "fail", "pass"])

    def test_changes_sheet(self):
        import openpyxl  # /usr/bin/python3, as the tests run
        self.assertEqual(self.fixed_rc, 0, self.fixed_err)
        self.evaluate(self.fixed_out, [{"ticket": "CHG-1", "approver": "cab@contoso.com", "date": "2026-08-09",
                                         "match": {"correlation_id": "c-registered"}}])
        rc, _, err = run(["render", "--snapshot", self.fixed_out, "--findings", self.path("findings.json"),
                          "--now", PINNED, "--xlsx", self.path("w.xlsx")])
        self.assertEqual(rc, 0, err)
        ws = openpyxl.load_workbook(self.path("w.xlsx"))["Changes"]
        rows = list(ws.iter_rows(values_only=True))
        head = list(rows[0])
        by = {r[head.index("Correlation id")]: dict(zip(head, r)) for r in rows[1:]}
        self.assertEqual(sorted(by), ["c-blocked", "c-mua", "c-raise", "c-registered", "c-unregistered"])
        self.assertEqual((by["c-unregistered"]["Kind"], by["c-unregistered"]["Reduces protection"],
                          by["c-unregistered"]["Finding"]), ("retention-reduced", "yes", "fail"))
        self.assertEqual((by["c-blocked"]["Blocked"], by["c-blocked"]["Reduces protection"]), ("yes", "no"))
        self.assertIn("CHG-1", by["c-registered"]["Register / why"])
        self.assertEqual(by["c-raise"]["Kind"], "no reduction")
        # the PDF: change log (the reductions) and blocked attempts, from the same findings
        rc, _, err = run(["render", "--snapshot", self.fixed_out, "--findings", self.path("findings.json"),
                          "--now", PINNED, "--pdf", self.path("r.pdf")])
        self.assertEqual(rc, 0, err)
        import subprocess
        text = subprocess.run(["pdftotext", "-layout", self.path("r.pdf"), "-"], capture_output=True,
                              text=True, check=True).stdout
        log = text[text.index("Change log"):text.index("Blocked attempts")]
        self.assertIn("retention-reduced", log)
        self.assertIn("stop-protection-delete-", log)  # wrapped in its column
        self.assertIn("CHG-1", log)
        self.assertLess(log.index("retention-reduced"), log.index("stop-protection-delete-"))  # 08-03 before 08-10
        blocked = text[text.index("Blocked attempts"):]
        self.assertIn("BMSUserErrorExample", blocked)
        # without a period: no Changes sheet
        rc, _, err = run(["collect", "--replay", self.fixed, "--now", PINNED, "--quiet", "--out", self.path("n.json")])
        self.assertEqual(rc, 0, err)
        self.evaluate(self.path("n.json"), [])
        rc, _, err = run(["render", "--snapshot", self.path("n.json"), "--findings", self.path("findings.json"),
                          "--now", PINNED, "--xlsx", self.path("n.xlsx")])
        self.assertEqual(rc, 0, err)
        self.assertNotIn("Changes", openpyxl.load_workbook(self.path("n.xlsx")).sheetnames)

    def test_quarter_collected_at_its_end_has_aged_out_days(self):
        # answered at 2026-09-30T05:59Z over 2026-Q3: 2026-07-01 .. 07-02T05:59 is older than 90 days
        rc, _, err = run(["collect", "--replay", self.fixed, "--now", PINNED, "--quiet", "--period", "2026-Q3",
                          "--out", self.path("q3.json")])
        # recorded over the window, replayed over the quarter: the log answers another question
        self.assertEqual(rc, 4, err)
        lists = [l for l in load(self.path("q3.json"))["collection"]["lists"] if l["operation"] == "activityLog"]
        self.assertEqual(lists[0]["status"], "incomplete")
        self.assertIn("recorded over another window", lists[0]["detail"])
        by = {x["resource"]["id"]: x for x in self.evaluate(self.path("q3.json"), [])}
        aged = by["activity-log-aged-out"]
        self.assertEqual(aged["status"], "incomplete")
        self.assertIn("2026-07-01T00:00:00Z up to 2026-07-02T05:59:00Z", aged["observed"])

    def test_ninety_day_edge(self):
        # answered at 2026-09-30T05:59:00Z: a period from exactly 90 days before is covered,
        # one second earlier is not
        for start, aged in (("2026-07-02T05:59:00Z", False), ("2026-07-02T05:58:59Z", True)):
            rc, _, err = run(["collect", "--replay", self.fixed, "--now", PINNED, "--quiet", "--from", start,
                              "--to", "2026-09-30T00:00:00Z", "--out", self.path("e.json")])
            self.assertIn(rc, (0, 4), err)
            ids = {x["resource"]["id"] for x in self.evaluate(self.path("e.json"), [])}
            self.assertEqual("activity-log-aged-out" in ids, aged, start)

    def test_period_without_activity_log_is_incomplete_and_no_period_has_no_changes(self):
        copy_point_in_time(os.path.join(SAMPLE, "raw"), self.path("pit"))
        rc, _, err = run(["collect", "--replay", self.path("pit"), "--now", PINNED, "--quiet", *WINDOW,
                          "--out", self.path("p.json")])
        self.assertEqual(rc, 4, err)  # the Activity Log (and the jobs) were not recorded: fail closed
        by = {x["resource"]["id"]: x for x in self.evaluate(self.path("p.json"), [])}
        self.assertEqual(by["activity-log"]["status"], "incomplete")
        rc, _, err = run(["collect", "--replay", self.rec, "--now", PINNED, "--quiet", "--out", self.path("n.json")])
        self.assertEqual(rc, 0, err)
        self.assertNotIn("changes", load(self.path("n.json")))
        self.assertEqual(self.evaluate(self.path("n.json"), []), [])


class GeneratedEvents(TempDirTest):
    def test_scale_events_are_collected_complete(self):
        gen = os.path.join(SOURCE, "tests", "tools", "gen_estate.py")
        import subprocess
        subprocess.run([sys.executable, gen, "scale", "--out", self.path("raw"), "--items", "12", "--vaults", "2",
                        "--jobs-period", "2026-Q3", "--events", "450", "--jobs-page-size", "100"], check=True,
                       capture_output=True)
        self.assertTrue(os.path.exists(self.path("raw", "subscriptions", load(self.path("raw", "subscriptions.json"))
                                                  ["value"][0]["subscriptionId"], "activityLog.page-0002.json")))
        rc, _, err = run(["collect", "--replay", self.path("raw"), "--now", PINNED, "--quiet", "--period", "2026-Q3",
                          "--out", self.path("s.json")])
        self.assertEqual(rc, 0, err)
        snap = load(self.path("s.json"))
        self.assertTrue(snap["collection"]["complete"])
        self.assertEqual(len(snap["changes"]), 450)


if __name__ == "__main__":
    main()
