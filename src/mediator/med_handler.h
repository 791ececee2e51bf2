/* SPDX-License-Identifier: MIT */
/*
 * The handler contract: what every med_handle_<name>() (the handler column
 * of ffamed/ffa_names.h) takes and returns.
 *
 * A handler gets the call (struct med_call) and returns a med_status:
 *   FFA_RET_OK   it wrote the whole reply into call->regs (FFA_SUCCESS, or
 *                an answer relayed from the SPMC, FFA_ERROR included);
 *   < 0          the mediator refuses with that FF-A error code: the
 *                dispatcher alone writes FFA_ERROR (med_core.c);
 *   MED_BLOCKED  the call waits for another vCPU and is answered through
 *                the port's vcpu_resume (docs/MESSAGING.md).
 *
 * A refusal goes through MED_REFUSE (return now) or MED_REFUSAL (an
 * expression, for a handler that must unwind first): both record which check
 * refused, as "file.c:line: reason", for the rate-limited debug log and the
 * trace (struct ffamed_trace_rec.refusal), so that a user can ask why a call
 * was DENIED. docs/ADDING-AN-ABI.md shows the shape of a handler.
 */
#ifndef FFAMED_MED_HANDLER_H
#define FFAMED_MED_HANDLER_H

#include <stdint.h>

#include "ffamed/ffa_names.h"
#include "ffamed/mediator.h"

typedef int32_t med_status;

/* The call waits: no reply in regs yet. FF-A codes are <= 0. */
#define MED_BLOCKED ((med_status)1)

struct med_call {
	struct ffamed_vm *vm;
	struct ffamed_regs *regs;
	uint32_t version; /* the caller's negotiated FF-A version */
	uint32_t fid;	  /* SVE hint masked */
	uint16_t vcpu;
	const char *refusal; /* "file.c:line: reason" of the check that refused, or NULL */
};

/* Records `site_reason` (directory dropped) in the call and logs it at
 * debug level, rate-limited. Out of line and cold: refusals are off the
 * served path. */
__attribute__((cold)) void med_refuse_record(struct med_call *call, med_status status,
					     const char *site_reason);

/* Inline, so that callers (and the static analysers) see that the value is
 * `status` itself. */
static inline med_status med_refuse(struct med_call *call, med_status status,
				    const char *site_reason)
{
	med_refuse_record(call, status, site_reason);
	return status;
}

#define MED_STR_(x) #x
#define MED_STR(x)  MED_STR_(x)
/* The refusal as an expression: its value is `status`. */
#define MED_REFUSAL(call, status, reason)                                                          \
	med_refuse((call), (status), __FILE__ ":" MED_STR(__LINE__) ": " reason)
/* Refuses the call: returns `status` from the handler. */
#define MED_REFUSE(call, status, reason) return MED_REFUSAL(call, status, reason)

/* Every handler of the table, declared from it. */
#define MED_DECLARE_HANDLER(name, since, handler)                                                  \
	med_status med_handle_##handler(struct med_call *call);
FFA_FID_LIST(MED_DECLARE_HANDLER)
#undef MED_DECLARE_HANDLER

#endif /* FFAMED_MED_HANDLER_H */
