"""Identities of the emulator: the AAD token endpoint, IMDS, the App Service endpoint and
the store of issued access tokens that ARM requests are checked against.

Every answer is (status, body dict, extra headers). Secrets and assertions never appear
in an error description.
"""
import json
import os
import secrets
import threading
import time
import urllib.parse
import uuid

from emu_pki import b64url, b64url_decode, make_federated_token

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ARM_RESOURCE = "https://management.azure.com/"
# Data-plane resources a token may also be asked for (scope "<resource>/.default"); the
# token's aud claim is the resource, so each service can refuse another's tokens.
DATA_PLANE_RESOURCES = ("https://vault.azure.net", "https://managedhsm.azure.net")


class TokenStore:
    """Issued access tokens and their expiry times (monotonic clock)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._tokens = {}
        self._claims = {}

    def issue(self, lifetime, claims=None):
        """A JWT-shaped token (unsigned: ARM's side is the emulator itself) whose claims name
        the principal - appid, oid, tid, as Entra ID's do - so a collector can read who it is."""
        body = dict(claims or {})
        body["jti"] = secrets.token_urlsafe(16)
        token = "%s.%s.%s" % (b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode()),
                              b64url(json.dumps(body, sort_keys=True).encode()), secrets.token_urlsafe(24))
        with self._lock:
            self._tokens[token] = time.monotonic() + lifetime
            self._claims[token] = body
        return token

    def claims(self, token):
        """The claims a token was issued with ({} when unknown)."""
        with self._lock:
            return dict(self._claims.get(token, {}))

    def expire_all(self):
        with self._lock:
            for token in self._tokens:
                self._tokens[token] = 0.0

    def check(self, token):
        """'valid', 'expired' or 'unknown'."""
        with self._lock:
            expiry = self._tokens.get(token)
        if expiry is None:
            return "unknown"
        return "valid" if time.monotonic() < expiry else "expired"


def aad_error(status, error, code, why):
    """An AAD-style error answer (shape of login.microsoftonline.com's v2.0 errors)."""
    now = time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime())
    return status, {
        "error": error,
        "error_description": "AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s"
                             % (code, why, uuid.uuid4(), uuid.uuid4(), now),
        "error_codes": [code],
        "timestamp": now,
        "trace_id": str(uuid.uuid4()),
        "correlation_id": str(uuid.uuid4()),
    }, {}


class Identities:
    """The principals the emulator knows, and the endpoints that issue tokens for them."""

    def __init__(self, pki, arm_url, token_lifetime, store):
        self.pki = pki
        self.arm_url = arm_url
        self.lifetime = token_lifetime
        self.store = store
        self.tenant = str(uuid.uuid4())
        self.client_id = str(uuid.uuid4())
        self.client_secret = secrets.token_urlsafe(24)
        self.cert_client_id = str(uuid.uuid4())
        self.federated_client_id = str(uuid.uuid4())
        self.managed_client_id = str(uuid.uuid4())
        # each principal's object id (the token's oid claim; what assignedTo() filters on)
        self.object_ids = {c: str(uuid.uuid4()) for c in (self.client_id, self.cert_client_id,
                                                           self.federated_client_id, self.managed_client_id)}
        self.identity_header = secrets.token_urlsafe(18)
        self._fed_lock = threading.Lock()
        self._federated = None
        self.rotate_federated_token()

    def rotate_federated_token(self):
        """Writes a new federated token; from now on only it is accepted (like a kubelet rotation)."""
        value = make_federated_token(self.tenant, self.federated_client_id)
        path = self.pki.federated_token_file
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write(value)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
        with self._fed_lock:
            self._federated = value

    # --- AAD v2.0 token endpoint -------------------------------------------------------
    def token_endpoint(self, tenant, body):
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        f = {k: v[0] for k, v in form.items()}
        if tenant.lower() != self.tenant:
            return aad_error(400, "invalid_request", 90002, "Tenant '%s' not found." % tenant[:64])
        if f.get("grant_type") != "client_credentials":
            return aad_error(400, "unsupported_grant_type", 70003,
                             "The app requested an unsupported grant type; expected client_credentials.")
        scope = f.get("scope", "")
        audience = self._audience(scope)
        if audience is None:
            return aad_error(400, "invalid_scope", 70011,
                             "The provided value for the input parameter 'scope' is not valid; "
                             "expected https://management.azure.com/.default.")
        client_id = f.get("client_id", "")
        if client_id == self.client_id:
            if "client_secret" not in f:
                return aad_error(401, "invalid_client", 7000218,
                                 "The request body must contain 'client_assertion' or 'client_secret'.")
            if not secrets.compare_digest(f["client_secret"].encode(), self.client_secret.encode()):
                return aad_error(401, "invalid_client", 7000215, "Invalid client secret provided.")
        elif client_id == self.cert_client_id:
            why = self._check_assertion_fields(f) or self._check_cert_assertion(f["client_assertion"])
            if why:
                return aad_error(401, "invalid_client", 700027, "Client assertion failed: " + why)
        elif client_id == self.federated_client_id:
            why = self._check_assertion_fields(f)
            with self._fed_lock:
                current = self._federated
            if not why and not secrets.compare_digest(f["client_assertion"].encode(), current.encode()):
                why = "the assertion is not the current federated token (stale or foreign)."
            if why:
                return aad_error(401, "invalid_client", 700213, "Federated assertion failed: " + why)
        else:
            return aad_error(400, "unauthorized_client", 700016,
                             "Application with identifier '%s' was not found in the directory." % client_id[:64])
        token = self.store.issue(self.lifetime, self.claims(client_id, audience))
        return 200, {"token_type": "Bearer", "expires_in": self.lifetime, "ext_expires_in": self.lifetime,
                     "access_token": token}, {}

    def claims(self, client_id, audience=ARM_RESOURCE):
        return {"aud": audience, "appid": client_id, "oid": self.object_ids[client_id], "tid": self.tenant,
                "idtyp": "app"}

    def _resource_audience(self, resource):
        """The aud claim for a resource: ARM's (also for the emulator's own URL), a data
        plane's, or None when the emulator issues no tokens for it."""
        resource = resource.rstrip("/")
        if resource in (ARM_RESOURCE.rstrip("/"), self.arm_url.rstrip("/")):
            return ARM_RESOURCE
        return resource if resource in DATA_PLANE_RESOURCES else None

    def _audience(self, scope):
        if not scope.endswith("/.default"):
            return None
        return self._resource_audience(scope[: -len("/.default")])

    @staticmethod
    def _check_assertion_fields(f):
        if f.get("client_assertion_type") != JWT_BEARER:
            return "client_assertion_type must be %s." % JWT_BEARER
        if not f.get("client_assertion"):
            return "client_assertion is missing."
        return None

    def _check_cert_assertion(self, assertion):
        """None when the JWT is acceptable, else why not."""
        parts = assertion.split(".")
        if len(parts) != 3:
            return "not a JWS compact serialization."
        try:
            header = json.loads(b64url_decode(parts[0]))
            claims = json.loads(b64url_decode(parts[1]))
            signature = b64url_decode(parts[2])
        except ValueError:
            return "header, claims or signature is not base64url JSON."
        if not isinstance(header, dict) or not isinstance(claims, dict):
            return "header and claims must be JSON objects."
        if header.get("alg") != "RS256":
            return "alg must be RS256."
        if "x5t#S256" in header:
            if header["x5t#S256"] != self.pki.x5t_s256:
                return "x5t#S256 does not match the registered certificate."
        elif "x5t" in header:
            if header["x5t"] != self.pki.x5t:
                return "x5t does not match the registered certificate."
        else:
            return "header has neither x5t#S256 nor x5t."
        aud = "%s/%s/oauth2/v2.0/token" % (self.arm_url, self.tenant)
        if claims.get("aud") != aud:
            return "aud must be %s." % aud
        if claims.get("iss") != self.cert_client_id or claims.get("sub") != self.cert_client_id:
            return "iss and sub must both be the client id."
        now = time.time()
        exp, nbf = claims.get("exp"), claims.get("nbf")
        if not isinstance(exp, (int, float)) or exp <= now:
            return "exp is missing or in the past."
        if exp > now + 3600 + 60:
            return "exp is more than one hour ahead."
        if not isinstance(nbf, (int, float)) or nbf > now + 60:
            return "nbf is missing or in the future."
        if not claims.get("jti"):
            return "jti is missing."
        if not self.pki.verify_rs256((parts[0] + "." + parts[1]).encode("ascii"), signature):
            return "signature does not verify with the registered certificate."
        return None

    # --- managed identity (plain HTTP) ---------------------------------------------------
    def managed_identity(self, query, headers, app_service):
        """IMDS (app_service False) or the App Service identity endpoint (True)."""
        q = {k: v[0] for k, v in urllib.parse.parse_qs(query, keep_blank_values=True).items()}
        if app_service:
            given = headers.get("X-IDENTITY-HEADER") or ""
            if not secrets.compare_digest(given.encode(), self.identity_header.encode()):
                return 401, {"statusCode": 401, "message": "X-IDENTITY-HEADER is missing or wrong."}, {}
        elif headers.get("Metadata") != "true":
            return 400, {"error": "invalid_request",
                         "error_description": "Required metadata header not specified"}, {}
        if not q.get("api-version"):
            return 400, {"error": "invalid_request", "error_description": "api-version is required"}, {}
        resource = q.get("resource", "")
        audience = self._resource_audience(resource)
        if audience is None:
            return 400, {"error": "invalid_resource",
                         "error_description": "AADSTS500011: The resource principal named %s was not found."
                         % resource[:200]}, {}
        client_id = q.get("client_id", self.managed_client_id)
        if client_id != self.managed_client_id:
            return 400, {"error": "invalid_request",
                         "error_description": "Identity not found"}, {}
        # IMDS reports one second less than the token lives; keep both consistent.
        lifetime = self.lifetime - 1 if self.lifetime > 1 else self.lifetime
        token = self.store.issue(lifetime, self.claims(client_id, audience))
        now = int(time.time())
        return 200, {"access_token": token, "client_id": client_id, "expires_in": str(lifetime),
                     "expires_on": str(now + lifetime), "ext_expires_in": str(lifetime),
                     "not_before": str(now), "resource": resource, "token_type": "Bearer"}, {}
