#!/usr/bin/env bash
# Benchmark `vaultproof evaluate` on the 100k-item generated estate.
#
# Usage: bench/evaluate.sh [BUILD_DIR]        (default BUILD_DIR: build)
#
# Generates 100,000 protected items over 500 vaults (as bench/gen-and-collect.sh), collects
# the snapshot, then runs /usr/bin/time -v BUILD_DIR/vaultproof evaluate with the sample's
# configuration (scope and exemptions removed) and reports wall time and peak RSS against
# the targets (under 2 s, under 500 MB). A missed target is reported, not fatal.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/bench/lib.sh"
bin="${1:-build}/vaultproof"
python="${PYTHON:-python3}"
bench_start evaluate.sh "$bin"

generate_estate "$python" "$here" "$work/raw"
SOURCE_DATE_EPOCH=1790748000 "$bin" collect --replay "$work/raw" --out "$work/snapshot.json" --quiet
bench_config "$python" "$here" "$work/config.json"

echo "running $bin evaluate ..."
SOURCE_DATE_EPOCH=1790748000 /usr/bin/time -v -o "$work/time.txt" \
  "$bin" evaluate --snapshot "$work/snapshot.json" --config "$work/config.json" --out "$work/findings.json" --quiet
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {split($2, t, ":"); s = 0; for (i = 1; i <= length(t); i++) s = s * 60 + t[i]; print s}' "$work/time.txt")
rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
findings=$(grep -c '"rule":' "$work/findings.json" || true)
size=$(wc -c < "$work/findings.json")
echo
printf 'snapshot:        %s bytes\n' "$(wc -c < "$work/snapshot.json")"
printf 'findings:        %s findings, %s bytes\n' "$findings" "$size"
printf 'evaluate wall:   %s s    target < 2 s      %s\n' "$wall" "$(verdict "$wall" 2)"
printf 'evaluate maxRSS: %.1f MB  target < 500 MB  %s\n' "$(awk -v k="$rss_kb" 'BEGIN{print k/1024}')" "$(verdict "$(awk -v k="$rss_kb" 'BEGIN{print k/1024}')" 500)"
