#!/bin/sh
# tests/test-cli.sh: the command line reports bad input clearly and exits 1.
sat=./satori
fail=0
expect() { # expect STATUS PATTERN -- args...
    want=$1; pat=$2; shift 3
    out=$(timeout 60 $sat "$@" 2>&1 </dev/null); st=$?   # 124: hung
    if [ "$st" != "$want" ] || ! printf '%s' "$out" | grep -q -- "$pat"; then
        echo "FAIL: satori $* -> status $st, output: $out (wanted $want, /$pat/)"
        fail=1
    fi
}
expect 1 "invalid option" -- -frobnicate
expect 1 "could not load kernel '/nonexistent'" -- -kernel /nonexistent
expect 1 "unknown CPU model 'pentium9'.*qemu64" -- -cpu pentium9
expect 1 "unknown CPU feature 'sse9'" -- -cpu qemu64,+sse9
expect 1 "not implemented by satori yet" -- -cpu qemu64,+avx
# Hyper-V flags (QEMU's syntax, dependency messages, refusal of what is not there yet)
expect 1 "unknown Hyper-V flag 'hv-bogus'; known:.*hv-relaxed.*hv-spinlocks" -- -cpu max,hv-bogus
expect 1 "Hyper-V synthetic timers (hv-stimer) requires Hyper-V clocksources (hv-time)" -- -cpu max,hv-stimer
expect 1 "Hyper-V synthetic timers (hv-stimer) requires Hyper-V synthetic interrupt controller (hv-synic)" -- -cpu max,hv-stimer,hv-time
expect 1 "Hyper-V synthetic interrupt controller (hv-synic) requires Hyper-V VP_INDEX MSR (hv-vpindex)" -- -cpu max,hv-synic
expect 1 "Hyper-V enlightened VMCS (hv-evmcs) is not available in this version of satori: it needs nested VMX" -- -cpu max,hv-vapic,hv-evmcs
expect 1 "Hyper-V paravirtualized TLB flush (hv-tlbflush) requires Hyper-V VP_INDEX MSR (hv-vpindex)" -- -cpu max,hv-tlbflush
expect 1 "Hyper-V Enable synthetic kernel debugger channel (hv-syndbg) requires Hyper-V synthetic interrupt controller (hv-synic)" -- -cpu max,hv-relaxed,hv-syndbg
expect 0 "features (40000003.EDX): dynamic partitioning XMM hypercall input" -- -cpu max,hv-xmm-input
# a machine that cannot be built is an error (status 1) in demo mode too
expect 1 "hyperv-testdev: needs Hyper-V" -- -device hyperv-testdev
expect 1 "serial file:/nonexistent/dir/out" -- -serial file:/nonexistent/dir/out
expect 0 "satori demo guest" -- -cpu max,hv-synic,hv-vpindex,hv-time,hv-stimer,hv-stimer-direct
expect 0 "hyperv-testdev\", bus ISA" -- -device help
expect 1 "hv-relaxed=maybe: expected on or off" -- -cpu max,hv-relaxed=maybe
expect 1 "hv-spinlocks=lots: expected a number" -- -cpu max,hv-spinlocks=lots
expect 1 "hv-no-nonarch-coresharing=sometimes: expected on, off or auto" -- -cpu max,hv-no-nonarch-coresharing=sometimes
expect 1 "hv-version-id-major=0x10000: expected a number from 0 to 0xffff" -- -cpu max,hv-version-id-major=0x10000
expect 1 "kvm=maybe: expected on or off" -- -cpu max,kvm=maybe
expect 0 "warning: hv-vendor-id truncated to 12 characters" -- -cpu max,hv_relaxed,hv-vendor-id=0123456789abcdef
expect 0 "warning: hv-spinlocks=0x10 raised to the minimum retry count 0xfff" -- -cpu max,hv-spinlocks=0x10
expect 0 "satori demo guest" -- -cpu max,hv-synic=off,hv_relaxed=on,hv-vpindex=yes
# the demo's Hyper-V tour: hypercall page and TSC page as a guest sees them
expect 0 "hypercall page: 0f 01 c1 c3; HvNotifyLongSpinWait -> status 0x0" -- -cpu qemu64,hv-vpindex,hv-time
expect 0 "reference TSC page: sequence 1;" -- -cpu qemu64,hv-vpindex,hv-time
expect 0 'hypervisor "KVMKVMKVM".*no Hyper-V' -- -cpu qemu64
expect 1 "only 'tcg' is supported" -- -accel kvm
expect 1 "property 'thread' not found (properties: native)" -- -accel tcg,thread=multi
expect 1 "native=sometimes: expected on or off" -- -accel tcg,native=sometimes
expect 0 "features (1.ECX): sse3 ssse3 cx16 sse4.1 sse4.2 popcnt" -- -cpu Nehalem
expect 0 "satori demo guest" -- -accel tcg,native=off
expect 1 "unknown CPU model 'Skylake'.*Skylake-Client-noTSX-IBRS" -- -cpu Skylake
expect 1 "unsupported machine type 'q35'" -- -machine q35
expect 1 "property 'foo' not found (properties: type, accel, pit" -- -machine pc,foo=1
expect 1 "pit takes on|off, not 'maybe'" -- -machine pc,pit=maybe
expect 1 "satori's pc has no vmport (only vmport=off)" -- -machine pc,vmport=on
expect 0 "demo done" -- -machine pc,pit=off,hpet=off,acpi=on,smm=off
expect 1 "driver 'frob' not found (drivers with properties: isa-debug-exit.iobase" -- -global frob.x=1
expect 1 "driver 'isa-debug-exit' has no property 'port' (properties: isa-debug-exit.iobase, isa-debug-exit.iosize)" -- -global isa-debug-exit.port=1
expect 1 "expected DRIVER.PROP=VALUE" -- -global isa-debug-exit
expect 1 "no chardev with id 'nope'" -- -serial chardev:nope
expect 1 "backend 'socket' is not supported (stdio, file, null)" -- -chardev socket,id=s
expect 1 "the chardev needs an id=" -- -chardev stdio
expect 1 "duplicate chardev id 'a'" -- -chardev stdio,id=a -chardev null,id=a
expect 0 "demo done" -- -chardev stdio,id=con0 -serial chardev:con0
expect 1 "not a valid device model name" -- -device e1000
expect 1 "isa-debug-exit has no property 'port'" -- -device isa-debug-exit,port=1
expect 1 "pci-testdev has no property 'membar'" -- -device pci-testdev,membar=1M
expect 0 "pci-testdev\", bus PCI" -- -device help
expect 1 "invalid RAM size" -- -m lots
expect 1 "invalid CPU topology: sockets (3) \* cores (1) \* threads (1) != maxcpus (4)" -- -smp 4,sockets=3
expect 1 "invalid SMP CPUs 65; satori's pc supports at most 64" -- -smp 65
expect 1 "invalid SMP CPUs 128" -- -smp sockets=2,cores=4,threads=16
expect 1 "maxcpus must be equal to or greater than smp" -- -smp 4,maxcpus=2
expect 1 "unknown property 'books'" -- -smp 2,books=2
expect 0 "demo done" -- -smp 4
expect 0 "demo done" -- -smp sockets=2,cores=2,threads=2
expect 1 "-rtc base=utc: not supported yet" -- -rtc base=utc
expect 1 "sleep=on is not supported" -- -icount shift=0,sleep=on
expect 1 "unknown -d item 'bogus'" -- -d bogus
expect 0 "isa-debug-exit" -- -device help
expect 0 "satori version" -- --version
expect 0 "usage: satori" -- -h
# -nographic then -serial none: the explicit -serial wins, without a warning
out=$(timeout 60 $sat -nographic -serial none -kernel /nonexistent 2>&1)
if printf '%s' "$out" | grep -q warning; then
    echo "FAIL: -nographic -serial none warns: $out"
    fail=1
fi
# -perfmap: one line per block of host code for perf(1)
if [ "$(uname -m)" = x86_64 ]; then
    $sat -perfmap -display none -serial none </dev/null >/dev/null 2>&1 &
    pid=$!
    (sleep 60; kill $pid) >/dev/null 2>&1 &
    watchdog=$!
    wait $pid
    kill $watchdog 2>/dev/null
    if ! grep -q '^[0-9a-f]* [0-9a-f]* guest-0x[0-9a-f]*$' /tmp/perf-$pid.map 2>/dev/null; then
        echo "FAIL: -perfmap wrote no block lines to /tmp/perf-$pid.map"
        fail=1
    fi
    rm -f /tmp/perf-$pid.map
fi
# a non-multiboot file
printf 'not a kernel' > cli-test-notakernel.bin
expect 1 "could not load kernel.*no Linux setup header.*no multiboot header.*not an ELF image" -- -kernel cli-test-notakernel.bin -serial none
rm -f cli-test-notakernel.bin
# -global sets isa-debug-exit's defaults whatever its position; -device properties win
g=testsuite/satori.cpu/alu.elf
if [ -f $g ]; then
    # hyperv-testdev routes into the SynIC: refused without Hyper-V
    expect 1 "hyperv-testdev: needs Hyper-V enlightenments" -- -kernel $g -display none -device hyperv-testdev
    expect 1 "PASS" -- -kernel $g -display none -device isa-debug-exit -global isa-debug-exit.iobase=0xf4 -global isa-debug-exit.iosize=4
    expect 1 "PASS" -- -kernel $g -display none -global isa-debug-exit.iobase=0x501 -device isa-debug-exit,iobase=0xf4,iosize=4
fi
exit $fail
