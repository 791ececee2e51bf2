/* SPDX-License-Identifier: MIT */
/*
 * The OP-TEE SP with memory shared by a guest, as Linux's OP-TEE driver
 * uses it: MEM_SHARE of the arg page, YIELDING_CALL_WITH_ARG (the SP
 * retrieves the page from the SPMC on first use and answers in the arg),
 * UNREGISTER_SHM (the SP relinquishes), MEM_RECLAIM (which then succeeds).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sys_fixture.h"

#define OPTEE	    FFAMED_SIM_OPTEE_ID
#define ARG_PAGE    20u
#define ARG_OFFSET  0x40u
#define PAGE_IPA(p) (FFAMED_POSIX_RAM_BASE + (uint64_t)(p)*FFA_PAGE_SIZE)

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t share_arg(struct sys_guest *g)
{
	struct ffac_mem_borrower b = {.id = OPTEE, .perm = FFA_MEM_PERM_DATA_RW};
	struct ffac_mem_range r = {.addr = PAGE_IPA(ARG_PAGE), .pages = 1};
	struct ffac_mem_send s = {.attributes = FFA_MEM_ATTR_NORMAL_WB_INNER,
				  .borrowers = &b,
				  .borrower_count = 1,
				  .ranges = &r,
				  .range_count = 1};
	uint64_t handle = 0;

	assert_int_equal(ffac_mem_share(&g->c, &s, &handle, NULL), FFA_RET_OK);
	return handle;
}

/* One OP-TEE call with w3..w7; the reply's w3 and w4. */
static void optee_call(struct sys_guest *g, uint32_t cmd, uint64_t handle, uint32_t off,
		       uint64_t out[5])
{
	uint64_t args[5] = {cmd, (uint32_t)handle, handle >> 32, off, 0};

	assert_int_equal(ffac_direct_req(&g->c, OPTEE, false, args, out, NULL), FFA_RET_OK);
}

static void yielding_call_through_shared_arg(void **state)
{
	(void)state;
	struct ffamed_sim *sim = sys_create(2, 1, false, 0);
	struct ffamed_sp_optee *optee = ffamed_sim_optee(sim);
	struct sys_guest g, other;
	uint8_t *arg;
	uint64_t handle, out[5];

	sys_guest_init(&g, ffamed_sim_find_vm(sim, 1), 0);
	sys_guest_up(&g, FFA_VERSION_1_2, true);
	sys_guest_init(&other, ffamed_sim_find_vm(sim, 2), 0);
	sys_guest_up(&other, FFA_VERSION_1_0, true);
	arg = ffamed_sim_guest_va(g.vm, PAGE_IPA(ARG_PAGE)) + ARG_OFFSET;
	memset(arg, 0, FFAMED_OPTEE_MSG_ARG_HDR);
	wr32(arg + FFAMED_OPTEE_MSG_ARG_CMD, 0x0);    /* OPEN_SESSION: no such TA */
	wr32(arg + FFAMED_OPTEE_MSG_ARG_RET, 0x1234); /* overwritten by the SP */
	handle = share_arg(&g);

	/* The SP retrieves on first use and answers through the arg. */
	optee_call(&g, FFAMED_OPTEE_YIELDING_CALL_WITH_ARG, handle, ARG_OFFSET, out);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[1], FFAMED_OPTEE_YIELDING_DONE);
	assert_int_equal(rd32(arg + FFAMED_OPTEE_MSG_ARG_RET), FFAMED_TEEC_ERROR_ITEM_NOT_FOUND);
	assert_int_equal(atomic_load(&optee->shm_retrieves), 1);
	/* The second call reuses the retrieve. */
	wr32(arg + FFAMED_OPTEE_MSG_ARG_CMD, FFAMED_OPTEE_MSG_CMD_CLOSE_SESSION);
	optee_call(&g, FFAMED_OPTEE_YIELDING_CALL_WITH_ARG, handle, ARG_OFFSET, out);
	assert_int_equal(rd32(arg + FFAMED_OPTEE_MSG_ARG_RET), FFAMED_TEEC_SUCCESS);
	assert_int_equal(atomic_load(&optee->shm_retrieves), 1);
	assert_int_equal(atomic_load(&optee->args_answered), 2);

	/* Another VM naming the handle gets nothing: the memory is VM 1's. */
	optee_call(&other, FFAMED_OPTEE_YIELDING_CALL_WITH_ARG, handle, ARG_OFFSET, out);
	assert_int_equal(out[0], FFAMED_TEEC_ERROR_BAD_PARAMETERS);
	/* An arg that would cross the end of the shared page: refused. */
	optee_call(&g, FFAMED_OPTEE_YIELDING_CALL_WITH_ARG, handle, FFA_PAGE_SIZE - 8, out);
	assert_int_equal(out[0], FFAMED_TEEC_ERROR_BAD_PARAMETERS);

	/* Reclaim while the SP holds it: DENIED; after UNREGISTER_SHM: done. */
	assert_int_equal(ffac_mem_reclaim(&g.c, handle, 0), FFA_RET_DENIED);
	optee_call(&g, FFAMED_OPTEE_UNREGISTER_SHM, handle, 0, out);
	assert_int_equal(out[0], 0);
	assert_int_equal(atomic_load(&optee->shm_relinquishes), 1);
	assert_int_equal(ffac_mem_reclaim(&g.c, handle, 0), FFA_RET_OK);
	sys_finish(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(yielding_call_through_shared_arg),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
