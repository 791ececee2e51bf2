/* SPDX-License-Identifier: MIT */
/*
 * The compile-time switches (ffamed/config.h) as the one predicate that the
 * dispatcher's gate and FFA_FEATURES share (both go through med_fid_props):
 * a function ID of a feature compiled out is never served. The features'
 * code is left out of the build by #if around its files; what the rest of
 * the mediator calls of it is stood in for by med_compiled_out.c.
 */
#ifndef MED_CONFIG_H
#define MED_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "ffamed/config.h"
#include "ffamed/ffa.h"

static inline bool med_fid_enabled(uint32_t fid)
{
	switch (fid) {
	case FFA_MSG_SEND2:
		return FFAMED_CONFIG_INDIRECT_MSG;
	case FFA_MSG_SEND_DIRECT_RESP_32:
	case FFA_MSG_SEND_DIRECT_RESP_64:
	case FFA_MSG_SEND_DIRECT_RESP2:
	case FFA_MSG_WAIT:
	case FFA_YIELD:
		/* Only VMs receive through the mediator. */
		return FFAMED_CONFIG_VM_TO_VM;
	case FFA_NOTIFICATION_BIND:
	case FFA_NOTIFICATION_UNBIND:
	case FFA_NOTIFICATION_SET:
	case FFA_NOTIFICATION_GET:
	case FFA_NOTIFICATION_INFO_GET_32:
	case FFA_NOTIFICATION_INFO_GET_64:
		return FFAMED_CONFIG_NOTIFICATIONS;
	case FFA_MEM_SHARE_32:
	case FFA_MEM_SHARE_64:
	case FFA_MEM_RECLAIM:
	case FFA_MEM_FRAG_TX:
		return FFAMED_CONFIG_MEM_SHARE;
	case FFA_MEM_LEND_32:
	case FFA_MEM_LEND_64:
	case FFA_MEM_DONATE_32:
	case FFA_MEM_DONATE_64:
		return FFAMED_CONFIG_MEM_LEND_DONATE;
	case FFA_MEM_RETRIEVE_REQ_32:
	case FFA_MEM_RETRIEVE_REQ_64:
	case FFA_MEM_RELINQUISH:
	case FFA_MEM_FRAG_RX:
		return FFAMED_CONFIG_MEM_VM_BORROWERS;
	default:
		return true;
	}
}

#endif /* MED_CONFIG_H */
