#!/usr/bin/env bash
# Benchmark `vaultproof render --xlsx` on the 100k-item generated estate, against the
# workbook a user would otherwise write with openpyxl.
#
# Usage: bench/render-xlsx.sh [BUILD_DIR]        (default BUILD_DIR: build)
#
# Generates 100,000 protected items over 500 vaults (as bench/gen-and-collect.sh),
# collects and evaluates it (as bench/evaluate.sh), then runs
#   /usr/bin/time -v BUILD_DIR/vaultproof render --snapshot S --findings F --xlsx W --now T
# and reports wall time, peak RSS and workbook size against the targets (under 4 s,
# under 150 MB), and the size of each sheet's XML. Then times bench/xlsx_baseline.py
# (Debian's /usr/bin/python3 with python3-openpyxl) writing the same protected items;
# BASELINE_FINDINGS=1 makes it write the findings too (several minutes, several GB).
# A missed target is reported, not fatal; a failing command is.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/bench/lib.sh"
bin="${1:-build}/vaultproof"
python="${PYTHON:-python3}"
now=2026-09-30T06:00:00Z
bench_start render-xlsx.sh "$bin"

generate_estate "$python" "$here" "$work/raw"
"$bin" collect --replay "$work/raw" --out "$work/snapshot.json" --now "$now" --quiet
bench_config "$python" "$here" "$work/config.json"
"$bin" evaluate --snapshot "$work/snapshot.json" --config "$work/config.json" --out "$work/findings.json" \
  --now "$now" --quiet
rm -rf "$work/raw"


echo "running $bin render --xlsx ..."
/usr/bin/time -v -o "$work/time.txt" "$bin" render --snapshot "$work/snapshot.json" --findings "$work/findings.json" \
  --xlsx "$work/workbook.xlsx" --now "$now" --quiet
unzip -tq "$work/workbook.xlsx" >/dev/null
wall=$(seconds "$work/time.txt")
rss=$(megabytes "$work/time.txt")

echo "running bench/xlsx_baseline.py (protected items${BASELINE_FINDINGS:+ and findings}) ..."
/usr/bin/time -v -o "$work/time-openpyxl.txt" /usr/bin/python3 "$here/bench/xlsx_baseline.py" \
  "$work/snapshot.json" "$work/openpyxl.xlsx" ${BASELINE_FINDINGS:+--findings "$work/findings.json"}

echo
printf 'snapshot:          %s bytes, %s protected items\n' "$(wc -c < "$work/snapshot.json")" 100000
printf 'findings:          %s bytes, %s findings\n' "$(wc -c < "$work/findings.json")" "$(grep -c '"rule":' "$work/findings.json" || true)"
printf 'vaultproof wall:   %s s     target < 4 s     %s\n' "$wall" "$(verdict "$wall" 4)"
printf 'vaultproof maxRSS: %s MB  target < 150 MB  %s\n' "$rss" "$(verdict "$rss" 150)"
printf 'workbook:          %s bytes; sheet XML (uncompressed):\n' "$(wc -c < "$work/workbook.xlsx")"
unzip -l "$work/workbook.xlsx" 'xl/worksheets/*.xml' | awk 'NR > 3 && $4 ~ /sheet/ {printf "  %-28s %7.1f MB\n", $4, $1 / 1048576}'
printf 'openpyxl wall:     %s s\n' "$(seconds "$work/time-openpyxl.txt")"
printf 'openpyxl maxRSS:   %s MB\n' "$(megabytes "$work/time-openpyxl.txt")"
what="protected items only"
[ -n "${BASELINE_FINDINGS:-}" ] && what="protected items and findings"
printf 'openpyxl workbook: %s bytes (%s)\n' "$(wc -c < "$work/openpyxl.xlsx")" "$what"
