/* Legacy protected mode: leave IA-32e mode (compatibility mode, then
 * CR0.PG = 0), take exceptions through a 32-bit IDT (8-byte interrupt
 * gates, frames of EIP, CS, EFLAGS and the error code), and come back.
 * The 32-bit handler records vector, error code, EIP and CS; the 64-bit
 * code prints them once long mode is back. */
#include "runtime.h"

struct pm_rec {
    uint32_t vec, err, eip, cs, cr2;
};

#define PM_TESTS 16 /* exceptions and INT n (the gate test's INT 0x41 is not counted) */
#define PF_VA 0x40000000u   /* made not present for the PAE paging cases */
extern volatile struct pm_rec pm_res[PM_TESTS];
extern volatile uint32_t pm_idx, pm_skip, pm_cr0_pg, pm_efer_lma, pm_pae_cr3, pm_pae_pg,
    pm_pae_lma;
extern char pm_enter[], pm_isr_table[];
extern volatile uint32_t pm_g_frame[2][6], pm_g_cs[2], pm_g_esp[2], pm_g_n, pm_esp_before,
    pm_user_esp_after, pm_tss_ss0;
extern char pm_pfr_at[], pm_pfw_at[], pm_pf32r_at[], pm_pf32w_at[];
extern char rm_blob[], rm_blob_end[], rm_de_at[], rm_int_after[], rm_ud_at[], rm_isr_0[],
    rm_isr_6[], rm_isr_42[];
#define RM_BASE 0x8000u
#define RM_IP(label) ((uint16_t)((label) - rm_blob))
extern volatile uint32_t pm_pd32_cr3;
static uint32_t pd32[1024] __attribute__((aligned(4096)));
static uint32_t pt32[1024] __attribute__((aligned(4096)));
static uint32_t ptc[1024] __attribute__((aligned(4096)));   /* a page table that holds code */
extern volatile uint32_t pm_ad_code, pm_ad_before, pm_ad_after;
extern uint64_t pml4[], pdpt[];
static uint64_t pae_pdpt[4] __attribute__((aligned(32)));
extern volatile uint32_t pm_if_seen;
extern char pm_if_probe[];
extern volatile uint32_t pm_se_cs, pm_se_ss, pm_se_esp, pm_sx_cs, pm_sx_ss, pm_sx_esp;
extern char pm_se_stack_top[], pm_sysexit3_at[], pm_sysexit_back[];
extern char pm_gate_target[], pm_gate_ret0[], pm_gate_ret3[], pm_user_stack_top[], pm_ring3_exit[];
extern char pm_de_at[], pm_bp_after[], pm_ud_at[], pm_of_after[], pm_br_at[], pm_gp_at[],
    pm_np_at[], pm_int_after[], pm_cs_at[], pm_ss_at[];

/* the 32-bit IDT: vectors 0..19 and 0x40 */
uint64_t idt32[0x45] __attribute__((aligned(8)));
struct { uint16_t limit; uint32_t base; } __attribute__((packed)) idt32_desc;

__asm__(
    ".section .data\n"
    ".balign 8\n"
    ".globl pm_res, pm_idx, pm_skip, pm_cr0_pg, pm_efer_lma\n"
    "pm_res: .fill 20 * 16, 1, 0\n"
    "pm_resume: .long 0\n"                    /* when set, where the handler returns to */
    ".globl pm_if_seen\n pm_if_seen: .long 0\n"  /* IF inside 0x43, then 0x44, as bits */
    ".globl pm_ad_code, pm_ad_before, pm_ad_after\n"
    "pm_ad_code: .long 0\n pm_ad_before: .long 0\n pm_ad_after: .long 0\n"
    "pm_idx: .long 0\n"
    "pm_skip: .long 0\n"
    "pm_cr0_pg: .long 0\n"
    "pm_efer_lma: .long 0\n"
    "pm_saved_rsp: .quad 0\n"
    "pm_saved_idt: .fill 10, 1, 0\n"
    "pm_bound_pair: .long 0, 10\n"
    ".globl pm_g_frame, pm_g_cs, pm_g_esp, pm_g_n, pm_esp_before, pm_user_esp_after, pm_tss_ss0\n"
    "pm_g_frame: .fill 4 * 6 * 2, 1, 0\n"     /* two calls: EIP CS P0 P1 ESP SS */
    "pm_g_cs: .long 0, 0\n"
    "pm_g_esp: .long 0, 0\n"
    "pm_g_n: .long 0\n"
    "pm_esp_before: .long 0\n"
    "pm_user_esp_after: .long 0\n"
    "pm_ring0_esp: .long 0\n"
    "pm_tss_ss0: .long 0\n"                   /* address of the TSS's SS0 field */
    "pm_tss_saved: .long 0\n"
    ".globl pm_pae_cr3, pm_pae_pg, pm_pae_lma, pm_pd32_cr3\n"
    "pm_pd32_cr3: .long 0\n"
    "pm_saved_cr4: .long 0\n"
    "pm_pae_cr3: .long 0\n"
    "pm_pae_pg: .long 0\n"
    "pm_pae_lma: .long 0\n"
    "pm_saved_cr3: .long 0\n"
    ".balign 16\n"
    "pm_user_stack: .fill 256, 1, 0\n"
    "pm_user_stack_top:\n"
    ".globl pm_se_cs, pm_se_ss, pm_se_esp, pm_sx_cs, pm_sx_ss, pm_sx_esp, pm_se_stack_top\n"
    "pm_se_cs: .long 0\n pm_se_ss: .long 0\n pm_se_esp: .long 0\n"
    "pm_sx_cs: .long 0\n pm_sx_ss: .long 0\n pm_sx_esp: .long 0\n"
    "pm_se_stack: .fill 64, 1, 0\n"
    "pm_se_stack_top:\n"
    ".balign 8\n"
    "pm_ptr32: .long pm32\n"
    "          .word 0x18\n"
    ".text\n"

    /* pm_enter(): from 64-bit C; returns to it in 64-bit mode */
    ".code64\n"
    ".globl pm_enter\n"
    "pm_enter:\n"
    "  push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
    "  sidt pm_saved_idt(%rip)\n"
    "  mov %rsp, pm_saved_rsp(%rip)\n"
    "  ljmp *pm_ptr32(%rip)\n"

    ".code32\n"
    "pm32:\n"                                   /* compatibility mode */
    "  mov %cr0, %eax\n"
    "  and $0x7fffffff, %eax\n"
    "  mov %eax, %cr0\n"                        /* paging off: IA-32e mode ends */
    "  mov $0x10, %ax\n mov %ax, %ds\n mov %ax, %es\n mov %ax, %ss\n"
    "  mov %cr0, %eax\n shr $31, %eax\n mov %eax, pm_cr0_pg\n"
    "  mov $0xc0000080, %ecx\n rdmsr\n shr $10, %eax\n and $1, %eax\n mov %eax, pm_efer_lma\n"
    "  lidt idt32_desc\n"

    /* #DE: div by zero, faults at the DIV (2 bytes) */
    "  movl $2, pm_skip\n"
    "  xor %edx, %edx\n mov $1, %eax\n xor %ecx, %ecx\n"
    ".globl pm_de_at\n pm_de_at: div %ecx\n"
    /* #BP: INT3 traps after itself */
    "  movl $0, pm_skip\n"
    "  int3\n"
    ".globl pm_bp_after\n pm_bp_after:\n"
    /* #UD */
    "  movl $2, pm_skip\n"
    ".globl pm_ud_at\n pm_ud_at: ud2\n"
    /* #OF: INTO with OF set traps after itself */
    "  movl $0, pm_skip\n"
    "  mov $0x7fffffff, %eax\n add $1, %eax\n"
    "  into\n"
    ".globl pm_of_after\n pm_of_after:\n"
    /* #BR: BOUND with the index above the upper bound (6 bytes) */
    "  movl $6, pm_skip\n"
    "  mov $11, %eax\n"
    ".globl pm_br_at\n pm_br_at: bound %eax, pm_bound_pair\n"
    /* #GP(0x1230): a selector beyond the GDT limit into DS */
    "  movl $2, pm_skip\n"
    "  mov $0x1230, %ax\n"
    ".globl pm_gp_at\n pm_gp_at: mov %ax, %ds\n"
    /* #NP(0x50): a data segment marked not present into ES */
    "  andl $0xffff7fff, gdt + 0x54\n"
    "  mov $0x50, %ax\n"
    ".globl pm_np_at\n pm_np_at: mov %ax, %es\n"
    "  orl $0x8000, gdt + 0x54\n"
    /* INT 0x40 through a DPL-0 gate */
    "  movl $0, pm_skip\n"
    "  int $0x40\n"
    ".globl pm_int_after\n pm_int_after:\n"
    /* a trap gate leaves IF alone, an interrupt gate clears it; IF is on
     * for a moment, so mask the PIC first where there is one (under QEMU
     * the BIOS left the timer's IRQ 0 on, at vector 8) */
    "  mov $0xff, %al\n out %al, $0x21\n out %al, $0xa1\n"
    "  sti\n"
    "  int $0x43\n"
    "  int $0x44\n"
    "  cli\n"
    /* #GP(0x18): a code segment into SS */
    "  movl $2, pm_skip\n"
    "  mov $0x18, %ax\n"
    ".globl pm_ss_at\n pm_ss_at: mov %ax, %ss\n"
    /* #GP(0): a far jump to the null selector (7 bytes) */
    "  movl $7, pm_skip\n"
    ".globl pm_cs_at\n pm_cs_at: ljmp $0, $0\n"

    /* CALL through a 32-bit call gate (DPL 3, 2 parameters) at CPL 0: same
     * privilege, EIP and CS pushed on the current stack, LRET $8 back */
    "  push $0x1111\n push $0x2222\n"
    "  mov %esp, pm_esp_before\n"
    "  lcall $0x60, $0\n"
    ".globl pm_gate_ret0\n pm_gate_ret0:\n"
    /* the same gate from CPL 3: the TSS gives SS0:ESP0 (SS0 set for the
     * while: the TSS is the 64-bit one), old SS:ESP and both parameters go
     * there; LRET $8 returns to CPL 3, INT 0x41 (DPL 3) comes back */
    "  mov pm_tss_ss0, %eax\n"
    "  mov (%eax), %ecx\n mov %ecx, pm_tss_saved\n"
    "  movw $0x10, (%eax)\n"
    "  mov $0x174, %ecx\n mov $0x18, %eax\n xor %edx, %edx\n wrmsr\n"         /* SYSENTER_CS */
    "  mov $0x175, %ecx\n mov $pm_se_stack_top, %eax\n wrmsr\n"                    /* SYSENTER_ESP */
    "  mov $0x176, %ecx\n mov $pm_sysenter_entry, %eax\n wrmsr\n"                  /* SYSENTER_EIP */
    "  mov %esp, pm_ring0_esp\n"
    "  push $0x2b\n push $pm_user_stack_top\n pushf\n push $0x23\n push $pm_user_code\n"
    "  iret\n"
    "pm_user_code:\n"                          /* CPL 3: DS and ES are null now */
    "  push $0x1111\n push $0x2222\n"
    "  lcall $0x63, $0\n"
    ".globl pm_gate_ret3\n pm_gate_ret3:\n"
    "  mov %esp, %ss:pm_user_esp_after\n"
    /* SYSEXIT at CPL 3: #GP(0) */
    "  movl $2, %ss:pm_skip\n"
    ".globl pm_sysexit3_at\n pm_sysexit3_at: sysexit\n"
    /* SYSENTER to CPL 0, SYSEXIT back to EDX with ESP = ECX */
    "  mov $pm_sysexit_back, %edx\n mov %esp, %ecx\n"
    "  sysenter\n"
    ".globl pm_sysexit_back\n pm_sysexit_back:\n"
    "  mov %cs, %eax\n mov %eax, %ss:pm_sx_cs\n"
    "  mov %ss, %eax\n mov %eax, %ss:pm_sx_ss\n"
    "  mov %esp, %ss:pm_sx_esp\n"
    "  int $0x41\n"
    "pm_ring3_exit:\n"                         /* CPL 0 again, on the TSS stack */
    "  mov $0x10, %ax\n mov %ax, %ds\n mov %ax, %es\n"
    "  mov pm_ring0_esp, %esp\n"
    "  mov pm_tss_ss0, %eax\n mov pm_tss_saved, %ecx\n mov %ecx, (%eax)\n"

    /* legacy PAE paging: EFER.LME off, CR3 = a 4-entry PDPT over the same
     * page directories, CR0.PG on; then a read and a write of a page that
     * is not present (#PF with CR2 and the error code) */
    "  mov $0xc0000080, %ecx\n rdmsr\n and $0xfffffeff, %eax\n wrmsr\n"
    "  mov %cr3, %eax\n mov %eax, pm_saved_cr3\n"
    "  mov pm_pae_cr3, %eax\n mov %eax, %cr3\n"
    "  mov %cr0, %eax\n or $0x80000000, %eax\n mov %eax, %cr0\n"
    "  mov %cr0, %eax\n shr $31, %eax\n mov %eax, pm_pae_pg\n"
    "  mov $0xc0000080, %ecx\n rdmsr\n shr $10, %eax\n and $1, %eax\n mov %eax, pm_pae_lma\n"
    "  movl $5, pm_skip\n"
    ".globl pm_pfr_at\n pm_pfr_at: mov 0x40000000, %eax\n"
    "  movl $10, pm_skip\n"
    ".globl pm_pfw_at\n pm_pfw_at: movl $1, 0x40000010\n"
    "  mov %cr0, %eax\n and $0x7fffffff, %eax\n mov %eax, %cr0\n"
    /* 32-bit paging: CR4.PAE off and PSE on, a page directory of 4 MiB
     * pages with one hole and one 4 KiB read-only page table */
    "  mov %cr4, %eax\n mov %eax, pm_saved_cr4\n"
    "  and $0xffffffdf, %eax\n or $0x10, %eax\n mov %eax, %cr4\n"
    "  mov pm_pd32_cr3, %eax\n mov %eax, %cr3\n"
    "  mov %cr0, %eax\n or $0x80000000, %eax\n mov %eax, %cr0\n"
    "  movl $5, pm_skip\n"
    ".globl pm_pf32r_at\n pm_pf32r_at: mov 0x40000004, %eax\n"
    "  movl $10, pm_skip\n"
    ".globl pm_pf32w_at\n pm_pf32w_at: movl $1, 0x40400010\n"
    /* a read through a present read-only 4 KiB page: sets A in its PTE and PDE */
    "  mov 0x40401000, %eax\n"
    /* an instruction fetch from the hole: CR2 = EIP = the target (no I flag without PAE) */
    "  movl $0, pm_skip\n"
    "  movl $pm_pf32x_back, pm_resume\n"
    "  mov $0x40000008, %eax\n"
    "  call *%eax\n"
    "pm_pf32x_back:\n"
    "  add $4, %esp\n"
    /* code that shares its page with a live page table: the A bit the walk
     * sets in PTE 512 is the immediate of the MOV there */
    "  mov pm_ad_code, %ecx\n"
    "  call *%ecx\n mov %eax, pm_ad_before\n"
    "  mov 0x40a00000, %eax\n"                 /* sets A in PTE 512 */
    "  call *%ecx\n mov %eax, pm_ad_after\n"
    "  mov %cr0, %eax\n and $0x7fffffff, %eax\n mov %eax, %cr0\n"
    "  mov pm_saved_cr4, %eax\n mov %eax, %cr4\n"
    "  mov pm_saved_cr3, %eax\n mov %eax, %cr3\n"
    "  mov $0xc0000080, %ecx\n rdmsr\n or $0x100, %eax\n wrmsr\n"

    /* real mode: through 16-bit protected mode (the code copied to 0x8000)
     * to CR0.PE = 0, exceptions and INT n through the IVT, and back */
    "  mov %esp, pm_ring0_esp\n"
    "  ljmp $0x48, $0x8000\n"
    ".globl pm_from_real\n"
    "pm_from_real:\n"
    "  mov $0x10, %ax\n mov %ax, %ds\n mov %ax, %es\n mov %ax, %ss\n"
    "  mov pm_ring0_esp, %esp\n"
    "  lidt idt32_desc\n"

    /* back: paging on again makes IA-32e mode active (compatibility mode) */
    "  mov %cr0, %eax\n"
    "  or $0x80000000, %eax\n"
    "  mov %eax, %cr0\n"
    "  ljmp $0x08, $pm_back64\n"

    /* the call gate's target (CPL 0): note CS, ESP and the frame */
    ".globl pm_gate_target\n"
    "pm_gate_target:\n"
    "  push %ds\n"
    "  push %eax\n push %ebx\n push %ecx\n"
    "  mov $0x10, %ax\n mov %ax, %ds\n"
    "  mov pm_g_n, %ebx\n"
    "  mov %cs, %eax\n mov %eax, pm_g_cs(,%ebx,4)\n"
    "  lea 16(%esp), %eax\n mov %eax, pm_g_esp(,%ebx,4)\n"
    "  imul $24, %ebx\n"
    "  mov $0, %ecx\n"
    "1: mov 16(%esp,%ecx,4), %eax\n mov %eax, pm_g_frame(%ebx,%ecx,4)\n"
    "  inc %ecx\n cmp $6, %ecx\n jne 1b\n"
    "  incl pm_g_n\n"
    "  pop %ecx\n pop %ebx\n pop %eax\n"
    "  pop %ds\n"
    "  lret $8\n"

    /* 32-bit handlers: push a zero error code where the CPU pushes none */
    "pm_isr_common:\n"                         /* DS may be null (from CPL 3) */
    "  push %ds\n push %eax\n push %ebx\n"
    "  mov $0x10, %ax\n mov %ax, %ds\n"
    "  mov pm_idx, %ebx\n imul $20, %ebx\n"
    "  mov 12(%esp), %eax\n mov %eax, pm_res(%ebx)\n"
    "  mov 16(%esp), %eax\n mov %eax, pm_res+4(%ebx)\n"
    "  mov 20(%esp), %eax\n mov %eax, pm_res+8(%ebx)\n"
    "  mov 24(%esp), %eax\n mov %eax, pm_res+12(%ebx)\n"
    "  mov %cr2, %eax\n     mov %eax, pm_res+16(%ebx)\n"
    "  incl pm_idx\n"
    "  mov pm_skip, %eax\n add %eax, 20(%esp)\n"
    "  mov pm_resume, %eax\n test %eax, %eax\n jz 1f\n"
    "  mov %eax, 20(%esp)\n movl $0, pm_resume\n"
    "1:\n"
    "  pop %ebx\n pop %eax\n pop %ds\n"
    "  add $8, %esp\n"
    "  iret\n"
    /* INT 0x43 (trap gate) and 0x44 (interrupt gate): note EFLAGS.IF inside */
    "pm_if_probe:\n"
    "  push %eax\n pushf\n pop %eax\n shr $9, %eax\n and $1, %eax\n"
    "  shll $1, pm_if_seen\n or %eax, pm_if_seen\n"
    "  pop %eax\n iret\n"
    /* SYSENTER lands here at CPL 0 (SS = SYSENTER_CS + 8, flat): note CS, SS, ESP */
    "pm_sysenter_entry:\n"
    "  mov %cs, %eax\n mov %eax, %ss:pm_se_cs\n"
    "  mov %ss, %eax\n mov %eax, %ss:pm_se_ss\n"
    "  mov %esp, %ss:pm_se_esp\n"
    "  sysexit\n"
    ".balign 16\n"
    ".globl pm_isr_table\n"
    "pm_isr_table:\n"                           /* 16 bytes per vector 0..19, then 0x40 */
    ".irp v, 0,1,2,3,4,5,6,7,9,15,16,18,19,64\n"
    "  .balign 16\n  pm_isr_\\v: push $0\n push $\\v\n jmp pm_isr_common\n"
    ".endr\n"
    ".irp v, 8,10,11,12,13,14,17\n"
    "  .balign 16\n  pm_isr_\\v: push $\\v\n jmp pm_isr_common\n"
    ".endr\n"

    /* the real-mode code, copied to 0x8000 and run at CS 0x48 (16-bit, base
     * 0), then at CS 0x800; records at 0x7e00: a count, then per event the
     * vector, IP, CS and FLAGS the handler found; 0x7df0: bytes to skip */
    ".code16\n"
    ".globl rm_blob, rm_blob_end, rm_de_at, rm_int_after, rm_ud_at, rm_isr_0, rm_isr_6, rm_isr_42\n"
    "rm_blob:\n"                               /* 16-bit protected mode: 16-bit data segments */
    "  mov $0x50, %ax\n mov %ax, %ds\n mov %ax, %es\n mov %ax, %ss\n"   /* first (SDM 9.9.2) */
    "  mov %cr0, %eax\n and $0xfffffffe, %eax\n mov %eax, %cr0\n"
    "  ljmp $0x0800, $(rm_real - rm_blob)\n"
    "rm_real:\n"
    "  xor %ax, %ax\n mov %ax, %ds\n mov %ax, %es\n mov %ax, %ss\n"
    "  mov $0x7c00, %sp\n"
    "  lidt %cs:(rm_ivt_desc - rm_blob)\n"
    "  movw $0, 0x7e00\n"
    "  movw $2, 0x7df0\n"
    "  xor %dx, %dx\n mov $1, %ax\n xor %cx, %cx\n"
    "rm_de_at: div %cx\n"
    "  movw $0, 0x7df0\n"
    "  int $0x42\n"
    "rm_int_after:\n"
    "  movw $2, 0x7df0\n"
    "rm_ud_at: ud2\n"
    "  mov %cr0, %eax\n or $1, %eax\n mov %eax, %cr0\n"
    "  ljmpl $0x18, $pm_from_real\n"
    /* each handler notes its vector, then the common part notes IP, CS, FLAGS */
    "rm_isr_0: movw $0, 0x7df2\n jmp rm_common\n"
    "rm_isr_6: movw $6, 0x7df2\n jmp rm_common\n"
    "rm_isr_42: movw $0x42, 0x7df2\n jmp rm_common\n"
    "rm_common:\n"                             /* [bp+2] IP, [bp+4] CS, [bp+6] FLAGS */
    "  push %bp\n mov %sp, %bp\n push %ax\n push %bx\n"
    "  mov 0x7e00, %bx\n shl $3, %bx\n"
    "  mov 0x7df2, %ax\n mov %ax, 0x7e02(%bx)\n"
    "  mov 2(%bp), %ax\n mov %ax, 0x7e04(%bx)\n"
    "  mov 4(%bp), %ax\n mov %ax, 0x7e06(%bx)\n"
    "  mov 6(%bp), %ax\n mov %ax, 0x7e08(%bx)\n"
    "  incw 0x7e00\n"
    "  mov 0x7df0, %ax\n add %ax, 2(%bp)\n"
    "  pop %bx\n pop %ax\n pop %bp\n"
    "  iret\n"
    "rm_ivt_desc: .word 0x3ff\n .long 0\n"
    "rm_blob_end:\n"

    ".code64\n"
    "pm_back64:\n"
    "  mov $0x10, %ax\n mov %ax, %ds\n mov %ax, %es\n mov %ax, %ss\n"
    "  mov pm_saved_rsp(%rip), %rsp\n"
    "  lidt pm_saved_idt(%rip)\n"
    "  pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
    "  ret\n");

extern char pm_isr_0[], pm_isr_1[], pm_isr_2[], pm_isr_3[], pm_isr_4[], pm_isr_5[],
    pm_isr_6[], pm_isr_7[], pm_isr_8[], pm_isr_9[], pm_isr_10[], pm_isr_11[], pm_isr_12[],
    pm_isr_13[], pm_isr_14[], pm_isr_15[], pm_isr_16[], pm_isr_17[], pm_isr_18[],
    pm_isr_19[], pm_isr_64[];

static void set_gate32(unsigned v, void *fn)
{
    uint32_t off = (uint32_t)(uintptr_t)fn;

    idt32[v] = (off & 0xffff) | (0x18ull << 16) | (0x8eull << 40) | ((uint64_t)(off >> 16) << 48);
}

static void expect(unsigned i, const char *name, uint32_t vec, uint32_t err, char *eip)
{
    volatile struct pm_rec *r = &pm_res[i];

    reportf(i < pm_idx && r->vec == vec && r->err == err && r->eip == (uint32_t)(uintptr_t)eip
            && (r->cs & 0xffff) == 0x18,
            "%s in protected mode: vector %u error %x, EIP %s, CS %x", name, r->vec, r->err,
            r->eip == (uint32_t)(uintptr_t)eip ? "as expected" : "wrong", r->cs & 0xffff);
}

static void expect_pf(unsigned i, const char *what, uint32_t err, uint32_t cr2, char *eip)
{
    volatile struct pm_rec *r = &pm_res[i];
    bool at = r->eip == (uint32_t)(uintptr_t)eip;

    reportf(i < pm_idx && r->vec == 14 && r->err == err && r->cr2 == cr2 && at,
            "#PF (%s: error %x, CR2 %x, EIP %s", what, r->err, r->cr2, at ? "as expected" : "wrong");
}

int main(void)
{
    char *const isr[20] = { pm_isr_0, pm_isr_1, pm_isr_2, pm_isr_3, pm_isr_4, pm_isr_5,
                            pm_isr_6, pm_isr_7, pm_isr_8, pm_isr_9, pm_isr_10, pm_isr_11,
                            pm_isr_12, pm_isr_13, pm_isr_14, pm_isr_15, pm_isr_16, pm_isr_17,
                            pm_isr_18, pm_isr_19 };

    for (unsigned v = 0; v < 20; v++)
        set_gate32(v, isr[v]);
    set_gate32(0x40, pm_isr_64);
    set_gate32(0x41, pm_ring3_exit);
    set_gate32(0x43, pm_if_probe);
    idt32[0x43] |= 1ull << 40;                  /* type 0xf: 32-bit trap gate */
    set_gate32(0x44, pm_if_probe);
    idt32[0x41] |= 3ull << 45;                  /* INT 0x41 allowed from CPL 3 */
    /* a legacy 32-bit call gate at SPARE_SYS_SEL: DPL 3, 2 parameters, to 0x18:pm_gate_target */
    uint32_t goff = (uint32_t)(uintptr_t)pm_gate_target;
    gdt[SPARE_SYS_SEL / 8] = (goff & 0xffff) | (0x18ull << 16) | (2ull << 32) | (0xcull << 40)
                           | (3ull << 45) | (1ull << 47) | ((uint64_t)(goff >> 16) << 48);
    /* the TSS's base (its GDT descriptor): SS0 sits at +8 in a 32-bit TSS */
    uint64_t tss_base = ((gdt[7] >> 16) & 0xffffff) | (((gdt[7] >> 56) & 0xff) << 24)
                      | (gdt[8] << 32);
    pm_tss_ss0 = (uint32_t)(tss_base + 8);
    uint32_t esp0 = *(volatile uint32_t *)(uintptr_t)(tss_base + 4);
    /* PAE PDPTEs hold only P and the address: the 4-level PDPT's R/W and U/S are reserved there */
    for (int i = 0; i < 4; i++)
        pae_pdpt[i] = (pdpt[i] & 0x000ffffffffff000ull) | 1;
    pm_pae_cr3 = (uint32_t)(uintptr_t)pae_pdpt;
    /* 32-bit paging: 4 MiB pages for 4 GiB, but none at 0x40000000 and 4 KiB
     * read-only pages at 0x40400000 */
    for (uint32_t i = 0; i < 1024; i++)
        pd32[i] = (i << 22) | 0x83;
    pd32[0x40000000u >> 22] = 0;
    for (uint32_t j = 0; j < 1024; j++)
        pt32[j] = (0x40400000u + j * 4096) | 0x1;
    pd32[0x40400000u >> 22] = (uint32_t)(uintptr_t)pt32 | 0x3;
    pm_pd32_cr3 = (uint32_t)(uintptr_t)pd32;
    /* ptc maps 0x40800000..; bytes 0x7ff-0x804 are "mov $PTE512, %eax; ret" */
    ptc[511] = 0xb8000000u;                     /* not present; its top byte is the MOV */
    ptc[512] = 0x40a00000u | 0x1;               /* present, A clear: the immediate */
    ptc[513] = 0xc3u;                           /* present (to phys 0): its low byte is RET */
    pd32[0x40800000u >> 22] = (uint32_t)(uintptr_t)ptc | 0x3;
    pm_ad_code = (uint32_t)(uintptr_t)ptc + 0x7ff;
    map_page(PF_VA, PF_VA, false, true, false);
    idt32_desc.limit = sizeof idt32 - 1;
    idt32_desc.base = (uint32_t)(uintptr_t)idt32;

    /* real mode: the code at 0x8000, its IVT entries (segment 0x800), and
     * a 16-bit data segment (limit 0xffff) to load before leaving protected mode */
    gdt[SPARE_SEL / 8] = 0x000093000000ffffull;
    map_page(0, 0, true, true, false);
    memcpy((void *)(uintptr_t)RM_BASE, rm_blob, (size_t)(rm_blob_end - rm_blob));
    uintptr_t ivt_at = 0;
    __asm__("" : "+r"(ivt_at));                 /* the IVT is at address 0: hide that from gcc */
    volatile uint32_t *ivt = (volatile uint32_t *)ivt_at;
    ivt[0] = 0x08000000u | RM_IP(rm_isr_0);
    ivt[6] = 0x08000000u | RM_IP(rm_isr_6);
    ivt[0x42] = 0x08000000u | RM_IP(rm_isr_42);

    ((void (*)(void))pm_enter)();

    reportf(pm_cr0_pg == 0 && pm_efer_lma == 0, "left IA-32e mode: CR0.PG %u, EFER.LMA %u",
            pm_cr0_pg, pm_efer_lma);
    reportf(pm_idx == PM_TESTS, "%u events taken through the 32-bit IDT", pm_idx);
    expect(0, "#DE", 0, 0, pm_de_at);
    expect(1, "#BP", 3, 0, pm_bp_after);
    expect(2, "#UD", 6, 0, pm_ud_at);
    expect(3, "#OF", 4, 0, pm_of_after);
    expect(4, "#BR", 5, 0, pm_br_at);
    expect(5, "#GP (selector past the GDT limit)", 13, 0x1230, pm_gp_at);
    expect(6, "#NP (data segment not present)", 11, 0x50, pm_np_at);
    expect(7, "INT 0x40", 0x40, 0, pm_int_after);
    expect(8, "#GP (code segment into SS)", 13, 0x18, pm_ss_at);
    expect(9, "#GP (far jump to the null selector)", 13, 0, pm_cs_at);

    reportf(pm_pae_pg == 1 && pm_pae_lma == 0, "legacy PAE paging: CR0.PG %u, EFER.LMA %u",
            pm_pae_pg, pm_pae_lma);
    expect_pf(11, "read, not present) under PAE paging", 0, PF_VA, pm_pfr_at);
    expect_pf(12, "write, not present) under PAE paging", 2, PF_VA + 0x10, pm_pfw_at);
    expect_pf(13, "read, 4 MiB hole) under 32-bit paging", 0, 0x40000004, pm_pf32r_at);
    expect_pf(14, "write, read-only 4 KiB page) under 32-bit paging", 3, 0x40400010, pm_pf32w_at);
    expect_pf(15, "fetch, 4 MiB hole) under 32-bit paging", 0, 0x40000008, (char *)0x40000008);
    /* accessed and dirty bits the walks set: A = 0x20, D = 0x40 */
    reportf((pd32[0] & 0x60) == 0x60 && (pd32[0x40400000u >> 22] & 0x20) && (pt32[1] & 0x60) == 0x20
            && (pt32[0] & 0x60) == 0 && (pd32[1] & 0x60) == 0,
            "32-bit paging A/D: 4 MiB PDE %x, PDE of the table %x, PTE read %x, PTE faulted %x",
            pd32[0] & 0x60, pd32[0x40400000u >> 22] & 0x60, pt32[1] & 0x60, pt32[0] & 0x60);
    reportf(pm_ad_before == 0x40a00001u && pm_ad_after == 0x40a00021u,
            "A bit set in a page table that shares its page with code: code sees it (%x then %x)",
            pm_ad_before, pm_ad_after);
    map_page(PF_VA, PF_VA, true, true, false);
    volatile uint16_t *rm = (volatile uint16_t *)(uintptr_t)0x7e00;
    static const struct { const char *name; uint16_t vec; char *at; } rm_want[3] = {
        { "#DE", 0, rm_de_at }, { "INT 0x42", 0x42, rm_int_after }, { "#UD", 6, rm_ud_at },
    };
    reportf(rm[0] == 3, "real mode: %u events through the IVT", rm[0]);
    for (unsigned i = 0; i < 3; i++) {
        const volatile uint16_t *e = &rm[1 + 4 * i];
        reportf(i < rm[0] && e[0] == rm_want[i].vec && e[1] == RM_IP(rm_want[i].at)
                && e[2] == 0x800 && (e[3] & 0x2) != 0,
                "%s in real mode: vector %x, return %x:%x", rm_want[i].name, e[0], e[2], e[1]);
    }
    reportf(pm_if_seen == 2, "EFLAGS.IF in a trap gate's handler 1, in an interrupt gate's 0 (%x)",
            pm_if_seen);
    reportf(pm_g_n == 2, "32-bit call gate taken %u times", pm_g_n);
    reportf(pm_g_cs[0] == 0x18 && pm_g_frame[0][0] == (uint32_t)(uintptr_t)pm_gate_ret0
            && pm_g_frame[0][1] == 0x18 && pm_g_frame[0][2] == 0x2222
            && pm_g_frame[0][3] == 0x1111 && pm_g_esp[0] == pm_esp_before - 8,
            "call gate at CPL 0: EIP and CS pushed (4 bytes each) on the same stack");
    reportf(pm_g_cs[1] == 0x18 && pm_g_frame[1][0] == (uint32_t)(uintptr_t)pm_gate_ret3
            && pm_g_frame[1][1] == 0x23 && pm_g_esp[1] == esp0 - 24,
            "call gate from CPL 3: CS %x, new ESP = ESP0 - 24 (%s)", pm_g_cs[1],
            pm_g_esp[1] == esp0 - 24 ? "yes" : "no");
    reportf(pm_g_frame[1][2] == 0x2222 && pm_g_frame[1][3] == 0x1111,
            "call gate from CPL 3: parameters copied %x %x", pm_g_frame[1][2], pm_g_frame[1][3]);
    reportf(pm_g_frame[1][4] == (uint32_t)(uintptr_t)pm_user_stack_top - 8
            && pm_g_frame[1][5] == 0x2b,
            "call gate from CPL 3: old ESP and SS %x pushed", pm_g_frame[1][5]);
    reportf(pm_user_esp_after == (uint32_t)(uintptr_t)pm_user_stack_top,
            "lret $8 to CPL 3: parameters popped from the outer stack too");
    {
        volatile struct pm_rec *r = &pm_res[10];
        reportf(10 < pm_idx && r->vec == 13 && r->err == 0
                && r->eip == (uint32_t)(uintptr_t)pm_sysexit3_at && (r->cs & 0xffff) == 0x23,
                "SYSEXIT at CPL 3: vector %u error %x from CS %x", r->vec, r->err, r->cs & 0xffff);
    }
    reportf(pm_se_cs == 0x18 && pm_se_ss == 0x20 && pm_se_esp == (uint32_t)(uintptr_t)pm_se_stack_top,
            "SYSENTER: CS %x, SS %x, ESP from IA32_SYSENTER_ESP", pm_se_cs, pm_se_ss);
    reportf(pm_sx_cs == 0x2b && pm_sx_ss == 0x33
            && pm_sx_esp == (uint32_t)(uintptr_t)pm_user_stack_top,
            "SYSEXIT: back at CPL 3 with CS %x, SS %x, ESP from ECX", pm_sx_cs, pm_sx_ss);
    report_done();
}
