/* SPDX-License-Identifier: MIT */
/*
 * What only FFA_MEM_LEND and FFA_MEM_DONATE do to the owner: its access to
 * the pages is removed while they are away and given back when they return;
 * a donation the borrower took moves the pages and the handle away from it
 * for good. Built with FFAMED_CONFIG_MEM_LEND_DONATE; else
 * med_compiled_out.c stands in (a share never removes access).
 */
#include "med_internal.h"
#include "med_lock.h"
#include "med_log.h"
#include "med_mem.h"
#if FFAMED_CONFIG_MEM_LEND_DONATE /* ffamed/config.h; else med_compiled_out.c */

/* Whether the owner holds page k by donation (a window page). */
static bool txn_page_held(const struct med_mem_txn *txn, uint64_t k)
{
	return txn->src && txn->src[k];
}

void med_mem_lend_restore_access(struct ffamed *med, struct med_mem_txn *txn, uint32_t n,
				 bool ram_only)
{
	uint64_t k = 0;

	for (uint32_t i = 0; i < n; k += txn->runs[i].count, i++) {
		int32_t rc;

		if (ram_only && txn_page_held(txn, k))
			continue;
		rc = med->ops->guest_set_access(med->host, txn->owner_host_vm,
						txn->runs[i].first << FFA_PAGE_SHIFT,
						txn->runs[i].count, FFAMED_ACCESS_RW);

		if (rc != FFA_RET_OK)
			med_err(med, "ffamed: VM %x: access to %llx not restored (%d)",
				(unsigned)txn->owner_id,
				(unsigned long long)(txn->runs[i].first << FFA_PAGE_SHIFT),
				(int)rc);
	}
}

int32_t med_mem_lend_remove_access(struct ffamed *med, struct med_mem_txn *txn)
{
	uint32_t done;
	int32_t rc = FFA_RET_OK;

	med_lock_assert_held(med, &med->mem_lock);
	for (done = 0; done < txn->run_count; done++) {
		rc = med->ops->guest_set_access(med->host, txn->owner_host_vm,
						txn->runs[done].first << FFA_PAGE_SHIFT,
						txn->runs[done].count, FFAMED_ACCESS_NONE);
		if (rc != FFA_RET_OK)
			break;
	}
	if (rc != FFA_RET_OK) {
		med_mem_lend_restore_access(med, txn, done, false);
		return rc;
	}
	txn->lent_away = true;
	return FFA_RET_OK;
}

/*
 * The pages are held pinned (the host must not reuse them) until the
 * transaction goes, which for an SP borrower is when the mediator goes.
 * docs/MEMORY.md.
 */
void med_mem_donated(struct med_mem_txn *txn)
{
	med_lock_assert_held(txn->med, &txn->med->mem_lock);
	txn->state = MED_TXN_DONATED;
	txn->lent_away = false;
	if (txn->owner) {
		med_mem_owner_mark_donated(&txn->owner->mem->owner, txn);
		txn->owner->mem->handles--;
	}
}
#endif /* FFAMED_CONFIG_MEM_LEND_DONATE */
