"""Key material for the emulator, made with the openssl CLI (stdlib Python has no X.509 writer).

Everything lives in the state directory: a test CA, a server certificate for 127.0.0.1 and
localhost signed by it, a client-certificate principal (PEM with the key, and PKCS#12), and
the federated token file. Client assertions (RS256 JWTs) are verified with `openssl dgst`.
"""
import base64
import hashlib
import json
import os
import secrets
import ssl
import subprocess
import tempfile

# Server certificate extensions strict verifiers (Python 3.13 VERIFY_X509_STRICT, OpenSSL 3) insist on.
_SERVER_EXT = ("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
               "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n"
               "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid,issuer\n")


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _openssl(args, env=None):
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    p = subprocess.run(["openssl"] + args, capture_output=True, env=full_env)
    if p.returncode != 0:
        raise RuntimeError("openssl %s failed: %s" % (args[0], p.stderr.decode("utf-8", "replace").strip()))
    return p.stdout


def _write_private(path, data):
    """Writes data readable by the owner only (the product refuses group/other-readable keys)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(path, 0o600)


def make_federated_token(tenant, client_id):
    """An opaque JWT-looking string (the emulator only compares it byte for byte)."""
    header = b64url(json.dumps({"alg": "RS256", "typ": "JWT", "kid": secrets.token_hex(8)}).encode())
    claims = b64url(json.dumps({"iss": "https://kubernetes.default.svc", "sub": "system:serviceaccount:vp:collector",
                                "aud": "api://AzureADTokenExchange", "tid": tenant, "azp": client_id,
                                "jti": secrets.token_hex(16)}).encode())
    return "%s.%s.%s" % (header, claims, b64url(secrets.token_bytes(64)))


class Pki:
    """Creates (in __init__) and holds the paths of the emulator's key material."""

    def __init__(self, state_dir):
        self.dir = os.path.abspath(state_dir)
        os.makedirs(self.dir, exist_ok=True)
        p = self.path
        ext = p("ext.cnf")
        with open(ext, "w") as f:
            f.write("[server]\n" + _SERVER_EXT)
        # EC keys for the TLS side (fast to make); RSA for the client because assertions are RS256.
        _openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", p("ca-key.pem")])
        _openssl(["req", "-x509", "-new", "-key", p("ca-key.pem"), "-subj", "/CN=vaultproof ARM emulator test CA",
                  "-days", "2", "-sha256", "-addext", "basicConstraints=critical,CA:TRUE",
                  "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", p("ca.pem")])
        _openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", p("server-key.pem")])
        _openssl(["req", "-new", "-key", p("server-key.pem"), "-subj", "/CN=127.0.0.1", "-out", p("server.csr")])
        _openssl(["x509", "-req", "-in", p("server.csr"), "-CA", p("ca.pem"), "-CAkey", p("ca-key.pem"),
                  "-CAcreateserial", "-days", "2", "-sha256", "-extfile", ext, "-extensions", "server",
                  "-out", p("server.pem")])
        os.chmod(p("server-key.pem"), 0o600)
        os.chmod(p("ca-key.pem"), 0o600)
        _openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", p("client-key.pem")])
        os.chmod(p("client-key.pem"), 0o600)
        _openssl(["req", "-x509", "-new", "-key", p("client-key.pem"), "-subj", "/CN=vaultproof-collector",
                  "-days", "2", "-sha256", "-out", p("client-only.pem")])
        with open(p("client-only.pem"), "rb") as f:
            cert_pem = f.read()
        with open(p("client-key.pem"), "rb") as f:
            key_pem = f.read()
        self.client_cert_pem = p("client-cert.pem")
        _write_private(self.client_cert_pem, cert_pem + key_pem)
        self.client_cert_password = secrets.token_urlsafe(18)
        self.client_cert_p12 = p("client-cert.p12")
        # The password goes through the environment, never the command line (visible in ps).
        _openssl(["pkcs12", "-export", "-in", p("client-only.pem"), "-inkey", p("client-key.pem"),
                  "-name", "vaultproof-collector", "-passout", "env:VP_EMU_P12_PASS", "-out", self.client_cert_p12],
                 env={"VP_EMU_P12_PASS": self.client_cert_password})
        os.chmod(self.client_cert_p12, 0o600)
        _openssl(["x509", "-in", p("client-only.pem"), "-pubkey", "-noout", "-out", p("client-pub.pem")])
        der = ssl.PEM_cert_to_DER_cert(cert_pem.decode("ascii"))
        self.x5t_s256 = b64url(hashlib.sha256(der).digest())
        self.x5t = b64url(hashlib.sha1(der).digest())
        self.ca = p("ca.pem")
        self.server_cert = p("server.pem")
        self.server_key = p("server-key.pem")
        self.federated_token_file = p("federated-token")

    def path(self, name):
        return os.path.join(self.dir, name)

    def verify_rs256(self, signing_input, signature):
        """True when signature is a valid RS256 signature of signing_input by the client certificate."""
        with tempfile.TemporaryDirectory(dir=self.dir, prefix="verify-") as tmp:
            data = os.path.join(tmp, "data")
            sig = os.path.join(tmp, "sig")
            with open(data, "wb") as f:
                f.write(signing_input)
            with open(sig, "wb") as f:
                f.write(signature)
            p = subprocess.run(["openssl", "dgst", "-sha256", "-verify", self.path("client-pub.pem"),
                                "-signature", sig, data], capture_output=True)
            return p.returncode == 0
