"""Strict JSON end to end (issue 12, point 3): a raw response cJSON would misread is
refused by collect with exit 3, naming the file and the JSON pointer, and no snapshot
is written. The sample estate is copied and one value in it is changed."""
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(__file__))
from vptest import copy_point_in_time, SAMPLE, TempDirTest, main, run  # noqa: E402

SUB = "subscriptions/74dd82d1-2c42-4ca6-80c5-ffbd52be5231"
VAULTS = SUB + "/vaults.json"
POLICIES = SUB + "/vaults/rsv-epic-immutable-wus3/backupPolicies.json"
STATE = "/value/0/properties/securitySettings/immutabilitySettings/state"


class StrictJson(TempDirTest):
    def collect_with(self, rel, old, new):
        raw = self.path("raw")
        copy_point_in_time(os.path.join(SAMPLE, "raw"), raw)
        path = os.path.join(raw, rel)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        self.assertIn(old, text)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace(old, new, 1))
        out = self.path("snapshot.json")
        rc, _, err = run(["collect", "--replay", raw, "--config", os.path.join(SAMPLE, "vaultproof.json"),
                          "--out", out], timeout=30)  # a hang fails the test (issue 12, point 1)
        return rc, err, rel, out

    def test_escaped_nul_in_immutability_state(self):
        # cJSON would read "Locked" and immutability.locked would pass, while any other
        # reader of the raw file sees an unknown state
        rc, err, path, out = self.collect_with(VAULTS, '"state": "Locked"',
                                               '"state": "Locked\\u0000 (not really: Unlocked)"')
        self.assertEqual(rc, 3, err)
        self.assertIn(path + ":", err)  # as named relative to the replay directory
        self.assertIn(STATE + ": escaped NUL (\\u0000) in a string", err)
        self.assertFalse(os.path.exists(out))

    def test_invalid_unicode_escape(self):
        rc, err, path, out = self.collect_with(VAULTS, '"state": "Locked"', '"state": "Locked\\uZZZZ"')
        self.assertEqual(rc, 3, err)
        self.assertIn(path + ":", err)  # as named relative to the replay directory
        self.assertIn(STATE + ": invalid escape '\\uZZZZ'", err)
        self.assertFalse(os.path.exists(out))

    def test_exponent_overflow(self):
        # 1e999 is infinity as a double
        rc, err, path, out = self.collect_with(POLICIES, '"count": 30,', '"count": 1e999,')
        self.assertEqual(rc, 3, err)
        self.assertIn(path + ":", err)  # as named relative to the replay directory
        self.assertIn("/retentionDuration/count: number 1e999 is out of range", err)
        self.assertFalse(os.path.exists(out))

    def test_leading_zero(self):
        rc, err, path, out = self.collect_with(POLICIES, '"count": 30,', '"count": 030,')
        self.assertEqual(rc, 3, err)
        self.assertIn(path + ":", err)  # as named relative to the replay directory
        self.assertIn("/retentionDuration/count: number with a leading zero", err)
        self.assertFalse(os.path.exists(out))


if __name__ == "__main__":
    main()
