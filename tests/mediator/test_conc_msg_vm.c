/* SPDX-License-Identifier: MIT */
/*
 * Direct messages between VMs with real threads (docs/MESSAGING.md): each
 * vCPU is a thread. A server VM with two vCPUs loops FFA_MSG_WAIT/RESP and
 * echoes; four client vCPUs of two VMs loop requests (REQ_32, REQ_64,
 * REQ2 in turn) and retry on BUSY. Every request carries a unique tag:
 * the server counts each tag it receives, the client checks that its own
 * tag comes back. Then the server is stopped with ffamed_vcpu_interrupt.
 * The second test destroys the server while requests are in flight: every
 * request ends answered or ABORTED, never lost, never twice.
 */
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "med_fixture.h"

#define SERVER	      10
#define SRV_VCPUS     2
#define CLIENTS	      4 /* VMs 1 and 2, two vCPUs each */
#define ITERS	      300
#define MAX_ITERS     100000 /* the destroy test's bound per client */
#define TAG(c, i)     (((uint64_t)(c) << 20) | (uint64_t)(i))
#define TAG_CLIENT(t) ((unsigned)((t) >> 20))
#define TAG_ITER(t)   ((unsigned)((t)&0xFFFFF))

static struct fix *fix;
static struct fix_vm *srv, *cvm[2];

/* What went wrong in a thread (cmocka asserts belong to the main thread). */
static _Atomic unsigned bad;
/* Per client and iteration: times the server received / answered it. */
static _Atomic uint8_t received[CLIENTS][MAX_ITERS];
static _Atomic uint8_t answered[CLIENTS][MAX_ITERS];
static _Atomic uint64_t srv_handled[SRV_VCPUS];
static _Atomic bool srv_stop; /* servers leave at their next request, holding it */
static _Atomic bool srv_exited[SRV_VCPUS];
/* The third test: a host thread takes vCPUs back at random moments. */
static _Atomic bool storm, storm_over, storm_clients_only;
static _Atomic uint64_t yields_interrupted, runs;

static void complain(const char *what, const struct ffamed_regs *r)
{
	fprintf(stderr, "%s: x0 %lx x1 %lx x2 %lx x3 %lx\n", what, (unsigned long)r->x[0],
		(unsigned long)r->x[1], (unsigned long)r->x[2], (unsigned long)r->x[3]);
	atomic_fetch_add(&bad, 1);
}

static bool is_req(uint64_t fid)
{
	return fid == FFA_MSG_SEND_DIRECT_REQ_32 || fid == FFA_MSG_SEND_DIRECT_REQ_64 ||
	       fid == FFA_MSG_SEND_DIRECT_REQ2;
}

static int payload_reg(uint64_t fid)
{
	return fid == FFA_MSG_SEND_DIRECT_REQ2 || fid == FFA_MSG_SEND_DIRECT_RESP2 ? 4 : 3;
}

static void *server(void *arg)
{
	uint16_t vcpu = (uint16_t)(uintptr_t)arg;
	struct ffamed_regs in = {{FFA_MSG_WAIT}}, r;

	for (;;) {
		uint64_t tag;
		uint16_t from;
		int p;

		r = fix_call_sync(srv, vcpu, &in);
		if (r.x[0] == FFA_INTERRUPT) {
			/* In a storm, taken back while waiting: wait again. */
			if (atomic_load(&storm) && !atomic_load(&storm_over) &&
			    !atomic_load(&srv_stop)) {
				in = (struct ffamed_regs){{FFA_MSG_WAIT}};
				continue;
			}
			break;
		}
		if (!is_req(r.x[0]) || FFA_RECEIVER((uint32_t)r.x[1]) != SERVER) {
			complain("server: not a request", &r);
			break;
		}
		from = FFA_SENDER((uint32_t)r.x[1]);
		p = payload_reg(r.x[0]);
		tag = r.x[p];
		if (TAG_CLIENT(tag) >= CLIENTS || TAG_ITER(tag) >= MAX_ITERS ||
		    (unsigned)from != 1 + TAG_CLIENT(tag) / 2) {
			complain("server: bad tag", &r);
			break;
		}
		atomic_fetch_add(&received[TAG_CLIENT(tag)][TAG_ITER(tag)], 1);
		/* Stopped by the host while handling: the request stays held. */
		if (atomic_load(&srv_stop))
			break;
		/* In a storm, every third request is yielded first: the yield
		 * ends at the client's FFA_RUN, or when the host takes us back
		 * (the request is still ours either way). */
		if (atomic_load(&storm) && TAG_ITER(tag) % 3 == 0) {
			struct ffamed_regs y = {{FFA_YIELD}};

			y = fix_call_sync(srv, vcpu, &y);
			if (y.x[0] == FFA_INTERRUPT)
				atomic_fetch_add(&yields_interrupted, 1);
			else if (y.x[0] != FFA_SUCCESS_32)
				complain("server: yield", &y);
		}
		/* Echo: tag back, plus a word the client checks. */
		in = (struct ffamed_regs){
			{ffa_direct_resp_fid((uint32_t)r.x[0]), FFA_SENDER_RECEIVER(SERVER, from)}};
		in.x[p] = tag;
		in.x[p + 1] = tag ^ 0x5A5A5A5Au;
		atomic_fetch_add(&answered[TAG_CLIENT(tag)][TAG_ITER(tag)], 1);
		atomic_fetch_add(&srv_handled[vcpu], 1);
	}
	atomic_store(&srv_exited[vcpu], true);
	return NULL;
}

struct client {
	unsigned idx;
	uint64_t iters; /* 0: until the server is gone */
	uint64_t ok, busy, aborted, gone;
};

static void *client(void *arg)
{
	struct client *c = arg;
	struct fix_vm *v = cvm[c->idx / 2];
	uint16_t vcpu = (uint16_t)(c->idx % 2);
	static const uint32_t fids[] = {FFA_MSG_SEND_DIRECT_REQ_32, FFA_MSG_SEND_DIRECT_REQ_64,
					FFA_MSG_SEND_DIRECT_REQ2};

	for (uint64_t i = 0; (!c->iters || i < c->iters) && i < MAX_ITERS;) {
		uint32_t fid = fids[i % 3];
		int p = payload_reg(fid);
		uint64_t tag = TAG(c->idx, i);
		struct ffamed_regs in = {{fid, FFA_SENDER_RECEIVER(v->id, SERVER)}}, r;

		bool ran = false;

		in.x[p] = tag;
		r = fix_call_sync(v, vcpu, &in);
		/* Taken back, or the server yielded: run the server's vCPU the
		 * reply names, until the response comes. */
		while (r.x[0] == FFA_INTERRUPT || r.x[0] == FFA_YIELD) {
			struct ffamed_regs run = {{FFA_RUN, (uint32_t)r.x[1]}};

			if (FFA_TARGET_EP((uint32_t)r.x[1]) != SERVER) {
				complain("client: interrupt names another VM", &r);
				return NULL;
			}
			atomic_fetch_add(&runs, 1);
			r = fix_call_sync(v, vcpu, &run);
			ran = true;
		}
		if (r.x[0] == FFA_ERROR) {
			int32_t e = ffa_error_code(&r);

			if (e == FFA_RET_BUSY && !ran) {
				c->busy++;
				sched_yield();
				continue;
			}
			if (e == FFA_RET_ABORTED && !c->iters) {
				c->aborted++;
				i++;
				continue;
			}
			/* Only a new request may find the server gone: one
			 * outstanding ends with its response or ABORTED. */
			if (e == FFA_RET_INVALID_PARAMETERS && !c->iters && !ran) {
				c->gone++; /* the server is destroyed: done */
				break;
			}
			complain("client: error", &r);
			break;
		}
		if (r.x[0] != ffa_direct_resp_fid(fid) ||
		    r.x[1] != FFA_SENDER_RECEIVER(SERVER, v->id) || r.x[p] != tag ||
		    r.x[p + 1] != (tag ^ 0x5A5A5A5Au)) {
			complain("client: wrong response", &r);
			break;
		}
		c->ok++;
		i++;
	}
	return NULL;
}

static void setup_vms(void)
{
	struct fix_opts o = {.med_cfg = {.vm_to_vm = true}, .blocking = true};

	fix = fix_create(&o);
	srv = fix_vm(fix, SERVER, SRV_VCPUS);
	cvm[0] = fix_vm(fix, 1, 2);
	cvm[1] = fix_vm(fix, 2, 2);
	fix_negotiate(srv, FFA_VERSION_1_2);
	fix_negotiate(cvm[0], FFA_VERSION_1_2);
	fix_negotiate(cvm[1], FFA_VERSION_1_2);
	memset(received, 0, sizeof(received));
	memset(answered, 0, sizeof(answered));
	memset(srv_handled, 0, sizeof(srv_handled));
	atomic_store(&bad, 0);
	atomic_store(&srv_stop, false);
	atomic_store(&storm, false);
	atomic_store(&storm_over, false);
	atomic_store(&storm_clients_only, false);
	atomic_store(&yields_interrupted, 0);
	atomic_store(&runs, 0);
	for (int i = 0; i < SRV_VCPUS; i++)
		atomic_store(&srv_exited[i], false);
}

/* Takes the server's vCPUs back (each once it waits) and joins them. */
static void stop_servers(pthread_t *th)
{
	for (int v = 0; v < SRV_VCPUS; v++) {
		while (!atomic_load(&srv_exited[v])) {
			(void)ffamed_vcpu_interrupt(srv->vm, (uint16_t)v);
			sched_yield();
		}
		pthread_join(th[v], NULL);
	}
}

static void ping_pong(void **state)
{
	(void)state;
	pthread_t sth[SRV_VCPUS], cth[CLIENTS];
	struct client cl[CLIENTS];
	uint64_t ok = 0, busy = 0, handled = 0;

	setup_vms();
	for (int v = 0; v < SRV_VCPUS; v++)
		assert_int_equal(pthread_create(&sth[v], NULL, server, (void *)(uintptr_t)v), 0);
	for (unsigned i = 0; i < CLIENTS; i++) {
		cl[i] = (struct client){.idx = i, .iters = ITERS};
		assert_int_equal(pthread_create(&cth[i], NULL, client, &cl[i]), 0);
	}
	for (unsigned i = 0; i < CLIENTS; i++) {
		pthread_join(cth[i], NULL);
		assert_int_equal(cl[i].ok, ITERS);
		ok += cl[i].ok;
		busy += cl[i].busy;
	}
	stop_servers(sth);
	assert_int_equal(atomic_load(&bad), 0);
	/* Every request received and answered exactly once. */
	for (unsigned c = 0; c < CLIENTS; c++)
		for (unsigned i = 0; i < ITERS; i++) {
			assert_int_equal(atomic_load(&received[c][i]), 1);
			assert_int_equal(atomic_load(&answered[c][i]), 1);
		}
	for (int v = 0; v < SRV_VCPUS; v++)
		handled += atomic_load(&srv_handled[v]);
	assert_int_equal(handled, ok);
	/* Both stopped: nothing blocked any more. */
	for (int v = 0; v < SRV_VCPUS; v++)
		assert_false(ffamed_vcpu_interrupt(srv->vm, (uint16_t)v));
	print_message("ping-pong: %lu requests, %lu BUSY retries\n", (unsigned long)ok,
		      (unsigned long)busy);
	fix_vm_destroy(srv);
	fix_vm_destroy(cvm[0]);
	fix_vm_destroy(cvm[1]);
	fix_destroy(fix); /* no leak, no port contract violation */
}

static void destroy_in_flight(void **state)
{
	(void)state;
	pthread_t sth[SRV_VCPUS], cth[CLIENTS];
	struct client cl[CLIENTS];
	uint64_t ok = 0, aborted = 0, got = 0, ans = 0, recv = 0;

	setup_vms();
	for (int v = 0; v < SRV_VCPUS; v++)
		assert_int_equal(pthread_create(&sth[v], NULL, server, (void *)(uintptr_t)v), 0);
	for (unsigned i = 0; i < CLIENTS; i++) {
		cl[i] = (struct client){.idx = i};
		assert_int_equal(pthread_create(&cth[i], NULL, client, &cl[i]), 0);
	}
	/* Some traffic first, then the host stops the server mid-flight: a
	 * vCPU handling a request keeps it, one waiting is taken back. */
	while (got < 200 && !atomic_load(&bad)) {
		got = 0;
		for (int v = 0; v < SRV_VCPUS; v++)
			got += atomic_load(&srv_handled[v]);
		sched_yield();
	}
	atomic_store(&srv_stop, true);
	stop_servers(sth);
	fix_vm_destroy(srv);
	srv = NULL;
	for (unsigned i = 0; i < CLIENTS; i++) {
		pthread_join(cth[i], NULL);
		assert_int_equal(cl[i].gone, 1);
		ok += cl[i].ok;
		aborted += cl[i].aborted;
	}
	assert_int_equal(atomic_load(&bad), 0);
	/* Each request the server got was answered or aborted, once. */
	for (unsigned c = 0; c < CLIENTS; c++)
		for (unsigned i = 0; i < MAX_ITERS; i++) {
			uint8_t rc = atomic_load(&received[c][i]),
				an = atomic_load(&answered[c][i]);

			assert_true(rc <= 1 && an <= rc);
			recv += rc;
			ans += an;
		}
	assert_int_equal(ans, ok);
	assert_int_equal(recv, ok + aborted);
	/* At most one held request per server vCPU. */
	assert_true(aborted <= SRV_VCPUS);
	print_message("destroy: %lu answered, %lu aborted\n", (unsigned long)ok,
		      (unsigned long)aborted);
	fix_vm_destroy(cvm[0]);
	fix_vm_destroy(cvm[1]);
	fix_destroy(fix);
}

static void *host_storm(void *arg)
{
	_Atomic uint64_t *taken = arg;
	unsigned n = 0;

	while (!atomic_load(&storm_over)) {
		bool clients = atomic_load(&storm_clients_only);
		struct fix_vm *v = n % 3 == 2 && !clients ? srv : cvm[n % 2];
		uint16_t vcpu = (uint16_t)((n / 3) % 2);

		if (ffamed_vcpu_interrupt(v->vm, vcpu))
			atomic_fetch_add(taken, 1);
		n++;
		sched_yield();
	}
	return NULL;
}

/* The same traffic while the host takes client and server vCPUs back at
 * random and the server yields: interrupted and yielded requests resume
 * with FFA_RUN, and every request is still answered exactly once. */
static void interrupt_storm(void **state)
{
	(void)state;
	pthread_t sth[SRV_VCPUS], cth[CLIENTS], hth;
	struct client cl[CLIENTS];
	_Atomic uint64_t taken = 0;
	uint64_t ok = 0, handled = 0;

	setup_vms();
	atomic_store(&storm, true);
	for (int v = 0; v < SRV_VCPUS; v++)
		assert_int_equal(pthread_create(&sth[v], NULL, server, (void *)(uintptr_t)v), 0);
	for (unsigned i = 0; i < CLIENTS; i++) {
		cl[i] = (struct client){.idx = i, .iters = ITERS};
		assert_int_equal(pthread_create(&cth[i], NULL, client, &cl[i]), 0);
	}
	assert_int_equal(pthread_create(&hth, NULL, host_storm, &taken), 0);
	for (unsigned i = 0; i < CLIENTS; i++) {
		pthread_join(cth[i], NULL);
		assert_int_equal(cl[i].ok, ITERS);
		ok += cl[i].ok;
	}
	atomic_store(&storm_over, true);
	pthread_join(hth, NULL);
	stop_servers(sth);
	assert_int_equal(atomic_load(&bad), 0);
	for (unsigned c = 0; c < CLIENTS; c++)
		for (unsigned i = 0; i < ITERS; i++) {
			assert_int_equal(atomic_load(&received[c][i]), 1);
			assert_int_equal(atomic_load(&answered[c][i]), 1);
		}
	for (int v = 0; v < SRV_VCPUS; v++)
		handled += atomic_load(&srv_handled[v]);
	assert_int_equal(handled, ok);
	/* Every third request was yielded: each needed at least one RUN. */
	assert_true(atomic_load(&runs) >= (uint64_t)CLIENTS * ITERS / 3);
	print_message("storm: %lu requests, %lu vCPUs taken back, %lu FFA_RUN, %lu yields "
		      "interrupted\n",
		      (unsigned long)ok, (unsigned long)atomic_load(&taken),
		      (unsigned long)atomic_load(&runs),
		      (unsigned long)atomic_load(&yields_interrupted));
	fix_vm_destroy(srv);
	fix_vm_destroy(cvm[0]);
	fix_vm_destroy(cvm[1]);
	fix_destroy(fix);
}

/* The server destroyed while the host takes client vCPUs back: a client
 * interrupted in a request to it gets ABORTED from its FFA_RUN, however
 * the RUN and the teardown interleave. */
static void destroy_in_storm(void **state)
{
	(void)state;
	pthread_t sth[SRV_VCPUS], cth[CLIENTS], hth;
	struct client cl[CLIENTS];
	_Atomic uint64_t taken = 0;
	uint64_t ok = 0, aborted = 0, got = 0, ans = 0, recv = 0;

	setup_vms();
	atomic_store(&storm, true);
	for (int v = 0; v < SRV_VCPUS; v++)
		assert_int_equal(pthread_create(&sth[v], NULL, server, (void *)(uintptr_t)v), 0);
	for (unsigned i = 0; i < CLIENTS; i++) {
		cl[i] = (struct client){.idx = i};
		assert_int_equal(pthread_create(&cth[i], NULL, client, &cl[i]), 0);
	}
	assert_int_equal(pthread_create(&hth, NULL, host_storm, &taken), 0);
	while (got < 200 && !atomic_load(&bad)) {
		got = 0;
		for (int v = 0; v < SRV_VCPUS; v++)
			got += atomic_load(&srv_handled[v]);
		sched_yield();
	}
	atomic_store(&storm_clients_only, true);
	atomic_store(&srv_stop, true);
	stop_servers(sth);
	fix_vm_destroy(srv);
	srv = NULL;
	for (unsigned i = 0; i < CLIENTS; i++) {
		pthread_join(cth[i], NULL);
		assert_int_equal(cl[i].gone, 1);
		ok += cl[i].ok;
		aborted += cl[i].aborted;
	}
	atomic_store(&storm_over, true);
	pthread_join(hth, NULL);
	assert_int_equal(atomic_load(&bad), 0);
	for (unsigned c = 0; c < CLIENTS; c++)
		for (unsigned i = 0; i < MAX_ITERS; i++) {
			uint8_t rc = atomic_load(&received[c][i]),
				an = atomic_load(&answered[c][i]);

			assert_true(rc <= 1 && an <= rc);
			recv += rc;
			ans += an;
		}
	assert_int_equal(ans, ok);
	assert_int_equal(recv, ok + aborted);
	print_message("destroy in storm: %lu answered, %lu aborted, %lu vCPUs taken back\n",
		      (unsigned long)ok, (unsigned long)aborted,
		      (unsigned long)atomic_load(&taken));
	fix_vm_destroy(cvm[0]);
	fix_vm_destroy(cvm[1]);
	fix_destroy(fix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ping_pong),
		cmocka_unit_test(destroy_in_flight),
		cmocka_unit_test(interrupt_storm),
		cmocka_unit_test(destroy_in_storm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
