/* SPDX-License-Identifier: MIT */
/*
 * The host's access policy (docs/MESSAGING.md, struct ffamed_vm_policy):
 * the NULL default, policies refused at creation, per-peer overrides, the
 * both-sides rule between VMs, and every path that checks it: direct
 * requests and FFA_RUN, notification BIND/SET, memory sharing, discovery.
 */
#include "med_fixture.h"
#include "mem_builder.h"

#define A 1u
#define B 2u
#define C 3u

static struct fix *fix;
static struct fix_vm *a, *b, *c;

static struct fix *make(bool vm_to_vm)
{
	struct fix_opts o = {.med_cfg = {.vm_to_vm = vm_to_vm}, .blocking = true};

	return fix_create(&o);
}

static struct fix_vm *vm_with(uint16_t id, uint16_t vcpus, const struct ffamed_vm_policy *p,
			      uint32_t version)
{
	struct fix_vm *v = fix_vm_new(fix, id, vcpus, 64, true);

	v->policy = p;
	assert_int_equal(fix_vm_register(v, true), FFA_RET_OK);
	fix_negotiate(v, version);
	fix_map_default(v, 1);
	return v;
}

static int teardown(void **state)
{
	(void)state;
	if (a)
		fix_vm_destroy(a);
	if (b)
		fix_vm_destroy(b);
	if (c)
		fix_vm_destroy(c);
	a = b = c = NULL;
	fix_destroy(fix);
	return 0;
}

/* A direct request from v's vCPU 0: the error, or 0 when it went through
 * (an SP's response, or a VM's waiting vCPU got it and answered). */
static int32_t try_req(struct fix_vm *v, uint32_t fid, uint16_t to)
{
	struct ffamed_regs r = {{fid, FFA_SENDER_RECEIVER(v->id, to)}};
	struct fix_vm *rv = to == A ? a : to == B ? b : to == C ? c : NULL;

	r.x[fid == FFA_MSG_SEND_DIRECT_REQ2 ? 4 : 3] = FFAMED_ECHO_CMD_WHOAMI;
	if (rv) {
		struct ffamed_regs w = {{FFA_MSG_WAIT}};

		assert_int_equal(fix_call_async(rv, 0, &w), FFAMED_CALL_BLOCKED);
	}
	if (fix_call_async(v, 0, &r) == FFAMED_CALL_BLOCKED) {
		struct ffamed_regs x = {{ffa_direct_resp_fid(fid), FFA_SENDER_RECEIVER(to, v->id)}};

		assert_non_null(rv);
		assert_true(fix_resumed(rv, 0, &r));
		assert_int_equal(r.x[1], FFA_SENDER_RECEIVER(v->id, to));
		assert_int_equal(fix_call_async(rv, 0, &x), FFAMED_CALL_BLOCKED);
		assert_true(fix_resumed(v, 0, &r));
	}
	if (rv) {
		assert_true(ffamed_vcpu_interrupt(rv->vm, 0));
		assert_true(fix_resumed(rv, 0, &(struct ffamed_regs){{0}}));
	}
	if (r.x[0] == FFA_ERROR)
		return ffa_error_code(&r);
	assert_int_equal(r.x[0], ffa_direct_resp_fid(fid));
	return 0;
}

static int32_t notif(struct fix_vm *v, uint32_t fid, uint16_t sender, uint16_t receiver)
{
	struct ffamed_regs r =
		fix_call(v, 0, fid, FFA_SENDER_RECEIVER(sender, receiver), 0, 1, 0, 0);

	return ffa_result(&r);
}

/* A one-page share or lend from v (TX mapped) to `to`; reclaimed at once. */
static int32_t mem(struct fix_vm *v, uint32_t fid, uint16_t to)
{
	uint8_t desc[512];
	uint64_t handle = 0;
	unsigned frags = 0;
	size_t len = mb_simple(desc, sizeof(desc), FFA_VERSION_1_2, v->id, to, FFA_MEM_PERM_DATA_RW,
			       NULL, 8, 1);
	int32_t rc;

	mb_fit(desc, FFA_VERSION_1_2, fid);
	rc = mb_send(v, fid, desc, len, FFA_PAGE_SIZE, &handle, &frags);

	if (rc == FFA_RET_OK)
		assert_int_equal(mb_reclaim(v, handle, 0), FFA_RET_OK);
	return rc;
}

struct seen {
	uint32_t count;
	uint16_t id[16];
	uint32_t props[16];
};

/* Nil-UUID discovery at v1.2 through the RX (and its count), and through
 * _REGS: the same list each way. */
static void discover(struct fix_vm *v, struct seen *s)
{
	struct ffamed_regs r;
	uint32_t n = 0;

	memset(s, 0, sizeof(*s));
	r = fix_call(v, 0, FFA_PARTITION_INFO_GET, 0, 0, 0, 0, FFA_PARTITION_INFO_GET_COUNT_FLAG);
	assert_ffa_success(r);
	s->count = (uint32_t)r.x[2];
	assert_true(s->count <= 16);
	r = fix_call(v, 0, FFA_PARTITION_INFO_GET, 0, 0, 0, 0, 0);
	assert_ffa_success(r);
	assert_int_equal(r.x[2], s->count);
	assert_int_equal(r.x[3], sizeof(struct ffa_partition_info_1_1));
	for (uint32_t i = 0; i < s->count; i++) {
		struct ffa_partition_info_1_1 e;

		memcpy(&e, (uint8_t *)fix_vm_ptr(v, MB_RX_IPA) + i * sizeof(e), sizeof(e));
		s->id[i] = e.id;
		s->props[i] = e.properties;
	}
	assert_ffa_success(fix_call(v, 0, FFA_RX_RELEASE, 0, 0, 0, 0, 0));
	/* _REGS: three registers per entry from x3, up to 5 per call. */
	for (uint32_t start = 0; start < s->count;) {
		struct ffamed_regs in = {{FFA_PARTITION_INFO_GET_REGS, 0, 0, start}};
		uint32_t last;

		r = fix_call_regs(v, 0, &in);
		assert_int_equal(r.x[0], FFA_SUCCESS_64);
		assert_int_equal(r.x[2] & 0xFFFF, s->count - 1);
		last = (uint32_t)(r.x[2] >> 16) & 0xFFFF;
		for (uint32_t i = start; i <= last; i++, n++) {
			uint64_t w = r.x[3 + 3 * (i - start)];

			assert_int_equal((uint16_t)w, s->id[i]);
			assert_int_equal((uint32_t)(w >> 32), s->props[i]);
		}
		start = last + 1;
	}
	assert_int_equal(n, s->count);
}

/* The properties `id` is listed with, or -1 if it is not. */
static int64_t listed(const struct seen *s, uint16_t id)
{
	for (uint32_t i = 0; i < s->count; i++)
		if (s->id[i] == id)
			return s->props[i];
	return -1;
}

#define VM_MSG_PROPS                                                                               \
	(FFA_PART_PROP_DIRECT_REQ_RECV | FFA_PART_PROP_DIRECT_REQ_SEND |                           \
	 FFA_PART_PROP_DIRECT_REQ2_RECV | FFA_PART_PROP_DIRECT_REQ2_SEND |                         \
	 FFA_PART_PROP_INDIRECT_MSG)
#define VM_MSG_MASK (VM_MSG_PROPS | FFA_PART_PROP_NOTIFICATIONS)

static const uint16_t sps[] = {FIX_SP_ECHO, FIX_SP_VMWATCH, FIX_SP_OPTEE, FIX_SP_ECHO_MP};

/* policy == NULL: every right toward SPs, none toward VMs. */
static void null_default(void **state)
{
	(void)state;
	struct seen s;

	fix = make(true);
	a = vm_with(A, 1, FIX_POLICY_NONE, FFA_VERSION_1_2);
	b = vm_with(B, 1, NULL, FFA_VERSION_1_2); /* the fixture's open policy */

	assert_int_equal(try_req(a, FFA_MSG_SEND_DIRECT_REQ_32, FIX_SP_ECHO), 0);
	assert_int_equal(try_req(a, FFA_MSG_SEND_DIRECT_REQ2, FIX_SP_ECHO), 0);
	assert_int_equal(notif(a, FFA_NOTIFICATION_BIND, FIX_SP_ECHO, A), FFA_RET_OK);
	assert_int_equal(mem(a, FFA_MEM_SHARE_64, FIX_SP_ECHO), FFA_RET_OK);
	/* b opens itself to everybody: it does not open a. */
	assert_int_equal(try_req(a, FFA_MSG_SEND_DIRECT_REQ_32, B), FFA_RET_DENIED);
	assert_int_equal(try_req(b, FFA_MSG_SEND_DIRECT_REQ_64, A), FFA_RET_DENIED);
	assert_int_equal(notif(a, FFA_NOTIFICATION_BIND, B, A), FFA_RET_DENIED);
	assert_int_equal(notif(b, FFA_NOTIFICATION_BIND, A, B), FFA_RET_DENIED);
	assert_int_equal(notif(b, FFA_NOTIFICATION_SET, B, A), FFA_RET_DENIED);
	assert_int_equal(mem(a, FFA_MEM_SHARE_64, B), FFA_RET_DENIED);
	assert_int_equal(mem(b, FFA_MEM_LEND_64, A), FFA_RET_DENIED);
	/* Discovery: every SP, no VM, either way. */
	discover(a, &s);
	assert_int_equal(s.count, 4);
	for (int i = 0; i < 4; i++)
		assert_true(listed(&s, sps[i]) >= 0);
	discover(b, &s);
	assert_int_equal(s.count, 4);
	assert_true(listed(&s, A) < 0);
}

static void invalid_policies(void **state)
{
	(void)state;
	static struct ffamed_peer_rights many[1025];
	const struct ffamed_peer_rights dup[] = {{5, 1}, {0x8001, 0}, {5, 2}};
	const struct ffamed_peer_rights self[] = {{5, 1}, {A, 1}};
	const struct ffamed_peer_rights hyp[] = {{FFA_HYP_ID, 1}};
	const struct ffamed_peer_rights bad[] = {{5, 1}, {6, 1u << 3}};
	const struct ffamed_vm_policy cases[] = {
		{.sp_default = 1u << 3},
		{.vm_default = 1u << 31},
		{.peers = bad, .peer_count = 2},
		{.peers = dup, .peer_count = 3},
		{.peers = self, .peer_count = 2},
		{.peers = hyp, .peer_count = 1},
		{.peers = many, .peer_count = 1025},
		{.peers = NULL, .peer_count = 1},
	};
	const struct ffamed_vm_policy max = {.peers = many, .peer_count = 1024};

	for (uint32_t i = 0; i < 1025; i++)
		many[i] = (struct ffamed_peer_rights){(uint16_t)(0x100 + i), FFAMED_RIGHT_MSG};
	fix = make(true);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fix_vm *v = fix_vm_new(fix, A, 1, 4, true);

		v->policy = &cases[i];
		assert_int_equal(fix_vm_register(v, true), FFA_RET_INVALID_PARAMETERS);
		assert_null(v->vm);
		fix_vm_destroy(v);
	}
	/* Nothing of them stayed: the ID is free, 1024 peers are fine. */
	a = vm_with(A, 1, &max, FFA_VERSION_1_2);
	b = vm_with(0x100, 1, NULL, FFA_VERSION_1_2);
	c = vm_with(0x100 + 1024, 1, NULL, FFA_VERSION_1_2);
	assert_int_equal(try_req(a, FFA_MSG_SEND_DIRECT_REQ_32, 0x100), FFA_RET_BUSY);
	assert_int_equal(try_req(a, FFA_MSG_SEND_DIRECT_REQ_32, 0x100 + 1024), FFA_RET_DENIED);
}

/* Overrides replace the default for their peer; unknown peers leak nothing. */
static void overrides(void **state)
{
	(void)state;
	const struct ffamed_peer_rights pa[] = {
		{FIX_SP_ECHO, 0}, {B, FFAMED_RIGHT_MSG}, {9, FFAMED_RIGHT_MSG}, {0x8009, 0}};
	const struct ffamed_vm_policy pol_a = {
		.sp_default = FFAMED_RIGHT_MSG, .vm_default = 0, .peers = pa, .peer_count = 4};
	struct ffamed_regs r;

	fix = make(true);
	a = vm_with(A, 1, &pol_a, FFA_VERSION_1_2);
	b = vm_with(B, 1, NULL, FFA_VERSION_1_2);
	c = vm_with(C, 1, NULL, FFA_VERSION_1_2);
	assert_int_equal(try_req(a, FFA_MSG_SEND_DIRECT_REQ_32, FIX_SP_ECHO), FFA_RET_DENIED);
	assert_int_equal(try_req(a, FFA_MSG_SEND_DIRECT_REQ2, FIX_SP_ECHO), FFA_RET_DENIED);
	assert_int_equal(try_req(a, FFA_MSG_SEND_DIRECT_REQ_32, FIX_SP_ECHO_MP), 0);
	assert_int_equal(try_req(a, FFA_MSG_SEND_DIRECT_REQ2, B), 0);
	assert_int_equal(try_req(b, FFA_MSG_SEND_DIRECT_REQ_64, A), 0);
	assert_int_equal(try_req(a, FFA_MSG_SEND_DIRECT_REQ_32, C), FFA_RET_DENIED);
	assert_int_equal(try_req(c, FFA_MSG_SEND_DIRECT_REQ_32, A), FFA_RET_DENIED);
	/* No right: DENIED whether the peer exists or not (VM 8, SP 0x8009). */
	assert_int_equal(try_req(a, FFA_MSG_SEND_DIRECT_REQ_32, 8), FFA_RET_DENIED);
	assert_int_equal(try_req(a, FFA_MSG_SEND_DIRECT_REQ_32, 0x8009), FFA_RET_DENIED);
	r = fix_call(a, 0, FFA_RUN, FFA_TARGET_INFO(C, 0), 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_DENIED);
	r = fix_call(a, 0, FFA_RUN, FFA_TARGET_INFO(8, 0), 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_DENIED);
	r = fix_call(a, 0, FFA_RUN, FFA_TARGET_INFO(FIX_SP_ECHO, 0), 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_DENIED);
	r = fix_call(a, 0, FFA_RUN, FFA_TARGET_INFO(0x8009, 0), 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_DENIED);
	/* The policy comes after the register checks, before BUSY. */
	r = fix_call(a, 0, FFA_MSG_SEND_DIRECT_REQ_32, FFA_SENDER_RECEIVER(A, C), 1, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	r = fix_call(a, 0, FFA_MSG_SEND_DIRECT_REQ_32, FFA_SENDER_RECEIVER(A, C), 0, 0, 0, 0);
	assert_ffa_error(r, FFA_RET_DENIED); /* nobody waits in c either */
	r = fix_call(a, 0, FFA_MSG_SEND_DIRECT_REQ_32, FFA_SENDER_RECEIVER(A, FIX_SP_ECHO), 1, 0, 0,
		     0);
	assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	/* With the right, an unknown peer is a bad parameter. */
	assert_int_equal(try_req(a, FFA_MSG_SEND_DIRECT_REQ_32, 9), FFA_RET_INVALID_PARAMETERS);
	assert_int_equal(try_req(a, FFA_MSG_SEND_DIRECT_REQ_32, 0x800A),
			 FFA_RET_INVALID_PARAMETERS);
	/* No right to an SP: no firmware call either. */
	{
		uint64_t fw = fix_fw_count(fix, FFA_MSG_SEND_DIRECT_REQ_32);

		assert_int_equal(try_req(a, FFA_MSG_SEND_DIRECT_REQ_32, FIX_SP_ECHO),
				 FFA_RET_DENIED);
		assert_int_equal(fix_fw_count(fix, FFA_MSG_SEND_DIRECT_REQ_32), fw);
	}
}

/* Between VMs a right holds only if both grant it: each side alone fails. */
static void both_sides(void **state)
{
	(void)state;
	const struct ffamed_peer_rights pb[] = {{A, FFAMED_RIGHT_NOTIFY | FFAMED_RIGHT_MEM}};
	const struct ffamed_vm_policy pol_a = {.sp_default = FFAMED_RIGHTS_ALL,
					       .vm_default = FFAMED_RIGHT_MSG | FFAMED_RIGHT_MEM};
	const struct ffamed_vm_policy pol_b = {.peers = pb, .peer_count = 1};
	struct seen s;

	fix = make(true);
	a = vm_with(A, 1, &pol_a, FFA_VERSION_1_2);
	b = vm_with(B, 1, &pol_b, FFA_VERSION_1_2);
	/* MSG: a's side only; NOTIFY: b's side only; MEM: both. */
	assert_int_equal(try_req(a, FFA_MSG_SEND_DIRECT_REQ_32, B), FFA_RET_DENIED);
	assert_int_equal(try_req(b, FFA_MSG_SEND_DIRECT_REQ_32, A), FFA_RET_DENIED);
	assert_int_equal(notif(a, FFA_NOTIFICATION_BIND, B, A), FFA_RET_DENIED);
	assert_int_equal(notif(b, FFA_NOTIFICATION_BIND, A, B), FFA_RET_DENIED);
	assert_int_equal(notif(a, FFA_NOTIFICATION_SET, A, B), FFA_RET_DENIED);
	assert_int_equal(notif(b, FFA_NOTIFICATION_SET, B, A), FFA_RET_DENIED);
	assert_int_equal(mem(a, FFA_MEM_SHARE_64, B), FFA_RET_OK);
	assert_int_equal(mem(b, FFA_MEM_LEND_64, A), FFA_RET_OK);
	/* b has no SP rights at all: none listed, none reachable. */
	assert_int_equal(try_req(b, FFA_MSG_SEND_DIRECT_REQ_32, FIX_SP_ECHO), FFA_RET_DENIED);
	assert_int_equal(notif(b, FFA_NOTIFICATION_BIND, FIX_SP_ECHO, B), FFA_RET_DENIED);
	assert_int_equal(mem(b, FFA_MEM_SHARE_64, FIX_SP_ECHO), FFA_RET_DENIED);
	/* Each lists the other (MEM is a right): with no messaging bits. */
	discover(a, &s);
	assert_int_equal(s.count, 5);
	assert_int_equal(listed(&s, B) & VM_MSG_MASK, 0);
	discover(b, &s);
	assert_int_equal(s.count, 1);
	assert_int_equal(listed(&s, A) & VM_MSG_MASK, 0);
}

/* Notifications: BIND and SET checked, UNBIND never refused for the policy. */
static void notification_paths(void **state)
{
	(void)state;
	const struct ffamed_vm_policy msg_only = {.sp_default = FFAMED_RIGHT_MSG,
						  .vm_default = FFAMED_RIGHT_MSG};
	const struct ffamed_vm_policy notify = {.sp_default = FFAMED_RIGHT_NOTIFY,
						.vm_default = FFAMED_RIGHT_NOTIFY};
	uint64_t fw;

	fix = make(true);
	a = vm_with(A, 1, &msg_only, FFA_VERSION_1_2);
	b = vm_with(B, 1, &notify, FFA_VERSION_1_2);
	c = vm_with(C, 1, NULL, FFA_VERSION_1_2);
	/* To and from an SP: refused before the firmware. */
	fw = fix_fw_count(fix, FFA_NOTIFICATION_BIND) + fix_fw_count(fix, FFA_NOTIFICATION_SET);
	assert_int_equal(notif(a, FFA_NOTIFICATION_BIND, FIX_SP_ECHO, A), FFA_RET_DENIED);
	assert_int_equal(notif(a, FFA_NOTIFICATION_SET, A, FIX_SP_ECHO), FFA_RET_DENIED);
	assert_int_equal(fix_fw_count(fix, FFA_NOTIFICATION_BIND) +
				 fix_fw_count(fix, FFA_NOTIFICATION_SET),
			 fw);
	fw = fix_fw_count(fix, FFA_NOTIFICATION_UNBIND);
	/* Forwarded: what the SPMC answers (nothing is bound) is its own. */
	(void)notif(a, FFA_NOTIFICATION_UNBIND, FIX_SP_ECHO, A);
	assert_int_equal(fix_fw_count(fix, FFA_NOTIFICATION_UNBIND), fw + 1);
	assert_int_equal(notif(b, FFA_NOTIFICATION_BIND, FIX_SP_ECHO, B), FFA_RET_OK);
	assert_int_equal(notif(b, FFA_NOTIFICATION_UNBIND, FIX_SP_ECHO, B), FFA_RET_OK);
	/* Between VMs: a gives c MSG only; b and c both NOTIFY. */
	assert_int_equal(notif(a, FFA_NOTIFICATION_BIND, C, A), FFA_RET_DENIED);
	assert_int_equal(notif(c, FFA_NOTIFICATION_BIND, A, C), FFA_RET_DENIED);
	assert_int_equal(notif(c, FFA_NOTIFICATION_SET, C, A), FFA_RET_DENIED);
	assert_int_equal(notif(a, FFA_NOTIFICATION_SET, A, C), FFA_RET_DENIED);
	assert_int_equal(notif(b, FFA_NOTIFICATION_BIND, C, B), FFA_RET_OK);
	assert_int_equal(notif(c, FFA_NOTIFICATION_SET, C, B), FFA_RET_OK);
	/* MSG and NOTIFY are separate: b cannot message c, a can. */
	assert_int_equal(try_req(b, FFA_MSG_SEND_DIRECT_REQ_32, C), FFA_RET_DENIED);
	assert_int_equal(try_req(a, FFA_MSG_SEND_DIRECT_REQ_32, C), 0);
}

/* Memory: the owner's policy toward an SP, both policies between VMs, and
 * no vm_to_vm needed for VMs. */
static void memory_paths(void **state)
{
	(void)state;
	const struct ffamed_peer_rights pa[] = {{FIX_SP_ECHO_MP, FFAMED_RIGHT_MEM}};
	const struct ffamed_vm_policy pol_a = {.sp_default = FFAMED_RIGHT_MSG,
					       .vm_default = FFAMED_RIGHT_MSG,
					       .peers = pa,
					       .peer_count = 1};
	const struct ffamed_vm_policy mem_only = {.vm_default = FFAMED_RIGHT_MEM};
	static const uint32_t fids[] = {FFA_MEM_SHARE_32, FFA_MEM_SHARE_64, FFA_MEM_LEND_32,
					FFA_MEM_LEND_64};
	uint64_t pins;

	fix = make(false);
	a = vm_with(A, 1, &pol_a, FFA_VERSION_1_2);
	b = vm_with(B, 1, &mem_only, FFA_VERSION_1_2);
	c = vm_with(C, 1, &mem_only, FFA_VERSION_1_1);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(mem(a, fids[i], FIX_SP_ECHO), FFA_RET_DENIED);
		assert_int_equal(mem(a, fids[i], B), FFA_RET_DENIED);
		assert_int_equal(mem(b, fids[i], A), FFA_RET_DENIED);
		assert_int_equal(mem(b, fids[i], FIX_SP_ECHO), FFA_RET_DENIED);
		assert_int_equal(mem(a, fids[i], FIX_SP_ECHO_MP), FFA_RET_OK);
		assert_int_equal(mem(b, fids[i], C), FFA_RET_OK);
	}
	/* Donation too (refused, so nothing to take back); nothing pinned
	 * beyond the mailbox. */
	pins = fix_vm_pins(a);
	assert_int_equal(mem(a, FFA_MEM_DONATE_64, FIX_SP_ECHO), FFA_RET_DENIED);
	assert_int_equal(mem(a, FFA_MEM_DONATE_32, B), FFA_RET_DENIED);
	assert_int_equal(fix_vm_revoked_pages(a) + fix_vm_revoked_pages(b), 0);
	assert_int_equal(fix_vm_pins(a), pins);
	assert_int_equal(pins, 2);
}

/* What discovery shows of a VM follows the rights: MSG gives the direct
 * bits (with a blocking port) and the indirect bit, NOTIFY the
 * notification bit; the peer's version limits both. */
static void discovery_bits(void **state)
{
	(void)state;
	const struct ffamed_peer_rights pa[] = {{FIX_SP_ECHO, 0},	{FIX_SP_OPTEE, 0},
						{B, FFAMED_RIGHT_MSG},	{C, FFAMED_RIGHT_NOTIFY},
						{4, FFAMED_RIGHTS_ALL}, {5, FFAMED_RIGHT_MEM}};
	const struct ffamed_vm_policy pol_a = {
		.sp_default = FFAMED_RIGHT_MEM, .peers = pa, .peer_count = 6};
	struct fix_vm *d, *e, *f;
	struct seen s;

	fix = make(true);
	a = vm_with(A, 1, &pol_a, FFA_VERSION_1_2);
	b = vm_with(B, 1, NULL, FFA_VERSION_1_2);
	c = vm_with(C, 1, NULL, FFA_VERSION_1_2);
	d = vm_with(4, 1, NULL, FFA_VERSION_1_1);
	e = vm_with(5, 1, NULL, FFA_VERSION_1_2);
	f = vm_with(6, 1, NULL, FFA_VERSION_1_2); /* a grants it nothing */
	discover(a, &s);
	assert_int_equal(s.count, 2 + 4);
	assert_true(listed(&s, FIX_SP_VMWATCH) >= 0 && listed(&s, FIX_SP_ECHO_MP) >= 0);
	assert_true(listed(&s, FIX_SP_ECHO) < 0 && listed(&s, FIX_SP_OPTEE) < 0);
	assert_true(listed(&s, 6) < 0);
	assert_int_equal(listed(&s, B) & VM_MSG_MASK, VM_MSG_PROPS);
	assert_int_equal(listed(&s, C) & VM_MSG_MASK, FFA_PART_PROP_NOTIFICATIONS);
	/* A v1.1 peer: no REQ2 bits. */
	assert_int_equal(listed(&s, 4) & VM_MSG_MASK,
			 FFA_PART_PROP_DIRECT_REQ_RECV | FFA_PART_PROP_DIRECT_REQ_SEND |
				 FFA_PART_PROP_INDIRECT_MSG | FFA_PART_PROP_NOTIFICATIONS);
	assert_int_equal(listed(&s, 5) & VM_MSG_MASK, 0);
	/* A UUID query finds only the reachable SPs with it: OP-TEE's none. */
	{
		const struct ffa_uuid echo = FFAMED_SP_ECHO_UUID, optee = FFAMED_SP_OPTEE_UUID;
		struct ffamed_regs r;

		r = fix_call(a, 0, FFA_PARTITION_INFO_GET, ffa_uuid_w(&echo, 0),
			     ffa_uuid_w(&echo, 1), ffa_uuid_w(&echo, 2), ffa_uuid_w(&echo, 3),
			     FFA_PARTITION_INFO_GET_COUNT_FLAG);
		assert_ffa_success(r);
		assert_int_equal(r.x[2], 1); /* the MP echo, not the UP one */
		r = fix_call(a, 0, FFA_PARTITION_INFO_GET, ffa_uuid_w(&optee, 0),
			     ffa_uuid_w(&optee, 1), ffa_uuid_w(&optee, 2), ffa_uuid_w(&optee, 3),
			     FFA_PARTITION_INFO_GET_COUNT_FLAG);
		assert_ffa_error(r, FFA_RET_INVALID_PARAMETERS);
	}
	/* The others see a only if they hold a right to it. */
	discover(f, &s);
	assert_true(listed(&s, A) < 0);
	assert_int_equal(listed(&s, B) & VM_MSG_MASK, VM_MSG_PROPS | FFA_PART_PROP_NOTIFICATIONS);
	discover(b, &s);
	assert_int_equal(listed(&s, A) & VM_MSG_MASK, VM_MSG_PROPS);
	fix_vm_destroy(d);
	fix_vm_destroy(e);
	fix_vm_destroy(f);
}

/* Without a blocking port, a VM's MSG right shows no direct bits. */
static void discovery_without_blocking(void **state)
{
	(void)state;
	struct fix_opts o = {.med_cfg = {.vm_to_vm = true}};
	struct seen s;

	fix = fix_create(&o);
	a = vm_with(A, 1, NULL, FFA_VERSION_1_2);
	b = vm_with(B, 1, NULL, FFA_VERSION_1_2);
	discover(a, &s);
	assert_int_equal(listed(&s, B) & VM_MSG_MASK,
			 FFA_PART_PROP_INDIRECT_MSG | FFA_PART_PROP_NOTIFICATIONS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(null_default, teardown),
		cmocka_unit_test_teardown(invalid_policies, teardown),
		cmocka_unit_test_teardown(overrides, teardown),
		cmocka_unit_test_teardown(both_sides, teardown),
		cmocka_unit_test_teardown(notification_paths, teardown),
		cmocka_unit_test_teardown(memory_paths, teardown),
		cmocka_unit_test_teardown(discovery_bits, teardown),
		cmocka_unit_test_teardown(discovery_without_blocking, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
