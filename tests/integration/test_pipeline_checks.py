"""The checks of the library pipeline as the commands show them: one period form for
render and pack, findings refused with a snapshot they were not made from, outputs
that would overwrite each other. Each refusal names what was wrong and writes nothing."""
import os

import vptest
from vptest import PINNED, SAMPLE, run


class PipelineChecks(vptest.TempDirTest):
    def collect(self, out, now=PINNED):
        code, _, err = run(["collect", "--replay", os.path.join(SAMPLE, "raw"), "--config",
                            os.path.join(SAMPLE, "vaultproof.json"), "--out", out, "--now", now, "--quiet"])
        self.assertEqual(code, 0, err)

    def evaluate(self, snapshot, out):
        code, _, err = run(["evaluate", "--snapshot", snapshot, "--config", os.path.join(SAMPLE, "vaultproof.json"),
                            "--out", out, "--now", PINNED, "--quiet"])
        self.assertEqual(code, 0, err)

    def test_period_one_form_for_render_and_pack(self):
        # "2x26-Q3" passed pack's old check (first and last year digit only)
        for period in ("26-Q3", "2x26-Q3", "2026-Q5"):
            code, out, err = run(["render", "--snapshot", "s.json", "--findings", "f.json", "--xlsx",
                                  self.path("w.xlsx"), "--period", period])
            self.assertEqual((code, out), (2, ""))
            self.assertEqual(err, "vaultproof: render: --period '%s': expected YYYY-Qn, e.g. 2026-Q3\n" % period)
            archive = self.path("archive")
            code, out, err = run(["pack", "--config", os.path.join(SAMPLE, "vaultproof.json"), "--replay",
                                  os.path.join(SAMPLE, "raw"), "--period", period, "--out", archive, "--now", PINNED])
            self.assertEqual((code, out), (2, ""))
            self.assertEqual(err, "vaultproof: pack: --period '%s': expected YYYY-Qn, e.g. 2026-Q3\n" % period)
            self.assertFalse(os.path.exists(archive))

    def test_findings_of_another_snapshot(self):
        first, second, findings = self.path("first.json"), self.path("second.json"), self.path("findings.json")
        self.collect(first)
        self.collect(second, now="2026-09-30T07:00:00Z")
        self.evaluate(first, findings)
        workbook = self.path("w.xlsx")
        code, out, err = run(["render", "--snapshot", second, "--findings", findings, "--xlsx", workbook])
        self.assertEqual((code, out), (3, ""))
        self.assertIn("%s: /snapshot/sha256: the findings were made from a snapshot with SHA-256 " % findings, err)
        self.assertIn("not from %s" % second, err)
        self.assertTrue(err.endswith("; evaluate this snapshot first\n"), err)
        self.assertFalse(os.path.exists(workbook))
        code, _, err = run(["render", "--snapshot", first, "--findings", findings, "--xlsx", workbook, "--now",
                            PINNED, "--period", "2026-Q3"])
        self.assertEqual(code, 0, err)
        self.assertEqual(err, "render: workbook %s\n" % workbook)
        self.assertTrue(os.path.exists(workbook))

    def test_outputs_that_would_overwrite_each_other(self):
        snapshot = self.path("snapshot.json")
        self.collect(snapshot)
        code, out, err = run(["evaluate", "--snapshot", snapshot, "--config", os.path.join(SAMPLE, "vaultproof.json"),
                              "--oscal", "findings.json"])
        self.assertEqual((code, out, err), (2, "", "vaultproof: evaluate: --oscal and --out name the same file\n"))
        same = self.path("same")
        code, out, err = run(["render", "--snapshot", snapshot, "--findings", "f.json", "--pdf", same, "--xlsx", same])
        self.assertEqual((code, out, err), (2, "", "vaultproof: render: --pdf and --xlsx name the same file\n"))
        self.assertFalse(os.path.exists(same))


if __name__ == "__main__":
    vptest.main()
