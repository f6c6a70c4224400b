"""vaultproof keygen: demo keys that standard tools accept, a private key only its owner
can read, and never an overwritten key."""
import os
import stat
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from vptest import PINNED, TempDirTest, main, run  # noqa: E402


class Keygen(TempDirTest):
    def test_writes_a_verifiable_demo_identity(self):
        out = self.path("keys")
        rc, stdout, err = run(["keygen", "--out", out, "--now", PINNED])
        self.assertEqual(rc, 0, err)
        self.assertIn("NOT FOR PRODUCTION", stdout)
        self.assertEqual(sorted(os.listdir(out)), ["ca.pem", "signer.key", "signer.pem"])
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(out, "signer.key")).st_mode), 0o600)
        v = subprocess.run(["openssl", "verify", "-CAfile", os.path.join(out, "ca.pem"), os.path.join(out, "signer.pem")],
                           capture_output=True, text=True)
        self.assertEqual(v.returncode, 0, v.stderr)
        subject = subprocess.run(["openssl", "x509", "-noout", "-subject", "-in", os.path.join(out, "signer.pem")],
                                 capture_output=True, text=True).stdout
        self.assertIn("NOT FOR PRODUCTION", subject)
        # a signature made with the key verifies against the certificate with plain openssl
        data = self.path("data.txt")
        with open(data, "w") as f:
            f.write("evidence")
        sig = self.path("data.p7s")
        s = subprocess.run(["openssl", "cms", "-sign", "-binary", "-in", data, "-signer", os.path.join(out, "signer.pem"),
                            "-inkey", os.path.join(out, "signer.key"), "-outform", "DER", "-out", sig, "-md", "sha256"],
                           capture_output=True, text=True)
        self.assertEqual(s.returncode, 0, s.stderr)
        v = subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", sig, "-content", data,
                            "-CAfile", os.path.join(out, "ca.pem"), "-out", os.devnull], capture_output=True, text=True)
        self.assertEqual(v.returncode, 0, v.stderr)

    def test_never_overwrites_a_key(self):
        out = self.path("keys")
        self.assertEqual(run(["keygen", "--out", out])[0], 0)
        with open(os.path.join(out, "signer.key"), "rb") as f:
            before = f.read()
        rc, _, err = run(["keygen", "--out", out])
        self.assertEqual(rc, 6)
        self.assertIn("signer.key", err)
        with open(os.path.join(out, "signer.key"), "rb") as f:
            self.assertEqual(f.read(), before)

    def test_usage(self):
        rc, _, err = run(["keygen"])
        self.assertEqual(rc, 2)
        self.assertIn("--out DIR is required", err)


if __name__ == "__main__":
    main()
