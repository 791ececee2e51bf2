/* SPDX-License-Identifier: MIT */
/*
 * RX/TX buffers.
 *
 * A VM's pair (FFA_RXTX_MAP/UNMAP, FFA_RX_RELEASE): pinned page by page,
 * mapped into the hypervisor, and forwarded to the SPMC when it maps VM
 * pairs (decided once: docs/REAL-FIRMWARE.md), after which the SPMC owns
 * the VM's RX while it is empty and the mediator must FFA_RX_ACQUIRE it
 * before writing. Everything about a VM's pair, and every use of its
 * contents, happens under vm->rxtx_lock, so a vCPU racing another through
 * map/unmap gets DENIED/BUSY/INVALID, never a buffer that is being unmapped.
 *
 * The mediator's own pair with the SPMC sits behind acquire/release helpers
 * (seed 004): the lock is held from acquire to release, contention waits,
 * and the RX release gives the buffer back to the firmware on every path.
 */
#include "med_internal.h"

/* ---- The mediator's pair with the SPMC ---------------------------------- */

size_t med_spmc_rxtx_size(const struct ffamed *med)
{
	return (size_t)med->spmc_rxtx_pages * FFA_PAGE_SIZE;
}

int32_t med_spmc_rxtx_init(struct ffamed *med)
{
	uint32_t n = med->cfg.spmc_rxtx_pages;
	uint64_t tx_pa = 0, rx_pa = 0;
	void *tx, *rx;
	int32_t rc;

	tx = med->ops->page_alloc(med->host, n, &tx_pa);
	if (!tx)
		return FFA_RET_NO_MEMORY;
	rx = med->ops->page_alloc(med->host, n, &rx_pa);
	if (!rx) {
		med->ops->page_free(med->host, tx, n);
		return FFA_RET_NO_MEMORY;
	}
	rc = med_fw_simple(med, FFA_RXTX_MAP_64, tx_pa, rx_pa, n, 0, 0, NULL);
	if (rc != FFA_RET_OK) {
		med_err(med, "ffamed: SPMC refused our RX/TX pair (%d): running without it",
			(int)rc);
		med->ops->page_free(med->host, rx, n);
		med->ops->page_free(med->host, tx, n);
		med->fw_version = 0;
		return FFA_RET_OK;
	}
	med->spmc_tx = tx;
	med->spmc_rx = rx;
	med->spmc_tx_pa = tx_pa;
	med->spmc_rx_pa = rx_pa;
	med->spmc_rxtx_pages = n;
	med->spmc_rxtx_mapped = true;
	return FFA_RET_OK;
}

void med_spmc_rxtx_fini(struct ffamed *med)
{
	int32_t rc;

	if (!med->spmc_tx)
		return;
	if (med->spmc_rxtx_mapped) {
		rc = med_fw_simple(med, FFA_RXTX_UNMAP, 0, 0, 0, 0, 0, NULL);
		if (rc != FFA_RET_OK)
			med_err(med, "ffamed: SPMC refused to unmap our RX/TX pair (%d)", (int)rc);
		med->spmc_rxtx_mapped = false;
	}
	med->ops->page_free(med->host, med->spmc_rx, med->spmc_rxtx_pages);
	med->ops->page_free(med->host, med->spmc_tx, med->spmc_rxtx_pages);
	med->spmc_rx = NULL;
	med->spmc_tx = NULL;
}

void *med_spmc_rx_acquire(struct ffamed *med)
{
	/* spmc_rx is fixed after create: no lock needed to test it. */
	if (!med->spmc_rx)
		return NULL;
	med_lock(med, &med->spmc_rx_lock);
	return med->spmc_rx;
}

void med_spmc_rx_release(struct ffamed *med, bool release_to_fw)
{
	int32_t rc;

	if (release_to_fw) {
		rc = med_fw_simple(med, FFA_RX_RELEASE, 0, 0, 0, 0, 0, NULL);
		if (rc != FFA_RET_OK)
			med_warn(med, "ffamed: FFA_RX_RELEASE of our RX failed (%d)", (int)rc);
	}
	med_unlock(med, &med->spmc_rx_lock);
}

void *med_spmc_tx_acquire(struct ffamed *med)
{
	if (!med->spmc_tx)
		return NULL;
	med_lock(med, &med->spmc_tx_lock);
	return med->spmc_tx;
}

void med_spmc_tx_release(struct ffamed *med)
{
	med_unlock(med, &med->spmc_tx_lock);
}

/* ---- Forwarding a VM's pair to the SPMC ----------------------------------- */

/* Physically contiguous runs in pa[0..n). */
static uint32_t med_pa_runs(const uint64_t *pa, uint32_t n)
{
	uint32_t runs = n ? 1 : 0;

	for (uint32_t i = 1; i < n; i++)
		if (pa[i] != pa[i - 1] + FFA_PAGE_SIZE)
			runs++;
	return runs;
}

/* Writes a composite descriptor for pa[0..n) at buf + off; returns its size. */
static size_t med_put_composite(uint8_t *buf, size_t off, const uint64_t *pa, uint32_t n,
				uint32_t runs)
{
	struct ffa_mem_composite comp = {
		.total_page_count = n,
		.constituent_count = runs,
	};
	size_t pos = off + sizeof(comp);

	memcpy(buf + off, &comp, sizeof(comp));
	for (uint32_t i = 0; i < n;) {
		struct ffa_mem_constituent c = {.address = pa[i], .page_count = 1};

		while (i + c.page_count < n &&
		       pa[i + c.page_count] == pa[i] + (uint64_t)c.page_count * FFA_PAGE_SIZE)
			c.page_count++;
		memcpy(buf + pos, &c, sizeof(c));
		pos += sizeof(c);
		i += c.page_count;
	}
	return pos - off;
}

/* Answers with which an SPMC says it does not map VMs' pairs at all: TF-A's
 * EL3 SPMC and OP-TEE both answer INVALID_PARAMETERS to the forwarded form
 * (its zero addresses and page count), the spec's answer is NOT_SUPPORTED. */
static bool med_rxtx_fwd_refusal(int32_t rc)
{
	return rc == FFA_RET_NOT_SUPPORTED || rc == FFA_RET_INVALID_PARAMETERS;
}

/*
 * The endpoint RX/TX descriptor (desc, RX composite, TX composite, all at
 * 8-byte aligned offsets) in our TX buffer, then FFA_RXTX_MAP(0, 0, 0).
 * Sets *forwarded when the SPMC mapped the pair. Until one forward was
 * answered, the answer decides for every VM: a refusal of the form keeps
 * this pair and every later one here (FFA_RET_OK, not forwarded). The
 * decision is made under the TX lock, which serialises forwards, so that
 * the SPMC hears the form once when it refuses it.
 */
static int32_t med_rxtx_forward_map(struct ffamed_vm *vm, bool *forwarded)
{
	struct ffamed *med = vm->med;
	const struct med_rxtx *b = &vm->rxtx;
	uint32_t rx_runs = med_pa_runs(b->rx_pa, b->page_count);
	uint32_t tx_runs = med_pa_runs(b->tx_pa, b->page_count);
	struct ffa_endpoint_rxtx_desc desc = {.endpoint_id = vm->id};
	size_t rx_len =
		sizeof(struct ffa_mem_composite) + rx_runs * sizeof(struct ffa_mem_constituent);
	size_t tx_len =
		sizeof(struct ffa_mem_composite) + tx_runs * sizeof(struct ffa_mem_constituent);
	uint32_t decided;
	uint8_t *buf;
	int32_t rc = FFA_RET_OK;

	*forwarded = false;
	/* Once refused, never again: no need to wait for the shared TX. */
	if (atomic_load_explicit(&med->vm_rxtx_fwd, memory_order_acquire) == MED_VM_RXTX_NO)
		return FFA_RET_OK;
	buf = med_spmc_tx_acquire(med);
	if (!buf)
		return FFA_RET_OK; /* no pair of our own: nothing to forward with */
	decided = atomic_load_explicit(&med->vm_rxtx_fwd, memory_order_relaxed);
	if (decided == MED_VM_RXTX_NO)
		goto out;
	if (sizeof(desc) + rx_len + tx_len > med_spmc_rxtx_size(med)) {
		rc = FFA_RET_NO_MEMORY;
		goto out;
	}
	desc.rx_region_offset = sizeof(desc);
	desc.tx_region_offset = (uint32_t)(sizeof(desc) + rx_len);
	memcpy(buf, &desc, sizeof(desc));
	med_put_composite(buf, desc.rx_region_offset, b->rx_pa, b->page_count, rx_runs);
	med_put_composite(buf, desc.tx_region_offset, b->tx_pa, b->page_count, tx_runs);
	rc = med_fw_simple(med, FFA_RXTX_MAP_64, 0, 0, 0, 0, 0, NULL);
	if (rc == FFA_RET_OK) {
		*forwarded = true;
		if (decided == MED_VM_RXTX_UNKNOWN)
			atomic_store_explicit(&med->vm_rxtx_fwd, MED_VM_RXTX_YES,
					      memory_order_release);
	} else if (decided == MED_VM_RXTX_UNKNOWN && med_rxtx_fwd_refusal(rc)) {
		atomic_store_explicit(&med->vm_rxtx_fwd, MED_VM_RXTX_NO, memory_order_release);
		med_info(med, "ffamed: the SPMC does not map VM RX/TX pairs (%d): kept here",
			 (int)rc);
		rc = FFA_RET_OK;
	}
out:
	med_spmc_tx_release(med);
	return rc;
}

static int32_t med_rxtx_forward_unmap(struct ffamed_vm *vm)
{
	return med_fw_simple(vm->med, FFA_RXTX_UNMAP, (uint64_t)vm->id << 16, 0, 0, 0, 0, NULL);
}

/* ---- A VM's pair ------------------------------------------------------------ */

static void med_unpin_all(struct ffamed_vm *vm, const uint64_t *pa, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		vm->med->ops->guest_page_unpin(vm->med->host, vm->host_vm, pa[i]);
}

static void med_rxtx_release_pages(struct ffamed_vm *vm)
{
	struct ffamed *med = vm->med;
	struct med_rxtx *b = &vm->rxtx;

	med->ops->unmap_pages(med->host, b->rx, b->page_count);
	med->ops->unmap_pages(med->host, b->tx, b->page_count);
	med_unpin_all(vm, b->rx_pa, b->page_count);
	med_unpin_all(vm, b->tx_pa, b->page_count);
	b->rx = NULL;
	b->tx = NULL;
	b->mapped = false;
	b->forwarded = false;
	b->page_count = 0;
	b->rx_owner = MED_RX_PRODUCER;
}

/* Pins, maps and forwards; on any failure everything done is undone. */
static int32_t med_rxtx_setup(struct ffamed_vm *vm, uint64_t tx_ipa, uint64_t rx_ipa, uint32_t n)
{
	struct ffamed *med = vm->med;
	struct med_rxtx *b = &vm->rxtx;
	uint32_t tx_pinned = 0, rx_pinned = 0;
	int32_t rc;

	for (; tx_pinned < n; tx_pinned++) {
		rc = med->ops->guest_page_pin(med->host, vm->host_vm,
					      tx_ipa + (uint64_t)tx_pinned * FFA_PAGE_SIZE, false,
					      &b->tx_pa[tx_pinned]);
		if (rc != FFA_RET_OK)
			goto err;
	}
	for (; rx_pinned < n; rx_pinned++) {
		rc = med->ops->guest_page_pin(med->host, vm->host_vm,
					      rx_ipa + (uint64_t)rx_pinned * FFA_PAGE_SIZE, true,
					      &b->rx_pa[rx_pinned]);
		if (rc != FFA_RET_OK)
			goto err;
	}
	rc = FFA_RET_NO_MEMORY;
	b->tx = med->ops->map_pages(med->host, b->tx_pa, n);
	if (!b->tx)
		goto err;
	b->rx = med->ops->map_pages(med->host, b->rx_pa, n);
	if (!b->rx)
		goto err;
	b->page_count = n;

	b->forwarded = false;
	if (med_version_at_least(med->fw_version, FFA_VERSION_1_1) &&
	    med_vm_rxtx_forwardable(med)) {
		rc = med_rxtx_forward_map(vm, &b->forwarded);
		if (rc != FFA_RET_OK) {
			med_debug(med, "ffamed: VM %x: SPMC refused its RX/TX pair (%d)",
				  (unsigned)vm->id, (int)rc);
			goto err;
		}
	}
	b->rx_owner = MED_RX_PRODUCER;
	b->mapped = true;
	return FFA_RET_OK;

err:
	if (b->rx)
		med->ops->unmap_pages(med->host, b->rx, n);
	if (b->tx)
		med->ops->unmap_pages(med->host, b->tx, n);
	b->rx = NULL;
	b->tx = NULL;
	b->page_count = 0;
	med_unpin_all(vm, b->rx_pa, rx_pinned);
	med_unpin_all(vm, b->tx_pa, tx_pinned);
	return rc;
}

med_status med_handle_rxtx_map(struct med_call *call)
{
	struct ffamed_vm *vm = call->vm;
	struct ffamed *med = vm->med;
	struct ffamed_regs *regs = call->regs;
	/* The 32-bit form's arguments were masked to their low words. */
	uint64_t tx_ipa = regs->x[1];
	uint64_t rx_ipa = regs->x[2];
	uint64_t pages = regs->x[3];
	uint64_t size;
	med_status rc;

	if (pages == 0 || pages > med->cfg.rxtx_max_pages)
		MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS,
			   "page count 0 or above rxtx_max_pages");
	size = pages * FFA_PAGE_SIZE;
	if (!tx_ipa || !rx_ipa || ((tx_ipa | rx_ipa) & (FFA_PAGE_SIZE - 1)) ||
	    tx_ipa > UINT64_MAX - size || rx_ipa > UINT64_MAX - size)
		MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS,
			   "buffer address 0, unaligned or wraps");
	if (tx_ipa < rx_ipa + size && rx_ipa < tx_ipa + size)
		MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS, "TX and RX overlap");

	med_lock(med, &vm->rxtx_lock);
	/* Pages the VM shared, lent or donated cannot become its buffers:
	 * the mediator (and the SPMC) would write memory others hold. They
	 * are not memory the caller may give as buffers: INVALID_PARAMETERS,
	 * as Hafnium answers. The send side refuses the converse (med_mem.c),
	 * under the same lock. */
	if (vm->rxtx.mapped) {
		rc = MED_REFUSAL(call, FFA_RET_DENIED, "buffers already mapped");
	} else if (med_mem_pages_in_use(vm, tx_ipa, pages) ||
		   med_mem_pages_in_use(vm, rx_ipa, pages)) {
		rc = MED_REFUSAL(call, FFA_RET_INVALID_PARAMETERS,
				 "buffer pages are shared, lent or donated");
	} else {
		rc = med_rxtx_setup(vm, tx_ipa, rx_ipa, (uint32_t)pages);
		if (rc != FFA_RET_OK)
			rc = MED_REFUSAL(call, rc,
					 "pinning, mapping or forwarding the pair failed");
	}
	if (rc == FFA_RET_OK) {
		vm->rxtx.tx_ipa = tx_ipa;
		vm->rxtx.rx_ipa = rx_ipa;
	}
	med_unlock(med, &vm->rxtx_lock);
	if (rc != FFA_RET_OK)
		return rc;
	ffa_set_success32(regs, 0, 0, 0);
	return FFA_RET_OK;
}

med_status med_handle_rxtx_unmap(struct med_call *call)
{
	struct ffamed_vm *vm = call->vm;
	struct ffamed *med = vm->med;
	struct med_rxtx *b = &vm->rxtx;
	med_status rc = FFA_RET_OK;

	/* The endpoint ID field is for the hypervisor to fill, not a guest. */
	if (call->regs->x[1])
		MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS, "endpoint ID field not zero");
	med_lock(med, &vm->rxtx_lock);
	if (!b->mapped) {
		rc = MED_REFUSAL(call, FFA_RET_INVALID_PARAMETERS, "no buffers mapped");
	} else if (b->rx_owner == MED_RX_GUEST) {
		/*
		 * The guest still holds a full RX it has not released. We refuse
		 * rather than drop it: with a forwarded pair the SPMC also counts
		 * that RX as handed to the normal world, and a release-then-unmap
		 * order keeps both views in step (it is what Linux does).
		 */
		rc = MED_REFUSAL(call, FFA_RET_DENIED, "RX still held by the guest");
	} else if (b->forwarded) {
		rc = med_rxtx_forward_unmap(vm);
		if (rc != FFA_RET_OK)
			rc = MED_REFUSAL(call, rc, "the SPMC refused the unmap");
	}
	if (rc == FFA_RET_OK)
		med_rxtx_release_pages(vm);
	med_unlock(med, &vm->rxtx_lock);
	if (rc != FFA_RET_OK)
		return rc;
	ffa_set_success32(call->regs, 0, 0, 0);
	return FFA_RET_OK;
}

int32_t med_vm_rx_release(struct ffamed_vm *vm, bool ask_spmc)
{
	struct ffamed *med = vm->med;
	struct med_rxtx *b = &vm->rxtx;
	int32_t rc = FFA_RET_OK;

	med_lock(med, &vm->rxtx_lock);
	if (!b->mapped || (b->rx_owner != MED_RX_GUEST && !(b->forwarded && ask_spmc))) {
		rc = FFA_RET_DENIED;
	} else if (b->forwarded) {
		/*
		 * Ownership goes back to the SPMC, the producer of a forwarded
		 * RX. Forwarded even when we believe the RX empty: the SPMC may
		 * have filled it (an SP's FFA_MSG_SEND2) before the guest's GET
		 * told us, and it knows; it answers DENIED otherwise.
		 */
		rc = med_fw_simple(med, FFA_RX_RELEASE, vm->id, 0, 0, 0, 0, NULL);
		if (rc == FFA_RET_DENIED && b->rx_owner == MED_RX_GUEST) {
			/*
			 * The SPMC holds the RX empty: our GUEST was stale (a
			 * GET marks it after the SPMC's answer, and another
			 * vCPU's release can come in between). Believe the
			 * producer, or the VM could never receive nor unmap.
			 */
			med_debug(med, "ffamed: VM %x: RX_RELEASE: the SPMC holds the RX",
				  (unsigned)vm->id);
			b->rx_owner = MED_RX_PRODUCER;
		} else if (rc != FFA_RET_OK && b->rx_owner == MED_RX_GUEST) {
			med_warn_guest(med, "ffamed: VM %x: SPMC refused RX_RELEASE (%d)",
				       (unsigned)vm->id, (int)rc);
		}
	}
	if (rc == FFA_RET_OK) {
		b->rx_owner = MED_RX_PRODUCER;
		/* Under the RX lock, so that no new message's bit is cleared. */
		med_notif_local_clear_fwk(vm, FFA_FWK_NOTIF_RX_FULL);
	}
	med_unlock(med, &vm->rxtx_lock);
	return rc;
}

void med_vm_rx_filled_by_spmc(struct ffamed_vm *vm)
{
	med_lock(vm->med, &vm->rxtx_lock);
	if (vm->rxtx.mapped && vm->rxtx.forwarded)
		vm->rxtx.rx_owner = MED_RX_GUEST;
	med_unlock(vm->med, &vm->rxtx_lock);
}

med_status med_handle_rx_release(struct med_call *call)
{
	med_status rc;

	if (call->regs->x[1]) /* the VM ID field is the hypervisor's */
		MED_REFUSE(call, FFA_RET_INVALID_PARAMETERS, "VM ID field not zero");
	rc = med_vm_rx_release(call->vm, true);
	if (rc != FFA_RET_OK)
		MED_REFUSE(call, rc, "RX not held by the guest, or the SPMC refused");
	ffa_set_success32(call->regs, 0, 0, 0);
	return FFA_RET_OK;
}

int32_t med_vm_rx_acquire(struct ffamed_vm *vm, void **buf, size_t *size)
{
	struct med_rxtx *b = &vm->rxtx;
	int32_t rc;

	if (!b->mapped || b->rx_owner != MED_RX_PRODUCER)
		return FFA_RET_BUSY;
	if (b->forwarded) {
		rc = med_fw_simple(vm->med, FFA_RX_ACQUIRE, vm->id, 0, 0, 0, 0, NULL);
		if (rc != FFA_RET_OK) {
			/* The SPMC delivered something there first. */
			med_debug(vm->med, "ffamed: VM %x: RX_ACQUIRE: %d", (unsigned)vm->id,
				  (int)rc);
			return FFA_RET_BUSY;
		}
	}
	*buf = b->rx;
	*size = (size_t)b->page_count * FFA_PAGE_SIZE;
	return FFA_RET_OK;
}

void med_vm_rx_give_to_guest(struct ffamed_vm *vm)
{
	vm->rxtx.rx_owner = MED_RX_GUEST;
}

void med_vm_rx_put_back(struct ffamed_vm *vm)
{
	int32_t rc;

	if (!vm->rxtx.forwarded)
		return;
	rc = med_fw_simple(vm->med, FFA_RX_RELEASE, vm->id, 0, 0, 0, 0, NULL);
	if (rc != FFA_RET_OK)
		med_warn(vm->med, "ffamed: VM %x: RX_RELEASE after acquire failed (%d)",
			 (unsigned)vm->id, (int)rc);
}

/*
 * The SPMC refused to forget a VM's buffers at teardown, so it may still
 * write the RX pages: they must not go back to the host for reuse. Drop our
 * mappings but keep the pins, and keep the host VM alive with a reference
 * that is never dropped. A leak, deliberately: memory corruption of whoever
 * got the pages next would be worse.
 */
static void med_rxtx_quarantine_pages(struct ffamed_vm *vm, int32_t rc)
{
	struct ffamed *med = vm->med;
	struct med_rxtx *b = &vm->rxtx;

	med_err(med,
		"ffamed: VM %x: SPMC refused RXTX_UNMAP at teardown (%d): %u pages stay pinned",
		(unsigned)vm->id, (int)rc, (unsigned)(2 * b->page_count));
	med->ops->unmap_pages(med->host, b->rx, b->page_count);
	med->ops->unmap_pages(med->host, b->tx, b->page_count);
	med->ops->vm_get(med->host, vm->host_vm);
	b->rx = NULL;
	b->tx = NULL;
	b->mapped = false;
	b->forwarded = false;
	b->page_count = 0;
}

void med_vm_rxtx_teardown(struct ffamed_vm *vm)
{
	struct ffamed *med = vm->med;
	int32_t rc;

	med_lock(med, &vm->rxtx_lock);
	if (vm->rxtx.mapped) {
		if (vm->rxtx.forwarded) {
			rc = med_rxtx_forward_unmap(vm);
			if (rc != FFA_RET_OK) {
				med_rxtx_quarantine_pages(vm, rc);
				goto out;
			}
		}
		med_rxtx_release_pages(vm);
	}
out:
	med_unlock(med, &vm->rxtx_lock);
}
