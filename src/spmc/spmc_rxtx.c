/* SPDX-License-Identifier: MIT */
/*
 * RX/TX buffers: the hypervisor's own pair, and the pairs it forwards on
 * behalf of its VMs (FFA_RXTX_MAP with w1 = w2 = w3 = 0 and an endpoint
 * RX/TX descriptor in the hypervisor's TX buffer), with the ownership of
 * each RX buffer (FFA_RX_RELEASE, FFA_RX_ACQUIRE).
 *
 * No buffer page may belong to two pairs at once: a real SPMC maps each
 * page once in its own tables and refuses a second claim on it.
 */
#include "spmc_base.h"
#include "spmc_notif.h"
#include "spmc_persona.h"
#include "spmc_rxtx.h"

#define PAGE_MASK ((uint64_t)FFA_PAGE_SIZE - 1)

int32_t spmc_rxtx_init(struct ffamed_spmc *spmc)
{
	const struct ffamed_spmc_env *env = &spmc->env;
	size_t per_vm = (size_t)spmc->rxtx_max_pages * 2;

	if (spmc->max_vms > 0x7FFFu || spmc->rxtx_max_pages == 0)
		return FFA_RET_INVALID_PARAMETERS;
	spmc->vms = env->alloc(env->ctx, sizeof(*spmc->vms) * spmc->max_vms);
	spmc->vm_page_store =
		env->alloc(env->ctx, sizeof(*spmc->vm_page_store) * per_vm * spmc->max_vms);
	if (!spmc->vms || !spmc->vm_page_store)
		return FFA_RET_NO_MEMORY;
	for (uint32_t i = 0; i < spmc->max_vms; i++) {
		spmc->vms[i].rx_pages = spmc->vm_page_store + per_vm * i;
		spmc->vms[i].tx_pages = spmc->vms[i].rx_pages + spmc->rxtx_max_pages;
	}
	return FFA_RET_OK;
}

void spmc_rxtx_fini(struct ffamed_spmc *spmc)
{
	spmc->env.free(spmc->env.ctx, spmc->vms);
	spmc->env.free(spmc->env.ctx, spmc->vm_page_store);
	spmc->vms = NULL;
	spmc->vm_page_store = NULL;
}

/* ---- Page bookkeeping (mbox_lock held) -------------------------------------- */

static bool range_has_page(uint64_t base, uint32_t pages, uint64_t page)
{
	return page >= base && (page - base) / FFA_PAGE_SIZE < pages;
}

/* Whether `page` belongs to any mapped pair other than VM slot `skip`. */
static bool spmc_page_in_use(const struct ffamed_spmc *spmc, uint64_t page,
			     const struct spmc_vm_mailbox *skip)
{
	const struct spmc_hyp_mailbox *hyp = &spmc->hyp;

	if (hyp->mapped && (range_has_page(hyp->tx_pa, hyp->page_count, page) ||
			    range_has_page(hyp->rx_pa, hyp->page_count, page)))
		return true;
	for (uint32_t i = 0; i < spmc->max_vms; i++) {
		const struct spmc_vm_mailbox *mb = &spmc->vms[i];

		if (!mb->mapped || mb == skip)
			continue;
		for (uint32_t p = 0; p < mb->page_count; p++)
			if (mb->rx_pages[p] == page || mb->tx_pages[p] == page)
				return true;
	}
	return false;
}

static bool spmc_range_in_use(const struct ffamed_spmc *spmc, uint64_t base, uint32_t pages)
{
	for (uint32_t p = 0; p < pages; p++)
		if (spmc_page_in_use(spmc, base + (uint64_t)p * FFA_PAGE_SIZE, NULL))
			return true;
	return false;
}

struct spmc_vm_mailbox *spmc_rxtx_vm_find(struct ffamed_spmc *spmc, uint16_t vm_id)
{
	for (uint32_t i = 0; i < spmc->max_vms; i++)
		if (spmc->vms[i].mapped && spmc->vms[i].vm_id == vm_id)
			return &spmc->vms[i];
	return NULL;
}

/* A page-aligned range of NS RAM whose end does not wrap. */
static bool spmc_ns_ram(struct ffamed_spmc *spmc, uint64_t pa, uint64_t pages)
{
	uint64_t len = pages * FFA_PAGE_SIZE;

	if ((pa & PAGE_MASK) || pa + len < pa || len > SIZE_MAX)
		return false;
	return spmc->env.pa_map(spmc->env.ctx, pa, (size_t)len) != NULL;
}

/* ---- The hypervisor's own pair ------------------------------------------- */

static void spmc_map_hyp(struct ffamed_spmc *spmc, struct ffamed_regs *regs, uint64_t tx,
			 uint64_t rx, uint64_t pages)
{
	struct spmc_hyp_mailbox *hyp = &spmc->hyp;
	uint64_t len;
	void *tx_va;
	void *rx_va;
	int32_t err = FFA_RET_INVALID_PARAMETERS;

	if (!tx || !rx || pages == 0 || pages > spmc->rxtx_max_pages) {
		spmc_refuse(spmc, regs, err, "spmc: RXTX_MAP tx %lx rx %lx pages %lx",
			    (unsigned long)tx, (unsigned long)rx, (unsigned long)pages);
		return;
	}
	len = pages * FFA_PAGE_SIZE;
	if (!spmc_ns_ram(spmc, tx, pages) || !spmc_ns_ram(spmc, rx, pages)) {
		spmc_refuse(spmc, regs, err, "spmc: RXTX_MAP buffers unaligned or not NS RAM");
		return;
	}
	if (tx < rx + len && rx < tx + len) {
		spmc_refuse(spmc, regs, err, "spmc: RXTX_MAP TX and RX overlap");
		return;
	}
	tx_va = spmc->env.pa_map(spmc->env.ctx, tx, (size_t)len);
	rx_va = spmc->env.pa_map(spmc->env.ctx, rx, (size_t)len);

	spmc_lock(spmc, &spmc->mbox_lock);
	if (hyp->mapped) {
		err = FFA_RET_DENIED;
		goto refuse;
	}
	if (spmc_range_in_use(spmc, tx, (uint32_t)pages) ||
	    spmc_range_in_use(spmc, rx, (uint32_t)pages))
		goto refuse;
	hyp->mapped = true;
	hyp->tx_pa = tx;
	hyp->rx_pa = rx;
	hyp->page_count = (uint32_t)pages;
	hyp->tx = tx_va;
	hyp->rx = rx_va;
	hyp->rx_owner = FFAMED_SPMC_RX_OWNER_SPMC;
	spmc_unlock(spmc, &spmc->mbox_lock);
	ffa_set_success32(regs, 0, 0, 0);
	return;

refuse:
	spmc_unlock(spmc, &spmc->mbox_lock);
	spmc_refuse(spmc, regs, err, "spmc: RXTX_MAP already mapped or pages in use");
}

/* ---- Pairs forwarded on behalf of VMs --------------------------------------- */

/* Copies `len` bytes at `off` of the hypervisor's TX buffer, if inside. */
static bool spmc_tx_read(const struct spmc_hyp_mailbox *hyp, uint64_t off, void *dst, size_t len)
{
	uint64_t size = (uint64_t)hyp->page_count * FFA_PAGE_SIZE;

	if (off > size || len > size - off)
		return false;
	memcpy(dst, hyp->tx + off, len);
	return true;
}

/*
 * Reads the composite descriptor at `off` of the hypervisor's TX buffer into
 * a list of page PAs (at most rxtx_max_pages). Returns the page count, or 0
 * when the descriptor is malformed.
 */
static uint32_t spmc_parse_composite(struct ffamed_spmc *spmc, uint64_t off, uint64_t *pages)
{
	struct ffa_mem_composite comp;
	uint32_t total = 0;

	if (off < sizeof(struct ffa_endpoint_rxtx_desc) || (off & 7) ||
	    !spmc_tx_read(&spmc->hyp, off, &comp, sizeof(comp)))
		return 0;
	if (comp.reserved || comp.total_page_count == 0 ||
	    comp.total_page_count > spmc->rxtx_max_pages || comp.constituent_count == 0 ||
	    comp.constituent_count > comp.total_page_count)
		return 0;
	for (uint32_t i = 0; i < comp.constituent_count; i++) {
		struct ffa_mem_constituent c;
		uint64_t c_off = off + sizeof(comp) + (uint64_t)i * sizeof(c);

		if (!spmc_tx_read(&spmc->hyp, c_off, &c, sizeof(c)))
			return 0;
		if (c.reserved || c.page_count == 0 ||
		    c.page_count > comp.total_page_count - total ||
		    !spmc_ns_ram(spmc, c.address, c.page_count))
			return 0;
		for (uint32_t p = 0; p < c.page_count; p++)
			pages[total++] = c.address + (uint64_t)p * FFA_PAGE_SIZE;
	}
	return total == comp.total_page_count ? total : 0;
}

/* No page twice within the pair, none owned by another pair. */
static bool spmc_vm_pages_free(const struct ffamed_spmc *spmc, const struct spmc_vm_mailbox *mb)
{
	uint32_t n = mb->page_count;

	for (uint32_t i = 0; i < 2 * n; i++) {
		uint64_t a = i < n ? mb->rx_pages[i] : mb->tx_pages[i - n];

		for (uint32_t j = i + 1; j < 2 * n; j++) {
			uint64_t b = j < n ? mb->rx_pages[j] : mb->tx_pages[j - n];

			if (a == b)
				return false;
		}
		if (spmc_page_in_use(spmc, a, mb))
			return false;
	}
	return true;
}

static void spmc_map_vm(struct ffamed_spmc *spmc, struct ffamed_regs *regs)
{
	struct ffa_endpoint_rxtx_desc desc;
	struct spmc_vm_mailbox *mb = NULL;
	uint32_t rx_count;
	uint32_t tx_count;
	int32_t err = FFA_RET_INVALID_PARAMETERS;
	const char *why;

	if (spmc_faults(spmc).no_vm_rxtx) {
		spmc_refuse(spmc, regs, FFA_RET_NOT_SUPPORTED, "spmc: forwarded RXTX_MAP (fault)");
		return;
	}
	err = spmc_persona_vm_rxtx_refusal(spmc);
	if (err) {
		spmc_refuse(spmc, regs, err, "spmc(%s): forwarded RXTX_MAP",
			    ffamed_spmc_personality_name(spmc->persona));
		return;
	}
	err = FFA_RET_INVALID_PARAMETERS;
	spmc_lock(spmc, &spmc->mbox_lock);
	why = "hypervisor TX buffer not mapped";
	if (!spmc->hyp.mapped) {
		err = FFA_RET_DENIED;
		goto refuse;
	}
	/* The hypervisor may rewrite its TX buffer meanwhile: work on copies. */
	why = "endpoint RX/TX descriptor outside the TX buffer";
	if (!spmc_tx_read(&spmc->hyp, 0, &desc, sizeof(desc)))
		goto refuse;
	why = "bad VM ID in the endpoint RX/TX descriptor";
	if (desc.endpoint_id == 0 || FFA_ID_IS_SECURE(desc.endpoint_id) || desc.reserved)
		goto refuse;
	why = "VM pair already mapped";
	if (spmc_rxtx_vm_find(spmc, desc.endpoint_id)) {
		err = FFA_RET_DENIED;
		goto refuse;
	}
	for (uint32_t i = 0; i < spmc->max_vms && !mb; i++)
		if (!spmc->vms[i].mapped)
			mb = &spmc->vms[i];
	why = "no VM mailbox slot left";
	if (!mb) {
		err = FFA_RET_NO_MEMORY;
		goto refuse;
	}
	rx_count = spmc_parse_composite(spmc, desc.rx_region_offset, mb->rx_pages);
	tx_count = spmc_parse_composite(spmc, desc.tx_region_offset, mb->tx_pages);
	why = "bad composite descriptor or RX/TX sizes differ";
	if (!rx_count || rx_count != tx_count)
		goto refuse;
	mb->page_count = rx_count;
	why = "VM buffer pages overlap or are in use";
	if (!spmc_vm_pages_free(spmc, mb))
		goto refuse;
	mb->vm_id = desc.endpoint_id;
	mb->rx_owner = FFAMED_SPMC_RX_OWNER_SPMC;
	mb->mapped = true;
	spmc->vm_mapped_count++;
	spmc_unlock(spmc, &spmc->mbox_lock);
	ffa_set_success32(regs, 0, 0, 0);
	return;

refuse:
	if (mb)
		mb->page_count = 0;
	spmc_unlock(spmc, &spmc->mbox_lock);
	spmc_refuse(spmc, regs, err, "spmc: forwarded RXTX_MAP: %s", why);
}

void spmc_rxtx_map(struct ffamed_spmc *spmc, struct ffamed_regs *regs, bool is32)
{
	uint64_t tx = is32 ? (uint32_t)regs->x[1] : regs->x[1];
	uint64_t rx = is32 ? (uint32_t)regs->x[2] : regs->x[2];
	uint64_t pages = is32 ? (uint32_t)regs->x[3] : regs->x[3];

	if (!spmc_regs_mbz(regs, is32, 4, 7)) {
		spmc_refuse(spmc, regs, FFA_RET_INVALID_PARAMETERS, "spmc: RXTX_MAP w4-w7 MBZ");
		return;
	}
	if (!tx && !rx && !pages)
		spmc_map_vm(spmc, regs);
	else
		spmc_map_hyp(spmc, regs, tx, rx, pages);
}

/* ---- Unmap, release, acquire ------------------------------------------------ */

void spmc_rxtx_unmap(struct ffamed_spmc *spmc, struct ffamed_regs *regs)
{
	uint32_t w1 = (uint32_t)regs->x[1];
	uint16_t id = FFA_RXTX_UNMAP_ID(w1);
	struct spmc_vm_mailbox *mb;

	if ((w1 & 0xFFFFu) || !spmc_regs_mbz(regs, true, 2, 7)) {
		spmc_refuse(spmc, regs, FFA_RET_INVALID_PARAMETERS, "spmc: RXTX_UNMAP MBZ bits");
		return;
	}
	spmc_lock(spmc, &spmc->mbox_lock);
	if (id == FFA_HYP_ID) {
		if (!spmc->hyp.mapped)
			goto not_mapped;
		spmc->hyp = (struct spmc_hyp_mailbox){0};
	} else {
		mb = spmc_rxtx_vm_find(spmc, id);
		if (!mb)
			goto not_mapped;
		mb->mapped = false;
		mb->page_count = 0;
		spmc->vm_mapped_count--;
		/* A message an SP left there goes with the buffer. */
		spmc_notif_fwk_update(spmc, id, FFA_FWK_NOTIF_RX_FULL, false);
	}
	spmc_unlock(spmc, &spmc->mbox_lock);
	ffa_set_success32(regs, 0, 0, 0);
	return;

not_mapped:
	spmc_unlock(spmc, &spmc->mbox_lock);
	spmc_refuse(spmc, regs, FFA_RET_INVALID_PARAMETERS, "spmc: RXTX_UNMAP(%x): not mapped", id);
}

void spmc_rx_release(struct ffamed_spmc *spmc, struct ffamed_regs *regs)
{
	uint32_t w1 = (uint32_t)regs->x[1];
	uint16_t id = FFA_RX_VM_ID(w1);
	enum ffamed_spmc_rx_owner *owner;
	int32_t err = FFA_RET_DENIED;

	if ((w1 >> 16) || !spmc_regs_mbz(regs, true, 2, 7) || FFA_ID_IS_SECURE(id)) {
		spmc_refuse(spmc, regs, FFA_RET_INVALID_PARAMETERS, "spmc: RX_RELEASE bad w1-w7");
		return;
	}
	spmc_lock(spmc, &spmc->mbox_lock);
	if (id == FFA_HYP_ID) {
		/* Unmapped: there is nothing the hypervisor could own. */
		if (!spmc->hyp.mapped)
			goto refuse;
		owner = &spmc->hyp.rx_owner;
	} else {
		struct spmc_vm_mailbox *mb = spmc_rxtx_vm_find(spmc, id);

		if (!mb) {
			err = FFA_RET_INVALID_PARAMETERS;
			goto refuse;
		}
		owner = &mb->rx_owner;
	}
	if (*owner != FFAMED_SPMC_RX_OWNER_NWD)
		goto refuse;
	*owner = FFAMED_SPMC_RX_OWNER_SPMC;
	/* The buffer is empty again: an RX-full notification would lie. */
	if (id != FFA_HYP_ID)
		spmc_notif_fwk_update(spmc, id, FFA_FWK_NOTIF_RX_FULL, false);
	spmc_unlock(spmc, &spmc->mbox_lock);
	ffa_set_success32(regs, 0, 0, 0);
	return;

refuse:
	spmc_unlock(spmc, &spmc->mbox_lock);
	spmc_refuse(spmc, regs, err, "spmc: RX_RELEASE(%x): not mapped or not owned", id);
}

void spmc_rx_acquire(struct ffamed_spmc *spmc, struct ffamed_regs *regs)
{
	uint32_t w1 = (uint32_t)regs->x[1];
	uint16_t id = FFA_RX_VM_ID(w1);
	struct spmc_vm_mailbox *mb;
	int32_t err = FFA_RET_INVALID_PARAMETERS;

	if ((w1 >> 16) || !spmc_regs_mbz(regs, true, 2, 7) || id == FFA_HYP_ID ||
	    FFA_ID_IS_SECURE(id)) {
		spmc_refuse(spmc, regs, err, "spmc: RX_ACQUIRE bad w1-w7");
		return;
	}
	spmc_lock(spmc, &spmc->mbox_lock);
	mb = spmc_rxtx_vm_find(spmc, id);
	if (!mb)
		goto refuse;
	if (mb->rx_owner != FFAMED_SPMC_RX_OWNER_SPMC) {
		err = FFA_RET_DENIED;
		goto refuse;
	}
	mb->rx_owner = FFAMED_SPMC_RX_OWNER_NWD;
	spmc_unlock(spmc, &spmc->mbox_lock);
	ffa_set_success32(regs, 0, 0, 0);
	return;

refuse:
	spmc_unlock(spmc, &spmc->mbox_lock);
	spmc_refuse(spmc, regs, err, "spmc: RX_ACQUIRE(%x): not mapped or not ours", id);
}

/* ---- Introspection ----------------------------------------------------------- */

enum ffamed_spmc_rx_owner ffamed_spmc_hyp_rx_owner(struct ffamed_spmc *spmc)
{
	enum ffamed_spmc_rx_owner owner;

	spmc_lock(spmc, &spmc->mbox_lock);
	owner = spmc->hyp.mapped ? spmc->hyp.rx_owner : FFAMED_SPMC_RX_UNMAPPED;
	spmc_unlock(spmc, &spmc->mbox_lock);
	return owner;
}

enum ffamed_spmc_rx_owner ffamed_spmc_vm_rx_owner(struct ffamed_spmc *spmc, uint16_t vm_id)
{
	enum ffamed_spmc_rx_owner owner = FFAMED_SPMC_RX_UNMAPPED;
	const struct spmc_vm_mailbox *mb;

	spmc_lock(spmc, &spmc->mbox_lock);
	mb = spmc_rxtx_vm_find(spmc, vm_id);
	if (mb)
		owner = mb->rx_owner;
	spmc_unlock(spmc, &spmc->mbox_lock);
	return owner;
}

uint32_t ffamed_spmc_vm_mailbox(struct ffamed_spmc *spmc, uint16_t vm_id, uint64_t *rx_pages,
				uint64_t *tx_pages, uint32_t max)
{
	const struct spmc_vm_mailbox *mb;
	uint32_t n = 0;

	spmc_lock(spmc, &spmc->mbox_lock);
	mb = spmc_rxtx_vm_find(spmc, vm_id);
	if (mb) {
		n = mb->page_count;
		for (uint32_t i = 0; i < n && i < max; i++) {
			if (rx_pages)
				rx_pages[i] = mb->rx_pages[i];
			if (tx_pages)
				tx_pages[i] = mb->tx_pages[i];
		}
	}
	spmc_unlock(spmc, &spmc->mbox_lock);
	return n;
}

uint32_t ffamed_spmc_vm_mailbox_count(struct ffamed_spmc *spmc)
{
	uint32_t n;

	spmc_lock(spmc, &spmc->mbox_lock);
	n = spmc->vm_mapped_count;
	spmc_unlock(spmc, &spmc->mbox_lock);
	return n;
}
