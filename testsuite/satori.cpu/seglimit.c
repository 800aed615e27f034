/* Segment limit and type checks (SDM vol. 3, 5.3-5.5) in legacy 32-bit
 * protected mode, and real mode with cached descriptors ("unreal mode",
 * SDM vol. 3, 9.9.2 and 20.1.1).  The guest leaves IA-32e mode as pmode.c
 * does, runs each case with a test descriptor loaded and notes the fault
 * (vector, error code, EIP, CS) its 32-bit handler or real-mode IVT
 * handler sees; the 64-bit code compares with what the SDM says.  The
 * real-mode part also stores the x87 state in the real-mode FNSTENV and
 * FNSAVE/FRSTOR formats (16- and 32-bit, SDM vol. 1, 8.1.10).
 *
 * Lines named "limit: ..." are checks QEMU's TCG does not make (it does
 * not check data segment limits or types); seglimit.exp leaves them out of
 * the comparison with QEMU.  Everything else must match QEMU. */
#include "runtime.h"

#define NCASES 24
#define NONE 0xffffffffu
struct sc_rec { uint32_t vec, err, eip, cs; };
extern volatile struct sc_rec sc_rec[NCASES];
extern volatile uint32_t sc_ss_over, sc_magic, sc_unreal_val, sc_o32_val;
extern volatile uint64_t sc_desc[16];
extern char sc_enter[], sc_lim_code[], rm2_blob[], rm2_blob_end[];
#define RM_BASE 0x8000u

/* the test descriptors' data: 64 KiB + the space below it for expand-down */
static uint8_t buf[0x20000] __attribute__((aligned(4096)));
/* the stack under an SS with a limit */
static uint8_t sc_stack[4096] __attribute__((aligned(4096)));

uint64_t idt32s[20] __attribute__((aligned(8)));
struct { uint16_t limit; uint32_t base; } __attribute__((packed)) idt32s_desc;

/* ld_desc k, sel: GDT entry sel := sc_desc[k] (32-bit code, DS flat) */
__asm__(
    ".macro ld_desc k, sel\n"
    "  mov sc_desc + 8 * \\k, %eax\n mov %eax, gdt + \\sel\n"
    "  mov sc_desc + 8 * \\k + 4, %eax\n mov %eax, gdt + \\sel + 4\n"
    ".endm\n"
    /* case n: note the case, where the handler resumes, and the address of
     * the instruction that may fault (for the comparison of EIP) */
    ".macro case n\n"
    "  movl $\\n, sc_case\n movl $sc_r\\n, sc_resume\n"
    ".endm\n"
    ".macro endcase n\n"
    "sc_r\\n:\n"
    "  mov $0x10, %ax\n mov %ax, %ds\n mov %ax, %es\n"
    ".endm\n"

    ".globl sc_at0, sc_at1, sc_at2, sc_at3, sc_at4, sc_at5, sc_at6, sc_at7, sc_at8, sc_at9\n"
    ".globl sc_at10, sc_at11, sc_at12, sc_at13, sc_at14, sc_at15, sc_at16, sc_at17\n"
    ".globl rm2_isr12, rm2_isr13\n"
    ".section .data\n"
    ".balign 8\n"
    ".globl sc_rec, sc_desc, sc_ss_over, sc_magic, sc_unreal_val, sc_o32_val\n"
    "sc_rec: .fill 24 * 16, 1, 0xff\n"
    "sc_desc: .fill 16 * 8, 1, 0\n"
    "sc_case: .long 0\n"
    "sc_resume: .long 0\n"
    "sc_resume_cs: .long 0\n"
    "sc_ss_over: .long 0\n"
    "sc_magic: .long 0x5a5aa5a5\n"
    "sc_unreal_val: .long 0\n"
    "sc_o32_val: .long 0\n"
    "sc_saved_rsp: .quad 0\n"
    "sc_saved_esp: .long 0\n"
    "sc_saved_idt: .fill 10, 1, 0\n"
    "sc_ptr32: .long sc32\n .word 0x18\n"
    ".text\n"

    ".code64\n"
    ".globl sc_enter\n"
    "sc_enter:\n"
    "  push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
    "  sidt sc_saved_idt(%rip)\n"
    "  mov %rsp, sc_saved_rsp(%rip)\n"
    "  ljmp *sc_ptr32(%rip)\n"

    ".code32\n"
    "sc32:\n"
    "  mov %cr0, %eax\n and $0x7fffffff, %eax\n mov %eax, %cr0\n"
    "  mov $0x10, %ax\n mov %ax, %ds\n mov %ax, %es\n mov %ax, %ss\n"
    "  lidt idt32s_desc\n"

    /* byte-granular expand-up limit 0xfff */
    "  ld_desc 0, 0x50\n mov $0x50, %ax\n"
    "  case 0\n mov %ax, %ds\n"
    "sc_at0: mov 0xffc, %ecx\n"                 /* last dword inside */
    "  endcase 0\n"
    "  case 1\n mov $0x50, %ax\n mov %ax, %ds\n"
    "sc_at1: mov 0xffd, %ecx\n"                 /* its last byte is beyond */
    "  endcase 1\n"
    "  case 2\n mov $0x50, %ax\n mov %ax, %ds\n"
    "sc_at2: movb $1, 0x1000\n"
    "  endcase 2\n"
    /* page-granular: limit field 1 with G is 0x1fff */
    "  ld_desc 1, 0x50\n"
    "  case 3\n mov $0x50, %ax\n mov %ax, %es\n"
    "sc_at3: mov %es:0x1fff, %cl\n"
    "  endcase 3\n"
    "  case 4\n mov $0x50, %ax\n mov %ax, %es\n"
    "sc_at4: mov %es:0x2000, %cl\n"
    "  endcase 4\n"
    /* read-only data: reads work, writes #GP(0) */
    "  ld_desc 2, 0x50\n"
    "  case 5\n mov $0x50, %ax\n mov %ax, %ds\n"
    "sc_at5: mov 0x10, %ecx\n"
    "  endcase 5\n"
    "  case 6\n mov $0x50, %ax\n mov %ax, %ds\n"
    "sc_at6: addl $1, 0x10\n"
    "  endcase 6\n"
    /* expand-down, B = 1, limit 0xfff: offsets 0x1000..0xffffffff */
    "  ld_desc 3, 0x50\n"
    "  case 7\n mov $0x50, %ax\n mov %ax, %ds\n"
    "sc_at7: mov 0xfff, %cl\n"
    "  endcase 7\n"
    "  case 8\n mov $0x50, %ax\n mov %ax, %ds\n"
    "sc_at8: mov 0x1000, %ecx\n"
    "  endcase 8\n"
    /* expand-down, B = 0: the upper bound is 0xffff */
    "  ld_desc 4, 0x50\n"
    "  case 9\n mov $0x50, %ax\n mov %ax, %fs\n"
    "sc_at9: mov %fs:0xfffc, %ecx\n"
    "  endcase 9\n"
    "  case 10\n mov $0x50, %ax\n mov %ax, %fs\n"
    "sc_at10: mov %fs:0xfffe, %ecx\n"
    "  endcase 10\n"
    "  mov $0x10, %ax\n mov %ax, %fs\n"
    /* a null selector in GS: any access #GP(0) */
    "  case 11\n xor %eax, %eax\n mov %ax, %gs\n"
    "sc_at11: mov %gs:0, %ecx\n"
    "  endcase 11\n"
    "  mov $0x10, %ax\n mov %ax, %gs\n"
    /* SS with a page-granular limit just above sc_stack: #SS(0) beyond it,
     * through an SS override and through EBP (SS by default); the handler
     * runs on that stack */
    "  mov %esp, sc_saved_esp\n"
    "  ld_desc 5, 0x58\n"
    "  mov $sc_stack + 4096 - 16, %esp\n mov $0x58, %ax\n mov %ax, %ss\n"
    "  mov sc_ss_over, %ebx\n"
    "  case 12\n"
    "sc_at12: mov %ss:-4(%ebx), %ecx\n"
    "  endcase 12\n"
    "  case 13\n"
    "sc_at13: mov %ss:(%ebx), %ecx\n"
    "  endcase 13\n"
    "  case 14\n mov %ebx, %ebp\n"
    "sc_at14: mov 0(%ebp), %cl\n"
    "  endcase 14\n"
    "  mov $0x10, %ax\n mov %ax, %ss\n mov sc_saved_esp, %esp\n"
    /* CS: readable code reads through an override, writes #GP(0) */
    "  case 15\n"
    "sc_at15: mov %cs:sc_magic, %ecx\n"
    "  endcase 15\n"
    "  case 16\n"
    "sc_at16: mov %ecx, %cs:sc_magic\n"
    "  endcase 16\n"
    /* execute-only code: a read through CS #GP(0) */
    "  ld_desc 6, 0x58\n"
    "  movl $0x18, sc_resume_cs\n"
    "  case 17\n"
    "  ljmp $0x58, $sc_xonly\n"
    "sc_xonly:\n"
    "sc_at17: mov %cs:sc_magic, %ecx\n"
    "  ljmp $0x18, $sc_r17\n"
    "  endcase 17\n"
    /* fetch beyond the CS limit: the code at sc_lim_code with limit 5
     * (NOP at 5 is the first byte beyond), then limit 3 (the 2-byte MOV
     * at 3 crosses it) */
    "  ld_desc 7, 0x58\n"
    "  case 18\n"
    "  ljmp $0x58, $0\n"
    "  endcase 18\n"
    "  ld_desc 8, 0x58\n"
    "  case 19\n"
    "  ljmp $0x58, $0\n"
    "  endcase 19\n"
    /* a near JMP (at offset 0xd) to offset 0x30, beyond limit 0x20: #GP at the JMP */
    "  ld_desc 10, 0x58\n"
    "  case 20\n"
    "  ljmp $0x58, $0xd\n"
    "  endcase 20\n"
    "  movl $0, sc_resume_cs\n"
    /* a far JMP to an offset beyond the new CS limit: #GP(0) at the far JMP */
    "  case 21\n"
    ".globl sc_at21\n sc_at21: ljmp $0x58, $0x30\n"
    "  endcase 21\n"

    /* real mode: 16-bit protected mode at 0x8000, DS keeps its 4 GiB
     * limit (unreal), ES and SS get 64 KiB ones before PE goes off */
    "  ld_desc 9, 0x50\n"
    "  mov %esp, sc_saved_esp\n"
    "  ljmp $0x48, $0x8000\n"
    "sc_from_real:\n"
    "  mov $0x10, %ax\n mov %ax, %ds\n mov %ax, %es\n mov %ax, %ss\n"
    "  mov sc_saved_esp, %esp\n"
    "  mov %cr0, %eax\n or $0x80000000, %eax\n mov %eax, %cr0\n"
    "  ljmp $0x08, $sc_back64\n"

    /* the code run with a CS limit */
    ".globl sc_lim_code\n"
    "sc_lim_code:\n"
    "  nop\n nop\n nop\n"
    "  mov %eax, %eax\n"
    "  nop\n"
    "  ljmp $0x18, $sc_lim_back\n"              /* only without the limit check */
    "  .byte 0xeb, 0x21\n"                      /* offset 0xd: jmp to offset 0x30 */
    "  .fill 0x30 - 0xf, 1, 0x90\n"
    "  ljmp $0x18, $sc_lim_back\n"              /* offset 0x30 */
    "sc_lim_back: jmp *sc_resume\n"

    /* 32-bit handlers: note vector, error code, EIP, CS; resume */
    "sc_isr_common:\n"
    "  push %ds\n push %eax\n push %ebx\n"
    "  mov $0x10, %ax\n mov %ax, %ds\n"
    "  mov sc_case, %ebx\n shl $4, %ebx\n"
    "  mov 12(%esp), %eax\n mov %eax, sc_rec(%ebx)\n"
    "  mov 16(%esp), %eax\n mov %eax, sc_rec+4(%ebx)\n"
    "  mov 20(%esp), %eax\n mov %eax, sc_rec+8(%ebx)\n"
    "  mov 24(%esp), %eax\n mov %eax, sc_rec+12(%ebx)\n"
    "  mov sc_resume, %eax\n mov %eax, 20(%esp)\n"
    "  mov sc_resume_cs, %eax\n test %eax, %eax\n jz 1f\n"
    "  mov %eax, 24(%esp)\n"
    "1:\n"
    "  pop %ebx\n pop %eax\n pop %ds\n"
    "  add $8, %esp\n"
    "  iret\n"
    ".balign 16\n"
    ".globl sc_isr_table\n"
    "sc_isr_table:\n"                           /* 16 bytes per vector 0..19 */
    ".irp v, 0,1,2,3,4,5,6,7,9,15,16,18,19\n"
    "  .balign 16\n  push $0\n push $\\v\n jmp sc_isr_common\n"
    ".endr\n"
    ".irp v, 8,10,11,12,13,14,17\n"
    "  .balign 16\n  push $\\v\n jmp sc_isr_common\n"
    ".endr\n"

    /* the real-mode code (copied to 0x8000, run at CS 0x48 then 0x800);
     * records at 0x7e00 + 8 * case: vector, IP (0xffff: none); 0x7df0:
     * where the handler resumes; 0x7df4: the case */
    ".code16\n"
    ".globl rm2_blob, rm2_blob_end, rm2_isr\n"
    "rm2_blob:\n"
    "  mov $0x10, %ax\n mov %ax, %ds\n"         /* 4 GiB data */
    "  mov $0x50, %ax\n mov %ax, %es\n mov %ax, %ss\n"
    "  mov %cr0, %eax\n and $0xfffffffe, %eax\n mov %eax, %cr0\n"
    "  ljmp $0x0800, $(rm2_real - rm2_blob)\n"
    "rm2_real:\n"
    "  xor %ax, %ax\n mov %ax, %ds\n mov %ax, %es\n mov %ax, %ss\n"
    "  mov $0x7c00, %sp\n"
    "  lidt %cs:(rm2_ivt_desc - rm2_blob)\n"
    /* R0 (case 0): DS reloaded in real mode keeps the 4 GiB limit */
    "  movw $0, 0x7df4\n movw $(rm2_r0 - rm2_blob), 0x7df0\n"
    "  mov %cs:(rm2_magic_at - rm2_blob), %esi\n"
    "  mov (%esi), %eax\n"
    "  mov %eax, 0x7df8\n"
    "rm2_r0:\n"
    /* R1: ES has the 64 KiB limit of protected mode */
    "  movw $1, 0x7df4\n movw $(rm2_r1 - rm2_blob), 0x7df0\n"
    "  mov %es:(%esi), %eax\n"
    "rm2_r1:\n"
    /* R2: a word at ES:0xffff crosses the limit */
    "  movw $2, 0x7df4\n movw $(rm2_r2 - rm2_blob), 0x7df0\n"
    "  mov %es:0xffff, %ax\n"
    "rm2_r2:\n"
    /* R3: SS:0xffff, a word: #SS */
    "  movw $3, 0x7df4\n movw $(rm2_r3 - rm2_blob), 0x7df0\n"
    "  mov %ss:0xffff, %ax\n"
    "rm2_r3:\n"
    /* R4: 32-bit operand and address size in real mode */
    "  movw $4, 0x7df4\n movw $(rm2_r4 - rm2_blob), 0x7df0\n"
    "  mov $0x12345678, %eax\n"
    "  mov $0x7dfc, %ebx\n"
    "  mov %eax, (%ebx)\n"
    "rm2_r4:\n"
    /* the x87 environment in the real-mode formats: FNSTENV 16-bit at
     * 0x7d00, 32-bit (66) at 0x7d20, after FDIVP (DE F9: 1/0, ZE masked) */
    "  fninit\n fld1\n fldz\n"
    ".globl rm2_fdivp\n"
    "rm2_fdivp: .byte 0xde, 0xf9\n"
    "  fnstenv 0x7d00\n"
    "  data32 fnstenv 0x7d20\n"
    /* FNSAVE/FRSTOR in the real-mode formats: 16-bit image at 0x7c00,
     * 32-bit (66) at 0x7c60; FCW/FSW after each at 0x7d42..0x7d49; the
     * three registers, popped, at 0x7d50/0x7d5a/0x7d64 and FSW at 0x7d4a;
     * then FRSTOR of the 16-bit image main() wrote at 0x7b00: FCW at
     * 0x7d4c, FNSTENV at 0x7d70, ST(0) at 0x7d80 */
    "  fninit\n movw $0x0b7f, 0x7d40\n fldcw 0x7d40\n"
    "  fld1\n fldz\n fld1\n fdiv %st(1), %st\n"
    "  fnsave 0x7c00\n fnstcw 0x7d42\n fnstsw 0x7d44\n"
    "  frstor 0x7c00\n fnstcw 0x7d46\n fnstsw 0x7d48\n"
    "  data32 fnsave 0x7c60\n data32 frstor 0x7c60\n"
    "  fstpt 0x7d50\n fstpt 0x7d5a\n fstpt 0x7d64\n fnstsw 0x7d4a\n"
    "  frstor 0x7b00\n fnstcw 0x7d4c\n fnstenv 0x7d70\n fstpt 0x7d80\n"
    "  fninit\n"
    "  mov %cr0, %eax\n or $1, %eax\n mov %eax, %cr0\n"
    "  ljmpl $0x18, $sc_from_real\n"
    "rm2_isr:\n"                                /* [bp+2] IP */
    "  push %bp\n mov %sp, %bp\n push %ax\n push %bx\n"
    "  mov 0x7df4, %bx\n shl $3, %bx\n"
    "  mov 0x7df6, %ax\n mov %ax, 0x7e00(%bx)\n"
    "  mov 2(%bp), %ax\n mov %ax, 0x7e02(%bx)\n"
    "  mov 0x7df0, %ax\n mov %ax, 2(%bp)\n"
    "  pop %bx\n pop %ax\n pop %bp\n"
    "  iret\n"
    "rm2_isr12: movw $12, 0x7df6\n jmp rm2_isr\n"
    "rm2_isr13: movw $13, 0x7df6\n jmp rm2_isr\n"
    "rm2_ivt_desc: .word 0x3ff\n .long 0\n"
    "rm2_magic_at: .long sc_magic\n"
    "rm2_blob_end:\n"

    ".code64\n"
    "sc_back64:\n"
    "  mov $0x10, %ax\n mov %ax, %ds\n mov %ax, %es\n mov %ax, %ss\n"
    "  mov sc_saved_rsp(%rip), %rsp\n"
    "  lidt sc_saved_idt(%rip)\n"
    "  pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
    "  ret\n");

extern char sc_isr_table[], rm2_isr12[], rm2_isr13[], rm2_fdivp[];
extern char sc_at0[], sc_at1[], sc_at2[], sc_at3[], sc_at4[], sc_at5[], sc_at6[], sc_at7[],
    sc_at8[], sc_at9[], sc_at10[], sc_at11[], sc_at12[], sc_at13[], sc_at14[], sc_at15[],
    sc_at16[], sc_at17[], sc_at21[];

/* A code/data descriptor: 20-bit limit, access byte, flags G (8) D/B (4). */
static uint64_t desc(uint32_t base, uint32_t limit20, unsigned access, unsigned flags)
{
    return (limit20 & 0xffff) | ((uint64_t)(base & 0xffffff) << 16) | ((uint64_t)access << 40)
         | ((uint64_t)((limit20 >> 16) & 0xf) << 48) | ((uint64_t)flags << 52)
         | ((uint64_t)(base >> 24) << 56);
}

/* What the SDM says each case does: no fault, or vector 13/12 with error 0. */
static void expect(unsigned i, bool limit_only, const char *what, uint32_t vec, char *at)
{
    volatile struct sc_rec *r = &sc_rec[i];
    uint32_t eip = (uint32_t)(uintptr_t)at;

    if (vec == NONE)
        reportf(r->vec == NONE, "%s%s: no fault (vector %x)", limit_only ? "limit: " : "",
                what, r->vec);
    else
        reportf(r->vec == vec && r->err == 0 && r->eip == eip,
                "%s%s: vector %u error %x, EIP %s", limit_only ? "limit: " : "", what, r->vec,
                r->err, r->eip == eip ? "at the access" : "wrong");
}

/* an 80-bit register image: sign/exponent and mantissa */
static void put80(volatile uint8_t *p, uint16_t se, uint64_t mant)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(mant >> (8 * i));
    p[8] = (uint8_t)se, p[9] = (uint8_t)(se >> 8);
}

static bool is80(volatile const uint8_t *p, uint16_t se, uint64_t mant)
{
    uint64_t m = 0;

    for (int i = 0; i < 8; i++)
        m |= (uint64_t)p[i] << (8 * i);
    return m == mant && (p[8] | p[9] << 8) == se;
}

#define THIRD_SE 0x3ffd
#define THIRD_M 0xaaaaaaaaaaaaaaabull

/* The 16-bit real-mode FRSTOR image at 0x7b00: FCW 0x0e7f (round toward
 * zero, 53 bits), TOP 6, physical registers 6 and 7 in use: ST(0) = 1/3,
 * ST(1) = 2.0 (SDM vol. 1, figure 8-9 and 8.1.10) */
static void prepare_rm_frstor(void)
{
    volatile uint8_t *img = (volatile uint8_t *)(uintptr_t)0x7b00;
    volatile uint16_t *w = (volatile uint16_t *)img;

    for (unsigned i = 0; i < 94; i++)
        img[i] = 0;
    w[0] = 0x0e7f, w[1] = 0x3000, w[2] = 0x0fff;
    put80(img + 14, THIRD_SE, THIRD_M);
    put80(img + 24, 0x4000, 1ull << 63);
}

/* FNSAVE/FRSTOR in real mode (the code after the real-mode FNSTENV) */
static void check_rm_fsave(void)
{
    volatile uint8_t *i16 = (volatile uint8_t *)(uintptr_t)0x7c00;
    volatile uint8_t *i32 = (volatile uint8_t *)(uintptr_t)0x7c60;
    volatile uint16_t *w16 = (volatile uint16_t *)i16, *w32 = (volatile uint16_t *)i32;
    volatile uint16_t *r = (volatile uint16_t *)(uintptr_t)0x7d40;
    volatile uint8_t *st = (volatile uint8_t *)(uintptr_t)0x7d50;
    volatile uint16_t *env = (volatile uint16_t *)(uintptr_t)0x7d70;

    printf("real-mode FNSAVE: 16-bit fcw %04x fsw %04x ftw %04x, 32-bit fcw %04x fsw %04x "
           "ftw %04x; after FNSAVE %04x %04x, after FRSTOR %04x %04x\n", w16[0], w16[1], w16[2],
           w32[0], w32[2], w32[4], r[1], r[2], r[3], r[4]);
    reportf(w16[0] == 0x0b7f && (w16[1] & 0x3804) == 0x2804 && w16[2] == 0x1bff,
            "real-mode 16-bit FNSAVE: FCW, FSW (TOP 5, ZE), tag word (valid, zero, special)");
    reportf(is80(i16 + 14, 0x7fff, 1ull << 63) && is80(i16 + 24, 0, 0)
            && is80(i16 + 34, 0x3fff, 1ull << 63),
            "real-mode 16-bit FNSAVE: ST(0..2) = inf, 0, 1 at offset 14");
    reportf(r[1] == 0x037f && r[2] == 0, "real-mode FNSAVE reinitializes (FCW %04x FSW %04x)",
            r[1], r[2]);
    reportf(r[3] == 0x0b7f && (r[4] & 0x3804) == 0x2804,
            "real-mode 16-bit FRSTOR: FCW and FSW back (%04x %04x)", r[3], r[4]);
    reportf(w32[0] == 0x0b7f && w32[2] == w16[1] && w32[4] == 0x1bff
            && is80(i32 + 28, 0x7fff, 1ull << 63) && is80(i32 + 38, 0, 0)
            && is80(i32 + 48, 0x3fff, 1ull << 63),
            "real-mode 32-bit FNSAVE after the 16-bit FRSTOR: the same state, registers at 28");
    reportf(is80(st, 0x7fff, 1ull << 63) && is80(st + 10, 0, 0) && is80(st + 20, 0x3fff, 1ull << 63)
            && (r[5] & 0x3800) == 0,
            "real-mode 32-bit FRSTOR: ST(0..2) popped as saved, TOP back to 0 (FSW %04x)", r[5]);
    printf("real-mode FRSTOR of a written image: fcw %04x fsw %04x ftw %04x\n", r[6], env[1],
           env[2]);
    reportf(r[6] == 0x0e7f && (env[1] & 0x3800) == 0x3000 && env[2] == 0x0fff,
            "real-mode 16-bit FRSTOR of a written image: FCW, TOP 6, tag word (two valid)");
    reportf(is80(st + 0x30, THIRD_SE, THIRD_M), "real-mode 16-bit FRSTOR: ST(0) = the image's 1/3");
}

int main(void)
{
    uint32_t b = (uint32_t)(uintptr_t)buf;

    /* the stubs' order in sc_isr_table: without an error code, then with one */
    static const uint8_t slot[20] = { 0, 1, 2, 3, 4, 5, 6, 7, 13, 8, 14, 15, 16, 17, 18, 9,
                                      10, 19, 11, 12 };
    for (unsigned v = 0; v < 20; v++) {
        uint32_t off = (uint32_t)(uintptr_t)sc_isr_table + 16u * slot[v];
        idt32s[v] = (off & 0xffff) | (0x18ull << 16) | (0x8eull << 40)
                  | ((uint64_t)(off >> 16) << 48);
    }
    idt32s_desc.limit = sizeof idt32s - 1;
    idt32s_desc.base = (uint32_t)(uintptr_t)idt32s;

    sc_desc[0] = desc(b, 0xfff, 0x93, 4);               /* data RW, limit 0xfff */
    sc_desc[1] = desc(b, 1, 0x93, 0xc);                 /* data RW, G: limit 0x1fff */
    sc_desc[2] = desc(b, 0xffff, 0x91, 4);              /* data read-only */
    sc_desc[3] = desc(b + 0x10000 - 0x1000, 0xfff, 0x97, 4); /* expand-down, B */
    sc_desc[4] = desc(b, 0xfff, 0x97, 0);               /* expand-down, upper 0xffff */
    uint32_t stack_end = (uint32_t)(uintptr_t)sc_stack + 4096;
    sc_desc[5] = desc(0, (stack_end >> 12) - 1, 0x93, 0xc); /* SS: limit = stack_end - 1 */
    sc_ss_over = stack_end;
    sc_desc[6] = desc(0, 0xfffff, 0x99, 0xc);           /* execute-only code */
    uint32_t lc = (uint32_t)(uintptr_t)sc_lim_code;
    sc_desc[7] = desc(lc, 4, 0x9b, 4);                  /* code, limit 4 */
    sc_desc[8] = desc(lc, 3, 0x9b, 4);                  /* code, limit 3 */
    sc_desc[9] = desc(0, 0xffff, 0x93, 0);              /* 64 KiB data for real mode */
    sc_desc[10] = desc(lc, 0x20, 0x9b, 4);              /* code, limit 0x20 */

    /* real mode: the code at 0x8000, IVT entries 12 and 13, 64 KiB data at 0x50 for ES/SS */
    map_page(0, 0, true, true, false);
    memcpy((void *)(uintptr_t)RM_BASE, rm2_blob, (size_t)(rm2_blob_end - rm2_blob));
    uintptr_t ivt_at = 0;
    __asm__("" : "+r"(ivt_at));                 /* the IVT is at address 0: hide that from gcc */
    volatile uint32_t *ivt = (volatile uint32_t *)ivt_at;
    ivt[12] = 0x08000000u | (uint16_t)(rm2_isr12 - rm2_blob);
    ivt[13] = 0x08000000u | (uint16_t)(rm2_isr13 - rm2_blob);
    volatile uint16_t *rm = (volatile uint16_t *)(uintptr_t)0x7e00;
    for (unsigned i = 0; i < 20; i++)
        rm[i] = 0xffff;
    *(volatile uint32_t *)(uintptr_t)0x7df8 = 0;
    *(volatile uint32_t *)(uintptr_t)0x7dfc = 0;
    uint64_t saved50 = gdt[SPARE_SEL / 8], saved58 = gdt[0x58 / 8];

    prepare_rm_frstor();
    ((void (*)(void))sc_enter)();

    expect(0, false, "expand-up limit 0xfff: dword at 0xffc", NONE, sc_at0);
    expect(1, true, "expand-up limit 0xfff: dword at 0xffd", 13, sc_at1);
    expect(2, true, "expand-up limit 0xfff: byte write at 0x1000", 13, sc_at2);
    expect(3, false, "page-granular limit 0x1fff: byte at 0x1fff through ES", NONE, sc_at3);
    expect(4, true, "page-granular limit 0x1fff: byte at 0x2000 through ES", 13, sc_at4);
    expect(5, false, "read-only data: read", NONE, sc_at5);
    expect(6, true, "read-only data: read-modify-write", 13, sc_at6);
    expect(7, true, "expand-down B=1 limit 0xfff: byte at 0xfff", 13, sc_at7);
    expect(8, false, "expand-down B=1 limit 0xfff: dword at 0x1000", NONE, sc_at8);
    expect(9, false, "expand-down B=0: dword at 0xfffc through FS", NONE, sc_at9);
    expect(10, true, "expand-down B=0: dword at 0xfffe through FS", 13, sc_at10);
    expect(11, true, "null selector in GS: read", 13, sc_at11);
    expect(12, false, "SS limit: last dword", NONE, sc_at12);
    expect(13, true, "SS limit: dword beyond through SS override (#SS)", 12, sc_at13);
    expect(14, true, "SS limit: byte beyond through EBP (#SS)", 12, sc_at14);
    expect(15, false, "readable code: read through CS", NONE, sc_at15);
    expect(16, true, "code segment: write through CS", 13, sc_at16);
    {
        volatile struct sc_rec *r = &sc_rec[17];
        reportf(r->vec == 13 && r->err == 0 && r->eip == (uint32_t)(uintptr_t)sc_at17
                && r->cs == 0x58, "limit: execute-only code: read through CS: vector %u, CS %x",
                r->vec, r->cs & 0xffff);
    }
    reportf(sc_rec[18].vec == 13 && sc_rec[18].err == 0 && sc_rec[18].eip == 5
            && (sc_rec[18].cs & 0xffff) == 0x58,
            "limit: fetch beyond the CS limit: vector %u error %x EIP %x CS %x", sc_rec[18].vec,
            sc_rec[18].err, sc_rec[18].eip, sc_rec[18].cs & 0xffff);
    reportf(sc_rec[19].vec == 13 && sc_rec[19].err == 0 && sc_rec[19].eip == 3
            && (sc_rec[19].cs & 0xffff) == 0x58,
            "limit: instruction crossing the CS limit: vector %u error %x EIP %x CS %x",
            sc_rec[19].vec, sc_rec[19].err, sc_rec[19].eip, sc_rec[19].cs & 0xffff);

    reportf(sc_rec[20].vec == 13 && sc_rec[20].err == 0 && sc_rec[20].eip == 0xd
            && (sc_rec[20].cs & 0xffff) == 0x58,
            "limit: near JMP to a target beyond the CS limit: vector %u, EIP %x (the JMP)",
            sc_rec[20].vec, sc_rec[20].eip);
    reportf(sc_rec[21].vec == 13 && sc_rec[21].err == 0
            && sc_rec[21].eip == (uint32_t)(uintptr_t)sc_at21 && (sc_rec[21].cs & 0xffff) == 0x18,
            "far JMP to an offset beyond the new CS limit: vector %u error %x, EIP %s",
            sc_rec[21].vec, sc_rec[21].err,
            sc_rec[21].eip == (uint32_t)(uintptr_t)sc_at21 ? "at the JMP" : "wrong");
    uint32_t unreal = *(volatile uint32_t *)(uintptr_t)0x7df8;
    reportf(rm[0] == 0xffff && unreal == sc_magic,
            "unreal mode: DS reloaded in real mode keeps its 4 GiB limit (read %x, event %x)",
            unreal, rm[0]);
    reportf(rm[4] == 13, "limit: real mode: ES keeps the 64 KiB limit of protected mode (#GP: %x)",
            rm[4]);
    reportf(rm[8] == 13, "limit: real mode: word at ES:0xffff (#GP: %x)", rm[8]);
    reportf(rm[12] == 12, "limit: real mode: word at SS:0xffff (#SS: %x)", rm[12]);
    reportf(rm[16] == 0xffff && *(volatile uint32_t *)(uintptr_t)0x7dfc == 0x12345678,
            "real mode: 32-bit operand and address size (%x)",
            *(volatile uint32_t *)(uintptr_t)0x7dfc);
    /* real-mode FNSTENV: the words QEMU stores too, then FIP (linear) and FOP */
    volatile uint16_t *e16 = (volatile uint16_t *)(uintptr_t)0x7d00;
    volatile uint32_t *e32 = (volatile uint32_t *)(uintptr_t)0x7d20;
    uint32_t fip = RM_BASE + (uint32_t)(rm2_fdivp - rm2_blob);
    printf("real-mode FNSTENV: 16-bit fcw %04x fsw %04x ftw %04x, 32-bit fcw %04x fsw %04x "
           "ftw %04x\n", e16[0], e16[1], e16[2], e32[0] & 0xffff, e32[1] & 0xffff,
           e32[2] & 0xffff);
    reportf(e16[0] == 0x037f && (e16[1] & 0x3804) == 0x3804 && e16[2] == 0xbfff
            && (e32[0] & 0xffff) == 0x037f && (e32[1] & 0xffff) == e16[1]
            && (e32[2] & 0xffff) == 0xbfff,
            "real-mode FNSTENV (16- and 32-bit): FCW, FSW (TOP 7, ZE), tag word (ST(0) special)");
    reportf(e16[3] == (uint16_t)fip && e16[4] == (((fip >> 4) & 0xf000) | 0x6f9)
            && (e32[3] & 0xffff) == (fip & 0xffff) && e32[4] == (((fip >> 4) & 0x0ffff000) | 0x6f9),
            "sdm: real-mode FNSTENV: FIP %x as the linear address, FOP 6f9 (%04x %04x / %08x %08x)",
            fip, e16[3], e16[4], e32[3], e32[4]);
    check_rm_fsave();
    gdt[SPARE_SEL / 8] = saved50;
    gdt[0x58 / 8] = saved58;
    report_done();
}
