/* SPDX-License-Identifier: MIT */
/*
 * Simulated physical CPU indices. The SPMC keeps per-CPU state (execution
 * contexts, RX/TX ownership) so two threads must never act as the same CPU
 * at once: each thread that calls into "firmware" owns one index. vCPU
 * threads own one while they run; other threads take one on first use and
 * keep it for their life (a pthread key destructor gives it back).
 */
#include <stdlib.h>

#include "posix_internal.h"

static void release_slot(struct posix_cpu_slot *slot)
{
	struct ffamed_posix_host *host = slot->host;

	posix_mutex_lock(&host->cpu_lock);
	slot->claimed = false;
	posix_mutex_unlock(&host->cpu_lock);
}

/* Runs at thread exit for threads that still own a CPU. */
static void cpu_key_destructor(void *value)
{
	release_slot(value);
}

int32_t posix_cpu_init(struct ffamed_posix_host *host)
{
	host->cpu_slots = calloc(host->cpu_count, sizeof(*host->cpu_slots));
	if (!host->cpu_slots)
		return FFA_RET_NO_MEMORY;
	for (uint32_t i = 0; i < host->cpu_count; i++) {
		host->cpu_slots[i].host = host;
		host->cpu_slots[i].index = i;
	}
	if (pthread_key_create(&host->cpu_key, cpu_key_destructor) != 0) {
		free(host->cpu_slots);
		host->cpu_slots = NULL;
		return FFA_RET_NO_MEMORY;
	}
	posix_mutex_init(&host->cpu_lock);
	return FFA_RET_OK;
}

void posix_cpu_fini(struct ffamed_posix_host *host)
{
	/* The destroying thread's own CPU; other live threads simply lose
	 * theirs (deleting the key keeps their destructors from running). */
	posix_cpu_unbind(host);
	pthread_key_delete(host->cpu_key);
	pthread_mutex_destroy(&host->cpu_lock);
	free(host->cpu_slots);
}

struct posix_cpu_slot *posix_cpu_bind(struct ffamed_posix_host *host)
{
	struct posix_cpu_slot *slot = NULL;

	posix_mutex_lock(&host->cpu_lock);
	for (uint32_t i = 0; i < host->cpu_count; i++) {
		if (!host->cpu_slots[i].claimed) {
			slot = &host->cpu_slots[i];
			slot->claimed = true;
			break;
		}
	}
	posix_mutex_unlock(&host->cpu_lock);
	if (!slot) {
		/* More threads than CPUs: the simulation is misconfigured. */
		posix_log(host, FFAMED_LOG_ERROR,
			  "all %u physical CPUs are taken by other threads (raise cpu_count)",
			  host->cpu_count);
		abort();
	}
	pthread_setspecific(host->cpu_key, slot);
	return slot;
}

void posix_cpu_unbind(struct ffamed_posix_host *host)
{
	struct posix_cpu_slot *slot = pthread_getspecific(host->cpu_key);

	if (!slot)
		return;
	pthread_setspecific(host->cpu_key, NULL);
	release_slot(slot);
}

uint32_t ffamed_posix_current_cpu(struct ffamed_posix_host *host)
{
	struct posix_cpu_slot *slot = pthread_getspecific(host->cpu_key);

	if (!slot)
		slot = posix_cpu_bind(host);
	return slot->index;
}
