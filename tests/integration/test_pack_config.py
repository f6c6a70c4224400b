"""pack takes its signer (key, certificate, chain, passphrase source, TSA) from the
config's "signer" object, overridable with --key/--cert/--chain, and its scope from
the config, overridable with --subscription."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from vptest import light_sample, PINNED, SAMPLE, TempDirTest, load, main, run  # noqa: E402

RAW = light_sample()


class PackConfig(TempDirTest):
    def setUp(self):
        super().setUp()
        rc, _, err = run(["keygen", "--out", self.path("keys"), "--now", PINNED])
        self.assertEqual(rc, 0, err)
        self.base = load(os.path.join(SAMPLE, "vaultproof.json"))

    def config(self, **extra):
        cfg = dict(self.base)
        cfg.update(extra)
        path = self.path("vaultproof.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(cfg, f)
        return path

    def pack(self, config, archive, *extra, env=None, expect=0):
        args = ["pack", "--config", config, "--replay", RAW, "--period", "2026-Q3", "--out", self.path(archive),
                "--now", PINNED] + list(extra)
        rc, out, err = run(args, env=env)
        self.assertEqual(rc, expect, err)
        return (out.splitlines()[0] if rc == 0 else None), err

    def verify(self, bundle, ca):
        rc, out, err = run(["verify", bundle, "--trust", ca, "--json"])
        self.assertEqual(rc, 0, out + err)
        return json.loads(out)

    def test_signer_from_config_with_paths_relative_to_it(self):
        config = self.config(signer={"key": "keys/signer.key", "cert": "keys/signer.pem"})
        bundle, _ = self.pack(config, "a", expect=0)
        verdict = self.verify(bundle, self.path("keys", "ca.pem"))
        self.assertIn("NOT FOR PRODUCTION", verdict["signer"])

    def test_signer_ca_from_config_is_the_trust_anchor(self):
        import tarfile
        config = self.config(signer={"key": "keys/signer.key", "cert": "keys/signer.pem", "ca": "keys/ca.pem"})
        bundle, err = self.pack(config, "a")
        self.assertNotIn("no CA given", err)
        with tarfile.open(bundle) as t:
            top = t.getnames()[0].split("/")[0]
            anchor = json.load(t.extractfile(top + "/manifest.json"))["trust_anchor"]
        fp = subprocess.run(["openssl", "x509", "-in", self.path("keys", "ca.pem"), "-noout", "-fingerprint",
                             "-sha256"], capture_output=True, text=True, check=True).stdout.strip()
        self.assertEqual("sha256 Fingerprint=" + anchor["sha256_fingerprint"], fp)
        # --ca overrides it; a CA that did not issue the signer is refused (exit 5)
        rc, _, err = run(["keygen", "--out", self.path("other"), "--now", PINNED])
        self.assertEqual(rc, 0, err)
        _, err = self.pack(config, "b", "--ca", self.path("other", "ca.pem"), expect=5)
        self.assertIn("did not issue the signer", err)
        config = self.config(signer={"key": "keys/signer.key", "cert": "keys/signer.pem",
                                     "ca": "keys/missing.pem"})
        _, err = self.pack(config, "c", expect=3)
        self.assertIn("missing.pem", err)

    def test_command_line_key_overrides_the_config_signer(self):
        rc, _, err = run(["keygen", "--out", self.path("other"), "--now", PINNED])
        self.assertEqual(rc, 0, err)
        config = self.config(signer={"key": "keys/signer.key", "cert": "keys/signer.pem"})
        bundle, _ = self.pack(config, "a", "--key", self.path("other", "signer.key"), "--cert",
                              self.path("other", "signer.pem"))
        self.verify(bundle, self.path("other", "ca.pem"))  # signed by the other key, not the config's
        rc, out, _ = run(["verify", bundle, "--trust", self.path("keys", "ca.pem")])
        self.assertEqual(rc, 1, out)

    def test_encrypted_key_with_passphrase_from_the_environment(self):
        enc = self.path("keys", "enc.key")
        subprocess.run(["openssl", "pkcs8", "-topk8", "-in", self.path("keys", "signer.key"), "-out", enc,
                        "-passout", "pass:correct horse", "-v2", "aes-256-cbc"], check=True, capture_output=True)
        os.chmod(enc, 0o600)
        config = self.config(signer={"key": "keys/enc.key", "cert": "keys/signer.pem",
                                     "passphrase_env": "VP_TEST_KEY_PASS"})
        bundle, _ = self.pack(config, "a", env={"VP_TEST_KEY_PASS": "correct horse"})
        self.verify(bundle, self.path("keys", "ca.pem"))
        _, err = self.pack(config, "b", env={"VP_TEST_KEY_PASS": "zebra-7731"}, expect=3)
        self.assertNotIn("zebra-7731", err)  # the passphrase is never echoed
        _, err = self.pack(config, "c", expect=3)
        self.assertIn("VP_TEST_KEY_PASS", err)
        self.assertFalse(os.path.exists(self.path("c", "ledger.jsonl")))

    def test_config_signer_is_validated(self):
        for signer, fragment in [({"cert": "keys/signer.pem"}, "/signer: expected one of key"),
                                 ({"key": "keys/signer.key", "pin": "1234"}, "/signer/pin: unknown key"),
                                 ({"key": "keys/signer.key", "tsa": "ftp://tsa"}, "/signer/tsa"),
                                 ({"key": 7}, "/signer")]:
            config = self.config(signer=signer)
            _, err = self.pack(config, "x", expect=3)
            self.assertIn(fragment, err)

    def test_no_signer_anywhere_is_a_usage_error(self):
        _, err = self.pack(self.config(), "a", expect=2)
        self.assertIn("no signer", err)
        _, err = self.pack(self.config(), "b", "--cert", self.path("keys", "signer.pem"), expect=2)
        self.assertIn("go with --key", err)

    def test_subscription_option_overrides_the_config_scope(self):
        config = self.config(signer={"key": "keys/signer.key", "cert": "keys/signer.pem"})
        full, _ = self.pack(config, "full")
        rc, snap, err = run(["collect", "--replay", RAW, "--now", PINNED, "--out", "-", "--quiet"])
        self.assertEqual(rc, 0, err)
        subs = sorted({v["subscription_id"] for v in json.loads(snap)["vaults"]})
        self.assertGreater(len(subs), 1)
        one, _ = self.pack(config, "one", "--subscription", subs[0])
        sizes = {}
        for name, bundle in (("full", full), ("one", one)):
            out = self.path("x-" + name)
            os.makedirs(out)
            subprocess.run(["tar", "-xzf", bundle, "-C", out], check=True)
            (top,) = os.listdir(out)
            vaults = load(os.path.join(out, top, "data", "snapshot.json"))["vaults"]
            sizes[name] = {v["subscription_id"] for v in vaults}
        self.assertEqual(sizes["one"], {subs[0]})
        self.assertGreater(len(sizes["full"]), 1)


if __name__ == "__main__":
    main()
