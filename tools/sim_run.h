/* SPDX-License-Identifier: MIT */
/*
 * `ffamed sim`: one run of a simulated system. The workload (every vCPU of
 * every VM) records what it saw and every result that differed from what
 * must come back; the report prints it.
 */
#ifndef FFAMED_SIM_RUN_H
#define FFAMED_SIM_RUN_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "ffamed/sim.h"

#define RUN_MAX_PARTS  16
#define RUN_MAX_ERRORS 32 /* unexpected results kept for the report */
#define RUN_MAX_CALLS  64 /* distinct function IDs reported per VM */
#define RUN_MSG_LEN    200

struct run_options {
	uint32_t vms;
	uint16_t vcpus;
	uint32_t iterations;
	uint32_t seed;
	bool json;
};

struct run_call_count {
	uint32_t fid;
	uint64_t count;
};

/* VM-to-VM memory: the owner VM offers a handle to its peer, round by
 * round (tools/sim_memory.c). Fields under lock. */
struct run_mem_box {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint32_t offered; /* round offered last (UINT32_MAX: none yet) */
	uint32_t done;	  /* round the borrower finished last */
	bool failed;	  /* the owner's send failed this round */
	uint64_t handle;
	uint16_t sender;
	uint32_t pages;
	uint32_t checksum;
};

struct run_vm {
	struct run *run;
	struct ffamed_sim_vm *svm; /* NULL after teardown */
	uint16_t id;
	uint16_t vcpus;
	uint32_t version_asked;
	uint32_t version;	/* as vCPU 0 negotiated it */
	pthread_barrier_t done; /* all vCPUs finished: vCPU 0 unmaps */

	/* What vCPU 0 saw in its first discovery. */
	struct ffac_partition parts[RUN_MAX_PARTS];
	uint32_t part_count;

	/* Snapshot of the guest conduit counters before teardown. */
	struct run_call_count calls[RUN_MAX_CALLS];
	uint32_t call_kinds;
	uint64_t calls_total;

	_Atomic uint64_t checks;	    /* results that matched */
	_Atomic uint64_t expected_refusals; /* errors that had to come */
	_Atomic uint64_t unexpected;
	_Atomic uint64_t echo_answers; /* ECHO SP requests answered to this VM */
	_Atomic uint64_t resumes;      /* FFA_RUN calls the client made */

	uint32_t ram_pages;
	struct run_mem_box mem_box;	/* this VM as a borrower */
	_Atomic uint64_t mem_sp_rounds; /* share/lend + reclaim with MEMSP done */
	_Atomic uint64_t mem_vm_rounds; /* share/lend + reclaim with a VM done */
};

struct run_vcpu {
	struct run_vm *vm;
	uint16_t index;
};

struct run_system {
	uint64_t vmwatch_created, vmwatch_destroyed;
	uint32_t vmwatch_live_during, vmwatch_live_after;
	uint64_t vmwatch_duplicates, vmwatch_unknown;
	uint64_t echo_responses, echo_resumes, optee_calls;
	struct ffamed_fw_info fw;
	struct ffamed_sim_leaks leaks;
};

struct run {
	struct run_options opt;
	struct ffamed_sim *sim;
	uint32_t cpu_count;
	struct run_vm *vms;
	struct run_system sys;
	double wall_seconds;

	pthread_mutex_t errors_lock; /* errors, error_count */
	char errors[RUN_MAX_ERRORS][RUN_MSG_LEN];
	uint32_t error_count;		 /* all unexpected results, kept or not */
	_Atomic uint64_t sys_unexpected; /* system-level checks that failed */
};

/* Record an unexpected result (vm may be NULL for system-level ones). */
void run_unexpected(struct run *run, struct run_vm *vm, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The guest program of one vCPU (an ffamed_posix_vcpu_fn). */
void run_vcpu_main(struct ffamed_posix_vm *pvm, uint16_t vcpu, void *arg);
/* One round of memory sharing by this vCPU (tools/sim_memory.c). */
void run_guest_memory(struct run *run, struct run_vm *vm, struct ffamed_sim_vm *svm, struct ffac *c,
		      uint16_t vcpu, uint32_t iter);

/* What a guest of `version` must see for the SP configured as `sp`. */
uint32_t run_expected_props(uint32_t sp_props, uint32_t version);

void run_report_text(const struct run *run);
void run_report_json(const struct run *run);
uint64_t run_unexpected_total(const struct run *run);

#endif /* FFAMED_SIM_RUN_H */
