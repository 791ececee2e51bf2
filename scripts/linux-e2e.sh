#!/usr/bin/env bash
# Real Linux guests over ffamed: builds Linux 6.1 and 7.3 (cached by config
# hash), a busybox initramfs and the EL2 port, boots each kernel as a guest
# of the port under QEMU (-M virt,virtualization=on,gic-version=3) and checks
# the console: each expected line is reported as found or MISSING.
#
# Environment:
#   FFAMED_E2E=off            skip everything (prints why)
#   FFAMED_E2E_REQUIRE=all    every check must pass (default)
#                  =boot      only the "boot" checks must pass (the guest boots,
#                             the FF-A driver probes through ffamed, partitions
#                             and, for 7.3, notifications); the others are
#                             reported but do not fail the run
#   FFAMED_E2E_KERNELS="6.1 7.3"  which kernels
#   FFAMED_E2E_SMP=2          vCPUs (= physical CPUs) of the guest
#   FFAMED_E2E_TIMEOUT=120    seconds per boot
# Logs: build-linux/run-<version>.log (the whole console).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
bl=${FFAMED_LINUX_BUILD:-$root/build-linux}
require=${FFAMED_E2E_REQUIRE:-all}
kernels=${FFAMED_E2E_KERNELS:-6.1 7.3}
smp=${FFAMED_E2E_SMP:-2}
tmo=${FFAMED_E2E_TIMEOUT:-120}
if [ "${FFAMED_E2E:-on}" = off ]; then
  echo "linux-e2e: SKIPPED: FFAMED_E2E=off (the Linux guest test was turned off explicitly)"
  exit 0
fi
case $require in all|boot) ;; *) echo "FFAMED_E2E_REQUIRE must be all or boot"; exit 2 ;; esac
mkdir -p "$bl"
t0=$(date +%s)
stamp() { echo "linux-e2e: [$(( $(date +%s) - t0 )) s] $*"; }

# Must agree with src/port/el2-qemu/platform.h.
MEM=512M HYP_BASE=0x5e000000 HYP_SIZE=0x2000000 KERNEL_ADDR=0x40200000 INITRD_ADDR=0x48000000
MACHINE=virt,virtualization=on,gic-version=3
QEMU=(qemu-system-aarch64 -cpu cortex-a57 -smp "$smp" -m "$MEM" -nographic -nodefaults
      -serial stdio -monitor none -net none -no-reboot)

stamp "fetching busybox and Linux sources"
"$root/scripts/linux-fetch.sh" || exit 1
dl=${FFAMED_LINUX_DL:-$bl/dl}

stamp "building the EL2 port"
cmake -S "$root" -B "$root/build-el2" -DFFAMED_BUILD_TESTS=OFF \
  -DCMAKE_TOOLCHAIN_FILE="$root/cmake/toolchain-aarch64-linux-gnu.cmake" >/dev/null &&
  cmake --build "$root/build-el2" --target ffamed-el2.elf -j"$(nproc)" 2>&1 |
  grep -vE '^\[ *[0-9]+%\]' ; [ "${PIPESTATUS[0]}" = 0 ] || exit 1
hyp=$root/build-el2/src/port/el2-qemu/ffamed-el2.elf

source_of() {
  case $1 in
    6.1) echo /usr/src/linux-source-6.1.tar.xz ;;
    7.3) echo "$dl/linux-source-7.3/usr/src/linux-source-7.3.tar.xz" ;;
  esac
}

total_fail=0
not_yet=()
check() { # version level description regex [absent]
  local ver=$1 level=$2 desc=$3 re=$4 absent=${5:-} log=$bl/run-$1.log ok=0 line
  if [ -n "$absent" ]; then
    line=$(grep -aE "$re" "$log" | head -3)
    [ -z "$line" ] && ok=1
  else
    line=$(grep -aE "$re" "$log" | head -1)
    [ -n "$line" ] && ok=1
  fi
  local need=0
  { [ "$require" = all ] || [ "$level" = boot ]; } && need=1
  if [ $ok = 1 ]; then
    printf '  [%s] found    %-5s %s\n' "$ver" "$level" "$desc"
    [ -n "$absent" ] || printf '             | %s\n' "$(echo "$line" | tr -d '\r' | cut -c1-150)"
  elif [ $need = 1 ]; then
    printf '  [%s] MISSING  %-5s %s   (required)\n' "$ver" "$level" "$desc"
    [ -z "$absent" ] || echo "$line" | tr -d '\r' | sed 's/^/             | /'
    total_fail=1
  else
    printf '  [%s] missing  %-5s %s   (not required at FFAMED_E2E_REQUIRE=%s)\n' "$ver" "$level" "$desc" "$require"
    not_yet+=("[$ver] $desc")
    [ -z "$absent" ] || echo "$line" | tr -d '\r' | sed 's/^/             | /'
  fi
}

for ver in $kernels; do
  tarball=$(source_of "$ver")
  [ -f "$tarball" ] || { echo "linux-e2e: no source for Linux $ver ($tarball)"; exit 1; }
  stamp "Linux $ver: kernel (cached by config hash)"
  image=$("$root/scripts/linux-kernel.sh" "$ver" "$tarball" | tail -1) || exit 1
  [ -f "$image" ] || exit 1
  kdir=$(dirname "$image")
  stamp "Linux $ver: initramfs"
  "$root/scripts/linux-initramfs.sh" "$dl/busybox/bin/busybox" "$bl/src-$ver" "$kdir/initramfs.cpio.gz" || exit 1

  # The DT QEMU gives a kernel it boots directly, plus: the hypervisor's RAM
  # reserved (no-map; QEMU rewrites /memory from -m even in a -dtb, so the
  # memory node cannot be shrunk) and the initrd where we load it. Packed,
  # so that it fits below the Image.
  stamp "Linux $ver: device tree"
  "${QEMU[@]}" -M "$MACHINE,dumpdtb=$kdir/qemu.dtb" -kernel "$image" \
    -append "console=ttyAMA0 earlycon=pl011,0x9000000 rdinit=/init panic=-1 loglevel=7" \
    >/dev/null 2>&1
  isize=$(stat -c %s "$kdir/initramfs.cpio.gz")
  { dtc -q -I dtb -O dts "$kdir/qemu.dtb"
    cat <<DTS
/ {
	reserved-memory {
		#address-cells = <2>;
		#size-cells = <2>;
		ranges;
		ffamed-el2@${HYP_BASE#0x} {
			reg = <0x0 $HYP_BASE 0x0 $HYP_SIZE>;
			no-map;
		};
	};
	chosen {
		linux,initrd-start = <0x0 $INITRD_ADDR>;
		linux,initrd-end = <0x0 $(printf '0x%x' $((INITRD_ADDR + isize)))>;
	};
};
DTS
  } >"$kdir/guest.dts"
  dtc -q -I dts -O dtb -o "$kdir/guest.dtb" "$kdir/guest.dts" || exit 1
  initrd=${INITRD_ADDR#0x}

  stamp "Linux $ver: booting through the EL2 port ($smp vCPUs)"
  log=$bl/run-$ver.log
  bt0=$(date +%s%N)
  timeout "$tmo" "${QEMU[@]}" -M "$MACHINE" -kernel "$hyp" -dtb "$kdir/guest.dtb" \
    -device loader,file="$image",addr=$KERNEL_ADDR,force-raw=on \
    -device loader,file="$kdir/initramfs.cpio.gz",addr=0x$initrd,force-raw=on \
    </dev/null >"$log" 2>&1
  rc=$?
  bt=$(( ($(date +%s%N) - bt0) / 1000000 ))
  stamp "Linux $ver: QEMU exited ($rc) after $bt ms; console in $log"
  echo "  --- FF-A / OP-TEE lines of Linux $ver:"
  grep -aE 'ARM FF-A|arm_ffa|optee|ffamed-el2|tee-probe|e2e: ' "$log" | grep -v e2e-dmesg |
    tr -d '\r' | sed 's/^/  | /' | head -60

  drv=1.0; [ "$ver" = 6.1 ] || drv=1.2
  check "$ver" boot "the EL2 port started the guest" 'ffamed-el2: entering Linux'
  check "$ver" boot "ARM FF-A: Driver version $drv" "ARM FF-A: Driver version $drv"
  if [ "$ver" = 6.1 ]; then
    check "$ver" boot "ARM FF-A: Firmware version ... found" 'ARM FF-A: Firmware version [0-9]+\.[0-9]+ found'
  else
    check "$ver" boot "ARM FF-A: Firmware version 1.2 found" 'ARM FF-A: Firmware version 1\.2 found'
  fi
  check "$ver" boot "ffamed served RXTX_MAP" 'FFA_RXTX_MAP_64\(.*-> FFA_SUCCESS'
  check "$ver" boot "ffamed served partition discovery (PARTITION_INFO_GET or _REGS)" 'FFA_PARTITION_INFO_GET(_REGS)?\(.*-> FFA_SUCCESS'
  check "$ver" boot "OP-TEE SP answered GET_API_VERSION (optee driver probing)" 'OP-TEE SP calls: api=[1-9]'
  check "$ver" boot "init ran" 'e2e: init running'
  check "$ver" boot "guest powered off cleanly" 'e2e: powering off'
  check "$ver" boot "no arm_ffa error lines" '(ARM FF-A|arm_ffa|arm-ffa).*([Ee]rror|[Ff]ail|[Ii]ncompatible|[Ii]nvalid|No partitions)' absent
  check "$ver" boot "no EL2 panic" 'ffamed-el2: PANIC' absent
  if [ "$ver" != 6.1 ]; then
    check "$ver" boot "OP-TEE notification bound (NOTIFICATION_BIND)" 'FFA_NOTIFICATION_BIND\(.*-> FFA_SUCCESS'
    check "$ver" boot "NPI injected into the guest" 'ffamed: NPI INTID [0-9]+ -> vCPU'
    check "$ver" boot "the guest took the NPI (/proc/interrupts)" 'e2e-irq: +[0-9]+:.* [1-9][0-9]* .*GICv3.*ARM-FFA-NPI'
    check "$ver" boot "notification delivered (NOTIFICATION_GET with a bit set)" 'FFA_NOTIFICATION_GET\(.*-> FFA_SUCCESS_32 \[[0-9a-f]*[1-9a-f][0-9a-f]*,'
  fi
  check "$ver" boot "optee: initialized driver" 'optee: initialized driver'
  check "$ver" boot "/dev/tee0 present" 'e2e: /dev/tee0 present'
  check "$ver" boot "no optee error lines" 'optee: .*([Ee]rror|[Ff]ail|Unexpected|[Ii]ncompatible|[Ii]nvalid)' absent
  # These need memory sharing (FFA_MEM_SHARE/RECLAIM through the mediator).
  check "$ver" all "/dev/tee0 used (version, shared memory)" 'tee-probe: shared memory freed'
  check "$ver" all "MEM_SHARE from Linux served by ffamed" 'FFA_MEM_SHARE_(32|64)\(.*-> FFA_SUCCESS'
  check "$ver" all "MEM_RECLAIM from Linux served by ffamed" 'FFA_MEM_RECLAIM\(.*-> FFA_SUCCESS'
done

stamp "done (FFAMED_E2E_REQUIRE=$require)"
if [ ${#not_yet[@]} -gt 0 ]; then
  echo "linux-e2e: STILL MISSING (not required at FFAMED_E2E_REQUIRE=$require):"
  printf 'linux-e2e:   %s\n' "${not_yet[@]}"
fi
if [ $total_fail = 0 ]; then echo "linux-e2e: PASS"; else echo "linux-e2e: FAIL"; fi
exit $total_fail
