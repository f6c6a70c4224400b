"""HTTP layer of the emulator: the HTTPS server (ARM, token endpoint, control) and the
plain-HTTP server (IMDS, App Service identity), with faults applied on the way out."""
import gzip
import json
import re
import socket
import ssl
import struct
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import emu_arm
import emu_keyvault

TOKEN_PATH = re.compile(r"^/([^/]+)/oauth2/v2\.0/token/?$", re.I)
OPENID_PATH = re.compile(r"^/([^/]+)/v2\.0/\.well-known/openid-configuration/?$", re.I)
IDLE_SECONDS = 120


class Stats:
    """Counters behind GET /_emulator/stats (thread-safe)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests = 0
        self.by_operation = {}
        self.token_requests = 0
        self.imds_requests = 0
        self.unauthorized = 0
        self.http_versions = {}
        self.api_versions = {}
        self.in_flight = 0
        self.max_in_flight = 0

    def arm_begin(self, operation, version, api_version):
        with self.lock:
            self.requests += 1
            self.by_operation[operation] = self.by_operation.get(operation, 0) + 1
            self.http_versions[version] = self.http_versions.get(version, 0) + 1
            if api_version is not None:
                seen = self.api_versions.setdefault(operation, [])
                if api_version not in seen:
                    seen.append(api_version)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def arm_end(self):
        with self.lock:
            self.in_flight -= 1

    def count(self, name):
        with self.lock:
            setattr(self, name, getattr(self, name) + 1)

    def snapshot(self, faults_fired):
        with self.lock:
            return {"requests": self.requests, "by_operation": dict(self.by_operation),
                    "token_requests": self.token_requests, "imds_requests": self.imds_requests,
                    "faults_fired": faults_fired, "max_in_flight": self.max_in_flight,
                    "in_flight": self.in_flight, "unauthorized": self.unauthorized,
                    "http_versions": dict(self.http_versions),
                    "api_versions": {k: list(v) for k, v in self.api_versions.items()}}


def accepts_gzip(header):
    for part in (header or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        if fields[0].lower() not in ("gzip", "x-gzip", "*"):
            continue
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        if q > 0:
            return True
    return False


def _truncates(rule):
    return rule is not None and rule["kind"] == "truncate"


class Handler(BaseHTTPRequestHandler):
    """One connection; self.server.emu is the shared EmulatorCore."""

    protocol_version = "HTTP/1.1"
    # headers and body go out in two sends: without TCP_NODELAY, Nagle + delayed ACK
    # stall every response by ~40 ms, which would swamp the benchmark's added latency
    disable_nagle_algorithm = True
    timeout = IDLE_SECONDS

    def version_string(self):
        return "vaultproof-arm-emulator"

    def log_message(self, fmt, *args):
        if self.server.emu.verbose:
            # The request line only, query dropped: it may carry identity parameters.
            super().log_message("%s", self.command + " " + self.path.split("?", 1)[0])

    # --- plumbing ------------------------------------------------------------------------
    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, status, body, headers=None, content_type="application/json; charset=utf-8",
              compress=False, truncate=False):
        data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
        if compress:
            data = gzip.compress(data, mtime=0)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if compress:
            self.send_header("Content-Encoding", "gzip")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if truncate:
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self._abort(rst=False)
            return
        self.wfile.write(data)

    def _abort(self, rst=True):
        """Drops the connection. With rst, SO_LINGER 0 makes the final close send a TCP RST
        (the client sees "connection reset"); without, the peer sees an orderly early EOF."""
        self.close_connection = True
        try:
            self.wfile.flush()
            if rst:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _split(self):
        parsed = urllib.parse.urlsplit(self.path)
        return parsed.path, parsed.query, {k.lower(): v[0] for k, v in
                                           urllib.parse.parse_qs(parsed.query, keep_blank_values=True).items()}

    def _pre_fault(self, rule, headers, compress):
        """Applies a fault that replaces or delays the answer; True when the request is done."""
        emu = self.server.emu
        if rule is None:
            return False
        kind = rule["kind"]
        if kind == "reset":
            self._abort()
            return True
        if kind == "slow":
            time.sleep(rule.get("delay_ms", 1000) / 1000.0)
        elif kind == "expire-token":
            emu.store.expire_all()
        elif kind in ("429", "500", "503"):
            status = int(kind)
            h = dict(headers)
            if rule.get("retry_after"):
                h["Retry-After"] = rule["retry_after"]
            code = {"429": "TooManyRequests", "500": "InternalServerError", "503": "ServiceUnavailable"}[kind]
            self._send(status, {"error": {"code": code, "message": "Injected fault %s." % kind}}, h,
                       compress=compress)
            return True
        elif kind == "403":
            # what ARM answers a principal without read access (a resource guard in another
            # team's subscription, typically); not retried by a client
            self._send(403, {"error": {"code": "AuthorizationFailed",
                                       "message": "The client does not have authorization to perform action "
                                                  "'read' over scope '%s' or the scope is invalid. (Injected fault "
                                                  "403.)" % urllib.parse.urlsplit(self.path).path}},
                       headers, compress=compress)
            return True
        elif kind == "lenient-json":
            # an empty page that only a lenient parser takes: cJSON reads "\u0000" as an
            # empty string; RFC 8259 readers and vaultproof's strict layer refuse the body
            self._send(200, b'{"value": [], "note": "\\u0000"}', headers, compress=compress)
            return True
        elif kind == "content-type":
            html = b"<!DOCTYPE html><html><head><title>Gateway</title></head><body><h1>Bad gateway</h1></body></html>"
            self._send(200, html, headers, content_type="text/html", compress=compress)
            return True
        return False

    # --- dispatch ------------------------------------------------------------------------
    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_PATCH(self):
        self._dispatch("PATCH")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def _dispatch(self, method):
        body = self._body()
        path, query, q = self._split()
        if self.server.plain:
            self._identity(method, path, query)
        elif path.lower().startswith("/_emulator/"):
            self._control(method, path, body)
        elif TOKEN_PATH.match(path):
            self._token(method, TOKEN_PATH.match(path).group(1), path, body)
        elif OPENID_PATH.match(path) and method == "GET":
            self._openid(OPENID_PATH.match(path).group(1))
        elif path.lower() == "/common/discovery/instance" and method == "GET":
            self._instance_discovery()
        elif emu_keyvault.classify(method, path):
            self._keyvault(method, path, q, body)
        else:
            self._arm(method, path, q, body)

    # --- control -------------------------------------------------------------------------
    def _control(self, method, path, body):
        emu = self.server.emu
        name = path.lower()[len("/_emulator/"):].rstrip("/")
        if method == "GET" and name == "stats":
            return self._send(200, emu.stats())
        if method == "POST" and name == "faults":
            try:
                emu.faults.replace(json.loads(body.decode("utf-8") or "null"))
            except ValueError as e:
                return self._send(400, {"error": str(e)})
            return self._send(200, {"ok": True})
        if method == "POST" and name == "expire-tokens":
            emu.store.expire_all()
            return self._send(200, {"ok": True})
        if name.startswith("keyvault/"):
            answer = emu_keyvault.control(emu, method, name, body)
            if answer is not None:
                return self._send(*answer)
        if method == "POST" and name == "rotate-federated-token":
            emu.identities.rotate_federated_token()
            return self._send(200, {"ok": True})
        return self._send(404, {"error": "unknown control endpoint %s %s" % (method, path)})

    # --- identity ------------------------------------------------------------------------
    def _token(self, method, tenant, path, body):
        emu = self.server.emu
        emu.stats_obj.count("token_requests")
        if emu.latency:
            time.sleep(emu.latency)
        rule = emu.faults.pick("token", path)
        if self._pre_fault(rule, {}, False):
            return
        if method != "POST":
            return self._send(405, {"error": "invalid_request", "error_description": "AADSTS900561: use POST."})
        status, answer, headers = emu.identities.token_endpoint(tenant, body)
        headers = dict(headers, **{"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"})
        self._send(status, answer, headers, truncate=_truncates(rule))

    def _openid(self, tenant):
        """Discovery documents MSAL-based SDKs fetch before the token call (benchmark baseline)."""
        emu = self.server.emu
        base = "%s/%s" % (emu.arm_url, tenant)
        self._send(200, {"token_endpoint": base + "/oauth2/v2.0/token", "issuer": base + "/v2.0",
                         "authorization_endpoint": base + "/oauth2/v2.0/authorize",
                         "end_session_endpoint": base + "/oauth2/v2.0/logout",
                         "jwks_uri": base + "/discovery/v2.0/keys",
                         "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
                         "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt",
                                                                   "client_secret_basic"]})

    def _instance_discovery(self):
        emu = self.server.emu
        host = urllib.parse.urlsplit(emu.arm_url).netloc
        self._send(200, {"tenant_discovery_endpoint": "%s/%s/v2.0/.well-known/openid-configuration"
                                                      % (emu.arm_url, emu.identities.tenant),
                         "api-version": "1.1",
                         "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}]})

    def _identity(self, method, path, query):
        emu = self.server.emu
        low = path.lower().rstrip("/")
        if low not in ("/metadata/identity/oauth2/token", "/msi/token"):
            return self._send(404, {"error": "not_found", "error_description": "unknown path"})
        emu.stats_obj.count("imds_requests")
        rule = emu.faults.pick("imds", path)
        if self._pre_fault(rule, {}, False):
            return
        if method != "GET":
            return self._send(405, {"error": "invalid_request", "error_description": "use GET"})
        status, answer, headers = emu.identities.managed_identity(query, self.headers, low == "/msi/token")
        self._send(status, answer, headers, truncate=_truncates(rule))

    # --- Key Vault (emu_keyvault.py) ------------------------------------------------------
    def _keyvault(self, method, path, q, body):
        emu = self.server.emu
        operation = emu_keyvault.classify(method, path)
        emu.stats_obj.arm_begin(operation, self.request_version, q.get("api-version"))
        try:
            emu_keyvault.serve(self, operation, method, path, body)
        finally:
            emu.stats_obj.arm_end()

    # --- ARM -----------------------------------------------------------------------------
    def _arm(self, method, path, q, body=b""):
        emu = self.server.emu
        operation, groups = emu_arm.classify(path)
        api_version = q.get("api-version")
        emu.stats_obj.arm_begin(operation, self.request_version, api_version)
        try:
            self._arm_handle(method, path, q, operation, groups, api_version, body)
        finally:
            emu.stats_obj.arm_end()

    def _arm_headers(self, path):
        reads, resource = self.server.emu.ratelimits.consume(emu_arm.subscription_of(path))
        return {"x-ms-request-id": str(uuid.uuid4()),
                "x-ms-correlation-request-id": self.headers.get("x-ms-correlation-request-id") or str(uuid.uuid4()),
                "x-ms-ratelimit-remaining-subscription-reads": str(reads),
                "x-ms-ratelimit-remaining-subscription-resource-requests": str(resource),
                "Cache-Control": "no-cache"}

    def _arm_handle(self, method, path, q, operation, groups, api_version, body=b""):
        emu = self.server.emu
        headers = self._arm_headers(path)
        compress = accepts_gzip(self.headers.get("Accept-Encoding"))
        if emu.latency:
            time.sleep(emu.latency)
        rule = emu.faults.pick(operation, path)
        if self._pre_fault(rule, headers, compress):
            return
        why = emu.auth_failure(self.headers.get("Authorization"))
        if why:
            emu.stats_obj.count("unauthorized")
            code, message = why
            headers["WWW-Authenticate"] = ('Bearer authorization_uri="%s/%s", error="invalid_token", '
                                           'error_description="%s"' % (emu.arm_url, emu.identities.tenant, message))
            return self._send(401, {"error": {"code": code, "message": message}}, headers, compress=compress)
        if api_version is None:
            return self._send(400, {"error": {"code": "MissingApiVersionParameter",
                                              "message": "The api-version query parameter (?api-version=) is required "
                                                         "for all requests."}}, headers, compress=compress)
        if method != ("POST" if operation in emu_arm.POST_OPERATIONS else "GET"):
            return self._send(405, {"error": {"code": "MethodNotAllowed",
                                              "message": "The emulator serves %s here." % (
                                                  "POST" if operation in emu_arm.POST_OPERATIONS else "GET")}},
                              headers, compress=compress)
        status, answer, is_list = emu_arm.route(emu.estate, operation, groups, q,
                                                emu.identities.object_ids.values(), body)
        if status == 200 and is_list:
            status, answer = self._page(path, q, api_version, answer, rule)
        self._send(status, answer, headers, compress=compress, truncate=_truncates(rule))

    def _page(self, path, q, api_version, items, rule):
        emu = self.server.emu
        offset = 0
        token = q.get("$skiptoken")
        if token is not None:
            offset = emu.pager.offset(path, token)
            if offset is None or offset > len(items):
                return emu_arm.arm_error(400, "InvalidSkipToken", "The $skipToken is not valid for this list.")
        end = offset + emu.pager.page_size
        body = {"value": items[offset:end]}
        base = "%s%s?api-version=%s" % (emu.arm_url, path, urllib.parse.quote(api_version, safe=""))
        if q.get("$filter") is not None:  # ARM's nextLink keeps the list's filter
            base += "&$filter=" + urllib.parse.quote(q["$filter"], safe="()'")
        if rule is not None and rule["kind"] == "nextlink-loop":
            body["nextLink"] = base
        elif end < len(items):
            body["nextLink"] = "%s&$skipToken=%s" % (base, emu.pager.token(path, end))
        return 200, body


class TlsServer(ThreadingHTTPServer):
    """HTTPS server whose TLS handshakes run in the per-connection thread, so a client that
    stalls or fails its handshake never blocks accept()."""

    daemon_threads = True
    request_queue_size = 256
    plain = False

    def __init__(self, addr, emu, ssl_ctx):
        self.emu = emu
        self.ssl_ctx = ssl_ctx
        super().__init__(addr, Handler)

    def finish_request(self, request, client_address):
        try:
            conn = self.ssl_ctx.wrap_socket(request, server_side=True, do_handshake_on_connect=False)
        except (OSError, ssl.SSLError):
            return
        try:
            conn.settimeout(10)
            conn.do_handshake()
            conn.settimeout(None)
            self.RequestHandlerClass(conn, client_address, self)
        except (OSError, ssl.SSLError):
            pass
        finally:
            conn.close()

    def handle_error(self, request, client_address):
        pass  # client aborts are routine in fault tests; nothing useful to print


class PlainServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    plain = True

    def __init__(self, addr, emu):
        self.emu = emu
        super().__init__(addr, Handler)

    def handle_error(self, request, client_address):
        pass
