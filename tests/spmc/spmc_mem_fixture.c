/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

#include "spmc_mem_fixture.h"

#define FXM_HYP_TX 0u
#define FXM_HYP_RX 8u

struct fxm *fxm_new(uint32_t v, uint32_t hyp_pages, const struct ffamed_spmc_config *cfg)
{
	return fxm_new_ram(v, hyp_pages, cfg, FX_RAM_PAGES);
}

struct fxm *fxm_new_ram(uint32_t v, uint32_t hyp_pages, const struct ffamed_spmc_config *cfg,
			size_t ram_pages)
{
	struct fxm *m = calloc(1, sizeof(*m));

	assert_non_null(m);
	m->f = fx_new_ram(ram_pages);
	ffamed_sp_memsp_config(&m->f->sps[m->f->sp_count++], &m->memsp_a, FXM_MEMSP_A, FX_MP_CTX);
	ffamed_sp_memsp_config(&m->f->sps[m->f->sp_count++], &m->memsp_b, FXM_MEMSP_B, 1);
	assert_int_equal(fx_create(m->f, cfg), 0);
	assert_int_equal(fx_version(m->f, v), FFA_VERSION_1_2);
	fx_map_hyp(m->f, FXM_HYP_TX, FXM_HYP_RX, hyp_pages);
	return m;
}

void fxm_free(struct fxm *m)
{
	fx_free(m->f);
	free(m);
}

uint8_t *fxm_hyp_tx(struct fxm *m)
{
	return fx_va(m->f, fx_pa(FXM_HYP_TX));
}

uint8_t *fxm_hyp_rx(struct fxm *m)
{
	return fx_va(m->f, fx_pa(FXM_HYP_RX));
}

void fxm_desc_init(struct fxm_desc *d, uint32_t version, uint32_t fid,
		   const struct fxm_range *ranges, uint32_t n)
{
	memset(d, 0, sizeof(*d));
	d->version = version;
	d->sender = FXM_VM;
	/* A donate and a lend to one borrower leave the attributes to it. */
	d->attributes =
		FFA_FNUM(fid) == FFA_FNUM(FFA_MEM_SHARE_32) ? FFA_MEM_ATTR_NORMAL_WB_INNER : 0;
	d->recv_count = 1;
	d->recv[0].id = FXM_MEMSP_A;
	d->recv[0].perm = FFA_FNUM(fid) == FFA_FNUM(FFA_MEM_DONATE_32) ? 0 : FFA_MEM_PERM_DATA_RW;
	d->ranges = ranges;
	d->range_count = n;
}

uint32_t fxm_build(const struct fxm_desc *d, uint8_t *buf, uint32_t cap, uint32_t *const_off)
{
	bool v10 = d->version == FFA_VERSION_1_0;
	uint32_t hdr = v10 ? 32 : 48;
	uint32_t esz = d->version >= FFA_VERSION_1_2 ? 32 : 16;
	uint32_t comp = hdr + d->recv_count * esz;
	uint32_t len = comp + 16 + d->range_count * 16;
	uint32_t total = 0;

	assert_true(len <= cap);
	memset(buf, 0, len);
	memcpy(buf, &d->sender, 2);
	if (v10) {
		buf[2] = (uint8_t)d->attributes;
	} else {
		memcpy(buf + 2, &d->attributes, 2);
		memcpy(buf + 24, &esz, 4);
		memcpy(buf + 32, &hdr, 4);
	}
	memcpy(buf + 4, &d->flags, 4);
	memcpy(buf + 8, &d->handle, 8);
	memcpy(buf + 16, &d->tag, 8);
	memcpy(buf + 28, &d->recv_count, 4);
	for (uint32_t i = 0; i < d->recv_count; i++) {
		uint8_t *e = buf + hdr + i * esz;
		uint32_t off = d->recv[i].comp_off ? d->recv[i].comp_off : comp;

		memcpy(e, &d->recv[i].id, 2);
		e[2] = d->recv[i].perm;
		e[3] = d->recv[i].flags;
		memcpy(e + 4, &off, 4);
		if (esz == 32)
			memcpy(e + 8, d->recv[i].impdef, 16);
	}
	for (uint32_t i = 0; i < d->range_count; i++) {
		uint8_t *c = buf + comp + 16 + i * 16;

		memcpy(c, &d->ranges[i].pa, 8);
		memcpy(c + 8, &d->ranges[i].pages, 4);
		total += d->ranges[i].pages;
	}
	total = (uint32_t)((int32_t)total + d->total_pages_delta);
	memcpy(buf + comp, &total, 4);
	memcpy(buf + comp + 4, &d->range_count, 4);
	if (const_off)
		*const_off = comp + 16;
	return len;
}

/* Where the first fragment may end: past the composite header, on a
 * constituent boundary. */
static uint32_t fxm_first_len(const uint8_t *buf, uint32_t len, uint32_t frag)
{
	uint32_t esz;
	uint32_t eoff = 32;
	uint32_t comp;

	if (frag >= len)
		return len;
	memcpy(&esz, buf + 24, 4);
	if (esz) /* v1.1+ */
		memcpy(&eoff, buf + 32, 4);
	memcpy(&comp, buf + eoff + 4, 4);
	comp += 16;
	if (frag <= comp)
		return comp;
	return comp + (frag - comp) / 16 * 16;
}

int32_t fxm_send(struct fxm *m, uint32_t fid, const uint8_t *buf, uint32_t len, uint32_t frag,
		 uint64_t *handle, uint32_t *frags)
{
	uint8_t *tx = fxm_hyp_tx(m);
	uint32_t sent = fxm_first_len(buf, len, frag);
	uint32_t n = 1;
	struct ffamed_regs r;

	memcpy(tx, buf, sent);
	r = fx_call(m->f, 0, fid, len, sent, 0, 0, 0, 0, 0);
	while ((uint32_t)r.x[0] == FFA_MEM_FRAG_RX) {
		uint64_t h = (uint32_t)r.x[1] | ((uint64_t)(uint32_t)r.x[2] << 32);
		uint32_t chunk = (frag / 16 * 16);

		assert_int_equal(r.x[3], sent);
		if (chunk > len - sent)
			chunk = len - sent;
		memcpy(tx, buf + sent, chunk);
		r = fx_call(m->f, 0, FFA_MEM_FRAG_TX, (uint32_t)h, h >> 32, chunk, 0, 0, 0, 0);
		sent += chunk;
		n++;
	}
	if (frags)
		*frags = n;
	if (ffa_is_error(&r))
		return ffa_error_code(&r);
	assert_int_equal(r.x[0], FFA_SUCCESS_32);
	assert_int_equal(sent, len);
	if (handle)
		*handle = (uint32_t)r.x[2] | ((uint64_t)(uint32_t)r.x[3] << 32);
	return 0;
}

int32_t fxm_send_desc(struct fxm *m, uint32_t fid, const struct fxm_desc *d, uint64_t *handle)
{
	static _Thread_local uint8_t buf[FX_PAGE];
	uint32_t len = fxm_build(d, buf, sizeof(buf), NULL);

	return fxm_send(m, fid, buf, len, len, handle, NULL);
}

struct ffamed_regs fxm_reclaim(struct fxm *m, uint64_t handle, uint32_t flags)
{
	return fx_call(m->f, 0, FFA_MEM_RECLAIM, (uint32_t)handle, handle >> 32, flags, 0, 0, 0, 0);
}

void fxm_memsp(struct fxm *m, uint16_t sp, uint64_t cmd, uint64_t handle, uint64_t a3, uint64_t a4,
	       uint64_t out[5])
{
	struct ffamed_regs r = {.x = {FFA_MSG_SEND_DIRECT_REQ_64, ((uint64_t)FXM_VM << 16) | sp}};

	r.x[3] = cmd;
	r.x[4] = (uint32_t)handle;
	r.x[5] = handle >> 32;
	r.x[6] = a3;
	r.x[7] = a4;
	ffamed_spmc_call(m->f->spmc, 0, &r);
	assert_int_equal(r.x[0], FFA_MSG_SEND_DIRECT_RESP_64);
	for (int i = 0; i < 5; i++)
		out[i] = r.x[3 + i];
}

uint32_t fxm_fnv(const uint8_t *p, size_t n)
{
	uint32_t h = 0x811c9dc5u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x01000193u;
	return h;
}
