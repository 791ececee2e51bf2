/* SPDX-License-Identifier: MIT */
/*
 * Simulated systems: one POSIX host, a software SPMC with the built-in SPs
 * behind the host's firmware conduit, the ffamed mediator on top, and VMs
 * whose guests talk FF-A through the client library.
 *
 * The default system: 2 VMs (IDs 1 and 2) x 2 vCPUs; SPs ECHO (0x8001, MP),
 * VMWATCH (0x8002, UP, subscribed to VM created/destroyed), OP-TEE
 * (0x8003, MP) and MEMSP (0x8004, MP, a memory borrower). MP SPs have one execution context per
 * simulated CPU.
 *
 * Threads: vCPU threads of any VMs may call ffamed_sim_guest_call() at once.
 * VMs may be added and removed from any thread while other VMs run; a VM's
 * own vCPU threads must not be running when it is removed (remove joins
 * them).
 */
#ifndef FFAMED_SIM_H
#define FFAMED_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ffamed/export.h"
#include "ffamed/client.h"
#include "ffamed/ffa.h"
#include "ffamed/mediator.h"
#include "ffamed/port_posix.h"
#include "ffamed/sp_builtin.h"
#include "ffamed/spmc.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ffamed_sim;
struct ffamed_sim_vm;

/* The built-in SPs of every simulated system. */
#define FFAMED_SIM_ECHO_ID    0x8001u
#define FFAMED_SIM_VMWATCH_ID 0x8002u
#define FFAMED_SIM_OPTEE_ID   0x8003u
#define FFAMED_SIM_MEMSP_ID   0x8004u
#define FFAMED_SIM_SP_COUNT   4u

/* Where each guest keeps its RX/TX pair: the first pages of its RAM, RX
 * first, TX right after it (FFAMED_SIM_TX_IPA for a one-page pair). */
#define FFAMED_SIM_RX_IPA (FFAMED_POSIX_RAM_BASE + 0x0000u)
#define FFAMED_SIM_TX_IPA (FFAMED_POSIX_RAM_BASE + 0x1000u)

/* Limits. The ECHO SP keeps counters for at most 64 contexts. */
#define FFAMED_SIM_MAX_CPUS 64u
#define FFAMED_SIM_MAX_VMS  256u

struct ffamed_sim_config {
	uint32_t vm_count;	 /* VMs created at start, IDs 1..vm_count (may be 0) */
	uint16_t vcpus_per_vm;	 /* 0: 2 */
	size_t ram_pages_per_vm; /* 0: 32 */
	bool vm_to_vm;		 /* the mediator lists VMs to each other */
	/* Access policy of every VM (NULL: every right toward SPs, and
	 * toward the other VMs when vm_to_vm; docs/MESSAGING.md). */
	const struct ffamed_vm_policy *vm_policy;
	/* A call that blocks (docs/MESSAGING.md) is taken back at once with
	 * ffamed_vcpu_interrupt, unless its reply already came: for drivers
	 * that play every vCPU on one thread (fuzzers, scripts). */
	bool take_back_blocked;
	uint32_t seed; /* scatter order of guest pages (0: port default) */
	/* Simulated physical CPUs (0: enough for every initial vCPU plus the
	 * host's own threads, at least 8). Every running vCPU thread and
	 * every other thread that calls in holds one. At most 64. */
	uint32_t cpu_count;
	/* Faults of the software SPMC, in force before the mediator probes
	 * it (NULL: none). Tests of a mediator facing a quirky SPMC. */
	const struct ffamed_spmc_faults *spmc_faults;
};

/* The default system (2 VMs x 2 vCPUs). */
FFAMED_API void ffamed_sim_default_config(struct ffamed_sim_config *cfg);

/* Build the whole system; the initial VMs are created (VM_CREATED sent).
 * Returns FFA_RET_OK or an FF-A error. */
FFAMED_API int32_t ffamed_sim_create(const struct ffamed_sim_config *cfg, struct ffamed_sim **out);

/* Leak accounting after shutdown: all should be 0. */
struct ffamed_sim_leaks {
	size_t pinned_pages;	 /* guest pages still pinned when each VM was removed */
	size_t live_allocs;	 /* mediator allocations not freed */
	size_t spmc_live_allocs; /* SPMC allocations not freed */
	size_t mapped_pages;	 /* map_pages mappings not undone */
	size_t live_vms;	 /* host VM objects not freed */
	size_t port_errors;	 /* contract violations the port detected */
};

/*
 * Remove every VM, destroy the mediator and the SPMC, and report what is
 * left over. The host (and the SP state, for inspection) stays until
 * ffamed_sim_destroy(). No vCPU thread may run.
 */
FFAMED_API void ffamed_sim_shutdown(struct ffamed_sim *sim, struct ffamed_sim_leaks *leaks);
/* Shuts down if not done yet, then frees everything. */
FFAMED_API void ffamed_sim_destroy(struct ffamed_sim *sim);

/* ---- Components ------------------------------------------------------------ */
FFAMED_API struct ffamed_posix_host *ffamed_sim_host(struct ffamed_sim *sim);
FFAMED_API struct ffamed_spmc *ffamed_sim_spmc(struct ffamed_sim *sim); /* NULL after shutdown */
FFAMED_API struct ffamed *ffamed_sim_mediator(struct ffamed_sim *sim);	/* NULL after shutdown */
FFAMED_API struct ffamed_sp_echo *ffamed_sim_echo(struct ffamed_sim *sim);
FFAMED_API struct ffamed_sp_vmwatch *ffamed_sim_vmwatch(struct ffamed_sim *sim);
FFAMED_API struct ffamed_sp_optee *ffamed_sim_optee(struct ffamed_sim *sim);
FFAMED_API struct ffamed_sp_memsp *ffamed_sim_memsp(struct ffamed_sim *sim);
FFAMED_API uint32_t ffamed_sim_cpu_count(const struct ffamed_sim *sim);
/* What every guest must see for each built-in SP (configured values,
 * before any masking by the guest's version). */
FFAMED_API const struct ffamed_sp_config *ffamed_sim_sp_configs(const struct ffamed_sim *sim,
								uint32_t *count);

/* ---- VMs ------------------------------------------------------------------- */
/*
 * Add a VM with FF-A ID `ffa_id` (1..0x7FFF, unused) and `vcpus` vCPUs (0:
 * the configured default): host VM, then the mediator VM (VM_CREATED to
 * subscribed SPs). Returns FFA_RET_OK or an FF-A error (NO_MEMORY when the
 * CPUs cannot host that many more vCPU threads).
 */
FFAMED_API int32_t ffamed_sim_vm_add(struct ffamed_sim *sim, uint16_t ffa_id, uint16_t vcpus,
				     struct ffamed_sim_vm **out);
/* The same with this VM's own access policy (NULL: the config's; the
 * mediator copies it). */
FFAMED_API int32_t ffamed_sim_vm_add_policy(struct ffamed_sim *sim, uint16_t ffa_id, uint16_t vcpus,
					    const struct ffamed_vm_policy *policy,
					    struct ffamed_sim_vm **out);
/* Take back its blocked vCPUs (once each: a guest program that waits
 * again needs its own stop condition), join the VM's vCPU threads, destroy
 * the mediator VM (VM_DESTROYED), check that no guest page stays pinned,
 * destroy the host VM. */
FFAMED_API void ffamed_sim_vm_remove(struct ffamed_sim_vm *vm);

/* Live VMs by position (0..n-1, in order of addition) or by ID; NULL if none. */
FFAMED_API uint32_t ffamed_sim_vm_count(struct ffamed_sim *sim);
FFAMED_API struct ffamed_sim_vm *ffamed_sim_vm_at(struct ffamed_sim *sim, uint32_t index);
FFAMED_API struct ffamed_sim_vm *ffamed_sim_find_vm(struct ffamed_sim *sim, uint16_t ffa_id);

FFAMED_API struct ffamed_sim *ffamed_sim_vm_sim(const struct ffamed_sim_vm *vm);
FFAMED_API uint16_t ffamed_sim_vm_id(const struct ffamed_sim_vm *vm);
FFAMED_API uint16_t ffamed_sim_vm_vcpu_count(const struct ffamed_sim_vm *vm);
FFAMED_API struct ffamed_posix_vm *ffamed_sim_vm_posix(struct ffamed_sim_vm *vm);
FFAMED_API struct ffamed_vm *ffamed_sim_vm_mediator(struct ffamed_sim_vm *vm);

/* Start vCPU `vcpu` of the VM as a thread running fn; join it. */
FFAMED_API int32_t ffamed_sim_vcpu_start(struct ffamed_sim_vm *vm, uint16_t vcpu,
					 ffamed_posix_vcpu_fn fn, void *arg);
FFAMED_API void ffamed_sim_vcpu_join(struct ffamed_sim_vm *vm, uint16_t vcpu);

/* A vCPU stops or starts taking interrupts (port, then mediator). */
FFAMED_API void ffamed_sim_vcpu_set_online(struct ffamed_sim_vm *vm, uint16_t vcpu, bool online);
/* Take a vCPU blocked in a call back (its call returns FFA_INTERRUPT):
 * ffamed_vcpu_interrupt. Returns whether it was blocked. */
FFAMED_API bool ffamed_sim_vcpu_interrupt(struct ffamed_sim_vm *vm, uint16_t vcpu);

/* ---- The trap path ----------------------------------------------------------- */
/*
 * A guest's SMC/HVC from vCPU `vcpu`: counted, then handed to the mediator;
 * what the mediator does not take is answered as an unknown SMC (x0 = -1).
 */
FFAMED_API void ffamed_sim_guest_call(struct ffamed_sim_vm *vm, uint16_t vcpu,
				      struct ffamed_regs *regs);

/* Calls made at the guest conduit with this function ID (SVE hint masked;
 * 32- and 64-bit IDs apart). Any ID outside the FF-A range shares one
 * counter, read with fid 0. */
FFAMED_API uint64_t ffamed_sim_vm_call_count(const struct ffamed_sim_vm *vm, uint32_t fid);

/* Subsets of those calls whose number depends on timing: the ones answered
 * BUSY (a guest retries them), and the ones a guest made from an interrupt
 * handler through a conduit marked on_interrupt (interrupts coalesce). */
enum ffamed_sim_call_kind {
	FFAMED_SIM_CALLS_ALL,
	FFAMED_SIM_CALLS_BUSY,
	FFAMED_SIM_CALLS_ON_INTERRUPT,
};
FFAMED_API uint64_t ffamed_sim_vm_call_count_of(const struct ffamed_sim_vm *vm, uint32_t fid,
						enum ffamed_sim_call_kind kind);

/* The client library's conduit into a simulated vCPU. */
struct ffamed_sim_conduit {
	struct ffamed_sim_vm *vm;
	uint16_t vcpu;
	bool on_interrupt; /* the guest is in an interrupt handler */
};
FFAMED_API void ffamed_sim_conduit_call(void *ctx, struct ffamed_regs *regs);
/* ffac_init over a conduit for (vm, vcpu); `conduit` must outlive `c`. */
FFAMED_API void ffamed_sim_client_init(struct ffac *c, struct ffamed_sim_conduit *conduit,
				       struct ffamed_sim_vm *vm, uint16_t vcpu);

/* ---- The guest's shared state ------------------------------------------------ */
/*
 * The guest's RX/TX pair is one per VM, shared by its vCPUs. One vCPU maps
 * it with ffamed_sim_guest_map_rxtx(); the others pick the mapping up with
 * ffamed_sim_guest_adopt_rxtx(), which waits until the mapping vCPU is
 * done. Everything that uses the RX buffer (partition discovery) runs
 * between ffamed_sim_guest_rx_lock() and _unlock(), as in a guest kernel.
 */
FFAMED_API int32_t ffamed_sim_guest_map_rxtx(struct ffamed_sim_vm *vm, struct ffac *c,
					     uint32_t pages);
/* FFA_RET_OK once mapped (c then uses the pair), else the map's error. */
FFAMED_API int32_t ffamed_sim_guest_adopt_rxtx(struct ffamed_sim_vm *vm, struct ffac *c);
/* Unmap through c (any vCPU's client); sibling clients must stop using it. */
FFAMED_API int32_t ffamed_sim_guest_unmap_rxtx(struct ffamed_sim_vm *vm, struct ffac *c);
FFAMED_API void ffamed_sim_guest_rx_lock(struct ffamed_sim_vm *vm);
FFAMED_API void ffamed_sim_guest_rx_unlock(struct ffamed_sim_vm *vm);
/* The guest's view of its own address `ipa` (NULL outside its RAM). */
FFAMED_API void *ffamed_sim_guest_va(struct ffamed_sim_vm *vm, uint64_t ipa);

/* ---- Names ------------------------------------------------------------------- */
/* "FFA_MSG_SEND_DIRECT_REQ_64"...; NULL for an unknown ID. */
FFAMED_API const char *ffamed_sim_fid_name(uint32_t fid);
/* "NOT_SUPPORTED"...; "OK" for 0; NULL for an unknown code. */
FFAMED_API const char *ffamed_sim_error_name(int32_t err);
/* "ECHO", "VMWATCH", "OP-TEE", "MEMSP" for the built-in SPs' IDs; NULL else. */
FFAMED_API const char *ffamed_sim_partition_name(uint16_t id);

#ifdef __cplusplus
}
#endif

#endif /* FFAMED_SIM_H */
