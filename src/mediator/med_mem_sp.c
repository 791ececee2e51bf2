/* SPDX-License-Identifier: MIT */
/*
 * Transactions with SP borrowers go to the SPMC, which allocates the handle:
 * the descriptor is re-encoded in the SPMC's format with the VM as sender
 * and the pinned physical pages as constituents (physically contiguous runs
 * coalesced), and sent through the mediator's TX buffer, in fragments of
 * whole constituents when it does not fit (FFA_MEM_FRAG_RX / FRAG_TX, the
 * VM's ID in w4[31:16]).
 */
#include "med_host.h"
#include "med_internal.h"
#include "med_log.h"
#include "med_mem.h"
#include "med_spmc_rxtx.h"
#if FFAMED_CONFIG_MEM_SHARE /* ffamed/config.h; else med_compiled_out.c */

static int32_t sp_abort(struct ffamed *med, uint64_t handle)
{
	/* The SPMC has the handle but not the whole descriptor: drop it. */
	int32_t rc = med_fw_simple(med, FFA_MEM_RECLAIM, (uint32_t)handle, (uint32_t)(handle >> 32),
				   0, 0, 0, NULL);

	if (rc != FFA_RET_OK)
		med_warn(med, "ffamed: SPMC refused to drop half-sent handle %llx (%d)",
			 (unsigned long long)handle, (int)rc);
	return FFA_RET_ABORTED;
}

/*
 * Streams desc[from..total) through our TX; returns the SPMC's handle.
 * from == 0: starts with the send FID and first_len bytes; otherwise the
 * SPMC already holds desc[0..from) under *handle and asked for the rest.
 */
static int32_t sp_stream(struct ffamed *med, uint32_t fid, uint16_t vm_id, const uint8_t *desc,
			 size_t total, size_t from, size_t first_len, uint64_t *handle)
{
	size_t tx_size = med_spmc_rxtx_size(med) & ~(size_t)15;
	size_t sent = from, len = first_len;
	uint64_t h_frag = from ? *handle : FFA_INVALID_HANDLE;
	struct ffamed_regs r;
	uint8_t *tx;
	int32_t rc;

	tx = med_spmc_tx_acquire(med);
	if (!tx)
		return FFA_RET_NOT_SUPPORTED;
	ffa_regs_clear(&r);
	if (from) {
		r.x[0] = FFA_MEM_FRAG_RX; /* as the SPMC last answered */
		r.x[1] = (uint32_t)*handle;
		r.x[2] = (uint32_t)(*handle >> 32);
		r.x[3] = from;
	} else {
		memcpy(tx, desc, len);
		r.x[0] = fid;
		r.x[1] = total;
		r.x[2] = len;
		med_fw_call(med, &r);
		sent = len;
	}
	for (;;) {
		uint32_t w0 = (uint32_t)r.x[0];
		uint64_t h;

		if (w0 == FFA_SUCCESS_32 || w0 == FFA_SUCCESS_64) {
			h = (uint32_t)r.x[2] | ((uint64_t)(uint32_t)r.x[3] << 32);
			rc = sent == total && (!from || h == *handle) ? FFA_RET_OK
								      : sp_abort(med, h);
			*handle = h;
			break;
		}
		if (w0 != FFA_MEM_FRAG_RX) {
			rc = ffa_is_error(&r) ? ffa_error_code(&r) : FFA_RET_ABORTED;
			/* A refused fragment: make sure the SPMC dropped the
			 * handle (it may have already: its answer is moot). */
			if (h_frag != FFA_INVALID_HANDLE)
				med_mem_sp_reclaim(med, h_frag, 0);
			break;
		}
		h = (uint32_t)r.x[1] | ((uint64_t)(uint32_t)r.x[2] << 32);
		h_frag = h;
		if ((uint32_t)r.x[3] != sent || sent >= total || (from && h != *handle)) {
			rc = sp_abort(med, h);
			break;
		}
		len = total - sent < tx_size ? total - sent : tx_size;
		memcpy(tx, desc + sent, len);
		ffa_regs_clear(&r);
		r.x[0] = FFA_MEM_FRAG_TX;
		r.x[1] = (uint32_t)h;
		r.x[2] = (uint32_t)(h >> 32);
		r.x[3] = len;
		r.x[4] = (uint32_t)vm_id << 16;
		med_fw_call(med, &r);
		sent += len;
	}
	med_spmc_tx_release(med);
	return rc;
}

/*
 * A guest sending in fragments gets the final handle in its first
 * FRAG_RX (Linux keeps that one), so the SPMC must allocate it at the
 * guest's first fragment: the translated header, EMADs and composite
 * header go now, announcing one constituent per page (the total length
 * must be known before the guest's constituents are), and the rest at the
 * guest's last fragment (med_mem_sp_finish). Returns the SPMC's handle and
 * a copy of what was sent, to check the end against.
 */
int32_t med_mem_sp_begin(struct ffamed *med, uint32_t fid, const struct med_mem_desc *d,
			 uint64_t *handle, uint8_t **head, size_t *head_len)
{
	enum med_mem_fmt fmt = med_mem_fmt_of(med->fw_version);
	size_t len = med_mem_desc_size(fmt, d->recv_count, 0);
	size_t total = med_mem_desc_size(fmt, d->recv_count, d->total_pages);
	struct ffamed_regs r;
	uint8_t *buf, *tx;
	int32_t rc;

	if (!len || !total || len > med_spmc_rxtx_size(med))
		return FFA_RET_NO_MEMORY;
	buf = med_alloc(med, len);
	if (!buf)
		return FFA_RET_NO_MEMORY;
	med_mem_desc_encode_head(buf, fmt, d, d->total_pages);
	tx = med_spmc_tx_acquire(med);
	if (!tx) {
		med_free(med, buf);
		return FFA_RET_NOT_SUPPORTED;
	}
	memcpy(tx, buf, len);
	rc = med_fw_simple(med, fid, total, len, 0, 0, 0, &r);
	med_spmc_tx_release(med);
	if ((uint32_t)r.x[0] == FFA_MEM_FRAG_RX) {
		*handle = (uint32_t)r.x[1] | ((uint64_t)(uint32_t)r.x[2] << 32);
		rc = (uint32_t)r.x[3] == len ? FFA_RET_OK : sp_abort(med, *handle);
	} else if (rc == FFA_RET_OK) {
		rc = FFA_RET_ABORTED; /* complete with no constituent: not a real SPMC */
		sp_abort(med, (uint32_t)r.x[2] | ((uint64_t)(uint32_t)r.x[3] << 32));
	}
	if (rc != FFA_RET_OK) {
		med_free(med, buf);
		return rc;
	}
	*head = buf;
	*head_len = len;
	return FFA_RET_OK;
}

int32_t med_mem_sp_finish(struct ffamed *med, const struct med_mem_txn *txn, uint64_t handle,
			  const uint8_t *head, size_t head_len)
{
	enum med_mem_fmt fmt = med_mem_fmt_of(med->fw_version);
	struct ffa_mem_constituent *cons;
	struct med_mem_desc d = {
		.sender = txn->owner_id,
		.attributes = txn->attributes,
		.flags = txn->flags,
		.tag = txn->tag,
		.recv_count = txn->recv_count,
		.total_pages = txn->page_count,
	};
	uint8_t *buf = NULL;
	size_t total;
	int32_t rc = FFA_RET_NO_MEMORY;

	d.recv = med_alloc(med, sizeof(*d.recv) * txn->recv_count);
	cons = med_alloc(med, sizeof(*cons) * (size_t)txn->page_count);
	total = med_mem_desc_size(fmt, d.recv_count, txn->page_count);
	if (d.recv && cons && total)
		buf = med_alloc(med, total);
	if (!buf) {
		sp_abort(med, handle);
		goto out;
	}
	for (uint32_t i = 0; i < txn->recv_count; i++)
		d.recv[i] = txn->borrow[i].recv;
	for (uint64_t i = 0; i < txn->page_count; i++)
		cons[i] = (struct ffa_mem_constituent){.address = txn->pa[i], .page_count = 1};
	med_mem_desc_encode(buf, fmt, &d, cons, txn->page_count);
	/* Built from the same copy of the guest's bytes: a difference is a bug. */
	if (memcmp(buf, head, head_len) != 0) {
		med_err(med, "ffamed: VM %x: fragmented send changed its head",
			(unsigned)txn->owner_id);
		rc = sp_abort(med, handle);
		goto out;
	}
	rc = sp_stream(med, 0, txn->owner_id, buf, total, head_len, 0, &handle);
out:
	med_free(med, buf);
	med_free(med, cons);
	med_free(med, d.recv);
	return rc;
}

int32_t med_mem_sp_send(struct ffamed *med, uint32_t fid, const struct med_mem_txn *txn,
			uint64_t *handle)
{
	enum med_mem_fmt fmt = med_mem_fmt_of(med->fw_version);
	struct ffa_mem_constituent *cons;
	struct med_mem_desc d = {
		.sender = txn->owner_id,
		.attributes = txn->attributes,
		.flags = txn->flags,
		.tag = txn->tag,
		.recv_count = txn->recv_count,
		.total_pages = txn->page_count,
	};
	size_t total, head, first;
	uint8_t *buf = NULL;
	uint64_t n;
	int32_t rc = FFA_RET_NO_MEMORY;

	d.recv = med_alloc(med, sizeof(*d.recv) * txn->recv_count);
	cons = med_alloc(med, sizeof(*cons) * (size_t)txn->page_count);
	if (!d.recv || !cons)
		goto out;
	for (uint32_t i = 0; i < txn->recv_count; i++)
		d.recv[i] = txn->borrow[i].recv;
	n = med_mem_coalesce(txn->pa, txn->page_count, cons);
	total = med_mem_desc_size(fmt, d.recv_count, n);
	head = med_mem_desc_size(fmt, d.recv_count, 0);
	if (!total)
		goto out;
	buf = med_alloc(med, total);
	if (!buf)
		goto out;
	med_mem_desc_encode(buf, fmt, &d, cons, n);
	/* The first fragment holds everything up to whole constituents. */
	first = total;
	if (first > med_spmc_rxtx_size(med)) {
		size_t room = med_spmc_rxtx_size(med);

		rc = FFA_RET_NO_MEMORY;
		if (room < head + sizeof(*cons))
			goto out;
		first = head + (room - head) / sizeof(*cons) * sizeof(*cons);
	}
	rc = sp_stream(med, fid, txn->owner_id, buf, total, 0, first, handle);
out:
	med_free(med, buf);
	med_free(med, cons);
	med_free(med, d.recv);
	return rc;
}

int32_t med_mem_sp_reclaim(struct ffamed *med, uint64_t handle, uint32_t flags)
{
	return med_fw_simple(med, FFA_MEM_RECLAIM, (uint32_t)handle, (uint32_t)(handle >> 32),
			     flags, 0, 0, NULL);
}
#endif /* FFAMED_CONFIG_MEM_SHARE */
