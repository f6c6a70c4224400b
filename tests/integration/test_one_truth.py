"""One truth across the PDF, the workbook and findings.json (issue 14): the sample is
collected, evaluated and rendered to both; the PDF's text (pdftotext), the workbook
(openpyxl) and findings.json are read independently of vaultproof, and every count the
documents print is asserted equal to the one derived here from findings.json and the
snapshot: findings per vault and status (findings outside every vault in their own
row), per framework and status, per control and per rule; items without a policy (policy
link "none") per vault and in all; and "not tested" where no finding evidences a control
or rule (only not-applicable findings, or none); and the population counts (vaults,
policies, items, VMs, engines, guards, deleted vaults, subscriptions listed / only
referenced by resource ids / by reconciliation status) on the PDF's cover and the
workbook's Access sheet, derived here from the snapshot."""
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import openpyxl  # noqa: E402
from vptest import PINNED, SAMPLE, load, main, run  # noqa: E402

RAW = os.path.join(SAMPLE, "raw")
CONFIG = os.path.join(SAMPLE, "vaultproof.json")
STATUSES = ["pass", "warn", "fail", "not-applicable", "exempt", "incomplete"]
EVIDENCE = ["pass", "warn", "fail", "exempt", "incomplete"]
# the PDF's stacked-bar text line names the segments in this order, then not-applicable
BAR_ORDER = ["pass", "exempt", "warn", "incomplete", "fail", "not-applicable"]
VAULT_RE = re.compile(r"(/subscriptions/[^/]+/resourcegroups/[^/]+/providers/microsoft\.recoveryservices/vaults/[^/ ]+)")


def num(text):
    return int(text.replace(",", ""))


class OneTruth(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="vp-truth-")
        d = cls.dir
        snap, findings = os.path.join(d, "snapshot.json"), os.path.join(d, "findings.json")
        cls.pdf, cls.xlsx = os.path.join(d, "report.pdf"), os.path.join(d, "report.xlsx")
        for args in (["collect", "--replay", RAW, "--config", CONFIG, "--out", snap, "--now", PINNED, "--quiet"],
                     ["evaluate", "--snapshot", snap, "--config", CONFIG, "--out", findings, "--now", PINNED],
                     ["render", "--snapshot", snap, "--findings", findings, "--pdf", cls.pdf, "--xlsx", cls.xlsx,
                      "--now", PINNED]):
            rc, _, err = run(args)
            assert rc in (0, 1), (args, rc, err)  # evaluate exits 1 when the sample fails
        p = subprocess.run(["pdftotext", "-enc", "UTF-8", cls.pdf, "-"], capture_output=True, check=True)
        cls.text = p.stdout.decode("utf-8")
        p = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", cls.pdf, "-"], capture_output=True, check=True)
        cls.layout = p.stdout.decode("utf-8")
        cls.snap, cls.doc = load(snap), load(findings)
        cls.wb = openpyxl.load_workbook(cls.xlsx, read_only=True)
        cls.expected_from_sources()

    @classmethod
    def tearDownClass(cls):
        cls.wb.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    @classmethod
    def expected_from_sources(cls):
        """The counts, derived here from findings.json and the snapshot."""
        vaults = {v["id"].lower(): v["name"] for v in cls.snap["vaults"]}
        cls.vault_names = [v["name"] for v in cls.snap["vaults"]]
        by_vault = collections.defaultdict(collections.Counter)
        for f in cls.doc["findings"]:
            m = VAULT_RE.search((f["resource"].get("id") or "").lower())
            by_vault[vaults.get(m.group(1)) if m else None][f["status"]] += 1
        cls.by_vault = by_vault
        fw_of = collections.defaultdict(set)
        for c in cls.doc["controls"]:
            fw_of[c["citation"]].add(c["framework"])
        by_fw = collections.defaultdict(collections.Counter)
        for r in cls.doc["rules"]:
            for fw in set().union(*[fw_of[c] for c in r["citations"]] or [set()]):
                for st in STATUSES:
                    by_fw[fw][st] += r["counts"][st]
        cls.by_fw = by_fw
        vault_of_id = {v["id"].lower(): v["name"] for v in cls.snap["vaults"]}
        cls.without = collections.Counter()
        for it in cls.snap["protected_items"]:
            if (it.get("policy") or {}).get("link") == "none":
                cls.without[vault_of_id.get((it["vault_id"] or "").lower())] += 1

    def test_sources_cover_every_finding(self):
        total = sum(sum(c.values()) for c in self.by_vault.values())
        self.assertEqual(total, len(self.doc["findings"]))
        self.assertEqual(total, self.doc["summary"]["findings"])
        for st in STATUSES:
            self.assertEqual(sum(c[st] for c in self.by_vault.values()), self.doc["summary"]["counts"][st], st)
        self.assertTrue(self.without, "the sample has items without a policy")

    # ---- workbook ----

    def summary_rows(self):
        return [list(r) for r in self.wb["Summary"].iter_rows(values_only=True)]

    def block(self, heading):
        rows = self.summary_rows()
        start = next(i for i, r in enumerate(rows) if r and r[0] == heading)
        header = rows[start + 1]
        out = []
        for r in rows[start + 2:]:
            if not r or r[0] is None:
                break
            out.append(dict(zip(header, r)))
        return out

    def counts_of(self, row):
        names = {"Pass": "pass", "Warn": "warn", "Fail": "fail", "Not applicable": "not-applicable",
                 "Exempt": "exempt", "Incomplete": "incomplete"}
        return {names[k]: int(v) for k, v in row.items() if k in names}

    def test_workbook_per_vault(self):
        rows = self.block("Vaults")
        self.assertEqual(len(rows), len(self.vault_names) + 1)
        for row in rows[:-1]:
            want = self.by_vault[row["Vault"]]
            self.assertEqual(self.counts_of(row), {s: want[s] for s in STATUSES}, row["Vault"])
        want = self.by_vault[None]
        self.assertEqual(self.counts_of(rows[-1]), {s: want[s] for s in STATUSES}, "outside vaults")

    def test_workbook_per_framework(self):
        rows = {r["Framework"]: r for r in self.block("Findings by framework")}
        for fw, want in self.by_fw.items():
            self.assertEqual(self.counts_of(rows[fw]), {s: want[s] for s in STATUSES}, fw)
            self.assertEqual(rows[fw]["Findings"], sum(want.values()), fw)

    def test_workbook_per_control_and_rule(self):
        controls = self.block("Findings by control")
        self.assertEqual(len(controls), len(self.doc["controls"]))
        for row, c in zip(controls, self.doc["controls"]):
            self.assertEqual(row["Citation"], c["citation"])
            self.assertEqual(self.counts_of(row), c["counts"], c["citation"])
            tested = any(c["counts"][s] for s in EVIDENCE)
            self.assertEqual(row["Operated effectively"] == "not tested", not tested, c["citation"])
        rules = self.block("Findings by rule")
        for row, r in zip(rules, self.doc["rules"]):
            self.assertEqual(row["Rule"], r["id"])
            self.assertEqual(self.counts_of(row), r["counts"], r["id"])
            self.assertEqual(row["Operated effectively"] == "not tested", not any(r["counts"][s] for s in EVIDENCE))

    def test_workbook_without_policy(self):
        counted = collections.Counter()
        for ws in self.wb.worksheets:
            if not ws.title.startswith("Protected Items"):
                continue
            rows = ws.iter_rows(values_only=True)
            header = list(next(rows))
            link, vault = header.index("Policy link"), header.index("Vault")
            for r in rows:
                if r[link] == "none":
                    counted[r[vault]] += 1
        self.assertEqual(sum(counted.values()), sum(self.without.values()))
        for name in self.vault_names:
            self.assertEqual(counted[name], self.without[name], name)

    # ---- PDF ----

    def bar_lines(self):
        return re.findall(r"^pass ([\d,]+) · exempt ([\d,]+) · warn ([\d,]+) · incomplete ([\d,]+) · fail ([\d,]+) · "
                          r"not-applicable ([\d,]+) · ([\d,]+) findings$", self.text, re.M)

    def test_pdf_bars_give_every_number_as_text(self):
        lines = self.bar_lines()
        fws = [fw for fw in ("hipaa", "sox") if fw in self.by_fw]
        wanted = [self.by_fw[fw] for fw in fws]
        shown = min(len(self.vault_names), 15)
        self.assertGreaterEqual(len(lines), len(fws) + shown)
        for got, want in zip(lines, wanted):
            self.assertEqual([num(x) for x in got[:6]], [want[s] for s in BAR_ORDER])
            self.assertEqual(num(got[6]), sum(want.values()))
        # per vault: the bars of the vault chart, in its order, are some vaults and then
        # "outside vaults"; each equals one of the expected rows
        expected = {tuple(c[s] for s in BAR_ORDER) for c in self.by_vault.values()}
        for got in lines[len(fws):]:
            self.assertIn(tuple(num(x) for x in got[:6]), expected)
        # the number at a bar's end is every finding of it, not-applicable included
        ends = re.findall(r"^([\d,]+)\npass [\d,]+ · .* · ([\d,]+) findings$", self.text, re.M)
        self.assertEqual(len(ends), len(lines))
        for end, total in ends:
            self.assertEqual(num(end), num(total))
        outside = tuple(self.by_vault[None][s] for s in BAR_ORDER)
        self.assertEqual(tuple(num(x) for x in lines[-1][:6]), outside, "the last bar is outside vaults")

    def test_pdf_vault_pages(self):
        """Each vault page's "Findings" line gives the same counts as findings.json."""
        flat = re.sub(r"\s+", " ", self.text)
        order = ["fail", "incomplete", "warn", "exempt", "pass", "not-applicable"]
        for name in self.vault_names:
            want = self.by_vault[name]
            parts = ["%s %s" % (format(want[s], ","), s) for s in order if want[s]]
            line = "%s (%s findings)" % (", ".join(parts), format(sum(want.values()), ","))
            self.assertIn(line, flat, name)

    def test_pdf_without_policy(self):
        m = re.search(r"^without policy\s*\n\s*([\d,]+) items?$", self.text, re.M)
        self.assertTrue(m, "the retention chart's without-policy bar")
        self.assertEqual(num(m.group(1)), sum(self.without.values()))

    def test_pdf_vault_pages_without_policy(self):
        """The vault pages' item tables (vault order, "Without policy" the last column)
        add up, vault by vault, to the items whose policy link is none. A table that
        continues on the next page repeats its header (a part of its own here), so the
        vaults are compared by their non-zero counts, in order, and by the total."""
        lines = self.layout.splitlines()
        per_table = []
        for i, line in enumerate(lines):
            if not re.match(r"^Item kind\s+Items\s+Protection states\s+Without policy\s*$", line):
                continue
            total = 0
            for row in lines[i + 1:]:
                m = re.match(r"^(\S+)\s+([\d,]+) .*\s([\d,]+)\s*$", row)
                if m:
                    total += num(m.group(3))
                elif row.strip() and not row.startswith(" "):
                    break
            per_table.append(total)
        with_items = [v["name"] for v in self.snap["vaults"]
                      if any((it["vault_id"] or "").lower() == v["id"].lower() for it in self.snap["protected_items"])]
        wanted = [self.without[name] for name in with_items]
        self.assertEqual(sum(per_table), sum(self.without.values()))
        self.assertEqual([n for n in per_table if n], [n for n in wanted if n])

    def test_pdf_not_tested(self):
        untested = [r for r in self.doc["rules"] if not any(r["counts"][s] for s in EVIDENCE)]
        self.assertTrue(untested, "the sample has rules nothing tested")
        self.assertGreaterEqual(self.text.count("not tested"), len(untested))
        tested_operated = len(re.findall(r"operated \d+ of \d+", self.text))
        tested = sum(1 for r in self.doc["rules"] if any(r["counts"][s] for s in EVIDENCE))
        tested += sum(1 for c in self.doc["controls"] if any(c["counts"][s] for s in EVIDENCE))
        self.assertEqual(tested_operated, tested)

    def population_from_snapshot(self):
        """The population counts, derived here from the snapshot JSON alone."""
        s = self.snap
        listed = {x["subscription_id"].lower() for x in s["subscriptions"] if x["listed"]}
        referenced = {x["subscription_id"].lower() for x in s["subscriptions"] if not x["listed"]}
        for kind in ("vaults", "virtual_machines", "resource_guards"):
            referenced |= {x["subscription_id"].lower() for x in s[kind]
                           if x.get("subscription_id") and x["subscription_id"].lower() not in listed}
        access = s["collection"]["access"]
        status = collections.Counter(x["status"] for x in access["subscriptions"])
        return {"vaults": len(s["vaults"]), "backup policies": len(s["policies"]),
                "protected items": len(s["protected_items"]), "virtual machines": len(s["virtual_machines"]),
                "backup engines": len(s["backup_engines"]), "resource guards": len(s["resource_guards"]),
                "soft-deleted vaults": len(s["deleted_vaults"]), "subscriptions listed": len(listed),
                "subscriptions only referenced by resource ids": len(referenced),
                "subscriptions in scope and visible": status["in-scope"],
                "subscriptions in scope but not visible": status["not-visible"],
                "subscriptions visible but out of scope": status["out-of-scope"]}

    def cover_value(self, key, next_key):
        """A cover row's value, wrapped lines joined: text between key and next_key on page 1."""
        page = " ".join(self.layout.split("\f")[0].split())
        m = re.search(re.escape(key) + r" (.*?) " + re.escape(next_key) + " ", page)
        self.assertIsNotNone(m, "cover row %r not found" % key)
        return m.group(1)

    def test_population_counts_agree(self):
        expected = self.population_from_snapshot()
        pdf = {}
        for key, nxt in (("Population", "Snapshot"), ("Subscriptions", "Population")):
            for part in re.sub(r" \(listed in Scope and method\)$", "", self.cover_value(key, nxt)).split(", "):
                m = re.match(r"^([\d,]+) (.+)$", part)
                self.assertIsNotNone(m, "cover part %r of %s" % (part, key))
                pdf[m.group(2)] = num(m.group(1))
        book = {r[2]: r[4] for r in self.wb["Access"].iter_rows(min_row=2, values_only=True) if r[0] == "population"}
        self.assertEqual(pdf, expected)
        self.assertEqual(book, expected)
        # the sample: every subscription in scope is visible, and its principal reads them all
        self.assertEqual(expected["subscriptions in scope and visible"], 3)
        self.assertIn("vaultproof-collector", self.cover_value("Collector identity", "Subscriptions"))
        self.assertIn("certificate credential", self.cover_value("Collector identity", "Subscriptions"))


if __name__ == "__main__":
    main()
