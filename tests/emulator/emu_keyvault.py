"""Azure Key Vault keys data plane (REST API 7.4) for the emulator: the key reads and the
sign operation vaultproof's remote signer uses (see README.md, "Key Vault routes").

Shapes follow Microsoft's examples in Azure/azure-rest-api-specs,
specification/keyvault/data-plane/Microsoft.KeyVault/stable/7.4/examples/GetKey-example.json
(KeyBundle: {"key": {"kid", "kty", "key_ops", "n", "e" | "crv", "x", "y"}, "attributes"})
and sign-example.json (request {"alg", "value"}, answer {"kid", "value"}, base64url).
Error bodies are Key Vault's {"error": {"code", "message", "innererror": {"code"}}}: the
403 of a principal without a role is Forbidden/ForbiddenByRbac with the multi-line RBAC
text (its shape as the Key Vault SDK troubleshooting guides, e.g.
Azure/azure-sdk-for-go sdk/security/keyvault/TROUBLESHOOTING.md, quote it); a token for
another resource is 401 Unauthorized "AKV10022: Invalid audience ...", as Key Vault answers.

Private keys are made with the openssl CLI into <state-dir>/keyvault/ (mode 0600) and never
served; the public key of each version is written beside them as <name>-<version>.pub.pem
so a test can have its CA issue the signer certificate for it. Signing runs openssl
pkeyutl over the digest.
"""
import base64
import json
import os
import re
import subprocess
import threading
import uuid

KV_RESOURCES = ("https://vault.azure.net", "https://managedhsm.azure.net")
GET_KEY = re.compile(r"^/keys/([0-9A-Za-z-]{1,127})(?:/([0-9A-Za-z]*))?/?$")
SIGN = re.compile(r"^/keys/([0-9A-Za-z-]{1,127})/([0-9A-Za-z]+)/sign/?$")
OPERATIONS = ("keyvaultGetKey", "keyvaultSign")
_ALGS = {"RS256": "RSA", "PS256": "RSA", "ES256": "EC"}


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text):
    if not isinstance(text, str) or re.search(r"[^A-Za-z0-9_-]", text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def classify(method, path):
    """The Key Vault operation a request is for, or None when the path is not Key Vault's."""
    if SIGN.match(path):
        return "keyvaultSign"
    if GET_KEY.match(path):
        return "keyvaultGetKey"
    return None


def kv_error(status, code, message, inner=None):
    body = {"error": {"code": code, "message": message}}
    if inner:
        body["error"]["innererror"] = {"code": inner}
    return status, body


def _openssl(args, data=None):
    p = subprocess.run(["openssl"] + args, input=data, capture_output=True)
    if p.returncode != 0:
        raise RuntimeError("openssl %s failed: %s" % (args[0], p.stderr.decode("utf-8", "replace").strip()))
    return p.stdout


def _der_int(buf, i):
    """(integer bytes without sign padding, next index) of the DER INTEGER at buf[i]."""
    if buf[i] != 0x02:
        raise ValueError("expected an INTEGER")
    n = buf[i + 1]
    body = buf[i + 2:i + 2 + n]
    return body.lstrip(b"\x00"), i + 2 + n


def ecdsa_der_to_rs(der, size=32):
    """DER Ecdsa-Sig-Value -> r||s, as Key Vault returns ES256 signatures."""
    if der[0] != 0x30:
        raise ValueError("expected a SEQUENCE")
    i = 3 if der[1] & 0x80 else 2
    r, i = _der_int(der, i)
    s, _ = _der_int(der, i)
    return r.rjust(size, b"\x00") + s.rjust(size, b"\x00")


def _hex_block(text, label):
    """The colon-separated hex after 'label:' in `openssl ... -text` output."""
    out, on = [], False
    for line in text.splitlines():
        if line.strip().startswith(label):
            on = True
            continue
        if on:
            if re.fullmatch(r"\s+[0-9a-f:]+", line):
                out.append(line.strip().replace(":", ""))
            else:
                break
    return bytes.fromhex("".join(out))


class KeyVault:
    """Keys (name -> versions, newest last), principals denied by RBAC (thread-safe)."""

    def __init__(self, state_dir, base_url):
        self.dir = os.path.join(state_dir, "keyvault")
        os.makedirs(self.dir, mode=0o700, exist_ok=True)
        self.base_url = base_url
        self._lock = threading.Lock()
        self._keys = {}
        self._denied = set()

    # --- control ----------------------------------------------------------------------
    def create(self, spec):
        """Makes a key version from {"name", "kty": RSA|RSA-HSM|EC|EC-HSM, "size", "crv",
        "enabled", "key_ops"}; returns {"kid", "public_key"} (the public key's PEM path)."""
        name = spec.get("name")
        kty = spec.get("kty", "RSA")
        if not isinstance(name, str) or not re.fullmatch(r"[0-9A-Za-z-]{1,127}", name):
            raise ValueError("name: expected 1-127 letters, digits and dashes")
        if kty not in ("RSA", "RSA-HSM", "EC", "EC-HSM"):
            raise ValueError("kty: expected RSA, RSA-HSM, EC or EC-HSM")
        version = uuid.uuid4().hex
        key = os.path.join(self.dir, "%s-%s.key" % (name, version))
        pub = os.path.join(self.dir, "%s-%s.pub.pem" % (name, version))
        if kty.startswith("RSA"):
            size = int(spec.get("size", 2048))
            if size not in (2048, 3072, 4096):
                raise ValueError("size: expected 2048, 3072 or 4096")
            gen = ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:%d" % size]
        else:
            if spec.get("crv", "P-256") != "P-256":
                raise ValueError("crv: the emulator makes P-256 keys only")
            gen = ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]
        fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        _openssl(gen + ["-out", key])
        _openssl(["pkey", "-in", key, "-pubout", "-out", pub])
        text = _openssl(["pkey", "-pubin", "-in", pub, "-text_pub", "-noout"]).decode("ascii")
        jwk = {"kid": "%s/keys/%s/%s" % (self.base_url, name, version), "kty": kty,
               "key_ops": spec.get("key_ops", ["sign", "verify"])}
        if kty.startswith("RSA"):
            jwk["n"] = b64url(_hex_block(text, "Modulus:").lstrip(b"\x00"))
            e = int(re.search(r"Exponent: (\d+)", text).group(1))
            jwk["e"] = b64url(e.to_bytes((e.bit_length() + 7) // 8, "big"))
        else:
            point = _hex_block(text, "pub:")
            jwk.update(crv="P-256", x=b64url(point[1:33]), y=b64url(point[33:65]))
        entry = {"version": version, "key_file": key, "jwk": jwk, "enabled": bool(spec.get("enabled", True))}
        with self._lock:
            self._keys.setdefault(name.lower(), []).append(entry)
        return {"kid": jwk["kid"], "public_key": pub}

    def deny(self, object_ids):
        """These principals (token oid) hold no Key Vault role: every key request is 403."""
        with self._lock:
            self._denied = set(object_ids)

    # --- data plane -------------------------------------------------------------------
    def _find(self, name, version):
        with self._lock:
            versions = self._keys.get(name.lower(), [])
            if not version:
                return versions[-1] if versions else None
            for v in versions:
                if v["version"] == version.lower():
                    return v
        return None

    def bundle(self, entry):
        return {"key": dict(entry["jwk"]),
                "attributes": {"enabled": entry["enabled"], "created": 1764547200, "updated": 1764547200,
                               "recoveryLevel": "Recoverable+Purgeable", "recoverableDays": 90}}

    def handle(self, operation, method, path, body, claims):
        """(status, body) for a Key Vault request whose token is valid for the vault."""
        want = "POST" if operation == "keyvaultSign" else "GET"
        if method != want:
            return kv_error(405, "MethodNotAllowed", "The emulator serves %s here." % want)
        m = (SIGN if operation == "keyvaultSign" else GET_KEY).match(path)
        name, version = m.group(1), m.group(2)
        with self._lock:
            denied = claims.get("oid") in self._denied
        if denied:
            action = "sign/action" if operation == "keyvaultSign" else "read"
            return kv_error(403, "Forbidden",
                            "Caller is not authorized to perform action on resource.\r\n"
                            "If role assignments, deny assignments or role definitions were changed recently, please "
                            "observe propagation time.\r\nCaller: appid=%s;oid=%s;iss=https://sts.windows.net/%s/\r\n"
                            "Action: 'Microsoft.KeyVault/vaults/keys/%s'\r\n"
                            "Resource: '/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/emulator/"
                            "providers/microsoft.keyvault/vaults/emulator/keys/%s'\r\nAssignment: (not found)\r\n"
                            "DenyAssignmentId: null\r\nDecisionReason: null \r\nVault: emulator;location=local\r\n"
                            % (claims.get("appid"), claims.get("oid"), claims.get("tid"), action, name.lower()),
                            "ForbiddenByRbac")
        entry = self._find(name, version)
        if entry is None:
            return kv_error(404, "KeyNotFound", "A key with (name/id) %s%s was not found in this key vault. If you "
                            "recently deleted this key you may be able to recover it using the correct recovery "
                            "command." % (name, "/" + version if version else ""))
        if operation == "keyvaultGetKey":
            return 200, self.bundle(entry)
        return self._sign(entry, body)

    def _sign(self, entry, body):
        try:
            req = json.loads(body.decode("utf-8"))
            alg, digest = req["alg"], b64url_decode(req["value"])
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            return kv_error(400, "BadParameter", "The request body must be {\"alg\": ..., \"value\": base64url}.")
        if not entry["enabled"]:
            return kv_error(403, "Forbidden", "Operation sign is not allowed on a disabled key.", "KeyDisabled")
        if "sign" not in entry["jwk"]["key_ops"]:
            return kv_error(403, "Forbidden", "Operation sign is not permitted on this key.", "KeyOperationForbidden")
        family = entry["jwk"]["kty"].split("-")[0]
        if _ALGS.get(alg) != family:
            return kv_error(400, "BadParameter", "Invalid algorithm '%s' for a %s key." % (alg, entry["jwk"]["kty"]))
        if len(digest) != 32:
            return kv_error(400, "BadParameter", "Digest length %d is invalid for algorithm %s; expected 32."
                            % (len(digest), alg))
        args = ["pkeyutl", "-sign", "-inkey", entry["key_file"], "-pkeyopt", "digest:sha256"]
        if alg == "PS256":
            args += ["-pkeyopt", "rsa_padding_mode:pss", "-pkeyopt", "rsa_pss_saltlen:digest"]
        sig = _openssl(args, digest)
        if alg == "ES256":
            sig = ecdsa_der_to_rs(sig)
        return 200, {"kid": entry["jwk"]["kid"], "value": b64url(sig)}


def audience_failure(claims, resource_ok=KV_RESOURCES):
    """None when the token was issued for a vault resource, else Key Vault's 401 message."""
    aud = (claims or {}).get("aud", "")
    if aud.rstrip("/") in resource_ok:
        return None
    return "AKV10022: Invalid audience. Expected https://vault.azure.net, found: %s." % aud


def serve(handler, operation, method, path, body):
    """Answers one Key Vault request on handler (emu_server.Handler): faults, token, route."""
    emu = handler.server.emu
    headers = {"x-ms-request-id": str(uuid.uuid4()), "x-ms-keyvault-service-version": "1.9.0.0",
               "x-ms-keyvault-region": "local", "Cache-Control": "no-cache"}
    rule = emu.faults.pick(operation, path)
    if rule is not None and rule["kind"] == "403":
        status, answer = kv_error(403, "Forbidden", "Operation sign is not permitted on this key. (Injected fault "
                                  "403.)", "KeyOperationForbidden")
        return handler._send(status, answer, headers)
    if handler._pre_fault(rule, headers, False):
        return None
    token = (handler.headers.get("Authorization") or "").partition(" ")[2].strip()
    state = emu.store.check(token) if token else "unknown"
    why = None
    if state != "valid":
        why = ("AKV10000: Request is missing a Bearer or PoP token." if not token else
               "AKV10032: Invalid issuer. The token has expired or is not one this emulator issued.")
    else:
        why = audience_failure(emu.store.claims(token))
    if why:
        emu.stats_obj.count("unauthorized")
        headers["WWW-Authenticate"] = 'Bearer authorization="%s/%s", resource="https://vault.azure.net"' % (
            emu.arm_url, emu.identities.tenant)
        status, answer = kv_error(401, "Unauthorized", why)
        return handler._send(status, answer, headers)
    status, answer = emu.keyvault.handle(operation, method, path, body, emu.store.claims(token))
    return handler._send(status, answer, headers)


def control(emu, method, name, body):
    """Control endpoints /_emulator/keyvault/...: (status, body) or None when unknown."""
    if method == "POST" and name == "keyvault/keys":
        try:
            return 200, emu.keyvault.create(json.loads(body.decode("utf-8") or "{}"))
        except (ValueError, RuntimeError) as e:
            return 400, {"error": str(e)}
    if method == "POST" and name == "keyvault/deny":
        ids = json.loads(body.decode("utf-8") or "[]")
        if not isinstance(ids, list):
            return 400, {"error": "expected a JSON list of object ids"}
        emu.keyvault.deny(ids)
        return 200, {"ok": True}
    return None

