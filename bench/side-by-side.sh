#!/usr/bin/env bash
# Two builds of vaultproof on the same 100k-item estate, interleaved, so a refactor can be
# shown not to be slower (and its outputs equal) in one run on one machine.
#
# Usage: bench/side-by-side.sh OLD_BUILD_DIR NEW_BUILD_DIR [ROUNDS]   (default ROUNDS: 3)
#
# Generates the estate every benchmark uses (bench/lib.sh), makes an RSA signing identity, then for each
# round runs, old build then new build, under /usr/bin/time -v:
#   collect --replay, evaluate, render --pdf --xlsx, pack --replay
# with a pinned clock. Prints per stage the median wall time, CPU time (user + system) and
# peak RSS of each build and the ratios new/old, and whether the two builds' snapshot, findings, report, workbook
# and bundle are byte-identical (they must be when both builds claim the same commit:
# configure them with -DVP_GIT_COMMIT=SAME).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/bench/lib.sh"
[ $# -ge 2 ] || { echo "usage: bench/side-by-side.sh OLD_BUILD_DIR NEW_BUILD_DIR [ROUNDS]" >&2; exit 2; }
old="$1/vaultproof"
new="$2/vaultproof"
rounds="${3:-3}"
python="${PYTHON:-python3}"
[ -x "$new" ] || { echo "side-by-side.sh: $new not found (build first)" >&2; exit 2; }
bench_start side-by-side.sh "$old"

generate_estate "$python" "$here" "$work/raw"
bench_config "$python" "$here" "$work/config.json"
rsa_identity "$work/keys"
export SOURCE_DATE_EPOCH=1790748000

# One stage of one build in round r; outputs go to a directory of their own per build,
# always under the same path (outputs name their inputs' paths).
stage() { # build-name binary stage round
  local name=$1 bin=$2 st=$3 r=$4 d="$work/out"
  local t="$work/time-$name-$st-$r.txt"
  case $st in
  collect) /usr/bin/time -v -o "$t" "$bin" collect --replay "$work/raw" --out "$d/snapshot.json" --quiet ;;
  evaluate) /usr/bin/time -v -o "$t" "$bin" evaluate --snapshot "$d/snapshot.json" --config "$work/config.json" \
              --out "$d/findings.json" --quiet ;;
  render) /usr/bin/time -v -o "$t" "$bin" render --snapshot "$d/snapshot.json" --findings "$d/findings.json" \
            --pdf "$d/report.pdf" --xlsx "$d/workbook.xlsx" --period 2026-Q3 --quiet ;;
  pack) rm -rf "$d/archive"
        /usr/bin/time -v -o "$t" "$bin" pack --config "$work/config.json" --replay "$work/raw" --period 2026-Q3 \
          --out "$d/archive" --key "$work/keys/signer.key" --cert "$work/keys/signer.pem" --quiet >/dev/null ;;
  esac
}

stages="collect evaluate render pack"
for r in $(seq 1 "$rounds"); do
  for name in old new; do
    bin=$old; [ $name = new ] && bin=$new
    rm -rf "$work/out"; mkdir -p "$work/out"
    echo "round $r: $name ..."
    for st in $stages; do stage $name "$bin" "$st" "$r"; done
    if [ "$r" = 1 ]; then
      mkdir -p "$work/keep-$name"
      (cd "$work/out" && sha256sum snapshot.json findings.json report.pdf workbook.xlsx archive/*.tar.gz) \
        > "$work/keep-$name/sums"
    fi
  done
done

median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
col() { # kind build stage: median over the rounds
  for r in $(seq 1 "$rounds"); do
    case $1 in wall) seconds "$work/time-$2-$3-$r.txt" ;; cpu) cpu "$work/time-$2-$3-$r.txt" ;;
                rss) megabytes "$work/time-$2-$3-$r.txt"; echo ;; esac
  done | median
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a / b}'; }
echo
printf '%-9s %8s %8s %6s %9s %9s %6s %9s %9s\n' stage "old s" "new s" ratio "old cpu" "new cpu" ratio \
  "old MB" "new MB"
for st in $stages; do
  ow=$(col wall old "$st"); nw=$(col wall new "$st")
  oc=$(col cpu old "$st"); nc=$(col cpu new "$st")
  printf '%-9s %8s %8s %6s %9s %9s %6s %9s %9s\n' "$st" "$ow" "$nw" "$(ratio "$nw" "$ow")" "$oc" "$nc" \
    "$(ratio "$nc" "$oc")" "$(col rss old "$st")" "$(col rss new "$st")"
done
echo
if cmp -s "$work/keep-old/sums" "$work/keep-new/sums"; then
  echo "outputs: byte-identical (snapshot, findings, report, workbook, bundle)"
else
  echo "outputs: DIFFER"; diff "$work/keep-old/sums" "$work/keep-new/sums" || true
fi
