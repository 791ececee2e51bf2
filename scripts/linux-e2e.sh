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
#   FFAMED_E2E_MULTI_DENY=1   those boots without rights between the two VMs:
#                             each guest's peer test module checks the refusal
#   FFAMED_E2E_MULTI_CONFIG   the port's boot configuration for those boots
#                             (default: the two guests below, with messaging and
#                             notification rights between them; none with
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
# The two-guest layout: each guest's DTB at its RAM base, its Image 2 MiB
# above (the port enters it there), its initrd 128 MiB above.
MULTI_RAM=(0x40000000 0x4f000000) MULTI_RAM_SIZE=0x0f000000 MULTI_INITRD_OFF=0x8000000
# One service UUID for both: Linux 7.3 delivers an indirect message only when
# each guest sees the other under the same UUID (docs/MESSAGING.md, "VMs as
# partitions"); it is the peer test module's default peer_uuid.
MULTI_UUID=(5e7c1a00-ffa0-4e57-8000-000000000001 5e7c1a00-ffa0-4e57-8000-000000000001)
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
    multi)
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

  if [ "${cfg%-nsvirt}" = multi ]; then
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

# The two-guest boot (FFAMED_E2E_MULTI=1): a boot configuration, a DT and an
# initramfs per guest, one QEMU command (sets cmd).
multi_dtb() { # out.dtb vm-index initrd [fw]
  local out=$1 i=$2 initrd=$3 fw=${4:-} base=${MULTI_RAM[$2]} isize iaddr extra= args
  iaddr=$(printf '0x%x' $((base + MULTI_INITRD_OFF)))
  [ "$i" = 0 ] && iaddr=$INITRD_ADDR
  isize=$(stat -c %s "$initrd")
  args="$FW_BOOTARGS ffamed.vm=$((i + 1))"
  # The denied pair: the peer test module must find the other VM hidden and
  # refused (docs/LINUX-GUESTS.md, "The peer test module").
  [ "${FFAMED_E2E_MULTI_DENY:-0}" = 0 ] ||
    args="$args ffa_peer_test.deny_id=$((2 - i)) ffa_peer_test.deny_uuid=${MULTI_UUID[$((1 - i))]}"
  if [ -n "$fw" ]; then
    # The DT a guest sees under the firmware: QEMU's with secure=on.
    qemu-system-aarch64 -M "$FW_MACHINE,dumpdtb=${out%.dtb}.qemu.dtb" -cpu "$FW_CPU" -smp 2 \
      -m "$FW_MEM" -nographic -nodefaults -bios "$(fw_bios base)" >/dev/null 2>&1 || return 1
  else
    "${QEMU_DUMP[@]}" -smp 2 -M "$MACHINE,dumpdtb=${out%.dtb}.qemu.dtb" -kernel "$image" \
      -append "$args" >/dev/null 2>&1 || return 1
  fi
  if [ -n "$fw" ] && [ "$i" != 0 ]; then
    # TF-A adds PSCI to the DT it hands over (VM 1's): the others' need it too.
    extra=$(printf '\tpsci {\n\t\tcompatible = "arm,psci-1.0", "arm,psci-0.2", "arm,psci";\n\t\tmethod = "smc";\n\t};\n\tcpus {\n\t\tcpu@0 { enable-method = "psci"; };\n\t\tcpu@1 { enable-method = "psci"; };\n\t};\n')
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

multi_setup() { # smp [nsvirt secure-log]
  local n=$1 fw=${2:-} i loaders=() base
  [ "$n" = 4 ] || { echo "linux-e2e: the multi boot needs 4 CPUs"; return 1; }
  if [ -n "${FFAMED_E2E_MULTI_CONFIG:-}" ]; then
    cp "$FFAMED_E2E_MULTI_CONFIG" "$kdir/multi.cfg" || return 1
  else
    # The two guests message and notify each other (the peer test module),
    # or, with FFAMED_E2E_MULTI_DENY=1, are a pair the policy denies.
    local allow_line="allow 1 2 msg,notify"
    [ "${FFAMED_E2E_MULTI_DENY:-0}" = 0 ] || allow_line=
    cat >"$kdir/multi.cfg" <<CFG
# Two guests (src/port/el2-qemu/boot_config.h)
vm_to_vm on
vm 1 cpus 0-1 ram ${MULTI_RAM[0]} $MULTI_RAM_SIZE uuid ${MULTI_UUID[0]}
vm 2 cpus 2-3 ram ${MULTI_RAM[1]} $MULTI_RAM_SIZE uuid ${MULTI_UUID[1]}
$allow_line
CFG
  fi
  for i in 0 1; do
    local vl=FFAMED_E2E_VM$((i + 1))_LIST vr=FFAMED_E2E_VM$((i + 1))_RUN
    FFAMED_INITRAMFS_LIST=${!vl:-} FFAMED_INITRAMFS_RUN=${!vr:-} FFAMED_INITRAMFS_MODULE=$ko \
      "$root/scripts/linux-initramfs.sh" "$dl/busybox/bin/busybox" "$bl/src-$ver" \
      "$kdir/initramfs-vm$((i + 1)).cpio.gz" || return 1
    multi_dtb "$kdir/guest-multi${fw:+-$fw}-vm$((i + 1)).dtb" $i "$kdir/initramfs-vm$((i + 1)).cpio.gz" $fw || return 1
  done
  base=${MULTI_RAM[1]}
  loaders=(-device "loader,file=$image,addr=$KERNEL_ADDR,force-raw=on"
           -device "loader,file=$kdir/initramfs-vm1.cpio.gz,addr=$INITRD_ADDR,force-raw=on"
           -device "loader,file=$kdir/guest-multi${fw:+-$fw}-vm2.dtb,addr=$base,force-raw=on"
           -device "loader,file=$image,addr=$(printf '0x%x' $((base + 0x200000))),force-raw=on"
           -device "loader,file=$kdir/initramfs-vm2.cpio.gz,addr=$(printf '0x%x' $((base + MULTI_INITRD_OFF))),force-raw=on"
           -device "loader,file=$kdir/multi.cfg,addr=$BOOT_CONFIG_ADDR,force-raw=on")
  if [ -n "$fw" ]; then
    # TF-A starts the port (BL33); OP-TEE's log on the second UART.
    cmd=(qemu-system-aarch64 -M "$FW_MACHINE" -cpu "$FW_CPU" -smp "$n" -m "$FW_MEM"
         -nographic -nodefaults -monitor none -net none -no-reboot
         -serial stdio -serial "file:$3" -bios "$(fw_bios "$fw")"
         -dtb "$kdir/guest-multi-$fw-vm1.dtb" -device "loader,file=$hyp_smc" "${loaders[@]}")
  else
    cmd=(qemu-system-aarch64 -M "$MACHINE" -cpu cortex-a57 -smp "$n" -m "$MEM" -nographic
         -nodefaults -serial stdio -monitor none -net none -no-reboot
         -kernel "$hyp" -dtb "$kdir/guest-multi-vm1.dtb" "${loaders[@]}")
  fi
}

# Splits the console per guest: VM N's lines carry "[vmN] " (the port's
# emulated PL011s); the port's own lines go with VM 1's.
multi_split() { # log
  local all=$1
  tr -d '\r' <"$all" | sed -n -e 's/^\[vm1\] //p' -e '/^\[vm[0-9]*\] /!p' >"${all%-smp*}-vm1.log"
  tr -d '\r' <"$all" | sed -n 's/^\[vm2\] //p' >"${all%-smp*}-vm2.log"
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
  local ver=$1 n=$2 drv=1.0 whole=$log g
  [ "$ver" = 6.1 ] || drv=1.2
  multi_split "$whole"
  check boot "the port read the boot configuration (2 guests)" 'ffamed-el2: boot configuration: 2 guest\(s\)'
  check boot "VM 1 has an emulated PL011" 'ffamed-el2: VM 1: CPUs 0-1, .*console emulated PL011'
  check boot "VM 2 has an emulated PL011" 'ffamed-el2: VM 2: CPUs 2-3, .*console emulated PL011'
  check boot "no guest line split by another's" '.\[vm[0-9]+\] ' absent
  check boot "no EL2 panic" 'ffamed-el2: PANIC' absent
  for g in 1 2; do
    log=${whole%-smp*}-vm$g.log label="$ver multi vm$g"
    check boot "Linux runs on 2 CPUs" 'e2e: init running on Linux .*, 2 CPU\(s\)'
    check boot "its own identity (ffamed.vm=$g)" "Kernel command line: .*ffamed\.vm=$g"
    check boot "ARM FF-A: Driver version $drv" "ARM FF-A: Driver version $drv"
    check boot "optee: initialized driver" 'optee: initialized driver'
    check boot "/dev/tee0 used (version, shared memory)" 'tee-probe: shared memory freed'
    check boot "no arm_ffa error lines" '(ARM FF-A|arm_ffa|arm-ffa).*([Ee]rror|[Ff]ail|[Ii]ncompatible|[Ii]nvalid|No partitions|not supported)' absent
    check boot "no optee error lines" 'optee: .*([Ee]rror|[Ff]ail|Unexpected|[Ii]ncompatible|[Ii]nvalid)' absent
    check boot "guest powered off" 'e2e: powering off'
    if [ "${FFAMED_E2E_MULTI_DENY:-0}" = 0 ]; then
      check boot "the FF-A peer test module found VM $((3 - g)) and finished" "ffa-peer-test: RESULT peer=0x000$((3 - g)) done"
    else
      check boot "the denied peer is not found" 'ffa-peer-test: RESULT peer=none'
      # DENIED (-6); a v1.0 guest (6.1) is refused notifications altogether.
      local code=-6; [ "$ver" = 6.1 ] && code='-[0-9]+'
      check boot "the denied peer: hidden from discovery, notification bind refused" \
        "ffa-peer-test: deny id=0x000$((3 - g)) discovery=hidden bind=refused\\($code\\)"
    fi
  done
  log=$whole label="$ver $cfg"
  [ "$ver" = 6.1 ] || [ "${FFAMED_E2E_MULTI_DENY:-0}" != 0 ] ||
    peer_counts "${whole%-smp*}-vm1.log" "${whole%-smp*}-vm2.log"
  if [ "$cfg" = multi-nsvirt ]; then
    log=$slog allow=$SECURE_KNOWN
    check boot "no OP-TEE error line in the secure log but the known ones" '^E/TC' absent
    allow=
    check boot "OP-TEE added guest 1 (VM_CREATED)" 'I/TC: Added guest 1[[:space:]]*$'
    check boot "OP-TEE added guest 2 (VM_CREATED)" 'I/TC: Added guest 2[[:space:]]*$'
    check boot "OP-TEE removed guest 1 (VM_DESTROYED)" 'I/TC: Removing guest 1[[:space:]]*$'
    check boot "OP-TEE removed guest 2 (VM_DESTROYED)" 'I/TC: Removing guest 2[[:space:]]*$'
    log=$whole
  fi
  check boot "VM 1 torn down at its power-off" 'ffamed-el2: VM 1 powered off, destroyed'
  check boot "VM 2 torn down at its power-off" 'ffamed-el2: VM 2 powered off, destroyed'
  check boot "teardown gave back every byte (heap as at boot)" 'ffamed-el2: teardown of every VM, .*heap clean'
  check boot "MEM_SHARE from VM 2 (its CPUs are 2-3 in the trace)" 'ffamed: vCPU [23] FFA_MEM_SHARE_(32|64)\(.*-> FFA_SUCCESS'
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
      multi) boot "$ver" multi 4 || exit 1 ;;
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
