#!/usr/bin/env bash
# OP-TEE's own regression suite (xtest) in a Linux 7.3 guest on the real
# TF-A + OP-TEE firmware, twice in one run:
#   ffamed    the EL2 port (SMC conduit) as BL33 on OP-TEE `nsvirt`, Linux
#             its guest: every FF-A call goes through the mediator;
#   baseline  Linux itself as BL33 on OP-TEE `plain`, no hypervisor.
# Each test case's OK/FAILED is read from both consoles; the script prints
# the cases whose results differ, both wall times and their ratio, and fails
# if a case that passes on the baseline does not pass through ffamed.
#   usage: optee-xtest.sh [--fast | --full | --quick] [--only baseline|ffamed]
#     --fast  the fast subset, fast.args (default; what scripts/test.sh runs)
#     --full  xtest's default suites (regression, pkcs11): about 22 min of
#             QEMU time each way
#     --quick regression 1001-1004, seconds: checks the setup
#     --only  one of the two runs (no comparison): for working on one side
# Environment:
#   FFAMED_OPTEE_TEST     xtest, tee-supplicant, the TAs, fast.args
#                         (default: ../shared/optee-test from the repository)
#   FFAMED_FIRMWARE       the TF-A + OP-TEE images (default: ../shared/firmware)
#                         Either missing: skipped with a message; a failure
#                         under CI=true.
#   FFAMED_E2E=off        skip, as scripts/linux-e2e.sh does
#   FFAMED_XTEST_TIMEOUT  seconds per QEMU run (default 1500 fast, 7200 full)
#   FFAMED_XTEST_SMP=2    CPUs of the machine (= vCPUs of the guest)
#   FFAMED_XTEST_KERNEL=7.3  the guest kernel (6.1 works too)
#   FFAMED_XTEST_SPMC=nsvirt the OP-TEE under ffamed: nsvirt, or plain (no
#                         NS virtualization: what OP-TEE itself costs apart)
#   FFAMED_LINUX_BUILD, FFAMED_LINUX_DL  kernel cache and downloads, as for
#                         scripts/linux-e2e.sh
# Output: build-xtest/<mode>-{baseline,ffamed}.log (normal-world console),
# .secure.log next to each (OP-TEE's console).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
mode=fast only=
while [ $# -gt 0 ]; do
  case $1 in
    --fast) mode=fast ;;
    --full) mode=full ;;
    --quick) mode=quick ;;
    --only) only=${2:-}; shift
            case $only in baseline|ffamed) ;; *) echo "--only takes baseline or ffamed"; exit 2 ;; esac ;;
    *) echo "usage: $0 [--fast | --full | --quick] [--only baseline|ffamed]"; exit 2 ;;
  esac
  shift
done
say() { echo "optee-xtest: $*"; }
if [ "${FFAMED_E2E:-on}" = off ]; then
  say "SKIPPED: FFAMED_E2E=off (the Linux guest tests were turned off explicitly)"
  exit 0
fi
# shellcheck source=lib-firmware.sh
. "$root/scripts/lib-firmware.sh"
xt=${FFAMED_OPTEE_TEST:-$root/../shared/optee-test}
missing=$(fw_available | sed 's/^missing: / /' | tr -d '\n')
for f in "$xt/bin/xtest" "$xt/bin/tee-supplicant" "$xt/fast.args"; do
  [ -f "$f" ] || missing="$missing $f"
done
if ! ls "$xt"/ta/*.ta >/dev/null 2>&1; then missing="$missing $xt/ta/*.ta"; fi
if [ -n "$missing" ]; then
  if [ "${CI:-}" = true ]; then
    say "FAIL: CI=true and the OP-TEE test suite or firmware is missing:$missing"
    say "(set FFAMED_OPTEE_TEST and FFAMED_FIRMWARE)"
    exit 1
  fi
  say "SKIPPED: the OP-TEE test suite or firmware is missing:$missing"
  say "(set FFAMED_OPTEE_TEST and FFAMED_FIRMWARE to run OP-TEE's xtest through ffamed)"
  exit 0
fi
xt=$(cd "$xt" && pwd)

bl=${FFAMED_LINUX_BUILD:-$root/build-linux}
export FFAMED_LINUX_DL=${FFAMED_LINUX_DL:-$bl/dl}
dl=$FFAMED_LINUX_DL
smp=${FFAMED_XTEST_SMP:-2}
kver=${FFAMED_XTEST_KERNEL:-7.3}
spmc=${FFAMED_XTEST_SPMC:-nsvirt}
case $spmc in nsvirt|plain) ;; *) echo "FFAMED_XTEST_SPMC must be nsvirt or plain"; exit 2 ;; esac
case $mode in
  fast) tmo=${FFAMED_XTEST_TIMEOUT:-1500}; xargs_=$(cat "$xt/fast.args") ;;
  full) tmo=${FFAMED_XTEST_TIMEOUT:-7200}; xargs_= ;;
  quick) tmo=${FFAMED_XTEST_TIMEOUT:-300}; xargs_="-t regression 1001 1002 1003 1004" ;;
esac
out=$root/build-xtest
mkdir -p "$out" "$bl"
t0=$(date +%s)
stamp() { echo "optee-xtest: [$(( $(date +%s) - t0 )) s] $*"; }

stamp "busybox and the Linux $kver source"
FFAMED_E2E_KERNELS=$kver "$root/scripts/linux-fetch.sh" || exit 1
case $kver in
  6.1) tarball=/usr/src/linux-source-6.1.tar.xz ;;
  *) tarball=$dl/linux-source-$kver/usr/src/linux-source-$kver.tar.xz ;;
esac
stamp "Linux $kver kernel (cached by config hash)"
image=$("$root/scripts/linux-kernel.sh" "$kver" "$tarball" | tail -1) || exit 1
[ -f "$image" ] || exit 1

# The initramfs: the e2e one plus xtest, tee-supplicant, the TAs and an /init
# step that runs xtest between a started and a stopped tee-supplicant (a
# running supplicant keeps /dev/teepriv0 open, and the OP-TEE driver's
# removal at power-off waits for it). The results are printed again once no
# FF-A call runs any more, so that no hypervisor line can split them.
stamp "initramfs with xtest ($mode)"
{
  echo "dir /lib 0755 0 0"
  echo "dir /lib/optee_armtz 0755 0 0"
  echo "dir /etc 0755 0 0"
  echo "dir /data 0755 0 0"
  echo "file /bin/xtest $xt/bin/xtest 0755 0 0"
  echo "file /bin/tee-supplicant $xt/bin/tee-supplicant 0755 0 0"
  for ta in "$xt"/ta/*.ta; do echo "file /lib/optee_armtz/$(basename "$ta") $ta 0444 0 0"; done
  echo "file /etc/passwd $out/passwd 0644 0 0"
  echo "file /etc/group $out/group 0644 0 0"
} >"$out/initramfs-$mode.list"
echo "root:x:0:0:root:/root:/bin/sh" >"$out/passwd"
echo "root:x:0:" >"$out/group"
cat >"$out/initramfs-$mode.run" <<RUN
mount -t ramfs ramfs /data && mkdir -p /data/tee
/bin/tee-supplicant &
supp=\$!
sleep 1
echo "xtest: start at uptime \$(cut -d' ' -f1 /proc/uptime): xtest $xargs_"
{ /bin/xtest $xargs_ 2>&1; echo "xtest: exit status \$?"; } | tee /data/xtest.out
echo "xtest: end at uptime \$(cut -d' ' -f1 /proc/uptime)"
kill \$supp; wait \$supp
echo "xtest: tee-supplicant stopped"
grep -E ' (OK|FAILED)| of which |Result of testsuite|xtest: exit' /data/xtest.out | sed 's/^/xtest-result: /'
RUN
mkdir -p "$out/initramfs-$mode"
FFAMED_INITRAMFS_LIST=$out/initramfs-$mode.list FFAMED_INITRAMFS_RUN=$out/initramfs-$mode.run \
  "$root/scripts/linux-initramfs.sh" "$dl/busybox/bin/busybox" "$bl/src-$kver" \
  "$out/initramfs-$mode/initramfs.cpio.gz" || exit 1
initrd=$out/initramfs-$mode/initramfs.cpio.gz

# One DT for both runs: QEMU's (the firmware adds PSCI itself), the initrd
# and command line, and the EL2 port's RAM reserved even with no hypervisor,
# so that the guest has the same memory either way.
stamp "device tree"
dtb=$out/guest-$mode-$smp.dtb
fw_guest_dtb "$dtb" "$smp" "$initrd" hyp || exit 1

hyp=
if [ "$only" != baseline ]; then
  stamp "the EL2 port with the SMC conduit"
  hyp=$(fw_build_el2_smc "$root/build-el2") || exit 1
fi

declare -A wall
declare -A cpu
run() { # name bios [hyp.elf]
  local name=$1 log=$out/$mode-$1.log rc b0 TIMEFORMAT='%U %S'
  stamp "$name: xtest ($mode), Linux $kver, $smp CPUs, $(basename "$2"), timeout $tmo s; host load $(cut -d' ' -f1-3 /proc/loadavg)"
  FW_SECURE_LOG=$out/$mode-$name.secure.log fw_qemu_cmd "$2" "$dtb" "$smp" "$image" "$initrd" ${3:+"$3"}
  b0=$(date +%s%N)
  { time timeout "$tmo" "${FW_QEMU[@]}" </dev/null >"$log" 2>&1; } 2>"$out/$mode-$name.cputime"
  rc=$?
  wall[$name]=$(( ($(date +%s%N) - b0) / 1000000 ))
  # QEMU's user + system CPU time: what the run cost, less exposed to other
  # load on the machine than the wall time.
  cpu[$name]=$(awk '{ printf "%d", ($1 + $2) * 1000 }' "$out/$mode-$name.cputime")
  [ $rc = 124 ] && say "$name: TIMEOUT after $tmo s"
  stamp "$name: QEMU exited ($rc) after ${wall[$name]} ms (CPU ${cpu[$name]} ms); host load $(cut -d' ' -f1-3 /proc/loadavg); console in $log"
  tr -d '\r' <"$log" | grep -av e2e-dmesg |
    grep -aE 'optee: revision|optee: initialized|xtest: |test cases of which|subtests of which|ffamed-el2: (PANIC|cost)|ffamed: calls (served|not traced)' |
    sed 's/^/  | /'
}

[ "$only" = ffamed ] || run baseline "$(fw_bios base)"
[ "$only" = baseline ] || run ffamed "$(fw_bios "$spmc")" "$hyp"

# "<case> OK|FAILED" per test case (not subcase), from the lines the guest
# printed after xtest ended.
results() { # log -> "case status" lines, FAILED winning over OK
  tr -d '\r' <"$1" | sed -n 's/^xtest-result: *//p' |
    awk '$2 == "OK" || $2 == "FAILED" { if ($1 !~ /\./) { if (!($1 in s) || $2 == "FAILED") s[$1] = $2 } }
         END { for (c in s) print c, s[c] }' | sort
}
guest_secs() { # log -> seconds xtest ran, by the guest's clock
  tr -d '\r' <"$1" | awk '/^xtest: start at uptime/ { s = $5 + 0 } /^xtest: end at uptime/ { e = $5 + 0 }
                          END { if (e > 0) printf "%.1f", e - s }'
}
totals() { tr -d '\r' <"$1" | grep -aE '^xtest-result: [0-9]+ (subtests?|test cases?) of which' | sed 's/^xtest-result: //' | paste -sd';' ; }

fail=0
for name in baseline ffamed; do
  [ -n "$only" ] && [ "$only" != "$name" ] && continue
  log=$out/$mode-$name.log
  if ! grep -aq '^xtest-result: .* test cases\? of which' <(tr -d '\r' <"$log"); then
    say "$name: xtest did not finish (no result lines in $log)"
    fail=1
  fi
  results "$log" >"$out/$mode-$name.results"
  say "$name: $(grep -c ' OK$' "$out/$mode-$name.results") cases OK, $(grep -c ' FAILED$' "$out/$mode-$name.results") FAILED; $(totals "$log")"
  say "$name: QEMU wall time $(awk -v m="${wall[$name]}" 'BEGIN { printf "%.1f", m / 1000 }') s, CPU time $(awk -v m="${cpu[$name]}" 'BEGIN { printf "%.1f", m / 1000 }') s, xtest $(guest_secs "$log") s (guest clock)"
done
if [ -n "$only" ]; then
  [ $fail = 0 ] && say "$only only: no comparison made" && exit 0
  say FAIL; exit 1
fi

# Per-case differences.
join -a1 -a2 -e missing -o 0,1.2,2.2 "$out/$mode-baseline.results" "$out/$mode-ffamed.results" \
  >"$out/$mode-compare.txt"
regress=0
echo "optee-xtest: cases whose result differs (baseline -> through ffamed):"
while read -r c b f; do
  [ "$b" = "$f" ] && continue
  mark=
  if [ "$b" = OK ]; then mark="   <- passes on the baseline only"; regress=$((regress + 1)); fi
  printf '  %-28s %-8s -> %s%s\n' "$c" "$b" "$f" "$mark"
done <"$out/$mode-compare.txt"
[ "$(awk '$2 != $3' "$out/$mode-compare.txt" | wc -l)" = 0 ] && echo "  (none)"
bs=$(guest_secs "$out/$mode-baseline.log") fs=$(guest_secs "$out/$mode-ffamed.log")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b }'; }
say "QEMU wall time: baseline ${wall[baseline]} ms, through ffamed ${wall[ffamed]} ms, ratio $(ratio "${wall[ffamed]}" "${wall[baseline]}")"
say "QEMU CPU time: baseline ${cpu[baseline]} ms, through ffamed ${cpu[ffamed]} ms, ratio $(ratio "${cpu[ffamed]}" "${cpu[baseline]}")"
if [ -n "$bs" ] && [ -n "$fs" ]; then
  say "xtest alone (guest clock): baseline $bs s, through ffamed $fs s, ratio $(ratio "$fs" "$bs")"
fi
if [ $regress -gt 0 ]; then say "$regress case(s) pass on the baseline but not through ffamed"; fail=1; fi
if [ $fail = 0 ]; then say PASS; else say FAIL; fi
exit $fail
