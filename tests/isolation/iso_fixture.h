/* SPDX-License-Identifier: MIT */
/*
 * The isolation suite's system: two victims with live state, hostile
 * guests, and a snapshot of everything a hostile guest must not be able to
 * change (docs/SECURITY.md lists the attacks).
 *
 *   VM 1 victim, v1.2: RX/TX mapped, RX full (it holds a partition list),
 *        notifications 0x3 bound from ECHO and bit 0 pending, a marker
 *        in its TX buffer and in RAM page 8.
 *   VM 2 victim, v1.1: RX/TX mapped, RX empty, a request to ECHO preempted
 *        (FFA_INTERRUPT) on its vCPU 0 and waiting for its FFA_RUN.
 *   VM 3 attacker, v1.2, RX/TX mapped at the sim's default pages.
 *   VM 4 attacker, v1.2, no RX/TX.
 *   VM 5 attacker, no FFA_VERSION yet.
 */
#ifndef FFAMED_TEST_ISO_FIXTURE_H
#define FFAMED_TEST_ISO_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "ffamed/ffa_regs.h"
#include "ffamed/sim.h"

#define ISO_VICTIM1    1u
#define ISO_VICTIM2    2u
#define ISO_ATK	       3u /* mapped */
#define ISO_ATK_NOMAP  4u
#define ISO_ATK_FRESH  5u
#define ISO_VCPUS      2u
#define ISO_RAM_PAGES  32u
#define ISO_MARKER_IPA (FFAMED_POSIX_RAM_BASE + 8u * FFA_PAGE_SIZE)

/* What an attack may legitimately change (the attack is accepted for the
 * attacker's own sake: its own mapping, or a request answered by an SP). */
#define ISO_ALLOW_SP_CALLS (1u << 0) /* SP counters (requests answered) */
#define ISO_ALLOW_ATK_STATE                                                                        \
	(1u << 1) /* allocations, mappings, SPMC mailboxes,                                        \
		   * VM announcements (the attacker's) */

struct iso {
	struct ffamed_sim *sim;
	struct ffamed_spmc *spmc;
	uint16_t victim2_ctx; /* ECHO context holding VM 2's preempted request */
};

extern struct iso iso;

/* cmocka setup/teardown: build the system above; check the victims are
 * untouched and still work, shut down and check nothing leaked. */
int iso_setup(void **state);
int iso_teardown(void **state);

/* Record the state to compare at teardown; `allow` is ISO_ALLOW_*. The
 * setup takes the first snapshot with allow 0; an attack that first needs
 * more setup of its own takes a new one after it. */
void iso_snapshot(unsigned allow);

/* A raw call from VM `id`, vCPU `vcpu`: x0 = fid, then a1..a7 (more with
 * iso_call_regs). Returns the reply's FF-A result (ffa_result). */
int32_t iso_call(uint16_t id, uint16_t vcpu, struct ffamed_regs *out, uint64_t fid, uint64_t a1,
		 uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6, uint64_t a7);
void iso_call_regs(uint16_t id, uint16_t vcpu, struct ffamed_regs *regs);
/* The same from the VM's own vCPU thread (another physical CPU, so another
 * execution context of an MP SP than the test thread's). */
void iso_call_on_vcpu(uint16_t id, uint16_t vcpu, struct ffamed_regs *regs);
/* iso_call and assert the error code. */
void iso_expect(int32_t want, uint16_t id, uint16_t vcpu, uint64_t fid, uint64_t a1, uint64_t a2,
		uint64_t a3, uint64_t a4, uint64_t a5);

struct ffamed_sim_vm *iso_vm(uint16_t id);
uint8_t *iso_va(uint16_t id, uint64_t ipa);
uint64_t iso_pa(uint16_t id, uint64_t ipa);

#endif /* FFAMED_TEST_ISO_FIXTURE_H */
