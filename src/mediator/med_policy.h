/* SPDX-License-Identifier: MIT */
/*
 * Base service: the host's access-control policy per VM (med_policy.c).
 * Embedded in struct ffamed_vm, hence no med_internal.h here.
 */
#ifndef FFAMED_MED_POLICY_H
#define FFAMED_MED_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ffamed/mediator.h"

struct ffamed;
struct ffamed_vm;

/* The host's access policy for one VM, copied at create, then immutable. */
struct med_policy {
	uint32_t sp_default;
	uint32_t vm_default;
	uint32_t peer_count;
	struct ffamed_peer_rights *peers; /* sorted by peer ID */
};

int32_t med_policy_vm_init(struct ffamed_vm *vm, const struct ffamed_vm_policy *policy);
void med_policy_vm_free(struct ffamed_vm *vm);
/* What `vm`'s own policy grants toward `peer` (a VM or an SP). */
uint32_t med_policy_grant(const struct ffamed_vm *vm, uint16_t peer);
/* Rights between two VMs: what both grant. Messages, notifications and
 * discovery also need cfg.vm_to_vm (their callers check); memory sharing
 * between VMs does not: the policy alone governs it (docs/MESSAGING.md). */
uint32_t med_rights_vm(const struct ffamed_vm *a, const struct ffamed_vm *b);
/* Rights of `vm` toward `peer`, a VM (looked up) or an SP. 0 if unknown. */
uint32_t med_rights(struct ffamed_vm *vm, uint16_t peer);

#endif /* FFAMED_MED_POLICY_H */
