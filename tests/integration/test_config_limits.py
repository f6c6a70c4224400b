"""Config text limits (issue 12, point 8): an organization of 64 KiB made libharu fail
(exit 70) when the PDF was laid out. Every config text is now held to a documented
maximum (docs/config.md, Limits), refused with exit 3 naming the file and JSON pointer
by every command that reads the config (evaluate, pack) and, for texts carried in the
findings, by render."""
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(__file__))
from vptest import PINNED, SAMPLE, TempDirTest, load, main, run  # noqa: E402

RAW = os.path.join(SAMPLE, "raw")
HUGE = 65536  # libharu's string limit is 65,535 bytes


class ConfigLimits(TempDirTest):
    @classmethod
    def setUpClass(cls):
        cls.shared = os.path.join(os.environ.get("TMPDIR", "/tmp"), "vp-limits-%d" % os.getpid())
        os.makedirs(cls.shared, exist_ok=True)
        cls.snapshot = os.path.join(cls.shared, "snapshot.json")
        rc, _, err = run(["collect", "--replay", RAW, "--config", os.path.join(SAMPLE, "vaultproof.json"),
                          "--out", cls.snapshot, "--now", PINNED, "--quiet"], timeout=120)
        assert rc == 0, err

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.shared, ignore_errors=True)

    def config(self, edit):
        cfg = load(os.path.join(SAMPLE, "vaultproof.json"))
        edit(cfg)
        path = self.path("vaultproof.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(cfg, f)
        return path

    def evaluate(self, config, out="findings.json"):
        return run(["evaluate", "--snapshot", self.snapshot, "--config", config, "--out", self.path(out),
                    "--now", PINNED, "--quiet"])

    def assert_refused(self, rc, err, path, pointer, limit):
        self.assertEqual(rc, 3, err)
        self.assertIn("%s: %s: " % (path, pointer), err)
        self.assertIn("expected at most %d" % limit, err)
        self.assertLess(len(err), 2000, "the message echoes the text")

    def test_evaluate_refuses_a_64k_organization(self):
        config = self.config(lambda c: c.update(organization="A" * HUGE))
        rc, _, err = self.evaluate(config)
        self.assert_refused(rc, err, config, "/organization", 512)
        self.assertFalse(os.path.exists(self.path("findings.json")))

    def test_pack_refuses_a_64k_organization(self):
        config = self.config(lambda c: c.update(organization="A" * HUGE))
        rc, _, err = run(["keygen", "--out", self.path("keys"), "--now", PINNED])
        self.assertEqual(rc, 0, err)
        rc, _, err = run(["pack", "--config", config, "--replay", RAW, "--period", "2026-Q3", "--out",
                          self.path("archive"), "--key", self.path("keys", "signer.key"), "--cert",
                          self.path("keys", "signer.pem"), "--now", PINNED], timeout=120)
        self.assert_refused(rc, err, config, "/organization", 512)
        bundles = [n for n in os.listdir(self.path("archive"))] if os.path.isdir(self.path("archive")) else []
        self.assertFalse([n for n in bundles if n.endswith(".tar.gz")], bundles)

    def test_each_kind_of_text_at_and_over_its_limit(self):
        def exemption(reason):
            return lambda c: c["exemptions"][0].update(reason=reason)

        cases = [
            ("/organization", 512, lambda n: lambda c: c.update(organization="o" * n)),
            ("/report_title", 512, lambda n: lambda c: c.update(report_title="t" * n)),
            ("/exemptions/0/approver", 512, lambda n: lambda c: c["exemptions"][0].update(approver="a" * n)),
            ("/exemptions/0/reason", 4096, lambda n: exemption("r" * n)),
            ("/decommissioned/0/ticket", 512, lambda n: lambda c: c["decommissioned"][0].update(ticket="T" * n)),
            ("/classes/ephi/names/0", 512, lambda n: lambda c: c["classes"]["ephi"].update(names=["n" * n])),
        ]
        for pointer, limit, make in cases:
            with self.subTest(pointer=pointer):
                rc, _, err = self.evaluate(self.config(make(limit)))
                self.assertNotEqual(rc, 3, "%s of %d bytes refused: %s" % (pointer, limit, err))
                config = self.config(make(limit + 1))
                rc, _, err = self.evaluate(config)
                self.assert_refused(rc, err, config, pointer, limit)
        # a key is a name too
        config = self.config(lambda c: c["classes"].update({"k" * 513: {"names": ["x"]}}))
        rc, _, err = self.evaluate(config)
        self.assertEqual(rc, 3, err)
        self.assertIn("%s: /classes: a key of 513 bytes; expected at most 512" % config, err)

    def test_render_refuses_findings_carrying_a_64k_organization(self):
        rc, _, err = self.evaluate(self.config(lambda c: None))
        self.assertEqual(rc, 0, err)
        findings = load(self.path("findings.json"))
        findings["config"]["organization"] = "A" * HUGE
        edited = self.path("edited-findings.json")
        with open(edited, "w", encoding="utf-8") as f:
            json.dump(findings, f)
        pdf = self.path("report.pdf")
        rc, _, err = run(["render", "--snapshot", self.snapshot, "--findings", edited, "--pdf", pdf, "--now", PINNED])
        self.assert_refused(rc, err, edited, "/config/organization", 512)
        self.assertFalse(os.path.exists(pdf))


if __name__ == "__main__":
    main()
