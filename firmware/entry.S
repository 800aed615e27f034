/*
 * firmware/entry.S: multiboot v1 entry of the guest runtime.  Starts in
 * 32-bit protected mode (Multiboot spec 3.2), identity-maps the first
 * 4 GiB with 2 MiB pages, enables PAE + long mode + NX + paging, loads the
 * runtime's GDT and continues in 64-bit code with a stack; then calls
 * runtime_start() (runtime.c).  Also holds the 256 IDT entry stubs.
 */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x0

    .section .multiboot, "a"
    .align 4
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)

    .section .bss
    .align 4096
    .globl pml4, pdpt
pml4:   .skip 4096
pdpt:   .skip 4096
pd:     .skip 4096 * 4
    .globl stack_top, ist1_top, ist2_top
stack:  .skip 65536
stack_top:
ist1:   .skip 16384
ist1_top:
ist2:   .skip 16384
ist2_top:
    .globl mb_info_addr, mb_magic
mb_info_addr: .skip 8
mb_magic: .skip 8

    .section .text
    .code32
    .globl _start
_start:
    cli
    movl %eax, mb_magic
    movl %ebx, mb_info_addr
    /* PML4[0] -> PDPT, PDPT[0..3] -> PD[0..3], PD: 2 MiB pages */
    movl $pdpt, %eax
    orl $0x3, %eax
    movl %eax, pml4
    xorl %ecx, %ecx
1:  movl %ecx, %eax
    shll $12, %eax
    addl $pd, %eax
    orl $0x3, %eax
    movl %eax, pdpt(,%ecx,8)
    incl %ecx
    cmpl $4, %ecx
    jne 1b
    xorl %ecx, %ecx
2:  movl %ecx, %eax
    shll $21, %eax
    orl $0x83, %eax
    movl %eax, pd(,%ecx,8)
    movl %ecx, %eax
    shrl $11, %eax
    movl %eax, pd+4(,%ecx,8)
    incl %ecx
    cmpl $2048, %ecx
    jne 2b
    /* CR4.PAE, CR3, EFER.LME|NXE|SCE, CR0.PG|WP */
    movl %cr4, %eax
    orl $0x20, %eax
    movl %eax, %cr4
    movl $pml4, %eax
    movl %eax, %cr3
    movl $0xc0000080, %ecx
    rdmsr
    orl $0x901, %eax
    wrmsr
    movl %cr0, %eax
    orl $0x80010001, %eax
    movl %eax, %cr0
    lgdt gdt_desc32
    ljmp $0x08, $start64

    .code64
start64:
    movl $0x10, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    movl %eax, %fs
    movl %eax, %gs
    movabsq $stack_top, %rsp
    xorl %ebp, %ebp
    /*
     * x87 and SSE as a kernel sets them up (SDM vol. 3, 13.1.3 and 9.6):
     * CR0.MP = 1, CR0.EM = 0, CR0.NE = 1 (native #MF), CR4.OSFXSR = 1,
     * CR4.OSXMMEXCPT = 1 (#XM for unmasked SIMD exceptions), FNINIT,
     * MXCSR = 0x1f80 (all exceptions masked, round to nearest).
     */
    movq %cr0, %rax
    andq $~0x4, %rax
    orq $0x22, %rax
    movq %rax, %cr0
    movq %cr4, %rax
    orq $0x600, %rax
    movq %rax, %cr4
    fninit
    ldmxcsr mxcsr_init(%rip)
    call runtime_start
3:  cli
    hlt
    jmp 3b

    .section .data
mxcsr_init:
    .long 0x1f80
    .align 16
    .globl gdt
gdt:
    .quad 0                     /* 0x00 null */
    .quad 0x00af9b000000ffff    /* 0x08 kernel code 64 */
    .quad 0x00cf93000000ffff    /* 0x10 kernel data */
    .quad 0x00cf9b000000ffff    /* 0x18 kernel code 32 */
    .quad 0x00cffb000000ffff    /* 0x20 user code 32 */
    .quad 0x00cff3000000ffff    /* 0x28 user data */
    .quad 0x00affb000000ffff    /* 0x30 user code 64 */
    .quad 0, 0                  /* 0x38 TSS (filled at run time) */
    .quad 0x00009b000000ffff    /* 0x48 16-bit code, base 0 */
    .quad 0x00cf93000000ffff    /* 0x50 spare data, test-adjustable */
    .quad 0x00cf93000000ffff    /* 0x58 spare data */
    .quad 0, 0                  /* 0x60 spare system descriptor (16 bytes) */
gdt_end:
    .globl gdt_desc
gdt_desc32:
    .word gdt_end - gdt - 1
    .long gdt
gdt_desc:
    .word gdt_end - gdt - 1
    .quad gdt

/* ---- IDT stubs: push (dummy) error code and vector, then common path ---- */
    .section .text
    .code64
.macro stub vec
    .align 16
    .if (\vec == 8 || (\vec >= 10 && \vec <= 14) || \vec == 17 || \vec == 21)
    .else
    pushq $0
    .endif
    pushq $\vec
    jmp isr_common
.endm

    .align 16
    .globl isr_stubs
isr_stubs:
    .altmacro
    .set i, 0
    .rept 256
    stub %i
    .set i, i + 1
    .endr

isr_common:
    /* frame layout: see struct frame in runtime.h */
    pushq %r15
    pushq %r14
    pushq %r13
    pushq %r12
    pushq %r11
    pushq %r10
    pushq %r9
    pushq %r8
    pushq %rdi
    pushq %rsi
    pushq %rbp
    pushq %rbx
    pushq %rdx
    pushq %rcx
    pushq %rax
    cld
    movq %rsp, %rdi
    movq %rsp, %rbx
    andq $-16, %rsp
    call exception_dispatch
    movq %rbx, %rsp
    popq %rax
    popq %rcx
    popq %rdx
    popq %rbx
    popq %rbp
    popq %rsi
    popq %rdi
    popq %r8
    popq %r9
    popq %r10
    popq %r11
    popq %r12
    popq %r13
    popq %r14
    popq %r15
    addq $16, %rsp
    iretq
    .section .note.GNU-stack, "", @progbits
