/* SPDX-License-Identifier: MIT */
/* Deferred work: ordering, delay, duplicates, cancel_sync, teardown. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <cmocka.h>

#include "port_fixture.h"

#define MS 1000000ull

struct recorder {
	struct port_fixture *f;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	char order[16];
	int count;
};

struct rec_work {
	struct ffamed_work work;
	struct recorder *rec;
	char name;
	uint64_t not_before;
	uint64_t ran_at;
	int reschedules;
};

static void record(struct ffamed_work *work)
{
	struct rec_work *w = work->arg;
	struct recorder *r = w->rec;

	w->ran_at = mono_ns();
	if (w->reschedules > 0) {
		w->reschedules--;
		r->f->ops->work_schedule(r->f->host, work, 0);
	}
	pthread_mutex_lock(&r->lock);
	r->order[r->count++] = w->name;
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->lock);
}

static void rec_init(struct recorder *r, struct port_fixture *f)
{
	memset(r, 0, sizeof(*r));
	r->f = f;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->changed, NULL);
}

static void rec_fini(struct recorder *r)
{
	pthread_cond_destroy(&r->changed);
	pthread_mutex_destroy(&r->lock);
}

static void rec_wait(struct recorder *r, int count)
{
	pthread_mutex_lock(&r->lock);
	while (r->count < count)
		pthread_cond_wait(&r->changed, &r->lock);
	pthread_mutex_unlock(&r->lock);
}

static void work_init(struct rec_work *w, struct recorder *r, char name)
{
	memset(w, 0, sizeof(*w));
	w->work.fn = record;
	w->work.arg = w;
	w->rec = r;
	w->name = name;
}

static void works_run_in_deadline_order(void **state)
{
	struct port_fixture *f = *state;
	struct recorder r;
	struct rec_work a, b, c;

	rec_init(&r, f);
	work_init(&a, &r, 'a');
	work_init(&b, &r, 'b');
	work_init(&c, &r, 'c');
	assert_int_equal(f->ops->work_schedule(f->host, &a.work, 300 * MS), 0);
	assert_int_equal(f->ops->work_schedule(f->host, &b.work, 0), 0);
	assert_int_equal(f->ops->work_schedule(f->host, &c.work, 0), 0);
	rec_wait(&r, 3);
	/* The last callback may still be returning. */
	f->ops->work_cancel_sync(f->host, &a.work);
	assert_string_equal(r.order, "bca");
	rec_fini(&r);
}

static void delay_is_a_lower_bound(void **state)
{
	struct port_fixture *f = *state;
	struct recorder r;
	struct rec_work a;
	uint64_t scheduled;

	rec_init(&r, f);
	work_init(&a, &r, 'a');
	scheduled = mono_ns();
	assert_int_equal(f->ops->work_schedule(f->host, &a.work, 20 * MS), 0);
	rec_wait(&r, 1);
	f->ops->work_cancel_sync(f->host, &a.work);
	assert_true(a.ran_at >= scheduled + 20 * MS);
	rec_fini(&r);
}

/* A work that holds the worker until released. */
struct gate {
	struct ffamed_work work;
	atomic_bool entered;
	atomic_bool open;
	atomic_bool finished;
};

static void gate_fn(struct ffamed_work *work)
{
	struct gate *g = work->arg;

	atomic_store(&g->entered, true);
	while (!atomic_load(&g->open))
		sleep_ms(1);
	atomic_store(&g->finished, true);
}

static void gate_init(struct gate *g)
{
	memset(g, 0, sizeof(*g));
	g->work.fn = gate_fn;
	g->work.arg = g;
}

static void scheduling_a_queued_work_is_denied(void **state)
{
	struct port_fixture *f = *state;
	struct recorder r;
	struct rec_work a;
	struct gate g;

	rec_init(&r, f);
	work_init(&a, &r, 'a');
	gate_init(&g);
	assert_int_equal(f->ops->work_schedule(f->host, &g.work, 0), 0);
	while (!atomic_load(&g.entered))
		sleep_ms(1);
	assert_int_equal(f->ops->work_schedule(f->host, &a.work, 0), 0);
	assert_int_equal(f->ops->work_schedule(f->host, &a.work, 0), FFA_RET_DENIED);
	assert_int_equal(f->ops->work_schedule(f->host, &a.work, 5 * MS), FFA_RET_DENIED);
	/* A running (no longer queued) work may be scheduled again. */
	assert_int_equal(f->ops->work_schedule(f->host, &g.work, 0), 0);
	atomic_store(&g.open, true);
	rec_wait(&r, 1);
	f->ops->work_cancel_sync(f->host, &g.work);
	f->ops->work_cancel_sync(f->host, &a.work);
	assert_string_equal(r.order, "a");
	rec_fini(&r);
}

static void cancel_sync_unqueues(void **state)
{
	struct port_fixture *f = *state;
	struct recorder r;
	struct rec_work a, b;

	rec_init(&r, f);
	work_init(&a, &r, 'a');
	work_init(&b, &r, 'b');
	assert_int_equal(f->ops->work_schedule(f->host, &a.work, 60000 * MS), 0);
	assert_int_equal(f->ops->work_schedule(f->host, &b.work, 50 * MS), 0);
	f->ops->work_cancel_sync(f->host, &a.work);
	/* Not queued any more: it can be queued again. */
	assert_int_equal(f->ops->work_schedule(f->host, &a.work, 100 * MS), 0);
	rec_wait(&r, 2);
	assert_string_equal(r.order, "ba");
	/* Cancelling a work that is not queued is harmless (and waits for
	 * the callback's return). */
	f->ops->work_cancel_sync(f->host, &a.work);
	f->ops->work_cancel_sync(f->host, &b.work);
	rec_fini(&r);
}

struct canceller {
	struct port_fixture *f;
	struct gate *g;
	bool finished_at_return;
};

static void *cancel_thread(void *arg)
{
	struct canceller *c = arg;

	c->f->ops->work_cancel_sync(c->f->host, &c->g->work);
	c->finished_at_return = atomic_load(&c->g->finished);
	return NULL;
}

static void cancel_sync_waits_for_a_running_callback(void **state)
{
	struct port_fixture *f = *state;
	struct gate g;
	struct canceller c = {.f = f, .g = &g};
	pthread_t t;

	gate_init(&g);
	assert_int_equal(f->ops->work_schedule(f->host, &g.work, 0), 0);
	while (!atomic_load(&g.entered))
		sleep_ms(1);
	assert_int_equal(pthread_create(&t, NULL, cancel_thread, &c), 0);
	sleep_ms(20); /* give cancel_sync the chance to return too early */
	atomic_store(&g.open, true);
	pthread_join(t, NULL);
	assert_true(c.finished_at_return);
}

static void a_callback_can_reschedule_itself(void **state)
{
	struct port_fixture *f = *state;
	struct recorder r;
	struct rec_work a;

	rec_init(&r, f);
	work_init(&a, &r, 'a');
	a.reschedules = 3;
	assert_int_equal(f->ops->work_schedule(f->host, &a.work, 0), 0);
	rec_wait(&r, 4);
	f->ops->work_cancel_sync(f->host, &a.work);
	assert_string_equal(r.order, "aaaa");
	rec_fini(&r);
}

struct self_cancel {
	struct ffamed_work work;
	struct port_fixture *f;
	atomic_bool done;
};

static void cancel_self(struct ffamed_work *work)
{
	struct self_cancel *s = work->arg;

	s->f->ops->work_cancel_sync(s->f->host, work);
	atomic_store(&s->done, true);
}

static void cancel_from_own_callback_is_refused_not_deadlocked(void **state)
{
	struct port_fixture *f = *state;
	struct self_cancel s = {.work = {.fn = cancel_self, .arg = &s}, .f = f};

	assert_int_equal(f->ops->work_schedule(f->host, &s.work, 0), 0);
	while (!atomic_load(&s.done))
		sleep_ms(1);
	f->ops->work_cancel_sync(f->host, &s.work);
	assert_int_equal(ffamed_posix_error_count(f->host), 1);
	f->expected_errors = 1;
}

static void bad_works_are_refused(void **state)
{
	struct port_fixture *f = *state;
	struct ffamed_work w = {0};

	assert_int_equal(f->ops->work_schedule(f->host, NULL, 0), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(f->ops->work_schedule(f->host, &w, 0), FFA_RET_INVALID_PARAMETERS);
}

static void host_destroy_drops_pending_works(void **state)
{
	struct port_fixture *f = port_fixture_new(NULL);
	struct recorder r;
	struct rec_work a;

	(void)state;
	rec_init(&r, f);
	work_init(&a, &r, 'a');
	assert_int_equal(f->ops->work_schedule(f->host, &a.work, 60000 * MS), 0);
	port_fixture_free(f);
	assert_int_equal(r.count, 0);
	rec_fini(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(works_run_in_deadline_order, port_setup,
						port_teardown),
		cmocka_unit_test_setup_teardown(delay_is_a_lower_bound, port_setup, port_teardown),
		cmocka_unit_test_setup_teardown(scheduling_a_queued_work_is_denied, port_setup,
						port_teardown),
		cmocka_unit_test_setup_teardown(cancel_sync_unqueues, port_setup, port_teardown),
		cmocka_unit_test_setup_teardown(cancel_sync_waits_for_a_running_callback,
						port_setup, port_teardown),
		cmocka_unit_test_setup_teardown(a_callback_can_reschedule_itself, port_setup,
						port_teardown),
		cmocka_unit_test_setup_teardown(cancel_from_own_callback_is_refused_not_deadlocked,
						port_setup, port_teardown),
		cmocka_unit_test_setup_teardown(bad_works_are_refused, port_setup, port_teardown),
		cmocka_unit_test(host_destroy_drops_pending_works),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
