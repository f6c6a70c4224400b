"""Archive safety: signed ledger lines, `verify --ledger` over a whole archive, one pack
at a time, and crash consistency - a pack killed (SIGKILL) at any moment leaves either
no bundle or a complete, recorded one, and the next pack cleans up after it."""
import fcntl
import glob
import os
import random
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from vptest import SANITIZED, light_sample, BINARY, PINNED, SAMPLE, TempDirTest, main, run  # noqa: E402

LEFTOVER_PATTERNS = (".staging-*", ".pending-*", "*.tmp.*")


def stamp(n):
    """A distinct pinned time per pack, so every bundle gets its own name."""
    return "2026-09-30T%02d:%02d:00Z" % (7 + n // 60, n % 60)


class ArchiveSafety(TempDirTest):
    def setUp(self):
        super().setUp()
        rc, _, err = run(["keygen", "--out", self.path("K"), "--now", PINNED])
        self.assertEqual(rc, 0, err)
        self.arch = self.path("archive")
        self.ledger = os.path.join(self.arch, "ledger.jsonl")
        self.ca = self.path("K", "ca.pem")

    def pack_args(self, now):
        return ["pack", "--config", os.path.join(SAMPLE, "vaultproof.json"), "--replay", light_sample(),
                "--period", "2026-Q3", "--out", self.arch, "--key", self.path("K", "signer.key"),
                "--cert", self.path("K", "signer.pem"), "--now", now, "--quiet"]

    def pack(self, now, expect=0):
        rc, out, err = run(self.pack_args(now))
        self.assertEqual(rc, expect, err)
        return out.strip(), err

    def audit(self, *extra):
        return run(["verify", "--ledger", self.ledger, "--trust", self.ca] + list(extra))

    def bundles(self):
        return sorted(os.path.basename(p) for p in glob.glob(os.path.join(self.arch, "*.tar.gz")))

    def leftovers(self):
        found = []
        for pattern in LEFTOVER_PATTERNS:
            found += glob.glob(os.path.join(self.arch, pattern))
        return found

    def ledger_lines(self):
        if not os.path.exists(self.ledger):
            return []
        with open(self.ledger, "rb") as f:
            return f.read().splitlines(keepends=True)

    # --- signed lines -------------------------------------------------------------------

    def test_every_line_is_signed_and_openssl_checks_it(self):
        self.pack(stamp(0))
        self.pack(stamp(1))
        lines = self.ledger_lines()
        self.assertEqual(len(lines), 2)
        for seq, line in enumerate(lines, 1):
            with open(self.path("line"), "wb") as f:
                f.write(line)
            sig = os.path.join(self.arch, "ledger.jsonl.sig", "%06d.p7s" % seq)
            p = subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", sig, "-content",
                                self.path("line"), "-CAfile", self.ca, "-purpose", "any", "-out", os.devnull],
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("Verification successful", p.stderr)
        rc, out, err = self.audit()
        self.assertEqual(rc, 0, out + err)
        self.assertIn("2 verified, 0 failed, 0 not found, 0 unrecorded", out)

    def test_audit_detects_bad_missing_and_foreign_line_signatures(self):
        self.pack(stamp(0))
        self.pack(stamp(1))
        sig = os.path.join(self.arch, "ledger.jsonl.sig", "000002.p7s")
        with open(sig, "rb") as f:
            good = f.read()
        bad = bytearray(good)
        bad[len(bad) // 2] ^= 0x01
        with open(sig, "wb") as f:
            f.write(bad)
        rc, out, _ = self.audit()
        self.assertEqual(rc, 1)
        self.assertIn("line 2", out)
        os.unlink(sig)
        rc, out, _ = self.audit()
        self.assertEqual(rc, 1)
        self.assertIn("line 2: signature missing", out)
        # a valid CMS over the right bytes, by a signer the anchor does not know
        rc, _, err = run(["keygen", "--out", self.path("K2"), "--now", PINNED])
        self.assertEqual(rc, 0, err)
        with open(self.path("line"), "wb") as f:
            f.write(self.ledger_lines()[1])
        subprocess.run(["openssl", "cms", "-sign", "-binary", "-outform", "DER", "-nosmimecap", "-cades",
                        "-in", self.path("line"), "-signer", self.path("K2", "signer.pem"),
                        "-inkey", self.path("K2", "signer.key"), "-out", sig], check=True, capture_output=True)
        rc, out, _ = self.audit()
        self.assertEqual(rc, 1)
        self.assertIn("line 2: signature", out)
        with open(sig, "wb") as f:
            f.write(good)
        rc, out, err = self.audit()
        self.assertEqual(rc, 0, out + err)

    def test_bundle_verify_with_ledger_checks_line_signatures(self):
        bundle, _ = self.pack(stamp(0))
        rc, out, err = run(["verify", bundle, "--trust", self.ca, "--ledger", self.ledger])
        self.assertEqual(rc, 0, out + err)
        os.unlink(os.path.join(self.arch, "ledger.jsonl.sig", "000001.p7s"))
        rc, out, _ = run(["verify", bundle, "--trust", self.ca, "--ledger", self.ledger])
        self.assertEqual(rc, 1)
        self.assertIn("line 1: signature missing", out)

    def test_audit_needs_a_trust_anchor(self):
        self.pack(stamp(0))
        rc, _, err = run(["verify", "--ledger", self.ledger])
        self.assertEqual(rc, 2)
        self.assertIn("--trust", err)

    def test_audit_reports_missing_swapped_and_unrecorded_bundles(self):
        first, _ = self.pack(stamp(0))
        second, _ = self.pack(stamp(1))
        # moved away: a note, not a failure
        shutil.move(first, self.path("cold-storage.tar.gz"))
        rc, out, err = self.audit("--json")
        self.assertEqual(rc, 0, out + err)
        self.assertIn('"bundles_not_found": 1', out)
        self.assertIn(os.path.basename(first), out)
        # another genuine bundle under the first one's name: it is not what line 1 records
        shutil.copy(second, first)
        rc, out, _ = self.audit()
        self.assertEqual(rc, 1)
        self.assertIn("line 1", out)
        os.unlink(first)
        shutil.move(self.path("cold-storage.tar.gz"), first)
        # a complete bundle that no line records
        shutil.copy(second, os.path.join(self.arch, "smuggled.tar.gz"))
        rc, out, _ = self.audit()
        self.assertEqual(rc, 1)
        self.assertIn("smuggled.tar.gz: a bundle that the ledger does not record", out)

    # --- one pack at a time, recovery ---------------------------------------------------

    def test_a_second_pack_on_the_same_archive_is_refused(self):
        self.pack(stamp(0))
        with open(os.path.join(self.arch, ".pack.lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            _, err = self.pack(stamp(1), expect=6)
        self.assertIn("another vaultproof pack is running", err)
        self.assertEqual(len(self.bundles()), 1)
        self.assertEqual(len(self.ledger_lines()), 1)

    def test_recorded_pending_bundle_is_renamed_by_the_next_pack(self):
        """A kill after the ledger append and before the rename."""
        first, _ = self.pack(stamp(0))
        name = os.path.basename(first)
        os.rename(first, os.path.join(self.arch, ".pending-" + name))
        rc, out, err = self.audit()
        self.assertEqual(rc, 0, out + err)  # recorded but not (yet) there: a note
        self.assertIn("not beside the ledger", out)
        self.pack(stamp(1))
        self.assertIn(name, self.bundles())
        self.assertEqual(self.leftovers(), [])
        rc, out, err = self.audit()
        self.assertEqual(rc, 0, out + err)
        self.assertIn("2 verified", out)

    def test_unrecorded_leftovers_are_discarded_by_the_next_pack(self):
        """Kills before the ledger append: a pending bundle, staging, temporary files."""
        first, _ = self.pack(stamp(0))
        shutil.copy(first, os.path.join(self.arch, ".pending-never-recorded.tar.gz"))
        os.mkdir(os.path.join(self.arch, ".staging-abc123"))
        with open(os.path.join(self.arch, ".staging-abc123", "half.json"), "w") as f:
            f.write("{")
        for temp in ("ledger.jsonl.tmp.AbC123", "x.tar.gz.tmp.ZyX987"):
            with open(os.path.join(self.arch, temp), "w") as f:
                f.write("partial")
        self.pack(stamp(1))
        self.assertEqual(self.leftovers(), [])
        self.assertEqual(len(self.bundles()), 2)
        rc, out, err = self.audit()
        self.assertEqual(rc, 0, out + err)

    def test_recorded_pending_bundle_with_other_bytes_stops_the_pack(self):
        first, _ = self.pack(stamp(0))
        pending = os.path.join(self.arch, ".pending-" + os.path.basename(first))
        os.rename(first, pending)
        with open(pending, "r+b") as f:
            f.seek(100)
            b = f.read(1)
            f.seek(100)
            f.write(bytes([b[0] ^ 0x40]))
        _, err = self.pack(stamp(1), expect=1)
        self.assertIn("pending file has", err)
        self.assertTrue(os.path.exists(pending), "evidence is never deleted on a mismatch")
        self.assertEqual(len(self.ledger_lines()), 1)

    # --- SIGKILL at random moments ------------------------------------------------------

    def test_pack_writes_no_temporary_file_outside_the_archive(self):
        # $TMPDIR unusable: the workbook's temporary directory is made in pack's staging
        # directory, where a later pack's recovery removes what a killed one left
        rc, out, err = run(self.pack_args(stamp(0)), env={"TMPDIR": self.path("no-such-dir")})
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.leftovers(), [])
        rc, out, err = self.audit()
        self.assertEqual(rc, 0, out + err)

    def test_sigkill_at_random_points_leaves_a_consistent_archive(self):
        self.pack(stamp(0))
        started = time.monotonic()
        self.pack(stamp(1))
        duration = time.monotonic() - started
        rng = random.Random(20260930)
        kills = 0
        # Under the sanitizers fewer kills: what they add is a check of the recovery code's
        # memory use, which a few recoveries exercise as well as many; the kill points
        # themselves are what the plain build covers (24 kills). Each round audits the whole
        # archive, so the rounds cost more the more there are.
        rounds = 4 if SANITIZED else 24
        # the workbook's temporary files live in the staging directory, which recovery
        # removes: a kill leaves nothing in $TMPDIR
        tmp = self.path("tmp")
        os.mkdir(tmp)
        env = dict(os.environ, TMPDIR=tmp)
        env.pop("SOURCE_DATE_EPOCH", None)
        for i in range(2, 2 + rounds):
            before = set(self.bundles())
            p = subprocess.Popen([BINARY] + self.pack_args(stamp(i)), stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, env=env)
            time.sleep(rng.uniform(0.0, duration * 1.1))
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                kills += 1
            p.wait()
            after = set(self.bundles())
            new = after - before
            self.assertLessEqual(len(new), 1)
            # whatever happened: every visible bundle is complete, recorded and verifies,
            # and the signed chain holds
            rc, out, err = self.audit()
            self.assertEqual(rc, 0, "after kill %d:\n%s%s" % (i, out, err))
            recorded = [line for line in self.ledger_lines()]
            for name in after:
                self.assertTrue(any(name.encode() in line for line in recorded), name)
        self.assertGreater(kills, rounds // 4, "the kills must land while pack runs")
        # the next pack finishes or discards what the killed ones left
        self.pack(stamp(40))
        self.assertEqual(self.leftovers(), [])
        self.assertEqual(os.listdir(tmp), [])
        rc, out, err = self.audit()
        self.assertEqual(rc, 0, out + err)
        lines = self.ledger_lines()
        self.assertEqual(len(lines), len(self.bundles()))


if __name__ == "__main__":
    main()
