"""The bad-input corpus: each malformed response gives exit 3, a message naming the
file and where in it, no snapshot file, and no sanitizer report (checked by run()).

Good responses sort after the bad one, so reader threads are still preparing bodies when
the normalizer stops at it, and each case runs REPEAT times, a few at once, each with a
timeout: a stop racing a reader used to hang (issue 12, point 1); a single run passed
or failed by timing."""
import concurrent.futures
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from vptest import TempDirTest, main, run  # noqa: E402

VAULT = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v1"
GOOD_VAULTS = json.dumps({"value": [{"id": VAULT, "type": "Microsoft.RecoveryServices/vaults", "location": "eastus"}]})
POLICY = {"id": VAULT + "/backupPolicies/p", "type": "Microsoft.RecoveryServices/vaults/backupPolicies",
          "properties": {"backupManagementType": "AzureIaasVM",
                         "retentionPolicy": {"retentionPolicyType": "SimpleRetentionPolicy",
                                             "retentionDuration": {"count": 30, "durationType": "Days"}}}}


def policy_with(count_literal):
    text = json.dumps({"value": [POLICY]})
    return text.replace('"count": 30', '"count": ' + count_literal)


CASES = {
    # name: (bytes of bad.json, fragments the message must contain)
    "truncated": (GOOD_VAULTS[:-9].encode(), ["bad.json:1:", "truncated"]),
    "wrong_type": (json.dumps({"value": [{"id": VAULT, "type": "Microsoft.RecoveryServices/vaults",
                                          "properties": {"securitySettings": "Locked"}}]}).encode(),
                   ["bad.json: /value/0/properties/securitySettings: expected an object, found a string"]),
    "deep_nesting": (b"[" * 100000 + b"]" * 100000, ["bad.json:1:", "nesting deeper than"]),
    "invalid_utf8": (GOOD_VAULTS.replace("eastus", "east\xffus").encode("latin-1"), ["bad.json:1:", "invalid UTF-8"]),
    "empty": (b"", ["bad.json: empty file"]),
    "whitespace_only": (b"  \n\t\n", ["bad.json: empty file"]),
    "huge_number": (policy_with("1e300").encode(),
                    ["bad.json: /value/0/properties/retentionPolicy/retentionDuration/count: expected an integer from 0 to 2147483647"]),
    "big_integer": (policy_with("99999999999999999999").encode(), ["/retentionDuration/count: expected an integer"]),
    "negative": (policy_with("-5").encode(), ["/retentionDuration/count: expected an integer"]),
    "duplicate_keys": (GOOD_VAULTS.replace('"location": "eastus"', '"location": "eastus", "location": "westus"').encode(),
                       ["bad.json: /value/0/location: duplicate object key"]),
    "string_50mb": (b'{"value": [{"id": "' + b"x" * (50 << 20) + b'"}]}', ["bad.json:1:", "expected at most 1048576 bytes"]),
    "trailing_garbage": (GOOD_VAULTS.encode() + b" {}", ["bad.json:1:", "unexpected data after the JSON value"]),
    "not_a_resource": (b'{"value": [42]}', ["bad.json: /value/0: expected a resource object, found a number"]),
    "scalar_document": (b'"vaults"', ["bad.json: (document root): expected an ARM list"]),
    "bad_time": (json.dumps([{"id": VAULT + "/backupFabrics/Azure/protectionContainers/c/protectedItems/i",
                              "type": "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems",
                              "properties": {"lastBackupTime": "last Tuesday"}}]).encode(),
                 ["bad.json: /0/properties/lastBackupTime: 'last Tuesday'; expected an RFC 3339 time"]),
    "nul_byte": (b'{"value": [\x00]}', ["bad.json:1:"]),
}


REPEAT = 8
PARALLEL = 4
RUN_TIMEOUT = 30
FILLERS = 12  # good bodies after bad.json: readers are busy with them when it fails


def filler(k):
    """A good vault list of a few hundred vaults (some parsing work for a reader)."""
    base = VAULT[:-len("v1")]
    return json.dumps({"value": [{"id": "%sf%d-%d" % (base, k, i), "type": "Microsoft.RecoveryServices/vaults",
                                  "location": "eastus"} for i in range(300)]})


class BadInput(TempDirTest):
    def check(self, name, data, fragments, file_name="bad.json"):
        raw = self.path("raw-" + name)
        os.makedirs(raw)
        with open(os.path.join(raw, "a-vaults.json"), "w") as f:
            f.write(GOOD_VAULTS)
        with open(os.path.join(raw, file_name), "wb") as f:
            f.write(data)
        for k in range(FILLERS):
            with open(os.path.join(raw, "z-vaults-%02d.json" % k), "w") as f:
                f.write(filler(k))

        def once(k):
            out = self.path("out-%s-%d.json" % (name, k))
            try:
                rc, stdout, err = run(["collect", "--replay", raw, "--out", out], timeout=RUN_TIMEOUT)
            except subprocess.TimeoutExpired:
                return None, "", "", out
            return rc, stdout, err, out

        with concurrent.futures.ThreadPoolExecutor(PARALLEL) as pool:
            results = list(pool.map(once, range(REPEAT)))
        for k, (rc, stdout, err, out) in enumerate(results):
            self.assertIsNotNone(rc, "%s run %d: no exit within %ds (hang)" % (name, k, RUN_TIMEOUT))
            self.assertEqual(rc, 3, "%s run %d: exit %d, stderr %s" % (name, k, rc, err[:500]))
            for frag in fragments:
                self.assertIn(frag, err, "%s: message lacks %r" % (name, frag))
            self.assertLess(len(err), 2000, "%s: the message echoes the input" % name)
            self.assertFalse(os.path.exists(out), "%s left a snapshot" % name)
            self.assertEqual(stdout, "")
        self.assertEqual([f for f in os.listdir(self.tmp) if f.startswith("out-")], [], "%s left a temp file" % name)


def make(name, data, fragments):
    return lambda self: self.check(name, data, fragments)


for _name, (_data, _frags) in CASES.items():
    setattr(BadInput, "test_" + _name, make(_name, _data, _frags))


class BadSidecar(TempDirTest):
    def test_sidecar_with_wrong_operation(self):
        raw = self.path("raw")
        os.makedirs(raw)
        with open(os.path.join(raw, "vaults.json"), "w") as f:
            f.write(GOOD_VAULTS)
        with open(os.path.join(raw, "vaults.meta.json"), "w") as f:
            json.dump({"format": "vaultproof-capture/1", "method": "GET", "url": "https://management.azure.com/x",
                       "status": 200, "requested_at": "2026-09-30T02:00:00Z", "received_at": "2026-09-30T02:00:01Z",
                       "retries": 0, "headers": {}, "call": {"operation": "vault", "scope": "/subscriptions/s1",
                                                             "page": 1, "next_link": None, "complete": True}}, f)
        rc, _, err = run(["collect", "--replay", raw, "--out", self.path("s.json")])
        self.assertEqual(rc, 3)
        self.assertIn("vaults.meta.json: /call/operation: 'vault'; expected one of", err)


if __name__ == "__main__":
    main()
