"""vaultproof sample: the reproducible audit sample (docs/sampling.md) over the sample
estate's snapshot and findings and a generated quarter of jobs, checked against the
method's independent Python implementation (tests/tools/redraw_sample.py): the same
members, draw values, allocation and population hash; the CSV is RFC 4180 with CRLF;
the workbook's Sample sheet holds the record's facts and the table; usage errors."""
import csv
import hashlib
import io
import json
import os
import subprocess
import sys
import shutil
import tempfile
import zipfile

sys.path.insert(0, os.path.dirname(__file__))
from vptest import GENERATOR, light_sample, PINNED, SAMPLE, SOURCE, TempDirTest, load, main, run, sample_evidence  # noqa: E402

REDRAW = os.path.join(SOURCE, "tests", "tools", "redraw_sample.py")


def redraw(*args):
    p = subprocess.run([sys.executable, REDRAW] + list(args), capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


class Sample(TempDirTest):
    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp(prefix="vp-it-sample-")
        cls.snapshot = os.path.join(cls.root, "snapshot.json")
        cls.findings = os.path.join(cls.root, "findings.json")
        sample_evidence(cls.snapshot, cls.findings)
        # a quarter of nightly jobs (gen_estate.py scale), streamed by collect --jobs-out
        gen = os.path.join(cls.root, "gen")
        subprocess.run([sys.executable, GENERATOR, "scale", "--items", "30", "--vaults", "3", "--jobs-period",
                        "2026-Q3", "--out", gen], check=True, capture_output=True)
        cls.jobs = os.path.join(cls.root, "jobs.jsonl")
        rc, _, err = run(["collect", "--replay", gen, "--period", "2026-Q3", "--jobs-out", cls.jobs, "--out",
                          os.path.join(cls.root, "gen-snapshot.json"), "--now", PINNED, "--quiet"])
        assert rc == 0, err

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.root, ignore_errors=True)

    def sample(self, population, file_option, path, size, seed, *extra):
        out = self.path("%s-%s.csv" % (population, seed))
        rc, _, err = run(["sample", "--population", population, "--size", str(size), "--seed", seed,
                          "--" + file_option, path, "--out-csv", out] + list(extra))
        self.assertEqual(rc, 0, err)
        return out, out[:-4] + ".json"

    def assert_redrawn(self, record, population_file):
        rc, out, err = redraw("--check", record, population_file)
        self.assertEqual(rc, 0, out + err)
        self.assertTrue(out.startswith("SAME: "), out)

    def test_items_plain_and_by_vault_agree_with_python(self):
        for extra in ([], ["--strata", "vault"]):
            _, record = self.sample("items", "snapshot", self.snapshot, 25, "20261001", *extra)
            rec = load(record)
            self.assertEqual(rec["format"], "vaultproof-sample/1")
            self.assertEqual(rec["method"], "sha256-smallest/1")
            self.assertEqual(rec["population"]["size"], len(load(self.snapshot)["protected_items"]))
            with open(self.snapshot, "rb") as f:
                self.assertEqual(rec["population"]["sha256"], hashlib.sha256(f.read()).hexdigest())
            self.assertEqual(rec["size_drawn"], 25)
            self.assert_redrawn(record, self.snapshot)
            if extra:
                vaults = load(self.snapshot)["vaults"]
                self.assertEqual(len(rec["allocation"]), len(vaults))  # every item lies in a listed vault
                self.assertTrue(all(a["drawn"] >= 1 for a in rec["allocation"]), rec["allocation"])
                self.assertEqual(sum(a["drawn"] for a in rec["allocation"]), 25)

    def test_findings_and_vms_agree_with_python(self):
        for population, option, path in (("findings", "findings", self.findings), ("vms", "snapshot", self.snapshot)):
            for extra in ([], ["--strata", "vault"]):
                _, record = self.sample(population, option, path, 40, "ACME-2026-Q3", *extra)
                self.assert_redrawn(record, path)

    def test_jobs_agree_with_python_and_skip_nothing_else(self):
        with open(self.jobs, encoding="utf-8") as f:
            lines = sum(1 for line in f if '"detail_of"' not in line)
        for extra in ([], ["--strata", "vault"]):
            _, record = self.sample("jobs", "jobs", self.jobs, 30, "7", *extra)
            self.assertEqual(load(record)["population"]["size"], lines)
            self.assert_redrawn(record, self.jobs)

    def test_csv_is_rfc4180_with_the_records_members(self):
        csv_path, record = self.sample("findings", "findings", self.findings, 15, "csv")
        with open(csv_path, "rb") as f:
            data = f.read()
        self.assertTrue(data.endswith(b"\r\n"))
        self.assertNotIn(b"\n", data.replace(b"\r\n", b""))  # every line ends in CRLF
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
        self.assertEqual(rows[0], ["ordinal", "stratum", "key", "sha256", "rule", "status", "resource_type",
                                   "resource_name"])
        members = load(record)["members"]
        self.assertEqual([(int(r[0]), r[2], r[3]) for r in rows[1:]],
                         [(m["ordinal"], m["key"], m["sha256"]) for m in members])
        ordinals = [m["ordinal"] for m in members]
        self.assertEqual(ordinals, sorted(ordinals))  # population order
        for r in rows[1:]:  # each draw value checks by hand: SHA-256(seed, 0x00, key)
            self.assertEqual(r[3], hashlib.sha256(b"csv\x00" + r[2].encode("utf-8")).hexdigest())

    def test_same_seed_same_bytes_other_seed_other_sample(self):
        a, ra = self.sample("items", "snapshot", self.snapshot, 10, "one")
        with open(a, "rb") as f:
            first = f.read()
        a2, _ = self.sample("items", "snapshot", self.snapshot, 10, "one")
        with open(a2, "rb") as f:
            self.assertEqual(f.read(), first)
        _, rb = self.sample("items", "snapshot", self.snapshot, 10, "two")
        self.assertNotEqual([m["key"] for m in load(ra)["members"]], [m["key"] for m in load(rb)["members"]])

    def test_size_beyond_population_draws_everyone(self):
        _, record = self.sample("vms", "snapshot", self.snapshot, 100000, "all")
        rec = load(record)
        self.assertEqual(rec["size_drawn"], rec["population"]["size"])
        self.assertEqual([m["ordinal"] for m in rec["members"]], list(range(1, rec["size_drawn"] + 1)))

    def test_workbook_sample_sheet(self):
        xlsx = self.path("sample.xlsx")
        _, record = self.sample("items", "snapshot", self.snapshot, 12, "wb", "--strata", "vault", "--out-xlsx",
                                xlsx, "--now", PINNED)
        with zipfile.ZipFile(xlsx) as z:
            self.assertIn("Sample", z.read("xl/workbook.xml").decode())
            strings = z.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in z.namelist() else ""
            sheet = z.read("xl/worksheets/sheet1.xml").decode()
        text = strings + sheet
        rec = load(record)
        for fact in ("Method", "Seed", "Population SHA-256", rec["population"]["sha256"], "wb"):
            self.assertIn(fact, text)
        for m in rec["members"]:
            self.assertIn(m["sha256"], text)
        first = open(xlsx, "rb").read()
        self.sample("items", "snapshot", self.snapshot, 12, "wb", "--strata", "vault", "--out-xlsx", xlsx, "--now",
                    PINNED)
        self.assertEqual(open(xlsx, "rb").read(), first, "a pinned clock gives the same workbook bytes")

    def test_usage_errors(self):
        out = self.path("x.csv")
        base = ["sample", "--population", "items", "--snapshot", self.snapshot, "--out-csv", out]
        for args, says in (
                (base + ["--size", "0", "--seed", "1"], "--size '0'"),
                (base + ["--size", "3", "--seed", "with space"], "seed"),
                (base + ["--size", "3"], "seed"),
                (base + ["--size", "3", "--seed", "1", "--strata", "region"], "--strata region"),
                (["sample", "--population", "jobs", "--snapshot", self.snapshot, "--size", "3", "--seed", "1",
                  "--out-csv", out], "--population jobs reads --jobs FILE"),
                (["sample", "--population", "people", "--size", "3", "--seed", "1", "--out-csv", out], "people"),
                (["sample", "--population", "items", "--snapshot", self.snapshot, "--size", "3", "--seed", "1"],
                 "--out-csv"),
                (base[:-1] + [self.snapshot, "--size", "3", "--seed", "1"], "distinct")):
            rc, _, err = run(args)
            self.assertEqual(rc, 2, (args, err))
            self.assertIn(says, err)
        self.assertFalse(os.path.exists(out))
        self.assertFalse(os.path.exists(self.path("x.json")))

    def test_wrong_file_is_input_error(self):
        rc, _, err = run(["sample", "--population", "jobs", "--jobs", self.snapshot, "--size", "3", "--seed", "1",
                          "--out-csv", self.path("x.csv")])
        self.assertEqual(rc, 3, err)
        self.assertIn(self.snapshot, err)
        self.assertFalse(os.path.exists(self.path("x.csv")))


class PackSample(TempDirTest):
    """pack --sample-size N --sample-seed S: the sample and its record in the bundle,
    listed in SHA256SUMS and the manifest, verified, re-drawn from the bundle alone by the
    command its README.txt prints; the workbook's Sample sheet. (Until 2026-12-04 this
    class sat below the main() call, so ctest never ran it.)"""

    def keygen(self):
        out = self.path("keys")
        rc, _, err = run(["keygen", "--out", out, "--now", PINNED])
        self.assertEqual(rc, 0, err)
        return out

    def pack(self, keys, *extra, expect=0, raw=None, period="2026-Q3"):
        """Packs light_sample() (an empty quarter: quick) unless raw names a recording; without
        a period, as a request (--request-id)."""
        archive = self.path("archive")
        args = ["pack", "--config", os.path.join(SAMPLE, "vaultproof.json"), "--replay", raw or light_sample(),
                "--out", archive, "--key", os.path.join(keys, "signer.key"), "--cert",
                os.path.join(keys, "signer.pem"), "--ca", os.path.join(keys, "ca.pem"), "--now", PINNED, "--quiet"]
        rc, out, err = run(args + (["--period", period] if period else ["--request-id", "AUD-1"]) + list(extra))
        self.assertEqual(rc, expect, err)
        return out.strip(), err

    def redrawn_from_the_bundle(self, keys, bundle, name):
        """Verifies the bundle, checks the sample's files are hashed and listed, runs the
        re-draw README.txt prints (from the bundle's folder, as it says) and returns the
        record, after checking it names the population NAME and the workbook has it."""
        rc, out, err = run(["verify", bundle, "--trust", os.path.join(keys, "ca.pem")])
        self.assertEqual(rc, 0, out + err)
        self.assertIn("bundle: VERIFIED", out)
        dest = self.path("x")
        os.makedirs(dest)
        subprocess.run(["tar", "-xzf", bundle, "-C", dest], check=True)
        top = os.path.join(dest, os.listdir(dest)[0])
        with open(os.path.join(top, "SHA256SUMS"), encoding="utf-8") as f:
            sums = f.read()
        for rel in ("data/sample.csv", "data/sample.json"):
            with open(os.path.join(top, rel), "rb") as f:
                self.assertIn("%s  %s" % (hashlib.sha256(f.read()).hexdigest(), rel), sums)
            self.assertIn(rel, [e["path"] for e in load(os.path.join(top, "manifest.json"))["files"]])
        rec = load(os.path.join(top, "data", "sample.json"))
        self.assertEqual(rec["population"]["name"], name)
        with open(os.path.join(top, rec["population"]["file"]), "rb") as f:
            self.assertEqual(rec["population"]["sha256"], hashlib.sha256(f.read()).hexdigest())
        with open(os.path.join(top, "README.txt"), encoding="utf-8") as f:
            readme = f.read().splitlines()
        # the printed command, run as printed from the bundle's folder (the script is in
        # vaultproof's sources, which README.txt says), and the answer it says to expect
        at = [i for i, line in enumerate(readme) if line.startswith("  python3 redraw_sample.py ")]
        self.assertEqual(len(at), 1, readme)
        argv = readme[at[0]].split()
        self.assertEqual(argv[2:], ["--check", "data/sample.json", rec["population"]["file"]])
        p = subprocess.run([sys.executable, REDRAW] + argv[2:], cwd=top, capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(readme[at[0] + 1], "  -> " + p.stdout.strip())
        with zipfile.ZipFile(os.path.join(top, "report", "workbook.xlsx")) as z:
            self.assertIn('name="Sample"', z.read("xl/workbook.xml").decode())
            # inline strings (libxlsxwriter's constant-memory mode): the sheets hold the text
            strings = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
            self.assertIn(rec["members"][0]["sha256"], strings)
            self.assertIn("The audit sample drawn for this bundle", strings)  # the README sheet's directory row
        return rec, top

    def test_period_bundle_samples_its_jobs(self):
        """Over a period whose jobs the bundle holds, the sample is of those jobs by default
        (the sample's own quarter: 39k job lines), allocated per vault."""
        keys = self.keygen()
        bundle, _ = self.pack(keys, "--sample-size", "25", "--sample-seed", "20261001", "--sample-strata", "vault",
                              raw=os.path.join(SAMPLE, "raw"))
        rec, top = self.redrawn_from_the_bundle(keys, bundle, "jobs")
        self.assertEqual(rec["population"]["file"], "data/jobs.jsonl")
        with open(os.path.join(top, "data", "jobs.jsonl"), encoding="utf-8") as f:
            lines = sum(1 for line in f if '"detail_of"' not in line)
        self.assertGreater(lines, 30000)
        self.assertEqual(rec["seed"], "20261001")
        self.assertEqual(rec["strata"], "vault")
        self.assertEqual(rec["size_drawn"], 25)
        self.assertGreater(len(rec["allocation"]), 1)
        self.assertEqual(sum(a["drawn"] for a in rec["allocation"]), 25)

    def test_bundle_without_jobs_samples_items(self):
        """Without a period the bundle holds no jobs: protected items by default, and
        --sample-population jobs is a usage error naming the missing file."""
        keys = self.keygen()
        bundle, _ = self.pack(keys, "--sample-size", "25", "--sample-seed", "20261001", period=None)
        rec, _ = self.redrawn_from_the_bundle(keys, bundle, "items")
        self.assertEqual(rec["population"]["file"], "data/snapshot.json")
        self.assertEqual(rec["size_drawn"], 25)
        shutil.rmtree(self.path("archive"))
        _, err = self.pack(keys, "--sample-size", "5", "--sample-seed", "x", "--sample-population", "jobs",
                           period=None, expect=2)
        self.assertIn("data/jobs.jsonl", err)

    def test_findings_population_and_usage_errors(self):
        keys = self.keygen()
        bundle, _ = self.pack(keys, "--sample-size", "5", "--sample-seed", "x", "--sample-population", "findings")
        names = subprocess.run(["tar", "-xzOf", bundle, "--wildcards", "*/data/sample.json"], capture_output=True,
                               check=True).stdout
        self.assertEqual(json.loads(names)["population"]["file"], "data/findings.json")
        for extra, says in ((["--sample-size", "5"], "--sample-seed"), (["--sample-seed", "x"], "--sample-size"),
                            (["--sample-size", "0", "--sample-seed", "x"], "--sample-size"),
                            (["--sample-size", "5", "--sample-seed", "x", "--sample-population", "people"], "people")):
            _, err = self.pack(keys, *extra, expect=2)
            self.assertIn(says, err)


if __name__ == "__main__":
    main()
