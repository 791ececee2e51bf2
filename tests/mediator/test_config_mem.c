/* SPDX-License-Identifier: MIT */
/*
 * Memory sharing in every build that has FFAMED_CONFIG_MEM_SHARE, whatever
 * MEM_LEND_DONATE and MEM_VM_BORROWERS say (scripts/check-config-switches.sh
 * runs it with each off): a share with an SP works end to end; a lend is
 * served only when built in, and otherwise changes nothing; a transaction
 * for VM receivers exists only when VM borrowers are built in.
 */
#include "mem_builder.h"

#include <stdlib.h>
#include <string.h>

#define OWNER  0x0001u
#define OTHER  0x0002u
#define MEMSP  0x8004u
#define FIRST  8u
#define NPAGES 3u
#define BIG    300u /* pages: several fragments each way */

struct env {
	struct ffamed_sp_config cfg;
	struct ffamed_sp_memsp memsp;
	struct fix *fix;
	struct fix_vm *v, *other;
};

static void env_setup(struct env *e)
{
	struct fix_opts o = {.sps = &e->cfg, .sp_count = 1};

	memset(e, 0, sizeof(*e));
	ffamed_sp_memsp_config(&e->cfg, &e->memsp, MEMSP, 1);
	e->fix = fix_create(&o);
	e->v = fix_vm_new(e->fix, OWNER, 1, 640, true);
	assert_int_equal(fix_vm_register(e->v, true), FFA_RET_OK);
	e->other = fix_vm(e->fix, OTHER, 1);
	fix_negotiate(e->v, FFAMED_FFA_VERSION);
	fix_negotiate(e->other, FFAMED_FFA_VERSION);
	fix_map_default(e->v, 1);
	fix_map_default(e->other, 1);
}

static void env_teardown(struct env *e)
{
	struct ffamed_mem_stats st;

	ffamed_get_mem_stats(e->fix->med, &st);
	assert_int_equal(st.transactions, 0);
	assert_int_equal(st.pages, 0);
	fix_vm_destroy(e->other);
	fix_vm_destroy(e->v);
	fix_destroy(e->fix);
}

static struct ffamed_regs memsp_cmd(struct fix_vm *v, uint32_t cmd, uint64_t handle, uint32_t p3,
				    uint32_t p4)
{
	struct ffamed_regs in = {{FFA_MSG_SEND_DIRECT_REQ_32, FFA_SENDER_RECEIVER(v->id, MEMSP), 0,
				  cmd, (uint32_t)handle, handle >> 32, p3, p4}};
	struct ffamed_regs r = fix_call_regs(v, 0, &in);

	assert_int_equal((uint32_t)r.x[0], FFA_MSG_SEND_DIRECT_RESP_32);
	assert_int_equal((uint32_t)r.x[3], cmd);
	return r;
}

/* A share (or a lend) of n pages with the SP, fragmented when big: the SP
 * writes through it, the owner sees that, and everything goes back. */
static void sp_round(struct env *e, uint32_t fid, uint32_t n)
{
	bool lend = fid == FFA_MEM_LEND_32 || fid == FFA_MEM_LEND_64;
	size_t cap = 256 + 16 * (size_t)n;
	uint8_t *desc = malloc(cap);
	uint64_t pins = fix_vm_pins(e->v), handle = 0;
	unsigned frags = 0;
	struct ffamed_regs r;
	size_t len;

	assert_non_null(desc);
	len = mb_simple(desc, cap, FFAMED_FFA_VERSION, OWNER, MEMSP, FFA_MEM_PERM_DATA_RW, NULL,
			FIRST, n);
	mb_fit(desc, FFAMED_FFA_VERSION, fid);
	assert_int_equal(mb_send(e->v, fid, desc, len, FFA_PAGE_SIZE, &handle, &frags), FFA_RET_OK);
	assert_int_equal(frags > 0, n == BIG);
	assert_int_equal(fix_vm_pins(e->v), pins + n);
	assert_int_equal(fix_vm_revoked_pages(e->v), lend ? n : 0);
	r = memsp_cmd(e->v, FFAMED_MEMSP_CMD_RETRIEVE, handle, FFAMED_MEMSP_ACCESS_RW, 0);
	assert_int_equal((int32_t)(uint32_t)r.x[4], 0);
	assert_int_equal((uint32_t)r.x[5], n);
	r = memsp_cmd(e->v, FFAMED_MEMSP_CMD_FILL, handle, FFA_PAGE_SIZE + 8, (4u << 8) | 0xA5);
	assert_int_equal((int32_t)(uint32_t)r.x[4], 0);
	assert_int_equal(((uint8_t *)fix_vm_ptr(e->v, MB_IPA(FIRST + 1)))[9], 0xA5);
	assert_int_equal(mb_reclaim(e->v, handle, 0), FFA_RET_DENIED); /* the SP holds it */
	r = memsp_cmd(e->v, FFAMED_MEMSP_CMD_RELINQUISH, handle, 0, 0);
	assert_int_equal((int32_t)(uint32_t)r.x[4], 0);
	assert_int_equal(mb_reclaim(e->v, handle, 0), FFA_RET_OK);
	assert_int_equal(mb_reclaim(e->v, handle, 0), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(fix_vm_pins(e->v), pins);
	assert_int_equal(fix_vm_revoked_pages(e->v), 0);
	assert_int_equal(ffamed_spmc_mem_handle_count(e->fix->spmc), 0);
	free(desc);
}

static void share_with_sp(void **state)
{
	struct env e;

	(void)state;
	env_setup(&e);
	sp_round(&e, FFA_MEM_SHARE_64, NPAGES);
	sp_round(&e, FFA_MEM_SHARE_32, BIG);
	env_teardown(&e);
}

/* A real lend descriptor: served when built in; else refused before
 * anything is pinned, revoked or forwarded. */
static void lend_follows_the_switch(void **state)
{
	uint8_t desc[512];
	uint64_t pins, handle = 0;
	struct env e;
	size_t len;

	(void)state;
	env_setup(&e);
	if (FFAMED_CONFIG_MEM_LEND_DONATE) {
		sp_round(&e, FFA_MEM_LEND_64, NPAGES);
		sp_round(&e, FFA_MEM_LEND_32, BIG);
	}
	pins = fix_vm_pins(e.v);
	len = mb_simple(desc, sizeof(desc), FFAMED_FFA_VERSION, OWNER, MEMSP, 0, NULL, FIRST,
			NPAGES);
	mb_fit(desc, FFAMED_FFA_VERSION, FFA_MEM_DONATE_64);
	if (!FFAMED_CONFIG_MEM_LEND_DONATE) {
		assert_int_equal(
			mb_send(e.v, FFA_MEM_DONATE_32, desc, len, FFA_PAGE_SIZE, &handle, NULL),
			FFA_RET_NOT_SUPPORTED);
		assert_int_equal(
			mb_send(e.v, FFA_MEM_DONATE_64, desc, len, FFA_PAGE_SIZE, &handle, NULL),
			FFA_RET_NOT_SUPPORTED);
		mb_fit(desc, FFAMED_FFA_VERSION, FFA_MEM_LEND_64);
		assert_int_equal(
			mb_send(e.v, FFA_MEM_LEND_64, desc, len, FFA_PAGE_SIZE, &handle, NULL),
			FFA_RET_NOT_SUPPORTED);
		assert_int_equal(fix_vm_pins(e.v), pins);
		assert_int_equal(fix_vm_revoked_pages(e.v), 0);
		assert_int_equal(fix_fw_count(e.fix, FFA_MEM_LEND_64), 0);
		assert_int_equal(fix_fw_count(e.fix, FFA_MEM_DONATE_64), 0);
	}
	/* The owner can share the same pages right after. */
	sp_round(&e, FFA_MEM_SHARE_64, NPAGES);
	env_teardown(&e);
}

/* A share with a VM: a transaction only when VM borrowers are built in
 * (nothing else could retrieve it); else NOT_SUPPORTED, in one fragment or
 * several, with nothing pinned. Bad input still gets its own error. */
static void vm_receiver_follows_the_switch(void **state)
{
	size_t cap = 256 + 16 * (size_t)BIG;
	uint8_t *desc = malloc(cap);
	uint64_t pins, handle = 0;
	unsigned frags = 0;
	struct env e;
	size_t len;
	int32_t want = FFAMED_CONFIG_MEM_VM_BORROWERS ? FFA_RET_OK : FFA_RET_NOT_SUPPORTED;

	(void)state;
	assert_non_null(desc);
	env_setup(&e);
	pins = fix_vm_pins(e.v);
	for (int big = 0; big < 2; big++) {
		uint32_t n = big ? BIG : NPAGES;

		len = mb_simple(desc, cap, FFAMED_FFA_VERSION, OWNER, OTHER, FFA_MEM_PERM_DATA_RW,
				NULL, FIRST, n);
		assert_int_equal(
			mb_send(e.v, FFA_MEM_SHARE_64, desc, len, FFA_PAGE_SIZE, &handle, &frags),
			want);
		if (want == FFA_RET_OK) {
			assert_true(handle & FFA_HANDLE_HYP_ALLOCATED);
			assert_int_equal(mb_reclaim(e.v, handle, 0), FFA_RET_OK);
		}
		assert_int_equal(fix_vm_pins(e.v), pins);
	}
	/* An unknown receiver is still INVALID_PARAMETERS, not NOT_SUPPORTED. */
	len = mb_simple(desc, cap, FFAMED_FFA_VERSION, OWNER, 0x0033, FFA_MEM_PERM_DATA_RW, NULL,
			FIRST, NPAGES);
	assert_int_equal(mb_send(e.v, FFA_MEM_SHARE_64, desc, len, FFA_PAGE_SIZE, &handle, NULL),
			 FFA_RET_INVALID_PARAMETERS);
	/* Retrieve and relinquish are answered only when built in. */
	if (!FFAMED_CONFIG_MEM_VM_BORROWERS) {
		struct ffamed_regs r =
			fix_call(e.other, 0, FFA_MEM_RETRIEVE_REQ_64, 64, 64, 0, 0, 0);

		assert_true(ffa_is_error(&r));
		assert_int_equal(ffa_error_code(&r), FFA_RET_NOT_SUPPORTED);
		assert_int_equal(mb_relinquish(e.other, 0x1234, 0), FFA_RET_NOT_SUPPORTED);
	}
	sp_round(&e, FFA_MEM_SHARE_64, NPAGES);
	env_teardown(&e);
	free(desc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(share_with_sp),
		cmocka_unit_test(lend_follows_the_switch),
		cmocka_unit_test(vm_receiver_follows_the_switch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
