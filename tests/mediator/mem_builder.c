/* SPDX-License-Identifier: MIT */
#include "mem_builder.h"

#include <string.h>

size_t mb_header_size(uint32_t version)
{
	return version >= FFA_VERSION_1_1 ? 48 : 32;
}

size_t mb_emad_size(uint32_t version)
{
	return version >= FFA_VERSION_1_2 ? 32 : 16;
}

size_t mb_comp_offset(uint32_t version, uint32_t recv_count)
{
	size_t end = mb_header_size(version) + mb_emad_size(version) * recv_count;

	return (end + 15) & ~(size_t)15;
}

size_t mb_build(uint8_t *out, size_t cap, const struct mb_desc *d)
{
	size_t comp = mb_comp_offset(d->version, d->recv_count);
	size_t len = comp + 16 + 16 * (size_t)d->cons_count;
	struct ffa_mem_composite c = {.constituent_count = d->cons_count};

	assert_true(len <= cap);
	memset(out, 0, len);
	if (d->version >= FFA_VERSION_1_1) {
		struct ffa_mem_region_1_1 h = {
			.sender = d->sender,
			.attributes = d->attributes,
			.flags = d->flags,
			.handle = d->handle,
			.tag = d->tag,
			.emad_size = (uint32_t)mb_emad_size(d->version),
			.emad_count = d->recv_count,
			.emad_offset = 48,
		};
		memcpy(out, &h, sizeof(h));
	} else {
		struct ffa_mem_region_1_0 h = {
			.sender = d->sender,
			.attributes = (uint8_t)d->attributes,
			.flags = d->flags,
			.handle = d->handle,
			.tag = d->tag,
			.emad_count = d->recv_count,
		};
		memcpy(out, &h, sizeof(h));
	}
	for (uint32_t i = 0; i < d->recv_count; i++) {
		struct ffa_mem_access_1_0 e = {
			.receiver = d->recv[i].id,
			.permissions = d->recv[i].perm,
			.flags = d->recv[i].flags,
			.composite_offset = (uint32_t)comp,
		};
		memcpy(out + mb_header_size(d->version) + i * mb_emad_size(d->version), &e,
		       sizeof(e));
		if (mb_emad_size(d->version) == 32)
			memcpy(out + mb_header_size(d->version) + i * 32 + 8, d->recv[i].impdef,
			       16);
	}
	for (uint32_t i = 0; i < d->cons_count; i++)
		c.total_page_count += d->cons[i].page_count;
	memcpy(out + comp, &c, sizeof(c));
	if (d->cons_count)
		memcpy(out + comp + 16, d->cons, 16 * (size_t)d->cons_count);
	return len;
}

size_t mb_simple(uint8_t *out, size_t cap, uint32_t version, uint16_t sender, uint16_t recv,
		 uint8_t perm, const uint32_t *pages, uint32_t first_page, uint32_t n)
{
	struct ffa_mem_constituent *cons = calloc(n, sizeof(*cons));
	struct mb_desc d = {
		.version = version,
		.sender = sender,
		.attributes = FFA_MEM_ATTR_NORMAL_WB_INNER,
		.recv_count = 1,
		.recv = {{.id = recv, .perm = perm}},
		.cons_count = n,
		.cons = cons,
	};
	size_t len;

	assert_non_null(cons);
	for (uint32_t i = 0; i < n; i++) {
		cons[i].address = MB_IPA(pages ? pages[i] : first_page + i);
		cons[i].page_count = 1;
	}
	len = mb_build(out, cap, &d);
	free(cons);
	return len;
}

void mb_fit(uint8_t *desc, uint32_t version, uint32_t fid)
{
	bool donate = fid == FFA_MEM_DONATE_32 || fid == FFA_MEM_DONATE_64;
	bool lend = fid == FFA_MEM_LEND_32 || fid == FFA_MEM_LEND_64;
	uint32_t count;

	memcpy(&count, desc + 28, sizeof(count));
	if (donate || (lend && count == 1)) {
		desc[2] = 0;
		if (version >= FFA_VERSION_1_1)
			desc[3] = 0;
	}
	if (donate)
		for (uint32_t i = 0; i < count; i++)
			desc[mb_header_size(version) + i * mb_emad_size(version) + 2] &=
				(uint8_t)~FFA_MEM_PERM_DATA_MASK;
}

void mb_write_tx(struct fix_vm *v, size_t off, const void *data, size_t len)
{
	const uint8_t *p = data;

	/* Page by page: the TX is scattered in PA. */
	while (len) {
		size_t in_page = FFA_PAGE_SIZE - (off & (FFA_PAGE_SIZE - 1));
		size_t n = len < in_page ? len : in_page;

		memcpy(fix_vm_ptr(v, MB_TX_IPA + off), p, n);
		p += n;
		off += n;
		len -= n;
	}
}

void mb_read_rx(struct fix_vm *v, size_t off, void *data, size_t len)
{
	uint8_t *p = data;

	while (len) {
		size_t in_page = FFA_PAGE_SIZE - (off & (FFA_PAGE_SIZE - 1));
		size_t n = len < in_page ? len : in_page;

		memcpy(p, fix_vm_ptr(v, MB_RX_IPA + off), n);
		p += n;
		off += n;
		len -= n;
	}
}

int32_t mb_send(struct fix_vm *v, uint32_t fid, const uint8_t *desc, size_t len, size_t tx_size,
		uint64_t *handle, unsigned *frags)
{
	size_t sent = len < tx_size ? len : tx_size;
	uint64_t first_h = 0;
	struct ffamed_regs r;

	if (frags)
		*frags = 0;
	mb_write_tx(v, 0, desc, sent);
	r = fix_call(v, 0, fid, len, sent, 0, 0, 0);
	while ((uint32_t)r.x[0] == FFA_MEM_FRAG_RX) {
		uint64_t h = (uint32_t)r.x[1] | ((uint64_t)(uint32_t)r.x[2] << 32);
		size_t n;

		assert_int_equal(r.x[3], sent);
		/* One handle from the first FRAG_RX on: Linux keeps that one. */
		if (!first_h)
			first_h = h;
		assert_int_equal(h, first_h);
		if (frags)
			(*frags)++;
		n = len - sent < tx_size ? len - sent : tx_size;
		mb_write_tx(v, 0, desc + sent, n);
		r = fix_call(v, 0, FFA_MEM_FRAG_TX, (uint32_t)h, h >> 32, n, 0, 0);
		sent += n;
	}
	if (ffa_is_success(&r)) {
		uint64_t h = (uint32_t)r.x[2] | ((uint64_t)(uint32_t)r.x[3] << 32);

		if (first_h)
			assert_int_equal(h, first_h);
		if (handle)
			*handle = h;
	}
	return ffa_result(&r);
}

int32_t mb_reclaim(struct fix_vm *v, uint64_t handle, uint32_t flags)
{
	struct ffamed_regs r =
		fix_call(v, 0, FFA_MEM_RECLAIM, (uint32_t)handle, handle >> 32, flags, 0, 0);

	return ffa_result(&r);
}

int32_t mb_rx_release(struct fix_vm *v)
{
	struct ffamed_regs r = fix_call(v, 0, FFA_RX_RELEASE, 0, 0, 0, 0, 0);

	return ffa_result(&r);
}

int32_t mb_retrieve(struct fix_vm *v, uint32_t version, uint64_t handle, uint16_t sender,
		    uint8_t perm, uint32_t flags, uint8_t *resp, size_t cap, size_t *len,
		    unsigned *frags)
{
	return mb_retrieve_attr(v, version, handle, sender, perm, flags, 0, resp, cap, len, frags);
}

int32_t mb_retrieve_attr(struct fix_vm *v, uint32_t version, uint64_t handle, uint16_t sender,
			 uint8_t perm, uint32_t flags, uint16_t attributes, uint8_t *resp,
			 size_t cap, size_t *len, unsigned *frags)
{
	uint8_t req[256];
	struct mb_desc d = {
		.version = version,
		.sender = sender,
		.attributes = attributes,
		.flags = flags,
		.handle = handle,
		.recv_count = 1,
		.recv = {{.id = v->id, .perm = perm}},
	};
	size_t n = mb_build(req, sizeof(req), &d), total, got;
	struct ffamed_regs r;

	if (frags)
		*frags = 0;
	mb_write_tx(v, 0, req, n);
	r = fix_call(v, 0, FFA_MEM_RETRIEVE_REQ_64, n, n, 0, 0, 0);
	if ((uint32_t)r.x[0] != FFA_MEM_RETRIEVE_RESP)
		return ffa_result(&r);
	total = r.x[1];
	got = r.x[2];
	assert_true(total <= cap && got <= total);
	mb_read_rx(v, 0, resp, got);
	while (got < total) {
		assert_int_equal(mb_rx_release(v), FFA_RET_OK);
		r = fix_call(v, 0, FFA_MEM_FRAG_RX, (uint32_t)handle, handle >> 32, got, 0, 0);
		assert_int_equal((uint32_t)r.x[0], FFA_MEM_FRAG_TX);
		assert_true(r.x[3] > 0 && got + r.x[3] <= total);
		mb_read_rx(v, 0, resp + got, r.x[3]);
		got += r.x[3];
		if (frags)
			(*frags)++;
	}
	assert_int_equal(mb_rx_release(v), FFA_RET_OK);
	if (len)
		*len = total;
	return FFA_RET_OK;
}

uint32_t mb_resp_cons(const uint8_t *resp, size_t len, uint32_t version,
		      struct ffa_mem_constituent *out, uint32_t max)
{
	struct ffa_mem_access_1_0 e;
	struct ffa_mem_composite c;
	size_t emad_off = version >= FFA_VERSION_1_1 ? 48 : 32;

	if (version >= FFA_VERSION_1_1) {
		struct ffa_mem_region_1_1 h;

		memcpy(&h, resp, sizeof(h));
		emad_off = h.emad_offset;
	}
	memcpy(&e, resp + emad_off, sizeof(e));
	assert_true(e.composite_offset + 16 <= len);
	memcpy(&c, resp + e.composite_offset, sizeof(c));
	assert_true(c.constituent_count <= max);
	assert_true(e.composite_offset + 16 + 16 * (size_t)c.constituent_count <= len);
	memcpy(out, resp + e.composite_offset + 16, 16 * (size_t)c.constituent_count);
	return c.constituent_count;
}

int32_t mb_relinquish(struct fix_vm *v, uint64_t handle, uint32_t flags)
{
	struct ffa_mem_relinquish rel = {.handle = handle, .flags = flags, .endpoint_count = 1};
	uint16_t id = v->id;
	struct ffamed_regs r;

	mb_write_tx(v, 0, &rel, sizeof(rel));
	mb_write_tx(v, sizeof(rel), &id, sizeof(id));
	r = fix_call(v, 0, FFA_MEM_RELINQUISH, 0, 0, 0, 0, 0);
	return ffa_result(&r);
}
