/* SPDX-License-Identifier: MIT */
/*
 * Memory management in the software SPMC, shared by its files:
 *   spmc_mem.c          transactions: handles, send and fragments, reclaim,
 *                       the page claims, FFA_FEATURES properties
 *   spmc_mem_desc.c     transaction descriptors: layouts per version, parse,
 *                       encode, the permission and attribute rules
 *   spmc_mem_retrieve.c retrieve and relinquish by SPs (the SP-side API) and
 *                       by the hypervisor
 *
 * mem->lock guards every transaction, the claims and the hypervisor's
 * pending retrieve response; its place in the lock order: spmc_state.h.
 */
#ifndef FFAMED_SPMC_MEM_INTERNAL_H
#define FFAMED_SPMC_MEM_INTERNAL_H

#include "spmc_base.h"
#include "spmc_mem.h"

#define SPMC_MEM_MAX_HANDLES_DEFAULT   4096u
#define SPMC_MEM_MAX_FRAGMENTS_DEFAULT 4096u
#define SPMC_MEM_MAX_DESC_LEN_DEFAULT  (16u << 20)
#define SPMC_MEM_COMPOSITE_SIZE	       16u
#define SPMC_MEM_CONSTITUENT_SIZE      16u

/* A transaction descriptor's header, whatever its layout. */
struct spmc_mem_hdr {
	uint16_t sender;
	uint16_t attributes;
	uint32_t flags;
	uint64_t handle;
	uint64_t tag;
	uint32_t emad_size;
	uint32_t emad_count;
	uint32_t emad_offset;
};

struct spmc_mem_emad {
	uint16_t receiver;
	uint8_t perm;
	uint8_t flags;
	uint32_t composite_offset;
	uint8_t impdef[16];
};

struct spmc_mem_recv {
	uint16_t id;
	uint8_t perm;	    /* as granted (instruction access resolved) */
	uint8_t impdef[16]; /* v1.2+: what the retriever must quote */
	uint32_t retrieved; /* retrieves not yet relinquished */
	uint8_t *resp;	    /* retrieve response being handed out in fragments */
	uint32_t resp_len;
	uint32_t resp_sent;
};

struct spmc_mem_txn {
	struct spmc_mem_txn *next;
	uint64_t handle;
	uint32_t type; /* FFA_MEM_FLAG_TYPE_SHARE / _LEND / _DONATE */
	uint16_t sender;
	uint16_t attributes;
	uint32_t flags;
	uint64_t tag;
	uint32_t recv_count;
	struct spmc_mem_recv *recv;
	/* Constituents in descriptor order; range_count grows while assembling. */
	struct ffamed_sp_mem_range *ranges;
	uint32_t range_count;
	uint32_t constituent_count; /* declared by the composite */
	uint64_t total_pages;	    /* declared by the composite */
	uint64_t pages_seen;
	uint32_t total_len;
	uint32_t received;
	uint32_t fragments;
	bool complete;
	bool zeroed; /* the sender's zero-memory flag was honoured */
};

/* A claimed page range, sorted by pa over all complete transactions. */
struct spmc_mem_claim {
	uint64_t pa;
	uint64_t end; /* exclusive */
	struct spmc_mem_txn *txn;
};

struct spmc_mem {
	struct ffamed_lock lock; /* guards everything below */
	struct spmc_mem_txn *txns;
	uint32_t txn_count;
	uint64_t next_seq;
	struct spmc_mem_claim *claims;
	size_t claim_count;
	uint32_t max_handles;
	uint32_t max_fragments;
	uint32_t max_desc_len;
	/* The hypervisor's retrieve response being handed out by FRAG_RX. */
	uint8_t *hyp_resp;
	uint64_t hyp_resp_handle;
	uint32_t hyp_resp_len;
	uint32_t hyp_resp_sent;
};

/* ---- spmc_mem_desc.c -------------------------------------------------------- */
uint32_t spmc_mem_hdr_size(uint32_t version);
uint32_t spmc_mem_emad_size(uint32_t version);
/* Parses the header in buf[0..len) laid out for `version`: reserved fields
 * MBZ, v1.1+ EMAD size and offset legal, EMAD array inside len. */
int32_t spmc_mem_hdr_parse(const uint8_t *buf, size_t len, uint32_t version,
			   struct spmc_mem_hdr *h);
/* EMAD i (inside len: checked by spmc_mem_hdr_parse); false if its reserved
 * bytes are not zero. */
bool spmc_mem_emad_get(const uint8_t *buf, const struct spmc_mem_hdr *h, uint32_t version,
		       uint32_t i, struct spmc_mem_emad *e);
/* Writes a header and sets h->emad_size/offset for `version`; returns the
 * offset right after the EMAD array. */
uint32_t spmc_mem_hdr_encode(uint8_t *buf, uint32_t version, struct spmc_mem_hdr *h);
void spmc_mem_emad_encode(uint8_t *buf, const struct spmc_mem_hdr *h, uint32_t version, uint32_t i,
			  const struct spmc_mem_emad *e);
/* Permission and attribute rules of a send, per the transaction type. */
int32_t spmc_mem_send_perm_check(uint32_t type, uint32_t recv_count, uint8_t perm,
				 uint8_t *granted);
int32_t spmc_mem_send_attr_check(uint32_t type, uint32_t version, uint32_t recv_count,
				 uint16_t attributes);

/* ---- spmc_mem.c ------------------------------------------------------------- */
/* Finds a transaction (mem->lock held); NULL if unknown. */
struct spmc_mem_txn *spmc_mem_find(struct spmc_mem *mem, uint64_t handle);
/* Unlinks and frees a transaction and its claims (mem->lock held). */
void spmc_mem_txn_drop(struct ffamed_spmc *spmc, struct spmc_mem_txn *txn);
/* Zeroes the transaction's pages. */
void spmc_mem_txn_zero(struct ffamed_spmc *spmc, const struct spmc_mem_txn *txn);
/* Builds the retrieve response of `txn` for one receiver (or all of them,
 * recv NULL: the hypervisor's view) in `version`'s layout. */
uint8_t *spmc_mem_resp_build(struct ffamed_spmc *spmc, const struct spmc_mem_txn *txn,
			     const struct spmc_mem_recv *recv, uint8_t perm, uint32_t version,
			     uint32_t *len);

#endif /* FFAMED_SPMC_MEM_INTERNAL_H */
