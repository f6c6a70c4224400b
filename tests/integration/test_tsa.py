"""RFC 3161 time-stamps from a local TSA (openssl ts -reply behind tests/tools/tsa_server.py):
pack --tsa stamps the manifest signature and the PDF signature, openssl/pdfsig/mutool and
'vaultproof verify' accept them, and a TSA that is down or answers garbage fails pack
(exit 5) without publishing anything."""
import datetime
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from test_pack import retar  # noqa: E402
from vptest import light_sample, PINNED, SAMPLE, SOURCE, TempDirTest, main, run  # noqa: E402

SERVER = os.path.join(SOURCE, "tests", "tools", "tsa_server.py")
NO_PROXY = {"no_proxy": "127.0.0.1", "NO_PROXY": "127.0.0.1"}


class Tsa:
    """A running local TSA; stop() ends it (by its own process id)."""

    def __init__(self, directory, mode="ok", tls=False):
        self.proc = subprocess.Popen([sys.executable, SERVER, "--dir", directory, "--mode", mode] +
                                     (["--tls"] if tls else []),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.proc.kill()
            raise AssertionError("TSA did not start: " + line + self.proc.stderr.read())
        self.url = "%s://127.0.0.1:%d/tsa" % ("https" if tls else "http", int(line.split()[1]))
        self.ca = os.path.join(directory, "tsa-ca.pem")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()
        self.proc.stderr.close()


TS_TOKEN_OID = bytes.fromhex("060b2a864886f70d010910020e")  # id-aa-signatureTimeStampToken


def tlvs(b, start, end):
    """(tag, whole TLV start, content start, end) of each DER element in b[start:end]."""
    i = start
    while i < end:
        tag, n = b[i], b[i + 1]
        h = 2
        if n & 0x80:
            h += n & 0x7F
            n = int.from_bytes(b[i + 2:i + h], "big")
        yield tag, i, i + h, i + h + n
        i += h + n


def signature_and_token(der):
    """The one SignerInfo's signature value and signature-time-stamp token, read from the
    CMS DER without vaultproof (RFC 5652 5.3)."""
    ((_, _, ci, ce),) = tlvs(der, 0, len(der))                   # ContentInfo
    content = [t for t in tlvs(der, ci, ce) if t[0] == 0xA0][0]   # [0] content
    ((_, _, sd, se),) = tlvs(der, content[2], content[3])        # SignedData
    infos = [t for t in tlvs(der, sd, se) if t[0] == 0x31][-1]    # signerInfos SET
    ((_, _, si, se2),) = tlvs(der, infos[2], infos[3])           # the one SignerInfo
    parts = list(tlvs(der, si, se2))
    sig = [t for t in parts if t[0] == 0x04][0]
    unsigned = [t for t in parts if t[0] == 0xA1][0]
    for _, _, a, ae in tlvs(der, unsigned[2], unsigned[3]):       # Attribute SEQUENCEs
        oid, values = list(tlvs(der, a, ae))
        if der[oid[1]:oid[3]] == TS_TOKEN_OID:
            ((_, tok_start, _, tok_end),) = tlvs(der, values[2], values[3])
            return der[sig[2]:sig[3]], der[tok_start:tok_end]
    raise AssertionError("no signature time-stamp token")


def sh(*args, **kw):
    return subprocess.run(list(args), capture_output=True, text=True, **kw)


def pack_args(keys, archive, tsa_url):
    return ["pack", "--config", os.path.join(SAMPLE, "vaultproof.json"), "--replay", light_sample(),
            "--out", archive, "--key", os.path.join(keys, "signer.key"), "--cert", os.path.join(keys, "signer.pem"),
            "--now", PINNED, "--period", "2026-Q3", "--quiet", "--tsa", tsa_url]


class Timestamps(TempDirTest):
    @classmethod
    def setUpClass(cls):
        cls.shared = tempfile.mkdtemp(prefix="vp-tsa-")
        cls.keys = os.path.join(cls.shared, "K")
        rc, _, err = run(["keygen", "--out", cls.keys, "--now", PINNED])
        assert rc == 0, err
        cls.ca = os.path.join(cls.keys, "ca.pem")
        cls.tsa_dir = os.path.join(cls.shared, "tsa")
        tsa = Tsa(cls.tsa_dir)
        try:
            cls.before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
            rc, out, err = run(pack_args(cls.keys, os.path.join(cls.shared, "archive"), tsa.url), env=NO_PROXY)
            assert rc == 0, err
        finally:
            tsa.stop()
        cls.bundle = out.strip()
        cls.tsa_ca = tsa.ca
        dest = os.path.join(cls.shared, "x")
        os.makedirs(dest)
        subprocess.run(["tar", "-xzf", cls.bundle, "-C", dest], check=True)
        cls.root = os.path.join(dest, os.listdir(dest)[0])

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.shared, ignore_errors=True)

    def test_openssl_ts_verifies_the_tsr(self):
        r = sh("openssl", "ts", "-verify", "-in", os.path.join(self.root, "manifest.json.tsr"), "-data",
               os.path.join(self.root, "manifest.json.p7s"), "-CAfile", self.tsa_ca)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Verification: OK", r.stdout)
        # over other bytes it fails: the .tsr really stamps manifest.json.p7s
        r = sh("openssl", "ts", "-verify", "-in", os.path.join(self.root, "manifest.json.tsr"), "-data",
               os.path.join(self.root, "manifest.json"), "-CAfile", self.tsa_ca)
        self.assertNotEqual(r.returncode, 0)
        # the manifest signature carries its own token, and still verifies as CMS
        printed = sh("openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in",
                     os.path.join(self.root, "manifest.json.p7s")).stdout
        self.assertIn("id-smime-aa-timeStampToken", printed)
        r = sh("openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in",
               os.path.join(self.root, "manifest.json.p7s"), "-content", os.path.join(self.root, "manifest.json"),
               "-CAfile", self.ca, "-purpose", "any", "-out", os.devnull)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(self.root, "manifest.json")) as f:
            self.assertIs(json.load(f)["timestamped"], True)

    def test_readme_command_works(self):
        """The time-stamp step of README.txt, a "$ " line run from inside the bundle folder
        with tsa-ca.pem beside the folder, prints its "  -> " line."""
        with open(os.path.join(self.root, "README.txt")) as f:
            lines = f.read().splitlines()
        (at,) = [i for i, ln in enumerate(lines) if ln.startswith("$ openssl ts -verify")]
        self.assertEqual(lines[at + 1], "  -> Verification: OK")
        root = self.path("beside", "copy")
        shutil.copytree(self.root, root)
        shutil.copy(self.tsa_ca, self.path("beside", "tsa-ca.pem"))
        r = sh("sh", "-ec", lines[at][2:], cwd=root)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Verification: OK", r.stdout)

    def check_token_with_openssl(self, der):
        sigval, token = signature_and_token(der)
        with open(self.path("sigval.bin"), "wb") as f:
            f.write(sigval)
        with open(self.path("token.der"), "wb") as f:
            f.write(token)
        r = sh("openssl", "ts", "-verify", "-token_in", "-in", self.path("token.der"), "-data",
               self.path("sigval.bin"), "-CAfile", self.tsa_ca)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Verification: OK", r.stdout)
        with open(self.path("sigval.bin"), "wb") as f:
            f.write(sigval[:-1] + bytes([sigval[-1] ^ 1]))
        r = sh("openssl", "ts", "-verify", "-token_in", "-in", self.path("token.der"), "-data",
               self.path("sigval.bin"), "-CAfile", self.tsa_ca)
        self.assertNotEqual(r.returncode, 0)  # the token is over exactly the signature value

    def test_tokens_stamp_the_signature_values(self):
        for signature in ("manifest.json.p7s", "SHA256SUMS.p7s"):
            with open(os.path.join(self.root, signature), "rb") as f:
                self.check_token_with_openssl(f.read())
        with open(os.path.join(self.root, "report", "report.pdf"), "rb") as f:
            pdf = f.read()
        m = list(re.finditer(rb"/ByteRange\s*\[\s*0\s+(\d+)\s+(\d+)", pdf))[-1]
        a, b = int(m.group(1)), int(m.group(2))
        raw = bytes.fromhex(pdf[a + 1:b - 1].decode())
        n = raw[1] & 0x7F
        self.check_token_with_openssl(raw[:2 + n + int.from_bytes(raw[2:2 + n], "big")])

    def test_pdf_b_t_still_valid(self):
        pdf = os.path.join(self.root, "report", "report.pdf")
        out = sh("pdfsig", pdf).stdout
        self.assertIn("Signature Validation: Signature is Valid.", out)
        self.assertIn("Total document signed", out)
        self.assertNotIn("Not total document signed", out)
        m = sh("mutool", "sign", "-v", pdf)
        self.assertIn("The document is unchanged since signing.", m.stdout + m.stderr)
        self.assertEqual(sh("qpdf", "--check", pdf).returncode, 0)

    def test_verify_reports_gen_time(self):
        rc, out, err = run(["verify", self.bundle, "--trust", self.ca, "--tsa-trust", self.tsa_ca, "--json"])
        self.assertEqual(rc, 0, out + err)
        v = json.loads(out)
        self.assertEqual(v["checks"]["timestamp"], "pass")
        self.assertTrue(v["timestamped"])
        for key in ("manifest_timestamp", "pdf_timestamp"):
            t = datetime.datetime.strptime(v[key], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
            # genTime is the TSA's clock (now), not the pinned clock
            self.assertLessEqual(abs((t - self.before).total_seconds()), 120, v[key])
        rc, out, _ = run(["verify", self.bundle, "--trust", self.ca, "--tsa-trust", self.tsa_ca])
        self.assertIn("manifest time-stamp: " + v["manifest_timestamp"], out)
        self.assertIn("pdf time-stamp: " + v["pdf_timestamp"], out)
        # one file with both anchors works too; the signer's CA alone does not vouch for the TSA
        both = self.path("both.pem")
        with open(both, "w") as f, open(self.ca) as a, open(self.tsa_ca) as b:
            f.write(a.read() + b.read())
        self.assertEqual(run(["verify", self.bundle, "--trust", both])[0], 0)
        rc, out, _ = run(["verify", self.bundle, "--trust", self.ca])
        self.assertEqual(rc, 1)
        self.assertRegex(out, r"timestamp\s+FAILED")
        self.assertIn("not trusted by", out)

    def test_removed_tsr_is_detected(self):
        root = self.path("copy", os.path.basename(self.root))
        shutil.copytree(self.root, root)
        os.remove(os.path.join(root, "manifest.json.tsr"))
        bundle = self.path("stripped.tar.gz")
        retar(self.path("copy"), bundle)
        rc, out, _ = run(["verify", bundle, "--trust", self.ca, "--tsa-trust", self.tsa_ca])
        self.assertEqual(rc, 1)
        # the signed SHA256SUMS lists the .tsr (it is written after it), so that catches it first
        self.assertIn("manifest.json.tsr: listed in SHA256SUMS but missing from the bundle", out)

    def assert_nothing_published(self, archive):
        self.assertEqual(glob.glob(os.path.join(archive, "*.tar.gz")), [])
        self.assertEqual(glob.glob(os.path.join(archive, ".staging-*")), [])
        self.assertFalse(os.path.exists(os.path.join(archive, "ledger.jsonl")))

    def test_tsa_down_fails_pack(self):
        tsa = Tsa(self.path("tsa"))
        url = tsa.url
        tsa.stop()  # nothing listens on that port any more
        archive = self.path("archive")
        rc, _, err = run(pack_args(self.keys, archive, url), env=NO_PROXY)
        self.assertEqual(rc, 5, err)
        self.assertIn("time-stamp from " + url, err)
        self.assertIn("request failed", err)
        self.assert_nothing_published(archive)

    def test_tsa_garbage_fails_pack(self):
        for mode, expected in (("garbage", "is not a DER TimeStampResp"), ("http500", "HTTP 500"),
                               ("other", "response refused: message imprint mismatch")):
            tsa = Tsa(self.path("tsa-" + mode), mode)
            try:
                archive = self.path("archive-" + mode)
                rc, _, err = run(pack_args(self.keys, archive, tsa.url), env=NO_PROXY)
            finally:
                tsa.stop()
            self.assertEqual(rc, 5, err)
            self.assertIn(expected, err)
            self.assert_nothing_published(archive)

    def test_https_is_verified(self):
        tsa = Tsa(self.path("tsa"), tls=True)
        try:
            # the server's certificate is not from a system CA: refused, pack fails
            rc, _, err = run(pack_args(self.keys, self.path("a1"), tsa.url), env=NO_PROXY)
            self.assertEqual(rc, 5, err)
            self.assertIn("request failed", err)
            self.assertIn("certificate", err)
            self.assert_nothing_published(self.path("a1"))
            # with --ca-bundle naming its CA it is accepted
            rc, out, err = run(pack_args(self.keys, self.path("a2"), tsa.url) + ["--ca-bundle", tsa.ca],
                               env=NO_PROXY)
            self.assertEqual(rc, 0, err)
        finally:
            tsa.stop()
        rc, out, err = run(["verify", out.strip(), "--trust", self.ca, "--tsa-trust", tsa.ca])
        self.assertEqual(rc, 0, out + err)

    def test_url_secrets_not_echoed(self):
        tsa = Tsa(self.path("tsa"), "http500")
        try:
            url = re.sub(r"^http://", "http://user:s3cret@", tsa.url) + "?token=s3cret"
            rc, out, err = run(pack_args(self.keys, self.path("archive"), url), env=NO_PROXY)
        finally:
            tsa.stop()
        self.assertEqual(rc, 5, err)
        self.assertNotIn("s3cret", out + err)
        self.assertIn("HTTP 500", err)


if __name__ == "__main__":
    main()
