/* SPDX-License-Identifier: MIT */
/*
 * Memory sharing in the simulated machine.
 *   - Owner access: lending a page makes the guest's own view of it
 *     PROT_NONE (mprotect on the contiguous view), reclaim makes it RW again.
 *     Firmware and the mediator keep reaching it through their own aliases,
 *     as a real SPMC reaches a page the hypervisor unmapped from a guest.
 *   - The borrowed window: a VA range reserved per VM (one page per arena
 *     page, PROT_NONE), guest addresses from FFAMED_POSIX_WINDOW_BASE. A
 *     borrow maps the lender's physical pages (memfd aliases) at the first
 *     free run large enough, so a retrieve usually answers one constituent.
 * All state is under vm->pin_lock; contract violations count as errors.
 */
#include <stdlib.h>
#include <sys/mman.h>

#include "posix_internal.h"

int32_t posix_share_init(struct ffamed_posix_vm *vm)
{
	size_t pages = vm->host->arena.pages;
	void *va;

	vm->no_access = calloc(vm->ram_pages, sizeof(*vm->no_access));
	vm->window_page = calloc(pages, sizeof(*vm->window_page));
	vm->window_flags = calloc(pages, sizeof(*vm->window_flags));
	if (!vm->no_access || !vm->window_page || !vm->window_flags)
		return FFA_RET_NO_MEMORY;
	va = mmap(NULL, pages * POSIX_PAGE_SIZE, PROT_NONE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (va == MAP_FAILED)
		return FFA_RET_NO_MEMORY;
	vm->window = va;
	vm->window_pages = pages;
	return FFA_RET_OK;
}

void posix_share_fini(struct ffamed_posix_vm *vm)
{
	if (vm->window)
		munmap(vm->window, vm->window_pages * POSIX_PAGE_SIZE);
	vm->window = NULL;
	free(vm->window_page);
	free(vm->window_flags);
	free(vm->no_access);
	vm->window_page = NULL;
	vm->window_flags = NULL;
	vm->no_access = NULL;
}

/* First guest page and count of [ipa, ipa + npages pages) in RAM, or false. */
static bool ram_range(const struct ffamed_posix_vm *vm, uint64_t ipa, size_t npages, size_t *first)
{
	uint64_t off;

	if ((ipa & POSIX_PAGE_MASK) || ipa < FFAMED_POSIX_RAM_BASE || npages == 0)
		return false;
	off = (ipa - FFAMED_POSIX_RAM_BASE) / POSIX_PAGE_SIZE;
	if (off >= vm->ram_pages || npages > vm->ram_pages - off)
		return false;
	*first = (size_t)off;
	return true;
}

/* Window pages the VM holds by donation, lent or donated on: the window
 * view loses them, then gets back the protection they were mapped with. */
static int32_t window_set_access(struct ffamed_posix_host *host, struct ffamed_posix_vm *vm,
				 uint64_t ipa, size_t npages, bool revoke)
{
	uint64_t w = (ipa - FFAMED_POSIX_WINDOW_BASE) / POSIX_PAGE_SIZE;
	int32_t ret = FFA_RET_OK;

	if (w >= vm->window_pages || npages > vm->window_pages - w)
		return FFA_RET_INVALID_PARAMETERS;
	posix_mutex_lock(&vm->pin_lock);
	for (size_t i = 0; i < npages; i++) {
		if (!vm->window_page[w + i] ||
		    !!(vm->window_flags[w + i] & POSIX_WIN_REVOKED) == revoke) {
			posix_error(host, "VM %#x: set_access of window %#llx to %u from its state",
				    vm->id,
				    (unsigned long long)ipa +
					    (unsigned long long)i * POSIX_PAGE_SIZE,
				    (unsigned)!revoke);
			ret = FFA_RET_INVALID_PARAMETERS;
			goto out;
		}
	}
	for (size_t i = 0; i < npages; i++) {
		int prot =
			revoke ? PROT_NONE
			       : (vm->window_flags[w + i] & POSIX_WIN_WRITE ? PROT_READ | PROT_WRITE
									    : PROT_READ);

		if (mprotect(vm->window + (w + i) * POSIX_PAGE_SIZE, POSIX_PAGE_SIZE, prot) != 0)
			posix_error(host, "VM %#x: mprotect of a window page failed", vm->id);
		if (revoke)
			vm->window_flags[w + i] |= POSIX_WIN_REVOKED;
		else
			vm->window_flags[w + i] &= (uint8_t)~POSIX_WIN_REVOKED;
	}
	if (revoke)
		vm->revoked_total += npages;
	else
		vm->revoked_total -= npages;
out:
	posix_mutex_unlock(&vm->pin_lock);
	return ret;
}

int32_t posix_guest_set_access(void *ctx, void *host_vm, uint64_t ipa, size_t npages,
			       uint32_t access)
{
	struct ffamed_posix_host *host = ctx;
	struct ffamed_posix_vm *vm = host_vm;
	bool revoke = access == FFAMED_ACCESS_NONE;
	int32_t ret = FFA_RET_OK;
	size_t first;

	if (vm && (access == FFAMED_ACCESS_NONE || access == FFAMED_ACCESS_RW) &&
	    ipa >= FFAMED_POSIX_WINDOW_BASE && !(ipa & POSIX_PAGE_MASK))
		return window_set_access(host, vm, ipa, npages, revoke);
	if (!vm || (access != FFAMED_ACCESS_NONE && access != FFAMED_ACCESS_RW) ||
	    !ram_range(vm, ipa, npages, &first)) {
		posix_error(host, "set_access(%#llx, %zu, %u): bad arguments",
			    (unsigned long long)ipa, npages, access);
		return FFA_RET_INVALID_PARAMETERS;
	}
	posix_mutex_lock(&vm->pin_lock);
	for (size_t i = 0; i < npages; i++) {
		if (vm->no_access[first + i] == revoke || !vm->pins[first + i]) {
			/* A double change, or a page the mediator does not hold. */
			posix_error(host, "VM %#x: set_access of IPA %#llx to %u from its state",
				    vm->id,
				    (unsigned long long)ipa +
					    (unsigned long long)i * POSIX_PAGE_SIZE,
				    access);
			ret = FFA_RET_INVALID_PARAMETERS;
			goto out;
		}
	}
	if (mprotect(vm->view + first * POSIX_PAGE_SIZE, npages * POSIX_PAGE_SIZE,
		     revoke ? PROT_NONE : PROT_READ | PROT_WRITE) != 0) {
		/*
		 * Out of kernel mappings (each protected run splits the view:
		 * about 32k scattered runs at the default limit). The state is
		 * still tracked and checked; only the fault on a guest touch
		 * is lost, so say it once.
		 */
		if (!atomic_exchange(&host->protect_warned, true))
			posix_log(host, FFAMED_LOG_WARN,
				  "VM %#x: mprotect failed: lent pages stay readable in the guest "
				  "view beyond the kernel's mapping limit",
				  vm->id);
	}
	for (size_t i = 0; i < npages; i++)
		vm->no_access[first + i] = revoke;
	if (revoke)
		vm->revoked_total += npages;
	else
		vm->revoked_total -= npages;
out:
	posix_mutex_unlock(&vm->pin_lock);
	return ret;
}

/* A free run of n window pages, first fit; SIZE_MAX if none. */
static size_t window_find(const struct ffamed_posix_vm *vm, size_t n)
{
	size_t run = 0;

	for (size_t w = 0; w < vm->window_pages; w++) {
		run = vm->window_page[w] ? 0 : run + 1;
		if (run == n)
			return w + 1 - n;
	}
	return SIZE_MAX;
}

static void window_clear(struct ffamed_posix_vm *vm, size_t w, size_t n)
{
	/* Back to a reserved hole, not a gap another mmap could take. */
	if (mmap(vm->window + w * POSIX_PAGE_SIZE, n * POSIX_PAGE_SIZE, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0) == MAP_FAILED)
		posix_error(vm->host, "VM %#x: cannot clear %zu borrowed window pages", vm->id, n);
	for (size_t i = 0; i < n; i++) {
		/* A page unmapped while lent on (its holder's teardown). */
		if (vm->window_flags[w + i] & POSIX_WIN_REVOKED)
			vm->revoked_total--;
		vm->window_page[w + i] = 0;
		vm->window_flags[w + i] = 0;
	}
}

int32_t posix_borrow_map(void *ctx, void *host_vm, const uint64_t *pa, size_t npages, bool write,
			 uint64_t *ipa)
{
	struct ffamed_posix_host *host = ctx;
	struct ffamed_posix_vm *vm = host_vm;
	int prot = write ? PROT_READ | PROT_WRITE : PROT_READ;
	int32_t ret = FFA_RET_OK;
	size_t w, done = 0;

	if (!vm || !pa || !ipa || npages == 0)
		return FFA_RET_INVALID_PARAMETERS;
	posix_mutex_lock(&vm->pin_lock);
	w = window_find(vm, npages);
	if (w == SIZE_MAX) {
		ret = FFA_RET_NO_MEMORY;
		goto out;
	}
	while (done < npages) {
		size_t idx, run = 1;

		if (!posix_arena_pa_index(&host->arena, pa[done], &idx) ||
		    !posix_arena_is_allocated(&host->arena, idx)) {
			posix_error(host, "borrow_map: PA %#llx is not an allocated page",
				    (unsigned long long)pa[done]);
			ret = FFA_RET_INVALID_PARAMETERS;
			break;
		}
		/* Physically contiguous pages go in one mmap. */
		while (done + run < npages && pa[done + run] == pa[done] + run * POSIX_PAGE_SIZE)
			run++;
		if (mmap(vm->window + (w + done) * POSIX_PAGE_SIZE, run * POSIX_PAGE_SIZE, prot,
			 MAP_SHARED | MAP_FIXED, host->arena.memfd,
			 (off_t)idx * (off_t)POSIX_PAGE_SIZE) == MAP_FAILED) {
			ret = FFA_RET_NO_MEMORY;
			break;
		}
		for (size_t i = 0; i < run; i++) {
			vm->window_page[w + done + i] = (uint32_t)(idx + i + 1);
			vm->window_flags[w + done + i] = write ? POSIX_WIN_WRITE : 0;
			ipa[done + i] = FFAMED_POSIX_WINDOW_BASE + (w + done + i) * POSIX_PAGE_SIZE;
		}
		done += run;
	}
	if (ret != FFA_RET_OK) {
		window_clear(vm, w, done);
		goto out;
	}
	vm->borrowed_total += npages;
out:
	posix_mutex_unlock(&vm->pin_lock);
	return ret;
}

void posix_borrow_unmap(void *ctx, void *host_vm, const uint64_t *ipa, size_t npages)
{
	struct ffamed_posix_host *host = ctx;
	struct ffamed_posix_vm *vm = host_vm;

	if (!vm || !ipa)
		return;
	posix_mutex_lock(&vm->pin_lock);
	for (size_t i = 0; i < npages; i++) {
		uint64_t w = (ipa[i] - FFAMED_POSIX_WINDOW_BASE) / POSIX_PAGE_SIZE;

		if (ipa[i] < FFAMED_POSIX_WINDOW_BASE || (ipa[i] & POSIX_PAGE_MASK) ||
		    w >= vm->window_pages || !vm->window_page[w]) {
			posix_error(host, "VM %#x: borrow_unmap of %#llx: not borrowed", vm->id,
				    (unsigned long long)ipa[i]);
			continue;
		}
		window_clear(vm, (size_t)w, 1);
		vm->borrowed_total--;
	}
	posix_mutex_unlock(&vm->pin_lock);
}

void *posix_window_va(struct ffamed_posix_vm *vm, uint64_t ipa)
{
	uint64_t w = (ipa - FFAMED_POSIX_WINDOW_BASE) / POSIX_PAGE_SIZE;
	void *va = NULL;

	if (ipa < FFAMED_POSIX_WINDOW_BASE || w >= vm->window_pages)
		return NULL;
	posix_mutex_lock(&vm->pin_lock);
	if (vm->window_page[w])
		va = vm->window + (ipa - FFAMED_POSIX_WINDOW_BASE);
	posix_mutex_unlock(&vm->pin_lock);
	return va;
}

size_t ffamed_posix_vm_revoked_pages(struct ffamed_posix_vm *vm)
{
	size_t n;

	posix_mutex_lock(&vm->pin_lock);
	n = vm->revoked_total;
	posix_mutex_unlock(&vm->pin_lock);
	return n;
}

bool ffamed_posix_vm_page_accessible(struct ffamed_posix_vm *vm, uint64_t ipa)
{
	size_t first;
	bool ok;

	if (!ram_range(vm, ipa & ~POSIX_PAGE_MASK, 1, &first))
		return false;
	posix_mutex_lock(&vm->pin_lock);
	ok = !vm->no_access[first];
	posix_mutex_unlock(&vm->pin_lock);
	return ok;
}

enum ffamed_posix_access ffamed_posix_vm_access(struct ffamed_posix_vm *vm, uint64_t ipa)
{
	enum ffamed_posix_access a = FFAMED_POSIX_ACCESS_NONE;
	size_t first;

	posix_mutex_lock(&vm->pin_lock);
	if (ram_range(vm, ipa & ~POSIX_PAGE_MASK, 1, &first)) {
		a = vm->no_access[first] ? FFAMED_POSIX_ACCESS_NONE : FFAMED_POSIX_ACCESS_RW;
	} else if (ipa >= FFAMED_POSIX_WINDOW_BASE &&
		   (ipa - FFAMED_POSIX_WINDOW_BASE) / POSIX_PAGE_SIZE < vm->window_pages) {
		size_t w = (size_t)((ipa - FFAMED_POSIX_WINDOW_BASE) / POSIX_PAGE_SIZE);

		if (vm->window_page[w] && !(vm->window_flags[w] & POSIX_WIN_REVOKED))
			a = (vm->window_flags[w] & POSIX_WIN_WRITE) ? FFAMED_POSIX_ACCESS_RW
								    : FFAMED_POSIX_ACCESS_RO;
	}
	posix_mutex_unlock(&vm->pin_lock);
	return a;
}

size_t ffamed_posix_vm_borrowed_pages(struct ffamed_posix_vm *vm)
{
	size_t n;

	posix_mutex_lock(&vm->pin_lock);
	n = vm->borrowed_total;
	posix_mutex_unlock(&vm->pin_lock);
	return n;
}
