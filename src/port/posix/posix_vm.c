/* SPDX-License-Identifier: MIT */
/*
 * VM objects. A VM's RAM is a contiguous guest range (IPA) whose pages come
 * from the arena in a scattered, seeded order: code that assumes IPA == PA
 * or physical contiguity reads the wrong memory and fails its tests. The
 * guest's own contiguous view maps the same memfd pages, so writes through
 * either are visible through the other, as on a real machine.
 *
 * References: the host holds one until ffamed_posix_vm_destroy; the mediator
 * takes more through ops->vm_get/vm_put. The memory goes with the last one.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "posix_internal.h"

static int rev_cmp(const void *a, const void *b)
{
	const struct posix_rev *ra = a;
	const struct posix_rev *rb = b;

	return (ra->arena_page > rb->arena_page) - (ra->arena_page < rb->arena_page);
}

/* Maps every guest page at its place in a reserved, contiguous VA range. */
static int32_t map_guest_view(struct ffamed_posix_vm *vm)
{
	const struct posix_arena *arena = &vm->host->arena;
	size_t size = vm->ram_pages * POSIX_PAGE_SIZE;
	void *va = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (va == MAP_FAILED)
		return FFA_RET_NO_MEMORY;
	vm->view = va;
	if (vm->host->contiguous_ram) {
		if (mmap(vm->view, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			 arena->memfd,
			 (off_t)vm->arena_page[0] * (off_t)POSIX_PAGE_SIZE) == MAP_FAILED) {
			munmap(vm->view, size);
			vm->view = NULL;
			return FFA_RET_NO_MEMORY;
		}
		return FFA_RET_OK;
	}
	for (size_t i = 0; i < vm->ram_pages; i++) {
		void *page = mmap(vm->view + i * POSIX_PAGE_SIZE, POSIX_PAGE_SIZE,
				  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, arena->memfd,
				  (off_t)vm->arena_page[i] * (off_t)POSIX_PAGE_SIZE);

		if (page == MAP_FAILED) {
			munmap(vm->view, size);
			vm->view = NULL;
			return FFA_RET_NO_MEMORY;
		}
	}
	return FFA_RET_OK;
}

/* Frees what vm_create set up; arena pages only if `own_pages`. */
static void vm_free(struct ffamed_posix_vm *vm, bool own_pages)
{
	struct ffamed_posix_host *host = vm->host;

	if (vm->view)
		munmap(vm->view, vm->ram_pages * POSIX_PAGE_SIZE);
	if (own_pages && posix_arena_free_list(&host->arena, vm->arena_page, vm->ram_pages) != 0)
		posix_error(host, "VM %#x: some of its pages were already free", vm->id);
	if (vm->vcpus)
		posix_vcpus_fini(vm);
	posix_share_fini(vm);
	pthread_mutex_destroy(&vm->pin_lock);
	free(vm->readonly);
	free(vm->pins);
	free(vm->by_arena);
	free(vm->arena_page);
	free(vm);
}

int32_t ffamed_posix_vm_create(struct ffamed_posix_host *host, uint16_t ffa_id, uint16_t vcpu_count,
			       size_t ram_pages, struct ffamed_posix_vm **out)
{
	struct ffamed_posix_vm *vm;
	bool own_pages = false;
	int32_t ret = FFA_RET_NO_MEMORY;

	if (!host || !out || vcpu_count == 0 || ram_pages == 0 || ram_pages > host->arena.pages)
		return FFA_RET_INVALID_PARAMETERS;
	*out = NULL;
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return FFA_RET_NO_MEMORY;
	vm->host = host;
	vm->id = ffa_id;
	vm->vcpu_count = vcpu_count;
	vm->ram_pages = ram_pages;
	atomic_init(&vm->refs, 1);
	atomic_init(&vm->fail_pin_ipa, ~(uint64_t)0);
	posix_mutex_init(&vm->pin_lock);
	vm->arena_page = calloc(ram_pages, sizeof(*vm->arena_page));
	vm->by_arena = calloc(ram_pages, sizeof(*vm->by_arena));
	vm->pins = calloc(ram_pages, sizeof(*vm->pins));
	vm->readonly = calloc(ram_pages, sizeof(*vm->readonly));
	if (!vm->arena_page || !vm->by_arena || !vm->pins || !vm->readonly)
		goto fail;

	if (host->contiguous_ram) {
		size_t first = 0;

		ret = posix_arena_alloc_run(&host->arena, ram_pages, &first);
		for (size_t i = 0; ret == FFA_RET_OK && i < ram_pages; i++)
			vm->arena_page[i] = (uint32_t)(first + i);
	} else {
		ret = posix_arena_alloc_scattered(&host->arena, ram_pages, vm->arena_page);
	}
	if (ret != FFA_RET_OK)
		goto fail;
	own_pages = true;
	for (size_t i = 0; i < ram_pages; i++) {
		vm->by_arena[i].arena_page = vm->arena_page[i];
		vm->by_arena[i].guest_page = (uint32_t)i;
	}
	qsort(vm->by_arena, ram_pages, sizeof(*vm->by_arena), rev_cmp);

	ret = map_guest_view(vm);
	if (ret != FFA_RET_OK)
		goto fail;
	ret = posix_share_init(vm);
	if (ret != FFA_RET_OK)
		goto fail;
	ret = posix_vcpus_init(vm);
	if (ret != FFA_RET_OK)
		goto fail;
	atomic_fetch_add(&host->live_vms, 1);
	*out = vm;
	return FFA_RET_OK;

fail:
	vm_free(vm, own_pages);
	return ret;
}

/* The last reference is gone: give the memory back. */
static void vm_release(struct ffamed_posix_vm *vm)
{
	struct ffamed_posix_host *host = vm->host;

	if (vm->pinned_total)
		posix_error(host, "VM %#x freed with %zu page pin(s) outstanding", vm->id,
			    vm->pinned_total);
	if (vm->borrowed_total)
		posix_error(host, "VM %#x freed with %zu borrowed page(s) still mapped", vm->id,
			    vm->borrowed_total);
	vm_free(vm, true);
	atomic_fetch_sub(&host->live_vms, 1);
}

void posix_vm_get(void *host, void *host_vm)
{
	struct ffamed_posix_vm *vm = host_vm;

	if (atomic_fetch_add(&vm->refs, 1) == 0)
		posix_error(host, "vm_get on VM %#x after its last reference went", vm->id);
}

void posix_vm_put(void *host, void *host_vm)
{
	struct ffamed_posix_vm *vm = host_vm;
	unsigned int old = atomic_fetch_sub(&vm->refs, 1);

	if (old == 0) {
		posix_error(host, "vm_put on VM %#x without a reference", vm->id);
		return;
	}
	if (old == 1)
		vm_release(vm);
}

void ffamed_posix_vm_destroy(struct ffamed_posix_vm *vm)
{
	if (!vm)
		return;
	posix_vcpus_join_all(vm);
	posix_vm_put(vm->host, vm);
}

uint16_t ffamed_posix_vm_id(const struct ffamed_posix_vm *vm)
{
	return vm->id;
}

uint16_t ffamed_posix_vm_vcpu_count(const struct ffamed_posix_vm *vm)
{
	return vm->vcpu_count;
}

size_t ffamed_posix_vm_ram_size(const struct ffamed_posix_vm *vm)
{
	return vm->ram_pages * POSIX_PAGE_SIZE;
}

struct ffamed_posix_host *ffamed_posix_vm_host(const struct ffamed_posix_vm *vm)
{
	return vm->host;
}

void *ffamed_posix_vm_va(struct ffamed_posix_vm *vm, uint64_t ipa)
{
	if (ipa >= FFAMED_POSIX_WINDOW_BASE)
		return posix_window_va(vm, ipa);
	if (ipa < FFAMED_POSIX_RAM_BASE ||
	    ipa - FFAMED_POSIX_RAM_BASE >= ffamed_posix_vm_ram_size(vm))
		return NULL;
	return vm->view + (ipa - FFAMED_POSIX_RAM_BASE);
}

int32_t ffamed_posix_vm_ipa_to_pa(struct ffamed_posix_vm *vm, uint64_t ipa, uint64_t *pa)
{
	uint64_t off;

	if (!pa || ipa < FFAMED_POSIX_RAM_BASE)
		return FFA_RET_INVALID_PARAMETERS;
	off = ipa - FFAMED_POSIX_RAM_BASE;
	if (off >= ffamed_posix_vm_ram_size(vm))
		return FFA_RET_INVALID_PARAMETERS;
	*pa = vm->host->arena.pa_base +
	      (uint64_t)vm->arena_page[off / POSIX_PAGE_SIZE] * POSIX_PAGE_SIZE +
	      (off & POSIX_PAGE_MASK);
	return FFA_RET_OK;
}
