#!/usr/bin/env bash
# Model-checks the VM-to-VM notification protocol (models/notif_vm2vm.pml)
# with SPIN. The design and its recommended variant must verify with
# "errors: 0" over the full state space; the seed-000 racy SET and two
# broken variants must be caught, which shows the checks can fail.
# See models/README.md for the protocol and the properties.
#
# Environment:
#   FFAMED_ALLOW_SKIP=1     exit 0 with "SKIP" if spin is not installed
#                           (without it a missing spin is a failure)
#   FFAMED_MODEL_JOBS=n     checks run in parallel (default 2)
#   FFAMED_MODEL_MEMLIM=mb  memory bound per pan run (default 1024)
#   FFAMED_MODEL_KEEP=1     keep the work directory (pan logs, trails)
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
model="$root/models/notif_vm2vm.pml"
jobs=${FFAMED_MODEL_JOBS:-2}
memlim=${FFAMED_MODEL_MEMLIM:-1024}
cc=${CC:-gcc}

if ! command -v spin >/dev/null 2>&1; then
	if [ "${FFAMED_ALLOW_SKIP:-0}" = 1 ]; then
		echo "SKIP: spin not installed"
		exit 0
	fi
	echo "FAIL: spin not installed (scripts/deps.sh installs it; FFAMED_ALLOW_SKIP=1 skips)"
	exit 1
fi
if ! command -v "$cc" >/dev/null 2>&1; then
	echo "FAIL: C compiler '$cc' not found (needed to build pan)"
	exit 1
fi
if [ ! -f "$model" ]; then
	echo "FAIL: $model not found"
	exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/ffamed-models.XXXXXX") || exit 1
cleanup() {
	if [ "${FFAMED_MODEL_KEEP:-0}" = 1 ]; then
		echo "work directory kept: $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

# name; expected outcome; spin -D flags; extra cc flags; extra pan flags
# Expected: "pass" = complete search, errors: 0; "assert:REGEX" = an
# assertion violation whose text matches REGEX; "cycle" = acceptance cycle
# (an LTL liveness violation). Longest first, to keep both cores busy.
checks=(
	"design;pass;;-DSAFETY;"
	"rearm-stay-offline;pass;-DOFFLINE_REARM -DSTAY_OFFLINE;-DSAFETY;"
	"rearm-stay-offline-ltl;pass;-DLTL_P1 -DNO_POLL -DOFFLINE_REARM -DSTAY_OFFLINE;-DNFAIR=3;-a -f"
	"design-ltl;pass;-DLTL_P1 -DNO_POLL;-DNFAIR=3;-a -f"
	"design-no-poll;pass;-DNO_POLL;-DSAFETY;"
	"design-partial-get;pass;-DPARTIAL_GET -DNO_POLL;-DSAFETY;"
	"seed000-race;assert:owed;-DSEED000_RACE -DNO_POLL;-DSAFETY;"
	"seed000-race-ltl;cycle;-DLTL_P1 -DSEED000_RACE -DNO_POLL;-DNFAIR=3;-a -f -A"
	"design-stay-offline;assert:owed;-DSTAY_OFFLINE -DNO_POLL;-DSAFETY;"
	"hook-before-online;assert:owed|online;-DHOOK_BEFORE_ONLINE -DNO_POLL;-DSAFETY;"
)

# Runs one check in its own directory and writes a one-line verdict there.
run_check() {
	local name=$1 expect=$2 dflags=$3 ccflags=$4 panflags=$5
	local dir="$work/$name"
	mkdir -p "$dir" && cd "$dir" || return
	cp "$model" model.pml
	local start end secs errors states verdict detail incomplete=0
	start=$(date +%s.%N)
	# shellcheck disable=SC2086 # flag lists are meant to split
	if ! spin -a $dflags model.pml >spin.log 2>&1; then
		echo "FAIL|$name|-|-|spin -a failed: $(head -c 300 spin.log)" >verdict
		return
	fi
	# shellcheck disable=SC2086
	if ! "$cc" -O2 -w -DMEMLIM="$memlim" -DCOLLAPSE $ccflags -o pan pan.c >cc.log 2>&1; then
		echo "FAIL|$name|-|-|pan does not compile: $(head -c 300 cc.log)" >verdict
		return
	fi
	# shellcheck disable=SC2086
	./pan -m100000 $panflags >pan.log 2>&1
	end=$(date +%s.%N)
	secs=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }')
	errors=$(sed -n 's/.*errors: \([0-9][0-9]*\).*/\1/p' pan.log | tail -n 1)
	states=$(awk '/states, stored/ { print $1; exit }' pan.log)
	grep -qE 'reached -DMEMLIM bound|max search depth too small|out of memory' pan.log &&
		incomplete=1
	verdict=FAIL
	case "$expect" in
	pass)
		if [ "$errors" = 0 ] && [ $incomplete = 0 ] &&
			! grep -q 'Search not completed' pan.log; then
			verdict=OK
			detail="errors: 0, full state space"
		else
			detail="expected errors: 0 over the full state space; got errors: ${errors:-?}$([ $incomplete = 1 ] && echo ', search incomplete')"
		fi
		;;
	assert:*)
		local want=${expect#assert:} what
		what=$(grep -m1 'assertion violated' pan.log)
		if [ "${errors:-0}" -gt 0 ] && printf '%s' "$what" | grep -Eq "$want"; then
			verdict=OK
			detail="violation found as required: ${what:0:110}"
		else
			detail="expected an assertion violation matching /$want/; got errors: ${errors:-?} ${what:0:110}"
		fi
		;;
	cycle)
		if [ "${errors:-0}" -gt 0 ] && grep -q 'acceptance cycle' pan.log; then
			verdict=OK
			detail="liveness violation found as required (acceptance cycle)"
		else
			detail="expected an acceptance cycle; got errors: ${errors:-?}"
		fi
		;;
	esac
	echo "$verdict|$name|${states:-?}|$secs|$detail" >verdict
}

echo "SPIN model check: $model ($(spin -V 2>&1 | head -n 1))"
total_start=$SECONDS
running=0
for c in "${checks[@]}"; do
	IFS=';' read -r name expect dflags ccflags panflags <<<"$c"
	(run_check "$name" "$expect" "$dflags" "$ccflags" "$panflags") &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait

failed=0
printf '%-24s %-6s %12s %7s  %s\n' check result states seconds detail
for c in "${checks[@]}"; do
	name=${c%%;*}
	if [ -f "$work/$name/verdict" ]; then
		IFS='|' read -r verdict _ states secs detail <"$work/$name/verdict"
	else
		verdict=FAIL states=- secs=- detail="no verdict (check crashed)"
	fi
	[ "$verdict" = OK ] || failed=$((failed + 1))
	printf '%-24s %-6s %12s %7s  %s\n' "$name" "$verdict" "$states" "$secs" "$detail"
done
echo "total: $((SECONDS - total_start)) s"
if [ "$failed" -ne 0 ]; then
	echo "FAIL: $failed of ${#checks[@]} model checks did not give the expected outcome"
	exit 1
fi
echo "PASS: ${#checks[@]} model checks gave the expected outcome"
