"""Exceptions carry what an auditor asks next (issue 14): first seen (from the archive's
earlier bundles), owner (a configurable tag) and a remediation hint per rule (the catalog).

Two packs of one archive: the second from an edited copy of the sample recording in which
one failure is fixed (rsv-epic-nonprod-eus2 locked), one new failure appears (blr-app-01 in
ProtectionError) and blr-app-01's VM carries the owner tag the config names. The second
bundle's report and workbook must show the first bundle's time for a failure that persists,
"this bundle" for the new one, the VM's tag as its owner, and every rule's remediation once.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile

sys.path.insert(0, os.path.dirname(__file__))
from vptest import copy_point_in_time, light_sample, SAMPLE, TempDirTest, main, run  # noqa: E402

FIRST = "2026-09-30T06:00:00Z"
SECOND = "2026-10-01T06:00:00Z"
FIXED_VAULT = "rsv-epic-nonprod-eus2"        # immutability.locked fails in the sample (Disabled)
PERSISTING_VAULT = "rsv-epic-standard-eus2"  # immutability.locked fails in both
NEW_ITEM = "blr-app-01"                      # protection.state passes in the sample
OWNER_TAG = "BackupOwner"
OWNER = "dba-team@contoso.example"


def xlsx_rows(path, sheet):
    """Rows of a sheet as dicts by header, read with openpyxl (/usr/bin/python3)."""
    code = ("import json,sys,openpyxl\n"
            "ws=openpyxl.load_workbook(sys.argv[1],read_only=True)[sys.argv[2]]\n"
            "rows=[[None if c is None else str(c) for c in r] for r in ws.iter_rows(values_only=True)]\n"
            "print(json.dumps(rows))\n")
    p = subprocess.run(["/usr/bin/python3", "-c", code, path, sheet], capture_output=True, check=True)
    rows = json.loads(p.stdout)
    return rows[0], [dict(zip(rows[0], r)) for r in rows[1:]]


def pdf_text(path):
    p = subprocess.run(["pdftotext", "-enc", "UTF-8", path, "-"], capture_output=True, check=True)
    return re.sub(r"\s+", " ", p.stdout.decode("utf-8"))


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def edit_json(path, fn):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    fn(doc)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)


class Exceptions(TempDirTest):
    @classmethod
    def setUpClass(cls):
        import tempfile
        cls.dir = tempfile.mkdtemp(prefix="vp-exc-")
        d = lambda *p: os.path.join(cls.dir, *p)  # noqa: E731
        rc, _, err = run(["keygen", "--out", d("K"), "--now", FIRST])
        assert rc == 0, err
        cls.archive = d("archive")
        key, cert = d("K", "signer.key"), d("K", "signer.pem")
        config = os.path.join(SAMPLE, "vaultproof.json")
        # the first bundle is the second's baseline; its quarter's jobs play no part (light_sample)
        rc, out, err = run(["pack", "--config", config, "--replay", light_sample(), "--out", cls.archive,
                            "--key", key, "--cert", cert, "--period", "2026-Q3", "--now", FIRST])
        assert rc == 0, out + err
        cls.first = out.splitlines()[0]
        # the edited recording and a config naming another owner tag
        raw2 = d("raw2")
        copy_point_in_time(os.path.join(SAMPLE, "raw"), raw2)
        cls.new_vm = cls.edit_recording(raw2)
        with open(config, encoding="utf-8") as f:
            cfg = json.load(f)
        cfg["report"] = {"owner_tag": OWNER_TAG}
        for k in ("worm_catalog",):
            if isinstance(cfg.get(k), str):  # relative to the config file
                cfg[k] = os.path.join(SAMPLE, cfg[k])
        cls.config2 = d("vaultproof.json")
        with open(cls.config2, "w", encoding="utf-8") as f:
            json.dump(cfg, f)
        rc, out, err = run(["pack", "--config", cls.config2, "--replay", raw2, "--out", cls.archive,
                            "--key", key, "--cert", cert, "--period", "2026-Q3", "--now", SECOND])
        assert rc == 0, out + err
        cls.second = out.splitlines()[0]
        cls.x = d("x")
        os.mkdir(cls.x)
        with tarfile.open(cls.second) as tar:
            tar.extractall(cls.x)
        (cls.top,) = glob.glob(os.path.join(cls.x, "*"))
        cls.header, cls.rows = xlsx_rows(os.path.join(cls.top, "report", "workbook.xlsx"), "Exceptions")
        cls.text = pdf_text(os.path.join(cls.top, "report", "report.pdf"))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    @staticmethod
    def edit_recording(raw):
        """Locks FIXED_VAULT, puts NEW_ITEM in ProtectionError and tags its VM; returns the VM id."""
        def lock(doc):
            (v,) = [v for v in doc["value"] if v["name"] == FIXED_VAULT]
            v["properties"]["securitySettings"]["immutabilitySettings"]["state"] = "Locked"
        (vaults,) = [p for p in glob.glob(os.path.join(raw, "subscriptions", "*", "vaults.json"))
                     if FIXED_VAULT in read(p)]
        edit_json(vaults, lock)
        vm_ids = []

        def break_item(doc):
            (it,) = [i for i in doc["value"] if i["properties"].get("friendlyName") == NEW_ITEM]
            assert it["properties"]["protectionState"] == "Protected", it["properties"]
            it["properties"]["protectionState"] = "ProtectionError"
            vm_ids.append(it["properties"]["sourceResourceId"])
        (items,) = [p for p in glob.glob(os.path.join(raw, "subscriptions", "*", "vaults", "*",
                                                      "backupProtectedItems.json"))
                    if '"friendlyName": "%s"' % NEW_ITEM in read(p)]
        edit_json(items, break_item)

        def tag(doc):
            (vm,) = [v for v in doc["value"] if v["id"].lower() == vm_ids[0].lower()]
            vm.setdefault("tags", {})[OWNER_TAG] = OWNER
        (vms,) = [p for p in glob.glob(os.path.join(raw, "subscriptions", "*", "virtualMachines.json"))
                  if vm_ids[0].lower() in read(p).lower()]
        edit_json(vms, tag)
        return vm_ids[0]

    def row(self, rule, name):
        found = [r for r in self.rows if r["Rule"] == rule and r["Resource"] == name]
        self.assertLessEqual(len(found), 1, found)
        return found[0] if found else None

    def test_workbook_first_seen_and_owner(self):
        self.assertIn("Owner (tag %s)" % OWNER_TAG, self.header)
        persisting = self.row("immutability.locked", PERSISTING_VAULT)
        self.assertIsNotNone(persisting)
        self.assertEqual(persisting["First seen (UTC)"], FIRST)
        self.assertIsNone(self.row("immutability.locked", FIXED_VAULT))  # fixed: no longer an exception
        new = self.row("protection.state", NEW_ITEM)
        self.assertIsNotNone(new, [r["Resource"] for r in self.rows if r["Rule"] == "protection.state"])
        self.assertEqual(new["First seen (UTC)"], "this bundle")
        self.assertEqual(new["Owner (tag %s)" % OWNER_TAG], OWNER)
        self.assertEqual(new["Owner tag read from"], "VM")
        # nothing else carries the config's tag: every other owner is unassigned
        others = {r["Owner (tag %s)" % OWNER_TAG] for r in self.rows if r is not new and r["Resource"] != NEW_ITEM}
        self.assertEqual(others, {"unassigned"})
        # one row per failing finding of the bundle
        with open(os.path.join(self.top, "data", "findings.json"), encoding="utf-8") as f:
            findings = json.load(f)
        self.assertEqual(len(self.rows), sum(1 for x in findings["findings"] if x["status"] == "fail"))

    def test_report_first_seen_owner_and_remediation(self):
        self.assertIn("First seen: %s · Owner: unassigned" % FIRST, self.text)
        self.assertIn("First seen: this bundle · Owner: %s (tag on its VM)" % OWNER, self.text)
        self.assertIn('value of the tag "%s"' % OWNER_TAG, self.text)
        self.assertIn("Earlier bundles read from the archive's ledger: 1,", self.text)
        catalog = json.loads(run(["controls", "--json"])[1])
        rules = {r["id"]: r for r in catalog["rules"]}
        fix = rules["immutability.locked"]["remediation"]
        head = re.sub(r"\s+", " ", fix)[:60]
        self.assertEqual(self.text.count("Remediation: " + head), 1)  # once for the rule, not per row
        _, rem = xlsx_rows(os.path.join(self.top, "report", "workbook.xlsx"), "Remediation")
        by_rule = {r["Rule"]: r for r in rem}
        self.assertEqual(by_rule["immutability.locked"]["Remediation"], fix)
        self.assertEqual(by_rule["protection.state"]["Remediation"], rules["protection.state"]["remediation"])

    def test_history_stays_out_of_the_findings(self):
        with open(os.path.join(self.top, "data", "findings.json"), encoding="utf-8") as f:
            text = f.read()
        for word in ("this bundle", "first_seen", "First seen", OWNER, "remediation"):
            self.assertNotIn(word, text)

    def test_render_with_the_ledger(self):
        """Standalone render --ledger: now both bundles are earlier ones; a missing one is named."""
        data = os.path.join(self.top, "data")
        out = self.path("r")
        os.mkdir(out)
        ledger = os.path.join(self.archive, "ledger.jsonl")
        rc, _, err = run(["render", "--snapshot", os.path.join(data, "snapshot.json"), "--findings",
                          os.path.join(data, "findings.json"), "--xlsx", os.path.join(out, "w.xlsx"), "--ledger",
                          ledger, "--owner-tag", OWNER_TAG, "--now", SECOND])
        self.assertEqual(rc, 0, err)
        _, rows = xlsx_rows(os.path.join(out, "w.xlsx"), "Exceptions")
        seen = {(r["Rule"], r["Resource"]): r["First seen (UTC)"] for r in rows}
        self.assertEqual(seen[("immutability.locked", PERSISTING_VAULT)], FIRST)
        self.assertEqual(seen[("protection.state", NEW_ITEM)], SECOND)
        # the first bundle gone: noted, not fatal; first seen rests on the second alone
        moved = self.path("moved.tar.gz")
        shutil.move(self.first, moved)
        try:
            rc, _, err = run(["render", "--snapshot", os.path.join(data, "snapshot.json"), "--findings",
                              os.path.join(data, "findings.json"), "--pdf", os.path.join(out, "r.pdf"), "--ledger",
                              ledger, "--now", SECOND])
        finally:
            shutil.move(moved, self.first)
        self.assertEqual(rc, 0, err)
        self.assertIn(os.path.basename(self.first), err)
        text = pdf_text(os.path.join(out, "r.pdf"))
        self.assertIn("Left out of first seen: ledger line 1:", text)
        self.assertIn("First seen: %s" % SECOND, text)
        self.assertNotIn("First seen: %s" % FIRST, text)
        # without a ledger first seen is not known, and a ledger that is not there is an input error
        rc, _, err = run(["render", "--snapshot", os.path.join(data, "snapshot.json"), "--findings",
                          os.path.join(data, "findings.json"), "--pdf", os.path.join(out, "n.pdf"), "--now", SECOND])
        self.assertEqual(rc, 0, err)
        self.assertIn("First seen: not known (no ledger read)", pdf_text(os.path.join(out, "n.pdf")))
        rc, _, err = run(["render", "--snapshot", os.path.join(data, "snapshot.json"), "--findings",
                          os.path.join(data, "findings.json"), "--pdf", os.path.join(out, "m.pdf"), "--ledger",
                          self.path("none.jsonl")])
        self.assertEqual(rc, 3, err)

    def test_controls_show_every_remediation(self):
        rc, out, err = run(["controls"])
        self.assertEqual(rc, 0, err)
        catalog = json.loads(run(["controls", "--json"])[1])
        lines = out.splitlines()
        for rule in catalog["rules"]:
            self.assertTrue(rule["remediation"].strip(), rule["id"])
            (at,) = [i for i, line in enumerate(lines) if line.startswith(rule["id"] + " ")]
            block = []
            for line in lines[at + 1:]:
                if not line.startswith("    "):
                    break
                block.append(line)
            self.assertIn("    remediation: " + rule["remediation"], block, rule["id"])


if __name__ == "__main__":
    main()
