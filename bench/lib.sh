# Shared by the bench/*.sh scripts (source it): reading /usr/bin/time -v reports.

# Wall-clock seconds from a /usr/bin/time -v report.
seconds() { awk -F': ' '/Elapsed \(wall clock\)/ {split($2, t, ":"); s = 0; for (i = 1; i <= length(t); i++) s = s * 60 + t[i]; print s}' "$1"; }
# Peak RSS in MB from a /usr/bin/time -v report.
megabytes() { awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$1"; }
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
