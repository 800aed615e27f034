/*
 * testsuite/satori.hyperv/synic-smp.c: the SynIC and synthetic timers on
 * several vCPUs (reference/hyperv.md 5, 6): every vCPU has its own VP
 * index, SynIC registers and message page; hyperv-testdev routes put a
 * message posted on vCPU 0 into another vCPU's slot and raise that vCPU's
 * SINT only (QEMU's hyperv_sint_route_new names a VP index); an event
 * connection sets a flag in the target's SIEFP; each vCPU runs its own
 * stimer0 and gets exactly its own expiry message.
 *
 * Run with -smp N (N = 2..8, "cpus=N" on the command line, default 2),
 * -cpu qemu64,hv-vpindex,hv-synic,hv-time,hv-stimer -device
 * hyperv-testdev.  With "times" on the command line it also prints one
 * "vpN timer ..." line per vCPU with the reference times of its expiry,
 * which stimer-icount.exp compares across two -icount runs.  No QEMU comparison (TCG has no Hyper-V).
 */
#include "hv-guest.h"
#include "smp.h"

#define GUEST_ID 0x8100000006080000ull
#define HVCALL_POST_MESSAGE 0x005c
#define HVCALL_SIGNAL_EVENT 0x005d
#define HVMSG_TIMER_EXPIRED 0x80000010u
#define TD_PORT 0x3000
#define TD_MSG_CONN_CREATE 4
#define TD_EVT_CONN_CREATE 6

#define SINT_MSG 2
#define VEC_MSG  0x52
#define SINT_EVT 3
#define VEC_EVT  0x53
#define SINT_TIMER 5
#define VEC_TIMER 0x55
#define APIC_SVR 0x0f0

static uint8_t msg_pages[SMP_MAX_CPUS][4096] __attribute__((aligned(4096)));
static uint8_t evt_pages[SMP_MAX_CPUS][4096] __attribute__((aligned(4096)));
static uint8_t input[4096] __attribute__((aligned(4096)));

static volatile int msg_irqs[SMP_MAX_CPUS], evt_irqs[SMP_MAX_CPUS], timer_irqs[SMP_MAX_CPUS];
static volatile uint64_t vp_index[SMP_MAX_CPUS], due[SMP_MAX_CPUS];
static int ncpus = 2;
static bool print_times;    /* "times" on the command line (-icount runs) */

static void on_msg(struct frame *f) { msg_irqs[smp_cpu_index()]++; apic_eoi(); }
static void on_evt(struct frame *f) { evt_irqs[smp_cpu_index()]++; apic_eoi(); }
static void on_timer(struct frame *f) { timer_irqs[smp_cpu_index()]++; apic_eoi(); }

static uint64_t now(void) { return rdmsr(HV_MSR_TIME_REF_COUNT); }

/* Per vCPU: APIC on, own SynIC pages, SINTs connected, its VP index. */
static void setup(void *arg)
{
    int me = smp_cpu_index();

    apic_write(APIC_SVR, 0x1ff);
    vp_index[me] = rdmsr(HV_MSR_VP_INDEX);
    wrmsr(HV_MSR_SIMP, (uint64_t)msg_pages[me] | 1);
    wrmsr(HV_MSR_SIEFP, (uint64_t)evt_pages[me] | 1);
    wrmsr(HV_MSR_SCONTROL, 1);
    wrmsr(HV_MSR_SINT0 + SINT_MSG, VEC_MSG);
    wrmsr(HV_MSR_SINT0 + SINT_EVT, VEC_EVT);
    wrmsr(HV_MSR_SINT0 + SINT_TIMER, VEC_TIMER);
}

/* Let interrupts in on this vCPU for a while. */
static void window(void *arg)
{
    uint64_t end = now() + (uint64_t)(uintptr_t)arg;

    while (now() < end)
        __asm__ volatile("sti; pause; pause; cli" ::: "memory");
}

static void windows_all(uint64_t len)
{
    for (int c = 1; c < ncpus; c++)
        smp_run_on(c, window, (void *)(uintptr_t)len);
    window((void *)(uintptr_t)len);
    for (int c = 1; c < ncpus; c++)
        smp_wait(c);
}

static uint16_t post(uint32_t conn, uint32_t type, uint8_t fill)
{
    uint32_t *w = (uint32_t *)input;

    w[0] = conn;
    w[1] = 0;
    w[2] = type;
    w[3] = 8;
    memset(input + 16, fill, 8);
    return (uint16_t)hv_vmcall(HVCALL_POST_MESSAGE, (uint64_t)input, 0, NULL);
}

static uint32_t slot_type(int cpu, unsigned sint)
{
    return *(volatile uint32_t *)(msg_pages[cpu] + sint * 256);
}

static void messages(void)
{
    int target = ncpus - 1;
    bool others_quiet = true;

    /* QEMU's test device: connection 5 -> SINT2 of the last vCPU */
    outl(TD_PORT, 5u << 24 | TD_MSG_CONN_CREATE << 16 | (unsigned)target << 8 | SINT_MSG);
    uint16_t st = post(5, 0xabcd, 0x5a);
    windows_all(2000);
    reportf(st == 0 && slot_type(target, SINT_MSG) == 0xabcd &&
            msg_pages[target][SINT_MSG * 256 + 16] == 0x5a,
            "message posted on vp0 lands in vp%d's SINT2 slot (%x)", target,
            slot_type(target, SINT_MSG));
    for (int c = 0; c < ncpus; c++)
        if (c != target && (slot_type(c, SINT_MSG) || msg_irqs[c]))
            others_quiet = false;
    reportf(msg_irqs[target] == 1 && others_quiet,
            "only vp%d takes the SINT2 interrupt (%d)", target, msg_irqs[target]);

    /* event connection 7 -> SINT3 of vCPU 1 */
    outl(TD_PORT, 7u << 24 | TD_EVT_CONN_CREATE << 16 | 1u << 8 | SINT_EVT);
    st = (uint16_t)hv_vmcall(HVCALL_SIGNAL_EVENT | HV_HCALL_FAST, 7, 0, NULL);
    windows_all(2000);
    reportf(st == 0 && (evt_pages[1][SINT_EVT * 256] & 0x80) && evt_irqs[1] == 1 &&
            evt_irqs[0] == 0 && !(evt_pages[0][SINT_EVT * 256] & 0x80),
            "SignalEvent on vp0 sets flag 7 in vp1's SIEFP and raises vp1's SINT3 (%d)",
            evt_irqs[1]);
}

/* Each vCPU arms its own stimer0, one-shot, due at a time of its own. */
static void arm(void *arg)
{
    int me = smp_cpu_index();

    due[me] = now() + 5000 + 3000 * (uint64_t)me;
    wrmsr(HV_MSR_STIMER0_CONFIG, 1 | (uint64_t)SINT_TIMER << 16);
    wrmsr(HV_MSR_STIMER0_COUNT, due[me]);
}

/* Interrupts on until this vCPU's timer fired (or 50 ms past its due). */
static void wait_timer(void *arg)
{
    int me = smp_cpu_index();

    while (!timer_irqs[me] && now() < due[me] + 500000)
        __asm__ volatile("sti; pause; pause; cli" ::: "memory");
    window((void *)(uintptr_t)1000);    /* a second expiry would show here */
}

static void timers(void)
{
    bool own = true;

    for (int c = 1; c < ncpus; c++)
        smp_call(c, arm, NULL);
    arm(NULL);
    for (int c = 1; c < ncpus; c++)
        smp_run_on(c, wait_timer, NULL);
    wait_timer(NULL);
    for (int c = 1; c < ncpus; c++)
        smp_wait(c);
    for (int c = 0; c < ncpus; c++) {
        uint8_t *m = msg_pages[c] + SINT_TIMER * 256;
        uint32_t type = *(uint32_t *)m, index = *(uint32_t *)(m + 16);
        uint64_t exp = *(uint64_t *)(m + 24), del = *(uint64_t *)(m + 32);
        if (timer_irqs[c] != 1 || type != HVMSG_TIMER_EXPIRED || index != 0 || exp != due[c] ||
            del < exp)
            own = false;
        if (print_times)
            printf("vp%d timer expiration %lu delivery %lu irqs %d\n", c, exp, del,
                   timer_irqs[c]);
    }
    reportf(own, "each of %d vCPUs gets exactly its own stimer0 message, at its due time",
            ncpus);
}

int main(void)
{
    const char *s = multiboot_cmdline();
    bool ok = true;

    hv_catch_faults();
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
    for (; *s; s++)
        if (!memcmp(s, "cpus=", 5) && s[5] >= '2' && s[5] <= '8')
            ncpus = s[5] - '0';
    print_times = hv_cmdline_has("times");
    handle_exception(VEC_MSG, on_msg);
    handle_exception(VEC_EVT, on_evt);
    handle_exception(VEC_TIMER, on_timer);
    wrmsr(HV_MSR_GUEST_OS_ID, GUEST_ID);
    reportf(smp_start(ncpus) == ncpus, "%d vCPUs running", ncpus);
    for (int c = 1; c < ncpus; c++)
        smp_call(c, setup, NULL);
    setup(NULL);
    for (int c = 0; c < ncpus; c++)
        if (vp_index[c] != (uint64_t)c)
            ok = false;
    report("VP_INDEX of each vCPU is its CPU index (QEMU's cpu_index)", ok);
    messages();
    timers();
    return 0;
}
