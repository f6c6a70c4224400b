#!/usr/bin/env python3
"""A fault-injecting Azure Resource Manager emulator for testing vaultproof's live collector.

Serves a replay directory (docs/replay-format.md) as ARM list/get routes over HTTPS, issues
tokens like Entra ID (secret, certificate assertion, federated token) and like IMDS / App
Service managed identity, and misbehaves on request (faults). Contract: README.md beside it.

    python3 tests/emulator/arm_emulator.py --replay DIR --state-dir DIR [--page-size N] ...

Tests use the Emulator class, which runs this file in a subprocess.
"""
import argparse
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import emu_arm  # noqa: E402
import emu_auth  # noqa: E402
import emu_estate  # noqa: E402
import emu_faults  # noqa: E402
import emu_keyvault  # noqa: E402
import emu_pki  # noqa: E402
import emu_server  # noqa: E402


class EmulatorCore:
    """Shared state of both servers (everything a handler needs, no globals)."""

    def __init__(self, args, pki, arm_url, faults):
        self.arm_url = arm_url
        self.verbose = args.verbose
        self.latency = args.latency_ms / 1000.0
        self.store = emu_auth.TokenStore()
        self.identities = emu_auth.Identities(pki, arm_url, args.token_lifetime, self.store)
        self.estate = emu_estate.Estate(args.replay)
        self.pager = emu_arm.Pager(args.page_size)
        self.ratelimits = emu_arm.RateLimits(args.ratelimit_reads)
        self.faults = emu_faults.Faults(faults)
        self.stats_obj = emu_server.Stats()
        self.keyvault = emu_keyvault.KeyVault(pki.dir, arm_url)

    def stats(self):
        return self.stats_obj.snapshot(self.faults.fired)

    def auth_failure(self, header):
        """None when the Authorization header carries a live token, else (ARM code, message)."""
        scheme, _, token = (header or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return "InvalidAuthenticationToken", "The access token is missing or invalid."
        state = self.store.check(token.strip())
        if state == "expired":
            return "ExpiredAuthenticationToken", "The access token expiry UTC time is earlier than current UTC time."
        if state != "valid":
            return "InvalidAuthenticationToken", "The access token is invalid."
        aud = self.store.claims(token.strip()).get("aud")
        if aud != emu_auth.ARM_RESOURCE:  # e.g. a Key Vault token: ARM's answer to it
            return "InvalidAuthenticationToken", ("The access token has been obtained for wrong audience or resource "
                                                  "'%s'. It should exactly match with one of the allowed audiences "
                                                  "'https://management.azure.com/'." % aud)
        return None


def _write_json_atomic(path, doc):
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)


def _parse_args(argv):
    p = argparse.ArgumentParser(description="Fault-injecting ARM emulator (see tests/emulator/README.md).")
    p.add_argument("--replay", required=True, help="replay directory to serve")
    p.add_argument("--state-dir", required=True, help="where certificates, keys and ready.json go")
    p.add_argument("--page-size", type=int, default=200)
    p.add_argument("--latency-ms", type=int, default=0, help="added to every ARM and token response")
    p.add_argument("--faults", help="JSON file with a list of fault rules")
    p.add_argument("--token-lifetime", type=int, default=3600, help="seconds")
    p.add_argument("--ratelimit-reads", type=int, default=11999,
                   help="initial x-ms-ratelimit-remaining-subscription-reads per subscription")
    p.add_argument("--verbose", action="store_true", help="log request lines (no query strings) to stderr")
    p.add_argument("--parent-pid", type=int, default=0,
                   help="stop when this process is no longer the parent (set by the Emulator class, so a killed "
                        "test run leaves no emulator behind)")
    args = p.parse_args(argv)
    if args.page_size < 1:
        p.error("--page-size must be at least 1")
    if args.token_lifetime < 1:
        p.error("--token-lifetime must be at least 1")
    if not os.path.isdir(args.replay):
        p.error("--replay %s: not a directory" % args.replay)
    return args


def main(argv=None):
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    faults = []
    if args.faults:
        try:
            with open(args.faults, encoding="utf-8") as f:
                faults = emu_faults.validate(json.load(f))
        except (OSError, ValueError) as e:
            sys.stderr.write("arm_emulator: --faults %s: %s\n" % (args.faults, e))
            return 2
    state_dir = os.path.abspath(args.state_dir)
    try:
        pki = emu_pki.Pki(state_dir)
    except (OSError, RuntimeError) as e:
        sys.stderr.write("arm_emulator: cannot make the key material in %s: %s\n" % (state_dir, e))
        return 2
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(pki.server_cert, pki.server_key)
    ctx.set_alpn_protocols(["http/1.1"])

    tls = emu_server.TlsServer(("127.0.0.1", 0), None, ctx)
    arm_url = "https://127.0.0.1:%d" % tls.server_address[1]
    try:
        core = EmulatorCore(args, pki, arm_url, faults)
    except (OSError, ValueError) as e:
        sys.stderr.write("arm_emulator: cannot serve the replay directory: %s\n" % e)
        tls.server_close()
        return 2
    tls.emu = core
    plain = emu_server.PlainServer(("127.0.0.1", 0), core)
    imds_url = "http://127.0.0.1:%d" % plain.server_address[1]

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    threads = [threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
               for s in (tls, plain)]
    for t in threads:
        t.start()

    ids = core.identities
    info = {"arm": arm_url, "authority": arm_url, "ca": pki.ca, "tenant": ids.tenant,
            "client_id": ids.client_id, "client_secret": ids.client_secret,
            "cert_client_id": ids.cert_client_id, "client_cert_pem": pki.client_cert_pem,
            "client_cert_p12": pki.client_cert_p12, "client_cert_password": pki.client_cert_password,
            "federated_client_id": ids.federated_client_id, "federated_token_file": pki.federated_token_file,
            "imds": imds_url, "identity_endpoint": imds_url + "/msi/token", "identity_header": ids.identity_header,
            "managed_client_id": ids.managed_client_id, "object_ids": ids.object_ids, "pid": os.getpid()}
    ready = os.path.join(state_dir, "ready.json")
    _write_json_atomic(ready, info)
    sys.stdout.write(json.dumps(info) + "\n")
    sys.stdout.flush()
    if args.verbose:
        sys.stderr.write("arm_emulator: serving %s\n" % json.dumps(core.estate.counts()))

    while not stop.wait(0.5):
        if args.parent_pid and os.getppid() != args.parent_pid:
            break
    for s in (tls, plain):
        s.shutdown()
        s.server_close()
    try:
        os.unlink(ready)
    except OSError:
        pass
    return 0


class Emulator:
    """Runs the emulator in a subprocess for a test:

        with Emulator(replay_dir, page_size=7, faults=[...]) as emu:
            emu.info["arm"], emu.stats(), emu.set_faults([...]), emu.expire_tokens()
    """

    def __init__(self, replay_dir, page_size=200, latency_ms=0, faults=None, token_lifetime=3600,
                 ratelimit_reads=11999, state_dir=None, ready_timeout=20.0):
        self.replay_dir = os.path.abspath(replay_dir)
        self.page_size = page_size
        self.latency_ms = latency_ms
        self.faults = faults
        self.token_lifetime = token_lifetime
        self.ratelimit_reads = ratelimit_reads
        self.ready_timeout = ready_timeout
        self._own_state = state_dir is None
        self.state_dir = state_dir
        self.proc = None
        self.info = None
        self._ctx = None
        self._log = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def start(self):
        if self._own_state:
            self.state_dir = tempfile.mkdtemp(prefix="vp-emu-")
        os.makedirs(self.state_dir, exist_ok=True)
        ready = os.path.join(self.state_dir, "ready.json")
        if os.path.exists(ready):
            os.unlink(ready)
        cmd = [sys.executable, os.path.abspath(__file__), "--replay", self.replay_dir, "--state-dir", self.state_dir,
               "--page-size", str(self.page_size), "--latency-ms", str(self.latency_ms),
               "--token-lifetime", str(self.token_lifetime), "--ratelimit-reads", str(self.ratelimit_reads),
               "--parent-pid", str(os.getpid())]
        if self.faults:
            path = os.path.join(self.state_dir, "faults.json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(self.faults, f)
            cmd += ["--faults", path]
        # stderr goes to a file, not a pipe: a pipe nobody drains could block the emulator.
        self._log = open(os.path.join(self.state_dir, "emulator.log"), "wb")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self._log)
        deadline = time.monotonic() + self.ready_timeout
        while not os.path.exists(ready):
            if self.proc.poll() is not None:
                with open(os.path.join(self.state_dir, "emulator.log"), encoding="utf-8", errors="replace") as f:
                    err = f.read()
                self.stop()
                raise RuntimeError("ARM emulator exited with %s before it was ready:\n%s" % (self.proc.returncode, err))
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("ARM emulator not ready after %.0f s" % self.ready_timeout)
            time.sleep(0.05)
        with open(ready, encoding="utf-8") as f:
            self.info = json.load(f)
        self._ctx = ssl.create_default_context(cafile=self.info["ca"])
        return self

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None
        self._cleanup()

    def _cleanup(self):
        if self._own_state and self.state_dir:
            shutil.rmtree(self.state_dir, ignore_errors=True)

    def _control(self, method, name, doc=None):
        data = None if doc is None else json.dumps(doc).encode("utf-8")
        req = urllib.request.Request(self.info["arm"] + "/_emulator/" + name, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, context=self._ctx, timeout=10) as resp:
            return json.loads(resp.read().decode("utf-8"))

    def stats(self):
        return self._control("GET", "stats")

    def set_faults(self, rules):
        return self._control("POST", "faults", list(rules))

    def expire_tokens(self):
        return self._control("POST", "expire-tokens", {})

    def rotate_federated_token(self):
        return self._control("POST", "rotate-federated-token", {})

    def kv_create_key(self, name, kty="RSA", **spec):
        """A new Key Vault key version: {"kid", "public_key": PEM path} (emu_keyvault.py)."""
        return self._control("POST", "keyvault/keys", dict(spec, name=name, kty=kty))

    def kv_deny(self, object_ids):
        """These principals (object ids) get 403 ForbiddenByRbac from Key Vault."""
        return self._control("POST", "keyvault/deny", list(object_ids))


if __name__ == "__main__":
    sys.exit(main())
