/* SPDX-License-Identifier: MIT */
/*
 * The EL2 port's boot configuration (src/port/el2-qemu/boot_config.c): the
 * two-guest configuration the multi-guest e2e uses, the policy each VM
 * gets from it, and every kind of bad input with the line it is reported
 * on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "port/el2-qemu/boot_config.h"

static const struct boot_cfg_limits limits = {
	.ncpus = 4, .ram_base = 0x40000000, .ram_end = 0x5E000000};

#define UUID1 "6b1c2f4e-0d9a-4c3b-8e21-7f5a90c1d001"
#define UUID2 "6b1c2f4e-0d9a-4c3b-8e21-7f5a90c1d002"

static struct boot_cfg cfg;
static struct boot_cfg_status st;

static bool parse(const char *text)
{
	return boot_cfg_parse(text, strlen(text), &limits, &cfg, &st);
}

/* The configuration fails with `e` on `line`. */
static void expect_error(const char *text, enum boot_cfg_error e, uint32_t line)
{
	assert_false(parse(text));
	assert_int_equal(st.error, e);
	assert_int_equal(st.line, line);
	assert_non_null(boot_cfg_error_text(e));
	assert_string_not_equal(boot_cfg_error_text(e), "unknown error");
}

static void test_two_guests(void **state)
{
	static const uint8_t uuid2[16] = {0x6b, 0x1c, 0x2f, 0x4e, 0x0d, 0x9a, 0x4c, 0x3b,
					  0x8e, 0x21, 0x7f, 0x5a, 0x90, 0xc1, 0xd0, 0x02};

	(void)state;
	assert_true(parse("# two guests\n"
			  "vm_to_vm on\n"
			  "vm 1 cpus 0-1 ram 0x40000000 0x0f000000 uuid " UUID1 "\n"
			  "\n"
			  "vm 2 cpus 2-3 ram 0x4f000000 0x0f000000 uuid " UUID2 "  # the second\n"
			  "allow 1 2 msg,notify\n"));
	assert_int_equal(st.error, BOOT_CFG_OK);
	assert_true(cfg.vm_to_vm);
	assert_int_equal(cfg.vm_count, 2);
	assert_int_equal(cfg.vms[0].ffa_id, 1);
	assert_int_equal(cfg.vms[0].first_cpu, 0);
	assert_int_equal(cfg.vms[0].vcpu_count, 2);
	assert_int_equal(cfg.vms[1].ffa_id, 2);
	assert_int_equal(cfg.vms[1].first_cpu, 2);
	assert_int_equal(cfg.vms[1].vcpu_count, 2);
	assert_int_equal(cfg.vms[1].ram_base, 0x4f000000);
	assert_int_equal(cfg.vms[1].ram_size, 0x0f000000);
	assert_true(cfg.vms[1].has_uuid);
	assert_memory_equal(cfg.vms[1].uuid, uuid2, 16);
	assert_int_equal(cfg.rule_count, 1);
	assert_int_equal(cfg.rules[0].rights, FFAMED_RIGHT_MSG | FFAMED_RIGHT_NOTIFY);
}

static void test_defaults_and_single_cpu(void **state)
{
	(void)state;
	assert_true(parse("vm 7 cpus 3 ram 1073741824 2097152"));
	assert_false(cfg.vm_to_vm);
	assert_int_equal(cfg.vms[0].ffa_id, 7);
	assert_int_equal(cfg.vms[0].first_cpu, 3);
	assert_int_equal(cfg.vms[0].vcpu_count, 1);
	assert_false(cfg.vms[0].has_uuid);
	assert_int_equal(cfg.rule_count, 0);
	/* Options in any order; CRLF line ends; the text stops at a NUL. */
	assert_true(parse("vm 1 uuid " UUID1 " ram 0x40000000 0x200000 cpus 0-0\r\n"
			  "vm_to_vm off\r\n\0vm garbage"));
	assert_int_equal(cfg.vm_count, 1);
}

static void test_policy_per_vm(void **state)
{
	struct ffamed_peer_rights peers[BOOT_CFG_MAX_RULES];
	struct ffamed_vm_policy pol;

	(void)state;
	assert_true(parse("vm_to_vm on\n"
			  "vm 1 cpus 0 ram 0x40000000 0x200000\n"
			  "vm 2 cpus 1 ram 0x40200000 0x200000\n"
			  "vm 3 cpus 2 ram 0x40400000 0x200000\n"
			  "allow 1 2 msg\n"
			  "allow 2 1 mem\n"
			  "allow 3 1 all\n"));
	boot_cfg_policy(&cfg, 0, peers, &pol);
	assert_int_equal(pol.sp_default, FFAMED_POLICY_DEFAULT_SP);
	assert_int_equal(pol.vm_default, 0);
	assert_int_equal(pol.peer_count, 2);
	assert_ptr_equal(pol.peers, peers);
	assert_int_equal(peers[0].peer, 2);
	assert_int_equal(peers[0].rights, FFAMED_RIGHT_MSG | FFAMED_RIGHT_MEM);
	assert_int_equal(peers[1].peer, 3);
	assert_int_equal(peers[1].rights, FFAMED_RIGHTS_ALL);
	/* VM 2 and VM 3 have no rule between them: neither lists the other. */
	boot_cfg_policy(&cfg, 1, peers, &pol);
	assert_int_equal(pol.peer_count, 1);
	assert_int_equal(peers[0].peer, 1);
	assert_int_equal(peers[0].rights, FFAMED_RIGHT_MSG | FFAMED_RIGHT_MEM);
	boot_cfg_policy(&cfg, 2, peers, &pol);
	assert_int_equal(pol.peer_count, 1);
	assert_int_equal(peers[0].peer, 1);
}

static void test_no_rule_no_peers(void **state)
{
	struct ffamed_peer_rights peers[BOOT_CFG_MAX_RULES];
	struct ffamed_vm_policy pol;

	(void)state;
	assert_true(parse("vm 1 cpus 0 ram 0x40000000 0x200000\n"));
	boot_cfg_policy(&cfg, 0, peers, &pol);
	assert_int_equal(pol.peer_count, 0);
	assert_null(pol.peers);
}

static void test_bad_syntax(void **state)
{
	(void)state;
	expect_error("", BOOT_CFG_E_NO_VM, 0);
	expect_error("# only a comment\n\n", BOOT_CFG_E_NO_VM, 0);
	expect_error("vm 1 cpus 0 ram 0x40000000 0x200000\nguest 2\n", BOOT_CFG_E_KEYWORD, 2);
	expect_error("vm 1 cpus 0 ram 0x40000000 0x200000 colour red\n", BOOT_CFG_E_KEYWORD, 1);
	expect_error("vm 1 cpus 0 cpus 1 ram 0x40000000 0x200000\n", BOOT_CFG_E_KEYWORD, 1);
	expect_error("vm one cpus 0 ram 0x40000000 0x200000\n", BOOT_CFG_E_NUMBER, 1);
	expect_error("vm 1 cpus 0 ram 0x4000000g 0x200000\n", BOOT_CFG_E_NUMBER, 1);
	expect_error("vm 1 cpus 0 ram 0x 0x200000\n", BOOT_CFG_E_NUMBER, 1);
	expect_error("vm 1 cpus 0 ram 99999999999999999999 0x200000\n", BOOT_CFG_E_NUMBER, 1);
	expect_error("vm 1 cpus -1 ram 0x40000000 0x200000\n", BOOT_CFG_E_NUMBER, 1);
	expect_error("vm 1 cpus 0- ram 0x40000000 0x200000\n", BOOT_CFG_E_NUMBER, 1);
	expect_error("vm 1 cpus 0 ram 0x40000000\n", BOOT_CFG_E_MISSING, 1);
	expect_error("vm 1 cpus 0\n", BOOT_CFG_E_MISSING, 1);
	expect_error("vm 1 ram 0x40000000 0x200000\n", BOOT_CFG_E_MISSING, 1);
	expect_error("vm\n", BOOT_CFG_E_MISSING, 1);
	expect_error("vm 1 cpus 0 ram 0x40000000 0x200000 uuid\n", BOOT_CFG_E_MISSING, 1);
	expect_error("vm 1 cpus 0 ram 0x40000000 0x200000\nvm_to_vm on off\n", BOOT_CFG_E_EXTRA, 2);
	expect_error("vm 1 cpus 0 ram 0x40000000 0x200000\nvm_to_vm\n", BOOT_CFG_E_MISSING, 2);
	expect_error("vm 1 cpus 0 ram 0x40000000 0x200000\nvm_to_vm yes\n", BOOT_CFG_E_VALUE, 2);
	expect_error("vm_to_vm on\nvm_to_vm off\n", BOOT_CFG_E_DUP_SETTING, 2);
	expect_error("a b c d e f g h i j k l m\n", BOOT_CFG_E_EXTRA, 1);
}

static void test_long_line(void **state)
{
	char text[300];

	(void)state;
	memset(text, ' ', sizeof(text));
	memcpy(text + 280, "# end", 5);
	text[sizeof(text) - 1] = '\0';
	expect_error(text, BOOT_CFG_E_LINE_LONG, 1);
}

static void test_bad_vms(void **state)
{
	(void)state;
	expect_error("vm 0 cpus 0 ram 0x40000000 0x200000\n", BOOT_CFG_E_VM_ID, 1);
	expect_error("vm 0x8000 cpus 0 ram 0x40000000 0x200000\n", BOOT_CFG_E_VM_ID, 1);
	expect_error("vm 1 cpus 0 ram 0x40000000 0x200000\n"
		     "vm 1 cpus 1 ram 0x40200000 0x200000\n",
		     BOOT_CFG_E_VM_DUP, 2);
	expect_error("vm 1 cpus 0 ram 0x40000000 0x200000\n"
		     "vm 2 cpus 1 ram 0x40200000 0x200000\n"
		     "vm 3 cpus 2 ram 0x40400000 0x200000\n"
		     "vm 4 cpus 3 ram 0x40600000 0x200000\n"
		     "vm 5 cpus 3 ram 0x40800000 0x200000\n",
		     BOOT_CFG_E_TOO_MANY_VMS, 5);
	expect_error("vm 1 cpus 4 ram 0x40000000 0x200000\n", BOOT_CFG_E_CPUS, 1);
	expect_error("vm 1 cpus 2-1 ram 0x40000000 0x200000\n", BOOT_CFG_E_CPUS, 1);
	expect_error("vm 1 cpus 0-1 ram 0x40000000 0x200000\n"
		     "vm 2 cpus 1-2 ram 0x40200000 0x200000\n",
		     BOOT_CFG_E_CPU_SHARED, 0);
}

static void test_bad_ram(void **state)
{
	(void)state;
	expect_error("vm 1 cpus 0 ram 0x40100000 0x200000\n", BOOT_CFG_E_RAM, 1);
	expect_error("vm 1 cpus 0 ram 0x40000000 0x100000\n", BOOT_CFG_E_RAM, 1);
	expect_error("vm 1 cpus 0 ram 0x40000000 0\n", BOOT_CFG_E_RAM, 1);
	expect_error("vm 1 cpus 0 ram 0x3fe00000 0x400000\n", BOOT_CFG_E_RAM, 1);
	/* Into the hypervisor's RAM, and a size that wraps around. */
	expect_error("vm 1 cpus 0 ram 0x5de00000 0x400000\n", BOOT_CFG_E_RAM, 1);
	expect_error("vm 1 cpus 0 ram 0x40000000 0xffffffffffe00000\n", BOOT_CFG_E_RAM, 1);
	expect_error("vm 1 cpus 0 ram 0x40000000 0x400000\n"
		     "vm 2 cpus 1 ram 0x40200000 0x400000\n",
		     BOOT_CFG_E_RAM_SHARED, 0);
	/* The last 2 MiB below the hypervisor is fine. */
	assert_true(parse("vm 1 cpus 0 ram 0x5de00000 0x200000\n"));
}

static void test_bad_uuids(void **state)
{
	(void)state;
	expect_error("vm 1 cpus 0 ram 0x40000000 0x200000 uuid 1234\n", BOOT_CFG_E_UUID, 1);
	expect_error("vm 1 cpus 0 ram 0x40000000 0x200000 uuid "
		     "6b1c2f4e00d9a-4c3b-8e21-7f5a90c1d001\n",
		     BOOT_CFG_E_UUID, 1);
	expect_error("vm 1 cpus 0 ram 0x40000000 0x200000 uuid "
		     "6b1c2f4e-0d9a-4c3b-8e21-7f5a90c1d00z\n",
		     BOOT_CFG_E_UUID, 1);
	expect_error("vm 1 cpus 0 ram 0x40000000 0x200000 uuid "
		     "00000000-0000-0000-0000-000000000000\n",
		     BOOT_CFG_E_UUID, 1);
	/* VMs may share a UUID: a service several VMs offer each other
	 * (docs/MESSAGING.md, "VMs as partitions"). */
	assert_true(parse("vm 1 cpus 0 ram 0x40000000 0x200000 uuid " UUID1 "\n"
			  "vm 2 cpus 1 ram 0x40200000 0x200000 uuid " UUID1 "\n"));
	assert_memory_equal(cfg.vms[0].uuid, cfg.vms[1].uuid, 16);
}

static void test_bad_allow(void **state)
{
	(void)state;
	expect_error("vm 1 cpus 0 ram 0x40000000 0x200000\nallow 1 1 msg\n", BOOT_CFG_E_ALLOW_SELF,
		     2);
	expect_error("vm 1 cpus 0 ram 0x40000000 0x200000\nallow 1 2 msg\n",
		     BOOT_CFG_E_ALLOW_UNKNOWN, 2);
	expect_error("allow 1 2 talk\nvm 1 cpus 0 ram 0x40000000 0x200000\n", BOOT_CFG_E_RIGHTS, 1);
	expect_error("allow 1 2 msg,\n", BOOT_CFG_E_RIGHTS, 1);
	expect_error("allow 1 2 msg,,mem\n", BOOT_CFG_E_RIGHTS, 1);
	expect_error("allow 1 2\n", BOOT_CFG_E_MISSING, 1);
	expect_error("allow 1 2 msg mem\n", BOOT_CFG_E_EXTRA, 1);
	expect_error("allow 0 2 msg\n", BOOT_CFG_E_VM_ID, 1);
	/* A rule before the VMs it names is fine: order does not matter. */
	assert_true(parse("allow 2 1 notify\n"
			  "vm 1 cpus 0 ram 0x40000000 0x200000\n"
			  "vm 2 cpus 1 ram 0x40200000 0x200000\n"));
}

static void test_too_many_rules(void **state)
{
	char text[2048];
	size_t n = 0;

	(void)state;
	n += (size_t)snprintf(text + n, sizeof(text) - n,
			      "vm 1 cpus 0 ram 0x40000000 0x200000\n"
			      "vm 2 cpus 1 ram 0x40200000 0x200000\n");
	for (int i = 0; i <= BOOT_CFG_MAX_RULES; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "allow 1 2 msg\n");
	expect_error(text, BOOT_CFG_E_TOO_MANY_RULES, 3 + BOOT_CFG_MAX_RULES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_guests),
		cmocka_unit_test(test_defaults_and_single_cpu),
		cmocka_unit_test(test_policy_per_vm),
		cmocka_unit_test(test_no_rule_no_peers),
		cmocka_unit_test(test_bad_syntax),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_bad_vms),
		cmocka_unit_test(test_bad_ram),
		cmocka_unit_test(test_bad_uuids),
		cmocka_unit_test(test_bad_allow),
		cmocka_unit_test(test_too_many_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
