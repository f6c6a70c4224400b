#!/usr/bin/env bash
# Benchmark live `vaultproof collect` against the ARM emulator (tests/emulator/).
#
# Usage: bench/live-collect.sh [BUILD_DIR]        (default BUILD_DIR: build)
#
# Generates 5,000 protected items over 50 vaults (tests/tools/gen_estate.py), serves them
# with the emulator at 50 ms added latency per response and 200 items a page, then runs
#   /usr/bin/time -v BUILD_DIR/vaultproof collect --arm-endpoint ... --out SNAP
# with a service principal secret, and reports wall time, request count (the emulator's
# own count) and peak RSS against the targets: requests == the minimum the list
# endpoints allow for this estate (computed from the generated files), and
# wall <= 1.5 x requests x 50 ms / concurrency. When node and npm exist, the same
# collection with the Azure SDK for JavaScript (bench/js-baseline/) is timed too, after
# `npm install` into a temporary directory. A missed target is reported, not fatal.
# Environment: PYTHON (default python3), CONCURRENCY (default 8), LATENCY_MS (default 50;
# 0 measures the emulator's own per-response cost); for bench/run-all.sh: ESTATE (serve this
# replay directory instead of generating one), KEEP (a directory to copy the /usr/bin/time
# reports into: vaultproof.time, js.time), JS_DIR (where the SDK is npm-installed; an
# existing install there is reused), READY_TIMEOUT_S (how long the emulator may take to
# start, default 20).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${1:-build}"
bin="$build_dir/vaultproof"
python="${PYTHON:-python3}"
concurrency="${CONCURRENCY:-8}"
items=5000
vaults=50
latency_ms="${LATENCY_MS:-50}"
page=200

if [ ! -x "$bin" ]; then
  echo "live-collect: $bin not found or not executable (build first, or pass BUILD_DIR)" >&2
  exit 2
fi
if [ ! -x /usr/bin/time ]; then
  echo "live-collect: /usr/bin/time is missing (Debian package 'time')" >&2
  exit 2
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/vaultproof-live-bench.XXXXXX")"
emu_pid=""
cleanup() {
  if [ -n "$emu_pid" ]; then kill "$emu_pid" 2>/dev/null || true; wait "$emu_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
raw="$work/raw"

if [ -n "${ESTATE:-}" ]; then
  raw="$ESTATE"
  items="the estate's"
  vaults="$(find "$raw" -mindepth 4 -maxdepth 4 -type d -path '*/vaults/*' | wc -l)"
else
  echo "generating $items items / $vaults vaults into $raw ..."
  "$python" "$here/tests/tools/gen_estate.py" scale --out "$raw" --items "$items" --vaults "$vaults" --page-size "$page"
fi

# The fewest requests this estate needs, read from the generated files independently
# of vaultproof: per subscription role assignments + vaults + VMs + the soft-deleted vaults of each location
# its vaults are in, per vault policies, items, proxies, engines (paged) and the two
# single-resource configs, one GET per resource guard a proxy names and per role
# definition the role assignments name.
minimum="$("$python" - "$raw" "$page" <<'EOF'
import json, math, os, sys
raw, page = sys.argv[1], int(sys.argv[2])
subs, vaults, vms, per, locs, deleted, guards, ra, roledefs = set(), {}, {}, {}, {}, {}, set(), {}, set()
kinds = ("microsoft.recoveryservices/vaults/backupfabrics/protectioncontainers/protecteditems",
         "microsoft.recoveryservices/vaults/backuppolicies", "microsoft.recoveryservices/vaults/backupresourceguardproxies",
         "microsoft.recoveryservices/vaults/backupengines")
for root, _d, files in os.walk(raw):
    for name in files:
        if not name.endswith(".json") or name.endswith(".meta.json"):
            continue
        doc = json.load(open(os.path.join(root, name), encoding="utf-8"))
        res = doc["value"] if isinstance(doc, dict) and "value" in doc else doc if isinstance(doc, list) else [doc]
        if name == "roleAssignments.json":
            # listed per subscription (assignments inherited from a management group too),
            # then one GET per role definition GUID
            ra[os.path.basename(root).lower()] = len(res)
            roledefs.update(((r.get("properties") or {}).get("roleDefinitionId") or "").rsplit("/", 1)[-1].lower()
                            for r in res)
            continue
        for r in res:
            rid, t = r.get("id", ""), r.get("type", "").lower()
            p = rid.split("/")
            if not t and r.get("subscriptionId"):
                subs.add(p[2].lower())
            if t == "microsoft.recoveryservices/vaults":
                vaults.setdefault(p[2].lower(), set()).add(rid.lower())
                locs.setdefault(p[2].lower(), set()).add(r["location"].replace(" ", "").lower())
            elif t == "microsoft.recoveryservices/locations/deletedvaults":
                deleted[(p[2].lower(), p[6].lower())] = deleted.get((p[2].lower(), p[6].lower()), 0) + 1
            elif t in ("microsoft.compute/virtualmachines", "microsoft.classiccompute/virtualmachines"):
                vms[p[2].lower()] = vms.get(p[2].lower(), 0) + 1
            elif t in kinds:
                k = ("/".join(p[:9]).lower(), t)
                per[k] = per.get(k, 0) + 1
                g = (r.get("properties") or {}).get("resourceGuardResourceId")
                if g:
                    guards.add(g.lower())
pages = lambda n: max(1, math.ceil(n / page))
total = pages(len(subs)) + len(guards) + len(roledefs - {""})
for s in subs:
    total += pages(ra.get(s, 0)) + pages(len(vaults.get(s, ()))) + pages(vms.get(s, 0))
    total += sum(pages(deleted.get((s, l), 0)) for l in locs.get(s, ()))
    for v in vaults.get(s, ()):
        total += 2 + sum(pages(per.get((v, t), 0)) for t in kinds)
print(total)
EOF
)"

echo "starting the ARM emulator (latency $latency_ms ms, page size $page) ..."
"$python" "$here/tests/emulator/arm_emulator.py" --replay "$raw" --state-dir "$work/emu" --page-size "$page" \
  --latency-ms "$latency_ms" >"$work/emu.out" 2>"$work/emu.log" &
emu_pid=$!
# The emulator indexes the whole estate before it is ready: seconds at 5,000 items, minutes at 100k.
deadline=$(( $(date +%s) + ${READY_TIMEOUT_S:-20} ))
while [ "$(date +%s)" -lt "$deadline" ]; do
  [ -s "$work/emu/ready.json" ] && break
  kill -0 "$emu_pid" 2>/dev/null || { echo "live-collect: the emulator exited:" >&2; cat "$work/emu.log" >&2; exit 1; }
  sleep 0.05
done
[ -s "$work/emu/ready.json" ] ||
  { echo "live-collect: the emulator did not get ready in ${READY_TIMEOUT_S:-20} s (READY_TIMEOUT_S)" >&2; exit 1; }
field() { "$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$work/emu/ready.json" "$1"; }
arm="$(field arm)"; authority="$(field authority)"; ca="$(field ca)"
stat_requests() {
  "$python" - "$arm/_emulator/stats" "$ca" <<'EOF'
import json, ssl, sys, urllib.request
ctx = ssl.create_default_context(cafile=sys.argv[2])
print(json.load(urllib.request.urlopen(sys.argv[1], context=ctx))["requests"])
EOF
}

echo "running $bin collect (live, concurrency $concurrency) ..."
before="$(stat_requests)"
rc=0
AZURE_TENANT_ID="$(field tenant)" AZURE_CLIENT_ID="$(field client_id)" AZURE_CLIENT_SECRET="$(field client_secret)" \
  /usr/bin/time -v -o "$work/time.txt" "$bin" collect --arm-endpoint "$arm" --authority-host "$authority" \
  --ca-bundle "$ca" --concurrency "$concurrency" --out "$work/snapshot.json" --quiet >"$work/collect.log" 2>&1 || rc=$?
if [ "$rc" -ne 0 ]; then
  echo "live-collect: vaultproof collect exited with status $rc:" >&2
  tail -n 30 "$work/collect.log" >&2
  exit "$rc"
fi
requests=$(( $(stat_requests) - before ))
wall_s="$(awk -F': ' '/Elapsed \(wall clock\)/ {
  n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s }' "$work/time.txt")"
rss_kb="$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time.txt")"
target_s="$(awk -v r="$requests" -v l="$latency_ms" -v c="$concurrency" 'BEGIN { printf "%.2f", 1.5 * r * l / 1000 / c }')"

[ -n "${KEEP:-}" ] && cp "$work/time.txt" "$KEEP/vaultproof.time"
echo
echo "vaultproof live collect: $items items, $vaults vaults, page size $page, +$latency_ms ms per response"
printf '  requests   %6d   (minimum for this estate: %d) %s\n' "$requests" "$minimum" \
  "$([ "$requests" -eq "$minimum" ] && echo ok || echo MISSED)"
printf '  wall       %6.2f s (target <= %.2f s = 1.5 x %d x %d ms / %d) %s\n' "$wall_s" "$target_s" "$requests" \
  "$latency_ms" "$concurrency" "$(awk -v w="$wall_s" -v t="$target_s" 'BEGIN { print (w <= t) ? "ok" : "MISSED" }')"
printf '  peak RSS   %6.1f MB\n' "$(awk -v k="$rss_kb" 'BEGIN { printf "%.1f", k / 1024 }')"
printf '  CPU        %6.2f s user + %.2f s system\n' "$(awk -F': ' '/User time/ { print $2 }' "$work/time.txt")" \
  "$(awk -F': ' '/System time/ { print $2 }' "$work/time.txt")"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "  JS baseline: skipped (node/npm not installed)"
  exit 0
fi
echo
js_dir="${JS_DIR:-$work/js}"
mkdir -p "$js_dir"
cp "$here/bench/js-baseline/package.json" "$here/bench/js-baseline/collect.js" "$js_dir/"
echo "installing the Azure SDK for JavaScript baseline (npm) into $js_dir ..."
if [ ! -d "$js_dir/node_modules/@azure/arm-recoveryservicesbackup" ] &&
   ! (cd "$js_dir" && npm install --no-audit --no-fund --loglevel=error >"$work/npm.log" 2>&1); then
  echo "  JS baseline: skipped (npm install failed; see below)"
  tail -n 5 "$work/npm.log"
  exit 0
fi
js_env=(NODE_EXTRA_CA_CERTS="$ca" ARM_ENDPOINT="$arm" AUTHORITY_HOST="$authority" AZURE_TENANT_ID="$(field tenant)"
        AZURE_CLIENT_ID="$(field client_id)" AZURE_CLIENT_SECRET="$(field client_secret)")
run_js() {
  before="$(stat_requests)"
  rc=0
  env "${js_env[@]}" "$@" /usr/bin/time -v -o "$work/js-time.txt" node "$js_dir/collect.js" >"$work/js.out" \
    2>"$work/js.err" || rc=$?
  js_requests=$(( $(stat_requests) - before ))
  return "$rc"
}
how="@azure/identity ClientSecretCredential"
if ! run_js; then
  # MSAL insists on full OpenID metadata (jwks_uri ...) from the authority; if the
  # emulator's does not satisfy it, measure the same ARM traffic with a token fetched here.
  echo "  (@azure/identity failed: $(tail -n 1 "$work/js.err"); retrying with a pre-fetched token)"
  token="$(SECRET="$(field client_secret)" "$python" - "$authority/$(field tenant)/oauth2/v2.0/token" "$ca" "$(field client_id)" <<'EOF'
import json, os, ssl, sys, urllib.parse, urllib.request
form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": sys.argv[3],
                               "client_secret": os.environ["SECRET"], "scope": "https://management.azure.com/.default"})
ctx = ssl.create_default_context(cafile=sys.argv[2])
print(json.load(urllib.request.urlopen(sys.argv[1], data=form.encode(), context=ctx))["access_token"])
EOF
  )" || true
  how="fixed bearer token (identity bypassed)"
  run_js STATIC_ACCESS_TOKEN="$token" || { echo "  JS baseline failed:"; tail -n 5 "$work/js.err"; exit 0; }
fi
js_wall="$(awk -F': ' '/Elapsed \(wall clock\)/ {
  n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s }' "$work/js-time.txt")"
js_rss="$(awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$work/js-time.txt")"
[ -n "${KEEP:-}" ] && cp "$work/js-time.txt" "$KEEP/js.time"
echo "Azure SDK for JavaScript baseline ($how): $(cat "$work/js.out")"
printf '  requests   %6d\n  wall       %6.2f s\n  peak RSS   %6.1f MB\n' "$js_requests" "$js_wall" "$js_rss"
