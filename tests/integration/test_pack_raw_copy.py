"""pack copies the replay's raw/ into the bundle on several threads (issue 17): the
bundle holds exactly the response files, byte for byte, and nothing else; when a file
cannot be copied, the error names the first such file in list order whatever the
threads' timing, and nothing is published."""
import hashlib
import json
import os
import shutil
import sys
import tarfile

sys.path.insert(0, os.path.dirname(__file__))
from vptest import light_sample, PINNED, SAMPLE, TempDirTest, main, run  # noqa: E402

CONFIG = os.path.join(SAMPLE, "vaultproof.json")
# one byte past the 2 GiB bound on inputs vaultproof did not write (VP_MAX_INPUT_FILE):
# refused when opened, before a byte is read; sparse, so it costs no disk
OVERSIZE = 2 * 1024 * 1024 * 1024 + 1


class RawCopy(TempDirTest):
    def setUp(self):
        super().setUp()
        rc, _, err = run(["keygen", "--out", self.path("K"), "--now", PINNED])
        self.assertEqual(rc, 0, err)
        self.raw = self.path("raw")
        shutil.copytree(light_sample(), self.raw)

    def pack(self, archive):
        return run(["pack", "--config", CONFIG, "--replay", self.raw, "--out", self.path(archive), "--key",
                    self.path("K", "signer.key"), "--cert", self.path("K", "signer.pem"), "--now", PINNED,
                    "--period", "2026-Q3"])

    def oversize(self, rel):
        with open(os.path.join(self.raw, rel), "wb") as f:
            f.truncate(OVERSIZE)

    def test_bundle_holds_the_response_files_as_they_are(self):
        # more files than one thread's share, and a file the reader ignores
        for i in range(300):
            with open(os.path.join(self.raw, "subscriptions", "extra-%03d.json" % i), "w") as f:
                json.dump({"value": [], "n": i}, f)
        with open(os.path.join(self.raw, "notes.txt"), "w") as f:
            f.write("not a response\n")
        rc, out, err = self.pack("a")
        self.assertEqual(rc, 0, err)
        expected = {}
        for root, _dirs, files in os.walk(self.raw):
            for name in files:
                rel = os.path.relpath(os.path.join(root, name), self.raw)
                if rel.endswith(".json"):
                    with open(os.path.join(root, name), "rb") as f:
                        expected["raw/" + rel] = hashlib.sha256(f.read()).hexdigest()
        bundle = out.splitlines()[0]
        top = os.path.basename(bundle)[:-len(".tar.gz")] + "/"
        got = {}
        with tarfile.open(bundle) as t:
            for m in t.getmembers():
                if m.isfile() and m.name.startswith(top + "raw/"):
                    got[m.name[len(top):]] = hashlib.sha256(t.extractfile(m).read()).hexdigest()
            manifest = json.load(t.extractfile(top + "manifest.json"))
        self.assertGreater(len(expected), 300)
        self.assertEqual(got, expected)
        listed = {f["path"]: f["sha256"] for f in manifest["files"] if f["path"].startswith("raw/")}
        self.assertEqual(listed, expected)

    def test_first_file_in_list_order_is_named(self):
        # "aaa.json" sorts before every other file, "zzz.json" after: both cannot be read
        self.oversize("aaa.json")
        self.oversize("zzz.json")
        for attempt in range(5):
            rc, _, err = self.pack("b")
            self.assertEqual(rc, 3, err)
            self.assertIn(os.path.join(self.raw, "aaa.json"), err)
            self.assertNotIn("zzz.json", err)
            self.assertIn("expected at most", err)
        self.assertEqual([n for n in os.listdir(self.path("b")) if n.endswith(".tar.gz") or n.startswith(".staging")],
                         [])

    def test_first_file_of_a_directory_run_is_named(self):
        # threads take a directory's files a run at a time (at most 64): failures inside
        # one run, and in a later run of the same directory, still name the first in list
        # order
        d = os.path.join(self.raw, "subscriptions", "many")
        os.makedirs(d)
        for i in range(150):
            with open(os.path.join(d, "f-%03d.json" % i), "w") as f:
                json.dump({"value": [], "n": i}, f)
        for i in (37, 38, 120):
            self.oversize(os.path.join("subscriptions", "many", "f-%03d.json" % i))
        for attempt in range(5):
            rc, _, err = self.pack("d")
            self.assertEqual(rc, 3, err)
            self.assertIn(os.path.join(d, "f-037.json"), err)
            self.assertNotIn("f-038.json", err)
            self.assertNotIn("f-120.json", err)

    def test_last_file_is_copied_and_checked(self):
        self.oversize("zzz.json")
        rc, _, err = self.pack("c")
        self.assertEqual(rc, 3, err)
        self.assertIn(os.path.join(self.raw, "zzz.json"), err)


if __name__ == "__main__":
    main()
