/* SPDX-License-Identifier: MIT */
/*
 * Blocked calls: each vCPU's resume slot. The mediator answers a call that
 * waits for another vCPU with FFAMED_CALL_BLOCKED and later hands the reply
 * to ops->vcpu_resume, from another thread and possibly before the blocked
 * vCPU's ffamed_handle_call() has returned. So the vCPU arms the slot before
 * it calls in, vcpu_resume only stores and signals (it runs under mediator
 * locks: it must never wait), and the vCPU then sleeps until the reply is
 * there.
 */
#include "ffamed/ffa_regs.h"
#include "posix_internal.h"

void posix_resume_init(struct posix_vcpu *v)
{
	posix_mutex_init(&v->resume_lock);
	posix_cond_init(&v->resume_cond);
	v->call_in_flight = false;
	v->resumed = false;
	v->waiting = false;
}

void posix_resume_fini(struct posix_vcpu *v)
{
	pthread_cond_destroy(&v->resume_cond);
	pthread_mutex_destroy(&v->resume_lock);
}

void posix_vcpu_resume(void *host, void *host_vm, uint16_t vcpu, const struct ffamed_regs *regs)
{
	struct ffamed_posix_vm *vm = host_vm;
	struct posix_vcpu *v = posix_vcpu_of(vm, vcpu, "vcpu_resume");
	const char *violation = NULL;

	(void)host;
	if (!v)
		return;
	posix_mutex_lock(&v->resume_lock);
	if (!v->call_in_flight) {
		violation = "no call in flight";
	} else if (v->resumed) {
		violation = "the call was already resumed";
	} else {
		v->reply = *regs;
		v->resumed = true;
		pthread_cond_signal(&v->resume_cond);
	}
	posix_mutex_unlock(&v->resume_lock);
	/* Logged after unlocking: the log may be slow, the slot is a leaf. */
	if (violation)
		posix_error(vm->host, "vcpu_resume of VM %#x vCPU %u: %s (reply x0=%#llx dropped)",
			    vm->id, vcpu, violation, (unsigned long long)regs->x[0]);
}

void ffamed_posix_vcpu_call_begin(struct ffamed_posix_vm *vm, uint16_t vcpu)
{
	struct posix_vcpu *v = posix_vcpu_of(vm, vcpu, "vcpu_call_begin");
	bool nested;

	if (!v)
		return;
	posix_mutex_lock(&v->resume_lock);
	nested = v->call_in_flight;
	/* Re-armed even when nested, so the new call can still complete. */
	v->call_in_flight = true;
	v->resumed = false;
	posix_mutex_unlock(&v->resume_lock);
	if (nested)
		posix_error(vm->host, "vcpu_call_begin of VM %#x vCPU %u: a call is in flight",
			    vm->id, vcpu);
}

void ffamed_posix_vcpu_call_end(struct ffamed_posix_vm *vm, uint16_t vcpu)
{
	struct posix_vcpu *v = posix_vcpu_of(vm, vcpu, "vcpu_call_end");
	bool in_flight;
	bool resumed;

	if (!v)
		return;
	posix_mutex_lock(&v->resume_lock);
	in_flight = v->call_in_flight;
	resumed = v->resumed;
	v->call_in_flight = false;
	v->resumed = false;
	posix_mutex_unlock(&v->resume_lock);
	if (!in_flight)
		posix_error(vm->host, "vcpu_call_end of VM %#x vCPU %u: no call in flight", vm->id,
			    vcpu);
	else if (resumed)
		posix_error(vm->host, "VM %#x vCPU %u: a call answered at once was also resumed",
			    vm->id, vcpu);
}

/* Sleep until the reply (true), or a virtual interrupt with watch_virq
 * (false, the call left in flight). */
static bool posix_wait_reply(struct ffamed_posix_vm *vm, uint16_t vcpu, struct ffamed_regs *regs,
			     bool watch_virq, const char *what)
{
	struct posix_vcpu *v = posix_vcpu_of(vm, vcpu, what);
	bool in_flight;
	bool replied = false;

	if (!v) {
		ffa_set_error(regs, FFA_RET_ABORTED);
		return true;
	}
	posix_mutex_lock(&v->resume_lock);
	in_flight = v->call_in_flight;
	if (in_flight) {
		v->waiting = true;
		while (!v->resumed && !(watch_virq && atomic_load(&v->pending)))
			pthread_cond_wait(&v->resume_cond, &v->resume_lock);
		v->waiting = false;
		replied = v->resumed;
		if (replied) {
			*regs = v->reply;
			v->call_in_flight = false;
			v->resumed = false;
		}
	}
	posix_mutex_unlock(&v->resume_lock);
	if (!in_flight) {
		posix_error(vm->host, "%s of VM %#x vCPU %u: no call in flight", what, vm->id,
			    vcpu);
		ffa_set_error(regs, FFA_RET_ABORTED);
		return true;
	}
	return replied;
}

void ffamed_posix_vcpu_wait_resume(struct ffamed_posix_vm *vm, uint16_t vcpu,
				   struct ffamed_regs *regs)
{
	posix_wait_reply(vm, vcpu, regs, false, "vcpu_wait_resume");
}

bool ffamed_posix_vcpu_poll_resume(struct ffamed_posix_vm *vm, uint16_t vcpu,
				   struct ffamed_regs *regs)
{
	struct posix_vcpu *v = posix_vcpu_of(vm, vcpu, "vcpu_poll_resume");
	bool replied = false;

	if (!v)
		return false;
	posix_mutex_lock(&v->resume_lock);
	if (v->call_in_flight && v->resumed) {
		*regs = v->reply;
		v->call_in_flight = false;
		v->resumed = false;
		replied = true;
	}
	posix_mutex_unlock(&v->resume_lock);
	return replied;
}

bool ffamed_posix_vcpu_wait_resume_or_virq(struct ffamed_posix_vm *vm, uint16_t vcpu,
					   struct ffamed_regs *regs)
{
	return posix_wait_reply(vm, vcpu, regs, true, "vcpu_wait_resume_or_virq");
}

void posix_resume_kick(struct posix_vcpu *v)
{
	/* Under the lock, so a waiter between its check and its sleep
	 * cannot miss it. */
	posix_mutex_lock(&v->resume_lock);
	if (v->waiting)
		pthread_cond_signal(&v->resume_cond);
	posix_mutex_unlock(&v->resume_lock);
}

bool ffamed_posix_vcpu_is_blocked(struct ffamed_posix_vm *vm, uint16_t vcpu)
{
	struct posix_vcpu *v = posix_vcpu_of(vm, vcpu, "vcpu_is_blocked");
	bool blocked;

	if (!v)
		return false;
	posix_mutex_lock(&v->resume_lock);
	blocked = v->waiting && !v->resumed;
	posix_mutex_unlock(&v->resume_lock);
	return blocked;
}
