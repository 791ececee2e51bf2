/* SPDX-License-Identifier: MIT */
/*
 * Messaging (docs/MESSAGING.md): a vCPU's messaging state, and the
 * handlers of med_msg.c (direct requests and FFA_RUN to SPs),
 * med_msg_vm.c (between VMs, blocking calls) and med_msg_send2.c
 * (indirect messages).
 */
#ifndef FFAMED_MED_MSG_H
#define FFAMED_MED_MSG_H

#include "med_internal.h"

/* A vCPU as the receiver of direct requests from VMs (docs/MESSAGING.md). */
enum med_vrx {
	MED_VRX_RUNNING = 0, /* not waiting for a request */
	MED_VRX_WAITING,     /* blocked in FFA_MSG_WAIT or a response */
	MED_VRX_HANDLING,    /* holds a request it has not answered */
	MED_VRX_YIELDED,     /* blocked in FFA_YIELD until the sender's FFA_RUN */
};

/* A vCPU as the sender of a direct request to a VM. */
enum med_vtx {
	MED_VTX_IDLE = 0,
	MED_VTX_PENDING,     /* blocked until the response */
	MED_VTX_INTERRUPTED, /* taken back by the host: FFA_RUN to wait again */
	MED_VTX_YIELDED,     /* the receiver yielded: FFA_RUN to resume it */
	MED_VTX_DONE,	     /* the response (or ABORTED) is kept for FFA_RUN */
};

/* One end of a VM-to-VM request: VM IDs are reused, serials are not. */
struct med_peer {
	uint64_t serial;
	uint16_t id;
	uint16_t vcpu;
};

struct med_vcpu {
	/* FFA_RUN permission left by an SP's INTERRUPT/YIELD answer. Only
	 * the vCPU itself reads or writes these (no lock). */
	bool run_allowed;
	uint16_t run_sp;
	uint16_t run_ctx;
	uint32_t run_req_fid; /* the request being resumed: decides the reply width */

	/* Direct messages between VMs: vm->msg_lock. tx_state is also read
	 * without it by the vCPU itself, which only needs "IDLE or not":
	 * others never move it to or from IDLE while the vCPU runs. */
	uint8_t rx_state;	  /* enum med_vrx */
	_Atomic uint8_t tx_state; /* enum med_vtx */
	uint32_t rx_fid;	  /* the request held (HANDLING, YIELDED) */
	struct med_peer rx_from;  /* its sender */
	uint32_t tx_fid;	  /* the request sent (tx_state != IDLE) */
	struct med_peer tx_to;	  /* its receiver */
	struct ffamed_regs kept;  /* the reply kept for FFA_RUN (DONE) */
};

/* ---- med_msg.c --------------------------------------------------------------- */
/* Direct requests and FFA_RUN: to an SP here, to a VM in med_msg_vm.c (the
 * handlers of this file, med_msg_vm.c and med_msg_send2.c: med_handler.h). */
static inline void med_regs_zero_from(struct ffamed_regs *regs, int from)
{
	for (int i = from; i < FFA_NREGS; i++)
		regs->x[i] = 0;
}
/* Teardown: finishes the VM's requests that SPs left preempted, so that the
 * SP contexts serve other VMs again (the answers are dropped). */
void med_msg_vm_release_sp_contexts(struct ffamed_vm *vm);

/* ---- med_msg_vm.c ------------------------------------------------------------ */
/* Whether calls may block: VM-to-VM on and a port that resumes vCPUs. */
static inline bool med_msg_vm_available(const struct ffamed *med)
{
	return med->cfg.vm_to_vm && med->ops->vcpu_resume;
}
med_status med_msg_vm_direct_req(struct med_call *call);
med_status med_msg_vm_run(struct med_call *call);
void med_msg_vm_init(struct ffamed_vm *vm);
void med_msg_vm_free(struct ffamed_vm *vm);
/* Teardown, once the VM is out of the registry: see docs/MESSAGING.md. */
void med_msg_vm_teardown(struct ffamed_vm *vm);

#endif /* FFAMED_MED_MSG_H */
