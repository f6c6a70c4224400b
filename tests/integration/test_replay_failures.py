"""One bad response in a replay directory ends `collect --replay` and `pack --replay`
promptly with the documented exit code, every time, also under CPU load.

The replay reads bodies on reader threads ahead of the normalizer. When the normalizer
stopped at a bad body while a reader was still preparing a later one, that reader
offered the body anyway and waited forever for it to be taken (issue 12, point 1):
a hang that depended on timing, and a hung pack kept ARCHIVE/.pack.lock so every later
pack was refused. Each case therefore runs many times, a few at a time, half of them
next to busy-looping processes, each run with a timeout (a timeout is a failure).

VP_REPLAY_REPS (default 50; 6 under the sanitizers, VP_SANITIZED=1, and no busy loops
there: the timing-dependent hang is the plain build's to catch, the sanitizers' to check
the failure path's memory use, which a few runs do as well as many, while busy loops
would only take the CPU the rest of that pass needs) and VP_RUN_TIMEOUT (seconds,
default 30) tune the runs.
"""
import concurrent.futures
import fcntl
import glob
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from vptest import (copy_point_in_time, BINARY, PINNED, SAMPLE, SANITIZED, SANITIZER_MARKERS,  # noqa: E402
                    TempDirTest, main)

REPS = int(os.environ.get("VP_REPLAY_REPS", "6" if SANITIZED else "50"))
HOGS = 0 if SANITIZED else 2
RUN_TIMEOUT = float(os.environ.get("VP_RUN_TIMEOUT", "30"))
PARALLEL = 4
SUB = "subscriptions/74dd82d1-2c42-4ca6-80c5-ffbd52be5231"
NOBODY = 65534


def busy_loops(n):
    """CPU hogs, so reader and normalizer threads are descheduled at awkward points."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]


def run_once(args, user=None, archive=None):
    """(exit code or None for a hang, stderr). A hung process is killed here, after
    noting in stderr whether it held the archive lock while it hung."""
    env = dict(os.environ)
    env.pop("SOURCE_DATE_EPOCH", None)
    p = subprocess.Popen([BINARY] + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, user=user)
    try:
        _, err = p.communicate(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        held = archive is not None and not lock_is_free(archive)
        p.kill()
        p.communicate()
        return None, "; it held .pack.lock meanwhile" if held else ""
    return p.returncode, err.decode("utf-8", "replace")


def lock_is_free(archive):
    path = os.path.join(archive, ".pack.lock")
    if not os.path.exists(path):
        return True
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


class ReplayFailures(TempDirTest):
    @classmethod
    def setUpClass(cls):
        # as root a mode-000 file is still readable: that case runs as nobody instead,
        # or, where nobody cannot run the binary, uses a file too large to open
        cls.user = NOBODY if os.geteuid() == 0 else None
        try:
            cls.mode_000_works = cls.user is None or run_once(["--version"], user=cls.user)[0] == 0
        except OSError:  # the binary sits below a directory nobody may not enter (a mktemp -d clone)
            cls.mode_000_works = False

    def case_dir(self, name):
        """A private copy of part of the sample (the subscription list and one subscription:
        36 bodies after the list, plenty to keep the readers busy when one fails, and
        cheap for pack to copy), readable (and the dir writable) by the run's user."""
        d = self.path(name)
        src, raw = os.path.join(SAMPLE, "raw"), os.path.join(d, "raw")
        copy_point_in_time(os.path.join(src, SUB), os.path.join(raw, SUB))  # the quarter: not read here
        for f in ("subscriptions.json", "subscriptions.meta.json"):
            shutil.copy(os.path.join(src, f), raw)
        os.chmod(self.tmp, 0o755)
        os.chmod(d, 0o777)
        return d

    def keys(self, d, user):
        keys = os.path.join(d, "K")
        rc, err = run_once(["keygen", "--out", keys, "--now", PINNED], user=user)
        self.assertEqual(rc, 0, err)
        return keys

    def args(self, command, d, k, keys):
        raw = os.path.join(d, "raw")
        if command == "collect":
            return ["collect", "--replay", raw, "--out", os.path.join(d, "out-%d.json" % k)]
        return ["pack", "--config", os.path.join(SAMPLE, "vaultproof.json"), "--replay", raw,
                "--out", os.path.join(d, "archive-%d" % k), "--key", os.path.join(keys, "signer.key"),
                "--cert", os.path.join(keys, "signer.pem"), "--now", PINNED, "--period", "2026-Q3"]

    def one(self, command, d, k, keys, user, codes, fragments):
        """A problem found in run k, or None."""
        archive = os.path.join(d, "archive-%d" % k) if command == "pack" else None
        rc, err = run_once(self.args(command, d, k, keys), user, archive)
        if rc is None:
            return "run %d: no exit within %gs (hang)%s" % (k, RUN_TIMEOUT, err)
        if rc not in codes:
            return "run %d: exit %d, expected %s: %s" % (k, rc, codes, err[:300])
        for frag in fragments:
            if frag not in err:
                return "run %d: message lacks %r: %s" % (k, frag, err[:300])
        for marker in SANITIZER_MARKERS:
            if marker in err:
                return "run %d: sanitizer report:\n%s" % (k, err)
        if command == "collect" and os.path.exists(os.path.join(d, "out-%d.json" % k)):
            return "run %d: left a snapshot" % k
        if archive:
            if not lock_is_free(archive):
                return "run %d: exited but .pack.lock is still held" % k
            if glob.glob(os.path.join(archive, ".staging-*")):
                return "run %d: left a staging directory" % k
        return None

    def repeat(self, command, d, codes, fragments, user=None, then_good_pack=False):
        keys = self.keys(d, user) if command == "pack" else None
        problems = []
        hogs = []
        try:
            with concurrent.futures.ThreadPoolExecutor(PARALLEL) as pool:
                for half in (0, 1):
                    if half:
                        hogs = busy_loops(HOGS)
                    runs = range(half * (REPS // 2), REPS if half else REPS // 2)
                    futures = [pool.submit(self.one, command, d, k, keys, user, codes, fragments) for k in runs]
                    for f in futures:
                        problem = f.result()
                        if problem:
                            problems.append(problem)
                            for g in futures:
                                g.cancel()  # one hang is enough; do not wait out every timeout
                            break
                    if problems:
                        break
        finally:
            for h in hogs:
                h.kill()
                h.wait()
        self.assertEqual(problems, [], "%s %s" % (command, os.path.basename(d)))
        if then_good_pack:
            # right after a failed pack, a good pack on the same archive is not refused for the lock
            good = self.args("pack", d, 0, keys)
            good[good.index("--replay") + 1] = os.path.join(SAMPLE, "raw")
            rc, err = run_once(good, user)
            self.assertEqual(rc, 0, err)

    # subscriptions.json is the first body: readers are busy with later ones when it fails

    def truncated(self, command):
        d = self.case_dir("truncated-" + command)
        with open(os.path.join(d, "raw", "subscriptions.json"), "w") as f:
            f.write('{"value": [')
        self.repeat(command, d, [3], ["subscriptions.json:1:", "truncated"], then_good_pack=command == "pack")

    def test_truncated_subscriptions_collect(self):
        self.truncated("collect")

    def test_truncated_subscriptions_pack(self):
        self.truncated("pack")

    def security_string(self, command):
        d = self.case_dir("settings-" + command)
        path = os.path.join(d, "raw", SUB, "vaults.json")
        with open(path) as f:
            doc = json.load(f)
        doc["value"][1]["properties"]["securitySettings"] = "Locked"
        with open(path, "w") as f:
            json.dump(doc, f)
        self.repeat(command, d, [3], [SUB + "/vaults.json: /value/1/properties/securitySettings: "
                                      "expected an object, found a string"])

    def test_security_settings_string_collect(self):
        self.security_string("collect")

    def test_security_settings_string_pack(self):
        self.security_string("pack")

    def unreadable(self, command):
        d = self.case_dir("unreadable-" + command)
        path = os.path.join(d, "raw", SUB, "vaults.json")
        if self.mode_000_works:
            os.chmod(path, 0)
            self.repeat(command, d, [6], [SUB + "/vaults.json", "Permission denied"], user=self.user)
        else:  # refused at open, larger than VP_MAX_INPUT_FILE (sparse: no disk used)
            with open(path, "r+b") as f:
                f.truncate((2048 << 20) + 1)
            self.repeat(command, d, [3], [SUB + "/vaults.json", "expected at most"])

    def test_unreadable_file_collect(self):
        self.unreadable("collect")

    def test_unreadable_file_pack(self):
        self.unreadable("pack")


if __name__ == "__main__":
    main()
