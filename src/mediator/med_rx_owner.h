/* SPDX-License-Identifier: MIT */
/*
 * Base service: who owns a VM's RX buffer (med_rx_owner.c).
 * Embedded in struct med_rxtx, hence no med_internal.h here.
 */
#ifndef FFAMED_MED_RX_OWNER_H
#define FFAMED_MED_RX_OWNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ffamed/mediator.h"

struct ffamed;
struct ffamed_vm;

/* RX buffer ownership between the producer side and the guest. */
enum med_rx_owner {
	MED_RX_PRODUCER = 0, /* empty: the mediator (or the SPMC if forwarded) */
	MED_RX_GUEST,	     /* full: the guest reads it until FFA_RX_RELEASE */
};

/*
 * The VM's RX for the producer side, with vm->rxtx_lock held by the caller:
 * returns FFA_RET_OK with the buffer and size once the mediator may write
 * it (FFA_RX_ACQUIRE done at the SPMC when forwarded), BUSY otherwise.
 * Then exactly one of rx_give_to_guest() (written) or rx_put_back()
 * (nothing delivered).
 */
int32_t med_vm_rx_acquire(struct ffamed_vm *vm, void **buf, size_t *size);
void med_vm_rx_give_to_guest(struct ffamed_vm *vm);
void med_vm_rx_put_back(struct ffamed_vm *vm);
/* The guest gives its RX back (FFA_RX_RELEASE, or implied by
 * FFA_MSG_WAIT): takes vm->rxtx_lock. DENIED when it does not own it; with
 * ask_spmc, a forwarded RX we believe empty is released at the SPMC anyway
 * (an SP may have filled it without our knowing yet). */
int32_t med_vm_rx_release(struct ffamed_vm *vm, bool ask_spmc);
/* The SPMC reported that it filled the VM's forwarded RX (SPM framework
 * RX-full): the guest owns it now. */
void med_vm_rx_filled_by_spmc(struct ffamed_vm *vm);

#endif /* FFAMED_MED_RX_OWNER_H */
