/* SPDX-License-Identifier: MIT */
/*
 * `ffamed script` parser: text to struct script_line, no system needed.
 * The grammar is in docs/SCRIPT.md. Every error names the line.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ffamed/ffa.h"
#include "ffamed/sim.h"
#include "script.h"

#define MAX_TOKENS 64
#define MAX_LINE   8192
/* A line with its $names replaced by values (each at most 18 characters). */
#define WORK_LEN ((size_t)2 * MAX_LINE)
/* vCPUs of one system: the sim's 64 CPUs less those it keeps for itself. */
#define SCRIPT_SIM_OWN_CPUS    4
#define SCRIPT_MAX_TOTAL_VCPUS (64 - SCRIPT_SIM_OWN_CPUS)

struct parser {
	struct script *s;
	const char *file; /* NULL: text from memory */
	unsigned lineno;
	char *err;
	size_t err_len;
	bool wide;	     /* `compare wide` in force */
	bool define;	     /* @names may be defined (not when a deferred line runs) */
	unsigned statements; /* statements so far, includes too */
	bool systems;	     /* a system line was seen */
	unsigned depth;	     /* include depth */
};

static int perr(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(p->err, p->err_len, "%s:%u: error: ", p->file ? p->file : "script", p->lineno);
	if (n < 0 || (size_t)n >= p->err_len)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->err_len - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- Names ------------------------------------------------------------------ */
static bool name_eq(const char *want, const char *name)
{
	if (strcasecmp(want, name) == 0)
		return true;
	/* Either spelling may drop the FFA_ prefix. */
	return strncasecmp(name, "FFA_", 4) == 0 && strcasecmp(want, name + 4) == 0;
}

bool script_fid_by_name(const char *name, uint32_t *fid)
{
	static const uint32_t bases[] = {0x84000000u, 0xC4000000u};

	for (size_t b = 0; b < 2; b++) {
		for (uint32_t n = FFA_FNUM_MIN; n <= FFA_FNUM_MAX; n++) {
			const char *known = ffamed_sim_fid_name(bases[b] | n);

			if (known && name_eq(name, known)) {
				*fid = bases[b] | n;
				return true;
			}
		}
	}
	/* Common aliases: the unsuffixed name of a _32 function. */
	static const struct {
		const char *alias;
		uint32_t fid;
	} aliases[] = {
		{"RXTX_MAP", FFA_RXTX_MAP_32},
		{"DIRECT_REQ_32", FFA_MSG_SEND_DIRECT_REQ_32},
		{"DIRECT_REQ_64", FFA_MSG_SEND_DIRECT_REQ_64},
		{"DIRECT_REQ2", FFA_MSG_SEND_DIRECT_REQ2},
		{"DIRECT_RESP_32", FFA_MSG_SEND_DIRECT_RESP_32},
		{"DIRECT_RESP_64", FFA_MSG_SEND_DIRECT_RESP_64},
		{"DIRECT_RESP2", FFA_MSG_SEND_DIRECT_RESP2},
	};
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		if (strcasecmp(name, aliases[i].alias) == 0) {
			*fid = aliases[i].fid;
			return true;
		}
	}
	return false;
}

bool script_error_by_name(const char *name, int32_t *err)
{
	for (int32_t e = 0; e >= FFA_RET_NOT_READY; e--) {
		const char *known = ffamed_sim_error_name(e);

		if (known && strcasecmp(name, known) == 0) {
			*err = e;
			return true;
		}
	}
	return false;
}

/* ---- Values ------------------------------------------------------------------ */
static bool parse_number(const char *s, uint64_t *v)
{
	char *end = NULL;
	bool neg = false;

	if (*s == '-') {
		neg = true;
		s++;
	}
	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	*v = strtoull(s, &end, 0);
	if (errno || *end)
		return false;
	if (neg)
		*v = (uint64_t)0 - *v;
	return true;
}

/* One term: a number, a named constant, a function ID, an error code, or
 * A:B (A << 16 | B: sender:receiver, endpoint:vCPU). */
static bool parse_term(const char *s, uint64_t *v)
{
	static const struct {
		const char *name;
		uint64_t value;
	} consts[] = {
		{"RAM", FFAMED_POSIX_RAM_BASE},
		{"RX_IPA", FFAMED_SIM_RX_IPA},
		{"TX_IPA", FFAMED_SIM_TX_IPA},
		{"PAGE", FFA_PAGE_SIZE},
		{"ECHO", FFAMED_SIM_ECHO_ID},
		{"VMWATCH", FFAMED_SIM_VMWATCH_ID},
		{"OPTEE", FFAMED_SIM_OPTEE_ID},
		{"MEMSP", FFAMED_SIM_MEMSP_ID},
		{"WINDOW", FFAMED_POSIX_WINDOW_BASE},
		{"SVE_HINT", FFA_SMCCC_SVE_HINT},
		{"V1_0", FFA_VERSION_1_0},
		{"V1_1", FFA_VERSION_1_1},
		{"V1_2", FFA_VERSION_1_2},
		{"V1_3", FFA_VERSION_1_3},
		{"ECHO_WHOAMI", FFAMED_ECHO_CMD_WHOAMI},
		{"ECHO_INTERRUPT", FFAMED_ECHO_CMD_INTERRUPT},
		{"ECHO_YIELD", FFAMED_ECHO_CMD_YIELD},
		{"ECHO_NOTIF_SET", FFAMED_ECHO_CMD_NOTIF_SET},
		{"ECHO_NOTIF_GET", FFAMED_ECHO_CMD_NOTIF_GET},
		{"ECHO_NOTIF_BIND", FFAMED_ECHO_CMD_NOTIF_BIND},
		{"ECHO_NOTIF_UNBIND", FFAMED_ECHO_CMD_NOTIF_UNBIND},
	};
	const char *colon = strchr(s, ':');
	uint32_t fid;
	int32_t err;

	if (colon) {
		char left[32];
		uint64_t a, b;
		size_t n = (size_t)(colon - s);

		if (n == 0 || n >= sizeof(left))
			return false;
		memcpy(left, s, n);
		left[n] = '\0';
		if (!parse_term(left, &a) || !parse_term(colon + 1, &b) || a > 0xFFFF || b > 0xFFFF)
			return false;
		*v = (a << 16) | b;
		return true;
	}
	if (parse_number(s, v))
		return true;
	for (size_t i = 0; i < sizeof(consts) / sizeof(consts[0]); i++) {
		if (strcasecmp(s, consts[i].name) == 0) {
			*v = consts[i].value;
			return true;
		}
	}
	if (script_fid_by_name(s, &fid)) {
		*v = fid;
		return true;
	}
	if (script_error_by_name(s, &err)) {
		*v = (uint32_t)err; /* w2 is zero-extended */
		return true;
	}
	return false;
}

/* term (('+' | '-' | '|') term)*, left to right, 64-bit wrapping. */
static bool parse_value(const char *s, uint64_t *v)
{
	char buf[128];
	char *p, *start;
	char op = '+';

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	*v = 0;
	start = buf;
	for (p = buf;; p++) {
		/* A '-' that starts a term is its sign, not an operator. */
		if (*p == '\0' || ((*p == '+' || *p == '|' || *p == '-') && p != start)) {
			char next = *p;
			uint64_t t;

			*p = '\0';
			if (!parse_term(start, &t))
				return false;
			if (op == '+')
				*v += t;
			else if (op == '-')
				*v -= t;
			else
				*v |= t;
			if (next == '\0')
				return true;
			op = next;
			start = p + 1;
		}
	}
}

/* ---- Lines -------------------------------------------------------------------- */
static size_t tokenize(char *line, char **tok, size_t max)
{
	size_t n = 0;
	char *p = line;

	while (n < max) {
		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		tok[n++] = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		*p++ = '\0';
	}
	return n;
}

/* A value (number, constant, expression: parse_value) in [0, max]. Not an
 * option number: those are tool_parse_u32's, without the script's names. */
static bool parse_value_u32(const char *s, uint64_t max, uint32_t *out)
{
	uint64_t v;

	if (!parse_value(s, &v) || v > max)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* "vm3" -> 3 */
static bool parse_vm_name(const char *s, uint16_t *id)
{
	uint32_t v;

	if (strncasecmp(s, "vm", 2) != 0 || !parse_value_u32(s + 2, 0xFFFF, &v))
		return false;
	*id = (uint16_t)v;
	return true;
}

/* "vm3.1" -> 3, 1 */
static int parse_vcpu_name(struct parser *p, char *t, uint16_t *vm, uint16_t *vcpu)
{
	char *dot = strchr(t, '.');
	uint32_t v;

	if (!dot)
		return perr(p, "'%s': want vmID.vCPU", t);
	*dot = '\0';
	if (!parse_vm_name(t, vm) || !parse_value_u32(dot + 1, 0xFFFF, &v))
		return perr(p, "'%s.%s': want vmID.vCPU", t, dot + 1);
	*vcpu = (uint16_t)v;
	return 0;
}

static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= SCRIPT_NAME_LEN || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

static int find_var(const struct script *s, const char *name)
{
	for (size_t i = 0; i < s->var_count; i++)
		if (strcmp(s->vars[i], name) == 0)
			return (int)i;
	return -1;
}

/* @name: the register is kept under that name. */
static int parse_capture(struct parser *p, const char *name, int16_t *out)
{
	int idx;

	if (!valid_name(name))
		return perr(p, "bad name '@%s'", name);
	idx = find_var(p->s, name);
	if (idx < 0) {
		if (!p->define)
			return perr(p, "unknown name '@%s'", name);
		if (p->s->var_count >= SCRIPT_MAX_VARS)
			return perr(p, "more than %d names", SCRIPT_MAX_VARS);
		strcpy(p->s->vars[p->s->var_count], name);
		idx = (int)p->s->var_count++;
	}
	*out = (int16_t)idx;
	return 0;
}

/* An expected value: alternatives A,B,... each VALUE or VALUE/MASK. */
static bool parse_alts(const char *t, struct script_alts *a)
{
	char buf[256];
	char *save = NULL;

	if (strlen(t) >= sizeof(buf))
		return false;
	strcpy(buf, t);
	a->n = 0;
	for (char *alt = strtok_r(buf, ",", &save); alt; alt = strtok_r(NULL, ",", &save)) {
		char *slash = strchr(alt, '/');
		uint64_t mask = UINT64_MAX;

		if (a->n == SCRIPT_MAX_ALTS)
			return false;
		if (slash) {
			*slash = '\0';
			if (!parse_value(slash + 1, &mask))
				return false;
		}
		if (!parse_value(alt, &a->value[a->n]))
			return false;
		a->mask[a->n] = mask;
		a->n++;
	}
	return a->n > 0;
}

static bool commas_ok(const char *t)
{
	size_t len = strlen(t);

	return len && t[0] != ',' && t[len - 1] != ',' && !strstr(t, ",,");
}

/* ERROR NAME[,NAME...] */
static bool parse_error_alts(const char *t, struct script_alts *a)
{
	char buf[256];
	char *save = NULL;

	if (strlen(t) >= sizeof(buf) || !commas_ok(t))
		return false;
	strcpy(buf, t);
	a->n = 0;
	for (char *e = strtok_r(buf, ",", &save); e; e = strtok_r(NULL, ",", &save)) {
		int32_t code;

		if (a->n == SCRIPT_MAX_ALTS || !script_error_by_name(e, &code))
			return false;
		a->value[a->n] = (uint32_t)code;
		a->mask[a->n] = UINT64_MAX;
		a->n++;
	}
	return a->n > 0;
}

/* Argument registers: positional values, `_` skips, xN=V sets position N. */
static int parse_reg_prefix(struct parser *p, const char **t, size_t *pos, enum script_width *w)
{
	const char *eq = strchr(*t, '=');
	uint32_t r;
	char num[8];
	size_t len;

	if (!((*t)[0] == 'x' || (*t)[0] == 'w') || !eq || !isdigit((unsigned char)(*t)[1]))
		return 0;
	len = (size_t)(eq - *t - 1);
	if (len == 0 || len >= sizeof(num))
		return perr(p, "bad register '%s'", *t);
	memcpy(num, *t + 1, len);
	num[len] = '\0';
	if (!parse_value_u32(num, SCRIPT_NREGS - 1, &r))
		return perr(p, "bad register '%s'", *t);
	if (w)
		*w = (*t)[0] == 'x' ? SCRIPT_WIDTH_64 : SCRIPT_WIDTH_32;
	*pos = r;
	*t = eq + 1;
	return 0;
}

static int parse_args(struct parser *p, char **tok, size_t n, uint64_t *regs)
{
	size_t pos = 1;

	for (size_t i = 0; i < n; i++) {
		const char *t = tok[i];

		if (parse_reg_prefix(p, &t, &pos, NULL))
			return -1;
		if (pos >= SCRIPT_NREGS)
			return perr(p, "more than %d registers", SCRIPT_NREGS);
		if (strcmp(t, "_") == 0) {
			pos++;
			continue;
		}
		if (!parse_value(t, &regs[pos]))
			return perr(p, "bad value '%s'", t);
		pos++;
	}
	return 0;
}

/* The expectation after ->: from x0. */
static int parse_expect(struct parser *p, char **tok, size_t n, struct script_line *l)
{
	size_t pos = 0;

	l->has_expect = true;
	if (n == 0)
		return perr(p, "nothing after ->");
	if (strcasecmp(tok[0], "BLOCKED") == 0) {
		if (n != 1)
			return perr(p, "nothing may follow BLOCKED");
		l->expect_blocked = true;
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		const char *t = tok[i];
		enum script_width w = p->wide ? SCRIPT_WIDTH_64 : SCRIPT_WIDTH_CALL;

		if (parse_reg_prefix(p, &t, &pos, &w))
			return -1;
		if (pos >= SCRIPT_NREGS)
			return perr(p, "more than %d registers", SCRIPT_NREGS);
		l->expect[pos].width = w;
		if (strcmp(t, "_") == 0) {
			l->cmp[pos++] = SCRIPT_CMP_ANY;
			continue;
		}
		if (t[0] == '@') {
			if (parse_capture(p, t + 1, &l->capture[pos]))
				return -1;
			pos++;
			continue;
		}
		if (pos == 0 && strcasecmp(t, "SUCCESS") == 0) {
			l->cmp[pos++] = SCRIPT_CMP_SUCCESS;
			continue;
		}
		if (pos == 0 && strcasecmp(t, "ERROR") == 0) {
			l->expect[0].n = 1;
			l->expect[0].value[0] = FFA_ERROR;
			l->expect[0].mask[0] = UINT64_MAX;
			l->cmp[0] = SCRIPT_CMP_EQ;
			if (i + 1 >= n || !parse_error_alts(tok[i + 1], &l->expect[2]))
				return perr(p, "ERROR needs an error name (or NAME,NAME...)");
			/* An error code is a w register unless the width is asked. */
			l->expect[2].width = p->wide ? SCRIPT_WIDTH_64 : SCRIPT_WIDTH_32;
			l->cmp[2] = SCRIPT_CMP_ERRCODE;
			l->quiet = true;
			i++;
			pos = 3;
			continue;
		}
		if (!commas_ok(t) || !parse_alts(t, &l->expect[pos]))
			return perr(p, "bad value '%s'", t);
		l->cmp[pos++] = SCRIPT_CMP_EQ;
	}
	return 0;
}

static size_t find_arrow(char **tok, size_t from, size_t n)
{
	for (size_t i = from; i < n; i++)
		if (strcmp(tok[i], "->") == 0)
			return i;
	return n;
}

static int parse_call(struct parser *p, char **tok, size_t n, struct script_line *l)
{
	uint32_t fid;
	size_t arrow;

	l->kind = SCRIPT_CALL;
	if (parse_vcpu_name(p, tok[0], &l->vm, &l->vcpu))
		return -1;
	if (n < 2)
		return perr(p, "no function");
	if (!script_fid_by_name(tok[1], &fid)) {
		uint64_t v;

		if (!parse_value(tok[1], &v) || v > UINT32_MAX)
			return perr(p, "unknown function '%s'", tok[1]);
		fid = (uint32_t)v;
	}
	l->regs[0] = fid;
	arrow = find_arrow(tok, 2, n);
	if (parse_args(p, tok + 2, arrow - 2, l->regs))
		return -1;
	if (arrow < n)
		return parse_expect(p, tok + arrow + 1, n - arrow - 1, l);
	return 0;
}

/* await vmI.V [-> expected] */
static int parse_await(struct parser *p, char **tok, size_t n, struct script_line *l)
{
	l->kind = SCRIPT_AWAIT;
	if (n < 2 || parse_vcpu_name(p, tok[1], &l->vm, &l->vcpu))
		return n < 2 ? perr(p, "want: await vmID.vCPU [-> ...]") : -1;
	if (n == 2)
		return 0;
	if (strcmp(tok[2], "->") != 0)
		return perr(p, "want: await vmID.vCPU [-> ...]");
	return parse_expect(p, tok + 3, n - 3, l);
}

/* Bytes: hex pairs, w8:/w16:/w32:/w64: little-endian words, zero:N; in
 * checks also ?? (any byte) and skip:N (N bytes of anything). */
static int parse_bytes(struct parser *p, char **tok, size_t n, struct script_line *l)
{
	uint8_t *buf = malloc(SCRIPT_MAX_BYTES);
	uint8_t *care = malloc(SCRIPT_MAX_BYTES);
	size_t len = 0;

	if (!buf || !care) {
		free(buf);
		free(care);
		return perr(p, "out of memory");
	}
	memset(care, 1, SCRIPT_MAX_BYTES);
	for (size_t i = 0; i < n; i++) {
		const char *t = tok[i];
		uint64_t v;
		size_t width = 0;

		if (l->kind == SCRIPT_CHECK &&
		    (strcmp(t, "??") == 0 || strncasecmp(t, "skip:", 5) == 0)) {
			uint32_t count = 1;

			if (t[0] != '?' && !parse_value_u32(t + 5, SCRIPT_MAX_BYTES - len, &count))
				goto bad;
			if (len + count > SCRIPT_MAX_BYTES)
				goto bad;
			memset(buf + len, 0, count);
			memset(care + len, 0, count);
			len += count;
			continue;
		}

		if (strncasecmp(t, "zero:", 5) == 0) {
			uint32_t count;

			if (!parse_value_u32(t + 5, SCRIPT_MAX_BYTES - len, &count))
				goto bad;
			memset(buf + len, 0, count);
			len += count;
			continue;
		}
		if (strncasecmp(t, "w8:", 3) == 0)
			width = 1;
		else if (strncasecmp(t, "w16:", 4) == 0)
			width = 2;
		else if (strncasecmp(t, "w32:", 4) == 0)
			width = 4;
		else if (strncasecmp(t, "w64:", 4) == 0)
			width = 8;
		if (width) {
			if (!parse_value(strchr(t, ':') + 1, &v))
				goto bad;
			if (width < 8 && (v >> (8 * width)) != 0 &&
			    (int64_t)v < -(int64_t)(1ull << (8 * width - 1)))
				goto bad;
		} else {
			char *end = NULL;

			if (strlen(t) != 2 || !isxdigit((unsigned char)t[0]) ||
			    !isxdigit((unsigned char)t[1]))
				goto bad;
			v = strtoul(t, &end, 16);
			width = 1;
		}
		if (len + width > SCRIPT_MAX_BYTES) {
			free(buf);
			free(care);
			return perr(p, "more than %u bytes", SCRIPT_MAX_BYTES);
		}
		for (size_t b = 0; b < width; b++)
			buf[len++] = (uint8_t)(v >> (8 * b));
		continue;
	bad:
		free(buf);
		free(care);
		return perr(p, "bad bytes '%s'", t);
	}
	if (len == 0) {
		free(buf);
		free(care);
		return perr(p, "no bytes");
	}
	l->bytes = buf;
	l->len = len;
	if (l->kind == SCRIPT_CHECK)
		l->care = care;
	else
		free(care);
	return 0;
}

/* tx vmN +OFF = ... | rx vmN +OFF == ... | mem vmN ADDR = ... */
static int parse_memline(struct parser *p, char **tok, size_t n, struct script_line *l)
{
	const char *where;

	if (strcasecmp(tok[0], "tx") == 0)
		l->area = SCRIPT_AREA_TX;
	else if (strcasecmp(tok[0], "rx") == 0)
		l->area = SCRIPT_AREA_RX;
	else
		l->area = SCRIPT_AREA_MEM;
	if (n < 5 || !parse_vm_name(tok[1], &l->vm))
		return perr(p, "want: %s vmID ADDR =|== bytes", tok[0]);
	where = tok[2];
	if (l->area != SCRIPT_AREA_MEM) {
		if (where[0] != '+')
			return perr(p, "buffer offsets start with +");
		where++;
	}
	if (!parse_value(where, &l->addr))
		return perr(p, "bad address '%s'", tok[2]);
	if (strcmp(tok[3], "=") == 0)
		l->kind = SCRIPT_WRITE;
	else if (strcmp(tok[3], "==") == 0)
		l->kind = SCRIPT_CHECK;
	else
		return perr(p, "want = (write) or == (check), not '%s'", tok[3]);
	if (l->kind == SCRIPT_WRITE && l->area == SCRIPT_AREA_RX)
		return perr(p, "the RX buffer is written by the mediator, not the script");
	return parse_bytes(p, tok + 4, n - 4, l);
}

/* access vmN ADDR == rw|ro|none */
static int parse_access(struct parser *p, char **tok, size_t n, struct script_line *l)
{
	l->kind = SCRIPT_ACCESS;
	l->area = SCRIPT_AREA_MEM;
	if (n != 5 || !parse_vm_name(tok[1], &l->vm) || strcmp(tok[3], "==") != 0)
		return perr(p, "want: access vmID ADDR == rw|ro|none");
	if (!parse_value(tok[2], &l->addr))
		return perr(p, "bad address '%s'", tok[2]);
	if (strcasecmp(tok[4], "rw") == 0)
		l->access = SCRIPT_ACCESS_RW;
	else if (strcasecmp(tok[4], "ro") == 0)
		l->access = SCRIPT_ACCESS_RO;
	else if (strcasecmp(tok[4], "none") == 0)
		l->access = SCRIPT_ACCESS_NONE;
	else
		return perr(p, "want rw, ro or none, not '%s'", tok[4]);
	return 0;
}

/* all | none | msg+notify+mem (any of them) */
static bool parse_rights(const char *s, uint32_t *out)
{
	char buf[64];
	char *save = NULL;

	if (strcasecmp(s, "all") == 0) {
		*out = FFAMED_RIGHTS_ALL;
		return true;
	}
	if (strcasecmp(s, "none") == 0) {
		*out = 0;
		return true;
	}
	if (strlen(s) >= sizeof(buf) || !*s || s[strlen(s) - 1] == '+' || s[0] == '+' ||
	    strstr(s, "++"))
		return false;
	strcpy(buf, s);
	*out = 0;
	for (char *r = strtok_r(buf, "+", &save); r; r = strtok_r(NULL, "+", &save)) {
		if (strcasecmp(r, "msg") == 0)
			*out |= FFAMED_RIGHT_MSG;
		else if (strcasecmp(r, "notify") == 0)
			*out |= FFAMED_RIGHT_NOTIFY;
		else if (strcasecmp(r, "mem") == 0)
			*out |= FFAMED_RIGHT_MEM;
		else
			return false;
	}
	return true;
}

/* One VM setting: vcpus=N, sp=RIGHTS, vm=RIGHTS, peer=ID:RIGHTS. 1 if key
 * is not one of them. */
static int parse_vm_setting(struct parser *p, const char *key, const char *val,
			    struct script_vmcfg *c)
{
	uint32_t v;

	if (strcmp(key, "vcpus") == 0) {
		if (!parse_value_u32(val, SCRIPT_MAX_VCPUS, &v) || v == 0)
			return perr(p, "vcpus=%s: want 1..%d", val, SCRIPT_MAX_VCPUS);
		c->vcpus = (uint16_t)v;
		return 0;
	}
	if (strcmp(key, "sp") != 0 && strcmp(key, "vm") != 0 && strcmp(key, "peer") != 0)
		return 1;
	if (!c->has_policy) {
		c->has_policy = true;
		c->sp_rights = FFAMED_RIGHTS_ALL;
		c->vm_rights = FFAMED_RIGHTS_ALL;
	}
	if (strcmp(key, "sp") == 0) {
		if (!parse_rights(val, &c->sp_rights))
			return perr(p, "sp=%s: want all, none or msg+notify+mem", val);
	} else if (strcmp(key, "vm") == 0) {
		if (!parse_rights(val, &c->vm_rights))
			return perr(p, "vm=%s: want all, none or msg+notify+mem", val);
	} else {
		const char *colon = strrchr(val, ':');
		char id[32];
		uint32_t peer, rights;
		size_t len = colon ? (size_t)(colon - val) : 0;

		if (!colon || len == 0 || len >= sizeof(id))
			return perr(p, "peer=%s: want peer=ID:RIGHTS", val);
		memcpy(id, val, len);
		id[len] = '\0';
		if (!parse_value_u32(id, 0xFFFF, &peer) || !parse_rights(colon + 1, &rights))
			return perr(p, "peer=%s: want peer=ID:RIGHTS", val);
		if (c->peer_count == SCRIPT_MAX_PEERS)
			return perr(p, "more than %d peers", SCRIPT_MAX_PEERS);
		c->peer[c->peer_count] = (uint16_t)peer;
		c->peer_rights[c->peer_count++] = rights;
	}
	return 0;
}

static int parse_system(struct parser *p, char **tok, size_t n, struct script_line *l)
{
	struct script_system *sys;
	uint32_t total = 0;

	if (p->statements && !p->systems)
		return perr(p, "system must be the first statement (further system lines "
			       "start new systems)");
	p->systems = true;
	l->kind = SCRIPT_SYSTEM;
	sys = calloc(1, sizeof(*sys));
	if (!sys)
		return perr(p, "out of memory");
	l->sys = sys;
	sys->vms = 2;
	sys->vcpus = 2;
	for (size_t i = 1; i < n; i++) {
		char *eq = strchr(tok[i], '=');
		uint16_t vm;
		uint32_t v;
		char *dot;
		int rc;

		if (!eq || eq == tok[i])
			return perr(p, "want key=value, not '%s'", tok[i]);
		*eq = '\0';
		dot = strchr(tok[i], '.');
		if (dot) {
			*dot = '\0';
			if (!parse_vm_name(tok[i], &vm) || vm == 0 || vm > SCRIPT_MAX_VMS)
				return perr(p, "'%s.%s': want vm1..vm%d", tok[i], dot + 1,
					    SCRIPT_MAX_VMS);
			rc = parse_vm_setting(p, dot + 1, eq + 1, &sys->vm[vm - 1]);
			if (rc > 0)
				return perr(p, "unknown VM setting '%s'", dot + 1);
			if (rc < 0)
				return -1;
			continue;
		}
		if (!parse_value_u32(eq + 1, UINT32_MAX, &v))
			return perr(p, "bad value '%s=%s'", tok[i], eq + 1);
		if (strcmp(tok[i], "vms") == 0 && v >= 1 && v <= SCRIPT_MAX_VMS)
			sys->vms = v;
		else if (strcmp(tok[i], "vcpus") == 0 && v >= 1 && v <= SCRIPT_MAX_VCPUS)
			sys->vcpus = (uint16_t)v;
		else if (strcmp(tok[i], "ram") == 0 && v >= 4 && v <= 1024)
			sys->ram = v;
		else if (strcmp(tok[i], "vm_to_vm") == 0 && v <= 1)
			sys->vm_to_vm = v;
		else if (strcmp(tok[i], "seed") == 0)
			sys->seed = v;
		else if (strcmp(tok[i], "cpus") == 0 && v >= 8 && v <= 64)
			sys->cpus = v;
		else if (strcmp(tok[i], "vms") == 0 || strcmp(tok[i], "vcpus") == 0 ||
			 strcmp(tok[i], "ram") == 0 || strcmp(tok[i], "vm_to_vm") == 0 ||
			 strcmp(tok[i], "cpus") == 0)
			return perr(p, "%s=%s is out of range", tok[i], eq + 1);
		else
			return perr(p, "unknown setting '%s'", tok[i]);
	}
	for (uint32_t i = 0; i < SCRIPT_MAX_VMS; i++) {
		const struct script_vmcfg *c = &sys->vm[i];

		if (i >= sys->vms && (c->vcpus || c->has_policy))
			return perr(p, "vm%u settings, but vms=%u", i + 1, sys->vms);
		if (i < sys->vms)
			total += c->vcpus ? c->vcpus : sys->vcpus;
	}
	if (total > SCRIPT_MAX_TOTAL_VCPUS)
		return perr(p, "%u vCPUs in all: at most %d", total, SCRIPT_MAX_TOTAL_VCPUS);
	if (sys->cpus && total + SCRIPT_SIM_OWN_CPUS > sys->cpus)
		return perr(p, "%u vCPUs need cpus=%u or more", total, total + SCRIPT_SIM_OWN_CPUS);
	return 0;
}

static int parse_vm(struct parser *p, char **tok, size_t n, struct script_line *l)
{
	uint32_t id;

	if (n < 3 || !parse_value_u32(tok[2], 0xFFFF, &id))
		return perr(p, "want: vm add|remove ID");
	l->vm = (uint16_t)id;
	if (strcmp(tok[1], "remove") == 0) {
		l->kind = SCRIPT_VM_REMOVE;
		return n == 3 ? 0 : perr(p, "junk after vm remove");
	}
	if (strcmp(tok[1], "add") != 0)
		return perr(p, "want: vm add|remove ID");
	l->kind = SCRIPT_VM_ADD;
	for (size_t i = 3; i < n; i++) {
		char *eq = strchr(tok[i], '=');
		int rc;

		if (strcmp(tok[i], "->") == 0 && i + 2 == n - 1 &&
		    strcasecmp(tok[i + 1], "ERROR") == 0) {
			if (!script_error_by_name(tok[i + 2], &l->status))
				return perr(p, "unknown error '%s'", tok[i + 2]);
			l->quiet = true;
			return 0;
		}
		if (strcmp(tok[i], "->") == 0 && i + 1 == n - 1 &&
		    strcasecmp(tok[i + 1], "OK") == 0)
			return 0;
		if (!eq)
			return perr(p, "bad vm add argument '%s'", tok[i]);
		*eq = '\0';
		rc = parse_vm_setting(p, tok[i], eq + 1, &l->vmcfg);
		if (rc > 0)
			return perr(p, "bad vm add argument '%s'", tok[i]);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* The counters docs/SCRIPT.md lists (whether the VM exists is the runner's
 * business). */
static bool counter_name_ok(const char *name)
{
	static const char *const fixed[] = {
		"echo.requests",   "echo.responses",	"echo.resumes", "vmwatch.live",
		"vmwatch.created", "vmwatch.destroyed", "optee.calls",
	};
	static const char *const per_vm[] = {"pins", "version", "borrowed", "revoked"};
	char *end = NULL;
	unsigned long id;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (strcmp(name, fixed[i]) == 0)
			return true;
	if (strncmp(name, "vm", 2) != 0 || !isdigit((unsigned char)name[2]))
		return false;
	id = strtoul(name + 2, &end, 10);
	if (*end != '.' || id > 0xFFFF)
		return false;
	name = end + 1;
	if (isdigit((unsigned char)*name)) {
		unsigned long vcpu = strtoul(name, &end, 10);

		return vcpu < SCRIPT_MAX_VCPUS && strcmp(end, ".npi") == 0;
	}
	for (size_t i = 0; i < sizeof(per_vm) / sizeof(per_vm[0]); i++)
		if (strcmp(name, per_vm[i]) == 0)
			return true;
	return false;
}

/* check NAME == VALUE */
static int parse_counter(struct parser *p, char **tok, size_t n, struct script_line *l)
{
	l->kind = SCRIPT_COUNTER;
	if (n != 4 || strcmp(tok[2], "==") != 0 || strlen(tok[1]) >= SCRIPT_NAME_LEN)
		return perr(p, "want: check NAME == VALUE");
	if (!counter_name_ok(tok[1]))
		return perr(p, "unknown counter '%s'", tok[1]);
	strcpy(l->name, tok[1]);
	if (!parse_value(tok[3], &l->value))
		return perr(p, "bad value '%s'", tok[3]);
	return 0;
}

static int parse_text(struct parser *p, const char *text, size_t len);

static char *dup_trimmed(const char *s, size_t n)
{
	char *d;

	while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* include PATH: relative to the including file's directory. */
static int parse_include(struct parser *p, char **tok, size_t n)
{
	char path[4096];
	const char *slash;
	struct parser sub;
	FILE *f;
	char *buf, *name;
	size_t got, dir_len;
	char **files;
	int rc;

	if (n != 2)
		return perr(p, "want: include FILE");
	if (!p->file)
		return perr(p, "include needs a script read from a file");
	if (p->depth >= SCRIPT_MAX_INCLUDES)
		return perr(p, "includes nested more than %d deep", SCRIPT_MAX_INCLUDES);
	slash = strrchr(p->file, '/');
	dir_len = (tok[1][0] == '/' || !slash) ? 0 : (size_t)(slash - p->file + 1);
	if (dir_len + strlen(tok[1]) >= sizeof(path))
		return perr(p, "include path too long");
	memcpy(path, p->file, dir_len);
	strcpy(path + dir_len, tok[1]);
	f = fopen(path, "rb");
	if (!f)
		return perr(p, "cannot read '%s'", path);
	buf = malloc(SCRIPT_MAX_FILE + 1);
	got = buf ? fread(buf, 1, SCRIPT_MAX_FILE + 1, f) : 0;
	fclose(f);
	if (!buf || got > SCRIPT_MAX_FILE) {
		free(buf);
		return perr(p, "cannot read '%s' (over 4 MiB?)", path);
	}
	name = strdup(path);
	files = realloc(p->s->files, (p->s->file_count + 1) * sizeof(*files));
	if (!name || !files) {
		free(name);
		free(buf);
		if (files)
			p->s->files = files;
		return perr(p, "out of memory");
	}
	p->s->files = files;
	files[p->s->file_count++] = name;
	sub = *p;
	sub.file = name;
	sub.lineno = 0;
	sub.depth = p->depth + 1;
	rc = parse_text(&sub, buf, got);
	free(buf);
	/* `compare` stays with its file; the rest is the script's. */
	p->statements = sub.statements;
	p->systems = sub.systems;
	return rc;
}

/* compare wide|narrow: the width of later expectations in this file. */
static int parse_compare(struct parser *p, char **tok, size_t n)
{
	if (n == 2 && strcasecmp(tok[1], "wide") == 0)
		p->wide = true;
	else if (n == 2 && strcasecmp(tok[1], "narrow") == 0)
		p->wide = false;
	else
		return perr(p, "want: compare wide|narrow");
	return 0;
}

/* Returns 0 (a statement in l), 1 (nothing to run) or -1. */
static int parse_tokens(struct parser *p, char *line, struct script_line *l)
{
	char *tok[MAX_TOKENS];
	size_t n = tokenize(line, tok, MAX_TOKENS);
	int rc;

	if (n == MAX_TOKENS)
		return perr(p, "more than %d words", MAX_TOKENS - 1);
	if (n == 0)
		return 1;
	if (strcasecmp(tok[0], "compare") == 0)
		return parse_compare(p, tok, n) ? -1 : 1;
	if (strcasecmp(tok[0], "include") == 0)
		return parse_include(p, tok, n) ? -1 : 1;
	if (strcasecmp(tok[0], "system") == 0)
		rc = parse_system(p, tok, n, l);
	else if (strcasecmp(tok[0], "vm") == 0)
		rc = parse_vm(p, tok, n, l);
	else if (strcasecmp(tok[0], "check") == 0)
		rc = parse_counter(p, tok, n, l);
	else if (strcasecmp(tok[0], "await") == 0)
		rc = parse_await(p, tok, n, l);
	else if (strcasecmp(tok[0], "access") == 0)
		rc = parse_access(p, tok, n, l);
	else if (strcasecmp(tok[0], "tx") == 0 || strcasecmp(tok[0], "rx") == 0 ||
		 strcasecmp(tok[0], "mem") == 0)
		rc = parse_memline(p, tok, n, l);
	else if (strncasecmp(tok[0], "vm", 2) == 0)
		rc = parse_call(p, tok, n, l);
	else
		return perr(p, "unknown statement '%s'", tok[0]);
	if (rc == 0)
		p->statements++;
	return rc;
}

/* Replace each $name by its value (values NULL: by 0, to check the line's
 * form). The names must be known. */
static int substitute(struct parser *p, const struct script *s, const char *in,
		      const uint64_t *values, char *out, size_t out_len)
{
	size_t o = 0;

	out[0] = '\0';
	while (*in) {
		char name[SCRIPT_NAME_LEN] = {0};
		size_t n = 0;
		int idx;
		int w;

		if (*in != '$') {
			if (o + 1 >= out_len)
				return perr(p, "line too long");
			out[o++] = *in++;
			continue;
		}
		in++;
		while (n + 1 < sizeof(name) && (isalnum((unsigned char)in[n]) || in[n] == '_'))
			n++;
		memcpy(name, in, n);
		name[n] = '\0';
		in += n;
		idx = n && valid_name(name) ? find_var(s, name) : -1;
		if (idx < 0)
			return perr(p, "unknown name '$%s' (capture it first with @%s)", name,
				    name);
		w = snprintf(out + o, out_len - o, "0x%" PRIx64,
			     values ? values[idx] : (uint64_t)0);
		if (w < 0 || (size_t)w >= out_len - o)
			return perr(p, "line too long");
		o += (size_t)w;
	}
	out[o] = '\0';
	return 0;
}

/* One line of text (comment stripped) into l. 0, 1 (blank) or -1. */
static int parse_one(struct parser *p, const char *text, struct script_line *l)
{
	char *work;
	int rc;

	work = malloc(WORK_LEN);
	if (!work)
		return perr(p, "out of memory");
	if (strchr(text, '$')) {
		/* Checked now with every name 0, parsed again when run. */
		if (substitute(p, p->s, text, NULL, work, WORK_LEN)) {
			free(work);
			return -1;
		}
		rc = parse_tokens(p, work, l);
		if (rc == 0) {
			if (l->kind == SCRIPT_SYSTEM || l->kind == SCRIPT_VM_ADD) {
				free(work);
				return perr(p, "$names are not allowed here");
			}
			l->deferred = strdup(text);
			l->wide = p->wide;
			if (!l->deferred) {
				free(work);
				return perr(p, "out of memory");
			}
		}
	} else {
		strcpy(work, text);
		rc = parse_tokens(p, work, l);
	}
	free(work);
	return rc;
}

static void line_init(struct script_line *l, const struct parser *p)
{
	memset(l, 0, sizeof(*l));
	l->file = p->file;
	l->lineno = p->lineno;
	for (size_t i = 0; i < SCRIPT_NREGS; i++)
		l->capture[i] = -1;
}

void script_line_free(struct script_line *l)
{
	free(l->text);
	free(l->bytes);
	free(l->care);
	free(l->sys);
	free(l->deferred);
	memset(l, 0, sizeof(*l));
}

static int parse_text(struct parser *p, const char *text, size_t len)
{
	struct script *out = p->s;
	size_t pos = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		struct script_line l;
		char *line_text, *hash;
		int rc;

		p->lineno++;
		if (n >= MAX_LINE)
			return perr(p, "line longer than %d characters", MAX_LINE);
		if (memchr(text + pos, '\0', n))
			return perr(p, "NUL character");
		line_init(&l, p);
		line_text = dup_trimmed(text + pos, n);
		pos += n + (nl ? 1 : 0);
		if (!line_text)
			return perr(p, "out of memory");
		hash = strchr(line_text, '#');
		if (hash)
			*hash = '\0';
		rc = parse_one(p, line_text, &l);
		if (hash)
			*hash = '#';
		if (rc != 0) {
			script_line_free(&l);
			free(line_text);
			if (rc < 0)
				return -1;
			continue;
		}
		l.text = line_text;
		if (out->count == out->cap) {
			size_t cap = out->cap ? out->cap * 2 : 32;
			struct script_line *grown = realloc(out->lines, cap * sizeof(*grown));

			if (!grown) {
				script_line_free(&l);
				return perr(p, "out of memory");
			}
			out->lines = grown;
			out->cap = cap;
		}
		out->lines[out->count++] = l;
	}
	return 0;
}

int script_parse_file(const char *text, size_t len, const char *path, struct script *out, char *err,
		      size_t err_len)
{
	struct parser p = {.s = out, .err = err, .err_len = err_len, .define = true};

	memset(out, 0, sizeof(*out));
	if (err_len)
		err[0] = '\0';
	if (path) {
		out->files = malloc(sizeof(*out->files));
		if (out->files)
			out->files[0] = strdup(path);
		if (!out->files || !out->files[0]) {
			free(out->files);
			out->files = NULL;
			snprintf(err, err_len, "%s: out of memory", path);
			return -1;
		}
		out->file_count = 1;
		p.file = out->files[0];
	}
	return parse_text(&p, text, len);
}

int script_parse(const char *text, size_t len, struct script *out, char *err, size_t err_len)
{
	return script_parse_file(text, len, NULL, out, err, err_len);
}

int script_parse_deferred(const struct script *s, const struct script_line *l,
			  const uint64_t *values, struct script_line *out, char *err,
			  size_t err_len)
{
	/* Names are only looked up here: the script stays as parsed. */
	struct parser p = {.s = (struct script *)s,
			   .file = l->file,
			   .lineno = l->lineno,
			   .err = err,
			   .err_len = err_len,
			   .wide = l->wide,
			   .define = false,
			   .statements = 1,
			   .systems = true};
	char *work = malloc(WORK_LEN);
	int rc;

	line_init(out, &p);
	if (!work)
		return perr(&p, "out of memory");
	rc = substitute(&p, s, l->deferred, values, work, WORK_LEN);
	if (rc == 0)
		rc = parse_tokens(&p, work, out);
	free(work);
	if (rc != 0) {
		script_line_free(out);
		return rc < 0 ? -1 : perr(&p, "nothing to run");
	}
	return 0;
}

void script_free(struct script *s)
{
	for (size_t i = 0; i < s->count; i++)
		script_line_free(&s->lines[i]);
	for (size_t i = 0; i < s->file_count; i++)
		free(s->files[i]);
	free(s->files);
	free(s->lines);
	memset(s, 0, sizeof(*s));
}
