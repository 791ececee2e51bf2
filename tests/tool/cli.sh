#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `ffamed` as a user meets it: usage errors exit 2 with one wording and
# before any work; output files are checked up front; trace and Mermaid
# files come out as documented; log lines carry one prefix and FF-A names.
# usage: cli.sh [EMULATOR...] FFAMED
set -u
ffamed=("$@")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect RC 'stderr line' ARGS...: exit status and the first stderr line.
expect() {
  local rc=$1 msg=$2; shift 2
  "${ffamed[@]}" "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  [ "$got" -eq "$rc" ] || fail "ffamed $*: exit $got, expected $rc"
  if [ -n "$msg" ] && [ "$(head -1 "$tmp/err")" != "$msg" ]; then
    fail "ffamed $*: stderr '$(head -1 "$tmp/err")', expected '$msg'"
  fi
  if [ "$rc" -eq 2 ] && [ -s "$tmp/out" ]; then
    fail "ffamed $*: a usage error printed a report"
  fi
}

# One wording for every subcommand.
expect 2 "ffamed sim: --vms: 'abc' is not a number (1..60)" sim --vms abc
expect 2 "ffamed sim: --vms: 61 is out of range (1..60)" sim --vms 61
expect 2 "ffamed sim: --vcpus: '-1' is not a number (1..60)" sim --vcpus=-1
expect 2 "ffamed sim: --iterations needs a value" sim --iterations
expect 2 "ffamed sim: unknown option '--vm'" sim --vm 2
expect 2 "ffamed sim: unexpected argument 'extra'" sim extra
expect 2 "ffamed sim: --json takes no value" sim --json=yes
expect 2 "ffamed bench: --iters: 'abc' is not a number (1..100000000)" bench --iters abc
expect 2 "ffamed bench: --repeats: 0 is out of range (1..1000)" bench --repeats 0
expect 2 "ffamed bench: unknown option '--iterations'" bench --iterations 5
expect 2 "ffamed script: unknown option '--foo'" script --foo
expect 2 "ffamed script: no FILE given" script -v
# VMs x vCPUs past the machine.
expect 2 "ffamed sim: --vms 30 x --vcpus 3 is 90 vCPUs: at most 60 (the simulated machine has 64 CPUs, 4 kept for the host's threads)" sim --vms 30 --vcpus 3
# Files checked before any work.
expect 2 "ffamed sim: --trace: cannot write '/nonexistent/t.json': No such file or directory" sim --trace /nonexistent/t.json
expect 2 "ffamed sim: --mermaid: cannot write '$tmp': Is a directory" sim --mermaid "$tmp"
expect 2 "ffamed sim: --mermaid: '$tmp/seq.txt' must end in .mmd (the bare diagram) or .md (the diagram in a \`\`\`mermaid block)" sim --mermaid "$tmp/seq.txt"
expect 2 "ffamed sim: --trace-max: '10X' is not a size (a number of bytes, with K, M or G)" sim --trace-max 10X
expect 2 "ffamed sim: --trace-max: 1K is out of range (4096..17179869184 bytes)" sim --trace-max 1K
[ -e "$tmp/seq.txt" ] && fail "a refused --mermaid file was created"
# A pattern that selects nothing is a mistake, not an empty success.
expect 2 "ffamed bench: --cases: 'nomatch' matches no case" bench --quick --cases nomatch
# FFAMED_LOG: the levels, or a refusal.
FFAMED_LOG=verbose expect 2 "ffamed: FFAMED_LOG: 'verbose' is not a level (error, warn, info, debug)" sim
# --help goes to stdout with exit 0 and lists every option it parses.
for cmd in sim bench script; do
  "${ffamed[@]}" "$cmd" --help >"$tmp/help" 2>&1 || fail "ffamed $cmd --help: exit $?"
  grep -q "^usage: ffamed $cmd" "$tmp/help" || fail "ffamed $cmd --help: no usage line"
done
grep -q "four SPs: ECHO (0x8001)" <("${ffamed[@]}" sim --help) || fail "sim --help: not four SPs"
grep -q "four SPs" <("${ffamed[@]}" script --help) || fail "script --help: not four SPs"
"${ffamed[@]}" sim --help | grep -q "docs/SIM.md" || fail "sim --help: no pointer to docs/SIM.md"

# Accepted forms: --name=value, --name value, -- ends options.
"${ffamed[@]}" sim --vms=1 --vcpus 1 --iterations=1 >/dev/null || fail "sim --vms=1: exit $?"

# The trace cap: a valid, capped file and a message naming the cap.
"${ffamed[@]}" sim --iterations 5 --trace "$tmp/t.json" --trace-max 32K \
  --mermaid "$tmp/seq.md" >/dev/null 2>"$tmp/err" || fail "sim with a capped trace: exit $?"
[ "$(stat -c %s "$tmp/t.json")" -le 32768 ] || fail "trace over --trace-max"
python3 -m json.tool "$tmp/t.json" >/dev/null || fail "capped trace is not JSON"
grep -q "^ffamed sim: --trace: $tmp/t.json reached --trace-max (32768 bytes): [0-9]* of [0-9]* events written" "$tmp/err" ||
  fail "no message for the trace cap: $(cat "$tmp/err")"
# Mermaid: fenced in .md, bare in .mmd; every participant named.
[ "$(head -1 "$tmp/seq.md")" = '```mermaid' ] || fail "seq.md: not fenced"
[ "$(sed -n 2p "$tmp/seq.md")" = sequenceDiagram ] || fail "seq.md: no diagram"
[ "$(tail -1 "$tmp/seq.md")" = '```' ] || fail "seq.md: fence not closed"
"${ffamed[@]}" sim --iterations 1 --mermaid "$tmp/seq.mmd" --mermaid-calls 400 >/dev/null ||
  fail "sim --mermaid seq.mmd: exit $?"
[ "$(head -1 "$tmp/seq.mmd")" = sequenceDiagram ] || fail "seq.mmd: not a bare diagram"
grep '^    participant' "$tmp/seq.mmd" >"$tmp/parts"
grep -q '^    participant M as ffamed mediator$' "$tmp/parts" || fail "no named mediator"
grep -q '^    participant SP8001 as SP 0x8001 ECHO$' "$tmp/parts" || fail "ECHO not named"
grep -v -E 'as (VM [0-9]+|ffamed mediator|SP 0x[0-9a-f]{4} (ECHO|VMWATCH|OP-TEE|MEMSP))$' "$tmp/parts" &&
  fail "a participant without a name"
grep -qi '8fff' "$tmp/seq.mmd" && fail "the refused ID 0x8fff drawn as a participant"

# Logs: one prefix, FF-A names rather than numbers.
FFAMED_LOG=debug "${ffamed[@]}" sim --vms 1 --vcpus 1 --iterations 1 >/dev/null 2>"$tmp/log" ||
  fail "sim with FFAMED_LOG=debug: exit $?"
# A refusal names the function, the code and the check that refused.
grep -qE '^\[debug\] ffamed: VM 1 vCPU 0: FFA_MSG_SEND_DIRECT_REQ_64 refused INVALID_PARAMETERS: med_msg\.c:[0-9]+: no such SP$' "$tmp/log" ||
  fail "no named direct-request refusal in the debug log"
# The trace carries the same check with the refused call.
"${ffamed[@]}" sim --vms 1 --vcpus 1 --iterations 1 --trace "$tmp/why.json" >/dev/null ||
  fail "sim --trace: exit $?"
grep -qE '"name": "FFA_MSG_SEND_DIRECT_REQ_64"[^}]*"refusal": "med_msg\.c:[0-9]+: no such SP"' "$tmp/why.json" ||
  fail "no refusal reason in the trace"
grep -E '^\[(error|warn|info|debug)\] (ffamed|spmc|host): ' -v "$tmp/log" | head -3 | grep -q . &&
  fail "log lines without the one prefix: $(grep -E '^\[(error|warn|info|debug)\] (ffamed|spmc|host): ' -v "$tmp/log" | head -3)"
grep -q 'ffamed.*ffamed:' "$tmp/log" && fail "a log line repeats its prefix"

[ "$fails" -eq 0 ] && echo "ffamed command: all checks passed"
exit $((fails > 0))
