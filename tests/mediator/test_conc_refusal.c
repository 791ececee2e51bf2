/* SPDX-License-Identifier: MIT */
/*
 * Refusals from several VMs at once: each trace record carries the reason
 * of its own call (the reason lives in the call, never in shared state),
 * and the debug lines stay within one window's burst.
 */
#include <pthread.h>
#include <string.h>

#include "med_fixture.h"

#define BURST	10 /* src/mediator/med_internal.h MED_LOG_RL_BURST */
#define THREADS 4
#define CALLS	1000

static _Atomic int records, mismatches, refusal_lines;

static void record(void *ctx, const struct ffamed_trace_rec *rec)
{
	const char *want = rec->fid == FFA_RXTX_UNMAP ? ": endpoint ID field not zero"
						      : ": RX not held by the guest";

	(void)ctx;
	atomic_fetch_add(&records, 1);
	if (!rec->refusal || !strstr(rec->refusal, want))
		atomic_fetch_add(&mismatches, 1);
}

static void count_vlog(void *ctx, enum ffamed_log_level level, const char *fmt, va_list ap)
{
	(void)ctx;
	(void)ap;
	if (level == FFAMED_LOG_DEBUG && strstr(fmt, " refused "))
		atomic_fetch_add(&refusal_lines, 1);
}

static uint64_t fixed_now(void *host)
{
	(void)host;
	return 3000000000ull;
}

static void *flood(void *arg)
{
	struct fix_vm *v = arg;

	for (int i = 0; i < CALLS; i++) {
		struct ffamed_regs r = i & 1 ? fix_call(v, 0, FFA_RXTX_UNMAP, 1, 0, 0, 0, 0)
					     : fix_call(v, 0, FFA_RX_RELEASE, 0, 0, 0, 0, 0);

		if (r.x[0] != FFA_ERROR)
			return (void *)1;
	}
	return NULL;
}

static void each_record_has_its_own_reason(void **state)
{
	struct fix *fix = fix_create(NULL);
	struct ffamed_tracer tracer = {.record = record};
	struct fix_vm *v[THREADS];
	pthread_t th[THREADS];
	int lines;

	(void)state;
	for (int i = 0; i < THREADS; i++) {
		v[i] = fix_vm(fix, (uint16_t)(i + 1), 1);
		fix_negotiate(v[i], FFA_VERSION_1_2);
	}
	fix->ops.now_ns = fixed_now;
	fix->ops.vlog = count_vlog;
	ffamed_set_tracer(fix->med, &tracer);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, flood, v[i]), 0);
	for (int i = 0; i < THREADS; i++) {
		void *ret;

		pthread_join(th[i], &ret);
		assert_null(ret);
	}
	ffamed_set_tracer(fix->med, NULL);
	assert_int_equal(atomic_load(&records), THREADS * CALLS);
	assert_int_equal(atomic_load(&mismatches), 0);
	/* One window: the burst, give or take the racers that opened it. */
	lines = atomic_load(&refusal_lines);
	assert_true(lines >= BURST && lines <= BURST + THREADS);

	fix->ops.now_ns = NULL;
	for (int i = 0; i < THREADS; i++)
		fix_vm_destroy(v[i]);
	fix_destroy(fix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_record_has_its_own_reason),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
