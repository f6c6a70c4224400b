"""pack in an archive directory other users can write to (issue 12, point 2).

An unprivileged neighbour who can rename entries of the archive directory could rename
pack's .staging-XXXXXX away, put a look-alike in its place and replace
data/assessment-results.json: pack then signed and ledgered the substitute. pack now
refuses an archive directory that group or others can write to unless it is sticky and
owned by the user, and stages through directory descriptors, so even where a rename is
possible (as here: the tests run the attacker as the same user) every file of the bundle
is the one pack wrote.
"""
import os
import subprocess
import sys
import tarfile

sys.path.insert(0, os.path.dirname(__file__))
from vptest import light_sample, PINNED, SANITIZED, SAMPLE, TempDirTest, generate, main, run  # noqa: E402

OSCAL = "data/assessment-results.json"
# 50 races in the plain build; 20 under the sanitizers, whose job is the memory use of the
# refusal and clean-up paths (the race's timing is the plain build's to exercise, and each
# sanitized pack is 2-3 times slower, so 50 of them cost the suite ~30 s for nothing new)
ATTEMPTS = 20 if SANITIZED else 50

# The neighbour: watches the archive named in ROOT/target for a staging directory that
# already holds the OSCAL document, copies it with that document replaced, renames the
# staging directory away and its copy into its place. Appends one line to ROOT/swaps per
# substitution made.
ATTACKER = r"""
import os, shutil, sys, time
root = sys.argv[1]
tampered = open(os.path.join(root, "tampered.json"), "rb").read()
done = set()
while not os.path.exists(os.path.join(root, "stop")):
    time.sleep(0.001)  # leaves the CPU to pack; its render alone takes ~100 ms
    try:
        target = open(os.path.join(root, "target")).read()
        names = os.listdir(target)
    except OSError:
        continue
    for name in names:
        path = os.path.join(target, name)
        if not name.startswith(".staging-") or path in done or not os.path.exists(os.path.join(path, "data", "assessment-results.json")):
            continue
        done.add(path)
        ready = os.path.join(target, ".lookalike" + name)
        try:
            shutil.copytree(path, ready)
            with open(os.path.join(ready, "data", "assessment-results.json"), "wb") as f:
                f.write(tampered)
            os.rename(path, os.path.join(target, ".moved" + name))
            os.rename(ready, path)
            with open(os.path.join(root, "swaps"), "a") as f:
                f.write(path + "\n")
        except OSError:
            pass
"""


class HostileArchiveDir(TempDirTest):
    def keygen(self):
        out = self.path("keys")
        rc, _, err = run(["keygen", "--out", out, "--now", PINNED])
        self.assertEqual(rc, 0, err)
        return out

    def pack(self, keys, archive, replay=light_sample()):
        return run(["pack", "--config", os.path.join(SAMPLE, "vaultproof.json"), "--replay", replay, "--out", archive, "--key", os.path.join(keys, "signer.key"),
                    "--cert", os.path.join(keys, "signer.pem"), "--now", PINNED, "--request-id", "REQ-7"])

    def oscal_of(self, bundle):
        with tarfile.open(bundle, "r:gz") as tar:
            (member,) = [m for m in tar.getmembers() if m.name.endswith("/" + OSCAL)]
            return tar.extractfile(member).read()

    def test_writable_archive_dir_without_sticky_bit_is_refused(self):
        keys = self.keygen()
        for mode in (0o777, 0o770, 0o707, 0o775):
            archive = self.path("archive-%o" % mode)
            os.mkdir(archive)
            os.chmod(archive, mode)
            rc, out, err = self.pack(keys, archive)
            self.assertEqual(rc, 6, err)
            self.assertIn(archive, err)
            self.assertIn("%04o" % mode, err)
            self.assertIn("sticky", err)
            self.assertEqual(os.listdir(archive), [], "pack wrote into a directory it refused")
            self.assertEqual(out, "")

    def test_sticky_dir_of_another_owner_is_refused(self):
        if os.geteuid() != 0:
            self.skipTest("needs root to make a directory owned by someone else")
        keys = self.keygen()
        archive = self.path("shared")
        os.mkdir(archive)
        os.chown(archive, 65534, 65534)
        os.chmod(archive, 0o1777)
        rc, _, err = self.pack(keys, archive)
        self.assertEqual(rc, 6, err)
        self.assertIn(archive, err)
        self.assertIn("1777", err)
        self.assertEqual(os.listdir(archive), [])

    def test_sticky_dir_of_the_user_and_private_dirs_are_accepted(self):
        keys = self.keygen()
        for mode in (0o1777, 0o1770, 0o755, 0o700):
            archive = self.path("ok-%o" % mode)
            os.mkdir(archive)
            os.chmod(archive, mode)
            rc, out, err = self.pack(keys, archive)
            self.assertEqual(rc, 0, err)
            self.assertTrue(os.path.isfile(out.splitlines()[0]))

    def test_staging_swap_never_reaches_a_bundle(self):
        """ATTEMPTS packs into sticky archive directories (accepted) while the neighbour
        keeps swapping the staging directory: each pack fails loudly or publishes a bundle
        with the genuine OSCAL document, and verify accepts no tampered bundle."""
        keys = self.keygen()
        replay = self.path("raw")  # a small estate: fifty packs stay quick
        generate(replay, "scale", "--items", "10", "--vaults", "1", "--subscriptions", "1", "--seed", "3")
        rc, out, err = self.pack(keys, self.path("reference"), replay)
        self.assertEqual(rc, 0, err)
        genuine = self.oscal_of(out.splitlines()[0])
        tampered = genuine.replace(b"not-satisfied", b"satisfied")
        self.assertNotEqual(tampered, genuine)
        root = self.path("attack")
        os.mkdir(root)
        with open(os.path.join(root, "tampered.json"), "wb") as f:
            f.write(tampered)
        with open(os.path.join(root, "target"), "w") as f:
            f.write(root)
        attacker = subprocess.Popen([sys.executable, "-c", ATTACKER, root])
        published, failed, bad, bundle = 0, 0, [], None
        try:
            for i in range(ATTEMPTS):
                archive = os.path.join(root, "a%02d" % i)
                os.mkdir(archive)
                os.chmod(archive, 0o1777)
                with open(os.path.join(root, "target.tmp"), "w") as f:
                    f.write(archive)
                os.replace(os.path.join(root, "target.tmp"), os.path.join(root, "target"))
                rc, out, err = self.pack(keys, archive, replay)
                bundles = [n for n in os.listdir(archive) if n.endswith(".tar.gz") and not n.startswith(".")]
                if rc != 0:
                    failed += 1
                    self.assertTrue(err.strip(), "pack failed silently (exit %d)" % rc)
                    self.assertEqual(bundles, [], "a failed pack published %s" % bundles)
                    continue
                published += 1
                bundle = out.splitlines()[0]
                if self.oscal_of(bundle) == genuine:
                    continue
                vrc, _, _ = run(["verify", bundle, "--trust", os.path.join(keys, "ca.pem"),
                                 "--ledger", os.path.join(archive, "ledger.jsonl")])
                bad.append("%s (verify --ledger exit %d)" % (bundle, vrc))
        finally:
            open(os.path.join(root, "stop"), "w").close()
            attacker.wait(timeout=30)
        swaps = 0
        if os.path.exists(os.path.join(root, "swaps")):
            with open(os.path.join(root, "swaps")) as f:
                swaps = len(f.read().splitlines())
        print("\n%d packs: %d published, %d failed; the neighbour swapped %d staging directories"
              % (ATTEMPTS, published, failed, swaps), file=sys.stderr)
        self.assertEqual(bad, [], "%d of %d published bundles hold the neighbour's %s and were signed and "
                         "ledgered: %s" % (len(bad), published, OSCAL, "; ".join(bad[:3])))
        self.assertGreater(swaps, ATTEMPTS // 2, "the neighbour hardly ever got to swap; the test proves nothing")
        if bundle:  # a bundle published under attack is a sound one
            rc, vout, verr = run(["verify", bundle, "--trust", os.path.join(keys, "ca.pem"),
                                  "--ledger", os.path.join(os.path.dirname(bundle), "ledger.jsonl")])
            self.assertEqual(rc, 0, vout + verr)

if __name__ == "__main__":
    main()
