"""Time that can be trusted (issue 14): manifest.json records whether the clock was pinned,
pack refuses a pinned clock with a signer that is not a demo signer unless --reproducible,
verify warns (a check row and a "warning:" line, not a failure) when a bundle's times are
pinned and no RFC 3161 time-stamp backs them; and verify's summary keeps the evidence's
result apart from the bundle's verification."""
import json
import os
import subprocess
import sys
import tarfile

sys.path.insert(0, os.path.dirname(__file__))
from test_tsa import NO_PROXY, Tsa  # noqa: E402
from vptest import light_sample, PINNED, SAMPLE, TempDirTest, main, run  # noqa: E402


class Clock(TempDirTest):
    def keygen(self):
        out = self.path("K")
        rc, _, err = run(["keygen", "--out", out, "--now", PINNED])
        self.assertEqual(rc, 0, err)
        return os.path.join(out, "signer.key"), os.path.join(out, "signer.pem"), os.path.join(out, "ca.pem")

    def rsa_signer(self):
        """A self-signed signer whose subject says nothing about production: not a demo signer."""
        key, cert = self.path("rsa.key"), self.path("rsa.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                        "-subj", "/O=Contoso/CN=Contoso evidence signer", "-days", "30"], check=True,
                       capture_output=True)
        os.chmod(key, 0o600)
        return key, cert

    def pack(self, key, cert, archive, *extra, env=None, expect=0):
        args = ["pack", "--config", os.path.join(SAMPLE, "vaultproof.json"), "--replay", light_sample(),
                "--out", archive, "--key", key, "--cert", cert, "--period", "2026-Q3"] + list(extra)
        rc, out, err = run(args, env=env)
        self.assertEqual(rc, expect, out + err)
        return (out.splitlines()[0] if rc == 0 else None), out, err

    def member(self, bundle, rel, text=False):
        with tarfile.open(bundle) as tar:
            (name,) = [n for n in tar.getnames() if n.split("/", 1)[-1] == rel]
            f = tar.extractfile(name)
            return f.read().decode() if text else json.load(f)

    def test_manifest_records_the_clock(self):
        key, cert, _ = self.keygen()
        b, _, _ = self.pack(key, cert, self.path("a"), "--now", PINNED)
        self.assertEqual(self.member(b, "manifest.json")["clock"], {"pinned": True, "source": "--now"})
        b, _, _ = self.pack(key, cert, self.path("b"), env={"SOURCE_DATE_EPOCH": "1790748000"})
        self.assertEqual(self.member(b, "manifest.json")["clock"], {"pinned": True, "source": "SOURCE_DATE_EPOCH"})
        b, _, _ = self.pack(key, cert, self.path("c"))
        m = self.member(b, "manifest.json")
        self.assertEqual(m["clock"], {"pinned": False, "source": "system clock"})
        self.assertNotEqual(m["generated_at"], PINNED)

    def test_pinned_clock_needs_a_demo_signer_or_reproducible(self):
        key, cert = self.rsa_signer()
        archive = self.path("a")
        _, _, err = self.pack(key, cert, archive, "--now", PINNED, expect=2)
        self.assertIn("pinned (--now)", err)
        self.assertIn("Contoso evidence signer", err)
        self.assertIn("would claim a time they were not made at", err)
        self.assertIn("--reproducible", err)
        self.assertFalse(os.path.exists(archive), "a refused pack writes nothing")
        _, _, err = self.pack(key, cert, archive, env={"SOURCE_DATE_EPOCH": "1790748000"}, expect=2)
        self.assertIn("pinned (SOURCE_DATE_EPOCH)", err)
        # asked for by name: packed, and the manifest says the clock was pinned
        b, _, _ = self.pack(key, cert, archive, "--now", PINNED, "--reproducible")
        self.assertEqual(self.member(b, "manifest.json")["clock"]["pinned"], True)
        # the system clock needs nothing
        b, _, _ = self.pack(key, cert, self.path("b"))
        self.assertEqual(self.member(b, "manifest.json")["clock"]["pinned"], False)
        rc, out, err = run(["verify", b, "--trust", cert])
        self.assertEqual(rc, 0, out + err)
        self.assertRegex(out, r"(?m)^  clock\s+ok$")
        self.assertNotIn("warning: manifest.json: the clock was pinned", out)

    def test_verify_warns_on_pinned_times_without_a_time_stamp(self):
        key, cert, ca = self.keygen()
        b, _, _ = self.pack(key, cert, self.path("a"), "--now", PINNED)
        rc, out, err = run(["verify", b, "--trust", ca])
        self.assertEqual(rc, 0, out + err)  # a warning, not a failure
        self.assertRegex(out, r"(?m)^  clock\s+WARNING$")
        # the sample's raw/ is an unsealed replay, which verify also warns about (test_seal.py)
        (warning,) = [line for line in out.splitlines() if line.startswith("warning: ") and "unsealed" not in line]
        self.assertIn("pinned (--now) at " + PINNED, warning)
        self.assertIn("no RFC 3161 time-stamp", warning)
        self.assertIn("capture window", warning)
        self.assertNotIn("FAILED", out)
        self.assertEqual(out.splitlines()[-1], "bundle: VERIFIED")
        rc, out, _ = run(["verify", b, "--trust", ca, "--json"])
        v = json.loads(out)
        self.assertEqual(rc, 0)
        self.assertTrue(v["verified"])
        self.assertTrue(v["clock_pinned"])
        self.assertEqual(v["checks"]["clock"], "warning")
        self.assertEqual(len([w for w in v["warnings"] if "unsealed replay" not in w]), 1)
        self.assertEqual(v["problems"], [])

    def test_a_time_stamp_backs_pinned_times(self):
        key, cert, ca = self.keygen()
        tsa = Tsa(self.path("tsa"))
        try:
            b, _, _ = self.pack(key, cert, self.path("a"), "--now", PINNED, "--tsa", tsa.url, env=NO_PROXY)
        finally:
            tsa.stop()
        self.assertTrue(self.member(b, "manifest.json")["clock"]["pinned"])
        rc, out, err = run(["verify", b, "--trust", ca, "--tsa-trust", tsa.ca])
        self.assertEqual(rc, 0, out + err)
        self.assertRegex(out, r"(?m)^  timestamp\s+ok$")
        self.assertRegex(out, r"(?m)^  clock\s+ok$")
        self.assertNotIn("warning: manifest.json: the clock was pinned", out)

    def test_summary_separates_evidence_result_from_verification(self):
        key, cert, ca = self.keygen()
        archive = self.path("a")
        b, out, _ = self.pack(key, cert, archive, "--now", PINNED)
        findings = self.member(b, "data/findings.json")["findings"]
        failing = sum(1 for f in findings if f["status"] == "fail")
        self.assertGreater(failing, 1)
        line = "evidence result: FAIL (%d failing findings)" % failing
        self.assertIn(line, out.splitlines())  # pack prints the same line
        self.assertEqual(self.member(b, "manifest.json")["failing_findings"], failing)
        rc, out, _ = run(["verify", b, "--trust", ca, "--ledger", os.path.join(archive, "ledger.jsonl")])
        self.assertEqual(rc, 0, out)
        self.assertIn(line, out.splitlines())
        self.assertEqual(out.splitlines()[-1], "bundle: VERIFIED")
        self.assertNotRegex(out, r"(?m)^(result|verdict):")
        # the bundle's README.txt quotes the lines verify prints (the expected one as a
        # "  -> " line, test_literal_steps), and says what a pinned clock means
        readme = self.member(b, "README.txt", text=True)
        self.assertIn('\n  -> bundle: VERIFIED\n', readme)
        self.assertIn('"bundle: NOT VERIFIED"', readme)
        self.assertIn('"evidence result: FAIL (N failing findings)"', readme)
        self.assertIn('"clock": {"pinned": true}', readme)
        self.assertNotIn("verdict", readme)
        rc, out, _ = run(["verify", b, "--trust", ca, "--json"])
        self.assertEqual(json.loads(out)["failing_findings"], failing)
        # the ledger audit likewise
        rc, out, _ = run(["verify", "--ledger", os.path.join(archive, "ledger.jsonl"), "--trust", ca])
        self.assertEqual(rc, 0, out)
        self.assertEqual(out.splitlines()[-1], "archive: VERIFIED")
        # a failed verification says so in the same place
        other = self.path("other")
        rc, _, err = run(["keygen", "--out", other, "--now", PINNED])
        self.assertEqual(rc, 0, err)
        rc, out, _ = run(["verify", b, "--trust", os.path.join(other, "ca.pem")])
        self.assertEqual(rc, 1, out)
        self.assertEqual(out.splitlines()[-1], "bundle: NOT VERIFIED")
        self.assertNotIn("bundle: VERIFIED", out)
        self.assertIn("unverified evidence result (manifest.json's signer is not trusted): " + line.split(": ", 1)[1],
                      out)
        rc, out, _ = run(["verify", "--ledger", os.path.join(archive, "ledger.jsonl"), "--trust",
                          os.path.join(other, "ca.pem")])
        self.assertEqual(rc, 1, out)
        self.assertEqual(out.splitlines()[-1], "archive: NOT VERIFIED")


if __name__ == "__main__":
    main()
