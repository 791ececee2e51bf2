/* SPDX-License-Identifier: MIT */
/*
 * Memory sharing under concurrency in every build with
 * FFAMED_CONFIG_MEM_SHARE (also run under TSan): VMs share with an MP
 * memory SP and reclaim while another VM keeps sending to a VM receiver,
 * which is served or refused by the MEM_VM_BORROWERS switch alone, and a
 * lend, by MEM_LEND_DONATE alone. Every page is back at the end.
 */
#include "mem_builder.h"

#include <string.h>

#define MEMSP	 0x8004u
#define FIRST	 8u
#define NPAGES	 2u
#define ITER	 100
#define NWORKERS 3

struct worker {
	struct fix_vm *v;
	uint16_t to;
	uint16_t cpu;
	uint32_t fid;
	int32_t want;
	uint32_t ok;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	uint8_t desc[256];
	size_t len;

	fix_set_cpu(w->cpu);
	len = mb_simple(desc, sizeof(desc), FFAMED_FFA_VERSION, w->v->id, w->to,
			FFA_MEM_PERM_DATA_RW, NULL, FIRST, NPAGES);
	mb_fit(desc, FFAMED_FFA_VERSION, w->fid);
	for (int i = 0; i < ITER; i++) {
		uint64_t handle = 0;
		int32_t rc = mb_send(w->v, w->fid, desc, len, FFA_PAGE_SIZE, &handle, NULL);

		assert_int_equal(rc, w->want);
		if (rc != FFA_RET_OK)
			continue;
		assert_int_equal(mb_reclaim(w->v, handle, 0), FFA_RET_OK);
		w->ok++;
	}
	return NULL;
}

static void test_switches_under_load(void **state)
{
	struct ffamed_sp_config cfg;
	struct ffamed_sp_memsp memsp;
	struct fix_opts o = {.sps = &cfg, .sp_count = 1, .cpus = 4};
	struct worker w[NWORKERS];
	pthread_t t[NWORKERS];
	uint64_t pins[NWORKERS];
	struct ffamed_mem_stats st;
	struct fix_vm *receiver;
	struct fix *fix;

	(void)state;
	memset(&memsp, 0, sizeof(memsp));
	ffamed_sp_memsp_config(&cfg, &memsp, MEMSP, 4);
	fix = fix_create(&o);
	receiver = fix_vm(fix, 0x20, 1);
	fix_negotiate(receiver, FFAMED_FFA_VERSION);
	w[0] = (struct worker){.to = MEMSP, .fid = FFA_MEM_SHARE_64, .want = FFA_RET_OK};
	w[1] = (struct worker){.to = 0x20,
			       .fid = FFA_MEM_SHARE_32,
			       .want = FFAMED_CONFIG_MEM_VM_BORROWERS ? FFA_RET_OK
								      : FFA_RET_NOT_SUPPORTED};
	w[2] = (struct worker){.to = MEMSP,
			       .fid = FFA_MEM_LEND_64,
			       .want = FFAMED_CONFIG_MEM_LEND_DONATE ? FFA_RET_OK
								     : FFA_RET_NOT_SUPPORTED};
	for (int i = 0; i < NWORKERS; i++) {
		w[i].v = fix_vm(fix, (uint16_t)(1 + i), 1);
		w[i].cpu = (uint16_t)i;
		fix_negotiate(w[i].v, FFAMED_FFA_VERSION);
		fix_map_default(w[i].v, 1);
		pins[i] = fix_vm_pins(w[i].v);
	}
	for (int i = 0; i < NWORKERS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
	for (int i = 0; i < NWORKERS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	for (int i = 0; i < NWORKERS; i++) {
		assert_int_equal(w[i].ok, w[i].want == FFA_RET_OK ? ITER : 0);
		assert_int_equal(fix_vm_pins(w[i].v), pins[i]);
		assert_int_equal(fix_vm_revoked_pages(w[i].v), 0);
	}
	ffamed_get_mem_stats(fix->med, &st);
	assert_int_equal(st.transactions, 0);
	assert_int_equal(ffamed_spmc_mem_handle_count(fix->spmc), 0);
	for (int i = 0; i < NWORKERS; i++)
		fix_vm_destroy(w[i].v);
	fix_vm_destroy(receiver);
	fix_destroy(fix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_switches_under_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
