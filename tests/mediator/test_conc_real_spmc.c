/* SPDX-License-Identifier: MIT */
/*
 * Concurrency against each real SPMC's personality: VMs created, used and
 * destroyed at once on every CPU. Each creation must reach the SPMC in
 * order (VM_CREATED, then the bitmap) and each teardown in reverse, whatever
 * the other VMs do meanwhile; the forwarded RX/TX decision is never taken
 * again. Runs under TSan.
 */
#include "mediator/med_internal.h"
#include "mem_builder.h"
#include "real_spmc.h"

#include <stdio.h>

#define THREADS 4
#define CYCLES	40

static struct real_sps sps;
static struct fix *fix;
static enum ffamed_spmc_personality persona;

struct worker {
	uint32_t cpu;
	long cycles;
	long requests;
	long shares;
	long binds;
};

static void use_optee(struct fix_vm *v, struct worker *w)
{
	uint8_t desc[256];
	uint64_t handle = 0;
	struct ffamed_regs r;
	size_t len;

	r = fix_call(v, 0, FFA_MSG_SEND_DIRECT_REQ_32, FFA_SENDER_RECEIVER(v->id, FIX_SP_OPTEE), 0,
		     FFAMED_OPTEE_GET_API_VERSION, 0, 0);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_32);
	assert_int_equal(r.x[3], FFAMED_OPTEE_API_MAJOR);
	w->requests++;
	len = mb_simple(desc, sizeof(desc), FFA_VERSION_1_1, v->id, FIX_SP_OPTEE,
			FFA_MEM_PERM_DATA_RW, NULL, 4, 1);
	assert_int_equal(mb_send(v, FFA_MEM_SHARE_64, desc, len, FFA_PAGE_SIZE, &handle, NULL),
			 FFA_RET_OK);
	assert_int_equal(mb_reclaim(v, handle, 0), FFA_RET_OK);
	w->shares++;
	r = fix_call(v, 0, FFA_NOTIFICATION_BIND, FFA_SENDER_RECEIVER(FIX_SP_OPTEE, v->id), 0, 1, 0,
		     0);
	if (persona == FFAMED_SPMC_OPTEE_NSVIRT) {
		assert_ffa_success(r);
		assert_ffa_success(fix_call(v, 0, FFA_NOTIFICATION_UNBIND,
					    FFA_SENDER_RECEIVER(FIX_SP_OPTEE, v->id), 0, 1, 0, 0));
		w->binds++;
	} else {
		/* No bitmap at the SPMC, no VM-to-VM: nothing to notify with. */
		assert_ffa_error(r, FFA_RET_NOT_SUPPORTED);
	}
}

static void use_tfa(struct fix_vm *v, struct worker *w)
{
	struct ffamed_regs r;

	r = fix_call(v, 0, FFA_MSG_SEND_DIRECT_REQ_64, FFA_SENDER_RECEIVER(v->id, FIX_SP_ECHO), 0,
		     5, 6, 7);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_64);
	assert_int_equal(r.x[3], 5);
	w->requests++;
	assert_true(ffamed_sp_vmwatch_is_live(&sps.vmwatch, v->id));
}

static void *worker_thread(void *p)
{
	struct worker *w = p;

	fix_set_cpu(w->cpu);
	for (int i = 0; i < CYCLES; i++) {
		/* IDs of this worker only: 1..3 + 10 * cpu, reused. */
		uint16_t id = (uint16_t)(10 * w->cpu + 1 + i % 3);
		struct fix_vm *v = fix_vm_new(fix, id, 1, 8, true);

		assert_int_equal(fix_vm_register(v, true), FFA_RET_OK);
		assert_true(ffamed_spmc_knows_vm(fix->spmc, id));
		assert_int_equal(ffamed_spmc_notif_bitmap_exists(fix->spmc, id, NULL),
				 persona == FFAMED_SPMC_OPTEE_NSVIRT);
		fix_negotiate(v, FFA_VERSION_1_1);
		fix_map_default(v, 1);
		assert_false(v->vm->rxtx.forwarded);
		if (persona == FFAMED_SPMC_TFA_EL3)
			use_tfa(v, w);
		else
			use_optee(v, w);
		fix_vm_destroy(v);
		w->cycles++;
	}
	return NULL;
}

static void run(enum ffamed_spmc_personality p)
{
	struct fix_opts o = {0};
	struct worker w[THREADS];
	pthread_t th[THREADS];
	uint64_t maps;
	int errors;

	persona = p;
	real_fix_opts(&o, &sps, p);
	fix = fix_create(&o);
	errors = atomic_load(&fix->log_count[FFAMED_LOG_ERROR]);
	maps = fix_fw_count(fix, FFA_RXTX_MAP_64);
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){.cpu = (uint32_t)i};
		assert_int_equal(pthread_create(&th[i], NULL, worker_thread, &w[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].cycles, CYCLES);
		assert_int_equal(w[i].requests, CYCLES);
		if (p != FFAMED_SPMC_TFA_EL3)
			assert_int_equal(w[i].shares, CYCLES);
		if (p == FFAMED_SPMC_OPTEE_NSVIRT)
			assert_int_equal(w[i].binds, CYCLES);
	}
	/* Every VM left the SPMC as it came; no pair was ever forwarded. */
	assert_int_equal(ffamed_spmc_notif_bitmap_count(fix->spmc), 0);
	for (uint16_t id = 1; id < 10 * THREADS; id++)
		assert_true(!ffamed_spmc_knows_vm(fix->spmc, id) || p != FFAMED_SPMC_OPTEE_NSVIRT);
	assert_int_equal(fix_fw_count(fix, FFA_RXTX_MAP_64), maps);
	assert_int_equal(atomic_load(&fix->med->vm_rxtx_fwd), MED_VM_RXTX_NO);
	assert_int_equal(atomic_load(&fix->log_count[FFAMED_LOG_ERROR]), errors);
	printf("%s: %d VMs created, used and destroyed\n", ffamed_spmc_personality_name(p),
	       THREADS * CYCLES);
	fix_destroy(fix);
	fix = NULL;
}

static void conc_optee_nsvirt(void **state)
{
	(void)state;
	run(FFAMED_SPMC_OPTEE_NSVIRT);
}

static void conc_optee_plain(void **state)
{
	(void)state;
	run(FFAMED_SPMC_OPTEE_PLAIN);
}

static void conc_tfa_el3(void **state)
{
	(void)state;
	run(FFAMED_SPMC_TFA_EL3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(conc_optee_nsvirt),
		cmocka_unit_test(conc_optee_plain),
		cmocka_unit_test(conc_tfa_el3),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
