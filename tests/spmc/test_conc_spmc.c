/* SPDX-License-Identifier: MIT */
/* Several CPUs calling the SPMC at once: direct requests with interrupt and
 * yield cycles, VM mailboxes and RX ownership, VM announcements, and a
 * context kept RUNNING while others knock. Exact accounting at the end. */
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "spmc_fixture.h"

#define ITERS 1500

struct worker {
	struct fx *f;
	uint32_t cpu;
	pthread_t thread;
	/* What this worker saw. */
	uint64_t mp_done, mp_resumes, up_done, up_busy, req32_calls, run_calls, failures;
	uint64_t maps, unmaps, acquires;
};

static pthread_mutex_t hyp_tx_lock = PTHREAD_MUTEX_INITIALIZER; /* the one TX buffer */

/* Drives one request to completion, resuming with FFA_RUN; returns the
 * final reply and counts the calls. */
static struct ffamed_regs drive(struct worker *w, uint16_t sp, uint64_t cmd, uint64_t n,
				uint16_t sender)
{
	struct ffamed_regs r = fx_call(w->f, w->cpu, FFA_MSG_SEND_DIRECT_REQ_32,
				       FFA_SENDER_RECEIVER(sender, sp), 0, cmd, n, 0, 0, 0);

	w->req32_calls++;
	while (r.x[0] == FFA_INTERRUPT || r.x[0] == FFA_YIELD) {
		if (FFA_TARGET_EP(r.x[1]) != sp)
			w->failures++;
		r = fx_call(w->f, w->cpu, FFA_RUN, r.x[1], 0, 0, 0, 0, 0, 0);
		w->run_calls++;
	}
	return r;
}

static void *direct_worker(void *arg)
{
	struct worker *w = arg;
	uint16_t sender = (uint16_t)(w->cpu + 1);

	for (uint32_t i = 0; i < ITERS; i++) {
		uint64_t n = i % 3;
		uint64_t cmd = (i & 1) ? FFAMED_ECHO_CMD_INTERRUPT : FFAMED_ECHO_CMD_YIELD;
		struct ffamed_regs r = drive(w, FX_ECHO_MP, cmd, n, sender);

		/* It ran on this CPU's context, for this sender, resumed n times. */
		if (r.x[0] != FFA_MSG_SEND_DIRECT_RESP_32 || r.x[4] != FX_ECHO_MP ||
		    r.x[5] != w->cpu || r.x[6] != sender || r.x[7] != n ||
		    r.x[1] != FFA_SENDER_RECEIVER(FX_ECHO_MP, sender))
			w->failures++;
		w->mp_done++;
		w->mp_resumes += n;

		/* The UP SP is shared by all CPUs: BUSY is a legal answer. */
		r = drive(w, FX_ECHO_UP, FFAMED_ECHO_CMD_INTERRUPT, i % 2, sender);
		if (r.x[0] == FFA_ERROR && (int32_t)r.x[2] == FFA_RET_BUSY) {
			w->up_busy++;
		} else if (r.x[0] == FFA_MSG_SEND_DIRECT_RESP_32 && r.x[5] == 0 &&
			   r.x[6] == sender) {
			w->up_done++;
		} else {
			w->failures++;
		}
	}
	return NULL;
}

static void test_conc_direct_requests(void **state)
{
	struct fx *f = *state;
	struct worker w[FX_MP_CTX];
	uint64_t mp = 0, resumes = 0, up = 0, busy = 0, req32 = 0, runs = 0;

	for (uint32_t i = 0; i < FX_MP_CTX; i++) {
		w[i] = (struct worker){.f = f, .cpu = i};
		assert_int_equal(pthread_create(&w[i].thread, NULL, direct_worker, &w[i]), 0);
	}
	for (uint32_t i = 0; i < FX_MP_CTX; i++) {
		assert_int_equal(pthread_join(w[i].thread, NULL), 0);
		assert_int_equal(w[i].failures, 0);
		assert_int_equal(atomic_load(&f->echo_mp.responses_per_ctx[i]), w[i].mp_done);
		mp += w[i].mp_done;
		resumes += w[i].mp_resumes;
		up += w[i].up_done;
		busy += w[i].up_busy;
		req32 += w[i].req32_calls;
		runs += w[i].run_calls;
	}
	assert_int_equal(mp, FX_MP_CTX * ITERS);
	assert_int_equal(atomic_load(&f->echo_mp.requests), mp);
	assert_int_equal(atomic_load(&f->echo_mp.responses), mp);
	assert_int_equal(atomic_load(&f->echo_mp.resumes), resumes);
	/* BUSY requests never reached the SP. */
	assert_int_equal(up + busy, FX_MP_CTX * ITERS);
	assert_int_equal(atomic_load(&f->echo_up.requests), up);
	assert_int_equal(atomic_load(&f->echo_up.responses), up);
	assert_int_equal(ffamed_spmc_call_count(f->spmc, FFA_MSG_SEND_DIRECT_REQ_32), req32);
	assert_int_equal(ffamed_spmc_call_count(f->spmc, FFA_RUN), runs);
	for (uint32_t i = 0; i < FX_MP_CTX; i++)
		assert_int_equal(ffamed_spmc_ctx_state(f->spmc, FX_ECHO_MP, (uint16_t)i),
				 FFAMED_SPMC_CTX_IDLE);
	assert_int_equal(ffamed_spmc_ctx_state(f->spmc, FX_ECHO_UP, 0), FFAMED_SPMC_CTX_IDLE);
}

/* ---- VM mailboxes ----------------------------------------------------------------- */

#define MBOX_VMS_PER_CPU 8
#define MBOX_ROUNDS	 150

static int32_t result(const struct ffamed_regs *r)
{
	return ffa_result(r);
}

static void *mailbox_worker(void *arg)
{
	struct worker *w = arg;
	struct fx *f = w->f;

	for (uint32_t round = 0; round < MBOX_ROUNDS; round++) {
		for (uint32_t v = 0; v < MBOX_VMS_PER_CPU; v++) {
			uint16_t vm = (uint16_t)(100 * (w->cpu + 1) + v);
			/* Each VM has its own two pages, each CPU its own range. */
			uint32_t page = 16 + 64 * w->cpu + 2 * v;
			int32_t rc;

			pthread_mutex_lock(&hyp_tx_lock);
			rc = fx_map_vm_simple(f, vm, page, page + 1, 1);
			pthread_mutex_unlock(&hyp_tx_lock);
			w->failures += rc != 0;
			w->maps++;
		}
		for (uint32_t v = 0; v < MBOX_VMS_PER_CPU; v++) {
			uint16_t vm = (uint16_t)(100 * (w->cpu + 1) + v);
			struct ffamed_regs r;

			r = fx_call(f, w->cpu, FFA_RX_ACQUIRE, vm, 0, 0, 0, 0, 0, 0);
			w->failures += result(&r) != 0;
			r = fx_call(f, w->cpu, FFA_RX_ACQUIRE, vm, 0, 0, 0, 0, 0, 0);
			w->failures += result(&r) != FFA_RET_DENIED;
			w->acquires += 2;
			if (ffamed_spmc_vm_rx_owner(f->spmc, vm) != FFAMED_SPMC_RX_OWNER_NWD)
				w->failures++;
			r = fx_call(f, w->cpu, FFA_RX_RELEASE, vm, 0, 0, 0, 0, 0, 0);
			w->failures += result(&r) != 0;
			r = fx_call(f, w->cpu, FFA_RXTX_UNMAP, (uint64_t)vm << 16, 0, 0, 0, 0, 0,
				    0);
			w->failures += result(&r) != 0;
			r = fx_call(f, w->cpu, FFA_RXTX_UNMAP, (uint64_t)vm << 16, 0, 0, 0, 0, 0,
				    0);
			w->failures += result(&r) != FFA_RET_INVALID_PARAMETERS;
			w->unmaps += 2;
		}
		/* Partition discovery by register, alongside. */
		struct ffamed_regs r =
			fx_call(f, w->cpu, FFA_PARTITION_INFO_GET_REGS, 0, 0, 0, 0, 0, 0, 0);
		w->failures += r.x[0] != FFA_SUCCESS_64;
	}
	return NULL;
}

static void test_conc_vm_mailboxes(void **state)
{
	struct fx *f = *state;
	struct worker w[FX_MP_CTX];
	uint64_t maps = 0, unmaps = 0, acquires = 0;

	for (uint32_t i = 0; i < FX_MP_CTX; i++) {
		w[i] = (struct worker){.f = f, .cpu = i};
		assert_int_equal(pthread_create(&w[i].thread, NULL, mailbox_worker, &w[i]), 0);
	}
	for (uint32_t i = 0; i < FX_MP_CTX; i++) {
		assert_int_equal(pthread_join(w[i].thread, NULL), 0);
		assert_int_equal(w[i].failures, 0);
		maps += w[i].maps;
		unmaps += w[i].unmaps;
		acquires += w[i].acquires;
	}
	assert_int_equal(maps, FX_MP_CTX * MBOX_ROUNDS * MBOX_VMS_PER_CPU);
	/* plus the setup's own pair */
	assert_int_equal(ffamed_spmc_call_count(f->spmc, FFA_RXTX_MAP_64), maps + 1);
	assert_int_equal(ffamed_spmc_call_count(f->spmc, FFA_RXTX_UNMAP), unmaps);
	assert_int_equal(ffamed_spmc_call_count(f->spmc, FFA_RX_ACQUIRE), acquires);
	assert_int_equal(ffamed_spmc_vm_mailbox_count(f->spmc), 0);
}

/* ---- VM announcements to a UP SP --------------------------------------------------- */

#define ANNOUNCE_VMS 200

static void *announce_worker(void *arg)
{
	struct worker *w = arg;

	for (uint32_t i = 0; i < ANNOUNCE_VMS; i++) {
		uint16_t vm = (uint16_t)(1000 * (w->cpu + 1) + i);

		for (int phase = 0; phase < 2; phase++) {
			uint32_t type = phase ? FFA_FWK_MSG_VM_DESTROYED : FFA_FWK_MSG_VM_CREATED;
			struct ffamed_regs r;

			/* Odd VMs stay alive. */
			if (phase && (vm & 1))
				break;
			do {
				r = fx_call(w->f, w->cpu, FFA_MSG_SEND_DIRECT_REQ_32,
					    FFA_SENDER_RECEIVER(0, FX_VMWATCH), FFA_FWK_MSG(type),
					    0, 0, vm, 0, 0);
				if (r.x[0] == FFA_ERROR)
					w->up_busy++;
			} while (r.x[0] == FFA_ERROR && (int32_t)r.x[2] == FFA_RET_BUSY);
			w->failures += r.x[0] != FFA_MSG_SEND_DIRECT_RESP_32 || r.x[3] != 0;
		}
	}
	return NULL;
}

static void test_conc_vm_announcements(void **state)
{
	struct fx *f = *state;
	struct worker w[FX_MP_CTX];
	uint64_t busy = 0;

	for (uint32_t i = 0; i < FX_MP_CTX; i++) {
		w[i] = (struct worker){.f = f, .cpu = i};
		assert_int_equal(pthread_create(&w[i].thread, NULL, announce_worker, &w[i]), 0);
	}
	for (uint32_t i = 0; i < FX_MP_CTX; i++) {
		assert_int_equal(pthread_join(w[i].thread, NULL), 0);
		assert_int_equal(w[i].failures, 0);
		busy += w[i].up_busy;
	}
	assert_int_equal(ffamed_sp_vmwatch_created_msgs(&f->vmwatch), FX_MP_CTX * ANNOUNCE_VMS);
	assert_int_equal(ffamed_sp_vmwatch_destroyed_msgs(&f->vmwatch),
			 FX_MP_CTX * ANNOUNCE_VMS / 2);
	assert_int_equal(ffamed_sp_vmwatch_live_count(&f->vmwatch), FX_MP_CTX * ANNOUNCE_VMS / 2);
	assert_int_equal(atomic_load(&f->vmwatch.duplicate_created), 0);
	assert_int_equal(atomic_load(&f->vmwatch.unknown_destroyed), 0);
	for (uint32_t i = 0; i < FX_MP_CTX; i++)
		for (uint16_t v = 0; v < ANNOUNCE_VMS; v++)
			assert_int_equal(ffamed_sp_vmwatch_is_live(&f->vmwatch,
								   (uint16_t)(1000 * (i + 1) + v)),
					 v & 1);
	assert_int_equal(ffamed_spmc_call_count(f->spmc, FFA_MSG_SEND_DIRECT_REQ_32),
			 FX_MP_CTX * ANNOUNCE_VMS * 3 / 2 + busy);
}

/* ---- A context busy RUNNING ------------------------------------------------------- */

struct gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool entered;
	bool go;
};

static enum ffamed_sp_action gate_req(struct ffamed_sp *sp, const struct ffamed_sp_msg *msg,
				      struct ffamed_regs *resp)
{
	struct gate *g = ffamed_sp_priv(sp);

	pthread_mutex_lock(&g->lock);
	g->entered = true;
	pthread_cond_broadcast(&g->cond);
	while (!g->go)
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
	resp->x[3] = msg->regs.x[3] + 1;
	return FFAMED_SP_RESPOND;
}

static const struct ffamed_sp_ops gate_ops = {.direct_req = gate_req};

struct gate_call {
	struct fx *f;
	struct ffamed_regs reply;
};

static void *gate_caller(void *arg)
{
	struct gate_call *c = arg;

	c->reply = fx_call(c->f, 1, FFA_MSG_SEND_DIRECT_REQ_32, FFA_SENDER_RECEIVER(0, 0x8009), 0,
			   41, 0, 0, 0, 0);
	return NULL;
}

static void test_conc_busy_while_running(void **state)
{
	struct fx *f = fx_new();
	struct gate g = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
	struct gate_call call = {.f = f};
	pthread_t t;

	(void)state;
	f->sps[f->sp_count] = (struct ffamed_sp_config){
		.id = 0x8009,
		.exec_ctx_count = 1,
		.properties = FFA_PART_PROP_DIRECT_REQ_RECV,
		.uuid_count = 1,
		.uuids = {{{9}}},
		.ops = &gate_ops,
		.priv = &g,
	};
	f->sp_count++;
	assert_int_equal(fx_create(f, NULL), 0);
	fx_version(f, FFA_VERSION_1_2);
	assert_int_equal(pthread_create(&t, NULL, gate_caller, &call), 0);
	pthread_mutex_lock(&g.lock);
	while (!g.entered)
		pthread_cond_wait(&g.cond, &g.lock);
	pthread_mutex_unlock(&g.lock);

	/* The handler runs with no SPMC lock held: everything else answers. */
	assert_int_equal(ffamed_spmc_ctx_state(f->spmc, 0x8009, 0), FFAMED_SPMC_CTX_RUNNING);
	fx_assert_error(
		(struct ffamed_regs[]){fx_call(f, 2, FFA_MSG_SEND_DIRECT_REQ_32,
					       FFA_SENDER_RECEIVER(0, 0x8009), 0, 0, 0, 0, 0, 0)},
		FFA_RET_BUSY);
	fx_assert_error((struct ffamed_regs[]){fx_call(f, 2, FFA_RUN, FFA_TARGET_INFO(0x8009, 0), 0,
						       0, 0, 0, 0, 0)},
			FFA_RET_BUSY);
	fx_assert_success((struct ffamed_regs[]){fx_call(f, 3, FFA_ID_GET, 0, 0, 0, 0, 0, 0, 0)});
	assert_int_equal(fx_call(f, 3, FFA_MSG_SEND_DIRECT_REQ_32,
				 FFA_SENDER_RECEIVER(0, FX_ECHO_UP), 0, 5, 0, 0, 0, 0)
				 .x[3],
			 5);

	pthread_mutex_lock(&g.lock);
	g.go = true;
	pthread_cond_broadcast(&g.cond);
	pthread_mutex_unlock(&g.lock);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(call.reply.x[0], FFA_MSG_SEND_DIRECT_RESP_32);
	assert_int_equal(call.reply.x[3], 42);
	assert_int_equal(ffamed_spmc_ctx_state(f->spmc, 0x8009, 0), FFAMED_SPMC_CTX_IDLE);
	fx_free(f);
}

int main(void)
{
#define T(fn, setup) cmocka_unit_test_setup_teardown(fn, setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_conc_direct_requests, fx_setup_v12),
		T(test_conc_vm_mailboxes, fx_setup_ready),
		T(test_conc_vm_announcements, fx_setup_v12),
		cmocka_unit_test(test_conc_busy_while_running),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
