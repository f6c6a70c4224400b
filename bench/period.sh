#!/usr/bin/env bash
# Benchmark the evidence period (issue 15): 10,000 protected items over 92 days - about a
# million backup jobs - collected from a recording over 2026-Q3 and evaluated.
#
# Usage: bench/period.sh [BUILD_DIR] [ESTATE_DIR]   (default BUILD_DIR: build)
#
# Generates (or reuses ESTATE_DIR) `gen_estate.py scale --items 10000 --vaults 500
# --jobs-period 2026-Q3 --events 2000`: nightly jobs per item (failure streaks, restores,
# CRR jobs, job details of the failed ones) and 2,000 Activity Log events, with capture
# sidecars. Then /usr/bin/time -v on `collect --replay --period 2026-Q3 --jobs-out` and on
# `evaluate --jobs` (the sample's configuration without scope and exemptions, restore
# tests and change register dropped: they name the sample's classes and changes). Target
# (the issue): collect-replay plus evaluate under 20 s and under 500 MB peak RSS each on
# 2 cores, the jobs streamed, never all in memory. A missed target is reported, not fatal.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/bench/lib.sh"
bin="${1:-build}/vaultproof"
python="${PYTHON:-python3}"
bench_start period.sh "$bin"
estate="${2:-$work/raw}"

if [ ! -d "$estate/subscriptions" ]; then
  echo "generating 10000 items / 500 vaults with the jobs of 2026-Q3 ..."
  "$python" "$here/tests/tools/gen_estate.py" scale --out "$estate" --items 10000 --vaults 500 \
    --jobs-period 2026-Q3 --events 2000 >/dev/null 2>&1
fi
bench_config "$python" "$here" "$work/config.json"
"$python" - "$work/config.json" <<'PY'
import json, sys
cfg = json.load(open(sys.argv[1], encoding="utf-8"))
cfg.pop("restore_tests", None)
cfg.pop("change_register", None)
json.dump(cfg, open(sys.argv[1], "w", encoding="utf-8"))
PY

echo "running $bin collect --replay --period 2026-Q3 --jobs-out ..."
SOURCE_DATE_EPOCH=1790748000 /usr/bin/time -v -o "$work/collect.txt" \
  "$bin" collect --replay "$estate" --config "$work/config.json" --period 2026-Q3 \
  --out "$work/snapshot.json" --jobs-out "$work/jobs.jsonl" --quiet || [ $? -eq 4 ]
echo "running $bin evaluate --jobs ..."
SOURCE_DATE_EPOCH=1790748000 /usr/bin/time -v -o "$work/evaluate.txt" \
  "$bin" evaluate --snapshot "$work/snapshot.json" --jobs "$work/jobs.jsonl" --config "$work/config.json" \
  --out "$work/findings.json" --quiet || [ $? -eq 1 ]

jobs=$(grep -vc '"detail_of"' "$work/jobs.jsonl" || true)
cw=$(seconds "$work/collect.txt"); cm=$(megabytes "$work/collect.txt")
ew=$(seconds "$work/evaluate.txt"); em=$(megabytes "$work/evaluate.txt")
total=$(awk -v a="$cw" -v b="$ew" 'BEGIN{print a + b}')
echo
printf 'jobs in the period: %s (%s bytes of jobs.jsonl)\n' "$jobs" "$(wc -c < "$work/jobs.jsonl")"
printf 'changes:            %s\n' "$(grep -c '"correlation_id"' "$work/snapshot.json" || true)"
printf 'collect wall:       %s s   maxRSS %s MB\n' "$cw" "$cm"
printf 'evaluate wall:      %s s   maxRSS %s MB\n' "$ew" "$em"
printf 'together:           %s s   target < 20 s     %s\n' "$total" "$(verdict "$total" 20)"
printf 'peak RSS:           %s MB  target < 500 MB   %s\n' "$(awk -v a="$cm" -v b="$em" 'BEGIN{print (a > b) ? a : b}')" \
  "$(verdict "$(awk -v a="$cm" -v b="$em" 'BEGIN{print (a > b) ? a : b}')" 500)"
