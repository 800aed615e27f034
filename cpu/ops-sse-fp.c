/*
 * cpu/ops-sse-fp.c: SSE floating-point arithmetic (ADDPS, CVT*, COMISS,
 * ROUNDPS, LDMXCSR, ...: the "ssefp" family of insn-list.h).
 *
 * Not implemented yet: the decoder recognises every encoding (with its
 * CPUID gating and the MMX/SSE state checks of exec.c), and this
 * translator raises #UD for it, as the CPU did before SSE existed here.
 */
#include "cpu/translate.h"

void tr_ssefp(struct tr_ctx *tc, const struct insn *in)
{
    tr_emit_fault(tc, in, EXC_UD);
}
