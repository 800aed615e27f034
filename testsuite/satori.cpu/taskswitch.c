/* Hardware task switching (SDM vol. 3, ch. 7) in legacy protected mode,
 * entered as pmode.c does: task A (TSS at GDT 0x60) CALLs task B (TSS at
 * 0x68), which IRETs back (NT, back link, busy bits, registers saved and
 * restored, CR0.TS); A JMPs to B through a task gate (0x58) and B JMPs
 * back to A's TSS; a #DF whose IDT entry is a task gate runs task B with
 * the error code on its stack; JMP to a busy TSS is #GP, a TSS with a
 * limit below 0x67 is #TS, a task gate not present #NP; A CALLs task C,
 * whose TSS is the 16-bit format (type 1; 16-bit code and stack), and C
 * IRETs back.  Compared with QEMU. */
#include "runtime.h"

struct tss32 {
    uint16_t link, r0;
    uint32_t esp0; uint16_t ss0, r1;
    uint32_t esp1; uint16_t ss1, r2;
    uint32_t esp2; uint16_t ss2, r3;
    uint32_t cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint16_t es, r4, cs, r5, ss, r6, ds, r7, fs, r8, gs, r9, ldt, r10;
    uint16_t trap, iomap;
} __attribute__((packed));

struct tss32 tss_a __attribute__((aligned(128))), tss_b __attribute__((aligned(128)));

/* the 16-bit TSS (SDM vol. 3, figure 7-11) */
struct tss16 {
    uint16_t link, sp0, ss0, sp1, ss1, sp2, ss2;
    uint16_t ip, flags, ax, cx, dx, bx, sp, bp, si, di, es, cs, ss, ds, ldt;
} __attribute__((packed));
struct tss16 tss_c __attribute__((aligned(64)));
/* task C's data and stack (segment 0x58 while it runs: base here) */
uint8_t c16_data[4096] __attribute__((aligned(16)));
/* descriptors A installs for task C: 16-bit code (0x50), data (0x58), TSS (0x68) */
uint64_t c16_gdt[3];
extern volatile uint32_t ts_c_eax, ts_c_type_after;
extern char task_c16[], task_c16_after[];
static uint8_t stack_b[2048] __attribute__((aligned(16)));
uint64_t idt_ts[0x41] __attribute__((aligned(8)));
struct { uint16_t limit; uint32_t base; } __attribute__((packed)) idt_ts_desc;

/* what the tasks saw */
extern volatile uint32_t ts_b_eflags1, ts_b_tr1, ts_b_cr0, ts_b_link1, ts_busy_in_b_a,
    ts_busy_in_b_b, ts_a_eax, ts_a_tr, ts_busy_after_a, ts_busy_after_b, ts_b_eflags2,
    ts_busy_jmp_a, ts_busy_jmp_b, ts_df_err, ts_df_eflags, ts_df_link, ts_ev[4][3], ts_nev;
extern char ts_enter[], task_b_entry[], ts_jmp_busy_at[], ts_call_short_at[], ts_np_at[],
    ts_df_resume[];

__asm__(
    ".section .data\n"
    ".balign 4\n"
    ".globl ts_b_eflags1, ts_b_tr1, ts_b_cr0, ts_b_link1, ts_busy_in_b_a, ts_busy_in_b_b\n"
    ".globl ts_a_eax, ts_a_tr, ts_busy_after_a, ts_busy_after_b, ts_b_eflags2\n"
    ".globl ts_busy_jmp_a, ts_busy_jmp_b, ts_df_err, ts_df_eflags, ts_df_link, ts_ev, ts_nev\n"
    "ts_b_eflags1: .long 0\n ts_b_tr1: .long 0\n ts_b_cr0: .long 0\n ts_b_link1: .long 0\n"
    "ts_busy_in_b_a: .long 0\n ts_busy_in_b_b: .long 0\n ts_a_eax: .long 0\n ts_a_tr: .long 0\n"
    "ts_busy_after_a: .long 0\n ts_busy_after_b: .long 0\n ts_b_eflags2: .long 0\n"
    "ts_busy_jmp_a: .long 0\n ts_busy_jmp_b: .long 0\n"
    "ts_df_err: .long 0\n ts_df_eflags: .long 0\n ts_df_link: .long 0\n"
    "ts_ev: .fill 12, 4, 0\n ts_nev: .long 0\n"
    ".globl ts_c_eax, ts_c_type_after\n"
    "ts_c_eax: .long 0\n ts_c_type_after: .long 0\n"
    "ts_resume: .long 0\n"
    ".globl ts_ss_err, ts_ss_seen, ts_df_saved_eax\n"
    "ts_df_saved_eax: .long 0\n"
    "ts_ss_err: .long 0xff\n ts_ss_seen: .long 0\n ts_a_esp: .long 0\n"
    "ts_saved_rsp: .quad 0\n ts_saved_idt: .fill 10, 1, 0\n"
    "ts_ptr32: .long ts32\n .word 0x18\n"
    ".text\n"

    ".code64\n"
    ".globl ts_enter\n"
    "ts_enter:\n"
    "  push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
    "  sidt ts_saved_idt(%rip)\n"
    "  mov %rsp, ts_saved_rsp(%rip)\n"
    "  ljmp *ts_ptr32(%rip)\n"

    ".code32\n"
    "ts32:\n"
    "  mov %cr0, %eax\n and $0x7fffffff, %eax\n mov %eax, %cr0\n"
    "  mov $0x10, %ax\n mov %ax, %ds\n mov %ax, %es\n mov %ax, %ss\n mov %ax, %fs\n mov %ax, %gs\n"
    "  lidt idt_ts_desc\n"
    "  mov $0x60, %ax\n ltr %ax\n"
    /* CALL task B: it IRETs back; EAX comes back as A had it */
    "  mov $0x1234, %eax\n"
    "  lcall $0x68, $0\n"
    "  mov %eax, ts_a_eax\n"
    "  str %ax\n movzwl %ax, %eax\n mov %eax, ts_a_tr\n"
    "  mov gdt + 0x64, %eax\n shr $8, %eax\n and $0xf, %eax\n mov %eax, ts_busy_after_a\n"
    "  mov gdt + 0x6c, %eax\n shr $8, %eax\n and $0xf, %eax\n mov %eax, ts_busy_after_b\n"
    "  clts\n"
    /* JMP through the task gate at 0x58; B JMPs back to A's TSS */
    "  ljmp $0x58, $0\n"
    "  mov gdt + 0x64, %eax\n shr $8, %eax\n and $0xf, %eax\n mov %eax, ts_busy_jmp_a\n"
    "  mov gdt + 0x6c, %eax\n shr $8, %eax\n and $0xf, %eax\n mov %eax, ts_busy_jmp_b\n"
    "  clts\n"
    /* faults of the old task: JMP to its own (busy) TSS, a TSS too short, a gate not present */
    "  movl $ts_r0, ts_resume\n"
    ".globl ts_jmp_busy_at\n ts_jmp_busy_at: ljmp $0x60, $0\n"
    "ts_r0:\n"
    "  movw $0x0050, gdt + 0x68\n"                              /* B's limit: 0x50 */
    "  movl $ts_r1, ts_resume\n"
    ".globl ts_call_short_at\n ts_call_short_at: lcall $0x68, $0\n"
    "ts_r1:\n"
    "  movw $0x0067, gdt + 0x68\n"                              /* back to 0x67 */
    "  andl $0xffff7fff, gdt + 0x5c\n"                          /* the gate not present */
    "  movl $ts_r2, ts_resume\n"
    ".globl ts_np_at\n ts_np_at: ljmp $0x58, $0\n"
    "ts_r2:\n"
    "  orl $0x8000, gdt + 0x5c\n"
    /* #DF through a task gate: #GP with its IDT entry not present */
    "  andl $0xffff7fff, idt_ts + 13 * 8 + 4\n"
    "  mov $0x1230, %ax\n"
    "  mov %ax, %ds\n"                                           /* #GP(0x1230), then #NP: #DF */
    ".globl ts_df_resume\n ts_df_resume:\n"
    "  mov $0x10, %ax\n mov %ax, %ds\n"
    "  mov tss_a + 0x28, %eax\n mov %eax, ts_df_saved_eax\n"
    "  orl $0x8000, idt_ts + 13 * 8 + 4\n"
    "  clts\n"
    /* INT 0x40 with SS limited to 0xfff and ESP = 0x1008: the frame does
     * not fit, #SS(0), and vector 12 is a task gate to B */
    "  mov %esp, ts_a_esp\n"
    "  movl $ts_ss_resume, ts_resume\n"
    "  mov $0x50, %ax\n mov %ax, %ss\n mov $0x1008, %esp\n"
    "  int $0x40\n"
    ".globl ts_ss_resume\n ts_ss_resume:\n"
    "  mov $0x10, %ax\n mov %ax, %ss\n mov ts_a_esp, %esp\n"
    "  clts\n"
    /* a 16-bit TSS: CALL task C (16-bit code at 0x50, data/stack 0x58), it IRETs back */
    "  mov c16_gdt, %eax\n mov %eax, gdt + 0x50\n mov c16_gdt + 4, %eax\n mov %eax, gdt + 0x54\n"
    "  mov c16_gdt + 8, %eax\n mov %eax, gdt + 0x58\n mov c16_gdt + 12, %eax\n mov %eax, gdt + 0x5c\n"
    "  mov c16_gdt + 16, %eax\n mov %eax, gdt + 0x68\n mov c16_gdt + 20, %eax\n mov %eax, gdt + 0x6c\n"
    "  mov $0x7777, %eax\n"
    "  lcall $0x68, $0\n"
    "  mov %eax, ts_c_eax\n"
    "  mov gdt + 0x6c, %eax\n shr $8, %eax\n and $0xf, %eax\n mov %eax, ts_c_type_after\n"
    "  clts\n"
    /* back: the runtime's TSS (0x38) available again for LTR, then long mode */
    "  andl $0xfffffdff, gdt + 0x3c\n"
    "  mov $0x38, %ax\n ltr %ax\n"
    "  mov %cr0, %eax\n or $0x80000000, %eax\n mov %eax, %cr0\n"
    "  ljmp $0x08, $ts_back64\n"

    /* task B: each entry resumes where it last left */
    ".globl task_b_entry\n"
    "task_b_entry:\n"
    "  pushf\n pop %eax\n mov %eax, ts_b_eflags1\n"
    "  str %ax\n movzwl %ax, %eax\n mov %eax, ts_b_tr1\n"
    "  mov %cr0, %eax\n mov %eax, ts_b_cr0\n"
    "  movzwl tss_b, %eax\n mov %eax, ts_b_link1\n"
    "  mov gdt + 0x64, %eax\n shr $8, %eax\n and $0xf, %eax\n mov %eax, ts_busy_in_b_a\n"
    "  mov gdt + 0x6c, %eax\n shr $8, %eax\n and $0xf, %eax\n mov %eax, ts_busy_in_b_b\n"
    "  mov $0x5678, %eax\n"
    "  iret\n"
    /* second entry: JMP through the gate (no NT) */
    "  pushf\n pop %eax\n mov %eax, ts_b_eflags2\n"
    "  ljmp $0x60, $0\n"
    /* third entry: the #DF task, error code on its stack */
    "  pop %eax\n mov %eax, ts_df_err\n"
    "  pushf\n pop %eax\n mov %eax, ts_df_eflags\n"
    "  movzwl tss_b, %eax\n mov %eax, ts_df_link\n"
    "  movl $ts_df_resume, tss_a + 0x20\n"
    "  iret\n"
    /* fourth entry: the #SS task */
    "  pop %eax\n mov %eax, ts_ss_err\n"
    "  movl $1, ts_ss_seen\n"
    "  movl $ts_ss_resume, tss_a + 0x20\n"
    "  iret\n"
    "  jmp task_b_entry\n"

    /* task C (16-bit): TR, FLAGS and its TSS's type into its data segment, AX = 4321h, IRET */
    ".code16\n"
    ".globl task_c16, task_c16_after\n"
    "task_c16:\n"
    "  str %ax\n mov %ax, 0x0\n"
    "  pushf\n pop %ax\n mov %ax, 0x2\n"
    "  mov $0x4321, %ax\n"
    "  iret\n"
    "task_c16_after:\n"
    "  jmp task_c16\n"
    ".code32\n"

    /* faults of task A: vector, error code, EIP; resume */
    "ts_isr_common:\n"
    "  push %eax\n push %ebx\n"
    "  mov ts_nev, %ebx\n imul $12, %ebx\n"
    "  mov 8(%esp), %eax\n mov %eax, ts_ev(%ebx)\n"
    "  mov 12(%esp), %eax\n mov %eax, ts_ev+4(%ebx)\n"
    "  mov 16(%esp), %eax\n mov %eax, ts_ev+8(%ebx)\n"
    "  incl ts_nev\n"
    "  mov ts_resume, %eax\n mov %eax, 16(%esp)\n"
    "  pop %ebx\n pop %eax\n"
    "  add $8, %esp\n"
    "  iret\n"
    ".globl ts_isr_10, ts_isr_11, ts_isr_13, ts_isr_64\n"
    "ts_isr_64: push $0\n push $0x40\n jmp ts_isr_common\n"
    "ts_isr_10: push $10\n jmp ts_isr_common\n"
    "ts_isr_11: push $11\n jmp ts_isr_common\n"
    "ts_isr_13: push $13\n jmp ts_isr_common\n"

    ".code64\n"
    "ts_back64:\n"
    "  mov $0x10, %ax\n mov %ax, %ds\n mov %ax, %es\n mov %ax, %ss\n"
    "  xor %eax, %eax\n mov %ax, %fs\n mov %ax, %gs\n"
    "  mov ts_saved_rsp(%rip), %rsp\n"
    "  lidt ts_saved_idt(%rip)\n"
    "  pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
    "  ret\n");

extern char ts_isr_10[], ts_isr_11[], ts_isr_13[], ts_isr_64[];
extern volatile uint32_t ts_ss_err, ts_ss_seen, ts_df_saved_eax;
static uint8_t ss_buf[0x2000] __attribute__((aligned(16)));

static uint64_t tss_desc(void *base, uint32_t limit)
{
    uint32_t b = (uint32_t)(uintptr_t)base;
    return (limit & 0xffff) | ((uint64_t)(b & 0xffffff) << 16) | (0x89ull << 40)
         | ((uint64_t)(b >> 24) << 56);
}

static uint64_t gate32(void *fn, unsigned type)
{
    uint32_t off = (uint32_t)(uintptr_t)fn;
    return (off & 0xffff) | (0x18ull << 16) | ((uint64_t)(0x80 | type) << 40)
         | ((uint64_t)(off >> 16) << 48);
}

int main(void)
{
    uint64_t saved[4] = { gdt[0x50 / 8], gdt[0x58 / 8], gdt[0x60 / 8], gdt[0x68 / 8] };

    memset(&tss_a, 0, sizeof tss_a);
    memset(&tss_b, 0, sizeof tss_b);
    tss_a.iomap = tss_b.iomap = sizeof(struct tss32);
    tss_b.eip = (uint32_t)(uintptr_t)task_b_entry;
    tss_b.esp = (uint32_t)(uintptr_t)stack_b + sizeof stack_b;
    tss_b.eflags = 0x2;
    tss_b.cs = 0x18;
    tss_b.ss = tss_b.ds = tss_b.es = tss_b.fs = tss_b.gs = 0x10;
    gdt[0x60 / 8] = tss_desc(&tss_a, 0x67);
    gdt[0x68 / 8] = tss_desc(&tss_b, 0x67);
    gdt[0x58 / 8] = (0x68ull << 16) | (0x85ull << 40);          /* task gate to B, DPL 0 */
    idt_ts[8] = (0x68ull << 16) | (0x85ull << 40);              /* #DF: task gate to B */
    idt_ts[10] = gate32(ts_isr_10, 0xe);
    idt_ts[11] = gate32(ts_isr_11, 0xe);
    idt_ts[13] = gate32(ts_isr_13, 0xe);
    idt_ts[12] = (0x68ull << 16) | (0x85ull << 40);             /* #SS: task gate to B */
    idt_ts[0x40] = gate32(ts_isr_64, 0xe);
    uint32_t sb = (uint32_t)(uintptr_t)ss_buf;                  /* 0x50: data at ss_buf, limit 0xfff */
    gdt[0x50 / 8] = 0xfff | ((uint64_t)(sb & 0xffffff) << 16) | (0x93ull << 40) | (4ull << 52)
                  | ((uint64_t)(sb >> 24) << 56);
    /* task C: 16-bit code at task_c16 (0x50), data and stack in c16_data (0x58), TSS 0x68 */
    uint32_t cb = (uint32_t)(uintptr_t)task_c16, db = (uint32_t)(uintptr_t)c16_data;
    c16_gdt[0] = 0xffff | ((uint64_t)(cb & 0xffffff) << 16) | (0x9bull << 40)
               | ((uint64_t)(cb >> 24) << 56);
    c16_gdt[1] = 0xffff | ((uint64_t)(db & 0xffffff) << 16) | (0x93ull << 40)
               | ((uint64_t)(db >> 24) << 56);
    c16_gdt[2] = tss_desc(&tss_c, 0x2b) & ~(0xfull << 40);     /* type 1: 16-bit, available */
    c16_gdt[2] |= 0x81ull << 40;
    memset(&tss_c, 0, sizeof tss_c);
    tss_c.ip = 0;
    tss_c.flags = 0x2;
    tss_c.sp = sizeof c16_data;
    tss_c.cs = 0x50;
    tss_c.ss = tss_c.ds = tss_c.es = 0x58;
    idt_ts_desc.limit = sizeof idt_ts - 1;
    idt_ts_desc.base = (uint32_t)(uintptr_t)idt_ts;

    ((void (*)(void))ts_enter)();

    reportf(ts_b_tr1 == 0x68 && ts_b_link1 == 0x60, "CALL to a TSS: TR %x, back link %x",
            ts_b_tr1, ts_b_link1);
    reportf((ts_b_eflags1 & 0x4000) && (ts_b_cr0 & 8), "CALL to a TSS: NT set, CR0.TS set");
    reportf(ts_busy_in_b_a == 0xb && ts_busy_in_b_b == 0xb,
            "CALL to a TSS: both TSSs busy (types %x %x)", ts_busy_in_b_a, ts_busy_in_b_b);
    reportf(ts_a_eax == 0x1234 && ts_a_tr == 0x60,
            "IRET with NT: back in A with its EAX (%x), TR %x", ts_a_eax, ts_a_tr);
    reportf(ts_busy_after_a == 0xb && ts_busy_after_b == 0x9,
            "IRET with NT: A busy, B available (types %x %x)", ts_busy_after_a, ts_busy_after_b);
    reportf(!(ts_b_eflags2 & 0x4000), "JMP through a task gate: NT clear in B (%x)",
            ts_b_eflags2 & 0x4000);
    reportf(ts_busy_jmp_a == 0xb && ts_busy_jmp_b == 0x9,
            "JMP back to A's TSS: A busy, B available (types %x %x)", ts_busy_jmp_a,
            ts_busy_jmp_b);
    reportf(ts_nev >= 3, "faults in task A noted");
    reportf(ts_ss_seen && ts_ss_err == 0,
            "limit: INT whose frame does not fit SS: #SS(0) through a task gate (error %x)",
            ts_ss_err);
    reportf(ts_ev[0][0] == 13 && ts_ev[0][1] == 0x60 && ts_ev[0][2] == (uint32_t)(uintptr_t)ts_jmp_busy_at,
            "JMP to a busy TSS: vector %u error %x", ts_ev[0][0], ts_ev[0][1]);
    reportf(ts_ev[1][0] == 10 && ts_ev[1][1] == 0x68
            && ts_ev[1][2] == (uint32_t)(uintptr_t)ts_call_short_at,
            "CALL to a TSS with limit 0x50: vector %u error %x", ts_ev[1][0], ts_ev[1][1]);
    reportf(ts_ev[2][0] == 11 && ts_ev[2][1] == 0x58 && ts_ev[2][2] == (uint32_t)(uintptr_t)ts_np_at,
            "JMP through a task gate not present: vector %u error %x", ts_ev[2][0], ts_ev[2][1]);
    reportf(ts_df_err == 0 && (ts_df_eflags & 0x4000) && ts_df_link == 0x60,
            "#DF through a task gate: error code %x on the new stack, NT, back link %x",
            ts_df_err, ts_df_link);
    reportf(ts_df_saved_eax == 0x1230 && tss_a.ds == 0x10 && tss_a.cs == 0x18,
            "the old task's registers and selectors saved in its TSS (EAX %x, DS %x, CS %x)",
            ts_df_saved_eax, tss_a.ds, tss_a.cs);
    uint16_t c_tr = (uint16_t)(c16_data[0] | c16_data[1] << 8);
    uint16_t c_flags = (uint16_t)(c16_data[2] | c16_data[3] << 8);
    reportf(c_tr == 0x68 && (c_flags & 0x4000) && tss_c.link == 0x60,
            "CALL to a 16-bit TSS: TR %x, NT set, back link %x", c_tr, tss_c.link);
    reportf(ts_c_eax == 0x7777 && ts_c_type_after == 1,
            "IRET from the 16-bit task: A's EAX back (%x), C's TSS available (type %x)",
            ts_c_eax, ts_c_type_after);
    reportf(tss_c.ax == 0x4321 && tss_c.ip == (uint16_t)(task_c16_after - task_c16)
            && tss_c.cs == 0x50 && tss_c.ss == 0x58 && tss_c.ds == 0x58
            && tss_c.sp == sizeof c16_data,
            "the 16-bit task's state saved in its TSS (AX %x IP %x CS %x SS %x DS %x SP %x)",
            tss_c.ax, tss_c.ip, tss_c.cs, tss_c.ss, tss_c.ds, tss_c.sp);
    printf("16-bit TSS: saved FLAGS %04x\n", tss_c.flags);
    gdt[0x50 / 8] = saved[0];
    gdt[0x58 / 8] = saved[1];
    gdt[0x60 / 8] = saved[2];
    gdt[0x68 / 8] = saved[3];
    report_done();
}
