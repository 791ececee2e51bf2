/* SPDX-License-Identifier: MIT */
/*
 * Stand-ins for the features a build compiles out (ffamed/config.h): what
 * the rest of the mediator calls of them, doing nothing, and their handlers,
 * refusing. The gate (med_fid_enabled) already refuses their calls before
 * any handler; the public functions stay, so that every configuration
 * exports the same API.
 */
#include "med_internal.h"
#include "med_mem.h"
#include "med_msg.h"
#include "med_notif.h"
#include "med_notif_local.h"

#if !FFAMED_CONFIG_NOTIFICATIONS
bool med_notif_available(const struct ffamed *med)
{
	(void)med;
	return false;
}

bool med_notif_is_guest_fid(uint32_t fid)
{
	(void)fid;
	return false; /* the gate refuses them before FEATURES asks */
}

void med_notif_vm_bitmap_create(struct ffamed_vm *vm)
{
	(void)vm;
}

void med_notif_vm_bitmap_destroy(struct ffamed_vm *vm)
{
	(void)vm;
}

med_status med_handle_notif_bind(struct med_call *call)
{
	MED_REFUSE(call, FFA_RET_NOT_SUPPORTED, "compiled out (ffamed/config.h)");
}

med_status med_handle_notif_set(struct med_call *call)
{
	MED_REFUSE(call, FFA_RET_NOT_SUPPORTED, "compiled out (ffamed/config.h)");
}

med_status med_handle_notif_get(struct med_call *call)
{
	MED_REFUSE(call, FFA_RET_NOT_SUPPORTED, "compiled out (ffamed/config.h)");
}

med_status med_handle_notif_info_get(struct med_call *call)
{
	MED_REFUSE(call, FFA_RET_NOT_SUPPORTED, "compiled out (ffamed/config.h)");
}

int32_t med_notif_local_vm_init(struct ffamed_vm *vm)
{
	(void)vm;
	return FFA_RET_OK;
}

void med_notif_local_vm_free(struct ffamed_vm *vm)
{
	(void)vm;
}

void med_notif_local_forget_sender(struct ffamed *med, uint16_t sender)
{
	(void)med;
	(void)sender;
}

void med_notif_local_raise_fwk(struct ffamed_vm *vm, uint32_t bits)
{
	(void)vm;
	(void)bits;
}

void med_notif_local_clear_fwk(struct ffamed_vm *vm, uint32_t bits)
{
	(void)vm;
	(void)bits;
}

void ffamed_vcpu_online(struct ffamed_vm *vm, uint16_t vcpu)
{
	(void)vm;
	(void)vcpu;
}

void ffamed_vcpu_offline(struct ffamed_vm *vm, uint16_t vcpu)
{
	(void)vm;
	(void)vcpu;
}

void ffamed_handle_sri(struct ffamed *med)
{
	(void)med;
}
#endif /* !FFAMED_CONFIG_NOTIFICATIONS */

#if !FFAMED_CONFIG_INDIRECT_MSG
med_status med_handle_msg_send2(struct med_call *call)
{
	MED_REFUSE(call, FFA_RET_NOT_SUPPORTED, "compiled out (ffamed/config.h)");
}
#endif /* !FFAMED_CONFIG_INDIRECT_MSG */

#if !FFAMED_CONFIG_VM_TO_VM
med_status med_msg_vm_direct_req(struct med_call *call)
{
	MED_REFUSE(call, FFA_RET_NOT_SUPPORTED, "compiled out (ffamed/config.h)");
}

med_status med_msg_vm_run(struct med_call *call)
{
	MED_REFUSE(call, FFA_RET_NOT_SUPPORTED, "compiled out (ffamed/config.h)");
}

med_status med_handle_msg_wait(struct med_call *call)
{
	MED_REFUSE(call, FFA_RET_NOT_SUPPORTED, "compiled out (ffamed/config.h)");
}

med_status med_handle_direct_resp(struct med_call *call)
{
	MED_REFUSE(call, FFA_RET_NOT_SUPPORTED, "compiled out (ffamed/config.h)");
}

med_status med_handle_yield(struct med_call *call)
{
	MED_REFUSE(call, FFA_RET_NOT_SUPPORTED, "compiled out (ffamed/config.h)");
}

void med_msg_vm_init(struct ffamed_vm *vm)
{
	(void)vm;
}

void med_msg_vm_free(struct ffamed_vm *vm)
{
	(void)vm;
}

void med_msg_vm_teardown(struct ffamed_vm *vm)
{
	(void)vm;
}

bool ffamed_vcpu_interrupt(struct ffamed_vm *vm, uint16_t vcpu)
{
	(void)vm;
	(void)vcpu;
	return false; /* no call ever blocks */
}
#endif /* !FFAMED_CONFIG_VM_TO_VM */

#if !FFAMED_CONFIG_MEM_SHARE
int32_t med_mem_init(struct ffamed *med)
{
	(void)med;
	return FFA_RET_OK;
}

void med_mem_fini(struct ffamed *med)
{
	(void)med;
}

int32_t med_mem_vm_init(struct ffamed_vm *vm)
{
	(void)vm;
	return FFA_RET_OK;
}

void med_mem_vm_teardown(struct ffamed_vm *vm)
{
	(void)vm;
}

void med_mem_vm_free(struct ffamed_vm *vm)
{
	(void)vm;
}

bool med_mem_pages_in_use(struct ffamed_vm *vm, uint64_t ipa, uint64_t pages)
{
	(void)vm;
	(void)ipa;
	(void)pages;
	return false;
}

med_status med_handle_mem_send(struct med_call *call)
{
	MED_REFUSE(call, FFA_RET_NOT_SUPPORTED, "compiled out (ffamed/config.h)");
}

med_status med_handle_mem_frag_tx(struct med_call *call)
{
	MED_REFUSE(call, FFA_RET_NOT_SUPPORTED, "compiled out (ffamed/config.h)");
}

med_status med_handle_mem_reclaim(struct med_call *call)
{
	MED_REFUSE(call, FFA_RET_NOT_SUPPORTED, "compiled out (ffamed/config.h)");
}

void ffamed_get_mem_stats(struct ffamed *med, struct ffamed_mem_stats *stats)
{
	(void)med;
	stats->transactions = 0;
	stats->orphans = 0;
	stats->pages = 0;
}
#endif /* !FFAMED_CONFIG_MEM_SHARE */

#if !FFAMED_CONFIG_MEM_VM_BORROWERS
med_status med_handle_mem_retrieve(struct med_call *call)
{
	MED_REFUSE(call, FFA_RET_NOT_SUPPORTED, "compiled out (ffamed/config.h)");
}

med_status med_handle_mem_relinquish(struct med_call *call)
{
	MED_REFUSE(call, FFA_RET_NOT_SUPPORTED, "compiled out (ffamed/config.h)");
}

med_status med_handle_mem_frag_rx(struct med_call *call)
{
	MED_REFUSE(call, FFA_RET_NOT_SUPPORTED, "compiled out (ffamed/config.h)");
}

#if FFAMED_CONFIG_MEM_SHARE
/* Only VM borrowers have windows or mediator-held transactions (mem_classify
 * refuses VM receivers), so the memory code's calls find none. */
int32_t med_mem_pin_held(struct ffamed_vm *vm, struct med_mem_txn *txn, uint64_t k, uint64_t ipa,
			 bool write)
{
	(void)vm;
	(void)txn;
	(void)k;
	(void)ipa;
	(void)write;
	return FFA_RET_INVALID_PARAMETERS; /* in no window */
}

void med_mem_borrow_unmap(struct ffamed *med, struct med_mem_txn *txn, uint32_t i)
{
	(void)med;
	(void)txn;
	(void)i;
}

int32_t med_mem_zero(struct ffamed *med, const struct med_mem_txn *txn)
{
	(void)med;
	(void)txn;
	return FFA_RET_NOT_SUPPORTED;
}
#endif /* FFAMED_CONFIG_MEM_SHARE */
#endif /* !FFAMED_CONFIG_MEM_VM_BORROWERS */

#if FFAMED_CONFIG_MEM_SHARE && !FFAMED_CONFIG_MEM_LEND_DONATE
/* Every transaction is a share: the owner keeps its access, nothing is
 * donated. */
int32_t med_mem_lend_remove_access(struct ffamed *med, struct med_mem_txn *txn)
{
	(void)med;
	(void)txn;
	return FFA_RET_NOT_SUPPORTED;
}

void med_mem_lend_restore_access(struct ffamed *med, struct med_mem_txn *txn, uint32_t n,
				 bool ram_only)
{
	(void)med;
	(void)txn;
	(void)n;
	(void)ram_only;
}

void med_mem_donated(struct med_mem_txn *txn)
{
	(void)txn;
}
#endif /* FFAMED_CONFIG_MEM_SHARE && !FFAMED_CONFIG_MEM_LEND_DONATE */

/* A translation unit must not be empty when everything is built in. */
typedef int med_compiled_out_unit;
