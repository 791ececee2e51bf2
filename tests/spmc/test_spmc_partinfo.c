/* SPDX-License-Identifier: MIT */
/* FFA_PARTITION_INFO_GET and FFA_PARTITION_INFO_GET_REGS. */
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "spmc_fixture.h"

static const struct ffa_uuid echo_uuid = FFAMED_SP_ECHO_UUID;
static const struct ffa_uuid echo2_uuid = FX_UUID_ECHO2;
static const struct ffa_uuid optee_uuid = FFAMED_SP_OPTEE_UUID;
static const struct ffa_uuid vmwatch_uuid = FFAMED_SP_VMWATCH_UUID;
static const struct ffa_uuid req2_uuid = FX_UUID_REQ2;
static const struct ffa_uuid nil_uuid;

static struct ffamed_regs pig(struct fx *f, const struct ffa_uuid *u, uint32_t flags)
{
	return fx_call(f, 0, FFA_PARTITION_INFO_GET, ffa_uuid_w(u, 0), ffa_uuid_w(u, 1),
		       ffa_uuid_w(u, 2), ffa_uuid_w(u, 3), flags, 0, 0);
}

static const uint8_t *rx(struct fx *f)
{
	return fx_va(f, fx_pa(FX_HYP_RX_PAGE));
}

static struct ffa_partition_info_1_1 desc_at(struct fx *f, uint32_t i, uint32_t size)
{
	struct ffa_partition_info_1_1 d;

	memset(&d, 0, sizeof(d));
	memcpy(&d, rx(f) + (size_t)i * size, size < sizeof(d) ? size : sizeof(d));
	return d;
}

static void check_desc(struct fx *f, uint32_t i, uint32_t size, uint16_t id, uint16_t ctx,
		       uint32_t props, const struct ffa_uuid *uuid)
{
	struct ffa_partition_info_1_1 d = desc_at(f, i, size);

	assert_int_equal(d.id, id);
	assert_int_equal(d.exec_ctx_count, ctx);
	assert_int_equal(d.properties, props);
	if (size >= sizeof(d))
		assert_memory_equal(d.uuid, uuid->b, 16);
}

static void test_nil_v1_2(void **state)
{
	struct fx *f = *state;
	struct ffamed_regs r = pig(f, &nil_uuid, 0);

	fx_assert_success(&r);
	assert_int_equal(r.x[2], FX_STD_PAIRS);
	assert_int_equal(r.x[3], 24);
	check_desc(f, 0, 24, FX_ECHO_UP, 1, FFAMED_SP_ECHO_PROPS, &echo_uuid);
	check_desc(f, 1, 24, FX_ECHO_MP, FX_MP_CTX, FFAMED_SP_ECHO_PROPS, &echo_uuid);
	check_desc(f, 2, 24, FX_ECHO_MP, FX_MP_CTX, FFAMED_SP_ECHO_PROPS, &echo2_uuid);
	check_desc(f, 3, 24, FX_VMWATCH, 1, FFAMED_SP_VMWATCH_PROPS, &vmwatch_uuid);
	check_desc(f, 4, 24, FX_OPTEE, FX_MP_CTX, FFAMED_SP_OPTEE_PROPS, &optee_uuid);
	check_desc(f, 5, 24, FX_REQ2_ONLY, 1,
		   FFA_PART_PROP_DIRECT_REQ2_RECV | FFA_PART_PROP_AARCH64, &req2_uuid);
	assert_int_equal(ffamed_spmc_hyp_rx_owner(f->spmc), FFAMED_SPMC_RX_OWNER_NWD);
}

static void test_busy_until_released(void **state)
{
	struct fx *f = *state;

	fx_assert_success((struct ffamed_regs[]){pig(f, &nil_uuid, 0)});
	fx_assert_error((struct ffamed_regs[]){pig(f, &nil_uuid, 0)}, FFA_RET_BUSY);
	fx_assert_error((struct ffamed_regs[]){pig(f, &optee_uuid, 0)}, FFA_RET_BUSY);
	/* Count-only does not need the RX buffer. */
	fx_assert_success((struct ffamed_regs[]){pig(f, &nil_uuid, 1)});
	fx_assert_success((struct ffamed_regs[]){FX_CALL0(f, FFA_RX_RELEASE)});
	fx_assert_success((struct ffamed_regs[]){pig(f, &nil_uuid, 0)});
}

static void test_not_mapped_busy(void **state)
{
	struct fx *f = *state; /* v1.2, no pair */
	struct ffamed_regs r;

	fx_assert_error((struct ffamed_regs[]){pig(f, &nil_uuid, 0)}, FFA_RET_BUSY);
	r = pig(f, &nil_uuid, 1);
	fx_assert_success(&r);
	assert_int_equal(r.x[2], FX_STD_PAIRS);
}

static void test_count_only(void **state)
{
	struct fx *f = *state;
	uint8_t before[FX_PAGE];
	struct ffamed_regs r;

	memset(fx_va(f, fx_pa(FX_HYP_RX_PAGE)), 0xA5, FX_PAGE);
	memcpy(before, rx(f), FX_PAGE);
	r = pig(f, &nil_uuid, FFA_PARTITION_INFO_GET_COUNT_FLAG);
	fx_assert_success(&r);
	assert_int_equal(r.x[2], FX_STD_PAIRS);
	assert_int_equal(r.x[3], 0);
	assert_memory_equal(before, rx(f), FX_PAGE);
	assert_int_equal(ffamed_spmc_hyp_rx_owner(f->spmc), FFAMED_SPMC_RX_OWNER_SPMC);
	r = pig(f, &echo_uuid, FFA_PARTITION_INFO_GET_COUNT_FLAG);
	fx_assert_success(&r);
	assert_int_equal(r.x[2], 2);
	fx_assert_error((struct ffamed_regs[]){FX_CALL0(f, FFA_RX_RELEASE)}, FFA_RET_DENIED);
}

static void test_specific_uuid(void **state)
{
	struct fx *f = *state;
	struct ffamed_regs r;

	/* The UUID Linux's OP-TEE driver asks with. */
	r = fx_call(f, 0, FFA_PARTITION_INFO_GET, 0xe0786148, 0xe311f8e7, 0x02005ebc, 0x1bc5d5a5, 0,
		    0, 0);
	fx_assert_success(&r);
	assert_int_equal(r.x[2], 1);
	check_desc(f, 0, 24, FX_OPTEE, FX_MP_CTX, FFAMED_SP_OPTEE_PROPS, &nil_uuid);
	fx_assert_success((struct ffamed_regs[]){FX_CALL0(f, FFA_RX_RELEASE)});

	/* Two partitions share the echo UUID. */
	r = pig(f, &echo_uuid, 0);
	fx_assert_success(&r);
	assert_int_equal(r.x[2], 2);
	check_desc(f, 0, 24, FX_ECHO_UP, 1, FFAMED_SP_ECHO_PROPS, &nil_uuid);
	check_desc(f, 1, 24, FX_ECHO_MP, FX_MP_CTX, FFAMED_SP_ECHO_PROPS, &nil_uuid);
	fx_assert_success((struct ffamed_regs[]){FX_CALL0(f, FFA_RX_RELEASE)});

	/* A partition's second UUID. */
	r = pig(f, &echo2_uuid, 0);
	fx_assert_success(&r);
	assert_int_equal(r.x[2], 1);
	check_desc(f, 0, 24, FX_ECHO_MP, FX_MP_CTX, FFAMED_SP_ECHO_PROPS, &nil_uuid);
}

static void test_unknown_uuid(void **state)
{
	struct fx *f = *state;
	struct ffa_uuid u = echo_uuid;

	u.b[15] ^= 1;
	fx_assert_error((struct ffamed_regs[]){pig(f, &u, 0)}, FFA_RET_INVALID_PARAMETERS);
	fx_assert_error((struct ffamed_regs[]){pig(f, &u, 1)}, FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_spmc_hyp_rx_owner(f->spmc), FFAMED_SPMC_RX_OWNER_SPMC);
}

static void test_bad_flags(void **state)
{
	struct fx *f = *state;

	fx_assert_error((struct ffamed_regs[]){pig(f, &nil_uuid, 2)}, FFA_RET_INVALID_PARAMETERS);
	fx_assert_error((struct ffamed_regs[]){pig(f, &nil_uuid, 0x80000001u)},
			FFA_RET_INVALID_PARAMETERS);
	fx_assert_error(
		(struct ffamed_regs[]){fx_call(f, 0, FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0, 1, 0)},
		FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_spmc_hyp_rx_owner(f->spmc), FFAMED_SPMC_RX_OWNER_SPMC);
}

static void ready_at(void **state, uint32_t version)
{
	fx_setup_raw(state);
	assert_int_equal(fx_version(*state, version), FFA_VERSION_1_2);
	fx_map_hyp(*state, FX_HYP_TX_PAGE, FX_HYP_RX_PAGE, 1);
}

static void test_v1_1_caller(void **state)
{
	struct fx *f;
	struct ffamed_regs r;

	ready_at(state, FFA_VERSION_1_1);
	f = *state;
	r = pig(f, &nil_uuid, 0);
	fx_assert_success(&r);
	/* One entry per partition, with its first UUID. */
	assert_int_equal(r.x[2], FX_STD_SPS);
	assert_int_equal(r.x[3], 24);
	check_desc(f, 1, 24, FX_ECHO_MP, FX_MP_CTX, FFAMED_SP_ECHO_PROPS, &echo_uuid);
	check_desc(f, 2, 24, FX_VMWATCH, 1, FFAMED_SP_VMWATCH_PROPS, &vmwatch_uuid);
	fx_assert_success((struct ffamed_regs[]){FX_CALL0(f, FFA_RX_RELEASE)});
	r = pig(f, &nil_uuid, 1);
	assert_int_equal(r.x[2], FX_STD_SPS);
}

static void test_v1_0_caller(void **state)
{
	struct fx *f;
	struct ffamed_regs r;

	ready_at(state, FFA_VERSION_1_0);
	f = *state;
	memset(fx_va(f, fx_pa(FX_HYP_RX_PAGE)), 0xEE, FX_PAGE);
	r = pig(f, &nil_uuid, 0);
	fx_assert_success(&r);
	assert_int_equal(r.x[2], FX_STD_SPS);
	assert_int_equal(r.x[3], 8);
	/* 8-byte stride, properties cut to bits 2:0. */
	check_desc(f, 0, 8, FX_ECHO_UP, 1, FFAMED_SP_ECHO_PROPS & 7, NULL);
	check_desc(f, 1, 8, FX_ECHO_MP, FX_MP_CTX, FFAMED_SP_ECHO_PROPS & 7, NULL);
	check_desc(f, 2, 8, FX_VMWATCH, 1, FFAMED_SP_VMWATCH_PROPS & 7, NULL);
	check_desc(f, 4, 8, FX_REQ2_ONLY, 1, 0, NULL);
	/* Nothing written past the descriptors. */
	assert_int_equal(rx(f)[8 * FX_STD_SPS], 0xEE);
	fx_assert_success((struct ffamed_regs[]){FX_CALL0(f, FFA_RX_RELEASE)});
	/* w5 is MBZ at v1.0: no count-only form. */
	fx_assert_error((struct ffamed_regs[]){pig(f, &nil_uuid, 1)}, FFA_RET_INVALID_PARAMETERS);
}

static void test_fault_desc_size(void **state)
{
	struct fx *f = *state;
	struct ffamed_spmc_faults faults = {.partinfo_desc_size = 32};
	struct ffamed_regs r;

	ffamed_spmc_set_faults(f->spmc, &faults);
	memset(fx_va(f, fx_pa(FX_HYP_RX_PAGE)), 0xEE, FX_PAGE);
	r = pig(f, &nil_uuid, 0);
	fx_assert_success(&r);
	assert_int_equal(r.x[3], 32);
	check_desc(f, 3, 32, FX_VMWATCH, 1, FFAMED_SP_VMWATCH_PROPS, &vmwatch_uuid);
	assert_int_equal(rx(f)[24], 0); /* padding zeroed */
	fx_assert_success((struct ffamed_regs[]){FX_CALL0(f, FFA_RX_RELEASE)});

	faults.partinfo_desc_size = 16;
	ffamed_spmc_set_faults(f->spmc, &faults);
	r = pig(f, &nil_uuid, 0);
	assert_int_equal(r.x[3], 16);
	check_desc(f, 3, 16, FX_VMWATCH, 1, FFAMED_SP_VMWATCH_PROPS, NULL);
	fx_assert_success((struct ffamed_regs[]){FX_CALL0(f, FFA_RX_RELEASE)});

	/* Too big for the buffer. */
	faults.partinfo_desc_size = 4096;
	ffamed_spmc_set_faults(f->spmc, &faults);
	fx_assert_error((struct ffamed_regs[]){pig(f, &nil_uuid, 0)}, FFA_RET_NO_MEMORY);
	assert_int_equal(ffamed_spmc_hyp_rx_owner(f->spmc), FFAMED_SPMC_RX_OWNER_SPMC);
	fx_assert_success((struct ffamed_regs[]){pig(f, &optee_uuid, 0)}); /* one fits */
}

static void test_fault_nonsecure_entry(void **state)
{
	struct fx *f = *state;
	struct ffamed_spmc_faults faults = {.partinfo_include_nonsecure_id = true};
	struct ffamed_regs r;

	ffamed_spmc_set_faults(f->spmc, &faults);
	r = pig(f, &nil_uuid, 0);
	fx_assert_success(&r);
	assert_int_equal(r.x[2], FX_STD_PAIRS + 1);
	assert_int_equal(desc_at(f, FX_STD_PAIRS, 24).id, FFAMED_SPMC_BOGUS_NWD_ID);
	fx_assert_success((struct ffamed_regs[]){FX_CALL0(f, FFA_RX_RELEASE)});
	r = pig(f, &optee_uuid, 1);
	assert_int_equal(r.x[2], 1);
	r = pig(f, &nil_uuid, 1);
	assert_int_equal(r.x[2], FX_STD_PAIRS + 1);
}

/* ---- GET_REGS ------------------------------------------------------------------ */

#define REGS_SPS 7

static int setup_seven(void **state)
{
	struct fx *f = fx_new();

	for (uint32_t i = 0; i < REGS_SPS; i++) {
		ffamed_sp_echo_config(&f->sps[i], &f->echo_up, (uint16_t)(0x8010 + i),
				      (uint16_t)(1 + i % 2));
		f->sps[i].uuids[0].b[0] = (uint8_t)(0x40 + i);
	}
	f->sp_count = REGS_SPS;
	assert_int_equal(fx_create(f, NULL), 0);
	assert_int_equal(fx_version(f, FFA_VERSION_1_2), FFA_VERSION_1_2);
	*state = f;
	return 0;
}

static struct ffamed_regs pig_regs(struct fx *f, const struct ffa_uuid *u, uint64_t x3)
{
	return fx_call(f, 0, FFA_PARTITION_INFO_GET_REGS, ffa_uuid_x(u, 0), ffa_uuid_x(u, 1), x3, 0,
		       0, 0, 0);
}

static void check_reg_desc(const struct ffamed_regs *r, uint32_t slot, uint32_t sp)
{
	const uint64_t *d = &r->x[3 + 3 * slot];
	struct ffa_uuid u;

	assert_int_equal(d[0] & 0xFFFF, 0x8010 + sp);
	assert_int_equal((d[0] >> 16) & 0xFFFF, 1 + sp % 2);
	assert_int_equal(d[0] >> 32, FFAMED_SP_ECHO_PROPS);
	ffa_uuid_from_x(&u, d[1], d[2]);
	assert_int_equal(u.b[0], 0x40 + sp);
	assert_int_equal(u.b[15], 0x40);
}

static void test_regs_paging(void **state)
{
	struct fx *f = *state;
	struct ffamed_regs r = pig_regs(f, &nil_uuid, 0);

	assert_int_equal(r.x[0], FFA_SUCCESS_64);
	assert_int_equal(r.x[1], 0);
	assert_int_equal(r.x[2], FFA_PIG_REGS_X2(6, 4, 0, 24));
	for (uint32_t i = 0; i < 5; i++)
		check_reg_desc(&r, i, i);
	r = pig_regs(f, &nil_uuid, 5);
	assert_int_equal(r.x[0], FFA_SUCCESS_64);
	assert_int_equal(r.x[2], FFA_PIG_REGS_X2(6, 6, 0, 24));
	check_reg_desc(&r, 0, 5);
	check_reg_desc(&r, 1, 6);
	for (int i = 9; i < FFA_NREGS; i++)
		assert_int_equal(r.x[i], 0);
	/* Starting in the middle. */
	r = pig_regs(f, &nil_uuid, 3);
	assert_int_equal(r.x[2], FFA_PIG_REGS_X2(6, 6, 0, 24));
	check_reg_desc(&r, 3, 6);
	/* Past the end. */
	fx_assert_error((struct ffamed_regs[]){pig_regs(f, &nil_uuid, 7)},
			FFA_RET_INVALID_PARAMETERS);
	/* No RX/TX pair is needed. */
	assert_int_equal(ffamed_spmc_hyp_rx_owner(f->spmc), FFAMED_SPMC_RX_UNMAPPED);
}

static void test_regs_refusals(void **state)
{
	struct fx *f = *state;
	struct ffa_uuid u = nil_uuid;
	struct ffamed_regs r;

	fx_assert_error((struct ffamed_regs[]){pig_regs(f, &nil_uuid, 1u << 16)}, FFA_RET_RETRY);
	fx_assert_error((struct ffamed_regs[]){pig_regs(f, &nil_uuid, 1ull << 32)},
			FFA_RET_INVALID_PARAMETERS);
	r = fx_call(f, 0, FFA_PARTITION_INFO_GET_REGS, 0, 0, 0, 1, 0, 0, 0);
	fx_assert_error(&r, FFA_RET_INVALID_PARAMETERS);
	u.b[0] = 0x99;
	fx_assert_error((struct ffamed_regs[]){pig_regs(f, &u, 0)}, FFA_RET_INVALID_PARAMETERS);
	/* A specific UUID: one entry, UUID field empty. */
	u.b[0] = 0x42;
	memcpy(&u.b[1], &echo_uuid.b[1], 15);
	r = pig_regs(f, &u, 0);
	assert_int_equal(r.x[0], FFA_SUCCESS_64);
	assert_int_equal(r.x[2], FFA_PIG_REGS_X2(0, 0, 0, 24));
	assert_int_equal(r.x[3] & 0xFFFF, 0x8012);
	assert_int_equal(r.x[4], 0);
	assert_int_equal(r.x[5], 0);
}

static void test_regs_v1_1_refused(void **state)
{
	struct fx *f = *state;

	fx_version(f, FFA_VERSION_1_1);
	fx_assert_error((struct ffamed_regs[]){pig_regs(f, &nil_uuid, 0)}, FFA_RET_NOT_SUPPORTED);
}

static void test_regs_fault_size(void **state)
{
	struct fx *f = *state;
	struct ffamed_spmc_faults faults = {.partinfo_desc_size = 48};
	struct ffamed_regs r;

	ffamed_spmc_set_faults(f->spmc, &faults);
	r = pig_regs(f, &nil_uuid, 0);
	assert_int_equal(r.x[2] >> 48, 48);
}

int main(void)
{
#define T(fn, setup) cmocka_unit_test_setup_teardown(fn, setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_nil_v1_2, fx_setup_ready),
		T(test_busy_until_released, fx_setup_ready),
		T(test_not_mapped_busy, fx_setup_v12),
		T(test_count_only, fx_setup_ready),
		T(test_specific_uuid, fx_setup_ready),
		T(test_unknown_uuid, fx_setup_ready),
		T(test_bad_flags, fx_setup_ready),
		cmocka_unit_test_teardown(test_v1_1_caller, fx_teardown),
		cmocka_unit_test_teardown(test_v1_0_caller, fx_teardown),
		T(test_fault_desc_size, fx_setup_ready),
		T(test_fault_nonsecure_entry, fx_setup_ready),
		T(test_regs_paging, setup_seven),
		T(test_regs_refusals, setup_seven),
		T(test_regs_v1_1_refused, fx_setup_raw),
		T(test_regs_fault_size, setup_seven),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
