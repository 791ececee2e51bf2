/* SPDX-License-Identifier: MIT */
/*
 * The result checks of `ffamed sim`: what a guest call returned against
 * what had to come back, and system-level counts against their expected
 * values. Every mismatch is counted (per VM or for the system) and the
 * first ones are kept for the report. The base of the workload: every
 * other file checks through here, and nothing here calls them.
 */
#include <stdarg.h>
#include <stdio.h>

#include "workload.h"

void workload_unexpected(struct workload *run, struct workload_vm *vm, const char *fmt, ...)
{
	va_list ap;

	if (vm)
		atomic_fetch_add(&vm->unexpected, 1);
	else
		atomic_fetch_add(&run->sys_unexpected, 1);
	pthread_mutex_lock(&run->errors_lock);
	if (run->error_count < WORKLOAD_MAX_ERRORS) {
		va_start(ap, fmt);
		vsnprintf(run->errors[run->error_count], WORKLOAD_MSG_LEN, fmt, ap);
		va_end(ap);
	}
	run->error_count++;
	pthread_mutex_unlock(&run->errors_lock);
}

uint64_t workload_unexpected_total(const struct workload *run)
{
	uint64_t n = atomic_load(&run->sys_unexpected);

	for (uint32_t i = 0; i < run->opt.vms; i++)
		n += atomic_load(&run->vms[i].unexpected);
	return n;
}

void workload_expect(struct workload *run, const char *what, uint64_t got, uint64_t want)
{
	if (got != want)
		workload_unexpected(run, NULL, "system: %s: %llu, expected %llu", what,
				    (unsigned long long)got, (unsigned long long)want);
}

static const char *err_name(int32_t err, char *buf, size_t len)
{
	const char *name = ffamed_sim_error_name(err);

	if (name)
		return name;
	snprintf(buf, len, "%d", (int)err);
	return buf;
}

void guest_fail(struct guest *g, const char *fmt, ...)
{
	char msg[WORKLOAD_MSG_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (g->in_setup)
		workload_unexpected(g->run, g->vm, "VM %u vCPU %u setup: %s", (unsigned)g->vm->id,
				    (unsigned)g->vcpu, msg);
	else
		workload_unexpected(g->run, g->vm, "VM %u vCPU %u iteration %u: %s",
				    (unsigned)g->vm->id, (unsigned)g->vcpu, (unsigned)g->iter, msg);
}

/* Checks made in an interrupt handler are counted apart: how many
 * interrupts a guest takes depends on timing (they coalesce). */
static void count_check(struct guest *g)
{
	atomic_fetch_add(&g->vm->checks, 1);
	if (g->conduit.on_interrupt)
		atomic_fetch_add(&g->vm->checks_on_interrupt, 1);
}

/* The call returned `got`; `want` had to come (OK, or an expected refusal). */
bool guest_expect_ret(struct guest *g, const char *what, int32_t got, int32_t want)
{
	char b1[16], b2[16];

	if (got == want) {
		if (want == FFA_RET_OK)
			count_check(g);
		else
			atomic_fetch_add(&g->vm->expected_refusals, 1);
		return true;
	}
	guest_fail(g, "%s: %s, expected %s", what, err_name(got, b1, sizeof(b1)),
		   err_name(want, b2, sizeof(b2)));
	return false;
}

bool guest_expect_u64(struct guest *g, const char *what, uint64_t got, uint64_t want)
{
	if (got == want) {
		count_check(g);
		return true;
	}
	guest_fail(g, "%s: 0x%llx, expected 0x%llx", what, (unsigned long long)got,
		   (unsigned long long)want);
	return false;
}
