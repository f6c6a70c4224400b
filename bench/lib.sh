# Shared by the bench/*.sh scripts (source it): reading /usr/bin/time -v reports.

# Wall-clock seconds from a /usr/bin/time -v report.
seconds() { awk -F': ' '/Elapsed \(wall clock\)/ {split($2, t, ":"); s = 0; for (i = 1; i <= length(t); i++) s = s * 60 + t[i]; print s}' "$1"; }
# Peak RSS in MB from a /usr/bin/time -v report.
megabytes() { awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$1"; }
# PASS when value < target, else MISS.
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v < t) ? "PASS" : "MISS" }'; }
