/* SPDX-License-Identifier: MIT */
/*
 * VMs of a simulated system: the host VM (guest RAM, vCPU threads) and the
 * mediator VM for it, added and removed while other VMs run.
 */
#include <stdlib.h>

#include "sim_internal.h"

/* Reserve the ID and the vCPUs' CPUs; the VM is not visible yet. */
static int32_t sim_vm_reserve(struct ffamed_sim *sim, struct ffamed_sim_vm *vm)
{
	int32_t ret = FFA_RET_OK;

	pthread_mutex_lock(&sim->vms_lock);
	for (struct ffamed_sim_vm *o = sim->vms; o; o = o->next) {
		if (o->id == vm->id) {
			ret = FFA_RET_INVALID_PARAMETERS;
			goto out;
		}
	}
	if ((uint64_t)sim->vcpus_in_use + vm->vcpu_count + SIM_RESERVED_CPUS > sim->cfg.cpu_count) {
		ret = FFA_RET_NO_MEMORY;
		goto out;
	}
	sim->vcpus_in_use += vm->vcpu_count;
	vm->next = sim->vms;
	sim->vms = vm;
out:
	pthread_mutex_unlock(&sim->vms_lock);
	return ret;
}

static void sim_vm_unreserve(struct ffamed_sim *sim, struct ffamed_sim_vm *vm)
{
	pthread_mutex_lock(&sim->vms_lock);
	for (struct ffamed_sim_vm **p = &sim->vms; *p; p = &(*p)->next) {
		if (*p == vm) {
			*p = vm->next;
			break;
		}
	}
	sim->vcpus_in_use -= vm->vcpu_count;
	vm->listed = false;
	pthread_mutex_unlock(&sim->vms_lock);
}

int32_t ffamed_sim_vm_add(struct ffamed_sim *sim, uint16_t ffa_id, uint16_t vcpus,
			  struct ffamed_sim_vm **out)
{
	return ffamed_sim_vm_add_policy(sim, ffa_id, vcpus, NULL, out);
}

int32_t ffamed_sim_vm_add_policy(struct ffamed_sim *sim, uint16_t ffa_id, uint16_t vcpus,
				 const struct ffamed_vm_policy *policy, struct ffamed_sim_vm **out)
{
	/* A simulated system is open unless the config says otherwise. */
	static const struct ffamed_vm_policy sim_policy_open = {
		.sp_default = FFAMED_RIGHTS_ALL,
		.vm_default = FFAMED_RIGHTS_ALL,
	};
	struct ffamed_vm_params params = {0};
	struct ffamed_sim_vm *vm;
	int32_t ret;

	if (out)
		*out = NULL;
	if (!vcpus)
		vcpus = sim->cfg.vcpus_per_vm;
	if (ffa_id == 0 || ffa_id >= FFA_INVALID_ID || !sim->med)
		return FFA_RET_INVALID_PARAMETERS;
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return FFA_RET_NO_MEMORY;
	vm->sim = sim;
	vm->id = ffa_id;
	vm->vcpu_count = vcpus;
	sim_guest_init(vm);

	ret = sim_vm_reserve(sim, vm);
	if (ret != FFA_RET_OK)
		goto fail_reserve;
	ret = ffamed_posix_vm_create(sim->host, ffa_id, vcpus, sim->cfg.ram_pages_per_vm, &vm->pvm);
	if (ret != FFA_RET_OK)
		goto fail_host_vm;

	params.ffa_id = ffa_id;
	params.vcpu_count = vcpus;
	params.aarch64 = true;
	params.host_vm = vm->pvm;
	params.policy = policy		     ? policy
			: sim->cfg.vm_policy ? sim->cfg.vm_policy
					     : &sim_policy_open;
	ret = ffamed_vm_create(sim->med, &params, &vm->mvm);
	if (ret != FFA_RET_OK)
		goto fail_med_vm;

	pthread_mutex_lock(&sim->vms_lock);
	vm->listed = true;
	pthread_mutex_unlock(&sim->vms_lock);
	if (out)
		*out = vm;
	return FFA_RET_OK;

fail_med_vm:
	ffamed_posix_vm_destroy(vm->pvm);
fail_host_vm:
	sim_vm_unreserve(sim, vm);
fail_reserve:
	sim_guest_fini(vm);
	free(vm);
	return ret;
}

void ffamed_sim_vm_remove(struct ffamed_sim_vm *vm)
{
	struct ffamed_sim *sim = vm->sim;
	size_t pins;

	for (uint16_t i = 0; i < vm->vcpu_count; i++)
		ffamed_vcpu_interrupt(vm->mvm, i);
	for (uint16_t i = 0; i < vm->vcpu_count; i++)
		ffamed_posix_vcpu_join(vm->pvm, i);
	sim_vm_unreserve(sim, vm);

	ffamed_vm_destroy(vm->mvm);
	/* The mediator must have let go of every guest page by now. */
	pins = ffamed_posix_vm_pinned_pages(vm->pvm);
	if (pins)
		atomic_fetch_add(&sim->leaked_pins, pins);
	ffamed_posix_vm_destroy(vm->pvm);
	sim_guest_fini(vm);
	free(vm);
}

uint32_t ffamed_sim_vm_count(struct ffamed_sim *sim)
{
	uint32_t n = 0;

	pthread_mutex_lock(&sim->vms_lock);
	for (struct ffamed_sim_vm *vm = sim->vms; vm; vm = vm->next)
		n += vm->listed;
	pthread_mutex_unlock(&sim->vms_lock);
	return n;
}

struct ffamed_sim_vm *ffamed_sim_vm_at(struct ffamed_sim *sim, uint32_t index)
{
	struct ffamed_sim_vm *found = NULL;
	uint32_t n = 0;

	/* The list is newest first; positions count from the oldest. */
	pthread_mutex_lock(&sim->vms_lock);
	for (struct ffamed_sim_vm *vm = sim->vms; vm; vm = vm->next)
		n += vm->listed;
	for (struct ffamed_sim_vm *vm = sim->vms; vm && index < n; vm = vm->next) {
		if (vm->listed && --n == index) {
			found = vm;
			break;
		}
	}
	pthread_mutex_unlock(&sim->vms_lock);
	return found;
}

struct ffamed_sim_vm *ffamed_sim_find_vm(struct ffamed_sim *sim, uint16_t ffa_id)
{
	struct ffamed_sim_vm *found = NULL;

	pthread_mutex_lock(&sim->vms_lock);
	for (struct ffamed_sim_vm *vm = sim->vms; vm; vm = vm->next) {
		if (vm->listed && vm->id == ffa_id) {
			found = vm;
			break;
		}
	}
	pthread_mutex_unlock(&sim->vms_lock);
	return found;
}

struct ffamed_sim *ffamed_sim_vm_sim(const struct ffamed_sim_vm *vm)
{
	return vm->sim;
}

uint16_t ffamed_sim_vm_id(const struct ffamed_sim_vm *vm)
{
	return vm->id;
}

uint16_t ffamed_sim_vm_vcpu_count(const struct ffamed_sim_vm *vm)
{
	return vm->vcpu_count;
}

struct ffamed_posix_vm *ffamed_sim_vm_posix(struct ffamed_sim_vm *vm)
{
	return vm->pvm;
}

struct ffamed_vm *ffamed_sim_vm_mediator(struct ffamed_sim_vm *vm)
{
	return vm->mvm;
}

int32_t ffamed_sim_vcpu_start(struct ffamed_sim_vm *vm, uint16_t vcpu, ffamed_posix_vcpu_fn fn,
			      void *arg)
{
	return ffamed_posix_vcpu_start(vm->pvm, vcpu, fn, arg);
}

void ffamed_sim_vcpu_join(struct ffamed_sim_vm *vm, uint16_t vcpu)
{
	ffamed_posix_vcpu_join(vm->pvm, vcpu);
}

void ffamed_sim_vcpu_set_online(struct ffamed_sim_vm *vm, uint16_t vcpu, bool online)
{
	/* The port first, then the mediator (ffamed_vcpu_online's contract). */
	ffamed_posix_vcpu_set_online(vm->pvm, vcpu, online);
	if (online)
		ffamed_vcpu_online(vm->mvm, vcpu);
	else
		ffamed_vcpu_offline(vm->mvm, vcpu);
}
