/* SPDX-License-Identifier: MIT */
/*
 * Base service: the mediator's own RX/TX pair with the SPMC, mapped at
 * create, behind acquire/release helpers: the lock is held from acquire to
 * release, contention waits, and the RX release gives the buffer back to
 * the firmware on every path.
 */
#include "med_host.h"
#include "med_internal.h"
#include "med_lock.h"
#include "med_log.h"
#include "med_spmc_rxtx.h"

size_t med_spmc_rxtx_size(const struct ffamed *med)
{
	return (size_t)med->spmc_rxtx_pages * FFA_PAGE_SIZE;
}

int32_t med_spmc_rxtx_init(struct ffamed *med)
{
	uint32_t n = med->cfg.spmc_rxtx_pages;
	uint64_t tx_pa = 0, rx_pa = 0;
	void *tx, *rx;
	int32_t rc;

	tx = med->ops->page_alloc(med->host, n, &tx_pa);
	if (!tx)
		return FFA_RET_NO_MEMORY;
	rx = med->ops->page_alloc(med->host, n, &rx_pa);
	if (!rx) {
		med->ops->page_free(med->host, tx, n);
		return FFA_RET_NO_MEMORY;
	}
	rc = med_fw_simple(med, FFA_RXTX_MAP_64, tx_pa, rx_pa, n, 0, 0, NULL);
	if (rc != FFA_RET_OK) {
		med_err(med, "ffamed: SPMC refused our RX/TX pair (%d): running without it",
			(int)rc);
		med->ops->page_free(med->host, rx, n);
		med->ops->page_free(med->host, tx, n);
		med->fw_version = 0;
		return FFA_RET_OK;
	}
	med->spmc_tx = tx;
	med->spmc_rx = rx;
	med->spmc_tx_pa = tx_pa;
	med->spmc_rx_pa = rx_pa;
	med->spmc_rxtx_pages = n;
	med->spmc_rxtx_mapped = true;
	return FFA_RET_OK;
}

void med_spmc_rxtx_fini(struct ffamed *med)
{
	int32_t rc;

	if (!med->spmc_tx)
		return;
	if (med->spmc_rxtx_mapped) {
		rc = med_fw_simple(med, FFA_RXTX_UNMAP, 0, 0, 0, 0, 0, NULL);
		if (rc != FFA_RET_OK)
			med_err(med, "ffamed: SPMC refused to unmap our RX/TX pair (%d)", (int)rc);
		med->spmc_rxtx_mapped = false;
	}
	med->ops->page_free(med->host, med->spmc_rx, med->spmc_rxtx_pages);
	med->ops->page_free(med->host, med->spmc_tx, med->spmc_rxtx_pages);
	med->spmc_rx = NULL;
	med->spmc_tx = NULL;
}

void *med_spmc_rx_acquire(struct ffamed *med)
{
	/* spmc_rx is fixed after create: no lock needed to test it. */
	if (!med->spmc_rx)
		return NULL;
	med_lock(med, &med->spmc_rx_lock);
	return med->spmc_rx;
}

void med_spmc_rx_release(struct ffamed *med, bool release_to_fw)
{
	int32_t rc;

	if (release_to_fw) {
		rc = med_fw_simple(med, FFA_RX_RELEASE, 0, 0, 0, 0, 0, NULL);
		if (rc != FFA_RET_OK)
			med_warn(med, "ffamed: FFA_RX_RELEASE of our RX failed (%d)", (int)rc);
	}
	med_unlock(med, &med->spmc_rx_lock);
}

void *med_spmc_tx_acquire(struct ffamed *med)
{
	if (!med->spmc_tx)
		return NULL;
	med_lock(med, &med->spmc_tx_lock);
	return med->spmc_tx;
}

void med_spmc_tx_release(struct ffamed *med)
{
	med_unlock(med, &med->spmc_tx_lock);
}
