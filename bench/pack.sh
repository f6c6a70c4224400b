#!/usr/bin/env bash
# Benchmark `vaultproof pack` (replay) and `vaultproof verify` on the 100k-item estate.
#
# Usage: bench/pack.sh [BUILD_DIR]        (default BUILD_DIR: build)
#
# Generates 100,000 protected items over 500 vaults (as bench/gen-and-collect.sh), makes
# demo keys, then runs /usr/bin/time -v on
#   pack --config C --replay RAW --period 2026-Q3 --out ARCHIVE --key K --cert C --now T
# (pack prints its wall time per stage on stderr) and on
#   verify BUNDLE --trust ca.pem
# and reports wall time, peak RSS, bundle size and verify throughput (MB of bundle per
# second) against the targets: pack under 15 s and 500 MB, verify at least 200 MB/s.
# A missed target is reported, not fatal; a failing command is.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/bench/lib.sh"
bin="${1:-build}/vaultproof"
python="${PYTHON:-python3}"
now=2026-09-30T06:00:00Z
bench_start pack.sh "$bin"

generate_estate "$python" "$here" "$work/raw"
bench_config "$python" "$here" "$work/config.json"
"$bin" keygen --out "$work/keys" --now 2026-09-01T00:00:00Z >/dev/null
sync

echo "running $bin pack ..."
/usr/bin/time -v -o "$work/time-pack.txt" "$bin" pack --config "$work/config.json" --replay "$work/raw" \
  --period 2026-Q3 --out "$work/archive" --key "$work/keys/signer.key" --cert "$work/keys/signer.pem" \
  --now "$now" >"$work/pack.out" 2>"$work/pack.err"
bundle="$(head -n1 "$work/pack.out")"
echo "running $bin verify ..."
/usr/bin/time -v -o "$work/time-verify.txt" "$bin" verify "$bundle" --trust "$work/keys/ca.pem" >"$work/verify.out"
grep -q '^bundle: VERIFIED$' "$work/verify.out"

pack_wall=$(seconds "$work/time-pack.txt")
pack_rss=$(megabytes "$work/time-pack.txt")
verify_wall=$(seconds "$work/time-verify.txt")
bytes=$(wc -c < "$bundle")
inner=$(gzip -dc "$bundle" | wc -c)
mbps=$(awk -v b="$bytes" -v s="$verify_wall" 'BEGIN { printf "%.1f", (s > 0) ? b / 1048576 / s : 0 }')
echo
printf 'bundle:         %s bytes (%s bytes of tar inside)\n' "$bytes" "$inner"
printf 'pack stages:    %s\n' "$(sed -n 's/^pack: [0-9]* bytes in [0-9.]*s (\(.*\))$/\1/p' "$work/pack.err")"
printf 'pack wall:      %s s      target < 15 s    %s\n' "$pack_wall" "$(verdict "$pack_wall" 15)"
printf 'pack maxRSS:    %s MB   target < 500 MB  %s\n' "$pack_rss" "$(verdict "$pack_rss" 500)"
printf 'verify wall:    %s s  maxRSS %s MB\n' "$verify_wall" "$(megabytes "$work/time-verify.txt")"
printf 'verify speed:   %s MB/s of bundle   target >= 200 MB/s  %s\n' "$mbps" \
  "$(awk -v v="$mbps" 'BEGIN { print (v >= 200) ? "PASS" : "MISS" }')"
