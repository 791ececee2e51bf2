/* SPDX-License-Identifier: MIT */
/* The port under concurrent use, as a mediator on several vCPUs uses it:
 * pins, maps, interrupts, firmware calls, allocations, VM references and
 * deferred work all at once. Run under TSan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ffamed/ffa_regs.h"
#include "port_fixture.h"

#define RAM	  FFAMED_POSIX_RAM_BASE
#define NCPU	  16
#define ITER	  300
#define MAP_PAGES 3

struct firmware {
	atomic_int busy[NCPU];
	atomic_int calls;
	atomic_int cpu_clash; /* two threads acting as one physical CPU */
};

static void firmware(void *ctx, uint32_t cpu, struct ffamed_regs *regs)
{
	struct firmware *fw = ctx;

	if (cpu >= NCPU || atomic_exchange(&fw->busy[cpu], 1) != 0) {
		atomic_fetch_add(&fw->cpu_clash, 1);
		return;
	}
	atomic_fetch_add(&fw->calls, 1);
	ffa_set_success32(regs, cpu, 0, 0);
	atomic_store(&fw->busy[cpu], 0);
}

struct world {
	struct port_fixture *f;
	struct firmware fw;
	atomic_int failures;
	atomic_uint virqs_seen;
};

static void note_failure(struct world *w)
{
	atomic_fetch_add(&w->failures, 1);
}

/* Pin, map and touch a few random guest pages; the pages are shared
 * between vCPUs so pins nest concurrently. */
static void pin_map_touch(struct world *w, struct ffamed_posix_vm *vm, uint16_t vcpu,
			  unsigned int *seed)
{
	const struct ffamed_host_ops *ops = w->f->ops;
	size_t pages = ffamed_posix_vm_ram_size(vm) / PAGE;
	uint64_t ipa[MAP_PAGES], pa[MAP_PAGES];
	uint8_t *map;

	for (int i = 0; i < MAP_PAGES; i++) {
		ipa[i] = RAM + (uint64_t)(rand_r(seed) % pages) * PAGE;
		if (ops->guest_page_pin(w->f->host, vm, ipa[i], true, &pa[i]) != 0)
			note_failure(w);
	}
	map = ops->map_pages(w->f->host, pa, MAP_PAGES);
	if (!map) {
		note_failure(w);
		goto unpin;
	}
	for (int i = 0; i < MAP_PAGES; i++) {
		/* Each vCPU owns its own bytes of every page. */
		uint8_t tag = (uint8_t)rand_r(seed);
		volatile uint8_t *g = ffamed_posix_vm_va(vm, ipa[i]);

		map[i * PAGE + vcpu * 64] = tag;
		if (g[vcpu * 64] != tag)
			note_failure(w);
	}
	ops->unmap_pages(w->f->host, map, MAP_PAGES);
unpin:
	for (int i = 0; i < MAP_PAGES; i++)
		ops->guest_page_unpin(w->f->host, vm, pa[i]);
}

static void vcpu_main(struct ffamed_posix_vm *vm, uint16_t vcpu, void *arg)
{
	struct world *w = arg;
	const struct ffamed_host_ops *ops = w->f->ops;
	uint16_t nvcpu = ffamed_posix_vm_vcpu_count(vm);
	unsigned int seed = 1234u + vcpu * 77u + ffamed_posix_vm_id(vm);
	uint32_t cpu = ffamed_posix_current_cpu(w->f->host);

	for (int it = 0; it < ITER; it++) {
		struct ffamed_regs regs = {.x = {FFA_VERSION}};
		void *p;

		pin_map_touch(w, vm, vcpu, &seed);

		ops->fw_call(w->f->host, &regs);
		if (!ffa_is_success(&regs) || regs.x[1] != cpu)
			note_failure(w);

		ops->inject_virq(w->f->host, vm, (uint16_t)((vcpu + 1) % nvcpu), vcpu);
		atomic_fetch_add(&w->virqs_seen, (unsigned)__builtin_popcountll(
							 ffamed_posix_vcpu_take_virqs(vm, vcpu)));
		ffamed_posix_vcpu_set_online(vm, vcpu, it % 2);
		(void)ops->vcpu_is_online(w->f->host, vm, (uint16_t)((vcpu + 1) % nvcpu));

		p = ops->alloc(w->f->host, 32 + (size_t)it);
		if (!p)
			note_failure(w);
		ops->free(w->f->host, p);
	}
	ffamed_posix_vcpu_set_online(vm, vcpu, true);
}

struct counted_work {
	struct ffamed_work work;
	atomic_int runs;
};

static void count_run(struct ffamed_work *work)
{
	struct counted_work *c = work->arg;

	atomic_fetch_add(&c->runs, 1);
}

static void vcpus_use_the_port_concurrently(void **state)
{
	const struct ffamed_posix_config cfg = {.arena_pages = 1024, .seed = 9, .cpu_count = NCPU};
	struct world w = {.f = port_fixture_new(&cfg)};
	struct ffamed_posix_vm *a, *b;
	struct counted_work cw = {.work = {.fn = count_run, .arg = &cw}};
	int scheduled = 0;

	(void)state;
	ffamed_posix_set_firmware(w.f->host, firmware, &w.fw);
	assert_int_equal(ffamed_posix_vm_create(w.f->host, 1, 4, 24, &a), 0);
	assert_int_equal(ffamed_posix_vm_create(w.f->host, 2, 3, 16, &b), 0);
	for (uint16_t i = 0; i < 4; i++)
		assert_int_equal(ffamed_posix_vcpu_start(a, i, vcpu_main, &w), 0);
	for (uint16_t i = 0; i < 3; i++)
		assert_int_equal(ffamed_posix_vcpu_start(b, i, vcpu_main, &w), 0);

	/* Meanwhile the host side: VM churn, references, deferred work. */
	for (int round = 0; round < 40; round++) {
		struct ffamed_posix_vm *c;

		assert_int_equal(ffamed_posix_vm_create(w.f->host, 3, 1, 8, &c), 0);
		w.f->ops->vm_get(w.f->host, a);
		if (w.f->ops->work_schedule(w.f->host, &cw.work, (uint64_t)(round % 3) * 100000u) ==
		    0)
			scheduled++;
		w.f->ops->vm_put(w.f->host, a);
		if (round % 2)
			w.f->ops->work_cancel_sync(w.f->host, &cw.work);
		ffamed_posix_vm_destroy(c);
	}
	for (uint16_t i = 0; i < 4; i++)
		ffamed_posix_vcpu_join(a, i);
	for (uint16_t i = 0; i < 3; i++)
		ffamed_posix_vcpu_join(b, i);
	w.f->ops->work_cancel_sync(w.f->host, &cw.work);

	assert_int_equal(atomic_load(&w.failures), 0);
	assert_int_equal(atomic_load(&w.fw.cpu_clash), 0);
	assert_int_equal(atomic_load(&w.fw.calls), 7 * ITER);
	assert_true(atomic_load(&cw.runs) <= scheduled);
	assert_int_equal(ffamed_posix_vm_pinned_pages(a), 0);
	assert_int_equal(ffamed_posix_vm_pinned_pages(b), 0);
	/* Every injection is either taken or still pending. */
	for (uint16_t i = 0; i < 4; i++)
		atomic_fetch_add(&w.virqs_seen, (unsigned)__builtin_popcountll(
							ffamed_posix_vcpu_take_virqs(a, i)));
	for (uint16_t i = 0; i < 3; i++)
		atomic_fetch_add(&w.virqs_seen, (unsigned)__builtin_popcountll(
							ffamed_posix_vcpu_take_virqs(b, i)));
	assert_true(atomic_load(&w.virqs_seen) > 0);
	assert_true(atomic_load(&w.virqs_seen) <= 7 * ITER);
	ffamed_posix_vm_destroy(a);
	ffamed_posix_vm_destroy(b);
	port_fixture_free(w.f);
}

struct ref_holder {
	struct port_fixture *f;
	struct ffamed_posix_vm *vm;
	pthread_barrier_t *go;
	int failures;
};

static void *hold_and_drop(void *arg)
{
	struct ref_holder *h = arg;
	uint64_t pa = 0;

	/* The reference was taken for us; the host drops its own meanwhile. */
	pthread_barrier_wait(h->go);
	for (int i = 0; i < 20; i++) {
		if (h->f->ops->guest_page_pin(h->f->host, h->vm, RAM + PAGE * (uint64_t)(i % 4),
					      false, &pa) != 0) {
			h->failures++;
			continue;
		}
		h->f->ops->guest_page_unpin(h->f->host, h->vm, pa);
	}
	h->f->ops->vm_put(h->f->host, h->vm);
	return NULL;
}

static void last_reference_frees_whoever_drops_it(void **state)
{
	struct port_fixture *f = port_fixture_new(NULL);
	enum { HOLDERS = 4 };

	(void)state;
	for (int round = 0; round < 20; round++) {
		struct ffamed_posix_vm *vm;
		struct ref_holder h[HOLDERS];
		pthread_t t[HOLDERS];
		pthread_barrier_t go;

		assert_int_equal(ffamed_posix_vm_create(f->host, 1, 1, 4, &vm), 0);
		pthread_barrier_init(&go, NULL, HOLDERS + 1);
		for (int i = 0; i < HOLDERS; i++) {
			h[i] = (struct ref_holder){.f = f, .vm = vm, .go = &go};
			f->ops->vm_get(f->host, vm);
			assert_int_equal(pthread_create(&t[i], NULL, hold_and_drop, &h[i]), 0);
		}
		pthread_barrier_wait(&go);
		ffamed_posix_vm_destroy(vm);
		for (int i = 0; i < HOLDERS; i++) {
			pthread_join(t[i], NULL);
			assert_int_equal(h[i].failures, 0);
		}
		pthread_barrier_destroy(&go);
		assert_int_equal(ffamed_posix_live_vms(f->host), 0);
	}
	port_fixture_free(f);
}

struct scheduler {
	struct port_fixture *f;
	struct counted_work cw;
	int scheduled;
	int denied;
};

static void *schedule_and_cancel(void *arg)
{
	struct scheduler *s = arg;

	for (int i = 0; i < 200; i++) {
		int32_t ret =
			s->f->ops->work_schedule(s->f->host, &s->cw.work, (uint64_t)(i % 4) * 1000);

		if (ret == 0)
			s->scheduled++;
		else if (ret == FFA_RET_DENIED)
			s->denied++;
		if (i % 3 == 0)
			s->f->ops->work_cancel_sync(s->f->host, &s->cw.work);
	}
	s->f->ops->work_cancel_sync(s->f->host, &s->cw.work);
	return NULL;
}

static void works_from_many_threads(void **state)
{
	struct port_fixture *f = port_fixture_new(NULL);
	enum { THREADS = 4 };
	struct scheduler s[THREADS];
	pthread_t t[THREADS];

	(void)state;
	for (int i = 0; i < THREADS; i++) {
		s[i] = (struct scheduler){.f = f};
		s[i].cw.work.fn = count_run;
		s[i].cw.work.arg = &s[i].cw;
		assert_int_equal(pthread_create(&t[i], NULL, schedule_and_cancel, &s[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		/* Every schedule either ran once or was cancelled; none twice. */
		assert_true(atomic_load(&s[i].cw.runs) <= s[i].scheduled);
		assert_int_equal(s[i].scheduled + s[i].denied, 200);
		assert_true(s[i].scheduled > 0);
	}
	port_fixture_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vcpus_use_the_port_concurrently),
		cmocka_unit_test(last_reference_frees_whoever_drops_it),
		cmocka_unit_test(works_from_many_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
