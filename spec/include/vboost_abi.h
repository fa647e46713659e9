/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vboost_abi.h - the vboost v1.1 boost region and hypercall ABI, for C11 and C++11.
 *
 * Normative text: spec/protocol.md. Machine-readable layout: spec/layout/region-v1.1.json.
 * This header mirrors both one to one; every offset, size, code and bit below is checked against the
 * Java descriptors of protocol-api (dev.vboost.api) by CHeaderCrossCheckTest, which compiles a program
 * that includes this file.
 *
 * Region (spec §3.1), little-endian, 4096-byte aligned, one writer per 64-byte line:
 *
 *   0x000  struct vboost_host_header    writer: host
 *   0x040  struct vboost_guest_header   writer: guest
 *   0x080  struct vboost_slot[0]        guest line at +0x00 (writer: guest), host line at +0x40 (writer: host)
 *   0x100  struct vboost_slot[1] ...
 *
 * Field comments name the writer, the access discipline and the ABI version that introduced the field:
 *   "seqlock window" = a plain store/load between the line's counter steps (spec §4.2 W2, §4.3 R3);
 *   "immutable while READY" = written by the host only while region_state is not READY (spec §4.4).
 * Access the counters and region_state through C11 atomics (<stdatomic.h>), never as plain fields.
 * Reserved fields are written as zero and ignored on read (spec §3.7). Numbers are never reused.
 */
#ifndef VBOOST_ABI_H
#define VBOOST_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#define VBOOST_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define VBOOST_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

/* ------------------------------------------------------------------------------------------------ */
/* Constants (spec §3.1)                                                                             */
/* ------------------------------------------------------------------------------------------------ */

#define VBOOST_MAGIC                0x54534256u /* bytes 'V' 'B' 'S' 'T' in memory order */
#define VBOOST_ABI_MAJOR            1
#define VBOOST_ABI_MINOR            1
#define VBOOST_REGION_ALIGNMENT     4096
#define VBOOST_LINE_SIZE            64
#define VBOOST_HOST_HEADER_OFFSET   0x000
#define VBOOST_GUEST_HEADER_OFFSET  0x040
#define VBOOST_HEADER_SIZE          128
#define VBOOST_SLOTS_OFFSET         128
#define VBOOST_SLOT_SIZE            128
#define VBOOST_SLOT_GUEST_LINE_OFFSET 0x00
#define VBOOST_SLOT_HOST_LINE_OFFSET  0x40
#define VBOOST_MAX_SLOTS            4096
#define VBOOST_MAX_READ_ATTEMPTS    64 /* seqlock readers report E_BUSY after this many attempts (§4.3) */
#define VBOOST_PRIO_MAX             99
#define VBOOST_NICE_MIN             (-20)
#define VBOOST_NICE_MAX             19

/* Region size for n slots: header plus slots, rounded up to VBOOST_REGION_ALIGNMENT (§3.1). */
#define VBOOST_REGION_SIZE(n) \
	((((uint64_t)VBOOST_SLOTS_OFFSET + (uint64_t)(n) * VBOOST_SLOT_SIZE) + (VBOOST_REGION_ALIGNMENT - 1)) \
	 & ~(uint64_t)(VBOOST_REGION_ALIGNMENT - 1))
/* Absolute offsets of slot i's two lines. */
#define VBOOST_SLOT_GUEST_LINE(i) (VBOOST_SLOTS_OFFSET + (i) * VBOOST_SLOT_SIZE + VBOOST_SLOT_GUEST_LINE_OFFSET)
#define VBOOST_SLOT_HOST_LINE(i)  (VBOOST_SLOTS_OFFSET + (i) * VBOOST_SLOT_SIZE + VBOOST_SLOT_HOST_LINE_OFFSET)

/* Request ids and host boost ids are u64 with bit 63 clear; a value >= 2^63 is invalid (§3.4, §3.5). */
#define VBOOST_ID_LIMIT             0x8000000000000000ull

/* ------------------------------------------------------------------------------------------------ */
/* Host header, region offset 0x000, 64 bytes (spec §3.2). Writer: host.                            */
/* ------------------------------------------------------------------------------------------------ */

struct vboost_host_header {
	uint32_t magic;           /* host, immutable while READY, 1.0: VBOOST_MAGIC */
	uint16_t abi_major;       /* host, immutable while READY, 1.0: readers reject a major they lack */
	uint16_t abi_minor;       /* host, immutable while READY, 1.0: a higher minor is accepted */
	uint16_t header_size;     /* host, immutable while READY, 1.0: VBOOST_HEADER_SIZE */
	uint16_t slot_size;       /* host, immutable while READY, 1.0: VBOOST_SLOT_SIZE */
	uint32_t slot_count;      /* host, immutable while READY, 1.0: 1..VBOOST_MAX_SLOTS */
	uint64_t host_features;   /* host, immutable while READY, 1.0: VBOOST_FEATURE_* offered */
	uint32_t host_generation; /* host, immutable while READY, 1.0: non-zero when READY, +1 per init */
	uint32_t region_state;    /* host, store-release / load-acquire, 1.0: VBOOST_REGION_STATE_*, written last */
	uint32_t prio_ceiling;    /* host, immutable while READY, 1.0: highest RT priority granted, 1..99 */
	uint32_t max_boost_us;    /* host, immutable while READY, 1.0: longest single boost, > 0 */
	uint64_t region_size;     /* host, immutable while READY, 1.0: VBOOST_REGION_SIZE(slot_count) */
	uint8_t  reserved0[16];   /* -, 1.0: zero */
};

#define VBOOST_HOST_HEADER_MAGIC_OFFSET            0x00
#define VBOOST_HOST_HEADER_ABI_MAJOR_OFFSET        0x04
#define VBOOST_HOST_HEADER_ABI_MINOR_OFFSET        0x06
#define VBOOST_HOST_HEADER_HEADER_SIZE_OFFSET      0x08
#define VBOOST_HOST_HEADER_SLOT_SIZE_OFFSET        0x0A
#define VBOOST_HOST_HEADER_SLOT_COUNT_OFFSET       0x0C
#define VBOOST_HOST_HEADER_HOST_FEATURES_OFFSET    0x10
#define VBOOST_HOST_HEADER_HOST_GENERATION_OFFSET  0x18
#define VBOOST_HOST_HEADER_REGION_STATE_OFFSET     0x1C
#define VBOOST_HOST_HEADER_PRIO_CEILING_OFFSET     0x20
#define VBOOST_HOST_HEADER_MAX_BOOST_US_OFFSET     0x24
#define VBOOST_HOST_HEADER_REGION_SIZE_OFFSET      0x28
#define VBOOST_HOST_HEADER_RESERVED0_OFFSET        0x30
#define VBOOST_HOST_HEADER_RESERVED0_LENGTH        16
#define VBOOST_HOST_HEADER_LENGTH                  64

/* ------------------------------------------------------------------------------------------------ */
/* Guest header, region offset 0x040, 64 bytes (spec §3.3). Writer: guest, under guest_seq.         */
/* ------------------------------------------------------------------------------------------------ */

struct vboost_guest_header {
	uint32_t guest_seq;           /* guest: seqlock writer / host: seqlock reader, 1.0: odd while written */
	uint32_t attach_state;        /* guest, seqlock window, 1.0: VBOOST_ATTACH_STATE_* */
	uint16_t guest_abi_major;     /* guest, seqlock window, 1.0: equals the host's abi_major */
	uint16_t guest_abi_minor;     /* guest, seqlock window, 1.0: min(guest minor, host minor) */
	uint32_t attached_generation; /* guest, seqlock window, 1.0: host_generation attached to */
	uint64_t accepted_features;   /* guest, seqlock window, 1.0: subset of host_features */
	uint8_t  reserved0[40];       /* -, 1.0: zero */
};

#define VBOOST_GUEST_HEADER_GUEST_SEQ_OFFSET           0x00
#define VBOOST_GUEST_HEADER_ATTACH_STATE_OFFSET        0x04
#define VBOOST_GUEST_HEADER_GUEST_ABI_MAJOR_OFFSET     0x08
#define VBOOST_GUEST_HEADER_GUEST_ABI_MINOR_OFFSET     0x0A
#define VBOOST_GUEST_HEADER_ATTACHED_GENERATION_OFFSET 0x0C
#define VBOOST_GUEST_HEADER_ACCEPTED_FEATURES_OFFSET   0x10
#define VBOOST_GUEST_HEADER_RESERVED0_OFFSET           0x18
#define VBOOST_GUEST_HEADER_RESERVED0_LENGTH           40
#define VBOOST_GUEST_HEADER_LENGTH                     64

/* ------------------------------------------------------------------------------------------------ */
/* Slot guest line, region offset 0x080 + i*0x80, 64 bytes (spec §3.4). Writer: guest.             */
/* ------------------------------------------------------------------------------------------------ */

struct vboost_slot_guest {
	uint32_t guest_seq;      /* guest: seqlock writer / host: seqlock reader, 1.0: odd while written */
	uint8_t  request;        /* guest, seqlock window, 1.0: VBOOST_REQUEST_* */
	uint8_t  policy;         /* guest, seqlock window, 1.0: VBOOST_POLICY_* asked for */
	uint8_t  priority;       /* guest, seqlock window, 1.0: 1..99 for FIFO/RR, else 0 */
	int8_t   nice;           /* guest, seqlock window, 1.0: -20..19 for NORMAL, else 0 */
	uint32_t reasons;        /* guest, seqlock window, 1.0: VBOOST_REASON_* bits; others zero */
	uint8_t  reserved0[4];   /* -, 1.0: zero */
	uint64_t request_id;     /* guest, seqlock window, 1.0: +1 per request, 0 = none yet, < 2^63 */
	uint64_t host_boost_ack; /* guest, seqlock window, 1.0: newest host_boost_id acknowledged */
	uint8_t  reserved1[32];  /* -, 1.0: zero */
};

#define VBOOST_GUEST_SLOT_GUEST_SEQ_OFFSET       0x00
#define VBOOST_GUEST_SLOT_REQUEST_OFFSET         0x04
#define VBOOST_GUEST_SLOT_POLICY_OFFSET          0x05
#define VBOOST_GUEST_SLOT_PRIORITY_OFFSET        0x06
#define VBOOST_GUEST_SLOT_NICE_OFFSET            0x07
#define VBOOST_GUEST_SLOT_REASONS_OFFSET         0x08
#define VBOOST_GUEST_SLOT_RESERVED0_OFFSET       0x0C
#define VBOOST_GUEST_SLOT_RESERVED0_LENGTH       4
#define VBOOST_GUEST_SLOT_REQUEST_ID_OFFSET      0x10
#define VBOOST_GUEST_SLOT_HOST_BOOST_ACK_OFFSET  0x18
#define VBOOST_GUEST_SLOT_RESERVED1_OFFSET       0x20
#define VBOOST_GUEST_SLOT_RESERVED1_LENGTH       32
#define VBOOST_GUEST_SLOT_LENGTH                 64

/* ------------------------------------------------------------------------------------------------ */
/* Slot host line, region offset 0x0C0 + i*0x80, 64 bytes (spec §3.5). Writer: host.               */
/* ------------------------------------------------------------------------------------------------ */

struct vboost_slot_host {
	uint32_t host_seq;            /* host: seqlock writer / guest: seqlock reader, 1.0: odd while written */
	uint8_t  status;              /* host, seqlock window, 1.0: VBOOST_SLOT_STATUS_* */
	uint8_t  policy;              /* host, seqlock window, 1.0: VBOOST_POLICY_* the thread runs with */
	uint8_t  priority;            /* host, seqlock window, 1.0: RT priority applied, 0 when NORMAL */
	uint8_t  denial;              /* host, seqlock window, 1.0: VBOOST_DENIAL_* of the last request */
	uint32_t host_boost_flags;    /* host, seqlock window, 1.0: VBOOST_HOST_BOOST_* bits; others zero */
	uint32_t budget_remaining_us; /* host, seqlock window, 1.0: boosted time left in the window */
	uint64_t acted_request_id;    /* host, seqlock window, 1.0: newest guest request_id acted on */
	uint64_t host_boost_id;       /* host, seqlock window, 1.0: +1 per host boost, 0 = none yet, < 2^63 */
	uint8_t  reserved0[32];       /* -, 1.0: zero */
};

#define VBOOST_HOST_SLOT_HOST_SEQ_OFFSET             0x00
#define VBOOST_HOST_SLOT_STATUS_OFFSET               0x04
#define VBOOST_HOST_SLOT_POLICY_OFFSET               0x05
#define VBOOST_HOST_SLOT_PRIORITY_OFFSET             0x06
#define VBOOST_HOST_SLOT_DENIAL_OFFSET               0x07
#define VBOOST_HOST_SLOT_HOST_BOOST_FLAGS_OFFSET     0x08
#define VBOOST_HOST_SLOT_BUDGET_REMAINING_US_OFFSET  0x0C
#define VBOOST_HOST_SLOT_ACTED_REQUEST_ID_OFFSET     0x10
#define VBOOST_HOST_SLOT_HOST_BOOST_ID_OFFSET        0x18
#define VBOOST_HOST_SLOT_RESERVED0_OFFSET            0x20
#define VBOOST_HOST_SLOT_RESERVED0_LENGTH            32
#define VBOOST_HOST_SLOT_LENGTH                      64

/* One slot: guest line then host line, 128 bytes. */
struct vboost_slot {
	struct vboost_slot_guest guest; /* + VBOOST_SLOT_GUEST_LINE_OFFSET */
	struct vboost_slot_host host;   /* + VBOOST_SLOT_HOST_LINE_OFFSET */
};

/* The whole region; slot_count slots follow the two headers. */
struct vboost_region {
	struct vboost_host_header host;   /* + VBOOST_HOST_HEADER_OFFSET */
	struct vboost_guest_header guest; /* + VBOOST_GUEST_HEADER_OFFSET */
	struct vboost_slot slots[];       /* + VBOOST_SLOTS_OFFSET */
};

/* ------------------------------------------------------------------------------------------------ */
/* Enumerations (spec §3.6). Unknown codes decode to "unknown"; a reader never traps on them.       */
/* ------------------------------------------------------------------------------------------------ */

/* region_state (u32) */
#define VBOOST_REGION_STATE_NOT_READY  0
#define VBOOST_REGION_STATE_READY      1
#define VBOOST_REGION_STATE_DISABLED   2

/* attach_state (u32) */
#define VBOOST_ATTACH_STATE_DETACHED   0
#define VBOOST_ATTACH_STATE_ATTACHED   1

/* boost_request (u8) */
#define VBOOST_REQUEST_NONE            0
#define VBOOST_REQUEST_BOOST           1
#define VBOOST_REQUEST_UNBOOST         2

/* sched_policy (u8); NORMAL is Linux SCHED_OTHER */
#define VBOOST_POLICY_NORMAL           0
#define VBOOST_POLICY_FIFO             1
#define VBOOST_POLICY_RR               2

/* slot_status (u8) */
#define VBOOST_SLOT_STATUS_DISABLED    0
#define VBOOST_SLOT_STATUS_NORMAL      1
#define VBOOST_SLOT_STATUS_BOOSTED     2
#define VBOOST_SLOT_STATUS_THROTTLED   3

/* denial_reason (u8) */
#define VBOOST_DENIAL_NONE               0
#define VBOOST_DENIAL_REASON_NOT_ALLOWED 1
#define VBOOST_DENIAL_BUDGET_EXHAUSTED   2
#define VBOOST_DENIAL_RATE_LIMITED       3
#define VBOOST_DENIAL_DISABLED           4
#define VBOOST_DENIAL_INVALID_REQUEST    5
#define VBOOST_DENIAL_ACTUATOR_FAILED    6
#define VBOOST_DENIAL_EXPIRED            7

/* ------------------------------------------------------------------------------------------------ */
/* Flag bits (spec §3.6). *_BIT is the bit index, the bare name the mask. Undefined bits MUST be 0. */
/* ------------------------------------------------------------------------------------------------ */

/* boost_reason (u32, slot guest line "reasons") */
#define VBOOST_REASON_RT_TASK_BIT           0
#define VBOOST_REASON_IRQ_BIT               1
#define VBOOST_REASON_SOFTIRQ_BIT           2
#define VBOOST_REASON_NMI_BIT               3
#define VBOOST_REASON_PREEMPT_DISABLED_BIT  4
#define VBOOST_REASON_LOCK_HOLDER_BIT       5
#define VBOOST_REASON_USER_HINT_BIT         6
#define VBOOST_REASON_RT_TASK               (1u << VBOOST_REASON_RT_TASK_BIT)
#define VBOOST_REASON_IRQ                   (1u << VBOOST_REASON_IRQ_BIT)
#define VBOOST_REASON_SOFTIRQ               (1u << VBOOST_REASON_SOFTIRQ_BIT)
#define VBOOST_REASON_NMI                   (1u << VBOOST_REASON_NMI_BIT)
#define VBOOST_REASON_PREEMPT_DISABLED      (1u << VBOOST_REASON_PREEMPT_DISABLED_BIT)
#define VBOOST_REASON_LOCK_HOLDER           (1u << VBOOST_REASON_LOCK_HOLDER_BIT)
#define VBOOST_REASON_USER_HINT             (1u << VBOOST_REASON_USER_HINT_BIT)
#define VBOOST_REASON_DEFINED_MASK          0x0000007Fu

/* host_boost_flag (u32, slot host line "host_boost_flags") */
#define VBOOST_HOST_BOOST_IRQ_INJECTED_BIT  0
#define VBOOST_HOST_BOOST_TIMER_BIT         1
#define VBOOST_HOST_BOOST_NMI_BIT           2
#define VBOOST_HOST_BOOST_HALT_WAKEUP_BIT   3
#define VBOOST_HOST_BOOST_IPI_BIT           4
#define VBOOST_HOST_BOOST_IRQ_INJECTED      (1u << VBOOST_HOST_BOOST_IRQ_INJECTED_BIT)
#define VBOOST_HOST_BOOST_TIMER             (1u << VBOOST_HOST_BOOST_TIMER_BIT)
#define VBOOST_HOST_BOOST_NMI               (1u << VBOOST_HOST_BOOST_NMI_BIT)
#define VBOOST_HOST_BOOST_HALT_WAKEUP       (1u << VBOOST_HOST_BOOST_HALT_WAKEUP_BIT)
#define VBOOST_HOST_BOOST_IPI               (1u << VBOOST_HOST_BOOST_IPI_BIT)
#define VBOOST_HOST_BOOST_DEFINED_MASK      0x0000001Fu

/* feature (u64, host_features and accepted_features) */
#define VBOOST_FEATURE_HOST_BOOST_BIT        0
#define VBOOST_FEATURE_NOTIFY_HYPERCALL_BIT  1
#define VBOOST_FEATURE_BUDGET_REPORT_BIT     2
#define VBOOST_FEATURE_NICE_HINTS_BIT        3
#define VBOOST_FEATURE_HOST_BOOST            (1ull << VBOOST_FEATURE_HOST_BOOST_BIT)
#define VBOOST_FEATURE_NOTIFY_HYPERCALL      (1ull << VBOOST_FEATURE_NOTIFY_HYPERCALL_BIT)
#define VBOOST_FEATURE_BUDGET_REPORT         (1ull << VBOOST_FEATURE_BUDGET_REPORT_BIT)
#define VBOOST_FEATURE_NICE_HINTS            (1ull << VBOOST_FEATURE_NICE_HINTS_BIT)
#define VBOOST_FEATURE_DOORBELL_BIT          4 /* since 1.1 (spec §12.2) */
#define VBOOST_FEATURE_DOORBELL              (1ull << VBOOST_FEATURE_DOORBELL_BIT)
#define VBOOST_FEATURE_DEFINED_MASK          0x000000000000001Full /* 1.1 */
#define VBOOST_FEATURE_DEFINED_MASK_1_0      0x000000000000000Full /* what a minor-0 line may hold */
/* The feature bits defined at ABI minor m (checks C11, CG3 at the writer's minor, spec §10). */
#define VBOOST_FEATURE_DEFINED_MASK_AT(m) \
	((m) == 0 ? VBOOST_FEATURE_DEFINED_MASK_1_0 : VBOOST_FEATURE_DEFINED_MASK)

/* ------------------------------------------------------------------------------------------------ */
/* Doorbell transport (spec §12), since 1.1. DOORBELL is not in VBOOST_FEATURE_DEFINED_MASK_1_0:     */
/* a host offers it only in a region with abi_minor >= 1. ivshmem-doorbell: the guest rings the host */
/* by one 32-bit store of VBOOST_DOORBELL_VALUE to BAR0 + VBOOST_DOORBELL_BAR0_DOORBELL, after the   */
/* line's W4 and a full fence (spec §12.4).                                                          */
/* ------------------------------------------------------------------------------------------------ */

#define VBOOST_DOORBELL_FEATURE_BIT      VBOOST_FEATURE_DOORBELL_BIT
#define VBOOST_DOORBELL_FEATURE          VBOOST_FEATURE_DOORBELL
#define VBOOST_DOORBELL_HOST_PEER_ID     0  /* the host (ivshmem server) is peer 0; clients get 1.. */
#define VBOOST_DOORBELL_VECTOR           0  /* "look at my changed lines" */
#define VBOOST_DOORBELL_BAR0_IVPOSITION  8  /* ivshmem IVPosition: the guest's own peer id */
#define VBOOST_DOORBELL_BAR0_DOORBELL    12 /* ivshmem Doorbell: write (peer id << 16) | vector */
#define VBOOST_DOORBELL_VALUE            ((VBOOST_DOORBELL_HOST_PEER_ID << 16) | VBOOST_DOORBELL_VECTOR)

/* ------------------------------------------------------------------------------------------------ */
/* Hypercalls (spec §7). x86-64: number in RAX, a0..a3 in RBX, RCX, RDX, RSI, result in RAX;       */
/* errors are negated VBOOST_KVM_E* codes. kvm_run.hypercall.args[4] and [5] MUST be zero.           */
/* ------------------------------------------------------------------------------------------------ */

#define VBOOST_HC_BASE    0x56420000ul
#define VBOOST_HC_QUERY   0x56420001ul /* a0 = VBOOST_QUERY_*; a1..a3 MBZ. Returns the value asked for. */
#define VBOOST_HC_ATTACH  0x56420002ul /* a0 = region GPA (4096-aligned), a1 = size, a2 = major<<16|minor, a3 = accepted features */
#define VBOOST_HC_DETACH  0x56420003ul /* a0 = host generation attached to; a1..a3 MBZ */
#define VBOOST_HC_NOTIFY  0x56420004ul /* a0 = slot index, a1 = VBOOST_NOTIFY_* flags; a2..a3 MBZ */

#define VBOOST_HC_ARG_COUNT       4 /* arguments the calls use */
#define VBOOST_HC_EXIT_ARG_COUNT  6 /* entries of kvm_run.hypercall.args */

/* VBOOST_HC_QUERY selectors */
#define VBOOST_QUERY_ABI_VERSION    0
#define VBOOST_QUERY_HOST_FEATURES  1
#define VBOOST_QUERY_SLOT_COUNT     2

/* VBOOST_HC_NOTIFY flags (a1) */
#define VBOOST_NOTIFY_REQUEST_BIT         0
#define VBOOST_NOTIFY_HOST_BOOST_ACK_BIT  1
#define VBOOST_NOTIFY_REQUEST             (1u << VBOOST_NOTIFY_REQUEST_BIT)
#define VBOOST_NOTIFY_HOST_BOOST_ACK      (1u << VBOOST_NOTIFY_HOST_BOOST_ACK_BIT)
#define VBOOST_NOTIFY_DEFINED_MASK        0x3u

/* Hypercall error codes (spec §7.2), the values of <linux/kvm_para.h>; a call returns -code. */
#define VBOOST_KVM_EPERM       1
#define VBOOST_KVM_E2BIG       7
#define VBOOST_KVM_EFAULT      14
#define VBOOST_KVM_EINVAL      22
#define VBOOST_KVM_EOPNOTSUPP  95
#define VBOOST_KVM_ENOSYS      1000

/* ------------------------------------------------------------------------------------------------ */
/* Region validation errors (spec §6). On the wire, in vectors and in the testee protocol they      */
/* travel by name ("E_BAD_MAGIC"); the numbers are this header's for C APIs and are never reused.    */
/* ------------------------------------------------------------------------------------------------ */

#define VBOOST_OK                    0  /* "OK" */
#define VBOOST_E_BAD_MAGIC           1  /* magic is not VBOOST_MAGIC */
#define VBOOST_E_UNSUPPORTED_MAJOR   2  /* abi_major is not one the reader implements */
#define VBOOST_E_BAD_GEOMETRY        3  /* header_size or slot_size differs from the constants */
#define VBOOST_E_BAD_SLOT_COUNT      4  /* slot_count is 0 or larger than VBOOST_MAX_SLOTS */
#define VBOOST_E_TRUNCATED           5  /* region smaller than the size formula, or region_size disagrees */
#define VBOOST_E_NOT_READY           6  /* region_state is NOT_READY, or host_generation is 0 */
#define VBOOST_E_DISABLED            7  /* region_state is DISABLED */
#define VBOOST_E_BAD_STATE           8  /* region_state holds an unknown code */
#define VBOOST_E_STALE_GENERATION    9  /* guest header names a generation other than host_generation */
#define VBOOST_E_BUSY                10 /* a seqlock counter stayed odd or kept changing (§4.3) */
#define VBOOST_E_RESERVED_BITS       11 /* a bit-set field has bits outside its defined mask */
#define VBOOST_E_INVALID_VALUE       12 /* a field holds a value outside its range */

/* ------------------------------------------------------------------------------------------------ */
/* Compile-time checks of every size and offset above.                                               */
/* ------------------------------------------------------------------------------------------------ */

#define VBOOST_CHECK_FIELD(type, field, off, size) \
	VBOOST_STATIC_ASSERT(offsetof(struct type, field) == (off), #type "." #field " offset"); \
	VBOOST_STATIC_ASSERT(sizeof(((struct type *)0)->field) == (size), #type "." #field " size")

VBOOST_STATIC_ASSERT(sizeof(struct vboost_host_header) == VBOOST_HOST_HEADER_LENGTH, "host header size");
VBOOST_CHECK_FIELD(vboost_host_header, magic, VBOOST_HOST_HEADER_MAGIC_OFFSET, 4);
VBOOST_CHECK_FIELD(vboost_host_header, abi_major, VBOOST_HOST_HEADER_ABI_MAJOR_OFFSET, 2);
VBOOST_CHECK_FIELD(vboost_host_header, abi_minor, VBOOST_HOST_HEADER_ABI_MINOR_OFFSET, 2);
VBOOST_CHECK_FIELD(vboost_host_header, header_size, VBOOST_HOST_HEADER_HEADER_SIZE_OFFSET, 2);
VBOOST_CHECK_FIELD(vboost_host_header, slot_size, VBOOST_HOST_HEADER_SLOT_SIZE_OFFSET, 2);
VBOOST_CHECK_FIELD(vboost_host_header, slot_count, VBOOST_HOST_HEADER_SLOT_COUNT_OFFSET, 4);
VBOOST_CHECK_FIELD(vboost_host_header, host_features, VBOOST_HOST_HEADER_HOST_FEATURES_OFFSET, 8);
VBOOST_CHECK_FIELD(vboost_host_header, host_generation, VBOOST_HOST_HEADER_HOST_GENERATION_OFFSET, 4);
VBOOST_CHECK_FIELD(vboost_host_header, region_state, VBOOST_HOST_HEADER_REGION_STATE_OFFSET, 4);
VBOOST_CHECK_FIELD(vboost_host_header, prio_ceiling, VBOOST_HOST_HEADER_PRIO_CEILING_OFFSET, 4);
VBOOST_CHECK_FIELD(vboost_host_header, max_boost_us, VBOOST_HOST_HEADER_MAX_BOOST_US_OFFSET, 4);
VBOOST_CHECK_FIELD(vboost_host_header, region_size, VBOOST_HOST_HEADER_REGION_SIZE_OFFSET, 8);
VBOOST_CHECK_FIELD(vboost_host_header, reserved0, VBOOST_HOST_HEADER_RESERVED0_OFFSET, VBOOST_HOST_HEADER_RESERVED0_LENGTH);

VBOOST_STATIC_ASSERT(sizeof(struct vboost_guest_header) == VBOOST_GUEST_HEADER_LENGTH, "guest header size");
VBOOST_CHECK_FIELD(vboost_guest_header, guest_seq, VBOOST_GUEST_HEADER_GUEST_SEQ_OFFSET, 4);
VBOOST_CHECK_FIELD(vboost_guest_header, attach_state, VBOOST_GUEST_HEADER_ATTACH_STATE_OFFSET, 4);
VBOOST_CHECK_FIELD(vboost_guest_header, guest_abi_major, VBOOST_GUEST_HEADER_GUEST_ABI_MAJOR_OFFSET, 2);
VBOOST_CHECK_FIELD(vboost_guest_header, guest_abi_minor, VBOOST_GUEST_HEADER_GUEST_ABI_MINOR_OFFSET, 2);
VBOOST_CHECK_FIELD(vboost_guest_header, attached_generation, VBOOST_GUEST_HEADER_ATTACHED_GENERATION_OFFSET, 4);
VBOOST_CHECK_FIELD(vboost_guest_header, accepted_features, VBOOST_GUEST_HEADER_ACCEPTED_FEATURES_OFFSET, 8);
VBOOST_CHECK_FIELD(vboost_guest_header, reserved0, VBOOST_GUEST_HEADER_RESERVED0_OFFSET, VBOOST_GUEST_HEADER_RESERVED0_LENGTH);

VBOOST_STATIC_ASSERT(sizeof(struct vboost_slot_guest) == VBOOST_GUEST_SLOT_LENGTH, "slot guest line size");
VBOOST_CHECK_FIELD(vboost_slot_guest, guest_seq, VBOOST_GUEST_SLOT_GUEST_SEQ_OFFSET, 4);
VBOOST_CHECK_FIELD(vboost_slot_guest, request, VBOOST_GUEST_SLOT_REQUEST_OFFSET, 1);
VBOOST_CHECK_FIELD(vboost_slot_guest, policy, VBOOST_GUEST_SLOT_POLICY_OFFSET, 1);
VBOOST_CHECK_FIELD(vboost_slot_guest, priority, VBOOST_GUEST_SLOT_PRIORITY_OFFSET, 1);
VBOOST_CHECK_FIELD(vboost_slot_guest, nice, VBOOST_GUEST_SLOT_NICE_OFFSET, 1);
VBOOST_CHECK_FIELD(vboost_slot_guest, reasons, VBOOST_GUEST_SLOT_REASONS_OFFSET, 4);
VBOOST_CHECK_FIELD(vboost_slot_guest, reserved0, VBOOST_GUEST_SLOT_RESERVED0_OFFSET, VBOOST_GUEST_SLOT_RESERVED0_LENGTH);
VBOOST_CHECK_FIELD(vboost_slot_guest, request_id, VBOOST_GUEST_SLOT_REQUEST_ID_OFFSET, 8);
VBOOST_CHECK_FIELD(vboost_slot_guest, host_boost_ack, VBOOST_GUEST_SLOT_HOST_BOOST_ACK_OFFSET, 8);
VBOOST_CHECK_FIELD(vboost_slot_guest, reserved1, VBOOST_GUEST_SLOT_RESERVED1_OFFSET, VBOOST_GUEST_SLOT_RESERVED1_LENGTH);

VBOOST_STATIC_ASSERT(sizeof(struct vboost_slot_host) == VBOOST_HOST_SLOT_LENGTH, "slot host line size");
VBOOST_CHECK_FIELD(vboost_slot_host, host_seq, VBOOST_HOST_SLOT_HOST_SEQ_OFFSET, 4);
VBOOST_CHECK_FIELD(vboost_slot_host, status, VBOOST_HOST_SLOT_STATUS_OFFSET, 1);
VBOOST_CHECK_FIELD(vboost_slot_host, policy, VBOOST_HOST_SLOT_POLICY_OFFSET, 1);
VBOOST_CHECK_FIELD(vboost_slot_host, priority, VBOOST_HOST_SLOT_PRIORITY_OFFSET, 1);
VBOOST_CHECK_FIELD(vboost_slot_host, denial, VBOOST_HOST_SLOT_DENIAL_OFFSET, 1);
VBOOST_CHECK_FIELD(vboost_slot_host, host_boost_flags, VBOOST_HOST_SLOT_HOST_BOOST_FLAGS_OFFSET, 4);
VBOOST_CHECK_FIELD(vboost_slot_host, budget_remaining_us, VBOOST_HOST_SLOT_BUDGET_REMAINING_US_OFFSET, 4);
VBOOST_CHECK_FIELD(vboost_slot_host, acted_request_id, VBOOST_HOST_SLOT_ACTED_REQUEST_ID_OFFSET, 8);
VBOOST_CHECK_FIELD(vboost_slot_host, host_boost_id, VBOOST_HOST_SLOT_HOST_BOOST_ID_OFFSET, 8);
VBOOST_CHECK_FIELD(vboost_slot_host, reserved0, VBOOST_HOST_SLOT_RESERVED0_OFFSET, VBOOST_HOST_SLOT_RESERVED0_LENGTH);

VBOOST_STATIC_ASSERT(sizeof(struct vboost_slot) == VBOOST_SLOT_SIZE, "slot size");
VBOOST_CHECK_FIELD(vboost_slot, guest, VBOOST_SLOT_GUEST_LINE_OFFSET, VBOOST_LINE_SIZE);
VBOOST_CHECK_FIELD(vboost_slot, host, VBOOST_SLOT_HOST_LINE_OFFSET, VBOOST_LINE_SIZE);

VBOOST_STATIC_ASSERT(sizeof(struct vboost_region) == VBOOST_HEADER_SIZE, "region header size");
VBOOST_STATIC_ASSERT(offsetof(struct vboost_region, host) == VBOOST_HOST_HEADER_OFFSET, "host header offset");
VBOOST_STATIC_ASSERT(offsetof(struct vboost_region, guest) == VBOOST_GUEST_HEADER_OFFSET, "guest header offset");
VBOOST_STATIC_ASSERT(offsetof(struct vboost_region, slots) == VBOOST_SLOTS_OFFSET, "slots offset");
VBOOST_STATIC_ASSERT(VBOOST_REGION_SIZE(1) == 4096 && VBOOST_REGION_SIZE(31) == 4096
		     && VBOOST_REGION_SIZE(32) == 8192 && VBOOST_REGION_SIZE(VBOOST_MAX_SLOTS) == 528384,
		     "size formula");
VBOOST_STATIC_ASSERT((VBOOST_MAGIC & 0xFFu) == 'V' && ((VBOOST_MAGIC >> 8) & 0xFFu) == 'B'
		     && ((VBOOST_MAGIC >> 16) & 0xFFu) == 'S' && (VBOOST_MAGIC >> 24) == 'T', "magic bytes");

#undef VBOOST_CHECK_FIELD

#ifdef __cplusplus
}
#endif

#endif /* VBOOST_ABI_H */
