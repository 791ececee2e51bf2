/* SPDX-License-Identifier: MIT */
/*
 * A software SPMC on a test-made environment: pthread locks, counted
 * allocations, and "physical memory" as one malloc'd region at a fake PA.
 */
#ifndef SPMC_FIXTURE_H
#define SPMC_FIXTURE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "ffamed/ffa_regs.h"
#include "ffamed/sp_builtin.h"
#include "ffamed/spmc.h"

#define FX_PA_BASE   0x80000000ull
#define FX_RAM_PAGES 1024u
#define FX_PAGE	     4096u
#define FX_CPUS	     8u

/* The standard partitions. */
#define FX_ECHO_UP   0x8001u /* echo, 1 context */
#define FX_ECHO_MP   0x8002u /* echo, FX_MP_CTX contexts, two UUIDs */
#define FX_VMWATCH   0x8003u
#define FX_OPTEE     0x8004u /* FX_MP_CTX contexts */
#define FX_REQ2_ONLY 0x8005u /* echo handler, takes only DIRECT_REQ2 */
#define FX_STD_SPS   5u
#define FX_STD_PAIRS 6u /* (partition, UUID) pairs */
#define FX_MP_CTX    4u
/* Second UUID of FX_ECHO_MP and the UUID of FX_REQ2_ONLY. */
#define FX_UUID_ECHO2                                                                              \
	{                                                                                          \
		{                                                                                  \
			0xa1, 0xa2, 0xa3, 0xa4, 0xb1, 0xb2, 0xc1, 0xc2, 1, 2, 3, 4, 5, 6, 7, 8     \
		}                                                                                  \
	}
#define FX_UUID_REQ2                                                                               \
	{                                                                                          \
		{                                                                                  \
			0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 9, 9, 9, 9, 9, 9, 9, 9     \
		}                                                                                  \
	}

/* Hypervisor pair used by fx_setup_ready: TX page 0, RX page 1, one page each. */
#define FX_HYP_TX_PAGE 0u
#define FX_HYP_RX_PAGE 1u

struct fx {
	struct ffamed_spmc_env env;
	struct ffamed_spmc *spmc;
	uint8_t *ram;
	size_t ram_pages; /* FX_RAM_PAGES unless made by fx_new_ram */
	atomic_long live_allocs;
	struct ffamed_sp_config sps[16];
	uint32_t sp_count;
	struct ffamed_sp_echo echo_up;
	struct ffamed_sp_echo echo_mp;
	struct ffamed_sp_echo req2_only;
	struct ffamed_sp_vmwatch vmwatch;
	struct ffamed_sp_optee optee;
	/* env->raise_sri calls, in all and per CPU. */
	atomic_ulong sri_count;
	atomic_ulong sri_per_cpu[FX_CPUS];
};

/* A fixture with an environment and the standard SP configs, no SPMC. */
struct fx *fx_new(void);
/* The same with `ram_pages` pages of fake RAM (allocated lazily by the OS). */
struct fx *fx_new_ram(size_t ram_pages);
/* Creates the SPMC from f->sps[0..sp_count) with cfg's other fields
 * (cfg may be NULL: defaults but FX_CPUS CPUs). Returns the create result. */
int32_t fx_create(struct fx *f, const struct ffamed_spmc_config *cfg);
/* Destroys the SPMC and checks that every allocation was freed. */
void fx_free(struct fx *f);

/* cmocka setups: SPMC with the standard SPs ... */
int fx_setup_raw(void **state);	  /* ... nothing negotiated */
int fx_setup_v12(void **state);	  /* ... FFA_VERSION 1.2 done */
int fx_setup_ready(void **state); /* ... and the hypervisor pair mapped */
int fx_teardown(void **state);

static inline uint64_t fx_pa(uint32_t page)
{
	return FX_PA_BASE + (uint64_t)page * FX_PAGE;
}
void *fx_va(struct fx *f, uint64_t pa);

/* One call with x0..x7 (rest 0); returns the reply. */
struct ffamed_regs fx_call(struct fx *f, uint32_t cpu, uint64_t x0, uint64_t x1, uint64_t x2,
			   uint64_t x3, uint64_t x4, uint64_t x5, uint64_t x6, uint64_t x7);
#define FX_CALL0(f, fid)    fx_call((f), 0, (fid), 0, 0, 0, 0, 0, 0, 0)
#define FX_CALL1(f, fid, a) fx_call((f), 0, (fid), (a), 0, 0, 0, 0, 0, 0)

/* Asserts the reply is FFA_ERROR(err) with x2 zero-extended. */
void fx_assert_error(const struct ffamed_regs *r, int32_t err);
void fx_assert_success(const struct ffamed_regs *r);

uint64_t fx_version(struct fx *f, uint32_t v);
void fx_map_hyp(struct fx *f, uint32_t tx_page, uint32_t rx_page, uint32_t pages);

/* A composite for the forwarded RXTX_MAP: `n` constituents. */
struct fx_region {
	uint32_t page; /* first page index in fake RAM */
	uint32_t count;
};
/* Writes the endpoint RX/TX descriptor (RX composite then TX composite)
 * into the hypervisor's TX buffer (page FX_HYP_TX_PAGE). */
void fx_write_vm_desc(struct fx *f, uint16_t vm_id, const struct fx_region *rx, uint32_t rx_n,
		      const struct fx_region *tx, uint32_t tx_n);
/* Writes the descriptor and issues the forwarded RXTX_MAP; returns the
 * result (0 or an FF-A error). */
int32_t fx_map_vm(struct fx *f, uint16_t vm_id, const struct fx_region *rx, uint32_t rx_n,
		  const struct fx_region *tx, uint32_t tx_n);
/* Simple one-constituent form. */
int32_t fx_map_vm_simple(struct fx *f, uint16_t vm_id, uint32_t rx_page, uint32_t tx_page,
			 uint32_t pages);

#endif
