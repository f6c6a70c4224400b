"""render --pdf on the Contoso Health sample, checked with independent tools: qpdf
(structure), pdfinfo (pages, metadata), pdffonts (every font embedded), pdftotext (the
citations, vault names, non-ASCII names, every failing finding's resource, "page N of
M"), mutool (outline) and pdftoppm (pages are not blank). Also: byte-identical output
with a pinned clock, a clean single revision a later incremental update can sign, the
population limit, glyph replacement, and the error contract (exit 3 / 6, no file)."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from vptest import BINARY, PINNED, SAMPLE, TempDirTest, load, main, run  # noqa: E402
import render_format2  # noqa: E402

RAW = os.path.join(SAMPLE, "raw")
CONFIG = os.path.join(SAMPLE, "vaultproof.json")
NON_ASCII = ["Zürich", "Kraków", "Łódź", "Księgowość", "Genève"]


def tool(*args, check=True):
    """Runs an external tool; returns stdout as text (stderr: see test_pdf_cmap.py)."""
    p = subprocess.run(list(args), capture_output=True, timeout=300)
    if check and p.returncode != 0:
        raise AssertionError("%s failed (%d): %s" % (args, p.returncode, p.stderr.decode("utf-8", "replace")))
    return p.stdout.decode("utf-8", "replace")


def squeeze(text):
    """Text without whitespace and hyphens: a table cell may wrap a name at '-', '/' or a
    space, and pdftotext joins a line ending in '-' with the next, dropping the hyphen."""
    return re.sub(r"[\s-]+", "", text)


def findings_lines(path):
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip().rstrip(",")
            if line.startswith('{"rule"'):
                out.append(json.loads(line))
    return out


def render(snapshot, findings, pdf, *extra):
    return run(["render", "--snapshot", snapshot, "--findings", findings, "--pdf", pdf, "--now", PINNED] + list(extra))


def gray_pages(pdf, first, last, prefix):
    """Renders pages at 50 dpi in greyscale (PGM) and returns, per page, the share of
    pixels that are not near-white."""
    tool("pdftoppm", "-r", "50", "-gray", "-f", str(first), "-l", str(last), pdf, prefix)
    shares = []
    folder, base = os.path.split(prefix)
    for name in sorted(os.listdir(folder)):
        if not (name.startswith(base + "-") and name.endswith(".pgm")):
            continue
        with open(os.path.join(folder, name), "rb") as fh:
            data = fh.read()
        m = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
        assert m, name
        w, h = int(m.group(1)), int(m.group(2))
        pixels = data[m.end():m.end() + w * h]
        assert len(pixels) == w * h, name
        shares.append(sum(1 for p in pixels if p < 200) / float(w * h))
    return shares


class SampleReport(TempDirTest):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="vp-pdf-")
        d = cls.dir
        cls.snap = os.path.join(d, "snapshot.json")
        cls.findings = os.path.join(d, "findings.json")
        rc, _, err = run(["collect", "--replay", RAW, "--config", CONFIG, "--out", cls.snap, "--now", PINNED, "--quiet"])
        assert rc == 0, err
        rc, _, err = run(["evaluate", "--snapshot", cls.snap, "--config", CONFIG, "--out", cls.findings, "--now", PINNED])
        assert rc == 0, err
        cls.pdf = os.path.join(d, "report.pdf")
        rc, _, err = render(cls.snap, cls.findings, cls.pdf, "--period", "2026-Q3", "--request-id", "AUD-117")
        assert rc == 0, err
        cls.render_err = err
        cls.text = tool("pdftotext", "-enc", "UTF-8", cls.pdf, "-")
        cls.info = tool("pdfinfo", "-isodates", cls.pdf)
        cls.pages = int(re.search(r"^Pages:\s+(\d+)", cls.info, re.M).group(1))
        cls.doc = load(cls.findings)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_qpdf_check(self):
        out = tool("qpdf", "--check", self.pdf)
        self.assertIn("No syntax or stream encoding errors found", out)

    def test_single_clean_revision(self):
        """What the signer appends to (signing.md 1.1): one classic xref, no /ID, no
        encryption, no annotations."""
        with open(self.pdf, "rb") as fh:
            data = fh.read()
        self.assertTrue(data.startswith(b"%PDF-1."))
        self.assertEqual(data.count(b"%%EOF"), 1)
        self.assertEqual(len(re.findall(rb"(?m)^xref\s*$", data)), 1)
        self.assertEqual(data.count(b"startxref"), 1)
        self.assertTrue(data.endswith(b"%%EOF\n"))
        trailer = data[data.rindex(b"trailer"):]
        self.assertNotIn(b"/ID", trailer)
        self.assertNotIn(b"/Encrypt", data)
        self.assertNotIn(b"/Annots", data)

    def test_metadata(self):
        self.assertGreaterEqual(self.pages, 20)
        self.assertRegex(self.info, r"(?m)^Title:\s+Azure Backup immutability and retention evidence$")
        self.assertRegex(self.info, r"(?m)^Author:\s+Contoso Health$")
        self.assertRegex(self.info, r"(?m)^Subject:\s+.*2026-Q3")
        self.assertRegex(self.info, r"(?m)^Keywords:\s+.*HIPAA.*SOX")
        self.assertRegex(self.info, r"(?m)^CreationDate:\s+2026-09-30T06:00:00(Z|\+00)")
        self.assertRegex(self.info, r"(?m)^Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)")

    def test_fonts_embedded(self):
        rows = tool("pdffonts", self.pdf).splitlines()[2:]
        self.assertTrue(rows)
        names = " ".join(r.split()[0] for r in rows)
        self.assertIn("DejaVuSans", names)
        self.assertIn("DejaVuSansMono", names)
        for r in rows:
            # name type [type] encoding emb sub uni object ID: emb is the 5th field from the end
            self.assertEqual(r.split()[-5], "yes", "not embedded: " + r)

    def test_page_numbers(self):
        for n in range(1, self.pages + 1):
            self.assertIn("page %d of %d" % (n, self.pages), self.text)

    def test_running_header(self):
        self.assertGreaterEqual(self.text.count("Period 2026-Q3 · request AUD-117"), self.pages - 1)
        self.assertIn("AUD-117", self.text)

    def test_citations_and_rules(self):
        flat = re.sub(r"\s+", " ", self.text)
        for c in self.doc["controls"]:
            self.assertIn(c["citation"], flat)
        for r in self.doc["rules"]:
            self.assertIn(squeeze(r["id"]), squeeze(self.text))

    def test_vault_names_and_hashes(self):
        snap = load(self.snap)
        for v in snap["vaults"]:
            self.assertIn(v["name"], self.text)
        self.assertIn(self.doc["snapshot"]["sha256"], self.text)
        self.assertIn(self.doc["catalog"]["version"], self.text)

    def test_parameters_in_force(self):
        flat = re.sub(r"\s+", " ", self.text)
        self.assertIn("Criticality = Tier0 | Tier1", flat)   # the critical selector from findings.json
        self.assertIn("Data class ephi", flat)
        self.assertIn("DataClass = ePHI", flat)

    def test_non_ascii_names(self):
        for name in NON_ASCII:
            self.assertIn(name, self.text)
        self.assertNotIn("\ufffd", self.text)
        self.assertNotIn("warning", self.render_err)

    def test_every_failing_resource(self):
        failing = [f for f in findings_lines(self.findings) if f["status"] == "fail"]
        self.assertTrue(failing)
        for f in failing:
            self.assertIn(squeeze(f["resource"]["name"]), squeeze(self.text), f["rule"])
        self.assertIn("Overall result: FAIL", self.text)

    def test_sections_and_outline(self):
        outline = tool("mutool", "show", self.pdf, "outline")
        self.assertIn("Cover", outline)
        for title in ["Contents", "Scope and method", "Executive summary", "Control matrices", "Vaults",
                      "Exceptions", "Population", "Appendix", "WORM region catalog", "Glossary", "File hashes",
                      "How to verify", "rsv-epic-immutable-wus3", "immutability.locked"]:
            self.assertIn(title, outline)
            self.assertIn(title, self.text)

    def test_pages_not_blank(self):
        shares = gray_pages(self.pdf, 1, 6, self.path("page"))
        self.assertEqual(len(shares), 6)
        for i, share in enumerate(shares, 1):
            self.assertGreater(share, 0.01, "page %d looks blank" % i)
        last = gray_pages(self.pdf, self.pages, self.pages, self.path("last"))
        self.assertGreater(last[0], 0.005)

    def test_deterministic(self):
        again = self.path("again.pdf")
        rc, _, err = render(self.snap, self.findings, again, "--period", "2026-Q3", "--request-id", "AUD-117")
        self.assertEqual(rc, 0, err)
        with open(self.pdf, "rb") as a, open(again, "rb") as b:
            self.assertEqual(a.read(), b.read())

    def test_population_limit(self):
        small = self.path("small.pdf")
        rc, _, err = render(self.snap, self.findings, small, "--population-limit", "50")
        self.assertEqual(rc, 0, err)
        text = tool("pdftotext", "-enc", "UTF-8", small, "-")
        items = len(load(self.snap)["protected_items"])
        self.assertIn("The snapshot holds %d protected items, more than the 50" % items, text)
        self.assertRegex(text, r"There are \d+ exceptions, more than the 50")
        pages = int(re.search(r"^Pages:\s+(\d+)", tool("pdfinfo", small), re.M).group(1))
        self.assertLess(pages, self.pages)
        self.assertIn("As of ", text)  # no --period: point in time
        for f in [f for f in findings_lines(self.findings) if f["status"] == "fail"]:
            self.assertIn(squeeze(f["resource"]["name"]), squeeze(text))


class Glyphs(TempDirTest):
    def test_uncovered_characters_are_replaced_and_counted(self):
        config = load(CONFIG)
        config["organization"] = "Klinik Zürich 医院"
        cfg = self.path("vaultproof.json")
        with open(cfg, "w", encoding="utf-8") as fh:
            json.dump(config, fh, ensure_ascii=False)
        snap, findings, pdf = self.path("s.json"), self.path("f.json"), self.path("r.pdf")
        rc, _, err = run(["collect", "--replay", RAW, "--config", cfg, "--out", snap, "--now", PINNED, "--quiet"])
        self.assertEqual(rc, 0, err)
        rc, _, err = run(["evaluate", "--snapshot", snap, "--config", cfg, "--out", findings, "--now", PINNED])
        self.assertEqual(rc, 0, err)
        rc, _, err = render(snap, findings, pdf)
        self.assertEqual(rc, 0, err)
        self.assertIn("U+533B", err)
        self.assertIn("U+9662", err)
        text = tool("pdftotext", "-enc", "UTF-8", pdf, "-")
        self.assertIn("Klinik Zürich \ufffd\ufffd", text)
        info = tool("pdfinfo", pdf)
        self.assertRegex(info, r"(?m)^Author:\s+Klinik Zürich")


class Errors(TempDirTest):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="vp-pdf-err-")
        cls.snap = os.path.join(cls.dir, "snapshot.json")
        cls.findings = os.path.join(cls.dir, "findings.json")
        rc, _, err = run(["collect", "--replay", RAW, "--config", CONFIG, "--out", cls.snap, "--now", PINNED, "--quiet"])
        assert rc == 0, err
        rc, _, err = run(["evaluate", "--snapshot", cls.snap, "--config", CONFIG, "--out", cls.findings, "--now", PINNED])
        assert rc == 0, err

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def assert_fails(self, code, args, mention):
        pdf = self.path("out.pdf")
        rc, _, err = run(["render", "--pdf", pdf, "--now", PINNED] + args)
        self.assertEqual(rc, code, err)
        self.assertIn(mention, err)
        self.assertFalse(os.path.exists(pdf))
        self.assertEqual([n for n in os.listdir(self.tmp) if n.endswith(".pdf") or ".tmp" in n], [])

    def test_missing_snapshot(self):
        missing = self.path("nope.json")
        self.assert_fails(3, ["--snapshot", missing, "--findings", self.findings], missing)

    def test_malformed_findings(self):
        bad = self.path("findings.json")
        with open(self.findings, encoding="utf-8") as fh:
            lines = fh.readlines()
        lines[120] = lines[120].replace('"status":"', '"status":7,"x":"', 1)
        with open(bad, "w", encoding="utf-8") as fh:
            fh.writelines(lines)
        self.assert_fails(3, ["--snapshot", self.snap, "--findings", bad], bad)

    def test_findings_of_another_snapshot(self):
        other = self.path("other.json")
        rc, _, err = run(["collect", "--replay", RAW, "--config", CONFIG, "--out", other, "--now", "2026-10-01T00:00:00Z",
                          "--quiet"])
        self.assertEqual(rc, 0, err)
        self.assert_fails(3, ["--snapshot", other, "--findings", self.findings], "findings.json")

    def test_missing_fonts(self):
        empty = self.path("fonts")
        os.mkdir(empty)
        self.assert_fails(3, ["--snapshot", self.snap, "--findings", self.findings, "--font-dir", empty], empty)

    def test_unwritable_output(self):
        target = self.path("no-such-dir", "report.pdf")
        rc, _, err = render(self.snap, self.findings, target)
        self.assertEqual(rc, 6, err)
        self.assertIn(target, err)
        self.assertFalse(os.path.exists(target))


class Format2Report(unittest.TestCase):
    """What snapshot format 2 holds, in the PDF (issue 13), over the hand-made snapshot of
    render_format2.py: the resolved policy of an item without policyName, "never" for no
    backup time, region names, the vault's immutability configuration and source scan,
    and the engines, resource guards and soft-deleted vaults at the end of the population."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="vp-pdf2-")
        cls.snap, cls.findings, cls.facts = render_format2.make(cls.dir)
        cls.pdf = os.path.join(cls.dir, "report.pdf")
        rc, _, err = render(cls.snap, cls.findings, cls.pdf)
        assert rc == 0, err
        cls.text = tool("pdftotext", "-enc", "UTF-8", cls.pdf, "-")
        # content-stream order: a table cell's lines stay together (a time's date and clock)
        cls.raw = tool("pdftotext", "-raw", "-enc", "UTF-8", cls.pdf, "-")
        cls.layout = tool("pdftotext", "-layout", "-enc", "UTF-8", cls.pdf, "-").splitlines()
        cls.flat = re.sub(r"\s+", " ", cls.text)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def row(self, friendly):
        """The first line of an item's row in the population table (pdftotext -layout)."""
        start = max(i for i, line in enumerate(self.layout) if "Every protected item in the snapshot" in line)
        rows = [line for line in self.layout[start:] if friendly in line]
        self.assertEqual(len(rows), 1, friendly)
        return rows[0]

    def test_item_policy_resolved_missing(self):
        line = self.row("item-a-no-policy-name")
        self.assertIn(self.facts["a_policy"][:8], line)
        self.assertNotRegex(line, r"\bnone\b")
        self.assertIn("polgoneaway(notfound)", squeeze(self.text))

    def test_never_for_no_backup_time(self):
        # not reported is not "never": only the API's placeholder means no backup yet
        self.assertNotRegex(self.row("item-c-no-backup-time"), r"\bnever\b")
        self.assertIn("\u2014", self.row("item-c-no-backup-time"))
        self.assertRegex(self.row("item-d-placeholder"), r"\bnever\b")
        self.assertNotIn("2001-01-01", self.row("item-d-placeholder"))  # (findings may quote it)
        # the population gives times to the second, the date above the time (issue 14)
        self.assertIn("2026-09-29", self.row("item-e-milliseconds"))
        self.assertIn(squeeze(render_format2.FRACTION[:10] + " " + render_format2.FRACTION[11:19]), squeeze(self.text))

    def test_region_names(self):
        self.assertIn("East US 2 (eastus2)", self.flat)
        # the snapshot names no display name for westus3: the built-in catalog's location
        # table (ARM's list of locations) does, so the vault page still shows one (issue 14)
        self.assertIn("West US 3 (westus3): ", self.flat)
        self.assertNotRegex(self.text, r"(?m)^\s*\(westus3\)")

    def test_vault_immutability_configuration_and_source_scan(self):
        self.assertIn("configurationTimeBased,30days", squeeze(self.text))
        self.assertIn("SourcescanEnabled", squeeze(self.text))
        self.assertIn("theAPIreturnednoimmutabilitysettingsatapiversion20260801", squeeze(self.text))

    def test_engines_guards_deleted_vaults(self):
        outline = tool("mutool", "show", self.pdf, "outline")
        for title in ["Backup engines", "Resource guards", "Soft-deleted vaults"]:
            self.assertIn(title, outline)
        text = squeeze(self.text)
        for value in ["dpmsql01.contoso.local", "14.0.30.0", "2.0.9262.0", "3/12",
                      "rguardcontosobackup", "othersubscription(tenantnotknown)", "notallowed",
                      "rguardfinsox", "HTTP403AuthorizationFailed",
                      "Microsoft.RecoveryServices/vaults/backupconfig/write", "rsvoldeus2"]:
            self.assertIn(value, text)
        # times to the second, the date above the clock in their cell (issue 14)
        for value in ["2026092923:10:", "2026090110:00:00", "2026091510:00:00"]:
            self.assertIn(value, squeeze(self.raw))
        # the unreadable guard's row (pdftotext -layout keeps a row's first line together)
        row = [line for line in self.layout if line.startswith("rsv-fin-sox-plc") and "rguard-fin-sox" in line]
        self.assertEqual(len(row), 1, row)
        self.assertRegex(row[0], r"unreadable: HTTP\s.*same subscription")


class LibharuMemSet(unittest.TestCase):
    """The program defines HPDF_MemSet (src/cli/hpdf_memset.c): a memset in place of
    libharu's byte loop, run in every page operator libharu writes. libharu calls it
    through its PLT, so the dynamic linker must bind libharu's calls to the program's."""

    def test_libharu_binds_to_the_programs_memset(self):
        env = dict(os.environ, LD_BIND_NOW="1", LD_DEBUG="bindings")
        p = subprocess.run([BINARY, "--version"], capture_output=True, env=env, timeout=60)
        self.assertEqual(p.returncode, 0)
        lines = [l for l in p.stderr.decode("utf-8", "replace").splitlines() if "`HPDF_MemSet'" in l]
        self.assertTrue(lines, "the dynamic linker bound no HPDF_MemSet")
        for line in lines:
            self.assertRegex(line, r"binding file \S*libhpdf\S* \[0\] to %s \[0\]" % re.escape(BINARY))


if __name__ == "__main__":
    main()
