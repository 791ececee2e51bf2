/* SPDX-License-Identifier: MIT */
/*
 * The machine: QEMU -M virt,virtualization=on,gic-version=3 -m 512M (with
 * secure=on under real firmware, which changes none of these). The
 * hypervisor owns the top 32 MiB of RAM; the guest is told (by the DT that
 * scripts/linux-e2e.sh writes) that its RAM ends where the hypervisor starts.
 * The addresses below and that script must agree.
 */
#ifndef EL2_PLATFORM_H
#define EL2_PLATFORM_H

#define RAM_BASE       0x40000000ull
#define RAM_END	       0x60000000ull /* -m 512M */
#define HYP_BASE       0x5E000000ull /* linker script: where the image is loaded */
#define GUEST_RAM_BASE RAM_BASE
#define GUEST_RAM_END  HYP_BASE
#define GUEST_DTB      0x40000000ull /* QEMU puts the -dtb at the RAM base */
#define GUEST_KERNEL   0x40200000ull /* the Image, loaded by -device loader */
/* The boot configuration (boot_config.h), text loaded by -device loader in
 * the hypervisor's RAM, above its heap; absent (a NUL first), one guest
 * has every CPU and the whole guest RAM. */
#define BOOT_CONFIG_ADDR 0x5FFF0000ull
#define BOOT_CONFIG_SIZE 0x10000ull

#define UART_BASE   0x09000000ull /* PL011 */
#define GICD_BASE   0x08000000ull
#define GICD_SIZE   0x10000ull
#define GICR_BASE   0x080A0000ull /* one redistributor per CPU, in CPU order */
#define GICR_STRIDE 0x20000ull	  /* RD_base frame + SGI_base frame */
#define MMIO_END    0x40000000ull /* everything below RAM is devices */

#endif /* EL2_PLATFORM_H */
