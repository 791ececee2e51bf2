/* SPDX-License-Identifier: MIT */
#ifndef EL2_TRACE_H
#define EL2_TRACE_H

#include "ffamed/ffa.h"

/* trace.c: one line per FF-A call handed to the mediator, and the totals. */
void trace_call(uint32_t vcpu, const struct ffamed_regs *in, const struct ffamed_regs *out);
void trace_summary(void);

#endif /* EL2_TRACE_H */
