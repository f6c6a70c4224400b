"""Shared helpers for the end-to-end tests: run the built binary, make temp dirs.

The binary comes from $VAULTPROOF (set by ctest); sources from $VP_SOURCE_DIR.
"""
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unittest

SOURCE = os.environ.get("VP_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
BINARY = os.environ.get("VAULTPROOF", os.path.join(SOURCE, "build", "vaultproof"))
SAMPLE = os.path.join(SOURCE, "samples", "contoso-health")
GENERATOR = os.path.join(SOURCE, "tests", "tools", "gen_estate.py")
PINNED = "2026-09-30T06:00:00Z"

SANITIZER_MARKERS = ("AddressSanitizer", "LeakSanitizer", "runtime error:", "UndefinedBehaviorSanitizer")
# scripts/test's second pass: the ASan/UBSan build runs the same tests (VP_SANITIZED=1)
SANITIZED = bool(os.environ.get("VP_SANITIZED"))


def runs_no_vaultproof(test):
    """For a test method that runs none of vaultproof's code: it reads what its class made
    before it with external readers (openpyxl, poppler, qpdf, mutool), or checks the test
    tools themselves. The sanitizer pass skips it: no sanitizer can fire in it, and the
    first pass ran it on the same bytes. That keeps scripts/test inside its 15 minutes."""
    return unittest.skipIf(SANITIZED, "runs no vaultproof: the first pass ran it")(test)


def run(args, env=None, cwd=None, timeout=300):
    """Runs vaultproof with args; returns (exit code, stdout, stderr) as text."""
    full_env = dict(os.environ)
    full_env.pop("SOURCE_DATE_EPOCH", None)
    if env:
        full_env.update(env)
    p = subprocess.run([BINARY] + list(args), capture_output=True, env=full_env, cwd=cwd, timeout=timeout)
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    for marker in SANITIZER_MARKERS:
        if marker in err:
            raise AssertionError("sanitizer report from %r:\n%s" % (args, err))
    return p.returncode, out, err


def generate(out_dir, *args):
    """Runs the estate generator (Python stdlib) into out_dir."""
    subprocess.run([sys.executable, GENERATOR] + list(args) + ["--out", out_dir], check=True, capture_output=True)


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def is_period_evidence(name, parent):
    """Whether a recorded file is period evidence (the ARM table's period column: job lists,
    job details, CRR jobs, the Activity Log; docs/period-evidence.md), which a collection
    without a period leaves out: by its file name, and parent (its directory's name)."""
    return name.startswith(("backupJobs.", "backupCrrJobs.", "activityLog")) or parent == "backupJobs"


def copy_point_in_time(src, dest):
    """Copies a recording without its period evidence (the sample as captured before it held
    a quarter of jobs)."""
    shutil.copytree(src, dest, ignore=lambda d, names: [n for n in names
                                                        if is_period_evidence(n, os.path.basename(d))])


def light_quarter(src, dest):
    """The sample as captured plus an EMPTY quarter: every period list the sample recorded
    (its first page's sidecar, so the same calls and filters) answered with no job and no
    event. A collection over 2026-Q3 is then complete and quick; the tests of packing,
    signing, archives and ledgers that do not look at jobs use it instead of the sample's
    39k jobs (tests about the quarter itself read the sample)."""
    copy_point_in_time(src, dest)
    for d, _dirs, files in os.walk(src):
        for name in files:
            if name not in ("backupJobs.meta.json", "backupCrrJobs.meta.json", "activityLog.meta.json",
                            "activityLog-dataprotection.meta.json"):
                continue
            meta = load(os.path.join(d, name))
            meta["call"].update({"page": 1, "next_link": None, "complete": True, "error": None})
            out = os.path.join(dest, os.path.relpath(d, src))
            with open(os.path.join(out, name), "w", encoding="utf-8") as f:
                json.dump(meta, f, indent=1)
            with open(os.path.join(out, name.replace(".meta.json", ".json")), "w", encoding="utf-8") as f:
                f.write('{"value": []}\n')


_LIGHT = []


def light_sample():
    """light_quarter of the sample, made once per test process (removed at its exit)."""
    if not _LIGHT:
        import atexit
        top = tempfile.mkdtemp(prefix="vp-light-")
        atexit.register(shutil.rmtree, top, True)
        light_quarter(os.path.join(SAMPLE, "raw"), os.path.join(top, "raw"))
        _LIGHT.append(os.path.join(top, "raw"))
    return _LIGHT[0]


def raw_resources(raw_dir, period=False):
    """Every resource in a replay directory, read independently of vaultproof; the period
    evidence only when period is true (a collection without a period leaves it out)."""
    found = []
    for root, _dirs, files in os.walk(raw_dir):
        for name in sorted(files):
            if not name.endswith(".json") or name.endswith(".meta.json"):
                continue
            if not period and is_period_evidence(name, os.path.basename(root)):
                continue
            doc = load(os.path.join(root, name))
            if isinstance(doc, dict) and "value" in doc:
                found.extend(doc["value"])
            elif isinstance(doc, list):
                found.extend(doc)
            elif isinstance(doc, dict) and "id" in doc:
                found.append(doc)
    return found


def secrets_found(secrets, texts=(), dirs=()):
    """Where any of secrets (strings) appears: in texts (command outputs), in a file below
    dirs, or in a member of a .tar.gz there. [] when nowhere; each entry names the place."""
    found = []
    for i, text in enumerate(texts):
        found += ["output %d" % i for s in secrets if s in text]
    for d in dirs:
        for root, _dirs, files in os.walk(d):
            for name in files:
                path = os.path.join(root, name)
                with open(path, "rb") as f:
                    data = f.read()
                found += [path for s in secrets if s.encode() in data]
                if name.endswith(".tar.gz"):
                    with tarfile.open(path, "r:gz") as tar:
                        for m in tar.getmembers():
                            member = tar.extractfile(m).read() if m.isfile() else b""
                            found += ["%s:%s" % (path, m.name) for s in secrets if s.encode() in member]
    return found


class TempDirTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="vp-it-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)


def sample_evidence(snapshot, findings, raw=None, config=None):
    """Collects raw (default: the sample estate's) into snapshot and evaluates it into
    findings at the pinned clock; fails on any error (evaluate's exit 1, failing
    findings, is expected of the sample estate)."""
    raw = raw or os.path.join(SAMPLE, "raw")
    config = config or os.path.join(SAMPLE, "vaultproof.json")
    rc, _, err = run(["collect", "--replay", raw, "--config", config, "--out", snapshot, "--now", PINNED, "--quiet"])
    if rc != 0:
        raise AssertionError("collect failed (%d): %s" % (rc, err))
    rc, _, err = run(["evaluate", "--snapshot", snapshot, "--config", config, "--out", findings, "--now", PINNED,
                      "--quiet"])
    if rc not in (0, 1):
        raise AssertionError("evaluate failed (%d): %s" % (rc, err))


def main():
    unittest.main(verbosity=2)
