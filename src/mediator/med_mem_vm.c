/* SPDX-License-Identifier: MIT */
/*
 * VM borrowers of VM memory, handled by the mediator alone (handles with
 * FFA_HANDLE_HYP_ALLOCATED): FFA_MEM_RETRIEVE_REQ maps the owner's pinned
 * pages into the borrower's borrowed window (port borrow_map) and answers
 * with a descriptor of the borrower's format and window addresses in its
 * RX, continued by FFA_MEM_FRAG_RX when it does not fit; FFA_MEM_RELINQUISH
 * unmaps them. A retrieved donate stays the borrower's until it goes.
 */
#include "med_host.h"
#include "med_internal.h"
#include "med_lock.h"
#include "med_log.h"
#include "med_mem.h"
#include "med_rx_owner.h"
#if FFAMED_CONFIG_MEM_VM_BORROWERS /* ffamed/config.h; else med_compiled_out.c */

int32_t med_mem_zero(struct ffamed *med, const struct med_mem_txn *txn)
{
	void *va = med->ops->map_pages(med->host, txn->pa, (size_t)txn->page_count);

	if (!va)
		return FFA_RET_NO_MEMORY;
	memset(va, 0, (size_t)txn->page_count * FFA_PAGE_SIZE);
	med->ops->unmap_pages(med->host, va, (size_t)txn->page_count);
	return FFA_RET_OK;
}

void med_mem_borrow_unmap(struct ffamed *med, struct med_mem_txn *txn, uint32_t i)
{
	struct med_mem_borrow *b = &txn->borrow[i];

	med_lock_assert_held(med, &med->mem_lock);
	med->ops->borrow_unmap(med->host, b->host_vm, b->ipa, (size_t)txn->page_count);
	med_free(med, b->ipa);
	b->ipa = NULL;
	b->host_vm = NULL;
	b->retrieved = false;
}

/* The transaction whose window of `vm` holds page `ipa` (mem_lock held), its
 * index there and whether it is mapped writable; NULL when none. */
static struct med_mem_txn *mem_window_page(struct ffamed *med, const struct ffamed_vm *vm,
					   uint64_t ipa, uint64_t *k, bool *write)
{
	for (uint32_t b = 0; b < MED_MEM_HASH_BUCKETS; b++) {
		for (struct med_mem_txn *t = med->mem->table[b]; t; t = t->next) {
			for (uint32_t i = 0; i < t->recv_count; i++) {
				const struct med_mem_borrow *w = &t->borrow[i];

				if (w->recv.id != vm->id || !w->retrieved ||
				    w->host_vm != vm->host_vm)
					continue;
				for (uint64_t j = 0; j < t->page_count; j++) {
					if (w->ipa[j] == ipa) {
						*k = j;
						*write = w->write;
						return t;
					}
				}
			}
		}
	}
	return NULL;
}

/*
 * Page k of txn at `ipa` is not in the owner's RAM: a page it holds by a
 * donation it retrieved is its own to send (FF-A: the borrower of a donate
 * becomes the owner); the donation's pins carry it. A page it only borrowed
 * is not: DENIED, as is asking more access than it holds.
 */
int32_t med_mem_pin_held(struct ffamed_vm *vm, struct med_mem_txn *txn, uint64_t k, uint64_t ipa,
			 bool write)
{
	struct ffamed *med = vm->med;
	struct med_mem_txn *src;
	bool w_write = false;
	uint64_t j = 0;
	int32_t rc;

	med_lock(med, &med->mem_lock);
	src = mem_window_page(med, vm, ipa, &j, &w_write);
	if (!src)
		rc = FFA_RET_INVALID_PARAMETERS;
	else if (src->state != MED_TXN_DONATED || (write && !w_write))
		rc = FFA_RET_DENIED;
	else if (!txn->src &&
		 !(txn->src = med_alloc(med, sizeof(*txn->src) * (size_t)txn->page_count)))
		rc = FFA_RET_NO_MEMORY;
	else {
		txn->src[k] = src;
		txn->pa[k] = src->pa[j];
		src->users++;
		rc = FFA_RET_OK;
	}
	med_unlock(med, &med->mem_lock);
	return rc;
}

static uint32_t borrow_index(const struct med_mem_txn *txn, uint16_t id)
{
	for (uint32_t i = 0; i < txn->recv_count; i++)
		if (txn->borrow[i].recv.id == id)
			return i;
	return UINT32_MAX;
}

/*
 * The access a retrieve request may get: the sender's grant, narrowed. On a
 * share or a lend to several borrowers the borrower does not name an
 * instruction access (the relayer gives NX): INVALID_PARAMETERS (ACS
 * lend/share_retrieve_input_checks, Hafnium). Executable borrowed memory is
 * refused: DENIED.
 */
static int32_t retrieve_perm(const struct med_mem_txn *txn, uint8_t granted, uint8_t asked,
			     uint8_t *out)
{
	uint8_t g = granted & FFA_MEM_PERM_DATA_MASK;
	uint8_t a = asked & FFA_MEM_PERM_DATA_MASK;
	uint8_t inst = asked & FFA_MEM_PERM_INST_MASK;

	if (inst == FFA_MEM_PERM_INST_MASK)
		return FFA_RET_INVALID_PARAMETERS;
	if (inst && (txn->op == MED_MEM_SHARE || txn->recv_count > 1))
		return FFA_RET_INVALID_PARAMETERS;
	if (a == 3u || inst == FFA_MEM_PERM_INST_X)
		return FFA_RET_DENIED;
	if (g == 0)
		g = FFA_MEM_PERM_DATA_RW; /* a donate left it to the receiver */
	if (a == FFA_MEM_PERM_DATA_RW && g != FFA_MEM_PERM_DATA_RW)
		return FFA_RET_DENIED;
	*out = (uint8_t)((a ? a : g) | FFA_MEM_PERM_INST_NX);
	return FFA_RET_OK;
}

/*
 * The attributes a retrieve request may ask (docs/MEMORY.md §4): not
 * specified takes the sender's; otherwise normal memory (guest RAM is
 * nothing else), and where the sender gave attributes, exactly those.
 * A sender that left them to the borrower (a lend to one borrower, a
 * donate) gets what the borrower asks. Reserved encodings are
 * INVALID_PARAMETERS; attributes that cannot be honoured DENIED (Hafnium).
 */
static int32_t retrieve_attributes(uint16_t sent, uint16_t asked, uint16_t *out)
{
	uint16_t type = asked & FFA_MEM_ATTR_TYPE_MASK;
	uint16_t cache = asked & (3u << 2);

	if (!type) {
		if (asked)
			return FFA_RET_INVALID_PARAMETERS;
		*out = sent;
		return FFA_RET_OK;
	}
	if (type == FFA_MEM_ATTR_TYPE_MASK || (asked & 3u) == 1u)
		return FFA_RET_INVALID_PARAMETERS;
	if (type != FFA_MEM_ATTR_TYPE_NORMAL)
		return FFA_RET_DENIED;
	if (cache != FFA_MEM_ATTR_CACHE_NC && cache != FFA_MEM_ATTR_CACHE_WB)
		return FFA_RET_INVALID_PARAMETERS;
	if (sent && asked != sent)
		return FFA_RET_DENIED;
	*out = asked;
	return FFA_RET_OK;
}

/* Checks req against txn for borrower vm (mem_lock held); stores the access
 * and the attributes the borrower gets. */
static int32_t retrieve_check(const struct ffamed_vm *vm, const struct med_mem_desc *req,
			      enum med_mem_fmt fmt, const struct med_mem_txn *txn, uint32_t *idx,
			      uint8_t *perm, uint16_t *attributes)
{
	int32_t rc;

	uint32_t type = (req->flags & FFA_MEM_FLAG_TYPE_MASK) >> FFA_MEM_FLAG_TYPE_SHIFT;
	uint32_t zero = req->flags & (FFA_MEM_FLAG_ZERO_MEMORY | FFA_MEM_FLAG_ZERO_AFTER_RELINQ);
	bool mine = false;

	if (txn->to_sp || txn->state == MED_TXN_BUSY || txn->state == MED_TXN_ORPHAN)
		return FFA_RET_INVALID_PARAMETERS;
	*idx = borrow_index(txn, vm->id);
	if (*idx == UINT32_MAX)
		return FFA_RET_INVALID_PARAMETERS;
	if (txn->borrow[*idx].retrieved || txn->borrow[*idx].gone || txn->state == MED_TXN_DONATED)
		return FFA_RET_DENIED;
	if (req->sender != txn->owner_id || req->tag != txn->tag || (type && type != txn->op) ||
	    (zero && txn->op == MED_MEM_SHARE))
		return FFA_RET_INVALID_PARAMETERS;
	if ((req->flags & FFA_MEM_FLAG_ZERO_MEMORY) && !(txn->flags & FFA_MEM_FLAG_ZERO_MEMORY))
		return FFA_RET_DENIED;
	rc = retrieve_attributes(txn->attributes, req->attributes, attributes);
	if (rc != FFA_RET_OK)
		return rc;
	for (uint32_t i = 0; i < req->recv_count; i++) {
		uint32_t k = borrow_index(txn, req->recv[i].id);

		if (k == UINT32_MAX)
			return FFA_RET_INVALID_PARAMETERS;
		if (k == *idx) {
			rc = retrieve_perm(txn, txn->borrow[k].recv.perm, req->recv[i].perm, perm);

			if (rc != FFA_RET_OK)
				return rc;
			/* v1.2: the receiver quotes the sender's value for it. */
			if (fmt == MED_MEM_FMT_1_2 &&
			    memcmp(req->recv[i].impdef, txn->borrow[k].recv.impdef,
				   sizeof(req->recv[i].impdef)) != 0)
				return FFA_RET_INVALID_PARAMETERS;
			mine = true;
		}
	}
	return mine ? FFA_RET_OK : FFA_RET_INVALID_PARAMETERS;
}

/* The response descriptor for borrower idx; NULL when out of memory. */
static uint8_t *retrieve_response(struct ffamed *med, const struct med_mem_txn *txn, uint32_t idx,
				  uint8_t perm, uint16_t attributes, enum med_mem_fmt fmt,
				  uint32_t req_flags, size_t *size)
{
	struct med_mem_desc d = {
		.sender = txn->owner_id,
		.attributes = attributes,
		.flags = ((uint32_t)txn->op << FFA_MEM_FLAG_TYPE_SHIFT) |
			 (req_flags & (FFA_MEM_FLAG_ZERO_MEMORY | FFA_MEM_FLAG_ZERO_AFTER_RELINQ)),
		.handle = txn->handle,
		.tag = txn->tag,
		.recv_count = txn->recv_count,
		.total_pages = txn->page_count,
	};
	struct ffa_mem_constituent *cons;
	uint8_t *out = NULL;
	uint64_t n;

	if (fmt != MED_MEM_FMT_1_0)
		d.attributes |= FFA_MEM_ATTR_NS;
	if (txn->flags & FFA_MEM_FLAG_ZERO_MEMORY)
		d.flags |= FFA_MEM_FLAG_ZERO_MEMORY;
	d.recv = med_alloc(med, sizeof(*d.recv) * txn->recv_count);
	cons = med_alloc(med, sizeof(*cons) * (size_t)txn->page_count);
	if (!d.recv || !cons)
		goto out;
	for (uint32_t i = 0; i < txn->recv_count; i++)
		d.recv[i] = txn->borrow[i].recv;
	d.recv[idx].perm = perm;
	n = med_mem_coalesce(txn->borrow[idx].ipa, txn->page_count, cons);
	*size = med_mem_desc_size(fmt, d.recv_count, n);
	if (*size)
		out = med_alloc(med, *size);
	if (out)
		med_mem_desc_encode(out, fmt, &d, cons, n);
out:
	med_free(med, cons);
	med_free(med, d.recv);
	return out;
}

static void retrieve_reply(struct ffamed_regs *regs, size_t total, size_t frag)
{
	ffa_regs_clear(regs);
	regs->x[0] = FFA_MEM_RETRIEVE_RESP;
	regs->x[1] = total;
	regs->x[2] = frag;
}

/*
 * Maps the borrowed pages for borrower `idx` and builds the response (mem
 * lock held). NO_MEMORY or the port's refusal, undone, on failure.
 */
static med_status retrieve_map(struct med_call *call, struct med_mem_txn *txn, uint32_t idx,
			       uint8_t perm, uint16_t attributes, enum med_mem_fmt fmt,
			       uint32_t req_flags, uint8_t **resp, size_t *resp_size)
{
	struct ffamed_vm *vm = call->vm;
	struct ffamed *med = vm->med;
	struct med_mem_borrow *b = &txn->borrow[idx];
	int32_t rc;

	b->ipa = med_alloc(med, sizeof(*b->ipa) * (size_t)txn->page_count);
	if (!b->ipa)
		MED_REFUSE(call, FFA_RET_NO_MEMORY, "no memory for the borrower's map");
	b->write = (perm & FFA_MEM_PERM_DATA_MASK) == FFA_MEM_PERM_DATA_RW;
	rc = med->ops->borrow_map(med->host, vm->host_vm, txn->pa, (size_t)txn->page_count,
				  b->write, b->ipa);
	if (rc != FFA_RET_OK) {
		med_free(med, b->ipa);
		b->ipa = NULL;
		MED_REFUSE(call, rc, "the port could not map the pages");
	}
	b->retrieved = true;
	b->host_vm = vm->host_vm;
	*resp = retrieve_response(med, txn, idx, perm, attributes, fmt, req_flags, resp_size);
	if (!*resp) {
		med_mem_borrow_unmap(med, txn, idx);
		MED_REFUSE(call, FFA_RET_NO_MEMORY, "no memory for the response");
	}
	return FFA_RET_OK;
}

med_status med_handle_mem_retrieve(struct med_call *call)
{
	struct ffamed_vm *vm = call->vm;
	struct ffamed_regs *regs = call->regs;
	struct ffamed *med = vm->med;
	enum med_mem_fmt fmt = med_mem_fmt_of(call->version);
	uint64_t total = (uint32_t)regs->x[1];
	struct med_mem_desc req = {0};
	struct med_mem_txn *txn;
	uint8_t *copy = NULL, *resp = NULL;
	size_t rx_size = 0, resp_size = 0, frag = 0;
	uint32_t idx = 0;
	uint8_t perm = 0;
	uint16_t attributes = 0;
	void *rx = NULL;
	med_status rc;

	/* One fragment, in the TX buffer (docs/MEMORY.md). */
	if (regs->x[3] || (uint32_t)regs->x[4] || !total || (uint32_t)regs->x[2] != total)
		MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS,
			   "not one fragment in the TX buffer (x3, w4, lengths)");
	med_lock(med, &vm->rxtx_lock);
	if (!vm->rxtx.mapped) {
		rc = MED_REFUSAL(call, FFA_RET_DENIED, "no TX buffer mapped");
		goto unlock;
	}
	if (total > (uint64_t)vm->rxtx.page_count * FFA_PAGE_SIZE) {
		rc = MED_REFUSAL(call, FFA_RET_INVALID_PARAMETERS, "request larger than TX");
		goto unlock;
	}
	copy = med_alloc(med, (size_t)total);
	if (!copy) {
		rc = MED_REFUSAL(call, FFA_RET_NO_MEMORY, "no memory for the request");
		goto unlock;
	}
	memcpy(copy, vm->rxtx.tx, (size_t)total);
	rc = med_mem_retrieve_parse(med, copy, (size_t)total, fmt, &req);
	if (rc != FFA_RET_OK) {
		rc = MED_REFUSAL(call, rc, "retrieve request invalid (docs/MEMORY.md)");
		goto unlock;
	}
	/* A new retrieve drops what was left of the last response. */
	med_free(med, vm->mem->resp.buf);
	memset(&vm->mem->resp, 0, sizeof(vm->mem->resp));
	rc = med_vm_rx_acquire(vm, &rx, &rx_size);
	if (rc != FFA_RET_OK) {
		rc = MED_REFUSAL(call, rc, "RX not mapped or not free");
		goto unlock;
	}

	med_lock(med, &med->mem_lock);
	txn = med_mem_find(med, req.handle);
	if (!txn) {
		rc = MED_REFUSAL(call, FFA_RET_INVALID_PARAMETERS,
				 "no transaction with that handle");
		goto unlock_mem;
	}
	rc = retrieve_check(vm, &req, fmt, txn, &idx, &perm, &attributes);
	if (rc != FFA_RET_OK) {
		rc = MED_REFUSAL(call, rc, "not a borrower, or the request does not match");
		goto unlock_mem;
	}
	if (txn->flags & FFA_MEM_FLAG_ZERO_MEMORY) {
		rc = med_mem_zero(med, txn);
		if (rc != FFA_RET_OK) {
			rc = MED_REFUSAL(call, rc, "zeroing the pages failed");
			goto unlock_mem;
		}
	}
	rc = retrieve_map(call, txn, idx, perm, attributes, fmt, req.flags, &resp, &resp_size);
	/* Ownership moves: the donor loses the handle and the pages. */
	if (rc == FFA_RET_OK && txn->op == MED_MEM_DONATE)
		med_mem_donated(txn);
unlock_mem:
	med_unlock(med, &med->mem_lock);
	if (rc != FFA_RET_OK) {
		med_vm_rx_put_back(vm);
		goto unlock;
	}
	frag = resp_size < rx_size ? resp_size : rx_size;
	memcpy(rx, resp, frag);
	med_vm_rx_give_to_guest(vm);
	if (frag < resp_size) {
		vm->mem->resp.active = true;
		vm->mem->resp.handle = req.handle;
		vm->mem->resp.buf = resp;
		vm->mem->resp.total = resp_size;
		vm->mem->resp.sent = frag;
		vm->mem->resp.last = 0;
		resp = NULL;
	}
unlock:
	med_unlock(med, &vm->rxtx_lock);
	med_free(med, resp);
	med_free(med, copy);
	med_mem_desc_free(med, &req);
	if (rc != FFA_RET_OK)
		return rc;
	retrieve_reply(regs, resp_size, frag);
	return FFA_RET_OK;
}

med_status med_handle_mem_frag_rx(struct med_call *call)
{
	struct ffamed_vm *vm = call->vm;
	struct ffamed_regs *regs = call->regs;
	struct ffamed *med = vm->med;
	uint64_t handle = (uint32_t)regs->x[1] | ((uint64_t)(uint32_t)regs->x[2] << 32);
	size_t off = (uint32_t)regs->x[3];
	size_t rx_size = 0, len = 0;
	void *rx = NULL;
	med_status rc;

	med_lock(med, &vm->rxtx_lock);
	/* A repeat of the last offset is a retransmit. */
	if ((uint32_t)regs->x[4] || !vm->mem->resp.active || vm->mem->resp.handle != handle ||
	    (off != vm->mem->resp.sent && off != vm->mem->resp.last)) {
		rc = MED_REFUSAL(call, FFA_RET_INVALID_PARAMETERS,
				 "no response of that handle pending at that offset");
		goto unlock;
	}
	rc = med_vm_rx_acquire(vm, &rx, &rx_size);
	if (rc != FFA_RET_OK) {
		rc = MED_REFUSAL(call, rc, "RX not mapped or not free");
		goto unlock;
	}
	len = vm->mem->resp.total - off;
	if (len > rx_size)
		len = rx_size;
	memcpy(rx, vm->mem->resp.buf + off, len);
	med_vm_rx_give_to_guest(vm);
	vm->mem->resp.last = off;
	vm->mem->resp.sent = off + len;
	if (vm->mem->resp.sent == vm->mem->resp.total) {
		med_free(med, vm->mem->resp.buf);
		memset(&vm->mem->resp, 0, sizeof(vm->mem->resp));
	}
unlock:
	med_unlock(med, &vm->rxtx_lock);
	if (rc != FFA_RET_OK)
		return rc;
	ffa_regs_clear(regs);
	regs->x[0] = FFA_MEM_FRAG_TX;
	regs->x[1] = (uint32_t)handle;
	regs->x[2] = (uint32_t)(handle >> 32);
	regs->x[3] = len;
	return FFA_RET_OK;
}

med_status med_handle_mem_relinquish(struct med_call *call)
{
	struct ffamed_vm *vm = call->vm;
	struct ffamed *med = vm->med;
	struct ffa_mem_relinquish rel;
	struct med_mem_txn *txn;
	uint16_t ep = 0;
	uint32_t idx;
	bool mapped;
	med_status rc;

	med_lock(med, &vm->rxtx_lock);
	mapped = vm->rxtx.mapped;
	if (mapped) {
		memcpy(&rel, vm->rxtx.tx, sizeof(rel));
		memcpy(&ep, (const uint8_t *)vm->rxtx.tx + sizeof(rel), sizeof(ep));
	}
	med_unlock(med, &vm->rxtx_lock);
	if (!mapped)
		MED_REFUSE(call, FFA_RET_DENIED, "no TX buffer mapped");
	if (rel.endpoint_count != 1 || ep != vm->id || (rel.flags & ~FFA_MEM_RECLAIM_FLAGS_MASK) ||
	    (rel.flags & FFA_MEM_FLAG_TIME_SLICING))
		MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS,
			   "not one endpoint, not the caller, or unknown flags");

	med_lock(med, &med->mem_lock);
	txn = med_mem_find(med, rel.handle);
	if (!txn || txn->to_sp || (idx = borrow_index(txn, vm->id)) == UINT32_MAX) {
		rc = MED_REFUSAL(call, FFA_RET_INVALID_PARAMETERS,
				 "handle unknown, an SP's, or the caller is no borrower");
	} else if (!txn->borrow[idx].retrieved || txn->state == MED_TXN_DONATED) {
		rc = MED_REFUSAL(call, FFA_RET_DENIED, "not retrieved, or donated");
	} else if ((rel.flags & FFA_MEM_FLAG_ZERO_MEMORY) && txn->op == MED_MEM_SHARE) {
		rc = MED_REFUSAL(call, FFA_RET_INVALID_PARAMETERS, "zeroing asked on a share");
	} else {
		if ((rel.flags & FFA_MEM_FLAG_ZERO_MEMORY) && med_mem_zero(med, txn) != FFA_RET_OK)
			med_warn(med, "ffamed: could not zero %llx on relinquish",
				 (unsigned long long)rel.handle);
		med_mem_borrow_unmap(med, txn, idx);
		rc = FFA_RET_OK;
	}
	med_unlock(med, &med->mem_lock);
	if (rc != FFA_RET_OK)
		return rc;
	ffa_set_success32(call->regs, 0, 0, 0);
	return FFA_RET_OK;
}
#endif /* FFAMED_CONFIG_MEM_VM_BORROWERS */
