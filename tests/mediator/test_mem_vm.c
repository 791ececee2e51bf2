/* SPDX-License-Identifier: MIT */
/*
 * VM-to-VM memory transactions handled by the mediator itself: every
 * operation x descriptor format x {one fragment, several} (guest FRAG_TX on
 * the way in, FRAG_RX for the retrieve response on the way out), with the
 * data checked through the borrower's window and ownership checked through
 * the fixture's access state.
 */
#include "mem_builder.h"

#include <string.h>

#define OWNER	 0x0001u
#define BORROWER 0x0002u
#define FIRST	 8u /* first shared RAM page of the owner */

static const uint32_t versions[] = {FFA_VERSION_1_0, FFA_VERSION_1_1, FFA_VERSION_1_2};

struct pair {
	struct fix *fix;
	struct fix_vm *a, *b;
};

static void pair_setup(struct pair *p, uint32_t va, uint32_t vb, uint32_t ram, bool win_scatter)
{
	p->fix = fix_create(NULL);
	p->a = fix_vm_new(p->fix, OWNER, 2, ram, true);
	assert_int_equal(fix_vm_register(p->a, true), FFA_RET_OK);
	p->b = fix_vm_new(p->fix, BORROWER, 2, 64, true);
	assert_int_equal(fix_vm_register(p->b, true), FFA_RET_OK);
	p->b->win_scatter = win_scatter;
	fix_negotiate(p->a, va);
	fix_negotiate(p->b, vb);
	fix_map_default(p->a, 1);
	fix_map_default(p->b, 1);
}

static void pair_teardown(struct pair *p)
{
	fix_vm_destroy(p->b);
	fix_vm_destroy(p->a);
	fix_destroy(p->fix);
}

static uint8_t pattern(uint32_t page, size_t off)
{
	return (uint8_t)(page * 31u + off * 7u + 1u);
}

static void fill_owner(struct fix_vm *v, uint32_t first, uint32_t n)
{
	for (uint32_t p = 0; p < n; p++) {
		uint8_t *page = fix_vm_ptr(v, MB_IPA(first + p));

		for (size_t i = 0; i < FFA_PAGE_SIZE; i++)
			page[i] = pattern(first + p, i);
	}
}

/* The borrower's view, constituent by constituent, matches the owner's pages. */
static void check_window(struct fix_vm *b, const struct ffa_mem_constituent *cons, uint32_t ncons,
			 uint32_t first, uint32_t n)
{
	uint32_t page = 0;

	for (uint32_t c = 0; c < ncons; c++) {
		assert_true(cons[c].address >= FIX_WIN_BASE);
		for (uint32_t k = 0; k < cons[c].page_count; k++, page++) {
			const uint8_t *w =
				fix_vm_ptr(b, cons[c].address + (uint64_t)k * FFA_PAGE_SIZE);

			assert_int_equal(w[0], pattern(first + page, 0));
			assert_int_equal(w[FFA_PAGE_SIZE - 1],
					 pattern(first + page, FFA_PAGE_SIZE - 1));
		}
	}
	assert_int_equal(page, n);
}

enum { T_SHARE, T_LEND, T_DONATE };

static uint32_t op_fid(int op)
{
	return op == T_SHARE  ? FFA_MEM_SHARE_64
	       : op == T_LEND ? FFA_MEM_LEND_32
			      : FFA_MEM_DONATE_64;
}

static void one_case(int op, uint32_t va, uint32_t vb, bool big)
{
	uint32_t n = big ? 300 : 4;
	size_t cap = 64 + 16 * (size_t)n + 256;
	uint8_t *desc = malloc(cap), *resp = malloc(cap);
	struct ffa_mem_constituent *cons = calloc(n, sizeof(*cons));
	uint8_t perm = FFA_MEM_PERM_DATA_RW;
	unsigned frags = 0, rfrags = 0;
	uint64_t handle = 0, pins_a, pins_b;
	uint32_t ncons;
	struct pair p;
	size_t len, rlen = 0;

	pair_setup(&p, va, vb, big ? 512 : 64, big);
	pins_a = fix_vm_pins(p.a);
	pins_b = fix_vm_pins(p.b);
	fill_owner(p.a, FIRST, n);
	len = mb_simple(desc, cap, va, OWNER, BORROWER, perm, NULL, FIRST, n);
	mb_fit(desc, va, op_fid(op));
	assert_int_equal(mb_send(p.a, op_fid(op), desc, len, FFA_PAGE_SIZE, &handle, &frags),
			 FFA_RET_OK);
	assert_true(handle & FFA_HANDLE_HYP_ALLOCATED);
	assert_int_equal(frags > 0, big);
	assert_int_equal(fix_vm_pins(p.a), pins_a + n);
	{
		struct ffamed_mem_stats st;

		ffamed_get_mem_stats(p.fix->med, &st);
		assert_int_equal(st.transactions, 1);
		assert_int_equal(st.pages, n);
	}
	/* Lend and donate take the owner's access; share does not. */
	assert_int_equal(fix_vm_accessible(p.a, MB_IPA(FIRST)), op == T_SHARE);
	assert_int_equal(fix_vm_revoked_pages(p.a), op == T_SHARE ? 0 : n);

	assert_int_equal(mb_retrieve(p.b, vb, handle, OWNER, FFA_MEM_PERM_DATA_RW, 0, resp, cap,
				     &rlen, &rfrags),
			 FFA_RET_OK);
	assert_int_equal(rfrags > 0, big);
	ncons = mb_resp_cons(resp, rlen, vb, cons, n);
	/* A scattered window shows as one constituent per page. */
	assert_int_equal(ncons, big ? n : 1);
	check_window(p.b, cons, ncons, FIRST, n);
	assert_int_equal(fix_vm_window_pages(p.b), n);
	assert_true(fix_vm_window_writable(p.b, cons[0].address));

	/* The borrower writes; the owner's page holds it. */
	*(uint8_t *)fix_vm_ptr(p.b, cons[0].address + 5) = 0xA5;
	assert_int_equal(*(uint8_t *)fix_vm_ptr(p.a, MB_IPA(FIRST) + 5), 0xA5);

	if (op == T_DONATE) {
		/* Ownership moved: the donor has no handle and no access. */
		assert_int_equal(mb_reclaim(p.a, handle, 0), FFA_RET_INVALID_PARAMETERS);
		assert_int_equal(mb_relinquish(p.b, handle, 0), FFA_RET_DENIED);
		assert_false(fix_vm_accessible(p.a, MB_IPA(FIRST)));
		/* The donated pages cannot be sent again by the donor. */
		len = mb_simple(desc, cap, va, OWNER, BORROWER, perm, NULL, FIRST, 1);
		assert_int_equal(
			mb_send(p.a, FFA_MEM_SHARE_32, desc, len, FFA_PAGE_SIZE, NULL, NULL),
			FFA_RET_DENIED);
		/* The borrower's teardown ends it; the pins go with it. */
		fix_vm_destroy(p.b);
		assert_int_equal(fix_vm_pins(p.a), pins_a);
		fix_vm_destroy(p.a);
		fix_destroy(p.fix);
		goto out;
	}
	assert_int_equal(mb_reclaim(p.a, handle, 0), FFA_RET_DENIED); /* still retrieved */
	assert_int_equal(mb_relinquish(p.b, handle, 0), FFA_RET_OK);
	assert_int_equal(fix_vm_window_pages(p.b), 0);
	assert_int_equal(mb_relinquish(p.b, handle, 0), FFA_RET_DENIED);
	assert_int_equal(mb_reclaim(p.a, handle, 0), FFA_RET_OK);
	assert_int_equal(mb_reclaim(p.a, handle, 0), FFA_RET_INVALID_PARAMETERS); /* double */
	assert_true(fix_vm_accessible(p.a, MB_IPA(FIRST)));
	assert_int_equal(fix_vm_revoked_pages(p.a), 0);
	assert_int_equal(fix_vm_pins(p.a), pins_a);
	assert_int_equal(fix_vm_pins(p.b), pins_b);
	{
		struct ffamed_mem_stats st;

		ffamed_get_mem_stats(p.fix->med, &st);
		assert_int_equal(st.transactions + st.orphans + st.pages, 0);
	}
	pair_teardown(&p);
out:
	free(cons);
	free(resp);
	free(desc);
}

static void test_matrix(void **state)
{
	(void)state;
	for (int op = T_SHARE; op <= T_DONATE; op++)
		for (unsigned a = 0; a < 3; a++)
			for (int big = 0; big < 2; big++)
				one_case(op, versions[a], versions[(a + 1 + (unsigned)big) % 3],
					 big);
}

/* Fragments smaller than the TX buffer are the guest's right, as long as
 * the first holds the head (header, EMADs, composite header). */
static void test_small_fragments(void **state)
{
	uint8_t desc[512], resp[512];
	uint64_t handle = 0;
	unsigned frags = 0;
	struct pair p;
	size_t len, rlen;

	(void)state;
	pair_setup(&p, FFA_VERSION_1_2, FFA_VERSION_1_1, 64, false);
	len = mb_simple(desc, sizeof(desc), FFA_VERSION_1_2, OWNER, BORROWER, FFA_MEM_PERM_DATA_RO,
			NULL, FIRST, 24);
	assert_int_equal(mb_send(p.a, FFA_MEM_SHARE_32, desc, len, 112, &handle, &frags),
			 FFA_RET_OK);
	assert_true(frags >= 4);
	assert_int_equal(mb_retrieve(p.b, FFA_VERSION_1_1, handle, OWNER, 0, 0, resp, sizeof(resp),
				     &rlen, NULL),
			 FFA_RET_OK);
	/* Granted read-only: the window says so; asking RW is denied. */
	{
		struct ffa_mem_constituent c[8];

		assert_int_equal(mb_resp_cons(resp, rlen, FFA_VERSION_1_1, c, 8), 1);
		assert_false(fix_vm_window_writable(p.b, c[0].address));
	}
	assert_int_equal(mb_relinquish(p.b, handle, 0), FFA_RET_OK);
	assert_int_equal(mb_retrieve(p.b, FFA_VERSION_1_1, handle, OWNER, FFA_MEM_PERM_DATA_RW, 0,
				     resp, sizeof(resp), &rlen, NULL),
			 FFA_RET_DENIED);
	assert_int_equal(mb_reclaim(p.a, handle, 0), FFA_RET_OK);
	pair_teardown(&p);
}

/* Several borrowers, each retrieving on its own. */
static void test_two_borrowers(void **state)
{
	struct ffa_mem_constituent cons = {.address = MB_IPA(FIRST), .page_count = 2};
	struct mb_desc d = {
		.version = FFA_VERSION_1_2,
		.sender = OWNER,
		.attributes = FFA_MEM_ATTR_NORMAL_WB_INNER,
		.recv_count = 2,
		.recv = {{.id = BORROWER, .perm = FFA_MEM_PERM_DATA_RW},
			 {.id = 3, .perm = FFA_MEM_PERM_DATA_RO}},
		.cons_count = 1,
		.cons = &cons,
	};
	uint8_t desc[256], resp[256];
	uint64_t handle = 0;
	struct fix_vm *c;
	struct pair p;
	size_t len;

	(void)state;
	pair_setup(&p, FFA_VERSION_1_2, FFA_VERSION_1_2, 64, false);
	c = fix_vm(p.fix, 3, 1);
	fix_negotiate(c, FFA_VERSION_1_0);
	fix_map_default(c, 1);
	fill_owner(p.a, FIRST, 2);
	len = mb_build(desc, sizeof(desc), &d);
	assert_int_equal(mb_send(p.a, FFA_MEM_LEND_64, desc, len, FFA_PAGE_SIZE, &handle, NULL),
			 FFA_RET_OK);
	assert_int_equal(mb_retrieve(p.b, FFA_VERSION_1_2, handle, OWNER, 0, 0, resp, sizeof(resp),
				     NULL, NULL),
			 FFA_RET_OK);
	assert_int_equal(mb_retrieve(c, FFA_VERSION_1_0, handle, OWNER, FFA_MEM_PERM_DATA_RO,
				     FFA_MEM_FLAG_TYPE_LEND, resp, sizeof(resp), &len, NULL),
			 FFA_RET_OK);
	{
		struct ffa_mem_constituent got;

		assert_int_equal(mb_resp_cons(resp, len, FFA_VERSION_1_0, &got, 1), 1);
		assert_int_equal(got.page_count, 2);
		assert_int_equal(*(uint8_t *)fix_vm_ptr(c, got.address + FFA_PAGE_SIZE),
				 pattern(FIRST + 1, 0));
	}
	/* A wrong transaction type in the request is refused. */
	assert_int_equal(mb_relinquish(c, handle, 0), FFA_RET_OK);
	assert_int_equal(mb_retrieve(c, FFA_VERSION_1_0, handle, OWNER, FFA_MEM_PERM_DATA_RO,
				     FFA_MEM_FLAG_TYPE_SHARE, resp, sizeof(resp), NULL, NULL),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(mb_reclaim(p.a, handle, 0), FFA_RET_DENIED); /* B still has it */
	assert_int_equal(mb_relinquish(p.b, handle, 0), FFA_RET_OK);
	assert_int_equal(mb_reclaim(p.a, handle, FFA_MEM_FLAG_ZERO_MEMORY), FFA_RET_OK);
	/* Reclaim with the clear flag zeroed the pages. */
	assert_int_equal(*(uint8_t *)fix_vm_ptr(p.a, MB_IPA(FIRST)), 0);
	assert_true(fix_vm_accessible(p.a, MB_IPA(FIRST)));
	fix_vm_destroy(c);
	pair_teardown(&p);
}

/* Teardown with live transactions both ways: nothing stays pinned or mapped. */
static void test_teardown_live(void **state)
{
	uint8_t desc[512], resp[512];
	uint64_t h1 = 0, h2 = 0;
	struct pair p;
	size_t len;

	(void)state;
	pair_setup(&p, FFA_VERSION_1_2, FFA_VERSION_1_2, 64, false);
	len = mb_simple(desc, sizeof(desc), FFA_VERSION_1_2, OWNER, BORROWER, FFA_MEM_PERM_DATA_RW,
			NULL, FIRST, 3);
	mb_fit(desc, FFA_VERSION_1_2, FFA_MEM_LEND_32);
	assert_int_equal(mb_send(p.a, FFA_MEM_LEND_32, desc, len, FFA_PAGE_SIZE, &h1, NULL),
			 FFA_RET_OK);
	len = mb_simple(desc, sizeof(desc), FFA_VERSION_1_2, BORROWER, OWNER, FFA_MEM_PERM_DATA_RW,
			NULL, FIRST, 2);
	assert_int_equal(mb_send(p.b, FFA_MEM_SHARE_32, desc, len, FFA_PAGE_SIZE, &h2, NULL),
			 FFA_RET_OK);
	assert_int_equal(
		mb_retrieve(p.b, FFA_VERSION_1_2, h1, OWNER, 0, 0, resp, sizeof(resp), NULL, NULL),
		FFA_RET_OK);
	assert_int_equal(mb_retrieve(p.a, FFA_VERSION_1_2, h2, BORROWER, 0, 0, resp, sizeof(resp),
				     NULL, NULL),
			 FFA_RET_OK);
	/* The owner of h1 goes first: B loses its window on A's pages. */
	fix_vm_destroy(p.a);
	assert_int_equal(fix_vm_window_pages(p.b), 0);
	/* h2 was B's: A's window on it went with A; B reclaims it. */
	assert_int_equal(mb_reclaim(p.b, h2, 0), FFA_RET_OK);
	fix_vm_destroy(p.b);
	fix_destroy(p.fix);
}

/* A destroyed borrower's ID reused: the new VM cannot take the old one's memory. */
static void test_borrower_id_reused(void **state)
{
	uint8_t desc[512], resp[512];
	uint64_t h = 0;
	struct pair p;
	size_t len;

	(void)state;
	pair_setup(&p, FFA_VERSION_1_2, FFA_VERSION_1_2, 64, false);
	len = mb_simple(desc, sizeof(desc), FFA_VERSION_1_2, OWNER, BORROWER, FFA_MEM_PERM_DATA_RW,
			NULL, FIRST, 2);
	mb_fit(desc, FFA_VERSION_1_2, FFA_MEM_LEND_32);
	assert_int_equal(mb_send(p.a, FFA_MEM_LEND_32, desc, len, FFA_PAGE_SIZE, &h, NULL),
			 FFA_RET_OK);
	fix_vm_destroy(p.b);
	p.b = fix_vm(p.fix, BORROWER, 1);
	fix_negotiate(p.b, FFA_VERSION_1_2);
	fix_map_default(p.b, 1);
	assert_int_equal(
		mb_retrieve(p.b, FFA_VERSION_1_2, h, OWNER, 0, 0, resp, sizeof(resp), NULL, NULL),
		FFA_RET_DENIED);
	assert_int_equal(fix_vm_window_pages(p.b), 0);
	assert_int_equal(mb_reclaim(p.a, h, 0), FFA_RET_OK);
	pair_teardown(&p);
}

/* v1.2: the borrower must quote the sender's implementation-defined value. */
/*
 * A lend to one borrower with the attributes left to it: the borrower may
 * ask for normal memory (ACS lend_retrieve_input_checks1/3, ffa_mem_lend)
 * and gets what it asked; device memory cannot be granted (DENIED), reserved
 * encodings are INVALID. Where the sender set them, only those stand.
 */
static void test_retrieve_attributes(void **state)
{
	const uint8_t rw_nx = FFA_MEM_PERM_DATA_RW | FFA_MEM_PERM_INST_NX;
	uint8_t desc[256], resp[512];
	struct ffa_mem_region_1_1 hdr;
	uint64_t h = 0, hs = 0;
	size_t len, rlen = 0;
	struct pair p;

	(void)state;
	pair_setup(&p, FFA_VERSION_1_2, FFA_VERSION_1_1, 64, false);
	len = mb_simple(desc, sizeof(desc), FFA_VERSION_1_2, OWNER, BORROWER, FFA_MEM_PERM_DATA_RW,
			NULL, FIRST, 1);
	desc[2] = 0; /* attributes not specified */
	mb_fit(desc, FFA_VERSION_1_2, FFA_MEM_LEND_64);
	assert_int_equal(mb_send(p.a, FFA_MEM_LEND_64, desc, len, FFA_PAGE_SIZE, &h, NULL),
			 FFA_RET_OK);
	/* Reserved type, reserved shareability, reserved cacheability. */
	assert_int_equal(mb_retrieve_attr(p.b, FFA_VERSION_1_1, h, OWNER, rw_nx, 0, 0x3F, resp,
					  sizeof(resp), NULL, NULL),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(mb_retrieve_attr(p.b, FFA_VERSION_1_1, h, OWNER, rw_nx, 0, 0x2D, resp,
					  sizeof(resp), NULL, NULL),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(mb_retrieve_attr(p.b, FFA_VERSION_1_1, h, OWNER, rw_nx, 0, 0x23, resp,
					  sizeof(resp), NULL, NULL),
			 FFA_RET_INVALID_PARAMETERS);
	/* Device memory: guest RAM is not. */
	assert_int_equal(mb_retrieve_attr(p.b, FFA_VERSION_1_1, h, OWNER, rw_nx, 0,
					  FFA_MEM_ATTR_TYPE_DEVICE, resp, sizeof(resp), NULL, NULL),
			 FFA_RET_DENIED);
	assert_int_equal(fix_vm_window_pages(p.b), 0);
	/* Normal write-back, NX: granted as asked, NS bit set for v1.1. */
	assert_int_equal(mb_retrieve_attr(p.b, FFA_VERSION_1_1, h, OWNER, rw_nx, 0,
					  FFA_MEM_ATTR_NORMAL_WB_INNER, resp, sizeof(resp), &rlen,
					  NULL),
			 FFA_RET_OK);
	memcpy(&hdr, resp, sizeof(hdr));
	assert_int_equal(hdr.attributes, FFA_MEM_ATTR_NORMAL_WB_INNER | FFA_MEM_ATTR_NS);
	assert_int_equal(fix_vm_window_pages(p.b), 1);
	assert_int_equal(mb_relinquish(p.b, h, 0), FFA_RET_OK);
	assert_int_equal(mb_reclaim(p.a, h, 0), FFA_RET_OK);

	/* A share names its attributes: others than those are DENIED. */
	len = mb_simple(desc, sizeof(desc), FFA_VERSION_1_2, OWNER, BORROWER, FFA_MEM_PERM_DATA_RW,
			NULL, FIRST, 1);
	assert_int_equal(mb_send(p.a, FFA_MEM_SHARE_64, desc, len, FFA_PAGE_SIZE, &hs, NULL),
			 FFA_RET_OK);
	assert_int_equal(mb_retrieve_attr(p.b, FFA_VERSION_1_1, hs, OWNER, FFA_MEM_PERM_DATA_RW, 0,
					  FFA_MEM_ATTR_TYPE_NORMAL | FFA_MEM_ATTR_CACHE_NC |
						  FFA_MEM_ATTR_SH_INNER,
					  resp, sizeof(resp), NULL, NULL),
			 FFA_RET_DENIED);
	assert_int_equal(mb_retrieve_attr(p.b, FFA_VERSION_1_1, hs, OWNER, FFA_MEM_PERM_DATA_RW, 0,
					  FFA_MEM_ATTR_NORMAL_WB_INNER, resp, sizeof(resp), &rlen,
					  NULL),
			 FFA_RET_OK);
	memcpy(&hdr, resp, sizeof(hdr));
	assert_int_equal(hdr.attributes, FFA_MEM_ATTR_NORMAL_WB_INNER | FFA_MEM_ATTR_NS);
	assert_int_equal(mb_relinquish(p.b, hs, 0), FFA_RET_OK);
	assert_int_equal(mb_reclaim(p.a, hs, 0), FFA_RET_OK);
	assert_int_equal(fix_vm_window_pages(p.b), 0);
	pair_teardown(&p);
}

/* Retrieve flags 8:5 (alignment hint) are reserved unless bit 9 says the hint
 * is valid (ACS share_retrieve_align_hint_check). */
static void test_retrieve_align_hint(void **state)
{
	const uint32_t share = FFA_MEM_FLAG_TYPE_SHARE;
	uint8_t desc[256], resp[512];
	size_t len, rlen = 0;
	uint64_t h = 0;
	struct pair p;

	(void)state;
	pair_setup(&p, FFA_VERSION_1_2, FFA_VERSION_1_2, 64, false);
	len = mb_simple(desc, sizeof(desc), FFA_VERSION_1_2, OWNER, BORROWER, FFA_MEM_PERM_DATA_RW,
			NULL, FIRST, 1);
	assert_int_equal(mb_send(p.a, FFA_MEM_SHARE_64, desc, len, FFA_PAGE_SIZE, &h, NULL),
			 FFA_RET_OK);
	for (uint32_t hint = 1; hint <= 0xF; hint++) {
		assert_int_equal(mb_retrieve(p.b, FFA_VERSION_1_2, h, OWNER, FFA_MEM_PERM_DATA_RW,
					     share | (hint << 5), resp, sizeof(resp), NULL, NULL),
				 FFA_RET_INVALID_PARAMETERS);
	}
	assert_int_equal(fix_vm_window_pages(p.b), 0);
	assert_int_equal(mb_rx_release(p.b), FFA_RET_DENIED); /* RX not handed over */
	/* A refused request leaves the handle retrievable. */
	assert_int_equal(mb_retrieve(p.b, FFA_VERSION_1_2, h, OWNER, FFA_MEM_PERM_DATA_RW, share,
				     resp, sizeof(resp), &rlen, NULL),
			 FFA_RET_OK);
	assert_int_equal(fix_vm_window_pages(p.b), 1);
	assert_int_equal(mb_relinquish(p.b, h, 0), FFA_RET_OK);
	assert_int_equal(mb_reclaim(p.a, h, 0), FFA_RET_OK);
	pair_teardown(&p);
}

/* RECLAIM with the zero flag on a share: zeroed, like a lend (ACS
 * reclaim_input_error_checks); refused while a borrower holds it. */
static void test_reclaim_zero_share(void **state)
{
	uint8_t desc[256], resp[512];
	uint64_t h = 0, pins;
	uint8_t *page;
	size_t len;
	struct pair p;

	(void)state;
	pair_setup(&p, FFA_VERSION_1_2, FFA_VERSION_1_2, 64, false);
	pins = fix_vm_pins(p.a);
	page = fix_vm_ptr(p.a, MB_IPA(FIRST));
	len = mb_simple(desc, sizeof(desc), FFA_VERSION_1_2, OWNER, BORROWER, FFA_MEM_PERM_DATA_RW,
			NULL, FIRST, 1);
	assert_int_equal(mb_send(p.a, FFA_MEM_SHARE_64, desc, len, FFA_PAGE_SIZE, &h, NULL),
			 FFA_RET_OK);
	assert_int_equal(mb_retrieve(p.b, FFA_VERSION_1_2, h, OWNER, FFA_MEM_PERM_DATA_RW, 0, resp,
				     sizeof(resp), NULL, NULL),
			 FFA_RET_OK);
	memset(page, 0x5C, FFA_PAGE_SIZE);
	assert_int_equal(mb_reclaim(p.a, h, FFA_MEM_FLAG_ZERO_MEMORY), FFA_RET_DENIED);
	assert_int_equal(page[17], 0x5C);
	assert_int_equal(mb_relinquish(p.b, h, 0), FFA_RET_OK);
	assert_int_equal(mb_reclaim(p.a, h, FFA_MEM_FLAG_ZERO_MEMORY), FFA_RET_OK);
	for (size_t i = 0; i < FFA_PAGE_SIZE; i++)
		assert_int_equal(page[i], 0);
	assert_true(fix_vm_accessible(p.a, MB_IPA(FIRST)));
	assert_int_equal(fix_vm_pins(p.a), pins);
	assert_int_equal(mb_reclaim(p.a, h, FFA_MEM_FLAG_ZERO_MEMORY), FFA_RET_INVALID_PARAMETERS);
	pair_teardown(&p);
}

/* A borrower is not the owner: sending on what it borrowed is DENIED (the
 * sender must own the memory); an address that is neither its RAM nor a
 * window is INVALID_PARAMETERS. */
static void test_borrower_sends_on(void **state)
{
	static const uint32_t fids[] = {FFA_MEM_SHARE_64, FFA_MEM_LEND_32, FFA_MEM_DONATE_64};
	uint8_t desc[256], resp[512];
	struct ffa_mem_constituent cons;
	uint64_t h = 0, pins_b;
	size_t len, rlen = 0;
	struct pair p;

	(void)state;
	pair_setup(&p, FFA_VERSION_1_2, FFA_VERSION_1_2, 64, false);
	pins_b = fix_vm_pins(p.b);
	len = mb_simple(desc, sizeof(desc), FFA_VERSION_1_2, OWNER, BORROWER, FFA_MEM_PERM_DATA_RW,
			NULL, FIRST, 1);
	mb_fit(desc, FFA_VERSION_1_2, FFA_MEM_LEND_64);
	assert_int_equal(mb_send(p.a, FFA_MEM_LEND_64, desc, len, FFA_PAGE_SIZE, &h, NULL),
			 FFA_RET_OK);
	assert_int_equal(mb_retrieve(p.b, FFA_VERSION_1_2, h, OWNER, FFA_MEM_PERM_DATA_RW, 0, resp,
				     sizeof(resp), &rlen, NULL),
			 FFA_RET_OK);
	assert_int_equal(mb_resp_cons(resp, rlen, FFA_VERSION_1_2, &cons, 1), 1);
	for (size_t i = 0; i < sizeof(fids) / sizeof(fids[0]); i++) {
		struct mb_desc d = {
			.version = FFA_VERSION_1_2,
			.sender = BORROWER,
			.attributes = FFA_MEM_ATTR_NORMAL_WB_INNER,
			.recv_count = 1,
			.recv = {{.id = OWNER, .perm = FFA_MEM_PERM_DATA_RW}},
			.cons_count = 1,
			.cons = &cons,
		};

		len = mb_build(desc, sizeof(desc), &d);
		mb_fit(desc, FFA_VERSION_1_2, fids[i]);
		assert_int_equal(mb_send(p.b, fids[i], desc, len, FFA_PAGE_SIZE, NULL, NULL),
				 FFA_RET_DENIED);
		/* The page after the window: nobody's. */
		d.cons = &(struct ffa_mem_constituent){.address = cons.address + 64 * FFA_PAGE_SIZE,
						       .page_count = 1};
		len = mb_build(desc, sizeof(desc), &d);
		mb_fit(desc, FFA_VERSION_1_2, fids[i]);
		assert_int_equal(mb_send(p.b, fids[i], desc, len, FFA_PAGE_SIZE, NULL, NULL),
				 FFA_RET_INVALID_PARAMETERS);
	}
	assert_int_equal(fix_vm_pins(p.b), pins_b);
	assert_int_equal(fix_vm_window_pages(p.b), 1);
	assert_int_equal(mb_relinquish(p.b, h, 0), FFA_RET_OK);
	assert_int_equal(mb_reclaim(p.a, h, 0), FFA_RET_OK);
	pair_teardown(&p);
}

/* Sends a one-constituent descriptor from `from` over `cons` to `to`. */
static int32_t send_on(struct fix_vm *from, uint32_t fid, uint16_t to,
		       const struct ffa_mem_constituent *cons, uint64_t *h)
{
	uint8_t desc[256];
	struct mb_desc d = {
		.version = FFA_VERSION_1_2,
		.sender = from->id,
		.attributes = FFA_MEM_ATTR_NORMAL_WB_INNER,
		.recv_count = 1,
		.recv = {{.id = to, .perm = FFA_MEM_PERM_DATA_RW}},
		.cons_count = 1,
		.cons = cons,
	};
	size_t len = mb_build(desc, sizeof(desc), &d);

	mb_fit(desc, FFA_VERSION_1_2, fid);
	return mb_send(from, fid, desc, len, FFA_PAGE_SIZE, h, NULL);
}

/*
 * The borrower of a donate becomes the owner (ACS donate_retrieve_input_
 * checks6, ffa_mem_donate): it may share, lend and donate the pages on from
 * its window. A lend on takes its window access away until reclaim; a
 * donate back makes the first owner a borrower-turned-owner in turn. The
 * pins stay with the first donation until everything built on it is gone.
 */
static void test_donated_pages_are_owned(void **state)
{
	uint8_t desc[256], resp[512];
	struct ffa_mem_constituent win_b, win_c, win_a;
	uint64_t hd = 0, hl = 0, hs = 0, hb = 0, pins_a;
	size_t len, rlen = 0;
	struct fix_vm *c;
	struct pair p;

	(void)state;
	pair_setup(&p, FFA_VERSION_1_2, FFA_VERSION_1_2, 64, false);
	c = fix_vm(p.fix, 3, 1);
	fix_negotiate(c, FFA_VERSION_1_2);
	fix_map_default(c, 1);
	pins_a = fix_vm_pins(p.a);
	fill_owner(p.a, FIRST, 2);
	/* A donates two pages to B; B retrieves them. */
	len = mb_simple(desc, sizeof(desc), FFA_VERSION_1_2, OWNER, BORROWER, 0, NULL, FIRST, 2);
	mb_fit(desc, FFA_VERSION_1_2, FFA_MEM_DONATE_64);
	assert_int_equal(mb_send(p.a, FFA_MEM_DONATE_64, desc, len, FFA_PAGE_SIZE, &hd, NULL),
			 FFA_RET_OK);
	assert_int_equal(mb_retrieve(p.b, FFA_VERSION_1_2, hd, OWNER, FFA_MEM_PERM_DATA_RW, 0, resp,
				     sizeof(resp), &rlen, NULL),
			 FFA_RET_OK);
	assert_int_equal(mb_resp_cons(resp, rlen, FFA_VERSION_1_2, &win_b, 1), 1);
	assert_int_equal(win_b.page_count, 2);

	/* B shares them on to C: C sees A's data. */
	assert_int_equal(send_on(p.b, FFA_MEM_SHARE_64, 3, &win_b, &hs), FFA_RET_OK);
	assert_int_equal(mb_retrieve(c, FFA_VERSION_1_2, hs, BORROWER, FFA_MEM_PERM_DATA_RW, 0,
				     resp, sizeof(resp), &rlen, NULL),
			 FFA_RET_OK);
	assert_int_equal(mb_resp_cons(resp, rlen, FFA_VERSION_1_2, &win_c, 1), 1);
	check_window(c, &win_c, 1, FIRST, 2);
	assert_true(fix_vm_accessible(p.b, win_b.address));
	/* A page in B's share cannot be lent meanwhile. */
	assert_int_equal(send_on(p.b, FFA_MEM_LEND_64, 3, &win_b, NULL), FFA_RET_DENIED);
	assert_int_equal(mb_relinquish(c, hs, 0), FFA_RET_OK);
	assert_int_equal(mb_reclaim(p.b, hs, 0), FFA_RET_OK);

	/* B lends them on: B loses its window access until it reclaims. */
	assert_int_equal(send_on(p.b, FFA_MEM_LEND_32, 3, &win_b, &hl), FFA_RET_OK);
	assert_false(fix_vm_accessible(p.b, win_b.address));
	assert_false(fix_vm_accessible(p.b, win_b.address + FFA_PAGE_SIZE));
	assert_int_equal(mb_retrieve(c, FFA_VERSION_1_2, hl, BORROWER, FFA_MEM_PERM_DATA_RW, 0,
				     resp, sizeof(resp), &rlen, NULL),
			 FFA_RET_OK);
	assert_int_equal(mb_resp_cons(resp, rlen, FFA_VERSION_1_2, &win_c, 1), 1);
	*(uint8_t *)fix_vm_ptr(c, win_c.address + 9) = 0x3C;
	assert_int_equal(mb_relinquish(c, hl, 0), FFA_RET_OK);
	assert_int_equal(mb_reclaim(p.b, hl, 0), FFA_RET_OK);
	assert_true(fix_vm_accessible(p.b, win_b.address));
	assert_int_equal(*(uint8_t *)fix_vm_ptr(p.b, win_b.address + 9), 0x3C);

	/* B donates them back to A; A retrieves them in its window. */
	assert_int_equal(send_on(p.b, FFA_MEM_DONATE_32, OWNER, &win_b, &hb), FFA_RET_OK);
	assert_false(fix_vm_accessible(p.b, win_b.address));
	assert_int_equal(mb_retrieve(p.a, FFA_VERSION_1_2, hb, BORROWER, FFA_MEM_PERM_DATA_RW, 0,
				     resp, sizeof(resp), &rlen, NULL),
			 FFA_RET_OK);
	assert_int_equal(mb_resp_cons(resp, rlen, FFA_VERSION_1_2, &win_a, 1), 1);
	assert_int_equal(*(uint8_t *)fix_vm_ptr(p.a, win_a.address + 9), 0x3C);
	/* B gave them away for good. */
	assert_int_equal(send_on(p.b, FFA_MEM_SHARE_64, 3, &win_b, NULL), FFA_RET_DENIED);
	assert_int_equal(mb_reclaim(p.b, hb, 0), FFA_RET_INVALID_PARAMETERS);
	/* A owns them again (in its window) and may share them. */
	assert_int_equal(send_on(p.a, FFA_MEM_SHARE_64, 3, &win_a, &hs), FFA_RET_OK);
	assert_int_equal(mb_reclaim(p.a, hs, 0), FFA_RET_OK);

	/* B goes first: the pins stay while A holds the pages. */
	fix_vm_destroy(p.b);
	assert_int_equal(fix_vm_pins(p.a), pins_a + 2);
	assert_int_equal(*(uint8_t *)fix_vm_ptr(p.a, win_a.address + 9), 0x3C);
	fix_vm_destroy(c);
	fix_vm_destroy(p.a);
	{
		struct ffamed_mem_stats st;

		ffamed_get_mem_stats(p.fix->med, &st);
		assert_int_equal(st.transactions + st.orphans + st.pages, 0);
	}
	fix_destroy(p.fix);
}

/* A lend on of donated pages still live when the holder goes: the borrower
 * loses its window, the pins go with the last transaction. */
static void test_donated_lent_on_teardown(void **state)
{
	uint8_t desc[256], resp[512];
	struct ffa_mem_constituent win_b;
	uint64_t hd = 0, hl = 0, pins_a;
	size_t len, rlen = 0;
	struct fix_vm *c;
	struct pair p;

	(void)state;
	pair_setup(&p, FFA_VERSION_1_2, FFA_VERSION_1_2, 64, false);
	c = fix_vm(p.fix, 3, 1);
	fix_negotiate(c, FFA_VERSION_1_2);
	fix_map_default(c, 1);
	pins_a = fix_vm_pins(p.a);
	len = mb_simple(desc, sizeof(desc), FFA_VERSION_1_2, OWNER, BORROWER, 0, NULL, FIRST, 1);
	mb_fit(desc, FFA_VERSION_1_2, FFA_MEM_DONATE_64);
	assert_int_equal(mb_send(p.a, FFA_MEM_DONATE_64, desc, len, FFA_PAGE_SIZE, &hd, NULL),
			 FFA_RET_OK);
	assert_int_equal(mb_retrieve(p.b, FFA_VERSION_1_2, hd, OWNER, FFA_MEM_PERM_DATA_RW, 0, resp,
				     sizeof(resp), &rlen, NULL),
			 FFA_RET_OK);
	assert_int_equal(mb_resp_cons(resp, rlen, FFA_VERSION_1_2, &win_b, 1), 1);
	assert_int_equal(send_on(p.b, FFA_MEM_LEND_64, 3, &win_b, &hl), FFA_RET_OK);
	assert_int_equal(mb_retrieve(c, FFA_VERSION_1_2, hl, BORROWER, FFA_MEM_PERM_DATA_RW, 0,
				     resp, sizeof(resp), &rlen, NULL),
			 FFA_RET_OK);
	assert_int_equal(fix_vm_window_pages(c), 1);
	fix_vm_destroy(p.b);
	assert_int_equal(fix_vm_window_pages(c), 0);
	assert_int_equal(fix_vm_pins(p.a), pins_a);
	{
		struct ffamed_mem_stats st;

		ffamed_get_mem_stats(p.fix->med, &st);
		assert_int_equal(st.transactions + st.orphans + st.pages, 0);
	}
	fix_vm_destroy(c);
	fix_vm_destroy(p.a);
	fix_destroy(p.fix);
}

static void test_impdef_quoted(void **state)
{
	struct ffa_mem_constituent cons = {.address = MB_IPA(FIRST), .page_count = 1};
	struct mb_desc d = {
		.version = FFA_VERSION_1_2,
		.sender = OWNER,
		.attributes = FFA_MEM_ATTR_NORMAL_WB_INNER,
		.recv_count = 1,
		.recv = {{.id = BORROWER,
			  .perm = FFA_MEM_PERM_DATA_RW,
			  .impdef = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}}},
		.cons_count = 1,
		.cons = &cons,
	};
	struct mb_desc req = {
		.version = FFA_VERSION_1_2,
		.sender = OWNER,
		.recv_count = 1,
		.recv = {{.id = BORROWER}},
	};
	uint8_t desc[256];
	uint64_t h = 0;
	struct ffamed_regs r;
	struct pair p;
	size_t len;

	(void)state;
	pair_setup(&p, FFA_VERSION_1_2, FFA_VERSION_1_2, 64, false);
	len = mb_build(desc, sizeof(desc), &d);
	assert_int_equal(mb_send(p.a, FFA_MEM_SHARE_32, desc, len, FFA_PAGE_SIZE, &h, NULL),
			 FFA_RET_OK);
	req.handle = h;
	len = mb_build(desc, sizeof(desc), &req); /* impdef not quoted */
	mb_write_tx(p.b, 0, desc, len);
	r = fix_call(p.b, 0, FFA_MEM_RETRIEVE_REQ_32, len, len, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(mb_rx_release(p.b), FFA_RET_DENIED); /* RX not handed over */
	memcpy(req.recv[0].impdef, d.recv[0].impdef, 16);
	len = mb_build(desc, sizeof(desc), &req);
	mb_write_tx(p.b, 0, desc, len);
	r = fix_call(p.b, 0, FFA_MEM_RETRIEVE_REQ_32, len, len, 0, 0, 0);
	assert_int_equal((uint32_t)r.x[0], FFA_MEM_RETRIEVE_RESP);
	{
		/* The response carries the value too. */
		uint8_t emad[32];

		mb_read_rx(p.b, 48, emad, sizeof(emad));
		assert_memory_equal(emad + 8, d.recv[0].impdef, 16);
	}
	assert_int_equal(mb_rx_release(p.b), FFA_RET_OK);
	assert_int_equal(mb_relinquish(p.b, h, 0), FFA_RET_OK);
	assert_int_equal(mb_reclaim(p.a, h, 0), FFA_RET_OK);
	pair_teardown(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_small_fragments),
		cmocka_unit_test(test_two_borrowers),
		cmocka_unit_test(test_teardown_live),
		cmocka_unit_test(test_borrower_id_reused),
		cmocka_unit_test(test_impdef_quoted),
		cmocka_unit_test(test_retrieve_attributes),
		cmocka_unit_test(test_retrieve_align_hint),
		cmocka_unit_test(test_reclaim_zero_share),
		cmocka_unit_test(test_borrower_sends_on),
		cmocka_unit_test(test_donated_pages_are_owned),
		cmocka_unit_test(test_donated_lent_on_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
