/*
 * cpu/native-ctl.c: control flow in host code (x86-64 hosts): the
 * enter/exit stubs, handler calls and the checks after them, and block
 * exits -- direct jumps and Jcc (chained through patched rel32 jumps on
 * the block's own page, through the remembered target otherwise), loops
 * within one block, and indirect exits (RET, JMP/CALL reg) into the block
 * the exit went to last time after the checks uop_goto_indirect() makes.
 *
 * After each call, a result other than the next micro-op leaves the
 * straight run for the exit stub: NULL returns to cpu_run(); the first
 * micro-op of a block (the one uop_goto() just chained to and accounted)
 * continues in that block's host code; anything else returns to
 * cpu_run(), which interprets from there.
 *
 * Accounting: a block entered from another block's host code goes in
 * through its chained entry (native.c), which takes its instructions off
 * the budget and leaves for cpu_run() when that is spent or an exit is
 * requested -- the one budget update per block; the retired count is
 * derived from the budget (cpu_icount()), and the running block from the
 * micro-op being executed (tb_of()), so nothing else is stored.
 */
#include "cpu/native-internal.h"

#if defined(__x86_64__)

/*
 * Leave with rax (what a handler returned): into the host code of the
 * block it chained to, else back to cpu_run().  Emitted once as the
 * shared exit stub and in place at each block's last exit, so each block
 * has its own indirect jump (one shared jump would be one
 * branch-predictor entry for every block transition).
 */
void emit_exit(struct native *n, uint8_t **p)
{
    asm_test_r64_r64(p, HR_RAX, HR_RAX);
    asm_jcc_rel32(p, CC_E, n->exit_out);
    _Static_assert(sizeof(((struct uop *)0)->idx) == 1, "byte compare");
    asm_cmp_m8_imm8(p, HR_RAX, (int32_t)offsetof(struct uop, idx), 0);  /* a block's first? */
    asm_jcc_rel32(p, CC_NE, n->exit_out);
    asm_mov_r64_m64(p, HR_RDX, HR_RAX, (int32_t)offsetof(struct tb, native)
                                       - (int32_t)offsetof(struct tb, ops));
    asm_test_r64_r64(p, HR_RDX, HR_RDX);
    asm_jcc_rel32(p, CC_E, n->exit_out);
    asm_mov_r64_r64(p, HR_R12, HR_RAX);
    asm_jmp_r(p, HR_RDX);
}

/* enter(cpu = rdi, code = rsi, ops = rdx), the way out, and the shared exit stub */
void emit_stubs(struct native *n)
{
    static const uint8_t saved[] = { HR_RBX, HR_R12, HR_R13, HR_R14, HR_R15, HR_RBP };
    uint8_t *p = n->buf;

    n->enter = (const void *(*)(struct cpu *, const void *, const struct uop *))(void *)p;
    for (size_t k = 0; k < sizeof saved; k++)
        asm_push_r64(&p, saved[k]);
    asm_alu_r_imm(&p, ASM_W, ALU_EXT_SUB, HR_RSP, 8);              /* 16-byte alignment */
    asm_mov_r64_r64(&p, HR_RBX, HR_RDI);
    asm_mov_r64_r64(&p, HR_R12, HR_RDX);
    asm_jmp_r(&p, HR_RSI);

    n->exit_out = p;                                               /* back to cpu_run() with rax */
    asm_alu_r_imm(&p, ASM_W, ALU_EXT_ADD, HR_RSP, 8);
    for (size_t k = sizeof saved; k-- > 0;)
        asm_pop_r64(&p, saved[k]);
    asm_ret(&p);
    n->exit_stub = p;
    emit_exit(n, &p);
}

/* cpu->rip = rip (one store when it fits a sign-extended imm32) */
void emit_store_rip(uint8_t **p, uint64_t rip)
{
    if (rip == (uint64_t)(int64_t)(int32_t)rip) {
        asm_mov_m64_imm32(p, HR_RBX, CPU_OFF(rip), (int32_t)rip);
    } else {
        asm_mov_r64_imm64(p, HR_RAX, rip);
        asm_mov_m64_r64(p, HR_RBX, CPU_OFF(rip), HR_RAX);
    }
}

/*
 * Enter the block rax points to through its chained entry (which does
 * the accounting and the end-of-slice test).  A block without host code
 * is accounted here and left to cpu_run() to interpret (rax = its first
 * micro-op).
 */
static void emit_enter_tb(struct native *n, uint8_t **p)
{
    asm_mov_r64_m64(p, HR_RDX, HR_RAX, (int32_t)offsetof(struct tb, native_chained));
    asm_test_r64_r64(p, HR_RDX, HR_RDX);
    uint8_t *no_code = asm_jcc8_fwd(p, CC_E);
    asm_jmp_r(p, HR_RDX);
    asm_patch8_here(p, no_code);
    _Static_assert(sizeof(((struct tb *)0)->ninsns) == 2, "word load");
    asm_movzx_r32_m16(p, HR_RCX, HR_RAX, (int32_t)offsetof(struct tb, ninsns));
    asm_rm(p, ASM_W, 0, ASM_OP(0x29), HR_RCX, HR_RBX, HR_NONE, 0, CPU_OFF(budget)); /* sub */
    asm_lea_r64_m(p, HR_RAX, HR_RAX, (int32_t)offsetof(struct tb, ops));
    asm_jmp_rel32(p, n->exit_out);
}

/*
 * uop_goto() in host code: leave through chain slot `slot` of the micro-op
 * at r12 + off to `rip`.  When the slot is linked and the slice goes on,
 * enter the target directly (each exit its own jump, so each is predicted
 * on its own); otherwise ask cpu_run() to link the slot, exactly as the
 * handler does.
 */
uint8_t *emit_goto(struct native *n, uint8_t **p, struct tb *tb, uint32_t off, int slot,
                   uint64_t rip)
{
    if (((tb->cs_base + rip) & PAGE_MASK) != (tb->pc & PAGE_MASK)) {
        /*
         * Another page: never linked for good (a page-table change could
         * leave the link stale); the block found last time is entered
         * after the code-TLB checks instead of a trip through cpu_run().
         */
        asm_mov_r64_imm64(p, HR_RAX, rip);
        emit_ret_target(n, p, tb, off, slot, (tb->hflags & HF_CPL_MASK) != 3);
        return NULL;
    }
    emit_store_rip(p, rip);
    /*
     * Once the slot is linked, tb_link() points this jump at the target's
     * chained entry (native_patch()); until then it falls through.
     */
    uint8_t *site = asm_jmp_fwd(p);
    asm_mov_r64_m64(p, HR_RAX, HR_R12,
                    (int32_t)(off + offsetof(struct uop, chain) + 8 * (unsigned)slot));
    asm_test_r64_r64(p, HR_RAX, HR_RAX);
    uint8_t *unlinked = asm_jcc_fwd(p, CC_E);
    emit_enter_tb(n, p);
    asm_patch32_here(p, unlinked);
    asm_lea_r64_m(p, HR_RAX, HR_R12, (int32_t)off);
    asm_mov_m64_r64(p, HR_RBX, CPU_OFF(link_from), HR_RAX);
    _Static_assert(sizeof(((struct cpu *)0)->link_slot) == 4, "dword store");
    asm_mov_m32_imm32(p, HR_RBX, CPU_OFF(link_slot), (uint32_t)slot);
    asm_xor_r32_r32(p, HR_RAX, HR_RAX);
    asm_jmp_rel32(p, n->exit_out);
    return site;
}

/*
 * A block that branches to its own start (a loop in one block) goes round
 * without leaving: the slice accounting uop_goto() does, then a jump to
 * `head`, past the entry's register loads (the cache is flushed, so the
 * registers equal memory).  Going round is right because what changes a
 * block's mode or mapping ends it, and a block invalidated by a store
 * into its own code leaves after that store (the checks after calls and
 * in slow paths); the exit request and budget end the loop through
 * emit_goto().
 */
uint8_t *emit_exit_to(struct native *n, uint8_t **p, struct tb *tb, uint8_t *head,
                      uint32_t off, int slot, uint64_t rip)
{
    if (head && !(tb->hflags & (HF_ONE_INSN | HF_SHADOW_END)) && tb->cs_base + rip == tb->pc) {
        /* the chained entry's accounting and test, then round again */
        asm_alu_m_imm(p, ASM_W, ALU_EXT_SUB, HR_RBX, CPU_OFF(budget), tb->ninsns);
        uint8_t *spent = asm_jcc_fwd(p, CC_LE);
        asm_cmp_m8_imm8(p, HR_RBX, CPU_OFF(exit_request), 0);
        uint8_t *asked = asm_jcc_fwd(p, CC_NE);
        if (tb->jit)
            asm_alu_m_imm(p, ASM_W, ALU_EXT_ADD, HR_RBX, CPU_OFF(stats.tb_chained), 1);
        asm_jmp_rel32(p, head);
        asm_patch32_here(p, spent);
        asm_patch32_here(p, asked);
        asm_alu_m_imm(p, ASM_W, ALU_EXT_ADD, HR_RBX, CPU_OFF(budget), tb->ninsns); /* give back */
    }
    return emit_goto(n, p, tb, off, slot, rip);
}

/*
 * Leave for the guest RIP in rax (RET, JMP/CALL through a register, a
 * direct exit to another page): into the block this exit went to last
 * time (its chain slot `slot`, see uop_lookup_remember()) when that
 * block starts at this address in this mode and the code TLB still maps
 * its page to the same physical page, with no interrupt, NMI or shadow
 * waiting -- the checks uop_goto_indirect() makes; otherwise through
 * uop_lookup_remember().
 */
void emit_ret_target(struct native *n, uint8_t **p, const struct tb *tb, uint32_t off,
                     int slot, bool kernel)
{
    int32_t tlb = CPU_OFF(tlb);
    uint8_t *miss[12];
    unsigned nm = 0;

    asm_mov_m64_r64(p, HR_RBX, CPU_OFF(rip), HR_RAX);
    if (!(tb->hflags & (HF_ONE_INSN | HF_SHADOW_END))
        && tb->cs_base == (uint64_t)(int64_t)(int32_t)tb->cs_base) {
        asm_mov_r64_m64(p, HR_RDI, HR_R12,
                        (int32_t)(off + offsetof(struct uop, chain) + 8 * (unsigned)slot));
        asm_test_r64_r64(p, HR_RDI, HR_RDI);
        miss[nm++] = asm_jcc_fwd(p, CC_E);
        asm_lea_r64_m(p, HR_RSI, HR_RAX, (int32_t)tb->cs_base);
        asm_alu_r_m(p, ASM_W, 0x3b, HR_RSI, HR_RDI, HR_NONE, (int32_t)offsetof(struct tb, pc));
        miss[nm++] = asm_jcc_fwd(p, CC_NE);
        asm_rm(p, 0, 0, ASM_OP(0x81), 7, HR_RDI, HR_NONE, 0, (int32_t)offsetof(struct tb, hflags));
        emit32(p, tb->hflags);                                     /* cmp dword [rdi+hflags] */
        miss[nm++] = asm_jcc_fwd(p, CC_NE);
        asm_alu_m_imm(p, ASM_W, ALU_EXT_CMP, HR_RDI, (int32_t)offsetof(struct tb, cs_base),
                      (int32_t)tb->cs_base);
        miss[nm++] = asm_jcc_fwd(p, CC_NE);
        if (!(tb->hflags & HF_CS64)) {
            asm_rm(p, 0, 0, ASM_OP(0x81), 7, HR_RDI, HR_NONE, 0,
                   (int32_t)offsetof(struct tb, cs_limit));
            emit32(p, tb->cs_limit);                               /* cmp dword [rdi+cs_limit] */
            miss[nm++] = asm_jcc_fwd(p, CC_NE);
        }
        asm_test_m32_imm32(p, HR_RBX, CPU_OFF(hflags), HF_INHIBIT);
        miss[nm++] = asm_jcc_fwd(p, CC_NE);
        _Static_assert(sizeof(((struct cpu *)0)->intr_line) == 1, "byte compare");
        _Static_assert(sizeof(((struct cpu *)0)->nmi_pending) == 1, "byte compare");
        /* an INTR the vCPU can take now (line high with IF set) goes to the loop */
        asm_cmp_m8_imm8(p, HR_RBX, CPU_OFF(intr_line), 0);
        uint8_t *no_intr = asm_jcc_fwd(p, CC_E);
        _Static_assert(sizeof(((struct cpu *)0)->eflags) == 4, "dword test");
        asm_test_m32_imm32(p, HR_RBX, CPU_OFF(eflags), EFLAGS_IF);
        miss[nm++] = asm_jcc_fwd(p, CC_NE);
        asm_patch32_here(p, no_intr);
        asm_cmp_m8_imm8(p, HR_RBX, CPU_OFF(nmi_pending), 0);
        miss[nm++] = asm_jcc_fwd(p, CC_NE);
        /* the code TLB entry of pc (rsi) maps the block's physical address */
        emit_tlb_index(p, kernel);
        asm_mov_r64_r64(p, HR_RDX, HR_RSI);
        asm_alu_r_imm(p, ASM_W, ALU_EXT_AND, HR_RDX, (int32_t)PAGE_MASK);
        asm_rm(p, ASM_W, 0, ASM_OP(0x3b), HR_RDX, HR_RBX, HR_RCX, 0,
               tlb + (int32_t)offsetof(struct tlb_entry, tag_x));   /* cmp rdx, tag_x */
        miss[nm++] = asm_jcc_fwd(p, CC_NE);
        asm_mov_r64_r64(p, HR_RDX, HR_RSI);
        asm_alu_r_imm(p, 0, ALU_EXT_AND, HR_RDX, (int32_t)~PAGE_MASK);
        asm_rm(p, ASM_W, 0, ASM_OP(0x0b), HR_RDX, HR_RBX, HR_RCX, 0,
               tlb + (int32_t)offsetof(struct tlb_entry, paddr));   /* or rdx, paddr */
        asm_alu_r_m(p, ASM_W, 0x3b, HR_RDX, HR_RDI, HR_NONE, (int32_t)offsetof(struct tb, phys_pc));
        miss[nm++] = asm_jcc_fwd(p, CC_NE);
        asm_mov_r64_r64(p, HR_RAX, HR_RDI);
        emit_enter_tb(n, p);
        for (unsigned k = 0; k < nm; k++)
            asm_patch32_here(p, miss[k]);
    }
    asm_mov_r64_r64(p, HR_RDI, HR_RBX);
    asm_lea_r64_m(p, HR_RSI, HR_R12, (int32_t)off);
    asm_mov_r64_m64(p, HR_RDX, HR_RBX, CPU_OFF(rip));
    asm_mov_r32_imm32(p, HR_RCX, (uint32_t)slot);
    asm_mov_r64_imm64(p, HR_RAX, (uint64_t)(uintptr_t)uop_lookup_remember);
    asm_call_r(p, HR_RAX);
    emit_exit(n, p);
}

/* JMP rel, Jcc or the fall-through exit, wholly in host code. */
void emit_branch(struct native *n, uint8_t **p, struct tb *tb, uint8_t *head,
                 uint32_t off, const struct uop_branch *b, uint32_t known, bool live)
{
    if (b->cc < 0) {
        tb->native_jmp[0] = emit_exit_to(n, p, tb, head, off, 0, b->taken);
        return;
    }
    unsigned hc = emit_cond(p, known, live, (unsigned)b->cc);
    uint8_t *taken = asm_jcc_fwd(p, hc);
    tb->native_jmp[1] = emit_exit_to(n, p, tb, head, off, 1, b->not_taken);
    asm_patch32_here(p, taken);
    tb->native_jmp[0] = emit_exit_to(n, p, tb, head, off, 0, b->taken);
}

/* Call micro-op `off` through its fn pointer, as the dispatch loop would. */
void emit_call(uint8_t **p, uint32_t off)
{
    asm_lea_r64_m(p, HR_RSI, HR_R12, (int32_t)off);
    asm_mov_m64_r64(p, HR_RBX, CPU_OFF(cur), HR_RSI);
    asm_mov_r64_r64(p, HR_RDI, HR_RBX);
    asm_call_m64(p, HR_R12, (int32_t)(off + offsetof(struct uop, fn)));
}

/* After calling micro-op `off`: a result other than the next micro-op leaves. */
void emit_unless_next(struct native *n, uint8_t **p, uint32_t off)
{
    asm_lea_r64_m(p, HR_RCX, HR_R12, (int32_t)(off + sizeof(struct uop)));
    asm_cmp_r64_r64(p, HR_RAX, HR_RCX);
    asm_jcc_rel32(p, CC_NE, n->exit_stub);
}

/* Compare the running block's invalid flag (r12 = its micro-ops) with 0. */
void emit_cmp_invalid(uint8_t **p)
{
    asm_cmp_m8_imm8(p, HR_R12, (int32_t)offsetof(struct tb, invalid)
                                - (int32_t)offsetof(struct tb, ops), 0);
}

/*
 * Before host code that does a micro-op's work after a call: the call
 * may have invalidated this running block (self-modifying code), and then
 * the micro-op's fn now leaves the block, so call it instead.
 */
void emit_unless_invalid(struct native *n, uint8_t **p, struct regmap *m, uint32_t off)
{
    emit_cmp_invalid(p);
    uint8_t *valid = asm_jcc8_fwd(p, CC_E);
    struct regmap out = *m;
    emit_flush(p, &out);
    emit_call(p, off);
    asm_jmp_rel32(p, n->exit_stub);
    asm_patch8_here(p, valid);
}

#endif
