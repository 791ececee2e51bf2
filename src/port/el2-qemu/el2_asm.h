/* SPDX-License-Identifier: MIT */
/* Constants shared by the assembly and the C of the EL2 port. */
#ifndef EL2_ASM_H
#define EL2_ASM_H

#define EL2_MAX_CPUS	 8
#define EL2_STACK_SHIFT	 14    /* 16 KiB of EL2 stack per CPU */
#define EL2_FRAME_SIZE	 272   /* struct el2_frame */
#define SPSR_EL1H_MASKED 0x3c5 /* EL1h, D A I F masked */

/* Which vector was taken (second argument of el2_handle_exception). */
#define EL2_EXC_CUR_SP0	     0
#define EL2_EXC_CUR_SYNC     1
#define EL2_EXC_CUR_IRQ	     2
#define EL2_EXC_GUEST_SYNC   3
#define EL2_EXC_GUEST_IRQ    4
#define EL2_EXC_GUEST_FIQ    5
#define EL2_EXC_GUEST_SERROR 6

#endif /* EL2_ASM_H */
