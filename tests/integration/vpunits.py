"""Checking vaultproof's systemd units with `systemd-analyze verify` without a running
systemd (no PID 1 here, none in CI containers): the units are verified inside a root
directory (--root) laid out as the package installs them - the binary at /usr/bin, the
units in /usr/lib/systemd/system - plus copies of the host's target units the timer and
service name (timers.target, network-online.target, sysinit.target, ...), which verify
loads through the dependency graph. verify checks each unit's syntax, that ExecStart's
binary exists and is executable inside the root, and runs `man` for Documentation=
(MANPATH points at the root's man pages). It exits 0 even after "Invalid syntax,
ignoring" warnings, so anything on its stderr is a failure too."""
import glob
import os
import shutil
import subprocess

HOST_UNITS = ("/usr/lib/systemd/system", "/lib/systemd/system")
UNIT_DIR = os.path.join("usr", "lib", "systemd", "system")


def add_host_targets(root):
    """Copies the host's *.target units into root's unit directory (real files: a symlink
    to the host would be resolved inside the root)."""
    dest = os.path.join(root, UNIT_DIR)
    os.makedirs(dest, exist_ok=True)
    found = False
    for d in HOST_UNITS:
        for path in glob.glob(os.path.join(d, "*.target")):
            name = os.path.basename(path)
            if not os.path.exists(os.path.join(dest, name)):
                shutil.copyfile(path, os.path.join(dest, name))
                found = True
    if not found and not glob.glob(os.path.join(dest, "timers.target")):
        raise AssertionError("no systemd target units in %s (install systemd: scripts/install-deps)" % (HOST_UNITS,))


def verify(root, *units):
    """(exit status, stdout + stderr) of systemd-analyze verify of units inside root."""
    exe = shutil.which("systemd-analyze")
    if not exe:
        raise AssertionError("systemd-analyze not found (package systemd: scripts/install-deps)")
    env = dict(os.environ, MANPATH=os.path.join(root, "usr", "share", "man"))
    p = subprocess.run([exe, "--root=" + root, "verify"] + list(units), capture_output=True, text=True, env=env,
                       timeout=60)
    return p.returncode, (p.stdout + p.stderr).strip()
