/* SPDX-License-Identifier: MIT */
/*
 * Memory for the mediator and the SPMC, from the RAM between the end of the
 * image and RAM_END (which the guest is not given).
 *   - heap_alloc: power-of-two size classes (32 B .. 1 MiB) with a free list
 *     each, carved from a bump pointer; freed blocks are reused, never merged.
 *     The workload (a few VMs, RX/TX descriptors, notification state) is
 *     small and steady, so fragmentation does not build up.
 *   - heap_pages: contiguous 4K pages from a pool with a bitmap.
 * One lock guards both (any CPU may allocate, with mediator locks held).
 */
#include "el2.h"

#define CLASS_MIN_SHIFT 5
#define CLASS_MAX_SHIFT 20
#define NCLASSES	(CLASS_MAX_SHIFT - CLASS_MIN_SHIFT + 1)
#define HDR		16   /* keeps 16-byte alignment for the caller */
#define POOL_PAGES	1024 /* 4 MiB of pages */

extern char __heap_start[];

static struct el2_lock heap_lock; /* guards everything below */
static uintptr_t bump, bump_end;
static void *free_lists[NCLASSES];
static uintptr_t pool_base;
static uint64_t pool_used[POOL_PAGES / 64];
static size_t in_use; /* bytes of blocks and pages handed out */

void heap_init(void)
{
	el2_lock_init(&heap_lock);
	pool_base = ((uintptr_t)__heap_start + 4095) & ~(uintptr_t)4095;
	bump = pool_base + POOL_PAGES * 4096ul;
	bump_end = (uintptr_t)BOOT_CONFIG_ADDR; /* the boot configuration above */
}

static int size_class(size_t size)
{
	size_t need = size + HDR;

	for (int c = 0; c < NCLASSES; c++)
		if (need <= ((size_t)1 << (c + CLASS_MIN_SHIFT)))
			return c;
	return -1;
}

void *heap_alloc(size_t size)
{
	int c = size_class(size);
	size_t bytes;
	uint8_t *block = NULL;

	if (c < 0)
		return NULL;
	bytes = (size_t)1 << (c + CLASS_MIN_SHIFT);
	el2_lock(&heap_lock);
	if (free_lists[c]) {
		block = free_lists[c];
		free_lists[c] = *(void **)block;
	} else if (bump_end - bump >= bytes) {
		block = (uint8_t *)bump;
		bump += bytes;
	}
	if (block)
		in_use += bytes;
	el2_unlock(&heap_lock);
	if (!block)
		return NULL;
	memset(block, 0, bytes);
	*(uint64_t *)block = (uint64_t)c;
	return block + HDR;
}

void heap_free(void *ptr)
{
	uint8_t *block;
	uint64_t c;

	if (!ptr)
		return;
	block = (uint8_t *)ptr - HDR;
	c = *(uint64_t *)block;
	if (c >= NCLASSES)
		el2_panic("heap_free: bad block %p", ptr);
	el2_lock(&heap_lock);
	*(void **)block = free_lists[c];
	free_lists[c] = block;
	in_use -= (size_t)1 << (c + CLASS_MIN_SHIFT);
	el2_unlock(&heap_lock);
}

static bool page_used(size_t i)
{
	return pool_used[i / 64] & (1ull << (i % 64));
}

static void page_mark(size_t first, size_t n, bool used)
{
	for (size_t i = first; i < first + n; i++) {
		if (used)
			pool_used[i / 64] |= 1ull << (i % 64);
		else
			pool_used[i / 64] &= ~(1ull << (i % 64));
	}
}

void *heap_pages(size_t npages)
{
	void *va = NULL;

	if (npages == 0 || npages > POOL_PAGES)
		return NULL;
	el2_lock(&heap_lock);
	for (size_t first = 0; first + npages <= POOL_PAGES; first++) {
		size_t n = 0;
		while (n < npages && !page_used(first + n))
			n++;
		if (n == npages) {
			page_mark(first, npages, true);
			in_use += npages * 4096ul;
			va = (void *)(pool_base + first * 4096ul);
			break;
		}
		first += n;
	}
	el2_unlock(&heap_lock);
	if (va)
		memset(va, 0, npages * 4096ul);
	return va;
}

void heap_pages_free(void *va, size_t npages)
{
	size_t first = ((uintptr_t)va - pool_base) / 4096ul;

	if ((uintptr_t)va < pool_base || first + npages > POOL_PAGES)
		el2_panic("heap_pages_free: bad pages %p", va);
	el2_lock(&heap_lock);
	page_mark(first, npages, false);
	in_use -= npages * 4096ul;
	el2_unlock(&heap_lock);
}

size_t heap_in_use(void)
{
	size_t n;

	el2_lock(&heap_lock);
	n = in_use;
	el2_unlock(&heap_lock);
	return n;
}
