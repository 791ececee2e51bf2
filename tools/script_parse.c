/* SPDX-License-Identifier: MIT */
/*
 * `ffamed script` parser: text to struct script_line, no system needed.
 * The grammar is in docs/SCRIPT.md. Every error names the line.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ffamed/ffa.h"
#include "ffamed/sim.h"
#include "script.h"

#define MAX_TOKENS 64
#define MAX_LINE   8192

struct parser {
	unsigned lineno;
	char *err;
	size_t err_len;
};

static int perr(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(p->err, p->err_len, "line %u: ", p->lineno);
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

/* term ('+' term | '|' term)* */
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
		/* A leading '-' is a sign, not an operator. */
		if (*p == '\0' || ((*p == '+' || *p == '|') && p != start)) {
			char next = *p;
			uint64_t t;

			*p = '\0';
			if (!parse_term(start, &t))
				return false;
			*v = op == '+' ? *v + t : (*v | t);
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

static bool parse_u32_in(const char *s, uint64_t max, uint32_t *out)
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

	if (strncasecmp(s, "vm", 2) != 0 || !parse_u32_in(s + 2, 0xFFFF, &v))
		return false;
	*id = (uint16_t)v;
	return true;
}

/* Register list: positional values, `_` skips, xN=V sets position N. */
static int parse_regs(struct parser *p, char **tok, size_t n, size_t first, uint64_t *regs,
		      enum script_cmp *cmp, bool expect)
{
	size_t pos = first;

	for (size_t i = 0; i < n; i++) {
		const char *t = tok[i];
		const char *eq = strchr(t, '=');
		uint64_t v;

		if ((t[0] == 'x' || t[0] == 'w') && eq && isdigit((unsigned char)t[1])) {
			uint32_t r;
			char num[8];
			size_t len = (size_t)(eq - t - 1);

			if (len == 0 || len >= sizeof(num))
				return perr(p, "bad register '%s'", t);
			memcpy(num, t + 1, len);
			num[len] = '\0';
			if (!parse_u32_in(num, SCRIPT_NREGS - 1, &r))
				return perr(p, "bad register '%s'", t);
			pos = r;
			t = eq + 1;
		}
		if (pos >= SCRIPT_NREGS)
			return perr(p, "more than %d registers", SCRIPT_NREGS);
		if (strcmp(t, "_") == 0) {
			if (cmp)
				cmp[pos] = SCRIPT_CMP_ANY;
			pos++;
			continue;
		}
		if (expect && pos == 0 && strcasecmp(t, "SUCCESS") == 0) {
			cmp[0] = SCRIPT_CMP_SUCCESS;
			pos++;
			continue;
		}
		if (expect && pos == 0 && strcasecmp(t, "ERROR") == 0) {
			int32_t e;

			regs[0] = FFA_ERROR;
			cmp[0] = SCRIPT_CMP_EQ;
			if (i + 1 >= n || !script_error_by_name(tok[i + 1], &e))
				return perr(p, "ERROR needs an error name");
			regs[2] = (uint64_t)(int64_t)e;
			cmp[2] = SCRIPT_CMP_ERRCODE;
			i++;
			pos = 3;
			continue;
		}
		if (!parse_value(t, &v))
			return perr(p, "bad value '%s'", t);
		regs[pos] = v;
		if (cmp)
			cmp[pos] = SCRIPT_CMP_EQ;
		pos++;
	}
	return 0;
}

static int parse_call(struct parser *p, char **tok, size_t n, struct script_line *l)
{
	char *dot = strchr(tok[0], '.');
	uint32_t vcpu, fid;
	size_t arrow = n;

	l->kind = SCRIPT_CALL;
	if (!dot)
		return perr(p, "'%s': want vmID.vCPU", tok[0]);
	*dot = '\0';
	if (!parse_vm_name(tok[0], &l->vm) || !parse_u32_in(dot + 1, 0xFFFF, &vcpu))
		return perr(p, "'%s.%s': want vmID.vCPU", tok[0], dot + 1);
	l->vcpu = (uint16_t)vcpu;
	if (n < 2)
		return perr(p, "no function");
	if (!script_fid_by_name(tok[1], &fid)) {
		uint64_t v;

		if (!parse_value(tok[1], &v) || v > UINT32_MAX)
			return perr(p, "unknown function '%s'", tok[1]);
		fid = (uint32_t)v;
	}
	l->regs[0] = fid;
	for (size_t i = 2; i < n; i++) {
		if (strcmp(tok[i], "->") == 0) {
			arrow = i;
			break;
		}
	}
	if (parse_regs(p, tok + 2, arrow - 2, 1, l->regs, NULL, false))
		return -1;
	if (arrow < n) {
		l->has_expect = true;
		if (arrow + 1 >= n)
			return perr(p, "nothing after ->");
		if (parse_regs(p, tok + arrow + 1, n - arrow - 1, 0, l->expect, l->cmp, true))
			return -1;
	}
	return 0;
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

			if (t[0] != '?' && !parse_u32_in(t + 5, SCRIPT_MAX_BYTES - len, &count))
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

			if (!parse_u32_in(t + 5, SCRIPT_MAX_BYTES - len, &count))
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

static int parse_system(struct parser *p, char **tok, size_t n, struct script_line *l)
{
	l->kind = SCRIPT_SYSTEM;
	l->sys.vms = 2;
	l->sys.vcpus = 2;
	for (size_t i = 1; i < n; i++) {
		char *eq = strchr(tok[i], '=');
		uint32_t v;

		if (!eq)
			return perr(p, "want key=value, not '%s'", tok[i]);
		*eq = '\0';
		if (!parse_u32_in(eq + 1, UINT32_MAX, &v))
			return perr(p, "bad value '%s'", eq + 1);
		if (strcmp(tok[i], "vms") == 0 && v <= 16)
			l->sys.vms = v;
		else if (strcmp(tok[i], "vcpus") == 0 && v >= 1 && v <= 8)
			l->sys.vcpus = (uint16_t)v;
		else if (strcmp(tok[i], "ram") == 0 && v >= 4 && v <= 1024)
			l->sys.ram = v;
		else if (strcmp(tok[i], "vm_to_vm") == 0 && v <= 1)
			l->sys.vm_to_vm = v;
		else if (strcmp(tok[i], "seed") == 0)
			l->sys.seed = v;
		else
			return perr(p, "bad setting '%s=%s'", tok[i], eq + 1);
	}
	return 0;
}

static int parse_vm(struct parser *p, char **tok, size_t n, struct script_line *l)
{
	uint32_t id;

	if (n < 3 || !parse_u32_in(tok[2], 0xFFFF, &id))
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
		uint32_t v;

		if (strncmp(tok[i], "vcpus=", 6) == 0 && parse_u32_in(tok[i] + 6, 8, &v)) {
			l->vcpu = (uint16_t)v;
		} else if (strcmp(tok[i], "->") == 0 && i + 2 == n - 1 &&
			   strcasecmp(tok[i + 1], "ERROR") == 0) {
			if (!script_error_by_name(tok[i + 2], &l->status))
				return perr(p, "unknown error '%s'", tok[i + 2]);
			return 0;
		} else if (strcmp(tok[i], "->") == 0 && i + 1 == n - 1 &&
			   strcasecmp(tok[i + 1], "OK") == 0) {
			return 0;
		} else {
			return perr(p, "bad vm add argument '%s'", tok[i]);
		}
	}
	return 0;
}

/* check NAME == VALUE */
static int parse_counter(struct parser *p, char **tok, size_t n, struct script_line *l)
{
	l->kind = SCRIPT_COUNTER;
	if (n != 4 || strcmp(tok[2], "==") != 0 || strlen(tok[1]) >= SCRIPT_NAME_LEN)
		return perr(p, "want: check NAME == VALUE");
	strcpy(l->name, tok[1]);
	if (!parse_value(tok[3], &l->expect[0]))
		return perr(p, "bad value '%s'", tok[3]);
	return 0;
}

static int parse_line(struct parser *p, char *line, struct script_line *l)
{
	char *tok[MAX_TOKENS];
	size_t n;
	char *hash = strchr(line, '#');

	if (hash)
		*hash = '\0';
	n = tokenize(line, tok, MAX_TOKENS);
	if (n == MAX_TOKENS)
		return perr(p, "more than %d words", MAX_TOKENS - 1);
	if (n == 0)
		return 1; /* blank */
	if (strcasecmp(tok[0], "system") == 0)
		return parse_system(p, tok, n, l);
	if (strcasecmp(tok[0], "vm") == 0)
		return parse_vm(p, tok, n, l);
	if (strcasecmp(tok[0], "check") == 0)
		return parse_counter(p, tok, n, l);
	if (strcasecmp(tok[0], "tx") == 0 || strcasecmp(tok[0], "rx") == 0 ||
	    strcasecmp(tok[0], "mem") == 0)
		return parse_memline(p, tok, n, l);
	if (strncasecmp(tok[0], "vm", 2) == 0)
		return parse_call(p, tok, n, l);
	return perr(p, "unknown statement '%s'", tok[0]);
}

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

int script_parse(const char *text, size_t len, struct script *out, char *err, size_t err_len)
{
	struct parser p = {.lineno = 0, .err = err, .err_len = err_len};
	size_t pos = 0;

	memset(out, 0, sizeof(*out));
	if (err_len)
		err[0] = '\0';
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		struct script_line l;
		char *work, *line_text;
		int rc;

		p.lineno++;
		if (n >= MAX_LINE)
			return perr(&p, "line longer than %d characters", MAX_LINE);
		if (memchr(text + pos, '\0', n))
			return perr(&p, "NUL character");
		memset(&l, 0, sizeof(l));
		l.lineno = p.lineno;
		work = dup_trimmed(text + pos, n);
		pos += n + (nl ? 1 : 0);
		if (!work)
			return perr(&p, "out of memory");
		line_text = dup_trimmed(work, strlen(work));
		if (!line_text) {
			free(work);
			return perr(&p, "out of memory");
		}
		rc = parse_line(&p, work, &l);
		free(work);
		if (rc != 0) {
			free(line_text);
			free(l.bytes);
			free(l.care);
			if (rc < 0)
				return -1;
			continue;
		}
		l.text = line_text;
		if (out->count == out->cap) {
			size_t cap = out->cap ? out->cap * 2 : 32;
			struct script_line *grown = realloc(out->lines, cap * sizeof(*grown));

			if (!grown) {
				free(l.text);
				free(l.bytes);
				free(l.care);
				return perr(&p, "out of memory");
			}
			out->lines = grown;
			out->cap = cap;
		}
		out->lines[out->count++] = l;
	}
	return 0;
}

void script_free(struct script *s)
{
	for (size_t i = 0; i < s->count; i++) {
		free(s->lines[i].text);
		free(s->lines[i].bytes);
		free(s->lines[i].care);
	}
	free(s->lines);
	memset(s, 0, sizeof(*s));
}
