/* SPDX-License-Identifier: MIT */
/*
 * A VM's RX/TX pair (med_rxtx.c): its state, embedded in struct ffamed_vm
 * (hence no med_internal.h here); its handlers are declared from the FID
 * table (med_handler.h).
 */
#ifndef FFAMED_MED_RXTX_H
#define FFAMED_MED_RXTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ffamed/mediator.h"
#include "med_rx_owner.h"

struct ffamed;
struct ffamed_vm;

/* A VM's RX/TX pair; every field guarded by vm->rxtx_lock. */
struct med_rxtx {
	bool mapped;
	bool forwarded; /* also mapped at the SPMC: it owns the RX when empty */
	enum med_rx_owner rx_owner;
	uint32_t page_count;
	uint64_t tx_ipa, rx_ipa; /* where the guest mapped them */
	void *tx;		 /* hostile: the guest may write it at any time */
	void *rx;
	uint64_t *tx_pa; /* rxtx_max_pages entries each, allocated with the VM */
	uint64_t *rx_pa;
};

/* Teardown: unmaps whatever is mapped, whoever owns the RX. */
void med_rxtx_vm_teardown(struct ffamed_vm *vm);

#endif /* FFAMED_MED_RXTX_H */
