"""Live collection against the ARM emulator (tests/emulator/) over real TLS on loopback:
paging, minimal request count, bounded concurrency, record-then-replay identity, every
fault kind either recovered or reported as incomplete (exit 4, nothing written), and no
secret anywhere. Auth flows are in test_live_auth.py."""
import filecmp
import json
import math
import os
import re
import sys
import time
import urllib.parse
import urllib.request
from email.utils import formatdate

sys.path.insert(0, os.path.dirname(__file__))
from vptest import GENERATOR, PINNED, SAMPLE, SOURCE, TempDirTest, copy_point_in_time, load, main, raw_resources, run  # noqa: E402,F401,E501

sys.path.insert(0, os.path.join(SOURCE, "tests", "emulator"))
from arm_emulator import Emulator  # noqa: E402



def point_in_time_sample():
    """The sample without its quarter of jobs: a collection without a period never asks
    for them, and each emulator start would parse their 28 MB of pages for nothing."""
    import atexit
    import shutil
    import tempfile
    top = tempfile.mkdtemp(prefix="vp-pit-")
    atexit.register(shutil.rmtree, top, True)
    dest = os.path.join(top, "raw")
    copy_point_in_time(os.path.join(SAMPLE, "raw"), dest)
    return dest


SAMPLE_RAW = point_in_time_sample()
ITEM_T = "microsoft.recoveryservices/vaults/backupfabrics/protectioncontainers/protecteditems"
POLICY_T = "microsoft.recoveryservices/vaults/backuppolicies"
GUARD_T = "microsoft.recoveryservices/vaults/backupresourceguardproxies"
VAULT_T = "microsoft.recoveryservices/vaults"
ENGINE_T = "microsoft.recoveryservices/vaults/backupengines"
DELETED_T = "microsoft.recoveryservices/locations/deletedvaults"
PER_VAULT_LISTS = (ITEM_T, POLICY_T, GUARD_T, ENGINE_T)
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


def arm_path(rid):
    """An ARM id as a path: a URL spelling (https://management.azure.com/subscriptions/...)
    loses scheme and host."""
    return re.sub(r"^https?://[^/]+", "", rid)


def role_assignment_pages(raw_dir, page):
    """Per subscription (lowercase): the role assignments its recorded list holds (files
    subscriptions/<sub>/roleAssignments*.json, as the emulator files them), and the role
    definition GUIDs they name."""
    counts, definitions = {}, {}
    subs_dir = os.path.join(raw_dir, "subscriptions")
    for sub in os.listdir(subs_dir) if os.path.isdir(subs_dir) else ():
        for name in os.listdir(os.path.join(subs_dir, sub)):
            if name.startswith("roleAssignments") and name.endswith(".json") and not name.endswith(".meta.json"):
                for ra in load(os.path.join(subs_dir, sub, name)).get("value", []):
                    counts[sub.lower()] = counts.get(sub.lower(), 0) + 1
                    definitions.setdefault(sub.lower(), set()).add(
                        ra["properties"]["roleDefinitionId"].rsplit("/", 1)[-1].lower())
    return counts, definitions


def expected_requests(raw_dir, page, subscriptions=None, extra_locations=()):
    """The minimum number of requests an estate needs, computed from the raw files: the
    subscription list (always read: it is reconciled with a configured scope), list pages
    per collected subscription (vaults, VMs, the principal's role assignments, soft-deleted
    vaults per location of its vaults and per extra location) and per vault (policies,
    items, proxies, engines, two single configs), one GET per resource guard a proxy names
    in a collected subscription (all when None), and one GET per role definition the
    collected subscriptions' role assignments name."""
    res = raw_resources(raw_dir)
    subs, vaults, vms, per_vault, locations, deleted, guards = set(), {}, {}, {}, {}, {}, set()
    named = set()  # subscriptions resource ids name (the emulator's list when none is recorded)
    for r in res:
        rid, t = arm_path(r.get("id", "")), r.get("type", "").lower()
        parts = rid.split("/")
        if len(parts) > 2 and parts[1].lower() == "subscriptions" and not t.startswith("microsoft.authorization/"):
            named.add(parts[2].lower())
        if not t and r.get("subscriptionId"):
            subs.add(r["subscriptionId"].lower())
        elif t == VAULT_T:
            vaults.setdefault(parts[2].lower(), set()).add(rid.lower())
            locations.setdefault(parts[2].lower(), set()).add(r["location"].replace(" ", "").lower())
        elif t in VM_TYPES:
            vms[parts[2].lower()] = vms.get(parts[2].lower(), 0) + 1
        elif t == DELETED_T:
            key = (parts[2].lower(), parts[6].lower())
            deleted[key] = deleted.get(key, 0) + 1
        elif t in PER_VAULT_LISTS:
            vault = "/".join(parts[:9]).lower()
            key = (vault, t)
            per_vault[key] = per_vault.get(key, 0) + 1
            guard = (r.get("properties") or {}).get("resourceGuardResourceId")
            if t == GUARD_T and guard and (subscriptions is None or
                                           arm_path(guard).split("/")[2].lower() in subscriptions):
                guards.add(arm_path(guard).lower())
    listed = subs or named
    if subscriptions is not None:
        subs = set(subscriptions)
    assignments, definitions = role_assignment_pages(raw_dir, page)

    def pages(n):
        return max(1, math.ceil(n / page))

    total = pages(len(listed))
    roles = set()
    for s in subs:
        total += pages(len(vaults.get(s, ()))) + pages(vms.get(s, 0)) + pages(assignments.get(s, 0))
        roles |= definitions.get(s, set())
        total += sum(pages(deleted.get((s, loc), 0)) for loc in locations.get(s, set()) | set(extra_locations))
        for v in vaults.get(s, ()):
            total += 2  # backupconfig, backupstorageconfig: single resources
            total += sum(pages(per_vault.get((v, t), 0)) for t in PER_VAULT_LISTS)
    return total + len(guards) + len(roles)


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
        # who collected, from the token's claims, and what it could see and read: the
        # emulator answers assignedTo() for the object id its token names
        access = snap["collection"]["access"]
        self.assertEqual(access["principal"]["client_id"], self.emu.info["client_id"])
        self.assertEqual(access["principal"]["object_id"], self.emu.info["object_ids"][self.emu.info["client_id"]])
        self.assertEqual(access["principal"]["tenant_id"], self.emu.info["tenant"])
        self.assertEqual(access["principal"]["credential"], "secret")
        self.assertEqual([x["status"] for x in access["subscriptions"]], ["in-scope"] * 3)
        self.assertEqual([r["verdict"] for r in access["role_assignments"]], ["reads"] * 3)
        self.assertEqual({a["role_name"] for r in access["role_assignments"] for a in r["assignments"]},
                         {"Reader", "Backup Reader"})
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

    def test_refused_access_reads_are_recorded_not_fatal(self):
        """A principal that may read vaults but not its own role assignments (403 on one
        subscription's list, on one role definition): exit 0, the refusals recorded, the
        snapshot says refused / not known."""
        prd, fin = "74dd82d1-2c42-4ca6-80c5-ffbd52be5231", "ee5069bf-cd72-4c61-bacb-150ed73a18e5"
        self.emu.set_faults([{"operation": "roleAssignments", "match": prd, "kind": "403", "times": -1},
                             {"operation": "roleDefinitions", "match": "a795c7a0", "kind": "403", "times": -1}])
        rec = self.path("rec")
        rc, snap, log = live(self.emu, self.path("s.json"), "--record", rec)
        self.assertEqual(rc, 0, log)
        self.assertTrue(snap["collection"]["complete"])
        scopes = {r["subscription_id"]: r for r in snap["collection"]["access"]["role_assignments"]}
        self.assertEqual((scopes[prd]["status"], scopes[prd]["verdict"]), ("refused", "unknown"))
        # Reader (from the management group) still reads; Backup Reader's definition was refused
        self.assertEqual(scopes[fin]["verdict"], "reads")
        names = {a["role_definition_id"].rsplit("/", 1)[-1]: a["role_name"] for a in scopes[fin]["assignments"]}
        self.assertEqual(names["a795c7a0-d4a2-40c1-ae25-d81f01202912"], None)
        self.assertEqual(names["acdd72a7-3385-48ef-bd42-f606fba81ae7"], "Reader")
        side = load(os.path.join(rec, "subscriptions", prd, "roleAssignments.meta.json"))
        self.assertEqual((side["status"], side["call"]["complete"]), (403, False))
        self.assertIn("$filter=assignedTo('%s')" % self.emu.info["object_ids"][self.emu.info["client_id"]],
                      urllib.parse.unquote(side["url"]))

    def test_scope_reconciled_with_the_subscription_list(self):
        """With --subscription, the subscription list is still read: the others it returns
        are named out of scope (not collected), and a configured one it does not return is
        not visible (its calls fail where they should: exit 4)."""
        prd, hidden = "74dd82d1-2c42-4ca6-80c5-ffbd52be5231", "6b6b6b6b-1111-4222-8333-955555555555"
        rc, snap, log = live(self.emu, self.path("s.json"), "--subscription", prd, "--subscription", hidden,
                             "--allow-incomplete")
        self.assertEqual(rc, 4, log)
        status = {x["subscription_id"]: (x["status"], x["display_name"]) for x in snap["collection"]["access"]["subscriptions"]}
        self.assertEqual(status, {
            prd: ("in-scope", "Contoso Health – Epic Production"),
            "e608fb0d-26e7-4f43-82d7-dce452427c58": ("out-of-scope", "Contoso Health – Epic Non-Production"),
            "ee5069bf-cd72-4c61-bacb-150ed73a18e5": ("out-of-scope", "Contoso Health – Shared Services / Finance (SOX)"),
            hidden: ("not-visible", None)})
        self.assertEqual({v["subscription_id"] for v in snap["vaults"]}, {prd})
        # wus3's resource guard lives in the Finance subscription: the list returned it, so its
        # entry says so (not "only referenced"), and nothing of it is expected or collected
        fin = [x for x in snap["subscriptions"] if x["subscription_id"] == "ee5069bf-cd72-4c61-bacb-150ed73a18e5"]
        self.assertEqual([(x["listed"], x["display_name"]) for x in fin],
                         [(True, "Contoso Health – Shared Services / Finance (SOX)")])
        self.assertEqual([l for l in snap["collection"]["lists"] if "ee5069bf" in l["scope"] and
                          l["operation"] in ("vaults", "virtualMachines")], [])


SUB_A = "0b8e7b44-2a51-4c1d-9a3e-5f0d6e1c2a01"   # collected
SUB_B = "1c9f8c55-3b62-4d2e-8b4f-6a1e7f2d3b02"   # collected
SUB_C = "2da09d66-4c73-4e3f-9c50-7b2f803e4c03"   # security team's: outside --subscription
RS = "Microsoft.RecoveryServices/vaults"


def guard_id(sub, name, rg="rg-sec"):
    return "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.DataProtection/resourceGuards/%s" % (sub, rg, name)


def vault_id(sub, name, rg="rg-bk"):
    return "/subscriptions/%s/resourceGroups/%s/providers/%s/%s" % (sub, rg, RS, name)


def write_json(root, rel, doc):
    path = os.path.join(root, *rel.split("/"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)


def current_estate(root):
    """An estate with one of everything the current API versions add: backup engines (3, so
    they page at 2 a page), soft-deleted vaults (one where a vault remains, one in a location
    only the configuration names), resource guards a proxy names (readable; spelled as a URL
    and in another case by a second proxy; denied; in a subscription not collected) and a
    vault whose id is spelled as a URL (Microsoft's Vaults_ListBySubscriptionId example)."""
    write_json(root, "subscriptions.json", {"value": [
        {"id": "/subscriptions/" + s, "subscriptionId": s, "displayName": n, "state": "Enabled",
         "tenantId": "7f4c2b1e-0000-4000-8000-000000000001"} for s, n in ((SUB_A, "A"), (SUB_B, "B"))]})
    vaults = {
        SUB_A: [("rsv-east", "eastus", vault_id(SUB_A, "rsv-east")),
                # as the Vaults_ListBySubscriptionId example spells it
                ("rsv-url", "westeurope", "https://management.azure.com" + vault_id(SUB_A, "rsv-url"))],
        SUB_B: [("rsv-b1", "eastus", vault_id(SUB_B, "rsv-b1")), ("rsv-b2", "eastus", vault_id(SUB_B, "rsv-b2"))],
    }
    proxies = {"rsv-east": guard_id(SUB_A, "rguard-main"),
               "rsv-url": guard_id(SUB_A, "rguard-denied"),
               "rsv-b1": guard_id(SUB_C, "rguard-secops"),
               # the same guard as rsv-east's, spelled as a URL and in capitals: one GET
               "rsv-b2": "https://management.azure.com" + guard_id(SUB_A, "RGUARD-MAIN").replace("/resourceGroups/rg-sec",
                                                                                                 "/resourceGroups/RG-SEC")}
    for sub, vs in vaults.items():
        write_json(root, "subscriptions/%s/vaults.json" % sub, {"value": [
            {"id": vid, "name": name, "type": RS, "location": loc,
             "properties": {"provisioningState": "Succeeded"}} for name, loc, vid in vs]})
        for name, loc, vid in vs:
            base = "subscriptions/%s/vaults/%s/" % (sub, name)
            path = arm_path(vid)
            write_json(root, base + "backupconfig.json", {"id": path + "/backupconfig/vaultconfig", "name": "vaultconfig",
                                                          "type": RS + "/backupconfig",
                                                          "properties": {"softDeleteFeatureState": "Enabled"}})
            write_json(root, base + "backupstorageconfig.json", {
                "id": path + "/backupstorageconfig/vaultstorageconfig", "name": "vaultstorageconfig",
                "type": RS + "/backupstorageconfig", "properties": {"storageType": "GeoRedundant"}})
            write_json(root, base + "backupResourceGuardProxies.json", {"value": [
                {"id": path + "/backupResourceGuardProxies/VaultProxy", "name": "VaultProxy",
                 "type": RS + "/backupResourceGuardProxies",
                 "properties": {"resourceGuardResourceId": proxies[name]}}]})
    engine_vault = vault_id(SUB_A, "rsv-east")
    write_json(root, "subscriptions/%s/vaults/rsv-east/backupEngines.json" % SUB_A, {"value": [
        {"id": "%s/backupEngines/%d" % (engine_vault, i), "name": str(i), "type": RS + "/backupEngines",
         "properties": {"friendlyName": "mabs%d.contoso.example" % i, "backupManagementType": "AzureBackupServer",
                        "registrationStatus": "Registered", "backupEngineState": "Active",
                        "healthStatus": "Healthy", "backupEngineType": "AzureBackupServerEngine",
                        "dpmVersion": "14.0.30.0", "azureBackupAgentVersion": "2.0.9262.0"}}
        for i in (1, 2, 3)]})
    for loc, name in (("eastus", "rsv-gone"), ("northeurope", "rsv-north-gone")):
        scope = "/subscriptions/%s/providers/Microsoft.RecoveryServices/locations/%s" % (SUB_A, loc)
        write_json(root, "subscriptions/%s/locations/%s/deletedVaults.json" % (SUB_A, loc), {"value": [
            {"id": scope + "/deletedVaults/" + name, "name": name,
             "type": "Microsoft.RecoveryServices/locations/deletedVaults",
             "properties": {"vaultId": vault_id(SUB_A, name), "vaultDeletionTime": "2026-09-20T10:00:00Z",
                            "purgeAt": "2026-10-04T10:00:00Z"}}]})
    write_json(root, "resourceGuards/%s/rg-sec/rguard-main.json" % SUB_A, {
        "id": guard_id(SUB_A, "rguard-main"), "name": "rguard-main", "type": "Microsoft.DataProtection/resourceGuards",
        "location": "eastus", "properties": {
            "provisioningState": "Succeeded", "allowAutoApprovals": False, "vaultCriticalOperationExclusionList": [],
            "resourceGuardOperations": [{
                "requestResourceType": "Microsoft.DataProtection/resourceGuards/disableSoftDeleteRequests",
                "vaultCriticalOperation": "Microsoft.RecoveryServices/vaults/backupconfig/write"}]}})
    # the denied guard exists (the emulator would serve it) but the principal may not read it
    write_json(root, "resourceGuards/%s/rg-sec/rguard-denied.json" % SUB_A, {
        "id": guard_id(SUB_A, "rguard-denied"), "name": "rguard-denied",
        "type": "Microsoft.DataProtection/resourceGuards", "location": "westeurope", "properties": {}})
    write_json(root, "resourceGuards/%s/rg-sec/rguard-secops.json" % SUB_C, {
        "id": guard_id(SUB_C, "rguard-secops"), "name": "rguard-secops",
        "type": "Microsoft.DataProtection/resourceGuards", "location": "eastus", "properties": {}})


class LiveCurrentCalls(TempDirTest):
    """The calls of the current api-versions: engines, soft-deleted vaults, resource guards,
    vault ids spelled as URLs. Recorded with their scopes, api-versions and layout."""

    @classmethod
    def setUpClass(cls):
        cls.raw = os.path.join(cls.emu_root(), "raw")
        current_estate(cls.raw)
        cls.emu = Emulator(cls.raw, page_size=2, faults=[
            {"operation": "resourceGuards", "match": "rguard-denied", "kind": "403", "times": -1}]).start()

    @classmethod
    def emu_root(cls):
        import tempfile
        cls._root = tempfile.mkdtemp(prefix="vp-it-current-")
        return cls._root

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()
        import shutil
        shutil.rmtree(cls._root, ignore_errors=True)

    def collect(self, out, rec):
        cfg = self.path("vaultproof.json")
        with open(cfg, "w", encoding="utf-8") as f:
            json.dump({"live": {"deleted_vault_locations": ["North Europe"]}}, f)
        before = self.emu.stats()
        rc, snap, log = live(self.emu, out, "--config", cfg, "--subscription", SUB_A, "--subscription", SUB_B,
                             "--record", rec, "--allow-incomplete")
        after = self.emu.stats()
        ops = {k: v - before["by_operation"].get(k, 0) for k, v in after["by_operation"].items()}
        return rc, snap, log, ops, after["requests"] - before["requests"], cfg

    def sidecars(self, rec):
        found = {}
        for root, _dirs, files in os.walk(rec):
            for name in files:
                if name.endswith(".meta.json"):
                    rel = os.path.relpath(os.path.join(root, name), rec).replace(os.sep, "/")
                    found[rel] = load(os.path.join(root, name))
        return found

    def test_records_the_new_calls_with_scopes_api_versions_and_layout(self):
        rec = self.path("rec")
        rc, snap, log, ops, requests, cfg = self.collect(self.path("live.json"), rec)
        # the denied guard GET is recorded and listed, but a refusal of a guard in another
        # scope is evidence, not a failed collection (vp_arm_refusal_is_evidence): exit 0
        self.assertEqual(rc, 0, log)
        self.assertIn("rguard-denied", log)
        self.assertEqual(requests, expected_requests(self.raw, 2, {SUB_A, SUB_B}, {"northeurope"}), ops)
        side = self.sidecars(rec)
        by_op = {}
        for rel, doc in side.items():
            by_op.setdefault(doc["call"]["operation"], {})[rel] = doc
        api = {"vaults": "2026-08-01", "deletedVaults": "2026-08-01", "backupEngines": "2026-02-01",
               "backupPolicies": "2026-02-01", "backupProtectedItems": "2026-02-01",
               "backupResourceGuardProxies": "2026-02-01", "backupconfig": "2026-02-01",
               "backupstorageconfig": "2026-02-01", "virtualMachines": "2025-04-01", "resourceGuards": "2025-09-01"}
        for op, version in api.items():
            self.assertIn(op, by_op)
            for rel, doc in by_op[op].items():
                if doc["call"]["page"] == 1:
                    self.assertIn("api-version=" + version, doc["url"], rel)
        # engines: per vault, paged (3 at 2 a page), scope the vault id
        east = "subscriptions/%s/vaults/rsv-east/" % SUB_A
        self.assertEqual(side[east + "backupEngines.meta.json"]["call"]["scope"], vault_id(SUB_A, "rsv-east"))
        self.assertEqual(side[east + "backupEngines.page-0002.meta.json"]["call"]["page"], 2)
        self.assertEqual(len(load(os.path.join(rec, east + "backupEngines.json"))["value"]), 2)
        self.assertEqual(len(by_op["backupEngines"]), 5)  # 4 vaults, one with 2 pages
        # soft-deleted vaults: per subscription, each location of its vaults and the configured
        # one ("North Europe" -> northeurope), each once
        self.assertEqual(sorted(by_op["deletedVaults"]), sorted(
            "subscriptions/%s/locations/%s/deletedVaults.meta.json" % (s, loc)
            for s, loc in ((SUB_A, "eastus"), (SUB_A, "westeurope"), (SUB_A, "northeurope"), (SUB_B, "eastus"),
                           (SUB_B, "northeurope"))))
        for rel, doc in by_op["deletedVaults"].items():
            sub, loc = rel.split("/")[1], rel.split("/")[3]
            self.assertEqual(doc["call"]["scope"],
                             "/subscriptions/%s/providers/Microsoft.RecoveryServices/locations/%s" % (sub, loc))
            self.assertTrue(doc["url"].startswith(self.emu.info["arm"] + doc["call"]["scope"] + "/deletedVaults?"))
        north = load(os.path.join(rec, "subscriptions/%s/locations/northeurope/deletedVaults.json" % SUB_A))
        self.assertEqual([d["name"] for d in north["value"]], ["rsv-north-gone"])
        # resource guards: one GET per guard (two proxies name rguard-main), none outside scope
        self.assertEqual(ops.get("resourceGuards"), 2, ops)
        self.assertEqual(sorted(by_op["resourceGuards"]), [
            "resourceGuards/%s/rg-sec/rguard-denied.meta.json" % SUB_A,
            "resourceGuards/%s/rg-sec/rguard-main.meta.json" % SUB_A])
        self.assertFalse(os.path.exists(os.path.join(rec, "resourceGuards", SUB_C)))
        main_side = by_op["resourceGuards"]["resourceGuards/%s/rg-sec/rguard-main.meta.json" % SUB_A]
        # asked for in whichever spelling a proxy page brought first (concurrency decides)
        self.assertEqual(main_side["call"]["scope"].lower(), guard_id(SUB_A, "rguard-main").lower())
        self.assertEqual(main_side["status"], 200)
        self.assertEqual(main_side["url"].lower(), ("%s%s?api-version=2025-09-01" % (
            self.emu.info["arm"], guard_id(SUB_A, "rguard-main"))).lower())
        self.assertEqual(load(os.path.join(rec, "resourceGuards/%s/rg-sec/rguard-main.json" % SUB_A))["name"],
                         "rguard-main")
        # a guard the principal may not read: ARM's 403 body and the sidecar say so, not retried
        denied = by_op["resourceGuards"]["resourceGuards/%s/rg-sec/rguard-denied.meta.json" % SUB_A]
        self.assertEqual((denied["status"], denied["retries"], denied["call"]["complete"]), (403, 0, False))
        self.assertIn("AuthorizationFailed", denied["call"]["error"])
        body = load(os.path.join(rec, "resourceGuards/%s/rg-sec/rguard-denied.json" % SUB_A))
        self.assertEqual(body["error"]["code"], "AuthorizationFailed")
        # the vault whose id is spelled as a URL got every per-vault call, scoped by its path
        url_vault = "subscriptions/%s/vaults/rsv-url/" % SUB_A
        for op in ("backupPolicies", "backupProtectedItems", "backupResourceGuardProxies", "backupconfig",
                   "backupstorageconfig", "backupEngines"):
            doc = side[url_vault + op + ".meta.json"]
            self.assertEqual(doc["status"], 200, op)
            self.assertEqual(doc["call"]["scope"], vault_id(SUB_A, "rsv-url"), op)
            self.assertTrue(doc["url"].startswith(self.emu.info["arm"] + vault_id(SUB_A, "rsv-url") + "/"), op)
        # the live snapshot is the replay of its recording, byte for byte
        rc2, _out, err = run(["collect", "--replay", rec, "--config", cfg, "--subscription", SUB_A, "--subscription",
                              SUB_B, "--now", PINNED, "--out", self.path("replay.json")])
        self.assertEqual(rc2, rc, err)
        self.assertTrue(filecmp.cmp(self.path("live.json"), self.path("replay.json"), shallow=False))

    def test_config_dataprotection_api_version_and_location_validation(self):
        cfg = self.path("vaultproof.json")
        with open(cfg, "w", encoding="utf-8") as f:
            json.dump({"live": {"api_versions": {"dataprotection": "2025-07-01"}}}, f)
        rec = self.path("rec")
        rc, snap, log = live(self.emu, self.path("s.json"), "--config", cfg, "--subscription", SUB_A, "--record",
                             rec, "--allow-incomplete")
        self.assertEqual(rc, 0, log)  # the denied guard is evidence, not a failure
        self.assertIn("2025-07-01", self.emu.stats()["api_versions"]["resourceGuards"])
        side = load(os.path.join(rec, "resourceGuards", SUB_A, "rg-sec", "rguard-main.meta.json"))
        self.assertTrue(side["url"].endswith("?api-version=2025-07-01"), side["url"])
        # without the configured location, only the locations of the vaults are listed
        self.assertEqual(sorted(os.listdir(os.path.join(rec, "subscriptions", SUB_A, "locations"))),
                         ["eastus", "westeurope"])
        for bad, pointer in (({"deleted_vault_locations": ["west/europe"]}, "/live/deleted_vault_locations/0"),
                             ({"deleted_vault_locations": "westeurope"}, "/live/deleted_vault_locations"),
                             ({"api_versions": {"guards": "2025-09-01"}}, "/live/api_versions/guards")):
            with open(cfg, "w", encoding="utf-8") as f:
                json.dump({"live": bad}, f)
            rc, snap, log = live(self.emu, self.path("t.json"), "--config", cfg, "--subscription", SUB_A)
            self.assertEqual(rc, 3, log)
            self.assertIn(pointer, log)
            self.assertIsNone(snap)

    def test_vault_id_under_another_host_is_not_asked_about_and_a_vault_listed_twice_once(self):
        raw = self.path("raw")
        current_estate(raw)
        doc = load(os.path.join(raw, "subscriptions/%s/vaults.json" % SUB_B))
        doc["value"][1]["id"] = "https://arm.attacker.example" + vault_id(SUB_B, "rsv-b2")
        # and rsv-b1 listed a second time, its id spelled as a URL: its calls are made once
        doc["value"].append(dict(doc["value"][0], id="https://management.azure.com" + vault_id(SUB_B, "rsv-b1")))
        write_json(raw, "subscriptions/%s/vaults.json" % SUB_B, doc)
        with Emulator(raw) as emu:
            rec = self.path("rec")
            rc, snap, log = live(emu, self.path("s.json"), "--subscription", SUB_B, "--record", rec,
                                 "--allow-incomplete")
            self.assertIn(rc, (0, 4), log)
            vault_dirs = sorted(os.listdir(os.path.join(rec, "subscriptions", SUB_B, "vaults")))
            self.assertEqual(vault_dirs, ["rsv-b1"])
            self.assertEqual(emu.stats()["by_operation"].get("backupPolicies"), 1)
            # its location is still listed for soft-deleted vaults (once: rsv-b1 is there too)
            self.assertEqual(emu.stats()["by_operation"].get("deletedVaults"), 1)

    def test_snapshot_reports_what_was_recorded(self):
        """Needs the collector's part of issue 13 (format 2 members): the 403 guard is
        'unreadable', the out-of-scope one 'out-of-scope', engines and deleted vaults read."""
        rc, snap, log, _ops, _n, _cfg = self.collect(self.path("live.json"), self.path("rec"))
        self.assertEqual(rc, 0, log)
        self.assertTrue(snap["collection"]["complete"], "a refused guard GET does not fail the collection")
        denied = [l for l in snap["collection"]["lists"]
                  if l["operation"] == "resourceGuards" and "rguard-denied" in l["scope"].lower()]
        self.assertEqual([(l["status"], l["detail"][:8]) for l in denied], [("incomplete", "HTTP 403")], denied)
        guards = {g["name"].lower(): g["status"] for g in snap["resource_guards"]}
        self.assertEqual(guards, {"rguard-main": "read", "rguard-denied": "unreadable",
                                  "rguard-secops": "out-of-scope"})
        self.assertEqual(len(snap["backup_engines"]), 3)
        self.assertEqual(sorted(d["name"] for d in snap["deleted_vaults"]), ["rsv-gone", "rsv-north-gone"])
        url_vault = [v for v in snap["vaults"] if v["name"] == "rsv-url"][0]
        self.assertTrue(all(s == "complete" for s in url_vault["completeness"].values()), url_vault["completeness"])


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
