/* SPDX-License-Identifier: MIT */
/*
 * The host services the mediator (ffa.c) and the software SPMC (fw_spmc.c)
 * both take from the port: locks, the heap, the log. Kept below both so
 * that neither calls into the other for them.
 */
#include "el2.h"
#include "ffamed/spmc.h"

_Static_assert(sizeof(struct el2_lock) <= FFAMED_LOCK_SIZE, "an el2_lock fits in ffamed_lock");

void svc_lock_init(void *host, struct ffamed_lock *lock)
{
	(void)host;
	el2_lock_init((struct el2_lock *)lock->opaque);
}

void svc_lock_destroy(void *host, struct ffamed_lock *lock)
{
	(void)host;
	(void)lock;
}

void svc_lock_acquire(void *host, struct ffamed_lock *lock)
{
	(void)host;
	el2_lock((struct el2_lock *)lock->opaque);
}

void svc_lock_release(void *host, struct ffamed_lock *lock)
{
	(void)host;
	el2_unlock((struct el2_lock *)lock->opaque);
}

void *svc_alloc(void *host, size_t size)
{
	(void)host;
	return heap_alloc(size);
}

void svc_free(void *host, void *ptr)
{
	(void)host;
	heap_free(ptr);
}

void svc_vlog(void *host, enum ffamed_log_level level, const char *fmt, va_list ap)
{
	static const char *const prefix[] = {"ffamed-el2: error: ", "ffamed-el2: warning: ",
					     "ffamed-el2: ", "ffamed-el2: debug: "};

	(void)host;
	if (level > FFAMED_LOG_INFO)
		return;
	el2_vprintf_line(prefix[level], fmt, ap);
}

void svc_fill_spmc_env(struct ffamed_spmc_env *env)
{
	env->lock_init = svc_lock_init;
	env->lock_destroy = svc_lock_destroy;
	env->lock_acquire = svc_lock_acquire;
	env->lock_release = svc_lock_release;
	env->alloc = svc_alloc;
	env->free = svc_free;
	env->vlog = svc_vlog;
}
