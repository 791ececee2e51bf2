/* SPDX-License-Identifier: MIT */
/*
 * A scripted conduit for the client tests: each call is recorded and gets
 * the next scripted reply (optionally after the "callee" wrote the RX
 * buffer); past the script it gets the fallback reply.
 */
#ifndef FFAMED_TEST_FAKE_CONDUIT_H
#define FFAMED_TEST_FAKE_CONDUIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ffamed/client.h"

#define FAKE_MAX_STEPS 64

struct fake_step {
	struct ffamed_regs reply;
	const void *rx_data; /* copied to the RX buffer before replying */
	size_t rx_len;
};

struct fake_conduit {
	struct fake_step steps[FAKE_MAX_STEPS];
	unsigned nsteps;
	unsigned ncalls;			  /* all calls, recorded or not */
	struct ffamed_regs calls[FAKE_MAX_STEPS]; /* the first FAKE_MAX_STEPS */
	struct ffamed_regs fallback;		  /* default: FFA_ERROR(NOT_SUPPORTED) */
	uint8_t *rx;
	size_t rx_size;
	/* Called with each call's registers before it is answered (NULL: none):
	 * lets a test see what the client put in its TX buffer at that time. */
	void (*on_call)(struct fake_conduit *f, const struct ffamed_regs *regs);
	void *on_call_ctx;
};

void fake_init(struct fake_conduit *f, uint8_t *rx, size_t rx_size);
void fake_conduit_call(void *ctx, struct ffamed_regs *regs);

/* Script the next reply: registers x0.. given in order, the rest zero. */
struct fake_step *fake_push_n(struct fake_conduit *f, size_t n, const uint64_t *x);
#define fake_push(f, ...)                                                                          \
	fake_push_n((f), sizeof((uint64_t[]){__VA_ARGS__}) / sizeof(uint64_t),                     \
		    (uint64_t[]){__VA_ARGS__})
void fake_push_error(struct fake_conduit *f, int32_t err);

/* Assert that call i had exactly these registers (x0.. in order, rest 0). */
void fake_assert_call_n(const struct fake_conduit *f, unsigned i, size_t n, const uint64_t *x);
#define fake_assert_call(f, i, ...)                                                                \
	fake_assert_call_n((f), (i), sizeof((uint64_t[]){__VA_ARGS__}) / sizeof(uint64_t),         \
			   (uint64_t[]){__VA_ARGS__})
/* Number of calls with this function ID. */
unsigned fake_count_fid(const struct fake_conduit *f, uint32_t fid);

/* A client over `f`, with a version and own ID already set. */
void fake_client(struct ffac *c, struct fake_conduit *f, uint32_t version, uint16_t id);

#endif /* FFAMED_TEST_FAKE_CONDUIT_H */
