/* SPDX-License-Identifier: MIT */
/*
 * The one in-place sort of the mediator core and the software SPMC:
 * heapsort of an array by a 64-bit key, ascending. O(n log n) in the worst
 * case, no allocation, no recursion; not stable.
 *
 * Header-only, static inline: the freestanding core has no qsort, and the
 * SPMC (in the development kit) cannot call a core function the core's
 * shared library does not export. Each call site passes a constant element
 * size and key function, so the compiler specialises the loops for it.
 * Freestanding: <stddef.h>, <stdint.h>, <string.h> (memcpy) only.
 */
#ifndef FFAMED_COMMON_SORT_H
#define FFAMED_COMMON_SORT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The key of the element at elem. */
typedef uint64_t (*common_sort_key_fn)(const void *elem);

/* Exchanges two elements of `size` bytes, a word at a time where it can. */
static inline void common_sort_swap(unsigned char *a, unsigned char *b, size_t size)
{
	size_t i = 0;

	for (; i + sizeof(uint64_t) <= size; i += sizeof(uint64_t)) {
		uint64_t x, y;

		memcpy(&x, a + i, sizeof(x));
		memcpy(&y, b + i, sizeof(y));
		memcpy(a + i, &y, sizeof(y));
		memcpy(b + i, &x, sizeof(x));
	}
	for (; i < size; i++) {
		unsigned char t = a[i];

		a[i] = b[i];
		b[i] = t;
	}
}

/* Moves a[root] down the max-heap a[0..n) to where it belongs. */
static inline void common_sort_sift(unsigned char *a, size_t size, common_sort_key_fn key,
				    size_t root, size_t n)
{
	while (2 * root + 1 < n) {
		size_t child = 2 * root + 1;

		if (child + 1 < n && key(a + (child + 1) * size) > key(a + child * size))
			child++;
		if (key(a + root * size) >= key(a + child * size))
			return;
		common_sort_swap(a + root * size, a + child * size, size);
		root = child;
	}
}

/* Sorts n elements of `size` bytes at base by key(element), ascending. */
static inline void common_sort_by_key(void *base, size_t n, size_t size, common_sort_key_fn key)
{
	unsigned char *a = base;

	for (size_t i = n / 2; i-- > 0;)
		common_sort_sift(a, size, key, i, n);
	for (size_t end = n; end-- > 1;) {
		common_sort_swap(a, a + end * size, size);
		common_sort_sift(a, size, key, 0, end);
	}
}

#endif /* FFAMED_COMMON_SORT_H */
