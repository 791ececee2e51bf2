/* SPDX-License-Identifier: MIT */
/*
 * The client under threads (TSan):
 *  - a producer rewrites the RX header while the client reads messages: the
 *    client must use one copy of the header, so it never reads outside the
 *    mailbox (a guard page follows it) nor hands on a message that mixes two
 *    headers;
 *  - two VMs' clients on their own threads, one serving direct requests
 *    (ffac_direct_serve), the other sending them (ffac_direct_req/_req2)
 *    through a small broker that blocks and resumes calls the way the
 *    mediator does between VMs (docs/MESSAGING.md), yields included.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_conduit.h"
#include "ffamed/ffa_regs.h"

#define OWN_ID	0x0002u
#define PEER_ID 0x0003u
#define PAGE	4096u

/* ---- A header rewritten under the reader ---------------------------------------- */

#define GOOD_SIZE 100u
#define READS	  20000
#define MIN_FLIPS 20000

struct scribbler {
	uint8_t *view; /* the producer's own mapping of the client's RX page */
	atomic_bool stop;
	atomic_uint flips;
	atomic_uint spins; /* busy waits, so that the good header lasts */
};

static void put32(uint8_t *p, uint32_t v)
{
	/* Whole aligned fields: the reader sees each field old or new, and
	 * offset and size from different headers. */
	__atomic_store_n((uint32_t *)(void *)p, v, __ATOMIC_RELAXED);
}

static void *scribble(void *arg)
{
	struct scribbler *s = arg;
	/* Every mix of these offsets and sizes but (40, GOOD_SIZE) points
	 * outside the mailbox or into the header. */
	static const uint32_t offsets[] = {40, PAGE - 10, 0xFFFFFFF0u, 8};
	static const uint32_t sizes[] = {GOOD_SIZE, 0xFFFFFFFFu, GOOD_SIZE};
	unsigned i = 0;

	while (!atomic_load(&s->stop)) {
		put32(s->view + 8, offsets[i % 4]);
		put32(s->view + 16, sizes[i % 3]);
		/* Now and then the good header stays a while. */
		if (i % 4 == 0 && i % 3 != 1)
			for (unsigned k = 0; k < 200 && !atomic_load(&s->stop); k++)
				atomic_fetch_add(&s->spins, 1);
		i++;
		atomic_fetch_add(&s->flips, 1);
	}
	return NULL;
}

static void header_rewritten_while_read(void **state)
{
	struct scribbler s = {.view = NULL};
	struct fake_conduit fake;
	struct ffac c;
	uint8_t *reserve, *rx, *view;
	uint8_t buf[PAGE];
	unsigned ok = 0, bad = 0;
	pthread_t t;
	int fd;

	(void)state;
	/* The client's RX page, then a guard page; the producer's own view. */
	fd = memfd_create("rx", 0);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, PAGE), 0);
	reserve = mmap(NULL, 2 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(reserve != MAP_FAILED);
	rx = mmap(reserve, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
	assert_ptr_equal(rx, reserve);
	view = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(view != MAP_FAILED);

	/* A valid message: to us, payload at 40. */
	memset(view, 0, PAGE);
	put32(view + 8, 40);
	view[12] = OWN_ID & 0xFF;
	view[14] = PEER_ID & 0xFF;
	put32(view + 16, GOOD_SIZE);
	for (unsigned i = 0; i < GOOD_SIZE; i++)
		view[40 + i] = (uint8_t)(i * 7);

	fake_init(&fake, NULL, 0);
	fake.fallback.x[0] = FFA_SUCCESS_32; /* every RX_RELEASE */
	fake.fallback.x[2] = 0;
	fake_client(&c, &fake, FFA_VERSION_1_2, OWN_ID);
	c.rx = rx;
	c.tx = view; /* unused */
	c.rxtx_pages = 1;
	c.rxtx_mapped = true;

	s.view = view;
	atomic_init(&s.stop, false);
	atomic_init(&s.flips, 0);
	atomic_init(&s.spins, 0);
	assert_int_equal(pthread_create(&t, NULL, scribble, &s), 0);
	while (!atomic_load(&s.flips))
		sched_yield();
	/* Enough reads, across enough rewrites. */
	for (unsigned r = 0; r < READS || atomic_load(&s.flips) < MIN_FLIPS; r++) {
		struct ffac_msg msg;
		int32_t ret = ffac_msg_read(&c, &msg, buf, sizeof(buf));

		if (ret == FFA_RET_ABORTED) {
			bad++;
			continue;
		}
		/* Only the good header passes, and then all of it is the good one. */
		assert_int_equal(ret, FFA_RET_OK);
		assert_int_equal(msg.size, GOOD_SIZE);
		assert_int_equal(msg.copied, GOOD_SIZE);
		for (unsigned i = 0; i < GOOD_SIZE; i++)
			assert_int_equal(buf[i], (uint8_t)(i * 7));
		ok++;
	}
	atomic_store(&s.stop, true);
	pthread_join(t, NULL);
	print_message("reads: %u whole, %u refused, over %u rewrites\n", ok, bad,
		      atomic_load(&s.flips));
	/* Every read, good or bad, gave the buffer back. */
	assert_int_equal(fake.ncalls, ok + bad);
	munmap(view, PAGE);
	munmap(reserve, 2 * PAGE);
	close(fd);
}

/* ---- Two VMs: one serves, one asks ------------------------------------------------ */

/*
 * The broker: one requester VM, one receiver VM with one vCPU, calls
 * blocking as the mediator blocks them. Guarded by lock; cond signals any
 * change.
 */
struct broker {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool receiver_waiting; /* in MSG_WAIT (or a response's wait) */
	bool request_ready;    /* for the receiver */
	struct ffamed_regs request;
	bool answer_ready; /* for the requester: a response or FFA_YIELD */
	struct ffamed_regs answer;
	bool yielded;	/* the receiver waits in FFA_YIELD for an FFA_RUN */
	bool run_given; /* the requester ran it */
	bool interrupt; /* the host takes the receiver back */
	unsigned yields;
};

struct endpoint {
	struct broker *b;
	uint16_t id;
};

/* Receiver side: wait for a request or an interrupt; the event in regs. */
static void broker_wait(struct broker *b, struct ffamed_regs *regs)
{
	b->receiver_waiting = true;
	pthread_cond_broadcast(&b->cond);
	while (!b->request_ready && !b->interrupt)
		pthread_cond_wait(&b->cond, &b->lock);
	b->receiver_waiting = false;
	if (b->interrupt) {
		b->interrupt = false;
		ffa_regs_clear(regs);
		regs->x[0] = FFA_INTERRUPT;
		return;
	}
	b->request_ready = false;
	*regs = b->request;
}

static void broker_answer(struct broker *b, const struct ffamed_regs *answer)
{
	b->answer = *answer;
	b->answer_ready = true;
	pthread_cond_broadcast(&b->cond);
}

/* Requester side: the answer to a request or an FFA_RUN. */
static void broker_collect(struct broker *b, struct ffamed_regs *regs)
{
	while (!b->answer_ready)
		pthread_cond_wait(&b->cond, &b->lock);
	b->answer_ready = false;
	*regs = b->answer;
}

static void broker_call(void *ctx, struct ffamed_regs *regs)
{
	struct endpoint *ep = ctx;
	struct broker *b = ep->b;
	uint32_t fid = (uint32_t)regs->x[0];

	pthread_mutex_lock(&b->lock);
	switch (fid) {
	case FFA_MSG_WAIT:
		broker_wait(b, regs);
		break;
	case FFA_MSG_SEND_DIRECT_RESP_32:
	case FFA_MSG_SEND_DIRECT_RESP_64:
	case FFA_MSG_SEND_DIRECT_RESP2:
		broker_answer(b, regs);
		broker_wait(b, regs);
		break;
	case FFA_YIELD: {
		struct ffamed_regs y;

		ffa_regs_clear(&y);
		y.x[0] = FFA_YIELD;
		y.x[1] = FFA_TARGET_INFO(ep->id, 0);
		b->yielded = true;
		b->yields++;
		broker_answer(b, &y);
		while (!b->run_given)
			pthread_cond_wait(&b->cond, &b->lock);
		b->run_given = false;
		b->yielded = false;
		ffa_set_success32(regs, 0, 0, 0);
		break;
	}
	case FFA_RUN:
		assert_true(b->yielded);
		assert_int_equal(regs->x[1], FFA_TARGET_INFO(PEER_ID, 0));
		b->run_given = true;
		pthread_cond_broadcast(&b->cond);
		broker_collect(b, regs);
		break;
	case FFA_MSG_SEND_DIRECT_REQ_32:
	case FFA_MSG_SEND_DIRECT_REQ_64:
	case FFA_MSG_SEND_DIRECT_REQ2:
		while (!b->receiver_waiting || b->request_ready)
			pthread_cond_wait(&b->cond, &b->lock);
		b->request = *regs;
		b->request_ready = true;
		pthread_cond_broadcast(&b->cond);
		broker_collect(b, regs);
		break;
	default:
		ffa_set_error(regs, FFA_RET_NOT_SUPPORTED);
		break;
	}
	pthread_mutex_unlock(&b->lock);
}

#define REQUESTS 300

struct server {
	struct endpoint ep;
	struct ffac c;
	_Atomic bool stop;
	struct ffac_serve_stats stats;
	int32_t ret;
	unsigned runs; /* handler runs, server thread only */
};

/* Answers payload + 1 per word; every 5th request yields once first. */
static int serve_add_one(void *ctx, const struct ffac_direct_msg *msg, uint64_t resp[14])
{
	struct server *s = ctx;

	s->runs++;
	if (msg->payload[0] % 5 == 0 && resp[13] == 0) {
		resp[13] = 1; /* remembered across the yield */
		return FFAC_DIRECT_YIELD;
	}
	for (unsigned i = 0; i < msg->words; i++)
		resp[i] = msg->payload[i] + 1;
	if (msg->words < 14)
		resp[13] = 0;
	return FFAC_DIRECT_RESPOND;
}

static void *server_thread(void *arg)
{
	struct server *s = arg;

	s->ret = ffac_direct_serve(&s->c, serve_add_one, s, &s->stop, &s->stats);
	return NULL;
}

static void vm_serves_vm(void **state)
{
	struct broker b = {.receiver_waiting = false};
	struct server srv = {.ep = {.b = &b, .id = PEER_ID}};
	struct endpoint asker_ep = {.b = &b, .id = OWN_ID};
	struct ffac asker;
	uint32_t resumes_total = 0;
	pthread_t t;

	(void)state;
	pthread_mutex_init(&b.lock, NULL);
	pthread_cond_init(&b.cond, NULL);
	ffac_init(&srv.c, broker_call, &srv.ep);
	srv.c.version = FFA_VERSION_1_2;
	srv.c.id = PEER_ID;
	atomic_init(&srv.stop, false);
	ffac_init(&asker, broker_call, &asker_ep);
	asker.version = FFA_VERSION_1_2;
	asker.id = OWN_ID;
	assert_int_equal(pthread_create(&t, NULL, server_thread, &srv), 0);

	for (uint64_t n = 1; n <= REQUESTS; n++) {
		uint32_t resumes = 0;

		if (n % 2) {
			uint64_t args[5] = {n, n + 1, n + 2, n + 3, n + 4}, out[5];

			assert_int_equal(
				ffac_direct_req(&asker, PEER_ID, n % 3 != 0, args, out, &resumes),
				FFA_RET_OK);
			for (int i = 0; i < 5; i++)
				assert_int_equal(out[i], args[i] + 1);
		} else {
			uint64_t args[14], out[14];

			for (int i = 0; i < 14; i++)
				args[i] = n * 100 + (uint64_t)i;
			args[0] = n;
			assert_int_equal(
				ffac_direct_req2(&asker, PEER_ID, NULL, args, out, &resumes),
				FFA_RET_OK);
			for (int i = 0; i < 13; i++)
				assert_int_equal(out[i], args[i] + 1);
		}
		/* A yielding handler costs the requester exactly one FFA_RUN. */
		assert_int_equal(resumes, n % 5 == 0 ? 1 : 0);
		resumes_total += resumes;
	}

	/* Stop: the host takes the waiting receiver back. */
	atomic_store(&srv.stop, true);
	pthread_mutex_lock(&b.lock);
	b.interrupt = true;
	pthread_cond_broadcast(&b.cond);
	pthread_mutex_unlock(&b.lock);
	pthread_join(t, NULL);

	assert_int_equal(srv.ret, FFA_RET_OK);
	assert_int_equal(srv.stats.requests, REQUESTS);
	assert_int_equal(srv.stats.yields, REQUESTS / 5);
	assert_int_equal(srv.stats.interrupts, 1);
	assert_int_equal(srv.runs, REQUESTS + REQUESTS / 5);
	assert_int_equal(resumes_total, REQUESTS / 5);
	assert_int_equal(b.yields, REQUESTS / 5);
	pthread_cond_destroy(&b.cond);
	pthread_mutex_destroy(&b.lock);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(header_rewritten_while_read),
		cmocka_unit_test(vm_serves_vm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
