/* SPDX-License-Identifier: MIT */
/*
 * Memory transactions sent by the hypervisor on behalf of its VMs:
 * FFA_MEM_DONATE/LEND/SHARE, the fragments that follow them (FFA_MEM_FRAG_TX),
 * FFA_MEM_RECLAIM, handles, and the claims that keep a page in at most one
 * live transaction. Rules and the choices behind them: docs/MEMORY-SPMC.md.
 */
#include "common_sort.h"
#include "spmc_mem_internal.h"
#include "spmc_persona.h"

#define PAGE_MASK ((uint64_t)FFA_PAGE_SIZE - 1)
/* An odd constant: multiplying by it permutes the 64-bit values, so handles
 * look random but a sequence number never maps to a live one twice. */
#define HANDLE_MIX 0x9E3779B97F4A7C15ull

int32_t spmc_mem_init(struct ffamed_spmc *spmc, const struct ffamed_spmc_config *cfg)
{
	const struct ffamed_spmc_env *env = &spmc->env;
	struct spmc_mem *mem = env->alloc(env->ctx, sizeof(*mem));

	if (!mem)
		return FFA_RET_NO_MEMORY;
	env->lock_init(env->ctx, &mem->lock);
	mem->next_seq = 1;
	mem->max_handles =
		cfg->mem_max_handles ? cfg->mem_max_handles : SPMC_MEM_MAX_HANDLES_DEFAULT;
	mem->max_fragments =
		cfg->mem_max_fragments ? cfg->mem_max_fragments : SPMC_MEM_MAX_FRAGMENTS_DEFAULT;
	mem->max_desc_len =
		cfg->mem_max_desc_len ? cfg->mem_max_desc_len : SPMC_MEM_MAX_DESC_LEN_DEFAULT;
	spmc->mem = mem;
	return FFA_RET_OK;
}

static void mem_txn_free(struct ffamed_spmc *spmc, struct spmc_mem_txn *txn)
{
	const struct ffamed_spmc_env *env = &spmc->env;

	if (!txn)
		return;
	if (txn->recv)
		for (uint32_t i = 0; i < txn->recv_count; i++)
			env->free(env->ctx, txn->recv[i].resp);
	env->free(env->ctx, txn->recv);
	env->free(env->ctx, txn->ranges);
	env->free(env->ctx, txn);
}

void spmc_mem_fini(struct ffamed_spmc *spmc)
{
	const struct ffamed_spmc_env *env = &spmc->env;
	struct spmc_mem *mem = spmc->mem;

	if (!mem)
		return;
	while (mem->txns) {
		struct spmc_mem_txn *t = mem->txns;

		mem->txns = t->next;
		mem_txn_free(spmc, t);
	}
	env->free(env->ctx, mem->claims);
	env->free(env->ctx, mem->hyp_resp);
	env->lock_destroy(env->ctx, &mem->lock);
	env->free(env->ctx, mem);
	spmc->mem = NULL;
}

struct spmc_mem_txn *spmc_mem_find(struct spmc_mem *mem, uint64_t handle)
{
	for (struct spmc_mem_txn *t = mem->txns; t; t = t->next)
		if (t->handle == handle)
			return t;
	return NULL;
}

static uint64_t mem_handle_new(struct spmc_mem *mem)
{
	uint64_t h;

	do {
		h = (mem->next_seq++ * HANDLE_MIX) & ~FFA_HANDLE_HYP_ALLOCATED;
	} while (h == 0 || spmc_mem_find(mem, h));
	return h;
}

void spmc_mem_txn_drop(struct ffamed_spmc *spmc, struct spmc_mem_txn *txn)
{
	struct spmc_mem *mem = spmc->mem;
	size_t kept = 0;

	for (struct spmc_mem_txn **pp = &mem->txns; *pp; pp = &(*pp)->next) {
		if (*pp == txn) {
			*pp = txn->next;
			mem->txn_count--;
			break;
		}
	}
	if (txn->complete) {
		for (size_t i = 0; i < mem->claim_count; i++)
			if (mem->claims[i].txn != txn)
				mem->claims[kept++] = mem->claims[i];
		mem->claim_count = kept;
	}
	mem_txn_free(spmc, txn);
}

void spmc_mem_txn_zero(struct ffamed_spmc *spmc, const struct spmc_mem_txn *txn)
{
	for (uint32_t i = 0; i < txn->range_count; i++) {
		size_t len = (size_t)(txn->ranges[i].pages * FFA_PAGE_SIZE);
		void *p = spmc->env.pa_map(spmc->env.ctx, txn->ranges[i].pa, len);

		if (p)
			memset(p, 0, len);
	}
}

/* ---- The hypervisor's TX buffer ------------------------------------------------ */

/* Copies `len` bytes from the start of the hypervisor's TX buffer: it may
 * rewrite them at any time, so everything is parsed from the copy. */
static int32_t mem_tx_copy(struct ffamed_spmc *spmc, uint32_t len, uint8_t **out)
{
	uint8_t *buf = spmc->env.alloc(spmc->env.ctx, len);
	int32_t rc = FFA_RET_OK;

	*out = NULL;
	if (!buf)
		return FFA_RET_NO_MEMORY;
	spmc_lock(spmc, &spmc->mbox_lock);
	if (!spmc->hyp.mapped)
		rc = FFA_RET_DENIED;
	else if (len > (uint64_t)spmc->hyp.page_count * FFA_PAGE_SIZE)
		rc = FFA_RET_INVALID_PARAMETERS;
	else
		memcpy(buf, spmc->hyp.tx, len);
	spmc_unlock(spmc, &spmc->mbox_lock);
	if (rc) {
		spmc->env.free(spmc->env.ctx, buf);
		return rc;
	}
	*out = buf;
	return FFA_RET_OK;
}

/* ---- Parsing a send ---------------------------------------------------------- */

static int32_t mem_add_constituents(struct ffamed_spmc *spmc, struct spmc_mem_txn *txn,
				    const uint8_t *p, size_t len)
{
	for (size_t off = 0; off + SPMC_MEM_CONSTITUENT_SIZE <= len;
	     off += SPMC_MEM_CONSTITUENT_SIZE) {
		struct ffa_mem_constituent c;
		uint64_t bytes;

		memcpy(&c, p + off, sizeof(c));
		bytes = (uint64_t)c.page_count * FFA_PAGE_SIZE;
		if (c.reserved || c.page_count == 0 || (c.address & PAGE_MASK) ||
		    c.address + bytes < c.address || bytes > SIZE_MAX)
			return FFA_RET_INVALID_PARAMETERS;
		if (c.page_count > txn->total_pages - txn->pages_seen ||
		    txn->range_count >= txn->constituent_count)
			return FFA_RET_INVALID_PARAMETERS;
		if (!spmc->env.pa_map(spmc->env.ctx, c.address, (size_t)bytes))
			return FFA_RET_INVALID_PARAMETERS;
		txn->ranges[txn->range_count].pa = c.address;
		txn->ranges[txn->range_count].pages = c.page_count;
		txn->range_count++;
		txn->pages_seen += c.page_count;
	}
	return FFA_RET_OK;
}

static uint32_t mem_type_of(uint32_t fid)
{
	switch (FFA_FNUM(fid)) {
	case FFA_FNUM(FFA_MEM_DONATE_32):
		return FFA_MEM_FLAG_TYPE_DONATE;
	case FFA_FNUM(FFA_MEM_LEND_32):
		return FFA_MEM_FLAG_TYPE_LEND;
	default:
		return FFA_MEM_FLAG_TYPE_SHARE;
	}
}

static int32_t mem_parse_receivers(struct ffamed_spmc *spmc, const uint8_t *buf,
				   const struct spmc_mem_hdr *h, uint32_t version,
				   struct spmc_mem_txn *txn, uint32_t *comp_off)
{
	*comp_off = 0;
	for (uint32_t i = 0; i < h->emad_count; i++) {
		struct spmc_mem_emad e;
		struct spmc_mem_recv *r = &txn->recv[i];
		int32_t rc;

		if (!spmc_mem_emad_get(buf, h, version, i, &e) || e.flags)
			return FFA_RET_INVALID_PARAMETERS;
		if (!FFA_ID_IS_SECURE(e.receiver) || !ffamed_spmc_find_sp(spmc, e.receiver))
			return FFA_RET_INVALID_PARAMETERS;
		for (uint32_t j = 0; j < i; j++)
			if (txn->recv[j].id == e.receiver)
				return FFA_RET_INVALID_PARAMETERS;
		/* Every borrower of a send sees the same region. */
		if (i == 0)
			*comp_off = e.composite_offset;
		else if (e.composite_offset != *comp_off)
			return FFA_RET_INVALID_PARAMETERS;
		rc = spmc_mem_send_perm_check(txn->type, h->emad_count, e.perm, &r->perm);
		if (rc)
			return rc;
		r->id = e.receiver;
		memcpy(r->impdef, e.impdef, sizeof(r->impdef));
		txn->recv_count = i + 1;
	}
	return FFA_RET_OK;
}

/* Parses the first fragment: everything up to the constituents must be in
 * it. On success *out holds a new, unlinked transaction. */
static int32_t mem_parse_first(struct ffamed_spmc *spmc, const uint8_t *buf, uint32_t frag,
			       uint32_t total, uint32_t type, uint32_t version,
			       struct spmc_mem_txn **out)
{
	const struct ffamed_spmc_env *env = &spmc->env;
	struct spmc_mem_hdr h;
	struct ffa_mem_composite comp;
	struct spmc_mem_txn *txn;
	uint32_t comp_off;
	uint64_t end;
	int32_t rc;

	*out = NULL;
	rc = spmc_mem_hdr_parse(buf, frag, version, &h);
	if (rc)
		return rc;
	if (h.sender == FFA_HYP_ID || FFA_ID_IS_SECURE(h.sender) || h.handle ||
	    (h.flags & ~FFA_MEM_FLAGS_TRANSACTION_MASK) ||
	    ((h.flags & FFA_MEM_FLAG_ZERO_MEMORY) && type == FFA_MEM_FLAG_TYPE_SHARE))
		return FFA_RET_INVALID_PARAMETERS;
	/* OP-TEE with NS virtualization: only for guests it was told of. */
	if (!spmc_persona_sender_known(spmc, h.sender))
		return FFA_RET_DENIED;
	rc = spmc_mem_send_attr_check(type, version, h.emad_count, h.attributes);
	if (rc)
		return rc;
	/* Receivers are distinct SPs, so there can be no more of them. */
	if (h.emad_count == 0 || h.emad_count > spmc->sp_count ||
	    (type == FFA_MEM_FLAG_TYPE_DONATE && h.emad_count != 1))
		return FFA_RET_INVALID_PARAMETERS;

	txn = env->alloc(env->ctx, sizeof(*txn));
	if (!txn)
		return FFA_RET_NO_MEMORY;
	txn->type = type;
	txn->recv = env->alloc(env->ctx, sizeof(*txn->recv) * h.emad_count);
	rc = FFA_RET_NO_MEMORY;
	if (!txn->recv)
		goto fail;
	rc = mem_parse_receivers(spmc, buf, &h, version, txn, &comp_off);
	if (rc)
		goto fail;
	rc = FFA_RET_INVALID_PARAMETERS;
	if (comp_off == 0 || (comp_off & 7) ||
	    comp_off < (uint64_t)h.emad_offset + (uint64_t)h.emad_count * h.emad_size ||
	    (uint64_t)comp_off + SPMC_MEM_COMPOSITE_SIZE > frag)
		goto fail;
	memcpy(&comp, buf + comp_off, sizeof(comp));
	end = (uint64_t)comp_off + SPMC_MEM_COMPOSITE_SIZE +
	      (uint64_t)comp.constituent_count * SPMC_MEM_CONSTITUENT_SIZE;
	if (comp.reserved || comp.total_page_count == 0 || comp.constituent_count == 0 ||
	    end != total || (frag - comp_off - SPMC_MEM_COMPOSITE_SIZE) % SPMC_MEM_CONSTITUENT_SIZE)
		goto fail;
	txn->ranges = env->alloc(env->ctx, sizeof(*txn->ranges) * comp.constituent_count);
	rc = FFA_RET_NO_MEMORY;
	if (!txn->ranges)
		goto fail;
	txn->sender = h.sender;
	txn->attributes = h.attributes;
	txn->flags = h.flags;
	txn->tag = h.tag;
	txn->constituent_count = comp.constituent_count;
	txn->total_pages = comp.total_page_count;
	txn->total_len = total;
	txn->fragments = 1;
	rc = mem_add_constituents(spmc, txn, buf + comp_off + SPMC_MEM_COMPOSITE_SIZE,
				  frag - comp_off - SPMC_MEM_COMPOSITE_SIZE);
	if (rc)
		goto fail;
	txn->received = frag;
	*out = txn;
	return FFA_RET_OK;

fail:
	mem_txn_free(spmc, txn);
	return rc;
}

/* ---- Completing a send: claim the pages (mem->lock held) ---------------------- */

static uint64_t claim_pa(const void *claim)
{
	return ((const struct spmc_mem_claim *)claim)->pa;
}

static int32_t mem_commit(struct ffamed_spmc *spmc, struct spmc_mem_txn *txn)
{
	const struct ffamed_spmc_env *env = &spmc->env;
	struct spmc_mem *mem = spmc->mem;
	size_t n = txn->range_count;
	struct spmc_mem_claim *mine;
	struct spmc_mem_claim *merged;
	size_t a = 0;
	size_t b = 0;
	size_t k = 0;
	int32_t rc = FFA_RET_INVALID_PARAMETERS;

	if (txn->pages_seen != txn->total_pages)
		return FFA_RET_INVALID_PARAMETERS;
	mine = env->alloc(env->ctx, sizeof(*mine) * n);
	merged = env->alloc(env->ctx, sizeof(*merged) * (mem->claim_count + n));
	if (!mine || !merged) {
		rc = FFA_RET_NO_MEMORY;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		mine[i].pa = txn->ranges[i].pa;
		mine[i].end = txn->ranges[i].pa + txn->ranges[i].pages * FFA_PAGE_SIZE;
		mine[i].txn = txn;
	}
	common_sort_by_key(mine, n, sizeof(*mine), claim_pa);
	for (size_t i = 1; i < n; i++)
		if (mine[i].pa < mine[i - 1].end)
			goto out; /* the descriptor names a page twice */
	/* Merge into the sorted claims: any overlap now is with another
	 * transaction, whose pages are not the sender's to give again. */
	rc = FFA_RET_DENIED;
	while (a < mem->claim_count || b < n) {
		bool take_old = b == n || (a < mem->claim_count && mem->claims[a].pa <= mine[b].pa);

		merged[k] = take_old ? mem->claims[a++] : mine[b++];
		if (k > 0 && merged[k].pa < merged[k - 1].end)
			goto out;
		k++;
	}
	env->free(env->ctx, mem->claims);
	mem->claims = merged;
	mem->claim_count = k;
	merged = NULL;
	txn->complete = true;
	rc = FFA_RET_OK;
out:
	env->free(env->ctx, mine);
	env->free(env->ctx, merged);
	return rc;
}

static void mem_reply_progress(struct ffamed_regs *regs, const struct spmc_mem_txn *txn)
{
	ffa_regs_clear(regs);
	if (txn->complete) {
		ffa_set_success32(regs, 0, (uint32_t)txn->handle, (uint32_t)(txn->handle >> 32));
		return;
	}
	regs->x[0] = FFA_MEM_FRAG_RX;
	regs->x[1] = (uint32_t)txn->handle;
	regs->x[2] = (uint32_t)(txn->handle >> 32);
	regs->x[3] = txn->received;
	regs->x[4] = (uint64_t)txn->sender << 16;
}

void spmc_mem_send(struct ffamed_spmc *spmc, struct ffamed_regs *regs, uint32_t fid,
		   uint32_t version)
{
	struct spmc_mem *mem = spmc->mem;
	bool is32 = !FFA_FID_IS_64(fid);
	uint32_t total = (uint32_t)regs->x[1];
	uint32_t frag = (uint32_t)regs->x[2];
	uint64_t buf_addr = is32 ? (uint32_t)regs->x[3] : regs->x[3];
	struct spmc_mem_txn *txn = NULL;
	uint8_t *buf = NULL;
	int32_t rc;

	if (buf_addr || (uint32_t)regs->x[4] || !spmc_regs_mbz(regs, is32, 5, 7) || !total ||
	    !frag || frag > total) {
		spmc_refuse(spmc, regs, FFA_RET_INVALID_PARAMETERS,
			    "spmc: MEM send total %x frag %x buffer %lx", total, frag,
			    (unsigned long)buf_addr);
		return;
	}
	if (total > mem->max_desc_len) {
		spmc_refuse(spmc, regs, FFA_RET_NO_MEMORY, "spmc: MEM send descriptor of %x bytes",
			    total);
		return;
	}
	rc = mem_tx_copy(spmc, frag, &buf);
	if (!rc)
		rc = mem_parse_first(spmc, buf, frag, total, mem_type_of(fid), version, &txn);
	spmc->env.free(spmc->env.ctx, buf);
	if (rc) {
		spmc_refuse(spmc, regs, rc, "spmc: MEM send descriptor refused (%d)", rc);
		return;
	}

	spmc_lock(spmc, &mem->lock);
	if (mem->txn_count >= mem->max_handles) {
		spmc_unlock(spmc, &mem->lock);
		mem_txn_free(spmc, txn);
		spmc_refuse(spmc, regs, FFA_RET_NO_MEMORY, "spmc: MEM send: handles exhausted");
		return;
	}
	txn->handle = mem_handle_new(mem);
	txn->next = mem->txns;
	mem->txns = txn;
	mem->txn_count++;
	if (txn->received == txn->total_len) {
		rc = mem_commit(spmc, txn);
		if (rc) {
			spmc_mem_txn_drop(spmc, txn);
			spmc_unlock(spmc, &mem->lock);
			spmc_refuse(spmc, regs, rc, "spmc: MEM send: pages refused (%d)", rc);
			return;
		}
	}
	mem_reply_progress(regs, txn);
	spmc_unlock(spmc, &mem->lock);
}

void spmc_mem_frag_tx(struct ffamed_spmc *spmc, struct ffamed_regs *regs)
{
	struct spmc_mem *mem = spmc->mem;
	uint64_t handle = (uint32_t)regs->x[1] | ((uint64_t)(uint32_t)regs->x[2] << 32);
	uint32_t len = (uint32_t)regs->x[3];
	uint32_t w4 = (uint32_t)regs->x[4];
	uint16_t endpoint = (uint16_t)(w4 >> 16);
	struct spmc_mem_txn *txn;
	uint8_t *buf = NULL;
	int32_t copy_rc = FFA_RET_INVALID_PARAMETERS;
	int32_t rc = FFA_RET_INVALID_PARAMETERS;

	if (len && !(w4 & 0xFFFFu) && spmc_regs_mbz(regs, true, 5, 7))
		copy_rc = mem_tx_copy(spmc, len, &buf);

	spmc_lock(spmc, &mem->lock);
	txn = spmc_mem_find(mem, handle);
	if (!txn || txn->complete) {
		/* Nothing being assembled under that handle: nothing to abort. */
		spmc_unlock(spmc, &mem->lock);
		spmc->env.free(spmc->env.ctx, buf);
		spmc_refuse(spmc, regs, FFA_RET_INVALID_PARAMETERS,
			    "spmc: FRAG_TX for handle %llx not being assembled",
			    (unsigned long long)handle);
		return;
	}
	/* From here on a bad fragment aborts the whole transaction. */
	if (copy_rc) {
		rc = copy_rc;
		goto abort;
	}
	if ((endpoint && endpoint != txn->sender) || len % SPMC_MEM_CONSTITUENT_SIZE ||
	    len > txn->total_len - txn->received)
		goto abort;
	if (txn->fragments >= mem->max_fragments) {
		rc = FFA_RET_NO_MEMORY;
		goto abort;
	}
	rc = mem_add_constituents(spmc, txn, buf, len);
	if (rc)
		goto abort;
	txn->received += len;
	txn->fragments++;
	if (txn->received == txn->total_len) {
		rc = mem_commit(spmc, txn);
		if (rc)
			goto abort;
	}
	mem_reply_progress(regs, txn);
	spmc_unlock(spmc, &mem->lock);
	spmc->env.free(spmc->env.ctx, buf);
	return;

abort:
	spmc_mem_txn_drop(spmc, txn);
	spmc_unlock(spmc, &mem->lock);
	spmc->env.free(spmc->env.ctx, buf);
	spmc_refuse(spmc, regs, rc, "spmc: FRAG_TX for %llx refused (%d): transaction aborted",
		    (unsigned long long)handle, rc);
}

void spmc_mem_reclaim(struct ffamed_spmc *spmc, struct ffamed_regs *regs)
{
	struct spmc_mem *mem = spmc->mem;
	uint64_t handle = (uint32_t)regs->x[1] | ((uint64_t)(uint32_t)regs->x[2] << 32);
	uint32_t flags = (uint32_t)regs->x[3];
	struct spmc_mem_txn *txn;
	int32_t rc = FFA_RET_INVALID_PARAMETERS;

	if ((flags & ~FFA_MEM_RECLAIM_FLAGS_MASK) || !spmc_regs_mbz(regs, true, 4, 7) ||
	    (handle & FFA_HANDLE_HYP_ALLOCATED)) {
		spmc_refuse(spmc, regs, rc, "spmc: RECLAIM %llx flags %x",
			    (unsigned long long)handle, flags);
		return;
	}
	spmc_lock(spmc, &mem->lock);
	txn = spmc_mem_find(mem, handle);
	if (!txn)
		goto refuse;
	if (txn->complete) {
		rc = FFA_RET_DENIED;
		for (uint32_t i = 0; i < txn->recv_count; i++)
			if (txn->recv[i].retrieved || txn->recv[i].resp)
				goto refuse;
		/* Zeroing on reclaim is the owner's to ask, a share's too (the
		 * ACS's reclaim_input_error_checks): no borrower holds it now. */
		if (flags & FFA_MEM_FLAG_ZERO_MEMORY)
			spmc_mem_txn_zero(spmc, txn);
	}
	/* A transaction still being assembled is aborted. */
	spmc_mem_txn_drop(spmc, txn);
	spmc_unlock(spmc, &mem->lock);
	ffa_set_success32(regs, 0, 0, 0);
	return;

refuse:
	spmc_unlock(spmc, &mem->lock);
	spmc_refuse(spmc, regs, rc, "spmc: RECLAIM %llx refused (%d)", (unsigned long long)handle,
		    rc);
}

/* ---- Retrieve responses ---------------------------------------------------- */

uint8_t *spmc_mem_resp_build(struct ffamed_spmc *spmc, const struct spmc_mem_txn *txn,
			     const struct spmc_mem_recv *recv, uint8_t perm, uint32_t version,
			     uint32_t *len)
{
	uint32_t n_emad = recv ? 1 : txn->recv_count;
	uint64_t comp_off =
		spmc_mem_hdr_size(version) + (uint64_t)n_emad * spmc_mem_emad_size(version);
	uint64_t total = comp_off + SPMC_MEM_COMPOSITE_SIZE +
			 (uint64_t)txn->range_count * SPMC_MEM_CONSTITUENT_SIZE;
	struct spmc_mem_hdr h = {
		.sender = txn->sender,
		.attributes = FFA_MEM_ATTR_NORMAL_WB_INNER,
		.flags = (txn->flags & FFA_MEM_FLAG_ZERO_MEMORY) | txn->type,
		.handle = txn->handle,
		.tag = txn->tag,
		.emad_count = n_emad,
	};
	struct ffa_mem_composite comp = {
		.total_page_count = (uint32_t)txn->total_pages,
		.constituent_count = txn->range_count,
	};
	uint8_t *buf;

	if (total > UINT32_MAX)
		return NULL;
	buf = spmc->env.alloc(spmc->env.ctx, (size_t)total);
	if (!buf)
		return NULL;
	if (version != FFA_VERSION_1_0)
		h.attributes |= FFA_MEM_ATTR_NS;
	spmc_mem_hdr_encode(buf, version, &h);
	for (uint32_t i = 0; i < n_emad; i++) {
		const struct spmc_mem_recv *r = recv ? recv : &txn->recv[i];
		struct spmc_mem_emad e = {
			.receiver = r->id,
			.perm = recv ? perm : r->perm,
			.composite_offset = (uint32_t)comp_off,
		};

		memcpy(e.impdef, r->impdef, sizeof(e.impdef));
		spmc_mem_emad_encode(buf, &h, version, i, &e);
	}
	memcpy(buf + comp_off, &comp, sizeof(comp));
	for (uint32_t i = 0; i < txn->range_count; i++) {
		struct ffa_mem_constituent c = {
			.address = txn->ranges[i].pa,
			.page_count = (uint32_t)txn->ranges[i].pages,
		};

		memcpy(buf + comp_off + SPMC_MEM_COMPOSITE_SIZE + (size_t)i * sizeof(c), &c,
		       sizeof(c));
	}
	*len = (uint32_t)total;
	return buf;
}

/* ---- Introspection ---------------------------------------------------------- */

uint32_t ffamed_spmc_mem_handle_count(struct ffamed_spmc *spmc)
{
	uint32_t n;

	spmc_lock(spmc, &spmc->mem->lock);
	n = spmc->mem->txn_count;
	spmc_unlock(spmc, &spmc->mem->lock);
	return n;
}

uint32_t ffamed_spmc_mem_retrieved(struct ffamed_spmc *spmc, uint64_t handle, uint16_t sp_id)
{
	struct spmc_mem_txn *txn;
	uint32_t n = 0;

	spmc_lock(spmc, &spmc->mem->lock);
	txn = spmc_mem_find(spmc->mem, handle);
	for (uint32_t i = 0; txn && i < txn->recv_count; i++)
		if (txn->recv[i].id == sp_id)
			n = txn->recv[i].retrieved;
	spmc_unlock(spmc, &spmc->mem->lock);
	return n;
}
