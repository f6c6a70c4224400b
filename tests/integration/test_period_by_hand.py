"""The sample's 2026-Q3 evidence re-performed by hand (issue 15, "How it is judged"): this
file reads the recorded responses under samples/contoso-health/raw with nothing but
Python's json module - Microsoft's BackupJobs_List pages and the Activity Log - and
derives, independently of the C code, each protected item's largest gap between
successful backups, its failed backups, and the period's change list; then compares them
with what `vaultproof collect --period 2026-Q3 --jobs-out` + `evaluate --jobs` wrote.

The method (the one docs/period-evidence.md and docs/controls.md state):
- a job belongs to the period when its startTime is in [2026-07-01, 2026-10-01);
- it belongs to the protected item of its vault whose friendlyName equals its
  entityFriendlyName ignoring case, when exactly one item has that name;
- a backup is a job whose operation starts with "Backup"; it succeeded when its status is
  Completed or CompletedWithWarnings, at its endTime; it failed when Failed or Cancelled;
- gaps run from the period's start (or the item's first successful ConfigureBackup when
  it came before any successful backup), between successes, to the collection's end
  (the last response's receipt, when before the period's end);
- a change is a terminal (Succeeded / Failed / Canceled) Activity Log event of a write,
  delete or action on a backup resource, stamped in the period."""
import calendar
import glob
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from vptest import SAMPLE, TempDirTest, load, main, run  # noqa: E402

FROM = calendar.timegm((2026, 7, 1, 0, 0, 0))
TO = calendar.timegm((2026, 10, 1, 0, 0, 0))
CHANGE_TYPES = ("vaults", "vaults/backupconfig", "vaults/backupstorageconfig", "vaults/backupPolicies",
                "vaults/backupFabrics/protectionContainers/protectedItems", "vaults/backupResourceGuardProxies")


def epoch(text):
    """RFC 3339 with any fraction and Z or an offset, as Azure writes it."""
    m = re.match(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$", text)
    t = calendar.timegm(tuple(int(g) for g in m.groups()[:6]))
    if m.group(8) != "Z":
        sign = 1 if m.group(8)[0] == "+" else -1
        t -= sign * (int(m.group(8)[1:3]) * 3600 + int(m.group(8)[4:6]) * 60)
    return t


def pages(vdir, stem):
    return [p for p in sorted(glob.glob(os.path.join(vdir, stem + "*.json"))) if not p.endswith(".meta.json")]


def by_hand(raw):
    """({(vault id lower, item name): {gap, gap_from, gap_to, backups, successes, failed}}, changes, end)."""
    received = [epoch(load(m)["received_at"]) for m in glob.glob(os.path.join(raw, "**", "*.meta.json"),
                                                                 recursive=True)]
    end = min(max(received), TO)
    items = {}
    for vdir in sorted(glob.glob(os.path.join(raw, "subscriptions", "*", "vaults", "*"))):
        vault_id = load(os.path.join(vdir, "backupProtectedItems.meta.json"))["call"]["scope"].lower()
        names = {}
        for p in pages(vdir, "backupProtectedItems"):
            for it in load(p)["value"]:
                names.setdefault(it["properties"]["friendlyName"].lower(), []).append(it["properties"]["friendlyName"])
        acc = {}
        for p in pages(vdir, "backupJobs") + pages(vdir, "backupCrrJobs"):
            for j in load(p)["value"]:
                pr = j["properties"]
                start = epoch(pr["startTime"])
                key = pr.get("entityFriendlyName", "").lower()
                if not FROM <= start < TO or len(names.get(key, ())) != 1:
                    continue
                a = acc.setdefault(names[key][0], {"ok": [], "failed": [], "configured": None})
                op, st = pr.get("operation", ""), pr.get("status")
                if op == "ConfigureBackup" and st in ("Completed", "CompletedWithWarnings"):
                    a["configured"] = start if a["configured"] is None else min(a["configured"], start)
                if not op.startswith("Backup"):
                    continue
                if st in ("Completed", "CompletedWithWarnings"):
                    a["ok"].append(epoch(pr["endTime"]) if pr.get("endTime") else start)
                elif st in ("Failed", "Cancelled"):
                    a["failed"].append(start)
        for name, a in acc.items():
            ok = sorted(a["ok"])
            prev = FROM
            if a["configured"] is not None and a["configured"] > FROM and (not ok or a["configured"] <= ok[0]):
                prev = min(a["configured"], end)
            gap = (-1, None, None)
            for t in ok + [end]:
                t = min(t, end)
                if t - prev > gap[0]:
                    gap = (t - prev, prev, t)
                prev = max(prev, t)
            items[(vault_id, name)] = {"gap": gap, "backups": len(ok) + len(a["failed"]), "successes": len(ok),
                                       "failed": sorted(a["failed"])}
    changes = []
    for p in glob.glob(os.path.join(raw, "subscriptions", "*", "activityLog*.json")):
        if p.endswith(".meta.json"):
            continue
        for e in load(p)["value"]:
            op = e["operationName"]["value"]
            kind = op.split("/", 1)[1].rsplit("/", 1)[0] if "/" in op else ""
            verb = op.rsplit("/", 1)[1]
            if verb == "action":
                kind = kind.rsplit("/", 1)[0]
            if (e["status"]["value"] in ("Succeeded", "Failed", "Canceled") and kind in CHANGE_TYPES and
                    verb in ("write", "delete", "action") and FROM <= epoch(e["eventTimestamp"]) < TO):
                changes.append((e["eventTimestamp"], op, e["status"]["value"], e["correlationId"].lower()))
    return items, sorted(changes), end


def hours(seconds):
    """Hours with one decimal, truncated (as backup.rpo and backup.ran print them)."""
    return "%d.%d h" % (seconds // 3600, (seconds % 3600) * 10 // 3600)


class ByHand(TempDirTest):
    @classmethod
    def setUpClass(cls):
        import tempfile
        cls.dir = tempfile.mkdtemp(prefix="vp-byhand-")
        raw, cfg = os.path.join(SAMPLE, "raw"), os.path.join(SAMPLE, "vaultproof.json")
        snap, jobs, findings = (os.path.join(cls.dir, n) for n in ("snapshot.json", "jobs.jsonl", "findings.json"))
        rc, out, err = run(["collect", "--replay", raw, "--config", cfg, "--period", "2026-Q3", "--out", snap,
                            "--jobs-out", jobs, "--quiet"])
        assert rc == 0, err
        rc, out, err = run(["evaluate", "--snapshot", snap, "--jobs", jobs, "--config", cfg, "--out", findings])
        assert rc in (0, 1), err
        cls.snap, cls.f = load(snap), load(findings)
        cls.items, cls.changes, cls.end = by_hand(raw)

    @classmethod
    def tearDownClass(cls):
        import shutil
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_largest_gap_per_item(self):
        """Every backup.ran finding with a gap states the gap, its ends and the success count
        the hand computation gives; every item the hand computation matched has one."""
        compared = 0
        names = {(i["vault_id"].lower(), i["friendly_name"]): i["id"] for i in self.snap["protected_items"]}
        found = {x["resource"]["id"]: x for x in self.f["findings"] if x["rule"] == "backup.ran"}
        for (vault, name), h in sorted(self.items.items()):
            item_id = names.get((vault, name))
            if item_id is None or item_id not in found or h["backups"] == 0:
                continue  # not an active item (protection.state reports it)
            obs = found[item_id]["observed"]
            gap, g_from, g_to = h["gap"]
            fmt = lambda t: __import__("time").strftime("%Y-%m-%dT%H:%M:%SZ", __import__("time").gmtime(t))
            self.assertIn("largest gap %s (%s to %s)" % (hours(gap), fmt(g_from), fmt(g_to)), obs, name)
            self.assertIn("%d of %d backups succeeded" % (h["successes"], h["backups"]), obs, name)
            compared += 1
        self.assertGreater(compared, 200)

    def test_failures(self):
        """The items with failed backups by hand are those whose findings list failures, with
        the same count; the README's situations are among them (P1 recovered, P2 still
        failing, P4 the DPM archive)."""
        by_name = {}
        for x in self.f["findings"]:
            if x["rule"] == "backup.ran" and "failed: " in (x["observed"] or ""):
                by_name[x["resource"]["name"]] = x["observed"]
        hand = {name: h for (v, name), h in self.items.items() if h["failed"]}
        self.assertEqual(sorted(hand), sorted(by_name))
        for name, h in hand.items():
            succeeded = h["successes"]
            self.assertIn("%d of %d backups succeeded" % (succeeded, h["backups"]), by_name[name])
        for name in ("epicmychart-prd-02", "epicic-prd-03"):
            self.assertIn(name, hand)

    def test_change_list(self):
        """The snapshot's changes are exactly the terminal backup-resource events of the
        period the hand reading finds (time, operation, status, correlation id)."""
        mine = sorted((c["time"], c["operation"], c["status"], c["correlation_id"].lower())
                      for c in self.snap["changes"])
        self.assertEqual(self.changes, mine)
        self.assertEqual(len(mine), 4)
        summary = [x for x in self.f["findings"] if x["rule"] == "change.authorized" and
                   x["resource"]["name"] == "Activity Log" and x["observed"].startswith("%d change" % len(mine))]
        self.assertEqual(len(summary), 1, "the period summary counts the same changes")

    def test_period_rules_show_the_readme_situations(self):
        """samples/contoso-health/README.md's quarter: each period rule passes somewhere and
        not elsewhere - P1 resolved and P2 unresolved failures, the ePHI restore tests
        passing, the unregistered stop-protection-with-delete failing, the registered
        retention change and the blocked decrease passing."""
        st = lambda rule: {x["status"] for x in self.f["findings"] if x["rule"] == rule}
        self.assertTrue({"pass", "fail"} <= st("backup.ran"))
        self.assertIn("pass", st("restore.tested"))
        self.assertTrue({"pass", "fail"} <= st("change.authorized"))
        obs = {x["resource"]["name"]: x["observed"] for x in self.f["findings"] if x["rule"] == "backup.ran"}
        self.assertIn("resolved after", obs["epicmychart-prd-02"])
        self.assertIn("unresolved", obs["epicic-prd-03"])
        kinds = {(x["resource"]["name"], x["status"]) for x in self.f["findings"] if x["rule"] == "change.authorized"}
        self.assertIn(("stop-protection-delete-data", "fail"), kinds)
        notes = " ".join(x["note"] or "" for x in self.f["findings"] if x["rule"] == "change.authorized")
        self.assertIn("CHG-2026-0717", notes)


if __name__ == "__main__":
    main()
