/*
 * cpu/decode-tables-0f38.c: the three-byte opcode maps 0F 38 and 0F 3A
 * and the VEX maps satori implements, one column per mandatory prefix
 * (VEX: per VEX.pp), as data (SDM vol. 2, appendix A, tables;
 * operand legend in decode-tables.h).
 *
 * VEX: only the general-register forms of BMI1/BMI2 (VEX.L0) exist; every
 * other VEX encoding (AVX) is #UD, as on a CPU without AVX.  Entries
 * without a B (VEX.vvvv) operand require VEX.vvvv = 1111b (decode.c).
 *
 * Deviations: none known in the implemented rows.
 */
#include "cpu/decode-tables.h"

#include "cpu/decode-tables-macros.h"

#define SSSE3ROW(name) PIROW(name, SSSE3, SSSE3)
#define S41(name, a, b, c) ROW66(name, a, b, c, SSE41)
#define AESROW(name) ROW66(name, Vx, Wx, _, AES)

const opcode_row map_0f38[256] = {
    [0x00] = SSSE3ROW(PSHUFB), [0x01] = SSSE3ROW(PHADDW),
    [0x02] = SSSE3ROW(PHADDD), [0x03] = SSSE3ROW(PHADDSW),
    [0x04] = SSSE3ROW(PMADDUBSW), [0x05] = SSSE3ROW(PHSUBW),
    [0x06] = SSSE3ROW(PHSUBD), [0x07] = SSSE3ROW(PHSUBSW),
    [0x08] = SSSE3ROW(PSIGNB), [0x09] = SSSE3ROW(PSIGNW),
    [0x0a] = SSSE3ROW(PSIGND), [0x0b] = SSSE3ROW(PMULHRSW),
    [0x10] = S41(PBLENDVB, Vx, Wx, _),
    [0x14] = S41(BLENDVPS, Vx, Wx, _), [0x15] = S41(BLENDVPD, Vx, Wx, _),
    [0x17] = S41(PTEST, Vx, Wx, _),
    [0x1c] = SSSE3ROW(PABSB), [0x1d] = SSSE3ROW(PABSW), [0x1e] = SSSE3ROW(PABSD),
    [0x20] = S41(PMOVSXBW, Vx, Wq, _), [0x21] = S41(PMOVSXBD, Vx, Wd, _),
    [0x22] = S41(PMOVSXBQ, Vx, Ww, _), [0x23] = S41(PMOVSXWD, Vx, Wq, _),
    [0x24] = S41(PMOVSXWQ, Vx, Wd, _), [0x25] = S41(PMOVSXDQ, Vx, Wq, _),
    [0x28] = S41(PMULDQ, Vx, Wx, _), [0x29] = S41(PCMPEQQ, Vx, Wx, _),
    [0x2a] = S41(MOVNTDQA, Vx, Mx, _), [0x2b] = S41(PACKUSDW, Vx, Wx, _),
    [0x30] = S41(PMOVZXBW, Vx, Wq, _), [0x31] = S41(PMOVZXBD, Vx, Wd, _),
    [0x32] = S41(PMOVZXBQ, Vx, Ww, _), [0x33] = S41(PMOVZXWD, Vx, Wq, _),
    [0x34] = S41(PMOVZXWQ, Vx, Wd, _), [0x35] = S41(PMOVZXDQ, Vx, Wq, _),
    [0x37] = ROW66(PCMPGTQ, Vx, Wx, _, SSE42),
    [0x38] = S41(PMINSB, Vx, Wx, _), [0x39] = S41(PMINSD, Vx, Wx, _),
    [0x3a] = S41(PMINUW, Vx, Wx, _), [0x3b] = S41(PMINUD, Vx, Wx, _),
    [0x3c] = S41(PMAXSB, Vx, Wx, _), [0x3d] = S41(PMAXSD, Vx, Wx, _),
    [0x3e] = S41(PMAXUW, Vx, Wx, _), [0x3f] = S41(PMAXUD, Vx, Wx, _),
    [0x40] = S41(PMULLD, Vx, Wx, _), [0x41] = S41(PHMINPOSUW, Vx, Wx, _),
    /* INVPCID r32/r64, m128: the register is 64-bit in 64-bit mode whatever REX.W says */
    [0x82] = { [PFX_66] = IF(INVPCID, Gv, M, _, M | A_MPFX | MEM | F64, P | E, INVPCID) },
    [0xdb] = AESROW(AESIMC), [0xdc] = AESROW(AESENC), [0xdd] = AESROW(AESENCLAST),
    [0xde] = AESROW(AESDEC), [0xdf] = AESROW(AESDECLAST),
    /* MOVBE keeps 66 as the operand-size prefix; CRC32 with 66 reads a word */
    [0xf0] = { IF(MOVBE, Gv, M, _, M | MEM, 0, MOVBE), IF(MOVBE, Gv, M, _, M | MEM, 0, MOVBE),
               [PFX_F2] = IF(CRC32, Gy, Eb, _, M | A_MPFX, 0, SSE42) },
    [0xf1] = { IF(MOVBE, M, Gv, _, M | MEM, 0, MOVBE), IF(MOVBE, M, Gv, _, M | MEM, 0, MOVBE),
               [PFX_F2] = IF(CRC32, Gy, Ev, _, M | A_MPFX, 0, SSE42) },
    [0xf6] = { [PFX_66] = IF(ADCX, Gy, Ey, _, M | A_MPFX, 0, ADX),
               [PFX_F3] = IF(ADOX, Gy, Ey, _, M | A_MPFX, 0, ADX) },
};

#define S41I(name) ROW66(name, Vx, Wx, Ib, SSE41)
#define S42U(name) { [PFX_66] = SSEU(name, Vx, Wx, Ib, SSE42) }

const opcode_row map_0f3a[256] = {
    [0x08] = S41I(ROUNDPS), [0x09] = S41I(ROUNDPD),
    [0x0a] = ROW66(ROUNDSS, Vx, Wd, Ib, SSE41), [0x0b] = ROW66(ROUNDSD, Vx, Wq, Ib, SSE41),
    [0x0c] = S41I(BLENDPS), [0x0d] = S41I(BLENDPD), [0x0e] = S41I(PBLENDW),
    [0x0f] = { MMX(PALIGNR, Pq, Qq, Ib, SSSE3), SSE(PALIGNR, Vx, Wx, Ib, SSSE3) },
    [0x14] = ROW66(PEXTRB, RdMb, Vx, Ib, SSE41), [0x15] = ROW66(PEXTRW, RdMw, Vx, Ib, SSE41),
    [0x16] = ROW66(PEXTRD, Ey, Vx, Ib, SSE41), [0x17] = ROW66(EXTRACTPS, Ed, Vx, Ib, SSE41),
    [0x20] = ROW66(PINSRB, Vx, RdMb, Ib, SSE41), [0x21] = ROW66(INSERTPS, Vx, Wd, Ib, SSE41),
    [0x22] = ROW66(PINSRD, Vx, Ey, Ib, SSE41),
    [0x40] = S41I(DPPS), [0x41] = S41I(DPPD), [0x42] = S41I(MPSADBW),
    [0x44] = ROW66(PCLMULQDQ, Vx, Wx, Ib, PCLMULQDQ),
    [0x60] = S42U(PCMPESTRM), [0x61] = S42U(PCMPESTRI),
    [0x62] = S42U(PCMPISTRM), [0x63] = S42U(PCMPISTRI),
    [0xdf] = ROW66(AESKEYGENASSIST, Vx, Wx, Ib, AES),
};

/* VEX.L0 general-register forms (BMI1, BMI2) */
#define VX(name, a, b, c, feat) IF(name, a, b, c, M, 0, feat)

const opcode_row vex_map_0f38[256] = {
    [0xf2] = { VX(ANDN, Gy, By, Ey, BMI1) },
    [0xf3] = { G(GRP_VEX_0F38F3, 0) },
    [0xf5] = { VX(BZHI, Gy, Ey, By, BMI2), [PFX_F3] = VX(PEXT, Gy, By, Ey, BMI2),
               [PFX_F2] = VX(PDEP, Gy, By, Ey, BMI2) },
    [0xf6] = { [PFX_F2] = VX(MULX, Gy, By, Ey, BMI2) },
    [0xf7] = { VX(BEXTR, Gy, Ey, By, BMI1), VX(SHLX, Gy, Ey, By, BMI2),
               VX(SARX, Gy, Ey, By, BMI2), VX(SHRX, Gy, Ey, By, BMI2) },
};

const opcode_row vex_map_0f3a[256] = {
    [0xf0] = { [PFX_F2] = VX(RORX, Gy, Ey, Ib, BMI2) },
};
