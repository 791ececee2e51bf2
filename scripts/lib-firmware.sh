# shellcheck shell=bash
# Sourced by the scripts that boot Linux over real TF-A + OP-TEE firmware
# (scripts/linux-e2e.sh, scripts/optee-xtest.sh). The facts behind each value
# are in docs/REAL-FIRMWARE.md ("The firmware images").
#
#   fw_available                      0 if the three images are in $FW_DIR, else
#                                     prints what is missing and returns 1
#   fw_bios nsvirt|plain|base         path of an image
#   fw_build_el2 [builddir]           builds both EL2 images (software SPMC and
#                                     SMC conduit); prints the directory holding
#                                     ffamed-el2.elf and ffamed-el2-smc.elf
#   fw_build_el2_smc [builddir]       builds the SMC-conduit image; prints its path
#   fw_guest_dtb out.dtb smp initrd [hyp]
#                                     the guest's DT for that -smp: QEMU's own
#                                     (secure=on), /chosen (bootargs, initrd at
#                                     $FW_INITRD_ADDR) and, with "hyp", the EL2
#                                     port's RAM reserved
#   fw_qemu_cmd bios dtb smp image initrd [hyp.elf]
#                                     sets the array FW_QEMU to the QEMU command:
#                                     UART0 (TF-A, EL2, Linux) on stdout, UART1
#                                     (OP-TEE) to $FW_SECURE_LOG (default
#                                     /dev/null); the Image is BL33 itself when no
#                                     hyp.elf is given (use the "base" image)
#
# Settings: FFAMED_FIRMWARE (default <repo>/../shared/firmware), FFAMED_BOOTARGS.

fw_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FW_DIR=${FFAMED_FIRMWARE:-$fw_root/../shared/firmware}
FW_MACHINE=virt,secure=on,virtualization=on,gic-version=3,acpi=off
# SME off: TF-A is built with SME disabled for both worlds, and hangs after
# the hand-over to BL33 on a CPU that has it.
FW_CPU=max,sme=off,pauth-impdef=on
FW_MEM=512M
# Must agree with src/port/el2-qemu/platform.h and the images' BL33 entries.
FW_KERNEL_ADDR=0x40200000
FW_INITRD_ADDR=0x48000000
FW_HYP_BASE=0x5e000000
FW_HYP_SIZE=0x2000000
FW_BOOTARGS=${FFAMED_BOOTARGS:-console=ttyAMA0 earlycon=pl011,0x9000000 rdinit=/init panic=-1 loglevel=7}

fw_bios() {
  case $1 in
    nsvirt) echo "$FW_DIR/tfa-optee-nsvirt-bl33-5e000000.bios" ;;
    plain) echo "$FW_DIR/tfa-optee-plain-bl33-5e000000.bios" ;;
    base) echo "$FW_DIR/tfa-optee-plain-bl33-40200000.bios" ;;
    *) echo "fw_bios: unknown image $1" >&2; return 1 ;;
  esac
}

fw_available() {
  local v missing=0
  for v in nsvirt plain base; do
    [ -r "$(fw_bios "$v")" ] || { echo "missing: $(fw_bios "$v")"; missing=1; }
  done
  return $missing
}

fw_build_el2() {
  local b=${1:-$fw_root/build-el2}
  cmake -S "$fw_root" -B "$b" -DFFAMED_BUILD_TESTS=OFF -DFFAMED_EL2_FIRMWARE=both \
    -DCMAKE_TOOLCHAIN_FILE="$fw_root/cmake/toolchain-aarch64-linux-gnu.cmake" >/dev/null || return 1
  cmake --build "$b" --target ffamed-el2.elf ffamed-el2-smc.elf -j"${FFAMED_JOBS:-$(nproc)}" 2>&1 |
    grep -vE '^\[ *[0-9]+%\]' >&2
  [ "${PIPESTATUS[0]}" = 0 ] || return 1
  echo "$b/src/port/el2-qemu"
}

fw_build_el2_smc() {
  local d
  d=$(fw_build_el2 "$@") || return 1
  echo "$d/ffamed-el2-smc.elf"
}

fw_guest_dtb() {
  local out=$1 smp=$2 initrd=$3 hyp=${4:-} isize base
  isize=$(stat -c %s "$initrd") || return 1
  base=${out%.dtb}
  qemu-system-aarch64 -M "$FW_MACHINE,dumpdtb=$base.qemu.dtb" -cpu "$FW_CPU" -smp "$smp" \
    -m "$FW_MEM" -nographic -nodefaults -bios "$(fw_bios base)" >/dev/null 2>&1
  [ -s "$base.qemu.dtb" ] || { echo "fw_guest_dtb: QEMU did not dump its DT" >&2; return 1; }
  { dtc -q -I dtb -O dts "$base.qemu.dtb"
    echo "/ {"
    if [ "$hyp" = hyp ]; then
      cat <<DTS
	reserved-memory {
		#address-cells = <2>;
		#size-cells = <2>;
		ranges;
		ffamed-el2@${FW_HYP_BASE#0x} {
			reg = <0x0 $FW_HYP_BASE 0x0 $FW_HYP_SIZE>;
			no-map;
		};
	};
DTS
    fi
    cat <<DTS
	chosen {
		bootargs = "$FW_BOOTARGS";
		linux,initrd-start = <0x0 $FW_INITRD_ADDR>;
		linux,initrd-end = <0x0 $(printf '0x%x' $((FW_INITRD_ADDR + isize)))>;
	};
};
DTS
  } >"$base.dts"
  # Packed: QEMU's unpacked 1 MiB tree would overlap the Image.
  dtc -q -I dts -O dtb -o "$out" "$base.dts"
}

fw_qemu_cmd() {
  local bios=$1 dtb=$2 smp=$3 image=$4 initrd=$5 hyp=${6:-}
  FW_QEMU=(qemu-system-aarch64 -M "$FW_MACHINE" -cpu "$FW_CPU" -smp "$smp" -m "$FW_MEM"
           -nographic -nodefaults -monitor none -net none -no-reboot
           -serial stdio -serial "file:${FW_SECURE_LOG:-/dev/null}"
           -bios "$bios" -dtb "$dtb")
  [ -z "$hyp" ] || FW_QEMU+=(-device "loader,file=$hyp")
  FW_QEMU+=(-device "loader,file=$image,addr=$FW_KERNEL_ADDR,force-raw=on"
            -device "loader,file=$initrd,addr=$FW_INITRD_ADDR,force-raw=on")
}
