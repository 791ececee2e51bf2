/* SPDX-License-Identifier: MIT */
/*
 * The mediator object (create/destroy, firmware probe) and the entry point
 * for trapped calls: FID decoding and the one dispatcher switch that names
 * every FF-A function ID.
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
 * handler (no registers to save: the handlers are reached by tail calls).
 */
static __attribute__((noinline, cold)) void
med_refuse_unserved(struct ffamed_vm *vm, uint32_t version, uint32_t fid, struct ffamed_regs *regs)
{
	med_debug(vm->med, "ffamed: VM %x: %s (%x) not supported at v%u.%u", (unsigned)vm->id,
		  med_fid_name(fid), (unsigned)fid, (unsigned)FFA_VERSION_MAJOR(version),
		  (unsigned)FFA_VERSION_MINOR(version));
	ffa_set_error(regs, FFA_RET_NOT_SUPPORTED);
}

static __attribute__((noinline, cold)) void med_refuse_vcpu(struct ffamed_vm *vm, uint16_t vcpu,
							    struct ffamed_regs *regs)
{
	med_warn_guest(vm->med, "ffamed: VM %x: call from vCPU %u of %u", (unsigned)vm->id,
		       (unsigned)vcpu, (unsigned)vm->vcpu_count);
	ffa_set_error(regs, FFA_RET_INVALID_PARAMETERS);
}

/* Notifications also depend on the VM: whether the SPMC took its bitmap
 * (docs/NOTIFICATIONS.md). */
static void med_dispatch_notif(struct ffamed_vm *vm, uint16_t vcpu, uint32_t version, uint32_t fid,
			       struct ffamed_regs *regs)
{
	if (!med_vm_notif_available(vm)) {
		med_refuse_unserved(vm, version, fid, regs);
		return;
	}
	switch (fid) {
	case FFA_NOTIFICATION_BIND:
	case FFA_NOTIFICATION_UNBIND:
		med_handle_notif_bind(vm, regs);
		break;
	case FFA_NOTIFICATION_SET:
		med_handle_notif_set(vm, regs);
		break;
	case FFA_NOTIFICATION_GET:
		med_handle_notif_get(vm, vcpu, regs);
		break;
	default:
		med_handle_notif_info_get(vm, fid, regs);
		break;
	}
}

static enum ffamed_call_status med_dispatch(struct ffamed_vm *vm, uint16_t vcpu, uint32_t version,
					    uint32_t fid, struct ffamed_regs *regs)
{
	if (!med_fid_gate(vm->med, version, fid)) {
		med_refuse_unserved(vm, version, fid, regs);
		return FFAMED_CALL_DONE;
	}

	switch (fid) {
	/* ---- Served ---- */
	case FFA_FEATURES:
		med_handle_features(vm, version, regs);
		break;
	case FFA_ID_GET:
		med_handle_id_get(vm, regs);
		break;
	case FFA_SPM_ID_GET:
		med_handle_spm_id_get(vm, regs);
		break;
	case FFA_RXTX_MAP_32:
	case FFA_RXTX_MAP_64:
		med_handle_rxtx_map(vm, regs);
		break;
	case FFA_RXTX_UNMAP:
		med_handle_rxtx_unmap(vm, regs);
		break;
	case FFA_RX_RELEASE:
		med_handle_rx_release(vm, regs);
		break;
	case FFA_PARTITION_INFO_GET:
		med_handle_partition_info_get(vm, version, regs);
		break;
	case FFA_PARTITION_INFO_GET_REGS:
		med_handle_partition_info_get_regs(vm, version, regs);
		break;
	/* ---- Messaging (docs/MESSAGING.md): these may block ---- */
	case FFA_MSG_SEND_DIRECT_REQ_32:
	case FFA_MSG_SEND_DIRECT_REQ_64:
	case FFA_MSG_SEND_DIRECT_REQ2:
		return med_handle_direct_req(vm, vcpu, version, fid, regs);
	case FFA_MSG_SEND_DIRECT_RESP_32:
	case FFA_MSG_SEND_DIRECT_RESP_64:
	case FFA_MSG_SEND_DIRECT_RESP2:
		return med_handle_direct_resp(vm, vcpu, fid, regs);
	case FFA_RUN:
		return med_handle_run(vm, vcpu, regs);
	case FFA_MSG_WAIT:
		return med_handle_msg_wait(vm, vcpu, version, regs);
	case FFA_YIELD:
		return med_handle_yield(vm, vcpu, version, regs);
	case FFA_MSG_SEND2:
		med_handle_msg_send2(vm, version, regs);
		break;
	case FFA_NOTIFICATION_BIND:
	case FFA_NOTIFICATION_UNBIND:
	case FFA_NOTIFICATION_SET:
	case FFA_NOTIFICATION_GET:
	case FFA_NOTIFICATION_INFO_GET_32:
	case FFA_NOTIFICATION_INFO_GET_64:
		med_dispatch_notif(vm, vcpu, version, fid, regs);
		break;
	case FFA_MEM_DONATE_32:
	case FFA_MEM_DONATE_64:
	case FFA_MEM_LEND_32:
	case FFA_MEM_LEND_64:
	case FFA_MEM_SHARE_32:
	case FFA_MEM_SHARE_64:
		med_handle_mem_send(vm, version, fid, regs);
		break;
	case FFA_MEM_FRAG_TX:
		med_handle_mem_frag_tx(vm, version, regs);
		break;
	case FFA_MEM_RECLAIM:
		med_handle_mem_reclaim(vm, regs);
		break;
	case FFA_MEM_RETRIEVE_REQ_32:
	case FFA_MEM_RETRIEVE_REQ_64:
		med_handle_mem_retrieve(vm, version, regs);
		break;
	case FFA_MEM_RELINQUISH:
		med_handle_mem_relinquish(vm, regs);
		break;
	case FFA_MEM_FRAG_RX:
		med_handle_mem_frag_rx(vm, regs);
		break;

	/* ---- Not served to guests: not calls, not a guest's, or not built ---- */
	case FFA_VERSION: /* handled before the version gate */
	case FFA_ERROR:	  /* return codes, not calls */
	case FFA_ERROR_64:
	case FFA_SUCCESS_32:
	case FFA_SUCCESS_64:
	case FFA_INTERRUPT:
	case FFA_INTERRUPT_64:
	case FFA_YIELD_64:    /* v1.3 */
	case FFA_MSG_WAIT_64: /* v1.3 */
	case FFA_RUN_64:      /* v1.3 */
	case FFA_MSG_POLL:    /* v1.0 indirect messaging: removed in v1.1 */
	case FFA_MSG_SEND:
	case FFA_MEM_RETRIEVE_RESP: /* the relayer's answer, not a call */
	case FFA_MEM_OP_PAUSE:	    /* time slicing: not built */
	case FFA_MEM_OP_RESUME:
	case FFA_MEM_PERM_GET_32: /* S-EL0 partitions only */
	case FFA_MEM_PERM_GET_64:
	case FFA_MEM_PERM_SET_32:
	case FFA_MEM_PERM_SET_64:
	case FFA_NORMAL_WORLD_RESUME: /* secure side only */
	case FFA_NORMAL_WORLD_RESUME_64:
	case FFA_EL3_INTR_HANDLE:
	case FFA_SECONDARY_EP_REGISTER_32:
	case FFA_SECONDARY_EP_REGISTER_64:
	case FFA_NOTIFICATION_BITMAP_CREATE: /* the mediator owns VM bitmaps */
	case FFA_NOTIFICATION_BITMAP_DESTROY:
	case FFA_RX_ACQUIRE:	 /* hypervisor -> SPMC only */
	case FFA_CONSOLE_LOG_32: /* partitions only */
	case FFA_CONSOLE_LOG_64:
	case FFA_NS_RES_INFO_GET: /* v1.3 */
	case FFA_ABORT_32:
	case FFA_ABORT_64:
	default:
		ffa_set_error(regs, FFA_RET_NOT_SUPPORTED);
		break;
	}
	return FFAMED_CALL_DONE;
}

/* A VM's first call after FFA_VERSION makes its version final (or finds
 * that there is none): once per VM, out of the common path. */
static __attribute__((noinline, cold)) enum ffamed_call_status
med_first_call(struct ffamed_vm *vm, uint16_t vcpu, uint32_t fid, struct ffamed_regs *regs)
{
	uint32_t version = med_version_finalise(vm);

	if (!version) {
		med_debug(vm->med, "ffamed: VM %x: %s (%x) before FFA_VERSION", (unsigned)vm->id,
			  med_fid_name(fid), (unsigned)fid);
		ffa_set_error(regs, FFA_RET_NOT_SUPPORTED);
		return FFAMED_CALL_DONE;
	}
	return med_dispatch(vm, vcpu, version, fid, regs);
}

/* The call proper; fid has the SVE hint masked and regs are masked for SMC32.
 * Inlined into ffamed_handle_call: it is every call's path. */
static inline __attribute__((always_inline)) enum ffamed_call_status
med_handle_ffa_call(struct ffamed_vm *vm, uint16_t vcpu, uint32_t fid, struct ffamed_regs *regs)
{
	uint32_t version;

	if (__builtin_expect(vcpu >= vm->vcpu_count, 0)) {
		med_refuse_vcpu(vm, vcpu, regs);
		return FFAMED_CALL_DONE;
	}
	if (fid == FFA_VERSION) {
		med_handle_version(vm, regs);
		return FFAMED_CALL_DONE;
	}
	version = med_vm_version(vm);
	if (__builtin_expect(!version, 0))
		return med_first_call(vm, vcpu, fid, regs);
	return med_dispatch(vm, vcpu, version, fid, regs);
}

/* Kept out of line so that the untraced path stays small. */
static __attribute__((noinline)) enum ffamed_call_status
med_traced_call(struct ffamed_vm *vm, uint16_t vcpu, uint32_t fid, struct ffamed_regs *regs,
		const struct ffamed_tracer *tracer)
{
	enum ffamed_call_status st;
	const struct ffamed_host_ops *ops = vm->med->ops;
	void *host = vm->med->host;
	struct ffamed_trace_rec rec;

	rec.vm_id = vm->id;
	rec.vcpu = vcpu;
	rec.fid = fid;
	for (int i = 0; i < 8; i++)
		rec.in[i] = regs->x[i];
	rec.t_start_ns = ops->now_ns ? ops->now_ns(host) : 0;
	st = med_handle_ffa_call(vm, vcpu, fid, regs);
	rec.t_end_ns = ops->now_ns ? ops->now_ns(host) : 0;
	/* A blocked call has no reply yet: out[] all zero says so. */
	for (int i = 0; i < 4; i++)
		rec.out[i] = st == FFAMED_CALL_BLOCKED ? 0 : regs->x[i];
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

	tracer = atomic_load_explicit(&vm->med->tracer, memory_order_acquire);
	if (__builtin_expect(tracer != NULL, 0))
		return med_traced_call(vm, vcpu, fid, regs, tracer);
	return med_handle_ffa_call(vm, vcpu, fid, regs);
}
