/* SPDX-License-Identifier: MIT */
/*
 * Entry points of the EL2 port: the boot CPU (QEMU starts the ELF at EL2,
 * MMU off), the secondaries (started through PSCI CPU_ON with their index in
 * x0), the EL2 exception vectors and the return to the guest.
 */
#include "el2_asm.h"

	.section .text.boot, "ax"
	.global _start
_start:
	msr	daifset, #0xf
	mrs	x0, mpidr_el1
	and	x0, x0, #0xff
	cbnz	x0, park		/* only CPU 0 boots; the rest come via CPU_ON */
	bl	set_stack
	/* Zero .bss (MMU off: Device memory, aligned 8-byte stores only). */
	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __bss_end
	add	x2, x2, :lo12:__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:	bl	set_stack
	bl	el2_boot_primary
park:	wfe
	b	park

	/* x0 = CPU index (the context ID we gave PSCI CPU_ON). */
	.global el2_secondary_entry
el2_secondary_entry:
	msr	daifset, #0xf
	mov	x19, x0
	cmp	x0, #EL2_MAX_CPUS
	b.hs	park
	bl	set_stack
	mov	x0, x19
	bl	el2_boot_secondary
	b	park

/* SP = top of the stack of CPU x0; clobbers x1, x2. */
set_stack:
	adrp	x1, el2_stacks
	add	x1, x1, :lo12:el2_stacks
	add	x2, x0, #1
	lsl	x2, x2, #EL2_STACK_SHIFT
	add	sp, x1, x2
	ret

/*
 * el2_enter_guest(entry, arg, stack_top): first entry of a vCPU into the
 * guest at EL1h, interrupts masked, x0 = arg. Never returns: the EL2 stack
 * restarts empty at stack_top for the traps to come.
 */
	.text
	.global el2_enter_guest
el2_enter_guest:
	mov	sp, x2
	msr	elr_el2, x0
	mov	x2, #SPSR_EL1H_MASKED
	msr	spsr_el2, x2
	mov	x0, x1
	mov	x1, xzr
	mov	x2, xzr
	mov	x3, xzr
	isb
	eret

/*
 * el2_smc(regs): an SMC from EL2 with x0..x7 from regs[0..7], the results
 * x0..x3 written back (PSCI: QEMU's, or TF-A's under real firmware).
 */
	.global el2_smc
el2_smc:
	stp	x29, x30, [sp, #-16]!
	str	x0, [sp, #-16]!
	mov	x8, x0
	ldp	x0, x1, [x8, #0]
	ldp	x2, x3, [x8, #16]
	ldp	x4, x5, [x8, #32]
	ldp	x6, x7, [x8, #48]
	smc	#0
	ldr	x8, [sp], #16
	stp	x0, x1, [x8, #0]
	stp	x2, x3, [x8, #16]
	ldp	x29, x30, [sp], #16
	ret

/*
 * el2_smc_1_2(regs): an SMCCC v1.2 SMC from EL2 with x0..x17 from regs[0..17]
 * and the results x0..x17 written back (the FF-A conduit to real firmware).
 * x18 (a temporary in the AAPCS64 for this target) holds regs; SMCCC v1.2
 * preserves x18..x30, the pointer is kept on the stack all the same.
 */
	.global el2_smc_1_2
el2_smc_1_2:
	stp	x29, x30, [sp, #-16]!
	str	x0, [sp, #-16]!
	mov	x18, x0
	ldp	x0, x1, [x18, #0]
	ldp	x2, x3, [x18, #16]
	ldp	x4, x5, [x18, #32]
	ldp	x6, x7, [x18, #48]
	ldp	x8, x9, [x18, #64]
	ldp	x10, x11, [x18, #80]
	ldp	x12, x13, [x18, #96]
	ldp	x14, x15, [x18, #112]
	ldp	x16, x17, [x18, #128]
	smc	#0
	ldr	x18, [sp], #16
	stp	x0, x1, [x18, #0]
	stp	x2, x3, [x18, #16]
	stp	x4, x5, [x18, #32]
	stp	x6, x7, [x18, #48]
	stp	x8, x9, [x18, #64]
	stp	x10, x11, [x18, #80]
	stp	x12, x13, [x18, #96]
	stp	x14, x15, [x18, #112]
	stp	x16, x17, [x18, #128]
	ldp	x29, x30, [sp], #16
	ret

/* ---- Exception vectors ------------------------------------------------------ */

/* Save x0..x30, ELR_EL2, SPSR_EL2 as a struct el2_frame on the stack. */
.macro	save_frame
	sub	sp, sp, #EL2_FRAME_SIZE
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	mrs	x0, elr_el2
	mrs	x1, spsr_el2
	stp	x30, x0, [sp, #240]
	str	x1, [sp, #256]
.endm

.macro	vector	kind
	.balign	0x80
	save_frame
	mov	x0, sp
	mov	x1, #\kind
	b	el2_exception
.endm

	.balign	0x800
	.global el2_vectors
el2_vectors:
	vector	EL2_EXC_CUR_SP0		/* current EL, SP_EL0: never used */
	vector	EL2_EXC_CUR_SP0
	vector	EL2_EXC_CUR_SP0
	vector	EL2_EXC_CUR_SP0
	vector	EL2_EXC_CUR_SYNC	/* current EL, SP_ELx: a fault in EL2 */
	vector	EL2_EXC_CUR_IRQ
	vector	EL2_EXC_CUR_SYNC
	vector	EL2_EXC_CUR_SYNC
	vector	EL2_EXC_GUEST_SYNC	/* lower EL, AArch64: the guest */
	vector	EL2_EXC_GUEST_IRQ
	vector	EL2_EXC_GUEST_FIQ
	vector	EL2_EXC_GUEST_SERROR
	vector	EL2_EXC_CUR_SYNC	/* lower EL, AArch32: not supported */
	vector	EL2_EXC_CUR_SYNC
	vector	EL2_EXC_CUR_SYNC
	vector	EL2_EXC_CUR_SYNC

el2_exception:
	bl	el2_handle_exception
	/* Back to where the exception came from, with the frame as left. */
	ldp	x30, x0, [sp, #240]
	ldr	x1, [sp, #256]
	msr	elr_el2, x0
	msr	spsr_el2, x1
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	add	sp, sp, #EL2_FRAME_SIZE
	eret
