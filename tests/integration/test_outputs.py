"""Outputs (issue 12, points 4 and 10): an output path that is a FIFO or a device is
refused (exit 6) and left as it was, instead of being replaced by a regular file;
outputs get the mode the umask gives; output lost on a failing standard output exits
6; a query (or user info) in --authority-host is never printed."""
import os
import stat
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from vptest import BINARY, PINNED, SAMPLE, SANITIZER_MARKERS, TempDirTest, main  # noqa: E402

RUN_TIMEOUT = 60
CONFIG = os.path.join(SAMPLE, "vaultproof.json")
RAW = os.path.join(SAMPLE, "raw")


def run(args, umask=None, stdout=subprocess.PIPE, env=None):
    full_env = dict(os.environ)
    full_env.pop("SOURCE_DATE_EPOCH", None)
    full_env.update(env or {})
    p = subprocess.run([BINARY] + args, stdout=stdout, stderr=subprocess.PIPE, env=full_env, timeout=RUN_TIMEOUT,
                       preexec_fn=(lambda: os.umask(umask)) if umask is not None else None)
    out = p.stdout.decode("utf-8", "replace") if p.stdout is not None else ""
    err = p.stderr.decode("utf-8", "replace")
    for marker in SANITIZER_MARKERS:
        assert marker not in err, err
    return p.returncode, out, err


class Outputs(TempDirTest):
    @classmethod
    def setUpClass(cls):
        cls.base = TempDirTest("run")
        cls.base.setUp()
        cls.snapshot, cls.findings = cls.base.path("s.json"), cls.base.path("f.json")
        rc, _, err = run(["collect", "--replay", RAW, "--out", cls.snapshot, "--now", PINNED])
        assert rc == 0, err
        rc, _, err = run(["evaluate", "--config", CONFIG, "--snapshot", cls.snapshot, "--out", cls.findings,
                          "--now", PINNED])
        assert rc == 0, err

    @classmethod
    def tearDownClass(cls):
        cls.base.tearDown()

    def writers(self, path):
        """Every command line that writes path as one of its outputs."""
        return {
            "collect --out": ["collect", "--replay", RAW, "--out", path, "--now", PINNED],
            "evaluate --out": ["evaluate", "--config", CONFIG, "--snapshot", self.snapshot, "--out", path,
                               "--now", PINNED],
            "evaluate --oscal": ["evaluate", "--config", CONFIG, "--snapshot", self.snapshot,
                                 "--out", self.path("f2.json"), "--oscal", path, "--now", PINNED],
            "render --pdf": ["render", "--snapshot", self.snapshot, "--findings", self.findings, "--pdf", path,
                             "--now", PINNED],
            "render --xlsx": ["render", "--snapshot", self.snapshot, "--findings", self.findings, "--xlsx", path,
                              "--now", PINNED],
        }

    def assert_refused_and_kept(self, path, kind, is_kind):
        for name, args in self.writers(path).items():
            rc, _, err = run(args)
            self.assertEqual(rc, 6, "%s %s: exit %d: %s" % (name, path, rc, err))
            self.assertIn(path, err, name)
            self.assertIn(kind, err, name)
            self.assertTrue(is_kind(os.lstat(path).st_mode), "%s replaced %s" % (name, path))
            leftovers = [f for f in os.listdir(os.path.dirname(path)) if ".tmp." in f]
            self.assertEqual(leftovers, [], name)

    def test_fifo_output_is_refused_and_kept(self):
        fifo = self.path("out.fifo")
        os.mkfifo(fifo)
        self.assert_refused_and_kept(fifo, "a FIFO", stat.S_ISFIFO)

    def test_device_output_is_refused_and_kept(self):
        # A private node (the same device as /dev/null) where the system lets us make one:
        # as root, a regression would otherwise replace the machine's /dev/null.
        dev = self.path("null")
        try:
            os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        except OSError:
            if os.geteuid() == 0:
                self.skipTest("cannot make a device node, and as root /dev/null itself is at risk")
            dev = "/dev/null"  # not root: a regression could not replace it anyway
        self.assert_refused_and_kept(dev, "a character device", stat.S_ISCHR)

    def test_dev_null_refused_unless_root(self):
        """The case from the report, run only where a regression cannot damage the system."""
        if os.geteuid() == 0:
            self.skipTest("as root a regression would replace /dev/null; covered by the private node above")
        rc, _, err = run(["collect", "--replay", RAW, "--out", "/dev/null"])
        self.assertEqual(rc, 6, err)
        self.assertTrue(stat.S_ISCHR(os.stat("/dev/null").st_mode))

    def test_directory_output_is_refused(self):
        d = self.path("adir")
        os.mkdir(d)
        rc, _, err = run(["collect", "--replay", RAW, "--out", d])
        self.assertEqual(rc, 6, err)
        self.assertIn("a directory", err)
        self.assertTrue(os.path.isdir(d))

    def test_regular_file_and_stdout_still_work(self):
        out = self.path("s.json")
        with open(out, "w") as f:
            f.write("old")
        rc, _, err = run(["collect", "--replay", RAW, "--out", out, "--now", PINNED])
        self.assertEqual(rc, 0, err)
        with open(out, "rb") as f, open(self.snapshot, "rb") as g:
            self.assertEqual(f.read(), g.read())
        rc, text, err = run(["collect", "--replay", RAW, "--out", "-", "--now", PINNED])
        self.assertEqual(rc, 0, err)
        with open(self.snapshot) as g:
            self.assertEqual(text, g.read())

    def test_umask_is_respected(self):
        for umask, mode in ((0o077, 0o600), (0o022, 0o644), (0o027, 0o640)):
            d = self.path("u%03o" % umask)
            os.mkdir(d)
            rc, _, err = run(["collect", "--replay", RAW, "--out", os.path.join(d, "s.json"), "--now", PINNED],
                             umask=umask)
            self.assertEqual(rc, 0, err)
            rc, _, err = run(["evaluate", "--config", CONFIG, "--snapshot", self.snapshot,
                              "--out", os.path.join(d, "f.json"), "--now", PINNED], umask=umask)
            self.assertEqual(rc, 0, err)
            rc, _, err = run(["render", "--snapshot", self.snapshot, "--findings", self.findings,
                              "--pdf", os.path.join(d, "r.pdf"), "--now", PINNED], umask=umask)
            self.assertEqual(rc, 0, err)
            for name in ("s.json", "f.json", "r.pdf"):
                got = stat.S_IMODE(os.stat(os.path.join(d, name)).st_mode)
                self.assertEqual(got, mode, "umask %03o: %s has mode %03o" % (umask, name, got))

    def test_full_stdout_exits_6(self):
        if not os.path.exists("/dev/full"):
            self.skipTest("no /dev/full")
        cases = {"controls": ["controls"], "--help": ["--help"],
                 "collect summary": ["collect", "--replay", RAW, "--out", self.path("s.json"), "--now", PINNED],
                 "collect --out -": ["collect", "--replay", RAW, "--out", "-", "--now", PINNED]}
        for name, args in cases.items():
            with open("/dev/full", "w") as full:
                rc, _, err = run(args, stdout=full)
            self.assertEqual(rc, 6, "%s > /dev/full: exit %d: %s" % (name, rc, err))
            self.assertIn("write failed", err, name)
        rc, _, _ = run(["controls"], stdout=subprocess.DEVNULL)
        self.assertEqual(rc, 0)

    def test_authority_host_query_is_never_printed(self):
        live = ["collect", "--subscription", "74dd82d1-2c42-4ca6-80c5-ffbd52be5231",
                "--arm-endpoint", "https://127.0.0.1:9", "--out", self.path("s.json")]
        for url in ("http://login.example/tenant?secret=s3cr3tq#fr4gm3nt", "https://login.example/?secret=s3cr3tq",
                    "https://us3r:s3cr3tq@login.example/", "https://login.example/x#s3cr3tq"):
            for how in ("option", "env"):
                args = live + (["--authority-host", url] if how == "option" else [])
                env = {"AZURE_AUTHORITY_HOST": url} if how == "env" else {}
                rc, out, err = run(args, env=env)
                self.assertEqual(rc, 2, "%s (%s): exit %d: %s" % (url, how, rc, err))
                self.assertIn("login.example", err)
                for secret in ("s3cr3tq", "fr4gm3nt", "us3r"):
                    self.assertNotIn(secret, out + err, "%s (%s)" % (url, how))


if __name__ == "__main__":
    main()
