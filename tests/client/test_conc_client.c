/* SPDX-License-Identifier: MIT */
/*
 * Several vCPU-like threads, each with its own client over a shared model
 * callee: the library keeps no hidden shared state, every call is counted
 * and every answer checked.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ffamed/client.h"
#include "ffamed/ffa_regs.h"

#define THREADS	   4
#define ITERATIONS 400
#define SP_ID	   0x8001u
#define PARTS	   2

/* A callee shared by every thread: counts calls per function. */
struct model_callee {
	atomic_uint calls_version, calls_pig, calls_release, calls_req, calls_run, calls_other;
};

/* One thread's view: its endpoint, its RX buffer, a request in flight. */
struct model_vcpu {
	struct model_callee *callee;
	uint16_t id;
	uint8_t rx[FFA_PAGE_SIZE];
	uint32_t interrupts_left; /* of the request in flight */
	uint64_t pending[5];
	bool rx_owned; /* the caller holds its RX buffer */
	unsigned errors;
};

static void model_answer_req(struct model_vcpu *v, struct ffamed_regs *regs)
{
	uint32_t target = FFA_TARGET_INFO(SP_ID, v->id);

	if (v->interrupts_left) {
		v->interrupts_left--;
		ffa_regs_clear(regs);
		regs->x[0] = (v->interrupts_left & 1) ? FFA_YIELD : FFA_INTERRUPT;
		regs->x[1] = target;
		return;
	}
	ffa_regs_clear(regs);
	regs->x[0] = FFA_MSG_SEND_DIRECT_RESP_64;
	regs->x[1] = FFA_SENDER_RECEIVER(SP_ID, v->id);
	for (int i = 0; i < 5; i++)
		regs->x[3 + i] = ~v->pending[i];
}

static void model_call(void *ctx, struct ffamed_regs *regs)
{
	struct model_vcpu *v = ctx;
	struct model_callee *m = v->callee;
	uint32_t fid = (uint32_t)regs->x[0];

	switch (fid) {
	case FFA_VERSION:
		atomic_fetch_add(&m->calls_version, 1);
		regs->x[0] = FFA_VERSION_1_2;
		return;
	case FFA_PARTITION_INFO_GET:
		atomic_fetch_add(&m->calls_pig, 1);
		if (!(regs->x[5] & FFA_PARTITION_INFO_GET_COUNT_FLAG)) {
			if (v->rx_owned) {
				v->errors++;
				ffa_set_error(regs, FFA_RET_BUSY);
				return;
			}
			for (int i = 0; i < PARTS; i++) {
				struct ffa_partition_info_1_1 d = {
					.id = (uint16_t)(SP_ID + i),
					.exec_ctx_count = (uint16_t)(i + 1),
					.properties = v->id,
				};
				memcpy(v->rx + i * sizeof(d), &d, sizeof(d));
			}
			v->rx_owned = true;
		}
		ffa_set_success32(regs, 0, PARTS, sizeof(struct ffa_partition_info_1_1));
		return;
	case FFA_RX_RELEASE:
		atomic_fetch_add(&m->calls_release, 1);
		if (!v->rx_owned) {
			v->errors++;
			ffa_set_error(regs, FFA_RET_DENIED);
			return;
		}
		v->rx_owned = false;
		ffa_set_success32(regs, 0, 0, 0);
		return;
	case FFA_MSG_SEND_DIRECT_REQ_64:
		atomic_fetch_add(&m->calls_req, 1);
		for (int i = 0; i < 5; i++)
			v->pending[i] = regs->x[3 + i];
		v->interrupts_left = (uint32_t)(regs->x[3] % 3);
		model_answer_req(v, regs);
		return;
	case FFA_RUN:
		atomic_fetch_add(&m->calls_run, 1);
		if ((uint32_t)regs->x[1] != FFA_TARGET_INFO(SP_ID, v->id))
			v->errors++;
		model_answer_req(v, regs);
		return;
	default:
		atomic_fetch_add(&m->calls_other, 1);
		ffa_set_error(regs, FFA_RET_NOT_SUPPORTED);
		return;
	}
}

struct worker {
	pthread_t thread;
	struct model_vcpu vcpu;
	struct ffac client;
	unsigned failures;
	uint64_t resumes;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct ffac *c = &w->client;

	ffac_init(c, model_call, &w->vcpu);
	if (ffac_negotiate(c, FFA_VERSION_1_2) != FFA_RET_OK)
		w->failures++;
	c->id = w->vcpu.id;
	c->rx = w->vcpu.rx;
	c->rxtx_pages = 1;
	c->rxtx_mapped = true;

	for (uint32_t it = 0; it < ITERATIONS; it++) {
		struct ffac_partition parts[PARTS];
		uint32_t count = 0, resumes = 0;
		uint64_t args[5], out[5];

		if (ffac_partition_list(c, NULL, parts, PARTS, &count) != FFA_RET_OK ||
		    count != PARTS || parts[1].id != SP_ID + 1 || parts[1].exec_ctx_count != 2 ||
		    parts[0].properties != w->vcpu.id)
			w->failures++;
		for (int i = 0; i < 5; i++)
			args[i] = ((uint64_t)w->vcpu.id << 48) | ((uint64_t)it << 8) | (uint64_t)i;
		if (ffac_direct_req(c, SP_ID, true, args, out, &resumes) != FFA_RET_OK)
			w->failures++;
		for (int i = 0; i < 5; i++)
			if (out[i] != ~args[i])
				w->failures++;
		if (resumes != args[0] % 3)
			w->failures++;
		w->resumes += resumes;
	}
	return NULL;
}

static void test_conc_clients(void **state)
{
	static struct model_callee callee;
	static struct worker workers[THREADS];
	uint64_t resumes = 0, expect_resumes = 0;

	(void)state;
	memset(&callee, 0, sizeof(callee));
	for (int t = 0; t < THREADS; t++) {
		memset(&workers[t], 0, sizeof(workers[t]));
		workers[t].vcpu.callee = &callee;
		workers[t].vcpu.id = (uint16_t)(t + 1);
		assert_int_equal(pthread_create(&workers[t].thread, NULL, worker_main, &workers[t]),
				 0);
	}
	for (int t = 0; t < THREADS; t++) {
		assert_int_equal(pthread_join(workers[t].thread, NULL), 0);
		assert_int_equal(workers[t].failures, 0);
		assert_int_equal(workers[t].vcpu.errors, 0);
		assert_false(workers[t].vcpu.rx_owned);
		resumes += workers[t].resumes;
		for (uint32_t it = 0; it < ITERATIONS; it++)
			expect_resumes += (((uint64_t)(t + 1) << 48) | ((uint64_t)it << 8)) % 3;
	}
	assert_int_equal(resumes, expect_resumes);
	assert_int_equal(atomic_load(&callee.calls_version), THREADS);
	/* Per iteration: count-only, full listing, release, request. */
	assert_int_equal(atomic_load(&callee.calls_pig), 2 * THREADS * ITERATIONS);
	assert_int_equal(atomic_load(&callee.calls_release), THREADS * ITERATIONS);
	assert_int_equal(atomic_load(&callee.calls_req), THREADS * ITERATIONS);
	assert_int_equal(atomic_load(&callee.calls_run), expect_resumes);
	assert_int_equal(atomic_load(&callee.calls_other), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conc_clients),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
