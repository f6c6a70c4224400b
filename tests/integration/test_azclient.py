"""vp_az_request (vaultproof/azclient.h), the one authenticated request Key Vault signing,
Blob Storage archives and doctor share, driven through tests/tools/azreq.c against a stub
HTTPS server started here on 127.0.0.1 (certificates from the ARM emulator's test PKI).

What it must do: retry 429 and 5xx (honouring Retry-After), refresh the token once after a
401, never retry a TLS failure, ask for a token for the resource it was made for, carry a
SAS in the query and never show it, and read Azure's error out of a JSON (ARM, Key Vault)
or XML (Storage) body.
"""
import http.server
import json
import os
import ssl
import subprocess
import sys
import tempfile
import threading
import unittest
from urllib.parse import parse_qs, urlparse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "emulator"))
from emu_pki import Pki  # noqa: E402

AZREQ = os.environ.get("VP_AZREQ")
SECRET = "azclient-test-secret-Zq81"
SAS = "sv=2021-08-06&ss=b&srt=co&sp=rwl&se=2030-01-01T00:00:00Z&sig=c2VjcmV0LXNhcy1zaWc%3D"


class Stub(http.server.BaseHTTPRequestHandler):
    """Scripted answers by path; every request is recorded on the server."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", ctype="application/json", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-ms-request-id", "req-%d" % len(self.server.seen))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        u = urlparse(self.path)
        srv = self.server
        srv.seen.append({"method": self.command, "path": u.path, "query": u.query,
                         "auth": self.headers.get("Authorization", ""), "body": body.decode("latin-1"),
                         "ctype": self.headers.get("Content-Type", "")})
        count = sum(1 for s in srv.seen if s["path"] == u.path)
        if u.path.endswith("/oauth2/v2.0/token"):
            form = parse_qs(body.decode())
            srv.scopes.append(form.get("scope", [""])[0])
            srv.tokens += 1
            tok = "tok-%d" % srv.tokens
            return self.reply(200, json.dumps({"access_token": tok, "expires_in": 3600,
                                               "token_type": "Bearer"}).encode())
        if u.path == "/throttled":
            if count < 3:
                return self.reply(429, b'{"error":{"code":"TooManyRequests","message":"slow down"}}',
                                  headers=[("Retry-After", "0")])
            return self.reply(200, b'{"ok":true}')
        if u.path == "/flaky":
            return self.reply(503 if count == 1 else 200, b"{}")
        if u.path == "/always503":
            return self.reply(503, b"{}")
        if u.path == "/revoked":
            if count == 1:
                return self.reply(401, b'{"error":{"code":"Unauthorized","message":"token expired"}}')
            return self.reply(200, b'{"ok":true}')
        if u.path == "/forbidden":
            return self.reply(403, json.dumps({"error": {
                "code": "Forbidden",
                "message": "Caller is not authorized to perform action on resource.",
                "innererror": {"code": "ForbiddenByRbac"}}}).encode())
        if u.path.startswith("/devstoreaccount1/"):
            if self.command == "PUT":
                return self.reply(201, b"", headers=[("ETag", '"0x8D"'), ("Content-MD5", "abc==")])
            return self.reply(404, b'<?xml version="1.0" encoding="utf-8"?><Error><Code>BlobNotFound</Code>'
                                   b'<Message>The specified blob does not exist.\nRequestId:1\nTime:2026</Message>'
                                   b'</Error>', ctype="application/xml")
        return self.reply(200, json.dumps({"method": self.command, "body": body.decode("latin-1")}).encode())

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = handle_any


class AzClient(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not AZREQ:
            raise AssertionError("VP_AZREQ is not set: run through ctest (tests/CMakeLists.txt)")
        cls.tmp = tempfile.TemporaryDirectory(prefix="vp-azclient-")
        cls.pki = Pki(os.path.join(cls.tmp.name, "pki"))
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Stub)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cls.pki.server_cert, cls.pki.server_key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
        srv.seen, srv.scopes, srv.tokens = [], [], 0
        cls.srv = srv
        cls.base = "https://127.0.0.1:%d" % srv.server_address[1]
        cls.thread = threading.Thread(target=srv.serve_forever, daemon=True)
        cls.thread.start()

    @classmethod
    def tearDownClass(cls):
        cls.srv.shutdown()
        cls.srv.server_close()
        cls.tmp.cleanup()

    def setUp(self):
        self.srv.seen.clear()
        self.srv.scopes.clear()

    def azreq(self, method, path, *args, env=None, ca=True):
        e = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "IDENTITY_"))}
        e.update({"AZURE_TENANT_ID": "tenant-1", "AZURE_CLIENT_ID": "client-1", "AZURE_CLIENT_SECRET": SECRET,
                  "AZURE_AUTHORITY_HOST": self.base})
        e.update(env or {})
        cmd = [AZREQ, method, self.base + path] + (["--ca", self.pki.ca] if ca else []) + list(args)
        p = subprocess.run(cmd, capture_output=True, text=True, env=e, timeout=60)
        for text in (p.stdout, p.stderr):
            self.assertNotIn(SECRET, text)
            self.assertNotIn("c2VjcmV0LXNhcy1zaWc", text)
            self.assertNotIn("tok-", text)
        return p

    def field(self, out, name):
        for line in out.splitlines():
            if line.startswith(name + " "):
                return line[len(name) + 1:]
        return None

    def test_token_is_for_the_resource_asked(self):
        p = self.azreq("POST", "/keys/k/1/sign", "--resource", "https://vault.azure.net", "--body", '{"alg":"RS256"}',
                       "-H", "Content-Type", "application/json")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.field(p.stdout, "status"), "200")
        self.assertEqual(self.srv.scopes, ["https://vault.azure.net/.default"])
        call = [s for s in self.srv.seen if s["path"] == "/keys/k/1/sign"][0]
        self.assertTrue(call["auth"].startswith("Bearer tok-"))
        self.assertEqual(call["body"], '{"alg":"RS256"}')
        self.assertEqual(call["ctype"], "application/json")
        self.assertEqual(self.field(p.stdout, "credential"), "secret")

    def test_arm_scope_by_default(self):
        p = self.azreq("GET", "/subscriptions/s1")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.srv.scopes, ["https://management.azure.com/.default"])

    def test_429_is_retried_after_retry_after(self):
        p = self.azreq("GET", "/throttled")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.field(p.stdout, "status"), "200")
        self.assertEqual(len([s for s in self.srv.seen if s["path"] == "/throttled"]), 3)

    def test_5xx_is_retried_and_gives_up(self):
        p = self.azreq("GET", "/flaky")
        self.assertEqual(self.field(p.stdout, "status"), "200")
        p = self.azreq("GET", "/always503", "--attempts", "2")
        # a final 503 is a response: the caller decides; two attempts were made
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.field(p.stdout, "status"), "503")
        self.assertEqual(len([s for s in self.srv.seen if s["path"] == "/always503"]), 2)

    def test_401_refreshes_the_token_once(self):
        p = self.azreq("GET", "/revoked")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.field(p.stdout, "status"), "200")
        calls = [s for s in self.srv.seen if s["path"] == "/revoked"]
        self.assertEqual(len(calls), 2)
        self.assertNotEqual(calls[0]["auth"], calls[1]["auth"], "the second attempt carries a fresh token")
        self.assertEqual(len(self.srv.scopes), 2)

    def test_json_error_is_read(self):
        p = self.azreq("GET", "/forbidden", "--resource", "https://vault.azure.net")
        self.assertEqual(self.field(p.stdout, "status"), "403")
        self.assertEqual(self.field(p.stdout, "error-code"), "Forbidden")
        self.assertEqual(self.field(p.stdout, "error-message"),
                         "Caller is not authorized to perform action on resource.")

    def test_sas_goes_in_the_query_and_never_shows(self):
        p = self.azreq("GET", "/devstoreaccount1/c/missing.txt?comp=x", "--sas-env", "VP_TEST_SAS",
                       env={"VP_TEST_SAS": "?" + SAS})
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.field(p.stdout, "status"), "404")
        self.assertEqual(self.field(p.stdout, "error-code"), "BlobNotFound")
        self.assertEqual(self.field(p.stdout, "error-message"), "The specified blob does not exist.")
        self.assertEqual(self.field(p.stdout, "credential"), "sas")
        call = [s for s in self.srv.seen if s["path"] == "/devstoreaccount1/c/missing.txt"][0]
        self.assertEqual(call["query"], "comp=x&" + SAS)
        self.assertEqual(call["auth"], "", "a SAS request carries no bearer token")
        self.assertEqual(self.srv.scopes, [], "no token is asked for with a SAS")

    def test_put_headers_and_response_headers(self):
        p = self.azreq("PUT", "/devstoreaccount1/c/b.txt", "--sas-env", "VP_TEST_SAS", "--body", "hello",
                       "-H", "x-ms-blob-type", "BlockBlob", env={"VP_TEST_SAS": SAS})
        self.assertEqual(self.field(p.stdout, "status"), "201")
        self.assertEqual(self.field(p.stdout, "etag"), '"0x8D"')
        call = [s for s in self.srv.seen if s["path"] == "/devstoreaccount1/c/b.txt"][0]
        self.assertEqual(call["body"], "hello")
        self.assertEqual(call["ctype"], "application/octet-stream")

    def test_unset_sas_variable_is_a_usage_error(self):
        p = self.azreq("GET", "/x", "--sas-env", "VP_TEST_SAS_UNSET")
        self.assertEqual(p.returncode, 2)
        self.assertIn("VP_TEST_SAS_UNSET", p.stderr)

    def test_tls_failure_is_not_retried(self):
        p = self.azreq("GET", "/subscriptions/s1", ca=False, env={"SSL_CERT_FILE": "/dev/null"})
        self.assertEqual(p.returncode, 4, p.stdout)
        self.assertIn("TLS verification failed", p.stderr)
        self.assertNotIn("?", p.stderr)

    def test_http_urls_are_refused(self):
        e = dict(os.environ, AZURE_TENANT_ID="t", AZURE_CLIENT_ID="c", AZURE_CLIENT_SECRET=SECRET,
                 AZURE_AUTHORITY_HOST=self.base)
        p = subprocess.run([AZREQ, "GET", "http://127.0.0.1:1/x?sig=abc", "--ca", self.pki.ca], capture_output=True,
                           text=True, env=e)
        self.assertEqual(p.returncode, 2)
        self.assertIn("TLS is always on", p.stderr)
        self.assertNotIn("sig=abc", p.stderr)


if __name__ == "__main__":
    unittest.main()
