"""pack collecting live from the ARM emulator: the bundle's raw/ is the recording itself,
the snapshot says it was collected live and by whom, replaying raw/ gives the same
snapshot, verify accepts the bundle, and no secret or token is anywhere in it."""
import json
import os
import re
import sys
import tarfile

sys.path.insert(0, os.path.dirname(__file__))
from vptest import light_sample, PINNED, SAMPLE, SOURCE, TempDirTest, main, run  # noqa: E402

sys.path.insert(0, os.path.join(SOURCE, "tests", "emulator"))
from arm_emulator import Emulator  # noqa: E402
from test_live_collect import secret_env  # noqa: E402


class PackLive(TempDirTest):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator(light_sample(), page_size=50)
        cls.emu.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.emu.__exit__(None, None, None)

    def setUp(self):
        super().setUp()
        rc, _, err = run(["keygen", "--out", self.path("K"), "--now", PINNED])
        self.assertEqual(rc, 0, err)

    def pack(self, archive, *extra, env=None, expect=0):
        args = ["pack", "--config", os.path.join(SAMPLE, "vaultproof.json"), "--period", "2026-Q3", "--out",
                archive, "--key", self.path("K", "signer.key"), "--cert", self.path("K", "signer.pem"),
                "--now", PINNED] + list(extra)
        rc, out, err = run(args, env=env, timeout=300)
        self.assertEqual(rc, expect, err)
        return (out.splitlines()[0] if rc == 0 else None), out + err

    def live_args(self):
        info = self.emu.info
        return ["--arm-endpoint", info["arm"], "--authority-host", info["authority"], "--ca-bundle", info["ca"]]

    def members(self, bundle):
        with tarfile.open(bundle, "r:gz") as tar:
            return {m.name.split("/", 1)[1]: tar.extractfile(m).read() for m in tar.getmembers()
                    if m.isfile()}

    def test_live_pack_records_into_the_bundle_and_replays_identically(self):
        info = self.emu.info
        bundle, log = self.pack(self.path("live"), *self.live_args(), env=secret_env(info))
        rc, out, err = run(["verify", bundle, "--trust", self.path("K", "ca.pem")])
        self.assertEqual(rc, 0, out + err)
        files = self.members(bundle)
        snap = json.loads(files["data/snapshot.json"])
        col = snap["collection"]
        self.assertEqual(col["source"], "live")
        self.assertEqual(col["input"], info["arm"])
        self.assertEqual(col["principal"], info["client_id"])
        self.assertTrue(col["complete"], col)
        sidecars = [name for name in files if name.startswith("raw/") and name.endswith(".meta.json")]
        self.assertGreater(len(sidecars), 20)
        self.assertTrue(all(json.loads(files[s])["collector"] == "vaultproof-live" for s in sidecars))
        # every vault, policy, item and VM of the estate, as a replay of it sees them
        rc, ref, err = run(["collect", "--replay", light_sample(), "--now", PINNED, "--out", "-",
                            "--quiet"])
        self.assertEqual(rc, 0, err)
        ref = json.loads(ref)
        for population in ("vaults", "policies", "protected_items", "virtual_machines"):
            self.assertGreater(len(snap[population]), 0, population)
            self.assertEqual(sorted(e["id"].lower() for e in snap[population]),
                             sorted(e["id"].lower() for e in ref[population]), population)
        # replaying the bundle's raw/ in another pack gives the same snapshot, byte for byte
        raw = self.path("raw")
        with tarfile.open(bundle, "r:gz") as tar:
            top = tar.getmembers()[0].name.split("/")[0]
            for m in tar.getmembers():
                if m.isfile() and m.name.startswith(top + "/raw/"):
                    dest = os.path.join(raw, m.name[len(top) + 5:])
                    os.makedirs(os.path.dirname(dest), exist_ok=True)
                    with open(dest, "wb") as f:
                        f.write(tar.extractfile(m).read())
        replayed, _ = self.pack(self.path("replayed"), "--replay", raw)
        self.assertEqual(self.members(replayed)["data/snapshot.json"], files["data/snapshot.json"])
        # no secret and no bearer token anywhere in the bundle or the output
        blob = b"".join(files.values()) + log.encode()
        self.assertNotIn(info["client_secret"].encode(), blob)
        self.assertNotIn(b"Bearer ", blob)
        # no JWT: its header and payload are base64url JSON, "eyJ..." each, joined by a dot
        # (three bytes "eyJ" alone turn up by chance in a megabyte of compressed members)
        self.assertIsNone(re.search(rb"eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}", blob))

    def test_live_pack_without_credentials_publishes_nothing(self):
        env = {k: "" for k in secret_env(self.emu.info)}
        env["VAULTPROOF_IMDS_ENDPOINT"] = "http://127.0.0.1:9"
        _, log = self.pack(self.path("none"), *self.live_args(), env=env, expect=4)
        self.assertIn("AZURE_CLIENT_SECRET", log)
        leftovers = [n for n in os.listdir(self.path("none")) if not n.startswith(".pack.lock")]
        self.assertEqual(leftovers, [], "nothing is published when live collection cannot start")

    def test_live_options_are_refused_with_replay(self):
        _, log = self.pack(self.path("mixed"), "--replay", light_sample(), "--token-file", "t.json",
                           expect=2)
        self.assertIn("cannot be combined with --replay", log)


if __name__ == "__main__":
    main()
