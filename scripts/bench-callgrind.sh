#!/usr/bin/env bash
# Instructions per call of every `ffamed bench` case, counted by callgrind:
#   scripts/bench-callgrind.sh [bench options, e.g. --cases direct]
# Runs `ffamed bench --callgrind` under valgrind --tool=callgrind with
# collection off except around each case's timed loop; the bench dumps the
# counts once per case and path, and this script divides by the calls.
# "net" is the mediated count minus the harness (filling the registers and
# making the call), i.e. what ffamed_handle_call itself executes.
# FFAMED=path/to/ffamed to use another build; ITERS=N calls per loop.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
ffamed=${FFAMED:-$root/build/ffamed}
iters=${ITERS:-2000}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

if ! valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$out/cg.out" \
     "$ffamed" bench --callgrind --iters "$iters" --repeats 1 "$@" >"$out/bench.txt" \
     2>"$out/valgrind.log"; then
  cat "$out/valgrind.log" >&2
  exit 1
fi
ls "$out"/cg.out.* >/dev/null 2>&1 || { echo "no callgrind dumps (built without valgrind/callgrind.h?)" >&2; exit 1; }

# One dump per file: "desc: Trigger: Client Request: ffamed-bench case=C path=P iters=N"
# and "summary: IR".
i=1
while [ -f "$out/cg.out.$i" ]; do
  f="$out/cg.out.$i"; i=$((i + 1))
  awk '/^desc: Trigger: Client Request: ffamed-bench/ {
         for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[2] != "") v[kv[1]] = kv[2] } }
       /^summary:/ { ir = $2 }
       END { if (v["case"] != "") printf "%s %s %s %s\n", v["case"], v["path"], v["iters"], ir }' "$f"
done | awk '
  { per = $4 / $3
    if ($2 == "harness") { harness = per; next }
    if (!($1 in seen)) { seen[$1] = 1; order[n++] = $1 }
    val[$1, $2] = per }
  END {
    printf "%-18s %12s %12s %12s\n", "case", "mediated", "direct", "mediated net"
    for (i = 0; i < n; i++) {
      c = order[i]
      printf "%-18s %12.0f %12.0f %12.0f\n", c, val[c, "mediated"], val[c, "direct"],
             val[c, "mediated"] - harness
    }
    printf "(harness: %.0f instructions per call, subtracted in \"net\")\n", harness
  }'
