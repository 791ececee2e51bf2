/* SPDX-License-Identifier: MIT */
/* Guest-triggered messages flooded from several vCPUs at once stay capped. */
#include <pthread.h>

#include "med_fixture.h"

#define BURST	10 /* src/mediator/med_internal.h MED_LOG_RL_BURST */
#define THREADS 4
#define CALLS	2000

static uint64_t fixed_now(void *host)
{
	(void)host;
	return 7000000000ull;
}

static void *flood(void *arg)
{
	struct fix_vm *v = arg;

	for (int i = 0; i < CALLS; i++) {
		struct ffamed_regs r = fix_call(v, 9, FFA_ID_GET, 0, 0, 0, 0, 0);

		if (r.x[0] != FFA_ERROR)
			return (void *)1;
	}
	return NULL;
}

static void concurrent_flood_is_capped(void **state)
{
	struct fix *fix = fix_create(NULL);
	struct fix_vm *v[THREADS];
	pthread_t th[THREADS];
	int base, logged;

	(void)state;
	fix->ops.now_ns = fixed_now;
	for (int i = 0; i < THREADS; i++)
		v[i] = fix_vm(fix, (uint16_t)(i + 1), 1);
	base = atomic_load(&fix->log_count[FFAMED_LOG_WARN]);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, flood, v[i]), 0);
	for (int i = 0; i < THREADS; i++) {
		void *ret;

		pthread_join(th[i], &ret);
		assert_null(ret);
	}
	logged = atomic_load(&fix->log_count[FFAMED_LOG_WARN]) - base;
	/* One window: the burst, give or take the racers that opened it. */
	assert_true(logged >= BURST && logged <= BURST + THREADS);
	fix->ops.now_ns = NULL;
	for (int i = 0; i < THREADS; i++)
		fix_vm_destroy(v[i]);
	fix_destroy(fix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(concurrent_flood_is_capped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
