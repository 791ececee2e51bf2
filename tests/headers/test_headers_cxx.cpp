// SPDX-License-Identifier: MIT
// The public headers from C++: they compile as C++ and declare the API with C
// linkage (a missing extern "C" fails the link against the C library).
// client.h, sim.h and sp_builtin.h use C11 atomics and are C only.
#include <cstdio>
#include <cstring>

#include "ffamed/config.h"
#include "ffamed/export.h"
#include "ffamed/ffa.h"
#include "ffamed/ffa_regs.h"
#include "ffamed/mediator.h"
#include "ffamed/port.h"
#include "ffamed/port_posix.h"
#include "ffamed/regs.h"
#include "ffamed/spmc.h"
#include "ffamed/trace.h"
#include "ffamed/version.h"

static_assert(sizeof(struct ffamed_lock) == FFAMED_LOCK_SIZE, "ffamed_lock size");
static_assert(alignof(struct ffamed_lock) == 16, "ffamed_lock alignment");

int main()
{
	int failures = 0;
	struct ffamed_host_ops ops;
	struct ffamed *med = nullptr;
	struct ffamed_regs regs;

	std::memset(&ops, 0, sizeof(ops));
	if (std::strcmp(ffamed_version(), FFAMED_VERSION_STRING) != 0)
		failures++;
	if (ffamed_create(&ops, nullptr, nullptr, &med) != FFA_RET_INVALID_PARAMETERS ||
	    med != nullptr)
		failures++;
	ffa_regs_clear(&regs);
	ffa_set_error(&regs, FFA_RET_NOT_SUPPORTED);
	if (ffa_result(&regs) != FFA_RET_NOT_SUPPORTED)
		failures++;
	std::printf("%d passed, %d failed\n", 3 - failures, failures);
	return failures != 0;
}
