# shellcheck shell=bash
# Shared by the bench/*.sh scripts (source it): reading /usr/bin/time -v reports.

# Wall-clock seconds from a /usr/bin/time -v report.
seconds() { awk -F': ' '/Elapsed \(wall clock\)/ {split($2, t, ":"); s = 0; for (i = 1; i <= length(t); i++) s = s * 60 + t[i]; print s}' "$1"; }
# Peak RSS in MB from a /usr/bin/time -v report.
megabytes() { awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$1"; }
# CPU seconds (user + system) from a /usr/bin/time -v report: less disturbed than wall time
# when something else runs on the machine.
cpu() { awk -F': ' '/User time|System time/ {s += $2} END {printf "%.2f\n", s}' "$1"; }
# PASS when value < target, else MISS.
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v < t) ? "PASS" : "MISS" }'; }

# Checks the binary and /usr/bin/time, makes $work (removed on exit). Usage: bench_start NAME BIN
bench_start() {
  [ -x "$2" ] || { echo "$1: $2 not found (build first)" >&2; exit 2; }
  [ -x /usr/bin/time ] || { echo "$1: /usr/bin/time is missing (Debian package 'time')" >&2; exit 2; }
  work="$(mktemp -d "${TMPDIR:-/tmp}/vaultproof-bench.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
}

# The 100k-item estate every benchmark uses: 500 vaults, 10 subscriptions, with sidecars.
# Usage: generate_estate PYTHON SOURCE_DIR OUT_DIR
generate_estate() {
  echo "generating 100000 items / 500 vaults ..."
  "$1" "$2/tests/tools/gen_estate.py" scale --out "$3" --items 100000 --vaults 500 --subscriptions 10 2>/dev/null
}

# The sample's configuration without scope and exemptions (they name the sample's
# resources). Usage: bench_config PYTHON SOURCE_DIR OUT_FILE
bench_config() {
  "$1" - "$2/samples/contoso-health/vaultproof.json" "$3" <<'PY'
import json, sys
cfg = json.load(open(sys.argv[1], encoding="utf-8"))
cfg.pop("scope", None)
cfg["exemptions"] = []
json.dump(cfg, open(sys.argv[2], "w", encoding="utf-8"))
PY
}

# A throwaway RSA signing identity in DIR (ca.pem, ca.key, signer.key, signer.pem), not
# `keygen`'s ECDSA one: PKCS#1 v1.5 signatures are deterministic, so equal inputs give
# byte-equal bundles; ECDSA's random nonce would make every bundle differ. The subjects say
# NOT FOR PRODUCTION, which makes it a demo signer: pack accepts a pinned clock with it.
# Usage: rsa_identity DIR
rsa_identity() {
  local k=$1
  mkdir -p "$k"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$k/ca.key" -out "$k/ca.pem" -days 3650 \
    -subj "/CN=vaultproof bench CA NOT FOR PRODUCTION" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -keyout "$k/signer.key" -out "$k/signer.csr" \
    -subj "/CN=vaultproof bench signer NOT FOR PRODUCTION" 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n' > "$k/ext"
  openssl x509 -req -in "$k/signer.csr" -CA "$k/ca.pem" -CAkey "$k/ca.key" -CAcreateserial -days 3650 \
    -extfile "$k/ext" -out "$k/signer.pem" 2>/dev/null
  chmod 600 "$k/signer.key" "$k/ca.key"
}
