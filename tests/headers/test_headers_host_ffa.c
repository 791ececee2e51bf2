/* SPDX-License-Identifier: MIT */
/*
 * The public API headers coexist with a host's own FF-A definitions: this
 * file includes a header with the usual FF-A names first, then ffamed's,
 * and uses both. A clash fails the build; the checks below fail the test.
 */
#include <stdio.h>
#include <string.h>

#include "host_ffa.h"

#include "ffamed/mediator.h"
#include "ffamed/port.h"
#include "ffamed/version.h"

static int failures;

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "FAILED: %s\n", what);
		failures++;
	}
}

int main(void)
{
	struct ffa_regs host_regs = {0};
	struct ffamed_regs regs = {{0}};
	struct ffamed *med = NULL;
	struct ffamed_host_ops ops;

	/* The host's names keep their values. */
	ffa_set_error(&host_regs, FFA_RET_NOT_SUPPORTED);
	check(ffa_is_error(&host_regs), "the host's ffa_set_error");
	check(FFA_VERSION == 0x84000063u, "the host's FFA_VERSION");

	/* ffamed's: the same FF-A version under its own name. */
	check(FFAMED_FFA_VERSION <= FFA_VERSION_1_2, "FFAMED_FFA_VERSION");
	check(strcmp(ffamed_version(), FFAMED_VERSION_STRING) == 0, "ffamed_version()");
	regs.x[0] = FFA_VERSION;
	check(FFAMED_NREGS == 18 && regs.x[0] == 0x84000063u, "struct ffamed_regs");

	/* Incomplete ops are refused, and nothing is created. */
	memset(&ops, 0, sizeof(ops));
	check(ffamed_create(&ops, NULL, NULL, &med) == FFA_RET_INVALID_PARAMETERS,
	      "ffamed_create with no ops");
	printf("%d passed, %d failed\n", 5 - failures, failures);
	return failures != 0;
}
