/* SPDX-License-Identifier: MIT */
/*
 * Compile-time configuration of the mediator core (docs/CONFIG.md). Each
 * FFAMED_CONFIG_* switch is 1 (built in) or 0 (compiled out); a build sets
 * them with -D, which the CMake options of the same names do. A call of a
 * feature compiled out is answered NOT_SUPPORTED, FFA_FEATURES says so, and
 * its code is not in the library.
 */
#ifndef FFAMED_CONFIG_H
#define FFAMED_CONFIG_H

#ifdef __cplusplus
extern "C" {
#endif

/* Messages and notifications between VMs (the runtime switch
 * ffamed_config.vm_to_vm has no effect without it). */
#ifndef FFAMED_CONFIG_VM_TO_VM
#define FFAMED_CONFIG_VM_TO_VM 1
#endif

/* Notifications (FFA_NOTIFICATION_*), with SPs and between VMs. */
#ifndef FFAMED_CONFIG_NOTIFICATIONS
#define FFAMED_CONFIG_NOTIFICATIONS 1
#endif

/* Indirect messages (FFA_MSG_SEND2). */
#ifndef FFAMED_CONFIG_INDIRECT_MSG
#define FFAMED_CONFIG_INDIRECT_MSG 1
#endif

/* Memory management: every FFA_MEM_* call. */
#ifndef FFAMED_CONFIG_MEM_SHARE
#define FFAMED_CONFIG_MEM_SHARE 1
#endif

/* Within memory management: FFA_MEM_LEND and FFA_MEM_DONATE, and VMs as
 * borrowers (FFA_MEM_RETRIEVE_REQ, FFA_MEM_RELINQUISH, FFA_MEM_FRAG_RX). */
#ifndef FFAMED_CONFIG_MEM_LEND_DONATE
#define FFAMED_CONFIG_MEM_LEND_DONATE FFAMED_CONFIG_MEM_SHARE
#endif
#ifndef FFAMED_CONFIG_MEM_VM_BORROWERS
#define FFAMED_CONFIG_MEM_VM_BORROWERS FFAMED_CONFIG_MEM_SHARE
#endif

/* The highest FF-A minor version (major 1) the mediator implements: 0, 1
 * or 2. Guests asking for more are served this one. */
#ifndef FFAMED_CONFIG_FFA_MINOR_MAX
#define FFAMED_CONFIG_FFA_MINOR_MAX 2
#endif

/* Limits: the largest ffamed_config.max_vms and rxtx_max_pages that
 * ffamed_create() accepts. */
#ifndef FFAMED_CONFIG_MAX_VMS
#define FFAMED_CONFIG_MAX_VMS 0x7FFF
#endif
#ifndef FFAMED_CONFIG_RXTX_MAX_PAGES
#define FFAMED_CONFIG_RXTX_MAX_PAGES 0xFFFF
#endif

#if FFAMED_CONFIG_FFA_MINOR_MAX < 0 || FFAMED_CONFIG_FFA_MINOR_MAX > 2
#error "FFAMED_CONFIG_FFA_MINOR_MAX must be 0, 1 or 2"
#endif
#if (FFAMED_CONFIG_MEM_LEND_DONATE || FFAMED_CONFIG_MEM_VM_BORROWERS) && !FFAMED_CONFIG_MEM_SHARE
#error "FFAMED_CONFIG_MEM_LEND_DONATE and _MEM_VM_BORROWERS need FFAMED_CONFIG_MEM_SHARE"
#endif
#if FFAMED_CONFIG_MAX_VMS < 1 || FFAMED_CONFIG_MAX_VMS > 0x7FFF
#error "FFAMED_CONFIG_MAX_VMS must be 1..0x7FFF"
#endif
#if FFAMED_CONFIG_RXTX_MAX_PAGES < 1 || FFAMED_CONFIG_RXTX_MAX_PAGES > 0xFFFF
#error "FFAMED_CONFIG_RXTX_MAX_PAGES must be 1..0xFFFF"
#endif

#ifdef __cplusplus
}
#endif

#endif /* FFAMED_CONFIG_H */
