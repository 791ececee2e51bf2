/* SPDX-License-Identifier: MIT */
/*
 * `ffamed sim`: one run of a simulated system. The workload (every vCPU of
 * every VM) records what it saw and every result that differed from what
 * must come back; the report prints it. "workload" names this tool's
 * guest programs; src/sim (ffamed_sim_*) is the simulated system they run on.
 *
 * Files, top down (a file calls only those below it):
 *   cmd_sim.c          options, building the system, the run's order
 *   workload_guest.c   each vCPU's program: setup, discovery, direct messages
 *   workload_memory.c  memory sharing with MEMSP and between VMs
 *   workload_notif.c   notifications SP->VM, VM->VM, VM->SP
 *   workload_msg.c     messages between VMs and with ECHO
 *   workload_report.c  the text and JSON report
 *   workload_check.c   result checks and the unexpected-result record
 */
#ifndef FFAMED_TOOLS_SIM_WORKLOAD_H
#define FFAMED_TOOLS_SIM_WORKLOAD_H

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "ffamed/sim.h"
#include "ffamed/trace.h"

#define WORKLOAD_MAX_PARTS  (FFAMED_SIM_SP_COUNT + FFAMED_SIM_MAX_VMS)
#define WORKLOAD_MAX_ERRORS 32 /* unexpected results kept for the report */
#define WORKLOAD_MAX_CALLS  64 /* distinct function IDs reported per VM */
#define WORKLOAD_MSG_LEN    200

struct workload_options {
	uint32_t vms;
	uint16_t vcpus;
	uint32_t iterations;
	uint32_t seed;
	bool json;
	const char *trace_path;	  /* --trace: Chrome/Perfetto JSON */
	uint64_t trace_max_bytes; /* --trace-max */
	const char *mermaid_path; /* --mermaid: sequence diagram */
	uint32_t mermaid_calls;	  /* calls in the diagram */
};

/* Calls at the guest conduit with one function ID. Only `count` is the
 * same from run to run: how often a call is answered BUSY, and how many
 * calls interrupt handlers make (interrupts coalesce), depend on timing. */
struct workload_call_count {
	uint32_t fid;
	uint64_t count;	       /* the guest program's calls */
	uint64_t busy;	       /* answered BUSY, then retried */
	uint64_t on_interrupt; /* made by an interrupt handler */
};

/* VM-to-VM memory: the owner VM offers a handle to its peer, round by
 * round (tools/sim/workload_memory.c). Fields under lock. */
struct workload_mem_box {
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

struct workload_vm {
	struct workload *run;
	struct ffamed_sim_vm *svm; /* NULL after teardown */
	uint16_t id;
	uint16_t vcpus;
	uint32_t version_asked;
	uint32_t version;	/* as vCPU 0 negotiated it */
	pthread_barrier_t done; /* all vCPUs finished: vCPU 0 unmaps */

	/* What vCPU 0 saw in its first discovery. */
	struct ffac_partition parts[WORKLOAD_MAX_PARTS];
	uint32_t part_count;

	/* Snapshot of the guest conduit counters before teardown. */
	struct workload_call_count calls[WORKLOAD_MAX_CALLS];
	uint32_t call_kinds;
	uint64_t calls_total, busy_total, on_interrupt_total;

	_Atomic uint64_t checks;	      /* results that matched */
	_Atomic uint64_t checks_on_interrupt; /* of those: in NPI handlers */
	_Atomic uint64_t expected_refusals;   /* errors that had to come */
	_Atomic uint64_t memsp_refusals;      /* NO_MEMORY from MEMSP at its limit */
	_Atomic uint64_t unexpected;
	_Atomic uint64_t echo_answers; /* ECHO SP requests answered to this VM */
	_Atomic uint64_t resumes;      /* FFA_RUN calls the client made */

	struct workload_mem_box mem_box; /* this VM as a borrower */
	_Atomic uint64_t mem_sp_rounds;	 /* share/lend + reclaim with MEMSP done */
	_Atomic uint64_t mem_vm_rounds;	 /* share/lend + reclaim with a VM done */

	/* Notifications (workload_notif.c): its place in the ring of VMs that
	 * take part (-1: none, a v1.0 VM), and what its vCPUs collected:
	 * SP-class bits (ID v is vCPU v's) and VM-class bits (ID v is from
	 * vCPU v of the previous VM in the ring). */
	int notif_index;
	_Atomic uint64_t notif_sp_got[FFAMED_SIM_MAX_CPUS];
	_Atomic uint64_t notif_vm_got[FFAMED_SIM_MAX_CPUS];

	/* Messaging (workload_msg.c): whether it takes part, its pair. */
	bool msg_on;
	bool msg_pinger;
	struct workload_vm *msg_peer;
	pthread_barrier_t *msg_pair;
	_Atomic uint64_t msg_served; /* direct requests its server answered */
	_Atomic bool msg_server_done;
};

struct workload_vcpu {
	struct workload_vm *vm;
	uint16_t index;
};

struct workload_system {
	uint64_t vmwatch_created, vmwatch_destroyed;
	uint32_t vmwatch_live_during, vmwatch_live_after;
	uint64_t vmwatch_duplicates, vmwatch_unknown;
	uint64_t echo_responses, echo_resumes, optee_calls;
	struct ffamed_fw_info fw;
	struct ffamed_sim_leaks leaks;
};

/* Notifications sent and delivered, by direction. */
struct workload_notif {
	uint32_t vms;		       /* VMs taking part (v1.1 and later) */
	uint32_t vcpus;		       /* their vCPUs */
	struct workload_vm **ring;     /* the VMs taking part, in order */
	_Atomic uint32_t ready;	       /* vCPUs whose bindings are in place */
	_Atomic uint32_t senders_left; /* vCPUs still sending */
	_Atomic uint64_t sp_to_vm_sent, sp_to_vm_delivered;
	_Atomic uint64_t vm_to_vm_sent, vm_to_vm_delivered;
	_Atomic uint64_t vm_to_sp_sent, vm_to_sp_delivered;
	_Atomic uint64_t to_sp_got[64]; /* ECHO's IDs, as the guests read them */
	_Atomic uint64_t npis;		/* NPIs taken */
	_Atomic uint64_t empty_gets;	/* NPI-triggered GETs that found nothing */
};

/* Messages sent and delivered, by kind (workload_msg.c). */
struct workload_msg {
	uint32_t pairs;	   /* VM pairs taking part */
	_Atomic bool stop; /* the servers stop at their next interrupt */
	_Atomic uint64_t direct_sent, direct_answered;
	_Atomic uint64_t indirect_sent, indirect_delivered;
	_Atomic uint64_t sp_to_vm_sent, sp_to_vm_delivered;
	_Atomic uint64_t vm_to_sp_sent, vm_to_sp_delivered;
};

struct workload {
	struct workload_options opt;
	struct workload_notif notif;
	struct workload_msg msg;
	struct ffamed_sim *sim;
	struct ffamed_trace *trace; /* NULL: not tracing */
	uint32_t cpu_count;
	struct workload_vm *vms;
	struct workload_system sys;
	double wall_seconds;

	sem_t memsp_slots; /* regions MEMSP can still hold (tools/sim/workload_memory.c) */
	pthread_barrier_t all_set_up; /* every vCPU of every VM negotiated */

	pthread_mutex_t errors_lock; /* errors, error_count */
	char errors[WORKLOAD_MAX_ERRORS][WORKLOAD_MSG_LEN];
	uint32_t error_count;		 /* all unexpected results, kept or not */
	_Atomic uint64_t sys_unexpected; /* system-level checks that failed */
};

/* One vCPU's guest program state. */
struct guest {
	struct workload *run;
	struct workload_vm *vm;
	struct ffamed_sim_vm *svm;
	uint16_t vcpu;
	uint32_t cpu; /* the simulated physical CPU this vCPU thread holds */
	uint32_t iter;
	bool in_setup; /* before the first iteration, or at power-off */
	struct ffamed_sim_conduit conduit;
	struct ffac c;
};

/* ---- result checks (workload_check.c) ---- */
void guest_fail(struct guest *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The call returned `got`; `want` had to come (OK, or an expected refusal). */
bool guest_expect_ret(struct guest *g, const char *what, int32_t got, int32_t want);
bool guest_expect_u64(struct guest *g, const char *what, uint64_t got, uint64_t want);
/* A system-level check: got must equal want. */
void workload_expect(struct workload *run, const char *what, uint64_t got, uint64_t want);
/* Record an unexpected result (vm may be NULL for system-level ones). */
void workload_unexpected(struct workload *run, struct workload_vm *vm, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
uint64_t workload_unexpected_total(const struct workload *run);

/* ---- the guest program (workload_guest.c) ---- */
/* The guest program of one vCPU (an ffamed_posix_vcpu_fn). */
void workload_vcpu_main(struct ffamed_posix_vm *pvm, uint16_t vcpu, void *arg);

/* ---- memory sharing (workload_memory.c) ---- */
/* Guest RAM the memory rounds need for a VM of `vcpus` vCPUs. */
uint32_t workload_memory_ram_pages(uint16_t vcpus);
/* One round of memory sharing by this vCPU. */
void workload_memory_round(struct workload *run, struct workload_vm *vm, struct ffamed_sim_vm *svm,
			   struct ffac *c, uint16_t vcpu, uint32_t iter);

/* ---- notifications (workload_notif.c) ----
 * The VMs that take part (before vCPUs start), one vCPU's part (after its
 * setup), and the final accounting. */
void workload_notif_plan(struct workload *run);
void workload_notif_vcpu(struct guest *g);
void workload_notif_check(struct workload *run);
uint32_t workload_notif_rounds(const struct workload *run);

/* ---- messaging (workload_msg.c): between VMs and with ECHO, after the
 * guest programs ---- */
void workload_msg_phase(struct workload *run);
void workload_msg_check(struct workload *run);

/* ---- the report (workload_report.c) ---- */
void workload_report_text(const struct workload *run);
void workload_report_json(const struct workload *run);

#endif /* FFAMED_TOOLS_SIM_WORKLOAD_H */
