/* rng: xoshiro256** by Blackman and Vigna, seeded through splitmix64 as its authors
 * recommend. */
#include "rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void snd_rng_seed(struct snd_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t snd_rng_u64(struct snd_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double snd_rng_uniform(struct snd_rng *r)
{
    return (double)(snd_rng_u64(r) >> 11) * 0x1.0p-53;
}

uint64_t snd_rng_below(struct snd_rng *r, uint64_t n)
{
    /* Reject the top sliver that would make some residues more likely. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do
        x = snd_rng_u64(r);
    while (x >= limit);
    return x % n;
}

double snd_rng_normal(struct snd_rng *r)
{
    double u1 = 1.0 - snd_rng_uniform(r); /* (0, 1]: log stays finite */
    double u2 = snd_rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* Gamma(a, 1) by Marsaglia and Tsang; for a < 1, boost with U^(1/a). */
double snd_rng_gamma(struct snd_rng *r, double a)
{
    if (a < 1.0)
        return snd_rng_gamma(r, a + 1.0) * pow(1.0 - snd_rng_uniform(r), 1.0 / a);
    double d = a - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x = snd_rng_normal(r), v = 1.0 + c * x;
        if (v <= 0.0)
            continue;
        v = v * v * v;
        double u = 1.0 - snd_rng_uniform(r);
        if (log(u) < 0.5 * x * x + d - d * v + d * log(v))
            return d * v;
    }
}

double snd_rng_beta_sym(struct snd_rng *r, double a)
{
    double x = snd_rng_gamma(r, a), y = snd_rng_gamma(r, a);
    return x / (x + y);
}
