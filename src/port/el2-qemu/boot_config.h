/* SPDX-License-Identifier: MIT */
/*
 * The EL2 port's boot configuration: which guests run, on which CPUs, in
 * which RAM, with which UUID, and what each pair of guests may do to each
 * other. A small text, parsed and validated before any guest starts; pure
 * code (no MMIO, no libc beyond memset/memcpy) so that host tests check it
 * (tests/el2).
 *
 * Format: one statement per line, '#' starts a comment, tokens separated
 * by spaces or tabs, numbers decimal or 0x-hex.
 *
 *   vm <id> cpus <first>[-<last>] ram <base> <size> [uuid <uuid>]
 *       a guest: FF-A ID 1..0x7fff, vCPU i on physical CPU first + i,
 *       RAM base and size 2 MiB aligned, inside the port's guest RAM; the
 *       UUID (8-4-4-4-12 hex, not nil) is what partition discovery reports
 *       for it to its peers
 *   vm_to_vm on|off
 *       whether messages and notifications between VMs are served at all
 *       (the mediator's config; default off)
 *   allow <id> <id> <right>[,<right>...]
 *       both VMs grant each other these rights: msg, notify, mem, all.
 *       Pairs not named get none (the mediator's default toward VMs).
 *
 * Every VM, CPU range and RAM range must be distinct; an error names its
 * line and what is wrong (boot_cfg_error_text).
 */
#ifndef EL2_BOOT_CONFIG_H
#define EL2_BOOT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ffamed/mediator.h"

#define BOOT_CFG_MAX_VMS   4
#define BOOT_CFG_MAX_RULES 16
#define BOOT_CFG_RAM_ALIGN (2ull << 20) /* stage 2 maps guest RAM in 2 MiB blocks */

struct boot_cfg_vm {
	uint16_t ffa_id;
	uint16_t vcpu_count;
	uint32_t first_cpu; /* vCPU i runs on physical CPU first_cpu + i */
	uint64_t ram_base;
	uint64_t ram_size;
	bool has_uuid;
	uint8_t uuid[16]; /* in the order written, byte 0 first */
};

struct boot_cfg_rule {
	uint16_t a, b;
	uint32_t rights; /* FFAMED_RIGHT_* */
	uint32_t line;
};

struct boot_cfg {
	uint32_t vm_count;
	struct boot_cfg_vm vms[BOOT_CFG_MAX_VMS];
	bool vm_to_vm;
	uint32_t rule_count;
	struct boot_cfg_rule rules[BOOT_CFG_MAX_RULES];
};

/* What the machine offers: CPUs and the RAM guests may be given. */
struct boot_cfg_limits {
	uint32_t ncpus;
	uint64_t ram_base;
	uint64_t ram_end;
};

enum boot_cfg_error {
	BOOT_CFG_OK = 0,
	BOOT_CFG_E_KEYWORD,	  /* unknown statement or option */
	BOOT_CFG_E_NUMBER,	  /* not a number, or too large */
	BOOT_CFG_E_MISSING,	  /* a statement lacks a part */
	BOOT_CFG_E_EXTRA,	  /* something after the end of a statement */
	BOOT_CFG_E_LINE_LONG,	  /* a line longer than 255 characters */
	BOOT_CFG_E_VM_ID,	  /* FF-A ID not in 1..0x7fff */
	BOOT_CFG_E_VM_DUP,	  /* the same ID twice */
	BOOT_CFG_E_TOO_MANY_VMS,  /* more than BOOT_CFG_MAX_VMS */
	BOOT_CFG_E_CPUS,	  /* empty range, or past the machine's CPUs */
	BOOT_CFG_E_CPU_SHARED,	  /* a CPU given to two VMs */
	BOOT_CFG_E_RAM,		  /* unaligned, empty or outside guest RAM */
	BOOT_CFG_E_RAM_SHARED,	  /* RAM ranges of two VMs overlap */
	BOOT_CFG_E_UUID,	  /* malformed, or nil */
	BOOT_CFG_E_VALUE,	  /* vm_to_vm neither on nor off */
	BOOT_CFG_E_DUP_SETTING,	  /* vm_to_vm twice */
	BOOT_CFG_E_RIGHTS,	  /* unknown right */
	BOOT_CFG_E_ALLOW_SELF,	  /* allow between a VM and itself */
	BOOT_CFG_E_ALLOW_UNKNOWN, /* allow naming a VM not declared */
	BOOT_CFG_E_TOO_MANY_RULES,
	BOOT_CFG_E_NO_VM, /* no vm statement at all */
};

struct boot_cfg_status {
	enum boot_cfg_error error;
	uint32_t line; /* 1-based; 0 for a whole-file error */
};

/* Parse `len` bytes of `text` (stops early at a NUL). On success fills
 * `out` and returns true; otherwise returns false with `st` saying where
 * and what, and `out` is not to be used. */
bool boot_cfg_parse(const char *text, size_t len, const struct boot_cfg_limits *lim,
		    struct boot_cfg *out, struct boot_cfg_status *st);

/* A short description of an error, for the console. */
const char *boot_cfg_error_text(enum boot_cfg_error e);

/* The mediator policy of VM `vm` (an index into cfg->vms): its allow rules
 * as peers in `peers` (room for BOOT_CFG_MAX_RULES), every right toward
 * SPs, none toward VMs not named. */
void boot_cfg_policy(const struct boot_cfg *cfg, uint32_t vm, struct ffamed_peer_rights *peers,
		     struct ffamed_vm_policy *policy);

#endif /* EL2_BOOT_CONFIG_H */
