/* SPDX-License-Identifier: MIT */
/*
 * Notifications (docs/NOTIFICATIONS.md): the handlers of med_notif.c
 * (BIND, UNBIND, SET, GET and the VMs' bitmaps at the SPMC) and
 * med_notif_info.c (a guest's own INFO_GET).
 */
#ifndef FFAMED_MED_NOTIF_H
#define FFAMED_MED_NOTIF_H

#include "med_internal.h"
#include "med_notif_local.h"

/* ---- med_notif.c ------------------------------------------------------------- */
/* Whether notifications work at all: firmware support or VM-to-VM built in. */
bool med_notif_available(const struct ffamed *med);
/* For one VM (docs/NOTIFICATIONS.md): with SPs when the SPMC took its
 * bitmap, with VMs when VM-to-VM is on. Fixed once the VM is created. */
static inline bool med_vm_sp_notif(const struct ffamed_vm *vm)
{
	return vm->notif_bitmap;
}
static inline bool med_vm_notif_available(const struct ffamed_vm *vm)
{
	return FFAMED_CONFIG_NOTIFICATIONS && (med_vm_sp_notif(vm) || vm->med->cfg.vm_to_vm);
}
/* Whether `fid` is a notification call a guest makes. */
bool med_notif_is_guest_fid(uint32_t fid);
/* The VM's bitmap at the SPMC, when the firmware has notifications. A
 * refusal leaves the VM without SP notifications (logged), never fails. */
void med_notif_vm_bitmap_create(struct ffamed_vm *vm);
/* Drops pending bits and the bitmap; logs what the SPMC refuses. */
void med_notif_vm_bitmap_destroy(struct ffamed_vm *vm);

#endif /* FFAMED_MED_NOTIF_H */
