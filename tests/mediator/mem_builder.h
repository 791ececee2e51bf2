/* SPDX-License-Identifier: MIT */
/*
 * Memory transaction descriptors built by hand for the mediator's tests, in
 * any format, and the guest side of the memory ABIs driven through the
 * fixture (TX writes, fragments, retrieve with FRAG_RX, relinquish).
 * Malformed-descriptor tests build a good one and then poke at it.
 */
#ifndef MEM_BUILDER_H
#define MEM_BUILDER_H

#include <stdlib.h>

#include "med_fixture.h"

#define MB_MAX_RECV 8
/* fix_map_default(v, 1): TX at RAM page 0, RX at page 1. */
#define MB_TX_IPA    FIX_IPA_BASE
#define MB_RX_IPA    (FIX_IPA_BASE + FFA_PAGE_SIZE)
#define MB_IPA(page) (FIX_IPA_BASE + (uint64_t)(page)*FFA_PAGE_SIZE)

struct mb_recv {
	uint16_t id;
	uint8_t perm;
	uint8_t flags;
	uint8_t impdef[16]; /* v1.2 EMADs only */
};

struct mb_desc {
	uint32_t version; /* picks the format */
	uint16_t sender;
	uint16_t attributes;
	uint32_t flags;
	uint64_t handle;
	uint64_t tag;
	uint32_t recv_count;
	struct mb_recv recv[MB_MAX_RECV];
	uint32_t cons_count;
	const struct ffa_mem_constituent *cons;
};

size_t mb_header_size(uint32_t version);
size_t mb_emad_size(uint32_t version);
/* Offset of the composite descriptor mb_build writes. */
size_t mb_comp_offset(uint32_t version, uint32_t recv_count);
/* Encodes d into out (cap bytes); returns the length. */
size_t mb_build(uint8_t *out, size_t cap, const struct mb_desc *d);
/* A one-receiver descriptor over `n` RAM pages from `first_page`, one
 * constituent per page (scattered IPAs welcome: pages[] may be NULL). */
size_t mb_simple(uint8_t *out, size_t cap, uint32_t version, uint16_t sender, uint16_t recv,
		 uint8_t perm, const uint32_t *pages, uint32_t first_page, uint32_t n);

/* Makes a descriptor built for a share valid for `fid` as FF-A wants it:
 * a donate and a lend to one borrower leave the attributes to the borrower
 * (0), a donate the data access too. */
void mb_fit(uint8_t *desc, uint32_t version, uint32_t fid);

/* Guest side. tx_size: the TX buffer size the VM mapped. */
void mb_write_tx(struct fix_vm *v, size_t off, const void *data, size_t len);
void mb_read_rx(struct fix_vm *v, size_t off, void *data, size_t len);
/* A send, fragmented to tx_size; returns the final answer's result and
 * stores the handle; *frags counts the FRAG_RX answers. */
int32_t mb_send(struct fix_vm *v, uint32_t fid, const uint8_t *desc, size_t len, size_t tx_size,
		uint64_t *handle, unsigned *frags);
int32_t mb_reclaim(struct fix_vm *v, uint64_t handle, uint32_t flags);
/* A retrieve request for `self` in v's format; the whole response (FRAG_RX
 * as needed, releasing the RX in between) into resp. */
int32_t mb_retrieve(struct fix_vm *v, uint32_t version, uint64_t handle, uint16_t sender,
		    uint8_t perm, uint32_t flags, uint8_t *resp, size_t cap, size_t *len,
		    unsigned *frags);
/* The same, asking for memory region attributes (0: not specified). */
int32_t mb_retrieve_attr(struct fix_vm *v, uint32_t version, uint64_t handle, uint16_t sender,
			 uint8_t perm, uint32_t flags, uint16_t attributes, uint8_t *resp,
			 size_t cap, size_t *len, unsigned *frags);
/* The constituents of a response (first receiver's composite). */
uint32_t mb_resp_cons(const uint8_t *resp, size_t len, uint32_t version,
		      struct ffa_mem_constituent *out, uint32_t max);
int32_t mb_relinquish(struct fix_vm *v, uint64_t handle, uint32_t flags);
int32_t mb_rx_release(struct fix_vm *v);

#endif /* MEM_BUILDER_H */
