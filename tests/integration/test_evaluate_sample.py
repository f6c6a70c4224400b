"""evaluate on the Contoso Health sample: every rule of the catalog finds both passing
and non-passing cases (drift rules against a baseline derived from the sample, the
completeness rule on an offline export of it), findings are deterministic, and the
CLI contract (--fail-on, errors, no partial output) holds."""
import copy
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from vptest import copy_point_in_time, PINNED, SAMPLE, TempDirTest, load, main, run  # noqa: E402

RAW = os.path.join(SAMPLE, "raw")
CONFIG = os.path.join(SAMPLE, "vaultproof.json")
NOT_PASSING = {"fail", "warn", "incomplete", "exempt"}


def collect(raw, out, now=PINNED):
    rc, _, err = run(["collect", "--replay", raw, "--config", CONFIG, "--out", out, "--now", now, "--quiet"])
    assert rc in (0, 4), err
    return out


def make_baseline(dest):
    """The sample as it stood earlier in the quarter: one vault still Locked, one
    policy with longer yearly retention, one item on a longer policy, and a workload
    in a Locked vault that has since moved to the standard vault."""
    copy_point_in_time(RAW, dest)
    changed = {"vault": None, "policy": None}
    for root, _dirs, files in os.walk(dest):
        for name in files:
            if name.endswith(".meta.json"):
                continue
            path = os.path.join(root, name)
            with open(path, encoding="utf-8") as fh:
                doc = json.load(fh)
            items = doc.get("value") if isinstance(doc, dict) else None
            if not isinstance(items, list):
                continue
            touched = False
            for r in items:
                t = r.get("type", "").lower()
                props = r.get("properties") or {}
                imm = ((props.get("securitySettings") or {}).get("immutabilitySettings") or {})
                if t == "microsoft.recoveryservices/vaults" and imm.get("state") == "Unlocked" and not changed["vault"]:
                    imm["state"] = "Locked"
                    changed["vault"] = r["name"]
                    touched = True
                ret = props.get("retentionPolicy") or {}
                yearly = ret.get("yearlySchedule") if isinstance(ret, dict) else None
                if t.endswith("/backuppolicies") and yearly and not changed["policy"]:
                    yearly["retentionDuration"]["count"] += 3
                    changed["policy"] = r["name"]
                    touched = True
            if touched:
                with open(path, "w", encoding="utf-8") as f:
                    json.dump(doc, f, indent=1, ensure_ascii=False)
    changed["deleted"] = add_deleted_vault(dest)
    return changed


def add_deleted_vault(dest):
    """The sample's soft-deleted vault (subscriptions/<s>/locations/<l>/deletedVaults.json)
    as it stood before its deletion: an entry of its subscription's vault list in the
    baseline, so drift.vault-not-deleted finds it missing now. Returns its name, or None
    when the sample has no soft-deleted vault."""
    subs = os.path.join(dest, "subscriptions")
    for sub in sorted(os.listdir(subs)):
        locs = os.path.join(subs, sub, "locations")
        for loc in sorted(os.listdir(locs)) if os.path.isdir(locs) else []:
            path = os.path.join(locs, loc, "deletedVaults.json")
            if not os.path.exists(path):
                continue
            for d in load(path).get("value") or []:
                vault_id = (d.get("properties") or {}).get("vaultId") or ""
                if "://" in vault_id:  # the URL spelling: scheme and host are not part of the id
                    vault_id = "/" + vault_id.split("://", 1)[1].split("/", 1)[1]
                if not vault_id:
                    continue
                vaults_path = os.path.join(subs, sub, "vaults.json")
                doc = load(vaults_path)
                doc["value"].append({"id": vault_id, "name": vault_id.rsplit("/", 1)[1], "location": loc,
                                     "type": "Microsoft.RecoveryServices/vaults", "properties": {}})
                with open(vaults_path, "w", encoding="utf-8") as f:
                    json.dump(doc, f, indent=1, ensure_ascii=False)
                return vault_id.rsplit("/", 1)[1]
    return None


class SampleFindings(TempDirTest):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="vp-eval-")
        d = cls.dir
        cls.snap = collect(RAW, os.path.join(d, "snapshot.json"))
        cls.changed = make_baseline(os.path.join(d, "baseline-raw"))
        cls.base = collect(os.path.join(d, "baseline-raw"), os.path.join(d, "baseline.json"), "2026-07-01T06:00:00Z")
        cls.out = os.path.join(d, "findings.json")
        rc, _, err = run(["evaluate", "--snapshot", cls.snap, "--config", CONFIG, "--baseline", cls.base,
                          "--out", cls.out, "--now", PINNED])
        assert rc == 0, err
        cls.f = load(cls.out)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def statuses(self, rule):
        return {x["status"] for x in self.f["findings"] if x["rule"] == rule}

    def test_every_rule_has_passing_and_non_passing_cases(self):
        catalog = json.loads(run(["controls", "--json"])[1])
        skip = {"evidence.complete"}  # the recording is complete; see the offline-export test
        # evaluated here without a period: the period rules make no finding; over 2026-Q3
        # they are checked in test_period_by_hand.py
        skip |= {"backup.ran", "restore.tested", "change.authorized"}
        for rule in catalog["rules"]:
            if rule["id"] in skip:
                continue
            s = self.statuses(rule["id"])
            self.assertIn("pass", s, rule["id"])
            self.assertTrue(s & NOT_PASSING, "%s: %s" % (rule["id"], s))

    def test_known_situations(self):
        by = {}
        for x in self.f["findings"]:
            by.setdefault((x["rule"], x["resource"]["name"]), x)
        self.assertEqual(by[("coverage.critical-vms", "epicic-prd-04")]["status"], "fail")
        self.assertEqual(by[("decommission.no-active-backup", "epiccache-old02")]["status"], "fail")
        self.assertEqual(by[("decommission.no-active-backup", "epicprt-old01")]["status"], "pass")
        self.assertEqual(by[("decommission.no-active-backup", "epicrpt-old03")]["status"], "pass")
        self.assertEqual(by[("backup.rpo", "epicmychart-prd-04")]["status"], "fail")  # last recovery point 39.5 h > 24 h
        self.assertEqual(by[("immutability.locked", "rsv-epic-nonprod-gwn")]["status"], "exempt")
        self.assertEqual(by[("immutability.critical-items-locked", "epicic-prd-07")]["status"], "exempt")  # hyper-care
        self.assertEqual(by[("worm.region-available", "rsv-epic-immutable-wus3")]["status"], "warn")
        self.assertEqual(by[("worm.region-available", "rsv-epic-dr-chw")]["status"], "pass")
        self.assertEqual(by[("drift.immutability-not-downgraded", self.changed["vault"])]["status"], "fail")
        self.assertEqual(by[("drift.retention-not-reduced", self.changed["policy"])]["status"], "fail")
        # the sample's soft-deleted vault, listed in the baseline only (it held no items then)
        self.assertIsNotNone(self.changed["deleted"], "the sample has no soft-deleted vault (deletedVaults.json)")
        gone = by[("drift.vault-not-deleted", self.changed["deleted"])]
        self.assertEqual(gone["status"], "warn")
        self.assertIn("soft-deleted at ", gone["observed"])
        expired = [x for x in self.f["findings"] if x["rule"] == "exemption.valid" and x["status"] == "fail"]
        self.assertEqual(len(expired), 1)

    # ---- issue 14: wrong results an auditor's re-performance found ----

    def finding(self, rule, name):
        hits = [x for x in self.f["findings"] if x["rule"] == rule and x["resource"]["name"] == name]
        self.assertEqual(len(hits), 1, (rule, name))
        return hits[0]

    def test_rpo_reperformed_from_raw(self):
        """backup.rpo recomputed from raw/ alone: the age of the last successful backup - the
        later of lastRecoveryPoint and lastBackupTime when lastBackupStatus is a success -
        for every item kind, on items actively protected."""
        from datetime import datetime, timezone

        def epoch(t):
            if not t:
                return None
            whole = t.rstrip("Z").split(".")[0]
            e = int(datetime.strptime(whole, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc).timestamp())
            return None if e < 1262304000 else e  # before 2010: "never"

        success = {"completed", "succeeded", "completedwithwarnings", "healthy"}
        states = {"protected", "irpending", "protectionerror", "protectionpaused", "backupssuspended", "invalid"}
        as_of = epoch(self.f["snapshot"]["as_of"])
        rpo = load(CONFIG).get("rpo_hours", 24) * 3600
        want = {}
        for r in self.raw_items():
            p = r.get("properties") or {}
            state = (p.get("protectionState") or "").lower()
            if state not in states or p.get("isScheduledForDeferredDelete"):
                continue
            rp = epoch(p.get("lastRecoveryPoint"))
            bt = epoch(p.get("lastBackupTime")) if (p.get("lastBackupStatus") or "").lower() in success else None
            last = max([t for t in (rp, bt) if t is not None], default=None)
            if last is not None:
                want[r["id"].lower()] = "pass" if as_of - last <= rpo else "fail"
            elif state == "irpending":
                want[r["id"].lower()] = "warn"
        got = {x["resource"]["id"].lower(): x["status"] for x in self.f["findings"] if x["rule"] == "backup.rpo"}
        self.assertEqual({k: got.get(k) for k in want}, want)
        self.assertEqual(sorted(got), sorted(want))  # no item judged that raw/ does not judge
        counts = {s: list(want.values()).count(s) for s in ("pass", "warn", "fail")}
        self.assertEqual(counts, {"pass": 284, "warn": 1, "fail": 8})
        # the Tier0 ePHI server whose failed backup 2.3 h before capture used to pass
        x = self.finding("backup.rpo", "epicic-prd-03")
        self.assertEqual(x["status"], "fail")
        self.assertIn("73.6 h before capture", x["observed"])
        self.assertIn("status Failed", x["observed"])

    def raw_items(self):
        from vptest import raw_resources
        return [r for r in raw_resources(RAW) if "/protecteditems/" in (r.get("id") or "").lower()]

    def test_health_is_evaluated(self):
        suggested = [r["properties"]["friendlyName"] for r in self.raw_items()
                     if (r.get("properties") or {}).get("healthStatus") == "ActionSuggested"
                     and r["properties"].get("protectionState") == "Protected"]
        self.assertEqual(len(suggested), 2)
        for name in suggested:
            x = self.finding("protection.state", name)
            self.assertEqual(x["status"], "warn", x)
            self.assertIn("health ActionSuggested", x["observed"])
        title = [r["title"] for r in self.f["rules"] if r["id"] == "protection.state"][0]
        self.assertIn("healthy", title)  # the title's promise is now kept

    def test_stopped_item_soft_delete_is_its_vaults(self):
        x = self.finding("protection.state", "epicprt-old01")
        self.assertEqual(x["status"], "warn")
        self.assertIn("30 days of soft delete", x["note"])
        self.assertNotIn("14 days", x["note"])

    def test_retention_note_names_every_shortfall(self):
        x = self.finding("retention.minimum", "epicodb-sup-01")
        self.assertEqual(x["status"], "fail")
        self.assertIn("daily retention of", x["note"])
        self.assertIn("yearly retention of", x["note"])

    def test_evidence_pointers_resolve(self):
        snap = load(self.snap)
        for x in self.f["findings"][:400]:
            ptr = x["evidence"]["snapshot"]
            if not ptr:
                continue
            node = snap
            for part in ptr.split("/")[1:]:
                node = node[int(part)] if isinstance(node, list) else node[part]
            if x["resource"]["type"] == "vault" and ptr.startswith("/vaults/"):
                self.assertEqual(snap["vaults"][int(ptr.split("/")[2])]["name"], x["resource"]["name"])

    def test_roll_ups_and_operated_effectively(self):
        controls = {(c["framework"], c["citation"]): c for c in self.f["controls"]}
        self.assertIn(("hipaa", "164.312(c)(1)"), controls)
        self.assertIn(("sox", "SOX 802 / SEC Rule 2-06"), controls)
        c = controls[("hipaa", "164.312(c)(1)")]
        self.assertEqual(c["result"], "fail")
        self.assertEqual(c["operated_effectively"]["of"], 2)
        total = sum(c["counts"].values())
        rules = [r for r in self.f["rules"] if r["id"] in c["rules"]]
        self.assertEqual(total, sum(sum(r["counts"].values()) for r in rules))
        self.assertEqual(self.f["summary"]["findings"], len(self.f["findings"]))
        self.assertEqual(controls[("hipaa", "164.308(a)(7)(ii)(D)")]["result"], "not-applicable")

    def test_deterministic_and_fail_on(self):
        out2 = self.path("again.json")
        rc, _, err = run(["evaluate", "--snapshot", self.snap, "--config", CONFIG, "--baseline", self.base,
                          "--out", out2, "--fail-on", "critical"], env={"SOURCE_DATE_EPOCH": "1790748000"})
        self.assertEqual(rc, 1, err)  # critical failures exist in the sample
        self.assertIn("--fail-on", err)
        with open(self.out, "rb") as a, open(out2, "rb") as b:
            self.assertEqual(a.read(), b.read())


class OfflineExportFailsClosed(TempDirTest):
    def test_nothing_passes_on_unverified_data(self):
        export = self.path("export")
        shutil.copytree(RAW, export, ignore=shutil.ignore_patterns("*.meta.json"))
        snap = collect(export, self.path("s.json"))
        rc, _, err = run(["evaluate", "--snapshot", snap, "--config", CONFIG, "--out", self.path("f.json"),
                          "--now", PINNED])
        self.assertEqual(rc, 0, err)
        f = load(self.path("f.json"))
        passing = {x["rule"] for x in f["findings"] if x["status"] == "pass"}
        self.assertEqual(passing, {"exemption.valid"})  # the config's own register needs no collection
        ev = {x["status"] for x in f["findings"] if x["rule"] == "evidence.complete"}
        self.assertEqual(ev, {"incomplete"})
        self.assertGreater(f["summary"]["counts"]["incomplete"], 100)


class EvaluateErrors(TempDirTest):
    def test_usage_and_input_errors(self):
        rc, _, err = run(["evaluate", "--snapshot", "x.json"])
        self.assertEqual(rc, 2)
        self.assertIn("--config FILE are required", err)
        rc, _, err = run(["evaluate", "--snapshot", self.path("none.json"), "--config", CONFIG, "--out", self.path("f.json")])
        self.assertEqual(rc, 3)
        self.assertIn("none.json", err)
        self.assertFalse(os.path.exists(self.path("f.json")))
        bad = self.path("bad-config.json")
        cfg = load(CONFIG)
        cfg["rule_parameters"] = {"backup.rpo": {"hours": 48}}
        with open(bad, "w") as f:
            json.dump(cfg, f)
        snap = collect(RAW, self.path("s.json"))
        rc, _, err = run(["evaluate", "--snapshot", snap, "--config", bad, "--out", self.path("f.json")])
        self.assertEqual(rc, 3)
        self.assertIn("/rule_parameters/backup.rpo/hours: rule backup.rpo has no parameter 'hours'", err)
        self.assertFalse(os.path.exists(self.path("f.json")))
        rc, _, err = run(["evaluate", "--snapshot", snap, "--config", CONFIG, "--fail-on", "severe"])
        self.assertEqual(rc, 2)


if __name__ == "__main__":
    main()
