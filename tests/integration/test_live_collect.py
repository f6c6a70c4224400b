"""Live collection against the ARM emulator (tests/emulator/) over real TLS on loopback:
paging, minimal request count, bounded concurrency, record-then-replay identity, every
fault kind either recovered or reported as incomplete (exit 4, nothing written), and no
secret anywhere. Auth flows are in test_live_auth.py."""
import filecmp
import json
import math
import os
import sys
import time
import urllib.parse
import urllib.request
from email.utils import formatdate

sys.path.insert(0, os.path.dirname(__file__))
from vptest import GENERATOR, PINNED, SAMPLE, SOURCE, TempDirTest, load, main, raw_resources, run  # noqa: E402,F401

sys.path.insert(0, os.path.join(SOURCE, "tests", "emulator"))
from arm_emulator import Emulator  # noqa: E402

SAMPLE_RAW = os.path.join(SAMPLE, "raw")
ITEM_T = "microsoft.recoveryservices/vaults/backupfabrics/protectioncontainers/protecteditems"
POLICY_T = "microsoft.recoveryservices/vaults/backuppolicies"
GUARD_T = "microsoft.recoveryservices/vaults/backupresourceguardproxies"
VAULT_T = "microsoft.recoveryservices/vaults"
VM_TYPES = ("microsoft.compute/virtualmachines", "microsoft.classiccompute/virtualmachines")
# every credential variable the collector reads, blanked so the host's own never leak in
CREDENTIAL_VARS = ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH",
                   "AZURE_CLIENT_CERTIFICATE_PASSWORD", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST",
                   "IDENTITY_ENDPOINT", "IDENTITY_HEADER", "VAULTPROOF_IMDS_ENDPOINT",
                   "AZURE_POD_IDENTITY_AUTHORITY_HOST")


def secret_env(info):
    env = {k: "" for k in CREDENTIAL_VARS}
    env.update(AZURE_TENANT_ID=info["tenant"], AZURE_CLIENT_ID=info["client_id"],
               AZURE_CLIENT_SECRET=info["client_secret"])
    return env


def live(emu, out, *extra, env=None):
    """Runs a live collect against emu; returns (rc, snapshot dict or None, stdout+stderr)."""
    info = emu.info
    args = ["collect", "--arm-endpoint", info["arm"], "--authority-host", info["authority"], "--ca-bundle",
            info["ca"], "--now", PINNED, "--out", out] + list(extra)
    rc, stdout, err = run(args, env=env if env is not None else secret_env(info), timeout=240)
    return rc, (load(out) if os.path.exists(out) else None), stdout + err


def expected_requests(raw_dir, page):
    """The minimum number of list pages an estate needs, computed from the raw files."""
    res = raw_resources(raw_dir)
    subs, vaults, vms, per_vault = set(), {}, {}, {}
    for r in res:
        rid, t = r.get("id", ""), r.get("type", "").lower()
        parts = rid.split("/")
        if not t and r.get("subscriptionId"):
            subs.add(r["subscriptionId"].lower())
        elif t == VAULT_T:
            vaults.setdefault(parts[2].lower(), set()).add(rid.lower())
        elif t in VM_TYPES:
            vms[parts[2].lower()] = vms.get(parts[2].lower(), 0) + 1
        elif t in (ITEM_T, POLICY_T, GUARD_T):
            vault = "/".join(parts[:9]).lower()
            key = (vault, t)
            per_vault[key] = per_vault.get(key, 0) + 1

    def pages(n):
        return max(1, math.ceil(n / page))

    total = pages(len(subs))
    for s in subs:
        total += pages(len(vaults.get(s, ()))) + pages(vms.get(s, 0))
        for v in vaults.get(s, ()):
            total += 2  # backupconfig, backupstorageconfig: single resources
            total += sum(pages(per_vault.get((v, t), 0)) for t in (ITEM_T, POLICY_T, GUARD_T))
    return total


def item_ids(snapshot):
    return sorted(i["id"].lower() for i in snapshot["protected_items"])


class LiveSample(TempDirTest):
    """The Contoso sample served with 7 items a page: many pages, real paging."""

    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator(SAMPLE_RAW, page_size=7).start()

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()

    def setUp(self):
        super().setUp()
        self.emu.set_faults([])

    def test_paging_minimal_requests_and_record_replay_identity(self):
        before = self.emu.stats()
        rec = self.path("rec")
        rc, snap, log = live(self.emu, self.path("live.json"), "--record", rec, "--concurrency", "3")
        self.assertEqual(rc, 0, log)
        after = self.emu.stats()
        # exactly the pages the estate needs: no per-item GETs, nothing fetched twice
        self.assertEqual(after["requests"] - before["requests"], expected_requests(SAMPLE_RAW, 7))
        self.assertEqual(snap["collection"]["request_count"], expected_requests(SAMPLE_RAW, 7))
        self.assertEqual(snap["collection"]["retry_count"], 0)
        self.assertTrue(snap["collection"]["complete"])
        self.assertEqual(snap["collection"]["source"], "live")
        self.assertEqual(snap["collection"]["input"], self.emu.info["arm"])
        self.assertEqual(snap["collection"]["principal"], self.emu.info["client_id"])
        raw_items = sorted(r["id"].lower() for r in raw_resources(SAMPLE_RAW) if r.get("type", "").lower() == ITEM_T)
        self.assertEqual(item_ids(snap), raw_items)
        paged = [l for l in snap["collection"]["lists"] if l["pages"] > 1]
        self.assertTrue(any(l["operation"] == "backupProtectedItems" for l in paged))
        self.assertTrue(any(l["operation"] == "virtualMachines" for l in paged))
        # the same entities as the offline replay of the sample itself
        rc, stdout, err = run(["collect", "--replay", SAMPLE_RAW, "--now", PINNED, "--out", self.path("s.json")])
        self.assertEqual(rc, 0, err)
        offline = load(self.path("s.json"))
        for kind in ("vaults", "policies", "virtual_machines", "subscriptions"):
            self.assertEqual(sorted(e["id"].lower() for e in snap[kind]),
                             sorted(e["id"].lower() for e in offline[kind]), kind)
        # replaying the recording gives the very same bytes
        rc, stdout, err = run(["collect", "--replay", rec, "--now", PINNED, "--out", self.path("replay.json")])
        self.assertEqual(rc, 0, err)
        self.assertTrue(filecmp.cmp(self.path("live.json"), self.path("replay.json"), shallow=False))
        # a sidecar per body, URLs without anything but the kept query parameters
        bodies = sidecars = 0
        for root, _dirs, files in os.walk(rec):
            for name in files:
                if name.endswith(".meta.json"):
                    sidecars += 1
                    doc = load(os.path.join(root, name))
                    query = urllib.parse.urlparse(doc["url"]).query
                    keys = {k for k, _v in urllib.parse.parse_qsl(query)}
                    self.assertTrue(keys <= {"api-version", "$skipToken", "$filter", "$top"}, doc["url"])
                    self.assertIsNotNone(doc["headers"]["x-ms-request-id"])
                else:
                    bodies += 1
        self.assertEqual(bodies, sidecars)
        self.assertEqual(sidecars, expected_requests(SAMPLE_RAW, 7))

    def test_concurrency_is_bounded_and_used(self):
        slow = Emulator(SAMPLE_RAW, page_size=7, latency_ms=40).start()
        try:
            rc, snap, log = live(slow, self.path("s.json"), "--concurrency", "4")
            self.assertEqual(rc, 0, log)
            stats = slow.stats()
            self.assertLessEqual(stats["max_in_flight"], 4)
            self.assertGreaterEqual(stats["max_in_flight"], 3)  # parallel across vaults, not one by one
        finally:
            slow.stop()

    def test_progress_only_on_a_terminal(self):
        import pty
        import subprocess
        from vptest import BINARY
        info = self.emu.info
        args = [BINARY, "collect", "--arm-endpoint", info["arm"], "--authority-host", info["authority"],
                "--ca-bundle", info["ca"], "--out", self.path("s.json")]
        env = dict(os.environ)
        env.update(secret_env(info))
        master, slave = pty.openpty()
        p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=slave, env=env)
        os.close(slave)
        seen = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        os.close(master)
        self.assertEqual(p.wait(timeout=60), 0, seen)
        text = seen.decode("utf-8", "replace")
        self.assertIn("\rcollect: ", text)
        self.assertRegex(text, r"collect: \d+ requests, \d+ in flight, \d+ retried, \d+ queued, \d+ items")
        # on a pipe (and with --quiet) there is none
        rc, snap, log = live(self.emu, self.path("t.json"))
        self.assertEqual(rc, 0, log)
        self.assertNotIn("\r", log)

    def test_config_api_versions_and_concurrency(self):
        cfg = self.path("vaultproof.json")
        with open(cfg, "w", encoding="utf-8") as f:
            json.dump({"live": {"cloud": "AzureCloud", "concurrency": 2,
                                "api_versions": {"backup": "2025-02-01", "vaults": "2025-08-01"}}}, f)
        rc, snap, log = live(self.emu, self.path("s.json"), "--config", cfg)
        self.assertEqual(rc, 0, log)
        stats = self.emu.stats()
        self.assertIn("2025-02-01", stats["api_versions"]["backupPolicies"])
        self.assertIn("2025-08-01", stats["api_versions"]["vaults"])
        self.assertIn("backupProtectedItems=2025-02-01", snap["collection"]["api_versions"])
        with open(cfg, "w", encoding="utf-8") as f:
            json.dump({"live": {"cloud": "AzureMoon"}}, f)
        rc, snap, log = live(self.emu, self.path("t.json"), "--config", cfg)
        self.assertEqual(rc, 3, log)
        self.assertIn("/live/cloud", log)

    def test_nextlink_loop_is_incomplete_and_writes_nothing(self):
        self.emu.set_faults([{"operation": "backupProtectedItems", "match": "rsv-epic-immutable-wus3",
                              "kind": "nextlink-loop", "times": -1}])
        out = self.path("s.json")
        rc, snap, log = live(self.emu, out)
        self.assertEqual(rc, 4, log)
        self.assertIsNone(snap)
        self.assertIn("nextLink loop", log)
        rc, snap, log = live(self.emu, out, "--allow-incomplete")
        self.assertEqual(rc, 4, log)
        self.assertFalse(snap["collection"]["complete"])
        bad = [l for l in snap["collection"]["lists"] if l["status"] != "complete"]
        self.assertEqual(len(bad), 1, bad)
        self.assertEqual(bad[0]["operation"], "backupProtectedItems")
        self.assertIn("rsv-epic-immutable-wus3", bad[0]["scope"])
        self.assertIn("nextLink loop", bad[0]["detail"])
        vault = [v for v in snap["vaults"] if v["name"] == "rsv-epic-immutable-wus3"][0]
        self.assertNotEqual(json.dumps(vault).find("incomplete"), -1)


class LiveFaults(TempDirTest):
    """Each fault kind once: recovered by retrying (or refreshing), the snapshot unchanged."""

    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator(SAMPLE_RAW).start()
        out = os.path.join(cls.emu.state_dir, "baseline.json")
        rc, snap, log = live(cls.emu, out)
        if rc != 0:
            cls.emu.stop()
            raise AssertionError(log)
        cls.baseline = snap

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()

    def recovered(self, rule, retried=True):
        self.emu.set_faults([rule])
        before = self.emu.stats()
        rc, snap, log = live(self.emu, self.path("s.json"))
        after = self.emu.stats()
        self.assertEqual(rc, 0, log)
        self.assertGreaterEqual(after["faults_fired"] - before["faults_fired"], 1, rule)
        self.assertEqual(item_ids(snap), item_ids(self.baseline))
        self.assertTrue(snap["collection"]["complete"])
        if retried:
            self.assertGreaterEqual(snap["collection"]["retry_count"], 1)
        return snap, log, before, after

    def test_429_retry_after_seconds(self):
        t0 = time.monotonic()
        self.recovered({"operation": "backupPolicies", "kind": "429", "retry_after": "1", "times": 1})
        self.assertGreaterEqual(time.monotonic() - t0, 1.0)  # Retry-After was honored

    def test_429_retry_after_http_date(self):
        when = formatdate(time.time() + 2, usegmt=True)
        t0 = time.monotonic()
        self.recovered({"operation": "vaults", "kind": "429", "retry_after": when, "times": 1})
        self.assertGreaterEqual(time.monotonic() - t0, 0.9)

    def test_500(self):
        self.recovered({"operation": "backupProtectedItems", "kind": "500", "times": 2})

    def test_503(self):
        self.recovered({"operation": "virtualMachines", "kind": "503", "retry_after": "1", "times": 1})

    def test_connection_reset(self):
        # libcurl itself quietly resends a request whose *reused* connection turns out
        # dead (up to five times), so a reset there may never reach vaultproof. The first
        # ARM request of a run goes out on a fresh connection, which libcurl does not
        # resend: resetting it must be recovered by vaultproof's own retry.
        self.recovered({"operation": "*", "kind": "reset", "times": 1})
        # and resets on reused connections are recovered too, by whichever layer
        self.recovered({"operation": "backupstorageconfig", "kind": "reset", "times": 3}, retried=False)

    def test_truncated_body(self):
        self.recovered({"operation": "backupProtectedItems", "kind": "truncate", "times": 1})

    def test_lenient_json_page_is_retried_not_taken_as_empty(self):
        # cJSON reads this page as an empty list; taking it would drop the vault's items
        self.recovered({"operation": "backupProtectedItems", "kind": "lenient-json", "times": 1})

    def test_wrong_content_type(self):
        self.recovered({"operation": "backupconfig", "kind": "content-type", "times": 1})

    def test_slow_response(self):
        self.recovered({"operation": "backupResourceGuardProxies", "kind": "slow", "delay_ms": 400, "times": 1},
                       retried=False)

    def test_expired_token_one_refresh(self):
        snap, log, before, after = self.recovered({"operation": "backupPolicies", "kind": "expire-token",
                                                   "after": 2, "times": 1})
        self.assertGreaterEqual(after["unauthorized"] - before["unauthorized"], 1)
        # the first token, then exactly one refresh
        self.assertEqual(after["token_requests"] - before["token_requests"], 2)

    def test_persistent_500_is_incomplete(self):
        self.emu.set_faults([{"operation": "backupPolicies", "match": "rsv-fin-sox-plc", "kind": "500",
                              "times": -1}])
        rc, snap, log = live(self.emu, self.path("s.json"))
        self.assertEqual(rc, 4, log)
        self.assertIsNone(snap)
        self.assertIn("backupPolicies", log)
        rc, snap, log = live(self.emu, self.path("s.json"), "--allow-incomplete")
        self.assertEqual(rc, 4, log)
        bad = [l for l in snap["collection"]["lists"] if l["status"] != "complete"]
        self.assertEqual([(l["operation"], l["status"]) for l in bad], [("backupPolicies", "incomplete")])
        self.assertIn("rsv-fin-sox-plc", bad[0]["scope"])
        self.assertIn("HTTP 500", bad[0]["detail"])
        self.assertEqual(item_ids(snap), item_ids(self.baseline))  # the rest is all there


class LiveUsage(TempDirTest):
    def test_bare_collect_is_a_usage_error_and_live_options_need_no_replay(self):
        rc, out, err = run(["collect"], cwd=self.tmp, env={k: "" for k in CREDENTIAL_VARS})
        self.assertEqual(rc, 2, err)
        self.assertIn("--config FILE, --subscription ID or --record DIR", err)
        rc, out, err = run(["collect", "--replay", SAMPLE_RAW, "--record", self.path("r")], cwd=self.tmp)
        self.assertEqual(rc, 2, err)
        self.assertIn("--record is for live collection", err)
        rc, out, err = run(["collect", "--subscription", "not/a-guid", "--token-file", "x"], cwd=self.tmp)
        self.assertEqual(rc, 2, err)
        self.assertIn("expected a subscription id", err)
        rc, out, err = run(["collect", "--config", os.path.join(SAMPLE, "vaultproof.json"), "--arm-endpoint",
                            "http://127.0.0.1:9"], cwd=self.tmp)
        self.assertEqual(rc, 2, err)
        self.assertIn("must be https://", err)
        self.assertEqual(os.listdir(self.tmp), [])
        used = self.path("used")
        os.mkdir(used)
        open(os.path.join(used, "x.json"), "w").close()
        rc, out, err = run(["collect", "--record", used, "--token-file", "x"])
        self.assertEqual(rc, 2, err)
        self.assertIn("already holds a recording", err)


class LivePacing(TempDirTest):
    def test_low_ratelimit_budget_spaces_requests_out(self):
        sub = "ee5069bf-cd72-4c61-bacb-150ed73a18e5"
        timings = {}
        for budget in (11999, 20):
            with Emulator(SAMPLE_RAW, page_size=7, ratelimit_reads=budget) as emu:
                t0 = time.monotonic()
                rc, snap, log = live(emu, self.path("s%d.json" % budget), "--subscription", sub)
                timings[budget] = (time.monotonic() - t0, emu.stats()["requests"])
                self.assertEqual(rc, 0, log)
                self.assertTrue(snap["collection"]["complete"])
        fast, requests = timings[11999]
        slow, requests_slow = timings[20]
        self.assertEqual(requests, requests_slow)  # same calls, only slower
        # under 25 remaining reads the collector keeps 250 ms between requests to the
        # subscription (the first burst of up to 8 goes before any header is seen)
        self.assertGreaterEqual(slow, 0.25 * (requests - 8) * 0.9, timings)
        self.assertLess(fast, slow / 2, timings)


class LiveGenerated(TempDirTest):
    def test_generated_estate_many_pages(self):
        raw = self.path("raw")
        import subprocess
        subprocess.run([sys.executable, GENERATOR, "scale", "--items", "1200", "--vaults", "6", "--subscriptions",
                        "2", "--seed", "11", "--out", raw], check=True, capture_output=True)
        with Emulator(raw, page_size=25) as emu:
            rc, snap, log = live(emu, self.path("s.json"), "--record", self.path("rec"))
            self.assertEqual(rc, 0, log)
            self.assertEqual(len(snap["protected_items"]), 1200)
            self.assertEqual(emu.stats()["requests"], expected_requests(raw, 25))
            self.assertTrue(snap["collection"]["complete"])


if __name__ == "__main__":
    main()
