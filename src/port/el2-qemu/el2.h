/* SPDX-License-Identifier: MIT */
/*
 * The EL2 port's internal interfaces: a bare-metal hypervisor for QEMU virt
 * that runs one Linux guest at EL1 (vCPU i on physical CPU i) and hands its
 * FF-A calls to the ffamed mediator. No libc: everything here is ours.
 */
#ifndef EL2_H
#define EL2_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "boot_config.h"
#include "el2_asm.h"
#include "ffamed/ffa.h"
#include "ffamed/port.h"
#include "platform.h"

/* The guest's registers as saved by the vectors (start.S). */
struct el2_frame {
	uint64_t x[31];
	uint64_t elr;
	uint64_t spsr;
	uint64_t pad;
};
_Static_assert(sizeof(struct el2_frame) == EL2_FRAME_SIZE, "frame layout shared with start.S");

#define read_sysreg(r)                                                                             \
	({                                                                                         \
		uint64_t v_;                                                                       \
		__asm__ volatile("mrs %0, " #r : "=r"(v_));                                        \
		v_;                                                                                \
	})
#define write_sysreg(r, v) __asm__ volatile("msr " #r ", %0" ::"r"((uint64_t)(v)))
#define isb()		   __asm__ volatile("isb" ::: "memory")
#define dsb(opt)	   __asm__ volatile("dsb " #opt ::: "memory")

static inline uint32_t el2_cpu(void)
{
	return (uint32_t)(read_sysreg(mpidr_el1) & 0xff);
}

/* start.S */
void el2_enter_guest(uint64_t entry, uint64_t arg, uint64_t stack_top) __attribute__((noreturn));
void el2_smc(uint64_t regs[8]);
void el2_smc_1_2(uint64_t regs[18]);
void el2_secondary_entry(void);
extern uint8_t el2_stacks[EL2_MAX_CPUS << EL2_STACK_SHIFT];
extern char el2_vectors[];

/* Entered from start.S. */
void el2_boot_primary(void) __attribute__((noreturn));
void el2_boot_secondary(uint64_t cpu) __attribute__((noreturn));
void el2_handle_exception(struct el2_frame *frame, uint64_t kind);

/* lock.c: ticket spinlocks (LDAXR/STLXR through the C11 atomics). */
struct el2_lock {
	_Atomic uint32_t next;
	_Atomic uint32_t owner;
};
void el2_lock_init(struct el2_lock *l);
void el2_lock(struct el2_lock *l);
void el2_unlock(struct el2_lock *l);

/* console.c: PL011 output and a small printf. */
void console_putc(char c);
int el2_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int el2_vsnprintf_va(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void el2_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void el2_vprintf_line(const char *prefix, const char *fmt, va_list ap);
void el2_panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* heap.c: zeroed allocations and 4K pages from the RAM above the image. */
void heap_init(void);
void *heap_alloc(size_t size);
void heap_free(void *ptr);
void *heap_pages(size_t npages);
void heap_pages_free(void *va, size_t npages);
size_t heap_in_use(void); /* bytes and pages handed out, not yet freed */

/* vm.c: the guests and which one runs on each CPU. */
struct el2_vuart {
	struct el2_lock lock; /* guards the fields below */
	uint32_t len;
	char line[160];
	uint32_t regs[0xfe0 / 4];
};
struct ffamed_vm;
struct el2_vm {
	uint32_t index; /* in the boot configuration; VMID index + 1 */
	uint16_t ffa_id;
	uint16_t vcpu_count;
	uint32_t first_cpu; /* vCPU i runs on physical CPU first_cpu + i */
	uint64_t ram_base;  /* its DTB there, its Image 2 MiB above */
	uint64_t ram_size;
	uint64_t vttbr;	    /* its stage 2 and VMID */
	bool emulated_uart; /* its PL011 is vuart.c's, not the real one */
	uint32_t spis[32];  /* the SPIs it owns: bit n % 32 of spis[n / 32] */
	struct ffamed_vm *med_vm;
	_Atomic bool off;
	struct el2_vuart uart;
};
#define VM_KERNEL_OFFSET 0x200000ull
void vm_table_init(const struct boot_cfg *cfg);
uint32_t vm_count(void);
struct el2_vm *vm_at(uint32_t index);
struct el2_vm *vm_of_cpu(uint32_t cpu);
bool vm_owns_ram(const struct el2_vm *vm, uint64_t ipa, uint64_t len);

/* vuart.c: the emulated PL011 of each guest when several run. */
bool vuart_mmio(struct el2_vm *vm, uint64_t ipa, uint32_t size, bool write, uint64_t *value);
void vuart_flush(struct el2_vm *vm);

/* mmu.c: EL2 stage 1 (identity, caches on), a stage 2 per guest, a window
 * of EL2 VAs for scattered pages. */
void mmu_build(void);
void mmu_enable_this_cpu(void);
uint64_t mmu_build_stage2(uint32_t index, uint64_t ram_base, uint64_t ram_size, bool trap_uart);
void mmu_load_stage2(uint64_t vttbr);
void *mmu_map_window(const uint64_t *pa, size_t npages);
void mmu_unmap_window(void *va, size_t npages);

/* gic.c: the physical CPU interface at EL2 and the virtual one for the
 * guests; the guests' distributor and redistributor accesses, filtered and
 * mapped to their own CPUs' redistributors. */
#define GIC_KICK_SGI 15 /* physical SGI between EL2s: flush queued vIRQs, run work */
uint32_t gic_probe(void);
void gic_route_sri(uint32_t intid);
bool gic_mmio(struct el2_vm *vm, uint64_t ipa, uint32_t size, bool write, uint64_t *value);
void gic_report(void);
void gic_init_this_cpu(void);
void gic_handle_irq(void);
void gic_inject(uint32_t cpu, uint32_t intid);
void gic_flush_this_cpu(void);
void gic_guest_sgi1r(uint64_t value);
void gic_kick(uint32_t cpu);	 /* GIC_KICK_SGI to another CPU */
bool gic_guest_irq_queued(void); /* a vIRQ waits for this CPU's guest */

/* resume.c: the reply slot of each vCPU's blocked call. */
void resume_arm(uint32_t cpu);
void resume_disarm(uint32_t cpu);
bool resume_deliver(uint32_t cpu, const struct ffamed_regs *regs);
bool resume_take(uint32_t cpu, struct ffamed_regs *regs);

/* psci.c: SMCCC and PSCI calls of the guest. What psci_handle() leaves to
 * its caller: the calls that need the layers above it first (the mediator
 * told of a CPU going off, the report before power-off), which the caller
 * then completes with psci_forward(). */
enum psci_result {
	PSCI_RESULT_NOT_PSCI,	/* not SMCCC/PSCI: frame untouched */
	PSCI_RESULT_DONE,	/* answered in the frame */
	PSCI_RESULT_CPU_OFF,	/* CPU_OFF: not forwarded yet */
	PSCI_RESULT_SYSTEM_OFF, /* SYSTEM_OFF or SYSTEM_RESET: not forwarded yet */
};
enum psci_result psci_handle(struct el2_frame *frame);
void psci_forward(struct el2_frame *frame);
void psci_secondary_target(uint32_t cpu, uint64_t *entry, uint64_t *context);
int64_t psci_start_cpu(uint32_t cpu, uint64_t entry, uint64_t context);

/* services.c: locks, heap and log for the mediator and the software SPMC. */
struct ffamed_spmc_env;
void svc_lock_init(void *host, struct ffamed_lock *lock);
void svc_lock_destroy(void *host, struct ffamed_lock *lock);
void svc_lock_acquire(void *host, struct ffamed_lock *lock);
void svc_lock_release(void *host, struct ffamed_lock *lock);
void *svc_alloc(void *host, size_t size);
void svc_free(void *host, void *ptr);
void svc_vlog(void *host, enum ffamed_log_level level, const char *fmt, va_list ap);
void svc_fill_spmc_env(struct ffamed_spmc_env *env);

/* sri.c: the SPMC's SRI, pending until a CPU leaves EL2. */
void sri_raise(void);
bool sri_take(void);
void sri_counts(uint32_t *raised, uint32_t *handled);

/* vcpu.c: which vCPUs run. */
bool el2_vcpu_online(uint32_t cpu);
void el2_vcpu_set_online(uint32_t cpu, bool on);

/* ffa.c: the mediator. */
void ffa_init(uint32_t ncpus, bool vm_to_vm);
/* uuid: 16 bytes, RFC 4122 order, or NULL (docs/MESSAGING.md, "VMs as partitions"). */
void ffa_vm_create(struct el2_vm *vm, const struct ffamed_vm_policy *policy, const uint8_t *uuid);
void ffa_vm_destroy(struct el2_vm *vm);
void ffa_fini(void); /* every VM destroyed: the mediator, then the firmware side */
void ffa_handle_smc(struct el2_frame *frame);
void ffa_vcpu_online(uint32_t cpu);
void ffa_vcpu_offline(uint32_t cpu);
void ffa_run_deferred(void);
void ffa_report(void);

/* fw_spmc.c or fw_smc.c, one per image (CMakeLists.txt): the firmware
 * behind fw_call. */
extern const char *const fw_name;
void fw_init(uint32_t ncpus);		     /* before the mediator is created */
void fw_call_here(struct ffamed_regs *regs); /* fw_call on this CPU */
void fw_setup_sri(void);		     /* after: learn and arm the SRI */
void fw_report(void);			     /* at power-off */
void fw_fini(void);			     /* after the mediator is destroyed */

static inline uint64_t el2_now_ns(void)
{
	uint64_t cnt = read_sysreg(cntpct_el0), frq = read_sysreg(cntfrq_el0);

	if (!frq)
		return 0;
	return (cnt / frq) * 1000000000ull + (cnt % frq) * 1000000000ull / frq;
}

#endif /* EL2_H */
