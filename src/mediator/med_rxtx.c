/* SPDX-License-Identifier: MIT */
/*
 * A VM's RX/TX pair: the FFA_RXTX_MAP/UNMAP and FFA_RX_RELEASE handlers and
 * the pair's teardown. The pages are pinned one by one, mapped into the
 * hypervisor, and forwarded to the SPMC when it maps VM
 * pairs (decided once: docs/REAL-FIRMWARE.md), after which the SPMC owns
 * the VM's RX while it is empty and the mediator must FFA_RX_ACQUIRE it
 * before writing. Everything about a VM's pair, and every use of its
 * contents, happens under vm->rxtx_lock, so a vCPU racing another through
 * map/unmap gets DENIED/BUSY/INVALID, never a buffer that is being unmapped.
 *
 * Who owns the RX is med_rx_owner.c; the mediator's own pair with the SPMC
 * is med_spmc_rxtx.c.
 */
#include "med_host.h"
#include "med_internal.h"
#include "med_lock.h"
#include "med_log.h"
#include "med_mem.h"
#include "med_rx_owner.h"
#include "med_rxtx.h"
#include "med_spmc_rxtx.h"
#include "med_version.h"

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

void med_rxtx_vm_teardown(struct ffamed_vm *vm)
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
