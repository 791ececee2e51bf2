/* SPDX-License-Identifier: MIT */
/*
 * Base service: the mediator's own RX/TX pair with the SPMC
 * (med_spmc_rxtx.c).
 */
#ifndef FFAMED_MED_SPMC_RXTX_H
#define FFAMED_MED_SPMC_RXTX_H

#include "med_internal.h"

/*
 * The mediator's own buffers with the SPMC. rx_acquire takes the
 * RX lock (contention waits) and returns the buffer, or NULL with no lock
 * held when there is no pair. The lock is held until rx_release, which
 * sends FFA_RX_RELEASE to the SPMC when release_to_fw (the firmware had
 * written the buffer and handed it to us). Same for TX, without firmware
 * release.
 */
void *med_spmc_rx_acquire(struct ffamed *med);
void med_spmc_rx_release(struct ffamed *med, bool release_to_fw);
void *med_spmc_tx_acquire(struct ffamed *med);
void med_spmc_tx_release(struct ffamed *med);
size_t med_spmc_rxtx_size(const struct ffamed *med);
/* Whether VM pairs are (or may yet be) forwarded: false once decided NO. */
static inline bool med_vm_rxtx_forwardable(const struct ffamed *med)
{
	return atomic_load_explicit(&med->vm_rxtx_fwd, memory_order_acquire) != MED_VM_RXTX_NO;
}
int32_t med_spmc_rxtx_init(struct ffamed *med);
void med_spmc_rxtx_fini(struct ffamed *med);

/* Whether VMs can exchange indirect messages with SPs at all: the SPMC
 * takes FFA_MSG_SEND2 and may map VM pairs (it reads the sender's TX and
 * writes the receiver's RX). */
static inline bool med_sp_indirect_available(const struct ffamed *med)
{
	return (med->fw_abis & MED_FW_MSG_SEND2) && med_vm_rxtx_forwardable(med);
}

#endif /* FFAMED_MED_SPMC_RXTX_H */
