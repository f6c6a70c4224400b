"""The ARM emulator (tests/emulator/) seen from the client side, with urllib/http.client only:
what the live collector's tests rely on must hold here first. No vaultproof binary needed."""
import base64
import email.utils
import gzip
import hashlib
import http.client
import json
import os
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from vptest import SAMPLE, SOURCE, TempDirTest, generate, main, raw_resources  # noqa: E402

EMU_DIR = os.path.join(SOURCE, "tests", "emulator")
sys.path.insert(0, EMU_DIR)
from arm_emulator import Emulator  # noqa: E402

RAW = os.path.join(SAMPLE, "raw")
API = "2024-04-01"
ARM_SCOPE = "https://management.azure.com/.default"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
READY_KEYS = {"arm", "authority", "ca", "tenant", "client_id", "client_secret", "cert_client_id", "client_cert_pem",
              "client_cert_p12", "client_cert_password", "federated_client_id", "federated_token_file", "imds",
              "identity_endpoint", "identity_header", "managed_client_id", "object_ids", "pid"}


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def alive(pid):
    """True while pid runs (a zombie waiting for a reaper counts as gone)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class Client:
    """Minimal HTTPS client trusting the emulator's CA; answers are (status, headers, body bytes)."""

    def __init__(self, info):
        self.info = info
        self.ctx = ssl.create_default_context(cafile=info["ca"])

    def request(self, url, data=None, headers=None, method=None, ctx=None):
        req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
        try:
            with urllib.request.urlopen(req, context=ctx or self.ctx, timeout=20) as resp:
                return resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def token_request(self, fields, tenant=None):
        url = "%s/%s/oauth2/v2.0/token" % (self.info["authority"], tenant or self.info["tenant"])
        status, headers, body = self.request(url, urllib.parse.urlencode(fields).encode("ascii"),
                                             {"Content-Type": "application/x-www-form-urlencoded"})
        return status, json.loads(body)

    def secret_token(self):
        status, body = self.token_request({"grant_type": "client_credentials", "client_id": self.info["client_id"],
                                           "client_secret": self.info["client_secret"], "scope": ARM_SCOPE})
        assert status == 200, body
        return body["access_token"]

    def arm(self, path_or_url, token, headers=None):
        url = path_or_url if path_or_url.startswith("https://") else self.info["arm"] + path_or_url
        h = {"Authorization": "Bearer " + token}
        h.update(headers or {})
        status, rh, body = self.request(url, headers=h)
        if rh.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        doc = json.loads(body) if rh.get("Content-Type", "").startswith("application/json") else body
        return status, rh, doc

    def list_all(self, path, token):
        """Every item of a paged list, and the pages' sizes."""
        url, items, sizes = self.info["arm"] + path, [], []
        while url:
            status, _, doc = self.arm(url, token)
            assert status == 200, (url, doc)
            items.extend(doc["value"])
            sizes.append(len(doc["value"]))
            url = doc.get("nextLink")
            assert len(sizes) < 500, "paging does not end"
        return items, sizes


def raw_connection(info):
    port = urllib.parse.urlsplit(info["arm"]).port
    return http.client.HTTPSConnection("127.0.0.1", port, timeout=20,
                                       context=ssl.create_default_context(cafile=info["ca"]))


class SharedEmulator(unittest.TestCase):
    """One emulator (page size 7) on the sample for most tests; faults reset before each."""

    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator(RAW, page_size=7).start()
        cls.info = cls.emu.info
        cls.c = Client(cls.info)
        cls.token = cls.c.secret_token()
        vaults = [r for r in raw_resources(RAW) if r.get("type", "").lower() == "microsoft.recoveryservices/vaults"]
        cls.vault_ids = [v["id"] for v in vaults]

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()

    def setUp(self):
        self.emu.set_faults([])

    def fresh_token(self):
        return self.c.secret_token()

    # --- startup ------------------------------------------------------------------------
    def test_ready_json_contents(self):
        info = self.info
        self.assertEqual(set(info), READY_KEYS)
        for key in ("tenant", "client_id", "cert_client_id", "federated_client_id", "managed_client_id"):
            uuid.UUID(info[key])
        self.assertEqual(len({info["client_id"], info["cert_client_id"], info["federated_client_id"],
                              info["managed_client_id"]}), 4)
        # each principal's object id (the tokens' oid claim, what assignedTo() filters on)
        self.assertEqual(set(info["object_ids"]), {info["client_id"], info["cert_client_id"],
                                                   info["federated_client_id"], info["managed_client_id"]})
        self.assertEqual(len({uuid.UUID(o) for o in info["object_ids"].values()}), 4)
        self.assertRegex(info["arm"], r"^https://127\.0\.0\.1:\d+$")
        self.assertEqual(info["authority"], info["arm"])
        self.assertRegex(info["imds"], r"^http://127\.0\.0\.1:\d+$")
        self.assertEqual(info["identity_endpoint"], info["imds"] + "/msi/token")
        self.assertEqual(info["pid"], self.emu.proc.pid)
        for key in ("ca", "client_cert_pem", "client_cert_p12", "federated_token_file"):
            self.assertTrue(os.path.isabs(info[key]) and os.path.isfile(info[key]), key)
        with open(info["client_cert_pem"]) as f:
            pem = f.read()
        self.assertIn("-----BEGIN CERTIFICATE-----", pem)
        self.assertIn("-----BEGIN PRIVATE KEY-----", pem)
        self.assertEqual(os.stat(info["client_cert_pem"]).st_mode & 0o077, 0)
        p = subprocess.run(["openssl", "pkcs12", "-in", info["client_cert_p12"], "-nokeys", "-passin", "env:PW"],
                           capture_output=True, env=dict(os.environ, PW=info["client_cert_password"]))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(b"BEGIN CERTIFICATE", p.stdout)
        p = subprocess.run(["openssl", "pkcs12", "-in", info["client_cert_p12"], "-nokeys", "-passin", "pass:wrong"],
                           capture_output=True)
        self.assertNotEqual(p.returncode, 0)
        with open(info["federated_token_file"]) as f:
            self.assertEqual(len(f.read().split(".")), 3)

    def test_tls_needs_the_test_ca_and_names_localhost(self):
        with self.assertRaises(urllib.error.URLError) as cm:
            self.c.request(self.info["arm"] + "/_emulator/stats", ctx=ssl.create_default_context())
        self.assertIsInstance(cm.exception.reason, ssl.SSLCertVerificationError)
        port = urllib.parse.urlsplit(self.info["arm"]).port
        status, _, _ = self.c.request("https://localhost:%d/_emulator/stats" % port)
        self.assertEqual(status, 200)

    # --- token endpoint -----------------------------------------------------------------
    def test_token_via_secret_and_rejections(self):
        base = {"grant_type": "client_credentials", "client_id": self.info["client_id"],
                "client_secret": self.info["client_secret"], "scope": ARM_SCOPE}
        status, body = self.c.token_request(base)
        self.assertEqual(status, 200)
        self.assertEqual(body["token_type"], "Bearer")
        self.assertEqual(body["expires_in"], 3600)
        self.assertEqual(body["ext_expires_in"], 3600)
        status2, body2 = self.c.token_request(dict(base, scope=self.info["arm"] + "/.default"))
        self.assertEqual(status2, 200)
        self.assertNotEqual(body["access_token"], body2["access_token"])
        wrong = "x" + self.info["client_secret"]
        status, body = self.c.token_request(dict(base, client_secret=wrong))
        self.assertEqual((status, body["error"]), (401, "invalid_client"))
        self.assertTrue(body["error_description"].startswith("AADSTS"))
        self.assertNotIn(wrong, json.dumps(body))
        self.assertNotIn(self.info["client_secret"], json.dumps(body))
        status, body = self.c.token_request(base, tenant=str(uuid.uuid4()))
        self.assertEqual(status, 400)
        self.assertTrue(body["error_description"].startswith("AADSTS90002"))
        status, body = self.c.token_request(dict(base, client_id=str(uuid.uuid4())))
        self.assertIn(status, (400, 401))
        self.assertTrue(body["error_description"].startswith("AADSTS"))
        status, body = self.c.token_request(dict(base, scope="https://management.azure.com/user_impersonation"))
        self.assertEqual((status, body["error"]), (400, "invalid_scope"))
        status, _, doc = self.c.request("%s/%s/v2.0/.well-known/openid-configuration"
                                        % (self.info["authority"], self.info["tenant"]))
        self.assertEqual(json.loads(doc)["token_endpoint"],
                         "%s/%s/oauth2/v2.0/token" % (self.info["authority"], self.info["tenant"]))

    def cert_der(self):
        with open(self.info["client_cert_pem"]) as f:
            pem = f.read()
        end = "-----END CERTIFICATE-----"
        return ssl.PEM_cert_to_DER_cert(pem[pem.index("-----BEGIN CERTIFICATE-----"):pem.index(end) + len(end)])

    def assertion(self, claims_override=None, header_override=None, tamper=False):
        """A client assertion signed with the principal's key; override values of None delete a field."""
        header = {"alg": "RS256", "typ": "JWT", "x5t#S256": b64url(hashlib.sha256(self.cert_der()).digest())}
        now = int(time.time())
        cid = self.info["cert_client_id"]
        claims = {"aud": "%s/%s/oauth2/v2.0/token" % (self.info["authority"], self.info["tenant"]),
                  "iss": cid, "sub": cid, "exp": now + 600, "nbf": now - 5, "iat": now, "jti": str(uuid.uuid4())}
        for doc, override in ((header, header_override), (claims, claims_override)):
            for k, v in (override or {}).items():
                if v is None:
                    doc.pop(k, None)
                else:
                    doc[k] = v
        signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
        to_sign = signing_input + ("x" if tamper else "")
        with tempfile.NamedTemporaryFile() as data:
            data.write(to_sign.encode())
            data.flush()
            sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", self.info["client_cert_pem"], data.name],
                                 capture_output=True, check=True).stdout
        return signing_input + "." + b64url(sig)

    def cert_exchange(self, assertion):
        return self.c.token_request({"grant_type": "client_credentials", "client_id": self.info["cert_client_id"],
                                     "client_assertion_type": JWT_BEARER, "client_assertion": assertion,
                                     "scope": ARM_SCOPE})

    def test_token_via_certificate_assertion(self):
        status, body = self.cert_exchange(self.assertion())
        self.assertEqual(status, 200, body)
        self.assertEqual(body["token_type"], "Bearer")
        status, _, _ = self.c.arm("/subscriptions?api-version=2022-12-01", body["access_token"])
        self.assertEqual(status, 200)
        legacy = {"x5t#S256": None, "x5t": b64url(hashlib.sha1(self.cert_der()).digest())}
        status, body = self.cert_exchange(self.assertion(header_override=legacy))
        self.assertEqual(status, 200, body)

    def test_certificate_assertion_rejections(self):
        now = int(time.time())
        cases = {
            "wrong signature": self.assertion(tamper=True),
            "wrong aud": self.assertion({"aud": "https://login.microsoftonline.com/%s/oauth2/v2.0/token"
                                                % self.info["tenant"]}),
            "expired": self.assertion({"exp": now - 10, "nbf": now - 700}),
            "too long": self.assertion({"exp": now + 7200}),
            "future nbf": self.assertion({"nbf": now + 600}),
            "no jti": self.assertion({"jti": ""}),
            "wrong iss": self.assertion({"iss": self.info["client_id"]}),
            "wrong thumbprint": self.assertion(header_override={"x5t#S256": b64url(b"\0" * 32)}),
            "no thumbprint": self.assertion(header_override={"x5t#S256": None}),
            "HS256": self.assertion(header_override={"alg": "HS256"}),
            "no exp": self.assertion({"exp": None}),
            "not a jwt": "abc.def",
        }
        for name, assertion in cases.items():
            status, body = self.cert_exchange(assertion)
            self.assertIn(status, (400, 401), name)
            self.assertEqual(body["error"], "invalid_client", name)
            self.assertTrue(body["error_description"].startswith("AADSTS"), name)
            self.assertNotIn(assertion, json.dumps(body), name)

    def federated(self, assertion):
        return self.c.token_request({"grant_type": "client_credentials", "client_id": self.info["federated_client_id"],
                                     "client_assertion_type": JWT_BEARER, "client_assertion": assertion,
                                     "scope": ARM_SCOPE})

    def test_federated_token_and_rotation(self):
        path = self.info["federated_token_file"]
        with open(path) as f:
            old = f.read()
        status, body = self.federated(old)
        self.assertEqual(status, 200, body)
        self.emu.rotate_federated_token()
        with open(path) as f:
            new = f.read()
        self.assertNotEqual(old, new)
        status, body = self.federated(old)
        self.assertEqual((status, body["error"]), (401, "invalid_client"))
        status, body = self.federated(new)
        self.assertEqual(status, 200, body)
        status, _, _ = self.c.arm("/subscriptions?api-version=2022-12-01", body["access_token"])
        self.assertEqual(status, 200)

    # --- managed identity ---------------------------------------------------------------
    def imds(self, path, headers):
        url = self.info["imds"] + path
        status, _, body = self.c.request(url, headers=headers)
        return status, json.loads(body)

    def test_imds(self):
        q = "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fmanagement.azure.com%2F"
        status, body = self.imds(q, {})
        self.assertEqual((status, body["error"]), (400, "invalid_request"))
        before = int(time.time())
        status, body = self.imds(q, {"Metadata": "true"})
        self.assertEqual(status, 200, body)
        for key in ("expires_in", "expires_on", "ext_expires_in", "not_before"):
            self.assertIsInstance(body[key], str, key)
            int(body[key])
        self.assertEqual(body["expires_in"], "3599")
        self.assertGreaterEqual(int(body["expires_on"]), before + 3599)
        self.assertEqual(body["client_id"], self.info["managed_client_id"])
        self.assertEqual(body["resource"], "https://management.azure.com/")
        self.assertEqual(body["token_type"], "Bearer")
        status, _, _ = self.c.arm("/subscriptions?api-version=2022-12-01", body["access_token"])
        self.assertEqual(status, 200)
        status, body = self.imds(q + "&client_id=" + self.info["managed_client_id"], {"Metadata": "true"})
        self.assertEqual(status, 200)
        status, body = self.imds(q + "&client_id=" + str(uuid.uuid4()), {"Metadata": "true"})
        self.assertEqual(status, 400)

    def test_app_service_identity(self):
        q = "?api-version=2019-08-01&resource=https%3A%2F%2Fmanagement.azure.com%2F"
        url = self.info["identity_endpoint"][len(self.info["imds"]):] + q
        status, _ = self.imds(url, {})
        self.assertEqual(status, 401)
        status, _ = self.imds(url, {"X-IDENTITY-HEADER": "wrong"})
        self.assertEqual(status, 401)
        status, body = self.imds(url, {"X-IDENTITY-HEADER": self.info["identity_header"]})
        self.assertEqual(status, 200, body)
        self.assertIsInstance(body["expires_on"], str)
        self.assertGreater(int(body["expires_on"]), time.time())
        status, _, _ = self.c.arm("/subscriptions?api-version=2022-12-01", body["access_token"])
        self.assertEqual(status, 200)

    # --- ARM ----------------------------------------------------------------------------
    def test_401_without_token_and_with_expired_token(self):
        url = self.info["arm"] + "/subscriptions?api-version=2022-12-01"
        status, headers, body = self.c.request(url)
        self.assertEqual(status, 401)
        self.assertEqual(json.loads(body)["error"]["code"], "InvalidAuthenticationToken")
        www = headers["WWW-Authenticate"]
        self.assertTrue(www.startswith('Bearer authorization_uri="%s/%s"' % (self.info["authority"],
                                                                            self.info["tenant"])), www)
        self.assertIn('error="invalid_token"', www)
        status, _, doc = self.c.arm(url, "made-up-token")
        self.assertEqual((status, doc["error"]["code"]), (401, "InvalidAuthenticationToken"))
        token = self.fresh_token()
        self.assertEqual(self.c.arm(url, token)[0], 200)
        self.emu.expire_tokens()
        status, headers, doc = self.c.arm(url, token)
        self.assertEqual((status, doc["error"]["code"]), (401, "ExpiredAuthenticationToken"))
        self.assertIn("WWW-Authenticate", headers)
        type(self).token = self.fresh_token()
        self.assertEqual(self.c.arm(url, self.token)[0], 200)

    def test_missing_api_version(self):
        status, _, doc = self.c.arm("/subscriptions", self.token)
        self.assertEqual((status, doc["error"]["code"]), (400, "MissingApiVersionParameter"))
        status, _, doc = self.c.arm(self.vault_ids[0] + "/backupPolicies", self.token)
        self.assertEqual(status, 400)

    def test_headers_of_every_arm_response(self):
        corr = str(uuid.uuid4())
        seen = set()
        for path in ("/subscriptions?api-version=2022-12-01", "/nope?api-version=1"):
            status, h, _ = self.c.arm(path, self.token, {"x-ms-correlation-request-id": corr})
            self.assertIn(status, (200, 404))
            self.assertEqual(h["x-ms-correlation-request-id"], corr)
            self.assertEqual(h["Content-Type"], "application/json; charset=utf-8")
            self.assertIsNotNone(email.utils.parsedate_to_datetime(h["Date"]))
            seen.add(str(uuid.UUID(h["x-ms-request-id"])))
            int(h["x-ms-ratelimit-remaining-subscription-reads"])
            int(h["x-ms-ratelimit-remaining-subscription-resource-requests"])
        self.assertEqual(len(seen), 2)
        _, h, _ = self.c.arm("/subscriptions?api-version=2022-12-01", self.token)
        uuid.UUID(h["x-ms-correlation-request-id"])

    def test_ratelimit_counters_fall_and_refill(self):
        sub = self.vault_ids[0].split("/")[2]
        path = "/subscriptions/%s/providers/Microsoft.RecoveryServices/vaults?api-version=%s" % (sub, API)
        conn = raw_connection(self.info)
        values = []
        start = time.monotonic()
        for _ in range(25):
            conn.request("GET", path, headers={"Authorization": "Bearer " + self.token})
            r = conn.getresponse()
            r.read()
            values.append(int(r.getheader("x-ms-ratelimit-remaining-subscription-reads")))
        elapsed = time.monotonic() - start
        self.assertTrue(all(v <= 11999 for v in values))
        if elapsed < 1.0:  # 25 requests outpace a refill of one per 50 ms
            self.assertLess(values[-1], values[0])
        time.sleep(0.6)
        conn.request("GET", path, headers={"Authorization": "Bearer " + self.token})
        r = conn.getresponse()
        r.read()
        self.assertGreater(int(r.getheader("x-ms-ratelimit-remaining-subscription-reads")), values[-1])
        conn.close()

    def test_case_insensitive_paths(self):
        sub = self.vault_ids[0].split("/")[2]
        canon = "/subscriptions/%s/providers/Microsoft.RecoveryServices/vaults?api-version=%s" % (sub, API)
        upper = "/SUBSCRIPTIONS/%s/PROVIDERS/microsoft.recoveryservices/VAULTS?api-version=%s" % (sub.upper(), API)
        a = self.c.list_all(canon, self.token)[0]
        b = self.c.list_all(upper, self.token)[0]
        self.assertEqual([v["id"] for v in a], [v["id"] for v in b])
        self.assertTrue(a)
        vid = self.vault_ids[0]
        status, _, doc = self.c.arm(vid.upper().replace("/SUBSCRIPTIONS/", "/subscriptions/")
                                    + "/BACKUPCONFIG/VaultConfig?api-version=" + API, self.token)
        self.assertEqual(status, 200)
        self.assertEqual(doc["type"].lower(), "microsoft.recoveryservices/vaults/backupconfig")

    def test_not_found_answers(self):
        vid = self.vault_ids[0]
        sub = vid.split("/")[2]
        cases = [("/subscriptions/%s/providers/Microsoft.RecoveryServices/vaults" % uuid.uuid4(), "SubscriptionNotFound"),
                 (vid.rsplit("/", 1)[0] + "/no-such-vault/backupPolicies", "ResourceNotFound"),
                 ("/subscriptions/%s/providers/Microsoft.Network/virtualNetworks" % sub, None)]
        for path, code in cases:
            status, _, doc = self.c.arm(path + "?api-version=" + API, self.token)
            self.assertEqual(status, 404, path)
            self.assertIn("code", doc["error"])
            if code:
                self.assertEqual(doc["error"]["code"], code)

    def test_paging_reproduces_the_replay(self):
        served = []
        multi_page = 0
        subs, sizes = self.c.list_all("/subscriptions?api-version=2022-12-01", self.token)
        served.extend(subs)
        for sub in subs:
            s = sub["subscriptionId"]
            for path in ("/subscriptions/%s/providers/Microsoft.RecoveryServices/vaults" % s,
                         "/subscriptions/%s/providers/Microsoft.Compute/virtualMachines" % s):
                items, sizes = self.c.list_all(path + "?api-version=" + API, self.token)
                served.extend(items)
                multi_page += len(sizes) > 1
                self.assertTrue(all(n <= 7 for n in sizes))
                if "vaults" in path:
                    vaults = items
            locations = {v["location"].replace(" ", "").lower() for v in vaults}
            locations |= {r["id"].split("/")[6].lower() for r in raw_resources(RAW)
                          if r.get("type", "").lower() == "microsoft.recoveryservices/locations/deletedvaults"
                          and r["id"].split("/")[2].lower() == s.lower()}
            for loc in sorted(locations):
                served.extend(self.c.list_all("/subscriptions/%s/providers/Microsoft.RecoveryServices/locations/%s/"
                                              "deletedVaults?api-version=%s" % (s, loc, API), self.token)[0])
            for v in vaults:
                for op in ("backupPolicies", "backupProtectedItems", "backupResourceGuardProxies", "backupEngines"):
                    items, sizes = self.c.list_all("%s/%s?api-version=%s" % (v["id"], op, API), self.token)
                    self.assertTrue(all(n <= 7 for n in sizes[:-1]) and all(n == 7 for n in sizes[:-1]))
                    served.extend(items)
                    multi_page += len(sizes) > 1
                    for proxy in items if op == "backupResourceGuardProxies" else ():
                        guard = proxy["properties"]["resourceGuardResourceId"]
                        status, _, doc = self.c.arm(guard + "?api-version=2025-09-01", self.token)
                        if status == 200 and doc["id"] not in served:
                            served.append(doc)
                        elif status != 200:
                            self.assertEqual(status, 404)
                for op in ("backupconfig/vaultconfig", "backupstorageconfig/vaultstorageconfig"):
                    status, _, doc = self.c.arm("%s/%s?api-version=%s" % (v["id"], op, API), self.token)
                    if status == 200:
                        served.append(doc)
                    else:
                        self.assertEqual(status, 404)
            # the recording's role assignments (unfiltered) and each role definition they name
            items, _ = self.c.list_all("/subscriptions/%s/providers/Microsoft.Authorization/roleAssignments"
                                       "?api-version=2022-04-01" % s, self.token)
            served.extend(items)
            for ra in items:
                status, _, doc = self.c.arm(ra["properties"]["roleDefinitionId"] + "?api-version=2022-04-01", self.token)
                self.assertEqual(status, 200)
                if doc["id"] not in [r["id"] for r in served]:
                    served.append(doc)
        expected = sorted(r["id"] for r in raw_resources(RAW))
        self.assertEqual(sorted(r["id"] for r in served), expected)
        self.assertGreater(multi_page, 3)

    def test_role_assignments_answer_assigned_to_for_the_caller(self):
        """assignedTo(oid): the recording's assignments for a principal the emulator issued
        a token to (with its object id), none for another, 400 for a filter ARM would refuse."""
        sub = "74dd82d1-2c42-4ca6-80c5-ffbd52be5231"
        base = "/subscriptions/%s/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01" % sub
        oid = self.info["object_ids"][self.info["client_id"]]
        items, _ = self.c.list_all(base + "&$filter=" + urllib.parse.quote("assignedTo('%s')" % oid), self.token)
        self.assertEqual(len(items), 2)
        self.assertEqual({r["properties"]["principalId"] for r in items}, {oid})
        items, _ = self.c.list_all(base + "&$filter=" + urllib.parse.quote("assignedTo('%s')" % uuid.uuid4()),
                                   self.token)
        self.assertEqual(items, [])
        status, _, doc = self.c.arm(base + "&$filter=" + urllib.parse.quote("principalId eq 'x'"), self.token)
        self.assertEqual((status, doc["error"]["code"]), (400, "InvalidFilter"))
        status, _, doc = self.c.arm("/providers/Microsoft.Authorization/roleDefinitions/%s?api-version=2022-04-01"
                                    % uuid.uuid4(), self.token)
        self.assertEqual((status, doc["error"]["code"]), (404, "RoleDefinitionDoesNotExist"))

    def test_protected_items_keep_replay_order_and_nextlink_shape(self):
        vid = next(v for v in self.vault_ids if v.endswith("rsv-epic-immutable-wus3"))
        folder = os.path.join(RAW, "subscriptions", vid.split("/")[2], "vaults", "rsv-epic-immutable-wus3")
        expected = []
        for name in sorted(os.listdir(folder)):
            if name.startswith("backupProtectedItems") and not name.endswith(".meta.json"):
                with open(os.path.join(folder, name)) as f:
                    expected.extend(r["id"] for r in json.load(f)["value"])
        path = "%s/backupProtectedItems" % vid
        status, _, first = self.c.arm(path + "?api-version=" + API, self.token)
        self.assertEqual(status, 200)
        prefix = self.info["arm"] + path + "?api-version=" + API + "&$skipToken="
        self.assertTrue(first["nextLink"].startswith(prefix), first["nextLink"])
        items, sizes = self.c.list_all(path + "?api-version=" + API, self.token)
        self.assertEqual([r["id"] for r in items], expected)
        self.assertEqual(len(sizes), -(-len(expected) // 7))

    def test_bad_skiptoken_is_400(self):
        vid = self.vault_ids[0]
        path = "%s/backupProtectedItems?api-version=%s" % (vid, API)
        for token in ("garbage", "MTQuZGVhZGJlZWY", ""):
            status, _, doc = self.c.arm(path + "&$skipToken=" + token, self.token)
            self.assertEqual(status, 400, token)
        # a token from another list is not valid here
        other = next(v for v in self.vault_ids if v.endswith("rsv-epic-immutable-wus3"))
        _, _, page = self.c.arm("%s/backupProtectedItems?api-version=%s" % (other, API), self.token)
        stolen = page["nextLink"].split("$skipToken=")[1]
        status, _, _ = self.c.arm(path + "&$skipToken=" + stolen, self.token)
        self.assertEqual(status, 400)

    def test_gzip(self):
        path = "/subscriptions?api-version=2022-12-01"
        url = self.info["arm"] + path
        status, h, raw = self.c.request(url, headers={"Authorization": "Bearer " + self.token,
                                                      "Accept-Encoding": "gzip"})
        self.assertEqual((status, h["Content-Encoding"]), (200, "gzip"))
        self.assertEqual(int(h["Content-Length"]), len(raw))
        zipped = json.loads(gzip.decompress(raw))
        status, h, plain = self.c.request(url, headers={"Authorization": "Bearer " + self.token})
        self.assertIsNone(h.get("Content-Encoding"))
        self.assertEqual(zipped["value"], json.loads(plain)["value"])
        status, h, _ = self.c.request(url, headers={"Authorization": "Bearer " + self.token,
                                                    "Accept-Encoding": "gzip;q=0, identity"})
        self.assertIsNone(h.get("Content-Encoding"))

    def test_keep_alive(self):
        conn = raw_connection(self.info)
        for _ in range(3):
            conn.request("GET", "/subscriptions?api-version=2022-12-01",
                         headers={"Authorization": "Bearer " + self.token})
            r = conn.getresponse()
            self.assertEqual((r.status, r.version), (200, 11))
            r.read()
            if _ == 0:
                sock = conn.sock
            self.assertIs(conn.sock, sock)  # same TLS connection: the server kept it open
        conn.close()

    # --- faults -------------------------------------------------------------------------
    def vault_path(self, op="backupPolicies", vault=0):
        return "%s/%s?api-version=%s" % (self.vault_ids[vault], op, API)

    def test_fault_429_seconds_and_http_date(self):
        date = email.utils.formatdate(time.time() + 2, usegmt=True)
        self.emu.set_faults([{"operation": "backupPolicies", "kind": "429", "retry_after": "1"},
                             {"operation": "backupPolicies", "kind": "429", "retry_after": date}])
        fired = self.emu.stats()["faults_fired"]
        status, h, doc = self.c.arm(self.vault_path(), self.token)
        self.assertEqual((status, h["Retry-After"], doc["error"]["code"]), (429, "1", "TooManyRequests"))
        self.assertIsNotNone(h["x-ms-request-id"])
        status, h, _ = self.c.arm(self.vault_path(), self.token)
        self.assertEqual((status, h["Retry-After"]), (429, date))
        self.assertEqual(self.c.arm(self.vault_path(), self.token)[0], 200)
        self.assertEqual(self.emu.stats()["faults_fired"], fired + 2)

    def test_fault_500_503(self):
        self.emu.set_faults([{"operation": "*", "kind": "500"},
                             {"operation": "*", "kind": "503", "retry_after": "2"}])
        status, h, doc = self.c.arm(self.vault_path(), self.token)
        self.assertEqual(status, 500)
        self.assertIn("code", doc["error"])
        self.assertIsNone(h.get("Retry-After"))
        status, h, doc = self.c.arm(self.vault_path(), self.token)
        self.assertEqual((status, h["Retry-After"]), (503, "2"))
        self.assertIn("code", doc["error"])

    def test_fault_reset(self):
        self.emu.set_faults([{"operation": "backupPolicies", "kind": "reset"}])
        conn = raw_connection(self.info)
        conn.request("GET", self.vault_path(), headers={"Authorization": "Bearer " + self.token})
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionResetError, ssl.SSLError,
                                ConnectionAbortedError, BrokenPipeError)):
            conn.getresponse()
        conn.close()
        self.assertEqual(self.c.arm(self.vault_path(), self.token)[0], 200)

    def test_fault_truncate(self):
        self.emu.set_faults([{"operation": "backupProtectedItems", "kind": "truncate"}])
        conn = raw_connection(self.info)
        conn.request("GET", self.vault_path("backupProtectedItems"), headers={"Authorization": "Bearer " + self.token})
        r = conn.getresponse()
        self.assertEqual(r.status, 200)
        length = int(r.getheader("Content-Length"))
        with self.assertRaises(http.client.IncompleteRead) as cm:
            r.read()
        self.assertEqual(len(cm.exception.partial), length // 2)
        conn.close()

    def test_fault_slow(self):
        self.emu.set_faults([{"operation": "vaults", "kind": "slow", "delay_ms": 600}])
        sub = self.vault_ids[0].split("/")[2]
        path = "/subscriptions/%s/providers/Microsoft.RecoveryServices/vaults?api-version=%s" % (sub, API)
        start = time.monotonic()
        self.assertEqual(self.c.arm(path, self.token)[0], 200)
        self.assertGreaterEqual(time.monotonic() - start, 0.6)

    def test_fault_expire_token(self):
        token = self.fresh_token()
        self.emu.set_faults([{"operation": "backupPolicies", "kind": "expire-token"}])
        status, _, doc = self.c.arm(self.vault_path(), token)
        self.assertEqual((status, doc["error"]["code"]), (401, "ExpiredAuthenticationToken"))
        type(self).token = self.fresh_token()
        self.assertEqual(self.c.arm(self.vault_path(), self.token)[0], 200)

    def test_fault_nextlink_loop(self):
        self.emu.set_faults([{"operation": "backupProtectedItems", "kind": "nextlink-loop", "after": 1}])
        path = self.vault_path("backupProtectedItems")
        _, _, first = self.c.arm(path, self.token)
        self.assertIn("$skipToken=", first["nextLink"])
        _, _, second = self.c.arm(first["nextLink"], self.token)
        self.assertEqual(second["nextLink"], self.info["arm"] + path)

    def test_fault_content_type(self):
        self.emu.set_faults([{"operation": "subscriptions", "kind": "content-type"}])
        status, h, body = self.c.arm("/subscriptions?api-version=2022-12-01", self.token)
        self.assertEqual(status, 200)
        self.assertTrue(h["Content-Type"].startswith("text/html"))
        self.assertIn(b"<html", body)

    def test_fault_match_after_times(self):
        self.emu.set_faults([{"operation": "*", "match": "RSV-FIN-SOX-PLC", "kind": "500", "after": 1, "times": -1}])
        fin = self.vault_ids.index(next(v for v in self.vault_ids if v.endswith("rsv-fin-sox-plc")))
        other = 0 if fin != 0 else 1
        self.assertEqual(self.c.arm(self.vault_path(vault=fin), self.token)[0], 200)
        for _ in range(3):
            self.assertEqual(self.c.arm(self.vault_path(vault=fin), self.token)[0], 500)
        self.assertEqual(self.c.arm(self.vault_path(vault=other), self.token)[0], 200)

    def test_fault_on_token_endpoint_and_imds(self):
        self.emu.set_faults([{"operation": "token", "kind": "503", "retry_after": "1"},
                             {"operation": "token", "kind": "truncate", "after": 1},
                             {"operation": "imds", "kind": "429"}])
        fields = {"grant_type": "client_credentials", "client_id": self.info["client_id"],
                  "client_secret": self.info["client_secret"], "scope": ARM_SCOPE}
        self.assertEqual(self.c.token_request(fields)[0], 503)
        self.assertEqual(self.c.token_request(fields)[0], 200)
        with self.assertRaises(http.client.IncompleteRead):
            self.c.token_request(fields)
        self.assertEqual(self.c.token_request(fields)[0], 200)
        q = "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/"
        self.assertEqual(self.imds(q, {"Metadata": "true"})[0], 429)
        self.assertEqual(self.imds(q, {"Metadata": "true"})[0], 200)

    def test_bad_fault_list_rejected(self):
        with self.assertRaises(urllib.error.HTTPError) as cm:
            self.emu.set_faults([{"operation": "*", "kind": "explode"}])
        self.assertEqual(cm.exception.code, 400)

    def test_stats_count_requests(self):
        before = self.emu.stats()
        self.c.arm("/subscriptions?api-version=2022-12-01", self.token)
        self.c.arm(self.vault_path(), self.token)
        self.c.arm(self.vault_path(), "bogus")
        after = self.emu.stats()
        self.assertEqual(after["requests"], before["requests"] + 3)
        self.assertEqual(after["by_operation"]["backupPolicies"],
                         before["by_operation"].get("backupPolicies", 0) + 2)
        self.assertEqual(after["unauthorized"], before["unauthorized"] + 1)
        self.assertEqual(after["http_versions"]["HTTP/1.1"], before["http_versions"].get("HTTP/1.1", 0) + 3)
        self.assertIn(API, after["api_versions"]["backupPolicies"])
        self.assertIn("2022-12-01", after["api_versions"]["subscriptions"])
        self.c.secret_token()
        self.assertEqual(self.emu.stats()["token_requests"], after["token_requests"] + 1)


class Concurrency(unittest.TestCase):
    def test_max_in_flight_and_latency(self):
        with Emulator(RAW, latency_ms=700) as emu:
            c = Client(emu.info)
            token = c.secret_token()
            start = time.monotonic()
            self.assertEqual(c.arm("/subscriptions?api-version=1", token)[0], 200)
            self.assertGreaterEqual(time.monotonic() - start, 0.7)
            self.assertEqual(emu.stats()["max_in_flight"], 1)
            results = []
            barrier = threading.Barrier(6)

            def one():
                barrier.wait()
                results.append(c.arm("/subscriptions?api-version=1", token)[0])
            threads = [threading.Thread(target=one) for _ in range(6)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.assertEqual(results, [200] * 6)
            stats = emu.stats()
            self.assertEqual(stats["max_in_flight"], 6)
            self.assertEqual(stats["in_flight"], 0)


class Lifecycle(TempDirTest):
    def test_cli_prints_ready_json_and_stops_on_sigterm(self):
        state = self.path("state")
        faults = self.path("faults.json")
        with open(faults, "w") as f:
            json.dump([{"operation": "subscriptions", "kind": "500", "times": 1}], f)
        p = subprocess.Popen([sys.executable, os.path.join(EMU_DIR, "arm_emulator.py"), "--replay", RAW,
                              "--state-dir", state, "--faults", faults, "--token-lifetime", "2"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            line = p.stdout.readline()
            info = json.loads(line)
            with open(os.path.join(state, "ready.json")) as f:
                self.assertEqual(json.load(f), info)
            self.assertEqual(os.stat(os.path.join(state, "ready.json")).st_mode & 0o077, 0)
            self.assertEqual(info["pid"], p.pid)
            c = Client(info)
            status, body = c.token_request({"grant_type": "client_credentials", "client_id": info["client_id"],
                                            "client_secret": info["client_secret"], "scope": ARM_SCOPE})
            self.assertEqual(body["expires_in"], 2)
            self.assertEqual(c.arm("/subscriptions?api-version=1", body["access_token"])[0], 500)
            time.sleep(2.1)
            status, _, doc = c.arm("/subscriptions?api-version=1", body["access_token"])
            self.assertEqual((status, doc["error"]["code"]), (401, "ExpiredAuthenticationToken"))
        finally:
            p.send_signal(signal.SIGTERM)
            rc = p.wait(timeout=10)
            p.stdout.close()
            p.stderr.close()
        self.assertEqual(rc, 0)
        self.assertFalse(os.path.exists(os.path.join(state, "ready.json")))

    def test_emulator_class_stop_leaves_no_process(self):
        with Emulator(RAW) as emu:
            pid = emu.info["pid"]
            state = emu.state_dir
            os.kill(pid, 0)
        self.assertIsNotNone(emu.proc.returncode)
        self.assertEqual(emu.proc.returncode, 0)
        self.assertFalse(alive(pid))
        self.assertFalse(os.path.exists(state))

    def test_bad_fault_file_is_a_clear_error(self):
        faults = self.path("faults.json")
        with open(faults, "w") as f:
            json.dump([{"operation": "*", "kind": "explode"}], f)
        p = subprocess.run([sys.executable, os.path.join(EMU_DIR, "arm_emulator.py"), "--replay", RAW,
                            "--state-dir", self.path("state"), "--faults", faults], capture_output=True, timeout=30)
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"faults[0].kind", p.stderr)

    def test_emulator_exits_when_its_test_process_dies(self):
        state = self.path("state")
        script = ("import sys, time; sys.path.insert(0, %r); from arm_emulator import Emulator; "
                  "e = Emulator(%r, state_dir=%r).start(); print(e.info['pid'], flush=True); time.sleep(60)"
                  % (EMU_DIR, RAW, state))
        parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
        pid = int(parent.stdout.readline())
        parent.kill()
        parent.wait()
        parent.stdout.close()
        deadline = time.monotonic() + 5
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertFalse(alive(pid), "emulator %d outlived its parent" % pid)

    def test_generated_estate(self):
        raw = self.path("raw")
        generate(raw, "scale", "--items", "60", "--vaults", "3", "--subscriptions", "2", "--seed", "3",
                 "--page-size", "25")
        items = [r["id"] for r in raw_resources(raw) if r.get("type", "").lower().endswith("/protecteditems")]
        with Emulator(raw, page_size=9) as emu:
            c = Client(emu.info)
            token = c.secret_token()
            served = []
            subs, _ = c.list_all("/subscriptions?api-version=1", token)
            self.assertEqual(len(subs), 2)
            for s in subs:
                vaults, _ = c.list_all("/subscriptions/%s/providers/Microsoft.RecoveryServices/vaults?api-version=1"
                                       % s["subscriptionId"], token)
                for v in vaults:
                    served.extend(r["id"] for r in c.list_all(v["id"] + "/backupProtectedItems?api-version=1",
                                                              token)[0])
        self.assertEqual(sorted(served), sorted(items))
        self.assertEqual(len(items), 60)


SUB1 = "5e6f7a8b-0000-4000-8000-00000000aa01"
SUB2 = "5e6f7a8b-0000-4000-8000-00000000aa02"


def _write(root, rel, doc):
    path = os.path.join(root, *rel.split("/"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f)


class CurrentRoutes(TempDirTest):
    """The routes of the current api-versions: backup engines, soft-deleted vaults, resource
    guards by id; a vault id spelled as a URL; a VM list entry without `type`."""

    def setUp(self):
        super().setUp()
        raw = self.raw = self.path("raw")
        rs = "Microsoft.RecoveryServices/vaults"
        self.vault = "/subscriptions/%s/resourceGroups/rg/providers/%s/rsv-1" % (SUB1, rs)
        self.guard = "/subscriptions/%s/resourceGroups/rg-sec/providers/Microsoft.DataProtection/resourceGuards/g1" % SUB2
        _write(raw, "subscriptions.json", {"value": [{"id": "/subscriptions/" + SUB1, "subscriptionId": SUB1}]})
        _write(raw, "subscriptions/%s/vaults.json" % SUB1, {"value": [
            {"id": "https://management.azure.com" + self.vault, "name": "rsv-1", "type": rs, "location": "eastus"}]})
        _write(raw, "subscriptions/%s/vaults/rsv-1/backupEngines.json" % SUB1, {"value": [
            {"id": "%s/backupEngines/e%d" % (self.vault, i), "name": "e%d" % i, "type": rs + "/backupEngines",
             "properties": {"friendlyName": "dpm%d" % i}} for i in range(5)]})
        _write(raw, "subscriptions/%s/locations/eastus/deletedVaults.json" % SUB1, {"value": [
            {"id": "/subscriptions/%s/providers/Microsoft.RecoveryServices/locations/eastus/deletedVaults/old" % SUB1,
             "name": "old", "type": "Microsoft.RecoveryServices/locations/deletedVaults",
             "properties": {"vaultId": self.vault.replace("rsv-1", "old")}}]})
        _write(raw, "resourceGuards/%s/rg-sec/g1.json" % SUB2, {
            "id": self.guard, "name": "g1", "type": "Microsoft.DataProtection/resourceGuards", "location": "eastus",
            "properties": {"vaultCriticalOperationExclusionList": []}})
        # Compute ListAll MinimumSet examples carry no type
        _write(raw, "subscriptions/%s/virtualMachines.json" % SUB1, {"value": [
            {"id": "/subscriptions/%s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1" % SUB1,
             "location": "eastus"}]})

    def test_new_routes(self):
        with Emulator(self.raw, page_size=2, faults=[
                {"operation": "resourceGuards", "match": "/denied", "kind": "403", "times": -1}]) as emu:
            c = Client(emu.info)
            token = c.secret_token()
            items, sizes = c.list_all(self.vault + "/backupEngines?api-version=2026-02-01", token)
            self.assertEqual(([e["name"] for e in items], sizes), (["e0", "e1", "e2", "e3", "e4"], [2, 2, 1]))
            base = "/subscriptions/%s/providers/Microsoft.RecoveryServices/locations/" % SUB1
            items, _ = c.list_all(base + "eastus/deletedVaults?api-version=2026-08-01", token)
            self.assertEqual([d["name"] for d in items], ["old"])
            self.assertEqual(c.list_all(base + "westeurope/deletedVaults?api-version=2026-08-01", token)[0], [])
            status, _, doc = c.arm(base.replace(SUB1, str(uuid.uuid4())) + "eastus/deletedVaults?api-version=1", token)
            self.assertEqual((status, doc["error"]["code"]), (404, "SubscriptionNotFound"))
            # a guard is found by its id, in a subscription the estate lists nowhere else, in any case
            status, _, doc = c.arm(self.guard.upper().replace("/SUBSCRIPTIONS/", "/subscriptions/")
                                   + "?api-version=2025-09-01", token)
            self.assertEqual((status, doc["id"]), (200, self.guard))
            status, _, doc = c.arm(self.guard.replace("/g1", "/g2") + "?api-version=2025-09-01", token)
            self.assertEqual((status, doc["error"]["code"]), (404, "ResourceNotFound"))
            status, _, doc = c.arm(self.guard.replace("/g1", "/denied") + "?api-version=2025-09-01", token)
            self.assertEqual((status, doc["error"]["code"]), (403, "AuthorizationFailed"))
            # the vault spelled as a URL is served under its path, untyped VMs as VMs
            self.assertEqual(c.list_all(self.vault + "/backupPolicies?api-version=1", token)[0], [])
            vms, _ = c.list_all("/subscriptions/%s/providers/Microsoft.Compute/virtualMachines?api-version=1" % SUB1,
                                token)
            self.assertEqual([v["id"].rsplit("/", 1)[1] for v in vms], ["vm1"])
            stats = emu.stats()
            self.assertEqual(stats["by_operation"]["resourceGuards"], 3)
            self.assertEqual(stats["by_operation"]["deletedVaults"], 3)
            self.assertEqual(stats["api_versions"]["backupEngines"], ["2026-02-01"])


if __name__ == "__main__":
    main()
