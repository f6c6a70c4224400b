"""Population completeness an auditor can test (issue 14, AS 1105 IPE): what the
collecting principal could see - the scope reconciled with its subscriptions list - and
what it could read - its role assignments per in-scope subscription -, judged by
evidence.complete; and the subscriptions only referenced by resource ids (resource guards
included), counted and named in the report.

Each case edits a copy of the sample recording the way Azure would answer (shapes of
Microsoft's RoleAssignments_ListForScope and GetRoleDefinitionById examples,
tests/data/azure/SOURCES.md) and checks the snapshot, the findings and the PDF text."""
import json
import os
import re
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from vptest import copy_point_in_time, PINNED, SAMPLE, TempDirTest, load, main, run  # noqa: E402

RAW = os.path.join(SAMPLE, "raw")
SUBS = ["74dd82d1-2c42-4ca6-80c5-ffbd52be5231", "e608fb0d-26e7-4f43-82d7-dce452427c58",
        "ee5069bf-cd72-4c61-bacb-150ed73a18e5"]
SANDBOX = "5a5a5a5a-1111-4222-8333-944444444444"
HIDDEN = "6b6b6b6b-1111-4222-8333-955555555555"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
OID = "0c9a8f55-3e2b-4d71-a6c4-8b1e2f7d9c30"


def dump(path, doc):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)


class Access(TempDirTest):
    def setUp(self):
        super().setUp()
        self.raw = self.path("raw")
        copy_point_in_time(RAW, self.raw)
        self.config = load(os.path.join(SAMPLE, "vaultproof.json"))

    def collect_evaluate(self, render=False, collect_rc=0):
        """collect_rc: 4 where a list call is missing on purpose (collect says so, the snapshot is written)."""
        cfg, snap, findings = self.path("cfg.json"), self.path("snap.json"), self.path("findings.json")
        dump(cfg, self.config)
        rc, _, err = run(["collect", "--replay", self.raw, "--config", cfg, "--out", snap, "--now", PINNED, "--quiet"])
        self.assertEqual(rc, collect_rc, err)
        rc, _, err = run(["evaluate", "--snapshot", snap, "--config", cfg, "--out", findings, "--now", PINNED])
        self.assertIn(rc, (0, 1), err)
        text = None
        if render:
            pdf = self.path("report.pdf")
            rc, _, err = run(["render", "--snapshot", snap, "--findings", findings, "--pdf", pdf, "--now", PINNED])
            self.assertEqual(rc, 0, err)
            p = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", pdf, "-"], capture_output=True, check=True)
            text = " ".join(p.stdout.decode("utf-8").split())
        return load(snap), load(findings), text

    @staticmethod
    def access_findings(doc):
        return {f["resource"]["id"]: f for f in doc["findings"] if f["rule"] == "evidence.complete" and
                f["resource"]["type"] == "subscription" and "collector access" in f["resource"]["name"]}

    def role_list(self, sub, assignments, status=200):
        body = {"value": assignments} if status == 200 else {
            "error": {"code": "AuthorizationFailed", "message": "The client does not have authorization to perform "
                      "action 'Microsoft.Authorization/roleAssignments/read'."}}
        base = os.path.join(self.raw, "subscriptions", sub, "roleAssignments")
        dump(base + ".json", body)
        side = load(base + ".meta.json")
        side["status"] = status
        side["call"]["complete"] = status == 200
        side["call"]["error"] = None if status == 200 else "HTTP 403 AuthorizationFailed"
        dump(base + ".meta.json", side)

    @staticmethod
    def assignment(sub, guid, role, scope):
        return {"properties": {"roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/" + role,
                               "principalId": OID, "principalType": "ServicePrincipal", "scope": scope},
                "id": scope + "/providers/Microsoft.Authorization/roleAssignments/" + guid,
                "type": "Microsoft.Authorization/roleAssignments", "name": guid}

    def test_sample_principal_reads_every_subscription(self):
        snap, doc, text = self.collect_evaluate(render=True)
        access = snap["collection"]["access"]
        self.assertEqual(access["principal"]["object_id"], OID)
        self.assertEqual([s["status"] for s in access["subscriptions"]], ["in-scope"] * 3)
        self.assertEqual([r["verdict"] for r in access["role_assignments"]], ["reads"] * 3)
        found = self.access_findings(doc)
        self.assertEqual(sorted(found), ["/subscriptions/" + s for s in SUBS])
        self.assertEqual({f["status"] for f in found.values()}, {"pass"})
        self.assertIn("Collector identity vaultproof-collector: client id", text)
        self.assertIn("3 subscriptions in scope and visible, 0 subscriptions in scope but not visible, "
                      "0 subscriptions visible but out of scope", text)

    def test_scope_reconciled_with_what_the_principal_saw(self):
        # a sandbox the principal sees but the scope leaves out, and a configured
        # subscription the principal cannot see
        subs = load(os.path.join(self.raw, "subscriptions.json"))
        subs["value"].append({"id": "/subscriptions/" + SANDBOX, "subscriptionId": SANDBOX,
                              "tenantId": "38f414c5-cb1a-457d-877c-84b27887189b",
                              "displayName": "Contoso Health – Sandbox", "state": "Enabled"})
        subs["count"]["value"] = 4
        dump(os.path.join(self.raw, "subscriptions.json"), subs)
        self.config["scope"]["subscriptions"].append(HIDDEN)
        snap, doc, text = self.collect_evaluate(render=True, collect_rc=4)  # HIDDEN's lists are missing
        status = {s["subscription_id"]: (s["status"], s["display_name"]) for s in snap["collection"]["access"]["subscriptions"]}
        self.assertEqual(status[SANDBOX], ("out-of-scope", "Contoso Health – Sandbox"))
        self.assertEqual(status[HIDDEN], ("not-visible", None))
        self.assertEqual(sum(1 for s in status.values() if s[0] == "in-scope"), 3)
        # the sandbox is not collected: no entity, no list call
        self.assertNotIn(SANDBOX, json.dumps(snap["subscriptions"]) + json.dumps(snap["collection"]["lists"]))
        hidden = [f for f in doc["findings"] if f["rule"] == "evidence.complete" and
                  f["resource"]["id"] == "/subscriptions/" + HIDDEN and f["resource"]["type"] == "subscription"]
        self.assertEqual(len(hidden), 1)
        self.assertEqual(hidden[0]["status"], "incomplete")
        self.assertIn("could not see it", hidden[0]["observed"])
        self.assertIn("3 subscriptions in scope and visible, 1 subscriptions in scope but not visible, "
                      "1 subscriptions visible but out of scope", text)
        self.assertIn("Contoso Health – Sandbox", text)

    def test_roles_that_write_do_not_read_or_are_refused(self):
        dump(os.path.join(self.raw, "roleDefinitions", CONTRIBUTOR + ".json"), {
            "properties": {"roleName": "Contributor", "type": "BuiltInRole", "assignableScopes": ["/"],
                           "permissions": [{"actions": ["*"], "notActions": [
                               "Microsoft.Authorization/*/Delete", "Microsoft.Authorization/*/Write",
                               "Microsoft.Authorization/elevateAccess/Action"], "dataActions": [], "notDataActions": []}]},
            "id": "/providers/Microsoft.Authorization/roleDefinitions/" + CONTRIBUTOR,
            "type": "Microsoft.Authorization/roleDefinitions", "name": CONTRIBUTOR})
        reader = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
        # e608: Contributor at the subscription (reads, and writes: least privilege)
        self.role_list(SUBS[1], [self.assignment(SUBS[1], "11111111-aaaa-4bbb-8ccc-000000000001", CONTRIBUTOR,
                                                 "/subscriptions/" + SUBS[1])])
        # ee50: Reader in one resource group only: nothing reads the subscription's vaults
        self.role_list(SUBS[2], [self.assignment(SUBS[2], "11111111-aaaa-4bbb-8ccc-000000000002", reader,
                                                 "/subscriptions/%s/resourceGroups/rg-fin-sox" % SUBS[2])])
        # 74dd: the principal may not read its own role assignments
        self.role_list(SUBS[0], None, status=403)
        sample_snap = self.path("sample.json")
        rc, _, err = run(["collect", "--replay", RAW, "--config", os.path.join(SAMPLE, "vaultproof.json"),
                          "--out", sample_snap, "--now", PINNED, "--quiet"])
        self.assertEqual(rc, 0, err)
        snap, doc, _ = self.collect_evaluate()
        scopes = {r["subscription_id"]: r for r in snap["collection"]["access"]["role_assignments"]}
        self.assertEqual((scopes[SUBS[0]]["status"], scopes[SUBS[0]]["verdict"]), ("refused", "unknown"))
        self.assertEqual(scopes[SUBS[1]]["verdict"], "reads-writes")
        self.assertEqual(scopes[SUBS[1]]["assignments"][0]["role_name"], "Contributor")
        self.assertEqual(scopes[SUBS[2]]["verdict"], "no-read")
        self.assertFalse(scopes[SUBS[2]]["assignments"][0]["covers_subscription"])
        # a refused read of the principal's own access is recorded, not a failed collection
        self.assertEqual(snap["collection"]["complete"], load(sample_snap)["collection"]["complete"])
        found = self.access_findings(doc)
        self.assertEqual(found["/subscriptions/" + SUBS[0]]["status"], "incomplete")
        self.assertIn("refused", found["/subscriptions/" + SUBS[0]]["observed"])
        self.assertEqual(found["/subscriptions/" + SUBS[1]]["status"], "warn")
        self.assertIn("Contributor (can write)", found["/subscriptions/" + SUBS[1]]["observed"])
        self.assertEqual(found["/subscriptions/" + SUBS[2]]["status"], "incomplete")
        self.assertIn("may be incomplete", found["/subscriptions/" + SUBS[2]]["note"])

    def test_recording_without_access_reads_is_not_recorded(self):
        # an older recording: no role assignment lists, no role definitions
        for sub in SUBS:
            for ext in (".json", ".meta.json"):
                os.unlink(os.path.join(self.raw, "subscriptions", sub, "roleAssignments" + ext))
        shutil.rmtree(os.path.join(self.raw, "roleDefinitions"))
        snap, doc, _ = self.collect_evaluate()
        access = snap["collection"]["access"]
        self.assertEqual({r["status"] for r in access["role_assignments"]}, {"not-recorded"})
        self.assertIsNone(access["principal"]["object_id"])
        self.assertEqual(self.access_findings(doc), {})
        self.assertEqual(snap["collection"]["complete"], True)

    def test_guard_only_subscription_is_counted_and_named(self):
        # both proxies name guards in a subscription nothing lists (the sample case)
        other = "7c7c7c7c-1111-4222-8333-966666666666"
        self.config.pop("scope")
        for root, _dirs, files in os.walk(self.raw):
            for name in files:
                if name == "backupResourceGuardProxies.json":
                    path = os.path.join(root, name)
                    with open(path, encoding="utf-8") as f:
                        text = f.read()
                    dump(path, json.loads(text.replace("/subscriptions/" + SUBS[2] + "/resourceGroups/rg-",
                                                       "/subscriptions/" + other + "/resourceGroups/rg-")))
        snap, _, text = self.collect_evaluate(render=True, collect_rc=4)  # the guards' GETs are not recorded
        entry = [s for s in snap["subscriptions"] if s["subscription_id"] == other]
        self.assertEqual(len(entry), 1)
        self.assertFalse(entry[0]["listed"])
        m = re.search(r"(\d+) listed by the subscriptions call, (\d+) only referenced by resource ids: (.{0,400})", text)
        self.assertIsNotNone(m)
        self.assertEqual(m.group(2), "1")
        named = "".join(m.group(3).split())  # the PDF wraps long ids
        self.assertTrue(named.startswith(other + "(resourceguardrguard-"), m.group(3))
        # completeness expects no estate of a subscription only a guard names
        self.assertNotIn("/subscriptions/%s" % other, [l["scope"] for l in snap["collection"]["lists"]
                                                        if l["operation"] in ("vaults", "virtualMachines")])


if __name__ == "__main__":
    main()
