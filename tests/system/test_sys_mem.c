/* SPDX-License-Identifier: MIT */
/*
 * Memory sharing in a whole simulated system (POSIX port, software SPMC,
 * memory SP, client library): data seen by the borrower, owner access
 * through the port's guest view, teardown with live transactions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sys_fixture.h"

#define PAGE_IPA(p) (FFAMED_POSIX_RAM_BASE + (uint64_t)(p)*FFA_PAGE_SIZE)

static uint32_t fnv(uint32_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x01000193u;
	}
	return h;
}

static uint32_t fill(struct ffamed_sim_vm *vm, uint32_t first, uint32_t n, uint8_t salt)
{
	uint32_t h = 0x811c9dc5u;

	for (uint32_t p = 0; p < n; p++) {
		uint8_t *va = ffamed_sim_guest_va(vm, PAGE_IPA(first + p));

		for (size_t i = 0; i < FFA_PAGE_SIZE; i++)
			va[i] = (uint8_t)(salt + p * 3u + i);
		h = fnv(h, va, FFA_PAGE_SIZE);
	}
	return h;
}

static int32_t send(struct sys_guest *g, int op, uint16_t to, uint8_t perm, uint32_t first,
		    uint32_t n, uint64_t *handle)
{
	struct ffac_mem_borrower b = {.id = to, .perm = perm};
	struct ffac_mem_range r = {.addr = PAGE_IPA(first), .pages = n};
	struct ffac_mem_send s = {
		.attributes = op == 0 ? FFA_MEM_ATTR_NORMAL_WB_INNER : 0,
		.borrowers = &b,
		.borrower_count = 1,
		.ranges = &r,
		.range_count = 1,
	};

	if (op == 0)
		return ffac_mem_share(&g->c, &s, handle, NULL);
	if (op == 1)
		return ffac_mem_lend(&g->c, &s, handle, NULL);
	return ffac_mem_donate(&g->c, &s, handle, NULL);
}

static uint32_t memsp(struct sys_guest *g, uint32_t cmd, uint64_t h, uint32_t p3, uint32_t p4,
		      uint32_t *p2)
{
	uint64_t args[5] = {cmd, (uint32_t)h, h >> 32, p3, p4}, out[5] = {0};

	assert_int_equal(ffac_direct_req(&g->c, FFAMED_SIM_MEMSP_ID, false, args, out, NULL),
			 FFA_RET_OK);
	assert_int_equal(out[0], cmd);
	if (p2)
		*p2 = (uint32_t)out[2];
	return (uint32_t)out[1];
}

static void test_lend_to_sp_each_version(void **state)
{
	static const uint32_t versions[] = {FFA_VERSION_1_0, FFA_VERSION_1_1, FFA_VERSION_1_2};

	(void)state;
	for (unsigned i = 0; i < 3; i++) {
		struct ffamed_sim *sim = sys_create(1, 1, false, 0);
		struct ffamed_sim_vm *vm = ffamed_sim_vm_at(sim, 0);
		struct ffamed_posix_vm *pvm = ffamed_sim_vm_posix(vm);
		struct sys_guest g;
		uint64_t h = 0;
		uint32_t sum, got = 0;

		sys_guest_init(&g, vm, 0);
		sys_guest_up(&g, versions[i], true);
		sum = fill(vm, 8, 4, (uint8_t)i);
		assert_int_equal(send(&g, 1, FFAMED_SIM_MEMSP_ID, FFA_MEM_PERM_DATA_RW, 8, 4, &h),
				 FFA_RET_OK);
		/* Lent: the guest's own view of the pages is gone. */
		assert_false(ffamed_posix_vm_page_accessible(pvm, PAGE_IPA(9)));
		assert_int_equal(ffamed_posix_vm_revoked_pages(pvm), 4);
		assert_int_equal(
			memsp(&g, FFAMED_MEMSP_CMD_RETRIEVE, h, FFAMED_MEMSP_ACCESS_RW, 0, &got),
			0);
		assert_int_equal(got, 4);
		assert_int_equal(
			memsp(&g, FFAMED_MEMSP_CMD_CHECKSUM, h, 0, 4 * FFA_PAGE_SIZE, &got), 0);
		assert_int_equal(got, sum);
		assert_int_equal(memsp(&g, FFAMED_MEMSP_CMD_FILL, h, 2 * FFA_PAGE_SIZE,
				       (8u << 8) | 0xEE, NULL),
				 0);
		assert_int_equal(ffac_mem_reclaim(&g.c, h, 0), FFA_RET_DENIED);
		assert_int_equal(memsp(&g, FFAMED_MEMSP_CMD_RELINQUISH, h, 0, 0, NULL), 0);
		assert_int_equal(ffac_mem_reclaim(&g.c, h, 0), FFA_RET_OK);
		assert_true(ffamed_posix_vm_page_accessible(pvm, PAGE_IPA(9)));
		assert_int_equal(((uint8_t *)ffamed_sim_guest_va(vm, PAGE_IPA(10)))[7], 0xEE);
		sys_finish(sim);
	}
}

static void test_donate_to_vm(void **state)
{
	struct ffamed_sim *sim = sys_create(2, 1, true, 0);
	struct ffamed_sim_vm *a = ffamed_sim_vm_at(sim, 0), *b = ffamed_sim_vm_at(sim, 1);
	struct ffac_mem_range r[4];
	struct ffac_mem_retrieved info;
	struct sys_guest ga, gb;
	uint32_t sum, seen = 0x811c9dc5u;
	uint64_t h = 0;

	(void)state;
	sys_guest_init(&ga, a, 0);
	sys_guest_init(&gb, b, 0);
	sys_guest_up(&ga, FFA_VERSION_1_2, true);
	sys_guest_up(&gb, FFA_VERSION_1_1, true);
	sum = fill(a, 6, 3, 0x40);
	assert_int_equal(send(&ga, 2, ffamed_sim_vm_id(b), 0, 6, 3, &h), FFA_RET_OK);
	assert_true(h & FFA_HANDLE_HYP_ALLOCATED);
	assert_int_equal(ffac_mem_retrieve(&gb.c, h, ffamed_sim_vm_id(a), 0, 0, 0, r, 4, &info),
			 FFA_RET_OK);
	assert_int_equal(info.total_pages, 3);
	for (uint32_t i = 0; i < info.range_count; i++)
		for (uint32_t p = 0; p < r[i].pages; p++)
			seen = fnv(seen,
				   ffamed_sim_guest_va(b, r[i].addr + (uint64_t)p * FFA_PAGE_SIZE),
				   FFA_PAGE_SIZE);
	assert_int_equal(seen, sum);
	/* The donor lost the pages and the handle. */
	assert_int_equal(ffac_mem_reclaim(&ga.c, h, 0), FFA_RET_INVALID_PARAMETERS);
	assert_false(ffamed_posix_vm_page_accessible(ffamed_sim_vm_posix(a), PAGE_IPA(7)));
	assert_int_equal(ffac_mem_relinquish(&gb.c, h, 0), FFA_RET_DENIED);
	/* The borrower goes first, then the donor: nothing leaks. */
	ffamed_sim_vm_remove(b);
	ffamed_sim_vm_remove(a);
	sys_finish(sim);
}

/* A VM goes with transactions live both to an SP and to a VM. */
static void test_teardown_with_live_shares(void **state)
{
	struct ffamed_sim *sim = sys_create(2, 1, true, 0);
	struct ffamed_sim_vm *a = ffamed_sim_vm_at(sim, 0), *b = ffamed_sim_vm_at(sim, 1);
	struct ffac_mem_range r[2];
	struct ffac_mem_retrieved info;
	struct sys_guest ga, gb;
	uint64_t h1 = 0, h2 = 0;

	(void)state;
	sys_guest_init(&ga, a, 0);
	sys_guest_init(&gb, b, 0);
	sys_guest_up(&ga, FFA_VERSION_1_2, true);
	sys_guest_up(&gb, FFA_VERSION_1_2, true);
	assert_int_equal(send(&ga, 0, FFAMED_SIM_MEMSP_ID, FFA_MEM_PERM_DATA_RO, 4, 2, &h1),
			 FFA_RET_OK);
	assert_int_equal(send(&ga, 1, ffamed_sim_vm_id(b), FFA_MEM_PERM_DATA_RW, 8, 2, &h2),
			 FFA_RET_OK);
	assert_int_equal(ffac_mem_retrieve(&gb.c, h2, ffamed_sim_vm_id(a), 0, 0, 0, r, 2, &info),
			 FFA_RET_OK);
	assert_int_equal(ffamed_posix_vm_borrowed_pages(ffamed_sim_vm_posix(b)), 2);
	ffamed_sim_vm_remove(a);
	/* B's window on A's pages went with A. */
	assert_int_equal(ffamed_posix_vm_borrowed_pages(ffamed_sim_vm_posix(b)), 0);
	assert_null(ffamed_sim_guest_va(b, r[0].addr));
	ffamed_sim_vm_remove(b);
	sys_finish(sim);
}

/* Descriptors larger than every buffer on the way: the guest's TX (client
 * FRAG_TX), the mediator's TX to the SPMC (scattered physical pages), and
 * the SP's retrieve response; then the same pages lent to a VM. */
static void test_large_fragmented(void **state)
{
	enum { N = 1000 };
	struct ffamed_sim_config cfg;
	struct ffamed_sim *sim = NULL;
	struct ffamed_sim_vm *a, *b;
	static struct ffac_mem_range ranges[N];
	struct ffac_mem_borrower to = {.id = FFAMED_SIM_MEMSP_ID, .perm = FFA_MEM_PERM_DATA_RW};
	struct ffac_mem_send s = {
		.attributes = FFA_MEM_ATTR_NORMAL_WB_INNER,
		.borrowers = &to,
		.borrower_count = 1,
		.ranges = ranges,
		.range_count = N,
	};
	struct ffac_mem_retrieved info;
	struct ffac_mem_range got[4];
	struct sys_guest ga, gb;
	uint32_t frags = 0, sum, seen = 0x811c9dc5u, v = 0;
	uint64_t h = 0;

	(void)state;
	ffamed_sim_default_config(&cfg);
	cfg.vm_count = 2;
	cfg.vcpus_per_vm = 1;
	cfg.ram_pages_per_vm = N + 64;
	cfg.vm_to_vm = true;
	assert_int_equal(ffamed_sim_create(&cfg, &sim), FFA_RET_OK);
	a = ffamed_sim_vm_at(sim, 0);
	b = ffamed_sim_vm_at(sim, 1);
	sys_guest_init(&ga, a, 0);
	sys_guest_init(&gb, b, 0);
	sys_guest_up(&ga, FFA_VERSION_1_1, true);
	sys_guest_up(&gb, FFA_VERSION_1_2, true);
	sum = fill(a, 16, N, 0x77);
	for (uint32_t i = 0; i < N; i++)
		ranges[i] = (struct ffac_mem_range){.addr = PAGE_IPA(16 + i), .pages = 1};
	assert_int_equal(ffac_mem_share(&ga.c, &s, &h, &frags), FFA_RET_OK);
	assert_true(frags > 1);
	assert_int_equal(memsp(&ga, FFAMED_MEMSP_CMD_RETRIEVE, h, FFAMED_MEMSP_ACCESS_RO, 0, &v),
			 0);
	assert_int_equal(v, N);
	assert_int_equal(memsp(&ga, FFAMED_MEMSP_CMD_CHECKSUM, h, 0, N * FFA_PAGE_SIZE, &v), 0);
	assert_int_equal(v, sum);
	assert_int_equal(memsp(&ga, FFAMED_MEMSP_CMD_RELINQUISH, h, 0, 0, NULL), 0);
	assert_int_equal(ffac_mem_reclaim(&ga.c, h, 0), FFA_RET_OK);

	/* The same pages lent to VM B: it sees them in its window. */
	to.id = ffamed_sim_vm_id(b);
	s.attributes = 0;
	assert_int_equal(ffac_mem_lend(&ga.c, &s, &h, &frags), FFA_RET_OK);
	assert_int_equal(ffamed_posix_vm_revoked_pages(ffamed_sim_vm_posix(a)), N);
	assert_int_equal(ffac_mem_retrieve(&gb.c, h, ffamed_sim_vm_id(a), 0, 0, 0, got, 4, &info),
			 FFA_RET_OK);
	assert_int_equal(info.total_pages, N);
	for (uint32_t i = 0; i < info.range_count && i < 4; i++)
		for (uint32_t p = 0; p < got[i].pages; p++)
			seen = fnv(
				seen,
				ffamed_sim_guest_va(b, got[i].addr + (uint64_t)p * FFA_PAGE_SIZE),
				FFA_PAGE_SIZE);
	assert_int_equal(seen, sum);
	assert_int_equal(ffac_mem_relinquish(&gb.c, h, 0), FFA_RET_OK);
	assert_int_equal(ffac_mem_reclaim(&ga.c, h, 0), FFA_RET_OK);
	assert_int_equal(ffamed_posix_vm_revoked_pages(ffamed_sim_vm_posix(a)), 0);
	sys_finish(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lend_to_sp_each_version),
		cmocka_unit_test(test_donate_to_vm),
		cmocka_unit_test(test_teardown_with_live_shares),
		cmocka_unit_test(test_large_fragmented),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
