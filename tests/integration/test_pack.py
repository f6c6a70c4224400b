"""vaultproof pack / verify: a signed, reproducible bundle that standard tools and
'vaultproof verify' both accept, and that verify rejects once anything is changed."""
import glob
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from vptest import generate, light_sample, PINNED, SAMPLE, TempDirTest, load, main, run  # noqa: E402

LATER = "2026-09-30T07:00:00Z"
TOP_FILES = ["README.txt", "SHA256SUMS", "SHA256SUMS.p7s", "certs/signer.pem", "config/vaultproof.json",
             "data/assessment-results.json", "data/findings.json", "data/snapshot.json", "manifest.json",
             "manifest.json.p7s", "report/report.pdf", "report/workbook.xlsx"]


def retar(src_dir, out_path, mtime=0):
    """A deterministic .tar.gz of src_dir (its single top folder), as an attacker would make."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for root, dirs, files in os.walk(src_dir):
            dirs.sort()
            for name in sorted(dirs) + sorted(files):
                full = os.path.join(root, name)
                info = tar.gettarinfo(full, arcname=os.path.relpath(full, src_dir))
                info.mtime, info.uid, info.gid, info.uname, info.gname = mtime, 0, 0, "", ""
                if info.isfile():
                    with open(full, "rb") as f:
                        tar.addfile(info, f)
                else:
                    tar.addfile(info)
    with open(out_path, "wb") as f:
        f.write(gzip.compress(buf.getvalue(), mtime=0))


class Pack(TempDirTest):
    def keygen(self, name="K"):
        out = self.path(name)
        rc, _, err = run(["keygen", "--out", out, "--now", PINNED])
        self.assertEqual(rc, 0, err)
        return out

    def pack(self, keys, archive, now=PINNED, period="2026-Q3", key=None, cert=None, expect=0, extra=(), raw=None):
        """Packs light_sample() (an empty quarter: quick) unless raw names a recording."""
        args = ["pack", "--config", os.path.join(SAMPLE, "vaultproof.json"), "--replay", raw or light_sample(),
                "--out", archive, "--key", key or os.path.join(keys, "signer.key"),
                "--cert", cert or os.path.join(keys, "signer.pem"), "--now", now]
        if period:
            args += ["--period", period]
        rc, out, err = run(args + list(extra))
        self.assertEqual(rc, expect, err)
        return out.splitlines()[0] if rc == 0 else None, out, err

    def verify(self, bundle, *extra):
        return run(["verify", bundle] + list(extra))

    def extract(self, bundle, dest):
        os.makedirs(dest)
        subprocess.run(["tar", "-xzf", bundle, "-C", dest], check=True)
        (top,) = os.listdir(dest)
        return os.path.join(dest, top)

    def test_pack_and_verify_with_standard_tools(self):
        keys = self.keygen()
        archive = self.path("archive")
        bundle, out, _ = self.pack(keys, archive)
        self.assertTrue(os.path.isfile(bundle))
        self.assertEqual(os.path.basename(bundle), "contoso-health-2026-q3-20260930T060000Z.tar.gz")
        self.assertRegex(out, r"(?m)^evidence result: FAIL \(\d+ failing findings\)$")
        listing = subprocess.run(["tar", "-tzf", bundle], capture_output=True, text=True, check=True).stdout.split()
        top = "contoso-health-2026-q3-20260930T060000Z/"
        self.assertTrue(all(n.startswith(top) for n in listing))
        names = {n[len(top):] for n in listing}
        for f in TOP_FILES:
            self.assertIn(f, names)
        self.assertTrue(any(n.startswith("raw/") and n.endswith(".json") for n in names))
        self.assertEqual(glob.glob(os.path.join(archive, ".staging-*")), [])

        root = self.extract(bundle, self.path("x"))
        s = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=root, capture_output=True, text=True)
        self.assertEqual(s.returncode, 0, s.stdout + s.stderr)
        self.assertIn("manifest.json: OK", s.stdout)
        # SHA256SUMS is written last: it covers the manifest's signature, and is signed itself
        self.assertIn("manifest.json.p7s: OK", s.stdout)
        self.assertNotIn("SHA256SUMS", s.stdout)
        for signed in ("manifest.json", "SHA256SUMS"):
            c = subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", signed + ".p7s",
                                "-content", signed, "-CAfile", os.path.join(keys, "ca.pem"), "-purpose", "any",
                                "-out", os.devnull], cwd=root, capture_output=True, text=True)
            self.assertEqual(c.returncode, 0, c.stderr)
        manifest = load(os.path.join(root, "manifest.json"))
        self.assertEqual(manifest["format"], "vaultproof-manifest/1")
        self.assertEqual(manifest["period"], "2026-Q3")
        self.assertIsNone(manifest["previous_bundle_sha256"])
        self.assertIn("complete", manifest["collection"])
        listed = [f["path"] for f in manifest["files"]]
        self.assertEqual(listed, sorted(listed))
        self.assertNotIn("manifest.json", listed)
        self.assertEqual(manifest["sums_signature"], "SHA256SUMS.p7s")
        self.assertIsNone(manifest["trust_anchor"])  # pack was not told the CA
        if shutil.which("pdfinfo"):
            self.assertEqual(subprocess.run(["pdfinfo", os.path.join(root, "report/report.pdf")],
                                            capture_output=True).returncode, 0)

        ledger = os.path.join(archive, "ledger.jsonl")
        rc, out, err = self.verify(bundle, "--trust", os.path.join(keys, "ca.pem"), "--ledger", ledger)
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(out.splitlines()[-1], "bundle: VERIFIED")
        rc, out, _ = self.verify(bundle, "--trust", os.path.join(keys, "ca.pem"), "--json")
        self.assertEqual(rc, 0)
        verdict = json.loads(out)
        self.assertTrue(verdict["verified"])
        self.assertEqual(verdict["checks"]["ledger"], "skipped")
        # without a trust anchor the signer is untrusted: a failed check
        rc, out, _ = self.verify(bundle)
        self.assertEqual(rc, 1)
        self.assertIn("--trust", out)

    def test_reproducible(self):
        keys = self.keygen()
        a, _, _ = self.pack(keys, self.path("a"))
        b, _, _ = self.pack(keys, self.path("b"))
        # ECDSA signatures are randomized: everything but the signatures (the .p7s, and the
        # PDF's /Contents - so also the manifest and SHA256SUMS that hash the PDF) is identical
        ra, rb = self.extract(a, self.path("xa")), self.extract(b, self.path("xb"))
        randomized = ("manifest.json.p7s", "report/report.pdf", "manifest.json", "SHA256SUMS", "SHA256SUMS.p7s")
        for f in TOP_FILES:
            if f not in randomized:
                with open(os.path.join(ra, f), "rb") as fa, open(os.path.join(rb, f), "rb") as fb:
                    self.assertEqual(fa.read(), fb.read(), f)
        with open(os.path.join(ra, "report/report.pdf"), "rb") as fa, \
                open(os.path.join(rb, "report/report.pdf"), "rb") as fb:
            pa, pb = fa.read(), fb.read()
        m = re.search(rb"/Contents <", pa[pa.rindex(b"/ByteRange"):])
        start = pa.rindex(b"/ByteRange") + m.end()
        end = pa.index(b">", start)
        self.assertEqual(len(pa), len(pb))
        self.assertEqual(pa[:start], pb[:start])
        self.assertEqual(pa[end:], pb[end:])
        self.assertNotEqual(pa[start:end], pb[start:end])
        # RSA PKCS#1 v1.5 is deterministic: byte-identical bundles (a signer that is not a
        # demo signer packs at a pinned clock only when asked for by name)
        key, cert = self.path("rsa.key"), self.path("rsa.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                        "-subj", "/CN=vaultproof test", "-days", "30"], check=True, capture_output=True)
        os.chmod(key, 0o600)
        c, _, _ = self.pack(None, self.path("c"), key=key, cert=cert, extra=["--reproducible"])
        d, _, _ = self.pack(None, self.path("d"), key=key, cert=cert, extra=["--reproducible"])
        with open(c, "rb") as fc, open(d, "rb") as fd:
            self.assertEqual(fc.read(), fd.read())

    def test_second_pack_uses_baseline_and_chains_ledger(self):
        keys = self.keygen()
        archive = self.path("archive")
        first, _, _ = self.pack(keys, archive)
        self.assertEqual(len(glob.glob(os.path.join(archive, "snapshots", "2026-Q3", "*.json"))), 1)
        second, out, _ = self.pack(keys, archive, now=LATER)
        self.assertIn("baselines: 1", out)
        root = self.extract(second, self.path("x"))
        self.assertEqual(len(load(os.path.join(root, "data", "findings.json"))["baselines"]), 1)
        manifest = load(os.path.join(root, "manifest.json"))
        with open(first, "rb") as f:
            import hashlib
            self.assertEqual(manifest["previous_bundle_sha256"], hashlib.sha256(f.read()).hexdigest())
        ledger = os.path.join(archive, "ledger.jsonl")
        with open(ledger) as f:
            lines = [json.loads(line) for line in f]
        self.assertEqual([e["seq"] for e in lines], [1, 2])
        self.assertEqual(lines[1]["prev"], lines[1]["prev"].lower())
        self.assertNotEqual(lines[1]["prev"], "0" * 64)
        for b in (first, second):
            rc, out, err = self.verify(b, "--trust", os.path.join(keys, "ca.pem"), "--ledger", ledger)
            self.assertEqual(rc, 0, out + err)
        # an edited ledger line fails --ledger
        with open(ledger) as f:
            text = f.read()
        with open(ledger, "w") as f:
            f.write(text.replace('"result":"', '"result":"x', 1))
        rc, out, _ = self.verify(first, "--trust", os.path.join(keys, "ca.pem"), "--ledger", ledger)
        self.assertEqual(rc, 1)
        self.assertIn("ledger", out)

    def test_a_kept_snapshot_cut_short_stops_the_next_pack(self):
        """The baselines are loaded while the new snapshot is being written on a second
        thread: a failure there still stops the pack cleanly, naming the file, with no
        bundle, no staging folder and the ledger unchanged."""
        keys = self.keygen()
        archive = self.path("archive")
        self.pack(keys, archive)
        (kept,) = glob.glob(os.path.join(archive, "snapshots", "2026-Q3", "*.json"))
        with open(kept, "r+b") as f:
            f.truncate(os.path.getsize(kept) // 2)
        before = sorted(os.listdir(archive))
        _, _, err = self.pack(keys, archive, now=LATER, expect=3)
        self.assertIn(os.path.basename(kept), err)
        self.assertEqual(sorted(os.listdir(archive)), before)
        with open(os.path.join(archive, "ledger.jsonl")) as f:
            self.assertEqual(len(f.readlines()), 1)

    def test_tampering_is_detected(self):
        keys = self.keygen()
        archive = self.path("archive")
        bundle, _, _ = self.pack(keys, archive)
        ca, ledger = os.path.join(keys, "ca.pem"), os.path.join(archive, "ledger.jsonl")
        with open(bundle, "rb") as f:
            data = f.read()
        for pos in (20, len(data) // 3, len(data) // 2, len(data) - 6):
            bad = self.path("flip-%d.tar.gz" % pos)
            with open(bad, "wb") as f:
                f.write(data[:pos] + bytes([data[pos] ^ 0x01]) + data[pos + 1:])
            rc, out, err = self.verify(bad, "--trust", ca, "--ledger", ledger)
            self.assertEqual(rc, 1, "flip at %d: %s%s" % (pos, out, err))

        x = self.path("x")
        root = self.extract(bundle, x)
        with open(os.path.join(root, "data", "findings.json"), "r+b") as f:
            f.seek(100)
            c = f.read(1)
            f.seek(100)
            f.write(b"X" if c != b"X" else b"Y")
        modified = self.path("modified.tar.gz")
        retar(x, modified)
        rc, out, _ = self.verify(modified, "--trust", ca)
        self.assertEqual(rc, 1)
        self.assertIn("data/findings.json", out)

        y = self.path("y")
        root = self.extract(bundle, y)
        with open(os.path.join(root, "data", "extra.json"), "w") as f:
            f.write("{}")
        extra = self.path("extra.tar.gz")
        retar(y, extra)
        rc, out, _ = self.verify(extra, "--trust", ca)
        self.assertEqual(rc, 1)
        self.assertIn("data/extra.json", out)

    def test_other_signer_is_untrusted(self):
        keys, other = self.keygen("K"), self.keygen("K2")
        bundle, _, _ = self.pack(other, self.path("archive"))
        rc, out, _ = self.verify(bundle, "--trust", os.path.join(keys, "ca.pem"))
        self.assertEqual(rc, 1)
        self.assertIn("trust", out)

    def test_key_readable_by_others_is_refused(self):
        keys = self.keygen()
        os.chmod(os.path.join(keys, "signer.key"), 0o644)
        archive = self.path("archive")
        _, _, err = self.pack(keys, archive, expect=3)
        self.assertIn("chmod 600", err)
        self.assertEqual(glob.glob(os.path.join(archive, "*.tar.gz")), [])
        self.assertFalse(os.path.exists(archive) and os.listdir(archive))

    def test_unsafe_archive_is_refused(self):
        inner = self.path("inner")
        os.makedirs(inner)
        evil = os.path.join(inner, "evil.tar.gz")
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
            info = tarfile.TarInfo("../x")
            info.size = 2
            tar.addfile(info, io.BytesIO(b"hi"))
        with open(evil, "wb") as f:
            f.write(gzip.compress(buf.getvalue(), mtime=0))
        tmp = self.path("t", "tmp")  # verify extracts below $TMPDIR; "../x" would land in t/x
        os.makedirs(tmp)
        rc, out, _ = run(["verify", evil], env={"TMPDIR": tmp})
        self.assertEqual(rc, 1)
        self.assertIn("archive", out)
        self.assertEqual(os.listdir(tmp), [])
        self.assertEqual(os.listdir(self.path("t")), ["tmp"])
        self.assertFalse(os.path.exists(self.path("x")))
        self.assertEqual(sorted(os.listdir(inner)), ["evil.tar.gz"])

    def test_raw_holds_exactly_what_the_snapshot_was_built_from(self):
        """The bundle's raw/ is the copy the snapshot is read from: the replay reader's
        files (*.json, nothing hidden) and nothing else, and the snapshot names it as it
        sits in the bundle ("raw"), not the directory the user gave (issue 14: re-performance
        from the bundle alone)."""
        keys = self.keygen()
        replay = self.path("replay")
        shutil.copytree(light_sample(), replay)  # which files, not their jobs, matter here
        os.makedirs(os.path.join(replay, ".cache"))
        with open(os.path.join(replay, ".cache", "stale.json"), "w") as f:
            f.write('{"value": []}')
        with open(os.path.join(replay, ".hidden.json"), "w") as f:
            f.write("{")  # would be invalid input, were it read
        with open(os.path.join(replay, "notes.txt"), "w") as f:
            f.write("not a response")
        args = ["pack", "--config", os.path.join(SAMPLE, "vaultproof.json"), "--replay", replay, "--out",
                self.path("archive"), "--key", os.path.join(keys, "signer.key"), "--cert",
                os.path.join(keys, "signer.pem"), "--now", PINNED, "--period", "2026-Q3"]
        rc, out, err = run(args)
        self.assertEqual(rc, 0, err)
        root = self.extract(out.splitlines()[0], self.path("x"))
        packed = sorted(os.path.relpath(os.path.join(d, f), os.path.join(root, "raw"))
                        for d, _, fs in os.walk(os.path.join(root, "raw")) for f in fs)
        expected = sorted(os.path.relpath(os.path.join(d, f), light_sample())
                          for d, _, fs in os.walk(light_sample()) for f in fs if f.endswith(".json"))
        self.assertGreater(len(expected), 100)
        self.assertEqual(packed, expected)
        self.assertEqual(load(os.path.join(root, "data", "snapshot.json"))["collection"]["input"], "raw")

    def test_usage(self):
        rc, _, err = run(["pack"])
        self.assertEqual(rc, 2)
        rc, _, err = run(["verify"])
        self.assertEqual(rc, 2)
        self.assertIn("BUNDLE", err)

    def test_replay_that_is_not_a_directory_is_an_input_error(self):
        """Exit 3 as for collect (the man page: an input that does not exist), naming the
        path; nothing is written to the archive."""
        keys = self.keygen()
        a_file = self.path("a-file")
        with open(a_file, "w") as f:
            f.write("{}")
        for raw in (self.path("missing"), a_file):
            archive = self.path("archive-" + os.path.basename(raw))
            _, _, err = self.pack(keys, archive, raw=raw, expect=3)
            self.assertIn(raw + ": not a directory; expected a replay directory", err)
            self.assertFalse(os.path.exists(os.path.join(archive, "ledger.jsonl")), os.listdir(archive)
                             if os.path.isdir(archive) else archive)
            rc, _, err = run(["collect", "--config", os.path.join(SAMPLE, "vaultproof.json"), "--replay", raw,
                              "--out", self.path("snap.json")])
            self.assertEqual(rc, 3, err)


    def fingerprint(self, pem):
        out = subprocess.run(["openssl", "x509", "-in", pem, "-noout", "-fingerprint", "-sha256"],
                             capture_output=True, text=True, check=True).stdout.strip()
        self.assertTrue(out.startswith("sha256 Fingerprint="), out)
        return out.split("=", 1)[1]

    def test_trust_anchor(self):
        """--ca names the CA auditors should trust, by the fingerprint openssl prints; a CA
        that did not issue the signer is refused before anything is written."""
        keys, other = self.keygen("K"), self.keygen("O")
        ca = os.path.join(keys, "ca.pem")
        bundle, _, err = self.pack(keys, self.path("a"), extra=("--ca", ca))
        self.assertNotIn("warning", err)
        root = self.extract(bundle, self.path("xa"))
        anchor = load(os.path.join(root, "manifest.json"))["trust_anchor"]
        self.assertEqual(anchor["sha256_fingerprint"], self.fingerprint(ca))
        self.assertIn("CN=vaultproof demo CA (NOT FOR PRODUCTION)", anchor["subject"])
        with open(os.path.join(root, "README.txt")) as f:
            readme = f.read()
        self.assertIn("\n$ openssl x509 -in ca.pem -noout -fingerprint -sha256\n  -> sha256 Fingerprint=%s\n"
                      % anchor["sha256_fingerprint"], readme)
        self.assertIn(anchor["subject"], readme)
        # the self-signed end of --chain is the anchor when --ca is not given
        bundle, _, err = self.pack(keys, self.path("b"), extra=("--chain", ca))
        self.assertNotIn("warning", err)
        root = self.extract(bundle, self.path("xb"))
        self.assertEqual(load(os.path.join(root, "manifest.json"))["trust_anchor"], anchor)
        # without any: a warning, and README.txt says where the fingerprint must come from
        bundle, _, err = self.pack(keys, self.path("c"))
        self.assertIn("pack: warning: no CA given", err)
        root = self.extract(bundle, self.path("xc"))
        with open(os.path.join(root, "README.txt")) as f:
            readme = f.read()
        self.assertIn("from the signer's organization", readme)
        self.assertNotIn("  -> sha256 Fingerprint=", readme)
        # another CA did not issue this signer: exit 5 naming both, nothing published
        _, _, err = self.pack(keys, self.path("d"), expect=5, extra=("--ca", os.path.join(other, "ca.pem")))
        self.assertIn("did not issue the signer", err)
        self.assertIn("demo CA", err)
        self.assertIn("demo signer", err)
        self.assertEqual(glob.glob(os.path.join(self.path("d"), "*.tar.gz")), [])

    def resigned(self, keys, bundle, out_name, edit_manifest, drop=()):
        """The bundle as a pack before SHA256SUMS.p7s would have written it (no
        "sums_signature", SHA256SUMS not covering manifest.json.p7s), its manifest changed
        by edit_manifest and the files in drop left out, signed again with keys."""
        import vpbundle
        with open(bundle, "rb") as f:
            tar = gzip.decompress(f.read())
        entries = vpbundle.members(tar)
        top = entries[0][0].rstrip("/")
        content = {name[len(top) + 1:]: tar[data:data + size] for name, _, data, size in entries}
        manifest = json.loads(content["manifest.json"])
        del manifest["sums_signature"], manifest["trust_anchor"]
        edit_manifest(manifest)
        manifest["files"] = [e for e in manifest["files"] if e["path"] not in drop]
        new = {"manifest.json": (json.dumps(manifest, indent=2) + "\n").encode()}
        with open(self.path("m.json"), "wb") as f:
            f.write(new["manifest.json"])
        subprocess.run(["openssl", "cms", "-sign", "-binary", "-cades", "-md", "sha256", "-nosmimecap", "-outform",
                        "DER", "-signer", os.path.join(keys, "signer.pem"), "-inkey", os.path.join(keys, "signer.key"),
                        "-in", self.path("m.json"), "-out", self.path("m.p7s")], check=True)
        with open(self.path("m.p7s"), "rb") as f:
            new["manifest.json.p7s"] = f.read()
        lines = content["SHA256SUMS"].decode().splitlines()
        new["SHA256SUMS"] = "".join(
            "%s  %s\n" % (hashlib.sha256(new.get(rel, content[rel])).hexdigest(), rel)
            for rel in (ln.split("  ", 1)[1] for ln in lines) if rel not in ("manifest.json.p7s", ) + tuple(drop)
        ).encode()
        out = bytearray()
        for name, head, data, size in entries:
            rel = name[len(top) + 1:]
            if rel == "SHA256SUMS.p7s" or rel in drop:
                continue
            h = bytearray(tar[head:head + vpbundle.BLOCK])
            body = new.get(rel, tar[data:data + size])
            h[124:136] = vpbundle.octal(len(body), 12)
            vpbundle.fix_checksum(h)
            out += h + body + bytes((-len(body)) % vpbundle.BLOCK)
        older = self.path(out_name)
        with open(older, "wb") as f:
            f.write(vpbundle.pgzip(vpbundle.tar_end(bytes(out))))
        return older

    def test_older_bundle_without_sums_signature_verifies_with_a_note(self):
        """A bundle made before SHA256SUMS.p7s (no "sums_signature" in its manifest, SHA256SUMS
        not covering manifest.json.p7s) still verifies, and verify says what it is."""
        keys = self.keygen()
        bundle, _, _ = self.pack(keys, self.path("a"))
        older = self.resigned(keys, bundle, "older.tar.gz", lambda m: None)
        rc, out, _ = self.verify(older, "--trust", os.path.join(keys, "ca.pem"))
        self.assertEqual(rc, 0, out)
        self.assertRegex(out, r"\n  sums-signature\s+skipped\n")
        self.assertIn("note: manifest.json names no sums_signature", out)
        self.assertEqual(out.splitlines()[-1], "bundle: VERIFIED")
        # the bundle as pack wrote it: no note, SHA256SUMS.p7s checked
        rc, out, _ = self.verify(bundle, "--trust", os.path.join(keys, "ca.pem"))
        self.assertEqual(rc, 0, out)
        self.assertNotIn("note:", out)
        self.assertRegex(out, r"\n  sums-signature\s+ok\n")

    def test_period_members(self):
        """pack --period: manifest period_window and data/jobs.jsonl (the period's jobs);
        verify holds them together - a window without the stream, or the stream without a
        window, fails the manifest check even when signed."""
        keys = self.keygen()
        ca = os.path.join(keys, "ca.pem")
        bundle, _, _ = self.pack(keys, self.path("a"))
        root = self.extract(bundle, self.path("x"))
        manifest = load(os.path.join(root, "manifest.json"))
        self.assertEqual(manifest["period_window"], {"from": "2026-07-01T00:00:00Z", "to": "2026-10-01T00:00:00Z"})
        self.assertIn("data/jobs.jsonl", [f["path"] for f in manifest["files"]])
        snap = load(os.path.join(root, "data", "snapshot.json"))["collection"]
        self.assertEqual(snap["period"], {"label": "2026-Q3", "from": "2026-07-01T00:00:00Z",
                                          "to": "2026-10-01T00:00:00Z"})
        self.assertTrue(snap["complete"])
        self.assertEqual(snap["jobs"]["file"], "data/jobs.jsonl")
        rc, out, _ = self.verify(bundle, "--trust", ca)
        self.assertEqual(rc, 0, out)
        no_window = self.resigned(keys, bundle, "no-window.tar.gz", lambda m: m.pop("period_window"))
        rc, out, _ = self.verify(no_window, "--trust", ca)
        self.assertEqual(rc, 1, out)
        self.assertIn("lists data/jobs.jsonl but has no period_window", out)
        no_jobs = self.resigned(keys, bundle, "no-jobs.tar.gz", lambda m: None, drop=("data/jobs.jsonl",))
        rc, out, _ = self.verify(no_jobs, "--trust", ca)
        self.assertEqual(rc, 1, out)
        self.assertIn("but data/jobs.jsonl is not listed", out)
        # without a period (--request-id only) neither the window nor the stream
        bundle, _, _ = self.pack(keys, self.path("b"), period=None, extra=["--request-id", "AUD-1"])
        root = self.extract(bundle, self.path("y"))
        self.assertNotIn("period_window", load(os.path.join(root, "manifest.json")))
        self.assertEqual(sorted(os.listdir(os.path.join(root, "data"))),
                         ["assessment-results.json", "findings.json", "snapshot.json"])
        rc, out, _ = self.verify(bundle, "--trust", ca)
        self.assertEqual(rc, 0, out)

    def test_jobs_csv(self):
        """data/jobs.csv: one row per job line of data/jobs.jsonl, header first, RFC 4180 (a
        generated quarter of nightly jobs, about 800; the sample's own 39k take several
        times longer for the same check, and test_sample packs them)."""
        import csv
        keys = self.keygen()
        raw = self.path("gen")
        generate(raw, "scale", "--items", "10", "--vaults", "1", "--subscriptions", "1", "--jobs-period", "2026-Q3")
        bundle, _, _ = self.pack(keys, self.path("a"), raw=raw)
        root = self.extract(bundle, self.path("x"))
        with open(os.path.join(root, "data", "jobs.jsonl"), encoding="utf-8") as f:
            jobs = [json.loads(line) for line in f if '"detail_of"' not in line]
        with open(os.path.join(root, "data", "jobs.csv"), encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        self.assertEqual(rows[0][:3], ["vault", "item", "kind"])
        self.assertEqual(len(rows) - 1, len(jobs))
        self.assertGreater(len(jobs), 500)
        self.assertEqual([r[12] for r in rows[1:]], [j["id"] for j in jobs])
        self.assertIn("data/jobs.csv", [e["path"] for e in load(os.path.join(root, "manifest.json"))["files"]])


if __name__ == "__main__":
    main()
