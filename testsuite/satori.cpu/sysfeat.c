/* System features gated by CPUID (run with -cpu max under satori and
 * QEMU): RDTSCP and RDPID with IA32_TSC_AUX, SMEP (SDM vol. 3, 4.6.1),
 * SMAP with EFLAGS.AC and STAC/CLAC, UMIP (2.5), CR4.PCIDE and the PCID in
 * CR3 with its no-flush bit 63 (4.10.1, 4.10.4.1).  A fault resumes at the
 * address the test put in R11. */
#include "runtime.h"

#define CR4_UMIP  (1ul << 11)
#define CR4_PCIDE (1ul << 17)
#define CR4_SMEP  (1ul << 20)
#define CR4_SMAP  (1ul << 21)
#define UVA_CODE 0x50010000ul
#define UVA_DATA 0x50011000ul

static volatile uint64_t ev_vec, ev_err, ev_cr2;
static volatile int ev_n;
static uint8_t ucode[4096] __attribute__((aligned(4096)));
static volatile uint32_t udata[1024] __attribute__((aligned(4096)));

static void handler(struct frame *f)
{
    ev_n++;
    ev_vec = f->vector;
    ev_err = f->error;
    ev_cr2 = f->vector == 14 ? read_cr2() : 0;
    f->rip = f->r11;
}

static void reset_ev(void)
{
    ev_n = 0;
    ev_vec = ev_err = ev_cr2 = 0xff;
}

/* one instruction that may fault; R11 = where to go on */
#define TRY(insn, ...) \
    __asm__ volatile("lea 1f(%%rip), %%r11\n" insn "\n1:\n" __VA_ARGS__)

static volatile int user_faults;

static void user_umip(void)
{
    uint8_t buf[16];
    uint16_t sel;

    TRY("sgdt %0", : "=m"(buf) : : "r11", "memory");
    TRY("sidt %0", : "=m"(buf) : : "r11", "memory");
    TRY("sldt %0", : "=r"(sel) : : "r11");
    TRY("str %0", : "=r"(sel) : : "r11");
    TRY("smsw %0", : "=r"(sel) : : "r11");
}

static void user_stac(void)
{
    TRY("stac", : : : "r11", "memory");
}

static void user_monitor(void)
{
    TRY("monitor", : : "a"(UVA_DATA), "c"(0), "d"(0) : "r11", "memory");
}

static int count_umip_faults(void)
{
    reset_ev();
    run_user(user_umip);
    return ev_n;
}

int main(void)
{
    uint32_t r[4];
    bool smep, smap, umip, pcid, rdtscp, rdpid, monitor;

    for (int v = 6; v <= 14; v++)
        handle_exception(v, handler);
    cpuid(7, 0, r);
    smep = r[1] & (1u << 7);
    smap = r[1] & (1u << 20);
    umip = r[2] & (1u << 2);
    rdpid = r[2] & (1u << 22);
    cpuid(1, 0, r);
    pcid = r[2] & (1u << 17);
    monitor = r[2] & (1u << 3);
    cpuid(0x80000001u, 0, r);
    rdtscp = r[3] & (1u << 27);
    printf("CPUID: smep %d smap %d umip %d pcid %d rdtscp %d rdpid %d monitor %d\n", smep, smap,
           umip, pcid, rdtscp, rdpid, monitor);

    if (rdtscp) {
        uint32_t aux;
        wrmsr(0xc0000103, 0x2a5);
        __asm__ volatile("rdtscp" : "=c"(aux) : : "rax", "rdx");
        reportf(aux == 0x2a5 && rdmsr(0xc0000103) == 0x2a5, "RDTSCP: ECX = IA32_TSC_AUX (%x)",
                aux);
    }
    if (rdpid) {
        uint64_t v;
        __asm__ volatile("rdpid %0" : "=r"(v));
        reportf(v == 0x2a5, "RDPID: IA32_TSC_AUX (%lx)", v);
    }

    /* a user page holding "jmp *%r11", and a user data page */
    ucode[0] = 0x41, ucode[1] = 0xff, ucode[2] = 0xe3;
    map_page(UVA_CODE, (uint64_t)ucode, true, false, true);
    udata[4] = 0x5eed;
    map_page(UVA_DATA, (uint64_t)udata, true, true, true);
    uint64_t target = UVA_CODE;

    if (smep) {
        reset_ev();
        TRY("jmp *%0", : : "r"(target) : "r11");
        reportf(ev_n == 0, "kernel fetch from a user page without SMEP (%d faults)", ev_n);
        write_cr4(read_cr4() | CR4_SMEP);
        reset_ev();
        TRY("jmp *%0", : : "r"(target) : "r11");
        reportf(ev_n == 1 && ev_vec == 14 && ev_err == 0x11 && ev_cr2 == UVA_CODE,
                "SMEP: kernel fetch from a user page: #PF err %lx cr2 %lx", ev_err, ev_cr2);
        reset_ev();
        uint32_t v = *(volatile uint32_t *)(UVA_DATA + 16);
        reportf(ev_n == 0 && v == 0x5eed, "SMEP: kernel data read of a user page (%x)", v);
        write_cr4(read_cr4() & ~CR4_SMEP);
    }

    if (smap) {
        uint32_t v = 0;
        write_cr4(read_cr4() | CR4_SMAP);
        reset_ev();
        TRY("mov (%1), %0", : "+r"(v) : "r"(UVA_DATA + 16) : "r11");
        reportf(ev_n == 1 && ev_vec == 14 && ev_err == 0x1 && ev_cr2 == UVA_DATA + 16 && v == 0,
                "SMAP: kernel read of a user page: #PF err %lx cr2 %lx", ev_err, ev_cr2);
        reset_ev();
        TRY("stac\n mov (%1), %0", : "+r"(v) : "r"(UVA_DATA + 16) : "r11");
        reportf(ev_n == 0 && v == 0x5eed, "SMAP: after STAC the read works (%x)", v);
        uint64_t fl;
        __asm__ volatile("pushf; pop %0" : "=r"(fl));
        reportf(fl & (1u << 18), "STAC sets EFLAGS.AC");
        reset_ev();
        TRY("clac\n movl $1, (%0)", : : "r"(UVA_DATA + 16) : "r11", "memory");
        reportf(ev_n == 1 && ev_vec == 14 && ev_err == 0x3 && udata[4] == 0x5eed,
                "SMAP: after CLAC a kernel write #PF err %lx", ev_err);
        reset_ev();
        __asm__ volatile("pushf; orl $0x40000, (%%rsp); popf" ::: "memory", "cc");
        TRY("movl $2, (%0)", : : "r"(UVA_DATA + 16) : "r11", "memory");
        __asm__ volatile("clac" ::: "memory");
        reportf(ev_n == 0 && udata[4] == 2, "SMAP: EFLAGS.AC set by POPF allows the write (%x)",
                udata[4]);
        write_cr4(read_cr4() & ~CR4_SMAP);
        reset_ev();
        run_user(user_stac);
        reportf(ev_n == 1 && ev_vec == 6, "STAC at CPL 3: #UD (vector %lx)", ev_vec);
    }

    if (umip) {
        reportf(count_umip_faults() == 0, "SGDT SIDT SLDT STR SMSW at CPL 3 without UMIP");
        write_cr4(read_cr4() | CR4_UMIP);
        int n = count_umip_faults();
        reportf(n == 5 && ev_vec == 13 && ev_err == 0,
                "UMIP: SGDT SIDT SLDT STR SMSW at CPL 3: %d #GP(0)", n);
        uint8_t buf[10];
        reset_ev();
        TRY("sgdt %0", : "=m"(buf) : : "r11", "memory");
        reportf(ev_n == 0, "UMIP: SGDT at CPL 0 works");
        write_cr4(read_cr4() & ~CR4_UMIP);
    }

    if (pcid) {
        uint64_t cr3 = read_cr3();
        reset_ev();
        write_cr4(read_cr4() | CR4_PCIDE);
        reportf(ev_n == 0 && (read_cr4() & CR4_PCIDE), "CR4.PCIDE set with PCID 0 in CR3");
        write_cr3(cr3 | 1 | (1ul << 63));
        reportf(read_cr3() == (cr3 | 1), "MOV to CR3 with bit 63: PCID 1 kept, bit 63 not (%lx)",
                read_cr3() & 0xfff);
        reportf(*(volatile uint32_t *)(UVA_DATA + 16) == udata[4],
                "translations work under PCID 1");
        write_cr4(read_cr4() & ~CR4_PCIDE);
        reset_ev();
        uint64_t cr4 = read_cr4() | CR4_PCIDE;
        TRY("mov %0, %%cr4", : : "r"(cr4) : "r11");
        reportf(ev_n == 1 && ev_vec == 13 && ev_err == 0 && !(read_cr4() & CR4_PCIDE),
                "CR4.PCIDE with CR3[11:0] nonzero: #GP(0)");
        write_cr3(cr3);
    }
    /* MONITOR/MWAIT: #UD unless advertised; ECX extensions; CPL 0 only */
    uint64_t mon = (uint64_t)udata;
    reset_ev();
    TRY("monitor", : : "a"(mon), "c"(0), "d"(0) : "r11", "memory");
    reportf(monitor ? ev_n == 0 : ev_n == 1 && ev_vec == 6, "MONITOR at CPL 0: %s (vector %lx)",
            monitor ? "no fault" : "#UD", ev_vec);
    if (monitor) {
        reset_ev();
        TRY("monitor", : : "a"(mon), "c"(1), "d"(0) : "r11", "memory");
        reportf(ev_n == 1 && ev_vec == 13 && ev_err == 0, "MONITOR with ECX = 1: #GP(0)");
        reset_ev();
        TRY("mwait", : : "a"(0), "c"(2) : "r11", "memory");
        reportf(ev_n == 1 && ev_vec == 13 && ev_err == 0, "MWAIT with ECX = 2: #GP(0)");
        reset_ev();
        run_user(user_monitor);
        reportf(ev_n == 1 && ev_vec == 6, "MONITOR at CPL 3: #UD (vector %lx)", ev_vec);
        cpuid(5, 0, r);
        reportf(r[0] == 64 && r[1] == 64 && (r[2] & 1), "CPUID leaf 5: monitor line %u..%u",
                r[0], r[1]);
    }
    report_done();
}
