/* SPDX-License-Identifier: MIT */
/*
 * Base service: a VM's notifications as a receiver, as far as the mediator
 * keeps them (med_notif_local.c). Embedded in struct ffamed_vm, hence no
 * med_internal.h here.
 */
#ifndef FFAMED_MED_NOTIF_LOCAL_H
#define FFAMED_MED_NOTIF_LOCAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ffamed/mediator.h"

struct ffamed;
struct ffamed_vm;

/* One vCPU's notification state as a receiver (vm->notif_lock). */
struct med_notif_vcpu {
	uint64_t pending;   /* per-vCPU VM-class IDs set by other VMs */
	bool secure;	    /* the SPMC listed this vCPU in INFO_GET since its last GET */
	bool armed;	    /* an NPI was injected here and no GET ran here since */
	bool info_reported; /* told by the guest's own INFO_GET since it became pending */
};

/*
 * A VM's notifications as a receiver, as far as the mediator keeps them:
 * the VM class (set by other VMs), the hypervisor framework class, and a
 * flag per place where the SPMC said SP or SPM framework notifications are
 * pending (it keeps the bits; we only know whom to signal). All of it is
 * guarded by vm->notif_lock. "Pending" for a vCPU v: its own per-vCPU bits
 * or flag; globally: global, hyp_fwk or secure_global. The NPI protocol is
 * the one verified in models/notif_vm2vm.pml, extended per vCPU: armed_count
 * > 0 means some vCPU will run a GET, which also collects global bits.
 */
#define MED_NOTIF_IDS 64
struct med_notif {
	uint64_t bound;			/* VM-class IDs bound to a sender */
	uint64_t bound_per_vcpu;	/* ... of which per-vCPU */
	uint16_t sender[MED_NOTIF_IDS]; /* the sender VM of each bound ID */
	uint64_t global;		/* pending global VM-class IDs */
	uint32_t hyp_fwk;		/* pending hypervisor framework bits */
	bool secure_global;		/* the SPMC listed the VM (global) */
	bool info_global_reported;	/* see med_notif_vcpu.info_reported */
	uint16_t armed_count;		/* vCPUs with armed set */
	struct med_notif_vcpu *vcpu;	/* vcpu_count entries */
};

/* Receiver state: allocated before the VM is registered, freed after. */
int32_t med_notif_local_vm_init(struct ffamed_vm *vm);
void med_notif_local_vm_free(struct ffamed_vm *vm);
/* BIND/UNBIND of VM-class IDs on `recv` for sender VM `sender`. */
int32_t med_notif_local_bind(struct ffamed_vm *recv, uint16_t sender, bool per_vcpu,
			     uint64_t bitmap);
int32_t med_notif_local_unbind(struct ffamed_vm *recv, uint16_t sender, uint64_t bitmap);
/* SET from VM `sender` (checked to be the caller) on `recv`. */
int32_t med_notif_local_set(struct ffamed_vm *recv, uint16_t sender, uint32_t flags,
			    uint64_t bitmap);
/* Teardown of VM `sender`: unbinds it from every receiver (registry lock
 * taken here). Bits it set stay pending: they were delivered. */
void med_notif_local_forget_sender(struct ffamed *med, uint16_t sender);
/*
 * GET on vCPU `vcpu`, in two halves around the forwarded part:
 * get_begin clears the SPMC-reported flags the GET will consume (and
 * returns them so that a failed forward can put them back with
 * get_restore); get_end takes the VM and hypervisor framework bits asked
 * for, disarms the vCPU and re-injects if anything is left.
 */
struct med_notif_secure_snap {
	bool global;
	bool vcpu;
};
void med_notif_local_get_begin(struct ffamed_vm *vm, uint16_t vcpu,
			       struct med_notif_secure_snap *snap);
void med_notif_local_get_restore(struct ffamed_vm *vm, uint16_t vcpu,
				 const struct med_notif_secure_snap *snap);
void med_notif_local_get_end(struct ffamed_vm *vm, uint16_t vcpu, uint32_t flags, uint64_t *vm_bits,
			     uint32_t *hyp_fwk);
/* The SPMC reported SP/SPM notifications for the VM: globally (vcpu ==
 * MED_NOTIF_GLOBAL) or for one vCPU. Signals with the NPI. */
#define MED_NOTIF_GLOBAL 0xFFFFu
void med_notif_local_secure_pending(struct ffamed_vm *vm, uint16_t vcpu);
/* A hypervisor framework notification (e.g. RX buffer full) for the VM. */
void med_notif_local_raise_fwk(struct ffamed_vm *vm, uint32_t bits);
/* Withdraws pending hypervisor framework bits (the RX was released). */
void med_notif_local_clear_fwk(struct ffamed_vm *vm, uint32_t bits);

#endif /* FFAMED_MED_NOTIF_LOCAL_H */
