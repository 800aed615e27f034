/*
 * firmware/runtime.h: the guest runtime every satori test guest and the
 * built-in demo link against.  Runs in 64-bit mode at CPL 0 with the
 * first 4 GiB identity mapped (2 MiB pages), COM1 for output and
 * isa-debug-exit (port 0xf4) for the exit status.  The same image runs
 * under qemu-system-x86_64 -kernel.
 */
#ifndef SATORI_FIRMWARE_RUNTIME_H
#define SATORI_FIRMWARE_RUNTIME_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* GDT selectors (entry.S) */
#define KERNEL_CS   0x08
#define KERNEL_DS   0x10
#define KERNEL_CS32 0x18
#define USER_CS32   0x23
#define USER_DS     0x2b
#define USER_CS     0x33
#define TSS_SEL     0x38
#define CODE16_SEL  0x48
#define SPARE_SEL   0x50
#define SPARE_SYS_SEL 0x60

/* Saved state of an exception, as isr_common pushes it. */
struct frame {
    uint64_t rax, rcx, rdx, rbx, rbp, rsi, rdi;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss;
};

/* A handler may change the frame (e.g. rip) and returns to it. */
typedef void (*exception_fn)(struct frame *f);
void handle_exception(int vector, exception_fn fn);

/* The test program's entry point. */
int main(void);

void putchar_serial(char c);
void puts_serial(const char *s);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
/* Exit through isa-debug-exit: status (code << 1) | 1. */
_Noreturn void exit(int code);

/* Per-check reporting: PASS: name / FAIL: name (detail). */
extern int report_failures;
void report(const char *name, bool ok);
void reportf(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print the summary line and exit with 0 (all passed) or 1. */
_Noreturn void report_done(void);

/* Multiboot information */
extern uint64_t mb_info_addr, mb_magic;
const char *multiboot_cmdline(void);

/* small helpers */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

static inline void outb(uint16_t p, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(p)); }
static inline void outl(uint16_t p, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(p)); }
static inline uint8_t inb(uint16_t p) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(p)); return v; }

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return lo | (uint64_t)hi << 32;
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return lo | (uint64_t)hi << 32;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline uint64_t read_cr0(void) { uint64_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr2(void) { uint64_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr3(void) { uint64_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr4(void) { uint64_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr0(uint64_t v) { __asm__ volatile("mov %0, %%cr0" :: "r"(v) : "memory"); }
static inline void write_cr3(uint64_t v) { __asm__ volatile("mov %0, %%cr3" :: "r"(v) : "memory"); }
static inline void write_cr4(uint64_t v) { __asm__ volatile("mov %0, %%cr4" :: "r"(v) : "memory"); }
static inline void invlpg(const void *p) { __asm__ volatile("invlpg (%0)" :: "r"(p) : "memory"); }

/* Map (or unmap with present = false) one 4 KiB page at a virtual address
 * below 4 GiB; splits the covering 2 MiB page into 4 KiB pages once. */
void map_page(uint64_t va, uint64_t pa, bool present, bool writable, bool user);

/* Change an IDT gate: present bit, IST index (1 = #DF stack, 2 = NMI stack). */
void idt_set_present(int vector, bool present);
void idt_set_ist(int vector, int ist);

/* Run fn at CPL 3 (64-bit user code); returns when fn returns. */
void run_user(void (*fn)(void));

extern uint64_t gdt[];

/* ---- local APIC: the xAPIC page at its default base, x2APIC MSRs ---- */
#define APIC_DEFAULT_BASE 0xfee00000ul
#define MSR_IA32_APIC_BASE 0x1b
#define MSR_X2APIC(off) (0x800u + ((off) >> 4))   /* xAPIC offset -> x2APIC MSR */

static inline uint32_t apic_read(unsigned off)
{
    return *(volatile uint32_t *)(APIC_DEFAULT_BASE + off);
}

static inline void apic_write(unsigned off, uint32_t v)
{
    *(volatile uint32_t *)(APIC_DEFAULT_BASE + off) = v;
}

static inline void apic_eoi(void) { apic_write(0xb0, 0); }

/* RDMSR/WRMSR that return false instead of taking the #GP they raise
 * (the runtime's #GP handler is restored afterwards). */
bool rdmsr_nofault(uint32_t msr, uint64_t *v);
bool wrmsr_nofault(uint32_t msr, uint64_t v);

#endif
