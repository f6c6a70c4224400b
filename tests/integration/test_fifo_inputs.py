"""A FIFO (or another non-regular file) given as any input is refused at once, naming the
path and what it is, instead of blocking in open() until a writer appears (issue 12,
point 6). Each run has a timeout: blocking is a failure. Nothing ever writes to the
FIFOs, so a run that opens one for reading the old way waits forever."""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from vptest import copy_point_in_time, BINARY, light_sample, PINNED, SAMPLE, SANITIZER_MARKERS, TempDirTest, main, run  # noqa: E402

RUN_TIMEOUT = float(os.environ.get("VP_RUN_TIMEOUT", "20"))
SUB = "74dd82d1-2c42-4ca6-80c5-ffbd52be5231"
CONFIG = os.path.join(SAMPLE, "vaultproof.json")
RAW = os.path.join(SAMPLE, "raw")


class FifoInputs(TempDirTest):
    @classmethod
    def setUpClass(cls):
        """A real key, snapshot, findings, bundle and signed ledger to put one FIFO among."""
        cls.base = TempDirTest("run")
        cls.base.setUp()
        p = cls.base.path
        rc, _, err = run(["keygen", "--out", p("K"), "--now", PINNED])
        assert rc == 0, err
        cls.key, cls.cert, cls.ca = p("K", "signer.key"), p("K", "signer.pem"), p("K", "ca.pem")
        # the sample with an empty quarter: what is read from a FIFO here never involves jobs
        rc, out, err = run(["pack", "--config", CONFIG, "--replay", light_sample(), "--out", p("archive"), "--key", cls.key,
                            "--cert", cls.cert, "--now", PINNED, "--period", "2026-Q3"])
        assert rc == 0, err
        cls.bundle = out.splitlines()[0]
        cls.ledger = p("archive", "ledger.jsonl")
        cls.snapshot = p("archive", "snapshots", "2026-Q3", os.path.basename(cls.bundle)[:-len(".tar.gz")] + ".json")
        rc, _, err = run(["evaluate", "--config", CONFIG, "--snapshot", cls.snapshot, "--out", p("findings.json"),
                          "--now", PINNED])
        assert rc == 0, err
        cls.findings = p("findings.json")

    @classmethod
    def tearDownClass(cls):
        cls.base.tearDown()

    def fifo(self, name="in.fifo"):
        path = self.path(name)
        os.mkfifo(path)
        return path

    def refused(self, args, path, codes=(3,), env=None, kind="a FIFO"):
        """Runs args; it must exit promptly with one of codes, naming path and its kind."""
        full_env = dict(os.environ)
        full_env.pop("SOURCE_DATE_EPOCH", None)
        full_env.update(env or {})
        try:
            p = subprocess.run([BINARY] + args, capture_output=True, env=full_env, timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.fail("%s: blocked for %gs on %s" % (" ".join(args[:1]), RUN_TIMEOUT, path))
        err = p.stderr.decode("utf-8", "replace")
        for marker in SANITIZER_MARKERS:
            self.assertNotIn(marker, err)
        said = err + p.stdout.decode("utf-8", "replace")  # verify reports failed checks on stdout
        self.assertIn(p.returncode, codes, "%s: exit %d: %s" % (args[0], p.returncode, said))
        self.assertIn(path, said)
        if kind:
            self.assertIn(kind, said)
        return said

    def pack_args(self, **override):
        opts = {"config": CONFIG, "replay": light_sample(), "out": self.path("arch"), "key": self.key, "cert": self.cert,
                "now": PINNED, "period": "2026-Q3"}
        opts.update(override)
        args = ["pack"]
        for k, v in opts.items():
            args += ["--" + k.replace("_", "-"), v]
        return args

    # collect

    def test_config(self):
        f = self.fifo()
        self.refused(["collect", "--replay", RAW, "--config", f, "--out", self.path("s.json")], f)

    def test_worm_catalog(self):
        f = self.fifo()
        self.refused(["collect", "--replay", RAW, "--worm-catalog", f, "--out", self.path("s.json")], f)

    def test_replay_body_that_is_a_fifo_is_skipped_by_the_walk(self):
        raw = self.path("raw")
        copy_point_in_time(RAW, raw)
        os.mkfifo(os.path.join(raw, "zz.json"))
        rc, _, err = run(["collect", "--replay", raw, "--out", self.path("s.json"), "--now", PINNED],
                         timeout=RUN_TIMEOUT)
        self.assertEqual(rc, 0, err)

    def live_args(self, *extra):
        return ["collect", "--subscription", SUB, "--arm-endpoint", "https://127.0.0.1:9",
                "--authority-host", "https://127.0.0.1:9", "--out", self.path("s.json")] + list(extra)

    def test_token_file(self):
        f = self.fifo()
        self.refused(self.live_args("--token-file", f), f)

    def test_ca_bundle(self):
        f = self.fifo()
        self.refused(self.live_args("--ca-bundle", f), f)

    # evaluate, render

    def test_snapshot(self):
        f = self.fifo()
        self.refused(["evaluate", "--config", CONFIG, "--snapshot", f, "--out", self.path("f.json")], f)

    def test_baseline(self):
        f = self.fifo()
        self.refused(["evaluate", "--config", CONFIG, "--snapshot", self.snapshot, "--baseline", f,
                      "--out", self.path("f.json")], f)

    def test_findings(self):
        f = self.fifo()
        self.refused(["render", "--snapshot", self.snapshot, "--findings", f, "--pdf", self.path("r.pdf")], f)

    # pack

    def test_pack_config(self):
        f = self.fifo()
        self.refused(self.pack_args(config=f), f)

    def test_key(self):
        f = self.fifo()
        os.chmod(f, 0o600)  # past the key-mode check, which stat()s first
        self.refused(self.pack_args(key=f), f, kind="not a regular file")

    def test_cert(self):
        f = self.fifo()
        self.refused(self.pack_args(cert=f), f)

    def test_chain(self):
        f = self.fifo()
        self.refused(self.pack_args(chain=f), f)

    def test_passphrase_file(self):
        f = self.fifo()
        self.refused(self.pack_args(passphrase_file=f), f)

    def test_pkcs12_key(self):
        f = self.fifo("signer.p12")
        os.chmod(f, 0o600)
        args = self.pack_args(key=f)
        i = args.index("--cert")
        del args[i:i + 2]
        self.refused(args, f, kind="not a regular file")

    # verify

    def test_bundle(self):
        f = self.fifo("b.tar.gz")
        self.refused(["verify", f], f)

    def test_trust(self):
        f = self.fifo()
        self.refused(["verify", self.bundle, "--trust", f], f)

    def test_tsa_trust(self):
        f = self.fifo()
        self.refused(["verify", self.bundle, "--trust", self.ca, "--tsa-trust", f], f)

    def test_ledger(self):
        f = self.fifo()
        self.refused(["verify", self.bundle, "--trust", self.ca, "--ledger", f], f, codes=(1, 3))

    def test_ledger_signature_file(self):
        archive = self.path("archive")
        shutil.copytree(os.path.dirname(self.ledger), archive, symlinks=True)
        sig = os.path.join(archive, "ledger.jsonl.sig", "000001.p7s")
        os.unlink(sig)
        os.mkfifo(sig)
        self.refused(["verify", self.bundle, "--trust", self.ca, "--ledger", os.path.join(archive, "ledger.jsonl")],
                     sig, codes=(1,))

    def test_directory_and_device_are_named_too(self):
        d = self.path("adir")
        os.mkdir(d)
        self.refused(["collect", "--replay", RAW, "--config", d, "--out", self.path("s.json")], d,
                     kind="a directory")
        self.refused(["collect", "--replay", RAW, "--config", "/dev/null", "--out", self.path("s.json")],
                     "/dev/null", kind="a character device")


if __name__ == "__main__":
    main()
