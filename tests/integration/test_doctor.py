"""vaultproof doctor against the ARM emulator (real TLS, real token exchanges) and a local
RFC 3161 TSA: every check ok with a working setup; a wrong client secret, a refused
Recovery Services read, a key others can read, an expired certificate, a dead TSA and a
read-only archive each fail with the documented exit status and a line naming the check;
the workload-identity steps of docs/workload-identity.md run as printed; no secret (client
secret, federated token, key passphrase) appears in any output."""
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from vptest import light_sample, BINARY, PINNED, SAMPLE, SOURCE, TempDirTest, main, run  # noqa: E402

sys.path.insert(0, os.path.join(SOURCE, "tests", "emulator"))
from arm_emulator import Emulator  # noqa: E402
from test_live_collect import CREDENTIAL_VARS, secret_env  # noqa: E402
from test_tsa import NO_PROXY, Tsa  # noqa: E402
from test_keyvault import SIGNER_EXT, TOKEN_PREFIX, openssl  # noqa: E402

PASSPHRASE = "doctor-passphrase-Zq81"
NOW = "2026-10-01T06:00:00Z"
LINE = re.compile(r"^(ok  |warn|FAIL)  (\S+) +(.*)$")


def checks(out):
    """[(level, check, detail)] of doctor's output; every line but the summary must parse."""
    lines = out.splitlines()
    assert lines and lines[-1].startswith("doctor: "), out
    parsed = []
    for line in lines[:-1]:
        m = LINE.match(line)
        assert m, "not a check line: %r" % line
        parsed.append((m.group(1).strip(),) + m.groups()[1:])
    return parsed


class Doctor(TempDirTest):
    @classmethod
    def setUpClass(cls):
        cls.shared = tempfile.mkdtemp(prefix="vp-doctor-")
        cls.emu = Emulator(light_sample())
        cls.emu.__enter__()
        cls.tsa = Tsa(os.path.join(cls.shared, "tsa"))
        keys = os.path.join(cls.shared, "K")
        rc, _, err = run(["keygen", "--out", keys, "--now", PINNED])
        assert rc == 0, err
        # the key encrypted, its passphrase from a file (as from $CREDENTIALS_DIRECTORY)
        cls.key = os.path.join(keys, "signer-enc.key")
        subprocess.run(["openssl", "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", os.path.join(keys, "signer.key"),
                        "-out", cls.key, "-passout", "pass:" + PASSPHRASE], check=True, capture_output=True)
        os.chmod(cls.key, 0o600)
        cls.passfile = os.path.join(cls.shared, "signer-passphrase")
        with open(cls.passfile, "w", encoding="utf-8") as f:
            f.write(PASSPHRASE + "\n")
        cls.keys = keys
        # a certificate that has expired: a demo identity made two years and more ago
        cls.old = os.path.join(cls.shared, "old")
        rc, _, err = run(["keygen", "--out", cls.old, "--now", "2020-01-01T00:00:00Z"])
        assert rc == 0, err
        # a key in the emulator's Key Vault, its certificate issued by the demo CA for the
        # public key the emulator writes beside it (as test_keyvault does)
        cls.kv = cls.emu.kv_create_key("doctor-ec", "EC", crv="P-256")
        ext = os.path.join(cls.shared, "ext.cnf")
        with open(ext, "w", encoding="utf-8") as f:
            f.write("[signer]\n" + SIGNER_EXT)
        throwaway, csr = os.path.join(cls.shared, "throwaway.key"), os.path.join(cls.shared, "req.csr")
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", throwaway,
                "-out", csr, "-subj", "/CN=unused")
        cls.kv_cert = os.path.join(cls.shared, "kv.pem")
        ca_key = os.path.join(cls.shared, "ca.key")
        # the demo CA's key is not kept (keygen): a CA of the test's own for this certificate
        cls.kv_ca = os.path.join(cls.shared, "kv-ca.pem")
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", ca_key,
                "-out", cls.kv_ca, "-subj", "/CN=Doctor Test CA", "-days", "91", "-addext",
                "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        openssl("x509", "-req", "-in", csr, "-CA", cls.kv_ca, "-CAkey", ca_key, "-CAcreateserial", "-force_pubkey",
                cls.kv["public_key"], "-subj", "/O=Contoso Health/CN=Evidence signer (Key Vault)", "-days", "90",
                "-sha256", "-extfile", ext, "-extensions", "signer", "-out", cls.kv_cert)

    @classmethod
    def tearDownClass(cls):
        cls.tsa.stop()
        cls.emu.__exit__(None, None, None)
        shutil.rmtree(cls.shared, ignore_errors=True)

    def config(self, name="vaultproof.json", **signer):
        with open(os.path.join(SAMPLE, "vaultproof.json"), encoding="utf-8") as f:
            cfg = json.load(f)
        cfg["signer"] = {"key": self.key, "cert": os.path.join(self.keys, "signer.pem"),
                         "passphrase_file": self.passfile, "ca": os.path.join(self.keys, "ca.pem"),
                         "tsa": self.tsa.url}
        cfg["signer"].update(signer)
        for k in [k for k, v in cfg["signer"].items() if v is None]:
            del cfg["signer"][k]
        path = self.path(name)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(cfg, f)
        return path

    def doctor(self, config, *extra, env=None, now=NOW, archive=None):
        info = self.emu.info
        args = ["doctor", "--config", config, "--out", archive or self.path("archive"), "--arm-endpoint", info["arm"],
                "--authority-host", info["authority"], "--ca-bundle", info["ca"]] + (["--now", now] if now else [])
        full_env = dict(NO_PROXY)
        full_env.update(env if env is not None else secret_env(info))
        rc, out, err = run(args + list(extra), env=full_env, timeout=120)
        self.assert_no_secret(out + err)
        return rc, checks(out), out + err

    def assert_no_secret(self, text):
        info = self.emu.info
        with open(info["federated_token_file"], encoding="utf-8") as f:
            federated = f.read().strip()
        for secret in (info["client_secret"], info["client_cert_password"], info["identity_header"], federated,
                       PASSPHRASE, "wrong-" + info["client_secret"]):
            self.assertNotIn(secret, text)
        self.assertNotIn(TOKEN_PREFIX, text)  # every token the emulator issues starts so
        self.assertNotRegex(text, r"(?i)bearer |access_token|eyJ[A-Za-z0-9_-]{10,}")

    def level(self, found, check):
        return [lv for lv, c, _ in found if c == check]

    def test_all_ok(self):
        rc, found, log = self.doctor(self.config())
        self.assertEqual(rc, 0, log)
        self.assertEqual({lv for lv, _, _ in found}, {"ok"}, log)
        names = [c for _, c, _ in found]
        for check in ("config", "credential", "subscription", "vaults", "vault", "signer", "certificate", "ca", "tsa",
                      "archive"):
            self.assertIn(check, names, log)
        # every subscription of the scope, and each of its vaults the estate holds
        with open(os.path.join(SAMPLE, "vaultproof.json"), encoding="utf-8") as f:
            scope = json.load(f)["scope"]["subscriptions"]
        self.assertEqual(sorted(d.split(":")[0] for _, c, d in found if c == "subscription"), sorted(scope))
        # each vault the recording's vault lists hold (the scope is "*"), by name
        listed = []
        for sub in scope:
            with open(os.path.join(light_sample(), "subscriptions", sub, "vaults.json"), encoding="utf-8") as f:
                listed += [v["name"] for v in json.load(f)["value"]]
        self.assertEqual(sorted(d.split(":")[0] for _, c, d in found if c == "vault"), sorted(listed))
        self.assertEqual(len(listed), 7)
        detail = dict((c, d) for _, c, d in found)
        self.assertIn("secret " + self.emu.info["client_id"], detail["credential"])
        self.assertIn("file key (ECDSA P-256)", detail["signer"])
        self.assertIn("granted a time-stamp", detail["tsa"])
        self.assertRegex(detail["certificate"], r"valid until 2028-09-2\dT")
        self.assertTrue(log.rstrip().endswith("failed"), log)
        self.assertIn(" 0 failed", log)

    def test_wrong_secret_is_exit_4(self):
        env = secret_env(self.emu.info)
        env["AZURE_CLIENT_SECRET"] = "wrong-" + self.emu.info["client_secret"]
        rc, found, log = self.doctor(self.config(), env=env)
        self.assertEqual(rc, 4, log)
        self.assertEqual(self.level(found, "credential"), ["FAIL"], log)
        self.assertIn("AADSTS7000215", log)
        self.assertNotIn("subscription", [c for _, c, _ in found])  # nothing to read them with
        # the other checks still ran
        self.assertEqual(self.level(found, "signer"), ["ok"], log)

    def test_refused_recovery_services_read_is_exit_4(self):
        self.emu.set_faults([{"operation": "backupconfig", "kind": "403", "times": -1}])
        try:
            rc, found, log = self.doctor(self.config())
        finally:
            self.emu.set_faults([])
        self.assertEqual(rc, 4, log)
        vault_lines = [(lv, d) for lv, c, d in found if c == "vault"]
        self.assertTrue(vault_lines and all(lv == "FAIL" for lv, _ in vault_lines), log)
        self.assertIn("AuthorizationFailed", vault_lines[0][1])
        self.assertIn("Backup Reader", vault_lines[0][1])
        self.assertEqual(set(self.level(found, "subscription")), {"ok"})

    def test_key_others_can_read_is_exit_5(self):
        loose = self.path("loose.key")
        shutil.copyfile(self.key, loose)
        os.chmod(loose, 0o644)
        rc, found, log = self.doctor(self.config(key=loose))
        self.assertEqual(rc, 5, log)
        (detail,) = [d for lv, c, d in found if c == "signer" and lv == "FAIL"]
        self.assertIn("chmod 600", detail)
        self.assertEqual(set(self.level(found, "subscription")), {"ok"})

    def test_wrong_passphrase_is_exit_5(self):
        bad = self.path("bad-pass")
        with open(bad, "w", encoding="utf-8") as f:
            f.write("not-the-passphrase\n")
        rc, found, log = self.doctor(self.config(passphrase_file=bad))
        self.assertEqual(rc, 5, log)
        self.assertEqual(self.level(found, "signer"), ["FAIL"], log)
        self.assertNotIn("not-the-passphrase", log)

    def test_expired_certificate_is_exit_5(self):
        old = self.config(key=os.path.join(self.old, "signer.key"), cert=os.path.join(self.old, "signer.pem"),
                          ca=os.path.join(self.old, "ca.pem"), passphrase_file=None)
        rc, found, log = self.doctor(old, now=None)  # the real clock: it expired in 2022
        self.assertEqual(rc, 5, log)
        (detail,) = [d for lv, c, d in found if c == "certificate" and lv == "FAIL"]
        self.assertIn("expired 2021-12-31", detail)

    def test_certificate_expiring_soon_warns(self):
        rc, found, log = self.doctor(self.config(), now="2028-09-19T00:00:00Z")
        self.assertEqual(rc, 0, log)
        (detail,) = [d for lv, c, d in found if c == "certificate" and lv == "warn"]
        self.assertRegex(detail, r"expires 2028-09-2\dT\S+, in 1\d days")

    def test_wrong_ca_and_dead_tsa_are_exit_5(self):
        rc, found, log = self.doctor(self.config(ca=os.path.join(self.old, "ca.pem"), tsa="http://127.0.0.1:9/tsa"))
        self.assertEqual(rc, 5, log)
        self.assertEqual(self.level(found, "ca"), ["FAIL"], log)
        self.assertEqual(self.level(found, "tsa"), ["FAIL"], log)
        self.assertEqual(self.level(found, "signer"), ["ok"], log)

    def test_precedence_and_archive(self):
        # a credential failure (4) outranks a key failure (5), which outranks the archive (6)
        ro = self.path("ro")
        os.makedirs(ro)
        os.chmod(ro, stat.S_IRUSR | stat.S_IXUSR)
        try:
            probe = os.path.join(ro, "probe")
            try:
                open(probe, "w").close()
                os.remove(probe)
                root_writes = True  # root ignores the mode: use a path that is not a directory instead
            except OSError:
                root_writes = False
            archive = self.path("not-a-dir") if root_writes else ro
            if root_writes:
                open(archive, "w").close()
            env = secret_env(self.emu.info)
            env["AZURE_CLIENT_SECRET"] = "wrong-" + self.emu.info["client_secret"]
            loose = self.path("loose.key")
            shutil.copyfile(self.key, loose)
            os.chmod(loose, 0o644)
            cfg = self.config(key=loose)
            rc, found, log = self.doctor(cfg, env=env, archive=archive)
            self.assertEqual(rc, 4, log)
            rc, found, log = self.doctor(cfg, archive=archive)
            self.assertEqual(rc, 5, log)
            rc, found, log = self.doctor(self.config(), archive=archive)
            self.assertEqual(rc, 6, log)
            self.assertEqual(self.level(found, "archive"), ["FAIL"], log)
        finally:
            os.chmod(ro, 0o700)

    def test_bad_config_is_exit_3(self):
        path = self.path("bad.json")
        with open(path, "w", encoding="utf-8") as f:
            f.write('{"scope": {"subscription": []}}')
        rc, found, log = self.doctor(path)
        self.assertEqual(rc, 3, log)
        self.assertEqual(found, [("FAIL", "config", found[0][2])], log)
        self.assertIn("/scope/subscription", found[0][2])

    def kv_config(self):
        return self.config(key=None, passphrase_file=None, key_vault_key=self.kv["kid"], cert=self.kv_cert,
                           ca=self.kv_ca)

    def test_key_vault_key_signs(self):
        # the test signature is made by the emulator's Key Vault (its sign operation), with
        # a token for Key Vault from the same credential chain; the real clock: the
        # certificate was issued today
        before = self.emu.stats()["by_operation"].get("keyvaultSign", 0)
        rc, found, log = self.doctor(self.kv_config(), now=None)
        self.assertEqual(rc, 0, log)
        self.assertEqual({lv for lv, _, _ in found}, {"ok"}, log)
        detail = dict((c, d) for _, c, d in found)
        self.assertIn("key-vault key (ECDSA P-256, %s)" % self.kv["kid"], detail["signer"])
        self.assertGreater(self.emu.stats()["by_operation"].get("keyvaultSign", 0), before)

    def test_key_vault_refusal_is_exit_5(self):
        self.emu.kv_deny([self.emu.info["object_ids"][self.emu.info["client_id"]]])
        try:
            rc, found, log = self.doctor(self.kv_config(), now=None)
        finally:
            self.emu.kv_deny([])
        self.assertEqual(rc, 5, log)
        self.assertEqual(self.level(found, "signer"), ["FAIL"], log)
        self.assertEqual(set(self.level(found, "subscription")), {"ok"})  # ARM reads are another permission

    def test_workload_identity_steps_as_documented(self):
        # docs/workload-identity.md's job step, run with sh up to its doctor line: the
        # pipeline's variables (TENANT_ID, CLIENT_ID, RUNNER_TEMP holding the OIDC token
        # the pipeline wrote) point at the emulator's federated principal, and `vaultproof`
        # on PATH is this build with the emulator's endpoints appended
        with open(os.path.join(SOURCE, "docs", "workload-identity.md"), encoding="utf-8") as f:
            blocks = re.findall(r"```sh\n(.*?)```", f.read(), re.S)
        (block,) = [b for b in blocks if "AZURE_FEDERATED_TOKEN_FILE" in b]
        lines = block.splitlines()
        upto = next(i for i, line in enumerate(lines) if line.startswith("vaultproof doctor"))
        script = "\n".join(lines[:upto + 1]) + "\n"
        info = self.emu.info
        bindir, runner = self.path("bin"), self.path("runner-temp")
        os.makedirs(bindir)
        os.makedirs(runner)
        shutil.copyfile(info["federated_token_file"], os.path.join(runner, "azure-federated-token"))
        with open(os.path.join(bindir, "vaultproof"), "w", encoding="utf-8") as f:
            f.write('#!/bin/sh\nexec "%s" "$@" --arm-endpoint "%s" --authority-host "%s" --ca-bundle "%s" --now %s\n'
                    % (os.path.abspath(BINARY), info["arm"], info["authority"], info["ca"], NOW))
        os.chmod(os.path.join(bindir, "vaultproof"), 0o755)
        work = self.path("job")
        os.makedirs(work)
        shutil.copyfile(self.config(), os.path.join(work, "vaultproof.json"))
        env = {k: v for k, v in os.environ.items() if k not in CREDENTIAL_VARS}
        env.update(NO_PROXY, PATH=bindir + os.pathsep + env.get("PATH", ""), TENANT_ID=info["tenant"],
                   CLIENT_ID=info["federated_client_id"], RUNNER_TEMP=runner)
        p = subprocess.run(["sh", "-e", "-c", script], cwd=work, env=env, capture_output=True, text=True, timeout=120)
        self.assert_no_secret(p.stdout + p.stderr)
        self.assertEqual(p.returncode, 0, script + p.stdout + p.stderr)
        found = checks(p.stdout)
        self.assertEqual({lv for lv, _, _ in found}, {"ok"}, p.stdout)
        detail = dict((c, d) for _, c, d in found)
        self.assertIn("workload-identity " + info["federated_client_id"], detail["credential"])
        self.assertEqual(detail["archive"], "archive does not exist yet; the first pack creates it")


if __name__ == "__main__":
    main()
