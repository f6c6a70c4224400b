"""The report's ToUnicode CMaps are valid (issue 14: poppler printed 101 "Invalid
'begincidrange' operator in ToUnicode CMap" warnings for libharu's CMaps; see
src/render/pdf_cmap.c). On the Contoso Health sample, rendered and packed (PAdES-signed):
pdftotext, pdffonts and pdfsig say nothing about ToUnicode or syntax on stderr, qpdf
--check passes, mutool reads the text without CMap errors; every ToUnicode stream, read
here independently with qpdf's JSON, is a ToUnicode CMap (bfrange/bfchar only, ranges
that vary in their last byte only, at most 100 entries a block, named Adobe-Identity-UCS);
every code the pages draw with a Type0 font maps through it to characters that pdftotext
prints; known words drawn in each of the three fonts are extracted; the signature still
verifies; the render is byte-identical twice."""
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(__file__))
from vptest import PINNED, SAMPLE, main, runs_no_vaultproof, run  # noqa: E402

RAW = os.path.join(SAMPLE, "raw")
CONFIG = os.path.join(SAMPLE, "vaultproof.json")
NOISE = ("ToUnicode", "Syntax Error", "Syntax Warning")
# Words of the sample drawn (at least partly) with each embedded font's Type0 (UTF-8)
# variant: non-ASCII characters are what that variant draws.
WORDS = {
    "DejaVuSans,Book": ["Zürich", "Łódź", "Księgowość"],
    "DejaVuSans-Bold,Bold": ["backup.rpo —"],
    "DejaVuSansMono,Book": ["Daten_Zürich", "Scans_Genève"],
}


def tool(*args):
    """(stdout, stderr) of an external tool, which must succeed."""
    p = subprocess.run(list(args), capture_output=True, timeout=300)
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode != 0:
        raise AssertionError("%s failed (%d): %s" % (args, p.returncode, err))
    return p.stdout.decode("utf-8", "replace"), err


def squeeze(text):
    """Text without whitespace and hyphens: a table cell may wrap a name at '-' or a space,
    and pdftotext joins a line ending in '-' with the next, dropping the hyphen."""
    return re.sub(r"[\s-]+", "", text)


def qpdf_objects(pdf):
    """Every object of pdf, with stream data decoded, from qpdf's JSON (version 2)."""
    out, _ = tool("qpdf", "--json=2", "--json-key=qpdf", "--json-stream-data=inline",
                  "--decode-level=generalized", pdf)
    return json.loads(out)["qpdf"][1]


def ref(objects, value):
    """The object a "N 0 R" value refers to (its "value" or its "stream")."""
    obj = objects["obj:" + value] if isinstance(value, str) and value.endswith(" R") else value
    if isinstance(obj, dict) and "value" in obj:
        return obj["value"]
    return obj


def stream_data(objects, value):
    return base64.b64decode(ref(objects, value)["stream"]["data"])


def parse_tounicode(text, test):
    """A ToUnicode CMap read by the rules of PDF 32000 9.10.3 / Adobe TN 5411: returns
    {code: unicode string}; asserts the structure on the way."""
    test.assertNotRegex(text, r"cidrange|cidchar|notdef")
    test.assertIn("/CMapName /Adobe-Identity-UCS def", text)
    test.assertIn("/CMapType 2 def", text)
    test.assertRegex(text, r"/Ordering \(UCS\)")
    space = re.search(r"(\d+) begincodespacerange\s+(.*?)endcodespacerange", text, re.S)
    test.assertIsNotNone(space, "no codespace")
    test.assertEqual(space.group(2).split(), ["<0000>", "<FFFF>"])
    mapping = {}
    blocks = re.findall(r"(\d+) begin(bfrange|bfchar)\s+(.*?)end\2", text, re.S)
    test.assertTrue(blocks)
    for count, kind, body in blocks:
        entries = body.strip().splitlines()
        test.assertEqual(len(entries), int(count))
        test.assertLessEqual(len(entries), 100)
        for entry in entries:
            hexes = re.findall(r"<([0-9A-Fa-f]+)>", entry)
            if kind == "bfrange":
                lo, hi, dst = (int(h, 16) for h in hexes)
                test.assertTrue(all(len(h) == 4 for h in hexes), entry)
                test.assertEqual(lo >> 8, hi >> 8, entry)  # only the last byte varies
                test.assertLessEqual((dst & 0xFF) + hi - lo, 0xFF, entry)
            else:
                lo = hi = int(hexes[0], 16)
                dst = int(hexes[1], 16)
            for code in range(lo, hi + 1):
                u = dst + code - lo
                test.assertFalse(0xD800 <= u <= 0xDFFF, entry)
                test.assertNotIn(code, mapping)
                mapping[code] = chr(u)
    return mapping


class SampleReport(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="vp-cmap-")
        d = cls.dir
        snap, findings = os.path.join(d, "snapshot.json"), os.path.join(d, "findings.json")
        rc, _, err = run(["collect", "--replay", RAW, "--config", CONFIG, "--out", snap, "--now", PINNED, "--quiet"])
        assert rc == 0, err
        rc, _, err = run(["evaluate", "--snapshot", snap, "--config", CONFIG, "--out", findings, "--now", PINNED])
        assert rc == 0, err
        cls.render_args = ["render", "--snapshot", snap, "--findings", findings, "--now", PINNED, "--period", "2026-Q3"]
        cls.pdf = os.path.join(d, "report.pdf")
        rc, _, err = run(cls.render_args + ["--pdf", cls.pdf])
        assert rc == 0, err
        rc, _, err = run(["keygen", "--out", os.path.join(d, "keys")])
        assert rc == 0, err
        rc, _, err = run(["pack", "--config", CONFIG, "--replay", RAW, "--out", os.path.join(d, "archive"),
                          "--key", os.path.join(d, "keys", "signer.key"),
                          "--cert", os.path.join(d, "keys", "signer.pem"),
                          "--now", PINNED, "--reproducible", "--period", "2026-Q3", "--quiet"])
        assert rc == 0, err
        (bundle,) = [n for n in os.listdir(os.path.join(d, "archive")) if n.endswith(".tar.gz")]
        os.makedirs(os.path.join(d, "x"))
        subprocess.run(["tar", "-xzf", os.path.join(d, "archive", bundle), "-C", os.path.join(d, "x")], check=True)
        (top,) = os.listdir(os.path.join(d, "x"))
        cls.signed = os.path.join(d, "x", top, "report", "report.pdf")
        cls.text, _ = tool("pdftotext", "-enc", "UTF-8", cls.pdf, "-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def assert_quiet(self, err, what):
        for noise in NOISE:
            self.assertNotIn(noise, err, "%s printed on stderr:\n%s" % (what, err[:2000]))

    @runs_no_vaultproof
    def test_poppler_quiet(self):
        for pdf in (self.pdf, self.signed):
            for args in (["pdftotext", pdf, os.devnull], ["pdffonts", pdf]):
                _, err = tool(*args)
                self.assert_quiet(err, " ".join(args[:1]) + " " + os.path.basename(os.path.dirname(pdf)))
        out, err = tool("pdfsig", self.signed)
        self.assert_quiet(err, "pdfsig")
        # pdfsig exits 0 even for a digest mismatch: both lines are required
        self.assertIn("Signature Validation: Signature is Valid.", out)
        self.assertIn("Total document signed", out)

    def test_fonts_have_tounicode(self):
        out, _ = tool("pdffonts", self.pdf)
        type0 = [ln for ln in out.splitlines()[2:] if "Identity-H" in ln]
        self.assertEqual(len(type0), 3, out)
        for line in type0:
            self.assertEqual(line.split()[-5:-2], ["yes", "yes", "yes"], line)  # emb sub uni

    @runs_no_vaultproof
    def test_qpdf_and_mutool(self):
        for pdf in (self.pdf, self.signed):
            out, _ = tool("qpdf", "--check", pdf)
            self.assertIn("No syntax or stream encoding errors found", out)
            _, err = tool("mutool", "draw", "-F", "txt", "-o", os.devnull, pdf)
            # mutool names each page it draws, and this build has no colour management
            said = [ln for ln in err.splitlines()
                    if not ln.startswith("page ") and ln != "warning: ICC support is not available"]
            self.assertEqual(said, [])

    def test_every_page_shares_one_resources_object(self):
        # one /Resources for all pages (pdf_layout.c, vpr_pdf_shared_resources): each font
        # named once, every font a page's text selects is named there; one /MediaBox
        objects = qpdf_objects(self.pdf)
        pages = [o["value"] for o in objects.values()
                 if isinstance(o.get("value"), dict) and o["value"].get("/Type") == "/Page"]
        self.assertGreater(len(pages), 10)
        inline = [p for p in pages if not isinstance(p["/Resources"], str)]
        self.assertEqual(inline, [], "pages with a /Resources of their own")
        shared = {page["/Resources"] for page in pages}
        self.assertEqual(len(shared), 1, shared)
        (res_ref,) = shared
        self.assertTrue(res_ref.endswith(" R"), "an indirect object: %r" % res_ref)
        res = ref(objects, res_ref)
        self.assertEqual(res["/ProcSet"], ["/PDF", "/Text", "/ImageB", "/ImageC", "/ImageI"])
        fonts = ref(objects, res["/Font"])
        self.assertEqual(len(set(fonts.values())), len(fonts), fonts)
        used = set()
        for page in pages:
            contents = page["/Contents"]
            for c in contents if isinstance(contents, list) else [contents]:
                used |= set(re.findall(r"/(\S+)\s+[\d.]+\s+Tf", stream_data(objects, c).decode("latin-1")))
        self.assertTrue(used and {"/" + u for u in used} <= set(fonts), (used, fonts))
        # and one /MediaBox (A4), on the root of the page tree, which every page inherits
        self.assertEqual([p for p in pages if "/MediaBox" in p], [])
        (root,) = [o["value"] for o in objects.values()
                   if isinstance(o.get("value"), dict) and o["value"].get("/Type") == "/Pages"
                   and "/Parent" not in o["value"]]
        for got, want in zip(root["/MediaBox"], [0, 0, 595.276, 841.89], strict=True):  # A4; libharu writes floats
            self.assertAlmostEqual(got, want, places=3)

    def test_tounicode_streams_are_valid_and_cover_the_text(self):
        objects = qpdf_objects(self.pdf)
        maps = {}
        for key, obj in objects.items():
            value = obj.get("value")
            if isinstance(value, dict) and value.get("/Subtype") == "/Type0":
                cmap = ref(objects, value["/ToUnicode"])["stream"]
                self.assertEqual(cmap["dict"].get("/CMapName"), "/Adobe-Identity-UCS")
                self.assertNotIn("/WMode", cmap["dict"])
                text = stream_data(objects, value["/ToUnicode"]).decode("ascii")
                maps[key[len("obj:"):]] = parse_tounicode(text, self)
        self.assertEqual(len(maps), 3)
        # every code drawn with a Type0 font, read from the content streams, maps to
        # characters that pdftotext prints (libharu writes such text as <hex> Tj)
        squeezed = squeeze(self.text)
        drawn = set()
        for obj in objects.values():
            page = obj.get("value")
            if not (isinstance(page, dict) and page.get("/Type") == "/Page"):
                continue
            res = ref(objects, page["/Resources"])
            names = ref(objects, res.get("/Font", {}))
            contents = page["/Contents"]
            for c in contents if isinstance(contents, list) else [contents]:
                data = stream_data(objects, c).decode("latin-1")
                font = None
                for m in re.finditer(r"/(\S+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f\s]*)>\s*Tj", data):
                    if m.group(1):
                        font = names.get("/" + m.group(1))
                    elif font in maps:
                        h = re.sub(r"\s", "", m.group(2))
                        codes = [int(h[i:i + 4], 16) for i in range(0, len(h), 4)]
                        for code in codes:
                            self.assertIn(code, maps[font], "code %04X unmapped" % code)
                        s = "".join(maps[font][code] for code in codes)
                        self.assertTrue(squeeze(s) in squeezed, "%r drawn but not extracted" % s)
                        drawn.add((font, s))
        self.assertEqual({f for f, _ in drawn}, set(maps), "every Type0 font draws text")
        # non-ASCII the report draws in every sample (no "…": no value is ever cut)
        self.assertTrue({"—", "·", "ó", "Ł"} <= {ch for _, s in drawn for ch in s}, drawn)

    @runs_no_vaultproof
    def test_known_words_in_every_font(self):
        out, _ = tool("mutool", "draw", "-F", "stext", "-o", "-", self.pdf)
        per_font = {}
        for font in ET.fromstring(out).iter("font"):
            s = "".join(ch.get("c", "") for ch in font.iter("char"))
            per_font[font.get("name")] = per_font.get(font.get("name"), "") + s + "\n"
        squeezed = squeeze(self.text)
        for font, words in WORDS.items():
            for word in words:
                # a cell may wrap inside a word: compare without whitespace
                self.assertTrue(squeeze(word) in squeeze(per_font.get(font, "")), "%s not drawn in %s" % (word, font))
                self.assertTrue(squeeze(word) in squeezed, "%s not extracted by pdftotext" % word)
        self.assertIn("rsv-epic-dr-chw", self.text)
        self.assertNotIn("\ufffd", self.text)

    def test_reproducible(self):
        again = os.path.join(self.dir, "again.pdf")
        rc, _, err = run(self.render_args + ["--pdf", again])
        self.assertEqual(rc, 0, err)
        with open(self.pdf, "rb") as a, open(again, "rb") as b:
            self.assertEqual(a.read(), b.read())


if __name__ == "__main__":
    main()
