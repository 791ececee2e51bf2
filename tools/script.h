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

#define SCRIPT_NREGS	 18
#define SCRIPT_MAX_BYTES 4096 /* bytes one write/check line may carry */
#define SCRIPT_NAME_LEN	 48

enum script_kind {
	SCRIPT_SYSTEM,	  /* system vms=N vcpus=N ram=N vm_to_vm=B seed=N */
	SCRIPT_CALL,	  /* vmI.V FUNC args... [-> expected...] */
	SCRIPT_WRITE,	  /* tx|mem ... = bytes */
	SCRIPT_CHECK,	  /* rx|tx|mem ... == bytes */
	SCRIPT_VM_ADD,	  /* vm add ID [vcpus=N] [-> ERROR NAME] */
	SCRIPT_VM_REMOVE, /* vm remove ID */
	SCRIPT_COUNTER,	  /* check NAME == VALUE */
};

enum script_area {
	SCRIPT_AREA_TX,	 /* offset into the VM's TX buffer */
	SCRIPT_AREA_RX,	 /* offset into the VM's RX buffer */
	SCRIPT_AREA_MEM, /* guest address (IPA) */
};

/* How an expected register is compared. */
enum script_cmp {
	SCRIPT_CMP_ANY = 0, /* not checked */
	SCRIPT_CMP_EQ,	    /* equal (low 32 bits for an SMC32 call) */
	SCRIPT_CMP_SUCCESS, /* x0 is FFA_SUCCESS_32 or FFA_SUCCESS_64 */
	SCRIPT_CMP_ERRCODE, /* low 32 bits equal: an FF-A error code */
};

struct script_system {
	uint32_t vms;	/* 2 */
	uint16_t vcpus; /* 2 */
	uint32_t ram;	/* pages per VM, 0: the sim's default */
	bool vm_to_vm;	/* false */
	uint32_t seed;	/* 0 */
};

struct script_line {
	unsigned lineno;
	enum script_kind kind;
	uint16_t vm;   /* VM ID */
	uint16_t vcpu; /* vCPU index, or vcpus= of vm add */
	/* SCRIPT_CALL */
	uint64_t regs[SCRIPT_NREGS]; /* x0 = function ID */
	bool has_expect;
	enum script_cmp cmp[SCRIPT_NREGS];
	uint64_t expect[SCRIPT_NREGS];
	/* SCRIPT_WRITE / SCRIPT_CHECK */
	enum script_area area;
	uint64_t addr;
	size_t len;
	uint8_t *bytes;
	uint8_t *care; /* SCRIPT_CHECK: 0 where any byte matches (?? / skip:N) */
	/* SCRIPT_SYSTEM */
	struct script_system sys;
	/* SCRIPT_COUNTER */
	char name[SCRIPT_NAME_LEN];
	/* SCRIPT_VM_ADD: expected status (0 = OK) */
	int32_t status;
	char *text; /* the source line, for reports */
};

struct script {
	struct script_line *lines;
	size_t count, cap;
};

/*
 * Parse a whole script. Returns 0, or -1 with a message in err (that names
 * the line). Free with script_free() either way.
 */
int script_parse(const char *text, size_t len, struct script *out, char *err, size_t err_len);
void script_free(struct script *s);

/* Names <-> values (function IDs and error codes, with or without FFA_). */
bool script_fid_by_name(const char *name, uint32_t *fid);
bool script_error_by_name(const char *name, int32_t *err);

/* Run a parsed script; mismatches go to out. Returns the number of failed
 * lines (leaks at the end count as one), or -1 if the system could not be
 * built. */
int script_run(const struct script *s, const char *file, FILE *out, bool verbose);

#endif /* FFAMED_SCRIPT_H */
