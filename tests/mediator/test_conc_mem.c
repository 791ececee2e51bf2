/* SPDX-License-Identifier: MIT */
/*
 * Memory sharing under concurrency (also run under TSan):
 *   - a thread rewrites the sender's TX buffer while it sends: the mediator
 *     reads its own copy, so every answer is a clean success or error and
 *     every success is a real, reclaimable transaction;
 *   - two vCPUs of one VM lend the same page at once: never both hold it;
 *   - four vCPUs share and lend overlapping pages: a page is in one live
 *     transaction at a time, and ownership is exactly back at the end;
 *   - many VMs share with VMs and with an MP memory SP, retrieve,
 *     relinquish and reclaim at once; everything is back at the end.
 */
#include "mem_builder.h"

#include <sched.h>
#include <string.h>

#define FIRST 8u
#define MEMSP 0x8004u
#define ITER  150

/* ---- TX rewritten during the call ------------------------------------------ */

struct scribbler {
	struct fix_vm *v;
	const uint8_t *good;
	const uint8_t *evil; /* the same length, hostile fields */
	size_t len;
	atomic_bool stop;
	atomic_uint rounds; /* evil/good flips done */
};

/* Flips the TX between the good and the evil descriptor, byte by byte,
 * with a stray garbage byte now and then: a copy may be any mix. */
static void *scribble(void *arg)
{
	struct scribbler *s = arg;
	uint32_t x = 12345;

	fix_set_cpu(1);
	while (!atomic_load(&s->stop)) {
		uint8_t *tx = fix_vm_ptr(s->v, MB_TX_IPA);

		x = x * 1103515245u + 12345u;
		for (size_t i = 0; i < s->len; i++)
			__atomic_store_n(&tx[i], s->evil[i], __ATOMIC_RELAXED);
		if ((x >> 16) % 4 == 0)
			__atomic_store_n(&tx[(x >> 8) % s->len], (uint8_t)(x >> 24),
					 __ATOMIC_RELAXED);
		for (size_t i = 0; i < s->len; i++)
			__atomic_store_n(&tx[i], s->good[i], __ATOMIC_RELAXED);
		atomic_fetch_add(&s->rounds, 1);
		/* Leave it good a while, so that some copies are whole. */
		for (uint32_t k = (x >> 20) % 1024; k && !atomic_load(&s->stop); k--)
			;
	}
	return NULL;
}

static void test_tx_rewritten(void **state)
{
	struct fix *fix = fix_create(NULL);
	struct fix_vm *a = fix_vm(fix, 1, 2), *b = fix_vm(fix, 2, 1);
	struct scribbler s = {.v = a};
	uint8_t desc[512], evil[512];
	uint64_t pins;
	pthread_t t;

	(void)state;
	fix_negotiate(a, FFA_VERSION_1_2);
	fix_negotiate(b, FFA_VERSION_1_2);
	fix_map_default(a, 1);
	fix_map_default(b, 1);
	pins = fix_vm_pins(a);
	s.len = mb_simple(desc, sizeof(desc), FFA_VERSION_1_2, 1, 2, FFA_MEM_PERM_DATA_RW, NULL,
			  FIRST, 4);
	mb_fit(desc, FFA_VERSION_1_2, FFA_MEM_LEND_32);
	s.good = desc;
	/* Evil: a huge page count, a composite past the end, another sender,
	 * overlapping constituents; each alone must be refused. */
	memcpy(evil, desc, s.len);
	{
		size_t comp = mb_comp_offset(FFA_VERSION_1_2, 1);
		uint32_t huge = 0x7FFFFFFFu, far = 0xFFFFFFF0u;
		uint64_t dup = MB_IPA(FIRST);

		memcpy(evil + comp, &huge, sizeof(huge));
		memcpy(evil + 48 + 4, &far, sizeof(far));
		evil[0] = 7;
		memcpy(evil + comp + 16 + 16, &dup, sizeof(dup));
	}
	s.evil = evil;
	mb_write_tx(a, 0, desc, s.len);
	assert_int_equal(pthread_create(&t, NULL, scribble, &s), 0);
	while (!atomic_load(&s.rounds))
		sched_yield(); /* racing from the first call */
	for (int i = 0; i < ITER * 4; i++) {
		struct ffamed_regs r = fix_call(a, 0, i & 1 ? FFA_MEM_LEND_32 : FFA_MEM_LEND_64,
						s.len, s.len, 0, 0, 0);

		if (ffa_is_success(&r)) {
			uint64_t h = (uint32_t)r.x[2] | ((uint64_t)(uint32_t)r.x[3] << 32);

			assert_int_equal(mb_reclaim(a, h, 0), FFA_RET_OK);
		} else {
			assert_int_equal((uint32_t)r.x[0], FFA_ERROR);
		}
		assert_int_equal(fix_vm_pins(a), pins);
		assert_int_equal(fix_vm_revoked_pages(a), 0);
	}
	atomic_store(&s.stop, true);
	pthread_join(t, NULL);
	/* Nothing is wedged: the good descriptor, now stable, goes through. */
	mb_write_tx(a, 0, desc, s.len);
	{
		struct ffamed_regs r = fix_call(a, 0, FFA_MEM_LEND_64, s.len, s.len, 0, 0, 0);
		uint64_t h = (uint32_t)r.x[2] | ((uint64_t)(uint32_t)r.x[3] << 32);

		assert_ffa_success(r);
		assert_int_equal(mb_reclaim(a, h, 0), FFA_RET_OK);
	}
	fix_vm_destroy(b);
	fix_vm_destroy(a);
	fix_destroy(fix);
}

/* ---- Two vCPUs lend the same page ---------------------------------------------- */

struct racer {
	struct fix_vm *v;
	uint16_t vcpu;
	size_t len;
	atomic_int *holders;
	int wins;
};

static void *race_lend(void *arg)
{
	struct racer *r = arg;

	fix_set_cpu(r->vcpu);
	for (int i = 0; i < ITER; i++) {
		struct ffamed_regs x =
			fix_call(r->v, r->vcpu, FFA_MEM_LEND_64, r->len, r->len, 0, 0, 0);

		if (ffa_is_success(&x)) {
			uint64_t h = (uint32_t)x.x[2] | ((uint64_t)(uint32_t)x.x[3] << 32);
			struct ffamed_regs y;

			assert_int_equal(atomic_fetch_add(r->holders, 1), 0);
			r->wins++;
			atomic_fetch_sub(r->holders, 1);
			y = fix_call(r->v, r->vcpu, FFA_MEM_RECLAIM, (uint32_t)h, h >> 32, 0, 0, 0);
			assert_ffa_success(y);
		} else {
			assert_int_equal(x.x[2], (uint64_t)(uint32_t)FFA_RET_DENIED);
		}
	}
	return NULL;
}

static void test_same_page_race(void **state)
{
	struct fix *fix = fix_create(NULL);
	struct fix_vm *a = fix_vm(fix, 1, 2), *b = fix_vm(fix, 2, 1);
	atomic_int holders = 0;
	struct racer r[2];
	pthread_t t[2];
	uint8_t desc[512];
	size_t len;

	(void)state;
	fix_negotiate(a, FFA_VERSION_1_1);
	fix_negotiate(b, FFA_VERSION_1_1);
	fix_map_default(a, 1);
	len = mb_simple(desc, sizeof(desc), FFA_VERSION_1_1, 1, 2, FFA_MEM_PERM_DATA_RW, NULL,
			FIRST, 2);
	mb_fit(desc, FFA_VERSION_1_1, FFA_MEM_LEND_64);
	mb_write_tx(a, 0, desc, len);
	for (int i = 0; i < 2; i++) {
		r[i] = (struct racer){.v = a, .vcpu = (uint16_t)i, .len = len, .holders = &holders};
		assert_int_equal(pthread_create(&t[i], NULL, race_lend, &r[i]), 0);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	assert_true(r[0].wins + r[1].wins > 0);
	assert_int_equal(fix_vm_revoked_pages(a), 0);
	fix_vm_destroy(b);
	fix_vm_destroy(a);
	fix_destroy(fix);
}

/* ---- Overlapping shares and lends from several vCPUs ------------------------------ */

/*
 * Four vCPUs of one VM share (and now and then lend) overlapping three-page
 * windows of six pages, and reclaim them. A page is in at most one live
 * transaction (docs/MEMORY.md §3: no share over a share): each success must
 * find its pages free in the test's own count, every refusal is DENIED, and
 * at the end ownership is exactly back (no pins, no revoked page, no
 * transaction, the whole range sendable again).
 */
#define OVL_VCPUS 4
#define OVL_PAGES 6

struct overlap {
	struct fix_vm *a;
	pthread_mutex_t tx; /* one TX per VM: a write and its call go together */
	atomic_int held[OVL_PAGES];
	atomic_int wins, denied;
};

struct overlap_arg {
	struct overlap *o;
	uint16_t vcpu;
};

static void *overlap_worker(void *arg)
{
	struct overlap_arg *w = arg;
	struct overlap *o = w->o;
	uint8_t desc[256];

	fix_set_cpu(w->vcpu);
	for (int i = 0; i < ITER; i++) {
		uint32_t first = (uint32_t)(w->vcpu + i) % (OVL_PAGES - 2);
		uint32_t fid = i % 4 == 3 ? FFA_MEM_LEND_64 : FFA_MEM_SHARE_64;
		size_t len = mb_simple(desc, sizeof(desc), FFA_VERSION_1_2, 1, 2,
				       FFA_MEM_PERM_DATA_RW, NULL, FIRST + first, 3);
		struct ffamed_regs r;

		mb_fit(desc, FFA_VERSION_1_2, fid);
		pthread_mutex_lock(&o->tx);
		mb_write_tx(o->a, 0, desc, len);
		r = fix_call(o->a, w->vcpu, fid, len, len, 0, 0, 0);
		pthread_mutex_unlock(&o->tx);
		if (ffa_is_success(&r)) {
			uint64_t h = (uint32_t)r.x[2] | ((uint64_t)(uint32_t)r.x[3] << 32);

			for (uint32_t p = first; p < first + 3; p++)
				assert_int_equal(atomic_fetch_add(&o->held[p], 1), 0);
			atomic_fetch_add(&o->wins, 1);
			sched_yield();
			for (uint32_t p = first; p < first + 3; p++)
				atomic_fetch_sub(&o->held[p], 1);
			r = fix_call(o->a, w->vcpu, FFA_MEM_RECLAIM, (uint32_t)h, h >> 32, 0, 0, 0);
			assert_ffa_success(r);
		} else {
			assert_ffa_error(r, FFA_RET_DENIED);
			atomic_fetch_add(&o->denied, 1);
		}
	}
	return NULL;
}

static void test_overlapping_shares(void **state)
{
	struct fix *fix = fix_create(NULL);
	struct fix_vm *a = fix_vm(fix, 1, OVL_VCPUS), *b = fix_vm(fix, 2, 1);
	struct overlap o = {.a = a};
	struct overlap_arg args[OVL_VCPUS];
	pthread_t t[OVL_VCPUS];
	struct ffamed_mem_stats st;
	uint8_t desc[256];
	uint64_t pins, h = 0;
	size_t len;

	(void)state;
	pthread_mutex_init(&o.tx, NULL);
	fix_negotiate(a, FFA_VERSION_1_2);
	fix_negotiate(b, FFA_VERSION_1_2);
	fix_map_default(a, 1);
	pins = fix_vm_pins(a);
	for (int i = 0; i < OVL_VCPUS; i++) {
		args[i] = (struct overlap_arg){.o = &o, .vcpu = (uint16_t)i};
		assert_int_equal(pthread_create(&t[i], NULL, overlap_worker, &args[i]), 0);
	}
	for (int i = 0; i < OVL_VCPUS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(atomic_load(&o.wins) + atomic_load(&o.denied), OVL_VCPUS * ITER);
	assert_true(atomic_load(&o.wins) > 0);
	/* Ownership exactly back. */
	ffamed_get_mem_stats(fix->med, &st);
	assert_int_equal(st.transactions, 0);
	assert_int_equal(st.pages, 0);
	assert_int_equal(fix_vm_pins(a), pins);
	assert_int_equal(fix_vm_revoked_pages(a), 0);
	for (uint32_t p = 0; p < OVL_PAGES; p++)
		assert_true(fix_vm_accessible(a, MB_IPA(FIRST + p)));
	len = mb_simple(desc, sizeof(desc), FFA_VERSION_1_2, 1, 2, FFA_MEM_PERM_DATA_RW, NULL,
			FIRST, OVL_PAGES);
	mb_fit(desc, FFA_VERSION_1_2, FFA_MEM_LEND_32);
	assert_int_equal(mb_send(a, FFA_MEM_LEND_32, desc, len, FFA_PAGE_SIZE, &h, NULL),
			 FFA_RET_OK);
	assert_int_equal(fix_vm_revoked_pages(a), OVL_PAGES);
	assert_int_equal(mb_reclaim(a, h, 0), FFA_RET_OK);
	assert_int_equal(fix_vm_revoked_pages(a), 0);
	pthread_mutex_destroy(&o.tx);
	fix_vm_destroy(b);
	fix_vm_destroy(a);
	fix_destroy(fix);
}

/* ---- Many VMs, VM and SP borrowers ----------------------------------------------- */

#define NPAIRS 3

struct worker {
	struct fix_vm *owner, *borrower;
	uint16_t cpu;
	int done;
};

static void *work_loop(void *arg)
{
	struct worker *w = arg;
	uint8_t desc[512], resp[512];

	fix_set_cpu(w->cpu);
	for (int i = 0; i < ITER / 3; i++) {
		bool to_sp = i & 1;
		uint16_t to = to_sp ? MEMSP : w->borrower->id;
		uint64_t h = 0;
		size_t len = mb_simple(desc, sizeof(desc), FFA_VERSION_1_2, w->owner->id, to,
				       FFA_MEM_PERM_DATA_RW, NULL, FIRST + (uint32_t)(i % 4), 3);

		mb_fit(desc, FFA_VERSION_1_2, i & 2 ? FFA_MEM_LEND_32 : FFA_MEM_SHARE_32);
		assert_int_equal(mb_send(w->owner, i & 2 ? FFA_MEM_LEND_32 : FFA_MEM_SHARE_32, desc,
					 len, FFA_PAGE_SIZE, &h, NULL),
				 FFA_RET_OK);
		if (to_sp) {
			struct ffamed_regs in = {{FFA_MSG_SEND_DIRECT_REQ_32,
						  FFA_SENDER_RECEIVER(w->owner->id, MEMSP), 0,
						  FFAMED_MEMSP_CMD_RETRIEVE, (uint32_t)h, h >> 32,
						  FFAMED_MEMSP_ACCESS_RW}};
			struct ffamed_regs r = fix_call_regs(w->owner, 0, &in);

			assert_int_equal((uint32_t)r.x[4], 0);
			in.x[3] = FFAMED_MEMSP_CMD_RELINQUISH;
			r = fix_call_regs(w->owner, 0, &in);
			assert_int_equal((uint32_t)r.x[4], 0);
		} else {
			assert_int_equal(mb_retrieve(w->borrower, FFA_VERSION_1_2, h, w->owner->id,
						     0, 0, resp, sizeof(resp), NULL, NULL),
					 FFA_RET_OK);
			assert_int_equal(mb_relinquish(w->borrower, h, 0), FFA_RET_OK);
		}
		assert_int_equal(mb_reclaim(w->owner, h, 0), FFA_RET_OK);
		w->done++;
	}
	return NULL;
}

static void test_many_vms(void **state)
{
	struct ffamed_sp_config cfg;
	struct ffamed_sp_memsp memsp;
	struct fix_opts o = {.sps = &cfg, .sp_count = 1, .cpus = 4};
	struct worker w[NPAIRS];
	pthread_t t[NPAIRS];
	struct fix *fix;
	uint64_t pins[NPAIRS];

	(void)state;
	memset(&memsp, 0, sizeof(memsp));
	ffamed_sp_memsp_config(&cfg, &memsp, MEMSP, 4);
	fix = fix_create(&o);
	for (int i = 0; i < NPAIRS; i++) {
		w[i] = (struct worker){
			.owner = fix_vm(fix, (uint16_t)(1 + 2 * i), 1),
			.borrower = fix_vm(fix, (uint16_t)(2 + 2 * i), 1),
			.cpu = (uint16_t)i,
		};
		fix_negotiate(w[i].owner, FFA_VERSION_1_2);
		fix_negotiate(w[i].borrower, FFA_VERSION_1_2);
		fix_map_default(w[i].owner, 1);
		fix_map_default(w[i].borrower, 1);
		pins[i] = fix_vm_pins(w[i].owner);
	}
	for (int i = 0; i < NPAIRS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, work_loop, &w[i]), 0);
	for (int i = 0; i < NPAIRS; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < NPAIRS; i++) {
		assert_int_equal(w[i].done, ITER / 3);
		assert_int_equal(fix_vm_pins(w[i].owner), pins[i]);
		assert_int_equal(fix_vm_revoked_pages(w[i].owner), 0);
		assert_int_equal(fix_vm_window_pages(w[i].borrower), 0);
	}
	assert_int_equal(ffamed_spmc_mem_handle_count(fix->spmc), 0);
	for (int i = 0; i < NPAIRS; i++) {
		fix_vm_destroy(w[i].borrower);
		fix_vm_destroy(w[i].owner);
	}
	fix_destroy(fix);
}

/* ---- A borrower destroyed while owners work with it ----------------------------- */

struct teardown_race {
	struct fix_vm *a, *b, *c;
	_Atomic uint64_t slot; /* a handle A offers B, 0 = none */
	atomic_bool b_running; /* B's thread still takes offers */
	atomic_bool b_gone;    /* B destroyed */
	atomic_int a_reclaimed;
};

static void *race_owner_a(void *arg)
{
	struct teardown_race *t = arg;
	uint8_t desc[256];
	size_t len = mb_simple(desc, sizeof(desc), FFA_VERSION_1_2, 1, 2, FFA_MEM_PERM_DATA_RW,
			       NULL, FIRST, 2);

	mb_fit(desc, FFA_VERSION_1_2, FFA_MEM_LEND_32);
	fix_set_cpu(0);
	for (int i = 0; i < ITER && !atomic_load(&t->b_gone); i++) {
		uint64_t h = 0;
		int32_t rc = mb_send(t->a, FFA_MEM_LEND_32, desc, len, FFA_PAGE_SIZE, &h, NULL);

		if (rc != FFA_RET_OK) {
			assert_int_equal(rc, FFA_RET_INVALID_PARAMETERS); /* B is gone */
			continue;
		}
		atomic_store(&t->slot, h);
		while (atomic_load(&t->slot) && atomic_load(&t->b_running))
			sched_yield();
		atomic_store(&t->slot, 0);
		/* B may have kept it when it stopped: DENIED until B's teardown. */
		while ((rc = mb_reclaim(t->a, h, 0)) == FFA_RET_DENIED)
			sched_yield();
		assert_int_equal(rc, FFA_RET_OK);
		atomic_fetch_add(&t->a_reclaimed, 1);
	}
	return NULL;
}

static void *race_owner_c(void *arg)
{
	struct teardown_race *t = arg;
	uint8_t desc[256];
	size_t len = mb_simple(desc, sizeof(desc), FFA_VERSION_1_1, 3, 2, FFA_MEM_PERM_DATA_RO,
			       NULL, FIRST, 3);

	fix_set_cpu(2);
	for (int i = 0; i < ITER; i++) {
		uint64_t h = 0;
		int32_t rc = mb_send(t->c, FFA_MEM_SHARE_64, desc, len, FFA_PAGE_SIZE, &h, NULL);

		if (rc == FFA_RET_OK)
			assert_int_equal(mb_reclaim(t->c, h, 0), FFA_RET_OK);
		else
			assert_int_equal(rc, FFA_RET_INVALID_PARAMETERS);
	}
	return NULL;
}

static void *race_borrower(void *arg)
{
	struct teardown_race *t = arg;
	uint8_t resp[256];
	int taken = 0;

	fix_set_cpu(1);
	while (taken < ITER / 4) {
		uint64_t h = atomic_load(&t->slot);

		if (!h) {
			sched_yield();
			continue;
		}
		assert_int_equal(mb_retrieve(t->b, FFA_VERSION_1_2, h, 1, 0, 0, resp, sizeof(resp),
					     NULL, NULL),
				 FFA_RET_OK);
		/* The last one stays retrieved: teardown must take it away. */
		if (++taken == ITER / 4)
			break;
		assert_int_equal(mb_relinquish(t->b, h, 0), FFA_RET_OK);
		atomic_store(&t->slot, 0);
	}
	atomic_store(&t->b_running, false);
	return NULL;
}

static void test_borrower_teardown_race(void **state)
{
	struct fix *fix = fix_create(NULL);
	struct teardown_race t = {0};
	pthread_t ta, tb, tc;

	(void)state;
	t.a = fix_vm(fix, 1, 1);
	t.b = fix_vm(fix, 2, 1);
	t.c = fix_vm(fix, 3, 1);
	fix_negotiate(t.a, FFA_VERSION_1_2);
	fix_negotiate(t.b, FFA_VERSION_1_2);
	fix_negotiate(t.c, FFA_VERSION_1_1);
	fix_map_default(t.a, 1);
	fix_map_default(t.b, 1);
	fix_map_default(t.c, 1);
	atomic_store(&t.b_running, true);
	assert_int_equal(pthread_create(&tb, NULL, race_borrower, &t), 0);
	assert_int_equal(pthread_create(&ta, NULL, race_owner_a, &t), 0);
	assert_int_equal(pthread_create(&tc, NULL, race_owner_c, &t), 0);
	pthread_join(tb, NULL);
	/* B's vCPU is stopped; A and C are still sending to it. */
	ffamed_vm_destroy(t.b->vm);
	t.b->vm = NULL;
	atomic_store(&t.b_gone, true);
	pthread_join(ta, NULL);
	pthread_join(tc, NULL);
	assert_true(atomic_load(&t.a_reclaimed) >= ITER / 4);
	assert_int_equal(fix_vm_window_pages(t.b), 0);
	assert_int_equal(fix_vm_revoked_pages(t.a), 0);
	fix_vm_destroy(t.b);
	fix_vm_destroy(t.c);
	fix_vm_destroy(t.a);
	fix_destroy(fix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tx_rewritten),
		cmocka_unit_test(test_same_page_race),
		cmocka_unit_test(test_overlapping_shares),
		cmocka_unit_test(test_many_vms),
		cmocka_unit_test(test_borrower_teardown_race),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
