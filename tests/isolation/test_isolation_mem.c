/* SPDX-License-Identifier: MIT */
/*
 * Isolation suite, memory sharing: hostile descriptors in the attacker's TX
 * buffer, then MEM_SHARE/LEND/DONATE, RETRIEVE, RELINQUISH, RECLAIM and the
 * fragment calls. Memory sharing is not served yet: the mediator must
 * answer NOT_SUPPORTED (and FFA_FEATURES says so). When it is served (the
 * FEATURES probe below turns true) each attack expects the error written
 * next to it, and the victims' state is checked as for every attack.
 * docs/SECURITY.md lists the memory attacks still to write.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "iso_fixture.h"

#define A   ISO_ATK
#define V1  ISO_VICTIM1
#define V2  ISO_VICTIM2
#define RAM FFAMED_POSIX_RAM_BASE
#define TX  FFAMED_SIM_TX_IPA

/* Whether the mediator serves memory sharing to this guest. */
static bool mem_served(void)
{
	return iso_call(A, 0, NULL, FFA_FEATURES, FFA_MEM_SHARE_64, 0, 0, 0, 0, 0, 0) == FFA_RET_OK;
}

/* The error an attack must get: `when_served` once memory sharing is. */
static void expect_mem(int32_t when_served, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3,
		       uint64_t a4)
{
	iso_expect(mem_served() ? when_served : FFA_RET_NOT_SUPPORTED, A, 0, fid, a1, a2, a3, a4,
		   0);
}

struct desc_opts {
	uint16_t sender;
	uint16_t receiver;
	uint32_t emad_count;
	uint32_t emad_offset;
	uint32_t composite_offset;
	uint32_t constituent_count; /* in the composite */
	uint32_t total_pages;	    /* in the composite */
	uint32_t n;		    /* constituents written */
	uint64_t addr[4];
	uint32_t pages[4];
};

static void default_opts(struct desc_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->sender = A;
	o->receiver = FFAMED_SIM_OPTEE_ID;
	o->emad_count = 1;
	o->emad_offset = sizeof(struct ffa_mem_region_1_1);
	o->composite_offset = sizeof(struct ffa_mem_region_1_1) + sizeof(struct ffa_mem_access_1_2);
	o->n = 1;
	o->constituent_count = 1;
	o->total_pages = 1;
	o->addr[0] = RAM + 8 * FFA_PAGE_SIZE;
	o->pages[0] = 1;
}

/* A v1.2 transaction descriptor in the attacker's TX; returns its length. */
static uint32_t write_desc(const struct desc_opts *o)
{
	uint8_t *tx = iso_va(A, TX);
	struct ffa_mem_region_1_1 hdr;
	struct ffa_mem_access_1_2 emad;
	struct ffa_mem_composite comp;
	uint32_t off;

	memset(tx, 0, FFA_PAGE_SIZE);
	memset(&hdr, 0, sizeof(hdr));
	hdr.sender = o->sender;
	hdr.attributes = FFA_MEM_ATTR_NORMAL_WB_INNER;
	hdr.emad_size = sizeof(emad);
	hdr.emad_count = o->emad_count;
	hdr.emad_offset = o->emad_offset;
	memcpy(tx, &hdr, sizeof(hdr));
	memset(&emad, 0, sizeof(emad));
	emad.receiver = o->receiver;
	emad.permissions = FFA_MEM_PERM_DATA_RW;
	emad.composite_offset = o->composite_offset;
	memcpy(tx + sizeof(hdr), &emad, sizeof(emad));
	off = (uint32_t)(sizeof(hdr) + sizeof(emad));
	memset(&comp, 0, sizeof(comp));
	comp.total_page_count = o->total_pages;
	comp.constituent_count = o->constituent_count;
	memcpy(tx + off, &comp, sizeof(comp));
	off += (uint32_t)sizeof(comp);
	for (uint32_t i = 0; i < o->n; i++) {
		struct ffa_mem_constituent c = {.address = o->addr[i], .page_count = o->pages[i]};

		memcpy(tx + off, &c, sizeof(c));
		off += (uint32_t)sizeof(c);
	}
	return off;
}

/* Share a victim's page by its physical address. */
static void atk_mem_share_victim_pa(void **state)
{
	struct desc_opts o;
	uint32_t len;

	(void)state;
	default_opts(&o);
	o.addr[0] = iso_pa(V1, ISO_MARKER_IPA);
	len = write_desc(&o);
	expect_mem(FFA_RET_INVALID_PARAMETERS, FFA_MEM_SHARE_64, len, len, 0, 0);
	expect_mem(FFA_RET_INVALID_PARAMETERS, FFA_MEM_LEND_64, len, len, 0, 0);
	expect_mem(FFA_RET_INVALID_PARAMETERS, FFA_MEM_DONATE_64, len, len, 0, 0);
}

static void atk_mem_share_outside_ram(void **state)
{
	struct desc_opts o;
	uint32_t len;

	(void)state;
	default_opts(&o);
	o.addr[0] = RAM + ISO_RAM_PAGES * FFA_PAGE_SIZE;
	len = write_desc(&o);
	expect_mem(FFA_RET_INVALID_PARAMETERS, FFA_MEM_SHARE_64, len, len, 0, 0);
}

/* Its own RX/TX pair: the mediator and the SPMC own those pages now. */
static void atk_mem_share_own_rxtx(void **state)
{
	struct desc_opts o;
	uint32_t len;

	(void)state;
	default_opts(&o);
	o.addr[0] = FFAMED_SIM_RX_IPA;
	len = write_desc(&o);
	expect_mem(FFA_RET_DENIED, FFA_MEM_SHARE_64, len, len, 0, 0);
}

static void atk_mem_overlapping_constituents(void **state)
{
	struct desc_opts o;
	uint32_t len;

	(void)state;
	default_opts(&o);
	o.n = o.constituent_count = 2;
	o.total_pages = 3;
	o.addr[1] = o.addr[0] + FFA_PAGE_SIZE;
	o.pages[0] = 2;
	o.pages[1] = 1;
	len = write_desc(&o);
	expect_mem(FFA_RET_INVALID_PARAMETERS, FFA_MEM_SHARE_64, len, len, 0, 0);
}

/* Counts whose products overflow, offsets past the descriptor. */
static void atk_mem_count_overflow(void **state)
{
	struct desc_opts o;
	uint32_t len;

	(void)state;
	default_opts(&o);
	o.constituent_count = 0x10000001u; /* x16 bytes wraps 32 bits */
	len = write_desc(&o);
	expect_mem(FFA_RET_INVALID_PARAMETERS, FFA_MEM_SHARE_64, len, len, 0, 0);
	default_opts(&o);
	o.emad_count = 0x08000001u; /* x32 bytes wraps 32 bits */
	len = write_desc(&o);
	expect_mem(FFA_RET_INVALID_PARAMETERS, FFA_MEM_SHARE_64, len, len, 0, 0);
	default_opts(&o);
	o.pages[0] = 0xFFFFFFFFu;
	o.total_pages = 0xFFFFFFFFu;
	len = write_desc(&o);
	expect_mem(FFA_RET_INVALID_PARAMETERS, FFA_MEM_SHARE_64, len, len, 0, 0);
}

static void atk_mem_offsets_out_of_bounds(void **state)
{
	struct desc_opts o;
	uint32_t len;

	(void)state;
	default_opts(&o);
	o.composite_offset = 0xFFFFFFF0u;
	len = write_desc(&o);
	expect_mem(FFA_RET_INVALID_PARAMETERS, FFA_MEM_SHARE_64, len, len, 0, 0);
	default_opts(&o);
	o.emad_offset = FFA_PAGE_SIZE - 4;
	len = write_desc(&o);
	expect_mem(FFA_RET_INVALID_PARAMETERS, FFA_MEM_SHARE_64, len, len, 0, 0);
}

/* Lengths: fragment longer than the total, total past the TX buffer. */
static void atk_mem_bad_lengths(void **state)
{
	struct desc_opts o;
	uint32_t len;

	(void)state;
	default_opts(&o);
	len = write_desc(&o);
	expect_mem(FFA_RET_INVALID_PARAMETERS, FFA_MEM_SHARE_64, len, len + 16, 0, 0);
	expect_mem(FFA_RET_INVALID_PARAMETERS, FFA_MEM_SHARE_64, 0xFFFFFFFFu, FFA_PAGE_SIZE + 1, 0,
		   0);
	expect_mem(FFA_RET_INVALID_PARAMETERS, FFA_MEM_SHARE_64, 0, 0, 0, 0);
	/* Buffer-in-memory form (w3/w4 address and pages) is not offered. */
	expect_mem(FFA_RET_INVALID_PARAMETERS, FFA_MEM_SHARE_64, len, len, TX, 1);
}

/* The descriptor names a victim as the sender. */
static void atk_mem_forged_sender(void **state)
{
	struct desc_opts o;
	uint32_t len;

	(void)state;
	default_opts(&o);
	/* Not the owner: DENIED (FF-A; ACS share/lend_input_error_checks1). */
	o.sender = V1;
	len = write_desc(&o);
	expect_mem(FFA_RET_DENIED, FFA_MEM_SHARE_64, len, len, 0, 0);
	o.sender = FFAMED_SIM_ECHO_ID;
	len = write_desc(&o);
	expect_mem(FFA_RET_DENIED, FFA_MEM_LEND_64, len, len, 0, 0);
}

/* Handles the attacker never got: reclaim, retrieve, relinquish, frag. */
static void atk_mem_foreign_handles(void **state)
{
	static const uint64_t handles[] = {0, 1, FFA_HANDLE_HYP_ALLOCATED | 1, FFA_INVALID_HANDLE,
					   0x8000000000000000ull};

	(void)state;
	for (size_t i = 0; i < sizeof(handles) / sizeof(handles[0]); i++) {
		uint64_t h = handles[i];

		expect_mem(FFA_RET_INVALID_PARAMETERS, FFA_MEM_RECLAIM, (uint32_t)h, h >> 32, 0, 0);
		expect_mem(FFA_RET_INVALID_PARAMETERS, FFA_MEM_FRAG_RX, (uint32_t)h, h >> 32, 0, 0);
		expect_mem(FFA_RET_INVALID_PARAMETERS, FFA_MEM_FRAG_TX, (uint32_t)h, h >> 32, 32,
			   0);
	}
	expect_mem(FFA_RET_INVALID_PARAMETERS, FFA_MEM_RELINQUISH, 0, 0, 0, 0);
	expect_mem(FFA_RET_INVALID_PARAMETERS, FFA_MEM_RETRIEVE_REQ_64, 64, 64, 0, 0);
}

/* Exhaust handles: many shares, none reclaimed, then the VM is destroyed:
 * nothing may stay allocated (checked at shutdown). */
static void atk_mem_exhaust_handles(void **state)
{
	struct desc_opts o;
	uint32_t len;
	int32_t want;

	(void)state;
	default_opts(&o);
	len = write_desc(&o);
	want = mem_served() ? FFA_RET_OK : FFA_RET_NOT_SUPPORTED;
	if (want == FFA_RET_OK)
		iso_snapshot(ISO_ALLOW_ATK_STATE);
	for (int i = 0; i < 2000; i++) {
		int32_t rc = iso_call(A, (uint16_t)(i & 1), NULL, FFA_MEM_SHARE_64, len, len, 0, 0,
				      0, 0, 0);

		/* Once served: the first share works, later ones of the same
		 * pages are refused, and nothing grows without bound. */
		if (want != FFA_RET_OK)
			assert_int_equal(rc, want);
	}
}

/* Fragments when the call is a single fragment; MEM_OP_PAUSE/RESUME. */
static void atk_mem_stray_fragments(void **state)
{
	(void)state;
	expect_mem(FFA_RET_INVALID_PARAMETERS, FFA_MEM_FRAG_TX, 0x1234, 0, 16, 0);
	iso_expect(FFA_RET_NOT_SUPPORTED, A, 0, FFA_MEM_OP_PAUSE, 0x1234, 0, 0, 0, 0);
	iso_expect(FFA_RET_NOT_SUPPORTED, A, 0, FFA_MEM_OP_RESUME, 0x1234, 0, 0, 0, 0);
}

#define ATTACK(f) cmocka_unit_test_setup_teardown(f, iso_setup, iso_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		ATTACK(atk_mem_share_victim_pa), ATTACK(atk_mem_share_outside_ram),
		ATTACK(atk_mem_share_own_rxtx),	 ATTACK(atk_mem_overlapping_constituents),
		ATTACK(atk_mem_count_overflow),	 ATTACK(atk_mem_offsets_out_of_bounds),
		ATTACK(atk_mem_bad_lengths),	 ATTACK(atk_mem_forged_sender),
		ATTACK(atk_mem_foreign_handles), ATTACK(atk_mem_exhaust_handles),
		ATTACK(atk_mem_stray_fragments),
	};

	return cmocka_run_group_tests_name("isolation_mem", tests, NULL, NULL);
}
