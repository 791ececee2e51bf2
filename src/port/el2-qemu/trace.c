/* SPDX-License-Identifier: MIT */
/*
 * The port's trace of the FF-A calls it hands to the mediator: one console
 * line per call (what the guest asked, what ffamed answered), for the first
 * TRACE_LINES_PER_OUTCOME successes and errors of each function, and a
 * count per function for the summary printed at power-off.
 * scripts/linux-e2e.sh reads both. The cap keeps the console off the hot
 * path: a line costs about a hundred trapped UART accesses, several times
 * what the mediator spends on the call itself (docs/REAL-FIRMWARE.md).
 */
#include <stdatomic.h>

#include "el2.h"
#include "el2_trace.h"
#include "ffamed/ffa_names.h"

#define NAME_ROW(fid, since, handler) {fid, #fid},
static const struct {
	uint32_t fid;
	const char *name;
} names[] = {FFA_FID_LIST(NAME_ROW)};
#undef NAME_ROW
#define NNAMES (sizeof(names) / sizeof(names[0]))

#define TRACE_LINES_PER_OUTCOME 64

static _Atomic uint32_t counts[NNAMES];
static _Atomic uint32_t outcomes[NNAMES][2]; /* [0] answered with success, [1] with an error */
static _Atomic uint32_t other_calls;
static _Atomic uint32_t unprinted;

static int name_index(uint32_t fid)
{
	for (size_t i = 0; i < NNAMES; i++)
		if (names[i].fid == fid)
			return (int)i;
	return -1;
}

static const char *error_name(int32_t e)
{
	switch (e) {
#define ERROR_CASE(code, name)                                                                     \
	case code:                                                                                 \
		return #name;
		FFA_ERROR_LIST(ERROR_CASE)
#undef ERROR_CASE
	default:
		return "?";
	}
}

void trace_call(uint32_t vcpu, const struct ffamed_regs *in, const struct ffamed_regs *out)
{
	uint32_t fid = (uint32_t)in->x[0];
	uint32_t ret = (uint32_t)out->x[0];
	int i = name_index(fid), r = name_index(ret);
	char what[24], result[64];
	uint32_t seen;

	if (i >= 0) {
		atomic_fetch_add(&counts[i], 1);
		seen = atomic_fetch_add(&outcomes[i][ret == FFA_ERROR], 1);
	} else {
		seen = atomic_fetch_add(&other_calls, 1);
	}
	if (seen >= TRACE_LINES_PER_OUTCOME) {
		atomic_fetch_add(&unprinted, 1);
		return;
	}
	if (i < 0)
		el2_vsnprintf_va(what, sizeof(what), "FID %x", fid);
	if (ret == FFA_ERROR)
		el2_vsnprintf_va(result, sizeof(result), "FFA_ERROR %s",
				 error_name((int32_t)(uint32_t)out->x[2]));
	else if (fid == FFA_VERSION)
		el2_vsnprintf_va(result, sizeof(result), "%x", ret);
	else if (r >= 0)
		el2_vsnprintf_va(result, sizeof(result), "%s [%lx, %lx]", names[r].name,
				 (unsigned long)out->x[2], (unsigned long)out->x[3]);
	else
		el2_vsnprintf_va(result, sizeof(result), "%x", ret);
	el2_printf("ffamed: vCPU %u %s(%lx, %lx, %lx, %lx) -> %s\n", (unsigned)vcpu,
		   i >= 0 ? names[i].name : what, (unsigned long)in->x[1], (unsigned long)in->x[2],
		   (unsigned long)in->x[3], (unsigned long)in->x[4], result);
}

void trace_summary(void)
{
	el2_printf("ffamed: calls served:");
	for (size_t i = 0; i < NNAMES; i++) {
		uint32_t n = atomic_load(&counts[i]);
		if (n)
			el2_printf(" %s=%u", names[i].name, (unsigned)n);
	}
	el2_printf(" other=%u\n", (unsigned)atomic_load(&other_calls));
	el2_printf("ffamed: calls not traced: %u (%u lines per function and outcome at most)\n",
		   (unsigned)atomic_load(&unprinted), (unsigned)TRACE_LINES_PER_OUTCOME);
}
