"""The command line as a user meets it: help, version, usage errors, exit codes,
outputs that appear only when complete."""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from vptest import PINNED, SAMPLE, TempDirTest, copy_point_in_time, load, main, run  # noqa: E402

RAW = os.path.join(SAMPLE, "raw")
CONFIG = os.path.join(SAMPLE, "vaultproof.json")


class HelpAndVersion(TempDirTest):
    def test_version_names_commit(self):
        rc, out, _ = run(["--version"])
        self.assertEqual(rc, 0)
        self.assertRegex(out, r"^vaultproof \d+\.\d+\.\d+ \(commit ([0-9a-f]{12}(-dirty)?|unknown)\)\n$")

    def test_help_lists_only_working_commands_and_exit_codes(self):
        rc, out, _ = run(["--help"])
        self.assertEqual(rc, 0)
        for working in ("collect", "evaluate", "render", "controls", "keygen", "pack", "verify"):
            self.assertRegex(out, r"\n  %s " % working)
        for code in range(0, 7):
            self.assertRegex(out, r"\n  %d  " % code)

    def test_help_command(self):
        rc, out, _ = run(["help", "collect"])
        self.assertEqual(rc, 0)
        self.assertIn("--replay DIR", out)
        self.assertIn("Exit status", out)
        rc2, out2, _ = run(["collect", "--help"])
        self.assertEqual((rc2, out2), (rc, out))

    def test_no_arguments_is_usage(self):
        rc, _, err = run([])
        self.assertEqual(rc, 2)
        self.assertIn("usage:", err)


class UsageErrors(TempDirTest):
    def check_usage(self, args, fragment):
        rc, out, err = run(args, cwd=self.tmp)
        self.assertEqual(rc, 2, err)
        self.assertIn(fragment, err)
        self.assertEqual(os.listdir(self.tmp), [], "a usage error left files behind")

    def test_unknown_command(self):
        self.check_usage(["colect"], "unknown command 'colect'")

    def test_unknown_option(self):
        self.check_usage(["collect", "--replay", RAW, "--fast"], "unknown option '--fast'")

    def test_missing_value(self):
        self.check_usage(["collect", "--replay"], "option '--replay' needs a value")

    def test_replay_required(self):
        self.check_usage(["collect"], "--replay DIR is required")

    def test_bad_periods(self):
        for args, fragment in (
            (["--period", "2026-Q5"], "--period '2026-Q5': expected YYYY-Qn"),
            (["--period", "2026-Q3", "--from", "2026-07-01T00:00:00Z", "--to", "2026-10-01T00:00:00Z"],
             "--period or --from/--to, not both"),
            (["--from", "2026-07-01T00:00:00Z"], "--from needs --to"),
            (["--from", "2026-07-01T00:00:00+02:00", "--to", "2026-10-01T00:00:00Z"], "--from '2026-07-01T00:00:00+02:00'"),
            (["--from", "2027-02-29T00:00:00Z", "--to", "2027-03-01T00:00:00Z"], "--from '2027-02-29T00:00:00Z'"),
            (["--from", "2026-10-01T00:00:00Z", "--to", "2026-07-01T00:00:00Z"], "is not before --to"),
        ):
            with self.subTest(args=args):
                self.check_usage(["collect", "--replay", RAW, "--out", "s.json"] + args, fragment)

    def test_live_without_credentials_says_what_was_looked_for(self):
        """--config alone means live collection: with no credential in the environment and no
        managed identity answering, it fails fast (exit 4), says which credentials it looked
        for, and writes nothing."""
        if any(k.startswith(("AZURE_", "IDENTITY_")) for k in os.environ):
            self.skipTest("Azure credentials in the environment")
        started = time.monotonic()
        # port 9 (discard) on loopback: nothing listens, so the IMDS probe is refused at once
        rc, _, err = run(["collect", "--config", CONFIG], cwd=self.tmp,
                         env={"VAULTPROOF_IMDS_ENDPOINT": "http://127.0.0.1:9"})
        self.assertEqual(rc, 4, err)
        for looked_for in ("--token-file", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH",
                           "AZURE_FEDERATED_TOKEN_FILE", "managed identity"):
            self.assertIn(looked_for, err)
        self.assertLess(time.monotonic() - started, 10, "an unreachable IMDS must not be retried for long")
        self.assertEqual(os.listdir(self.tmp), [], "a failed live collection left files behind")

    def test_bad_now(self):
        self.check_usage(["collect", "--replay", RAW, "--now", "tomorrow"], "--now 'tomorrow'")

    def test_repeated_single_option(self):
        self.check_usage(["collect", "--replay", RAW, "--replay", RAW], "given more than once")


class InputErrors(TempDirTest):
    def test_missing_replay_dir(self):
        out = self.path("s.json")
        rc, _, err = run(["collect", "--replay", self.path("nope"), "--out", out])
        self.assertEqual(rc, 3)
        self.assertIn(self.path("nope"), err)
        self.assertFalse(os.path.exists(out))

    def test_empty_replay_dir(self):
        os.mkdir(self.path("empty"))
        rc, _, err = run(["collect", "--replay", self.path("empty"), "--out", self.path("s.json")])
        self.assertEqual(rc, 3)
        self.assertIn("no *.json response bodies", err)

    def test_missing_config(self):
        rc, _, err = run(["collect", "--replay", RAW, "--config", self.path("none.json"), "--out", self.path("s.json")])
        self.assertEqual(rc, 3)
        self.assertIn("none.json", err)
        self.assertFalse(os.path.exists(self.path("s.json")))

    def test_config_unknown_key(self):
        cfg = self.path("c.json")
        with open(cfg, "w") as f:
            f.write('{"organization": "X", "scope": {"subscription": ["a"]}}')
        rc, _, err = run(["collect", "--replay", RAW, "--config", cfg, "--out", self.path("s.json")])
        self.assertEqual(rc, 3)
        self.assertIn("c.json: /scope/subscription: unknown key", err)

    def test_bad_source_date_epoch(self):
        rc, _, err = run(["collect", "--replay", RAW, "--out", self.path("s.json")], env={"SOURCE_DATE_EPOCH": "soon"})
        self.assertEqual(rc, 3)
        self.assertIn("SOURCE_DATE_EPOCH", err)

    def test_unwritable_output_is_io_error(self):
        out = self.path("no", "such", "dir", "s.json")
        rc, _, err = run(["collect", "--replay", RAW, "--out", out, "--now", PINNED])
        self.assertEqual(rc, 6)
        self.assertIn(out, err)


class Outputs(TempDirTest):
    def test_stdout_output_and_summary_on_stderr(self):
        rc, out, err = run(["collect", "--replay", RAW, "--config", CONFIG, "--out", "-", "--now", PINNED], cwd=self.tmp)
        self.assertEqual(rc, 0, err)
        self.assertTrue(out.startswith('{\n  "format": "vaultproof-snapshot/2"'))
        self.assertIn("snapshot: (stdout)", err)
        self.assertEqual(os.listdir(self.tmp), [])

    def test_default_output_name_and_quiet(self):
        rc, out, err = run(["collect", "--replay", RAW, "--quiet", "--now", PINNED], cwd=self.tmp)
        self.assertEqual(rc, 0, err)
        self.assertEqual((out, err), ("", ""))
        self.assertEqual(os.listdir(self.tmp), ["snapshot.json"])
        self.assertEqual(load(self.path("snapshot.json"))["collection"]["generated_at"], PINNED)

    def test_failed_run_keeps_previous_file_and_leaves_no_temp(self):
        out = self.path("s.json")
        with open(out, "w") as f:
            f.write("previous")
        bad = self.path("bad")
        os.mkdir(bad)
        with open(os.path.join(bad, "x.json"), "w") as f:
            f.write('{"value": [')
        rc, _, _ = run(["collect", "--replay", bad, "--out", out])
        self.assertEqual(rc, 3)
        with open(out) as f:
            self.assertEqual(f.read(), "previous")
        self.assertEqual(sorted(os.listdir(self.tmp)), ["bad", "s.json"])

    def test_progress_only_on_a_terminal(self):
        # stderr is a pipe here: no carriage-return progress lines
        rc, out, err = run(["collect", "--replay", RAW, "--out", self.path("s.json"), "--now", PINNED])
        self.assertEqual(rc, 0)
        self.assertNotIn("\r", err + out)



class Period(TempDirTest):
    """collection.period: recorded when given, absent (and the bytes unchanged) when not;
    backup jobs are expected per vault only over a period."""

    def collect(self, name, *extra, rc=0, raw=RAW):
        out = self.path(name)
        got, _, err = run(["collect", "--replay", raw, "--config", CONFIG, "--now", PINNED, "--quiet",
                           "--out", out] + list(extra))
        self.assertEqual(got, rc, err)
        with open(out, "rb") as f:
            return f.read()

    def test_no_period_no_jobs_expected(self):
        plain = self.collect("plain.json")
        self.assertNotIn(b'"period"', plain)
        self.assertNotIn(b'backupJobs', plain)
        self.assertTrue(load(self.path("plain.json"))["collection"]["complete"])

    def test_period_recorded_and_jobs_expected_per_vault(self):
        # the sample as captured, without its quarter of backup jobs: over a period it is
        # incomplete (exit 4); the sample itself is complete over 2026-Q3
        pit = self.path("pit")
        copy_point_in_time(RAW, pit)
        self.collect("q3.json", "--period", "2026-Q3", rc=4, raw=pit)
        self.collect("r.json", "--from", "2026-08-01T00:00:00Z", "--to", "2026-08-15T12:00:00Z", rc=4, raw=pit)
        self.collect("sample-q3.json", "--period", "2026-Q3")
        self.assertTrue(load(self.path("sample-q3.json"))["collection"]["complete"])
        q3 = load(self.path("q3.json"))
        self.assertEqual(q3["collection"]["period"],
                         {"label": "2026-Q3", "from": "2026-07-01T00:00:00Z", "to": "2026-10-01T00:00:00Z"})
        self.assertEqual(load(self.path("r.json"))["collection"]["period"],
                         {"label": None, "from": "2026-08-01T00:00:00Z", "to": "2026-08-15T12:00:00Z"})
        self.assertFalse(q3["collection"]["complete"])
        jobs = [l for l in q3["collection"]["lists"] if l["operation"] == "backupJobs"]
        self.assertEqual(sorted(l["scope"].lower() for l in jobs), sorted(v["id"].lower() for v in q3["vaults"]))
        self.assertTrue(jobs and all(l["status"] == "missing" for l in jobs))
        for v in q3["vaults"]:
            self.assertEqual(list(v["completeness"])[-1], "backupJobs")
            self.assertEqual(v["completeness"]["backupJobs"], "missing")
        # and the snapshot reads back (its vault lines come before the header that says "period")
        rc, _, err = run(["evaluate", "--snapshot", self.path("q3.json"), "--config", CONFIG, "--now", PINNED,
                          "--out", self.path("f.json")])
        self.assertIn(rc, (0, 1), err)

    def test_reader_checks_the_label_against_its_bounds(self):
        self.collect("q3.json", "--period", "2026-Q3")
        with open(self.path("q3.json"), "rb") as f:
            doc = f.read().replace(b'"label":"2026-Q3"', b'"label":"2026-Q2"')
        with open(self.path("bad.json"), "wb") as f:
            f.write(doc)
        rc, _, err = run(["evaluate", "--snapshot", self.path("bad.json"), "--config", CONFIG, "--now", PINNED,
                          "--out", self.path("f.json")])
        self.assertEqual(rc, 3, err)
        self.assertIn("/collection/period/label", err)


if __name__ == "__main__":
    main()
