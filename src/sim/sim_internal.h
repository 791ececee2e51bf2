/* SPDX-License-Identifier: MIT */
/*
 * Simulated systems, internals shared by the sim files.
 *
 * Lock order (outer first):
 *   1. sim->vms_lock: the VM list and the vCPU budget; held only for list
 *      and budget updates, never across a mediator or firmware call;
 *   2. vm->rx_lock: the guest's RX buffer users (a guest-kernel lock, held
 *      across FF-A calls);
 *   3. vm->map_lock: the guest's published RX/TX mapping (short).
 */
#ifndef FFAMED_SIM_INTERNAL_H
#define FFAMED_SIM_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "ffamed/sim.h"

/* Threads other than vCPUs that hold a simulated CPU: the creating thread,
 * the port's deferred-work thread, and some slack for callers. */
#define SIM_RESERVED_CPUS 4u
#define SIM_MIN_CPUS	  8u
#define SIM_DEFAULT_VCPUS 2u
#define SIM_DEFAULT_RAM	  32u
#define SIM_DEFAULT_VMS	  2u

/* Call counters: one per FF-A function number and width, one for the rest. */
#define SIM_FNUM_COUNT	 (FFA_FNUM_MAX - FFA_FNUM_MIN + 1)
#define SIM_CALL_SLOTS	 (2 * SIM_FNUM_COUNT + 1)
#define SIM_SLOT_NON_FFA (2 * SIM_FNUM_COUNT)

/* The guest's RX/TX pair as the mapping vCPU left it. */
struct sim_rxtx {
	void *tx, *rx;
	uint64_t tx_ipa, rx_ipa;
	uint32_t pages;
};

/* Before the mapping vCPU is done: adopters wait. */
#define SIM_MAP_PENDING 1

struct ffamed_sim_vm {
	struct ffamed_sim *sim;
	struct ffamed_sim_vm *next; /* sim->vms, under sim->vms_lock */
	bool listed;		    /* visible to lookups, under sim->vms_lock */
	uint16_t id;
	uint16_t vcpu_count;
	struct ffamed_posix_vm *pvm;
	struct ffamed_vm *mvm;
	_Atomic uint64_t calls[SIM_CALL_SLOTS];
	_Atomic uint64_t calls_busy[SIM_CALL_SLOTS];	     /* of calls: answered BUSY */
	_Atomic uint64_t calls_on_interrupt[SIM_CALL_SLOTS]; /* of calls: from a handler */

	pthread_mutex_t rx_lock;  /* order 2 */
	pthread_mutex_t map_lock; /* order 3: map_state, rxtx */
	pthread_cond_t map_cond;
	int32_t map_state; /* SIM_MAP_PENDING, FFA_RET_OK, or the map's error */
	struct sim_rxtx rxtx;
};

struct ffamed_sim {
	struct ffamed_sim_config cfg;
	struct ffamed_posix_host *host;
	struct ffamed_spmc_env spmc_env;
	struct ffamed_spmc *spmc;
	struct ffamed *med;

	struct ffamed_sp_config sp_cfgs[FFAMED_SIM_SP_COUNT];
	struct ffamed_sp_echo echo;
	struct ffamed_sp_vmwatch vmwatch;
	struct ffamed_sp_optee optee;
	struct ffamed_sp_memsp memsp;

	pthread_mutex_t vms_lock; /* order 1: vms, vcpus_in_use */
	struct ffamed_sim_vm *vms;
	uint32_t vcpus_in_use;
	_Atomic size_t leaked_pins; /* pins found at VM removal */
	bool shut_down;
};

int sim_call_slot(uint32_t fid);
void sim_guest_init(struct ffamed_sim_vm *vm);
void sim_guest_fini(struct ffamed_sim_vm *vm);

#endif /* FFAMED_SIM_INTERNAL_H */
