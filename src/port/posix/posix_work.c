/* SPDX-License-Identifier: MIT */
/*
 * Deferred work: one worker thread and a deadline-ordered queue. The queue
 * is linked through the works' own host_private words, so scheduling never
 * allocates. Whether a work is queued is decided by walking the queue, not
 * by a flag in the work: the mediator may zero or copy a work that is not
 * queued, and the port must not trust stale contents.
 */
#include "posix_internal.h"

enum {
	WORK_DEADLINE = 0, /* absolute CLOCK_MONOTONIC ns */
	WORK_NEXT = 1,	   /* next queued work */
};

static struct ffamed_work *work_next(const struct ffamed_work *work)
{
	return (struct ffamed_work *)(uintptr_t)work->host_private[WORK_NEXT];
}

static void work_set_next(struct ffamed_work *work, const struct ffamed_work *next)
{
	work->host_private[WORK_NEXT] = (uint64_t)(uintptr_t)next;
}

/* Links `work` after `prev` (NULL: at the head); worker.lock held. */
static void queue_link(struct posix_worker *w, struct ffamed_work *prev, struct ffamed_work *work,
		       struct ffamed_work *next)
{
	work_set_next(work, next);
	if (prev)
		work_set_next(prev, work);
	else
		w->queue = work;
}

/* Unlinks `work` if queued; worker.lock held. */
static void queue_remove(struct posix_worker *w, const struct ffamed_work *work)
{
	struct ffamed_work *prev = NULL;

	for (struct ffamed_work *cur = w->queue; cur; prev = cur, cur = work_next(cur)) {
		if (cur != work)
			continue;
		if (prev)
			work_set_next(prev, work_next(cur));
		else
			w->queue = work_next(cur);
		return;
	}
}

static void *worker_thread(void *arg)
{
	struct ffamed_posix_host *host = arg;
	struct posix_worker *w = &host->worker;
	struct timespec ts;

	posix_mutex_lock(&w->lock);
	while (!w->stopping) {
		struct ffamed_work *head = w->queue;

		if (!head) {
			pthread_cond_wait(&w->kick, &w->lock);
			continue;
		}
		if (head->host_private[WORK_DEADLINE] > posix_now_ns()) {
			posix_deadline(head->host_private[WORK_DEADLINE], &ts);
			pthread_cond_timedwait(&w->kick, &w->lock, &ts);
			continue;
		}
		w->queue = work_next(head);
		w->running = head;
		posix_mutex_unlock(&w->lock);
		head->fn(head);
		posix_mutex_lock(&w->lock);
		w->running = NULL;
		pthread_cond_broadcast(&w->idle);
	}
	posix_mutex_unlock(&w->lock);
	/* A thread that called fw_call took a CPU: the key destructor gives
	 * it back at exit. */
	return NULL;
}

int32_t posix_work_init(struct ffamed_posix_host *host)
{
	struct posix_worker *w = &host->worker;

	posix_mutex_init(&w->lock);
	posix_cond_init(&w->kick);
	posix_cond_init(&w->idle);
	if (pthread_create(&w->thread, NULL, worker_thread, host) != 0) {
		pthread_cond_destroy(&w->idle);
		pthread_cond_destroy(&w->kick);
		pthread_mutex_destroy(&w->lock);
		return FFA_RET_NO_MEMORY;
	}
	w->thread_started = true;
	return FFA_RET_OK;
}

void posix_work_fini(struct ffamed_posix_host *host)
{
	struct posix_worker *w = &host->worker;

	posix_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_broadcast(&w->kick);
	posix_mutex_unlock(&w->lock);
	if (w->thread_started)
		pthread_join(w->thread, NULL);
	w->thread_started = false;

	for (struct ffamed_work *work = w->queue; work; work = work_next(work))
		posix_log(host, FFAMED_LOG_WARN, "host destroyed: dropping queued work %p", work);
	w->queue = NULL;
	pthread_cond_destroy(&w->idle);
	pthread_cond_destroy(&w->kick);
	pthread_mutex_destroy(&w->lock);
}

int32_t posix_work_schedule(void *ctx, struct ffamed_work *work, uint64_t delay_ns)
{
	struct ffamed_posix_host *host = ctx;
	struct posix_worker *w = &host->worker;
	struct ffamed_work *prev;
	struct ffamed_work *next;
	uint64_t now = posix_now_ns();
	uint64_t deadline = delay_ns > UINT64_MAX - now ? UINT64_MAX : now + delay_ns;
	int32_t ret = FFA_RET_OK;

	if (!work || !work->fn)
		return FFA_RET_INVALID_PARAMETERS;
	posix_mutex_lock(&w->lock);
	if (w->stopping) {
		ret = FFA_RET_ABORTED;
		goto out;
	}
	for (const struct ffamed_work *q = w->queue; q; q = work_next(q)) {
		if (q == work) {
			ret = FFA_RET_DENIED;
			goto out;
		}
	}
	/* After every work with the same or an earlier deadline: FIFO. */
	prev = NULL;
	next = w->queue;
	while (next && next->host_private[WORK_DEADLINE] <= deadline) {
		prev = next;
		next = work_next(next);
	}
	work->host_private[WORK_DEADLINE] = deadline;
	queue_link(w, prev, work, next);
	pthread_cond_broadcast(&w->kick);
out:
	posix_mutex_unlock(&w->lock);
	return ret;
}

void posix_work_cancel_sync(void *ctx, struct ffamed_work *work)
{
	struct ffamed_posix_host *host = ctx;
	struct posix_worker *w = &host->worker;

	posix_mutex_lock(&w->lock);
	queue_remove(w, work);
	if (w->running == work && pthread_equal(pthread_self(), w->thread)) {
		posix_mutex_unlock(&w->lock);
		posix_error(host, "work_cancel_sync of work %p from its own callback", work);
		return;
	}
	while (w->running == work)
		pthread_cond_wait(&w->idle, &w->lock);
	posix_mutex_unlock(&w->lock);
}
