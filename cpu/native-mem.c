/*
 * cpu/native-mem.c: guest memory in host code (x86-64 hosts): effective
 * addresses, the inline soft-TLB hit path, MOV/ALU with a memory
 * operand, the 64-bit stack forms (PUSH/POP/CALL/RET) and the SSE
 * load/store/op forms.  Only 64-bit addressing is done here (16/32-bit
 * addressing wraps; the handler does it).
 *
 * The hit path: rsi = linear address, rcx = the entry's offset from
 * cpu->tlb, the entry's tag compared with the page of the access's last
 * byte (so a page-crossing access misses), then the access through the
 * entry's addend.  A miss jumps to a slow path (filled in by native.c)
 * that calls the handler, which does the whole instruction.
 */
#include "cpu/native-internal.h"

#if defined(__x86_64__)

/* rcx = the soft-TLB entry of linear address rsi, as an offset from cpu->tlb (clobbers rax) */
void emit_tlb_index(uint8_t **p, bool kernel)
{
    /*
     * rcx = offset of &cpu->tlb[mmu_idx][(la >> 12) & mask] from &cpu->tlb.
     * In a block translated at CPL 0-2 (kernel) mmu_idx is 0: the block
     * key holds the CPL and cpu_update_mmu_idx() follows every change.
     */
    if (!kernel) {
        asm_movzx_r32_m8(p, HR_RAX, HR_RBX, CPU_OFF(mmu_idx));
        asm_rr(p, 0, 0, ASM_OP(0x69), HR_RAX, HR_RAX);             /* imul eax, eax, row */
        emit32(p, (uint32_t)(TLB_SIZE * sizeof(struct tlb_entry)));
    }
    asm_mov_r64_r64(p, HR_RCX, HR_RSI);
    asm_shift_imm(p, ASM_W, 5, HR_RCX, PAGE_BITS - 3);             /* shr rcx, 9 */
    asm_alu_r_imm(p, 0, ALU_EXT_AND, HR_RCX, (int32_t)(TLB_MASK << 3)); /* index * 8 */
    _Static_assert(sizeof(struct tlb_entry) == 40, "the index arithmetic assumes 40 bytes");
    asm_lea_r64_sib(p, HR_RCX, HR_RCX, HR_RCX, 2, 0);              /* rcx *= 5 */
    if (!kernel)
        asm_alu_r64_r64(p, 0x01, HR_RCX, HR_RAX);                  /* add rcx, rax */
}

/*
 * The soft-TLB hit test for an access of `size` bytes at linear address
 * rsi: on a hit rdx = the entry's addend (host address = rsi + rdx); a
 * miss (or a page-crossing access) jumps to *slow, filled in by the
 * caller.  Clobbers rax, rcx.
 */
void emit_tlb(uint8_t **p, bool load, unsigned size, bool kernel, uint8_t **slow)
{
    int32_t tlb = CPU_OFF(tlb);
    int32_t tag = (int32_t)(load ? offsetof(struct tlb_entry, tag_r)
                                 : offsetof(struct tlb_entry, tag_w));

    emit_tlb_index(p, kernel);
    asm_lea_r64_m(p, HR_RDX, HR_RSI, (int32_t)size - 1);
    asm_alu_r_imm(p, ASM_W, ALU_EXT_AND, HR_RDX, (int32_t)PAGE_MASK);
    asm_rm(p, ASM_W, 0, ASM_OP(0x3b), HR_RDX, HR_RBX, HR_RCX, 0, tlb + tag); /* cmp rdx, tag */
    *slow = asm_jcc_fwd(p, CC_NE);
    asm_rm(p, ASM_W, 0, ASM_OP(0x8b), HR_RDX, HR_RBX, HR_RCX, 0,             /* rdx = addend */
           tlb + (int32_t)offsetof(struct tlb_entry, addend));
}

/* The host register holding guest register r for an address: its cached one, or scratch. */
static unsigned ea_reg(uint8_t **p, struct regmap *m, unsigned r, unsigned scratch)
{
    if (m->host[r] >= 0)
        return (unsigned)m->host[r];
    emit_gload(p, m, GL_64, scratch, r);
    return scratch;
}

/*
 * Host register dst = the micro-op's effective address (one LEA from the
 * cached base and index registers), plus its segment base when `seg`;
 * `w32`: only its low 32 bits, zero-extended (the LEA at 32 bits).  dst
 * may be a cached register the address reads.  Clobbers rax and rsi.
 */
static void emit_ea_to(uint8_t **p, struct regmap *m, const struct uop *u, bool seg,
                       unsigned dst, bool w32)
{
    unsigned fl = w32 ? 0 : ASM_W;
    bool fits = u->disp == (int32_t)u->disp;
    int32_t disp = fits ? (int32_t)u->disp : 0;
    unsigned b = u->base != UOP_NOREG ? ea_reg(p, m, u->base, HR_RSI) : HR_NONE;
    unsigned x = u->index != UOP_NOREG ? ea_reg(p, m, u->index, HR_RAX) : HR_NONE;

    if (b == HR_NONE && x == HR_NONE) {
        if (disp >= 0 || w32)
            asm_mov_r32_imm32(p, dst, (uint32_t)disp);
        else
            asm_mov_r64_imm64(p, dst, (uint64_t)(int64_t)disp);
    } else if (b == HR_NONE) {
        asm_lea_index(p, fl, dst, x, u->scale, disp);
    } else if (x == HR_NONE && disp == 0 && !w32) {
        if (b != dst)
            asm_mov_r64_r64(p, dst, b);
    } else {
        asm_rm(p, fl, 0, ASM_OP(0x8d), dst, b, x, u->scale, disp);
    }
    if (!fits) {
        asm_mov_r64_imm64(p, HR_RAX, (uint64_t)u->disp);
        asm_alu_rr(p, fl, 0x01, dst, HR_RAX);                      /* add dst, rax */
    }
    if (seg && u->seg != SEG_NONE)
        asm_alu_r_m(p, fl, 0x03, dst, HR_RBX, HR_NONE,            /* add dst, [seg base] */
                    (int32_t)(offsetof(struct cpu, seg) + u->seg * sizeof(struct seg)
                              + offsetof(struct seg, base)));
}

/* rsi = the micro-op's effective address, plus its segment base when `seg` */
static void emit_ea(uint8_t **p, struct regmap *m, const struct uop *u, bool seg)
{
    emit_ea_to(p, m, u, seg, HR_RSI, false);
}

/*
 * The host register a 4- or 8-byte result for guest register r goes to
 * directly: its cached register, else rax; result_done() then marks the
 * cached one dirty or stores rax.
 */
static unsigned result_reg(const struct regmap *m, unsigned r)
{
    return m->host[r] >= 0 ? (unsigned)m->host[r] : HR_RAX;
}

static void result_done(uint8_t **p, struct regmap *m, unsigned r, unsigned h)
{
    if (h == HR_RAX)
        emit_gstore(p, m, HR_RAX, r);
    else
        m->dirty |= (uint16_t)(1u << r);
}

/* LEA, and MOVZX/MOVSX from a register: no memory access */
void emit_lea_movx(uint8_t **p, struct regmap *m, const struct uop *u,
                   const struct uop_simple *d)
{
    if (d->lea) {
        unsigned h = result_reg(m, u->reg);
        emit_ea_to(p, m, u, false, h, u->asize == 4 || d->size == 4);
        result_done(p, m, u->reg, h);
        return;
    }
    unsigned h = result_reg(m, u->reg);
    if (!d->sign && d->movx < 4) {                                 /* zero-extends to 64 bits */
        emit_reg_operand(p, m, d->movx, u->rm, h);
    } else if (d->movx < 4 || d->size == 8) {
        emit_reg_operand(p, m, d->movx, u->rm, HR_RAX);
        asm_movsx_rr(p, d->movx, d->size == 8, h, HR_RAX);         /* 32 bits: zero-extended */
    } else {
        emit_reg_operand(p, m, d->movx, u->rm, HR_RAX);
        emit_movx_result(p, m, d->movx, d->sign, d->size, u->reg);
        return;
    }
    result_done(p, m, u->reg, h);
}

void emit_mem(uint8_t **p, struct regmap *m, const struct uop *u,
              const struct uop_simple *d, bool kernel, uint8_t **slow)
{
    emit_ea(p, m, u, true);
    if (d->mem_src) {                                              /* MOVZX/MOVSX reg, [mem] */
        emit_tlb(p, true, d->movx, kernel, slow);
        if (d->movx < 4 || d->size == 8) {
            unsigned h = result_reg(m, u->reg);
            if (d->sign)                                           /* 32 bits: zero-extended */
                asm_load_sx_bi(p, d->movx, d->size == 8, h, HR_RSI, HR_RDX);
            else
                asm_load_bi(p, d->movx, h, HR_RSI, HR_RDX);        /* zero-extends to 64 bits */
            result_done(p, m, u->reg, h);
            return;
        }
        asm_load_bi(p, d->movx, HR_RAX, HR_RSI, HR_RDX);
        emit_movx_result(p, m, d->movx, d->sign, d->size, u->reg);
        return;
    }
    emit_tlb(p, d->load || (d->mem_alu && !d->rmw), d->size, kernel, slow);
    if (d->mem_shift) {
        /* flags dead (classify()): the host shift or rotate on the host address */
        unsigned fl = d->size == 8 ? ASM_W : d->size == 2 ? ASM_66 : 0;
        uint8_t op = d->size == 1 ? 0xc0 : 0xc1;                   /* shift r/m, imm8 */
        asm_rm(p, fl, 0, &op, 1, shift_ext(d->shift), HR_RSI, HR_RDX, 0, 0);
        emit8(p, (uint8_t)d->count);
        return;
    }
    if (d->mem_alu) {
        /* rsi = host address; a = rax, b = rcx, r = rdx, as the handler: memory is a or b */
        asm_alu_r64_r64(p, 0x01, HR_RSI, HR_RDX);                  /* add rsi, rdx */
        if (d->mem_a) {
            asm_load_bi(p, d->size, HR_RAX, HR_RSI, HR_NONE);
            if (d->imm)
                asm_mov_r64_imm64(p, HR_RCX, u->imm);
            else
                emit_reg_operand(p, m, d->size, u->rm, HR_RCX);
        } else {
            asm_load_bi(p, d->size, HR_RCX, HR_RSI, HR_NONE);
            emit_reg_operand(p, m, d->size, u->reg, HR_RAX);
        }
        asm_mov_r64_r64(p, HR_RDX, HR_RAX);
        asm_alu_r64_r64(p, d->host_op, HR_RDX, HR_RCX);
        emit_flags(p, true, d);
        if (d->rmw)                                                /* [mem] op= reg|imm */
            asm_store_bi(p, d->size, HR_RSI, HR_NONE, HR_RDX);
        else if (d->writes)                                        /* reg op= [mem] */
            emit_reg_result(p, m, d->size, u->reg);
        return;
    }
    if (d->store && d->imm) {
        asm_mov_r64_imm64(p, HR_RAX, u->imm);
    } else {
        /* registers: 8/4 bytes by number; 2 bytes into the low word and 1
         * byte at byte offset r, merged as reg_set() (emit_reg_part()) */
        uint32_t r = d->load ? u->reg : u->rm;
        if (d->load && d->size >= 4) {                             /* 4: zero-extended */
            unsigned h = result_reg(m, r);
            asm_mov_r_bi(p, d->size, h, HR_RSI, HR_RDX);
            result_done(p, m, r, h);
            return;
        }
        if (d->load) {
            asm_mov_r_bi(p, d->size, HR_RAX, HR_RSI, HR_RDX);
            emit_reg_part(p, m, d->size, r, HR_RAX);
            return;
        }
        emit_reg_operand(p, m, d->size, r, HR_RAX);
    }
    asm_store_bi(p, d->size, HR_RSI, HR_RDX, HR_RAX);
}

/*
 * PUSH/POP reg, CALL rel and RET [imm] of 64-bit mode with the stack
 * access through the soft-TLB hit path (a miss, or a non-canonical RSP,
 * which no TLB tag matches, jumps to *slow to call the handler).  CALL
 * then leaves like JMP rel; RET, JMP reg and JMP [mem] (jump tables)
 * through the checks of emit_ret_target().
 */
void emit_stack(struct native *n, uint8_t **p, struct regmap *m, struct tb *tb, uint32_t off,
                enum uop_stack kind, bool kernel, uint8_t **slow)
{
    const struct uop *u = (const struct uop *)((const uint8_t *)tb->ops + off);
    bool load = kind == STK_POP64 || kind == STK_RET64;

    if (kind == STK_JMP_MEM64) {            /* the target through the soft-TLB hit path */
        emit_ea(p, m, u, true);
        emit_tlb(p, true, 8, kernel, slow);
        asm_load_bi(p, 8, HR_RAX, HR_RSI, HR_RDX);
        emit_flush(p, m);
        emit_ret_target(n, p, tb, off, 0, kernel);
        return;
    }
    if (kind == STK_JMP_IND64) {                                   /* no stack access */
        emit_gload(p, m, GL_64, HR_RAX, u->reg);
        emit_flush(p, m);
        emit_ret_target(n, p, tb, off, 0, kernel);
        return;
    }
    if (kind == STK_CALL_IND64)
        emit_gload(p, m, GL_64, HR_RDI, u->reg);                   /* the target, read first */
    emit_gload(p, m, GL_64, HR_RSI, 4);                            /* rsi = guest rsp */
    if (!load)
        asm_alu_r_imm(p, ASM_W, ALU_EXT_SUB, HR_RSI, 8);
    emit_tlb(p, load, 8, kernel, slow);
    switch (kind) {
    case STK_PUSH64:
        emit_gload(p, m, GL_64, HR_RAX, u->reg);
        asm_store_bi(p, 8, HR_RSI, HR_RDX, HR_RAX);
        emit_gstore(p, m, HR_RSI, 4);
        break;
    case STK_POP64:
        asm_load_bi(p, 8, HR_RAX, HR_RSI, HR_RDX);
        asm_alu_r_imm(p, ASM_W, ALU_EXT_ADD, HR_RSI, 8);
        emit_gstore(p, m, HR_RSI, 4);
        emit_gstore(p, m, HR_RAX, u->reg);
        break;
    case STK_CALL64:
    case STK_CALL_IND64:
        asm_mov_r64_imm64(p, HR_RAX, u->rip + u->len);             /* the return RIP */
        asm_store_bi(p, 8, HR_RSI, HR_RDX, HR_RAX);
        emit_gstore(p, m, HR_RSI, 4);
        emit_flush(p, m);
        if (kind == STK_CALL64) {
            tb->native_jmp[0] = emit_goto(n, p, tb, off, 0, u->imm);
        } else {
            asm_mov_r64_r64(p, HR_RAX, HR_RDI);
            emit_ret_target(n, p, tb, off, 0, kernel);
        }
        break;
    case STK_RET64:
        asm_load_bi(p, 8, HR_RAX, HR_RSI, HR_RDX);
        asm_lea_r64_m(p, HR_RSI, HR_RSI, (int32_t)(8 + u->imm));
        emit_gstore(p, m, HR_RSI, 4);
        emit_flush(p, m);                  /* rax is kept: flushing uses the cache registers */
        emit_ret_target(n, p, tb, off, 0, kernel);
        break;
    default:
        break;
    }
}

/* offset of XMM register r in struct cpu */
static int32_t xmm_off(unsigned r)
{
    return (int32_t)(offsetof(struct cpu, fpu.xmm) + 16 * r);
}

/*
 * The MMX/SSE micro-ops compilers emit for memcpy/memset/strlen and struct
 * copies (uop_sse_desc), with host xmm0/xmm1 as scratch and the soft-TLB
 * hit path inline (64-bit addressing).  A memory access that misses, or a
 * misaligned operand of an aligned form, jumps to *slow (and *slow2) to
 * call the handler, which does the whole instruction (and raises #GP).
 */
void emit_sse(uint8_t **p, struct regmap *m, const struct uop *u,
              const struct uop_sse *d, bool kernel, uint8_t **slow, uint8_t **slow2)
{
    bool q = d->size != 16;

    *slow = *slow2 = NULL;
    if (d->kind == SSE_MOVMSK) {
        asm_movdqu_x_m(p, 0, HR_RBX, xmm_off(u->rm));
        asm_pmovmskb_r32_x(p, HR_RAX, 0);
        emit_gstore(p, m, HR_RAX, u->reg);
        return;
    }
    if (d->mem) {
        emit_ea(p, m, u, true);
        if (d->align && d->size == 16) {
            asm_test_r8_imm8(p, HR_RSI, 15);
            *slow2 = asm_jcc_fwd(p, CC_NE);
        }
        emit_tlb(p, d->kind != SSE_STORE, d->size, kernel, slow);
        asm_alu_r64_r64(p, 0x01, HR_RSI, HR_RDX);                  /* add rsi, rdx */
    }
    switch (d->kind) {
    case SSE_STORE:
        asm_movdqu_x_m(p, 0, HR_RBX, xmm_off(u->rm));
        if (q)
            asm_movq_m_x(p, HR_RSI, 0, 0);
        else
            asm_movdqu_m_x(p, HR_RSI, 0, 0);
        break;
    case SSE_LOAD:
        if (q)
            asm_movq_x_m(p, 0, d->mem ? HR_RSI : HR_RBX, d->mem ? 0 : xmm_off(u->rm));
        else
            asm_movdqu_x_m(p, 0, d->mem ? HR_RSI : HR_RBX, d->mem ? 0 : xmm_off(u->rm));
        asm_movdqu_m_x(p, HR_RBX, xmm_off(u->reg), 0);
        break;
    default: /* SSE_OP */
        asm_movdqu_x_m(p, 0, HR_RBX, xmm_off(u->reg));
        asm_movdqu_x_m(p, 1, d->mem ? HR_RSI : HR_RBX, d->mem ? 0 : xmm_off(u->rm));
        asm_sse66_x_x(p, d->host_op, 0, 1);
        asm_movdqu_m_x(p, HR_RBX, xmm_off(u->reg), 0);
        break;
    }
}

#endif
