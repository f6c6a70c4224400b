"""Signing with a key held in Azure Key Vault, against the emulator's Key Vault route
(tests/emulator/emu_keyvault.py) over real TLS on loopback: RSA and EC P-256 keys sign
the bundle (manifest and SHA256SUMS CMS, PAdES, ledger line) and the same standard tools
as for a file key verify it; 429/503 are retried; a 403 is exit 5 with Key Vault's text;
a certificate of another key, an unknown key version, a disabled key and one without the
sign operation are exit 5 (no version: exit 2); the Key Vault client's PS256 checks with
the public key; the emulator answers as Key Vault does (audience, RBAC, shapes); no secret
or token appears in any output or written file.

The signer certificate is issued by a CA the test makes, for the public key the emulator
writes beside each key (openssl x509 -req -force_pubkey): what an organization CA does with
a CSR for a Key Vault key (docs/signing.md)."""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import ssl
import tempfile
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from vptest import PINNED, SAMPLE, SOURCE, TempDirTest, light_sample, load, main, run  # noqa: E402

sys.path.insert(0, os.path.join(SOURCE, "tests", "emulator"))
from arm_emulator import Emulator  # noqa: E402
from test_literal_steps import assert_readme_steps_pass  # noqa: E402
from emu_pki import b64url  # noqa: E402

CREDENTIAL_VARS = ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH",
                   "AZURE_CLIENT_CERTIFICATE_PASSWORD", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST",
                   "IDENTITY_ENDPOINT", "IDENTITY_HEADER", "VAULTPROOF_IMDS_ENDPOINT",
                   "AZURE_POD_IDENTITY_AUTHORITY_HOST")
# every token the emulator issues starts with this (emu_auth.TokenStore.issue's header)
TOKEN_PREFIX = b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
KVSIGN = os.environ.get("VP_KVSIGN")  # tests/tools/kvsign.c, set by tests/CMakeLists.txt
SIGNER_EXT = ("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n"
              "extendedKeyUsage=emailProtection\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid,issuer\n")


def openssl(*args, **kw):
    p = subprocess.run(["openssl"] + list(args), capture_output=True, text=True, **kw)
    if p.returncode != 0:
        raise AssertionError("openssl %s: %s" % (args[0], p.stderr))
    return p.stdout


class KeyVaultSigning(TempDirTest):
    @classmethod
    def setUpClass(cls):
        cls.top = tempfile.mkdtemp(prefix="vp-kv-")
        cls.emu = Emulator(light_sample(), state_dir=os.path.join(cls.top, "emu"))
        cls.emu.start()
        info = cls.emu.info
        cls.rsa = cls.emu.kv_create_key("evidence-rsa", "RSA", size=2048)
        cls.ec = cls.emu.kv_create_key("evidence-ec", "EC", crv="P-256")
        cls.other = cls.emu.kv_create_key("evidence-rsa", "RSA", size=2048)  # a second version
        ca_dir = os.path.join(cls.top, "ca")
        os.makedirs(ca_dir)
        cls.ca = os.path.join(ca_dir, "ca.pem")
        ca_key = os.path.join(ca_dir, "ca.key")
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", ca_key,
                "-out", cls.ca, "-subj", "/CN=Contoso Evidence Test CA", "-days", "3", "-addext",
                "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        with open(os.path.join(ca_dir, "ext.cnf"), "w") as f:
            f.write("[signer]\n" + SIGNER_EXT)
        # a CSR needs a key to sign it; the certificate gets the Key Vault key instead
        throwaway = os.path.join(ca_dir, "throwaway.key")
        csr = os.path.join(ca_dir, "req.csr")
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                throwaway, "-out", csr, "-subj", "/CN=unused")
        for key, name in ((cls.rsa, "rsa"), (cls.ec, "ec"), (cls.other, "other")):
            key["cert"] = os.path.join(ca_dir, name + ".pem")
            openssl("x509", "-req", "-in", csr, "-CA", cls.ca, "-CAkey", ca_key, "-CAcreateserial",
                    "-force_pubkey", key["public_key"], "-subj", "/O=Contoso Health/CN=Evidence signer (Key Vault %s)"
                    % name, "-days", "2", "-sha256", "-extfile", os.path.join(ca_dir, "ext.cnf"), "-extensions",
                    "signer", "-out", key["cert"])
        cls.env = {k: "" for k in CREDENTIAL_VARS}
        cls.env.update(AZURE_TENANT_ID=info["tenant"], AZURE_CLIENT_ID=info["client_id"],
                       AZURE_CLIENT_SECRET=info["client_secret"], AZURE_AUTHORITY_HOST=info["authority"])
        cls.secrets = [info["client_secret"], TOKEN_PREFIX]

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()
        shutil.rmtree(cls.top, ignore_errors=True)

    def setUp(self):
        super().setUp()
        self.emu.set_faults([])
        self.emu.kv_deny([])
        self.outputs = []

    def config(self, key_id, cert, name="vaultproof.json"):
        cfg = load(os.path.join(SAMPLE, "vaultproof.json"))
        cfg["signer"] = {"key_vault_key": key_id, "cert": cert, "ca": self.ca}
        path = self.path(name)
        with open(path, "w") as f:
            json.dump(cfg, f)
        return path

    def pack(self, archive, config=None, key=None, cert=None, expect=0):
        args = ["pack", "--config", config or os.path.join(SAMPLE, "vaultproof.json"), "--replay", light_sample(),
                "--out", archive, "--period", "2026-Q3", "--now", PINNED, "--reproducible",
                "--ca-bundle", self.emu.info["ca"]]
        if key:
            args += ["--key", key, "--cert", cert, "--ca", self.ca]
        rc, out, err = run(args, env=self.env)
        self.outputs.append(out + err)
        self.assertEqual(rc, expect, out + err)
        return out.splitlines()[0] if rc == 0 else None, err

    def assert_no_secrets(self, *dirs):
        for text in self.outputs:
            for s in self.secrets:
                self.assertNotIn(s, text)
        for d in dirs:
            for root, _, files in os.walk(d):
                for name in files:
                    with open(os.path.join(root, name), "rb") as f:
                        data = f.read()
                    for s in self.secrets:
                        self.assertNotIn(s.encode(), data, os.path.join(root, name))

    def check_bundle(self, bundle, archive, kid):
        """The standard tools' verdicts, as for a file key (test_pack.py)."""
        x = self.path("x-" + os.path.basename(archive))
        os.makedirs(x)
        subprocess.run(["tar", "-xzf", bundle, "-C", x], check=True)
        (top,) = os.listdir(x)
        root = os.path.join(x, top)
        s = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=root, capture_output=True, text=True)
        self.assertEqual(s.returncode, 0, s.stdout + s.stderr)
        for signed in ("manifest.json", "SHA256SUMS"):
            c = subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", signed + ".p7s",
                                "-content", signed, "-CAfile", self.ca, "-purpose", "any", "-out", os.devnull],
                               cwd=root, capture_output=True, text=True)
            self.assertEqual(c.returncode, 0, c.stderr)
        p = subprocess.run(["pdfsig", "-no-ocsp", os.path.join(root, "report", "report.pdf")], capture_output=True,
                           text=True)
        self.assertIn("Signature Validation: Signature is Valid.", p.stdout)
        self.assertIn("Total document signed", p.stdout)
        rc, out, err = run(["verify", bundle, "--trust", self.ca, "--ledger", os.path.join(archive, "ledger.jsonl")])
        self.outputs.append(out + err)
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(out.splitlines()[-1], "bundle: VERIFIED")
        manifest = load(os.path.join(root, "manifest.json"))
        self.assertEqual(manifest["signer_key"], {"kind": "key-vault", "ref": kid})
        self.assertIn("\nsigner key: key-vault %s\n" % kid, out)  # verify prints which key signed
        return root

    def test_rsa_and_ec_keys_sign_bundles_the_standard_tools_verify(self):
        before = self.emu.stats()["by_operation"].get("keyvaultSign", 0)
        for key, how in ((self.rsa, "config"), (self.ec, "--key")):
            archive = self.path("archive-" + how)
            if how == "config":
                bundle, _ = self.pack(archive, config=self.config(key["kid"], key["cert"]))
            else:
                bundle, _ = self.pack(archive, key=key["kid"], cert=key["cert"])
            self.check_bundle(bundle, archive, key["kid"])
            # the bundle's own README.txt steps, as printed: the same as for a file key
            work = self.path("steps-" + how)
            os.makedirs(work)
            assert_readme_steps_pass(self, bundle, self.ca, work, outputs=self.outputs)
            self.assert_no_secrets(archive, self.tmp)
        signs = self.emu.stats()["by_operation"].get("keyvaultSign", 0) - before
        # per bundle: the test signature, PDF, manifest, SHA256SUMS and the ledger line at least
        self.assertGreaterEqual(signs, 10)

    def test_throttling_unavailability_and_expiry_are_retried(self):
        self.emu.set_faults([{"operation": "keyvaultSign", "kind": "429", "retry_after": "1", "times": 1, "after": 2},
                             {"operation": "keyvaultGetKey", "kind": "503", "times": 1},
                             {"operation": "keyvaultSign", "kind": "expire-token", "times": 1, "after": 4}])
        before = self.emu.stats()
        archive = self.path("archive")
        bundle, _ = self.pack(archive, config=self.config(self.ec["kid"], self.ec["cert"]))
        self.check_bundle(bundle, archive, self.ec["kid"])
        after = self.emu.stats()
        self.assertEqual(after["faults_fired"] - before["faults_fired"], 3)
        # the expired token was answered 401 once, and a new token asked for the vault
        self.assertEqual(after["unauthorized"] - before["unauthorized"], 1)
        self.assertGreaterEqual(after["token_requests"] - before["token_requests"], 2)
        self.assert_no_secrets(archive)

    def test_forbidden_is_exit_5_with_key_vaults_words(self):
        # the principal lost its role: Key Vault's RBAC refusal, on the first request
        self.emu.kv_deny([self.emu.info["object_ids"][self.emu.info["client_id"]]])
        archive = self.path("archive")
        _, err = self.pack(archive, config=self.config(self.rsa["kid"], self.rsa["cert"]), expect=5)
        self.assertIn("Caller is not authorized to perform action on resource", err)
        self.assertIn("HTTP 403", err)
        self.assertIn(self.rsa["kid"], err)
        self.assertIn("Key Vault Crypto User", err)
        self.assertNotIn("\r", err)
        self.emu.kv_deny([])
        # a sign refused mid-run (after the test signature and the PDF): nothing is published
        self.emu.set_faults([{"operation": "keyvaultSign", "kind": "403", "times": -1, "after": 2}])
        _, err = self.pack(archive, config=self.config(self.rsa["kid"], self.rsa["cert"]), expect=5)
        self.assertIn("Operation sign is not permitted on this key", err)
        self.assertFalse(os.path.exists(os.path.join(archive, "ledger.jsonl")))
        self.assertEqual([n for n in os.listdir(archive) if n.endswith(".tar.gz")] if os.path.isdir(archive) else [],
                         [])
        self.assert_no_secrets(self.tmp)

    def test_wrong_certificate_unknown_version_and_wrong_resource_are_exit_5(self):
        # the certificate of another version of the key: the test signature does not verify
        _, err = self.pack(self.path("a"), config=self.config(self.rsa["kid"], self.other["cert"]), expect=5)
        self.assertIn("does not match the certificate", err)
        self.assertIn(self.rsa["kid"], err)
        self.assertIn("Evidence signer (Key Vault other)", err)
        # an RSA certificate for an EC key
        _, err = self.pack(self.path("b"), config=self.config(self.ec["kid"], self.rsa["cert"]), expect=5)
        self.assertIn("expected the certificate issued for this Key Vault key", err)
        # a version that does not exist
        gone = self.rsa["kid"].rsplit("/", 1)[0] + "/0123456789abcdef0123456789abcdef"
        _, err = self.pack(self.path("c"), config=self.config(gone, self.rsa["cert"]), expect=5)
        self.assertIn("HTTP 404", err)
        self.assertIn("KeyNotFound", err)
        self.assertIn(gone, err)
        # no version: the manifest could not say which key version signed
        _, err = self.pack(self.path("d"), key=self.rsa["kid"].rsplit("/", 1)[0], cert=self.rsa["cert"], expect=2)
        self.assertIn("no key version", err)
        # a Key Vault key has no passphrase: one given is a mistake, not ignored
        cfg = self.config(self.rsa["kid"], self.rsa["cert"])
        doc = load(cfg)
        doc["signer"]["passphrase_env"] = "VP_TEST_UNUSED"
        with open(cfg, "w") as f:
            json.dump(doc, f)
        _, err = self.pack(self.path("e"), config=cfg, expect=3)
        self.assertIn("a Key Vault key (key_vault_key) has none", err)
        self.assert_no_secrets(self.tmp)

    def test_keys_that_cannot_sign_are_exit_5(self):
        disabled = self.emu.kv_create_key("evidence-off", "EC", enabled=False)
        verify_only = self.emu.kv_create_key("evidence-verify", "EC", key_ops=["verify"])
        _, err = self.pack(self.path("a"), config=self.config(disabled["kid"], self.ec["cert"]), expect=5)
        self.assertIn("the key version is disabled", err)
        _, err = self.pack(self.path("b"), config=self.config(verify_only["kid"], self.ec["cert"]), expect=5)
        self.assertIn("key_ops does not include \"sign\"", err)
        self.assert_no_secrets(self.tmp)

    def test_emulator_answers_as_key_vault(self):
        """The emulator's Key Vault side itself (tests/emulator/README.md): audiences, RBAC, shapes."""
        info = self.emu.info
        ctx = ssl.create_default_context(cafile=info["ca"])

        def call(url, token=None, body=None):
            headers = {"Authorization": "Bearer " + token} if token else {}
            if body is not None:
                headers["Content-Type"] = "application/json"
            req = urllib.request.Request(url, data=body, headers=headers)
            try:
                with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
                    return r.status, json.loads(r.read())
            except urllib.error.HTTPError as e:
                return e.code, json.loads(e.read())

        def token(resource):
            form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": info["client_id"],
                                           "client_secret": info["client_secret"],
                                           "scope": resource + "/.default"}).encode()
            return call("%s/%s/oauth2/v2.0/token" % (info["authority"], info["tenant"]), body=form)[1]["access_token"]

        vault, arm = token("https://vault.azure.net"), token("https://management.azure.com")
        kid = self.rsa["kid"] + "?api-version=7.4"
        st, body = call(kid, arm)
        self.assertEqual(st, 401)
        self.assertTrue(body["error"]["message"].startswith("AKV10022: Invalid audience"), body)
        st, body = call(info["arm"] + "/subscriptions?api-version=2022-12-01", vault)
        self.assertEqual((st, body["error"]["code"]), (401, "InvalidAuthenticationToken"))
        st, body = call(kid, vault)
        self.assertEqual(st, 200)
        self.assertEqual(body["key"]["kid"], self.rsa["kid"])
        self.assertEqual(body["key"]["kty"], "RSA")
        # without a version: the newest (the test's second version of evidence-rsa)
        st, body = call(self.rsa["kid"].rsplit("/", 1)[0] + "?api-version=7.4", vault)
        self.assertEqual(body["key"]["kid"], self.other["kid"])
        self.emu.kv_deny([info["object_ids"][info["client_id"]]])
        st, body = call(kid, vault)
        self.assertEqual((st, body["error"]["code"], body["error"]["innererror"]["code"]),
                         (403, "Forbidden", "ForbiddenByRbac"))
        self.emu.kv_deny([])
        st, body = call(self.ec["kid"] + "/sign?api-version=7.4", vault,
                        json.dumps({"alg": "RS256", "value": b64url(b"\0" * 32)}).encode())
        self.assertEqual((st, body["error"]["code"]), (400, "BadParameter"))

    def test_client_signs_ps256_rs256_and_es256_the_public_key_verifies(self):
        """The Key Vault client's algorithms, bundle or not (PS256 is not used for CMS: see
        docs/signing.md), each checked by openssl with the key's public key."""
        if not KVSIGN:
            raise AssertionError("VP_KVSIGN is not set: run through ctest (tests/CMakeLists.txt)")
        digest = hashlib.sha256(b"vaultproof PS256 probe").digest()
        data = self.path("digest")
        with open(data, "wb") as f:
            f.write(digest)
        env = dict(os.environ, **self.env)
        cases = (("PS256", self.rsa, ["-pkeyopt", "rsa_padding_mode:pss", "-pkeyopt", "rsa_pss_saltlen:32"]),
                 ("RS256", self.rsa, []), ("ES256", self.ec, []))
        for alg, key, opts in cases:
            sig = self.path(alg + ".sig")
            p = subprocess.run([KVSIGN, key["kid"], alg, digest.hex(), sig, "--ca", self.emu.info["ca"]],
                               env=env, capture_output=True, text=True)
            self.outputs.append(p.stdout + p.stderr)
            self.assertEqual(p.returncode, 0, p.stderr)
            if alg == "ES256":  # r||s as Key Vault returns it; openssl wants DER
                with open(sig, "rb") as f:
                    rs = f.read()
                self.assertEqual(len(rs), 64)
                der = self.path("es256.der")
                with open(der, "wb") as f:
                    f.write(der_ecdsa(rs))
                sig = der
            v = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", key["public_key"], "-in", data,
                                "-sigfile", sig, "-pkeyopt", "digest:sha256"] + opts, capture_output=True, text=True)
            self.assertIn("Signature Verified Successfully", v.stdout, alg + ": " + v.stderr)
        # PS256 with the wrong salt length does not verify: the check above can fail
        v = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", self.rsa["public_key"], "-in", data,
                            "-sigfile", self.path("PS256.sig"), "-pkeyopt", "digest:sha256", "-pkeyopt",
                            "rsa_padding_mode:pkcs1"], capture_output=True, text=True)
        self.assertNotIn("Signature Verified Successfully", v.stdout)
        # an algorithm the key cannot do is refused before the vault is asked
        p = subprocess.run([KVSIGN, self.ec["kid"], "PS256", digest.hex(), self.path("x.sig"), "--ca",
                            self.emu.info["ca"]], env=env, capture_output=True, text=True)
        self.assertEqual(p.returncode, 5, p.stderr)
        self.assertIn("is EC P-256, but PS256 was asked for", p.stderr)
        self.assert_no_secrets(self.tmp)


def der_ecdsa(rs):
    """r||s -> DER Ecdsa-Sig-Value (independent of vaultproof's conversion)."""
    def integer(b):
        b = b.lstrip(b"\x00") or b"\x00"
        if b[0] & 0x80:
            b = b"\x00" + b
        return b"\x02" + bytes([len(b)]) + b
    body = integer(rs[:32]) + integer(rs[32:])
    return b"\x30" + bytes([len(body)]) + body


if __name__ == "__main__":
    main()
