/*
 * cpu/debug.c: the debug registers (SDM vol. 3, ch. 17): DR0-DR3 address
 * breakpoints enabled by DR7 (L0-L3/G0-G3, R/W 00 execute, 01 write,
 * 11 read or write, 10 I/O with CR4.DE; LEN 1, 2, 4 or 8 bytes), DR6 as
 * the exception reports it (B0-B3, BD, BS), general detect (DR7.GD),
 * EFLAGS.RF and the MOV SS / POP SS shadow.
 *
 * Cost model: nothing changes while DR7 enables no breakpoint.  When it
 * enables one, HF_DBG is set (part of the block key): blocks hold one
 * instruction and are never chained, as under EFLAGS.TF, so cpu_run()
 * checks instruction breakpoints before each instruction
 * (debug_before_insn, a fault) and reports data and I/O hits after it
 * (debug_after_insn, a trap); pages a data breakpoint watches get no
 * readable or writable soft-TLB entry, so every access to them reaches
 * the slow path in mmu.c, which calls debug_check_data().
 *
 * Known deviations: a REP string instruction reports its data breakpoint
 * after its last iteration of the slice rather than after the iteration
 * that hit; implicit accesses (descriptor tables, the TSS, frames pushed
 * by event delivery) do not trigger data breakpoints; task switches do
 * not exist, so DR6.BT is never set.
 */
#include "cpu/cpu-internal.h"

#define DR7_GD (1u << 13)

/* The byte length of breakpoint n (LEN field: 00 1, 01 2, 10 8, 11 4). */
static unsigned bp_len(uint64_t dr7, int n)
{
    static const unsigned len[4] = { 1, 2, 8, 4 };
    return len[(dr7 >> (18 + 4 * n)) & 3];
}

static unsigned bp_rw(uint64_t dr7, int n)
{
    return (dr7 >> (16 + 4 * n)) & 3;
}

static bool bp_enabled(uint64_t dr7, int n)
{
    return (dr7 >> (2 * n)) & 3;
}

/* Does [a, a+size) overlap breakpoint n's range (its address aligned to LEN)? */
static bool bp_overlaps(const struct cpu *cpu, int n, uint64_t a, unsigned size)
{
    unsigned len = bp_len(cpu->dr[7], n);
    uint64_t lo = cpu->dr[n] & ~(uint64_t)(len - 1);

    return a < lo + len && lo < a + size;
}

bool debug_page_watched(const struct cpu *cpu, gva_t page)
{
    uint64_t dr7 = cpu->dr[7];

    for (int n = 0; n < 4; n++) {
        unsigned rw = bp_rw(dr7, n);
        if (bp_enabled(dr7, n) && (rw == 1 || rw == 3) && bp_overlaps(cpu, n, page, PAGE_SIZE))
            return true;
    }
    return false;
}

void debug_check_data(struct cpu *cpu, gva_t la, unsigned size, bool write)
{
    uint64_t dr7 = cpu->dr[7];

    for (int n = 0; n < 4; n++) {
        unsigned rw = bp_rw(dr7, n);
        if (bp_enabled(dr7, n) && (rw == 3 || (rw == 1 && write)) && bp_overlaps(cpu, n, la, size))
            cpu->db_pending |= 1u << n;
    }
}

void debug_check_io(struct cpu *cpu, uint16_t port, unsigned size)
{
    uint64_t dr7 = cpu->dr[7];

    if (!(cpu->cr4 & CR4_DE))
        return;
    for (int n = 0; n < 4; n++)
        if (bp_enabled(dr7, n) && bp_rw(dr7, n) == 2 && bp_overlaps(cpu, n, port, size))
            cpu->db_pending |= 1u << n;
}

/*
 * Before the instruction at linear pc: EFLAGS.RF set suppresses its
 * instruction breakpoints once (and is cleared here: the instruction
 * completes with RF = 0 unless it loads RF itself, as IRET does).  A hit
 * is a fault: DR6.Bn, #DB with RIP on the instruction.
 */
bool debug_before_insn(struct cpu *cpu, gva_t pc)
{
    uint64_t dr7 = cpu->dr[7];
    uint32_t hits = 0;

    if (cpu->eflags & EFLAGS_RF) {
        cpu->eflags &= ~EFLAGS_RF;
        return false;
    }
    for (int n = 0; n < 4; n++)
        if (bp_enabled(dr7, n) && bp_rw(dr7, n) == 0 && cpu->dr[n] == pc)
            hits |= 1u << n;
    if (!hits)
        return false;
    cpu->dr[6] = (cpu->dr[6] & ~0xfull) | hits;
    cpu_do_interrupt(cpu, EXC_DB, false, false, 0, cpu->rip);
    return true;
}

/*
 * After an instruction of a one-instruction block (HF_TF or HF_DBG):
 * the single-step trap (tf: EFLAGS.TF was set when it began) and the data
 * and I/O breakpoints it hit, as one #DB trap; after MOV SS or POP SS they
 * wait for the next instruction (SDM vol. 3, 6.8.3).
 */
bool debug_after_insn(struct cpu *cpu, bool tf)
{
    uint32_t ev = cpu->db_pending | (tf ? DR6_BS : 0);

    cpu->db_pending = 0;
    if (cpu->db_shadow) {
        cpu->db_shadow = false;
        cpu->db_deferred |= ev;
        return false;
    }
    ev |= cpu->db_deferred;
    cpu->db_deferred = 0;
    if (!ev)
        return false;
    if (ev & 0xf)
        cpu->dr[6] = (cpu->dr[6] & ~0xfull) | (ev & 0xf);
    cpu->dr[6] |= ev & DR6_BS;
    cpu_do_interrupt(cpu, EXC_DB, false, false, 0, cpu->rip);
    return true;
}

/*
 * MOV to or from DRn (SDM vol. 2 MOV--Move to/from Debug Registers):
 * DR4/DR5 alias DR6/DR7 unless CR4.DE (#UD then); with DR7.GD the access
 * is a #DB fault with DR6.BD, and GD clears so the handler may use them.
 * Returns the register number after aliasing.
 */
unsigned debug_mov_dr_check(struct cpu *cpu, unsigned dr)
{
    if (dr == 4 || dr == 5) {
        if (cpu->cr4 & CR4_DE)
            cpu_raise_exception(cpu, EXC_UD);
        dr += 2;
    }
    if (dr > 7)
        cpu_raise_exception(cpu, EXC_UD);
    if (cpu->dr[7] & DR7_GD) {
        cpu->dr[7] &= ~(uint64_t)DR7_GD;
        cpu->dr[6] |= DR6_BD;
        cpu_raise_exception(cpu, EXC_DB);
    }
    return dr;
}

/* A write to DR0-DR3 or DR7 changes what is watched: new TLB entries and mode. */
void debug_dr_written(struct cpu *cpu, unsigned dr)
{
    if (dr == 6)
        return;
    if ((cpu->dr[7] & 0xff) || (cpu->hflags & HF_DBG)) {
        tlb_flush_all(cpu);
        cpu_update_hflags(cpu);
    }
}
