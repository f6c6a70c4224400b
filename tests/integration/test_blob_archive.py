"""pack --archive-url against Azurite (the Blob Storage emulator, npm, started here on
127.0.0.1 with TLS from the ARM emulator's test CA) and the ARM emulator (the container's
immutability policy): blobs land with the right MD5, re-running is idempotent, a different
blob at a bundle's name is refused with the local bundle intact, verify --ledger reads the
archive back from its URL and fails once a blob is tampered with, the policy is recorded in
the signed manifest (Locked) or warned about (Unlocked, none), --require-worm-archive
fails before anything is written, a listing name with ".." is refused, and neither the SAS
nor the token is in any output or file.

Azurite comes from scripts/install-test-tools (scripts/test runs it); missing, the test
FAILS. Authentication to the container: a SAS (account SAS made here with the well-known
devstoreaccount1 key, HMAC-SHA256) in an environment variable, or an Entra-shaped bearer
token for https://storage.azure.com in a token file (Azurite's --oauth basic checks its
issuer, audience and lifetime, not its signature). The ARM read uses the emulator's client
secret.
"""
import base64
import datetime
import hashlib
import hmac
import http.client
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import tarfile
import tempfile
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from vptest import light_sample, load, PINNED, SAMPLE, SOURCE, main, run, secrets_found  # noqa: E402

sys.path.insert(0, os.path.join(SOURCE, "tests", "emulator"))
from arm_emulator import Emulator  # noqa: E402
from test_live_collect import secret_env  # noqa: E402

# Azurite's well-known development account (public, documented by Microsoft for the emulator)
ACCOUNT = "devstoreaccount1"
ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
SUB = "74dd82d1-2c42-4ca6-80c5-ffbd52be5231"  # the sample's first subscription
RG = "rg-evidence"
ACCOUNT_ID = "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Storage/storageAccounts/%s" % (SUB, RG, ACCOUNT)
SAS_VAR = "VP_TEST_ARCHIVE_SAS"


def azurite_bin():
    d = subprocess.run([os.path.join(SOURCE, "scripts", "install-test-tools"), "--print-dir"], check=True,
                       capture_output=True, text=True).stdout.strip()
    return os.path.join(d, "azurite-blob")


def container_resource(name, state=None, days=0):
    """A BlobContainers_Get body shaped as Azure's
    BlobContainersGetWithAllowProtectedAppendWritesAll.json (azure-rest-api-specs,
    specification/storage/Storage.Management/examples/2024-01-01)."""
    props = {"hasImmutabilityPolicy": state is not None, "hasLegalHold": False, "publicAccess": "None",
             "leaseState": "Available", "leaseStatus": "Unlocked", "lastModifiedTime": "2026-01-05T10:00:00Z"}
    if state is not None:
        props["immutabilityPolicy"] = {"etag": "\"8d592d74cb3011a\"", "properties": {
            "allowProtectedAppendWrites": False, "immutabilityPeriodSinceCreationInDays": days, "state": state},
            "updateHistory": []}
    return {"name": name, "type": "Microsoft.Storage/storageAccounts/blobServices/containers",
            "etag": "\"0x8D592D74CC20EBA\"", "id": ACCOUNT_ID + "/blobServices/default/containers/" + name,
            "properties": props}


def storage_token_file(path):
    """An `az account get-access-token --resource https://storage.azure.com` file whose JWT
    has the claims Azurite's basic OAuth check reads (unsigned: Azurite does not verify)."""
    now = int(time.time())
    b64 = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()  # noqa: E731
    token = "%s.%s.%s" % (b64({"alg": "RS256", "typ": "JWT"}), b64({
        "aud": "https://storage.azure.com", "iss": "https://sts.windows.net/72f988bf-0000-0000-0000-000000000001/",
        "iat": now - 60, "nbf": now - 60, "exp": now + 3600, "appid": "11111111-2222-3333-4444-555555555555",
        "oid": "66666666-7777-8888-9999-000000000000", "tid": "72f988bf-0000-0000-0000-000000000001"}),
        base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode())
    with open(path, "w") as f:
        json.dump({"accessToken": token, "expires_on": now + 3600, "tokenType": "Bearer",
                   "expiresOn": time.strftime("%Y-%m-%d %H:%M:%S.000000", time.localtime(now + 3600))}, f)
    os.chmod(path, 0o600)
    return token


def account_sas():
    """An account SAS (sv 2021-08-06: blob service, service/container/object, read, write,
    delete, list, add, create), signed with the account key as Azure documents."""
    expiry = (datetime.datetime.utcnow() + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    fields = dict(sv="2021-08-06", ss="b", srt="sco", sp="rwdlac", se=expiry, spr="https")
    to_sign = "\n".join([ACCOUNT, fields["sp"], fields["ss"], fields["srt"], "", fields["se"], "", fields["spr"],
                         fields["sv"], "", ""])
    sig = base64.b64encode(hmac.new(base64.b64decode(ACCOUNT_KEY), to_sign.encode(), hashlib.sha256).digest()).decode()
    fields["sig"] = sig
    return urllib.parse.urlencode(fields), sig


class BlobArchive(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="vp-blob-")
        cls.outputs = []
        # ARM: the storage account (for the look-up by name) and three containers
        estate = os.path.join(cls.tmp, "estate")
        os.makedirs(estate)
        with open(os.path.join(estate, "storage.json"), "w") as f:
            json.dump({"value": [
                {"id": ACCOUNT_ID, "name": ACCOUNT, "type": "Microsoft.Storage/storageAccounts",
                 "location": "westeurope", "kind": "StorageV2"},
                container_resource("evidence-locked", "Locked", 2555),
                container_resource("evidence-unlocked", "Unlocked", 7),
                container_resource("evidence-none"),
                # the subscription itself, for doctor's check of the scope (test_5)
                {"id": "/subscriptions/" + SUB, "subscriptionId": SUB, "displayName": "Evidence archive",
                 "state": "Enabled"}]}, f)
        cls.emu = Emulator(estate)
        cls.emu.__enter__()
        info = cls.emu.info
        # Azurite, TLS with the emulator's server certificate (the same test CA)
        state = cls.emu.state_dir
        binary = azurite_bin()
        if not os.path.exists(binary):
            raise AssertionError("%s missing: run scripts/install-test-tools" % binary)
        cls.azurite_log = open(os.path.join(cls.tmp, "azurite.log"), "w+")
        cls.azurite = subprocess.Popen([binary, "--blobHost", "127.0.0.1", "--blobPort", "0", "--location",
                                        os.path.join(cls.tmp, "azurite"), "--cert",
                                        os.path.join(state, "server.pem"), "--key",
                                        os.path.join(state, "server-key.pem"), "--oauth", "basic",
                                        "--disableTelemetry", "--silent"],
                                       stdout=cls.azurite_log, stderr=subprocess.STDOUT)
        cls.port = None
        deadline = time.time() + 30
        while time.time() < deadline and cls.port is None:
            cls.azurite_log.seek(0)
            m = re.search(r"listens on https://127\.0\.0\.1:(\d+)", cls.azurite_log.read())
            if m:
                cls.port = int(m.group(1))
            elif cls.azurite.poll() is not None:
                break
            else:
                time.sleep(0.1)
        if cls.port is None:
            cls.azurite_log.seek(0)
            raise AssertionError("azurite did not start:\n" + cls.azurite_log.read())
        cls.ctx = ssl.create_default_context(cafile=info["ca"])
        cls.sas, cls.sig = account_sas()
        cls.token_file = os.path.join(cls.tmp, "storage-token.json")
        cls.token = storage_token_file(cls.token_file)
        for c in ("evidence-locked", "evidence-unlocked", "evidence-none"):
            status, _ = cls.blob_request("PUT", "/%s?restype=container" % c)
            assert status == 201, status
        rc, _, err = run(["keygen", "--out", os.path.join(cls.tmp, "K"), "--now", PINNED])
        assert rc == 0, err

    @classmethod
    def tearDownClass(cls):
        cls.azurite.terminate()
        try:
            cls.azurite.wait(10)
        except subprocess.TimeoutExpired:
            cls.azurite.kill()
            cls.azurite.wait()
        cls.azurite_log.close()
        cls.emu.__exit__(None, None, None)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    # ---- helpers ----

    @classmethod
    def blob_request(cls, method, path, body=None, headers=None):
        """A request to Azurite with the account SAS; path is below the account."""
        conn = http.client.HTTPSConnection("127.0.0.1", cls.port, context=cls.ctx, timeout=30)
        sep = "&" if "?" in path else "?"
        h = {"x-ms-version": "2021-08-06"}
        h.update(headers or {})
        conn.request(method, "/%s%s%s%s" % (ACCOUNT, path, sep, cls.sas), body=body, headers=h)
        r = conn.getresponse()
        data = r.read()
        conn.close()
        return r.status, data

    def put_blob(self, container, name, data):
        status, body = self.blob_request("PUT", "/%s/%s" % (container, name), data, {"x-ms-blob-type": "BlockBlob"})
        self.assertEqual(status, 201, body)

    def list_blobs(self, container, prefix):
        status, body = self.blob_request("GET", "/%s?restype=container&comp=list&prefix=%s" %
                                         (container, urllib.parse.quote(prefix + "/")))
        self.assertEqual(status, 200, body)
        return [n[len(prefix) + 1:] for n in re.findall(r"<Name>([^<]*)</Name>", body.decode())]

    def get_blob(self, container, name):
        status, body = self.blob_request("GET", "/%s/%s" % (container, name))
        self.assertEqual(status, 200, body)
        return body

    def url(self, container, prefix):
        return "https://127.0.0.1:%d/%s/%s/%s" % (self.port, ACCOUNT, container, prefix)

    def vp(self, args, expect, env_extra=None):
        env = secret_env(self.emu.info)
        env[SAS_VAR] = self.sas
        env.update(env_extra or {})
        rc, out, err = run(args, env=env, timeout=300)
        self.outputs.append(out + err)
        self.assertEqual(rc, expect, out + err)
        return out, err

    def pack(self, archive, url, *extra, expect=0, now=PINNED, auth=None):
        info = self.emu.info
        k = os.path.join(self.tmp, "K")
        auth = auth or ["--archive-sas-env", SAS_VAR]
        args = ["pack", "--config", os.path.join(SAMPLE, "vaultproof.json"), "--replay", light_sample(),
                "--period", "2026-Q3", "--out", archive, "--key", os.path.join(k, "signer.key"), "--cert",
                os.path.join(k, "signer.pem"), "--ca", os.path.join(k, "ca.pem"), "--now", now,
                "--archive-url", url] + auth + ["--arm-endpoint", info["arm"],
                "--authority-host", info["authority"], "--ca-bundle", info["ca"]] + list(extra)
        return self.vp(args, expect)

    def verify_url(self, url, expect, auth=None):
        """verify --ledger URL with its own TMPDIR, which must be empty again afterwards."""
        tmpdir = os.path.join(self.tmp, "tmpdir")
        os.makedirs(tmpdir, exist_ok=True)
        res = self.vp(["verify", "--ledger", url, "--trust", os.path.join(self.tmp, "K", "ca.pem"),
                       "--ca-bundle", self.emu.info["ca"]] + (auth or ["--archive-sas-env", SAS_VAR]), expect,
                      env_extra={"TMPDIR": tmpdir})
        self.assertEqual(os.listdir(tmpdir), [], "the private download directory is removed")
        return res

    def manifest(self, bundle):
        with tarfile.open(bundle, "r:gz") as tar:
            for m in tar.getmembers():
                if m.name.endswith("/manifest.json"):
                    return json.loads(tar.extractfile(m).read())
        raise AssertionError("no manifest.json in " + bundle)

    # ---- tests ----

    def test_1_upload_idempotent_verify_and_tamper(self):
        archive = os.path.join(self.tmp, "a1")
        url = self.url("evidence-locked", "q3/contoso")
        # 256 KiB blocks: the ~1 MB bundle goes up as Put Block x4 + Put Block List, the
        # signature and the ledger in one Put Blob each
        out, err = self.pack(archive, url, "--archive-account-id", ACCOUNT_ID, "--archive-block-size", "262144")
        bundle = out.splitlines()[0]
        self.assertGreater(os.path.getsize(bundle), 3 * 262144)
        self.assertIn("archive: %s (Locked, 2555 days): 3 blob(s) uploaded, 0 already there" % url, out)
        # the policy as read before signing, in the signed manifest; verify prints it
        rec = self.manifest(bundle)["archive_container"]
        self.assertEqual(rec["url"], url)
        self.assertEqual(rec["immutability"], {"state": "Locked", "days": 2555, "allow_protected_append_writes": False,
                                               "version_level": False})
        self.assertIsNone(rec["warning"])
        vout, _ = self.vp(["verify", bundle, "--trust", os.path.join(self.tmp, "K", "ca.pem")], 0)
        self.assertIn("archive container: %s: immutability Locked, 2555 days" % url, vout)
        # the blobs: the bundle, the line's signature and the ledger as of line 1, with our MD5
        names = sorted(self.list_blobs("evidence-locked", "q3/contoso"))
        name = os.path.basename(bundle)
        self.assertEqual(names, sorted([name, "ledger.jsonl.sig/000001.p7s", "ledger/ledger.000001.jsonl"]))
        local = {name: bundle, "ledger.jsonl.sig/000001.p7s": os.path.join(archive, "ledger.jsonl.sig", "000001.p7s"),
                 "ledger/ledger.000001.jsonl": os.path.join(archive, "ledger.jsonl")}
        for n, path in local.items():
            with open(path, "rb") as f:
                data = f.read()
            conn_status, props = self.head("evidence-locked", "q3/contoso/" + n)
            self.assertEqual(conn_status, 200)
            self.assertEqual(props["content-md5"], base64.b64encode(hashlib.md5(data).digest()).decode(), n)
            self.assertEqual(int(props["content-length"]), len(data), n)
        status, blocks = self.blob_request("GET", "/evidence-locked/q3/contoso/%s?comp=blocklist&blocklisttype=committed"
                                           % name)
        self.assertEqual(status, 200, blocks)
        self.assertEqual(blocks.decode().count("<Block>"), (os.path.getsize(bundle) + 262143) // 262144, blocks)
        # re-running the upload is safe and sends nothing; a second pack adds only its own
        out, _ = self.vp(["pack", "--config", os.path.join(SAMPLE, "vaultproof.json"), "--out", archive,
                          "--upload-only", "--archive-url", url, "--archive-sas-env", SAS_VAR,
                          "--archive-account-id", ACCOUNT_ID, "--arm-endpoint", self.emu.info["arm"],
                          "--authority-host", self.emu.info["authority"], "--ca-bundle", self.emu.info["ca"]], 0)
        self.assertIn("0 blob(s) uploaded, 3 already there", out)
        out, _ = self.pack(archive, url, "--archive-account-id", ACCOUNT_ID, now="2026-10-01T06:00:00Z")
        self.assertIn("3 blob(s) uploaded, 2 already there", out)
        self.assertEqual(len(self.list_blobs("evidence-locked", "q3/contoso")), 6)
        # the listing follows NextMarker: two names per page, the same six names
        tool = os.environ.get("VP_BLOBLIST")
        if not tool:
            raise AssertionError("VP_BLOBLIST is not set: run through ctest (tests/CMakeLists.txt)")
        env = dict(os.environ, **{SAS_VAR: self.sas})
        p = subprocess.run([tool, url, "2", "--ca", self.emu.info["ca"], "--sas-env", SAS_VAR], env=env,
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.splitlines(), self.list_blobs("evidence-locked", "q3/contoso"))
        self.outputs.append(p.stdout + p.stderr)
        # verify reads the archive from its URL
        vout, _ = self.verify_url(url, 0)
        self.assertIn("bundles          2 verified, 0 failed, 0 not found, 0 unrecorded", vout)
        self.assertIn("archive: VERIFIED", vout)
        # a bundle changed in the container: the remote audit fails
        data = bytearray(self.get_blob("evidence-locked", "q3/contoso/" + name))
        data[len(data) // 2] ^= 1
        self.put_blob("evidence-locked", "q3/contoso/" + name, bytes(data))
        vout, _ = self.verify_url(url, 1)
        self.assertIn("archive: NOT VERIFIED", vout)
        self.assertIn("FAILED: line 1: %s: " % name, vout)
        # a shorter ledger put under a newer snapshot name would hide the lines after it
        self.put_blob("evidence-locked", "q3/contoso/ledger/ledger.000003.jsonl",
                      self.get_blob("evidence-locked", "q3/contoso/ledger/ledger.000001.jsonl"))
        vout, _ = self.verify_url(url, 1)
        self.assertIn("%s/ledger/ledger.000003.jsonl holds 1 line(s), not 3" % url, vout)
        self.assertNotIn("vaultproof-ledger-", vout)  # the private download directory is never named
        self.no_secret_anywhere([archive])

    def head(self, container, name):
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.ctx, timeout=30)
        conn.request("HEAD", "/%s/%s/%s?%s" % (ACCOUNT, container, name, self.sas), headers={"x-ms-version": "2021-08-06"})
        r = conn.getresponse()
        r.read()
        conn.close()
        return r.status, {k.lower(): v for k, v in r.getheaders()}

    def test_2_other_content_at_the_name_is_refused(self):
        archive = os.path.join(self.tmp, "a2")
        url = self.url("evidence-locked", "q3/clash")
        # the bundle's name is fixed by the organization, period and pinned clock
        stem = "contoso-health-2026-q3-20260930T060000Z.tar.gz"
        self.put_blob("evidence-locked", "q3/clash/" + stem, b"not the bundle")
        out, err = self.pack(archive, url, "--archive-account-id", ACCOUNT_ID, expect=4)
        self.assertIn("a blob of other content is already there", err)
        self.assertIn("retry safely with: vaultproof pack --config FILE --out %s --upload-only" % archive, err)
        # committed locally all the same, and nothing overwritten there
        self.assertTrue(os.path.exists(os.path.join(archive, stem)), os.listdir(archive))
        self.assertEqual(self.get_blob("evidence-locked", "q3/clash/" + stem), b"not the bundle")
        self.no_secret_anywhere([archive])

    def test_3_unlocked_or_no_policy_warns_and_require_worm_fails_first(self):
        # no --archive-account-id: the account is looked up by name in the config's subscriptions;
        # a bearer token for Storage instead of the SAS, for the upload and for verify
        archive = os.path.join(self.tmp, "a3")
        bearer = ["--archive-token-file", self.token_file]
        out, err = self.pack(archive, self.url("evidence-unlocked", "p"), auth=bearer)
        self.assertIn("3 blob(s) uploaded", out)
        vout, _ = self.verify_url(self.url("evidence-unlocked", "p"), 0, auth=bearer)
        self.assertIn("archive: VERIFIED", vout)
        self.assertIn("pack: warning: archive: container 'evidence-unlocked' has Unlocked time-based retention "
                      "policy of 7 days", err)
        rec = self.manifest(out.splitlines()[0])["archive_container"]
        self.assertEqual(rec["immutability"]["state"], "Unlocked")
        self.assertEqual(rec["storage_account_id"], ACCOUNT_ID)
        self.assertIn("can be deleted or replaced", rec["warning"])
        vout, _ = self.vp(["verify", out.splitlines()[0], "--trust", os.path.join(self.tmp, "K", "ca.pem")], 0)
        self.assertIn("warning: archive: container 'evidence-unlocked'", vout)
        # without any policy and the config's archive.require_worm: exit 1 before anything is written
        archive = os.path.join(self.tmp, "a4")
        config = load(os.path.join(SAMPLE, "vaultproof.json"))
        config["archive"] = {"url": self.url("evidence-none", "p"), "sas_env": SAS_VAR,
                             "storage_account_id": ACCOUNT_ID, "require_worm": True}
        cfg = os.path.join(self.tmp, "archive-config.json")
        with open(cfg, "w") as f:
            json.dump(config, f)
        info = self.emu.info
        k = os.path.join(self.tmp, "K")
        base = ["pack", "--config", cfg, "--replay", light_sample(), "--period", "2026-Q3", "--out", archive,
                "--key", os.path.join(k, "signer.key"), "--cert", os.path.join(k, "signer.pem"), "--now", PINNED,
                "--arm-endpoint", info["arm"], "--authority-host", info["authority"], "--ca-bundle", info["ca"]]
        _, err = self.vp(base, 1)
        self.assertIn("no time-based retention policy", err)
        self.assertIn("refused by archive.require_worm, before anything was written", err)
        self.assertFalse(os.path.exists(archive) and [n for n in os.listdir(archive) if n.endswith(".tar.gz")])
        self.assertEqual(self.list_blobs("evidence-none", "p"), [])
        # a container ARM does not know: exit 4, nothing written either
        _, err = self.vp(base + ["--archive-url", self.url("evidence-gone", "p")], 4)
        self.assertIn("ContainerNotFound", err)
        self.assertFalse(os.path.exists(archive) and [n for n in os.listdir(archive) if n.endswith(".tar.gz")])
        self.no_secret_anywhere([os.path.join(self.tmp, "a3")])

    def test_5_doctor_probes_the_archive(self):
        """doctor lists the container with the SAS pack will use and reads its policy as pack does."""
        info = self.emu.info
        k = os.path.join(self.tmp, "K")

        def doctor(container, expect, require_worm=False, env_extra=None):
            config = load(os.path.join(SAMPLE, "vaultproof.json"))
            config["signer"] = {"key": os.path.join(k, "signer.key"), "cert": os.path.join(k, "signer.pem"),
                                "ca": os.path.join(k, "ca.pem")}
            config["archive"] = {"url": self.url(container, "p"), "sas_env": SAS_VAR,
                                 "storage_account_id": ACCOUNT_ID, "require_worm": require_worm}
            cfg = os.path.join(self.tmp, "doctor-config.json")
            with open(cfg, "w") as f:
                json.dump(config, f)
            out, _ = self.vp(["doctor", "--config", cfg, "--now", PINNED, "--subscription", SUB,
                              "--arm-endpoint", info["arm"],
                              "--authority-host", info["authority"], "--ca-bundle", info["ca"]], expect,
                             env_extra=env_extra)
            return {line.split()[1]: line for line in out.splitlines() if len(line.split()) > 1}

        lines = doctor("evidence-locked", 0)
        self.assertTrue(lines["archive-url"].startswith("ok"), lines["archive-url"])
        self.assertIn("listed with the SAS", lines["archive-url"])
        self.assertTrue(lines["archive-policy"].startswith("ok"), lines["archive-policy"])
        self.assertIn("Locked time-based retention, 2555 days", lines["archive-policy"])
        lines = doctor("evidence-unlocked", 0)
        self.assertTrue(lines["archive-policy"].startswith("warn"), lines["archive-policy"])
        self.assertIn("Unlocked policy", lines["archive-policy"])
        lines = doctor("evidence-none", 4, require_worm=True)
        self.assertTrue(lines["archive-policy"].startswith("FAIL"), lines["archive-policy"])
        self.assertIn("pack would refuse it", lines["archive-policy"])
        # a SAS that does not grant the container: the listing is refused, exit 4
        lines = doctor("evidence-locked", 4, env_extra={SAS_VAR: self.sas.replace("sig=", "sig=AAAA")})
        self.assertTrue(lines["archive-url"].startswith("FAIL"), lines["archive-url"])
        self.assertIn("cannot list the container", lines["archive-url"])

    def test_4_unsafe_names_in_a_listing_are_refused(self):
        # a name with a ".." segment (percent-encoded so no client squashes it on the way)
        self.put_blob("evidence-none", "evil/ledger/%2E%2E/%2E%2E/escape.tar.gz", b"x")
        names = self.list_blobs("evidence-none", "evil")
        self.assertIn("ledger/../../escape.tar.gz", names)
        vout, _ = self.verify_url(self.url("evidence-none", "evil"), 1)
        self.assertIn("refused", vout)
        self.assertIn("archive: NOT VERIFIED", vout)
        self.no_secret_anywhere([])

    def no_secret_anywhere(self, dirs):
        """Neither the SAS, the Storage token nor the client secret in any output or written file."""
        secrets = [self.sig, urllib.parse.quote(self.sig, safe=""), self.emu.info["client_secret"],
                   self.token, self.token.rsplit(".", 1)[1]]
        self.assertEqual(secrets_found(secrets, self.outputs, dirs), [])

if __name__ == "__main__":
    main()
