/* SPDX-License-Identifier: MIT */
/* The OP-TEE SP on several CPUs at once (FX_MP_CTX contexts): yielding calls
 * answered through shared memory, each CPU with its own arg, while other
 * VMs bind and enable their notifications and collect them. Exact counts. */
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "spmc_fixture.h"

#define ITERS	 400
#define ARG_PAGE 9u

struct worker {
	struct fx *f;
	uint32_t cpu;
	pthread_t thread;
	uint64_t answered, wrong, notif_got;
};

/* Handle = the sender VM; its args live in ARG_PAGE at 256 * sender. */
static void *map_arg(void *ctx, struct ffamed_sp *sp, uint16_t sender, uint64_t handle,
		     uint64_t offset, size_t len)
{
	struct fx *f = ctx;

	(void)sp;
	if (handle != sender || offset != 0 || len > 256 || sender >= FX_PAGE / 256)
		return NULL;
	return (uint8_t *)fx_va(f, fx_pa(ARG_PAGE)) + 256u * sender;
}

static uint32_t le32(const volatile uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static void *worker_main(void *p)
{
	struct worker *w = p;
	const uint16_t vm = (uint16_t)(w->cpu + 1);
	volatile uint8_t *arg = (uint8_t *)fx_va(w->f, fx_pa(ARG_PAGE)) + 256u * vm;

	for (uint32_t i = 0; i < ITERS; i++) {
		/* Alternate OPEN_SESSION (not found) and DO_BOTTOM_HALF (ok). */
		uint32_t cmd = (i & 1) ? 6 : 0;
		arg[0] = (uint8_t)cmd;
		arg[20] = 0x55;
		struct ffamed_regs r = fx_call(w->f, w->cpu, FFA_MSG_SEND_DIRECT_REQ_32,
					       FFA_SENDER_RECEIVER(vm, FX_OPTEE), 0,
					       FFAMED_OPTEE_YIELDING_CALL_WITH_ARG, vm, 0, 0, 0);
		uint32_t want = cmd ? FFAMED_TEEC_SUCCESS : FFAMED_TEEC_ERROR_ITEM_NOT_FOUND;
		if (r.x[0] == FFA_MSG_SEND_DIRECT_RESP_32 && r.x[3] == 0 &&
		    le32(arg + FFAMED_OPTEE_MSG_ARG_RET) == want)
			w->answered++;
		else
			w->wrong++;
		if (i % 100 == 0) {
			r = fx_call(w->f, w->cpu, FFA_MSG_SEND_DIRECT_REQ_32,
				    FFA_SENDER_RECEIVER(vm, FX_OPTEE), 0,
				    FFAMED_OPTEE_ENABLE_ASYNC_NOTIF, 1, 0, 0, 0);
			if (r.x[3] != 0)
				w->wrong++;
			r = fx_call(w->f, w->cpu, FFA_NOTIFICATION_GET, vm, 1, 0, 0, 0, 0, 0);
			if (ffa_is_success(&r) && r.x[2] == 2)
				w->notif_got++;
			else
				w->wrong++;
		}
	}
	return NULL;
}

static void test_conc_optee(void **state)
{
	struct fx *f = *state;
	const struct ffamed_sp_optee_mem mem = {f, map_arg, NULL};
	struct worker w[FX_MP_CTX];
	uint64_t answered = 0, got = 0;

	ffamed_sp_optee_set_mem(&f->optee, &mem);
	for (uint32_t c = 0; c < FX_MP_CTX; c++) {
		const uint16_t vm = (uint16_t)(c + 1);
		struct ffamed_regs r =
			fx_call(f, 0, FFA_NOTIFICATION_BITMAP_CREATE, vm, 1, 0, 0, 0, 0, 0);
		fx_assert_success(&r);
		r = fx_call(f, 0, FFA_NOTIFICATION_BIND, ((uint32_t)FX_OPTEE << 16) | vm, 0,
			    1u << 1, 0, 0, 0, 0);
		fx_assert_success(&r);
	}
	for (uint32_t c = 0; c < FX_MP_CTX; c++) {
		w[c] = (struct worker){.f = f, .cpu = c};
		assert_int_equal(pthread_create(&w[c].thread, NULL, worker_main, &w[c]), 0);
	}
	for (uint32_t c = 0; c < FX_MP_CTX; c++) {
		pthread_join(w[c].thread, NULL);
		assert_int_equal(w[c].wrong, 0);
		answered += w[c].answered;
		got += w[c].notif_got;
	}
	assert_int_equal(answered, (uint64_t)FX_MP_CTX * ITERS);
	assert_int_equal(atomic_load(&f->optee.args_answered), (uint64_t)FX_MP_CTX * ITERS);
	assert_int_equal(got, (uint64_t)FX_MP_CTX * (ITERS / 100));
	assert_int_equal(atomic_load(&f->optee.notifs_set), (uint64_t)FX_MP_CTX * (ITERS / 100));
	assert_int_equal(atomic_load(&f->optee.notif_failures), 0);
	ffamed_sp_optee_set_mem(&f->optee, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_conc_optee, fx_setup_v12, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
