"""The report PDF's embedded PAdES signature: pdfsig, mutool, qpdf and openssl accept it,
and both they and 'vaultproof verify' reject a changed or extended PDF."""
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from test_pack import retar  # noqa: E402
from vptest import light_sample, PINNED, SAMPLE, TempDirTest, main, run  # noqa: E402

PDF = "report/report.pdf"


def sh(*args, **kw):
    return subprocess.run(list(args), capture_output=True, text=True, **kw)


def pack(keys_key, keys_cert, archive):
    # the sample with an empty quarter (light_sample): the signature does not depend on jobs
    rc, out, err = run(["pack", "--config", os.path.join(SAMPLE, "vaultproof.json"), "--replay",
                        light_sample(), "--out", archive, "--key", keys_key, "--cert", keys_cert,
                        "--now", PINNED, "--reproducible", "--period", "2026-Q3", "--quiet"])
    if rc != 0:
        raise AssertionError(err)
    return out.strip()


def extract(bundle, dest):
    os.makedirs(dest)
    subprocess.run(["tar", "-xzf", bundle, "-C", dest], check=True)
    (top,) = os.listdir(dest)
    return os.path.join(dest, top)


def signed_parts(pdf):
    """(byte ranges data, CMS DER) of the last signature, read independently of vaultproof."""
    m = list(re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf))[-1]
    a0, a, b, c = map(int, m.groups())
    assert a0 == 0 and pdf[a:a + 1] == b"<" and pdf[b - 1:b] == b">"
    raw = bytes.fromhex(pdf[a + 1:b - 1].decode())
    assert raw[0] == 0x30 and raw[1] & 0x80  # DER SEQUENCE, long length form
    n = raw[1] & 0x7F
    der_len = 2 + n + int.from_bytes(raw[2:2 + n], "big")
    assert not any(raw[der_len:]), "only zero padding after the CMS"
    return pdf[:a] + pdf[b:b + c], raw[:der_len], (a, b, c)


def nss_db(directory, ca_pem):
    os.makedirs(directory)
    sh("certutil", "-N", "-d", "sql:" + directory, "--empty-password", check=True)
    sh("certutil", "-A", "-d", "sql:" + directory, "-n", "root", "-t", "CT,C,C", "-i", ca_pem, check=True)
    return "sql:" + directory


class PdfSignature(TempDirTest):
    @classmethod
    def setUpClass(cls):
        cls.shared = tempfile.mkdtemp(prefix="vp-pdfsign-")
        cls.keys = os.path.join(cls.shared, "K")
        rc, _, err = run(["keygen", "--out", cls.keys, "--now", PINNED])
        assert rc == 0, err
        cls.ca = os.path.join(cls.keys, "ca.pem")
        cls.bundle = pack(os.path.join(cls.keys, "signer.key"), os.path.join(cls.keys, "signer.pem"),
                          os.path.join(cls.shared, "archive"))
        cls.root = extract(cls.bundle, os.path.join(cls.shared, "x"))
        cls.nss = nss_db(os.path.join(cls.shared, "nss"), cls.ca)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.shared, ignore_errors=True)

    def pdf_copy(self, name="r.pdf"):
        dst = self.path(name)
        shutil.copy(os.path.join(self.root, PDF), dst)
        return dst

    def assert_pdfsig_ok(self, pdf, nss=None):
        out = sh("pdfsig", *(["-nssdir", nss] if nss else []), pdf).stdout
        # pdfsig exits 0 even for a digest mismatch: both lines are required
        self.assertIn("Signature Validation: Signature is Valid.", out)
        self.assertIn("Total document signed", out)
        self.assertNotIn("Not total document signed", out)
        self.assertIn("Signature Type: ETSI.CAdES.detached", out)
        return out

    def test_external_verifiers_accept(self):
        pdf = os.path.join(self.root, PDF)
        out = self.assert_pdfsig_ok(pdf)
        self.assertIn("Signing Time: Sep 30 2026 06:00:00", out)  # /M from the pinned clock
        self.assertIn("Certificate is Trusted.", self.assert_pdfsig_ok(pdf, self.nss))
        m = sh("mutool", "sign", "-v", pdf)
        self.assertIn("The document is unchanged since signing.", m.stdout + m.stderr)
        self.assertEqual(sh("qpdf", "--check", pdf).returncode, 0)

    def test_readme_commands_work(self):
        """The PDF steps of the bundle's README.txt ("$ " lines), run as written from inside
        a copy of the bundle folder with ca.pem beside it (test_literal_steps runs them all)."""
        base = self.path("beside")
        root = os.path.join(base, "copy")
        shutil.copytree(self.root, root)
        shutil.copy(self.ca, os.path.join(base, "ca.pem"))
        with open(os.path.join(root, "README.txt")) as f:
            lines = [ln.rstrip("\n") for ln in f]
        starts = ("mkdir ", "certutil ", "pdfsig ", "mutool sign")
        cmds = [ln[2:] for ln in lines if ln.startswith("$ ") and ln[2:].startswith(starts)]
        self.assertEqual(len(cmds), 5, cmds)
        r = sh("sh", "-ec", "\n".join(cmds), cwd=root)
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 0, out)
        self.assertIn("Certificate is Trusted.", out)
        self.assertEqual(out.count("Total document signed"), 1)
        self.assertEqual(out.count("Signature Validation: Signature is Valid."), 1)
        self.assertIn("The document is unchanged since signing.", out)
        # the NSS database is made beside the bundle folder, not inside it
        self.assertTrue(os.path.isdir(os.path.join(base, "nssdb")))
        self.assertFalse(os.path.exists(os.path.join(root, "nssdb")))

    def test_manifest_hashes_the_signed_pdf(self):
        with open(os.path.join(self.root, PDF), "rb") as f:
            pdf = f.read()
        self.assertIn(b"/ByteRange", pdf)
        with open(os.path.join(self.root, "manifest.json")) as f:
            (entry,) = [e for e in json.load(f)["files"] if e["path"] == PDF]
        self.assertEqual(entry["sha256"], hashlib.sha256(pdf).hexdigest())
        self.assertEqual(entry["size"], len(pdf))

    def test_cms_is_pades_baseline(self):
        with open(os.path.join(self.root, PDF), "rb") as f:
            pdf = f.read()
        data, der, _ = signed_parts(pdf)
        for name, content in (("ranges.bin", data), ("sig.der", der)):
            with open(self.path(name), "wb") as f:
                f.write(content)
        v = sh("openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", self.path("sig.der"), "-content",
               self.path("ranges.bin"), "-CAfile", self.ca, "-purpose", "any", "-cades", "-out", os.devnull)
        self.assertEqual(v.returncode, 0, v.stderr)
        self.assertIn("CAdES Verification successful", v.stderr + v.stdout)
        printed = sh("openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in", self.path("sig.der")).stdout
        self.assertNotIn("signingTime", printed)
        self.assertIn("id-smime-aa-signingCertificateV2", printed)
        self.assertIn("messageDigest", printed)
        sig = pdf[pdf.rindex(b"/Type /Sig"):]
        self.assertIn(b"/SubFilter /ETSI.CAdES.detached", sig)
        self.assertIn(b"/M (D:20260930060000Z)", sig)

    def test_incremental_update_keeps_libharu_output(self):
        with open(os.path.join(self.root, PDF), "rb") as f:
            pdf = f.read()
        first = pdf[:pdf.index(b"%%EOF") + len(b"%%EOF\n")]  # the original revision, untouched
        self.assertTrue(first.startswith(b"%PDF-1."))
        self.assertIn(b"Haru Free PDF Library", first)
        self.assertNotIn(b"/ByteRange", first)
        with open(self.path("orig.pdf"), "wb") as f:
            f.write(first)
        self.assertEqual(sh("qpdf", "--check", self.path("orig.pdf")).returncode, 0)
        tail = pdf[len(first):]
        self.assertIn(b"/Prev %d" % int(re.findall(rb"startxref\s+(\d+)", first)[-1]), tail)
        self.assertRegex(tail, rb"/ID \[<[0-9a-f]{32}> <[0-9a-f]{32}>\]")
        self.assertIn(b"/AcroForm << /Fields [", tail)
        self.assertIn(b"/SigFlags 3", tail)
        self.assertIn(b"/Annots [", tail)

    def rebuilt_bundle(self, change):
        """The bundle with report.pdf changed by change(bytes) and everything else made
        consistent again: manifest and SHA256SUMS rehashed, both re-signed with the
        signer's own key - so only the PDF signature can notice."""
        root = self.path("rebuilt", os.path.basename(self.root))
        shutil.copytree(self.root, root)
        with open(os.path.join(root, PDF), "rb") as f:
            pdf = change(f.read())
        with open(os.path.join(root, PDF), "wb") as f:
            f.write(pdf)
        with open(os.path.join(root, "manifest.json")) as f:
            manifest = json.load(f)
        for e in manifest["files"]:
            if e["path"] == PDF:
                e["size"], e["sha256"] = len(pdf), hashlib.sha256(pdf).hexdigest()
        with open(os.path.join(root, "manifest.json"), "w") as f:
            json.dump(manifest, f, indent=2)
        # as pack does: the manifest's signature, then SHA256SUMS over it too, then its signature
        for signed in ("manifest.json", None, "SHA256SUMS"):
            if signed is None:
                sums = []
                with open(os.path.join(root, "SHA256SUMS")) as f:
                    for line in f:
                        h, name = line.rstrip("\n").split("  ", 1)
                        with open(os.path.join(root, name), "rb") as g:
                            sums.append("%s  %s\n" % (hashlib.sha256(g.read()).hexdigest(), name))
                with open(os.path.join(root, "SHA256SUMS"), "w") as f:
                    f.writelines(sums)
                continue
            os.remove(os.path.join(root, signed + ".p7s"))
            sh("openssl", "cms", "-sign", "-binary", "-cades", "-md", "sha256", "-nosmimecap", "-outform", "DER",
               "-signer", os.path.join(self.keys, "signer.pem"), "-inkey", os.path.join(self.keys, "signer.key"),
               "-in", os.path.join(root, signed), "-out", os.path.join(root, signed + ".p7s"), check=True)
        out = self.path("rebuilt.tar.gz")
        retar(self.path("rebuilt"), out)
        return out, os.path.join(root, PDF)

    def test_flipped_byte_in_signed_range(self):
        def flip(pdf):
            at = pdf.index(b"Haru Free PDF Library")  # inside the first signed range
            return pdf[:at] + b"h" + pdf[at + 1:]
        bundle, pdf = self.rebuilt_bundle(flip)
        out = sh("pdfsig", pdf).stdout
        self.assertIn("Digest Mismatch", out)
        m = sh("mutool", "sign", "-v", pdf)
        self.assertNotIn("unchanged since signing", m.stdout + m.stderr)
        rc, out, _ = run(["verify", bundle, "--trust", self.ca])
        self.assertEqual(rc, 1, out)
        self.assertRegex(out, r"pdf-signature\s+FAILED")
        self.assertRegex(out, r"\n  signature\s+ok")  # the re-signed manifest itself is fine
        self.assertIn("FAILED: report/report.pdf: PDF signature:", out)
        self.assertIn("does not match the data", out)

    def test_appended_bytes(self):
        bundle, pdf = self.rebuilt_bundle(lambda b: b + b"% appended after signing\n")
        out = sh("pdfsig", pdf).stdout
        self.assertIn("Signature is Valid.", out)  # the trap: valid, but not over the whole file
        self.assertIn("Not total document signed", out)
        rc, out, _ = run(["verify", bundle, "--trust", self.ca, "--json"])
        self.assertEqual(rc, 1)
        verdict = json.loads(out)
        self.assertEqual(verdict["checks"]["pdf-signature"], "fail")
        self.assertEqual(verdict["checks"]["signature"], "pass")
        self.assertTrue(any("not the whole document signed" in p for p in verdict["problems"]), verdict["problems"])

    def test_verify_reports_pdf_signature(self):
        rc, out, err = run(["verify", self.bundle, "--trust", self.ca, "--json"])
        self.assertEqual(rc, 0, out + err)
        verdict = json.loads(out)
        self.assertEqual(verdict["checks"]["pdf-signature"], "pass")
        self.assertEqual(verdict["checks"]["timestamp"], "skipped")
        self.assertEqual(verdict["pdf_claimed_time"], "D:20260930060000Z")
        self.assertIn("vaultproof demo signer", verdict["pdf_signer"])
        # another anchor: the PDF signer is not trusted either
        other = self.path("other")
        run(["keygen", "--out", other, "--now", PINNED])
        rc, out, _ = run(["verify", self.bundle, "--trust", os.path.join(other, "ca.pem")])
        self.assertEqual(rc, 1)
        self.assertRegex(out, r"pdf-signature\s+FAILED")

    def test_rsa_signer(self):
        ca_key, ca, key, csr, cert = (self.path(n) for n in ("ca.key", "ca.pem", "rsa.key", "rsa.csr", "rsa.pem"))
        sh("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca, "-days", "30",
           "-subj", "/CN=vaultproof RSA test CA", "-addext", "basicConstraints=critical,CA:TRUE",
           "-addext", "keyUsage=critical,keyCertSign,cRLSign", check=True)
        sh("openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
           "-subj", "/CN=vaultproof RSA test signer", check=True)
        with open(self.path("leaf.ext"), "w") as f:
            f.write("keyUsage=critical,digitalSignature,nonRepudiation\nextendedKeyUsage=emailProtection\n")
        sh("openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", cert,
           "-days", "30", "-extfile", self.path("leaf.ext"), check=True)
        os.chmod(key, 0o600)
        bundle = pack(key, cert, self.path("archive"))
        pdf = os.path.join(extract(bundle, self.path("x")), PDF)
        out = self.assert_pdfsig_ok(pdf, nss_db(self.path("nss"), ca))
        self.assertIn("Certificate is Trusted.", out)
        m = sh("mutool", "sign", "-v", pdf)
        self.assertIn("The document is unchanged since signing.", m.stdout + m.stderr)
        rc, out, _ = run(["verify", bundle, "--trust", ca])
        self.assertEqual(rc, 0, out)
        self.assertIn("pdf signer: CN=vaultproof RSA test signer", out)


if __name__ == "__main__":
    main()
