/* SPDX-License-Identifier: MIT */
/*
 * The Arm FF-A ABI (DEN0077A v1.0-v1.2, v1.3 IDs as constants): function IDs,
 * error codes, version encoding, register-level field helpers and the
 * in-memory descriptor layouts. Pure definitions: no code, no libc.
 *
 * Every descriptor layout carries static assertions on its size and on each
 * field offset named in docs/FFA-ABI.md, so a layout
 * mistake fails the build instead of a guest.
 */
#ifndef FFAMED_FFA_H
#define FFAMED_FFA_H

#include <stddef.h>
#include <stdint.h>

#include "ffamed/regs.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- SMCCC function ID composition ------------------------------------ */
#define FFA_SMC32(fnum)	   (0x84000000u | (uint32_t)(fnum))
#define FFA_SMC64(fnum)	   (0xC4000000u | (uint32_t)(fnum))
#define FFA_FID_IS_64(fid) (((fid)&0x40000000u) != 0)
/* SMCCC v1.3 "SVE live state not needed" hint: mask before decoding. */
#define FFA_SMCCC_SVE_HINT 0x00010000u
#define FFA_FNUM(fid)	   ((fid)&0xFFFFu)
#define FFA_FNUM_MIN	   0x60u
#define FFA_FNUM_MAX	   0xEFu /* SMCCC range reserved for FF-A */
#define FFA_FID_IS_FFA(fid)                                                                        \
	((((fid)&0xBFFE0000u) == 0x84000000u) && FFA_FNUM(fid) >= FFA_FNUM_MIN &&                  \
	 FFA_FNUM(fid) <= FFA_FNUM_MAX)

/* ---- Function IDs: framework, setup, discovery ------------------------- */
#define FFA_ERROR		    FFA_SMC32(0x60)
#define FFA_ERROR_64		    FFA_SMC64(0x60) /* v1.3 */
#define FFA_SUCCESS_32		    FFA_SMC32(0x61)
#define FFA_SUCCESS_64		    FFA_SMC64(0x61)
#define FFA_INTERRUPT		    FFA_SMC32(0x62)
#define FFA_INTERRUPT_64	    FFA_SMC64(0x62) /* v1.3 */
#define FFA_VERSION		    FFA_SMC32(0x63)
#define FFA_FEATURES		    FFA_SMC32(0x64)
#define FFA_RX_RELEASE		    FFA_SMC32(0x65)
#define FFA_RXTX_MAP_32		    FFA_SMC32(0x66)
#define FFA_RXTX_MAP_64		    FFA_SMC64(0x66)
#define FFA_RXTX_UNMAP		    FFA_SMC32(0x67)
#define FFA_PARTITION_INFO_GET	    FFA_SMC32(0x68)
#define FFA_ID_GET		    FFA_SMC32(0x69)
#define FFA_MSG_POLL		    FFA_SMC32(0x6A) /* v1.0 only */
#define FFA_MSG_WAIT		    FFA_SMC32(0x6B)
#define FFA_MSG_WAIT_64		    FFA_SMC64(0x6B) /* v1.3 */
#define FFA_YIELD		    FFA_SMC32(0x6C)
#define FFA_YIELD_64		    FFA_SMC64(0x6C) /* v1.3 */
#define FFA_RUN			    FFA_SMC32(0x6D)
#define FFA_RUN_64		    FFA_SMC64(0x6D) /* v1.3 */
#define FFA_MSG_SEND		    FFA_SMC32(0x6E) /* v1.0 only */
#define FFA_MSG_SEND_DIRECT_REQ_32  FFA_SMC32(0x6F)
#define FFA_MSG_SEND_DIRECT_REQ_64  FFA_SMC64(0x6F)
#define FFA_MSG_SEND_DIRECT_RESP_32 FFA_SMC32(0x70)
#define FFA_MSG_SEND_DIRECT_RESP_64 FFA_SMC64(0x70)
/* Memory management (DEN0140 from v1.2; IDs unchanged). */
#define FFA_MEM_DONATE_32	   FFA_SMC32(0x71)
#define FFA_MEM_DONATE_64	   FFA_SMC64(0x71)
#define FFA_MEM_LEND_32		   FFA_SMC32(0x72)
#define FFA_MEM_LEND_64		   FFA_SMC64(0x72)
#define FFA_MEM_SHARE_32	   FFA_SMC32(0x73)
#define FFA_MEM_SHARE_64	   FFA_SMC64(0x73)
#define FFA_MEM_RETRIEVE_REQ_32	   FFA_SMC32(0x74)
#define FFA_MEM_RETRIEVE_REQ_64	   FFA_SMC64(0x74)
#define FFA_MEM_RETRIEVE_RESP	   FFA_SMC32(0x75)
#define FFA_MEM_RELINQUISH	   FFA_SMC32(0x76)
#define FFA_MEM_RECLAIM		   FFA_SMC32(0x77)
#define FFA_MEM_OP_PAUSE	   FFA_SMC32(0x78)
#define FFA_MEM_OP_RESUME	   FFA_SMC32(0x79)
#define FFA_MEM_FRAG_RX		   FFA_SMC32(0x7A)
#define FFA_MEM_FRAG_TX		   FFA_SMC32(0x7B)
#define FFA_NORMAL_WORLD_RESUME	   FFA_SMC32(0x7C)
#define FFA_NORMAL_WORLD_RESUME_64 FFA_SMC64(0x7C) /* v1.3 */
/* Notifications (v1.1). */
#define FFA_NOTIFICATION_BITMAP_CREATE	FFA_SMC32(0x7D)
#define FFA_NOTIFICATION_BITMAP_DESTROY FFA_SMC32(0x7E)
#define FFA_NOTIFICATION_BIND		FFA_SMC32(0x7F)
#define FFA_NOTIFICATION_UNBIND		FFA_SMC32(0x80)
#define FFA_NOTIFICATION_SET		FFA_SMC32(0x81)
#define FFA_NOTIFICATION_GET		FFA_SMC32(0x82)
#define FFA_NOTIFICATION_INFO_GET_32	FFA_SMC32(0x83)
#define FFA_NOTIFICATION_INFO_GET_64	FFA_SMC64(0x83)
/* v1.1 additions. */
#define FFA_RX_ACQUIRE		     FFA_SMC32(0x84)
#define FFA_SPM_ID_GET		     FFA_SMC32(0x85)
#define FFA_MSG_SEND2		     FFA_SMC32(0x86)
#define FFA_SECONDARY_EP_REGISTER_32 FFA_SMC32(0x87)
#define FFA_SECONDARY_EP_REGISTER_64 FFA_SMC64(0x87)
#define FFA_MEM_PERM_GET_32	     FFA_SMC32(0x88)
#define FFA_MEM_PERM_GET_64	     FFA_SMC64(0x88)
#define FFA_MEM_PERM_SET_32	     FFA_SMC32(0x89)
#define FFA_MEM_PERM_SET_64	     FFA_SMC64(0x89)
/* v1.2 additions. */
#define FFA_CONSOLE_LOG_32	    FFA_SMC32(0x8A)
#define FFA_CONSOLE_LOG_64	    FFA_SMC64(0x8A)
#define FFA_PARTITION_INFO_GET_REGS FFA_SMC64(0x8B)
#define FFA_EL3_INTR_HANDLE	    FFA_SMC32(0x8C)
#define FFA_MSG_SEND_DIRECT_REQ2    FFA_SMC64(0x8D)
#define FFA_MSG_SEND_DIRECT_RESP2   FFA_SMC64(0x8E)
/* v1.3 additions (constants only). */
#define FFA_NS_RES_INFO_GET FFA_SMC64(0x8F)
#define FFA_ABORT_32	    FFA_SMC32(0x90)
#define FFA_ABORT_64	    FFA_SMC64(0x90)

/* ---- Error codes (FFA_ERROR w2, signed 32-bit) ------------------------- */
#define FFA_RET_OK		   0
#define FFA_RET_NOT_SUPPORTED	   (-1)
#define FFA_RET_INVALID_PARAMETERS (-2)
#define FFA_RET_NO_MEMORY	   (-3)
#define FFA_RET_BUSY		   (-4)
#define FFA_RET_INTERRUPTED	   (-5)
#define FFA_RET_DENIED		   (-6)
#define FFA_RET_RETRY		   (-7)
#define FFA_RET_ABORTED		   (-8)
#define FFA_RET_NO_DATA		   (-9)
#define FFA_RET_NOT_READY	   (-10)

/* ---- Versions ---------------------------------------------------------- */
#define FFA_VERSION_MAJOR_SHIFT 16
#define FFA_VERSION_MAJOR_MASK	0x7FFFu
#define FFA_VERSION_MINOR_MASK	0xFFFFu
#define FFA_VERSION_MBZ_BIT	0x80000000u
#define FFA_MAKE_VERSION(maj, min)                                                                 \
	((((uint32_t)(maj)&FFA_VERSION_MAJOR_MASK) << FFA_VERSION_MAJOR_SHIFT) |                   \
	 ((uint32_t)(min)&FFA_VERSION_MINOR_MASK))
#define FFA_VERSION_MAJOR(v) (((uint32_t)(v) >> FFA_VERSION_MAJOR_SHIFT) & FFA_VERSION_MAJOR_MASK)
#define FFA_VERSION_MINOR(v) ((uint32_t)(v)&FFA_VERSION_MINOR_MASK)
#define FFA_VERSION_1_0	     FFA_MAKE_VERSION(1, 0)
#define FFA_VERSION_1_1	     FFA_MAKE_VERSION(1, 1)
#define FFA_VERSION_1_2	     FFA_MAKE_VERSION(1, 2)
#define FFA_VERSION_1_3	     FFA_MAKE_VERSION(1, 3)
/* FFA_VERSION answers in w0 directly; NOT_SUPPORTED is then this value. */
#define FFA_VERSION_NOT_SUPPORTED 0xFFFFFFFFu

/* ---- Endpoint IDs ------------------------------------------------------ */
#define FFA_HYP_ID	     0x0000u /* the hypervisor at the NS physical instance */
#define FFA_SPMC_ID_DEFAULT  0x8000u
#define FFA_SPMD_ID	     0xFFFFu
#define FFA_INVALID_ID	     0x7FFFu
#define FFA_ID_SECURE_BIT    0x8000u
#define FFA_ID_IS_SECURE(id) (((id)&FFA_ID_SECURE_BIT) != 0)
#define FFA_ID_MASK	     0xFFFFu

/* w1 of direct messages, notification bind/set: sender[31:16] receiver[15:0]. */
#define FFA_SENDER(w1)		  ((uint16_t)(((w1) >> 16) & 0xFFFFu))
#define FFA_RECEIVER(w1)	  ((uint16_t)((w1)&0xFFFFu))
#define FFA_SENDER_RECEIVER(s, r) ((((uint32_t)(s)&0xFFFFu) << 16) | ((uint32_t)(r)&0xFFFFu))
/* Target info (FFA_RUN, FFA_INTERRUPT, FFA_YIELD): endpoint[31:16] vCPU[15:0]. */
#define FFA_TARGET_INFO(ep, vcpu) FFA_SENDER_RECEIVER(ep, vcpu)
#define FFA_TARGET_EP(w1)	  FFA_SENDER(w1)
#define FFA_TARGET_VCPU(w1)	  FFA_RECEIVER(w1)

/* ---- Sizes ------------------------------------------------------------- */
#define FFA_PAGE_SIZE		 4096u
#define FFA_PAGE_SHIFT		 12
#define FFA_INVALID_HANDLE	 0xFFFFFFFFFFFFFFFFull
#define FFA_HANDLE_HYP_ALLOCATED (1ull << 63)

/* ---- FFA_FEATURES ------------------------------------------------------ */
#define FFA_FEATURES_FID_BIT 0x80000000u /* w1 bit31 set: w1 is a function ID */
#define FFA_FEATURE_NPI	     0x1u	 /* Notification Pending Interrupt */
#define FFA_FEATURE_SRI	     0x2u	 /* Schedule Receiver Interrupt */
#define FFA_FEATURE_MEI	     0x3u	 /* Managed Exit Interrupt */
#define FFA_FEATURE_NOTIF    0x4u	 /* v1.3 notification features */
/* RXTX_MAP properties, w2[1:0]: minimum buffer size and alignment. */
#define FFA_RXTX_MAP_MIN_4K	     0x0u
#define FFA_RXTX_MAP_MIN_64K	     0x1u
#define FFA_RXTX_MAP_MIN_16K	     0x2u
#define FFA_RXTX_MAP_MAX_PAGES_SHIFT 16 /* w2[31:16], v1.2 */
/* MEM_RETRIEVE_REQ properties. */
#define FFA_MEM_RETRIEVE_PROP_DYN_BUF	   0x1u
#define FFA_MEM_RETRIEVE_PROP_NS_BIT	   0x2u
#define FFA_MEM_RETRIEVE_PROP_HYP_RETRIEVE 0x4u

/* ---- RXTX_MAP / RXTX_UNMAP / RX_RELEASE / RX_ACQUIRE --------------------- */
/* RXTX_MAP w3 page count: the field width is unverified (TF-A masks 5 bits,
 * Hafnium accepts its whole maximum), so the count is read as all of w3. */
#define FFA_RXTX_UNMAP_ID(w1) FFA_SENDER(w1)   /* w1[31:16] */
#define FFA_RX_VM_ID(w1)      FFA_RECEIVER(w1) /* RX_RELEASE / RX_ACQUIRE w1[15:0] */

/* ---- FFA_PARTITION_INFO_GET -------------------------------------------- */
#define FFA_PARTITION_INFO_GET_COUNT_FLAG 0x1u
/* GET_REGS x3 input and x2 output fields. */
#define FFA_PIG_REGS_START_INDEX(x3) ((uint16_t)((x3)&0xFFFFu))
#define FFA_PIG_REGS_TAG(x3)	     ((uint16_t)(((x3) >> 16) & 0xFFFFu))
#define FFA_PIG_REGS_X2(last, cur, tag, size)                                                      \
	(((uint64_t)(last)&0xFFFFu) | (((uint64_t)(cur)&0xFFFFu) << 16) |                          \
	 (((uint64_t)(tag)&0xFFFFu) << 32) | (((uint64_t)(size)&0xFFFFu) << 48))
#define FFA_PIG_REGS_DESC_PER_CALL 5 /* 3 registers each in x3..x17 (v1.2) */

/* Partition properties. */
#define FFA_PART_PROP_DIRECT_REQ_RECV  (1u << 0)
#define FFA_PART_PROP_DIRECT_REQ_SEND  (1u << 1)
#define FFA_PART_PROP_INDIRECT_MSG     (1u << 2)
#define FFA_PART_PROP_NOTIFICATIONS    (1u << 3)
#define FFA_PART_PROP_ID_TYPE_SHIFT    4
#define FFA_PART_PROP_ID_TYPE_MASK     (3u << 4)
#define FFA_PART_PROP_ID_TYPE_PE       (0u << 4)
#define FFA_PART_PROP_VM_CREATED       (1u << 6)
#define FFA_PART_PROP_VM_DESTROYED     (1u << 7)
#define FFA_PART_PROP_AARCH64	       (1u << 8)
#define FFA_PART_PROP_DIRECT_REQ2_RECV (1u << 9)
#define FFA_PART_PROP_DIRECT_REQ2_SEND (1u << 10)
#define FFA_PART_PROP_LIVE_ACTIVATION  (1u << 11) /* v1.3 */
#define FFA_PART_PROP_LA_RENDEZVOUS    (1u << 12) /* v1.3 */
#define FFA_PART_PROP_SMC64_CYCLES     (1u << 13) /* v1.3 */
/* Bits a caller of each version may see (callee clears the rest). */
#define FFA_PART_PROP_MASK_1_0 0x7u
#define FFA_PART_PROP_MASK_1_1 0x7FFu
#define FFA_PART_PROP_MASK_1_2 0x7FFu

/* ---- Direct messages ---------------------------------------------------- */
#define FFA_MSG_FLAG_FRAMEWORK	      (1u << 31)
#define FFA_MSG_FRAMEWORK_TYPE_MASK   0xFFu
#define FFA_FWK_MSG_PSCI_REQ	      0x0u
#define FFA_FWK_MSG_WARM_BOOT	      0x1u
#define FFA_FWK_MSG_PSCI_RESP	      0x2u
#define FFA_FWK_MSG_VM_CREATED	      0x4u
#define FFA_FWK_MSG_VM_CREATED_RESP   0x5u
#define FFA_FWK_MSG_VM_DESTROYED      0x6u
#define FFA_FWK_MSG_VM_DESTROYED_RESP 0x7u
#define FFA_FWK_MSG_VERSION_REQ	      0x8u
#define FFA_FWK_MSG_VERSION_RESP      0x9u
#define FFA_FWK_MSG(type)	      (FFA_MSG_FLAG_FRAMEWORK | (uint32_t)(type))

/* ---- Indirect messaging (FFA_MSG_SEND2, v1.1) --------------------------- */
/* w2 of FFA_MSG_SEND2: delay the Schedule Receiver Interrupt (SP senders only). */
#define FFA_MSG_SEND2_FLAG_DELAY_SRI (1u << 1)
/* w2 of FFA_MSG_WAIT (v1.2): keep the RX buffer instead of releasing it. */
#define FFA_MSG_WAIT_FLAG_RETAIN_RX (1u << 0)
/* Header sizes: a v1.1 sender writes 20 bytes, v1.2+ 40 (with the UUID). */
#define FFA_MSG_HDR_SIZE_1_1 20u
#define FFA_MSG_HDR_SIZE_1_2 40u

/* ---- Notifications ----------------------------------------------------- */
#define FFA_NOTIF_FLAG_PER_VCPU	   (1u << 0)
#define FFA_NOTIF_SET_DELAY_SRI	   (1u << 1)
#define FFA_NOTIF_SET_VCPU_SHIFT   16
#define FFA_NOTIF_GET_VCPU(w1)	   FFA_SENDER(w1)
#define FFA_NOTIF_GET_RECEIVER(w1) FFA_RECEIVER(w1)
#define FFA_NOTIF_GET_SP	   (1u << 0)
#define FFA_NOTIF_GET_VM	   (1u << 1)
#define FFA_NOTIF_GET_SPM_FWK	   (1u << 2)
#define FFA_NOTIF_GET_HYP_FWK	   (1u << 3)
#define FFA_NOTIF_GET_FLAGS_MASK   0xFu
/* Framework notification IDs. */
#define FFA_FWK_NOTIF_RX_FULL (1u << 0)
/* NOTIFICATION_INFO_GET w2 encoding. */
#define FFA_NOTIF_INFO_MORE_PENDING	  (1u << 0)
#define FFA_NOTIF_INFO_LIST_COUNT_SHIFT	  7
#define FFA_NOTIF_INFO_LIST_COUNT_MASK	  0x1Fu
#define FFA_NOTIF_INFO_LIST_SIZE_SHIFT(i) (12 + 2 * (i))
#define FFA_NOTIF_INFO_MAX_IDS_32	  10
#define FFA_NOTIF_INFO_MAX_IDS_64	  20

/* ---- Memory management fields ------------------------------------------ */
#define FFA_MEM_FLAG_ZERO_MEMORY       (1u << 0)
#define FFA_MEM_FLAG_TIME_SLICING      (1u << 1)
#define FFA_MEM_FLAG_ZERO_AFTER_RELINQ (1u << 2) /* retrieve */
#define FFA_MEM_FLAG_TYPE_SHIFT	       3
#define FFA_MEM_FLAG_TYPE_MASK	       (3u << 3)
#define FFA_MEM_FLAG_TYPE_SHARE	       (1u << 3)
#define FFA_MEM_FLAG_TYPE_LEND	       (2u << 3)
#define FFA_MEM_FLAG_TYPE_DONATE       (3u << 3)
#define FFA_MEM_FLAGS_TRANSACTION_MASK 0x3u
#define FFA_MEM_FLAGS_RETRIEVE_MASK    0x3FFu
/* Retrieve: address range alignment hint; bits 8:5 are MBZ unless bit 9 is set. */
#define FFA_MEM_FLAG_ALIGN_HINT_MASK  (0xFu << 5)
#define FFA_MEM_FLAG_ALIGN_HINT_VALID (1u << 9)
/* Memory region attributes. */
#define FFA_MEM_ATTR_SH_NON	     0x0u
#define FFA_MEM_ATTR_SH_OUTER	     0x2u
#define FFA_MEM_ATTR_SH_INNER	     0x3u
#define FFA_MEM_ATTR_CACHE_NC	     (0x1u << 2)
#define FFA_MEM_ATTR_CACHE_WB	     (0x3u << 2)
#define FFA_MEM_ATTR_TYPE_DEVICE     (0x1u << 4)
#define FFA_MEM_ATTR_TYPE_NORMAL     (0x2u << 4)
#define FFA_MEM_ATTR_TYPE_MASK	     (0x3u << 4)
#define FFA_MEM_ATTR_NS		     (1u << 6)
#define FFA_MEM_ATTR_NORMAL_WB_INNER 0x2Fu
/* Access permissions (EMAD byte 2). */
#define FFA_MEM_PERM_DATA_RO		     0x1u
#define FFA_MEM_PERM_DATA_RW		     0x2u
#define FFA_MEM_PERM_DATA_MASK		     0x3u
#define FFA_MEM_PERM_INST_NX		     (0x1u << 2)
#define FFA_MEM_PERM_INST_X		     (0x2u << 2)
#define FFA_MEM_PERM_INST_MASK		     (0x3u << 2)
#define FFA_EMAD_FLAG_NON_RETRIEVAL_BORROWER 0x1u
#define FFA_MEM_RECLAIM_FLAGS_MASK	     0x3u
#define FFA_MEM_FRAG_ENDPOINT(w4)	     FFA_SENDER(w4)

/* ---- UUID ---------------------------------------------------------------- */
/* 16 bytes in RFC 4122 order; registers carry them as little-endian words. */
struct ffa_uuid {
	uint8_t b[16];
};

/* ---- Descriptor layouts (all little-endian, packed as the spec places them) */

/* The partition message header at offset 0 of the sender's TX buffer and,
 * once delivered, of the receiver's RX buffer. v1.1 senders stop after
 * `size` (20 bytes); the rest is v1.2. */
struct ffa_msg_hdr {
	uint32_t flags;	    /* SBZ */
	uint32_t reserved0; /* SBZ */
	uint32_t offset;    /* of the payload from the buffer start, >= header size */
	uint16_t receiver;
	uint16_t sender;
	uint32_t size;	      /* payload bytes */
	uint32_t reserved1;   /* v1.2, SBZ */
	struct ffa_uuid uuid; /* v1.2: the service targeted (Nil: the partition) */
};
#define FFA_PACKED __attribute__((packed))

/* Partition information, v1.0 (8 bytes). */
struct ffa_partition_info_1_0 {
	uint16_t id;
	uint16_t exec_ctx_count;
	uint32_t properties;
} FFA_PACKED;

/* Partition information, v1.1/v1.2 (24 bytes). */
struct ffa_partition_info_1_1 {
	uint16_t id;
	uint16_t exec_ctx_count;
	uint32_t properties;
	uint8_t uuid[16];
} FFA_PACKED;

/* Endpoint RX/TX descriptor (RXTX_MAP forwarded by the hypervisor, §7.3). */
struct ffa_endpoint_rxtx_desc {
	uint16_t endpoint_id;
	uint16_t reserved;
	uint32_t rx_region_offset; /* to the RX buffer's composite descriptor */
	uint32_t tx_region_offset; /* to the TX buffer's composite descriptor */
	uint32_t padding;	   /* keeps the composites 8-byte aligned */
} FFA_PACKED;

/* Constituent memory region descriptor (16 bytes). */
struct ffa_mem_constituent {
	uint64_t address;
	uint32_t page_count;
	uint32_t reserved;
} FFA_PACKED;

/* Composite memory region descriptor (16-byte header). */
struct ffa_mem_composite {
	uint32_t total_page_count;
	uint32_t constituent_count;
	uint64_t reserved;
	/* struct ffa_mem_constituent constituents[]; */
} FFA_PACKED;

/* Endpoint memory access descriptor, v1.0/v1.1 (16 bytes). */
struct ffa_mem_access_1_0 {
	uint16_t receiver;
	uint8_t permissions;
	uint8_t flags;
	uint32_t composite_offset;
	uint64_t reserved;
} FFA_PACKED;

/* Endpoint memory access descriptor, v1.2+ (32 bytes). */
struct ffa_mem_access_1_2 {
	uint16_t receiver;
	uint8_t permissions;
	uint8_t flags;
	uint32_t composite_offset;
	uint8_t impdef[16];
	uint64_t reserved;
} FFA_PACKED;

/* Memory transaction descriptor, v1.0 (32-byte header, EMADs at 32). */
struct ffa_mem_region_1_0 {
	uint16_t sender;
	uint8_t attributes;
	uint8_t reserved0;
	uint32_t flags;
	uint64_t handle;
	uint64_t tag;
	uint32_t reserved1;
	uint32_t emad_count;
	/* struct ffa_mem_access_1_0 emads[]; */
} FFA_PACKED;

/* Memory transaction descriptor, v1.1+ (48-byte header). */
struct ffa_mem_region_1_1 {
	uint16_t sender;
	uint16_t attributes;
	uint32_t flags;
	uint64_t handle;
	uint64_t tag;
	uint32_t emad_size;
	uint32_t emad_count;
	uint32_t emad_offset;
	uint8_t reserved[12];
} FFA_PACKED;

/* Relinquish descriptor (16-byte header, then endpoint IDs). */
struct ffa_mem_relinquish {
	uint64_t handle;
	uint32_t flags;
	uint32_t endpoint_count;
	/* uint16_t endpoints[]; */
} FFA_PACKED;

/* ---- Layout checks ------------------------------------------------------ */
#ifdef __cplusplus
#define FFA_STATIC_ASSERT static_assert
#else
#define FFA_STATIC_ASSERT _Static_assert
#endif
#define FFA_CHECK_SIZE(t, n)   FFA_STATIC_ASSERT(sizeof(struct t) == (n), #t " size")
#define FFA_CHECK_OFF(t, f, n) FFA_STATIC_ASSERT(offsetof(struct t, f) == (n), #t "." #f)

FFA_CHECK_SIZE(ffa_uuid, 16);
FFA_CHECK_SIZE(ffa_msg_hdr, FFA_MSG_HDR_SIZE_1_2);
FFA_CHECK_OFF(ffa_msg_hdr, flags, 0);
FFA_CHECK_OFF(ffa_msg_hdr, reserved0, 4);
FFA_CHECK_OFF(ffa_msg_hdr, offset, 8);
FFA_CHECK_OFF(ffa_msg_hdr, receiver, 12);
FFA_CHECK_OFF(ffa_msg_hdr, sender, 14);
FFA_CHECK_OFF(ffa_msg_hdr, size, 16);
FFA_STATIC_ASSERT(offsetof(struct ffa_msg_hdr, size) + 4 == FFA_MSG_HDR_SIZE_1_1,
		  "ffa_msg_hdr: the v1.1 header ends after size");
FFA_CHECK_OFF(ffa_msg_hdr, reserved1, 20);
FFA_CHECK_OFF(ffa_msg_hdr, uuid, 24);
FFA_CHECK_SIZE(ffa_partition_info_1_0, 8);
FFA_CHECK_OFF(ffa_partition_info_1_0, id, 0);
FFA_CHECK_OFF(ffa_partition_info_1_0, exec_ctx_count, 2);
FFA_CHECK_OFF(ffa_partition_info_1_0, properties, 4);
FFA_CHECK_SIZE(ffa_partition_info_1_1, 24);
FFA_CHECK_OFF(ffa_partition_info_1_1, id, 0);
FFA_CHECK_OFF(ffa_partition_info_1_1, exec_ctx_count, 2);
FFA_CHECK_OFF(ffa_partition_info_1_1, properties, 4);
FFA_CHECK_OFF(ffa_partition_info_1_1, uuid, 8);
FFA_CHECK_SIZE(ffa_endpoint_rxtx_desc, 16);
FFA_CHECK_OFF(ffa_endpoint_rxtx_desc, endpoint_id, 0);
FFA_CHECK_OFF(ffa_endpoint_rxtx_desc, reserved, 2);
FFA_CHECK_OFF(ffa_endpoint_rxtx_desc, rx_region_offset, 4);
FFA_CHECK_OFF(ffa_endpoint_rxtx_desc, tx_region_offset, 8);
FFA_CHECK_SIZE(ffa_mem_constituent, 16);
FFA_CHECK_OFF(ffa_mem_constituent, address, 0);
FFA_CHECK_OFF(ffa_mem_constituent, page_count, 8);
FFA_CHECK_OFF(ffa_mem_constituent, reserved, 12);
FFA_CHECK_SIZE(ffa_mem_composite, 16);
FFA_CHECK_OFF(ffa_mem_composite, total_page_count, 0);
FFA_CHECK_OFF(ffa_mem_composite, constituent_count, 4);
FFA_CHECK_OFF(ffa_mem_composite, reserved, 8);
FFA_CHECK_SIZE(ffa_mem_access_1_0, 16);
FFA_CHECK_OFF(ffa_mem_access_1_0, receiver, 0);
FFA_CHECK_OFF(ffa_mem_access_1_0, permissions, 2);
FFA_CHECK_OFF(ffa_mem_access_1_0, flags, 3);
FFA_CHECK_OFF(ffa_mem_access_1_0, composite_offset, 4);
FFA_CHECK_OFF(ffa_mem_access_1_0, reserved, 8);
FFA_CHECK_SIZE(ffa_mem_access_1_2, 32);
FFA_CHECK_OFF(ffa_mem_access_1_2, receiver, 0);
FFA_CHECK_OFF(ffa_mem_access_1_2, permissions, 2);
FFA_CHECK_OFF(ffa_mem_access_1_2, flags, 3);
FFA_CHECK_OFF(ffa_mem_access_1_2, composite_offset, 4);
FFA_CHECK_OFF(ffa_mem_access_1_2, impdef, 8);
FFA_CHECK_OFF(ffa_mem_access_1_2, reserved, 24);
FFA_CHECK_SIZE(ffa_mem_region_1_0, 32);
FFA_CHECK_OFF(ffa_mem_region_1_0, sender, 0);
FFA_CHECK_OFF(ffa_mem_region_1_0, attributes, 2);
FFA_CHECK_OFF(ffa_mem_region_1_0, reserved0, 3);
FFA_CHECK_OFF(ffa_mem_region_1_0, flags, 4);
FFA_CHECK_OFF(ffa_mem_region_1_0, handle, 8);
FFA_CHECK_OFF(ffa_mem_region_1_0, tag, 16);
FFA_CHECK_OFF(ffa_mem_region_1_0, reserved1, 24);
FFA_CHECK_OFF(ffa_mem_region_1_0, emad_count, 28);
FFA_CHECK_SIZE(ffa_mem_region_1_1, 48);
FFA_CHECK_OFF(ffa_mem_region_1_1, sender, 0);
FFA_CHECK_OFF(ffa_mem_region_1_1, attributes, 2);
FFA_CHECK_OFF(ffa_mem_region_1_1, flags, 4);
FFA_CHECK_OFF(ffa_mem_region_1_1, handle, 8);
FFA_CHECK_OFF(ffa_mem_region_1_1, tag, 16);
FFA_CHECK_OFF(ffa_mem_region_1_1, emad_size, 24);
FFA_CHECK_OFF(ffa_mem_region_1_1, emad_count, 28);
FFA_CHECK_OFF(ffa_mem_region_1_1, emad_offset, 32);
FFA_CHECK_OFF(ffa_mem_region_1_1, reserved, 36);
FFA_CHECK_SIZE(ffa_mem_relinquish, 16);
FFA_CHECK_OFF(ffa_mem_relinquish, handle, 0);
FFA_CHECK_OFF(ffa_mem_relinquish, flags, 8);
FFA_CHECK_OFF(ffa_mem_relinquish, endpoint_count, 12);

/* ---- Register file -------------------------------------------------------- */
#define FFA_NREGS FFAMED_NREGS

#ifdef __cplusplus
}
#endif

#endif /* FFAMED_FFA_H */
