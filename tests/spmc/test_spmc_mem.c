/* SPDX-License-Identifier: MIT */
/*
 * Memory management at the software SPMC: sends from the hypervisor on
 * behalf of a VM in every layout, fragments, reclaim, retrieve/relinquish
 * by SPs (through the MEMSP), retrieval by the hypervisor, and every way a
 * descriptor can be malformed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

#include "spmc_mem_fixture.h"

static const uint32_t send_fids[] = {FFA_MEM_SHARE_32, FFA_MEM_LEND_64, FFA_MEM_DONATE_32};
static const uint32_t versions[] = {FFA_VERSION_1_0, FFA_VERSION_1_1, FFA_VERSION_1_2};

static uint8_t *page_va(struct fxm *m, uint64_t pa)
{
	return fx_va(m->f, pa);
}

/* Fills the ranges with a pattern and returns the FNV of their bytes in
 * descriptor order. */
static uint32_t fill_ranges(struct fxm *m, const struct fxm_range *r, uint32_t n, uint8_t seed)
{
	uint32_t h = 0x811c9dc5u;

	for (uint32_t i = 0; i < n; i++) {
		uint8_t *p = page_va(m, r[i].pa);
		size_t len = (size_t)r[i].pages * FX_PAGE;

		for (size_t j = 0; j < len; j++) {
			p[j] = (uint8_t)(j * 7 + i * 13 + seed);
			h = (h ^ p[j]) * 0x01000193u;
		}
	}
	return h;
}

static uint32_t range_pages(const struct fxm_range *r, uint32_t n)
{
	uint32_t t = 0;

	for (uint32_t i = 0; i < n; i++)
		t += r[i].pages;
	return t;
}

/* ---- Good paths ------------------------------------------------------------- */

static void good_path(uint32_t version, uint32_t fid, uint32_t borrowers, bool fragmented)
{
	static const struct fxm_range ranges[] = {
		{0, 2}, {0, 1}, {0, 3}, {0, 1}, {0, 1}, {0, 2},
	};
	struct fxm_range r[6];
	uint32_t n = 6;
	bool donate = FFA_FNUM(fid) == FFA_FNUM(FFA_MEM_DONATE_32);
	struct fxm *m = fxm_new(version, 1, NULL);
	struct fxm_desc d;
	uint8_t buf[FX_PAGE];
	uint64_t handle = 0;
	uint32_t frags = 0;
	uint32_t len;
	uint32_t sum;
	uint64_t out[5];

	/* Scattered, out of address order. */
	for (uint32_t i = 0; i < n; i++) {
		r[i] = ranges[i];
		r[i].pa = fx_pa(FXM_FIRST_PAGE + 40 - i * 5);
	}
	sum = fill_ranges(m, r, n, (uint8_t)version);
	fxm_desc_init(&d, version, fid, r, n);
	d.tag = 0;
	if (borrowers > 1) {
		d.attributes = FFA_MEM_ATTR_NORMAL_WB_INNER; /* given to several borrowers */
		d.recv_count = 2;
		d.recv[1].id = FXM_MEMSP_B;
		d.recv[1].perm = FFA_MEM_PERM_DATA_RO;
	}
	len = fxm_build(&d, buf, sizeof(buf), NULL);
	assert_int_equal(fxm_send(m, fid, buf, len, fragmented ? 32 : len, &handle, &frags), 0);
	if (fragmented)
		assert_true(frags > 2);
	else
		assert_int_equal(frags, 1);
	assert_int_equal(handle & FFA_HANDLE_HYP_ALLOCATED, 0);
	assert_true(handle != 0);
	assert_int_equal(ffamed_spmc_mem_handle_count(m->f->spmc), 1);

	fxm_memsp(m, FXM_MEMSP_A, FFAMED_MEMSP_CMD_RETRIEVE, handle, FFAMED_MEMSP_ACCESS_RW, 0,
		  out);
	assert_int_equal(out[0], FFAMED_MEMSP_CMD_RETRIEVE);
	assert_int_equal(out[1], 0);
	assert_int_equal(out[2], range_pages(r, n));
	assert_int_equal(out[3], 1);
	fxm_memsp(m, FXM_MEMSP_A, FFAMED_MEMSP_CMD_CHECKSUM, handle, 0,
		  (uint64_t)range_pages(r, n) * FX_PAGE, out);
	assert_int_equal(out[1], 0);
	assert_int_equal(out[2], sum);
	/* The word at the start of the second constituent. */
	fxm_memsp(m, FXM_MEMSP_A, FFAMED_MEMSP_CMD_READ32, handle, 2 * FX_PAGE, 0, out);
	assert_int_equal(out[1], 0);
	{
		uint32_t w;

		memcpy(&w, page_va(m, r[1].pa), 4);
		assert_int_equal(out[2], w);
	}
	if (borrowers > 1) {
		/* B was granted RO only. */
		fxm_memsp(m, FXM_MEMSP_B, FFAMED_MEMSP_CMD_RETRIEVE, handle, FFAMED_MEMSP_ACCESS_RW,
			  0, out);
		assert_int_equal((int32_t)out[1], FFA_RET_DENIED);
		fxm_memsp(m, FXM_MEMSP_B, FFAMED_MEMSP_CMD_RETRIEVE, handle, FFAMED_MEMSP_ACCESS_RO,
			  0, out);
		assert_int_equal(out[1], 0);
		fxm_memsp(m, FXM_MEMSP_B, FFAMED_MEMSP_CMD_CHECKSUM, handle, 0,
			  (uint64_t)range_pages(r, n) * FX_PAGE, out);
		assert_int_equal(out[2], sum);
		fxm_memsp(m, FXM_MEMSP_B, FFAMED_MEMSP_CMD_FILL, handle, 0, (16u << 8) | 0xAB, out);
		assert_int_equal((int32_t)out[1], FFA_RET_DENIED);
		fxm_memsp(m, FXM_MEMSP_B, FFAMED_MEMSP_CMD_RELINQUISH, handle, 0, 0, out);
		assert_int_equal(out[1], 0);
	}
	if (donate) {
		/* Donated memory now belongs to the SP: nothing to reclaim. */
		assert_int_equal(ffamed_spmc_mem_handle_count(m->f->spmc), 0);
		fx_assert_error((struct ffamed_regs[]){fxm_reclaim(m, handle, 0)},
				FFA_RET_INVALID_PARAMETERS);
		fxm_memsp(m, FXM_MEMSP_A, FFAMED_MEMSP_CMD_RELINQUISH, handle, 0, 0, out);
		assert_int_equal((int32_t)out[1], FFA_RET_INVALID_PARAMETERS);
	} else {
		fx_assert_error((struct ffamed_regs[]){fxm_reclaim(m, handle, 0)}, FFA_RET_DENIED);
		fxm_memsp(m, FXM_MEMSP_A, FFAMED_MEMSP_CMD_RELINQUISH, handle, 0, 0, out);
		assert_int_equal(out[1], 0);
		fx_assert_success((struct ffamed_regs[]){fxm_reclaim(m, handle, 0)});
		assert_int_equal(ffamed_spmc_mem_handle_count(m->f->spmc), 0);
	}
	fxm_free(m);
}

static void test_good_paths(void **state)
{
	(void)state;
	for (size_t v = 0; v < 3; v++)
		for (size_t o = 0; o < 3; o++)
			for (uint32_t b = 1; b <= 2; b++)
				for (int fr = 0; fr < 2; fr++) {
					if (b > 1 && o == 2)
						continue; /* donate: one borrower only */
					good_path(versions[v], send_fids[o], b, fr);
				}
}

static void test_handles_distinct(void **state)
{
	struct fxm *m = fxm_new(FFA_VERSION_1_2, 1, NULL);
	uint64_t handles[64];
	struct fxm_range r;
	struct fxm_desc d;

	(void)state;
	for (int i = 0; i < 64; i++) {
		r.pa = fx_pa(FXM_FIRST_PAGE + (uint32_t)i);
		r.pages = 1;
		fxm_desc_init(&d, FFA_VERSION_1_2, FFA_MEM_SHARE_64, &r, 1);
		assert_int_equal(fxm_send_desc(m, FFA_MEM_SHARE_64, &d, &handles[i]), 0);
		assert_int_equal(handles[i] & FFA_HANDLE_HYP_ALLOCATED, 0);
		assert_true(handles[i] != FFA_INVALID_HANDLE && handles[i] != 0);
		for (int j = 0; j < i; j++)
			assert_true(handles[i] != handles[j]);
	}
	assert_int_equal(ffamed_spmc_mem_handle_count(m->f->spmc), 64);
	for (int i = 0; i < 64; i++)
		fx_assert_success((struct ffamed_regs[]){fxm_reclaim(m, handles[i], 0)});
	fxm_free(m);
}

static void test_handle_limit(void **state)
{
	struct ffamed_spmc_config cfg = {.cpu_count = FX_CPUS, .mem_max_handles = 3};
	struct fxm *m = fxm_new(FFA_VERSION_1_2, 1, &cfg);
	struct fxm_range r[4];
	struct fxm_desc d;
	uint64_t h[4];

	(void)state;
	for (int i = 0; i < 4; i++) {
		r[i].pa = fx_pa(FXM_FIRST_PAGE + (uint32_t)i);
		r[i].pages = 1;
		fxm_desc_init(&d, FFA_VERSION_1_2, FFA_MEM_LEND_32, &r[i], 1);
		assert_int_equal(fxm_send_desc(m, FFA_MEM_LEND_32, &d, &h[i]),
				 i < 3 ? 0 : FFA_RET_NO_MEMORY);
	}
	fx_assert_success((struct ffamed_regs[]){fxm_reclaim(m, h[0], 0)});
	assert_int_equal(fxm_send_desc(m, FFA_MEM_LEND_32, &d, &h[3]), 0);
	fxm_free(m);
}

/* ---- Malformed descriptors ------------------------------------------------------ */

enum mutation {
	MUT_SENDER_HYP,
	MUT_SENDER_SECURE,
	MUT_HANDLE,
	MUT_FLAGS_BIT2,
	MUT_ZERO_SHARE,
	MUT_ATTR_NS,
	MUT_ATTR_HIGH,
	MUT_ATTR_DEVICE,
	MUT_ATTR_UNSPEC_SHARE,
	MUT_ATTR_NC,
	MUT_NO_EMAD,
	MUT_RECV_UNKNOWN_SP,
	MUT_RECV_VM,
	MUT_RECV_DUP,
	MUT_EMAD_FLAGS,
	MUT_COMP_DIFFERS,
	MUT_COMP_ZERO,
	MUT_COMP_UNALIGNED,
	MUT_COMP_IN_EMADS,
	MUT_PERM_DATA_UNSPEC,
	MUT_PERM_INST_NX,
	MUT_PERM_DATA_RESERVED,
	MUT_PERM_HIGH,
	MUT_CONST_UNALIGNED,
	MUT_CONST_ZERO_PAGES,
	MUT_CONST_OUTSIDE_RAM,
	MUT_CONST_WRAP,
	MUT_CONST_RESERVED,
	MUT_CONST_OVERLAP,
	MUT_TOTAL_PAGES_MORE,
	MUT_TOTAL_PAGES_LESS,
	MUT_TRAILING_BYTES,
	MUT_EMAD_SIZE,
	MUT_EMAD_OFFSET,
	MUT_HDR_RESERVED,
	MUT_COMP_RESERVED,
	MUT_COUNT,
};

/* Expected error per mutation (share, v1.2 layout). */
static int32_t mutate(enum mutation mu, struct fxm_desc *d, uint8_t *buf, uint32_t *len,
		      struct fxm_range *r)
{
	uint32_t comp = 48 + d->recv_count * 32;
	uint32_t v;

	switch (mu) {
	case MUT_SENDER_HYP:
		d->sender = 0;
		break;
	case MUT_SENDER_SECURE:
		d->sender = 0x8001;
		break;
	case MUT_HANDLE:
		d->handle = 5;
		break;
	case MUT_FLAGS_BIT2:
		d->flags = 4;
		break;
	case MUT_ZERO_SHARE:
		d->flags = FFA_MEM_FLAG_ZERO_MEMORY;
		break;
	case MUT_ATTR_NS:
		d->attributes |= FFA_MEM_ATTR_NS;
		break;
	case MUT_ATTR_HIGH:
		d->attributes |= 0x100;
		break;
	case MUT_ATTR_DEVICE:
		d->attributes = FFA_MEM_ATTR_TYPE_DEVICE;
		*len = fxm_build(d, buf, FX_PAGE, NULL);
		return FFA_RET_DENIED;
	case MUT_ATTR_UNSPEC_SHARE:
		d->attributes = 0;
		*len = fxm_build(d, buf, FX_PAGE, NULL);
		return FFA_RET_DENIED;
	case MUT_ATTR_NC:
		d->attributes = FFA_MEM_ATTR_TYPE_NORMAL | FFA_MEM_ATTR_CACHE_NC | 3;
		*len = fxm_build(d, buf, FX_PAGE, NULL);
		return FFA_RET_DENIED;
	case MUT_NO_EMAD:
		d->recv_count = 0;
		break;
	case MUT_RECV_UNKNOWN_SP:
		d->recv[0].id = 0x8099;
		break;
	case MUT_RECV_VM:
		d->recv[0].id = 3;
		break;
	case MUT_RECV_DUP:
		d->recv_count = 2;
		d->recv[1] = d->recv[0];
		break;
	case MUT_EMAD_FLAGS:
		d->recv[0].flags = 1;
		break;
	case MUT_COMP_DIFFERS:
		d->recv_count = 2;
		d->recv[1].id = FXM_MEMSP_B;
		d->recv[1].perm = FFA_MEM_PERM_DATA_RO;
		d->recv[1].comp_off = 48 + 2 * 32 + 16;
		break;
	case MUT_COMP_ZERO:
		*len = fxm_build(d, buf, FX_PAGE, NULL);
		memset(buf + 48 + 4, 0, 4);
		return FFA_RET_INVALID_PARAMETERS;
	case MUT_COMP_UNALIGNED:
		d->recv[0].comp_off = comp + 4;
		break;
	case MUT_COMP_IN_EMADS:
		d->recv[0].comp_off = 48 + 8;
		break;
	case MUT_PERM_DATA_UNSPEC:
		d->recv[0].perm = FFA_MEM_PERM_INST_NX & 0;
		break;
	case MUT_PERM_INST_NX:
		d->recv[0].perm = FFA_MEM_PERM_DATA_RW | FFA_MEM_PERM_INST_NX;
		break;
	case MUT_PERM_DATA_RESERVED:
		d->recv[0].perm = 3;
		break;
	case MUT_PERM_HIGH:
		d->recv[0].perm = FFA_MEM_PERM_DATA_RW | 0x10;
		break;
	case MUT_CONST_UNALIGNED:
		r[1].pa += 8;
		break;
	case MUT_CONST_ZERO_PAGES:
		r[1].pages = 0;
		break;
	case MUT_CONST_OUTSIDE_RAM:
		r[1].pa = fx_pa(FX_RAM_PAGES - 1);
		r[1].pages = 2;
		break;
	case MUT_CONST_WRAP:
		r[1].pa = 0xFFFFFFFFFFFFF000ull;
		r[1].pages = 2;
		break;
	case MUT_CONST_RESERVED:
		*len = fxm_build(d, buf, FX_PAGE, NULL);
		buf[comp + 16 + 12] = 1;
		return FFA_RET_INVALID_PARAMETERS;
	case MUT_CONST_OVERLAP:
		r[1].pa = r[0].pa + FX_PAGE; /* r[0] has 2 pages */
		break;
	case MUT_TOTAL_PAGES_MORE:
		d->total_pages_delta = 1;
		break;
	case MUT_TOTAL_PAGES_LESS:
		d->total_pages_delta = -1;
		break;
	case MUT_TRAILING_BYTES:
		*len = fxm_build(d, buf, FX_PAGE, NULL) + 16;
		return FFA_RET_INVALID_PARAMETERS;
	case MUT_EMAD_SIZE:
		*len = fxm_build(d, buf, FX_PAGE, NULL);
		v = 16;
		memcpy(buf + 24, &v, 4);
		return FFA_RET_INVALID_PARAMETERS;
	case MUT_EMAD_OFFSET:
		*len = fxm_build(d, buf, FX_PAGE, NULL);
		v = 56;
		memcpy(buf + 32, &v, 4);
		return FFA_RET_INVALID_PARAMETERS;
	case MUT_HDR_RESERVED:
		*len = fxm_build(d, buf, FX_PAGE, NULL);
		buf[40] = 1;
		return FFA_RET_INVALID_PARAMETERS;
	case MUT_COMP_RESERVED:
		*len = fxm_build(d, buf, FX_PAGE, NULL);
		buf[comp + 8] = 1;
		return FFA_RET_INVALID_PARAMETERS;
	default:
		fail();
	}
	*len = fxm_build(d, buf, FX_PAGE, NULL);
	return FFA_RET_INVALID_PARAMETERS;
}

static void test_malformed(void **state)
{
	struct fxm *m = fxm_new(FFA_VERSION_1_2, 1, NULL);
	uint8_t buf[FX_PAGE];

	(void)state;
	for (int mu = 0; mu < MUT_COUNT; mu++) {
		struct fxm_range r[3] = {{fx_pa(FXM_FIRST_PAGE), 2},
					 {fx_pa(FXM_FIRST_PAGE + 10), 1},
					 {fx_pa(FXM_FIRST_PAGE + 20), 3}};
		struct fxm_desc d;
		uint32_t len = 0;
		int32_t want;
		uint64_t h = 0;

		fxm_desc_init(&d, FFA_VERSION_1_2, FFA_MEM_SHARE_64, r, 3);
		want = mutate((enum mutation)mu, &d, buf, &len, r);
		if (fxm_send(m, FFA_MEM_SHARE_64, buf, len, len, &h, NULL) != want)
			fail_msg("mutation %d: expected %d", mu, want);
		assert_int_equal(ffamed_spmc_mem_handle_count(m->f->spmc), 0);
		/* Fragmented, the same mistake is found and the transaction is
		 * freed. */
		if (mu >= MUT_CONST_UNALIGNED && mu <= MUT_TOTAL_PAGES_LESS &&
		    fxm_send(m, FFA_MEM_SHARE_64, buf, len, 48 + 32 + 16 + 16, &h, NULL) != want)
			fail_msg("fragmented mutation %d: expected %d", mu, want);
		assert_int_equal(ffamed_spmc_mem_handle_count(m->f->spmc), 0);
	}
	fxm_free(m);
}

static void test_permission_rules(void **state)
{
	struct fxm *m = fxm_new(FFA_VERSION_1_2, 1, NULL);
	struct fxm_range r = {fx_pa(FXM_FIRST_PAGE), 1};
	struct fxm_desc d;
	uint64_t h;

	(void)state;
	/* Lend: one borrower may get X; two may not. */
	fxm_desc_init(&d, FFA_VERSION_1_2, FFA_MEM_LEND_64, &r, 1);
	d.recv[0].perm = FFA_MEM_PERM_DATA_RO | FFA_MEM_PERM_INST_X;
	assert_int_equal(fxm_send_desc(m, FFA_MEM_LEND_64, &d, &h), 0);
	fx_assert_success((struct ffamed_regs[]){fxm_reclaim(m, h, 0)});
	d.recv_count = 2;
	d.recv[1].id = FXM_MEMSP_B;
	d.recv[1].perm = FFA_MEM_PERM_DATA_RO;
	d.attributes = FFA_MEM_ATTR_NORMAL_WB_INNER; /* given to several borrowers */
	assert_int_equal(fxm_send_desc(m, FFA_MEM_LEND_64, &d, &h), FFA_RET_INVALID_PARAMETERS);
	/* A lend to one borrower leaves the attributes to it (as Linux does);
	 * giving them is INVALID (ACS lend_input_error_checks, Hafnium). */
	fxm_desc_init(&d, FFA_VERSION_1_2, FFA_MEM_LEND_64, &r, 1);
	assert_int_equal(d.attributes, 0);
	assert_int_equal(fxm_send_desc(m, FFA_MEM_LEND_64, &d, &h), 0);
	fx_assert_success((struct ffamed_regs[]){fxm_reclaim(m, h, 0)});
	d.attributes = FFA_MEM_ATTR_NORMAL_WB_INNER;
	assert_int_equal(fxm_send_desc(m, FFA_MEM_LEND_64, &d, &h), FFA_RET_INVALID_PARAMETERS);
	/* To several borrowers they must be given. */
	d.recv_count = 2;
	d.recv[1].id = FXM_MEMSP_B;
	d.recv[1].perm = FFA_MEM_PERM_DATA_RO;
	assert_int_equal(fxm_send_desc(m, FFA_MEM_LEND_64, &d, &h), 0);
	fx_assert_success((struct ffamed_regs[]){fxm_reclaim(m, h, 0)});
	d.attributes = 0;
	assert_int_equal(fxm_send_desc(m, FFA_MEM_LEND_64, &d, &h), FFA_RET_DENIED);
	/* A donate with attributes: INVALID, not DENIED (ACS
	 * donate_input_error_checks). */
	fxm_desc_init(&d, FFA_VERSION_1_2, FFA_MEM_DONATE_64, &r, 1);
	d.attributes = FFA_MEM_ATTR_NORMAL_WB_INNER;
	assert_int_equal(fxm_send_desc(m, FFA_MEM_DONATE_64, &d, &h), FFA_RET_INVALID_PARAMETERS);
	/* Donate: no access may be given, one borrower only. */
	fxm_desc_init(&d, FFA_VERSION_1_2, FFA_MEM_DONATE_64, &r, 1);
	d.recv[0].perm = FFA_MEM_PERM_DATA_RW;
	assert_int_equal(fxm_send_desc(m, FFA_MEM_DONATE_64, &d, &h), FFA_RET_INVALID_PARAMETERS);
	d.recv[0].perm = FFA_MEM_PERM_INST_NX;
	assert_int_equal(fxm_send_desc(m, FFA_MEM_DONATE_64, &d, &h), FFA_RET_INVALID_PARAMETERS);
	d.recv[0].perm = 0;
	d.recv_count = 2;
	d.recv[1].id = FXM_MEMSP_B;
	assert_int_equal(fxm_send_desc(m, FFA_MEM_DONATE_64, &d, &h), FFA_RET_INVALID_PARAMETERS);
	/* A lend with data access unspecified. */
	fxm_desc_init(&d, FFA_VERSION_1_2, FFA_MEM_LEND_32, &r, 1);
	d.recv[0].perm = 0;
	assert_int_equal(fxm_send_desc(m, FFA_MEM_LEND_32, &d, &h), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_spmc_mem_handle_count(m->f->spmc), 0);
	fxm_free(m);
}

static void test_register_checks(void **state)
{
	struct fxm *m = fxm_new(FFA_VERSION_1_2, 1, NULL);
	struct fxm_range r = {fx_pa(FXM_FIRST_PAGE), 1};
	struct fxm_desc d;
	uint32_t len;

	(void)state;
	fxm_desc_init(&d, FFA_VERSION_1_2, FFA_MEM_SHARE_32, &r, 1);
	len = fxm_build(&d, fxm_hyp_tx(m), FX_PAGE, NULL);
	fx_assert_error((struct ffamed_regs[]){fx_call(m->f, 0, FFA_MEM_SHARE_32, len, len + 16, 0,
						       0, 0, 0, 0)},
			FFA_RET_INVALID_PARAMETERS);
	fx_assert_error(
		(struct ffamed_regs[]){fx_call(m->f, 0, FFA_MEM_SHARE_32, 0, 0, 0, 0, 0, 0, 0)},
		FFA_RET_INVALID_PARAMETERS);
	fx_assert_error((struct ffamed_regs[]){fx_call(m->f, 0, FFA_MEM_SHARE_32, len, len,
						       fx_pa(40), 1, 0, 0, 0)},
			FFA_RET_INVALID_PARAMETERS);
	fx_assert_error(
		(struct ffamed_regs[]){fx_call(m->f, 0, FFA_MEM_SHARE_64, len, len, 0, 0, 1, 0, 0)},
		FFA_RET_INVALID_PARAMETERS);
	/* A fragment larger than the TX buffer. */
	fx_assert_error((struct ffamed_regs[]){fx_call(m->f, 0, FFA_MEM_SHARE_64, 2 * FX_PAGE,
						       2 * FX_PAGE, 0, 0, 0, 0, 0)},
			FFA_RET_INVALID_PARAMETERS);
	/* More than the descriptor limit. */
	fx_assert_error((struct ffamed_regs[]){fx_call(m->f, 0, FFA_MEM_SHARE_64, 0x7FFFFFFF, len,
						       0, 0, 0, 0, 0)},
			FFA_RET_NO_MEMORY);
	/* Without a TX buffer. */
	fx_assert_success(
		(struct ffamed_regs[]){fx_call(m->f, 0, FFA_RXTX_UNMAP, 0, 0, 0, 0, 0, 0, 0)});
	fx_assert_error(
		(struct ffamed_regs[]){fx_call(m->f, 0, FFA_MEM_SHARE_64, len, len, 0, 0, 0, 0, 0)},
		FFA_RET_DENIED);
	assert_int_equal(ffamed_spmc_mem_handle_count(m->f->spmc), 0);
	fxm_free(m);
}

/* ---- Fragments -------------------------------------------------------------- */

/* Starts a 3-constituent share in two fragments; returns the handle. */
static uint64_t start_fragmented(struct fxm *m, uint8_t *buf, uint32_t *len, uint32_t *first)
{
	static struct fxm_range r[3];
	struct fxm_desc d;
	struct ffamed_regs res;
	uint32_t co;

	r[0] = (struct fxm_range){fx_pa(FXM_FIRST_PAGE), 1};
	r[1] = (struct fxm_range){fx_pa(FXM_FIRST_PAGE + 2), 1};
	r[2] = (struct fxm_range){fx_pa(FXM_FIRST_PAGE + 4), 1};
	fxm_desc_init(&d, FFA_VERSION_1_2, FFA_MEM_SHARE_64, r, 3);
	*len = fxm_build(&d, buf, FX_PAGE, &co);
	*first = co + 16;
	memcpy(fxm_hyp_tx(m), buf, *first);
	res = fx_call(m->f, 0, FFA_MEM_SHARE_64, *len, *first, 0, 0, 0, 0, 0);
	assert_int_equal(res.x[0], FFA_MEM_FRAG_RX);
	assert_int_equal(res.x[3], *first);
	assert_int_equal(res.x[4], (uint64_t)FXM_VM << 16);
	return (uint32_t)res.x[1] | ((uint64_t)(uint32_t)res.x[2] << 32);
}

static struct ffamed_regs frag_tx(struct fxm *m, uint64_t h, uint32_t len, uint32_t w4)
{
	return fx_call(m->f, 0, FFA_MEM_FRAG_TX, (uint32_t)h, h >> 32, len, w4, 0, 0, 0);
}

static void test_fragment_errors(void **state)
{
	struct fxm *m = fxm_new(FFA_VERSION_1_2, 1, NULL);
	uint8_t buf[FX_PAGE];
	uint32_t len;
	uint32_t first;
	uint64_t h;
	uint64_t out[5];
	struct ffamed_regs r;

	(void)state;
	/* Cut inside a constituent, too long, wrong endpoint, MBZ bits, bad
	 * constituent: each aborts the transaction. */
	static const struct {
		uint32_t delta; /* added to the remaining length */
		uint32_t w4;
		bool corrupt;
	} bad[] = {
		{(uint32_t)-8, 0, false},
		{16, 0, false},
		{0, 7u << 16, false},
		{0, 1, false},
		{0, 0, true},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		h = start_fragmented(m, buf, &len, &first);
		assert_int_equal(ffamed_spmc_mem_handle_count(m->f->spmc), 1);
		/* Not retrievable while being assembled. */
		fxm_memsp(m, FXM_MEMSP_A, FFAMED_MEMSP_CMD_RETRIEVE, h, FFAMED_MEMSP_ACCESS_RW, 0,
			  out);
		assert_int_equal((int32_t)out[1], FFA_RET_INVALID_PARAMETERS);
		memcpy(fxm_hyp_tx(m), buf + first, len - first);
		if (bad[i].corrupt)
			fxm_hyp_tx(m)[4] = 1; /* unaligned address */
		r = frag_tx(m, h, len - first + bad[i].delta, bad[i].w4);
		assert_true(ffa_is_error(&r));
		assert_int_equal(ffamed_spmc_mem_handle_count(m->f->spmc), 0);
		fx_assert_error((struct ffamed_regs[]){frag_tx(m, h, 16, 0)},
				FFA_RET_INVALID_PARAMETERS);
	}
	/* The right endpoint ID is accepted, and 0 too. */
	h = start_fragmented(m, buf, &len, &first);
	memcpy(fxm_hyp_tx(m), buf + first, 16);
	r = frag_tx(m, h, 16, (uint32_t)FXM_VM << 16);
	assert_int_equal(r.x[0], FFA_MEM_FRAG_RX);
	assert_int_equal(r.x[3], first + 16);
	memcpy(fxm_hyp_tx(m), buf + first + 16, 16);
	r = frag_tx(m, h, 16, 0);
	fx_assert_success(&r);
	assert_int_equal((uint32_t)r.x[2] | ((uint64_t)(uint32_t)r.x[3] << 32), h);
	/* Complete now: no more fragments. */
	fx_assert_error((struct ffamed_regs[]){frag_tx(m, h, 16, 0)}, FFA_RET_INVALID_PARAMETERS);
	fx_assert_success((struct ffamed_regs[]){fxm_reclaim(m, h, 0)});
	/* Reclaim aborts a transaction being assembled. */
	h = start_fragmented(m, buf, &len, &first);
	fx_assert_success((struct ffamed_regs[]){fxm_reclaim(m, h, 0)});
	assert_int_equal(ffamed_spmc_mem_handle_count(m->f->spmc), 0);
	/* Unknown handle. */
	fx_assert_error((struct ffamed_regs[]){frag_tx(m, 0x1234, 16, 0)},
			FFA_RET_INVALID_PARAMETERS);
	fxm_free(m);
}

static void test_fragment_limit(void **state)
{
	struct ffamed_spmc_config cfg = {.cpu_count = FX_CPUS, .mem_max_fragments = 2};
	struct fxm *m = fxm_new(FFA_VERSION_1_2, 1, &cfg);
	uint8_t buf[FX_PAGE];
	uint32_t len;
	uint32_t first;
	uint64_t h = start_fragmented(m, buf, &len, &first);

	(void)state;
	memcpy(fxm_hyp_tx(m), buf + first, 16);
	assert_int_equal(frag_tx(m, h, 16, 0).x[0], FFA_MEM_FRAG_RX);
	memcpy(fxm_hyp_tx(m), buf + first + 16, 16);
	fx_assert_error((struct ffamed_regs[]){frag_tx(m, h, 16, 0)}, FFA_RET_NO_MEMORY);
	assert_int_equal(ffamed_spmc_mem_handle_count(m->f->spmc), 0);
	fxm_free(m);
}

/* ---- Pages in two transactions ---------------------------------------------------- */

static void test_overlap_other_transaction(void **state)
{
	struct fxm *m = fxm_new(FFA_VERSION_1_1, 1, NULL);
	struct fxm_range a = {fx_pa(FXM_FIRST_PAGE), 4};
	struct fxm_range b = {fx_pa(FXM_FIRST_PAGE + 3), 2};
	struct fxm_range c = {fx_pa(FXM_FIRST_PAGE + 4), 2};
	struct fxm_desc d;
	uint64_t ha;
	uint64_t hb;

	(void)state;
	fxm_desc_init(&d, FFA_VERSION_1_1, FFA_MEM_SHARE_32, &a, 1);
	assert_int_equal(fxm_send_desc(m, FFA_MEM_SHARE_32, &d, &ha), 0);
	fxm_desc_init(&d, FFA_VERSION_1_1, FFA_MEM_LEND_32, &b, 1);
	assert_int_equal(fxm_send_desc(m, FFA_MEM_LEND_32, &d, &hb), FFA_RET_DENIED);
	fxm_desc_init(&d, FFA_VERSION_1_1, FFA_MEM_LEND_32, &c, 1);
	assert_int_equal(fxm_send_desc(m, FFA_MEM_LEND_32, &d, &hb), 0);
	fx_assert_success((struct ffamed_regs[]){fxm_reclaim(m, ha, 0)});
	fxm_desc_init(&d, FFA_VERSION_1_1, FFA_MEM_LEND_32, &a, 1);
	assert_int_equal(fxm_send_desc(m, FFA_MEM_LEND_32, &d, &ha), 0);
	fx_assert_success((struct ffamed_regs[]){fxm_reclaim(m, ha, 0)});
	fx_assert_success((struct ffamed_regs[]){fxm_reclaim(m, hb, 0)});
	fxm_free(m);
}

/* ---- Reclaim ------------------------------------------------------------------ */

static void test_reclaim(void **state)
{
	struct fxm *m = fxm_new(FFA_VERSION_1_2, 1, NULL);
	struct fxm_range r = {fx_pa(FXM_FIRST_PAGE), 2};
	struct fxm_desc d;
	uint64_t h;
	uint64_t out[5];
	uint8_t *p = page_va(m, r.pa);

	(void)state;
	fxm_desc_init(&d, FFA_VERSION_1_2, FFA_MEM_LEND_64, &r, 1);
	assert_int_equal(fxm_send_desc(m, FFA_MEM_LEND_64, &d, &h), 0);
	/* Bad flags, foreign and unknown handles. */
	fx_assert_error((struct ffamed_regs[]){fxm_reclaim(m, h, 4)}, FFA_RET_INVALID_PARAMETERS);
	fx_assert_error((struct ffamed_regs[]){fxm_reclaim(m, h | FFA_HANDLE_HYP_ALLOCATED, 0)},
			FFA_RET_INVALID_PARAMETERS);
	fx_assert_error((struct ffamed_regs[]){fxm_reclaim(m, h ^ 1, 0)},
			FFA_RET_INVALID_PARAMETERS);
	fx_assert_error((struct ffamed_regs[]){fx_call(m->f, 0, FFA_MEM_RECLAIM, (uint32_t)h,
						       h >> 32, 0, 1, 0, 0, 0)},
			FFA_RET_INVALID_PARAMETERS);
	/* Retrieved twice: two relinquishes before it may be reclaimed. */
	fxm_memsp(m, FXM_MEMSP_A, FFAMED_MEMSP_CMD_RETRIEVE, h, FFAMED_MEMSP_ACCESS_RW, 0, out);
	assert_int_equal(out[1], 0);
	fxm_memsp(m, FXM_MEMSP_A, FFAMED_MEMSP_CMD_RETRIEVE, h, FFAMED_MEMSP_ACCESS_RO, 0, out);
	assert_int_equal(out[1], 0);
	assert_int_equal(ffamed_spmc_mem_retrieved(m->f->spmc, h, FXM_MEMSP_A), 2);
	fxm_memsp(m, FXM_MEMSP_A, FFAMED_MEMSP_CMD_FILL, h, 100, (200u << 8) | 0x5A, out);
	assert_int_equal(out[1], 0);
	assert_int_equal(p[99], 0);
	assert_int_equal(p[100], 0x5A);
	assert_int_equal(p[299], 0x5A);
	assert_int_equal(p[300], 0);
	fx_assert_error((struct ffamed_regs[]){fxm_reclaim(m, h, 0)}, FFA_RET_DENIED);
	fxm_memsp(m, FXM_MEMSP_A, FFAMED_MEMSP_CMD_RELINQUISH, h, 0, 0, out);
	assert_int_equal(out[1], 0);
	fx_assert_error((struct ffamed_regs[]){fxm_reclaim(m, h, 0)}, FFA_RET_DENIED);
	fxm_memsp(m, FXM_MEMSP_A, FFAMED_MEMSP_CMD_RELINQUISH, h, 0, 0, out);
	assert_int_equal(out[1], 0);
	fxm_memsp(m, FXM_MEMSP_A, FFAMED_MEMSP_CMD_RELINQUISH, h, 0, 0, out);
	assert_int_equal((int32_t)out[1], FFA_RET_INVALID_PARAMETERS);
	/* Clear on reclaim. */
	fx_assert_success((struct ffamed_regs[]){fxm_reclaim(m, h, FFA_MEM_FLAG_ZERO_MEMORY)});
	assert_int_equal(p[100], 0);
	/* Double reclaim. */
	fx_assert_error((struct ffamed_regs[]){fxm_reclaim(m, h, 0)}, FFA_RET_INVALID_PARAMETERS);
	/* A share is cleared by reclaim too, once no borrower holds it (ACS
	 * reclaim_input_error_checks). */
	fxm_desc_init(&d, FFA_VERSION_1_2, FFA_MEM_SHARE_64, &r, 1);
	assert_int_equal(fxm_send_desc(m, FFA_MEM_SHARE_64, &d, &h), 0);
	p[100] = 0x77;
	fx_assert_success((struct ffamed_regs[]){fxm_reclaim(m, h, FFA_MEM_FLAG_ZERO_MEMORY)});
	assert_int_equal(p[100], 0);
	fx_assert_error((struct ffamed_regs[]){fxm_reclaim(m, h, 0)}, FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(fxm_send_desc(m, FFA_MEM_SHARE_64, &d, &h), 0);
	fx_assert_success((struct ffamed_regs[]){fxm_reclaim(m, h, FFA_MEM_FLAG_TIME_SLICING)});
	fxm_free(m);
}

static void test_zero_before_retrieve(void **state)
{
	struct fxm *m = fxm_new(FFA_VERSION_1_2, 1, NULL);
	struct fxm_range r = {fx_pa(FXM_FIRST_PAGE), 1};
	struct fxm_desc d;
	uint64_t h;
	uint64_t out[5];

	(void)state;
	memset(page_va(m, r.pa), 0xEE, FX_PAGE);
	fxm_desc_init(&d, FFA_VERSION_1_2, FFA_MEM_LEND_64, &r, 1);
	d.flags = FFA_MEM_FLAG_ZERO_MEMORY;
	assert_int_equal(fxm_send_desc(m, FFA_MEM_LEND_64, &d, &h), 0);
	assert_int_equal(page_va(m, r.pa)[0], 0xEE);
	fxm_memsp(m, FXM_MEMSP_A, FFAMED_MEMSP_CMD_RETRIEVE, h, FFAMED_MEMSP_ACCESS_RW, 0, out);
	assert_int_equal(out[1], 0);
	fxm_memsp(m, FXM_MEMSP_A, FFAMED_MEMSP_CMD_CHECKSUM, h, 0, FX_PAGE, out);
	{
		static const uint8_t zero[FX_PAGE];

		assert_int_equal(out[2], fxm_fnv(zero, FX_PAGE));
	}
	fxm_memsp(m, FXM_MEMSP_A, FFAMED_MEMSP_CMD_RELINQUISH, h, 0, 0, out);
	fx_assert_success((struct ffamed_regs[]){fxm_reclaim(m, h, 0)});
	fxm_free(m);
}

/* ---- Retrieve by SPs ------------------------------------------------------------- */

static void test_retrieve_rules(void **state)
{
	struct fxm *m = fxm_new(FFA_VERSION_1_2, 1, NULL);
	struct fxm_range r = {fx_pa(FXM_FIRST_PAGE), 2};
	struct ffamed_sp *sp = ffamed_spmc_find_sp(m->f->spmc, FXM_MEMSP_A);
	struct ffamed_sp *echo = ffamed_spmc_find_sp(m->f->spmc, FX_ECHO_UP);
	struct ffamed_sp_mem_region reg;
	struct fxm_desc d;
	uint64_t h;
	uint64_t out[5];

	(void)state;
	fxm_desc_init(&d, FFA_VERSION_1_2, FFA_MEM_SHARE_64, &r, 1);
	d.recv[0].perm = FFA_MEM_PERM_DATA_RO;
	d.tag = 77;
	d.recv[0].impdef[3] = 9;
	assert_int_equal(fxm_send_desc(m, FFA_MEM_SHARE_64, &d, &h), 0);
	/* Non-borrowers. */
	fxm_memsp(m, FXM_MEMSP_B, FFAMED_MEMSP_CMD_RETRIEVE, h, FFAMED_MEMSP_ACCESS_RO, 0, out);
	assert_int_equal((int32_t)out[1], FFA_RET_DENIED);
	assert_int_equal(ffamed_sp_mem_retrieve(echo, h, 77, FFA_MEM_PERM_DATA_RO, &reg),
			 FFA_RET_DENIED);
	/* Wrong tag (the MEMSP quotes 0) and impdef. */
	fxm_memsp(m, FXM_MEMSP_A, FFAMED_MEMSP_CMD_RETRIEVE, h, FFAMED_MEMSP_ACCESS_RO, 0, out);
	assert_int_equal((int32_t)out[1], FFA_RET_INVALID_PARAMETERS);
	/* The SP-side API: RW on RO, X on NX, reserved bits. */
	assert_int_equal(ffamed_sp_mem_retrieve(sp, h, 77, FFA_MEM_PERM_DATA_RW, &reg),
			 FFA_RET_DENIED);
	assert_int_equal(
		ffamed_sp_mem_retrieve(sp, h, 77, FFA_MEM_PERM_DATA_RO | FFA_MEM_PERM_INST_X, &reg),
		FFA_RET_DENIED);
	assert_int_equal(ffamed_sp_mem_retrieve(sp, h, 77, 3, &reg), FFA_RET_INVALID_PARAMETERS);
	/* impdef mismatch: the API quotes zeros. */
	assert_int_equal(ffamed_sp_mem_retrieve(sp, h, 77, FFA_MEM_PERM_DATA_RO, &reg),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_sp_mem_retrieve(sp, h + 1, 77, 0, &reg),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_spmc_mem_retrieved(m->f->spmc, h, FXM_MEMSP_A), 0);
	/* Unretrieved handle at the MEMSP. */
	fxm_memsp(m, FXM_MEMSP_A, FFAMED_MEMSP_CMD_READ32, h, 0, 0, out);
	assert_int_equal((int32_t)out[1], FFA_RET_INVALID_PARAMETERS);
	fx_assert_success((struct ffamed_regs[]){fxm_reclaim(m, h, 0)});

	/* Now a share the MEMSP can take: RO, then reads out of range. */
	fxm_desc_init(&d, FFA_VERSION_1_2, FFA_MEM_SHARE_64, &r, 1);
	assert_int_equal(fxm_send_desc(m, FFA_MEM_SHARE_64, &d, &h), 0);
	assert_int_equal(ffamed_sp_mem_retrieve(sp, h, 0, 0, &reg), 0);
	assert_int_equal(reg.perm, FFA_MEM_PERM_DATA_RW | FFA_MEM_PERM_INST_NX);
	assert_int_equal(reg.sender, FXM_VM);
	assert_int_equal(reg.handle, h);
	assert_int_equal(reg.flags & FFA_MEM_FLAG_TYPE_MASK, FFA_MEM_FLAG_TYPE_SHARE);
	assert_int_equal(reg.attributes, FFA_MEM_ATTR_NORMAL_WB_INNER | FFA_MEM_ATTR_NS);
	assert_int_equal(reg.range_count, 1);
	assert_int_equal(reg.ranges[0].pa, r.pa);
	assert_non_null(ffamed_sp_mem_map(sp, reg.ranges[0].pa, 2 * FX_PAGE));
	ffamed_sp_mem_region_free(sp, &reg);
	assert_int_equal(ffamed_sp_mem_relinquish(sp, h, FFA_MEM_FLAG_ZERO_MEMORY),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_sp_mem_relinquish(sp, h, 0), 0);
	assert_int_equal(ffamed_sp_mem_relinquish(sp, h, 0), FFA_RET_INVALID_PARAMETERS);
	fxm_memsp(m, FXM_MEMSP_A, FFAMED_MEMSP_CMD_RETRIEVE, h, FFAMED_MEMSP_ACCESS_RO, 0, out);
	assert_int_equal(out[1], 0);
	fxm_memsp(m, FXM_MEMSP_A, FFAMED_MEMSP_CMD_FILL, h, 0, (4u << 8) | 1, out);
	assert_int_equal((int32_t)out[1], FFA_RET_DENIED);
	fxm_memsp(m, FXM_MEMSP_A, FFAMED_MEMSP_CMD_READ32, h, 2 * FX_PAGE - 4, 0, out);
	assert_int_equal(out[1], 0);
	fxm_memsp(m, FXM_MEMSP_A, FFAMED_MEMSP_CMD_READ32, h, 2 * FX_PAGE - 3, 0, out);
	assert_int_equal((int32_t)out[1], FFA_RET_INVALID_PARAMETERS);
	fxm_memsp(m, FXM_MEMSP_A, FFAMED_MEMSP_CMD_CHECKSUM, h, FX_PAGE, FX_PAGE + 1, out);
	assert_int_equal((int32_t)out[1], FFA_RET_INVALID_PARAMETERS);
	fxm_memsp(m, FXM_MEMSP_A, FFAMED_MEMSP_CMD_RETRIEVE, h, 3, 0, out);
	assert_int_equal((int32_t)out[1], FFA_RET_INVALID_PARAMETERS);
	fxm_memsp(m, FXM_MEMSP_A, 0x3E3E00FF, h, 0, 0, out);
	assert_int_equal((int32_t)out[1], FFA_RET_INVALID_PARAMETERS);
	/* Left retrieved at teardown: the MEMSP gives its lists back. */
	fxm_free(m);
}

/* A retrieve response in several fragments. */
static void test_large_retrieve(void **state)
{
	enum { N = 600 };
	struct fxm *m = fxm_new(FFA_VERSION_1_2, 1, NULL);
	static struct fxm_range r[N];
	static uint8_t buf[48 + 32 + 16 + N * 16];
	struct fxm_desc d;
	uint32_t frags;
	uint32_t len;
	uint32_t sum;
	uint64_t h;
	uint64_t out[5];

	(void)state;
	/* Every page its own constituent, in reverse order. */
	for (uint32_t i = 0; i < N; i++)
		r[i] = (struct fxm_range){fx_pa(FXM_FIRST_PAGE + N - 1 - i), 1};
	sum = fill_ranges(m, r, N, 3);
	fxm_desc_init(&d, FFA_VERSION_1_2, FFA_MEM_LEND_64, r, N);
	len = fxm_build(&d, buf, sizeof(buf), NULL);
	assert_int_equal(fxm_send(m, FFA_MEM_LEND_64, buf, len, FX_PAGE, &h, &frags), 0);
	assert_int_equal(frags, (len + FX_PAGE - 1) / FX_PAGE);
	fxm_memsp(m, FXM_MEMSP_A, FFAMED_MEMSP_CMD_RETRIEVE, h, FFAMED_MEMSP_ACCESS_RW, 0, out);
	assert_int_equal(out[1], 0);
	assert_int_equal(out[2], N);
	assert_int_equal(out[3], (len + FX_PAGE - 1) / FX_PAGE);
	fxm_memsp(m, FXM_MEMSP_A, FFAMED_MEMSP_CMD_CHECKSUM, h, 0, (uint64_t)N * FX_PAGE, out);
	assert_int_equal(out[2], sum);
	/* A word straddling two constituents. */
	fxm_memsp(m, FXM_MEMSP_A, FFAMED_MEMSP_CMD_READ32, h, FX_PAGE - 2, 0, out);
	assert_int_equal(out[1], 0);
	{
		const uint8_t *a = page_va(m, r[0].pa);
		const uint8_t *b = page_va(m, r[1].pa);
		uint32_t w = a[FX_PAGE - 2] | (uint32_t)a[FX_PAGE - 1] << 8 | (uint32_t)b[0] << 16 |
			     (uint32_t)b[1] << 24;

		assert_int_equal(out[2], w);
	}
	fxm_memsp(m, FXM_MEMSP_A, FFAMED_MEMSP_CMD_RELINQUISH, h, 0, 0, out);
	assert_int_equal(out[1], 0);
	fx_assert_success((struct ffamed_regs[]){fxm_reclaim(m, h, 0)});
	fxm_free(m);
}

/* 1 GiB in one transaction with the default limits: as one constituent,
 * then page by page (a 4 MiB descriptor in 1024 fragments). */
static void test_one_gib(void **state)
{
	enum { PAGES = 262144 };
	struct fxm *m = fxm_new_ram(FFA_VERSION_1_2, 1, NULL, FXM_FIRST_PAGE + PAGES);
	struct fxm_range one = {fx_pa(FXM_FIRST_PAGE), PAGES};
	struct fxm_range *r = calloc(PAGES, sizeof(*r));
	uint32_t cap = 48 + 32 + 16 + PAGES * 16;
	uint8_t *buf = malloc(cap);
	struct fxm_desc d;
	uint32_t frags;
	uint32_t len;
	uint64_t h;
	uint64_t out[5];

	(void)state;
	assert_non_null(r);
	assert_non_null(buf);
	fxm_desc_init(&d, FFA_VERSION_1_2, FFA_MEM_SHARE_64, &one, 1);
	assert_int_equal(fxm_send_desc(m, FFA_MEM_SHARE_64, &d, &h), 0);
	fxm_memsp(m, FXM_MEMSP_A, FFAMED_MEMSP_CMD_RETRIEVE, h, FFAMED_MEMSP_ACCESS_RW, 0, out);
	assert_int_equal(out[1], 0);
	assert_int_equal(out[2], PAGES);
	fxm_memsp(m, FXM_MEMSP_A, FFAMED_MEMSP_CMD_FILL, h, (uint64_t)PAGES * FX_PAGE - 4,
		  (4u << 8) | 0x7E, out);
	assert_int_equal(out[1], 0);
	assert_int_equal(page_va(m, fx_pa(FXM_FIRST_PAGE + PAGES - 1))[FX_PAGE - 1], 0x7E);
	fxm_memsp(m, FXM_MEMSP_A, FFAMED_MEMSP_CMD_RELINQUISH, h, 0, 0, out);
	fx_assert_success((struct ffamed_regs[]){fxm_reclaim(m, h, 0)});

	for (uint32_t i = 0; i < PAGES; i++)
		r[i] = (struct fxm_range){fx_pa(FXM_FIRST_PAGE + PAGES - 1 - i), 1};
	fxm_desc_init(&d, FFA_VERSION_1_2, FFA_MEM_LEND_64, r, PAGES);
	len = fxm_build(&d, buf, cap, NULL);
	assert_int_equal(fxm_send(m, FFA_MEM_LEND_64, buf, len, FX_PAGE, &h, &frags), 0);
	assert_int_equal(frags, (len + FX_PAGE - 1) / FX_PAGE);
	fxm_memsp(m, FXM_MEMSP_A, FFAMED_MEMSP_CMD_RETRIEVE, h, FFAMED_MEMSP_ACCESS_RO, 0, out);
	assert_int_equal(out[1], 0);
	assert_int_equal(out[2], PAGES);
	assert_int_equal(out[3], (len + FX_PAGE - 1) / FX_PAGE);
	/* Region offset 0 is the last page now. */
	fxm_memsp(m, FXM_MEMSP_A, FFAMED_MEMSP_CMD_READ32, h, FX_PAGE - 4, 0, out);
	assert_int_equal(out[1], 0);
	assert_int_equal(out[2], 0x7E7E7E7Eu);
	fxm_memsp(m, FXM_MEMSP_A, FFAMED_MEMSP_CMD_RELINQUISH, h, 0, 0, out);
	assert_int_equal(out[1], 0);
	fx_assert_success((struct ffamed_regs[]){fxm_reclaim(m, h, 0)});
	free(buf);
	free(r);
	fxm_free(m);
}

/* ---- Retrieval by the hypervisor --------------------------------------------------- */

static struct ffamed_regs hyp_retrieve(struct fxm *m, uint64_t h, uint16_t sender, uint32_t emads)
{
	uint8_t *tx = fxm_hyp_tx(m);
	uint32_t size = 48;
	uint32_t off = 48;

	memset(tx, 0, 128);
	memcpy(tx, &sender, 2);
	memcpy(tx + 8, &h, 8);
	memcpy(tx + 24, &(uint32_t){32}, 4);
	memcpy(tx + 28, &emads, 4);
	memcpy(tx + 32, &off, 4);
	if (emads)
		size += 32;
	return fx_call(m->f, 0, FFA_MEM_RETRIEVE_REQ_64, size, size, 0, 0, 0, 0, 0);
}

static void test_hyp_retrieve(void **state)
{
	enum { N = 300 };
	struct fxm *m = fxm_new(FFA_VERSION_1_2, 1, NULL);
	static struct fxm_range r[N];
	static uint8_t buf[48 + 2 * 32 + 16 + N * 16];
	static uint8_t got[sizeof(buf)];
	struct fxm_desc d;
	struct ffamed_regs res;
	uint32_t len;
	uint32_t have;
	uint64_t h;

	(void)state;
	for (uint32_t i = 0; i < N; i++)
		r[i] = (struct fxm_range){fx_pa(FXM_FIRST_PAGE + 2 * i), 1};
	fxm_desc_init(&d, FFA_VERSION_1_2, FFA_MEM_SHARE_64, r, N);
	d.recv_count = 2;
	d.recv[1].id = FXM_MEMSP_B;
	d.recv[1].perm = FFA_MEM_PERM_DATA_RO;
	d.tag = 0x55;
	len = fxm_build(&d, buf, sizeof(buf), NULL);
	assert_int_equal(fxm_send(m, FFA_MEM_SHARE_64, buf, len, FX_PAGE, &h, NULL), 0);

	res = hyp_retrieve(m, h, FXM_VM, 1);
	fx_assert_error(&res, FFA_RET_INVALID_PARAMETERS);
	res = hyp_retrieve(m, h, 9, 0);
	fx_assert_error(&res, FFA_RET_INVALID_PARAMETERS);
	res = hyp_retrieve(m, h + 1, 0, 0);
	fx_assert_error(&res, FFA_RET_INVALID_PARAMETERS);
	res = hyp_retrieve(m, h, FXM_VM, 0);
	assert_int_equal(res.x[0], FFA_MEM_RETRIEVE_RESP);
	assert_int_equal(res.x[1], len);
	assert_int_equal(res.x[2], FX_PAGE);
	memcpy(got, fxm_hyp_rx(m), FX_PAGE);
	have = FX_PAGE;
	/* The RX buffer must be released before the next fragment. */
	fx_assert_error((struct ffamed_regs[]){fx_call(m->f, 0, FFA_MEM_FRAG_RX, (uint32_t)h,
						       h >> 32, have, 0, 0, 0, 0)},
			FFA_RET_DENIED);
	while (have < len) {
		fx_assert_success((struct ffamed_regs[]){FX_CALL0(m->f, FFA_RX_RELEASE)});
		fx_assert_error(
			(struct ffamed_regs[]){fx_call(m->f, 0, FFA_MEM_FRAG_RX, (uint32_t)h,
						       h >> 32, have + 16, 0, 0, 0, 0)},
			FFA_RET_INVALID_PARAMETERS);
		res = fx_call(m->f, 0, FFA_MEM_FRAG_RX, (uint32_t)h, h >> 32, have, 0, 0, 0, 0);
		assert_int_equal(res.x[0], FFA_MEM_FRAG_TX);
		assert_true(res.x[3] > 0 && res.x[3] <= FX_PAGE);
		memcpy(got + have, fxm_hyp_rx(m), res.x[3]);
		have += (uint32_t)res.x[3];
	}
	assert_int_equal(have, len);
	fx_assert_success((struct ffamed_regs[]){FX_CALL0(m->f, FFA_RX_RELEASE)});
	/* Same descriptor, but handle, flags (type) and NS bit filled in. */
	{
		uint64_t hh;
		uint32_t flags;
		uint16_t attr;

		memcpy(&hh, got + 8, 8);
		memcpy(&flags, got + 4, 4);
		memcpy(&attr, got + 2, 2);
		assert_int_equal(hh, h);
		assert_int_equal(flags, FFA_MEM_FLAG_TYPE_SHARE);
		assert_int_equal(attr, FFA_MEM_ATTR_NORMAL_WB_INNER | FFA_MEM_ATTR_NS);
		assert_memory_equal(got + 16, buf + 16, 8);			  /* tag */
		assert_memory_equal(got + 48 + 64, buf + 48 + 64, len - 48 - 64); /* region */
		assert_int_equal(got[48 + 2], FFA_MEM_PERM_DATA_RW | FFA_MEM_PERM_INST_NX);
		assert_int_equal(got[48 + 32 + 2], FFA_MEM_PERM_DATA_RO | FFA_MEM_PERM_INST_NX);
	}
	/* Nothing more to hand out. */
	fx_assert_error((struct ffamed_regs[]){fx_call(m->f, 0, FFA_MEM_FRAG_RX, (uint32_t)h,
						       h >> 32, have, 0, 0, 0, 0)},
			FFA_RET_INVALID_PARAMETERS);
	fx_assert_success((struct ffamed_regs[]){fxm_reclaim(m, h, 0)});
	fxm_free(m);
}

static void test_hyp_retrieve_v10(void **state)
{
	struct fxm *m = fxm_new(FFA_VERSION_1_0, 1, NULL);

	(void)state;
	fx_assert_error((struct ffamed_regs[]){hyp_retrieve(m, 1, 0, 0)}, FFA_RET_NOT_SUPPORTED);
	fx_assert_error(
		(struct ffamed_regs[]){FX_CALL1(m->f, FFA_FEATURES, FFA_MEM_RETRIEVE_REQ_64)},
		FFA_RET_NOT_SUPPORTED);
	fxm_free(m);
}

/* ---- FFA_FEATURES and counters ------------------------------------------------------ */

static void test_features_and_counters(void **state)
{
	struct fxm *m = fxm_new(FFA_VERSION_1_2, 1, NULL);
	struct ffamed_regs r;

	(void)state;
	r = FX_CALL1(m->f, FFA_FEATURES, FFA_MEM_RETRIEVE_REQ_64);
	fx_assert_success(&r);
	assert_int_equal(r.x[2], FFA_MEM_RETRIEVE_PROP_NS_BIT | FFA_MEM_RETRIEVE_PROP_HYP_RETRIEVE);
	r = fx_call(m->f, 0, FFA_FEATURES, FFA_MEM_RETRIEVE_REQ_32, FFA_MEM_RETRIEVE_PROP_NS_BIT, 0,
		    0, 0, 0, 0);
	fx_assert_success(&r);
	r = fx_call(m->f, 0, FFA_FEATURES, FFA_MEM_RETRIEVE_REQ_32, 1, 0, 0, 0, 0, 0);
	fx_assert_error(&r, FFA_RET_NOT_SUPPORTED);
	r = FX_CALL1(m->f, FFA_FEATURES, FFA_MEM_LEND_32);
	fx_assert_success(&r);
	assert_int_equal(r.x[2], 0); /* no dynamically allocated buffers */
	r = fx_call(m->f, 0, FFA_FEATURES, FFA_MEM_SHARE_64, 1, 0, 0, 0, 0, 0);
	fx_assert_error(&r, FFA_RET_NOT_SUPPORTED);
	fx_assert_error((struct ffamed_regs[]){FX_CALL1(m->f, FFA_FEATURES, FFA_MEM_RELINQUISH)},
			FFA_RET_NOT_SUPPORTED);

	assert_int_equal(ffamed_spmc_call_count(m->f->spmc, FFA_MEM_RECLAIM), 0);
	fxm_reclaim(m, 1, 0);
	fxm_reclaim(m, 2, 0);
	FX_CALL0(m->f, FFA_MEM_SHARE_64);
	assert_int_equal(ffamed_spmc_call_count(m->f->spmc, FFA_MEM_RECLAIM), 2);
	assert_int_equal(ffamed_spmc_call_count(m->f->spmc, FFA_MEM_SHARE_64), 1);
	assert_int_equal(ffamed_spmc_call_count(m->f->spmc, FFA_MEM_SHARE_32), 0);
	fxm_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_paths),
		cmocka_unit_test(test_handles_distinct),
		cmocka_unit_test(test_handle_limit),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_permission_rules),
		cmocka_unit_test(test_register_checks),
		cmocka_unit_test(test_fragment_errors),
		cmocka_unit_test(test_fragment_limit),
		cmocka_unit_test(test_overlap_other_transaction),
		cmocka_unit_test(test_reclaim),
		cmocka_unit_test(test_zero_before_retrieve),
		cmocka_unit_test(test_retrieve_rules),
		cmocka_unit_test(test_large_retrieve),
		cmocka_unit_test(test_one_gib),
		cmocka_unit_test(test_hyp_retrieve),
		cmocka_unit_test(test_hyp_retrieve_v10),
		cmocka_unit_test(test_features_and_counters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
