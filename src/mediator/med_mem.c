/* SPDX-License-Identifier: MIT */
/*
 * FFA_MEM_{SHARE,LEND,DONATE} and FFA_MEM_FRAG_TX from a sender,
 * FFA_MEM_RECLAIM, and what VM teardown does to transactions
 * (docs/MEMORY.md).
 *
 * A send: the descriptor is copied out of the guest's TX (all fragments,
 * reassembled here) and validated on the copy; pages are pinned; under
 * mem_lock the owner's pages are claimed (DENIED if any is in another
 * transaction) and, for a lend or donate, the owner's access is removed;
 * then the SPMC gets it (SP borrowers) or the mediator allocates the handle
 * (VM borrowers). Any failure undoes every step taken, in reverse.
 */
#include "med_host.h"
#include "med_internal.h"
#include "med_lock.h"
#include "med_log.h"
#include "med_mem.h"
#include "med_policy.h"
#include "med_registry.h"
#include "med_rxtx.h"
#include "med_sp_cache.h"
#if FFAMED_CONFIG_MEM_SHARE /* ffamed/config.h; else med_compiled_out.c */

/* ---- Transactions ---------------------------------------------------------------- */

static void txn_free(struct ffamed *med, struct med_mem_txn *txn)
{
	if (!txn)
		return;
	if (txn->borrow)
		for (uint32_t i = 0; i < txn->recv_count; i++)
			med_free(med, txn->borrow[i].ipa);
	med_free(med, txn->borrow);
	med_free(med, txn->src);
	med_free(med, txn->runs);
	med_free(med, txn->pa);
	med_free(med, txn);
}

static void txn_finish(struct ffamed *med, struct med_mem_txn *txn, bool restore);

/* Drops a reference on a donation whose pages a transaction sent on; the
 * last one finishes a donation whose holder already went. */
static void txn_src_put(struct ffamed *med, struct med_mem_txn *src)
{
	bool last;

	med_lock(med, &med->mem_lock);
	src->users--;
	last = false;
	if (!src->users && src->parked) {
		struct med_mem_txn **pp = &med->mem->orphans;

		/* Not in the list: med_mem_fini has it and finishes it. */
		while (*pp && *pp != src)
			pp = &(*pp)->next;
		if (*pp) {
			*pp = src->next;
			src->next = NULL;
			last = true;
		}
	}
	med_unlock(med, &med->mem_lock);
	if (last)
		txn_finish(med, src, false);
}

static void txn_unpin(struct ffamed *med, struct med_mem_txn *txn, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		if (txn->src && txn->src[i]) {
			txn_src_put(med, txn->src[i]);
			txn->src[i] = NULL;
			continue;
		}
		med->ops->guest_page_unpin(med->host, txn->owner_host_vm, txn->pa[i]);
	}
}

/* The last steps of every ending: access back, pins and reference dropped. */
static void txn_finish(struct ffamed *med, struct med_mem_txn *txn, bool restore)
{
	if (restore && txn->lent_away)
		med_mem_lend_restore_access(med, txn, txn->run_count, txn->owner == NULL);
	txn_unpin(med, txn, txn->page_count);
	med->ops->vm_put(med->host, txn->owner_host_vm);
	med_lock(med, &med->mem_lock);
	med->mem->live--;
	med->mem->pages -= txn->page_count;
	med_unlock(med, &med->mem_lock);
	txn_free(med, txn);
}

static enum med_mem_op mem_op_of(uint32_t fid)
{
	switch (fid) {
	case FFA_MEM_DONATE_32:
	case FFA_MEM_DONATE_64:
		return MED_MEM_DONATE;
	case FFA_MEM_LEND_32:
	case FFA_MEM_LEND_64:
		return MED_MEM_LEND;
	default:
		return MED_MEM_SHARE;
	}
}

/* All SPs (true) or all registered VMs (false), each one the owner's
 * policy lets it share with (DENIED otherwise); errors otherwise. */
static int32_t mem_classify(struct ffamed_vm *owner, const struct med_mem_desc *d, bool *to_sp)
{
	struct ffamed *med = owner->med;
	uint32_t sps = 0;

	for (uint32_t i = 0; i < d->recv_count; i++) {
		uint16_t id = d->recv[i].id;
		uint32_t rights;

		/* The owner's own policy before any lookup: existence not told. */
		if (!(med_policy_grant(owner, id) & FFAMED_RIGHT_MEM))
			return FFA_RET_DENIED;
		if (FFA_ID_IS_SECURE(id)) {
			if (!med_sp_find(med, id))
				return FFA_RET_INVALID_PARAMETERS;
			rights = med_policy_grant(owner, id);
			sps++;
		} else {
			struct ffamed_vm *other = med_vm_get(med, id);

			if (!other)
				return FFA_RET_INVALID_PARAMETERS;
			rights = med_rights_vm(owner, other);
			med_vm_put(other);
		}
		if (!(rights & FFAMED_RIGHT_MEM))
			return FFA_RET_DENIED;
	}
	if (sps && sps != d->recv_count)
		return FFA_RET_NOT_SUPPORTED; /* mixed SP and VM borrowers */
	if (!sps && !FFAMED_CONFIG_MEM_VM_BORROWERS)
		return FFA_RET_NOT_SUPPORTED; /* nothing could retrieve it */
	*to_sp = sps != 0;
	return FFA_RET_OK;
}

static struct med_mem_txn *txn_new(struct ffamed_vm *vm, enum med_mem_op op,
				   const struct med_mem_desc *d)
{
	struct ffamed *med = vm->med;
	struct med_mem_txn *txn = med_alloc(med, sizeof(*txn));

	if (!txn)
		return NULL;
	txn->med = med;
	txn->op = op;
	txn->owner = vm;
	txn->owner_id = vm->id;
	txn->owner_host_vm = vm->host_vm;
	txn->attributes = d->attributes;
	txn->flags = d->flags;
	txn->tag = d->tag;
	txn->recv_count = d->recv_count;
	txn->run_count = d->cons_count;
	txn->page_count = d->total_pages;
	txn->borrow = med_alloc(med, sizeof(*txn->borrow) * d->recv_count);
	txn->runs = med_alloc(med, sizeof(*txn->runs) * d->cons_count);
	txn->pa = med_alloc(med, sizeof(*txn->pa) * (size_t)d->total_pages);
	if (!txn->borrow || !txn->runs || !txn->pa) {
		txn_free(med, txn);
		return NULL;
	}
	for (uint32_t i = 0; i < d->recv_count; i++)
		txn->borrow[i].recv = d->recv[i];
	for (uint32_t i = 0; i < d->cons_count; i++) {
		txn->runs[i].first = d->cons[i].address >> FFA_PAGE_SHIFT;
		txn->runs[i].count = d->cons[i].page_count;
	}
	return txn;
}

/* Pins every page in descriptor order; all or nothing. Window pages: see
 * med_mem_pin_held. */
static int32_t txn_pin(struct ffamed_vm *vm, struct med_mem_txn *txn)
{
	struct ffamed *med = vm->med;
	bool write = false;
	uint64_t k = 0;
	int32_t rc;

	for (uint32_t i = 0; i < txn->recv_count; i++)
		if ((txn->borrow[i].recv.perm & FFA_MEM_PERM_DATA_MASK) != FFA_MEM_PERM_DATA_RO)
			write = true;
	for (uint32_t i = 0; i < txn->run_count; i++) {
		for (uint64_t p = 0; p < txn->runs[i].count; p++, k++) {
			rc = med->ops->guest_page_pin(med->host, txn->owner_host_vm,
						      (txn->runs[i].first + p) << FFA_PAGE_SHIFT,
						      write, &txn->pa[k]);
			if (rc != FFA_RET_OK && rc != FFA_RET_NO_MEMORY)
				rc = med_mem_pin_held(vm, txn, k,
						      (txn->runs[i].first + p) << FFA_PAGE_SHIFT,
						      write);
			if (rc != FFA_RET_OK) {
				txn_unpin(med, txn, k);
				return rc;
			}
		}
	}
	return FFA_RET_OK;
}

/* Whether a run of pages overlaps [ipa, ipa + pages pages). */
static bool run_overlaps(const struct med_mem_run *r, uint64_t ipa, uint64_t pages)
{
	uint64_t first = ipa >> FFA_PAGE_SHIFT;

	return r->first < first + pages && first < r->first + r->count;
}

/* The VM's own RX/TX pages (vm->rxtx_lock held by the send path): never
 * in a transaction, or a borrower would hold what the mediator and the
 * SPMC write. */
static bool txn_hits_rxtx(const struct ffamed_vm *vm, const struct med_mem_txn *txn)
{
	const struct med_rxtx *b = &vm->rxtx;

	if (!b->mapped)
		return false;
	for (uint32_t i = 0; i < txn->run_count; i++)
		if (run_overlaps(&txn->runs[i], b->tx_ipa, b->page_count) ||
		    run_overlaps(&txn->runs[i], b->rx_ipa, b->page_count))
			return true;
	return false;
}

bool med_mem_pages_in_use(struct ffamed_vm *vm, uint64_t ipa, uint64_t pages)
{
	struct ffamed *med = vm->med;
	uint64_t first = ipa >> FFA_PAGE_SHIFT;
	bool busy = false;

	if (!vm->mem)
		return false;
	med_lock(med, &med->mem_lock);
	for (uint32_t i = 0; i < vm->mem->owner.count && !busy; i++) {
		const struct med_mem_owned *o = &vm->mem->owner.runs[i];

		busy = o->first < first + pages && first < o->first + o->count;
	}
	med_unlock(med, &med->mem_lock);
	return busy;
}

/* Claims the pages and removes the owner's access (lend/donate). */
static int32_t txn_claim(struct ffamed_vm *vm, struct med_mem_txn *txn)
{
	struct ffamed *med = vm->med;
	struct med_mem_run *sorted;
	int32_t rc;

	if (txn_hits_rxtx(vm, txn))
		return FFA_RET_DENIED;
	sorted = med_alloc(med, sizeof(*sorted) * txn->run_count);
	if (!sorted)
		return FFA_RET_NO_MEMORY;
	memcpy(sorted, txn->runs, sizeof(*sorted) * txn->run_count);
	rc = med_mem_runs_sort_check(sorted, txn->run_count);
	if (rc != FFA_RET_OK)
		goto out;

	med_lock(med, &med->mem_lock);
	rc = FFA_RET_NO_MEMORY;
	if (vm->mem->handles >= med->cfg.mem_max_handles)
		goto unlock;
	rc = med_mem_owner_claim(med, &vm->mem->owner, sorted, txn->run_count, txn);
	if (rc != FFA_RET_OK)
		goto unlock;
	if (txn->op != MED_MEM_SHARE) {
		rc = med_mem_lend_remove_access(med, txn);
		if (rc != FFA_RET_OK) {
			med_mem_owner_release(&vm->mem->owner, txn);
			goto unlock;
		}
	}
	vm->mem->handles++;
	med->mem->live++;
	med->mem->pages += txn->page_count;
unlock:
	med_unlock(med, &med->mem_lock);
out:
	med_free(med, sorted);
	return rc;
}

/* Undoes txn_claim (the txn never reached the table). */
static void txn_unclaim(struct ffamed_vm *vm, struct med_mem_txn *txn)
{
	struct ffamed *med = vm->med;

	med_lock(med, &med->mem_lock);
	if (txn->lent_away)
		med_mem_lend_restore_access(med, txn, txn->run_count, false);
	txn->lent_away = false;
	med_mem_owner_release(&vm->mem->owner, txn);
	vm->mem->handles--;
	med_unlock(med, &med->mem_lock);
}

/* What a send made in fragments already has: its final handle, and for
 * SP borrowers the head the SPMC holds under it (med_mem_sp_begin). */
struct mem_presend {
	uint32_t fid; /* the send's: the call is FRAG_TX */
	uint64_t handle;
	const uint8_t *sp_head;
	size_t sp_head_len;
};

/* The sender (offset 0 in every format) must be the owner, i.e. the caller:
 * DENIED before anything else is looked at (FF-A; ACS *_input_error_checks1;
 * Hafnium checks it first too). */
static bool mem_sender_is(const uint8_t *buf, size_t len, uint16_t id)
{
	uint16_t sender;

	if (len < sizeof(sender))
		return true; /* too short: the parser says INVALID */
	memcpy(&sender, buf, sizeof(sender));
	return sender == id;
}

/* A whole descriptor (the mediator's copy) from the caller: the handle or
 * an error, which the call records. */
static med_status mem_send(struct med_call *call, const uint8_t *buf, size_t len,
			   const struct mem_presend *pre, uint64_t *handle)
{
	struct ffamed_vm *vm = call->vm;
	uint32_t version = call->version;
	uint32_t fid = pre ? pre->fid : call->fid;
	struct ffamed *med = vm->med;
	enum med_mem_op op = mem_op_of(fid);
	/* The SPMC holds a half transaction until finished or dropped. */
	bool sp_pending = pre && pre->sp_head;
	struct med_mem_desc d;
	struct med_mem_txn *txn = NULL;
	bool to_sp = false;
	int32_t rc;

	memset(&d, 0, sizeof(d));
	if (!mem_sender_is(buf, len, vm->id)) {
		rc = MED_REFUSAL(call, FFA_RET_DENIED, "sender is not the caller");
		goto out_desc;
	}
	rc = med_mem_desc_parse(med, buf, len, med_mem_fmt_of(version), op, &d);
	if (rc != FFA_RET_OK) {
		rc = MED_REFUSAL(call, rc, "descriptor invalid (docs/MEMORY.md)");
		goto out_desc;
	}
	rc = mem_classify(vm, &d, &to_sp);
	if (rc != FFA_RET_OK) {
		rc = MED_REFUSAL(call, rc, "receivers: unknown, mixed, or not allowed by policy");
		goto out;
	}
	if (pre && to_sp != sp_pending) {
		/* the same bytes classified differently: a bug */
		rc = MED_REFUSAL(call, FFA_RET_ABORTED, "fragments classified differently");
		goto out;
	}
	if ((op != MED_MEM_SHARE && !med->ops->guest_set_access) ||
	    (!to_sp && (!med->ops->borrow_map || !med->ops->borrow_unmap))) {
		rc = MED_REFUSAL(call, FFA_RET_NOT_SUPPORTED, "the port cannot do this for VMs");
		goto out;
	}
	txn = txn_new(vm, op, &d);
	if (!txn) {
		rc = MED_REFUSAL(call, FFA_RET_NO_MEMORY, "no memory for the transaction");
		goto out;
	}
	txn->to_sp = to_sp;
	rc = txn_pin(vm, txn);
	if (rc != FFA_RET_OK) {
		rc = MED_REFUSAL(call, rc, "pages not the caller's to give");
		goto out;
	}
	rc = txn_claim(vm, txn);
	if (rc != FFA_RET_OK) {
		txn_unpin(med, txn, txn->page_count);
		rc = MED_REFUSAL(call, rc, "pages already in a transaction or the RX/TX buffers");
		goto out;
	}
	med->ops->vm_get(med->host, vm->host_vm);
	if (to_sp) {
		if (sp_pending) {
			/* Finished or dropped at the SPMC either way. */
			sp_pending = false;
			txn->handle = pre->handle;
			rc = med_mem_sp_finish(med, txn, pre->handle, pre->sp_head,
					       pre->sp_head_len);
		} else {
			rc = med_mem_sp_send(med, fid, txn, &txn->handle);
		}
		if (rc != FFA_RET_OK) {
			rc = MED_REFUSAL(call, rc, "the SPMC refused the transaction");
			txn_unclaim(vm, txn);
			txn_finish(med, txn, false);
			txn = NULL;
			goto out;
		}
	} else {
		txn->handle = pre ? pre->handle : med_mem_new_handle(med);
	}
	med_lock(med, &med->mem_lock);
	txn->state = MED_TXN_LIVE;
	med_mem_insert(med, txn);
	med_unlock(med, &med->mem_lock);
	*handle = txn->handle;
	txn = NULL;
out:
	txn_free(med, txn);
	med_mem_desc_free(med, &d);
out_desc:
	if (sp_pending)
		med_mem_sp_reclaim(med, pre->handle, 0);
	return rc;
}

/* ---- Guest calls: send and FRAG_TX --------------------------------------------------- */

static void mem_reply_frag_rx(struct ffamed_regs *regs, uint64_t handle, size_t offset)
{
	ffa_regs_clear(regs);
	regs->x[0] = FFA_MEM_FRAG_RX;
	regs->x[1] = (uint32_t)handle;
	regs->x[2] = (uint32_t)(handle >> 32);
	regs->x[3] = offset;
}

static med_status mem_reply(struct ffamed_regs *regs, med_status rc, uint64_t handle)
{
	if (rc == FFA_RET_OK)
		ffa_set_success32(regs, 0, (uint32_t)handle, (uint32_t)(handle >> 32));
	return rc;
}

static uint64_t mem_max_desc(const struct ffamed *med)
{
	/* The largest header and EMADs a guest may use, one composite, and
	 * one constituent per page at most. */
	return 48u + 256ull * med->cfg.mem_max_receivers + 16u + 16ull * med->cfg.mem_max_pages;
}

/* Drops a send being assembled (the SPMC's half of it too). */
static void mem_send_abort(struct ffamed_vm *vm)
{
	if (vm->mem->send.sp_head)
		med_mem_sp_reclaim(vm->med, vm->mem->send.handle, 0);
	med_free(vm->med, vm->mem->send.sp_head);
	med_free(vm->med, vm->mem->send.buf);
	memset(&vm->mem->send, 0, sizeof(vm->mem->send));
}

/*
 * The first of several fragments (copied in buf, vm->rxtx_lock held): the
 * head is checked now, and the final handle chosen now, because guests
 * (Linux) keep the handle of the first FRAG_RX answer. For SP borrowers
 * the SPMC gets the head and allocates it (med_mem_sp_begin).
 */
static int32_t mem_send_first(struct ffamed_vm *vm, uint32_t version, uint32_t fid,
			      const uint8_t *buf, size_t frag, uint64_t total)
{
	struct ffamed *med = vm->med;
	struct med_mem_desc d;
	bool to_sp = false;
	int32_t rc;

	if (!mem_sender_is(buf, frag, vm->id))
		return FFA_RET_DENIED;
	rc = med_mem_desc_parse_head(med, buf, frag, total, med_mem_fmt_of(version), mem_op_of(fid),
				     &d);
	if (rc != FFA_RET_OK)
		return rc;
	rc = mem_classify(vm, &d, &to_sp);
	if (rc == FFA_RET_OK && to_sp)
		rc = med_mem_sp_begin(med, fid, &d, &vm->mem->send.handle, &vm->mem->send.sp_head,
				      &vm->mem->send.sp_head_len);
	else if (rc == FFA_RET_OK)
		vm->mem->send.handle = med_mem_new_handle(med);
	med_mem_desc_free(med, &d);
	return rc;
}

med_status med_handle_mem_send(struct med_call *call)
{
	struct ffamed_vm *vm = call->vm;
	struct ffamed_regs *regs = call->regs;
	uint32_t fid = call->fid;
	struct ffamed *med = vm->med;
	uint64_t total = (uint32_t)regs->x[1];
	uint64_t frag = (uint32_t)regs->x[2];
	uint64_t handle = 0;
	uint8_t *buf = NULL;
	med_status rc;

	/* Only the TX buffer carries descriptors (FEATURES bit0 clear). */
	if (regs->x[3] || (uint32_t)regs->x[4])
		MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS,
			   "not in the TX buffer (x3, w4 not zero)");
	if (!total || !frag || frag > total || total > mem_max_desc(med))
		MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS, "lengths 0, inverted or too large");
	med_lock(med, &vm->rxtx_lock);
	if (!vm->rxtx.mapped) {
		rc = MED_REFUSAL(call, FFA_RET_DENIED, "no TX buffer mapped");
	} else if (frag > (uint64_t)vm->rxtx.page_count * FFA_PAGE_SIZE) {
		rc = MED_REFUSAL(call, FFA_RET_INVALID_PARAMETERS, "fragment larger than TX");
	} else if (vm->mem->send.active) {
		rc = MED_REFUSAL(call, FFA_RET_BUSY, "another send is being assembled");
	} else if (!(buf = med_alloc(med, (size_t)total))) {
		rc = MED_REFUSAL(call, FFA_RET_NO_MEMORY, "no memory for the descriptor");
	} else {
		/* The one read of the guest's TX for this fragment. */
		memcpy(buf, vm->rxtx.tx, (size_t)frag);
		rc = FFA_RET_OK;
		if (frag < total) {
			rc = mem_send_first(vm, call->version, fid, buf, (size_t)frag, total);
			if (rc == FFA_RET_OK) {
				vm->mem->send.active = true;
				vm->mem->send.fid = fid;
				vm->mem->send.buf = buf;
				vm->mem->send.total = (size_t)total;
				vm->mem->send.received = (size_t)frag;
				mem_reply_frag_rx(regs, vm->mem->send.handle, (size_t)frag);
			} else {
				med_free(med, buf);
				rc = MED_REFUSAL(call, rc, "first fragment invalid or refused");
			}
			buf = NULL;
		}
	}
	med_unlock(med, &vm->rxtx_lock);
	if (rc != FFA_RET_OK || !buf)
		return rc; /* refused, or FRAG_RX in regs */
	rc = mem_send(call, buf, (size_t)total, NULL, &handle);
	med_free(med, buf);
	return mem_reply(regs, rc, handle);
}

med_status med_handle_mem_frag_tx(struct med_call *call)
{
	struct ffamed_vm *vm = call->vm;
	struct ffamed_regs *regs = call->regs;
	struct ffamed *med = vm->med;
	uint64_t handle = (uint32_t)regs->x[1] | ((uint64_t)(uint32_t)regs->x[2] << 32);
	uint64_t len = (uint32_t)regs->x[3];
	struct mem_presend pre = {0};
	uint64_t final_handle = 0;
	uint8_t *buf = NULL;
	size_t total = 0;
	med_status rc = FFA_RET_OK;

	med_lock(med, &vm->rxtx_lock);
	if (!vm->mem->send.active || vm->mem->send.handle != handle) {
		med_unlock(med, &vm->rxtx_lock);
		MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS,
			   "no send of that handle being assembled");
	}
	/* w4[31:16] is for a hypervisor forwarding, not a guest. */
	if ((uint32_t)regs->x[4] || !vm->rxtx.mapped || !len ||
	    len > (uint64_t)vm->rxtx.page_count * FFA_PAGE_SIZE ||
	    len > vm->mem->send.total - vm->mem->send.received) {
		mem_send_abort(vm);
		rc = MED_REFUSAL(call, FFA_RET_INVALID_PARAMETERS,
				 "fragment length invalid, or w4 not zero: the send is dropped");
	} else {
		memcpy(vm->mem->send.buf + vm->mem->send.received, vm->rxtx.tx, (size_t)len);
		vm->mem->send.received += (size_t)len;
		if (vm->mem->send.received < vm->mem->send.total) {
			mem_reply_frag_rx(regs, handle, vm->mem->send.received);
		} else {
			buf = vm->mem->send.buf;
			total = vm->mem->send.total;
			pre.fid = vm->mem->send.fid;
			pre.handle = vm->mem->send.handle;
			pre.sp_head = vm->mem->send.sp_head;
			pre.sp_head_len = vm->mem->send.sp_head_len;
			memset(&vm->mem->send, 0, sizeof(vm->mem->send));
		}
	}
	med_unlock(med, &vm->rxtx_lock);
	if (rc != FFA_RET_OK || !buf)
		return rc; /* refused, or FRAG_RX in regs */
	/* Under the RX/TX lock like a one-fragment send: the RX/TX pages
	 * are checked against the transaction and cannot be mapped meanwhile. */
	med_lock(med, &vm->rxtx_lock);
	rc = mem_send(call, buf, total, &pre, &final_handle);
	med_unlock(med, &vm->rxtx_lock);
	med_free(med, (void *)pre.sp_head);
	med_free(med, buf);
	return mem_reply(regs, rc, final_handle);
}

/* ---- Reclaim ------------------------------------------------------------------------------ */

med_status med_handle_mem_reclaim(struct med_call *call)
{
	struct ffamed_vm *vm = call->vm;
	struct ffamed_regs *regs = call->regs;
	struct ffamed *med = vm->med;
	uint64_t handle = (uint32_t)regs->x[1] | ((uint64_t)(uint32_t)regs->x[2] << 32);
	uint32_t flags = (uint32_t)regs->x[3];
	struct med_mem_txn *txn;
	med_status rc = FFA_RET_OK;

	if ((flags & ~FFA_MEM_RECLAIM_FLAGS_MASK) || (flags & FFA_MEM_FLAG_TIME_SLICING))
		MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS, "unknown or time-slicing flags");
	/* Reclaiming a handle still being sent in fragments aborts it. */
	med_lock(med, &vm->rxtx_lock);
	if (vm->mem->send.active && vm->mem->send.handle == handle) {
		mem_send_abort(vm);
		med_unlock(med, &vm->rxtx_lock);
		ffa_set_success32(regs, 0, 0, 0);
		return FFA_RET_OK;
	}
	med_unlock(med, &vm->rxtx_lock);

	med_lock(med, &med->mem_lock);
	txn = med_mem_find(med, handle);
	/* Unknown, foreign, donated away. Zeroing is the owner's to ask, on a
	 * share too (ACS reclaim_input_error_checks). */
	if (!txn || txn->owner != vm || txn->state == MED_TXN_DONATED) {
		rc = MED_REFUSAL(call, FFA_RET_INVALID_PARAMETERS,
				 "handle unknown, not the caller's, or donated");
	} else if (txn->state != MED_TXN_LIVE) {
		rc = MED_REFUSAL(call, FFA_RET_DENIED, "another vCPU is reclaiming it");
	} else if (txn->to_sp) {
		txn->state = MED_TXN_BUSY;
		med_unlock(med, &med->mem_lock);
		rc = med_mem_sp_reclaim(med, handle, flags);
		med_lock(med, &med->mem_lock);
		txn->state = MED_TXN_LIVE;
		if (rc == FFA_RET_INVALID_PARAMETERS && txn->op == MED_MEM_DONATE)
			med_mem_donated(txn);
		if (rc != FFA_RET_OK)
			rc = MED_REFUSAL(call, rc, "the SPMC refused (a borrower still holds it?)");
	} else {
		for (uint32_t i = 0; i < txn->recv_count; i++)
			if (txn->borrow[i].retrieved)
				rc = MED_REFUSAL(call, FFA_RET_DENIED, "a borrower still holds it");
	}
	if (rc == FFA_RET_OK) {
		med_mem_remove(med, txn);
		/* Zeroed while the owner still has no access. */
		if (!txn->to_sp && (flags & FFA_MEM_FLAG_ZERO_MEMORY) &&
		    med_mem_zero(med, txn) != FFA_RET_OK)
			med_warn(med, "ffamed: VM %x: could not zero %llx on reclaim",
				 (unsigned)vm->id, (unsigned long long)handle);
		if (txn->lent_away)
			med_mem_lend_restore_access(med, txn, txn->run_count, false);
		txn->lent_away = false;
		med_mem_owner_release(&vm->mem->owner, txn);
		vm->mem->handles--;
	}
	med_unlock(med, &med->mem_lock);
	if (rc != FFA_RET_OK)
		return rc;
	txn_finish(med, txn, false);
	ffa_set_success32(regs, 0, 0, 0);
	return FFA_RET_OK;
}

/* ---- Orphans: SP transactions of destroyed VMs ------------------------------------------ */

static void orphan_unlink(struct ffamed *med, struct med_mem_txn *txn, bool *found)
{
	struct med_mem_txn **pp = &med->mem->orphans;

	*found = false;
	while (*pp && *pp != txn)
		pp = &(*pp)->next;
	if (*pp) {
		*pp = txn->next;
		*found = true;
	}
}

static void orphan_work(struct ffamed_work *work)
{
	struct med_mem_txn *txn = work->arg;
	struct ffamed *med = txn->med;
	bool mine;
	int32_t rc;

	rc = med_mem_sp_reclaim(med, txn->handle, 0);
	med_lock(med, &med->mem_lock);
	if (rc == FFA_RET_INVALID_PARAMETERS && txn->op == MED_MEM_DONATE) {
		txn->state = MED_TXN_DONATED; /* the SP's now: nothing to retry */
		med_unlock(med, &med->mem_lock);
		return;
	}
	if (rc == FFA_RET_OK) {
		orphan_unlink(med, txn, &mine);
		if (!mine)
			txn->state = MED_TXN_LIVE; /* med_mem_fini finishes it */
		med_unlock(med, &med->mem_lock);
		if (mine)
			txn_finish(med, txn, true);
		return;
	}
	txn->attempts++;
	if (txn->attempts >= med->cfg.mem_reclaim_retries) {
		med_err(med, "ffamed: SPMC still holds %llx of destroyed VM %x: pages stay pinned",
			(unsigned long long)txn->handle, (unsigned)txn->owner_id);
	} else if (med->ops->work_schedule(med->host, &txn->work, med->cfg.vm_msg_retry_delay_ns)) {
		med_err(med, "ffamed: cannot schedule the reclaim of %llx",
			(unsigned long long)txn->handle);
	}
	med_unlock(med, &med->mem_lock);
}

/* The SPMC refused to reclaim at teardown: retry later (unless an SP owns
 * the pages by donation), keep everything. */
static void orphan_add(struct ffamed *med, struct med_mem_txn *txn, bool retry)
{
	txn->owner = NULL;
	txn->state = retry ? MED_TXN_ORPHAN : MED_TXN_DONATED;
	txn->work.fn = orphan_work;
	txn->work.arg = txn;
	med_lock(med, &med->mem_lock);
	txn->next = med->mem->orphans;
	med->mem->orphans = txn;
	if (retry && med->ops->work_schedule(med->host, &txn->work, med->cfg.vm_msg_retry_delay_ns))
		med_err(med, "ffamed: cannot schedule the reclaim of %llx",
			(unsigned long long)txn->handle);
	med_unlock(med, &med->mem_lock);
}

/* ---- Lifecycle -------------------------------------------------------------------------- */

int32_t med_mem_init(struct ffamed *med)
{
	struct ffamed_config *c = &med->cfg;

	if (!c->mem_max_pages)
		c->mem_max_pages = MED_MEM_DEFAULT_MAX_PAGES;
	if (!c->mem_max_handles)
		c->mem_max_handles = MED_MEM_DEFAULT_MAX_HANDLES;
	if (!c->mem_max_receivers)
		c->mem_max_receivers = MED_MEM_DEFAULT_MAX_RECEIVERS;
	if (!c->mem_reclaim_retries)
		c->mem_reclaim_retries = MED_MEM_DEFAULT_RECLAIM_RETRIES;
	if (c->mem_max_receivers > MED_MEM_RECEIVERS_LIMIT)
		return FFA_RET_INVALID_PARAMETERS;
	med->mem = med_alloc(med, sizeof(*med->mem));
	if (!med->mem)
		return FFA_RET_NO_MEMORY;
	med->mem->next_handle = MED_MEM_FIRST_HANDLE;
	med_lock_init(med, &med->mem_lock, MED_RANK_MEM);
	return FFA_RET_OK;
}

void med_mem_fini(struct ffamed *med)
{
	struct med_mem_txn *txn;

	if (!med->mem)
		return;
	med_lock(med, &med->mem_lock);
	txn = med->mem->orphans;
	med->mem->orphans = NULL;
	med_unlock(med, &med->mem_lock);
	/* First what a last retry reclaimed (it may release parked donations
	 * it sent on), then the rest. */
	for (struct med_mem_txn **pp = &txn; *pp;) {
		struct med_mem_txn *t = *pp;

		med->ops->work_cancel_sync(med->host, &t->work);
		if (t->state == MED_TXN_LIVE) {
			*pp = t->next;
			txn_finish(med, t, true);
		} else {
			pp = &t->next;
		}
	}
	while (txn) {
		struct med_mem_txn *next = txn->next;

		if (txn->parked && !txn->users) {
			txn_finish(med, txn, false);
		} else {
			/* Quarantined: the pins and the host VM reference stay. */
			med_err(med, "ffamed: abandoning %llx of VM %x, still held by the SPMC",
				(unsigned long long)txn->handle, (unsigned)txn->owner_id);
			med->mem->live--;
			med->mem->pages -= txn->page_count;
			txn_free(med, txn);
		}
		txn = next;
	}
	if (med->mem->live)
		med_err(med, "ffamed: %u memory transactions left at destroy",
			(unsigned)med->mem->live);
	med_lock_destroy(med, &med->mem_lock);
	med_free(med, med->mem);
	med->mem = NULL;
}

void ffamed_get_mem_stats(struct ffamed *med, struct ffamed_mem_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	if (!med->mem)
		return;
	med_lock(med, &med->mem_lock);
	stats->transactions = med->mem->live;
	stats->pages = med->mem->pages;
	for (const struct med_mem_txn *t = med->mem->orphans; t; t = t->next)
		stats->orphans++;
	med_unlock(med, &med->mem_lock);
}

int32_t med_mem_vm_init(struct ffamed_vm *vm)
{
	vm->mem = med_alloc(vm->med, sizeof(*vm->mem));
	return vm->mem ? FFA_RET_OK : FFA_RET_NO_MEMORY;
}

void med_mem_vm_free(struct ffamed_vm *vm)
{
	if (!vm->mem)
		return;
	mem_send_abort(vm);
	med_free(vm->med, vm->mem->resp.buf);
	med_mem_owner_fini(vm->med, &vm->mem->owner);
	med_free(vm->med, vm->mem);
	vm->mem = NULL;
}

void med_mem_vm_teardown(struct ffamed_vm *vm)
{
	struct ffamed *med = vm->med;
	struct med_mem_txn *done = NULL, *reclaim = NULL, *held = NULL, *txn;

	med_lock(med, &med->mem_lock);
	for (uint32_t b = 0; b < MED_MEM_HASH_BUCKETS; b++) {
		struct med_mem_txn **pp = &med->mem->table[b];

		while ((txn = *pp)) {
			bool take = false, to_reclaim = false, donation = false;

			/* As a borrower: its windows go. */
			for (uint32_t i = 0; i < txn->recv_count; i++) {
				if (txn->borrow[i].recv.id != vm->id)
					continue;
				txn->borrow[i].gone = true;
				if (txn->borrow[i].retrieved) {
					med_mem_borrow_unmap(med, txn, i);
					donation = txn->state == MED_TXN_DONATED;
				}
			}
			if (donation) {
				/* Finished after what the VM sent on from it. */
				*pp = txn->next;
				txn->state = MED_TXN_BUSY;
				txn->next = held;
				held = txn;
				continue;
			}
			/* As the owner: revoke VM borrowers, reclaim from the SPMC. */
			if (txn->owner == vm) {
				if (txn->state == MED_TXN_DONATED && !txn->to_sp) {
					txn->owner = NULL; /* the borrower's now */
				} else if (txn->to_sp) {
					to_reclaim = true;
				} else {
					for (uint32_t i = 0; i < txn->recv_count; i++)
						if (txn->borrow[i].retrieved)
							med_mem_borrow_unmap(med, txn, i);
					take = true;
				}
			}
			if (take || to_reclaim) {
				*pp = txn->next;
				txn->state = MED_TXN_BUSY;
				txn->next = to_reclaim ? reclaim : done;
				if (to_reclaim)
					reclaim = txn;
				else
					done = txn;
				continue;
			}
			pp = &txn->next;
		}
	}
	med_unlock(med, &med->mem_lock);

	while ((txn = done)) {
		done = txn->next;
		/* The owner is going: its windows are gone, only its RAM gets
		 * access back (txn_finish). */
		txn->owner = NULL;
		txn_finish(med, txn, true);
	}
	while ((txn = reclaim)) {
		int32_t rc;

		reclaim = txn->next;
		/* A donate an SP already took is not asked for again. */
		rc = txn->lent_away || txn->op != MED_MEM_DONATE
			     ? med_mem_sp_reclaim(med, txn->handle, 0)
			     : FFA_RET_INVALID_PARAMETERS;
		if (rc == FFA_RET_OK) {
			txn_finish(med, txn, true);
		} else if (rc == FFA_RET_INVALID_PARAMETERS && txn->op == MED_MEM_DONATE) {
			med_info(med, "ffamed: VM %x: %llx was donated to an SP: pages stay pinned",
				 (unsigned)vm->id, (unsigned long long)txn->handle);
			orphan_add(med, txn, false);
		} else {
			med_info(med, "ffamed: VM %x: SPMC keeps %llx (%d): retrying later",
				 (unsigned)vm->id, (unsigned long long)txn->handle, (int)rc);
			orphan_add(med, txn, true);
		}
	}
	/* Donations the VM held: their pins go, unless a transaction it sent
	 * on still uses them (an SP holds it): parked until that one ends. */
	while ((txn = held)) {
		bool park;

		held = txn->next;
		txn->next = NULL;
		med_lock(med, &med->mem_lock);
		park = txn->users != 0;
		if (park) {
			txn->state = MED_TXN_DONATED;
			txn->parked = true;
			txn->next = med->mem->orphans;
			med->mem->orphans = txn;
		}
		med_unlock(med, &med->mem_lock);
		if (!park)
			txn_finish(med, txn, false);
	}
	med_lock(med, &med->mem_lock);
	med_mem_owner_fini(med, &vm->mem->owner);
	vm->mem->handles = 0;
	med_unlock(med, &med->mem_lock);
}
#endif /* FFAMED_CONFIG_MEM_SHARE */
