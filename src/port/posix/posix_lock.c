/* SPDX-License-Identifier: MIT */
/*
 * Locks: pthread mutexes of the error-checking kind, so that a mediator bug
 * (taking a lock twice, releasing one it does not hold) aborts the test
 * instead of deadlocking or passing silently. Timed waits use
 * CLOCK_MONOTONIC, the clock of posix_now_ns.
 */
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "posix_internal.h"

_Static_assert(sizeof(pthread_mutex_t) <= FFAMED_LOCK_SIZE, "pthread mutex fits ffamed_lock");
_Static_assert(alignof(pthread_mutex_t) <= alignof(struct ffamed_lock),
	       "ffamed_lock is aligned enough for a pthread mutex");

static void posix_check(int rc, const char *what)
{
	if (rc == 0)
		return;
	/* No host here to log through: misuse of a lock is fatal anyway. */
	fprintf(stderr, "[ffamed error] %s failed: %s\n", what, strerror(rc));
	abort();
}

void posix_mutex_init(pthread_mutex_t *m)
{
	pthread_mutexattr_t attr;

	posix_check(pthread_mutexattr_init(&attr), "pthread_mutexattr_init");
	posix_check(pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK),
		    "pthread_mutexattr_settype");
	posix_check(pthread_mutex_init(m, &attr), "pthread_mutex_init");
	pthread_mutexattr_destroy(&attr);
}

void posix_mutex_lock(pthread_mutex_t *m)
{
	posix_check(pthread_mutex_lock(m), "lock acquire");
}

void posix_mutex_unlock(pthread_mutex_t *m)
{
	posix_check(pthread_mutex_unlock(m), "lock release");
}

void posix_cond_init(pthread_cond_t *c)
{
	pthread_condattr_t attr;

	posix_check(pthread_condattr_init(&attr), "pthread_condattr_init");
	posix_check(pthread_condattr_setclock(&attr, CLOCK_MONOTONIC), "pthread_condattr_setclock");
	posix_check(pthread_cond_init(c, &attr), "pthread_cond_init");
	pthread_condattr_destroy(&attr);
}

void posix_deadline(uint64_t abs_ns, struct timespec *ts)
{
	ts->tv_sec = (time_t)(abs_ns / 1000000000u);
	ts->tv_nsec = (long)(abs_ns % 1000000000u);
}

/* The clock of every timed wait (posix_cond_init). */
uint64_t posix_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static pthread_mutex_t *lock_mutex(struct ffamed_lock *lock)
{
	return (pthread_mutex_t *)(void *)lock->opaque;
}

void posix_lock_init(void *host, struct ffamed_lock *lock)
{
	(void)host;
	posix_mutex_init(lock_mutex(lock));
}

void posix_lock_destroy(void *host, struct ffamed_lock *lock)
{
	(void)host;
	/* EBUSY: destroyed while held, a mediator bug. */
	posix_check(pthread_mutex_destroy(lock_mutex(lock)), "lock destroy");
}

void posix_lock_acquire(void *host, struct ffamed_lock *lock)
{
	(void)host;
	posix_mutex_lock(lock_mutex(lock));
}

void posix_lock_release(void *host, struct ffamed_lock *lock)
{
	(void)host;
	posix_mutex_unlock(lock_mutex(lock));
}
