/* SPDX-License-Identifier: MIT */
/*
 * Simulated physical memory: one memfd, mapped once for the firmware's view,
 * and a bitmap page allocator. The memfd lets other mappings (guest views,
 * map_pages) alias the same pages, as physical pages are aliased on a real
 * machine.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "posix_internal.h"

#define BITS_PER_WORD 64u

static bool bit_test(const uint64_t *map, size_t i)
{
	return (map[i / BITS_PER_WORD] >> (i % BITS_PER_WORD)) & 1u;
}

static void bit_set(uint64_t *map, size_t i)
{
	map[i / BITS_PER_WORD] |= (uint64_t)1 << (i % BITS_PER_WORD);
}

static void bit_clear(uint64_t *map, size_t i)
{
	map[i / BITS_PER_WORD] &= ~((uint64_t)1 << (i % BITS_PER_WORD));
}

/* splitmix64: small, good enough, and the same sequence everywhere. */
static uint64_t prng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

int32_t posix_arena_init(struct posix_arena *arena, size_t pages, uint64_t pa_base, uint32_t seed)
{
	size_t words = (pages + BITS_PER_WORD - 1) / BITS_PER_WORD;
	size_t bytes = pages * POSIX_PAGE_SIZE;
	void *base;

	memset(arena, 0, sizeof(*arena));
	arena->memfd = -1;
	arena->used = calloc(words, sizeof(*arena->used));
	if (!arena->used)
		goto fail;
	arena->memfd = memfd_create("ffamed-arena", MFD_CLOEXEC);
	if (arena->memfd < 0)
		goto fail;
	if (ftruncate(arena->memfd, (off_t)bytes) != 0)
		goto fail;
	base = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, arena->memfd, 0);
	if (base == MAP_FAILED)
		goto fail;
	arena->base = base;
	arena->pages = pages;
	arena->pa_base = pa_base;
	arena->free_count = pages;
	arena->prng = seed;
	posix_mutex_init(&arena->lock);
	return FFA_RET_OK;

fail:
	if (arena->memfd >= 0)
		close(arena->memfd);
	free(arena->used);
	arena->used = NULL;
	arena->memfd = -1;
	return FFA_RET_NO_MEMORY;
}

void posix_arena_fini(struct posix_arena *arena)
{
	munmap(arena->base, arena->pages * POSIX_PAGE_SIZE);
	close(arena->memfd);
	free(arena->used);
	pthread_mutex_destroy(&arena->lock);
}

static void zero_page(struct posix_arena *arena, size_t idx)
{
	memset(arena->base + idx * POSIX_PAGE_SIZE, 0, POSIX_PAGE_SIZE);
}

int32_t posix_arena_alloc_run(struct posix_arena *arena, size_t n, size_t *first)
{
	size_t start = 0;
	size_t len = 0;
	bool found = false;

	if (n == 0 || n > arena->pages)
		return FFA_RET_INVALID_PARAMETERS;
	posix_mutex_lock(&arena->lock);
	for (size_t i = 0; i < arena->pages && !found; i++) {
		if (bit_test(arena->used, i)) {
			len = 0;
			continue;
		}
		if (len == 0)
			start = i;
		found = ++len == n;
	}
	if (found) {
		for (size_t i = start; i < start + n; i++)
			bit_set(arena->used, i);
		arena->free_count -= n;
	}
	posix_mutex_unlock(&arena->lock);
	if (!found)
		return FFA_RET_NO_MEMORY;

	/* Zeroed outside the lock: the pages are ours now. */
	for (size_t i = start; i < start + n; i++)
		zero_page(arena, i);
	*first = start;
	return FFA_RET_OK;
}

/* The first free page at or after `from`, wrapping; the arena is not full. */
static size_t find_free_from(const struct posix_arena *arena, size_t from)
{
	size_t i = from;

	for (;;) {
		if (i % BITS_PER_WORD == 0 && i + BITS_PER_WORD <= arena->pages &&
		    arena->used[i / BITS_PER_WORD] == ~(uint64_t)0) {
			i += BITS_PER_WORD;
		} else if (!bit_test(arena->used, i)) {
			return i;
		} else {
			i++;
		}
		if (i >= arena->pages)
			i = 0;
	}
}

int32_t posix_arena_alloc_scattered(struct posix_arena *arena, size_t n, uint32_t *out)
{
	if (n == 0)
		return FFA_RET_INVALID_PARAMETERS;
	posix_mutex_lock(&arena->lock);
	if (n > arena->free_count) {
		posix_mutex_unlock(&arena->lock);
		return FFA_RET_NO_MEMORY;
	}
	for (size_t i = 0; i < n; i++) {
		size_t idx =
			find_free_from(arena, (size_t)(prng_next(&arena->prng) % arena->pages));

		bit_set(arena->used, idx);
		out[i] = (uint32_t)idx;
	}
	arena->free_count -= n;
	posix_mutex_unlock(&arena->lock);

	for (size_t i = 0; i < n; i++)
		zero_page(arena, out[i]);
	return FFA_RET_OK;
}

static size_t free_one(struct posix_arena *arena, size_t idx)
{
	if (idx >= arena->pages || !bit_test(arena->used, idx))
		return 1;
	bit_clear(arena->used, idx);
	arena->free_count++;
	return 0;
}

size_t posix_arena_free_run(struct posix_arena *arena, size_t first, size_t n)
{
	size_t bad = 0;

	posix_mutex_lock(&arena->lock);
	for (size_t i = 0; i < n; i++)
		bad += free_one(arena, first + i);
	posix_mutex_unlock(&arena->lock);
	return bad;
}

size_t posix_arena_free_list(struct posix_arena *arena, const uint32_t *idx, size_t n)
{
	size_t bad = 0;

	posix_mutex_lock(&arena->lock);
	for (size_t i = 0; i < n; i++)
		bad += free_one(arena, idx[i]);
	posix_mutex_unlock(&arena->lock);
	return bad;
}

bool posix_arena_is_allocated(struct posix_arena *arena, size_t idx)
{
	bool used;

	if (idx >= arena->pages)
		return false;
	posix_mutex_lock(&arena->lock);
	used = bit_test(arena->used, idx);
	posix_mutex_unlock(&arena->lock);
	return used;
}

size_t posix_arena_free_count(struct posix_arena *arena)
{
	size_t n;

	posix_mutex_lock(&arena->lock);
	n = arena->free_count;
	posix_mutex_unlock(&arena->lock);
	return n;
}

bool posix_arena_pa_index(const struct posix_arena *arena, uint64_t pa, size_t *idx)
{
	uint64_t off;

	if ((pa & POSIX_PAGE_MASK) != 0 || pa < arena->pa_base)
		return false;
	off = pa - arena->pa_base;
	if (off / POSIX_PAGE_SIZE >= arena->pages)
		return false;
	*idx = (size_t)(off / POSIX_PAGE_SIZE);
	return true;
}
