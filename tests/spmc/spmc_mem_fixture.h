/* SPDX-License-Identifier: MIT */
/*
 * Memory-management helpers for the SPMC tests: a fixture with MEMSP
 * borrowers, a transaction descriptor builder for every layout, and the
 * hypervisor's side of a (fragmented) send.
 */
#ifndef SPMC_MEM_FIXTURE_H
#define SPMC_MEM_FIXTURE_H

#include "spmc_fixture.h"

#define FXM_MEMSP_A  0x8006u /* MEMSP, FX_MP_CTX contexts */
#define FXM_MEMSP_B  0x8007u /* MEMSP, 1 context */
#define FXM_MAX_RECV 4
#define FXM_VM	     0x0005u /* the sending VM */
/* Pages of fake RAM free for sharing (above the hypervisor's pair). */
#define FXM_FIRST_PAGE 16u

struct fxm_recv {
	uint16_t id;
	uint8_t perm;
	uint8_t flags;
	uint8_t impdef[16];
	uint32_t comp_off; /* 0: the builder's */
};

struct fxm_range {
	uint64_t pa;
	uint32_t pages;
};

struct fxm_desc {
	uint32_t version; /* layout */
	uint16_t sender;
	uint16_t attributes;
	uint32_t flags;
	uint64_t handle;
	uint64_t tag;
	uint32_t recv_count;
	struct fxm_recv recv[FXM_MAX_RECV];
	uint32_t range_count;
	const struct fxm_range *ranges;
	int32_t total_pages_delta; /* added to the computed total page count */
};

struct fxm {
	struct fx *f;
	struct ffamed_sp_memsp memsp_a;
	struct ffamed_sp_memsp memsp_b;
};

/* Standard SPs plus two MEMSPs, version `v` negotiated, hypervisor pair
 * of `hyp_pages` pages at pages 0 (TX) and 8 (RX). */
struct fxm *fxm_new(uint32_t v, uint32_t hyp_pages, const struct ffamed_spmc_config *cfg);
struct fxm *fxm_new_ram(uint32_t v, uint32_t hyp_pages, const struct ffamed_spmc_config *cfg,
			size_t ram_pages);
void fxm_free(struct fxm *m);
uint8_t *fxm_hyp_tx(struct fxm *m);
uint8_t *fxm_hyp_rx(struct fxm *m);

/* A descriptor with one receiver (MEMSP_A, RW or as the op requires), the
 * given ranges, attributes 0x2F for a share (0 for a lend or a donate: a
 * second lend borrower needs 0x2F), sender FXM_VM. */
void fxm_desc_init(struct fxm_desc *d, uint32_t version, uint32_t fid,
		   const struct fxm_range *ranges, uint32_t n);
/* Writes the descriptor to buf (cap bytes); returns its length. Also
 * returns the offset of the first constituent in *const_off (may be NULL). */
uint32_t fxm_build(const struct fxm_desc *d, uint8_t *buf, uint32_t cap, uint32_t *const_off);

/* The hypervisor's send of buf[0..len): fragments of at most frag bytes
 * (cut on constituent boundaries). Returns 0 or the FF-A error of the call
 * that failed; *handle and *frags (may be NULL) report the handle and the
 * number of fragments sent. */
int32_t fxm_send(struct fxm *m, uint32_t fid, const uint8_t *buf, uint32_t len, uint32_t frag,
		 uint64_t *handle, uint32_t *frags);
/* Builds and sends in one fragment. */
int32_t fxm_send_desc(struct fxm *m, uint32_t fid, const struct fxm_desc *d, uint64_t *handle);
struct ffamed_regs fxm_reclaim(struct fxm *m, uint64_t handle, uint32_t flags);

/* A direct request to a MEMSP (DIRECT_REQ_64); P[0..4] in, reply payload out[0..4]. */
void fxm_memsp(struct fxm *m, uint16_t sp, uint64_t cmd, uint64_t handle, uint64_t a3, uint64_t a4,
	       uint64_t out[5]);
uint32_t fxm_fnv(const uint8_t *p, size_t n);

#endif
