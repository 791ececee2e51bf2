/* SPDX-License-Identifier: MIT */
/*
 * The host's access-control policy (docs/MESSAGING.md): which peers, VMs
 * and SPs, a VM may message, notify or share memory with. Copied at VM
 * creation and immutable afterwards, so every check is lock-free; between
 * two VMs both must grant a right for it to hold.
 */
#include "med_host.h"
#include "med_internal.h"
#include "med_policy.h"
#include "med_registry.h"
#include "med_sp_cache.h"

/* A host asking for more is more likely confused than precise. */
#define MED_POLICY_MAX_PEERS 1024u

int32_t med_policy_vm_init(struct ffamed_vm *vm, const struct ffamed_vm_policy *policy)
{
	struct med_policy *p = &vm->policy;
	uint32_t n;

	if (!policy) {
		p->sp_default = FFAMED_POLICY_DEFAULT_SP;
		p->vm_default = FFAMED_POLICY_DEFAULT_VM;
		return FFA_RET_OK;
	}
	n = policy->peer_count;
	if ((policy->sp_default | policy->vm_default) & ~FFAMED_RIGHTS_ALL ||
	    n > MED_POLICY_MAX_PEERS || (n && !policy->peers))
		return FFA_RET_INVALID_PARAMETERS;
	p->sp_default = policy->sp_default;
	p->vm_default = policy->vm_default;
	if (!n)
		return FFA_RET_OK;
	p->peers = med_alloc(vm->med, sizeof(*p->peers) * n);
	if (!p->peers)
		return FFA_RET_NO_MEMORY;
	/* Insertion sort by ID; a peer listed twice is a host bug. */
	for (uint32_t i = 0; i < n; i++) {
		struct ffamed_peer_rights r = policy->peers[i];
		uint32_t j = i;

		if (r.rights & ~FFAMED_RIGHTS_ALL || r.peer == FFA_HYP_ID || r.peer == vm->id)
			goto invalid;
		while (j && p->peers[j - 1].peer > r.peer) {
			p->peers[j] = p->peers[j - 1];
			j--;
		}
		if (j && p->peers[j - 1].peer == r.peer)
			goto invalid;
		p->peers[j] = r;
	}
	p->peer_count = n;
	return FFA_RET_OK;

invalid:
	med_free(vm->med, p->peers);
	p->peers = NULL;
	return FFA_RET_INVALID_PARAMETERS;
}

void med_policy_vm_free(struct ffamed_vm *vm)
{
	med_free(vm->med, vm->policy.peers);
	vm->policy.peers = NULL;
	vm->policy.peer_count = 0;
}

uint32_t med_policy_grant(const struct ffamed_vm *vm, uint16_t peer)
{
	const struct med_policy *p = &vm->policy;
	uint32_t lo = 0, hi = p->peer_count;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (p->peers[mid].peer == peer)
			return p->peers[mid].rights;
		if (p->peers[mid].peer < peer)
			lo = mid + 1;
		else
			hi = mid;
	}
	return FFA_ID_IS_SECURE(peer) ? p->sp_default : p->vm_default;
}

uint32_t med_rights_vm(const struct ffamed_vm *a, const struct ffamed_vm *b)
{
	if (a == b)
		return 0;
	return med_policy_grant(a, b->id) & med_policy_grant(b, a->id);
}

uint32_t med_rights(struct ffamed_vm *vm, uint16_t peer)
{
	struct ffamed_vm *o;
	uint32_t rights;

	if (FFA_ID_IS_SECURE(peer))
		return med_sp_find(vm->med, peer) ? med_policy_grant(vm, peer) : 0;
	/* Cheap refusal first: no lookup when our own side says no. */
	if (peer == vm->id || !med_policy_grant(vm, peer))
		return 0;
	o = med_vm_get(vm->med, peer);
	if (!o)
		return 0;
	rights = med_rights_vm(vm, o);
	med_vm_put(o);
	return rights;
}
