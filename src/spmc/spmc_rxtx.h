/* SPDX-License-Identifier: MIT */
/* RX/TX buffers of the hypervisor and of the VMs it forwards (spmc_rxtx.c). */
#ifndef FFAMED_SPMC_RXTX_H
#define FFAMED_SPMC_RXTX_H

#include "spmc_state.h"

int32_t spmc_rxtx_init(struct ffamed_spmc *spmc);
void spmc_rxtx_fini(struct ffamed_spmc *spmc);
void spmc_rxtx_map(struct ffamed_spmc *spmc, struct ffamed_regs *regs, bool is32);
void spmc_rxtx_unmap(struct ffamed_spmc *spmc, struct ffamed_regs *regs);
void spmc_rx_release(struct ffamed_spmc *spmc, struct ffamed_regs *regs);
void spmc_rx_acquire(struct ffamed_spmc *spmc, struct ffamed_regs *regs);
/* The mapped pair of VM vm_id (mbox_lock held); NULL if none. */
struct spmc_vm_mailbox *spmc_rxtx_vm_find(struct ffamed_spmc *spmc, uint16_t vm_id);

#endif /* FFAMED_SPMC_RXTX_H */
