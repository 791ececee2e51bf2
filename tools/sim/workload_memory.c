/* SPDX-License-Identifier: MIT */
/*
 * The memory part of the `ffamed sim` workload:
 *   - every vCPU shares (even rounds) or lends (odd rounds) a block of its
 *     VM's pages to the memory SP, which retrieves them, checksums them
 *     against what the guest wrote, writes a few bytes and relinquishes;
 *     the guest reclaims and sees the SP's bytes;
 *   - vCPU 0 of VM 2k shares or lends pages to VM 2k+1, whose vCPU 0
 *     retrieves them (handle passed out of band, as guests would by
 *     message), checks them through its borrowed window, answers with a
 *     byte, relinquishes; the owner reclaims and reads the answer.
 */
#include <errno.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ffamed/ffa_regs.h"
#include "workload.h"

#define MEM_FIRST_PAGE 4u /* after the RX/TX pair */
#define MEM_BLOCK      6u /* pages each vCPU shares per round */
#define BOX_WAIT_S     10

/* RAM layout: the RX/TX pair, one block per vCPU for rounds with MEMSP,
 * then the blocks VM-to-VM rounds use. */
uint32_t workload_memory_ram_pages(uint16_t vcpus)
{
	return MEM_FIRST_PAGE + 2u * vcpus * MEM_BLOCK;
}

static uint32_t vm_block_first(const struct workload_vm *vm)
{
	return MEM_FIRST_PAGE + (uint32_t)vm->vcpus * MEM_BLOCK;
}

static uint32_t fnv(uint32_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x01000193u;
	}
	return h;
}

static uint64_t page_ipa(uint32_t page)
{
	return FFAMED_POSIX_RAM_BASE + (uint64_t)page * FFA_PAGE_SIZE;
}

/* Fills pages [first, first+n) with a pattern of (vm, vcpu, iter); returns
 * their FNV-1a. */
static uint32_t fill(struct ffamed_sim_vm *svm, uint32_t first, uint32_t n, uint32_t salt)
{
	uint32_t h = 0x811c9dc5u;

	for (uint32_t p = 0; p < n; p++) {
		uint8_t *va = ffamed_sim_guest_va(svm, page_ipa(first + p));

		for (size_t i = 0; i < FFA_PAGE_SIZE; i++)
			va[i] = (uint8_t)((salt * 131u) ^ (p * 29u) ^ (i * 7u));
		h = fnv(h, va, FFA_PAGE_SIZE);
	}
	return h;
}

static void mem_fail(struct workload *run, struct workload_vm *vm, uint16_t vcpu, uint32_t iter,
		     const char *what, int32_t got)
{
	workload_unexpected(run, vm, "VM %u vCPU %u iteration %u: %s: %d", (unsigned)vm->id,
			    (unsigned)vcpu, (unsigned)iter, what, (int)got);
}

static bool mem_ok(struct workload *run, struct workload_vm *vm, uint16_t vcpu, uint32_t iter,
		   const char *what, int32_t got)
{
	if (got == FFA_RET_OK) {
		atomic_fetch_add(&vm->checks, 1);
		return true;
	}
	mem_fail(run, vm, vcpu, iter, what, got);
	return false;
}

static bool mem_eq(struct workload *run, struct workload_vm *vm, uint16_t vcpu, uint32_t iter,
		   const char *what, uint64_t got, uint64_t want)
{
	if (got == want) {
		atomic_fetch_add(&vm->checks, 1);
		return true;
	}
	workload_unexpected(run, vm, "VM %u vCPU %u iteration %u: %s: 0x%llx, expected 0x%llx",
			    (unsigned)vm->id, (unsigned)vcpu, (unsigned)iter, what,
			    (unsigned long long)got, (unsigned long long)want);
	return false;
}

/* One MEMSP command; P[1] (the status) returned, P[2] in *p2. */
static int32_t memsp(struct ffac *c, uint32_t cmd, uint64_t handle, uint32_t p3, uint32_t p4,
		     uint32_t *p2)
{
	uint64_t args[5] = {cmd, (uint32_t)handle, handle >> 32, p3, p4}, out[5] = {0};
	int32_t ret = ffac_direct_req(c, FFAMED_SIM_MEMSP_ID, false, args, out, NULL);

	if (ret != FFA_RET_OK)
		return ret;
	if (p2)
		*p2 = (uint32_t)out[2];
	return (int32_t)(uint32_t)out[1];
}

static int32_t send(struct ffac *c, struct ffamed_sim_vm *svm, bool lend, uint16_t to,
		    uint32_t first, uint32_t n, uint64_t *handle)
{
	struct ffac_mem_borrower b = {.id = to, .perm = FFA_MEM_PERM_DATA_RW};
	struct ffac_mem_range r[MEM_BLOCK];
	struct ffac_mem_send s = {
		/* A lend to one borrower leaves the attributes to it. */
		.attributes = lend ? 0 : FFA_MEM_ATTR_NORMAL_WB_INNER,
		.borrowers = &b,
		.borrower_count = 1,
		.ranges = r,
		.range_count = n,
	};
	int32_t ret;

	/* One range per page: the mediator coalesces what is contiguous. */
	for (uint32_t i = 0; i < n; i++)
		r[i] = (struct ffac_mem_range){.addr = page_ipa(first + i), .pages = 1};
	ffamed_sim_guest_rx_lock(svm);
	ret = lend ? ffac_mem_lend(c, &s, handle, NULL) : ffac_mem_share(c, &s, handle, NULL);
	ffamed_sim_guest_rx_unlock(svm);
	return ret;
}

static int32_t reclaim(struct ffac *c, struct ffamed_sim_vm *svm, uint64_t handle)
{
	int32_t ret;

	ffamed_sim_guest_rx_lock(svm);
	ret = ffac_mem_reclaim(c, handle, 0);
	ffamed_sim_guest_rx_unlock(svm);
	return ret;
}

/* ---- VM -> SP ---------------------------------------------------------------- */

/* MEMSP at its limit of retrieved regions: a refusal it is entitled to. */
static bool memsp_full(struct workload_vm *vm, int32_t ret)
{
	if (ret != FFA_RET_NO_MEMORY)
		return false;
	atomic_fetch_add(&vm->memsp_refusals, 1);
	return true;
}

static void mem_with_sp(struct workload *run, struct workload_vm *vm, struct ffamed_sim_vm *svm,
			struct ffac *c, uint16_t vcpu, uint32_t iter)
{
	const uint32_t n = MEM_BLOCK;
	uint32_t first = MEM_FIRST_PAGE + vcpu * MEM_BLOCK;
	/* The SP writes into the block's second page, at offsets 3 to 6. */
	uint32_t fill_page = 1;
	uint8_t byte = (uint8_t)(0xA0 + vcpu + iter);
	uint32_t sum, got = 0;
	uint64_t handle = 0;
	const uint8_t *va;
	bool refused = false;
	int32_t ret;

	sum = fill(svm, first, n, vm->id * 1000u + vcpu * 100u + iter);
	ret = send(c, svm, iter & 1, FFAMED_SIM_MEMSP_ID, first, n, &handle);
	if (!mem_ok(run, vm, vcpu, iter, iter & 1 ? "LEND to MEMSP" : "SHARE to MEMSP", ret))
		return;
	/* MEMSP holds FFAMED_MEMSP_MAX_REGIONS regions at once: the guests
	 * take turns rather than ask it for more (sem_wait is a guest-side
	 * agreement, not an FF-A call). */
	sem_wait(&run->memsp_slots);
	ret = memsp(c, FFAMED_MEMSP_CMD_RETRIEVE, handle, FFAMED_MEMSP_ACCESS_RW, 0, &got);
	refused = memsp_full(vm, ret);
	if (!refused && mem_ok(run, vm, vcpu, iter, "MEMSP retrieve", ret)) {
		mem_eq(run, vm, vcpu, iter, "MEMSP pages", got, n);
		ret = memsp(c, FFAMED_MEMSP_CMD_CHECKSUM, handle, 0, n * FFA_PAGE_SIZE, &got);
		if (mem_ok(run, vm, vcpu, iter, "MEMSP checksum", ret))
			mem_eq(run, vm, vcpu, iter, "MEMSP checksum value", got, sum);
		ret = memsp(c, FFAMED_MEMSP_CMD_FILL, handle, fill_page * FFA_PAGE_SIZE + 3,
			    (4u << 8) | byte, NULL);
		mem_ok(run, vm, vcpu, iter, "MEMSP fill", ret);
		ret = memsp(c, FFAMED_MEMSP_CMD_RELINQUISH, handle, 0, 0, NULL);
		mem_ok(run, vm, vcpu, iter, "MEMSP relinquish", ret);
	}
	sem_post(&run->memsp_slots);
	if (!mem_ok(run, vm, vcpu, iter, "RECLAIM from MEMSP", reclaim(c, svm, handle)))
		return;
	if (refused)
		return;
	atomic_fetch_add(&vm->mem_sp_rounds, 1);
	/* Reclaimed: the guest reads its pages again, with the SP's bytes. */
	va = ffamed_sim_guest_va(svm, page_ipa(first + fill_page));
	mem_eq(run, vm, vcpu, iter, "bytes the SP wrote", va[3], byte);
	mem_eq(run, vm, vcpu, iter, "bytes the SP wrote", va[6], byte);
}

/* ---- VM -> VM ------------------------------------------------------------------ */

/* Waits (bounded) until *field == want; true if it came. */
static bool box_wait(struct workload_mem_box *box, const uint32_t *field, uint32_t want)
{
	struct timespec ts;
	bool ok = true;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += BOX_WAIT_S;
	pthread_mutex_lock(&box->lock);
	while (*field != want && ok)
		ok = pthread_cond_timedwait(&box->cond, &box->lock, &ts) != ETIMEDOUT;
	ok = *field == want;
	pthread_mutex_unlock(&box->lock);
	return ok;
}

static void box_offer(struct workload_mem_box *box, uint32_t iter, bool failed, uint64_t handle,
		      uint16_t sender, uint32_t pages, uint32_t checksum)
{
	pthread_mutex_lock(&box->lock);
	box->failed = failed;
	box->handle = handle;
	box->sender = sender;
	box->pages = pages;
	box->checksum = checksum;
	box->offered = iter;
	pthread_cond_broadcast(&box->cond);
	pthread_mutex_unlock(&box->lock);
}

static void box_done(struct workload_mem_box *box, uint32_t iter)
{
	pthread_mutex_lock(&box->lock);
	box->done = iter;
	pthread_cond_broadcast(&box->cond);
	pthread_mutex_unlock(&box->lock);
}

static void mem_owner(struct workload *run, struct workload_vm *vm, struct workload_vm *peer,
		      struct ffamed_sim_vm *svm, struct ffac *c, uint32_t iter)
{
	const uint32_t n = MEM_BLOCK;
	uint32_t first = vm_block_first(vm);
	struct workload_mem_box *box = &peer->mem_box;
	uint64_t handle = 0;
	uint32_t sum;
	int32_t ret;

	sum = fill(svm, first, n, vm->id * 7u + iter);
	ret = send(c, svm, iter & 1, peer->id, first, n, &handle);
	box_offer(box, iter, ret != FFA_RET_OK, handle, vm->id, n, sum);
	if (!mem_ok(run, vm, 0, iter, "SHARE/LEND to a VM", ret)) {
		box_wait(box, &box->done, iter);
		return;
	}
	if (!box_wait(box, &box->done, iter))
		mem_fail(run, vm, 0, iter, "the borrower VM never answered", FFA_RET_ABORTED);
	ret = reclaim(c, svm, handle);
	if (mem_ok(run, vm, 0, iter, "RECLAIM from a VM", ret)) {
		const uint8_t *va = ffamed_sim_guest_va(svm, page_ipa(first));

		atomic_fetch_add(&vm->mem_vm_rounds, 1);
		mem_eq(run, vm, 0, iter, "byte the borrower VM wrote", va[17],
		       (uint8_t)(0x5A ^ iter));
	}
}

static void mem_borrower(struct workload *run, struct workload_vm *vm, struct ffamed_sim_vm *svm,
			 struct ffac *c, uint32_t iter)
{
	struct workload_mem_box *box = &vm->mem_box;
	struct ffac_mem_range r[MEM_BLOCK];
	struct ffac_mem_retrieved info;
	uint32_t sum = 0x811c9dc5u;
	uint8_t *first = NULL;
	int32_t ret;

	if (!box_wait(box, &box->offered, iter)) {
		mem_fail(run, vm, 0, iter, "no memory offered by the owner VM", FFA_RET_ABORTED);
		return;
	}
	if (box->failed)
		goto done;
	ffamed_sim_guest_rx_lock(svm);
	ret = ffac_mem_retrieve(c, box->handle, box->sender, 0, FFA_MEM_PERM_DATA_RW, 0, r,
				MEM_BLOCK, &info);
	ffamed_sim_guest_rx_unlock(svm);
	if (!mem_ok(run, vm, 0, iter, "RETRIEVE from a VM", ret))
		goto done;
	mem_eq(run, vm, 0, iter, "retrieved pages", info.total_pages, box->pages);
	for (uint32_t i = 0; i < info.range_count && i < MEM_BLOCK; i++) {
		for (uint32_t p = 0; p < r[i].pages; p++) {
			uint8_t *va =
				ffamed_sim_guest_va(svm, r[i].addr + (uint64_t)p * FFA_PAGE_SIZE);

			if (!va) {
				mem_fail(run, vm, 0, iter, "window page not mapped",
					 FFA_RET_ABORTED);
				goto relinquish;
			}
			if (!first)
				first = va;
			sum = fnv(sum, va, FFA_PAGE_SIZE);
		}
	}
	mem_eq(run, vm, 0, iter, "checksum through the borrowed window", sum, box->checksum);
	if (first)
		first[17] = (uint8_t)(0x5A ^ iter);
relinquish:
	ffamed_sim_guest_rx_lock(svm);
	ret = ffac_mem_relinquish(c, box->handle, 0);
	ffamed_sim_guest_rx_unlock(svm);
	mem_ok(run, vm, 0, iter, "RELINQUISH to a VM", ret);
done:
	box_done(box, iter);
}

void workload_memory_round(struct workload *run, struct workload_vm *vm, struct ffamed_sim_vm *svm,
			   struct ffac *c, uint16_t vcpu, uint32_t iter)
{
	uint32_t idx = (uint32_t)(vm - run->vms);

	mem_with_sp(run, vm, svm, c, vcpu, iter);
	if (vcpu != 0)
		return;
	if (idx % 2 == 0 && idx + 1 < run->opt.vms)
		mem_owner(run, vm, &run->vms[idx + 1], svm, c, iter);
	else if (idx % 2 == 1)
		mem_borrower(run, vm, svm, c, iter);
}
