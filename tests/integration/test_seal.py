"""Sealed recordings (issue 14, "Integrity from capture, not from pack"): a live collection
against the ARM emulator seals its --record DIR (a signed list of every response file, the
capture window), `openssl cms -verify` accepts the seal with the collector's CA, pack
--replay refuses a recording changed after it was sealed and carries the seal into the
bundle, the manifest, cover and workbook say sealed or unsealed, and verify checks the
seal - also against a bundle rebuilt by someone holding the pack key."""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile

sys.path.insert(0, os.path.dirname(__file__))
from vptest import light_sample, PINNED, SAMPLE, SOURCE, TempDirTest, load, main, run  # noqa: E402

sys.path.insert(0, os.path.join(SOURCE, "tests", "emulator"))
from arm_emulator import Emulator  # noqa: E402
from test_live_collect import live, secret_env  # noqa: E402
from test_pack import retar  # noqa: E402
from test_tsa import NO_PROXY, Tsa  # noqa: E402

CONFIG = os.path.join(SAMPLE, "vaultproof.json")
SEAL = ".vaultproof-seal"
CHANGED = "the recording was changed after it was sealed"


def sh(*args, **kw):
    return subprocess.run(list(args), capture_output=True, text=True, **kw)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def responses(rec):
    """Every response file of a recording, found independently: *.json, nothing hidden."""
    found = {}
    for root, dirs, files in os.walk(rec):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.endswith(".json") and not name.startswith("."):
                full = os.path.join(root, name)
                found[os.path.relpath(full, rec)] = full
    return found


def cover_text(pdf):
    out = sh("pdftotext", "-f", "1", "-l", "1", "-layout", pdf, "-").stdout
    return " ".join(out.split())


def workbook_text(xlsx):
    with zipfile.ZipFile(xlsx) as z:
        return " ".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/") and n.endswith(".xml"))


class Seal(TempDirTest):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator(light_sample(), page_size=50)
        cls.emu.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.emu.__exit__(None, None, None)

    def setUp(self):
        super().setUp()
        # the collector (C) and the packer (P) hold different keys under different CAs
        for name in ("C", "P"):
            rc, _, err = run(["keygen", "--out", self.path(name), "--now", PINNED])
            self.assertEqual(rc, 0, err)
        self.trust = self.path("trust.pem")
        with open(self.trust, "w") as out:
            for name in ("C", "P"):
                with open(self.path(name, "ca.pem")) as f:
                    out.write(f.read())

    def key(self, name):
        return ["--key", self.path(name, "signer.key"), "--cert", self.path(name, "signer.pem")]

    def record(self, rec, *extra):
        rc, snap, log = live(self.emu, self.path("snapshot.json"), "--config", CONFIG, "--record", rec, *extra)
        self.assertEqual(rc, 0, log)
        return snap, log

    def pack(self, archive, *extra, expect=0):
        rc, out, err = run(["pack", "--config", CONFIG, "--period", "2026-Q3", "--out", archive, "--now", PINNED,
                            "--quiet"] + self.key("P") + list(extra), timeout=300)
        self.assertEqual(rc, expect, out + err)
        return out.strip(), err

    def extract(self, bundle, dest):
        with tarfile.open(bundle, "r:gz") as tar:
            tar.extractall(dest)  # a bundle pack just wrote
        return os.path.join(dest, os.listdir(dest)[0])

    def verify(self, bundle, trust=None):
        rc, out, err = run(["verify", bundle, "--trust", trust or self.trust, "--json"])
        return rc, json.loads(out), err

    def test_sealed_recording_packs_sealed_and_verifies(self):
        rec = self.path("rec")
        snap, log = self.record(rec, *self.key("C"))
        self.assertRegex(log, r"sealed: \d+ response files")
        doc_path, sig_path = os.path.join(rec, SEAL, "recording-seal.json"), os.path.join(rec, SEAL,
                                                                                          "recording-seal.json.p7s")
        # anyone can check the seal with standard tools and the collector's CA ...
        ok = sh("openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", sig_path, "-content", doc_path,
                "-CAfile", self.path("C", "ca.pem"), "-purpose", "any", "-out", os.devnull)
        self.assertEqual(ok.returncode, 0, ok.stderr)
        # ... and not with another CA
        other = sh("openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", sig_path, "-content", doc_path,
                   "-CAfile", self.path("P", "ca.pem"), "-purpose", "any", "-out", os.devnull)
        self.assertNotEqual(other.returncode, 0)
        with open(doc_path) as f:
            seal = json.load(f)
        self.assertEqual(seal["format"], "vaultproof-recording-seal/1")
        # every response file, each with the size and hash it has on disk, sorted
        files = responses(rec)
        self.assertGreater(len(files), 20)
        self.assertEqual([e["path"] for e in seal["files"]], sorted(files))
        for e in seal["files"]:
            self.assertEqual(e["size"], os.path.getsize(files[e["path"]]), e["path"])
            self.assertEqual(e["sha256"], sha256(files[e["path"]]), e["path"])
        self.assertEqual(seal["collector"]["principal"], self.emu.info["client_id"])
        self.assertEqual(seal["collector"]["credential"], "secret")
        self.assertTrue(seal["capture"]["complete"])
        self.assertGreater(seal["capture"]["requests"], 20)
        self.assertEqual(seal["sealed_at"], PINNED)
        self.assertEqual(seal["clock"], {"pinned": True, "source": "--now"})
        # the window is the one the snapshot of the recording records (to the second; the
        # seal picks the earliest and latest to the millisecond)
        sidecars = [load(p) for rel, p in files.items() if rel.endswith(".meta.json")]
        self.assertEqual(seal["capture"]["captured_from"], min(s["requested_at"] for s in sidecars))
        self.assertEqual(seal["capture"]["captured_to"], max(s["received_at"] for s in sidecars))
        self.assertEqual(seal["capture"]["captured_from"][:19], snap["collection"]["captured_from"][:19])
        self.assertEqual(seal["capture"]["captured_to"][:19], snap["collection"]["captured_to"][:19])
        self.assertNotIn(self.emu.info["client_secret"], json.dumps(seal))

        bundle, _ = self.pack(self.path("A"), "--replay", rec)
        top = self.extract(bundle, self.path("x"))
        with open(os.path.join(top, "manifest.json")) as f:
            manifest = json.load(f)
        subject = "O=vaultproof demo,CN=vaultproof demo signer (NOT FOR PRODUCTION)"
        recording = manifest["recording"]
        self.assertEqual(recording, {"sealed": True, "seal": "seal/recording-seal.json", "sealed_by": subject,
                                     "sealed_at": PINNED, "captured_from": seal["capture"]["captured_from"],
                                     "captured_to": seal["capture"]["captured_to"]})
        for name in ("recording-seal.json", "recording-seal.json.p7s"):
            self.assertEqual(sha256(os.path.join(top, "seal", name)), sha256(os.path.join(rec, SEAL, name)), name)
        self.assertIn("seal/recording-seal.json", [e["path"] for e in manifest["files"]])
        cover = cover_text(os.path.join(top, "report", "report.pdf"))
        self.assertIn("Recording sealed at capture by " + subject + " (" + PINNED + ")", cover)
        self.assertIn("Recording sealed at capture by " + subject, workbook_text(os.path.join(top, "report",
                                                                                            "workbook.xlsx")))
        rc, v, err = self.verify(bundle)
        self.assertEqual(rc, 0, v)
        self.assertEqual(v["checks"]["seal"], "pass")
        self.assertEqual(v["recording"], {"sealed": True, "sealed_by": subject, "sealed_at": PINNED})
        rc, out, _ = run(["verify", bundle, "--trust", self.trust])
        self.assertRegex(out, r"\n  seal\s+ok\n")
        self.assertIn("bundle: VERIFIED", out)
        # the seal's signer must chain to the trust file too: the packer's CA alone is not enough
        rc, v, _ = self.verify(bundle, self.path("P", "ca.pem"))
        self.assertEqual(rc, 1, v)
        self.assertEqual(v["checks"]["signature"], "pass")
        self.assertEqual(v["checks"]["seal"], "fail")
        self.assertTrue(any("seal/recording-seal.json.p7s: signer does not chain" in p for p in v["problems"]),
                        v["problems"])

    def test_changed_recording_is_refused(self):
        rec = self.path("rec")
        self.record(rec, *self.key("C"))
        files = responses(rec)
        # one response edited after sealing (same size: only the hash can tell)
        edited = self.path("edited")
        shutil.copytree(rec, edited)
        victim = sorted(p for p in files if p.endswith("/vaults.json"))[0]
        with open(os.path.join(edited, victim), "rb") as f:
            body = f.read()
        self.assertIn(b'"Locked"', body)
        with open(os.path.join(edited, victim), "wb") as f:
            f.write(body.replace(b'"Locked"', b'"Lockex"', 1))
        _, err = self.pack(self.path("A1"), "--replay", edited, expect=1)
        self.assertIn(os.path.join(edited, victim) + ": SHA-256 differs from the seal", err)
        self.assertIn(CHANGED, err)
        self.assertFalse(os.path.exists(self.path("A1")) and any(n.endswith(".tar.gz") for n in os.listdir(self.path("A1"))))
        # a response added after sealing
        added = self.path("added")
        shutil.copytree(rec, added)
        with open(os.path.join(added, "subscriptions", "extra.json"), "w") as f:
            f.write('{"value": []}')
        _, err = self.pack(self.path("A2"), "--replay", added, expect=1)
        self.assertIn(os.path.join(added, "subscriptions", "extra.json") + ": a response file the seal does not list",
                      err)
        self.assertIn(CHANGED, err)
        # a response removed after sealing
        removed = self.path("removed")
        shutil.copytree(rec, removed)
        os.remove(os.path.join(removed, victim))
        _, err = self.pack(self.path("A3"), "--replay", removed, expect=1)
        self.assertIn(os.path.join(removed, victim) + ": listed in the seal but missing", err)
        # the seal document itself edited (the file list made to match): its signature fails
        forged = self.path("forged")
        shutil.copytree(edited, forged)
        doc = os.path.join(forged, SEAL, "recording-seal.json")
        with open(doc) as f:
            text = f.read()
        with open(doc, "w") as f:
            f.write(text.replace(sha256(os.path.join(rec, victim)), sha256(os.path.join(forged, victim))))
        _, err = self.pack(self.path("A4"), "--replay", forged, expect=1)
        self.assertIn("recording-seal.json.p7s: the signature does not verify", err)
        self.assertIn(CHANGED, err)
        # the untouched recording still packs
        self.pack(self.path("A5"), "--replay", rec)

    def test_unsealed_replay_is_labelled(self):
        rec = self.path("rec")
        _, log = self.record(rec)  # no signer: not sealed, and said so on one line
        lines = [line for line in log.splitlines() if "not sealed" in line]
        self.assertEqual(len(lines), 1, log)
        self.assertIn(rec, lines[0])
        self.assertFalse(os.path.exists(os.path.join(rec, SEAL)))
        bundle, _ = self.pack(self.path("A"), "--replay", rec)
        top = self.extract(bundle, self.path("x"))
        with open(os.path.join(top, "manifest.json")) as f:
            manifest = json.load(f)
        self.assertEqual(manifest["recording"], {"sealed": False, "seal": None})
        self.assertFalse(os.path.exists(os.path.join(top, "seal")))
        unsealed = "Unsealed replay: the integrity of raw/ is proven from pack time (%s) only" % PINNED
        self.assertIn(unsealed, cover_text(os.path.join(top, "report", "report.pdf")))
        self.assertIn(unsealed, workbook_text(os.path.join(top, "report", "workbook.xlsx")))
        rc, out, err = run(["verify", bundle, "--trust", self.trust])
        self.assertEqual(rc, 0, out + err)
        self.assertRegex(out, r"\n  seal\s+WARNING \(unsealed replay\)\n")
        self.assertIn("warning: unsealed replay: raw/ was not sealed when it was captured", out)
        self.assertTrue(out.rstrip().endswith("bundle: VERIFIED"), out)
        rc, v, _ = self.verify(bundle)
        self.assertEqual((rc, v["checks"]["seal"], v["recording"]["sealed"]), (0, "warning", False))

    def test_live_pack_seals_raw_at_capture(self):
        info = self.emu.info
        rc, out, err = run(["pack", "--config", CONFIG, "--period", "2026-Q3", "--out", self.path("A"), "--now",
                            PINNED, "--quiet", "--arm-endpoint", info["arm"], "--authority-host", info["authority"],
                            "--ca-bundle", info["ca"]] + self.key("P"), env=secret_env(info), timeout=300)
        self.assertEqual(rc, 0, out + err)
        bundle = out.strip()
        top = self.extract(bundle, self.path("x"))
        with open(os.path.join(top, "seal", "recording-seal.json")) as f:
            seal = json.load(f)
        self.assertEqual([e["path"] for e in seal["files"]], sorted(responses(os.path.join(top, "raw"))))
        with open(os.path.join(top, "manifest.json")) as f:
            manifest = json.load(f)
        self.assertTrue(manifest["recording"]["sealed"])
        self.assertEqual(manifest["recording"]["captured_from"][:19], manifest["collection"]["captured_from"][:19])
        self.assertIn("Recording sealed at capture by", cover_text(os.path.join(top, "report", "report.pdf")))
        rc, v, _ = self.verify(bundle)
        self.assertEqual((rc, v["checks"]["seal"]), (0, "pass"), v)

    def test_incomplete_collection_is_sealed_as_incomplete(self):
        rec = self.path("rec")
        self.emu.set_faults([{"operation": "backupPolicies", "match": "rsv-fin-sox-plc", "kind": "500",
                              "times": -1}])
        try:
            rc, snap, log = live(self.emu, self.path("snapshot.json"), "--config", CONFIG, "--record", rec,
                                 *self.key("C"))
        finally:
            self.emu.set_faults([])
        self.assertEqual(rc, 4, log)  # nothing written without --allow-incomplete ...
        self.assertIsNone(snap)
        with open(os.path.join(rec, SEAL, "recording-seal.json")) as f:
            seal = json.load(f)  # ... but what was recorded is sealed, and says it is incomplete
        self.assertFalse(seal["capture"]["complete"])
        self.assertEqual(seal["capture"]["failed_calls"], 1)
        self.assertEqual([e["path"] for e in seal["files"]], sorted(responses(rec)))
        # packed, the incomplete collection is the evidence as sealed
        bundle, _ = self.pack(self.path("A"), "--replay", rec)
        rc, v, _ = self.verify(bundle)
        self.assertEqual((rc, v["checks"]["seal"]), (0, "pass"), v)

    def test_time_stamped_seal(self):
        rec = self.path("rec")
        tsa = Tsa(self.path("tsa"))
        try:
            env = dict(secret_env(self.emu.info), **NO_PROXY)
            rc, _, log = live(self.emu, self.path("snapshot.json"), "--config", CONFIG, "--record", rec,
                              "--tsa", tsa.url, *self.key("C"), env=env)
        finally:
            tsa.stop()
        self.assertEqual(rc, 0, log)
        seal_dir = os.path.join(rec, SEAL)
        # the .tsr stamps the signature's bytes: checkable with openssl and the TSA's CA
        r = sh("openssl", "ts", "-verify", "-in", os.path.join(seal_dir, "recording-seal.json.tsr"), "-data",
               os.path.join(seal_dir, "recording-seal.json.p7s"), "-CAfile", tsa.ca)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        bundle, _ = self.pack(self.path("A"), "--replay", rec)
        top = self.extract(bundle, self.path("x"))
        self.assertEqual(sha256(os.path.join(top, "seal", "recording-seal.json.tsr")),
                         sha256(os.path.join(seal_dir, "recording-seal.json.tsr")))
        rc, out, err = run(["verify", bundle, "--trust", self.trust, "--tsa-trust", tsa.ca, "--json"])
        v = json.loads(out)
        self.assertEqual((rc, v["checks"]["seal"]), (0, "pass"), v)
        # the TSA's chain is checked too: against the signers' CAs alone it fails
        rc, out, err = run(["verify", bundle, "--trust", self.trust, "--json"])
        v = json.loads(out)
        self.assertEqual((rc, v["checks"]["seal"]), (1, "fail"), v)
        self.assertTrue(any(p.startswith("seal/recording-seal.json.tsr") for p in v["problems"]), v["problems"])

    def test_failed_time_stamp_fails_and_leaves_no_seal(self):
        rec = self.path("rec")
        tsa = Tsa(self.path("tsa"), mode="http500")
        try:
            env = dict(secret_env(self.emu.info), **NO_PROXY)
            rc, snap, log = live(self.emu, self.path("snapshot.json"), "--config", CONFIG, "--record", rec,
                                 "--tsa", tsa.url, *self.key("C"), env=env)
        finally:
            tsa.stop()
        self.assertEqual(rc, 5, log)
        self.assertIn("sealing the recording", log)
        self.assertIsNone(snap)
        self.assertFalse(os.path.exists(os.path.join(rec, SEAL, "recording-seal.json.p7s")))
        self.assertFalse(os.path.exists(os.path.join(rec, SEAL, "recording-seal.json")))

    def cms_sign(self, content, out):
        r = sh("openssl", "cms", "-sign", "-binary", "-cades", "-md", "sha256", "-nosmimecap", "-outform", "DER",
               "-signer", self.path("P", "signer.pem"), "-inkey", self.path("P", "signer.key"), "-in", content,
               "-out", out)
        self.assertEqual(r.returncode, 0, r.stderr)

    def rebuilt(self, top, change, name):
        """The extracted bundle at top changed by change(root) and made consistent again as
        someone holding the pack key would: manifest and SHA256SUMS rehashed, both
        re-signed with P's key. Only the seal (C's key) can notice."""
        root = self.path(name, os.path.basename(top))
        shutil.copytree(top, root)
        change(root)
        with open(os.path.join(root, "manifest.json")) as f:
            manifest = json.load(f)
        for e in manifest["files"]:
            full = os.path.join(root, e["path"])
            e["size"], e["sha256"] = os.path.getsize(full), sha256(full)
        with open(os.path.join(root, "manifest.json"), "w") as f:
            json.dump(manifest, f, indent=2)
        # pack's order: the manifest's signature, then SHA256SUMS over everything else
        # (that signature included), then SHA256SUMS's own signature
        self.cms_sign(os.path.join(root, "manifest.json"), os.path.join(root, "manifest.json.p7s"))
        sums = []
        with open(os.path.join(root, "SHA256SUMS")) as f:
            for line in f:
                _, rel = line.rstrip("\n").split("  ", 1)
                sums.append("%s  %s\n" % (sha256(os.path.join(root, rel)), rel))
        with open(os.path.join(root, "SHA256SUMS"), "w") as f:
            f.writelines(sums)
        self.cms_sign(os.path.join(root, "SHA256SUMS"), os.path.join(root, "SHA256SUMS.p7s"))
        out = self.path(name + ".tar.gz")
        retar(self.path(name), out)
        return out

    def test_verify_catches_a_rebuilt_bundle(self):
        rec = self.path("rec")
        self.record(rec, *self.key("C"))
        bundle, _ = self.pack(self.path("A"), "--replay", rec)
        top = self.extract(bundle, self.path("x"))
        victim = sorted(p for p in responses(os.path.join(top, "raw")) if p.endswith("/vaults.json"))[0]

        def edit_raw(root):
            path = os.path.join(root, "raw", victim)
            with open(path, "rb") as f:
                body = f.read()
            with open(path, "wb") as f:
                f.write(body.replace(b'"Locked"', b'"Lockex"', 1))

        def edit_raw_and_seal(root):
            before = sha256(os.path.join(root, "raw", victim))
            edit_raw(root)
            doc = os.path.join(root, "seal", "recording-seal.json")
            with open(doc) as f:
                text = f.read()
            with open(doc, "w") as f:
                f.write(text.replace(before, sha256(os.path.join(root, "raw", victim))))

        # the control: rebuilt without a change, the bundle still verifies but for its encoding
        rc, v, _ = self.verify(self.rebuilt(top, lambda root: None, "same"))
        self.assertEqual((v["checks"]["signature"], v["checks"]["files"], v["checks"]["seal"]),
                         ("pass", "pass", "pass"), v)
        rc, v, _ = self.verify(self.rebuilt(top, edit_raw, "raw"))
        self.assertEqual(rc, 1)
        self.assertEqual((v["checks"]["signature"], v["checks"]["seal"]), ("pass", "fail"), v)
        self.assertIn("raw/%s: SHA-256 differs from seal/recording-seal.json: %s" % (victim, CHANGED), v["problems"])
        rc, v, _ = self.verify(self.rebuilt(top, edit_raw_and_seal, "seal"))
        self.assertEqual(rc, 1)
        self.assertEqual((v["checks"]["signature"], v["checks"]["seal"]), ("pass", "fail"), v)
        self.assertTrue(any(p.startswith("seal/recording-seal.json.p7s: the signature does not verify")
                            for p in v["problems"]), v["problems"])

        def forget_recording(root):  # a bundle as made before the "recording" member
            path = os.path.join(root, "manifest.json")
            with open(path) as f:
                manifest = json.load(f)
            del manifest["recording"]
            manifest["files"] = [e for e in manifest["files"] if not e["path"].startswith("seal/")]
            with open(path, "w") as f:
                json.dump(manifest, f, indent=2)
            shutil.rmtree(os.path.join(root, "seal"))
            with open(os.path.join(root, "SHA256SUMS")) as f:
                kept = [line for line in f if "  seal/" not in line]
            with open(os.path.join(root, "SHA256SUMS"), "w") as f:
                f.writelines(kept)

        old = self.rebuilt(top, forget_recording, "old")
        rc, v, _ = self.verify(old)
        self.assertEqual((v["checks"]["seal"], v["recording"]["sealed"]), ("skipped", None), v)
        self.assertTrue(any('no "recording" member' in n for n in v["notes"]), v)
        self.assertFalse(any("seal" in p for p in v["problems"]), v["problems"])
        rc, out, _ = run(["verify", old, "--trust", self.trust])
        self.assertRegex(out, r"\nnote: manifest.json has no \"recording\" member")


if __name__ == "__main__":
    main()
