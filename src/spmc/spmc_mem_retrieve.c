/* SPDX-License-Identifier: MIT */
/*
 * Retrieve and relinquish: by SPs (the SP-side API of spmc.h, which speaks
 * the descriptors as a real SP would: a retrieve request in its TX buffer,
 * the response in 4K fragments through its RX buffer), and by the
 * hypervisor (v1.1+, no receivers, response in its RX, FFA_MEM_FRAG_RX for
 * the rest). Rules: docs/MEMORY-SPMC.md.
 */
#include "spmc_mem_internal.h"

/* The RX/TX buffers SPs use in this model. */
#define SP_MAILBOX_SIZE FFA_PAGE_SIZE
#define RETRIEVE_FLAGS_MASK                                                                        \
	(FFA_MEM_FLAGS_RETRIEVE_MASK | (1u << 10)) /* bit 10: bypass multi-borrower check */

static struct spmc_mem_recv *mem_recv_of(struct spmc_mem_txn *txn, uint16_t id)
{
	for (uint32_t i = 0; i < txn->recv_count; i++)
		if (txn->recv[i].id == id)
			return &txn->recv[i];
	return NULL;
}

/* Resolves the access asked for against what was granted. */
static int32_t mem_resolve_perm(uint8_t asked, uint8_t granted, uint8_t *out)
{
	uint8_t data = asked & FFA_MEM_PERM_DATA_MASK;
	uint8_t inst = asked & FFA_MEM_PERM_INST_MASK;

	if ((asked & ~(FFA_MEM_PERM_DATA_MASK | FFA_MEM_PERM_INST_MASK)) ||
	    data == FFA_MEM_PERM_DATA_MASK || inst == FFA_MEM_PERM_INST_MASK)
		return FFA_RET_INVALID_PARAMETERS;
	if (!data)
		data = granted & FFA_MEM_PERM_DATA_MASK;
	if (!inst)
		inst = granted & FFA_MEM_PERM_INST_MASK;
	if (data == FFA_MEM_PERM_DATA_RW && (granted & FFA_MEM_PERM_DATA_MASK) != data)
		return FFA_RET_DENIED;
	if (inst == FFA_MEM_PERM_INST_X && (granted & FFA_MEM_PERM_INST_MASK) != inst)
		return FFA_RET_DENIED;
	*out = data | inst;
	return FFA_RET_OK;
}

/* Checks a retrieve request's header against the transaction. */
static int32_t mem_retrieve_hdr_check(const struct spmc_mem_txn *txn, const struct spmc_mem_hdr *h)
{
	uint32_t type = h->flags & FFA_MEM_FLAG_TYPE_MASK;
	bool share = txn->type == FFA_MEM_FLAG_TYPE_SHARE;

	if ((h->sender && h->sender != txn->sender) || h->tag != txn->tag ||
	    (h->flags & ~RETRIEVE_FLAGS_MASK) || (type && type != txn->type))
		return FFA_RET_INVALID_PARAMETERS;
	if ((h->flags & (FFA_MEM_FLAG_ZERO_MEMORY | FFA_MEM_FLAG_ZERO_AFTER_RELINQ)) && share)
		return FFA_RET_INVALID_PARAMETERS;
	/* Zeroing before retrieval is the sender's call. */
	if ((h->flags & FFA_MEM_FLAG_ZERO_MEMORY) && !(txn->flags & FFA_MEM_FLAG_ZERO_MEMORY))
		return FFA_RET_DENIED;
	if ((h->attributes & FFA_MEM_ATTR_NS) ||
	    (h->attributes && h->attributes != FFA_MEM_ATTR_NORMAL_WB_INNER))
		return FFA_RET_INVALID_PARAMETERS;
	return FFA_RET_OK;
}

/* Finds the retriever's EMAD in the request and checks the others. */
static int32_t mem_retrieve_emads(struct spmc_mem_txn *txn, const uint8_t *req,
				  const struct spmc_mem_hdr *h, uint32_t version, uint16_t me,
				  struct spmc_mem_emad *mine)
{
	bool found = false;

	if (h->emad_count == 0 || h->emad_count > txn->recv_count)
		return FFA_RET_INVALID_PARAMETERS;
	for (uint32_t i = 0; i < h->emad_count; i++) {
		struct spmc_mem_emad e;

		if (!spmc_mem_emad_get(req, h, version, i, &e) ||
		    (e.flags & ~FFA_EMAD_FLAG_NON_RETRIEVAL_BORROWER))
			return FFA_RET_INVALID_PARAMETERS;
		if (e.receiver == me) {
			*mine = e;
			found = true;
		}
	}
	if (!found)
		return FFA_RET_INVALID_PARAMETERS;
	if (!mem_recv_of(txn, me))
		return FFA_RET_DENIED;
	for (uint32_t i = 0; i < h->emad_count; i++) {
		struct spmc_mem_emad e;

		spmc_mem_emad_get(req, h, version, i, &e);
		if (!mem_recv_of(txn, e.receiver))
			return FFA_RET_INVALID_PARAMETERS;
	}
	return FFA_RET_OK;
}

/* Donated memory belongs to its borrower once the response is out. */
static void mem_after_response(struct ffamed_spmc *spmc, struct spmc_mem_txn *txn)
{
	if (txn->type == FFA_MEM_FLAG_TYPE_DONATE)
		spmc_mem_txn_drop(spmc, txn);
}

/* The SPMC's side of FFA_MEM_RETRIEVE_REQ from an SP: the first fragment of
 * the response goes to rx. */
static int32_t mem_sp_retrieve_req(struct ffamed_sp *sp, const uint8_t *req, uint32_t len,
				   uint8_t *rx, uint32_t *total, uint32_t *frag)
{
	struct ffamed_spmc *spmc = sp->spmc;
	struct spmc_mem *mem = spmc->mem;
	uint32_t version = sp->cfg.version;
	struct spmc_mem_hdr h;
	struct spmc_mem_emad mine;
	struct spmc_mem_txn *txn;
	struct spmc_mem_recv *recv;
	uint8_t perm = 0;
	uint8_t *resp;
	uint32_t resp_len = 0;
	int32_t rc;

	rc = spmc_mem_hdr_parse(req, len, version, &h);
	if (rc)
		return rc;
	spmc_lock(spmc, &mem->lock);
	rc = FFA_RET_INVALID_PARAMETERS;
	txn = spmc_mem_find(mem, h.handle);
	if (!txn || !txn->complete)
		goto out;
	rc = FFA_RET_DENIED;
	recv = mem_recv_of(txn, sp->cfg.id);
	if (!recv)
		goto out;
	rc = mem_retrieve_hdr_check(txn, &h);
	if (!rc)
		rc = mem_retrieve_emads(txn, req, &h, version, sp->cfg.id, &mine);
	if (rc)
		goto out;
	rc = mem_resolve_perm(mine.perm, recv->perm, &perm);
	if (rc)
		goto out;
	rc = FFA_RET_INVALID_PARAMETERS;
	if (spmc_version_at_least(version, FFA_VERSION_1_2) &&
	    memcmp(mine.impdef, recv->impdef, sizeof(mine.impdef)) != 0)
		goto out;
	rc = FFA_RET_DENIED;
	if (recv->resp)
		goto out;
	rc = FFA_RET_NO_MEMORY;
	resp = spmc_mem_resp_build(spmc, txn, recv, perm, version, &resp_len);
	if (!resp)
		goto out;
	if ((txn->flags & FFA_MEM_FLAG_ZERO_MEMORY) && !txn->zeroed) {
		spmc_mem_txn_zero(spmc, txn);
		txn->zeroed = true;
	}
	recv->retrieved++;
	*total = resp_len;
	*frag = resp_len < SP_MAILBOX_SIZE ? resp_len : SP_MAILBOX_SIZE;
	memcpy(rx, resp, *frag);
	rc = FFA_RET_OK;
	if (*frag < resp_len) {
		recv->resp = resp;
		recv->resp_len = resp_len;
		recv->resp_sent = *frag;
	} else {
		spmc->env.free(spmc->env.ctx, resp);
		mem_after_response(spmc, txn);
	}
out:
	spmc_unlock(spmc, &mem->lock);
	return rc;
}

/* The SPMC's side of FFA_MEM_FRAG_RX from an SP. */
static int32_t mem_sp_frag_rx(struct ffamed_sp *sp, uint64_t handle, uint32_t offset, uint8_t *rx,
			      uint32_t *frag)
{
	struct ffamed_spmc *spmc = sp->spmc;
	struct spmc_mem *mem = spmc->mem;
	struct spmc_mem_txn *txn;
	struct spmc_mem_recv *recv = NULL;
	int32_t rc = FFA_RET_INVALID_PARAMETERS;
	uint32_t left;

	spmc_lock(spmc, &mem->lock);
	txn = spmc_mem_find(mem, handle);
	if (txn)
		recv = mem_recv_of(txn, sp->cfg.id);
	if (!recv || !recv->resp || offset != recv->resp_sent)
		goto out;
	left = recv->resp_len - recv->resp_sent;
	*frag = left < SP_MAILBOX_SIZE ? left : SP_MAILBOX_SIZE;
	memcpy(rx, recv->resp + offset, *frag);
	recv->resp_sent += *frag;
	if (recv->resp_sent == recv->resp_len) {
		spmc->env.free(spmc->env.ctx, recv->resp);
		recv->resp = NULL;
		mem_after_response(spmc, txn);
	}
	rc = FFA_RET_OK;
out:
	spmc_unlock(spmc, &mem->lock);
	return rc;
}

/* The SP parses the response it assembled. */
static int32_t mem_sp_parse_resp(struct ffamed_sp *sp, const uint8_t *resp, uint32_t len,
				 struct ffamed_sp_mem_region *out)
{
	const struct ffamed_spmc_env *env = &sp->spmc->env;
	uint32_t version = sp->cfg.version;
	struct spmc_mem_hdr h;
	struct spmc_mem_emad e;
	struct ffa_mem_composite comp;
	uint64_t end;

	if (spmc_mem_hdr_parse(resp, len, version, &h) || h.emad_count != 1 ||
	    !spmc_mem_emad_get(resp, &h, version, 0, &e) || e.receiver != sp->cfg.id ||
	    (uint64_t)e.composite_offset + sizeof(comp) > len)
		return FFA_RET_ABORTED;
	memcpy(&comp, resp + e.composite_offset, sizeof(comp));
	end = (uint64_t)e.composite_offset + sizeof(comp) +
	      (uint64_t)comp.constituent_count * sizeof(struct ffa_mem_constituent);
	if (end > len || comp.constituent_count == 0)
		return FFA_RET_ABORTED;
	out->ranges = env->alloc(env->ctx, sizeof(*out->ranges) * comp.constituent_count);
	if (!out->ranges)
		return FFA_RET_NO_MEMORY;
	for (uint32_t i = 0; i < comp.constituent_count; i++) {
		struct ffa_mem_constituent c;

		memcpy(&c, resp + e.composite_offset + sizeof(comp) + (size_t)i * sizeof(c),
		       sizeof(c));
		out->ranges[i].pa = c.address;
		out->ranges[i].pages = c.page_count;
	}
	out->range_count = comp.constituent_count;
	out->total_pages = comp.total_page_count;
	out->handle = h.handle;
	out->sender = h.sender;
	out->attributes = h.attributes;
	out->flags = h.flags;
	out->perm = e.perm;
	return FFA_RET_OK;
}

int32_t ffamed_sp_mem_retrieve(struct ffamed_sp *sp, uint64_t handle, uint64_t tag, uint8_t perm,
			       struct ffamed_sp_mem_region *out)
{
	const struct ffamed_spmc_env *env = &sp->spmc->env;
	uint32_t version = sp->cfg.version;
	struct spmc_mem_hdr h = {.handle = handle, .tag = tag, .emad_count = 1};
	struct spmc_mem_emad e = {.receiver = sp->cfg.id, .perm = perm};
	uint8_t *tx = env->alloc(env->ctx, SP_MAILBOX_SIZE);
	uint8_t *rx = env->alloc(env->ctx, SP_MAILBOX_SIZE);
	uint8_t *resp = NULL;
	uint32_t req_len;
	uint32_t total = 0;
	uint32_t frag = 0;
	uint32_t got;
	int32_t rc = FFA_RET_NO_MEMORY;

	memset(out, 0, sizeof(*out));
	if (!tx || !rx)
		goto out;
	/* The request, as an SP writes it in its TX buffer. */
	req_len = spmc_mem_hdr_encode(tx, version, &h);
	spmc_mem_emad_encode(tx, &h, version, 0, &e);
	rc = mem_sp_retrieve_req(sp, tx, req_len, rx, &total, &frag);
	if (rc)
		goto out;
	resp = env->alloc(env->ctx, total);
	if (!resp) {
		rc = FFA_RET_NO_MEMORY;
		goto undo;
	}
	memcpy(resp, rx, frag);
	got = frag;
	out->fragments = 1;
	while (got < total) {
		rc = mem_sp_frag_rx(sp, handle, got, rx, &frag);
		if (rc)
			goto undo;
		memcpy(resp + got, rx, frag);
		got += frag;
		out->fragments++;
	}
	rc = mem_sp_parse_resp(sp, resp, total, out);
	if (rc)
		goto undo;
	goto out;

undo:
	/* The SPMC counted the retrieve: give it back. */
	ffamed_sp_mem_relinquish(sp, handle, 0);
	ffamed_sp_mem_region_free(sp, out);
out:
	env->free(env->ctx, resp);
	env->free(env->ctx, tx);
	env->free(env->ctx, rx);
	return rc;
}

void ffamed_sp_mem_region_free(struct ffamed_sp *sp, struct ffamed_sp_mem_region *region)
{
	sp->spmc->env.free(sp->spmc->env.ctx, region->ranges);
	region->ranges = NULL;
	region->range_count = 0;
}

/* The SPMC's side of FFA_MEM_RELINQUISH from an SP. */
static int32_t mem_sp_relinquish(struct ffamed_sp *sp, const uint8_t *desc, uint32_t len)
{
	struct ffamed_spmc *spmc = sp->spmc;
	struct spmc_mem *mem = spmc->mem;
	struct ffa_mem_relinquish r;
	struct spmc_mem_txn *txn;
	struct spmc_mem_recv *recv = NULL;
	uint16_t ep;
	int32_t rc = FFA_RET_INVALID_PARAMETERS;

	if (len < sizeof(r) + sizeof(ep))
		return FFA_RET_INVALID_PARAMETERS;
	memcpy(&r, desc, sizeof(r));
	memcpy(&ep, desc + sizeof(r), sizeof(ep));
	if (r.endpoint_count != 1 || ep != sp->cfg.id || (r.flags & ~FFA_MEM_RECLAIM_FLAGS_MASK))
		return FFA_RET_INVALID_PARAMETERS;
	spmc_lock(spmc, &mem->lock);
	txn = spmc_mem_find(mem, r.handle);
	if (txn && txn->complete)
		recv = mem_recv_of(txn, sp->cfg.id);
	if (!recv || !recv->retrieved || recv->resp)
		goto out;
	if ((r.flags & FFA_MEM_FLAG_ZERO_MEMORY) && txn->type == FFA_MEM_FLAG_TYPE_SHARE)
		goto out;
	if (r.flags & FFA_MEM_FLAG_ZERO_MEMORY)
		spmc_mem_txn_zero(spmc, txn);
	recv->retrieved--;
	rc = FFA_RET_OK;
out:
	spmc_unlock(spmc, &mem->lock);
	return rc;
}

int32_t ffamed_sp_mem_relinquish(struct ffamed_sp *sp, uint64_t handle, uint32_t flags)
{
	uint8_t desc[sizeof(struct ffa_mem_relinquish) + sizeof(uint16_t)];
	struct ffa_mem_relinquish r = {.handle = handle, .flags = flags, .endpoint_count = 1};
	uint16_t ep = sp->cfg.id;

	memcpy(desc, &r, sizeof(r));
	memcpy(desc + sizeof(r), &ep, sizeof(ep));
	return mem_sp_relinquish(sp, desc, sizeof(desc));
}

void *ffamed_sp_mem_map(struct ffamed_sp *sp, uint64_t pa, size_t len)
{
	return sp->spmc->env.pa_map(sp->spmc->env.ctx, pa, len);
}

/* ---- Retrieval by the hypervisor ------------------------------------------------ */

/* Writes the next fragment of the pending response to the hypervisor's RX
 * (mbox_lock and mem->lock held); false if its RX is not free. */
static bool mem_hyp_rx_put(struct ffamed_spmc *spmc, uint32_t *frag)
{
	struct spmc_mem *mem = spmc->mem;
	uint32_t size = spmc->hyp.page_count * FFA_PAGE_SIZE;
	uint32_t left = mem->hyp_resp_len - mem->hyp_resp_sent;

	if (!spmc->hyp.mapped || spmc->hyp.rx_owner != FFAMED_SPMC_RX_OWNER_SPMC)
		return false;
	*frag = left < size ? left : size;
	memcpy(spmc->hyp.rx, mem->hyp_resp + mem->hyp_resp_sent, *frag);
	mem->hyp_resp_sent += *frag;
	spmc->hyp.rx_owner = FFAMED_SPMC_RX_OWNER_NWD;
	if (mem->hyp_resp_sent == mem->hyp_resp_len) {
		spmc->env.free(spmc->env.ctx, mem->hyp_resp);
		mem->hyp_resp = NULL;
	}
	return true;
}

void spmc_mem_hyp_retrieve(struct ffamed_spmc *spmc, struct ffamed_regs *regs, bool is32,
			   uint32_t version)
{
	struct spmc_mem *mem = spmc->mem;
	uint32_t total = (uint32_t)regs->x[1];
	uint32_t len = (uint32_t)regs->x[2];
	uint64_t buf_addr = is32 ? (uint32_t)regs->x[3] : regs->x[3];
	struct spmc_mem_hdr h;
	struct spmc_mem_txn *txn;
	uint8_t *req = NULL;
	uint8_t *resp;
	uint32_t resp_len = 0;
	uint32_t frag = 0;
	int32_t rc = FFA_RET_INVALID_PARAMETERS;

	if (buf_addr || (uint32_t)regs->x[4] || !spmc_regs_mbz(regs, is32, 5, 7) || !len ||
	    len != total || len > SP_MAILBOX_SIZE * 16) {
		spmc_refuse(spmc, regs, rc, "spmc: hypervisor RETRIEVE_REQ total %x frag %x", total,
			    len);
		return;
	}
	spmc_lock(spmc, &spmc->mbox_lock);
	if (!spmc->hyp.mapped) {
		rc = FFA_RET_DENIED;
		goto out_mbox;
	}
	if (len > spmc->hyp.page_count * FFA_PAGE_SIZE)
		goto out_mbox;
	rc = FFA_RET_NO_MEMORY;
	req = spmc->env.alloc(spmc->env.ctx, len);
	if (!req)
		goto out_mbox;
	memcpy(req, spmc->hyp.tx, len);
	rc = spmc_mem_hdr_parse(req, len, version, &h);
	/* This SPMC lends to SPs only: the hypervisor only asks for the view. */
	if (!rc && h.emad_count)
		rc = FFA_RET_INVALID_PARAMETERS;
	if (rc)
		goto out_mbox;
	rc = FFA_RET_BUSY;
	if (spmc->hyp.rx_owner != FFAMED_SPMC_RX_OWNER_SPMC)
		goto out_mbox;
	spmc_lock(spmc, &mem->lock);
	rc = FFA_RET_INVALID_PARAMETERS;
	txn = spmc_mem_find(mem, h.handle);
	if (!txn || !txn->complete || (h.sender && h.sender != txn->sender))
		goto out_mem;
	rc = FFA_RET_NO_MEMORY;
	resp = spmc_mem_resp_build(spmc, txn, NULL, 0, version, &resp_len);
	if (!resp)
		goto out_mem;
	/* A new request drops a response the hypervisor did not finish. */
	spmc->env.free(spmc->env.ctx, mem->hyp_resp);
	mem->hyp_resp = resp;
	mem->hyp_resp_handle = txn->handle;
	mem->hyp_resp_len = resp_len;
	mem->hyp_resp_sent = 0;
	mem_hyp_rx_put(spmc, &frag);
	rc = FFA_RET_OK;
out_mem:
	spmc_unlock(spmc, &mem->lock);
out_mbox:
	spmc_unlock(spmc, &spmc->mbox_lock);
	spmc->env.free(spmc->env.ctx, req);
	if (rc) {
		spmc_refuse(spmc, regs, rc, "spmc: hypervisor RETRIEVE_REQ refused (%d)", rc);
		return;
	}
	ffa_regs_clear(regs);
	regs->x[0] = FFA_MEM_RETRIEVE_RESP;
	regs->x[1] = resp_len;
	regs->x[2] = frag;
}

void spmc_mem_hyp_frag_rx(struct ffamed_spmc *spmc, struct ffamed_regs *regs)
{
	struct spmc_mem *mem = spmc->mem;
	uint64_t handle = (uint32_t)regs->x[1] | ((uint64_t)(uint32_t)regs->x[2] << 32);
	uint32_t offset = (uint32_t)regs->x[3];
	uint32_t w4 = (uint32_t)regs->x[4];
	uint32_t frag = 0;
	int32_t rc = FFA_RET_INVALID_PARAMETERS;

	if ((w4 & 0xFFFFu) || !spmc_regs_mbz(regs, true, 5, 7)) {
		spmc_refuse(spmc, regs, rc, "spmc: FRAG_RX w4[15:0]/w5-w7 MBZ");
		return;
	}
	spmc_lock(spmc, &spmc->mbox_lock);
	spmc_lock(spmc, &mem->lock);
	if (!mem->hyp_resp || mem->hyp_resp_handle != handle || offset != mem->hyp_resp_sent)
		goto out;
	rc = FFA_RET_DENIED;
	if (!mem_hyp_rx_put(spmc, &frag))
		goto out;
	rc = FFA_RET_OK;
out:
	spmc_unlock(spmc, &mem->lock);
	spmc_unlock(spmc, &spmc->mbox_lock);
	if (rc) {
		spmc_refuse(spmc, regs, rc, "spmc: FRAG_RX %llx offset %x refused",
			    (unsigned long long)handle, offset);
		return;
	}
	ffa_regs_clear(regs);
	regs->x[0] = FFA_MEM_FRAG_TX;
	regs->x[1] = (uint32_t)handle;
	regs->x[2] = (uint32_t)(handle >> 32);
	regs->x[3] = frag;
	regs->x[4] = w4;
}
