/*
 * cpu/ private interface: vCPU state, lazy flags, translation blocks,
 * micro-operations, the soft TLB fast path and the exception channel.
 *
 * Execution model (DESIGN.md, CPU):
 *   decode (decode.c) -> translate (exec.c tb_translate(): one uop per guest
 *   instruction, operands pre-resolved) -> execute (exec.c: threaded code,
 *   `do { cpu->cur = u; u = u->fn(cpu, u); } while (u);`).
 *
 * Rules every uop handler follows (they make exceptions precise without
 * any undo log):
 *   1. Do every access that can fault (loads, then stores) before writing
 *      any register, RSP or flag.  A store that is the instruction's last
 *      side effect may come after register reads, never after register
 *      writes that a fault would have to undo.
 *   2. Return u + 1 to continue with the next instruction of the block;
 *      block-ending handlers set cpu->rip and return uop_goto()/NULL.
 *   3. Guest faults only through cpu_raise_exception*() (longjmp back to
 *      cpu_run, which restores RIP from cpu->cur and delivers the event).
 *   4. Flags are written only through the lazy-flag fields (cc_op,
 *      cc_dst, cc_src, cc_src2) or, for instructions that set them
 *      explicitly, by materialising into eflags with CC_OP_EFLAGS.
 */
#ifndef SATORI_CPU_INTERNAL_H
#define SATORI_CPU_INTERNAL_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cpu/cpu-features.h"
#include "cpu/cpu.h"
#include "cpu/softfloat.h"
#include "hw/hw.h"
#include "timers/timers.h"

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
/* For the handlers' fast paths (register, address and soft-TLB helpers):
 * gcc otherwise leaves some out of line in the large ops-*.c files, and
 * every handler then pays a call for each. */
#define ALWAYS_INLINE inline __attribute__((always_inline))

typedef uint64_t gva_t; /* guest linear (virtual) address */
typedef uint64_t gpa_t; /* guest physical address */

/* ---- architectural constants (SDM vol. 3, 2.5 / 4.x) ------------------- */

#define CR0_PE (1ull << 0)
#define CR0_MP (1ull << 1)
#define CR0_EM (1ull << 2)
#define CR0_TS (1ull << 3)
#define CR0_ET (1ull << 4)
#define CR0_NE (1ull << 5)
#define CR0_WP (1ull << 16)
#define CR0_AM (1ull << 18)
#define CR0_NW (1ull << 29)
#define CR0_CD (1ull << 30)
#define CR0_PG (1ull << 31)

#define CR4_VME        (1ull << 0)
#define CR4_PVI        (1ull << 1)
#define CR4_TSD        (1ull << 2)
#define CR4_DE         (1ull << 3)
#define CR4_PSE        (1ull << 4)
#define CR4_PAE        (1ull << 5)
#define CR4_MCE        (1ull << 6)
#define CR4_PGE        (1ull << 7)
#define CR4_PCE        (1ull << 8)
#define CR4_OSFXSR     (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define CR4_UMIP       (1ull << 11)
#define CR4_FSGSBASE   (1ull << 16)
#define CR4_PCIDE      (1ull << 17)
#define CR4_OSXSAVE    (1ull << 18)
#define CR4_SMEP       (1ull << 20)
#define CR4_SMAP       (1ull << 21)

#define EFER_SCE (1ull << 0)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)

#define EFLAGS_CF   (1u << 0)
#define EFLAGS_FIXED (1u << 1)
#define EFLAGS_PF   (1u << 2)
#define EFLAGS_AF   (1u << 4)
#define EFLAGS_ZF   (1u << 6)
#define EFLAGS_SF   (1u << 7)
#define EFLAGS_TF   (1u << 8)
#define EFLAGS_IF   (1u << 9)
#define EFLAGS_DF   (1u << 10)
#define EFLAGS_OF   (1u << 11)
#define EFLAGS_IOPL (3u << 12)
#define EFLAGS_NT   (1u << 14)
#define EFLAGS_RF   (1u << 16)
#define EFLAGS_VM   (1u << 17)
#define EFLAGS_AC   (1u << 18)
#define EFLAGS_VIF  (1u << 19)
#define EFLAGS_VIP  (1u << 20)
#define EFLAGS_ID   (1u << 21)
#define EFLAGS_ARITH (EFLAGS_CF | EFLAGS_PF | EFLAGS_AF | EFLAGS_ZF | EFLAGS_SF | EFLAGS_OF)

/* Exception vectors (SDM vol. 3, table 6-1). */
enum {
    EXC_DE = 0, EXC_DB = 1, EXC_NMI = 2, EXC_BP = 3, EXC_OF = 4, EXC_BR = 5,
    EXC_UD = 6, EXC_NM = 7, EXC_DF = 8, EXC_TS = 10, EXC_NP = 11,
    EXC_SS = 12, EXC_GP = 13, EXC_PF = 14, EXC_MF = 16, EXC_AC = 17,
    EXC_MC = 18, EXC_XM = 19,
};

/* Page-fault error code bits (SDM vol. 3, 4.7). */
#define PFEC_P    (1u << 0)
#define PFEC_W    (1u << 1)
#define PFEC_U    (1u << 2)
#define PFEC_RSVD (1u << 3)
#define PFEC_I    (1u << 4)

/* Architectural MSRs handled by cpu/ (SDM vol. 4). */
#define MSR_IA32_TSC              0x00000010
#define MSR_IA32_APIC_BASE        0x0000001b
#define MSR_IA32_FEATURE_CONTROL  0x0000003a
#define MSR_IA32_TSC_ADJUST       0x0000003b
#define MSR_IA32_UCODE_WRITE      0x00000079
#define MSR_IA32_UCODE_REV        0x0000008b
#define MSR_IA32_SYSENTER_CS      0x00000174
#define MSR_IA32_SYSENTER_ESP     0x00000175
#define MSR_IA32_SYSENTER_EIP     0x00000176
#define MSR_IA32_MISC_ENABLE      0x000001a0
#define MSR_IA32_PAT              0x00000277
#define MSR_IA32_TSC_DEADLINE     0x000006e0
#define MSR_X2APIC_FIRST          0x00000800
#define MSR_X2APIC_LAST           0x000008ff

/* IA32_APIC_BASE (SDM vol. 3, 10.4.4 and 10.12.1) and the CPUID bits of the APIC */
#define APIC_BASE_BSP             (1ull << 8)
#define APIC_BASE_EXTD            (1ull << 10)
#define APIC_BASE_EN              (1ull << 11)
#define APIC_BASE_ADDR_MASK       0xffffff000ull
#define APIC_BASE_DEFAULT         0xfee00000ull
#define CPUID_1_EDX_APIC          (1u << 9)
#define CPUID_1_ECX_X2APIC        (1u << 21)
#define CPUID_1_ECX_TSC_DEADLINE  (1u << 24)
#define MSR_EFER                  0xc0000080
#define MSR_STAR                  0xc0000081
#define MSR_LSTAR                 0xc0000082
#define MSR_CSTAR                 0xc0000083
#define MSR_FMASK                 0xc0000084
#define MSR_FS_BASE               0xc0000100
#define MSR_GS_BASE               0xc0000101
#define MSR_KERNEL_GS_BASE        0xc0000102
#define MSR_TSC_AUX               0xc0000103

/* System features handlers check (struct cpu.sys_features, from CPUID). */
#define SYSF_SMEP    (1u << 0)
#define SYSF_SMAP    (1u << 1)
#define SYSF_UMIP    (1u << 2)
#define SYSF_PCID    (1u << 3)
#define SYSF_MONITOR (1u << 4)

/* ---- segments ----------------------------------------------------------- */

enum seg_reg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_NONE = 7 };

/* Descriptor attribute bits, kept as bits 8..23 of the descriptor's high dword. */
#define DESC_TYPE_MASK (0xfu << 8)
#define DESC_S   (1u << 12)
#define DESC_DPL_SHIFT 13
#define DESC_P   (1u << 15)
#define DESC_AVL (1u << 20)
#define DESC_L   (1u << 21)
#define DESC_B   (1u << 22) /* D/B */
#define DESC_G   (1u << 23)

struct seg {
    uint16_t sel;
    uint64_t base;
    uint32_t limit; /* byte-granular, after G scaling */
    uint32_t attr;  /* DESC_* bits */
};

struct dtr {
    uint64_t base;
    uint16_t limit;
};

/* ---- lazy flags (flags.c) ----------------------------------------------- */

/*
 * cc_op says how to recompute the arithmetic flags from cc_dst (result),
 * cc_src (second operand) and cc_src2 (first operand / carry-in).  The
 * size is part of the op: CC_OP_ADD + SZ_IDX(size).  CC_OP_EFLAGS means
 * the arithmetic bits are already materialised in cpu->eflags.
 */
enum { SZ_B, SZ_W, SZ_L, SZ_Q }; /* size index: 1, 2, 4, 8 bytes */
#define CC_OP_GROUP(name) CC_OP_##name##B, CC_OP_##name##W, CC_OP_##name##L, CC_OP_##name##Q

enum cc_op {
    CC_OP_EFLAGS,
    CC_OP_GROUP(ADD),   /* dst = res, src = operand2, src2 = operand1 */
    CC_OP_GROUP(ADC),   /* as ADD, plus carry-in stored in bit 63 of... see flags.c */
    CC_OP_GROUP(SUB),   /* dst = res, src = operand2, src2 = operand1 */
    CC_OP_GROUP(SBB),
    CC_OP_GROUP(LOGIC), /* dst = res; CF = OF = 0, AF = 0 */
    CC_OP_GROUP(INC),   /* dst = res, src = old CF */
    CC_OP_GROUP(DEC),   /* dst = res, src = old CF */
    CC_OP_GROUP(SHL),   /* dst = res, src = value shifted by count-1 */
    CC_OP_GROUP(SAR),   /* dst = res, src = value shifted by count-1 (SHR too) */
    CC_OP_GROUP(MUL),   /* dst = low result, src = nonzero if CF=OF=1 */
    CC_OP_COUNT,
};

/* ---- soft TLB ----------------------------------------------------------- */

#define TLB_BITS 10
#define TLB_SIZE (1u << TLB_BITS)
#define TLB_MASK (TLB_SIZE - 1)
#define TLB_LOG_SIZE 512 /* fills remembered so a flush clears only those */
#define PAGE_BITS 12
#define PAGE_SIZE (1ull << PAGE_BITS)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define TLB_INVALID 1ull /* low bit in a tag: never matches an address */

/*
 * mmu_idx: 0 = supervisor, 1 = user, 2 = user with alignment checking
 * (CR0.AM && EFLAGS.AC: every access takes the slow path so #AC is exact),
 * 3 = supervisor with CR4.SMAP and EFLAGS.AC (user pages accessible).
 * Host code of supervisor blocks indexes the TLB of mmu_idx 0 directly: in
 * mmu_idx 3 it misses on user pages and takes the handler's slow path.
 */
#define MMU_IDX_COUNT 4

/* cpu->tlb_flags (cpu/mmu.c): the entry's page is global; its page size */
#define TLBF_GLOBAL 0x01
#define TLBF_SIZE   0x06
#define TLBF_2M     0x02
#define TLBF_4M     0x04
#define TLBF_1G     0x06

struct tlb_entry {
    uint64_t tag_r;     /* page address if readable, else TLB_INVALID */
    uint64_t tag_w;     /* page address if writable RAM without code */
    uint64_t tag_x;     /* page address if fetchable */
    uintptr_t addend;   /* host = linear + addend */
    gpa_t paddr;        /* physical page */
};

/* ---- x87 / SSE state ---------------------------------------------------- */

/*
 * x87 registers in the host-independent 80-bit format (cpu/softfloat.h).
 * The tag word is kept abridged (bit i set: physical register i is not
 * empty); the full 2-bit tags that FSTENV/FSAVE store are derived from the
 * register contents, as the hardware does (SDM vol. 1 8.1.7).  TOP lives
 * in `top`, not in fsw bits 11-13 (fpu_get_fsw() merges them).
 */
struct fpu_state {
    uint16_t fcw, fsw, ftw; /* ftw in abridged form: bit per register, 1 = valid */
    uint8_t top;
    uint16_t fop;           /* last non-control x87 opcode, 11 bits */
    uint64_t fip, fdp;      /* its instruction and data pointers (offsets) */
    uint16_t fcs, fds;      /* and their selectors */
    struct sf_x80 st[8];    /* physical registers R0-R7 */
    uint32_t mxcsr;
    uint64_t xmm[16][2];
};

/* cpu/ops-x87.c: x87 state helpers shared with cpu/fpu-state.c */
void fpu_reset(struct cpu *cpu, bool power_on);  /* RESET (power_on) or FNINIT state */
uint16_t fpu_get_fsw(const struct cpu *cpu);
void fpu_set_fsw(struct cpu *cpu, uint16_t fsw);
uint16_t fpu_full_tags(const struct cpu *cpu);     /* the 2-bit tag word */
void fpu_set_full_tags(struct cpu *cpu, uint16_t ftw);
/* ES follows the unmasked exceptions in FSW; drives FERR# (CR0.NE = 0) */
void fpu_update_es(struct cpu *cpu);
/* cpu/fpu-state.c: CPUID leaf 0xD; XSETBV's handler */
void fpu_cpuid_xsave(const struct cpu *cpu, uint32_t sub, uint32_t r[4]);
struct uop;
const struct uop *fpu_xsetbv(struct cpu *cpu, const struct uop *u);
#define MXCSR_MASK 0xffffu      /* MXCSR bits this CPU model implements (DAZ, bit 6, too) */

/* ---- translation blocks and uops ---------------------------------------- */

struct uop;
typedef const struct uop *(*uop_fn)(struct cpu *cpu, const struct uop *u);

#define UOP_NOREG 0xff

/*
 * The operation a micro-op's handler does, for the host-code backend
 * (cpu/native*.c), which selects its emitters by it and never by the
 * handler pointer.  The translator sets it where it picks the handler
 * (tr_emit() leaves UK_CALL); code that re-points u->fn sets it too.
 * UK_CALL: host code only calls the handler.
 */
enum uop_kind {
    UK_CALL,
    UK_NOP,                     /* the NOP forms */
    UK_MOV, UK_ALU,             /* MOV and ALU tables of ops-int.c (kform) */
    UK_INCDEC,                  /* INC/DEC reg */
    UK_UNARY,                   /* NOT/NEG/... reg (aux = the operation) */
    UK_SHIFT,                   /* shifts and rotates of a register */
    UK_SHIFT_M,                 /* SHL/SHR/SAR/ROL/ROR [mem], imm */
    UK_IMUL2,                   /* IMUL reg, r/m[, imm] */
    UK_DIV,                     /* DIV/IDIV r/m (aux = the operation) */
    UK_MOVX, UK_LEA, UK_CMOV, UK_SETCC,
    UK_FUSED,                   /* CMP/INC/DEC fused with the Jcc after it */
    UK_PUSH64, UK_POP64, UK_CALL64, UK_RET64, /* 64-bit mode, 8-byte stack forms */
    UK_CALL_IND, UK_JMP_IND,    /* CALL/JMP through a register or memory */
    UK_JMP, UK_JCC,             /* JMP rel, Jcc rel (within the CS limit) */
    UK_SIDE,                    /* Jcc rel inside a block: a side exit (uop_side_exit()) */
    UK_EXIT_CHAIN,              /* the block's fall-through exit, chainable */
    UK_VMOV, UK_VSTORE, UK_VMOVMSK, UK_VOP, /* MMX/SSE moves, stores, MOVMSK, packed ops */
};

struct uop {
    uop_fn fn;
    uint64_t rip;       /* RIP of this instruction (next = rip + len) */
    uint8_t len;        /* instruction length in bytes */
    uint8_t idx;        /* instruction index within the block */
    uint8_t osize;      /* operand size in bytes: 1, 2, 4, 8 */
    uint8_t asize;      /* address size in bytes: 2, 4, 8 */
    /*
     * reg/rm: register operands.  For osize 1 they hold a byte offset into
     * cpu->regs (n * 8, or (n - 4) * 8 + 1 for AH..BH), else a register
     * number; UOP_NOREG when the operand is memory or absent.
     */
    uint8_t reg;
    uint8_t rm;
    uint8_t base;       /* EA base register or UOP_NOREG */
    uint8_t index;      /* EA index register or UOP_NOREG */
    uint8_t scale;      /* EA index shift, 0..3 */
    uint8_t seg;        /* segment of the memory operand (enum seg_reg) */
    uint8_t rep;        /* 0, 0xf3 (REP/REPE) or 0xf2 (REPNE) */
    uint8_t cc;         /* condition code 0..15, or sub-operation */
    uint16_t aux;       /* handler-specific (e.g. a second size) */
    uint8_t lock;       /* LOCK prefix present */
    uint8_t opsz2;      /* handler-specific second size */
    uint8_t kind;       /* enum uop_kind: what the handler does, for host code */
    uint8_t kform;      /* with kind: UK_MOV size index << 4 | form; UK_ALU op << 3 | form;
                           UK_INCDEC 0 INC, 1 DEC; UK_FUSED the fusion (fuse_with_jcc()) */
    uint8_t rest;       /* UK_SIDE: instructions of the block after this one, whose
                           budget a taken side exit gives back; 0 otherwise */
    uint32_t site;      /* UK_SIDE: offset from tb->native_chained of the host-code
                           jump of chain slot 0 (patched when linked), or 0 */
    int64_t disp;       /* EA displacement; RIP-relative already folded */
    uint64_t imm;       /* immediate, sign/zero-extended as the insn defines */
    uint64_t imm2;      /* second immediate, branch target, far selector */
    struct tb *chain[2];/* linked targets for direct exits (taken, not taken) */
};

#define TB_MAX_INSNS 64
#define TB_MAX_UOPS  (TB_MAX_INSNS + 1)  /* plus the exit to the next block */

struct tb {
    gva_t pc;           /* linear address of the first instruction (CS base + RIP) */
    gpa_t phys_pc;      /* physical address of the first byte */
    gpa_t phys_page2;   /* second page when the block crosses a page, or -1 */
    uint64_t cs_base;
    uint32_t cs_limit;  /* CS limit: outside 64-bit mode fetches beyond it are #GP */
    uint32_t hflags;    /* mode bits that change decoding (HF_*) */
    uint16_t size;      /* guest bytes covered */
    uint16_t ninsns;
    uint16_t nuops;
    bool invalid;
    struct tb *hash_next;
    /* incoming direct jumps, so the block can be unlinked; site: the host
     * code jump patched to enter this block directly, or NULL */
    struct tb_link { struct uop *from; int slot; uint8_t *site; struct tb_link *next; } *jmp_in;
    const void *native;  /* host code calling the handlers (cpu/native.c), or NULL */
    const void *native_chained; /* its entry from a patched jump: accounts, then native */
    uint8_t *native_jmp[2];     /* this block's exit jumps for chain slots 0 and 1, or NULL */
    /* -d jit (cpu/jit-report.c): times the block was entered, and its forms, or NULL */
    uint64_t jit_execs;
    struct tb_jit *jit;
    struct uop ops[];
};

/* The block a micro-op belongs to (one micro-op per instruction: ops[idx]). */
static inline struct tb *tb_of(const struct uop *u)
{
    return (struct tb *)(void *)((char *)(uintptr_t)(u - u->idx) - offsetof(struct tb, ops));
}

/*
 * hflags: everything that changes how bytes decode or translate.  Part of
 * the block key; recomputed by cpu_update_hflags() after any change to
 * CS, SS, CR0, CR4, EFER or EFLAGS.TF/VM/AC.
 */
#define HF_CPL_MASK   3u
#define HF_CS32       (1u << 2)  /* CS.D: 32-bit default operand/address size */
#define HF_CS64       (1u << 3)  /* 64-bit code segment in long mode */
#define HF_SS32       (1u << 4)  /* SS.B: 32-bit stack */
#define HF_PE         (1u << 5)  /* protected mode */
#define HF_LMA        (1u << 6)  /* long mode active */
#define HF_VM         (1u << 7)  /* virtual-8086 */
#define HF_TF         (1u << 8)  /* single step: one-instruction blocks */
#define HF_EM         (1u << 9)  /* CR0.EM */
#define HF_TS         (1u << 10) /* CR0.TS */
#define HF_MP         (1u << 11) /* CR0.MP */
#define HF_OSFXSR     (1u << 12) /* CR4.OSFXSR */
#define HF_DBG        (1u << 13) /* DR7 enables a breakpoint: one-instruction blocks (debug.c) */
#define HF_INHIBIT    (1u << 14) /* MOV SS / STI interrupt shadow (not in key) */
#define HF_ONE_INSN   (HF_TF | HF_DBG) /* blocks of one instruction, never chained */
#define HF_KEY_MASK   (~HF_INHIBIT)
/* key only: a one-instruction block run at the end of an interrupt shadow
 * with an interrupt pending, so it is taken right after that instruction */
#define HF_SHADOW_END (1u << 30)

/*
 * An exception or interrupt raised while executing: cpu_raise_*() fills
 * cpu->pend and longjmps to cpu_run(), which sets RIP (cur->rip for
 * faults, next_rip for traps/soft interrupts/exits), gives back the budget
 * of the instructions of the block that did not retire, then calls
 * cpu_deliver_event() unless exit_only.
 */
struct cpu_event {
    int vector;
    bool has_error;
    bool is_soft;       /* INT n, INT3, INTO: trap, DPL checked against CPL */
    bool is_trap;       /* return RIP is next_rip */
    bool exit_only;     /* no event: just leave the block (cpu_exit_block) */
    uint32_t error;
    uint64_t next_rip;
};

/* ---- the vCPU ----------------------------------------------------------- */

struct cpu {
    uint64_t regs[16];
    uint64_t rip;

    /* arithmetic flags (lazy) and the rest of RFLAGS */
    uint64_t cc_dst, cc_src, cc_src2;
    uint32_t cc_op;
    uint32_t eflags;    /* non-arithmetic bits; arithmetic ones when CC_OP_EFLAGS */

    uint32_t hflags;
    uint8_t mmu_idx;
    uint8_t seg_chk;    /* segments whose accesses need limit/type checks (seg_la) */

    struct seg seg[6];
    struct seg ldtr, tr;
    struct dtr gdtr, idtr;
    uint64_t cr0, cr2, cr3, cr4, cr8;
    uint64_t efer;
    uint64_t dr[8];

    uint64_t star, lstar, cstar, fmask, kernel_gs_base;
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t pat, apic_base, misc_enable, tsc_aux;
    uint64_t feature_control; /* IA32_FEATURE_CONTROL: only the lock bit (no VMX/SMX) */
    uint64_t apic_mmio_page; /* xAPIC page while enabled, else UINT64_MAX */
    int64_t tsc_offset;     /* guest TSC = vclock TSC + tsc_offset */

    struct fpu_state fpu;
    uint64_t xcr0;
    void (*ferr_fn)(void *opaque, bool level);  /* FERR# (cpu_set_ferr_hook) */
    void *ferr_opaque;
    bool ferr_level;

    struct tlb_entry tlb[MMU_IDX_COUNT][TLB_SIZE];

    /* execution engine */
    const struct uop *cur;  /* uop being executed (precise RIP on faults) */
    struct native *native;  /* host code buffer (cpu/native.c), NULL: interpret */
    /*
     * Instruction accounting: a block's entry takes its instructions off
     * the budget (given back for those that did not retire, on faults and
     * early exits); the retired count is derived from it, cpu_icount():
     * icount as of the moment the budget was budget_mark, plus what was
     * taken off since.  The block running is tb_of(cur) when needed.
     */
    int64_t budget;         /* instructions left in this slice */
    int64_t budget_mark;
    uint64_t icount;
    volatile bool exit_request;
    bool halted;
    bool wait_sipi;         /* INIT received, waiting for a STARTUP IPI (halted too) */
    bool init_pending;      /* INIT arrived while running: taken at the next boundary */
    bool intr_line;
    bool nmi_pending;
    int delivering;         /* vector being delivered, -1 when none */
    bool nmi_blocked;
    struct cpu_event pend;  /* set by cpu_raise_*() */
    uint32_t db_pending;    /* B0-B3 of data/I/O breakpoints the instruction hit (debug.c) */
    uint32_t db_deferred;   /* #DB conditions waiting out a MOV SS / POP SS shadow */
    bool db_shadow;         /* the instruction was MOV SS or POP SS under HF_ONE_INSN */
    enum cpu_exit exit_reason;
    jmp_buf jmp_env;
    uint64_t runtime_ns;    /* virtual ns run, not halted, up to run_start_ns */
    int64_t run_start_ns;   /* when the current un-halted stretch began */
    bool in_run;            /* inside cpu_run() */

    struct bus *bus;
    struct cpu_config cfg;
    struct cpu_hv_hooks hv;
    struct cpu_intc intc;
    int index;

    struct tb_cache *tbc;   /* translation block cache (exec.c) */
    struct jit_totals *jit; /* -d jit counts of blocks gone (cpu/jit-report.c), or NULL */
    struct cpu_group *group;/* the vCPUs sharing this memory (exec.c), or NULL */
    struct uop *link_from;  /* direct exit waiting to be linked */
    int link_slot;
    gva_t link_src_pc_page;
    struct tb *link_src_tb;  /* the block link_from belongs to */
    bool large_pages;       /* a 2M/4M/1G page is in the TLB (INVLPG flushes all) */
    /* TLBF_* of tlb[i][j]: global (kept by CR3 loads), part of a large page */
    uint8_t tlb_flags[MMU_IDX_COUNT][TLB_SIZE];
    /* the entries filled since the last flush (cpu/mmu.c), unless tlb_log_full */
    uint16_t tlb_log[TLB_LOG_SIZE];
    unsigned tlb_log_n;
    bool tlb_log_full;
    /* 2 MiB regions (bit (la >> 21) % 1024) that may hold a large-page
     * entry, and whether a 1 GiB one may be there: INVLPG elsewhere
     * needs no scan for large pages (cpu/mmu.c) */
    uint64_t tlb_large_map[16];
    bool tlb_large_1g;
    struct tlb_pcid_set *pcid_sets; /* TLB_PCID_SETS saved TLBs (cpu/mmu.c), or NULL */
    uint64_t pcid_clock;    /* counts saves: the least recently saved set is reused */
    struct feat_set decode_features; /* enabled CPUID features (cpu_feat_set) */
    unsigned sys_features;  /* SYSF_*: system features of the CPU model (cpu.c) */
    struct cpu_stats {
        uint64_t tb_translated, tb_chained, tb_invalidated, tb_lookups;
        uint64_t tlb_fills, tlb_flushes, exceptions, interrupts;
    } stats;
};

/* ---- register helpers ---------------------------------------------------- */

static ALWAYS_INLINE uint64_t size_mask(unsigned size)
{
    return size == 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

/* Read a register operand encoded as in struct uop (reg/rm). */
static ALWAYS_INLINE uint64_t reg_get(const struct cpu *cpu, unsigned r, unsigned size)
{
    switch (size) {
    case 1: return ((const uint8_t *)cpu->regs)[r];
    case 2: return (uint16_t)cpu->regs[r];
    case 4: return (uint32_t)cpu->regs[r];
    default: return cpu->regs[r];
    }
}

/* Write a register operand: 32-bit writes zero-extend, 8/16-bit merge. */
static ALWAYS_INLINE void reg_set(struct cpu *cpu, unsigned r, unsigned size, uint64_t v)
{
    switch (size) {
    case 1: ((uint8_t *)cpu->regs)[r] = (uint8_t)v; break;
    case 2: cpu->regs[r] = (cpu->regs[r] & ~0xffffull) | (uint16_t)v; break;
    case 4: cpu->regs[r] = (uint32_t)v; break;
    default: cpu->regs[r] = v; break;
    }
}

/* Effective address (offset within the segment) of a uop's memory operand. */
static ALWAYS_INLINE uint64_t uop_ea(const struct cpu *cpu, const struct uop *u)
{
    uint64_t ea = (uint64_t)u->disp;

    if (u->base != UOP_NOREG)
        ea += cpu->regs[u->base];
    if (u->index != UOP_NOREG)
        ea += cpu->regs[u->index] << u->scale;
    return ea & size_mask(u->asize);
}

/* Linear address of segment:offset (64-bit mode: only FS/GS have bases). */
static inline gva_t seg_linear(const struct cpu *cpu, unsigned seg, uint64_t off)
{
    return cpu->seg[seg].base + off;
}

/* Linear address of a uop's memory operand, without segment checks (INVLPG,
 * and handlers that check the whole operand themselves). */
static inline gva_t uop_la(const struct cpu *cpu, const struct uop *u)
{
    uint64_t ea = uop_ea(cpu, u);

    if (u->seg == SEG_NONE)
        return ea;
    return seg_linear(cpu, u->seg, ea);
}

/*
 * Segment limit and type checks (SDM vol. 3, 5.3 and 5.5; excp.c).
 * cpu->seg_chk has a bit per segment register whose accesses must be
 * checked: none in 64-bit mode, and in the other modes only those that
 * are not flat (a present writable expand-up data segment with a 4 GiB
 * limit needs no check), so 64-bit and flat 32-bit code pay one test of
 * a byte that is zero.  seg_check() raises #GP(0), or #SS(0) for SS, when
 * [off, off + size) is outside the segment, the segment is unusable
 * (null selector) or the access type is not allowed (a write to code or
 * read-only data, a read of execute-only code; protected mode only).
 */
void seg_check(struct cpu *cpu, unsigned seg, uint64_t off, unsigned size, bool write);
/* Recompute cpu->seg_chk after a segment or mode change. */
void cpu_update_seg_chk(struct cpu *cpu);

static ALWAYS_INLINE gva_t seg_la(struct cpu *cpu, unsigned seg, uint64_t off, unsigned size,
                           bool write)
{
    if (seg == SEG_NONE)
        return off;
    if (unlikely(cpu->seg_chk & (1u << seg)))
        seg_check(cpu, seg, off, size, write);
    return cpu->seg[seg].base + off;
}

/* The checked linear address of a uop's memory operand for a read, or for
 * a write (read-modify-write too) of `size` bytes. */
static ALWAYS_INLINE gva_t uop_la_r(struct cpu *cpu, const struct uop *u, unsigned size)
{
    return seg_la(cpu, u->seg, uop_ea(cpu, u), size, false);
}

static ALWAYS_INLINE gva_t uop_la_w(struct cpu *cpu, const struct uop *u, unsigned size)
{
    return seg_la(cpu, u->seg, uop_ea(cpu, u), size, true);
}

/* ---- memory access (mmu.c owns the slow paths) -------------------------- */

uint64_t mmu_ld_slow(struct cpu *cpu, gva_t la, unsigned size);
void mmu_st_slow(struct cpu *cpu, gva_t la, unsigned size, uint64_t v);

/*
 * Loads and stores by linear address.  They may raise #PF, #GP (non-
 * canonical), #SS, #AC.  Fast path: one TLB compare and a host access.
 */
#define DEFINE_MEM_ACCESS(bits, type)                                          \
static ALWAYS_INLINE type cpu_ld##bits(struct cpu *cpu, gva_t la)                     \
{                                                                              \
    const struct tlb_entry *e = &cpu->tlb[cpu->mmu_idx][(la >> PAGE_BITS) & TLB_MASK]; \
    if (likely(e->tag_r == (la & PAGE_MASK) &&                                 \
               (la & ~PAGE_MASK) <= PAGE_SIZE - sizeof(type))) {               \
        type v;                                                                \
        memcpy(&v, (const void *)(uintptr_t)(la + e->addend), sizeof v);       \
        return v;                                                              \
    }                                                                          \
    return (type)mmu_ld_slow(cpu, la, sizeof(type));                           \
}                                                                              \
static ALWAYS_INLINE void cpu_st##bits(struct cpu *cpu, gva_t la, type v)             \
{                                                                              \
    const struct tlb_entry *e = &cpu->tlb[cpu->mmu_idx][(la >> PAGE_BITS) & TLB_MASK]; \
    if (likely(e->tag_w == (la & PAGE_MASK) &&                                 \
               (la & ~PAGE_MASK) <= PAGE_SIZE - sizeof(type))) {               \
        memcpy((void *)(uintptr_t)(la + e->addend), &v, sizeof v);             \
        return;                                                                \
    }                                                                          \
    mmu_st_slow(cpu, la, sizeof(type), v);                                     \
}

DEFINE_MEM_ACCESS(8, uint8_t)
DEFINE_MEM_ACCESS(16, uint16_t)
DEFINE_MEM_ACCESS(32, uint32_t)
DEFINE_MEM_ACCESS(64, uint64_t)

static ALWAYS_INLINE uint64_t cpu_ld(struct cpu *cpu, gva_t la, unsigned size)
{
    switch (size) {
    case 1: return cpu_ld8(cpu, la);
    case 2: return cpu_ld16(cpu, la);
    case 4: return cpu_ld32(cpu, la);
    default: return cpu_ld64(cpu, la);
    }
}

static ALWAYS_INLINE void cpu_st(struct cpu *cpu, gva_t la, unsigned size, uint64_t v)
{
    switch (size) {
    case 1: cpu_st8(cpu, la, (uint8_t)v); break;
    case 2: cpu_st16(cpu, la, (uint16_t)v); break;
    case 4: cpu_st32(cpu, la, (uint32_t)v); break;
    default: cpu_st64(cpu, la, v); break;
    }
}

/*
 * Check that [la, la+size) is writable without writing (for instructions
 * that must fault before any side effect, e.g. a push before RSP moves).
 * May raise #PF/#GP/#SS.
 */
void mmu_probe_write(struct cpu *cpu, gva_t la, unsigned size);

/* Supervisor (implicit) accesses: descriptor tables, TSS, IDT; ignore CPL. */
uint64_t mmu_ld_sys(struct cpu *cpu, gva_t la, unsigned size);
void mmu_st_sys(struct cpu *cpu, gva_t la, unsigned size, uint64_t v);

/* Instruction fetch for the translator: host pointer to the page of la or
 * raises #PF/#GP; *pa receives the physical address of la. */
const uint8_t *mmu_fetch_page(struct cpu *cpu, gva_t la, gpa_t *pa);

void tlb_flush_all(struct cpu *cpu);
void tlb_flush_page(struct cpu *cpu, gva_t la);
void mmu_load_cr3(struct cpu *cpu, uint64_t new_cr3, bool keep);
void mmu_invpcid(struct cpu *cpu, unsigned type, unsigned pcid, gva_t la);
void mmu_free(struct cpu *cpu);
/* Recompute mmu_idx from CPL, CR0.AM and EFLAGS.AC. */
void cpu_update_mmu_idx(struct cpu *cpu);

/* ---- exceptions and interrupts (excp.c) --------------------------------- */

/* Fault: RIP of the faulting instruction is pushed. */
_Noreturn void cpu_raise_exception(struct cpu *cpu, int vector);
_Noreturn void cpu_raise_exception_err(struct cpu *cpu, int vector, uint32_t error_code);
/* INT n / INT3 / INTO: a trap that pushes next_rip; software-interrupt rules. */
_Noreturn void cpu_raise_softint(struct cpu *cpu, int vector, uint64_t next_rip);
/* An event whose return address is `rip` in a new context (a fault after a
 * task switch committed, the T-bit trap): delivered as cpu_raise_* do. */
_Noreturn void cpu_raise_at(struct cpu *cpu, int vector, bool has_error, uint32_t error,
                            uint64_t rip);
/* Leave the current block after this instruction, RIP = next_rip. */
_Noreturn void cpu_exit_block(struct cpu *cpu, uint64_t next_rip);

/* Deliver an event through the IDT (real, protected, long mode).  Faults
 * during delivery escalate (#DF, then triple fault: cpu->exit_reason =
 * CPU_EXIT_TRIPLE_FAULT and cpu->exit_request set). */
void cpu_do_interrupt(struct cpu *cpu, int vector, bool is_soft, bool has_error,
                      uint32_t error_code, uint64_t return_rip);
/* Deliver cpu->pend after cpu_run() landed from a longjmp (RIP already set). */
void cpu_deliver_event(struct cpu *cpu);
/*
 * At a block boundary: deliver a pending NMI or, if EFLAGS.IF and no
 * interrupt shadow, an INTR acknowledged from cpu->intc.  Clears
 * cpu->halted when something was delivered.  Returns true if it delivered.
 */
bool cpu_check_interrupts(struct cpu *cpu);

/* ---- stack (ops-ctl.c) ---------------------------------------------------- */

/* Stack width in bytes for the current mode: 8 in 64-bit code, else SS.B. */
static inline unsigned stack_width(const struct cpu *cpu)
{
    return (cpu->hflags & HF_CS64) ? 8 : (cpu->hflags & HF_SS32) ? 4 : 2;
}
/* Linear address of SS:rSP with the stack width applied for an access of
 * `size` bytes; raises #SS for a non-canonical address in 64-bit mode and
 * for one outside the stack segment elsewhere. */
gva_t stack_la(struct cpu *cpu, uint64_t rsp, unsigned size, bool write);
/* Push/pop `size` bytes; RSP moves only after the access succeeded. */
void stack_push(struct cpu *cpu, unsigned size, uint64_t v);
uint64_t stack_pop(struct cpu *cpu, unsigned size);
/* Read the value `off` bytes above rSP without moving rSP. */
uint64_t stack_peek(struct cpu *cpu, unsigned size, unsigned off);
/* rSP += delta within the stack width. */
void stack_adjust(struct cpu *cpu, int64_t delta);

/* ---- segments (excp.c) --------------------------------------------------- */

/* Descriptor fields (the 8-byte form): attributes as struct seg keeps
 * them, base, byte-granular limit. */
uint32_t desc_attr(uint32_t hi);
uint64_t desc_base(uint32_t lo, uint32_t hi);
uint32_t desc_limit(uint32_t lo, uint32_t hi);
/* Read the descriptor for sel from the GDT or LDT (supervisor accesses;
 * may raise #PF); false when it is beyond the table's limit. */
bool desc_read(struct cpu *cpu, uint16_t sel, uint32_t *lo, uint32_t *hi, gva_t *where);
/* Set the accessed bit of the descriptor at where (whose high dword is hi). */
void desc_set_accessed(struct cpu *cpu, gva_t where, uint32_t hi);
/* Set a segment register's cache. */
void seg_set(struct cpu *cpu, int seg, uint16_t sel, uint64_t base, uint32_t limit,
             uint32_t attr);

/* Load a data/stack segment register (MOV/POP Sreg, LxS): all checks. */
void seg_load(struct cpu *cpu, int seg, uint16_t sel);
/* Set a segment register in real/VM86 style (base = sel << 4). */
void seg_load_real(struct cpu *cpu, int seg, uint16_t sel);

/* ---- debug registers (debug.c) -------------------------------------------- */

#define DR6_BD (1u << 13)
#define DR6_BS (1u << 14)

/* Does a data breakpoint watch linear page `page` (no fast-path TLB entry then)? */
bool debug_page_watched(const struct cpu *cpu, gva_t page);
/* Note the data (debug_check_data) or I/O breakpoints an access hits. */
void debug_check_data(struct cpu *cpu, gva_t la, unsigned size, bool write);
void debug_check_io(struct cpu *cpu, uint16_t port, unsigned size);
/* In cpu_run() under HF_DBG: true when it delivered an instruction-breakpoint #DB. */
bool debug_before_insn(struct cpu *cpu, gva_t pc);
/* After a one-instruction block: true when it delivered a #DB trap. */
bool debug_after_insn(struct cpu *cpu, bool tf);
/* MOV DRn: aliasing, #UD and general detect (may raise); the register to use. */
unsigned debug_mov_dr_check(struct cpu *cpu, unsigned dr);
void debug_dr_written(struct cpu *cpu, unsigned dr);

/* ---- hardware task switching (task.c) ------------------------------------ */

enum task_reason { TASK_JMP, TASK_CALL, TASK_IRET, TASK_INT };
/*
 * Switch to the task of TSS selector sel (SDM vol. 3, 7.3) for a far
 * JMP/CALL (to a TSS or through a task gate), an IRET with NT, or an
 * event through a task gate (err pushed on the new stack when has_err).
 * ret_rip is what the old task resumes at.  Raises #GP/#TS/#NP/#SS before
 * the switch commits (old context) and after it (new context).
 */
void task_switch(struct cpu *cpu, uint16_t sel, enum task_reason why, uint64_t ret_rip,
                 bool has_err, uint32_t err);
/* A far JMP/CALL whose selector names a task gate or a TSS descriptor. */
void task_far(struct cpu *cpu, uint16_t sel, uint32_t lo, uint32_t hi, bool call,
              uint64_t ret_rip);

/* ---- flags (flags.c) ----------------------------------------------------- */

/* Materialise all arithmetic flags (EFLAGS_ARITH bits). */
uint32_t cc_compute_all(const struct cpu *cpu);
bool cc_compute_cf_slow(const struct cpu *cpu);

/* Lazy flags of a compare/subtract a - b at `size` bytes (CMP, CMPS, SCAS). */
static inline void cc_set_sub(struct cpu *cpu, unsigned size, uint64_t a, uint64_t b)
{
    cpu->cc_op = CC_OP_SUBB + (size == 1 ? SZ_B : size == 2 ? SZ_W : size == 4 ? SZ_L : SZ_Q);
    cpu->cc_src2 = a;
    cpu->cc_src = b;
    cpu->cc_dst = a - b;
}
/* CF alone: the common lazy cases inline, the rest in flags.c. */
static inline bool cc_compute_cf(const struct cpu *cpu)
{
    unsigned op = cpu->cc_op;

    if (op >= CC_OP_LOGICB && op <= CC_OP_LOGICQ)
        return false;
    if (op >= CC_OP_INCB && op <= CC_OP_DECQ)
        return cpu->cc_src != 0;
    if (op >= CC_OP_SUBB && op <= CC_OP_SUBQ) {
        uint64_t m = op == CC_OP_SUBQ ? ~0ull : (1ull << (8u << (op - CC_OP_SUBB))) - 1;
        return (cpu->cc_src2 & m) < (cpu->cc_src & m);
    }
    return cc_compute_cf_slow(cpu);
}
/* Evaluate condition code cc (Jcc/SETcc/CMOVcc encoding 0..15); the
 * common lazy cases are answered without materialising the flags. */
static inline bool cpu_cond(const struct cpu *cpu, unsigned cc)
{
    unsigned op = cpu->cc_op;
    bool r;

    if (op >= CC_OP_SUBB && op <= CC_OP_SUBQ) {
        /* CMP/SUB: compare the operands directly */
        unsigned bits = 8u << (op - CC_OP_SUBB);
        uint64_t m = size_mask(bits / 8);
        uint64_t a = cpu->cc_src2 & m, b = cpu->cc_src & m;
        int64_t sa = (int64_t)(a << (64 - bits)), sb = (int64_t)(b << (64 - bits));
        switch (cc >> 1) {
        case 1: r = a < b; goto done;
        case 2: r = a == b; goto done;
        case 3: r = a <= b; goto done;
        case 6: r = sa < sb; goto done;
        case 7: r = sa <= sb; goto done;
        default: break;
        }
    } else if (op >= CC_OP_LOGICB && op <= CC_OP_LOGICQ) {
        unsigned bits = 8u << (op - CC_OP_LOGICB);
        int64_t s = (int64_t)(cpu->cc_dst << (64 - bits));
        switch (cc >> 1) {
        case 0: r = false; goto done;           /* OF = 0 */
        case 1: r = false; goto done;           /* CF = 0 */
        case 2: r = s == 0; goto done;
        case 3: r = s == 0; goto done;
        case 4: r = s < 0; goto done;
        case 6: r = s < 0; goto done;           /* SF != OF, OF = 0 */
        case 7: r = s <= 0; goto done;
        default: break;
        }
    }
    if (op != CC_OP_EFLAGS && ((cc >> 1) == 2 || (cc >> 1) == 4)) {
        /* ZF and SF come from the result for every lazy operation */
        unsigned bits = 8u << ((op - 1) & 3);
        int64_t s = (int64_t)(cpu->cc_dst << (64 - bits));
        r = (cc >> 1) == 2 ? s == 0 : s < 0;
        goto done;
    }
    {
        uint32_t f = cc_compute_all(cpu);
        bool sf = f & EFLAGS_SF, of = f & EFLAGS_OF, zf = f & EFLAGS_ZF;
        switch (cc >> 1) {
        case 0: r = of; break;
        case 1: r = f & EFLAGS_CF; break;
        case 2: r = zf; break;
        case 3: r = (f & EFLAGS_CF) || zf; break;
        case 4: r = sf; break;
        case 5: r = f & EFLAGS_PF; break;
        case 6: r = sf != of; break;
        default: r = zf || sf != of; break;
        }
    }
done:
    return (cc & 1) ? !r : r;
}

/* Full RFLAGS value, and the inverse (writes mask-selected bits). */
uint64_t cpu_get_rflags(const struct cpu *cpu);
/* Materialised arithmetic flags: store them and switch to CC_OP_EFLAGS. */
static inline void cpu_set_arith_flags(struct cpu *cpu, uint32_t f)
{
    cpu->eflags = (cpu->eflags & ~EFLAGS_ARITH) | (f & EFLAGS_ARITH);
    cpu->cc_op = CC_OP_EFLAGS;
}
void cpu_set_rflags(struct cpu *cpu, uint64_t value, uint64_t mask);

/* ---- mode (excp.c) ------------------------------------------------------- */

void cpu_update_hflags(struct cpu *cpu);
/* HLT and wake-up: VP_RUNTIME counts only un-halted virtual time. */
static inline void cpu_set_halted(struct cpu *cpu, bool halted)
{
    if (halted == cpu->halted)
        return;
    if (cpu->in_run) {
        int64_t now = vclock_ns();
        if (halted)
            cpu->runtime_ns += (uint64_t)(now - cpu->run_start_ns);
        else
            cpu->run_start_ns = now;
    }
    cpu->halted = halted;
}

static inline unsigned cpu_cpl_fast(const struct cpu *cpu) { return cpu->hflags & HF_CPL_MASK; }

/* An event to look at before the next block: an NMI, or INTR with IF set.
 * (A line held high while IF is clear must not stop blocks chaining.) */
static inline bool cpu_event_pending(const struct cpu *cpu)
{
    return cpu->nmi_pending || (cpu->intr_line && (cpu->eflags & EFLAGS_IF));
}

/* ---- execution engine (exec.c) ------------------------------------------ */

/*
 * Direct exit from a block to target RIP through chain slot `slot` of u:
 * sets cpu->rip and returns the next uop (a linked block's first uop) or
 * NULL to return to the main loop.
 */
const struct uop *uop_goto_indirect(struct cpu *cpu, uint64_t rip);
static inline const struct uop *uop_goto(struct cpu *cpu, const struct uop *u, int slot,
                                         uint64_t rip)
{
    struct tb *t = u->chain[slot];

    cpu->rip = rip;
    if (likely(t && cpu->budget > 0 && !cpu->exit_request)) {
        /* a block on another page (remembered by host code): check the mapping */
        if (unlikely((t->pc ^ tb_of(u)->pc) & PAGE_MASK))
            return uop_goto_indirect(cpu, rip);
        cpu->budget -= t->ninsns;
        cpu->stats.tb_chained++;
        return t->ops;
    }
    /* ask the main loop to link this exit once it has found the target */
    cpu->link_from = (struct uop *)u;
    cpu->link_slot = slot;
    return NULL;
}
void jit_count_side(struct tb *tb, unsigned idx);    /* cpu/jit-report.c */
/*
 * A side exit taken: a Jcc inside a block (UK_SIDE) leaves through chain
 * slot 0 to its target.  The block's entry took all its instructions off
 * the budget; those after the Jcc did not run, so they are given back
 * (u->rest, 0 for a Jcc that ends its block).  -d jit counts the exit so
 * the instructions after it are not reported as run.
 */
static inline const struct uop *uop_side_exit(struct cpu *cpu, const struct uop *u)
{
    cpu->budget += u->rest;
    if (unlikely(u->rest != 0) && unlikely(tb_of(u)->jit != NULL))
        jit_count_side(tb_of(u), u->idx);
    return uop_goto(cpu, u, 0, u->imm);
}
/*
 * Leave the running block before micro-op u, which has not retired: RIP is
 * its instruction's and the block's instruction count is corrected, so
 * cpu_run() starts there next (a REP string instruction pausing between
 * iterations, a block invalidated while it runs).
 */
const struct uop *uop_leave_before(struct cpu *cpu, const struct uop *u);
/* Indirect exit (RET, JMP r/m): sets cpu->rip, may look the target up
 * (declared above uop_goto()). */
/* The same for host code, which remembers the block in u->chain[slot] (exec.c). */
const struct uop *uop_lookup_remember(struct cpu *cpu, struct uop *u, uint64_t rip, int slot);

/* Invalidate blocks overlapping [pa, pa+len) in every vCPU of cpu's group;
 * called on writes to code pages. */
void tb_invalidate_phys(struct cpu *cpu, gpa_t pa, size_t len);
/* True if the physical page holds code translated by any vCPU of cpu's
 * group (stores must invalidate). */
bool tb_page_has_code(struct cpu *cpu, gpa_t pa);
void cpu_group_leave(struct cpu *cpu);
void tb_flush_all(struct cpu *cpu);
void cpu_exec_init(struct cpu *cpu);
void cpu_exec_free(struct cpu *cpu);
/* The enabled CPUID features, for the decoder's gating. */
static inline const struct feat_set *cpu_decode_features(const struct cpu *cpu)
{
    return &cpu->decode_features;
}

/* ---- CPU models (cpu-models.c) ------------------------------------------- */

struct cpu_model {
    const char *name;
    const char *desc;
    uint32_t family, model, stepping;
    const char *vendor;
    const char *brand;
    const unsigned *feats;  /* enum cpu_feat list ending in FEAT_NONE; NULL: all implemented */
};
/* The model named `name` (the first model, qemu64, if none is). */
const struct cpu_model *cpu_model_find(const char *name);
/* Is the feature of this QEMU name (or alias) on in cfg? */
bool cpu_config_has(const struct cpu_config *cfg, const char *name);
/* The enabled features of cfg as the decoder's bit set. */
struct feat_set cpu_feat_set(const struct cpu_config *cfg);
/* Like mmu_fetch_page but returns NULL instead of raising. */
const uint8_t *mmu_fetch_probe(struct cpu *cpu, gva_t la, gpa_t *pa);

/* ---- system services used by handlers ------------------------------------ */

enum msr_result cpu_rdmsr(struct cpu *cpu, uint32_t msr, uint64_t *val);
/* Enter the INIT state now (cpu_init_signal() defers to here). */
void cpu_take_init(struct cpu *cpu);
/* MOV from/to CR8: through the local APIC's TPR when there is one. */
uint64_t cpu_get_cr8(struct cpu *cpu);
void cpu_put_cr8(struct cpu *cpu, uint64_t v);
/* A store to the xAPIC page; the block ends after the instruction so an
 * interrupt it raised (self IPI, TPR, EOI) is taken at once. */
void cpu_apic_mmio_write(struct cpu *cpu, uint64_t pa, uint64_t v, unsigned size);
/* The xAPIC MMIO page of this vCPU covers pa (struct cpu_intc). */
static inline bool cpu_apic_page(const struct cpu *cpu, uint64_t pa)
{
    return (pa & ~0xfffull) == cpu->apic_mmio_page;
}
enum msr_result cpu_wrmsr(struct cpu *cpu, uint32_t msr, uint64_t val);
/*
 * I/O permission check for IN/OUT/INS/OUTS (SDM vol. 1, 19.5): in protected
 * mode with CPL > IOPL (or VM86) consult the TSS I/O bitmap; raises #GP(0).
 */
void io_check_perm(struct cpu *cpu, uint16_t port, unsigned size);

/* Emulator bug: dump state and the current block, then abort. */
_Noreturn void cpu_abort(struct cpu *cpu, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* What host code may do instead of calling a MOV/ALU register handler. */
struct uop_simple {
    bool alu;           /* else MOV */
    bool load, store;   /* MOV reg <- [mem] / [mem] <- reg or imm (any size) */
    bool mem_alu;       /* ALU with a memory operand: reg op= [mem], or [mem] op reg|imm
                           (mem_a: memory is the first operand; rmw: the result goes
                           back to memory, else to reg when `writes`) */
    bool mem_a, rmw;
    bool mem_shift;     /* SHL/SHR/SAR/ROL/ROR [mem], imm (shift, count; imm set): host code
                           takes it only when its flags are dead */
    bool lea;           /* LEA reg, [ea] (4/8 bytes; 32/64-bit addressing) */
    uint8_t movx;       /* MOVZX/MOVSX/MOVSXD reg (4/8 bytes) from a src of movx bytes */
    bool sign;          /* MOVSX/MOVSXD */
    bool mem_src;       /* MOVZX/MOVSX: the source is memory (else register u->rm) */
    bool setcc, cmov;   /* SETcc r8, CMOVcc reg, reg (4/8 bytes): condition u->cc */
    bool imul;          /* IMUL reg, reg[, imm] */
    uint8_t shift;      /* 1 SHL, 2 SHR, 3 SAR reg by an immediate count; 0: no shift;
                           4 ROL, 5 ROR, 6 SHLD, 7 SHRD (u->rm the source) reg (4/8 bytes) */
    unsigned count;     /* shift count, already masked, never 0 (unless count_cl) */
    bool count_cl;      /* the count is CL (4/8 bytes), masked at run time: 0 changes nothing */
    bool nop;           /* no architectural effect (the NOP forms) */
    uint8_t unary;      /* 1 NOT, 2 NEG reg (4/8 bytes) */
    uint8_t div;        /* 1 DIV, 2 IDIV reg (4/8 bytes): rdx:rax / reg; flags kept;
                           #DE and the cases host code leaves go to the handler */
    bool carry;         /* ADC/SBB reg, reg|imm: reads CF (alu, host_op adc/sbb) */
    int incdec;         /* +1 INC, -1 DEC reg (CF carried over); 0: neither */
    bool imm;           /* source is u->imm, else register u->rm */
    bool writes;        /* result goes to u->reg (not CMP/TEST) */
    unsigned size;      /* 4 or 8; 1, 2, 4 or 8 for ALU forms and load/store */
    uint8_t host_op;    /* x86 opcode "op r/m64, r64" computing the result */
    uint32_t cc_op;     /* lazy-flag op set (ALU) */
    bool flags_dead;    /* set by cpu/native.c: what follows overwrites these flags */
    bool flags_later;   /* set by cpu/native.c: CMP/TEST whose lazy flags are stored only
                           where something needs them (native.c: pending flags) */
};
bool uop_simple_desc(const struct uop *u, struct uop_simple *d);
/* A direct exit host code may take itself (uop_branch_desc). */
struct uop_branch {
    int cc;             /* Jcc condition 0..15, or -1: always taken */
    uint64_t taken;     /* RIP through chain slot 0 */
    uint64_t not_taken; /* RIP through chain slot 1 (Jcc only) */
};
/* JMP rel, Jcc and the fall-through exit: fill *b and return true. */
bool uop_branch_desc(const struct uop *u, struct uop_branch *b);
/* 64-bit mode, 8-byte stack micro-ops host code may do itself. */
enum uop_stack { STK_NONE, STK_PUSH64, STK_POP64, STK_CALL64, STK_RET64,
                 STK_CALL_IND64, STK_JMP_IND64, /* CALL/JMP through a 64-bit register */
                 STK_JMP_MEM64 /* JMP through a 64-bit memory operand (jump tables) */ };
enum uop_stack uop_stack_kind(const struct uop *u);

/*
 * What host code may do instead of calling an MMX/SSE handler (XMM forms
 * only; ops-sse-mov.c): a packed operation xmm(reg) op= xmm(rm) or
 * [mem16] computed by the host instruction 66 0F host_op; a load of a
 * whole register (16 bytes, or 8 zero-extended); a store of 16 or 8
 * bytes; PMOVMSKB into a general register.  align: a 16-byte memory
 * operand must be aligned (else the handler raises #GP).
 */
enum uop_sse_kind { SSE_NONE, SSE_OP, SSE_LOAD, SSE_STORE, SSE_MOVMSK };
struct uop_sse {
    enum uop_sse_kind kind;
    uint8_t host_op;    /* SSE_OP: second opcode byte of 66 0F xx */
    unsigned size;      /* memory or register bytes moved: 16 or 8 */
    bool mem;           /* the source (OP, LOAD) or destination (STORE) is memory */
    bool align;
};
bool uop_sse_desc(const struct uop *u, struct uop_sse *d);

/*
 * cpu/jit-report.c: -d jit.  A block translated while it is on gets a
 * struct tb_jit: each instruction's form, and which instructions host
 * code leaves to a handler call (native_gen() sets the bits; every one
 * without host code).  Run time only counts block entries (tb->jit_execs).
 */
struct tb_jit {
    uint32_t form[TB_MAX_INSNS];    /* jit_form() of each instruction */
    uint64_t called;                /* bit i: instruction i runs through a handler call */
    uint64_t left[TB_MAX_INSNS];    /* times the side exit at instruction i was taken */
};
/* Add a block's counts to the vCPU's totals (before the block is freed). */
void jit_fold(struct cpu *cpu, const struct tb *tb);
/* Print the report; `at_end` holds the statistics before the final flush. */
void jit_report(struct cpu *cpu, const struct cpu_stats *at_end, FILE *out);
void jit_free(struct cpu *cpu);

/* cpu/native.c: subroutine-threaded host code for blocks (x86-64 hosts). */
struct native;
void native_init(struct cpu *cpu);
void native_free(struct cpu *cpu);
/* Is there room for a block of nuops micro-ops (else flush everything)? */
bool native_room(struct cpu *cpu, unsigned nuops);
void native_reset(struct cpu *cpu);
void native_gen(struct cpu *cpu, struct tb *tb);
/* -d out_asm: log the host code native_gen() just made for tb (nothing without any) */
void native_log_out_asm(struct cpu *cpu, const struct tb *tb);
/* Point an exit jump of host code at target's chained entry, or back at its own fallback (NULL). */
void native_patch(uint8_t *site, const void *target);
/* Run tb's host code from its first micro-op; returns like the loop would. */
const struct uop *native_run(struct cpu *cpu, struct tb *tb);

#endif
