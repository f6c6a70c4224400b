"""vaultproof reperform: a bundle re-derives its own snapshot, findings and OSCAL document
byte for byte from raw/ and config/vaultproof.json (and so do the documented steps by
hand), baselines are found through the ledger or named as missing, and any edit of raw/,
the bundled config or a data file is reported as DIFFERENT."""
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from test_pack import retar  # noqa: E402
from vptest import light_sample, BINARY, PINNED, SAMPLE, SOURCE, TempDirTest, load, main, run  # noqa: E402

sys.path.insert(0, os.path.join(SOURCE, "tests", "emulator"))
from arm_emulator import Emulator  # noqa: E402
from test_live_collect import secret_env  # noqa: E402

LATER = "2026-09-30T07:00:00Z"
# a bundle packed over a period (every pack below: --period 2026-Q3) re-derives its jobs too
FILES = ["data/snapshot.json", "data/findings.json", "data/assessment-results.json", "data/jobs.jsonl"]
POINT_IN_TIME = FILES[:3]
DEMO_NAME = "contoso-health-2026-q3-20260930T060000Z"


def pack(archive, keys, now=PINNED, config=None, extra=(), raw=None):
    """Packs light_sample() (the sample with an empty quarter: quick) unless raw names a
    recording; the class's demo bundles pack the sample's own quarter."""
    args = ["pack", "--config", config or os.path.join(SAMPLE, "vaultproof.json"), "--replay",
            raw or light_sample(), "--out", archive, "--period", "2026-Q3"]
    if keys:
        args += ["--key", os.path.join(keys, "signer.key"), "--cert", os.path.join(keys, "signer.pem")]
    if now:
        args += ["--now", now]
    rc, out, err = run(args + list(extra))
    if rc != 0:
        raise AssertionError("pack failed: %s" % err)
    return out.splitlines()[0]


def extract(bundle, dest):
    os.makedirs(dest)
    subprocess.run(["tar", "-xzf", bundle, "-C", dest], check=True)
    (top,) = os.listdir(dest)
    return os.path.join(dest, top)


def tree_hashes(root):
    found = {}
    for d, _dirs, files in os.walk(root):
        for name in files:
            with open(os.path.join(d, name), "rb") as f:
                found[os.path.relpath(os.path.join(d, name), root)] = hashlib.sha256(f.read()).hexdigest()
    return found


def edit(path, old, new):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if old not in text:
        raise AssertionError("%r not in %s" % (old, path))
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace(old, new, 1))


class Reperform(TempDirTest):
    @classmethod
    def setUpClass(cls):
        cls.shared = tempfile.mkdtemp(prefix="vp-reperform-")
        cls.keys = os.path.join(cls.shared, "keys")
        rc, _, err = run(["keygen", "--out", cls.keys, "--now", PINNED])
        assert rc == 0, err
        cls.ca = os.path.join(cls.keys, "ca.pem")
        cls.archive = os.path.join(cls.shared, "archive")
        # as scripts/demo packs the sample, then a second pack of the period (one baseline)
        cls.demo = pack(cls.archive, cls.keys, raw=os.path.join(SAMPLE, "raw"))
        cls.second = pack(cls.archive, cls.keys, now=LATER)  # light: its baseline is the demo
        # the edit tests need a bundle, not the quarter's 30 MB of jobs: a light one of its
        # own archive (no baseline) re-performs in a fraction of the demo's time, which
        # matters under the sanitizers (test_tar_gz... and the jobs test keep the demo)
        cls.light = pack(os.path.join(cls.shared, "light"), cls.keys)
        cls.ledger = os.path.join(cls.archive, "ledger.jsonl")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.shared, ignore_errors=True)

    def reperform(self, bundle, *extra, env=None):
        return run(["reperform", bundle] + list(extra), env=env)

    def assertIdentical(self, rc, out, err, files=FILES):
        self.assertEqual(rc, 0, out + err)
        self.assertEqual([line for line in out.splitlines() if "note:" not in line],
                         ["reperform: %s  IDENTICAL" % f for f in files] + ["reperform: IDENTICAL"])

    def different(self, rc, out):
        """{file: line} of the files reported DIFFERENT; the run must end DIFFERENT, exit 1."""
        self.assertEqual(rc, 1, out)
        self.assertEqual(out.splitlines()[-1], "reperform: DIFFERENT")
        found = {}
        for f in FILES:
            (line,) = [x for x in out.splitlines() if x.startswith("reperform: %s  " % f)]
            if "DIFFERENT" in line:
                self.assertRegex(line, r"DIFFERENT at byte \d+, JSON pointer ")
                found[f] = line
            else:
                self.assertTrue(line.endswith("  IDENTICAL"), line)
        return found

    def test_bundle_records_inputs_bundle_relatively(self):
        root = extract(self.demo, self.path("x"))
        manifest = load(os.path.join(root, "manifest.json"))
        findings = load(os.path.join(root, "data", "findings.json"))
        with open(os.path.join(root, "config", "vaultproof.json"), "rb") as f:
            config_sha = hashlib.sha256(f.read()).hexdigest()
        self.assertEqual(load(os.path.join(root, "data", "snapshot.json"))["collection"]["input"], "raw")
        self.assertEqual(findings["config"], dict(findings["config"], path="config/vaultproof.json", sha256=config_sha))
        self.assertEqual(manifest["config_file"], "config/vaultproof.json")
        self.assertEqual(manifest["config_sha256"], config_sha)
        self.assertIn("config/vaultproof.json", [e["path"] for e in manifest["files"]])
        # the bundled copy evaluates like the user's file
        self.assertEqual(load(os.path.join(root, "config", "vaultproof.json")),
                         load(os.path.join(SAMPLE, "vaultproof.json")))
        rc, out, err = run(["verify", self.demo, "--trust", self.ca])
        self.assertEqual(rc, 0, out + err)

    def test_tar_gz_and_folder_reperform_identical(self):
        tmp = self.path("tmp")
        os.makedirs(tmp)
        self.assertIdentical(*self.reperform(self.demo, "--trust", self.ca, env={"TMPDIR": tmp}))
        self.assertEqual(os.listdir(tmp), [], "the private work directory is removed")
        root = extract(self.demo, self.path("x"))
        before = tree_hashes(root)
        self.assertIdentical(*self.reperform(root, env={"TMPDIR": tmp}))
        self.assertEqual(tree_hashes(root), before, "a folder is only read")
        self.assertEqual(os.listdir(tmp), [])

    def test_keep_holds_the_rederived_files(self):
        keep = self.path("keep")
        self.assertIdentical(*self.reperform(self.light, "--keep", keep))
        root = extract(self.light, self.path("x"))
        for f in FILES:
            with open(os.path.join(keep, "derived", f), "rb") as a, open(os.path.join(root, f), "rb") as b:
                self.assertEqual(a.read(), b.read(), f)
        rc, _, err = self.reperform(self.light, "--keep", keep)
        self.assertEqual(rc, 2)
        self.assertIn("not empty", err)

    def test_baseline_found_through_the_ledger_or_named_as_missing(self):
        findings = json.loads(subprocess.run(["tar", "-xzOf", self.second, "--wildcards", "*/data/findings.json"],
                                             check=True, capture_output=True).stdout)
        (base,) = findings["baselines"]
        first_snapshot = subprocess.run(["tar", "-xzOf", self.demo, "--wildcards", "*/data/snapshot.json"],
                                        check=True, capture_output=True).stdout
        self.assertEqual(base["sha256"], hashlib.sha256(first_snapshot).hexdigest())
        rc, out, err = self.reperform(self.second)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("cannot re-perform without the baseline snapshot %s (SHA-256 %s)" % (base["file"], base["sha256"]),
                      err)
        self.assertIn("--ledger", err)
        self.assertNotIn("IDENTICAL", out)
        rc, out, err = self.reperform(self.second, "--ledger", self.ledger, "--trust", self.ca)
        self.assertIdentical(rc, out, err)
        self.assertIn("baseline %s found: data/snapshot.json of %s" % (base["file"], os.path.basename(self.demo)), out)
        # a ledger whose bundles do not hold it: named as missing, never evaluated without it
        lonely = self.path("lonely")
        os.makedirs(lonely)
        shutil.copy(self.ledger, lonely)
        rc, out, err = self.reperform(self.second, "--ledger", os.path.join(lonely, "ledger.jsonl"))
        self.assertEqual(rc, 1)
        self.assertIn("cannot re-perform without the baseline snapshot", err)
        self.assertIn("no bundle the ledger records", err)

    def test_edited_raw_response_changes_the_snapshot(self):
        root = extract(self.light, self.path("x"))
        edit(os.path.join(root, "raw", "subscriptions", "ee5069bf-cd72-4c61-bacb-150ed73a18e5", "vaults.json"),
             '"softDeleteRetentionPeriodInDays": 180', '"softDeleteRetentionPeriodInDays": 181')
        found = self.different(*self.reperform(root)[:2])
        self.assertIn("data/snapshot.json", found)
        # and the same edit inside a .tar.gz fails --trust before anything is re-performed
        bundle = self.path(DEMO_NAME + ".tar.gz")
        retar(os.path.dirname(root), bundle)
        rc, out, err = self.reperform(bundle, "--trust", self.ca)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("does not verify", err)
        self.assertNotIn("reperform: data/", out)

    def test_edited_config_changes_the_findings(self):
        root = extract(self.light, self.path("x"))
        edit(os.path.join(root, "config", "vaultproof.json"), '"rpo_hours":\t24', '"rpo_hours":\t48')
        found = self.different(*self.reperform(root)[:2])
        self.assertEqual(sorted(found), ["data/assessment-results.json", "data/findings.json"])
        self.assertIn("JSON pointer /config/sha256", found["data/findings.json"])

    def test_jobs_stream_rederived_over_the_period_window(self):
        """pack --period collects over the quarter: manifest period_window, the stream as
        data/jobs.jsonl (named by the snapshot, listed, summed); an edited stream is the one
        DIFFERENT file."""
        root = extract(self.demo, self.path("x"))
        manifest = load(os.path.join(root, "manifest.json"))
        self.assertEqual(manifest["period_window"], {"from": "2026-07-01T00:00:00Z", "to": "2026-10-01T00:00:00Z"})
        with open(os.path.join(root, "data", "jobs.jsonl"), "rb") as f:
            stream = f.read()
        jobs = load(os.path.join(root, "data", "snapshot.json"))["collection"]["jobs"]
        self.assertEqual(jobs["file"], "data/jobs.jsonl")
        self.assertEqual(jobs["sha256"], hashlib.sha256(stream).hexdigest())
        self.assertEqual(jobs["count"], stream.count(b"\n") - stream.count(b'{"detail_of"'))
        self.assertGreater(jobs["count"], 30000)
        listed = {e["path"]: e["sha256"] for e in manifest["files"]}
        self.assertEqual(listed["data/jobs.jsonl"], jobs["sha256"])
        with open(os.path.join(root, "SHA256SUMS"), encoding="utf-8") as f:
            self.assertIn("%s  data/jobs.jsonl" % jobs["sha256"], f.read())
        with open(os.path.join(root, "README.txt"), encoding="utf-8") as f:
            self.assertIn("jobs.jsonl", f.read())
        # one job's status edited: only the stream differs (the snapshot records its hash,
        # re-derived from raw/, which is unchanged)
        edit(os.path.join(root, "data", "jobs.jsonl"), '"status":"Failed"', '"status":"Completed"')
        found = self.different(*self.reperform(root)[:2])
        self.assertEqual(sorted(found), ["data/jobs.jsonl"])

    def test_bundle_without_period_window_reperforms_as_before(self):
        """A bundle whose manifest has no period_window - pack --request-id, and every bundle
        packed before packs collected over the period - is re-performed without a period:
        the three files, no jobs stream, and it verifies."""
        args = ["pack", "--config", os.path.join(SAMPLE, "vaultproof.json"), "--replay", light_sample(),
                "--out", self.path("req"), "--request-id", "AUD-2026-114", "--now", PINNED,
                "--key", os.path.join(self.keys, "signer.key"), "--cert", os.path.join(self.keys, "signer.pem")]
        rc, out, err = run(args)
        self.assertEqual(rc, 0, err)
        bundle = out.splitlines()[0]
        root = extract(bundle, self.path("x"))
        self.assertNotIn("period_window", load(os.path.join(root, "manifest.json")))
        self.assertFalse(os.path.exists(os.path.join(root, "data", "jobs.jsonl")))
        self.assertNotIn("period", load(os.path.join(root, "data", "snapshot.json"))["collection"])
        rc, out, err = run(["verify", bundle, "--trust", self.ca])
        self.assertEqual(rc, 0, out + err)
        self.assertIdentical(*self.reperform(bundle, "--trust", self.ca), files=POINT_IN_TIME)

    def test_edited_findings_are_different(self):
        root = extract(self.light, self.path("x"))
        edit(os.path.join(root, "data", "findings.json"), '"status":"fail"', '"status":"pass"')
        found = self.different(*self.reperform(root)[:2])
        self.assertEqual(sorted(found), ["data/findings.json"])
        self.assertRegex(found["data/findings.json"], r"JSON pointer /findings/\d+/status ")

    def test_system_clock_bundle_reperforms_identical(self):
        archive = self.path("realtime")
        bundle = pack(archive, self.keys, now=None)
        root = extract(bundle, self.path("x"))
        self.assertEqual(load(os.path.join(root, "manifest.json"))["clock"]["pinned"], False)
        self.assertEqual(load(os.path.join(root, "data", "snapshot.json"))["collection"]["clock_pinned"], False)
        self.assertIdentical(*self.reperform(bundle, "--trust", self.ca))

    def test_pack_subscription_narrows_the_bundled_scope(self):
        sub = "e608fb0d-26e7-4f43-82d7-dce452427c58"
        bundle = pack(self.path("a"), self.keys, extra=["--subscription", sub])
        root = extract(bundle, self.path("x"))
        self.assertEqual(load(os.path.join(root, "config", "vaultproof.json"))["scope"]["subscriptions"], [sub])
        self.assertIdentical(*self.reperform(bundle))

    def test_config_with_signer_and_worm_catalog_file(self):
        conf = self.path("conf")
        os.makedirs(os.path.join(conf, "keys"))
        for name in ("signer.key", "signer.pem"):
            shutil.copy(os.path.join(self.keys, name), os.path.join(conf, "keys", name))
        os.chmod(os.path.join(conf, "keys", "signer.key"), 0o600)
        shutil.copy(os.path.join(SOURCE, "templates", "regions", "worm.json"), os.path.join(conf, "my-worm.json"))
        config = load(os.path.join(SAMPLE, "vaultproof.json"))
        config["signer"] = {"key": "keys/signer.key", "cert": "keys/signer.pem"}
        config["worm_catalog"] = "my-worm.json"
        with open(os.path.join(conf, "vaultproof.json"), "w") as f:
            json.dump(config, f)
        bundle = pack(self.path("a"), None, config=os.path.join(conf, "vaultproof.json"))
        root = extract(bundle, self.path("x"))
        with open(os.path.join(root, "config", "vaultproof.json")) as f:
            text = f.read()
        self.assertNotIn("signer", text)
        self.assertNotIn("keys/", text)
        self.assertEqual(json.loads(text)["worm_catalog"], "worm-catalog.json")
        with open(os.path.join(root, "config", "worm-catalog.json"), "rb") as a, \
                open(os.path.join(conf, "my-worm.json"), "rb") as b:
            self.assertEqual(a.read(), b.read())
        origin = load(os.path.join(root, "data", "snapshot.json"))["collection"]["worm_catalog"]["origin"]
        self.assertEqual(origin, "config/worm-catalog.json")
        rc, out, err = run(["verify", bundle, "--trust", self.ca])
        self.assertEqual(rc, 0, out + err)
        self.assertIdentical(*self.reperform(bundle))

    def test_unsafe_archive_writes_nothing_outside(self):
        import io
        import tarfile
        bad = self.path("bad.tar.gz")
        with tarfile.open(bad, "w:gz") as tar:
            for name in ("top/manifest.json", "top/../../escaped.json"):
                info = tarfile.TarInfo(name)
                info.size = 2
                tar.addfile(info, io.BytesIO(b"{}"))
        os.makedirs(self.path("work"))
        keep = self.path("work", "keep")
        rc, out, err = self.reperform(bad, "--keep", keep)
        self.assertEqual(rc, 3, out + err)
        self.assertIn("..", err)
        self.assertFalse(os.path.exists(self.path("escaped.json")))
        self.assertFalse(os.path.exists(self.path("work", "escaped.json")))
        self.assertEqual(os.listdir(keep), [], "nothing extracted from an archive that is not sound")

    def test_usage_and_unusable_bundles(self):
        root = extract(self.demo, self.path("x"))
        rc, _, err = self.reperform(root, "--trust", self.ca)
        self.assertEqual(rc, 2)
        self.assertIn("give the .tar.gz", err)
        rc, _, _ = run(["reperform"])
        self.assertEqual(rc, 2)
        # a bundled config that names another file of this machine as WORM catalog is refused
        config = os.path.join(root, "config", "vaultproof.json")
        edit(config, '"worm_catalog":\tnull', '"worm_catalog":\t"/etc/hostname"')
        rc, out, err = self.reperform(root)
        self.assertEqual(rc, 3, out + err)
        self.assertIn("names only its bundled copy", err)
        shutil.rmtree(os.path.join(root, "config"))
        rc, out, err = self.reperform(root)
        self.assertEqual(rc, 3, out + err)
        self.assertIn("holds no config/vaultproof.json", err)
        rc, out, _ = run(["reperform", "--help"])
        self.assertEqual(rc, 0)
        self.assertIn("--ledger FILE", out)


class LiveBundle(TempDirTest):
    def test_live_bundle_reperforms_identical(self):
        rc, _, err = run(["keygen", "--out", self.path("K"), "--now", PINNED])
        self.assertEqual(rc, 0, err)
        with Emulator(light_sample(), page_size=50) as emu:
            info = emu.info
            rc, out, err = run(["pack", "--config", os.path.join(SAMPLE, "vaultproof.json"), "--period", "2026-Q3",
                                "--out", self.path("live"), "--key", self.path("K", "signer.key"), "--cert",
                                self.path("K", "signer.pem"), "--now", PINNED, "--arm-endpoint", info["arm"],
                                "--authority-host", info["authority"], "--ca-bundle", info["ca"]],
                               env=secret_env(info), timeout=300)
        self.assertEqual(rc, 0, err)
        bundle = out.splitlines()[0]
        root = extract(bundle, self.path("x"))
        self.assertEqual(load(os.path.join(root, "data", "snapshot.json"))["collection"]["source"], "live")
        rc, out, err = run(["reperform", bundle, "--trust", self.path("K", "ca.pem")])
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(out.splitlines()[-1], "reperform: IDENTICAL")


class ByHand(TempDirTest):
    """docs/user-guide.md "Re-performing a bundle by hand", run literally."""

    def steps(self):
        with open(os.path.join(SOURCE, "docs", "user-guide.md"), encoding="utf-8") as f:
            text = f.read()
        section = text.split("### Re-performing a bundle by hand", 1)[1].split("\n#", 1)[0]
        lines = section.splitlines()
        commands = [line[2:] for line in lines if line.startswith("$ ")]
        expected = [line[len("  -> "):] for line in lines if line.startswith("  -> ")]
        self.assertTrue(commands and expected)
        return commands, expected

    def run_steps(self, bundle_bytes):
        work = self.path("work-%d" % len(os.listdir(self.tmp)))
        os.makedirs(work)
        with open(os.path.join(work, DEMO_NAME + ".tar.gz"), "wb") as f:
            f.write(bundle_bytes)
        commands, expected = self.steps()
        env = dict(os.environ, PATH=os.path.dirname(os.path.abspath(BINARY)) + os.pathsep + os.environ["PATH"])
        env.pop("SOURCE_DATE_EPOCH", None)
        p = subprocess.run(["sh", "-ec", "\n".join(commands)], cwd=work, env=env, capture_output=True, text=True,
                           timeout=300)
        return p, expected

    def test_documented_steps_give_identical_files(self):
        keys = self.path("keys")
        rc, _, err = run(["keygen", "--out", keys, "--now", PINNED])
        self.assertEqual(rc, 0, err)
        bundle = pack(self.path("archive"), keys)
        self.assertEqual(os.path.basename(bundle), DEMO_NAME + ".tar.gz", "the guide names the demo bundle")
        with open(bundle, "rb") as f:
            good = f.read()
        p, expected = self.run_steps(good)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(p.stdout.splitlines(), expected)
        # the same steps on a bundle whose raw/ was edited: the snapshot check fails
        root = extract(bundle, self.path("x"))
        edit(os.path.join(root, "raw", "subscriptions", "ee5069bf-cd72-4c61-bacb-150ed73a18e5", "vaults.json"),
             '"softDeleteRetentionPeriodInDays": 180', '"softDeleteRetentionPeriodInDays": 181')
        retar(os.path.dirname(root), self.path("edited.tar.gz"))
        with open(self.path("edited.tar.gz"), "rb") as f:
            p, _ = self.run_steps(f.read())
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("data/snapshot.json: FAILED", p.stdout)


if __name__ == "__main__":
    main()
