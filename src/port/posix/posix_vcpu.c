/* SPDX-License-Identifier: MIT */
/*
 * vCPUs: one thread each, bound to a simulated physical CPU while it runs;
 * an online flag; and virtual interrupts as a pending bit mask with a
 * wake-up, so that inject_virq never waits for the vCPU.
 */
#include <errno.h>
#include <stdlib.h>

#include "posix_internal.h"

#define VIRQ_COUNT 64u

int32_t posix_vcpus_init(struct ffamed_posix_vm *vm)
{
	vm->vcpus = calloc(vm->vcpu_count, sizeof(*vm->vcpus));
	if (!vm->vcpus)
		return FFA_RET_NO_MEMORY;
	for (uint16_t i = 0; i < vm->vcpu_count; i++) {
		struct posix_vcpu *v = &vm->vcpus[i];

		v->vm = vm;
		v->index = i;
		atomic_init(&v->online, true);
		atomic_init(&v->pending, 0);
		posix_mutex_init(&v->wake_lock);
		posix_cond_init(&v->wake_cond);
		posix_resume_init(v);
	}
	return FFA_RET_OK;
}

void posix_vcpus_fini(struct ffamed_posix_vm *vm)
{
	for (uint16_t i = 0; i < vm->vcpu_count; i++) {
		posix_resume_fini(&vm->vcpus[i]);
		pthread_cond_destroy(&vm->vcpus[i].wake_cond);
		pthread_mutex_destroy(&vm->vcpus[i].wake_lock);
	}
	free(vm->vcpus);
	vm->vcpus = NULL;
}

static void *vcpu_thread(void *arg)
{
	struct posix_vcpu *v = arg;
	struct ffamed_posix_host *host = v->vm->host;

	posix_cpu_bind(host);
	v->fn(v->vm, v->index, v->arg);
	posix_cpu_unbind(host);
	return NULL;
}

int32_t ffamed_posix_vcpu_start(struct ffamed_posix_vm *vm, uint16_t vcpu, ffamed_posix_vcpu_fn fn,
				void *arg)
{
	struct posix_vcpu *v;

	if (!fn || vcpu >= vm->vcpu_count)
		return FFA_RET_INVALID_PARAMETERS;
	v = &vm->vcpus[vcpu];
	if (v->running)
		return FFA_RET_BUSY;
	v->fn = fn;
	v->arg = arg;
	if (pthread_create(&v->thread, NULL, vcpu_thread, v) != 0)
		return FFA_RET_NO_MEMORY;
	v->running = true;
	return FFA_RET_OK;
}

void ffamed_posix_vcpu_join(struct ffamed_posix_vm *vm, uint16_t vcpu)
{
	struct posix_vcpu *v = posix_vcpu_of(vm, vcpu, "vcpu_join");

	if (!v || !v->running)
		return;
	pthread_join(v->thread, NULL);
	v->running = false;
}

void posix_vcpus_join_all(struct ffamed_posix_vm *vm)
{
	for (uint16_t i = 0; i < vm->vcpu_count; i++) {
		if (!vm->vcpus[i].running)
			continue;
		posix_log(vm->host, FFAMED_LOG_WARN,
			  "VM %#x destroyed with vCPU %u running: joining it", vm->id, i);
		ffamed_posix_vcpu_join(vm, i);
	}
}

void ffamed_posix_vcpu_set_online(struct ffamed_posix_vm *vm, uint16_t vcpu, bool online)
{
	struct posix_vcpu *v = posix_vcpu_of(vm, vcpu, "vcpu_set_online");

	if (v)
		atomic_store(&v->online, online);
}

bool posix_vcpu_is_online(void *host, void *host_vm, uint16_t vcpu)
{
	struct posix_vcpu *v = posix_vcpu_of(host_vm, vcpu, "vcpu_is_online");

	(void)host;
	return v && atomic_load(&v->online);
}

void posix_inject_virq(void *host, void *host_vm, uint16_t vcpu, uint32_t intid)
{
	struct posix_vcpu *v = posix_vcpu_of(host_vm, vcpu, "inject_virq");

	if (!v)
		return;
	if (intid >= VIRQ_COUNT) {
		posix_error(host, "inject_virq: INTID %u is not simulated (< %u only)", intid,
			    VIRQ_COUNT);
		return;
	}
	atomic_fetch_or(&v->pending, (uint64_t)1 << intid);
	/* Under the lock, so a waiter between its check and its sleep
	 * cannot miss the signal. */
	posix_mutex_lock(&v->wake_lock);
	pthread_cond_broadcast(&v->wake_cond);
	posix_mutex_unlock(&v->wake_lock);
	/* A parked vCPU may be waiting for interrupts too (the two leaf
	 * locks are taken one after the other, never nested). */
	posix_resume_kick(v);
}

uint64_t ffamed_posix_vcpu_take_virqs(struct ffamed_posix_vm *vm, uint16_t vcpu)
{
	struct posix_vcpu *v = posix_vcpu_of(vm, vcpu, "vcpu_take_virqs");

	return v ? atomic_exchange(&v->pending, 0) : 0;
}

bool ffamed_posix_vcpu_wait_virq(struct ffamed_posix_vm *vm, uint16_t vcpu, uint64_t timeout_ns)
{
	struct posix_vcpu *v = posix_vcpu_of(vm, vcpu, "vcpu_wait_virq");
	uint64_t now;
	uint64_t deadline;
	struct timespec ts;
	bool pending;

	if (!v)
		return false;
	now = posix_now_ns();
	deadline = timeout_ns > UINT64_MAX - now ? UINT64_MAX : now + timeout_ns;
	posix_deadline(deadline, &ts);
	posix_mutex_lock(&v->wake_lock);
	for (;;) {
		pending = atomic_load(&v->pending) != 0;
		if (pending)
			break;
		if (pthread_cond_timedwait(&v->wake_cond, &v->wake_lock, &ts) == ETIMEDOUT) {
			pending = atomic_load(&v->pending) != 0;
			break;
		}
	}
	posix_mutex_unlock(&v->wake_lock);
	return pending;
}
