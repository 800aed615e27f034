/*
 * firmware/runtime.c: guest runtime (serial printf, exceptions, exit,
 * reporting, page and user-mode helpers).  See runtime.h.
 */
#include "runtime.h"

#define COM1 0x3f8

extern char isr_stubs[];
extern char ist1_top[], ist2_top[], stack_top[];
extern uint64_t pml4[], pdpt[];
extern struct { uint16_t limit; uint64_t base; } __attribute__((packed)) gdt_desc;

static struct idt_entry {
    uint16_t off_lo, sel;
    uint8_t ist, type;
    uint16_t off_mid;
    uint32_t off_hi, zero;
} __attribute__((packed)) idt[256];

static struct {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3, iomap_base;
} __attribute__((packed)) tss;

static exception_fn handlers[256];
static char kstack0[16384] __attribute__((aligned(16)));
int report_failures;
static int report_passes;

void *memset(void *d, int c, size_t n)
{
    unsigned char *p = d;
    while (n--)
        *p++ = (unsigned char)c;
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    unsigned char *p = d;
    const unsigned char *q = s;
    while (n--)
        *p++ = *q++;
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *p = a, *q = b;
    for (; n; n--, p++, q++)
        if (*p != *q)
            return *p - *q;
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

void putchar_serial(char c)
{
    if (c == '\n')
        putchar_serial('\r');
    while (!(inb(COM1 + 5) & 0x20))
        ;
    outb(COM1, (uint8_t)c);
}

void puts_serial(const char *s)
{
    while (*s)
        putchar_serial(*s++);
}

static void put_num(uint64_t v, unsigned base, int width, char pad, bool neg, bool upper)
{
    char buf[32];
    int n = 0;
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";

    do {
        buf[n++] = digits[v % base];
        v /= base;
    } while (v);
    if (neg)
        buf[n++] = '-';
    while (n < width)
        buf[n++] = pad;
    while (n)
        putchar_serial(buf[--n]);
}

int vprintf(const char *fmt, va_list ap)
{
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            putchar_serial(*fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0, longs = 0;
        if (*fmt == '0') {
            pad = '0';
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l') {
            longs++;
            fmt++;
        }
        switch (*fmt) {
        case 'd': {
            int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
            put_num(v < 0 ? (uint64_t)-v : (uint64_t)v, 10, width, pad, v < 0, false);
            break;
        }
        case 'u':
            put_num(longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, width, pad, false, false);
            break;
        case 'x': case 'X':
            put_num(longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, width, pad, false,
                    *fmt == 'X');
            break;
        case 'p':
            puts_serial("0x");
            put_num((uint64_t)va_arg(ap, void *), 16, 16, '0', false, false);
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            puts_serial(s ? s : "(null)");
            break;
        }
        case 'c':
            putchar_serial((char)va_arg(ap, int));
            break;
        case '%':
            putchar_serial('%');
            break;
        default:
            putchar_serial('?');
            break;
        }
    }
    return 0;
}

int printf(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    return 0;
}

void exit(int code)
{
    outl(0xf4, (uint32_t)code);
    for (;;)
        __asm__ volatile("cli; hlt");
}

void report(const char *name, bool ok)
{
    printf("%s: %s\n", ok ? "PASS" : "FAIL", name);
    if (ok)
        report_passes++;
    else
        report_failures++;
}

void reportf(bool ok, const char *fmt, ...)
{
    va_list ap;

    printf("%s: ", ok ? "PASS" : "FAIL");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    if (ok)
        report_passes++;
    else
        report_failures++;
}

void report_done(void)
{
    printf("SUMMARY: %d passed, %d failed\n", report_passes, report_failures);
    exit(report_failures ? 1 : 0);
}

void handle_exception(int vector, exception_fn fn)
{
    handlers[vector & 255] = fn;
}

/* #GP from the RDMSR/WRMSR of rdmsr_nofault()/wrmsr_nofault(): skip it. */
static volatile bool msr_faulted;

static void msr_gp(struct frame *f)
{
    const uint8_t *ip = (const uint8_t *)f->rip;

    if (ip[0] != 0x0f || (ip[1] != 0x30 && ip[1] != 0x32)) {
        printf("unexpected #GP at %lx\n", f->rip);
        exit(3);
    }
    msr_faulted = true;
    f->rip += 2;
}

bool rdmsr_nofault(uint32_t msr, uint64_t *v)
{
    exception_fn old = handlers[13];
    uint32_t lo = 0, hi = 0;

    handlers[13] = msr_gp;
    msr_faulted = false;
    __asm__ volatile("rdmsr" : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
    handlers[13] = old;
    *v = lo | (uint64_t)hi << 32;
    return !msr_faulted;
}

bool wrmsr_nofault(uint32_t msr, uint64_t v)
{
    exception_fn old = handlers[13];

    handlers[13] = msr_gp;
    msr_faulted = false;
    __asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
    handlers[13] = old;
    return !msr_faulted;
}

void exception_dispatch(struct frame *f)
{
    exception_fn fn = handlers[f->vector & 255];

    if (fn) {
        fn(f);
        return;
    }
    printf("unhandled exception %lu error %lx at %lx (cs %lx)\n", f->vector, f->error, f->rip,
           f->cs);
    exit(3);
}

const char *multiboot_cmdline(void)
{
    const uint32_t *mbi = (const uint32_t *)mb_info_addr;

    if (!mbi || !(mbi[0] & 4))
        return "";
    return (const char *)(uint64_t)mbi[4];
}

static uint64_t pt_pool[16][512] __attribute__((aligned(4096)));
static int pt_used;

void map_page(uint64_t va, uint64_t pa, bool present, bool writable, bool user)
{
    uint64_t *pd = (uint64_t *)(pdpt[(va >> 30) & 3] & ~0xfffull);
    uint64_t *pde = &pd[(va >> 21) & 511];

    if (*pde & 0x80) {
        /* split the 2 MiB page into 4 KiB pages */
        uint64_t *pt = pt_pool[pt_used++];
        uint64_t base = *pde & ~0x1fffffull;
        for (int i = 0; i < 512; i++)
            pt[i] = (base + ((uint64_t)i << 12)) | 0x3;
        *pde = (uint64_t)pt | 0x7;
    }
    *pde |= user ? 0x4 : 0;
    uint64_t *pt = (uint64_t *)(*pde & ~0xfffull);
    pt[(va >> 12) & 511] = present ? (pa & ~0xfffull) | 1 | (writable ? 2 : 0) | (user ? 4 : 0) : 0;
    if (user) {
        pml4[0] |= 4;
        pdpt[(va >> 30) & 3] |= 4;
    }
    invlpg((void *)va);
}

static uint64_t user_return_rsp;
static char user_stack[8192] __attribute__((aligned(4096)));

static void user_exit_handler(struct frame *f)
{
    /* INT 0x80 from user mode: back to run_user's caller at CPL 0 */
    (void)f;
    __asm__ volatile("mov %0, %%rsp; ret" :: "r"(user_return_rsp));
}

/* user-mode entry on its own page: call *%rdi, then INT 0x80 */
__asm__(".balign 4096\n"
        "user_entry:\n"
        "  call *%rdi\n"
        "  int $0x80\n"
        ".balign 4096\n");
extern char user_entry[];

void run_user(void (*fn)(void))
{
    map_page((uint64_t)user_entry, (uint64_t)user_entry, true, false, true);
    for (uint64_t p = (uint64_t)fn & ~0xfffull; p <= ((uint64_t)fn & ~0xfffull) + 0x1000; p += 0x1000)
        map_page(p, p, true, false, true);
    for (uint64_t p = (uint64_t)user_stack; p < (uint64_t)user_stack + sizeof user_stack; p += 0x1000)
        map_page(p, p, true, true, true);
    handle_exception(0x80, user_exit_handler);
    /* gate 0x80 callable from CPL 3 */
    idt[0x80].type = 0xee;
    __asm__ volatile(
        "push %%rbx; push %%rbp; push %%r12; push %%r13; push %%r14; push %%r15\n"
        "lea 1f(%%rip), %%rax\n"
        "push %%rax\n"
        "mov %%rsp, %0\n"
        "pushq %1\n"          /* SS */
        "pushq %2\n"          /* RSP */
        "pushq $0x2\n"        /* RFLAGS: IF=0, so no PC timer interrupt reaches user code */
        "pushq %3\n"          /* CS */
        "pushq %4\n"          /* RIP */
        "iretq\n"
        "1:\n"
        "pop %%r15; pop %%r14; pop %%r13; pop %%r12; pop %%rbp; pop %%rbx\n"
        : "=m"(user_return_rsp)
        : "i"(USER_DS), "r"((uint64_t)user_stack + sizeof user_stack - 8), "i"(USER_CS),
          "r"((uint64_t)user_entry), "D"(fn)
        : "rax", "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11", "memory");
    __asm__ volatile("mov %0, %%ds; mov %0, %%es" :: "r"(KERNEL_DS));
}

void idt_set_present(int vector, bool present)
{
    idt[vector & 255].type = (uint8_t)((idt[vector & 255].type & 0x7f) | (present ? 0x80 : 0));
}

void idt_set_ist(int vector, int ist)
{
    idt[vector & 255].ist = (uint8_t)ist;
}

static void setup_idt(void)
{
    for (int v = 0; v < 256; v++) {
        uint64_t a = (uint64_t)isr_stubs + (uint64_t)v * 16;
        idt[v].off_lo = (uint16_t)a;
        idt[v].sel = KERNEL_CS;
        idt[v].ist = v == 8 ? 1 : v == 2 ? 2 : 0;
        idt[v].type = 0x8e;
        idt[v].off_mid = (uint16_t)(a >> 16);
        idt[v].off_hi = (uint32_t)(a >> 32);
        idt[v].zero = 0;
    }
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) d = { sizeof idt - 1, (uint64_t)idt };
    __asm__ volatile("lidt %0" :: "m"(d));
}

static void setup_tss(void)
{
    uint64_t base = (uint64_t)&tss, limit = sizeof tss - 1;

    tss.rsp[0] = (uint64_t)kstack0 + sizeof kstack0;
    tss.ist[0] = (uint64_t)ist1_top;
    tss.ist[1] = (uint64_t)ist2_top;
    tss.iomap_base = sizeof tss;
    gdt[7] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40)
           | ((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
    gdt[8] = base >> 32;
    __asm__ volatile("ltr %w0" :: "r"(TSS_SEL));
}

void runtime_start(void)
{
    /* 8N1, 115200, FIFO on: what an 8250 driver does first */
    outb(COM1 + 1, 0);
    outb(COM1 + 3, 0x80);
    outb(COM1 + 0, 1);
    outb(COM1 + 1, 0);
    outb(COM1 + 3, 0x03);
    outb(COM1 + 2, 0xc7);
    setup_idt();
    setup_tss();
    exit(main());
}
