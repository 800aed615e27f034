#!/bin/sh
# testsuite/satori.hyperv/mkhvinitramfs.sh OUT.cpio.gz KERNEL-VERSION
#
# The initramfs of linux-hv.exp: the busybox archive of
# satori.linux/mkinitramfs.sh with a second gzip'd cpio archive appended
# (the kernel unpacks concatenated archives in order).  The overlay's
# /init.local, which that archive's /init runs once busybox is installed
# and proc, sysfs and devtmpfs are mounted, prints what the guest's
# Hyper-V code detected, from its own dmesg, sysfs and CPUID (through the
# kernel's cpuid module, copied from /lib/modules/KERNEL-VERSION when it
# is there), between SATORI-HV-BEGIN and SATORI-HV-END, times `sleep 2`
# and powers off.  Exit status 77 when a tool is missing (mkinitramfs.sh).
set -e
out=$1
kver=$2
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "$out" ]; then
    echo "usage: $0 OUT.cpio.gz KERNEL-VERSION" >&2
    exit 2
fi
sh "$here/../satori.linux/mkinitramfs.sh" "$out"
root=$(mktemp -d "${TMPDIR:-/tmp}/satori-hvinit.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/lib"
mod=/lib/modules/$kver/kernel/arch/x86/kernel/cpuid.ko
[ -f "$mod" ] && cp "$mod" "$root/lib/cpuid.ko"
cat > "$root/init.local" <<'INIT'
#!/bin/busybox sh
# Remote TLB flushes on demand: awk maps and unmaps 3 MB strings (page
# tables freed, so the flush also goes to CPUs that ran it and are idle
# now) while the shell moves it from CPU to CPU.
awk 'BEGIN { for (i = 0; i < 40; i++) { s = sprintf("%3000000s", "x"); n += length(s) }
             print n }' > /tmp/tlbwork & pid=$!
moves=0
while kill -0 $pid 2>/dev/null; do
    moves=$((moves + 1))
    taskset -p $((1 << (moves % 4))) $pid >/dev/null 2>&1
    sleep 0.02
done
wait $pid
echo "SATORI-HV-BEGIN"
echo "tlbwork: $(cat /tmp/tlbwork) after $moves moves"
echo "nproc: $(nproc)"
echo "online: $(cat /sys/devices/system/cpu/online)"
cs=/sys/devices/system/clocksource/clocksource0
echo "clocksource: $(cat $cs/current_clocksource)"
echo "available: $(cat $cs/available_clocksource)"
for c in /sys/devices/system/clockevents/clockevent*; do
    [ -e "$c/current_device" ] && echo "clockevent: ${c##*/} $(cat "$c/current_device")"
done
grep -E '^ *(HVS|LOC|CAL):' /proc/interrupts | sed 's/^ */interrupts: /'
dmesg | grep -iE 'hyper-?v|hypervisor' | sed 's/^/hv: /'
dmesg | grep -E 'unstable|BUG|WARNING|Oops|soft lockup|hung task|nobody cared|unchecked MSR|Call Trace' \
    | sed 's/^/bad: /'
if [ -f /lib/cpuid.ko ] && insmod /lib/cpuid.ko 2>/dev/null; then
    for leaf in 0x40000000 0x40000003 0x40000004 0x40000005; do
        echo "cpuid: $leaf $(dd if=/dev/cpu/0/cpuid bs=16 count=1 skip=$((leaf)) iflag=skip_bytes 2>/dev/null \
            | od -An -tx4 | tr -s ' ' | sed 's/^ //')"
    done
fi
t0=$(cut -d' ' -f1 /proc/uptime)
sleep 2
t1=$(cut -d' ' -f1 /proc/uptime)
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "sleep2: %.2f\n", b - a }'
echo "SATORI-HV-END"
poweroff -f
INIT
chmod 755 "$root/init.local"
( cd "$root" && find . | cpio -o -H newc --quiet ) | gzip -1 >> "$out"
