/* SPDX-License-Identifier: MIT */
/*
 * The mediator object (create/destroy, firmware probe) and the entry point
 * for trapped calls: FID decoding, the dispatcher switch built from the FID
 * table (ffamed/ffa_names.h), and the one place a handler's refusal becomes
 * FFA_ERROR (the contract: med_handler.h).
 */
#include "med_features.h"
#include "med_host.h"
#include "med_internal.h"
#include "med_lock.h"
#include "med_log.h"
#include "med_mem.h"
#include "med_msg.h"
#include "med_notif.h"
#include "med_partinfo.h"
#include "med_registry.h"
#include "med_rxtx.h"
#include "med_sp_cache.h"
#include "med_spmc_rxtx.h"
#include "med_version.h"
#include "med_vm.h"

/* ---- Firmware probe ---------------------------------------------------------- */

/* Negotiates with the SPMC; leaves fw_version 0 when there is none usable. */
static void med_fw_probe(struct ffamed *med)
{
	struct ffamed_regs r;
	uint32_t v;

	ffa_regs_clear(&r);
	r.x[0] = FFA_VERSION;
	r.x[1] = FFAMED_FFA_VERSION;
	med_fw_call(med, &r);
	v = (uint32_t)r.x[0];
	/* NOT_SUPPORTED (-1) and FFA_ERROR both have bit 31 set. */
	if ((v & FFA_VERSION_MBZ_BIT) ||
	    FFA_VERSION_MAJOR(v) != FFA_VERSION_MAJOR(FFAMED_FFA_VERSION)) {
		med_info(med, "ffamed: no FF-A SPMC (FFA_VERSION answered %x)", v);
		return;
	}
	if (FFA_VERSION_MINOR(v) < FFA_VERSION_MINOR(FFAMED_FFA_VERSION)) {
		/* An older SPMC: ask for its version so that it serves us the
		 * formats it knows (compatibility needs caller minor <= its). */
		ffa_regs_clear(&r);
		r.x[0] = FFA_VERSION;
		r.x[1] = v;
		med_fw_call(med, &r);
		if ((uint32_t)r.x[0] != v) {
			med_err(med, "ffamed: SPMC refused its own version %x", v);
			return;
		}
	} else {
		v = FFAMED_FFA_VERSION;
	}

	if (med_fw_simple(med, FFA_ID_GET, 0, 0, 0, 0, 0, &r) != FFA_RET_OK) {
		med_err(med, "ffamed: SPMC refused FFA_ID_GET: running without it");
		return;
	}
	if ((uint16_t)r.x[2] != FFA_HYP_ID)
		med_warn(med, "ffamed: SPMC gave the hypervisor ID %x, expected 0",
			 (unsigned)(uint16_t)r.x[2]);

	med->spmc_id = FFA_SPMC_ID_DEFAULT;
	if (med_version_at_least(v, FFA_VERSION_1_1)) {
		if (med_fw_simple(med, FFA_SPM_ID_GET, 0, 0, 0, 0, 0, &r) == FFA_RET_OK)
			med->spmc_id = (uint16_t)r.x[2];
		else
			med_warn(med, "ffamed: FFA_SPM_ID_GET failed, assuming %x",
				 FFA_SPMC_ID_DEFAULT);
	}

	static const struct {
		uint32_t fid;
		uint32_t min_version;
		uint32_t bit;
	} probes[] = {
		{FFA_MSG_SEND_DIRECT_REQ_32, FFA_VERSION_1_0, MED_FW_DIRECT_REQ_32},
		{FFA_MSG_SEND_DIRECT_REQ_64, FFA_VERSION_1_0, MED_FW_DIRECT_REQ_64},
		{FFA_MSG_SEND_DIRECT_REQ2, FFA_VERSION_1_2, MED_FW_DIRECT_REQ2},
		{FFA_RUN, FFA_VERSION_1_0, MED_FW_RUN},
		{FFA_RX_ACQUIRE, FFA_VERSION_1_1, MED_FW_RX_ACQUIRE},
		{FFA_NOTIFICATION_BITMAP_CREATE, FFA_VERSION_1_1, MED_FW_NOTIF},
		{FFA_MSG_SEND2, FFA_VERSION_1_1, MED_FW_MSG_SEND2},
	};
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		if (med_version_at_least(v, probes[i].min_version) &&
		    med_fw_simple(med, FFA_FEATURES, probes[i].fid, 0, 0, 0, 0, NULL) == FFA_RET_OK)
			med->fw_abis |= probes[i].bit;
	}
	/*
	 * A VM pair forwarded to the SPMC is the SPMC's while empty: the
	 * mediator can only write it after FFA_RX_ACQUIRE. Without that ABI
	 * (TF-A's EL3 SPMC, OP-TEE) the SPMC cannot share VM pairs at all, so
	 * none is forwarded; otherwise the first forward decides.
	 */
	if (!(med->fw_abis & MED_FW_RX_ACQUIRE))
		atomic_store_explicit(&med->vm_rxtx_fwd, MED_VM_RXTX_NO, memory_order_relaxed);
	med->fw_version = v;
	med_info(med, "ffamed: SPMC %x speaks FF-A %u.%u", (unsigned)med->spmc_id,
		 (unsigned)FFA_VERSION_MAJOR(v), (unsigned)FFA_VERSION_MINOR(v));
}

/* ---- Create / destroy ------------------------------------------------------------ */

/* The first required op `ops` lacks (include/ffamed/port.h marks them), or
 * NULL when none is missing. */
static const char *med_ops_missing(const struct ffamed_host_ops *ops)
{
#define MED_REQUIRE_OP(op)                                                                         \
	do {                                                                                       \
		if (!ops->op)                                                                      \
			return #op;                                                                \
	} while (0)
	MED_REQUIRE_OP(lock_init);
	MED_REQUIRE_OP(lock_destroy);
	MED_REQUIRE_OP(lock_acquire);
	MED_REQUIRE_OP(lock_release);
	MED_REQUIRE_OP(alloc);
	MED_REQUIRE_OP(free);
	MED_REQUIRE_OP(page_alloc);
	MED_REQUIRE_OP(page_free);
	MED_REQUIRE_OP(guest_page_pin);
	MED_REQUIRE_OP(guest_page_unpin);
	MED_REQUIRE_OP(map_pages);
	MED_REQUIRE_OP(unmap_pages);
	MED_REQUIRE_OP(vm_get);
	MED_REQUIRE_OP(vm_put);
	MED_REQUIRE_OP(fw_call);
	MED_REQUIRE_OP(work_schedule);
	MED_REQUIRE_OP(work_cancel_sync);
#undef MED_REQUIRE_OP
	return NULL;
}

/* Before a mediator exists: through the port's own vlog, when it has one
 * (without it nothing can be said; the return value still tells). */
static __attribute__((format(printf, 3, 4))) void med_create_log(const struct ffamed_host_ops *ops,
								 void *host, const char *fmt, ...)
{
	va_list ap;

	if (!ops->vlog)
		return;
	va_start(ap, fmt);
	ops->vlog(host, FFAMED_LOG_ERROR, fmt, ap);
	va_end(ap);
}

static void med_config_defaults(struct ffamed_config *c)
{
	/* The defaults, within the build's limits (ffamed/config.h). */
	if (!c->max_vms)
		c->max_vms = MED_DEFAULT_MAX_VMS < FFAMED_CONFIG_MAX_VMS ? MED_DEFAULT_MAX_VMS
									 : FFAMED_CONFIG_MAX_VMS;
	if (!c->rxtx_max_pages)
		c->rxtx_max_pages = MED_DEFAULT_RXTX_MAX_PAGES < FFAMED_CONFIG_RXTX_MAX_PAGES
					    ? MED_DEFAULT_RXTX_MAX_PAGES
					    : FFAMED_CONFIG_RXTX_MAX_PAGES;
	if (!c->spmc_rxtx_pages)
		c->spmc_rxtx_pages = MED_DEFAULT_SPMC_RXTX_PAGES;
	if (!c->npi_intid)
		c->npi_intid = MED_DEFAULT_NPI_INTID;
	if (!c->sri_intid)
		c->sri_intid = MED_DEFAULT_SRI_INTID;
	if (!c->vm_msg_max_retries)
		c->vm_msg_max_retries = MED_DEFAULT_VM_MSG_RETRIES;
	if (!c->vm_msg_retry_delay_ns)
		c->vm_msg_retry_delay_ns = MED_DEFAULT_VM_MSG_DELAY_NS;
	if (!FFAMED_CONFIG_VM_TO_VM)
		c->vm_to_vm = false; /* compiled out (ffamed/config.h) */
}

int32_t ffamed_create(const struct ffamed_host_ops *ops, void *host,
		      const struct ffamed_config *cfg, struct ffamed **out)
{
	struct ffamed *med;
	int32_t ret;
	const char *missing;

	if (!out || !ops)
		return FFA_RET_INVALID_PARAMETERS;
	missing = med_ops_missing(ops);
	if (missing) {
		med_create_log(ops, host,
			       "ffamed: ffamed_create: the port has no %s (a required op)",
			       missing);
		return FFA_RET_INVALID_PARAMETERS;
	}
	*out = NULL;
	med = ops->alloc(host, sizeof(*med));
	if (!med)
		return FFA_RET_NO_MEMORY;
	med->ops = ops;
	med->host = host;
	if (cfg)
		med->cfg = *cfg;
	med_config_defaults(&med->cfg);
	if (med->cfg.rxtx_max_pages > FFAMED_CONFIG_RXTX_MAX_PAGES ||
	    med->cfg.max_vms > FFAMED_CONFIG_MAX_VMS) {
		ops->free(host, med);
		return FFA_RET_INVALID_PARAMETERS;
	}
	med_lock_init(med, &med->spmc_tx_lock, MED_RANK_SPMC_TX);
	med_lock_init(med, &med->spmc_rx_lock, MED_RANK_SPMC_RX);
	med_lock_init(med, &med->registry_lock, MED_RANK_REGISTRY);
	med_lock_init(med, &med->pending_lock, MED_RANK_PENDING);

	ret = FFA_RET_NO_MEMORY;
	med->vms = med_alloc(med, sizeof(*med->vms) * med->cfg.max_vms);
	if (!med->vms || med_registry_init(med) != FFA_RET_OK)
		goto err;
	ret = med_mem_init(med);
	if (ret != FFA_RET_OK)
		goto err;

	med_fw_probe(med);
	if (med->fw_version) {
		/* A firmware refusing our pair leaves fw_version 0. */
		ret = med_spmc_rxtx_init(med);
		if (ret != FFA_RET_OK)
			goto err;
	}
	if (med->fw_version) {
		ret = med_sp_cache_init(med);
		if (ret != FFA_RET_OK)
			goto err;
	}
	med_served_init(med);
	*out = med;
	return FFA_RET_OK;

err:
	med_mem_fini(med);
	med_sp_cache_fini(med);
	med_spmc_rxtx_fini(med);
	med_registry_fini(med);
	med_free(med, med->vms);
	med_lock_destroy(med, &med->pending_lock);
	med_lock_destroy(med, &med->registry_lock);
	med_lock_destroy(med, &med->spmc_rx_lock);
	med_lock_destroy(med, &med->spmc_tx_lock);
	ops->free(host, med);
	return ret;
}

void ffamed_destroy(struct ffamed *med)
{
	if (!med)
		return;
	if (med->vm_count)
		med_err(med, "ffamed: destroyed with %u VMs still registered",
			(unsigned)med->vm_count);
	med_pending_reap(med, true);
	med_mem_fini(med);
	med_sp_cache_fini(med);
	med_spmc_rxtx_fini(med);
	med_registry_fini(med);
	med_free(med, med->vms);
	med_lock_destroy(med, &med->pending_lock);
	med_lock_destroy(med, &med->registry_lock);
	med_lock_destroy(med, &med->spmc_rx_lock);
	med_lock_destroy(med, &med->spmc_tx_lock);
	med->ops->free(med->host, med);
}

void ffamed_get_fw_info(const struct ffamed *med, struct ffamed_fw_info *info)
{
	info->version = med->fw_version;
	info->spmc_id = med->fw_version ? med->spmc_id : 0;
	info->sp_count = med->sp_count;
}

uint16_t ffamed_vm_id(const struct ffamed_vm *vm)
{
	return vm->id;
}

uint32_t ffamed_vm_version(const struct ffamed_vm *vm)
{
	return med_vm_version(vm);
}

/* ---- Trapped calls ------------------------------------------------------------------ */

/*
 * The refusals on the way to the dispatcher live out of line, so that the
 * path of a served call makes no call it must come back from before its
 * handler.
 */
static __attribute__((noinline, cold)) med_status med_refuse_vcpu(struct med_call *c)
{
	med_warn_guest(c->vm->med, "ffamed: VM %x: call from vCPU %u of %u", (unsigned)c->vm->id,
		       (unsigned)c->vcpu, (unsigned)c->vm->vcpu_count);
	MED_REFUSE(c, FFA_RET_INVALID_PARAMETERS, "no such vCPU in the caller");
}

/* The IDs a guest receives but never calls (the `answer` handler of the
 * table), and those the mediator does not serve to guests (`none`). */
med_status med_handle_answer(struct med_call *call)
{
	MED_REFUSE(call, FFA_RET_NOT_SUPPORTED, "an answer, not a call");
}

med_status med_handle_none(struct med_call *call)
{
	MED_REFUSE(call, FFA_RET_NOT_SUPPORTED,
		   "not served to guests (ffamed/ffa_names.h says why)");
}

/* The one place a handler's refusal becomes FFA_ERROR. */
static inline enum ffamed_call_status med_reply(struct med_call *c, med_status st)
{
	if (st == MED_BLOCKED)
		return FFAMED_CALL_BLOCKED;
	if (st != FFA_RET_OK)
		ffa_set_error(c->regs, st);
	return FFAMED_CALL_DONE;
}

/* The handler of the table's row for c->fid. */
static med_status med_dispatch(struct med_call *c)
{
	if (!med_fid_gate(c->vm->med, c->version, c->fid))
		MED_REFUSE(c, FFA_RET_NOT_SUPPORTED,
			   "not served at the caller's version with this firmware and port");

	switch (c->fid) {
#define MED_DISPATCH_ROW(name, since, handler)                                                     \
	case name:                                                                                 \
		return med_handle_##handler(c);
		/* One case per row: rows sharing a handler are alike by design. */
		FFA_FID_LIST(MED_DISPATCH_ROW) /* NOLINT(bugprone-branch-clone) */
#undef MED_DISPATCH_ROW
	default:
		MED_REFUSE(c, FFA_RET_NOT_SUPPORTED, "not an FF-A function ID");
	}
}

/* A VM's first call after FFA_VERSION makes its version final (or finds
 * that there is none): once per VM, out of the common path. */
static __attribute__((noinline, cold)) med_status med_first_call(struct med_call *c)
{
	c->version = med_version_finalise(c->vm);
	if (!c->version)
		MED_REFUSE(c, FFA_RET_NOT_SUPPORTED, "called before FFA_VERSION");
	return med_dispatch(c);
}

/* The call proper; fid has the SVE hint masked and regs are masked for SMC32.
 * Inlined into ffamed_handle_call: it is every call's path. */
static inline __attribute__((always_inline)) enum ffamed_call_status
med_handle_ffa_call(struct med_call *c)
{
	med_status st;

	if (__builtin_expect(c->vcpu >= c->vm->vcpu_count, 0))
		st = med_refuse_vcpu(c);
	else if (c->fid == FFA_VERSION)
		st = med_handle_version(c);
	else if (__builtin_expect(!(c->version = med_vm_version(c->vm)), 0))
		st = med_first_call(c);
	else
		st = med_dispatch(c);
	return med_reply(c, st);
}

/* Kept out of line so that the untraced path stays small. */
static __attribute__((noinline)) enum ffamed_call_status
med_traced_call(struct med_call *c, const struct ffamed_tracer *tracer)
{
	enum ffamed_call_status st;
	const struct ffamed_host_ops *ops = c->vm->med->ops;
	void *host = c->vm->med->host;
	struct ffamed_trace_rec rec = {.vm_id = c->vm->id, .vcpu = c->vcpu, .fid = c->fid};

	for (int i = 0; i < 8; i++)
		rec.in[i] = c->regs->x[i];
	rec.t_start_ns = ops->now_ns ? ops->now_ns(host) : 0;
	st = med_handle_ffa_call(c);
	rec.t_end_ns = ops->now_ns ? ops->now_ns(host) : 0;
	/* A blocked call has no reply yet: out[] all zero says so. */
	for (int i = 0; i < 4; i++)
		rec.out[i] = st == FFAMED_CALL_BLOCKED ? 0 : c->regs->x[i];
	rec.refusal = c->refusal;
	tracer->record(tracer->ctx, &rec);
	return st;
}

void ffamed_set_tracer(struct ffamed *med, const struct ffamed_tracer *tracer)
{
	atomic_store_explicit(&med->tracer, tracer, memory_order_release);
}

enum ffamed_call_status ffamed_handle_call(struct ffamed_vm *vm, uint16_t vcpu,
					   struct ffamed_regs *regs)
{
	uint32_t fid = (uint32_t)regs->x[0];
	const struct ffamed_tracer *tracer;
	struct med_call call;

	if (!FFA_FID_IS_FFA(fid))
		return FFAMED_CALL_NOT_FFA;
	fid &= ~FFA_SMCCC_SVE_HINT;
	/* SMC32: only w1..w7 carry arguments; the upper halves are junk. No
	 * SMC32 handler reads x8 and up, so those stay as they are (unrolled:
	 * this is on every call's path). */
	if (!FFA_FID_IS_64(fid)) {
		regs->x[1] = (uint32_t)regs->x[1];
		regs->x[2] = (uint32_t)regs->x[2];
		regs->x[3] = (uint32_t)regs->x[3];
		regs->x[4] = (uint32_t)regs->x[4];
		regs->x[5] = (uint32_t)regs->x[5];
		regs->x[6] = (uint32_t)regs->x[6];
		regs->x[7] = (uint32_t)regs->x[7];
	}
	regs->x[0] = fid;

	call.vm = vm;
	call.regs = regs;
	call.version = 0;
	call.fid = fid;
	call.vcpu = vcpu;
	call.refusal = NULL;
	tracer = atomic_load_explicit(&vm->med->tracer, memory_order_acquire);
	if (__builtin_expect(tracer != NULL, 0))
		return med_traced_call(&call, tracer);
	return med_handle_ffa_call(&call);
}
