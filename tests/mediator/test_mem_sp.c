/* SPDX-License-Identifier: MIT */
/*
 * VM-to-SP memory transactions through the software SPMC and its memory SP
 * (MEMSP): every operation x guest format x SPMC format x {one fragment,
 * several} (guest FRAG_TX in, FRAG_TX to the SPMC out), the SP reading and
 * writing the data, reclaim, and rollback when the SPMC refuses.
 */
#include "mem_builder.h"

#include <stdlib.h>
#include <string.h>

#define OWNER  0x0001u
#define MEMSP  0x8004u
#define MEMSP2 0x8005u
#define FIRST  8u

struct sp_env {
	struct ffamed_sp_config cfg[2];
	struct ffamed_sp_memsp memsp, memsp2;
};

static struct fix *sp_fix(struct sp_env *e, uint32_t spmc_version, fix_fw_hook hook, void *arg)
{
	struct fix_opts o = {.spmc_version = spmc_version, .hook = hook, .hook_arg = arg};

	memset(e, 0, sizeof(*e));
	ffamed_sp_memsp_config(&e->cfg[0], &e->memsp, MEMSP, 1);
	ffamed_sp_memsp_config(&e->cfg[1], &e->memsp2, MEMSP2, 1);
	/* The SPs speak no newer a version than their SPMC. */
	for (int i = 0; spmc_version && i < 2; i++) {
		e->cfg[i].version = spmc_version;
		if (spmc_version < FFA_VERSION_1_2)
			e->cfg[i].properties &= ~FFA_PART_PROP_DIRECT_REQ2_RECV;
	}
	o.sps = e->cfg;
	o.sp_count = 2;
	return fix_create(&o);
}

/* One MEMSP command by direct request; returns the answer registers. */
static struct ffamed_regs memsp_cmd(struct fix_vm *v, uint16_t sp, uint32_t cmd, uint64_t handle,
				    uint32_t p3, uint32_t p4)
{
	struct ffamed_regs in = {{FFA_MSG_SEND_DIRECT_REQ_32, FFA_SENDER_RECEIVER(v->id, sp), 0,
				  cmd, (uint32_t)handle, handle >> 32, p3, p4}};
	struct ffamed_regs r = fix_call_regs(v, 0, &in);

	assert_int_equal((uint32_t)r.x[0], FFA_MSG_SEND_DIRECT_RESP_32);
	assert_int_equal((uint32_t)r.x[3], cmd);
	return r;
}

static int32_t memsp_status(const struct ffamed_regs *r)
{
	return (int32_t)(uint32_t)r->x[4];
}

static uint32_t fnv(uint32_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x01000193u;
	}
	return h;
}

static uint32_t owner_checksum(struct fix_vm *v, const uint32_t *pages, uint32_t n)
{
	uint32_t h = 0x811c9dc5u;

	for (uint32_t i = 0; i < n; i++)
		h = fnv(h, fix_vm_ptr(v, MB_IPA(pages[i])), FFA_PAGE_SIZE);
	return h;
}

static void one_case(uint32_t fid, uint32_t guest_v, uint32_t spmc_v, bool big)
{
	uint32_t n = big ? 300 : 3;
	size_t cap = 256 + 16 * (size_t)n;
	uint8_t *desc = malloc(cap);
	uint32_t *pages = calloc(n, sizeof(*pages));
	struct sp_env *e = calloc(1, sizeof(*e));
	struct fix *fix = sp_fix(e, spmc_v, NULL, NULL);
	struct fix_vm *v = fix_vm_new(fix, OWNER, 1, 640, true);
	bool donate = fid == FFA_MEM_DONATE_32 || fid == FFA_MEM_DONATE_64;
	bool lend = donate || fid == FFA_MEM_LEND_32 || fid == FFA_MEM_LEND_64;
	uint64_t handle = 0, pins, fw_frags;
	unsigned frags = 0;
	struct ffamed_regs r;
	size_t len;

	assert_int_equal(fix_vm_register(v, true), FFA_RET_OK);
	fix_negotiate(v, guest_v);
	fix_map_default(v, 1);
	pins = fix_vm_pins(v);
	/* Pages in a shuffled order: the SP sees them in descriptor order. */
	for (uint32_t i = 0; i < n; i++) {
		pages[i] = FIRST + (i * 7u) % n;
		for (size_t b = 0; b < FFA_PAGE_SIZE; b += 64)
			((uint8_t *)fix_vm_ptr(v, MB_IPA(pages[i])))[b] = (uint8_t)(i + b);
	}
	len = mb_simple(desc, cap, guest_v, OWNER, MEMSP, donate ? 0 : FFA_MEM_PERM_DATA_RW, pages,
			0, n);
	mb_fit(desc, guest_v, fid);
	fw_frags = fix_fw_count(fix, FFA_MEM_FRAG_TX);
	assert_int_equal(mb_send(v, fid, desc, len, FFA_PAGE_SIZE, &handle, &frags), FFA_RET_OK);
	assert_false(handle & FFA_HANDLE_HYP_ALLOCATED); /* the SPMC's */
	assert_int_equal(frags > 0, big);
	assert_int_equal(fix_fw_count(fix, FFA_MEM_FRAG_TX) > fw_frags, big);
	assert_int_equal(fix_vm_pins(v), pins + n);
	assert_int_equal(fix_vm_revoked_pages(v), lend ? n : 0);
	assert_int_equal(ffamed_spmc_mem_handle_count(fix->spmc), 1);

	r = memsp_cmd(v, MEMSP, FFAMED_MEMSP_CMD_RETRIEVE, handle, FFAMED_MEMSP_ACCESS_RW, 0);
	assert_int_equal(memsp_status(&r), 0);
	assert_int_equal((uint32_t)r.x[5], n);
	r = memsp_cmd(v, MEMSP, FFAMED_MEMSP_CMD_CHECKSUM, handle, 0, n * FFA_PAGE_SIZE);
	assert_int_equal(memsp_status(&r), 0);
	assert_int_equal((uint32_t)r.x[5], owner_checksum(v, pages, n));
	/* The SP writes page 1 of the region: it is the owner's pages[1]. */
	r = memsp_cmd(v, MEMSP, FFAMED_MEMSP_CMD_FILL, handle, FFA_PAGE_SIZE + 8, (4u << 8) | 0x5A);
	assert_int_equal(memsp_status(&r), 0);
	assert_int_equal(((uint8_t *)fix_vm_ptr(v, MB_IPA(pages[1])))[9], 0x5A);
	r = memsp_cmd(v, MEMSP, FFAMED_MEMSP_CMD_READ32, handle, FFA_PAGE_SIZE + 8, 0);
	assert_int_equal((uint32_t)r.x[5], 0x5A5A5A5Au);

	if (donate) {
		/* The SP owns them now: no handle, no access, pinned for good. */
		assert_int_equal(mb_reclaim(v, handle, 0), FFA_RET_INVALID_PARAMETERS);
		assert_int_equal(fix_vm_revoked_pages(v), n);
		fix_vm_destroy(v);
		ffamed_destroy(fix->med);
		fix->med = NULL;
		assert_int_equal(fix_vm_pins(v), n);
		fix_vm_reclaim_quarantined(v);
		fix_destroy(fix);
		goto out;
	}
	assert_int_equal(mb_reclaim(v, handle, 0), FFA_RET_DENIED); /* the SP holds it */
	assert_int_equal(fix_vm_pins(v), pins + n);
	r = memsp_cmd(v, MEMSP, FFAMED_MEMSP_CMD_RELINQUISH, handle, 0, 0);
	assert_int_equal(memsp_status(&r), 0);
	assert_int_equal(mb_reclaim(v, handle, 0), FFA_RET_OK);
	assert_int_equal(mb_reclaim(v, handle, 0), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(fix_vm_pins(v), pins);
	assert_int_equal(fix_vm_revoked_pages(v), 0);
	assert_int_equal(ffamed_spmc_mem_handle_count(fix->spmc), 0);
	fix_vm_destroy(v);
	fix_destroy(fix);
out:
	free(e);
	free(pages);
	free(desc);
}

static void test_matrix(void **state)
{
	static const uint32_t fids[] = {FFA_MEM_SHARE_32, FFA_MEM_SHARE_64,  FFA_MEM_LEND_32,
					FFA_MEM_LEND_64,  FFA_MEM_DONATE_32, FFA_MEM_DONATE_64};
	static const uint32_t vs[] = {FFA_VERSION_1_0, FFA_VERSION_1_1, FFA_VERSION_1_2};

	(void)state;
	for (unsigned f = 0; f < 6; f++)
		for (unsigned g = 0; g < 3; g++)
			for (int big = 0; big < 2; big++)
				one_case(fids[f], vs[g], vs[(g + f + (unsigned)big) % 3], big);
}

/* Physically contiguous guest pages go to the SPMC as one constituent. */
static void test_coalesce(void **state)
{
	struct sp_env e;
	struct fix *fix = sp_fix(&e, 0, NULL, NULL);
	struct fix_vm *v = fix_vm_new(fix, OWNER, 1, 64, false); /* contiguous RAM */
	uint8_t desc[1024];
	uint64_t handle = 0;
	struct ffamed_regs r;
	size_t len;

	(void)state;
	assert_int_equal(fix_vm_register(v, true), FFA_RET_OK);
	fix_negotiate(v, FFA_VERSION_1_2);
	fix_map_default(v, 1);
	len = mb_simple(desc, sizeof(desc), FFA_VERSION_1_2, OWNER, MEMSP, FFA_MEM_PERM_DATA_RO,
			NULL, FIRST, 16);
	assert_int_equal(mb_send(v, FFA_MEM_SHARE_32, desc, len, FFA_PAGE_SIZE, &handle, NULL),
			 FFA_RET_OK);
	{
		struct ffamed_sp_mem_region reg;
		struct ffamed_sp *sp = ffamed_spmc_find_sp(fix->spmc, MEMSP2);

		/* MEMSP2 is not a borrower; MEMSP sees one range. */
		assert_non_null(sp);
		assert_int_equal(ffamed_sp_mem_retrieve(sp, handle, 0, FFA_MEM_PERM_DATA_RO, &reg),
				 FFA_RET_DENIED);
		sp = ffamed_spmc_find_sp(fix->spmc, MEMSP);
		assert_int_equal(ffamed_sp_mem_retrieve(sp, handle, 0, FFA_MEM_PERM_DATA_RO, &reg),
				 FFA_RET_OK);
		assert_int_equal(reg.range_count, 1);
		assert_int_equal(reg.total_pages, 16);
		assert_int_equal(reg.ranges[0].pa, v->page_pa[FIRST]);
		ffamed_sp_mem_region_free(sp, &reg);
		assert_int_equal(ffamed_sp_mem_relinquish(sp, handle, 0), FFA_RET_OK);
	}
	r = memsp_cmd(v, MEMSP, FFAMED_MEMSP_CMD_RETRIEVE, handle, FFAMED_MEMSP_ACCESS_RW, 0);
	assert_int_equal(memsp_status(&r), FFA_RET_DENIED); /* shared read-only */
	assert_int_equal(mb_reclaim(v, handle, 0), FFA_RET_OK);
	fix_vm_destroy(v);
	fix_destroy(fix);
}

/* Two SP borrowers in one transaction; a VM with them is refused. */
static void test_two_sps_and_mixed(void **state)
{
	struct ffa_mem_constituent cons = {.address = MB_IPA(FIRST), .page_count = 2};
	struct mb_desc d = {
		.version = FFA_VERSION_1_1,
		.sender = OWNER,
		.attributes = FFA_MEM_ATTR_NORMAL_WB_INNER,
		.recv_count = 2,
		.recv = {{.id = MEMSP, .perm = FFA_MEM_PERM_DATA_RW},
			 {.id = MEMSP2, .perm = FFA_MEM_PERM_DATA_RO}},
		.cons_count = 1,
		.cons = &cons,
	};
	struct sp_env e;
	struct fix *fix = sp_fix(&e, 0, NULL, NULL);
	struct fix_vm *v = fix_vm(fix, OWNER, 1), *w = fix_vm(fix, 2, 1);
	uint8_t desc[512];
	uint64_t handle = 0, pins;
	struct ffamed_regs r;
	size_t len;

	(void)state;
	fix_negotiate(v, FFA_VERSION_1_1);
	fix_map_default(v, 1);
	pins = fix_vm_pins(v);
	len = mb_build(desc, sizeof(desc), &d);
	assert_int_equal(mb_send(v, FFA_MEM_SHARE_32, desc, len, FFA_PAGE_SIZE, &handle, NULL),
			 FFA_RET_OK);
	r = memsp_cmd(v, MEMSP2, FFAMED_MEMSP_CMD_RETRIEVE, handle, FFAMED_MEMSP_ACCESS_RO, 0);
	assert_int_equal(memsp_status(&r), 0);
	r = memsp_cmd(v, MEMSP, FFAMED_MEMSP_CMD_RETRIEVE, handle, FFAMED_MEMSP_ACCESS_RW, 0);
	assert_int_equal(memsp_status(&r), 0);
	r = memsp_cmd(v, MEMSP, FFAMED_MEMSP_CMD_RELINQUISH, handle, 0, 0);
	assert_int_equal(mb_reclaim(v, handle, 0), FFA_RET_DENIED); /* MEMSP2 still */
	r = memsp_cmd(v, MEMSP2, FFAMED_MEMSP_CMD_RELINQUISH, handle, 0, 0);
	assert_int_equal(mb_reclaim(v, handle, 0), FFA_RET_OK);

	/* SP + VM borrowers in one transaction: refused, nothing held. */
	d.recv[1].id = 2;
	len = mb_build(desc, sizeof(desc), &d);
	assert_int_equal(mb_send(v, FFA_MEM_SHARE_32, desc, len, FFA_PAGE_SIZE, NULL, NULL),
			 FFA_RET_NOT_SUPPORTED);
	assert_int_equal(fix_vm_pins(v), pins);
	assert_int_equal(fix_vm_revoked_pages(v), 0);
	fix_vm_destroy(w);
	fix_vm_destroy(v);
	fix_destroy(fix);
}

/* ---- The SPMC refuses: everything is undone -------------------------------------- */

struct fail_hook {
	uint32_t fid; /* fail this firmware call ... */
	int nth;      /* ... the nth time it is seen (1 = first) */
	int seen;
	bool bad_offset; /* instead: answer FRAG_RX with a wrong offset */
};

static bool fail_hook_fn(struct fix *fix, struct ffamed_regs *regs, void *arg)
{
	struct fail_hook *h = arg;
	uint32_t fid = (uint32_t)regs->x[0];

	(void)fix;
	if (fid != h->fid || ++h->seen != h->nth)
		return false;
	if (h->bad_offset) {
		/* Let the SPMC take it, then lie about the offset. */
		ffamed_spmc_call(fix->spmc, 0, regs);
		if ((uint32_t)regs->x[0] == FFA_MEM_FRAG_RX)
			regs->x[3] += 16;
		return true;
	}
	ffa_set_error(regs, FFA_RET_NO_MEMORY);
	return true;
}

static void rollback_case(struct fail_hook *h, bool lend, int32_t expect)
{
	uint32_t n = 300;
	size_t cap = 256 + 16 * (size_t)n;
	uint8_t *desc = malloc(cap);
	struct sp_env *e = calloc(1, sizeof(*e));
	struct fix *fix = sp_fix(e, 0, fail_hook_fn, h);
	struct fix_vm *v = fix_vm_new(fix, OWNER, 1, 640, true);
	uint64_t pins, handle = 0;
	size_t len;

	assert_int_equal(fix_vm_register(v, true), FFA_RET_OK);
	fix_negotiate(v, FFA_VERSION_1_2);
	fix_map_default(v, 1);
	pins = fix_vm_pins(v);
	len = mb_simple(desc, cap, FFA_VERSION_1_2, OWNER, MEMSP, FFA_MEM_PERM_DATA_RW, NULL, FIRST,
			n);
	mb_fit(desc, FFA_VERSION_1_2, lend ? FFA_MEM_LEND_32 : FFA_MEM_SHARE_32);
	assert_int_equal(mb_send(v, lend ? FFA_MEM_LEND_32 : FFA_MEM_SHARE_32, desc, len,
				 FFA_PAGE_SIZE, NULL, NULL),
			 expect);
	assert_int_equal(fix_vm_pins(v), pins);
	assert_int_equal(fix_vm_revoked_pages(v), 0);
	assert_int_equal(ffamed_spmc_mem_handle_count(fix->spmc), 0);
	/* The same pages can be sent again: nothing was left claimed. */
	h->fid = 0;
	mb_fit(desc, FFA_VERSION_1_2, FFA_MEM_LEND_32);
	assert_int_equal(mb_send(v, FFA_MEM_LEND_32, desc, len, FFA_PAGE_SIZE, &handle, NULL),
			 FFA_RET_OK);
	assert_int_equal(mb_reclaim(v, handle, 0), FFA_RET_OK);
	fix_vm_destroy(v);
	fix_destroy(fix);
	free(e);
	free(desc);
}

static void test_rollback(void **state)
{
	struct fail_hook first = {.fid = FFA_MEM_LEND_32, .nth = 1};
	struct fail_hook frag = {.fid = FFA_MEM_FRAG_TX, .nth = 1};
	struct fail_hook lie = {.fid = FFA_MEM_SHARE_32, .nth = 1, .bad_offset = true};

	(void)state;
	rollback_case(&first, true, FFA_RET_NO_MEMORY);
	rollback_case(&frag, true, FFA_RET_NO_MEMORY);
	/* A FRAG_RX at the wrong offset: the mediator drops the handle. */
	rollback_case(&lie, false, FFA_RET_ABORTED);
}

/* Teardown while an SP still holds the memory: deferred until it lets go. */
static void test_teardown_sp_holds(void **state)
{
	struct sp_env e;
	struct fix *fix = sp_fix(&e, 0, NULL, NULL);
	struct fix_vm *v = fix_vm(fix, OWNER, 1);
	uint8_t desc[512];
	uint64_t h1 = 0, h2 = 0;
	struct ffamed_regs r;
	size_t len;

	(void)state;
	fix_negotiate(v, FFA_VERSION_1_2);
	fix_map_default(v, 1);
	len = mb_simple(desc, sizeof(desc), FFA_VERSION_1_2, OWNER, MEMSP, FFA_MEM_PERM_DATA_RW,
			NULL, FIRST, 2);
	mb_fit(desc, FFA_VERSION_1_2, FFA_MEM_LEND_32);
	assert_int_equal(mb_send(v, FFA_MEM_LEND_32, desc, len, FFA_PAGE_SIZE, &h1, NULL),
			 FFA_RET_OK);
	len = mb_simple(desc, sizeof(desc), FFA_VERSION_1_2, OWNER, MEMSP, FFA_MEM_PERM_DATA_RW,
			NULL, FIRST + 4, 2);
	assert_int_equal(mb_send(v, FFA_MEM_SHARE_32, desc, len, FFA_PAGE_SIZE, &h2, NULL),
			 FFA_RET_OK);
	r = memsp_cmd(v, MEMSP, FFAMED_MEMSP_CMD_RETRIEVE, h1, FFAMED_MEMSP_ACCESS_RW, 0);
	assert_int_equal(memsp_status(&r), 0);

	/* h2 is reclaimed at once; h1 waits for the SP, pinned. */
	ffamed_vm_destroy(v->vm);
	v->vm = NULL;
	assert_int_equal(ffamed_spmc_mem_handle_count(fix->spmc), 1);
	assert_int_equal(fix_vm_pins(v), 2);
	assert_int_equal(fix_work_queued(fix), 1);
	{
		struct ffamed_mem_stats st;

		ffamed_get_mem_stats(fix->med, &st);
		assert_int_equal(st.transactions, 1);
		assert_int_equal(st.orphans, 1);
		assert_int_equal(st.pages, 2);
	}
	assert_int_equal(fix_work_run(fix), 1); /* still held: rescheduled */
	assert_int_equal(fix_vm_pins(v), 2);
	assert_int_equal(fix_work_queued(fix), 1);
	{
		struct ffamed_sp *sp = ffamed_spmc_find_sp(fix->spmc, MEMSP);

		assert_int_equal(ffamed_sp_mem_relinquish(sp, h1, 0), FFA_RET_OK);
	}
	assert_int_equal(fix_work_run(fix), 1);
	assert_int_equal(fix_vm_pins(v), 0);
	{
		struct ffamed_mem_stats st;

		ffamed_get_mem_stats(fix->med, &st);
		assert_int_equal(st.transactions + st.orphans + st.pages, 0);
	}
	assert_int_equal(fix_vm_revoked_pages(v), 0);
	assert_int_equal(ffamed_spmc_mem_handle_count(fix->spmc), 0);
	fix_vm_destroy(v);
	fix_destroy(fix);
}

/* Donate: reclaimable until the SP takes it, then the SP's for good. */
static void test_donate_to_sp(void **state)
{
	struct sp_env e;
	struct fix *fix = sp_fix(&e, 0, NULL, NULL);
	struct fix_vm *v = fix_vm(fix, OWNER, 1);
	uint8_t desc[512];
	uint64_t h = 0;
	uint32_t sum = 0x811c9dc5u;
	struct ffamed_regs r;
	size_t len;

	(void)state;
	fix_negotiate(v, FFA_VERSION_1_2);
	fix_map_default(v, 1);
	memset(fix_vm_ptr(v, MB_IPA(FIRST)), 0x3C, FFA_PAGE_SIZE);
	memset(fix_vm_ptr(v, MB_IPA(FIRST + 1)), 0xC3, FFA_PAGE_SIZE);
	for (int p = 0; p < 2; p++)
		sum = fnv(sum, fix_vm_ptr(v, MB_IPA(FIRST + (uint32_t)p)), FFA_PAGE_SIZE);
	len = mb_simple(desc, sizeof(desc), FFA_VERSION_1_2, OWNER, MEMSP, 0, NULL, FIRST, 2);
	mb_fit(desc, FFA_VERSION_1_2, FFA_MEM_DONATE_64);
	assert_int_equal(mb_send(v, FFA_MEM_DONATE_64, desc, len, FFA_PAGE_SIZE, &h, NULL),
			 FFA_RET_OK);
	assert_int_equal(fix_vm_revoked_pages(v), 2);
	/* Not taken yet: the donor can still have it back. */
	assert_int_equal(mb_reclaim(v, h, 0), FFA_RET_OK);
	assert_int_equal(fix_vm_revoked_pages(v), 0);
	assert_int_equal(mb_send(v, FFA_MEM_DONATE_32, desc, len, FFA_PAGE_SIZE, &h, NULL),
			 FFA_RET_OK);
	r = memsp_cmd(v, MEMSP, FFAMED_MEMSP_CMD_RETRIEVE, h, FFAMED_MEMSP_ACCESS_RW, 0);
	assert_int_equal(memsp_status(&r), 0);
	r = memsp_cmd(v, MEMSP, FFAMED_MEMSP_CMD_CHECKSUM, h, 0, 2 * FFA_PAGE_SIZE);
	assert_int_equal((uint32_t)r.x[5], sum);
	/* Taken: the handle and the pages are gone for the donor. */
	assert_int_equal(mb_reclaim(v, h, 0), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(mb_reclaim(v, h, 0), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(fix_vm_revoked_pages(v), 2);
	len = mb_simple(desc, sizeof(desc), FFA_VERSION_1_2, OWNER, MEMSP, FFA_MEM_PERM_DATA_RO,
			NULL, FIRST + 1, 1);
	assert_int_equal(mb_send(v, FFA_MEM_SHARE_32, desc, len, FFA_PAGE_SIZE, NULL, NULL),
			 FFA_RET_DENIED);
	/* Teardown: the SP's pages stay pinned, no retry is scheduled. */
	ffamed_vm_destroy(v->vm);
	v->vm = NULL;
	assert_int_equal(fix_vm_pins(v), 2);
	assert_int_equal(fix_work_queued(fix), 0);
	fix_vm_destroy(v);
	ffamed_destroy(fix->med);
	fix->med = NULL;
	assert_int_equal(fix_vm_pins(v), 2);
	/* What the operator does once the secure side lets go of them. */
	fix_vm_reclaim_quarantined(v);
	fix_destroy(fix);
}

/* A send to an SP in guest fragments: the SPMC holds its head from the
 * first fragment; every way of not finishing drops it there too. */
static void test_sp_fragment_aborts(void **state)
{
	struct sp_env e;
	struct fix *fix = sp_fix(&e, 0, NULL, NULL);
	struct fix_vm *v = fix_vm(fix, OWNER, 1);
	uint8_t desc[1024];
	uint64_t h, pins;
	struct ffamed_regs r;
	size_t len;

	(void)state;
	fix_negotiate(v, FFA_VERSION_1_2);
	fix_map_default(v, 1);
	pins = fix_vm_pins(v);
	len = mb_simple(desc, sizeof(desc), FFA_VERSION_1_2, OWNER, MEMSP, FFA_MEM_PERM_DATA_RW,
			NULL, FIRST, 8);
	mb_fit(desc, FFA_VERSION_1_2, FFA_MEM_LEND_32);
	mb_write_tx(v, 0, desc, len);
	/* Abandoned by RECLAIM of the handle the first FRAG_RX gave. */
	r = fix_call(v, 0, FFA_MEM_LEND_32, len, 112, 0, 0, 0);
	assert_int_equal((uint32_t)r.x[0], FFA_MEM_FRAG_RX);
	h = (uint32_t)r.x[1] | ((uint64_t)(uint32_t)r.x[2] << 32);
	assert_false(h & FFA_HANDLE_HYP_ALLOCATED); /* the SPMC's, final */
	assert_int_equal(ffamed_spmc_mem_handle_count(fix->spmc), 1);
	assert_int_equal(mb_reclaim(v, h, 0), FFA_RET_OK);
	assert_int_equal(ffamed_spmc_mem_handle_count(fix->spmc), 0);
	/* Broken: the last fragment makes two constituents overlap. */
	{
		uint8_t bad[1024];
		size_t cons = mb_comp_offset(FFA_VERSION_1_2, 1) + 16;
		uint64_t dup = MB_IPA(FIRST);

		memcpy(bad, desc, len);
		memcpy(bad + cons + 7 * 16, &dup, sizeof(dup));
		assert_int_equal(mb_send(v, FFA_MEM_LEND_32, bad, len, 112, NULL, NULL),
				 FFA_RET_INVALID_PARAMETERS);
		assert_int_equal(ffamed_spmc_mem_handle_count(fix->spmc), 0);
		assert_int_equal(fix_vm_pins(v), pins);
		assert_int_equal(fix_vm_revoked_pages(v), 0);
	}
	/* Broken by a bad fragment length. */
	mb_write_tx(v, 0, desc, len);
	r = fix_call(v, 0, FFA_MEM_LEND_32, len, 112, 0, 0, 0);
	assert_int_equal((uint32_t)r.x[0], FFA_MEM_FRAG_RX);
	assert_int_equal(ffamed_spmc_mem_handle_count(fix->spmc), 1);
	h = (uint32_t)r.x[1] | ((uint64_t)(uint32_t)r.x[2] << 32);
	r = fix_call(v, 0, FFA_MEM_FRAG_TX, (uint32_t)h, h >> 32, 4096, 0, 0);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffamed_spmc_mem_handle_count(fix->spmc), 0);
	/* A good one in fragments works, with the first FRAG_RX's handle. */
	assert_int_equal(mb_send(v, FFA_MEM_LEND_32, desc, len, 112, &h, NULL), FFA_RET_OK);
	r = memsp_cmd(v, MEMSP, FFAMED_MEMSP_CMD_RETRIEVE, h, FFAMED_MEMSP_ACCESS_RW, 0);
	assert_int_equal(memsp_status(&r), 0);
	assert_int_equal((uint32_t)r.x[5], 8);
	r = memsp_cmd(v, MEMSP, FFAMED_MEMSP_CMD_RELINQUISH, h, 0, 0);
	assert_int_equal(mb_reclaim(v, h, 0), FFA_RET_OK);
	/* Torn down half-way: the SPMC forgets it too. */
	len = mb_simple(desc, sizeof(desc), FFA_VERSION_1_2, OWNER, MEMSP, FFA_MEM_PERM_DATA_RW,
			NULL, FIRST, 8);
	mb_write_tx(v, 0, desc, len);
	r = fix_call(v, 0, FFA_MEM_SHARE_64, len, 112, 0, 0, 0);
	assert_int_equal((uint32_t)r.x[0], FFA_MEM_FRAG_RX);
	assert_int_equal(ffamed_spmc_mem_handle_count(fix->spmc), 1);
	fix_vm_destroy(v);
	assert_int_equal(ffamed_spmc_mem_handle_count(fix->spmc), 0);
	fix_destroy(fix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_coalesce),
		cmocka_unit_test(test_two_sps_and_mixed),
		cmocka_unit_test(test_rollback),
		cmocka_unit_test(test_teardown_sp_holds),
		cmocka_unit_test(test_donate_to_sp),
		cmocka_unit_test(test_sp_fragment_aborts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
