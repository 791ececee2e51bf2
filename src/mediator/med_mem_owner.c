/* SPDX-License-Identifier: MIT */
/*
 * Which of a VM's pages are in a transaction: a sorted array of disjoint
 * runs per owner, so memory grows with what is shared (one entry per
 * constituent), not with the VM's RAM. A page is in at most one live
 * transaction of its owner; donated pages stay recorded for good. Claims
 * and releases are one merge pass each, so a 1 GiB scattered transaction
 * (262144 runs) costs O(n log n) for its sort and O(n + m) here.
 */
#include "med_host.h"
#include "med_internal.h"
#include "med_mem.h"
#if FFAMED_CONFIG_MEM_SHARE /* ffamed/config.h; else med_compiled_out.c */

/* ---- Sorting (no libc in the core): heapsort by first page ---------------- */

static void runs_sift(struct med_mem_run *a, uint32_t root, uint32_t n)
{
	for (;;) {
		uint32_t child = 2 * root + 1;
		struct med_mem_run t;

		if (child >= n)
			return;
		if (child + 1 < n && a[child + 1].first > a[child].first)
			child++;
		if (a[root].first >= a[child].first)
			return;
		t = a[root];
		a[root] = a[child];
		a[child] = t;
		root = child;
	}
}

int32_t med_mem_runs_sort_check(struct med_mem_run *runs, uint32_t n)
{
	for (uint32_t i = n / 2; i-- > 0;)
		runs_sift(runs, i, n);
	for (uint32_t end = n; end > 1; end--) {
		struct med_mem_run t = runs[0];

		runs[0] = runs[end - 1];
		runs[end - 1] = t;
		runs_sift(runs, 0, end - 1);
	}
	/* first + count cannot overflow: the descriptor checks bounded them. */
	for (uint32_t i = 1; i < n; i++)
		if (runs[i - 1].first + runs[i - 1].count > runs[i].first)
			return FFA_RET_INVALID_PARAMETERS;
	return FFA_RET_OK;
}

/* ---- Claim / release ------------------------------------------------------ */

int32_t med_mem_owner_claim(const struct ffamed *med, struct med_mem_owner *o,
			    const struct med_mem_run *sorted, uint32_t n,
			    const struct med_mem_txn *txn)
{
	struct med_mem_owned *merged;
	uint32_t i = 0, j = 0, k = 0;
	uint64_t total = (uint64_t)o->count + n;

	if (total > UINT32_MAX)
		return FFA_RET_NO_MEMORY;
	/* Overlap check first: nothing changes on DENIED. */
	while (i < o->count && j < n) {
		const struct med_mem_owned *a = &o->runs[i];
		const struct med_mem_run *b = &sorted[j];

		if (a->first + a->count <= b->first)
			i++;
		else if (b->first + b->count <= a->first)
			j++;
		else
			return FFA_RET_DENIED;
	}
	merged = med_alloc(med, (size_t)total * sizeof(*merged));
	if (!merged)
		return FFA_RET_NO_MEMORY;
	i = j = 0;
	while (i < o->count || j < n) {
		if (j == n || (i < o->count && o->runs[i].first < sorted[j].first)) {
			merged[k++] = o->runs[i++];
		} else {
			merged[k].first = sorted[j].first;
			merged[k].count = sorted[j].count;
			merged[k].txn = txn;
			merged[k].donated = false;
			k++;
			j++;
		}
	}
	med_free(med, o->runs);
	o->runs = merged;
	o->count = k;
	o->cap = k;
	return FFA_RET_OK;
}

void med_mem_owner_release(struct med_mem_owner *o, const struct med_mem_txn *txn)
{
	uint32_t k = 0;

	/* Compacts in place; the array shrinks at the next claim. */
	for (uint32_t i = 0; i < o->count; i++)
		if (o->runs[i].txn != txn || o->runs[i].donated)
			o->runs[k++] = o->runs[i];
	o->count = k;
}

#if FFAMED_CONFIG_MEM_LEND_DONATE /* only a donation gives pages away */
void med_mem_owner_mark_donated(struct med_mem_owner *o, const struct med_mem_txn *txn)
{
	for (uint32_t i = 0; i < o->count; i++) {
		if (o->runs[i].txn == txn) {
			o->runs[i].donated = true;
			o->runs[i].txn = NULL; /* the txn may go before the owner */
		}
	}
}
#endif

void med_mem_owner_fini(const struct ffamed *med, struct med_mem_owner *o)
{
	med_free(med, o->runs);
	o->runs = NULL;
	o->count = 0;
	o->cap = 0;
}
#endif /* FFAMED_CONFIG_MEM_SHARE */
