/* SPDX-License-Identifier: MIT */
/* The option parser every `ffamed` subcommand uses (tool_cli.h). */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool_cli.h"

int tool_cli_error(const struct tool_cli *cli, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", cli->cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see '%s --help')\n", cli->cmd);
	return TOOL_EXIT_USAGE;
}

static bool parse_u64(const char *s, uint64_t *out, char **end)
{
	unsigned long long v;

	/* strtoull takes a sign and leading blanks: a number here has neither. */
	if (!s || !(*s >= '0' && *s <= '9'))
		return false;
	errno = 0;
	v = strtoull(s, end, 0);
	if (errno)
		return false;
	*out = v;
	return true;
}

bool tool_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	char *end = NULL;
	uint64_t v;

	if (!parse_u64(s, &v, &end) || *end || v < min || v > max)
		return false;
	*out = (uint32_t)v;
	return true;
}

bool tool_has_ext(const char *path, const char *ext)
{
	size_t n = strlen(path), e = strlen(ext);

	return n > e && strcmp(path + n - e, ext) == 0;
}

bool tool_can_write(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct stat st;

	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			errno = EISDIR;
			return false;
		}
		return access(path, W_OK) == 0;
	}
	if (errno != ENOENT)
		return false;
	if (!slash) {
		strcpy(dir, ".");
	} else if (slash == path) {
		strcpy(dir, "/");
	} else {
		if ((size_t)(slash - path) >= sizeof(dir)) {
			errno = ENAMETOOLONG;
			return false;
		}
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
	}
	if (stat(dir, &st) != 0)
		return false;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return false;
	}
	return access(dir, W_OK | X_OK) == 0;
}

/* "64M" and the like. */
static bool parse_size(const char *s, uint64_t *out)
{
	char *end = NULL;
	uint64_t v, mult = 1;

	if (!parse_u64(s, &v, &end))
		return false;
	if (*end == 'K' || *end == 'k')
		mult = 1ull << 10;
	else if (*end == 'M' || *end == 'm')
		mult = 1ull << 20;
	else if (*end == 'G' || *end == 'g')
		mult = 1ull << 30;
	else if (*end)
		return false;
	if (*end && end[1])
		return false;
	if (v > UINT64_MAX / mult)
		return false;
	*out = v * mult;
	return true;
}

static int take_value(const struct tool_cli *cli, const struct tool_opt *o, const char *v)
{
	switch (o->kind) {
	case TOOL_OPT_FLAG:
		*(bool *)o->dest = true;
		break;
	case TOOL_OPT_U32:
		if (!tool_parse_u32(v, (uint32_t)o->min, (uint32_t)o->max, (uint32_t *)o->dest)) {
			uint32_t any;

			if (tool_parse_u32(v, 0, UINT32_MAX, &any))
				return tool_cli_error(cli, "--%s: %s is out of range (%llu..%llu)",
						      o->name, v, (unsigned long long)o->min,
						      (unsigned long long)o->max);
			return tool_cli_error(cli, "--%s: '%s' is not a number (%llu..%llu)",
					      o->name, v, (unsigned long long)o->min,
					      (unsigned long long)o->max);
		}
		break;
	case TOOL_OPT_SIZE: {
		uint64_t n = 0;

		if (!parse_size(v, &n))
			return tool_cli_error(cli,
					      "--%s: '%s' is not a size (a number of bytes, "
					      "with K, M or G)",
					      o->name, v);
		if (n < o->min || n > o->max)
			return tool_cli_error(cli, "--%s: %s is out of range (%llu..%llu bytes)",
					      o->name, v, (unsigned long long)o->min,
					      (unsigned long long)o->max);
		*(uint64_t *)o->dest = n;
		break;
	}
	case TOOL_OPT_OUT_FILE:
		if (*v && !tool_can_write(v))
			return tool_cli_error(cli, "--%s: cannot write '%s': %s", o->name, v,
					      strerror(errno));
		/* fall through */
	case TOOL_OPT_STRING:
		if (!*v)
			return tool_cli_error(cli, "--%s: the value is empty", o->name);
		*(const char **)o->dest = v;
		break;
	}
	if (o->seen)
		*o->seen = true;
	return -1;
}

static const struct tool_opt *find_long(const struct tool_cli *cli, const char *name, size_t len)
{
	for (unsigned i = 0; i < cli->count; i++)
		if (strlen(cli->opts[i].name) == len && strncmp(cli->opts[i].name, name, len) == 0)
			return &cli->opts[i];
	return NULL;
}

static const struct tool_opt *find_short(const struct tool_cli *cli, char c)
{
	for (unsigned i = 0; i < cli->count; i++)
		if (cli->opts[i].short_name && cli->opts[i].short_name == c)
			return &cli->opts[i];
	return NULL;
}

static int add_operand(struct tool_cli *cli, char *arg)
{
	if (!cli->operands)
		return tool_cli_error(cli, "unexpected argument '%s'", arg);
	cli->operands[cli->operand_count++] = arg;
	return -1;
}

int tool_cli_parse(struct tool_cli *cli, int argc, char **argv)
{
	bool options_done = false;

	cli->operand_count = 0;
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		const struct tool_opt *o;
		const char *value = NULL;
		int rc;

		if (options_done || a[0] != '-' || a[1] == '\0') {
			rc = add_operand(cli, a);
		} else if (strcmp(a, "--") == 0) {
			options_done = true;
			continue;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			cli->usage(stdout);
			return 0;
		} else if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			size_t len = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);

			o = find_long(cli, a + 2, len);
			if (!o)
				return tool_cli_error(cli, "unknown option '%.*s'", (int)len + 2,
						      a);
			if (o->kind == TOOL_OPT_FLAG && eq)
				return tool_cli_error(cli, "--%s takes no value", o->name);
			if (o->kind != TOOL_OPT_FLAG) {
				if (eq)
					value = eq + 1;
				else if (i + 1 < argc)
					value = argv[++i];
				else
					return tool_cli_error(cli, "--%s needs a value", o->name);
			}
			rc = take_value(cli, o, value);
		} else {
			o = find_short(cli, a[1]);
			if (!o || a[2] != '\0')
				return tool_cli_error(cli, "unknown option '%s'", a);
			if (o->kind != TOOL_OPT_FLAG) {
				if (i + 1 >= argc)
					return tool_cli_error(cli, "-%c needs a value", a[1]);
				value = argv[++i];
			}
			rc = take_value(cli, o, value);
		}
		if (rc >= 0)
			return rc;
	}
	return -1;
}
