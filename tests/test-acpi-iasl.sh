#!/bin/sh
# tests/test-acpi-iasl.sh: disassemble satori's DSDT with iasl (Debian's
# acpica-tools) and compile the disassembly again; both must succeed
# without errors.  Skipped (exit 77) when iasl is not installed.
command -v iasl >/dev/null 2>&1 || { echo "iasl not installed: skipped"; exit 77; }
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
./tests/test-acpi --dump-dsdt "$dir/dsdt.aml" || { echo "FAIL: dump"; exit 1; }
(cd "$dir" && iasl -d dsdt.aml) > "$dir/dis.log" 2>&1 || { cat "$dir/dis.log"; echo "FAIL: iasl -d"; exit 1; }
if grep -qi "error" "$dir/dis.log"; then cat "$dir/dis.log"; echo "FAIL: disassembly errors"; exit 1; fi
(cd "$dir" && iasl -p recompiled dsdt.dsl) > "$dir/asm.log" 2>&1 || { cat "$dir/asm.log"; echo "FAIL: recompiling"; exit 1; }
if grep -q "[1-9][0-9]* Errors\|^Error" "$dir/asm.log"; then cat "$dir/asm.log"; echo "FAIL: compile errors"; exit 1; fi
echo "PASS: iasl disassembles and recompiles the DSDT"
