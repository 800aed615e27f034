#!/bin/sh
# tests/test-acpi-iasl.sh: disassemble satori's DSDT with iasl (Debian's
# acpica-tools) and compile the disassembly again; both must succeed
# without errors; then run the link devices' methods in acpiexec (same
# package): _SRS of IRQ 11 shows in _CRS, _DIS turns _STA to "disabled".
# Skipped (exit 77) when iasl is not installed.
command -v iasl >/dev/null 2>&1 || { echo "iasl not installed: skipped"; exit 77; }
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
./tests/test-acpi --dump-dsdt "$dir/dsdt.aml" || { echo "FAIL: dump"; exit 1; }
(cd "$dir" && iasl -d dsdt.aml) > "$dir/dis.log" 2>&1 || { cat "$dir/dis.log"; echo "FAIL: iasl -d"; exit 1; }
if grep -qi "error" "$dir/dis.log"; then cat "$dir/dis.log"; echo "FAIL: disassembly errors"; exit 1; fi
(cd "$dir" && iasl -p recompiled dsdt.dsl) > "$dir/asm.log" 2>&1 || { cat "$dir/asm.log"; echo "FAIL: recompiling"; exit 1; }
if grep -q "[1-9][0-9]* Errors\|^Error" "$dir/asm.log"; then cat "$dir/asm.log"; echo "FAIL: compile errors"; exit 1; fi
echo "PASS: iasl disassembles and recompiles the DSDT"
command -v acpiexec >/dev/null 2>&1 || exit 0
(cd "$dir" && timeout 60 acpiexec -b "execute \\_SB.LNKB._SRS (89 06 00 09 01 0b 00 00 00 79 00); \
evaluate \\_SB.LNKB._CRS; evaluate \\_SB.LNKA._DIS; evaluate \\_SB.LNKA._STA; evaluate \\_S5" \
    dsdt.aml) > "$dir/exec.log" 2>&1
grep -q "89 06 00 09 01 0B 00 00 00 79 00" "$dir/exec.log" \
    || { cat "$dir/exec.log"; echo "FAIL: LNKB _SRS/_CRS"; exit 1; }
grep -A1 "Evaluation of ._SB.LNKA._STA" "$dir/exec.log" | grep -q "= 0000000000000009" \
    || { cat "$dir/exec.log"; echo "FAIL: LNKA _DIS/_STA"; exit 1; }
grep -q "Contains 4 Elements" "$dir/exec.log" || { cat "$dir/exec.log"; echo "FAIL: _S5"; exit 1; }
if grep -q "ACPI Error\|ACPI Exception" "$dir/exec.log"; then cat "$dir/exec.log"; echo "FAIL: AML errors"; exit 1; fi
echo "PASS: acpiexec runs the link methods"
