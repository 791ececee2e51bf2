/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fake_conduit.h"
#include "ffamed/ffa_regs.h"

void fake_init(struct fake_conduit *f, uint8_t *rx, size_t rx_size)
{
	memset(f, 0, sizeof(*f));
	f->rx = rx;
	f->rx_size = rx_size;
	ffa_set_error(&f->fallback, FFA_RET_NOT_SUPPORTED);
}

void fake_conduit_call(void *ctx, struct ffamed_regs *regs)
{
	struct fake_conduit *f = ctx;
	unsigned i = f->ncalls++;

	if (i < FAKE_MAX_STEPS)
		f->calls[i] = *regs;
	if (f->on_call)
		f->on_call(f, regs);
	if (i >= f->nsteps) {
		*regs = f->fallback;
		return;
	}
	if (f->steps[i].rx_data) {
		assert_non_null(f->rx);
		assert_true(f->steps[i].rx_len <= f->rx_size);
		memcpy(f->rx, f->steps[i].rx_data, f->steps[i].rx_len);
	}
	*regs = f->steps[i].reply;
}

struct fake_step *fake_push_n(struct fake_conduit *f, size_t n, const uint64_t *x)
{
	struct fake_step *s;

	assert_true(f->nsteps < FAKE_MAX_STEPS);
	assert_true(n <= FFA_NREGS);
	s = &f->steps[f->nsteps++];
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < n; i++)
		s->reply.x[i] = x[i];
	return s;
}

void fake_push_error(struct fake_conduit *f, int32_t err)
{
	struct fake_step *s = fake_push(f, 0);

	ffa_set_error(&s->reply, err);
}

void fake_assert_call_n(const struct fake_conduit *f, unsigned i, size_t n, const uint64_t *x)
{
	assert_true(i < f->ncalls);
	assert_true(i < FAKE_MAX_STEPS);
	for (size_t r = 0; r < FFA_NREGS; r++) {
		uint64_t want = r < n ? x[r] : 0;

		if (f->calls[i].x[r] != want)
			print_error("call %u: x%zu = 0x%llx, expected 0x%llx\n", i, r,
				    (unsigned long long)f->calls[i].x[r], (unsigned long long)want);
		assert_int_equal(f->calls[i].x[r], want);
	}
}

unsigned fake_count_fid(const struct fake_conduit *f, uint32_t fid)
{
	unsigned n = 0;

	for (unsigned i = 0; i < f->ncalls && i < FAKE_MAX_STEPS; i++)
		if ((uint32_t)f->calls[i].x[0] == fid)
			n++;
	return n;
}

void fake_client(struct ffac *c, struct fake_conduit *f, uint32_t version, uint16_t id)
{
	ffac_init(c, fake_conduit_call, f);
	c->version = version;
	c->id = id;
}
