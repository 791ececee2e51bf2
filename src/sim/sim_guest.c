/* SPDX-License-Identifier: MIT */
/*
 * The guest side of a simulated VM: the trap path into the mediator, the
 * client library's conduit, call accounting, and the state a guest kernel
 * shares between its vCPUs (the RX/TX pair and the lock over RX users).
 */
#include <string.h>

#include "sim_internal.h"

/* SMCCC: an unknown function answers -1 in x0. */
#define SIM_SMCCC_UNKNOWN UINT64_MAX

void sim_guest_init(struct ffamed_sim_vm *vm)
{
	for (unsigned i = 0; i < SIM_CALL_SLOTS; i++) {
		atomic_init(&vm->calls[i], 0);
		atomic_init(&vm->calls_busy[i], 0);
		atomic_init(&vm->calls_on_interrupt[i], 0);
	}
	pthread_mutex_init(&vm->rx_lock, NULL);
	pthread_mutex_init(&vm->map_lock, NULL);
	pthread_cond_init(&vm->map_cond, NULL);
	vm->map_state = SIM_MAP_PENDING;
}

void sim_guest_fini(struct ffamed_sim_vm *vm)
{
	pthread_cond_destroy(&vm->map_cond);
	pthread_mutex_destroy(&vm->map_lock);
	pthread_mutex_destroy(&vm->rx_lock);
}

int sim_call_slot(uint32_t fid)
{
	fid &= ~FFA_SMCCC_SVE_HINT;
	if (!FFA_FID_IS_FFA(fid))
		return SIM_SLOT_NON_FFA;
	return (int)(FFA_FNUM(fid) - FFA_FNUM_MIN) + (FFA_FID_IS_64(fid) ? SIM_FNUM_COUNT : 0);
}

static bool sim_answered_busy(const struct ffamed_regs *regs)
{
	return (uint32_t)regs->x[0] == FFA_ERROR && (int32_t)(uint32_t)regs->x[2] == FFA_RET_BUSY;
}

static void sim_guest_call(struct ffamed_sim_vm *vm, uint16_t vcpu, struct ffamed_regs *regs,
			   bool on_interrupt)
{
	/* A vCPU the VM does not have gets the mediator's refusal, which
	 * never blocks: no slot to arm (and no port error to count). */
	bool slot = vcpu < vm->vcpu_count;
	int counter = sim_call_slot((uint32_t)regs->x[0]);
	enum ffamed_call_status status;

	atomic_fetch_add(&vm->calls[counter], 1);
	if (on_interrupt)
		atomic_fetch_add(&vm->calls_on_interrupt[counter], 1);
	/* Armed first: the reply of a blocked call may come before
	 * ffamed_handle_call returns. */
	if (slot)
		ffamed_posix_vcpu_call_begin(vm->pvm, vcpu);
	status = ffamed_handle_call(vm->mvm, vcpu, regs);
	if (status == FFAMED_CALL_BLOCKED && slot) {
		/* A driver that plays every vCPU on one thread (a fuzzer, a
		 * script) could wait for ever: the host takes the vCPU back at
		 * once (FFA_INTERRUPT), unless the reply already came. */
		if (vm->sim->cfg.take_back_blocked)
			ffamed_vcpu_interrupt(vm->mvm, vcpu);
		ffamed_posix_vcpu_wait_resume(vm->pvm, vcpu, regs);
	} else {
		if (slot)
			ffamed_posix_vcpu_call_end(vm->pvm, vcpu);
		if (status == FFAMED_CALL_NOT_FFA)
			regs->x[0] = SIM_SMCCC_UNKNOWN;
	}
	if (sim_answered_busy(regs))
		atomic_fetch_add(&vm->calls_busy[counter], 1);
}

void ffamed_sim_guest_call(struct ffamed_sim_vm *vm, uint16_t vcpu, struct ffamed_regs *regs)
{
	sim_guest_call(vm, vcpu, regs, false);
}

uint64_t ffamed_sim_vm_call_count(const struct ffamed_sim_vm *vm, uint32_t fid)
{
	return atomic_load(&vm->calls[sim_call_slot(fid)]);
}

uint64_t ffamed_sim_vm_call_count_of(const struct ffamed_sim_vm *vm, uint32_t fid,
				     enum ffamed_sim_call_kind kind)
{
	int counter = sim_call_slot(fid);

	switch (kind) {
	case FFAMED_SIM_CALLS_BUSY:
		return atomic_load(&vm->calls_busy[counter]);
	case FFAMED_SIM_CALLS_ON_INTERRUPT:
		return atomic_load(&vm->calls_on_interrupt[counter]);
	case FFAMED_SIM_CALLS_ALL:
	default:
		return atomic_load(&vm->calls[counter]);
	}
}

void ffamed_sim_conduit_call(void *ctx, struct ffamed_regs *regs)
{
	struct ffamed_sim_conduit *conduit = ctx;

	sim_guest_call(conduit->vm, conduit->vcpu, regs, conduit->on_interrupt);
}

void ffamed_sim_client_init(struct ffac *c, struct ffamed_sim_conduit *conduit,
			    struct ffamed_sim_vm *vm, uint16_t vcpu)
{
	conduit->vm = vm;
	conduit->vcpu = vcpu;
	conduit->on_interrupt = false;
	ffac_init(c, ffamed_sim_conduit_call, conduit);
}

void *ffamed_sim_guest_va(struct ffamed_sim_vm *vm, uint64_t ipa)
{
	return ffamed_posix_vm_va(vm->pvm, ipa);
}

static void sim_publish_map(struct ffamed_sim_vm *vm, int32_t state, const struct ffac *c)
{
	pthread_mutex_lock(&vm->map_lock);
	vm->map_state = state;
	memset(&vm->rxtx, 0, sizeof(vm->rxtx));
	if (state == FFA_RET_OK) {
		vm->rxtx.tx = c->tx;
		vm->rxtx.rx = c->rx;
		vm->rxtx.tx_ipa = c->tx_ipa;
		vm->rxtx.rx_ipa = c->rx_ipa;
		vm->rxtx.pages = c->rxtx_pages;
	}
	pthread_cond_broadcast(&vm->map_cond);
	pthread_mutex_unlock(&vm->map_lock);
}

int32_t ffamed_sim_guest_map_rxtx(struct ffamed_sim_vm *vm, struct ffac *c, uint32_t pages)
{
	uint64_t bytes = (uint64_t)pages * FFA_PAGE_SIZE;
	uint64_t tx_ipa = FFAMED_SIM_RX_IPA + bytes; /* TX right after RX */
	void *rx = ffamed_sim_guest_va(vm, FFAMED_SIM_RX_IPA);
	void *tx = ffamed_sim_guest_va(vm, tx_ipa);
	int32_t ret;

	/* Both buffers must be inside RAM. */
	if (!pages || !tx || !ffamed_sim_guest_va(vm, tx_ipa + bytes - 1)) {
		sim_publish_map(vm, FFA_RET_INVALID_PARAMETERS, c);
		return FFA_RET_INVALID_PARAMETERS;
	}
	pthread_mutex_lock(&vm->rx_lock);
	ret = ffac_rxtx_map(c, tx, tx_ipa, rx, FFAMED_SIM_RX_IPA, pages);
	pthread_mutex_unlock(&vm->rx_lock);
	sim_publish_map(vm, ret, c);
	return ret;
}

int32_t ffamed_sim_guest_adopt_rxtx(struct ffamed_sim_vm *vm, struct ffac *c)
{
	int32_t state;

	pthread_mutex_lock(&vm->map_lock);
	while (vm->map_state == SIM_MAP_PENDING)
		pthread_cond_wait(&vm->map_cond, &vm->map_lock);
	state = vm->map_state;
	if (state == FFA_RET_OK) {
		c->tx = vm->rxtx.tx;
		c->rx = vm->rxtx.rx;
		c->tx_ipa = vm->rxtx.tx_ipa;
		c->rx_ipa = vm->rxtx.rx_ipa;
		c->rxtx_pages = vm->rxtx.pages;
		c->rxtx_mapped = true;
	}
	pthread_mutex_unlock(&vm->map_lock);
	return state;
}

int32_t ffamed_sim_guest_unmap_rxtx(struct ffamed_sim_vm *vm, struct ffac *c)
{
	int32_t ret;

	pthread_mutex_lock(&vm->rx_lock);
	ret = ffac_rxtx_unmap(c);
	pthread_mutex_unlock(&vm->rx_lock);
	if (ret == FFA_RET_OK)
		sim_publish_map(vm, FFA_RET_INVALID_PARAMETERS, c);
	return ret;
}

void ffamed_sim_guest_rx_lock(struct ffamed_sim_vm *vm)
{
	pthread_mutex_lock(&vm->rx_lock);
}

void ffamed_sim_guest_rx_unlock(struct ffamed_sim_vm *vm)
{
	pthread_mutex_unlock(&vm->rx_lock);
}

bool ffamed_sim_vcpu_interrupt(struct ffamed_sim_vm *vm, uint16_t vcpu)
{
	return ffamed_vcpu_interrupt(vm->mvm, vcpu);
}
