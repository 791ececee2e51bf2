/* SPDX-License-Identifier: MIT */
/*
 * Guest memory as the mediator reaches it: pinning guest pages (IPA -> PA)
 * and mapping pinned pages at consecutive hypervisor addresses (the
 * hypervisor's "vmap"). Mappings alias the memfd, so the guest keeps
 * writing them through its own view: hostile, changing memory, by design.
 */
#include <stdlib.h>
#include <sys/mman.h>

#include "posix_internal.h"

/* Guest page index of a page-aligned guest address, or false. */
static bool guest_page_of_ipa(const struct ffamed_posix_vm *vm, uint64_t ipa, size_t *page)
{
	uint64_t off;

	if ((ipa & POSIX_PAGE_MASK) != 0 || ipa < FFAMED_POSIX_RAM_BASE)
		return false;
	off = (ipa - FFAMED_POSIX_RAM_BASE) / POSIX_PAGE_SIZE;
	if (off >= vm->ram_pages)
		return false;
	*page = (size_t)off;
	return true;
}

static int rev_key_cmp(const void *key, const void *elem)
{
	uint32_t a = *(const uint32_t *)key;
	const struct posix_rev *r = elem;

	return (a > r->arena_page) - (a < r->arena_page);
}

/* Guest page backed by physical page `pa` of this VM, or false. */
static bool guest_page_of_pa(const struct ffamed_posix_vm *vm, uint64_t pa, size_t *page)
{
	const struct posix_rev *r;
	size_t idx;
	uint32_t key;

	if (!posix_arena_pa_index(&vm->host->arena, pa, &idx))
		return false;
	key = (uint32_t)idx;
	r = bsearch(&key, vm->by_arena, vm->ram_pages, sizeof(*vm->by_arena), rev_key_cmp);
	if (!r)
		return false;
	*page = r->guest_page;
	return true;
}

int32_t posix_guest_page_pin(void *host, void *host_vm, uint64_t ipa, bool write, uint64_t *pa)
{
	struct ffamed_posix_vm *vm = host_vm;
	int32_t ret = FFA_RET_OK;
	size_t page;

	if (!vm || !pa)
		return FFA_RET_INVALID_PARAMETERS;
	if (host != vm->host) {
		posix_error(host, "guest_page_pin: VM %#x belongs to another host", vm->id);
		return FFA_RET_INVALID_PARAMETERS;
	}
	if (!guest_page_of_ipa(vm, ipa, &page))
		return FFA_RET_INVALID_PARAMETERS;
	if (atomic_load(&vm->fail_pin_ipa) == ipa)
		return FFA_RET_INVALID_PARAMETERS;

	posix_mutex_lock(&vm->pin_lock);
	if (write && vm->readonly[page]) {
		ret = FFA_RET_INVALID_PARAMETERS;
		goto out;
	}
	if (vm->pins[page] == UINT32_MAX) {
		posix_error(host, "VM %#x: pin count of IPA %#llx overflows", vm->id,
			    (unsigned long long)ipa);
		ret = FFA_RET_NO_MEMORY;
		goto out;
	}
	vm->pins[page]++;
	vm->pinned_total++;
	*pa = vm->host->arena.pa_base + (uint64_t)vm->arena_page[page] * POSIX_PAGE_SIZE;
out:
	posix_mutex_unlock(&vm->pin_lock);
	return ret;
}

void posix_guest_page_unpin(void *host, void *host_vm, uint64_t pa)
{
	struct ffamed_posix_vm *vm = host_vm;
	size_t page;

	if (!vm) {
		posix_error(host, "unpin of PA %#llx without a VM", (unsigned long long)pa);
		return;
	}
	if (!guest_page_of_pa(vm, pa, &page)) {
		posix_error(host, "unpin of PA %#llx: not a page of VM %#x", (unsigned long long)pa,
			    vm->id);
		return;
	}
	posix_mutex_lock(&vm->pin_lock);
	if (vm->pins[page] == 0) {
		posix_mutex_unlock(&vm->pin_lock);
		posix_error(host, "unpin of PA %#llx of VM %#x: page is not pinned",
			    (unsigned long long)pa, vm->id);
		return;
	}
	vm->pins[page]--;
	vm->pinned_total--;
	posix_mutex_unlock(&vm->pin_lock);
}

size_t ffamed_posix_vm_pinned_pages(const struct ffamed_posix_vm *vm)
{
	/* The lock is mutable state inside a logically const VM. */
	pthread_mutex_t *lock = (pthread_mutex_t *)&vm->pin_lock;
	size_t n;

	posix_mutex_lock(lock);
	n = vm->pinned_total;
	posix_mutex_unlock(lock);
	return n;
}

uint32_t ffamed_posix_vm_page_pins(struct ffamed_posix_vm *vm, uint64_t ipa)
{
	size_t page;
	uint32_t n;

	if (!guest_page_of_ipa(vm, ipa & ~POSIX_PAGE_MASK, &page))
		return 0;
	posix_mutex_lock(&vm->pin_lock);
	n = vm->pins[page];
	posix_mutex_unlock(&vm->pin_lock);
	return n;
}

void ffamed_posix_vm_fail_pin(struct ffamed_posix_vm *vm, uint64_t ipa)
{
	atomic_store(&vm->fail_pin_ipa, ipa);
}

void ffamed_posix_vm_set_readonly(struct ffamed_posix_vm *vm, uint64_t ipa, bool readonly)
{
	size_t page;

	if (!guest_page_of_ipa(vm, ipa & ~POSIX_PAGE_MASK, &page))
		return;
	posix_mutex_lock(&vm->pin_lock);
	vm->readonly[page] = readonly;
	posix_mutex_unlock(&vm->pin_lock);
}

/* ---- map_pages ------------------------------------------------------------- */

void *posix_map_pages(void *ctx, const uint64_t *pa, size_t npages)
{
	struct ffamed_posix_host *host = ctx;
	struct posix_mapping *m;
	uint8_t *va;
	size_t idx;

	if (!pa || npages == 0 || npages > host->arena.pages)
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	va = mmap(NULL, npages * POSIX_PAGE_SIZE, PROT_NONE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (va == MAP_FAILED)
		goto fail_record;
	for (size_t i = 0; i < npages; i++) {
		if (!posix_arena_pa_index(&host->arena, pa[i], &idx) ||
		    !posix_arena_is_allocated(&host->arena, idx)) {
			posix_error(host, "map_pages: PA %#llx is not an allocated physical page",
				    (unsigned long long)pa[i]);
			goto fail_unmap;
		}
		if (mmap(va + i * POSIX_PAGE_SIZE, POSIX_PAGE_SIZE, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, host->arena.memfd,
			 (off_t)idx * (off_t)POSIX_PAGE_SIZE) == MAP_FAILED)
			goto fail_unmap;
	}
	m->va = va;
	m->npages = npages;
	posix_mutex_lock(&host->map_lock);
	m->next = host->mappings;
	host->mappings = m;
	posix_mutex_unlock(&host->map_lock);
	atomic_fetch_add(&host->mapped_pages, npages);
	return va;

fail_unmap:
	munmap(va, npages * POSIX_PAGE_SIZE);
fail_record:
	free(m);
	return NULL;
}

void posix_unmap_pages(void *ctx, void *va, size_t npages)
{
	struct ffamed_posix_host *host = ctx;
	struct posix_mapping **link;
	struct posix_mapping *m = NULL;
	bool size_differs = false;

	posix_mutex_lock(&host->map_lock);
	for (link = &host->mappings; *link; link = &(*link)->next) {
		if ((*link)->va != va)
			continue;
		size_differs = (*link)->npages != npages;
		if (!size_differs) {
			m = *link;
			*link = m->next;
		}
		break;
	}
	posix_mutex_unlock(&host->map_lock);
	if (!m) {
		posix_error(host, "unmap_pages(%p, %zu): no such mapping%s", va, npages,
			    size_differs ? " (page count differs)" : "");
		return;
	}
	munmap(va, npages * POSIX_PAGE_SIZE);
	atomic_fetch_sub(&host->mapped_pages, npages);
	free(m);
}

void posix_mappings_fini(struct ffamed_posix_host *host)
{
	struct posix_mapping *m = host->mappings;

	if (m)
		posix_error(host, "host destroyed with map_pages mappings left");
	while (m) {
		struct posix_mapping *next = m->next;

		munmap(m->va, m->npages * POSIX_PAGE_SIZE);
		free(m);
		m = next;
	}
	host->mappings = NULL;
}
