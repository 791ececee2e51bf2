/* SPDX-License-Identifier: MIT */
/*
 * `ffamed bench`: what FF-A mediation costs. A bench system is the mediator
 * on a minimal host (bench_host.c) in front of a software SPMC, next to a
 * second software SPMC that the bench calls straight, as a hypervisor
 * without a mediator would. Every case (bench_cases.c) is one operation
 * made both ways: the ratio of the two is the mediation overhead.
 */
#ifndef FFAMED_BENCH_H
#define FFAMED_BENCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ffamed/ffa_regs.h"
#include "ffamed/mediator.h"
#include "ffamed/sp_builtin.h"
#include "ffamed/spmc.h"

#define BENCH_VMS	   2u /* VM IDs 1..BENCH_VMS, one per scaling thread */
#define BENCH_VCPUS	   2u
#define BENCH_CPUS	   4u /* simulated physical CPUs (one per thread, spare) */
#define BENCH_RAM_PAGES	   16u
#define BENCH_IPA_BASE	   0x80000000ull
#define BENCH_RX_IPA	   BENCH_IPA_BASE
#define BENCH_TX_IPA	   (BENCH_IPA_BASE + 0x1000u)
#define BENCH_ECHO_ID	   0x8001u
#define BENCH_NOTIF_BIT	   (1ull << 5)
#define BENCH_SP_NOTIF_BIT (1ull << 7)

/* One guest: contiguous RAM, so that PA == host VA (bench_host.c). */
struct bench_vm {
	uint16_t id;
	uint8_t *ram;
	struct ffamed_vm *vm;
	uint32_t ram_pages; /* 0: BENCH_RAM_PAGES */
	/* NPIs the mediator injected (any vCPU); written from the receiver's
	 * sender thread, padded away from the fields other threads read. */
	char pad[64];
	_Atomic uint64_t npis;
	char pad_after[64];
};

/* Byte counts of the counting allocators. */
struct bench_mem {
	_Atomic int64_t live_bytes;
	_Atomic int64_t live_allocs;
};

struct bench_sys {
	/* Mediated: guests -> mediator -> spmc. */
	struct ffamed_host_ops ops;
	struct ffamed *med;
	struct ffamed_spmc *spmc;
	struct ffamed_sp_echo echo;
	struct ffamed_sp_config echo_cfg;
	struct bench_vm vms[BENCH_VMS];
	struct bench_mem med_mem;

	/* Direct: the bench is the hypervisor (ID 0) of dspmc. */
	struct ffamed_spmc *dspmc;
	struct ffamed_sp_echo decho;
	struct ffamed_sp_config decho_cfg;
	uint8_t *hyp_rxtx;	  /* 2 pages: TX then RX; PA == VA */
	uint8_t *dram[BENCH_VMS]; /* a guest RAM per VM for forwarded RXTX_MAP */

	/* Firmware stub instead of the SPMC behind the mediator: answers
	 * direct requests and NOTIFICATION_GET itself, to measure the
	 * mediator alone (scaling). */
	_Atomic bool fw_stub;

	struct ffamed_spmc_env env;
	struct bench_mem spmc_mem;
	_Atomic uint64_t log_errors;
};

/* One thread of a case: which VM it is and on which CPU it runs. */
struct bench_ctx {
	struct bench_sys *sys;
	struct bench_vm *vm;
	uint32_t index; /* 0..BENCH_VMS-1 */
	uint16_t vcpu;
};

/* Returns 0 when the operation succeeded as expected, else a code. */
typedef int (*bench_op_fn)(struct bench_ctx *c);
typedef int (*bench_setup_fn)(struct bench_sys *s);

enum bench_case_flags {
	BENCH_SCALING = 1u << 0, /* also measured with 1 and 2 threads */
};

struct bench_case {
	const char *name;
	const char *what;	 /* one line for the table */
	uint32_t flags;		 /* enum bench_case_flags */
	bench_setup_fn setup;	 /* may be NULL; run once before */
	bench_op_fn mediated;	 /* ffamed_handle_call() path */
	bench_op_fn direct;	 /* ffamed_spmc_call() path */
	bench_setup_fn teardown; /* may be NULL */
	const char *pending_on;	 /* non-NULL: not measurable yet (slot) */
};

/* The case table (bench_cases.c). */
extern const struct bench_case bench_cases[];
extern const size_t bench_case_count;
/* What every op pays besides the call: a register file filled and an
 * out-of-line call made. Subtracted to give the mediator's own count. */
int bench_harness_op(struct bench_ctx *c);

/* The second mediators' (VM-to-VM cases) firmware: none, and their VMs'
 * policy: every right (bench_host.c, below the cases that use them). */
void bench_no_firmware(void *host, struct ffamed_regs *regs);
extern const struct ffamed_vm_policy bench_policy_open;

/* ---- bench_msg.c: messaging between VMs (a second mediator) ---- */
int bench_msg_setup(struct bench_sys *s);
int bench_msg_teardown(struct bench_sys *s);
int bench_msg_direct_med(struct bench_ctx *c);
int bench_msg_send2_med(struct bench_ctx *c);

/* ---- bench_host.c ---- */
int bench_sys_create(struct bench_sys *s);
void bench_sys_destroy(struct bench_sys *s);
/* The simulated CPU of the calling thread (fw_call and SPMC calls). */
void bench_set_cpu(uint32_t cpu);
uint32_t bench_cpu(void);
/* Firmware calls, and lock acquisitions, the mediator made from the
 * calling thread so far (the SPMC's own locks are not counted). */
uint64_t bench_fw_calls(void);
uint64_t bench_med_locks(void);
/* Mediator bytes for one more VM with `vcpus` vCPUs (created and destroyed). */
int64_t bench_vm_bytes(struct bench_sys *s, uint16_t vcpus);

/* ---- bench_share.c ----
 * MEM_SHARE + MEM_RECLAIM of one range to the ECHO SP, by size and layout
 * (contiguous: one run, coalesced into one constituent; scattered: pages
 * listed in descending order, one constituent each), through the client
 * library: mediated (a VM with a 64-page TX buffer, fragments as needed)
 * and direct (the hypervisor's own 1-page TX at the SPMC, physical
 * addresses). */
struct bench_share_point {
	uint32_t pages;
	bool scattered;
	double med_ns, dir_ns; /* median per share+reclaim */
	uint32_t med_fragments, dir_fragments;
};
#define BENCH_SHARE_MAX_POINTS 16
struct bench_share_result {
	struct bench_share_point points[BENCH_SHARE_MAX_POINTS];
	uint32_t count;
	int64_t handle_bytes_1;	  /* mediator bytes held by a 1-page share */
	int64_t handle_bytes_256; /* ... by a 256-page scattered share */
	uint64_t failures;
};
int bench_share_sweep(struct bench_sys *s, bool quick, struct bench_share_result *out);

/* ---- bench_run.c ---- */
struct bench_opts {
	bool quick;	     /* CI: few iterations, no scaling repeats */
	bool json;	     /* JSON instead of the table */
	bool callgrind;	     /* under callgrind: dump stats per case and path */
	const char *pattern; /* NULL: all cases; else a substring of the name */
	uint32_t repeats;    /* timed repeats per path (median) */
	uint32_t iters;	     /* calls per repeat */
};
/* The share sweep's name, as --cases matches it. */
#define SHARE_SWEEP_NAME "mem_share_reclaim"
/* Cases (and the share sweep) whose name contains `pattern`. */
size_t bench_match_count(const char *pattern);
/* Runs the cases; 0 when every op answered as expected. */
int bench_run(const struct bench_opts *opts);

#endif /* FFAMED_BENCH_H */
