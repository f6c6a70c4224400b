"""evaluate --oscal on the bundled Contoso Health sample: the NIST OSCAL 1.1.2
assessment results pass tests/tools/oscal_check.py, agree with findings.json and hash
the files they name; the checker itself rejects broken documents."""
import copy
import datetime
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from vptest import PINNED, SAMPLE, SOURCE, TempDirTest, load, main, runs_no_vaultproof, run  # noqa: E402

CHECKER = os.path.join(SOURCE, "tests", "tools", "oscal_check.py")
sys.path.insert(0, os.path.dirname(CHECKER))
import oscal_check  # noqa: E402

RAW = os.path.join(SAMPLE, "raw")
CONFIG = os.path.join(SAMPLE, "vaultproof.json")
NS = "https://vaultproof.example/ns/oscal"
NEEDS_ATTENTION = {"fail", "warn", "incomplete", "exempt"}


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def prop(node, name):
    """The value of node's vaultproof property name, or None."""
    for p in node.get("props", []):
        if p["name"] == name and p.get("ns") == NS:
            return p["value"]
    return None


def instant(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def evaluate(snapshot, out, oscal, cwd=None):
    return run(["evaluate", "--snapshot", snapshot, "--config", CONFIG, "--out", out, "--oscal", oscal,
                "--now", PINNED, "--quiet"], cwd=cwd)


class SampleOscal(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="vp-oscal-")
        cls.snapshot = os.path.join(cls.dir, "snapshot.json")
        cls.findings_path = os.path.join(cls.dir, "findings.json")
        cls.oscal_path = os.path.join(cls.dir, "assessment-results.json")
        rc, _, err = run(["collect", "--replay", RAW, "--config", CONFIG, "--out", cls.snapshot, "--now", PINNED])
        assert rc == 0, err
        cls.rc, _, cls.err = evaluate(cls.snapshot, cls.findings_path, cls.oscal_path)
        assert cls.rc == 0, cls.err
        cls.doc = load(cls.oscal_path)
        cls.findings = load(cls.findings_path)
        cls.ar = cls.doc["assessment-results"]
        cls.result = cls.ar["results"][0]

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def resource(self, role):
        found = [r for r in self.ar["back-matter"]["resources"] if prop(r, "role") == role]
        self.assertEqual(len(found), 1, role)
        return found[0]

    def test_passes_the_checker(self):
        self.assertEqual(oscal_check.problems(self.doc), [])
        p = subprocess.run([sys.executable, CHECKER, self.oscal_path], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_metadata(self):
        meta = self.ar["metadata"]
        self.assertEqual(meta["oscal-version"], "1.1.2")
        self.assertEqual(meta["version"], self.findings["catalog"]["version"])
        self.assertEqual(instant(meta["last-modified"]), instant(PINNED))
        self.assertIn("Contoso Health", meta["title"])
        self.assertEqual(self.ar["import-ap"]["href"], "#" + self.resource("assessment-plan")["uuid"])

    def test_back_matter_hashes_the_files_as_written(self):
        def hashes(role):
            return [h for link in self.resource(role)["rlinks"] for h in link["hashes"]]
        expected = {
            "snapshot": sha256(self.snapshot),
            "findings": sha256(self.findings_path),
            "assessment-plan": self.findings["catalog"]["sha256"],
            "config": sha256(CONFIG),
        }
        for role, digest in expected.items():
            self.assertEqual(hashes(role), [{"algorithm": "SHA-256", "value": digest}], role)
        self.assertEqual(self.resource("snapshot")["rlinks"][0]["href"], self.snapshot)

    def observations_by_rule(self):
        return {prop(o, "rule"): o for o in self.result["observations"]}

    def test_one_observation_per_rule_its_subjects_every_finding_in_order(self):
        """Every finding of findings.json is one subject of its rule's observation, in the
        same order, with its result; those that did not pass say what was observed."""
        observations = self.result["observations"]
        listed = self.findings["findings"]
        rules = [r["id"] for r in self.findings["rules"] if sum(r["counts"].values())]
        self.assertEqual([prop(o, "rule") for o in observations], rules)
        as_of = instant(self.findings["snapshot"]["as_of"]).replace(microsecond=0)
        snapshot_ref = "#" + self.resource("snapshot")["uuid"]
        subjects = [(prop(o, "rule"), s) for o in observations for s in o["subjects"]]
        self.assertEqual(len(subjects), len(listed))
        namespace = uuid.uuid5(uuid.NAMESPACE_URL, NS)
        for (rule, s), x in zip(subjects, listed):
            self.assertEqual(rule, x["rule"])
            self.assertEqual(prop(s, "result"), x["status"])
            self.assertEqual(s["type"], "inventory-item")
            name = "resource/%s/%s" % (x["resource"]["type"], x["resource"]["id"] or "")
            self.assertEqual(s["subject-uuid"], str(uuid.uuid5(namespace, name)), name)
            if x["resource"]["id"] and oscal_check.STRING_RE.match(x["resource"]["id"]):
                self.assertEqual(prop(s, "resource-id"), x["resource"]["id"])
            if x["status"] in ("pass", "not-applicable"):
                self.assertNotIn("remarks", s)
            else:
                self.assertIn("Observed: %s." % (x["observed"] or "not reported"), s["remarks"])
        by_rule = {r["id"]: r for r in self.findings["rules"]}
        for o in observations:
            r = by_rule[prop(o, "rule")]
            self.assertEqual(o["methods"], ["TEST"])
            self.assertEqual(prop(o, "severity"), r["severity"])
            self.assertEqual(prop(o, "result"), r["result"])
            self.assertEqual(prop(o, "tests"), str(sum(r["counts"].values())))
            self.assertEqual(instant(o["collected"]), as_of)
            self.assertEqual(o["relevant-evidence"][0]["href"], snapshot_ref)
        self.assertLessEqual(instant(self.result["start"]), instant(self.result["end"]))

    def findings_by_citation(self):
        by = {}
        for f in self.result["findings"]:
            by[(prop(f, "framework"), prop(f, "citation"))] = f
        return by

    def test_a_finding_per_control_satisfied_unless_fail_or_incomplete(self):
        by = self.findings_by_citation()
        controls = self.findings["controls"]
        self.assertEqual(len(self.result["findings"]), len(controls))
        self.assertEqual(set(by), {(c["framework"], c["citation"]) for c in controls})
        selection = self.result["reviewed-controls"]["control-selections"][0]
        reviewed = {c["control-id"] for c in selection["include-controls"]}
        for c in controls:
            f = by[(c["framework"], c["citation"])]
            state = f["target"]["status"]["state"]
            self.assertEqual(f["target"]["type"], "objective-id")
            self.assertIn(f["target"]["target-id"], reviewed)
            self.assertEqual(state == "not-satisfied", c["result"] in ("fail", "incomplete"), c)
            self.assertEqual(prop(f, "result"), c["result"])
        self.assertTrue(any(c["result"] == "fail" for c in controls))

    def test_related_observations_are_the_rules_to_follow_up(self):
        rule_of = {o["uuid"]: prop(o, "rule") for o in self.result["observations"]}
        order = [prop(o, "rule") for o in self.result["observations"]]
        by = self.findings_by_citation()
        for c in self.findings["controls"]:
            f = by[(c["framework"], c["citation"])]
            linked = [rule_of[r["observation-uuid"]] for r in f.get("related-observations", [])]
            expected = sorted({x["rule"] for x in self.findings["findings"]
                               if x["status"] in NEEDS_ATTENTION and c["citation"] in x["citations"]},
                              key=order.index)
            self.assertEqual(linked, expected, c["citation"])

    def test_uuids_are_rfc4122_version_5_of_stable_names(self):
        uuids = [o["uuid"] for o in self.result["observations"]] + [f["uuid"] for f in self.result["findings"]]
        self.assertEqual(len(uuids), len(set(uuids)))
        namespace = uuid.uuid5(uuid.NAMESPACE_URL, NS)
        scope = "vaultproof-oscal/1\nsnapshot %s\ncatalog %s\nconfig %s\n" % (
            self.findings["snapshot"]["sha256"], self.findings["catalog"]["sha256"], self.findings["config"]["sha256"])
        for o in self.result["observations"]:
            name = "observation/%s" % prop(o, "rule")
            self.assertEqual(o["uuid"], str(uuid.uuid5(namespace, scope + name)), name)

    def test_a_second_pinned_run_is_byte_identical(self):
        again = os.path.join(self.dir, "again.json")
        rc, _, err = evaluate(self.snapshot, os.path.join(self.dir, "findings-again.json"), again)
        self.assertEqual(rc, 0, err)
        with open(self.oscal_path, "rb") as a, open(again, "rb") as b:
            self.assertTrue(a.read() == b.read(), "OSCAL differs between two pinned runs")


class OtherRuns(TempDirTest):
    def test_baseline_one_framework_and_an_awkward_file_name(self):
        original = self.path("snapshot.json")
        rc, _, err = run(["collect", "--replay", RAW, "--config", CONFIG, "--out", original, "--now", PINNED])
        self.assertEqual(rc, 0, err)
        odd_dir = self.path("odd dir:\u00fc")
        os.mkdir(odd_dir)
        snapshot = os.path.join(odd_dir, "snap #1.json")
        shutil.copyfile(original, snapshot)
        config = load(CONFIG)
        config["frameworks"] = ["sox"]
        config_path = self.path("vaultproof.json")
        with open(config_path, "w", encoding="utf-8") as f:
            json.dump(config, f)
        rc, _, err = run(["evaluate", "--snapshot", snapshot, "--baseline", original, "--config", config_path,
                          "--out", self.path("f.json"), "--oscal", self.path("o.json"), "--now", PINNED, "--quiet"])
        self.assertEqual(rc, 0, err)
        doc, findings = load(self.path("o.json")), load(self.path("f.json"))
        self.assertEqual(oscal_check.problems(doc), [])
        result = doc["assessment-results"]["results"][0]
        self.assertEqual(len(result["findings"]), len(findings["controls"]))
        self.assertEqual({prop(f, "framework") for f in result["findings"]}, {"sox"})
        resources = {prop(r, "role"): r for r in doc["assessment-results"]["back-matter"]["resources"]}
        self.assertEqual(urllib.parse.unquote(resources["snapshot"]["rlinks"][0]["href"]), snapshot)
        self.assertEqual(resources["baseline"]["rlinks"][0]["hashes"][0]["value"], sha256(original))


class FindingsOnStdout(TempDirTest):
    def test_findings_not_hashed_when_written_to_stdout(self):
        snapshot, oscal = self.path("snapshot.json"), self.path("oscal.json")
        rc, _, err = run(["collect", "--replay", RAW, "--config", CONFIG, "--out", snapshot, "--now", PINNED])
        self.assertEqual(rc, 0, err)
        rc, out, err = evaluate(snapshot, "-", oscal)
        self.assertEqual(rc, 0, err)
        self.assertTrue(out.startswith("{"))
        doc = load(oscal)
        self.assertEqual(oscal_check.problems(doc), [])
        findings = [r for r in doc["assessment-results"]["back-matter"]["resources"] if prop(r, "role") == "findings"]
        self.assertEqual(len(findings), 1)
        self.assertNotIn("rlinks", findings[0])


class CheckerRejects(unittest.TestCase):
    """The checker is only worth its pass if it fails broken documents."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="vp-oscal-check-")
        snapshot = os.path.join(cls.tmp, "snapshot.json")
        rc, _, err = run(["collect", "--replay", RAW, "--config", CONFIG, "--out", snapshot, "--now", PINNED])
        assert rc == 0, err
        rc, _, err = evaluate(snapshot, os.path.join(cls.tmp, "f.json"), os.path.join(cls.tmp, "o.json"))
        assert rc == 0, err
        cls.doc = load(os.path.join(cls.tmp, "o.json"))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def rejects(self, change, expect):
        doc = copy.deepcopy(self.doc)
        change(doc["assessment-results"])
        found = oscal_check.problems(doc)
        self.assertTrue(any(expect in p for p in found), "expected %r among %r" % (expect, found[:5]))

    @runs_no_vaultproof
    def test_broken_documents(self):
        def result(ar):
            return ar["results"][0]
        cases = [
            (lambda ar: ar["metadata"].pop("last-modified"), "missing required member 'last-modified'"),
            (lambda ar: ar["metadata"].update({"oscal-version": "1.0.4"}), "expected 1.1.2"),
            (lambda ar: result(ar).update({"colour": "red"}), "unknown member 'colour'"),
            (lambda ar: result(ar)["observations"][0].update({"uuid": "not-a-uuid"}), "UUIDDatatype"),
            (lambda ar: result(ar)["observations"][1].update({"uuid": result(ar)["observations"][0]["uuid"]}),
             "is also used at"),
            (lambda ar: result(ar)["observations"][0].update({"methods": ["PROBE"]}), "observation method"),
            (lambda ar: result(ar)["observations"][0].update({"methods": []}), "empty array"),
            (lambda ar: result(ar)["observations"][0].update({"collected": "2026-09-30 02:00:00"}),
             "DateTimeWithTimezoneDatatype"),
            (lambda ar: result(ar)["findings"][0]["target"].update({"target-id": "164.308(a)"}), "TokenDatatype"),
            (lambda ar: result(ar)["findings"][0]["target"]["status"].update({"state": "partial"}),
             "objective status state"),
            (lambda ar: result(ar)["findings"][0]["related-observations"].append(
                {"observation-uuid": "00000000-0000-4000-8000-000000000000"}), "is not in this result"),
            (lambda ar: ar["import-ap"].update({"href": "#00000000-0000-4000-8000-000000000000"}),
             "names no back-matter resource"),
            (lambda ar: ar["back-matter"]["resources"][0]["rlinks"][0]["hashes"][0].update({"value": "abc"}),
             "64 hex digits"),
            (lambda ar: result(ar)["observations"][0]["props"][0].update({"value": " padded"}), "StringDatatype"),
            (lambda ar: result(ar)["observations"][0]["subjects"][0].update({"type": "resource"}), "subject type"),
            (lambda ar: result(ar)["observations"][0]["subjects"][0].pop("subject-uuid"), "subject-uuid"),
        ]
        for change, expect in cases:
            with self.subTest(expect=expect):
                self.rejects(change, expect)


if __name__ == "__main__":
    main()
