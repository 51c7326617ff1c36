/* half: binary16 conversions by integer arithmetic on the bit patterns, so that they give
 * the same bits on every machine and compiler (F16C and _Float16 are not everywhere). */
#include <string.h>

#include "half.h"

/* The float's bits rounded right by s places, to nearest with ties to even. */
static uint32_t round_shift(uint32_t m, int s)
{
    uint32_t kept = m >> s, rest = m & ((1u << s) - 1), tie = 1u << (s - 1);
    return kept + (rest > tie || (rest == tie && (kept & 1)));
}

uint16_t snd_half_from_float(float f)
{
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
    uint32_t ax = x & 0x7fffffff;
    if (ax >= 0x7f800000) /* infinity, or NaN kept quiet */
        return sign | 0x7c00 | (ax > 0x7f800000 ? 0x200 : 0);
    if (ax >= 0x477ff000) /* 65520 and above round past the largest half, 65504 */
        return sign | 0x7c00;
    if (ax >= 0x38800000) /* a normal half: rebias the exponent from 127 to 15 */
        return sign | (uint16_t)round_shift(ax - ((uint32_t)(127 - 15) << 23), 13);
    if (ax < 0x33000000) /* below half the smallest subnormal, 2^-25: zero */
        return sign;
    /* A subnormal half counts units of 2^-24: the float's 24-bit significand shifted. */
    int e = (int)(ax >> 23);
    return sign | (uint16_t)round_shift((ax & 0x7fffff) | 0x800000, 126 - e);
}

float snd_half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, e = (h >> 10) & 0x1f, m = h & 0x3ff, x;
    if (e == 0x1f)
        x = sign | 0x7f800000 | (m << 13);
    else if (e != 0)
        x = sign | ((e + 127 - 15) << 23) | (m << 13);
    else {
        float f = (float)m * 0x1p-24f; /* exact: m has at most 10 bits */
        return sign ? -f : f;
    }
    float f;
    memcpy(&f, &x, sizeof f);
    return f;
}

long snd_half_pack(const float *src, uint16_t *dst, long n)
{
    long overflows = 0;
    for (long i = 0; i < n; i++) {
        dst[i] = snd_half_from_float(src[i]);
        overflows += (dst[i] & 0x7fff) == 0x7c00 && src[i] - src[i] == 0.0f;
    }
    return overflows;
}

void snd_half_unpack(const uint16_t *src, float *dst, long n)
{
    for (long i = 0; i < n; i++)
        dst[i] = snd_half_to_float(src[i]);
}
