/* SPDX-License-Identifier: MIT */
/*
 * The list FFA_NOTIFICATION_INFO_GET answers, in one place: the decoder
 * the mediator's SRI handler and the guest client read it with, and the
 * encoder the software SPMC writes it with.
 *
 * Layout (FF-A v1.1, NOTIFICATION_INFO_GET): w2 bit 0 says more is
 * pending; w2[11:7] counts the lists; w2 bits 12 + 2i and 13 + 2i give the
 * vCPU count (0..3) of list i. A list is an endpoint ID followed by that
 * many vCPU IDs, 16 bits each, packed from x3 on: four per register in the
 * 64-bit form (20 IDs at most), two per register, in the low 32 bits, in
 * the 32-bit form (10 IDs).
 *
 * The answer comes from the SPMC or from a hypervisor: hostile. A list
 * that does not fit the registers makes the answer malformed; the lists
 * before it are still whole. Header-only, static inline: the freestanding
 * core and the development kit both use it, and the core's library exports
 * no internal symbol.
 */
#ifndef FFAMED_COMMON_NOTIF_INFO_H
#define FFAMED_COMMON_NOTIF_INFO_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "ffamed/ffa_regs.h"

#define COMMON_NOTIF_INFO_MAX_VCPUS 3u /* per list: a 2-bit count */

/* One list: an endpoint and the vCPUs named for it. */
struct common_notif_info_list {
	uint16_t id;
	uint16_t vcpu_count; /* 0: no vCPU named (global notifications) */
	uint16_t vcpus[COMMON_NOTIF_INFO_MAX_VCPUS];
};

/* ---- Decoding ------------------------------------------------------------- */

struct common_notif_info_iter {
	const struct ffamed_regs *regs;
	bool is64;	  /* FFA_SUCCESS_64: four IDs per register */
	bool malformed;	  /* a list did not fit: no more lists */
	unsigned lists;	  /* the count in w2 */
	unsigned next;	  /* the next list's index */
	unsigned pos;	  /* the next ID's position */
	unsigned max_ids; /* what the registers hold */
};

/* Whether the answer says more is pending (ask again). */
static inline bool common_notif_info_more_pending(const struct ffamed_regs *r)
{
	return ((uint32_t)r->x[2] & FFA_NOTIF_INFO_MORE_PENDING) != 0;
}

/* Starts reading a SUCCESS answer r (which must outlive the iterator). */
static inline void common_notif_info_begin(struct common_notif_info_iter *it,
					   const struct ffamed_regs *r)
{
	it->regs = r;
	it->is64 = (uint32_t)r->x[0] == FFA_SUCCESS_64;
	it->malformed = false;
	it->lists = ((uint32_t)r->x[2] >> FFA_NOTIF_INFO_LIST_COUNT_SHIFT) &
		    FFA_NOTIF_INFO_LIST_COUNT_MASK;
	it->next = 0;
	it->pos = 0;
	it->max_ids = it->is64 ? FFA_NOTIF_INFO_MAX_IDS_64 : FFA_NOTIF_INFO_MAX_IDS_32;
}

/* The 16-bit ID at position i (< max_ids). */
static inline uint16_t common_notif_info_id(const struct common_notif_info_iter *it, unsigned i)
{
	unsigned per_reg = it->is64 ? 4u : 2u;
	uint64_t reg = it->regs->x[3 + i / per_reg];

	if (!it->is64)
		reg &= 0xFFFFFFFFull;
	return (uint16_t)(reg >> (16u * (i % per_reg)));
}

/*
 * The next list into *out: 1 when there is one, 0 after the last, -1 when
 * it does not fit the registers (malformed; every later call says -1 too).
 */
static inline int common_notif_info_next(struct common_notif_info_iter *it,
					 struct common_notif_info_list *out)
{
	unsigned n;

	if (it->malformed)
		return -1;
	if (it->next >= it->lists)
		return 0;
	/* next < lists <= 31 and only lists that fit were read, so next
	 * <= max_ids <= 20: the shift stays inside x2. */
	n = (unsigned)(it->regs->x[2] >> FFA_NOTIF_INFO_LIST_SIZE_SHIFT(it->next)) & 3u;
	if (it->pos + 1 + n > it->max_ids) {
		it->malformed = true;
		return -1;
	}
	out->id = common_notif_info_id(it, it->pos++);
	out->vcpu_count = (uint16_t)n;
	for (unsigned i = 0; i < n; i++)
		out->vcpus[i] = common_notif_info_id(it, it->pos++);
	it->next++;
	return 1;
}

/* ---- Encoding ------------------------------------------------------------- */

struct common_notif_info_out {
	unsigned max_ids; /* FFA_NOTIF_INFO_MAX_IDS_32 or _64 */
	unsigned id_count;
	unsigned list_count;
	bool more; /* a list did not fit: nothing more is added */
	uint16_t ids[FFA_NOTIF_INFO_MAX_IDS_64];
	uint8_t list_vcpus[FFA_NOTIF_INFO_MAX_IDS_64];
};

/* An empty answer for the 64-bit (is64) or the 32-bit form. */
static inline void common_notif_info_out_init(struct common_notif_info_out *o, bool is64)
{
	memset(o, 0, sizeof(*o));
	o->max_ids = is64 ? FFA_NOTIF_INFO_MAX_IDS_64 : FFA_NOTIF_INFO_MAX_IDS_32;
}

/*
 * Appends the list (ep, vcpus[0..n)), n <= 3. False when it does not fit:
 * the answer then says more is pending, and no later list is added either,
 * so that the caller asks again rather than get lists out of order.
 */
static inline bool common_notif_info_add(struct common_notif_info_out *o, uint16_t ep,
					 const uint16_t *vcpus, unsigned n)
{
	if (o->more || n > COMMON_NOTIF_INFO_MAX_VCPUS || o->id_count + 1 + n > o->max_ids) {
		o->more = true;
		return false;
	}
	o->ids[o->id_count++] = ep;
	for (unsigned i = 0; i < n; i++)
		o->ids[o->id_count++] = vcpus[i];
	o->list_vcpus[o->list_count++] = (uint8_t)n;
	return true;
}

/* Writes the SUCCESS answer (SUCCESS_64 for the 64-bit form) into regs. */
static inline void common_notif_info_pack(const struct common_notif_info_out *o,
					  struct ffamed_regs *regs)
{
	bool is64 = o->max_ids == FFA_NOTIF_INFO_MAX_IDS_64;
	unsigned per_reg = is64 ? 4u : 2u;
	uint64_t w2 = (o->more ? FFA_NOTIF_INFO_MORE_PENDING : 0) |
		      ((uint64_t)o->list_count << FFA_NOTIF_INFO_LIST_COUNT_SHIFT);

	for (unsigned i = 0; i < o->list_count; i++)
		w2 |= (uint64_t)o->list_vcpus[i] << FFA_NOTIF_INFO_LIST_SIZE_SHIFT(i);
	ffa_regs_clear(regs);
	regs->x[0] = is64 ? FFA_SUCCESS_64 : FFA_SUCCESS_32;
	regs->x[2] = w2;
	for (unsigned i = 0; i < o->id_count; i++)
		regs->x[3 + i / per_reg] |= (uint64_t)o->ids[i] << (16u * (i % per_reg));
}

#endif /* FFAMED_COMMON_NOTIF_INFO_H */
