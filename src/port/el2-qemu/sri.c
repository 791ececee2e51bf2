/* SPDX-License-Identifier: MIT */
/*
 * The SPMC's Schedule Receiver Interrupt as the port sees it: a pending
 * flag, set by whoever learns of it (gic.c for the firmware's physical
 * SGI, fw_spmc.c for the software SPMC's callback) and taken by ffa.c when
 * a CPU leaves EL2, never inside a firmware call. Counted for the
 * power-off report.
 */
#include <stdatomic.h>

#include "el2.h"

static _Atomic uint32_t sri_pending;
static _Atomic uint32_t sri_raised, sri_handled;

void sri_raise(void)
{
	atomic_fetch_add(&sri_raised, 1);
	atomic_store(&sri_pending, 1);
}

bool sri_take(void)
{
	if (!atomic_exchange(&sri_pending, 0))
		return false;
	atomic_fetch_add(&sri_handled, 1);
	return true;
}

void sri_counts(uint32_t *raised, uint32_t *handled)
{
	*raised = atomic_load(&sri_raised);
	*handled = atomic_load(&sri_handled);
}
