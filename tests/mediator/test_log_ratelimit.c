/* SPDX-License-Identifier: MIT */
/*
 * Guest-triggered log messages are rate-limited: a guest flooding a bad
 * call gets at most the burst per window logged, and when messages flow
 * again the mediator says how many it dropped.
 */
#include "med_fixture.h"

/* Mirrors the mediator's limits (src/mediator/med_internal.h). */
#define BURST	  10
#define WINDOW_NS 1000000000ull

static _Atomic uint64_t fake_clock;

static uint64_t fake_now(void *host)
{
	(void)host;
	return atomic_load(&fake_clock);
}

/* A call from a vCPU the VM does not have: a guest-triggered warning. */
static void bad_vcpu_call(struct fix_vm *v)
{
	struct ffamed_regs r = fix_call(v, 7, FFA_ID_GET, 0, 0, 0, 0, 0);

	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
}

static void flood_is_capped(void **state)
{
	struct fix *fix = fix_create(NULL);
	struct fix_vm *v = fix_vm(fix, 1, 1);
	int base;

	(void)state;
	atomic_store(&fake_clock, 5 * WINDOW_NS);
	fix->ops.now_ns = fake_now;
	base = atomic_load(&fix->log_count[FFAMED_LOG_WARN]);
	for (int i = 0; i < 1000; i++)
		bad_vcpu_call(v);
	assert_int_equal(atomic_load(&fix->log_count[FFAMED_LOG_WARN]) - base, BURST);

	/* Next window: the drop count, then the message itself. */
	atomic_fetch_add(&fake_clock, WINDOW_NS);
	bad_vcpu_call(v);
	assert_int_equal(atomic_load(&fix->log_count[FFAMED_LOG_WARN]) - base, BURST + 2);
	/* Calls that succeed never count against the limit. */
	fix_negotiate(v, FFA_VERSION_1_2);
	for (int i = 0; i < BURST - 1; i++)
		bad_vcpu_call(v);
	assert_int_equal(atomic_load(&fix->log_count[FFAMED_LOG_WARN]) - base, 2 * BURST + 1);
	bad_vcpu_call(v);
	assert_int_equal(atomic_load(&fix->log_count[FFAMED_LOG_WARN]) - base, 2 * BURST + 1);

	fix->ops.now_ns = NULL;
	fix_vm_destroy(v);
	fix_destroy(fix);
}

/* Without a host clock, windows are counted in attempts instead. */
static void flood_without_clock_is_capped(void **state)
{
	struct fix *fix = fix_create(NULL);
	struct fix_vm *v = fix_vm(fix, 1, 1);
	int base = atomic_load(&fix->log_count[FFAMED_LOG_WARN]);
	int logged;

	(void)state;
	for (int i = 0; i < 5000; i++)
		bad_vcpu_call(v);
	logged = atomic_load(&fix->log_count[FFAMED_LOG_WARN]) - base;
	/* 5 windows of 1000 attempts: a burst each, plus the drop reports. */
	assert_true(logged >= BURST && logged <= 6 * (BURST + 1));
	fix_vm_destroy(v);
	fix_destroy(fix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(flood_is_capped),
		cmocka_unit_test(flood_without_clock_is_capped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
