#!/usr/bin/env bash
# Benchmark `vaultproof collect --replay` on a large synthetic estate.
#
# Usage: bench/gen-and-collect.sh [BUILD_DIR]        (default BUILD_DIR: build)
#
# Generates 100,000 protected items over 500 vaults in 10 subscriptions (with capture
# sidecars) into a temporary directory under ${TMPDIR:-/tmp}, removed on exit, then runs
#   SOURCE_DATE_EPOCH=1790000000 /usr/bin/time -v BUILD_DIR/vaultproof collect --replay DIR --out SNAP
# and reports generation time, wall time, peak RSS and snapshot size against the targets
# (wall < 3 s, peak RSS < 400 MB). A missed target is reported, not fatal; a non-zero exit
# of vaultproof is. Environment: PYTHON (default python3).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/bench/lib.sh"
build_dir="${1:-build}"
bin="$build_dir/vaultproof"
python="${PYTHON:-python3}"
items=100000
vaults=500
subscriptions=10
target_wall_s=3
target_rss_mb=400

if [ ! -x "$bin" ]; then
  echo "gen-and-collect: $bin not found or not executable (build first, or pass BUILD_DIR)" >&2
  exit 2
fi
if [ ! -x /usr/bin/time ]; then
  echo "gen-and-collect: /usr/bin/time is missing (Debian package 'time'; see scripts/install-deps)" >&2
  exit 2
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/vaultproof-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
raw="$work/raw"
snap="$work/snapshot"

now_ns() { date +%s%N; }

echo "generating $items items / $vaults vaults / $subscriptions subscriptions into $raw ..."
t0="$(now_ns)"
"$python" "$here/tests/tools/gen_estate.py" scale --out "$raw" --items "$items" --vaults "$vaults" \
  --subscriptions "$subscriptions"
t1="$(now_ns)"
gen_s="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')"
raw_bytes="$(du -sb "$raw" | cut -f1)"

echo "running $bin collect --replay ..."
rc=0
SOURCE_DATE_EPOCH=1790000000 /usr/bin/time -v -o "$work/time.txt" \
  "$bin" collect --replay "$raw" --out "$snap" >"$work/collect.log" 2>&1 || rc=$?
if [ "$rc" -ne 0 ]; then
  echo "gen-and-collect: vaultproof collect exited with status $rc; last lines of its output:" >&2
  tail -n 30 "$work/collect.log" >&2
  exit "$rc"
fi

# "Elapsed (wall clock) time (h:mm:ss or m:ss): 0:01.23"
wall_s="$(awk -F': ' '/Elapsed \(wall clock\)/ {
  n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s }' "$work/time.txt")"
rss_kb="$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time.txt")"
rss_mb="$(awk -v k="$rss_kb" 'BEGIN { printf "%.1f", k / 1024 }')"
if [ -e "$snap" ]; then
  snap_bytes="$(du -sb "$snap" | cut -f1)"
else
  snap_bytes=0
fi
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB (%d bytes)", b / 1e6, b }'; }

echo
echo "estate:          $items items, $vaults vaults, $subscriptions subscriptions, $(mb "$raw_bytes") on disk"
echo "generation time: ${gen_s} s"
echo "collect wall:    ${wall_s} s    target < ${target_wall_s} s      $(verdict "$wall_s" "$target_wall_s")"
echo "collect max RSS: ${rss_mb} MB   target < ${target_rss_mb} MB   $(verdict "$rss_mb" "$target_rss_mb")"
echo "snapshot size:   $(mb "$snap_bytes")"
