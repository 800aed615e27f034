/*
 * testsuite/satori.hyperv/hcall-abi.c: the 64-bit hypercall ABI
 * (reference/hyperv.md 4.1-4.9, 11.1).
 *
 * Run with -cpu qemu64,hv-vpindex.  Checks: with GUEST_OS_ID = 0 VMCALL
 * is a KVM hypercall (unknown number -> -KVM_ENOSYS, at CPL 3 ->
 * -KVM_EPERM, no #UD); once GUEST_OS_ID is set, VMCALL at CPL 3 raises
 * #UD without advancing RIP; then the input rules of the implemented calls
 * (rep counts, variable headers, reserved control bits, IPI vectors,
 * SignalEvent parameter and alignment, extended calls).  The 32-bit
 * convention is not tested (it needs a compatibility-mode code segment).
 */
#include "hv-guest.h"

#define GUEST_ID 0x8100000006080000ull

#define HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE 0x0002
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST  0x0003
#define HVCALL_NOTIFY_LONG_SPIN_WAIT       0x0008
#define HVCALL_SEND_IPI                    0x000b
#define HVCALL_SIGNAL_EVENT                0x005d
#define HVCALL_EXT_QUERY_CAPABILITIES      0x8001

#define KVM_ENOSYS_RESULT 0xfffffffffffffc18ull   /* -1000 */
#define KVM_EPERM_RESULT  0xffffffffffffffffull   /* -1 */

static uint64_t in_page[512] __attribute__((aligned(4096)));
/* written by the CPL-3 code: RAX after its VMCALL */
volatile uint64_t user_data[512] __attribute__((aligned(4096)));

/*
 * CPL-3 code on its own page (run_user maps it and the next page
 * user-accessible and read-only, hence the padding page): VMCALL
 * with control 0x10008 and an unknown KVM number in RAX, then store RAX.
 */
__asm__(".pushsection .text\n"
        ".balign 4096\n"
        "user_vmcall:\n"
        "  mov $0x12345678, %eax\n"
        "  mov $0x10008, %ecx\n"
        "  xor %edx, %edx\n"
        "  xor %r8d, %r8d\n"
        "user_vmcall_insn:\n"
        "  vmcall\n"
        "  mov %rax, user_data(%rip)\n"
        "  ret\n"
        ".balign 4096\n"
        ".skip 4096\n"   /* run_user maps the next page read-only too */
        ".popsection\n");
extern char user_vmcall[], user_vmcall_insn[];

static volatile int user_vector = -1;
static volatile uint64_t user_rip, user_cs;

static void user_page_fault(struct frame *f)
{
    printf("FAIL: page fault in the CPL-3 code (rip %lx, cr2 %lx)\n", f->rip, read_cr2());
    exit(1);
}

static void user_fault(struct frame *f)
{
    user_vector = (int)f->vector;
    user_rip = f->rip;
    user_cs = f->cs;
    f->rip += 3;   /* past the VMCALL */
}

/* Run the CPL-3 VMCALL; returns the fault vector (-1: none). */
static int run_user_vmcall(void)
{
    user_vector = -1;
    user_data[0] = 0xdeadbeefdeadbeefull;
    handle_exception(6, user_fault);
    handle_exception(13, user_fault);
    handle_exception(14, user_page_fault);
    run_user((void (*)(void))user_vmcall);
    hv_catch_faults();
    handle_exception(14, NULL);
    return user_vector;
}

static void expect(const char *what, uint64_t control, uint64_t in, uint64_t out, uint64_t want)
{
    bool ud;
    uint64_t r = hv_vmcall(control, in, out, &ud);

    reportf(!ud && r == want, "%s -> %lx (got %lx%s)", what, want, r, ud ? ", #UD" : "");
}

int main(void)
{
    uint64_t in = (uint64_t)in_page;
    int vec;
    bool ud;
    uint64_t r;

    hv_catch_faults();
    for (uint64_t p = (uint64_t)user_data; p < (uint64_t)user_data + sizeof user_data; p += 4096)
        map_page(p, p, true, true, true);

    /* 4.9: GUEST_OS_ID = 0 -> KVM hypercall path */
    r = hv_vmcall(HVCALL_NOTIFY_LONG_SPIN_WAIT, 0, 0, &ud);
    reportf(!ud && r == KVM_ENOSYS_RESULT,
            "GUEST_OS_ID=0: VMCALL is a KVM hypercall, RAX = -KVM_ENOSYS (got %lx%s)",
            r, ud ? ", #UD" : "");
    vec = run_user_vmcall();
    reportf(vec < 0 && user_data[0] == KVM_EPERM_RESULT,
            "GUEST_OS_ID=0: VMCALL at CPL 3 gives RAX = -KVM_EPERM (vector %d, rax %lx)",
            vec, user_data[0]);

    /* 4.1 step 1: CPL 3 -> #UD, RIP not advanced */
    wrmsr_safe(HV_MSR_GUEST_OS_ID, GUEST_ID);
    r = hv_vmcall(HVCALL_NOTIFY_LONG_SPIN_WAIT | HV_HCALL_FAST, 0, 0, &ud);
    bool cpl0_ok = !ud && r == HV_STATUS_SUCCESS;
    vec = run_user_vmcall();
    reportf(cpl0_ok && vec == 6,
            "VMCALL gives a status at CPL 0 (%lx) and raises #UD at CPL 3 (vector %d)", r, vec);
    reportf(vec == 6 && user_rip == (uint64_t)user_vmcall_insn && (user_cs & 3) == 3,
            "#UD reported at the VMCALL from CPL 3 (rip %lx, want %lx, cs %lx)",
            user_rip, (uint64_t)user_vmcall_insn, user_cs);

    /* 4.6 / 4.7: TLB flush input rules */
    in_page[0] = 0;            /* address space */
    in_page[1] = 1;            /* HV_FLUSH_ALL_PROCESSORS */
    in_page[2] = 0;            /* processor mask */
    in_page[3] = 0x200000;     /* GVA list */
    in_page[4] = 0x201000;
    expect("FlushVirtualAddressList rep 2", HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST | HV_HCALL_REP_COUNT(2),
           in, 0, 2ull << 32);
    expect("FlushVirtualAddressList rep 0", HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, in, 0,
           HV_STATUS_INVALID_HYPERCALL_INPUT);
    expect("FlushVirtualAddressList rep start 1",
           HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST | HV_HCALL_REP_COUNT(2) | HV_HCALL_REP_START(1),
           in, 0, HV_STATUS_INVALID_HYPERCALL_INPUT);
    expect("FlushVirtualAddressSpace", HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, in, 0,
           HV_STATUS_SUCCESS);
    expect("FlushVirtualAddressSpace var_cnt 1",
           HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE | HV_HCALL_VARHEAD(1), in, 0,
           HV_STATUS_INVALID_HYPERCALL_INPUT);

    /* 4.1 step 4: reserved control bits */
    expect("reserved control bit 27", HVCALL_NOTIFY_LONG_SPIN_WAIT | HV_HCALL_FAST | 1ull << 27,
           0, 0, HV_STATUS_INVALID_HYPERCALL_INPUT);
    expect("reserved control bit 44", HVCALL_NOTIFY_LONG_SPIN_WAIT | HV_HCALL_FAST | 1ull << 44,
           0, 0, HV_STATUS_INVALID_HYPERCALL_INPUT);
    expect("reserved control bit 60", HVCALL_NOTIFY_LONG_SPIN_WAIT | HV_HCALL_FAST | 1ull << 60,
           0, 0, HV_STATUS_INVALID_HYPERCALL_INPUT);
    expect("reserved bit 27 on an unknown code", 0x0001 | 1ull << 27, 0, 0,
           HV_STATUS_INVALID_HYPERCALL_INPUT);

    /* 4.5 / 4.7: SendSyntheticClusterIpi fast (RDX vector, R8 mask) */
    expect("SendIpi vector 0x0f", HVCALL_SEND_IPI | HV_HCALL_FAST, 0x0f, 1,
           HV_STATUS_INVALID_HYPERCALL_INPUT);
    expect("SendIpi vector 0x30", HVCALL_SEND_IPI | HV_HCALL_FAST, 0x30, 1, HV_STATUS_SUCCESS);
    expect("SendIpi RDX bits 63:32 set", HVCALL_SEND_IPI | HV_HCALL_FAST, 1ull << 32 | 0x30, 1,
           HV_STATUS_INVALID_HYPERCALL_INPUT);
    expect("SendIpi rep count 1", HVCALL_SEND_IPI | HV_HCALL_FAST | HV_HCALL_REP_COUNT(1), 0x30, 1,
           HV_STATUS_INVALID_HYPERCALL_INPUT);

    /* 4.7 and 11.1: SignalEvent without SynIC */
    expect("SignalEvent fast param 1", HVCALL_SIGNAL_EVENT | HV_HCALL_FAST, 1, 0,
           HV_STATUS_INVALID_HYPERCALL_INPUT);
    in_page[0] = 1;
    expect("SignalEvent slow unaligned GPA", HVCALL_SIGNAL_EVENT, in + 4, 0,
           HV_STATUS_INVALID_ALIGNMENT);

    /* 4.6: extended calls are not advertised */
    expect("extended call 0x8001 fast", HVCALL_EXT_QUERY_CAPABILITIES | HV_HCALL_FAST, 0, 0,
           HV_STATUS_INVALID_PARAMETER);
    expect("extended call 0x8001 slow", HVCALL_EXT_QUERY_CAPABILITIES, in, in + 2048,
           HV_STATUS_INVALID_HYPERCALL_CODE);

    /* an unknown code, and the full-width result of a plain success */
    expect("unknown code 0x0001", 0x0001, 0, 0, HV_STATUS_INVALID_HYPERCALL_CODE);
    expect("HvNotifyLongSpinWait fast", HVCALL_NOTIFY_LONG_SPIN_WAIT | HV_HCALL_FAST, 0, 0,
           HV_STATUS_SUCCESS);

    /* GUEST_OS_ID = 0 again: back to the KVM path (4.9) */
    wrmsr_safe(HV_MSR_GUEST_OS_ID, 0);
    r = hv_vmcall(HVCALL_NOTIFY_LONG_SPIN_WAIT, 0, 0, &ud);
    reportf(!ud && r == KVM_ENOSYS_RESULT, "GUEST_OS_ID=0 again: KVM path (got %lx)", r);

    report_done();
}
