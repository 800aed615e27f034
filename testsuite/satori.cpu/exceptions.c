/* Every exception the CPU issue lists, with vector, error code and RIP:
 * #DB (single-step) #BP #OF #BR #UD #NM #DF #TS #NP #GP (SDM vol. 3 ch. 6).
 * #DE is in muldiv.c, #PF in pagefault.c, #SS and #AC in exc-hw.c, triple
 * fault in triple.c. */
#include "runtime.h"

#include "exc-common.h"

extern char compat_into[], compat_bound[], ud_site[], bp_after[];

__asm__(".code32\n"
        "compat_into:\n"
        "  movl $0x7fffffff, %eax\n"
        "  addl $1, %eax\n"        /* OF = 1 */
        "  into\n"
        "  lret\n"
        "compat_bound:\n"
        "  movl $20, %eax\n"
        "  bound %eax, (%ebx)\n"
        "  lret\n"
        ".code64\n");

static int32_t bounds[2] = { 0, 10 };

int main(void)
{
    for (int v = 0; v < 20; v++)
        handle_exception(v, handler);

    skip = 0;
    __asm__ volatile("int3\n.globl bp_after\nbp_after:");
    EXPECT("#BP from int3", 3, 0);
    reportf(seen_rip == (uint64_t)bp_after, "#BP is a trap: saved RIP after int3");

    skip = 2;
    __asm__ volatile(".globl ud_site\nud_site: ud2");
    EXPECT("#UD from ud2", 6, 0);
    reportf(seen_rip == (uint64_t)ud_site, "#UD is a fault: saved RIP at ud2");


    seen_count = 0;
    __asm__ volatile("pushf; orl $0x100, (%%rsp); popf; nop; nop" ::: "memory", "cc");
    EXPECT("#DB from single-step", 1, 0);
    reportf(seen_count == 1, "single-step traps once (%lu)", seen_count);

    struct { uint32_t off; uint16_t sel; } __attribute__((packed)) fp = {
        (uint32_t)(uint64_t)compat_into, KERNEL_CS32 };
    skip = 0;
    __asm__ volatile("lcall *%0" :: "m"(fp) : "rax", "memory", "cc");
    EXPECT("#OF from into (compatibility mode)", 4, 0);

    fp.off = (uint32_t)(uint64_t)compat_bound;
    skip = 2;
    __asm__ volatile("lcall *%0" :: "m"(fp), "b"(bounds) : "rax", "memory", "cc");
    EXPECT("#BR from bound (compatibility mode)", 5, 0);

    skip = 2;
    write_cr0(read_cr0() | 8); /* CR0.TS */
    __asm__ volatile("fninit");
    EXPECT("#NM from x87 with CR0.TS", 7, 0);

    skip = 3;
    __asm__ volatile("movq (%0), %%rax" :: "r"(0x8000000000000000ul) : "rax");
    EXPECT("#GP from a non-canonical address", 13, 0);

    skip = 2;
    gdt[SPARE_SEL / 8] &= ~(1ul << 47); /* not present */
    __asm__ volatile("mov %0, %%ds" :: "r"(SPARE_SEL));
    EXPECT("#NP loading a not-present segment", 11, SPARE_SEL);
    gdt[SPARE_SEL / 8] |= 1ul << 47;
    __asm__ volatile("mov %0, %%ds" :: "r"(KERNEL_DS));

    skip = 3;
    idt_set_present(13, false);
    __asm__ volatile("movq (%0), %%rax" :: "r"(0x8000000000000000ul) : "rax");
    EXPECT("#DF from #GP with a not-present #GP gate", 8, 0);

    /* #TS: a TSS whose limit does not reach IST1 (SDM 6.14.5): an event
     * through an IST-1 gate faults with the TSS selector */
    gdt[SPARE_SYS_SEL / 8] = (gdt[TSS_SEL / 8] & ~0xffffull & ~(0xfull << 48)) | 0x23;
    gdt[SPARE_SYS_SEL / 8] &= ~(0x2ull << 40);          /* available, not busy */
    gdt[SPARE_SYS_SEL / 8 + 1] = gdt[TSS_SEL / 8 + 1];
    __asm__ volatile("ltr %w0" :: "r"(SPARE_SYS_SEL));
    idt_set_ist(6, 1);
    skip = 2;
    seen_vec = 0;
    __asm__ volatile("ud2");
    EXPECT("#TS from an IST slot beyond the TSS limit", 10, SPARE_SYS_SEL);
    idt_set_ist(6, 0);
    gdt[TSS_SEL / 8] &= ~(0x2ull << 40);                /* the runtime's TSS: available again */
    __asm__ volatile("ltr %w0" :: "r"(TSS_SEL));

    report_done();
}
