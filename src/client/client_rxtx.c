/* SPDX-License-Identifier: MIT */
/*
 * The guest's RX/TX buffer pair: map, unmap, and handing the RX buffer back
 * to its producer.
 */
#include <stddef.h>

#include "client_internal.h"

int32_t ffac_rxtx_map(struct ffac *c, void *tx, uint64_t tx_ipa, void *rx, uint64_t rx_ipa,
		      uint32_t pages)
{
	struct ffamed_regs regs;
	int32_t ret;

	if (!tx || !rx || pages == 0)
		return FFA_RET_INVALID_PARAMETERS;
	/* One pair per endpoint: the callee would refuse a second one too. */
	if (c->rxtx_mapped)
		return FFA_RET_DENIED;

	/* TX first, as the ABI orders them. */
	ffac_regs_for(&regs, FFA_RXTX_MAP_64);
	regs.x[1] = tx_ipa;
	regs.x[2] = rx_ipa;
	regs.x[3] = pages;
	ffac_call(c, &regs);
	ret = ffac_status(&regs);
	if (ret != FFA_RET_OK)
		return ret;

	c->tx = tx;
	c->rx = rx;
	c->tx_ipa = tx_ipa;
	c->rx_ipa = rx_ipa;
	c->rxtx_pages = pages;
	c->rxtx_mapped = true;
	return FFA_RET_OK;
}

int32_t ffac_rxtx_unmap(struct ffac *c)
{
	struct ffamed_regs regs;
	int32_t ret;

	if (!c->rxtx_mapped)
		return FFA_RET_INVALID_PARAMETERS;

	/* w1 (endpoint ID) is the hypervisor's field: zero from a guest. */
	ffac_regs_for(&regs, FFA_RXTX_UNMAP);
	ffac_call(c, &regs);
	ret = ffac_status(&regs);
	if (ret != FFA_RET_OK)
		return ret;

	c->tx = NULL;
	c->rx = NULL;
	c->tx_ipa = 0;
	c->rx_ipa = 0;
	c->rxtx_pages = 0;
	c->rxtx_mapped = false;
	return FFA_RET_OK;
}

int32_t ffac_rx_release(struct ffac *c)
{
	struct ffamed_regs regs;

	ffac_regs_for(&regs, FFA_RX_RELEASE);
	ffac_call(c, &regs);
	return ffac_status(&regs);
}
