/* SPDX-License-Identifier: MIT */
/* A POSIX host per test, with leak and error checks when it goes. */
#ifndef PORT_FIXTURE_H
#define PORT_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "ffamed/port_posix.h"

#define PAGE 4096u

struct port_fixture {
	struct ffamed_posix_host *host;
	const struct ffamed_host_ops *ops;
	size_t arena_pages;
	/* Contract violations the test provokes on purpose. */
	size_t expected_errors;
};

/* cmocka setup/teardown: a 1024-page host, seed 1, 16 CPUs. */
int port_setup(void **state);
int port_teardown(void **state);
/* Same with a given configuration. */
struct port_fixture *port_fixture_new(const struct ffamed_posix_config *cfg);
/* Checks no leaks and exactly the expected errors, then destroys. */
void port_fixture_free(struct port_fixture *f);

/* Time for tests that need to sleep (never asserted on). */
void sleep_ms(unsigned int ms);
uint64_t mono_ns(void);

#endif
