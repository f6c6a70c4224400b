"""Keys that never leave a token: pack signs with a PKCS#11 key (SoftHSM, through OpenSSL's
pkcs11 engine) and the bundle, its PDF and its ledger line verify with the same standard
commands as a file key's; the manifest says which kind of key signed and verify prints it;
a wrong PIN is exit 5 and the PIN appears in no output and no file.

The token is made at test time in a private directory (SOFTHSM2_CONF) by the two shell
blocks docs/signing.md "Keys in a token (PKCS#11)" prints, run as printed: an RSA 3072
and an ECDSA P-256 key pair generated INSIDE it (pkcs11-tool --keypairgen; the private
keys are never extractable), each certificate issued by a test CA over a request the
token key signed (openssl req -engine pkcs11 -keyform engine), the EC certificate stored
in the token and exported back with pkcs11-tool.

The RSA key is used from the config ("signer": pkcs11_uri, pin_env, pkcs11_module: the
SoftHSM module); the EC key from the command line (--key pkcs11:..., --pin-env) through
the default module, p11-kit-proxy, which loads SoftHSM from p11-kit's registry.

Under the sanitizers (VP_SANITIZED=1), LeakSanitizer is given tests/integration/
lsan-pkcs11.supp: libp11's engine allocates its method tables once per process and never
frees them; the file says why each line is there.
"""
import glob
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from vptest import light_sample, BINARY, PINNED, SAMPLE, SOURCE, TempDirTest, load, main, run  # noqa: E402
from test_literal_steps import assert_readme_steps_pass  # noqa: E402
import test_pack  # noqa: E402  (its resigned(): an older bundle, without "signer_key")

SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"  # Debian's softhsm2
TOKEN = "vaultproof-test"
PIN_ENV = "VP_TEST_TOKEN_PIN"
RSA_URI = "pkcs11:token=%s;object=signer-rsa" % TOKEN
EC_URI = "pkcs11:token=%s;object=signer-ec" % TOKEN
SUPPRESSIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lsan-pkcs11.supp")


def sh(args, env, **kw):
    p = subprocess.run(args, env=env, capture_output=True, timeout=120, **kw)
    if p.returncode != 0:
        raise AssertionError("%s failed (%d):\n%s%s" % (args[0], p.returncode, p.stdout.decode(errors="replace"),
                                                       p.stderr.decode(errors="replace")))
    return p.stdout.decode(errors="replace")


class TokenKeys(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="vp-pkcs11-")
        d = cls.dir
        # a PIN nothing else contains, so finding it anywhere is a leak
        cls.pin = "pin-" + secrets.token_hex(12)
        so_pin = "so-" + secrets.token_hex(12)
        os.mkdir(os.path.join(d, "tokens"))
        conf = os.path.join(d, "softhsm2.conf")
        with open(conf, "w") as f:
            f.write("directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n" % d)
        cls.env = dict(os.environ, SOFTHSM2_CONF=conf)
        cls.env.pop("SOURCE_DATE_EPOCH", None)
        # docs/signing.md's blocks, as printed: the token, the keys made inside it, the
        # certificate requests they signed, a test CA issuing the certificates, the EC
        # certificate stored in the token and exported back
        with open(os.path.join(SOURCE, "docs", "signing.md"), encoding="utf-8") as f:
            blocks = re.findall(r"<!-- test_pkcs11.py runs the next block -->\n```sh\n(.*?)```", f.read(), re.S)
        assert len(blocks) == 2, "docs/signing.md: expected the two blocks this test runs, found %d" % len(blocks)
        doc_env = dict(cls.env, VAULTPROOF_PKCS11_PIN=cls.pin, SO_PIN=so_pin)
        for block in blocks:
            sh(["sh", "-e", "-c", block], doc_env, cwd=d)
        cls.ca = os.path.join(d, "ca.pem")
        cls.certs = {k: os.path.join(d, "signer-%s.pem" % k) for k in ("rsa", "ec")}
        cls.objects = sh(["pkcs11-tool", "--module", SOFTHSM_MODULE, "--token-label", TOKEN, "--login", "--pin",
                          cls.pin, "--list-objects"], cls.env)
        cls.outputs = []  # every stdout and stderr of vaultproof, for the PIN search
        cls.archive = os.path.join(d, "archive")
        cfg = load(os.path.join(SAMPLE, "vaultproof.json"))
        cfg["signer"] = {"pkcs11_uri": RSA_URI, "pin_env": PIN_ENV, "pkcs11_module": SOFTHSM_MODULE,
                         "cert": "signer-rsa.pem", "ca": "ca.pem"}
        cls.config = os.path.join(d, "vaultproof.json")
        with open(cls.config, "w") as f:
            json.dump(cfg, f)
        cls.rsa_bundle = cls.pack(cls.config)
        cls.ec_bundle = cls.pack(os.path.join(SAMPLE, "vaultproof.json"), "--key", EC_URI, "--cert",
                                 cls.certs["ec"], "--pin-env", PIN_ENV, "--ca", cls.ca,
                                 label=("--request-id", "AUD-TOKEN"))  # another name in the same second

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    @classmethod
    def vp(cls, args, pin=None, expect=0):
        """vaultproof with the token's environment (and the PIN in PIN_ENV when given)."""
        env = dict(cls.env)
        env.pop(PIN_ENV, None)
        if pin is not None:
            env[PIN_ENV] = pin
        if os.environ.get("VP_SANITIZED") and args[0] == "pack":
            # pack loads the engine; the suppressions match through libp11's frames only with
            # full malloc stacks, which are slow, so only here
            env["ASAN_OPTIONS"] = os.environ.get("ASAN_OPTIONS", "") + ":fast_unwind_on_malloc=0"
            env["LSAN_OPTIONS"] = "suppressions=%s:print_suppressions=0" % SUPPRESSIONS
        rc, out, err = run(args, env=env)
        cls.outputs.append(out + err)
        assert rc == expect, "%r: exit %d, expected %d:\n%s%s" % (args, rc, expect, out, err)
        return out, err

    @classmethod
    def pack(cls, config, *extra, pin=None, expect=0, label=("--period", "2026-Q3")):
        out, err = cls.vp(["pack", "--config", config, "--replay", light_sample(), "--out", cls.archive] +
                          list(label) + list(extra), pin=cls.pin if pin is None else pin, expect=expect)
        return out.splitlines()[0] if expect == 0 else err

    def extract(self, bundle):
        dest = tempfile.mkdtemp(prefix="x-", dir=self.dir)
        with tarfile.open(bundle) as t:
            t.extractall(dest)
        (top,) = os.listdir(dest)
        return os.path.join(dest, top)

    # ---- the keys stayed in the token ----

    def test_keys_were_generated_inside_the_token(self):
        # pkcs11-tool --list-objects: one block per object, its first line not indented
        blocks = [b for b in self.objects.split("\n") if b]
        private, current = {}, None
        for line in blocks:
            if not line.startswith(" "):
                current = line if line.startswith("Private Key Object") else None
            elif current and line.strip().startswith("label:"):
                label = line.split(":", 1)[1].strip()
                private[label] = current
            elif current and line.strip().startswith("Access:"):
                private[label] += " | " + line.strip()
        self.assertEqual(sorted(private), ["signer-ec", "signer-rsa"], self.objects)
        for label, text in private.items():
            self.assertIn("sensitive, always sensitive, never extractable, local", text, label)
        self.assertIn("RSA 3072 bits", self.objects)
        # the certificate exported from the token is the one the CA issued
        with open(os.path.join(self.dir, "issued-ec.pem")) as a, open(self.certs["ec"]) as b:
            self.assertEqual(a.read(), b.read())

    # ---- the same standard commands as for a file key ----

    def test_bundles_verify_with_standard_tools(self):
        for name, bundle in (("rsa", self.rsa_bundle), ("ec", self.ec_bundle)):
            with self.subTest(key=name):
                top = self.extract(bundle)
                for p7s, content in (("manifest.json.p7s", "manifest.json"), ("SHA256SUMS.p7s", "SHA256SUMS")):
                    p = subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", p7s,
                                        "-content", content, "-CAfile", self.ca, "-purpose", "any", "-out",
                                        os.devnull], cwd=top, capture_output=True, text=True)
                    self.assertEqual(p.returncode, 0, p.stderr)
                    self.assertIn("CMS Verification successful", p.stderr)
                    signer = subprocess.run(["openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in", p7s],
                                            cwd=top, capture_output=True, text=True, check=True).stdout
                    self.assertIn("token signer " + name, signer)
                pdf = subprocess.run(["pdfsig", "report/report.pdf"], cwd=top, capture_output=True, text=True)
                self.assertEqual(pdf.returncode, 0, pdf.stdout + pdf.stderr)
                self.assertIn("Signature Validation: Signature is Valid.", pdf.stdout)
                self.assertIn("Total document signed", pdf.stdout)
                self.assertIn("token signer " + name, pdf.stdout)
                subprocess.run(["sha256sum", "-c", "--strict", "--quiet", "SHA256SUMS"], cwd=top, check=True)
                # certs/ holds the signer's certificate, from the config as from --cert
                with open(os.path.join(top, "certs", "signer.pem")) as a, open(self.certs[name]) as b:
                    self.assertEqual(a.read(), b.read())

    def test_readme_steps_run_as_printed(self):
        """The bundle's own README.txt steps (the ones a file-key bundle prints), run literally."""
        work = tempfile.mkdtemp(prefix="steps-", dir=self.dir)
        assert_readme_steps_pass(self, self.ec_bundle, self.ca, work, env=self.env, outputs=self.outputs)

    def test_verify_prints_the_key_kind(self):
        for uri, bundle in ((RSA_URI, self.rsa_bundle), (EC_URI, self.ec_bundle)):
            ref = uri[len("pkcs11:"):]
            out, _ = self.vp(["verify", bundle, "--trust", self.ca])
            self.assertIn("\nsigner key: pkcs11 %s\n" % ref, out)
            self.assertEqual(out.splitlines()[-1], "bundle: VERIFIED")
            out, _ = self.vp(["verify", bundle, "--trust", self.ca, "--json"])
            self.assertEqual(json.loads(out)["signer_key"], {"kind": "pkcs11", "ref": ref})
            with tarfile.open(bundle) as t:
                name = next(n for n in t.getnames() if n.endswith("/manifest.json"))
                manifest = json.load(t.extractfile(name))
            self.assertEqual(manifest["signer_key"], {"kind": "pkcs11", "ref": ref})
        # without --trust, what the manifest says is not yet a fact
        out, _ = self.vp(["verify", self.ec_bundle], expect=1)
        self.assertIn("\nunverified signer key: pkcs11 token=%s;object=signer-ec\n" % TOKEN, out)

    def test_ledger_lines_signed_by_the_token_keys(self):
        out, _ = self.vp(["verify", "--ledger", os.path.join(self.archive, "ledger.jsonl"), "--trust", self.ca])
        self.assertIn("chain+signatures ok", out)
        self.assertEqual(out.splitlines()[-1], "archive: VERIFIED")
        # each line with sed + openssl, as docs/ledger-format.md prints it: line 1 by the
        # RSA key, line 2 by the EC key
        for seq, name in ((1, "rsa"), (2, "ec")):
            line = os.path.join(self.dir, "line%d" % seq)
            with open(line, "wb") as f:
                f.write(subprocess.run(["sed", "-n", "%dp" % seq, "ledger.jsonl"], cwd=self.archive,
                                       capture_output=True, check=True).stdout)
            sig = "ledger.jsonl.sig/%06d.p7s" % seq
            p = subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", sig, "-content", line,
                                "-CAfile", self.ca, "-purpose", "any", "-out", os.devnull, "-certsout",
                                os.path.join(self.dir, "line%d.pem" % seq)], cwd=self.archive, capture_output=True,
                               text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("CMS Verification successful", p.stderr)
            subject = subprocess.run(["openssl", "x509", "-noout", "-subject", "-in",
                                      os.path.join(self.dir, "line%d.pem" % seq)], capture_output=True, text=True,
                                     check=True).stdout
            self.assertIn("token signer " + name, subject)

    # ---- refusals ----

    def test_pin_from_a_file(self):
        """signer/pin_file: the PIN as systemd's LoadCredential= hands it over (a file); a wrong
        one is exit 5 naming the file, never the PIN."""
        cfg = load(self.config)
        del cfg["signer"]["pin_env"]
        config = os.path.join(self.dir, "vaultproof-pin-file.json")
        pin_path = os.path.join(self.dir, "pin-credential")
        args = ["pack", "--config", config, "--replay", light_sample(), "--period", "2026-Q3",
                "--out", os.path.join(self.dir, "archive-pin-file")]
        wrong = "wrong-" + secrets.token_hex(6)
        for pin, expect in ((wrong, 5), (self.pin, 0)):
            with open(pin_path, "w") as f:
                f.write(pin + "\n")
            cfg["signer"]["pin_file"] = pin_path
            with open(config, "w") as f:
                json.dump(cfg, f)
            out, err = self.vp(args, expect=expect)  # no PIN variable in the environment
            self.assertNotIn(pin, out + err)
            if expect:
                self.assertIn("the token refused the PIN", err)
                self.assertIn("the PIN was read from " + pin_path, err)
        cfg["signer"]["pin_env"] = PIN_ENV
        with open(config, "w") as f:
            json.dump(cfg, f)
        _, err = self.vp(args, pin=self.pin, expect=3)
        self.assertIn("give pin_env or pin_file, not both", err)

    def test_wrong_pin_and_other_refusals(self):
        before = sorted(glob.glob(os.path.join(self.archive, "*.tar.gz")))
        wrong = "wrong-" + secrets.token_hex(6)
        err = self.pack(self.config, pin=wrong, expect=5)
        self.assertIn("signer key pkcs11:token=%s;object=signer-rsa: the token refused the PIN" % TOKEN, err)
        self.assertIn("environment variable " + PIN_ENV, err)
        self.assertNotIn(wrong, err)
        self.assertNotIn(self.pin, err)
        # the PIN's variable unset, then empty: exit 3 naming it
        for pin, how in ((None, "is not set"), ("", "is empty")):
            env = dict(self.env)
            env.pop(PIN_ENV, None)
            if pin is not None:
                env[PIN_ENV] = pin
            rc, out, err = run(["pack", "--config", self.config, "--replay", light_sample(), "--period", "2026-Q3",
                                "--out", self.archive], env=env)  # refused before the engine is loaded
            self.outputs.append(out + err)
            self.assertEqual(rc, 3, err)
            self.assertIn("environment variable %s %s" % (PIN_ENV, how), err)
            self.assertIn("/signer/pin_env", err)
        # the default variable when --pin-env is not given
        err = self.pack(os.path.join(SAMPLE, "vaultproof.json"), "--key", EC_URI, "--cert", self.certs["ec"], expect=3)
        self.assertIn("environment variable VAULTPROOF_PKCS11_PIN is not set", err)
        # a PIN in the URI: refused before the token is asked, and never repeated
        err = self.pack(os.path.join(SAMPLE, "vaultproof.json"), "--key", EC_URI + "?pin-value=" + self.pin,
                        "--cert", self.certs["ec"], "--pin-env", PIN_ENV, expect=3)
        self.assertIn("carries a PIN (pin-value), which is refused", err)
        self.assertNotIn(self.pin, err)
        # no such object, no such token, no such module: exit 5 naming what was asked for
        for uri in ("pkcs11:token=%s;object=no-such-key" % TOKEN, "pkcs11:token=no-such-token;object=signer-ec"):
            err = self.pack(os.path.join(SAMPLE, "vaultproof.json"), "--key", uri, "--cert", self.certs["ec"],
                            "--pin-env", PIN_ENV, expect=5)
            self.assertIn("signer key %s: no such private key found" % uri, err)
        err = self.pack(os.path.join(SAMPLE, "vaultproof.json"), "--key", EC_URI, "--cert", self.certs["ec"],
                        "--pin-env", PIN_ENV, "--pkcs11-module", os.path.join(self.dir, "missing.so"), expect=5)
        self.assertIn("cannot load the PKCS#11 module %s" % os.path.join(self.dir, "missing.so"), err)
        # the token's key against another key's certificate
        err = self.pack(os.path.join(SAMPLE, "vaultproof.json"), "--key", EC_URI, "--cert", self.certs["rsa"],
                        "--pin-env", PIN_ENV, expect=3)
        self.assertIn("signer key pkcs11:token=%s;object=signer-ec does not match the certificate" % TOKEN, err)
        # a passphrase option is for key files; --pin-env is for tokens
        err = self.pack(os.path.join(SAMPLE, "vaultproof.json"), "--key", EC_URI, "--cert", self.certs["ec"],
                        "--passphrase-env", PIN_ENV, expect=2)
        self.assertIn("--passphrase-* is for a key file", err)
        # nothing was published by any of them
        self.assertEqual(sorted(glob.glob(os.path.join(self.archive, "*.tar.gz"))), before)

    def test_zz_the_pin_is_nowhere(self):
        """No output of any run, and no file the runs wrote (the archive, the ledger and its
        signatures, every file of every bundle), holds the PIN. Named to run last (unittest
        sorts by name), so every other test's outputs are in self.outputs."""
        pin = self.pin.encode()
        for text in self.outputs:
            self.assertNotIn(self.pin, text)
        seen = 0
        for bundle in (self.rsa_bundle, self.ec_bundle):
            top = self.extract(bundle)
            for root, _dirs, files in os.walk(top):
                for name in files:
                    with open(os.path.join(root, name), "rb") as f:
                        self.assertNotIn(pin, f.read(), os.path.join(root, name))
                    seen += 1
        for root, _dirs, files in os.walk(self.archive):
            for name in files:
                path = os.path.join(root, name)
                with open(path, "rb") as f:
                    data = f.read()
                self.assertNotIn(pin, data, path)
                if name.endswith(".tar.gz"):
                    # the archive files are gzip: their inflated bytes too
                    inflated = subprocess.run(["gzip", "-dc", path], capture_output=True, check=True).stdout
                    self.assertNotIn(pin, inflated, path)
                seen += 1
        self.assertGreater(seen, 20)
        # the bundled configuration leaves the signer out whole (docs/config.md)
        with tarfile.open(self.rsa_bundle) as t:
            name = next(n for n in t.getnames() if n.endswith("/config/vaultproof.json"))
            self.assertNotIn("signer", json.load(t.extractfile(name)))


class FileKeyKind(TempDirTest):
    """A file key's bundle says "file"; a bundle from before "signer_key" verifies with a note."""

    def test_file_key_and_older_bundle(self):
        keys = self.path("keys")
        rc, _, err = run(["keygen", "--out", keys, "--now", PINNED])
        self.assertEqual(rc, 0, err)
        rc, out, err = run(["pack", "--config", os.path.join(SAMPLE, "vaultproof.json"), "--replay", light_sample(),
                            "--request-id", "KIND-1", "--out", self.path("a"), "--key", os.path.join(keys, "signer.key"),
                            "--cert", os.path.join(keys, "signer.pem"), "--now", PINNED])
        self.assertEqual(rc, 0, err)
        bundle = out.splitlines()[0]
        rc, out, _ = run(["verify", bundle, "--trust", os.path.join(keys, "ca.pem")])
        self.assertEqual(rc, 0, out)
        self.assertIn("\nsigner key: file\n", out)
        self.assertNotIn("signer_key", out)
        older = test_pack.Pack.resigned(self, keys, bundle, "older.tar.gz", lambda m: m.pop("signer_key"))
        rc, out, _ = run(["verify", older, "--trust", os.path.join(keys, "ca.pem")])
        self.assertEqual(rc, 0, out)
        self.assertNotIn("signer key:", out)
        self.assertIn("note: manifest.json has no \"signer_key\" member", out)
        self.assertEqual(out.splitlines()[-1], "bundle: VERIFIED")
        rc, out, _ = run(["verify", older, "--trust", os.path.join(keys, "ca.pem"), "--json"])
        self.assertEqual(rc, 0, out)
        self.assertEqual(out.count('"notes"'), 1, out)  # one member, not two of the same name
        verdict = json.loads(out)
        self.assertIsNone(verdict["signer_key"])
        self.assertTrue(any('no "signer_key" member' in n for n in verdict["notes"]), verdict["notes"])
        # a malformed member fails the manifest check
        for n, bad_key in enumerate(("pkcs11", {"kind": "file\nbundle: VERIFIED", "ref": None},
                                     {"kind": "pkcs11", "ref": 7})):
            bad = test_pack.Pack.resigned(self, keys, bundle, "bad%d.tar.gz" % n,
                                          lambda m: m.update(signer_key=bad_key))
            rc, out, _ = run(["verify", bad, "--trust", os.path.join(keys, "ca.pem")])
            self.assertEqual(rc, 1, out)
            self.assertIn("FAILED: manifest.json: /signer_key: expected", out)
            self.assertNotIn("signer key:", out)


if __name__ == "__main__":
    main()
