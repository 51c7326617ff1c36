/* half: IEEE 754 half precision (binary16) in plain C, for holding training features in
 * half the memory. A log-mel value keeps 11 significant bits: within 0.05% of itself,
 * 0.031 dB at worst for levels within +-128 dB. Conversions round to nearest, ties to
 * even, as the hardware does; magnitudes of 65520 and above become infinities. */
#ifndef SND_HALF_H
#define SND_HALF_H

#include <stdint.h>

uint16_t snd_half_from_float(float f);
float snd_half_to_float(uint16_t h);

/* n values of src into dst; returns how many finite values became infinite. */
long snd_half_pack(const float *src, uint16_t *dst, long n);
void snd_half_unpack(const uint16_t *src, float *dst, long n);

#endif
