/* SPDX-License-Identifier: MIT */
/*
 * Malformed descriptors and illegal requests: each is refused with the
 * documented error and leaves nothing behind (no pin, no access change, no
 * handle). Also ownership (a page in one transaction cannot be in another)
 * and rollback when the port fails half-way.
 */
#include "mem_builder.h"

#include <string.h>

#define OWNER	 0x0001u
#define BORROWER 0x0002u
#define FIRST	 8u

struct env {
	struct fix *fix;
	struct fix_vm *a, *b;
	uint64_t pins;
	uint8_t desc[2048];
	size_t len;
};

static int env_setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	e->fix = fix_create(NULL);
	e->a = fix_vm(e->fix, OWNER, 1);
	e->b = fix_vm(e->fix, BORROWER, 1);
	fix_negotiate(e->a, FFA_VERSION_1_2);
	fix_negotiate(e->b, FFA_VERSION_1_1);
	fix_map_default(e->a, 1);
	fix_map_default(e->b, 1);
	e->pins = fix_vm_pins(e->a);
	*state = e;
	return 0;
}

static int env_teardown(void **state)
{
	struct env *e = *state;

	fix_vm_destroy(e->b);
	fix_vm_destroy(e->a);
	fix_destroy(e->fix);
	free(e);
	return 0;
}

/* A good 2-page lend from OWNER to BORROWER in v1.2 format. */
static void good(struct env *e)
{
	e->len = mb_simple(e->desc, sizeof(e->desc), FFA_VERSION_1_2, OWNER, BORROWER,
			   FFA_MEM_PERM_DATA_RW, NULL, FIRST, 2);
}

/* The good descriptor as a lend to one borrower: attributes left to it. */
static void good_lend(struct env *e)
{
	good(e);
	mb_fit(e->desc, FFA_VERSION_1_2, FFA_MEM_LEND_32);
}

static void refused(struct env *e, uint32_t fid, int32_t code)
{
	assert_int_equal(mb_send(e->a, fid, e->desc, e->len, FFA_PAGE_SIZE, NULL, NULL), code);
	assert_int_equal(fix_vm_pins(e->a), e->pins);
	assert_int_equal(fix_vm_revoked_pages(e->a), 0);
	assert_int_equal(fix_vm_window_pages(e->b), 0);
}

static void put32(struct env *e, size_t off, uint32_t v)
{
	memcpy(e->desc + off, &v, sizeof(v));
}

static void put64(struct env *e, size_t off, uint64_t v)
{
	memcpy(e->desc + off, &v, sizeof(v));
}

#define COMP  (mb_comp_offset(FFA_VERSION_1_2, 1))
#define CONS0 (COMP + 16)
#define EMAD0 48u

static void test_offsets_out_of_range(void **state)
{
	struct env *e = *state;

	good_lend(e);
	put32(e, 32, 0x10000); /* EMAD offset past the end */
	refused(e, FFA_MEM_LEND_32, FFA_RET_INVALID_PARAMETERS);
	good_lend(e);
	put32(e, 32, 56); /* EMAD offset not 16-aligned */
	refused(e, FFA_MEM_LEND_32, FFA_RET_INVALID_PARAMETERS);
	good_lend(e);
	put32(e, 32, 16); /* EMAD offset inside the header */
	refused(e, FFA_MEM_LEND_32, FFA_RET_INVALID_PARAMETERS);
	good_lend(e);
	put32(e, EMAD0 + 4, (uint32_t)e->len); /* composite offset at the very end */
	refused(e, FFA_MEM_LEND_32, FFA_RET_INVALID_PARAMETERS);
	good_lend(e);
	put32(e, EMAD0 + 4, 0xFFFFFFF8u); /* composite offset + 16 wraps 32 bits */
	refused(e, FFA_MEM_LEND_32, FFA_RET_INVALID_PARAMETERS);
	good_lend(e);
	put32(e, EMAD0 + 4, 0); /* no composite */
	refused(e, FFA_MEM_LEND_32, FFA_RET_INVALID_PARAMETERS);
	good_lend(e);
	put32(e, EMAD0 + 4, 48); /* composite over the EMADs */
	refused(e, FFA_MEM_LEND_32, FFA_RET_INVALID_PARAMETERS);
	good_lend(e);
	put32(e, 24, 8); /* EMAD size below 16 */
	refused(e, FFA_MEM_LEND_32, FFA_RET_INVALID_PARAMETERS);
	good_lend(e);
	e->len = 40; /* shorter than the header */
	refused(e, FFA_MEM_LEND_32, FFA_RET_INVALID_PARAMETERS);
	good_lend(e);
	e->len -= 16; /* the last constituent cut off */
	refused(e, FFA_MEM_LEND_32, FFA_RET_INVALID_PARAMETERS);
}

static void test_counts_overflow(void **state)
{
	struct env *e = *state;

	good_lend(e);
	put32(e, 28, 0xFFFFFFFFu); /* EMAD count */
	refused(e, FFA_MEM_LEND_32, FFA_RET_INVALID_PARAMETERS);
	good_lend(e);
	put32(e, 28, 0); /* no receiver */
	refused(e, FFA_MEM_LEND_32, FFA_RET_INVALID_PARAMETERS);
	good_lend(e);
	put32(e, COMP + 4, 0x10000001u); /* constituent count * 16 wraps 32 bits */
	refused(e, FFA_MEM_LEND_32, FFA_RET_INVALID_PARAMETERS);
	good_lend(e);
	put32(e, COMP, 3); /* total page count != sum */
	refused(e, FFA_MEM_LEND_32, FFA_RET_INVALID_PARAMETERS);
	good_lend(e);
	/* Page counts whose sum wraps 32 bits back to the total. */
	put32(e, COMP, 2);
	put32(e, CONS0 + 8, 0x80000001u);
	put32(e, CONS0 + 16 + 8, 0x80000001u);
	refused(e, FFA_MEM_LEND_32, FFA_RET_INVALID_PARAMETERS);
	good_lend(e);
	/* Address + pages past 2^64. */
	put64(e, CONS0, 0xFFFFFFFFFFFFF000ull);
	put32(e, CONS0 + 8, 2);
	put32(e, COMP, 3);
	refused(e, FFA_MEM_LEND_32, FFA_RET_INVALID_PARAMETERS);
	/* More pages than a transaction may hold: a total over the limit. */
	good_lend(e);
	put32(e, COMP, 0x7FFFFFFFu);
	refused(e, FFA_MEM_LEND_32, FFA_RET_INVALID_PARAMETERS);
	/* Lengths in registers: fragment > total, total 0, address given. */
	good(e);
	mb_write_tx(e->a, 0, e->desc, e->len);
	{
		struct ffamed_regs r =
			fix_call(e->a, 0, FFA_MEM_LEND_32, e->len, e->len + 1, 0, 0, 0);

		assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
		r = fix_call(e->a, 0, FFA_MEM_LEND_32, 0, 0, 0, 0, 0);
		assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
		r = fix_call(e->a, 0, FFA_MEM_LEND_64, e->len, e->len, MB_IPA(20), 1, 0);
		assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
		r = fix_call(e->a, 0, FFA_MEM_LEND_32, 2 * FFA_PAGE_SIZE, 2 * FFA_PAGE_SIZE, 0, 0,
			     0);
		assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS); /* fragment > TX */
	}
	assert_int_equal(fix_vm_pins(e->a), e->pins);
}

static void test_zero_pages(void **state)
{
	struct env *e = *state;

	good(e);
	put32(e, CONS0 + 8, 0);
	put32(e, COMP, 1);
	refused(e, FFA_MEM_SHARE_32, FFA_RET_INVALID_PARAMETERS);
	good(e);
	put32(e, COMP, 0);
	refused(e, FFA_MEM_SHARE_32, FFA_RET_INVALID_PARAMETERS);
	good(e);
	put32(e, COMP + 4, 0);
	refused(e, FFA_MEM_SHARE_32, FFA_RET_INVALID_PARAMETERS);
}

static void test_overlap_unaligned_outside(void **state)
{
	struct env *e = *state;
	struct ffa_mem_constituent c[2] = {
		{.address = MB_IPA(FIRST), .page_count = 2},
		{.address = MB_IPA(FIRST + 1), .page_count = 1},
	};
	struct mb_desc d = {
		.version = FFA_VERSION_1_2,
		.sender = OWNER,
		.attributes = FFA_MEM_ATTR_NORMAL_WB_INNER,
		.recv_count = 1,
		.recv = {{.id = BORROWER, .perm = FFA_MEM_PERM_DATA_RW}},
		.cons_count = 2,
		.cons = c,
	};

	e->len = mb_build(e->desc, sizeof(e->desc), &d);
	refused(e, FFA_MEM_SHARE_64, FFA_RET_INVALID_PARAMETERS); /* overlapping */
	c[1].address = MB_IPA(FIRST) + 0x800;
	e->len = mb_build(e->desc, sizeof(e->desc), &d);
	refused(e, FFA_MEM_SHARE_64, FFA_RET_INVALID_PARAMETERS); /* unaligned */
	c[1].address = MB_IPA(64);				  /* just past the VM's RAM */
	e->len = mb_build(e->desc, sizeof(e->desc), &d);
	refused(e, FFA_MEM_SHARE_64, FFA_RET_INVALID_PARAMETERS);
	c[1].address = 0x1000; /* below it */
	e->len = mb_build(e->desc, sizeof(e->desc), &d);
	refused(e, FFA_MEM_SHARE_64, FFA_RET_INVALID_PARAMETERS);
}

/* A total length that is not the descriptor's: INVALID_PARAMETERS, whether
 * the first fragment holds all of it or not, and nothing stays open (ACS
 * share/lend/donate_input_error_checks1: total + 0x10). */
static void test_total_length(void **state)
{
	static const uint32_t fids[] = {FFA_MEM_SHARE_64, FFA_MEM_LEND_32, FFA_MEM_DONATE_64};
	struct env *e = *state;
	struct ffamed_regs r;
	uint64_t h = 0;

	for (size_t i = 0; i < sizeof(fids) / sizeof(fids[0]); i++) {
		good(e);
		mb_fit(e->desc, FFA_VERSION_1_2, fids[i]);
		memset(e->desc + e->len, 0, 0x10);
		mb_write_tx(e->a, 0, e->desc, e->len + 0x10);
		/* The whole descriptor, announced 16 bytes longer. */
		r = fix_call(e->a, 0, fids[i], e->len + 0x10, e->len, 0, 0, 0);
		assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
		/* 16 bytes of padding sent as part of it. */
		r = fix_call(e->a, 0, fids[i], e->len + 0x10, e->len + 0x10, 0, 0, 0);
		assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
		/* The head only, announced longer than the composite says. */
		r = fix_call(e->a, 0, fids[i], e->len + 0x10, 96, 0, 0, 0);
		assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
		/* Shorter than the composite says. */
		r = fix_call(e->a, 0, fids[i], e->len - 0x10, e->len - 0x10, 0, 0, 0);
		assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
		assert_int_equal(fix_vm_pins(e->a), e->pins);
		assert_int_equal(fix_vm_revoked_pages(e->a), 0);
		/* Not BUSY: no send is left in assembly. */
		r = fix_call(e->a, 0, FFA_MEM_FRAG_TX, 0, 0, 0x10, 0, 0);
		assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
		assert_int_equal(mb_send(e->a, fids[i], e->desc, e->len, FFA_PAGE_SIZE, &h, NULL),
				 FFA_RET_OK);
		assert_int_equal(mb_reclaim(e->a, h, 0), FFA_RET_OK);
		/* An exact fragmented send still works. */
		assert_int_equal(mb_send(e->a, fids[i], e->desc, e->len, 96, &h, NULL), FFA_RET_OK);
		assert_int_equal(mb_reclaim(e->a, h, 0), FFA_RET_OK);
		assert_int_equal(fix_vm_pins(e->a), e->pins);
	}
}

static void test_fields(void **state)
{
	struct env *e = *state;
	uint64_t h = 0;

	good_lend(e);
	/* A sender other than the caller is not the owner: DENIED (ACS
	 * share/lend/donate_input_error_checks1). */
	put32(e, 0, 3); /* wrong sender (and attributes 0) */
	refused(e, FFA_MEM_LEND_32, FFA_RET_DENIED);
	good_lend(e);
	e->desc[0] = 3; /* wrong sender */
	refused(e, FFA_MEM_LEND_32, FFA_RET_DENIED);
	good(e);
	e->desc[0] = 3; /* wrong sender */
	refused(e, FFA_MEM_SHARE_32, FFA_RET_DENIED);
	good(e);
	mb_fit(e->desc, FFA_VERSION_1_2, FFA_MEM_DONATE_32);
	e->desc[0] = 3; /* wrong sender */
	refused(e, FFA_MEM_DONATE_32, FFA_RET_DENIED);
	good_lend(e);
	put32(e, 0, 0xFFFF); /* not an endpoint at all */
	refused(e, FFA_MEM_LEND_32, FFA_RET_DENIED);
	/* The same in the first of several fragments (header, EMAD and
	 * composite header in 96 bytes): nothing held, no send left open. */
	good(e);
	e->desc[0] = 3;
	assert_int_equal(mb_send(e->a, FFA_MEM_SHARE_64, e->desc, e->len, 96, NULL, NULL),
			 FFA_RET_DENIED);
	assert_int_equal(fix_vm_pins(e->a), e->pins);
	good(e);
	assert_int_equal(mb_send(e->a, FFA_MEM_SHARE_64, e->desc, e->len, 96, &h, NULL),
			 FFA_RET_OK);
	assert_int_equal(mb_reclaim(e->a, h, 0), FFA_RET_OK);
	good_lend(e);
	e->desc[2] |= FFA_MEM_ATTR_NS; /* NS bit from a sender */
	refused(e, FFA_MEM_LEND_32, FFA_RET_INVALID_PARAMETERS);
	good(e);
	e->desc[2] = 0x10 | 0x3; /* device memory */
	refused(e, FFA_MEM_SHARE_32, FFA_RET_INVALID_PARAMETERS);
	good(e);
	e->desc[2] = 0; /* not specified: fine for lend ... */
	assert_int_equal(
		mb_send(e->a, FFA_MEM_SHARE_32, e->desc, e->len, FFA_PAGE_SIZE, NULL, NULL),
		FFA_RET_INVALID_PARAMETERS); /* ... not for share */
	good(e);
	put32(e, 4, FFA_MEM_FLAG_ZERO_MEMORY); /* zero flag on a share */
	refused(e, FFA_MEM_SHARE_32, FFA_RET_INVALID_PARAMETERS);
	good_lend(e);
	put32(e, 4, FFA_MEM_FLAG_TIME_SLICING);
	refused(e, FFA_MEM_LEND_32, FFA_RET_INVALID_PARAMETERS);
	good_lend(e);
	put32(e, 4, 1u << 5); /* flags MBZ */
	refused(e, FFA_MEM_LEND_32, FFA_RET_INVALID_PARAMETERS);
	good_lend(e);
	put64(e, 8, 0x1234); /* handle from a sender */
	refused(e, FFA_MEM_LEND_32, FFA_RET_INVALID_PARAMETERS);
	good_lend(e);
	e->desc[40] = 1; /* header reserved */
	refused(e, FFA_MEM_LEND_32, FFA_RET_INVALID_PARAMETERS);
	good_lend(e);
	e->desc[EMAD0 + 3] = 1; /* EMAD flags MBZ in a send */
	refused(e, FFA_MEM_LEND_32, FFA_RET_INVALID_PARAMETERS);
	good_lend(e);
	e->desc[EMAD0 + 2] = 0x3; /* reserved data access */
	refused(e, FFA_MEM_LEND_32, FFA_RET_INVALID_PARAMETERS);
	good_lend(e);
	e->desc[EMAD0 + 2] = FFA_MEM_PERM_DATA_RW | FFA_MEM_PERM_INST_X; /* executable */
	refused(e, FFA_MEM_LEND_32, FFA_RET_INVALID_PARAMETERS);
	good_lend(e);
	e->desc[EMAD0 + 2] = 0; /* no access given: only a donate may */
	refused(e, FFA_MEM_LEND_32, FFA_RET_INVALID_PARAMETERS);
	good_lend(e);
	e->desc[EMAD0 + 28] = 1; /* EMAD reserved (v1.2) */
	refused(e, FFA_MEM_LEND_32, FFA_RET_INVALID_PARAMETERS);
	good_lend(e);
	e->desc[EMAD0] = OWNER; /* to itself */
	refused(e, FFA_MEM_LEND_32, FFA_RET_INVALID_PARAMETERS);
	good_lend(e);
	e->desc[EMAD0] = 9; /* no such VM */
	refused(e, FFA_MEM_LEND_32, FFA_RET_INVALID_PARAMETERS);
	good_lend(e);
	put32(e, CONS0 + 12, 1); /* constituent reserved */
	refused(e, FFA_MEM_LEND_32, FFA_RET_INVALID_PARAMETERS);
	good_lend(e);
	put64(e, COMP + 8, 1); /* composite reserved */
	refused(e, FFA_MEM_LEND_32, FFA_RET_INVALID_PARAMETERS);
}

static void test_receivers(void **state)
{
	struct env *e = *state;
	struct ffa_mem_constituent c = {.address = MB_IPA(FIRST), .page_count = 1};
	struct mb_desc d = {
		.version = FFA_VERSION_1_2,
		.sender = OWNER,
		.attributes = FFA_MEM_ATTR_NORMAL_WB_INNER,
		.recv_count = 2,
		.recv = {{.id = BORROWER, .perm = FFA_MEM_PERM_DATA_RW},
			 {.id = BORROWER, .perm = FFA_MEM_PERM_DATA_RO}},
		.cons_count = 1,
		.cons = &c,
	};

	e->len = mb_build(e->desc, sizeof(e->desc), &d);
	refused(e, FFA_MEM_SHARE_32, FFA_RET_INVALID_PARAMETERS); /* duplicate */
	d.recv[1].id = 0x8001; /* an SP with a VM: not supported */
	e->len = mb_build(e->desc, sizeof(e->desc), &d);
	refused(e, FFA_MEM_SHARE_32, FFA_RET_NOT_SUPPORTED);
	d.recv[1].id = FFA_HYP_ID;
	e->len = mb_build(e->desc, sizeof(e->desc), &d);
	refused(e, FFA_MEM_SHARE_32, FFA_RET_INVALID_PARAMETERS);
	d.recv[1].id = 3; /* donate with two receivers */
	d.recv[0].perm = d.recv[1].perm = 0;
	e->len = mb_build(e->desc, sizeof(e->desc), &d);
	refused(e, FFA_MEM_DONATE_32, FFA_RET_INVALID_PARAMETERS);
}

/*
 * Permissions and attributes toward VM borrowers (FF-A usage rules; ACS
 * share/lend/donate_input_error_checks, lend/share_retrieve_input_checks;
 * Hafnium): instruction access is never the sender's to give, a donate
 * leaves data access and attributes to the borrower, a lend to one borrower
 * the attributes; a borrower of a share names no instruction access. Each
 * refusal next to the same descriptor accepted without the fault.
 */
static void test_vm_permission_rules(void **state)
{
	struct env *e = *state;
	struct fix_vm *c = fix_vm(e->fix, 3, 1);
	struct ffa_mem_constituent cons = {.address = MB_IPA(FIRST), .page_count = 1};
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
	uint8_t resp[256];
	uint64_t h = 0;

	fix_negotiate(c, FFA_VERSION_1_2);
	fix_map_default(c, 1);
	/* Lend to two borrowers: attributes given, no instruction access. */
	e->len = mb_build(e->desc, sizeof(e->desc), &d);
	assert_int_equal(mb_send(e->a, FFA_MEM_LEND_64, e->desc, e->len, FFA_PAGE_SIZE, &h, NULL),
			 FFA_RET_OK);
	/* Its borrowers name no instruction access either. */
	assert_int_equal(mb_retrieve(e->b, FFA_VERSION_1_1, h, OWNER,
				     FFA_MEM_PERM_DATA_RW | FFA_MEM_PERM_INST_NX, 0, resp,
				     sizeof(resp), NULL, NULL),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(mb_reclaim(e->a, h, 0), FFA_RET_OK);
	d.recv[1].perm = FFA_MEM_PERM_DATA_RO | FFA_MEM_PERM_INST_NX;
	e->len = mb_build(e->desc, sizeof(e->desc), &d);
	refused(e, FFA_MEM_LEND_64, FFA_RET_INVALID_PARAMETERS);
	d.recv[1].perm = FFA_MEM_PERM_DATA_RO;
	d.attributes = 0;
	e->len = mb_build(e->desc, sizeof(e->desc), &d);
	refused(e, FFA_MEM_LEND_64, FFA_RET_INVALID_PARAMETERS);

	/* Share: NX or X from the sender refused. */
	good(e);
	assert_int_equal(mb_send(e->a, FFA_MEM_SHARE_32, e->desc, e->len, FFA_PAGE_SIZE, &h, NULL),
			 FFA_RET_OK);
	/* A borrower of a share asking NX: INVALID; not specified: NX given. */
	assert_int_equal(mb_retrieve(e->b, FFA_VERSION_1_1, h, OWNER,
				     FFA_MEM_PERM_DATA_RW | FFA_MEM_PERM_INST_NX, 0, resp,
				     sizeof(resp), NULL, NULL),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(mb_retrieve(e->b, FFA_VERSION_1_1, h, OWNER, FFA_MEM_PERM_DATA_RW, 0, resp,
				     sizeof(resp), NULL, NULL),
			 FFA_RET_OK);
	assert_int_equal(resp[48 + 2], FFA_MEM_PERM_DATA_RW | FFA_MEM_PERM_INST_NX);
	assert_int_equal(mb_relinquish(e->b, h, 0), FFA_RET_OK);
	assert_int_equal(mb_reclaim(e->a, h, 0), FFA_RET_OK);
	good(e);
	e->desc[EMAD0 + 2] = FFA_MEM_PERM_DATA_RW | FFA_MEM_PERM_INST_NX;
	refused(e, FFA_MEM_SHARE_32, FFA_RET_INVALID_PARAMETERS);
	e->desc[EMAD0 + 2] = FFA_MEM_PERM_DATA_RW | FFA_MEM_PERM_INST_X;
	refused(e, FFA_MEM_SHARE_64, FFA_RET_INVALID_PARAMETERS);

	/* Lend to one borrower: attributes left to it; given, INVALID. */
	good_lend(e);
	assert_int_equal(mb_send(e->a, FFA_MEM_LEND_32, e->desc, e->len, FFA_PAGE_SIZE, &h, NULL),
			 FFA_RET_OK);
	assert_int_equal(mb_reclaim(e->a, h, 0), FFA_RET_OK);
	good(e);
	refused(e, FFA_MEM_LEND_32, FFA_RET_INVALID_PARAMETERS);
	good_lend(e);
	e->desc[EMAD0 + 2] = FFA_MEM_PERM_DATA_RW | FFA_MEM_PERM_INST_NX;
	refused(e, FFA_MEM_LEND_32, FFA_RET_INVALID_PARAMETERS);

	/* Donate: data access and attributes left to the borrower. */
	good(e);
	mb_fit(e->desc, FFA_VERSION_1_2, FFA_MEM_DONATE_64);
	assert_int_equal(mb_send(e->a, FFA_MEM_DONATE_64, e->desc, e->len, FFA_PAGE_SIZE, &h, NULL),
			 FFA_RET_OK);
	assert_int_equal(mb_reclaim(e->a, h, 0), FFA_RET_OK); /* not retrieved yet */
	good(e);
	mb_fit(e->desc, FFA_VERSION_1_2, FFA_MEM_DONATE_64);
	e->desc[EMAD0 + 2] = FFA_MEM_PERM_DATA_RW;
	refused(e, FFA_MEM_DONATE_64, FFA_RET_INVALID_PARAMETERS);
	good(e);
	mb_fit(e->desc, FFA_VERSION_1_2, FFA_MEM_DONATE_64);
	e->desc[2] = FFA_MEM_ATTR_NORMAL_WB_INNER;
	refused(e, FFA_MEM_DONATE_64, FFA_RET_INVALID_PARAMETERS);
	fix_vm_destroy(c);
}

/* RX/TX pages and memory in a transaction exclude each other: the mediator
 * and the SPMC write a VM's RX buffer, so it cannot be lent, donated or
 * shared; and a VM cannot map its buffers over pages others hold. */
static void test_rxtx_and_shared_memory(void **state)
{
	struct env *e = *state;
	uint64_t h = 0;
	int32_t rc;

	/* The RX page (RAM page 1) and the TX page (page 0) in a share. */
	e->len = mb_simple(e->desc, sizeof(e->desc), FFA_VERSION_1_2, OWNER, BORROWER,
			   FFA_MEM_PERM_DATA_RW, NULL, 1, 1);
	refused(e, FFA_MEM_SHARE_32, FFA_RET_DENIED);
	mb_fit(e->desc, FFA_VERSION_1_2, FFA_MEM_LEND_32);
	refused(e, FFA_MEM_LEND_32, FFA_RET_DENIED);
	e->len = mb_simple(e->desc, sizeof(e->desc), FFA_VERSION_1_2, OWNER, BORROWER,
			   FFA_MEM_PERM_DATA_RW, NULL, 0, 3);
	mb_fit(e->desc, FFA_VERSION_1_2, FFA_MEM_DONATE_32);
	refused(e, FFA_MEM_DONATE_32, FFA_RET_DENIED);

	/* Lent pages cannot become the VM's new RX/TX pair. */
	good_lend(e);
	assert_int_equal(mb_send(e->a, FFA_MEM_LEND_32, e->desc, e->len, FFA_PAGE_SIZE, &h, NULL),
			 FFA_RET_OK);
	assert_ffa_success(fix_call(e->a, 0, FFA_RXTX_UNMAP, 0, 0, 0, 0, 0));
	rc = fix_map(e->a, MB_IPA(FIRST), MB_IPA(20), 1);
	assert_int_equal(rc, FFA_RET_INVALID_PARAMETERS);
	rc = fix_map(e->a, MB_IPA(20), MB_IPA(FIRST + 1), 1);
	assert_int_equal(rc, FFA_RET_INVALID_PARAMETERS);
	/* Pages next to them are fine; after the reclaim, those too. */
	assert_int_equal(fix_map(e->a, MB_IPA(20), MB_IPA(FIRST + 2), 1), FFA_RET_OK);
	assert_int_equal(mb_reclaim(e->a, h, 0), FFA_RET_OK);
	assert_ffa_success(fix_call(e->a, 0, FFA_RXTX_UNMAP, 0, 0, 0, 0, 0));
	assert_int_equal(fix_map(e->a, MB_IPA(FIRST), MB_IPA(FIRST + 1), 1), FFA_RET_OK);
	assert_ffa_success(fix_call(e->a, 0, FFA_RXTX_UNMAP, 0, 0, 0, 0, 0));
	fix_map_default(e->a, 1);
}

static void test_handles(void **state)
{
	struct env *e = *state;
	uint64_t h = 0, h2 = 0;
	uint8_t resp[256];

	good_lend(e);
	assert_int_equal(mb_send(e->a, FFA_MEM_LEND_32, e->desc, e->len, FFA_PAGE_SIZE, &h, NULL),
			 FFA_RET_OK);
	/* A foreign handle: the borrower cannot reclaim what it did not send. */
	assert_int_equal(mb_reclaim(e->b, h, 0), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(mb_reclaim(e->a, h ^ 1, 0), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(mb_reclaim(e->a, h, 1u << 2), FFA_RET_INVALID_PARAMETERS); /* MBZ */
	assert_int_equal(mb_reclaim(e->a, h, FFA_MEM_FLAG_TIME_SLICING),
			 FFA_RET_INVALID_PARAMETERS);
	/* Lending or sharing an already-lent page: DENIED. */
	assert_int_equal(mb_send(e->a, FFA_MEM_LEND_32, e->desc, e->len, FFA_PAGE_SIZE, &h2, NULL),
			 FFA_RET_DENIED);
	e->len = mb_simple(e->desc, sizeof(e->desc), FFA_VERSION_1_2, OWNER, BORROWER,
			   FFA_MEM_PERM_DATA_RO, NULL, FIRST + 1, 3);
	assert_int_equal(mb_send(e->a, FFA_MEM_SHARE_32, e->desc, e->len, FFA_PAGE_SIZE, &h2, NULL),
			 FFA_RET_DENIED);
	assert_int_equal(fix_vm_pins(e->a), e->pins + 2);
	/* Retrieve requests that do not match. */
	assert_int_equal(
		mb_retrieve(e->b, FFA_VERSION_1_1, h, 3, 0, 0, resp, sizeof(resp), NULL, NULL),
		FFA_RET_INVALID_PARAMETERS); /* wrong sender */
	assert_int_equal(mb_retrieve(e->b, FFA_VERSION_1_1, h ^ 4, OWNER, 0, 0, resp, sizeof(resp),
				     NULL, NULL),
			 FFA_RET_INVALID_PARAMETERS); /* unknown handle */
	assert_int_equal(
		mb_retrieve(e->a, FFA_VERSION_1_2, h, OWNER, 0, 0, resp, sizeof(resp), NULL, NULL),
		FFA_RET_INVALID_PARAMETERS); /* not a borrower */
	assert_int_equal(mb_retrieve(e->b, FFA_VERSION_1_1, h, OWNER, 0, FFA_MEM_FLAG_ZERO_MEMORY,
				     resp, sizeof(resp), NULL, NULL),
			 FFA_RET_DENIED); /* zeroing the sender did not ask for */
	/* Retrieved: reclaim is DENIED; a second retrieve too. */
	assert_int_equal(
		mb_retrieve(e->b, FFA_VERSION_1_1, h, OWNER, 0, 0, resp, sizeof(resp), NULL, NULL),
		FFA_RET_OK);
	assert_int_equal(
		mb_retrieve(e->b, FFA_VERSION_1_1, h, OWNER, 0, 0, resp, sizeof(resp), NULL, NULL),
		FFA_RET_DENIED);
	assert_int_equal(mb_reclaim(e->a, h, 0), FFA_RET_DENIED);
	/* Relinquish for another endpoint, or of an unknown handle. */
	assert_int_equal(mb_relinquish(e->a, h, 0), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(mb_relinquish(e->b, h + 8, 0), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(mb_relinquish(e->b, h, 1u << 3), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(mb_relinquish(e->b, h, 0), FFA_RET_OK);
	assert_int_equal(mb_reclaim(e->a, h, 0), FFA_RET_OK);
	assert_int_equal(mb_reclaim(e->a, h, 0), FFA_RET_INVALID_PARAMETERS); /* double */
	assert_int_equal(fix_vm_pins(e->a), e->pins);
	assert_int_equal(fix_vm_revoked_pages(e->a), 0);
}

/* The port fails half-way: every step already taken is undone. */
static void test_port_failures(void **state)
{
	struct env *e = *state;
	uint8_t resp[256];
	uint64_t h = 0;

	e->len = mb_simple(e->desc, sizeof(e->desc), FFA_VERSION_1_2, OWNER, BORROWER,
			   FFA_MEM_PERM_DATA_RW, (const uint32_t[]){8, 10, 12, 14}, 0, 4);
	mb_fit(e->desc, FFA_VERSION_1_2, FFA_MEM_LEND_32);
	atomic_store(&e->a->pin_fail_after, 3);
	refused(e, FFA_MEM_LEND_32, FFA_RET_INVALID_PARAMETERS);
	atomic_store(&e->a->access_fail_after, 3);
	refused(e, FFA_MEM_LEND_32, FFA_RET_NO_MEMORY);
	atomic_store(&e->a->access_fail_after, 0);
	ffamed_posix_fail_alloc(e->fix->host, 1);
	refused(e, FFA_MEM_LEND_32, FFA_RET_NO_MEMORY);
	/* borrow_map fails: the retrieve fails and the handle is unharmed. */
	assert_int_equal(mb_send(e->a, FFA_MEM_LEND_32, e->desc, e->len, FFA_PAGE_SIZE, &h, NULL),
			 FFA_RET_OK);
	atomic_store(&e->b->borrow_fail_after, 1);
	assert_int_equal(
		mb_retrieve(e->b, FFA_VERSION_1_1, h, OWNER, 0, 0, resp, sizeof(resp), NULL, NULL),
		FFA_RET_NO_MEMORY);
	assert_int_equal(fix_vm_window_pages(e->b), 0);
	assert_int_equal(mb_rx_release(e->b), FFA_RET_DENIED); /* RX never handed over */
	assert_int_equal(mb_reclaim(e->a, h, 0), FFA_RET_OK);
	assert_int_equal(fix_vm_pins(e->a), e->pins);
	assert_int_equal(fix_vm_revoked_pages(e->a), 0);
}

/* Calls that need a TX buffer, without one; features reporting. */
static void test_no_buffer_and_features(void **state)
{
	struct env *e = *state;
	struct fix_vm *c = fix_vm(e->fix, 3, 1);
	struct ffamed_regs r;

	fix_negotiate(c, FFA_VERSION_1_1);
	r = fix_call(c, 0, FFA_MEM_SHARE_32, 100, 100, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_DENIED);
	r = fix_call(c, 0, FFA_MEM_RELINQUISH, 0, 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_DENIED);
	r = fix_call(c, 0, FFA_MEM_FRAG_TX, 1, 2, 3, 0, 0);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	r = fix_call(c, 0, FFA_MEM_FRAG_RX, 1, 2, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	r = fix_call(c, 0, FFA_FEATURES, FFA_MEM_RETRIEVE_REQ_64, 0, 0, 0, 0);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], FFA_MEM_RETRIEVE_PROP_NS_BIT);
	/* The relayer's answer: reported with RETRIEVE_REQ, never served. */
	r = fix_call(c, 0, FFA_FEATURES, FFA_MEM_RETRIEVE_RESP, 0, 0, 0, 0);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], 0);
	r = fix_call(c, 0, FFA_MEM_RETRIEVE_RESP, 0, 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_NOT_SUPPORTED);
	fix_vm_destroy(c);
}

/* A fragmented send abandoned or broken half-way leaves nothing. */
static void test_fragment_errors(void **state)
{
	struct env *e = *state;
	struct ffamed_regs r;
	uint64_t h;

	good(e);
	mb_write_tx(e->a, 0, e->desc, e->len);
	/* The first fragment must hold the head: header, EMADs, composite header. */
	r = fix_call(e->a, 0, FFA_MEM_SHARE_32, e->len, 64, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	r = fix_call(e->a, 0, FFA_MEM_SHARE_32, e->len, 112, 0, 0, 0);
	assert_int_equal((uint32_t)r.x[0], FFA_MEM_FRAG_RX);
	h = (uint32_t)r.x[1] | ((uint64_t)(uint32_t)r.x[2] << 32);
	/* A second send while one is being assembled. */
	r = fix_call(e->a, 0, FFA_MEM_SHARE_32, e->len, 112, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_BUSY);
	/* Too long a fragment aborts the transaction. */
	r = fix_call(e->a, 0, FFA_MEM_FRAG_TX, (uint32_t)h, h >> 32, e->len, 0, 0);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	r = fix_call(e->a, 0, FFA_MEM_FRAG_TX, (uint32_t)h, h >> 32, 16, 0, 0);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS); /* gone */
	/* Reclaim of a handle being assembled aborts it. */
	r = fix_call(e->a, 0, FFA_MEM_SHARE_32, e->len, 112, 0, 0, 0);
	h = (uint32_t)r.x[1] | ((uint64_t)(uint32_t)r.x[2] << 32);
	assert_int_equal(mb_reclaim(e->a, h, 0), FFA_RET_OK);
	r = fix_call(e->a, 0, FFA_MEM_FRAG_TX, (uint32_t)h, h >> 32, 16, 0, 0);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	/* The endpoint field of FRAG_TX is the hypervisor's. */
	r = fix_call(e->a, 0, FFA_MEM_SHARE_32, e->len, 112, 0, 0, 0);
	h = (uint32_t)r.x[1] | ((uint64_t)(uint32_t)r.x[2] << 32);
	r = fix_call(e->a, 0, FFA_MEM_FRAG_TX, (uint32_t)h, h >> 32, 16, 1u << 16, 0);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(fix_vm_pins(e->a), e->pins);
}

/* Limits are configuration: a small configuration bites where it says. */
static void test_config_limits(void **state)
{
	struct fix_opts o = {.med_cfg = {.mem_max_pages = 4, .mem_max_handles = 2}};
	struct fix *fix = fix_create(&o);
	struct fix_vm *a = fix_vm(fix, OWNER, 1), *b = fix_vm(fix, BORROWER, 1);
	uint8_t desc[512];
	uint64_t h[3] = {0};
	size_t len;

	(void)state;
	fix_negotiate(a, FFA_VERSION_1_1);
	fix_map_default(a, 1);
	len = mb_simple(desc, sizeof(desc), FFA_VERSION_1_1, OWNER, BORROWER, FFA_MEM_PERM_DATA_RW,
			NULL, FIRST, 5);
	assert_int_equal(mb_send(a, FFA_MEM_SHARE_32, desc, len, FFA_PAGE_SIZE, NULL, NULL),
			 FFA_RET_INVALID_PARAMETERS); /* 5 pages > 4 */
	for (uint32_t i = 0; i < 3; i++) {
		len = mb_simple(desc, sizeof(desc), FFA_VERSION_1_1, OWNER, BORROWER,
				FFA_MEM_PERM_DATA_RW, NULL, FIRST + 4 * i, 4);
		assert_int_equal(
			mb_send(a, FFA_MEM_SHARE_32, desc, len, FFA_PAGE_SIZE, &h[i], NULL),
			i < 2 ? FFA_RET_OK : FFA_RET_NO_MEMORY); /* 2 handles */
	}
	assert_int_equal(mb_reclaim(a, h[0], 0), FFA_RET_OK);
	assert_int_equal(mb_send(a, FFA_MEM_SHARE_32, desc, len, FFA_PAGE_SIZE, &h[2], NULL),
			 FFA_RET_OK);
	/* The VM goes with two live transactions: all undone. */
	fix_vm_destroy(a);
	fix_vm_destroy(b);
	fix_destroy(fix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_offsets_out_of_range, env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_counts_overflow, env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_zero_pages, env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_overlap_unaligned_outside, env_setup,
						env_teardown),
		cmocka_unit_test_setup_teardown(test_total_length, env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_fields, env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_receivers, env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_vm_permission_rules, env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_handles, env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_port_failures, env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_no_buffer_and_features, env_setup,
						env_teardown),
		cmocka_unit_test_setup_teardown(test_fragment_errors, env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_rxtx_and_shared_memory, env_setup,
						env_teardown),
		cmocka_unit_test(test_config_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
