"""Every credential of the live collector's chain against the ARM emulator's token
endpoint, IMDS and App Service identity; TLS failure with a wrong CA; key file mode;
and no secret or token anywhere in stderr, the snapshot or the recording."""
import json
import os
import shutil
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from test_live_collect import CREDENTIAL_VARS, SAMPLE_RAW, live, secret_env  # noqa: E402
from vptest import TempDirTest, main  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "emulator"))
from arm_emulator import Emulator  # noqa: E402

ONE_SUB = "ee5069bf-cd72-4c61-bacb-150ed73a18e5"  # two vaults: a quick run


def blank():
    return {k: "" for k in CREDENTIAL_VARS}


class LiveAuth(TempDirTest):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator(SAMPLE_RAW).start()
        cls.info = cls.emu.info

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()

    def collect_ok(self, env, principal, *extra):
        before = self.emu.stats()
        rec = self.path("rec")
        rc, snap, log = live(self.emu, self.path("s.json"), "--subscription", ONE_SUB, "--record", rec, *extra,
                             env=env)
        self.assertEqual(rc, 0, log)
        self.assertTrue(snap["collection"]["complete"])
        self.assertEqual(snap["collection"]["principal"], principal)
        self.assertEqual(len(snap["vaults"]), 2)
        self.assert_no_secret(log, rec)
        return snap, before, self.emu.stats()

    def assert_no_secret(self, log, rec, extra=()):
        secrets = [self.info["client_secret"], self.info["client_cert_password"], self.info["identity_header"]]
        with open(self.info["federated_token_file"], encoding="utf-8") as f:
            secrets.append(f.read().strip())
        secrets += list(extra)
        texts = [("output", log)]
        if os.path.exists(self.path("s.json")):
            with open(self.path("s.json"), encoding="utf-8") as f:
                texts.append(("snapshot", f.read()))
        for root, _dirs, files in os.walk(rec):
            for name in files:
                with open(os.path.join(root, name), encoding="utf-8") as f:
                    texts.append((name, f.read()))
        for where, text in texts:
            self.assertNotIn("Bearer", text, where)
            for s in secrets:
                self.assertNotIn(s, text, where)

    def test_client_secret(self):
        snap, before, after = self.collect_ok(secret_env(self.info), self.info["client_id"])
        self.assertEqual(after["token_requests"] - before["token_requests"], 1)

    def test_certificate_pem(self):
        env = blank()
        env.update(AZURE_TENANT_ID=self.info["tenant"], AZURE_CLIENT_ID=self.info["cert_client_id"],
                   AZURE_CLIENT_CERTIFICATE_PATH=self.info["client_cert_pem"])
        self.collect_ok(env, self.info["cert_client_id"])

    def test_certificate_pkcs12(self):
        env = blank()
        env.update(AZURE_TENANT_ID=self.info["tenant"], AZURE_CLIENT_ID=self.info["cert_client_id"],
                   AZURE_CLIENT_CERTIFICATE_PATH=self.info["client_cert_p12"],
                   AZURE_CLIENT_CERTIFICATE_PASSWORD=self.info["client_cert_password"])
        self.collect_ok(env, self.info["cert_client_id"])

    def test_certificate_readable_by_others_is_refused(self):
        loose = self.path("loose.pem")
        shutil.copy(self.info["client_cert_pem"], loose)
        os.chmod(loose, 0o644)
        env = blank()
        env.update(AZURE_TENANT_ID=self.info["tenant"], AZURE_CLIENT_ID=self.info["cert_client_id"],
                   AZURE_CLIENT_CERTIFICATE_PATH=loose)
        rc, snap, log = live(self.emu, self.path("s.json"), env=env)
        self.assertEqual(rc, 3, log)
        self.assertIn("0644", log)
        self.assertIsNone(snap)

    def test_workload_identity_rereads_the_rotated_file(self):
        # short tokens: the collector must exchange again mid-run, after the rotation
        emu = Emulator(SAMPLE_RAW, page_size=7, latency_ms=60, token_lifetime=4).start()
        try:
            info = emu.info
            env = blank()
            env.update(AZURE_TENANT_ID=info["tenant"], AZURE_CLIENT_ID=info["federated_client_id"],
                       AZURE_FEDERATED_TOKEN_FILE=info["federated_token_file"])
            rotated = threading.Event()

            def rotate():
                deadline = time.monotonic() + 30
                while emu.stats()["requests"] < 1 and time.monotonic() < deadline:  # first token in use
                    time.sleep(0.05)
                emu.rotate_federated_token()
                rotated.set()

            t = threading.Thread(target=rotate)
            t.start()
            rc, snap, log = live(emu, self.path("s.json"), env=env)
            t.join()
            self.assertTrue(rotated.is_set())
            self.assertEqual(rc, 0, log)
            self.assertGreaterEqual(emu.stats()["token_requests"], 2)
            self.assertEqual(snap["collection"]["principal"], info["federated_client_id"])
        finally:
            emu.stop()

    def test_managed_identity_imds(self):
        env = blank()
        env.update(VAULTPROOF_IMDS_ENDPOINT=self.info["imds"])
        before = self.emu.stats()["imds_requests"]
        self.collect_ok(env, self.info["managed_client_id"])
        self.assertGreater(self.emu.stats()["imds_requests"], before)

    def test_managed_identity_imds_user_assigned(self):
        env = blank()
        env.update(AZURE_POD_IDENTITY_AUTHORITY_HOST=self.info["imds"], AZURE_CLIENT_ID=self.info["managed_client_id"])
        self.collect_ok(env, self.info["managed_client_id"])

    def test_app_service_identity(self):
        env = blank()
        env.update(IDENTITY_ENDPOINT=self.info["identity_endpoint"], IDENTITY_HEADER=self.info["identity_header"])
        self.collect_ok(env, self.info["managed_client_id"])

    def test_token_file_and_no_token_leaks(self):
        form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": self.info["client_id"],
                                       "client_secret": self.info["client_secret"],
                                       "scope": "https://management.azure.com/.default"}).encode()
        ctx = ssl.create_default_context(cafile=self.info["ca"])
        url = "%s/%s/oauth2/v2.0/token" % (self.info["authority"], self.info["tenant"])
        with urllib.request.urlopen(url, data=form, context=ctx, timeout=10) as resp:
            token = json.loads(resp.read())["access_token"]
        path = self.path("token.json")
        with open(path, "w", encoding="utf-8") as f:  # what `az account get-access-token` prints
            json.dump({"accessToken": token, "expires_on": int(time.time()) + 3000, "tokenType": "Bearer",
                       "tenant": self.info["tenant"]}, f)
        rc, snap, log = live(self.emu, self.path("s.json"), "--subscription", ONE_SUB, "--record",
                             self.path("rec"), "--token-file", path, env=blank())
        self.assertEqual(rc, 0, log)
        self.assertEqual(len(snap["vaults"]), 2)
        self.assert_no_secret(log, self.path("rec"), extra=[token])

    def test_bad_secret_exit_4_and_secret_not_echoed(self):
        env = secret_env(self.info)
        env["AZURE_CLIENT_SECRET"] = "not-the-secret-Zq81"
        rc, snap, log = live(self.emu, self.path("s.json"), env=env)
        self.assertEqual(rc, 4, log)
        self.assertIsNone(snap)
        self.assertIn("invalid_client", log)
        self.assertNotIn("not-the-secret-Zq81", log)

    def test_wrong_ca_is_a_tls_failure(self):
        other = self.path("other-ca.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", self.path("k.pem"),
                        "-out", other, "-days", "1", "-subj", "/CN=not the emulator CA"], check=True,
                       capture_output=True)
        info = dict(self.info)
        info["ca"] = other
        emu = type("E", (), {"info": info})()
        for env, extra in ((secret_env(self.info), ()), (blank(), ("--token-file", self.write_token()))):
            rc, snap, log = live(emu, self.path("s.json"), *extra, env=env)
            self.assertEqual(rc, 4, log)
            self.assertIn("TLS verification failed", log)
            self.assertIsNone(snap)

    def write_token(self):
        path = self.path("t.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump({"accessToken": "opaque-test-token", "expires_on": int(time.time()) + 3000}, f)
        return path


if __name__ == "__main__":
    main()
