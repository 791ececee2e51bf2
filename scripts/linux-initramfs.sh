#!/usr/bin/env bash
# Builds the guests' initramfs: busybox (static, arm64), tee-probe (static,
# cross-compiled from src/port/el2-qemu/guest/tee_probe.c) and an /init
# script that reports what the FF-A and OP-TEE drivers did and powers off.
#   usage: linux-initramfs.sh <busybox> <kernel source dir> <out.cpio.gz>
# The archive is made by the kernel's gen_init_cpio (built for the host), so
# /dev/console exists without root privileges.
# FFAMED_INITRAMFS_MODULE, if set, is the FF-A peer test module (.ko, from
# scripts/linux-module.sh): /init loads it with the ffa_peer_test.<param>=
# words of the kernel command line (docs/LINUX-GUESTS.md, "The peer test module").
# Variants (scripts/optee-xtest.sh) add to it; both unset gives the plain one:
#   FFAMED_INITRAMFS_LIST  a gen_init_cpio list fragment (files, dirs) added
#   FFAMED_INITRAMFS_RUN   a shell fragment /init runs after its checks,
#                          before it powers off
set -eu -o pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
busybox=$1 ksrc=$2 out=$3
test -x "$busybox" || { echo "linux-initramfs: no busybox at $busybox" >&2; exit 1; }
work=$(dirname "$out")/initramfs.d
rm -rf "$work" && mkdir -p "$work"
gcc -O2 -o "$work/gen_init_cpio" "$ksrc/usr/gen_init_cpio.c"
aarch64-linux-gnu-gcc -static -O2 -Wall -Wextra -Werror -o "$work/tee-probe" \
  "$root/src/port/el2-qemu/guest/tee_probe.c"

cat >"$work/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "e2e: init running on Linux $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPU(s)"
for d in /sys/bus/arm_ffa/devices/*; do
  [ -e "$d" ] && echo "e2e: FF-A device $(basename "$d") uuid $(cat "$d/uuid" 2>/dev/null)"
done
echo "e2e: kernel log, FF-A and OP-TEE lines:"
dmesg | grep -iE 'ffa|optee|tee' | sed 's/^/e2e-dmesg: /'
if [ -c /dev/tee0 ]; then
  echo "e2e: /dev/tee0 present"
  /bin/tee-probe /dev/tee0
else
  echo "e2e: /dev/tee0 missing"
fi
grep -iE 'ffa|npi|sri' /proc/interrupts | sed 's/^/e2e-irq: /'
if [ -f /lib/ffa_peer_test.ko ]; then
  # Module parameters from the command line (insmod does not read it).
  args=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^ffa_peer_test\.//p' | tr '\n' ' ')
  echo "e2e: loading ffa_peer_test $args"
  # shellcheck disable=SC2086
  insmod /lib/ffa_peer_test.ko $args && echo "e2e: ffa_peer_test done" ||
    echo "e2e: ffa_peer_test failed to load"
fi
INIT
if [ -n "${FFAMED_INITRAMFS_RUN:-}" ]; then cat "$FFAMED_INITRAMFS_RUN" >>"$work/init"; fi
cat >>"$work/init" <<'INIT'
# OP-TEE may notify later than this (the real one does it from its own
# interrupt, about a second after the driver enabled notifications): with
# an FF-A notification interrupt registered, wait for it, at most 3 s.
ffa_irq_taken() {
  awk '/ARM-FFA-(NPI|SRI)/ { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) if ($i > 0) t = 1 }
       END { exit !t }' /proc/interrupts
}
n=0
while [ $n -lt 3 ] && grep -qE 'ARM-FFA-(NPI|SRI)' /proc/interrupts && ! ffa_irq_taken; do
  sleep 1
  n=$((n + 1))
done
# Let the OP-TEE bottom half and any notification work finish.
sleep 1
grep -iE 'ffa|npi|sri' /proc/interrupts | sed 's/^/e2e-irq-late: /'
dmesg | grep -iE 'ffa|optee|tee' | sed 's/^/e2e-dmesg-late: /'
echo "e2e: powering off"
poweroff -f
INIT
cat >"$work/list" <<LIST
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
dir /bin 0755 0 0
dir /proc 0755 0 0
dir /sys 0755 0 0
dir /tmp 0755 0 0
file /bin/busybox $busybox 0755 0 0
file /bin/tee-probe $work/tee-probe 0755 0 0
file /init $work/init 0755 0 0
LIST
if [ -n "${FFAMED_INITRAMFS_MODULE:-}" ]; then
  { echo "dir /lib 0755 0 0"; echo "file /lib/ffa_peer_test.ko $FFAMED_INITRAMFS_MODULE 0644 0 0"; } >>"$work/list"
fi
if [ -n "${FFAMED_INITRAMFS_LIST:-}" ]; then cat "$FFAMED_INITRAMFS_LIST" >>"$work/list"; fi
"$work/gen_init_cpio" "$work/list" | gzip -9 >"$out"
