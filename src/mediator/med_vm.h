/* SPDX-License-Identifier: MIT */
/*
 * VM create/destroy and the VM availability messages (med_vm.c).
 */
#ifndef FFAMED_MED_VM_H
#define FFAMED_MED_VM_H

#include "med_internal.h"

/* A VM_DESTROYED notification still owed to some SPs after the VM context
 * is gone: owns a host VM reference, no pointer to the ffamed_vm. */
struct med_pending_destroy {
	struct med_pending_destroy *next; /* med->pending list, pending_lock */
	struct ffamed *med;
	struct ffamed_work work;
	uint16_t vm_id;
	void *host_vm;
	uint32_t attempts; /* deferred attempts made */
	uint32_t sp_count; /* SPs left to tell */
	uint16_t *sps;
	bool done;	  /* the callback will not run again (pending_lock) */
	bool unscheduled; /* work_schedule failed: reschedule at next chance */
};

/* Reaps finished VM_DESTROYED records; abandons all when `all`. HOST only. */
void med_pending_reap(struct ffamed *med, bool all);

#endif /* FFAMED_MED_VM_H */
