/* SPDX-License-Identifier: MIT */
/*
 * Memory sharing inside the mediator (docs/MEMORY.md), shared by:
 *   med_mem.c        FFA_MEM_{SHARE,LEND,DONATE}, FRAG_TX, RECLAIM; VM teardown
 *   med_mem_table.c  the transaction table (lookup by handle), VM handles
 *   med_mem_desc.c   parsing/validating copied-out descriptors, encoding them
 *   med_mem_owner.c  per-VM ownership of guest pages (sorted disjoint runs)
 *   med_mem_lend.c   the owner's access and donations (FFAMED_CONFIG_MEM_LEND_DONATE)
 *   med_mem_sp.c     forwarding to the SPMC (physical constituents, FRAG_TX)
 *   med_mem_vm.c     VM borrowers: retrieve, relinquish, the response FRAG_RX,
 *                    their windows (FFAMED_CONFIG_MEM_VM_BORROWERS)
 *
 * Everything in this header that is not a constant is guarded by
 * med->mem_lock (see the lock order in med_internal.h), except where a field
 * says otherwise.
 */
#ifndef FFAMED_MED_MEM_H
#define FFAMED_MED_MEM_H

#include "med_internal.h"

#define MED_MEM_DEFAULT_MAX_PAGES	262144u /* 1 GiB */
#define MED_MEM_DEFAULT_MAX_HANDLES	4096u
#define MED_MEM_DEFAULT_MAX_RECEIVERS	8u
#define MED_MEM_RECEIVERS_LIMIT		64u
#define MED_MEM_DEFAULT_RECLAIM_RETRIES 100u
#define MED_MEM_HASH_BUCKETS		256u
/* The first handle the mediator hands out: the upper word is used early. */
#define MED_MEM_FIRST_HANDLE (FFA_HANDLE_HYP_ALLOCATED | 0xFFFFFFC0ull)

enum med_mem_op {
	MED_MEM_SHARE = 1, /* values are the retrieve flags' type field */
	MED_MEM_LEND = 2,
	MED_MEM_DONATE = 3,
};

/* Descriptor formats: the header and EMAD layout a version uses. */
enum med_mem_fmt {
	MED_MEM_FMT_1_0, /* 32-byte header, 16-byte EMADs at 32 */
	MED_MEM_FMT_1_1, /* 48-byte header, 16-byte EMADs at 48 */
	MED_MEM_FMT_1_2, /* 48-byte header, 32-byte EMADs at 48 */
};

struct med_mem_recv {
	uint16_t id;
	uint8_t perm;
	uint8_t flags;
	uint8_t impdef[16];
};

/* A descriptor validated and normalised, independent of its format. */
struct med_mem_desc {
	uint16_t sender;
	uint16_t attributes;
	uint32_t flags;
	uint64_t handle;
	uint64_t tag;
	uint32_t recv_count;
	struct med_mem_recv *recv;	  /* recv_count entries, allocated */
	uint32_t cons_count;		  /* 0 for a retrieve request */
	struct ffa_mem_constituent *cons; /* allocated, descriptor order */
	uint64_t total_pages;
};

/* A run of guest pages, in guest (IPA) pages. */
struct med_mem_run {
	uint64_t first; /* IPA >> 12 */
	uint64_t count;
};

struct med_mem_txn;

/* One VM's pages in transactions: sorted by first, disjoint. */
struct med_mem_owned {
	uint64_t first;
	uint64_t count;
	const struct med_mem_txn *txn;
	bool donated; /* gone for good: the owner never gets it back */
};

struct med_mem_owner {
	struct med_mem_owned *runs;
	uint32_t count;
	uint32_t cap;
};

enum med_txn_state {
	MED_TXN_LIVE,	 /* in the table: usable by its handle */
	MED_TXN_BUSY,	 /* a reclaim at the SPMC is in flight */
	MED_TXN_DONATED, /* VM donate retrieved: the borrower's for good */
	MED_TXN_ORPHAN,	 /* owner destroyed, the SPMC still holds it */
};

struct med_mem_borrow {
	struct med_mem_recv recv;
	bool retrieved; /* VM borrower: mapped in its window */
	/* The borrower VM was destroyed: a new VM with its ID must not
	 * retrieve what was meant for the old one. */
	bool gone;
	bool write;    /* mapped read-write */
	void *host_vm; /* the borrower's, while retrieved */
	uint64_t *ipa; /* page_count window addresses, while retrieved */
};

struct med_mem_txn {
	struct med_mem_txn *next; /* hash chain, or the orphan list */
	uint64_t handle;
	enum med_mem_op op;
	enum med_txn_state state;
	bool to_sp;
	bool lent_away; /* the owner's access was removed */
	struct ffamed *med;
	struct ffamed_vm *owner; /* NULL once orphaned */
	uint16_t owner_id;
	void *owner_host_vm; /* a host reference is held for the txn's life */
	uint16_t attributes;
	uint32_t flags;
	uint64_t tag;
	uint32_t recv_count;
	struct med_mem_borrow *borrow; /* recv_count entries */
	uint32_t run_count;
	struct med_mem_run *runs; /* the owner's constituents, descriptor order */
	uint64_t page_count;
	uint64_t *pa; /* pinned, in descriptor order */
	/*
	 * Pages the owner holds by donation (in a borrowed window) rather than
	 * in its RAM: per page, the donated transaction whose pins they are
	 * (NULL: pinned for this one); NULL when every page is RAM.
	 */
	struct med_mem_txn **src;
	uint32_t users;		 /* live transactions sending on this donation's pages */
	bool parked;		 /* its holder went; kept in the orphans until users is 0 */
	struct ffamed_work work; /* orphan reclaim retries */
	uint32_t attempts;
};

/* Mediator-wide memory state, embedded in struct ffamed. */
struct med_mem {
	struct med_mem_txn *table[MED_MEM_HASH_BUCKETS];
	struct med_mem_txn *orphans;
	uint64_t next_handle;
	uint32_t live;	/* transactions not yet freed (orphans included) */
	uint64_t pages; /* pages those hold pinned */
};

/* A VM's memory state, embedded in struct ffamed_vm. */
struct med_mem_vm {
	/* Guarded by med->mem_lock. */
	struct med_mem_owner owner;
	uint32_t handles; /* transactions it owns */
	/* Guarded by vm->rxtx_lock: a fragmented send from the guest ... */
	struct {
		bool active;
		uint32_t fid;
		uint64_t handle; /* the final one: the SPMC's when sp_head */
		uint8_t *buf;
		size_t total;
		size_t received;
		uint8_t *sp_head; /* what the SPMC already has, or NULL */
		size_t sp_head_len;
	} send;
	/* ... and a retrieve response still being handed out by FRAG_RX. */
	struct {
		bool active;
		uint64_t handle;
		uint8_t *buf;
		size_t total;
		size_t sent;
		size_t last; /* offset of the fragment handed out last */
	} resp;
};

/* ---- med_mem_desc.c ---- */
enum med_mem_fmt med_mem_fmt_of(uint32_t version);
/* A transaction descriptor from a sender (buf is the mediator's copy). */
int32_t med_mem_desc_parse(const struct ffamed *med, const uint8_t *buf, size_t len,
			   enum med_mem_fmt fmt, enum med_mem_op op, struct med_mem_desc *d);
/* The same checks on the first fragment (len bytes) of a send announced as
 * `total` bytes: everything up to the composite header (total_pages set, no
 * constituents read), and `total` exactly what the composite announces. */
int32_t med_mem_desc_parse_head(const struct ffamed *med, const uint8_t *buf, size_t len,
				uint64_t total, enum med_mem_fmt fmt, enum med_mem_op op,
				struct med_mem_desc *d);
/* A retrieve request: handle, sender, flags, attributes and EMADs; no
 * constituents are read (the relayer has them). */
int32_t med_mem_retrieve_parse(const struct ffamed *med, const uint8_t *buf, size_t len,
			       enum med_mem_fmt fmt, struct med_mem_desc *d);
void med_mem_desc_free(const struct ffamed *med, struct med_mem_desc *d);
/* Size of the encoding of d with n constituents, 0 if it would overflow. */
size_t med_mem_desc_size(enum med_mem_fmt fmt, uint32_t recv_count, uint64_t cons_count);
/* Encodes d with `cons` (n entries) into out (med_mem_desc_size bytes). */
void med_mem_desc_encode(uint8_t *out, enum med_mem_fmt fmt, const struct med_mem_desc *d,
			 const struct ffa_mem_constituent *cons, uint64_t n);
/* Everything up to the composite header, announcing n constituents. */
void med_mem_desc_encode_head(uint8_t *out, enum med_mem_fmt fmt, const struct med_mem_desc *d,
			      uint64_t n);
/* Coalesces addresses (page by page) into constituents; returns the count
 * written to out (at most n entries). */
uint64_t med_mem_coalesce(const uint64_t *addr, uint64_t n, struct ffa_mem_constituent *out);

/* ---- med_mem_owner.c ---- */
/* Sorts runs by address; INVALID_PARAMETERS if two overlap. */
int32_t med_mem_runs_sort_check(struct med_mem_run *runs, uint32_t n);
/* Takes sorted, disjoint runs for txn: DENIED if any page is already in a
 * transaction of this owner (or was donated away). */
int32_t med_mem_owner_claim(const struct ffamed *med, struct med_mem_owner *o,
			    const struct med_mem_run *sorted, uint32_t n,
			    const struct med_mem_txn *txn);
void med_mem_owner_release(struct med_mem_owner *o, const struct med_mem_txn *txn);
/* The txn's pages stay taken for good, whatever becomes of the txn
 * (FFAMED_CONFIG_MEM_LEND_DONATE). */
void med_mem_owner_mark_donated(struct med_mem_owner *o, const struct med_mem_txn *txn);
void med_mem_owner_fini(const struct ffamed *med, struct med_mem_owner *o);

/* ---- med_mem_sp.c ---- */
/* Forwards a transaction to the SPMC; stores the handle it allocated. */
int32_t med_mem_sp_send(struct ffamed *med, uint32_t fid, const struct med_mem_txn *txn,
			uint64_t *handle);
int32_t med_mem_sp_reclaim(struct ffamed *med, uint64_t handle, uint32_t flags);
/* A send the guest makes in fragments: the head at its first fragment
 * (the SPMC's handle comes back), the constituents at its last. */
int32_t med_mem_sp_begin(struct ffamed *med, uint32_t fid, const struct med_mem_desc *d,
			 uint64_t *handle, uint8_t **head, size_t *head_len);
int32_t med_mem_sp_finish(struct ffamed *med, const struct med_mem_txn *txn, uint64_t handle,
			  const uint8_t *head, size_t head_len);

/* ---- med_mem_lend.c (FFAMED_CONFIG_MEM_LEND_DONATE; else med_compiled_out.c) ---- */
/* Removes the owner's access to txn's pages (mem_lock held); all or nothing. */
int32_t med_mem_lend_remove_access(struct ffamed *med, struct med_mem_txn *txn);
/* Gives the owner its access back to runs[0..n); with ram_only, not to the
 * window pages it holds by donation (its windows are already gone). */
void med_mem_lend_restore_access(struct ffamed *med, struct med_mem_txn *txn, uint32_t n,
				 bool ram_only);
/* A donate the borrower took (mem_lock held): the donor loses the handle
 * and the pages for good. */
void med_mem_donated(struct med_mem_txn *txn);

/* ---- med_mem_vm.c (FFAMED_CONFIG_MEM_VM_BORROWERS; else med_compiled_out.c) ---- */
/* Page k of txn at `ipa` is not in the owner's RAM: takes it from a donation
 * vm retrieved into its window; INVALID_PARAMETERS when it is in none. */
int32_t med_mem_pin_held(struct ffamed_vm *vm, struct med_mem_txn *txn, uint64_t k, uint64_t ipa,
			 bool write);
/* Unmaps a VM borrower's window pages of txn (mem_lock held). */
void med_mem_borrow_unmap(struct ffamed *med, struct med_mem_txn *txn, uint32_t i);
/* Zeroes the txn's pages through a temporary hypervisor mapping. */
int32_t med_mem_zero(struct ffamed *med, const struct med_mem_txn *txn);

/* ---- med_mem.c ---- */
/* Whether any of `pages` pages at `ipa` of the VM is in a memory transaction
 * it sent (takes med->mem_lock): RX/TX cannot be mapped there. */
bool med_mem_pages_in_use(struct ffamed_vm *vm, uint64_t ipa, uint64_t pages);
int32_t med_mem_init(struct ffamed *med);
/* Abandons orphaned SP transactions still held (logged, pages stay pinned). */
void med_mem_fini(struct ffamed *med);
int32_t med_mem_vm_init(struct ffamed_vm *vm);
/* Teardown: VM borrowers lose their windows, the VM's transactions with VMs
 * go, those with SPs are reclaimed or retried later from deferred work. */
void med_mem_vm_teardown(struct ffamed_vm *vm);
void med_mem_vm_free(struct ffamed_vm *vm);
/* The handlers (DONATE/LEND/SHARE and FRAG_TX, RECLAIM; RETRIEVE_REQ,
 * RELINQUISH and FRAG_RX for VM borrowers) are declared from the FID table
 * (med_handler.h). */

/* ---- med_mem_table.c ---- */
struct med_mem_txn *med_mem_find(struct ffamed *med, uint64_t handle);
void med_mem_insert(struct ffamed *med, struct med_mem_txn *txn);
void med_mem_remove(struct ffamed *med, struct med_mem_txn *txn);
/* A handle for a transaction with VM borrowers only (takes mem_lock). */
uint64_t med_mem_new_handle(struct ffamed *med);

#endif /* FFAMED_MED_MEM_H */
