#!/usr/bin/env bash
# One benchmark command: every stage of vaultproof at several estate sizes, an old build
# beside the new one, the Python XLSX writers and the Azure SDK for JavaScript on the same
# population, and the physical floors (gzip, pigz, sha256sum) - one table at the end.
# `bench/run-all.sh --help` says how; bench/README.md says what the columns mean.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench/lib.sh
. "$here/bench/lib.sh"

usage() {
  cat <<'EOF'
usage: bench/run-all.sh [--build DIR] [--old DIR|BINARY] [--big] [--runs N] [--sizes LIST]
                        [--estates DIR] [--keys DIR] [--out DIR] [--force] [--only STAGES]
                        [--no-peers] [--peer-sizes LIST] [--install-peers]

Times every stage of vaultproof with /usr/bin/time -v on generated estates, N runs each,
and prints one table (also OUT/results.md; the raw /usr/bin/time reports are in OUT/raw/).
It builds nothing; build first, RelWithDebInfo as the figures in bench/README.md:
  cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVP_WERROR=ON && cmake --build build-rel -j2

  --build DIR        the build to measure (DIR/vaultproof; default: build-rel)
  --old DIR|BINARY   an older build (a build dir or the binary itself) timed beside it, run by
                     run alternating which goes first, so drift hits both; outputs compared
                     byte for byte (for equal bytes both must record the same commit:
                     configure the new one with -DVP_GIT_COMMIT=<the old commit>)
  --runs N           runs of each stage per build (default 3); table: min and median
  --sizes LIST       protected items per estate, comma-separated (default 10000,100000,300000)
  --big              add 1000000 to the sizes
  --estates DIR      where the generated estates live, made once and reused (default
                     ${XDG_CACHE_HOME:-~/.cache}/vaultproof/bench-estates): items-N/raw with an
                     items-N/.done marker, period-10000/raw (+ .done), config.json, keys/
                     (signer.key, signer.pem, ca.pem; made as a throwaway RSA identity
                     when missing). Never written to when it already holds what is needed.
  --keys DIR         the signer for pack and the CA for verify instead of ESTATES/keys (made
                     as a throwaway RSA identity when missing): bundles compare byte for byte
                     only with RSA, whose signatures are deterministic (keygen's are ECDSA)
  --out DIR          results (default bench-results-<UTC time> in the current directory);
                     the work directory OUT/work holds the largest outputs of one run only
  --only STAGES      comma-separated subset of: collect, evaluate, oscal, pdf, xlsx, pack,
                     verify, period, peers, js, floors (default: all). Stages the chosen
                     ones need still run, untimed.
  --no-peers         skip the Python writers and the JavaScript SDK (= --only without peers, js)
  --peer-sizes LIST  sizes at which the peers run, once each (default: the chosen sizes up to
                     100000: openpyxl and XlsxWriter need about 20 KB of memory per item)
  --install-peers    apt-get install pigz python3-xlsxwriter python3-openpyxl first (root or
                     sudo), as scripts/install-deps does
  --force            run even when the 1-minute load average is above 1.0 (the table then
                     says so)
  -h, --help         this text

Stages (SOURCE_DATE_EPOCH=1790748000, config: the sample's without scope and exemptions):
  collect          collect --replay RAW --out snapshot.json
  evaluate         evaluate --snapshot snapshot.json --config C --out findings.json
  oscal            the same with --oscal oscal.json
  pdf, xlsx        render --snapshot ... --findings ... --pdf report.pdf | --xlsx workbook.xlsx
  pack             pack --config C --replay RAW --period 2026-Q3 --out archive --key --cert
                   --now 2026-09-30T06:00:00Z (its stderr gives the per-stage seconds)
  verify           verify BUNDLE --trust ca.pem
  period           10,000 items with the jobs of 2026-Q3 (gen_estate.py --jobs-period 2026-Q3
                   --events 2000, about 816,000 jobs, as bench/period.sh):
                   collect --period 2026-Q3 --jobs-out, then evaluate --jobs
  peers            bench/xlsx_baseline.py with openpyxl (write-only) and XlsxWriter
                   (constant_memory) writing the items and findings sheets of the same
                   snapshot and findings, /usr/bin/python3, once per peer size
  js               bench/live-collect.sh on the same estate against the ARM emulator:
                   vaultproof's live collect and the Azure SDK for JavaScript (npm install
                   from the registry, once); peer sizes only
  floors           on the new build's workbook XML and bundle tar: gzip -6 and pigz (all
                   cores), sha256sum, gzip -dc; each stage's multiple of its floor

A row is marked * when, during one of its runs, other processes used more than 10 % of a
core (CPU time the whole machine spent, from /proc/stat, minus the stage's own): the load
average cannot tell, since the benchmark itself keeps it near the number of cores.

Exit status: 0 every stage ran; 1 a stage failed (the table says which; the run goes on);
2 usage (or a missing tool or build); 3 refused: load average above 1.0 without --force.
EOF
}

die_usage() { echo "run-all.sh: $*" >&2; echo "try: bench/run-all.sh --help" >&2; exit 2; }

build=build-rel old="" runs=3 sizes=10000,100000,300000 big=0 force=0 install_peers=0
estates="${XDG_CACHE_HOME:-$HOME/.cache}/vaultproof/bench-estates"
out="bench-results-$(date -u +%Y%m%dT%H%M%SZ)" only="" no_peers=0 peer_sizes="" keys=""
all_stages="collect evaluate oscal pdf xlsx pack verify period peers js floors"
while [ $# -gt 0 ]; do
  case $1 in
  --build|--old|--runs|--sizes|--estates|--keys|--out|--only|--peer-sizes)
    [ $# -ge 2 ] || die_usage "$1 needs a value"
    case $1 in
    --build) build=$2 ;; --old) old=$2 ;; --runs) runs=$2 ;; --sizes) sizes=$2 ;;
    --estates) estates=$2 ;; --keys) keys=$2 ;; --out) out=$2 ;; --only) only=$2 ;; --peer-sizes) peer_sizes=$2 ;;
    esac
    shift 2 ;;
  --big) big=1; shift ;;
  --force) force=1; shift ;;
  --no-peers) no_peers=1; shift ;;
  --install-peers) install_peers=1; shift ;;
  -h|--help) usage; exit 0 ;;
  *) die_usage "unknown option '$1'" ;;
  esac
done

[[ $runs =~ ^[1-9][0-9]*$ ]] || die_usage "--runs wants a positive whole number, not '$runs'"
[[ $sizes =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || die_usage "--sizes wants numbers separated by commas, not '$sizes'"
[ -z "$peer_sizes" ] || [[ $peer_sizes =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] ||
  die_usage "--peer-sizes wants numbers separated by commas, not '$peer_sizes'"
[ $big = 1 ] && sizes="$sizes,1000000"
sizes="$(tr , '\n' <<<"$sizes" | sort -nu | paste -sd' ')"
if [ -z "$peer_sizes" ]; then
  peer_sizes="$(for n in $sizes; do if [ "$n" -le 100000 ]; then echo "$n"; fi; done | paste -sd' ')"
else
  peer_sizes="$(tr , ' ' <<<"$peer_sizes")"
fi
selected="$all_stages"
if [ -n "$only" ]; then
  selected="$(tr , ' ' <<<"$only")"
  for s in $selected; do
    [[ " $all_stages " == *" $s "* ]] || die_usage "--only: unknown stage '$s' (one of: $all_stages)"
  done
fi
if [ $no_peers = 1 ]; then
  selected="$(for s in $selected; do case $s in peers|js) ;; *) echo "$s" ;; esac; done | paste -sd' ')"
fi
is_selected() { [[ " $selected " == *" $1 "* ]]; }

# --old and --build: a build directory or the binary itself.
resolve_bin() {
  if [ -f "$1" ] && [ -x "$1" ]; then (cd "$(dirname "$1")" && echo "$PWD/$(basename "$1")")
  elif [ -x "$1/vaultproof" ]; then (cd "$1" && echo "$PWD/vaultproof")
  else return 1; fi
}
new_bin="$(resolve_bin "$build")" ||
  die_usage "no vaultproof in '$build'; build it first (RelWithDebInfo):
  cmake -S . -B $build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVP_WERROR=ON && cmake --build $build -j2"
old_bin=""
if [ -n "$old" ]; then old_bin="$(resolve_bin "$old")" || die_usage "--old: no vaultproof binary at '$old'"; fi
[ -x /usr/bin/time ] || die_usage "/usr/bin/time is missing (Debian package 'time'; scripts/install-deps)"
py=/usr/bin/python3
[ -x $py ] || die_usage "$py is missing (Debian package python3)"

if [ $install_peers = 1 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    pigz python3-xlsxwriter python3-openpyxl >/dev/null
fi

load1() { cut -d' ' -f1 /proc/loadavg; }
above() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }
start_load="$(load1)"
if above "$start_load" 1.0 && [ $force = 0 ]; then
  echo "run-all.sh: refusing to start: 1-minute load average $start_load > 1.0, another job shares the machine" >&2
  echo "  (its figures would not be the machine's); wait for it, or --force to run and mark the table" >&2
  exit 3
fi

mkdir -p "$out/raw" "$out/tmp"
out="$(cd "$out" && pwd)"
work="$out/work"
records="$out/raw/records.tsv"
: >"$records"
: >"$out/raw/loads.tsv"
: >"$out/raw/outputs.tsv"
log="$out/run.log"
: >"$log"
progress() {
  printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >>"$log"
  if [ -t 2 ]; then printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; fi
}
failed=0
# An interrupted run leaves its records and reports, not gigabytes of one run's outputs.
trap 'rm -rf "$work" "$out/tmp"; echo "run-all.sh: interrupted; records so far in $out/raw" >&2; exit 130' INT TERM
export SOURCE_DATE_EPOCH=1790748000
now=2026-09-30T06:00:00Z

# --- estates, config, keys (made once, reused) -------------------------------------------
mkdir -p "$estates"
estates="$(cd "$estates" && pwd)"
vaults_for() { local v=$(($1 / 200)); [ $v -lt 50 ] && v=50; echo $v; }
ensure_estate() { # N -> prints the raw dir
  local d="$estates/items-$1"
  if [ ! -f "$d/.done" ]; then
    progress "generating $1 items / $(vaults_for "$1") vaults into $d (once) ..."
    rm -rf "$d/raw"; mkdir -p "$d"
    /usr/bin/time -v -o "$out/raw/gen-$1.time" $py "$here/tests/tools/gen_estate.py" scale --out "$d/raw" \
      --items "$1" --vaults "$(vaults_for "$1")" --subscriptions 10 >/dev/null 2>"$out/raw/gen-$1.err"
    touch "$d/.done"
  fi
  echo "$d/raw"
}
ensure_period_estate() {
  local d="$estates/period-10000"
  if [ ! -f "$d/.done" ]; then
    progress "generating 10000 items / 500 vaults with the jobs of 2026-Q3 into $d (once, about a minute) ..."
    rm -rf "$d/raw"; mkdir -p "$d"
    /usr/bin/time -v -o "$out/raw/gen-period.time" $py "$here/tests/tools/gen_estate.py" scale --out "$d/raw" \
      --items 10000 --vaults 500 --jobs-period 2026-Q3 --events 2000 >/dev/null 2>"$out/raw/gen-period.err"
    touch "$d/.done"
  fi
  echo "$d/raw"
}
config="$estates/config.json"
[ -f "$config" ] || bench_config $py "$here" "$config"
# The period's config: restore tests and change register name the sample's classes and changes.
period_config="$out/period-config.json"
$py - "$config" "$period_config" <<'PY'
import json, sys
cfg = json.load(open(sys.argv[1], encoding="utf-8"))
cfg.pop("restore_tests", None)
cfg.pop("change_register", None)
json.dump(cfg, open(sys.argv[2], "w", encoding="utf-8"))
PY
keys="${keys:-$estates/keys}"
if [ ! -f "$keys/signer.key" ] || [ ! -f "$keys/signer.pem" ] || [ ! -f "$keys/ca.pem" ]; then
  progress "making a throwaway RSA signing identity in $keys ..."
  rsa_identity "$keys"
fi
key_kind="$(openssl pkey -in "$keys/signer.key" -noout -text 2>/dev/null |
  awk '/^modulus/ { print "RSA"; exit } /ASN1 OID/ { print "ECDSA " $3; exit }')"

# --- one timed stage ---------------------------------------------------------------------
# CPU time the whole machine has spent (clock ticks, all cores, busy states incl. steal).
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }
hz="$(getconf CLK_TCK)"
# Runs a command under /usr/bin/time -v and appends one line to records.tsv:
# set stage build run rc ok wall cpu rss_kb foreign_cpu load1_before.
# Usage: timed SET STAGE BUILD RUN OK_CODES STDOUT_FILE -- COMMAND...
timed() {
  local set=$1 st=$2 b=$3 r=$4 okc=$5 so=$6; shift 7
  local base="$out/raw/$set/$b-$st-$r" rc=0 l0 t0 t1
  mkdir -p "$out/raw/$set"
  progress "$set $st: $b run $r ..."
  l0="$(load1)"; t0="$(machine_ticks)"
  /usr/bin/time -v -o "$base.time" "$@" >"$so" 2>"$base.err" || rc=$?
  t1="$(machine_ticks)"
  local ok=1
  [[ ",$okc," == *",$rc,"* ]] || { ok=0; failed=1; progress "  FAILED: exit $rc (see $base.err)"; }
  local wall cpu_s rss foreign
  wall="$(seconds "$base.time")"; cpu_s="$(cpu "$base.time")"
  rss="$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$base.time")"
  foreign="$(awk -v a="$t0" -v b="$t1" -v hz="$hz" -v c="$cpu_s" 'BEGIN { f = (b - a) / hz - c; printf "%.2f", (f > 0) ? f : 0 }')"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$set" "$st" "$b" "$r" "$rc" "$ok" "${wall:-0}" "$cpu_s" \
    "${rss:-0}" "$foreign" "$l0" >>"$records"
  return $((1 - ok))
}
skipped() { # SET STAGE BUILD RUN WHY
  printf '%s\t%s\t%s\t%s\tskip\t0\t0\t0\t0\t0\t0\n' "$1" "$2" "$3" "$4" >>"$records"
  progress "$1 $2: $3 run $4 skipped ($5)"
  failed=1
}

# The vaultproof stages of one build in one run, all writing under the same path $work
# whichever build runs (outputs record their inputs' paths). Stages not chosen but needed
# by a chosen one run untimed.
needs() { # STAGE: does anything chosen for this chain need its output?
  local s
  for s in $chain_stages; do
    case "$1:$s" in
    collect:evaluate|collect:oscal|collect:pdf|collect:xlsx|collect:peers|evaluate:pdf|evaluate:xlsx|\
    evaluate:peers|xlsx:floors|pack:verify|pack:floors|period-collect:period-evaluate) return 0 ;;
    esac
  done
  return 1
}
# The bundle pack wrote into $work/archive, or nothing.
bundle_path() {
  local f
  for f in "$work"/archive/*.tar.gz; do [ -f "$f" ] && { echo "$f"; return 0; }; done
  return 0
}
stage_cmd() { # STAGE BIN RAW -> sets cmd (array), okc, inputs
  local st=$1 bin=$2 raw=$3
  case $st in
  collect) cmd=("$bin" collect --replay "$raw" --out "$work/snapshot.json" --quiet); okc=0,4; inputs="" ;;
  evaluate) cmd=("$bin" evaluate --snapshot "$work/snapshot.json" --config "$config" --out "$work/findings.json" --quiet)
            okc=0; inputs="snapshot.json" ;;
  oscal) cmd=("$bin" evaluate --snapshot "$work/snapshot.json" --config "$config" --out "$work/findings-oscal.json"
              --oscal "$work/oscal.json" --quiet); okc=0; inputs="snapshot.json" ;;
  pdf) cmd=("$bin" render --snapshot "$work/snapshot.json" --findings "$work/findings.json" --pdf "$work/report.pdf" --quiet)
       okc=0; inputs="snapshot.json findings.json" ;;
  xlsx) cmd=("$bin" render --snapshot "$work/snapshot.json" --findings "$work/findings.json" --xlsx "$work/workbook.xlsx"
             --quiet); okc=0; inputs="snapshot.json findings.json" ;;
  pack) cmd=("$bin" pack --config "$config" --replay "$raw" --period 2026-Q3 --out "$work/archive" --key "$keys/signer.key"
             --cert "$keys/signer.pem" --now "$now"); okc=0; inputs="" ;;
  verify) cmd=("$bin" verify "$(bundle_path)" --trust "$keys/ca.pem"); okc=0
          inputs="archive/a-bundle"; [ -z "$(bundle_path)" ] || inputs="${cmd[2]#"$work"/}" ;;
  period-collect) cmd=("$bin" collect --replay "$raw" --config "$period_config" --period 2026-Q3
                       --out "$work/p-snapshot.json" --jobs-out "$work/jobs.jsonl" --quiet); okc=0,4; inputs="" ;;
  period-evaluate) cmd=("$bin" evaluate --snapshot "$work/p-snapshot.json" --jobs "$work/jobs.jsonl"
                        --config "$period_config" --out "$work/p-findings.json" --quiet); okc=0,1
                   inputs="p-snapshot.json jobs.jsonl" ;;
  esac
}
run_chain() { # SET BUILD BIN RUN RAW STAGES...
  local set=$1 b=$2 bin=$3 r=$4 raw=$5; shift 5
  local st i cmd=() okc inputs missing
  rm -rf "$work"; mkdir -p "$work"
  for st in "$@"; do
    local timed_here=0
    if [[ " $chain_stages " == *" $st "* ]]; then timed_here=1; elif ! needs "$st"; then continue; fi
    stage_cmd "$st" "$bin" "$raw"
    missing=""
    for i in $inputs; do [ -e "$work/$i" ] || missing="$missing $i"; done
    if [ -n "$missing" ]; then
      [ $timed_here = 1 ] && skipped "$set" "$st" "$b" "$r" "no$missing: an earlier stage failed"
      continue
    fi
    if [ $timed_here = 1 ]; then
      timed "$set" "$st" "$b" "$r" "$okc" "$out/raw/$set/$b-$st-$r.out" -- "${cmd[@]}" || true
    else
      local rc=0
      "${cmd[@]}" >/dev/null 2>"$out/raw/$set-$b-$st-untimed.err" || rc=$?
      [[ ",$okc," == *",$rc,"* ]] || { failed=1; progress "$set $st (untimed, needed later): $b exited $rc"; }
    fi
  done
}

# Sizes and SHA-256 of what one build wrote (run 1), for the old/new comparison; a
# bundle is also hashed member by member so a difference can be named.
record_outputs() { # SET BUILD
  local f bundle
  for f in snapshot.json findings.json oscal.json report.pdf workbook.xlsx p-snapshot.json jobs.jsonl p-findings.json; do
    [ -f "$work/$f" ] && printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$f" "$(wc -c <"$work/$f")" \
      "$(sha256sum "$work/$f" | cut -d' ' -f1)" >>"$out/raw/outputs.tsv"
  done
  bundle="$(bundle_path)"
  if [ -n "$bundle" ]; then
    printf '%s\t%s\tbundle\t%s\t%s\n' "$1" "$2" "$(wc -c <"$bundle")" "$(sha256sum "$bundle" | cut -d' ' -f1)" \
      >>"$out/raw/outputs.tsv"
    $py - "$bundle" >"$out/raw/$1/$2-bundle-members.tsv" <<'PY'
import hashlib, sys, tarfile
with tarfile.open(sys.argv[1], "r|gz") as t:
    for m in t:
        h = hashlib.sha256()
        f = t.extractfile(m) if m.isfile() else None
        if f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        print(f"{m.name}\t{m.size}\t{h.hexdigest()}")
PY
  fi
}

# The floors on the new build's own outputs: what deflating its workbook's XML and its
# bundle's tar, hashing and inflating cost on this machine with standard tools.
floors() { # SET
  local set=$1 bundle xml="$out/tmp/workbook.xml" tar="$out/tmp/bundle.tar"
  local cores; cores="$(nproc)"
  if [ -f "$work/workbook.xlsx" ]; then
    unzip -p "$work/workbook.xlsx" '*.xml' >"$xml"
    printf '%s\txml\t%s\n' "$set" "$(wc -c <"$xml")" >>"$out/raw/floor-inputs.tsv"
    timed "$set" gzip6-xml floor 1 0 /dev/null -- gzip -6 -c "$xml" || true
    command -v pigz >/dev/null && { timed "$set" pigz-xml floor 1 0 /dev/null -- pigz -6 -p "$cores" -c "$xml" || true; }
    rm -f "$xml"
  fi
  bundle="$(bundle_path)"
  if [ -n "$bundle" ]; then
    timed "$set" gunzip-bundle floor 1 0 /dev/null -- gzip -dc "$bundle" || true
    gzip -dc "$bundle" >"$tar"
    printf '%s\ttar\t%s\n' "$set" "$(wc -c <"$tar")" >>"$out/raw/floor-inputs.tsv"
    printf '%s\tbundle\t%s\n' "$set" "$(wc -c <"$bundle")" >>"$out/raw/floor-inputs.tsv"
    timed "$set" sha256-tar floor 1 0 /dev/null -- sha256sum "$tar" || true
    timed "$set" gzip6-tar floor 1 0 /dev/null -- gzip -6 -c "$tar" || true
    command -v pigz >/dev/null && { timed "$set" pigz-tar floor 1 0 /dev/null -- pigz -6 -p "$cores" -c "$tar" || true; }
    rm -f "$tar"
  fi
  return 0
}

# openpyxl and XlsxWriter on the new build's snapshot and findings of this run.
peers() { # SET
  local lib
  for lib in xlsxwriter openpyxl; do
    if ! $py -c "import $lib" 2>/dev/null; then
      printf '%s\tpeer-%s\tpeer\t1\tmissing\t0\t0\t0\t0\t0\t0\n' "$1" "$lib" >>"$records"
      progress "$1 peer $lib: not installed (--install-peers)"
      continue
    fi
    timed "$1" "peer-$lib" peer 1 0 "$out/raw/$1/peer-$lib.out" -- $py "$here/bench/xlsx_baseline.py" --library "$lib" \
      "$work/snapshot.json" "$out/tmp/peer-$lib.xlsx" --findings "$work/findings.json" || true
    [ -f "$out/tmp/peer-$lib.xlsx" ] && printf '%s\tpeer\tpeer-%s.xlsx\t%s\t-\n' "$1" "$lib" \
      "$(wc -c <"$out/tmp/peer-$lib.xlsx")" >>"$out/raw/outputs.tsv"
    rm -f "$out/tmp/peer-$lib.xlsx"
  done
  return 0
}

# vaultproof's live collect and the Azure SDK for JavaScript against the ARM emulator
# serving this estate (bench/live-collect.sh), their /usr/bin/time reports kept.
js_peer() { # SET RAW
  local d="$out/raw/$1/live" rc=0
  mkdir -p "$d"
  progress "$1 js: bench/live-collect.sh on the same estate (emulator, npm install once) ..."
  ESTATE="$2" KEEP="$d" JS_DIR="$out/js-baseline" PYTHON=$py READY_TIMEOUT_S=1800 \
    "$here/bench/live-collect.sh" "$(dirname "$new_bin")" >"$d/live-collect.log" 2>&1 || rc=$?
  [ $rc = 0 ] || { failed=1; progress "  live-collect.sh exited $rc (see $d/live-collect.log)"; }
  printf '%s\t%s\n' "$1" "$rc" >>"$out/raw/js.tsv"
}

# --- header -------------------------------------------------------------------------------
{
  echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)," \
    "$(awk '/MemTotal/ { printf "%.1f GB RAM", $2 / 1048576 }' /proc/meminfo), $(uname -sr)"
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ); load average at start: $start_load$([ $force = 1 ] && echo ' (--force)')"
  echo "new: $new_bin: $("$new_bin" --version)"
  [ -n "$old_bin" ] && echo "old: $old_bin: $("$old_bin" --version)"
  echo "bench: $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$here" diff --quiet HEAD -- bench 2>/dev/null || echo ' (bench/ modified)');" \
    "runs: $runs; sizes: $sizes; peers at: ${peer_sizes:-none}; stages: $selected"
  echo "estates: $estates; signer: $key_kind ($keys)"
} >"$out/raw/header.txt"

# --- the runs -----------------------------------------------------------------------------
bin_of() { if [ "$1" = old ]; then echo "$old_bin"; else echo "$new_bin"; fi; }
order_of() { # RUN: old first on odd runs, new first on even ones
  if [ -z "$old_bin" ]; then echo new; elif [ $(($1 % 2)) = 1 ]; then echo old new; else echo new old; fi
}
one_set() { # SET RAW PEERS_HERE STAGES...
  local set=$1 raw=$2 peers_here=$3; shift 3
  local r b
  printf '%s\tbefore\t%s\n' "$set" "$(load1)" >>"$out/raw/loads.tsv"
  for r in $(seq 1 "$runs"); do
    for b in $(order_of "$r"); do
      chain_stages=""
      for st in "$@"; do
        case $st in period-*) is_selected period && chain_stages="$chain_stages $st" ;;
                    *) is_selected "$st" && chain_stages="$chain_stages $st" ;; esac
      done
      # run 1 of the new build also feeds the peers and floors
      if [ "$r" = 1 ] && [ "$b" = new ]; then
        is_selected floors && chain_stages="$chain_stages floors"
        [ "$peers_here" = 1 ] && is_selected peers && chain_stages="$chain_stages peers"
      fi
      [ -n "${chain_stages// /}" ] || continue
      run_chain "$set" "$b" "$(bin_of "$b")" "$r" "$raw" "$@"
      if [ "$r" = 1 ]; then
        record_outputs "$set" "$b"
        if [ "$b" = new ]; then
          is_selected floors && floors "$set"
          [ "$peers_here" = 1 ] && is_selected peers && peers "$set"
        fi
      fi
    done
  done
  rm -rf "$work"
  printf '%s\tafter\t%s\n' "$set" "$(load1)" >>"$out/raw/loads.tsv"
  if [ "$peers_here" = 1 ] && is_selected js; then js_peer "$set" "$raw"; fi
}

main_stages=(collect evaluate oscal pdf xlsx pack verify)
if [ -n "$(for s in "${main_stages[@]}" peers js floors; do is_selected "$s" && echo y; done)" ]; then
  for n in $sizes; do
    raw="$(ensure_estate "$n")"
    p=0; [[ " $peer_sizes " == *" $n "* ]] && p=1
    one_set "$n" "$raw" "$p" "${main_stages[@]}"
  done
fi
if is_selected period; then
  one_set period "$(ensure_period_estate)" 0 period-collect period-evaluate
fi

$py "$here/bench/run_all_report.py" "$out" | tee "$out/results.md"
progress "done: $out/results.md (raw /usr/bin/time reports in $out/raw/)"
rmdir "$out/tmp" 2>/dev/null || true
exit $failed
