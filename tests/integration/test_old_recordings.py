"""Issue 13, "Replay of the existing sample and of recordings made before this change
still works": the new binary replays tests/data/recordings/pre-13-contoso (the sample
estate as it was recorded before issue 13, api-version 2024-04-01, no resourceGuards /
backupEngines / deletedVaults calls) and judges it as the pre-change binary did.

The oracle, pre-13-contoso.findings-b5d84bd.json, was produced by commit b5d84bd (see
tests/data/recordings/README.md). Every (rule, resource) pair it holds must still be
found with the same status, except the pairs listed in DELIBERATE, each with the reason
the new behaviour is intended. Pairs the new binary adds (new rules, new list calls) are
not compared: the old binary could not have judged them.
"""
import hashlib
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from vptest import SAMPLE, SOURCE, TempDirTest, load, main, run  # noqa: E402

RECORDINGS = os.path.join(SOURCE, "tests", "data", "recordings")
PRE13 = os.path.join(RECORDINGS, "pre-13-contoso")
ORACLE = os.path.join(RECORDINGS, "pre-13-contoso.findings-b5d84bd.json")
CONFIG = os.path.join(SAMPLE, "vaultproof.json")
NOW = "2026-10-01T00:00:00Z"  # the clock the oracle was produced with
# sha256 of the sorted "sha256 path" lines of every file in pre-13-contoso (86 files) as
# copied from samples/contoso-health/raw at b5d84bd: the recording must never be edited.
PRE13_MANIFEST = "9584620e14b72b52724bfb6a0f46658597ec04e6cd4c304b09531863d6bbffd4"

_SUB_PROD = "/subscriptions/74dd82d1-2c42-4ca6-80c5-ffbd52be5231"
_SUB_FIN = "/subscriptions/ee5069bf-cd72-4c61-bacb-150ed73a18e5"
_WUS3 = _SUB_PROD + "/resourceGroups/rg-backup-prd-wus3/providers/Microsoft.RecoveryServices/vaults/rsv-epic-immutable-wus3"
_PLC = _SUB_FIN + "/resourceGroups/rg-backup-fin-plc/providers/Microsoft.RecoveryServices/vaults/rsv-fin-sox-plc"

_SUB_NPD = "/subscriptions/e608fb0d-26e7-4f43-82d7-dce452427c58"
_GWN = _SUB_NPD + "/resourceGroups/rg-backup-npd-gwn/providers/Microsoft.RecoveryServices/vaults/rsv-epic-nonprod-gwn"
_CHW = _SUB_PROD + "/resourceGroups/rg-backup-dr-chw/providers/Microsoft.RecoveryServices/vaults/rsv-epic-dr-chw"


def _item(vault, rg, vm):
    c = "iaasvmcontainerv2;%s;%s" % (rg, vm)
    return "%s/backupFabrics/Azure/protectionContainers/IaasVMContainer;%s/protectedItems/VM;%s" % (vault, c, c)


# (rule, resource id) -> (status at b5d84bd, status now, why the change is intended).
# One entry per pair, never a whole rule at once.
DELIBERATE = {
    ("mua.resource-guard", _WUS3): (
        "pass", "incomplete",
        "issue 13: a proxy alone no longer passes; the guard it names "
        "(subscription 6c3f01ad-…, outside the scope) is not read, so the excluded "
        "operations cannot be judged"),
    ("mua.resource-guard", _PLC): (
        "pass", "incomplete",
        "issue 13: same guard as rsv-epic-immutable-wus3, outside the scope, not read"),
    ("backup.rpo", _item(_WUS3, "rg-epic-prd-wus3", "epicic-prd-03")): (
        "pass", "fail",
        "issue 14: the RPO is measured on the last successful backup; its last backup "
        "failed, and its last recovery point is older than the RPO"),
    ("backup.rpo", _item(_GWN, "rg-epic-npd-gwn", "epicic-tst-01")): (
        "fail", "pass",
        "issue 14: measured on the recovery point (what can be restored), a few minutes "
        "after the job's start time that was measured before, within the RPO"),
    ("backup.rpo", _item(_GWN, "rg-epic-npd-gwn", "epicic-tst-02")): (
        "fail", "pass", "issue 14: as epicic-tst-01, recovery point within the RPO"),
    ("backup.rpo", _item(_GWN, "rg-epic-npd-gwn", "epicodb-tst-01")): (
        "fail", "pass", "issue 14: as epicic-tst-01, recovery point within the RPO"),
    ("protection.state", _item(_CHW, "rg-epic-dr-chw", "epicodb-dr-02")): (
        "pass", "warn", "issue 14: health is evaluated; healthStatus ActionSuggested warns"),
    ("protection.state", _item(_WUS3, "rg-epic-prd-wus3", "epicmychart-prd-04")): (
        "pass", "warn", "issue 14: health is evaluated; healthStatus ActionSuggested warns"),
}


def _key(rule, resource_id):
    # ARM ids compare case-insensitively (the pre-13 recording spells Backup-RP ids
    # with /Subscriptions/); the rule name is exact.
    return (rule, resource_id.lower())


# A recording made before vaultproof read backup engines, soft-deleted vaults and resource
# guards has none of those calls, while its sidecars prove it is a verified recording: the
# calls are `missing`, collect writes the snapshot and exits 4 ("missing from a
# recording", docs/replay-format.md). Treating calls a recording never made as not
# expected would let anyone hide engines by deleting their files; the snapshot says
# exactly which calls are missing and only the findings resting on them are incomplete.
PRE13_EXIT = 4


class OldRecordingTest(TempDirTest):
    def collect(self, out):
        rc, _, err = run(["collect", "--replay", PRE13, "--config", CONFIG, "--now", NOW,
                          "--out", out, "--quiet"])
        self.assertIn(rc, (0, 4), "issue 13 (old recordings still replay): collect --replay "
                                  "pre-13-contoso exited %d:\n%s" % (rc, err))
        return out, rc, err

    def test_replay_exit_status(self):
        _out, rc, err = self.collect(self.path("s.json"))
        self.assertEqual(rc, PRE13_EXIT, "issue 13 (old recordings still replay): collect --replay "
                                         "pre-13-contoso exited %d:\n%s" % (rc, err))

    def test_recording_is_unchanged(self):
        lines = []
        for root, _dirs, files in os.walk(PRE13):
            for name in files:
                path = os.path.join(root, name)
                with open(path, "rb") as f:
                    lines.append("%s %s\n" % (hashlib.sha256(f.read()).hexdigest(), os.path.relpath(path, PRE13)))
        digest = hashlib.sha256("".join(sorted(lines)).encode()).hexdigest()
        self.assertEqual(digest, PRE13_MANIFEST, "tests/data/recordings/pre-13-contoso was edited; it is a "
                                                 "recording made before issue 13 and must stay as recorded")

    def test_oracle_is_well_formed(self):
        doc = load(ORACLE)
        self.assertEqual(doc["produced_by"]["commit"][:7], "b5d84bd")
        keys = [_key(r, i) for r, i, _s in doc["findings"]]
        self.assertEqual(len(keys), len(set(keys)), "oracle pairs must be unique")
        self.assertGreater(len(keys), 1000)
        for (rule, rid), (old, _new, _why) in DELIBERATE.items():
            found = [s for r, i, s in doc["findings"] if _key(r, i) == _key(rule, rid)]
            self.assertEqual(found, [old], "DELIBERATE entry %s %s does not match the oracle" % (rule, rid))

    def test_replay_is_byte_identical(self):
        a = self.collect(self.path("a.json"))[0]
        b = self.collect(self.path("b.json"))[0]
        with open(a, "rb") as fa, open(b, "rb") as fb:
            self.assertEqual(fa.read(), fb.read(),
                             "issue 13 (old recordings): two replays of pre-13-contoso differ")
        snap = load(a)
        self.assertEqual(snap["format"], "vaultproof-snapshot/2",
                         "an old recording is read into the current snapshot format")
        self.assertEqual(len(snap["vaults"]), 7)
        self.assertEqual(len(snap["protected_items"]), 295)
        for v in snap["vaults"]:
            # The api-version comes from the capture sidecar URL; the pre-13 recording
            # was made at 2024-04-01, so absence of securitySettings keeps meaning
            # "not reported" (COMMON13 "Immutability").
            self.assertEqual(v.get("api_version"), "2024-04-01", "issue 13 (api_version from the sidecar URL): " + v["name"])
        # New kinds are absent from the recording: nothing invented.
        self.assertEqual([g["id"] for g in snap.get("resource_guards", []) if g["status"] == "read"], [])
        self.assertEqual(snap.get("backup_engines", []), [])
        self.assertEqual(snap.get("deleted_vaults", []), [])

    def test_findings_match_the_pre_change_binary(self):
        snap = self.collect(self.path("snapshot.json"))[0]
        out = self.path("findings.json")
        rc, _, err = run(["evaluate", "--snapshot", snap, "--config", CONFIG, "--now", NOW, "--out", out])
        self.assertEqual(rc, 0, err)
        now = {}
        for f in load(out)["findings"]:
            now[_key(f["rule"], f["resource"]["id"])] = f["status"]
        deliberate = {_key(r, i): v for (r, i), v in DELIBERATE.items()}
        lost, changed, unexpected_ok = [], [], []
        for rule, rid, old in load(ORACLE)["findings"]:
            k = _key(rule, rid)
            if k not in now:
                lost.append("%s %s (was %s)" % (rule, rid, old))
                continue
            if k in deliberate:
                if now[k] != deliberate[k][1]:
                    unexpected_ok.append("%s %s: expected %s now (%s), got %s"
                                         % (rule, rid, deliberate[k][1], deliberate[k][2], now[k]))
            elif now[k] != old:
                changed.append("%s %s: %s -> %s" % (rule, rid, old, now[k]))
        msg = []
        if lost:
            msg.append("findings of b5d84bd no longer produced:\n  " + "\n  ".join(lost[:40]))
        if changed:
            msg.append("status changed without a DELIBERATE entry:\n  " + "\n  ".join(changed[:40]))
        if unexpected_ok:
            msg.append("DELIBERATE entries not met:\n  " + "\n  ".join(unexpected_ok))
        self.assertFalse(msg, "issue 13 (old recordings judged as before):\n" + "\n".join(msg))


if __name__ == "__main__":
    main()
