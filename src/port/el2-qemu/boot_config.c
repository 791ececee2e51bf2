/* SPDX-License-Identifier: MIT */
/*
 * The boot configuration's parser and checks (format in boot_config.h).
 * Statements are checked as they come (numbers, ranges, IDs), then the
 * whole (overlaps, allow rules naming declared VMs) once every vm line is
 * known, so that the order of lines does not matter.
 */
#include <string.h>

#include "boot_config.h"

#define LINE_MAX_CHARS 255
#define MAX_TOKENS     12

struct tok {
	const char *s;
	size_t n;
};

static bool tok_is(const struct tok *t, const char *word)
{
	size_t n = 0;

	while (word[n])
		n++;
	return t->n == n && memcmp(t->s, word, n) == 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A decimal or 0x-hex number of at most 64 bits, the whole token. */
static bool parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0, base = 10;
	size_t i = 0;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == n)
		return false;
	for (; i < n; i++) {
		int d = hex_digit(s[i]);
		if (d < 0 || (uint64_t)d >= base)
			return false;
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return false;
		v = v * base + (uint64_t)d;
	}
	*out = v;
	return true;
}

static bool tok_u64(const struct tok *t, uint64_t *out)
{
	return parse_u64(t->s, t->n, out);
}

/* 8-4-4-4-12 hex digits; the nil UUID is refused (FF-A discovery reads
 * it as "every partition"). */
static bool parse_uuid(const struct tok *t, uint8_t uuid[16])
{
	static const size_t dash[] = {8, 13, 18, 23};
	size_t d = 0, nib = 0;
	uint8_t any = 0;

	if (t->n != 36)
		return false;
	memset(uuid, 0, 16);
	for (size_t i = 0; i < 36; i++) {
		if (d < 4 && i == dash[d]) {
			if (t->s[i] != '-')
				return false;
			d++;
			continue;
		}
		int h = hex_digit(t->s[i]);
		if (h < 0)
			return false;
		uuid[nib / 2] |= (uint8_t)(nib % 2 ? h : h << 4);
		any |= (uint8_t)h;
		nib++;
	}
	return any != 0;
}

static bool parse_rights(const struct tok *t, uint32_t *rights)
{
	size_t i = 0;

	*rights = 0;
	while (i < t->n) {
		struct tok w = {t->s + i, 0};
		while (i < t->n && t->s[i] != ',') {
			i++;
			w.n++;
		}
		if (tok_is(&w, "msg"))
			*rights |= FFAMED_RIGHT_MSG;
		else if (tok_is(&w, "notify"))
			*rights |= FFAMED_RIGHT_NOTIFY;
		else if (tok_is(&w, "mem"))
			*rights |= FFAMED_RIGHT_MEM;
		else if (tok_is(&w, "all"))
			*rights |= FFAMED_RIGHTS_ALL;
		else
			return false;
		if (i < t->n) {
			i++; /* the comma; a trailing one leaves an empty word */
			if (i == t->n)
				return false;
		}
	}
	return *rights != 0;
}

static bool fail(struct boot_cfg_status *st, enum boot_cfg_error e, uint32_t line)
{
	st->error = e;
	st->line = line;
	return false;
}

static bool vm_id_ok(uint64_t id)
{
	return id >= 1 && id <= 0x7fff;
}

/* vm <id> cpus <a>[-<b>] ram <base> <size> [uuid <u>] */
static enum boot_cfg_error parse_vm(const struct tok *t, size_t nt,
				    const struct boot_cfg_limits *lim, struct boot_cfg *cfg)
{
	struct boot_cfg_vm vm;
	uint64_t id, first, last, base, size;
	bool have_cpus = false, have_ram = false;
	size_t i = 2;

	memset(&vm, 0, sizeof(vm));
	if (nt < 2)
		return BOOT_CFG_E_MISSING;
	if (!tok_u64(&t[1], &id))
		return BOOT_CFG_E_NUMBER;
	if (!vm_id_ok(id))
		return BOOT_CFG_E_VM_ID;
	vm.ffa_id = (uint16_t)id;
	while (i < nt) {
		if (tok_is(&t[i], "cpus") && !have_cpus) {
			const struct tok *r;
			size_t dash = 0;
			if (i + 1 >= nt)
				return BOOT_CFG_E_MISSING;
			r = &t[i + 1];
			while (dash < r->n && r->s[dash] != '-')
				dash++;
			if (!parse_u64(r->s, dash, &first))
				return BOOT_CFG_E_NUMBER;
			last = first;
			if (dash < r->n && !parse_u64(r->s + dash + 1, r->n - dash - 1, &last))
				return BOOT_CFG_E_NUMBER;
			if (last < first || last >= lim->ncpus)
				return BOOT_CFG_E_CPUS;
			vm.first_cpu = (uint32_t)first;
			vm.vcpu_count = (uint16_t)(last - first + 1);
			have_cpus = true;
			i += 2;
		} else if (tok_is(&t[i], "ram") && !have_ram) {
			if (i + 2 >= nt)
				return BOOT_CFG_E_MISSING;
			if (!tok_u64(&t[i + 1], &base) || !tok_u64(&t[i + 2], &size))
				return BOOT_CFG_E_NUMBER;
			if (!size || (base | size) & (BOOT_CFG_RAM_ALIGN - 1) ||
			    base < lim->ram_base || base > lim->ram_end ||
			    size > lim->ram_end - base)
				return BOOT_CFG_E_RAM;
			vm.ram_base = base;
			vm.ram_size = size;
			have_ram = true;
			i += 3;
		} else if (tok_is(&t[i], "uuid") && !vm.has_uuid) {
			if (i + 1 >= nt)
				return BOOT_CFG_E_MISSING;
			if (!parse_uuid(&t[i + 1], vm.uuid))
				return BOOT_CFG_E_UUID;
			vm.has_uuid = true;
			i += 2;
		} else {
			return BOOT_CFG_E_KEYWORD; /* unknown, or given twice */
		}
	}
	if (!have_cpus || !have_ram)
		return BOOT_CFG_E_MISSING;
	for (uint32_t v = 0; v < cfg->vm_count; v++)
		if (cfg->vms[v].ffa_id == vm.ffa_id)
			return BOOT_CFG_E_VM_DUP;
	if (cfg->vm_count == BOOT_CFG_MAX_VMS)
		return BOOT_CFG_E_TOO_MANY_VMS;
	cfg->vms[cfg->vm_count++] = vm;
	return BOOT_CFG_OK;
}

static enum boot_cfg_error parse_allow(const struct tok *t, size_t nt, uint32_t line,
				       struct boot_cfg *cfg)
{
	struct boot_cfg_rule r;
	uint64_t a, b;

	if (nt < 4)
		return BOOT_CFG_E_MISSING;
	if (nt > 4)
		return BOOT_CFG_E_EXTRA;
	if (!tok_u64(&t[1], &a) || !tok_u64(&t[2], &b))
		return BOOT_CFG_E_NUMBER;
	if (!vm_id_ok(a) || !vm_id_ok(b))
		return BOOT_CFG_E_VM_ID;
	if (a == b)
		return BOOT_CFG_E_ALLOW_SELF;
	if (!parse_rights(&t[3], &r.rights))
		return BOOT_CFG_E_RIGHTS;
	if (cfg->rule_count == BOOT_CFG_MAX_RULES)
		return BOOT_CFG_E_TOO_MANY_RULES;
	r.a = (uint16_t)a;
	r.b = (uint16_t)b;
	r.line = line;
	cfg->rules[cfg->rule_count++] = r;
	return BOOT_CFG_OK;
}

static enum boot_cfg_error parse_line(const struct tok *t, size_t nt, uint32_t line,
				      const struct boot_cfg_limits *lim, struct boot_cfg *cfg,
				      bool *seen_vm_to_vm)
{
	if (tok_is(&t[0], "vm"))
		return parse_vm(t, nt, lim, cfg);
	if (tok_is(&t[0], "allow"))
		return parse_allow(t, nt, line, cfg);
	if (tok_is(&t[0], "vm_to_vm")) {
		if (nt < 2)
			return BOOT_CFG_E_MISSING;
		if (nt > 2)
			return BOOT_CFG_E_EXTRA;
		if (*seen_vm_to_vm)
			return BOOT_CFG_E_DUP_SETTING;
		if (tok_is(&t[1], "on"))
			cfg->vm_to_vm = true;
		else if (tok_is(&t[1], "off"))
			cfg->vm_to_vm = false;
		else
			return BOOT_CFG_E_VALUE;
		*seen_vm_to_vm = true;
		return BOOT_CFG_OK;
	}
	return BOOT_CFG_E_KEYWORD;
}

static bool find_vm(const struct boot_cfg *cfg, uint16_t id)
{
	for (uint32_t v = 0; v < cfg->vm_count; v++)
		if (cfg->vms[v].ffa_id == id)
			return true;
	return false;
}

/* The checks that need every vm line. Lines of vm statements are not
 * kept: an overlap is reported for the file (line 0) with its kind. */
static bool check_whole(const struct boot_cfg *cfg, struct boot_cfg_status *st)
{
	if (!cfg->vm_count)
		return fail(st, BOOT_CFG_E_NO_VM, 0);
	for (uint32_t i = 0; i < cfg->vm_count; i++) {
		const struct boot_cfg_vm *a = &cfg->vms[i];
		for (uint32_t j = i + 1; j < cfg->vm_count; j++) {
			const struct boot_cfg_vm *b = &cfg->vms[j];
			if (a->first_cpu < b->first_cpu + b->vcpu_count &&
			    b->first_cpu < a->first_cpu + a->vcpu_count)
				return fail(st, BOOT_CFG_E_CPU_SHARED, 0);
			if (a->ram_base < b->ram_base + b->ram_size &&
			    b->ram_base < a->ram_base + a->ram_size)
				return fail(st, BOOT_CFG_E_RAM_SHARED, 0);
		}
	}
	for (uint32_t r = 0; r < cfg->rule_count; r++)
		if (!find_vm(cfg, cfg->rules[r].a) || !find_vm(cfg, cfg->rules[r].b))
			return fail(st, BOOT_CFG_E_ALLOW_UNKNOWN, cfg->rules[r].line);
	return true;
}

bool boot_cfg_parse(const char *text, size_t len, const struct boot_cfg_limits *lim,
		    struct boot_cfg *out, struct boot_cfg_status *st)
{
	bool seen_vm_to_vm = false;
	uint32_t line = 0;
	size_t pos = 0;

	memset(out, 0, sizeof(*out));
	st->error = BOOT_CFG_OK;
	st->line = 0;
	while (pos < len && text[pos]) {
		struct tok t[MAX_TOKENS];
		size_t start = pos, nt = 0;
		bool too_many = false;

		line++;
		while (pos < len && text[pos] && text[pos] != '\n')
			pos++;
		if (pos - start > LINE_MAX_CHARS)
			return fail(st, BOOT_CFG_E_LINE_LONG, line);
		for (size_t i = start; i < pos;) {
			char c = text[i];
			if (c == '#')
				break;
			if (c == ' ' || c == '\t' || c == '\r') {
				i++;
				continue;
			}
			size_t s = i;
			while (i < pos && text[i] != ' ' && text[i] != '\t' && text[i] != '\r' &&
			       text[i] != '#')
				i++;
			if (nt == MAX_TOKENS) {
				too_many = true;
				break;
			}
			t[nt].s = text + s;
			t[nt].n = i - s;
			nt++;
		}
		if (pos < len && text[pos] == '\n')
			pos++;
		if (too_many)
			return fail(st, BOOT_CFG_E_EXTRA, line);
		if (!nt)
			continue;
		enum boot_cfg_error e = parse_line(t, nt, line, lim, out, &seen_vm_to_vm);
		if (e != BOOT_CFG_OK)
			return fail(st, e, line);
	}
	return check_whole(out, st);
}

const char *boot_cfg_error_text(enum boot_cfg_error e)
{
	switch (e) {
	case BOOT_CFG_OK:
		return "no error";
	case BOOT_CFG_E_KEYWORD:
		return "unknown statement or option, or an option given twice";
	case BOOT_CFG_E_NUMBER:
		return "not a number (decimal or 0x-hex, 64 bits)";
	case BOOT_CFG_E_MISSING:
		return "incomplete statement (a vm needs cpus and ram)";
	case BOOT_CFG_E_EXTRA:
		return "unexpected words after the statement";
	case BOOT_CFG_E_LINE_LONG:
		return "line longer than 255 characters";
	case BOOT_CFG_E_VM_ID:
		return "VM ID not in 1..0x7fff";
	case BOOT_CFG_E_VM_DUP:
		return "VM ID declared twice";
	case BOOT_CFG_E_TOO_MANY_VMS:
		return "too many VMs";
	case BOOT_CFG_E_CPUS:
		return "CPU range empty or past the machine's CPUs";
	case BOOT_CFG_E_CPU_SHARED:
		return "a CPU is given to two VMs";
	case BOOT_CFG_E_RAM:
		return "RAM not 2 MiB aligned, empty, or outside the guests' RAM";
	case BOOT_CFG_E_RAM_SHARED:
		return "the RAM of two VMs overlaps";
	case BOOT_CFG_E_UUID:
		return "UUID malformed (8-4-4-4-12 hex digits) or nil";
	case BOOT_CFG_E_VALUE:
		return "vm_to_vm must be on or off";
	case BOOT_CFG_E_DUP_SETTING:
		return "vm_to_vm given twice";
	case BOOT_CFG_E_RIGHTS:
		return "rights must be msg, notify, mem or all, comma-separated";
	case BOOT_CFG_E_ALLOW_SELF:
		return "allow between a VM and itself";
	case BOOT_CFG_E_ALLOW_UNKNOWN:
		return "allow names a VM no vm line declares";
	case BOOT_CFG_E_TOO_MANY_RULES:
		return "too many allow rules";
	case BOOT_CFG_E_NO_VM:
		return "no vm declared";
	}
	return "unknown error";
}

void boot_cfg_policy(const struct boot_cfg *cfg, uint32_t vm, struct ffamed_peer_rights *peers,
		     struct ffamed_vm_policy *policy)
{
	uint16_t self = cfg->vms[vm].ffa_id;
	uint32_t n = 0;

	for (uint32_t r = 0; r < cfg->rule_count; r++) {
		const struct boot_cfg_rule *rule = &cfg->rules[r];
		uint16_t peer;
		uint32_t k;

		if (rule->a == self)
			peer = rule->b;
		else if (rule->b == self)
			peer = rule->a;
		else
			continue;
		/* Two rules for one pair add up. */
		for (k = 0; k < n && peers[k].peer != peer; k++)
			;
		if (k == n) {
			peers[n].peer = peer;
			peers[n].rights = 0;
			n++;
		}
		peers[k].rights |= rule->rights;
	}
	policy->sp_default = FFAMED_POLICY_DEFAULT_SP;
	policy->vm_default = FFAMED_POLICY_DEFAULT_VM;
	policy->peers = n ? peers : NULL;
	policy->peer_count = n;
}
