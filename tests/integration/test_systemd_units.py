"""The systemd units as installed (`cmake --install` with DESTDIR and prefix /usr, the
package's layout) pass `systemd-analyze verify`, with the documented credentials drop-in
too; the service is the hardened unprivileged oneshot docs/install.md describes and the
timer fires on the day after each quarter ends, packing the quarter that ended."""
import os
import shutil
import subprocess

import vpunits
from vptest import BINARY, SAMPLE, TempDirTest, main

BUILD = os.path.dirname(os.path.abspath(BINARY))
UNITS = ("vaultproof.service", "vaultproof.timer")
SAMPLE_CONFIG = os.path.join(SAMPLE, "vaultproof.json")


def directives(path):
    """{key: [values]} of a unit file (comments and sections dropped)."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith(("#", ";", "[")) and "=" in line:
                k, v = line.split("=", 1)
                out.setdefault(k, []).append(v)
    return out


class SystemdUnits(TempDirTest):
    @classmethod
    def setUpClass(cls):
        import tempfile
        cls.top = tempfile.mkdtemp(prefix="vp-units-")
        cls.root = os.path.join(cls.top, "root")
        env = dict(os.environ, DESTDIR=cls.root)
        p = subprocess.run(["cmake", "--install", BUILD, "--prefix", "/usr"], capture_output=True, text=True, env=env,
                           timeout=120)
        if p.returncode != 0:
            raise AssertionError(p.stdout + p.stderr)
        vpunits.add_host_targets(cls.root)
        cls.unit_dir = os.path.join(cls.root, vpunits.UNIT_DIR)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.top, ignore_errors=True)

    def test_verify_passes(self):
        rc, out = vpunits.verify(self.root, *UNITS)
        self.assertEqual((rc, out), (0, ""))

    def test_verify_with_the_documented_credentials_dropin(self):
        example = os.path.join(self.root, "usr", "share", "doc", "vaultproof", "examples", "credentials.conf.example")
        dropin = os.path.join(self.root, "etc", "systemd", "system", "vaultproof.service.d")
        os.makedirs(dropin, exist_ok=True)
        shutil.copyfile(example, os.path.join(dropin, "credentials.conf"))
        try:
            rc, out = vpunits.verify(self.root, *UNITS)
            self.assertEqual((rc, out), (0, ""))
        finally:
            shutil.rmtree(os.path.join(self.root, "etc"))

    def test_verify_can_fail(self):
        # the check is real: a unit whose binary is missing, or with a typo, is refused
        bad = os.path.join(self.unit_dir, "vaultproof-broken.service")
        with open(os.path.join(self.unit_dir, "vaultproof.service"), encoding="utf-8") as f:
            text = f.read()
        try:
            with open(bad, "w", encoding="utf-8") as f:
                f.write(text.replace("/usr/bin/vaultproof", "/usr/bin/vaultproof-missing"))
            rc, out = vpunits.verify(self.root, "vaultproof-broken.service")
            self.assertNotEqual(rc, 0)
            self.assertIn("vaultproof-missing", out)
            with open(bad, "w", encoding="utf-8") as f:
                f.write(text.replace("ProtectSystem=strict", "ProtectSystem=strikt"))
            rc, out = vpunits.verify(self.root, "vaultproof-broken.service")
            self.assertIn("strikt", out)
        finally:
            os.remove(bad)

    def test_service_runs_unprivileged_and_confined(self):
        d = directives(os.path.join(self.unit_dir, "vaultproof.service"))
        want = {"Type": "oneshot", "User": "vaultproof", "Group": "vaultproof", "ProtectSystem": "strict",
                "ReadWritePaths": "/var/lib/vaultproof", "StateDirectory": "vaultproof", "NoNewPrivileges": "yes",
                "PrivateTmp": "yes", "ProtectHome": "yes", "CapabilityBoundingSet": "",
                "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX"}
        for k, v in want.items():
            self.assertEqual(d.get(k), [v], k)
        self.assertIn("@system-service", d["SystemCallFilter"])
        self.assertEqual(d["ExecStart"], ["/usr/bin/vaultproof pack --config /etc/vaultproof/vaultproof.json "
                                          "--period last-quarter --out /var/lib/vaultproof/archive"])
        # the archive is below the only writable path
        self.assertTrue(d["ExecStart"][0].split("--out ")[1].startswith(d["ReadWritePaths"][0] + "/"))

    def test_exposure_is_low(self):
        # systemd's own audit of the sandbox (0 = fully confined .. 10 = exposed; --threshold
        # counts tenths): at most 2.0, "OK" in its words
        p = subprocess.run(["systemd-analyze", "--root=" + self.root, "security", "--offline=yes", "--threshold=20",
                            "vaultproof.service"], capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout[-2000:] + p.stderr)
        self.assertRegex(p.stdout, r"Overall exposure level for vaultproof.service: 1\.\d OK")

    def test_timer_fires_the_day_after_each_quarter(self):
        d = directives(os.path.join(self.unit_dir, "vaultproof.timer"))
        self.assertEqual(d["Persistent"], ["yes"])
        self.assertEqual(d["WantedBy"], ["timers.target"])
        (spec,) = d["OnCalendar"]
        p = subprocess.run(["systemd-analyze", "calendar", "--iterations=5", "--base-time=2026-09-15 00:00:00 UTC",
                            spec], capture_output=True, text=True, timeout=30, env=dict(os.environ, TZ="UTC"))
        self.assertEqual(p.returncode, 0, p.stderr)
        runs = [line.split(":", 1)[1].strip() for line in p.stdout.splitlines()
                if line.strip().startswith(("Next elapse:", "Iter."))]
        self.assertEqual([r.split()[1] for r in runs],
                         ["2026-10-01", "2027-01-01", "2027-04-01", "2027-07-01", "2027-10-01"], p.stdout)
        self.assertTrue(all(r.split()[2] == "06:00:00" for r in runs), p.stdout)

    def test_service_command_packs_the_quarter_that_ended(self):
        # the unit's own ExecStart, run on the day the timer fires with the sample (empty
        # quarter) and demo keys in place of the Azure collection and the admin's signer
        from vptest import light_sample, run
        d = directives(os.path.join(self.unit_dir, "vaultproof.service"))
        args = d["ExecStart"][0].split()[1:]
        self.assertEqual(run(["keygen", "--out", self.path("keys"), "--now", "2026-09-01T00:00:00Z"])[0], 0)
        args = [a.replace("/etc/vaultproof/vaultproof.json", SAMPLE_CONFIG)
                .replace("/var/lib/vaultproof/archive", self.path("archive")) for a in args]
        rc, out, err = run(args + ["--replay", light_sample(), "--key", self.path("keys", "signer.key"),
                                   "--cert", self.path("keys", "signer.pem"), "--now", "2026-10-01T06:00:00Z",
                                   "--quiet"])
        self.assertEqual(rc, 0, err)
        self.assertRegex(os.path.basename(out.strip()), r"^contoso-health-2026-q3-20261001T060000Z\.tar\.gz$")


if __name__ == "__main__":
    main()
