#!/usr/bin/env python3
"""A local RFC 3161 time-stamping authority for tests: `openssl ts -reply` behind a small
HTTP server on 127.0.0.1 (Python standard library only).

    tsa_server.py --dir DIR [--mode ok|garbage|http500|other] [--tls]

Creates DIR/tsa-ca.pem (a test CA), DIR/tsa.pem + DIR/tsa.key (the TSA certificate,
extendedKeyUsage=critical,timeStamping) and DIR/tsa.cnf when they are missing, listens on
an ephemeral port and prints "PORT <n>" on stdout once it accepts requests. Each POST body
(a DER TimeStampReq) is answered with `openssl ts -reply`; --mode garbage answers
200 with bytes that are no TimeStampResp, http500 answers 500, other answers a genuine
granted response for other data (another imprint and nonce). With --tls it serves HTTPS
with DIR/tls.pem, a certificate for IP 127.0.0.1 issued by DIR/tsa-ca.pem, and prints
"PORT <n> https". Stops on SIGTERM.
"""
import argparse
import http.server
import os
import signal
import ssl
import subprocess
import sys
import tempfile

TSA_CNF = """[ tsa ]
default_tsa = tsa_config1
[ tsa_config1 ]
dir = {dir}
serial = $dir/tsaserial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/tsa-ca.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
other_policies = 1.2.3.4.5.6
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def openssl(*args):
    subprocess.run(["openssl"] + list(args), check=True, capture_output=True)


def make_tsa(d):
    """The TSA's CA, certificate, key and openssl ts configuration in directory d."""
    if os.path.exists(os.path.join(d, "tsa.cnf")):
        return
    ca_key, ca, key, csr, cert = (os.path.join(d, n) for n in ("tsa-ca.key", "tsa-ca.pem", "tsa.key", "tsa.csr",
                                                              "tsa.pem"))
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", ca_key,
            "-out", ca, "-subj", "/CN=vaultproof test TSA CA", "-days", "3650",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
            "-out", csr, "-subj", "/CN=vaultproof test TSA")
    ext = os.path.join(d, "tsa.ext")
    with open(ext, "w") as f:
        f.write("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                "extendedKeyUsage=critical,timeStamping\n")
    openssl("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", cert,
            "-days", "3650", "-extfile", ext)
    with open(os.path.join(d, "tsaserial"), "w") as f:
        f.write("01\n")
    with open(os.path.join(d, "tsa.cnf"), "w") as f:
        f.write(TSA_CNF.format(dir=d))


def make_tls(d):
    """A server certificate for 127.0.0.1 from the TSA's CA (so tsa-ca.pem is the bundle)."""
    key, csr, cert, ext = (os.path.join(d, n) for n in ("tls.key", "tls.csr", "tls.pem", "tls.ext"))
    if os.path.exists(cert):
        return cert, key
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
            "-out", csr, "-subj", "/CN=127.0.0.1")
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", csr, "-CA", os.path.join(d, "tsa-ca.pem"), "-CAkey",
            os.path.join(d, "tsa-ca.key"), "-CAcreateserial", "-out", cert, "-days", "30", "-extfile", ext)
    return cert, key


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):  # quiet: the tests read stdout
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.server.requests += 1
        if self.server.mode == "http500":
            self.send_response(500)
            self.end_headers()
            return
        if self.server.mode == "garbage":
            reply = b"\x30\x03\x02\x01\x07 this is not a TimeStampResp"
        else:
            with tempfile.TemporaryDirectory() as t:
                q, r = os.path.join(t, "q.tsq"), os.path.join(t, "r.tsr")
                with open(q, "wb") as f:
                    f.write(body)
                if self.server.mode == "other":
                    d = os.path.join(t, "other")
                    with open(d, "wb") as f:
                        f.write(b"not what the client asked to stamp")
                    subprocess.run(["openssl", "ts", "-query", "-data", d, "-sha256", "-cert", "-out", q],
                                   check=True, capture_output=True)
                p = subprocess.run(["openssl", "ts", "-reply", "-config", self.server.cnf, "-queryfile", q,
                                    "-out", r], capture_output=True)
                if p.returncode != 0:
                    self.send_response(500)
                    self.end_headers()
                    return
                with open(r, "rb") as f:
                    reply = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--mode", default="ok", choices=["ok", "garbage", "http500", "other"])
    ap.add_argument("--tls", action="store_true")
    a = ap.parse_args()
    d = os.path.abspath(a.dir)
    os.makedirs(d, exist_ok=True)
    make_tsa(d)
    srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    srv.mode, srv.cnf, srv.requests = a.mode, os.path.join(d, "tsa.cnf"), 0
    if a.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*make_tls(d))
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("PORT %d%s" % (srv.server_address[1], " https" if a.tls else ""), flush=True)
    try:
        srv.serve_forever()
    finally:
        srv.server_close()


if __name__ == "__main__":
    main()
