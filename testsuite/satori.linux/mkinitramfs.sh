#!/bin/sh
# testsuite/satori.linux/mkinitramfs.sh OUT.cpio.gz [BUSYBOX]
#
# Builds, at test time, the initramfs the real-guest test boots: Debian's
# static busybox (package busybox-static, /bin/busybox) and an /init that
# mounts proc and sysfs, prints a report of what the kernel detected
# between SATORI-REPORT-BEGIN and SATORI-REPORT-END, and powers off.
# With "satori.shell" on the kernel command line /init starts an
# interactive shell on the console instead (the bench and a person typing);
# leaving the shell powers off.  With "satori.reboot" /init reboots once:
# the first boot leaves a mark in CMOS byte 0x7e (battery-backed: a reset
# keeps it) through /dev/port and runs `reboot -f`; the boot that finds
# the mark clears it and powers off.  An /init.local (from an archive
# appended after this one) replaces the report, with busybox installed and
# proc, sysfs and devtmpfs mounted.  Nothing binary is committed: the archive is
# made from the installed busybox every time.
set -e
out=$1
bb=${2:-/bin/busybox}
if [ -z "$out" ]; then
    echo "usage: $0 OUT.cpio.gz [BUSYBOX]" >&2
    exit 2
fi
if [ ! -x "$bb" ]; then
    echo "$0: $bb not found (install busybox-static)" >&2
    exit 77
fi
if ! command -v cpio >/dev/null; then
    echo "$0: cpio not found (install cpio)" >&2
    exit 77
fi
if command -v file >/dev/null && ! file -L "$bb" | grep -q "statically linked"; then
    echo "$0: $bb is not statically linked (install busybox-static)" >&2
    exit 77
fi
root=$(mktemp -d "${TMPDIR:-/tmp}/satori-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
cp "$bb" "$root/bin/busybox"
cat > "$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
# an archive appended after this one may bring its own report (satori.hyperv/mkhvinitramfs.sh)
[ -x /init.local ] && exec /init.local
cmos_get() {
    printf '\176' | dd of=/dev/port bs=1 seek=112 count=1 2>/dev/null
    dd if=/dev/port bs=1 skip=113 count=1 2>/dev/null | od -An -tu1 | tr -d ' '
}
cmos_set() {
    printf '\176' | dd of=/dev/port bs=1 seek=112 count=1 2>/dev/null
    printf "\\$(printf %o "$1")" | dd of=/dev/port bs=1 seek=113 count=1 2>/dev/null
}
case " $(cat /proc/cmdline) " in
*" satori.reboot "*)
    if [ "$(cmos_get)" = 165 ]; then
        cmos_set 0
        echo "SATORI-REBOOT: second boot"
        poweroff -f
    fi
    cmos_set 165
    echo "SATORI-REBOOT: first boot (mark $(cmos_get)), rebooting"
    reboot -f
    ;;
*" satori.shell "*)
    echo "SATORI-SHELL"
    setsid cttyhack sh -i
    poweroff -f
    ;;
esac
echo "SATORI-REPORT-BEGIN"
echo "nproc: $(nproc)"
echo "online: $(cat /sys/devices/system/cpu/online)"
# tsc-early gives way to tsc once the kernel has refined the TSC frequency
# (a delayed work item one second after the clocksource registers), which
# can be after /init starts: wait for it, up to 10 s of guest time
cs=/sys/devices/system/clocksource/clocksource0/current_clocksource
n=0
while [ "$(cat $cs)" = tsc-early ] && [ $n -lt 10 ]; do sleep 1; n=$((n + 1)); done
echo "clocksource: $(cat $cs)"
sed 's/^/interrupts: /' /proc/interrupts
dmesg | grep -E 'clocksource.*unstable|BUG|WARNING|Oops|soft lockup|hung task|MP-BIOS bug|nobody cared' \
    | sed 's/^/bad: /'
t0=$(cut -d' ' -f1 /proc/uptime)
sleep 2
t1=$(cut -d' ' -f1 /proc/uptime)
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "sleep2: %.2f\n", b - a }'
awk 'BEGIN { printf "float: %f %f\n", 1 / 3, 2.5 * 4 }'
for d in /sys/bus/pci/devices/*; do
    [ -e "$d" ] && echo "pci: ${d##*/} $(cat "$d/vendor"):$(cat "$d/device") class $(cat "$d/class")"
done
echo "SATORI-REPORT-END"
poweroff -f
INIT
chmod 755 "$root/init"
( cd "$root" && find . | cpio -o -H newc --quiet ) | gzip -1 > "$out"
