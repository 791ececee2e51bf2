/* SPDX-License-Identifier: MIT */
/*
 * Indirect messaging (FFA_MSG_SEND2, v1.1) at the SPMC: messages VMs send
 * to SPs through the hypervisor (read from the VM's forwarded TX buffer),
 * the SPs' own mailboxes, and messages SPs send to VMs (written into the
 * VM's forwarded RX buffer, announced by the SPM framework notification
 * RX-buffer-full and the SRI). The exact ABI behaviour is in
 * include/ffamed/spmc.h, the design in docs/MESSAGING-SPMC.md.
 */
#include "spmc_base.h"
#include "spmc_msg2.h"
#include "spmc_notif.h"
#include "spmc_rxtx.h"

#define MSG2_PAGE_SIZE ((uint64_t)FFA_PAGE_SIZE)

/* ---- SP mailboxes ------------------------------------------------------------ */

int32_t spmc_msg2_sp_init(struct ffamed_spmc *spmc, struct ffamed_sp *sp)
{
	atomic_init(&sp->mbox_full, false);
	atomic_init(&sp->msgs_received, 0);
	atomic_init(&sp->msgs_dropped, 0);
	atomic_init(&sp->msgs_sent, 0);
	sp->mbox = NULL;
	if (!(sp->cfg.properties & FFA_PART_PROP_INDIRECT_MSG))
		return FFA_RET_OK;
	sp->mbox = spmc->env.alloc(spmc->env.ctx, FFAMED_SP_MAILBOX_SIZE);
	return sp->mbox ? FFA_RET_OK : FFA_RET_NO_MEMORY;
}

void spmc_msg2_sp_fini(struct ffamed_spmc *spmc, struct ffamed_sp *sp)
{
	spmc->env.free(spmc->env.ctx, sp->mbox);
	sp->mbox = NULL;
}

/* ---- A VM's scattered buffer pages (mbox_lock held) ----------------------------- */

/*
 * Copies `len` bytes at offset `off` of the buffer made of `pages` (4K
 * each) into `out`, or from `in` into the buffer when `in` is not NULL;
 * the caller checked the range. False if a page cannot be reached (it was
 * NS RAM when mapped: this only guards the model).
 */
static bool vm_buf_copy(struct ffamed_spmc *spmc, const uint64_t *pages, uint64_t off, void *out,
			const void *in, size_t len)
{
	uint8_t *dst = out;
	const uint8_t *src = in;

	while (len) {
		uint64_t in_page = off % MSG2_PAGE_SIZE;
		size_t chunk = (size_t)(MSG2_PAGE_SIZE - in_page);
		uint8_t *va = spmc->env.pa_map(spmc->env.ctx, pages[off / MSG2_PAGE_SIZE],
					       (size_t)MSG2_PAGE_SIZE);

		if (!va)
			return false;
		if (chunk > len)
			chunk = len;
		if (src) {
			memcpy(va + in_page, src, chunk);
			src += chunk;
		} else {
			memcpy(dst, va + in_page, chunk);
			dst += chunk;
		}
		off += chunk;
		len -= chunk;
	}
	return true;
}

static bool sp_serves_uuid(const struct ffamed_sp *sp, const struct ffa_uuid *uuid)
{
	if (ffa_uuid_is_nil(uuid))
		return true;
	for (uint32_t i = 0; i < sp->cfg.uuid_count; i++)
		if (ffa_uuid_equal(&sp->cfg.uuids[i], uuid))
			return true;
	return false;
}

/* ---- FFA_MSG_SEND2 from the normal world (VM -> SP) ------------------------------ */

/*
 * Validates the header copy against the VM's TX size; returns the receiver
 * or NULL with *why set. The payload range is checked without overflow.
 */
static struct ffamed_sp *send2_check_hdr(struct ffamed_spmc *spmc, const struct ffa_msg_hdr *hdr,
					 uint16_t vm_id, uint64_t tx_size, const char **why)
{
	struct ffamed_sp *sp;
	uint64_t end = (uint64_t)hdr->offset + hdr->size;

	*why = "header flags or reserved0 not zero";
	if (hdr->flags || hdr->reserved0)
		return NULL;
	*why = "header sender is not the w1 VM";
	if (hdr->sender != vm_id)
		return NULL;
	*why = "receiver is not an SP";
	sp = FFA_ID_IS_SECURE(hdr->receiver) ? ffamed_spmc_find_sp(spmc, hdr->receiver) : NULL;
	if (!sp)
		return NULL;
	*why = "size 0, offset inside the header, or payload out of the buffers";
	if (hdr->size == 0 || hdr->offset < FFA_MSG_HDR_SIZE_1_1 || end > tx_size ||
	    end > FFAMED_SP_MAILBOX_SIZE)
		return NULL;
	*why = "v1.2 header: reserved1 not zero or UUID not served by the receiver";
	if (hdr->offset >= FFA_MSG_HDR_SIZE_1_2 &&
	    (hdr->reserved1 || !sp_serves_uuid(sp, &hdr->uuid)))
		return NULL;
	return sp;
}

/* Runs the SP on its message (no lock held), then frees its mailbox. */
static void send2_deliver(struct ffamed_spmc *spmc, struct ffamed_sp *sp,
			  const struct ffa_msg_hdr *hdr, uint32_t cpu)
{
	struct ffamed_sp_indirect_msg msg = {
		.sender = hdr->sender,
		.receiver = hdr->receiver,
		.payload = sp->mbox + hdr->offset,
		.size = hdr->size,
		.cpu = cpu,
	};

	/* A v1.1 header has no UUID: the message is for the partition. */
	if (hdr->offset >= FFA_MSG_HDR_SIZE_1_2)
		msg.uuid = hdr->uuid;
	atomic_fetch_add(&sp->msgs_received, 1);
	if (sp->cfg.ops->indirect_msg) {
		sp->cfg.ops->indirect_msg(sp, &msg);
		spmc_notif_handler_done(spmc, sp, cpu);
	} else {
		atomic_fetch_add(&sp->msgs_dropped, 1);
	}
	atomic_store_explicit(&sp->mbox_full, false, memory_order_release);
}

void spmc_msg2_send(struct ffamed_spmc *spmc, uint32_t cpu, struct ffamed_regs *regs)
{
	uint32_t w1 = (uint32_t)regs->x[1];
	uint32_t flags = (uint32_t)regs->x[2];
	uint16_t vm_id = (uint16_t)(w1 >> 16);
	const struct spmc_vm_mailbox *mb;
	struct ffa_msg_hdr hdr = {0};
	struct ffamed_sp *sp = NULL;
	int32_t err = FFA_RET_INVALID_PARAMETERS;
	const char *why;
	bool claimed = false;

	/* Only a forwarded message can come from here, and only SPs delay
	 * the SRI. */
	if ((w1 & 0xFFFFu) || vm_id == 0 || FFA_ID_IS_SECURE(vm_id) || flags ||
	    !spmc_regs_mbz(regs, true, 3, 7)) {
		spmc_refuse(spmc, regs, err, "spmc: MSG_SEND2(w1 %x, flags %x): bad registers", w1,
			    flags);
		return;
	}
	spmc_lock(spmc, &spmc->mbox_lock);
	mb = spmc_rxtx_vm_find(spmc, vm_id);
	why = "VM has no forwarded mailbox";
	if (!mb)
		goto refuse;
	/* The VM may rewrite its TX meanwhile: only the copy is used. */
	why = "VM TX not reachable";
	if (!vm_buf_copy(spmc, mb->tx_pages, 0, &hdr, NULL, sizeof(hdr))) {
		err = FFA_RET_ABORTED;
		goto refuse;
	}
	sp = send2_check_hdr(spmc, &hdr, vm_id, (uint64_t)mb->page_count * MSG2_PAGE_SIZE, &why);
	if (!sp)
		goto refuse;
	why = "receiver does not take indirect messages";
	if (!(sp->cfg.properties & FFA_PART_PROP_INDIRECT_MSG)) {
		err = FFA_RET_DENIED;
		goto refuse;
	}
	why = "receiver's mailbox is full";
	if (atomic_exchange_explicit(&sp->mbox_full, true, memory_order_acquire)) {
		err = FFA_RET_BUSY;
		goto refuse;
	}
	claimed = true;
	memcpy(sp->mbox, &hdr,
	       hdr.offset >= FFA_MSG_HDR_SIZE_1_2 ? FFA_MSG_HDR_SIZE_1_2 : FFA_MSG_HDR_SIZE_1_1);
	why = "VM TX not reachable";
	if (!vm_buf_copy(spmc, mb->tx_pages, hdr.offset, sp->mbox + hdr.offset, NULL, hdr.size)) {
		err = FFA_RET_ABORTED;
		goto refuse;
	}
	spmc_unlock(spmc, &spmc->mbox_lock);
	send2_deliver(spmc, sp, &hdr, cpu);
	ffa_set_success32(regs, 0, 0, 0);
	return;

refuse:
	if (claimed)
		atomic_store_explicit(&sp->mbox_full, false, memory_order_release);
	spmc_unlock(spmc, &spmc->mbox_lock);
	spmc_refuse(spmc, regs, err, "spmc: MSG_SEND2 from VM %x: %s", vm_id, why);
}

/* ---- SP -> VM ------------------------------------------------------------------ */

int32_t ffamed_sp_msg_send2(struct ffamed_sp *sp, uint32_t cpu, uint16_t receiver_vm,
			    const struct ffa_uuid *uuid, const void *payload, uint32_t size,
			    uint32_t flags)
{
	struct ffamed_spmc *spmc = sp->spmc;
	struct spmc_vm_mailbox *mb;
	struct ffa_msg_hdr hdr = {
		.offset = FFA_MSG_HDR_SIZE_1_2,
		.receiver = receiver_vm,
		.sender = sp->cfg.id,
		.size = size,
	};
	int32_t err = FFA_RET_BUSY;
	bool notified;

	if (FFA_ID_IS_SECURE(receiver_vm) || (flags & ~FFA_MSG_SEND2_FLAG_DELAY_SRI) || !size ||
	    !payload || cpu >= spmc->cpu_count)
		return FFA_RET_INVALID_PARAMETERS;
	if (!(sp->cfg.properties & FFA_PART_PROP_INDIRECT_MSG))
		return FFA_RET_DENIED;
	if (uuid)
		hdr.uuid = *uuid;

	spmc_lock(spmc, &spmc->mbox_lock);
	mb = spmc_rxtx_vm_find(spmc, receiver_vm);
	if (!mb)
		goto out;
	if ((uint64_t)FFA_MSG_HDR_SIZE_1_2 + size > (uint64_t)mb->page_count * MSG2_PAGE_SIZE) {
		err = FFA_RET_INVALID_PARAMETERS;
		goto out;
	}
	/* The VM has not released the last message, or the hypervisor took
	 * the buffer for a message of its own. */
	if (mb->rx_owner != FFAMED_SPMC_RX_OWNER_SPMC)
		goto out;
	err = FFA_RET_ABORTED;
	if (!vm_buf_copy(spmc, mb->rx_pages, 0, NULL, &hdr, sizeof(hdr)) ||
	    !vm_buf_copy(spmc, mb->rx_pages, FFA_MSG_HDR_SIZE_1_2, NULL, payload, size))
		goto out;
	mb->rx_owner = FFAMED_SPMC_RX_OWNER_NWD;
	notified = spmc_notif_fwk_update(spmc, receiver_vm, FFA_FWK_NOTIF_RX_FULL, true);
	spmc_unlock(spmc, &spmc->mbox_lock);
	atomic_fetch_add(&sp->msgs_sent, 1);
	if (notified)
		spmc_notif_sri(spmc, sp, cpu, flags & FFA_MSG_SEND2_FLAG_DELAY_SRI);
	return FFA_RET_OK;

out:
	spmc_unlock(spmc, &spmc->mbox_lock);
	return err;
}

/* ---- Introspection -------------------------------------------------------------- */

uint64_t ffamed_spmc_sp_msgs_received(struct ffamed_spmc *spmc, uint16_t sp_id)
{
	struct ffamed_sp *sp = ffamed_spmc_find_sp(spmc, sp_id);

	return sp ? atomic_load(&sp->msgs_received) : 0;
}

uint64_t ffamed_spmc_sp_msgs_dropped(struct ffamed_spmc *spmc, uint16_t sp_id)
{
	struct ffamed_sp *sp = ffamed_spmc_find_sp(spmc, sp_id);

	return sp ? atomic_load(&sp->msgs_dropped) : 0;
}

uint64_t ffamed_spmc_sp_msgs_sent(struct ffamed_spmc *spmc, uint16_t sp_id)
{
	struct ffamed_sp *sp = ffamed_spmc_find_sp(spmc, sp_id);

	return sp ? atomic_load(&sp->msgs_sent) : 0;
}

bool ffamed_spmc_sp_mailbox_full(struct ffamed_spmc *spmc, uint16_t sp_id)
{
	struct ffamed_sp *sp = ffamed_spmc_find_sp(spmc, sp_id);

	return sp && atomic_load(&sp->mbox_full);
}
