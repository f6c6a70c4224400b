"""Readability of the report and the workbook (issue 14, "Readability", first bullet).

The sample is collected, evaluated and rendered; the PDF is read with pdftotext and the
workbook with openpyxl, and what they print is compared with the raw ARM responses of the
sample (read here, independently of vaultproof) and with findings.json:

- the population pages never cut a value: every protected item's name, protection state
  and last backup time (to the second) appear in its row, and no ellipsis is left;
- an in-VM database ("master" on every SQL server) names its server (serverName) and its
  instance (Azure's parentName), in the PDF and in the workbook;
- exempted findings are listed apart from the failures: the Exceptions section holds no
  exempt finding, the Exempted findings section and the workbook's Exempted Findings
  sheet hold every exempt finding and nothing else;
- DPM, Azure Backup Server and MARS items show their last recovery point;
- "as of" is never printed without its date;
- every location is shown with its display name (the built-in catalog's location table,
  the shape of ARM's List Locations).

pdftotext -raw keeps the order in which the report draws (a table cell's lines one after
the other), so a value wrapped inside its cell is found again once whitespace is removed;
pdftotext joins a line ending in '-' with the next and drops the hyphen, so hyphens are
removed too before comparing.
"""
import collections
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import openpyxl  # noqa: E402
from vptest import PINNED, SAMPLE, SOURCE, load, main, run  # noqa: E402

RAW = os.path.join(SAMPLE, "raw")
CONFIG = os.path.join(SAMPLE, "vaultproof.json")
WORKLOAD_DB = {"AzureVmWorkloadSQLDatabase", "AzureVmWorkloadSAPHanaDatabase", "AzureVmWorkloadSAPAseDatabase"}
ON_PREMISES = {"DPMProtectedItem", "MabFileFolderProtectedItem"}
ELLIPSIS = "\u2026"


def squeeze(text):
    return re.sub(r"[\s-]+", "", text)


def seconds(rfc3339):
    """'2026-09-29T21:47:26.4721946Z' -> '2026-09-29 21:47:26' (the population's precision)."""
    return rfc3339[:10] + " " + rfc3339[11:19]


def raw_items():
    """Every protected item of the sample's raw responses."""
    items = []
    for path in sorted(glob.glob(os.path.join(RAW, "**", "backupProtectedItems*.json"), recursive=True)):
        if path.endswith(".meta.json"):
            continue
        items.extend(load(path).get("value", []))
    return items


def pdftext(pdf, *args):
    p = subprocess.run(["pdftotext", "-enc", "UTF-8"] + list(args) + [pdf, "-"], capture_output=True, check=True)
    return p.stdout.decode("utf-8")


def between(text, start, end):
    """The text from the line that is exactly start (a section title) to the line that is
    exactly end."""
    lines = text.split("\n")
    first = max(i for i, line in enumerate(lines) if line.strip() == start)
    last = min(i for i, line in enumerate(lines) if i > first and line.strip() == end)
    return "\n".join(lines[first:last])


def sheet_rows(wb, name):
    rows = list(wb[name].iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, r)) for r in rows[1:]]


class Readability(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="vp-readability-")
        d = cls.dir
        snap, cls.findings_path = os.path.join(d, "snapshot.json"), os.path.join(d, "findings.json")
        cls.pdf, cls.xlsx = os.path.join(d, "report.pdf"), os.path.join(d, "report.xlsx")
        for args in (["collect", "--replay", RAW, "--config", CONFIG, "--out", snap, "--now", PINNED, "--quiet"],
                     ["evaluate", "--snapshot", snap, "--config", CONFIG, "--out", cls.findings_path, "--now", PINNED],
                     ["render", "--snapshot", snap, "--findings", cls.findings_path, "--pdf", cls.pdf, "--xlsx",
                      cls.xlsx, "--now", PINNED]):
            rc, _, err = run(args)
            assert rc in (0, 1), (args, rc, err)  # evaluate exits 1 when the sample fails
        cls.raw = pdftext(cls.pdf, "-raw")
        cls.layout = pdftext(cls.pdf, "-layout")
        cls.findings = load(cls.findings_path)["findings"]
        cls.items = raw_items()
        cls.wb = openpyxl.load_workbook(cls.xlsx, read_only=True)
        # the population table: from its intro to the estate tables that follow it
        start = cls.raw.index("Every protected item in the snapshot")
        cls.population = squeeze(cls.raw[start:cls.raw.index("Backup engines", start)])
        catalog = load(os.path.join(SOURCE, "templates", "regions", "worm.json"))
        cls.display = {loc["name"]: loc["displayName"] for loc in catalog["locations"]}

    @classmethod
    def tearDownClass(cls):
        cls.wb.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def rows_of(self, name):
        """Each stretch of the population text that begins with the item's name (its
        second line, under the display name) and runs to the end of its row."""
        key = squeeze(name)
        found = [m.start() for m in re.finditer(re.escape(key), self.population)]
        self.assertTrue(found, "item %s is not in the population pages" % name)
        return [self.population[i:i + len(key) + 200] for i in found]

    def assert_in_some_row(self, name, *values):
        """values appear, in this order, in one of the rows of the item."""
        wanted = [squeeze(v) for v in values]
        for row in self.rows_of(name):
            pos, ok = 0, True
            for w in wanted:
                pos = row.find(w, pos)
                if pos < 0:
                    ok = False
                    break
                pos += len(w)
            if ok:
                return
        self.fail("no population row of %s shows %s" % (name, " then ".join(values)))

    # ---- 1. no value cut ----

    def test_population_shows_every_value_in_full(self):
        self.assertEqual(len(self.items), 295)
        for item in self.items:
            p = item["properties"]
            values = [p["protectionState"]]
            if p.get("lastBackupTime", "").startswith("2001-01-01"):
                values.append("never")  # the API's "no backup yet" placeholder
            elif p.get("lastBackupTime"):
                values.append(seconds(p["lastBackupTime"]))
            self.assert_in_some_row(item["name"], *values)

    def test_no_ellipsis_anywhere(self):
        self.assertNotIn(ELLIPSIS, self.layout)
        self.assertNotIn(ELLIPSIS, self.raw)
        # the states the review found cut are whole
        for state in ("ProtectionStopped", "ProtectionError", "BackupsSuspended", "ProtectionPaused"):
            self.assertIn(state, self.population)

    # ---- 2. databases name their server and instance ----

    def test_databases_name_server_and_instance(self):
        dbs = [i for i in self.items if i["properties"].get("protectedItemType") in WORKLOAD_DB]
        self.assertEqual(len(dbs), 20)
        self.assertGreaterEqual(sum(1 for i in dbs if i["properties"]["friendlyName"] == "master"), 5)
        items_sheet = collections.Counter(r["Item"] for r in sheet_rows(self.wb, "Protected Items"))
        for item in dbs:
            p = item["properties"]
            instance = item["name"].split(";")[1]
            # the instance read from the item's name is Azure's parentName
            self.assertEqual(instance.lower(), p["parentName"].lower(), item["name"])
            label = "%s (server %s, instance %s)" % (p["friendlyName"], p["serverName"], instance)
            self.assertIn(squeeze(label), self.population, item["name"])
            self.assertIn(label, items_sheet, item["name"])
        for title in ("master", "model", "msdb"):
            self.assertNotIn(title, items_sheet, "a database titled only %s in the workbook" % title)
            self.assertNotRegex(self.layout, r"(?m)^\s*(EXEMPT|FAIL|WARN|INCOMPLETE)\s+%s ·" % title)

    # ---- 3. exemptions apart from failures ----

    def test_exempted_findings_listed_apart(self):
        exempt = [f for f in self.findings if f["status"] == "exempt"]
        failing = [f for f in self.findings if f["status"] in ("fail", "warn", "incomplete")]
        self.assertTrue(exempt)
        exceptions = between(self.layout, "Exceptions", "Exempted findings")
        exempted = between(self.layout, "Exempted findings", "Population")
        label = r"(?m)^\s*%s\s"
        self.assertEqual(len(re.findall(label % "EXEMPT", exceptions)), 0)
        self.assertEqual(len(re.findall(label % "EXEMPT", exempted)), len(exempt))
        for status, word in (("fail", "FAIL"), ("warn", "WARN"), ("incomplete", "INCOMPLETE")):
            self.assertEqual(len(re.findall(label % word, exceptions)),
                             sum(1 for f in failing if f["status"] == status), status)
            self.assertEqual(len(re.findall(label % word, exempted)), 0, status)
        rows = sheet_rows(self.wb, "Exempted Findings")
        self.assertEqual({r["Status"] for r in rows}, {"exempt"})
        self.assertEqual(sorted((r["Rule"], r["Resource id"]) for r in rows),
                         sorted((f["rule"], f["resource"]["id"]) for f in exempt))

    # ---- 4. DPM / MABS / MARS: last recovery point ----

    def test_on_premises_items_show_last_recovery_point(self):
        onprem = [i for i in self.items if i["properties"].get("protectedItemType") in ON_PREMISES]
        self.assertEqual(len(onprem), 13)
        sheet = {r["Name"]: r for r in sheet_rows(self.wb, "Protected Items")}
        for item in onprem:
            rp = item["properties"]["lastRecoveryPoint"]
            self.assert_in_some_row(item["name"], "last recovery point", seconds(rp))
            got = sheet[item["name"]]["Last recovery point (UTC)"]
            self.assertEqual(got.strftime("%Y-%m-%d %H:%M:%S"), seconds(rp), item["name"])

    # ---- 5. no dangling "as of" ----

    def test_as_of_has_its_date(self):
        text = re.sub(r"\s+", " ", pdftext(self.pdf))
        uses = re.findall(r"\bas of (\S+)", text)
        self.assertTrue(uses)
        for after in uses:
            self.assertRegex(after, r"^\d{4}-\d{2}-\d{2}", "'as of' followed by %r" % after)
        # the undated source is still cited, as undated
        self.assertIn("the document carries no date", text)

    # ---- 6. regions by display name ----

    def test_locations_have_display_names(self):
        def check(value, where):
            m = re.fullmatch(r"(.+) \(([a-z0-9]+)\)", value or "")
            self.assertTrue(m, "%s: %r has no display name" % (where, value))
            self.assertEqual(m.group(1), self.display[m.group(2)], where)
        for sheet in ("Vaults", "Virtual Machines", "Deleted Vaults", "Resource Guards"):
            for row in sheet_rows(self.wb, sheet):
                check(row["Location"], sheet)
        shown = re.findall(r"Region WORM status\s+(.+?):", self.layout)
        self.assertEqual(len(shown), 7)
        for value in shown:
            check(value.strip(), "vault page")
        deleted = [v for path in glob.glob(os.path.join(RAW, "subscriptions", "*", "locations", "*", "deletedVaults.json"))
                   for v in load(path).get("value", [])]
        self.assertTrue(deleted)
        estate = squeeze(self.raw[self.raw.index("Soft-deleted vault"):])
        for vault in deleted:
            loc = re.search(r"/locations/([^/]+)/", vault["id"]).group(1)  # the list's location
            self.assertIn(squeeze("%s (%s)" % (self.display[loc], loc)), estate)


if __name__ == "__main__":
    main()
