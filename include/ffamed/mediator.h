/* SPDX-License-Identifier: MIT */
/*
 * The ffamed mediator API: what a hypervisor calls. Create one mediator per
 * system at boot, one ffamed_vm per guest that may use FF-A, and hand every
 * trapped FF-A call to ffamed_handle_call().
 */
#ifndef FFAMED_MEDIATOR_H
#define FFAMED_MEDIATOR_H

#include <stdbool.h>
#include <stdint.h>

#include "ffamed/config.h"
#include "ffamed/export.h"
#include "ffamed/port.h"
#include "ffamed/regs.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The version the mediator implements and answers FFA_VERSION with. */
/* v1.2, or the lower cap FFAMED_CONFIG_FFA_MINOR_MAX the library was built with. */
#define FFAMED_FFA_VERSION (0x10000u | FFAMED_CONFIG_FFA_MINOR_MAX)

struct ffamed;
struct ffamed_vm;

struct ffamed_config {
	/* Most VMs registered at once (0: default 256). */
	uint32_t max_vms;
	/* Largest RX/TX buffer a VM may map, in 4K pages (0: default 64). */
	uint32_t rxtx_max_pages;
	/* Pages in the mediator's own RX/TX pair with the SPMC (0: default 1). */
	uint32_t spmc_rxtx_pages;
	/* VM-to-VM support: list other VMs in partition discovery, serve
	 * notifications between VMs. */
	bool vm_to_vm;
	/* Notification Pending Interrupt injected into guests and Schedule
	 * Receiver Interrupt ID advertised to them (0: defaults 8 and 9). */
	uint32_t npi_intid;
	uint32_t sri_intid;
	/* VM_CREATED/VM_DESTROYED: retries, and delay between deferred
	 * retries (0: defaults 10 retries, 1 ms). */
	uint32_t vm_msg_max_retries;
	uint64_t vm_msg_retry_delay_ns;
	/* Memory sharing (docs/MEMORY.md), 0: defaults. Pages in one
	 * transaction (262144 = 1 GiB), live transactions a VM owns (4096),
	 * receivers in one transaction (8, at most 64), reclaim attempts
	 * for an SP transaction whose owner was destroyed (100; spaced by
	 * vm_msg_retry_delay_ns). */
	uint32_t mem_max_pages;
	uint32_t mem_max_handles;
	uint32_t mem_max_receivers;
	uint32_t mem_reclaim_retries;
};

/*
 * Access control (docs/MESSAGING.md). Rights a VM grants toward a peer, a
 * VM or an SP; each right covers both directions:
 *   MSG     direct requests and indirect messages (FFA_MSG_SEND2)
 *   NOTIFY  notifications (bind a sender, set a receiver's bits)
 *   MEM     memory sharing, lending and donation
 * Between two VMs a right holds only if both VMs' policies grant it to
 * the other; messages and notifications also need the config's vm_to_vm. Toward an SP, the
 * VM's policy alone decides (the SPMC polices the secure side).
 * Partition discovery lists to a VM only the peers it holds some right to.
 */
#define FFAMED_RIGHT_MSG    (1u << 0)
#define FFAMED_RIGHT_NOTIFY (1u << 1)
#define FFAMED_RIGHT_MEM    (1u << 2)
#define FFAMED_RIGHTS_ALL   (FFAMED_RIGHT_MSG | FFAMED_RIGHT_NOTIFY | FFAMED_RIGHT_MEM)

struct ffamed_peer_rights {
	uint16_t peer;	 /* a VM ID (bit 15 clear) or an SP ID */
	uint32_t rights; /* FFAMED_RIGHT_*: replaces the default for this peer */
};

struct ffamed_vm_policy {
	uint32_t sp_default;			/* rights toward SPs not listed in peers */
	uint32_t vm_default;			/* rights toward other VMs not listed */
	const struct ffamed_peer_rights *peers; /* copied at VM creation */
	uint32_t peer_count;			/* at most 1024 */
};

/* The policy of a VM created with policy == NULL: every right toward SPs,
 * none toward other VMs. */
#define FFAMED_POLICY_DEFAULT_SP FFAMED_RIGHTS_ALL
#define FFAMED_POLICY_DEFAULT_VM 0u

struct ffamed_vm_params {
	uint16_t ffa_id;     /* 0x0001..0x7FFF, unique */
	uint16_t vcpu_count; /* >= 1 */
	bool aarch64;	     /* guest runs AArch64 (partition property bit 8) */
	void *host_vm;	     /* the host's VM object, passed back to the port */
	/* Access control; NULL: the defaults above. */
	const struct ffamed_vm_policy *policy;
	/* The UUID other VMs find this VM by in partition discovery (with
	 * vm_to_vm), the one a guest driver binds to: 16 bytes in RFC 4122
	 * order, as in FF-A's partition info descriptor. All zero: none, the
	 * VM is then only listed to Nil-UUID queries (docs/MESSAGING.md,
	 * "VMs as partitions"). */
	uint8_t uuid[16];
	/* The VM never waits for direct requests (FFA_MSG_WAIT), as a Linux
	 * guest: discovery does not offer it to other VMs as a receiver of
	 * them (false: offered whenever ffamed can serve them). */
	bool no_direct_recv;
};

/*
 * Probe the firmware (FFA_VERSION, FFA_FEATURES, FFA_ID_GET, FFA_SPM_ID_GET),
 * map the mediator's RX/TX pair with the SPMC and cache the SP list. With no
 * usable SPMC (fw_call answers NOT_SUPPORTED) the mediator still serves
 * guests, with no SPs. Returns FFA_RET_OK or an FF-A error. HOST context.
 */
FFAMED_API int32_t ffamed_create(const struct ffamed_host_ops *ops, void *host,
				 const struct ffamed_config *cfg, struct ffamed **out);

/* All VMs must have been destroyed first. Unmaps the SPMC RX/TX pair.
 * Waits for deferred work (pending VM_DESTROYED retries are abandoned
 * with a warning). HOST context. */
FFAMED_API void ffamed_destroy(struct ffamed *med);

/*
 * Register a VM: send VM_CREATED to every SP subscribed to it (retrying
 * INTERRUPTED/RETRY answers up to the configured count); if an SP refuses,
 * tell the SPs already told with VM_DESTROYED and fail. Then create its
 * notification bitmap at the SPMC; if the SPMC refuses it, the VM runs
 * without SP notifications (docs/NOTIFICATIONS.md). HOST context.
 */
FFAMED_API int32_t ffamed_vm_create(struct ffamed *med, const struct ffamed_vm_params *params,
				    struct ffamed_vm **out);

/*
 * Unregister a VM: no vCPU of it may be inside ffamed_handle_call() any more
 * (blocked calls are dropped without vcpu_resume: take them back first with
 * ffamed_vcpu_interrupt() if the host waits for them). Requests other VMs
 * had sent it end with ABORTED; responses owed to it are dropped.
 * Unmaps its RX/TX (at the SPMC too), destroys its notification bitmap,
 * then sends VM_DESTROYED to subscribed SPs that were told of its creation;
 * an SP that cannot take it now is retried from deferred work, bounded.
 * HOST context.
 */
FFAMED_API void ffamed_vm_destroy(struct ffamed_vm *vm);

/* What ffamed_handle_call() did with a call. */
enum ffamed_call_status {
	/* x0 is not an FF-A function ID: regs untouched, the host handles
	 * it (e.g. PSCI). */
	FFAMED_CALL_NOT_FFA = 0,
	/* regs holds the reply: resume the vCPU with it. */
	FFAMED_CALL_DONE = 1,
	/* The call waits for another vCPU (FFA_MSG_WAIT, a direct request
	 * to a VM, FFA_YIELD, FFA_RUN of a VM): the vCPU must not run until
	 * the port's vcpu_resume() delivers the reply, which may already
	 * have happened. Only when the port has vcpu_resume. */
	FFAMED_CALL_BLOCKED = 2,
};

/*
 * Handle one trapped call from vCPU `vcpu` of `vm`: regs holds x0..x17 as the
 * guest left them and receives the reply (FFAMED_CALL_DONE). TRAP context;
 * vCPUs of any VMs may call it concurrently, one call per vCPU at a time
 * (a blocked call counts until it is resumed).
 */
FFAMED_API enum ffamed_call_status ffamed_handle_call(struct ffamed_vm *vm, uint16_t vcpu,
						      struct ffamed_regs *regs);

/*
 * Take a blocked vCPU back (to deliver it an interrupt, to stop it): its
 * blocked call finishes now, through vcpu_resume, with FFA_INTERRUPT. A
 * vCPU waiting for a VM's response gets w1 = that VM's ID and vCPU and may
 * FFA_RUN it later to go on waiting (the response is kept); a vCPU waiting
 * for a message (FFA_MSG_WAIT, a response's implicit wait, FFA_YIELD)
 * gets w1 = 0 and calls FFA_MSG_WAIT again when it wants messages.
 * Returns whether the vCPU was blocked. Any context except inside
 * vcpu_resume.
 */
FFAMED_API bool ffamed_vcpu_interrupt(struct ffamed_vm *vm, uint16_t vcpu);

/*
 * Notifications: the host tells the mediator when a vCPU can take
 * interrupts and when it no longer can, so that the Notification Pending
 * Interrupt goes where it will be handled. Call ffamed_vcpu_online() after
 * vcpu_is_online() answers true for it, and ffamed_vcpu_offline() after it
 * answers false (in that order, or a notification set in between is only
 * signalled at the next one). A vCPU is online from the VM's creation if
 * vcpu_is_online() says so; no call is needed then. Any context.
 */
FFAMED_API void ffamed_vcpu_online(struct ffamed_vm *vm, uint16_t vcpu);
FFAMED_API void ffamed_vcpu_offline(struct ffamed_vm *vm, uint16_t vcpu);

/*
 * The physical Schedule Receiver Interrupt arrived from the secure side:
 * ask the SPMC which VMs have notifications pending and raise the NPI in
 * them. HOST or WORK context (it calls the firmware), never from inside a
 * fw_call: an SRI raised during a firmware call must be deferred.
 */
FFAMED_API void ffamed_handle_sri(struct ffamed *med);

FFAMED_API uint16_t ffamed_vm_id(const struct ffamed_vm *vm);
/* The version the guest negotiated, 0 before it is final. */
FFAMED_API uint32_t ffamed_vm_version(const struct ffamed_vm *vm);

/* What the mediator learnt from the firmware at create time. */
struct ffamed_fw_info {
	uint32_t version; /* 0: no SPMC */
	uint16_t spmc_id;
	uint32_t sp_count; /* entries in the SP cache */
};
FFAMED_API void ffamed_get_fw_info(const struct ffamed *med, struct ffamed_fw_info *info);

/* ---- Tracing ----------------------------------------------------------------
 * A tracer sees every call ffamed_handle_call() takes (not the calls it
 * gives back to the host), after the reply is written, on the calling
 * vCPU's thread. It must not call into the mediator and must not block.
 * With no tracer the cost is one atomic load per call.
 */
struct ffamed_trace_rec {
	uint16_t vm_id;
	uint16_t vcpu;
	uint32_t fid;	     /* x0 as the guest passed it, SVE hint masked */
	uint64_t in[8];	     /* x0..x7 as the guest passed them (SMC32: masked) */
	uint64_t out[4];     /* x0..x3 of the reply */
	uint64_t t_start_ns; /* ops->now_ns (0 without a clock) */
	uint64_t t_end_ns;
	/* When the mediator refused the call: which check, as
	 * "file.c:line: reason" (static storage, valid for ever); else NULL. */
	const char *refusal;
};

struct ffamed_tracer {
	void (*record)(void *ctx, const struct ffamed_trace_rec *rec);
	void *ctx;
};

/*
 * Install a tracer (NULL: tracing off). The mediator keeps the pointer: the
 * struct, and ctx, must stay valid until the tracer is replaced and every
 * call that may have started before that has returned. Any context.
 */
FFAMED_API void ffamed_set_tracer(struct ffamed *med, const struct ffamed_tracer *tracer);

/* Memory sharing now (docs/MEMORY.md): for leak checks and benchmarks. */
struct ffamed_mem_stats {
	uint32_t transactions; /* not ended yet, orphans included */
	uint32_t orphans;      /* SP transactions of destroyed VMs still held */
	uint64_t pages;	       /* guest pages those transactions hold pinned */
};
FFAMED_API void ffamed_get_mem_stats(struct ffamed *med, struct ffamed_mem_stats *stats);

#ifdef __cplusplus
}
#endif

#endif /* FFAMED_MEDIATOR_H */
