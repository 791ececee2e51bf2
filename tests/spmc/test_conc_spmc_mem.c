/* SPDX-License-Identifier: MIT */
/*
 * Several CPUs sharing, retrieving, relinquishing and reclaiming memory at
 * once, while other CPUs poke at the same handles (stray fragments,
 * retrieves by the second borrower). Exact accounting at the end, and no
 * leak once the SPMC is gone.
 */
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

#include "spmc_mem_fixture.h"

#define WORKERS	      4 /* CPUs 0..3: one MEMSP_A context each */
#define RACERS	      2
#define ITERS	      150
#define PAGES_PER_WKR 12

struct shared {
	struct fxm *m;
	pthread_mutex_t tx_lock; /* the hypervisor's one TX buffer */
	_Atomic uint64_t published[WORKERS];
	atomic_int stop;
};

struct worker {
	struct shared *s;
	uint32_t cpu;
	pthread_t thread;
	uint64_t shares, reclaims, failures;
	uint64_t racer_retrieves, racer_relinquishes, stray_frag_refused;
};

static void set_range(struct fxm_range *r, uint64_t pa, uint32_t pages)
{
	r->pa = pa;
	r->pages = pages;
}

/* The hypervisor's side of a fragmented send, without cmocka asserts. */
static int32_t conc_send(struct worker *w, uint32_t fid, const uint8_t *buf, uint32_t len,
			 uint32_t first, uint64_t *handle)
{
	struct fxm *m = w->s->m;
	uint32_t sent = first;
	struct ffamed_regs r;

	pthread_mutex_lock(&w->s->tx_lock);
	memcpy(fxm_hyp_tx(m), buf, first);
	r = fx_call(m->f, w->cpu, fid, len, first, 0, 0, 0, 0, 0);
	while ((uint32_t)r.x[0] == FFA_MEM_FRAG_RX && sent < len) {
		uint64_t h = (uint32_t)r.x[1] | ((uint64_t)(uint32_t)r.x[2] << 32);
		uint32_t chunk = len - sent < 32 ? len - sent : 32;

		if (r.x[3] != sent)
			w->failures++;
		memcpy(fxm_hyp_tx(m), buf + sent, chunk);
		r = fx_call(m->f, w->cpu, FFA_MEM_FRAG_TX, (uint32_t)h, h >> 32, chunk, 0, 0, 0, 0);
		sent += chunk;
	}
	pthread_mutex_unlock(&w->s->tx_lock);
	if (ffa_is_error(&r))
		return ffa_error_code(&r);
	if (r.x[0] != FFA_SUCCESS_32)
		return FFA_RET_ABORTED;
	*handle = (uint32_t)r.x[2] | ((uint64_t)(uint32_t)r.x[3] << 32);
	return 0;
}

static struct ffamed_regs memsp_call(struct worker *w, uint64_t cmd, uint64_t h, uint64_t a3,
				     uint64_t a4)
{
	struct ffamed_regs r = {.x = {FFA_MSG_SEND_DIRECT_REQ_64,
				      FFA_SENDER_RECEIVER(FXM_VM, FXM_MEMSP_A), 0, cmd, (uint32_t)h,
				      h >> 32, a3, a4}};

	ffamed_spmc_call(w->s->m->f->spmc, w->cpu, &r);
	return r;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct fxm *m = w->s->m;
	uint32_t base = FXM_FIRST_PAGE + w->cpu * PAGES_PER_WKR;
	uint8_t buf[512];
	struct fxm_range r[5];
	struct fxm_desc d;
	uint32_t co;
	uint32_t len;

	for (uint32_t it = 0; it < ITERS; it++) {
		uint32_t fid = (it & 1) ? FFA_MEM_LEND_64 : FFA_MEM_SHARE_32;
		uint8_t *p0 = fx_va(m->f, fx_pa(base));
		uint32_t want;
		uint64_t h = 0;
		struct ffamed_regs res;

		set_range(&r[0], fx_pa(base + 6), 2);
		set_range(&r[1], fx_pa(base), 1);
		set_range(&r[2], fx_pa(base + 3), 3);
		set_range(&r[3], fx_pa(base + 1), 1);
		set_range(&r[4], fx_pa(base + 9), 2);
		/* Only this worker writes its pages, and only while no SP holds
		 * them. */
		memset(p0, (int)(it + w->cpu), FX_PAGE);
		fxm_desc_init(&d, FFA_VERSION_1_2, fid, r, 5);
		d.recv_count = 2;
		d.recv[1].id = FXM_MEMSP_B;
		d.recv[1].perm = FFA_MEM_PERM_DATA_RO;
		d.attributes = FFA_MEM_ATTR_NORMAL_WB_INNER; /* several borrowers */
		len = fxm_build(&d, buf, sizeof(buf), &co);
		if (conc_send(w, fid, buf, len, co, &h)) {
			w->failures++;
			continue;
		}
		w->shares++;
		atomic_store(&w->s->published[w->cpu], h);

		res = memsp_call(w, FFAMED_MEMSP_CMD_RETRIEVE, h, FFAMED_MEMSP_ACCESS_RW, 0);
		if (res.x[0] != FFA_MSG_SEND_DIRECT_RESP_64 || res.x[4] != 0 || res.x[5] != 9)
			w->failures++;
		/* Page `base` is the second constituent: bytes 2..3 pages in. */
		res = memsp_call(w, FFAMED_MEMSP_CMD_CHECKSUM, h, 2 * FX_PAGE, FX_PAGE);
		want = fxm_fnv(p0, FX_PAGE);
		if (res.x[4] != 0 || res.x[5] != want)
			w->failures++;
		res = fx_call(m->f, w->cpu, FFA_MEM_RECLAIM, (uint32_t)h, h >> 32, 0, 0, 0, 0, 0);
		if (!ffa_is_error(&res) || ffa_error_code(&res) != FFA_RET_DENIED)
			w->failures++;
		res = memsp_call(w, FFAMED_MEMSP_CMD_RELINQUISH, h, 0, 0);
		if (res.x[4] != 0)
			w->failures++;
		atomic_store(&w->s->published[w->cpu], 0);
		/* A racer may still hold a retrieve as the second borrower. */
		for (;;) {
			res = fx_call(m->f, w->cpu, FFA_MEM_RECLAIM, (uint32_t)h, h >> 32, 0, 0, 0,
				      0, 0);
			if (!ffa_is_error(&res) || ffa_error_code(&res) != FFA_RET_DENIED)
				break;
			sched_yield();
		}
		if (ffa_is_error(&res))
			w->failures++;
		else
			w->reclaims++;
	}
	return NULL;
}

static void *racer_main(void *arg)
{
	struct worker *w = arg;
	struct fxm *m = w->s->m;
	struct ffamed_sp *spb = ffamed_spmc_find_sp(m->f->spmc, FXM_MEMSP_B);
	uint32_t i = 0;

	while (!atomic_load(&w->s->stop)) {
		uint64_t h = atomic_load(&w->s->published[i++ % WORKERS]);
		struct ffamed_sp_mem_region reg;
		struct ffamed_regs res;
		int32_t rc;

		if (!h) {
			sched_yield();
			continue;
		}
		rc = ffamed_sp_mem_retrieve(spb, h, 0, FFA_MEM_PERM_DATA_RO, &reg);
		if (rc == 0) {
			w->racer_retrieves++;
			if (reg.range_count != 5 || reg.total_pages != 9)
				w->failures++;
			ffamed_sp_mem_region_free(spb, &reg);
			if (ffamed_sp_mem_relinquish(spb, h, 0) == 0)
				w->racer_relinquishes++;
			else
				w->failures++;
		} else if (rc != FFA_RET_INVALID_PARAMETERS) {
			w->failures++; /* a reclaimed handle is unknown, nothing else */
		}
		/* A stray fragment never disturbs a complete transaction. */
		pthread_mutex_lock(&w->s->tx_lock);
		memset(fxm_hyp_tx(m), 0, 16);
		res = fx_call(m->f, w->cpu, FFA_MEM_FRAG_TX, (uint32_t)h, h >> 32, 16, 0, 0, 0, 0);
		pthread_mutex_unlock(&w->s->tx_lock);
		if (ffa_is_error(&res) && ffa_error_code(&res) == FFA_RET_INVALID_PARAMETERS)
			w->stray_frag_refused++;
		else
			w->failures++;
	}
	return NULL;
}

static void test_conc_share_retrieve_reclaim(void **state)
{
	struct shared s = {.m = fxm_new(FFA_VERSION_1_2, 1, NULL)};
	struct worker w[WORKERS + RACERS];
	uint64_t shares = 0;
	uint64_t reclaims = 0;

	(void)state;
	pthread_mutex_init(&s.tx_lock, NULL);
	memset(w, 0, sizeof(w));
	for (uint32_t i = 0; i < WORKERS + RACERS; i++) {
		w[i].s = &s;
		w[i].cpu = i;
		assert_int_equal(pthread_create(&w[i].thread, NULL,
						i < WORKERS ? worker_main : racer_main, &w[i]),
				 0);
	}
	for (uint32_t i = 0; i < WORKERS; i++)
		pthread_join(w[i].thread, NULL);
	atomic_store(&s.stop, 1);
	for (uint32_t i = WORKERS; i < WORKERS + RACERS; i++)
		pthread_join(w[i].thread, NULL);
	for (uint32_t i = 0; i < WORKERS + RACERS; i++) {
		assert_int_equal(w[i].failures, 0);
		assert_int_equal(w[i].racer_retrieves, w[i].racer_relinquishes);
		shares += w[i].shares;
		reclaims += w[i].reclaims;
	}
	assert_int_equal(shares, (uint64_t)WORKERS * ITERS);
	assert_int_equal(reclaims, shares);
	assert_int_equal(ffamed_spmc_mem_handle_count(s.m->f->spmc), 0);
	assert_int_equal(atomic_load(&s.m->memsp_a.retrieves), shares);
	assert_int_equal(atomic_load(&s.m->memsp_a.relinquishes), shares);
	fxm_free(s.m); /* checks every allocation came back */
	pthread_mutex_destroy(&s.tx_lock);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conc_share_retrieve_reclaim),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
