/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <cmocka.h>

#include "port_fixture.h"

struct port_fixture *port_fixture_new(const struct ffamed_posix_config *cfg)
{
	struct port_fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(ffamed_posix_host_create(cfg, &f->host), 0);
	assert_non_null(f->host);
	f->ops = ffamed_posix_host_ops();
	f->arena_pages = ffamed_posix_free_pages(f->host);
	return f;
}

void port_fixture_free(struct port_fixture *f)
{
	assert_int_equal(ffamed_posix_live_vms(f->host), 0);
	assert_int_equal(ffamed_posix_mapped_pages(f->host), 0);
	assert_int_equal(ffamed_posix_live_allocs(f->host), 0);
	assert_int_equal(ffamed_posix_spmc_live_allocs(f->host), 0);
	assert_int_equal(ffamed_posix_free_pages(f->host), f->arena_pages);
	assert_int_equal(ffamed_posix_error_count(f->host), f->expected_errors);
	ffamed_posix_host_destroy(f->host);
	free(f);
}

int port_setup(void **state)
{
	const struct ffamed_posix_config cfg = {.arena_pages = 1024, .seed = 1, .cpu_count = 16};

	*state = port_fixture_new(&cfg);
	return 0;
}

int port_teardown(void **state)
{
	port_fixture_free(*state);
	return 0;
}

void sleep_ms(unsigned int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
