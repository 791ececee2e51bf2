/* SPDX-License-Identifier: MIT */
/*
 * The shared heapsort (src/common/common_sort.h): ascending keys, every
 * element kept whole (a permutation, whatever the element size), and the
 * edge cases: nothing, one element, duplicates, extreme keys, sorted and
 * reversed input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common_sort.h"

/* As the mediator's runs: 16 bytes, key first. */
struct elem16 {
	uint64_t key;
	uint64_t tag; /* the element's original index */
};

/* As the SPMC's claims: 24 bytes on LP64, with a pointer. */
struct elem24 {
	uint64_t key;
	uint64_t end;
	const void *self;
};

/* 11 bytes: exercises the byte-wise tail of the swap. */
#define ODD_SIZE 11
struct elem_odd {
	unsigned char b[ODD_SIZE]; /* key in b[0..8), tag in b[8..11) */
};

static uint64_t key16(const void *e)
{
	return ((const struct elem16 *)e)->key;
}

static uint64_t key24(const void *e)
{
	return ((const struct elem24 *)e)->key;
}

static uint64_t key_odd(const void *e)
{
	uint64_t k;

	memcpy(&k, ((const struct elem_odd *)e)->b, sizeof(k));
	return k;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Sorts a[0..n) (keys drawn by `draw`) and checks order and permutation. */
static void check16(size_t n, uint64_t (*draw)(size_t i, size_t n))
{
	struct elem16 *a = calloc(n ? n : 1, sizeof(*a));
	uint64_t *orig = calloc(n ? n : 1, sizeof(*orig));
	unsigned char *seen = calloc(n ? n : 1, 1);

	assert_non_null(a);
	assert_non_null(orig);
	assert_non_null(seen);
	for (size_t i = 0; i < n; i++) {
		a[i].key = draw(i, n);
		a[i].tag = i;
		orig[i] = a[i].key;
	}
	common_sort_by_key(a, n, sizeof(*a), key16);
	for (size_t i = 0; i < n; i++) {
		if (i)
			assert_true(a[i - 1].key <= a[i].key);
		assert_true(a[i].tag < n);
		assert_int_equal(seen[a[i].tag], 0); /* each element once */
		seen[a[i].tag] = 1;
		assert_int_equal(a[i].key, orig[a[i].tag]); /* and whole */
	}
	free(a);
	free(orig);
	free(seen);
}

static uint64_t draw_random(size_t i, size_t n)
{
	(void)i;
	(void)n;
	return rng();
}

static uint64_t draw_ascending(size_t i, size_t n)
{
	(void)n;
	return (uint64_t)i * 4096u;
}

static uint64_t draw_descending(size_t i, size_t n)
{
	return (uint64_t)(n - i) * 4096u;
}

static uint64_t draw_few_values(size_t i, size_t n)
{
	(void)i;
	(void)n;
	return rng() % 3u;
}

static uint64_t draw_constant(size_t i, size_t n)
{
	(void)i;
	(void)n;
	return 42;
}

static uint64_t draw_extremes(size_t i, size_t n)
{
	(void)n;
	return (i % 2) ? UINT64_MAX : (i % 3 ? 0 : UINT64_MAX - 1);
}

static void test_sort_empty_and_one(void **state)
{
	struct elem16 one = {.key = 7, .tag = 99};

	(void)state;
	common_sort_by_key(NULL, 0, sizeof(one), key16);
	common_sort_by_key(&one, 1, sizeof(one), key16);
	assert_int_equal(one.key, 7);
	assert_int_equal(one.tag, 99);
}

static void test_sort_two(void **state)
{
	struct elem16 a[2] = {{.key = 9, .tag = 0}, {.key = 3, .tag = 1}};

	(void)state;
	common_sort_by_key(a, 2, sizeof(a[0]), key16);
	assert_int_equal(a[0].key, 3);
	assert_int_equal(a[0].tag, 1);
	assert_int_equal(a[1].key, 9);
	assert_int_equal(a[1].tag, 0);
}

static void test_sort_random_sizes(void **state)
{
	(void)state;
	for (size_t n = 0; n <= 130; n++)
		check16(n, draw_random);
	check16(4097, draw_random);
}

static void test_sort_ordered_input(void **state)
{
	(void)state;
	for (size_t n = 0; n <= 70; n++) {
		check16(n, draw_ascending);
		check16(n, draw_descending);
	}
	check16(65536, draw_descending); /* the scattered-share benchmark's order */
}

static void test_sort_duplicates_and_extremes(void **state)
{
	(void)state;
	for (size_t n = 0; n <= 70; n++) {
		check16(n, draw_few_values);
		check16(n, draw_constant);
		check16(n, draw_extremes);
	}
}

static void test_sort_elem24(void **state)
{
	enum { N = 257 };
	struct elem24 a[N];
	uint64_t sum = 0, after = 0;

	(void)state;
	for (size_t i = 0; i < N; i++) {
		a[i].key = rng() & 0xFFFFFF000ull;
		a[i].end = a[i].key + 4096u;
		a[i].self = &a[i];
		sum += a[i].key;
	}
	common_sort_by_key(a, N, sizeof(a[0]), key24);
	for (size_t i = 0; i < N; i++) {
		if (i)
			assert_true(a[i - 1].key <= a[i].key);
		assert_int_equal(a[i].end, a[i].key + 4096u); /* fields moved together */
		assert_true((const struct elem24 *)a[i].self >= a &&
			    (const struct elem24 *)a[i].self < a + N);
		after += a[i].key;
	}
	assert_int_equal(after, sum);
}

static void test_sort_odd_size(void **state)
{
	enum { N = 300 };
	struct elem_odd a[N];
	unsigned char seen[N] = {0};

	(void)state;
	assert_int_equal(sizeof(a[0]), ODD_SIZE);
	for (size_t i = 0; i < N; i++) {
		uint64_t k = rng() % 1000u;

		memcpy(a[i].b, &k, sizeof(k));
		a[i].b[8] = (unsigned char)(i & 0xFF);
		a[i].b[9] = (unsigned char)(i >> 8);
		a[i].b[10] = (unsigned char)(k ^ i); /* ties the tail to the key */
	}
	common_sort_by_key(a, N, sizeof(a[0]), key_odd);
	for (size_t i = 0; i < N; i++) {
		size_t tag = a[i].b[8] | (size_t)a[i].b[9] << 8;

		if (i)
			assert_true(key_odd(&a[i - 1]) <= key_odd(&a[i]));
		assert_true(tag < N);
		assert_int_equal(seen[tag], 0);
		seen[tag] = 1;
		assert_int_equal(a[i].b[10], (unsigned char)(key_odd(&a[i]) ^ tag));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sort_empty_and_one),
		cmocka_unit_test(test_sort_two),
		cmocka_unit_test(test_sort_random_sizes),
		cmocka_unit_test(test_sort_ordered_input),
		cmocka_unit_test(test_sort_duplicates_and_extremes),
		cmocka_unit_test(test_sort_elem24),
		cmocka_unit_test(test_sort_odd_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
