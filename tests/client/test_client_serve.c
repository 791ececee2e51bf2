/* SPDX-License-Identifier: MIT */
/* Client as a receiver of direct requests: FFA_MSG_WAIT and the service
 * loop (responses of the matching width, yields, interrupts, stop), with a
 * fake callee answering as the mediator does for a VM (docs/MESSAGING.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fake_conduit.h"
#include "ffamed/ffa_regs.h"

#define OWN_ID	0x0002u
#define PEER_ID 0x0003u
#define SP_ID	0x8001u
#define TO_US	((PEER_ID << 16) | OWN_ID)
#define FROM_US ((OWN_ID << 16) | PEER_ID)

static const struct ffa_uuid svc_uuid = {{0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87, 0x98,
					  0xa9, 0xba, 0xcb, 0xdc, 0xed, 0xfe, 0x0f}};

static struct fake_conduit fake;
static struct ffac client;

static int setup(void **state)
{
	(void)state;
	fake_init(&fake, NULL, 0);
	fake_client(&client, &fake, FFA_VERSION_1_2, OWN_ID);
	return 0;
}

/* The handler: records each run, answers payload + 0x100 (and junk in the
 * high half, which a 32-bit response must drop), yields as planned. */
struct service {
	unsigned runs;
	struct ffac_direct_msg seen[8];
	unsigned yield_runs;  /* the first this many runs yield */
	unsigned stop_at_run; /* sets *stop at this run (1-based; 0: never) */
	_Atomic bool stop;
};

static int handler(void *ctx, const struct ffac_direct_msg *msg, uint64_t resp[14])
{
	struct service *s = ctx;
	unsigned run = ++s->runs;

	if (run <= 8)
		s->seen[run - 1] = *msg;
	if (run == s->stop_at_run)
		atomic_store(&s->stop, true);
	for (unsigned i = 0; i < msg->words; i++)
		resp[i] = 0xABCD000000000000ull | (msg->payload[i] + 0x100);
	return run <= s->yield_runs ? FFAC_DIRECT_YIELD : FFAC_DIRECT_RESPOND;
}

/* The callee sets stop while it answers the 6th call. */
static void stop_at_call_6(struct fake_conduit *f, const struct ffamed_regs *regs)
{
	struct service *s = f->on_call_ctx;

	(void)regs;
	if (f->ncalls == 6)
		atomic_store(&s->stop, true);
}

static void msg_wait_one_event(void **state)
{
	struct ffamed_regs ev;

	(void)state;
	fake_push(&fake, FFA_MSG_SEND_DIRECT_REQ_64, TO_US, 0, 1, 2, 3, 4, 5);
	assert_int_equal(ffac_msg_wait(&client, 0, &ev), FFA_RET_OK);
	fake_assert_call(&fake, 0, FFA_MSG_WAIT);
	assert_int_equal(ev.x[0], FFA_MSG_SEND_DIRECT_REQ_64);
	assert_int_equal(ev.x[7], 5);
	fake_push(&fake, FFA_INTERRUPT, 0);
	assert_int_equal(ffac_msg_wait(&client, FFA_MSG_WAIT_FLAG_RETAIN_RX, &ev), FFA_RET_OK);
	fake_assert_call(&fake, 1, FFA_MSG_WAIT, 0, FFA_MSG_WAIT_FLAG_RETAIN_RX);
	assert_int_equal(ev.x[0], FFA_INTERRUPT);
	fake_push_error(&fake, FFA_RET_DENIED);
	assert_int_equal(ffac_msg_wait(&client, 0, &ev), FFA_RET_DENIED);
	assert_int_equal(ev.x[0], FFA_ERROR);
	fake_push(&fake, 0xFFFFFFFFu);
	assert_int_equal(ffac_msg_wait(&client, 0, &ev), FFA_RET_NOT_SUPPORTED);
	assert_int_equal(fake.ncalls, 4);
}

static void msg_wait_bad_flags(void **state)
{
	struct ffamed_regs ev;

	(void)state;
	assert_int_equal(ffac_msg_wait(&client, 2, &ev), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(ffac_msg_wait(&client, 0, NULL), FFA_RET_INVALID_PARAMETERS);
	/* Retaining the RX buffer is v1.2's. */
	fake_client(&client, &fake, FFA_VERSION_1_1, OWN_ID);
	assert_int_equal(ffac_msg_wait(&client, FFA_MSG_WAIT_FLAG_RETAIN_RX, &ev),
			 FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(fake.ncalls, 0);
}

static void serve_every_width(void **state)
{
	struct service s = {.stop_at_run = 0};
	struct ffac_serve_stats st = {0};

	(void)state;
	atomic_init(&s.stop, false);
	/* MSG_WAIT -> REQ_32; RESP_32 -> REQ_64; RESP_64 -> REQ2; RESP2 ->
	 * INTERRUPT (not stopped); MSG_WAIT -> RUN; MSG_WAIT -> INTERRUPT,
	 * stopped by then. */
	fake_push(&fake, FFA_MSG_SEND_DIRECT_REQ_32, TO_US, 0, 0xFFFFFFFF00000001ull, 2, 3, 4,
		  0x7700000005ull);
	fake_push(&fake, FFA_MSG_SEND_DIRECT_REQ_64, TO_US, 0, 0x1100000000000001ull, 2, 3, 4, 5);
	fake_push(&fake, FFA_MSG_SEND_DIRECT_REQ2, TO_US, ffa_uuid_x(&svc_uuid, 0),
		  ffa_uuid_x(&svc_uuid, 1), 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23);
	fake_push(&fake, FFA_INTERRUPT, 0);
	fake_push(&fake, FFA_RUN, FFA_TARGET_INFO(OWN_ID, 0));
	fake_push(&fake, FFA_INTERRUPT, 0);
	fake.on_call = stop_at_call_6;
	fake.on_call_ctx = &s;
	assert_int_equal(ffac_direct_serve(&client, handler, &s, &s.stop, &st), FFA_RET_OK);

	assert_int_equal(fake.ncalls, 6);
	/* v1.2: the wait keeps the RX buffer. */
	fake_assert_call(&fake, 0, FFA_MSG_WAIT, 0, FFA_MSG_WAIT_FLAG_RETAIN_RX);
	/* 32-bit: the request's and the response's high halves dropped. */
	assert_int_equal(s.seen[0].fid, FFA_MSG_SEND_DIRECT_REQ_32);
	assert_int_equal(s.seen[0].sender, PEER_ID);
	assert_int_equal(s.seen[0].receiver, OWN_ID);
	assert_int_equal(s.seen[0].words, 5);
	assert_int_equal(s.seen[0].payload[0], 1);
	assert_int_equal(s.seen[0].payload[4], 5);
	fake_assert_call(&fake, 1, FFA_MSG_SEND_DIRECT_RESP_32, FROM_US, 0, 0x101, 0x102, 0x103,
			 0x104, 0x105);
	assert_int_equal(s.seen[1].payload[0], 0x1100000000000001ull);
	fake_assert_call(&fake, 2, FFA_MSG_SEND_DIRECT_RESP_64, FROM_US, 0,
			 0xABCD000000000000ull | 0x1100000000000101ull, 0xABCD000000000102ull,
			 0xABCD000000000103ull, 0xABCD000000000104ull, 0xABCD000000000105ull);
	assert_int_equal(s.seen[2].fid, FFA_MSG_SEND_DIRECT_REQ2);
	assert_int_equal(s.seen[2].words, 14);
	assert_int_equal(s.seen[2].flags, 0);
	assert_memory_equal(s.seen[2].uuid.b, svc_uuid.b, 16);
	assert_int_equal(s.seen[2].payload[13], 23);
	{
		uint64_t want[18] = {FFA_MSG_SEND_DIRECT_RESP2, FROM_US, 0, 0};

		for (int i = 0; i < 14; i++)
			want[4 + i] = 0xABCD000000000000ull | (uint64_t)(10 + i + 0x100);
		fake_assert_call_n(&fake, 3, 18, want);
	}
	fake_assert_call(&fake, 4, FFA_MSG_WAIT, 0, FFA_MSG_WAIT_FLAG_RETAIN_RX);
	fake_assert_call(&fake, 5, FFA_MSG_WAIT, 0, FFA_MSG_WAIT_FLAG_RETAIN_RX);
	assert_int_equal(s.runs, 3);
	assert_int_equal(st.requests, 3);
	assert_int_equal(st.interrupts, 2);
	assert_int_equal(st.runs, 1);
	assert_int_equal(st.yields, 0);
}

static void serve_v11_waits_plainly(void **state)
{
	struct service s = {.stop_at_run = 1};

	(void)state;
	atomic_init(&s.stop, false);
	fake_client(&client, &fake, FFA_VERSION_1_1, OWN_ID);
	fake_push(&fake, FFA_MSG_SEND_DIRECT_REQ_64, TO_US);
	fake_push(&fake, FFA_INTERRUPT, 0);
	assert_int_equal(ffac_direct_serve(&client, handler, &s, &s.stop, NULL), FFA_RET_OK);
	fake_assert_call(&fake, 0, FFA_MSG_WAIT);
	fake_assert_call(&fake, 1, FFA_MSG_SEND_DIRECT_RESP_64, FROM_US, 0, 0xABCD000000000100ull,
			 0xABCD000000000100ull, 0xABCD000000000100ull, 0xABCD000000000100ull,
			 0xABCD000000000100ull);
	assert_int_equal(fake.ncalls, 2);
}

static void serve_stopped_before_it_starts(void **state)
{
	struct service s = {0};

	(void)state;
	atomic_init(&s.stop, true);
	assert_int_equal(ffac_direct_serve(&client, handler, &s, &s.stop, NULL), FFA_RET_OK);
	assert_int_equal(fake.ncalls, 0);
	assert_int_equal(ffac_direct_serve(&client, NULL, &s, &s.stop, NULL),
			 FFA_RET_INVALID_PARAMETERS);
}

static void serve_yield_then_respond(void **state)
{
	struct service s = {.yield_runs = 2, .stop_at_run = 3};
	struct ffac_serve_stats st = {0};

	(void)state;
	atomic_init(&s.stop, false);
	/* REQ2; YIELD -> SUCCESS (the requester ran us); YIELD -> SUCCESS;
	 * RESP2 -> INTERRUPT, stopped. */
	fake_push(&fake, FFA_MSG_SEND_DIRECT_REQ2, TO_US, 0, 0, 7);
	fake_push(&fake, FFA_SUCCESS_32);
	fake_push(&fake, FFA_SUCCESS_32);
	fake_push(&fake, FFA_INTERRUPT, 0);
	assert_int_equal(ffac_direct_serve(&client, handler, &s, &s.stop, &st), FFA_RET_OK);
	fake_assert_call(&fake, 1, FFA_YIELD);
	fake_assert_call(&fake, 2, FFA_YIELD);
	assert_int_equal(fake_count_fid(&fake, FFA_MSG_SEND_DIRECT_RESP2), 1);
	assert_int_equal((uint32_t)fake.calls[3].x[0], FFA_MSG_SEND_DIRECT_RESP2);
	/* The handler saw the same request each time. */
	assert_int_equal(s.runs, 3);
	assert_int_equal(s.seen[2].payload[0], 7);
	assert_int_equal(fake.calls[3].x[4], 0xABCD000000000107ull);
	assert_int_equal(st.yields, 2);
	assert_int_equal(st.requests, 1);
	assert_int_equal(st.interrupts, 1);
}

static void serve_yield_interrupted(void **state)
{
	struct service s = {.yield_runs = 2, .stop_at_run = 0};
	struct ffac_serve_stats st = {0};

	(void)state;
	atomic_init(&s.stop, false);
	/* REQ_32; YIELD -> INTERRUPT (not stopped): the handler runs again
	 * and yields; YIELD -> INTERRUPT, now stopped: no response. */
	fake_push(&fake, FFA_MSG_SEND_DIRECT_REQ_32, TO_US, 0, 1);
	fake_push(&fake, FFA_INTERRUPT, 0);
	fake_push(&fake, FFA_INTERRUPT, 0);
	s.stop_at_run = 2;
	assert_int_equal(ffac_direct_serve(&client, handler, &s, &s.stop, &st), FFA_RET_OK);
	assert_int_equal(fake.ncalls, 3);
	assert_int_equal(fake_count_fid(&fake, FFA_YIELD), 2);
	assert_int_equal(fake_count_fid(&fake, FFA_MSG_SEND_DIRECT_RESP_32), 0);
	assert_int_equal(st.interrupts, 2);
	assert_int_equal(st.yields, 0);
	assert_int_equal(st.requests, 0);
}

static void serve_errors_end_the_loop(void **state)
{
	struct service s = {0};

	(void)state;
	atomic_init(&s.stop, false);
	/* The wait refused. */
	fake_push_error(&fake, FFA_RET_NOT_SUPPORTED);
	assert_int_equal(ffac_direct_serve(&client, handler, &s, &s.stop, NULL),
			 FFA_RET_NOT_SUPPORTED);
	/* The response refused. */
	setup(NULL);
	fake_push(&fake, FFA_MSG_SEND_DIRECT_REQ_64, TO_US);
	fake_push_error(&fake, FFA_RET_DENIED);
	assert_int_equal(ffac_direct_serve(&client, handler, &s, &s.stop, NULL), FFA_RET_DENIED);
	assert_int_equal(fake.ncalls, 2);
	/* A request for someone else: not answered. */
	setup(NULL);
	fake_push(&fake, FFA_MSG_SEND_DIRECT_REQ_64, (PEER_ID << 16) | 0x0009u);
	assert_int_equal(ffac_direct_serve(&client, handler, &s, &s.stop, NULL), FFA_RET_ABORTED);
	assert_int_equal(fake.ncalls, 1);
	/* An event that is not one. */
	setup(NULL);
	fake_push(&fake, FFA_SUCCESS_32);
	assert_int_equal(ffac_direct_serve(&client, handler, &s, &s.stop, NULL), FFA_RET_ABORTED);
	setup(NULL);
	fake_push(&fake, 0xFFFFFFFFu);
	assert_int_equal(ffac_direct_serve(&client, handler, &s, &s.stop, NULL),
			 FFA_RET_NOT_SUPPORTED);
	/* The yield refused, or answered with nonsense. */
	s = (struct service){.yield_runs = 10};
	atomic_init(&s.stop, false);
	setup(NULL);
	fake_push(&fake, FFA_MSG_SEND_DIRECT_REQ_64, TO_US);
	fake_push_error(&fake, FFA_RET_DENIED);
	assert_int_equal(ffac_direct_serve(&client, handler, &s, &s.stop, NULL), FFA_RET_DENIED);
	setup(NULL);
	fake_push(&fake, FFA_MSG_SEND_DIRECT_REQ_64, TO_US);
	fake_push(&fake, FFA_MSG_SEND_DIRECT_REQ_64, TO_US);
	assert_int_equal(ffac_direct_serve(&client, handler, &s, &s.stop, NULL), FFA_RET_ABORTED);
	assert_int_equal(fake.ncalls, 2);
}

static void serve_sp_requester(void **state)
{
	struct service s = {.stop_at_run = 1};

	(void)state;
	atomic_init(&s.stop, false);
	/* An SP's request to a VM: answered the same way. */
	fake_push(&fake, FFA_MSG_SEND_DIRECT_REQ_32, (SP_ID << 16) | OWN_ID, 0, 9);
	fake_push(&fake, FFA_INTERRUPT, 0);
	assert_int_equal(ffac_direct_serve(&client, handler, &s, &s.stop, NULL), FFA_RET_OK);
	fake_assert_call(&fake, 1, FFA_MSG_SEND_DIRECT_RESP_32, (OWN_ID << 16) | SP_ID, 0, 0x109,
			 0x100, 0x100, 0x100, 0x100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(msg_wait_one_event, setup),
		cmocka_unit_test_setup(msg_wait_bad_flags, setup),
		cmocka_unit_test_setup(serve_every_width, setup),
		cmocka_unit_test_setup(serve_v11_waits_plainly, setup),
		cmocka_unit_test_setup(serve_stopped_before_it_starts, setup),
		cmocka_unit_test_setup(serve_yield_then_respond, setup),
		cmocka_unit_test_setup(serve_yield_interrupted, setup),
		cmocka_unit_test_setup(serve_errors_end_the_loop, setup),
		cmocka_unit_test_setup(serve_sp_requester, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
