"""`vaultproof render --xlsx`: the evidence workbook of the sample estate, checked with
tools independent of vaultproof (tests/tools/xlsx_check.py: unzip, xlsx2csv, openpyxl);
formula injection from tag values; byte-identical output with a pinned clock; bad
inputs (exit 3, naming the file) and unwritable output (exit 6), never a partial file."""
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
import openpyxl  # noqa: E402
import xlsx_check  # noqa: E402
from vptest import PINNED, SAMPLE, TempDirTest, main, runs_no_vaultproof, run  # noqa: E402
import render_format2  # noqa: E402

CONFIG = os.path.join(SAMPLE, "vaultproof.json")
SUB = "/subscriptions/00000000-0000-0000-0000-000000000001"
VAULT = SUB + "/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/rsv-one"
VM = SUB + "/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/vm-evil"
EVIL_TAGS = {"Owner": '=HYPERLINK("http://x","y")', "Cost": "@SUM(1+1)", "Dash": "-2+3", "Plus": "+1",
             "Tab": "\t=1+1", "Plain": "ok"}


def collect_and_evaluate(directory, raw, config, name):
    """Snapshot and findings of a replay directory, pinned to PINNED."""
    snapshot = os.path.join(directory, name + "-snapshot.json")
    findings = os.path.join(directory, name + "-findings.json")
    rc, _, err = run(["collect", "--replay", raw, "--config", config, "--out", snapshot, "--now", PINNED, "--quiet"])
    assert rc == 0, err
    rc, _, err = run(["evaluate", "--snapshot", snapshot, "--config", config, "--out", findings, "--now", PINNED,
                      "--quiet"])
    assert rc == 0, err
    return snapshot, findings


def render(snapshot, findings, out, *extra):
    return run(["render", "--snapshot", snapshot, "--findings", findings, "--xlsx", out, "--now", PINNED] + list(extra))


class SampleWorkbook(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="vp-xlsx-")
        cls.snapshot, cls.findings = collect_and_evaluate(cls.tmp, os.path.join(SAMPLE, "raw"), CONFIG, "sample")
        cls.xlsx = os.path.join(cls.tmp, "evidence.xlsx")
        cls.result = render(cls.snapshot, cls.findings, cls.xlsx)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def test_render_succeeds(self):
        rc, out, err = self.result
        self.assertEqual(rc, 0, err)
        self.assertTrue(os.path.getsize(self.xlsx) > 0)

    @runs_no_vaultproof
    def test_independent_checks(self):
        """unzip -tq, xlsx2csv on every sheet, openpyxl: names, headers, row counts equal to the
        populations, typed cells, frozen panes, autofilters, defined names, formulas, properties."""
        xlsx_check.check(self.xlsx, self.snapshot, self.findings, now=PINNED)

    def test_byte_identical_with_pinned_clock(self):
        again = self.path("again.xlsx")
        rc, _, err = render(self.snapshot, self.findings, again)
        self.assertEqual(rc, 0, err)
        with open(self.xlsx, "rb") as a, open(again, "rb") as b:
            self.assertEqual(a.read(), b.read(), "two renders with the same --now differ")

    @runs_no_vaultproof
    def test_typed_cells_and_sample_values(self):
        wb = openpyxl.load_workbook(self.xlsx)
        items = wb["Protected Items"]
        hdr = [c.value for c in items[1]]
        row = [c for c in items[2]]
        self.assertEqual(row[hdr.index("Last backup (UTC)")].data_type, "d")
        self.assertEqual(row[hdr.index("Recovery points")].data_type, "n")
        self.assertEqual(row[hdr.index("Id")].data_type, "s")
        self.assertEqual(row[hdr.index("Subscription")].data_type, "s")
        vaults = {r[0]: r for r in wb["Vaults"].iter_rows(min_row=2, values_only=True)}
        hdr = [c.value for c in wb["Vaults"][1]]
        # absent is empty, never "Disabled"
        self.assertIsNone(vaults["rsv-shared-mars-sin"][hdr.index("Immutability")])
        self.assertEqual(vaults["rsv-epic-dr-chw"][hdr.index("Immutability")], "Locked")
        readme = [r for r in wb["README"].iter_rows(values_only=True)]
        with open(self.findings, encoding="utf-8") as f:
            fnd = json.load(f)
        self.assertIn(("Snapshot SHA-256", fnd["snapshot"]["sha256"]), [(r[0], r[1]) for r in readme])

    def test_exemptions_register(self):
        wb = openpyxl.load_workbook(self.xlsx)
        rows = list(wb["Exemptions"].iter_rows(min_row=2, values_only=True))
        hdr = [c.value for c in wb["Exemptions"][1]]
        self.assertEqual([r[hdr.index("Validity (exemption.valid)")] for r in rows], ["pass", "pass", "fail"])
        self.assertEqual(rows[0][hdr.index("Approver")], "Dr. Anna Keller, CISO")
        self.assertEqual(rows[2][hdr.index("Rule")], "soft-delete.always-on")  # from the label: it exempted nothing
        self.assertEqual(rows[2][hdr.index("Findings exempted")], 0)

    def test_bad_snapshot_exits_3_with_path(self):
        bad = self.path("bad-snapshot.json")
        with open(bad, "w") as f:
            f.write('{"format": "vaultproof-snapshot/2", "collection": ')
        out = self.path("bad.xlsx")
        rc, _, err = render(bad, self.findings, out)
        self.assertEqual(rc, 3, err)
        self.assertIn("bad-snapshot.json", err)
        self.assertFalse(os.path.exists(out))

    def test_bad_findings_exits_3_with_path(self):
        bad = self.path("bad-findings.json")
        with open(self.findings, encoding="utf-8") as f:
            text = f.read()
        with open(bad, "w", encoding="utf-8") as f:  # a finding cut in the middle
            f.write(text[: text.index('"rule":"immutability.locked"') + 10])
        out = self.path("bad2.xlsx")
        rc, _, err = render(self.snapshot, bad, out)
        self.assertEqual(rc, 3, err)
        self.assertIn("bad-findings.json", err)
        self.assertFalse(os.path.exists(out))
        self.assertEqual([f for f in os.listdir(self.tmp) if f.startswith("bad2")], [])

    def test_findings_of_another_snapshot_exit_3(self):
        other = self.path("other-snapshot.json")
        rc, _, err = run(["collect", "--replay", os.path.join(SAMPLE, "raw"), "--config", CONFIG, "--out", other,
                          "--now", "2026-10-01T06:00:00Z", "--quiet"])
        self.assertEqual(rc, 0, err)
        out = self.path("mixed.xlsx")
        rc, _, err = render(other, self.findings, out)
        self.assertEqual(rc, 3, err)
        self.assertIn("SHA-256", err)
        self.assertFalse(os.path.exists(out))

    def test_missing_input_exits_3(self):
        out = self.path("missing.xlsx")
        rc, _, err = render(self.path("nope.json"), self.findings, out)
        self.assertEqual(rc, 3, err)
        self.assertIn("nope.json", err)
        self.assertFalse(os.path.exists(out))

    def test_unwritable_output_exits_6(self):
        not_a_dir = self.path("plain-file")
        with open(not_a_dir, "w") as f:
            f.write("x")
        rc, _, err = render(self.snapshot, self.findings, os.path.join(not_a_dir, "out.xlsx"))
        self.assertEqual(rc, 6, err)
        rc, _, err = render(self.snapshot, self.findings, self.path("no-such-dir", "out.xlsx"))
        self.assertEqual(rc, 6, err)
        self.assertFalse(os.path.exists(self.path("no-such-dir")))


class FormulaInjection(TempDirTest):
    """A tag value is data, never a formula: it ends up as text, shown with an apostrophe."""

    def setUp(self):
        super().setUp()
        raw = self.path("raw")
        os.makedirs(raw)
        with open(os.path.join(raw, "vaults.json"), "w") as f:
            json.dump({"value": [{"id": VAULT, "name": "rsv-one", "type": "Microsoft.RecoveryServices/vaults",
                                  "location": "eastus2", "tags": {"Owner": "+cmd|' /C calc'!A0"},
                                  "properties": {"securitySettings": {"immutabilitySettings": {"state": "Locked"}}}}]}, f)
        with open(os.path.join(raw, "virtualMachines.json"), "w") as f:
            json.dump({"value": [{"id": VM, "name": "vm-evil", "type": "Microsoft.Compute/virtualMachines",
                                  "location": "eastus2", "tags": EVIL_TAGS,
                                  "properties": {"vmId": "11111111-2222-3333-4444-555555555555",
                                                 "timeCreated": "2026-01-01T00:00:00Z"}}]}, f)
        config = self.path("config.json")
        with open(config, "w") as f:
            json.dump({"organization": "=Org", "frameworks": ["hipaa", "sox"]}, f)
        self.snapshot, self.findings = collect_and_evaluate(self.tmp, raw, config, "evil")
        self.xlsx = self.path("evil.xlsx")
        rc, _, err = render(self.snapshot, self.findings, self.xlsx)
        self.assertEqual(rc, 0, err)

    def test_tag_values_are_text(self):
        wb = openpyxl.load_workbook(self.xlsx)
        ws = wb["Virtual Machines"]
        hdr = [c.value for c in ws[1]]
        row = ws[2]
        for key, value in EVIL_TAGS.items():
            cell = row[hdr.index("Tag: " + key)]
            self.assertEqual(cell.data_type, "s", key)
            self.assertEqual(cell.value, ("'" + value) if value[0] in "=+-@\t" else value, key)
        owner = row[hdr.index("Tag: Owner")]
        self.assertEqual(owner.value, "'=HYPERLINK(\"http://x\",\"y\")")
        vaults = wb["Vaults"]
        self.assertIn("Owner=+cmd", vaults[2][[c.value for c in vaults[1]].index("Tags")].value)

    def test_no_formula_outside_the_summary(self):
        with zipfile.ZipFile(self.xlsx) as z:
            names = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
            with_formulas = [n for n in names if b"<f>" in z.read(n)]
        self.assertEqual(with_formulas, ["xl/worksheets/sheet2.xml"])  # the Summary only

    def test_csv_export_is_inert(self):
        out = subprocess.run(["xlsx2csv", "-n", "Virtual Machines", self.xlsx], capture_output=True, check=True)
        for line in out.stdout.decode().splitlines():
            for field in line.split(","):
                self.assertFalse(field.startswith(("=", "+", "-", "@")), field)

    @runs_no_vaultproof
    def test_whole_workbook_checks(self):
        xlsx_check.check(self.xlsx, self.snapshot, self.findings, now=PINNED)


class StreamedPopulations(TempDirTest):
    """`render --xlsx` alone reads the snapshot lazily and streams protected items and VMs
    from the file; with --pdf too the snapshot is loaded whole. The workbooks must be the
    same bytes, on an estate big enough to span many of the reader's batches."""

    def test_streamed_workbook_is_the_loaded_one(self):
        from vptest import generate
        raw = self.path("raw")
        generate(raw, "scale", "--items", "3000", "--vaults", "12", "--subscriptions", "2")
        cfg = json.load(open(CONFIG, encoding="utf-8"))
        cfg.pop("scope", None)
        cfg["exemptions"] = []
        config = self.path("config.json")
        with open(config, "w", encoding="utf-8") as f:
            json.dump(cfg, f)
        snapshot, findings = collect_and_evaluate(self.tmp, raw, config, "gen")
        self.assertGreater(os.path.getsize(snapshot), 2 * 512 * 1024)  # several batches of the line reader
        rc, _, err = render(snapshot, findings, self.path("streamed.xlsx"))
        self.assertEqual(rc, 0, err)
        rc, _, err = render(snapshot, findings, self.path("loaded.xlsx"), "--pdf", self.path("loaded.pdf"))
        self.assertEqual(rc, 0, err)
        with open(self.path("streamed.xlsx"), "rb") as a, open(self.path("loaded.xlsx"), "rb") as b:
            self.assertTrue(a.read() == b.read(), "the streamed workbook differs from the loaded one")
        wb = openpyxl.load_workbook(self.path("streamed.xlsx"), read_only=True)
        snap = json.load(open(snapshot, encoding="utf-8"))
        self.assertEqual(wb["Protected Items"].max_row - 1, len(snap["protected_items"]))
        self.assertEqual(wb["Virtual Machines"].max_row - 1, len(snap["virtual_machines"]))

    def test_streamed_snapshot_out_of_order_is_refused(self):
        snapshot, findings = collect_and_evaluate(self.tmp, os.path.join(SAMPLE, "raw"), CONFIG, "sample")
        with open(snapshot, encoding="utf-8") as f:
            lines = f.read().split("\n")
        start = lines.index('  "protected_items": [') + 1
        first, second = lines[start], lines[start + 1]
        lines[start], lines[start + 1] = second, first  # both end in ','
        with open(snapshot, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
        # findings name the snapshot's hash: re-evaluate so that only the order is wrong
        rc, _, err = run(["evaluate", "--snapshot", snapshot, "--config", CONFIG, "--out", findings, "--now", PINNED,
                          "--quiet"])
        self.assertEqual(rc, 0, err)
        out = self.path("w.xlsx")
        rc, _, err = render(snapshot, findings, out)
        self.assertEqual(rc, 3, err)
        self.assertIn("expected the writer's order", err)
        self.assertIn("/protected_items/1/id", err)
        self.assertFalse(os.path.exists(out), "no partial workbook")


class Format2Workbook(unittest.TestCase):
    """What snapshot format 2 holds, in the workbook (issue 13), over the hand-made
    snapshot of render_format2.py, row by row with openpyxl."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="vp-xlsx2-")
        cls.snapshot, cls.findings, cls.facts = render_format2.make(cls.tmp)
        # with --pdf too the snapshot is read whole; --xlsx alone reads it lazily (below)
        cls.xlsx = os.path.join(cls.tmp, "format2.xlsx")
        rc, _, err = render(cls.snapshot, cls.findings, cls.xlsx, "--pdf", os.path.join(cls.tmp, "format2.pdf"))
        assert rc == 0, err
        cls.wb = openpyxl.load_workbook(cls.xlsx)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def rows(self, sheet, key, value):
        """The rows of a sheet whose column `key` is value, as {header: cell}."""
        ws = self.wb[sheet]
        hdr = [c.value for c in ws[1]]
        return [dict(zip(hdr, r)) for r in ws.iter_rows(min_row=2) if r[hdr.index(key)].value == value]

    def item(self, letter):
        found = self.rows("Protected Items", "Id", self.facts[letter]["id"])
        self.assertEqual(len(found), 1, letter)
        return found[0]

    @runs_no_vaultproof
    def test_whole_workbook_checks(self):
        xlsx_check.check(self.xlsx, self.snapshot, self.findings, now=PINNED)

    def test_item_policy(self):
        self.assertEqual(self.item("a")["Policy"].value, self.facts["a_policy"])
        self.assertEqual(self.item("b")["Policy"].value, "pol-gone-away (not found)")
        self.assertEqual(self.item("b")["Policy link"].value, "missing")

    def test_last_backup_never_and_milliseconds(self):
        self.assertIsNone(self.item("c")["Last backup (UTC)"].value)  # not reported: an empty cell
        self.assertEqual(self.item("d")["Last backup (UTC)"].value, "never")
        cell = self.item("e")["Last backup (UTC)"]
        self.assertEqual(cell.value.replace(microsecond=round(cell.value.microsecond, -3)),
                         datetime.datetime(2026, 9, 29, 21, 47, 26, 472000))
        self.assertEqual(cell.number_format, "yyyy-mm-dd hh:mm:ss.000")
        whole = self.item("a")["Last backup (UTC)"]
        self.assertIn(whole.number_format, ("yyyy-mm-dd hh:mm:ss", "yyyy-mm-dd hh:mm:ss.000"))

    def test_vault_configuration(self):
        v = self.rows("Vaults", "Vault", "rsv-epic-standard-eus2")[0]
        self.assertEqual(v["Immutability type"].value, "TimeBased")
        self.assertEqual(v["Immutability duration (days)"].value, 30)
        self.assertEqual(v["Source scan"].value, "Enabled")
        self.assertEqual(v["API version"].value, "2026-08-01")
        self.assertEqual(v["Backup engines"].value, 1)
        self.assertEqual(v["List: backupEngines"].value, "complete")
        never = self.rows("Vaults", "Vault", "rsv-shared-mars-sin")[0]
        self.assertIsNone(never["Immutability"].value)
        self.assertEqual(never["Immutability settings"].value, "absent")
        self.assertEqual(never["Security settings"].value, "present")

    def test_engine_guard_deleted_vault_sheets(self):
        e = self.rows("Backup Engines", "Engine", "dpm-sql-01.contoso.local")
        self.assertEqual(len(e), 1)
        e = e[0]
        self.assertEqual(e["Vault"].value, "rsv-epic-standard-eus2")
        self.assertEqual((e["Registration status"].value, e["Health status"].value), ("Registered", "Healthy"))
        self.assertEqual((e["DPM version"].value, e["Agent version"].value), ("14.0.30.0", "2.0.9262.0"))
        self.assertEqual((e["Protected servers"].value, e["Protected items"].value), (3, 12))
        self.assertEqual(e["Last reported (UTC)"].number_format, "yyyy-mm-dd hh:mm:ss.000")
        guards = self.rows("Resource Guards", "Guard id", render_format2.GUARD_ID)
        self.assertEqual([g["Vault"].value for g in guards], ["rsv-epic-immutable-wus3"])
        g = guards[0]
        self.assertEqual(g["Status"].value, "read")
        self.assertEqual(g["Isolation"].value, "other subscription (tenant not known)")
        self.assertEqual(g["Excluded operations"].value, "Microsoft.RecoveryServices/vaults/backupconfig/write")
        self.assertIs(g["Auto approvals allowed"].value, False)
        guards = self.rows("Resource Guards", "Guard id", render_format2.GUARD2_ID)
        self.assertEqual([g["Vault"].value for g in guards], ["rsv-fin-sox-plc"])
        g = guards[0]
        self.assertEqual((g["Status"].value, g["Detail"].value), ("unreadable", "HTTP 403 AuthorizationFailed"))
        self.assertEqual(g["Isolation"].value, "same subscription")
        self.assertIsNone(g["Excluded operations"].value)  # not read: not reported, never "none"
        self.assertIsNone(g["Auto approvals allowed"].value)
        d = self.rows("Deleted Vaults", "Vault", "rsv-old-eus2")
        self.assertEqual(len(d), 1)
        self.assertEqual(d[0]["Vault id"].value, render_format2.DELETED["vault_id"])
        self.assertEqual(d[0]["Deleted (UTC)"].value, datetime.datetime(2026, 9, 1, 10, 0))
        self.assertEqual(d[0]["Purge at (UTC)"].value, datetime.datetime(2026, 9, 15, 10, 0))

    def test_readme_describes_the_new_sheets(self):
        texts = json.load(open(os.path.join(os.path.dirname(__file__), "..", "..", "templates", "report",
                                            "workbook.json"), encoding="utf-8"))["sheets"]
        listed = {r[0]: r[1] for r in self.wb["README"].iter_rows(values_only=True) if r[0] in texts}
        for sheet in ["Backup Engines", "Resource Guards", "Deleted Vaults"]:
            self.assertEqual(listed.get(sheet), texts[sheet], sheet)

    def test_one_line_snapshot_alone_is_the_loaded_one(self):
        """--xlsx alone asks for a lazy read; a snapshot that is not in the canonical
        layout (this one is one line) is read whole, so the workbook is the same."""
        alone = os.path.join(self.tmp, "alone.xlsx")
        rc, _, err = render(self.snapshot, self.findings, alone)
        self.assertEqual(rc, 0, err)
        with open(alone, "rb") as a, open(self.xlsx, "rb") as b:
            self.assertTrue(a.read() == b.read(), "--xlsx alone lost rows of a non-canonical snapshot")

    def test_streamed_workbook_is_the_loaded_one(self):
        """The new arrays are loaded whole even when items and VMs are streamed: the
        collected (canonical) snapshot gives the same workbook either way."""
        snapshot, findings = collect_and_evaluate(self.tmp, os.path.join(SAMPLE, "raw"), CONFIG, "canonical")
        streamed, loaded = os.path.join(self.tmp, "streamed.xlsx"), os.path.join(self.tmp, "loaded.xlsx")
        rc, _, err = render(snapshot, findings, streamed)
        self.assertEqual(rc, 0, err)
        rc, _, err = render(snapshot, findings, loaded, "--pdf", os.path.join(self.tmp, "loaded.pdf"))
        self.assertEqual(rc, 0, err)
        with open(streamed, "rb") as a, open(loaded, "rb") as b:
            self.assertTrue(a.read() == b.read(), "the streamed workbook differs from the loaded one")
        xlsx_check.check(streamed, snapshot, findings, now=PINNED)


if __name__ == "__main__":
    main()
