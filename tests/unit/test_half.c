/* test_half: binary16 conversions, exhaustively where the space is small. */
#include <stdint.h>
#include <string.h>

#include "half.h"
#include "harness.h"

static uint32_t bits_of(float f)
{
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    return x;
}

/* Every half goes to a float and back unchanged (NaNs stay NaNs). */
static void every_half_round_trips(void)
{
    int bad = 0;
    for (uint32_t h = 0; h < 0x10000; h++) {
        float f = snd_half_to_float((uint16_t)h);
        uint16_t back = snd_half_from_float(f);
        int nan = (h & 0x7c00) == 0x7c00 && (h & 0x3ff);
        bad += nan ? !(f != f) || (back & 0x7c00) != 0x7c00 || !(back & 0x3ff) : back != h;
    }
    CHECK(bad == 0);
}

/* Known values, the edges of the range and of the subnormals. */
static void known_values(void)
{
    CHECK(snd_half_from_float(1.0f) == 0x3c00);
    CHECK(snd_half_from_float(-2.0f) == 0xc000);
    CHECK(snd_half_from_float(65504.0f) == 0x7bff);
    CHECK(snd_half_from_float(65519.99f) == 0x7bff);
    CHECK(snd_half_from_float(65520.0f) == 0x7c00);
    CHECK(snd_half_from_float(-1e9f) == 0xfc00);
    CHECK(snd_half_from_float(0x1p-14f) == 0x0400);   /* the smallest normal */
    CHECK(snd_half_from_float(0x1p-24f) == 0x0001);   /* the smallest subnormal */
    CHECK(snd_half_from_float(0x1p-25f) == 0x0000);   /* a tie, to even: zero */
    CHECK(snd_half_from_float(0x1.8p-25f) == 0x0001); /* past the tie */
    CHECK(snd_half_from_float(-0.0f) == 0x8000);
    CHECK(snd_half_from_float(1.0f + 0x1p-11f) == 0x3c00);     /* tie to even: down */
    CHECK(snd_half_from_float(1.0f + 3 * 0x1p-11f) == 0x3c02); /* tie to even: up */
    CHECK(snd_half_from_float(1.0f + 0x1p-11f + 0x1p-20f) == 0x3c01);
    CHECK(snd_half_to_float(0x7c00) > 1e38f);
    CHECK(snd_half_to_float(0x0001) == 0x1p-24f);
    CHECK(snd_half_to_float(0xbc00) == -1.0f);
    CHECK(snd_half_to_float(0x3555) == 0x1.554p-2f);
}

/* Each float rounds to the nearer of its two neighbouring halves, ties to the even one:
 * checked by brute force over a sweep of float bit patterns across the whole range. */
static void rounds_to_nearest_even(void)
{
    int bad = 0;
    for (uint32_t x = 0; x < 0x47800000; x += 997) {
        float f;
        memcpy(&f, &x, sizeof f);
        uint16_t h = snd_half_from_float(f);
        float got = snd_half_to_float(h);
        float lo = got <= f ? got : snd_half_to_float((uint16_t)(h - 1));
        float hi = got <= f ? snd_half_to_float((uint16_t)(h + 1)) : got;
        if (lo > f || hi < f) {
            bad++;
            continue;
        }
        float dl = f - lo, dh = hi - f;
        uint16_t want = dl < dh ? snd_half_from_float(lo) : snd_half_from_float(hi);
        if (dl == dh)
            want =
                (snd_half_from_float(lo) & 1) ? snd_half_from_float(hi) : snd_half_from_float(lo);
        bad += h != want && !(x >= 0x477ff000 && h == 0x7c00);
    }
    CHECK(bad == 0);
#ifdef __FLT16_MAX__
    /* Where the compiler has _Float16, it must agree bit for bit. */
    __extension__ typedef _Float16 f16;
    int differ = 0;
    for (uint32_t x = 0; x < 0x80000000u; x += 4099) {
        float f;
        memcpy(&f, &x, sizeof f);
        f16 c = (f16)f;
        uint16_t hb;
        memcpy(&hb, &c, sizeof hb);
        differ += f == f && hb != snd_half_from_float(f);
    }
    CHECK(differ == 0);
#endif
    CHECK(bits_of(snd_half_to_float(snd_half_from_float(-80.123f))) == bits_of(-80.125f));
}

static void packs_and_counts_overflows(void)
{
    float src[6] = {-100.25f, 7.5f, 1e6f, -INFINITY, NAN, 0.1f}, back[6];
    uint16_t h[6];
    CHECK(snd_half_pack(src, h, 6) == 1); /* 1e6 overflows; the infinity was one already */
    snd_half_unpack(h, back, 6);
    CHECK(back[0] == -100.25f && back[1] == 7.5f && back[3] == -INFINITY && back[4] != back[4]);
    CHECK(fabsf(back[5] - 0.1f) < 0.1f * 0x1p-11f);
}

int main(void)
{
    RUN(every_half_round_trips);
    RUN(known_values);
    RUN(rounds_to_nearest_even);
    RUN(packs_and_counts_overflows);
    return HARNESS_STATUS();
}
