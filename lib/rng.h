/* rng: a small seeded generator (xoshiro256**), so that training is repeatable bit for
 * bit: the same seed gives the same initial weights, shuffles, crops and masks. */
#ifndef SND_RNG_H
#define SND_RNG_H

#include <stdint.h>

struct snd_rng {
    uint64_t s[4];
};

/* Seed the state from one number (expanded by splitmix64, so nearby seeds differ). */
void snd_rng_seed(struct snd_rng *r, uint64_t seed);

uint64_t snd_rng_u64(struct snd_rng *r);

/* Uniform in [0, 1), with 53 random bits. */
double snd_rng_uniform(struct snd_rng *r);

/* Uniform integer in [0, n), without modulo bias; n > 0. */
uint64_t snd_rng_below(struct snd_rng *r, uint64_t n);

/* Standard normal (Box-Muller). */
double snd_rng_normal(struct snd_rng *r);

/* Gamma(a, 1): shape a > 0, mean a (Marsaglia and Tsang). */
double snd_rng_gamma(struct snd_rng *r, double a);

/* Beta(a, a) for mixup, via two gamma variates (Marsaglia and Tsang); a > 0. */
double snd_rng_beta_sym(struct snd_rng *r, double a);

#endif
