/* SPDX-License-Identifier: MIT */
/*
 * `ffamed script`: text files of FF-A calls against a simulated system
 * (format in docs/SCRIPT.md). script_parse.c turns the text into lines;
 * script_run.c runs them. The parser needs nothing but libc, so the fuzz
 * harness can drive it alone.
 */
#ifndef FFAMED_SCRIPT_H
#define FFAMED_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SCRIPT_NREGS	    18
#define SCRIPT_MAX_BYTES    4096 /* bytes one write/check line may carry */
#define SCRIPT_NAME_LEN	    48
#define SCRIPT_MAX_ALTS	    4	       /* "one of" alternatives per register */
#define SCRIPT_MAX_VARS	    256	       /* captured names per script */
#define SCRIPT_MAX_PEERS    8	       /* peer= entries of one VM's policy */
#define SCRIPT_MAX_VCPUS    8	       /* vCPUs of one VM */
#define SCRIPT_MAX_VMS	    16	       /* VMs of a system line */
#define SCRIPT_MAX_INCLUDES 8	       /* include depth */
#define SCRIPT_MAX_FILE	    (4u << 20) /* bytes of one script file */

enum script_kind {
	SCRIPT_SYSTEM,	  /* system vms=N vcpus=N ram=N vm_to_vm=B seed=N cpus=N vmI.KEY=V */
	SCRIPT_CALL,	  /* vmI.V FUNC args... [-> expected...] */
	SCRIPT_WRITE,	  /* tx|mem ... = bytes */
	SCRIPT_CHECK,	  /* rx|tx|mem ... == bytes */
	SCRIPT_VM_ADD,	  /* vm add ID [vcpus=N] [policy] [-> ERROR NAME] */
	SCRIPT_VM_REMOVE, /* vm remove ID */
	SCRIPT_COUNTER,	  /* check NAME == VALUE */
	SCRIPT_AWAIT,	  /* await vmI.V [-> expected...] */
	SCRIPT_ACCESS,	  /* access vmI ADDR == rw|ro|none */
};

enum script_area {
	SCRIPT_AREA_TX,	 /* offset into the VM's TX buffer */
	SCRIPT_AREA_RX,	 /* offset into the VM's RX buffer */
	SCRIPT_AREA_MEM, /* guest address (IPA) */
};

/* How an expected register is compared. */
enum script_cmp {
	SCRIPT_CMP_ANY = 0, /* not checked */
	SCRIPT_CMP_EQ,	    /* one of the alternatives, under its mask and the width */
	SCRIPT_CMP_SUCCESS, /* x0 is FFA_SUCCESS_32 or FFA_SUCCESS_64 */
	SCRIPT_CMP_ERRCODE, /* one of the FF-A error codes (w2, or x2 zero-extended) */
};

/* Register widths compared. */
enum script_width {
	SCRIPT_WIDTH_CALL = 0, /* the call's: 32 bits for SMC32, 64 for SMC64 */
	SCRIPT_WIDTH_32,       /* wN= */
	SCRIPT_WIDTH_64,       /* xN=, or `compare wide` */
};

/* Expected values of one register: any one alternative matches. */
struct script_alts {
	uint8_t n;
	enum script_width width;
	uint64_t value[SCRIPT_MAX_ALTS];
	uint64_t mask[SCRIPT_MAX_ALTS];
};

enum script_access {
	SCRIPT_ACCESS_NONE,
	SCRIPT_ACCESS_RO,
	SCRIPT_ACCESS_RW,
};

/* One VM's settings: vCPUs and access policy (rights FFAMED_RIGHT_*). */
struct script_vmcfg {
	uint16_t vcpus; /* 0: the system's */
	bool has_policy;
	uint32_t sp_rights, vm_rights;
	uint32_t peer_count;
	uint16_t peer[SCRIPT_MAX_PEERS];
	uint32_t peer_rights[SCRIPT_MAX_PEERS];
};

struct script_system {
	uint32_t vms;				/* 2 */
	uint16_t vcpus;				/* 2 */
	uint32_t ram;				/* pages per VM, 0: the sim's default */
	bool vm_to_vm;				/* false */
	uint32_t seed;				/* 0 */
	uint32_t cpus;				/* simulated CPUs, 0: the sim's choice */
	struct script_vmcfg vm[SCRIPT_MAX_VMS]; /* VM i + 1 */
};

struct script_line {
	const char *file; /* owned by the script */
	unsigned lineno;
	enum script_kind kind;
	uint16_t vm;   /* VM ID */
	uint16_t vcpu; /* vCPU index */
	/* SCRIPT_CALL, SCRIPT_AWAIT */
	uint64_t regs[SCRIPT_NREGS]; /* x0 = function ID */
	bool has_expect;
	bool expect_blocked; /* -> BLOCKED */
	bool quiet;	     /* an expected refusal: the port's warnings are not shown */
	enum script_cmp cmp[SCRIPT_NREGS];
	struct script_alts expect[SCRIPT_NREGS];
	int16_t capture[SCRIPT_NREGS]; /* @name: index into script.vars, -1 none */
	/* SCRIPT_WRITE / SCRIPT_CHECK / SCRIPT_ACCESS */
	enum script_area area;
	uint64_t addr;
	size_t len;
	uint8_t *bytes;
	uint8_t *care; /* SCRIPT_CHECK: 0 where any byte matches (?? / skip:N) */
	enum script_access access;
	/* SCRIPT_SYSTEM (owned) */
	struct script_system *sys;
	/* SCRIPT_VM_ADD */
	struct script_vmcfg vmcfg;
	int32_t status; /* expected status (0 = OK) */
	/* SCRIPT_COUNTER */
	char name[SCRIPT_NAME_LEN];
	uint64_t value;
	/* Lines that use $names are parsed again when run, from this text. */
	char *deferred;
	bool wide;  /* `compare wide` in force (for deferred lines) */
	char *text; /* the source line, for reports */
};

struct script {
	struct script_line *lines;
	size_t count, cap;
	char **files; /* names of the script and its includes */
	size_t file_count;
	char vars[SCRIPT_MAX_VARS][SCRIPT_NAME_LEN];
	size_t var_count;
};

/*
 * Parse a whole script. Returns 0, or -1 with a message in err that names
 * the file and line. Free with script_free() either way. `path` names the
 * text in messages and is where `include` resolves from; with path NULL
 * (text from memory: the fuzzer) `include` is refused.
 */
int script_parse_file(const char *text, size_t len, const char *path, struct script *out, char *err,
		      size_t err_len);
/* script_parse_file(text, len, NULL, ...). */
int script_parse(const char *text, size_t len, struct script *out, char *err, size_t err_len);
void script_free(struct script *s);

/*
 * A deferred line with values substituted for its $names: parsed into out
 * (free with script_line_free). Returns 0, or -1 with a message in err.
 */
int script_parse_deferred(const struct script *s, const struct script_line *l,
			  const uint64_t *values, struct script_line *out, char *err,
			  size_t err_len);
void script_line_free(struct script_line *l);

/* Names <-> values (function IDs and error codes, with or without FFA_). */
bool script_fid_by_name(const char *name, uint32_t *fid);
bool script_error_by_name(const char *name, int32_t *err);

/* Run a parsed script; mismatches go to out. Returns the number of failed
 * lines (leaks at the end of each system count as one), or -1 on a script
 * error found while running (a buffer offset past the buffer) or if the
 * system could not be built: the message is in out. */
int script_run(const struct script *s, const char *file, FILE *out, bool verbose);

#endif /* FFAMED_SCRIPT_H */
