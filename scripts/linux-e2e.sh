#!/usr/bin/env bash
# Real Linux guests over ffamed: builds Linux 6.1 and 7.3 (cached by config
# hash), a busybox initramfs and the EL2 port, boots each kernel under QEMU
# in up to four configurations and checks the console: each expected line is
# reported as found or MISSING, then one result line per boot.
#   spmc    the EL2 port with the software SPMC (-M virt,virtualization=on)
#   nsvirt  the EL2 port (SMC conduit) over TF-A + OP-TEE built for a
#           hypervisor (CFG_NS_VIRTUALIZATION=y)
#   plain   the same over TF-A + OP-TEE without NS virtualization
#   base    Linux directly on TF-A + OP-TEE plain: no hypervisor, the same
#           guest checks, so that (nsvirt) and (base) compare in one log
# The firmware images and every fact used about them: docs/REAL-FIRMWARE.md.
#
# Environment:
#   FFAMED_E2E=off            skip everything (prints why)
#   FFAMED_E2E_REQUIRE=all    every check must pass (default)
#                  =boot      only the "boot" checks must pass (the guest boots,
#                             the FF-A driver probes through ffamed, partitions
#                             and, for 7.3, notifications); the others are
#                             reported but do not fail the run
#   FFAMED_E2E_KERNELS="6.1 7.3"  which kernels
#   FFAMED_E2E_SMP=2          vCPUs (= physical CPUs) of the spmc and base boots
#   FFAMED_E2E_FW_SMP="2 4"   CPU counts of the nsvirt and plain boots
#   FFAMED_E2E_CONFIGS="spmc nsvirt plain base"  which configurations
#   FFAMED_E2E_TIMEOUT=60     seconds per boot
#   FFAMED_E2E_MULTI=1        instead of the configurations above, two guests at
#                             once over the software SPMC (configuration "multi",
#                             -smp 4: VM 1 on CPUs 0-1, VM 2 on CPUs 2-3);
#                   =nsvirt   the same over TF-A + OP-TEE nsvirt ("multi-nsvirt");
#                   =all      both (see
#                             docs/LINUX-GUESTS.md, "Multi-guest"); per-guest
#                             initramfs additions: FFAMED_E2E_VM<N>_LIST and
#                             FFAMED_E2E_VM<N>_RUN (FFAMED_INITRAMFS_LIST/_RUN)
#                   =three    three guests over the software SPMC ("multi3",
#                             -smp 4: VM 1 on CPUs 0-1, VM 2 on 2, VM 3 on 3):
#                             VMs 1 and 2 talk, VM 3 and each of the others
#                             are pairs the policy denies
#   FFAMED_E2E_MULTI_DENY=1   those boots without rights between any VMs:
#                             each guest's peer test module checks the refusal
#   FFAMED_E2E_MULTI_CONFIG   the port's boot configuration for those boots
#                             (default: the guests below, with messaging and
#                             notification rights between VMs 1 and 2; none with
#                             FFAMED_E2E_MULTI_DENY=1)
#   FFAMED_FIRMWARE           the firmware images (default <repo>/../shared/firmware);
#                             absent: the real-firmware boots are skipped, saying so,
#                             except under CI=true, where that is a failure
# Logs: build-linux/run-<version>-<config>-smp<n>.log (the whole console;
# OP-TEE's own log, UART1, in the same name with .secure.log).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
bl=${FFAMED_LINUX_BUILD:-$root/build-linux}
require=${FFAMED_E2E_REQUIRE:-all}
kernels=${FFAMED_E2E_KERNELS:-6.1 7.3}
smp=${FFAMED_E2E_SMP:-2}
fw_smp=${FFAMED_E2E_FW_SMP:-2 4}
configs=${FFAMED_E2E_CONFIGS:-spmc nsvirt plain base}
case ${FFAMED_E2E_MULTI:-0} in
  1) configs=multi ;;
  nsvirt) configs=multi-nsvirt ;;
  all) configs="multi multi-nsvirt" ;;
  three) configs=multi3 ;;
esac
tmo=${FFAMED_E2E_TIMEOUT:-60}
if [ "${FFAMED_E2E:-on}" = off ]; then
  echo "linux-e2e: SKIPPED: FFAMED_E2E=off (the Linux guest test was turned off explicitly)"
  exit 0
fi
case $require in all|boot) ;; *) echo "FFAMED_E2E_REQUIRE must be all or boot"; exit 2 ;; esac
mkdir -p "$bl"
# shellcheck source=scripts/lib-firmware.sh
. "$root/scripts/lib-firmware.sh"
t0=$(date +%s)
stamp() { echo "linux-e2e: [$(( $(date +%s) - t0 )) s] $*"; }

# Must agree with src/port/el2-qemu/platform.h.
MEM=512M HYP_BASE=0x5e000000 HYP_SIZE=0x2000000 KERNEL_ADDR=0x40200000 INITRD_ADDR=0x48000000
BOOT_CONFIG_ADDR=0x5fff0000
# The multi-guest layouts (multi_layout): each guest's DTB at its RAM base,
# its Image 2 MiB above (the port enters it there), its initrd 128 MiB above.
MULTI_INITRD_OFF=0x8000000
# One service UUID for VMs 1 and 2: Linux 7.3 delivers an indirect message
# only when each guest sees the other under the same UUID (docs/MESSAGING.md,
# "VMs as partitions"); it is the peer test module's default peer_uuid. A
# third VM has its own, so that a lookup by its UUID names it alone.
PEER_UUID=5e7c1a00-ffa0-4e57-8000-000000000001
MACHINE=virt,virtualization=on,gic-version=3
QEMU_DUMP=(qemu-system-aarch64 -cpu cortex-a57 -m "$MEM" -nographic -nodefaults -monitor none
           -net none)

total_fail=0
fw_ok=1
fw_configs=
for c in $configs; do case $c in nsvirt|plain|base|multi-nsvirt) fw_configs="${fw_configs:+$fw_configs }$c" ;; esac; done
if [ -n "$fw_configs" ] && ! fw_missing=$(fw_available); then
  fw_ok=0
  if [ "${CI:-}" = true ]; then
    echo "linux-e2e: FAIL: real-firmware boots required under CI, but the firmware is absent"
    total_fail=1
  else
    echo "linux-e2e: SKIPPING the real-firmware boots ($fw_configs): firmware not found"
  fi
  echo "$fw_missing" | sed 's/^/linux-e2e:   /'
  echo "linux-e2e:   (set FFAMED_FIRMWARE to the directory holding the TF-A + OP-TEE images)"
fi

dl=${FFAMED_LINUX_DL:-$bl/dl}
export FFAMED_LINUX_DL=$dl
stamp "fetching busybox and Linux sources"
"$root/scripts/linux-fetch.sh" || exit 1

stamp "building the EL2 port (software SPMC and SMC conduit images)"
el2dir=$(fw_build_el2 "$root/build-el2") || exit 1
hyp=$el2dir/ffamed-el2.elf
hyp_smc=$el2dir/ffamed-el2-smc.elf

source_of() {
  case $1 in
    6.1) echo /usr/src/linux-source-6.1.tar.xz ;;
    7.3) echo "$dl/linux-source-7.3/usr/src/linux-source-7.3.tar.xz" ;;
  esac
}

not_yet=()
results=()
cfg_fail=0
check() { # level description regex [absent]   (reads $log, $label)
  local level=$1 desc=$2 re=$3 absent=${4:-} ok=0 line
  if [ -n "$absent" ]; then
    line=$(grep -aE "$re" "$log" | { if [ -n "${allow:-}" ]; then grep -avE "$allow"; else cat; fi; } | head -3)
    [ -z "$line" ] && ok=1
  else
    line=$(grep -aE "$re" "$log" | head -1)
    [ -n "$line" ] && ok=1
  fi
  local need=0
  { [ "$require" = all ] || [ "$level" = boot ]; } && need=1
  if [ $ok = 1 ]; then
    printf '  [%s] found    %-5s %s\n' "$label" "$level" "$desc"
    [ -n "$absent" ] || printf '             | %s\n' "$(echo "$line" | tr -d '\r' | cut -c1-150)"
  elif [ $need = 1 ]; then
    printf '  [%s] MISSING  %-5s %s   (required)\n' "$label" "$level" "$desc"
    [ -z "$absent" ] || echo "$line" | tr -d '\r' | sed 's/^/             | /'
    total_fail=1 cfg_fail=1
  else
    printf '  [%s] missing  %-5s %s   (not required at FFAMED_E2E_REQUIRE=%s)\n' "$label" "$level" "$desc" "$require"
    not_yet+=("[$label] $desc")
    [ -z "$absent" ] || echo "$line" | tr -d '\r' | sed 's/^/             | /'
  fi
}


# OP-TEE messages that are not errors of ffamed's (docs/REAL-FIRMWARE.md):
#   init_node_cache_info   nsvirt OP-TEE at its own boot, before BL33 runs
#   not registered         OP-TEE when Linux unregisters a shm it never used in
#                          a call (the no-hypervisor baseline prints it too)
SECURE_KNOWN='init_node_cache_info:.*disable DT cached info|mobj_ffa_unregister_by_cookie:.*not registered'
# What Linux 7.3 prints when its VM has no notifications (the plain OP-TEE
# refuses the bitmap of any VM but 0, so ffamed turns SP notifications off):
PLAIN_73_KNOWN='ARM FF-A: Notification setup failed -?[0-9]+, not enabled|optee: Failed to initialize async notifications'

# boot <ver> <config> <smp>: one QEMU run and its checks.
boot() {
  local ver=$1 cfg=$2 n=$3 bios dtb elf
  label="$ver $cfg smp$n"
  log=$bl/run-$ver-$cfg-smp$n.log
  local slog=${log%.log}.secure.log
  cfg_fail=0 allow=
  case $cfg in
    multi|multi3)
      multi_setup "$n" || return 1
      rm -f "$slog" ;;
    multi-nsvirt)
      multi_setup "$n" nsvirt "$slog" || return 1 ;;
    spmc)
      dtb=$kdir/guest-spmc-smp$n.dtb
      spmc_dtb "$dtb" "$n" || return 1
      cmd=(qemu-system-aarch64 -M "$MACHINE" -cpu cortex-a57 -smp "$n" -m "$MEM" -nographic
           -nodefaults -serial stdio -monitor none -net none -no-reboot
           -kernel "$hyp" -dtb "$dtb"
           -device "loader,file=$image,addr=$KERNEL_ADDR,force-raw=on"
           -device "loader,file=$kdir/initramfs.cpio.gz,addr=$INITRD_ADDR,force-raw=on")
      rm -f "$slog" ;;
    nsvirt|plain|base)
      bios=$(fw_bios "$cfg") || return 1
      if [ "$cfg" = base ]; then
        dtb=$kdir/guest-fw-smp$n.dtb elf=
        fw_guest_dtb "$dtb" "$n" "$kdir/initramfs.cpio.gz" || return 1
      else
        dtb=$kdir/guest-fw-hyp-smp$n.dtb elf=$hyp_smc
        fw_guest_dtb "$dtb" "$n" "$kdir/initramfs.cpio.gz" hyp || return 1
      fi
      FW_SECURE_LOG=$slog fw_qemu_cmd "$bios" "$dtb" "$n" "$image" "$kdir/initramfs.cpio.gz" $elf
      cmd=("${FW_QEMU[@]}") ;;
  esac
  stamp "Linux $ver: booting $cfg with $n CPUs"
  local bt0 rc bt
  bt0=$(date +%s%N)
  timeout "$tmo" "${cmd[@]}" </dev/null >"$log" 2>&1
  rc=$?
  bt=$(( ($(date +%s%N) - bt0) / 1000000 ))
  stamp "Linux $ver $cfg smp$n: QEMU exited ($rc) after $bt ms; console in $log"
  echo "  --- FF-A / OP-TEE lines:"
  grep -aE 'ARM FF-A|arm_ffa|optee|ffamed-el2|tee-probe|e2e: |e2e-irq|NPI|NOTIFICATION_(BIND|GET)|ffa-peer-test' "$log" |
    tr -d '\r' | sed 's/^/  | /' | head -40
  if [ -s "$slog" ]; then
    echo "  --- OP-TEE (secure log) errors and warnings:"
    grep -aE '^(E|W)/TC' "$slog" | tr -d '\r' | cut -c1-150 | sed 's/^/  | /' | head -10
  fi

  if [ "${cfg#multi}" != "$cfg" ]; then
    multi_checks "$ver" "$n"
    local verdict=PASS
    [ $cfg_fail = 0 ] || verdict=FAIL
    results+=("$(printf '%-4s %-7s smp%-2s %-5s %6s ms' "$ver" "$cfg" "$n" "$verdict" "$bt")")
    return 0
  fi
  local hv=1 drv=1.0
  [ "$cfg" = base ] && hv=0
  [ "$ver" = 6.1 ] || drv=1.2
  [ $hv = 0 ] || check boot "the EL2 port started the guest" 'ffamed-el2: entering Linux'
  [ $hv = 0 ] || check boot "the EL2 port counted $n CPUs" "ffamed-el2: $n CPU\\(s\\)"
  check boot "Linux runs on $n CPUs" "e2e: init running on Linux .*, $n CPU\\(s\\)"
  check boot "ARM FF-A: Driver version $drv" "ARM FF-A: Driver version $drv"
  if [ "$ver" = 6.1 ]; then
    check boot "ARM FF-A: Firmware version ... found" 'ARM FF-A: Firmware version [0-9]+\.[0-9]+ found'
  else
    check boot "ARM FF-A: Firmware version 1.2 found" 'ARM FF-A: Firmware version 1\.2 found'
  fi
  if [ $hv = 1 ]; then
    check boot "ffamed served RXTX_MAP" 'FFA_RXTX_MAP_64\(.*-> FFA_SUCCESS'
    check boot "ffamed served partition discovery (PARTITION_INFO_GET or _REGS)" 'FFA_PARTITION_INFO_GET(_REGS)?\(.*-> FFA_SUCCESS'
  fi
  case $cfg in
    spmc) check boot "OP-TEE SP answered GET_API_VERSION (optee driver probing)" 'OP-TEE SP calls: api=[1-9]' ;;
    *) check boot "the real OP-TEE answered: optee: revision 4.10 (d5001fe0)" 'optee: revision 4\.10 \(d5001fe0\)' ;;
  esac
  check boot "init ran" 'e2e: init running'
  check boot "guest powered off cleanly" 'e2e: powering off'
  [ "$cfg$ver" = plain7.3 ] && allow=$PLAIN_73_KNOWN
  check boot "no arm_ffa error lines" '(ARM FF-A|arm_ffa|arm-ffa).*([Ee]rror|[Ff]ail|[Ii]ncompatible|[Ii]nvalid|No partitions|not supported)' absent
  [ $hv = 0 ] || check boot "no EL2 panic" 'ffamed-el2: PANIC' absent
  # Linux deactivates and disables SGIs it did not request at CPU bring-up.
  [ $hv = 0 ] || check boot "the guest's writes to the reserved SGIs were filtered" 'ffamed-el2: GIC: [0-9]+ guest .* [1-9][0-9]* writes to reserved SGIs filtered'
  if [ "$ver" != 6.1 ]; then
    case $cfg in
      spmc|nsvirt)
        check boot "OP-TEE notification bound (NOTIFICATION_BIND)" 'FFA_NOTIFICATION_BIND\(.*-> FFA_SUCCESS'
        [ "$cfg" = spmc ] ||
          check boot "the firmware's SRI taken at EL2 and handled (ffamed_handle_sri)" 'ffamed-el2: SRIs raised=[1-9][0-9]* handled=[1-9]'
        check boot "NPI injected into the guest" 'ffamed: NPI INTID [0-9]+ -> vCPU'
        check boot "the guest took the NPI (/proc/interrupts)" 'e2e-irq(-late)?: +[0-9]+:.* [1-9][0-9]* .*GICv3.*ARM-FFA-NPI'
        check boot "notification delivered (NOTIFICATION_GET with a bit set)" 'FFA_NOTIFICATION_GET\(.*-> FFA_SUCCESS_32 \[[0-9a-f]*[1-9a-f][0-9a-f]*,' ;;
      base)
        check boot "the guest took OP-TEE's SRI itself (/proc/interrupts)" 'e2e-irq(-late)?: +[0-9]+:.* [1-9][0-9]* .*GICv3.*ARM-FFA-SRI' ;;
    esac
  fi
  [ "$cfg" != plain ] ||
    check boot "ffamed turned SP notifications off for the VM (bitmap refused)" 'ffamed-el2: .*notification bitmap of VM 1'
  # One guest: the peer test module loads, finds no peer VM and says so.
  check boot "the FF-A peer test module loaded, no peer VM (one guest)" 'ffa-peer-test: RESULT peer=none'
  check boot "optee: initialized driver" 'optee: initialized driver'
  check boot "/dev/tee0 present" 'e2e: /dev/tee0 present'
  check boot "no optee error lines" 'optee: .*([Ee]rror|[Ff]ail|Unexpected|[Ii]ncompatible|[Ii]nvalid)' absent
  if [ "$cfg" != spmc ]; then
    log=$slog allow=$SECURE_KNOWN
    check boot "no OP-TEE error line in the secure log but the known ones" '^E/TC' absent
    log=$bl/run-$ver-$cfg-smp$n.log allow=
  fi
  # These need memory sharing (FFA_MEM_SHARE/RECLAIM through the mediator).
  check all "/dev/tee0 used (version, shared memory)" 'tee-probe: shared memory freed'
  if [ $hv = 1 ]; then
    check all "MEM_SHARE from Linux served by ffamed" 'FFA_MEM_SHARE_(32|64)\(.*-> FFA_SUCCESS'
    check all "MEM_RECLAIM from Linux served by ffamed" 'FFA_MEM_RECLAIM\(.*-> FFA_SUCCESS'
  fi
  local verdict=PASS
  [ $cfg_fail = 0 ] || verdict=FAIL
  results+=("$(printf '%-4s %-7s smp%-2s %-5s %6s ms' "$ver" "$cfg" "$n" "$verdict" "$bt")")
}

# The DT QEMU gives a kernel it boots directly (no secure world), plus: the
# hypervisor's RAM reserved (no-map; QEMU rewrites /memory from -m even in a
# -dtb, so the memory node cannot be shrunk) and the initrd where we load
# it. Packed, so that it fits below the Image.
spmc_dtb() { # out.dtb smp
  local out=$1 n=$2 isize
  "${QEMU_DUMP[@]}" -smp "$n" -M "$MACHINE,dumpdtb=${out%.dtb}.qemu.dtb" -kernel "$image" \
    -append "$FW_BOOTARGS" >/dev/null 2>&1
  isize=$(stat -c %s "$kdir/initramfs.cpio.gz")
  { dtc -q -I dtb -O dts "${out%.dtb}.qemu.dtb"
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
  } >"${out%.dtb}.dts"
  dtc -q -I dts -O dtb -o "$out" "${out%.dtb}.dts"
}

# The multi-guest boots: a boot configuration, a DT and an initramfs per
# guest, one QEMU command (sets cmd). multi_layout gives, per guest (index
# i = VM i+1), its CPUs, RAM and UUID, and the pair that may talk.
multi_layout() { # cfg   (sets MULTI_N, MULTI_CPUS, MULTI_RAM, MULTI_RAM_SIZE, MULTI_UUID, MULTI_PAIR)
  case ${1%-nsvirt} in
    multi)
      MULTI_N=2 MULTI_CPUS=(0-1 2-3) MULTI_RAM=(0x40000000 0x4f000000) MULTI_RAM_SIZE=0x0f000000
      MULTI_UUID=("$PEER_UUID" "$PEER_UUID") ;;
    multi3)
      MULTI_N=3 MULTI_CPUS=(0-1 2 3) MULTI_RAM=(0x40000000 0x4a000000 0x54000000)
      MULTI_RAM_SIZE=0x0a000000
      MULTI_UUID=("$PEER_UUID" "$PEER_UUID" 5e7c1a00-ffa0-4e57-8000-000000000003) ;;
  esac
  MULTI_PAIR="1 2"
  [ "${FFAMED_E2E_MULTI_DENY:-0}" = 0 ] || MULTI_PAIR=
}
multi_vcpus() { # cpus-range
  local r=$1
  echo $(( ${r#*-} - ${r%-*} + 1 ))
}
# The VM that VM $1 talks to (empty: none).
multi_peer() {
  case " $MULTI_PAIR " in
    " $1 "*) echo "${MULTI_PAIR#* }" ;;
    *" $1 ") echo "${MULTI_PAIR% *}" ;;
  esac
}
# The VMs the policy denies to VM $1: every other one but its peer.
multi_denied() {
  local g p out=
  p=$(multi_peer "$1")
  for ((g = 1; g <= MULTI_N; g++)); do
    [ "$g" = "$1" ] || [ "$g" = "$p" ] || out="${out:+$out }$g"
  done
  echo "$out"
}

multi_dtb() { # out.dtb vm-index initrd [fw]
  local out=$1 i=$2 initrd=$3 fw=${4:-} base=${MULTI_RAM[$2]} isize iaddr extra= args
  local nv c ids="" uuids="" d
  nv=$(multi_vcpus "${MULTI_CPUS[$i]}")
  iaddr=$(printf '0x%x' $((base + MULTI_INITRD_OFF)))
  [ "$i" = 0 ] && iaddr=$INITRD_ADDR
  isize=$(stat -c %s "$initrd")
  args="$FW_BOOTARGS ffamed.vm=$((i + 1))"
  # The denied pairs: the peer test module must find those VMs hidden and
  # refused (docs/LINUX-GUESTS.md, "The peer test module").
  for d in $(multi_denied $((i + 1))); do
    ids=${ids:+$ids,}$d uuids=${uuids:+$uuids,}${MULTI_UUID[$((d - 1))]}
  done
  [ -z "$ids" ] || args="$args ffa_peer_test.deny_id=$ids ffa_peer_test.deny_uuid=$uuids"
  if [ -n "$fw" ]; then
    # The DT a guest sees under the firmware: QEMU's with secure=on.
    qemu-system-aarch64 -M "$FW_MACHINE,dumpdtb=${out%.dtb}.qemu.dtb" -cpu "$FW_CPU" -smp "$nv" \
      -m "$FW_MEM" -nographic -nodefaults -bios "$(fw_bios base)" >/dev/null 2>&1 || return 1
  else
    "${QEMU_DUMP[@]}" -smp "$nv" -M "$MACHINE,dumpdtb=${out%.dtb}.qemu.dtb" -kernel "$image" \
      -append "$args" >/dev/null 2>&1 || return 1
  fi
  if [ -n "$fw" ] && [ "$i" != 0 ]; then
    # TF-A adds PSCI to the DT it hands over (VM 1's): the others' need it too.
    extra=$(printf '\tpsci {\n\t\tcompatible = "arm,psci-1.0", "arm,psci-0.2", "arm,psci";\n\t\tmethod = "smc";\n\t};\n\tcpus {\n')
    for ((c = 0; c < nv; c++)); do extra=$extra$(printf '\n\t\tcpu@%x { enable-method = "psci"; };' $c); done
    extra=$extra$(printf '\n\t};\n')
  fi
  if [ "$i" = 0 ]; then
    # QEMU rewrites /memory of the -dtb from -m: the rest is reserved.
    local rbase=$((base + MULTI_RAM_SIZE))
    extra=$(printf '\treserved-memory {\n\t\t#address-cells = <2>;\n\t\t#size-cells = <2>;\n\t\tranges;\n\t\tothers@%x {\n\t\t\treg = <0x0 0x%x 0x0 0x%x>;\n\t\t\tno-map;\n\t\t};\n\t};' \
      $rbase $rbase $((0x60000000 - rbase)))
  else
    extra=$extra$(printf '\tmemory@40000000 {\n\t\treg = <0x0 %s 0x0 %s>;\n\t};' "$base" "$MULTI_RAM_SIZE")
  fi
  { dtc -q -I dtb -O dts "${out%.dtb}.qemu.dtb"
    cat <<DTS
/ {
$extra
	chosen {
		bootargs = "$args";
		linux,initrd-start = <0x0 $iaddr>;
		linux,initrd-end = <0x0 $(printf '0x%x' $((iaddr + isize)))>;
	};
};
DTS
  } >"${out%.dtb}.dts"
  dtc -q -I dts -O dtb -o "$out" "${out%.dtb}.dts"
}

multi_setup() { # smp [nsvirt secure-log]   (reads $cfg)
  local n=$1 fw=${2:-} i loaders=() base name=${cfg%-nsvirt} dtbs=()
  multi_layout "$cfg"
  [ "$n" = 4 ] || { echo "linux-e2e: the multi boots need 4 CPUs"; return 1; }
  if [ -n "${FFAMED_E2E_MULTI_CONFIG:-}" ]; then
    cp "$FFAMED_E2E_MULTI_CONFIG" "$kdir/$name.cfg" || return 1
  else
    # VMs 1 and 2 message and notify each other (the peer test module),
    # or, with FFAMED_E2E_MULTI_DENY=1, are a pair the policy denies; a
    # third VM is given no rights at all.
    {
      echo "# $MULTI_N guests (src/port/el2-qemu/boot_config.h)"
      echo "vm_to_vm on"
      for ((i = 0; i < MULTI_N; i++)); do
        echo "vm $((i + 1)) cpus ${MULTI_CPUS[$i]} ram ${MULTI_RAM[$i]} $MULTI_RAM_SIZE uuid ${MULTI_UUID[$i]}"
      done
      [ -z "$MULTI_PAIR" ] || echo "allow $MULTI_PAIR msg,notify"
    } >"$kdir/$name.cfg"
  fi
  for ((i = 0; i < MULTI_N; i++)); do
    local vl=FFAMED_E2E_VM$((i + 1))_LIST vr=FFAMED_E2E_VM$((i + 1))_RUN
    local ird=$kdir/initramfs-vm$((i + 1)).cpio.gz dtb=$kdir/guest-$name${fw:+-$fw}-vm$((i + 1)).dtb
    FFAMED_INITRAMFS_LIST=${!vl:-} FFAMED_INITRAMFS_RUN=${!vr:-} FFAMED_INITRAMFS_MODULE=$ko \
      "$root/scripts/linux-initramfs.sh" "$dl/busybox/bin/busybox" "$bl/src-$ver" "$ird" || return 1
    multi_dtb "$dtb" $i "$ird" $fw || return 1
    dtbs+=("$dtb")
    base=${MULTI_RAM[$i]}
    if [ "$i" = 0 ]; then
      # VM 1's DTB is QEMU's -dtb (or TF-A's), at the RAM base.
      loaders+=(-device "loader,file=$image,addr=$KERNEL_ADDR,force-raw=on"
                -device "loader,file=$ird,addr=$INITRD_ADDR,force-raw=on")
    else
      loaders+=(-device "loader,file=$dtb,addr=$base,force-raw=on"
                -device "loader,file=$image,addr=$(printf '0x%x' $((base + 0x200000))),force-raw=on"
                -device "loader,file=$ird,addr=$(printf '0x%x' $((base + MULTI_INITRD_OFF))),force-raw=on")
    fi
  done
  loaders+=(-device "loader,file=$kdir/$name.cfg,addr=$BOOT_CONFIG_ADDR,force-raw=on")
  if [ -n "$fw" ]; then
    # TF-A starts the port (BL33); OP-TEE's log on the second UART.
    cmd=(qemu-system-aarch64 -M "$FW_MACHINE" -cpu "$FW_CPU" -smp "$n" -m "$FW_MEM"
         -nographic -nodefaults -monitor none -net none -no-reboot
         -serial stdio -serial "file:$3" -bios "$(fw_bios "$fw")"
         -dtb "${dtbs[0]}" -device "loader,file=$hyp_smc" "${loaders[@]}")
  else
    cmd=(qemu-system-aarch64 -M "$MACHINE" -cpu cortex-a57 -smp "$n" -m "$MEM" -nographic
         -nodefaults -serial stdio -monitor none -net none -no-reboot
         -kernel "$hyp" -dtb "${dtbs[0]}" "${loaders[@]}")
  fi
}

# Splits the console per guest: VM N's lines carry "[vmN] " (the port's
# emulated PL011s); the port's own lines go with VM 1's.
multi_split() { # log
  local all=$1 g
  tr -d '\r' <"$all" | sed -n -e '/^\[vm[0-9]*\] /!p' -e 's/^\[vm1\] //p' >"${all%-smp*}-vm1.log"
  for ((g = 2; g <= MULTI_N; g++)); do
    tr -d '\r' <"$all" | sed -n "s/^\\[vm$g\\] //p" >"${all%-smp*}-vm$g.log"
  done
}

# The peer test module's counts (docs/LINUX-GUESTS.md, "The peer test
# module"): what one guest sent the other received, and every exact
# notification was acked.
peer_count() { # log regex field
  grep -aoE "$2" "$1" | head -1 | sed -n "s/.* $3=\([0-9]*\).*/\1/p; s/^$3=\([0-9]*\).*/\1/p" | head -1
}
peer_counts() { # vm1.log vm2.log
  local a=$1 b=$2 x y ok what
  for what in "notif sent received" "msg sent received" "notif sent acked"; do
    set -- $what
    for pair in "$a $b" "$b $a"; do
      set -- $what; local k=$1 f1=$2 f2=$3 l1=${pair% *} l2=${pair#* }
      x=$(peer_count "$l1" "ffa-peer-test: $k [a-z0-9= ]*" "$f1")
      if [ "$f2" = acked ]; then l2=$l1; fi
      y=$(peer_count "$l2" "ffa-peer-test: $k [a-z0-9= ]*" "$f2")
      ok=0; [ -n "$x" ] && [ "$x" -gt 0 ] && [ "$x" = "$y" ] && ok=1
      if [ $ok = 1 ]; then
        printf '  [%s] found    boot  %s\n' "$label" "$k: $f1 in $(basename "$l1") = $f2 in $(basename "$l2") ($x)"
      else
        printf '  [%s] MISSING  boot  %s   (required)\n' "$label" "$k: $f1 in $(basename "$l1") ($x) = $f2 in $(basename "$l2") ($y)"
        total_fail=1 cfg_fail=1
      fi
    done
  done
  for l in "$a" "$b"; do
    x=$(peer_count "$l" 'ffa-peer-test: msg [a-z0-9= ]*' bad)
    y=$(peer_count "$l" 'ffa-peer-test: notif-burst [a-z0-9= ]*' received)
    if [ "$x" = 0 ] && [ -n "$y" ] && [ "$y" -gt 0 ]; then
      printf '  [%s] found    boot  %s\n' "$label" "$(basename "$l"): no bad message, burst received $y"
    else
      printf '  [%s] MISSING  boot  %s   (required)\n' "$label" "$(basename "$l"): bad messages ($x) or no burst delivery ($y)"
      total_fail=1 cfg_fail=1
    fi
  done
}

multi_checks() { # ver smp
  local ver=$1 n=$2 drv=1.0 whole=$log g p d cpus nv name=${cfg%-nsvirt}
  [ "$ver" = 6.1 ] || drv=1.2
  multi_split "$whole"
  check boot "the port read the boot configuration ($MULTI_N guests)" "ffamed-el2: boot configuration: $MULTI_N guest\\(s\\)"
  for ((g = 1; g <= MULTI_N; g++)); do
    cpus=${MULTI_CPUS[$((g - 1))]}
    [ "${cpus#*-}" != "$cpus" ] || cpus=$cpus-$cpus
    check boot "VM $g has an emulated PL011 (CPUs $cpus)" "ffamed-el2: VM $g: CPUs $cpus, .*console emulated PL011"
  done
  check boot "no guest line split by another's" '.\[vm[0-9]+\] ' absent
  check boot "no EL2 panic" 'ffamed-el2: PANIC' absent
  for ((g = 1; g <= MULTI_N; g++)); do
    log=${whole%-smp*}-vm$g.log label="$ver $name vm$g"
    nv=$(multi_vcpus "${MULTI_CPUS[$((g - 1))]}")
    check boot "Linux runs on $nv CPU(s)" "e2e: init running on Linux .*, $nv CPU\\(s\\)"
    check boot "its own identity (ffamed.vm=$g)" "Kernel command line: .*ffamed\.vm=$g"
    check boot "ARM FF-A: Driver version $drv" "ARM FF-A: Driver version $drv"
    check boot "optee: initialized driver" 'optee: initialized driver'
    check boot "/dev/tee0 used (version, shared memory)" 'tee-probe: shared memory freed'
    check boot "no arm_ffa error lines" '(ARM FF-A|arm_ffa|arm-ffa).*([Ee]rror|[Ff]ail|[Ii]ncompatible|[Ii]nvalid|No partitions|not supported)' absent
    check boot "no optee error lines" 'optee: .*([Ee]rror|[Ff]ail|Unexpected|[Ii]ncompatible|[Ii]nvalid)' absent
    check boot "guest powered off" 'e2e: powering off'
    p=$(multi_peer "$g")
    if [ -n "$p" ]; then
      check boot "the FF-A peer test module found VM $p and finished" "ffa-peer-test: RESULT peer=0x000$p done"
    else
      check boot "no peer VM found (the policy hides every other)" 'ffa-peer-test: RESULT peer=none'
    fi
    # DENIED (-6); a v1.0 guest (6.1) is refused notifications altogether.
    local code=-6; [ "$ver" = 6.1 ] && code='-[0-9]+'
    for d in $(multi_denied "$g"); do
      check boot "the denied VM $d: hidden from discovery, notification bind refused" \
        "ffa-peer-test: deny id=0x000$d discovery=hidden bind=refused\\($code\\)"
    done
  done
  log=$whole label="$ver $cfg"
  [ "$ver" = 6.1 ] || [ -z "$MULTI_PAIR" ] ||
    peer_counts "${whole%-smp*}-vm${MULTI_PAIR% *}.log" "${whole%-smp*}-vm${MULTI_PAIR#* }.log"
  if [ "$cfg" = multi-nsvirt ]; then
    log=$slog allow=$SECURE_KNOWN
    check boot "no OP-TEE error line in the secure log but the known ones" '^E/TC' absent
    allow=
    for ((g = 1; g <= MULTI_N; g++)); do
      check boot "OP-TEE added guest $g (VM_CREATED)" "I/TC: Added guest ${g}[[:space:]]*\$"
      check boot "OP-TEE removed guest $g (VM_DESTROYED)" "I/TC: Removing guest ${g}[[:space:]]*\$"
    done
    log=$whole
  fi
  for ((g = 1; g <= MULTI_N; g++)); do
    check boot "VM $g torn down at its power-off" "ffamed-el2: VM $g powered off, destroyed"
  done
  check boot "teardown gave back every byte (heap as at boot)" 'ffamed-el2: teardown of every VM, .*heap clean'
  # The FF-A trace names the physical CPU: VM g's are MULTI_CPUS.
  for ((g = 2; g <= MULTI_N; g++)); do
    cpus=${MULTI_CPUS[$((g - 1))]}
    check boot "MEM_SHARE from VM $g (CPUs $cpus in the trace)" "ffamed: vCPU [$cpus] FFA_MEM_SHARE_(32|64)\\(.*-> FFA_SUCCESS"
  done
}

for ver in $kernels; do
  tarball=$(source_of "$ver")
  [ -f "$tarball" ] || { echo "linux-e2e: no source for Linux $ver ($tarball)"; exit 1; }
  stamp "Linux $ver: kernel (cached by config hash)"
  image=$("$root/scripts/linux-kernel.sh" "$ver" "$tarball" | tail -1) || exit 1
  [ -f "$image" ] || exit 1
  kdir=$(dirname "$image")
  stamp "Linux $ver: FF-A peer test module"
  ko=$("$root/scripts/linux-module.sh" "$ver" "$kdir" | tail -1) || exit 1
  stamp "Linux $ver: initramfs"
  FFAMED_INITRAMFS_MODULE=$ko \
    "$root/scripts/linux-initramfs.sh" "$dl/busybox/bin/busybox" "$bl/src-$ver" "$kdir/initramfs.cpio.gz" || exit 1
  for cfg in $configs; do
    case $cfg in
      spmc) boot "$ver" spmc "$smp" || exit 1 ;;
      multi|multi3) boot "$ver" "$cfg" 4 || exit 1 ;;
      multi-nsvirt) [ $fw_ok = 0 ] || boot "$ver" multi-nsvirt 4 || exit 1 ;;
      base) [ $fw_ok = 0 ] || boot "$ver" base "$smp" || exit 1 ;;
      nsvirt|plain)
        [ $fw_ok = 0 ] && continue
        for n in $fw_smp; do boot "$ver" "$cfg" "$n" || exit 1; done ;;
      *) echo "linux-e2e: unknown configuration $cfg"; exit 2 ;;
    esac
  done
done

stamp "done (FFAMED_E2E_REQUIRE=$require)"
echo "linux-e2e: results (kernel, configuration, CPUs, verdict, boot time):"
[ ${#results[@]} = 0 ] || printf 'linux-e2e:   %s\n' "${results[@]}"
[ $fw_ok = 1 ] || [ -z "$fw_configs" ] ||
  echo "linux-e2e:   real-firmware boots ($fw_configs) not run: firmware absent"
if [ ${#not_yet[@]} -gt 0 ]; then
  echo "linux-e2e: STILL MISSING (not required at FFAMED_E2E_REQUIRE=$require):"
  printf 'linux-e2e:   %s\n' "${not_yet[@]}"
fi
if [ $total_fail = 0 ]; then echo "linux-e2e: PASS"; else echo "linux-e2e: FAIL"; fi
exit $total_fail
