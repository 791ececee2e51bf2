/* SPDX-License-Identifier: MIT */
/*
 * The register file of one FF-A call, the only FF-A type the mediator and
 * porting APIs use. It lives apart from ffamed/ffa.h so that a hypervisor
 * with its own FF-A definitions can include ffamed/mediator.h and
 * ffamed/port.h without name clashes.
 */
#ifndef FFAMED_REGS_H
#define FFAMED_REGS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* x0..x17 of an SMCCC v1.2 call; the same struct carries arguments in and
 * results out. 32-bit callers use only the low words of x0..x7. */
#define FFAMED_NREGS 18
struct ffamed_regs {
	uint64_t x[FFAMED_NREGS];
};

#ifdef __cplusplus
}
#endif

#endif /* FFAMED_REGS_H */
